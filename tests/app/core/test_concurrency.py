"""Two counters at once on one SQLite file: writers are serialised, no check is outrun."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from app.core.database import Database
from app.core.dto import SessionUser
from app.core.errors import StationDeskError
from app.core.roles import Role
from app.services import Services
from db.models import Officer


def run_together(*calls: Callable[[], Any]) -> list[Any]:
    """Start the calls in threads at the same instant; results or raised errors, in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def worker(i: int, call: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            results[i] = call()
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def failed_attempts(db: Database, badge: str) -> int:
    with db.sessions() as session:
        officer = session.scalars(select(Officer).where(Officer.badge_no == badge)).one()
        return officer.failed_attempts


def test_concurrent_wrong_passwords_are_all_counted(
    db: Database, services: Services, make_officer: Callable[..., SessionUser]
) -> None:
    officer = make_officer(Role.WINDOW)

    results = run_together(*[lambda: services.auth.login(officer.badge_no, "Wrong1234")] * 4)

    assert all(isinstance(r, StationDeskError) for r in results)
    assert failed_attempts(db, officer.badge_no) == 4


@pytest.mark.parametrize("round_", range(3))
def test_two_administrators_cannot_deactivate_each_other_at_once(
    services: Services,
    chief: SessionUser,
    make_officer: Callable[..., SessionUser],
    round_: int,
) -> None:
    admin = make_officer(Role.ADMIN, "周强")
    # Leave exactly two administrators: the chief and the new administrator.
    results = run_together(
        lambda: services.officers.set_active(chief, admin.officer_id, False),
        lambda: services.officers.set_active(admin, chief.officer_id, False),
    )

    refused = [r for r in results if isinstance(r, StationDeskError)]
    assert len(refused) == 1
    survivor = admin if isinstance(results[0], StationDeskError) else chief
    rows = services.officers.list_officers(survivor)
    assert sum(1 for r in rows if r.active and r.role in (Role.CHIEF, Role.ADMIN)) == 1
