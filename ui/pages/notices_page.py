"""告知单: find a notice by number or QR for the second visit; the register and one-visit rates."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.dto import SessionUser
from app.core.errors import StationDeskError
from app.notices.dto import NOTICE_STATE_LABELS, CompletionRow, NoticeRow
from app.notices.service import NoticeService
from ui.dialogs.notice_return_dialog import NoticeReturnDialog
from ui.models.filter_proxy_model import FilterProxyModel
from ui.models.row_table_model import Column, RowTableModel
from ui.widgets.date_edit import date_edit as _date_edit
from ui.widgets.date_edit import picked as _py
from ui.widgets.messages import show_error
from ui.widgets.tables import fit_columns, make_table

NOTICE_COLUMNS: list[Column[NoticeRow]] = [
    Column("编号", lambda r: r.number),
    Column("状态", lambda r: r.state_label, align_center=True),
    Column("类型", lambda r: "容缺承诺" if r.kind == "pledge" else "一次性告知"),
    Column("日期", lambda r: r.local_date.isoformat(), lambda r: r.local_date),
    Column("群众", lambda r: r.citizen_name),
    Column("事项", lambda r: r.service_name),
    Column("出具人", lambda r: r.officer_name),
    Column(
        "补正期限", lambda r: r.supplement_deadline.isoformat() if r.supplement_deadline else ""
    ),
    Column("待补", lambda r: f"{r.owed} 项" if r.owed else "", lambda r: r.owed, True),
    Column(
        "超范围", lambda r: f"{r.breaches} 次" if r.breaches else "", lambda r: r.breaches, True
    ),
]
RATE_COLUMNS: list[Column[CompletionRow]] = [
    Column("名称", lambda r: r.label),
    Column("出具", lambda r: str(r.issued), lambda r: r.issued, True),
    Column("一次补齐", lambda r: str(r.one_visit), lambda r: r.one_visit, True),
    Column(
        "一次办结率",
        lambda r: r.rate_text,
        lambda r: r.one_visit / r.issued if r.issued else 0,
        True,
    ),
]


class NoticesPage(QWidget):
    """The counter finds a notice by number or scan; the chief reads the register."""

    def __init__(
        self,
        notices: NoticeService,
        user: SessionUser,
        today: dt.date,
        parent: QWidget | None = None,
        officers: list[tuple[int, str]] | None = None,
    ) -> None:
        super().__init__(parent)
        self._notices = notices
        self._user = user
        find_button = self._build_find()
        refresh = self._build_filters(today, officers)
        self._build_list()
        rates, rate_note = self._build_rates()
        self._lay_out(find_button, refresh, rates, rate_note)
        self.reload()

    def _build_find(self) -> QPushButton:
        """The notice number (or its scanned QR code); returns its 查找 button."""
        self.find_edit = QLineEdit()
        self.find_edit.setPlaceholderText("输入告知单编号，或用扫码枪扫描告知单上的二维码，回车")
        self.find_edit.returnPressed.connect(self.find_notice)
        find_button = QPushButton("查找并登记补交")
        find_button.clicked.connect(self.find_notice)
        return find_button

    def _build_filters(self, today: dt.date, officers: list[tuple[int, str]] | None) -> QPushButton:
        """The date, officer and state filters; returns the 查询 button."""
        self.from_edit = _date_edit(today - dt.timedelta(days=30))
        self.to_edit = _date_edit(today)
        self.officer_combo = QComboBox()
        self.officer_combo.addItem("全部出具人", None)
        for officer_id, label in officers or []:
            self.officer_combo.addItem(label, officer_id)
        self.state_combo = QComboBox()
        self.state_combo.addItem("全部状态", None)
        for value, label in NOTICE_STATE_LABELS.items():
            self.state_combo.addItem(label, value)
        refresh = QPushButton("查询")
        refresh.clicked.connect(self.reload)
        return refresh

    def _build_list(self) -> None:
        """The notices' table; a double click opens the one in the row."""
        self.model: RowTableModel[NoticeRow] = RowTableModel(
            NOTICE_COLUMNS,
            colour=lambda r: "#b3261e" if r.state == "overdue" or r.breaches else None,
            muted=lambda r: r.state == "voided",
        )
        self.proxy = FilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.table = make_table(self.proxy, stretch_column=len(NOTICE_COLUMNS) - 1)
        self.table.doubleClicked.connect(self._on_row_activated)

    def _build_rates(self) -> tuple[QTabWidget, QLabel]:
        """The 一次办结率 tables (by officer, by matter) and the note that defines it."""
        self.by_officer: RowTableModel[CompletionRow] = RowTableModel(RATE_COLUMNS)
        self.by_matter: RowTableModel[CompletionRow] = RowTableModel(RATE_COLUMNS)
        rates = QTabWidget()
        self.rate_views = []
        for model, title in ((self.by_officer, "按民警"), (self.by_matter, "按事项")):
            proxy = FilterProxyModel(self)
            proxy.setSourceModel(model)
            view = make_table(proxy, stretch_column=0)
            self.rate_views.append(view)
            rates.addTab(view, title)
        rate_note = QLabel(
            "一次办结率 = 群众第二次来所即补齐且无超范围要求的告知单 ÷ 出具的告知单（不含作废）。"
        )
        rate_note.setWordWrap(True)
        rate_note.setObjectName("hint")
        return rates, rate_note

    def _lay_out(
        self, find_button: QPushButton, refresh: QPushButton, rates: QTabWidget, rate_note: QLabel
    ) -> None:
        """The find row on top; the filters and list beside the completion rates."""
        find_row = QHBoxLayout()
        find_row.addWidget(self.find_edit, 1)
        find_row.addWidget(find_button)
        filters = QHBoxLayout()
        filters.addWidget(QLabel("出具日期"))
        filters.addWidget(self.from_edit)
        filters.addWidget(QLabel("至"))
        filters.addWidget(self.to_edit)
        filters.addWidget(self.officer_combo)
        filters.addWidget(self.state_combo)
        filters.addWidget(refresh)
        filters.addStretch(1)
        right = QWidget()
        right.setMinimumWidth(340)
        right_box = QVBoxLayout(right)
        right_box.setContentsMargins(0, 0, 0, 0)
        right_box.addWidget(QLabel("一次办结率"))
        right_box.addWidget(rates, 1)
        right_box.addWidget(rate_note)
        splitter = QSplitter()
        left = QWidget()
        left_box = QVBoxLayout(left)
        left_box.setContentsMargins(0, 0, 0, 0)
        left_box.addLayout(filters)
        left_box.addWidget(self.table, 1)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(find_row)
        layout.addWidget(splitter, 1)

    def reload(self) -> None:
        """The register and the rates for the chosen dates."""
        start, end = _py(self.from_edit), _py(self.to_edit)
        try:
            self.model.set_rows(
                self._notices.register(
                    self._user,
                    start,
                    end,
                    officer_id=self.officer_combo.currentData(),
                    state=self.state_combo.currentData(),
                )
            )
            self.by_officer.set_rows(self._notices.completion(self._user, start, end, "officer"))
            self.by_matter.set_rows(self._notices.completion(self._user, start, end, "matter"))
        except StationDeskError as exc:
            show_error(self, exc.message)
            return
        fit_columns(self.table, widest=200)
        for view in self.rate_views:
            for column in range(1, len(RATE_COLUMNS)):
                view.resizeColumnToContents(column)

    def find_notice(self) -> None:
        """Open the notice typed or scanned, for the citizen's second visit."""
        try:
            notice = self._notices.find(self._user, self.find_edit.text())
        except StationDeskError as exc:
            show_error(self, exc.message)
            return
        self._open(notice.id, notice.number)

    def _on_row_activated(self) -> None:
        indexes = self.table.selectionModel().selectedRows()
        if indexes:
            row = self.model.row_at(self.proxy.mapToSource(indexes[0]).row())
            self._open(row.id, row.number)

    def _open(self, _notice_id: int, number: str) -> None:
        try:
            notice = self._notices.find(self._user, number)
        except StationDeskError as exc:
            show_error(self, exc.message)
            return
        NoticeReturnDialog(self._notices, self._user, notice, self).exec()
        self.find_edit.clear()
        self.reload()
