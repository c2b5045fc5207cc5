"""Officer accounts: list, add, edit, deactivate and reactivate, reset passwords. Never delete."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased, sessionmaker

from app.core import audit, text_limits
from app.core.clock import Clock
from app.core.dto import SessionUser
from app.core.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from app.core.identity import is_ideograph, mask_name
from app.core.passwords import PasswordHashing, check_password_rules, check_repeat
from app.core.roles import Permission, Role, allows
from app.core.service_base import ServiceBase
from app.core.validation import Collector, clean_phone, clean_text, code_text
from app.officers.dto import (
    DepartureDetail,
    NewOfficer,
    OfficerChanges,
    OfficerRow,
    OpenMatterRow,
    RoleRequestRow,
)
from app.visits.queries import held_by
from app.visits.rules import VisitStatus
from app.visits.succession import (
    check_successor,
    offer_on_behalf,
    on_behalf_reason,
)
from db.models import AuditEvent, Handover, Officer, ServiceItemVersion, Station, Visit

_BADGE = re.compile(r"^[A-Z0-9]{2,20}$")
ADMIN_ROLES = (Role.CHIEF.value, Role.ADMIN.value)
# The roles that run the station's accounts. Giving one, or taking one away, is for the chief
# (所长); without him, one administrator asks and a different one confirms. Nobody changes
# their own role. Otherwise one administrator could make himself, or a second account of his,
# 所长 or 系统管理员 and walk round every rule the roles keep.
GUARDED_ROLES = (Role.CHIEF, Role.ADMIN)
REQUEST_DAYS = 7
ROLE_REQUESTED = "role_change_requested"
ROLE_CONFIRMED = "role_change_confirmed"
ROLE_WITHDRAWN = "role_change_withdrawn"
_ROLE_EVENTS = (ROLE_REQUESTED, ROLE_CONFIRMED, ROLE_WITHDRAWN)
OWN_ROLE = "不能修改自己的角色，须由所长办理（或由一名系统管理员申请、另一名系统管理员确认）。"
TWO_ADMINISTRATORS = (
    "须由所长办理；或由一名系统管理员在“人员管理”中点“申请变更角色”，"
    f"另一名系统管理员在 {REQUEST_DAYS} 天内确认后生效。"
)


def clean_badge(value: str) -> str:
    """A badge number (警号) in upper case: letters and digits only."""
    badge = code_text(value)
    if not badge:
        raise ValidationError("请填写警号。", "badge_no")
    if len(badge) > 20:
        raise ValidationError("警号不能超过 20 位。", "badge_no")
    if not _BADGE.match(badge):
        raise ValidationError("警号只能由字母和数字组成，至少 2 位。", "badge_no")
    return badge


def clean_officer_name(value: str) -> str:
    """An officer's name: Chinese characters (every extension and the compatibility
    ideographs, as a citizen's name), letters and the middle dot."""
    name = clean_text(value, field="name", label="姓名", max_len=text_limits.OFFICER_NAME)
    if not all(is_ideograph(c) or (c.isascii() and c.isalpha()) or c in "·・ " for c in name):
        raise ValidationError("姓名只能包含汉字、字母和间隔号“·”。", "name")
    return name


