"""The chief's and the callers' pages by keyboard (issue 20, found walking a whole day on a
real X server): pages by Ctrl+number with the focus on their list, Enter on a focused button
and on a row, multi-line boxes Tab leaves and Ctrl+Enter confirms, the focus on the next
step after an action, and a print preview that pages by keyboard."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QTableView

from app.complaints.service import ComplaintService
from app.core.database import Database
from app.core.dto import SessionUser
from app.core.roles import Role
from app.services import Services
from tests.ui.test_complaints_page import TODAY, ime_commit
from tests.ui.test_notice_ui import sign
from ui.dialogs.complaint_dialog import ComplaintDialog
from ui.dialogs.review_dialog import ReviewDialog
from ui.dialogs.text_form_dialog import TextFormDialog
from ui.main_window import MainWindow
from ui.pages.complaints_page import ComplaintsPage
from ui.print_preview_dialog import PrintPreviewDialog


@pytest.fixture
def qsettings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)


def _press(qtbot, widget, key: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier) -> None:  # type: ignore[no-untyped-def]
    QTest.keyClick(widget, key, modifier)
    QApplication.processEvents()


def test_ctrl_and_a_number_opens_a_page_with_the_focus_on_its_list(
    qtbot, services: Services, chief: SessionUser, qsettings: QSettings
) -> None:  # type: ignore[no-untyped-def]
    window = MainWindow(services, chief, "db", qsettings, today=dt.date(2026, 11, 20))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    titles = window.page_titles()
    assert [a.text() for a in window.page_actions.values()] == titles
    ledger = titles.index("每日台账")
    assert window.page_actions["ledger"].shortcut().toString() == f"Ctrl+{ledger + 1}"

    _press(qtbot, window, Qt.Key(Qt.Key.Key_1 + ledger), Qt.KeyboardModifier.ControlModifier)

    assert window.nav.currentRow() == ledger
    focused = QApplication.focusWidget()
    assert isinstance(focused, QTableView) and window.pages["ledger"].isAncestorOf(focused)


def test_the_review_dialog_starts_in_the_comment_which_tab_leaves_and_ctrl_enter_confirms(
    qtbot, services: Services, chief: SessionUser, make_officer, clock
) -> None:  # type: ignore[no-untyped-def]
    from app.core.identity import IdType
    from app.visits.dto import NewVisit
    from tests.ui.test_backup_ui import DAY

    officer = make_officer(Role.WINDOW, "张伟")
    item = services.catalogue.list_items("ZM-BGGZ")[0].item_id
    services.visits.register(
        officer, NewVisit("王小名", IdType.RESIDENT, "11010519491231002X", "13805710011", item)
    )
    clock.advance(dt.timedelta(hours=8))
    dialog = ReviewDialog(services.ledger, chief, services.ledger.ledger(chief, DAY))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    assert "Ctrl+Enter" in dialog.confirm_button.text()

    assert QApplication.focusWidget() is dialog.comment  # typing goes into the comment
    ime_commit(dialog.comment, "已核对")
    _press(qtbot, dialog.comment, Qt.Key.Key_Tab)
    assert dialog.comment.toPlainText() == "已核对"  # no tab typed: the focus moved on
    assert QApplication.focusWidget() is not dialog.comment

    sign(qtbot, dialog.pad)
    _press(qtbot, dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.saved is not None and dialog.saved.review is not None and dialog.saved.locked


def test_a_complaint_is_registered_with_ctrl_enter_and_worked_step_by_step_with_enter(
    qtbot, monkeypatch, db: Database, clock, chief: SessionUser, make_officer
) -> None:  # type: ignore[no-untyped-def]
    complaints = ComplaintService(db.sessions, clock)
    zhang = make_officer(Role.WINDOW, "张伟")

    def fill(dialog: ComplaintDialog) -> int:
        dialog.show()
        qtbot.waitExposed(dialog)
        dialog.activateWindow()
        qtbot.waitUntil(dialog.isActiveWindow)
        dialog.officer_combo.setCurrentIndex(dialog.officer_combo.findData(zhang.officer_id))
        dialog.content_edit.setFocus()
        ime_commit(dialog.content_edit, "态度生硬")
        _press(qtbot, dialog.content_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        return int(dialog.result())

    monkeypatch.setattr(ComplaintDialog, "exec", fill)
    page = ComplaintsPage(complaints, chief, TODAY)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    page.buttons["record"].click()
    assert page.model.rowCount() == 1 and page.current is not None

    verified: list[str] = []

    def verify(dialog: TextFormDialog) -> int:
        dialog.editors["finding"].setCurrentIndex(dialog.editors["finding"].findData("属实"))  # type: ignore[union-attr]
        ime_commit(dialog.editors["verify_note"], "调取录像")
        dialog.submit()
        verified.append(dialog.windowTitle())
        return int(dialog.result())

    monkeypatch.setattr(TextFormDialog, "exec", verify)
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    page.table.setFocus()
    page.table.selectRow(0)
    _press(qtbot, page.table, Qt.Key.Key_Return)  # Enter on the row: the step it is at

    assert len(verified) == 1 and page.current is not None and page.current.state == "verified"
    # The focus is on the step now open, so the next Enter goes on with it.
    assert QApplication.focusWidget() is page.buttons["handle"]


def test_enter_on_a_focused_page_button_presses_it(
    qtbot, monkeypatch, services: Services, chief: SessionUser, qsettings: QSettings
) -> None:  # type: ignore[no-untyped-def]
    window = MainWindow(services, chief, "db", qsettings, today=dt.date(2026, 11, 20))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.show_page("complaints")
    page = window.pages["complaints"]
    opened: list[str] = []
    monkeypatch.setattr(ComplaintDialog, "exec", lambda dialog: opened.append("登记") or 0)
    button = page.buttons["record"]
    button.setFocus()
    _press(qtbot, button, Qt.Key.Key_Return)
    assert opened == ["登记"]


def test_the_print_preview_pages_by_keyboard_with_the_focus_left_on_print(qtbot) -> None:  # type: ignore[no-untyped-def]
    from tests.ui.test_files_and_printing import pdf

    dialog = PrintPreviewDialog(pdf(3), "每日台账", "每日台账.pdf", lambda: None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    dialog.set_scale(1.5)
    bar = dialog.pages_area.verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() == 0
    focus = QApplication.focusWidget()

    _press(qtbot, dialog, Qt.Key.Key_PageDown)
    assert bar.value() > 0
    _press(qtbot, dialog, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    assert bar.value() == bar.maximum()
    _press(qtbot, dialog, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    assert bar.value() == 0
    assert QApplication.focusWidget() is focus
