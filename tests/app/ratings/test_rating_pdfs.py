"""Printed 好差评 papers: the on-site callback register and the rectification slip (督办单)."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path

import pypdfium2
import pytest
from PIL import Image, ImageDraw

from app import cli
from app.core.clock import FixedClock
from app.core.dto import SessionUser
from app.core.errors import NotFound, PermissionDenied, ValidationError
from app.core.identity import IdType
from app.core.roles import Role
from app.printing.fonts import missing_glyphs
from app.printing.qr_codes import ScannedCode, parse_scan
from app.printing.register_pdf import (
    RegisterColumn,
    RegisterDocument,
    RegisterRow,
    RegisterTable,
    ReviewBlock,
    render_register,
)
from app.printing.slip_data import printed_qr_text
from app.printing.slip_pdf import render_slip
from app.ratings.service import RatingInput
from app.services import Services
from app.visits.dto import NameChoice, NewVisit
from tests.conftest import TEST_PASSWORD

FULL_ID = "11010519491231002X"
PHONE = "13805710011"
MASKED_PHONE = "138****0011"
DIMS = ("办事效率", "服务态度", "办理结果", "规范廉洁")
STROKES = (((20.0, 100.0, 0.5), (120.0, 40.0, 0.7), (220.0, 110.0, 0.6)),)
BEIJING = dt.timezone(dt.timedelta(hours=8))


def signature_png() -> bytes:
    image = Image.new("RGB", (400, 150), "white")
    ImageDraw.Draw(image).line([(20, 100), (120, 40), (220, 110), (380, 30)], fill="black", width=6)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def signed(overall: int, each: int | None = None, comment: str = "") -> RatingInput:
    level = overall if each is None else each
    return RatingInput(
        overall=overall,
        dimensions=tuple((d, level) for d in DIMS),
        comment=comment,
        signer_name="王小明",
        strokes=STROKES,
        png=signature_png(),
    )


def pages_text(pdf: bytes) -> list[str]:
    doc = pypdfium2.PdfDocument(pdf)
    try:
        return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    finally:
        doc.close()


def pdf_text(pdf: bytes) -> str:
    return "\n".join(pages_text(pdf))


def image_count(pdf: bytes) -> int:
    doc = pypdfium2.PdfDocument(pdf)
    try:
        return sum(
            1
            for page in doc
            for o in page.get_objects()
            if o.type == pypdfium2.raw.FPDF_PAGEOBJ_IMAGE
        )
    finally:
        doc.close()


def assert_fonts_embedded(tmp_path: Path, pdf: bytes) -> None:
    if not shutil.which("pdffonts"):
        pytest.skip("pdffonts (poppler-utils) is not installed")
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    fonts = out.stdout.strip().splitlines()[2:]
    assert fonts, "no fonts listed"
    for line in fonts:
        assert "NotoSansSC" in line
        assert line.split()[-5] == "yes"  # the 'emb' column


def assert_no_personal_data(text: str) -> None:
    flat = "".join(text.split())
    assert FULL_ID not in flat and FULL_ID.lower() not in flat
    assert PHONE not in flat


class Desk:
    """The counter: a window officer finishes matters and the citizen rates them."""

    def __init__(
        self, services: Services, chief: SessionUser, officer: SessionUser, clock: FixedClock
    ) -> None:
        self.s, self.chief, self.officer, self.clock = services, chief, officer, clock
        self.item = services.catalogue.list_items("ZM-WFZ")[0]

    def finished(self, name: str = "王小明") -> tuple[int, str]:
        v = self.s.visits.register(
            self.officer,
            NewVisit(
                name,
                IdType.RESIDENT,
                FULL_ID,
                PHONE,
                self.item.item_id,
                name_choice=NameChoice.CURRENT,  # one test ID under several names
            ),
        )
        v = self.s.visits.complete_on_the_spot(self.officer, v.row.id, v.row.row_version, "已出具")
        return v.row.id, v.row.serial

    def rate(self, given: RatingInput, name: str = "王小明") -> tuple[str, str]:
        """A finished matter rated on site; returns its serial and the rectification number."""
        visit_id, serial = self.finished(name)
        result = self.s.ratings.rate_on_site(self.officer, visit_id, given)
        self.clock.advance(dt.timedelta(minutes=7))
        return serial, result.rectification

    @property
    def today(self) -> dt.date:
        return self.clock.now().astimezone(BEIJING).date()


@pytest.fixture
def desk(services: Services, chief: SessionUser, make_officer, clock: FixedClock) -> Desk:  # type: ignore[no-untyped-def]
    return Desk(services, chief, make_officer(Role.WINDOW, "张伟"), clock)


# ---- the register ------------------------------------------------------------------------


def test_the_register_lists_each_on_site_rating_with_levels_and_signatures(
    tmp_path: Path, desk: Desk
) -> None:
    good, _ = desk.rate(signed(5, comment="办事很快"))
    bad, rect_number = desk.rate(signed(4, 2, comment="等了很久"), name="李四")
    declined, _ = desk.rate(RatingInput(None, declined=True), name="赵六")
    assert rect_number

    doc = desk.s.ratings.on_site_register(desk.chief, desk.today)
    pdf = render_register(doc)
    text = pdf_text(pdf)
    flat = "".join(text.split())

    assert pdf.startswith(b"%PDF-")
    assert doc.row_count == 3
    assert "测试市公安局测试分局和平路派出所" in text and "现场回访登记簿" in text
    assert "2025年9月29日" in text
    for header in ("时间", "登记编号", "事项", "群众", "联系电话", "办理民警", "总体评价", "意见"):
        assert header in flat
    for dim in DIMS:
        assert dim in flat
    for serial in (good, bad, declined):
        assert serial in flat
    assert flat.index(good) < flat.index(bad) < flat.index(declined), "in time order"
    assert "李四" in text and "赵六" in text and "张伟" in text
    assert MASKED_PHONE in text
    assert "非常满意" in text and "不满意" in text and "（差评）" in flat
    assert rect_number in flat and "等了很久" in flat
    assert "拒绝评价" in text and "未签名（拒绝评价）" in flat
    assert "评价3件，其中差评1件，拒绝评价1件" in flat
    assert "第 1 页 共 1 页" in text
    assert_no_personal_data(text)
    assert image_count(pdf) == 2, "one signature for each signed rating, none for the refusal"
    assert missing_glyphs("".join(doc.texts())) == []
    assert_fonts_embedded(tmp_path, pdf)


def test_the_register_covers_only_on_site_ratings_of_the_period(
    desk: Desk, clock: FixedClock
) -> None:
    first, rect_number = desk.rate(signed(1))
    day_one = desk.today
    rect = desk.s.rectifications.rectifications(desk.chief)[0]
    desk.s.rectifications.verify(desk.chief, rect.id, rect.row_version, "高峰时段只开一个窗口")
    rect = desk.s.rectifications.rectifications(desk.chief)[0]
    # A follow-up rating of the rectification is not an on-site rating.
    desk.s.rectifications.rectify(desk.chief, rect.id, rect.row_version, "加开窗口", "已改进")
    rect = desk.s.rectifications.rectifications(desk.chief)[0]
    desk.s.rectifications.record_follow_up(
        desk.chief, rect.id, rect.row_version, RatingInput(4, tuple((d, 4) for d in DIMS))
    )
    clock.advance(dt.timedelta(days=1))
    second, _ = desk.rate(signed(5))
    day_two = desk.today

    one = desk.s.ratings.on_site_register(desk.chief, day_one)
    both = desk.s.ratings.on_site_register(desk.chief, day_one, day_two)

    assert one.row_count == 1 and both.row_count == 2
    text = "".join(pdf_text(render_register(both)).split())
    assert first in text and second in text
    assert "2025年9月29日至2025年9月30日" in text
    assert one.qr_payload.split("|")[1] == "HPL-HF-20250929"
    assert both.qr_payload != one.qr_payload
    empty = desk.s.ratings.on_site_register(desk.chief, day_two + dt.timedelta(days=1))
    assert "本期间没有现场评价。" in pdf_text(render_register(empty))
    assert rect_number not in "".join(pdf_text(render_register(empty)).split())


def test_only_the_chief_and_deputies_print_the_register_and_periods_are_checked(
    desk: Desk, make_officer
) -> None:  # type: ignore[no-untyped-def]
    desk.rate(signed(5))
    deputy = make_officer(Role.DEPUTY, "李副所长")
    assert desk.s.ratings.on_site_register(deputy, desk.today).row_count == 1
    with pytest.raises(PermissionDenied, match="所长或副所长"):
        desk.s.ratings.on_site_register(desk.officer, desk.today)
    with pytest.raises(PermissionDenied):
        desk.s.ratings.record_register_print(desk.officer, desk.today, desk.today, 1)
    with pytest.raises(ValidationError, match="早于"):
        desk.s.ratings.on_site_register(desk.chief, desk.today, desk.today - dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="31"):
        desk.s.ratings.on_site_register(desk.chief, desk.today, desk.today + dt.timedelta(days=31))


def test_printing_the_register_is_audited(desk: Desk, audit_log) -> None:  # type: ignore[no-untyped-def]
    desk.rate(signed(5))
    doc = desk.s.ratings.on_site_register(desk.chief, desk.today)
    copy_no = desk.s.ratings.register_print_copy_no(desk.chief, desk.today, desk.today)
    desk.s.ratings.record_register_print(
        desk.chief, desk.today, desk.today, doc.row_count, copy_no=copy_no
    )
    assert desk.s.ratings.register_print_copy_no(desk.chief, desk.today, desk.today) == 2

    event = audit_log()[-1]
    assert event["action"] == "register_printed"
    assert event["entity_id"] == "HPL-HF-20250929"
    assert event["officer_id"] == desk.chief.officer_id
    assert event["after"] == {
        "from": "2025-09-29",
        "to": "2025-09-29",
        "rows": 1,
        "via": "gui",
        "copy_no": 1,
    }


def test_many_ratings_run_over_pages_each_with_the_header_and_its_number(desk: Desk) -> None:
    for n in range(60):
        desk.rate(signed(2 if n % 10 == 3 else 5))

    doc = desk.s.ratings.on_site_register(desk.chief, desk.today)
    pdf = render_register(doc)
    pages = pages_text(pdf)

    assert doc.row_count == 60 and len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        flat = "".join(page.split())
        assert f"第 {number} 页 共 {len(pages)} 页" in page
        assert "登记编号" in flat and "群众签名" in flat, f"header missing on page {number}"
        if number > 1:
            assert "现场回访登记簿" in flat and "2025年9月29日" in flat
    assert "评价60件，其中差评6件，拒绝评价0件" in "".join(pages[-1].split())
    assert image_count(pdf) == 60
    assert_no_personal_data("".join(pages))


def test_the_register_renderer_is_generic(tmp_path: Path) -> None:
    """What the chief's daily ledger needs: sections, an empty table, a signed review, a QR."""
    doc = RegisterDocument(
        title="每日台账",
        station_name="测试派出所",
        subtitle="2025年9月29日",
        printed_at=dt.datetime(2025, 9, 29, 18, 0, tzinfo=BEIJING),
        tables=(
            RegisterTable(
                (RegisterColumn("编号", 1), RegisterColumn("事项", 3)),
                (RegisterRow(("A-1", "户籍证明")), RegisterRow(("A-2", "无犯罪记录证明"), True)),
                heading="一、办理事项",
            ),
            RegisterTable(
                (RegisterColumn("编号", 1), RegisterColumn("情况", 3)),
                (),
                heading="二、超期事项",
                empty_text="当日没有超期事项。",
            ),
        ),
        summary=("当日办理 2 件。",),
        review=ReviewBlock(
            "所长审核",
            (("审核意见", "已阅，同意。"), ("审核时间", "2025-09-29 18:00")),
            "所长签名",
            signature_png(),
        ),
        qr_payload="SD|2025-09-29|ABCDEF12",
        number="HPL-TZ-20250929",
        landscape=False,
    )
    pdf = render_register(doc)
    text = pdf_text(pdf)
    for part in ("每日台账", "一、办理事项", "户籍证明", "当日没有超期事项。", "已阅，同意。"):
        assert part in text
    assert "所长签名" in text and "第 1 页 共 1 页" in text and "HPL-TZ-20250929" in text
    assert image_count(pdf) == 1
    page = pypdfium2.PdfDocument(pdf)[0]
    assert page.get_width() < page.get_height(), "portrait when asked"
    assert_fonts_embedded(tmp_path, pdf)


