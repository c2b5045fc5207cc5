"""What every complaint use case shares: a complaint as a row, who may see it, its version
check, the station's chief and deputies, and the station's day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from app.complaints.dto import ComplaintRow
from app.core.errors import ConflictError, NotFound
from app.core.identity import mask_phone
from app.core.roles import Permission, Role, allows
from app.core.service_base import ServiceBase, load_station
from db.models import Complaint, Officer, Visit

ANONYMOUS = "匿名"

# The states in which each step is still to be done (its deadline can pass).
_OPEN_BEFORE_VERIFY = ("received",)
_OPEN_BEFORE_HANDLE = ("received", "verified")
_OPEN_BEFORE_REPLY = ("received", "verified", "handled")


class ComplaintBase(ServiceBase):
    """The internals every part of ``ComplaintService`` uses."""

    def _row(self, session: Session, complaint: Complaint) -> ComplaintRow:
        return self._rows(session, [complaint], _today(session, self._clock.now()))[0]

    def _rows(
        self, session: Session, complaints: Sequence[Complaint], today: dt.date
    ) -> list[ComplaintRow]:
        names = {i: n for i, n in session.execute(select(Officer.id, Officer.name))}
        visit_ids = {c.visit_id for c in complaints if c.visit_id is not None}
        serials: dict[int, str] = {}
        if visit_ids:
            query = select(Visit.id, Visit.serial).where(Visit.id.in_(visit_ids))
            serials = {i: s for i, s in session.execute(query)}
        return [_to_row(c, names, serials, today) for c in complaints]


def _to_row(
    c: Complaint, names: dict[int, str], serials: dict[int, str], today: dt.date
) -> ComplaintRow:
    return ComplaintRow(
        id=c.id,
        number=c.number,
        kind=c.kind,
        channel=c.channel,
        received_on=c.received_on,
        recorded_at=c.recorded_at,
        recorded_by=names.get(c.recorded_by_id, ""),
        complainant=c.complainant_name or ANONYMOUS,
        phone_masked=mask_phone(c.complainant_phone) if c.complainant_phone else "",
        officer_id=c.officer_id,
        officer_name=names.get(c.officer_id, "") if c.officer_id is not None else "",
        visit_serial=serials.get(c.visit_id, "") if c.visit_id is not None else "",
        content=c.content,
        state=c.state,
        handler_id=c.handler_id,
        handler_name=names.get(c.handler_id, "") if c.handler_id is not None else "",
        verify_due=c.verify_due,
        handle_due=c.handle_due,
        reply_due=c.reply_due,
        finding=c.finding,
        verify_note=c.verify_note,
        verified_at=c.verified_at,
        outcome=c.outcome,
        handle_note=c.handle_note,
        handled_at=c.handled_at,
        reply_method=c.reply_method,
        reply_text=c.reply_text,
        replied_at=c.replied_at,
        closed_at=c.closed_at,
        row_version=c.row_version,
        overdue_steps=overdue_steps(
            c.kind, c.state, c.verify_due, c.handle_due, c.reply_due, today
        ),
        anonymous=not c.complainant_name and not c.complainant_phone,
    )


def overdue_steps(
    kind: str,
    state: str,
    verify_due: dt.date | None,
    handle_due: dt.date | None,
    reply_due: dt.date | None,
    today: dt.date,
) -> tuple[str, ...]:
    """The steps whose deadline passed before ``today`` while still not done."""
    if kind != "complaint" or state == "closed":
        return ()
    late = []
    for label, open_states, due in (
        ("核实", _OPEN_BEFORE_VERIFY, verify_due),
        ("处理", _OPEN_BEFORE_HANDLE, handle_due),
        ("答复", _OPEN_BEFORE_REPLY, reply_due),
    ):
        if state in open_states and due is not None and today > due:
            late.append(label)
    return tuple(late)


def _visible_to(actor: Officer) -> ColumnElement[bool]:
    """Praise is public; a complaint never reaches the officer it concerns.

    The chief and deputies see every other complaint; anyone else only those they recorded (or
    were made handler of).
    """
    not_concerned = Complaint.officer_id.is_distinct_from(actor.id)
    if allows(Role(actor.role), Permission.VIEW_ALL_VISITS):
        mine: ColumnElement[bool] = not_concerned
    else:
        mine = and_(
            not_concerned,
            or_(Complaint.recorded_by_id == actor.id, Complaint.handler_id == actor.id),
        )
    return or_(Complaint.kind == "praise", mine)


def _visible(session: Session, actor: Officer, complaint_id: int) -> Complaint:
    """The complaint if ``actor`` may see it; otherwise as if it did not exist."""
    complaint = session.scalars(
        select(Complaint).where(Complaint.id == complaint_id, _visible_to(actor))
    ).first()
    if complaint is None:
        raise NotFound("找不到该投诉记录。")
    return complaint


def _check_version(complaint: Complaint, row_version: int) -> None:
    if complaint.row_version != row_version:
        raise ConflictError("该投诉刚被修改过，请刷新后再试。")


def _supervisors(session: Session, exclude: int | None) -> list[Officer]:
    """Active chief and deputies, chief first, leaving out the officer concerned."""
    query = select(Officer).where(Officer.role.in_(("chief", "deputy")), Officer.active.is_(True))
    if exclude is not None:
        query = query.where(Officer.id != exclude)
    officers = list(session.scalars(query.order_by(Officer.id)))
    return sorted(officers, key=lambda o: 0 if o.role == "chief" else 1)


def _today(session: Session, now: dt.datetime) -> dt.date:
    return now.astimezone(ZoneInfo(load_station(session).timezone)).date()
