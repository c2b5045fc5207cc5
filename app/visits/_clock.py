"""A matter's deadline clock: the due date at acceptance, pausing and resuming it, due soon."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from app.core.service_base import load_station
from app.core.workdays import WorkingDayCalendar
from app.holidays.service import load_calendar
from app.visits.rules import DUE_SOON_WORKING_DAYS
from db.models import ServiceItemVersion, Visit


def due_by(calendar: WorkingDayCalendar, start: dt.date, days: int, unit: str) -> Any:
    if unit == "working_days":
        return calendar.add_working_days(start, days)
    if unit == "calendar_days":
        return calendar.add_calendar_days(start, days)
    return calendar.add_calendar_days(start, 0)


def pause_clock(session: Session, visit: Visit, now: dt.datetime) -> None:
    """Stop the deadline clock, keeping the days left (shown while paused)."""
    if visit.due_date is not None:
        version = session.get(ServiceItemVersion, visit.service_version_id)
        assert version is not None
        today = now.astimezone(ZoneInfo(load_station(session).timezone)).date()
        visit.remaining_days = _days_left(
            load_calendar(session), today, visit.due_date, version.time_limit_unit
        )
    visit.paused_at = now


def resume_clock(session: Session, visit: Visit, now: dt.datetime) -> None:
    """Run the clock again: the due date moves by the working (or calendar) days paused."""
    if visit.due_date is not None and visit.paused_at is not None:
        version = session.get(ServiceItemVersion, visit.service_version_id)
        assert version is not None
        tz = ZoneInfo(load_station(session).timezone)
        calendar = load_calendar(session)
        paused_on = visit.paused_at.astimezone(tz).date()
        today = now.astimezone(tz).date()
        if version.time_limit_unit == "working_days":
            shift = calendar.working_days_between(paused_on, today)
            due = calendar.add_working_days(visit.due_date, shift)
        else:
            due = calendar.add_calendar_days(visit.due_date, (today - paused_on).days)
        visit.due_date = due.due
        visit.due_assumed = visit.due_assumed or bool(due.assumed_years)
    visit.paused_at = None
    visit.remaining_days = None


def _days_left(calendar: WorkingDayCalendar, today: dt.date, due: dt.date, unit: str) -> int:
    if due <= today:
        return 0
    if unit == "working_days":
        return calendar.working_days_between(today, due)
    return (due - today).days


def due_soon_limit(calendar: WorkingDayCalendar, today: dt.date) -> dt.date:
    """The last date that still counts as due soon (two working days from today)."""
    return calendar.add_working_days(today, DUE_SOON_WORKING_DAYS).due
