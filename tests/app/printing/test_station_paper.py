"""The station's own paper (issue 14): the daily ledger, the 现场回访登记簿 and the 月度通报.

Signatures as tall as their cell, the review block never alone on its last page, 未审核 and
补打 on every page, the 口径 of 差评 under the summary, ties on the 红黑榜, a partial month
said to be one, trend charts with the months before the first record, centred titles.
Each is read back from the PDF (text, positions, image sizes) or from the data.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pypdfium2
import pytest
from PIL import Image, ImageDraw

from app import cli
from app.core.clock import FixedClock
from app.ledger.pdf import ledger_document
from app.ledger.service import ReviewSignature
from app.printing.register_pdf import (
    RATING_REGISTER_NOTES,
    RegisterColumn,
    RegisterDocument,
    RegisterRow,
    RegisterTable,
    ReviewBlock,
    register_as_printed,
    render_register,
)
from app.ratings.service import RatingInput
from app.statistics.charts import MIN_CHART_MONTHS, chart_months, recorded
from app.statistics.monthly_pdf import monthly_report_document
from app.statistics.report_dto import Overview
from app.statistics.service import StatRow, TrendPoint, rank_officers
from tests.app.ratings.test_rating_pdfs import DIMS, STROKES, Desk, desk, pages_text, signed  # noqa: F401
from tests.conftest import TEST_PASSWORD

MM = 72 / 25.4
BEIJING = dt.timezone(dt.timedelta(hours=8))
PRINTED = dt.datetime(2025, 9, 29, 10, tzinfo=BEIJING)
CHIEF_BADGE = "100001"  # the chief of tests/conftest.py
CLOSING = ("，", "。", "、", "；", "：", "？", "！", "）", "》", "」", "】", "〕")


def pad_signature(width: int = 1716, height: int = 300) -> bytes:
    """A signature as the pad stores it: as wide as the pad, the writing small in the middle."""
    image = Image.new("RGB", (width, height), "white")
    ImageDraw.Draw(image).line(
        [(700, 200), (760, 130), (830, 190), (900, 120), (980, 180)], fill="black", width=6
    )
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def images(pdf: bytes) -> list[tuple[int, float, float, int]]:
    """Every picture: (page, drawn width mm, drawn height mm, pixel width)."""
    doc = pypdfium2.PdfDocument(pdf)
    out = []
    try:
        for number, page in enumerate(doc, start=1):
            for obj in page.get_objects():
                if obj.type == pypdfium2.raw.FPDF_PAGEOBJ_IMAGE:
                    left, bottom, right, top = obj.get_bounds()
                    pixels = obj.get_px_size()[0]
                    out.append((number, (right - left) / MM, (top - bottom) / MM, pixels))
    finally:
        doc.close()
    return out


def register(rows: int, **changes: object) -> RegisterDocument:
    doc = RegisterDocument(
        title="现场回访登记簿",
        station_name="测试市公安局测试分局和平路派出所",
        subtitle="2025年9月29日",
        printed_at=PRINTED,
        tables=(
            RegisterTable(
                (RegisterColumn("登记编号", 3), RegisterColumn("意见", 6)),
                tuple(RegisterRow((f"HPL-2025-{n:06d}", "办事很快")) for n in range(rows)),
            ),
        ),
        summary=(f"评价 {rows} 件，其中差评 0 件。",),
        review=ReviewBlock("", (("审核人签字", ""), ("审核日期", ""))),
        number="HPL-HF-20250929",
    )
    return _replace(doc, **changes)


def _replace(doc: RegisterDocument, **changes: object) -> RegisterDocument:
    from dataclasses import replace

    return replace(doc, **changes)  # type: ignore[arg-type]


def flat(text: str) -> str:
    return "".join(text.split())


def words(pdf: bytes, tmp_path: Path, page: int = 1) -> tuple[float, list[tuple[str, float]]]:
    """The page's width and each word's horizontal centre (pdftotext -bbox), in points."""
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "words.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    width = float(re.search(r'<page width="([\d.]+)"', out).group(1))  # type: ignore[union-attr]
    found = [
        (m.group(3), (float(m.group(1)) + float(m.group(2))) / 2)
        for m in re.finditer(
            r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>',
            out,
        )
    ]
    return width, found


def line_starts(pdf: bytes, tmp_path: Path) -> list[str]:
    """The first word of every line pdftotext sees (-bbox-layout), on every page."""
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "lines.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-bbox-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    starts = []
    for line in re.findall(r"<line[^>]*>(.*?)</line>", out, re.S):
        first = re.search(r">([^<]*)</word>", line)
        if first and first.group(1):
            starts.append(first.group(1))
    return starts


# ---- signatures ---------------------------------------------------------------------------


def test_a_pad_signature_fills_the_height_of_its_register_cell() -> None:
    table = RegisterTable(
        (RegisterColumn("群众", 10), RegisterColumn("群众签名", 30)),
        (RegisterRow(("王小明", pad_signature())),),
    )
    pdf = render_register(register(1, tables=(table,)))
    [(_page, width, height, pixels)] = images(pdf)
    # Cropped to the ink (not the pad's 1716 px) and as tall as a two-line row (10 mm):
    # the whole pad scaled into the cell drew the writing about 4 × 1 mm.
    assert pixels < 1716 / 3
    assert 9.5 <= height <= 10.01 and width > 20


def test_the_chiefs_signature_on_the_ledger_is_legible() -> None:
    review = ReviewBlock("所长审核", (("审核人", "王所长（所长）"),), "签名", pad_signature())
    pdf = render_register(register(1, review=review))
    [(_page, width, height, pixels)] = images(pdf)
    assert pixels < 1716 / 3
    assert height >= 15 and width >= 40


def test_an_unreadable_signature_says_so_instead_of_stopping_the_print() -> None:
    table = RegisterTable(
        (RegisterColumn("群众", 10), RegisterColumn("群众签名", 30)),
        (RegisterRow(("王小明", b"not a png")),),
    )
    text = flat("".join(pages_text(render_register(register(1, tables=(table,))))))
    assert "（签名图像无法显示）" in text


# ---- the review block, 未审核 and 补打 ----------------------------------------------------------


def test_the_review_block_never_stands_alone_on_the_last_page() -> None:
    seen_new_page = False
    for rows in range(18, 46):
        pages = pages_text(render_register(register(rows)))
        signing = [n for n, page in enumerate(pages) if "审核人签字" in page]
        assert len(signing) == 1
        page = flat(pages[signing[0]])
        assert flat(f"评价 {rows} 件，其中差评 0 件。") in page, f"{rows} rows: alone"
        seen_new_page |= signing[0] > 0 and "HPL-2025-" not in page
    # Some row count moved the summary and the review over together.
    assert seen_new_page


def test_page_marks_and_reprints_are_on_every_page() -> None:
    doc = register(120, page_mark="未审核", copy_no=3)
    pages = pages_text(render_register(doc))
    assert len(pages) >= 3
    for page in pages:
        assert "未审核" in page
        assert flat("补打（第 3 次打印）") in flat(page)
    first = pages_text(render_register(register(120)))
    assert not any("补打" in page or "未审核" in page for page in first)


def test_titles_are_centred_on_the_page(tmp_path: Path) -> None:
    for doc in (register(3), register(3, landscape=False), register(3, qr_payload="SD|x|1")):
        width, found = words(render_register(doc), tmp_path)
        [centre] = [x for word, x in found if word == "现场回访登记簿"]
        assert abs(centre - width / 2) < 0.5 * MM


def test_no_closing_punctuation_starts_a_line_in_a_table(tmp_path: Path) -> None:
    # Narrow cells of Chinese with punctuation every few characters: the plain CJK rule
    # would put ，。、 at a line start somewhere in them.
    text = "群众反映等候时间较长，窗口已加开；材料齐全、当场办结。另有意见：态度好！"
    rows = tuple(RegisterRow((text[:n], "另" + text[n:] + text)) for n in range(1, 30))
    table = RegisterTable((RegisterColumn("意见", 2), RegisterColumn("说明", 3)), rows)
    doc = register(1, tables=(table,), landscape=False)
    starts = line_starts(render_register(doc), tmp_path)
    assert starts and not [s for s in starts if s[0] in CLOSING]


# ---- the daily ledger -------------------------------------------------------------------------


def _print(args: list[str], db_path: Path, out: Path, badge: str) -> int:
    return cli.main([*args, "--db", str(db_path), "--out", str(out), "--badge", badge])


@pytest.fixture
def rated_day(desk: Desk) -> Desk:  # noqa: F811  (the imported fixture)
    """A day with a 差评 given only in one dimension (总体 满意) and one plain good rating."""
    desk.rate(signed(5))
    only_dimension = RatingInput(
        overall=4,
        dimensions=tuple((d, 2 if d == DIMS[0] else 4) for d in DIMS),
        signer_name="李四",
        strokes=STROKES,
        png=pad_signature(),
    )
    desk.rate(only_dimension, name="李四")
    return desk


def test_the_ledger_explains_a_100_percent_satisfaction_next_to_a_bad_review(
    rated_day: Desk,
) -> None:
    ledger = rated_day.s.ledger.ledger(rated_day.chief, rated_day.today)
    text = flat(
        "".join(pages_text(render_register(ledger_document(ledger, "Asia/Shanghai", PRINTED))))
    )
    assert flat("满意率 100.0%") in text and flat("差评 1 件") in text
    assert "口径：满意率只按总体评价计" in text
    assert "本日差评1件中，1件总体评价为基本满意及以上、仅分项不满意" in text


def test_an_unreviewed_ledger_says_so_on_every_page_and_a_reprint_says_补打(
    rated_day: Desk,
    db_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    audit_log: Callable[[], list[dict[str, object]]],
    clock: FixedClock,
) -> None:
    at = rated_day
    monkeypatch.setenv(cli.LOGIN_PASSWORD_ENV, TEST_PASSWORD)
    day = at.today.isoformat()
    badge = CHIEF_BADGE
    first, second = tmp_path / "1.pdf", tmp_path / "2.pdf"
    assert _print(["print", "ledger", day], db_path, first, badge) == 0
    assert _print(["print", "ledger", day], db_path, second, badge) == 0
    out = capsys.readouterr().out
    assert "补打（第 2 次打印）" in out
    pages_one, pages_two = pages_text(first.read_bytes()), pages_text(second.read_bytes())
    assert all("未审核" in page for page in pages_one + pages_two)
    assert not any("补打" in page for page in pages_one)
    assert all(flat("补打（第 2 次打印）") in flat(page) for page in pages_two)
    copies = [e["after"] for e in audit_log() if e["action"] == "ledger_printed"]
    assert [c["copy_no"] for c in copies] == [1, 2]  # type: ignore[index]

    # Reviewed after the closing hour with the pad's signature: no 未审核, the signature big.
    clock.advance(dt.timedelta(hours=9))
    sha = at.s.ledger.ledger(at.chief, at.today).content_sha256
    at.s.ledger.review(at.chief, at.today, sha, "已核对", ReviewSignature(STROKES, pad_signature()))
    third = tmp_path / "3.pdf"
    assert _print(["print", "ledger", day], db_path, third, badge) == 0
    pdf = third.read_bytes()
    pages = pages_text(pdf)
    assert not any("未审核" in page for page in pages)
    assert all(flat("补打（第 3 次打印）") in flat(page) for page in pages)
    chief_signature = [i for i in images(pdf) if i[1] > 30]
    assert chief_signature and chief_signature[0][2] >= 15


# ---- the register ----------------------------------------------------------------------------


def test_the_register_prints_its_口径_and_marks_a_reprint(
    rated_day: Desk,
    db_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at = rated_day
    monkeypatch.setenv(cli.LOGIN_PASSWORD_ENV, TEST_PASSWORD)
    badge = CHIEF_BADGE
    day = at.today.isoformat()
    paths = [tmp_path / f"{n}.pdf" for n in (1, 2)]
    for path in paths:
        assert _print(["print", "register", "--from", day, "--to", day], db_path, path, badge) == 0
    one, two = (pages_text(p.read_bytes()) for p in paths)
    text = flat("".join(one))
    # 差评 1 件 while 不满意 0 件: the note under the summary says why.
    assert "其中差评1件" in text and "不满意0件" in text
    assert flat(RATING_REGISTER_NOTES[0]) in text
    assert "补打" not in text
    assert all(flat("补打（第 2 次打印）") in flat(page) for page in two)
    # The register's signatures: each as tall as its cell.
    heights = [h for _p, _w, h, _px in images(paths[0].read_bytes())]
    assert len(heights) == 2 and min(heights) >= 9.5


def test_register_as_printed_keeps_notes_a_service_already_set() -> None:
    doc = register(1, notes=("口径：另有说明。",))
    assert register_as_printed(doc, 2).notes == ("口径：另有说明。",)
    assert register_as_printed(register(1), 2).copy_no == 2


# ---- the monthly report ----------------------------------------------------------------------


def test_a_reprinted_monthly_report_says_so_and_a_partial_month_is_named(
    rated_day: Desk, tmp_path: Path, audit_log: Callable[[], list[dict[str, object]]]
) -> None:
    at = rated_day
    reports = at.s.reports
    paths = [tmp_path / f"{n}.pdf" for n in (1, 2)]
    made = [reports.save_monthly_report(at.chief, at.today, p, via="cli") for p in paths]
    assert [m.copy_no for m in made] == [1, 2]
    one, two = (pages_text(p.read_bytes()) for p in paths)
    assert not any("补打" in page for page in one)
    assert all(flat("补打（第 2 次打印）") in flat(page) for page in two)
    # The test clock is 2025-09-29, the first record that day: both ends of September.
    assert flat("（自 9 月 29 日起有记录，统计至 9 月 29 日，非整月）") in flat(one[0])
    events = [e["after"] for e in audit_log() if e["action"] == "monthly_report_printed"]
    assert [e["copy_no"] for e in events] == [1, 2]  # type: ignore[index]
    # A print from the preview logs the number its paper carries.
    reports.record_monthly_report_print(at.chief, at.today, copy_no=3)
    assert audit_log()[-1]["after"]["copy_no"] == 3  # type: ignore[index]


def test_the_trend_of_a_first_month_shows_the_months_before_it(rated_day: Desk) -> None:
    overview = rated_day.s.reports.overview(
        rated_day.chief, dt.date(2025, 9, 1), dt.date(2025, 9, 30)
    )
    assert len(recorded(overview.trend)) == 1
    shown = chart_months(overview.trend)
    assert len(shown) == MIN_CHART_MONTHS and shown[-1].month == dt.date(2025, 9, 1)
    assert [p.visits for p in shown[:-1]] == [0] * (MIN_CHART_MONTHS - 1)
    text = flat("".join(pages_text(render_register(monthly_report_document(overview)))))
    assert "六、全所月度趋势（2025年4月至2025年9月）" in text
    assert "2025年9月以前本所尚无登记记录，图中标为“无数据”。" in text


def _overview(today: dt.date, records_from: dt.date | None) -> Overview:
    from app.statistics.service import Statistics

    total = StatRow(kind="total", label="合计")
    stats = Statistics(
        start=dt.date(2026, 11, 1),
        end=dt.date(2026, 11, 30),
        label="2026年11月",
        by_officer=(),
        by_matter=(),
        total=total,
        generated_at=dt.datetime(2026, 12, 4, 9, tzinfo=BEIJING),
    )
    return Overview(
        station_name="测试所",
        stats=stats,
        trend=(),
        ranking=(),
        ranking_month=dt.date(2026, 11, 1),
        generated_at=dt.datetime.combine(today, dt.time(9), BEIJING),
        records_from=records_from,
    )


@pytest.mark.parametrize(
    ("today", "first", "note"),
    [
        (dt.date(2026, 12, 4), dt.date(2026, 1, 5), ""),
        (dt.date(2026, 11, 20), dt.date(2026, 1, 5), "（统计至 11 月 20 日，非整月）"),
        (dt.date(2026, 12, 4), dt.date(2026, 11, 26), "（自 11 月 26 日起有记录，非整月）"),
        (dt.date(2026, 12, 4), dt.date(2026, 12, 2), "（本月本所尚无记录）"),
        (dt.date(2026, 12, 4), None, "（本月本所尚无记录）"),
    ],
)
def test_the_period_line_says_when_a_month_is_partial(
    today: dt.date, first: dt.date | None, note: str
) -> None:
    from app.statistics.monthly_pdf import partial_note

    assert partial_note(_overview(today, first)) == note


# ---- the 红黑榜 ---------------------------------------------------------------------------------

_IDS = iter(range(5000, 6000))


def _officer(name: str, **figures: object) -> StatRow:
    return StatRow(kind="officer", label=name, officer_id=next(_IDS), **figures)  # type: ignore[arg-type]


def test_ties_share_a_rank_and_a_board() -> None:
    total = StatRow(kind="total", label="合计")  # every rate 100 %
    team = [
        _officer("陈", visits=10),  # 100
        _officer("安", visits=10, bad=1),  # 98
        _officer("白", visits=10, bad=1),  # 98: tied with 安
        _officer("丁", visits=10, breaches=1),  # 97
    ]
    ranked = rank_officers(team, total)
    # Four ranked: one place on each board; 安 and 白 tie on rank 2, both off the boards.
    assert [(r.rank, r.label, r.board) for r in ranked] == [
        (1, "陈", "red"),
        (2, "安", ""),
        (2, "白", ""),
        (4, "丁", "black"),
    ]
    # Seven ranked, three places on each board: a tie reaching into the red places is red
    # as a whole (four red), one reaching into the black places black (four black).
    red_tie = [
        _officer("甲", visits=10),  # 100
        _officer("乙", visits=10, bad=1),  # 98
        _officer("丙", visits=10, breaches=1),  # 97
        _officer("丁", visits=10, breaches=1),  # 97: tied with 丙 on places 3–4
        _officer("戊", visits=10, complaints_by_finding=_founded(1)),  # 95
        _officer("己", visits=10, breaches=2),  # 94
        _officer("庚", visits=10, bad=5),  # 90
    ]
    ranked = rank_officers(red_tie, total)
    assert [(r.rank, r.label, r.board) for r in ranked] == [
        (1, "甲", "red"),
        (2, "乙", "red"),
        (3, "丙", "red"),
        (3, "丁", "red"),
        (5, "戊", "black"),
        (6, "己", "black"),
        (7, "庚", "black"),
    ]
    black_tie = [
        _officer("甲", visits=10),  # 100
        _officer("乙", visits=10, bad=1),  # 98
        _officer("丙", visits=10, breaches=1),  # 97
        _officer("丁", visits=10, breaches=2),  # 94
        _officer("戊", visits=10, breaches=2),  # 94: tied with 丁 on places 4–5
        _officer("己", visits=10, bad=4),  # 92
        _officer("庚", visits=10, bad=5),  # 90
    ]
    ranked = rank_officers(black_tie, total)
    assert [(r.rank, r.label, r.board) for r in ranked] == [
        (1, "甲", "red"),
        (2, "乙", "red"),
        (3, "丙", "red"),
        (4, "丁", "black"),
        (4, "戊", "black"),
        (6, "己", "black"),
        (7, "庚", "black"),
    ]


def _founded(n: int) -> tuple[tuple[str, int], ...]:
    from app.statistics.service import FINDINGS

    return tuple((f, n if f == "属实" else 0) for f in FINDINGS)


def test_trend_points_before_the_station_are_padded_only_when_few() -> None:
    def point(month: int, visits: int) -> TrendPoint:
        first = dt.date(2025, month, 1)
        rate = 0.9 if visits else None
        return TrendPoint(
            first, f"{month}月", visits, visits, rate, rate, rate, rate, rate, rate, 0, 0
        )

    year = [point(m, 0 if m < 11 else 5) for m in range(1, 13)]
    assert [p.month.month for p in chart_months(year)] == [7, 8, 9, 10, 11, 12]
    full = [point(m, 5) for m in range(1, 13)]
    assert chart_months(full) == full
