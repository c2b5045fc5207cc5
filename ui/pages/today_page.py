"""今日接待: today's register, my open matters, pending handovers (the chief: everyone's)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QItemSelection, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
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

from app.dto import SessionUser
from app.errors import StationDeskError
from app.notice_service import NoticeService
from app.rating_service import RatingService
from app.roles import Permission, allows
from app.visit_dto import HandoverRow, VisitRow
from app.visit_service import VisitService
from ui.models.filter_proxy_model import FilterProxyModel
from ui.models.row_table_model import RowTableModel
from ui.models.visit_columns import HANDOVER_COLUMNS, VISIT_COLUMNS, visit_colour
from ui.widgets.messages import show_error
from ui.widgets.tables import fit_columns, make_table
from ui.widgets.visit_panel import VisitPanel


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
    ) -> None:
        super().__init__(parent)
        self._visits = visits
        self._user = user
        chief = allows(user.role, Permission.VIEW_ALL_VISITS)
        self.tabs = QTabWidget()
        self.lists: dict[str, _Tab] = {}
        specs: list[tuple[str, str, RowTableModel[Any], Callable[[], list[Any]], int]] = [
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
        for key, title, model, loader, stretch in specs:
            tab = _Tab(model, loader, stretch)
            tab.view.selectionModel().selectionChanged.connect(self._on_selection_changed)
            self.lists[key] = tab
            self.tabs.addTab(tab.view, title)
        self._titles = {key: title for key, title, *_ in specs}
        self.tabs.currentChanged.connect(self._on_tab_changed)

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

        self.panel = VisitPanel(visits, user, notices=notices, ratings=ratings)
        self.panel.changed.connect(self._on_visit_changed)

        top = QHBoxLayout()
        top.addWidget(self.register_button)
        top.addWidget(self.filter_edit, 1)
        top.addWidget(refresh)
        left = QWidget()
        left_box = QVBoxLayout(left)
        left_box.setContentsMargins(0, 0, 0, 0)
        left_box.addLayout(top)
        left_box.addWidget(self.tabs, 1)
        left_box.addWidget(self.summary_label)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.panel)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        # Handovers and colleagues' registrations arrive from other counters: refresh quietly.
        self.refresh_timer = QTimer(self)
        self.refresh_timer.setInterval(60_000)
        self.refresh_timer.timeout.connect(self._on_refresh_timer)
        self.refresh_timer.start()
        self.reload()

    def _on_refresh_timer(self) -> None:
        if self.isVisible() and QApplication.activeModalWidget() is None:
            self.reload()

    def reload(self, select_visit: int | None = None) -> None:
        """Load every list again, keeping (or moving to) the selected visit."""
        current = select_visit if select_visit is not None else self.selected_visit_id()
        try:
            for tab in self.lists.values():
                tab.model.set_rows(tab.loader())
                fit_columns(tab.view)
        except StationDeskError as exc:
            show_error(self, exc.message)
            return
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

    def selected_visit_id(self) -> int | None:
        """The visit selected in the current list."""
        tab = self.lists[list(self.lists)[self.tabs.currentIndex()]]
        indexes = tab.view.selectionModel().selectedRows()
        if not indexes:
            return None
        return _visit_id(tab.model.row_at(tab.proxy.mapToSource(indexes[0]).row()))

    def _apply_filter(self, text: str) -> None:
        for tab in self.lists.values():
            tab.proxy.setFilterFixedString(text)

    def _on_tab_changed(self, _index: int) -> None:
        visit_id = self.selected_visit_id()
        self.panel.show_visit(visit_id)

    def _on_selection_changed(self, _a: QItemSelection, _b: QItemSelection) -> None:
        self.panel.show_visit(self.selected_visit_id())

    def _on_visit_changed(self, visit_id: int) -> None:
        self.reload(select_visit=visit_id)


def _visit_id(row: VisitRow | HandoverRow) -> int:
    return row.visit_id if isinstance(row, HandoverRow) else row.id