def test_a_row_taller_than_a_page_still_prints() -> None:
    doc = RegisterDocument(
        title="登记簿",
        station_name="测试派出所",
        subtitle="",
        printed_at=dt.datetime(2025, 9, 29, 18, 0, tzinfo=BEIJING),
        tables=(
            RegisterTable(
                (RegisterColumn("序号", 1), RegisterColumn("内容", 2)),
                (RegisterRow(("1", "很长的说明。" * 900)),),
            ),
        ),
    )
    assert len(pages_text(render_register(doc))) >= 2


# ---- the rectification slip --------------------------------------------------------------


def test_the_rectification_slip_shows_the_rating_and_blank_sections_to_fill_in(
    tmp_path: Path, desk: Desk
) -> None:
    serial, number = desk.rate(signed(4, 2, comment="等了很久"))
    rect = desk.s.rectifications.rectifications(desk.chief)[0]

    data = desk.s.rectifications.rectification_slip(desk.chief, rect.id)
    pdf = render_slip(data)
    text = pdf_text(pdf)
    flat = "".join(text.split())

    assert data.paper_size == "A4" and data.copy_no == 1
    assert "整改督办单" in text and number in text and serial in text
    assert desk.item.name in flat and "王小明" in text and MASKED_PHONE in text
    assert "张伟" in text and desk.officer.badge_no in text and "王所长" in text
    assert "现场评价" in text and "满意" in text and "服务态度：不满意（差评）" in flat
    assert "等了很久" in text
    assert rect.verify_due.isoformat() in text and rect.rectify_due.isoformat() in text
    for label in ("原因核实", "整改措施", "整改结果", "整改回访", "销号日期"):
        assert label in flat
    assert "申诉处理意见" not in flat, "no appeal, no appeal section"
    for line in ("督办人签字", "责任民警签字", "日期"):
        assert line in flat
    assert "第 1 页 共 1 页" in text and "补打" not in text
    assert_no_personal_data(text)
    assert missing_glyphs("".join(data.texts())) == []
    assert_fonts_embedded(tmp_path, pdf)
    if shutil.which("zbarimg") and shutil.which("pdftoppm"):
        path = tmp_path / "rect.pdf"
        path.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-r", "200", "-png", str(path), str(tmp_path / "p")], check=True
        )
        decoded = subprocess.run(
            ["zbarimg", "--quiet", "--raw", str(next(tmp_path.glob("p*.png")))],
            capture_output=True,
            text=True,
        ).stdout
        # Issue 14: the code is printed as text a phone shows; the scanner reads the same
        # number and checksum out of it.
        assert decoded.strip() == printed_qr_text(data)
        assert parse_scan(decoded, "number") == ScannedCode(number, data.qr_payload[-8:])


