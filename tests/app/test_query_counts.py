"""Every list and search costs what the user asked for, not what the tables weigh (issue 11).

A demo station is built through the services; a copy of it gets nine more copies of its whole
history in earlier years (bulk inserted, every key remapped, so the rows are valid). Each list
and search must run the same few statements on both: no query per row, nothing that reads all
of history. No timing: the statement count is the guard. Also: opening a database leaves the
query planner with statistics.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, event, insert, select, text, update

from app.core.clock import FixedClock
from app.core.database import Database, open_database
from app.core.dto import SessionUser
from app.core.passwords import PasswordHashing
from app.demo import DEMO_OFFICERS, DEMO_PASSWORD, build_demo
from app.services import Services, build_services
from app.visits.dto import VisitQuery
from db.maintenance import MIN_ANALYSED_ROWS, tables_needing_statistics
from db.models import (
    Callback,
    CallbackAttempt,
    CallbackBatch,
    Complaint,
    Handover,
    HolidayOverride,
    Notice,
    NoticeBreach,
    NoticeItem,
    Rating,
    Rectification,
    Visit,
    VisitTransition,
)
from tests.conftest import StatementCounter

NOW = dt.datetime(2026, 3, 20, 2, 30, tzinfo=dt.UTC)  # a Friday, 10:30 at the counter
TODAY = dt.date(2026, 3, 20)
COPIES = 9  # the large station: the demo's history ten times over
MOST = 8  # statements a list or search may run, BEGIN included
CLONED = (
    Visit,
    VisitTransition,
    Handover,
    Notice,
    NoticeItem,
    NoticeBreach,
    Rating,
    Rectification,
    CallbackBatch,
    Callback,
    CallbackAttempt,
    Complaint,
)
ID_STEP = 10_000  # copy k of a row gets id + k * ID_STEP (and so do its references)
YEARS_BACK = 400  # days between two copies of the history
STATISTICS_1M = Path(__file__).with_name("station_1m_stat1.tsv")


@dataclass
class Station:
    """An open station database, its services, the demo logins and a statement counter."""

    db: Database
    s: Services
    sql: StatementCounter
    chief: SessionUser
    officer: SessionUser
    probe: dict[str, Any]

    def statements(self, call: Callable[[Station], object]) -> int:
        """The statements ``call`` runs once warm (per-day caches filled, as in real use)."""
        call(self)
        with self.sql:
            call(self)
        return self.sql.count


def grow(engine: Engine, copies: int) -> None:
    """Add ``copies`` copies of the whole counter history, each one further in the past."""
    tables = [model.__table__ for model in CLONED]
    cloned = {t.name for t in tables}
    with engine.begin() as conn:
        for table in tables:
            rows = [dict(r._mapping) for r in conn.execute(select(table))]
            if not rows:
                continue
            for k in range(1, copies + 1):
                conn.execute(insert(table), [_copy(table, row, k, cloned) for row in rows])


def _copy(table: Any, row: dict[str, Any], k: int, cloned: set[str]) -> dict[str, Any]:
    out = {}
    for column in table.c:
        value = row[column.key]
        if value is None:
            pass
        elif column.primary_key or any(f.column.table.name in cloned for f in column.foreign_keys):
            value += k * ID_STEP
        elif isinstance(value, dt.date):  # dates and times (datetime is a date)
            value -= dt.timedelta(days=YEARS_BACK * k)
        elif column.key in ("serial", "number"):
            value = f"{value}/{k}"
        elif column.key == "year":  # keeps (year, seq) unique
            value -= 20 * k
        out[column.key] = value
    return out


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ten days of the demo station (over 100 visits), built through the services, with a pending
    handover."""
    path = tmp_path_factory.mktemp("counts") / "small.sqlite3"
    hashing = PasswordHashing(time_cost=1, memory_cost_kib=1024, parallelism=1)
    db = open_database(path)
    try:
        build_demo(db.sessions, days=10, seed=3, now=NOW, hashing=hashing)
        s = build_services(db.sessions, FixedClock(NOW), hashing)
        giver = s.auth.login(DEMO_OFFICERS[2][0], DEMO_PASSWORD)
        taker = s.auth.login(DEMO_OFFICERS[3][0], DEMO_PASSWORD)
        mine = [r for r in s.visits.open_matters(giver) if not r.pending_handover_to]
        s.visits.request_handover(giver, mine[0].id, mine[0].row_version, taker.officer_id, "轮休")
    finally:
        db.dispose()
    return path


