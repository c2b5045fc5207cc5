"""A whole year's holidays at once: paste the State Council's notice or pick dates on a calendar."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from PySide6.QtCore import QDate, QEvent, QLocale, QObject, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeyEvent, QPainter, QTextCharFormat
from PySide6.QtWidgets import (
    QCalendarWidget,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core import text_limits
from app.core.dto import SessionUser
from app.core.errors import StationDeskError
from app.core.workdays import ScheduleDay
from app.holidays.notice import ParsedNotice, parse_notice
from app.holidays.service import HolidayService
from ui.widgets.char_count import CharCount
from ui.widgets.messages import confirm
from ui.widgets.screen_fit import fit_to_screen

WEEKDAYS = "一二三四五六日"
HOLIDAY_NAMES = ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")
HOLIDAY_COLOURS = (QColor("#f6d2ce"), QColor("#9c1c13"))  # background, text
WORKDAY_COLOURS = (QColor("#ffe6a8"), QColor("#6b4100"))
# The selected date must not look like a marked one: a strong blue with white text.
CALENDAR_STYLE = (
    "QTableView { selection-background-color: #1d3a6e; selection-color: #ffffff; }"
    "#qt_calendar_navigationbar QToolButton { color: #ffffff; font-weight: bold; }"
)
MARKS = {False: "休", True: "班"}
LEGEND = (
    "图例：红底标“休”＝放假；黄底标“班”＝调休上班；深蓝＝选中的日期；"
    "白底＝正常（周一至周五上班，周六周日休息）。"
)
Mode = Literal["notice", "calendar"]


def qdate(day: dt.date) -> QDate:
    """A Python date as a QDate."""
    return QDate(day.year, day.month, day.day)


def pydate(date: QDate) -> dt.date:
    """A QDate as a Python date."""
    return dt.date(date.year(), date.month(), date.day())


def describe_runs(days: list[ScheduleDay], year: int) -> list[str]:
    """Consecutive days of the same kind and name as one line each, in words."""
    lines: list[str] = []
    run: list[ScheduleDay] = []
    for entry in sorted(days, key=lambda d: d.day):
        if run and (
            entry.day - run[-1].day != dt.timedelta(days=1)
            or (entry.is_workday, entry.name) != (run[-1].is_workday, run[-1].name)
        ):
            lines.append(_run_text(run, year))
            run = []
        run.append(entry)
    if run:
        lines.append(_run_text(run, year))
    return lines


def _run_text(run: list[ScheduleDay], year: int) -> str:
    kind = "调休上班" if run[0].is_workday else "放假"
    first, last = run[0].day, run[-1].day
    span = _day_text(first, year)
    if last != first:
        span += f"至{_day_text(last, year)}，共{len(run)}天"
    return f"【{kind}】{run[0].name}：{span}"


def _day_text(day: dt.date, year: int | None = None) -> str:
    shown = "" if day.year == year else f"{day.year}年"
    return f"{shown}{day.month}月{day.day}日（星期{WEEKDAYS[day.weekday()]}）"


class ScheduleCalendar(QCalendarWidget):
    """A month calendar that colours holidays and make-up working days and marks them 休/班.

    When editable, a click, Enter or the space bar on a date asks to cycle it
    (正常 → 放假 → 调休上班 → 正常) through ``cycle_requested``.
    """

    cycle_requested = Signal(QDate)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._kinds: dict[dt.date, bool] = {}
        self.editable = False
        self.setLocale(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
        self.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        self.setGridVisible(True)
        self.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        self.setMinimumSize(400, 280)
        self.setStyleSheet(CALENDAR_STYLE)
        # Weekends are not special in the legend, so they keep the normal text colour.
        plain = QTextCharFormat()
        plain.setForeground(QBrush(QColor("#1f2328")))
        for weekday in (Qt.DayOfWeek.Saturday, Qt.DayOfWeek.Sunday):
            self.setWeekdayTextFormat(weekday, plain)
        self.clicked.connect(self._on_clicked)
        self.view = self.findChild(QTableView, "qt_calendar_calendarview")
        if self.view is not None:
            self.view.installEventFilter(self)

    def show_days(self, days: list[ScheduleDay]) -> None:
        """Colour exactly ``days``; every other date is plain again."""
        self.setDateTextFormat(QDate(), QTextCharFormat())  # a null date clears them all
        self._kinds = {d.day: d.is_workday for d in days}
        for entry in days:
            background, text = WORKDAY_COLOURS if entry.is_workday else HOLIDAY_COLOURS
            fmt = QTextCharFormat()
            fmt.setBackground(QBrush(background))
            fmt.setForeground(QBrush(text))
            fmt.setFontWeight(QFont.Weight.Bold)
            self.setDateTextFormat(qdate(entry.day), fmt)
        self.updateCells()

    def paintCell(self, painter: QPainter, rect: QRect, date: QDate) -> None:
        """The date as usual, plus 休 or 班 in its corner so colour is not the only sign."""
        super().paintCell(painter, rect, date)
        kind = self._kinds.get(pydate(date)) if date.isValid() else None
        if kind is None:
            return
        painter.save()
        font = QFont(painter.font())
        font.setPointSizeF(max(6.0, font.pointSizeF() * 0.75))
        painter.setFont(font)
        if date == self.selectedDate():
            painter.setPen(QColor("#ffffff"))
        else:
            painter.setPen(WORKDAY_COLOURS[1] if kind else HOLIDAY_COLOURS[1])
        painter.drawText(
            rect.adjusted(2, 1, -3, -1),
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop),
            MARKS[kind],
        )
        painter.restore()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Enter or space on the selected date cycles it (arrow keys move as usual)."""
        if (
            self.editable
            and watched is self.view
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space)
        ):
            self.cycle_requested.emit(self.selectedDate())
            return True
        return super().eventFilter(watched, event)

    def _on_clicked(self, date: QDate) -> None:
        if self.editable:
            self.cycle_requested.emit(date)


