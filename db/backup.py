"""SQLite backup copies: the online backup API into a staged file, checked, then renamed.

Storage facts only. app/backup/service.py names the files, rotates them, checks who may, and
says in Chinese what went wrong: every failure here is a ``BackupFailure`` whose ``kind`` it
translates. PostgreSQL's dumps live in db/pg_backup.py.

A copy is written to a hidden temporary file in the target folder (owner-only), converted to a
single self-contained file (rollback journal, no ``-wal``), synced, opened again read-only and
checked (integrity, a revision this program knows, the station row, every table's row count
equal to the source's at copy time), and only then renamed to its name.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import sqlite3
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from db.migrate import known_revisions
from db.staging import remove_stale_parts

SQLITE_HEADER = b"SQLite format 3\x00"
SIDE_SUFFIXES = ("-wal", "-shm", "-journal")


class BackupFailure(Exception):
    """A copy could not be made, or does not check out. ``kind`` says which (app translates):

    not_found, not_a_database, corrupt, not_ours, unknown_revision, no_station, count_mismatch,
    disk_full, write_failed, no_folder, not_writable, in_use, tool_missing, tool_failed,
    missing_tables.
    """

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind
        self.detail = detail


@dataclass(frozen=True)
class CopyFacts:
    """What a checked copy holds: its revision, its station and its tables' row counts."""

    revision: str
    station_code: str
    station_name: str
    counts: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class StoredOfficer:
    """An account as a copy stores it, to check a password against."""

    id: int
    name: str
    role: str
    active: bool
    password_hash: str


def file_kind(path: Path) -> str | None:
    """ "sqlite" or "pg" (a ``pg_dump --format=custom`` file) by its first bytes; else None."""
    try:
        with path.open("rb") as fh:
            head = fh.read(len(SQLITE_HEADER))
    except OSError:
        return None
    if head == SQLITE_HEADER:
        return "sqlite"
    if head.startswith(b"PGDMP"):
        return "pg"
    return None


# ---- files ---------------------------------------------------------------------------------


def stage(folder: Path, name: str) -> Path:
    """A new, empty, owner-only hidden file in ``folder`` for ``name`` to be written to."""
    if not folder.is_dir():
        raise BackupFailure("no_folder", str(folder))
    # A backup killed halfway left its hidden copy (as big as the database): the station's
    # next backup into this folder removes it.
    remove_stale_parts(folder, "." + name.split("-", 1)[0] + "-")
    try:
        fd, staged = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise _os_failure(exc, folder) from None
    os.close(fd)  # mkstemp made it 0600
    return Path(staged)


def discard(path: Path) -> None:
    """Remove a staged file and any side file SQLite left beside it."""
    for p in (path, *(path.with_name(path.name + s) for s in SIDE_SUFFIXES)):
        with contextlib.suppress(OSError):
            p.unlink()


def digest(path: Path) -> tuple[int, str]:
    """Size in bytes and SHA-256 of a file."""
    sha = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            sha.update(chunk)
            size += len(chunk)
    return size, sha.hexdigest()


def free_name(path: Path) -> Path:
    """``path``, or with -2, -3 … before its suffix when that name is taken (same second)."""
    candidate, n = path, 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
    return candidate


def publish(staged: Path, final: Path) -> None:
    """Sync ``staged`` and rename it to ``final`` (never over an existing file)."""
    try:
        with staged.open("rb+") as fh:
            os.fsync(fh.fileno())
        if final.exists():
            raise BackupFailure("write_failed", f"{final} exists")
        os.replace(staged, final)
        sync_folder(final.parent)
    except OSError as exc:
        raise _os_failure(exc, final.parent) from None


def sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX; Windows has no directory handles)."""
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _os_failure(exc: OSError, folder: Path) -> BackupFailure:
    if exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
        return BackupFailure("disk_full", str(exc))
    if exc.errno == errno.ENOENT and not folder.is_dir():
        return BackupFailure("no_folder", str(folder))
    if isinstance(exc, PermissionError) or exc.errno == errno.EROFS:
        return BackupFailure("not_writable", str(folder))
    return BackupFailure("write_failed", str(exc))


def _sqlite_failure(exc: sqlite3.Error) -> BackupFailure:
    text = str(exc)
    if "disk is full" in text:
        return BackupFailure("disk_full", text)
    if "not a database" in text:
        return BackupFailure("not_a_database", text)
    if "malformed" in text or "corrupt" in text:
        return BackupFailure("corrupt", text)
    if "locked" in text or "busy" in text:
        return BackupFailure("in_use", text)
    if "I/O error" in text or "readonly" in text or "unable to open" in text:
        # Writing past a disk's (or the process's) file size limit ends up here too.
        return BackupFailure("write_failed", text)
    return BackupFailure("corrupt", text)


# ---- copying and checking --------------------------------------------------------------------


def _read_only(path: Path) -> sqlite3.Connection:
    """Read without writing a byte: not even the ``-wal``/``-shm`` a reader of a WAL database
    creates when none are there (a file with no ``-wal`` beside it is whole in itself, and may
    be on a write-protected drive)."""
    wal = path.with_name(path.name + "-wal")
    query = "mode=ro" if wal.exists() else "mode=ro&immutable=1"
    con = sqlite3.connect(f"{path.resolve().as_uri()}?{query}", uri=True, isolation_level=None)
    con.execute("PRAGMA busy_timeout=10000")
    return con


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def row_counts(con: sqlite3.Connection) -> dict[str, int]:
    """Rows of every table (SQLite's own ``sqlite_*`` tables aside)."""
    tables = [
        str(row[0])
        for row in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' "
            "ESCAPE '\\' ORDER BY name"
        )
    ]
    return {t: int(con.execute(f"SELECT count(*) FROM {_quote(t)}").fetchone()[0]) for t in tables}


def copy_sqlite(source: Path, staged: Path) -> dict[str, int]:
    """Copy ``source`` into ``staged`` in one read transaction; the row counts it copied.

    The source is opened read-only and never changed. The copy gets a rollback journal, so
    it is one self-contained file with no ``-wal`` beside it.
    """
    try:
        src = _read_only(source)
    except sqlite3.Error as exc:
        raise _sqlite_failure(exc) from None
    try:
        src.execute("BEGIN")  # the counts and the copy see the same snapshot
        counts = row_counts(src)
        dst = sqlite3.connect(staged, isolation_level=None)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
        src.execute("ROLLBACK")
    except sqlite3.Error as exc:
        raise _sqlite_failure(exc) from None
    except OSError as exc:
        raise _os_failure(exc, staged.parent) from None
    finally:
        src.close()
    return counts


def check_sqlite_copy(path: Path, expected: Mapping[str, int] | None = None) -> CopyFacts:
    """Open the copy read-only and check it; its facts, or a BackupFailure saying what is wrong.

    Integrity, a revision this program knows, the station row, and (``expected``) the same
    tables with the same row counts as the source had when it was copied.
    """
    if file_kind(path) != "sqlite":
        raise BackupFailure("not_a_database", str(path))
    try:
        con = _read_only(path)
    except sqlite3.Error as exc:
        raise _sqlite_failure(exc) from None
    try:
        findings = [str(r[0]) for r in con.execute("PRAGMA integrity_check")]
        if findings != ["ok"]:
            raise BackupFailure("corrupt", "; ".join(findings[:5]))
        counts = row_counts(con)
        if "alembic_version" not in counts:
            raise BackupFailure("not_ours", ", ".join(sorted(counts)[:5]))
        revision = con.execute("SELECT version_num FROM alembic_version").fetchone()
        if revision is None:
            raise BackupFailure("not_ours", "alembic_version is empty")
        if revision[0] not in known_revisions():
            raise BackupFailure("unknown_revision", str(revision[0]))
        station = None
        if "stations" in counts:
            station = con.execute("SELECT code, name FROM stations WHERE id = 1").fetchone()
        if station is None:
            raise BackupFailure("no_station")
        if expected is not None and counts != dict(expected):
            raise BackupFailure("count_mismatch", _difference(expected, counts))
    except sqlite3.Error as exc:
        raise _sqlite_failure(exc) from None
    finally:
        con.close()
    return CopyFacts(str(revision[0]), str(station[0]), str(station[1]), counts)


