"""服务事项目录: search by name or pinyin initials, read a matter, edit it as a new version."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.catalogue.dto import ServiceItemRow
from app.catalogue.service import CatalogueService
from app.core.dto import SessionUser
from app.core.errors import StationDeskError
from app.core.roles import Permission, allows
from ui.dialogs.service_item_dialog import ServiceItemDialog
from ui.dialogs.version_history_dialog import VersionHistoryDialog
from ui.models.filter_proxy_model import FilterProxyModel
from ui.models.row_table_model import Column, RowTableModel
from ui.widgets.messages import confirm, show_error
from ui.widgets.service_item_html import detail_html
from ui.widgets.tables import fit_columns, make_table

COLUMNS: list[Column[ServiceItemRow]] = [
    Column("编码", lambda r: r.code),
    Column("事项名称", lambda r: r.name),
    Column("类别", lambda r: r.category),
    Column("办理时限", lambda r: r.time_limit_text),
    Column("材料", lambda r: f"{r.material_count} 项", lambda r: r.material_count, True),
    Column("版本", lambda r: f"第 {r.version_no} 版", lambda r: r.version_no, True),
    Column("状态", lambda r: "在用" if r.active else "已停用", align_center=True),
]


class CataloguePage(QWidget):
    """The catalogue every officer reads; the administrator also edits it."""

    def __init__(
        self, catalogue: CatalogueService, user: SessionUser, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._catalogue = catalogue
        self._user = user
        self._can_edit = allows(user.role, Permission.EDIT_CATALOGUE)

        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("搜索事项：名称、编码或拼音首字母（如 sfz 查身份证）")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.textChanged.connect(self.reload)
        self.inactive_check = QCheckBox("显示已停用事项")
        self.inactive_check.toggled.connect(self.reload)

        self.model: RowTableModel[ServiceItemRow] = RowTableModel(
            COLUMNS, muted=lambda r: not r.active
        )
        self.proxy = FilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        # The names keep the width they need (up to a limit); the last column takes the rest.
        self.table = make_table(self.proxy, stretch_column=len(COLUMNS) - 1)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.table.doubleClicked.connect(self._on_edit_clicked)

        self.detail = QTextBrowser()
        self.detail.setObjectName("detail")
        self.detail.setOpenExternalLinks(False)

        self.add_button = QPushButton("新增事项")
        self.edit_button = QPushButton("修改（生成新版本）")
        self.toggle_button = QPushButton("停用")
        self.history_button = QPushButton("版本历史")
        self.add_button.clicked.connect(self._on_add_clicked)
        self.edit_button.clicked.connect(self._on_edit_clicked)
        self.toggle_button.clicked.connect(self._on_toggle_clicked)
        self.history_button.clicked.connect(self._on_history_clicked)
        for button in (self.add_button, self.edit_button, self.toggle_button):
            button.setVisible(self._can_edit)

        top = QHBoxLayout()
        top.addWidget(self.search_edit, 1)
        top.addWidget(self.inactive_check)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.toggle_button, self.history_button):
            buttons.addWidget(button)
        buttons.addStretch(1)

        left = QWidget()
        left_box = QVBoxLayout(left)
        left_box.setContentsMargins(0, 0, 0, 0)
        left_box.addLayout(top)
        left_box.addWidget(self.table)
        left_box.addLayout(buttons)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([640, 460])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.reload()

    def reload(self) -> None:
        """Query the catalogue again, keeping the selected matter if it is still listed."""
        current = self.selected_row()
        rows = self._catalogue.list_items(
            self.search_edit.text(), include_inactive=self.inactive_check.isChecked()
        )
        self.model.set_rows(rows)
        fit_columns(self.table, widest=280)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        target = 0
        if current is not None:
            for i, row in enumerate(rows):
                if row.item_id == current.item_id:
                    target = i
        if rows:
            index = self.proxy.mapFromSource(self.model.index(target, 0))
            self.table.selectRow(index.row())
        else:
            self.detail.setHtml("<p>没有找到符合条件的事项。</p>")
        self._update_buttons()

    def selected_row(self) -> ServiceItemRow | None:
        """The matter selected in the table."""
        indexes = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not indexes:
            return None
        return self.model.row_at(self.proxy.mapToSource(indexes[0]).row())

    def _on_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        row = self.selected_row()
        if row is not None:
            self.detail.setHtml(detail_html(self._catalogue.get_item(row.item_id)))
        self._update_buttons()

    def _update_buttons(self) -> None:
        row = self.selected_row()
        for button in (self.edit_button, self.toggle_button, self.history_button):
            button.setEnabled(row is not None)
        self.toggle_button.setText("启用" if row is not None and not row.active else "停用")

    def _on_add_clicked(self) -> None:
        dialog = ServiceItemDialog(self._catalogue, self._user, None, self)
        if dialog.exec():
            self.reload()

    def _on_edit_clicked(self) -> None:
        row = self.selected_row()
        if row is None or not self._can_edit:
            return
        dialog = ServiceItemDialog(
            self._catalogue, self._user, self._catalogue.get_item(row.item_id), self
        )
        if dialog.exec():
            self.reload()

    def _on_toggle_clicked(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        verb = "启用" if not row.active else "停用"
        note = "" if not row.active else "停用后新登记不能再选择该事项，已有记录不受影响。"
        if not confirm(self, f"确定{verb}“{row.name}”吗？{note}", yes=verb):
            return
        try:
            self._catalogue.set_active(self._user, row.item_id, not row.active)
        except StationDeskError as exc:
            show_error(self, exc.message)
        self.reload()

    def _on_history_clicked(self) -> None:
        row = self.selected_row()
        if row is not None:
            VersionHistoryDialog(self._catalogue, row.item_id, row.name, self).exec()
