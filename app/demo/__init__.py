"""A realistic demo station: settings, officers of every role, the catalogue and its history.

The history is built by private modules, one per part of it: ``_history`` walks the days,
``_walk_ins`` the citizens at the counter and their matters' course, ``_notices`` the
one-time notices and pledges, ``_ratings`` the 好差评, callbacks and rectifications,
``_bookings`` the appointments, ``_ledger`` the evening reviews, ``_complaints`` the
complaints and praise; ``_station`` holds the station itself and ``_base`` what they share.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session, sessionmaker

from app.core.clock import FixedClock
from app.core.dto import SessionUser
from app.core.passwords import PasswordHashing
from app.core.roles import Role
from app.demo._complaints import COMPLAINTS as COMPLAINTS
from app.demo._complaints import PRAISE as PRAISE
from app.demo._history import DemoHistory
from app.demo._station import DEMO_OFFICERS as DEMO_OFFICERS
from app.demo._station import DEMO_PASSWORD as DEMO_PASSWORD
from app.demo._station import DEMO_STATION as DEMO_STATION
from app.demo._station import TZ as TZ
from app.demo._station import opening_sessions as opening_sessions
from app.demo._walk_ins import CHANNEL_WEIGHTS as CHANNEL_WEIGHTS
from app.demo._walk_ins import GUIDE_TO as GUIDE_TO
from app.officers.dto import NewOfficer
from app.services import Services, build_services


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


# The history starts this many whole months before the current one: the chief's trends show
# half a year, and the month just ended is complete.
HISTORY_MONTHS = 6


def history_days(today: dt.date, months: int = HISTORY_MONTHS) -> int:
    """Days from the first of the month ``months`` before ``today``'s month up to ``today``."""
    month = today.year * 12 + today.month - 1 - months
    first = dt.date(month // 12, month % 12 + 1, 1)
    return (today - first).days


def build_demo(
    sessions: sessionmaker[Session],
    days: int | None = None,
    seed: int = 7,
    now: dt.datetime | None = None,
    hashing: PasswordHashing | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[DemoLogin]:
    """Fill an empty database with the demo station and ``days`` days of counter history
    (by default from the first of the month six months ago: ``history_days``).

    Everything goes through the services with a clock that walks through the past days, so
    the history, the audit chain and the numbering are exactly what real use would leave.
    ``progress(done, total)`` is called after each day built (today included: ``total`` is
    ``days + 1``), on the caller's thread.
    """
    rng = random.Random(seed)
    end = (now or dt.datetime.now(dt.UTC)).astimezone(TZ)
    if days is None:
        days = history_days(end.date())
    start_day = end.date() - dt.timedelta(days=days)
    clock = FixedClock(dt.datetime.combine(start_day, dt.time(8, 0), TZ))
    services = build_services(sessions, clock, hashing)
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
    users = {b: services.auth.login(b, DEMO_PASSWORD) for b, *_ in DEMO_OFFICERS}
    DemoHistory(services, clock, users, rng).run(start_day, end, progress)
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
