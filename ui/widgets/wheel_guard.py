"""The mouse wheel scrolls the page, not the number or choice under the pointer (issue 20).

A spin box, date box or drop-down changes on the wheel only while it has the keyboard focus
(the officer clicked or tabbed into it); otherwise the wheel goes to the page behind it, so
scrolling 本所设置 no longer turns 差评整改期限 from 5 to 3 on the way.

The guard watches those widgets themselves, never the whole application: a Python filter on
the application is handed every object Qt sends an event to, including ones half-built or
half-destroyed, and turning those into Python objects can crash the process.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QWidget

_GUARDED = "stationdesk_wheel_guarded"


class WheelGuard(QObject):
    """Event filter on value widgets: a wheel over an unfocused one passes on to the page."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        wheel = event.type() == QEvent.Type.Wheel
        if wheel and isinstance(watched, QWidget) and not watched.hasFocus():
            # Filtered but not accepted: Qt hands the wheel on to the parents (the page
            # scrolls), as for any widget that does not want it.
            event.ignore()
            return True
        return False


def guard_wheel(root: QWidget) -> None:
    """Guard every spin box, date box and drop-down under ``root`` (again: no harm)."""
    guard = root.findChild(WheelGuard, "wheelGuard")
    if guard is None:
        guard = WheelGuard(root)
        guard.setObjectName("wheelGuard")
    for widget in [*root.findChildren(QAbstractSpinBox), *root.findChildren(QComboBox)]:
        if widget.property(_GUARDED):
            continue
        # Focus by click or Tab only: a wheel turned over it must not give it the focus.
        widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        widget.installEventFilter(guard)
        widget.setProperty(_GUARDED, True)
