"""After the notice: the materials brought back at the second visit, or the notice voided;
either lets a paused matter run again (a pledge never paused it)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from app.core import audit, text_limits
from app.core.dto import SessionUser
from app.core.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from app.core.roles import Permission, Role, allows
from app.core.validation import clean_text
from app.notices._base import NoticeBase, _items, _visit, verify_notice
from app.notices.dto import NoticeDetail
from app.visits.rules import VisitStatus
from app.visits.service import move_visit, resume_clock
from db.models import Notice


class FollowUp(NoticeBase):
    """The materials brought back, and voiding a notice issued by mistake."""

    # ---- the second visit -------------------------------------------------------------

    def record_return(
        self, user: SessionUser, notice_id: int, row_version: int, arrived_item_ids: Sequence[int]
    ) -> NoticeDetail:
        """The citizen is back: tick what arrived; when all is in, the matter continues.

        Any case-handling officer may receive the materials; the matter keeps its owner.
        """
        with self._writing() as session:
            actor = self._case_worker(session, user)
            notice = _open_notice(session, notice_id, row_version)
            verify_notice(session, notice)
            if not arrived_item_ids:
                raise ValidationError("请勾选群众本次带来的材料。", "items")
            items = {i.id: i for i in _items(session, notice.id)}
            now = self._clock.now()
            unknown = [i for i in arrived_item_ids if i not in items]
            if unknown:
                raise ValidationError("所选材料不在本告知单上。", "items")
            received = []
            for item_id in arrived_item_ids:
                item = items[item_id]
                if item.state != "provided" and item.arrived_at is None:
                    item.arrived_at = now
                    received.append(item.name)
            notice.return_visits += 1
            notice.row_version += 1
            complete = all(i.state == "provided" or i.arrived_at for i in items.values())
            visit = _visit(session, notice.visit_id)
            if not VisitStatus(visit.status).is_open:
                raise ConflictError(
                    f"该事项已{VisitStatus(visit.status).label}，不能再登记补交材料。"
                )
            if complete:
                notice.state = "fulfilled"
                notice.fulfilled_at = now
                if visit.status == VisitStatus.WAITING_MATERIALS.value:
                    resume_clock(session, visit, now)
                    move_visit(
                        session, actor, visit, VisitStatus.IN_PROGRESS,
                        f"按告知单 {notice.number} 补齐材料，恢复办理", now,
                    )  # fmt: skip
            audit.record(
                session,
                at=now,
                officer_id=actor.id,
                action="notice_fulfilled" if complete else "notice_materials_received",
                entity_type="notice",
                entity_id=notice.number,
                after={"received": received, "return_visit": notice.return_visits},
            )
            return self._detail(session, notice)

    # ---- voiding ----------------------------------------------------------------------

    def void(
        self, user: SessionUser, notice_id: int, row_version: int, reason: str
    ) -> NoticeDetail:
        """作废 (issued by mistake): the number stays used; a paused matter runs again."""
        text = clean_text(reason, field="reason", label="作废原因", max_len=text_limits.REASON)
        with self._writing() as session:
            actor = self._case_worker(session, user)
            notice = _open_notice(session, notice_id, row_version)
            if notice.officer_id != actor.id and not allows(
                Role(actor.role), Permission.VIEW_ALL_VISITS
            ):
                raise PermissionDenied("只有出具人或所长可以作废告知单。")
            now = self._clock.now()
            notice.state, notice.voided_at, notice.void_reason = "voided", now, text
            notice.row_version += 1
            visit = _visit(session, notice.visit_id)
            if notice.kind == "notice" and visit.status == VisitStatus.WAITING_MATERIALS.value:
                resume_clock(session, visit, now)
                move_visit(
                    session, actor, visit, VisitStatus.IN_PROGRESS,
                    f"告知单 {notice.number} 作废：{text}", now,
                )  # fmt: skip
            audit.record(
                session,
                at=now,
                officer_id=actor.id,
                action="notice_voided",
                entity_type="notice",
                entity_id=notice.number,
                after={"reason": text},
            )
            return self._detail(session, notice)


def _open_notice(session: Session, notice_id: int, row_version: int) -> Notice:
    notice = session.get(Notice, notice_id)
    if notice is None:
        raise NotFound("找不到该告知单。")
    if notice.state == "voided":
        raise ConflictError("该告知单已作废，不能再登记补交材料。")
    if notice.state == "fulfilled":
        raise ConflictError("该告知单所列材料已全部补齐。")
    if notice.row_version != row_version:
        raise ConflictError("该告知单刚被其他窗口处理过，请刷新后再试。")
    return notice
