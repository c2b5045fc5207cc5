"""回访: my callback worklist; for the chief, sampling, everyone's list and coverage."""

from __future__ import annotations

import datetime as dt

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.callbacks.service import CALLER_ROLES, CallbackRow, CallbackService, Coverage
from app.callbacks.sms import SmsService
from app.core.dto import SessionUser
from app.core.errors import StationDeskError
from app.core.reveal_purposes import CALLBACK_PHONE_PURPOSES
from app.core.roles import Permission, allows
from app.printing.fonts import glyph_warning
from app.printing.register_pdf import register_as_printed, render_register
from app.ratings.service import RatingService
from ui.dialogs.callback_attempt_dialog import CallbackAttemptDialog
from ui.dialogs.reveal_dialog import reveal_dialog
from ui.dialogs.sms_dialog import SmsExportDialog, SmsImportDialog
from ui.files import announce
from ui.localtime import fmt
from ui.models.filter_proxy_model import FilterProxyModel
from ui.models.row_table_model import Column, RowTableModel
from ui.print_preview_dialog import PrintPreviewDialog
from ui.widgets.date_edit import date_edit as _date_edit
from ui.widgets.date_edit import picked as _py
from ui.widgets.html import esc
from ui.widgets.messages import confirm, show_error, show_info
from ui.widgets.tables import fit_columns, make_table, on_enter

COLUMNS: list[Column[CallbackRow]] = [
    Column("类型", lambda r: r.kind_label),
    Column("原因", lambda r: r.reason_label),
    Column("状态", lambda r: r.state_label + ("（已逾期）" if r.overdue else ""), None, True),
    Column("期限", lambda r: r.due_date.isoformat(), lambda r: r.due_date),
    Column("事项编号", lambda r: r.visit_serial),
    Column("事项", lambda r: r.matter),
    Column("办结日期", lambda r: r.finished_on.isoformat() if r.finished_on else ""),
    Column("群众", lambda r: r.citizen_name),
    Column("电话", lambda r: r.phone_masked),
    Column("办理民警", lambda r: r.handled_by),
    Column("回访民警", lambda r: r.assigned_to),
    Column("次数", lambda r: str(len(r.attempts)), lambda r: len(r.attempts), True),
    Column("回访评价", lambda r: r.callback_level),
]
# Only supervisors compare with the on-site level; the caller asks without knowing it.
SUPERVISOR_COLUMNS: list[Column[CallbackRow]] = [
    Column("现场评价", lambda r: r.on_site_level),
    Column("预警", lambda r: "评价落差≥2级" if r.pressure else ""),
]


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def coverage_html(rows: list[Coverage]) -> str:
    """The coverage table: sampled, called, reached, rates, pressure flags, 差评."""
    head = "".join(
        f"<th>{h}</th>"
        for h in ("期间", "抽样", "已拨打", "拨打率", "接通", "接通率", "落差预警", "回访差评")
    )
    body = "".join(
        f"<tr><td>{esc(c.label)}</td><td>{c.sampled}</td><td>{c.called}</td>"
        f"<td>{_percent(c.call_rate)}</td><td>{c.reached}</td><td>{_percent(c.reach_rate)}</td>"
        f"<td>{c.pressure}</td><td>{c.dissatisfied}</td></tr>"
        for c in rows
    )
    return (
        f"<table border='1' cellspacing='0' cellpadding='3'><tr>{head}</tr>{body}</table>"
        "<p style='color:#57606a'>拨打率 = 已拨打 ÷ 抽样；接通率 = 接通 ÷ 已拨打。"
        "落差预警：电话评价比现场评价低两级及以上。</p>"
    )


