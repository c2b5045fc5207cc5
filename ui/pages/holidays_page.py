"""节假日设置: which years the calendar knows, the station's entries, and a deadline calculator."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core.dto import SessionUser
from app.core.errors import StationDeskError
from app.core.roles import Permission, allows
from app.holidays.dto import HolidayRow
from app.holidays.service import HolidayService
from ui.dialogs.holiday_dialog import HolidayDialog, date_edit, to_date
from ui.dialogs.holiday_year_dialog import HolidayYearDialog
from ui.models.filter_proxy_model import FilterProxyModel
from ui.models.row_table_model import Column, RowTableModel
from ui.widgets.messages import confirm, show_error
from ui.widgets.tables import make_table

WEEKDAYS = "一二三四五六日"

COLUMNS: list[Column[HolidayRow]] = [
    Column("日期", lambda r: r.day.isoformat(), lambda r: r.day),
    Column("星期", lambda r: "星期" + WEEKDAYS[r.day.weekday()], lambda r: r.day.weekday(), True),
    Column("类型", lambda r: "调休上班" if r.is_workday else "放假", align_center=True),
    Column("名称", lambda r: r.name),
    Column("来源", lambda r: "本所录入" if r.station_entered else "内置日历", align_center=True),
]


class HolidaysPage(QWidget):
    """Everyone may look and calculate; the administrator enters the year's schedule."""

    calendar_changed = Signal()  # a year was entered, confirmed or changed

    def __init__(
        self,
        holidays: HolidayService,
        user: SessionUser,
        today: dt.date,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._holidays = holidays
        self._user = user
        self._today = today
        can_edit = allows(user.role, Permission.EDIT_HOLIDAYS)

        self.warning_label = QLabel()
        self.warning_label.setWordWrap(True)
        self.warning_label.setObjectName("warningBanner")
        self.coverage_label = QLabel()
        self.coverage_label.setWordWrap(True)
        self.coverage_label.setObjectName("banner")
        self.year_combo = QComboBox()
        self.year_combo.currentIndexChanged.connect(self._load_rows)
        self.model: RowTableModel[HolidayRow] = RowTableModel(COLUMNS)
        self.proxy = FilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.table = make_table(self.proxy, stretch_column=3, multi_select=True)
        self.empty_label = QLabel("该年度尚无节假日安排：期限按周一至周五计算。")
        self.empty_label.setObjectName("hint")

        self.paste_button = QPushButton("粘贴国务院通知(&V)…")
        self.paste_button.setToolTip("粘贴国务院办公厅节假日安排通知全文，自动识别后一次保存并确认")
        self.paste_button.clicked.connect(self.open_notice_dialog)
        self.pick_button = QPushButton("在日历上选择(&C)…")
        self.pick_button.setToolTip("在日历上逐日标记放假和调休上班，保存并确认该年")
        self.pick_button.clicked.connect(self.open_calendar_dialog)
        self.add_button = QPushButton("录入放假/调休")
        self.remove_button = QPushButton("删除所选")
        self.confirm_button = QPushButton("确认本年度已录入完整")
        self.confirm_button.clicked.connect(self._on_confirm_clicked)
        self._can_edit = can_edit
        self._coverage = holidays.coverage()
        self.add_button.clicked.connect(self._on_add_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        for button in (self.paste_button, self.add_button, self.remove_button):
            button.setVisible(can_edit)

        calc = QGroupBox("办理期限试算")
        self.calc_start = date_edit(today)
        self.calc_days = QSpinBox()
        self.calc_days.setRange(1, 365)
        self.calc_days.setValue(20)
        self.calc_days.setSuffix(" 个工作日")
        self.calc_result = QLabel()
        self.calc_result.setWordWrap(True)
        for signal in (self.calc_start.dateChanged, self.calc_days.valueChanged):
            signal.connect(self._on_calc_changed)
        calc_box = QHBoxLayout(calc)
        calc_box.addWidget(QLabel("受理日"))
        calc_box.addWidget(self.calc_start)
        calc_box.addWidget(QLabel("加"))
        calc_box.addWidget(self.calc_days)
        calc_box.addWidget(self.calc_result, 1)

        top = QHBoxLayout()
        top.addWidget(QLabel("年度"))
        top.addWidget(self.year_combo)
        top.addStretch(1)
        top.addWidget(self.confirm_button)
        top.addWidget(self.paste_button)
        top.addWidget(self.pick_button)
        top.addWidget(self.add_button)
        top.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.warning_label)
        layout.addWidget(self.coverage_label)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_label)
        layout.addWidget(calc)
        self.reload()

    def reload(self) -> None:
        """Refresh coverage, the year list and the calculator."""
        cov = self._holidays.coverage()
        this_year = self._today.year
        missing = [y for y in (this_year, this_year + 1) if not cov.knows(y)]
        warning = self._holidays.calendar_warning(self._user, self._today)
        self.warning_label.setText(warning)
        self.warning_label.setVisible(bool(warning))
        text = (
            f"内置日历已收录 {cov.library_first_year}–{cov.builtin_last_year} 年"
            "的法定节假日和调休安排。"
        )
        if cov.confirmed_years:
            text += "本所已补录并确认：" + "、".join(f"{y}年" for y in cov.confirmed_years) + "。"
        if missing and not warning:  # the warning above already says it
            text += (
                "尚缺 " + "、".join(f"{y}年" for y in missing) + " 的完整安排：期限暂按周一至周五"
                "计算。国务院办公厅发布通知后，可点“粘贴国务院通知…”一次录入并确认。"
            )
        self._coverage = cov
        self.coverage_label.setText(text)
        years = sorted(
            {this_year - 1, this_year, this_year + 1, *cov.override_years, *cov.confirmed_years}
        )
        selected = self.year_combo.currentData() or this_year
        self.year_combo.blockSignals(True)
        self.year_combo.clear()
        for y in years:
            self.year_combo.addItem(f"{y}年", y)
        self.year_combo.setCurrentIndex(max(0, self.year_combo.findData(selected)))
        self.year_combo.blockSignals(False)
        self._load_rows()
        self._on_calc_changed()

    def _load_rows(self) -> None:
        year = self.year_combo.currentData()
        rows = self._holidays.list_year(int(year)) if year else []
        self.model.set_rows(rows)
        cov = self._coverage
        in_library = bool(year) and cov.builtin(int(year))
        self.confirm_button.setVisible(self._can_edit and bool(year) and not in_library)
        self.pick_button.setVisible(self._can_edit and bool(year) and not in_library)
        confirmed = bool(year) and int(year) in cov.confirmed_years
        self.confirm_button.setText("撤销确认" if confirmed else "确认本年度已录入完整")
        self.empty_label.setVisible(not rows)

    def _on_calc_changed(self) -> None:
        start = to_date(self.calc_start)
        result = self._holidays.calendar().add_working_days(start, self.calc_days.value())
        text = f"期限届满日：{result.due.isoformat()}（星期{WEEKDAYS[result.due.weekday()]}）"
        if result.warning:
            text += f"\n{result.warning}"
        self.calc_result.setText(text)

    def _on_confirm_clicked(self) -> None:
        year = int(self.year_combo.currentData())
        confirmed = year in self._coverage.confirmed_years
        question = (
            f"撤销对{year}年安排的确认吗？撤销后该年期限重新按周一至周五估算并提示。"
            if confirmed
            else f"确认{year}年的全部放假和调休安排都已按国务院办公厅通知录入？"
            "确认后该年期限按所录安排计算，不再提示。"
        )
        if not confirm(self, question, yes="撤销确认" if confirmed else "确认"):
            return
        try:
            self._holidays.set_year_confirmed(self._user, year, not confirmed)
        except StationDeskError as exc:
            show_error(self, exc.message)
        self._changed()

    def open_notice_dialog(self) -> None:
        """粘贴国务院通知…: read the pasted notice, then save and confirm its year."""
        dialog = HolidayYearDialog(self._holidays, self._user, "notice", self._today.year, self)
        if dialog.exec():
            self._changed(select_year=dialog.year)

    def open_calendar_dialog(self) -> None:
        """在日历上选择…: mark the selected year's days by hand, then save and confirm it."""
        year = int(self.year_combo.currentData() or self._today.year)
        dialog = HolidayYearDialog(self._holidays, self._user, "calendar", year, self)
        if dialog.exec():
            self._changed(select_year=year)

    def _changed(self, select_year: int | None = None) -> None:
        self.reload()
        if select_year is not None and self.year_combo.findData(select_year) >= 0:
            self.year_combo.setCurrentIndex(self.year_combo.findData(select_year))
        self.calendar_changed.emit()

    def _on_add_clicked(self) -> None:
        year = int(self.year_combo.currentData() or self._today.year)
        start = self._today if year == self._today.year else dt.date(year, 1, 1)
        if HolidayDialog(self._holidays, self._user, start, self).exec():
            self._changed()

    def _on_remove_clicked(self) -> None:
        indexes = self.table.selectionModel().selectedRows()
        rows = [self.model.row_at(self.proxy.mapToSource(i).row()) for i in indexes]
        rows = [r for r in rows if r.station_entered]
        if not rows:
            show_error(self, "请选择本所录入的日期；内置日历的安排不能删除，可录入新的安排覆盖。")
            return
        days = "、".join(r.day.isoformat() for r in rows[:5]) + ("等" if len(rows) > 5 else "")
        if not confirm(self, f"确定删除 {days} 共 {len(rows)} 天的录入吗？", yes="删除"):
            return
        try:
            self._holidays.remove_days(self._user, [r.day for r in rows])
        except StationDeskError as exc:
            show_error(self, exc.message)
        self._changed()
