"""Breaches (超出告知范围): a demand beyond the notice, kept on the record against its issuer."""

from __future__ import annotations

from app.core import audit, text_limits
from app.core.dto import SessionUser
from app.core.errors import ConflictError, NotFound
from app.core.validation import clean_text
from app.notices._base import NoticeBase
from app.notices.dto import NoticeDetail
from db.models import Notice, NoticeBreach


class Breaches(NoticeBase):
    """Recording a demand beyond the notice."""

    def record_breach(
        self, user: SessionUser, notice_id: int, item_name: str, reason: str
    ) -> NoticeDetail:
        """A demand beyond the notice (超出告知范围): only on the record, counted to its issuer."""
        name = clean_text(
            item_name, field="item_name", label="额外要求的材料", max_len=text_limits.UNIT
        )
        why = clean_text(reason, field="reason", label="额外要求的理由", max_len=text_limits.NOTE)
        with self._writing() as session:
            actor = self._case_worker(session, user)
            notice = session.get(Notice, notice_id)
            if notice is None:
                raise NotFound("找不到该告知单。")
            if notice.state == "voided":
                raise ConflictError("该告知单已作废。")
            now = self._clock.now()
            session.add(
                NoticeBreach(
                    notice_id=notice.id,
                    item_name=name,
                    reason=why,
                    at=now,
                    local_date=self._today(session),
                    officer_id=actor.id,
                    issuer_id=notice.officer_id,
                )
            )
            notice.row_version += 1
            audit.record(
                session,
                at=now,
                officer_id=actor.id,
                action="notice_breach",
                entity_type="notice",
                entity_id=notice.number,
                after={"item": name, "reason": why, "issuer": notice.officer_id},
            )
            return self._detail(session, notice)