class CallbacksPage(QWidget):
    """Everyone calls back what was assigned to them; supervisors sample and watch coverage."""

    def __init__(
        self,
        callbacks: CallbackService,
        user: SessionUser,
        today: dt.date,
        dimensions: tuple[str, ...],
        share: int,
        parent: QWidget | None = None,
        ratings: RatingService | None = None,
        sms: SmsService | None = None,
    ) -> None:
        super().__init__(parent)
        self._callbacks = callbacks
        self._user = user
        self._today = today
        self._sms = sms
        self._dimensions = dimensions
        self._ratings = ratings
        self.supervisor = allows(user.role, Permission.VIEW_ALL_VISITS)
        button_row = self._build_list()
        left, right = self._build_panes(button_row)
        note = self._build_sampling(callbacks, today, share)
        self._lay_out(left, right, note)
        self.reload()

    def _build_list(self) -> QHBoxLayout:
        """The table, its check boxes and count, the detail; returns the actions' row."""
        columns = COLUMNS + (SUPERVISOR_COLUMNS if self.supervisor else [])
        self.model: RowTableModel[CallbackRow] = RowTableModel(
            columns,
            colour=lambda r: "#b3261e" if r.overdue or r.pressure else None,
            muted=lambda r: r.state != "pending",
        )
        self.proxy = FilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.table = make_table(self.proxy, stretch_column=5)
        on_enter(self.table, self.log_attempt)
        self.table.selectionModel().selectionChanged.connect(self._show_selected)
        self.table.doubleClicked.connect(self.log_attempt)
        self.everyone = QCheckBox("全所回访")
        self.everyone.setVisible(self.supervisor)
        self.everyone.toggled.connect(self.reload)
        self.include_done = QCheckBox("含已结束")
        self.include_done.toggled.connect(self.reload)
        self.summary = QLabel()
        self.summary.setObjectName("hint")

        self.detail = QTextBrowser()
        self.buttons: dict[str, QPushButton] = {}
        actions = (
            ("attempt", "登记回访结果…", self.log_attempt),
            ("dial", "查看完整号码…", self.reveal_phone),
            ("reassign", "改派…", self.reassign),
            ("home", "安排上门回访", self.schedule_home),
            # 短信回访: Alt+M and Alt+R (the menu bar has W, P, S and H).
            ("sms_export", "短信名单导出(&M)…", self.export_sms),
            ("sms_import", "导入短信回复(&R)…", self.import_sms),
        )
        button_row = QHBoxLayout()
        for key, text, slot in actions:
            button = QPushButton(text)
            button.clicked.connect(slot)
            self.buttons[key] = button
            button_row.addWidget(button)
        button_row.addStretch(1)
        for key in ("reassign", "home"):
            self.buttons[key].setVisible(self.supervisor)
        for key in ("sms_export", "sms_import"):
            self.buttons[key].setVisible(self._sms is not None and self._user.role in CALLER_ROLES)
        return button_row

    def _build_panes(self, button_row: QHBoxLayout) -> tuple[QWidget, QWidget]:
        """The list with its check boxes and buttons (left); the detail and coverage (right)."""
        top = QHBoxLayout()
        top.addWidget(self.everyone)
        top.addWidget(self.include_done)
        top.addWidget(self.summary, 1)
        left = QWidget()
        left_box = QVBoxLayout(left)
        left_box.setContentsMargins(0, 0, 0, 0)
        left_box.addLayout(top)
        left_box.addWidget(self.table, 1)
        left_box.addLayout(button_row)
        right = QWidget()
        # Room for the coverage table's eight columns at any 字号 (it wrapped a character a
        # line at 特大 on a 1366 screen).
        right.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 26)
        right_box = QVBoxLayout(right)
        right_box.setContentsMargins(0, 0, 0, 0)
        self.coverage_view = QTextBrowser()
        self.coverage_view.setHtml("<p style='color:#57606a'>选择日期后点“统计回访覆盖率”。</p>")
        self.side = QTabWidget()
        self.side.addTab(self.detail, "回访经过")
        self.side.addTab(self.coverage_view, "覆盖率")
        self.side.setTabVisible(1, self.supervisor)
        right_box.addWidget(self.side, 1)
        return left, right

    def _build_sampling(self, callbacks: CallbackService, today: dt.date, share: int) -> QLabel:
        """The chief's sampling row and the note under it; both hidden from the others."""
        self.sample_box = QGroupBox("电话回访抽样（所长、副所长）")
        start, end = callbacks.default_period() if self.supervisor else (today, today)
        self.from_edit = _date_edit(start)
        self.to_edit = _date_edit(end)
        self.share_spin = QSpinBox()
        self.share_spin.setRange(1, 100)
        self.share_spin.setSuffix(" %")
        self.share_spin.setValue(share)
        sample_button = QPushButton("抽样并分派")
        sample_button.clicked.connect(self.sample)
        coverage_button = QPushButton("统计回访覆盖率")
        coverage_button.clicked.connect(self.show_coverage)
        register_button = QPushButton("打印现场回访登记簿…")
        register_button.clicked.connect(self.print_register)
        sample_row = QHBoxLayout(self.sample_box)
        sample_row.addWidget(QLabel("办结日期"))
        sample_row.addWidget(self.from_edit)
        sample_row.addWidget(QLabel("至"))
        sample_row.addWidget(self.to_edit)
        sample_row.addWidget(QLabel("比例"))
        sample_row.addWidget(self.share_spin)
        sample_row.addWidget(sample_button)
        sample_row.addWidget(coverage_button)
        sample_row.addWidget(register_button)
        sample_row.addStretch(1)
        self.sample_box.setVisible(self.supervisor)
        note = QLabel(
            "抽样按民警和事项分层，现场差评和群众要求回访的事项全部回访；"
            "回访一律由未经办该事项的民警进行。"
        )
        note.setObjectName("hint")
        note.setWordWrap(True)
        note.setVisible(self.supervisor)
        return note

    def _lay_out(self, left: QWidget, right: QWidget, note: QLabel) -> None:
        """Sampling on top, then the list and the detail side by side."""
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.sample_box)
        layout.addWidget(note)
        layout.addWidget(splitter, 1)

    # ---- list ---------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        """Fresh each time the page is opened."""
        super().showEvent(event)
        self.reload()

    def reload(self) -> None:
        """The worklist (mine, or everyone's for a supervisor)."""
        keep = self.selected()
        model = self.table.selectionModel()
        picked = model.selectedRows() if model is not None else []
        place = picked[0].row() if picked else -1
        try:
            rows = self._callbacks.worklist(
                self._user,
                everyone=self.everyone.isChecked(),
                include_done=self.include_done.isChecked(),
            )
        except StationDeskError as exc:
            show_error(self, exc.message)
            return
        self.model.set_rows(rows)
        pending = [r for r in rows if r.state == "pending"]
        overdue = sum(1 for r in pending if r.overdue)
        self.summary.setText(
            f"待回访 {len(pending)} 件" + (f"，其中已逾期 {overdue} 件" if overdue else "")
        )
        fit_columns(self.table, widest=180)
        if keep is not None:
            index = self.model.find(lambda r: r.id == keep.id)
            if index >= 0:
                self.table.selectRow(self.proxy.mapFromSource(self.model.index(index, 0)).row())
            elif self.proxy.rowCount():
                # Done and gone from the worklist: the next one in its place, for the keyboard.
                self.table.selectRow(min(place, self.proxy.rowCount() - 1))
        self._show_selected()

    def selected(self) -> CallbackRow | None:
        """The selected callback."""
        model = self.table.selectionModel()
        indexes = model.selectedRows() if model is not None else []
        if not indexes:
            return None
        return self.model.row_at(self.proxy.mapToSource(indexes[0]).row())

    def select_first(self) -> None:
        """Select the first row (tests, keyboard)."""
        if self.proxy.rowCount():
            self.table.selectRow(0)

    def _show_selected(self) -> None:
        row = self.selected()
        mine = row is not None and row.assigned_to_id == self._user.officer_id
        pending = row is not None and row.state == "pending"
        self.buttons["attempt"].setEnabled(mine and pending)
        self.buttons["dial"].setEnabled(mine and pending)
        self.buttons["reassign"].setEnabled(pending)
        self.buttons["home"].setEnabled(row is not None and row.kind == "phone")
        if row is None:
            self.detail.setHtml("<p style='color:#57606a'>选择一条回访任务。</p>")
            return
        attempts = "".join(
            f"<li>{fmt(a.at)}　{esc(a.officer)}　{esc(a.outcome_label)}"
            f"{('：' + esc(a.note)) if a.note else ''}</li>"
            for a in row.attempts
        )
        lines = [
            f"<h3>{esc(row.kind_label)}　{esc(row.state_label)}</h3>",
            f"<p>{esc(row.visit_serial)}　{esc(row.matter)}<br>",
            f"群众：{esc(row.citizen_name)}　电话：{esc(row.phone_masked)}<br>",
            f"办理民警：{esc(row.handled_by)}　回访民警：{esc(row.assigned_to)}<br>",
            f"原因：{esc(row.reason_label)}　期限：{row.due_date.isoformat()}"
            + ("　<b style='color:#b3261e'>已逾期</b>" if row.overdue else "")
            + "</p>",
        ]
        if row.callback_level:
            lines.append(f"<p>回访评价：{esc(row.callback_level)}</p>")
        if self.supervisor and row.on_site_level:
            lines.append(f"<p>现场评价：{esc(row.on_site_level)}</p>")
        if self.supervisor and row.pressure:
            lines.append(
                "<p style='color:#b3261e'>预警：电话评价比现场评价低两级及以上，"
                "请核实窗口是否存在诱导或施压评价。</p>"
            )
        lines.append(f"<h4>回访记录</h4><ul>{attempts or '<li>尚未回访</li>'}</ul>")
        self.detail.setHtml("".join(lines))

    # ---- actions ------------------------------------------------------------------------

    def log_attempt(self) -> CallbackAttemptDialog | None:
        """Open the attempt dialog for the selected callback."""
        row = self.selected()
        if row is None or not self.buttons["attempt"].isEnabled():
            return None
        dialog = CallbackAttemptDialog(self._callbacks, self._user, row, self._dimensions, self)
        dialog.exec()
        self.reload()
        self.table.setFocus()  # on the next callback: Enter logs it
        if dialog.saved is not None and dialog.saved.dissatisfied:
            follow = "并安排上门回访" if row.kind == "phone" else ""
            show_info(self, f"群众不满意：已生成整改督办{follow}，由所领导跟进。")
        return dialog

    def reveal_phone(self) -> None:
        """Show the full number to dial, once the purpose and detail are given (audited)."""
        row = self.selected()
        if row is None:
            return
        callback_id = row.id
        dialog = reveal_dialog(
            "查看完整号码",
            f"{row.kind_label}　{row.citizen_name}",
            CALLBACK_PHONE_PURPOSES,
            lambda purpose, detail: self._callbacks.reveal_phone(
                self._user, callback_id, purpose, detail
            ),
            self,
            "如：电话回访群众对换领身份证的办理评价",
        )
        if dialog.exec() and dialog.result_value is not None:
            show_info(
                self,
                f"{row.citizen_name}：{dialog.result_value}\n（查看完整号码已记录在审计日志中）",
            )

    def reassign(self) -> None:
        """Give the callback to another officer who did not handle the matter."""
        row = self.selected()
        if row is None:
            return
        try:
            callers = self._callbacks.callers(self._user, row.id)
        except StationDeskError as exc:
            show_error(self, exc.message)
            return
        labels = [label for _, label in callers]
        if not labels:
            show_error(self, "没有可以改派的民警（经办民警不能回访）。")
            return
        label, ok = QInputDialog.getItem(self, "改派回访", "改派给：", labels, 0, False)
        if not ok:
            return
        officer_id = callers[labels.index(label)][0]
        try:
            self._callbacks.reassign(self._user, row.id, row.row_version, officer_id)
        except StationDeskError as exc:
            show_error(self, exc.message)
        self.reload()

    def schedule_home(self) -> None:
        """Send the unit's head (or an officer not involved) to the citizen's home."""
        row = self.selected()
        if row is None or not confirm(self, f"为 {row.visit_serial} 安排上门回访？"):
            return
        try:
            self._callbacks.schedule_home_visit(self._user, row.visit_id)
        except StationDeskError as exc:
            show_error(self, exc.message)
        self.reload()

    def export_sms(self) -> SmsExportDialog | None:
        """短信名单导出: the period's list for the SMS platform (full numbers, audited)."""
        if self._sms is None:
            return None
        start, end = (
            (_py(self.from_edit), _py(self.to_edit))
            if self.supervisor
            else (self._today.replace(day=1), self._today)
        )
        dialog = SmsExportDialog(self._sms, self._user, start, end, self.supervisor, self)
        if dialog.exec() and dialog.exported is not None:
            done = dialog.exported
            skipped = f"（{done.skipped} 件无手机号码，未列入）" if done.skipped else ""
            text = f"短信回访名单 {done.rows} 条{skipped}已保存到 {done.path}"
            if not announce(self, text, done.path.parent):
                show_info(self, text, "短信名单导出")
        return dialog

    def import_sms(self) -> SmsImportDialog | None:
        """导入短信回复: the platform's replies as callback outcomes; the list read again."""
        if self._sms is None:
            return None
        dialog = SmsImportDialog(self._sms, self._user, self)
        dialog.exec()
        if dialog.report is not None:
            self.reload()
        return dialog

    def sample(self) -> None:
        """Draw the period's callbacks and assign them."""
        start, end = _py(self.from_edit), _py(self.to_edit)
        try:
            result = self._callbacks.sample(self._user, start, end, share=self.share_spin.value())
        except StationDeskError as exc:
            show_error(self, exc.message)
            return
        show_info(
            self,
            f"符合条件的已办结事项 {result.eligible} 件，抽取 {result.sampled} 件"
            f"（其中差评或群众要求回访 {result.mandatory} 件）"
            + (
                f"；另有 {result.without_phone} 件未留电话，无法电话回访"
                if result.without_phone
                else ""
            )
            + f"。\n抽样种子 {result.seed}（用于复核抽样）。",
            "抽样完成",
        )
        self.everyone.setChecked(True)
        self.reload()

    def print_register(self) -> None:
        """现场回访登记簿 for the chosen dates: every on-site rating with its signature."""
        if self._ratings is None:
            return
        start, end = _py(self.from_edit), _py(self.to_edit)
        ratings = self._ratings
        try:
            # The second and later prints of a period's register say 补打 on every page.
            copy_no = ratings.register_print_copy_no(self._user, start, end)
            doc = register_as_printed(ratings.on_site_register(self._user, start, end), copy_no)
            pdf = render_register(doc)
        except StationDeskError as exc:
            show_error(self, exc.message)
            return
        name = f"现场回访登记簿-{start.isoformat()}" + (
            f"至{end.isoformat()}" if end != start else ""
        )
        PrintPreviewDialog(
            pdf,
            "现场回访登记簿",
            f"{name}.pdf",
            lambda: ratings.record_register_print(
                self._user, start, end, doc.row_count, copy_no=copy_no
            ),
            glyph_warning(doc.texts()),
            self,
        ).exec()

    def show_coverage(self) -> None:
        """Coverage for the chosen dates, per sampling and in total."""
        try:
            rows = self._callbacks.coverage(self._user, _py(self.from_edit), _py(self.to_edit))
        except StationDeskError as exc:
            show_error(self, exc.message)
            return
        self.coverage_view.setHtml("<h3>回访覆盖率</h3>" + coverage_html(rows))
        self.side.setCurrentIndex(1)
