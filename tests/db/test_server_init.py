"""``stationdesk server init`` / ``server upgrade`` on a real PostgreSQL server: the roles, the
application role's least privilege (it works the counter, it cannot change the schema or the
audit trail), refusals, a failed init leaving nothing, and a database behind the program."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app import cli
from app.core.clock import FixedClock
from app.core.database import open_database
from app.core.errors import DatabaseProblem
from app.core.identity import IdType
from app.core.passwords import PasswordHashing
from app.core.roles import Role
from app.integrity.service import check_database
from app.officers.dto import NewOfficer
from app.services import build_services
from app.station.dto import StationSettings
from app.station.server import (
    ServerInitResult,
    ServerSetupError,
    init_server,
    upgrade_server,
)
from app.visits.dto import NewVisit
from db import pg_server_setup as pgs
from db.engine import make_engine
from db.migrate import current_revision, head_revision
from tests.pg_server import PgServer, pg_server  # noqa: F401  (the fixture)

NOW = dt.datetime(2026, 3, 20, 2, 30, tzinfo=dt.UTC)
CHEAP = PasswordHashing(time_cost=1, memory_cost_kib=1024, parallelism=1)
PASSWORD = "Secret123"


def _name() -> str:
    return f"sd_{uuid.uuid4().hex[:10]}"


def _admin(server: PgServer, sql: str) -> list[tuple[object, ...]]:
    """Run ``sql`` as the test server's superuser (autocommit) on the postgres database."""
    with psycopg.connect(server._dsn("postgres"), autocommit=True) as conn:
        cur = conn.execute(sql)  # type: ignore[arg-type]
        return list(cur.fetchall()) if cur.description else []


def _in_db(server: PgServer, database: str, sql: str) -> list[tuple[object, ...]]:
    with psycopg.connect(server._dsn(database), autocommit=True) as conn:
        cur = conn.execute(sql)  # type: ignore[arg-type]
        return list(cur.fetchall()) if cur.description else []


def _exists(server: PgServer, database: str, owner: str, app: str) -> tuple[bool, bool, bool]:
    rows = _admin(
        server,
        f"SELECT (SELECT count(*) FROM pg_database WHERE datname = '{database}'),"
        f" (SELECT count(*) FROM pg_roles WHERE rolname = '{owner}'),"
        f" (SELECT count(*) FROM pg_roles WHERE rolname = '{app}')",
    )
    return bool(rows[0][0]), bool(rows[0][1]), bool(rows[0][2])


