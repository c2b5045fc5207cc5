"""生僻字 on paper: every GB 18030-2022 ideograph has a bundled font, and prints in it.

A name with one character each of Extensions B, C, D, E and F (𠮷 𪜊 𫝊 𫠪 𬺺) registers,
prints on the receipt and the daily ledger in the fallback font that holds it, every font
embedded as a subset, the text searchable; a character no bundled font holds is named by its
code (U+XXXXX) in the warning, never drawn as the box it would print as.
"""

from __future__ import annotations

import ctypes
import dataclasses
import datetime as dt
import io
import os
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pypdfium2
import pypdfium2.raw as pdfium
import pytest

from app.core.identity import IdType
from app.core.roles import Role
from app.ledger.pdf import ledger_document
from app.printing.fonts import BOLD, REGULAR, font_runs, glyph_warning, register_fonts
from app.printing.glyph_coverage import (
    FALLBACKS,
    PRIMARY,
    SHIPPED,
    code_label,
    coverage,
    covering_font,
    name_warning,
    uncovered,
)
from app.printing.register_pdf import (
    RegisterColumn,
    RegisterDocument,
    RegisterRow,
    RegisterTable,
    render_register,
)
from app.printing.slip_pdf import render_slip
from app.services import Services
from app.visits.dto import NewVisit
from resources import FONTS_DIR

FULL_ID = "11010519491231002X"
# One character each of Extensions B, C, D, E and F, all common in family names.
RARE = "𠮷𪜊𫝊𫠪𬺺"
EXTENSIONS = dict(zip("BCDEF", RARE, strict=True))
ROOT = Path(__file__).resolve().parents[3]

# The ideographs GB 18030-2022 encodes (its Unicode 11 repertoire): the basic block (URO),
# Extensions A to F and the compatibility ideographs with their supplement.
GB18030_2022_IDEOGRAPHS = (
    (0x4E00, 0x9FEF),
    (0x3400, 0x4DB5),
    (0x20000, 0x2A6D6),
    (0x2A700, 0x2B734),
    (0x2B740, 0x2B81D),
    (0x2B820, 0x2CEA1),
    (0x2CEB0, 0x2EBE0),
    (0xF900, 0xFAD9),
    (0x2F800, 0x2FA1D),
)


def fonts_of_characters(pdf: bytes) -> list[tuple[str, str]]:
    """Each character of the PDF's text with the name of the font it is drawn in (pdfium)."""
    doc = pypdfium2.PdfDocument(pdf)
    out: list[tuple[str, str]] = []
    try:
        for index in range(len(doc)):
            page = doc[index].get_textpage()
            pending = 0
            for i in range(page.count_chars()):
                code = pdfium.FPDFText_GetUnicode(page, i)
                if 0xD800 <= code < 0xDC00:  # the first half of a pair
                    pending = code
                    continue
                if pending and 0xDC00 <= code < 0xE000:
                    code = 0x10000 + ((pending - 0xD800) << 10) + (code - 0xDC00)
                pending = 0
                name = ctypes.create_string_buffer(256)
                flags = ctypes.c_int()
                pdfium.FPDFText_GetFontInfo(page, i, name, 256, ctypes.byref(flags))
                out.append((chr(code), name.value.decode()))
    finally:
        doc.close()
    return out


def pdf_fonts(tmp_path: Path, pdf: bytes) -> list[list[str]]:
    """``pdffonts``' table: one row of columns per font of the PDF."""
    if not shutil.which("pdffonts"):
        pytest.skip("pdffonts (poppler-utils) is not installed")
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    return [line.split() for line in out.stdout.strip().splitlines()[2:]]


def pdftotext(tmp_path: Path, pdf: bytes) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "text.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def assert_drawn_by_fallbacks(pdf: bytes, text: str) -> None:
    """Every character of ``text`` in the PDF is drawn in a font that has its glyph."""
    drawn = fonts_of_characters(pdf)
    for ch in text:
        fonts = {font for c, font in drawn if c == ch}
        assert fonts, f"{code_label(ch)} is not in the PDF's text"
        holder = covering_font(ch)
        assert holder is not None
        assert all(holder.name in font for font in fonts), (ch, fonts)


