"""Shows a service's validation message next to the field it concerns."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from app.errors import StationDeskError


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
        """Show the message at its field (or in the general label) and focus the field."""
        self.clear()
        key = error.field or ""
        target = self._fields.get(key) or self._fields.get(key.split(".")[0])
        if target is None:
            self._general.setText(error.message)
            self._general.show()
            return
        widget, label = target
        label.setText(error.message)
        label.show()
        widget.setProperty("invalid", True)
        widget.style().polish(widget)
        widget.setFocus()

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
