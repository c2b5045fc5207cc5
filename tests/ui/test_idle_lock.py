"""Idle lock (issue 12): idle or the system's screen lock locks the window, data covered.

The idle time comes from a source the test moves by hand (``FakeIdle``), or from the
fallback source with a clock the test moves (``AppInputIdle``) fed by real key events: no
test waits minutes. The lock's login dialog runs for real where the flow depends on its
modal loop (a timer types into it); elsewhere its ``exec`` is patched as in
tests/ui/test_main_window.py.
"""

from __future__ import annotations

import ctypes
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray, QPoint, QSettings, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QWidget
from sqlalchemy import select

import ui.application as application
from app.core.database import Database
from app.core.dto import SessionUser
from app.core.roles import Role
from app.services import Services
from db.models import AuditEvent
from tests.conftest import TEST_PASSWORD
from ui.dialogs.rating_dialog import RatingDialog
from ui.dialogs.registration_dialog import RegistrationDialog
from ui.idle import AppInputIdle, IdleWatcher
from ui.lock_cover import COVER_HINT, COVER_TEXT, LOCKED_TITLE, LockCover
from ui.login_dialog import LoginDialog
from ui.main_window import MainWindow
from ui.session_lock import (
    WM_WTSSESSION_CHANGE,
    WTS_SESSION_LOCK,
    SessionLockWatcher,
    _Msg,
    logind_session_path,
)


class FakeIdle:
    """An idle source the test sets by hand."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def idle_seconds(self) -> float:
        return self.seconds


class FakeClock:
    """Monotonic seconds the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def qsettings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def one_minute(services: Services, chief: SessionUser) -> None:
    """The station locks after one minute without input."""
    services.station.update_settings(
        chief, replace(services.station.settings(), idle_lock_minutes=1)
    )


@pytest.fixture
def officer(make_officer) -> SessionUser:  # type: ignore[no-untyped-def]
    return make_officer(Role.WINDOW, "张伟")


def _window(qtbot, services: Services, user: SessionUser, qsettings, source) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(services, user, "db", qsettings, idle_source=source)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def _watchdog(ms: int = 15_000) -> None:
    """Whatever goes wrong, the modal loops end in time and the test fails instead of hanging."""

    def unwind() -> None:
        for _ in range(10):
            modal = QApplication.activeModalWidget()
            if modal is None:
                return
            if isinstance(modal, QDialog):
                modal.done(QDialog.DialogCode.Rejected)
            else:
                modal.hide()

    QTimer.singleShot(ms, unwind)


def _covered(dialog: QWidget) -> bool:
    """An opaque cover lies over the whole dialog, on top of its content."""
    covers = [c for c in dialog.findChildren(LockCover) if c.isVisible()]
    if len(covers) != 1 or covers[0].geometry() != dialog.rect():
        return False
    texts = [label.text() for label in covers[0].findChildren(QLabel)]
    if texts != [COVER_TEXT, COVER_HINT] or not covers[0].autoFillBackground():
        return False
    hit = dialog.childAt(dialog.rect().center())
    return hit is covers[0] or (hit is not None and covers[0].isAncestorOf(hit))


def test_idle_locks_the_window_over_an_open_form_and_the_same_officer_gets_it_back(
    qtbot, services: Services, officer: SessionUser, qsettings: QSettings, one_minute: None
) -> None:  # type: ignore[no-untyped-def]
    idle = FakeIdle()
    window = _window(qtbot, services, officer, qsettings, idle)
    seen: dict[str, object] = {}

    def in_the_form() -> None:
        form = QApplication.activeModalWidget()
        assert isinstance(form, RegistrationDialog)
        form.name_edit.setText("李秀英")
        form.phone_edit.setText("13805710011")
        title = form.windowTitle()
        idle.seconds = 59
        seen["early"] = window.idle_watcher.check()
        idle.seconds = 61
        QTimer.singleShot(0, lambda: while_locked(form))
        window.idle_watcher.check()  # runs the lock's login dialog until unlocked
        seen["after"] = (
            window.locked,
            window.stack.currentWidget() is window.pages["today"],
            form.isVisible(),
            _covered(form),
            form.windowTitle() == title,
            form.name_edit.text(),
            form.phone_edit.text(),
        )
        form.done(QDialog.DialogCode.Rejected)

    def while_locked(form: RegistrationDialog) -> None:
        lock = window.lock_dialog
        assert lock is not None
        seen["locked"] = (
            window.locked,
            window.stack.currentWidget() is window.lock_page,
            window.nav.isEnabled(),
            form.isVisible(),  # still open under its cover: its loop and data live on
            _covered(form),
            form.windowTitle(),
            QApplication.activeModalWidget() is lock,
        )
        lock.password_edit.setText(TEST_PASSWORD)
        lock.ok_button.click()

    _watchdog()
    QTimer.singleShot(0, in_the_form)
    window.open_registration()

    assert seen["early"] is False
    assert seen["locked"] == (True, True, False, True, True, LOCKED_TITLE, True)
    assert seen["after"] == (False, True, True, False, True, "李秀英", "13805710011")


