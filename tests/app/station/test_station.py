"""First-run set-up and the station's settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from app.core.dto import SessionUser
from app.core.errors import ConflictError, NotFound, ValidationError, ValidationErrors
from app.core.roles import Role
from app.officers.dto import NewOfficer
from app.services import Services
from app.station.dto import StationSettings
from app.station.service import validate_settings
from db.models import Officer, ServiceItem
from tests.conftest import TEST_PASSWORD

AuditLog = Callable[[], list[dict[str, Any]]]
Count = Callable[[type], int]
GOOD = StationSettings(name="示例市公安局城南分局青年路派出所", code="QNL")


def test_a_new_database_is_not_initialised(services: Services) -> None:
    assert services.station.is_initialized() is False
    with pytest.raises(NotFound):
        services.station.settings()


def test_initialising_creates_the_station_the_first_account_and_the_catalogue(
    services: Services, count: Count, audit_log: AuditLog
) -> None:
    user = services.station.initialize(
        replace(GOOD, code=" qnl "), NewOfficer("031001", "王建国", Role.CHIEF, TEST_PASSWORD)
    )

    assert services.station.is_initialized()
    assert services.station.settings() == replace(GOOD, code="QNL")
    assert (user.badge_no, user.name, user.role) == ("031001", "王建国", Role.CHIEF)
    assert count(Officer) == 1
    assert count(ServiceItem) >= 15
    assert [e["action"] for e in audit_log()] == ["station_initialized", "catalogue_seeded"]
    assert audit_log()[1]["after"] == {"items": count(ServiceItem)}


def test_initialising_twice_is_refused_and_writes_nothing(
    services: Services, chief: SessionUser, count: Count, audit_log: AuditLog
) -> None:
    before = (count(Officer), count(ServiceItem), len(audit_log()), services.station.settings())

    with pytest.raises(ConflictError) as caught:
        services.station.initialize(GOOD, NewOfficer("031001", "王建国", Role.CHIEF, TEST_PASSWORD))

    assert "已经初始化过" in caught.value.message
    after = (count(Officer), count(ServiceItem), len(audit_log()), services.station.settings())
    assert after == before


@pytest.mark.parametrize("role", [Role.WINDOW, Role.AUXILIARY, Role.DEPUTY])
def test_the_first_account_must_be_a_chief_or_an_administrator(
    services: Services, role: Role
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.station.initialize(GOOD, NewOfficer("031001", "王建国", role, TEST_PASSWORD))

    assert caught.value.field == "role"
    assert services.station.is_initialized() is False


def test_a_weak_first_password_is_refused_before_anything_is_written(
    services: Services, count: Count
) -> None:
    with pytest.raises(ValidationError):
        services.station.initialize(GOOD, NewOfficer("031001", "王建国", Role.ADMIN, "short1"))

    assert services.station.is_initialized() is False
    assert count(Officer) == 0


BAD_SETTINGS = {
    "code_too_short": ({"code": "Q"}, "code"),
    "code_too_long": ({"code": "ABCDEFGHIJKLM"}, "code"),
    "code_with_hyphen": ({"code": "QN-L"}, "code"),
    "code_chinese": ({"code": "青年路"}, "code"),
    "paper_b5": ({"paper_size": "B5"}, "paper_size"),
    "paper_lower_case": ({"paper_size": "a4"}, "paper_size"),
    "timezone_unknown": ({"timezone": "Mars/Olympus"}, "timezone"),
    "timezone_empty": ({"timezone": ""}, "timezone"),
    "timezone_path": ({"timezone": "../../etc/passwd"}, "timezone"),
    "consult_phone_letters": ({"phone_consult": "0571-86OO1110"}, "phone_consult"),
    "supervision_phone_words": ({"phone_supervision": "call me"}, "phone_supervision"),
    "phone_12345_letters": ({"phone_12345": "12345abc"}, "phone_12345"),
    "name_empty": ({"name": "  "}, "name"),
    "name_too_long": ({"name": "派" * 61}, "name"),
    "lockout_attempts_low": ({"lockout_attempts": 2}, "lockout_attempts"),
    "lockout_minutes_zero": ({"lockout_minutes": 0}, "lockout_minutes"),
    "idle_lock_zero": ({"idle_lock_minutes": 0}, "idle_lock_minutes"),
    "idle_lock_two_hours": ({"idle_lock_minutes": 120}, "idle_lock_minutes"),
    "backup_folder_relative": ({"backup_folder": "备份"}, "backup_folder"),
    "backup_folder_too_long": ({"backup_folder": "/" + "a" * 400}, "backup_folder"),
    "backup_keep_one": ({"backup_keep": 1}, "backup_keep"),
}


@pytest.mark.parametrize(("changes", "field"), BAD_SETTINGS.values(), ids=BAD_SETTINGS.keys())
def test_bad_settings_are_refused_naming_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_settings(replace(GOOD, **changes))

    assert caught.value.field == field
    assert caught.value.message


def test_good_settings_are_cleaned() -> None:
    clean = validate_settings(
        replace(
            GOOD,
            name="  示例派出所 ",
            code="qnl",
            phone_consult="0571-86001110 转 8001",
            phone_supervision="(0571) 86001234",
            paper_size="80mm",
            timezone="Asia/Urumqi",
        )
    )

    assert (clean.name, clean.code, clean.phone_consult) == (
        "示例派出所",
        "QNL",
        "0571-86001110 转 8001",
    )
    assert (clean.paper_size, clean.timezone) == ("80mm", "Asia/Urumqi")


@pytest.mark.parametrize("folder", ["E:\\台账备份", "/media/usb/台账备份", "\\\\server\\share", ""])
def test_a_backup_folder_is_a_whole_path_or_empty(folder: str) -> None:
    clean = validate_settings(replace(GOOD, backup_folder=f" {folder} ", idle_lock_minutes=10))

    assert (clean.backup_folder, clean.idle_lock_minutes) == (folder, 10)


def test_the_data_protection_settings_are_stored(services: Services, chief: SessionUser) -> None:
    old = services.station.settings()
    assert (old.idle_lock_minutes, old.backup_folder, old.backup_keep) == (5, "", 30)
    new = replace(old, idle_lock_minutes=3, backup_folder="/media/usb/备份", backup_keep=60)

    services.station.update_settings(chief, new)

    assert services.station.settings() == new


def test_updating_settings_audits_only_the_changed_fields(
    services: Services, chief: SessionUser, audit_log: AuditLog
) -> None:
    old = services.station.settings()
    new = replace(old, address="和平路 1 号", phone_consult="0571-86001110", paper_size="A4")

    saved = services.station.update_settings(chief, new)

    assert saved == new
    assert services.station.settings() == new
    event = audit_log()[-1]
    assert (event["action"], event["officer_id"]) == ("settings_changed", chief.officer_id)
    assert event["before"] == {"address": "", "phone_consult": "", "paper_size": "A5"}
    assert event["after"] == {
        "address": "和平路 1 号",
        "phone_consult": "0571-86001110",
        "paper_size": "A4",
    }


def test_saving_unchanged_settings_writes_no_event(
    services: Services, chief: SessionUser, audit_log: AuditLog
) -> None:
    events = len(audit_log())

    services.station.update_settings(chief, replace(services.station.settings()))

    assert len(audit_log()) == events


def test_refused_settings_leave_the_stored_ones(
    services: Services, chief: SessionUser, audit_log: AuditLog
) -> None:
    old, events = services.station.settings(), len(audit_log())

    with pytest.raises(ValidationError):
        services.station.update_settings(chief, replace(old, address="新址", timezone="Nowhere"))

    assert services.station.settings() == old
    assert len(audit_log()) == events


def test_the_first_officers_phone_is_validated_like_any_other(
    services: Services, count: Count
) -> None:
    first = NewOfficer("031001", "王建国", Role.CHIEF, TEST_PASSWORD, phone="call me maybe")

    with pytest.raises(ValidationError) as caught:
        services.station.initialize(GOOD, first)

    assert caught.value.field == "phone"
    assert count(Officer) == 0


# ---- issue 21: the wizard's fields all at once, and its password rules ----------------------


def test_bad_settings_are_named_all_at_once() -> None:
    with pytest.raises(ValidationErrors) as caught:
        validate_settings(
            replace(GOOD, name=" ", code="Q", phone_consult="电话没有", hours="时" * 121)
        )

    assert [field for field, _ in caught.value.fields] == [
        "name",
        "code",
        "hours",
        "phone_consult",
    ]


@pytest.mark.parametrize(
    ("password", "said"),
    [
        ("qwerty123", "最常用的密码"),
        ("031001abc", "警号"),
        ("Qnl20260x", "简码 QNL"),
        ("Wangjianguo1", "拼音（wangjianguo）"),
    ],
)
def test_the_first_password_follows_the_rules(
    services: Services, count: Count, password: str, said: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.station.initialize(GOOD, NewOfficer("031001", "王建国", Role.CHIEF, password))

    assert caught.value.field == "password" and said in caught.value.message
    assert services.station.is_initialized() is False and count(Officer) == 0


def test_the_first_account_names_every_wrong_field_at_once(
    services: Services, count: Count
) -> None:
    with pytest.raises(ValidationErrors) as caught:
        services.station.initialize(
            GOOD, NewOfficer("", "John1", Role.WINDOW, "password1"), "password2"
        )

    assert [field for field, _ in caught.value.fields] == [
        "badge_no",
        "name",
        "role",
        "password",
        "repeat",
    ]
    assert services.station.is_initialized() is False and count(Officer) == 0
