"""Alembic migrations: head matches the models, re-runs change nothing, audit rows stay put."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DBAPIError

from app.core.database import Database, open_database
from app.core.dto import SessionUser
from app.core.errors import DatabaseProblem
from db import models  # noqa: F401  (registers every table on Base.metadata)
from db.base import Base
from db.engine import make_engine
from db.migrate import (
    _constants,
    alembic_config,
    backup_sqlite_file,
    current_revision,
    head_revision,
    known_revisions,
    revision_graph,
    upgrade_to_head,
)

GENESIS = "0" * 64


# Append-only audit, frozen notice content and signatures: refused in the database itself.
FROZEN_TRIGGERS = {
    "audit_events_no_update",
    "audit_events_no_delete",
    "audit_seals_no_update",
    "audit_seals_no_delete",
    "notices_content_frozen",
    "signatures_frozen",
    "day_reviews_no_update",
    "day_reviews_no_delete",
    "addenda_no_update",
    "addenda_no_delete",
    # Reviewed days (0012): a locked visit's registration, and the day's records, by hand too.
    "visits_locked_update",
    "visits_locked_delete",
    "ratings_locked_delete",
    "notices_locked_delete",
    "complaints_locked_delete",
    "visit_transitions_locked_delete",
    "signatures_locked_delete",
}


@pytest.fixture
def engine(tmp_path: Path):  # type: ignore[no-untyped-def]
    """An engine over an empty SQLite file, with the application's pragmas."""
    eng = make_engine(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    yield eng
    eng.dispose()


def schema_diff(engine: Engine) -> list[object]:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def trigger_names(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
        return {row[0] for row in rows}


def backups_of(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f"{path.name}.bak-*"))


def downgrade_to_base(engine: Engine) -> None:
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")


def test_upgrading_an_empty_database_yields_exactly_the_models_schema(engine: Engine) -> None:
    assert current_revision(engine) is None

    upgrade_to_head(engine)

    assert current_revision(engine) == head_revision()
    assert schema_diff(engine) == []
    tables = set(inspect(engine).get_table_names())
    assert tables == set(Base.metadata.tables) | {"alembic_version"}
    assert trigger_names(engine) == FROZEN_TRIGGERS
    with engine.connect() as conn:
        head = conn.execute(text("SELECT id, last_id, last_hash FROM audit_head")).all()
    assert head == [(1, 0, GENESIS)]


def test_opening_a_database_at_head_again_changes_nothing(
    db: Database, db_path: Path, chief: SessionUser
) -> None:
    with db.engine.connect() as conn:
        officers = conn.execute(text("SELECT id, badge_no, password_hash FROM officers")).all()
        events = conn.execute(text("SELECT id, hash FROM audit_events ORDER BY id")).all()
    db.dispose()

    again = open_database(db_path)
    try:
        assert again.backup is None
        assert current_revision(again.engine) == head_revision()
        with again.engine.connect() as conn:
            assert conn.execute(text("SELECT id, badge_no, password_hash FROM officers")).all() == (
                officers
            )
            assert (
                conn.execute(text("SELECT id, hash FROM audit_events ORDER BY id")).all() == events
            )
            assert conn.execute(text("SELECT name FROM stations")).scalar_one() == (
                "测试市公安局测试分局和平路派出所"
            )
    finally:
        again.dispose()
    assert backups_of(db_path) == []


def test_downgrading_to_base_then_upgrading_again_rebuilds_the_schema(engine: Engine) -> None:
    upgrade_to_head(engine)

    downgrade_to_base(engine)

    assert current_revision(engine) is None
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    assert trigger_names(engine) == set()

    upgrade_to_head(engine)

    assert current_revision(engine) == head_revision()
    assert schema_diff(engine) == []
    assert trigger_names(engine) == FROZEN_TRIGGERS
    with engine.connect() as conn:
        assert conn.execute(text("SELECT last_id, last_hash FROM audit_head")).one() == (
            0,
            GENESIS,
        )


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET after_json = '{\"forged\":true}' WHERE id = 1",
        "UPDATE audit_events SET hash = prev_hash",
        "DELETE FROM audit_events WHERE id = 1",
        "DELETE FROM audit_events",
    ],
)
def test_audit_events_refuse_update_and_delete_in_raw_sqlite(
    db: Database, db_path: Path, chief: SessionUser, statement: str
) -> None:
    db.dispose()
    con = sqlite3.connect(db_path)
    try:
        before = con.execute("SELECT * FROM audit_events ORDER BY id").fetchall()
        assert before, "the chief fixture writes audit events"

        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            con.execute(statement)
        con.rollback()

        assert con.execute("SELECT * FROM audit_events ORDER BY id").fetchall() == before
    finally:
        con.close()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET action = 'forged' WHERE id = 2",
        "DELETE FROM audit_events WHERE id = 2",
    ],
)
def test_audit_events_refuse_update_and_delete_through_sqlalchemy(
    db: Database, chief: SessionUser, statement: str
) -> None:
    with db.engine.connect() as conn:
        before = conn.execute(text("SELECT * FROM audit_events ORDER BY id")).all()

    with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
        conn.execute(text(statement))

    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT * FROM audit_events ORDER BY id")).all() == before


