"""Frozen data of bookings (预约) and home-service requests (上门服务), and their labels."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.core.identity import IdType

KIND_LABELS = {"counter": "预约到窗口", "home": "上门服务"}
REASON_LABELS = {
    "elderly": "老年人",
    "disabled": "残疾人",
    "ill": "重病患者",
    "other": "其他特殊困难",
}
AREA_LABELS = {"town": "城区", "country": "农村"}
STATE_LABELS = {
    "booked": "待办理",
    "registered": "已到窗口登记",
    "served": "已上门办结",
    "cancelled": "已取消",
    "missed": "未到",
}
OPEN = "booked"
ADDRESS_MAX = 120


@dataclass(frozen=True, slots=True)
class NewAppointment:
    """What the booking form collects."""

    kind: str  # "counter" or "home"
    reason: str  # a key of REASON_LABELS
    citizen_name: str
    id_type: IdType
    id_number: str
    phone: str
    service_item_id: int | None
    slot_date: dt.date
    slot_time: str = ""  # HH:MM; required at the counter, optional for a home visit
    summary: str = ""
    area: str = "town"  # home service: "town" or "country" (the promise differs)
    address: str = ""  # home service
    officer_id: int | None = None  # home service: who will go (optional at booking)


@dataclass(frozen=True, slots=True)
class AppointmentRow:
    """One booking as lists show it: ID and phone masked, the address only for a home visit."""

    id: int
    number: str
    kind: str
    reason: str
    area: str
    citizen: str  # as the visit lists show it (the officer calls the citizen by name)
    id_masked: str
    phone_masked: str
    address: str  # home service only: the officer must find the house
    matter: str
    summary: str
    slot_date: dt.date
    slot_time: str  # "" when no time is agreed
    due_date: dt.date | None
    officer_id: int | None
    officer_name: str
    state: str
    visit_id: int | None
    visit_serial: str
    result: str
    close_reason: str
    row_version: int
    overdue: bool  # a home service past its promise, or a counter booking whose day passed

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def reason_label(self) -> str:
        return REASON_LABELS.get(self.reason, self.reason)

    @property
    def area_label(self) -> str:
        return AREA_LABELS.get(self.area, self.area) if self.kind == "home" else ""

    @property
    def state_label(self) -> str:
        if self.state == OPEN and self.overdue:
            return "已超期" if self.kind == "home" else "逾期未到"
        return STATE_LABELS.get(self.state, self.state)

    @property
    def when(self) -> str:
        """The slot as a counter reads it: 12月3日 09:30, or the date alone."""
        text = f"{self.slot_date.month}月{self.slot_date.day}日"
        return f"{text} {self.slot_time}" if self.slot_time else text

    @property
    def due_text(self) -> str:
        return self.due_date.isoformat() if self.due_date else ""
