"""A read-only table model over a list of frozen rows, described by column definitions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

RowT = TypeVar("RowT")
AnyIndex = QModelIndex | QPersistentModelIndex

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ROLE = Qt.ItemDataRole.UserRole + 2


@dataclass(frozen=True)
class Column(Generic[RowT]):
    """One column: header, display text, optional sort key and a muted-row test."""

    header: str
    text: Callable[[RowT], str]
    sort_key: Callable[[RowT], Any] | None = None
    align_center: bool = False


class RowTableModel(QAbstractTableModel, Generic[RowT]):
    """Holds rows in memory; ``data()`` never touches the database."""

    def __init__(
        self,
        columns: Sequence[Column[RowT]],
        muted: Callable[[RowT], bool] | None = None,
        parent: Any = None,
        colour: Callable[[RowT], str | None] | None = None,
    ) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._rows: list[RowT] = []
        self._muted = muted
        self._colour = colour

    def set_rows(self, rows: Sequence[RowT]) -> None:
        """Replace every row."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def find(self, predicate: Callable[[RowT], bool]) -> int:
        """The index of the first row matching ``predicate``, or -1."""
        return next((i for i, r in enumerate(self._rows) if predicate(r)), -1)

    def row_at(self, row: int) -> RowT:
        """The row object at ``row``."""
        return self._rows[row]

    def rows(self) -> list[RowT]:
        """A copy of every row."""
        return list(self._rows)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        """Number of rows (none under a valid parent: this is a flat table)."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        """Number of columns."""
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Display text, sort key, alignment, muted colour or the row itself."""
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row = self._rows[index.row()]
        column = self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(row)
        if role == SORT_ROLE:
            return column.sort_key(row) if column.sort_key else column.text(row)
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.TextAlignmentRole and column.align_center:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ForegroundRole:
            if self._colour is not None and (colour := self._colour(row)):
                return QBrush(QColor(colour))
            if self._muted and self._muted(row):
                return QBrush(QColor("#8a8f98"))
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column headers; rows are numbered from 1."""
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._columns[section].header if 0 <= section < len(self._columns) else None
        return str(section + 1)
