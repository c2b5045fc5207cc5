"""First start: the wizard asks before giving up and leaves no file; 完成 logs the account in;
slow work (the demo) shows its progress in a dialog."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog, QWidget, QWizard

import ui.application as application
import ui.main_window
from app.core.dto import SessionUser
from app.core.roles import Role
from app.officers.dto import NewOfficer
from app.services import Services
from tests.conftest import TEST_PASSWORD
from ui.first_run_wizard import CANCEL_QUESTION, FirstRunWizard
from ui.fonts import STANDARD_POINTS, apply_font_size, save_font_size
from ui.login_dialog import LoginDialog
from ui.tasks import run_with_progress


def _answer_modal(button_text: str, seen: list[str]) -> None:
    """Soon: note the modal box's text and press its button ``button_text``."""

    def press() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        for button in box.buttons():
            if button.text() == button_text:
                button.click()
                return
        raise AssertionError(f"no button {button_text}")

    QTimer.singleShot(0, press)


def test_cancel_asks_first_and_gives_up_only_when_confirmed(qtbot, services: Services) -> None:  # type: ignore[no-untyped-def]
    wizard = FirstRunWizard(services.station, services.auth)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.next()
    seen: list[str] = []

    _answer_modal("继续设置", seen)
    wizard.button(QWizard.WizardButton.CancelButton).click()
    assert seen == [CANCEL_QUESTION]
    assert wizard.isVisible() and wizard.currentPage() is wizard.station_page

    _answer_modal("放弃初始化", seen)
    wizard.button(QWizard.WizardButton.CancelButton).click()
    assert seen == [CANCEL_QUESTION, CANCEL_QUESTION]
    assert not wizard.isVisible()
    assert wizard.result() == QWizard.DialogCode.Rejected
    assert not services.station.is_initialized()


def test_finish_logs_the_new_account_in(qtbot, services: Services) -> None:  # type: ignore[no-untyped-def]
    logins: list[str] = []
    login = services.auth.login

    def spy(badge_no: str, password: str) -> SessionUser:
        logins.append(badge_no)
        return login(badge_no, password)

    services.auth.login = spy  # type: ignore[method-assign]
    wizard = FirstRunWizard(services.station, services.auth)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.next()
    wizard.station_page.name_edit.setText("测试市公安局测试分局解放路派出所")
    wizard.station_page.code_edit.setText("JFL")
    wizard.next()
    account = wizard.account_page
    account.badge_edit.setText("120001")
    account.name_edit.setText("赵所长")
    account.password_edit.setText("Chief2026")
    account.repeat_edit.setText("Chief2026")
    wizard.button(QWizard.WizardButton.FinishButton).click()

    assert wizard.result() == QWizard.DialogCode.Accepted
    assert logins == ["120001"]  # a real, audited login with the password just chosen
    assert wizard.user is not None
    assert (wizard.user.badge_no, wizard.user.role) == ("120001", Role.CHIEF)
    assert not wizard.user.must_change_password
    assert wizard.isEnabled()  # given back after the work


def _wizard_exec(outcome: str) -> Callable[[FirstRunWizard], int]:
    """A stand-in for the wizard's exec: give up, ask for the demo, or set up the station."""

    def exec_(wizard: FirstRunWizard) -> int:
        if outcome == "cancel":
            return int(QWizard.DialogCode.Rejected.value)
        if outcome == "demo":
            return 2
        wizard.station_page.name_edit.setText("测试市公安局测试分局解放路派出所")
        wizard.station_page.code_edit.setText("JFL")
        wizard.finish_setup(NewOfficer("120001", "赵所长", Role.CHIEF, TEST_PASSWORD))
        return int(QWizard.DialogCode.Accepted.value)

    return exec_


