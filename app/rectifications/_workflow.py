"""The rectification's steps: 核实, 整改, 整改回访 and 销号 by its owner; 申诉 and its decision."""

from __future__ import annotations

from app.core import audit, text_limits
from app.core.dto import SessionUser
from app.core.errors import ConflictError, PermissionDenied, ValidationError
from app.core.roles import Permission, Role, allows
from app.core.service_base import load_station
from app.core.validation import clean_text
from app.ratings.service import RatingInput, add_rating, clean_rating
from app.rectifications._base import RectificationBase, load_rectification
from app.rectifications.dto import RectificationRow


class Workflow(RectificationBase):
    """The owner's steps to 销号, and the rated officer's appeal."""

    def verify(
        self, user: SessionUser, rect_id: int, row_version: int, cause: str
    ) -> RectificationRow:
        """核实: the owner records what caused the 差评."""
        text = clean_text(cause, field="cause", label="原因核实", max_len=text_limits.CASE_TEXT)
        return self._step(user, rect_id, row_version, "open", "verified", {"cause": text})

    def rectify(
        self, user: SessionUser, rect_id: int, row_version: int, action: str, result: str
    ) -> RectificationRow:
        """整改: what was done and what came of it."""
        act = clean_text(action, field="action", label="整改措施", max_len=text_limits.CASE_TEXT)
        res = clean_text(result, field="result", label="整改结果", max_len=text_limits.CASE_TEXT)
        return self._step(
            user, rect_id, row_version, "verified", "rectified", {"action": act, "result": res}
        )

    def record_follow_up(
        self, user: SessionUser, rect_id: int, row_version: int, given: RatingInput
    ) -> RectificationRow:
        """整改回访: the citizen rates again after the rectification (by phone or visit)."""
        with self._writing() as session:
            actor, rect = self._owned(session, user, rect_id, row_version)
            station = load_station(session)
            overall, dims, comment = clean_rating(
                RatingInput(given.overall, given.dimensions, given.comment, given.declined),
                station.rating_dimensions.split(","),
            )
            now = self._clock.now()
            rating = add_rating(
                session, station, rect.visit_id, "follow_up", given.declined, overall, dims,
                comment, now, actor.id, rect.rated_officer_id,
            )  # fmt: skip
            rect.follow_up_rating_id = rating.id
            rect.row_version += 1
            audit.record(
                session,
                at=now,
                officer_id=actor.id,
                action="rectification_follow_up",
                entity_type="rectification",
                entity_id=rect.number,
                after={"overall": overall, "declined": given.declined},
            )
            return self._row(session, rect)

    def appeal(self, user: SessionUser, rect_id: int, text: str) -> RectificationRow:
        """申诉: the rated officer says why the rating was unfair, with the evidence."""
        reason = clean_text(
            text, field="appeal_text", label="申诉理由和证据", max_len=text_limits.CASE_TEXT
        )
        with self._writing() as session:
            actor = self._officer(session, user)
            rect = load_rectification(session, rect_id)
            if rect.rated_officer_id != actor.id:
                raise PermissionDenied("只有被评价的民警本人可以申诉。")
            if rect.state == "closed" or rect.appeal_text:
                raise ConflictError("该整改已销号或已申诉过。")
            rect.appeal_text = reason
            rect.row_version += 1
            audit.record(
                session,
                at=self._clock.now(),
                officer_id=actor.id,
                action="rectification_appealed",
                entity_type="rectification",
                entity_id=rect.number,
                after={"appeal": reason},
            )
            return self._row(session, rect)

    def decide_appeal(
        self, user: SessionUser, rect_id: int, upheld: bool, reason: str
    ) -> RectificationRow:
        """The chief (never the appellant) decides; the decision stays on record."""
        why = clean_text(
            reason, field="appeal_reason", label="申诉处理意见", max_len=text_limits.CASE_TEXT
        )
        with self._writing() as session:
            actor = self._officer(session, user)
            rect = load_rectification(session, rect_id)
            if not allows(Role(actor.role), Permission.VIEW_ALL_VISITS):
                raise PermissionDenied("申诉由所长或副所长决定。")
            if actor.id == rect.rated_officer_id:
                raise PermissionDenied("申诉人不能决定自己的申诉。")
            if not rect.appeal_text:
                raise ConflictError("该整改没有申诉。")
            if rect.appeal_decision:
                raise ConflictError("该申诉已有决定。")
            rect.appeal_decision = "upheld" if upheld else "rejected"
            rect.appeal_reason = why
            rect.appeal_decided_by_id = actor.id
            rect.row_version += 1
            audit.record(
                session,
                at=self._clock.now(),
                officer_id=actor.id,
                action="rectification_appeal_decided",
                entity_type="rectification",
                entity_id=rect.number,
                after={"decision": rect.appeal_decision, "reason": why},
            )
            return self._row(session, rect)

    def close(self, user: SessionUser, rect_id: int, row_version: int) -> RectificationRow:
        """销号 by the owner: only with cause, action, result and the follow-up callback."""
        with self._writing() as session:
            actor, rect = self._owned(session, user, rect_id, row_version)
            missing = [
                label
                for label, value in (
                    ("原因核实", rect.cause),
                    ("整改措施", rect.action),
                    ("整改结果", rect.result),
                    ("整改回访", rect.follow_up_rating_id),
                )
                if not value
            ]
            if missing:
                raise ValidationError(f"销号前须完成：{'、'.join(missing)}。", "close")
            if rect.appeal_text and not rect.appeal_decision:
                raise ValidationError("被评价民警的申诉尚未处理，不能销号。", "close")
            now = self._clock.now()
            rect.state, rect.closed_at = "closed", now
            rect.row_version += 1
            audit.record(
                session,
                at=now,
                officer_id=actor.id,
                action="rectification_closed",
                entity_type="rectification",
                entity_id=rect.number,
            )
            return self._row(session, rect)

    def _step(
        self,
        user: SessionUser,
        rect_id: int,
        row_version: int,
        source: str,
        target: str,
        values: dict[str, str],
    ) -> RectificationRow:
        with self._writing() as session:
            actor, rect = self._owned(session, user, rect_id, row_version)
            if rect.state != source:
                raise ConflictError("整改的步骤顺序不对：请先核实原因，再记录整改。")
            for key, value in values.items():
                setattr(rect, key, value)
            rect.state = target
            if target == "verified":
                rect.verified_at = self._clock.now()
            rect.row_version += 1
            audit.record(
                session,
                at=self._clock.now(),
                officer_id=actor.id,
                action=f"rectification_{target}",
                entity_type="rectification",
                entity_id=rect.number,
                after=values,
            )
            return self._row(session, rect)