def _station(path: Path) -> Iterator[Station]:
    db = open_database(path)
    s = build_services(db.sessions, FixedClock(NOW), PasswordHashing(1, 1024, 1))
    chief = s.auth.login(DEMO_OFFICERS[0][0], DEMO_PASSWORD)
    officer = s.auth.login(DEMO_OFFICERS[2][0], DEMO_PASSWORD)
    with db.sessions() as session:
        # A citizen of the demo's first day: the copies repeat them in every earlier year.
        first = session.scalars(select(Visit).order_by(Visit.id)).first()
        assert first is not None
        # The matter with the most history (notices, rectification, callbacks) for the case
        # file, so every one of its statements runs.
        rich = session.scalars(
            select(Visit.serial)
            .join(Rectification, Rectification.visit_id == Visit.id)
            .join(Notice, Notice.visit_id == Visit.id, isouter=True)
            .order_by(Notice.id.is_(None), Visit.id)
        ).first()
        probe = {
            "rich_serial": rich or first.serial,
            "id_number": first.id_number,
            "phone": first.phone,
            "serial": first.serial,
            "name": first.citizen_name,
            "surname": first.citizen_name[0],
        }
    yield Station(db, s, StatementCounter(db.engine), chief, officer, probe)
    db.dispose()


@pytest.fixture(scope="module")
def small(demo_file: Path) -> Iterator[Station]:
    """The demo station as built."""
    path = demo_file.with_name("small-copy.sqlite3")
    shutil.copy2(demo_file, path)
    yield from _station(path)


@pytest.fixture(scope="module")
def large(demo_file: Path) -> Iterator[Station]:
    """The same station with ten times the history."""
    yield from _grown(demo_file.with_name("large.sqlite3"), demo_file, _statistics_1m())


# What opening the 1M station left in sqlite_stat1 after migration 0020 (2026-12-04): visits
# analysed by db.maintenance (1,000 rows an index: a status is guessed to be 1 in 1,000
# visits), the transitions still fully analysed (a status is 1 in 8). Under these a year's
# statistics walked 900,000 completed visits' histories (4.3 s), and a month's visits were read
# through the name index, until every period query named its index (db.queries.sqlite_index).
SAMPLED_1M = {
    ("visit_transitions", "ix_visit_transitions_status_at_visit"): "3061473 382685 1 1",
    ("visit_transitions", "ix_visit_transitions_visit_id"): "3061473 4",
    ("visits", "ix_visits_date_figures"): "877344 251 53 10 2 1 1 1 1 1 1",
    ("visits", "ix_visits_date_name"): "734160 251 1 1",
    ("visits", "ix_visits_status_due"): "2286126 1001 154",
    ("visits", "ix_visits_id_figures"): "1152711 1 1 1 1 1",
}


@pytest.fixture(scope="module")
def sampled(demo_file: Path) -> Iterator[Station]:
    """Ten times the history, planned with the sampled statistics above."""
    rows = [
        {**row, "s": SAMPLED_1M.get((row["t"], row["i"]), row["s"])} for row in _statistics_1m()
    ]
    yield from _grown(demo_file.with_name("sampled.sqlite3"), demo_file, rows)


