"""Dialogs that fit the counter's screen (1366×768, about 1366×728 above the taskbar).

``fit_to_screen`` gives a dialog the size it asks for, never more than the free area of its
parent's screen (the window manager's frame included), and keeps it on that screen when it is
shown. Long content goes into ``scrolling`` so that it scrolls while the buttons, laid out
outside it, stay visible. ``grow_to_content`` lets a dialog grow when a message appears
instead of squashing its fields.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFrame, QLayout, QScrollArea, QWidget

# Room for the title bar and the frame, which the window manager adds outside the dialog.
FRAME = QSize(16, 40)


def available_area(widget: QWidget) -> QRect:
    """The part of the screen ``widget`` (or its parent) is on that task bars leave free."""
    anchor = widget.parentWidget() or widget
    screen = anchor.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def room(widget: QWidget) -> QSize:
    """The largest size a top-level window's contents can have on that screen."""
    area = available_area(widget)
    return QSize(max(area.width() - FRAME.width(), 200), max(area.height() - FRAME.height(), 150))


def fit_to_screen(dialog: QWidget, width: int, height: int) -> QSize:
    """Resize ``dialog`` to ``width``×``height``, clamped to the screen's free area.

    The dialog is also kept on the screen when it is shown (its frame inside the free area).
    Returns the size given.
    """
    free = room(dialog)
    size = QSize(min(width, free.width()), min(height, free.height()))
    dialog.resize(size)
    if dialog.findChild(_KeepOnScreen) is None:
        dialog.installEventFilter(_KeepOnScreen(dialog))
    return size


def fit_to_content(dialog: QWidget, min_width: int = 0) -> QSize:
    """Size ``dialog`` to what its layout asks for (word-wrapped text included), on screen."""
    layout = dialog.layout()
    if layout is not None:
        layout.activate()
    width = max(dialog.sizeHint().width(), dialog.width() if dialog.isVisible() else 0, min_width)
    width = min(width, room(dialog).width())
    return fit_to_screen(dialog, width, _height_for(dialog, width))


def grow_to_content(dialog: QWidget) -> QSize:
    """Grow (never shrink) ``dialog`` to fit its content now, e.g. after a message appeared."""
    layout = dialog.layout()
    if layout is not None:
        layout.activate()
    needed = _height_for(dialog, dialog.width())
    if needed <= dialog.height():
        # It fits as it is: a dialog that placed itself (the rating screen fills the counter
        # screen) keeps its geometry, not the free area's clamp.
        return dialog.size()
    height = min(needed, max(room(dialog).height(), dialog.height()))
    dialog.resize(dialog.width(), height)
    if dialog.isVisible():
        keep_on_screen(dialog)  # grown past the bottom of the screen: moved up
    return dialog.size()


def _height_for(dialog: QWidget, width: int) -> int:
    layout = dialog.layout()
    hint = dialog.sizeHint().height()
    if layout is not None and layout.hasHeightForWidth():
        return max(hint, layout.totalHeightForWidth(width))
    return hint


class ContentScroll(QScrollArea):
    """A frameless scroll area that asks for its content's whole height.

    So a dialog grows with its content up to the screen's height, and only then scrolls.
    """

    def sizeHint(self) -> QSize:
        content = self.widget()
        if content is None:
            return super().sizeHint()
        hint = content.sizeHint()
        width = self.viewport().width() if self.isVisible() else hint.width()
        height = hint.height()
        if content.hasHeightForWidth():
            height = max(height, content.heightForWidth(width))
        frame = 2 * self.frameWidth()
        bar = self.verticalScrollBar().sizeHint().width()
        return QSize(hint.width() + frame + bar, height + frame)

    def minimumSizeHint(self) -> QSize:
        content = self.widget()
        wanted = content.minimumSizeHint() if content is not None else QSize(0, 0)
        # Wide enough for the fields, at least a few lines high; the rest scrolls.
        return QSize(wanted.width() + self.verticalScrollBar().sizeHint().width(), 80)


def show_focus(area: QScrollArea) -> None:
    """Scroll ``area`` to the widget that has the focus (e.g. a field with an error)."""
    focus = area.window().focusWidget()
    content = area.widget()
    if focus is not None and content is not None and content.isAncestorOf(focus):
        area.ensureWidgetVisible(focus)


def scrolling(content: QWidget | QLayout) -> ContentScroll:
    """``content`` in a frameless scroll area (vertical scrolling, horizontal if needed)."""
    if isinstance(content, QLayout):
        holder = QWidget()
        holder.setLayout(content)
        content = holder
    area = ContentScroll()
    area.setObjectName("screenFit")
    content.setObjectName("screenFitBody")
    # The dialog's own background shows through (no grey band behind the fields).
    area.setStyleSheet(
        "QScrollArea#screenFit, QScrollArea#screenFit > QWidget, QWidget#screenFitBody"
        " { background: transparent; }"
    )
    area.setWidget(content)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    return area


def keep_on_screen(window: QWidget) -> None:
    """Move ``window`` so that it lies (frame included) inside its screen's free area."""
    area = available_area(window)
    frame = window.frameGeometry()
    # Before the window manager has framed the window, reckon with a typical frame.
    width = max(frame.width(), window.width() + FRAME.width())
    height = max(frame.height(), window.height() + FRAME.height())
    x = min(max(frame.x(), area.x()), max(area.x(), area.right() - width + 1))
    y = min(max(frame.y(), area.y()), max(area.y(), area.bottom() - height + 1))
    if (x, y) != (frame.x(), frame.y()):
        window.move(x, y)


class _KeepOnScreen(QObject):
    """Keeps its dialog on the screen each time it is shown."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show and isinstance(watched, QWidget):
            keep_on_screen(watched)
        return False
