"""Automatic backups in the GUI: after the chief's review, at the first start of the day, and
the warning on the chief's today page; a failure is a status line, never a stopped counter."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMainWindow, QMessageBox

from app.core.clock import FixedClock
from app.core.dto import SessionUser
from app.core.identity import IdType
from app.core.roles import Role
from app.services import Services
from app.visits.dto import NewVisit
from tests.ui.test_notice_ui import sign
from ui.application import start_daily_backup
from ui.dialogs.review_dialog import ReviewDialog
from ui.files import FileNotice
from ui.pages.ledger_page import LedgerPage
from ui.pages.settings_page import SettingsPage
from ui.pages.today_page import TodayPage

DAY = dt.date(2025, 9, 29)

# A copy of the SQLite file; pg_dump's custom format on PostgreSQL.
BACKUP_SUFFIX = {"sqlite": ".sqlite3", "postgresql": ".dump"}


def status_text(window: QMainWindow) -> str:
    notice = window.statusBar().findChild(FileNotice, "fileNotice")
    return notice.label.text() if notice is not None else ""


def use_folder(services: Services, chief: SessionUser, folder: Path) -> None:
    settings = dataclasses.replace(services.station.settings(), backup_folder=str(folder))
    services.station.update_settings(chief, settings)


@pytest.fixture
def ledger_window(qtbot, monkeypatch, services: Services, chief, make_officer, clock: FixedClock):  # type: ignore[no-untyped-def]
    """The ledger page of a day's work in a main window, the review dialog signed by the chief;
    the messages shown are collected instead of waiting for 确定."""
    officer = make_officer(Role.WINDOW, "张伟")
    item = services.catalogue.list_items("ZM-BGGZ")[0]
    services.visits.register(
        officer,
        NewVisit("王小名", IdType.RESIDENT, "11010519491231002X", "13805710011", item.item_id),
    )
    clock.advance(dt.timedelta(hours=8))  # 18:00: the day can be reviewed
    messages: list[str] = []

    def message(box: QMessageBox) -> int:
        messages.append(box.text())
        return QMessageBox.StandardButton.Ok

    def chief_signs(dialog: ReviewDialog) -> int:
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        sign(qtbot, dialog.pad)
        dialog.confirm_button.click()
        return int(dialog.result())

    monkeypatch.setattr(QMessageBox, "exec", message)
    monkeypatch.setattr(ReviewDialog, "exec", chief_signs)
    window = QMainWindow()
    qtbot.addWidget(window)
    page = LedgerPage(services.ledger, chief, DAY, "Asia/Shanghai", backups=services.backup)
    window.setCentralWidget(page)
    window.resize(1200, 800)
    window.show()
    return window, page, messages


def test_the_chief_s_review_starts_a_backup_and_the_status_bar_says_where(
    qtbot, services: Services, chief, ledger_window, tmp_path: Path, db_engine: str
) -> None:  # type: ignore[no-untyped-def]
    window, page, messages = ledger_window
    folder = tmp_path / "usb"
    folder.mkdir()
    use_folder(services, chief, folder)

    page.buttons["review"].click()

    qtbot.waitUntil(lambda: "审核后自动备份已完成" in status_text(window), timeout=20_000)
    [written] = list(folder.iterdir())
    assert written.name == "HPL-20250929-180000-after_review" + BACKUP_SUFFIX[db_engine]
    assert str(written) in status_text(window)
    assert messages == ["2025-09-29 台账已审核锁定。"]
    good = services.backup.last_good_backup()
    assert good is not None and good.reason == "after_review"


def test_a_failed_backup_after_the_review_is_a_status_line_not_a_dialog(
    qtbot, services: Services, chief, ledger_window, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    window, page, messages = ledger_window
    use_folder(services, chief, tmp_path / "unplugged-usb")

    page.buttons["review"].click()

    qtbot.waitUntil(lambda: "审核后自动备份失败" in status_text(window), timeout=20_000)
    assert "备份文件夹不存在" in status_text(window)
    assert messages == ["2025-09-29 台账已审核锁定。"]  # only the review's own message
    assert page.state_label.text().startswith("已审核锁定")
    assert "审核后自动备份失败" in services.backup.backup_due_warning(chief)


def test_the_chief_s_today_page_warns_until_there_is_a_fresh_backup(
    qtbot, services: Services, chief, make_officer, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    page = TodayPage(services.visits, chief, backups=services.backup)
    qtbot.addWidget(page)
    page.show()
    officer = make_officer(Role.WINDOW, "张伟")
    counter = TodayPage(services.visits, officer, backups=services.backup)
    qtbot.addWidget(counter)
    counter.show()

    assert page.backup_banner.isVisible()
    assert "还没有一份成功的备份" in page.backup_banner.text()
    assert not counter.backup_banner.isVisible()  # the counter is not asked to back up

    services.backup.backup(chief, tmp_path)
    page.reload()

    assert not page.backup_banner.isVisible()


def test_the_first_start_of_the_day_backs_up_once_in_the_background(
    qtbot, services: Services, chief, tmp_path: Path, db_engine: str
) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "share"
    folder.mkdir()
    use_folder(services, chief, folder)
    window = QMainWindow()
    qtbot.addWidget(window)
    window.show()
    finished: list[str] = []

    start_daily_backup(window, services.backup, lambda: finished.append("first"))
    qtbot.waitUntil(lambda: finished == ["first"], timeout=20_000)
    start_daily_backup(window, services.backup, lambda: finished.append("again"))
    qtbot.waitUntil(lambda: finished == ["first", "again"], timeout=20_000)

    [written] = list(folder.iterdir())
    assert written.name.endswith("-daily" + BACKUP_SUFFIX[db_engine])
    assert status_text(window).startswith(f"今日自动备份已完成：{written}")


def test_the_chief_backs_up_now_from_the_settings_page_without_a_command_line(
    qtbot, monkeypatch, services: Services, chief, make_officer, tmp_path: Path, db_engine: str
) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "usb"
    folder.mkdir()
    use_folder(services, chief, folder)
    errors: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: errors.append(box.text()) or 0)
    window = QMainWindow()
    qtbot.addWidget(window)
    page = SettingsPage(services.station, chief, backups=services.backup)
    window.setCentralWidget(page)
    window.show()
    assert "立即备份" in services.backup.backup_due_warning(chief)  # the warning points here

    # A folder typed but not saved is not used behind the chief's back.
    page.backup_folder_edit.setText(str(tmp_path / "elsewhere"))
    page.backup_now_button.click()
    assert "尚未保存" in page.status_label.text()
    assert list(folder.iterdir()) == []

    page.backup_folder_edit.setText(str(folder))
    page.backup_now_button.click()
    [written] = list(folder.iterdir())
    assert written.name.endswith("-manual" + BACKUP_SUFFIX[db_engine])
    assert page.status_label.text().startswith(f"已备份：{written}")
    assert status_text(window).startswith(f"已备份：{written}")
    assert services.backup.backup_due_warning(chief) == ""
    assert errors == []

    # An unplugged drive: one Chinese message, nothing written.
    use_folder(services, chief, tmp_path / "unplugged")
    page.reload()
    page.backup_now_button.click()
    assert len(errors) == 1 and "备份文件夹不存在" in errors[0]

    # A window officer sees no such button.
    officer = make_officer(Role.WINDOW, "张伟")
    counter = SettingsPage(services.station, officer, backups=services.backup)
    qtbot.addWidget(counter)
    counter.show()
    assert not counter.backup_now_button.isVisible()
