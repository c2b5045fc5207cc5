"""Holidays page wiring: enter an unknown year's days, confirm the year, the warning goes."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox

from app.core import text_limits
from app.core.dto import SessionUser
from app.core.roles import Role
from app.core.workdays import LIBRARY_LAST_YEAR
from app.services import Services
from tests.app.holidays.test_holiday_notice import NOTICE_2026
from tests.app.holidays.test_holiday_year import SAMPLE_2027, needs_unknown_2027
from ui.dialogs.holiday_dialog import HolidayDialog
from ui.dialogs.holiday_year_dialog import HolidayYearDialog
from ui.pages.holidays_page import HolidaysPage

YEAR = 2030  # beyond what the pinned chinesecalendar knows


def test_entering_and_confirming_an_unknown_year(
    qtbot, qtmodeltester, monkeypatch: pytest.MonkeyPatch, services: Services, chief: SessionUser
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(QMessageBox, "exec", lambda self: QMessageBox.StandardButton.Yes)
    page = HolidaysPage(services.holidays, chief, dt.date(YEAR, 1, 2))
    qtbot.addWidget(page)
    assert page.warning_label.text().startswith(f"{YEAR}年节假日安排尚未录入并确认")
    assert page.warning_label.isVisibleTo(page)
    page.calc_start.setDate(QDate(YEAR, 2, 1))
    assert "尚未录入完整" in page.calc_result.text()

    dialog = HolidayDialog(services.holidays, chief, dt.date(YEAR, 2, 4), page)
    qtbot.addWidget(dialog)
    dialog.last_edit.setDate(QDate(YEAR, 2, 8))
    dialog.name_edit.setText("春节")
    dialog._on_save_clicked()
    assert dialog.result() == HolidayDialog.DialogCode.Accepted
    page.reload()
    qtmodeltester.check(page.model)
    assert [r.day.day for r in page.model.rows()] == [4, 5, 6, 7, 8]
    assert page.confirm_button.isVisibleTo(page)

    page.confirm_button.click()
    assert not page.warning_label.isVisibleTo(page)
    assert f"尚缺 {YEAR}年" not in page.coverage_label.text()
    assert "尚未录入完整" not in page.calc_result.text()
    assert page.confirm_button.text() == "撤销确认"


def test_a_window_officer_sees_no_warning_and_no_entry_buttons(
    qtbot, services: Services, make_officer
) -> None:  # type: ignore[no-untyped-def]
    officer = make_officer(Role.WINDOW)
    page = HolidaysPage(services.holidays, officer, dt.date(LIBRARY_LAST_YEAR, 12, 2))
    qtbot.addWidget(page)

    assert not page.warning_label.isVisibleTo(page)
    assert f"尚缺 {LIBRARY_LAST_YEAR + 1}年" in page.coverage_label.text()
    assert not page.paste_button.isVisibleTo(page)
    assert not page.pick_button.isVisibleTo(page)


@needs_unknown_2027
def test_pasting_the_notice_saves_and_confirms_the_year(
    qtbot, monkeypatch: pytest.MonkeyPatch, services: Services, chief: SessionUser
) -> None:  # type: ignore[no-untyped-def]
    page = HolidaysPage(services.holidays, chief, dt.date(2026, 12, 2))
    qtbot.addWidget(page)
    assert page.warning_label.text().startswith("2027年节假日安排尚未录入并确认")
    seen: dict[str, object] = {}

    def paste_and_save(dialog: HolidayYearDialog) -> int:
        qtbot.addWidget(dialog)
        assert dialog.height() <= 700 and dialog.minimumSizeHint().height() <= 700
        assert not dialog.save_button.isEnabled()
        dialog.text_edit.setPlainText(SAMPLE_2027)
        qtbot.waitUntil(dialog.save_button.isEnabled)  # read on the fly
        seen["list"] = [dialog.day_list.item(i).text() for i in range(dialog.day_list.count())]
        seen["summary"] = dialog.summary_label.text()
        dialog.save_button.click()
        return int(dialog.result())

    monkeypatch.setattr(HolidayYearDialog, "exec", paste_and_save)
    with qtbot.waitSignal(page.calendar_changed):
        page.paste_button.click()

    assert seen["list"] == [
        "【放假】元旦：1月1日（星期五）至1月3日（星期日），共3天",
        "【放假】春节：2月5日（星期五）至2月11日（星期四），共7天",
        "【调休上班】春节调休：2月20日（星期六）",
    ]
    assert seen["summary"] == "共 10 天放假、1 天调休上班。"
    assert len(services.holidays.list_overrides(2027)) == 11
    assert services.holidays.coverage().confirmed_years == (2027,)
    assert not services.holidays.calendar().is_workday(dt.date(2027, 1, 1))
    assert not page.warning_label.isVisibleTo(page)
    assert page.year_combo.currentData() == 2027
    assert page.model.rowCount() == 11
    assert page.confirm_button.text() == "撤销确认"


def test_a_line_the_dialog_cannot_read_is_shown_and_nothing_is_saved(
    qtbot, services: Services, chief: SessionUser
) -> None:  # type: ignore[no-untyped-def]
    dialog = HolidayYearDialog(services.holidays, chief, "notice", 2026)
    qtbot.addWidget(dialog)

    dialog.text_edit.setPlainText(NOTICE_2026.replace("共9天", "共8天"))
    dialog.parse_button.click()

    assert dialog.status_label.text().startswith("第9行：春节写“共8天”")
    assert not dialog.save_button.isEnabled()
    dialog.text_edit.setPlainText(NOTICE_2026)
    dialog.parse_button.click()
    assert "内置日历已经收录" in dialog.status_label.text()  # 2026: shown, not saved
    assert not dialog.save_button.isEnabled()
    assert dialog.day_list.count() == 13


def test_picking_dates_on_the_calendar_by_keyboard_and_mouse(
    qtbot, monkeypatch: pytest.MonkeyPatch, services: Services, chief: SessionUser
) -> None:  # type: ignore[no-untyped-def]
    asked: list[str] = []

    def answer_yes(box: QMessageBox) -> QMessageBox.StandardButton:
        asked.append(box.text())
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "exec", answer_yes)
    services.holidays.set_days(chief, dt.date(YEAR, 3, 2), dt.date(YEAR, 3, 2), False, "本所")
    dialog = HolidayYearDialog(services.holidays, chief, "calendar", YEAR)
    qtbot.addWidget(dialog)
    assert dialog.height() <= 700
    assert [d.day for d in dialog.days()] == [dt.date(YEAR, 3, 2)]  # earlier entries shown
    view = dialog.calendar.view
    assert view is not None
    line_edit = dialog.name_combo.lineEdit()
    assert line_edit is not None
    dialog.show()
    qtbot.keyClick(line_edit, Qt.Key.Key_Return)  # Enter in the name saves nothing
    assert dialog.result() == 0 and not dialog.saved
    dialog.calendar.setSelectedDate(QDate(YEAR, 1, 1))

    qtbot.keyClick(view, Qt.Key.Key_Return)  # 正常 → 放假
    qtbot.keyClick(view, Qt.Key.Key_Right)
    qtbot.keyClick(view, Qt.Key.Key_Space)
    dialog.calendar.setSelectedDate(QDate(YEAR, 1, 5))  # a Saturday
    qtbot.keyClick(view, Qt.Key.Key_Space)  # → 放假
    qtbot.keyClick(view, Qt.Key.Key_Space)  # → 调休上班
    dialog.calendar.clicked.emit(QDate(YEAR, 3, 2))  # 放假 → 调休上班
    dialog.calendar.clicked.emit(QDate(YEAR, 3, 2))  # → 正常

    assert [(d.day, d.is_workday, d.name) for d in dialog.days()] == [
        (dt.date(YEAR, 1, 1), False, "元旦"),
        (dt.date(YEAR, 1, 2), False, "元旦"),
        (dt.date(YEAR, 1, 5), True, "元旦调休"),
    ]
    assert "调休上班" in dialog.selected_label.text()
    dialog.save_button.click()

    assert asked == ["本所此前录入的 3月2日 不在这份安排中，保存后将删除。继续保存吗？"]
    assert dialog.result() == HolidayYearDialog.DialogCode.Accepted
    assert [r.day for r in services.holidays.list_overrides(YEAR)] == [
        dt.date(YEAR, 1, 1),
        dt.date(YEAR, 1, 2),
        dt.date(YEAR, 1, 5),
    ]
    assert YEAR in services.holidays.coverage().confirmed_years


def test_a_holiday_name_is_counted_and_never_cut(
    qtbot, services: Services, chief: SessionUser
) -> None:  # type: ignore[no-untyped-def]
    limit = text_limits.HOLIDAY_NAME
    dialog = HolidayYearDialog(services.holidays, chief, "calendar", YEAR)
    qtbot.addWidget(dialog)
    line_edit = dialog.name_combo.lineEdit()
    assert line_edit is not None
    line_edit.setText("一" * (limit - 1))  # long, but it fits: it is kept whole
    assert dialog.name_count.text == f"{limit - 1}/{limit}"
    QGuiApplication.clipboard().setText("春节")
    line_edit.setCursorPosition(len(line_edit.text()))
    line_edit.paste()  # one character too many: refused aloud, the name as it was
    assert line_edit.text() == "一" * (limit - 1)
    assert f"最多 {limit} 个字" in dialog.status_label.text()

    view = dialog.calendar.view
    assert view is not None
    dialog.calendar.setSelectedDate(QDate(YEAR, 2, 1))
    qtbot.keyClick(view, Qt.Key.Key_Space)  # → 放假, with the long name whole
    qtbot.keyClick(view, Qt.Key.Key_Space)  # → 调休上班: 调休 would not fit, name kept
    assert [(d.is_workday, d.name) for d in dialog.days()] == [(True, "一" * (limit - 1))]
    assert "沿用原名称" in dialog.status_label.text()


def test_the_holiday_forms_name_shows_its_count(
    qtbot, services: Services, chief: SessionUser
) -> None:  # type: ignore[no-untyped-def]
    dialog = HolidayDialog(services.holidays, chief, dt.date(YEAR, 2, 4))
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("春节")
    assert dialog.name_count.text == f"2/{text_limits.HOLIDAY_NAME}"
