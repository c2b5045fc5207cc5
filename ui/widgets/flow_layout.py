"""Rows that wrap instead of squeezing: filter bars and button rows at any 字号.

A QHBoxLayout squeezes its widgets below their size hints when the row is too narrow (特大 on
a 1366 screen): dates show as "2026-(", buttons lose their first characters. A FlowLayout
puts what does not fit on the next line, every widget at its size hint (after Qt's Flow
Layout example). ``ButtonGrid`` does the same for a panel's action buttons while keeping
them in aligned columns: three a row when their names fit, else two, else one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QEvent, QMargins, QPoint, QRect, QSize, Qt, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLayoutItem,
    QPushButton,
    QWidget,
)

from ui.widgets import screen_fit


class FlowLayout(QLayout):
    """Left to right, wrapping to a new line when the next widget would not fit whole."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._gap = spacing
        self.setContentsMargins(QMargins(0, 0, 0, 0))

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        """One line: everything side by side."""
        width = sum(i.sizeHint().width() for i in self._visible()) + self._gap * max(
            len(self._visible()) - 1, 0
        )
        height = max((i.sizeHint().height() for i in self._visible()), default=0)
        margins = self.contentsMargins()
        return QSize(
            width + margins.left() + margins.right(), height + margins.top() + margins.bottom()
        )

    def minimumSize(self) -> QSize:
        """The widest single widget: anything narrower would cut it."""
        size = QSize()
        for item in self._visible():
            size = size.expandedTo(item.minimumSize().expandedTo(item.sizeHint()))
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _visible(self) -> list[QLayoutItem]:
        return [i for i in self._items if not i.isEmpty()]

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        x, y, line = area.x(), area.y(), 0
        for item in self._visible():
            hint = item.sizeHint()
            if x > area.x() and x + hint.width() > area.right() + 1:
                x, y, line = area.x(), y + line + self._gap, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._gap
            line = max(line, hint.height())
        return y + line - rect.y() + margins.bottom()


class ButtonGrid(QWidget):
    """Action buttons in aligned columns: as many a row (up to ``columns``) as show whole.

    Its minimum width keeps room for ``columns`` buttons a row (two when they are wide, as
    with 特大 text), within two fifths of the screen, so a splitter does not squeeze it to
    one column while there is room.
    """

    def __init__(self, columns: int = 3, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._most = columns
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._shown: list[QPushButton] = []
        self._placed = columns

    def set_buttons(self, buttons: Sequence[QPushButton]) -> None:
        """Show ``buttons`` in this order (others added before are taken out and hidden)."""
        for button in self._shown:
            self._grid.removeWidget(button)
            if button not in buttons:
                button.hide()
        self._shown = list(buttons)
        self.updateGeometry()
        self._place(self.columns())
        for button in self._shown:
            button.show()

    @property
    def placed_columns(self) -> int:
        """How many buttons a row are on show."""
        return self._placed

    def position(self, button: QPushButton) -> tuple[int, int]:
        """(row, column) of ``button`` in the grid (tests, accessibility)."""
        where: Any = self._grid.getItemPosition(self._grid.indexOf(button))
        return int(where[0]), int(where[1])

    def columns(self) -> int:
        """The most columns (up to the limit) whose buttons fit the width whole."""
        if self.width() <= 0:
            return self._most  # not laid out yet
        for columns in range(self._most, 1, -1):
            if self.grid_width(columns) <= self.width():
                return columns
        return 1

    def grid_width(self, columns: int) -> int:
        """The width the buttons need in ``columns`` columns (each column as its widest)."""
        widths = [b.sizeHint().width() for b in self._shown]
        need = [max(widths[c::columns], default=0) for c in range(columns)]
        return sum(need) + max(self._grid.horizontalSpacing(), 0) * (columns - 1)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        if not self._shown:
            return hint
        cap = screen_fit.available_area(self).width() * 2 // 5
        for columns in range(self._most, 1, -1):
            need = self.grid_width(columns)
            if need <= cap:
                return QSize(max(hint.width(), need), hint.height())
        return QSize(max(b.sizeHint().width() for b in self._shown), hint.height())

    def _place(self, columns: int) -> None:
        for button in self._shown:
            self._grid.removeWidget(button)
        for index, button in enumerate(self._shown):
            self._grid.addWidget(button, index // columns, index % columns)
        self._placed = columns

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._shown and self.columns() != self._placed:
            self._place(self.columns())

    def changeEvent(self, event: QEvent) -> None:
        """字号 changed: the names take another width; re-flow once they have it."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange and self._shown:
            QTimer.singleShot(0, self, self._reflow)

    def _reflow(self) -> None:
        self.updateGeometry()
        self._place(self.columns())


def together(*parts: QWidget | str) -> QWidget:
    """Widgets (and label texts) that wrap as one, e.g. 待审核 and its list."""
    box = QWidget()
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    for part in parts:
        row.addWidget(QLabel(part) if isinstance(part, str) else part)
    return box
