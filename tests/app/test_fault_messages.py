"""Faults a user meets at the counter come as one Chinese message, and nothing is half-written
(issue 18, items 2 and 7): another counter holding the write lock, and text the database
cannot take (NUL, other control characters, half of a character from a broken paste)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from app.core.database import BUSY_MESSAGE, UNSTORABLE_MESSAGE, Database
from app.core.errors import DatabaseBusy, ValidationError
from app.core.identity import IdType
from app.core.roles import Role
from app.services import Services
from app.visits.dto import NewVisit, VisitQuery
from db.models import AuditEvent, Visit

VALID_ID = "11010519491231002X"


def _counts(db: Database) -> tuple[int, int]:
    with db.sessions() as session:
        return (
            session.scalar(select(func.count()).select_from(Visit)) or 0,
            session.scalar(select(func.count()).select_from(AuditEvent)) or 0,
        )


@pytest.fixture
def short_wait(db: Database) -> None:
    """Wait 0.2 s for another writer instead of the program's 10 s (same path, quicker)."""
    db.engine.dispose()

    @event.listens_for(db.engine, "connect")
    def _quick(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.execute("PRAGMA busy_timeout=200")


def test_a_save_while_another_counter_holds_the_write_lock_says_so_in_chinese(
    db: Database, db_path: Path, services: Services, make_officer, short_wait: None
) -> None:  # type: ignore[no-untyped-def]
    officer = make_officer(Role.WINDOW)
    item = services.catalogue.list_items("SFZ-SL")[0].item_id
    before = _counts(db)
    other_counter = sqlite3.connect(db_path, isolation_level=None)
    other_counter.execute("BEGIN IMMEDIATE")  # another process is saving
    try:
        with pytest.raises(DatabaseBusy) as caught:
            services.visits.register(
                officer, NewVisit("张三", IdType.RESIDENT, VALID_ID, "13805710011", item)
            )
    finally:
        other_counter.execute("ROLLBACK")
        other_counter.close()
    assert caught.value.message == BUSY_MESSAGE
    assert _counts(db) == before  # nothing half-written

    # Once the other counter is done, the same registration goes through.
    services.visits.register(
        officer, NewVisit("张三", IdType.RESIDENT, VALID_ID, "13805710011", item)
    )
    assert _counts(db)[0] == before[0] + 1


@pytest.mark.parametrize(
    ("text", "position"),
    [("张\x00三", 2), ("王\ud800小明", 2), ("李\x1b四", 2), ("\x7f赵", 1)],
)
def test_a_name_with_a_character_that_cannot_be_stored_is_refused_at_its_field(
    db: Database, services: Services, make_officer, text: str, position: int
) -> None:  # type: ignore[no-untyped-def]
    officer = make_officer(Role.WINDOW)
    item = services.catalogue.list_items("SFZ-SL")[0].item_id
    before = _counts(db)
    with pytest.raises(ValidationError) as caught:
        services.visits.register(
            officer, NewVisit(text, IdType.RESIDENT, VALID_ID, "13805710011", item)
        )
    assert caught.value.field == "citizen_name"
    assert f"群众姓名第 {position} 个字符无法保存" in caught.value.message
    assert _counts(db) == before


def test_a_summary_with_a_lone_surrogate_is_refused_and_line_breaks_are_kept(
    db: Database, services: Services, make_officer
) -> None:  # type: ignore[no-untyped-def]
    officer = make_officer(Role.WINDOW)
    item = services.catalogue.list_items("SFZ-SL")[0].item_id
    with pytest.raises(ValidationError) as caught:
        services.visits.register(
            officer,
            NewVisit("张三", IdType.RESIDENT, VALID_ID, "13805710011", item, summary="丢失\udc00"),
        )
    assert caught.value.field == "summary"
    saved = services.visits.register(
        officer,
        NewVisit(
            "张三", IdType.RESIDENT, VALID_ID, "13805710011", item, summary="第一行\n\t第二行"
        ),
    )
    assert saved.summary == "第一行\n\t第二行"


def test_text_no_service_checks_is_still_refused_in_chinese_by_the_database_layer(
    db: Database, services: Services, make_officer
) -> None:  # type: ignore[no-untyped-def]
    # A name searched goes straight into a query: the driver cannot encode half a character.
    officer = make_officer(Role.WINDOW)
    with pytest.raises(ValidationError) as caught:
        services.visits.search(officer, VisitQuery(name="王\ud800"))
    assert caught.value.message == UNSTORABLE_MESSAGE
