"""While the counter is locked, every other window of the program shows nothing of its content.

Open dialogs are covered, not hidden or closed: hiding a dialog that runs in ``exec()`` ends
its event loop as if the officer had cancelled it, and the registration form or the notice
with what was typed and signed would be gone. A cover is an opaque child laid over the whole
dialog (and its window title replaced), so the dialog, its loop and its data stay as they are
under it; the lock's own login dialog, opened last and modal, takes all input meanwhile.
After the same officer unlocks, the covers go and every dialog is as it was.

A window may cover itself in its own way by having ``cover_for_lock()`` and
``uncover_after_lock()`` (the citizen's rating screen shows a neutral 请稍候 there).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QToolTip, QVBoxLayout, QWidget

COVER_TEXT = "本机已锁定"
COVER_HINT = "原民警解锁后，本窗口及其中已填写的内容原样恢复。"
LOCKED_TITLE = "已锁定"


@runtime_checkable
class CoversItself(Protocol):
    """A window that hides its own content while the counter is locked."""

    def cover_for_lock(self) -> None: ...

    def uncover_after_lock(self) -> None: ...


class LockCover(QWidget):
    """An opaque panel over the whole of one window, following its size.

    It keeps no Python reference to its window: the last one, dropped while the cover's C++
    side is being deleted, could delete the window and the cover with it a second time.
    """

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("lockCover")
        self.setAutoFillBackground(True)
        label = QLabel(COVER_TEXT, self)
        label.setObjectName("lockCoverText")
        label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        font = label.font()
        font.setBold(True)
        if font.pointSizeF() > 0:
            font.setPointSizeF(font.pointSizeF() * 1.3)
        label.setFont(font)
        hint = QLabel(COVER_HINT, self)
        hint.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        hint.setWordWrap(True)
        # At the top: the lock's login dialog sits over the middle of the screen.
        box = QVBoxLayout(self)
        box.setContentsMargins(16, 24, 16, 16)
        box.addWidget(label)
        box.addWidget(hint)
        box.addStretch(1)
        self._title = window.windowTitle()
        window.setWindowTitle(LOCKED_TITLE)
        window.installEventFilter(self)
        self.setGeometry(window.rect())
        self.raise_()
        self.show()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Stay the size of the window, and on top of anything it adds."""
        if event.type() in (QEvent.Type.Resize, QEvent.Type.ChildAdded):
            window = self.parentWidget()
            if window is not None:
                self.setGeometry(window.rect())
                self.raise_()
        return False

    def remove(self) -> None:
        """Give the window back its content and its title."""
        window = self.parentWidget()
        if window is not None:
            window.removeEventFilter(self)
            window.setWindowTitle(self._title)
        self.hide()
        self.deleteLater()


def _windows_to_cover(keep: list[QWidget]) -> list[QWidget]:
    """The program's visible top-level windows other than ``keep``."""
    found = []
    for widget in QApplication.topLevelWidgets():
        if widget in keep or not widget.isVisible() or not widget.isWindow():
            continue
        kind = widget.windowType()
        if kind in (Qt.WindowType.Popup, Qt.WindowType.ToolTip, Qt.WindowType.SplashScreen):
            continue
        found.append(widget)
    return found


def close_popups() -> None:
    """Menus, completer lists and tooltips go (they would show over the lock)."""
    for _ in range(10):
        popup = QApplication.activePopupWidget()
        if popup is None:
            break
        popup.close()
    QToolTip.hideText()


def cover_windows(keep: list[QWidget]) -> list[Callable[[], None]]:
    """Cover every other visible window; returns what gives each one back."""
    close_popups()
    undo: list[Callable[[], None]] = []
    for window in _windows_to_cover(keep):
        if isinstance(window, CoversItself):
            window.cover_for_lock()
            undo.append(_alive(window, window.uncover_after_lock))
        else:
            cover = LockCover(window)
            undo.append(_alive(cover, cover.remove))
    return undo


def _alive(owner: QObject, action: Callable[[], None]) -> Callable[[], None]:
    """``action``, skipped if ``owner`` was deleted meanwhile (a dialog closed itself)."""

    def run() -> None:
        if shiboken6.isValid(owner):
            action()

    return run


def close_windows(keep: list[QWidget]) -> None:
    """Close every other window at once, unsaved input discarded and nothing asked.

    Dialogs end with ``done(Rejected)``: their ``exec()`` returns as if cancelled, without
    the "discard what you typed?" question their ``reject()`` or close box may ask.
    """
    close_popups()
    for window in _windows_to_cover(keep):
        if isinstance(window, QDialog):
            window.done(QDialog.DialogCode.Rejected)
        else:
            window.close()