def test_a_database_from_a_newer_version_is_refused_and_left_unchanged(
    db: Database, db_path: Path, chief: SessionUser
) -> None:
    db.dispose()
    con = sqlite3.connect(db_path)
    con.execute("UPDATE alembic_version SET version_num = 'ffff9999'")
    con.commit()
    con.close()
    original = db_path.read_bytes()

    with pytest.raises(DatabaseProblem) as caught:
        open_database(db_path)

    assert "更新版本" in caught.value.message
    assert "ffff9999" in caught.value.message
    assert db_path.read_bytes() == original
    assert backups_of(db_path) == []
    con = sqlite3.connect(db_path)
    try:
        assert con.execute("SELECT version_num FROM alembic_version").fetchall() == [("ffff9999",)]
    finally:
        con.close()


def test_backup_copy_of_a_live_database_opens_with_the_same_rows(
    db: Database, db_path: Path, chief: SessionUser
) -> None:
    # The engine stays open: recent commits may still sit in the WAL, and must be in the copy.
    with db.engine.connect() as conn:
        officers = conn.execute(text("SELECT * FROM officers ORDER BY id")).all()
        events = conn.execute(text("SELECT * FROM audit_events ORDER BY id")).all()
        items = conn.execute(text("SELECT count(*) FROM service_items")).scalar_one()

    backup = backup_sqlite_file(db_path, "before-test")

    assert backup.parent == db_path.parent
    assert backup.name.startswith(f"{db_path.name}.bak-")
    assert backup.name.endswith("-before-test")
    con = sqlite3.connect(backup)
    try:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert con.execute("SELECT * FROM officers ORDER BY id").fetchall() == [
            tuple(row) for row in officers
        ]
        assert con.execute("SELECT * FROM audit_events ORDER BY id").fetchall() == [
            tuple(row) for row in events
        ]
        assert con.execute("SELECT count(*) FROM service_items").fetchone() == (items,)
        assert con.execute("SELECT version_num FROM alembic_version").fetchone() == (
            head_revision(),
        )
    finally:
        con.close()


def test_backup_keeps_only_the_newest_copies(db: Database, db_path: Path) -> None:
    old = [db_path.with_name(f"{db_path.name}.bak-2020010{i}-000000-old") for i in range(1, 7)]
    for path in old:
        path.write_bytes(b"old backup")
    unrelated = db_path.with_name("other.sqlite3.bak-20200101-000000-old")
    unrelated.write_bytes(b"someone else's backup")

    newest = backup_sqlite_file(db_path, "new", keep=3)

    assert backups_of(db_path) == [old[-2], old[-1], newest]
    assert newest.exists()
    assert unrelated.exists()
    assert db_path.exists()


def test_the_revisions_read_from_the_files_are_alembic_s() -> None:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    alembic_graph: dict[str, tuple[str, ...]] = {}
    for rev in script.walk_revisions():
        down = rev.down_revision
        alembic_graph[rev.revision] = (
            () if down is None else (down,) if isinstance(down, str) else tuple(down)
        )

    assert revision_graph() == alembic_graph
    assert head_revision() == script.get_current_head()
    assert known_revisions() == set(alembic_graph)


def test_revision_constants_are_read_in_every_form() -> None:
    source = (
        '"""A migration."""\n'
        "from alembic import op\n"
        "revision: str = '0042'\n"
        "down_revision = (\n    '0040',\n    '0041',\n)\n"
        "def upgrade() -> None:\n    revision = 'not this one'\n"
    )

    assert _constants(source, "m.py") == {"revision": "0042", "down_revision": ("0040", "0041")}
    assert _constants("revision = '0001'\ndown_revision = None\n", "m.py") == {
        "revision": "0001",
        "down_revision": None,
    }


def test_an_empty_version_table_is_no_revision(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))

    assert current_revision(engine) is None
