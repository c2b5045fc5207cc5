"""Officer accounts: list, add, edit, deactivate and reactivate, reset passwords. Never delete."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased, sessionmaker

from app import audit
from app.clock import Clock
from app.dto import (
    DepartureDetail,
    NewOfficer,
    OfficerChanges,
    OfficerRow,
    OpenMatterRow,
    SessionUser,
)
from app.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from app.identity import mask_name
from app.passwords import PasswordHashing, check_password_rules
from app.roles import Permission, Role, allows
from app.service_base import ServiceBase
from app.succession import (
    OPEN_STATUS_VALUES,
    check_successor,
    offer_on_behalf,
    on_behalf_reason,
)
from app.validation import clean_phone, clean_text
from app.visit_rules import VisitStatus
from db.models import Handover, Officer, ServiceItemVersion, Visit

_BADGE = re.compile(r"^[A-Z0-9]{2,20}$")
_NAME = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0002ebefA-Za-z·・ ]+$")
ADMIN_ROLES = (Role.CHIEF.value, Role.ADMIN.value)


def clean_badge(value: str) -> str:
    """A badge number (警号) in upper case: letters and digits only."""
    badge = (value or "").strip().upper()
    if not badge:
        raise ValidationError("请填写警号。", "badge_no")
    if len(badge) > 20:
        raise ValidationError("警号不能超过 20 位。", "badge_no")
    if not _BADGE.match(badge):
        raise ValidationError("警号只能由字母和数字组成，至少 2 位。", "badge_no")
    return badge


def clean_officer_name(value: str) -> str:
    """An officer's name: Chinese characters, letters and the middle dot."""
    name = clean_text(value, field="name", label="姓名", max_len=30)
    if not _NAME.match(name):
        raise ValidationError("姓名只能包含汉字、字母和间隔号“·”。", "name")
    return name


def officer_snapshot(officer: Officer) -> dict[str, Any]:
    """The audited fields of an officer (never the password hash)."""
    return {
        "badge_no": officer.badge_no,
        "name": officer.name,
        "role": officer.role,
        "phone": officer.phone,
        "active": officer.active,
    }


