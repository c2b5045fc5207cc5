"""审计日志: who did what, when, to which record — filtered, checked, exported.

For the chief, the deputies and the administrator (查看审计记录). The list reads a page of
events at a time, newest first; Enter or 加载更多 reads the next older page. The selected
event's every field (before → after) and its place in the chain show below the list.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.audit_log.service import PAGE, AuditDetail, AuditFilter, AuditLogService, AuditRow, Cursor
from app.core.dto import SessionUser
from app.core.errors import StationDeskError
from app.integrity.dto import CheckReport
from ui.files import announce_saved, ask_save_path
from ui.models.filter_proxy_model import FilterProxyModel
from ui.models.row_table_model import Column, RowTableModel
from ui.tasks import run_with_progress
from ui.widgets.date_edit import date_edit as _date_edit
from ui.widgets.date_edit import picked as _py
from ui.widgets.field_errors import FieldErrors
from ui.widgets.messages import show_error, show_info
from ui.widgets.tables import fit_columns, make_table

logger = logging.getLogger(__name__)

COLUMNS: list[Column[AuditRow]] = [
    Column("时间", lambda r: r.at.strftime("%Y-%m-%d %H:%M:%S")),
    Column("人员", lambda r: r.officer),
    Column("操作", lambda r: r.action),
    Column("记录", lambda r: r.record),
    Column("内容", lambda r: r.summary),
]
UNEXPECTED = "操作未完成：发生意外错误，详情已写入日志。请重试；如仍失败请联系系统管理员。"


def detail_html(detail: AuditDetail) -> str:
    """The event's fields as a table of 项目 / 原值 / 新值, and its chain fingerprints."""
    row = detail.row
    e = html.escape
    head = (
        f"<p><b>第 {row.event_id} 号事件</b>　{e(row.at.strftime('%Y-%m-%d %H:%M:%S'))}　"
        f"{e(row.officer)}　<b>{e(row.action)}</b>　{e(row.record)}</p>"
    )
    if detail.changes:
        cells = "".join(
            f"<tr><td>{e(c.field)}</td><td>{e(c.before)}</td><td>{e(c.after)}</td></tr>"
            for c in detail.changes
        )
        body = (
            "<table border='1' cellspacing='0' cellpadding='3'>"
            "<tr><th>项目</th><th>原值</th><th>新值</th></tr>"
            f"{cells}</table>"
        )
    else:
        body = "<p>该事件没有记录其他内容。</p>"
    sealed = "本次操作写入的记录已用本所密钥封存。" if detail.sealed else ""
    chain = (
        f"<p style='color:#555'>审计链校验值：{e(detail.event_hash[:16])}…（前一事件 "
        f"{e(detail.previous_hash[:16])}…）。{sealed}</p>"
    )
    return head + body + chain


