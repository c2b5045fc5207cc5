"""When an officer leaves: their open matters are offered to colleagues on their behalf.

The chief (or deputy) picks the colleague; the offer is an ordinary pending handover from the
departed owner, so the colleague accepts or declines it in their own session as with any
handover. Until someone accepts, the matter is "orphaned" (its owner's account is inactive)
and is listed for the chief.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core import audit
from app.core.errors import ValidationError
from app.core.roles import Permission, Role, allows
from db.models import Handover, Officer, Visit

REASON_MAX = 200


def pending_handover(session: Session, visit_id: int) -> Handover | None:
    """The visit's handover still waiting for its receiver, if any."""
    return session.scalars(
        select(Handover).where(Handover.visit_id == visit_id, Handover.state == "pending")
    ).first()


def check_successor(
    session: Session, receiver_id: int | None, leaving: Officer, serial: str = ""
) -> Officer:
    """The colleague who is to take over a matter of ``leaving``: active and handling cases."""
    prefix = f"事项 {serial}：" if serial else ""
    receiver = session.get(Officer, receiver_id) if receiver_id is not None else None
    if receiver is None or not receiver.active:
        raise ValidationError(f"{prefix}接手人不存在或账号已停用，请另选同事。", "to_officer")
    if receiver.id == leaving.id:
        raise ValidationError(f"{prefix}不能交给{leaving.name}本人，请另选在岗同事。", "to_officer")
    role = Role(receiver.role)
    if not allows(role, Permission.HANDLE_VISITS):
        raise ValidationError(
            f"{prefix}{receiver.name}（{role.label}）不办理窗口事项，请另选同事。", "to_officer"
        )
    return receiver


def on_behalf_reason(actor: Officer, owner: Officer, note: str = "") -> str:
    """The handover's reason, naming who offered it for whom (kept on the record)."""
    text = f"{owner.name}账号停用，{Role(actor.role).label}{actor.name}代为移交"
    if note:
        text += f"：{note}"
    return text[:REASON_MAX]


def offer_on_behalf(
    session: Session,
    actor: Officer,
    visit: Visit,
    owner: Officer,
    receiver: Officer,
    reason: str,
    now: dt.datetime,
) -> Handover:
    """A pending handover of ``visit`` from ``owner`` to ``receiver``, initiated by ``actor``.

    An offer already waiting for the same receiver stays as it is; one waiting for someone
    else is withdrawn first (a visit has at most one pending handover).
    """
    pending = pending_handover(session, visit.id)
    if pending is not None:
        if pending.to_officer_id == receiver.id:
            return pending
        pending.state, pending.decided_at = "cancelled", now
        pending.decline_reason = f"{Role(actor.role).label}{actor.name}已改交{receiver.name}"
        audit.record(
            session,
            at=now,
            officer_id=actor.id,
            action="handover_cancelled",
            entity_type="visit",
            entity_id=visit.serial,
            after={"handover": pending.id, "reason": pending.decline_reason},
        )
    handover = Handover(
        visit_id=visit.id,
        from_officer_id=owner.id,
        to_officer_id=receiver.id,
        reason=reason[:REASON_MAX],
        state="pending",
        created_at=now,
        decline_reason="",
    )
    session.add(handover)
    visit.row_version += 1
    session.flush()
    audit.record(
        session,
        at=now,
        officer_id=actor.id,
        action="handover_requested",
        entity_type="visit",
        entity_id=visit.serial,
        after={
            "handover": handover.id,
            "from": owner.badge_no,
            "to": receiver.badge_no,
            "reason": handover.reason,
            "on_behalf_of": owner.badge_no,
            "initiated_by": actor.badge_no,
        },
    )
    return handover