def test_the_citizens_rating_screen_shows_only_please_wait_while_locked(
    qtbot, monkeypatch, services: Services, officer: SessionUser, qsettings: QSettings
) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot, services, officer, qsettings, FakeIdle())
    heading = "HPL-2025-0001　办理居住证"
    rating = RatingDialog(services.ratings, officer, 1, heading, "李秀英", window)
    rating.ask_before_closing = False  # deleted with its parent window after the test
    rating.show()
    rating.overall.choose(1)
    seen: dict[str, object] = {}

    def fake_exec(dialog: LoginDialog) -> int:
        seen["page"] = rating.pages.currentWidget() is rating.wait_page
        seen["text"] = rating.wait_page.text()
        seen["title"] = rating.windowTitle()
        seen["data_visible"] = [
            w.isVisible() for w in (rating.officer_label, rating.heading_label, rating.signer)
        ]
        seen["covers"] = rating.findChildren(LockCover)
        dialog.password_edit.setText(TEST_PASSWORD)
        dialog.ok_button.click()
        return int(dialog.result())

    monkeypatch.setattr(LoginDialog, "exec", fake_exec)
    window.lock()

    assert seen == {
        "page": True,
        "text": "请稍候",
        "title": "请稍候",
        "data_visible": [False, False, False],
        "covers": [],  # the rating screen covers itself, in its own style
    }
    assert rating.pages.currentIndex() == 0 and rating.windowTitle() == "请您评价本次服务"
    assert rating.overall.level() == 1 and rating.signer.text() == "李秀英"


def _audit(db: Database) -> list[tuple[str, int | None]]:
    with db.sessions() as session:
        return [
            (e.action, e.officer_id)
            for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        ]


def test_a_colleagues_login_logs_the_first_officer_out_and_hands_the_window_over(
    qtbot, monkeypatch, db: Database, services: Services, make_officer, qsettings: QSettings
) -> None:  # type: ignore[no-untyped-def]
    first = make_officer(Role.WINDOW, "张伟")
    colleague = make_officer(Role.WINDOW, "李娜")
    window = _window(qtbot, services, first, qsettings, FakeIdle())
    form = RegistrationDialog(services.visits, services.catalogue, first, window)
    qtbot.addWidget(form)
    form.open()
    form.name_edit.setText("李秀英")
    before = len(_audit(db))
    seen: dict[str, object] = {}

    def fake_exec(dialog: LoginDialog) -> int:
        assert dialog.colleague_button is not None
        dialog.colleague_button.click()
        seen["badge_editable"] = not dialog.badge_edit.isReadOnly()
        seen["warning"] = dialog.subtitle.text()
        dialog.badge_edit.setText(colleague.badge_no)
        dialog.password_edit.setText(TEST_PASSWORD)
        dialog.ok_button.click()
        return int(dialog.result())

    monkeypatch.setattr(LoginDialog, "exec", fake_exec)
    window.lock()

    assert seen["badge_editable"] is True
    assert "张伟 将被注销" in str(seen["warning"])
    assert window.next_user == colleague and window.logout_requested
    assert window.locked and window.stack.currentWidget() is window.lock_page
    assert not form.isVisible() and form.result() == QDialog.DialogCode.Rejected
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=3000)
    assert _audit(db)[before:] == [
        ("logout", first.officer_id),
        ("login", colleague.officer_id),
    ]


