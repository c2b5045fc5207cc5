"""The demo station a chief believes: counter minutes, the callback sample, opening hours."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app.core.clock import FixedClock
from app.core.database import Database, open_database
from app.core.passwords import PasswordHashing
from app.demo import (
    DEMO_OFFICERS,
    DEMO_PASSWORD,
    DEMO_STATION,
    build_demo,
    history_days,
    opening_sessions,
)
from app.services import build_services
from db.models import Callback, CallbackBatch, Visit

TZ = ZoneInfo("Asia/Shanghai")
# Tuesday 3 March 2026, 10:30 at the counter: thirty days back is 1 February, so February
# is the demo's last complete month, sampled on the first working day of March.
NOW = dt.datetime(2026, 3, 3, 2, 30, tzinfo=dt.UTC)
FEBRUARY = (dt.date(2026, 2, 1), dt.date(2026, 2, 28))


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    db = open_database(path)
    build_demo(db.sessions, days=30, now=NOW, hashing=_hashing())
    yield db
    db.dispose()


def _hashing() -> PasswordHashing:
    return PasswordHashing(time_cost=1, memory_cost_kib=1024, parallelism=1)


def _local(moment: dt.datetime) -> dt.datetime:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(TZ)


def _stamped_outside_hours(db: Database, now: dt.datetime) -> list[tuple[str, str, dt.datetime]]:
    """Every arrival, start and end stamp not inside its day's opening hours, or after now."""
    calendar = build_services(db.sessions, FixedClock(now), _hashing()).holidays.calendar()
    wrong = []
    with db.sessions() as session:
        for visit in session.scalars(select(Visit)):
            for name in ("arrived_at", "started_at", "ended_at"):
                stamp = getattr(visit, name)
                if stamp is None:
                    continue
                local = _local(stamp)
                day = local.date()
                sessions = opening_sessions(day, calendar.is_workday(day))
                inside = any(a <= local.time() <= b for a, b in sessions)
                if not inside or local > now:
                    wrong.append((visit.serial, name, local))
    return wrong


def test_the_month_has_counter_waits_and_service_times(month: Database) -> None:
    s = build_services(month.sessions, FixedClock(NOW), _hashing())
    chief = s.auth.login(DEMO_OFFICERS[0][0], DEMO_PASSWORD)

    total = s.statistics.compute(chief, *FEBRUARY).total

    assert total.waited > 100
    assert total.wait_median is not None and 5 <= total.wait_median <= 15
    assert total.service_median is not None and 4 <= total.service_median <= 12


def test_callbacks_are_sampled_at_the_setting_plus_the_mandatory_ones(month: Database) -> None:
    with month.sessions() as session:
        batches = list(session.scalars(select(CallbackBatch)))
        reasons = dict(
            session.execute(select(Callback.reason, func.count()).group_by(Callback.reason)).all()
        )
    assert [(b.period_kind, b.period_start, b.period_end) for b in batches] == [
        ("month", *FEBRUARY)
    ]
    batch = batches[0]
    assert batch.share == DEMO_STATION.callback_share == 10
    mandatory = reasons.get("bad", 0) + reasons.get("requested", 0)
    assert batch.eligible > 100 and mandatory > 0
    # The mandatory calls and the coverage of officers count within the share.
    assert batch.sampled == max(math.ceil(batch.eligible * batch.share / 100), mandatory)


def test_no_visit_is_stamped_outside_opening_hours_or_in_the_future(month: Database) -> None:
    assert _stamped_outside_hours(month, NOW) == []
    with month.sessions() as session:
        today = [
            v
            for v in session.scalars(select(Visit))
            if _local(v.arrived_at).date() == NOW.astimezone(TZ).date()
        ]
    assert today  # the morning so far: some finished, some at a window or waiting
    assert any(v.ended_at is None for v in today)


@pytest.mark.parametrize(
    ("local", "visits_today"),
    [
        (dt.datetime(2026, 3, 4, 2, 46), False),  # at night: today has no visits yet
        (dt.datetime(2026, 3, 4, 8, 20), False),  # before opening
        (dt.datetime(2026, 3, 4, 15, 10), True),  # the afternoon so far
        (dt.datetime(2026, 3, 4, 21, 0), True),  # after closing: the whole day
        (dt.datetime(2026, 3, 7, 11, 0), True),  # Saturday morning: ID cards only
        (dt.datetime(2026, 3, 8, 11, 0), False),  # Sunday: closed
    ],
)
def test_today_is_built_within_the_hours_so_far(
    tmp_path: Path, local: dt.datetime, visits_today: bool
) -> None:
    now = local.replace(tzinfo=TZ)
    db = open_database(tmp_path / "short.sqlite3")
    try:
        build_demo(db.sessions, days=2, now=now, hashing=_hashing())
        assert _stamped_outside_hours(db, now) == []
        with db.sessions() as session:
            arrivals = [_local(a) for a in session.scalars(select(Visit.arrived_at))]
        assert any(a.date() == now.date() for a in arrivals) is visits_today
    finally:
        db.dispose()


@pytest.mark.parametrize(
    ("today", "first"),
    [
        (dt.date(2026, 12, 3), dt.date(2026, 6, 1)),
        (dt.date(2027, 1, 31), dt.date(2026, 7, 1)),
        (dt.date(2026, 6, 1), dt.date(2025, 12, 1)),
    ],
)
def test_the_default_history_holds_six_whole_months_before_this_one(
    today: dt.date, first: dt.date
) -> None:
    assert today - dt.timedelta(days=history_days(today)) == first
