"""短信回访 dialogs (issue 16, item 4): the list exported and the replies imported by keyboard,
from the 回访 page's buttons (Alt+M, Alt+R)."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.core.clock import FixedClock
from app.core.dto import SessionUser
from app.core.identity import IdType
from app.core.roles import Role
from app.services import Services
from app.visits.dto import NewVisit
from db.models import AuditEvent, Rating
from tests.ui.test_text_counts import ime_commit
from ui.dialogs import sms_dialog as sms_dialog_module
from ui.dialogs.sms_dialog import SmsExportDialog, SmsImportDialog
from ui.pages import callbacks_page as callbacks_page_module
from ui.pages.callbacks_page import CallbacksPage

DAY = dt.date(2025, 9, 29)
DETAIL = "九月办结事项的短信回访，导入短信平台发送"


@pytest.fixture
def sampled(services: Services, chief: SessionUser, make_officer: Any) -> SessionUser:
    """One matter finished by 张伟 today and sampled for a call; returns 张伟."""
    window = make_officer(Role.WINDOW, "张伟")
    make_officer(Role.WINDOW, "刘洋")
    item = services.catalogue.list_items("ZM-BGGZ")[0]
    visit = services.visits.register(
        window,
        NewVisit("王小明", IdType.RESIDENT, "11010519491231002X", "13805710011", item.item_id),
    )
    services.visits.complete_on_the_spot(window, visit.row.id, visit.row.row_version, "已出具")
    services.callbacks.sample(chief, DAY, share=100, seed=1)
    return window


def _shown(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.addWidget(widget)
    widget.show()
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow)


def _alt(qtbot: QtBot, widget: QWidget, key: Qt.Key) -> None:
    qtbot.keyClick(widget, key, Qt.KeyboardModifier.AltModifier)


def test_the_list_is_exported_by_keyboard_and_refused_at_its_field_without_a_reason(
    qtbot: QtBot,
    services: Services,
    chief: SessionUser,
    sampled: SessionUser,
    tmp_path: Path,
    db: Any,
) -> None:
    dialog = SmsExportDialog(services.sms, chief, DAY, DAY, supervisor=True)
    _shown(qtbot, dialog)
    assert QApplication.focusWidget() is dialog.from_edit
    assert dialog.source_box.count() == 2  # a supervisor may list all finished matters
    assert dialog.path_edit.text().endswith("短信回访名单-2025-09-29.xlsx")
    dialog.from_edit.setDate(QDate(2025, 9, 28))  # the name follows the dates
    assert dialog.path_edit.text().endswith("短信回访名单-2025-09-28至2025-09-29.xlsx")
    dialog.from_edit.setDate(QDate(2025, 9, 29))
    target = tmp_path / "list.xlsx"
    _alt(qtbot, dialog, Qt.Key.Key_F)
    assert QApplication.focusWidget() is dialog.path_edit
    dialog.path_edit.selectAll()
    qtbot.keyClicks(dialog.path_edit, str(target))
    qtbot.keyClick(dialog.path_edit, Qt.Key.Key_Return)  # no reason given yet
    assert dialog.isVisible() and dialog.exported is None and not target.exists()
    assert QApplication.focusWidget() is dialog.detail_edit  # the refusal is at its field

    ime_commit(dialog.detail_edit, DETAIL)
    qtbot.keyClick(dialog.detail_edit, Qt.Key.Key_Return)  # 导出
    assert dialog.exported is not None and dialog.exported.rows == 1
    assert not dialog.isVisible()
    rows = list(load_workbook(target).worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "手机号码" and rows[1][0] == "13805710011" and rows[1][1] == "王小明"
    with db.sessions() as session:
        (event,) = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "sms_phones_revealed")
        )
        after = json.loads(event.after_json)
    assert (after["purpose"], after["detail"], after["rows"]) == ("回访联系", DETAIL, 1)


def test_an_officer_lists_only_their_callbacks(
    qtbot: QtBot, services: Services, sampled: SessionUser
) -> None:
    dialog = SmsExportDialog(services.sms, sampled, DAY, DAY, supervisor=False)
    qtbot.addWidget(dialog)
    assert [dialog.source_box.itemData(i) for i in range(dialog.source_box.count())] == [
        "callbacks"
    ]


def test_replies_are_imported_by_keyboard_and_the_report_saved(
    qtbot: QtBot,
    services: Services,
    chief: SessionUser,
    sampled: SessionUser,
    tmp_path: Path,
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
    db: Any,
) -> None:
    clock.advance(dt.timedelta(hours=8))
    replies = tmp_path / "replies.csv"
    with replies.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(("号码", "内容", "时间"))
        writer.writerow(("13805710011", "2", "2025-09-29 15:00"))
        writer.writerow(("13305719999", "1", "2025-09-29 15:10"))
    dialog = SmsImportDialog(services.sms, chief)
    _shown(qtbot, dialog)
    assert QApplication.focusWidget() is dialog.path_edit
    qtbot.keyClicks(dialog.path_edit, str(tmp_path / "missing.csv"))
    qtbot.keyClick(dialog.path_edit, Qt.Key.Key_Return)
    assert dialog.report is None and dialog.isVisible()
    assert any("找不到文件" in label.text() for label in dialog.findChildren(type(dialog.summary)))

    dialog.path_edit.selectAll()
    qtbot.keyClicks(dialog.path_edit, str(replies))
    qtbot.keyClick(dialog.path_edit, Qt.Key.Key_Return)  # 导入
    report = dialog.report
    assert report is not None and (report.rated, report.closed) == (1, 1)
    assert "记入评价 1 条" in dialog.summary.text() and "未导入 1 条" in dialog.summary.text()
    assert dialog.table.rowCount() == 1
    assert dialog.table.item(0, 1).text() == "133****9999"
    assert dialog.table.item(0, 4).text() == "未找到对应事项"
    assert not dialog.import_button.isVisible() and dialog.close_button.text() == "关闭"
    with db.sessions() as session:
        assert [r.kind for r in session.scalars(select(Rating))] == ["sms"]

    saved = tmp_path / "report.csv"
    monkeypatch.setattr(sms_dialog_module, "ask_save_path", lambda *_a: saved)
    _alt(qtbot, dialog, Qt.Key.Key_S)  # 保存报告… (a button's mnemonic clicks it 100 ms later)
    qtbot.waitUntil(saved.exists)
    assert "133****9999" in saved.read_text("utf-8-sig")
    assert "报告已保存到" in dialog.summary.text()
    qtbot.keyClick(QApplication.focusWidget() or dialog, Qt.Key.Key_Return)  # 关闭
    assert not dialog.isVisible() and dialog.result() == SmsImportDialog.DialogCode.Accepted


def test_the_page_opens_both_dialogs_by_alt_letters_when_the_service_is_given(
    qtbot: QtBot,
    services: Services,
    chief: SessionUser,
    sampled: SessionUser,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(
        callbacks_page_module.SmsExportDialog, "exec", lambda self: opened.append("export") or 0
    )
    monkeypatch.setattr(
        callbacks_page_module.SmsImportDialog, "exec", lambda self: opened.append("import") or 0
    )
    without = CallbacksPage(services.callbacks, chief, DAY, services.ratings.dimensions(), 10)
    qtbot.addWidget(without)
    assert without.buttons["sms_export"].isHidden()  # no service given: no SMS buttons
    page = CallbacksPage(
        services.callbacks, chief, DAY, services.ratings.dimensions(), 10, sms=services.sms
    )
    page.resize(1200, 700)
    _shown(qtbot, page)
    assert not page.buttons["sms_export"].isHidden()
    assert not page.buttons["sms_import"].isHidden()
    page.table.setFocus()
    _alt(qtbot, page.table, Qt.Key.Key_M)
    qtbot.waitUntil(lambda: opened == ["export"])
    _alt(qtbot, page.table, Qt.Key.Key_R)
    qtbot.waitUntil(lambda: len(opened) == 2)
    assert opened == ["export", "import"]
