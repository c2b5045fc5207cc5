"""The main window: navigation between pages, status bar, menus, lock and geometry.

Each page is built, and its module imported, the first time it is shown (or asked for through
``pages``): the window opens at the cost of its first page, and a page's lists are loaded only
by the officer who opens it.

The window locks (系统 → 锁定屏幕, Ctrl+L) after the station's number of minutes without input
(ui.idle) and when the system's session locks (ui.session_lock): the lock page shows, every
open dialog is covered where it is (ui.lock_cover), and the same officer's password gives it
all back as it was. A colleague may log in instead; the first officer is then logged out, the
dialogs are closed unsaved, and ``next_user`` tells ui.application whose window comes next.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
from collections.abc import Callable, Iterator, Mapping

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QWidget,
)

from app.core.dto import SessionUser
from app.core.errors import StationDeskError
from app.services import Services
from app.station.dto import StationSettings
from ui._main_window_menus import MainWindowMenus
from ui._main_window_pages import make_page, page_entries
from ui._main_window_session import MainWindowSession
from ui.help_dialog import install_help_key
from ui.idle import IdleSource, IdleWatcher, default_idle_source
from ui.live_refresh import LiveRefresh
from ui.localtime import set_station_timezone
from ui.login_dialog import LoginDialog
from ui.session_lock import SessionLockWatcher
from ui.widgets.elided_label import ElidedLabel
from ui.widgets.enter_clicks import enter_clicks
from ui.widgets.wheel_guard import guard_wheel

logger = logging.getLogger(__name__)


class LazyPages(Mapping[str, QWidget]):
    """The pages the officer may open, by key; each is built the first time it is looked up.

    ``key in pages`` and iteration never build anything; ``pages[key]`` and ``pages.get(key)``
    build the page if it was not yet.
    """

    def __init__(self, keys: list[str], build: Callable[[str], QWidget]) -> None:
        self._keys = keys
        self._build = build
        self._built: dict[str, QWidget] = {}

    def __getitem__(self, key: str) -> QWidget:
        page = self._built.get(key)
        if page is None:
            if key not in self._keys:
                raise KeyError(key)
            page = self._built[key] = self._build(key)
        return page

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def all_built(self) -> dict[str, QWidget]:
        """The pages built so far, by key."""
        return dict(self._built)

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def built(self, key: str) -> QWidget | None:
        """The page if it has been built, without building it."""
        return self._built.get(key)


def idle_minutes_reader(services: Services, first: int) -> Callable[[], int]:
    """The station's idle-lock minutes, read again at each look (the chief may change them).

    A plain function, not a method: the window's own watcher must hold no reference to the
    window, whose C++ side is deleted before its children.
    """
    last = first

    def read() -> int:
        nonlocal last
        try:
            last = services.station.settings().idle_lock_minutes
        except StationDeskError as exc:  # the server away for a moment: keep the last value
            logger.warning("idle lock setting not read: %s", exc)
        return last

    return read


class MainWindow(MainWindowMenus, MainWindowSession, QMainWindow):
    """One officer's session at the counter.

    Its menus are MainWindowMenus (ui._main_window_menus); locking, 交接班 and leaving are
    MainWindowSession (ui._main_window_session); its pages are made by ui._main_window_pages.
    """

    def __init__(
        self,
        services: Services,
        user: SessionUser,
        location: str,
        settings: QSettings,
        today: dt.date | None = None,
        idle_source: IdleSource | None = None,
    ) -> None:
        super().__init__()
        self._services = services
        self._user = user
        self._location = location
        self._settings = settings
        self.logout_requested = False
        self._shift_checked = False  # 退出 already went through 交接班
        # The colleague who logged in at the locked window: ui.application continues with them.
        self.next_user: SessionUser | None = None
        self.locked = False
        self.lock_dialog: LoginDialog | None = None
        self.live: LiveRefresh | None = None  # see below, once the status bar is there
        self._uncover: list[Callable[[], None]] = []
        station = self._station = services.station.settings()
        set_station_timezone(station.timezone)
        self._station_name = station.name
        self.setWindowTitle(f"派出所窗口服务台账 — {station.name}")
        self.setMinimumSize(900, 600)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            install_help_key(app)  # F1: the manual of the page or form in front

        self._build_navigation(today)
        self._build_central()
        self._build_status_bar(station, location)
        self.refresh_calendar_warning()
        self._build_menus()
        self._restore_geometry()
        self._watch_for_lock(idle_source, station)

    def _build_navigation(self, today: dt.date | None) -> None:
        """The navigation list, the stack of pages (stand-ins until shown) and the lock page."""
        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setFixedWidth(168)
        self.stack = QStackedWidget()
        self._today = today or self._services.station.today()
        pages = page_entries(self._user.role)
        self._keys = [key for key, _title, visible in pages if visible]
        for title in (title for _key, title, visible in pages if visible):
            # A stand-in until the page is first shown (see _build_page).
            self.stack.addWidget(QWidget())
            QListWidgetItem(title, self.nav)
        self.pages = LazyPages(self._keys, self._build_page)
        self.lock_page = QLabel("本机已锁定")
        self.lock_page.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.lock_page.setObjectName("lockPage")
        self.stack.addWidget(self.lock_page)
        self.nav.currentRowChanged.connect(self._on_nav_row_changed)
        self.nav.setCurrentRow(0)

    def _build_central(self) -> None:
        """The navigation on the left, the page in view beside it."""
        central = QWidget()
        box = QHBoxLayout(central)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(self.nav)
        box.addWidget(self.stack, 1)
        self.setCentralWidget(central)

    def _build_status_bar(self, station: StationSettings, location: str) -> None:
        """Who is logged in, the station, the calendar warning, the database and the counter."""
        user = self._user
        self.user_label = QLabel(f"当前：{user.name}（{user.role.label}，警号 {user.badge_no}）")
        # The station and the path give way (elided, whole in the tooltip) when the warning
        # needs the room, as with 特大 text on a 1366 screen.
        self.station_label = ElidedLabel(station.name)
        self.db_label = ElidedLabel(f"数据库：{location}")
        bar = self.statusBar()
        bar.addWidget(self.user_label)
        bar.addWidget(self.station_label)
        # Seen at login by those who answer for deadlines, without a dialog to stop the queue.
        self.calendar_warning = QPushButton()
        self.calendar_warning.setObjectName("calendarWarning")
        self.calendar_warning.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.calendar_warning.clicked.connect(self._on_calendar_warning_clicked)
        bar.addPermanentWidget(self.calendar_warning)
        bar.addPermanentWidget(self.db_label)
        self.counter_label = QLabel()
        bar.addWidget(self.counter_label)
        self._show_counter(self._services.counter)
        # Other counters' registrations, handovers and locks show here within a moment.
        if self._services.database is not None:
            self.live = LiveRefresh(
                self._services.database,
                self.pages.all_built,
                self.current_key,
                bar,
                self,
            )

    def _watch_for_lock(self, idle_source: IdleSource | None, station: StationSettings) -> None:
        """Lock after the station's idle minutes, and when the system's session locks."""
        self.idle_watcher = IdleWatcher(
            idle_source if idle_source is not None else default_idle_source(self),
            idle_minutes_reader(self._services, station.idle_lock_minutes),
            parent=self,
        )
        self.idle_watcher.idle.connect(self.lock)
        self.idle_watcher.start()
        self.session_lock = SessionLockWatcher(self)
        self.session_lock.session_locked.connect(self.request_lock)
        self.session_lock.watch_desktop()

    def _make_page(self, key: str) -> QWidget:
        """A new page ``key`` (its module imported now), wired to the window."""
        return make_page(key, self._services, self._user, self._today, self._station, self)

    def _build_page(self, key: str) -> QWidget:
        """Build the page ``key`` and put it in its stand-in's place in the stack."""
        index = self._keys.index(key)
        page = self._make_page(key)
        guard_wheel(page)  # the wheel scrolls the page, not the values it passes over
        enter_clicks(page)  # Enter presses the focused button, as Space does
        stand_in = self.stack.widget(index)
        assert stand_in is not None
        showing = self.stack.currentIndex() == index
        self.stack.insertWidget(index, page)
        self.stack.removeWidget(stand_in)
        stand_in.deleteLater()
        if showing:
            self.stack.setCurrentIndex(index)
        return page

    def _on_nav_row_changed(self, row: int) -> None:
        if 0 <= row < len(self._keys):
            # The page is built the first time it is shown.
            self.stack.setCurrentWidget(self.pages[self._keys[row]])
            if self.live is not None:
                self.live.page_shown(self._keys[row])

    def current_key(self) -> str:
        """The key of the page in front ("" while the window is locked)."""
        current = self.stack.currentWidget()
        return next((k for k, p in self.pages.all_built().items() if p is current), "")

    def _show_counter(self, counter: str) -> None:
        self.counter_label.setText(f"窗口：{counter}" if counter else "")
        self.counter_label.setVisible(bool(counter))

    def open_registration(self) -> None:
        """新登记 from anywhere (F2 / Ctrl+N); the new visit is then selected on 今日接待."""
        if self.locked or "today" not in self.pages:
            return
        from ui.dialogs.registration_dialog import RegistrationDialog

        dialog = RegistrationDialog(
            self._services.visits, self._services.catalogue, self._user, self
        )
        if dialog.exec() and dialog.saved is not None:
            from ui.pages.today_page import TodayPage

            page = self.pages["today"]
            assert isinstance(page, TodayPage)
            self.show_page("today")
            page.reload(select_visit=dialog.saved.row.id)
            # The focus on the list with the new visit selected, where the panel's keys act
            # (F8 受理, Ctrl+G 一次性告知…), not back on the navigation it came from.
            self.go_to_page("today")
            if not dialog.saved.in_scope:
                # As the form promised: not this station's matter, guide the citizen now.
                page.panel.trigger("guide")
            elif dialog.accept_after:
                # 登记并受理: accepted at once, the receipt printing next.
                page.panel.trigger("accept")
                page.panel.trigger("receipt")

    def show_registered_visit(self, visit_id: int) -> None:
        """A booked citizen registered on 预约上门: on to 今日接待 with the new visit selected,
        where the panel's keys act (F8 受理 …)."""
        from ui.pages.today_page import TodayPage

        page = self.pages["today"]
        assert isinstance(page, TodayPage)
        self.show_page("today")
        page.reload(select_visit=visit_id)
        self.go_to_page("today")

    def open_visit(self, visit_id: int) -> None:
        """A visit's panel in a dialog (from the ledger): read it and act on it."""
        from ui.pages.ledger_page import VisitDialog
        from ui.widgets.visit_panel import VisitPanel

        panel = VisitPanel(
            self._services.visits,
            self._user,
            notices=self._services.notices,
            ratings=self._services.ratings,
            case_files=self._services.case_files,
        )
        panel.show_visit(visit_id)
        title = panel.detail.row.serial if panel.detail is not None else "事项"
        VisitDialog(panel, title, self).exec()

    def refresh_calendar_warning(self) -> None:
        """Show (or hide) the missing-holidays warning in the status bar."""
        text = self._services.holidays.calendar_warning(self._user, self._today)
        self.calendar_warning.setText(
            text.split("：")[0] + "，办理时限可能算错（点此处理）" if text else ""
        )
        self.calendar_warning.setToolTip(text)
        self.calendar_warning.setVisible(bool(text))

    def _on_calendar_warning_clicked(self) -> None:
        if not self.locked:  # a locked screen shows no page
            self.show_page("holidays")

    def show_page(self, key: str) -> None:
        """Switch to the page named ``key`` (built now if it was not yet)."""
        row = self._keys.index(key)
        self.nav.setCurrentRow(row)
        self._on_nav_row_changed(row)  # also when that row was already current

    def page_titles(self) -> list[str]:
        """The navigation entries as shown."""
        return [self.nav.item(i).text() for i in range(self.nav.count())]

    def _restore_geometry(self) -> None:
        geometry = self._settings.value("main_window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
            return
        screen = self.screen()
        area = screen.availableGeometry() if screen is not None else None
        if area is not None and (area.width() < 1440 or area.height() < 900):
            # The usual counter PC (1366×768): the whole screen, status bar above the taskbar.
            self.resize(area.width(), area.height())
            self.setWindowState(Qt.WindowState.WindowMaximized)
        else:
            self.resize(1280, 800)

    def showEvent(self, event: QShowEvent) -> None:
        """Once the window has its native handle, Windows may tell it of the session's lock."""
        super().showEvent(event)
        if sys.platform == "win32":
            self.session_lock.watch_window(int(self.winId()))

    if sys.platform == "win32":

        def nativeEvent(self, event_type: QByteArray | bytes, message: int) -> object:
            """WM_WTSSESSION_CHANGE: the session locked (ui.session_lock)."""
            self.session_lock.handle_native(event_type, message)
            return super().nativeEvent(event_type, message)

    def closeEvent(self, event: QCloseEvent) -> None:
        """交接班 first, as 退出 does (the close box, Alt+F4); then remember the window."""
        leaving_by_menu = self._shift_checked or self.logout_requested
        if event.spontaneous() and not leaving_by_menu and not self.end_shift(leaving=True):
            event.ignore()
            return
        self._settings.setValue("main_window/geometry", self.saveGeometry())
        if self.live is not None:
            self.live.stop()
        self.idle_watcher.stop()
        self.session_lock.unwatch_window()
        super().closeEvent(event)
