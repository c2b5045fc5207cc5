"""Issue 14 on the citizen slips' paper: read back from the PDF (text, positions, images, QR).

Each test renders a SlipData and reads the PDF with pypdfium2 (characters with their boxes and
font sizes, image and path objects) or, for the QR code, renders the page with pdftoppm and
decodes it with zbarimg.
"""

from __future__ import annotations

import ctypes
import dataclasses
import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest
from PIL import Image, ImageDraw

from app.core.clock import FixedClock
from app.core.dto import SessionUser
from app.core.errors import ValidationError
from app.core.roles import Role
from app.printing.cjk_paragraph import CANNOT_END, CANNOT_START
from app.printing.qr_codes import UNREADABLE, ScannedCode, parse_scan
from app.printing.slip_data import SlipData, printed_qr_text, qr_payload, qr_text, slip_paper
from app.printing.slip_pdf import render_slip
from app.services import Services
from tests.app.notices.test_notices import Counter
from tests.app.visits.test_qr_codes import accepted, found

MM = 72 / 25.4
STATION = "示例市公安局城南分局青年路派出所"
ADDRESS = "示例市城南区青年路 88 号"
HOURS = "周一至周五 8:30—12:00、14:00—17:30；周六上午 9:00—12:00（法定节假日除外）"
OFFICER = "经办辅警 赵磊（F03121）　责任民警 张三（警号 031011）"
PHONES = (
    "进度查询电话：0571-86001110；本所监督电话：0571-86001234；"
    "公安监督举报电话：12389；政务服务便民热线：12345"
)
# Punctuation everywhere: at some width ReportLab alone starts a line with ，：； or ends one
# with （.
CLAUSES = (
    "申请人对本决定不服的，可以自收到本告知书之日起六十日内（复议）向人民政府申请行政复议；"
    "也可以：自收到之日起六个月内向人民法院提起行政诉讼，对办理过程有意见的，可拨打12389反映。"
)
MASKED_ID = "110105********002X"


