"""The notions every feature asks of matters, as SQL conditions, so each is asked one way.

- ``is_open()``: the matter is still being handled (not finished, refused, guided or void).
- ``held_by(officer)``: open and owned by the officer (首接责任: theirs until done or handed on).
- ``handled_by(officer)``: the officer received it first or owns it now (search by officer).

Matters finished in a period and open at a moment are storage-level queries shared by the
ledger, the statistics and the callback sampler: ``db.queries.finished_between`` and
``db.queries.open_at``.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, or_

from app.visits.rules import OPEN_STATUS_VALUES
from db.models import Visit


def is_open() -> ColumnElement[bool]:
    """The matter is open: registered and not yet finished, refused, guided or void."""
    return Visit.status.in_(OPEN_STATUS_VALUES)


def held_by(officer_id: int) -> ColumnElement[bool]:
    """The matter is open and the officer owns it."""
    return and_(Visit.owner_id == officer_id, is_open())


def handled_by(officer_id: int) -> ColumnElement[bool]:
    """The officer received the matter first or owns it now."""
    return or_(Visit.owner_id == officer_id, Visit.first_officer_id == officer_id)
