"""Storage-level checks that differ by database kind (kept out of app/, which stays portable)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import Engine, text


class NotADatabase(Exception):
    """The file cannot be read as a SQLite database."""


def storage_integrity(engine: Engine) -> list[str] | None:
    """SQLite's ``integrity_check`` findings (``[]`` when sound); None where the server keeps it."""
    if engine.dialect.name != "sqlite":
        return None
    with engine.connect() as conn:
        result = [str(row[0]) for row in conn.execute(text("PRAGMA integrity_check"))]
    return [] if result == ["ok"] else result


def inspect_sqlite_file(path: Path) -> tuple[str | None, set[str]]:
    """The Alembic revision and table names of a SQLite file, read without changing a byte."""
    try:
        con = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise NotADatabase(str(exc)) from None
    try:
        tables = {
            row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        revision = None
        if "alembic_version" in tables:
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
    except sqlite3.DatabaseError as exc:
        raise NotADatabase(str(exc)) from None
    finally:
        con.close()
    return revision, tables - {"alembic_version", "sqlite_sequence"}
