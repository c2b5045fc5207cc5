"""Enter in a field still presses the dialog's own button after Tab has passed over the others.

QPushButton.setDefault(True) before the button sits in the dialog left the dialog without a
main default, and the first button Tab reached (取消) took its place: Enter in a field then
cancelled the form and lost what was typed (found on the lock screen, then in every small form).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QPushButton, QWidget

from app.core.dto import SessionUser
from app.services import Services
from tests.ui.test_text_counts import form
from ui.change_password_dialog import ChangePasswordDialog
from ui.dialogs.complaint_dialog import ComplaintDialog
from ui.dialogs.holiday_dialog import HolidayDialog


def _after_a_tab_round(qtbot: Any, dialog: QDialog) -> tuple[QWidget, list[str]]:
    """Tab once round the whole dialog, back to the first line edit: the default buttons."""
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    first = next(
        w
        for w in dialog.findChildren(QLineEdit)
        if w.isVisible() and w.isEnabled() and w.objectName() != "qt_spinbox_lineedit"
    )
    first.setFocus()
    passed: list[str] = []
    for _ in range(60):
        focus = QApplication.focusWidget()
        assert focus is not None
        QTest.keyClick(focus, Qt.Key.Key_Tab)
        now = QApplication.focusWidget()
        if isinstance(now, QPushButton):
            passed.append(now.text())
        if now is first:
            break
    assert QApplication.focusWidget() is first, "Tab did not come round to the first field"
    assert any(text.startswith("取消") for text in passed), passed  # Tab went over 取消
    return first, [b.text() for b in dialog.findChildren(QPushButton) if b.isDefault()]


def test_a_small_form_saves_on_enter_after_tab_went_over_its_buttons(qtbot) -> None:  # type: ignore[no-untyped-def]
    submitted: list[dict[str, Any]] = []
    dialog = form(qtbot, submitted)
    dialog.editors["reason"].setPlainText("理由")  # type: ignore[union-attr]
    first, defaults = _after_a_tab_round(qtbot, dialog)
    assert defaults == ["确定（Ctrl+Enter）"]
    QTest.keyClick(first, Qt.Key.Key_Return)
    assert submitted and dialog.result() == QDialog.DialogCode.Accepted


def test_the_other_forms_keep_their_own_button_as_the_default(
    qtbot, services: Services, chief: SessionUser
) -> None:  # type: ignore[no-untyped-def]
    day = dt.date(2026, 2, 4)
    dialogs = {
        "保存": HolidayDialog(services.holidays, chief, day),
        "登记（Ctrl+Enter）": ComplaintDialog(services.complaints, chief, day, []),
    }
    for expected, dialog in dialogs.items():
        _first, defaults = _after_a_tab_round(qtbot, dialog)
        assert defaults == [expected], (type(dialog).__name__, defaults)
    _first, defaults = _after_a_tab_round(qtbot, ChangePasswordDialog(services.auth, chief))
    assert defaults == ["保存"]
