"""Reviewed days locked by the database itself (migration 0012): triggers, whoever writes."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError

from app.core.clock import FixedClock
from app.core.database import open_database
from app.core.errors import ConflictError
from app.core.passwords import PasswordHashing
from app.demo import DEMO_PASSWORD, build_demo
from app.services import build_services
from db.migrate import alembic_config, current_revision, head_revision, migrating
from db.models import Addendum, DayReview, Visit
from tests.pg_server import PgServer, pg_server  # noqa: F401  (the fixture)

NOW = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC)  # 10:00 in Beijing
LATER = NOW + dt.timedelta(hours=1)
CHEAP = PasswordHashing(1, 1024, 1)
CHIEF = "031001"

# A locked visit (its day reviewed, registered before the review), not the one the newest
# correction is about; and one record of each kind from a reviewed day.
FACTS = {
    "visit": "SELECT v.id FROM visits v JOIN day_reviews r ON r.day = v.local_date"
    " AND v.created_at <= r.reviewed_at"
    " WHERE v.id != COALESCE((SELECT entity_id FROM addenda ORDER BY id DESC LIMIT 1), 0)"
    " ORDER BY v.id",
    "open_visit": "SELECT id FROM visits WHERE local_date NOT IN (SELECT day FROM day_reviews)"
    " ORDER BY id",
    "rating": "SELECT g.id FROM ratings g JOIN day_reviews r ON r.day = g.local_date"
    " AND g.rated_at <= r.reviewed_at ORDER BY g.id",
    "notice": "SELECT n.id FROM notices n JOIN day_reviews r ON r.day = n.local_date"
    " AND n.issued_at <= r.reviewed_at ORDER BY n.id",
    "complaint": "SELECT c.id FROM complaints c JOIN day_reviews r ON r.day = c.received_on"
    " AND c.recorded_at <= r.reviewed_at ORDER BY c.id",
    "transition": "SELECT t.id FROM visit_transitions t JOIN visits v ON v.id = t.visit_id"
    " JOIN day_reviews r ON r.day = v.local_date AND v.created_at <= r.reviewed_at"
    " AND t.at <= r.reviewed_at ORDER BY t.id",
    "open_transition": "SELECT t.id FROM visit_transitions t JOIN visits v ON v.id = t.visit_id"
    " WHERE v.local_date NOT IN (SELECT day FROM day_reviews) ORDER BY t.id",
    "ledger_signature": "SELECT id FROM signatures WHERE document_type = 'ledger' ORDER BY id",
    "rating_signature": "SELECT s.id FROM signatures s JOIN ratings g ON s.document_type ="
    " 'rating' AND g.id = s.document_id JOIN day_reviews r ON r.day = g.local_date"
    " AND g.rated_at <= r.reviewed_at ORDER BY s.id",
    "notice_signature": "SELECT s.id FROM signatures s JOIN notices n ON s.document_type ="
    " 'notice' AND n.id = s.document_id JOIN day_reviews r ON r.day = n.local_date"
    " AND n.issued_at <= r.reviewed_at ORDER BY s.id",
}

REFUSED = [
    "UPDATE visits SET citizen_name = '张四' WHERE id = {visit}",
    "UPDATE visits SET arrived_at = '2020-01-01 00:00:00.000000' WHERE id = {visit}",
    "UPDATE visits SET first_officer_id = first_officer_id + 1 WHERE id = {visit}",
    "UPDATE visits SET service_version_id = service_version_id + 1 WHERE id = {visit}",
    "UPDATE visits SET id_number = 'sd1:AAAA' WHERE id = {visit}",
    "UPDATE visits SET phone = 'sd1:AAAA' WHERE id = {visit}",
    "UPDATE visits SET local_date = '2000-01-01' WHERE id = {visit}",
    "UPDATE visits SET created_at = '2099-01-01 00:00:00.000000' WHERE id = {visit}",
    "UPDATE visits SET status = 'voided', void_reason = 'x' WHERE id = {visit}",
    "DELETE FROM visits WHERE id = {visit}",
    "DELETE FROM ratings WHERE id = {rating}",
    "DELETE FROM notices WHERE id = {notice}",
    "DELETE FROM complaints WHERE id = {complaint}",
    "DELETE FROM visit_transitions WHERE id = {transition}",
    "DELETE FROM signatures WHERE id = {ledger_signature}",
    "DELETE FROM signatures WHERE id = {rating_signature}",
    "DELETE FROM signatures WHERE id = {notice_signature}",
]
ALLOWED = [
    # The matter goes on after the review; a no-op write of a frozen field changes nothing.
    "UPDATE visits SET status = 'completed', result = '已办结', row_version = row_version + 1"
    " WHERE id = {visit}",
    "UPDATE visits SET citizen_name = citizen_name WHERE id = {visit}",
    # A day nobody has reviewed yet is the app's business alone.
    "UPDATE visits SET citizen_name = '张四' WHERE id = {open_visit}",
    "DELETE FROM visit_transitions WHERE id = {open_transition}",
]


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo station whose first days are reviewed (one with a correction)."""
    path = tmp_path_factory.mktemp("locked") / "demo.sqlite3"
    db = open_database(path)
    try:
        build_demo(db.sessions, days=5, now=NOW, hashing=CHEAP)
    finally:
        db.dispose()
    return path


