"""The main window: navigation between pages, status bar, menus, lock and geometry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QWidget,
)

from app.dto import SessionUser
from app.roles import Permission, allows
from app.services import Services
from ui.about_dialog import AboutDialog
from ui.change_password_dialog import ChangePasswordDialog
from ui.dialogs.registration_dialog import RegistrationDialog
from ui.localtime import set_station_timezone
from ui.login_dialog import LoginDialog
from ui.pages.callbacks_page import CallbacksPage
from ui.pages.catalogue_page import CataloguePage
from ui.pages.complaints_page import ComplaintsPage
from ui.pages.holidays_page import HolidaysPage
from ui.pages.ledger_page import LedgerPage, VisitDialog
from ui.pages.notices_page import NoticesPage
from ui.pages.officers_page import OfficersPage
from ui.pages.rectifications_page import RectificationsPage
from ui.pages.search_page import SearchPage
from ui.pages.settings_page import SettingsPage
from ui.pages.statistics_page import StatisticsPage
from ui.pages.today_page import TodayPage
from ui.widgets.visit_panel import VisitPanel


class MainWindow(QMainWindow):
    """One officer's session at the counter."""

    def __init__(
        self,
        services: Services,
        user: SessionUser,
        location: str,
        settings: QSettings,
        today: dt.date | None = None,
    ) -> None:
        super().__init__()
        self._services = services
        self._user = user
        self._location = location
        self._settings = settings
        self.logout_requested = False
        self.locked = False
        station = services.station.settings()
        set_station_timezone(station.timezone)
        self._station_name = station.name
        self.setWindowTitle(f"派出所窗口服务台账 — {station.name}")
        self.setMinimumSize(900, 600)

        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setFixedWidth(168)
        self.stack = QStackedWidget()
        self.pages: dict[str, QWidget] = {}
        today = today or services.station.today()
        handles = allows(user.role, Permission.HANDLE_VISITS) or allows(
            user.role, Permission.VIEW_ALL_VISITS
        )
        page_factories: list[tuple[str, str, Callable[[], QWidget], bool]] = [
            (
                "today",
                "今日接待",
                lambda: TodayPage(
                    services.visits, user, notices=services.notices, ratings=services.ratings
                ),
                handles,
            ),
            (
                "search",
                "查询",
                lambda: SearchPage(
                    services.visits,
                    services.catalogue,
                    user,
                    today,
                    notices=services.notices,
                    ratings=services.ratings,
                ),
                handles,
            ),
            (
                "notices",
                "告知单",
                lambda: NoticesPage(
                    services.notices,
                    user,
                    today,
                    officers=services.visits.colleagues(user, include_self=True),
                ),
                allows(user.role, Permission.HANDLE_VISITS),
            ),
            (
                "ledger",
                "每日台账",
                lambda: LedgerPage(
                    services.ledger,
                    user,
                    today,
                    station.timezone,
                    open_visit=self.open_visit,
                    export=lambda day, officer, path: services.ledger.export_xlsx(
                        user, day, Path(path), officer
                    ),
                ),
                allows(user.role, Permission.VIEW_ALL_VISITS),
            ),
            (
                "statistics",
                "统计",
                lambda: StatisticsPage(services.statistics, services.reports, user, today),
                allows(user.role, Permission.VIEW_ALL_VISITS),
            ),
            (
                "callbacks",
                "回访",
                lambda: CallbacksPage(
                    services.callbacks,
                    user,
                    today,
                    services.ratings.dimensions(),
                    station.callback_share,
                    ratings=services.ratings,
                ),
                handles,
            ),
            (
                "rectifications",
                "整改督办",
                lambda: RectificationsPage(services.ratings, user),
                handles,
            ),
            (
                "complaints",
                "投诉表扬",
                lambda: ComplaintsPage(services.complaints, user, today),
                allows(user.role, Permission.HANDLE_VISITS),
            ),
            ("catalogue", "服务事项目录", lambda: CataloguePage(services.catalogue, user), True),
            (
                "officers",
                "人员管理",
                lambda: OfficersPage(services.officers, user),
                allows(user.role, Permission.MANAGE_OFFICERS),
            ),
            ("holidays", "节假日设置", lambda: HolidaysPage(services.holidays, user, today), True),
            ("settings", "本所设置", lambda: SettingsPage(services.station, user), True),
        ]
        for key, title, factory, visible in page_factories:
            if visible:
                self._add_page(key, title, factory())
        self.lock_page = QLabel("本机已锁定")
        self.lock_page.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.lock_page.setObjectName("lockPage")
        self.stack.addWidget(self.lock_page)
        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.nav.setCurrentRow(0)
        today_page = self.pages.get("today")
        if isinstance(today_page, TodayPage):
            today_page.register_requested.connect(self.open_registration)

        central = QWidget()
        box = QHBoxLayout(central)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(self.nav)
        box.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.user_label = QLabel(f"当前：{user.name}（{user.role.label}，警号 {user.badge_no}）")
        self.station_label = QLabel(station.name)
        self.db_label = QLabel(f"数据库：{location}")
        self.db_label.setToolTip(location)
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
        self._today = today
        self.refresh_calendar_warning()
        holidays_page = self.pages.get("holidays")
        if isinstance(holidays_page, HolidaysPage):
            holidays_page.calendar_changed.connect(self.refresh_calendar_warning)
        self._build_menus()
        self._restore_geometry()

    def _add_page(self, key: str, title: str, page: QWidget) -> None:
        self.pages[key] = page
        self.stack.addWidget(page)
        QListWidgetItem(title, self.nav)

    def _build_menus(self) -> None:
        if "today" in self.pages:
            work = self.menuBar().addMenu("业务(&W)")
            self.register_action = QAction("新登记…", self)
            self.register_action.setShortcuts([QKeySequence("F2"), QKeySequence("Ctrl+N")])
            self.register_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
            self.register_action.triggered.connect(self.open_registration)
            work.addAction(self.register_action)
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
        quit_action.triggered.connect(self.close)
        for action in (self.lock_action, password, logout):
            system.addAction(action)
        system.addSeparator()
        system.addAction(quit_action)
        help_menu = self.menuBar().addMenu("帮助(&H)")
        about = QAction("关于…", self)
        about.triggered.connect(self._on_about)
        help_menu.addAction(about)

    def open_registration(self) -> None:
        """新登记 from anywhere (F2 / Ctrl+N); the new visit is then selected on 今日接待."""
        if self.locked or "today" not in self.pages:
            return
        dialog = RegistrationDialog(
            self._services.visits, self._services.catalogue, self._user, self
        )
        if dialog.exec() and dialog.saved is not None:
            page = self.pages["today"]
            assert isinstance(page, TodayPage)
            self.show_page("today")
            page.reload(select_visit=dialog.saved.row.id)
            if not dialog.saved.in_scope:
                # As the form promised: not this station's matter, guide the citizen now.
                page.panel._on_guide()

    def open_visit(self, visit_id: int) -> None:
        """A visit's panel in a dialog (from the ledger): read it and act on it."""
        panel = VisitPanel(
            self._services.visits,
            self._user,
            notices=self._services.notices,
            ratings=self._services.ratings,
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
        """Switch to the page named ``key`` (catalogue, officers, holidays, settings)."""
        page = self.pages[key]
        self.nav.setCurrentRow(self.stack.indexOf(page))

    def page_titles(self) -> list[str]:
        """The navigation entries as shown."""
        return [self.nav.item(i).text() for i in range(self.nav.count())]

    def lock(self) -> None:
        """Hide everything until the same officer enters the password again."""
        if self.locked:
            return
        self.locked = True
        self._previous_row = self.nav.currentRow()
        self.nav.setEnabled(False)
        self.menuBar().setEnabled(False)
        self.stack.setCurrentWidget(self.lock_page)
        dialog = LoginDialog(
            self._services.auth, self._station_name, locked_user=self._user, parent=self
        )
        if dialog.exec():
            self.unlock()
        else:
            self.close()

    def unlock(self) -> None:
        """Show the pages again."""
        self.locked = False
        self.nav.setEnabled(True)
        self.menuBar().setEnabled(True)
        self.stack.setCurrentIndex(max(0, self._previous_row))

    def _on_change_password(self) -> None:
        ChangePasswordDialog(self._services.auth, self._user, parent=self).exec()

    def _on_logout(self) -> None:
        self.logout_requested = True
        self.close()

    def _on_about(self) -> None:
        AboutDialog(self._station_name, self._location, self).exec()

    def _restore_geometry(self) -> None:
        geometry = self._settings.value("main_window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Remember where the window was."""
        self._settings.setValue("main_window/geometry", self.saveGeometry())
        super().closeEvent(event)
