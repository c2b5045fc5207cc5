"""人员管理: the staff list with add, edit, deactivate/reactivate and password reset.

Giving or taking away 所长 or 系统管理员 is for the chief; an administrator asks for it here
(申请变更角色) and a different administrator confirms or turns it down (the service decides).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core import text_limits
from app.core.dto import SessionUser
from app.core.errors import StationDeskError
from app.core.pinyin import sort_key as name_order
from app.core.roles import ROLE_LABELS
from app.officers.dto import OfficerRow, RoleRequestRow
from app.officers.service import REQUEST_DAYS, OfficerService
from ui.dialogs.departure_dialog import DepartureDialog
from ui.dialogs.officer_dialog import OfficerDialog, ResetPasswordDialog
from ui.dialogs.text_form_dialog import Field, TextFormDialog
from ui.localtime import fmt
from ui.models.filter_proxy_model import FilterProxyModel
from ui.models.row_table_model import Column, RowTableModel
from ui.widgets.messages import confirm, show_error, show_info
from ui.widgets.tables import make_table


def _state(r: OfficerRow) -> str:
    if not r.active:
        return "已停用"
    if r.locked_until is not None and r.locked_until > dt.datetime.now(dt.UTC):
        return f"锁定至 {fmt(r.locked_until, '%H:%M')}"
    return "在用"


COLUMNS: list[Column[OfficerRow]] = [
    Column("警号", lambda r: r.badge_no),
    Column("姓名", lambda r: r.name, lambda r: name_order(r.name)),
    Column("角色", lambda r: r.role.label),
    Column("联系电话", lambda r: r.phone),
    Column("状态", _state, align_center=True),
    Column("待改密码", lambda r: "是" if r.must_change_password else "", align_center=True),
]


class OfficersPage(QWidget):
    """For the chief and the administrator; the service refuses anyone else."""

    def __init__(
        self, officers: OfficerService, user: SessionUser, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._officers = officers
        self._user = user
        self.form_only = False  # tests and screenshots: the forms are returned, not run
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("筛选：警号、姓名、角色")
        self.filter_edit.setClearButtonEnabled(True)
        self.model: RowTableModel[OfficerRow] = RowTableModel(COLUMNS, muted=lambda r: not r.active)
        self.proxy = FilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.filter_edit.textChanged.connect(self.proxy.setFilterFixedString)
        self.table = make_table(self.proxy, stretch_column=len(COLUMNS) - 1)
        self.table.doubleClicked.connect(self._on_edit_clicked)

        self.add_button = QPushButton("添加人员")
        self.edit_button = QPushButton("修改")
        self.toggle_button = QPushButton("停用")
        self.reset_button = QPushButton("重置密码")
        self.request_button = QPushButton("申请变更角色…")
        self.request_button.setToolTip(
            "任免所长、系统管理员：由一名系统管理员申请，另一名系统管理员（或所长）确认后生效"
        )
        self.confirm_button = QPushButton("确认角色变更…")
        self.withdraw_button = QPushButton("撤回或驳回申请…")
        self.add_button.clicked.connect(self._on_add_clicked)
        self.edit_button.clicked.connect(self._on_edit_clicked)
        self.toggle_button.clicked.connect(self._on_toggle_clicked)
        self.reset_button.clicked.connect(self._on_reset_clicked)
        self.request_button.clicked.connect(self._on_request_clicked)
        self.confirm_button.clicked.connect(self._on_confirm_clicked)
        self.withdraw_button.clicked.connect(self._on_withdraw_clicked)
        self.pending: list[RoleRequestRow] = []
        self.pending_label = QLabel()
        self.pending_label.setObjectName("hint")
        self.pending_label.setWordWrap(True)

        note = QLabel("人员账号只停用、不删除：已有记录始终保留经办人。")
        note.setObjectName("hint")
        top = QHBoxLayout()
        top.addWidget(self.filter_edit, 1)
        buttons = QHBoxLayout()
        for b in (
            self.add_button,
            self.edit_button,
            self.toggle_button,
            self.reset_button,
            self.request_button,
        ):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(note)
        requests = QHBoxLayout()
        requests.addWidget(self.pending_label, 1)
        requests.addWidget(self.confirm_button)
        requests.addWidget(self.withdraw_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table)
        layout.addLayout(requests)
        layout.addLayout(buttons)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.reload()

    def reload(self) -> None:
        """Load the staff list again."""
        try:
            rows = self._officers.list_officers(self._user)
        except StationDeskError as exc:
            show_error(self, exc.message)
            return
        self.model.set_rows(rows)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(
            len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch
        )
        try:
            self.pending = self._officers.pending_role_changes(self._user)
        except StationDeskError:
            self.pending = []  # the list above already said what this account may not do
        self.pending_label.setText(
            f"待确认的角色变更 {len(self.pending)} 件：" + "；".join(r.label for r in self.pending)
            if self.pending
            else ""
        )
        for widget in (self.pending_label, self.confirm_button, self.withdraw_button):
            widget.setVisible(bool(self.pending))
        self._update_buttons()

    def selected_row(self) -> OfficerRow | None:
        """The officer selected in the table."""
        indexes = self.table.selectionModel().selectedRows()
        if not indexes:
            return None
        return self.model.row_at(self.proxy.mapToSource(indexes[0]).row())

    def select_badge(self, badge_no: str) -> None:
        """Select the officer with ``badge_no`` (after adding, and in tests)."""
        for row in range(self.proxy.rowCount()):
            source = self.proxy.mapToSource(self.proxy.index(row, 0))
            if self.model.row_at(source.row()).badge_no == badge_no:
                self.table.selectRow(row)
                return

    def _update_buttons(self) -> None:
        row = self.selected_row()
        for b in (self.edit_button, self.toggle_button, self.reset_button, self.request_button):
            b.setEnabled(row is not None)
        self.toggle_button.setText("启用" if row is not None and not row.active else "停用")

    def _on_add_clicked(self) -> None:
        dialog = OfficerDialog(self._officers, self._user, None, self)
        if dialog.exec() and dialog.saved:
            self.reload()
            self.select_badge(dialog.saved.badge_no)

    def _on_edit_clicked(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        dialog = OfficerDialog(self._officers, self._user, row, self)
        if dialog.exec():
            self.reload()
            self.select_badge(row.badge_no)

    def _on_toggle_clicked(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        if row.active and self._depart_with_handovers(row):
            return
        verb = "启用" if not row.active else "停用"
        if not confirm(self, f"确定{verb}{row.name}（警号 {row.badge_no}）的账号吗？", yes=verb):
            return
        try:
            self._officers.set_active(self._user, row.id, not row.active)
        except StationDeskError as exc:
            show_error(self, exc.message)
        self.reload()
        self.select_badge(row.badge_no)

    def _depart_with_handovers(self, row: OfficerRow) -> bool:
        """An officer with open matters leaves through the hand-over dialog; True if it ran.

        Without open matters (or for a caller who may not decide who takes them: the
        service then says so) the plain confirmation follows.
        """
        try:
            detail = self._officers.departure(self._user, row.id)
        except StationDeskError as exc:
            show_error(self, exc.message)
            return True
        if not detail.matters or not detail.may_reassign:
            return False
        dialog = DepartureDialog(self._officers, self._user, detail, self)
        if dialog.exec() and dialog.saved is not None:
            show_info(self, dialog.summary)
        self.reload()
        self.select_badge(row.badge_no)
        return True

    def _on_reset_clicked(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        if ResetPasswordDialog(self._officers, self._user, row, self).exec():
            show_info(self, f"已重置{row.name}的密码，请当面告知临时密码。")
            self.reload()
            self.select_badge(row.badge_no)

    def _on_request_clicked(self) -> TextFormDialog | None:
        """Ask for a change into or out of 所长 or 系统管理员, for a second administrator."""
        row = self.selected_row()
        if row is None:
            return None
        officer_id = row.id
        dialog = TextFormDialog(
            "申请变更角色",
            f"{row.name}（警号 {row.badge_no}），现为{row.role.label}。任免所长、系统管理员须由"
            f"所长办理；由系统管理员申请的，须另一名系统管理员（或所长）在 {REQUEST_DAYS} 天内"
            "确认后生效。本人的角色不能自己申请。",
            [
                Field(
                    "role",
                    "变更为",
                    choices=tuple((r, label) for r, label in ROLE_LABELS.items() if r != row.role),
                ),
                Field(
                    "reason",
                    "申请理由",
                    placeholder="如：原所长调离，经分局任命",
                    limit=text_limits.REASON,
                ),
            ],
            lambda v: self._officers.request_role_change(
                self._user, officer_id, v["role"], v["reason"]
            ),
            "提交申请",
            self,
        )
        if self.form_only:
            return dialog
        if dialog.exec():
            show_info(self, "已提交申请，须另一名系统管理员（或所长）确认后生效。")
            self.reload()
            self.select_badge(row.badge_no)
        return None

    def _on_confirm_clicked(self) -> TextFormDialog | None:
        """A second administrator (or the chief) confirms a pending request."""
        return self._decide(
            "确认角色变更",
            "确认后角色立即变更，申请和确认都记入审计日志。申请人和被变更的本人不能确认。",
            self._officers.confirm_role_change,
            "确认变更",
        )

    def _on_withdraw_clicked(self) -> TextFormDialog | None:
        """The requester withdraws a request, or another administrator turns it down."""
        return self._decide(
            "撤回或驳回申请",
            "撤回或驳回后，该申请不再生效（记入审计日志）。",
            self._officers.withdraw_role_change,
            "撤回或驳回",
        )

    def _decide(
        self, title: str, intro: str, act: Callable[[SessionUser, int], object], ok: str
    ) -> TextFormDialog | None:
        if not self.pending:
            return None
        dialog = TextFormDialog(
            title,
            intro,
            [Field("request", "申请", choices=tuple((r.id, r.label) for r in self.pending))],
            lambda v: act(self._user, int(v["request"])),
            ok,
            self,
        )
        if self.form_only:
            return dialog
        dialog.exec()
        self.reload()
        return None
