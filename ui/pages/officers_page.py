"""人员管理: the staff list with add, edit, deactivate/reactivate and password reset."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.dto import OfficerRow, SessionUser
from app.errors import StationDeskError
from app.officer_service import OfficerService
from ui.dialogs.departure_dialog import DepartureDialog
from ui.dialogs.officer_dialog import OfficerDialog, ResetPasswordDialog
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
    Column("姓名", lambda r: r.name),
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
        self.add_button.clicked.connect(self._on_add_clicked)
        self.edit_button.clicked.connect(self._on_edit_clicked)
        self.toggle_button.clicked.connect(self._on_toggle_clicked)
        self.reset_button.clicked.connect(self._on_reset_clicked)

        note = QLabel("人员账号只停用、不删除：已有记录始终保留经办人。")
        note.setObjectName("hint")
        top = QHBoxLayout()
        top.addWidget(self.filter_edit, 1)
        buttons = QHBoxLayout()
        for b in (self.add_button, self.edit_button, self.toggle_button, self.reset_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(note)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table)
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
        for b in (self.edit_button, self.toggle_button, self.reset_button):
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