def test_giving_up_leaves_no_database_file_behind(
    qapp, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(FirstRunWizard, "exec", _wizard_exec("cancel"))
    target = tmp_path / "station.sqlite3"

    assert application._open_station(str(target), demo=False) is None

    assert list(tmp_path.iterdir()) == []


def test_giving_up_keeps_a_file_that_was_there_before(
    qapp, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from app.core.database import open_database

    target = tmp_path / "station.sqlite3"
    open_database(target).dispose()  # made by someone else (stationdesk init was interrupted)
    monkeypatch.setattr(FirstRunWizard, "exec", _wizard_exec("cancel"))

    assert application._open_station(str(target), demo=False) is None

    assert target.exists()


def test_asking_for_the_demo_leaves_no_station_file_behind(
    qapp, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setattr(FirstRunWizard, "exec", _wizard_exec("demo"))
    built: list[str] = []

    def fake_build_demo(db: Any) -> None:
        built.append(str(db.file))
        raise RuntimeError("stop here")  # the demo's own file is removed as well

    monkeypatch.setattr(application, "_build_demo", fake_build_demo)
    with pytest.raises(RuntimeError):
        application._open_station(None, demo=False)

    assert built and built[0].endswith("stationdesk-demo.sqlite3")
    assert [p.name for p in (tmp_path / "data").rglob("*") if p.is_file()] == []


def test_after_the_wizard_the_program_opens_without_a_second_login(
    qapp, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    save_font_size(settings, "120001", 12)  # this officer chose 大 on this PC before
    monkeypatch.setattr(application, "QSettings", lambda: settings)
    monkeypatch.setattr(FirstRunWizard, "exec", _wizard_exec("finish"))

    def no_login(_dialog: LoginDialog) -> int:
        raise AssertionError("the login window was shown")

    monkeypatch.setattr(LoginDialog, "exec", no_login)
    opened: list[tuple[SessionUser, int]] = []

    class FakeWindow:
        logout_requested = False

        def __init__(self, _services: Services, user: SessionUser, *_args: object) -> None:
            opened.append((user, QApplication.font().pointSize()))

        def show(self) -> None:
            pass

        def offer_tour(self) -> None:
            pass

    monkeypatch.setattr(ui.main_window, "MainWindow", FakeWindow)
    monkeypatch.setattr(QApplication, "exec", lambda *_a: 0)
    # No real window to report a daily backup in; and run_gui's error dialog hook is undone.
    monkeypatch.setattr(application, "start_daily_backup", lambda *_a: None)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    try:
        assert application.run_gui(str(tmp_path / "station.sqlite3")) == 0
    finally:
        apply_font_size(qapp, STANDARD_POINTS)

    assert len(opened) == 1
    user, points = opened[0]
    assert (user.badge_no, user.name) == ("120001", "赵所长")
    assert points == 12  # 字号 applied at login, before the window is built


def test_slow_work_shows_its_progress_and_returns_its_result(qapp) -> None:  # type: ignore[no-untyped-def]
    parent = QWidget()
    parent.show()
    seen: dict[str, Any] = {}
    worker: list[threading.Thread] = []

    def peek() -> None:
        dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog))
        seen.update(
            visible=dialog.isVisible(),
            text=dialog.labelText(),
            maximum=dialog.maximum(),
            value=dialog.value(),
            parent_enabled=parent.isEnabled(),
        )

    def work(progress: Callable[[int, int], None]) -> str:
        worker.append(threading.current_thread())
        for day in range(1, 5):
            progress(day, 8)
            time.sleep(0.25)
        return "done"

    QTimer.singleShot(900, peek)
    assert run_with_progress(parent, "正在生成演示数据…", work) == "done"

    assert worker[0] is not threading.main_thread()
    assert seen["visible"] and seen["text"] == "正在生成演示数据…"
    assert seen["maximum"] == 8 and 1 <= seen["value"] <= 4
    assert seen["parent_enabled"] is False
    assert parent.isEnabled()
    parent.close()


def test_quick_work_shows_no_dialog_and_errors_come_back(qapp) -> None:  # type: ignore[no-untyped-def]
    shown: list[bool] = []

    def look() -> None:
        shown.extend(
            w.isVisible() for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog)
        )

    QTimer.singleShot(100, look)
    assert run_with_progress(None, "请稍候…", lambda _p: time.sleep(0.2) or 7) == 7
    assert not any(shown)

    def fail(_progress: object) -> None:
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        run_with_progress(None, "请稍候…", fail)


def test_the_demo_is_built_with_its_progress_shown(qapp, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    import app.demo

    calls: list[tuple[int, int]] = []
    titles: list[str] = []

    def fake_build_demo(_sessions: object, progress: Callable[[int, int], None]) -> list[object]:
        for day in range(0, 4):
            progress(day, 3)
            calls.append((day, 3))
            time.sleep(0.2)
        return []

    def peek() -> None:
        titles.extend(
            w.labelText()
            for w in QApplication.topLevelWidgets()
            if isinstance(w, QProgressDialog) and w.isVisible()
        )

    monkeypatch.setattr(app.demo, "build_demo", fake_build_demo)
    QTimer.singleShot(700, peek)

    class FakeDatabase:
        sessions = object()

    application._build_demo(FakeDatabase())  # type: ignore[arg-type]

    assert calls == [(0, 3), (1, 3), (2, 3), (3, 3)]
    assert titles and titles[0].startswith("正在生成演示数据…")


def test_the_wizard_shows_every_wrong_field_at_once_and_the_password_rules_before_typing(
    qtbot, services: Services
) -> None:  # type: ignore[no-untyped-def]
    wizard = FirstRunWizard(services.station, services.auth)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.next()
    station = wizard.station_page
    assert station.counts["name"].text == "0/60"
    station.code_edit.setText("Q")
    station.consult_edit.setText("电话没有")

    wizard.next()

    assert wizard.currentPage() is station
    wrong = {f: station.errors.message_of(f) for f in ("name", "code", "phone_consult")}
    assert all(wrong.values()), wrong
    assert "没有数字" in wrong["phone_consult"]

    station.name_edit.setText("测试市公安局测试分局解放路派出所")
    station.code_edit.setText("JFL")
    station.consult_edit.setText("0571-86001110")
    wizard.next()
    account = wizard.account_page
    assert wizard.currentPage() is account
    assert account.password_edit.text() == "" and account.password_rules.isVisible()
    assert "常用密码" in account.password_rules.text()
    account.name_edit.setText("张伟1")
    account.password_edit.setText("password1")
    account.repeat_edit.setText("password2")

    wizard.button(QWizard.WizardButton.FinishButton).click()

    assert wizard.currentPage() is account and not services.station.is_initialized()
    wrong = {f: account.errors.message_of(f) for f in ("badge_no", "name", "password", "repeat")}
    assert all(wrong.values()), wrong
    assert "最常用的密码" in wrong["password"] and "不一致" in wrong["repeat"]

    account.badge_edit.setText("120001")
    account.name_edit.setText("赵所长")
    account.password_edit.setText("Jfl12345x")  # holds the station code
    account.repeat_edit.setText("Jfl12345x")
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert "本所简码 JFL" in account.errors.message_of("password")
    assert account.errors.message_of("name") == ""  # the earlier messages went

    account.password_edit.setText("Chief2026")
    account.repeat_edit.setText("Chief2026")
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert wizard.result() == QWizard.DialogCode.Accepted
