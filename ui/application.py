"""Starts the GUI: fonts, database, first-run wizard or demo, login, main window.

An initialised station's login window comes first: its name is read from the SQLite file
(app.station.preview) and the database is opened at the first login attempt. Anything else
(a new, server, unreadable or demo database) is opened, checked and migrated first, as before.

Without ``--db``, a counter that joined the station's server (app.station.workstation) opens that
server; a fresh PC's wizard can join one (连接本所服务器) instead of setting up a station.
"""

from __future__ import annotations

import logging
import os
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, QSize, QThreadPool, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from app.core.errors import DatabaseProblem, StationDeskError
from app.station.preview import StationPreview, preview_station
from app.station.workstation import ServerPasswordMissing, load_workstation, saved_target
from resources import RESOURCES_DIR
from ui.files import install_qt_chinese, prefer_chinese_system_locale
from ui.fonts import STANDARD_POINTS, apply_font_size, install_fonts_and_style, saved_font_size
from ui.garbage import GarbageCollector
from ui.login_dialog import LoginDialog
from ui.tasks import TaskRunner, run_with_progress
from ui.widgets.messages import show_error

if TYPE_CHECKING:
    from app.backup.service import BackupService
    from app.core.database import Database
    from app.core.dto import SessionUser
    from app.officers.auth import AuthService
    from app.services import Services
    from ui.main_window import MainWindow

# The database layer (SQLAlchemy), the demo builder and the main window (its pages, printing)
# are imported when needed: the login window of an initialised station comes up without them
# (tests/test_imports.py keeps it so).

logger = logging.getLogger(__name__)

# Start-up measurements (tests/test_imports.py, benchmarks): quit as soon as the login shows.
EXIT_AT_LOGIN_ENV = "STATIONDESK_EXIT_AT_LOGIN"
# How long quitting waits for a backup still being written (a big file to a slow share).
BACKUP_WAIT_MS = 10 * 60 * 1000
# The icon files resources/icons/stationdesk-<size>.png (from packaging/icons, the .deb's too).
ICON_SIZES = (16, 32, 48, 256)


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
            from app.services import build_services

            self.db = open_with_key(self._target)
            self.services = build_services(
                self.db.sessions, database=self.db, counter=this_counter()
            )
        return self.services.auth

    def dispose(self) -> None:
        """Close the database if it was opened."""
        if self.db is not None:
            self.db.dispose()


@dataclass
class _Opened:
    """The database a start opened, the login hint, and the officer the wizard signed in."""

    db: Database
    services: Services
    hint: str = ""
    user: SessionUser | None = None


def _open(target: str | None, demo: bool) -> tuple[Database, Services, str] | None:
    """The database, services and login hint, after the wizard or the demo build if needed."""
    opened = _open_station(target, demo)
    return None if opened is None else (opened.db, opened.services, opened.hint)


class _GaveUp(Exception):
    """The officer closed a question the start cannot go on without."""


def start_target(target: str | None, demo: bool) -> str | None:
    """What this start opens: ``--db`` when given, else the server this PC joined (its URL
    with the password), else None (the SQLite file in the user data folder).

    A saved server whose password is no longer on this PC asks for it; _GaveUp when the
    officer closes that question. A damaged settings file is a StationDeskError.
    """
    if target is not None or demo:
        return target
    try:
        return saved_target()
    except ServerPasswordMissing as exc:
        from ui.dialogs.server_dialog import ServerPasswordDialog

        dialog = ServerPasswordDialog(exc.server, exc.message)
        if not dialog.exec():
            raise _GaveUp from None
        return exc.server.url(dialog.password)


def _server_label() -> str:
    """The saved server as ``host:port/database``, for the wizard's title."""
    try:
        server = load_workstation().server
    except StationDeskError:
        server = None
    return server.display() if server is not None else "（服务器）"


def this_counter() -> str:
    """This PC's 窗口号 (本机设置), "" when none is set or its settings cannot be read."""
    from app.station.workstation import WorkstationProblem, load_workstation

    try:
        return load_workstation().counter
    except WorkstationProblem as exc:  # the counter still works; 本机设置 says what is wrong
        logger.warning("workstation settings: %s", exc.message)
        return ""