def test_a_finished_rectification_slip_carries_every_step(desk: Desk, make_officer) -> None:  # type: ignore[no-untyped-def]
    _serial, number = desk.rate(signed(1, comment="态度生硬"))
    s, chief = desk.s.rectifications, desk.chief
    rect = s.rectifications(chief)[0]
    rect = s.appeal(desk.officer, rect.id, "群众对法定材料要求不满，有录像为证")
    rect = s.decide_appeal(chief, rect.id, False, "录像显示解释不够耐心")
    rect = s.verify(chief, rect.id, rect.row_version, "高峰时段解释不耐心")
    rect = s.rectify(chief, rect.id, rect.row_version, "组织文明用语培训", "已整改到位")
    rect = s.record_follow_up(
        chief, rect.id, rect.row_version, RatingInput(4, tuple((d, 4) for d in DIMS))
    )
    rect = s.close(chief, rect.id, rect.row_version)

    flat = "".join(pdf_text(render_slip(s.rectification_slip(chief, rect.id))).split())

    assert number in flat and "已销号" in flat
    for part in (
        "高峰时段解释不耐心",
        "组织文明用语培训",
        "已整改到位",
        "满意（整改回访",
        "群众对法定材料要求不满，有录像为证",
        "申诉不成立。录像显示解释不够耐心",
        "非常不满意（差评）",
    ):
        assert part in flat, part