@pytest.fixture
def demo(demo_file: Path, tmp_path: Path) -> Path:
    """A private copy a test may change."""
    copy = tmp_path / "demo.sqlite3"
    shutil.copy2(demo_file, copy)
    return copy


def facts(con: sqlite3.Connection) -> dict[str, int]:
    found = {}
    for name, sql in FACTS.items():
        row = con.execute(sql).fetchone()
        assert row is not None, f"the demo has no {name}"
        found[name] = row[0]
    return found


@pytest.mark.parametrize("statement", REFUSED)
def test_the_database_refuses_changing_a_reviewed_days_records_by_hand(
    demo: Path, statement: str
) -> None:
    con = sqlite3.connect(demo)  # as the sqlite3 shell: no foreign keys, no application
    try:
        sql = statement.format(**facts(con))
        table = sql.split()[2] if sql.startswith("DELETE") else "visits"
        before = con.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()

        with pytest.raises(sqlite3.DatabaseError, match="of a reviewed day are locked"):
            con.execute(sql)
        con.rollback()

        assert con.execute(f"SELECT * FROM {table} ORDER BY id").fetchall() == before
    finally:
        con.close()


@pytest.mark.parametrize("statement", ALLOWED)
def test_the_database_lets_the_day_go_on_and_leaves_unreviewed_days_alone(
    demo: Path, statement: str
) -> None:
    con = sqlite3.connect(demo)
    try:
        cursor = con.execute(statement.format(**facts(con)))
        assert cursor.rowcount == 1
        con.commit()
    finally:
        con.close()


def test_a_raw_update_of_a_locked_visits_name_is_refused_by_the_database(demo: Path) -> None:
    con = sqlite3.connect(demo)
    try:
        visit = facts(con)["visit"]
        (name,) = con.execute("SELECT citizen_name FROM visits WHERE id = ?", (visit,)).fetchone()

        with pytest.raises(sqlite3.IntegrityError, match="visits of a reviewed day are locked"):
            con.execute("UPDATE visits SET citizen_name = '张四' WHERE id = ?", (visit,))
        con.rollback()

        assert con.execute("SELECT citizen_name FROM visits WHERE id = ?", (visit,)).fetchone() == (
            name,
        )
    finally:
        con.close()


