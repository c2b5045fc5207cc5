"""``stationdesk migrate-to``: a demo station on SQLite moved into a station database made by
``server init`` on a real PostgreSQL server: every row, the sealed data byte for byte, the
audit chain, the key; refused twice; a failure halfway leaves the target empty."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import func, select, text

from app import cli
from app.core.clock import FixedClock
from app.core.database import open_database
from app.core.identity import IdType
from app.core.passwords import PasswordHashing
from app.demo import DEMO_OFFICERS, DEMO_PASSWORD, build_demo
from app.integrity.service import check_database
from app.services import build_services
from app.station.move import MoveRefused, copy_tables, migrate_to
from app.station.server import ServerInitResult, init_server
from app.visits.dto import NameChoice, NewVisit
from db import pg_server_setup as pgs
from db.engine import make_engine
from db.models import Signature, Visit
from tests.pg_server import PgServer, pg_server  # noqa: F401  (the fixture)

NOW = dt.datetime(2026, 3, 20, 2, 30, tzinfo=dt.UTC)
CHEAP = PasswordHashing(time_cost=1, memory_cost_kib=1024, parallelism=1)


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo station of a few days (reviewed days locked, signatures, audit chain)."""
    path = tmp_path_factory.mktemp("move") / "station.sqlite3"
    db = open_database(path)
    try:
        build_demo(db.sessions, days=4, now=NOW, hashing=CHEAP)
    finally:
        db.dispose()
    return path


