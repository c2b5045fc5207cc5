"""Scanned QR codes: a receipt's and a notice's checksum is checked wherever a code is typed."""

from __future__ import annotations

import datetime as dt
import hashlib
from zoneinfo import ZoneInfo

import pytest

from app.core.clock import FixedClock
from app.core.dto import SessionUser
from app.core.errors import NotFound, ValidationError
from app.core.roles import Role
from app.services import Services
from app.visits.dto import VisitQuery
from tests.app.notices.test_notices import Counter

RECEIPT_REFUSED = (
    "二维码校验未通过：可能是扫描有误、旧版回执或回执被改动，请核对纸面编号后手工输入。"
)
NOTICE_REFUSED = "二维码校验失败：该告知单可能被篡改或扫描有误，请核对纸面编号后手工输入。"


@pytest.fixture
def desk(services: Services, chief: SessionUser, make_officer, clock: FixedClock) -> Counter:  # type: ignore[no-untyped-def]
    return Counter(services, chief, make_officer(Role.WINDOW, "张伟"), clock)


def accepted(desk: Counter, name: str = "王小明") -> tuple[int, str, str]:
    """A matter accepted at the counter: its id, number and the receipt's QR code."""
    visit_id = desk.visit(name=name)
    row = desk.s.visits.get(desk.officer, visit_id).row
    desk.s.visits.accept(desk.officer, visit_id, row.row_version)
    return visit_id, row.serial, desk.s.visits.slip(desk.officer, visit_id, "receipt").qr_payload


def found(desk: Counter, typed: str) -> list[str]:
    """The numbers the search finds for what the scanner typed into the number field."""
    page = desk.s.visits.search(desk.officer, VisitQuery(serial=typed))
    return [r.serial for r in page.rows]


def full_width(text: str) -> str:
    """``text`` as typed with a Chinese input method in full-width mode (Ａ, ０, ｜)."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def other_checksum(code: str) -> str:
    prefix, number, checksum = code.split("|")
    return f"{prefix}|{number}|{'0' * 8 if checksum != '0' * 8 else '1' * 8}"


# ---- receipts -------------------------------------------------------------------------------


def test_a_scanned_receipt_finds_its_matter(desk: Counter) -> None:
    _id, serial, code = accepted(desk)

    assert code.startswith(f"SD|{serial}|")
    assert found(desk, code) == [serial]
    assert found(desk, f"  {code.lower()} ") == [serial]  # a scanner in lower case


def test_a_forged_receipt_code_is_refused(desk: Counter) -> None:
    _id, _serial, code = accepted(desk)

    with pytest.raises(ValidationError) as refused:
        found(desk, other_checksum(code))

    assert refused.value.message == RECEIPT_REFUSED and refused.value.field == "serial"


def test_a_mistyped_receipt_code_is_refused(desk: Counter) -> None:
    _id, first, code = accepted(desk)
    _id, second, _ = accepted(desk, "李四")
    checksum = code.rsplit("|", 1)[1]
    typo = checksum[:-1] + ("0" if checksum[-1] != "0" else "1")

    with pytest.raises(ValidationError, match="可能是扫描有误、旧版回执或回执被改动"):
        found(desk, f"SD|{first}|{typo}")
    # A misread digit of the number lands on another matter: its checksum does not fit.
    with pytest.raises(ValidationError, match="可能是扫描有误、旧版回执或回执被改动"):
        found(desk, f"SD|{second}|{checksum}")
    with pytest.raises(ValidationError, match="二维码内容不完整"):
        found(desk, f"SD|{first}")  # cut off
    with pytest.raises(NotFound, match="没有编号为 HPL-1999-000001"):
        found(desk, f"SD|HPL-1999-000001|{checksum}")
    assert found(desk, first) == [first]  # typed by hand, the number still finds it


def test_an_old_receipt_stays_valid_after_the_matter_moved_on(desk: Counter) -> None:
    visit_id, serial, code = accepted(desk)
    due_before = desk.s.visits.get(desk.officer, visit_id).row.due_date

    # Missing materials: the clock pauses, the citizen returns, the due date moves.
    notice = desk.issue(visit_id)
    owed = [i.id for i in notice.items if i.owed]
    desk.clock.advance(dt.timedelta(days=2))
    desk.s.notices.record_return(desk.officer, notice.id, notice.row_version, owed)
    now = desk.s.visits.get(desk.officer, visit_id).row

    assert now.due_date != due_before
    assert desk.s.visits.slip(desk.officer, visit_id, "receipt").qr_payload == code
    assert found(desk, code) == [serial]


def old_code(number: str, *content: str) -> str:
    """A QR code as slips were printed before the current rule (written out here on purpose)."""
    digest = hashlib.sha256("|".join((number, *content)).encode("utf-8")).hexdigest()
    return f"SD|{number}|{digest[:8].upper()}"


def old_receipt(desk: Counter, visit_id: int) -> str:
    """The old receipt: number, acceptance date, due date, first officer's badge, matter name."""
    detail = desk.s.visits.get(desk.officer, visit_id)
    assert detail.accepted_at is not None and detail.row.due_date is not None
    accepted = detail.accepted_at.astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()
    return old_code(
        detail.row.serial,
        accepted,
        detail.row.due_date.isoformat(),
        detail.first_officer_badge,
        detail.row.service_name,
    )


