"""Login, lock-out after repeated failures, and changing one's own password."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from app.core.clock import FixedClock
from app.core.dto import SessionUser
from app.core.errors import AuthenticationError, ValidationError, ValidationErrors
from app.core.passwords import COMMON_PASSWORDS_FILE, PASSWORD_RULES_TEXT, common_passwords
from app.core.roles import Role
from app.officers.dto import NewOfficer
from app.services import Services
from tests.conftest import TEST_PASSWORD

AuditLog = Callable[[], list[dict[str, Any]]]


def fail_login(services: Services, badge: str, password: str) -> AuthenticationError:
    with pytest.raises(AuthenticationError) as caught:
        services.auth.login(badge, password)
    return caught.value


@pytest.fixture
def officer(services: Services, chief: SessionUser) -> SessionUser:
    """A window officer whose first login is not forced to change the password."""
    services.officers.add_officer(
        chief,
        NewOfficer("F03121", "赵磊", Role.WINDOW, TEST_PASSWORD, must_change_password=False),
    )
    return services.auth.login("F03121", TEST_PASSWORD)


def test_login_with_the_right_password_returns_the_officer(
    services: Services, chief: SessionUser
) -> None:
    user = services.auth.login("100001", TEST_PASSWORD)

    assert user == SessionUser(chief.officer_id, "100001", "王所长", Role.CHIEF, False)


def test_wrong_passwords_count_down_the_attempts_left(
    services: Services, officer: SessionUser
) -> None:
    messages = [fail_login(services, "F03121", "Wrong1234").message for _ in range(4)]

    assert messages == [f"警号或密码错误，还可再试 {n} 次。" for n in (4, 3, 2, 1)]


def test_five_wrong_passwords_lock_the_account_even_against_the_right_password(
    services: Services, officer: SessionUser
) -> None:
    for _ in range(4):
        fail_login(services, "F03121", "Wrong1234")

    fifth = fail_login(services, "F03121", "Wrong1234")
    assert "锁定" in fifth.message
    assert "15 分钟" in fifth.message
    # 10:00 in Beijing + 15 minutes: the message speaks station time, not UTC.
    assert "10:15" in fifth.message

    refused = fail_login(services, "F03121", TEST_PASSWORD)
    assert "锁定" in refused.message
    assert refused.field == "password"


def test_the_lock_lifts_once_the_lockout_minutes_have_passed(
    services: Services, officer: SessionUser, clock: FixedClock
) -> None:
    for _ in range(5):
        fail_login(services, "F03121", "Wrong1234")

    clock.advance(dt.timedelta(minutes=14, seconds=59))
    assert "锁定" in fail_login(services, "F03121", TEST_PASSWORD).message

    clock.advance(dt.timedelta(seconds=2))
    assert services.auth.login("F03121", TEST_PASSWORD).officer_id == officer.officer_id
    # The count starts afresh after the lock.
    assert "还可再试 4 次" in fail_login(services, "F03121", "Wrong1234").message


def test_a_successful_login_resets_the_failure_count(
    services: Services, officer: SessionUser
) -> None:
    for _ in range(3):
        fail_login(services, "F03121", "Wrong1234")

    services.auth.login("F03121", TEST_PASSWORD)

    assert "还可再试 4 次" in fail_login(services, "F03121", "Wrong1234").message


def test_the_station_setting_decides_how_many_attempts_lock(
    services: Services, chief: SessionUser, officer: SessionUser, clock: FixedClock
) -> None:
    settings = services.station.settings()
    services.station.update_settings(
        chief, replace(settings, lockout_attempts=3, lockout_minutes=60)
    )

    assert "还可再试 2 次" in fail_login(services, "F03121", "Wrong1234").message
    assert "还可再试 1 次" in fail_login(services, "F03121", "Wrong1234").message
    third = fail_login(services, "F03121", "Wrong1234")
    assert "锁定 60 分钟" in third.message

    clock.advance(dt.timedelta(minutes=59))
    assert "锁定" in fail_login(services, "F03121", TEST_PASSWORD).message
    clock.advance(dt.timedelta(minutes=1))
    services.auth.login("F03121", TEST_PASSWORD)


def test_an_unknown_badge_gives_the_generic_bad_credential_message(
    services: Services, officer: SessionUser
) -> None:
    # Badge numbers are displayed at the window (domain.md §6), so the countdown on a real
    # badge is kept for the officer's sake; an unknown badge still names neither field.
    wrong_password = fail_login(services, "F03121", "Wrong1234")
    unknown_badge = fail_login(services, "F99999", "Wrong1234")

    assert wrong_password.message.startswith("警号或密码错误")
    assert unknown_badge.message.startswith("警号或密码错误")
    assert unknown_badge.field == wrong_password.field == "password"


def test_an_unknown_badge_is_refused_as_a_bad_credential(
    services: Services, chief: SessionUser
) -> None:
    error = fail_login(services, "F99999", TEST_PASSWORD)

    assert error.message.startswith("警号或密码错误")
    assert error.field == "password"


def test_a_deactivated_account_cannot_log_in(
    services: Services, chief: SessionUser, officer: SessionUser
) -> None:
    services.officers.set_active(chief, officer.officer_id, False)

    error = fail_login(services, "F03121", TEST_PASSWORD)

    assert "停用" in error.message


def test_empty_badge_or_password_is_a_validation_error(
    services: Services, chief: SessionUser
) -> None:
    with pytest.raises(ValidationError) as no_badge:
        services.auth.login("  ", TEST_PASSWORD)
    with pytest.raises(ValidationError) as no_password:
        services.auth.login("100001", "")

    assert no_badge.value.field == "badge_no"
    assert no_password.value.field == "password"


def test_every_failed_attempt_and_every_login_is_audited(
    services: Services, officer: SessionUser, audit_log: AuditLog
) -> None:
    start = len(audit_log())

    fail_login(services, "F03121", "Wrong1234")
    fail_login(services, "F03121", "Wrong1234")
    services.auth.login("F03121", TEST_PASSWORD)
    for _ in range(5):
        fail_login(services, "F03121", "Wrong1234")

    new = audit_log()[start:]
    assert [e["action"] for e in new] == ["login_failed"] * 2 + ["login"] + ["login_failed"] * 5
    assert all(e["entity_type"] == "officer" for e in new)
    assert all(e["entity_id"] == str(officer.officer_id) for e in new)
    assert [e["after"]["failed_attempts"] for e in new[3:7]] == [1, 2, 3, 4]
    assert "locked_until" in new[-1]["after"]


@pytest.mark.parametrize("case", ["locked", "deactivated", "unknown_badge"])
def test_refused_login_attempts_are_audited_too(
    services: Services,
    chief: SessionUser,
    officer: SessionUser,
    audit_log: AuditLog,
    case: str,
) -> None:
    if case == "locked":
        for _ in range(5):
            fail_login(services, "F03121", "Wrong1234")
    elif case == "deactivated":
        services.officers.set_active(chief, officer.officer_id, False)
    badge = "F99999" if case == "unknown_badge" else "F03121"
    start = len(audit_log())

    fail_login(services, badge, TEST_PASSWORD)

    new = audit_log()[start:]
    assert [e["action"] for e in new] == ["login_refused"]
    reason = {"locked": "locked", "deactivated": "inactive", "unknown_badge": "unknown_badge"}
    assert new[0]["after"]["reason"] == reason[case]


def test_badge_numbers_are_case_insensitive(services: Services, officer: SessionUser) -> None:
    assert services.auth.login("f03121", TEST_PASSWORD).badge_no == "F03121"
    assert services.auth.login("  f03121 ", TEST_PASSWORD).officer_id == officer.officer_id


def test_a_badge_entered_in_lower_case_is_stored_in_upper_case(
    services: Services, chief: SessionUser
) -> None:
    row = services.officers.add_officer(
        chief, NewOfficer("f03122", "孙丽娟", Role.AUXILIARY, TEST_PASSWORD)
    )

    assert row.badge_no == "F03122"
    assert services.auth.login("F03122", TEST_PASSWORD).officer_id == row.id


def test_change_password_needs_the_old_password(services: Services, officer: SessionUser) -> None:
    with pytest.raises(AuthenticationError) as wrong_old:
        services.auth.change_password(officer, "NotMine123", "NewSecret456")
    with pytest.raises(ValidationError) as no_old:
        services.auth.change_password(officer, "", "NewSecret456")

    assert wrong_old.value.field == "old_password"
    assert "还可再试 4 次" in wrong_old.value.message
    assert no_old.value.field == "old_password"
    services.auth.login("F03121", TEST_PASSWORD)
    fail_login(services, "F03121", "NewSecret456")


def test_wrong_old_passwords_count_towards_the_lock_out(
    services: Services, officer: SessionUser
) -> None:
    for _ in range(5):
        with pytest.raises(AuthenticationError):
            services.auth.change_password(officer, "NotMine123", "NewSecret456")

    assert "锁定" in fail_login(services, "F03121", TEST_PASSWORD).message


@pytest.mark.parametrize(
    ("new_password", "expected"),
    [
        ("Ab1", "至少 8 位"),
        ("Abc1234", "至少 8 位"),
        ("abcdefgh", "字母和数字"),
        ("12345678", "字母和数字"),
        ("密码密码密码密码", "字母和数字"),
        (" Abc12345", "空格"),
        ("", "请输入密码"),
        ("Ab1" * 22, "不能超过 64 位"),
        (TEST_PASSWORD, "不能与原密码相同"),
    ],
)
def test_change_password_enforces_the_password_rules(
    services: Services, officer: SessionUser, new_password: str, expected: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.auth.change_password(officer, TEST_PASSWORD, new_password)

    assert expected in caught.value.message
    assert caught.value.field == "new_password"
    services.auth.login("F03121", TEST_PASSWORD)


def test_change_password_replaces_the_password_and_clears_the_forced_change(
    services: Services, chief: SessionUser, audit_log: AuditLog
) -> None:
    services.officers.add_officer(chief, NewOfficer("031011", "张伟", Role.WINDOW, "Initial123"))
    first = services.auth.login("031011", "Initial123")
    assert first.must_change_password is True

    services.auth.change_password(first, "Initial123", "MyOwn2026")

    again = services.auth.login("031011", "MyOwn2026")
    assert again.must_change_password is False
    assert "错误" in fail_login(services, "031011", "Initial123").message
    changed = [e for e in audit_log() if e["action"] == "password_changed"]
    assert [(e["officer_id"], e["entity_id"]) for e in changed] == [
        (first.officer_id, str(first.officer_id))
    ]


def test_the_audit_trail_never_holds_a_password_or_its_hash(
    services: Services, chief: SessionUser, officer: SessionUser, audit_log: AuditLog
) -> None:
    services.auth.change_password(officer, TEST_PASSWORD, "MyOwn2026")
    services.officers.reset_password(chief, officer.officer_id, "Temp54321")
    fail_login(services, "F03121", "Typo98765")

    text = repr(audit_log())
    for secret in (TEST_PASSWORD, "MyOwn2026", "Temp54321", "Typo98765", "$argon2"):
        assert secret not in text


def test_a_colleagues_login_at_a_locked_counter_logs_the_first_officer_out(
    services: Services, chief: SessionUser, officer: SessionUser, audit_log: AuditLog
) -> None:
    start = len(audit_log())

    user = services.auth.take_over(officer, "100001", TEST_PASSWORD)

    assert user.officer_id == chief.officer_id
    new = audit_log()[start:]
    assert [(e["action"], e["officer_id"]) for e in new] == [
        ("logout", officer.officer_id),
        ("login", chief.officer_id),
    ]
    assert new[0]["entity_id"] == str(officer.officer_id)
    assert new[0]["after"] == {"reason": "colleague_login", "by_badge_no": "100001"}


def test_a_refused_colleague_logs_nobody_out_and_the_own_badge_is_a_plain_unlock(
    services: Services, officer: SessionUser, audit_log: AuditLog
) -> None:
    start = len(audit_log())

    with pytest.raises(AuthenticationError):
        services.auth.take_over(officer, "100001", "Wrong1234")
    again = services.auth.take_over(officer, "f03121", TEST_PASSWORD)

    assert again == officer
    assert [e["action"] for e in audit_log()[start:]] == ["login_failed", "login"]


# ---- issue 21: common passwords, the officer's own details, every field at once -------------


@pytest.mark.parametrize("new_password", ["password1", "qwerty123", "Passw0rd", "PASSWORD1"])
def test_the_most_common_passwords_are_refused(
    services: Services, officer: SessionUser, new_password: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.auth.change_password(officer, TEST_PASSWORD, new_password)

    assert caught.value.field == "new_password" and "最常用的密码" in caught.value.message
    services.auth.login("F03121", TEST_PASSWORD)  # the old one still works


@pytest.mark.parametrize(
    ("new_password", "common"), [("Qw3rty123", "qwerty123"), ("Dr@g0n12", "dragon12")]
)
def test_a_common_password_with_look_alike_swaps_is_still_refused(
    services: Services, officer: SessionUser, new_password: str, common: str
) -> None:
    # Passw0rd is in the list itself; these are caught by reading 3 as e, @ as a, 0 as o.
    with pytest.raises(ValidationError) as caught:
        services.auth.change_password(officer, TEST_PASSWORD, new_password)

    assert f"“{common}”" in caught.value.message


@pytest.mark.parametrize(
    ("new_password", "said"),
    [
        ("F03121abc", "警号"),
        ("Hpl2026ab", "本所简码 HPL"),
        ("Zhaolei2026", "拼音（zhaolei）"),
        ("Leizhao2026", "拼音（leizhao）"),
        ("zl202601", "拼音（zl）"),
    ],
)
def test_a_password_holding_the_badge_station_code_or_name_pinyin_is_refused(
    services: Services, officer: SessionUser, new_password: str, said: str
) -> None:
    # 赵磊, 警号 F03121, at 和平路派出所 (HPL)
    with pytest.raises(ValidationError) as caught:
        services.auth.change_password(officer, TEST_PASSWORD, new_password)

    assert said in caught.value.message and caught.value.field == "new_password"


def test_changing_a_password_names_every_wrong_field_at_once(
    services: Services, officer: SessionUser, audit_log: AuditLog
) -> None:
    events = len(audit_log())

    with pytest.raises(ValidationErrors) as caught:
        services.auth.change_password(officer, "", "password1", "password2")

    assert [field for field, _ in caught.value.fields] == [
        "old_password",
        "new_password",
        "repeat",
    ]
    assert len(audit_log()) == events


def test_the_shipped_list_holds_the_10000_most_common_passwords_with_its_source() -> None:
    header = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()[:8]

    assert len(common_passwords()) >= 10_000
    assert {"password1", "qwerty123", "passw0rd", "123456"} <= common_passwords()
    assert any("zxcvbn" in line for line in header) and any("MIT" in line for line in header)
    assert (COMMON_PASSWORDS_FILE.parent / "LICENSE-zxcvbn.txt").exists()


def test_the_rules_shown_before_typing_are_the_rules_enforced() -> None:
    for rule in ("8–64 位", "字母和数字", "常用密码", "警号", "本所简码", "姓名拼音"):
        assert rule in PASSWORD_RULES_TEXT


def test_a_password_longer_than_any_account_can_have_is_refused_not_cut(
    services: Services, chief: SessionUser
) -> None:
    # The login field no longer cuts a paste at 64 characters without a word: the service
    # says what is wrong, and the attempt is not counted against the account.
    with pytest.raises(ValidationError) as caught:
        services.auth.login(chief.badge_no, TEST_PASSWORD + "x" * 70)
    assert "不超过 64 位" in caught.value.message and caught.value.field == "password"

    assert services.auth.login(chief.badge_no, TEST_PASSWORD).name == chief.name
