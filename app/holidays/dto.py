"""The holiday calendar's rows and how far it covers the years ahead."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class HolidayRow:
    """A station-entered holiday or make-up working day."""

    day: dt.date
    is_workday: bool
    name: str
    station_entered: bool = True


@dataclass(frozen=True, slots=True)
class CalendarCoverage:
    """Which years the working-day calendar knows."""

    library_first_year: int
    library_last_year: int
    override_years: tuple[int, ...]
    confirmed_years: tuple[int, ...] = ()
    published_years: tuple[int, ...] = ()  # shipped in resources/holidays.json

    def builtin(self, year: int) -> bool:
        """Whether the program itself (library or shipped file) holds ``year``'s schedule."""
        return (
            self.library_first_year <= year <= self.library_last_year
            or year in self.published_years
        )

    def knows(self, year: int) -> bool:
        """Whether deadlines in ``year`` can be counted without guessing."""
        return self.builtin(year) or year in self.confirmed_years

    @property
    def builtin_last_year(self) -> int:
        """The last year the program itself holds."""
        return max((self.library_last_year, *self.published_years))
