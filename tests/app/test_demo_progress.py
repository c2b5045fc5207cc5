"""The demo builder reports its progress day by day (the window shows it while it builds)."""

from __future__ import annotations

import datetime as dt

from app.core.database import Database
from app.core.passwords import PasswordHashing
from app.demo import build_demo


def test_build_demo_reports_each_day_then_today(db: Database, hashing: PasswordHashing) -> None:
    steps: list[tuple[int, int]] = []

    build_demo(
        db.sessions,
        days=3,
        now=dt.datetime(2025, 9, 24, 3, 0, tzinfo=dt.UTC),
        hashing=hashing,
        progress=lambda done, total: steps.append((done, total)),
    )

    assert steps == [(1, 4), (2, 4), (3, 4), (4, 4)]
