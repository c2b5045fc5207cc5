"""Working days on the PRC calendar, station overrides, and the holiday service."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from app.core.dto import DueDate, SessionUser
from app.core.errors import NotFound, ValidationError
from app.core.workdays import LIBRARY_LAST_YEAR, WorkingDayCalendar
from app.services import Services
from db.models import HolidayOverride

AuditLog = Callable[[], list[dict[str, Any]]]
Count = Callable[[type], int]
D = dt.date
UNKNOWN_YEAR = LIBRARY_LAST_YEAR + 1


@pytest.fixture
def calendar() -> WorkingDayCalendar:
    return WorkingDayCalendar()


def test_national_day_2025_is_eight_days_off_with_two_make_up_days(
    calendar: WorkingDayCalendar,
) -> None:
    for day in range(1, 9):
        assert not calendar.is_workday(D(2025, 10, day)), day
    assert calendar.is_workday(D(2025, 9, 28))  # Sunday, make-up working day
    assert calendar.is_workday(D(2025, 10, 11))  # Saturday, make-up working day
    assert not calendar.is_workday(D(2025, 9, 27))  # an ordinary Saturday
    assert calendar.is_workday(D(2025, 10, 9))


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (D(2025, 9, 30), 1, D(2025, 10, 9)),
        (D(2025, 9, 30), 2, D(2025, 10, 10)),
        (D(2025, 9, 30), 3, D(2025, 10, 11)),  # the make-up Saturday counts
        (D(2025, 9, 30), 4, D(2025, 10, 13)),
        (D(2025, 9, 26), 1, D(2025, 9, 28)),  # Friday + 1 = the make-up Sunday
        (D(2025, 9, 26), 3, D(2025, 9, 30)),
        (D(2025, 10, 3), 1, D(2025, 10, 9)),  # accepted during the holiday
        (D(2025, 9, 30), 0, D(2025, 9, 30)),
    ],
)
def test_adding_working_days_skips_holidays_and_counts_make_up_days(
    calendar: WorkingDayCalendar, start: dt.date, days: int, due: dt.date
) -> None:
    assert calendar.add_working_days(start, days) == DueDate(due, ())


def test_negative_day_counts_are_refused(calendar: WorkingDayCalendar) -> None:
    with pytest.raises(ValueError):
        calendar.add_working_days(D(2025, 9, 30), -1)
    with pytest.raises(ValueError):
        calendar.add_calendar_days(D(2025, 9, 30), -1)


def test_calendar_days_ignore_holidays(calendar: WorkingDayCalendar) -> None:
    assert calendar.add_calendar_days(D(2025, 9, 30), 3).due == D(2025, 10, 3)


def test_working_days_between_counts_after_start_up_to_end(
    calendar: WorkingDayCalendar,
) -> None:
    assert calendar.working_days_between(D(2025, 9, 30), D(2025, 10, 11)) == 3
    assert calendar.working_days_between(D(2025, 10, 1), D(2025, 10, 8)) == 0


def test_a_station_override_wins_over_the_library() -> None:
    # The station closes on 9 October (a library working day) …
    closed = WorkingDayCalendar({D(2025, 10, 9): False})
    assert closed.add_working_days(D(2025, 9, 30), 1).due == D(2025, 10, 10)
    # … or works on 8 October (a library holiday).
    open_ = WorkingDayCalendar({D(2025, 10, 8): True})
    assert open_.add_working_days(D(2025, 9, 30), 1).due == D(2025, 10, 8)


def test_an_override_entered_by_the_chief_moves_the_deadline(
    services: Services, chief: SessionUser
) -> None:
    before = services.holidays.calendar().add_working_days(D(2025, 9, 30), 1)

    services.holidays.set_days(chief, D(2025, 10, 9), D(2025, 10, 10), False, "本所停休")

    after = services.holidays.calendar().add_working_days(D(2025, 9, 30), 1)
    assert (before.due, after.due) == (D(2025, 10, 9), D(2025, 10, 11))


def test_an_unknown_year_falls_back_to_monday_to_friday_and_says_so(
    calendar: WorkingDayCalendar,
) -> None:
    first_monday = D(UNKNOWN_YEAR, 1, 1)
    while first_monday.weekday() != 0:
        first_monday += dt.timedelta(days=1)

    result = calendar.add_working_days(first_monday, 5)

    assert result.due == first_monday + dt.timedelta(days=7)  # next Monday
    assert result.assumed_years == (UNKNOWN_YEAR,)
    assert f"{UNKNOWN_YEAR}年" in result.warning
    assert "周一至周五" in result.warning
    assert not calendar.knows_year(UNKNOWN_YEAR)
    assert calendar.knows_year(LIBRARY_LAST_YEAR)


def test_a_deadline_crossing_into_an_unknown_year_is_flagged(
    calendar: WorkingDayCalendar,
) -> None:
    inside = calendar.add_working_days(D(LIBRARY_LAST_YEAR, 12, 1), 3)
    crossing = calendar.add_working_days(D(LIBRARY_LAST_YEAR, 12, 28), 10)

    assert inside.assumed_years == () and inside.warning == ""
    assert crossing.due.year == UNKNOWN_YEAR
    assert crossing.assumed_years == (UNKNOWN_YEAR,)


def test_an_unknown_year_is_known_once_the_station_confirms_its_schedule(
    services: Services, chief: SessionUser
) -> None:
    holiday = D(UNKNOWN_YEAR, 1, 1)
    while holiday.weekday() != 2:  # the first Wednesday
        holiday += dt.timedelta(days=1)
    monday = holiday - dt.timedelta(days=2)
    guessed = services.holidays.calendar().add_working_days(monday, 2)
    assert guessed.due == holiday
    assert guessed.warning

    services.holidays.set_days(chief, holiday, holiday, False, "本所假日")

    # One entry is not a whole year's schedule: the override counts, the warning stays.
    partial = services.holidays.calendar().add_working_days(monday, 2)
    assert partial.due == holiday + dt.timedelta(days=1)
    assert partial.assumed_years == (UNKNOWN_YEAR,)
    assert services.holidays.coverage().override_years == (UNKNOWN_YEAR,)

    services.holidays.set_year_confirmed(chief, UNKNOWN_YEAR, True)

    known = services.holidays.calendar().add_working_days(monday, 2)
    assert known.due == holiday + dt.timedelta(days=1)
    assert known.assumed_years == ()
    assert known.warning == ""
    assert services.holidays.coverage().confirmed_years == (UNKNOWN_YEAR,)

    services.holidays.set_year_confirmed(chief, UNKNOWN_YEAR, False)
    assert services.holidays.calendar().add_working_days(monday, 2).warning


@pytest.mark.parametrize(
    ("first", "last", "name", "field"),
    [
        (D(2027, 1, 5), D(2027, 1, 4), "元旦", "last"),
        (D(2027, 1, 1), D(2027, 2, 1), "春节", "last"),  # 32 days
        (D(2027, 1, 1), D(2027, 1, 1), "", "name"),
        (D(2027, 1, 1), D(2027, 1, 1), "   ", "name"),
        (D(2027, 1, 1), D(2027, 1, 1), "节" * 31, "name"),
    ],
    ids=["last_before_first", "over_31_days", "empty_name", "blank_name", "long_name"],
)
def test_bad_holiday_ranges_are_refused_and_nothing_is_written(
    services: Services,
    chief: SessionUser,
    count: Count,
    audit_log: AuditLog,
    first: dt.date,
    last: dt.date,
    name: str,
    field: str,
) -> None:
    events = len(audit_log())

    with pytest.raises(ValidationError) as caught:
        services.holidays.set_days(chief, first, last, False, name)

    assert caught.value.field == field
    assert count(HolidayOverride) == 0
    assert len(audit_log()) == events


def test_a_range_of_31_days_is_accepted_and_each_day_audited(
    services: Services, chief: SessionUser, audit_log: AuditLog
) -> None:
    events = len(audit_log())

    rows = services.holidays.set_days(chief, D(2027, 1, 1), D(2027, 1, 31), False, "寒假测试")

    assert [r.day for r in rows] == [D(2027, 1, d) for d in range(1, 32)]
    new = audit_log()[events:]
    assert [e["action"] for e in new] == ["holiday_set"] * 31
    assert [e["entity_id"] for e in new] == [f"2027-01-{d:02d}" for d in range(1, 32)]
    assert all(e["officer_id"] == chief.officer_id for e in new)
    assert len(services.holidays.list_overrides(2027)) == 31
    assert services.holidays.list_overrides(2028) == []


def test_entering_a_day_again_replaces_it_and_audits_before_and_after(
    services: Services, chief: SessionUser, audit_log: AuditLog
) -> None:
    services.holidays.set_days(chief, D(2027, 2, 6), D(2027, 2, 6), False, "春节")

    services.holidays.set_days(chief, D(2027, 2, 6), D(2027, 2, 6), True, "春节调休")

    assert [(r.day, r.is_workday, r.name) for r in services.holidays.list_overrides()] == [
        (D(2027, 2, 6), True, "春节调休")
    ]
    event = audit_log()[-1]
    assert event["before"] == {"day": "2027-02-06", "is_workday": False, "name": "春节"}
    assert event["after"] == {"day": "2027-02-06", "is_workday": True, "name": "春节调休"}


def test_removing_a_day_restores_the_library_answer_and_is_audited(
    services: Services, chief: SessionUser, audit_log: AuditLog
) -> None:
    services.holidays.set_days(chief, D(2025, 10, 9), D(2025, 10, 9), False, "本所停休")
    assert not services.holidays.calendar().is_workday(D(2025, 10, 9))

    services.holidays.remove_day(chief, D(2025, 10, 9))

    assert services.holidays.calendar().is_workday(D(2025, 10, 9))
    assert services.holidays.list_overrides() == []
    event = audit_log()[-1]
    assert (event["action"], event["entity_id"]) == ("holiday_removed", "2025-10-09")
    assert event["before"]["name"] == "本所停休"


def test_removing_a_day_never_entered_is_not_found(
    services: Services, chief: SessionUser, audit_log: AuditLog
) -> None:
    events = len(audit_log())

    with pytest.raises(NotFound):
        services.holidays.remove_day(chief, D(2027, 1, 1))

    assert len(audit_log()) == events
