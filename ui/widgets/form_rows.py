"""Form building helpers: a field with its error label underneath, in one cell."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

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