class AuditPage(QWidget):
    """Filters on top, the events in a list, the selected one in full below."""

    def __init__(
        self,
        audit_log: AuditLogService,
        user: SessionUser,
        today: dt.date,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._log = audit_log
        self._user = user
        self._cursor: Cursor | None = None
        self._filter: AuditFilter | None = None
        self.page_size = PAGE
        self._build_filters(today)
        grid, buttons = self._build_filter_rows()
        pager, note = self._build_results()
        self._lay_out(grid, buttons, pager, note)
        self._update_pager()
        self.search()

    def _build_filters(self, today: dt.date) -> None:
        """The period, officer, category and record filters, then 查询, 核对完整性 and 导出."""
        self.from_edit = _date_edit(today - dt.timedelta(days=6))
        self.to_edit = _date_edit(today)
        self.officer_combo = QComboBox()
        self.officer_combo.addItem("全部人员", None)
        try:
            officers = self._log.officers(self._user)
        except StationDeskError:
            officers = []
        for officer_id, label in officers:
            self.officer_combo.addItem(label, officer_id)
        self.category_combo = QComboBox()
        self.category_combo.addItem("全部操作", "")
        for key, label in self._log.categories():
            self.category_combo.addItem(label, key)
        self.record_edit = QLineEdit()
        self.record_edit.setPlaceholderText("受理、告知单、整改或投诉编号")
        self.record_edit.returnPressed.connect(self.search)
        self.search_button = QPushButton("查询")
        self.search_button.setDefault(True)
        self.search_button.clicked.connect(self.search)
        self.check_button = QPushButton("核对完整性…")
        self.check_button.setToolTip("核对审计链、本所密钥封存和已签名的台账、告知单、评价")
        self.check_button.clicked.connect(self.check)
        self.export_button = QPushButton("导出…")
        self.export_button.setToolTip("把所选时间范围和条件下的审计记录导出为 Excel 或 CSV")
        self.export_button.clicked.connect(self.export)

    def _build_filter_rows(self) -> tuple[QGridLayout, QHBoxLayout]:
        """The filters' grid with their messages, and the buttons' row."""
        general = QLabel()
        general.setWordWrap(True)
        self.errors = FieldErrors(general)
        # One row of filters (the record number takes what is left), their messages below.
        grid = QGridLayout()
        cells: list[tuple[str, QWidget, str]] = [
            ("从", self.from_edit, "period"),
            ("到", self.to_edit, "period_end"),
            ("人员", self.officer_combo, "officer"),
            ("操作类别", self.category_combo, "category"),
            ("记录编号", self.record_edit, "record"),
        ]
        for index, (label, widget, field) in enumerate(cells):
            grid.addWidget(QLabel(label), 0, index * 2)
            grid.addWidget(widget, 0, index * 2 + 1)
            grid.addWidget(self.errors.add(field, widget), 1, index * 2 + 1)
        grid.setColumnStretch(len(cells) * 2 - 1, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.search_button)
        buttons.addWidget(general, 1)
        buttons.addStretch(1)  # the buttons keep their size while no message shows
        buttons.addWidget(self.check_button)
        buttons.addWidget(self.export_button)
        return grid, buttons

    def _build_results(self) -> tuple[QHBoxLayout, QLabel]:
        """The records' table, its pager and detail, and the note under them."""
        self.model: RowTableModel[AuditRow] = RowTableModel(COLUMNS)
        self.proxy = FilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.table = make_table(self.proxy, stretch_column=4)
        self.table.setSortingEnabled(False)  # newest first, as read; older pages append
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.more_button = QPushButton("加载更早的记录")
        self.more_button.clicked.connect(self.load_more)
        self.count_label = QLabel()
        pager = QHBoxLayout()
        pager.addWidget(self.count_label, 1)
        pager.addWidget(self.more_button)
        self.detail = QTextBrowser()
        self.detail.setOpenLinks(False)
        note = QLabel(
            "审计记录只能追加、不能修改或删除；群众姓名、电话在此已部分隐藏。"
            "查看完整号码、打印和导出都各有一条记录。"
        )
        note.setObjectName("hint")
        note.setWordWrap(True)
        return pager, note

    def _lay_out(
        self, grid: QGridLayout, buttons: QHBoxLayout, pager: QHBoxLayout, note: QLabel
    ) -> None:
        """Filters, buttons, table and pager above the detail; the note at the bottom."""
        top = QWidget()
        top_box = QVBoxLayout(top)
        top_box.setContentsMargins(0, 0, 0, 0)
        top_box.addLayout(grid)
        top_box.addLayout(buttons)
        top_box.addWidget(self.table, 1)
        top_box.addLayout(pager)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([3000, 1000])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        layout.addWidget(note)
        QShortcut(QKeySequence("Ctrl+E"), self, self.export)

    # ---- reading ---------------------------------------------------------------------

    def current_filter(self) -> AuditFilter:
        """The filters as the service takes them."""
        return AuditFilter(
            start=_py(self.from_edit),
            end=_py(self.to_edit),
            officer_id=self.officer_combo.currentData(),
            category=self.category_combo.currentData() or "",
            record=self.record_edit.text(),
        )

    def search(self) -> None:
        """Read the newest page the filters select."""
        self.errors.clear()
        flt = self.current_filter()
        try:
            page = self._log.page(self._user, flt, limit=self.page_size)
        except StationDeskError as exc:
            self.errors.show(exc)
            return
        self._filter, self._cursor = flt, page.cursor
        self.model.set_rows(page.rows)
        fit_columns(self.table, widest=260)
        self._update_pager()
        if page.rows:
            self.table.selectRow(0)
        else:
            self.detail.setHtml("<p>所选范围内没有审计记录。</p>")

    def load_more(self) -> None:
        """Append the next older page of the same search."""
        if self._filter is None or self._cursor is None:
            return
        try:
            page = self._log.page(self._user, self._filter, self._cursor, self.page_size)
        except StationDeskError as exc:
            show_error(self, exc.message)
            return
        first_new = self.model.rowCount()
        self._cursor = page.cursor
        self.model.set_rows([*self.model.rows(), *page.rows])
        self._update_pager()
        if page.rows:
            self.table.selectRow(first_new)

    def _update_pager(self) -> None:
        shown = self.model.rowCount()
        more = self._cursor is not None
        tail = "，还有更早的记录" if more else ("，已全部列出" if shown else "")
        self.count_label.setText(f"已列出 {shown} 条{tail}")
        self.more_button.setEnabled(more)

    def _on_selection_changed(self, _a: QItemSelection, _b: QItemSelection) -> None:
        indexes = self.table.selectionModel().selectedRows()
        if not indexes:
            return
        row = self.model.row_at(self.proxy.mapToSource(indexes[0]).row())
        try:
            detail = self._log.detail(self._user, row.event_id)
        except StationDeskError as exc:
            self.detail.setHtml(f"<p>{html.escape(exc.message)}</p>")
            return
        self.detail.setHtml(detail_html(detail))

    # ---- checking and exporting --------------------------------------------------------

    def check(self) -> None:
        """The whole integrity check, as ``stationdesk check`` runs it."""
        report = self._background(
            "正在核对审计链和已签名的记录，数据多时需要几分钟……",
            lambda _progress: self._log.check(self._user),
        )
        if not isinstance(report, CheckReport):
            return
        verdict = "核对通过：未发现改动。" if report.ok else "核对发现问题，请立即报告所长："
        lines = "\n".join(report.lines)
        show_info(self, f"{verdict}\n\n{lines}", "完整性核对")
        self.search()  # the check is itself on the log now

    def export(self) -> None:
        """Write the filtered period to a file the chief chooses."""
        self.errors.clear()
        flt = self.current_filter()
        suggested = f"审计日志-{flt.start.isoformat()}至{flt.end.isoformat()}.xlsx"
        path = ask_save_path(
            self,
            "audit",
            "导出审计日志",
            suggested,
            "Excel 工作簿 (*.xlsx);;CSV 文件 (*.csv)",
        )
        if path is None:
            return
        if path.suffix.lower() not in (".xlsx", ".csv"):
            path = path.with_name(path.name + ".xlsx")
        result = self._background(
            "正在导出审计日志……",
            lambda progress: self._log.export(self._user, flt, path, progress),
        )
        if result is None:
            return
        text = f"已导出审计日志 {result.rows} 条：{result.path}"
        if not announce_saved(self, result.path):
            show_info(self, text, "导出完成")
        self.search()

    def _background(self, text: str, work: Callable[[Any], Any]) -> Any:
        try:
            return run_with_progress(self, text, work)
        except StationDeskError as exc:
            if exc.field in ("period", "category", "record"):
                self.errors.show(exc)  # at the filter that needs changing
            else:
                show_error(self, exc.message)
        except Exception:
            logger.exception("audit log job failed")
            show_error(self, UNEXPECTED)
        return None