def test_run_gui_carries_on_as_the_colleague_after_the_system_locked_the_screen(
    qtbot, monkeypatch, tmp_path: Path, db_path: Path, make_officer
) -> None:  # type: ignore[no-untyped-def]
    """End to end through ui.application: the colleague's window opens, no second login."""
    first = make_officer(Role.WINDOW, "张伟")
    colleague = make_officer(Role.WINDOW, "李娜")
    logins: list[int] = []

    def log_in_first(station, _preview, _hint):  # type: ignore[no-untyped-def]
        station.auth()  # the database is opened at the login, as by the real dialog
        logins.append(1)
        return first if len(logins) == 1 else None

    monkeypatch.setattr(application, "_log_in", log_in_first)
    ini = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    monkeypatch.setattr(application, "QSettings", lambda: ini)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # run_gui installs its own
    windows: list[str] = []
    app = QApplication.instance()
    assert isinstance(app, QApplication)

    def main_windows() -> list[MainWindow]:
        return [w for w in app.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]

    def drive() -> None:
        for window in main_windows():
            label = window.user_label.text()
            if label not in windows:
                windows.append(label)
            if "张伟" in label and not window.locked:
                window.session_lock.notify_locked()  # as Win+L or the screen saver would
            elif "张伟" in label and window.lock_dialog is not None:
                lock = window.lock_dialog
                if not lock.colleague_mode:
                    lock.toggle_colleague()
                    lock.badge_edit.setText(colleague.badge_no)
                    lock.password_edit.setText(TEST_PASSWORD)
                    lock.ok_button.click()
            elif "李娜" in label:
                driver.stop()
                window.close()

    driver = QTimer()
    driver.setInterval(50)
    driver.timeout.connect(drive)
    driver.start()

    def give_up() -> None:
        driver.stop()
        for widget in app.topLevelWidgets():
            widget.close()
        app.quit()

    QTimer.singleShot(20_000, give_up)

    assert application.run_gui(str(db_path)) == 0
    assert [("张伟" in w, "李娜" in w) for w in windows] == [(True, False), (False, True)]
    assert logins == [1]  # the colleague was not asked to log in again


def test_keys_and_mouse_seen_by_the_windows_reset_the_fallback_idle_time(
    qtbot, monkeypatch, services: Services, officer: SessionUser, qsettings: QSettings, one_minute
) -> None:  # type: ignore[no-untyped-def]
    clock = FakeClock()
    source = AppInputIdle(clock)
    window = _window(qtbot, services, officer, qsettings, source)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    handle = window.windowHandle()
    assert handle is not None

    clock.now += 50
    assert source.idle_seconds() == 50
    qtbot.keyClick(handle, Qt.Key.Key_Shift)  # a real key, through the window as from the OS
    assert source.idle_seconds() == 0
    # The cursor may already stand where an earlier test left it (no move then): from one
    # point to another is a move whatever came before.
    QTest.mouseMove(handle, QPoint(300, 200))
    clock.now += 40
    QTest.mouseMove(handle, QPoint(340, 230))
    assert source.idle_seconds() == 0

    # Keys typed into a dialog count as well (its window is watched once it has the focus).
    form = RegistrationDialog(services.visits, services.catalogue, officer, window)
    qtbot.addWidget(form)
    form.show()
    qtbot.waitExposed(form)
    form.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is form)
    clock.now += 55
    form_handle = form.windowHandle()
    assert form_handle is not None
    for digit in "13805710011":
        QTest.keyClick(form_handle, digit)
    assert form.id_edit.text() + form.phone_edit.text() != ""  # the keys reached a field
    assert source.idle_seconds() == 0
    assert window.idle_watcher.check() is False

    seen: list[bool] = []

    def fake_exec(dialog: LoginDialog) -> int:
        seen.append(window.locked)
        dialog.password_edit.setText(TEST_PASSWORD)
        dialog.ok_button.click()
        return int(dialog.result())

    monkeypatch.setattr(LoginDialog, "exec", fake_exec)
    clock.now += 61
    assert window.idle_watcher.check() is True  # a minute without input: locked
    assert seen == [True] and not window.locked


