"""A date typed as an officer says it: 12-7, 12.7, 12月7日, 2026-12-07, 明天, 后天.

A QDateEdit wants its sections filled one by one (Tab or arrow between year, month and day);
typed straight through, "2026-12-07" can land as another date. This field takes the text as
typed, shows the date it understood with its weekday beside it, and says in Chinese when it
cannot read it.
"""

from __future__ import annotations

import datetime as dt
import re

from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QWidget

WEEKDAYS = "一二三四五六日"
_FULL = re.compile(r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?$")
_SHORT = re.compile(r"^(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?$")
_WORDS = {"今天": 0, "明天": 1, "后天": 2}
HINT = "如 12-07、12月7日、2026-12-07 或 明天"
NOT_READ = "日期看不懂，请按“月-日”或“年-月-日”填写，如 12-07。"


def read_date(text: str, today: dt.date) -> dt.date | None:
    """The date ``text`` names (a month and day without a year: the next such day from
    ``today`` on); None if it names none."""
    plain = text.strip().translate(str.maketrans("０１２３４５６７８９－．／", "0123456789-./"))
    if plain in _WORDS:
        return today + dt.timedelta(days=_WORDS[plain])
    try:
        if match := _FULL.match(plain):
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        if match := _SHORT.match(plain):
            month, day = int(match[1]), int(match[2])
            found = dt.date(today.year, month, day)
            if found < today:
                found = dt.date(today.year + 1, month, day)
            return found
    except ValueError:
        return None
    return None


class DateText(QWidget):
    """A line edit for a date, with the date understood (and its weekday) shown beside it."""

    def __init__(self, day: dt.date, today: dt.date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._today = today
        self.edit = QLineEdit(day.isoformat())
        self.edit.setPlaceholderText(HINT)
        self.understood = QLabel()
        self.understood.setObjectName("hint")
        box = QHBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.edit, 1)
        box.addWidget(self.understood)
        self.setFocusProxy(self.edit)
        self.edit.textChanged.connect(self._show)
        self._show()

    def date(self) -> dt.date | None:
        """The date typed, or None when it cannot be read."""
        return read_date(self.edit.text(), self._today)

    def set_date(self, day: dt.date) -> None:
        self.edit.setText(day.isoformat())

    def _show(self) -> None:
        day = self.date()
        self.understood.setText(
            f"{day.month}月{day.day}日 星期{WEEKDAYS[day.weekday()]}" if day else "　" * 8
        )