def _station_code(session: Session) -> str:
    """The station's code (a password may not hold it); empty before the first set-up."""
    station = session.get(Station, 1)
    return station.code if station is not None else ""


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

    def add_officer(
        self, user: SessionUser, new: NewOfficer, repeat: str | None = None
    ) -> OfficerRow:
        """Create an account; the officer must change the initial password at first login.

        Every wrong field is named at once (ValidationErrors); ``repeat`` is the password
        typed a second time, when the form asks for it.
        """
        role = Role(new.role)
        with self._writing() as session:
            actor = self._require(session, user, Permission.MANAGE_OFFICERS)
            errors = Collector()
            badge = errors.check(lambda: clean_badge(new.badge_no), new.badge_no)
            if (
                not errors.failed("badge_no")
                and session.scalars(select(Officer.id).where(Officer.badge_no == badge)).first()
            ):
                errors.add(ValidationError(f"警号 {badge} 已存在，请核对。", "badge_no"))
            name = errors.check(lambda: clean_officer_name(new.name), new.name)
            phone = errors.check(
                lambda: clean_phone(new.phone, field="phone", label="联系电话"), ""
            )
            errors.check(
                lambda: check_password_rules(
                    new.password, badge=badge, name=name, station_code=_station_code(session)
                ),
                None,
            )
            errors.check(lambda: check_repeat(new.password, repeat), None)
            errors.done()
            basis = ""
            if role in GUARDED_ROLES:
                basis = _may_grant(session, actor, None, role)
                if not basis:
                    raise PermissionDenied(
                        f"{Role(actor.role).label}不能单独新建{role.label}账号：可先以其他角色"
                        f"建立账号，再变更角色，{TWO_ADMINISTRATORS}",
                        "role",
                    )
            officer = insert_officer(
                session, self._hashing, badge, name, role, new.password, phone, self._clock.now()
            )
            officer.must_change_password = new.must_change_password
            after = officer_snapshot(officer)
            if basis:
                after["basis"] = basis
            audit.record(
                session,
                at=self._clock.now(),
                officer_id=actor.id,
                action="officer_added",
                entity_type="officer",
                entity_id=officer.id,
                after=after,
            )
            return _row(officer)

    def update_officer(
        self, user: SessionUser, officer_id: int, changes: OfficerChanges
    ) -> OfficerRow:
        """Change name, role or phone.

        Nobody changes their own role; giving or taking away 所长 or 系统管理员 is for the
        chief (an administrator asks with ``request_role_change`` and a second one confirms).
        """
        errors = Collector()
        name = errors.check(lambda: clean_officer_name(changes.name), changes.name)
        phone = errors.check(
            lambda: clean_phone(changes.phone, field="phone", label="联系电话"), changes.phone
        )
        errors.done()
        role = Role(changes.role)
        with self._writing() as session:
            actor = self._require(session, user, Permission.MANAGE_OFFICERS)
            officer = _get(session, officer_id)
            before = officer_snapshot(officer)
            old = Role(officer.role)
            basis = ""
            if role is not old:
                if officer.id == actor.id:
                    raise PermissionDenied(OWN_ROLE, "role")
                if old in GUARDED_ROLES or role in GUARDED_ROLES:
                    basis = _may_grant(session, actor, old, role)
                    if not basis:
                        raise PermissionDenied(
                            f"{Role(actor.role).label}不能单独{_change_text(old, role)}，"
                            f"{TWO_ADMINISTRATORS}",
                            "role",
                        )
            if officer.role in ADMIN_ROLES and role.value not in ADMIN_ROLES:
                _keep_one_administrator(session, officer)
            officer.name, officer.phone, officer.role = name, phone, role.value
            after = officer_snapshot(officer)
            if basis:
                after["basis"] = basis
            audit.record(
                session,
                at=self._clock.now(),
                officer_id=actor.id,
                action="officer_updated",
                entity_type="officer",
                entity_id=officer.id,
                before=before,
                after=after,
            )
            return _row(officer)

    # ---- a guarded role by two administrators -------------------------------------------

    def request_role_change(
        self, user: SessionUser, officer_id: int, role: Role, reason: str
    ) -> RoleRequestRow:
        """An administrator asks to give or take away 所长 or 系统管理员; a second confirms.

        The request is an audit event; it lapses after ``REQUEST_DAYS`` days, when the officer's
        role or state changes, or when a newer request for the same officer replaces it.
        """
        new = Role(role)
        why = clean_text(reason, field="reason", label="申请理由", max_len=text_limits.REASON)
        if len(why) < 4:
            raise ValidationError(
                "请写明申请理由（至少 4 个字），如：原所长调离，经分局任命。", "reason"
            )
        with self._writing() as session:
            actor = self._require(session, user, Permission.MANAGE_OFFICERS)
            officer = _get(session, officer_id)
            old = Role(officer.role)
            if officer.id == actor.id:
                raise PermissionDenied(OWN_ROLE, "role")
            if not officer.active:
                raise ConflictError(f"{officer.name}的账号已停用，不能变更角色。")
            if new is old:
                raise ValidationError(f"{officer.name}现在就是{old.label}。", "role")
            if old not in GUARDED_ROLES and new not in GUARDED_ROLES:
                raise ValidationError(
                    "只有任免所长、系统管理员需要第二人确认；这一变更请直接点“修改”保存。", "role"
                )
            if Role(actor.role) is Role.CHIEF:
                raise ValidationError("所长可直接点“修改”变更角色，无需申请。", "role")
            audit.record(
                session,
                at=self._clock.now(),
                officer_id=actor.id,
                action=ROLE_REQUESTED,
                entity_type="officer",
                entity_id=officer.id,
                before={"role": old.value},
                after={"role": new.value, "reason": why},
            )
        # Read back once committed: the request's id is its audit event's.
        with self._sessions.begin() as session:
            for row in _pending(session, self._clock.now()):
                if row.officer_id == officer_id:
                    return row
        raise ConflictError("申请刚被另一窗口的操作取代，请刷新后查看。")

    def pending_role_changes(self, user: SessionUser) -> list[RoleRequestRow]:
        """Requests still waiting for a second administrator, oldest first."""
        with self._sessions.begin() as session:
            self._require(session, user, Permission.MANAGE_OFFICERS)
            return _pending(session, self._clock.now())

    def confirm_role_change(self, user: SessionUser, request_id: int) -> OfficerRow:
        """A second administrator (or the chief) confirms: the role changes, both are audited."""
        with self._writing() as session:
            actor = self._require(session, user, Permission.MANAGE_OFFICERS)
            request = _pending_one(session, self._clock.now(), request_id)
            if request.requested_by_id == actor.id:
                raise PermissionDenied(
                    "申请须由另一名系统管理员（或所长）确认，申请人不能自己确认。"
                )
            officer = _get(session, request.officer_id)
            if officer.id == actor.id:
                raise PermissionDenied(OWN_ROLE, "role")
            before = officer_snapshot(officer)
            if officer.role in ADMIN_ROLES and request.to_role.value not in ADMIN_ROLES:
                _keep_one_administrator(session, officer)
            officer.role = request.to_role.value
            audit.record(
                session,
                at=self._clock.now(),
                officer_id=actor.id,
                action=ROLE_CONFIRMED,
                entity_type="officer",
                entity_id=officer.id,
                before=before,
                after={
                    **officer_snapshot(officer),
                    "request": request.id,
                    "requested_by": request.requested_by_id,
                },
            )
            return _row(officer)

    def withdraw_role_change(self, user: SessionUser, request_id: int) -> None:
        """The requester withdraws it, or another administrator (or the chief) turns it down."""
        with self._writing() as session:
            actor = self._require(session, user, Permission.MANAGE_OFFICERS)
            request = _pending_one(session, self._clock.now(), request_id)
            audit.record(
                session,
                at=self._clock.now(),
                officer_id=actor.id,
                action=ROLE_WITHDRAWN,
                entity_type="officer",
                entity_id=request.officer_id,
                after={"request": request.id, "role": request.to_role.value},
            )

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
                held = Role(officer.role)
                # Stopping a 所长's or 系统管理员's account takes that role away as surely as a
                # role change: the same authority (the chief, or two administrators by
                # changing the role first), or one administrator could shut out the chief.
                if held in GUARDED_ROLES and not _may_grant(session, actor, held, Role.WINDOW):
                    raise PermissionDenied(
                        f"{Role(actor.role).label}不能单独停用{held.label}的账号。"
                        f"请先免去其{held.label}角色（{TWO_ADMINISTRATORS}），再停用。",
                        "active",
                    )
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

    def reset_password(
        self, user: SessionUser, officer_id: int, new_password: str, repeat: str | None = None
    ) -> None:
        """Set a temporary password, lift any lock; the officer must change it at next login.

        The temporary password follows the same rules (not common, not holding that
        officer's badge number or name in pinyin, nor the station code).
        """
        with self._writing() as session:
            actor = self._require(session, user, Permission.MANAGE_OFFICERS)
            officer = _get(session, officer_id)
            errors = Collector()
            errors.check(
                lambda: check_password_rules(
                    new_password,
                    badge=officer.badge_no,
                    name=officer.name,
                    station_code=_station_code(session),
                ),
                None,
            )
            errors.check(lambda: check_repeat(new_password, repeat), None)
            errors.done()
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
        .where(held_by(officer_id))
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


