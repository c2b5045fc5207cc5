"""What the callback use cases share: the supervisor's check, today, the rows as the worklist
shows them, and the finished matters of a period."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Row, Select, and_, exists, func, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import ColumnElement

from app.callbacks.dto import AttemptRow, CallbackRow
from app.callbacks.rules import HOME_OUTCOMES, OUTCOMES
from app.core.dto import SessionUser
from app.core.errors import NotFound, PermissionDenied
from app.core.identity import mask_phone
from app.core.roles import Permission, Role, allows
from app.core.service_base import ServiceBase, load_station
from app.ratings.service import LEVELS, RATABLE, SMS_REPLY_LABEL, is_bad
from db.models import (
    Callback,
    CallbackAttempt,
    LedgerImportVisit,
    Officer,
    Rating,
    ServiceItemVersion,
    Station,
    Visit,
    VisitTransition,
)
from db.queries import finished_between

OnSiteRating = aliased(Rating, name="on_site_rating")
GivenRating = aliased(Rating, name="given_rating")


class CallbackBase(ServiceBase):
    """The checks and the row reading every callback use case needs."""

    def _supervisor(self, session: Session, user: SessionUser) -> Officer:
        actor = self._officer(session, user)
        if not allows(Role(actor.role), Permission.VIEW_ALL_VISITS):
            raise PermissionDenied("回访抽样、改派和上门回访由所长或副所长安排。")
        return actor

    def _today(self, station: Station) -> dt.date:
        return self._clock.now().astimezone(ZoneInfo(station.timezone)).date()

    def _rows(
        self,
        session: Session,
        *conditions: ColumnElement[bool],
        order_by: Sequence[Any] = (Callback.id,),
    ) -> list[CallbackRow]:
        """The callbacks matching ``conditions`` as rows, in a fixed few queries."""
        station = load_station(session)
        today = self._today(station)
        tz = ZoneInfo(station.timezone)
        found = session.execute(_callbacks_query(conditions, order_by)).all()
        if not found:
            return []
        names = {i: n for i, n in session.execute(select(Officer.id, Officer.name))}
        attempts = _attempts(session, conditions, names)
        return [_callback_row(r, names, attempts[r.id], today, tz) for r in found]


# ---- the rows, step by step ---------------------------------------------------------------


def _callbacks_query(
    conditions: Sequence[ColumnElement[bool]], order_by: Sequence[Any]
) -> Select[*tuple[Any, ...]]:
    """The callbacks with their visit, matter, when it was finished and both ratings' levels."""
    finished = (
        select(func.max(VisitTransition.at))
        .where(
            VisitTransition.visit_id == Visit.id,
            VisitTransition.to_status.in_([s.value for s in RATABLE]),
        )
        .scalar_subquery()
    )
    return (
        select(
            Callback.id,
            Callback.kind,
            Callback.reason,
            Callback.visit_id,
            Callback.assigned_to_id,
            Callback.due_date,
            Callback.state,
            Callback.pressure,
            Callback.row_version,
            Visit.serial,
            Visit.citizen_name,
            Visit.phone,
            Visit.owner_id,
            ServiceItemVersion.name.label("matter"),
            finished.label("finished_at"),
            OnSiteRating.declined.label("on_site_declined"),
            OnSiteRating.overall.label("on_site_overall"),
            GivenRating.declined.label("given_declined"),
            GivenRating.overall.label("given_overall"),
            GivenRating.dimensions_json.label("given_dimensions"),
        )
        .join(Visit, Visit.id == Callback.visit_id)
        .join(ServiceItemVersion, ServiceItemVersion.id == Visit.service_version_id)
        .outerjoin(
            OnSiteRating,
            and_(OnSiteRating.visit_id == Visit.id, OnSiteRating.kind == "on_site"),
        )
        .outerjoin(GivenRating, GivenRating.id == Callback.rating_id)
        .where(*conditions)
        .order_by(*order_by)
    )


