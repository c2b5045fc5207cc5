"""一次性告知's material table: its columns, the state of each material, the rows it holds."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QSpinBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from app.catalogue.service import MATERIAL_FORMS
from app.notices.dto import ITEM_STATE_LABELS, NoticeItemInput

COLUMNS = ("材料名称", "份数", "形式", "要件", "状态", "说明（需更正时必填）")
STATE_COLUMN, NOTE_COLUMN = 4, 5
# One key per state while the material table has the focus.
STATE_KEYS = {
    Qt.Key.Key_1: "provided",
    Qt.Key.Key_2: "missing",
    Qt.Key.Key_3: "correction",
}
OWED_COLOUR = QColor("#b42318")


class StateDelegate(QStyledItemDelegate):
    """For the mouse: a double click on a state opens a list of the three states."""

    def createEditor(
        self,
        parent: QWidget,
        _option: QStyleOptionViewItem,
        _index: QModelIndex | QPersistentModelIndex,
    ) -> QWidget:
        combo = QComboBox(parent)
        for value, label in ITEM_STATE_LABELS.items():
            combo.addItem(label, value)
        return combo

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        assert isinstance(editor, QComboBox)
        editor.setCurrentIndex(max(0, editor.findData(index.data(Qt.ItemDataRole.UserRole))))

    def setModelData(
        self,
        editor: QWidget,
        model: QAbstractItemModel,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentData(), Qt.ItemDataRole.UserRole)
        model.setData(index, editor.currentText(), Qt.ItemDataRole.DisplayRole)


class NoticeTableMixin:
    """NoticeDialog's rows: add them, mark their state, read them back (all on ``table``)."""

    table: QTableWidget

    def _fit_table(self) -> None:
        """Tall enough for every material (up to ten rows; more scroll inside the table)."""
        rows = min(self.table.rowCount(), 10)
        height = self.table.horizontalHeader().sizeHint().height() + 2 * self.table.frameWidth()
        height += sum(self.table.rowHeight(r) for r in range(rows)) or 30
        self.table.setFixedHeight(height + 2)

    def _on_add_clicked(self) -> None:
        self._add_row(None)
        row = self.table.rowCount() - 1
        self.table.setCurrentCell(row, 0)
        self.table.setFocus()
        name = self.table.item(row, 0)
        if name is not None:
            self.table.editItem(name)

    def _add_row(self, item: NoticeItemInput | None) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        name = QTableWidgetItem(item.name if item else "")
        if item is not None:
            name.setFlags(name.flags() & ~Qt.ItemFlag.ItemIsEditable)
            name.setToolTip(f"{item.name}\n来源：{item.source}" if item.source else item.name)
        name.setData(Qt.ItemDataRole.UserRole, item)
        self.table.setItem(row, 0, name)
        key = QTableWidgetItem("要件")
        key.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
        key.setCheckState(
            Qt.CheckState.Checked if (item is None or item.is_key) else Qt.CheckState.Unchecked
        )
        if item is not None:
            # The catalogue's copies and form are as listed: plain text, nothing to focus.
            for column, text in ((1, str(item.copies)), (2, item.form)):
                cell = QTableWidgetItem(text)
                cell.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                self.table.setItem(row, column, cell)
            key.setFlags(Qt.ItemFlag.ItemIsSelectable)
        else:
            copies = QSpinBox()
            copies.setRange(1, 20)
            copies.setValue(1)
            form = QComboBox()
            form.addItems(list(MATERIAL_FORMS))
            self.table.setCellWidget(row, 1, copies)
            self.table.setCellWidget(row, 2, form)
        self.table.setItem(row, 3, key)
        self.table.setItem(row, STATE_COLUMN, QTableWidgetItem())
        self.table.setItem(row, NOTE_COLUMN, QTableWidgetItem(item.note if item else ""))
        self._show_state(row, "missing" if item is None else item.state)
        self._fit_table()

    def _show_state(self, row: int, state: str) -> None:
        cell = self.table.item(row, STATE_COLUMN)
        if cell is None:
            return
        cell.setData(Qt.ItemDataRole.UserRole, state)
        cell.setText(ITEM_STATE_LABELS[state])
        owed = state != "provided"
        font = cell.font()
        font.setBold(owed)
        cell.setFont(font)
        cell.setForeground(QBrush(OWED_COLOUR) if owed else QBrush())

    def state_of(self, row: int) -> str:
        """The state marked on ``row`` (provided | missing | correction)."""
        cell = self.table.item(row, STATE_COLUMN)
        return str(cell.data(Qt.ItemDataRole.UserRole)) if cell is not None else "provided"

    def set_state(self, row: int, state: str, note: str = "") -> None:
        """Mark one material (used by the officer's keys and by tests)."""
        self._show_state(row, state)
        note_item = self.table.item(row, NOTE_COLUMN)
        if note_item is not None and (note or state != "correction"):
            note_item.setText(note)

    def _mark_current(self, state: str) -> None:
        row = self.table.currentRow()
        if row < 0:
            return
        note = self.table.item(row, NOTE_COLUMN)
        self.set_state(row, state, note.text() if note is not None else "")
        if state == "correction" and note is not None:
            # What to correct is required: type it straight away, Enter returns to the table.
            self.table.setCurrentCell(row, NOTE_COLUMN)
            self.table.editItem(note)
        else:
            self.table.setCurrentCell(row, STATE_COLUMN)

    def items(self) -> tuple[NoticeItemInput, ...]:
        """The table as the officer marked it."""
        out = []
        for row in range(self.table.rowCount()):
            name = self.table.item(row, 0)
            base = name.data(Qt.ItemDataRole.UserRole) if name else None
            if isinstance(base, NoticeItemInput):
                copies, form = base.copies, base.form
            else:
                copies_box, form_box = (self.table.cellWidget(row, c) for c in (1, 2))
                assert isinstance(copies_box, QSpinBox) and isinstance(form_box, QComboBox)
                copies, form = copies_box.value(), form_box.currentText()
            key = self.table.item(row, 3)
            note = self.table.item(row, NOTE_COLUMN)
            out.append(
                NoticeItemInput(
                    name=name.text() if name else "",
                    copies=copies,
                    form=form,
                    source=base.source if isinstance(base, NoticeItemInput) else "",
                    is_key=bool(key and key.checkState() == Qt.CheckState.Checked),
                    state=self.state_of(row),
                    note=note.text() if note else "",
                    extra=base is None,
                )
            )
        return tuple(out)