def test_a_receipt_printed_before_the_upgrade_still_finds_its_matter(desk: Counter) -> None:
    visit_id, serial, code = accepted(desk)
    old = old_receipt(desk, visit_id)
    assert old != code

    assert found(desk, old) == [serial]
    assert found(desk, old.lower()) == [serial]
    assert found(desk, full_width(old)) == [serial]  # scanned with a full-width input method on


def test_old_guidance_and_refusal_slips_still_find_their_matters(desk: Counter) -> None:
    guided_id = desk.visit()
    row = desk.s.visits.get(desk.officer, guided_id).row
    guided = desk.s.visits.guide(
        desk.officer, guided_id, row.row_version, "城南区社保中心", "解放路 12 号", "0571-12333"
    )
    refused_id = desk.visit(name="李四")
    row = desk.s.visits.get(desk.officer, refused_id).row
    refused = desk.s.visits.refuse(
        desk.officer,
        refused_id,
        row.row_version,
        "不属于本事项的办理条件。",
        "可申请行政复议。",
        basis="《中华人民共和国行政许可法》第三十二条",
        review_body="测试市和平区人民政府",
        court="测试市和平区人民法院",
    )

    guidance = old_code(
        guided.row.serial, guided.guided_unit, guided.guided_phone, guided.first_officer_badge
    )
    refusal = old_code(
        refused.row.serial, refused.refusal_reason, refused.refusal_redress, refused.owner_badge
    )
    assert found(desk, guidance) == [guided.row.serial]
    assert found(desk, refusal) == [refused.row.serial]
    # Each old code fits only its own matter.
    with pytest.raises(ValidationError, match="旧版回执"):
        found(desk, f"SD|{refused.row.serial}|{guidance.rsplit('|', 1)[1]}")


def test_an_old_receipt_whose_fields_changed_is_refused_naming_the_old_receipt(
    desk: Counter,
) -> None:
    visit_id, _serial, _code = accepted(desk)
    old = old_receipt(desk, visit_id)

    # The due date moves while materials are missing: the old checksum no longer fits.
    notice = desk.issue(visit_id)
    owed = [i.id for i in notice.items if i.owed]
    desk.clock.advance(dt.timedelta(days=2))
    desk.s.notices.record_return(desk.officer, notice.id, notice.row_version, owed)

    with pytest.raises(ValidationError) as refused:
        found(desk, old)
    assert refused.value.message == RECEIPT_REFUSED and refused.value.field == "serial"


# ---- notices --------------------------------------------------------------------------------


def test_a_scanned_notice_is_found_and_a_forged_or_mistyped_one_refused(desk: Counter) -> None:
    first = desk.issue(desk.visit())
    second = desk.issue(desk.visit(name="李四"))
    code = desk.s.notices.slip(desk.officer, first.id).qr_payload

    assert desk.s.notices.find(desk.officer, code).id == first.id
    assert desk.s.notices.find(desk.officer, code.lower()).id == first.id
    assert desk.s.notices.find(desk.officer, full_width(code)).id == first.id
    assert desk.s.notices.find(desk.officer, full_width(first.number)).id == first.id
    with pytest.raises(ValidationError) as refused:
        desk.s.notices.find(desk.officer, other_checksum(code))
    assert refused.value.message == NOTICE_REFUSED and refused.value.field == "number"
    checksum = code.rsplit("|", 1)[1]
    with pytest.raises(ValidationError, match="该告知单可能被篡改或扫描有误"):
        desk.s.notices.find(desk.officer, f"SD|{second.number}|{checksum}")
    with pytest.raises(ValidationError, match="二维码内容不完整"):
        desk.s.notices.find(desk.officer, f"SD|{first.number}|{checksum[:5]}")
    assert desk.s.notices.find(desk.officer, first.number).id == first.id  # by hand


def test_a_notice_code_typed_into_the_visit_search_is_checked_too(desk: Counter) -> None:
    visit_id = desk.visit()
    notice = desk.issue(visit_id)
    serial = desk.s.visits.get(desk.officer, visit_id).row.serial
    code = desk.s.notices.slip(desk.officer, notice.id).qr_payload

    assert found(desk, code) == [serial]
    with pytest.raises(ValidationError) as refused:
        found(desk, other_checksum(code))
    assert refused.value.message == NOTICE_REFUSED


def test_a_receipt_scanned_where_a_notice_is_asked_is_checked_and_named(desk: Counter) -> None:
    """告知单 → 扫码: a receipt's code is not a notice's; its checksum is checked all the same."""
    _id, serial, code = accepted(desk)

    with pytest.raises(NotFound) as wrong_kind:
        desk.s.notices.find(desk.officer, code)
    assert f"扫描的是受理回执（编号 {serial}）的二维码，不是告知单" in wrong_kind.value.message

    with pytest.raises(ValidationError) as forged:
        desk.s.notices.find(desk.officer, other_checksum(code))
    assert forged.value.message == RECEIPT_REFUSED
