"""Officer management wiring: add through the dialog, deactivate, reset a password."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from app.dto import SessionUser
from app.roles import Role
from app.services import Services
from ui.dialogs.officer_dialog import OfficerDialog
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