class HolidayYearDialog(QDialog):
    """Enter a year's schedule and confirm the year in one save.

    ``mode="notice"``: paste the notice, check what was read on the list and the calendar.
    ``mode="calendar"``: click dates of ``year`` to mark them 放假 or 调休上班.
    """

    def __init__(
        self,
        holidays: HolidayService,
        user: SessionUser,
        mode: Mode,
        year: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._holidays = holidays
        self._user = user
        self._mode = mode
        self._year = year
        self._title = ""
        self._days: dict[dt.date, ScheduleDay] = {}
        self._coverage = holidays.coverage()
        self.saved = False

        self.calendar = ScheduleCalendar()
        self.calendar.cycle_requested.connect(self._on_cycle)
        self.calendar.selectionChanged.connect(self._show_selected)
        self.selected_label = QLabel()
        self.selected_label.setObjectName("hint")
        legend = QLabel(LEGEND)
        legend.setWordWrap(True)
        legend.setObjectName("hint")
        self.day_list = QListWidget()
        self.day_list.setMinimumWidth(300)
        self.day_list.setWordWrap(True)
        self.day_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.year_label = QLabel()
        self.year_label.setObjectName("dialogTitle")
        self.year_label.setWordWrap(True)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.save_button = QPushButton("保存并确认该年(&S)")
        # Enter while picking dates or typing a name must not save half a year: in calendar
        # mode no button answers Enter, saving takes the button or Alt+S.
        self.save_button.setDefault(mode == "notice")
        self.save_button.clicked.connect(self._on_save_clicked)
        self.cancel_button = QPushButton("取消")
        self.cancel_button.clicked.connect(self.reject)

        right = QVBoxLayout()
        right.addWidget(self.calendar)
        right.addWidget(self.selected_label)
        right.addWidget(legend)
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary_label, 1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.cancel_button)
        body = QHBoxLayout()
        layout = QVBoxLayout(self)
        layout.addWidget(self.year_label)
        if mode == "notice":
            self._build_notice(body)
            right.addWidget(QLabel("识别结果"))
            right.addWidget(self.day_list, 1)
        else:
            self._build_calendar(layout)
        body.addLayout(right, 1 if mode == "notice" else 0)
        if mode == "calendar":
            lists = QVBoxLayout()
            lists.addWidget(QLabel("本年已选日期"))
            lists.addWidget(self.day_list, 1)
            body.addLayout(lists, 1)
        layout.addLayout(body, 1)
        layout.addWidget(self.status_label)
        layout.addLayout(buttons)
        if mode == "calendar":
            for button in (self.save_button, self.cancel_button):
                button.setAutoDefault(False)
        fit_to_screen(self, 1040 if mode == "notice" else 860, 660)
        self._refresh()

    # --- paste the notice ---------------------------------------------------------------

    def _build_notice(self, body: QHBoxLayout) -> None:
        self.setWindowTitle("粘贴国务院办公厅通知")
        intro = QLabel(
            "在中国政府网打开“国务院办公厅关于某年部分节假日安排的通知”，"
            "全选复制后粘贴到下面（连同标题），系统自动识别放假和调休上班的日期。"
            "请对照右侧日历核对，再点“保存并确认该年”。"
        )
        intro.setWordWrap(True)
        self.text_edit = QPlainTextEdit()
        self.text_edit.setPlaceholderText(
            "例如：\n国务院办公厅关于2027年部分节假日安排的通知\n……\n"
            "一、元旦：1月1日（周五）至3日（周日）放假，共3天。\n……"
        )
        self.text_edit.setTabChangesFocus(True)
        self.parse_button = QPushButton("识别(&R)")
        self.parse_button.clicked.connect(self.parse_now)
        self._parse_timer = QTimer(self)
        self._parse_timer.setSingleShot(True)
        self._parse_timer.setInterval(400)
        self._parse_timer.timeout.connect(self.parse_now)
        self.text_edit.textChanged.connect(self._parse_timer.start)
        text_label = QLabel("通知全文(&T)")
        text_label.setBuddy(self.text_edit)
        left = QVBoxLayout()
        left.addWidget(intro)
        left.addWidget(text_label)
        left.addWidget(self.text_edit, 1)
        row = QHBoxLayout()
        row.addWidget(self.parse_button)
        row.addStretch(1)
        left.addLayout(row)
        body.addLayout(left, 1)
        self.text_edit.setFocus()

    def parse_now(self) -> None:
        """Read the pasted text now and show the result (or the line it could not read)."""
        self._parse_timer.stop()
        text = self.text_edit.toPlainText()
        self._days = {}
        self._title = ""
        if not text.strip():
            self._show_status("", error=False)
            self._refresh()
            return
        try:
            notice = parse_notice(text)
        except StationDeskError as exc:
            self._show_status(exc.message, error=True)
            self._refresh()
            return
        self._take_notice(notice)

    def _take_notice(self, notice: ParsedNotice) -> None:
        self._year = notice.year
        self._title = notice.title
        self._days = {d.day: d for d in notice.days}
        issued = notice.issued
        text = f"已识别{notice.year}年的安排"
        if issued is not None:
            text += f"（{issued.year}年{issued.month}月{issued.day}日发布）"
        text += "。"
        if self._coverage.builtin(notice.year):
            text += f"{notice.year}年的安排内置日历已经收录，无需保存，以下仅供核对。"
        else:
            text += "请对照日历核对后保存。"
        self._show_status(text, error=False)
        self.calendar.setCurrentPage(notice.year, notice.days[0].day.month)
        self._refresh()

    # --- pick dates on a calendar ---------------------------------------------------------

    def _build_calendar(self, layout: QVBoxLayout) -> None:
        self.setWindowTitle(f"在日历上选择{self._year}年节假日")
        intro = QLabel(
            "点击日期，或用方向键选中日期后按回车键或空格键，在“正常 → 放假 → 调休上班 → 正常”"
            "之间切换。新标记的日期使用下面的节日名称，调休上班自动加“调休”二字。"
        )
        intro.setWordWrap(True)
        self.name_combo = QComboBox()
        self.name_combo.setEditable(True)
        self.name_combo.addItems(HOLIDAY_NAMES)
        line_edit = self.name_combo.lineEdit()
        assert line_edit is not None  # an editable combo box has one
        line_edit.returnPressed.connect(self.calendar.setFocus)
        # The service takes HOLIDAY_NAME characters: a longer name is refused as it is typed
        # or pasted, never cut when a day is marked.
        self.name_count = CharCount(line_edit, text_limits.HOLIDAY_NAME, "节日名称")
        self.name_count.refused.connect(lambda message: self._show_status(message, error=True))
        name_label = QLabel("节日名称(&N)")
        name_label.setBuddy(self.name_combo)
        row = QHBoxLayout()
        row.addWidget(name_label)
        row.addWidget(self.name_combo)
        row.addWidget(self.name_count.label)
        row.addStretch(1)
        layout.addWidget(intro)
        layout.addLayout(row)
        self.calendar.editable = True
        self.calendar.setDateRange(QDate(self._year, 1, 1), QDate(self._year, 12, 31))
        self.calendar.setSelectedDate(QDate(self._year, 1, 1))
        self._days = {
            r.day: ScheduleDay(r.day, r.is_workday, r.name)
            for r in self._holidays.list_overrides(self._year)
        }
        self.calendar.setFocus()

    def _on_cycle(self, date: QDate) -> None:
        day = pydate(date)
        current = self._days.get(day)
        name = self.name_combo.currentText().strip()
        if current is None:
            if not name:
                self._show_status("请先填写节日名称，如 春节。", error=True)
                return
            if len(name) > text_limits.HOLIDAY_NAME:
                self._show_status(
                    f"节日名称最多 {text_limits.HOLIDAY_NAME} 个字（现有 {len(name)} 个），"
                    "请删减后再标记。",
                    error=True,
                )
                return
            self._days[day] = ScheduleDay(day, False, name)
        elif not current.is_workday:
            base = current.name
            label = base if base.endswith("调休") else base + "调休"
            if len(label) > text_limits.HOLIDAY_NAME:
                # Too long with 调休 added: the day keeps its name whole, marked as a working
                # day all the same, and the officer is told.
                self._days[day] = ScheduleDay(day, True, base)
                self._show_status(
                    f"“{base}”加上“调休”二字会超过 {text_limits.HOLIDAY_NAME} 个字，"
                    "这一天沿用原名称，已标为调休上班。",
                    error=False,
                )
                self._refresh()
                return
            self._days[day] = ScheduleDay(day, True, label)
        else:
            del self._days[day]
        self._show_status("", error=False)
        self._refresh()

    # --- shared -------------------------------------------------------------------------

    @property
    def year(self) -> int:
        """The year the dialog enters (read from the notice in notice mode)."""
        return self._year

    def days(self) -> list[ScheduleDay]:
        """The schedule as it stands in the dialog, by date."""
        return [self._days[d] for d in sorted(self._days)]

    def _refresh(self) -> None:
        days = self.days()
        self.calendar.show_days(days)
        self.day_list.clear()
        self.day_list.addItems(describe_runs(days, self._year))
        holidays = sum(not d.is_workday for d in days)
        workdays = len(days) - holidays
        year_known = self._mode == "calendar" or bool(days)
        self.year_label.setText(f"{self._year}年节假日安排" if year_known else "节假日安排")
        self.summary_label.setText(
            f"共 {holidays} 天放假、{workdays} 天调休上班。" if days else "尚未识别出任何日期。"
        )
        builtin = self._coverage.builtin(self._year)
        self.save_button.setEnabled(holidays > 0 and not builtin)
        self._show_selected()

    def _show_selected(self) -> None:
        day = pydate(self.calendar.selectedDate())
        entry = self._days.get(day)
        if entry is None:
            state = "正常（周末休息）" if day.weekday() >= 5 else "正常（上班）"
        else:
            state = ("调休上班" if entry.is_workday else "放假") + f"·{entry.name}"
        self.selected_label.setText(f"选中：{day.year}年{_day_text(day, day.year)}　{state}")

    def _show_status(self, text: str, *, error: bool) -> None:
        self.status_label.setObjectName("fieldError" if error else "hint")
        self.status_label.style().unpolish(self.status_label)
        self.status_label.style().polish(self.status_label)
        self.status_label.setText(text)
        self.status_label.setVisible(bool(text))

    def _on_save_clicked(self) -> None:
        days = self.days()
        dropped = [
            r.day for r in self._holidays.list_overrides(self._year) if r.day not in self._days
        ]
        if dropped:
            listed = "、".join(f"{d.month}月{d.day}日" for d in dropped[:5])
            more = f"等 {len(dropped)} 天" if len(dropped) > 5 else ""
            if not confirm(
                self,
                f"本所此前录入的 {listed}{more} 不在这份安排中，保存后将删除。继续保存吗？",
                yes="保存",
            ):
                return
        try:
            self._holidays.save_year(self._user, self._year, days, self._mode, self._title)
        except StationDeskError as exc:
            self._show_status(exc.message, error=True)
            return
        self.saved = True
        self.accept()