class OfficerService(ServiceBase):
    """Staff administration for the chief and the administrator."""

    def __init__(
        self, sessions: sessionmaker[Session], clock: Clock, hashing: PasswordHashing
    ) -> None:
        super().__init__(sessions, clock)
        self._hashing = hashing

    def list_officers(self, user: SessionUser, include_inactive: bool = True) -> list[OfficerRow]:
        """Every officer, active first, by badge number."""
        with self._sessions.begin() as session:
            self._officer(session, user)
            query = select(Officer).order_by(Officer.active.desc(), Officer.badge_no)
            if not include_inactive:
                query = query.where(Officer.active.is_(True))
            return [_row(o) for o in session.scalars(query)]

    def add_officer(self, user: SessionUser, new: NewOfficer) -> OfficerRow:
        """Create an account; the officer must change the initial password at first login."""
        badge = clean_badge(new.badge_no)
        name = clean_officer_name(new.name)
        phone = clean_phone(new.phone, field="phone", label="联系电话")
        role = Role(new.role)
        check_password_rules(new.password)
        with self._writing() as session:
            actor = self._require(session, user, Permission.MANAGE_OFFICERS)
            exists = session.scalars(select(Officer.id).where(Officer.badge_no == badge)).first()
            if exists is not None:
                raise ValidationError(f"警号 {badge} 已存在，请核对。", "badge_no")
            officer = insert_officer(
                session, self._hashing, badge, name, role, new.password, phone, self._clock.now()
            )
            officer.must_change_password = new.must_change_password
            audit.record(
                session,
                at=self._clock.now(),
                officer_id=actor.id,
                action="officer_added",
                entity_type="officer",
                entity_id=officer.id,
                after=officer_snapshot(officer),
            )
            return _row(officer)

    def update_officer(
        self, user: SessionUser, officer_id: int, changes: OfficerChanges
    ) -> OfficerRow:
        """Change name, role or phone."""
        name = clean_officer_name(changes.name)
        phone = clean_phone(changes.phone, field="phone", label="联系电话")
        role = Role(changes.role)
        with self._writing() as session:
            actor = self._require(session, user, Permission.MANAGE_OFFICERS)
            officer = _get(session, officer_id)
            before = officer_snapshot(officer)
            if officer.role in ADMIN_ROLES and role.value not in ADMIN_ROLES:
                _keep_one_administrator(session, officer)
            officer.name, officer.phone, officer.role = name, phone, role.value
            audit.record(
                session,
                at=self._clock.now(),
                officer_id=actor.id,
                action="officer_updated",
                entity_type="officer",
                entity_id=officer.id,
                before=before,
                after=officer_snapshot(officer),
            )
            return _row(officer)

    def departure(self, user: SessionUser, officer_id: int) -> DepartureDetail:
        """Before deactivating: the officer's open matters and the colleagues who may take them."""
        with self._sessions.begin() as session:
            actor = self._require(session, user, Permission.MANAGE_OFFICERS)
            officer = _get(session, officer_id)
            colleagues = tuple(
                (o.id, f"{o.name}（{Role(o.role).label}，{o.badge_no}）")
                for o in session.scalars(
                    select(Officer)
                    .where(Officer.active.is_(True), Officer.id != officer.id)
                    .order_by(Officer.badge_no)
                )
                if allows(Role(o.role), Permission.HANDLE_VISITS)
            )
            return DepartureDetail(
                officer=_row(officer),
                matters=tuple(_open_matters(session, officer.id)),
                colleagues=colleagues,
                may_reassign=allows(Role(actor.role), Permission.VIEW_ALL_VISITS),
            )

    def set_active(
        self,
        user: SessionUser,
        officer_id: int,
        active: bool,
        plan: Mapping[int, int] | None = None,
    ) -> OfficerRow:
        """Deactivate (停用) or reactivate an account; records keep their officers either way.

        An officer who still owns open matters is deactivated only with a ``plan``: for each
        of those matters (visit id → colleague's officer id) a pending handover is offered on
        the officer's behalf, which the colleague accepts or declines in their own session.
        A matter the officer already offered to a colleague may be left out: that offer stays.
        """
        with self._writing() as session:
            actor = self._require(session, user, Permission.MANAGE_OFFICERS)
            officer = _get(session, officer_id)
            if officer.active == active:
                state = "已启用" if active else "已停用"
                raise ConflictError(f"{officer.name}的账号{state}，无需重复操作。")
            if active and plan:
                raise ValidationError("启用账号无需指定接手人。", "plan")
            if not active:
                if officer.id == actor.id:
                    raise ConflictError("不能停用自己正在使用的账号。")
                if officer.role in ADMIN_ROLES:
                    _keep_one_administrator(session, officer)
            now = self._clock.now()
            handed = (
                [] if active else _hand_over_all(session, actor, officer, dict(plan or {}), now)
            )
            before = officer_snapshot(officer)
            officer.active = active
            if not active:
                _withdraw_handovers_to(session, officer, actor.id, now)
            after = officer_snapshot(officer)
            if handed:
                after["handed_over"] = handed
            audit.record(
                session,
                at=now,
                officer_id=actor.id,
                action="officer_activated" if active else "officer_deactivated",
                entity_type="officer",
                entity_id=officer.id,
                before=before,
                after=after,
            )
            return _row(officer)

    def reset_password(self, user: SessionUser, officer_id: int, new_password: str) -> None:
        """Set a temporary password, lift any lock; the officer must change it at next login."""
        check_password_rules(new_password)
        with self._writing() as session:
            actor = self._require(session, user, Permission.MANAGE_OFFICERS)
            officer = _get(session, officer_id)
            officer.password_hash = self._hashing.hash(new_password)
            officer.must_change_password = officer.id != actor.id
            officer.failed_attempts = 0
            officer.locked_until = None
            audit.record(
                session,
                at=self._clock.now(),
                officer_id=actor.id,
                action="password_reset",
                entity_type="officer",
                entity_id=officer.id,
            )


def insert_officer(
    session: Session,
    hashing: PasswordHashing,
    badge: str,
    name: str,
    role: Role,
    password: str,
    phone: str,
    now: Any,
) -> Officer:
    """Add an officer row (validated by the caller) and flush it to get its id."""
    officer = Officer(
        badge_no=badge,
        name=name,
        role=role.value,
        phone=phone,
        password_hash=hashing.hash(password),
        must_change_password=False,
        active=True,
        failed_attempts=0,
        created_at=now,
    )
    session.add(officer)
    session.flush()
    return officer


def _withdraw_handovers_to(
    session: Session, officer: Officer, actor_id: int, now: dt.datetime
) -> None:
    """A deactivated officer can accept nothing: their pending handovers are withdrawn."""
    for handover in session.scalars(
        select(Handover).where(Handover.to_officer_id == officer.id, Handover.state == "pending")
    ):
        handover.state, handover.decided_at = "cancelled", now
        handover.decline_reason = f"{officer.name}的账号已停用，移交自动撤回"
        audit.record(
            session,
            at=now,
            officer_id=actor_id,
            action="handover_cancelled",
            entity_type="handover",
            entity_id=handover.id,
            after={"reason": handover.decline_reason},
        )


