"""A choice in a table row (a colleague, 本人继续负责): the wheel scrolls the table unless the
picker was chosen on purpose (has the focus)."""

from __future__ import annotations

from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QComboBox


class RowPicker(QComboBox):
    """A combo box in a table cell that leaves the wheel to the table until focused."""

    def wheelEvent(self, event: QWheelEvent) -> None:
        """Change the choice by wheel only once the picker was chosen on purpose."""
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()
