"""A small form of labelled text fields that calls a service and shows its errors in place."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtGui import QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import ConflictError, StationDeskError
from ui.widgets.char_count import CharCount, PlainTextCount, with_count, with_text_count
from ui.widgets.default_button import make_default
from ui.widgets.field_errors import FieldErrors
from ui.widgets.form_rows import add_field
from ui.widgets.messages import show_error


@dataclass(frozen=True)
class Field:
    """One input: the service's field name, its label, and how it is edited."""

    name: str
    label: str
    multiline: bool = False
    text: str = ""
    placeholder: str = ""
    choices: tuple[tuple[Any, str], ...] = ()
    limit: int = 0
    """The most characters the service takes (app.core.text_limits): counted while typing (12/200),
    and an edit or paste past it refused aloud. 0: no count."""


class TextFormDialog(QDialog):
    """Collects the fields and hands them to ``submit``; closes only when it succeeds."""

    def __init__(
        self,
        title: str,
        intro: str,
        fields: list[Field],
        submit: Callable[[dict[str, Any]], Any],
        ok_text: str = "确定",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(520)
        self._submit = submit
        self.result_value: Any = None
        self.editors: dict[str, QLineEdit | QPlainTextEdit | QComboBox] = {}
        self.counts: dict[str, CharCount | PlainTextCount] = {}
        general = QLabel()
        self.errors = FieldErrors(general)
        form = QFormLayout()
        multiline = False
        for f in fields:
            editor: QLineEdit | QPlainTextEdit | QComboBox
            if f.choices:
                editor = QComboBox()
                for value, label in f.choices:
                    editor.addItem(label, value)
            elif f.multiline:
                editor = QPlainTextEdit(f.text)
                editor.setTabChangesFocus(True)
                editor.setFixedHeight(90)
                editor.setPlaceholderText(f.placeholder)
                # Typing goes on after the prefilled text (e.g. 已办结), not before it.
                editor.moveCursor(QTextCursor.MoveOperation.End)
                multiline = True
            else:
                editor = QLineEdit(f.text)
                editor.setPlaceholderText(f.placeholder)
            self.editors[f.name] = editor
            if f.limit and isinstance(editor, QPlainTextEdit):
                row, self.counts[f.name] = with_text_count(
                    editor, f.limit, f.label, self.errors, f.name
                )
                add_field(form, f.label, row, self.errors, f.name, editor)
            elif f.limit and isinstance(editor, QLineEdit):
                row, self.counts[f.name] = with_count(editor, f.limit, f.label, self.errors, f.name)
                add_field(form, f.label, row, self.errors, f.name, editor)
            else:
                add_field(form, f.label, editor, self.errors, f.name)
        layout = QVBoxLayout(self)
        if intro:
            intro_label = QLabel(intro)
            intro_label.setWordWrap(True)
            intro_label.setObjectName("hint")
            layout.addWidget(intro_label)
        layout.addLayout(form)
        layout.addWidget(general)
        buttons = QDialogButtonBox()
        # Enter in a multi-line box starts a new line; Ctrl+Enter confirms from anywhere.
        self.ok_button = buttons.addButton(
            f"{ok_text}（Ctrl+Enter）" if multiline else ok_text,
            QDialogButtonBox.ButtonRole.AcceptRole,
        )
        make_default(self.ok_button)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self).activated.connect(self.submit)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def values(self) -> dict[str, Any]:
        """Every field's current value."""
        out: dict[str, Any] = {}
        for name, editor in self.editors.items():
            if isinstance(editor, QComboBox):
                out[name] = editor.currentData()
            elif isinstance(editor, QPlainTextEdit):
                out[name] = editor.toPlainText()
            else:
                out[name] = editor.text()
        return out

    def submit(self) -> None:
        """Call the service; show its error at the field, or close on success."""
        try:
            self.result_value = self._submit(self.values())
        except ConflictError as exc:
            # The record changed meanwhile: a retry needs the fresh record, not this form.
            show_error(self, exc.message)
            self.reject()
            return
        except StationDeskError as exc:
            self.errors.show(exc)
            return
        self.accept()