def receipt(**changes: Any) -> SlipData:
    data = SlipData(
        kind="receipt",
        title="受理回执",
        copy_label="（群众留存联）",
        station_name=STATION,
        station_address=ADDRESS,
        number="QNL-2026-000123",
        rows=(
            ("申请人", "王小明"),
            ("证件", f"居民身份证 {MASKED_ID}"),
            ("联系电话", "138****0011"),
            ("办理事项", "居民身份证换领（到期、信息变更或损坏）"),
            ("受理日期", "2026-12-04"),
            ("办理时限", "20个工作日"),
            ("承诺办结日期", "2027-01-05（补充材料期间不计入）"),
            ("首接责任人", "张伟（警号 031011）"),
            ("当前承办人", "刘洋（警号 031012）"),
            ("办理地点", "示例市城南区青年路 88 号，本所户籍窗口"),
        ),
        paragraphs=(("查询与监督", PHONES),),
        notes=(
            "请妥善保管本回执，凭编号或二维码查询办理进度、领取结果。",
            "本所实行首问首接责任制：首接责任人对本事项负责到底；如需移交，接手民警将继续为您办理。",
        ),
        signatures=(),
        qr_payload=qr_payload("QNL-2026-000123", "2026-12-04T01:30:00Z", "7", "3"),
        copy_no=1,
        printed_at=dt.datetime(2026, 12, 4, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai")),
        paper_size="A4",
        station_hours=HOURS,
        officer_line=OFFICER,
        sealed=True,
    )
    return dataclasses.replace(data, **changes)


def notice(items: int = 3, **changes: Any) -> SlipData:
    table = [("序号", "材料名称", "份数", "形式", "要求", "来源或说明")]
    table += [
        (str(n), f"第{n}项材料（要件）", "1", "原件", "需补交", "户籍所在地派出所开具")
        for n in range(1, items + 1)
    ]
    data = receipt(
        kind="notice",
        title="一次性告知单",
        copy_label="",
        number="QNL-GZ-2026-00049",
        rows=(
            ("申请人", f"王小明　{MASKED_ID}"),
            ("办理事项", "临时居民身份证申领"),
            ("告知日期", "2026-12-01"),
            ("补正期限", "2026-12-15"),
        ),
        paragraphs=(
            ("设定依据", "《中华人民共和国居民身份证法》第十二条。" * 3),
            ("办理流程", CLAUSES),
            ("咨询与监督", PHONES),
        ),
        notes=("除本告知单所列材料外，本所不再要求您提供其他材料；材料补齐后即予办理。",),
        signatures=(),
        table=tuple(table),
        parts=("（群众联）", "（存根联）"),
        image_png=pad_signature(),
    )
    return dataclasses.replace(data, **changes)


def pad_signature() -> bytes:
    """A signature as the pad gives it: 1716×300 px, the writing a small part of it."""
    image = Image.new("RGB", (1716, 300), "white")
    draw = ImageDraw.Draw(image)
    draw.line([(700, 180), (760, 120), (800, 190), (860, 110), (900, 170)], fill="black", width=6)
    draw.line([(720, 150), (880, 140)], fill="black", width=5)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


# ---- reading the PDF ------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Char:
    text: str
    left: float
    bottom: float
    right: float
    top: float
    size: float
    baseline: float


@dataclasses.dataclass
class Page:
    width: float
    height: float
    chars: list[Char]
    text: str
    images: list[tuple[float, float, float, float]]
    paths: list[tuple[float, float, float, float]]

    def find(self, text: str) -> list[Char]:
        """The characters of the first occurrence of ``text`` (spaces left out)."""
        flat = [c for c in self.chars if not c.text.isspace()]
        joined = "".join(c.text for c in flat)
        at = joined.find(text.replace(" ", ""))
        assert at >= 0, f"{text!r} not on the page"
        return flat[at : at + len(text.replace(" ", ""))]


def pages(pdf: bytes) -> list[Page]:
    doc = pypdfium2.PdfDocument(pdf)
    out = []
    try:
        for page in doc:
            textpage = page.get_textpage()
            chars = []
            for i in range(textpage.count_chars()):
                left, bottom, right, top = textpage.get_charbox(i)
                size = pdfium_c.FPDFText_GetFontSize(textpage.raw, i)
                x, y = ctypes.c_double(), ctypes.c_double()
                pdfium_c.FPDFText_GetCharOrigin(textpage.raw, i, x, y)
                text = textpage.get_text_range(i, 1)
                chars.append(Char(text, left, bottom, right, top, size, y.value))
            images = [
                obj.get_bounds() for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,))
            ]
            paths = [
                obj.get_bounds()
                for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_PATH,), max_depth=1)
            ]
            out.append(
                Page(
                    page.get_width(),
                    page.get_height(),
                    chars,
                    textpage.get_text_range(),
                    images,
                    paths,
                )
            )
    finally:
        doc.close()
    return out


def lines(page: Page) -> list[str]:
    return [line for line in page.text.replace("\r", "").split("\n") if line.strip()]


# ---- item 12: line breaking and centred titles ----------------------------------------------


@pytest.mark.parametrize("paper", ["A4", "A5", "80mm"])
def test_no_line_starts_with_closing_punctuation_or_ends_with_an_opening_bracket(
    paper: str,
) -> None:
    for width_chars in range(0, 12):
        # The same clauses shifted along the line: every break position is met somewhere.
        text = "　" * 0 + "办" * width_chars + CLAUSES
        data = receipt(paper_size=paper, paragraphs=(("救济途径", text), ("查询与监督", PHONES)))
        for page in pages(render_slip(data)):
            for line in lines(page):
                assert line.strip()[0] not in CANNOT_START, line
                assert line.strip()[-1] not in CANNOT_END, line


@pytest.mark.parametrize("paper", ["A4", "A5"])
@pytest.mark.parametrize("make", [receipt, notice])
def test_the_title_is_centred_on_the_page(paper: str, make: Any) -> None:
    data = make(paper_size=paper)
    page = pages(render_slip(data))[0]
    title = page.find(data.title)
    centre = (title[0].left + title[-1].right) / 2

    # The QR code beside the heading pushed it 12.7 mm to the left.
    assert abs(centre - page.width / 2) < 0.5 * MM


# ---- item 1: the citizen's signature --------------------------------------------------------


