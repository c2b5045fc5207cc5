"""Login dialog wiring: credentials go to AuthService; errors stay at the field."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.core.dto import SessionUser
from app.core.errors import DatabaseProblem
from app.services import Services
from tests.conftest import TEST_PASSWORD
from ui.login_dialog import LoginDialog


def test_login_with_keyboard_accepts_and_returns_the_officer(
    qtbot, services: Services, chief: SessionUser
) -> None:  # type: ignore[no-untyped-def]
    dialog = LoginDialog(services.auth, "和平路派出所")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.badge_edit, chief.badge_no)
    qtbot.keyClick(dialog.badge_edit, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.password_edit, TEST_PASSWORD)
    with qtbot.waitSignal(dialog.accepted, timeout=2000):
        qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    assert dialog.user is not None
    assert dialog.user.officer_id == chief.officer_id


def test_wrong_password_shows_chinese_message_and_stays_open(
    qtbot, services: Services, chief: SessionUser
) -> None:  # type: ignore[no-untyped-def]
    dialog = LoginDialog(services.auth, "和平路派出所")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.badge_edit.setText(chief.badge_no)
    dialog.password_edit.setText("wrong-pass1")
    dialog.ok_button.click()
    assert dialog.isVisible()
    assert dialog.user is None
    assert "还可再试 4 次" in dialog.errors.message_of("password")
    assert dialog.password_edit.text() == ""


def test_locked_dialog_unlocks_only_with_the_same_officers_password(
    qtbot, services: Services, chief: SessionUser
) -> None:  # type: ignore[no-untyped-def]
    dialog = LoginDialog(services.auth, "和平路派出所", locked_user=chief)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.badge_edit.isReadOnly()
    assert dialog.badge_edit.text() == chief.badge_no
    dialog.password_edit.setText("Other1234")
    dialog.ok_button.click()
    assert dialog.user is None
    dialog.password_edit.setText(TEST_PASSWORD)
    dialog.ok_button.click()
    assert dialog.user == chief


def test_the_database_is_opened_at_the_first_attempt_and_a_problem_can_be_retried(
    qtbot, services: Services, chief: SessionUser
) -> None:  # type: ignore[no-untyped-def]
    # As ui.application does when the station's name was read before opening the database.
    attempts: list[int] = []

    def open_auth():  # type: ignore[no-untyped-def]
        attempts.append(1)
        if len(attempts) == 1:
            raise DatabaseProblem("数据库正被其他程序占用：station.sqlite3。请稍后再试。")
        return services.auth

    dialog = LoginDialog(open_auth, "和平路派出所")
    qtbot.addWidget(dialog)
    dialog.show()
    assert attempts == []
    dialog.badge_edit.setText(chief.badge_no)
    dialog.password_edit.setText(TEST_PASSWORD)
    dialog.ok_button.click()
    assert dialog.user is None and dialog.isVisible()
    assert "正被其他程序占用" in dialog.errors.general_message
    dialog.password_edit.setText(TEST_PASSWORD)
    dialog.ok_button.click()
    assert dialog.user is not None and dialog.user.officer_id == chief.officer_id
    assert len(attempts) == 2
