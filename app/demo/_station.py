"""The demo station: its settings, its officers and their password, its opening hours."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from app.core.roles import Role
from app.station.dto import StationSettings

DEMO_PASSWORD = "Demo2026"

DEMO_STATION = StationSettings(
    name="示例市公安局城南分局青年路派出所",
    code="QNL",
    address="示例市城南区青年路 88 号",
    hours="工作日 8:30-12:00，14:00-17:30；周六上午 9:00-12:00 办理身份证业务",
    phone_consult="0571-86001110",
    phone_supervision="0571-86001234",
    phone_12389="12389",
    phone_12345="12345",
    paper_size="A5",
    # Sampled once a month: a day's few finished matters cannot be sampled at 10 % once every
    # officer and every matter type must be represented (see ``choose_sample``).
    callback_period="month",
    redress_review_body="示例市城南区人民政府",
    redress_court="示例市城南区人民法院",
)


# (badge, name, role, phone)
DEMO_OFFICERS: tuple[tuple[str, str, Role, str], ...] = (
    ("031001", "王建国", Role.CHIEF, "13805710001"),
    ("031002", "李秀英", Role.DEPUTY, "13805710002"),
    ("031011", "张伟", Role.WINDOW, "13805710011"),
    ("031012", "刘洋", Role.WINDOW, "13805710012"),
    ("031013", "陈静", Role.WINDOW, "13805710013"),
    ("F03121", "赵磊", Role.AUXILIARY, "13805710021"),
    ("F03122", "孙丽娟", Role.AUXILIARY, "13805710022"),
    ("031099", "周强", Role.ADMIN, "13805710099"),
)

TZ = ZoneInfo("Asia/Shanghai")

# Opening hours (DEMO_STATION.hours): working days two sessions, Saturday morning ID cards only.
WEEKDAY_SESSIONS = ((dt.time(8, 30), dt.time(12, 0)), (dt.time(14, 0), dt.time(17, 30)))
SATURDAY_SESSIONS = ((dt.time(9, 0), dt.time(12, 0)),)


def opening_sessions(day: dt.date, workday: bool) -> tuple[tuple[dt.time, dt.time], ...]:
    """The counter's open sessions of a day: none on Sundays and holidays."""
    if workday:
        return WEEKDAY_SESSIONS
    if day.weekday() == 5:
        return SATURDAY_SESSIONS
    return ()