@pytest.mark.parametrize("paper", ["A4", "A5"])
def test_the_signature_is_cropped_to_its_ink_and_fills_a_40_by_15_mm_box(paper: str) -> None:
    pdf = render_slip(notice(paper_size=paper))
    signed = [p for p in pages(pdf) if p.images]

    assert len(signed) == 2  # one on each part
    for page in signed:
        (left, bottom, right, top) = page.images[0]
        width, height = (right - left) / MM, (top - bottom) / MM
        assert width <= 40.1 and height <= 15.1
        assert width >= 39.9 or height >= 14.9, (width, height)


# ---- item 2: the seal area ------------------------------------------------------------------


def seal_square(page: Page) -> tuple[float, float, float, float]:
    """The dashed square of 盖章处: the one path at least 42 mm each way and under 50 mm."""
    squares = [
        (left, bottom, right, top)
        for left, bottom, right, top in page.paths
        if 42 * MM <= right - left <= 50 * MM and 42 * MM <= top - bottom <= 50 * MM
    ]
    assert len(squares) == 1, squares
    return squares[0]


@pytest.mark.parametrize(
    ("make", "paper"),
    [
        (receipt, "A4"),
        (receipt, "A5"),
        (receipt, "80mm"),
        (notice, "A4"),
        (notice, "A5"),
        (lambda **kw: receipt(kind="refusal", title="不予受理告知书", **kw), "A5"),
    ],
)
def test_a_sealed_slip_has_room_for_a_42_mm_seal_over_the_name_and_date(
    make: Any, paper: str
) -> None:
    for page in pages(render_slip(make(paper_size=paper))):
        if "盖章处" not in page.text:
            continue
        left, bottom, right, top = seal_square(page)
        assert left >= 0 and right <= page.width and bottom >= 0 and top <= page.height
        allowed = set("盖章处年月日" + STATION)
        inside = [
            c.text
            for c in page.chars
            if left < c.left < right and bottom < c.bottom < top and not c.text.isspace()
        ]
        # Only what the seal is stamped across lies inside: the station's name and the date.
        assert set(inside) <= allowed, inside
        assert "年" in inside and "月" in inside and "日" in inside
        assert set(STATION) <= set(inside)
        break
    else:
        pytest.fail("no 盖章处")


def test_an_unsealed_slip_has_no_seal_area() -> None:
    page = pages(render_slip(receipt(sealed=False)))[0]

    assert "盖章处" not in page.text
    assert not [p for p in page.paths if p[2] - p[0] >= 42 * MM and p[3] - p[1] >= 42 * MM / 2]


# ---- item 3: officer and witness signatures -------------------------------------------------


@pytest.mark.parametrize("paper", ["A4", "A5", "80mm"])
def test_the_officer_line_is_printed_with_a_line_to_sign_on(paper: str) -> None:
    page = pages(render_slip(receipt(paper_size=paper)))[0]
    officer = page.find("经办辅警赵磊（F03121）")
    sign = [c for c in page.chars if c.text == "签"]

    assert officer and "责任民警" in page.text
    # 签名： below the officer's line (beside the seal on the roll), with a line to write on.
    assert any(c.top <= officer[0].bottom for c in sign)
    ruled = [p for p in page.paths if p[2] - p[0] >= 20 * MM and p[3] - p[1] < 1.5]
    assert any(p[1] < officer[0].bottom for p in ruled)


def test_a_citizen_who_does_not_sign_gets_the_reason_an_officer_and_a_witness() -> None:
    data = receipt(
        kind="refusal",
        title="不予受理告知书",
        citizen_not_signing="群众拒绝签字",
        officer_line="经办民警 张三（警号 031011）",
    )
    page = pages(render_slip(data))[0]
    label = page.find("申请人签名")
    reason = page.find("群众拒绝签字")

    assert abs(label[0].bottom - reason[0].bottom) < 2  # where the signature would be
    assert "经办民警张三（警号031011）" in page.text.replace(" ", "")
    assert "见证人签名" in page.text


# ---- item 4: later pages and the signature kept with the list -------------------------------


