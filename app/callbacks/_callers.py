"""Who handled a matter, and so may not call about it; who takes a callback instead."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.callbacks.rules import CALLER_ROLES
from app.core.roles import Role
from db.models import Callback, Handover, Officer, Visit, VisitTransition


def handlers(session: Session, visit_ids: list[int]) -> dict[int, set[int]]:
    """Everyone who handled each visit: first contact, owners, handovers, status changes."""
    out: dict[int, set[int]] = {i: set() for i in visit_ids}
    if not visit_ids:
        return out
    for vid, first, owner in session.execute(
        select(Visit.id, Visit.first_officer_id, Visit.owner_id).where(Visit.id.in_(visit_ids))
    ):
        out[vid] |= {first, owner}
    for vid, officer in session.execute(
        select(VisitTransition.visit_id, VisitTransition.officer_id).where(
            VisitTransition.visit_id.in_(visit_ids)
        )
    ):
        out[vid].add(officer)
    for vid, giver, taker in session.execute(
        select(Handover.visit_id, Handover.from_officer_id, Handover.to_officer_id).where(
            Handover.visit_id.in_(visit_ids), Handover.state == "accepted"
        )
    ):
        out[vid] |= {giver, taker}
    return out


def pending_load(session: Session) -> dict[int, int]:
    """How many pending callbacks each officer has."""
    load: dict[int, int] = defaultdict(int)
    for officer_id, n in session.execute(
        select(Callback.assigned_to_id, func.count())
        .where(Callback.state == "pending")
        .group_by(Callback.assigned_to_id)
    ):
        load[officer_id] = n
    return load


def pick_caller(
    session: Session, handled: set[int], load: dict[int, int], leaders: bool = False
) -> int | None:
    """The least-loaded active officer who did not handle the matter (leaders first)."""
    officers = [
        o
        for o in session.scalars(select(Officer).where(Officer.active.is_(True)))
        if Role(o.role) in CALLER_ROLES and o.id not in handled
    ]
    if leaders:
        heads = [o for o in officers if Role(o.role) in (Role.CHIEF, Role.DEPUTY)]
        officers = heads or officers
    if not officers:
        return None
    return min(officers, key=lambda o: (load[o.id], o.id)).id
