"""Working days on the PRC calendar: statutory holidays, make-up working days (调休), overrides."""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import chinese_calendar
from chinese_calendar import constants as cc_constants

from app.core.dto import DueDate
from resources import HOLIDAYS_FILE

LIBRARY_FIRST_YEAR = min(cc_constants.holidays).year
LIBRARY_LAST_YEAR = max(max(cc_constants.holidays), max(cc_constants.workdays)).year


@dataclass(frozen=True, slots=True)
class ScheduleDay:
    """One day of a year's schedule: a holiday (放假) or a make-up working day (调休上班)."""

    day: dt.date
    is_workday: bool
    name: str


@dataclass(frozen=True, slots=True)
class PublishedYear:
    """A year's schedule as the State Council published it, shipped in resources/holidays.json."""

    year: int
    title: str
    issued: dt.date
    days: tuple[ScheduleDay, ...]


def load_published(path: Path = HOLIDAYS_FILE) -> dict[int, PublishedYear]:
    """The shipped schedules by year; a malformed file is a packaging error (ValueError)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    years: dict[int, PublishedYear] = {}
    for entry in data["years"]:
        published = _published_year(entry)
        if published.year in years:
            raise ValueError(f"{path.name}: year {published.year} appears twice")
        years[published.year] = published
    return years


@functools.cache
def shipped_schedules() -> Mapping[int, PublishedYear]:
    """The schedules shipped with this version (read once)."""
    return load_published()


def _published_year(entry: dict[str, Any]) -> PublishedYear:
    year = int(entry["year"])
    title = str(entry["title"]).strip()
    if str(year) not in title:
        raise ValueError(f"holidays.json: the title of {year} does not name the year")
    days: dict[dt.date, ScheduleDay] = {}
    for key, is_workday in (("holidays", False), ("workdays", True)):
        for item in entry[key]:
            day = dt.date.fromisoformat(item["day"])
            if abs(day.year - year) > 1 or day in days:
                raise ValueError(f"holidays.json: {day} is out of {year} or listed twice")
            name = str(item["name"]).strip()
            if not name or len(name) > 30:
                raise ValueError(f"holidays.json: {day} needs a name of 1–30 characters")
            days[day] = ScheduleDay(day, is_workday, name)
    if not any(not d.is_workday for d in days.values()):
        raise ValueError(f"holidays.json: {year} lists no holiday")
    return PublishedYear(
        year, title, dt.date.fromisoformat(entry["issued"]), tuple(days[d] for d in sorted(days))
    )


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


def builtin_special_days(
    year: int, published: Mapping[int, PublishedYear] | None = None
) -> list[tuple[dt.date, bool, str]]:
    """Special days of ``year`` shipped with the program; the published file wins the library."""
    published = shipped_schedules() if published is None else published
    days = {day: (day, is_workday, name) for day, is_workday, name in library_special_days(year)}
    for schedule in published.values():
        for entry in schedule.days:
            if entry.day.year == year:
                days[entry.day] = (entry.day, entry.is_workday, entry.name)
    return [days[day] for day in sorted(days)]


def builtin_knows_year(year: int, published: Mapping[int, PublishedYear] | None = None) -> bool:
    """Whether the program itself (library or shipped file) holds ``year``'s schedule."""
    published = shipped_schedules() if published is None else published
    return LIBRARY_FIRST_YEAR <= year <= LIBRARY_LAST_YEAR or year in published


class WorkingDayCalendar:
    """Answers "is this a working day?" from chinesecalendar, the shipped file and overrides.

    An override (a day the station entered as 休 or 班) always wins; then a day of a schedule
    shipped in resources/holidays.json; then the library. A year neither knows counts as known
    only once the station confirms it entered that year's whole schedule; until then its other
    days are assumed to be a plain Monday–Friday week, and results say so.
    """

    def __init__(
        self,
        overrides: Mapping[dt.date, bool] | None = None,
        confirmed_years: frozenset[int] = frozenset(),
        published: Mapping[int, PublishedYear] | None = None,
    ) -> None:
        self._overrides = dict(overrides or {})
        self._confirmed_years = confirmed_years
        published = shipped_schedules() if published is None else published
        self._published_years = frozenset(published)
        self._published = {d.day: d.is_workday for p in published.values() for d in p.days}

    def knows_year(self, year: int) -> bool:
        """Whether holidays of ``year`` are known (library, shipped file or a confirmed year)."""
        return (
            LIBRARY_FIRST_YEAR <= year <= LIBRARY_LAST_YEAR
            or year in self._published_years
            or year in self._confirmed_years
        )

    def is_workday(self, day: dt.date) -> bool:
        """Whether offices work on ``day``."""
        if day in self._overrides:
            return self._overrides[day]
        if day in self._published:
            return self._published[day]
        if day.year not in self._published_years and (
            LIBRARY_FIRST_YEAR <= day.year <= LIBRARY_LAST_YEAR
        ):
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