def test_later_pages_carry_title_number_part_and_page_of_pages() -> None:
    data = notice(items=14, paper_size="A5")
    read = pages(render_slip(data))
    parts = [[p for p in read if "群众联" in p.text], [p for p in read if "存根联" in p.text]]

    assert len(parts[0]) >= 2 and len(parts[0]) == len(parts[1])
    assert len(parts[0]) + len(parts[1]) == len(read)
    total = len(parts[0])
    for part, label in zip(parts, ("群众联", "存根联"), strict=True):
        for n, page in enumerate(part, start=1):
            flat = page.text.replace(" ", "")
            assert data.title in flat and data.number in flat and label in flat
            assert f"第{n}页共{total}页" in flat
    # The two parts' later pages differ (they used to be identical).
    assert parts[0][1].text != parts[1][1].text


@pytest.mark.parametrize("paper", ["A4", "A5"])
def test_the_signatures_never_land_on_a_page_without_the_list(paper: str) -> None:
    for items in range(1, 16):
        read = pages(render_slip(notice(items=items, paper_size=paper)))
        signed = [p for p in read if "申请人签名" in p.text]
        assert len(signed) == 2
        for page in signed:
            # The last two rows of the list (or the only one) are on the signature's page.
            for n in range(max(1, items - 1), items + 1):
                assert f"第{n}项材料" in page.text, (paper, items, n)
            assert "盖章处" in page.text


# ---- item 7: address and hours --------------------------------------------------------------


@pytest.mark.parametrize("paper", ["A4", "A5", "80mm"])
@pytest.mark.parametrize(
    "make",
    [
        receipt,
        notice,
        lambda **kw: receipt(kind="guidance", title="群众办事引导单", sealed=False, **kw),
        lambda **kw: receipt(kind="refusal", title="不予受理告知书", **kw),
    ],
)
def test_the_station_s_address_and_hours_are_on_every_citizen_slip(make: Any, paper: str) -> None:
    read = pages(render_slip(make(paper_size=paper)))
    first = [read[0]] + [p for p in read[1:] if "续页" not in p.text]

    for page in first:  # the first page of each part
        flat = page.text.replace(" ", "").replace("\n", "").replace("\r", "")
        assert f"地址：{ADDRESS}".replace(" ", "") in flat
        assert "办公时间：" in flat and "8:30—12:00、14:00—17:30" in flat


# ---- item 8: the 80 mm roll -----------------------------------------------------------------


def test_only_receipts_and_guidance_slips_come_off_the_roll() -> None:
    assert slip_paper("receipt", "80mm") == "80mm"
    assert slip_paper("guidance", "80mm") == "80mm"
    for kind in ("notice", "refusal", "rectification"):
        assert slip_paper(kind, "80mm") == "A4"
        assert slip_paper(kind, "A5") == "A5"

    for data in (
        notice(paper_size="80mm"),
        notice(paper_size="80mm", title="容缺受理承诺书"),
        receipt(kind="refusal", title="不予受理告知书", paper_size="80mm"),
    ):
        read = pages(render_slip(data))
        assert {(round(p.width), round(p.height)) for p in read} == {(595, 842)}


@pytest.mark.parametrize(
    "make",
    [receipt, lambda **kw: receipt(kind="guidance", title="群众办事引导单", sealed=False, **kw)],
)
def test_a_roll_slip_is_80_mm_wide_at_most_200_mm_long_and_8_pt_or_more(make: Any) -> None:
    data = make(paper_size="80mm")
    for copy_no in (1, 3):  # a reprint's footer says 补打 too
        (page,) = pages(render_slip(dataclasses.replace(data, copy_no=copy_no)))

        assert round(page.width / MM) == 80
        assert page.height / MM <= 200
        sizes = {round(c.size, 2) for c in page.chars if not c.text.isspace()}
        assert min(sizes) >= 8, sorted(sizes)
        for c in page.chars:  # nothing runs off the paper
            if not c.text.isspace():
                assert c.left >= 0 and c.right <= page.width, c


def test_the_masked_id_is_never_broken_across_lines() -> None:
    for pad in range(0, 14):
        data = receipt(paper_size="80mm", rows=(("证件", "居" * pad + f"民身份证 {MASKED_ID}"),))
        (page,) = pages(render_slip(data))
        masked = page.find(MASKED_ID)

        assert len({round(c.baseline) for c in masked}) == 1, pad


# ---- item 14: a QR code a person can read, that the scanner still checks --------------------

needs_zbar = pytest.mark.skipif(
    shutil.which("zbarimg") is None or shutil.which("pdftoppm") is None,
    reason="zbarimg (zbar-tools) and pdftoppm (poppler-utils) decode the printed code",
)


