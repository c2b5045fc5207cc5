"""登记回访结果: the outcome of one call or home visit and, when reached, the citizen's rating."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.callbacks.service import CallbackRow, CallbackService
from app.core import text_limits
from app.core.dto import SessionUser
from app.core.errors import ConflictError, StationDeskError
from app.ratings.service import RatingInput
from ui.widgets.char_count import with_text_count
from ui.widgets.field_errors import FieldErrors
from ui.widgets.form_keys import confirm_with_keys
from ui.widgets.level_chooser import LevelChooser


class CallbackAttemptDialog(QDialog):
    """One attempt: 接通 / 无人接听 / 号码错误 / 拒绝回访 (home: 见到本人 …), a note, the rating."""

    def __init__(
        self,
        callbacks: CallbackService,
        user: SessionUser,
        row: CallbackRow,
        dimensions: tuple[str, ...],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setProperty("help_key", "callback_attempt")  # F1: resources/help/callback_attempt.html
        self._callbacks = callbacks
        self._user = user
        self._row = row
        self.saved: CallbackRow | None = None
        self.setWindowTitle(f"登记{row.kind_label}结果")
        self.setMinimumWidth(620)

        head, outcome_box = self._build_outcomes()
        general = self._build_rating(dimensions)
        note_row, note_error, outcome_error = self._build_note(outcome_box)
        buttons = self._build_buttons()
        self._lay_out(head, outcome_box, outcome_error, note_row, note_error, general, buttons)
        self._sync()

    def _build_outcomes(self) -> tuple[QLabel, QWidget]:
        """The matter and citizen on top, and one radio button per outcome (in their box)."""
        row = self._row
        head = QLabel(
            f"{row.visit_serial}　{row.matter}　群众：{row.citizen_name}　电话：{row.phone_masked}"
            f"\n办理民警：{row.handled_by}　第 {len(row.attempts) + 1} 次{row.kind_label}"
        )
        head.setWordWrap(True)
        self.outcomes = QButtonGroup(self)
        outcome_row = QHBoxLayout()
        self.outcome_buttons: dict[str, QRadioButton] = {}
        for key, label in row.outcome_labels.items():
            button = QRadioButton(label)
            self.outcomes.addButton(button)
            self.outcome_buttons[key] = button
            outcome_row.addWidget(button)
            button.toggled.connect(self._sync)
        outcome_row.addStretch(1)
        outcome_box = QWidget()
        outcome_box.setLayout(outcome_row)
        return head, outcome_box

    def _build_rating(self, dimensions: tuple[str, ...]) -> QLabel:
        """The citizen's rating: overall, each dimension, 不愿评价 and the comment; returns the
        label for messages that belong to no field."""
        general = QLabel()
        general.setObjectName("error")
        self.errors = FieldErrors(general)
        self.rating_box = QGroupBox("群众评价（请如实记录群众原话对应的等级，不作引导）")
        grid = QGridLayout(self.rating_box)
        grid.setColumnStretch(1, 1)
        self.overall = LevelChooser()
        grid.addWidget(QLabel("总体评价"), 0, 0)
        grid.addWidget(self.overall, 0, 1)
        grid.addWidget(self.errors.add("overall", self.overall), 1, 1)
        self.dimensions: dict[str, LevelChooser] = {}
        line = 2
        for name in dimensions:
            chooser = LevelChooser()
            self.dimensions[name] = chooser
            grid.addWidget(QLabel(name), line, 0)
            grid.addWidget(chooser, line, 1)
            grid.addWidget(self.errors.add(f"dimension.{name}", chooser), line + 1, 1)
            line += 2
        self.declined = QCheckBox("群众不愿评价")
        self.declined.toggled.connect(self._sync)
        grid.addWidget(self.declined, line, 1)
        self.comment = QPlainTextEdit()
        self.comment.setPlaceholderText("群众的意见建议（可不填）")
        self.comment.setFixedHeight(56)
        grid.addWidget(QLabel("意见建议"), line + 1, 0)
        comment_error = self.errors.add("comment", self.comment)
        comment_row, self.comment_count = with_text_count(
            self.comment, text_limits.NOTE, "意见建议", self.errors, "comment"
        )
        grid.addWidget(comment_row, line + 1, 1)
        grid.addWidget(comment_error, line + 2, 1)
        return general

    def _build_note(self, outcome_box: QWidget) -> tuple[QWidget, QLabel, QLabel]:
        """The callback's note with its count and message, and the outcome's message."""
        self.note = QPlainTextEdit()
        self.note.setPlaceholderText("回访记录（如：本人接听，对办理结果满意）")
        self.note.setFixedHeight(56)
        note_error = self.errors.add("note", self.note)
        note_row, self.note_count = with_text_count(
            self.note, text_limits.NOTE, "回访记录", self.errors, "note"
        )
        outcome_error = self.errors.add("outcome", outcome_box)
        return note_row, note_error, outcome_error

    def _build_buttons(self) -> QDialogButtonBox:
        """保存 and 取消; Ctrl+Enter saves from the text boxes too."""
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton("保存", QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.clicked.connect(self.submit)
        cancel.clicked.connect(self.reject)
        confirm_with_keys(self, self.submit, self.save_button, self.comment, self.note)
        return buttons

    def _lay_out(
        self,
        head: QLabel,
        outcome_box: QWidget,
        outcome_error: QLabel,
        note_row: QWidget,
        note_error: QLabel,
        general: QLabel,
        buttons: QDialogButtonBox,
    ) -> None:
        """Top to bottom: the matter, the outcome, the rating, the note, messages, buttons."""
        layout = QVBoxLayout(self)
        layout.addWidget(head)
        layout.addWidget(QLabel("回访结果"))
        layout.addWidget(outcome_box)
        layout.addWidget(outcome_error)
        layout.addWidget(self.rating_box)
        layout.addWidget(QLabel("回访记录"))
        layout.addWidget(note_row)
        layout.addWidget(note_error)
        layout.addWidget(general)
        layout.addWidget(buttons)

    def _sync(self) -> None:
        reached = self.outcome_buttons["reached"].isChecked()
        self.rating_box.setEnabled(reached)
        for chooser in [self.overall, *self.dimensions.values()]:
            chooser.setEnabled(reached and not self.declined.isChecked())

    def outcome(self) -> str:
        """The chosen outcome key, or ''."""
        return next((k for k, b in self.outcome_buttons.items() if b.isChecked()), "")

    def submit(self) -> None:
        """Save through the service; errors stay in the dialog."""
        outcome = self.outcome()
        rating = None
        if outcome == "reached":
            rating = RatingInput(
                overall=self.overall.level(),
                dimensions=tuple((n, c.level()) for n, c in self.dimensions.items()),
                comment=self.comment.toPlainText(),
                declined=self.declined.isChecked(),
            )
        try:
            self.saved = self._callbacks.log_attempt(
                self._user,
                self._row.id,
                self._row.row_version,
                outcome,
                self.note.toPlainText(),
                rating,
            )
        except ConflictError as exc:
            self.errors.show(exc)
            self.save_button.setEnabled(False)  # stale: close, the list reloads
            return
        except StationDeskError as exc:
            self.errors.show(exc)
            return
        self.accept()
