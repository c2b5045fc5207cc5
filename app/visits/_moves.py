"""A matter's steps inside the caller's transaction: 受理, a status change with its history
row and audit event, the start of its service time, the notice a closing step settles."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core import audit
from app.core.errors import ConflictError
from app.core.service_base import load_station
from app.holidays.service import load_calendar
from app.visits._clock import due_by
from app.visits._records import pending_handover
from app.visits.rules import VisitStatus, can_move
from db.models import Notice, Officer, ServiceItemVersion, Visit, VisitTransition

# visit_transitions.reason is VARCHAR(500): PostgreSQL refuses more, SQLite would keep it.
TRANSITION_REASON_MAX = 500

SAME_SITTING = dt.timedelta(hours=12)
# The registering officer's first step this soon after arrival continues the same sitting.
SAME_SITTING_START = dt.timedelta(hours=2)


def open_notice(session: Session, visit_id: int) -> Notice | None:
    """The visit's one-time notice or pledge still waiting for materials."""
    return session.scalars(
        select(Notice).where(Notice.visit_id == visit_id, Notice.state == "open")
    ).first()


def _settle_open_notice(
    session: Session, actor: Officer, visit: Visit, target: VisitStatus, now: dt.datetime
) -> None:
    """A matter cannot finish with materials still owed; ending it otherwise voids the notice."""
    notice = open_notice(session, visit.id)
    if notice is None:
        return
    if target is VisitStatus.COMPLETED:
        title = "承诺书" if notice.kind == "pledge" else "告知单"
        raise ConflictError(f"{title} {notice.number} 所列材料尚未补齐，不能办结。")
    notice.state, notice.voided_at = "voided", now
    notice.void_reason = f"事项{target.label}，告知单随之作废"
    notice.row_version += 1
    audit.record(
        session,
        at=now,
        officer_id=actor.id,
        action="notice_voided",
        entity_type="notice",
        entity_id=notice.number,
        after={"reason": notice.void_reason},
    )


def accept_visit(session: Session, actor: Officer, visit: Visit, now: dt.datetime) -> None:
    """受理 inside the caller's transaction: due date from the catalogue version, clock starts."""
    if visit.status != VisitStatus.REGISTERED.value:
        raise ConflictError(f"该事项已{VisitStatus(visit.status).label}，不能重复受理。")
    if not visit.in_scope:
        raise ConflictError("该事项不属本所职责，请按引导办理，不能受理。")
    version = session.get(ServiceItemVersion, visit.service_version_id)
    assert version is not None
    tz = ZoneInfo(load_station(session).timezone)
    due = due_by(
        load_calendar(session),
        now.astimezone(tz).date(),
        version.time_limit_value,
        version.time_limit_unit,
    )
    visit.accepted_at = now
    visit.due_date = due.due
    visit.due_assumed = bool(due.assumed_years)
    stamp_start(actor, visit, now)
    move_visit(session, actor, visit, VisitStatus.IN_PROGRESS, "受理", now)


def move_visit(
    session: Session,
    actor: Officer,
    visit: Visit,
    target: VisitStatus,
    reason: str,
    now: dt.datetime,
) -> None:
    """Apply a status change the rules allow, with its history row and audit event."""
    source = VisitStatus(visit.status)
    if not can_move(source, target):
        raise ConflictError(f"事项当前为“{source.label}”，不能改为“{target.label}”。")
    if target is not VisitStatus.VOIDED:
        stamp_start(actor, visit, now)
    if not target.is_open:
        _settle_open_notice(session, actor, visit, target, now)
        pending = pending_handover(session, visit.id)
        if pending is not None:
            pending.state, pending.decided_at = "cancelled", now
            pending.decline_reason = f"事项已{target.label}，移交自动撤回"
            audit.record(
                session,
                at=now,
                officer_id=actor.id,
                action="handover_cancelled",
                entity_type="visit",
                entity_id=visit.serial,
                after={"handover": pending.id, "reason": pending.decline_reason},
            )
    visit.status = target.value
    visit.row_version += 1
    session.add(
        VisitTransition(
            visit_id=visit.id,
            at=now,
            officer_id=actor.id,
            from_status=source.value,
            to_status=target.value,
            # The history keeps the step's label; a longer text (a refusal's grounds) is the
            # visit's own and whole there.
            reason=reason
            if len(reason) <= TRANSITION_REASON_MAX
            else reason[: TRANSITION_REASON_MAX - 1] + "…",
        )
    )
    audit.record(
        session,
        at=now,
        officer_id=actor.id,
        action=f"visit_{target.value}",
        entity_type="visit",
        entity_id=visit.serial,
        before={"status": source.value},
        after={
            "status": target.value,
            "reason": reason,
            "due_date": visit.due_date.isoformat() if visit.due_date else None,
        },
    )
    session.flush()


def stamp_start(actor: Officer, visit: Visit, now: dt.datetime) -> None:
    """The first step on a matter starts its service time, unless F6 already stamped it.

    The officer who registered the citizen and acts in the same sitting has been serving
    them since the form opened (its arrival stamp), so an on-the-spot answer or completion
    has a real service time. Anyone else, or the same officer on a later occasion, starts
    now: the time since arrival is the citizen's wait.
    """
    if visit.started_at is not None:
        return
    same_sitting = (
        actor.id == visit.first_officer_id
        and visit.arrived_at <= now
        and now - visit.arrived_at <= SAME_SITTING_START
    )
    visit.started_at = visit.arrived_at if same_sitting else now
