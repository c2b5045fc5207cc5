"""Schema migrations from code: revision checks, backup copy, upgrade to head."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS_LOCATION = str(Path(__file__).resolve().parent / "migrations")


def alembic_config() -> Config:
    """An Alembic config with no ini file, pointing at the packaged migrations."""
    cfg = Config()
    cfg.set_main_option("script_location", MIGRATIONS_LOCATION)
    return cfg


def head_revision() -> str:
    """The newest revision this program knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    """Every revision id this program ships."""
    script = ScriptDirectory.from_config(alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade_to_head(engine: Engine) -> None:
    """Apply every pending migration in one transaction."""
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


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
