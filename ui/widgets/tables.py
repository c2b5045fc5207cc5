"""The one way tables are set up: read-only, sortable, service order until a header is clicked."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from ui.models.filter_proxy_model import FilterProxyModel


def make_table(
    proxy: FilterProxyModel, stretch_column: int, multi_select: bool = False
) -> QTableView:
    """A row-selecting, non-editable, sortable QTableView over ``proxy``."""
    table = QTableView()
    table.setModel(proxy)
    table.setSortingEnabled(True)
    # Keep the service's order (e.g. by category) until the officer sorts by a column.
    table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    proxy.sort(-1)
    table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    table.setSelectionMode(
        QTableView.SelectionMode.ExtendedSelection
        if multi_select
        else QTableView.SelectionMode.SingleSelection
    )
    table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    table.horizontalHeader().setSectionResizeMode(stretch_column, QHeaderView.ResizeMode.Stretch)
    table.horizontalHeader().setHighlightSections(False)
    keyboard_friendly(table)
    return table


def keyboard_friendly(table: QAbstractItemView) -> None:
    """Tab and Shift+Tab leave the table (the arrows move between rows), as in every form;
    a list reached by Tab shows its current row selected, ready for Enter or a shortcut."""
    table.setTabKeyNavigation(False)
    table.installEventFilter(_SelectOnFocus(table))


class _SelectOnFocus(QObject):
    def __init__(self, table: QAbstractItemView) -> None:
        super().__init__(table)
        self._table = table

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusIn:
            table, model = self._table, self._table.model()
            selection = table.selectionModel()
            empty = model is None or model.rowCount() == 0
            if not empty and selection is not None and not selection.hasSelection():
                current = table.currentIndex()
                row = current.row() if current.isValid() else 0
                table.setCurrentIndex(model.index(row, 0))  # rows are selected whole
        return False


class _EnterFilter(QObject):
    def __init__(self, table: QAbstractItemView, action: Callable[[], object]) -> None:
        super().__init__(table)
        self._table = table
        self._action = action

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and event.modifiers()
            in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)
            and self._table.currentIndex().isValid()
        ):
            self._action()
            return True
        return False


def on_enter(table: QAbstractItemView, action: Callable[[], object]) -> None:
    """Enter on a row starts ``action`` (the row's primary action); a double-click does not."""
    table.installEventFilter(_EnterFilter(table, action))


# Rows measured when fitting columns: the header and the first rows shown say how wide a
# column's values are. Measuring every row of a list of thousands (all open matters of a big
# station) cost more than loading it; a longer value further down is elided ("…").
SAMPLE_ROWS = 50


def fit_columns(table: QTableView, widest: int = 240) -> None:
    """Size columns to their header and first rows, but no column wider than ``widest`` pixels."""
    header = table.horizontalHeader()
    header.setResizeContentsPrecision(SAMPLE_ROWS)
    table.resizeColumnsToContents()
    for column in range(header.count()):
        if header.sectionSize(column) > widest:
            header.resizeSection(column, widest)
