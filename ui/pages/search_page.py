"""查询: find visits by number, name, ID, phone, dates, officer, matter, status — page by page."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.casefile.service import CaseFileService
from app.catalogue.service import CatalogueService
from app.core.dto import SessionUser
from app.core.errors import StationDeskError
from app.notices.service import NoticeService
from app.ratings.service import RatingService
from app.visits.dto import VisitQuery, VisitRow
from app.visits.rules import STATUS_LABELS, VisitStatus
from app.visits.service import VisitService
from ui.models.filter_proxy_model import FilterProxyModel
from ui.models.row_table_model import RowTableModel
from ui.models.visit_columns import VISIT_COLUMNS, visit_colour
from ui.widgets.date_edit import date_edit as _date_edit
from ui.widgets.date_edit import picked as _py
from ui.widgets.field_errors import FieldErrors
from ui.widgets.rare_char_picker import install_rare_char_picker
from ui.widgets.tables import fit_columns, make_table, on_enter
from ui.widgets.visit_panel import VisitPanel

PAGE_SIZE = 100


class SearchPage(QWidget):
    """Filters on top, one page of results, the selected visit on the right."""

    def __init__(
        self,
        visits: VisitService,
        catalogue: CatalogueService,
        user: SessionUser,
        today: dt.date,
        parent: QWidget | None = None,
        notices: NoticeService | None = None,
        ratings: RatingService | None = None,
        case_files: CaseFileService | None = None,
    ) -> None:
        super().__init__(parent)
        self._visits = visits
        self._user = user
        self._offset = 0
        self._total = 0
        self._build_text_filters(today)
        self._build_choices(visits, catalogue, user)
        clear = self._build_search_buttons()

        general = QLabel()
        self.errors = FieldErrors(general)
        grid = self._filter_grid()
        buttons = self._buttons_row(clear, general)

        pager, note = self._build_results()

        self._build_panel(visits, user, notices, ratings, case_files)
        self._lay_out(grid, buttons, pager, note)
        self._update_pager()

    def _build_text_filters(self, today: dt.date) -> None:
        """编号, 姓名, 证件号码, 电话 and the dates (the last thirty days unless told)."""
        self.serial_edit = QLineEdit()
        self.serial_edit.setPlaceholderText("如 QNL-2026-000123，或扫描回执、告知单二维码")
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("姓名开头即可")
        install_rare_char_picker(self.name_edit)  # 生僻字: F4 or the 僻 button
        self.id_edit = QLineEdit()
        self.id_edit.setPlaceholderText("完整证件号码")
        # All 18 characters of an ID number stay in view while typing.
        self.id_edit.setMinimumWidth(self.id_edit.fontMetrics().horizontalAdvance("8" * 20) + 16)
        self.phone_edit = QLineEdit()
        self.from_edit = _date_edit(today - dt.timedelta(days=30))
        self.to_edit = _date_edit(today)
        self.dates_check = QCheckBox("按登记日期")
        self.dates_check.setChecked(True)
        self.dates_check.setToolTip("按编号、证件号码或电话查询时不限日期")
        self.dates_check.toggled.connect(self.from_edit.setEnabled)
        self.dates_check.toggled.connect(self.to_edit.setEnabled)

    def _build_choices(
        self, visits: VisitService, catalogue: CatalogueService, user: SessionUser
    ) -> None:
        """经办人, 事项 and 状态, each with 全部 first."""
        self.officer_combo = QComboBox()
        self.officer_combo.addItem("全部人员", None)
        try:
            colleagues = visits.colleagues(user)
        except StationDeskError:
            colleagues = []
        self.officer_combo.addItem(f"{user.name}（本人）", user.officer_id)
        for officer_id, label in colleagues:
            self.officer_combo.addItem(label, officer_id)
        self.matter_combo = QComboBox()
        self.matter_combo.addItem("全部事项", None)
        for item in catalogue.list_items(include_inactive=True):
            self.matter_combo.addItem(f"{item.name}（{item.code}）", item.item_id)
        self.status_combo = QComboBox()
        self.status_combo.addItem("全部状态", None)
        for status, label in STATUS_LABELS.items():
            self.status_combo.addItem(label, status.value)

    def _build_search_buttons(self) -> QPushButton:
        """查询 (Enter in a text filter too) and 清空条件 (returned: the buttons row places it)."""
        self.search_button = QPushButton("查询")
        self.search_button.setDefault(True)
        self.search_button.clicked.connect(self.search)
        for edit in (self.serial_edit, self.name_edit, self.id_edit, self.phone_edit):
            edit.returnPressed.connect(self.search)
        clear = QPushButton("清空条件")
        clear.clicked.connect(self._clear)
        return clear

    def _filter_grid(self) -> QGridLayout:
        """The filters three to a row, each with its label and, below it, its error."""
        grid = QGridLayout()
        cells: list[tuple[str, QWidget, str]] = [
            ("编号", self.serial_edit, "serial"),
            ("姓名", self.name_edit, "name"),
            ("证件号码", self.id_edit, "id_number"),
            ("电话", self.phone_edit, "phone"),
            ("登记日期从", self.from_edit, "date_from"),
            ("到", self.to_edit, "date_to"),
            ("经办人", self.officer_combo, "officer"),
            ("事项", self.matter_combo, "service"),
            ("状态", self.status_combo, "status"),
        ]
        for index, (label, widget, field) in enumerate(cells):
            row, col = divmod(index, 3)
            grid.addWidget(QLabel(label), row * 2, col * 2)
            grid.addWidget(widget, row * 2, col * 2 + 1)
            grid.addWidget(self.errors.add(field, widget), row * 2 + 1, col * 2 + 1)
        return grid

    def _buttons_row(self, clear: QPushButton, general: QLabel) -> QHBoxLayout:
        """按登记日期, 查询, 清空条件, then the error that belongs to no single filter."""
        buttons = QHBoxLayout()
        buttons.addWidget(self.dates_check)
        buttons.addWidget(self.search_button)
        buttons.addWidget(clear)
        buttons.addWidget(general, 1)
        return buttons

    def _build_results(self) -> tuple[QHBoxLayout, QLabel]:
        """The result table, the pager and the note on masked numbers (the last two returned)."""
        self.model: RowTableModel[VisitRow] = RowTableModel(VISIT_COLUMNS, colour=visit_colour)
        self.proxy = FilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.table = make_table(self.proxy, stretch_column=2)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.prev_button = QPushButton("上一页")
        self.next_button = QPushButton("下一页")
        self.prev_button.clicked.connect(lambda: self._page(-1))
        self.next_button.clicked.connect(lambda: self._page(1))
        self.page_label = QLabel()
        pager = QHBoxLayout()
        pager.addWidget(self.page_label, 1)
        pager.addWidget(self.prev_button)
        pager.addWidget(self.next_button)
        note = QLabel(
            "证件号码和电话已部分隐藏；确需完整号码时，在右侧“查看完整证件号”并写明用途。"
        )
        note.setObjectName("hint")
        note.setWordWrap(True)  # whole at any 字号
        return pager, note

    def _build_panel(
        self,
        visits: VisitService,
        user: SessionUser,
        notices: NoticeService | None,
        ratings: RatingService | None,
        case_files: CaseFileService | None,
    ) -> None:
        """The selected visit's panel; Enter on a row starts its primary action."""
        self.panel = VisitPanel(
            visits, user, notices=notices, ratings=ratings, case_files=case_files
        )
        self.panel.changed.connect(lambda _id: self._run(self._offset))
        self.panel.attach_shortcuts(self)
        on_enter(self.table, self.panel.trigger_primary)

    def _lay_out(
        self, grid: QGridLayout, buttons: QHBoxLayout, pager: QHBoxLayout, note: QLabel
    ) -> None:
        """Filters, buttons, results, pager and note on the left; the panel on the right."""
        left = QWidget()
        left_box = QVBoxLayout(left)
        left_box.setContentsMargins(0, 0, 0, 0)
        left_box.addLayout(grid)
        left_box.addLayout(buttons)
        left_box.addWidget(self.table, 1)
        left_box.addLayout(pager)
        left_box.addWidget(note)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.panel)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([3000, 2000])  # the detail pane keeps two fifths, not what is left
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

    def query(self, offset: int = 0) -> VisitQuery:
        """The filters as a service query."""
        status = self.status_combo.currentData()
        # A scanned receipt or notice code goes to the service whole: it checks the checksum.
        serial = self.serial_edit.text()
        # A number, an ID or a phone names one citizen: look through every year for it.
        exact = any(t.strip() for t in (serial, self.id_edit.text(), self.phone_edit.text()))
        use_dates = self.dates_check.isChecked() and not exact
        return VisitQuery(
            serial=serial,
            name=self.name_edit.text(),
            id_number=self.id_edit.text(),
            phone=self.phone_edit.text(),
            date_from=_py(self.from_edit) if use_dates else None,
            date_to=_py(self.to_edit) if use_dates else None,
            officer_id=self.officer_combo.currentData(),
            service_item_id=self.matter_combo.currentData(),
            status=VisitStatus(status) if status else None,
            offset=offset,
            limit=PAGE_SIZE,
        )

    def search(self) -> None:
        """Run the query from the first page."""
        self._run(0)

    def _run(self, offset: int) -> None:
        self.errors.clear()
        try:
            page = self._visits.search(self._user, self.query(offset))
        except StationDeskError as exc:
            self.errors.show(exc)
            return
        self._offset, self._total = page.offset, page.total
        self.model.set_rows(page.rows)
        fit_columns(self.table)
        self._update_pager()
        if page.rows:
            self.table.selectRow(0)
        else:
            self.panel.show_visit(None)

    def _page(self, step: int) -> None:
        self._run(max(0, self._offset + step * PAGE_SIZE))

    def _update_pager(self) -> None:
        pages = max(1, -(-self._total // PAGE_SIZE))
        current = self._offset // PAGE_SIZE + 1
        self.page_label.setText(f"共 {self._total} 条，第 {current}/{pages} 页")
        self.prev_button.setEnabled(self._offset > 0)
        self.next_button.setEnabled(self._offset + PAGE_SIZE < self._total)

    def _clear(self) -> None:
        for edit in (self.serial_edit, self.name_edit, self.id_edit, self.phone_edit):
            edit.clear()
        for combo in (self.officer_combo, self.matter_combo, self.status_combo):
            combo.setCurrentIndex(0)

    def _on_selection_changed(self, _a: QItemSelection, _b: QItemSelection) -> None:
        indexes = self.table.selectionModel().selectedRows()
        if indexes:
            row = self.model.row_at(self.proxy.mapToSource(indexes[0]).row())
            self.panel.show_visit(row.id)
