"""A numbering counter set behind the numbers used (issue 18, item 6).

Someone edits the file or a restore goes wrong and a counter ends up below the highest number
already given. Before, every registration of that kind then failed for good on the UNIQUE
constraint with a raw IntegrityError, and ``stationdesk check`` called the file sound. Now the
service moves the counter forward (never back, so no number is given twice) with an audit
event, and the check names the counter.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.complaints.service import NewComplaint
from app.core.database import Database
from app.core.dto import SessionUser
from app.core.identity import IdType
from app.core.roles import Role
from app.integrity.service import check_database
from app.services import Services
from app.visits.dto import NewVisit
from db.models import Complaint, Counter, Visit
from tests.conftest import StatementCounter

YEAR = 2025  # the test clock's year


def _sql(path: Path, statement: str, *params: object) -> None:
    """Change the file as the sqlite3 shell would, behind the application's back."""
    con = sqlite3.connect(path)
    try:
        con.execute(statement, params)
        con.commit()
    finally:
        con.close()


def _set_counter(path: Path, kind: str, last: int) -> None:
    _sql(path, "UPDATE counters SET last_no = ? WHERE kind = ? AND year = ?", last, kind, YEAR)


@pytest.fixture
def officer(make_officer: Callable[..., SessionUser]) -> SessionUser:
    return make_officer(Role.WINDOW, "李明")


@pytest.fixture
def register(services: Services, officer: SessionUser) -> Callable[[], str]:
    """Register a walk-in; its serial."""
    item = services.catalogue.list_items()[0].item_id

    def run() -> str:
        new = NewVisit("陈静", IdType.RESIDENT, "11010519491231002X", "13800138000", item)
        return services.visits.register(officer, new).row.serial

    return run


def _serials(db: Database) -> list[str]:
    with db.sessions() as session:
        return list(session.scalars(select(Visit.serial).order_by(Visit.id)))


def _counter(db: Database, kind: str) -> int | None:
    with db.sessions() as session:
        counter = session.get(Counter, (kind, YEAR))
        return None if counter is None else counter.last_no


def _repairs(audit_log: Callable[[], list[dict[str, Any]]]) -> list[dict[str, Any]]:
    return [e for e in audit_log() if e["action"] == "counter_repaired"]


def test_a_visit_counter_set_back_moves_forward_without_reusing_a_number(
    db: Database,
    db_path: Path,
    register: Callable[[], str],
    audit_log: Callable[[], list[dict[str, Any]]],
) -> None:
    used = [register() for _ in range(3)]
    assert used == [f"HPL-{YEAR}-00000{n}" for n in (1, 2, 3)]
    _set_counter(db_path, "visit", 1)

    fourth = register()
    fifth = register()

    assert (fourth, fifth) == (f"HPL-{YEAR}-000004", f"HPL-{YEAR}-000005")
    serials = _serials(db)
    assert len(serials) == len(set(serials)) == 5
    assert _counter(db, "visit") == 5
    repaired = _repairs(audit_log)
    assert len(repaired) == 1  # once: the counter is sound after the first repair
    assert repaired[0] | {"id": None} == {
        "id": None,
        "officer_id": None,
        "action": "counter_repaired",
        "entity_type": "counter",
        "entity_id": f"visit:{YEAR}",
        "before": {"last": 1},
        "after": {"last": 3},
    }
    # In the registration's own transaction, just before its event.
    actions = [e["action"] for e in audit_log()]
    assert actions[-3:-1] == ["counter_repaired", "visit_registered"]


def test_a_deleted_counter_row_starts_again_after_the_numbers_used(
    db: Database,
    db_path: Path,
    register: Callable[[], str],
    audit_log: Callable[[], list[dict[str, Any]]],
) -> None:
    register()
    register()
    _sql(db_path, "DELETE FROM counters WHERE kind = 'visit'")

    assert register() == f"HPL-{YEAR}-000003"
    assert _counter(db, "visit") == 3
    [repair] = _repairs(audit_log)
    assert (repair["entity_id"], repair["before"], repair["after"]) == (
        f"visit:{YEAR}",
        {"last": 0},
        {"last": 2},
    )


def test_a_complaint_counter_set_back_moves_forward_too(
    db: Database,
    db_path: Path,
    services: Services,
    officer: SessionUser,
    make_officer: Callable[..., SessionUser],
    audit_log: Callable[[], list[dict[str, Any]]],
) -> None:
    about = make_officer(Role.WINDOW, "张伟")

    def record() -> str:
        new = NewComplaint(
            kind="complaint",
            channel="12345",
            received_on=dt.date(YEAR, 9, 29),
            content="办理居住证明时民警态度生硬",
            complainant_name="王小明",
            complainant_phone="13805710011",
            officer_id=about.officer_id,
        )
        return services.complaints.record(officer, new).number

    record()
    record()
    _set_counter(db_path, "complaint", 0)

    assert record() == f"HPL-TS-{YEAR}-00003"
    with db.sessions() as session:
        numbers = list(session.scalars(select(Complaint.number)))
    assert len(numbers) == len(set(numbers)) == 3
    [repair] = _repairs(audit_log)
    assert (repair["entity_id"], repair["before"], repair["after"]) == (
        f"complaint:{YEAR}",
        {"last": 0},
        {"last": 2},
    )


def test_check_names_a_counter_behind_and_is_sound_again_after_the_repair(
    db: Database, db_path: Path, register: Callable[[], str]
) -> None:
    for _ in range(3):
        register()
    sound = check_database(db)
    assert sound.ok, "\n".join(sound.lines)
    assert "编号计数器：1 个与已用编号一致" in sound.lines

    _set_counter(db_path, "visit", 1)
    behind = check_database(db)

    assert not behind.ok
    text = "\n".join(behind.lines)
    assert "编号计数器：共 1 个，1 个落后于已用编号（逐条见下）" in behind.lines, text
    [line] = [line for line in behind.lines if "办事登记编号" in line]
    assert f"{YEAR} 年办事登记编号计数器为 1，但已用到第 3 号" in line
    assert "从第 4 号接着编" in line and "不会重复" in line

    register()
    again = check_database(db)
    assert again.ok, "\n".join(again.lines)


def test_check_names_a_missing_counter_row_of_numbers_used(
    db: Database, db_path: Path, register: Callable[[], str]
) -> None:
    register()
    _sql(db_path, "DELETE FROM counters")

    report = check_database(db)

    assert not report.ok
    [line] = [line for line in report.lines if "办事登记编号" in line]
    assert f"{YEAR} 年办事登记编号计数器缺失，但已用到第 1 号" in line


def test_the_counter_and_its_highest_number_are_read_in_the_one_statement_of_before(
    db: Database, register: Callable[[], str], sql: StatementCounter
) -> None:
    register()  # the year's first: the counter row exists from here on

    with sql:
        register()

    touching = [s for s in sql.statements if "counters" in s]
    assert len(touching) == 2, "\n".join(touching)  # read (with the highest used), then write
    read, write = touching
    assert read.lstrip().startswith("SELECT") and "max(visits.seq)" in read
    assert write.lstrip().startswith("UPDATE counters")
    assert not [s for s in sql.statements if "max(" in s and "counters" not in s]
