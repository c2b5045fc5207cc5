"""What the rectification use cases share: the owner's checks and the rows the list shows."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from app.core.dto import SessionUser
from app.core.errors import ConflictError, NotFound, PermissionDenied
from app.core.service_base import ServiceBase, load_station
from app.ratings.service import LEVELS
from app.rectifications.dto import RectificationRow
from db.models import Officer, Rating, Rectification, Station, Visit

FollowUp = aliased(Rating, name="follow_up")


class RectificationBase(ServiceBase):
    """The checks and the row reading every rectification use case needs."""

    def _owned(
        self, session: Session, user: SessionUser, rect_id: int, row_version: int
    ) -> tuple[Officer, Rectification]:
        actor = self._officer(session, user)
        rect = load_rectification(session, rect_id)
        if actor.id == rect.rated_officer_id:
            raise PermissionDenied("被评价的民警不能办理针对自己的整改，只能申诉。")
        if rect.owner_id != actor.id:
            raise PermissionDenied("只有督办人可以办理这条整改。")
        if rect.state == "closed":
            raise ConflictError("该整改已销号。")
        if rect.row_version != row_version:
            raise ConflictError("该整改刚被修改过，请刷新后再试。")
        return actor, rect

    def _row(self, session: Session, rect: Rectification) -> RectificationRow:
        rows = self._rows(
            session,
            load_station(session),
            select(Rectification.id).where(Rectification.id == rect.id),
        )
        return rows[0]

    def _rows(self, session: Session, station: Station, ids: Select[Any]) -> list[RectificationRow]:
        """The rows of the rectifications ``ids`` selects: one query, whatever their number.

        The columns come in the order ``_rect_row`` unpacks them.
        """
        today = self._clock.now().astimezone(ZoneInfo(station.timezone)).date()
        found = session.execute(
            select(
                Rectification.id,
                Rectification.number,
                Rectification.state,
                Rectification.rated_officer_id,
                Rectification.owner_id,
                Rectification.verify_due,
                Rectification.rectify_due,
                Rectification.cause,
                Rectification.action,
                Rectification.result,
                Rectification.appeal_text,
                Rectification.appeal_decision,
                Rectification.appeal_reason,
                Rectification.row_version,
                Visit.serial,
                Visit.citizen_name,
                Rating.overall,
                Rating.comment,
                Rating.dimensions_json,
                FollowUp.declined.label("follow_declined"),
                FollowUp.overall.label("follow_overall"),
            )
            .join(Visit, Visit.id == Rectification.visit_id)
            .join(Rating, Rating.id == Rectification.rating_id)
            .outerjoin(FollowUp, FollowUp.id == Rectification.follow_up_rating_id)
            .where(Rectification.id.in_(ids.scalar_subquery()))
            .order_by(Rectification.opened_at.desc(), Rectification.id.desc())
        ).all()
        if not found:
            return []
        names = {i: n for i, n in session.execute(select(Officer.id, Officer.name))}
        return [_rect_row(r, names, today) for r in found]


def _rect_row(r: Any, names: dict[int, str], today: dt.date) -> RectificationRow:
    """A list row from one row of ``RectificationBase._rows``' query (unpacked once: lists are
    long)."""
    (
        rect_id, number, state, rated_officer_id, owner_id, verify_due, rectify_due, cause,
        action, result, appeal_text, appeal_decision, appeal_reason, row_version,
        serial, citizen_name, overall, comment, dimensions_json, follow_declined, follow_overall,
    ) = r  # fmt: skip
    follow_up = ""
    if follow_declined is not None:
        follow_up = "拒绝评价" if follow_declined else LEVELS.get(follow_overall or 0, "")
    late_verify = state == "open" and today > verify_due
    dims = json.loads(dimensions_json)
    return RectificationRow(
        id=rect_id,
        number=number,
        state=state,
        visit_serial=serial,
        citizen_name=citizen_name,
        rated_officer=names.get(rated_officer_id, ""),
        owner=names.get(owner_id, ""),
        rated_officer_id=rated_officer_id,
        owner_id=owner_id,
        rating_text=LEVELS.get(overall or 0, "—"),
        comment=comment,
        verify_due=verify_due,
        rectify_due=rectify_due,
        overdue=state != "closed" and (late_verify or today > rectify_due),
        cause=cause,
        action=action,
        result=result,
        follow_up=follow_up,
        appeal_text=appeal_text,
        appeal_decision=appeal_decision,
        appeal_reason=appeal_reason,
        row_version=row_version,
        dimensions=tuple([(k, LEVELS[v]) for k, v in dims.items()]),
    )


def load_rectification(session: Session, rect_id: int) -> Rectification:
    """One rectification, or NotFound."""
    rect = session.get(Rectification, rect_id)
    if rect is None:
        raise NotFound("找不到该整改记录。")
    return rect
