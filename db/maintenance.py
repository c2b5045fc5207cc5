"""Storage-level checks that differ by database kind (kept out of app/, which stays portable)."""

from __future__ import annotations

import logging
import sqlite3
import statistics
from pathlib import Path

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

logger = logging.getLogger(__name__)

# ANALYZE reads about this many entries of each index: approximate statistics in milliseconds,
# whatever the size of the file (SQLite's own advice for PRAGMA optimize is 100-1000).
ANALYSIS_LIMIT = 1000
# Tables smaller than this need no statistics: any plan is fast.
MIN_ANALYSED_ROWS = 100
# Re-analyse a table once it holds this many times the rows its statistics describe.
GROWTH = 2


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


# What SQLite calls a damaged file (a page it cannot walk raises instead of being listed).
DAMAGE_ERRORS = ("SQLITE_CORRUPT", "SQLITE_NOTADB", "SQLITE_IOERR")


def quick_check_file(path: Path) -> list[str] | None:
    """SQLite's ``quick_check`` findings of a file (``[]`` when sound), read-only.

    Reads every page once (no index-against-table comparison, unlike ``integrity_check``).
    None when the check could not run now (another connection holds a lock past the timeout):
    that says nothing about the file.
    """
    try:
        con = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        return [str(exc)]
    findings: list[str] = []
    try:
        for row in con.execute("PRAGMA quick_check"):
            findings.append(str(row[0]))
    except sqlite3.Error as exc:
        name = getattr(exc, "sqlite_errorname", "")
        if name.startswith(DAMAGE_ERRORS):
            return [*findings, str(exc)]
        logger.info("quick_check of %s did not run: %s (%s)", path, exc, name)
        return None
    finally:
        con.close()
    return [] if findings == ["ok"] else findings


def refresh_planner_statistics(engine: Engine) -> list[str]:
    """Keep SQLite's planner statistics (``sqlite_stat1``) in step with the data.

    Without them the planner guesses, and on years of history it guesses wrong (walking a
    whole index to read a few rows). A table is analysed when it has rows but no statistics,
    when one of its indexes has none (a migration just added it), or when it grew to
    ``GROWTH`` times the rows its statistics describe; approximately (``ANALYSIS_LIMIT``), so
    it takes milliseconds even on a million visits. When nothing is due this costs one index
    lookup per table. Returns the tables analysed; does nothing on other databases.
    """
    if engine.dialect.name != "sqlite":
        return []
    try:
        with engine.begin() as conn:
            due = tables_needing_statistics(conn)
            if due:
                conn.execute(text(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}"))
                for table in due:
                    conn.execute(text(f'ANALYZE "{table}"'))
                logger.info("planner statistics refreshed for %s", ", ".join(due))
    except DBAPIError as exc:
        # Another counter wrote between the reading and ANALYZE (SQLite then refuses at once
        # rather than wait) or holds the write lock: statistics are an aid, not a reason to
        # refuse the start. Nothing was written; the next start (or close) refreshes them.
        if "locked" not in str(exc.orig) and "busy" not in str(exc.orig):
            raise
        logger.info("planner statistics skipped (another counter is writing): %s", exc.orig)
        return []
    return due


def tables_needing_statistics(conn: Connection) -> list[str]:
    """The tables ``refresh_planner_statistics`` would analyse now."""
    schema = conn.execute(
        text("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE type IN ('table', 'index')")
    ).all()
    tables = sorted(
        r.name for r in schema if r.type == "table" and not r.name.startswith("sqlite_")
    )
    indexes: dict[str, set[str]] = {t: set() for t in tables}
    for r in schema:
        # A partial index may be empty, and then has no statistics even when analysed.
        partial = " WHERE " in str(r.sql or "").upper()
        if r.type == "index" and r.tbl_name in indexes and not partial:
            indexes[r.tbl_name].add(r.name)
    described: dict[str, dict[str | None, int]] = {}
    if any(r.name == "sqlite_stat1" for r in schema):
        for table, index, stat in conn.execute(text("SELECT tbl, idx, stat FROM sqlite_stat1")):
            first = str(stat or "").split(" ", 1)[0]
            if first.isdigit():
                described.setdefault(table, {})[index] = int(first)
    due = []
    for table in tables:
        # The largest rowid: an index lookup, not a count (rows are only rarely deleted).
        rows = conn.execute(text(f'SELECT max(rowid) FROM "{table}"')).scalar() or 0
        if rows < MIN_ANALYSED_ROWS:
            continue
        known = described.get(table, {})
        unanalysed = not known or bool(indexes[table] - set(known))
        if unanalysed or rows >= GROWTH * statistics.median(known.values()):
            due.append(table)
    return due


def optimize_before_close(engine: Engine) -> None:
    """SQLite's advice for closing a connection: ``PRAGMA optimize``, bounded; best effort."""
    if engine.dialect.name != "sqlite":
        return
    try:
        with engine.connect() as conn:
            conn.execute(text(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}"))
            conn.execute(text("PRAGMA optimize"))
    except DBAPIError as exc:  # read-only or busy: the next start refreshes the statistics
        logger.info("PRAGMA optimize skipped: %s", exc.orig)
