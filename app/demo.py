"""A realistic demo station: settings, officers of every role, the catalogue and its history."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from app.dto import NewOfficer, SessionUser, StationSettings
from app.roles import Role
from app.services import Services

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


@dataclass(frozen=True)
class DemoLogin:
    """A login printed for whoever tries the demo."""

    badge_no: str
    name: str
    role: Role
    password: str


def login_hint(logins: list[DemoLogin]) -> str:
    """One paragraph listing the demo logins for the login dialog."""
    people = "；".join(f"{x.role.label} {x.name} {x.badge_no}" for x in logins)
    return f"演示账号：{people}。密码均为 {DEMO_PASSWORD}。"


def demo_logins() -> list[DemoLogin]:
    """The logins ``build_demo`` creates."""
    return [DemoLogin(b, n, r, DEMO_PASSWORD) for b, n, r, _ in DEMO_OFFICERS]


def build_demo(services: Services, days: int = 30, seed: int = 7) -> list[DemoLogin]:
    """Fill an empty database with the demo station; returns the logins to print.

    ``days`` and ``seed`` shape the visit history that the intake issue adds; the foundation
    has officers, settings and the catalogue with an edited matter to show versioning.
    """
    rng = random.Random(seed)
    chief_badge, chief_name, chief_role, chief_phone = DEMO_OFFICERS[0]
    chief = services.station.initialize(
        DEMO_STATION,
        NewOfficer(chief_badge, chief_name, chief_role, DEMO_PASSWORD, chief_phone),
    )
    for badge, name, role, phone in DEMO_OFFICERS[1:]:
        services.officers.add_officer(
            chief,
            NewOfficer(badge, name, role, DEMO_PASSWORD, phone, must_change_password=False),
        )
    _demo_catalogue_history(services, chief, rng)
    return demo_logins()


def _demo_catalogue_history(services: Services, chief: SessionUser, rng: random.Random) -> None:
    """One matter edited twice, so the version history has something to show."""
    rows = services.catalogue.list_items("JZZ-SL")
    if not rows:
        return
    detail = services.catalogue.get_item(rows[0].item_id)
    draft = replace(detail.draft, hours="工作日 8:30-12:00，14:00-17:30；周六上午 9:00-12:00")
    services.catalogue.save_new_version(
        chief, detail.item_id, detail.version_no, draft, "增加周六上午办理时间"
    )
    draft2 = replace(draft, place=rng.choice(["一楼户籍窗口 2 号", "一楼综合窗口 3 号"]))
    services.catalogue.save_new_version(
        chief, detail.item_id, detail.version_no + 1, draft2, "窗口调整"
    )
