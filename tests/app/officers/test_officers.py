"""Officer accounts and the role checks of every administrative use case."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pytest

from app.core.dto import SessionUser
from app.core.errors import (
    AuthenticationError,
    ConflictError,
    PermissionDenied,
    ValidationError,
    ValidationErrors,
)
from app.core.roles import Role
from app.officers.dto import NewOfficer, OfficerChanges
from app.officers.service import OfficerService
from app.services import Services
from app.station.dto import StationSettings
from db.models import HolidayOverride, Officer, ServiceItem, ServiceItemVersion
from tests.app.helpers import valid_draft
from tests.conftest import TEST_PASSWORD

AuditLog = Callable[[], list[dict[str, Any]]]
Count = Callable[[type], int]
MakeOfficer = Callable[..., SessionUser]


@dataclass(frozen=True)
class Target:
    """What the administrative calls act on."""

    officer_id: int
    item_id: int


@pytest.fixture
def target(services: Services, chief: SessionUser, make_officer: MakeOfficer) -> Target:
    """A window officer and a catalogue matter to act on, and one holiday override to remove."""
    victim = make_officer(Role.WINDOW, "李被管")
    item = services.catalogue.list_items("SFZ-SL")[0]
    services.holidays.set_days(chief, dt.date(2027, 5, 3), dt.date(2027, 5, 3), False, "劳动节")
    return Target(victim.officer_id, item.item_id)


def _add_officer(s: Services, user: SessionUser, t: Target) -> None:
    s.officers.add_officer(user, NewOfficer("300001", "新同事", Role.WINDOW, TEST_PASSWORD))


def _update_officer(s: Services, user: SessionUser, t: Target) -> None:
    s.officers.update_officer(user, t.officer_id, OfficerChanges("李被管", Role.AUXILIARY, ""))


def _deactivate(s: Services, user: SessionUser, t: Target) -> None:
    s.officers.set_active(user, t.officer_id, False)


def _reset_password(s: Services, user: SessionUser, t: Target) -> None:
    s.officers.reset_password(user, t.officer_id, "Temp12345")


def _create_item(s: Services, user: SessionUser, t: Target) -> None:
    s.catalogue.create_item(user, "TEST-01", valid_draft())


def _save_new_version(s: Services, user: SessionUser, t: Target) -> None:
    draft = s.catalogue.get_item(t.item_id).draft
    s.catalogue.save_new_version(user, t.item_id, 1, replace(draft, hours="全天"), "调整时间")


def _retire_item(s: Services, user: SessionUser, t: Target) -> None:
    s.catalogue.set_active(user, t.item_id, False)


def _set_holidays(s: Services, user: SessionUser, t: Target) -> None:
    s.holidays.set_days(user, dt.date(2027, 1, 1), dt.date(2027, 1, 3), False, "元旦")


def _remove_holiday(s: Services, user: SessionUser, t: Target) -> None:
    s.holidays.remove_day(user, dt.date(2027, 5, 3))


def _update_settings(s: Services, user: SessionUser, t: Target) -> None:
    s.station.update_settings(user, replace(s.station.settings(), address="和平路 1 号"))


ADMIN_CALLS = {
    "add_officer": _add_officer,
    "update_officer": _update_officer,
    "set_active": _deactivate,
    "reset_password": _reset_password,
    "catalogue.create_item": _create_item,
    "catalogue.save_new_version": _save_new_version,
    "catalogue.set_active": _retire_item,
    "holidays.set_days": _set_holidays,
    "holidays.remove_day": _remove_holiday,
    "station.update_settings": _update_settings,
}
TABLES = (Officer, ServiceItem, ServiceItemVersion, HolidayOverride)


@pytest.mark.parametrize("call", ADMIN_CALLS.values(), ids=ADMIN_CALLS.keys())
@pytest.mark.parametrize("role", [Role.WINDOW, Role.AUXILIARY, Role.DEPUTY])
def test_only_the_chief_and_the_administrator_may_administer(
    services: Services,
    make_officer: MakeOfficer,
    target: Target,
    audit_log: AuditLog,
    count: Count,
    role: Role,
    call: Callable[[Services, SessionUser, Target], None],
) -> None:
    user = make_officer(role, "无权者")
    settings = services.station.settings()
    rows = [count(t) for t in TABLES]
    events = len(audit_log())

    with pytest.raises(PermissionDenied) as caught:
        call(services, user, target)

    assert caught.value.message.startswith(f"{role.label}无权")
    assert [count(t) for t in TABLES] == rows
    assert len(audit_log()) == events
    assert services.station.settings() == settings
    assert services.catalogue.get_item(target.item_id).version_no == 1


@pytest.mark.parametrize("call", ADMIN_CALLS.values(), ids=ADMIN_CALLS.keys())
@pytest.mark.parametrize("role", [Role.CHIEF, Role.ADMIN])
def test_the_chief_and_the_administrator_may_administer(
    services: Services,
    chief: SessionUser,
    make_officer: MakeOfficer,
    target: Target,
    audit_log: AuditLog,
    role: Role,
    call: Callable[[Services, SessionUser, Target], None],
) -> None:
    user = chief if role is Role.CHIEF else make_officer(Role.ADMIN, "周管理")
    events = len(audit_log())

    call(services, user, target)

    new = audit_log()[events:]
    assert new
    assert {e["officer_id"] for e in new} == {user.officer_id}


def test_a_demoted_administrator_loses_the_permission_at_once(
    services: Services, chief: SessionUser, make_officer: MakeOfficer
) -> None:
    admin = make_officer(Role.ADMIN, "周管理")
    services.officers.update_officer(
        chief, admin.officer_id, OfficerChanges("周管理", Role.WINDOW, "")
    )

    # The session object still says ADMIN; the stored role decides.
    with pytest.raises(PermissionDenied):
        _add_officer(services, admin, Target(admin.officer_id, 0))


@pytest.mark.parametrize("duplicate", ["200500", " 200500 ", "F03121", "f03121"])
def test_a_duplicate_badge_is_refused_and_nothing_is_written(
    services: Services,
    chief: SessionUser,
    count: Count,
    audit_log: AuditLog,
    duplicate: str,
) -> None:
    services.officers.add_officer(chief, NewOfficer("200500", "张一", Role.WINDOW, TEST_PASSWORD))
    services.officers.add_officer(
        chief, NewOfficer("F03121", "赵磊", Role.AUXILIARY, TEST_PASSWORD)
    )
    officers, events = count(Officer), len(audit_log())

    with pytest.raises(ValidationError) as caught:
        services.officers.add_officer(
            chief, NewOfficer(duplicate, "张二", Role.WINDOW, TEST_PASSWORD)
        )

    assert caught.value.field == "badge_no"
    assert "已存在" in caught.value.message
    assert count(Officer) == officers
    assert len(audit_log()) == events


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("", "请填写姓名"),
        ("   ", "请填写姓名"),
        ("张" * 31, "不能超过 30 个字"),
        ("张三3", "只能包含"),
    ],
    ids=["empty", "blank", "31_characters", "digit"],
)
def test_an_empty_or_over_long_name_is_refused_and_nothing_is_written(
    services: Services,
    chief: SessionUser,
    count: Count,
    audit_log: AuditLog,
    name: str,
    expected: str,
) -> None:
    officers, events = count(Officer), len(audit_log())

    with pytest.raises(ValidationError) as caught:
        services.officers.add_officer(chief, NewOfficer("300001", name, Role.WINDOW, TEST_PASSWORD))

    assert caught.value.field == "name"
    assert expected in caught.value.message
    assert count(Officer) == officers
    assert len(audit_log()) == events


@pytest.mark.parametrize("phone", ["call me", "0571-8600111O", "1" * 41])
def test_a_bad_phone_number_is_refused(
    services: Services, chief: SessionUser, count: Count, phone: str
) -> None:
    officers = count(Officer)

    with pytest.raises(ValidationError) as caught:
        services.officers.add_officer(
            chief, NewOfficer("300001", "张伟", Role.WINDOW, TEST_PASSWORD, phone=phone)
        )

    assert caught.value.field == "phone"
    assert count(Officer) == officers


def test_names_with_the_middle_dot_and_thirty_characters_are_accepted(
    services: Services, chief: SessionUser
) -> None:
    a = services.officers.add_officer(
        chief, NewOfficer("300001", "买买提·艾力", Role.WINDOW, TEST_PASSWORD)
    )
    b = services.officers.add_officer(
        chief, NewOfficer("300002", "张" * 30, Role.WINDOW, TEST_PASSWORD)
    )

    assert (a.name, len(b.name)) == ("买买提·艾力", 30)


def test_an_officer_cannot_deactivate_their_own_account(
    services: Services, chief: SessionUser, make_officer: MakeOfficer
) -> None:
    make_officer(Role.ADMIN, "周管理")  # another administrator exists: only "self" is the reason

    with pytest.raises(ConflictError) as caught:
        services.officers.set_active(chief, chief.officer_id, False)

    assert "自己" in caught.value.message
    assert services.auth.login("100001", TEST_PASSWORD).officer_id == chief.officer_id


def test_the_last_active_chief_cannot_step_down_by_changing_his_own_role(
    services: Services, chief: SessionUser, audit_log: AuditLog
) -> None:
    events = len(audit_log())

    with pytest.raises(PermissionDenied) as caught:
        services.officers.update_officer(
            chief, chief.officer_id, OfficerChanges("王所长", Role.WINDOW, "")
        )

    assert "不能修改自己的角色" in caught.value.message and caught.value.field == "role"
    assert len(audit_log()) == events
    assert services.auth.login("100001", TEST_PASSWORD).role is Role.CHIEF


def test_a_chief_or_administrator_may_leave_while_another_remains(
    services: Services, chief: SessionUser, make_officer: MakeOfficer
) -> None:
    admin = make_officer(Role.ADMIN, "周管理")
    second = make_officer(Role.ADMIN, "吴管理")

    row = services.officers.set_active(chief, admin.officer_id, False)
    assert row.active is False
    services.officers.set_active(chief, admin.officer_id, True)
    # Two administrators relieve the chief: one asks, the other confirms.
    request = services.officers.request_role_change(
        admin, chief.officer_id, Role.DEPUTY, "所长调任分局，改任副所长"
    )
    demoted = services.officers.confirm_role_change(second, request.id)
    assert demoted.role is Role.DEPUTY

    # Nobody steps down by changing their own role.
    with pytest.raises(PermissionDenied, match="不能修改自己的角色"):
        services.officers.update_officer(
            admin, admin.officer_id, OfficerChanges("周管理", Role.WINDOW, "")
        )


def test_a_deactivated_officer_cannot_log_in(
    services: Services, chief: SessionUser, make_officer: MakeOfficer
) -> None:
    officer = make_officer(Role.WINDOW, "李停用")

    services.officers.set_active(chief, officer.officer_id, False)

    with pytest.raises(AuthenticationError) as caught:
        services.auth.login(officer.badge_no, TEST_PASSWORD)
    assert "停用" in caught.value.message


def test_a_logged_in_officer_is_refused_as_soon_as_deactivated(
    services: Services,
    chief: SessionUser,
    make_officer: MakeOfficer,
    count: Count,
    audit_log: AuditLog,
) -> None:
    window = make_officer(Role.WINDOW, "李停用")
    admin = make_officer(Role.ADMIN, "周停用")
    services.officers.list_officers(window)  # works while active

    services.officers.set_active(chief, window.officer_id, False)
    services.officers.set_active(chief, admin.officer_id, False)
    officers, events = count(Officer), len(audit_log())

    with pytest.raises(AuthenticationError):
        services.officers.list_officers(window)
    with pytest.raises(AuthenticationError):
        services.auth.change_password(window, TEST_PASSWORD, "NewSecret456")
    with pytest.raises(AuthenticationError):
        _add_officer(services, admin, Target(admin.officer_id, 0))
    assert count(Officer) == officers
    assert len(audit_log()) == events


def test_reset_password_unlocks_and_forces_a_change_at_next_login(
    services: Services, chief: SessionUser, make_officer: MakeOfficer, audit_log: AuditLog
) -> None:
    officer = make_officer(Role.WINDOW, "李忘记")
    for _ in range(5):
        with pytest.raises(AuthenticationError):
            services.auth.login(officer.badge_no, "Wrong1234")
    with pytest.raises(AuthenticationError, match="锁定"):
        services.auth.login(officer.badge_no, TEST_PASSWORD)

    services.officers.reset_password(chief, officer.officer_id, "Temp12345")

    user = services.auth.login(officer.badge_no, "Temp12345")
    assert user.must_change_password is True
    with pytest.raises(AuthenticationError):
        services.auth.login(officer.badge_no, TEST_PASSWORD)
    row = next(r for r in services.officers.list_officers(chief) if r.id == officer.officer_id)
    assert row.locked_until is None
    assert row.must_change_password is True
    reset = [e for e in audit_log() if e["action"] == "password_reset"]
    assert [(e["officer_id"], e["entity_id"]) for e in reset] == [
        (chief.officer_id, str(officer.officer_id))
    ]


def test_resetting_ones_own_password_does_not_force_a_change(
    services: Services, chief: SessionUser
) -> None:
    services.officers.reset_password(chief, chief.officer_id, "Temp12345")

    assert services.auth.login("100001", "Temp12345").must_change_password is False


def test_officers_are_never_deleted_only_deactivated(
    services: Services, chief: SessionUser, make_officer: MakeOfficer, count: Count
) -> None:
    public = {n for n in dir(OfficerService) if not n.startswith("_")}
    assert not {n for n in public if "delete" in n or "remove" in n}
    officer = make_officer(Role.WINDOW, "李停用")
    officers = count(Officer)

    services.officers.set_active(chief, officer.officer_id, False)

    assert count(Officer) == officers
    everyone = services.officers.list_officers(chief)
    assert [r.active for r in everyone if r.id == officer.officer_id] == [False]
    # Active accounts are listed first.
    assert [r.active for r in everyone] == sorted((r.active for r in everyone), reverse=True)
    active_only = services.officers.list_officers(chief, include_inactive=False)
    assert officer.officer_id not in {r.id for r in active_only}


def test_deactivating_twice_is_a_conflict(
    services: Services, chief: SessionUser, make_officer: MakeOfficer
) -> None:
    officer = make_officer(Role.WINDOW, "李停用")
    services.officers.set_active(chief, officer.officer_id, False)

    with pytest.raises(ConflictError):
        services.officers.set_active(chief, officer.officer_id, False)


def test_adding_and_deactivating_are_audited_without_the_password(
    services: Services, chief: SessionUser, audit_log: AuditLog
) -> None:
    row = services.officers.add_officer(
        chief, NewOfficer("300001", "张伟", Role.WINDOW, TEST_PASSWORD, phone="13805710011")
    )
    services.officers.set_active(chief, row.id, False)

    added, deactivated = audit_log()[-2:]
    assert added["action"] == "officer_added"
    assert added["after"] == {
        "badge_no": "300001",
        "name": "张伟",
        "role": "window",
        "phone": "13805710011",
        "active": True,
    }
    assert deactivated["action"] == "officer_deactivated"
    assert (deactivated["before"]["active"], deactivated["after"]["active"]) == (True, False)


# ---- roles that cannot be walked around (issue 18, item 5) --------------------------------


def _role_of(services: Services, chief: SessionUser, officer_id: int) -> Role:
    return next(r.role for r in services.officers.list_officers(chief) if r.id == officer_id)


@pytest.mark.parametrize("acting", [Role.CHIEF, Role.ADMIN])
@pytest.mark.parametrize("new_role", [Role.CHIEF, Role.DEPUTY, Role.WINDOW])
def test_nobody_changes_their_own_role(
    services: Services,
    chief: SessionUser,
    make_officer: MakeOfficer,
    audit_log: AuditLog,
    acting: Role,
    new_role: Role,
) -> None:
    user = chief if acting is Role.CHIEF else make_officer(Role.ADMIN, "周管理")
    if new_role is acting:
        new_role = Role.ADMIN
    events = len(audit_log())

    with pytest.raises(PermissionDenied) as caught:
        services.officers.update_officer(
            user, user.officer_id, OfficerChanges(user.name, new_role, "")
        )
    with pytest.raises(PermissionDenied):
        services.officers.request_role_change(user, user.officer_id, new_role, "本人申请调整角色")

    assert caught.value.field == "role" and "不能修改自己的角色" in caught.value.message
    assert len(audit_log()) == events
    assert _role_of(services, chief, user.officer_id) is acting
    # One's own name and phone are still one's own to keep up to date.
    row = services.officers.update_officer(
        user, user.officer_id, OfficerChanges(user.name, acting, "13805710001")
    )
    assert row.phone == "13805710001"


@pytest.mark.parametrize(
    ("start", "new_role", "words"),
    [
        (Role.WINDOW, Role.CHIEF, "任命所长"),
        (Role.DEPUTY, Role.ADMIN, "任命系统管理员"),
        (Role.ADMIN, Role.CHIEF, "任命所长"),
        (Role.CHIEF, Role.DEPUTY, "免去所长"),
        (Role.ADMIN, Role.WINDOW, "免去系统管理员"),
    ],
)
def test_an_administrator_alone_neither_gives_nor_takes_away_chief_or_administrator(
    services: Services,
    chief: SessionUser,
    make_officer: MakeOfficer,
    audit_log: AuditLog,
    start: Role,
    new_role: Role,
    words: str,
) -> None:
    admin = make_officer(Role.ADMIN, "周管理")
    target = make_officer(start, "李某某")
    events = len(audit_log())

    with pytest.raises(PermissionDenied) as caught:
        services.officers.update_officer(
            admin, target.officer_id, OfficerChanges("李某某", new_role, "")
        )

    assert caught.value.field == "role"
    assert caught.value.message.startswith(f"系统管理员不能单独{words}，须由所长办理")
    assert "另一名系统管理员" in caught.value.message
    assert len(audit_log()) == events
    assert _role_of(services, chief, target.officer_id) is start


@pytest.mark.parametrize("new_role", [Role.CHIEF, Role.ADMIN])
def test_an_administrator_cannot_create_a_chief_or_administrator_account(
    services: Services,
    chief: SessionUser,
    make_officer: MakeOfficer,
    count: Count,
    audit_log: AuditLog,
    new_role: Role,
) -> None:
    admin = make_officer(Role.ADMIN, "周管理")
    officers, events = count(Officer), len(audit_log())

    with pytest.raises(PermissionDenied) as caught:
        services.officers.add_officer(
            admin, NewOfficer("300001", "新所长", new_role, TEST_PASSWORD)
        )

    assert caught.value.field == "role"
    assert caught.value.message.startswith(f"系统管理员不能单独新建{new_role.label}账号")
    assert (count(Officer), len(audit_log())) == (officers, events)


def test_the_chief_appoints_and_relieves_and_creates_chiefs_and_administrators(
    services: Services, chief: SessionUser, make_officer: MakeOfficer, audit_log: AuditLog
) -> None:
    deputy = make_officer(Role.DEPUTY, "李副所长")
    admin = make_officer(Role.ADMIN, "周管理")

    row = services.officers.update_officer(
        chief, deputy.officer_id, OfficerChanges("李副所长", Role.CHIEF, "")
    )
    assert row.role is Role.CHIEF
    assert audit_log()[-1]["after"]["basis"] == "chief"
    assert (
        services.officers.update_officer(
            chief, admin.officer_id, OfficerChanges("周管理", Role.WINDOW, "")
        ).role
        is Role.WINDOW
    )
    added = services.officers.add_officer(
        chief, NewOfficer("300001", "吴管理", Role.ADMIN, TEST_PASSWORD)
    )
    assert added.role is Role.ADMIN
    assert (audit_log()[-1]["officer_id"], audit_log()[-1]["after"]["basis"]) == (
        chief.officer_id,
        "chief",
    )


def test_two_administrators_appoint_a_chief_one_asks_and_a_different_one_confirms(
    services: Services, chief: SessionUser, make_officer: MakeOfficer, audit_log: AuditLog
) -> None:
    asker = make_officer(Role.ADMIN, "周管理")
    second = make_officer(Role.ADMIN, "吴管理")
    deputy = make_officer(Role.DEPUTY, "李副所长")

    request = services.officers.request_role_change(
        asker, deputy.officer_id, Role.CHIEF, "原所长调离，经分局任命"
    )

    # Asking changes nothing yet; the asker cannot confirm his own request.
    assert _role_of(services, chief, deputy.officer_id) is Role.DEPUTY
    assert (request.from_role, request.to_role, request.requested_by) == (
        Role.DEPUTY,
        Role.CHIEF,
        "周管理",
    )
    assert services.officers.pending_role_changes(second) == [request]
    with pytest.raises(PermissionDenied, match="申请人不能自己确认"):
        services.officers.confirm_role_change(asker, request.id)
    assert _role_of(services, chief, deputy.officer_id) is Role.DEPUTY

    row = services.officers.confirm_role_change(second, request.id)

    assert row.role is Role.CHIEF
    asked, confirmed = audit_log()[-2:]
    assert (asked["action"], asked["officer_id"], asked["entity_id"]) == (
        "role_change_requested",
        asker.officer_id,
        str(deputy.officer_id),
    )
    assert asked["after"] == {"role": "chief", "reason": "原所长调离，经分局任命"}
    assert (confirmed["action"], confirmed["officer_id"]) == (
        "role_change_confirmed",
        second.officer_id,
    )
    assert (confirmed["before"]["role"], confirmed["after"]["role"]) == ("deputy", "chief")
    assert (confirmed["after"]["request"], confirmed["after"]["requested_by"]) == (
        request.id,
        asker.officer_id,
    )
    # Confirmed once: nothing is pending, a second confirmation is refused.
    assert services.officers.pending_role_changes(second) == []
    with pytest.raises(ConflictError, match="已失效"):
        services.officers.confirm_role_change(chief, request.id)


def test_the_administrator_to_be_promoted_cannot_confirm_his_own_promotion(
    services: Services, chief: SessionUser, make_officer: MakeOfficer
) -> None:
    asker = make_officer(Role.ADMIN, "周管理")
    other = make_officer(Role.ADMIN, "吴管理")
    request = services.officers.request_role_change(
        asker, other.officer_id, Role.CHIEF, "原所长调离，经分局任命"
    )

    with pytest.raises(PermissionDenied, match="不能修改自己的角色"):
        services.officers.confirm_role_change(other, request.id)

    assert services.officers.confirm_role_change(chief, request.id).role is Role.CHIEF


def test_a_role_request_lapses_when_withdrawn_replaced_stale_or_after_seven_days(
    services: Services, chief: SessionUser, make_officer: MakeOfficer, clock: Any
) -> None:
    asker = make_officer(Role.ADMIN, "周管理")
    second = make_officer(Role.ADMIN, "吴管理")
    window = make_officer(Role.WINDOW, "张伟")
    ask = services.officers.request_role_change

    withdrawn = ask(asker, window.officer_id, Role.ADMIN, "接任内勤，负责系统维护")
    services.officers.withdraw_role_change(asker, withdrawn.id)
    assert services.officers.pending_role_changes(second) == []

    replaced = ask(asker, window.officer_id, Role.ADMIN, "接任内勤，负责系统维护")
    newer = ask(asker, window.officer_id, Role.CHIEF, "原所长调离，经分局任命")
    assert services.officers.pending_role_changes(second) == [newer]
    with pytest.raises(ConflictError, match="已失效"):
        services.officers.confirm_role_change(second, replaced.id)

    # The chief changed the role meanwhile: the request no longer fits.
    services.officers.update_officer(
        chief, window.officer_id, OfficerChanges("张伟", Role.DEPUTY, "")
    )
    with pytest.raises(ConflictError, match="已失效"):
        services.officers.confirm_role_change(second, newer.id)

    late = ask(asker, window.officer_id, Role.CHIEF, "原所长调离，经分局任命")
    clock.advance(dt.timedelta(days=7, minutes=1))
    assert services.officers.pending_role_changes(second) == []
    with pytest.raises(ConflictError, match="7 天"):
        services.officers.confirm_role_change(second, late.id)
    assert _role_of(services, chief, window.officer_id) is Role.DEPUTY


def test_a_request_is_only_for_chief_or_administrator_and_needs_a_reason(
    services: Services, chief: SessionUser, make_officer: MakeOfficer, audit_log: AuditLog
) -> None:
    asker = make_officer(Role.ADMIN, "周管理")
    window = make_officer(Role.WINDOW, "张伟")
    events = len(audit_log())

    with pytest.raises(ValidationError, match="直接点“修改”") as caught:
        services.officers.request_role_change(asker, window.officer_id, Role.DEPUTY, "工作调整需要")
    assert caught.value.field == "role"
    with pytest.raises(ValidationError) as caught:
        services.officers.request_role_change(asker, window.officer_id, Role.CHIEF, "看看")
    assert caught.value.field == "reason"
    with pytest.raises(ValidationError, match="无需申请"):
        services.officers.request_role_change(chief, window.officer_id, Role.CHIEF, "经分局任命")
    assert len(audit_log()) == events


def test_an_administrator_may_appoint_the_first_chief_of_a_station_set_up_without_one(
    services: Services, audit_log: AuditLog
) -> None:
    admin = services.station.initialize(
        StationSettings(name="测试市公安局测试分局和平路派出所", code="HPL"),
        NewOfficer("100009", "周管理", Role.ADMIN, TEST_PASSWORD),
    )

    first = services.officers.add_officer(
        admin, NewOfficer("100001", "王所长", Role.CHIEF, TEST_PASSWORD)
    )

    assert first.role is Role.CHIEF
    assert audit_log()[-1]["after"]["basis"] == "first_chief"
    # One chief is enough to close the door: a second one is the chief's to appoint.
    with pytest.raises(PermissionDenied, match="不能单独新建所长账号"):
        services.officers.add_officer(
            admin, NewOfficer("100002", "李所长", Role.CHIEF, TEST_PASSWORD)
        )


# ---- issue 21: the password rules and every field at once ---------------------------------


@pytest.mark.parametrize(
    ("password", "said"),
    [
        ("password1", "最常用的密码"),
        ("Passw0rd", "最常用的密码"),
        ("A300001bc", "警号"),
        ("Hpl12345x", "简码 HPL"),
        ("Lixiaohong1", "拼音（lixiaohong）"),
    ],
)
def test_a_new_officers_password_follows_the_rules(
    services: Services, chief: SessionUser, count: Any, password: str, said: str
) -> None:
    before = count(Officer)

    with pytest.raises(ValidationError) as caught:
        services.officers.add_officer(chief, NewOfficer("300001", "李晓红", Role.WINDOW, password))

    assert caught.value.field == "password" and said in caught.value.message
    assert count(Officer) == before


def test_a_reset_password_may_not_hold_that_officers_name(
    services: Services, chief: SessionUser, target: Target
) -> None:
    officer = services.officers.add_officer(
        chief, NewOfficer("300002", "王小明", Role.WINDOW, TEST_PASSWORD)
    )

    with pytest.raises(ValidationError) as caught:
        services.officers.reset_password(chief, officer.id, "Xiaoming2026")

    assert "拼音（xiaoming" in caught.value.message
    services.auth.login("300002", TEST_PASSWORD)  # unchanged


def test_the_officer_form_hears_of_every_wrong_field_at_once(
    services: Services, chief: SessionUser, count: Any
) -> None:
    before = count(Officer)

    with pytest.raises(ValidationErrors) as caught:
        services.officers.add_officer(
            chief, NewOfficer("", "张1", Role.WINDOW, "qwerty123", phone="没有"), "qwerty12"
        )

    assert [field for field, _ in caught.value.fields] == [
        "badge_no",
        "name",
        "phone",
        "password",
        "repeat",
    ]
    assert count(Officer) == before


def test_an_officers_name_may_hold_any_ideograph_a_citizens_may(
    services: Services, chief: SessionUser
) -> None:
    # 﨑 (U+FA11, a compatibility ideograph) and 𠮷 (Extension B), as in a citizen's name.
    services.officers.add_officer(
        chief, NewOfficer("300001", "山\ufa11\U00020bb7", Role.WINDOW, TEST_PASSWORD)
    )
    assert "山\ufa11\U00020bb7" in [o.name for o in services.officers.list_officers(chief)]


def test_an_administrator_alone_cannot_shut_out_the_chief_or_another_administrator(
    services: Services, chief: SessionUser, make_officer: MakeOfficer, audit_log: AuditLog
) -> None:
    # Stopping the account takes the role away as surely as a role change: one administrator
    # may not do it alone, or he could lock the chief out of his own station.
    admin = make_officer(Role.ADMIN, "周管理")
    second = make_officer(Role.ADMIN, "吴管理")
    events = len(audit_log())

    for target in (chief, second):
        with pytest.raises(PermissionDenied) as caught:
            services.officers.set_active(admin, target.officer_id, False)
        assert "不能单独停用" in caught.value.message and "先免去" in caught.value.message
    assert len(audit_log()) == events
    assert services.auth.login(chief.badge_no, TEST_PASSWORD).role is Role.CHIEF

    new_chief = make_officer(Role.CHIEF, "郑所长")  # appointed before the old one leaves
    # The way that remains: two administrators relieve the chief, then the account stops.
    request = services.officers.request_role_change(
        admin, chief.officer_id, Role.DEPUTY, "所长调任分局，经分局任命"
    )
    services.officers.confirm_role_change(second, request.id)
    assert services.officers.set_active(admin, chief.officer_id, False).active is False
    # And the chief may stop an administrator's account on his own.
    assert services.officers.set_active(new_chief, second.officer_id, False).active is False
