"""一次性告知: mark what is missing, the citizen signs, the notice is issued and printed."""

from __future__ import annotations

import datetime as dt
from itertools import pairwise
from typing import NamedTuple

from PySide6.QtCore import QDate, QEvent, QObject, Qt
from PySide6.QtGui import QCloseEvent, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from app.core import text_limits
from app.core.dto import SessionUser
from app.core.errors import StationDeskError, ValidationError
from app.notices.dto import NewNotice, NoticeDetail, NoticeDraft, SignatureInput
from app.notices.service import NoticeService
from app.printing.fonts import glyph_warning
from ui.dialogs._notice_table import (
    COLUMNS,
    NOTE_COLUMN,
    STATE_COLUMN,
    STATE_KEYS,
    NoticeTableMixin,
    StateDelegate,
)
from ui.widgets.char_count import count_cells, with_count
from ui.widgets.field_errors import FieldErrors
from ui.widgets.messages import confirm
from ui.widgets.rare_char_picker import install_rare_char_picker
from ui.widgets.screen_fit import fit_to_screen, scrolling, show_focus
from ui.widgets.signature_pad import SignaturePad

KEYS_HINT = (
    "材料表中：↑↓ 选择材料，按 1 已提供　2 需补交　3 需更正（随即填写说明）；"
    "Tab 离开表格。群众签字后按 Ctrl+Enter 出具。"
)


class _Messages(NamedTuple):
    """The message under each part of the form, and the signer fields with their counts."""

    general: QLabel
    items: QLabel
    pledge: QLabel
    deadline: QLabel
    signature: QLabel
    signer_box: QWidget
    declined_box: QWidget


class NoticeDialog(NoticeTableMixin, QDialog):
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

        # Built in this order: Qt's Tab order and the focus chain follow it.
        intro = self._build_header(draft)
        self._build_table(draft)
        limit = self._build_deadline(draft)
        self._build_signing(draft)
        messages = self._build_messages()
        sign_box = self._build_sign_box(messages)
        deadline_row = self._build_deadline_row(limit)
        buttons = self._build_buttons()
        self._build_layout(intro, deadline_row, sign_box, messages, buttons)
        self._set_tab_order()
        self._untouched = self.new_notice(with_signature=False)
        fit_to_screen(self, 900, self.sizeHint().height())

    def _build_header(self, draft: NoticeDraft) -> QLabel:
        """The matter and its time limit, the glyph warning, the keys; returns the intro."""
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
        return intro

    def _build_table(self, draft: NoticeDraft) -> None:
        """The material table, filled from the checklist, and 添加本人特有的材料."""
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        state_header = self.table.horizontalHeaderItem(STATE_COLUMN)
        if state_header is not None:
            state_header.setToolTip("按 1 已提供 / 2 需补交 / 3 需更正；双击可选择")
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.setItemDelegateForColumn(STATE_COLUMN, StateDelegate(self.table))
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

    def _build_deadline(self, draft: NoticeDraft) -> QLabel:
        """补正期限 and 容缺受理; returns the line that says how late the deadline may be."""
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
        return limit

    def _build_signing(self, draft: NoticeDraft) -> None:
        """The signer, the pad with 清除 / 撤销一笔, and 群众拒绝签字 with its note."""
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

    def _build_messages(self) -> _Messages:
        """``errors`` with a message under each part; the counted table cells and fields."""
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
        return _Messages(
            general,
            items_error,
            pledge_error,
            deadline_error,
            signature_error,
            signer_box,
            declined_box,
        )

    def _build_sign_box(self, messages: _Messages) -> QGroupBox:
        """群众签字: the signer's row over the pad and its message."""
        sign_box = QGroupBox("群众签字（签字确认上述告知内容）")
        sign_layout = QVBoxLayout(sign_box)
        sign_layout.setSpacing(4)
        signer_row = QHBoxLayout()
        signer_row.addWidget(QLabel("签字人"))
        signer_row.addWidget(messages.signer_box)
        signer_row.addWidget(self.clear_button)
        signer_row.addWidget(self.undo_button)
        signer_row.addSpacing(16)
        signer_row.addWidget(self.declined_check)
        signer_row.addWidget(messages.declined_box, 1)
        sign_layout.addLayout(signer_row)
        sign_layout.addWidget(self.pad)
        sign_layout.addWidget(messages.signature)
        return sign_box

    def _build_deadline_row(self, limit: QLabel) -> QHBoxLayout:
        """The deadline, how late it may be, and 添加本人特有的材料 on one row."""
        deadline_row = QHBoxLayout()
        deadline_row.addWidget(self.deadline_check)
        deadline_row.addWidget(self.deadline_edit)
        deadline_row.addWidget(limit, 1)
        deadline_row.addWidget(self.add_button)
        return deadline_row

    def _build_buttons(self) -> QDialogButtonBox:
        """出具 (its text follows 容缺受理) and 取消; Ctrl+Enter issues."""
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
        return buttons

    def _build_layout(
        self,
        intro: QLabel,
        deadline_row: QHBoxLayout,
        sign_box: QGroupBox,
        messages: _Messages,
        buttons: QDialogButtonBox,
    ) -> None:
        """Everything but the buttons scrolls when the screen is short."""
        body = QVBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.addWidget(intro)
        body.addWidget(self.glyph_label)
        body.addWidget(self.keys_hint)
        body.addWidget(self.table)
        body.addWidget(messages.items)
        body.addLayout(deadline_row)
        body.addWidget(messages.deadline)
        body.addWidget(self.pledge_check)
        body.addWidget(messages.pledge)
        body.addWidget(sign_box)
        body.addStretch(1)
        self.body = scrolling(body)
        layout = QVBoxLayout(self)
        layout.addWidget(self.body, 1)
        layout.addWidget(messages.general)
        layout.addWidget(buttons)

    def _set_tab_order(self) -> None:
        """Tab: the table, the deadline, the pledge, the signer, the buttons."""
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

    def _issue_text(self) -> str:
        what = "出具承诺书" if self.pledge_check.isChecked() else "出具告知单"
        return f"{what}（Ctrl+Enter）"

    # ---- the items table (the rows: NoticeTableMixin) ---------------------------------

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