def test_the_setting_is_read_again_and_a_locked_window_is_not_locked_twice(
    qtbot, monkeypatch, services: Services, chief: SessionUser, officer: SessionUser, qsettings
) -> None:  # type: ignore[no-untyped-def]
    idle = FakeIdle()
    window = _window(qtbot, services, officer, qsettings, idle)
    locks: list[int] = []

    def fake_exec(dialog: LoginDialog) -> int:
        locks.append(1)
        assert window.idle_watcher.check() is False  # paused while locked
        dialog.password_edit.setText(TEST_PASSWORD)
        dialog.ok_button.click()
        return int(dialog.result())

    monkeypatch.setattr(LoginDialog, "exec", fake_exec)
    idle.seconds = 4 * 60
    assert window.idle_watcher.check() is False  # the default is five minutes
    services.station.update_settings(
        chief, replace(services.station.settings(), idle_lock_minutes=3)
    )
    assert window.idle_watcher.check() is True  # the chief's new value, without a restart
    assert locks == [1] and not window.locked
    # Unlocked without a key the source saw: the minutes count again from the unlock.
    idle.seconds = 5 * 60
    assert window.idle_watcher.check() is False
    idle.seconds = 7 * 60 + 1
    assert window.idle_watcher.check() is True
    assert locks == [1, 1]


def test_the_idle_watcher_alone_waits_for_the_minutes_it_is_given() -> None:
    idle = FakeIdle()
    minutes: list[int] = []

    def one() -> int:
        minutes.append(1)
        return 1

    watcher = IdleWatcher(idle, one)
    fired: list[int] = []
    watcher.idle.connect(lambda: fired.append(1))
    idle.seconds = 59
    assert watcher.check() is False
    assert minutes == []  # under a minute the setting is not even read
    idle.seconds = 60
    assert watcher.check() is True and watcher.paused and fired == [1]
    assert watcher.check() is False and fired == [1]
    watcher.resume()
    idle.seconds = 5  # input since
    assert watcher.check() is False
    idle.seconds = 61
    assert watcher.check() is True and fired == [1, 1]


def test_the_systems_session_lock_locks_the_window(
    qtbot, monkeypatch, services: Services, officer: SessionUser, qsettings: QSettings
) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot, services, officer, qsettings, FakeIdle())
    seen: list[bool] = []

    def fake_exec(dialog: LoginDialog) -> int:
        seen.append(window.stack.currentWidget() is window.lock_page)
        dialog.password_edit.setText(TEST_PASSWORD)
        dialog.ok_button.click()
        return int(dialog.result())

    monkeypatch.setattr(LoginDialog, "exec", fake_exec)
    # What Windows sends the main window on Win+L, built in memory.
    msg = _Msg(None, WM_WTSSESSION_CHANGE, WTS_SESSION_LOCK, 0)
    other = _Msg(None, WM_WTSSESSION_CHANGE, WTS_SESSION_LOCK + 1, 0)  # WTS_SESSION_UNLOCK
    window.session_lock.handle_native(QByteArray(b"windows_generic_MSG"), ctypes.addressof(other))
    window.session_lock.handle_native(QByteArray(b"xcb_generic_event_t"), ctypes.addressof(msg))
    qtbot.wait(50)
    assert seen == []
    window.session_lock.handle_native(QByteArray(b"windows_generic_MSG"), ctypes.addressof(msg))
    qtbot.waitUntil(lambda: seen == [True], timeout=2000)
    # The D-Bus slots (logind's Lock, a screen saver's ActiveChanged) end in the same place.
    window.session_lock.on_active_changed(False)
    qtbot.wait(50)
    assert seen == [True]
    window.session_lock.on_logind_lock()
    qtbot.waitUntil(lambda: seen == [True, True], timeout=2000)
    assert not window.locked


def test_logind_paths_are_escaped_as_systemd_does() -> None:
    assert logind_session_path("3") == "/org/freedesktop/login1/session/_33"
    assert logind_session_path("c2") == "/org/freedesktop/login1/session/c2"
    assert logind_session_path("") == "/org/freedesktop/login1/session/_"