def _open_station(target: str | None, demo: bool) -> _Opened | None:
    """Open (first start: set up, join a server, or build the demo); None when the officer
    gave up."""
    from app.core.database import demo_database_path, resolve
    from app.services import build_services
    from ui.first_run_wizard import DEMO_REQUESTED, SERVER_JOINED, FirstRunWizard

    where = demo_database_path() if demo else target
    # A file this start creates is removed again if the station is never set up in it.
    _url, file = resolve(where)
    created = file is not None and not file.exists()
    db = open_with_key(where)
    services = build_services(db.sessions, database=db, counter=this_counter())
    if demo:
        from app.demo import demo_logins, login_hint

        if not services.station.is_initialized():
            try:
                _build_demo(db)
            except BaseException:
                _discard(db, file if created else None)
                raise
        return _Opened(db, services, login_hint(demo_logins()))
    if services.station.is_initialized():
        return _Opened(db, services)
    # On a server (the first counter, usually the chief's PC) the station is set up there.
    server = _server_label() if file is None else None
    wizard = FirstRunWizard(services.station, services.auth, server=server)
    result = wizard.exec()
    if result == DEMO_REQUESTED:
        _discard(db, file if created else None)
        return _open_station(None, demo=True)
    if result == SERVER_JOINED:
        _discard(db, file if created else None)
        joined = saved_target()
        return None if joined is None else _open_station(joined, demo=False)
    if result != QDialog.DialogCode.Accepted:
        _discard(db, file if created else None)
        return None
    return _Opened(db, services, user=wizard.user)


def open_with_key(where: str | Path | None) -> Database:
    """Open the database; on a computer without its station key, ask for the recovery code."""
    from app.core.database import enter_recovery_code, open_database, resolve
    from app.core.station_key import StationKeyNeeded
    from ui.key_dialog import KeyEntryDialog

    while True:
        try:
            if resolve(where)[1] is None and where is not None:
                # A server: the connection may take seconds (a slow network, a timeout).
                return run_with_progress(
                    None,
                    "正在连接本所服务器…",
                    lambda _progress: open_database(where),
                    "连接本所服务器",
                )
            return open_database(where)
        except StationKeyNeeded as exc:
            dialog = KeyEntryDialog(exc.message, partial(enter_recovery_code, where))
            if not dialog.exec():
                raise DatabaseProblem(
                    "未录入本所密钥，无法打开该数据库。请所长取出密钥恢复单后再启动本程序。"
                ) from None


def _build_demo(db: Database) -> None:
    """Build the demo station on a worker thread, its progress shown day by day."""
    from app.demo import build_demo

    run_with_progress(
        None,
        "正在生成演示数据…\n演示所的人员、服务事项和近半年的接待记录，只在第一次进入时生成，"
        "约需一两分钟。",
        lambda progress: build_demo(db.sessions, progress=progress),
        "进入演示所",
    )


def _discard(db: Database, file: Path | None) -> None:
    """Close the database; delete ``file`` (and SQLite's side files) when it is given."""
    db.dispose()
    if file is None:
        return
    for path in (file, *(file.with_name(file.name + s) for s in ("-wal", "-shm", "-journal"))):
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:  # the next start sets up the same file again: no harm done
            logger.warning("could not remove %s: %s", path, exc)


def application_icon() -> QIcon:
    """The program's icon in the sizes a title bar, a taskbar and Alt+Tab ask for."""
    icon = QIcon()
    for size in ICON_SIZES:
        icon.addFile(str(RESOURCES_DIR / "icons" / f"stationdesk-{size}.png"), QSize(size, size))
    return icon


def run_gui(target: str | None, demo: bool = False) -> int:
    """Run the application until the officer quits."""
    app = _start_application()
    from_server = target is None and not demo
    try:
        target = start_target(target, demo)
    except _GaveUp:
        return 0
    except StationDeskError as exc:
        show_error(None, exc.message, "无法读取本机设置")
        return 1
    from_server = from_server and target is not None
    preview = None if demo else preview_station(target)
    station = _Station(str(preview.path) if preview is not None else target)
    hint = ""
    # The officer who just set up the station is signed in by the wizard: no second login.
    signed_in: SessionUser | None = None
    if preview is None:
        opened = _open_until_given_up(target, demo, from_server)
        if isinstance(opened, int):
            return opened
        station.db, station.services, hint = opened.db, opened.services, opened.hint
        signed_in = opened.user
    settings = QSettings()
    try:
        return _run_sessions(app, station, preview, hint, signed_in, settings)
    finally:
        # A backup still being written finishes before the database is closed.
        QThreadPool.globalInstance().waitForDone(BACKUP_WAIT_MS)
        station.dispose()


def _start_application() -> QApplication:
    """The QApplication with its names, icon, fonts, Chinese dialogs and error hook."""
    prefer_chinese_system_locale()
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("StationDesk")
    app.setOrganizationName("StationDesk")
    # The taskbar and the window title bar show the menu entry's icon (packaging/icons).
    app.setWindowIcon(application_icon())
    app.setDesktopFileName("stationdesk")
    install_fonts_and_style(app)
    install_qt_chinese(app)  # file, print and message dialogs without an English label
    _install_excepthook()
    GarbageCollector(app)
    return app


