"""The operating system's screen lock (Win+L, the screen saver) locks the counter too.

Best effort, never an error: what the platform offers is watched, anything missing is skipped.

- Windows: ``WTSRegisterSessionNotification`` for the main window, whose ``nativeEvent``
  hands each message to ``handle_native``; ``WM_WTSSESSION_CHANGE`` with ``WTS_SESSION_LOCK``
  means the session was locked.
- Linux (QtDBus, part of PySide6-Essentials): logind's ``Lock`` signal on this session
  (``loginctl lock-session``, and what desktops send before they lock), and ``ActiveChanged(true)``
  of the screen savers of the freedesktop standard (KDE and others), GNOME, MATE and Cinnamon.

Every path ends in ``notify_locked``, which emits ``session_locked``; tests call it (or the
D-Bus slot, or ``handle_native`` with a message built in memory) instead of locking a desktop.
"""

from __future__ import annotations

import ctypes
import logging
import os
import sys
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import SLOT, QObject, Signal, Slot
from PySide6.QtGui import QGuiApplication

if TYPE_CHECKING:
    from PySide6.QtDBus import QDBusConnection

logger = logging.getLogger(__name__)

WM_WTSSESSION_CHANGE = 0x02B1
WTS_SESSION_LOCK = 0x7
NOTIFY_FOR_THIS_SESSION = 0
WINDOWS_MESSAGE = b"windows_generic_MSG"

LOGIND = "org.freedesktop.login1"
# (interface, object path) of the screen savers that announce ActiveChanged(bool).
SCREEN_SAVERS = (
    ("org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver"),
    ("org.freedesktop.ScreenSaver", "/ScreenSaver"),
    ("org.gnome.ScreenSaver", "/org/gnome/ScreenSaver"),
    ("org.mate.ScreenSaver", "/org/mate/ScreenSaver"),
    ("org.cinnamon.ScreenSaver", "/org/cinnamon/ScreenSaver"),
)
# Platforms without a user session to lock (tests, screenshots).
HEADLESS = ("offscreen", "minimal", "vnc")


class _Msg(ctypes.Structure):
    """The head of Windows' MSG: HWND, UINT message, WPARAM, LPARAM (pointer-sized)."""

    _fields_ = [
        ("hwnd", ctypes.c_void_p),
        ("message", ctypes.c_uint),
        ("wParam", ctypes.c_size_t),
        ("lParam", ctypes.c_ssize_t),
    ]


def is_session_lock_message(event_type: bytes, message: int) -> bool:
    """True when the native message at address ``message`` says the Windows session locked."""
    if event_type != WINDOWS_MESSAGE or not message:
        return False
    msg = _Msg.from_address(message)
    return msg.message == WM_WTSSESSION_CHANGE and msg.wParam == WTS_SESSION_LOCK


def _slot(signature: str) -> bytes:
    """A slot as QtDBus wants it named: Qt's SLOT() string.

    PySide6 6.11 takes only the str at run time (bytes raise ValueError), though its stubs
    ask for bytes; the cast keeps mypy on the stubs' side.
    """
    return cast(bytes, SLOT(signature))


def logind_session_path(session_id: str) -> str:
    """logind's object path for a session id (sd_bus_path_encode: ``3`` → ``_33``)."""
    escaped = "".join(
        c
        if (c.isascii() and c.isalpha()) or (i > 0 and c.isascii() and c.isdigit())
        else "".join(f"_{b:02x}" for b in c.encode())
        for i, c in enumerate(session_id)
    )
    return f"/org/freedesktop/login1/session/{escaped or '_'}"