@pytest.fixture
def station(pg_server: PgServer) -> Iterator[ServerInitResult]:  # noqa: F811
    """A station database prepared by ``server init`` (dropped with its roles afterwards)."""
    name = _name()
    result = init_server(pg_server.url("postgres"), name)
    yield result
    _admin(pg_server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(pg_server, f'DROP ROLE IF EXISTS "{name}_app"')
    _admin(pg_server, f'DROP ROLE IF EXISTS "{name}_owner"')


def test_init_makes_the_roles_and_a_migrated_database_owned_by_the_owner(
    pg_server: PgServer,  # noqa: F811
    station: ServerInitResult,
) -> None:
    db, app, owner = station.counter.database, station.counter.user, station.owner
    assert (app, owner) == (f"{db}_app", f"{db}_owner")
    roles = dict(
        (str(r[0]), r[1:])
        for r in _admin(
            pg_server,
            "SELECT rolname, rolsuper, rolcreatedb, rolcreaterole, rolcanlogin FROM pg_roles"
            f" WHERE rolname IN ('{app}', '{owner}')",
        )
    )
    assert roles == {app: (False, False, False, True), owner: (False, False, False, True)}
    assert _admin(
        pg_server,
        f"SELECT pg_get_userbyid(datdba), datcollate FROM pg_database WHERE datname = '{db}'",
    ) == [(owner, "C")]
    owners = _in_db(
        pg_server,
        db,
        "SELECT DISTINCT pg_get_userbyid(c.relowner) FROM pg_class c JOIN pg_namespace n"
        " ON n.oid = c.relnamespace WHERE n.nspname = 'public'",
    )
    assert owners == [(owner,)]
    engine = make_engine(station.counter.url())
    try:
        assert current_revision(engine) == head_revision()
        with engine.connect() as conn:
            assert pgs.missing_triggers(conn) == []
            assert pgs.privilege_problems(conn, app) == []
            # No station key yet: the first counter makes it.
            assert conn.execute(text("SELECT count(*) FROM station_key")).scalar_one() == 0
    finally:
        engine.dispose()
    assert station.triggers == {"append_only": 2, "frozen": 6, "day_lock": 7}
    assert station.login_problem == ""
    # PUBLIC (any other login of the server) may not even connect.
    _admin(pg_server, "CREATE ROLE sd_stranger LOGIN PASSWORD 'Stranger-2026'")
    try:
        url = make_url(station.counter.url()).set(username="sd_stranger", password="Stranger-2026")
        stranger = make_engine(url.render_as_string(hide_password=False))
        with pytest.raises(Exception, match="permission denied for database"):
            stranger.connect().close()
        stranger.dispose()
    finally:
        _admin(pg_server, "DROP ROLE sd_stranger")


def test_the_application_role_runs_the_counter_but_cannot_change_schema_or_audit(
    station: ServerInitResult,
) -> None:
    db = open_database(station.counter.url())  # the first counter: makes the station key
    try:
        s = build_services(db.sessions, FixedClock(NOW), CHEAP, database=db)
        chief = s.station.initialize(
            StationSettings(name="测试市公安局测试分局和平路派出所", code="HPL"),
            NewOfficer("100001", "王所长", Role.CHIEF, PASSWORD),
        )
        s.officers.add_officer(
            chief, NewOfficer("200001", "张民警", Role.WINDOW, PASSWORD, must_change_password=False)
        )
        officer = s.auth.login("200001", PASSWORD)
        item = s.catalogue.list_items("HJ-CS")[0].item_id
        visit = s.visits.register(
            officer, NewVisit("李某", IdType.RESIDENT, "440308199001011239", "13805710011", item)
        )
        assert visit.row.serial.endswith("000001")
        assert check_database(db).ok
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT current_user")).scalar_one() == station.counter.user
            events = conn.execute(text("SELECT count(*) FROM audit_events")).scalar_one()
            assert events > 0
        refused = [
            "DROP TABLE visits",
            "ALTER TABLE visits ADD COLUMN note2 text",
            "TRUNCATE visits",
            "TRUNCATE audit_events",
            "UPDATE audit_events SET action = 'x'",
            "DELETE FROM audit_events",
            "UPDATE audit_seals SET row_hash = ''",
            "DELETE FROM audit_seals",
            "DELETE FROM day_reviews",
            "UPDATE alembic_version SET version_num = '0001'",
            "CREATE TABLE mine (x integer)",
            "CREATE FUNCTION f() RETURNS integer LANGUAGE sql AS 'SELECT 1'",
            "ALTER TABLE audit_events DISABLE TRIGGER USER",
            "DROP TRIGGER audit_events_append_only ON audit_events",
        ]
        for statement in refused:
            with db.engine.connect() as conn, pytest.raises(Exception) as caught:
                conn.execute(text(statement))
            sqlstate = getattr(getattr(caught.value, "orig", None), "sqlstate", None)
            # 42501 insufficient_privilege; 42501/42P01 are never a trigger's message.
            assert sqlstate == "42501", (statement, caught.value)
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM audit_events")).scalar_one() == events
    finally:
        db.dispose()


def test_init_twice_and_init_over_existing_roles_are_refused_without_a_change(
    pg_server: PgServer,  # noqa: F811
    station: ServerInitResult,
) -> None:
    name = station.counter.database
    with pytest.raises(ServerSetupError, match=f"已有名为 {name} 的数据库"):
        init_server(pg_server.url("postgres"), name)
    assert _exists(pg_server, name, f"{name}_owner", f"{name}_app") == (True, True, True)
    # The same through the command line: one Chinese line, exit code 1.
    out, err = io.StringIO(), io.StringIO()
    args = cli.build_parser().parse_args(
        ["server", "init", "--admin-url", pg_server.url("postgres"), "--database", name]
    )
    assert cli.run(args, out, err) == 1
    assert "已有名为" in err.getvalue() and "Traceback" not in err.getvalue()
    # Roles left behind by someone: refused before a database is made.
    other = _name()
    _admin(pg_server, f'CREATE ROLE "{other}_app"')
    try:
        with pytest.raises(ServerSetupError, match=f"已有账号 {other}_app"):
            init_server(pg_server.url("postgres"), other)
        assert _exists(pg_server, other, f"{other}_owner", f"{other}_app") == (False, False, True)
    finally:
        _admin(pg_server, f'DROP ROLE "{other}_app"')


def test_the_cli_prints_what_each_counter_needs(pg_server: PgServer) -> None:  # noqa: F811
    name = _name()
    out, err = io.StringIO(), io.StringIO()
    args = cli.build_parser().parse_args(
        [
            "server",
            "init",
            "--admin-url",
            pg_server.url("postgres"),
            "--database",
            name,
            "--address",
            "10.1.2.3",
        ]
    )
    try:
        assert cli.run(args, out, err) == 0, err.getvalue()
        text_out = out.getvalue()
        for label in ("服务器地址：10.1.2.3", f"端口：{pg_server.port}", f"数据库名：{name}"):
            assert label in text_out
        assert f"用户名：{name}_app" in text_out
        assert "是否加密（TLS）：否" in text_out
        password = text_out.split("密码：", 1)[1].split("\n", 1)[0]
        assert len(password) == 20
        assert "密钥恢复单" in text_out and "stationdesk migrate-to" in text_out
        # --tls on a server without ssl: refused before anything is made.
        tls = cli.build_parser().parse_args(
            ["server", "init", "--tls", "--admin-url", pg_server.url("postgres")]
        )
        err = io.StringIO()
        assert cli.run(tls, io.StringIO(), err) == 1
        assert "ssl = off" in err.getvalue()
    finally:
        _admin(pg_server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _admin(pg_server, f'DROP ROLE IF EXISTS "{name}_app"')
        _admin(pg_server, f'DROP ROLE IF EXISTS "{name}_owner"')


def test_an_administrator_with_createrole_and_createdb_and_a_failed_init(
    pg_server: PgServer,  # noqa: F811
) -> None:
    """The non-superuser path works; an init that fails halfway drops what it made."""
    admin = f"sd_admin_{uuid.uuid4().hex[:6]}"
    _admin(pg_server, f"CREATE ROLE {admin} LOGIN CREATEROLE CREATEDB PASSWORD 'Admin-2026-x'")
    url = make_url(pg_server.url("postgres")).set(username=admin, password="Admin-2026-x")
    admin_url = url.render_as_string(hide_password=False)
    good, bad = _name(), _name()
    try:
        result = init_server(admin_url, good)
        engine = make_engine(result.counter.url())
        with engine.connect() as conn:
            assert pgs.privilege_problems(conn, result.counter.user) == []
            assert pgs.missing_triggers(conn) == []
        engine.dispose()
        # One connection only: init's second connection (to the new database) fails.
        _admin(pg_server, f"ALTER ROLE {admin} CONNECTION LIMIT 1")
        with pytest.raises(ServerSetupError, match="too many connections"):
            init_server(admin_url, bad)
        assert _exists(pg_server, bad, f"{bad}_owner", f"{bad}_app") == (False, False, False)
    finally:
        for name in (good, bad):
            _admin(pg_server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            _admin(pg_server, f'DROP ROLE IF EXISTS "{name}_app"')
            _admin(pg_server, f'DROP ROLE IF EXISTS "{name}_owner"')
        _admin(pg_server, f"DROP ROLE IF EXISTS {admin}")


def test_a_database_behind_the_program_is_upgraded_by_the_administrator_only(
    pg_server: PgServer,  # noqa: F811
    station: ServerInitResult,
    tmp_path: Path,
) -> None:
    db = open_database(station.counter.url())
    try:
        s = build_services(db.sessions, FixedClock(NOW), CHEAP, database=db)
        s.station.initialize(
            StationSettings(name="测试市公安局测试分局和平路派出所", code="HPL"),
            NewOfficer("100001", "王所长", Role.CHIEF, PASSWORD),
        )
    finally:
        db.dispose()
    # The station as an older program left it: the last migration undone by its owner.
    from alembic import command

    from db.migrate import alembic_config, migrating

    owner = make_engine(station.owner_url)
    with migrating(owner) as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "-1")
    before = current_revision(owner)
    owner.dispose()
    assert before is not None and before != head_revision()

    with pytest.raises(DatabaseProblem) as refused:
        open_database(station.counter.url())
    assert "stationdesk server upgrade" in refused.value.message
    assert f"旧版本的结构（{before}）" in refused.value.message
    engine = make_engine(station.counter.url())
    assert current_revision(engine) == before  # untouched
    engine.dispose()

    # The counter's role may not upgrade it either way.
    with pytest.raises(ServerSetupError, match="不是本所数据表的所有者"):
        upgrade_server(station.counter.url(), tmp_path)

    result = upgrade_server(station.owner_url, tmp_path)
    assert (result.before, result.after) == (before, head_revision())
    assert result.backup is not None and result.backup.read_bytes().startswith(b"PGDMP")
    assert result.backup.name.startswith("HPL-") and "before_upgrade" in result.backup.name
    assert result.app_roles == (station.counter.user,)
    db = open_database(station.counter.url())
    try:
        report = check_database(db)
        # Undoing 0019 dropped the station's redress settings (a downgrade loses the columns it
        # removes), so only that row no longer matches its seal; nothing the upgrade did.
        problems = [line for line in report.lines if "内部编号" in line]
        assert all(line.startswith("本所设置") for line in problems), report.lines
        with db.engine.connect() as conn:
            assert pgs.privilege_problems(conn, station.counter.user) == []
    finally:
        db.dispose()
    # Once more: nothing to do, no backup.
    again = upgrade_server(station.owner_url, tmp_path)
    assert again.before == again.after and again.backup is None