def test_the_correction_writes_its_addendum_first_and_only_it_gets_through(demo: Path) -> None:
    db = open_database(demo)
    try:
        services = build_services(db.sessions, FixedClock(LATER), CHEAP)
        chief = services.auth.login(CHIEF, DEMO_PASSWORD)
        with db.sessions() as session:
            first, second = session.scalars(
                select(Visit.id)
                .join(DayReview, DayReview.day == Visit.local_date)
                .where(Visit.created_at <= DayReview.reviewed_at)
                .order_by(Visit.id)
                .limit(2)
            ).all()
        # The service says no in Chinese before the database is asked.
        owner = services.auth.login(badge_of_owner(db.engine, first), DEMO_PASSWORD)
        version = services.visits.get(owner, first).row.row_version
        with pytest.raises(ConflictError, match="审核锁定"):
            services.visits.void(owner, first, version, "误登")

        row = services.ledger.correct(chief, first, "citizen_name", "王更正", "姓名录入错误")

        assert services.visits.get(chief, first).row.citizen_name == "王更正"
        with db.sessions() as session:
            newest = session.scalars(select(Addendum).order_by(Addendum.id.desc())).first()
            assert newest is not None
            assert (newest.number, newest.entity_id) == (row.number, first)
        # Only while its addendum is the newest: after one about another visit, no longer.
        services.ledger.correct(chief, second, "summary", "群众补充说明", "漏记群众诉求")
        with (
            pytest.raises(DBAPIError, match="visits of a reviewed day are locked"),
            db.engine.begin() as conn,
        ):
            conn.execute(
                text("UPDATE visits SET citizen_name = '张四' WHERE id = :v"), {"v": first}
            )
        assert services.visits.get(chief, first).row.citizen_name == "王更正"
    finally:
        db.dispose()


def test_reviews_made_before_0012_keep_their_rows_and_their_frozen_triggers(demo: Path) -> None:
    db = open_database(demo)
    cfg = alembic_config()
    try:
        with db.engine.connect() as conn:
            before = conn.execute(text("SELECT id, day, content_sha256 FROM day_reviews")).all()
        with migrating(db.engine) as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0011")
        assert current_revision(db.engine) == "0011"
        assert not _triggers(db.engine, "%_locked_%")
        assert _triggers(db.engine, "day_reviews_%") == {
            "day_reviews_no_update",
            "day_reviews_no_delete",
        }

        with migrating(db.engine) as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

        assert current_revision(db.engine) == head_revision()
        with db.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT id, day, content_sha256, audit_head_id, audit_head_hash"
                    " FROM day_reviews"
                )
            ).all()
        assert rows == [(*r, 0, "") for r in before]
        with pytest.raises(DBAPIError, match="frozen"), db.engine.begin() as conn:
            conn.execute(text("UPDATE day_reviews SET audit_head_id = 1"))
        assert "visits_locked_update" in _triggers(db.engine, "%_locked_%")
    finally:
        db.dispose()


def badge_of_owner(engine: Engine, visit_id: int) -> str:
    with engine.connect() as conn:
        return str(
            conn.execute(
                text(
                    "SELECT o.badge_no FROM officers o JOIN visits v ON v.owner_id = o.id"
                    " WHERE v.id = :v"
                ),
                {"v": visit_id},
            ).scalar_one()
        )


def _triggers(engine: Engine, pattern: str) -> set[str]:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE :p"),
            {"p": pattern},
        )
        return {r[0] for r in rows}


def test_postgresql_refuses_the_same_and_lets_the_correction_through(
    pg_server: PgServer,  # noqa: F811  (the fixture)
) -> None:
    url = pg_server.new_database("locked")
    db = open_database(url)
    try:
        build_demo(db.sessions, days=5, now=NOW, hashing=CHEAP)
        with db.engine.connect() as conn:
            found = {}
            for name, sql in FACTS.items():
                found[name] = conn.execute(text(sql)).scalar()
        for statement in REFUSED:
            with (
                pytest.raises(DBAPIError, match="of a reviewed day are locked"),
                db.engine.begin() as conn,
            ):
                conn.execute(text(statement.format(**found)))
        for statement in ALLOWED:
            with db.engine.begin() as conn:
                assert conn.execute(text(statement.format(**found))).rowcount == 1
        services = build_services(db.sessions, FixedClock(LATER), CHEAP)
        chief = services.auth.login(CHIEF, DEMO_PASSWORD)
        services.ledger.correct(chief, found["visit"], "citizen_name", "王更正", "姓名录入错误")
        assert services.visits.get(chief, found["visit"]).row.citizen_name == "王更正"
    finally:
        db.dispose()
