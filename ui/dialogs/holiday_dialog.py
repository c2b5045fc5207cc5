"""Enter a run of holidays (放假) or make-up working days (调休上班) from the official notice."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.core import text_limits
from app.core.dto import SessionUser
from app.core.errors import StationDeskError
from app.holidays.service import HolidayService
from ui.widgets.default_button import make_default
from ui.widgets.field_errors import FieldErrors
from ui.widgets.form_rows import add_counted_field, add_field


def date_edit(day: dt.date) -> QDateEdit:
    """A date field with a calendar pop-up, shown as 2027-01-01."""
    edit = QDateEdit(QDate(day.year, day.month, day.day))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setDateRange(QDate(2000, 1, 1), QDate(2100, 12, 31))
    return edit


def to_date(edit: QDateEdit) -> dt.date:
    """The date in a QDateEdit as a Python date."""
    d = edit.date()
    return dt.date(d.year(), d.month(), d.day())


class HolidayDialog(QDialog):
    """From–to dates, kind and name; saved as one override per day."""

    def __init__(
        self,
        holidays: HolidayService,
        user: SessionUser,
        start: dt.date,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._holidays = holidays
        self._user = user
        self.setWindowTitle("录入节假日安排")
        self.setMinimumWidth(420)
        self.first_edit = date_edit(start)
        self.last_edit = date_edit(start)
        self.first_edit.dateChanged.connect(self._on_first_changed)
        self.kind_combo = QComboBox()
        self.kind_combo.addItem("放假（休息日）", False)
        self.kind_combo.addItem("调休上班（工作日）", True)
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("如 春节、国庆节调休")
        general = QLabel()
        self.errors = FieldErrors(general)
        form = QFormLayout()
        add_field(form, "开始日期", self.first_edit, self.errors, "first")
        add_field(form, "结束日期", self.last_edit, self.errors, "last")
        add_field(form, "类型", self.kind_combo, self.errors, "kind")
        self.name_count = add_counted_field(
            form, "名称", self.name_edit, text_limits.HOLIDAY_NAME, self.errors, "name"
        )
        intro = QLabel("请按国务院办公厅当年发布的节假日安排通知逐段录入。")
        intro.setWordWrap(True)
        buttons = QDialogButtonBox()
        make_default(buttons.addButton("保存", QDialogButtonBox.ButtonRole.AcceptRole))
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self._on_save_clicked)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(general)
        layout.addWidget(buttons)

    def _on_first_changed(self, date: QDate) -> None:
        if self.last_edit.date() < date:
            self.last_edit.setDate(date)

    def _on_save_clicked(self) -> None:
        try:
            self._holidays.set_days(
                self._user,
                to_date(self.first_edit),
                to_date(self.last_edit),
                bool(self.kind_combo.currentData()),
                self.name_edit.text(),
            )
        except StationDeskError as exc:
            self.errors.show(exc)
            return
        self.accept()