def _attempts(
    session: Session, conditions: Sequence[ColumnElement[bool]], names: dict[int, str]
) -> dict[int, list[AttemptRow]]:
    """The attempts of the callbacks matching ``conditions``, per callback, oldest first."""
    attempts: dict[int, list[AttemptRow]] = defaultdict(list)
    for a in session.execute(
        select(
            CallbackAttempt.callback_id,
            CallbackAttempt.at,
            CallbackAttempt.officer_id,
            CallbackAttempt.outcome,
            CallbackAttempt.note,
            CallbackAttempt.via,
            Callback.kind,
        )
        .join(Callback, Callback.id == CallbackAttempt.callback_id)
        .where(*conditions)
        .order_by(CallbackAttempt.at, CallbackAttempt.id)
    ):
        labels = HOME_OUTCOMES if a.kind == "home" else OUTCOMES
        attempts[a.callback_id].append(
            AttemptRow(
                a.at,
                names.get(a.officer_id, ""),
                a.outcome,
                SMS_REPLY_LABEL if a.via == "sms" else labels[a.outcome],
                a.note,
            )
        )
    return attempts


def _callback_row(
    r: Row[Any],
    names: dict[int, str],
    attempts: list[AttemptRow],
    today: dt.date,
    tz: ZoneInfo,
) -> CallbackRow:
    """One row of ``_callbacks_query`` as the worklist shows it."""
    return CallbackRow(
        id=r.id,
        kind=r.kind,
        reason=r.reason,
        visit_id=r.visit_id,
        visit_serial=r.serial,
        matter=r.matter,
        finished_on=r.finished_at.astimezone(tz).date() if r.finished_at else None,
        citizen_name=r.citizen_name,
        phone_masked=mask_phone(r.phone) if r.phone else "（未留电话）",
        handled_by=names.get(r.owner_id, ""),
        assigned_to_id=r.assigned_to_id,
        assigned_to=names.get(r.assigned_to_id, ""),
        due_date=r.due_date,
        state=r.state,
        overdue=r.state == "pending" and today > r.due_date,
        on_site_level=_level(r.on_site_declined, r.on_site_overall),
        callback_level=_level(r.given_declined, r.given_overall),
        pressure=r.pressure,
        attempts=tuple(attempts),
        row_version=r.row_version,
        dissatisfied=bad_levels(r.given_declined, r.given_overall, r.given_dimensions),
    )


def _level(declined: bool | None, overall: int | None) -> str:
    """A rating's overall level in words, from its columns (declined None: no rating)."""
    if declined is None:
        return ""
    if declined:
        return "不愿评价"
    return LEVELS[overall] if overall else ""


# ---- shared helpers -----------------------------------------------------------------------


def load_callback(session: Session, callback_id: int) -> Callback:
    """One callback, or NotFound."""
    callback = session.get(Callback, callback_id)
    if callback is None:
        raise NotFound("找不到该回访记录。")
    return callback


def is_month(start: dt.date, end: dt.date) -> bool:
    """Whether the period is one whole calendar month."""
    nxt = (start + dt.timedelta(days=32)).replace(day=1)
    return start.day == 1 and end == nxt - dt.timedelta(days=1)


def period_text(start: dt.date, end: dt.date) -> str:
    """A sampling's period in words: a day, a month, or from and to."""
    if start == end:
        return f"{start.year}年{start.month}月{start.day}日"
    if is_month(start, end):
        return f"{start.year}年{start.month}月"
    return f"{start.isoformat()} 至 {end.isoformat()}"


def bad_levels(declined: bool | None, overall: int | None, dimensions: str | None) -> bool:
    """Whether a rating, given by its columns (declined None: no rating), is a 差评."""
    if declined is None or declined:
        return False
    dims = {k: int(v) for k, v in json.loads(dimensions or "{}").items()}
    return is_bad(overall, dims)


def finished_visits(
    session: Session, station: Station, start: dt.date, end: dt.date
) -> list[Visit]:
    """Visits that are finished now and reached that state within the local dates; not
    those of an earlier ledger imported (history: nobody is called, or sent an SMS, about a
    matter of before the station used the program)."""
    tz = ZoneInfo(station.timezone)
    lo = dt.datetime.combine(start, dt.time(), tz).astimezone(dt.UTC)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tz).astimezone(dt.UTC)
    statuses = [s.value for s in RATABLE]
    done = finished_between(lo, hi, statuses=statuses).subquery("finished")
    imported = exists().where(LedgerImportVisit.visit_id == Visit.id)
    return list(
        session.scalars(
            select(Visit)
            .join(done, done.c.visit_id == Visit.id)
            .where(~imported)
            .order_by(Visit.id)
        )
    )
