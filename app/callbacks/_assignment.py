"""Assignment and attempts: who calls (never an officer who handled the matter), the full
number for the caller, each call or visit logged, a reached citizen's rating and what it sets
off, and home visits."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.callbacks._base import CallbackBase, load_callback
from app.callbacks._callers import handlers, pending_load, pick_caller
from app.callbacks.dto import CallbackRow
from app.callbacks.rules import CALLER_ROLES, MAX_UNANSWERED, OUTCOMES, PRESSURE_GAP
from app.core import audit, text_limits
from app.core.dto import SessionUser
from app.core.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from app.core.reveal_purposes import CALLBACK_PHONE_PURPOSES, audit_after, check_reveal
from app.core.roles import Role
from app.core.service_base import load_station
from app.core.validation import clean_text
from app.holidays.service import load_calendar
from app.ratings.service import (
    RATABLE,
    RatingInput,
    add_rating,
    clean_rating,
    is_bad,
    open_rectification,
)
from db.models import Callback, CallbackAttempt, Officer, Rating, Station, Visit


class Assignment(CallbackBase):
    """The caller's work (the number, each attempt) and the supervisor's (reassign, home)."""

    def reveal_phone(self, user: SessionUser, callback_id: int, purpose: str, detail: str) -> str:
        """The full number, to dial it: only for the assignee, for 回访联系 and a stated detail;
        audited with both."""
        chosen, text = check_reveal(purpose, detail, CALLBACK_PHONE_PURPOSES)
        with self._writing() as session:
            actor = self._officer(session, user)
            callback = load_callback(session, callback_id)
            if callback.assigned_to_id != actor.id:
                raise PermissionDenied("只有被指派的回访民警可以查看完整号码。")
            visit = session.get(Visit, callback.visit_id)
            assert visit is not None
            audit.record(
                session,
                at=self._clock.now(),
                officer_id=actor.id,
                action="phone_revealed",
                entity_type="visit",
                entity_id=visit.serial,
                after={**audit_after(chosen, text), "callback": callback.id},
            )
            return visit.phone

    def log_attempt(
        self,
        user: SessionUser,
        callback_id: int,
        row_version: int,
        outcome: str,
        note: str = "",
        rating: RatingInput | None = None,
    ) -> CallbackRow:
        """Log one call or visit; a reached citizen's rating comes with it."""
        if outcome not in OUTCOMES:
            raise ValidationError("请选择回访结果：接通、无人接听、号码错误或拒绝回访。", "outcome")
        text = clean_text(
            note, field="note", label="回访记录", max_len=text_limits.NOTE, required=False
        )
        with self._writing() as session:
            actor = self._officer(session, user)
            callback = _attempted(session, actor, callback_id, row_version)
            station = load_station(session)
            visit = session.get(Visit, callback.visit_id)
            assert visit is not None
            now = self._clock.now()
            today = self._today(station)
            after: dict[str, object] = {"outcome": outcome}
            if outcome == "reached":
                after |= _reached(session, station, visit, callback, rating, actor.id, now)
            elif outcome in ("refused", "wrong_number"):
                callback.state = "refused" if outcome == "refused" else "unreachable"
            else:
                _after_no_answer(session, callback)
            session.add(
                CallbackAttempt(
                    callback_id=callback.id,
                    at=now,
                    local_date=today,
                    officer_id=actor.id,
                    outcome=outcome,
                    note=text,
                )
            )
            if callback.state != "pending":
                callback.closed_at = now
            callback.row_version += 1
            session.flush()
            audit.record(
                session,
                at=now,
                officer_id=actor.id,
                action="callback_attempt",
                entity_type="visit",
                entity_id=visit.serial,
                after={**after, "kind": callback.kind, "state": callback.state},
            )
            return self._rows(session, Callback.id == callback.id)[0]

    def reassign(
        self, user: SessionUser, callback_id: int, row_version: int, officer_id: int
    ) -> CallbackRow:
        """Give a callback to another officer, never to one who handled the matter."""
        with self._writing() as session:
            actor = self._supervisor(session, user)
            callback = load_callback(session, callback_id)
            if callback.state != "pending":
                raise ConflictError("该回访已经结束，不能改派。")
            if callback.row_version != row_version:
                raise ConflictError("该回访刚被修改过，请刷新后再试。")
            officer = session.get(Officer, officer_id)
            if officer is None or not officer.active or Role(officer.role) not in CALLER_ROLES:
                raise ValidationError("请选择一位在岗民警承担回访。", "officer")
            if officer_id in handlers(session, [callback.visit_id])[callback.visit_id]:
                raise ValidationError(
                    f"{officer.name}经办过该事项，回访须由未经办的民警进行。", "officer"
                )
            before = callback.assigned_to_id
            callback.assigned_to_id = officer_id
            callback.row_version += 1
            audit.record(
                session,
                at=self._clock.now(),
                officer_id=actor.id,
                action="callback_reassigned",
                entity_type="callback",
                entity_id=callback.id,
                before={"assigned_to": before},
                after={"assigned_to": officer_id},
            )
            return self._rows(session, Callback.id == callback.id)[0]

    def schedule_home_visit(
        self, user: SessionUser, visit_id: int, officer_id: int | None = None
    ) -> CallbackRow:
        """The chief sends someone to the citizen's home (上门回访)."""
        with self._writing() as session:
            self._supervisor(session, user)
            visit = session.get(Visit, visit_id)
            if visit is None:
                raise NotFound("找不到该登记记录。")
            if visit.status not in RATABLE:
                raise ConflictError("事项办结后才能安排上门回访。")
            station = load_station(session)
            add_home_visit(session, station, visit, "manual", officer_id, self._clock.now())
            callback = session.scalars(
                select(Callback).where(Callback.visit_id == visit.id, Callback.kind == "home")
            ).one()
            return self._rows(session, Callback.id == callback.id)[0]

    def callers(self, user: SessionUser, callback_id: int) -> list[tuple[int, str]]:
        """Officers who may take this callback: active, and never one who handled it."""
        with self._sessions.begin() as session:
            self._supervisor(session, user)
            callback = load_callback(session, callback_id)
            handled = handlers(session, [callback.visit_id])[callback.visit_id]
            return [
                (o.id, f"{o.name}（{Role(o.role).label}）")
                for o in session.scalars(
                    select(Officer).where(Officer.active.is_(True)).order_by(Officer.badge_no)
                )
                if Role(o.role) in CALLER_ROLES and o.id not in handled
            ]


