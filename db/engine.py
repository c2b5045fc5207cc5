"""Engine and session factory; SQLite gets the pragmas the ledger's durability needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str, *, echo: bool = False, read_only: bool = False) -> Engine:
    """Build the one engine of the process from a SQLAlchemy URL.

    ``read_only`` (SQLite files) opens the file with ``mode=ro`` and changes nothing in it:
    for checking a database, possibly an archived read-only copy.
    """
    parsed = make_url(url)
    if read_only and parsed.get_backend_name() == "sqlite" and parsed.database:
        uri = Path(parsed.database).resolve().as_uri() + "?mode=ro"
        engine = create_engine(
            "sqlite://", creator=lambda: _sqlite_connect_ro(uri), echo=echo, future=True
        )
        event.listen(engine, "connect", _sqlite_read_only_pragmas)
        event.listen(engine, "begin", _sqlite_begin_deferred)
        return engine
    options: dict[str, Any] = {}
    if parsed.get_backend_name() == "postgresql":
        # A counter outlives a server restart or a network cut: a pooled connection found
        # dead is replaced at checkout instead of failing the officer's next save.
        options["pool_pre_ping"] = True
        # A server gone from the network is found within seconds, not the system's minutes
        # (the URL's own settings win).
        wait = {
            "connect_timeout": 8,
            "keepalives": 1,
            "keepalives_idle": 10,
            "keepalives_interval": 5,
            "keepalives_count": 3,
        }
        options["connect_args"] = {k: v for k, v in wait.items() if k not in parsed.query}
    engine = create_engine(url, echo=echo, future=True, **options)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        # SQLAlchemy emits BEGIN itself (pysqlite's own handling would start transactions late);
        # writers take the write lock with their first statement (app.core.service_base._writing).
        event.listen(engine, "begin", _sqlite_begin_deferred)
    return engine


def _sqlite_connect_ro(uri: str) -> Any:
    import sqlite3

    return sqlite3.connect(uri, uri=True, check_same_thread=False)


def _sqlite_read_only_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    dbapi_connection.execute("PRAGMA busy_timeout=10000")


def _sqlite_begin_deferred(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy emit BEGIN itself (see make_engine).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "memory":
            cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: a signed ledger must survive a power cut at the counter.
        cursor.execute("PRAGMA synchronous=FULL")
        # Deleted or overwritten content is zeroed, so no clear value lingers in free pages.
        cursor.execute("PRAGMA secure_delete=ON")
    finally:
        cursor.close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded values after commit, so DTOs can be built after the transaction."""
    return sessionmaker(engine, expire_on_commit=False)