@pytest.fixture
def private_bus() -> Iterator[Callable[[str], object]]:
    """A D-Bus daemon of the test's own; yields a function that connects to it by name."""
    if shutil.which("dbus-daemon") is None:
        pytest.skip("no dbus-daemon")
    from PySide6.QtDBus import QDBusConnection

    daemon = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--print-address"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert daemon.stdout is not None
        address = daemon.stdout.readline().strip()
        names: list[str] = []

        def connect(name: str) -> object:
            names.append(name)
            return QDBusConnection.connectToBus(address, name)

        yield connect
        for name in names:
            QDBusConnection.disconnectFromBus(name)
    finally:
        daemon.terminate()
        daemon.wait(5)


def test_screen_saver_and_logind_signals_on_a_real_bus_reach_the_watcher(
    qtbot, monkeypatch, private_bus
) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtDBus import QDBusConnection, QDBusMessage

    monkeypatch.setenv("XDG_SESSION_ID", "3")
    watched = private_bus("watcher")
    sender = private_bus("desktop")
    assert isinstance(watched, QDBusConnection) and isinstance(sender, QDBusConnection)
    assert sender.registerService("org.freedesktop.login1")  # logind, played by the test
    watcher = SessionLockWatcher()
    watcher.watch_buses(watched, watched)
    assert "org.gnome.ScreenSaver /org/gnome/ScreenSaver" in watcher.watching
    assert "org.freedesktop.login1 /org/freedesktop/login1/session/_33" in watcher.watching

    def send(path: str, interface: str, name: str, args: list[object]) -> None:
        message = QDBusMessage.createSignal(path, interface, name)
        message.setArguments(args)
        assert sender.send(message)

    fired: list[int] = []
    watcher.session_locked.connect(lambda: fired.append(1))
    send("/org/gnome/ScreenSaver", "org.gnome.ScreenSaver", "ActiveChanged", [False])
    send("/org/gnome/ScreenSaver", "org.gnome.ScreenSaver", "ActiveChanged", ["odd"])
    with qtbot.waitSignal(watcher.session_locked, timeout=3000):
        send("/org/gnome/ScreenSaver", "org.gnome.ScreenSaver", "ActiveChanged", [True])
    with qtbot.waitSignal(watcher.session_locked, timeout=3000):
        send(logind_session_path("3"), "org.freedesktop.login1.Session", "Lock", [])
    qtbot.wait(100)
    assert fired == [1, 1]


def test_a_colleague_logs_in_at_the_lock_screen_by_keys_alone(
    qtbot, services: Services, make_officer
) -> None:  # type: ignore[no-untyped-def]
    first = make_officer(Role.WINDOW, "张伟")
    colleague = make_officer(Role.WINDOW, "李娜")
    dialog = LoginDialog(services.auth, "和平路派出所", locked_user=first)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    assert dialog.colleague_button is not None
    # Tab from the password passes the default through 解锁 on the way to the switch.
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Tab)
    while QApplication.focusWidget() is not dialog.colleague_button:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    qtbot.keyClick(dialog.colleague_button, Qt.Key.Key_Space)

    assert dialog.colleague_mode and QApplication.focusWidget() is dialog.badge_edit
    assert dialog.ok_button.text() == "登录" and dialog.ok_button.isDefault()
    qtbot.keyClicks(dialog.badge_edit, colleague.badge_no)
    qtbot.keyClick(dialog.badge_edit, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.password_edit, TEST_PASSWORD)
    with qtbot.waitSignal(dialog.accepted, timeout=3000):
        qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    assert dialog.took_over and dialog.user == colleague


def test_enter_unlocks_after_the_officer_tabbed_through_every_button(
    qtbot, services: Services, make_officer
) -> None:  # type: ignore[no-untyped-def]
    # Seen on a real X server: Tab from the password through 解锁, 其他民警登录 and 退出程序
    # (buttons that are not defaults) and back left no default button, and Enter did nothing.
    officer = make_officer(Role.WINDOW, "张伟")
    dialog = LoginDialog(services.auth, "和平路派出所", locked_user=officer)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Tab)
    while QApplication.focusWidget() is not dialog.password_edit:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.password_edit, TEST_PASSWORD)

    with qtbot.waitSignal(dialog.accepted, timeout=3000):
        qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    assert dialog.user == officer and not dialog.took_over