@pytest.fixture
def station(pg_server: PgServer) -> Iterator[ServerInitResult]:  # noqa: F811
    name = f"sd_{uuid.uuid4().hex[:10]}"
    result = init_server(pg_server.url("postgres"), name)
    yield result
    with psycopg.connect(pg_server._dsn("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]
        conn.execute(f'DROP ROLE IF EXISTS "{name}_app"')  # type: ignore[arg-type]
        conn.execute(f'DROP ROLE IF EXISTS "{name}_owner"')  # type: ignore[arg-type]


def _counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {
                t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in copy_tables()
            }
    finally:
        engine.dispose()


def _stored_signatures(url: str) -> list[tuple[int, bytes, str]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, png, strokes_json FROM signatures ORDER BY id"))
            return [(int(r[0]), bytes(r[1]), str(r[2])) for r in rows]
    finally:
        engine.dispose()


def _is_empty(url: str) -> bool:
    counts = _counts(url)
    return counts.pop("audit_head") == 1 and not any(counts.values())


def test_a_sqlite_station_moves_with_every_row_and_works_on_the_server(
    demo_file: Path,
    station: ServerInitResult,
) -> None:
    source_url = f"sqlite:///{demo_file}"
    before = _counts(source_url)
    assert before["visits"] > 20 and before["day_reviews"] >= 1 and before["signatures"] > 0

    out, err = io.StringIO(), io.StringIO()
    args = cli.build_parser().parse_args(["migrate-to", station.owner_url, "--db", str(demo_file)])
    assert cli.run(args, out, err) == 0, err.getvalue() + out.getvalue()
    summary = out.getvalue()
    assert f"数据表：{len(copy_tables())} 个，共 {sum(before.values())} 行" in summary
    assert f"逐表内容摘要一致：{len(copy_tables())}/{len(copy_tables())}" in summary
    assert "审计链：完整" in summary and "结论：搬迁完成，内容一致" in summary
    assert f"用户名 {station.counter.user}" in summary

    app_url = station.counter.url()
    assert _counts(app_url) == before
    assert _stored_signatures(app_url) == _stored_signatures(source_url)  # byte for byte
    engine = make_engine(app_url)
    with engine.connect() as conn:
        assert pgs.missing_triggers(conn) == []
    engine.dispose()

    # stationdesk check on the target, as a counter would run it.
    out = io.StringIO()
    assert cli.run(cli.build_parser().parse_args(["check", "--db", app_url]), out) == 0
    assert "审计链：完整" in out.getvalue()

    # A counter opens it (same key: nothing asked), reads sealed data, registers a visit.
    source = open_database(demo_file, create=False, migrate=False)
    with source.sessions() as session:
        first = session.scalars(select(Visit).order_by(Visit.id)).first()
        assert first is not None
        expected = (first.id, first.citizen_name, first.id_number, first.phone)
        signature = session.scalars(select(Signature).order_by(Signature.id)).first()
        assert signature is not None
        image = signature.png
    source.dispose()
    db = open_database(app_url)
    try:
        with db.sessions() as session:
            visit = session.get(Visit, expected[0])
            assert visit is not None
            assert (visit.id, visit.citizen_name, visit.id_number, visit.phone) == expected
            assert len(visit.id_number) == 18  # opened with the station key
            moved = session.get(Signature, signature.id)
            assert moved is not None and moved.png == image and image.startswith(b"\x89PNG")
        s = build_services(db.sessions, FixedClock(NOW), CHEAP, database=db)
        officer = s.auth.login(DEMO_OFFICERS[2][0], DEMO_PASSWORD)
        item = s.catalogue.list_items("HJ-CS")[0].item_id
        new = s.visits.register(
            officer,
            NewVisit(
                "新某",
                IdType.RESIDENT,
                "440308199001011239",
                "13805710011",
                item,
                name_choice=NameChoice.CURRENT,
            ),
        )
        with db.engine.connect() as conn:
            highest = conn.execute(text("SELECT max(id) FROM visits")).scalar_one()
        assert new.row.id == highest > expected[0]
        assert check_database(db).ok
    finally:
        db.dispose()


def test_a_second_move_and_a_wrong_target_are_refused(
    pg_server: PgServer,  # noqa: F811
    demo_file: Path,
    station: ServerInitResult,
) -> None:
    with pytest.raises(MoveRefused, match="不是本所数据表的所有者"):
        migrate_to(station.counter.url(), str(demo_file))
    assert _is_empty(station.counter.url())
    with pytest.raises(MoveRefused, match="还没有 StationDesk 的数据表"):
        migrate_to(pg_server.new_database("bare"), str(demo_file))
    assert migrate_to(station.owner_url, str(demo_file)).ok
    with pytest.raises(MoveRefused, match="已经有本所数据"):
        migrate_to(station.owner_url, str(demo_file))
    err = io.StringIO()
    args = cli.build_parser().parse_args(["migrate-to", station.owner_url, "--db", str(demo_file)])
    assert cli.run(args, io.StringIO(), err) == 1
    assert "已经有本所数据" in err.getvalue()


def test_a_failure_halfway_leaves_the_target_empty(
    pg_server: PgServer,  # noqa: F811
    demo_file: Path,
    station: ServerInitResult,
) -> None:
    # A rule the server holds that the last tables' rows break: the copy fails there, after
    # most tables were filled, and everything is rolled back.
    database = station.counter.database
    with psycopg.connect(pg_server._dsn(database), autocommit=True) as conn:
        conn.execute("ALTER TABLE visit_transitions ADD CONSTRAINT refuse_all CHECK (false)")
    with pytest.raises(MoveRefused, match="已整体撤销，目标数据库仍是空的"):
        migrate_to(station.owner_url, str(demo_file))
    assert _is_empty(station.counter.url())
    engine = make_engine(station.owner_url)
    with engine.connect() as conn:
        assert pgs.missing_triggers(conn) == []  # switched on again by the rollback
        assert conn.execute(text("SELECT last_id FROM audit_head")).scalar_one() == 0
    engine.dispose()
    with psycopg.connect(pg_server._dsn(database), autocommit=True) as conn:
        conn.execute("ALTER TABLE visit_transitions DROP CONSTRAINT refuse_all")
    assert migrate_to(station.owner_url, str(demo_file)).ok
