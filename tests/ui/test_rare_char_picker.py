"""插入生僻字 by keyboard alone: F4 in a name field, a pinyin or a code, the arrows, Enter."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QInputMethodEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

from app.core.dto import SessionUser
from app.core.rare_chars import candidate
from app.core.roles import Role
from app.services import Services
from ui.dialogs.complaint_dialog import ComplaintDialog
from ui.dialogs.officer_dialog import OfficerDialog
from ui.dialogs.registration_dialog import RegistrationDialog
from ui.pages.search_page import SearchPage
from ui.widgets.rare_char_picker import (
    GLYPH_PIXELS,
    SHORTCUT,
    RareCharPicker,
    font_note,
    install_rare_char_picker,
)
from ui.widgets.screen_fit import room

JI = "\U00020bb7"  # 𠮷
VALID_ID = "11010519491231002x"


def ime_commit(widget: QWidget, text: str) -> None:
    """What an input method (拼音输入法) sends when the officer picks the characters."""
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def picker_of(qtbot, edit: QLineEdit) -> RareCharPicker:  # type: ignore[no-untyped-def]
    """The field's picker, once it has the keyboard (its query line)."""
    found = edit.window().findChild(RareCharPicker)
    assert isinstance(found, RareCharPicker) and found.isVisible()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is found.query_edit)
    return found


def picker_action_of(edit: QLineEdit):  # type: ignore[no-untyped-def]
    return next(a for a in edit.actions() if a.shortcut() == QKeySequence(SHORTCUT))


