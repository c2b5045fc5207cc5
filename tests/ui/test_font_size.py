"""字号 (标准 / 大 / 特大) from the 系统 menu: every window, remembered per officer on this PC."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QSettings
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QMenu

from app.core.dto import SessionUser
from app.core.identity import IdType
from app.core.roles import Role
from app.services import Services
from app.visits.dto import NewVisit
from ui.fonts import STANDARD_POINTS, apply_font_size, saved_font_size, style_sheet
from ui.main_window import MainWindow
from ui.widgets import screen_fit


@pytest.fixture
def qsettings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def standard_afterwards(qapp: QApplication) -> Iterator[None]:
    yield
    apply_font_size(qapp, STANDARD_POINTS)


def _font_menu(window: MainWindow) -> QMenu:
    system = next(a.menu() for a in window.menuBar().actions() if a.text() == "系统(&S)")
    assert isinstance(system, QMenu)
    sizes = next(a.menu() for a in system.actions() if a.text() == "字号(&Z)")
    assert isinstance(sizes, QMenu)
    return sizes


def test_the_system_menu_offers_three_sizes_with_the_officer_s_checked(
    qtbot, services: Services, chief: SessionUser, qsettings: QSettings
) -> None:  # type: ignore[no-untyped-def]
    window = MainWindow(services, chief, "db", qsettings)
    qtbot.addWidget(window)
    actions = _font_menu(window).actions()
    assert [a.text() for a in actions] == ["标准", "大", "特大"]
    assert all(a.isCheckable() for a in actions)
    assert [a.isChecked() for a in actions] == [True, False, False]
    assert actions[0].actionGroup() is not None and actions[0].actionGroup().isExclusive()


def test_extra_large_applies_to_open_and_new_windows_and_is_remembered_per_badge(
    qtbot,
    services: Services,
    chief: SessionUser,
    make_officer,
    qsettings: QSettings,
    standard_afterwards: None,
) -> None:  # type: ignore[no-untyped-def]
    window = MainWindow(services, chief, "db", qsettings)
    qtbot.addWidget(window)
    window.show()
    label = QLabel("今日接待")
    qtbot.addWidget(label)

    _font_menu(window).actions()[2].trigger()  # 特大
    QApplication.processEvents()  # Qt posts the font change to the widgets

    assert QApplication.font().pointSize() == 14
    assert label.font().pointSize() == 14  # a widget already open follows
    assert window.nav.font().pointSize() >= 14  # 15 with the station style sheet (11pt there)
    dialog = QDialog(window)
    qtbot.addWidget(dialog)
    assert dialog.font().pointSize() == 14  # and a dialog opened afterwards
    assert [a.isChecked() for a in _font_menu(window).actions()] == [False, False, True]
    assert qsettings.value(f"display/font_size/{chief.badge_no}") in (14, "14")
    assert saved_font_size(qsettings, chief.badge_no) == 14

    # Another officer on this PC keeps 标准; the chief finds 特大 again at the next login.
    officer = make_officer(Role.WINDOW, "张伟")
    assert saved_font_size(qsettings, officer.badge_no) == STANDARD_POINTS
    other = MainWindow(services, officer, "db", qsettings)
    qtbot.addWidget(other)
    assert [a.isChecked() for a in _font_menu(other).actions()] == [True, False, False]
    again = MainWindow(services, chief, "db", qsettings)
    qtbot.addWidget(again)
    assert [a.isChecked() for a in _font_menu(again).actions()] == [False, False, True]

    _font_menu(window).actions()[0].trigger()  # back to 标准
    assert QApplication.font().pointSize() == STANDARD_POINTS
    assert saved_font_size(qsettings, chief.badge_no) == STANDARD_POINTS


def test_a_strange_saved_value_means_standard(qsettings: QSettings) -> None:
    qsettings.setValue("display/font_size/100001", "huge")
    assert saved_font_size(qsettings, "100001") == STANDARD_POINTS
    qsettings.setValue("display/font_size/100001", 40)
    assert saved_font_size(qsettings, "100001") == STANDARD_POINTS


def test_the_style_sheet_s_titles_grow_with_the_base_size() -> None:
    assert "font-size: 11pt" in style_sheet(10) and "font-size: 15pt" in style_sheet(10)
    large = style_sheet(14)
    assert "font-size: 15pt" in large  # navigation, 11 × 1.4
    assert "font-size: 21pt" in large  # dialog titles, 15 × 1.4
    assert "font-size: 11pt" not in large


def test_the_station_s_style_sheet_is_applied_again_at_the_new_size(
    qapp: QApplication, standard_afterwards: None
) -> None:
    before = qapp.styleSheet()
    qapp.setStyleSheet(style_sheet(STANDARD_POINTS))
    try:
        apply_font_size(qapp, 12)
        assert qapp.styleSheet() == style_sheet(12)
        assert qapp.font().pointSize() == 12
    finally:
        apply_font_size(qapp, STANDARD_POINTS)
        qapp.setStyleSheet(before)


@pytest.mark.parametrize("points", [STANDARD_POINTS, 14])
def test_the_action_buttons_show_their_whole_names_on_a_1366_screen_at_any_size(
    qtbot,
    monkeypatch: pytest.MonkeyPatch,
    services: Services,
    make_officer,
    qsettings: QSettings,
    app_look: None,
    standard_afterwards: None,
    points: int,
) -> None:  # type: ignore[no-untyped-def]
    # Measured in the station's own fonts and style sheet, as the counter shows them: with
    # Qt's default font the result depended on whether an earlier test in the same worker
    # had registered the Chinese fonts (run_gui does).
    # A 1366×768 counter screen less its taskbar.
    monkeypatch.setattr(screen_fit, "available_area", lambda _widget: QRect(0, 0, 1366, 728))
    officer = make_officer(Role.WINDOW, "张伟")
    item = services.catalogue.list_items("SFZ-SL")[0]
    visit = services.visits.register(
        officer,
        NewVisit("王小明", IdType.RESIDENT, "11010519491231002X", "13805710011", item.item_id),
    )
    services.visits.accept(officer, visit.row.id, visit.row.row_version)
    window = MainWindow(services, officer, "db", qsettings)
    qtbot.addWidget(window)
    apply_font_size(QApplication.instance(), points)  # as 系统 → 字号 does, window open
    QApplication.processEvents()
    window.setGeometry(0, 0, 1366, 728)
    window.show()
    qtbot.waitExposed(window)
    page = window.pages.built("today")
    page.tabs.setCurrentIndex(list(page.lists).index("mine"))  # 我的在办
    page.lists["mine"].view.selectRow(0)
    panel = page.panel
    shown = [b for b in panel.buttons.values() if b.isVisible()]
    assert len(shown) >= 6
    qtbot.waitUntil(lambda: all(b.width() >= b.sizeHint().width() for b in shown))
    # Whole names, side by side at 标准; at 特大 in the station's font one a row, and then
    # every one of them still inside the pane (it scrolls no button out of reach).
    if points == STANDARD_POINTS:
        assert len({b.x() for b in shown}) >= 2
    for button in shown:
        corner = button.mapTo(panel, button.rect().bottomRight())
        assert panel.rect().contains(corner), (button.text(), corner, panel.size())


def test_at_extra_large_the_status_bar_warning_and_the_complaint_steps_show_whole(
    qtbot,
    monkeypatch: pytest.MonkeyPatch,
    services: Services,
    chief: SessionUser,
    qsettings: QSettings,
    standard_afterwards: None,
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(screen_fit, "available_area", lambda _widget: QRect(0, 0, 1366, 728))
    apply_font_size(QApplication.instance(), 14)
    window = MainWindow(
        services,
        chief,
        "/一个很长的路径/派出所/窗口服务台账/station.sqlite3",
        qsettings,
        today=dt.date(2026, 11, 20),
    )
    qtbot.addWidget(window)
    window.setGeometry(0, 0, 1366, 728)
    window.show()
    qtbot.waitExposed(window)

    # Next year's holidays are not entered: the warning shows, whole; the path gives way.
    warning = window.calendar_warning
    assert warning.isVisible()
    qtbot.waitUntil(lambda: warning.width() >= warning.sizeHint().width())
    assert window.db_label.text().endswith("station.sqlite3")  # whole, in the tooltip too
    assert window.db_label.toolTip() == window.db_label.text()

    window.show_page("complaints")
    page = window.pages["complaints"]
    steps = [b for k, b in page.buttons.items() if k != "record"]
    qtbot.waitUntil(lambda: all(b.width() >= b.sizeHint().width() for b in steps))
