"""Exports: the generic .xlsx writer, the statistics workbook and the 月度通报 PDF.

The statistics come from the hand-computed fixture of test_statistics.py (World), so every
figure read back from the workbook is checked against compute()'s.
"""

from __future__ import annotations

import datetime as dt
import errno
import io
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PIL import Image

from app.core.clock import FixedClock
from app.core.database import Database
from app.core.dto import SessionUser
from app.core.errors import PermissionDenied, ValidationError
from app.exports import files
from app.exports.files import check_target, write_atomically
from app.exports.xlsx import Sheet, SheetColumn, display_width, text_columns, write_workbook
from app.services import Services
from app.statistics import service as statistics_service
from app.statistics.charts import CHARTS, month_labels, recorded, trend_chart_png
from app.statistics.reports import TREND_MONTHS, ReportService
from app.statistics.service import COLUMNS, DEFINITIONS, RANKING_FORMULA, TrendPoint
from app.statistics.xlsx import SHEET_NAMES, sentences
from tests.app.helpers import has_chinese
from tests.app.ratings.test_rating_pdfs import (
    assert_fonts_embedded,
    image_count,
    pages_text,
    pdf_text,
)
from tests.app.statistics.test_statistics import SEPT, World

AuditLog = Callable[[], list[dict[str, Any]]]


@pytest.fixture
def world(
    services: Services,
    db: Database,
    chief: SessionUser,
    make_officer: Callable[..., SessionUser],
    clock: FixedClock,
) -> World:
    return World(services, db, chief, make_officer, clock)


@pytest.fixture
def reports(db: Database, clock: FixedClock) -> ReportService:
    return ReportService(db.sessions, clock)


def leftovers(folder: Path) -> list[Path]:
    """Temporary files an interrupted write might have left."""
    return [p for p in folder.iterdir() if p.name.endswith(".part")]


def flat(text: str) -> str:
    return "".join(text.split())


# ---- the generic writer ---------------------------------------------------------------


SAMPLE = Sheet(
    title="样表",
    columns=(
        SheetColumn("姓名"),
        SheetColumn("件数", "count"),
        SheetColumn("满意率（含基本满意）", "rate"),
        SheetColumn("平均等候（分钟）", "decimal"),
        SheetColumn("日期", "date"),
        SheetColumn("摘要", width=30, wrap=True),
    ),
    rows=(
        ("欧阳娜娜", 12, 2 / 3, 5.25, dt.date(2025, 9, 29), '=HYPERLINK("http://x")'),
        ("Li", 0, None, None, None, "第一行\n第二行"),
    ),
    heading=("测试派出所　样表", "统计期间：2025年9月"),
    notes=("比率的分母为 0 时显示“—”。",),
    frozen_columns=1,
)


def test_the_writer_lays_out_a_sheet_excel_can_use(tmp_path: Path) -> None:
    path = tmp_path / "样表.xlsx"
    write_workbook(path, [SAMPLE], title="样表", author="测试派出所")

    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["样表"]
    ws = book["样表"]
    assert ws["A1"].value == "测试派出所　样表" and ws["A1"].font.b
    assert SAMPLE.header_row == 4
    assert [c.value for c in ws[4]] == [c.header for c in SAMPLE.columns]
    assert all(c.font.b for c in ws[4])
    assert ws.freeze_panes == "B5"
    name, count, rate, minutes, day, text = ws[5]
    assert (name.value, count.value) == ("欧阳娜娜", 12)
    assert rate.value == pytest.approx(2 / 3) and rate.number_format == "0.0%"
    assert minutes.value == 5.25 and minutes.number_format == "0.0"
    assert day.value == dt.datetime(2025, 9, 29) and day.number_format == "yyyy-mm-dd"
    # Text typed at the counter never becomes a formula.
    assert text.value == '=HYPERLINK("http://x")' and text.data_type == "s"
    assert [c.value for c in ws[6]][2:5] == ["—", "—", "—"]
    assert ws["A8"].value == "比率的分母为 0 时显示“—”。"
    widths = {k: v.width for k, v in ws.column_dimensions.items()}
    assert widths["A"] >= display_width("欧阳娜娜") + 2  # CJK counts double
    assert widths["C"] >= display_width("100.0%")
    assert widths["F"] == 30
    assert ws.row_dimensions[6].height >= 30  # two wrapped lines
    assert book.properties.creator == "测试派出所"