def assert_every_font_embedded_as_subset(tmp_path: Path, pdf: bytes) -> list[str]:
    rows = pdf_fonts(tmp_path, pdf)
    assert rows
    for row in rows:
        # name type encoding emb sub uni object ID
        assert row[-5:-2] == ["yes", "yes", "yes"], row
        assert row[0][:7].endswith("+") and row[0][:6].isupper(), row  # ABCDEF+Name: a subset
    return [row[0].split("+", 1)[1] for row in rows]


# --- which font holds what ------------------------------------------------------------


def test_every_ideograph_of_gb18030_2022_has_a_bundled_font() -> None:
    missing = [
        code
        for start, end in GB18030_2022_IDEOGRAPHS
        for code in range(start, end + 1)
        if unicodedata.name(chr(code), "").startswith("CJK ") and covering_font(chr(code)) is None
    ]
    assert missing == []


def test_the_five_extensions_come_from_hanamin_b_and_noto_lacks_them() -> None:
    for extension, ch in EXTENSIONS.items():
        assert f"扩展{extension}区汉字" in code_label(ch)
        assert ord(ch) not in coverage(PRIMARY.path)
        holder = covering_font(ch)
        assert holder is not None and holder.name == "HanaMinB"
    assert covering_font("张") == PRIMARY
    assert covering_font("\U0002f800").name == "StationDeskHanCompat"  # type: ignore[union-attr]


def test_coverage_is_read_from_the_fonts_own_character_maps() -> None:
    ttlib = pytest.importorskip("fontTools.ttLib")
    for font in SHIPPED:
        cmap = {
            code
            for code, glyph in ttlib.TTFont(font.path, lazy=True).getBestCmap().items()
            if glyph != ".notdef"
        }
        table = coverage(font.path)
        assert len(table) == len(cmap)
        assert all(code in table for code in cmap)


def test_the_fallback_fonts_ship_with_their_licence_in_the_package_data() -> None:
    for font in FALLBACKS:
        assert font.path.parent == FONTS_DIR and font.path.stat().st_size > 100_000
        head = font.path.read_bytes()[:4]
        assert head == b"\x00\x01\x00\x00"  # TrueType outlines (glyf): ReportLab embeds them
    licence = (FONTS_DIR / "LICENSE-Hanazono.txt").read_text(encoding="utf-8")
    assert "Hanazono Font License" in licence and "SIL Open Font License" in licence
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"fonts/*"' in pyproject  # resources' package data: the wheel carries them


# --- the warning ------------------------------------------------------------------------


def test_a_character_no_font_holds_is_named_by_its_code() -> None:
    assert uncovered(f"张{RARE}") == []
    assert uncovered("王\u9ff0 \u200d\ufe00张\u9ff0") == ["\u9ff0"]
    warning = glyph_warning(["王\u9ff0", "李\U0002a6df"])
    assert "U+9FF0（基本区汉字）" in warning and "U+2A6DF（扩展B区汉字）" in warning
    assert "\u9ff0" not in warning and "\U0002a6df" not in warning
    assert glyph_warning([f"张{RARE}"]) == ""
    said = name_warning("王\u9ff0")
    assert "U+9FF0" in said and "\u9ff0" not in said and "☒" not in said
    assert name_warning(f"张{RARE}") == ""


# --- the runs ---------------------------------------------------------------------------


