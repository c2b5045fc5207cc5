"""Enter on a focused button presses it, on the pages as in dialogs (issue 20).

Outside a dialog a QPushButton answers Space only: an officer who tabbed to 审核签字… and
pressed Enter saw nothing happen. Making the buttons auto-default would change how styles
draw them; a filter on each page's buttons presses the focused one on Enter instead. It
watches those buttons only, never the application (see ui.widgets.wheel_guard).
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QPushButton, QWidget

_WATCHED = "stationdesk_enter_clicks"
_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class EnterClicks(QObject):
    """Event filter on buttons: plain Enter on an enabled, focused button clicks it."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in _ENTER
            and event.modifiers()
            in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)
            and isinstance(watched, QPushButton)
            and watched.isEnabled()
            and not event.isAutoRepeat()
        ):
            watched.click()
            return True
        return False


def enter_clicks(root: QWidget, buttons: Iterable[QPushButton] = ()) -> None:
    """Let Enter press every button under ``root`` (again: no harm), and ``buttons`` that
    are not yet under it (a pane that lays its buttons out only when a record is shown)."""
    keys = root.findChild(EnterClicks, "enterClicks")
    if keys is None:
        keys = EnterClicks(root)
        keys.setObjectName("enterClicks")
    for button in [*root.findChildren(QPushButton), *buttons]:
        if button.property(_WATCHED):
            continue
        button.installEventFilter(keys)
        button.setProperty(_WATCHED, True)


def first_open(steps: list[QPushButton]) -> QPushButton | None:
    """The first of ``steps`` on show and enabled (the step a record is at)."""
    return next((b for b in steps if b.isVisible() and b.isEnabled()), None)


def focus_next_step(steps: list[QPushButton], fallback: QWidget) -> None:
    """After an action: the focus on the first step now open (Enter takes it), else on
    ``fallback`` (the list), never left on a button the action just disabled."""
    (first_open(steps) or fallback).setFocus()


def press_first_open(steps: list[QPushButton]) -> None:
    """Enter on a row: press the first step the row allows (nothing when none is open)."""
    target = first_open(steps)
    if target is not None:
        target.click()