def test_a_sheet_without_a_title_block_freezes_the_first_row(tmp_path: Path) -> None:
    path = tmp_path / "plain.xlsx"
    write_workbook(path, [Sheet("台账", text_columns("编号", "姓名"), (("A-1", "张三"),))])
    ws = openpyxl.load_workbook(path)["台账"]
    assert ws.freeze_panes == "A2"
    assert ws["A1"].value == "编号" and ws["A1"].font.b and ws["A2"].value == "A-1"


def test_sheet_names_are_made_legal_and_unique(tmp_path: Path) -> None:
    path = tmp_path / "names.xlsx"
    sheet = Sheet("统计/民警:[9月]", text_columns("a"), ())
    write_workbook(path, [sheet, sheet, Sheet("x" * 40, text_columns("a"), ())])
    assert openpyxl.load_workbook(path).sheetnames == [
        "统计_民警__9月_",
        "统计_民警__9月_(2)",
        "x" * 31,
    ]


def test_display_width_counts_cjk_twice() -> None:
    assert display_width("ab") == 2
    assert display_width("民警") == 4
    assert display_width("（含）") == 6


@pytest.mark.parametrize("case", ["missing_folder", "a_folder"])
def test_an_unwritable_path_is_refused_in_chinese_and_leaves_nothing(
    tmp_path: Path, case: str
) -> None:
    target = tmp_path / "没有这个文件夹" / "统计.xlsx" if case == "missing_folder" else tmp_path
    with pytest.raises(ValidationError) as caught:
        write_workbook(target, [SAMPLE])
    assert caught.value.message.startswith("无法写入文件：")
    assert "文件夹" in caught.value.message
    assert not (tmp_path / "没有这个文件夹").exists()
    assert leftovers(tmp_path) == []


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes anywhere")
def test_a_folder_without_write_permission_is_refused(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(ValidationError) as caught:
            write_workbook(locked / "统计.xlsx", [SAMPLE])
        assert "权限" in caught.value.message
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o700)


def test_a_failed_rename_leaves_neither_the_file_nor_the_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_args: object) -> None:
        raise PermissionError(errno.EACCES, "in use")

    monkeypatch.setattr(files.os, "replace", refuse)
    target = tmp_path / "统计.xlsx"
    with pytest.raises(ValidationError) as caught:
        write_workbook(target, [SAMPLE])
    assert "正被其他程序" in caught.value.message
    assert not target.exists() and leftovers(tmp_path) == []


def test_an_export_killed_halfway_leaves_a_hidden_file_the_next_export_removes(
    tmp_path: Path,
) -> None:
    killed = tmp_path / ".统计.xlsx.a1b2c3.part"
    killed.write_bytes(b"half a workbook")
    os.utime(killed, (1_000_000, 1_000_000))  # long ago
    under_way = tmp_path / ".统计.xlsx.d4e5f6.part"  # another counter exporting right now
    under_way.write_bytes(b"being written")
    other = tmp_path / ".台账.xlsx.g7h8.part"
    other.write_bytes(b"another file's")
    os.utime(other, (1_000_000, 1_000_000))

    write_atomically(tmp_path / "统计.xlsx", b"content")

    assert not killed.exists()
    assert under_way.exists() and other.exists()  # too young; another name's (its own export)
    assert (tmp_path / "统计.xlsx").read_bytes() == b"content"


def test_a_failed_write_keeps_the_old_file_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "统计.xlsx"
    target.write_bytes(b"old")

    def no_space(*_args: object) -> None:
        raise OSError(errno.ENOSPC, "full")

    monkeypatch.setattr(files.os, "fsync", no_space)
    with pytest.raises(ValidationError, match="磁盘空间不足"):
        write_atomically(target, b"new content")
    assert target.read_bytes() == b"old"
    assert leftovers(tmp_path) == []


