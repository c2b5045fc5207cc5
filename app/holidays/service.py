"""The station's holiday overrides and the working-day calendar built from them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.core import audit, text_limits
from app.core.clock import Clock
from app.core.dto import SessionUser
from app.core.errors import NotFound, ValidationError
from app.core.roles import Permission, Role, allows
from app.core.service_base import ServiceBase
from app.core.validation import clean_text
from app.core.workdays import (
    LIBRARY_FIRST_YEAR,
    LIBRARY_LAST_YEAR,
    PublishedYear,
    ScheduleDay,
    WorkingDayCalendar,
    builtin_knows_year,
    builtin_special_days,
    shipped_schedules,
)
from app.holidays.dto import CalendarCoverage, HolidayRow
from db.models import CalendarYear, HolidayOverride

MAX_RANGE_DAYS = 31
# Those who answer for the station's deadlines see the warning; the chief and the administrator
# can act on it, the deputy reminds them.
WARNED_ROLES = frozenset({Role.ADMIN, Role.CHIEF, Role.DEPUTY})
WARNING_MONTH = 11  # the State Council publishes next year's schedule in November or December
SCHEDULE_SOURCES = {"notice": "粘贴国务院办公厅通知", "calendar": "在日历上选择"}


class HolidayService(ServiceBase):
    """Lets the administrator enter a year's holiday schedule the program does not know yet."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Clock,
        published: Mapping[int, PublishedYear] | None = None,
    ) -> None:
        super().__init__(sessions, clock)
        self._published = shipped_schedules() if published is None else published

    def calendar(self) -> WorkingDayCalendar:
        """A calendar with the overrides as stored now."""
        with self._sessions.begin() as session:
            return load_calendar(session, self._published)

    def coverage(self) -> CalendarCoverage:
        """Which years the calendar knows, for the holidays page."""
        with self._sessions.begin() as session:
            years = sorted({d.year for d in session.scalars(select(HolidayOverride.day))})
            confirmed = sorted(session.scalars(select(CalendarYear.year)))
        return CalendarCoverage(
            LIBRARY_FIRST_YEAR,
            LIBRARY_LAST_YEAR,
            tuple(years),
            tuple(confirmed),
            tuple(sorted(self._published)),
        )

    def calendar_warning(self, user: SessionUser, today: dt.date) -> str:
        """A warning for the administrator, chief and deputy when a year's holidays are missing.

        It shows from 1 November of the last year the calendar knows (library, shipped file or
        a confirmed year) until the next year is confirmed, and for the current year if that is
        still unknown; otherwise, and for every other role, it is an empty string.
        """
        if user.role not in WARNED_ROLES:
            return ""
        years = missing_years(self.coverage(), today)
        if not years:
            return ""
        listed = "、".join(f"{y}年" for y in years)
        text = f"{listed}节假日安排尚未录入并确认：目前按周一至周五计算工作日，办理时限可能算错。"
        if allows(user.role, Permission.EDIT_HOLIDAYS):
            return text + "请到“节假日设置”粘贴国务院办公厅通知或在日历上选择日期后确认。"
        return text + "请提醒所长或系统管理员到“节假日设置”录入并确认。"

    def save_year(
        self,
        user: SessionUser,
        year: int,
        days: Sequence[ScheduleDay],
        source: str,
        title: str = "",
    ) -> list[HolidayRow]:
        """Store ``year``'s whole schedule as the station's entries and confirm the year.

        One transaction: the year's earlier station entries not in ``days`` are removed, every
        changed day and the confirmation are audited. ``source`` says how the schedule was
        entered ("notice" or "calendar"); ``title`` is the notice's title when pasted.
        """
        if source not in SCHEDULE_SOURCES:
            raise ValueError(f"unknown schedule source {source!r}")
        self._refuse_builtin_year(year)
        wanted = _checked_schedule(year, days)
        label = clean_text(
            title,
            field="title",
            label="通知标题",
            max_len=text_limits.HOLIDAY_TITLE,
            required=False,
        )
        with self._writing() as session:
            actor = self._require(session, user, Permission.EDIT_HOLIDAYS)
            now = self._clock.now()
            _remove_unwanted_days(session, actor.id, now, year, wanted)
            _store_changed_days(session, actor.id, now, wanted)
            _confirm_year(session, actor.id, now, year, wanted, source=source, title=label)
        return [HolidayRow(d.day, d.is_workday, d.name) for d in wanted.values()]

    def set_year_confirmed(self, user: SessionUser, year: int, confirmed: bool) -> None:
        """Declare (or withdraw) that ``year``'s whole holiday schedule has been entered."""
        self._refuse_builtin_year(year)
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
        """Every special day of ``year``: the built-in ones, with the station's entries winning."""
        rows = {
            day: HolidayRow(day, is_workday, name, station_entered=False)
            for day, is_workday, name in builtin_special_days(year, self._published)
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
        label = clean_text(
            name,
            field="name",
            label="名称（如 春节、国庆节调休）",
            max_len=text_limits.HOLIDAY_NAME,
        )
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

    def _refuse_builtin_year(self, year: int) -> None:
        if builtin_knows_year(year, self._published):
            raise ValidationError(
                f"{year}年的安排已由内置日历收录，无需录入和确认；本所另有安排请用“录入放假/调休”。",
                "year",
            )


def missing_years(coverage: CalendarCoverage, today: dt.date) -> list[int]:
    """This year if unknown, and from 1 November next year too if unknown."""
    years = [today.year]
    if today >= dt.date(today.year, WARNING_MONTH, 1):
        years.append(today.year + 1)
    return [y for y in years if not coverage.knows(y)]


def load_calendar(
    session: Session, published: Mapping[int, PublishedYear] | None = None
) -> WorkingDayCalendar:
    """Build the calendar from the override table inside an open session."""
    overrides = {o.day: o.is_workday for o in session.scalars(select(HolidayOverride))}
    confirmed = frozenset(session.scalars(select(CalendarYear.year)))
    return WorkingDayCalendar(overrides, confirmed, published)


def _checked_schedule(year: int, days: Sequence[ScheduleDay]) -> dict[dt.date, ScheduleDay]:
    """The days by date, refused when empty, doubled or far from ``year``; names cleaned."""
    if not any(not d.is_workday for d in days):
        raise ValidationError(f"没有{year}年的放假日期，无法保存。", "days")
    wanted: dict[dt.date, ScheduleDay] = {}
    for entry in sorted(days, key=lambda d: d.day):
        # A notice may reach into the neighbouring year (元旦 from 12月31日) but no further.
        near = dt.date(year - 1, 12, 1) <= entry.day <= dt.date(year + 1, 1, 31)
        if not near:
            raise ValidationError(f"{entry.day.isoformat()} 不属于{year}年的安排。", "days")
        if entry.day in wanted:
            raise ValidationError(f"{entry.day.isoformat()} 出现了两次。", "days")
        name = clean_text(
            entry.name,
            field="name",
            label="名称（如 春节、国庆节调休）",
            max_len=text_limits.HOLIDAY_NAME,
        )
        wanted[entry.day] = ScheduleDay(entry.day, entry.is_workday, name)
    return wanted


def _remove_unwanted_days(
    session: Session,
    actor_id: int,
    now: dt.datetime,
    year: int,
    wanted: Mapping[dt.date, ScheduleDay],
) -> None:
    """Delete the year's earlier station entries that are not in the new schedule, audited."""
    earlier = session.scalars(
        select(HolidayOverride).where(
            HolidayOverride.day >= dt.date(year, 1, 1),
            HolidayOverride.day <= dt.date(year, 12, 31),
        )
    )
    for stale in [o for o in earlier if o.day not in wanted]:
        before = _snapshot(stale)
        session.delete(stale)
        audit.record(
            session,
            at=now,
            officer_id=actor_id,
            action="holiday_removed",
            entity_type="holiday",
            entity_id=stale.day.isoformat(),
            before=before,
        )


def _store_changed_days(
    session: Session, actor_id: int, now: dt.datetime, wanted: Mapping[dt.date, ScheduleDay]
) -> None:
    """Store every day of the schedule that is new or differs from its entry, audited."""
    for entry in wanted.values():
        existing = session.get(HolidayOverride, entry.day)
        if (
            existing is not None
            and existing.is_workday == entry.is_workday
            and existing.name == entry.name
        ):
            continue
        before_row = _snapshot(existing) if existing else None
        if existing is None:
            existing = HolidayOverride(day=entry.day, created_at=now)
            session.add(existing)
        existing.is_workday = entry.is_workday
        existing.name = entry.name
        existing.created_by_id = actor_id
        existing.created_at = now
        session.flush()
        audit.record(
            session,
            at=now,
            officer_id=actor_id,
            action="holiday_set",
            entity_type="holiday",
            entity_id=entry.day.isoformat(),
            before=before_row,
            after=_snapshot(existing),
        )


def _confirm_year(
    session: Session,
    actor_id: int,
    now: dt.datetime,
    year: int,
    wanted: Mapping[dt.date, ScheduleDay],
    *,
    source: str,
    title: str,
) -> None:
    """Mark ``year`` confirmed by the actor and audit how its schedule was entered."""
    confirmation = session.get(CalendarYear, year)
    if confirmation is None:
        session.add(CalendarYear(year=year, confirmed_at=now, confirmed_by_id=actor_id))
    else:
        confirmation.confirmed_at = now
        confirmation.confirmed_by_id = actor_id
    audit.record(
        session,
        at=now,
        officer_id=actor_id,
        action="calendar_year_confirmed",
        entity_type="calendar_year",
        entity_id=year,
        after={
            "confirmed": True,
            "source": source,
            "title": title,
            "holidays": sum(not d.is_workday for d in wanted.values()),
            "workdays": sum(d.is_workday for d in wanted.values()),
        },
    )


def _snapshot(o: HolidayOverride) -> dict[str, object]:
    return {"day": o.day.isoformat(), "is_workday": o.is_workday, "name": o.name}