def _may_grant(session: Session, actor: Officer, old: Role | None, new: Role) -> str:
    """On what ground ``actor`` alone may give ``new`` (or take ``old`` away): "chief", or
    "first_chief" when an administrator appoints the station's first 所长 (the station was set
    up with an administrator, who could have chosen 所长 there); "" when he may not."""
    if Role(actor.role) is Role.CHIEF:
        return "chief"
    if new is Role.CHIEF:
        chiefs = session.scalar(
            select(func.count()).select_from(Officer).where(Officer.role == Role.CHIEF.value)
        )
        if not chiefs:
            return "first_chief"
    return ""


def _change_text(old: Role, new: Role) -> str:
    """任命所长 / 免去系统管理员: what a guarded role change does, in words."""
    if new in GUARDED_ROLES:
        return f"任命{new.label}"
    return f"免去{old.label}"


def _request_row(event: AuditEvent, officer: Officer, requester: Officer) -> RoleRequestRow:
    before = json.loads(event.before_json or "{}")
    after = json.loads(event.after_json or "{}")
    return RoleRequestRow(
        id=event.id,
        officer_id=officer.id,
        officer_name=officer.name,
        badge_no=officer.badge_no,
        from_role=Role(before["role"]),
        to_role=Role(after["role"]),
        requested_by_id=requester.id,
        requested_by=requester.name,
        requested_at=event.at,
        reason=str(after.get("reason", "")),
    )


