"""How long the counter has gone without keyboard or mouse input, for the idle lock (issue 12).

Where the time comes from, and why:

1. **The operating system's idle time**, when it can tell: ``GetLastInputInfo`` on Windows
   (always there) and ``XScreenSaverQueryInfo`` on X11 when ``libXss`` is installed (most
   desktops have it). It counts every key, mouse move, touch or pen stroke in the whole
   session: an officer typing in another program (the station's intranet) is at the counter,
   and a touch on the citizen's rating screen counts too. It is one cheap call per check.
2. **Input seen by this program's own windows**, always, and alone where the OS cannot tell
   (Wayland, the offscreen platform of the tests). An event filter sits on each top-level
   ``QWindow`` (``QGuiApplication.topLevelWindows()``), installed when a window takes the focus
   and again at each check. Not on the application: a Python filter on the application is
   handed every object's events, half-built widgets included, and crashed our CI inside a
   QDialog constructor. A ``QWindow`` is created by Qt itself when a widget is first shown and
   is complete by then, and every real key, click, wheel turn or touch reaches it before Qt
   passes it on to the widget in focus. The mouse cursor's position is compared at each check
   as well, so moving the mouse anywhere on the screen counts.

The idle time used is the smaller of the two, so an OS source that stops working (it is
dropped at its first error) never locks an officer who is typing. ``IdleWatcher`` polls the
source on a timer and emits ``idle`` once the station's limit is reached; tests hand it a
source they move by hand instead of waiting minutes.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import logging
import sys
import time
from collections.abc import Callable, Sequence
from typing import Protocol

from PySide6.QtCore import QEvent, QObject, QPoint, QTimer, Signal
from PySide6.QtGui import QCursor, QGuiApplication, QWindow

logger = logging.getLogger(__name__)

CHECK_MS = 2_000
# The setting's smallest value: below this the station's setting need not even be read.
FLOOR_SECONDS = 60

# Input a person makes; everything else a window receives (paint, expose, resize) is not.
INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.KeyRelease,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.TabletPress,
        QEvent.Type.TabletMove,
        QEvent.Type.InputMethod,
    }
)


class IdleSource(Protocol):
    """Seconds since the last keyboard or mouse input."""

    def idle_seconds(self) -> float: ...


class AppInputIdle(QObject):
    """Input seen by this program's top-level windows, and the mouse cursor moving anywhere.

    ``clock`` (monotonic seconds) can be replaced by tests.
    """

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        self._last = clock()
        self._cursor: QPoint | None = None
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            # A new dialog is watched as soon as it takes the focus, not only at the next check.
            app.focusWindowChanged.connect(self._watch)
        self.watch_windows()

    def watch_windows(self) -> None:
        """Put the filter on every top-level window (again: Qt keeps a filter only once)."""
        for window in QGuiApplication.topLevelWindows():
            window.installEventFilter(self)

    def _watch(self, window: QWindow | None) -> None:
        if window is not None:
            window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Note the time of any input; never keep an event from its window."""
        if event.type() in INPUT_EVENTS:
            self._last = self._clock()
        return False

    def idle_seconds(self) -> float:
        """Seconds since the last input seen (a moved mouse cursor included)."""
        self.watch_windows()
        cursor = QCursor.pos()
        if self._cursor is not None and cursor != self._cursor:
            self._last = self._clock()
        self._cursor = cursor
        return max(0.0, self._clock() - self._last)


class _LastInputInfo(ctypes.Structure):
    _fields_ = [("cbSize", ctypes.c_uint32), ("dwTime", ctypes.c_uint32)]


class WindowsIdle:
    """``GetLastInputInfo``: the session's last input, in the tick count's milliseconds."""

    def __init__(self) -> None:
        windll = ctypes.WinDLL  # type: ignore[attr-defined,unused-ignore]
        self._user32 = windll("user32", use_last_error=True)
        self._kernel32 = windll("kernel32")
        self._user32.GetLastInputInfo.argtypes = [ctypes.POINTER(_LastInputInfo)]
        self._user32.GetLastInputInfo.restype = ctypes.c_int
        self._kernel32.GetTickCount.argtypes = []
        self._kernel32.GetTickCount.restype = ctypes.c_uint32

    def idle_seconds(self) -> float:
        """Seconds since the last input anywhere in this Windows session."""
        info = _LastInputInfo(ctypes.sizeof(_LastInputInfo), 0)
        if not self._user32.GetLastInputInfo(ctypes.byref(info)):
            raise OSError("GetLastInputInfo failed")
        # Both are 32-bit millisecond counters that wrap after 49.7 days.
        return ((self._kernel32.GetTickCount() - info.dwTime) & 0xFFFFFFFF) / 1000.0


class _XScreenSaverInfo(ctypes.Structure):
    _fields_ = [
        ("window", ctypes.c_ulong),
        ("state", ctypes.c_int),
        ("kind", ctypes.c_int),
        ("til_or_since", ctypes.c_ulong),
        ("idle", ctypes.c_ulong),
        ("event_mask", ctypes.c_ulong),
    ]


