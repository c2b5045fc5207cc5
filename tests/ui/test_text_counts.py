"""Multi-line and short free-text fields of the small forms: a count while typing (12/500) and
an edit or paste past the service's limit refused aloud, never cut (issue 21)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication, QInputMethodEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QPlainTextEdit, QWidget

from app.complaints.service import NewComplaint
from app.core import text_limits
from app.core.dto import SessionUser
from app.core.errors import ValidationError
from app.core.roles import Role
from app.core.validation import clean_text
from app.officers.dto import NewOfficer
from app.services import Services
from tests.conftest import TEST_PASSWORD
from ui.dialogs.text_form_dialog import Field, TextFormDialog


def ime_commit(widget: QWidget, text: str) -> None:
    """What an input method (拼音输入法) sends when the officer picks the characters."""
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def form(qtbot: Any, submitted: list[dict[str, Any]]) -> TextFormDialog:
    def submit(values: dict[str, Any]) -> None:
        clean_text(values["reason"], field="reason", label="理由", max_len=10)
        submitted.append(values)

    dialog = TextFormDialog(
        "测试",
        "",
        [
            Field("item", "材料", limit=6),
            Field("reason", "理由", multiline=True, limit=10),
        ],
        submit,
    )
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()  # the officer types into the form in front
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    return dialog


def test_a_multi_line_field_counts_and_refuses_a_paste_past_its_limit(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = form(qtbot, [])
    edit = dialog.editors["reason"]
    assert isinstance(edit, QPlainTextEdit)
    edit.setFocus()
    ime_commit(edit, "材料不齐全𠮷")  # 𠮷 counts as one character, as the service counts
    assert dialog.counts["reason"].text == "6/10"

    QGuiApplication.clipboard().setText("请补交户口簿原件")
    edit.paste()

    assert edit.toPlainText() == "材料不齐全𠮷"  # nothing cut in, nothing lost
    assert dialog.counts["reason"].text == "6/10"
    message = dialog.errors.message_of("reason")
    assert "最多 10 个字" in message and "14 个字" in message and "没有变" in message

    ime_commit(edit, "请补")  # an edit that fits is taken and the message goes
    assert edit.toPlainText() == "材料不齐全𠮷请补"
    assert dialog.counts["reason"].text == "8/10"
    assert dialog.errors.message_of("reason") == ""


@pytest.mark.qt_log_ignore("does not support raise", "does not support grabbing the keyboard")
def test_a_paste_from_the_right_click_menu_is_refused_as_well(qtbot) -> None:  # type: ignore[no-untyped-def]
    # The menu takes the keyboard while it is open: the field must still count as being
    # edited when 粘贴 runs, or the paste would go in whole as if the program had set it.
    dialog = form(qtbot, [])
    edit = dialog.editors["reason"]
    assert isinstance(edit, QPlainTextEdit)
    edit.setFocus()
    ime_commit(edit, "材料不齐全")
    QGuiApplication.clipboard().setText("请补交户口簿原件")
    menu = edit.createStandardContextMenu()
    paste = next(a for a in menu.actions() if "Ctrl+V" in a.text() or "粘贴" in a.text())
    chosen: list[bool] = []

    def choose() -> None:
        assert QApplication.activePopupWidget() is menu
        menu.setActiveAction(paste)
        QTest.keyClick(menu, Qt.Key.Key_Return)
        chosen.append(True)

    QTimer.singleShot(50, menu, choose)
    menu.exec(edit.mapToGlobal(edit.rect().center()))

    assert chosen
    assert edit.toPlainText() == "材料不齐全"
    assert "最多 10 个字" in dialog.errors.message_of("reason")


def test_text_the_program_sets_is_shown_whole_with_its_count_in_red(qtbot) -> None:  # type: ignore[no-untyped-def]
    # A record saved before a limit was lowered: shown as stored, never emptied or cut.
    dialog = form(qtbot, [])
    edit = dialog.editors["reason"]
    assert isinstance(edit, QPlainTextEdit)
    dialog.editors["item"].setFocus()
    edit.setPlainText("一二三四五六七八九十十一")

    assert edit.toPlainText() == "一二三四五六七八九十十一"
    assert dialog.counts["reason"].text == "12/10"
    assert dialog.counts["reason"].label.objectName() == "fieldError"
    assert dialog.errors.message_of("reason") == ""


def test_a_short_field_of_the_same_form_counts_too(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = form(qtbot, [])
    edit = dialog.editors["item"]
    edit.setFocus()
    ime_commit(edit, "户口簿")
    assert dialog.counts["item"].text == "3/6"
    ime_commit(edit, "原件和复印件")
    assert edit.text() == "户口簿"  # type: ignore[union-attr]
    assert "最多 6 个字" in dialog.errors.message_of("item")


def test_the_forms_limits_are_the_ones_the_services_refuse_by(
    services: Services, chief: SessionUser
) -> None:
    # The complaint form counts its content against CASE_TEXT, the officer form its name
    # against OFFICER_NAME: the services take exactly that many characters, and refuse one more.
    content = "态" * text_limits.CASE_TEXT
    new = NewComplaint(
        kind="complaint", channel="12345", received_on=dt.date(2025, 9, 29), content=content
    )
    assert services.complaints.record(chief, new).number
    with pytest.raises(ValidationError, match=f"{text_limits.CASE_TEXT}"):
        services.complaints.record(chief, replace(new, content=content + "态"))

    name = "张" * text_limits.OFFICER_NAME
    services.officers.add_officer(chief, NewOfficer("300001", name, Role.WINDOW, TEST_PASSWORD))
    with pytest.raises(ValidationError, match=f"{text_limits.OFFICER_NAME}"):
        services.officers.add_officer(
            chief, NewOfficer("300002", name + "张", Role.WINDOW, TEST_PASSWORD)
        )


def test_the_reveal_forms_detail_counts_against_what_the_audit_takes(qtbot) -> None:  # type: ignore[no-untyped-def]
    from app.core.reveal_purposes import DETAIL_MAX, VISIT_PHONE_PURPOSES, check_reveal
    from ui.dialogs.reveal_dialog import reveal_dialog

    dialog = reveal_dialog("查看电话", "", VISIT_PHONE_PURPOSES, lambda _p, detail: detail)
    qtbot.addWidget(dialog)
    assert dialog.counts["detail"].text == f"0/{DETAIL_MAX}"
    with pytest.raises(ValidationError, match=str(DETAIL_MAX)):
        check_reveal(VISIT_PHONE_PURPOSES[0], "因" * (DETAIL_MAX + 1), VISIT_PHONE_PURPOSES)


def test_a_notice_note_cell_counts_and_refuses_a_paste_past_its_limit(
    qtbot, services: Services, make_officer
) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QLineEdit

    from tests.ui.test_screen_fit import _notice_dialog

    dialog = _notice_dialog(qtbot, services, make_officer)
    table = dialog.table
    QTest.keyClick(table, Qt.Key.Key_3)  # 需更正: the note opens for typing, its count in it
    editor = dialog.focusWidget()
    assert isinstance(editor, QLineEdit)
    limit = text_limits.ITEM_NOTE
    count = next(c for c in editor.findChildren(QLabel) if "/" in c.text())
    assert count.text() == f"0/{limit}" and count.isVisible()
    ime_commit(editor, "第 3 栏")
    assert count.text() == f"5/{limit}"
    QGuiApplication.clipboard().setText("写" * limit)
    editor.paste()  # too long: refused under the table, nothing cut in
    assert editor.text() == "第 3 栏"
    assert f"说明最多 {limit} 个字" in dialog.errors.message_of("items")

    QTest.keyClick(editor, Qt.Key.Key_Return)  # kept: the message goes, the note is stored
    qtbot.wait(20)
    assert dialog.items()[0].note == "第 3 栏"
    assert dialog.errors.message_of("items") == ""


def test_a_catalogue_material_name_cell_refuses_a_name_past_its_limit(
    qtbot, services: Services, chief: SessionUser
) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QLineEdit

    from ui.dialogs.service_item_dialog import ServiceItemDialog

    item = services.catalogue.list_items("SFZ-SL")[0]
    dialog = ServiceItemDialog(services.catalogue, chief, services.catalogue.get_item(item.item_id))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    table = dialog.materials
    table.add_material()
    row = table.rowCount() - 1
    table.setCurrentCell(row, 0)
    cell = table.item(row, 0)
    assert cell is not None
    table.editItem(cell)
    editor = table.indexWidget(table.model().index(row, 0))
    assert isinstance(editor, QLineEdit)
    editor.setFocus()
    QGuiApplication.clipboard().setText("证" * (text_limits.UNIT + 1))
    editor.paste()
    assert editor.text() == ""
    assert f"材料名称最多 {text_limits.UNIT} 个字" in dialog.errors.message_of("materials")


def test_the_catalogue_category_counts_against_the_services_limit(
    qtbot, services: Services, chief: SessionUser
) -> None:  # type: ignore[no-untyped-def]
    from ui.dialogs.service_item_dialog import ServiceItemDialog

    item = services.catalogue.list_items("SFZ-SL")[0]
    detail = services.catalogue.get_item(item.item_id)
    dialog = ServiceItemDialog(services.catalogue, chief, detail)
    qtbot.addWidget(dialog)
    limit = text_limits.CATEGORY
    assert dialog.category_count.text == f"{len(detail.draft.category)}/{limit}"
    category = dialog.category_combo.lineEdit()
    assert category is not None
    category.setText("")
    QGuiApplication.clipboard().setText("类" * (limit + 1))
    category.paste()
    assert category.text() == ""
    assert f"类别最多 {limit} 个字" in dialog.errors.message_of("category")


def test_a_cell_being_edited_is_kept_when_the_officer_clicks_elsewhere(
    qtbot, services: Services, make_officer
) -> None:  # type: ignore[no-untyped-def]
    # Not only Enter or Tab: clicking 出具 or another field while typing a note keeps it.
    from PySide6.QtWidgets import QLineEdit

    from tests.ui.test_screen_fit import _notice_dialog

    dialog = _notice_dialog(qtbot, services, make_officer)
    QTest.keyClick(dialog.table, Qt.Key.Key_3)  # 需更正: the note opens for typing
    editor = dialog.focusWidget()
    assert isinstance(editor, QLineEdit)
    ime_commit(editor, "第 3 栏填写有误")
    QTest.mouseClick(dialog.deadline_check, Qt.MouseButton.LeftButton)  # elsewhere
    qtbot.waitUntil(lambda: dialog.table.state() != dialog.table.State.EditingState)
    assert dialog.items()[0].note == "第 3 栏填写有误"
