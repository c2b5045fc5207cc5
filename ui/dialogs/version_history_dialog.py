"""Every version of a matter, each shown exactly as it was."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.catalogue.service import CatalogueService
from ui.localtime import fmt
from ui.widgets.screen_fit import fit_to_screen
from ui.widgets.service_item_html import detail_html


class VersionHistoryDialog(QDialog):
    """Pick a version on the left, read it on the right."""

    def __init__(
        self, catalogue: CatalogueService, item_id: int, name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._catalogue = catalogue
        self.setWindowTitle(f"版本历史 — {name}")
        fit_to_screen(self, 860, 600)
        self.list = QListWidget()
        self.list.setMaximumWidth(280)
        self.view = QTextBrowser()
        for v in catalogue.list_versions(item_id):
            when = fmt(v.created_at)
            item = QListWidgetItem(f"第 {v.version_no} 版  {when}\n{v.created_by}：{v.change_note}")
            item.setData(Qt.ItemDataRole.UserRole, v.version_id)
            self.list.addItem(item)
        self.list.currentItemChanged.connect(self._on_version_changed)
        body = QHBoxLayout()
        body.addWidget(self.list)
        body.addWidget(self.view, 1)
        buttons = QDialogButtonBox()
        buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(body)
        layout.addWidget(buttons)
        if self.list.count():
            self.list.setCurrentRow(0)

    def _on_version_changed(self, current: QListWidgetItem | None) -> None:
        if current is not None:
            detail = self._catalogue.get_version(int(current.data(Qt.ItemDataRole.UserRole)))
            self.view.setHtml(detail_html(detail))
