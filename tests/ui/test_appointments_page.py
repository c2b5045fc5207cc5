"""预约上门 at the counter by keyboard: a booking typed and saved with Enter, the booked
citizen registered from it with Enter (on the page and on 今日预约), a home service recorded
with the signature drawn on the pad, and the chief's banner of home services past promise."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMessageBox

from app.appointments.service import NewAppointment
from app.core.clock import FixedClock
from app.core.dto import SessionUser
from app.core.identity import IdType
from app.core.roles import Role
from app.services import Services
from tests.ui.test_intake import VALID_ID, ime_commit
from ui.dialogs.appointment_dialog import AppointmentDialog, HomeServiceDialog
from ui.pages.appointments_page import AppointmentsPage
from ui.pages.today_page import TodayPage

TODAY = dt.date(2025, 9, 29)  # the test clock's day (10:00 in Beijing)


@pytest.fixture
def officer(make_officer) -> SessionUser:  # type: ignore[no-untyped-def]
    return make_officer(Role.WINDOW, "张伟")


@pytest.fixture
def yes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    asked: list[str] = []

    def answer(box: QMessageBox) -> int:
        asked.append(box.text())
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "exec", answer)
    return asked


def _page(qtbot, services: Services, user: SessionUser) -> AppointmentsPage:  # type: ignore[no-untyped-def]
    page = AppointmentsPage(
        services.appointments, services.catalogue, user, TODAY, services.visits.now
    )
    page.form_only = True
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    return page


def _book(services: Services, user: SessionUser, **kw: object) -> int:
    item = services.catalogue.list_items("ZM-WFZ")[0].item_id
    fields: dict[str, object] = {
        "kind": "counter",
        "reason": "elderly",
        "citizen_name": "王老伯",
        "id_type": IdType.RESIDENT,
        "id_number": VALID_ID,
        "phone": "13805710011",
        "service_item_id": item,
        "slot_date": TODAY,
        "slot_time": "15:00",
    } | kw
    return services.appointments.book(user, NewAppointment(**fields)).id  # type: ignore[arg-type]


def test_a_booking_is_typed_and_saved_by_keyboard(
    qtbot, services: Services, officer: SessionUser
) -> None:  # type: ignore[no-untyped-def]
    page = _page(qtbot, services, officer)
    dialog = page.open_booking()
    assert isinstance(dialog, AppointmentDialog)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert not dialog.address_edit.isVisibleTo(dialog)  # a counter booking has no address
    dialog.id_edit.setFocus()
    qtbot.keyClicks(dialog.id_edit, VALID_ID)
    ime_commit(dialog.name_edit, "王老伯")
    qtbot.keyClicks(dialog.phone_edit, "13805710011")
    qtbot.keyClicks(dialog.matter.edit, "wfz")
    qtbot.keyClick(dialog.matter.edit, Qt.Key.Key_Return)  # picks the matter
    assert dialog.matter.selected is not None
    qtbot.keyClicks(dialog.time_edit, "25:00")
    qtbot.keyClick(dialog.time_edit, Qt.Key.Key_Return)
    assert dialog.saved is None and "时:分" in dialog.errors.message_of("slot_time")
    dialog.time_edit.clear()
    qtbot.keyClicks(dialog.time_edit, "15:30")
    qtbot.keyClick(dialog.time_edit, Qt.Key.Key_Return)
    assert dialog.saved is not None and dialog.saved.slot_time == "15:30"
    # A home service shows its area, address and officer.
    home = page.open_booking()
    assert isinstance(home, AppointmentDialog)
    qtbot.addWidget(home)
    home.show()
    home.kind_combo.setCurrentIndex(home.kind_combo.findData("home"))
    assert home.address_edit.isVisibleTo(home) and home.area_combo.isVisibleTo(home)
    assert "5 个工作日" in home.area_combo.itemText(0)


def test_enter_on_a_booking_registers_the_citizen_without_retyping(
    qtbot, services: Services, officer: SessionUser, yes: list[str]
) -> None:  # type: ignore[no-untyped-def]
    booking = _book(services, officer)
    page = _page(qtbot, services, officer)
    registered: list[int] = []
    page.visit_registered.connect(registered.append)
    assert page.current is not None and page.current.id == booking
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert yes and "王老伯 已到窗口" in yes[0]
    assert len(registered) == 1
    visit = services.visits.get(officer, registered[0])
    assert visit.channel.value == "appointment" and visit.row.citizen_name == "王老伯"
    assert visit.row.id_masked == "110105********002X"
    page.open_check.setChecked(False)
    assert page.current is not None and page.current.state_label == "已到窗口登记"
    assert not page.arrive_button.isEnabled()


def test_todays_bookings_are_a_tab_of_the_counter_page_in_time_order(
    qtbot, services: Services, officer: SessionUser, yes: list[str]
) -> None:  # type: ignore[no-untyped-def]
    late = _book(services, officer, slot_time="16:00", citizen_name="李老太")
    early = _book(services, officer, slot_time="10:30")
    page = TodayPage(services.visits, officer, appointments=services.appointments)
    qtbot.addWidget(page)
    page.show()
    tab = page.lists["appointments"]
    assert [r.id for r in tab.model.rows()] == [early, late]
    assert page.tabs.tabText(1).startswith("今日预约（2）")
    page.tabs.setCurrentIndex(1)
    tab.view.selectRow(0)
    tab.view.setFocus()
    qtbot.keyClick(tab.view, Qt.Key.Key_Return)
    assert "王老伯 已到窗口" in yes[-1]
    row = page.lists["appointments"].model.rows()[0]
    assert page.panel.detail is not None and page.panel.detail.row.serial == row.visit_serial


def test_a_home_service_is_recorded_with_the_signature_drawn_on_the_pad(
    qtbot, services: Services, officer: SessionUser, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    booking = _book(services, officer, kind="home", slot_time="", address="和平路 12 号")
    clock.advance(dt.timedelta(hours=3))
    page = _page(qtbot, services, officer)
    assert page.current is not None and page.current.id == booking
    assert "和平路 12 号" in page.detail.text()
    dialog = page.open_serve()
    assert isinstance(dialog, HomeServiceDialog)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    ime_commit(dialog.result_edit, "上门采集指纹，已办结")
    qtbot.keyClick(dialog.result_edit, Qt.Key.Key_Tab)
    dialog.save()  # no signature and no reason: refused at the pad
    assert dialog.saved is None and "签字" in dialog.errors.message_of("signature")
    qtbot.mousePress(dialog.pad, Qt.MouseButton.LeftButton, pos=QPoint(10, 10))
    qtbot.mouseMove(dialog.pad, QPoint(60, 30))
    qtbot.mouseMove(dialog.pad, QPoint(120, 20))
    qtbot.mouseRelease(dialog.pad, Qt.MouseButton.LeftButton, pos=QPoint(120, 20))
    dialog.save_button.setFocus()
    qtbot.keyClick(dialog.save_button, Qt.Key.Key_Return)
    assert dialog.saved is not None and dialog.saved.state == "served"
    visit = services.visits.get(officer, dialog.saved.visit_id or 0)
    assert visit.channel.value == "home" and visit.row.status.value == "completed"


def test_the_chief_sees_home_services_past_their_promise(
    qtbot, services: Services, officer: SessionUser, chief: SessionUser, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    _book(services, officer, kind="home", slot_time="", address="和平路 12 号")
    clock.advance(dt.timedelta(days=16))  # past 2025-10-13, five working days on
    page = TodayPage(services.visits, chief, appointments=services.appointments)
    qtbot.addWidget(page)
    page.show()
    assert page.appointment_banner.isVisible()
    assert "上门服务超过承诺时限未办 1 件" in page.appointment_banner.text()
    window_page = TodayPage(services.visits, officer, appointments=services.appointments)
    qtbot.addWidget(window_page)
    window_page.show()
    assert not window_page.appointment_banner.isVisible()  # the chief's to chase


def test_a_date_is_read_as_an_officer_types_it() -> None:
    from ui.widgets.date_text import read_date

    today = dt.date(2026, 12, 4)
    assert read_date("12-7", today) == dt.date(2026, 12, 7)
    assert read_date("12月7日", today) == dt.date(2026, 12, 7)
    assert read_date("１２．０７", today) == dt.date(2026, 12, 7)  # full-width, from the IME
    assert read_date("1-5", today) == dt.date(2027, 1, 5)  # January: the next one
    assert read_date("2026/12/07", today) == dt.date(2026, 12, 7)
    assert read_date("明天", today) == dt.date(2026, 12, 5)
    assert read_date("2-30", today) is None and read_date("下周", today) is None


def test_a_date_typed_straight_through_is_booked_and_esc_on_a_filled_form_asks(
    qtbot, services: Services, officer: SessionUser, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    page = _page(qtbot, services, officer)
    dialog = page.open_booking()
    assert isinstance(dialog, AppointmentDialog)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.id_edit, VALID_ID)
    ime_commit(dialog.name_edit, "王老伯")
    qtbot.keyClicks(dialog.phone_edit, "13805710011")
    qtbot.keyClicks(dialog.matter.edit, "wfz")
    qtbot.keyClick(dialog.matter.edit, Qt.Key.Key_Return)
    dialog.date_edit.edit.selectAll()
    qtbot.keyClicks(dialog.date_edit.edit, "10-9")
    assert "10月9日 星期四" in dialog.date_edit.understood.text()
    qtbot.keyClicks(dialog.time_edit, "9:30")
    asked: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "exec", lambda box: asked.append(box.text()) or QMessageBox.StandardButton.No
    )
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert asked and "放弃本次预约" in asked[0] and dialog.isVisible()
    dialog.date_edit.edit.setText("10月32日")
    qtbot.keyClick(dialog.time_edit, Qt.Key.Key_Return)
    assert dialog.saved is None and "看不懂" in dialog.errors.message_of("slot_date")
    dialog.date_edit.edit.setText("10-9")
    qtbot.keyClick(dialog.time_edit, Qt.Key.Key_Return)
    assert dialog.saved is not None and dialog.saved.slot_date == dt.date(2025, 10, 9)


def test_a_name_other_than_last_time_is_asked_as_on_the_registration_form(
    qtbot, services: Services, officer: SessionUser, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from app.visits.dto import NameChoice, NewVisit
    from ui.dialogs import appointment_dialog

    item = services.catalogue.list_items("ZM-WFZ")[0].item_id
    earlier = services.visits.register(
        officer, NewVisit("王老汉", IdType.RESIDENT, VALID_ID, "13805710011", item)
    )
    booking = _book(services, officer)  # 王老伯, the same ID number
    page = _page(qtbot, services, officer)
    monkeypatch.setattr(QMessageBox, "exec", lambda box: QMessageBox.StandardButton.Yes)
    asked: list[str] = []

    def answer(_parent: object, question: object) -> NameChoice:
        asked.append(str(question))
        return NameChoice.CURRENT

    monkeypatch.setattr(appointment_dialog, "ask_name_choice", answer)
    registered: list[int] = []
    page.visit_registered.connect(registered.append)
    page.reload(select=booking)
    page.arrive()
    assert asked and len(registered) == 1
    visit = services.visits.get(officer, registered[0])
    assert visit.row.citizen_name == "王老伯" and visit.row.id != earlier.row.id