def test_a_guard_that_fails_on_the_way_out_removes_the_new_file(tmp_path: Path) -> None:
    target = tmp_path / "统计.xlsx"
    seen: list[bool] = []

    @contextmanager
    def guard() -> Iterator[None]:
        yield
        seen.append(target.exists())
        raise RuntimeError("commit failed")

    with pytest.raises(RuntimeError):
        write_atomically(target, b"content", guard)
    assert seen == [True]
    assert not target.exists() and leftovers(tmp_path) == []


def test_check_target_wants_the_suffix_and_an_existing_folder(tmp_path: Path) -> None:
    assert check_target(tmp_path / "a.XLSX", ".xlsx", "统计表") == tmp_path / "a.XLSX"
    with pytest.raises(ValidationError, match=r"\.xlsx 结尾"):
        check_target(tmp_path / "a.pdf", ".xlsx", "统计表")
    with pytest.raises(ValidationError, match="不存在"):
        check_target(tmp_path / "no" / "a.xlsx", ".xlsx", "统计表")


# ---- the statistics workbook ------------------------------------------------------------


def header_of(ws: Any) -> tuple[int, dict[str, int]]:
    """The header row number and each header's column."""
    for row in ws.iter_rows(min_row=1, max_row=6):
        values = [c.value for c in row]
        if values and values[0] in ("姓名", "事项编号", "月份", "名次", "指标"):
            return row[0].row, {v: i for i, v in enumerate(values) if v}
    raise AssertionError("no header row")


