"""The one sort/filter proxy of every table: sorts on SORT_ROLE, filters on any column's text."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt

from ui.models.row_table_model import SORT_ROLE


class FilterProxyModel(QSortFilterProxyModel):
    """Case-insensitive filter across all columns; numeric and date columns sort by their key."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterKeyColumn(-1)
        self._also: Callable[[int], bool] | None = None

    def set_also(self, accepts: Callable[[int], bool] | None) -> None:
        """Rows (by source row) shown besides those whose text matches the filter."""
        self.beginFilterChange()
        self._also = accepts
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        if super().filterAcceptsRow(source_row, source_parent):
            return True
        return self._also is not None and self._also(source_row)

    def lessThan(
        self,
        left: QModelIndex | QPersistentModelIndex,
        right: QModelIndex | QPersistentModelIndex,
    ) -> bool:
        """Compare sort keys, falling back to text when the types differ."""
        a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        try:
            return bool(a < b)
        except TypeError:
            return str(a) < str(b)