@pytest.fixture
def registration(qtbot, services: Services, make_officer) -> RegistrationDialog:  # type: ignore[no-untyped-def]
    officer: SessionUser = make_officer(Role.WINDOW, "张伟")
    dialog = RegistrationDialog(services.visits, services.catalogue, officer)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_f4_in_the_registration_name_field_inserts_ji_by_its_code_at_the_cursor(
    qtbot, registration: RegistrationDialog
) -> None:  # type: ignore[no-untyped-def]
    dialog = registration
    focus = dialog.focusWidget
    qtbot.keyClicks(focus(), VALID_ID)
    qtbot.keyClick(focus(), Qt.Key.Key_Tab)
    assert focus() is dialog.name_edit
    ime_commit(focus(), "王祥")
    qtbot.keyClick(focus(), Qt.Key.Key_Left)  # the cursor between 王 and 祥

    qtbot.keyClick(focus(), Qt.Key.Key_F4)
    picker = picker_of(qtbot, dialog.name_edit)
    assert picker.isVisible()
    assert QApplication.focusWidget() is picker.query_edit
    qtbot.keyClicks(picker.query_edit, "20BB7")
    assert [c.char for c in picker.candidates] == [JI]
    assert "U+20BB7" in picker.detail_label.text() and "扩展B区" in picker.detail_label.text()
    qtbot.keyClick(picker.query_edit, Qt.Key.Key_Return)

    assert not picker.isVisible()
    assert dialog.name_edit.text() == f"王{JI}祥"
    assert dialog.name_edit.cursorPosition() == 3  # after 𠮷 (two UTF-16 units)
    assert focus() is dialog.name_edit
    assert dialog.saved is None  # Enter in the picker inserts, it does not save the form

    # The rest of the form by keyboard, and the name is stored as typed.
    qtbot.keyClick(focus(), Qt.Key.Key_Tab)
    qtbot.keyClicks(focus(), "13805710011")
    qtbot.keyClick(focus(), Qt.Key.Key_Tab)
    qtbot.keyClicks(focus(), "sfzhl")
    qtbot.keyClick(focus(), Qt.Key.Key_Return)
    qtbot.keyClick(focus(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.saved is not None, timeout=5000)
    assert dialog.saved is not None and dialog.saved.row.citizen_name == f"王{JI}祥"


def test_pinyin_then_tab_and_the_arrows_pick_a_candidate_of_the_grid(
    qtbot, registration: RegistrationDialog
) -> None:  # type: ignore[no-untyped-def]
    edit = registration.name_edit
    edit.setFocus()
    ime_commit(edit, "祥")
    qtbot.keyClick(edit, Qt.Key.Key_Home)
    qtbot.keyClick(edit, Qt.Key.Key_F4)
    picker = picker_of(qtbot, edit)
    qtbot.keyClicks(picker.query_edit, "ji2")
    chars = [c.char for c in picker.candidates]
    assert JI in chars and chars.index(JI) < chars.index("吉")  # the extensions first

    qtbot.keyClick(picker.query_edit, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is picker.grid
    for _ in range(chars.index(JI)):
        qtbot.keyClick(picker.grid, Qt.Key.Key_Right)
    current = picker.current()
    assert current is not None and current.char == JI
    assert "读音：jí" in picker.detail_label.text()
    qtbot.keyClick(picker.grid, Qt.Key.Key_Return)

    assert edit.text() == f"{JI}祥" and edit.cursorPosition() == 2


def test_down_enters_the_grid_typing_there_goes_on_in_the_query_and_esc_inserts_nothing(
    qtbot, registration: RegistrationDialog
) -> None:  # type: ignore[no-untyped-def]
    edit = registration.name_edit
    edit.setFocus()
    ime_commit(edit, "王")
    qtbot.keyClick(edit, Qt.Key.Key_F4)
    picker = picker_of(qtbot, edit)
    qtbot.keyClicks(picker.query_edit, "j")
    assert picker.candidates == [] and "请接着输入，如 ji、ju" in picker.status_label.text()
    qtbot.keyClicks(picker.query_edit, "i")
    qtbot.keyClick(picker.query_edit, Qt.Key.Key_Down)
    assert QApplication.focusWidget() is picker.grid
    qtbot.keyClicks(picker.grid, "2")
    assert picker.query_edit.text() == "ji2"
    assert QApplication.focusWidget() is picker.query_edit
    qtbot.keyClick(picker.query_edit, Qt.Key.Key_Escape)

    assert not picker.isVisible()
    assert edit.text() == "王"
    qtbot.waitUntil(lambda: QApplication.focusWidget() is edit)

    # Opened again, it keeps the last query, selected, ready to be typed over.
    qtbot.keyClick(edit, Qt.Key.Key_F4)
    assert picker_of(qtbot, edit) is picker and picker.isVisible()
    assert picker.query_edit.text() == "ji2" and picker.query_edit.hasSelectedText()
    qtbot.keyClicks(picker.query_edit, "U+20BB7")
    assert picker.query_edit.text() == "U+20BB7"
    qtbot.keyClick(picker.query_edit, Qt.Key.Key_Enter)
    assert edit.text() == f"王{JI}"


def test_a_full_field_is_not_cut_in_half_of_ji(qtbot, registration: RegistrationDialog) -> None:  # type: ignore[no-untyped-def]
    edit = registration.name_edit
    limit = edit.property("charLimit")  # counted in characters, as the service counts
    assert isinstance(limit, int) and limit > 0
    edit.setFocus()
    ime_commit(edit, "王" * limit)
    full = edit.text()
    qtbot.keyClick(edit, Qt.Key.Key_F4)
    picker = picker_of(qtbot, edit)
    qtbot.keyClicks(picker.query_edit, "20BB7")
    qtbot.keyClick(picker.query_edit, Qt.Key.Key_Return)

    assert edit.text() == full
    assert picker.isVisible() and "已经写满" in picker.status_label.text()


def test_the_last_place_of_a_field_takes_ji_whole(qtbot, registration: RegistrationDialog) -> None:  # type: ignore[no-untyped-def]
    edit = registration.name_edit
    edit.setFocus()
    ime_commit(edit, "王" * (edit.property("charLimit") - 1))  # one character, two UTF-16 units
    qtbot.keyClick(edit, Qt.Key.Key_F4)
    picker = picker_of(qtbot, edit)
    qtbot.keyClicks(picker.query_edit, "20BB7")
    qtbot.keyClick(picker.query_edit, Qt.Key.Key_Return)

    assert edit.text().endswith("王\U00020bb7") and not picker.isVisible()


def test_nothing_found_says_why_and_enter_inserts_nothing(
    qtbot, registration: RegistrationDialog
) -> None:  # type: ignore[no-untyped-def]
    edit = registration.name_edit
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_F4)
    picker = picker_of(qtbot, edit)
    qtbot.keyClicks(picker.query_edit, "0041")
    assert picker.candidates == [] and "不是汉字" in picker.status_label.text()
    assert not picker.insert_button.isEnabled()
    qtbot.keyClick(picker.query_edit, Qt.Key.Key_Return)
    assert edit.text() == "" and picker.isVisible()


def test_every_name_field_has_the_button_and_the_shortcut(
    qtbot, services: Services, chief: SessionUser, make_officer
) -> None:  # type: ignore[no-untyped-def]
    officer = make_officer(Role.WINDOW, "张伟")
    registration = RegistrationDialog(services.visits, services.catalogue, officer)
    complaint = ComplaintDialog(services.complaints, chief, dt.date(2025, 9, 29), [])
    officer_form = OfficerDialog(services.officers, chief)
    search = SearchPage(services.visits, services.catalogue, officer, dt.date(2025, 9, 29))
    for widget in (registration, complaint, officer_form, search):
        qtbot.addWidget(widget)
    for edit in (registration.name_edit, complaint.name_edit, officer_form.name_edit):
        action = picker_action_of(edit)
        assert not action.icon().isNull() and "生僻字" in action.toolTip()
        assert action.shortcutContext() == Qt.ShortcutContext.WidgetShortcut
    search_action = picker_action_of(search.name_edit)

    # The button opens the picker as F4 does.
    search.show()
    qtbot.waitExposed(search)
    search_action.trigger()
    picker = picker_of(qtbot, search.name_edit)
    assert picker.isVisible()
    qtbot.keyClicks(picker.query_edit, "20bb7")
    qtbot.keyClick(picker.query_edit, Qt.Key.Key_Return)
    assert search.name_edit.text() == JI


def test_the_picker_fits_the_counter_screen_with_large_glyphs_and_names_their_font(
    qtbot, registration: RegistrationDialog, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    edit = registration.name_edit
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_F4)
    picker = picker_of(qtbot, edit)
    qtbot.keyClicks(picker.query_edit, "ji2")

    assert GLYPH_PIXELS >= 40 and picker.grid.gridSize().height() >= GLYPH_PIXELS + 20
    free = room(picker)
    assert picker.width() <= min(free.width(), 1366) and picker.height() <= min(free.height(), 728)
    assert picker.size().expandedTo(QSize(700, 500)) == picker.size()
    assert picker.grab().save(str(tmp_path / "picker.png"))
    # The font that draws each candidate is named; a character none holds, by its code only.
    assert "HanaMinB" in font_note(candidate(JI))  # type: ignore[arg-type]
    assert "Noto Sans SC" in font_note(candidate("吉"))  # type: ignore[arg-type]
    assert "没有它" in font_note(candidate("\U00030000"))  # type: ignore[arg-type]


def test_install_works_on_any_line_edit(qtbot) -> None:  # type: ignore[no-untyped-def]
    edit = QLineEdit()
    qtbot.addWidget(edit)
    install_rare_char_picker(edit)
    edit.show()
    qtbot.waitExposed(edit)
    edit.activateWindow()
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus)
    qtbot.keyClick(edit, Qt.Key.Key_F4)
    picker = picker_of(qtbot, edit)
    qtbot.keyClicks(picker.query_edit, "2A7DD")  # 𪟝, Extension C
    qtbot.keyClick(picker.query_edit, Qt.Key.Key_Return)
    assert edit.text() == "\U0002a7dd"