def _difference(expected: Mapping[str, int], found: Mapping[str, int]) -> str:
    names = sorted(set(expected) | set(found))
    changed = [n for n in names if expected.get(n) != found.get(n)]
    return ", ".join(f"{n}: {expected.get(n)} -> {found.get(n)}" for n in changed)


def sqlite_officer(path: Path, badge_no: str) -> StoredOfficer | None:
    """The account with ``badge_no`` as the (checked) copy stores it."""
    try:
        con = _read_only(path)
        try:
            row = con.execute(
                "SELECT id, name, role, active, password_hash FROM officers WHERE badge_no = ?",
                (badge_no,),
            ).fetchone()
        finally:
            con.close()
    except sqlite3.Error as exc:
        raise _sqlite_failure(exc) from None
    if row is None:
        return None
    return StoredOfficer(int(row[0]), str(row[1]), str(row[2]), bool(row[3]), str(row[4]))


# ---- replacing a database file -----------------------------------------------------------


@dataclass(frozen=True)
class TargetState:
    """What is at the place a restore would fill."""

    state: str  # missing, empty, station, broken, foreign, not_sqlite
    station_code: str = ""
    station_name: str = ""


def sqlite_target(path: Path) -> TargetState:
    """Look at the database file a restore would replace, changing nothing."""
    if not path.exists() or path.stat().st_size == 0:
        return TargetState("missing" if not path.exists() else "empty")
    if file_kind(path) != "sqlite":
        return TargetState("not_sqlite")
    try:
        con = _read_only(path)
        try:
            tables = {
                str(r[0]) for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            if "stations" in tables:
                row = con.execute("SELECT code, name FROM stations WHERE id = 1").fetchone()
                if row is not None:
                    return TargetState("station", str(row[0]), str(row[1]))
        finally:
            con.close()
    except sqlite3.Error:
        return TargetState("broken")
    ours = not (tables - {"alembic_version", "sqlite_sequence"}) or "alembic_version" in tables
    return TargetState("empty" if ours else "foreign")


def settle(target: Path) -> None:
    """Fold ``target``'s WAL into the file and leave it without side files.

    Switching out of WAL needs the only connection, so a database some program (a running
    StationDesk) still holds open is refused as ``in_use``. A file SQLite cannot read is left
    as it is: the swap moves it aside with its side files.
    """
    try:
        con = sqlite3.connect(target, isolation_level=None, timeout=2)
        try:
            con.execute("PRAGMA journal_mode=DELETE").fetchone()
        finally:
            con.close()
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise BackupFailure("in_use", str(exc)) from None
    except sqlite3.DatabaseError:
        pass


def swap_in(staged: Path, target: Path, aside: Path) -> Path | None:
    """Put ``staged`` at ``target``; the file it replaces (and its side files) kept at ``aside``.

    The old file is first linked at ``aside`` and then atomically replaced, so ``target`` is at
    every moment either the old database or the new one; where hard links are not possible
    (some USB file systems) it is renamed aside first, and renamed back if the swap fails.
    Returns ``aside``, or None when there was nothing to replace.
    """
    moved: list[tuple[Path, Path]] = []
    linked = False
    try:
        for suffix in SIDE_SUFFIXES:  # a broken database's leftovers must not meet the new one
            side = target.with_name(target.name + suffix)
            if side.exists():
                os.replace(side, aside.with_name(aside.name + suffix))
                moved.append((aside.with_name(aside.name + suffix), side))
        existed = target.exists()
        if existed:
            try:
                os.link(target, aside)
                linked = True
            except OSError:
                os.replace(target, aside)
                moved.append((aside, target))
        try:
            os.replace(staged, target)
        except OSError:
            if linked:
                aside.unlink()
            for now, before in reversed(moved):
                os.replace(now, before)
            raise
        sync_folder(target.parent)
    except OSError as exc:
        raise _os_failure(exc, target.parent) from None
    return aside if existed else None
