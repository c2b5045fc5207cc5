"""Several counters, one ledger (issue 13): each record keeps the counter (窗口号) it was made
at and the daily ledger shows it; on PostgreSQL another counter's commit reaches a listener
at once (nothing for a rolled-back one, nothing of its own)."""

from __future__ import annotations

import datetime as dt
import threading
import time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.core.clock import FixedClock
from app.core.database import Database, open_database
from app.core.dto import SessionUser
from app.core.errors import ValidationError
from app.core.identity import IdType
from app.core.passwords import PasswordHashing
from app.core.roles import Role
from app.services import Services, build_services
from app.visits.dto import NameChoice, NewVisit
from db.models import Notice, Visit, VisitTransition
from db.pg_notify import ChangeListener, announce_changes
from tests.pg_template import PgTemplate

ID_A = "11010519491231002X"


def _register(services: Services, officer: SessionUser, name: str = "李四光"):  # type: ignore[no-untyped-def]
    item = services.catalogue.list_items("SFZ-SL")[0]
    return services.visits.register(
        officer,
        NewVisit(
            name,
            IdType.RESIDENT,
            ID_A,
            "13805710011",
            item.item_id,
            name_choice=NameChoice.CURRENT,  # one test ID under several names
        ),
    )


def test_every_record_keeps_its_counter_and_the_ledger_shows_it(
    db: Database,
    services: Services,
    chief: SessionUser,
    make_officer,  # type: ignore[no-untyped-def]
    clock: FixedClock,
    hashing: PasswordHashing,
) -> None:
    one = make_officer(Role.WINDOW, "张民警")
    two = make_officer(Role.WINDOW, "李民警")
    counter_1 = build_services(db.sessions, clock, hashing, database=db, counter="1号窗口")
    # The other counter is another PC: its own engine and session factory on the same ledger.
    other_db = open_database(db.url)
    try:
        counter_2 = build_services(other_db.sessions, clock, hashing, counter="综合2")
        visit = _register(counter_1, one)
        offered = counter_1.visits.request_handover(
            one, visit.row.id, visit.row.row_version, two.officer_id, "下班移交"
        )
        accepted = counter_2.visits.accept_handover(two, offered.handovers[-1].id)
        counter_2.visits.complete_on_the_spot(two, visit.row.id, accepted.row.row_version, "已办结")
        with db.sessions() as session:
            made = session.scalars(select(Visit)).one()
            steps = session.scalars(select(VisitTransition).order_by(VisitTransition.id)).all()
        assert made.counter == "1号窗口"
        assert steps[0].counter == "1号窗口"  # 登记
        assert steps[-1].counter == "综合2"  # 办结, at the other counter
        assert {s.counter for s in steps} == {"1号窗口", "综合2"}

        day = clock.now().astimezone(ZoneInfo("Asia/Shanghai")).date()
        visits = counter_1.ledger.ledger(chief, day).section("visits")
        assert visits.columns[-1] == "窗口"
        assert [r.cells[-1] for r in visits.rows] == ["1号窗口"]
    finally:
        other_db.dispose()


def test_a_pc_without_a_counter_leaves_it_blank(
    db: Database,
    services: Services,
    make_officer,  # type: ignore[no-untyped-def]
) -> None:
    visit = _register(services, make_officer(Role.WINDOW))
    with db.sessions() as session:
        assert session.get(Visit, visit.row.id).counter == ""  # type: ignore[union-attr]
        assert session.scalars(select(Notice)).first() is None


@pytest.fixture
def pg_db(pg_template: PgTemplate):  # type: ignore[no-untyped-def]
    url = pg_template.copy()
    database = open_database(url)
    yield database
    database.dispose()
    pg_template.drop(url)


def test_another_counters_commit_reaches_a_listener_at_once(
    pg_db: Database, clock: FixedClock, hashing: PasswordHashing
) -> None:
    """Registration, handover, acceptance, finishing and a rolled-back save, as heard."""
    heard: list[frozenset[str]] = []
    status: list[bool] = []
    arrived = threading.Event()

    def on_change(tables: frozenset[str]) -> None:
        heard.append(tables)
        arrived.set()

    listener = ChangeListener(pg_db.engine.url, on_change, status.append, own_token="counter-2")
    listener.start()
    try:
        deadline = dt.datetime.now() + dt.timedelta(seconds=10)
        while not status and dt.datetime.now() < deadline:
            threading.Event().wait(0.05)
        assert status == [True]
        announce_changes(pg_db.engine, pg_db.sessions, token="counter-1")
        s = build_services(pg_db.sessions, clock, hashing, database=pg_db)
        from app.officers.dto import NewOfficer
        from app.station.dto import StationSettings

        chief = s.station.initialize(
            StationSettings(name="测试派出所", code="HPL"),
            NewOfficer("100001", "王所长", Role.CHIEF, "Secret123"),
        )
        s.officers.add_officer(
            chief,
            NewOfficer("200001", "张民警", Role.WINDOW, "Secret123", must_change_password=False),
        )
        officer = s.auth.login("200001", "Secret123")

        def wait_for(table: str) -> frozenset[str]:
            """The tables of the notices that arrive until one names ``table`` (within 2 s).

            A notice of an earlier commit (the login's) may still be on its way: it is
            gathered with the rest, not taken for the one awaited."""
            got: set[str] = set()
            deadline = time.monotonic() + 2.0
            while table not in got:
                left = deadline - time.monotonic()
                assert left > 0 and arrived.wait(left), f"no notice of {table} within 2 s"
                arrived.clear()
                got.update(*heard)
                heard.clear()
            return frozenset(got)

        arrived.clear()
        heard.clear()
        visit = _register(s, officer)
        assert {"visits", "visit_transitions"} <= wait_for("visits")
        s.visits.complete_on_the_spot(officer, visit.row.id, visit.row.row_version, "已办结")
        assert "visit_transitions" in wait_for("visit_transitions")

        # A save refused half-way (rolled back) is not news: nothing arrives.
        with pytest.raises(ValidationError):
            _register(s, officer, name="")
        assert not arrived.wait(1.0) and heard == []

        # The listener's own process (token) is not told of its own saves.
        announce_changes(pg_db.engine, pg_db.sessions, token="counter-2")
        _register(s, officer, name="王五")
        assert not arrived.wait(1.0)
    finally:
        listener.stop()
    assert not listener.is_alive()
