"""What every section of the case file shares: the one read session, the reader, the matter,
the station's time zone, officers' names read once, and times as the file prints them."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.errors import NotFound
from app.core.roles import Permission, Role, allows
from db.models import Officer, Station, Visit

# The audit action of a case file printed (and listed in its 查看与打印 section).
PRINTED = "case_file_printed"


class SectionBase:
    """Reads everything about one visit in one session; each section builds one table."""

    def __init__(self, session: Session, actor: Officer, visit: Visit, now: dt.datetime) -> None:
        self.s = session
        self.actor = actor
        self.visit = visit
        self.now = now
        station = session.get(Station, 1)
        if station is None:
            raise NotFound("本数据库尚未初始化。")
        self.station = station
        self.tz = ZoneInfo(station.timezone)
        self.names: dict[int, str] = {}

    # ---- helpers ----------------------------------------------------------------------------

    def name(self, officer_id: int | None) -> str:
        if officer_id is None:
            return "—"
        if not self.names:
            self.names = {i: n for i, n in self.s.execute(select(Officer.id, Officer.name))}
        return self.names.get(officer_id, "—")

    def at(self, when: dt.datetime | None) -> str:
        return when.astimezone(self.tz).strftime("%Y-%m-%d %H:%M") if when else "—"


def _supervises(actor: Officer) -> bool:
    return allows(Role(actor.role), Permission.VIEW_ALL_VISITS)
