"""The counter by keyboard (issue 20): shortcuts in the 业务 menu, the actions a matter's state
allows with its primary one first, tables Tab leaves and Enter acts on, a registration form
Esc does not throw away, and the quick filter that finds a number typed in full."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QTableView

from app.core.dto import SessionUser
from app.core.roles import Role
from app.services import Services
from app.visits.dto import NameChoice, NewVisit, VisitDetail
from app.visits.rules import VisitStatus
from tests.ui.test_intake import ime_commit
from ui.dialogs.registration_dialog import RegistrationDialog
from ui.main_window import MainWindow
from ui.pages.today_page import TodayPage

ID_A = "11010519491231002X"


@pytest.fixture
def qsettings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)


def _register(services: Services, officer: SessionUser, phone: str, name: str) -> VisitDetail:
    item = services.catalogue.list_items("SFZ-SL")[0]
    form = NewVisit(
        name,
        _id_type(),
        ID_A,
        phone,
        item.item_id,
        name_choice=NameChoice.CURRENT,  # one test ID under several names
    )
    return services.visits.register(officer, form)


def _id_type():  # type: ignore[no-untyped-def]
    from app.core.identity import IdType

    return IdType.RESIDENT


def _window(qtbot, services: Services, officer: SessionUser, qsettings: QSettings) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(services, officer, "db", qsettings, today=dt.date(2026, 11, 20))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def _today(window: MainWindow) -> TodayPage:
    page = window.pages["today"]
    assert isinstance(page, TodayPage)
    return page


def _list_in_focus(  # type: ignore[no-untyped-def]
    qtbot, services: Services, officer: SessionUser, qsettings: QSettings
) -> tuple[TodayPage, QTableView, VisitDetail]:
    """A walk-in registered, the main window shown, its row selected and the list in focus."""
    visit = _register(services, officer, "13805710011", "李四光")
    page = _today(_window(qtbot, services, officer, qsettings))
    page.select_visit(visit.row.id)
    table = page.lists["today"].view
    table.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is table)
    return page, table, visit


def test_the_work_menu_lists_every_counter_action_with_its_shortcut(
    qtbot, services: Services, make_officer, qsettings: QSettings
) -> None:  # type: ignore[no-untyped-def]
    officer = make_officer(Role.WINDOW)
    window = _window(qtbot, services, officer, qsettings)

    menu = window.work_menu
    labels = {a.text(): a.shortcut().toString() for a in menu.actions() if not a.isSeparator()}

    with_keys = {text: keys for text, keys in labels.items() if keys and text != "新登记…"}
    assert len(with_keys) >= 8
    for needed in ("受理", "当场办结", "办结", "打印回执", "一次性告知…", "待补材料…"):
        assert with_keys.get(needed), f"{needed} has no shortcut in the 业务 menu"
    for needed in ("移交…", "请群众评价", "打印告知单", "查看完整证件号…"):
        assert with_keys.get(needed), f"{needed} has no shortcut in the 业务 menu"
    # One key, one meaning: no two different actions share a shortcut (the three slips
    # share Ctrl+P, and a matter's state allows only one of them).
    slips = {"打印回执", "打印引导单", "打印告知书"}
    others = [keys for text, keys in with_keys.items() if text not in slips]
    assert len(others) == len(set(others))


def test_a_matter_shows_the_actions_its_state_allows_with_the_primary_one_first(
    qtbot, services: Services, make_officer, qsettings: QSettings
) -> None:  # type: ignore[no-untyped-def]
    officer = make_officer(Role.WINDOW)
    visit = _register(services, officer, "13805710011", "李四光")
    window = _window(qtbot, services, officer, qsettings)
    page = _today(window)
    page.select_visit(visit.row.id)
    panel = page.panel

    shown = [k for k, b in panel.buttons.items() if b.isVisible()]
    assert panel.primary_key == "accept"
    assert panel.buttons["accept"].objectName() == "primary"
    assert "F8" in panel.buttons["accept"].text()
    # Nothing greyed out in the way: what the state does not allow is not shown.
    assert all(panel.buttons[k].isEnabled() for k in shown)
    assert "complete" not in shown and "receipt" not in shown and "resume" not in shown
    first = min(shown, key=lambda k: panel.grid.position(panel.buttons[k]))
    assert first == "accept"


def test_tab_leaves_the_list_and_enter_starts_the_primary_action(
    qtbot, services: Services, make_officer, qsettings: QSettings
) -> None:  # type: ignore[no-untyped-def]
    officer = make_officer(Role.WINDOW)
    page, table, visit = _list_in_focus(qtbot, services, officer, qsettings)

    qtbot.keyClick(table, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is not table  # the Tab key is not kept
    QApplication.focusWidget().setFocus()  # where Tab went; now back with Shift+Tab
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Backtab)
    assert QApplication.focusWidget() is table

    qtbot.keyClick(table, Qt.Key.Key_Return)  # Enter: 受理, the primary action

    assert services.visits.get(officer, visit.row.id).row.status is VisitStatus.IN_PROGRESS
    # The next likely action has the focus, visibly: 打印回执.
    assert QApplication.focusWidget() is page.panel.buttons["receipt"]
    assert page.panel.buttons["receipt"].isVisible()


def test_a_shortcut_acts_on_the_selected_matter_from_the_list(
    qtbot, services: Services, make_officer, qsettings: QSettings
) -> None:  # type: ignore[no-untyped-def]
    officer = make_officer(Role.WINDOW)
    _page, table, visit = _list_in_focus(qtbot, services, officer, qsettings)

    qtbot.keyClick(table, Qt.Key.Key_F8)

    assert services.visits.get(officer, visit.row.id).row.status is VisitStatus.IN_PROGRESS


def test_esc_on_a_filled_registration_asks_before_discarding(
    qtbot, services: Services, make_officer, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    officer = make_officer(Role.WINDOW)
    asked: list[str] = []
    answer = {"value": False}

    def fake_confirm(_parent, message, *_args):  # type: ignore[no-untyped-def]
        asked.append(message)
        return answer["value"]

    monkeypatch.setattr("ui.dialogs.registration_dialog.confirm", fake_confirm)
    dialog = RegistrationDialog(services.visits, services.catalogue, officer)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # empty: closes without asking
    assert not dialog.isVisible() and not asked

    dialog = RegistrationDialog(services.visits, services.catalogue, officer)
    qtbot.addWidget(dialog)
    dialog.show()
    ime_commit(dialog.name_edit, "李四光")
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Escape)
    assert asked and "放弃" in asked[0]
    assert dialog.isVisible() and dialog.name_edit.text() == "李四光"  # nothing lost
    answer["value"] = True
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_ctrl_enter_registers_and_asks_for_the_accept(
    qtbot, services: Services, make_officer
) -> None:  # type: ignore[no-untyped-def]
    officer = make_officer(Role.WINDOW)
    dialog = RegistrationDialog(services.visits, services.catalogue, officer)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()  # window shortcuts work in the active window, as at the counter
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    qtbot.keyClicks(dialog.id_edit, ID_A)
    ime_commit(dialog.name_edit, "李四光")
    qtbot.keyClicks(dialog.phone_edit, "13805710011")
    qtbot.keyClicks(dialog.matter.edit, "sfz")  # the list opens; Ctrl+Enter takes its first

    qtbot.keyClick(dialog.matter.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    qtbot.waitUntil(lambda: dialog.saved is not None, timeout=15000)
    assert dialog.accept_after
    assert dialog.saved is not None and dialog.saved.row.status is VisitStatus.REGISTERED


def test_the_quick_filter_finds_a_full_number_or_a_phones_last_four_kept_masked(
    qtbot, services: Services, make_officer, qsettings: QSettings
) -> None:  # type: ignore[no-untyped-def]
    officer = make_officer(Role.WINDOW)
    mine = _register(services, officer, "13805710011", "李四光")
    other = _register(services, officer, "13905719876", "王五")
    window = _window(qtbot, services, officer, qsettings)
    page = _today(window)
    tab = page.lists["today"]

    def shown() -> set[str]:
        return {tab.proxy.index(r, 1).data() for r in range(tab.proxy.rowCount())}

    page.filter_edit.setText("0011")
    assert shown() == {mine.row.citizen_name}
    page.filter_edit.setText("13905719876")
    assert shown() == {other.row.citizen_name}
    page.filter_edit.setText(ID_A.lower())
    assert shown() == {mine.row.citizen_name, other.row.citizen_name}
    page.filter_edit.setText("4242")
    assert shown() == set()
    # Still masked on screen.
    texts = {
        str(tab.proxy.index(r, c).data())
        for r in range(tab.proxy.rowCount())
        for c in range(tab.proxy.columnCount())
    }
    assert not any("13805710011" in t or ID_A in t for t in texts)


def test_the_today_page_says_the_day_is_locked_before_anyone_types(
    qtbot, services: Services, make_officer, chief: SessionUser, clock, qsettings: QSettings
) -> None:  # type: ignore[no-untyped-def]
    from tests.app.ledger.test_ledger import SIGN

    officer = make_officer(Role.WINDOW)
    _register(services, officer, "13805710011", "李四光")
    window = _window(qtbot, services, officer, qsettings)
    page = _today(window)
    assert not page.lock_banner.isVisible()

    clock.advance(dt.timedelta(hours=8))  # after the counter's closing hour
    day = services.station.today()
    sha = services.ledger.ledger(chief, day).content_sha256
    services.ledger.review(chief, day, sha, "", SIGN)
    page.reload()

    assert page.lock_banner.isVisible()
    text = page.lock_banner.text()
    assert "审核锁定" in text and "王所长" in text and "照常办理" in text


def test_esc_never_quits_from_the_lock_screen(qtbot, services: Services, make_officer) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QPushButton

    from ui.login_dialog import LoginDialog

    officer = make_officer(Role.WINDOW)
    dialog = LoginDialog(services.auth, "测试派出所", locked_user=officer)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Escape)
    dialog.close()  # the close box as well
    assert dialog.isVisible() and not dialog.quit_chosen

    quit_button = next(b for b in dialog.findChildren(QPushButton) if b.text() == "退出程序")
    quit_button.click()  # only the button that says so quits
    assert not dialog.isVisible() and dialog.quit_chosen


def test_a_multi_line_form_confirms_with_ctrl_enter_typing_after_the_prefilled_text(
    qtbot, services: Services, make_officer, qsettings: QSettings
) -> None:  # type: ignore[no-untyped-def]
    from ui.dialogs.text_form_dialog import Field, TextFormDialog

    got: list[dict[str, object]] = []
    dialog = TextFormDialog(
        "办结", "", [Field("result", "办理结果", multiline=True, text="已办结")], got.append
    )
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    editor = dialog.editors["result"]
    editor.setFocus()
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # Enter: a new line, not the end of the form
    assert dialog.isVisible() and not got
    qtbot.keyClicks(editor, "ok")
    qtbot.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert got == [{"result": "已办结\nok"}]
    assert "Ctrl+Enter" in dialog.ok_button.text()


def test_a_slip_closed_unprinted_keeps_the_focus_on_its_button(
    qtbot, services: Services, make_officer, qsettings: QSettings, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    officer = make_officer(Role.WINDOW)
    page, table, visit = _list_in_focus(qtbot, services, officer, qsettings)
    qtbot.keyClick(table, Qt.Key.Key_F8)  # 受理: the focus goes to 打印回执
    assert QApplication.focusWidget() is page.panel.buttons["receipt"]
    # The preview is closed (Esc) without printing: 打印回执 keeps the focus, not 办结.
    monkeypatch.setattr("ui.widgets.visit_panel.PrintPreviewDialog.exec", lambda _self: 0)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is page.panel.buttons["receipt"]
    assert not services.visits.slip(officer, visit.row.id, "receipt").is_reprint


def test_ctrl_shift_f_previews_the_case_file_and_a_print_is_audited(
    qtbot, services: Services, make_officer, qsettings: QSettings, monkeypatch, db
) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from db.models import AuditEvent
    from ui.print_preview_dialog import PrintPreviewDialog

    officer = make_officer(Role.WINDOW)
    page, table, visit = _list_in_focus(qtbot, services, officer, qsettings)
    shown: list[tuple[str, bytes]] = []

    def preview(dialog: PrintPreviewDialog) -> int:
        shown.append((dialog.windowTitle(), dialog._pdf))
        dialog._on_output()  # as if printed
        return 1

    monkeypatch.setattr(PrintPreviewDialog, "exec", preview)
    assert page.panel.buttons["case_file"].isEnabled()
    assert "Ctrl+Shift+F" in page.panel.buttons["case_file"].text()

    qtbot.keyClick(
        table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )

    assert len(shown) == 1 and shown[0][1].startswith(b"%PDF")
    assert "办件档案" in shown[0][0]
    with db.sessions() as session:
        last = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert last is not None and last.action == "case_file_printed"
        assert last.entity_id == visit.row.serial


def test_a_voided_matter_offers_no_desk_times(
    qtbot, services: Services, make_officer, qsettings: QSettings
) -> None:  # type: ignore[no-untyped-def]
    # The service refuses to time a closed matter (不能再办理): the panel does not offer it.
    officer = make_officer(Role.WINDOW)
    page, _table, visit = _list_in_focus(qtbot, services, officer, qsettings)
    assert page.panel.buttons["arrived"].isEnabled()
    services.visits.void(officer, visit.row.id, visit.row.row_version, "重复登记")
    page.panel.show_visit(visit.row.id)
    for key in ("arrived", "started", "ended"):
        assert not page.panel.buttons[key].isEnabled(), key
