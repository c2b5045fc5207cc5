"""今日接待: today's register, today's bookings (预约), my open matters, pending handovers (the
chief: everyone's).

The chief and deputy also see the matters nobody is responsible for (their owner's account
was deactivated), with an action to assign or offer each to a colleague.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QItemSelection, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.appointments.service import AppointmentRow, AppointmentService
from app.backup.service import BackupService
from app.casefile.service import CaseFileService
from app.core import text_limits
from app.core.dto import SessionUser
from app.core.errors import StationDeskError
from app.core.roles import Permission, allows
from app.notices.service import NoticeService
from app.ratings.service import RatingService
from app.station.key_service import KeyService
from app.visits.dto import HandoverRow, VisitRow
from app.visits.service import VisitService
from ui.dialogs.text_form_dialog import Field, TextFormDialog
from ui.models.filter_proxy_model import FilterProxyModel
from ui.models.row_table_model import Column, RowTableModel
from ui.models.visit_columns import (
    HANDOVER_COLUMNS,
    OVERDUE_COLOUR,
    VISIT_COLUMNS,
    visit_colour,
)
from ui.widgets.messages import show_error
from ui.widgets.tables import SAMPLE_ROWS, fit_columns, make_table, on_enter
from ui.widgets.visit_panel import VisitPanel

logger = logging.getLogger(__name__)

# 今日预约: the day's bookings in time order; Enter registers a booked citizen who has come.
APPOINTMENT_COLUMNS: list[Column[AppointmentRow]] = [
    Column("时间", lambda r: r.slot_time or "未约定", lambda r: r.slot_time or "99"),
    Column("群众", lambda r: r.citizen),
    Column("类型", lambda r: r.kind_label, align_center=True),
    Column("事项", lambda r: r.matter),
    Column("原因", lambda r: r.reason_label, align_center=True),
    Column("状态", lambda r: r.state_label, align_center=True),
    Column("登记编号", lambda r: r.visit_serial),
]


def _appointment_colour(row: AppointmentRow) -> str | None:
    return OVERDUE_COLOUR if row.overdue and row.state == "booked" else None


ORPHAN_COLUMNS: list[Column[VisitRow]] = [
    Column("编号", lambda r: r.serial),
    Column("群众", lambda r: r.citizen_name),
    Column("事项", lambda r: r.service_name),
    Column("状态", lambda r: r.status.label, align_center=True),
    Column("期限", lambda r: r.due_text, lambda r: (r.due_date is None, r.due_date)),
    Column("原负责人", lambda r: f"{r.owner_name}（已停用）"),
    Column(
        "接手",
        lambda r: f"待{r.pending_handover_to}接收" if r.pending_handover_to else "无人接手",
    ),
]


class _Tab:
    """One list of the page: its model, proxy, view and loader."""

    def __init__(
        self, model: RowTableModel[Any], loader: Callable[[], list[Any]], stretch: int
    ) -> None:
        self.model = model
        self.loader = loader
        self.proxy = FilterProxyModel()
        self.proxy.setSourceModel(model)
        self.view: QTableView = make_table(self.proxy, stretch_column=stretch)
        self.fitted_rows = -1  # how many rows the columns were fitted to (-1: not yet)

    def fit(self) -> None:
        """Fit the columns when the list shows more rows than when they were last fitted.

        Fitting measures text (about 0.1 ms a cell), so the quiet refresh every minute does not
        re-measure a list that has not grown, and columns do not jump under the officer's eyes.
        """
        rows = min(self.model.rowCount(), SAMPLE_ROWS)
        if rows > self.fitted_rows:
            fit_columns(self.view)
            self.fitted_rows = rows


# One list of the page: key, title, model, loader, stretch column.
_ListSpec = tuple[str, str, RowTableModel[Any], Callable[[], list[Any]], int]


def _list_specs(
    visits: VisitService,
    user: SessionUser,
    appointments: AppointmentService | None,
    chief: bool,
) -> list[_ListSpec]:
    """The page's lists in tab order: key, title, model, loader, stretch column."""
    specs: list[_ListSpec] = [
        (
            "today",
            "今日接待",
            RowTableModel(VISIT_COLUMNS, colour=visit_colour),
            lambda: visits.today(user),
            2,
        ),
        (
            "mine",
            "我的在办",
            RowTableModel(VISIT_COLUMNS, colour=visit_colour),
            lambda: visits.open_matters(user),
            2,
        ),
        (
            "handovers",
            "待处理移交",
            RowTableModel(HANDOVER_COLUMNS),
            lambda: visits.handovers(user, everyone=chief),
            5,
        ),
    ]
    if appointments is not None:
        specs.insert(
            1,
            (
                "appointments",
                "今日预约",
                RowTableModel(APPOINTMENT_COLUMNS, colour=_appointment_colour),
                lambda: appointments.day(user),
                3,
            ),
        )
    if chief:
        specs.append(
            (
                "all",
                "全所在办",
                RowTableModel(VISIT_COLUMNS, colour=visit_colour),
                lambda: visits.open_matters(user, everyone=True),
                2,
            )
        )
    return specs


