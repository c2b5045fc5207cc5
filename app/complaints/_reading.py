"""Reading complaints: the ledger's list, one complaint, the day's counts, and who a letter
may concern or a complaint may be handed to."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, and_, func, or_, select

from app.complaints._base import (
    _OPEN_BEFORE_HANDLE,
    _OPEN_BEFORE_REPLY,
    _OPEN_BEFORE_VERIFY,
    ComplaintBase,
    _supervisors,
    _today,
    _visible,
    _visible_to,
)
from app.complaints.dto import ComplaintRow, ComplaintSummary
from app.core.dto import SessionUser
from app.core.errors import ValidationError
from app.core.roles import Role
from db.models import Complaint, Officer


class Reading(ComplaintBase):
    """What the caller may see of the complaints and praise letters."""

    def list_complaints(
        self,
        user: SessionUser,
        *,
        start: dt.date | None = None,
        end: dt.date | None = None,
        kind: str | None = None,
        state: str | None = None,
        channel: str | None = None,
        overdue_only: bool = False,
    ) -> list[ComplaintRow]:
        """What the caller may see, newest received first, filtered by the given criteria."""
        if start is not None and end is not None and start > end:
            raise ValidationError("开始日期不能晚于结束日期。", "start")
        with self._sessions.begin() as session:
            actor = self._officer(session, user)
            today = _today(session, self._clock.now())
            query = select(Complaint).where(_visible_to(actor))
            if start is not None:
                query = query.where(Complaint.received_on >= start)
            if end is not None:
                query = query.where(Complaint.received_on <= end)
            if kind:
                query = query.where(Complaint.kind == kind)
            if state:
                query = query.where(Complaint.state == state)
            if channel:
                query = query.where(Complaint.channel == channel)
            if overdue_only:
                query = query.where(_overdue(today))
            query = query.order_by(Complaint.received_on.desc(), Complaint.id.desc())
            return self._rows(session, list(session.scalars(query)), today)

    def get(self, user: SessionUser, complaint_id: int) -> ComplaintRow:
        """One complaint the caller may see; one they may not see does not exist for them."""
        with self._sessions.begin() as session:
            actor = self._officer(session, user)
            return self._row(session, _visible(session, actor, complaint_id))

    def summary(self, user: SessionUser, day: dt.date) -> ComplaintSummary:
        """Received on ``day``, open and overdue now: for the daily ledger."""
        with self._sessions.begin() as session:
            actor = self._officer(session, user)
            today = _today(session, self._clock.now())
            seen = _visible_to(actor)

            def count(*conditions: ColumnElement[bool]) -> int:
                query = select(func.count()).select_from(Complaint).where(seen, *conditions)
                return int(session.scalar(query) or 0)

            return ComplaintSummary(
                day=day,
                complaints_received=count(
                    Complaint.kind == "complaint", Complaint.received_on == day
                ),
                praise_received=count(Complaint.kind == "praise", Complaint.received_on == day),
                open=count(Complaint.kind == "complaint", Complaint.state != "closed"),
                overdue=count(_overdue(today)),
            )

    def officers(self, user: SessionUser) -> list[tuple[int, str]]:
        """Active officers a complaint or praise letter may concern: (id, label)."""
        with self._sessions.begin() as session:
            self._officer(session, user)
            query = select(Officer).where(Officer.active.is_(True)).order_by(Officer.badge_no)
            return [
                (o.id, f"{o.name}（{Role(o.role).label}，{o.badge_no}）")
                for o in session.scalars(query)
            ]

    def handlers(self, user: SessionUser, complaint_id: int) -> list[tuple[int, str]]:
        """Who may take the complaint over: active chief or deputies it does not concern."""
        with self._sessions.begin() as session:
            actor = self._officer(session, user)
            complaint = _visible(session, actor, complaint_id)
            return [
                (o.id, f"{o.name}（{Role(o.role).label}）")
                for o in _supervisors(session, complaint.officer_id)
                if o.id != complaint.handler_id
            ]


def _overdue(today: dt.date) -> ColumnElement[bool]:
    """The SQL form of ``overdue_steps(...) != ()``, for the filter and the counts."""
    return and_(
        Complaint.kind == "complaint",
        or_(
            and_(Complaint.state.in_(_OPEN_BEFORE_VERIFY), Complaint.verify_due < today),
            and_(Complaint.state.in_(_OPEN_BEFORE_HANDLE), Complaint.handle_due < today),
            and_(Complaint.state.in_(_OPEN_BEFORE_REPLY), Complaint.reply_due < today),
        ),
    )
