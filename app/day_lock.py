"""The lock on reviewed days (每日台账审核锁定), enforced for every service at flush time.

Once the chief has reviewed a day, nothing that belongs to that day's record may change:

- nothing of the counter's record is written while the current day is locked (a new visit,
  a status change, a rating, a callback attempt, a complaint step …): those would be events
  of a day already signed;
- a visit registered on a locked day keeps its registration as reviewed (citizen, document,
  phone, matter, channel, arrival time) and cannot be voided. It may still progress on
  later days — its completion is an event of the later day and appears on that day's ledger.

A correction is a dated addendum (更正记录), made through ``LedgerService.correct``; only that
path may change a locked visit's registration, and it records who, when, why and what changed.

The check is a SQLAlchemy ``before_flush`` hook on the session factory, so it holds for every
service, present and future, not just for the screens that happen to hide a button.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from app.errors import ConflictError
from db.models import (
    Callback,
    CallbackAttempt,
    CallbackBatch,
    Complaint,
    DayReview,
    Handover,
    Notice,
    NoticeBreach,
    NoticeItem,
    Officer,
    Rating,
    Rectification,
    Signature,
    Station,
    Visit,
    VisitTransition,
)

LEDGER_MODELS: tuple[type, ...] = (
    Visit,
    VisitTransition,
    Handover,
    Notice,
    NoticeItem,
    NoticeBreach,
    Rating,
    Signature,
    Rectification,
    Callback,
    CallbackAttempt,
    CallbackBatch,
    Complaint,
)
# What the chief signed about a visit on the day it was registered.
FROZEN_VISIT_FIELDS = frozenset(
    {
        "citizen_name",
        "id_type",
        "id_number",
        "phone",
        "service_version_id",
        "channel",
        "summary",
        "in_scope",
        "first_officer_id",
        "arrived_at",
        "local_date",
    }
)
NOW_KEY = "stationdesk.now"
CORRECTION_KEY = "stationdesk.correction"


def install(sessions: sessionmaker[Session]) -> None:
    """Guard every session the factory makes (idempotent)."""
    if not event.contains(sessions, "before_flush", _before_flush):
        event.listen(sessions, "before_flush", _before_flush)


def _changed(session: Session, obj: object) -> set[str]:
    state = inspect(obj)
    return {attr.key for attr in state.attrs if attr.history.has_changes()}


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    new = [o for o in session.new if isinstance(o, LEDGER_MODELS) and _counts(o)]
    dirty = [o for o in session.dirty if isinstance(o, LEDGER_MODELS) and session.is_modified(o)]
    deleted = [o for o in session.deleted if isinstance(o, LEDGER_MODELS)]
    if not (new or dirty or deleted):
        return
    station = session.get(Station, 1)
    tz = ZoneInfo(station.timezone if station is not None else "Asia/Shanghai")
    now = session.info.get(NOW_KEY) or dt.datetime.now(dt.UTC)
    today = now.astimezone(tz).date()
    correcting = bool(session.info.get(CORRECTION_KEY))
    # Days whose record this flush would change, each with why.
    days: dict[dt.date, str] = {}
    if not correcting:
        days[today] = "today"
    for obj in dirty:
        if isinstance(obj, Visit) and not correcting:
            changed = _changed(session, obj)
            if changed & FROZEN_VISIT_FIELDS or ("status" in changed and obj.status == "voided"):
                days.setdefault(_original_day(session, obj), "registration")
    for obj in deleted:
        day = getattr(obj, "local_date", None)
        if isinstance(day, dt.date):
            days.setdefault(day, "registration")
    if not days:
        return
    locked = _locked(session, days)
    if not locked:
        return
    day = min(locked)
    reviewer = locked[day]
    if days[day] == "today":
        raise ConflictError(
            f"今日（{day.isoformat()}）台账已由{reviewer}审核锁定，当日记录不能再变更。"
            "如确需补登或更正，请在次日登记更正记录。"
        )
    raise ConflictError(
        f"{day.isoformat()} 的台账已由{reviewer}审核锁定，该日登记的内容不能再修改或作废；"
        "如需更正，请登记更正记录（写明原因）。"
    )


def _counts(obj: object) -> bool:
    """The chief's own signature on a review is the lock itself, not a record of the day."""
    return not (isinstance(obj, Signature) and obj.document_type == "ledger")


def _original_day(session: Session, visit: Visit) -> dt.date:
    history = inspect(visit).attrs.local_date.history
    if history.deleted:
        old = history.deleted[0]
        if isinstance(old, dt.date):
            return old
    return visit.local_date


def _locked(session: Session, days: Iterable[dt.date]) -> dict[dt.date, str]:
    with session.no_autoflush:
        rows = session.execute(
            select(DayReview.day, Officer.name)
            .join(Officer, Officer.id == DayReview.reviewed_by_id)
            .where(DayReview.day.in_(list(days)))
        )
        return {day: name for day, name in rows}