def test_text_noto_draws_is_one_run_and_rare_characters_go_to_their_font() -> None:
    register_fonts()
    assert font_runs("王小明 ABC-123，补打", REGULAR) == [("王小明 ABC-123，补打", REGULAR)]
    assert font_runs(f"张{RARE}先生", BOLD) == [("张", BOLD), (RARE, "HanaMinB"), ("先生", BOLD)]
    compat = "\U0002f800"  # 丽, the compatibility ideograph
    assert font_runs(f"{compat}丽", REGULAR) == [(compat, "StationDeskHanCompat"), ("丽", REGULAR)]
    # A variation selector is not drawn as a box; a character no font has stays a box.
    assert font_runs("葛\U000e0100\u9ff0", REGULAR) == [("葛\u9ff0", REGULAR)]
    assert font_runs(RARE, "Helvetica") == [(RARE, "Helvetica")]


def test_the_fallback_is_parsed_only_when_needed_and_cached_like_noto(tmp_path: Path) -> None:
    script = """
import datetime as dt, sys
from reportlab.pdfbase import pdfmetrics
from app.printing.slip_data import SlipData
from app.printing.slip_pdf import render_slip
def slip(name):
    return SlipData("receipt", "受理回执", "", "城南派出所", "", "SL-1", (("申请人", name),), (),
        (), (), "SD|SL-1|X", 1, dt.datetime(2026, 1, 2, 9, 30), "A5")
render_slip(slip("王小明"))
print(sorted(f for f in pdfmetrics.getRegisteredFontNames() if "Han" in f))
render_slip(slip(sys.argv[1]))
print(sorted(f for f in pdfmetrics.getRegisteredFontNames() if "Han" in f))
"""
    env = {**os.environ, "STATIONDESK_FONT_CACHE": str(tmp_path)}
    runs = [
        subprocess.run(
            [sys.executable, "-c", script, RARE],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
            env=env,
        ).stdout.split("\n")
        for _ in range(2)
    ]
    for out in runs:
        assert out[:2] == ["[]", "['HanaMinB']"]
    assert len(list(tmp_path.glob("HanaMinB-*.bin"))) == 1  # parsed once, then read back


def test_ascii_and_bmp_to_unicode_maps_are_unchanged_and_beyond_the_bmp_is_utf16() -> None:
    register_fonts()
    from reportlab.pdfbase import ttfonts

    fixed = ttfonts.makeToUnicodeCMap
    original = fixed.__wrapped__  # ReportLab's own
    bmp = [0, 0x41, 0x5F20, 0xFF0C]
    text = fixed("AAAAAA+X", bmp)
    assert "<02> <5F20>" in text and "<03> <FF0C>" in text
    assert text == original("AAAAAA+X", bmp)
    beyond = fixed("AAAAAA+X", [0, 0x20BB7, 0x5F20])
    assert "<01> <D842DFB7>" in beyond and "<02> <5F20>" in beyond


# --- on paper ---------------------------------------------------------------------------


@pytest.fixture
def rare_receipt(services: Services, chief, make_officer):  # type: ignore[no-untyped-def]
    settings = dataclasses.replace(
        services.station.settings(),
        phone_consult="0571-86001110",
        phone_supervision="0571-86001234",
    )
    services.station.update_settings(chief, settings)
    officer = make_officer(Role.WINDOW, "张伟")
    item = services.catalogue.list_items("ZM-WFZ")[0]
    visit = services.visits.register(
        officer, NewVisit(RARE, IdType.RESIDENT, FULL_ID, "13805710011", item.item_id)
    )
    assert visit.row.citizen_name == RARE  # registers as typed
    detail = services.visits.accept(officer, visit.row.id, visit.row.row_version)
    return officer, detail


@pytest.mark.parametrize("paper", ["A5", "80mm"])
def test_the_receipt_prints_the_five_extensions_with_every_font_embedded(
    tmp_path: Path, services: Services, chief, rare_receipt, paper: str
) -> None:  # type: ignore[no-untyped-def]
    officer, detail = rare_receipt
    settings = dataclasses.replace(services.station.settings(), paper_size=paper)
    services.station.update_settings(chief, settings)
    data = services.visits.slip(officer, detail.row.id, "receipt")
    assert glyph_warning(data.texts()) == ""

    pdf = render_slip(data)

    fonts = assert_every_font_embedded_as_subset(tmp_path, pdf)
    assert "HanaMinB" in fonts and any("NotoSansSC" in f for f in fonts)
    assert RARE in pdftotext(tmp_path, pdf)  # searchable and copyable as the real characters
    assert_drawn_by_fallbacks(pdf, RARE)


