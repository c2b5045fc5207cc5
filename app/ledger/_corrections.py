"""Corrections (更正记录): a visit registered on a reviewed day is corrected by an addendum
(who, when, why, what changed), never in place; the ledger lists the addenda of its day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core import audit, day_lock, text_limits
from app.core.dto import SessionUser
from app.core.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from app.core.identity import IdType, check_citizen_name, check_phone, mask_phone
from app.core.roles import Permission, Role, allows
from app.core.service_base import load_station
from app.core.validation import clean_text
from app.ledger._base import LedgerBase, addenda_of
from app.ledger.dto import AddendumRow
from app.visits.rules import STATUS_LABELS, VisitStatus
from app.visits.service import next_number
from db.models import Addendum, DayReview, Officer, Visit, VisitTransition

# Corrections the ledger accepts: field → label. "void" voids a visit still only registered.
CORRECTABLE = {
    "citizen_name": "群众姓名",
    "phone": "联系电话",
    "summary": "事由摘要",
    "void": "作废登记",
}
VOID_PREFIX = "更正记录："


class Corrections(LedgerBase):
    """Corrections of reviewed days, as addenda."""

    def addenda(self, user: SessionUser, day: dt.date) -> list[AddendumRow]:
        """Corrections of a day (made later), oldest first."""
        with self._sessions.begin() as session:
            self._supervisor(session, user)
            return [_addendum_row(session, a) for a in addenda_of(session, day)]

    def correct(
        self, user: SessionUser, visit_id: int, field_name: str, new_value: str, reason: str
    ) -> AddendumRow:
        """更正记录 of a visit registered on a reviewed day: who, when, why, what changed."""
        if field_name not in CORRECTABLE:
            raise ValidationError("只能更正群众姓名、联系电话、事由摘要，或作废登记。", "field")
        why = clean_text(reason, field="reason", label="更正原因", max_len=text_limits.NOTE)
        if len(why) < 4:
            raise ValidationError("请写明更正原因（至少 4 个字）。", "reason")
        with self._writing() as session:
            actor = self._officer(session, user)
            visit = session.get(Visit, visit_id)
            if visit is None:
                raise NotFound("找不到该登记记录。")
            supervisor = allows(Role(actor.role), Permission.VIEW_ALL_VISITS)
            if not supervisor and actor.id not in (visit.first_officer_id, visit.owner_id):
                raise PermissionDenied("只有首接民警、当前负责民警或所领导可以登记更正。")
            locked = session.scalars(
                select(DayReview).where(DayReview.day == visit.local_date)
            ).first()
            if locked is None:
                raise ConflictError(
                    f"{visit.local_date.isoformat()} 的台账尚未审核锁定，无需登记更正记录。"
                )
            station = load_station(session)
            old, new, apply = _plan_correction(session, visit, field_name, new_value, why)
            if old == new:
                raise ValidationError("更正后的内容与原内容相同。", "new_value")
            now = self._clock.now()
            today = now.astimezone(ZoneInfo(station.timezone)).date()
            seq = next_number(session, "addendum", today.year)
            addendum = Addendum(
                number=f"{station.code}-GZJL-{today.year}-{seq:05d}",
                year=today.year,
                seq=seq,
                day=visit.local_date,
                made_on=today,
                at=now,
                officer_id=actor.id,
                entity_type="visit",
                entity_id=visit.id,
                entity_label=visit.serial,
                field=field_name,
                field_label=CORRECTABLE[field_name],
                old_value=old,
                new_value=new,
                reason=why,
            )
            # The addendum is written before the visit changes: the database lets a locked
            # registration change only while the newest addendum is of that visit.
            session.add(addendum)
            session.flush()
            # Only this path may change a locked day's registration.
            session.info[day_lock.CORRECTION_KEY] = True
            try:
                apply()
                session.flush()
            finally:
                session.info[day_lock.CORRECTION_KEY] = False
            audit.record(
                session,
                at=now,
                officer_id=actor.id,
                action="correction_recorded",
                entity_type="visit",
                entity_id=visit.serial,
                before={field_name: old},
                after={field_name: new, "reason": why, "addendum": addendum.number},
            )
            return _addendum_row(session, addendum)


def _addendum_row(session: Session, a: Addendum) -> AddendumRow:
    officer = session.get(Officer, a.officer_id)
    return AddendumRow(
        a.number, a.day, a.made_on, a.at, officer.name if officer else "", a.entity_label,
        a.field_label, a.old_value, a.new_value, a.reason,
    )  # fmt: skip


def _plan_correction(
    session: Session, visit: Visit, field_name: str, new_value: str, reason: str
) -> tuple[str, str, Callable[[], None]]:
    """The old and new values as text, and the change of the visit, made when called."""
    if field_name == "citizen_name":
        # Checked as at registration, by the visit's document (a passport's holder may have
        # a name in Latin letters, a 居民身份证 holder's is in Chinese characters).
        name = check_citizen_name(IdType(visit.id_type), new_value, field="new_value")
        old, new = visit.citizen_name, name

        def change() -> None:
            visit.citizen_name = name
    elif field_name == "phone":
        phone = check_phone(new_value, field="new_value")
        old, new = _masked_phone(visit.phone), _masked_phone(phone)

        def change() -> None:
            visit.phone = phone
    elif field_name == "summary":
        summary = clean_text(
            new_value,
            field="new_value",
            label="事由摘要",
            max_len=text_limits.SUMMARY,
            required=False,
        )
        old, new = visit.summary, summary

        def change() -> None:
            visit.summary = summary
    else:
        if visit.status != "registered":
            raise ConflictError("只有尚未受理的登记可以更正为作废；已受理的事项请按程序办理。")
        old, new = STATUS_LABELS[VisitStatus(visit.status)], "已作废"
        # The visit keeps its void reason as "更正记录：<reason>" in text_limits.REASON
        # characters: a longer reason is refused, not cut (the addendum keeps the reason whole).
        void_reason = f"{VOID_PREFIX}{reason}"
        room = text_limits.REASON - len(VOID_PREFIX)
        if len(void_reason) > text_limits.REASON:
            raise ValidationError(
                f"更正为作废时，更正原因最多 {room} 个字（现有 {len(reason)} 个），"
                f"它会作为作废原因记在登记上。",
                "reason",
            )

        def change() -> None:
            session.add(
                VisitTransition(
                    visit_id=visit.id,
                    at=session.info.get(day_lock.NOW_KEY),
                    officer_id=visit.owner_id,
                    from_status=visit.status,
                    to_status="voided",
                    reason=void_reason,
                )
            )
            visit.status = "voided"
            visit.void_reason = void_reason

    def apply() -> None:
        change()
        visit.row_version += 1

    return old, new, apply


def _masked_phone(phone: str) -> str:
    return mask_phone(phone) if phone else ""
