"""Working days on the PRC calendar: statutory holidays, make-up working days (调休), overrides."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import chinese_calendar
from chinese_calendar import constants as cc_constants

from app.dto import DueDate

LIBRARY_FIRST_YEAR = min(cc_constants.holidays).year
LIBRARY_LAST_YEAR = max(max(cc_constants.holidays), max(cc_constants.workdays)).year


HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def library_special_days(year: int) -> list[tuple[dt.date, bool, str]]:
    """The library's holidays and make-up working days of ``year`` with Chinese names."""
    days: list[tuple[dt.date, bool, str]] = []
    for table, is_workday in ((cc_constants.holidays, False), (cc_constants.workdays, True)):
        for day, name in table.items():
            if day.year == year:
                label = HOLIDAY_NAMES_ZH.get(str(name), str(name))
                days.append((day, is_workday, label + ("调休" if is_workday else "")))
    return sorted(days)


class WorkingDayCalendar:
    """Answers "is this a working day?" from chinesecalendar plus the station's overrides.

    An override (a day the station entered as 休 or 班) always wins. A year the library does not
    know counts as known only once the station confirms it entered that year's whole schedule;
    until then its other days are assumed to be a plain Monday–Friday week, and results say so.
    """

    def __init__(
        self,
        overrides: Mapping[dt.date, bool] | None = None,
        confirmed_years: frozenset[int] = frozenset(),
    ) -> None:
        self._overrides = dict(overrides or {})
        self._confirmed_years = confirmed_years

    def knows_year(self, year: int) -> bool:
        """Whether holidays of ``year`` are known (library data or a confirmed schedule)."""
        return LIBRARY_FIRST_YEAR <= year <= LIBRARY_LAST_YEAR or year in self._confirmed_years

    def is_workday(self, day: dt.date) -> bool:
        """Whether offices work on ``day``."""
        if day in self._overrides:
            return self._overrides[day]
        if LIBRARY_FIRST_YEAR <= day.year <= LIBRARY_LAST_YEAR:
            return bool(chinese_calendar.is_workday(day))
        return day.weekday() < 5

    def add_working_days(self, start: dt.date, days: int) -> DueDate:
        """The ``days``-th working day after ``start`` (the start day itself does not count).

        ``days == 0`` gives ``start`` itself.
        """
        if days < 0:
            raise ValueError("days must not be negative")
        assumed: set[int] = set()
        day = start
        counted = 0
        while counted < days:
            day += dt.timedelta(days=1)
            if not self.knows_year(day.year):
                assumed.add(day.year)
            if self.is_workday(day):
                counted += 1
        return DueDate(day, tuple(sorted(assumed)))

    def add_calendar_days(self, start: dt.date, days: int) -> DueDate:
        """``days`` calendar days after ``start``."""
        if days < 0:
            raise ValueError("days must not be negative")
        return DueDate(start + dt.timedelta(days=days))

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """How many working days lie after ``start`` up to and including ``end``."""
        count = 0
        day = start
        while day < end:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                count += 1
        return count