def _grown(path: Path, demo_file: Path, statistics: list[dict[str, str]]) -> Iterator[Station]:
    shutil.copy2(demo_file, path)
    db = open_database(path)
    grow(db.engine, COPIES)
    with db.engine.begin() as conn:
        # Years on, the copies' rectifications and callbacks are long finished.
        copies = Rectification.id > ID_STEP
        closed = {"state": "closed", "closed_at": Rectification.opened_at}
        conn.execute(update(Rectification).where(copies).values(closed))
        done = {"state": "unreachable", "closed_at": Callback.created_at}
        conn.execute(update(Callback).where(Callback.id > ID_STEP).values(done))
        # The planner believes it plans for a million visits: the plans below are those.
        conn.execute(text("ANALYZE"))
        conn.execute(text("DELETE FROM sqlite_stat1"))
        conn.execute(text("INSERT INTO sqlite_stat1 VALUES (:t, :i, :s)"), statistics)
    db.dispose()
    yield from _station(path)


def _statistics_1m() -> list[dict[str, str]]:
    lines = STATISTICS_1M.read_text(encoding="utf-8").splitlines()
    rows = [line.split("\t") for line in lines if line and not line.startswith("#")]
    return [{"t": table, "i": index, "s": stat} for table, index, stat in rows]


def _search(**filters: Any) -> Callable[[Station], object]:
    def run(st: Station) -> object:
        query = {k: st.probe.get(v, v) for k, v in filters.items()}
        return st.s.visits.search(st.officer, VisitQuery(limit=100, **query))

    return run


MONTH = TODAY - dt.timedelta(days=30)
TEN_YEARS = TODAY - dt.timedelta(days=3660)

LISTS: dict[str, Callable[[Station], object]] = {
    "today": lambda st: st.s.visits.today(st.chief),
    "open matters, mine": lambda st: st.s.visits.open_matters(st.officer),
    "open matters, everyone": lambda st: st.s.visits.open_matters(st.chief, everyone=True),
    "handovers, mine": lambda st: st.s.visits.handovers(st.officer),
    "handovers, everyone": lambda st: st.s.visits.handovers(st.chief, everyone=True),
    "matters without an owner": lambda st: st.s.visits.orphaned_matters(st.chief),
    "find citizen by ID number": lambda st: st.s.visits.find_citizen(
        st.officer, id_number=st.probe["id_number"]
    ),
    "find citizen by phone": lambda st: st.s.visits.find_citizen(
        st.officer, phone=st.probe["phone"]
    ),
    "search by ID number": _search(id_number="id_number"),
    "search by phone": _search(phone="phone"),
    "search by serial": _search(serial="serial"),
    "search by name, ten years": _search(name="name", date_from=TEN_YEARS, date_to=TODAY),
    "search by surname, a month": _search(name="surname", date_from=MONTH, date_to=TODAY),
    "search by surname, all years": _search(name="surname"),
    "search by dates": _search(date_from=MONTH, date_to=TODAY),
    "search by status": _search(status="completed"),
    "search, a later page": _search(offset=50),
    "search by officer": lambda st: st.s.visits.search(
        st.chief, VisitQuery(officer_id=st.officer.officer_id, limit=100)
    ),
    "rectifications, chief": lambda st: st.s.rectifications.rectifications(st.chief),
    "rectifications, rated officer": lambda st: st.s.rectifications.rectifications(st.officer),
    "callbacks, mine": lambda st: st.s.callbacks.worklist(st.officer, include_done=True),
    "callbacks, everyone": lambda st: st.s.callbacks.worklist(st.chief, everyone=True),
    "callbacks, everyone with done": lambda st: st.s.callbacks.worklist(
        st.chief, everyone=True, include_done=True
    ),
    "callback coverage, ten years": lambda st: st.s.callbacks.coverage(st.chief, TEN_YEARS, TODAY),
    "complaints, all": lambda st: st.s.complaints.list_complaints(st.chief),
    "complaints, a month": lambda st: st.s.complaints.list_complaints(
        st.chief, start=MONTH, end=TODAY
    ),
    "notice register, a month": lambda st: st.s.notices.register(st.officer, MONTH, TODAY),
    "notice register, ten years": lambda st: st.s.notices.register(st.officer, TEN_YEARS, TODAY),
    "notice completion, a month": lambda st: st.s.notices.completion(
        st.officer, MONTH, TODAY, "officer"
    ),
    "officers": lambda st: st.s.officers.list_officers(st.chief),
    # 办件档案: one matter's every table, each read once by the matter's keys.
    "case file": lambda st: st.s.case_files.document(st.chief, st.probe["rich_serial"]),
}
# A document of many sections runs one statement per section, never one per row.
MOST_FOR = {"case file": 20}


