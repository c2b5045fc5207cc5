"""Officer management wiring: add, deactivate (handing open matters over), reset a password."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.core.dto import SessionUser
from app.core.identity import IdType
from app.core.roles import Role
from app.services import Services
from app.visits.dto import NewVisit
from ui.change_password_dialog import ChangePasswordDialog
from ui.dialogs.departure_dialog import DepartureDialog
from ui.dialogs.officer_dialog import OfficerDialog, ResetPasswordDialog
from ui.dialogs.text_form_dialog import TextFormDialog
from ui.pages.officers_page import OfficersPage


@pytest.fixture
def auto_yes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Answer every confirmation with yes and swallow information boxes."""
    monkeypatch.setattr(QMessageBox, "exec", lambda self: QMessageBox.StandardButton.Yes)


def test_table_model_passes_qt_model_checks(
    qtbot, qtmodeltester, services: Services, chief: SessionUser
) -> None:  # type: ignore[no-untyped-def]
    page = OfficersPage(services.officers, chief)
    qtbot.addWidget(page)
    assert page.model.rowCount() == 1
    qtmodeltester.check(page.model)
    qtmodeltester.check(page.proxy)


def test_officer_dialog_adds_an_officer_who_appears_in_the_list(
    qtbot, services: Services, chief: SessionUser
) -> None:  # type: ignore[no-untyped-def]
    page = OfficersPage(services.officers, chief)
    qtbot.addWidget(page)
    dialog = OfficerDialog(services.officers, chief, None, page)
    qtbot.addWidget(dialog)
    dialog.badge_edit.setText("031234")
    dialog.name_edit.setText("刘洋")
    dialog.role_combo.setCurrentIndex(dialog.role_combo.findData(Role.AUXILIARY.value))
    dialog.password_edit.setText("Start2026")
    dialog.repeat_edit.setText("Start2026")
    dialog._on_save_clicked()
    assert dialog.result() == OfficerDialog.DialogCode.Accepted
    page.reload()
    page.select_badge("031234")
    row = page.selected_row()
    assert row is not None and row.name == "刘洋" and row.role is Role.AUXILIARY
    assert row.must_change_password


def test_duplicate_badge_is_shown_at_the_field_and_nothing_is_added(
    qtbot, services: Services, chief: SessionUser
) -> None:  # type: ignore[no-untyped-def]
    dialog = OfficerDialog(services.officers, chief)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.badge_edit.setText(chief.badge_no)
    dialog.name_edit.setText("重复")
    dialog.password_edit.setText("Start2026")
    dialog.repeat_edit.setText("Start2026")
    dialog._on_save_clicked()
    assert dialog.isVisible()
    assert "已存在" in dialog.errors.message_of("badge_no")
    assert len(services.officers.list_officers(chief)) == 1


def test_deactivate_button_deactivates_the_selected_officer(
    qtbot, auto_yes, services: Services, chief: SessionUser, make_officer
) -> None:  # type: ignore[no-untyped-def]
    window_officer = make_officer(Role.WINDOW, "张伟")
    page = OfficersPage(services.officers, chief)
    qtbot.addWidget(page)
    page.select_badge(window_officer.badge_no)
    assert page.toggle_button.text() == "停用"
    page.toggle_button.click()
    row = page.selected_row()
    assert row is not None and row.badge_no == window_officer.badge_no and not row.active
    assert page.toggle_button.text() == "启用"


# ---- an officer who leaves with open matters -----------------------------------------------

VALID_ID = "11010519491231002X"


def _open_matters(services: Services, officer: SessionUser, count: int) -> list[int]:
    item = services.catalogue.list_items("ZM-WFZ")[0].item_id
    form = NewVisit("陈静", IdType.RESIDENT, VALID_ID, "13800138000", item)
    return [services.visits.register(officer, form).row.id for _ in range(count)]


def _pending(services: Services, chief: SessionUser, visit_id: int) -> str:
    handover = services.visits.get(chief, visit_id).pending_handover
    return handover.to_name if handover is not None else ""


