"""The chief prints the key's recovery sheet from 本所设置; until then the today page reminds."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.core.dto import SessionUser
from app.core.roles import Role
from app.services import Services
from ui.pages.settings_page import SettingsPage
from ui.pages.today_page import TodayPage
from ui.print_preview_dialog import PrintPreviewDialog


def test_the_chief_prints_the_sheet_and_the_reminder_goes(
    qtbot: QtBot, services: Services, chief: SessionUser
) -> None:
    today = TodayPage(services.visits, chief, backups=services.backup, keys=services.keys)
    qtbot.addWidget(today)
    assert "密钥恢复单尚未打印" in today.backup_banner.text()
    page = SettingsPage(services.station, chief, keys=services.keys)
    qtbot.addWidget(page)
    page.show()
    assert page.key_group.isVisible()
    assert "尚未打印" in page.key_label.text()
    previews: list[str] = []

    def close_preview() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, PrintPreviewDialog):
            previews.append(dialog.windowTitle())
            dialog.reject()
        else:
            QTimer.singleShot(20, close_preview)

    QTimer.singleShot(0, close_preview)
    page.sheet_button.click()

    assert previews == ["打印预览 — 本所密钥恢复单"]
    assert "已打印 1 次" in page.key_label.text()
    today.refresh_backup_warning()
    assert "密钥恢复单" not in today.backup_banner.text()


def test_others_see_no_key_section_and_no_reminder(
    qtbot: QtBot, services: Services, make_officer: Callable[[Role], SessionUser]
) -> None:
    for role in (Role.ADMIN, Role.WINDOW):
        user = make_officer(role)
        page = SettingsPage(services.station, user, keys=services.keys)
        qtbot.addWidget(page)
        page.show()
        assert not page.key_group.isVisible()
        assert services.keys.sheet_warning(user) == ""
