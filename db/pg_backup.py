"""PostgreSQL backup copies: ``pg_dump --format=custom`` and ``pg_restore``, run as programs.

The password goes to the tools in the PGPASSWORD environment variable, never on a command
line (which every user of the machine can read in the process list). A dump is checked with
``pg_restore --list`` (it must name every table); its revision, station and accounts are read
from the dump's own data (``pg_restore --data-only --table``) before anything is replaced.
Failures are db.backup.BackupFailure, translated by app/backup/service.py.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

from db.backup import BackupFailure, CopyFacts, StoredOfficer, TargetState
from db.migrate import known_revisions

TOOL_TIMEOUT_S = 6 * 3600  # a dump of years of a busy station over a slow share
_LISTED_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE (?:DATA )?(\S+) (\S+) ")


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupFailure("tool_missing", name)
    return found


def _connection(url: URL) -> tuple[list[str], dict[str, str]]:
    """libpq arguments and environment for ``url``; the password only in the environment."""
    args = ["--no-password"]
    if url.host:
        args += ["--host", url.host]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    sslmode = url.query.get("sslmode")
    if isinstance(sslmode, str):
        env["PGSSLMODE"] = sslmode
    env.setdefault("PGCONNECT_TIMEOUT", "15")
    return args, env


def _run(command: list[str], env: dict[str, str] | None = None) -> bytes:
    try:
        done = subprocess.run(
            command, env=env, capture_output=True, timeout=TOOL_TIMEOUT_S, check=False
        )
    except OSError as exc:
        raise BackupFailure("tool_failed", f"{command[0]}: {exc}") from None
    except subprocess.TimeoutExpired:
        raise BackupFailure("tool_failed", f"{Path(command[0]).name} timed out") from None
    if done.returncode != 0:
        raise _tool_failure(command[0], done.stderr)
    return done.stdout


def _tool_failure(tool: str, stderr: bytes) -> BackupFailure:
    message = stderr.decode("utf-8", "replace").strip().splitlines()
    detail = f"{Path(tool).name}: {message[-1] if message else 'failed'}"
    if "No space left" in detail:
        return BackupFailure("disk_full", detail)
    return BackupFailure("tool_failed", detail)


def pg_tables(url: URL) -> set[str]:
    """The tables of the database (public schema)."""
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    except DBAPIError as exc:
        raise BackupFailure("tool_failed", str(exc.orig).strip().splitlines()[0]) from None
    finally:
        engine.dispose()


def dump(url: URL, staged: Path) -> set[str]:
    """``pg_dump`` the database into ``staged``; the tables it had just before."""
    tables = pg_tables(url)
    args, env = _connection(url)
    _run([_tool("pg_dump"), "--format=custom", f"--file={staged}", *args, url.database or ""], env)
    return tables


def listed_tables(path: Path) -> set[str]:
    """The tables ``pg_restore --list`` names in a dump (fails if it cannot read it)."""
    listing = _run([_tool("pg_restore"), "--list", str(path)]).decode("utf-8", "replace")
    return {m.group(2) for line in listing.splitlines() if (m := _LISTED_TABLE.match(line))}


def check_dump(path: Path, expected: Iterable[str] | None = None) -> CopyFacts:
    """A readable dump of a StationDesk database naming every ``expected`` table; its facts."""
    try:
        tables = listed_tables(path)
    except BackupFailure as exc:
        raise BackupFailure("corrupt", exc.detail) from None
    missing = set(expected or ()) - tables
    if missing:
        raise BackupFailure("missing_tables", ", ".join(sorted(missing)))
    if "alembic_version" not in tables:
        raise BackupFailure("not_ours", ", ".join(sorted(tables)[:5]))
    versions = table_rows(path, "alembic_version")
    if not versions or versions[0].get("version_num") is None:
        raise BackupFailure("not_ours", "alembic_version is empty")
    revision = str(versions[0]["version_num"])
    if revision not in known_revisions():
        raise BackupFailure("unknown_revision", revision)
    stations = [r for r in table_rows(path, "stations") if r.get("id") == "1"]
    if not stations:
        raise BackupFailure("no_station")
    return CopyFacts(revision, str(stations[0]["code"]), str(stations[0]["name"]))


def dump_officer(path: Path, badge_no: str) -> StoredOfficer | None:
    """The account with ``badge_no`` as the dump stores it."""
    for row in table_rows(path, "officers"):
        if row.get("badge_no") == badge_no:
            return StoredOfficer(
                int(row["id"] or 0),
                str(row["name"]),
                str(row["role"]),
                row.get("active") == "t",
                str(row["password_hash"]),
            )
    return None


def table_rows(path: Path, table: str) -> list[dict[str, str | None]]:
    """One table's rows from a dump, as text (COPY's text format decoded)."""
    script = _run(
        [_tool("pg_restore"), "--data-only", f"--table={table}", "--file=-", str(path)]
    ).decode("utf-8")
    rows: list[dict[str, str | None]] = []
    columns: list[str] | None = None
    for line in script.split("\n"):
        if columns is None:
            head = re.match(r"^COPY \S+ \((.*)\) FROM stdin;$", line)
            if head:
                columns = [c.strip().strip('"') for c in head.group(1).split(",")]
            continue
        if line == "\\.":
            break
        rows.append(dict(zip(columns, (_copy_value(v) for v in line.split("\t")), strict=True)))
    return rows


_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\"}


def _copy_value(value: str) -> str | None:
    if value == "\\N":
        return None
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), value)


def pg_target(url: URL) -> TargetState:
    """What the database a restore would replace holds; "broken" when it cannot be read."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            if "stations" in tables:
                row = conn.execute(text("SELECT code, name FROM stations WHERE id = 1")).first()
                if row is not None:
                    return TargetState("station", str(row[0]), str(row[1]))
    except DBAPIError as exc:
        raise BackupFailure("tool_failed", str(exc.orig).strip().splitlines()[0]) from None
    finally:
        engine.dispose()
    ours = not (tables - {"alembic_version"}) or "alembic_version" in tables
    return TargetState("empty" if ours else "foreign")


