"""Service catalogue: the shipped data, search, versions that records can rely on, validation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from app.catalogue.dto import MaterialLine, ServiceItemDetail
from app.catalogue.service import load_shipped_catalogue
from app.core.dto import SessionUser
from app.core.errors import ConflictError, NotFound, ValidationError
from app.services import Services
from db.models import TIME_LIMIT_UNITS, ServiceItem, ServiceItemVersion, ServiceMaterial
from tests.app.helpers import valid_draft

AuditLog = Callable[[], list[dict[str, Any]]]
Count = Callable[[type], int]
TABLES = (ServiceItem, ServiceItemVersion, ServiceMaterial)


def codes(services: Services, text: str, **kwargs: bool) -> set[str]:
    return {row.code for row in services.catalogue.list_items(text, **kwargs)}


def item_by_code(services: Services, code: str) -> ServiceItemDetail:
    [row] = [r for r in services.catalogue.list_items(include_inactive=True) if r.code == code]
    return services.catalogue.get_item(row.item_id)


def test_the_shipped_catalogue_seeds_complete_matters(
    services: Services, chief: SessionUser
) -> None:
    rows = services.catalogue.list_items()

    assert len(rows) >= 15
    assert len(rows) == len(load_shipped_catalogue())
    assert len({r.code for r in rows}) == len(rows)
    for row in rows:
        detail = services.catalogue.get_item(row.item_id)
        draft = detail.draft
        assert detail.version_no == 1, row.code
        assert detail.created_by == "系统", row.code
        assert draft.materials, row.code
        assert row.material_count == len(draft.materials), row.code
        assert all(m.name and m.copies >= 1 for m in draft.materials), row.code
        assert draft.legal_basis.strip(), row.code
        assert draft.time_limit_unit in TIME_LIMIT_UNITS, row.code
        if draft.time_limit_unit != "on_the_spot":
            assert draft.time_limit_value >= 1, row.code
        assert detail.time_limit_text, row.code
        assert draft.fee.strip() and draft.place.strip() and draft.hours.strip(), row.code


def test_the_shipped_limits_read_as_the_law_says(services: Services, chief: SessionUser) -> None:
    texts = {r.code: r.time_limit_text for r in services.catalogue.list_items()}

    assert texts["SFZ-SL"] == "20个工作日"
    assert texts["SFZ-LS"] == "3日（自然日）"
    assert texts["HJ-CS"] == "当场办结"
    assert texts["JZZ-SL"] == "15日（自然日）"


def test_search_by_chinese_name(services: Services, chief: SessionUser) -> None:
    found = services.catalogue.list_items("身份证")

    assert {"SFZ-SL", "SFZ-HL", "SFZ-BL", "SFZ-LS"} <= {r.code for r in found}
    assert all("身份证" in r.name or "身份证" in r.category for r in found)


def test_search_by_pinyin_initials(services: Services, chief: SessionUser) -> None:
    sfz = services.catalogue.list_items("sfz")
    jzz = codes(services, "jzz")

    assert any(r.name.startswith("居民身份证申领") for r in sfz)
    # 临时身份证明 (ZM-LSSF): found by its pinyin, its code does not contain "sfz".
    assert "ZM-LSSF" in {r.code for r in sfz}
    assert {"JZZ-SL", "JZZ-QZ", "JZZ-HB"} <= jzz
    # 居住登记 is filed under the 居住证 category, whose initials are jzz.
    assert "JZ-DJ" in jzz
    # 户口迁出: initials hkqc, upper or lower case.
    assert "HJ-QC" in codes(services, "hkqc")
    assert "HJ-QC" in codes(services, "HKQC")


def test_search_by_full_pinyin(services: Services, chief: SessionUser) -> None:
    assert "JZZ-SL" in codes(services, "juzhuzheng")


@pytest.mark.parametrize("text", ["SFZ-SL", "sfz-sl", " SFZ-SL "])
def test_search_by_code(services: Services, chief: SessionUser, text: str) -> None:
    assert codes(services, text) == {"SFZ-SL"}


def test_search_with_nothing_typed_lists_everything_and_nonsense_finds_nothing(
    services: Services, chief: SessionUser
) -> None:
    assert len(services.catalogue.list_items("")) == len(load_shipped_catalogue())
    assert services.catalogue.list_items("qqqxxx") == []


@pytest.mark.parametrize("text", ["%", "_"])
def test_search_treats_like_wildcards_as_plain_characters(
    services: Services, chief: SessionUser, text: str
) -> None:
    assert services.catalogue.list_items(text) == []


def test_saving_a_new_version_keeps_the_old_one_readable(
    services: Services, chief: SessionUser, audit_log: AuditLog
) -> None:
    old = item_by_code(services, "SFZ-SL")
    new_draft = replace(
        old.draft,
        hours="工作日 8:30-17:30；周六上午",
        materials=(*old.draft.materials, MaterialLine("近期免冠照片", 2, "原件", "照相馆", False)),
    )

    saved = services.catalogue.save_new_version(
        chief, old.item_id, 1, new_draft, "增加周六上午办理时间"
    )

    assert (saved.version_no, saved.current_version_no) == (2, 2)
    assert saved.draft == new_draft
    assert saved.created_by == "王所长"
    versions = services.catalogue.list_versions(old.item_id)
    assert [(v.version_no, v.created_by) for v in versions] == [(2, "王所长"), (1, "系统")]
    assert versions[0].change_note == "增加周六上午办理时间"
    # A record that used version 1 still reads version 1.
    kept = services.catalogue.get_version(old.version_id)
    assert (kept.version_no, kept.current_version_no) == (1, 2)
    assert kept.draft == old.draft
    assert services.catalogue.get_item(old.item_id, 1).draft == old.draft
    assert services.catalogue.get_item(old.item_id).draft == new_draft
    [row] = services.catalogue.list_items("SFZ-SL")
    assert (row.version_no, row.version_id, row.material_count) == (
        2,
        saved.version_id,
        len(old.draft.materials) + 1,
    )
    event = audit_log()[-1]
    assert event["action"] == "catalogue_version_added"
    assert (event["before"]["version"], event["after"]["version"]) == (1, 2)
    assert event["after"]["note"] == "增加周六上午办理时间"


def test_a_stale_version_number_is_a_conflict_and_writes_nothing(
    services: Services, chief: SessionUser, count: Count, audit_log: AuditLog
) -> None:
    item = item_by_code(services, "SFZ-SL")
    services.catalogue.save_new_version(
        chief, item.item_id, 1, replace(item.draft, hours="全天"), "第一次修改"
    )
    rows, events = [count(t) for t in TABLES], len(audit_log())

    with pytest.raises(ConflictError) as caught:
        services.catalogue.save_new_version(
            chief, item.item_id, 1, replace(item.draft, place="二楼"), "基于旧版的修改"
        )

    assert "第 2 版" in caught.value.message
    assert [count(t) for t in TABLES] == rows
    assert len(audit_log()) == events
    assert services.catalogue.get_item(item.item_id).draft.hours == "全天"


def test_saving_unchanged_content_is_refused(services: Services, chief: SessionUser) -> None:
    item = item_by_code(services, "SFZ-SL")

    with pytest.raises(ValidationError, match="没有变化"):
        services.catalogue.save_new_version(chief, item.item_id, 1, item.draft, "无改动")

    assert [v.version_no for v in services.catalogue.list_versions(item.item_id)] == [1]


BAD_DRAFTS = {
    "no_materials": ({"materials": ()}, "materials"),
    "negative_limit": ({"time_limit_value": -1}, "time_limit_value"),
    "zero_working_days": ({"time_limit_value": 0}, "time_limit_value"),
    "zero_calendar_days": (
        {"time_limit_value": 0, "time_limit_unit": "calendar_days"},
        "time_limit_value",
    ),
    "limit_over_a_year": ({"time_limit_value": 366}, "time_limit_value"),
    "unknown_unit": ({"time_limit_unit": "weeks"}, "time_limit_unit"),
    "empty_name": ({"name": ""}, "name"),
    "blank_name": ({"name": "   "}, "name"),
    "over_long_name": ({"name": "事" * 61}, "name"),
    "empty_legal_basis": ({"legal_basis": ""}, "legal_basis"),
    "empty_fee": ({"fee": ""}, "fee"),
    "unnamed_material": (
        {"materials": (MaterialLine("", 1, "原件", "", True),)},
        "materials.0",
    ),
    "zero_copies": (
        {"materials": (MaterialLine("户口簿", 0, "原件", "", True),)},
        "materials.0",
    ),
    "bad_form": (
        {"materials": (MaterialLine("户口簿", 1, "扫描件", "", True),)},
        "materials.0",
    ),
    "duplicate_material": (
        {
            "materials": (
                MaterialLine("户口簿", 1, "原件", "", True),
                MaterialLine("户口簿", 1, "复印件", "", True),
            )
        },
        "materials.1",
    ),
}


@pytest.mark.parametrize(("changes", "field"), BAD_DRAFTS.values(), ids=BAD_DRAFTS.keys())
def test_a_bad_new_matter_is_refused_naming_the_field_and_nothing_is_written(
    services: Services,
    chief: SessionUser,
    count: Count,
    audit_log: AuditLog,
    changes: dict[str, Any],
    field: str,
) -> None:
    rows, events = [count(t) for t in TABLES], len(audit_log())

    with pytest.raises(ValidationError) as caught:
        services.catalogue.create_item(chief, "TEST-01", valid_draft(**changes))

    assert caught.value.field == field
    assert [count(t) for t in TABLES] == rows
    assert len(audit_log()) == events
    assert codes(services, "TEST-01", include_inactive=True) == set()


BAD_EDITS = {
    key: BAD_DRAFTS[key]
    for key in ("no_materials", "negative_limit", "zero_working_days", "empty_name", "bad_form")
}


@pytest.mark.parametrize(("changes", "field"), BAD_EDITS.values(), ids=BAD_EDITS.keys())
def test_a_bad_new_version_is_refused_naming_the_field_and_nothing_is_written(
    services: Services,
    chief: SessionUser,
    count: Count,
    audit_log: AuditLog,
    changes: dict[str, Any],
    field: str,
) -> None:
    item = item_by_code(services, "SFZ-SL")
    rows, events = [count(t) for t in TABLES], len(audit_log())

    with pytest.raises(ValidationError) as caught:
        services.catalogue.save_new_version(
            chief, item.item_id, 1, replace(item.draft, **changes), "错误的修改"
        )

    assert caught.value.field == field
    assert [count(t) for t in TABLES] == rows
    assert len(audit_log()) == events
    assert services.catalogue.get_item(item.item_id) == item


def test_a_new_version_needs_a_change_note(services: Services, chief: SessionUser) -> None:
    item = item_by_code(services, "SFZ-SL")

    with pytest.raises(ValidationError) as caught:
        services.catalogue.save_new_version(
            chief, item.item_id, 1, replace(item.draft, hours="全天"), "  "
        )

    assert caught.value.field == "change_note"


def test_creating_a_matter_stores_version_one_and_audits_it(
    services: Services, chief: SessionUser, audit_log: AuditLog
) -> None:
    detail = services.catalogue.create_item(chief, "test-01", valid_draft())

    assert (detail.code, detail.version_no, detail.created_by) == ("TEST-01", 1, "王所长")
    assert detail.time_limit_text == "5个工作日"
    assert codes(services, "测试事项") == {"TEST-01"}
    event = audit_log()[-1]
    assert (event["action"], event["entity_id"]) == ("catalogue_item_added", str(detail.item_id))
    assert event["after"]["code"] == "TEST-01"


def test_on_the_spot_matters_store_no_day_count(services: Services, chief: SessionUser) -> None:
    detail = services.catalogue.create_item(
        chief, "TEST-02", valid_draft(time_limit_unit="on_the_spot", time_limit_value=7)
    )

    assert detail.draft.time_limit_value == 0
    assert detail.time_limit_text == "当场办结"


@pytest.mark.parametrize("code", ["X", "SFZ SL", "身份证", "-ABC", "A" * 21])
def test_a_bad_matter_code_is_refused(services: Services, chief: SessionUser, code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        services.catalogue.create_item(chief, code, valid_draft())

    assert caught.value.field == "code"


def test_a_matter_code_cannot_be_used_twice(services: Services, chief: SessionUser) -> None:
    with pytest.raises(ValidationError) as caught:
        services.catalogue.create_item(chief, "sfz-sl", valid_draft())

    assert caught.value.field == "code"
    assert "已被使用" in caught.value.message


def test_a_retired_matter_leaves_the_list_but_not_the_full_list(
    services: Services, chief: SessionUser, audit_log: AuditLog
) -> None:
    item = item_by_code(services, "JZZ-QZ")

    services.catalogue.set_active(chief, item.item_id, False)

    assert "JZZ-QZ" not in codes(services, "")
    assert "JZZ-QZ" not in codes(services, "jzz")
    everything = services.catalogue.list_items(include_inactive=True)
    assert [r.active for r in everything if r.code == "JZZ-QZ"] == [False]
    assert services.catalogue.get_item(item.item_id).active is False
    assert audit_log()[-1]["action"] == "catalogue_item_retired"

    with pytest.raises(ConflictError):
        services.catalogue.set_active(chief, item.item_id, False)

    services.catalogue.set_active(chief, item.item_id, True)
    assert "JZZ-QZ" in codes(services, "jzz")


def test_unknown_matters_and_versions_are_not_found(services: Services, chief: SessionUser) -> None:
    item = item_by_code(services, "SFZ-SL")

    with pytest.raises(NotFound):
        services.catalogue.get_item(99999)
    with pytest.raises(NotFound):
        services.catalogue.get_item(item.item_id, 5)
    with pytest.raises(NotFound):
        services.catalogue.get_version(99999)


def test_what_was_typed_decides_the_order_code_first(
    services: Services, chief: SessionUser
) -> None:
    # "sfzsl" is SFZ-SL's code without its dash: that matter first, not 临时身份证 (SFZ-LS),
    # whose pinyin also contains the letters.
    assert next(r.code for r in services.catalogue.list_items("sfzsl")) == "SFZ-SL"
    assert next(r.code for r in services.catalogue.list_items("SFZ-LS")) == "SFZ-LS"
    # A code's beginning comes before a match inside a name's pinyin.
    codes = [r.code for r in services.catalogue.list_items("sfz")]
    assert codes.index("ZM-LSSF") > max(codes.index(c) for c in codes if c.startswith("SFZ-"))
