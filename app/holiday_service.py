"""The station's holiday overrides and the working-day calendar built from them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit
from app.dto import CalendarCoverage, HolidayRow, SessionUser
from app.errors import NotFound, ValidationError
from app.roles import Permission
from app.service_base import ServiceBase
from app.validation import clean_text
from app.workdays import (
    LIBRARY_FIRST_YEAR,
    LIBRARY_LAST_YEAR,
    WorkingDayCalendar,
    library_special_days,
)
from db.models import CalendarYear, HolidayOverride

MAX_RANGE_DAYS = 31


class HolidayService(ServiceBase):
    """Lets the administrator enter a year's holiday schedule the library does not know yet."""

    def calendar(self) -> WorkingDayCalendar:
        """A calendar with the overrides as stored now."""
        with self._sessions.begin() as session:
            return load_calendar(session)

    def coverage(self) -> CalendarCoverage:
        """Which years the calendar knows, for the holidays page."""
        with self._sessions.begin() as session:
            years = sorted({d.year for d in session.scalars(select(HolidayOverride.day))})
            confirmed = sorted(session.scalars(select(CalendarYear.year)))
        return CalendarCoverage(
            LIBRARY_FIRST_YEAR, LIBRARY_LAST_YEAR, tuple(years), tuple(confirmed)
        )

    def set_year_confirmed(self, user: SessionUser, year: int, confirmed: bool) -> None:
        """Declare (or withdraw) that ``year``'s whole holiday schedule has been entered."""
        if LIBRARY_FIRST_YEAR <= year <= LIBRARY_LAST_YEAR:
            raise ValidationError(f"{year}年的安排已由内置日历收录，无需确认。", "year")
        with self._writing() as session:
            actor = self._require(session, user, Permission.EDIT_HOLIDAYS)
            existing = session.get(CalendarYear, year)
            if (existing is not None) == confirmed:
                return
            if confirmed:
                session.add(
                    CalendarYear(
                        year=year, confirmed_at=self._clock.now(), confirmed_by_id=actor.id
                    )
                )
            else:
                session.delete(existing)
            audit.record(
                session,
                at=self._clock.now(),
                officer_id=actor.id,
                action="calendar_year_confirmed" if confirmed else "calendar_year_unconfirmed",
                entity_type="calendar_year",
                entity_id=year,
                after={"confirmed": confirmed},
            )

    def list_year(self, year: int) -> list[HolidayRow]:
        """Every special day of ``year``: the library's, with the station's entries winning."""
        rows = {
            day: HolidayRow(day, is_workday, name, station_entered=False)
            for day, is_workday, name in library_special_days(year)
        }
        for row in self.list_overrides(year):
            rows[row.day] = row
        return [rows[day] for day in sorted(rows)]

    def list_overrides(self, year: int | None = None) -> list[HolidayRow]:
        """Station-entered days, oldest first, optionally of one year."""
        with self._sessions.begin() as session:
            query = select(HolidayOverride).order_by(HolidayOverride.day)
            if year is not None:
                query = query.where(
                    HolidayOverride.day >= dt.date(year, 1, 1),
                    HolidayOverride.day <= dt.date(year, 12, 31),
                )
            return [HolidayRow(o.day, o.is_workday, o.name) for o in session.scalars(query)]

    def set_days(
        self, user: SessionUser, first: dt.date, last: dt.date, is_workday: bool, name: str
    ) -> list[HolidayRow]:
        """Mark every day from ``first`` to ``last`` as holiday or make-up working day."""
        label = clean_text(name, field="name", label="名称（如 春节、国庆节调休）", max_len=30)
        if last < first:
            raise ValidationError("结束日期不能早于开始日期。", "last")
        if (last - first).days + 1 > MAX_RANGE_DAYS:
            raise ValidationError(f"一次最多录入 {MAX_RANGE_DAYS} 天，请分段录入。", "last")
        rows: list[HolidayRow] = []
        with self._writing() as session:
            actor = self._require(session, user, Permission.EDIT_HOLIDAYS)
            now = self._clock.now()
            day = first
            while day <= last:
                existing = session.get(HolidayOverride, day)
                before = _snapshot(existing) if existing else None
                if existing is None:
                    existing = HolidayOverride(day=day, created_at=now)
                    session.add(existing)
                existing.is_workday = is_workday
                existing.name = label
                existing.created_by_id = actor.id
                existing.created_at = now
                session.flush()
                audit.record(
                    session,
                    at=now,
                    officer_id=actor.id,
                    action="holiday_set",
                    entity_type="holiday",
                    entity_id=day.isoformat(),
                    before=before,
                    after=_snapshot(existing),
                )
                rows.append(HolidayRow(day, is_workday, label))
                day += dt.timedelta(days=1)
        return rows

    def remove_day(self, user: SessionUser, day: dt.date) -> None:
        """Remove a station-entered day; the library's answer applies again."""
        self.remove_days(user, [day])

    def remove_days(self, user: SessionUser, days: list[dt.date]) -> None:
        """Remove several station-entered days in one transaction (all or none)."""
        with self._writing() as session:
            actor = self._require(session, user, Permission.EDIT_HOLIDAYS)
            now = self._clock.now()
            for day in days:
                existing = session.get(HolidayOverride, day)
                if existing is None:
                    raise NotFound(f"{day.isoformat()} 没有录入过节假日安排。")
                before = _snapshot(existing)
                session.delete(existing)
                audit.record(
                    session,
                    at=now,
                    officer_id=actor.id,
                    action="holiday_removed",
                    entity_type="holiday",
                    entity_id=day.isoformat(),
                    before=before,
                )


def load_calendar(session: Session) -> WorkingDayCalendar:
    """Build the calendar from the override table inside an open session."""
    overrides = {o.day: o.is_workday for o in session.scalars(select(HolidayOverride))}
    confirmed = frozenset(session.scalars(select(CalendarYear.year)))
    return WorkingDayCalendar(overrides, confirmed)


def _snapshot(o: HolidayOverride) -> dict[str, object]:
    return {"day": o.day.isoformat(), "is_workday": o.is_workday, "name": o.name}