def test_a_rectification_slip_reprint_is_marked_and_logged(desk: Desk, audit_log) -> None:  # type: ignore[no-untyped-def]
    _serial, number = desk.rate(signed(2))
    s = desk.s.rectifications
    rect = s.rectifications(desk.chief)[0]
    first = s.rectification_slip(desk.chief, rect.id)
    s.record_rectification_print(desk.chief, rect.id, first.copy_no)
    second = s.rectification_slip(desk.chief, rect.id)

    assert second.copy_no == 2 and second.is_reprint
    assert "补打" in pdf_text(render_slip(second))
    s.record_rectification_print(desk.chief, rect.id, second.copy_no)
    events = [e for e in audit_log() if e["entity_id"] == number]
    assert [e["action"] for e in events][-2:] == [
        "rectification_printed",
        "rectification_reprinted",
    ]
    assert events[-1]["after"] == {"copy_no": 2, "via": "gui"}
    # A stale preview printed after that is still logged, as the next copy.
    s.record_rectification_print(desk.chief, rect.id, first.copy_no)
    after = [e for e in audit_log() if e["entity_id"] == number][-1]["after"]
    assert (after["copy_no"], after["printed_copy_no"]) == (3, 1)
    # Notices' and receipts' print counts of the same visit are untouched.
    assert s.rectification_slip_by_number(desk.chief, number.lower())[1].copy_no == 4


