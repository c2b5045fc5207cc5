"""Pick a catalogue matter by typing its name, code or pinyin initials (sfz → 身份证)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app.catalogue.dto import ServiceItemRow
from app.catalogue.service import CatalogueService


class MatterPicker(QWidget):
    """A line edit with a result list under it; Up/Down move, Enter picks."""

    picked = Signal(object)

    def __init__(self, catalogue: CatalogueService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._catalogue = catalogue
        self._choosing = False
        self.selected: ServiceItemRow | None = None
        self.edit = QLineEdit()
        self.edit.setPlaceholderText("输入事项名称、编码或拼音首字母，如 sfz、jzz")
        self.list = QListWidget()
        # Three to six matters in view at any 字号 (a fixed 150 px showed one and a half at 特大).
        row = self.list.fontMetrics().height() + 8
        self.list.setMinimumHeight(3 * row)
        self.list.setMaximumHeight(6 * row)
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.edit)
        layout.addWidget(self.list)
        self.setFocusProxy(self.edit)
        self.edit.textEdited.connect(self._on_text_edited)
        self.edit.installEventFilter(self)
        self.list.itemClicked.connect(self._choose)

    def _on_text_edited(self, text: str) -> None:
        self.selected = None
        self.list.clear()
        if not text.strip():
            self.list.hide()
            return
        for row in self._catalogue.list_items(text)[:30]:
            item = QListWidgetItem(f"{row.name}　{row.code} · {row.time_limit_text}")
            item.setData(Qt.ItemDataRole.UserRole, row)
            self.list.addItem(item)
        if self.list.count() == 0:
            self.list.addItem("（没有找到，请换个说法或拼音首字母）")
            self.list.item(0).setFlags(Qt.ItemFlag.NoItemFlags)
        else:
            self.list.setCurrentRow(0)
        self.list.show()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Up/Down/Enter/Esc act on the result list while it is open."""
        if watched is self.edit and event.type() == QEvent.Type.KeyPress and self.list.isVisible():
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                step = 1 if key == Qt.Key.Key_Down else -1
                row = max(0, min(self.list.count() - 1, self.list.currentRow() + step))
                self.list.setCurrentRow(row)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                current = self.list.currentItem()
                if current is not None and current.data(Qt.ItemDataRole.UserRole) is not None:
                    self._choose(current)
                    return True
            if key == Qt.Key.Key_Escape:
                self.list.hide()
                return True
        return super().eventFilter(watched, event)

    def choose_current(self) -> None:
        """Take the highlighted result if nothing is chosen yet (Ctrl+Enter saves at once)."""
        current = self.list.currentItem() if self.list.isVisible() else None
        if self.selected is None and current is not None:
            self._choose(current)

    def _choose(self, item: QListWidgetItem) -> None:
        row = item.data(Qt.ItemDataRole.UserRole)
        if not isinstance(row, ServiceItemRow):
            return
        self.selected = row
        self.edit.setText(f"{row.name}（{row.code}）")
        self.list.hide()
        self.picked.emit(row)

    def clear(self) -> None:
        """Forget the choice."""
        self.selected = None
        self.edit.clear()
        self.list.hide()