def test_the_statistics_workbook_reads_back_with_the_computed_figures(
    world: World, reports: ReportService, tmp_path: Path
) -> None:
    path = tmp_path / "统计-2025年9月.xlsx"
    result = reports.export_statistics(world.chief, *SEPT, path)
    stats = world.stats.compute(world.chief, *SEPT)
    assert (result.path, result.label) == (path, "2025年9月")
    assert (result.officers, result.matters) == (len(stats.by_officer), len(stats.by_matter))

    book = openpyxl.load_workbook(path)
    assert book.sheetnames == list(SHEET_NAMES)

    ws = book["按民警"]
    head, cols = header_of(ws)
    assert all(c.font.b for c in ws[head] if c.value)
    assert ws.freeze_panes == f"B{head + 1}"
    assert all(ws.column_dimensions[k].width for k in ("A", "B", "D", "Q"))
    assert "测试市公安局测试分局和平路派出所" in ws["A1"].value
    rows = {r[0].value: r for r in ws.iter_rows(min_row=head + 1) if r[0].value}
    for expected in [*stats.by_officer, stats.total]:
        row = rows[expected.label]
        for column in COLUMNS:
            cell = row[cols[column.header]]
            value = getattr(expected, column.attr)
            if value is None:
                assert cell.value == "—"
            elif column.fmt == "rate":
                assert cell.value == pytest.approx(value) and cell.number_format == "0.0%"
            elif column.fmt == "minutes":
                assert cell.value == pytest.approx(value) and cell.number_format == "0.0"
            else:
                assert cell.value == value
    jia = rows["甲民警"]
    assert jia[cols["投诉核实：属实"]].value == 1 and jia[cols["投诉处理：澄清正名"]].value == 1
    assert rows["乙民警"][cols["拒绝评价"]].value == 1
    assert rows["合计"][0].font.b

    ws = book["按事项"]
    head, cols = header_of(ws)
    assert ws.freeze_panes == f"C{head + 1}"
    by_code = {r[0].value: r for r in ws.iter_rows(min_row=head + 1) if r[0].value}
    for expected in stats.by_matter:
        assert by_code[expected.code][cols["登记量"]].value == expected.visits
        assert by_code[expected.code][cols["事项"]].value == expected.label
    assert by_code["合计"][cols["登记量"]].value == 9

    ws = book["趋势"]
    head, cols = header_of(ws)
    months = [r for r in ws.iter_rows(min_row=head + 1, values_only=True) if r[0]]
    months = [r for r in months if str(r[0]).endswith("月")]
    assert len(months) == TREND_MONTHS and months[-1][0] == "2025年9月"
    assert months[-1][cols["满意率（含基本满意）"]] == pytest.approx(0.75)
    assert months[-2][cols["登记量"]] == 0 and months[-2][cols["投诉"]] == 1  # August: K6

    ws = book["红黑榜"]
    head, cols = header_of(ws)
    assert ws["A1"].value.endswith("2025年9月红黑榜")
    texts = [c.value for c in ws["A"] if isinstance(c.value, str)]
    assert "".join(texts[texts.index("排名规则：") + 1 :]) == RANKING_FORMULA
    boards = [r[cols["榜单"]] for r in ws.iter_rows(min_row=head + 1, values_only=True) if r[1]]
    assert boards[0] == "不参与排名（样本不足）"  # nobody reaches 10 in the small fixture

    ws = book["指标说明"]
    explained = [r[1] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert set(DEFINITIONS.values()) <= set(explained) and RANKING_FORMULA in explained
    assert all(has_chinese(str(r[0])) for r in ws.iter_rows(min_row=2, values_only=True))


def test_the_workbook_ranks_with_the_same_formula_as_the_service(
    world: World, reports: ReportService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(statistics_service, "RANK_MIN_SAMPLE", 3)
    path = tmp_path / "统计.xlsx"
    reports.export_statistics(world.chief, dt.date(2025, 9, 29), dt.date(2025, 9, 30), path)
    ws = openpyxl.load_workbook(path)["红黑榜"]
    head, cols = header_of(ws)
    ranked = [r for r in ws.iter_rows(min_row=head + 1, values_only=True) if r[1]][:2]
    assert [(r[cols["姓名"]], r[cols["得分"]], r[cols["榜单"]]) for r in ranked] == [
        ("甲民警", 78.0, "红榜"),
        ("乙民警", 30.0, "黑榜"),
    ]


def test_the_overview_is_what_the_statistics_service_reports(
    world: World, reports: ReportService
) -> None:
    overview = reports.overview(world.chief, dt.date(2025, 9, 29), dt.date(2025, 10, 13))
    direct = world.stats.compute(world.chief, dt.date(2025, 9, 29), dt.date(2025, 10, 13))
    assert overview.stats.by_officer == direct.by_officer
    assert overview.stats.total == direct.total
    assert overview.trend == tuple(world.stats.monthly_trend(world.chief, 12, OCT_FIRST))
    assert overview.ranking == tuple(world.stats.ranking(world.chief, OCT_FIRST))
    assert overview.ranking_label == "2025年10月"


OCT_FIRST = dt.date(2025, 10, 1)


def test_the_export_reports_progress_to_the_end(world: World, reports: ReportService) -> None:
    calls: list[tuple[int, int]] = []
    reports.overview(world.chief, *SEPT, lambda i, n: calls.append((i, n)))
    assert calls[-1][0] == calls[-1][1]
    assert [i for i, _ in calls] == sorted(i for i, _ in calls)


def test_an_export_is_audited_and_only_when_the_file_was_written(
    world: World,
    reports: ReportService,
    tmp_path: Path,
    audit_log: AuditLog,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "统计.xlsx"
    reports.export_statistics(world.chief, *SEPT, path)
    event = audit_log()[-1]
    assert event["action"] == "statistics_exported"
    assert event["officer_id"] == world.chief.officer_id
    assert event["entity_id"] == "2025-09-01/2025-09-30"
    assert event["after"]["file"] == str(path) and event["after"]["via"] == "gui"
    assert (event["after"]["from"], event["after"]["to"]) == ("2025-09-01", "2025-09-30")

    before = len(audit_log())
    with pytest.raises(ValidationError, match="无法写入文件"):
        reports.export_statistics(world.chief, *SEPT, tmp_path / "不存在" / "统计.xlsx")
    with pytest.raises(ValidationError, match="无法写入文件"):
        reports.export_statistics(world.chief, *SEPT, tmp_path)

    def refuse(*_args: object) -> None:
        raise PermissionError(errno.EACCES, "in use")

    monkeypatch.setattr(files.os, "replace", refuse)
    other = tmp_path / "另一个.xlsx"
    with pytest.raises(ValidationError, match="无法写入文件"):
        reports.export_statistics(world.chief, *SEPT, other)
    assert not other.exists() and leftovers(tmp_path) == []
    assert len(audit_log()) == before


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (dt.date(2025, 9, 30), dt.date(2025, 9, 1), "结束日期早于开始日期"),
        (None, dt.date(2025, 9, 1), "请选择统计期间"),
        (dt.date(2024, 1, 1), dt.date(2025, 9, 1), "最长"),
    ],
    ids=["reversed", "empty", "too_long"],
)
def test_a_bad_range_is_refused_in_chinese_before_anything_is_written(
    world: World,
    reports: ReportService,
    tmp_path: Path,
    audit_log: AuditLog,
    start: dt.date | None,
    end: dt.date | None,
    expected: str,
) -> None:
    before = len(audit_log())
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ValidationError, match=expected):
        reports.export_statistics(world.chief, start, end, out / "统计.xlsx")
    assert list(out.iterdir()) == []
    assert len(audit_log()) == before


