"""The 统计 page: figures computed off the UI thread, the 红黑榜, Excel export, 月度通报."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from app.core.clock import FixedClock
from app.core.database import Database
from app.core.dto import SessionUser
from app.services import Services
from app.statistics.reports import ReportService
from tests.app.statistics.test_statistics import World
from ui.pages import statistics_page
from ui.pages.statistics_page import StatisticsPage
from ui.print_preview_dialog import PrintPreviewDialog

TODAY = dt.date(2025, 10, 20)  # where the World fixture's clock ends


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
def messages(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Errors and notes the page shows, instead of modal boxes."""
    shown: dict[str, list[str]] = {"error": [], "info": []}
    monkeypatch.setattr(
        statistics_page, "show_error", lambda _p, text, *_a: shown["error"].append(text)
    )
    monkeypatch.setattr(
        statistics_page, "show_info", lambda _p, text, *_a: shown["info"].append(text)
    )
    return shown


def page_for(
    qtbot, services: Services, db: Database, clock: FixedClock, user, compute_on_show: bool = False
) -> StatisticsPage:  # type: ignore[no-untyped-def]
    page = StatisticsPage(
        services.statistics,
        ReportService(db.sessions, clock),
        user,
        TODAY,
        compute_on_show=compute_on_show,
    )
    qtbot.addWidget(page)
    page.resize(1200, 760)
    page.show()
    return page


def wait(qtbot, page: StatisticsPage) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: not page.busy, timeout=30_000)


def last_event(db: Database) -> tuple[str, dict[str, object] | None]:
    import json

    from sqlalchemy import select

    from db.models import AuditEvent

    with db.sessions() as session:
        event = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert event is not None
        return event.action, json.loads(event.after_json) if event.after_json else None


def test_the_chief_counts_a_month_on_a_worker_and_the_tables_fill(
    qtbot, world: World, services: Services, db: Database, clock: FixedClock, messages
) -> None:  # type: ignore[no-untyped-def]
    page = page_for(qtbot, services, db, clock, world.chief)
    assert page.period_label.text() == "统计期间：2025年9月（2025-09-01 至 2025-09-30）"
    page.set_period("month", dt.date(2025, 10, 17))
    assert "2025年10月（2025-10-01 至 2025-10-31）" in page.period_label.text()
    page.set_period("month", dt.date(2025, 9, 17))
    assert "2025年9月（2025-09-01 至 2025-09-30）" in page.period_label.text()
    steps: list[int] = []
    page.progress.valueChanged.connect(steps.append)

    qtbot.mouseClick(page.run_button, Qt.MouseButton.LeftButton)
    assert page.busy and not page.run_button.isEnabled() and page.progress.isVisible()
    page.run()  # a second click while counting does nothing
    wait(qtbot, page)

    expected = world.stats.compute(world.chief, dt.date(2025, 9, 1), dt.date(2025, 9, 30))
    assert messages["error"] == []
    assert page.officer_model.rowCount() == len(expected.by_officer) + 1
    assert page.officer_model.rows()[-1] == expected.total
    assert page.officer_model.rows()[:-1] == list(expected.by_officer)
    assert page.matter_model.rowCount() == len(expected.by_matter) + 1
    assert page.board_model.rowCount() == len(expected.by_officer)
    assert page.trend_model.rowCount() == 12
    assert page.progress.value() == page.progress.maximum() > 0
    assert len(steps) > 3 and steps == sorted(steps)
    assert page.run_button.isEnabled()
    assert all(not label.pixmap().isNull() for label in page.chart_labels)
    assert "2025年9月：登记 9 件，办结 7 件" in page.summary.text()
    assert "满意率（含基本满意）75.0%" in page.summary.text()
    assert page.board_title.text().startswith("2025年9月红黑榜")
    model = page.officer_model
    jia = next(i for i, r in enumerate(model.rows()) if r.label == "甲民警")
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    cell = model.index(jia, headers.index("满意率（含基本满意）"))
    assert model.data(cell) == "100.0%"
    page.tabs.setCurrentIndex(2)
    page.grab()


def test_the_page_opens_on_the_last_complete_month_with_its_figures(
    qtbot, world: World, services: Services, db: Database, clock: FixedClock, messages
) -> None:  # type: ignore[no-untyped-def]
    page = page_for(qtbot, services, db, clock, world.chief, compute_on_show=True)

    qtbot.waitUntil(lambda: page.figures is not None and not page.busy, timeout=30_000)

    expected = world.stats.compute(world.chief, dt.date(2025, 9, 1), dt.date(2025, 9, 30))
    assert page.period_label.text() == "统计期间：2025年9月（2025-09-01 至 2025-09-30）"
    assert messages["error"] == []
    assert page.officer_model.rows()[-1] == expected.total
    assert "2025年9月：登记 9 件，办结 7 件" in page.summary.text()
    # Shown again (another page and back): no second computation; 统计 still counts.
    first = page.figures
    page.hide()
    page.show()
    qtbot.wait(50)
    assert page.figures is first and not page.busy
    page.set_period("month", TODAY)
    qtbot.mouseClick(page.run_button, Qt.MouseButton.LeftButton)
    wait(qtbot, page)
    assert page.figures is not first
    assert page.board_title.text().startswith("2025年10月红黑榜")


