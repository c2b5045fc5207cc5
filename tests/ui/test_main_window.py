"""Main window wiring: pages by role, status bar, lock and unlock, first-run wizard."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWizard

from app.core.dto import SessionUser
from app.core.roles import Role
from app.core.workdays import LIBRARY_LAST_YEAR
from app.services import Services
from tests.conftest import TEST_PASSWORD
from ui.first_run_wizard import FirstRunWizard
from ui.login_dialog import LoginDialog
from ui.main_window import MainWindow
from ui.pages.holidays_page import HolidaysPage


@pytest.fixture
def qsettings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)


def test_chief_sees_every_page_and_window_officer_no_staff_page(
    qtbot, services: Services, chief: SessionUser, make_officer, qsettings: QSettings
) -> None:  # type: ignore[no-untyped-def]
    window = MainWindow(services, chief, "/tmp/x.sqlite3", qsettings, today=dt.date(2026, 11, 20))
    qtbot.addWidget(window)
    assert window.page_titles() == [
        "今日接待",
        "查询",
        "预约上门",
        "告知单",
        "每日台账",
        "统计",
        "回访",
        "整改督办",
        "投诉表扬",
        "服务事项目录",
        "人员管理",
        "审计日志",
        "节假日设置",
        "本所设置",
    ]
    assert "王所长" in window.user_label.text() and "所长" in window.user_label.text()
    assert "/tmp/x.sqlite3" in window.db_label.text()
    officer = make_officer(Role.WINDOW, "张伟")
    window2 = MainWindow(services, officer, "/tmp/x.sqlite3", qsettings)
    qtbot.addWidget(window2)
    assert "人员管理" not in window2.page_titles()
    assert "审计日志" not in window2.page_titles()
    assert window2.page_titles()[0] == "今日接待"


def test_lock_hides_pages_until_the_password_is_given(
    qtbot, monkeypatch, services: Services, chief: SessionUser, qsettings: QSettings
) -> None:  # type: ignore[no-untyped-def]
    window = MainWindow(services, chief, "db", qsettings)
    qtbot.addWidget(window)
    window.show()
    seen: dict[str, object] = {}

    def fake_exec(dialog: LoginDialog) -> int:
        seen["page"] = window.stack.currentWidget()
        seen["nav_enabled"] = window.nav.isEnabled()
        dialog.password_edit.setText(TEST_PASSWORD)
        dialog.ok_button.click()
        return int(dialog.result())

    monkeypatch.setattr(LoginDialog, "exec", fake_exec)
    window.lock()
    assert seen["page"] is window.lock_page
    assert seen["nav_enabled"] is False
    assert not window.locked
    assert window.stack.currentWidget() is window.pages["today"]


def test_geometry_is_remembered(
    qtbot, services: Services, chief: SessionUser, qsettings: QSettings
) -> None:  # type: ignore[no-untyped-def]
    window = MainWindow(services, chief, "db", qsettings)
    qtbot.addWidget(window)
    window.show()
    # The offscreen screen is 800×800: stay inside it so Qt has no reason to move the window.
    window.setMinimumSize(400, 300)
    window.setGeometry(30, 40, 700, 600)
    closed_at = window.geometry()
    window.close()
    assert qsettings.value("main_window/geometry")
    again = MainWindow(services, chief, "db", qsettings)
    qtbot.addWidget(again)
    again.setMinimumSize(400, 300)
    again._restore_geometry()
    again.show()
    assert again.geometry() == closed_at


def test_first_run_wizard_creates_station_and_account(qtbot, services: Services) -> None:  # type: ignore[no-untyped-def]
    wizard = FirstRunWizard(services.station)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.next()
    page = wizard.station_page
    page.name_edit.setText("测试市公安局测试分局解放路派出所")
    page.code_edit.setText("bad code!")
    wizard.next()
    assert wizard.currentPage() is page
    assert "简码" in page.errors.message_of("code")
    page.code_edit.setText("JFL")
    wizard.next()
    account = wizard.account_page
    assert wizard.currentPage() is account
    account.badge_edit.setText("120001")
    account.name_edit.setText("赵所长")
    account.password_edit.setText("Chief2026")
    account.repeat_edit.setText("Chief2026")
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert wizard.result() == QWizard.DialogCode.Accepted
    assert services.station.settings().code == "JFL"
    assert services.auth.login("120001", "Chief2026").role is Role.CHIEF


def test_the_chief_is_warned_of_next_years_missing_holidays_until_it_is_confirmed(
    qtbot, services: Services, chief: SessionUser, make_officer, qsettings: QSettings
) -> None:  # type: ignore[no-untyped-def]
    december = dt.date(LIBRARY_LAST_YEAR, 12, 2)
    next_year = LIBRARY_LAST_YEAR + 1
    window = MainWindow(services, chief, "db", qsettings, today=december)
    qtbot.addWidget(window)
    assert window.calendar_warning.isVisibleTo(window)
    assert window.calendar_warning.text().startswith(f"{next_year}年节假日安排尚未录入并确认")
    assert "粘贴国务院办公厅通知" in window.calendar_warning.toolTip()
    window.locked = True  # as lock() leaves it while the login dialog is open
    window.stack.setCurrentWidget(window.lock_page)
    window.calendar_warning.click()
    assert window.stack.currentWidget() is window.lock_page
    window.locked = False
    window.calendar_warning.click()
    assert window.stack.currentWidget() is window.pages["holidays"]

    officer = make_officer(Role.WINDOW, "张伟")
    counter = MainWindow(services, officer, "db", qsettings, today=december)
    qtbot.addWidget(counter)
    assert not counter.calendar_warning.isVisibleTo(counter)
    october = MainWindow(services, chief, "db", qsettings, today=dt.date(LIBRARY_LAST_YEAR, 10, 31))
    qtbot.addWidget(october)
    assert not october.calendar_warning.isVisibleTo(october)

    services.holidays.set_days(
        chief, dt.date(next_year, 1, 1), dt.date(next_year, 1, 1), False, "元旦"
    )
    services.holidays.set_year_confirmed(chief, next_year, True)
    page = window.pages["holidays"]
    assert isinstance(page, HolidaysPage)
    page.calendar_changed.emit()
    assert not window.calendar_warning.isVisibleTo(window)


def test_pages_are_built_when_first_shown(
    qtbot, services: Services, chief: SessionUser, qsettings: QSettings
) -> None:  # type: ignore[no-untyped-def]
    window = MainWindow(services, chief, "db", qsettings)
    qtbot.addWidget(window)
    assert window.pages.built("today") is window.stack.currentWidget()
    assert [key for key in window.pages if window.pages.built(key)] == ["today"]
    assert "holidays" in window.pages and window.pages.built("holidays") is None

    window.show_page("holidays")
    page = window.pages.built("holidays")
    assert isinstance(page, HolidaysPage)
    assert window.stack.currentWidget() is page
    assert window.stack.indexOf(page) == window.nav.currentRow()
    assert window.page_titles()[window.nav.currentRow()] == "节假日设置"
    window.nav.setCurrentRow(0)
    assert window.stack.currentWidget() is window.pages["today"]
    assert window.pages.get("no-such-page") is None
