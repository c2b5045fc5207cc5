"""Leading columns that stay in view while a wide table scrolls sideways (e.g. the name).

A second view over the same model and selection shows only the first ``count`` columns and
lies over the table's left edge (as in Qt's "Frozen Column" example); it scrolls vertically
with the table, follows its column widths and sorts it from its own header.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractItemView, QFrame, QTableView


class FrozenColumns(QObject):
    """Keeps the first ``count`` columns of ``table`` in view; ``view`` is the overlay."""

    def __init__(self, table: QTableView, count: int) -> None:
        super().__init__(table)
        self._table = table
        self._count = count
        view = QTableView(table)
        self.view = view
        view.setObjectName("frozenColumns")
        view.setModel(table.model())
        view.setSelectionModel(table.selectionModel())
        view.setSelectionBehavior(table.selectionBehavior())
        view.setSelectionMode(table.selectionMode())
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setAlternatingRowColors(table.alternatingRowColors())
        # Enabling sorting sorts at once by the header's indicator: give it the table's first
        # (the service's order, no column), or the shared model would be re-sorted by rank
        # descending (a fresh header's default).
        ours, theirs = view.horizontalHeader(), table.horizontalHeader()
        ours.setSortIndicator(theirs.sortIndicatorSection(), theirs.sortIndicatorOrder())
        view.setSortingEnabled(table.isSortingEnabled())
        view.horizontalHeader().setHighlightSections(False)
        view.verticalHeader().setHidden(table.verticalHeader().isHidden())
        view.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keyboard stays on the table
        view.setFrameShape(QFrame.Shape.NoFrame)
        view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        view.setVerticalScrollMode(table.verticalScrollMode())
        view.setStyleSheet("QTableView#frozenColumns { border-right: 2px solid #c5ccd6; }")
        table.viewport().stackUnder(view)
        # Scroll together, in both directions.
        table.verticalScrollBar().valueChanged.connect(view.verticalScrollBar().setValue)
        view.verticalScrollBar().valueChanged.connect(table.verticalScrollBar().setValue)
        table.horizontalHeader().sectionResized.connect(self._on_section_resized)
        # A method, not a lambda: Qt drops the connection when this object goes with the table.
        table.verticalHeader().sectionResized.connect(self._on_row_resized)
        table.horizontalHeader().sortIndicatorChanged.connect(self._on_sorted)
        view.horizontalHeader().sortIndicatorChanged.connect(self._on_sorted)
        model = table.model()
        model.modelReset.connect(self._show_columns)
        model.columnsInserted.connect(self._show_columns)
        table.installEventFilter(self)
        self._show_columns()

    def _show_columns(self) -> None:
        model = self._table.model()
        for column in range(model.columnCount()):
            self.view.setColumnHidden(column, column >= self._count)
            if column < self._count:
                self.view.setColumnWidth(column, self._table.columnWidth(column))
        self._place()

    def _on_section_resized(self, column: int, _old: int, new: int) -> None:
        if column < self._count:
            self.view.setColumnWidth(column, new)
            self._place()

    def _on_row_resized(self, row: int, _old: int, new: int) -> None:
        self.view.setRowHeight(row, new)

    def _on_sorted(self, column: int, order: Qt.SortOrder) -> None:
        for header in (self._table.horizontalHeader(), self.view.horizontalHeader()):
            if (header.sortIndicatorSection(), header.sortIndicatorOrder()) != (column, order):
                header.setSortIndicator(column, order)

    def _place(self) -> None:
        table = self._table
        # The overlay's own widths: while a section is being resized the table may still
        # report the old one.
        width = sum(self.view.columnWidth(c) for c in range(self._count))
        if not table.verticalHeader().isHidden():
            width += table.verticalHeader().width()
        frame = table.frameWidth()
        height = table.viewport().height() + table.horizontalHeader().height()
        self.view.setGeometry(frame, frame, width + 2, height)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # While the table is being destroyed Qt may still filter its events through a
        # wrapper whose attributes are already gone.
        if watched is getattr(self, "_table", None) and event.type() in (
            QEvent.Type.Resize,
            QEvent.Type.Show,
        ):
            self._place()
        return False
