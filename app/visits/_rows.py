"""What the lists and a matter's detail read: the list row's query and row, the handover row,
the supplements past their deadline, the citizen's wait and a refusal's lines."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, aliased

from app.core.identity import mask_id, mask_phone
from app.visits.dto import HandoverRow, VisitRow
from app.visits.refusal import refusal_paragraphs
from app.visits.rules import VisitStatus
from db.models import Handover, Notice, Officer, ServiceItemVersion, Visit

Owner = aliased(Officer, name="owner")
First = aliased(Officer, name="first_officer")
Receiver = aliased(Officer, name="receiver")
PendingHandover = aliased(Handover, name="pending_handover")


@functools.cache  # statements are immutable: build the joins once, not on every call
def row_query() -> Any:
    """The columns a list row needs, in the order ``visit_row`` unpacks them (not entities)."""
    return (
        select(
            Visit.id,
            Visit.serial,
            Visit.local_date,
            Visit.arrived_at,
            Visit.started_at,
            Visit.ended_at,
            Visit.started_by_hand,
            Visit.citizen_name,
            Visit.id_number,
            Visit.phone,
            Visit.status,
            Visit.owner_id,
            Visit.due_date,
            Visit.row_version,
            ServiceItemVersion.name.label("service_name"),
            Owner.name.label("owner_name"),
            First.name.label("first_name"),
            Receiver.name.label("receiver_name"),
        )
        .join(ServiceItemVersion, ServiceItemVersion.id == Visit.service_version_id)
        .join(Owner, Owner.id == Visit.owner_id)
        .join(First, First.id == Visit.first_officer_id)
        .outerjoin(
            PendingHandover,
            and_(PendingHandover.visit_id == Visit.id, PendingHandover.state == "pending"),
        )
        .outerjoin(Receiver, Receiver.id == PendingHandover.to_officer_id)
    )


# More ids than this are cheaper to match in Python against the few open notices past their
# deadline than to bind one by one (and stay far below SQLite's cap on bound variables).
_LATE_BY_ID = 50


def late_supplements(session: Session, visit_ids: Sequence[int], today: dt.date) -> set[int]:
    """Which of these (open) visits have an open notice or pledge past its supplement deadline.

    Bounded by the visits asked about: a few dozen by their ids, else the open notices past
    their deadline (``ix_notices_state_deadline``: the backlog), never every notice ever.
    """
    if not visit_ids:
        return set()
    query = select(Notice.visit_id).where(
        Notice.state == "open", Notice.supplement_deadline < today
    )
    if len(visit_ids) <= _LATE_BY_ID:
        return set(session.scalars(query.where(Notice.visit_id.in_(visit_ids))))
    return set(session.scalars(query)) & set(visit_ids)


def _minutes(start: dt.datetime | None, end: dt.datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return max(0, int((end - start).total_seconds() // 60))


def visit_row(r: Any, soon: dt.date, today: dt.date, late: set[int] | None = None) -> VisitRow:
    """A list row from a ``row_query`` result row (unpacked once: lists are long)."""
    (
        visit_id, serial, local_date, arrived_at, started_at, ended_at, started_by_hand,
        citizen_name, id_number, phone, status_value, owner_id, due_date, row_version,
        service_name, owner_name, first_name, receiver_name, *_extra,
    ) = r  # fmt: skip
    status = VisitStatus(status_value)
    state = ""
    past_due = status is VisitStatus.IN_PROGRESS and due_date and due_date < today
    if late and visit_id in late and status.is_open and not past_due:
        # A notice's or pledge's supplement deadline has passed: the owner must follow up.
        state = "supplement_overdue"
    elif status is VisitStatus.WAITING_MATERIALS:
        state = "paused"
    elif status is VisitStatus.REGISTERED and local_date < today:
        state = "unaccepted"
    elif status is VisitStatus.IN_PROGRESS and due_date:
        if due_date < today:
            state = "overdue"
        elif due_date <= soon:
            state = "due_soon"
    return VisitRow(
        id=visit_id,
        serial=serial,
        local_date=local_date,
        arrived_at=arrived_at,
        citizen_name=citizen_name,
        id_masked=mask_id(id_number) if id_number else "",
        phone_masked=mask_phone(phone) if phone else "",
        service_name=service_name,
        status=status,
        owner_id=owner_id,
        owner_name=owner_name,
        first_officer_name=first_name,
        due_date=due_date,
        due_state=state,
        pending_handover_to=receiver_name or "",
        waiting_minutes=_waiting(arrived_at, started_at, started_by_hand),
        service_minutes=_minutes(started_at, ended_at),
        row_version=row_version,
    )


def waiting_minutes(visit: Visit) -> int | None:
    """The citizen's wait, when it was measured.

    A start stamped automatically at the arrival itself (the registering officer served
    the citizen from the moment the form opened) measures no wait at all: it is unknown,
    not zero, unless the officer stamped the start by hand (F6).
    """
    return _waiting(visit.arrived_at, visit.started_at, visit.started_by_hand)


def _waiting(arrived: dt.datetime, started: dt.datetime | None, by_hand: bool) -> int | None:
    if started == arrived and not by_hand:
        return None
    return _minutes(arrived, started)


FromOfficer = aliased(Officer, name="from_officer")
ToOfficer = aliased(Officer, name="to_officer")


def handover_query() -> Any:
    return (
        select(
            Handover,
            Visit.serial,
            Visit.citizen_name,
            ServiceItemVersion.name,
            FromOfficer.name,
            ToOfficer.name,
        )
        .join(Visit, Visit.id == Handover.visit_id)
        .join(ServiceItemVersion, ServiceItemVersion.id == Visit.service_version_id)
        .join(FromOfficer, FromOfficer.id == Handover.from_officer_id)
        .join(ToOfficer, ToOfficer.id == Handover.to_officer_id)
    )


def handover_row(r: Sequence[Any]) -> HandoverRow:
    h, serial, citizen, service, from_name, to_name = r
    return HandoverRow(
        id=h.id,
        visit_id=h.visit_id,
        serial=serial,
        citizen_name=citizen,
        service_name=service,
        from_officer_id=h.from_officer_id,
        from_name=from_name,
        to_officer_id=h.to_officer_id,
        to_name=to_name,
        reason=h.reason,
        state=h.state,
        created_at=h.created_at,
        decided_at=h.decided_at,
        decline_reason=h.decline_reason,
    )


def visit_refusal_paragraphs(visit: Visit) -> list[tuple[str, str]]:
    """A refused visit's reason, basis and redress (``app.visits.refusal.refusal_paragraphs``)."""
    return refusal_paragraphs(
        visit.refusal_reason,
        visit.refusal_basis or "",
        visit.refusal_review_body or "",
        visit.refusal_court or "",
        visit.refusal_redress,
    )