def test_only_the_chief_and_deputies_export_or_print(
    world: World, reports: ReportService, tmp_path: Path, audit_log: AuditLog
) -> None:
    before = len(audit_log())
    out = tmp_path / "out"
    out.mkdir()
    for user in (world.a, world.c):
        with pytest.raises(PermissionDenied, match="无权查看统计"):
            reports.export_statistics(user, *SEPT, out / "统计.xlsx")
        with pytest.raises(PermissionDenied):
            reports.monthly_report(user, SEPT[0])
        with pytest.raises(PermissionDenied):
            reports.record_monthly_report_print(user, SEPT[0])
    assert list(out.iterdir()) == [] and len(audit_log()) == before
    reports.export_statistics(world.g, *SEPT, out / "统计.xlsx")  # the deputy may
    assert audit_log()[-1]["officer_id"] == world.g.officer_id


# ---- the monthly report ---------------------------------------------------------------


def test_the_monthly_report_has_the_tables_the_board_and_the_charts(
    world: World, reports: ReportService, tmp_path: Path
) -> None:
    report = reports.monthly_report(world.chief, dt.date(2025, 9, 17))
    assert report.month == dt.date(2025, 9, 1)
    assert report.title == "2025年9月窗口服务情况通报"
    assert report.file_name == "2025年9月窗口服务情况通报.pdf" and report.warning == ""
    pages = pages_text(report.pdf)
    text = "\n".join(pages)
    assert "测试市公安局测试分局和平路派出所" in text
    assert report.title in text
    for name in ("甲民警", "乙民警", "丙辅警", "戊民警", "赵副所长"):
        assert name in text
    body = flat(text)
    assert flat("本月窗口共登记办事 9 件，办结 7 件") in body
    assert flat("满意率（含基本满意）75.0%，满意率（不含基本满意）50.0%") in body
    assert flat(RANKING_FORMULA) in body
    assert "2025年9月红黑榜" in text
    assert flat(DEFINITIONS["satisfaction"]) in body
    assert all(f"第 {i} 页 共 {len(pages)} 页" in page for i, page in enumerate(pages, 1))
    assert image_count(report.pdf) >= len(CHARTS)
    assert_fonts_embedded(tmp_path, report.pdf)
    assert "None" not in text and "nan" not in text.lower()


def test_the_monthly_report_compares_with_the_month_before(
    world: World, reports: ReportService
) -> None:
    text = flat(pdf_text(reports.monthly_report(world.chief, dt.date(2025, 10, 1)).pdf))
    assert flat("与2025年9月相比，满意率（含基本满意）下降 25.0 个百分点") in text
    assert flat("按时办结率下降 50.0 个百分点") in text
    # October is not over on the test clock (10-20).
    assert "本月尚未结束" in text


