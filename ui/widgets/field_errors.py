"""Shows a service's validation message next to the field it concerns."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QLabel, QWidget

from app.core.errors import StationDeskError, ValidationErrors
from ui.widgets.screen_fit import grow_to_content


class FieldErrors:
    """Maps service field names to their widgets and a red message label under each."""

    def __init__(self, general: QLabel) -> None:
        self._fields: dict[str, tuple[QWidget, QLabel]] = {}
        self._general = general
        self._prepare(general)

    @staticmethod
    def _prepare(label: QLabel) -> None:
        label.setObjectName("fieldError")
        label.setWordWrap(True)
        label.hide()

    def add(self, field: str, widget: QWidget) -> QLabel:
        """Register ``widget`` as the editor of ``field``; returns the label to lay out under it."""
        label = QLabel()
        self._prepare(label)
        self._fields[field] = (widget, label)
        return label

    def clear(self) -> None:
        """Hide every message and unmark the fields."""
        for widget, label in self._fields.values():
            label.hide()
            label.clear()
            widget.setProperty("invalid", False)
            widget.style().polish(widget)
        self._general.hide()
        self._general.clear()

    def show(self, error: StationDeskError) -> None:
        """Show the message at its field (or in the general label) and focus the field.

        Several fields wrong at once (ValidationErrors): every message at its field, all at
        once, and the cursor in the first of them.
        """
        self.clear()
        errors = error.errors if isinstance(error, ValidationErrors) else (error,)
        first: QWidget | None = None
        for one in errors:
            widget = self.show_at(one.field or "", one.message)
            if first is None and widget is not None:
                first = widget
        if first is not None:
            first.setFocus()

    def show_at(self, field: str, message: str) -> QWidget | None:
        """Add ``message`` at ``field`` (or to the general label), leaving other messages;
        returns the field's widget, marked invalid (None for the general label)."""
        target = self._fields.get(field) or self._fields.get(field.split(".")[0])
        if target is None:
            shown = self._general.text()
            self._general.setText(f"{shown}\n{message}" if shown else message)
            self._general.show()
            self._make_room(self._general)
            return None
        widget, label = target
        shown = "" if label.isHidden() else label.text()
        label.setText(f"{shown}\n{message}" if shown and message not in shown else message)
        label.show()
        widget.setProperty("invalid", True)
        widget.style().polish(widget)
        self._make_room(label)
        return widget

    @staticmethod
    def _make_room(label: QLabel) -> None:
        """A dialog grows (within the screen) to hold the message: the layout alone left a
        dialog its height, squeezing a two-line message and pushing the buttons out of it."""
        window = label.window()
        if isinstance(window, QDialog) and window.isVisible():
            grow_to_content(window)

    def clear_at(self, field: str) -> None:
        """Hide ``field``'s message and unmark it."""
        target = self._fields.get(field)
        if target is None:
            return
        widget, label = target
        label.hide()
        label.clear()
        widget.setProperty("invalid", False)
        widget.style().polish(widget)

    def message_of(self, field: str) -> str:
        """The message shown at ``field`` (tests and accessibility)."""
        target = self._fields.get(field)
        if target is None:
            return self._general.text() if field == "" else ""
        return "" if target[1].isHidden() else target[1].text()

    @property
    def general_message(self) -> str:
        """The message not tied to a field."""
        return self._general.text()
