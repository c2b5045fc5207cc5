"""交接班记录: the records of a period (the chief and deputies: everyone's), each reprinted
from the keyboard (Enter opens its print preview)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.dto import SessionUser
from app.core.errors import StationDeskError
from app.shifts.service import ShiftRecordRow, ShiftService
from ui.dialogs.shift_dialog import print_shift_record
from ui.models.filter_proxy_model import FilterProxyModel
from ui.models.row_table_model import Column, RowTableModel
from ui.widgets.date_edit import date_edit, picked
from ui.widgets.messages import show_error
from ui.widgets.tables import fit_columns, make_table, on_enter

DAYS_SHOWN = 7
COLUMNS: list[Column[ShiftRecordRow]] = [
    Column("交班时间", lambda r: r.at.strftime("%Y-%m-%d %H:%M"), lambda r: r.at),
    Column("记录编号", lambda r: r.number),
    Column("交班人", lambda r: r.officer),
    Column("列出事项", lambda r: str(r.items), lambda r: r.items, True),
    Column("本人继续负责", lambda r: str(r.kept), lambda r: r.kept, True),
    Column("移交同事", lambda r: str(r.handed), lambda r: r.handed, True),
    Column("交班说明", lambda r: r.note),
]


class ShiftRecordsDialog(QDialog):
    """The list, newest first; 打印 (or Enter) opens the selected record's print preview."""

    def __init__(
        self,
        shifts: ShiftService,
        user: SessionUser,
        today: dt.date,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._shifts = shifts
        self._user = user
        self.setWindowTitle("交接班记录")
        self.setProperty("help_key", "shift")
        self.resize(max(760, self.fontMetrics().horizontalAdvance("中") * 56), 460)
        self.start_edit = date_edit(today - dt.timedelta(days=DAYS_SHOWN - 1))
        self.end_edit = date_edit(today)
        search = QPushButton("查询(&Q)")
        search.setAutoDefault(False)
        search.clicked.connect(self.reload)
        self.model: RowTableModel[ShiftRecordRow] = RowTableModel(COLUMNS)
        self.proxy = FilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.table = make_table(self.proxy, stretch_column=6)
        on_enter(self.table, self.print_selected)
        self.empty_label = QLabel("这段时间没有交接班记录。")
        self.empty_label.setObjectName("hint")
        buttons = QDialogButtonBox()
        self.print_button = buttons.addButton("打印(&P)…", QDialogButtonBox.ButtonRole.ActionRole)
        self.print_button.setAutoDefault(False)
        self.print_button.clicked.connect(self.print_selected)
        close = buttons.addButton("关闭（Esc）", QDialogButtonBox.ButtonRole.RejectRole)
        close.setAutoDefault(False)
        buttons.rejected.connect(self.reject)
        top = QHBoxLayout()
        top.addWidget(QLabel("交班日期"))
        top.addWidget(self.start_edit)
        top.addWidget(QLabel("至"))
        top.addWidget(self.end_edit)
        top.addWidget(search)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_label)
        layout.addWidget(buttons)
        self.reload()
        self.table.setFocus()

    def reload(self) -> None:
        try:
            rows = self._shifts.records(self._user, picked(self.start_edit), picked(self.end_edit))
        except StationDeskError as exc:
            show_error(self, exc.message)
            return
        self.model.set_rows(rows)
        fit_columns(self.table)
        self.empty_label.setVisible(not rows)
        self.print_button.setEnabled(bool(rows))
        if rows:
            self.table.selectRow(0)

    def selected(self) -> ShiftRecordRow | None:
        indexes = self.table.selectionModel().selectedRows()
        if not indexes:
            return None
        return self.model.rows()[self.proxy.mapToSource(indexes[0]).row()]

    def print_selected(self) -> None:
        row = self.selected()
        if row is None:
            return
        try:
            record = self._shifts.record(self._user, row.number)
        except StationDeskError as exc:
            show_error(self, exc.message)
            return
        print_shift_record(self._shifts, self._user, record, self)