def scanned(pdf: bytes, tmp_path: Path) -> list[str]:
    """What a scanner reads off the first page: the QR codes' text."""
    source = tmp_path / "slip.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "200", "-f", "1", "-l", "1", str(source), str(tmp_path / "p")],
        check=True,
    )
    (png,) = tmp_path.glob("p*.png")
    done = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "-Sbinary", str(png)], capture_output=True, check=True
    )
    return [t for t in done.stdout.decode("utf-8").split("\n") if t]


@needs_zbar
@pytest.mark.parametrize("paper", ["A4", "A5", "80mm"])
def test_the_qr_code_reads_as_text_and_parses_to_the_number_and_checksum(
    paper: str, tmp_path: Path
) -> None:
    data = receipt(paper_size=paper)
    checksum = data.qr_payload.rsplit("|", 1)[1]

    (text,) = scanned(render_slip(data), tmp_path)

    assert text == f"{STATION}|受理回执|编号 QNL-2026-000123|2026-12-04|校验 {checksum}"
    assert text == printed_qr_text(data)
    assert parse_scan(text, "serial") == ScannedCode("QNL-2026-000123", checksum)


def test_the_readable_code_is_read_however_the_scanner_types_it() -> None:
    code = qr_text(STATION, "一次性告知单", "QNL-GZ-2026-00049", "2026-12-01", "1A2B3C4D")
    expected = ScannedCode("QNL-GZ-2026-00049", "1A2B3C4D")
    full_width = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in code)
    no_chinese = "".join(c for c in code if c.isascii())

    assert parse_scan(code, "number") == expected
    assert parse_scan(f"  {code.lower()} ", "number") == expected
    assert parse_scan(full_width, "number") == expected
    assert parse_scan(no_chinese, "number") == expected  # a scanner that drops Chinese
    assert parse_scan(code.replace("|", "｜"), "number") == expected
    assert parse_scan("QNL-GZ-2026-00049", "number") is None  # typed by hand
    assert parse_scan("SD|QNL-GZ-2026-00049|1A2B3C4D", "number") == expected  # printed before
    for broken in (code[:-3], code.replace("编号 QNL", "编号 "), "|".join(code.split("|")[:4])):
        with pytest.raises(ValidationError) as refused:
            parse_scan(broken, "number")
        assert refused.value.message == UNREADABLE
    # A bar in the station's name cannot shift the fields.
    assert parse_scan(qr_text("A|B 所", "回执", "QNL-1", "2026-01-01", "1A2B3C4D"), "x") == (
        ScannedCode("QNL-1", "1A2B3C4D")
    )


@pytest.fixture
def desk(services: Services, chief: SessionUser, make_officer, clock: FixedClock) -> Counter:  # type: ignore[no-untyped-def]
    return Counter(services, chief, make_officer(Role.WINDOW, "张伟"), clock)


def forged(text: str) -> str:
    checksum = text[-8:]
    return text[:-8] + ("0" * 8 if checksum != "0" * 8 else "1" * 8)


@needs_zbar
def test_a_printed_receipt_and_notice_scan_back_to_their_matter_checked(
    desk: Counter, tmp_path: Path
) -> None:
    visit_id, serial, _short = accepted(desk)
    (receipt_dir := tmp_path / "receipt").mkdir()
    (text,) = scanned(
        render_slip(desk.s.visits.slip(desk.officer, visit_id, "receipt")), receipt_dir
    )

    assert "|受理回执|编号 " in text and serial in text
    assert found(desk, text) == [serial]
    with pytest.raises(ValidationError, match="可能是扫描有误、旧版回执或回执被改动"):
        found(desk, forged(text))

    notice = desk.issue(desk.visit(name="李四"))
    (notice_dir := tmp_path / "notice").mkdir()
    (text,) = scanned(render_slip(desk.s.notices.slip(desk.officer, notice.id)), notice_dir)

    assert "|一次性告知单|编号 " in text and notice.number in text
    assert desk.s.notices.find(desk.officer, text).id == notice.id
    with pytest.raises(ValidationError, match="该告知单可能被篡改或扫描有误"):
        desk.s.notices.find(desk.officer, forged(text))
