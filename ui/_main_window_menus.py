"""The main window's menus: 业务, 页面, 系统 (字号, 本机设置) and 帮助 (ui.main_window)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QListWidget,
    QMainWindow,
    QMenu,
    QStackedWidget,
    QTableView,
)

from app.core.dto import SessionUser
from app.core.roles import Permission, Role, allows
from app.services import Services
from ui.about_dialog import AboutDialog
from ui.fonts import FONT_SIZES, apply_font_size, save_font_size, saved_font_size
from ui.help_dialog import TourDialog, show_help
from ui.widgets.messages import show_error

if TYPE_CHECKING:
    from ui.main_window import LazyPages

# The mixin is a QMainWindow to the type checker only: at run time MainWindow brings it.
if TYPE_CHECKING:
    _WindowBase = QMainWindow
else:
    _WindowBase = object


class MainWindowMenus(_WindowBase):
    """The menu bar's menus and what their entries do; mixed into MainWindow (the state)."""

    _services: Services
    _user: SessionUser
    _location: str
    _settings: QSettings
    _station_name: str
    _keys: list[str]
    pages: LazyPages
    nav: QListWidget
    stack: QStackedWidget
    locked: bool

    if TYPE_CHECKING:
        # MainWindow's and MainWindowSession's; named here for the type checker only.
        def open_registration(self) -> None: ...

        def show_page(self, key: str) -> None: ...

        def page_titles(self) -> list[str]: ...

        def _show_counter(self, counter: str) -> None: ...

        def lock(self) -> None: ...

        def end_shift(self, leaving: bool = False) -> bool: ...

        def show_shift_records(self) -> None: ...

        def import_ledger(self) -> None: ...

        def _on_change_password(self) -> None: ...

        def _on_logout(self) -> None: ...

        def _on_quit(self) -> None: ...

    def _build_menus(self) -> None:
        if "today" in self.pages:
            self._build_work_menu()
        self._build_pages_menu(self.menuBar().addMenu("页面(&P)"))
        self._build_system_menu()
        self._build_help_menu()

    def _build_work_menu(self) -> None:
        """业务: 新登记 (F2, Ctrl+N), then the page in view's actions (_fill_work_menu)."""
        work = self.menuBar().addMenu("业务(&W)")
        self.register_action = QAction("新登记…", self)
        self.register_action.setShortcuts([QKeySequence("F2"), QKeySequence("Ctrl+N")])
        self.register_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.register_action.triggered.connect(self.open_registration)
        self.work_menu = work
        self._fill_work_menu()
        self.stack.currentChanged.connect(lambda _i: self._fill_work_menu())

    def _build_system_menu(self) -> None:
        """系统: 锁定屏幕, 交接班, 修改密码, 切换人员, 本机设置, 字号, 退出 (as the role allows)."""
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

    def _build_help_menu(self) -> None:
        """帮助: 本页帮助 (F1), 新手入门, 更新说明 and 关于."""
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
