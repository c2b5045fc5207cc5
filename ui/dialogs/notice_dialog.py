"""一次性告知: mark what is missing, the citizen signs, the notice is issued and printed."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt
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
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.catalogue_service import MATERIAL_FORMS
from app.dto import SessionUser
from app.errors import StationDeskError, ValidationError
from app.notice_dto import (
    ITEM_STATE_LABELS,
    NewNotice,
    NoticeDetail,
    NoticeDraft,
    NoticeItemInput,
    SignatureInput,
)
from app.notice_service import NoticeService
from app.printing.fonts import glyph_warning
from ui.widgets.field_errors import FieldErrors
from ui.widgets.signature_pad import SignaturePad

COLUMNS = ("材料名称", "份数", "形式", "要件", "状态", "说明（需更正时必填）")


class NoticeDialog(QDialog):
    """Built from the matter's checklist; ``issued`` holds the notice after success."""

    def __init__(
        self,
        notices: NoticeService,
        user: SessionUser,
        draft: NoticeDraft,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._notices = notices
        self._user = user
        self._draft = draft
        self._issuing = False
        self._signed_hash = ""
        self.issued: NoticeDetail | None = None
        self.setWindowTitle(f"一次性告知 — {draft.serial} {draft.citizen_name}")
        self.resize(900, 820)

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
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # Tab leaves the table (arrows move between rows and cells, F2 edits a cell).
        self.table.setTabKeyNavigation(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        for item in draft.items:
            self._add_row(item)
        add = QPushButton("添加本人特有的材料")
        add.setAutoDefault(False)
        add.clicked.connect(lambda: self._add_row(None))

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
        self.deadline_edit.setEnabled(False)
        self.deadline_check.toggled.connect(self.deadline_edit.setEnabled)
        self.pledge_check = QCheckBox("容缺受理：只缺非要件材料，群众签署承诺书后先行办理")

        self.signer_edit = QLineEdit(draft.citizen_name)
        self.pad = SignaturePad()
        self.pad.started.connect(self._on_signing_started)
        self.pad.changed.connect(self._on_pad_changed)
        clear = QPushButton("清除")
        undo = QPushButton("撤销一笔")
        for button in (clear, undo):
            button.setAutoDefault(False)
        clear.clicked.connect(self.pad.clear)
        undo.clicked.connect(self.pad.undo)
        self.declined_check = QCheckBox("群众拒绝签字")
        self.declined_edit = QLineEdit()
        self.declined_edit.setPlaceholderText("拒签情况说明（由民警填写）")
        self.declined_edit.setEnabled(False)
        self.declined_check.toggled.connect(self.declined_edit.setEnabled)
        self.declined_check.toggled.connect(self.pad.setDisabled)

        general = QLabel()
        self.errors = FieldErrors(general)
        items_error = self.errors.add("items", self.table)
        pledge_error = self.errors.add("pledge", self.pledge_check)
        deadline_error = self.errors.add("supplement_deadline", self.deadline_edit)
        signature_error = self.errors.add("signature", self.pad)

        sign_box = QGroupBox("群众签字（签字确认上述告知内容）")
        sign_layout = QVBoxLayout(sign_box)
        signer_row = QHBoxLayout()
        signer_row.addWidget(QLabel("签字人"))
        signer_row.addWidget(self.signer_edit)
        signer_row.addStretch(1)
        signer_row.addWidget(clear)
        signer_row.addWidget(undo)
        sign_layout.addLayout(signer_row)
        sign_layout.addWidget(self.pad)
        declined_row = QHBoxLayout()
        declined_row.addWidget(self.declined_check)
        declined_row.addWidget(self.declined_edit, 1)
        sign_layout.addLayout(declined_row)
        sign_layout.addWidget(signature_error)

        deadline_row = QHBoxLayout()
        deadline_row.addWidget(self.deadline_check)
        deadline_row.addWidget(self.deadline_edit)
        deadline_row.addWidget(limit, 1)

        buttons = QDialogButtonBox()
        self.issue_button = buttons.addButton("出具告知单", QDialogButtonBox.ButtonRole.AcceptRole)
        self.issue_button.setAutoDefault(False)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole).setAutoDefault(False)
        buttons.accepted.connect(self.issue)
        buttons.rejected.connect(self.reject)
        self.pledge_check.toggled.connect(
            lambda on: self.issue_button.setText("出具承诺书" if on else "出具告知单")
        )

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.glyph_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(add, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(items_error)
        layout.addLayout(deadline_row)
        layout.addWidget(deadline_error)
        layout.addWidget(self.pledge_check)
        layout.addWidget(pledge_error)
        layout.addWidget(sign_box)
        layout.addWidget(general)
        layout.addWidget(buttons)

    # ---- the items table --------------------------------------------------------------

    def _add_row(self, item: NoticeItemInput | None) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        name = QTableWidgetItem(item.name if item else "")
        if item is not None:
            name.setFlags(name.flags() & ~Qt.ItemFlag.ItemIsEditable)
            name.setToolTip(f"来源：{item.source}" if item.source else "")
        name.setData(Qt.ItemDataRole.UserRole, item)
        self.table.setItem(row, 0, name)
        copies = QSpinBox()
        copies.setRange(1, 20)
        copies.setValue(item.copies if item else 1)
        form = QComboBox()
        form.addItems(list(MATERIAL_FORMS))
        if item:
            form.setCurrentText(item.form)
        key = QTableWidgetItem("要件")
        key.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
        key.setCheckState(
            Qt.CheckState.Checked if (item is None or item.is_key) else Qt.CheckState.Unchecked
        )
        if item is not None:
            copies.setEnabled(False)
            form.setEnabled(False)
            key.setFlags(Qt.ItemFlag.NoItemFlags)
        state = QComboBox()
        for value, label in ITEM_STATE_LABELS.items():
            state.addItem(label, value)
        state.setCurrentIndex(state.findData("missing" if item is None else item.state))
        self.table.setCellWidget(row, 1, copies)
        self.table.setCellWidget(row, 2, form)
        self.table.setItem(row, 3, key)
        self.table.setCellWidget(row, 4, state)
        self.table.setItem(row, 5, QTableWidgetItem(item.note if item else ""))

    def set_state(self, row: int, state: str, note: str = "") -> None:
        """Mark one material (used by the officer's clicks and by tests)."""
        combo = self.table.cellWidget(row, 4)
        assert isinstance(combo, QComboBox)
        combo.setCurrentIndex(combo.findData(state))
        note_item = self.table.item(row, 5)
        if note_item is not None:
            note_item.setText(note)

    def items(self) -> tuple[NoticeItemInput, ...]:
        """The table as the officer marked it."""
        out = []
        for row in range(self.table.rowCount()):
            name = self.table.item(row, 0)
            base = name.data(Qt.ItemDataRole.UserRole) if name else None
            copies, form, state = (self.table.cellWidget(row, c) for c in (1, 2, 4))
            assert isinstance(copies, QSpinBox) and isinstance(form, QComboBox)
            assert isinstance(state, QComboBox)
            key = self.table.item(row, 3)
            note = self.table.item(row, 5)
            out.append(
                NoticeItemInput(
                    name=name.text() if name else "",
                    copies=copies.value(),
                    form=form.currentText(),
                    source=base.source if isinstance(base, NoticeItemInput) else "",
                    is_key=bool(key and key.checkState() == Qt.CheckState.Checked),
                    state=str(state.currentData()),
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
            self._issuing = False
            self.issue_button.setEnabled(True)
            return
        self.accept()