def test_the_ledger_prints_rare_names_in_plain_cells_and_page_headers(
    tmp_path: Path, services: Services, chief, make_officer
) -> None:  # type: ignore[no-untyped-def]
    officer = make_officer(Role.WINDOW, "张" + RARE[:2])
    item = services.catalogue.list_items("ZM-WFZ")[0]
    services.visits.register(
        officer, NewVisit(RARE, IdType.RESIDENT, FULL_ID, "13805710011", item.item_id)
    )
    ledger = services.ledger.ledger(chief, dt.date(2025, 9, 29))
    doc = ledger_document(ledger, "Asia/Shanghai", dt.datetime(2025, 9, 29, 10, tzinfo=dt.UTC))
    assert glyph_warning(doc.texts()) == ""

    pdf = render_register(doc)

    fonts = assert_every_font_embedded_as_subset(tmp_path, pdf)
    assert "HanaMinB" in fonts
    text = pdftotext(tmp_path, pdf)
    assert "张" + RARE[:2] in text
    assert_drawn_by_fallbacks(pdf, RARE[:2] + RARE[-1])


def test_canvas_strings_of_every_alignment_use_the_fallback(tmp_path: Path) -> None:
    """Plain-text table cells (left, centred, right) and the running header of later pages."""
    name = f"{RARE}\U0002f800"
    columns = (
        RegisterColumn("序号", 1, center=True),
        RegisterColumn("群众", 3),
        RegisterColumn("说明", 5),
    )
    rows = tuple(RegisterRow((str(n), name, "无")) for n in range(1, 80))
    doc = RegisterDocument(
        "接待登记簿",
        f"城南{RARE[0]}派出所",
        f"民警：{name}",
        dt.datetime(2026, 1, 2, 9, 30),
        (RegisterTable(columns, rows, heading=name),),
        number="DJ-1",
    )
    pdf = render_register(doc)
    assert len(pypdfium2.PdfDocument(pdf)) >= 2  # the header with the subtitle is drawn
    fonts = assert_every_font_embedded_as_subset(tmp_path, pdf)
    assert {"HanaMinB", "StationDeskHanCompat-Regular"} <= set(fonts)
    assert_drawn_by_fallbacks(pdf, name)


def test_a_canvas_string_noto_draws_is_byte_for_byte_reportlab_s() -> None:
    from reportlab.pdfgen.canvas import Canvas

    from app.printing.font_runs import FallbackCanvas

    register_fonts()
    pdfs = []
    for kind in (Canvas, FallbackCanvas):
        out = io.BytesIO()
        canvas = kind(out, invariant=1, initialFontName=REGULAR)
        canvas.setFont(REGULAR, 10)
        canvas.drawString(10, 10, "王小明 ABC")
        canvas.drawRightString(200, 30, "第 1 页 共 2 页")
        canvas.drawCentredString(100, 50, "打印于 2026-01-02")
        canvas.save()
        pdfs.append(out.getvalue())
    assert pdfs[0] == pdfs[1]


def test_a_slip_noto_draws_is_the_same_after_a_rare_print(services: Services, rare_receipt) -> None:  # type: ignore[no-untyped-def]
    officer, detail = rare_receipt
    data = services.visits.slip(officer, detail.row.id, "receipt")
    plain = dataclasses.replace(
        data, rows=tuple((k, "王小明" if v == RARE else v) for k, v in data.rows)
    )
    before = render_slip(plain)
    render_slip(data)  # registers HanaMinB in this process
    assert render_slip(plain) == before
