"""窗口号: every new record that has a ``counter`` column is stamped with this PC's counter.

The counter is a per-PC setting (app.station.workstation); one process serves one counter, so it is
installed once on the session factory and every service's new visits, steps, notices and
ratings carry it without each use case passing it along.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

_INFO_KEY = "stationdesk_counter"


def install(sessions: sessionmaker[Session], counter: str) -> None:
    """Stamp ``counter`` on new records made through ``sessions`` (once per factory)."""
    info = sessions.kw.setdefault("info", {})
    first = _INFO_KEY not in info
    info[_INFO_KEY] = counter.strip()
    if first:
        event.listen(sessions, "before_flush", _stamp)


def counter_of(session: Session) -> str:
    """The counter this session's records are stamped with ("" when none is set)."""
    return str(session.info.get(_INFO_KEY, ""))


def _stamp(session: Session, _context: Any, _instances: Any) -> None:
    counter = counter_of(session)
    if not counter:
        return
    for obj in session.new:
        if hasattr(type(obj), "counter") and not getattr(obj, "counter", ""):
            obj.counter = counter
