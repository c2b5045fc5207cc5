"""Starts the GUI: fonts, database, first-run wizard or demo, login, main window.

An initialised station's login window comes first: its name is read from the SQLite file
(app.station_preview) and the database is opened at the first login attempt. Anything else
(a new, server, unreadable or demo database) is opened, checked and migrated first, as before.
"""

from __future__ import annotations

import logging
import os
import sys
import traceback
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QDialog

from app.errors import StationDeskError
from app.station_preview import preview_station
from ui.files import install_qt_chinese, prefer_chinese_system_locale
from ui.fonts import install_fonts_and_style
from ui.garbage import GarbageCollector
from ui.login_dialog import LoginDialog
from ui.widgets.messages import show_error
from ui.widgets.wheel_guard import install_wheel_guard

if TYPE_CHECKING:
    from app.auth_service import AuthService
    from app.database import Database
    from app.services import Services

# The database layer (SQLAlchemy), the demo builder and the main window (its pages, printing)
# are imported when needed: the login window of an initialised station comes up without them
# (tests/test_imports.py keeps it so).

logger = logging.getLogger(__name__)

# Start-up measurements (tests/test_imports.py, benchmarks): quit as soon as the login shows.
EXIT_AT_LOGIN_ENV = "STATIONDESK_EXIT_AT_LOGIN"


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


class _Station:
    """This run's database and services; opened at the first login attempt after a preview."""

    def __init__(self, target: str | None) -> None:
        self._target = target
        self.db: Database | None = None
        self.services: Services | None = None

    def auth(self) -> AuthService:
        """The login service, the database opened first if it is not yet."""
        if self.services is None:
            from app.database import open_database
            from app.services import build_services

            self.db = open_database(self._target)
            self.services = build_services(self.db.sessions)
        return self.services.auth

    def dispose(self) -> None:
        """Close the database if it was opened."""
        if self.db is not None:
            self.db.dispose()


def _open(target: str | None, demo: bool) -> tuple[Database, Services, str] | None:
    from app.database import demo_database_path, open_database
    from app.services import build_services
    from ui.first_run_wizard import DEMO_REQUESTED, FirstRunWizard

    db = open_database(demo_database_path() if demo else target)
    services = build_services(db.sessions)
    hint = ""
    if demo:
        from app.demo import build_demo, demo_logins, login_hint

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
    prefer_chinese_system_locale()
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("StationDesk")
    app.setOrganizationName("StationDesk")
    install_fonts_and_style(app)
    install_qt_chinese(app)  # file, print and message dialogs without an English label
    install_wheel_guard(app)  # the wheel scrolls pages, not the values it passes over
    _install_excepthook()
    GarbageCollector(app)
    preview = None if demo else preview_station(target)
    station = _Station(str(preview.path) if preview is not None else target)
    hint = ""
    if preview is None:
        try:
            opened = _open(target, demo)
        except StationDeskError as exc:
            show_error(None, exc.message, "无法打开数据库")
            return 1
        if opened is None:
            return 0
        station.db, station.services, hint = opened
    settings = QSettings()
    try:
        while True:
            if station.services is None:
                assert preview is not None
                # Shown at once; the database is opened when the officer logs in.
                login = LoginDialog(station.auth, preview.name)
            else:
                station_name = station.services.station.settings().name
                login = LoginDialog(station.services.auth, station_name, hint=hint)
            if os.environ.get(EXIT_AT_LOGIN_ENV):
                QTimer.singleShot(0, login.reject)
            if not login.exec() or login.user is None:
                return 0
            user = login.user
            services, db = station.services, station.db
            assert services is not None and db is not None
            from ui.change_password_dialog import ChangePasswordDialog

            if (
                user.must_change_password
                and not ChangePasswordDialog(services.auth, user, forced=True).exec()
            ):
                continue
            from ui.main_window import MainWindow

            window = MainWindow(services, user, db.location, settings)
            window.show()
            app.exec()
            if not window.logout_requested:
                return 0
    finally:
        station.dispose()