def test_printing_the_monthly_report_is_audited(
    world: World, reports: ReportService, audit_log: AuditLog
) -> None:
    reports.record_monthly_report_print(world.chief, dt.date(2025, 9, 30))
    event = audit_log()[-1]
    assert event["action"] == "monthly_report_printed"
    assert (event["entity_type"], event["entity_id"]) == ("monthly_report", "2025-09")
    assert event["officer_id"] == world.chief.officer_id
    # Which print of the month's report it was (issue 14: later ones are 补打).
    assert event["after"] == {"month": "2025-09", "file": None, "via": "gui", "copy_no": 1}


def test_a_month_not_yet_begun_is_refused(world: World, reports: ReportService) -> None:
    with pytest.raises(ValidationError, match="2025年11月尚未开始"):
        reports.monthly_report(world.chief, dt.date(2025, 11, 1))
    with pytest.raises(ValidationError, match="请选择通报的月份"):
        reports.monthly_report(world.chief, None)


def test_saving_the_monthly_report_writes_it_whole_and_audits_it(
    world: World, reports: ReportService, tmp_path: Path, audit_log: AuditLog
) -> None:
    path = tmp_path / "通报.pdf"
    reports.save_monthly_report(world.chief, dt.date(2025, 9, 1), path, via="cli")
    assert path.read_bytes().startswith(b"%PDF")
    event = audit_log()[-1]
    assert event["action"] == "monthly_report_printed"
    assert event["officer_id"] == world.chief.officer_id
    assert event["after"] == {"month": "2025-09", "file": str(path), "via": "cli", "copy_no": 1}
    count = len(audit_log())
    with pytest.raises(ValidationError, match=r"\.pdf 结尾"):
        reports.save_monthly_report(world.chief, dt.date(2025, 9, 1), tmp_path / "通报.xlsx")
    assert len(audit_log()) == count and leftovers(tmp_path) == []


# ---- charts ---------------------------------------------------------------------------


def _point(month: int, rate: float | None, visits: int = 10) -> TrendPoint:
    first = dt.date(2025, month, 1)
    return TrendPoint(
        first, f"2025年{month}月", visits, visits, rate, rate, rate, rate, rate, rate, 0, 0
    )


def test_a_chart_is_a_png_of_the_size_asked(tmp_path: Path) -> None:
    points = [_point(m, None if m == 3 else 0.8 + m / 100) for m in range(1, 13)]
    for chart in CHARTS:
        png = trend_chart_png(points, chart, 600, 300, 100)
        image = Image.open(io.BytesIO(png))
        assert image.format == "PNG" and image.size == (600, 300)


def test_a_chart_without_any_figure_still_draws() -> None:
    png = trend_chart_png([_point(9, None, 0)], CHARTS[0], 400, 240, 100)
    assert Image.open(io.BytesIO(png)).size == (400, 240)


def test_month_labels_name_the_year_at_the_start_and_in_january() -> None:
    january = TrendPoint(
        dt.date(2026, 1, 1), "2026年1月", 0, 0, None, None, None, None, None, None, 0, 0
    )
    points = [_point(11, None), _point(12, None), january]
    assert month_labels(points) == ["11月\n2025年", "12月", "1月\n2026年"]


def test_empty_months_before_the_first_record_are_left_out_of_the_charts() -> None:
    points = [_point(1, None, 0), _point(2, None, 0), _point(3, 0.9), _point(4, None, 0)]
    assert [p.month.month for p in recorded(points)] == [3, 4]
    assert [p.month.month for p in recorded(points[:2])] == [2]


def test_sentences_cut_the_formula_after_each_full_stop() -> None:
    parts = sentences(RANKING_FORMULA)
    assert "".join(parts) == RANKING_FORMULA and all(p.endswith("。") for p in parts)