@pytest.mark.parametrize("name", list(LISTS))
def test_a_list_runs_the_same_few_statements_on_ten_times_the_history(
    name: str, small: Station, large: Station
) -> None:
    call = LISTS[name]

    counts = small.statements(call), large.statements(call)

    assert counts[0] == counts[1], f"{name}: {counts[0]} statements, then {counts[1]}"
    assert counts[0] <= MOST_FOR.get(name, MOST), "\n".join(small.sql.statements)


# Tables that grow with the years (and the aliases the services give them in joins).
HISTORY = {
    *(model.__tablename__ for model in CLONED),
    *("audit_events", "print_records", "signatures", "addenda", "day_reviews"),
    *("pending_handover", "on_site_rating", "given_rating", "follow_up"),
}
# Where the user asks for all of a table: the total of a search without filters (one narrow
# index, ~10 ms a million visits) and the complaints register without dates (~100 a year).
ASKS_FOR_ALL = {"search, a later page": "visits", "complaints, all": "complaints"}
# Newest first along the arrival index stops after the page: not a read of all visits.
NEWEST_FIRST = "INDEX ix_visits_arrived"


def _statements_of(station: Station, call: Callable[[Station], object]) -> list[tuple[str, Any]]:
    """The statements (with their parameters) ``call`` runs, for their query plans."""
    seen: list[tuple[str, Any]] = []

    def record(_c: Any, _cur: Any, statement: str, params: Any, _ctx: Any, _m: Any) -> None:
        seen.append((statement, params))

    event.listen(station.db.engine, "before_cursor_execute", record)
    try:
        call(station)
    finally:
        event.remove(station.db.engine, "before_cursor_execute", record)
    return seen


@pytest.mark.parametrize("name", list(LISTS))
def test_no_list_reads_a_whole_history_table(name: str, large: Station) -> None:
    seen = _statements_of(large, LISTS[name])

    with large.db.engine.connect() as conn:
        for statement, params in seen:
            if not statement.lstrip().upper().startswith("SELECT"):
                continue
            plan = [r[3] for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params)]
            scans = [
                p
                for p in plan
                if p.startswith("SCAN ")
                and p.split()[1] in HISTORY
                and p.split()[1] != ASKS_FOR_ALL.get(name)
                and not (NEWEST_FIRST in p and "LIMIT" in statement)
            ]
            assert not scans, f"{name} reads all of a table:\n{statement}\n{plan}"


# The statistics read a year's visits, finishings and ratings (~70,000 each on a million-visit
# station) and the visit each finishing, rating, notice or callback names: from these indexes
# alone, never a table row (issue 11, migration 0009). A column added to one of those queries
# but not to its index fails here, not as a statistics page twice as slow.
STATISTICS_COVERING = {
    "SEARCH visits USING COVERING INDEX ix_visits_date_figures (local_date>? AND local_date<?)",
    "SEARCH visit_transitions USING COVERING INDEX ix_visit_transitions_status_at_visit "
    "(to_status=? AND at>? AND at<?)",
    "SEARCH ratings USING COVERING INDEX ix_ratings_kind_date_figures "
    "(kind=? AND local_date>? AND local_date<?)",
    "SEARCH visits USING COVERING INDEX ix_visits_id_figures (id=?)",
}


def _reads_period_or_visit(line: str) -> bool:
    """A plan step of the statistics that must be one of STATISTICS_COVERING."""
    words = line.split()
    if words[:2] == ["SEARCH", "visits"]:
        return "local_date" in line or "(id=?)" in line
    return words[:2] in (["SEARCH", "visit_transitions"], ["SEARCH", "ratings"])


