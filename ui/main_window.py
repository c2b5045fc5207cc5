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
from functools import partial
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QPushButton,
    QStackedWidget,
    QTableView,
    QWidget,
)

from app.core.dto import SessionUser
from app.core.errors import StationDeskError
from app.core.roles import Permission, Role, allows
from app.services import Services
from ui.about_dialog import AboutDialog
from ui.change_password_dialog import ChangePasswordDialog
from ui.fonts import FONT_SIZES, apply_font_size, save_font_size, saved_font_size
from ui.help_dialog import TourDialog, install_help_key, show_help
from ui.idle import IdleSource, IdleWatcher, default_idle_source
from ui.live_refresh import LiveRefresh
from ui.localtime import set_station_timezone
from ui.lock_cover import close_windows, cover_windows
from ui.login_dialog import LoginDialog
from ui.session_lock import SessionLockWatcher
from ui.tasks import BusyDialog
from ui.widgets.elided_label import ElidedLabel
from ui.widgets.enter_clicks import enter_clicks
from ui.widgets.messages import show_error, show_info
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


class MainWindow(QMainWindow):
    """One officer's session at the counter."""

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

        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setFixedWidth(168)
        self.stack = QStackedWidget()
        self._today = today or services.station.today()
        handles = allows(user.role, Permission.HANDLE_VISITS) or allows(
            user.role, Permission.VIEW_ALL_VISITS
        )
        views_all = allows(user.role, Permission.VIEW_ALL_VISITS)
        pages = [
            ("today", "今日接待", handles),
            ("search", "查询", handles),
            ("appointments", "预约上门", handles),
            ("notices", "告知单", allows(user.role, Permission.HANDLE_VISITS)),
            ("ledger", "每日台账", views_all),
            ("statistics", "统计", views_all),
            ("callbacks", "回访", handles),
            ("rectifications", "整改督办", handles),
            ("complaints", "投诉表扬", allows(user.role, Permission.HANDLE_VISITS)),
            ("catalogue", "服务事项目录", True),
            ("officers", "人员管理", allows(user.role, Permission.MANAGE_OFFICERS)),
            ("audit", "审计日志", allows(user.role, Permission.VIEW_AUDIT)),
            ("holidays", "节假日设置", True),
            ("settings", "本所设置", True),
        ]
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

        central = QWidget()
        box = QHBoxLayout(central)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(self.nav)
        box.addWidget(self.stack, 1)
        self.setCentralWidget(central)

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
        self._show_counter(services.counter)
        # Other counters' registrations, handovers and locks show here within a moment.
        if services.database is not None:
            self.live = LiveRefresh(
                services.database,
                self.pages.all_built,
                self.current_key,
                bar,
                self,
            )
        self.refresh_calendar_warning()
        self._build_menus()
        self._restore_geometry()

        self.idle_watcher = IdleWatcher(
            idle_source if idle_source is not None else default_idle_source(self),
            idle_minutes_reader(services, station.idle_lock_minutes),
            parent=self,
        )
        self.idle_watcher.idle.connect(self.lock)
        self.idle_watcher.start()
        self.session_lock = SessionLockWatcher(self)
        self.session_lock.session_locked.connect(self.request_lock)
        self.session_lock.watch_desktop()

    def _make_page(self, key: str) -> QWidget:
        """A new page ``key`` (its module imported now), wired to the window."""
        services, user, today = self._services, self._user, self._today
        if key == "today":
            from ui.pages.today_page import TodayPage

            today_page = TodayPage(
                services.visits,
                user,
                notices=services.notices,
                ratings=services.ratings,
                case_files=services.case_files,
                backups=services.backup,
                keys=services.keys,
                appointments=services.appointments,
            )
            today_page.register_requested.connect(self.open_registration)
            return today_page
        if key == "search":
            from ui.pages.search_page import SearchPage

            return SearchPage(
                services.visits,
                services.catalogue,
                user,
                today,
                notices=services.notices,
                ratings=services.ratings,
                case_files=services.case_files,
            )
        if key == "appointments":
            from ui.pages.appointments_page import AppointmentsPage

            appointments_page = AppointmentsPage(
                services.appointments,
                services.catalogue,
                user,
                today,
                services.visits.now,
            )
            appointments_page.visit_registered.connect(self.show_registered_visit)
            return appointments_page
        if key == "notices":
            from ui.pages.notices_page import NoticesPage

            return NoticesPage(
                services.notices,
                user,
                today,
                officers=services.visits.colleagues(user, include_self=True),
            )
        if key == "ledger":
            from ui.pages.ledger_page import LedgerPage

            return LedgerPage(
                services.ledger,
                user,
                today,
                self._station.timezone,
                open_visit=self.open_visit,
                export=lambda day, officer, path: services.ledger.export_xlsx(
                    user, day, Path(path), officer
                ),
                backups=services.backup,
            )
        if key == "statistics":
            from ui.pages.statistics_page import StatisticsPage

            return StatisticsPage(services.statistics, services.reports, user, today)
        if key == "callbacks":
            from ui.pages.callbacks_page import CallbacksPage

            return CallbacksPage(
                services.callbacks,
                user,
                today,
                services.ratings.dimensions(),
                self._station.callback_share,
                ratings=services.ratings,
                sms=services.sms,
            )
        if key == "rectifications":
            from ui.pages.rectifications_page import RectificationsPage

            return RectificationsPage(services.rectifications, user)
        if key == "complaints":
            from ui.pages.complaints_page import ComplaintsPage

            return ComplaintsPage(services.complaints, user, today)
        if key == "catalogue":
            from ui.pages.catalogue_page import CataloguePage

            return CataloguePage(services.catalogue, user)
        if key == "officers":
            from ui.pages.officers_page import OfficersPage

            return OfficersPage(services.officers, user)
        if key == "audit":
            from ui.pages.audit_page import AuditPage

            return AuditPage(services.audit_log, user, today)
        if key == "holidays":
            from ui.pages.holidays_page import HolidaysPage

            holidays_page = HolidaysPage(services.holidays, user, today)
            holidays_page.calendar_changed.connect(self.refresh_calendar_warning)
            return holidays_page
        if key == "settings":
            from ui.pages.settings_page import SettingsPage

            return SettingsPage(
                services.station,
                user,
                keys=services.keys,
                retention=services.retention,
                backups=services.backup,
            )
        raise KeyError(key)

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

    def _build_menus(self) -> None:
        if "today" in self.pages:
            work = self.menuBar().addMenu("业务(&W)")
            self.register_action = QAction("新登记…", self)
            self.register_action.setShortcuts([QKeySequence("F2"), QKeySequence("Ctrl+N")])
            self.register_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
            self.register_action.triggered.connect(self.open_registration)
            self.work_menu = work
            self._fill_work_menu()
            self.stack.currentChanged.connect(lambda _i: self._fill_work_menu())
        self._build_pages_menu(self.menuBar().addMenu("页面(&P)"))
        system = self.menuBar().addMenu("系统(&S)")
        self.lock_action = QAction("锁定屏幕", self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(self.lock)
        password = QAction("修改密码…", self)
        password.triggered.connect(self._on_change_password)
        logout = QAction("切换人员（注销）", self)
        logout.triggered.connect(self._on_logout)
        quit_action = QAction("退出", self)
        quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        quit_action.triggered.connect(self._on_quit)
        actions = [self.lock_action, password, logout]
        if allows(self._user.role, Permission.HANDLE_VISITS):
            self.shift_action = QAction("交接班…", self)
            self.shift_action.triggered.connect(self.end_shift)
            actions.insert(1, self.shift_action)
        if allows(self._user.role, Permission.HANDLE_VISITS) or allows(
            self._user.role, Permission.VIEW_ALL_VISITS
        ):
            records = QAction("交接班记录…", self)
            records.triggered.connect(self.show_shift_records)
            actions.insert(2 if len(actions) > 3 else 1, records)
        if allows(self._user.role, Permission.VIEW_ALL_VISITS):
            ledger_import = QAction("历史台账导入…", self)
            ledger_import.triggered.connect(self.import_ledger)
            actions.append(ledger_import)
        for action in actions:
            system.addAction(action)
        system.addSeparator()
        self.workstation_action = QAction("本机设置（窗口号、服务器）…", self)
        self.workstation_action.triggered.connect(self.open_workstation_settings)
        system.addAction(self.workstation_action)
        self._build_font_size_menu(system.addMenu("字号(&Z)"))
        system.addSeparator()
        system.addAction(quit_action)
        help_menu = self.menuBar().addMenu("帮助(&H)")
        # F1 itself is the application's (ui.help_dialog.HelpKey): it works inside forms too.
        page_help = QAction("本页帮助…\tF1", self)
        page_help.triggered.connect(self.show_page_help)
        help_menu.addAction(page_help)
        tour = QAction("新手入门…", self)
        tour.triggered.connect(self.show_tour)
        help_menu.addAction(tour)
        release_notes = QAction("更新说明…", self)
        release_notes.triggered.connect(self.show_release_notes)
        help_menu.addAction(release_notes)
        help_menu.addSeparator()
        about = QAction("关于…", self)
        about.triggered.connect(self._on_about)
        help_menu.addAction(about)

    def open_workstation_settings(self) -> None:
        """系统 → 本机设置: this PC's 窗口号 (at once) and its server (after a restart)."""
        from app.station.workstation import WorkstationProblem, load_workstation
        from ui.dialogs.workstation_dialog import WorkstationDialog

        dialog = WorkstationDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if not dialog.exec():
            return
        try:
            counter = load_workstation().counter
        except WorkstationProblem as exc:
            show_error(self, exc.message)
            return
        self._services.set_counter(counter)
        self._show_counter(counter)
        self.statusBar().showMessage(
            f"本机窗口号已改为“{counter}”。" if counter else "本机已不设窗口号。", 10_000
        )

    def _show_counter(self, counter: str) -> None:
        self.counter_label.setText(f"窗口：{counter}" if counter else "")
        self.counter_label.setVisible(bool(counter))

    def _build_pages_menu(self, menu: QMenu) -> None:
        """页面: every page of the navigation, the first ten on Ctrl+1 … Ctrl+0."""
        self.page_actions: dict[str, QAction] = {}
        for number, (key, title) in enumerate(zip(self._keys, self.page_titles(), strict=True), 1):
            action = QAction(title, self)
            if number <= 10:
                action.setShortcut(QKeySequence(f"Ctrl+{number % 10}"))
            action.triggered.connect(partial(self.go_to_page, key))
            menu.addAction(action)
            self.page_actions[key] = action

    def go_to_page(self, key: str) -> None:
        """Switch to a page by keyboard and put the focus on its list, where work starts."""
        if self.locked:
            return
        self.show_page(key)
        page = self.stack.currentWidget()
        if page is None:
            return
        target = next(
            (
                table
                for table in page.findChildren(QTableView)
                if table.isVisible()
                and table.isEnabled()
                and table.focusPolicy() != Qt.FocusPolicy.NoFocus
            ),
            None,
        )
        (target or page).setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _build_font_size_menu(self, menu: QMenu) -> None:
        """系统 → 字号: 标准 / 大 / 特大, this officer's choice on this PC checked."""
        group = QActionGroup(self)
        current = saved_font_size(self._settings, self._user.badge_no)
        self.font_size_actions: dict[int, QAction] = {}
        for label, points in FONT_SIZES:
            action = QAction(label, self)
            action.setCheckable(True)
            action.setChecked(points == current)
            action.triggered.connect(lambda _checked=False, p=points: self.set_font_size(p))
            group.addAction(action)
            menu.addAction(action)
            self.font_size_actions[points] = action

    def set_font_size(self, points: int) -> None:
        """字号: every page and dialog in ``points`` now, and at this officer's next login."""
        save_font_size(self._settings, self._user.badge_no, points)
        self.font_size_actions[points].setChecked(True)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_font_size(app, points)

    def _fill_work_menu(self) -> None:
        """业务: 新登记, then the actions on the matter of the page in view, shortcuts shown.

        Only the page in view lends its actions, so one shortcut never means two things.
        """
        menu = getattr(self, "work_menu", None)
        if menu is None:
            return
        menu.clear()
        menu.addAction(self.register_action)
        panel = getattr(self.stack.currentWidget(), "panel", None)
        counter_actions = getattr(panel, "counter_actions", None)
        actions: list[QAction] = counter_actions() if counter_actions is not None else []
        if actions:
            menu.addSeparator()
            for action in actions:
                menu.addAction(action)

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

    def request_lock(self) -> None:
        """Lock from the event loop's next turn (safe from a native or D-Bus handler)."""
        QTimer.singleShot(0, self, self.lock)

    def lock(self) -> None:
        """Hide everything until the same officer enters the password again.

        Open dialogs are covered, not closed (ui.lock_cover). A colleague's login instead
        hands the window over (``hand_over``); 退出程序 on the lock screen quits.
        """
        if self.locked:
            return
        self.locked = True
        self.idle_watcher.pause()
        self._previous_row = self.nav.currentRow()
        self.nav.setEnabled(False)
        self.menuBar().setEnabled(False)
        self.stack.setCurrentWidget(self.lock_page)
        self._uncover = cover_windows(keep=[self])
        dialog = self.lock_dialog = LoginDialog(
            self._services.auth, self._station_name, locked_user=self._user, parent=self
        )
        try:
            accepted = dialog.exec()
        finally:
            self.lock_dialog = None
            dialog.deleteLater()
        if accepted and dialog.took_over and dialog.user is not None:
            self.hand_over(dialog.user)
        elif accepted:
            self.unlock()
        else:
            self._uncover = []
            close_windows(keep=[self])
            self.close()

    def unlock(self) -> None:
        """Show the pages, and every dialog the lock covered, again."""
        self.locked = False
        self.nav.setEnabled(True)
        self.menuBar().setEnabled(True)
        self.stack.setCurrentIndex(max(0, self._previous_row))
        uncover, self._uncover = self._uncover, []
        for give_back in uncover:
            give_back()
        self.idle_watcher.resume()

    def hand_over(self, colleague: SessionUser) -> None:
        """A colleague logged in at the locked window: this officer's session ends here.

        The dialogs close unsaved, the window stays locked until it closes, and
        ui.application opens the colleague's window (``next_user``) without another login.
        """
        self.next_user = colleague
        self.logout_requested = True
        self._uncover = []
        self.idle_watcher.stop()
        close_windows(keep=[self])
        QTimer.singleShot(0, self, self._close_when_settled)

    def _close_when_settled(self) -> None:
        """Close once no background work waits on a progress dialog (its loop must end first)."""
        busy = [w for w in QApplication.topLevelWidgets() if isinstance(w, BusyDialog)]
        if any(w.running for w in busy):
            QTimer.singleShot(200, self, self._close_when_settled)
            return
        self.close()

    def _on_change_password(self) -> None:
        ChangePasswordDialog(self._services.auth, self._user, parent=self).exec()

    def _on_logout(self) -> None:
        if not self.end_shift(leaving=True):
            return
        self.logout_requested = True
        self.close()

    def _on_quit(self) -> None:
        if self.end_shift(leaving=True):
            self._shift_checked = True
            self.close()

    def end_shift(self, leaving: bool = False) -> bool:
        """交接班: the officer's open items, each matter kept or handed over, recorded (and
        printed if asked). Leaving (退出, 切换人员) with nothing open asks nothing; False:
        the officer cancelled, and stays."""
        if self.locked or not allows(self._user.role, Permission.HANDLE_VISITS):
            return True
        from ui.dialogs.shift_dialog import ShiftDialog, print_shift_record

        shifts = self._services.shifts
        try:
            review = shifts.review(self._user)
        except StationDeskError as exc:
            show_error(self, exc.message)
            return True  # a failed list must not keep the officer from logging out
        if review.empty:
            if not leaving:
                show_info(self, "您名下没有在办事项、待接收的移交、待回访或临期告知单，无需交接。")
            return True
        if leaving and not any(item.needs_decision for item in review.items):
            # Nothing to decide (callbacks, notices, handovers waiting): leave without a
            # record each time; 系统 → 交接班… records one when wanted.
            return True
        dialog = ShiftDialog(shifts, self._user, review, self)
        if not dialog.exec() or dialog.record is None:
            return False
        if dialog.print_after:
            print_shift_record(shifts, self._user, dialog.record, self)
        self.statusBar().showMessage(f"已登记交接班记录 {dialog.record.number}。", 10_000)
        return True

    def show_shift_records(self) -> None:
        """系统 → 交接班记录…: a period's records (the chief's: everyone's), reprinted by Enter."""
        if self.locked:
            return
        from ui.dialogs.shift_records_dialog import ShiftRecordsDialog

        ShiftRecordsDialog(self._services.shifts, self._user, self._today, self).exec()

    def import_ledger(self) -> None:
        """系统 → 历史台账导入…: the chief or a deputy brings in an earlier Excel ledger."""
        if self.locked:
            return
        from ui.dialogs.ledger_import_dialog import LedgerImportDialog

        LedgerImportDialog(self._services.ledger_import, self._user, self).exec()

    def current_help_key(self) -> str | None:
        """The manual F1 opens: the page in front (none while the window is locked)."""
        if self.locked:
            return None
        row = self.nav.currentRow()
        return self._keys[row] if 0 <= row < len(self._keys) else None

    def show_page_help(self) -> None:
        """帮助 → 本页帮助 (also F1): the manual of the page in front."""
        key = self.current_help_key()
        if key is not None:
            show_help(key, self)

    def show_tour(self) -> None:
        """帮助 → 新手入门: the first-day walk through the counter."""
        TourDialog(self).exec()
        self._settings.setValue(f"tour_seen/{self._user.badge_no}", True)

    def show_release_notes(self) -> None:
        """帮助 → 更新说明: what changed in each version."""
        from ui.dialogs.release_notes_dialog import show_release_notes

        show_release_notes(self)

    def offer_tour(self) -> None:
        """A window officer's first login on this computer opens 新手入门 once."""
        if self._user.role not in (Role.WINDOW, Role.AUXILIARY):
            return
        if self._settings.value(f"tour_seen/{self._user.badge_no}", False, type=bool):
            return
        self.show_tour()

    def _on_about(self) -> None:
        AboutDialog(self._station_name, self._location, self).exec()

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
