"""保存期限: contact data of finished matters past retention is removed; counts stay."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from app.core.clock import FixedClock
from app.core.database import Database
from app.core.dto import SessionUser
from app.core.errors import PermissionDenied
from app.integrity.service import check_database
from app.retention.service import years_before
from app.services import Services
from db.models import Signature, Visit
from tests.app.ledger.test_ledger import SIGN, Counter, rating

STATUSES = ("completed", "in_progress")


def finished_and_open(desk: Counter) -> tuple[int, int]:
    """One matter finished and rated with a signature, one still open, on the clock's day."""
    done = desk.visit(desk.a, desk.spot)
    done = desk.s.visits.complete_on_the_spot(desk.a, done.row.id, done.row.row_version, "办结")
    desk.s.ratings.rate_on_site(desk.a, done.row.id, rating(5))
    still = desk.visit(desk.b, desk.slow, name="李四")
    return done.row.id, still.row.id


def review(services: Services, chief: SessionUser, day: dt.date) -> None:
    sha = services.ledger.ledger(chief, day).content_sha256
    services.ledger.review(chief, day, sha, "", SIGN)


def contact(db: Database, visit_id: int) -> tuple[str, str]:
    with db.sessions() as session:
        visit = session.get(Visit, visit_id)
        assert visit is not None
        return visit.id_number, visit.phone


@pytest.fixture
def desk(services: Services, make_officer: Any, chief: SessionUser) -> Counter:
    services.station.update_settings(
        chief, dataclasses.replace(services.station.settings(), retain_contact_years=1)
    )
    return Counter(services, make_officer, chief)


def test_contact_data_of_reviewed_finished_matters_goes_after_the_years_and_counts_stay(
    db: Database,
    services: Services,
    desk: Counter,
    chief: SessionUser,
    clock: FixedClock,
    audit_log: Callable[[], list[dict[str, Any]]],
) -> None:
    day = clock.now().astimezone(dt.timezone(dt.timedelta(hours=8))).date()
    done, still = finished_and_open(desk)
    clock.advance(dt.timedelta(hours=9))  # after the closing hour
    review(services, chief, day)
    clock.advance(dt.timedelta(days=1))
    unreviewed_done, _ = finished_and_open(desk)  # a day nobody reviews
    before = dataclasses.replace(
        services.statistics.compute(chief, day, day + dt.timedelta(days=1)), generated_at=None
    )
    clock.advance(dt.timedelta(days=400))

    plan = services.retention.plan(chief)
    assert (plan.visits, plan.signatures) == (1, 1)
    local_now = clock.now().astimezone(dt.timezone(dt.timedelta(hours=8))).date()
    assert plan.ended_before == years_before(local_now, 1)
    with pytest.raises(PermissionDenied):
        services.retention.purge(desk.a)
    done_counts = services.retention.purge(chief)

    assert (done_counts.visits, done_counts.signatures) == (1, 1)
    assert contact(db, done) == ("", "")
    assert contact(db, still) != ("", "")  # still open: kept
    assert contact(db, unreviewed_done) != ("", "")  # its day is not reviewed: untouched
    with db.sessions() as session:
        visit = session.get(Visit, done)
        assert visit is not None and visit.status == "completed"  # the record stays
        assert (visit.id_number_hash, visit.phone_hash, visit.phone_tail) == ("", "", "")
        signature = session.scalars(
            select(Signature).where(Signature.document_type == "rating")
        ).first()
        assert signature is not None and (signature.png, signature.strokes_json) == (b"", "")
        assert len(signature.image_sha256) == 64  # kept: a purged image is not a swapped one
    after = services.statistics.compute(chief, day, day + dt.timedelta(days=1))
    assert dataclasses.replace(after, generated_at=None) == before  # every figure as it was
    event = audit_log()[-1]
    assert event["action"] == "personal_data_purged"
    assert (event["after"]["visits"], event["after"]["retain_years"]) == (1, 1)
    assert services.retention.plan(chief).total == 0  # nothing twice
    report = check_database(db)  # a purge is not tampering
    assert report.ok, report.lines


@pytest.mark.sqlite_only("SQLite's own triggers, reached past the program with sqlite3")
def test_the_database_lets_only_a_purge_through_on_a_locked_day(
    db: Database, services: Services, desk: Counter, chief: SessionUser, clock: FixedClock
) -> None:
    day = clock.now().astimezone(dt.timezone(dt.timedelta(hours=8))).date()
    done, _ = finished_and_open(desk)
    clock.advance(dt.timedelta(hours=9))
    review(services, chief, day)
    assert db.file is not None
    con = sqlite3.connect(db.file)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="locked"):
            con.execute("UPDATE visits SET phone = '', citizen_name = 'X' WHERE id = ?", (done,))
        with pytest.raises(sqlite3.DatabaseError, match="frozen"):
            con.execute("UPDATE signatures SET png = X'00'")
        con.execute(
            "UPDATE visits SET id_number = '', phone = '' WHERE id = ?", (done,)
        )  # what a purge does
        con.execute("UPDATE signatures SET png = X'', strokes_json = ''")
        con.rollback()
    finally:
        con.close()


def test_a_leap_day_counts_back_to_the_28th() -> None:
    assert years_before(dt.date(2028, 2, 29), 3) == dt.date(2025, 2, 28)
    assert years_before(dt.date(2026, 12, 3), 3) == dt.date(2023, 12, 3)


def test_bookings_lose_their_contact_data_and_signature_after_the_years_too(
    db: Database,
    services: Services,
    desk: Counter,
    chief: SessionUser,
    clock: FixedClock,
    audit_log: Callable[[], list[dict[str, Any]]],
) -> None:
    from app.appointments.service import NewAppointment
    from app.core.identity import IdType
    from app.notices.dto import SignatureInput
    from db.models import Appointment
    from tests.app.appointments.test_appointments import SIGNED

    item = services.catalogue.list_items("ZM-WFZ")[0].item_id
    base = NewAppointment(
        kind="home", reason="ill", citizen_name="王老伯", id_type=IdType.RESIDENT,
        id_number="11010519491231002X", phone="13805710011", service_item_id=item,
        slot_date=clock.now().date() + dt.timedelta(days=1), address="和平路 12 号",
    )  # fmt: skip
    home = services.appointments.book(desk.a, base)
    open_one = services.appointments.book(desk.a, base)  # never served: kept
    clock.advance(dt.timedelta(hours=3))
    assert isinstance(SIGNED, SignatureInput)
    services.appointments.serve(desk.a, home.id, home.row_version, clock.now(), "已办结", SIGNED)
    clock.advance(dt.timedelta(days=400))
    assert services.retention.plan(chief).bookings == 1
    counts = services.retention.purge(chief)
    assert counts.bookings == 1 and "预约（上门）1 件" in counts.sentence()
    with db.sessions() as session:
        served = session.get(Appointment, home.id)
        kept = session.get(Appointment, open_one.id)
        assert served is not None and kept is not None
        assert (served.id_number, served.phone, served.address) == ("", "", "")
        assert (served.id_number_hash, served.phone_hash) == ("", "")
        assert kept.address == "和平路 12 号"
        signature = session.scalars(
            select(Signature).where(Signature.document_type == "appointment")
        ).one()
        assert signature.png == b""
    assert audit_log()[-1]["after"]["bookings"] == 1
    report = check_database(db)
    assert report.ok, report.lines
