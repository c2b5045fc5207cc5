"""一次性告知: mark what is missing, the citizen signs, the notice is issued and printed."""

from __future__ import annotations

import datetime as dt
from itertools import pairwise

from PySide6.QtCore import (
    QAbstractItemModel,
    QDate,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QCloseEvent, QColor, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.catalogue.service import MATERIAL_FORMS
from app.core import text_limits
from app.core.dto import SessionUser
from app.core.errors import StationDeskError, ValidationError
from app.notices.dto import (
    ITEM_STATE_LABELS,
    NewNotice,
    NoticeDetail,
    NoticeDraft,
    NoticeItemInput,
    SignatureInput,
)
from app.notices.service import NoticeService
from app.printing.fonts import glyph_warning
from ui.widgets.char_count import count_cells, with_count
from ui.widgets.field_errors import FieldErrors
from ui.widgets.messages import confirm
from ui.widgets.rare_char_picker import install_rare_char_picker
from ui.widgets.screen_fit import fit_to_screen, scrolling, show_focus
from ui.widgets.signature_pad import SignaturePad

COLUMNS = ("材料名称", "份数", "形式", "要件", "状态", "说明（需更正时必填）")
STATE_COLUMN, NOTE_COLUMN = 4, 5
# One key per state while the material table has the focus.
STATE_KEYS = {
    Qt.Key.Key_1: "provided",
    Qt.Key.Key_2: "missing",
    Qt.Key.Key_3: "correction",
}
KEYS_HINT = (
    "材料表中：↑↓ 选择材料，按 1 已提供　2 需补交　3 需更正（随即填写说明）；"
    "Tab 离开表格。群众签字后按 Ctrl+Enter 出具。"
)
OWED_COLOUR = QColor("#b42318")


class _StateDelegate(QStyledItemDelegate):
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


class NoticeDialog(QDialog):
    """Built from the matter's checklist; ``issued`` holds the notice after success.

    By keys: the material table has the focus, arrows move between materials and 1 / 2 / 3
    mark the current one (已提供 / 需补交 / 需更正, the last opening its note), Tab leaves the
    table for the deadline, the citizen signs on the pad, Ctrl+Enter issues. Esc on a changed
    form asks before discarding it.
    """

    def __init__(
        self,
        notices: NoticeService,
        user: SessionUser,
        draft: NoticeDraft,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setProperty("help_key", "notice_form")  # F1: resources/help/notice_form.html
        self._notices = notices
        self._user = user
        self._draft = draft
        self._issuing = False
        self._signed_hash = ""
        self._asks_before_discarding = True
        self.issued: NoticeDetail | None = None
        self.setWindowTitle(f"一次性告知 — {draft.serial} {draft.citizen_name}")

        intro = QLabel(
            f"{draft.service_name}（{draft.time_limit_text}）。逐项标明群众已提供、需补交或需更正的"
            "材料；告知单出具后不得再要求告知范围以外的材料。"
        )
        intro.setWordWrap(True)
        glyphs = glyph_warning([draft.citizen_name, *(i.name for i in draft.items)])
        self.glyph_label = QLabel(glyphs)
        self.glyph_label.setObjectName("banner")
        self.glyph_label.setWordWrap(True)
        self.glyph_label.setVisible(bool(glyphs))
        self.keys_hint = QLabel(KEYS_HINT)
        self.keys_hint.setObjectName("hint")
        self.keys_hint.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        state_header = self.table.horizontalHeaderItem(STATE_COLUMN)
        if state_header is not None:
            state_header.setToolTip("按 1 已提供 / 2 需补交 / 3 需更正；双击可选择")
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.setItemDelegateForColumn(STATE_COLUMN, _StateDelegate(self.table))
        # Tab leaves the table (arrows move between rows and cells, F2 edits a cell).
        self.table.setTabKeyNavigation(False)
        self.table.installEventFilter(self)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(NOTE_COLUMN, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3, STATE_COLUMN):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        for item in draft.items:
            self._add_row(item)
        self.add_button = QPushButton("添加本人特有的材料")
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self._on_add_clicked)

        self.deadline_check = QCheckBox("补正期限")
        self.deadline_edit = QDateEdit()
        self.deadline_edit.setCalendarPopup(True)
        self.deadline_edit.setDisplayFormat("yyyy-MM-dd")
        latest = draft.latest_deadline
        if latest is not None:
            self.deadline_edit.setMaximumDate(QDate(latest.year, latest.month, latest.day))
            self.deadline_edit.setDate(QDate(latest.year, latest.month, latest.day))
            limit = QLabel(f"（不得晚于 {latest.isoformat()}，即本事项的办理时限）")
        else:
            self.deadline_check.setEnabled(False)
            limit = QLabel("（当场办结的事项不设补正期限）")
        limit.setObjectName("hint")
        limit.setWordWrap(True)
        self.deadline_edit.setEnabled(False)
        self.deadline_check.toggled.connect(self.deadline_edit.setEnabled)
        self.pledge_check = QCheckBox("容缺受理：只缺非要件材料，群众签署承诺书后先行办理")

        self.signer_edit = QLineEdit(draft.citizen_name)
        install_rare_char_picker(self.signer_edit)  # 生僻字: F4 or the 僻 button
        self.pad = SignaturePad()
        self.pad.started.connect(self._on_signing_started)
        self.pad.changed.connect(self._on_pad_changed)
        self.clear_button = QPushButton("清除")
        self.undo_button = QPushButton("撤销一笔")
        for button in (self.clear_button, self.undo_button):
            button.setAutoDefault(False)
        self.clear_button.clicked.connect(self.pad.clear)
        self.undo_button.clicked.connect(self.pad.undo)
        self.declined_check = QCheckBox("群众拒绝签字")
        self.declined_edit = QLineEdit()
        self.declined_edit.setPlaceholderText("拒签情况说明（由民警填写）")
        self.declined_edit.setEnabled(False)
        self.declined_check.toggled.connect(self.declined_edit.setEnabled)
        self.declined_check.toggled.connect(self.pad.setDisabled)

        general = QLabel()
        self.errors = FieldErrors(general)
        items_error = self.errors.add("items", self.table)
        self.item_cells = count_cells(
            self.table,
            {0: (text_limits.UNIT, "材料名称"), NOTE_COLUMN: (text_limits.ITEM_NOTE, "说明")},
            self.errors,
            "items",
        )
        pledge_error = self.errors.add("pledge", self.pledge_check)
        deadline_error = self.errors.add("supplement_deadline", self.deadline_edit)
        signature_error = self.errors.add("signature", self.pad)
        signer_box, self.signer_count = with_count(
            self.signer_edit, text_limits.SIGNER, "签字人", self.errors, "signer"
        )
        declined_box, self.declined_count = with_count(
            self.declined_edit, text_limits.REASON, "拒签说明", self.errors, "signature"
        )

        sign_box = QGroupBox("群众签字（签字确认上述告知内容）")
        sign_layout = QVBoxLayout(sign_box)
        sign_layout.setSpacing(4)
        signer_row = QHBoxLayout()
        signer_row.addWidget(QLabel("签字人"))
        signer_row.addWidget(signer_box)
        signer_row.addWidget(self.clear_button)
        signer_row.addWidget(self.undo_button)
        signer_row.addSpacing(16)
        signer_row.addWidget(self.declined_check)
        signer_row.addWidget(declined_box, 1)
        sign_layout.addLayout(signer_row)
        sign_layout.addWidget(self.pad)
        sign_layout.addWidget(signature_error)

        deadline_row = QHBoxLayout()
        deadline_row.addWidget(self.deadline_check)
        deadline_row.addWidget(self.deadline_edit)
        deadline_row.addWidget(limit, 1)
        deadline_row.addWidget(self.add_button)

        buttons = QDialogButtonBox()
        self.issue_button = buttons.addButton(
            self._issue_text(), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.issue_button.setAutoDefault(False)
        self.issue_button.setToolTip("群众签字后出具并打印（Ctrl+Enter）")
        self.cancel_button = buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.cancel_button.setAutoDefault(False)
        buttons.accepted.connect(self.issue)
        buttons.rejected.connect(self.reject)
        self.pledge_check.toggled.connect(lambda: self.issue_button.setText(self._issue_text()))
        for sequence in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(sequence), self).activated.connect(self.issue)

        # Everything but the buttons scrolls when the screen is short.
        body = QVBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.addWidget(intro)
        body.addWidget(self.glyph_label)
        body.addWidget(self.keys_hint)
        body.addWidget(self.table)
        body.addWidget(items_error)
        body.addLayout(deadline_row)
        body.addWidget(deadline_error)
        body.addWidget(self.pledge_check)
        body.addWidget(pledge_error)
        body.addWidget(sign_box)
        body.addStretch(1)
        self.body = scrolling(body)
        layout = QVBoxLayout(self)
        layout.addWidget(self.body, 1)
        layout.addWidget(general)
        layout.addWidget(buttons)

        # Tab: the table, the deadline, the pledge, the signer, the buttons.
        chain = [
            self.table,
            self.deadline_check,
            self.deadline_edit,
            self.add_button,
            self.pledge_check,
            self.signer_edit,
            self.clear_button,
            self.undo_button,
            self.declined_check,
            self.declined_edit,
            self.issue_button,
            self.cancel_button,
        ]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)
        if self.table.rowCount():
            self.table.setCurrentCell(0, STATE_COLUMN)
        self.table.setFocus()
        self._untouched = self.new_notice(with_signature=False)
        fit_to_screen(self, 900, self.sizeHint().height())

    def _issue_text(self) -> str:
        what = "出具承诺书" if self.pledge_check.isChecked() else "出具告知单"
        return f"{what}（Ctrl+Enter）"

    # ---- the items table --------------------------------------------------------------

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

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """1 / 2 / 3 in the material table mark the current material."""
        if (
            watched is self.table
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.modifiers()
            in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)
            and event.key() in STATE_KEYS
            and self.table.state() != QAbstractItemView.State.EditingState
        ):
            self._mark_current(STATE_KEYS[Qt.Key(event.key())])
            return True
        return super().eventFilter(watched, event)

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

    # ---- signing and issuing ----------------------------------------------------------

    def new_notice(self, with_signature: bool = True) -> NewNotice:
        """The notice as the form stands."""
        d = self.deadline_edit.date()
        deadline = (
            dt.date(d.year(), d.month(), d.day()) if self.deadline_check.isChecked() else None
        )
        signature = None
        if with_signature and not self.declined_check.isChecked():
            signature = SignatureInput(
                signer_name=self.signer_edit.text(),
                strokes=self.pad.stroke_data(),
                png=self.pad.to_png() if not self.pad.is_empty else b"",
                content_sha256=self._signed_hash,
            )
        return NewNotice(
            visit_id=self._draft.visit_id,
            row_version=self._draft.row_version,
            items=self.items(),
            supplement_deadline=deadline,
            pledge=self.pledge_check.isChecked(),
            signature=signature,
            signature_declined_note=self.declined_edit.text()
            if self.declined_check.isChecked()
            else "",
        )

    def _on_signing_started(self) -> None:
        """The citizen signs what the form says *now*; later edits will ask for a new signature."""
        try:
            _content, self._signed_hash = self._notices.content(
                self._user, self.new_notice(with_signature=False)
            )
        except StationDeskError as exc:
            self._signed_hash = ""
            self.errors.show(exc)
            show_focus(self.body)

    def _on_pad_changed(self) -> None:
        if self.pad.is_empty:
            self._signed_hash = ""

    def issue(self) -> None:
        """Issue once; a second click while issuing does nothing."""
        if self._issuing:
            return
        self._issuing = True
        self.issue_button.setEnabled(False)
        try:
            new = self.new_notice()
            if new.signature is not None and self.pad.is_empty:
                raise ValidationError("签字板上没有笔迹，请群众签字后再确认。", "signature")
            self.issued = self._notices.issue(self._user, new)
        except StationDeskError as exc:
            self.errors.show(exc)
            show_focus(self.body)
            self._issuing = False
            self.issue_button.setEnabled(True)
            return
        self.accept()

    # ---- leaving ----------------------------------------------------------------------

    def changed(self) -> bool:
        """Anything marked, typed or signed since the editor opened."""
        return (
            not self.pad.is_empty
            or self.declined_check.isChecked()
            or self.new_notice(with_signature=False) != self._untouched
        )

    def reject(self) -> None:
        """Esc, 取消 or the close box: a changed form asks before it is thrown away."""
        if (
            self._asks_before_discarding
            and self.issued is None
            and self.changed()
            and not confirm(
                self, "放弃本次告知？已标明的材料和群众签字不会保存。", "放弃告知", "放弃"
            )
        ):
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        """The close box asks like Esc; closing from code (the program, tests) does not."""
        self._asks_before_discarding = event.spontaneous()
        try:
            super().closeEvent(event)
        finally:
            self._asks_before_discarding = True