@pytest.mark.parametrize("planned_with", ["large", "sampled"])
def test_the_statistics_of_a_year_read_their_indexes_not_the_tables(
    planned_with: str, request: pytest.FixtureRequest
) -> None:
    large: Station = request.getfixturevalue(planned_with)
    seen = _statements_of(
        large,
        lambda st: st.s.statistics.compute(st.chief, TODAY - dt.timedelta(days=365), TODAY),
    )

    used: set[str] = set()
    with large.db.engine.connect() as conn:
        for statement, params in seen:
            if not statement.lstrip().upper().startswith("SELECT"):
                continue
            plan = [r[3] for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params)]
            for line in filter(_reads_period_or_visit, plan):
                assert line in STATISTICS_COVERING, f"reads table rows:\n{statement}\n{plan}"
                used.add(line)
    assert used == STATISTICS_COVERING


@pytest.mark.parametrize("planned_with", ["large", "sampled"])
def test_a_surname_over_a_month_is_answered_from_one_index(
    planned_with: str, request: pytest.FixtureRequest
) -> None:
    """The month's entries of ix_visits_date_name hold the name and the arrival: the page and
    its count come from that index alone, not from ~6,000 table rows (migration 0020)."""
    large: Station = request.getfixturevalue(planned_with)
    seen = _statements_of(large, _search(name="surname", date_from=MONTH, date_to=TODAY))

    with large.db.engine.connect() as conn:
        plans = [
            [r[3] for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params)]
            for statement, params in seen
            if "citizen_name LIKE" in statement
        ]
    assert len(plans) == 1
    reads = [line for line in plans[0] if line.startswith(("SEARCH visits", "SCAN visits"))]
    assert reads[0] == (
        "SEARCH visits USING COVERING INDEX ix_visits_date_name (local_date>? AND local_date<?)"
    ), plans[0]


def test_the_large_station_really_has_ten_times_the_history(small: Station, large: Station) -> None:
    def rows(st: Station, model: type) -> int:
        with st.db.engine.connect() as conn:
            return conn.execute(select(text("count(*)")).select_from(model)).scalar_one()

    for model in (Visit, Notice, Rectification, Callback, CallbackBatch, Complaint):
        assert rows(small, model) > 0
        assert rows(large, model) == (COPIES + 1) * rows(small, model)
    # What the lists show grows where it should (open matters and the ten-year searches) and
    # stays bounded where it should (today, recent ones).
    page = large.s.visits.search(large.officer, VisitQuery(id_number=small.probe["id_number"]))
    assert (
        page.total
        == (COPIES + 1)
        * small.s.visits.search(small.officer, VisitQuery(id_number=small.probe["id_number"])).total
    )
    assert len(large.s.visits.today(large.chief)) == len(small.s.visits.today(small.chief)) > 0
    assert len(small.s.rectifications.rectifications(small.chief)) > 0
    assert len(small.s.callbacks.worklist(small.chief, everyone=True)) > 0


def test_lists_show_finished_work_of_recent_weeks_only(small: Station, large: Station) -> None:
    rects = large.s.rectifications.rectifications(large.chief)
    closed = [r for r in rects if r.state == "closed"]
    # The copies' closed rectifications are years old: the list shows those of the demo only.
    assert len(closed) == sum(
        r.state == "closed" for r in small.s.rectifications.rectifications(small.chief)
    )
    everything = large.s.rectifications.rectifications(large.chief, closed_days=None)
    assert len(everything) > len(rects)
    done = large.s.callbacks.worklist(large.chief, everyone=True, include_done=True)
    assert all(r.state == "pending" or r.finished_on is not None for r in done)
    assert len(done) < len(
        large.s.callbacks.worklist(large.chief, everyone=True, include_done=True, done_days=None)
    )


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"status": "completed"},
        {"name": "surname", "date_from": MONTH, "date_to": TODAY},
        {"name": "surname"},
        {"date_from": MONTH, "date_to": TODAY},
        {"id_number": "id_number"},
    ],
    ids=["everything", "status", "surname and dates", "surname", "dates", "ID number"],
)
def test_search_pages_show_every_match_once_newest_first(
    filters: dict[str, Any], small: Station
) -> None:
    query = {k: small.probe.get(v, v) if isinstance(v, str) else v for k, v in filters.items()}

    def page(offset: int, limit: int) -> Any:
        return small.s.visits.search(small.officer, VisitQuery(offset=offset, limit=limit, **query))

    everything = page(0, 1000)
    pages = [page(offset, 7) for offset in range(0, everything.total, 7)]

    assert everything.total == len(everything.rows) > 0
    assert {p.total for p in pages} == {everything.total}
    assert [r.id for p in pages for r in p.rows] == [r.id for r in everything.rows]
    arrivals = [(r.arrived_at, r.id) for r in everything.rows]
    assert arrivals == sorted(arrivals, reverse=True)
    beyond = page(everything.total + 7, 7)
    assert (beyond.rows, beyond.total) == ((), everything.total)


