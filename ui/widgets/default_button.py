"""The button Enter presses in a dialog, kept after Tab has passed over the others.

QPushButton.setDefault(True) makes a button the dialog's *main* default only when the button
already sits in the dialog. Called before the button box is added to the dialog's layout (the
usual way to build a form), it marks the button but leaves the dialog without a main default;
the first button Tab then reaches (取消) takes that place for good, and Enter in a field
afterwards cancels the form. ``make_default`` marks the button now and again once the dialog
is shown, when the button is surely inside it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QDialog, QPushButton


class _OnShow(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show and isinstance(watched, QPushButton):
            watched.removeEventFilter(self)
            if isinstance(watched.window(), QDialog):
                # setDefault(True) on a button already marked does nothing: unmark it first.
                watched.setDefault(False)
                watched.setDefault(True)
            self.deleteLater()
        return False


def make_default(button: QPushButton) -> QPushButton:
    """Make ``button`` the one Enter presses in its dialog, from now and after Tab."""
    button.setDefault(True)
    if not isinstance(button.window(), QDialog):
        button.installEventFilter(_OnShow(button))
    return button
