"""Who is responsible for a matter (首接责任制): 受理 by the owner, handovers offered, accepted,
declined or withdrawn, the chief's 指派, and matters whose owner left (无人负责)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from app.core import audit, text_limits
from app.core.dto import SessionUser
from app.core.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from app.core.roles import Permission, Role, allows
from app.core.service_base import load_station
from app.core.validation import clean_text
from app.visits._base import VisitBase
from app.visits._records import pending_handover
from app.visits._rows import Owner, handover_query, handover_row, row_query
from app.visits.dto import HandoverRow, VisitDetail, VisitRow
from app.visits.queries import is_open
from app.visits.rules import VisitStatus
from app.visits.succession import check_successor, offer_on_behalf, on_behalf_reason
from db.models import Handover, Officer, Visit, VisitTransition


def offer_handover(
    session: Session,
    actor: Officer,
    visit: Visit,
    to_officer_id: int,
    reason: str,
    now: dt.datetime,
) -> Handover:
    """Offer ``visit`` (owned by ``actor``, checked by the caller) to a colleague, audited; the
    owner stays responsible until the colleague accepts. ``reason`` is already cleaned."""
    if to_officer_id == actor.id:
        raise ValidationError("不能移交给自己。", "to_officer")
    receiver = session.get(Officer, to_officer_id)
    if receiver is None or not receiver.active:
        raise ValidationError("接收人不存在或账号已停用，请另选同事。", "to_officer")
    if not allows(Role(receiver.role), Permission.HANDLE_VISITS):
        raise ValidationError(
            f"{receiver.name}（{Role(receiver.role).label}）不办理窗口事项。", "to_officer"
        )
    if pending_handover(session, visit.id) is not None:
        raise ConflictError("该事项已有待接收的移交，请等对方处理或先撤回。")
    handover = Handover(
        visit_id=visit.id,
        from_officer_id=actor.id,
        to_officer_id=receiver.id,
        reason=reason,
        state="pending",
        created_at=now,
        decline_reason="",
    )
    session.add(handover)
    visit.row_version += 1
    session.flush()
    audit.record(
        session,
        at=now,
        officer_id=actor.id,
        action="handover_requested",
        entity_type="visit",
        entity_id=visit.serial,
        after={"handover": handover.id, "to": receiver.badge_no, "reason": reason},
    )
    return handover


class Ownership(VisitBase):
    """受理, handovers between colleagues, and the chief's say over who holds a matter."""

    def accept(self, user: SessionUser, visit_id: int, row_version: int) -> VisitDetail:
        """受理: the clock starts; the due date follows from the catalogue version's time limit."""
        with self._writing() as session:
            actor, visit = self._owned(session, user, visit_id, row_version)
            self._accept(session, actor, visit, self._clock.now())
            return self._detail(session, visit)

    # ---- handovers ----------------------------------------------------------------------

    def request_handover(
        self, user: SessionUser, visit_id: int, row_version: int, to_officer_id: int, reason: str
    ) -> VisitDetail:
        """Offer the matter to a colleague; the current owner stays responsible until accepted."""
        text = clean_text(reason, field="reason", label="移交原因", max_len=text_limits.REASON)
        with self._writing() as session:
            actor, visit = self._owned(session, user, visit_id, row_version)
            offer_handover(session, actor, visit, to_officer_id, text, self._clock.now())
            return self._detail(session, visit)

    def accept_handover(self, user: SessionUser, handover_id: int) -> VisitDetail:
        """The receiver accepts in their own session and becomes the owner."""
        with self._writing() as session:
            actor = self._require_case_work(session, user)
            handover = self._pending_for(session, handover_id)
            if handover.to_officer_id != actor.id:
                raise PermissionDenied("这条移交不是给您的，只能由接收人本人接收。")
            visit = session.get(Visit, handover.visit_id)
            assert visit is not None
            now = self._clock.now()
            handover.state, handover.decided_at = "accepted", now
            _change_owner(
                session, actor, visit, actor.id, f"接收移交：{handover.reason}",
                "handover_accepted", {"handover": handover.id}, now,
            )  # fmt: skip
            return self._detail(session, visit)

    def decline_handover(self, user: SessionUser, handover_id: int, reason: str) -> HandoverRow:
        """The receiver declines, saying why; the matter stays with its owner."""
        text = clean_text(reason, field="reason", label="拒收原因", max_len=text_limits.REASON)
        with self._writing() as session:
            actor = self._require_case_work(session, user)
            handover = self._pending_for(session, handover_id)
            if handover.to_officer_id != actor.id:
                raise PermissionDenied("这条移交不是给您的，只能由接收人本人处理。")
            return self._decide(session, actor, handover, "declined", text)

    def cancel_handover(self, user: SessionUser, handover_id: int) -> HandoverRow:
        """The owner withdraws a pending handover."""
        with self._writing() as session:
            actor = self._require_case_work(session, user)
            handover = self._pending_for(session, handover_id)
            if handover.from_officer_id != actor.id:
                raise PermissionDenied("只有发起移交的民警可以撤回。")
            return self._decide(session, actor, handover, "cancelled", "")

    def _pending_for(self, session: Session, handover_id: int) -> Handover:
        handover = session.get(Handover, handover_id)
        if handover is None:
            raise NotFound("找不到该移交记录。")
        if handover.state != "pending":
            raise ConflictError("该移交已处理过。")
        return handover

    def _decide(
        self, session: Session, actor: Officer, handover: Handover, state: str, reason: str
    ) -> HandoverRow:
        now = self._clock.now()
        handover.state, handover.decided_at, handover.decline_reason = state, now, reason
        visit = session.get(Visit, handover.visit_id)
        assert visit is not None
        visit.row_version += 1
        audit.record(
            session,
            at=now,
            officer_id=actor.id,
            action=f"handover_{state}",
            entity_type="visit",
            entity_id=visit.serial,
            after={"handover": handover.id, "reason": reason},
        )
        session.flush()
        row = session.execute(handover_query().where(Handover.id == handover.id)).one()
        return handover_row(row)

    # ---- the chief's say ----------------------------------------------------------------

    def reassign(
        self, user: SessionUser, visit_id: int, row_version: int, to_officer_id: int, reason: str
    ) -> VisitDetail:
        """The chief assigns an open matter to an officer (the owner left, fell ill …).

        The first-contact officer stays on record; a pending handover is withdrawn.
        """
        text = clean_text(reason, field="reason", label="指派原因", max_len=text_limits.REASON)
        with self._writing() as session:
            actor = self._officer(session, user)
            if not allows(Role(actor.role), Permission.VIEW_ALL_VISITS):
                raise PermissionDenied("只有所长、副所长可以指派事项；同事之间请用移交。")
            visit = session.get(Visit, visit_id)
            if visit is None:
                raise NotFound("找不到该登记记录。")
            if visit.row_version != row_version:
                raise ConflictError("该事项刚被其他窗口修改过，已为您刷新，请核对后重试。")
            if not VisitStatus(visit.status).is_open:
                raise ConflictError(f"该事项已{VisitStatus(visit.status).label}，无需指派。")
            receiver = session.get(Officer, to_officer_id)
            if receiver is None or not receiver.active:
                raise ValidationError("接收人不存在或账号已停用，请另选。", "to_officer")
            if not allows(Role(receiver.role), Permission.HANDLE_VISITS):
                raise ValidationError(
                    f"{receiver.name}（{Role(receiver.role).label}）不办理窗口事项。", "to_officer"
                )
            if receiver.id == visit.owner_id:
                raise ValidationError(f"该事项已由{receiver.name}负责。", "to_officer")
            now = self._clock.now()
            pending = pending_handover(session, visit.id)
            if pending is not None:
                pending.state, pending.decided_at = "cancelled", now
                pending.decline_reason = "所长已另行指派"
            _change_owner(
                session, actor, visit, receiver.id, f"指派给{receiver.name}：{text}",
                "visit_reassigned", {"reason": text}, now,
            )  # fmt: skip
            return self._detail(session, visit)

    def orphaned_matters(self, user: SessionUser) -> list[VisitRow]:
        """Open matters whose owner's account is inactive (无人负责), due first.

        Each row names the colleague a pending handover waits for, if any. For the chief and
        deputy, who decide who takes such a matter over.
        """
        with self._sessions.begin() as session:
            actor = self._officer(session, user)
            if not allows(Role(actor.role), Permission.VIEW_ALL_VISITS):
                raise PermissionDenied("只有所长、副所长可以查看无人负责的在办事项。")
            tz = ZoneInfo(load_station(session).timezone)
            local_today = self._clock.now().astimezone(tz).date()
            query = (
                row_query()
                .where(is_open())
                .where(Owner.active.is_(False))
                .order_by(Visit.due_date.is_(None), Visit.due_date, Visit.arrived_at)
            )
            return self._rows(session, query, local_today)

    def hand_over_orphan(
        self, user: SessionUser, visit_id: int, row_version: int, to_officer_id: int, note: str
    ) -> VisitDetail:
        """The chief offers a matter whose owner left to a colleague, on the owner's behalf.

        Unlike 指派 the colleague must accept it in their own session (or decline it, and the
        matter stays listed as 无人负责); an offer still waiting for someone else is withdrawn.
        """
        text = clean_text(
            note,
            field="reason",
            label="移交说明",
            max_len=text_limits.HANDOVER_NOTE,
            required=False,
        )
        with self._writing() as session:
            actor = self._officer(session, user)
            if not allows(Role(actor.role), Permission.VIEW_ALL_VISITS):
                raise PermissionDenied("只有所长、副所长可以代为移交无人负责的事项。")
            visit = session.get(Visit, visit_id)
            if visit is None:
                raise NotFound("找不到该登记记录。")
            if visit.row_version != row_version:
                raise ConflictError("该事项刚被其他窗口修改过，已为您刷新，请核对后重试。")
            if not VisitStatus(visit.status).is_open:
                raise ConflictError(f"该事项已{VisitStatus(visit.status).label}，无需移交。")
            owner = session.get(Officer, visit.owner_id)
            assert owner is not None
            if owner.active:
                raise ConflictError(
                    f"该事项由在岗的{owner.name}负责，请由其本人移交；确需改派请用“指派”。"
                )
            receiver = check_successor(session, to_officer_id, owner)
            now = self._clock.now()
            reason = on_behalf_reason(actor, owner, text)
            offer_on_behalf(session, actor, visit, owner, receiver, reason, now)
            return self._detail(session, visit)


def _change_owner(
    session: Session,
    actor: Officer,
    visit: Visit,
    owner_id: int,
    reason: str,
    action: str,
    extra: dict[str, Any],
    now: dt.datetime,
) -> None:
    """A new owner: kept in the history (status unchanged) and in the audit chain."""
    previous = visit.owner_id
    visit.owner_id = owner_id
    visit.row_version += 1
    session.add(
        VisitTransition(
            visit_id=visit.id,
            at=now,
            officer_id=actor.id,
            from_status=visit.status,
            to_status=visit.status,
            reason=reason,
        )
    )
    audit.record(
        session,
        at=now,
        officer_id=actor.id,
        action=action,
        entity_type="visit",
        entity_id=visit.serial,
        before={"owner": previous},
        after={"owner": owner_id, **extra},
    )