def test_a_reversed_range_is_refused_in_chinese(
    qtbot, world: World, services: Services, db: Database, clock: FixedClock, messages
) -> None:  # type: ignore[no-untyped-def]
    page = page_for(qtbot, services, db, clock, world.chief)
    page.set_period("custom", dt.date(2025, 9, 30), dt.date(2025, 9, 1))
    assert page.from_edit.isVisible() and not page.day_edit.isVisible()
    assert "结束日期早于开始日期" in page.period_label.text()

    page.run()
    page.export_excel()
    page.print_monthly()

    assert len(messages["error"]) == 3
    assert all("结束日期早于开始日期" in m for m in messages["error"])
    assert not page.busy and page.officer_model.rowCount() == 0


def test_the_chief_exports_the_period_to_excel(
    qtbot,
    world: World,
    services: Services,
    db: Database,
    clock: FixedClock,
    messages,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "out" / "九月统计"  # no suffix: the page adds .xlsx
    target.parent.mkdir()
    asked: list[str] = []

    def save_as(_parent, _title, suggested, _filter):  # type: ignore[no-untyped-def]
        asked.append(suggested)
        return str(target), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_as)
    page = page_for(qtbot, services, db, clock, world.chief)
    page.set_period("month", dt.date(2025, 9, 1))

    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    wait(qtbot, page)

    written = target.with_name("九月统计.xlsx")
    assert asked[0].endswith("窗口服务统计-2025年9月.xlsx")
    assert messages["error"] == [] and str(written) in messages["info"][0]
    book = openpyxl.load_workbook(written)
    assert book.sheetnames == ["按民警", "按事项", "趋势", "红黑榜", "指标说明"]
    assert list(target.parent.iterdir()) == [written]
    action, after = last_event(db)
    assert action == "statistics_exported" and after is not None
    assert after["file"] == str(written)


def test_an_export_to_a_missing_folder_shows_why_and_writes_nothing(
    qtbot,
    world: World,
    services: Services,
    db: Database,
    clock: FixedClock,
    messages,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "不存在" / "统计.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a: (str(target), ""))
    page = page_for(qtbot, services, db, clock, world.chief)
    page.set_period("week", dt.date(2025, 9, 29))

    page.export_excel()
    wait(qtbot, page)

    assert len(messages["error"]) == 1 and "无法写入文件" in messages["error"][0]
    assert "文件夹" in messages["error"][0] and "无法写入文件" in page.status.text()
    assert not target.parent.exists()
    assert last_event(db)[0] != "statistics_exported"


def test_cancelling_the_save_dialog_does_nothing(
    qtbot,
    world: World,
    services: Services,
    db: Database,
    clock: FixedClock,
    messages,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a: ("", ""))
    page = page_for(qtbot, services, db, clock, world.chief)
    page.export_excel()
    assert not page.busy and messages == {"error": [], "info": []}


def test_the_monthly_report_opens_in_the_preview_and_printing_is_logged(
    qtbot,
    world: World,
    services: Services,
    db: Database,
    clock: FixedClock,
    messages,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # type: ignore[no-untyped-def]
    shown: list[tuple[bytes, str]] = []

    def preview(dialog: PrintPreviewDialog) -> int:
        shown.append((dialog._pdf, dialog.windowTitle()))
        dialog._on_output()  # as if printed
        return 1

    monkeypatch.setattr(PrintPreviewDialog, "exec", preview)
    page = page_for(qtbot, services, db, clock, world.chief)
    page.set_period("quarter", dt.date(2025, 8, 5))  # the third quarter ends in September

    qtbot.mouseClick(page.print_button, Qt.MouseButton.LeftButton)
    wait(qtbot, page)

    assert messages["error"] == []
    assert len(shown) == 1 and shown[0][0].startswith(b"%PDF")
    assert shown[0][1] == "打印预览 — 2025年9月窗口服务情况通报"
    assert last_event(db) == (
        "monthly_report_printed",
        {"month": "2025-09", "file": None, "via": "gui", "copy_no": 1},  # the first print
    )


def test_a_window_officer_is_refused_in_chinese(
    qtbot, world: World, services: Services, db: Database, clock: FixedClock, messages
) -> None:  # type: ignore[no-untyped-def]
    page = page_for(qtbot, services, db, clock, world.a)
    page.run()
    wait(qtbot, page)
    assert len(messages["error"]) == 1 and "无权查看统计" in messages["error"][0]
    assert page.officer_model.rowCount() == 0 and not page.progress.isVisible()
