"""The mouse wheel scrolls the page, not the number or choice under the pointer (issue 20).

A spin box, date box or drop-down changes on the wheel only while it has the keyboard focus
(the officer clicked or tabbed into it); otherwise the wheel goes to the page behind it, so
scrolling 本所设置 no longer turns 差评整改期限 from 5 to 3 on the way.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox


class WheelGuard(QObject):
    """Application-wide event filter: wheel events on unfocused value widgets pass on."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not isinstance(watched, (QAbstractSpinBox, QComboBox)):
            return False
        if event.type() == QEvent.Type.Polish:
            # Focus by click or Tab only: a wheel turned over it must not give it the focus.
            watched.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        elif event.type() == QEvent.Type.Wheel and not watched.hasFocus():
            # Filtered but not accepted: Qt hands the wheel on to the parents (the page
            # scrolls) as for any widget that does not want it.
            event.ignore()
            return True
        return False


def install_wheel_guard(app: QApplication) -> WheelGuard:
    """Install the guard on ``app`` (once); it lives as long as the application."""
    guard = WheelGuard(app)
    app.installEventFilter(guard)
    return guard
