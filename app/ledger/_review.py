"""Review and lock: the chief (or a deputy) signs the day's ledger as shown; it is kept as
signed (JSON + SHA-256, with the audit chain's head) and the day is locked from then on."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core import audit, text_limits
from app.core.dto import SessionUser
from app.core.errors import ConflictError, PermissionDenied, ValidationError
from app.core.roles import Permission, Role, allows
from app.core.signatures import store_signature
from app.core.validation import clean_text
from app.ledger._base import LedgerBase
from app.ledger._stored_copy import content_json
from app.ledger.dto import Ledger, ReviewSignature
from app.ratings.service import PNG_MAGIC
from db.models import AuditHead, DayReview, Notice, Officer, Signature


class Review(LedgerBase):
    """Reviewing, signing and locking a day."""

    def review(
        self,
        user: SessionUser,
        day: dt.date,
        expected_sha256: str,
        comment: str,
        signature: ReviewSignature,
    ) -> Ledger:
        """The chief (or a deputy) signs the day as shown; from then on it is read-only."""
        text = clean_text(
            comment,
            field="comment",
            label="审核意见",
            max_len=text_limits.REVIEW_COMMENT,
            required=False,
        )
        if not any(len(s) >= 2 for s in signature.strokes) or not signature.png.startswith(
            PNG_MAGIC
        ):
            raise ValidationError("请在签字板上签名后再确认审核。", "signature")
        with self._writing() as session:
            actor = self._officer(session, user)
            if not allows(Role(actor.role), Permission.VIEW_ALL_VISITS):
                raise PermissionDenied(
                    f"{Role(actor.role).label}不能审核台账，台账由所长或副所长审核签字。"
                )
            today = self._today(session)
            if day > today:
                raise ValidationError("不能审核未来的日期。", "day")
            blocked = self._review_blocked(session, day)
            if blocked:
                raise ValidationError(blocked, "day")
            if session.scalars(select(DayReview.id).where(DayReview.day == day)).first():
                raise ConflictError(f"{day.isoformat()} 的台账已经审核过，不能重复审核。")
            ledger = self._ledger(session, actor, day, None)
            if ledger.content_sha256 != expected_sha256:
                raise ConflictError("台账内容刚有变化（有新的登记或办理），请刷新后重新审核签字。")
            self.sign_day_in(session, actor, day, self._clock.now(), text, signature, ledger)
            session.flush()
            return self._ledger(session, actor, day, None)

    def sign_day_in(
        self,
        session: Session,
        actor: Officer,
        day: dt.date,
        now: dt.datetime,
        comment: str,
        signature: ReviewSignature,
        ledger: Ledger | None = None,
        import_number: str = "",
    ) -> str:
        """Review and lock ``day`` inside the caller's transaction: the ledger as this code
        builds it, kept with its hash and the chain's head, the signature, a day_reviewed
        event (naming the historical import that filled the day, if one did). Returns the
        signature's hash.
        The caller has checked who signs and that the day may be signed."""
        if ledger is None:
            ledger = self._ledger(session, actor, day, None)
        # The chain as it stands before this review's own event: kept and printed, so
        # events removed from its end later are missed (``stationdesk check``).
        head = session.get(AuditHead, 1)
        assert head is not None
        review = DayReview(
            day=day,
            reviewed_by_id=actor.id,
            reviewed_at=now,
            comment=comment,
            content_json=content_json(ledger),
            content_sha256=ledger.content_sha256,
            audit_head_id=head.last_id,
            audit_head_hash=head.last_hash,
        )
        session.add(review)
        session.flush()
        image_sha256 = store_signature(
            session,
            document_type="ledger",
            document_id=review.id,
            signer_name=actor.name,
            signed_at=now,
            content_sha256=ledger.content_sha256,
            strokes=signature.strokes,
            png=signature.png,
        )
        audit.record(
            session,
            at=now,
            officer_id=actor.id,
            action="day_reviewed",
            entity_type="ledger",
            entity_id=day.isoformat(),
            after={
                "sha256": ledger.content_sha256,
                "rows": ledger.row_count,
                "signature": image_sha256,
                # The citizens' signatures on the notices this ledger lists: a signature
                # image later swapped with another one is told by these.
                "notice_signatures": _notice_signatures(session, ledger),
                **({"import": import_number} if import_number else {}),
            },
        )
        return image_sha256


def _notice_signatures(session: Session, ledger: Ledger) -> dict[str, str]:
    """Notice number → image hash of its citizen's signature, for the notices ``ledger`` lists."""
    numbers = {
        row.cells[0]
        for section in ledger.sections
        if section.key in ("notices", "prior_notices")
        for row in section.rows
    }
    if not numbers:
        return {}
    rows = session.execute(
        select(Notice.number, Signature.image_sha256)
        .join(
            Signature,
            (Signature.document_type == "notice") & (Signature.document_id == Notice.id),
        )
        .where(Notice.number.in_(sorted(numbers)))
    )
    return {number: digest for number, digest in rows}
