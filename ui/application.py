"""Starts the GUI: fonts, database, first-run wizard or demo, login, main window."""

from __future__ import annotations

import logging
import sys
import traceback
from types import TracebackType

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QDialog

from app.database import Database, demo_database_path, open_database
from app.demo import build_demo, demo_logins, login_hint
from app.errors import StationDeskError
from app.services import Services, build_services
from ui.change_password_dialog import ChangePasswordDialog
from ui.first_run_wizard import DEMO_REQUESTED, FirstRunWizard
from ui.fonts import install_fonts_and_style
from ui.login_dialog import LoginDialog
from ui.main_window import MainWindow
from ui.widgets.messages import show_error

logger = logging.getLogger(__name__)


def _install_excepthook() -> None:
    """Log an unexpected error in full; show one Chinese sentence, never a traceback."""

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        logger.error("unexpected error:\n%s", "".join(traceback.format_exception(kind, exc, tb)))
        if isinstance(exc, StationDeskError):
            show_error(None, exc.message)
            return
        show_error(
            None,
            "程序遇到意外错误，刚才的操作可能没有完成（已保存的数据不受影响）。"
            "详细信息已写入日志，请联系系统管理员。",
            "意外错误",
        )

    sys.excepthook = hook


def _open(target: str | None, demo: bool) -> tuple[Database, Services, str] | None:
    db = open_database(demo_database_path() if demo else target)
    services = build_services(db.sessions)
    hint = ""
    if demo:
        if not services.station.is_initialized():
            build_demo(db.sessions)
        hint = login_hint(demo_logins())
    elif not services.station.is_initialized():
        wizard = FirstRunWizard(services.station)
        result = wizard.exec()
        if result == DEMO_REQUESTED:
            db.dispose()
            return _open(None, demo=True)
        if result != QDialog.DialogCode.Accepted:
            db.dispose()
            return None
    return db, services, hint


def run_gui(target: str | None, demo: bool = False) -> int:
    """Run the application until the officer quits."""
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("StationDesk")
    app.setOrganizationName("StationDesk")
    install_fonts_and_style(app)
    _install_excepthook()
    try:
        opened = _open(target, demo)
    except StationDeskError as exc:
        show_error(None, exc.message, "无法打开数据库")
        return 1
    if opened is None:
        return 0
    db, services, hint = opened
    settings = QSettings()
    try:
        station_name = services.station.settings().name
        while True:
            login = LoginDialog(services.auth, station_name, hint=hint)
            if not login.exec() or login.user is None:
                return 0
            user = login.user
            if (
                user.must_change_password
                and not ChangePasswordDialog(services.auth, user, forced=True).exec()
            ):
                continue
            window = MainWindow(services, user, db.location, settings)
            window.show()
            app.exec()
            if not window.logout_requested:
                return 0
    finally:
        db.dispose()