def test_only_the_owner_and_supervisors_print_a_rectification_slip(
    desk: Desk, make_officer
) -> None:  # type: ignore[no-untyped-def]
    desk.rate(signed(2))
    rect = desk.s.rectifications.rectifications(desk.chief)[0]
    deputy = make_officer(Role.DEPUTY, "李副所长")
    assert desk.s.rectifications.rectification_slip(deputy, rect.id).number == rect.number
    for who in (desk.officer, make_officer(Role.WINDOW, "刘洋")):
        with pytest.raises(PermissionDenied, match="督办单"):
            desk.s.rectifications.rectification_slip(who, rect.id)
        with pytest.raises(PermissionDenied):
            desk.s.rectifications.record_rectification_print(who, rect.id, 1)
    with pytest.raises(NotFound, match="HPL-ZG-1999-00001"):
        desk.s.rectifications.rectification_slip_by_number(deputy, "HPL-ZG-1999-00001")
    with pytest.raises(PermissionDenied, match="督办单"):
        desk.s.rectifications.rectification_slip_by_number(desk.officer, rect.number)


# ---- the command line --------------------------------------------------------------------


def test_cli_prints_a_rectification_and_marks_the_reprint(
    tmp_path: Path, db_path: Path, desk: Desk, capsys, audit_log, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    _serial, number = desk.rate(signed(2))
    out = tmp_path / "rect.pdf"
    monkeypatch.setenv(cli.LOGIN_PASSWORD_ENV, TEST_PASSWORD)
    badge = ["--badge", desk.chief.badge_no]
    argv = ["print", "rectification", number, "--db", str(db_path), "--out", str(out), *badge]

    assert cli.main(argv) == 0
    assert number in pdf_text(out.read_bytes()) and "补打" not in pdf_text(out.read_bytes())
    assert "整改督办单" in capsys.readouterr().out
    assert cli.main(argv) == 0
    assert "补打" in pdf_text(out.read_bytes())
    assert "补打" in capsys.readouterr().out
    actions = [e["action"] for e in audit_log() if e["entity_id"] == number]
    assert actions[-2:] == ["rectification_printed", "rectification_reprinted"]
    assert audit_log()[-1]["after"]["via"] == "cli"
    assert audit_log()[-1]["officer_id"] == desk.chief.officer_id

    missing = tmp_path / "missing.pdf"
    argv = ["print", "rectification", "HPL-ZG-1999-00001", "--db", str(db_path), *badge]
    assert cli.main([*argv, "--out", str(missing)]) == 1
    assert "没有编号为 HPL-ZG-1999-00001 的整改督办单" in capsys.readouterr().err
    assert not missing.exists() and not list(tmp_path.glob(".*.part"))


def test_cli_prints_the_register_of_a_day_or_a_period(
    tmp_path: Path, db_path: Path, desk: Desk, capsys, audit_log, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    serial, _ = desk.rate(signed(5))
    out = tmp_path / "register.pdf"
    day = desk.today.isoformat()
    monkeypatch.setenv(cli.LOGIN_PASSWORD_ENV, TEST_PASSWORD)
    base = ["print", "register", "--db", str(db_path), "--out", str(out)]
    base += ["--badge", desk.chief.badge_no]

    assert cli.main([*base, "--from", day]) == 0
    text = pdf_text(out.read_bytes())
    assert "现场回访登记簿" in text and serial in "".join(text.split())
    assert "1 条" in capsys.readouterr().out
    assert audit_log()[-1]["action"] == "register_printed"
    assert audit_log()[-1]["after"]["via"] == "cli"
    assert audit_log()[-1]["officer_id"] == desk.chief.officer_id

    assert cli.main([*base, "--from", "2025-09-28", "--to", "2025-09-30"]) == 0
    assert "2025年9月28日至2025年9月30日" in pdf_text(out.read_bytes())
    capsys.readouterr()


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["--from", "2025-09-30", "--to", "2025-09-29"], "早于"),
        (["--from", "2025-09-01", "--to", "2025-12-31"], "31"),
        ([], "--from"),
        (["HPL-2025-000001", "--from", "2025-09-29"], "不需要编号"),
    ],
    ids=["backwards", "too_long", "no_start", "a_number"],
)
def test_cli_register_refuses_a_bad_period_in_one_chinese_line(
    tmp_path: Path, db_path: Path, desk: Desk, capsys, extra: list[str], expected: str, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "register.pdf"
    monkeypatch.setenv(cli.LOGIN_PASSWORD_ENV, TEST_PASSWORD)
    argv = ["print", "register", *extra, "--db", str(db_path), "--out", str(out)]
    code = cli.main([*argv, "--badge", desk.chief.badge_no])

    assert code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and expected in err[0]
    assert not out.exists()
