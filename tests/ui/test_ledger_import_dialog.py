"""历史台账导入 dialog (issue 16, item 5): file, columns, preview, 检查 with the rejected rows and
a saved report, then 导入 once the check passed — all by keyboard, all in Chinese."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QGroupBox, QLabel, QPushButton, QTableWidget, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from app.core.database import Database
from app.core.dto import SessionUser
from app.core.roles import Role
from app.services import Services
from db.models import DayReview, Visit
from tests.app.ledger.test_ledger_import import row, workbook
from tests.ui.test_help import ALLOWED_LATIN, _is_a_chinese_manual
from tests.ui.test_notice_ui import sign
from ui.dialogs import ledger_import_dialog as dialog_module
from ui.dialogs.ledger_import_dialog import LedgerImportDialog

LATIN = re.compile(r"[A-Za-z]{3,}")


def _visible_texts(root: QWidget) -> list[str]:
    texts = [root.windowTitle()]
    texts += [w.text() for w in root.findChildren(QLabel)]
    texts += [w.text() for w in root.findChildren(QPushButton)]
    texts += [w.title() for w in root.findChildren(QGroupBox)]
    for table in root.findChildren(QTableWidget):
        for c in range(table.columnCount()):
            item = table.horizontalHeaderItem(c)
            texts.append(item.text() if item is not None else "")
    return texts


def _count(db: Database, model: type) -> int:
    with db.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _open(qtbot: QtBot, services: Services, user: SessionUser) -> LedgerImportDialog:
    dialog = LedgerImportDialog(services.ledger_import, user)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def test_a_ledger_is_checked_reported_fixed_and_imported_by_keyboard(
    qtbot: QtBot,
    services: Services,
    chief: SessionUser,
    make_officer,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    db: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_officer(Role.WINDOW, "张伟")
    bad = workbook(tmp_path / "台账.xlsx", [row(), row(matter="办理护照", name="李四光")])
    good = workbook(tmp_path / "台账-改.xlsx", [row(), row(name="李四光")])
    chosen = [bad]
    monkeypatch.setattr(
        dialog_module.QFileDialog,
        "getOpenFileName",
        staticmethod(lambda *_a, **_k: (str(chosen[0]), "")),
    )
    report = tmp_path / "检查报告.xlsx"
    monkeypatch.setattr(dialog_module, "ask_save_path", lambda *_a, **_k: report)
    dialog = _open(qtbot, services, chief)
    assert dialog.property("help_key") == "ledger_import"
    _is_a_chinese_manual("ledger_import")
    assert dialog.focusWidget() is dialog.choose_button
    assert not dialog.check_button.isEnabled() and not dialog.import_button.isEnabled()

    qtbot.keyClick(dialog.choose_button, Qt.Key.Key_Return)  # 选择文件…
    assert dialog.source is not None and dialog.path_edit.text() == str(bad)
    assert dialog.sheet_combo.currentText() == "2025年台账" and dialog.sheet_combo.count() == 2
    assert dialog.combos["date"].currentText() == "登记日期"
    assert dialog.combos["officer"].currentText() == "经办民警"
    assert dialog.combos["channel"].currentText() == "（不导入）"
    assert dialog.preview.rowCount() == 2
    assert dialog.preview.item(0, 4).text() == "110105********002X"  # masked as in every list
    assert dialog.focusWidget() is dialog.combos["date"]

    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Return)  # Enter = 检查
    check = dialog.check
    assert check is not None and (check.accepted, check.rejected_rows) == (1, 1)
    assert not dialog.import_button.isEnabled() and dialog.problems.isVisible()
    assert dialog.problems.rowCount() == 1
    assert dialog.problems.item(0, 0).text() == "4"
    assert dialog.problems.item(0, 1).text() == "办理事项"
    assert "办理护照" in dialog.problems.item(0, 2).text()
    assert "未通过 1 行" in dialog.summary.text()

    qtbot.keyClick(dialog.problems, Qt.Key.Key_Return)  # Enter = 保存报告…
    sheet = load_workbook(report).active
    assert sheet is not None
    assert any(r[:2] == (4, "办理事项") for r in sheet.iter_rows(values_only=True))

    # A column changed: the check no longer holds, 导入 waits for a new one.
    chosen[0] = good
    dialog.choose_button.setFocus()
    qtbot.keyClick(dialog.choose_button, Qt.Key.Key_Return)
    assert dialog.path_edit.text() == str(good)
    qtbot.keyClick(dialog.combos["date"], Qt.Key.Key_Return)
    assert dialog.check is not None and dialog.check.ok
    assert dialog.import_button.isEnabled() and dialog.import_button.isDefault()
    summary = dialog.combos["summary"]
    summary.setCurrentIndex(0)  # （不导入）
    assert dialog.check is None and not dialog.import_button.isEnabled()
    qtbot.keyClick(summary, Qt.Key.Key_Down)  # back to a column, by keyboard
    qtbot.keyClick(summary, Qt.Key.Key_Return)
    assert dialog.check is not None and dialog.check.ok

    # Unsigned: nothing imported; signed, Enter imports.
    assert dialog.focusWidget() is dialog.pad
    qtbot.keyClick(dialog.pad, Qt.Key.Key_Return)
    assert dialog.error.isVisible() and "签名" in dialog.error.text()
    assert _count(db, Visit) == 0
    sign(qtbot, dialog.pad)
    qtbot.keyClick(dialog.pad, Qt.Key.Key_Return)
    assert dialog.imported is not None and dialog.imported.visits == 2
    assert "已导入 2 条登记" in dialog.summary.text()
    assert _count(db, Visit) == 2 and _count(db, DayReview) == 1
    assert not dialog.import_button.isEnabled() and not dialog.check_button.isEnabled()

    # The same file again: refused, naming the earlier import.
    dialog.choose_button.setFocus()
    qtbot.keyClick(dialog.choose_button, Qt.Key.Key_Return)
    assert dialog.check_button.isEnabled() and dialog.imported is None
    qtbot.keyClick(dialog.combos["date"], Qt.Key.Key_Return)
    assert dialog.error.isVisible() and "HPL-DR-2025-00001" in dialog.error.text()

    # Words in Latin letters a user would see, but the station's code in numbers (HPL-…).
    english = {w for t in _visible_texts(dialog) for w in LATIN.findall(t)} - ALLOWED_LATIN
    english.discard("HPL")
    assert not english, english


def test_a_window_officer_is_told_who_imports(
    qtbot: QtBot,
    services: Services,
    make_officer,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    officer = make_officer(Role.WINDOW, "张伟")
    dialog = _open(qtbot, services, officer)
    dialog.load(workbook(tmp_path / "台账.xlsx", [row()]))
    assert dialog.source is None
    assert dialog.error.isVisible() and "所长或副所长" in dialog.error.text()
    assert all(isinstance(c, QComboBox) and c.count() == 0 for c in dialog.combos.values())


@pytest.mark.parametrize("points", [10, 12, 14])
def test_the_dialog_fits_a_1366_screen_with_the_rejected_rows_shown(
    qtbot: QtBot,
    services: Services,
    chief: SessionUser,
    make_officer,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    app_look: None,
    points: int,
) -> None:
    from PySide6.QtCore import QRect
    from PySide6.QtWidgets import QApplication

    from ui.fonts import apply_font_size
    from ui.widgets import screen_fit

    monkeypatch.setattr(screen_fit, "available_area", lambda _widget: QRect(0, 0, 1366, 728))
    apply_font_size(QApplication.instance(), points)
    make_officer(Role.WINDOW, "张伟")
    rows = [row(matter="办理护照", name=f"李四{k}") for k in range(8)]
    path = workbook(tmp_path / "台账.xlsx", rows)
    dialog = _open(qtbot, services, chief)
    dialog.load(path)
    dialog.run_check()
    assert dialog.problems.isVisible()
    dialog.resize(dialog.width(), 728)
    QApplication.processEvents()
    assert dialog.minimumSizeHint().height() <= 728 and dialog.height() <= 728
    for button in (dialog.check_button, dialog.report_button, dialog.close_button):
        bottom = button.mapTo(dialog, button.rect().bottomLeft()).y()
        assert 0 < bottom <= dialog.height()
    pad_bottom = dialog.pad.mapTo(dialog, dialog.pad.rect().bottomLeft()).y()
    assert pad_bottom <= dialog.height()
