"""Small reads every use case of a matter shares: the station, a matter's pending handover."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Handover


def pending_handover(session: Session, visit_id: int) -> Handover | None:
    return session.scalars(
        select(Handover).where(Handover.visit_id == visit_id, Handover.state == "pending")
    ).first()
