"""Gap-free numbers per kind and year: which table each kind numbers, and the forward repair.

A counter (table ``counters``) holds the last number given. Should it stand behind the numbers
already used (the file edited by hand, a restore gone wrong), the next number would collide
with a used one and every registration of that kind would fail on the UNIQUE constraint. So the
highest number used is read with the counter, in the same statement (an index lookup on the
table's UNIQUE (year, seq)), and a counter found behind is moved up to it, never back: no
number is given twice, and the repair is an audit event of the registration's transaction.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import ScalarSelect, func, select
from sqlalchemy.orm import Session

from app.core import audit, day_lock
from db.models import (
    Addendum,
    Appointment,
    Complaint,
    Counter,
    LedgerImport,
    Notice,
    Rectification,
    ShiftHandover,
    Visit,
)

logger = logging.getLogger(__name__)

Numbered = (
    type[Visit]
    | type[Notice]
    | type[Complaint]
    | type[Addendum]
    | type[Rectification]
    | type[ShiftHandover]
    | type[Appointment]
    | type[LedgerImport]
)

# Each counter's kind → the table whose (year, seq) it numbers (UNIQUE there).
NUMBERED: dict[str, Numbered] = {
    "visit": Visit,
    "notice": Notice,
    "complaint": Complaint,
    "addendum": Addendum,
    "rectification": Rectification,
    "shift": ShiftHandover,
    "appointment": Appointment,
    "import": LedgerImport,
}

# What a chief calls each kind's numbers.
LABELS: dict[str, str] = {
    "visit": "办事登记编号",
    "notice": "告知单（承诺书）编号",
    "complaint": "投诉表扬编号",
    "addendum": "更正记录编号",
    "rectification": "整改督办编号",
    "shift": "交接班记录编号",
    "appointment": "预约（上门）服务编号",
    "import": "历史台账导入编号",
}


def highest_used_query(kind: str, year: int) -> ScalarSelect[int | None]:
    """The highest number of ``kind`` used in ``year`` (NULL if none): one index lookup."""
    model = NUMBERED[kind]
    return select(func.max(model.seq)).where(model.year == year).scalar_subquery()


def counter_and_highest(session: Session, kind: str, year: int) -> tuple[Counter | None, int]:
    """The counter of ``kind`` in ``year`` (None if it has no row yet) and the highest number used.

    One statement where the counter exists (the one that read the counter before); a second,
    the highest alone, only for a kind's first number of a year.
    """
    highest = highest_used_query(kind, year)
    row = session.execute(
        select(Counter, highest).where(Counter.kind == kind, Counter.year == year)
    ).first()
    if row is None:
        return None, session.scalar(select(highest)) or 0
    return row[0], row[1] or 0


def repair_forward(session: Session, counter: Counter, highest: int) -> None:
    """Move a counter behind the numbers used up to the highest used, with its audit event."""
    old = counter.last_no
    counter.last_no = highest
    at = session.info.get(day_lock.NOW_KEY)
    if not isinstance(at, dt.datetime):
        at = dt.datetime.now(dt.UTC)
    logger.warning(
        "counter %s %s was at %s but numbers up to %s are used: moved forward",
        counter.kind,
        counter.year,
        old,
        highest,
    )
    audit.record(
        session,
        at=at,
        officer_id=None,
        action="counter_repaired",
        entity_type="counter",
        entity_id=f"{counter.kind}:{counter.year}",
        before={"last": old},
        after={"last": highest},
    )
