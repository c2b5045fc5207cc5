"""The lock on reviewed days (每日台账审核锁定), enforced for every service at flush time.

Once the chief has reviewed a day, what the review signed may not change:

- a visit registered on a locked day before its review keeps its registration as reviewed
  (citizen, document, phone, matter, channel, arrival time) and cannot be voided. It may
  still progress — its completion is an event of the day (or of the time after the review)
  when it happens, and appears on that ledger;
- the signed copy itself is stored frozen (``day_reviews``, refused UPDATE/DELETE by trigger).

Today can be reviewed only from the station's closing hour (``LedgerService``), and the
counter is never stopped by a review: a walk-in registered after it is recorded as usual and
listed as 审核后记录, signed with the next day's ledger.

A correction is a dated addendum (更正记录), made through ``LedgerService.correct``; only that
path may change a locked visit's registration, and it records who, when, why and what changed.

The check is a SQLAlchemy ``before_flush`` hook on the session factory, so it holds for every
service, present and future, not just for the screens that happen to hide a button.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from app.core.errors import ConflictError
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


_INSTALLED = "_stationdesk_day_lock"


def install(sessions: sessionmaker[Session]) -> None:
    """Guard every session the factory makes (idempotent).

    The mark is kept on the factory itself. ``event.contains`` was asked before, but
    SQLAlchemy's event registry is keyed by ``id()``: a new factory at the address of a
    collected one could be taken as guarded already, and once in a full test run a locked
    day's visit reached the database trigger instead of this check.
    """
    if getattr(sessions, _INSTALLED, False):
        return
    event.listen(sessions, "before_flush", _before_flush)
    setattr(sessions, _INSTALLED, True)


def _changed(session: Session, obj: object) -> set[str]:
    state = inspect(obj)
    return {attr.key for attr in state.attrs if attr.history.has_changes()}


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    new = [o for o in session.new if isinstance(o, LEDGER_MODELS) and _counts(o)]
    dirty = [o for o in session.dirty if isinstance(o, LEDGER_MODELS) and session.is_modified(o)]
    deleted = [o for o in session.deleted if isinstance(o, LEDGER_MODELS)]
    if not (new or dirty or deleted):
        return
    correcting = bool(session.info.get(CORRECTION_KEY))
    # Registrations this flush would change (or remove), by the day they belong to.
    touched: list[tuple[dt.date, dt.datetime | None]] = []
    for obj in dirty:
        if isinstance(obj, Visit) and not correcting:
            changed = _changed(session, obj)
            if changed & FROZEN_VISIT_FIELDS or ("status" in changed and obj.status == "voided"):
                touched.append((_original_day(session, obj), obj.created_at))
    for obj in deleted:
        day = getattr(obj, "local_date", None)
        if isinstance(day, dt.date):
            touched.append((day, None))
    if not touched:
        return
    locked = _locked(session, {day for day, _created in touched})
    # A registration made after its day's review was not signed: it may still be edited.
    hits = [
        (day, locked[day][0])
        for day, created in touched
        if day in locked and (created is None or created <= locked[day][1])
    ]
    if not hits:
        return
    day, reviewer = min(hits)
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


def _locked(session: Session, days: Iterable[dt.date]) -> dict[dt.date, tuple[str, dt.datetime]]:
    with session.no_autoflush:
        rows = session.execute(
            select(DayReview.day, Officer.name, DayReview.reviewed_at)
            .join(Officer, Officer.id == DayReview.reviewed_by_id)
            .where(DayReview.day.in_(list(days)))
        )
        return {day: (name, at) for day, name, at in rows}