class X11Idle:
    """``XScreenSaverQueryInfo`` (libXss) on its own connection to the X display."""

    def __init__(self, x11: ctypes.CDLL, xss: ctypes.CDLL, display: int) -> None:
        self._x11, self._xss, self._display = x11, xss, display
        self._root = x11.XDefaultRootWindow(display)
        self._info = xss.XScreenSaverAllocInfo()
        if not self._info:
            raise OSError("XScreenSaverAllocInfo failed")

    @classmethod
    def open(cls) -> X11Idle | None:
        """The display's idle time, or None without libX11, libXss, a display or the extension."""
        try:
            x11 = _load("X11", "libX11.so.6")
            xss = _load("Xss", "libXss.so.1")
        except OSError:
            return None
        x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
        x11.XOpenDisplay.restype = ctypes.c_void_p
        x11.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
        x11.XDefaultRootWindow.restype = ctypes.c_ulong
        x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
        x11.XFree.argtypes = [ctypes.c_void_p]
        xss.XScreenSaverQueryExtension.argtypes = [
            ctypes.c_void_p,
            ctypes.POINTER(ctypes.c_int),
            ctypes.POINTER(ctypes.c_int),
        ]
        xss.XScreenSaverQueryExtension.restype = ctypes.c_int
        xss.XScreenSaverAllocInfo.argtypes = []
        xss.XScreenSaverAllocInfo.restype = ctypes.POINTER(_XScreenSaverInfo)
        xss.XScreenSaverQueryInfo.argtypes = [
            ctypes.c_void_p,
            ctypes.c_ulong,
            ctypes.POINTER(_XScreenSaverInfo),
        ]
        xss.XScreenSaverQueryInfo.restype = ctypes.c_int
        display = x11.XOpenDisplay(None)
        if not display:
            return None
        event_base, error_base = ctypes.c_int(), ctypes.c_int()
        if not xss.XScreenSaverQueryExtension(
            display, ctypes.byref(event_base), ctypes.byref(error_base)
        ):
            x11.XCloseDisplay(display)
            return None
        try:
            return cls(x11, xss, display)
        except OSError:
            x11.XCloseDisplay(display)
            return None

    def idle_seconds(self) -> float:
        """Seconds since the X server last saw input from any client's keyboard or mouse."""
        if not self._xss.XScreenSaverQueryInfo(self._display, self._root, self._info):
            raise OSError("XScreenSaverQueryInfo failed")
        return float(self._info.contents.idle) / 1000.0

    def close(self) -> None:
        """Free the info and close the connection (once)."""
        if self._display:
            self._x11.XFree(self._info)
            self._x11.XCloseDisplay(self._display)
            self._display = 0


def _load(name: str, fallback: str) -> ctypes.CDLL:
    return ctypes.CDLL(ctypes.util.find_library(name) or fallback)


class CombinedIdle:
    """The smallest idle time of several sources; a source that fails is dropped."""

    def __init__(self, sources: Sequence[IdleSource]) -> None:
        self.sources = list(sources)

    def idle_seconds(self) -> float:
        """The shortest time since input that any working source reports."""
        times: list[float] = []
        for source in list(self.sources):
            try:
                times.append(source.idle_seconds())
            except OSError as exc:
                logger.warning("idle source %s stopped working: %s", type(source).__name__, exc)
                self.sources.remove(source)
        return min(times) if times else 0.0


@functools.cache
def os_idle_source() -> IdleSource | None:
    """The operating system's idle time where this platform has one we can read.

    Opened once per run (an X11 source holds its own connection to the display) and shared
    by every officer's window after it.
    """
    try:
        if sys.platform == "win32":
            return WindowsIdle()
        if QGuiApplication.platformName() == "xcb":
            return X11Idle.open()
    except (OSError, AttributeError) as exc:  # no such library or function: use the fallback
        logger.info("no system idle time: %s", exc)
    return None


def default_idle_source(parent: QObject | None = None) -> CombinedIdle:
    """The OS idle time where available, and always the input seen by our own windows."""
    sources: list[IdleSource] = []
    system = os_idle_source()
    if system is not None:
        sources.append(system)
    sources.append(AppInputIdle(parent=parent))
    logger.info("idle lock watches %s", ", ".join(type(s).__name__ for s in sources))
    return CombinedIdle(sources)


class IdleWatcher(QObject):
    """Emits ``idle`` once no input has come for the station's number of minutes.

    ``minutes`` is asked only once the idle time has passed ``FLOOR_SECONDS`` (the setting's
    least value), so a station setting read from the database costs nothing while the
    officer works. Paused while the window is locked; after ``resume`` the idle time counts
    from that moment (the source may not have seen the unlocking keys yet).
    """

    idle = Signal()

    def __init__(
        self,
        source: IdleSource,
        minutes: Callable[[], int],
        interval_ms: int = CHECK_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.source = source
        self._minutes = minutes
        self._paused = False
        self._baseline: float | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)
        self.resume()

    def start(self) -> None:
        """Check on the timer from now on."""
        self._timer.start()

    def stop(self) -> None:
        """No more checks."""
        self._timer.stop()

    def pause(self) -> None:
        """No ``idle`` until ``resume`` (the window is locked)."""
        self._paused = True

    def resume(self) -> None:
        """Count the idle time from now."""
        self._paused = False
        try:
            self._baseline = self.source.idle_seconds()
        except OSError:
            self._baseline = None

    @property
    def paused(self) -> bool:
        """True while the window is locked."""
        return self._paused

    def idle_seconds(self) -> float:
        """Seconds without input, counted from the last ``resume`` at the most."""
        seconds = self.source.idle_seconds()
        if self._baseline is not None:
            if seconds >= self._baseline:
                return seconds - self._baseline
            self._baseline = None  # input since the resume: the source's time is the truth
        return seconds

    def check(self) -> bool:
        """Emit ``idle`` (and pause) if the limit is reached; True when it was."""
        if self._paused:
            return False
        seconds = self.idle_seconds()
        if seconds < FLOOR_SECONDS or seconds < self._minutes() * 60:
            return False
        self._paused = True
        self.idle.emit()
        return True