class TodayPage(QWidget):
    """The counter's home page; ``register_requested`` asks the window for 新登记."""

    register_requested = Signal()

    def __init__(
        self,
        visits: VisitService,
        user: SessionUser,
        parent: QWidget | None = None,
        notices: NoticeService | None = None,
        ratings: RatingService | None = None,
        case_files: CaseFileService | None = None,
        backups: BackupService | None = None,
        keys: KeyService | None = None,
        appointments: AppointmentService | None = None,
    ) -> None:
        super().__init__(parent)
        self._visits = visits
        self._appointments = appointments
        self._user = user
        self._backups = backups
        self._keys = keys
        chief = allows(user.role, Permission.VIEW_ALL_VISITS)
        self._build_lists(visits, user, appointments, chief)
        refresh = self._build_toolbar()
        self._build_banners()
        self._watches_home = chief and appointments is not None
        self._build_panel(visits, user, notices, ratings, case_files, chief)
        self._lay_out(refresh)
        self._start_refresh_timer()
        self.reload()

    def _build_lists(
        self,
        visits: VisitService,
        user: SessionUser,
        appointments: AppointmentService | None,
        chief: bool,
    ) -> None:
        """The tabs, one list each."""
        self.tabs = QTabWidget()
        self.lists: dict[str, _Tab] = {}
        specs = _list_specs(visits, user, appointments, chief)
        for key, title, model, loader, stretch in specs:
            tab = _Tab(model, loader, stretch)
            tab.view.selectionModel().selectionChanged.connect(self._on_selection_changed)
            self.lists[key] = tab
            self.tabs.addTab(tab.view, title)
        self._titles = {key: title for key, title, *_ in specs}
        self.tabs.currentChanged.connect(self._on_tab_changed)

    def _build_toolbar(self) -> QPushButton:
        """新登记, the filter and 刷新 (returned: the layout places it), and the summary."""
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("筛选当前列表：编号、姓名、事项、负责人…")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._apply_filter)
        self.register_button = QPushButton("新登记（F2）")
        self.register_button.setObjectName("primary")
        self.register_button.clicked.connect(self.register_requested)
        refresh = QPushButton("刷新")
        refresh.clicked.connect(self.reload)
        self.summary_label = QLabel()
        self.summary_label.setObjectName("hint")
        self.summary_label.setWordWrap(True)  # 特大 text on a 1366 screen must not widen the list
        return refresh

    def _build_banners(self) -> None:
        """The banners over the lists, hidden until they have something to say."""
        # Today's ledger reviewed: said before anyone types, not when a save is refused.
        self.lock_banner = QLabel()
        self.lock_banner.setObjectName("banner")
        self.lock_banner.setWordWrap(True)
        self.lock_banner.hide()
        # For the chief: the last good backup is over a day old, or the last one failed.
        self.backup_banner = QLabel()
        self.backup_banner.setObjectName("warningBanner")
        self.backup_banner.setWordWrap(True)
        self.backup_banner.hide()
        # For the chief: home services past the station's promise (上门服务超期).
        self.appointment_banner = QLabel()
        self.appointment_banner.setObjectName("warningBanner")
        self.appointment_banner.setWordWrap(True)
        self.appointment_banner.hide()

    def _build_panel(
        self,
        visits: VisitService,
        user: SessionUser,
        notices: NoticeService | None,
        ratings: RatingService | None,
        case_files: CaseFileService | None,
        chief: bool,
    ) -> None:
        """The selected visit's panel (Enter on a row starts its primary action), and the
        chief's box of matters nobody is responsible for."""
        self.panel = VisitPanel(
            visits, user, notices=notices, ratings=ratings, case_files=case_files
        )
        self.panel.changed.connect(self._on_visit_changed)
        self.panel.attach_shortcuts(self)
        for key, tab in self.lists.items():
            on_enter(
                tab.view,
                self.arrive_selected if key == "appointments" else self.panel.trigger_primary,
            )
        self.orphans: _Tab | None = None
        self.orphan_box = self._orphan_box() if chief else QFrame()
        self.orphan_box.hide()

    def _lay_out(self, refresh: QPushButton) -> None:
        """The lists on the left under the toolbar and banners, the panel on the right."""
        top = QHBoxLayout()
        top.addWidget(self.register_button)
        top.addWidget(self.filter_edit, 1)
        top.addWidget(refresh)
        left = QWidget()
        left_box = QVBoxLayout(left)
        left_box.setContentsMargins(0, 0, 0, 0)
        left_box.addLayout(top)
        left_box.addWidget(self.lock_banner)
        left_box.addWidget(self.backup_banner)
        left_box.addWidget(self.appointment_banner)
        left_box.addWidget(self.orphan_box)
        left_box.addWidget(self.tabs, 1)
        left_box.addWidget(self.summary_label)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.panel)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([3000, 2000])  # the detail pane keeps two fifths, not what is left
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

    def _start_refresh_timer(self) -> None:
        """Refresh every minute (only while the page is in view and no dialog is open)."""
        # Handovers and colleagues' registrations arrive from other counters: refresh quietly.
        self.refresh_timer = QTimer(self)
        self.refresh_timer.setInterval(60_000)
        self.refresh_timer.timeout.connect(self._on_refresh_timer)
        self.refresh_timer.start()

    def _on_refresh_timer(self) -> None:
        if self.isVisible() and QApplication.activeModalWidget() is None:
            self.reload()

    def reload(self, select_visit: int | None = None) -> None:
        """Load every list again, keeping (or moving to) the selected visit."""
        current = select_visit if select_visit is not None else self.selected_visit_id()
        try:
            for tab in self.lists.values():
                tab.model.set_rows(tab.loader())
            self._load_orphans()
            lock = self._visits.day_lock_notice(self._user)
            late = (
                self._appointments.overdue(self._user)
                if self._watches_home and self._appointments is not None
                else []
            )
        except StationDeskError as exc:
            show_error(self, exc.message)
            return
        self.lock_banner.setText(lock)
        self.lock_banner.setVisible(bool(lock))
        self.appointment_banner.setText(
            f"上门服务超过承诺时限未办 {len(late)} 件，最早期限 {late[0].due_text}"
            "（见“预约上门”页）。"
            if late
            else ""
        )
        self.appointment_banner.setVisible(bool(late))
        self.refresh_backup_warning()
        # Only the list in view is fitted now; the others when their tab is shown.
        self._current_tab().fit()
        for key, tab in self.lists.items():
            self.tabs.setTabText(
                list(self.lists).index(key), f"{self._titles[key]}（{tab.model.rowCount()}）"
            )
        parts = []
        for key, label in (("mine", "我的在办"), ("all", "全所在办")):
            if key in self.lists:
                rows = self.lists[key].model.rows()
                overdue = sum(1 for r in rows if r.due_state == "overdue")
                soon = sum(1 for r in rows if r.due_state == "due_soon")
                parts.append(f"{label} {len(rows)} 件，已超期 {overdue} 件、即将到期 {soon} 件")
        self.summary_label.setText(
            "；".join(parts) + "。红色为已超期，橙色为即将到期（两个工作日内）。"
        )
        if current is not None:
            self.select_visit(current)
        else:
            self.panel.show_visit(None)

    def refresh_backup_warning(self) -> None:
        """Show (or hide) the warning that a backup is due; it never stops the page."""
        texts = []
        for warning in (
            self._backups.backup_due_warning if self._backups is not None else None,
            self._keys.sheet_warning if self._keys is not None else None,
        ):
            if warning is None:
                continue
            try:
                texts.append(warning(self._user))
            except StationDeskError as exc:
                logger.warning("data-safety warning unavailable: %s", exc.message)
        text = "\n".join(t for t in texts if t)
        self.backup_banner.setText(text)
        self.backup_banner.setVisible(bool(text))

    def select_visit(self, visit_id: int) -> bool:
        """Select ``visit_id`` in the current list (or the first list that has it)."""
        order = [self.tabs.currentIndex()] + [
            i for i in range(self.tabs.count()) if i != self.tabs.currentIndex()
        ]
        keys = list(self.lists)
        for index in order:
            tab = self.lists[keys[index]]
            row = tab.model.find(lambda r: _visit_id(r) == visit_id)
            if row >= 0:
                self.tabs.setCurrentIndex(index)
                proxy_index = tab.proxy.mapFromSource(tab.model.index(row, 0))
                tab.view.selectRow(proxy_index.row())
                self.panel.show_visit(visit_id)
                return True
        self.panel.show_visit(visit_id)
        return False

    def _current_tab(self) -> _Tab:
        return self.lists[list(self.lists)[self.tabs.currentIndex()]]

    def selected_visit_id(self) -> int | None:
        """The visit selected in the current list."""
        tab = self._current_tab()
        indexes = tab.view.selectionModel().selectedRows()
        if not indexes:
            return None
        return _visit_id(tab.model.row_at(tab.proxy.mapToSource(indexes[0]).row()))

    def _apply_filter(self, text: str) -> None:
        """The typed text as shown (masked numbers included); a full ID number or phone, or
        a phone's last four digits, are matched by the service without unmasking them."""
        for tab in self.lists.values():
            rows = tab.model.rows()
            ids = [i for i in (_visit_id(r) for r in rows) if i is not None]
            try:
                matched = self._visits.match_numbers(self._user, ids, text) if ids else set()
            except StationDeskError:
                matched = set()
            tab.proxy.set_also(_among(rows, matched) if matched else None)
            tab.proxy.setFilterFixedString(text)

    def _on_tab_changed(self, _index: int) -> None:
        self._current_tab().fit()
        visit_id = self.selected_visit_id()
        self.panel.show_visit(visit_id)

    def _on_selection_changed(self, _a: QItemSelection, _b: QItemSelection) -> None:
        self.panel.show_visit(self.selected_visit_id())

    def arrive_selected(self) -> None:
        """Enter on 今日预约: the booked citizen has come, registered from the booking (no
        retyping); a booking already registered shows its visit, whose keys then act."""
        tab = self.lists["appointments"]
        indexes = tab.view.selectionModel().selectedRows()
        if not indexes or self._appointments is None:
            return
        row = tab.model.row_at(tab.proxy.mapToSource(indexes[0]).row())
        if row.visit_id is not None or row.state != "booked":
            self.panel.trigger_primary()
            return
        if row.kind != "counter":
            show_error(self, "上门服务在群众家中办理，请在“预约上门”页登记上门结果。")
            return
        # Imported when first used: the page is built at every login, the dialog rarely.
        from ui.dialogs.appointment_dialog import arrive_booking

        detail = arrive_booking(self, self._appointments, self._user, row)
        if detail is None:
            self.reload()
            return
        self.reload(select_visit=detail.row.id)

    def _on_visit_changed(self, visit_id: int) -> None:
        self.reload(select_visit=visit_id)

    # ---- matters nobody is responsible for ----------------------------------------------

    def _orphan_box(self) -> QFrame:
        """The banner listing open matters whose owner left, with 指派 and 移交 actions."""
        self.orphans = _Tab(RowTableModel(ORPHAN_COLUMNS, colour=visit_colour), list, 2)
        view = self.orphans.view
        view.setMaximumHeight(150)
        view.selectionModel().selectionChanged.connect(self._on_orphan_selected)
        self.orphan_title = QLabel()
        self.orphan_title.setObjectName("banner")
        self.orphan_title.setWordWrap(True)
        self.assign_button = QPushButton("指派…")
        self.assign_button.setToolTip("立即改由所选民警负责")
        self.assign_button.clicked.connect(self._on_assign_orphan)
        self.offer_button = QPushButton("请同事接收…")
        self.offer_button.setToolTip("以原负责人名义移交，对方在自己的账号中接收后负责")
        self.offer_button.clicked.connect(self._on_offer_orphan)
        head = QHBoxLayout()
        head.addWidget(self.orphan_title, 1)
        head.addWidget(self.assign_button)
        head.addWidget(self.offer_button)
        box = QFrame()
        box_layout = QVBoxLayout(box)
        box_layout.setContentsMargins(0, 0, 0, 4)
        box_layout.addLayout(head)
        box_layout.addWidget(view)
        return box

    def _load_orphans(self) -> None:
        if self.orphans is None:
            return
        rows = self._visits.orphaned_matters(self._user)
        self.orphans.model.set_rows(rows)
        self.orphans.fit()
        self.orphan_title.setText(
            f"无人负责的在办事项（{len(rows)} 件）：原负责人账号已停用。请选中一件，"
            "“指派…”立即改由同事负责；“请同事接收…”待其接收后负责。"
        )
        self.orphan_box.setVisible(bool(rows))

    def selected_orphan_id(self) -> int | None:
        """The orphaned matter selected in the banner (the first one if none is)."""
        if self.orphans is None or self.orphans.model.rowCount() == 0:
            return None
        indexes = self.orphans.view.selectionModel().selectedRows()
        row = self.orphans.proxy.mapToSource(indexes[0]).row() if indexes else 0
        return self.orphans.model.row_at(row).id

    def _on_orphan_selected(self, _a: QItemSelection, _b: QItemSelection) -> None:
        visit_id = self.selected_orphan_id()
        if visit_id is not None:
            self.panel.show_visit(visit_id)

    def _on_assign_orphan(self) -> None:
        """指派 through the detail panel's own form (it reloads the page when saved)."""
        visit_id = self.selected_orphan_id()
        if visit_id is None:
            return
        self.panel.show_visit(visit_id)
        button = self.panel.buttons["reassign"]
        if button.isEnabled():
            button.click()

    def _on_offer_orphan(self) -> TextFormDialog | None:
        """Offer the matter to a colleague, who accepts it in their own session."""
        visit_id = self.selected_orphan_id()
        if visit_id is None or self.orphans is None:
            return None
        row = self.orphans.model.row_at(self.orphans.model.find(lambda r: r.id == visit_id))
        try:
            colleagues = self._visits.colleagues(self._user, include_self=True)
        except StationDeskError as exc:
            show_error(self, exc.message)
            return None
        dialog = TextFormDialog(
            "请同事接收",
            f"{row.serial}（{row.service_name}）原由{row.owner_name}负责，其账号已停用。"
            "以原负责人名义移交给所选同事，对方在自己的账号中接收后成为负责人；"
            "如有待接收的移交，将改交所选同事。",
            [
                Field("to_officer", "接手人", choices=tuple(colleagues)),
                Field(
                    "reason",
                    "说明",
                    placeholder="可不填，如：熟悉该事项",
                    limit=text_limits.HANDOVER_NOTE,
                ),
            ],
            lambda v: self._visits.hand_over_orphan(
                self._user, row.id, row.row_version, int(v["to_officer"]), v["reason"]
            ),
            "发起移交",
            self,
        )
        if self.panel.form_only:
            return dialog
        dialog.exec()
        self.reload(select_visit=visit_id)
        return None


def _among(rows: list[Any], matched: set[int]) -> Callable[[int], bool]:
    """Whether a row (by its place in ``rows``) is one of the ``matched`` visits."""
    return lambda row: _visit_id(rows[row]) in matched


def _visit_id(row: VisitRow | HandoverRow | AppointmentRow) -> int | None:
    """The visit a row shows (a booking's once it was registered; none before)."""
    if isinstance(row, HandoverRow | AppointmentRow):
        return row.visit_id
    return row.id