Receiver = aliased(Officer, name="receiver")
PendingHandover = aliased(Handover, name="pending_handover")


def _open_matters(session: Session, officer_id: int) -> list[OpenMatterRow]:
    """The officer's open matters, due first, with any handover they already offered."""
    query = (
        select(Visit, ServiceItemVersion.name, PendingHandover.to_officer_id, Receiver.name)
        .join(ServiceItemVersion, ServiceItemVersion.id == Visit.service_version_id)
        .outerjoin(
            PendingHandover,
            and_(PendingHandover.visit_id == Visit.id, PendingHandover.state == "pending"),
        )
        .outerjoin(Receiver, Receiver.id == PendingHandover.to_officer_id)
        .where(Visit.owner_id == officer_id, Visit.status.in_(OPEN_STATUS_VALUES))
        .order_by(Visit.due_date.is_(None), Visit.due_date, Visit.arrived_at, Visit.id)
    )
    return [
        OpenMatterRow(
            visit_id=visit.id,
            serial=visit.serial,
            service_name=service_name,
            citizen_masked=mask_name(visit.citizen_name),
            status=VisitStatus(visit.status),
            due_date=visit.due_date,
            pending_to_id=pending_to,
            pending_to_name=receiver_name or "",
        )
        for visit, service_name, pending_to, receiver_name in session.execute(query)
    ]


def _hand_over_all(
    session: Session, actor: Officer, officer: Officer, plan: dict[int, int], now: dt.datetime
) -> list[str]:
    """Offer each open matter of a departing officer to the colleague the plan names.

    Everything is checked before anything is written; the caller's transaction makes the
    offers and the deactivation one step. Returns the serials offered.
    """
    matters = _open_matters(session, officer.id)
    if not matters:
        if plan:
            raise ConflictError(f"{officer.name}名下已没有在办事项，请刷新后重试。")
        return []
    missing = [m.serial for m in matters if m.visit_id not in plan and m.pending_to_id is None]
    if not plan and not missing:
        return []  # every matter already waits for a colleague the officer chose
    if not allows(Role(actor.role), Permission.VIEW_ALL_VISITS):
        raise PermissionDenied(
            f"{officer.name}名下还有 {len(matters)} 件在办事项，"
            "须由所长停用该账号并为每件事项指定接手同事。"
        )
    by_id = {m.visit_id: m for m in matters}
    stale = [visit_id for visit_id in plan if visit_id not in by_id]
    if stale:
        raise ConflictError(
            f"所选事项中有 {len(stale)} 件已办结或已不由{officer.name}负责，请刷新后重新选择。"
        )
    if missing:
        if not plan:
            waiting = f"（其中 {len(missing)} 件尚未移交）" if len(missing) < len(matters) else ""
            raise ConflictError(
                f"{officer.name}名下还有 {len(matters)} 件在办事项{waiting}，停用前须为每件事项"
                "指定接手的同事（以您的名义移交，对方接收后负责）。"
                "请在“人员管理”中点击“停用”，逐件选择接手人。"
            )
        shown = "、".join(missing[:3]) + ("等" if len(missing) > 3 else "")
        raise ValidationError(
            f"还有 {len(missing)} 件在办事项未选择接手人（{shown}），请逐件选择后再停用。",
            "plan",
        )
    receivers = {
        visit_id: check_successor(session, to_id, officer, by_id[visit_id].serial)
        for visit_id, to_id in plan.items()
    }
    reason = on_behalf_reason(actor, officer)
    offered: list[str] = []
    for m in matters:
        receiver = receivers.get(m.visit_id)
        if receiver is None:
            continue  # the officer's own offer, still waiting for its receiver, stays
        visit = session.get(Visit, m.visit_id)
        assert visit is not None
        offer_on_behalf(session, actor, visit, officer, receiver, reason, now)
        offered.append(m.serial)
    return offered


def _get(session: Session, officer_id: int) -> Officer:
    officer = session.get(Officer, officer_id)
    if officer is None:
        raise NotFound("找不到该人员，请刷新列表。")
    return officer


def _keep_one_administrator(session: Session, leaving: Officer) -> None:
    others = session.scalar(
        select(func.count())
        .select_from(Officer)
        .where(Officer.active.is_(True), Officer.role.in_(ADMIN_ROLES), Officer.id != leaving.id)
    )
    if not others:
        raise ConflictError("本所至少要保留一名在用的所长或系统管理员账号。")


def _row(o: Officer) -> OfficerRow:
    return OfficerRow(
        id=o.id,
        badge_no=o.badge_no,
        name=o.name,
        role=Role(o.role),
        phone=o.phone,
        active=o.active,
        locked_until=o.locked_until,
        must_change_password=o.must_change_password,
    )
