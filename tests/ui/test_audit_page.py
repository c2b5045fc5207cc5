"""审计日志 page: filter, read older pages, see an event in full, check and export by keyboard."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.core.dto import SessionUser
from app.core.roles import Role
from app.services import Services
from ui.pages import audit_page as audit_page_module
from ui.pages.audit_page import AuditPage


def _page(qtbot: QtBot, services: Services, user: SessionUser) -> AuditPage:
    page = AuditPage(services.audit_log, user, services.station.today())
    qtbot.addWidget(page)
    page.resize(1300, 700)
    page.show()
    return page


def test_the_page_lists_newest_first_and_reads_older_pages(
    qtbot: QtBot,
    services: Services,
    chief: SessionUser,
    make_officer,  # type: ignore[no-untyped-def]
) -> None:
    for n in range(3):
        make_officer(Role.WINDOW, "民警甲乙丙"[n] + "民警")
    page = _page(qtbot, services, chief)
    everything = [page.model.row_at(i).event_id for i in range(page.model.rowCount())]
    assert len(everything) >= 5 and everything == sorted(everything, reverse=True)
    assert f"第 {everything[0]} 号事件" in page.detail.toPlainText()

    page.page_size = 2
    page.search()
    assert page.model.rowCount() == 2 and page.more_button.isEnabled()
    assert "还有更早的记录" in page.count_label.text()
    while page.more_button.isEnabled():
        page.more_button.setFocus()
        qtbot.keyClick(page.more_button, Qt.Key.Key_Space)
    assert [page.model.row_at(i).event_id for i in range(page.model.rowCount())] == everything
    assert "已全部列出" in page.count_label.text()
    # The newly read page's first row is selected and shown.
    assert page.table.selectionModel().selectedRows()[0].row() >= len(everything) - 2


def test_a_filter_by_record_is_typed_and_run_with_enter(
    qtbot: QtBot, services: Services, chief: SessionUser
) -> None:
    page = _page(qtbot, services, chief)
    page.record_edit.setFocus()
    qtbot.keyClicks(page.record_edit, "NO-SUCH-1")
    qtbot.keyClick(page.record_edit, Qt.Key.Key_Return)
    assert page.model.rowCount() == 0
    assert "没有审计记录" in page.detail.toPlainText()

    page.record_edit.clear()
    page.to_edit.setDate(page.from_edit.date().addDays(-1))
    qtbot.keyClick(page.record_edit, Qt.Key.Key_Return)
    assert "结束日期不能早于开始日期" in "".join(
        label.text() for label in page.findChildren(type(page.count_label)) if label.isVisible()
    )


def test_export_writes_the_file_the_chief_chose(
    qtbot: QtBot,
    services: Services,
    chief: SessionUser,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = tmp_path / "审计日志.csv"
    monkeypatch.setattr(audit_page_module, "ask_save_path", lambda *_a, **_k: target)
    shown: list[str] = []
    monkeypatch.setattr(audit_page_module, "announce_saved", lambda _w, _p: False)
    monkeypatch.setattr(
        audit_page_module, "show_info", lambda _w, text, _title="": shown.append(text)
    )
    page = _page(qtbot, services, chief)
    before = page.model.rowCount()
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert target.exists() and target.read_bytes().startswith(b"\xef\xbb\xbf")
    assert shown and "已导出审计日志" in shown[0]
    # The export is on the log, and the list shows it at the top.
    assert page.model.rowCount() == before + 1
    assert page.model.row_at(0).action.startswith("导出")


def test_the_check_reports_in_chinese(
    qtbot: QtBot, services: Services, chief: SessionUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(
        audit_page_module, "show_info", lambda _w, text, _title="": shown.append(text)
    )
    page = _page(qtbot, services, chief)
    page.check_button.click()
    assert shown and shown[0].startswith("核对通过"), shown
    assert "审计链：完整" in shown[0]
    assert "完整性" in page.model.row_at(0).action  # the check is the newest event
