"""The audit chain: gap-free ids, linked hashes, and tampering found by the integrity check."""

from __future__ import annotations

import datetime as dt
import itertools
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from app.core import audit
from app.core.audit import GENESIS_HASH, event_hash, verify_chain
from app.core.database import Database
from app.core.dto import SessionUser
from app.core.errors import ValidationError
from app.core.roles import Role
from app.integrity.dto import CheckReport
from app.integrity.service import check_database
from app.officers.dto import NewOfficer
from app.services import Services
from db.models import AuditEvent, AuditHead
from tests.conftest import TEST_PASSWORD


@pytest.fixture
def history(db: Database, services: Services, chief: SessionUser) -> int:
    """A few use cases' worth of audit events; returns how many events there are."""
    row = services.officers.add_officer(
        chief, NewOfficer("300001", "张伟", Role.WINDOW, TEST_PASSWORD)
    )
    services.auth.login("300001", TEST_PASSWORD)
    services.officers.set_active(chief, row.id, False)
    services.holidays.set_days(chief, dt.date(2027, 1, 1), dt.date(2027, 1, 2), False, "元旦")
    with db.sessions() as session:
        return int(session.scalar(select(AuditHead.last_id)) or 0)


def raw_sql(db_path: Path, *statements: str) -> None:
    """Run statements on the file directly, as someone with a SQLite shell would."""
    con = sqlite3.connect(db_path)
    try:
        for statement in statements:
            con.execute(statement)
        con.commit()
    finally:
        con.close()


def broken(report: CheckReport) -> str:
    assert not report.ok
    [line] = [line for line in report.lines if line.startswith("审计链")]
    return line


def test_events_are_numbered_without_gaps_and_each_links_to_the_previous(
    db: Database, history: int
) -> None:
    with db.sessions() as session:
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        head = session.get(AuditHead, 1)
        key = audit.audit_key_of(session)

    # initialised, catalogue seeded, officer added, login, deactivated, two holidays
    assert history == 7
    assert [e.id for e in events] == list(range(1, history + 1))
    assert events[0].prev_hash == GENESIS_HASH
    for previous, event in itertools.pairwise(events):
        assert event.prev_hash == previous.hash
    for event in events:
        assert event.hash == event_hash(
            event_id=event.id,
            at=event.at,
            officer_id=event.officer_id,
            action=event.action,
            entity_type=event.entity_type,
            entity_id=event.entity_id,
            before_json=event.before_json,
            after_json=event.after_json,
            prev_hash=event.prev_hash,
            seals=event.seals,
            key=key,
        )
    assert head is not None and key is not None
    assert head.keyed_from == 1  # a new file's chain is keyed from its first event
    assert (head.last_id, head.last_hash) == (events[-1].id, events[-1].hash)
    assert all(e.at.tzinfo is not None for e in events)


def test_a_failed_use_case_leaves_no_hole_in_the_numbering(
    db: Database, services: Services, chief: SessionUser, history: int
) -> None:
    with pytest.raises(ValidationError) as refused:
        services.officers.add_officer(chief, NewOfficer("300001", "重复", Role.WINDOW, "Start2026"))
    assert refused.value.field == "badge_no"
    services.holidays.remove_day(chief, dt.date(2027, 1, 1))

    with db.sessions() as session:
        ids = list(session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))
    assert ids == list(range(1, history + 2))


def test_a_sound_database_passes_the_check(db: Database, history: int) -> None:
    report = check_database(db)

    assert report.ok
    assert f"审计链：完整，共 {history} 条事件" in report.lines
    storage = "存储完整性：正常" if db.file else "存储完整性：数据库服务器自行保证，已跳过文件检查"
    assert storage in report.lines
    assert any(line.startswith("结构版本") and "最新" in line for line in report.lines)


@pytest.mark.parametrize("k", [1, 4, 7])
def test_an_altered_event_is_found_and_named(
    db: Database, db_path: Path, history: int, k: int
) -> None:
    raw_sql(
        db_path,
        "DROP TRIGGER audit_events_no_update",
        f"UPDATE audit_events SET after_json = '{{\"forged\":true}}' WHERE id = {k}",
    )

    line = broken(check_database(db))

    assert f"第 {k} 号" in line
    assert "被改动" in line


def test_an_altered_event_with_a_recomputed_hash_breaks_the_next_link(
    db: Database, db_path: Path, history: int
) -> None:
    k = 3
    with db.sessions() as session:
        event = session.get(AuditEvent, k)
        assert event is not None
        forged = event_hash(
            event_id=event.id,
            at=event.at,
            officer_id=event.officer_id,
            action="forged",
            entity_type=event.entity_type,
            entity_id=event.entity_id,
            before_json=event.before_json,
            after_json=event.after_json,
            prev_hash=event.prev_hash,
            seals=event.seals,
            key=audit.audit_key_of(session),
        )
    raw_sql(
        db_path,
        "DROP TRIGGER audit_events_no_update",
        f"UPDATE audit_events SET action = 'forged', hash = '{forged}' WHERE id = {k}",
    )

    line = broken(check_database(db))

    assert f"第 {k + 1} 号" in line


def test_deleting_the_last_event_is_found(db: Database, db_path: Path, history: int) -> None:
    raw_sql(
        db_path,
        "DROP TRIGGER audit_events_no_delete",
        f"DELETE FROM audit_events WHERE id = {history}",
    )

    line = broken(check_database(db))

    assert f"第 {history} 号" in line


@pytest.mark.parametrize("k", [1, 5])
def test_deleting_an_earlier_event_is_found(
    db: Database, db_path: Path, history: int, k: int
) -> None:
    raw_sql(
        db_path, "DROP TRIGGER audit_events_no_delete", f"DELETE FROM audit_events WHERE id = {k}"
    )

    line = broken(check_database(db))

    assert f"第 {k} 号" in line
    assert "缺少" in line


def test_the_verdict_names_the_first_broken_event(
    db: Database, db_path: Path, history: int
) -> None:
    raw_sql(
        db_path,
        "DROP TRIGGER audit_events_no_update",
        "UPDATE audit_events SET entity_id = 'x' WHERE id IN (6, 2)",
    )

    with db.sessions() as session:
        verdict = verify_chain(session, batch=3)  # the walk spans several batches

    assert (verdict.ok, verdict.first_broken) == (False, 2)


def test_the_chain_is_verified_across_batches(db: Database, history: int) -> None:
    with db.sessions() as session:
        verdict = verify_chain(session, batch=3)

    assert (verdict.ok, verdict.events, verdict.first_broken) == (True, history, None)


def test_a_change_whose_audit_event_fails_is_not_saved_either(
    db: Database, services: Services, chief: SessionUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The audit event is written in the change's own transaction: no event, no change."""

    def broken_record(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit, "record", broken_record)
    with pytest.raises(RuntimeError):
        services.officers.add_officer(chief, NewOfficer("300999", "刘洋", Role.WINDOW, "Start2026"))
    with pytest.raises(RuntimeError):
        services.holidays.set_days(chief, dt.date(2027, 1, 1), dt.date(2027, 1, 3), False, "元旦")

    monkeypatch.undo()
    assert all(o.badge_no != "300999" for o in services.officers.list_officers(chief))
    assert services.holidays.list_overrides(2027) == []
