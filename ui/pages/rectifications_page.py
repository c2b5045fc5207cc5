"""整改督办: every 差评's rectification, its detail, and the steps from 核实 to 销号."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.core import text_limits
from app.core.dto import SessionUser
from app.core.errors import ConflictError, StationDeskError
from app.core.roles import Permission, allows
from app.printing.fonts import glyph_warning
from app.printing.slip_pdf import render_slip
from app.ratings.service import LEVELS
from app.rectifications.dto import RectificationRow
from app.rectifications.service import RectificationService
from ui.dialogs.follow_up_dialog import FollowUpDialog
from ui.dialogs.text_form_dialog import Field, TextFormDialog
from ui.models.filter_proxy_model import FilterProxyModel
from ui.models.row_table_model import Column, RowTableModel
from ui.print_preview_dialog import PrintPreviewDialog
from ui.widgets.enter_clicks import focus_next_step, press_first_open
from ui.widgets.field_errors import FieldErrors
from ui.widgets.html import esc
from ui.widgets.tables import fit_columns, make_table, on_enter

RED = "#b3261e"
GREY = "#57606a"
BAD_LEVELS = frozenset({LEVELS[1], LEVELS[2]})
STATE_FILTERS: tuple[tuple[str | None, str], ...] = (
    (None, "全部"),
    ("open", "待核实"),
    ("verified", "整改中"),
    ("rectified", "待销号"),
    ("closed", "已销号"),
)
DECISIONS = {"upheld": "申诉成立", "rejected": "申诉不成立"}


def rating_text(r: RectificationRow) -> str:
    """The overall level, plus the dimensions rated 差评 (a 差评 may be in one dimension only)."""
    bad = [name for name, level in r.dimensions if level in BAD_LEVELS]
    return f"{r.rating_text}（差评项：{'、'.join(bad)}）" if bad else r.rating_text


def appeal_text(r: RectificationRow) -> str:
    """The appeal in a word: none, waiting for the chief, or the decision."""
    if not r.appeal_text:
        return ""
    return DECISIONS.get(r.appeal_decision, "待处理")


COLUMNS: list[Column[RectificationRow]] = [
    Column("编号", lambda r: r.number),
    Column("状态", lambda r: r.state_label, align_center=True),
    Column("事项编号", lambda r: r.visit_serial),
    Column("群众", lambda r: r.citizen_name),
    Column("被评价民警", lambda r: r.rated_officer),
    Column("督办人", lambda r: r.owner),
    Column("评价", rating_text),
    Column("核实期限", lambda r: r.verify_due.isoformat(), lambda r: r.verify_due),
    Column("整改期限", lambda r: r.rectify_due.isoformat(), lambda r: r.rectify_due),
    Column("逾期", lambda r: "已逾期" if r.overdue else "", lambda r: r.overdue, True),
    Column("申诉", appeal_text, align_center=True),
]


def _section(title: str, body: str, missing: str = "尚未填写") -> str:
    text = esc(body) if body else f"<span style='color:{GREY}'>{missing}</span>"
    return f"<p style='margin:0 0 6px 0'><b>{title}</b><br>{text}</p>"


def rectification_html(r: RectificationRow) -> str:
    """Everything about one rectification, as the chief reads it before 销号."""
    overdue = f"<span style='color:{RED}'>（已逾期）</span>" if r.overdue else ""
    verify_late = r.overdue and r.state == "open"
    lines = [
        ("事项编号", esc(r.visit_serial)),
        ("群众", esc(r.citizen_name)),
        ("被评价民警", esc(r.rated_officer)),
        ("督办人", esc(r.owner)),
        ("总体评价", esc(r.rating_text)),
        *(
            (
                esc(name),
                f"<span style='color:{RED}'>{esc(level)}</span>"
                if level in BAD_LEVELS
                else esc(level),
            )
            for name, level in r.dimensions
        ),
        ("群众意见", esc(r.comment) or f"<span style='color:{GREY}'>无</span>"),
        ("核实期限", f"{r.verify_due.isoformat()}{overdue if verify_late else ''}"),
        ("整改期限", f"{r.rectify_due.isoformat()}{overdue if not verify_late else ''}"),
    ]
    table = "".join(
        f"<tr><td style='color:{GREY};padding-right:10px'>{k}</td><td>{v}</td></tr>"
        for k, v in lines
    )
    follow_up = r.follow_up
    if follow_up and follow_up != "拒绝评价":
        follow_up = f"群众评价：{follow_up}"
    elif follow_up:
        follow_up = "群众拒绝评价"
    parts = [
        _section("原因核实", r.cause),
        _section("整改措施", r.action),
        _section("整改结果", r.result),
        _section("整改回访", follow_up, "尚未回访"),
    ]
    if r.appeal_text:
        parts.append(_section("民警申诉", r.appeal_text))
        decision = DECISIONS.get(r.appeal_decision, "")
        parts.append(
            _section(
                "申诉处理",
                f"{decision}：{r.appeal_reason}" if decision else "",
                "待所长或副所长处理",
            )
        )
    else:
        parts.append(_section("民警申诉", "", "无"))
    # Two columns: the facts of the rating beside the steps taken, so both fit without scrolling.
    return (
        f"<h3>{esc(r.number)}　{r.state_label}</h3>"
        "<table width='100%' cellspacing='0'><tr>"
        f"<td width='42%' valign='top'><table>{table}</table></td>"
        f"<td width='58%' valign='top' style='padding-left:18px'>{''.join(parts)}</td>"
        "</tr></table>"
    )


class RectificationsPage(QWidget):
    """The owner (督办人) walks each 差评 to 销号; the rated officer reads and may appeal."""

    def __init__(
        self,
        rectifications: RectificationService,
        user: SessionUser,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._rectifications = rectifications
        self._user = user
        refresh = self._build_filters()
        self._build_list()
        column = self._build_actions()
        self._lay_out(refresh, column)
        self.reload()

    def _build_filters(self) -> QPushButton:
        """The state filter and the text filter; returns the 刷新 button."""
        self.state_combo = QComboBox()
        for value, label in STATE_FILTERS:
            self.state_combo.addItem(label, value)
        self.state_combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("筛选：编号、群众、民警")
        self.filter_edit.setClearButtonEnabled(True)
        refresh = QPushButton("刷新")
        refresh.setAutoDefault(False)
        refresh.clicked.connect(lambda: self.reload())
        return refresh

    def _build_list(self) -> None:
        """The rectifications' table and their count; Enter takes the next step."""
        self.model: RowTableModel[RectificationRow] = RowTableModel(
            COLUMNS,
            colour=lambda r: RED if r.overdue else None,
            muted=lambda r: r.state == "closed",
        )
        self.proxy = FilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.filter_edit.textChanged.connect(self.proxy.setFilterFixedString)
        self.table = make_table(self.proxy, stretch_column=len(COLUMNS) - 1)
        on_enter(self.table, self.next_step)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.count_label = QLabel()
        self.count_label.setObjectName("hint")

    def _build_actions(self) -> QVBoxLayout:
        """The detail, one button per step (returned in their column), the hint and errors."""
        self.view = QTextBrowser()
        self.view.setObjectName("detail")
        self.buttons: dict[str, QPushButton] = {}
        actions: list[tuple[str, str, Callable[[], object]]] = [
            ("verify", "核实原因", self.verify_selected),
            ("rectify", "记录整改", self.rectify_selected),
            ("follow_up", "整改回访", self.follow_up_selected),
            ("close", "销号", self.close_selected),
            ("appeal", "申诉", self.appeal_selected),
            ("decide", "处理申诉", self.decide_selected),
            ("print", "打印督办单", self.print_selected),
        ]
        column = QVBoxLayout()
        for key, text, slot in actions:
            button = QPushButton(text)
            button.setAutoDefault(False)
            button.clicked.connect(slot)
            self.buttons[key] = button
            column.addWidget(button)
        column.addStretch(1)
        self.hint = QLabel()
        self.hint.setObjectName("hint")
        self.hint.setWordWrap(True)
        self.error_label = QLabel()
        self.errors = FieldErrors(self.error_label)
        return column

    def _lay_out(self, refresh: QPushButton, column: QVBoxLayout) -> None:
        """Filters, list and count on top; the detail and its steps underneath."""
        filters = QHBoxLayout()
        filters.addWidget(QLabel("状态"))
        filters.addWidget(self.state_combo)
        filters.addWidget(self.filter_edit, 1)
        filters.addWidget(refresh)
        top = QWidget()
        top_box = QVBoxLayout(top)
        top_box.setContentsMargins(0, 0, 0, 0)
        top_box.addLayout(filters)
        top_box.addWidget(self.table, 1)
        top_box.addWidget(self.count_label)
        # Eleven columns need the full width: the detail goes underneath, its actions beside it.
        bottom = QWidget()
        text_box = QVBoxLayout()
        text_box.addWidget(self.view, 1)
        text_box.addWidget(self.hint)
        text_box.addWidget(self.error_label)
        bottom_box = QHBoxLayout(bottom)
        bottom_box.setContentsMargins(0, 0, 0, 0)
        bottom_box.addLayout(text_box, 1)
        bottom_box.addLayout(column)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)

    # ---- list ---------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        """Coming back to the page shows what others did meanwhile."""
        super().showEvent(event)
        self.reload()

    def reload(self, select_id: int | None = None) -> None:
        """Load the list again and keep (or move to) the selected rectification."""
        keep = select_id if select_id is not None else self.selected_id()
        try:
            rows = self._rectifications.rectifications(self._user)
        except StationDeskError as exc:
            self.model.set_rows([])
            self.errors.show(exc)
            self._show_selected()
            return
        state = self.state_combo.currentData()
        shown = [r for r in rows if state is None or r.state == state]
        self.model.set_rows(shown)
        fit_columns(self.table, widest=220)
        open_count = sum(1 for r in rows if r.state != "closed")
        overdue = sum(1 for r in rows if r.overdue)
        self.count_label.setText(
            f"共 {len(rows)} 条，未销号 {open_count} 条"
            + (f"，其中逾期 {overdue} 条" if overdue else "")
            + (f"；当前筛选显示 {len(shown)} 条" if state is not None else "")
        )
        if keep is not None and self.select(keep):
            return
        self._show_selected()
        # After an action the row may have left the chosen state: say where it went.
        moved = next((r for r in rows if r.id == select_id), None)
        if moved is not None:
            self.hint.setText(f"{moved.number} 现为“{moved.state_label}”，当前筛选下不再显示。")

    def select(self, rect_id: int) -> bool:
        """Select the rectification ``rect_id`` if the list shows it."""
        source = self.model.find(lambda r: r.id == rect_id)
        if source < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(source, 0))
        if not index.isValid():
            return False
        self.table.selectRow(index.row())
        self.table.scrollTo(index)
        self._show_selected()
        return True

    def selected_row(self) -> RectificationRow | None:
        """The rectification selected in the table."""
        indexes = self.table.selectionModel().selectedRows()
        if not indexes:
            return None
        return self.model.row_at(self.proxy.mapToSource(indexes[0]).row())

    def selected_id(self) -> int | None:
        """The id of the selected rectification."""
        row = self.selected_row()
        return row.id if row is not None else None

    def _steps(self) -> list[QPushButton]:
        return [self.buttons[k] for k in ("verify", "rectify", "follow_up", "decide", "close")]

    def _focus_next_step(self) -> None:
        focus_next_step(self._steps(), self.table)

    def next_step(self) -> None:
        """Enter on a row: the step the rectification is at."""
        press_first_open(self._steps())

    def _on_selection_changed(self) -> None:
        self.errors.clear()
        self._show_selected()

    def _show_selected(self) -> None:
        row = self.selected_row()
        if row is None:
            self.view.setHtml(f"<p style='color:{GREY}'>在上方列表中选择一条整改记录。</p>")
        else:
            self.view.setHtml(rectification_html(row))
        self._update_buttons(row)

    def _update_buttons(self, r: RectificationRow | None) -> None:
        # For convenience only: the service decides, and says why when it refuses.
        if r is None:
            for button in self.buttons.values():
                button.setEnabled(False)
            self.hint.clear()
            return
        # By account, not by name: two officers may share a name.
        rated = r.rated_officer_id == self._user.officer_id
        owner = r.owner_id == self._user.officer_id and not rated
        supervisor = allows(self._user.role, Permission.VIEW_ALL_VISITS)
        live = r.state != "closed"
        enabled = {
            "verify": owner and r.state == "open",
            "rectify": owner and r.state == "verified",
            "follow_up": owner and r.state == "rectified" and not r.follow_up,
            # Open to the owner at every live step: a refusal lists what is still missing.
            "close": owner and live,
            "appeal": rated and live and not r.appeal_text,
            "decide": supervisor and not rated and bool(r.appeal_text) and not r.appeal_decision,
            "print": owner or supervisor,
        }
        for key, button in self.buttons.items():
            button.setEnabled(enabled[key])
        if rated and live:
            self.hint.setText("这条整改针对您本人：您只能查看，如认为评价不实可以申诉。")
        elif enabled["decide"] and live:
            self.hint.setText("被评价民警已申诉：请先处理申诉，处理后才能销号。")
        elif not owner and live:
            self.hint.setText(f"这条整改由{r.owner}督办，您只能查看。")
        else:
            self.hint.clear()

    # ---- actions ------------------------------------------------------------------------

    def _run(self, action: Callable[[RectificationRow], RectificationRow]) -> None:
        """Call the service on the selected row; show its refusal here, reload either way."""
        row = self.selected_row()
        if row is None:
            return
        self.errors.clear()
        try:
            action(row)
        except StationDeskError as exc:
            self.reload(row.id)
            self.errors.show(exc)
            if isinstance(exc, ConflictError):
                self.hint.setText("记录已刷新，请查看后重试。")
            return
        self.reload(row.id)
        self._focus_next_step()

    def _form(
        self,
        title: str,
        intro: str,
        fields: list[Field],
        submit: Callable[[RectificationRow, dict[str, Any]], Any],
        ok: str,
    ) -> None:
        row = self.selected_row()
        if row is None:
            return
        self.errors.clear()
        dialog = TextFormDialog(title, intro, fields, lambda v: submit(row, v), ok, self)
        dialog.exec()
        # Reload either way: after a conflict the retry starts from the fresh record.
        self.reload(row.id)
        self._focus_next_step()

    def verify_selected(self) -> None:
        """核实原因: what caused the 差评, found by the owner."""
        r = self.selected_row()
        if r is None:
            return
        self._form(
            "核实原因",
            f"{r.number}　{r.citizen_name}对{r.rated_officer}的评价：{rating_text(r)}"
            + (f"。群众意见：{r.comment}" if r.comment else ""),
            [
                Field(
                    "cause",
                    "核实情况",
                    multiline=True,
                    placeholder="如：调阅录像、询问当事民警和群众后查明的原因",
                )
            ],
            lambda row, v: self._rectifications.verify(
                self._user, row.id, row.row_version, v["cause"]
            ),
            "保存核实",
        )

    def rectify_selected(self) -> None:
        """记录整改: the measures taken and what came of them."""
        r = self.selected_row()
        if r is None:
            return
        self._form(
            "记录整改",
            f"{r.number}　核实原因：{r.cause}",
            [
                Field(
                    "action",
                    "整改措施",
                    multiline=True,
                    placeholder="如：高峰时段加开窗口",
                    limit=text_limits.CASE_TEXT,
                ),
                Field(
                    "result", "整改结果", multiline=True, placeholder="如：等候时间降至 10 分钟内"
                ),
            ],
            lambda row, v: self._rectifications.rectify(
                self._user, row.id, row.row_version, v["action"], v["result"]
            ),
            "保存整改",
        )

    def follow_up_selected(self) -> None:
        """整改回访: the citizen rates the service again after the rectification."""
        row = self.selected_row()
        if row is None:
            return
        self.errors.clear()
        try:
            dimensions = self._rectifications.dimensions()
        except StationDeskError as exc:
            self.errors.show(exc)
            return
        dialog = FollowUpDialog(
            dimensions,
            lambda given: self._rectifications.record_follow_up(
                self._user, row.id, row.row_version, given
            ),
            f"{row.number}　回访群众{row.citizen_name}（事项 {row.visit_serial}）：整改完成后再次"
            "联系群众，请群众本人对总体和每一项作出评价；系统不预设任何等级。",
            self,
        )
        dialog.exec()
        self.reload(row.id)

    def close_selected(self) -> None:
        """销号: the service refuses, listing what is missing, until every step is done."""
        self._run(lambda r: self._rectifications.close(self._user, r.id, r.row_version))

    def appeal_selected(self) -> None:
        """申诉: the rated officer says why the rating was unfair."""
        r = self.selected_row()
        if r is None:
            return
        self._form(
            "申诉",
            f"{r.number}　评价：{rating_text(r)}。写明认为评价不实的理由，并注明证据"
            "（如录像时段、证人）；申诉由所长或副所长处理。",
            [Field("appeal_text", "申诉理由和证据", multiline=True, limit=text_limits.CASE_TEXT)],
            lambda row, v: self._rectifications.appeal(self._user, row.id, v["appeal_text"]),
            "提交申诉",
        )

    def decide_selected(self) -> None:
        """处理申诉: the chief or a deputy decides; the decision stays on record."""
        r = self.selected_row()
        if r is None:
            return
        self._form(
            "处理申诉",
            f"{r.number}　{r.rated_officer}的申诉：{r.appeal_text}",
            [
                Field(
                    "upheld",
                    "处理结果",
                    choices=((False, "申诉不成立，维持差评"), (True, "申诉成立")),
                ),
                Field("appeal_reason", "处理意见", multiline=True, limit=text_limits.CASE_TEXT),
            ],
            lambda row, v: self._rectifications.decide_appeal(
                self._user, row.id, bool(v["upheld"]), v["appeal_reason"]
            ),
            "保存决定",
        )

    def print_selected(self) -> None:
        """打印督办单: preview, then print or save; every print is logged by the service."""
        r = self.selected_row()
        if r is None:
            return
        self.errors.clear()
        rectifications = self._rectifications
        try:
            data = rectifications.rectification_slip(self._user, r.id)
        except StationDeskError as exc:
            self.errors.show(exc)
            return
        warning = glyph_warning(data.texts())
        if data.is_reprint:
            warning = (warning + "　" if warning else "") + f"本次为补打（第 {data.copy_no} 次）。"
        PrintPreviewDialog(
            render_slip(data),
            "整改督办单",
            f"整改督办单-{r.number}.pdf",
            lambda: rectifications.record_rectification_print(self._user, r.id, data.copy_no),
            warning,
            self,
        ).exec()
