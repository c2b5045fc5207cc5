"""A date field of a filter (yyyy-MM-dd with a calendar popup), and the date it holds."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDateEdit


def date_edit(day: dt.date) -> QDateEdit:
    """A date field showing ``day``, with the calendar popup, from 2000 to 2100."""
    edit = QDateEdit(QDate(day.year, day.month, day.day))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setDateRange(QDate(2000, 1, 1), QDate(2100, 12, 31))
    return edit


def picked(edit: QDateEdit) -> dt.date:
    """The date the field holds."""
    d = edit.date()
    return dt.date(d.year(), d.month(), d.day())