def test_departure_dialog_hands_each_matter_to_the_picked_colleague(
    qtbot, services: Services, chief: SessionUser, make_officer
) -> None:  # type: ignore[no-untyped-def]
    leaving = make_officer(Role.WINDOW, "张三")
    zhao, qian = make_officer(Role.WINDOW, "赵刚"), make_officer(Role.AUXILIARY, "钱亮")
    first, second = _open_matters(services, leaving, 2)
    detail = services.officers.departure(chief, leaving.officer_id)
    dialog = DepartureDialog(services.officers, chief, detail)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.table.rowCount() == 2 and dialog.table.item(0, 2).text() == "陈*"

    # 全部交给 sets every row; then the second row alone goes to someone else.
    dialog.all_combo.setCurrentIndex(dialog.all_combo.findData(zhao.officer_id))
    dialog.all_combo.activated.emit(dialog.all_combo.currentIndex())
    assert [p.currentData() for p in dialog.pickers] == [zhao.officer_id] * 2
    focus = dialog.focusWidget
    assert focus() is dialog.pickers[0]
    qtbot.keyClick(focus(), Qt.Key.Key_Tab)  # from picker to picker, not cell to cell
    assert focus() is dialog.pickers[1]
    dialog.pickers[1].setCurrentIndex(dialog.pickers[1].findData(qian.officer_id))
    qtbot.keyClick(focus(), Qt.Key.Key_Return)  # the default button confirms

    assert dialog.result() == DepartureDialog.DialogCode.Accepted
    assert dialog.summary == "已停用张三；2 件在办事项已移交，待接收人确认。"
    rows = {r.id: r for r in services.officers.list_officers(chief)}
    assert not rows[leaving.officer_id].active
    assert (_pending(services, chief, first), _pending(services, chief, second)) == (
        "赵刚",
        "钱亮",
    )


def test_departure_dialog_refuses_an_unpicked_row_and_escape_cancels(
    qtbot, services: Services, chief: SessionUser, make_officer
) -> None:  # type: ignore[no-untyped-def]
    leaving = make_officer(Role.WINDOW, "张三")
    zhao = make_officer(Role.WINDOW, "赵刚")
    first, _second = _open_matters(services, leaving, 2)
    dialog = DepartureDialog(
        services.officers, chief, services.officers.departure(chief, leaving.officer_id)
    )
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.pickers[0].setCurrentIndex(dialog.pickers[0].findData(zhao.officer_id))

    dialog.ok_button.click()

    assert dialog.isVisible() and "1 件在办事项未选择接手人" in dialog.errors._general.text()
    assert dialog.pickers[1].property("invalid") and not dialog.pickers[0].property("invalid")
    assert _pending(services, chief, first) == ""
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Escape)
    assert dialog.result() == DepartureDialog.DialogCode.Rejected
    assert all(r.active for r in services.officers.list_officers(chief))


def test_deactivating_an_officer_with_open_matters_opens_the_dialog_and_sums_up(
    qtbot, monkeypatch, services: Services, chief: SessionUser, make_officer
) -> None:  # type: ignore[no-untyped-def]
    leaving = make_officer(Role.WINDOW, "张三")
    zhao = make_officer(Role.WINDOW, "赵刚")
    visits = _open_matters(services, leaving, 3)
    shown: list[str] = []

    def run(dialog: DepartureDialog) -> int:
        dialog.all_combo.setCurrentIndex(dialog.all_combo.findData(zhao.officer_id))
        dialog.all_combo.activated.emit(dialog.all_combo.currentIndex())
        dialog.submit()
        return int(dialog.result())

    monkeypatch.setattr(DepartureDialog, "exec", run)
    monkeypatch.setattr(
        QMessageBox, "exec", lambda box: shown.append(box.text()) or QMessageBox.StandardButton.Ok
    )
    page = OfficersPage(services.officers, chief)
    qtbot.addWidget(page)
    page.select_badge(leaving.badge_no)

    page.toggle_button.click()

    assert shown == ["已停用张三；3 件在办事项已移交，待接收人确认。"]
    row = page.selected_row()
    assert row is not None and not row.active
    assert {_pending(services, chief, v) for v in visits} == {"赵刚"}


def test_an_administrator_making_someone_chief_is_refused_in_chinese_at_the_role(
    qtbot, services: Services, make_officer
) -> None:  # type: ignore[no-untyped-def]
    admin = make_officer(Role.ADMIN, "周管理")
    window = make_officer(Role.WINDOW, "张伟")
    page = OfficersPage(services.officers, admin)
    qtbot.addWidget(page)
    page.select_badge(window.badge_no)
    row = page.selected_row()
    assert row is not None
    dialog = OfficerDialog(services.officers, admin, row, page)
    qtbot.addWidget(dialog)
    dialog.role_combo.setCurrentIndex(dialog.role_combo.findData(Role.CHIEF.value))

    dialog._on_save_clicked()

    assert dialog.result() != OfficerDialog.DialogCode.Accepted
    assert dialog.errors.message_of("role").startswith("系统管理员不能单独任命所长")
    page.reload()
    page.select_badge(window.badge_no)
    assert page.selected_row().role is Role.WINDOW  # type: ignore[union-attr]
    # Adding a 所长 account is refused the same way.
    new = OfficerDialog(services.officers, admin, None, page)
    qtbot.addWidget(new)
    new.badge_edit.setText("031234")
    new.name_edit.setText("李所长")
    new.role_combo.setCurrentIndex(new.role_combo.findData(Role.CHIEF.value))
    new.password_edit.setText("Start2026")
    new.repeat_edit.setText("Start2026")
    new._on_save_clicked()
    assert "不能单独新建所长账号" in new.errors.message_of("role")