class SessionLockWatcher(QObject):
    """Emits ``session_locked`` when the operating system locks the user's session."""

    session_locked = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.watching: list[str] = []
        self._hwnd = 0

    def notify_locked(self) -> None:
        """The session was locked (every platform's path ends here)."""
        logger.info("the system's session was locked")
        self.session_locked.emit()

    # ---- Windows ---------------------------------------------------------------------------

    def watch_window(self, hwnd: int) -> None:
        """Ask Windows to send this window the session's lock and unlock messages."""
        if sys.platform == "win32" and not self._hwnd:
            try:
                wtsapi32 = ctypes.WinDLL("wtsapi32")
                register = wtsapi32.WTSRegisterSessionNotification
                register.argtypes = [ctypes.c_void_p, ctypes.c_uint32]
                register.restype = ctypes.c_int
                if register(hwnd, NOTIFY_FOR_THIS_SESSION):
                    self._hwnd = hwnd
                    self.watching.append("WTSRegisterSessionNotification")
                else:
                    logger.warning("WTSRegisterSessionNotification refused")
            except (OSError, AttributeError) as exc:
                logger.warning("no session notifications: %s", exc)

    def unwatch_window(self) -> None:
        """Stop the notifications (the window is closing)."""
        if sys.platform == "win32" and self._hwnd:
            try:
                wtsapi32 = ctypes.WinDLL("wtsapi32")
                wtsapi32.WTSUnRegisterSessionNotification.argtypes = [ctypes.c_void_p]
                wtsapi32.WTSUnRegisterSessionNotification(self._hwnd)
            except (OSError, AttributeError) as exc:
                logger.warning("could not stop session notifications: %s", exc)
            self._hwnd = 0

    def handle_native(self, event_type: object, message: object) -> None:
        """A native message of the main window: notice the session lock, never raise."""
        try:
            raw = event_type.data() if hasattr(event_type, "data") else event_type
            kind = bytes(raw) if isinstance(raw, (bytes, bytearray, memoryview)) else b""
            address = int(message)  # type: ignore[call-overload]
            if is_session_lock_message(kind, address):
                self.notify_locked()
        except (TypeError, ValueError, OSError) as exc:
            logger.debug("native message not understood: %s", exc)

    # ---- Linux: D-Bus ----------------------------------------------------------------------

    def watch_desktop(self) -> list[str]:
        """Watch logind and the desktop's screen saver where there is a D-Bus; what is watched."""
        if not sys.platform.startswith("linux") or QGuiApplication.platformName() in HEADLESS:
            return self.watching
        try:
            from PySide6.QtDBus import QDBusConnection
        except ImportError:
            logger.info("no QtDBus: the system's screen lock is not followed")
            return self.watching
        try:
            self.watch_buses(QDBusConnection.sessionBus(), QDBusConnection.systemBus())
        except Exception as exc:  # a D-Bus oddity must never stop the counter
            logger.warning("could not watch the screen lock: %s", exc)
        logger.info("screen lock watched through: %s", ", ".join(self.watching) or "nothing")
        return self.watching

    def watch_buses(
        self, session_bus: QDBusConnection | None, system_bus: QDBusConnection | None
    ) -> None:
        """Connect to the screen savers on ``session_bus`` and logind on ``system_bus``."""
        if session_bus is not None and session_bus.isConnected():
            for interface, path in SCREEN_SAVERS:
                if session_bus.connect(
                    "", path, interface, "ActiveChanged", self, _slot("on_active_changed(bool)")
                ):
                    self.watching.append(f"{interface} {path}")
        session_id = os.environ.get("XDG_SESSION_ID", "")
        if system_bus is not None and system_bus.isConnected() and session_id:
            path = logind_session_path(session_id)
            if system_bus.connect(
                LOGIND, path, f"{LOGIND}.Session", "Lock", self, _slot("on_logind_lock()")
            ):
                self.watching.append(f"{LOGIND} {path}")

    @Slot(bool)
    def on_active_changed(self, active: bool) -> None:
        """A screen saver started (True) or stopped (False)."""
        if active:
            self.notify_locked()

    @Slot()
    def on_logind_lock(self) -> None:
        """logind asks the session's programs to lock."""
        self.notify_locked()
