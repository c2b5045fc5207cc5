"""The five 好差评 levels as one row of buttons, none chosen until the citizen taps one.

The small form serves the officer's dialogs (phone callbacks); the large form
(``large=True``) is the citizen's touch screen: 24 px text, buttons at least 60 px tall.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QPushButton, QSizePolicy, QWidget

from app.ratings.service import LEVELS

LARGE_TEXT_PX = 24
LARGE_HEIGHT_PX = 60  # the content box; with the 2 px border a button is 64 px tall


class LevelChooser(QWidget):
    """非常满意 … 非常不满意, exclusive, with no preselection (the officer may not nudge)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None, large: bool = False) -> None:
        super().__init__(parent)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        box = QHBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        self.buttons: dict[int, QPushButton] = {}
        for level in sorted(LEVELS, reverse=True):
            button = QPushButton(LEVELS[level])
            button.setCheckable(True)
            button.setAutoDefault(False)
            button.setObjectName("levelButton")
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            if large:
                button.setMinimumHeight(LARGE_HEIGHT_PX + 4)
            self.group.addButton(button, level)
            self.buttons[level] = button
            box.addWidget(button)
        self.group.idClicked.connect(lambda _id: self.changed.emit())
        # The same neutral look for every level; only the chosen one stands out.
        sheet = (
            "QPushButton#levelButton:checked {"
            " background: #0b57d0; color: white; border: 1px solid #0b57d0; font-weight: bold; }"
        )
        if large:
            box.setSpacing(8)
            # Room for 非常不满意 (5 characters) so no level is ever cut; bold when chosen
            # does not widen it, CJK glyphs keep their width.
            sheet = (
                f"QPushButton#levelButton {{ font-size: {LARGE_TEXT_PX}px;"
                f" min-height: {LARGE_HEIGHT_PX}px; min-width: {5 * LARGE_TEXT_PX}px;"
                " padding: 0px 6px;"
                " border: 2px solid #9aa5b4; border-radius: 6px; background: #ffffff; }"
                "QPushButton#levelButton:hover:!checked { background: #e9eef7; }"
                "QPushButton#levelButton:checked {"
                " background: #0b57d0; color: white; border: 2px solid #0b57d0;"
                " font-weight: bold; }"
            )
        self.setStyleSheet(sheet)

    def level(self) -> int | None:
        """The chosen level, or None."""
        chosen = self.group.checkedId()
        return chosen if chosen in LEVELS else None

    def choose(self, level: int) -> None:
        """Pick a level (as a tap would)."""
        self.buttons[level].click()

    def reset(self) -> None:
        """Back to nothing chosen."""
        self.group.setExclusive(False)
        for button in self.buttons.values():
            button.setChecked(False)
        self.group.setExclusive(True)