def _pending(session: Session, now: dt.datetime) -> list[RoleRequestRow]:
    """The last role event of each officer in the window, where it is a request still valid.

    Read through the (entity_type, entity_id) index, one range per officer: a station has tens
    of officers, not the whole audit log.
    """
    officers = {o.id: o for o in session.scalars(select(Officer))}
    since = now - dt.timedelta(days=REQUEST_DAYS)
    last: dict[str, AuditEvent] = {}
    for event in session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.entity_type == "officer",
            AuditEvent.entity_id.in_([str(i) for i in officers]),
            AuditEvent.action.in_(_ROLE_EVENTS),
            AuditEvent.at >= since,
        )
        .order_by(AuditEvent.id)
    ):
        last[event.entity_id] = event
    rows: list[RoleRequestRow] = []
    for event in last.values():
        officer = officers[int(event.entity_id)]
        requester = officers.get(event.officer_id or 0)
        if event.action != ROLE_REQUESTED or requester is None:
            continue
        row = _request_row(event, officer, requester)
        # Lapsed when the officer's role changed meanwhile, either account was deactivated or
        # the requester is no longer an administrator.
        if (
            officer.active
            and requester.active
            and Role(requester.role) in GUARDED_ROLES
            and Role(officer.role) is row.from_role
        ):
            rows.append(row)
    return sorted(rows, key=lambda r: r.id)


def _pending_one(session: Session, now: dt.datetime, request_id: int) -> RoleRequestRow:
    for row in _pending(session, now):
        if row.id == request_id:
            return row
    raise ConflictError(
        f"该角色变更申请已失效（已确认、已撤回、被新的申请取代、人员角色已变或超过 "
        f"{REQUEST_DAYS} 天），请刷新后查看。"
    )


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