def restore(url: URL, path: Path) -> None:
    """Replace the database's tables by the dump's, in one transaction.

    ``pg_restore`` writes the script (dropping the dump's own objects first) and ``psql``
    runs it as a single transaction, after dropping the tables the dump does not have (a
    newer schema's): on any error nothing has changed.
    """
    args, env = _connection(url)
    extra = sorted(pg_tables(url) - listed_tables(path))
    drops = [f'DROP TABLE IF EXISTS "{t}" CASCADE;' for t in extra]
    script = [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges"]
    apply = [_tool("psql"), "--no-psqlrc", "--quiet", "--single-transaction"]
    apply += ["--set=ON_ERROR_STOP=1", *args, f"--dbname={url.database or ''}"]
    for drop in drops:
        apply += ["--command", drop]
    apply += ["--file=-"]
    with tempfile.TemporaryFile() as script_errors:
        # pg_restore's messages go to a file: a full pipe nobody reads would stall both tools.
        writer = subprocess.Popen(
            [*script, "--file=-", str(path)], stdout=subprocess.PIPE, stderr=script_errors
        )
        try:
            done = subprocess.run(
                apply,
                stdin=writer.stdout,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                timeout=TOOL_TIMEOUT_S,
                check=False,
            )
        finally:
            if writer.stdout is not None:
                writer.stdout.close()
            writer.wait()
        script_errors.seek(0)
        written_err = script_errors.read()
    # psql first: when it stops (a failed statement, no connection), pg_restore's write fails
    # only as a consequence.
    if done.returncode != 0:
        raise _tool_failure(apply[0], done.stderr)
    if writer.returncode != 0:
        raise _tool_failure(script[0], written_err)
