"""Form building helpers: a field with its error label underneath, in one cell."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

from ui.widgets.char_count import CharCount, PlainTextCount, with_count, with_text_count
from ui.widgets.field_errors import FieldErrors


def add_field(
    form: QFormLayout,
    label: str,
    widget: QWidget,
    errors: FieldErrors,
    field: str,
    editor: QWidget | None = None,
) -> QWidget:
    """Add ``label: widget`` to ``form`` with ``field``'s error message shown under the widget.

    ``editor`` is the input inside ``widget`` when ``widget`` is a row around it (a field
    with its character count): the one marked, focused and named by the label.
    """
    cell = QWidget()
    box = QVBoxLayout(cell)
    box.setContentsMargins(0, 0, 0, 0)
    box.setSpacing(2)
    box.addWidget(widget)
    box.addWidget(errors.add(field, editor or widget))
    caption = QLabel(label)
    caption.setBuddy(editor or widget)
    form.addRow(caption, cell)
    return cell


def add_counted_field(
    form: QFormLayout,
    label: str,
    edit: QLineEdit | QPlainTextEdit,
    limit: int,
    errors: FieldErrors,
    field: str,
) -> CharCount | PlainTextCount:
    """``add_field`` for a limited text field: its count beside it (12/200), and an edit or
    paste past ``limit`` refused under it. Returns the count."""
    count: CharCount | PlainTextCount
    if isinstance(edit, QPlainTextEdit):
        row, count = with_text_count(edit, limit, label, errors, field)
    else:
        row, count = with_count(edit, limit, label, errors, field)
    add_field(form, label, row, errors, field, edit)
    return count