# ---- an attempt, step by step -------------------------------------------------------------


def _attempted(session: Session, actor: Officer, callback_id: int, row_version: int) -> Callback:
    """The callback an attempt is logged on: the caller's own, about a matter they did not
    handle, still pending and as the caller last saw it."""
    callback = load_callback(session, callback_id)
    if callback.assigned_to_id != actor.id:
        raise PermissionDenied("只有被指派的回访民警可以登记回访结果。")
    if actor.id in handlers(session, [callback.visit_id])[callback.visit_id]:
        raise PermissionDenied("您经办过该事项，不能回访自己办理的事项。")
    if callback.state != "pending":
        raise ConflictError("该回访已经结束，不能再登记。")
    if callback.row_version != row_version:
        raise ConflictError("该回访刚被修改过，请刷新后再试。")
    return callback


def _reached(
    session: Session,
    station: Station,
    visit: Visit,
    callback: Callback,
    rating: RatingInput | None,
    recorded_by: int,
    now: dt.datetime,
) -> dict[str, object]:
    """The reached citizen's rating, required, recorded; the audit payload's part."""
    if rating is None:
        raise ValidationError(
            "接通后请记录群众的评价（五个等级之一），或记录群众不愿评价。", "overall"
        )
    overall, dims, comment = clean_rating(
        RatingInput(rating.overall, rating.dimensions, rating.comment, rating.declined),
        station.rating_dimensions.split(","),
    )
    _saved, reached = record_reached(
        session, station, visit, callback, callback.kind, rating.declined, overall, dims,
        comment, recorded_by, now,
    )  # fmt: skip
    return reached


