"""现场评价's screen: where it shows (the citizen's monitor or this one), 请稍候 while locked."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QBoxLayout, QLabel, QStackedWidget

if TYPE_CHECKING:
    from PySide6.QtWidgets import QDialog

    _Dialog = QDialog
else:
    _Dialog = object

WAIT_TEXT = "请稍候"


class RatingScreenMixin(_Dialog):
    """RatingDialog's placement on a screen, its layout's direction, and the lock's cover."""

    _elsewhere: bool
    _body: QBoxLayout
    _left: QBoxLayout
    _right: QBoxLayout
    pages: QStackedWidget
    wait_page: QLabel
    _before_lock: tuple[int, str] | None

    # ---- placement ----------------------------------------------------------------------

    def place(self) -> None:
        """Full screen on the citizen's monitor if there is one, else fill this screen."""
        parent = self.parentWidget()
        here = parent.screen() if parent is not None else QGuiApplication.primaryScreen()
        others = [s for s in QGuiApplication.screens() if s is not here]
        if others:
            self._elsewhere = True
            self.setScreen(others[0])
            self.setGeometry(others[0].geometry())
            self.showFullScreen()
        elif here is not None:
            self.fit(here.availableGeometry())
            self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)

    def fit(self, area: QRect) -> None:
        """Fill ``area`` (the counter screen without its taskbar, e.g. 1366×728)."""
        self.setGeometry(area)
        self._arrange(area.width())

    def _arrange(self, width: int) -> None:
        outer = self.layout()
        assert outer is not None
        margins = outer.contentsMargins()
        room = width - margins.left() - margins.right()
        needed = (
            self._left.minimumSize().width()
            + self._body.spacing()
            + self._right.minimumSize().width()
        )
        direction = (
            QBoxLayout.Direction.LeftToRight if room >= needed else QBoxLayout.Direction.TopToBottom
        )
        if self._body.direction() != direction:
            self._body.setDirection(direction)

    # ---- the counter locked (ui.lock_cover) ---------------------------------------------

    def cover_for_lock(self) -> None:
        """The counter locked: only 请稍候 on the citizen's screen; what was chosen stays."""
        if self._before_lock is None:
            self._before_lock = (self.pages.currentIndex(), self.windowTitle())
        self.pages.setCurrentWidget(self.wait_page)
        self.setWindowTitle(WAIT_TEXT)

    def uncover_after_lock(self) -> None:
        """The same officer is back: the screen as the citizen left it."""
        if self._before_lock is None:
            return
        index, title = self._before_lock
        self._before_lock = None
        if self.pages.currentWidget() is self.wait_page:
            self.pages.setCurrentIndex(index)
        self.setWindowTitle(title)
