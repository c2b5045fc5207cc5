"""A year's schedule: the shipped file, the warning before a new year, save-and-confirm."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app.core.clock import FixedClock
from app.core.database import Database
from app.core.dto import SessionUser
from app.core.errors import PermissionDenied, ValidationError
from app.core.roles import Role
from app.core.workdays import (
    LIBRARY_FIRST_YEAR,
    LIBRARY_LAST_YEAR,
    PublishedYear,
    ScheduleDay,
    WorkingDayCalendar,
    library_special_days,
    load_published,
    shipped_schedules,
)
from app.holidays.notice import parse_notice
from app.holidays.service import HolidayService
from app.services import Services
from db.models import CalendarYear, HolidayOverride

AuditLog = Callable[[], list[dict[str, Any]]]
Count = Callable[[type], int]
D = dt.date
NEXT = LIBRARY_LAST_YEAR + 1  # the first year the installed chinesecalendar does not know
FILE_YEAR = 2031  # a year only the temporary data file of these tests holds

# Invented for the tests only — NOT the State Council's 2027 schedule, which must be taken from
# the official notice once it is published.
SAMPLE_2027 = """国务院办公厅关于2027年部分节假日安排的通知（测试样例，并非正式通知）
现将2027年元旦、春节放假调休日期的具体安排通知如下。
一、元旦：1月1日（周五）至3日（周日）放假，共3天。
二、春节：2月5日（周五）至11日（周四）放假调休，共7天。2月20日（周六）上班。
国务院办公厅
2026年11月20日
"""
needs_unknown_2027 = pytest.mark.skipif(
    LIBRARY_LAST_YEAR >= 2027, reason="chinesecalendar knows 2027: move the sample on a year"
)


def write_file(tmp_path: Path, years: list[dict[str, Any]]) -> Path:
    path = tmp_path / "holidays.json"
    path.write_text(json.dumps({"about": "test", "years": years}, ensure_ascii=False), "utf-8")
    return path


def file_year(**changes: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "year": FILE_YEAR,
        "title": f"国务院办公厅关于{FILE_YEAR}年部分节假日安排的通知",
        "issued": f"{FILE_YEAR - 1}-11-10",
        "holidays": [
            {"day": f"{FILE_YEAR}-01-01", "name": "元旦"},  # a Wednesday
            {"day": f"{FILE_YEAR}-01-02", "name": "元旦"},
            {"day": f"{FILE_YEAR}-01-03", "name": "元旦"},
        ],
        "workdays": [{"day": f"{FILE_YEAR}-01-04", "name": "元旦调休"}],  # a Saturday
    }
    entry.update(changes)
    return entry


@pytest.fixture
def published(tmp_path: Path) -> dict[int, PublishedYear]:
    return load_published(write_file(tmp_path, [file_year()]))


# --- the shipped file ---------------------------------------------------------------------


def test_the_shipped_file_loads_and_agrees_with_the_library_where_both_know_a_year() -> None:
    shipped = shipped_schedules()

    for year, schedule in shipped.items():
        assert schedule.year == year and str(year) in schedule.title
        if LIBRARY_FIRST_YEAR <= year <= LIBRARY_LAST_YEAR:
            library = {(d, w) for d, w, _ in library_special_days(year)}
            assert {(d.day, d.is_workday) for d in schedule.days if d.day.year == year} == library


def test_a_year_in_the_data_file_is_known_and_counted_from_it(
    published: dict[int, PublishedYear],
) -> None:
    schedule = published[FILE_YEAR]
    assert schedule.issued == D(FILE_YEAR - 1, 11, 10)
    assert [d.day.day for d in schedule.days] == [1, 2, 3, 4]
    calendar = WorkingDayCalendar(published=published)
    bare = WorkingDayCalendar(published={})

    assert calendar.knows_year(FILE_YEAR) and not bare.knows_year(FILE_YEAR)
    assert not calendar.is_workday(D(FILE_YEAR, 1, 1))  # Wednesday, 元旦
    assert calendar.is_workday(D(FILE_YEAR, 1, 4))  # Saturday, make-up working day
    assert calendar.is_workday(D(FILE_YEAR, 1, 6))  # an ordinary Monday
    assert not calendar.is_workday(D(FILE_YEAR, 1, 5))  # an ordinary Sunday
    result = calendar.add_working_days(D(FILE_YEAR - 1, 12, 31), 1)
    assert result.due == D(FILE_YEAR, 1, 4)
    assert result.assumed_years == ()
    assert bare.add_working_days(D(FILE_YEAR - 1, 12, 31), 1).due == D(FILE_YEAR, 1, 1)


def test_a_station_override_wins_over_the_data_file(
    published: dict[int, PublishedYear],
) -> None:
    calendar = WorkingDayCalendar({D(FILE_YEAR, 1, 2): True}, published=published)

    assert calendar.is_workday(D(FILE_YEAR, 1, 2))
    assert not calendar.is_workday(D(FILE_YEAR, 1, 3))


def test_the_service_lists_and_counts_a_year_of_the_data_file(
    db: Database,
    clock: FixedClock,
    chief: SessionUser,
    published: dict[int, PublishedYear],
) -> None:
    holidays = HolidayService(db.sessions, clock, published)

    assert holidays.coverage().published_years == (FILE_YEAR,)
    assert holidays.coverage().knows(FILE_YEAR)
    rows = holidays.list_year(FILE_YEAR)
    assert [(r.day.day, r.is_workday, r.station_entered) for r in rows] == [
        (1, False, False),
        (2, False, False),
        (3, False, False),
        (4, True, False),
    ]
    assert not holidays.calendar().is_workday(D(FILE_YEAR, 1, 1))
    with pytest.raises(ValidationError, match="内置日历"):
        holidays.set_year_confirmed(chief, FILE_YEAR, True)
    # Known from the file: warned about the year after it, not about it.
    assert holidays.calendar_warning(chief, D(FILE_YEAR - 1, 11, 20)) != ""  # that year unknown
    assert f"{FILE_YEAR + 1}年" in holidays.calendar_warning(chief, D(FILE_YEAR, 11, 1))
    assert f"{FILE_YEAR}年" not in holidays.calendar_warning(chief, D(FILE_YEAR, 11, 1))


@pytest.mark.parametrize(
    "change",
    [
        {"title": "国务院办公厅关于部分节假日安排的通知"},
        {"holidays": [{"day": "2035-01-01", "name": "元旦"}]},
        {"holidays": []},
        {"workdays": [{"day": f"{FILE_YEAR}-01-01", "name": "元旦调休"}]},
        {"holidays": [{"day": f"{FILE_YEAR}-01-01", "name": ""}]},
    ],
    ids=["title_without_year", "far_day", "no_holiday", "listed_twice", "no_name"],
)
def test_a_malformed_data_file_is_refused(tmp_path: Path, change: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        load_published(write_file(tmp_path, [file_year(**change)]))


def test_a_year_listed_twice_in_the_data_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        load_published(write_file(tmp_path, [file_year(), file_year()]))


# --- the warning --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "warned"),
    [
        (Role.ADMIN, True),
        (Role.CHIEF, True),
        (Role.DEPUTY, True),
        (Role.WINDOW, False),
        (Role.AUXILIARY, False),
    ],
)
def test_only_the_administrator_chief_and_deputy_are_warned(
    services: Services, make_officer, role: Role, warned: bool
) -> None:  # type: ignore[no-untyped-def]
    user = make_officer(role, "测试人")

    text = services.holidays.calendar_warning(user, D(LIBRARY_LAST_YEAR, 12, 2))

    assert bool(text) == warned
    if warned:
        assert text.startswith(f"{NEXT}年节假日安排尚未录入并确认")
        assert "周一至周五" in text and "节假日设置" in text
    if role is Role.DEPUTY:
        assert "提醒所长或系统管理员" in text  # the deputy may not enter the schedule
    elif warned:
        assert "粘贴国务院办公厅通知" in text


@pytest.mark.parametrize(
    ("today", "years"),
    [
        (D(LIBRARY_LAST_YEAR, 10, 31), []),
        (D(LIBRARY_LAST_YEAR, 11, 1), [NEXT]),
        (D(LIBRARY_LAST_YEAR, 12, 31), [NEXT]),
        (D(NEXT, 3, 1), [NEXT]),
        (D(NEXT, 11, 5), [NEXT, NEXT + 1]),
        (D(LIBRARY_LAST_YEAR - 1, 11, 20), []),
    ],
)
def test_the_warning_runs_from_1_november_of_the_last_known_year(
    services: Services, chief: SessionUser, today: dt.date, years: list[int]
) -> None:
    text = services.holidays.calendar_warning(chief, today)

    expected = "、".join(f"{y}年" for y in years)
    assert (text.split("节假日安排")[0] if text else "") == expected


def test_the_warning_ends_when_the_next_year_is_confirmed(
    services: Services, chief: SessionUser
) -> None:
    today = D(LIBRARY_LAST_YEAR, 12, 2)
    services.holidays.set_days(chief, D(NEXT, 1, 1), D(NEXT, 1, 1), False, "元旦")
    assert services.holidays.calendar_warning(chief, today)  # entered, not yet confirmed

    services.holidays.set_year_confirmed(chief, NEXT, True)

    assert services.holidays.calendar_warning(chief, today) == ""
    assert f"{NEXT + 1}年" in services.holidays.calendar_warning(chief, D(NEXT, 11, 1))


# --- save and confirm ---------------------------------------------------------------------


@needs_unknown_2027
def test_saving_a_pasted_notice_stores_exactly_its_days_and_confirms_the_year(
    services: Services, chief: SessionUser, count: Count, audit_log: AuditLog
) -> None:
    notice = parse_notice(SAMPLE_2027)
    assert services.holidays.calendar().is_workday(D(2027, 1, 1))  # Friday, guessed
    events = len(audit_log())

    rows = services.holidays.save_year(chief, 2027, notice.days, "notice", notice.title)

    stored = services.holidays.list_overrides(2027)
    assert [(r.day, r.is_workday, r.name) for r in stored] == [
        (d.day, d.is_workday, d.name) for d in notice.days
    ]
    assert [r.day for r in rows] == [d.day for d in notice.days]
    assert len(stored) == 3 + 7 + 1
    calendar = services.holidays.calendar()
    assert not calendar.is_workday(D(2027, 1, 1))
    assert calendar.is_workday(D(2027, 2, 20))  # the make-up Saturday
    assert calendar.add_working_days(D(2026, 12, 31), 1).due == D(2027, 1, 4)
    assert calendar.add_working_days(D(2026, 12, 31), 1).assumed_years == ()
    assert services.holidays.coverage().confirmed_years == (2027,)
    assert services.holidays.calendar_warning(chief, D(2026, 12, 2)) == ""
    new = audit_log()[events:]
    assert [e["action"] for e in new] == ["holiday_set"] * 11 + ["calendar_year_confirmed"]
    assert all(e["officer_id"] == chief.officer_id for e in new)
    assert new[-1]["entity_id"] == "2027"
    assert new[-1]["after"] == {
        "confirmed": True,
        "source": "notice",
        "title": "国务院办公厅关于2027年部分节假日安排的通知",
        "holidays": 10,
        "workdays": 1,
    }
    assert count(CalendarYear) == 1


@needs_unknown_2027
def test_saving_again_replaces_the_years_earlier_entries_and_audits_only_changes(
    services: Services, chief: SessionUser, audit_log: AuditLog
) -> None:
    services.holidays.set_days(chief, D(2027, 3, 1), D(2027, 3, 1), False, "误录")
    services.holidays.set_days(chief, D(2027, 1, 1), D(2027, 1, 1), False, "元旦")
    events = len(audit_log())
    days = [ScheduleDay(D(2027, 1, 1), False, "元旦"), ScheduleDay(D(2027, 1, 2), False, "元旦")]

    services.holidays.save_year(chief, 2027, days, "calendar")

    assert [r.day for r in services.holidays.list_overrides(2027)] == [D(2027, 1, 1), D(2027, 1, 2)]
    new = audit_log()[events:]
    assert [(e["action"], e["entity_id"]) for e in new] == [
        ("holiday_removed", "2027-03-01"),
        ("holiday_set", "2027-01-02"),
        ("calendar_year_confirmed", "2027"),
    ]
    assert new[-1]["after"]["source"] == "calendar"


@pytest.mark.parametrize(
    ("year", "days", "match"),
    [
        (LIBRARY_LAST_YEAR, [ScheduleDay(D(LIBRARY_LAST_YEAR, 1, 1), False, "元旦")], "内置日历"),
        (NEXT, [], "没有"),
        (NEXT, [ScheduleDay(D(NEXT, 1, 4), True, "元旦调休")], "没有"),
        (NEXT, [ScheduleDay(D(NEXT + 1, 3, 1), False, "春节")], "不属于"),
        (NEXT, [ScheduleDay(D(NEXT, 1, 1), False, "  ")], "名称"),
        (
            NEXT,
            [ScheduleDay(D(NEXT, 1, 1), False, "元旦"), ScheduleDay(D(NEXT, 1, 1), True, "元旦")],
            "两次",
        ),
    ],
    ids=["library_year", "empty", "no_holiday", "far_day", "blank_name", "twice"],
)
def test_a_bad_schedule_is_refused_and_nothing_is_written(
    services: Services,
    chief: SessionUser,
    count: Count,
    audit_log: AuditLog,
    year: int,
    days: list[ScheduleDay],
    match: str,
) -> None:
    events = len(audit_log())

    with pytest.raises(ValidationError, match=match):
        services.holidays.save_year(chief, year, days, "calendar")

    assert (count(HolidayOverride), count(CalendarYear), len(audit_log())) == (0, 0, events)


def test_a_window_officer_may_not_save_a_year(
    services: Services, make_officer, count: Count
) -> None:  # type: ignore[no-untyped-def]
    officer = make_officer(Role.WINDOW)

    with pytest.raises(PermissionDenied):
        services.holidays.save_year(
            officer, NEXT, [ScheduleDay(D(NEXT, 1, 1), False, "元旦")], "calendar"
        )

    assert count(CalendarYear) == 0
