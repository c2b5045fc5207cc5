"""Officer accounts and the role checks of every administrative use case."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pytest

from app.dto import NewOfficer, OfficerChanges, SessionUser
from app.errors import AuthenticationError, ConflictError, PermissionDenied, ValidationError
from app.officer_service import OfficerService
from app.roles import Role
from app.services import Services
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


def test_the_last_active_chief_or_administrator_cannot_step_down(
    services: Services, chief: SessionUser, audit_log: AuditLog
) -> None:
    events = len(audit_log())

    with pytest.raises(ConflictError) as caught:
        services.officers.update_officer(
            chief, chief.officer_id, OfficerChanges("王所长", Role.WINDOW, "")
        )

    assert "至少要保留一名" in caught.value.message
    assert len(audit_log()) == events
    assert services.auth.login("100001", TEST_PASSWORD).role is Role.CHIEF


def test_a_chief_or_administrator_may_leave_while_another_remains(
    services: Services, chief: SessionUser, make_officer: MakeOfficer
) -> None:
    admin = make_officer(Role.ADMIN, "周管理")

    row = services.officers.set_active(chief, admin.officer_id, False)
    assert row.active is False
    services.officers.set_active(chief, admin.officer_id, True)
    demoted = services.officers.update_officer(
        admin, chief.officer_id, OfficerChanges("王所长", Role.DEPUTY, "")
    )
    assert demoted.role is Role.DEPUTY

    # Now the administrator is the last one standing.
    with pytest.raises(ConflictError):
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