# ---- planner statistics -----------------------------------------------------------------


def test_opening_a_database_leaves_the_planner_with_statistics(
    demo_file: Path, tmp_path: Path
) -> None:
    path = tmp_path / "no-stats.sqlite3"
    shutil.copy2(demo_file, path)
    db = open_database(path)
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS sqlite_stat1"))
        assert "visits" in tables_needing_statistics(conn)
    db.dispose()

    db = open_database(path)
    with db.engine.connect() as conn:
        stats = {r[0] for r in conn.execute(text("SELECT DISTINCT tbl FROM sqlite_stat1"))}
        assert {"visits", "visit_transitions", "audit_events"} <= stats
        assert tables_needing_statistics(conn) == []
    db.dispose()


@pytest.mark.sqlite_only("SQLite's planner statistics (sqlite_stat1); PostgreSQL's autovacuum")
def test_statistics_follow_the_tables_as_they_grow(db: Database) -> None:
    def due() -> list[str]:
        with db.engine.connect() as conn:
            return tables_needing_statistics(conn)

    assert due() == []  # an empty station needs none
    rows = [{"day": dt.date(2030, 1, 1) + dt.timedelta(days=i), "is_workday": False,
             "name": "测试", "created_at": NOW} for i in range(MIN_ANALYSED_ROWS)]  # fmt: skip
    with db.engine.begin() as conn:
        conn.execute(insert(_holidays()), rows)
    assert due() == ["holiday_overrides"]

    db.dispose()
    db = open_database(db.file)  # opening analyses what is due
    assert due() == []
    more = [{**r, "day": r["day"] + dt.timedelta(days=1000)} for r in rows]
    with db.engine.begin() as conn:
        conn.execute(insert(_holidays()), more)
    assert due() == ["holiday_overrides"]  # twice the rows the statistics describe
    with db.engine.begin() as conn:
        conn.execute(delete(_holidays()))
    db.dispose()


def _holidays() -> Any:
    return HolidayOverride.__table__


@pytest.mark.sqlite_only("SQLite's write lock at the start of several counters at once")
def test_a_start_while_another_counter_writes_skips_the_statistics_not_the_start(
    db: Database,
) -> None:
    """Several counters starting at once on one file: the planner statistics were due, another
    counter held the write lock, and ANALYZE's "database is locked" refused the start
    (数据库正被其他程序占用). Now the statistics wait for the next start; the start goes on."""
    import sqlite3

    from sqlalchemy import create_engine

    from db.maintenance import refresh_planner_statistics

    rows = [{"day": dt.date(2030, 1, 1) + dt.timedelta(days=i), "is_workday": False,
             "name": "测试", "created_at": NOW} for i in range(MIN_ANALYSED_ROWS)]  # fmt: skip
    with db.engine.begin() as conn:
        conn.execute(insert(_holidays()), rows)
    assert db.file is not None
    other = sqlite3.connect(db.file, isolation_level=None)
    # The same file through an engine that waits a tenth of a second, not the program's ten.
    impatient = create_engine(f"sqlite:///{db.file}", connect_args={"timeout": 0.1})
    try:
        other.execute("BEGIN IMMEDIATE")  # another counter is saving
        assert refresh_planner_statistics(impatient) == []
        other.execute("ROLLBACK")
        assert refresh_planner_statistics(impatient) == ["holiday_overrides"]
    finally:
        impatient.dispose()
        other.close()