def test_one_administrator_asks_and_another_confirms_on_the_officers_page(
    qtbot, services: Services, make_officer, auto_yes
) -> None:  # type: ignore[no-untyped-def]
    asker = make_officer(Role.ADMIN, "周管理")
    second = make_officer(Role.ADMIN, "吴管理")
    deputy = make_officer(Role.DEPUTY, "李副所长")
    page = OfficersPage(services.officers, asker)
    qtbot.addWidget(page)
    page.form_only = True
    assert not page.confirm_button.isVisibleTo(page)
    page.select_badge(deputy.badge_no)
    form = page._on_request_clicked()
    assert form is not None
    qtbot.addWidget(form)
    role = form.editors["role"]
    role.setCurrentIndex(role.findData(Role.CHIEF))  # type: ignore[union-attr]
    form.editors["reason"].setText("原所长调离，经分局任命")  # type: ignore[union-attr]
    form.submit()
    assert form.result() == TextFormDialog.DialogCode.Accepted

    other = OfficersPage(services.officers, second)
    qtbot.addWidget(other)
    other.form_only = True
    assert other.confirm_button.isVisibleTo(other)
    assert "李副所长" in other.pending_label.text() and "所长" in other.pending_label.text()
    confirm = other._on_confirm_clicked()
    assert confirm is not None
    qtbot.addWidget(confirm)
    confirm.submit()

    assert confirm.result() == TextFormDialog.DialogCode.Accepted
    other.reload()
    other.select_badge(deputy.badge_no)
    assert other.selected_row().role is Role.CHIEF  # type: ignore[union-attr]
    assert not other.confirm_button.isVisibleTo(other)


def test_password_forms_show_the_rules_first_and_every_wrong_field_at_once(
    qtbot, services: Services, chief: SessionUser, make_officer
) -> None:  # type: ignore[no-untyped-def]
    dialog = OfficerDialog(services.officers, chief)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.rules is not None and "常用密码" in dialog.rules.text()
    assert dialog.rules.isVisible()
    dialog.name_edit.setText("张1")
    dialog.password_edit.setText("qwerty123")
    dialog.repeat_edit.setText("qwerty12")

    dialog._on_save_clicked()

    wrong = {f: dialog.errors.message_of(f) for f in ("badge_no", "name", "password", "repeat")}
    assert all(wrong.values()), wrong
    assert dialog.isVisible() and len(services.officers.list_officers(chief)) == 1

    target = services.officers.list_officers(chief)[0]
    reset = ResetPasswordDialog(services.officers, chief, target)
    qtbot.addWidget(reset)
    reset.show()
    assert "常用密码" in reset.rules.text() and reset.rules.isVisible()
    reset.password_edit.setText("Passw0rd")
    reset.repeat_edit.setText("Passw0rd!")
    reset._on_reset_clicked()
    assert reset.errors.message_of("password") and reset.errors.message_of("repeat")

    officer = make_officer(Role.WINDOW, "李明")
    change = ChangePasswordDialog(services.auth, officer)
    qtbot.addWidget(change)
    change.show()
    assert "常用密码" in change.rules.text() and change.rules.isVisible()
    change.new_edit.setText("Liming2026")  # the officer's name in pinyin
    change.repeat_edit.setText("Liming2026")
    change._on_save_clicked()
    wrong = {f: change.errors.message_of(f) for f in ("old_password", "new_password")}
    assert "原密码" in wrong["old_password"] and "拼音（liming）" in wrong["new_password"]
    assert change.isVisible()


def test_a_paste_too_long_for_the_name_is_refused_aloud_not_cut(
    qtbot, services: Services, chief: SessionUser
) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QApplication

    dialog = OfficerDialog(services.officers, chief)
    qtbot.addWidget(dialog)
    QApplication.clipboard().setText("刘" * 31)

    dialog.name_edit.paste()

    assert dialog.name_edit.text() == "" and dialog.name_count.text == "0/30"
    assert "最多 30 个字" in dialog.errors.message_of("name")


def test_the_names_sort_by_pinyin_rare_characters_included(
    qtbot, services: Services, chief: SessionUser, make_officer
) -> None:  # type: ignore[no-untyped-def]
    for name in ("赵刚", "\U00020bb7祥", "安娜"):  # zhao, ji (𠮷, Extension B), an
        make_officer(Role.WINDOW, name)
    page = OfficersPage(services.officers, chief)
    qtbot.addWidget(page)
    column = next(
        i
        for i in range(page.proxy.columnCount())
        if page.proxy.headerData(i, Qt.Orientation.Horizontal) == "姓名"
    )

    page.table.sortByColumn(column, Qt.SortOrder.AscendingOrder)

    shown = [page.proxy.index(r, column).data() for r in range(page.proxy.rowCount())]
    assert shown == ["安娜", "\U00020bb7祥", "王所长", "赵刚"]