def _after_no_answer(session: Session, callback: Callback) -> None:
    """The third unanswered call makes the citizen unreachable."""
    tries = session.scalar(
        select(func.count())
        .select_from(CallbackAttempt)
        .where(
            CallbackAttempt.callback_id == callback.id,
            CallbackAttempt.outcome == "no_answer",
        )
    )
    if (tries or 0) + 1 >= MAX_UNANSWERED:
        callback.state = "unreachable"


# ---- a reached citizen's rating and what it sets off ----------------------------------------


def record_reached(
    session: Session,
    station: Station,
    visit: Visit,
    callback: Callback | None,
    kind: str,
    declined: bool,
    overall: int | None,
    dims: dict[str, int],
    comment: str,
    recorded_by: int,
    now: dt.datetime,
    rated_at: dt.datetime | None = None,
) -> tuple[Rating, dict[str, object]]:
    """A reached citizen's rating of ``kind`` (by phone, at home, or an SMS reply) and what it
    sets off; the audit payload's part.

    Saved on the visit (rated at ``rated_at``, default ``now``) and linked to ``callback``,
    which is closed as reached and flagged when the level is far below the on-site one. A 差评
    opens a rectification and, unless it was given at home, a home visit.
    """
    saved = add_rating(
        session, station, visit.id, kind, declined, overall, dims, comment, rated_at or now,
        recorded_by, visit.owner_id,
    )  # fmt: skip
    after: dict[str, object] = {"overall": overall, "declined": declined}
    if callback is not None:
        callback.rating_id = saved.id
        callback.state = "reached"
        callback.pressure = _pressure(session, visit.id, overall)
        if callback.pressure:
            after["pressure"] = True
    if not declined and is_bad(overall, dims):
        after["rectification"] = open_rectification(session, station, visit, saved, now)
        if kind != "home":
            after["home_visit"] = add_home_visit(session, station, visit, "dissatisfied", None, now)
    return saved, after


def add_home_visit(
    session: Session,
    station: Station,
    visit: Visit,
    reason: str,
    officer_id: int | None,
    now: dt.datetime,
) -> int:
    """The visit's home visit (上门回访): scheduled now, to ``officer_id`` or the unit's head;
    the one already scheduled, unless the chief asks for a second."""
    existing = session.scalars(
        select(Callback).where(Callback.visit_id == visit.id, Callback.kind == "home")
    ).first()
    if existing is not None:
        if reason == "manual":
            raise ConflictError("该事项已经安排过上门回访。")
        return existing.id
    handled = handlers(session, [visit.id])[visit.id]
    if officer_id is not None:
        officer = session.get(Officer, officer_id)
        if officer is None or not officer.active or Role(officer.role) not in CALLER_ROLES:
            raise ValidationError("请选择一位在岗民警上门回访。", "officer")
        if officer_id in handled:
            raise ValidationError(
                f"{officer.name}经办过该事项，回访须由未经办的民警进行。", "officer"
            )
    else:
        # The unit's head goes first (所长, then 副所长), else any officer not involved.
        officer_id = pick_caller(session, handled, pending_load(session), leaders=True)
        if officer_id is None:
            raise ConflictError("经办民警之外没有可以上门回访的民警。")
    today = now.astimezone(ZoneInfo(station.timezone)).date()
    callback = Callback(
        batch_id=None,
        visit_id=visit.id,
        kind="home",
        reason=reason,
        assigned_to_id=officer_id,
        created_at=now,
        local_date=today,
        due_date=load_calendar(session).add_working_days(today, station.rectify_days).due,
        state="pending",
        pressure=False,
        row_version=1,
    )
    session.add(callback)
    session.flush()
    audit.record(
        session,
        at=now,
        officer_id=None,
        action="home_visit_scheduled",
        entity_type="visit",
        entity_id=visit.serial,
        after={"reason": reason, "assigned_to": officer_id},
    )
    return callback.id


def _pressure(session: Session, visit_id: int, overall: int | None) -> bool:
    if overall is None:
        return False
    on_site = session.scalars(
        select(Rating).where(Rating.visit_id == visit_id, Rating.kind == "on_site")
    ).first()
    if on_site is None or on_site.overall is None:
        return False
    return on_site.overall - overall >= PRESSURE_GAP
