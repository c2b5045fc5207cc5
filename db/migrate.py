"""Schema migrations from code: revision checks, backup copy, upgrade to head.

Opening a database at head is the common case (every start, every ``stationdesk print``), so
the revisions are read from the migration files themselves and the database's revision with one
query: Alembic (a third of a second to import) is imported only to actually migrate.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

    from db.sealed import FieldCipher

MIGRATIONS_LOCATION = str(Path(__file__).resolve().parent / "migrations")
VERSIONS_DIR = Path(MIGRATIONS_LOCATION) / "versions"
VERSION_TABLE = "alembic_version"


def alembic_config() -> Config:
    """An Alembic config with no ini file, pointing at the packaged migrations."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", MIGRATIONS_LOCATION)
    return cfg


@cache
def revision_graph() -> dict[str, tuple[str, ...]]:
    """Each shipped revision and the revisions it follows, read from the migration files.

    The module-level ``revision`` and ``down_revision`` constants are read as Alembic reads
    them, without running the migrations' code: the two assignment lines, else (a value over
    several lines) the whole file with ``ast``.
    """
    graph: dict[str, tuple[str, ...]] = {}
    for path in sorted(VERSIONS_DIR.glob("*.py")):
        found = _constants(path.read_text(encoding="utf-8"), str(path))
        revision = found.get("revision")
        if not isinstance(revision, str):
            continue  # not a migration (e.g. __init__.py)
        down = found.get("down_revision")
        if down is None:
            downs: tuple[str, ...] = ()
        elif isinstance(down, str):
            downs = (down,)
        else:
            assert isinstance(down, (tuple, list)), f"{path}: down_revision {down!r}"
            downs = tuple(str(d) for d in down)
        assert revision not in graph, f"revision {revision} twice"
        graph[revision] = downs
    return graph


_CONSTANT = re.compile(r"^(revision|down_revision)\s*(?::[^=\n]*)?=\s*(.*?)\s*$", re.MULTILINE)


def _constants(source: str, name: str) -> dict[str, object]:
    """The values of the module-level ``revision`` and ``down_revision`` of a migration."""
    found: dict[str, object] = {}
    try:
        for match in _CONSTANT.finditer(source):
            found[match.group(1)] = ast.literal_eval(match.group(2))
        return found
    except (ValueError, SyntaxError):  # e.g. a tuple over several lines
        found.clear()
    for node in ast.parse(source, name).body:
        target, value = _assignment(node)
        if target in ("revision", "down_revision") and value is not None:
            found[target] = ast.literal_eval(value)
    return found


def _assignment(node: ast.stmt) -> tuple[str | None, ast.expr | None]:
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target = node.targets[0]
        return (target.id if isinstance(target, ast.Name) else None), node.value
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return node.target.id, node.value
    return None, None


def head_revision() -> str:
    """The newest revision this program knows."""
    graph = revision_graph()
    followed = {down for downs in graph.values() for down in downs}
    heads = [rev for rev in graph if rev not in followed]
    assert len(heads) == 1, f"the migrations must have exactly one head, not {heads}"
    return heads[0]


def known_revisions() -> set[str]:
    """Every revision id this program ships."""
    return set(revision_graph())


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    with engine.connect() as conn:
        if not inspect(conn).has_table(VERSION_TABLE):
            return None
        rows = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
    if len(rows) > 1:
        raise RuntimeError(f"{VERSION_TABLE} holds more than one revision: {rows}")
    return str(rows[0]) if rows else None


def upgrade_to_head(engine: Engine, cipher: FieldCipher | None = None) -> None:
    """Apply every pending migration in one transaction.

    ``cipher`` (the station key) lets the migration that seals personal data seal the rows
    already there; a database holding such rows is refused without it.
    """
    from alembic import command

    cfg = alembic_config()
    with migrating(engine) as conn:
        cfg.attributes["connection"] = conn
        cfg.attributes["cipher"] = cipher
        command.upgrade(cfg, "head")


@contextmanager
def migrating(engine: Engine) -> Iterator[Connection]:
    """A connection in one transaction for schema changes.

    On SQLite a table rebuilt by a batch migration is dropped and re-created, which foreign
    keys pointing at it forbid: they are switched off for the transaction (as SQLite's own
    procedure for schema changes says), checked before commit, and switched on again.
    """
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        raw = conn.connection.driver_connection if sqlite else None
        if raw is not None:
            raw.execute("PRAGMA foreign_keys=OFF")  # outside a transaction, or it is ignored
        try:
            with conn.begin():
                yield conn
                if sqlite:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise RuntimeError(f"foreign keys broken by the migration: {broken[:5]}")
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")


def backup_sqlite_file(db_file: Path, label: str, keep: int = 5) -> Path:
    """Copy a SQLite database (WAL included) beside itself before it is migrated.

    Uses SQLite's online backup API so a half-checkpointed WAL is copied consistently. Only the
    newest ``keep`` backups are kept.
    """
    if keep < 1:
        raise ValueError("keep must be at least 1")
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = db_file.with_name(f"{db_file.name}.bak-{stamp}-{label}")
    copy_sqlite_file(db_file, target)
    backups = sorted(db_file.parent.glob(f"{db_file.name}.bak-*"))
    for old in backups[:-keep]:
        old.unlink(missing_ok=True)
    return target


def copy_sqlite_file(source: Path, target: Path) -> None:
    """Copy with SQLite's online backup API, reading the source without changing it."""
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(str(target))
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