def _open_until_given_up(target: str | None, demo: bool, from_server: bool) -> _Opened | int:
    """The opened station, or the exit code (0: the officer gave up; 1: it cannot be opened).

    The saved server that fails is tried again, or its connection corrected (本机设置).
    """
    while True:
        try:
            opened = _open_station(target, demo)
            break
        except StationDeskError as exc:
            if not from_server:
                show_error(None, exc.message, "无法打开数据库")
                return 1
            # The saved server: try again, or correct the connection (本机设置).
            try:
                target = _after_server_problem(exc.message)
                from_server = target is not None
            except _GaveUp:
                return 0
            except StationDeskError as again:
                show_error(None, again.message, "无法读取本机设置")
                return 1
    if opened is None:
        return 0
    return opened


def _run_sessions(
    app: QApplication,
    station: _Station,
    preview: StationPreview | None,
    hint: str,
    signed_in: SessionUser | None,
    settings: QSettings,
) -> int:
    """One officer's window after another (切换人员, a colleague at the locked window) until
    the login is closed or the program quits; the exit code."""
    while True:
        user, signed_in = signed_in, None
        if user is None:
            user = _log_in(station, preview, hint)
            if user is None:
                return 0
        services, db = station.services, station.db
        assert services is not None and db is not None
        apply_font_size(app, saved_font_size(settings, user.badge_no))  # 字号, per officer
        from ui.change_password_dialog import ChangePasswordDialog

        if (
            user.must_change_password
            and not ChangePasswordDialog(services.auth, user, forced=True).exec()
        ):
            apply_font_size(app, STANDARD_POINTS)
            continue
        window = _open_main_window(services, db, user, settings)
        app.exec()
        if not window.logout_requested:
            return 0
        # A colleague who logged in at the locked window carries on without a second login.
        signed_in = window.next_user
        apply_font_size(app, STANDARD_POINTS)  # the login screen is nobody's


def _open_main_window(
    services: Services, db: Database, user: SessionUser, settings: QSettings
) -> MainWindow:
    """The officer's window, shown, with the welcome and the day's backup to follow."""
    from ui.dialogs.release_notes_dialog import welcome_after_start
    from ui.main_window import MainWindow

    window = MainWindow(services, user, db.location, settings)
    window.show()
    # 更新说明 after an upgrade (once per PC), then 新手入门 on a new officer's first day.
    QTimer.singleShot(0, partial(welcome_after_start, window, db.backup))
    start_daily_backup(window, services.backup, partial(_refresh_backup_warning, window))
    return window


SERVER_PROBLEM_QUESTION = (
    "无法打开本所服务器上的台账：\n{message}\n\n可以重试，或在“本机设置”中改正服务器的连接。"
)


def _after_server_problem(message: str) -> str | None:
    """重试, 本机设置… or 退出 after the saved server failed; what to open next.

    _GaveUp for 退出. After 本机设置 the target is read again (None: this PC left the server).
    """
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(
        QMessageBox.Icon.Warning,
        "无法连接本所服务器",
        SERVER_PROBLEM_QUESTION.format(message=message),
    )
    retry = box.addButton("重试(&R)", QMessageBox.ButtonRole.AcceptRole)
    settings = box.addButton("本机设置(&E)…", QMessageBox.ButtonRole.ActionRole)
    quit_button = box.addButton("退出", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(retry)
    box.setEscapeButton(quit_button)
    box.exec()
    clicked = box.clickedButton()
    box.deleteLater()
    if clicked is settings:
        from ui.dialogs.workstation_dialog import WorkstationDialog

        dialog = WorkstationDialog(starting=True)
        dialog.exec()
        dialog.deleteLater()
    elif clicked is not retry:
        raise _GaveUp
    return start_target(None, demo=False)


def start_daily_backup(
    window: QWidget, backups: BackupService, after: Callable[[], None] | None = None
) -> TaskRunner:
    """The first start of a local day backs the database up, in the background.

    Whoever logs in first that day starts it; the status bar says how it went, and ``after``
    (refreshing the chief's warning) runs once it is over. A failure never stops the counter.
    """
    from ui.backup_task import back_up_in_background

    return back_up_in_background(window, backups.daily_backup_if_due, "今日自动备份", after)


def _refresh_backup_warning(window: MainWindow) -> None:
    from ui.pages.today_page import TodayPage

    page = window.pages.built("today")
    if isinstance(page, TodayPage):
        page.refresh_backup_warning()


def _log_in(station: _Station, preview: StationPreview | None, hint: str) -> SessionUser | None:
    """The officer who logs in, or None when the login window is closed."""
    if station.services is None:
        assert preview is not None
        # Shown at once; the database is opened when the officer logs in.
        login = LoginDialog(station.auth, preview.name)
    else:
        station_name = station.services.station.settings().name
        login = LoginDialog(station.services.auth, station_name, hint=hint)
    if os.environ.get(EXIT_AT_LOGIN_ENV):
        QTimer.singleShot(0, login, login.reject)
    if not login.exec():
        return None
    return login.user
