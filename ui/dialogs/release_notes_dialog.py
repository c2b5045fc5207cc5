"""更新说明: what changed, shown once after the first login of a new version, and again from
帮助 → 更新说明 (app.station.release_notes keeps the notes and what this PC has shown).

By keyboard: the focus is on 知道了, Enter or Esc closes, Page Up/Down and the arrows scroll
the notes; Tab reaches the text for selecting (the backup's path can be copied).
"""

from __future__ import annotations

import html
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut, QTextOption
from PySide6.QtWidgets import (
    QAbstractSlider,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import StationDeskError
from app.station.release_notes import (
    Announcement,
    ReleaseNote,
    announced,
    current_version,
    load_notes,
    pending,
)
from ui.widgets.messages import show_error
from ui.widgets.screen_fit import fit_to_screen

if TYPE_CHECKING:
    from ui.main_window import MainWindow

logger = logging.getLogger(__name__)

AGAIN_HINT = "以后可在“帮助 → 更新说明”中再看。"
# The dialog's size in lines of text at the officer's 字号 (clamped to the screen's free area).
WIDTH_CHARS = 50
HEIGHT_LINES = 36


def notes_html(notes: tuple[ReleaseNote, ...], announcement: Announcement | None = None) -> str:
    """The notes (newest first), after the announcement's opening sentence if there is one."""
    parts: list[str] = []
    if announcement is not None:
        if announcement.backup is not None:
            parts.append(f"<p><b>{html.escape(announcement.backup_line())}</b></p>")
        if announcement.notes:
            parts.append("<p>本次更新的主要变化：</p>")
    for note in notes:
        parts.append(f"<h3>{html.escape(note.heading())}</h3><ul>")
        parts.extend(f"<li>{html.escape(item)}</li>" for item in note.items)
        parts.append("</ul>")
    return "".join(parts)


class ReleaseNotesDialog(QDialog):
    """The notes, or a start's announcement (upgrade, backup) with the notes since the last."""

    def __init__(
        self,
        notes: tuple[ReleaseNote, ...],
        parent: QWidget,
        announcement: Announcement | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("更新说明")
        if announcement is None:
            heading = f"派出所窗口服务台账更新说明（当前版本 {current_version()}）"
        else:
            heading = announcement.headline()
        self.title = QLabel(heading)
        self.title.setObjectName("dialogTitle")
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        # A path has no spaces: it breaks anywhere rather than running off the side.
        self.browser.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.browser.setHtml(notes_html(notes, announcement))
        self.hint = QLabel(AGAIN_HINT if announcement is not None else "")
        self.hint.setWordWrap(True)
        self.hint.setVisible(announcement is not None)
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton("知道了", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.browser, 1)
        layout.addWidget(self.hint)
        layout.addWidget(buttons)
        self._scroll_keys()
        metrics = self.fontMetrics()
        fit_to_screen(
            self,
            metrics.horizontalAdvance("汉") * WIDTH_CHARS,
            metrics.lineSpacing() * HEIGHT_LINES,
        )
        self.ok_button.setFocus()

    def _scroll_keys(self) -> None:
        """Page Up/Down and the arrows scroll the notes while the focus is on 知道了."""
        bar = self.browser.verticalScrollBar()
        steps = {
            Qt.Key.Key_PageUp: QAbstractSlider.SliderAction.SliderPageStepSub,
            Qt.Key.Key_PageDown: QAbstractSlider.SliderAction.SliderPageStepAdd,
            Qt.Key.Key_Up: QAbstractSlider.SliderAction.SliderSingleStepSub,
            Qt.Key.Key_Down: QAbstractSlider.SliderAction.SliderSingleStepAdd,
        }
        for key, action in steps.items():
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda a=action: bar.triggerAction(a))


def show_release_notes(parent: QWidget) -> None:
    """帮助 → 更新说明: every version's notes."""
    try:
        notes = load_notes()
    except StationDeskError as exc:
        show_error(parent, exc.message, "更新说明")
        return
    ReleaseNotesDialog(notes, parent).exec()


def announce_upgrade(parent: QWidget, backup: Path | None) -> bool:
    """The first start of a new version (or a start that migrated the database) says so,
    once on this PC; True if it did. Nothing in here stops the start."""
    try:
        announcement = pending(backup)
    except StationDeskError as exc:
        logger.warning("release notes: %s", exc.message)
        return False
    if announcement is None:
        return False
    ReleaseNotesDialog(announcement.notes, parent, announcement).exec()
    announced(announcement)
    return True


def welcome_after_start(window: MainWindow, backup: Path | None) -> None:
    """After the main window is shown: 更新说明 when due, then 新手入门 when due (one after
    the other, never two dialogs at once)."""
    announce_upgrade(window, backup)
    window.offer_tour()
