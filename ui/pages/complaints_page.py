"""投诉·表扬: the ledger, filters, the selected record and its steps (核实, 处理, 答复, 办结)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.complaints.service import (
    CHANNELS,
    FINDINGS,
    KIND_LABELS,
    NO_REPLY,
    OUTCOMES,
    REPLY_METHODS,
    STATE_LABELS,
    ComplaintRow,
    ComplaintService,
)
from app.core import text_limits
from app.core.dto import SessionUser
from app.core.errors import StationDeskError
from app.core.pinyin import sort_key as name_order
from app.core.reveal_purposes import COMPLAINT_PHONE_PURPOSES
from app.core.roles import Permission, allows
from ui.dialogs.complaint_dialog import ComplaintDialog
from ui.dialogs.reveal_dialog import AUDIT_NOTE, reveal_fields
from ui.dialogs.text_form_dialog import Field, TextFormDialog
from ui.localtime import fmt
from ui.models.filter_proxy_model import FilterProxyModel
from ui.models.row_table_model import Column, RowTableModel
from ui.widgets.date_edit import date_edit as _date_edit
from ui.widgets.date_edit import picked as _py
from ui.widgets.enter_clicks import focus_next_step, press_first_open
from ui.widgets.flow_layout import ButtonGrid, FlowLayout, together
from ui.widgets.html import esc
from ui.widgets.messages import confirm, show_error, show_info
from ui.widgets.tables import fit_columns, make_table, on_enter

RED = "#b3261e"


def _due_text(r: ComplaintRow) -> str:
    due = r.next_due
    return f"{r.next_step} {due.isoformat()}" if due is not None else ""


COMPLAINT_COLUMNS: list[Column[ComplaintRow]] = [
    Column("编号", lambda r: r.number),
    Column("类别", lambda r: r.kind_label, align_center=True),
    Column("渠道", lambda r: r.channel),
    Column("收到日期", lambda r: r.received_on.isoformat(), lambda r: r.received_on),
    Column(
        "投诉人",
        lambda r: f"{r.complainant} {r.phone_masked}".strip(),
        lambda r: name_order(r.complainant),
    ),
    Column("涉及民警", lambda r: r.officer_name, lambda r: name_order(r.officer_name)),
    Column("关联事项", lambda r: r.visit_serial),
    Column("状态", lambda r: r.state_label, align_center=True),
    Column("下一步期限", _due_text, lambda r: r.next_due or dt.date.max),
    Column("逾期", lambda r: r.overdue_text, lambda r: len(r.overdue_steps)),
]


def _deadline(label: str, due: dt.date | None, late: bool) -> str:
    if due is None:
        return ""
    mark = f"　<span style='color:{RED}'>已逾期</span>" if late else ""
    return f"<tr><td>{label}期限</td><td>{due.isoformat()}{mark}</td></tr>"


def complaint_html(r: ComplaintRow) -> str:
    """The detail of one complaint or praise letter (phone masked)."""
    rows = [
        ("渠道", r.channel),
        ("收到日期", r.received_on.isoformat()),
        ("表扬人" if r.is_praise else "投诉人", r.complainant),
        ("联系电话", r.phone_masked or "未留"),
        ("被表扬民警" if r.is_praise else "涉及民警", r.officer_name or "未指明"),
        ("关联事项", r.visit_serial or "无"),
        ("登记", f"{r.recorded_by}　{fmt(r.recorded_at)}"),
    ]
    if not r.is_praise:
        rows.append(("承办人", r.handler_name))
    table = "".join(f"<tr><td>{k}</td><td>{esc(v)}</td></tr>" for k, v in rows)
    if not r.is_praise:
        table += _deadline("核实", r.verify_due, "核实" in r.overdue_steps)
        table += _deadline("处理", r.handle_due, "处理" in r.overdue_steps)
        table += _deadline("答复", r.reply_due, "答复" in r.overdue_steps)
    parts = [
        f"<h3>{esc(r.number)}　{r.kind_label}　{r.state_label}</h3>",
        f"<table cellspacing='4'>{table}</table>",
        f"<p><b>内容</b><br>{esc(r.content)}</p>",
    ]
    if r.finding:
        parts.append(
            f"<p><b>核实：{esc(r.finding)}</b>（{fmt(r.verified_at)}）<br>{esc(r.verify_note)}</p>"
        )
    if r.outcome:
        parts.append(
            f"<p><b>处理：{esc(r.outcome)}</b>（{fmt(r.handled_at)}）<br>{esc(r.handle_note)}</p>"
        )
    if r.reply_method:
        parts.append(
            f"<p><b>答复：{esc(r.reply_method)}</b>（{fmt(r.replied_at)}）"
            f"<br>{esc(r.reply_text)}</p>"
        )
    if r.state == "closed" and not r.is_praise:
        parts.append(f"<p><b>办结</b>（{fmt(r.closed_at)}）</p>")
    return "".join(parts)


class ComplaintsPage(QWidget):
    """The complaints ledger; the handler takes the selected complaint through its steps."""

    def __init__(
        self,
        complaints: ComplaintService,
        user: SessionUser,
        today: dt.date,
        officers: list[tuple[int, str]] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._complaints = complaints
        self._user = user
        self._today = today
        self._officers = officers
        self.current: ComplaintRow | None = None
        # Screenshots build a step's form without running it.
        self.form_only = False

        search = self._build_filters()
        self._build_list()
        grid = self._build_actions()
        self._lay_out(search, grid)
        self.reload()

    def _build_filters(self) -> QPushButton:
        """The date, kind, state, channel and overdue filters; returns the 查询 button."""
        self.from_edit = _date_edit(self._today - dt.timedelta(days=90))
        self.to_edit = _date_edit(self._today)
        self.kind_combo = QComboBox()
        self.kind_combo.addItem("投诉和表扬", None)
        for value, label in KIND_LABELS.items():
            self.kind_combo.addItem(label, value)
        self.state_combo = QComboBox()
        self.state_combo.addItem("全部状态", None)
        for value, label in STATE_LABELS.items():
            self.state_combo.addItem(label, value)
        self.channel_combo = QComboBox()
        self.channel_combo.addItem("全部渠道", None)
        for channel in CHANNELS:
            self.channel_combo.addItem(channel, channel)
        self.overdue_check = QCheckBox("只看逾期")
        search = QPushButton("查询")
        search.clicked.connect(self.reload)
        return search

    def _build_list(self) -> None:
        """The complaints' table; Enter takes the next step on the one in view."""
        self.model: RowTableModel[ComplaintRow] = RowTableModel(
            COMPLAINT_COLUMNS,
            muted=lambda r: r.state == "closed" and not r.is_praise,
            colour=lambda r: RED if r.overdue else None,
        )
        self.proxy = FilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.table = make_table(self.proxy, stretch_column=len(COMPLAINT_COLUMNS) - 1)
        on_enter(self.table, self.next_step)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)

    def _build_actions(self) -> ButtonGrid:
        """The detail, its hint and one button per step; returns the grid of the steps."""
        self.view = QTextBrowser()
        self.hint = QLabel()
        self.hint.setObjectName("hint")
        self.hint.setWordWrap(True)
        self.buttons: dict[str, QPushButton] = {}
        grid = ButtonGrid(3)
        actions: list[tuple[str, str, Callable[[], Any]]] = [
            ("record", "登记投诉/表扬…", self._on_record),
            ("verify", "核实…", self._on_verify),
            ("handle", "处理…", self._on_handle),
            ("reply", "答复…", self._on_reply),
            ("close", "办结", self._on_close),
            ("reassign", "改派承办人…", self._on_reassign),
            ("reveal", "查看完整电话…", self._on_reveal),
        ]
        for key, text, slot in actions:
            button = QPushButton(text)
            button.setAutoDefault(False)
            button.clicked.connect(slot)
            self.buttons[key] = button
        # Registering is the everyday action: above the detail; the steps below it.
        grid.set_buttons([self.buttons[k] for k, _, _ in actions if k != "record"])
        return grid

    def _lay_out(self, search: QPushButton, grid: ButtonGrid) -> None:
        """Filters and the list (left); 登记, the detail, its hint and the steps (right)."""
        # Wraps to a second line rather than squeezing the dates (特大 on a 1366 screen).
        filters = FlowLayout()
        filters.addWidget(together("收到日期", self.from_edit, "至", self.to_edit))
        filters.addWidget(self.kind_combo)
        filters.addWidget(self.state_combo)
        filters.addWidget(self.channel_combo)
        filters.addWidget(self.overdue_check)
        filters.addWidget(search)
        left = QWidget()
        left_box = QVBoxLayout(left)
        left_box.setContentsMargins(0, 0, 0, 0)
        left_box.addLayout(filters)
        left_box.addWidget(self.table, 1)
        right = QWidget()
        right_box = QVBoxLayout(right)
        right_box.setContentsMargins(0, 0, 0, 0)
        right_box.addWidget(self.buttons["record"])
        right_box.addWidget(self.view, 1)
        right_box.addWidget(self.hint)
        right_box.addWidget(grid)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)

    # ---- the list -----------------------------------------------------------------------

    def reload(self) -> None:
        """The ledger for the chosen filters; the selected record stays selected."""
        keep = self.current.id if self.current is not None else None
        try:
            rows = self._complaints.list_complaints(
                self._user,
                start=_py(self.from_edit),
                end=_py(self.to_edit),
                kind=self.kind_combo.currentData(),
                state=self.state_combo.currentData(),
                channel=self.channel_combo.currentData(),
                overdue_only=self.overdue_check.isChecked(),
            )
        except StationDeskError as exc:
            show_error(self, exc.message)
            return
        self.model.set_rows(rows)
        fit_columns(self.table, widest=200)
        self.current = None
        if keep is None or not self.select(keep):
            self._show(None)

    def select(self, complaint_id: int) -> bool:
        """Select the row of ``complaint_id``; False when it is not listed."""
        row = self.model.find(lambda r: r.id == complaint_id)
        if row < 0:
            return False
        self.table.selectRow(self.proxy.mapFromSource(self.model.index(row, 0)).row())
        return True

    def _steps(self) -> list[QPushButton]:
        return [self.buttons[k] for k in ("verify", "handle", "reply", "close")]

    def _focus_next_step(self) -> None:
        focus_next_step(self._steps(), self.table)

    def next_step(self) -> None:
        """Enter on a row: the step the complaint is at (核实, 处理, 答复 or 办结)."""
        press_first_open(self._steps())

    def _on_selection(self) -> None:
        indexes = self.table.selectionModel().selectedRows()
        if not indexes:
            self._show(None)
            return
        self._show(self.model.row_at(self.proxy.mapToSource(indexes[0]).row()))

    def _show(self, row: ComplaintRow | None) -> None:
        self.current = row
        if row is None:
            self.view.setHtml("<p style='color:#57606a'>在左侧选择一条投诉或表扬。</p>")
        else:
            self.view.setHtml(complaint_html(row))
        self._update_buttons()

    def _update_buttons(self) -> None:
        r = self.current
        supervisor = allows(self._user.role, Permission.VIEW_ALL_VISITS)
        enabled = dict.fromkeys(self.buttons, False)
        enabled["record"] = allows(self._user.role, Permission.HANDLE_VISITS)
        self.hint.clear()
        if r is not None and not r.is_praise:
            handler = r.handler_id == self._user.officer_id and supervisor
            enabled.update(
                verify=handler and r.state == "received",
                handle=handler and r.state == "verified",
                reply=handler and r.state == "handled",
                close=handler and r.state == "replied",
                reassign=supervisor and r.state != "closed",
                reveal=handler and bool(r.phone_masked) and r.state != "closed",
            )
            if r.state != "closed" and not handler:
                self.hint.setText(f"这条投诉由{r.handler_name}承办，您只能查看。")
        for key, button in self.buttons.items():
            button.setEnabled(enabled[key])

    # ---- actions ------------------------------------------------------------------------

    def _officer_choices(self) -> list[tuple[int, str]]:
        if self._officers is None:
            self._officers = self._complaints.officers(self._user)
        return self._officers

    def _on_record(self) -> ComplaintDialog | None:
        try:
            officers = self._officer_choices()
        except StationDeskError as exc:
            show_error(self, exc.message)
            return None
        dialog = ComplaintDialog(self._complaints, self._user, self._today, officers, self)
        if self.form_only:
            return dialog
        if dialog.exec() and dialog.saved is not None:
            self.current = dialog.saved
            received = dialog.saved.received_on
            if received < _py(self.from_edit):
                self.from_edit.setDate(QDate(received.year, received.month, received.day))
            self.reload()
        return None

    def _form(
        self,
        title: str,
        fields: list[Field],
        submit: Callable[[dict[str, Any]], Any],
        ok: str,
        intro: str = "",
    ) -> TextFormDialog | None:
        """Run a step's form; reload either way (after a conflict the retry needs fresh data)."""
        r = self.current
        if r is None:
            return None
        intro = intro or f"{r.number}　{r.complainant}"
        dialog = TextFormDialog(title, intro, fields, submit, ok, self)
        if self.form_only:
            return dialog
        dialog.exec()
        self.reload()
        self._focus_next_step()
        return None

    def _on_verify(self) -> TextFormDialog | None:
        r = self.current
        assert r is not None
        return self._form(
            "核实投诉",
            [
                Field("finding", "核实结论", choices=tuple((f, f) for f in FINDINGS)),
                Field(
                    "verify_note",
                    "核实情况",
                    multiline=True,
                    placeholder="调查经过、证据",
                    limit=text_limits.CASE_TEXT,
                ),
            ],
            lambda v: self._complaints.verify(
                self._user, r.id, r.row_version, v["finding"], v["verify_note"]
            ),
            "核实",
        )

    def _on_handle(self) -> TextFormDialog | None:
        r = self.current
        assert r is not None
        # The service decides; the choices only spare the handler a refusal.
        fitting = (
            ("澄清正名",)
            if r.finding == "不属实"
            else tuple(o for o in OUTCOMES if o != "澄清正名")
        )
        return self._form(
            "处理投诉",
            [
                Field("outcome", "处理结果", choices=tuple((o, o) for o in fitting)),
                Field(
                    "handle_note",
                    "处理情况",
                    multiline=True,
                    placeholder="采取的措施",
                    limit=text_limits.CASE_TEXT,
                ),
            ],
            lambda v: self._complaints.handle(
                self._user, r.id, r.row_version, v["outcome"], v["handle_note"]
            ),
            "处理",
            f"{r.number}　核实结论：{r.finding}",
        )

    def _on_reply(self) -> TextFormDialog | None:
        r = self.current
        assert r is not None
        methods = (*REPLY_METHODS, NO_REPLY) if r.anonymous else REPLY_METHODS
        return self._form(
            "答复投诉人",
            [
                Field("reply_method", "答复方式", choices=tuple((m, m) for m in methods)),
                Field("reply_text", "答复内容", multiline=True, limit=text_limits.CASE_TEXT),
            ],
            lambda v: self._complaints.reply(
                self._user, r.id, r.row_version, v["reply_method"], v["reply_text"]
            ),
            "答复",
        )

    def _on_close(self) -> None:
        r = self.current
        if r is None or not confirm(
            self, f"确认办结投诉 {r.number}？办结后不能再修改。", yes="办结"
        ):
            return
        try:
            self._complaints.close(self._user, r.id, r.row_version)
        except StationDeskError as exc:
            show_error(self, exc.message)
        self.reload()
        self._focus_next_step()

    def _on_reassign(self) -> TextFormDialog | None:
        r = self.current
        assert r is not None
        try:
            choices = self._complaints.handlers(self._user, r.id)
        except StationDeskError as exc:
            show_error(self, exc.message)
            return None
        if not choices:
            show_error(self, "没有其他可以承办这条投诉的所长或副所长。")
            return None
        return self._form(
            "改派承办人",
            [
                Field("handler_id", "新承办人", choices=tuple(choices)),
                Field("reason", "改派原因", limit=text_limits.REASON),
            ],
            lambda v: self._complaints.reassign(
                self._user, r.id, r.row_version, v["handler_id"], v["reason"]
            ),
            "改派",
        )

    def _on_reveal(self) -> TextFormDialog | None:
        r = self.current
        assert r is not None
        shown: list[str] = []

        def reveal(values: dict[str, Any]) -> str:
            phone = self._complaints.reveal_phone(
                self._user, r.id, values["purpose"], values["detail"]
            )
            shown.append(phone)
            return phone

        dialog = self._form(
            "查看完整电话",
            reveal_fields(COMPLAINT_PHONE_PURPOSES, "如：电话向投诉人答复核实结果"),
            reveal,
            "查看",
            f"{r.number}　{r.complainant}\n{AUDIT_NOTE}",
        )
        if shown:
            show_info(self, f"投诉人电话：{shown[0]}", "完整电话")
        return dialog
