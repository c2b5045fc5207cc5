"""Small reads every use case of a matter shares: the station, a matter's pending handover."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.errors import NotFound
from db.models import Handover, Station


def load_station(session: Session) -> Station:
    station = session.get(Station, 1)
    if station is None:
        raise NotFound("本数据库尚未初始化，请先完成首次设置。")
    return station


def pending_handover(session: Session, visit_id: int) -> Handover | None:
    return session.scalars(
        select(Handover).where(Handover.visit_id == visit_id, Handover.state == "pending")
    ).first()
