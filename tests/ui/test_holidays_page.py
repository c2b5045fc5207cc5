"""Holidays page wiring: enter an unknown year's days, confirm the year, the warning goes."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QMessageBox

from app.dto import SessionUser
from app.services import Services
from ui.dialogs.holiday_dialog import HolidayDialog
from ui.pages.holidays_page import HolidaysPage

YEAR = 2030  # beyond what the pinned chinesecalendar knows


def test_entering_and_confirming_an_unknown_year(
    qtbot, qtmodeltester, monkeypatch: pytest.MonkeyPatch, services: Services, chief: SessionUser
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(QMessageBox, "exec", lambda self: QMessageBox.StandardButton.Yes)
    page = HolidaysPage(services.holidays, chief, dt.date(YEAR, 1, 2))
    qtbot.addWidget(page)
    assert f"尚缺 {YEAR}年" in page.coverage_label.text()
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
    assert f"尚缺 {YEAR}年" not in page.coverage_label.text()
    assert "尚未录入完整" not in page.calc_result.text()
    assert page.confirm_button.text() == "撤销确认"
