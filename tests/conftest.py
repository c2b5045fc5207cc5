"""Shared fixtures: offscreen Qt, a real migrated SQLite file per test, services and users."""

from __future__ import annotations

import datetime as dt
import gc
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.clock import FixedClock
from app.core.database import Database, open_database
from app.core.dto import SessionUser
from app.core.passwords import PasswordHashing
from app.core.roles import Role
from app.officers.dto import NewOfficer
from app.services import Services, build_services
from app.station.dto import StationSettings
from tests.pg_server import PgServer, pg_server  # noqa: F401  (the fixture)
from tests.pg_template import PgTemplate, engines_to_test

TEST_PASSWORD = "Secret123"
# 2025-09-29 10:00 in Beijing, just before the National Day holiday.
TEST_START = dt.datetime(2025, 9, 29, 2, 0, tzinfo=dt.UTC)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--onscreen", action="store_true", help="show Qt widgets on a real display")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests of the database run on SQLite and on PostgreSQL (see the ``db`` fixture).

    A test that names the database file (``db_path``) is about SQLite's file and runs on
    SQLite only, as does one marked ``@pytest.mark.sqlite_only`` (with the reason).
    """
    if "db_engine" not in metafunc.fixturenames:
        return
    sqlite_only = (
        "db_path" in metafunc.fixturenames
        or metafunc.definition.get_closest_marker("sqlite_only") is not None
    )
    engines = ["sqlite"] if sqlite_only else engines_to_test()
    metafunc.parametrize("db_engine", engines)


@pytest.fixture(scope="session")
def pg_template(pg_server: PgServer) -> PgTemplate:  # noqa: F811  (the fixture)
    """A migrated empty station database on the test server, copied for each test."""
    return PgTemplate.make(pg_server)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only(reason): the test is about SQLite itself (files, pragmas)"
    )
    # Before pytest-qt creates the QApplication; without a display Qt would abort the process.
    if not config.getoption("--onscreen"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    # As in the application (ui.garbage): never let the cyclic collector run on a worker
    # thread, where it could destroy widgets of earlier tests and abort the process.
    gc.disable()
    # Station keys of the tests' databases go to a folder of their own, never the credential
    # store or the user's key folder (the environment carries over to the CLI subprocesses).
    os.environ["STATIONDESK_KEY_DIR"] = tempfile.mkdtemp(prefix="stationdesk-test-keys-")
    os.environ["STATIONDESK_KEYRING"] = "0"
    # This PC's settings (窗口号, the saved server) likewise: never the developer's own.
    os.environ["STATIONDESK_CONFIG_DIR"] = tempfile.mkdtemp(prefix="stationdesk-test-config-")


def pytest_unconfigure(config: pytest.Config) -> None:
    """The key folder goes with the run (each process made its own; none was left behind)."""
    for name in ("STATIONDESK_KEY_DIR", "STATIONDESK_CONFIG_DIR"):
        folder = os.environ.get(name, "")
        if Path(folder).name.startswith(("stationdesk-test-keys-", "stationdesk-test-config-")):
            shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(autouse=True)
def _collect_on_the_main_thread() -> Iterator[None]:
    yield
    gc.collect()
    # What is still alive now is the session's (the QApplication, module state, fixtures of
    # wider scope): later collections need not walk it again. Without this each collection
    # walked the whole grown heap, seconds per test late in a worker's run.
    gc.freeze()


@pytest.fixture(autouse=True)
def _forget_chain_anchors() -> Iterator[None]:
    """Copies of one demo file share its key: a head one test kept must not judge the next."""
    yield
    for anchor in Path(os.environ["STATIONDESK_KEY_DIR"]).glob("*.anchor"):
        anchor.unlink(missing_ok=True)


@pytest.fixture
def clock() -> FixedClock:
    """A clock the test moves by hand."""
    return FixedClock(TEST_START)


@pytest.fixture
def hashing() -> PasswordHashing:
    """Argon2id with cheap parameters: the same code path, fast enough for many tests."""
    return PasswordHashing(time_cost=1, memory_cost_kib=1024, parallelism=1)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where the test's database file lives."""
    return tmp_path / "station.sqlite3"


@pytest.fixture
def db_engine() -> str:
    """Which engine the test's database runs on (parametrized by ``pytest_generate_tests``)."""
    return "sqlite"


@pytest.fixture
def db(request: pytest.FixtureRequest, db_engine: str) -> Iterator[Database]:
    """A migrated, empty database: a real SQLite file, or a real PostgreSQL database.

    Every test that uses it runs twice, ``[sqlite]`` and ``[postgresql]``, unless it names
    the file (``db_path``) or is marked ``sqlite_only``: see ``pytest_generate_tests``.
    The PostgreSQL database is a copy of one migrated per worker (``CREATE DATABASE …
    TEMPLATE``), dropped after the test.
    """
    if db_engine == "sqlite":
        database = open_database(request.getfixturevalue("db_path"))
        yield database
        database.dispose()
        return
    template: PgTemplate = request.getfixturevalue("pg_template")
    url = template.copy()
    database = open_database(url)
    try:
        yield database
    finally:
        database.dispose()
        template.drop(url)


@pytest.fixture
def services(db: Database, clock: FixedClock, hashing: PasswordHashing) -> Services:
    """Every service over the test database."""
    return build_services(db.sessions, clock, hashing)


@pytest.fixture
def chief(services: Services) -> SessionUser:
    """An initialised station whose first account is the chief (所长)."""
    return services.station.initialize(
        StationSettings(name="测试市公安局测试分局和平路派出所", code="HPL"),
        NewOfficer("100001", "王所长", Role.CHIEF, TEST_PASSWORD),
    )


@pytest.fixture
def make_officer(services: Services, chief: SessionUser):  # type: ignore[no-untyped-def]
    """Factory: add an officer with a role and log them in."""

    counter = iter(range(200001, 299999))

    def make(role: Role = Role.WINDOW, name: str = "张民警") -> SessionUser:
        badge = str(next(counter))
        services.officers.add_officer(
            chief, NewOfficer(badge, name, role, TEST_PASSWORD, must_change_password=False)
        )
        return services.auth.login(badge, TEST_PASSWORD)

    return make


class StatementCounter:
    """Counts the SQL statements an engine runs inside ``with counter:`` blocks."""

    def __init__(self, engine: object) -> None:
        self._engine = engine
        self.statements: list[str] = []
        self._on = False

        from sqlalchemy import event

        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn, _cursor, statement, _params, _context, _many) -> None:  # type: ignore[no-untyped-def]
        if self._on:
            self.statements.append(statement)

    def __enter__(self) -> StatementCounter:
        self.statements = []
        self._on = True
        return self

    def __exit__(self, *_exc: object) -> None:
        self._on = False

    @property
    def count(self) -> int:
        """Statements seen in the last block."""
        return len(self.statements)


@pytest.fixture
def sql(db: Database) -> StatementCounter:
    """``with sql: call()`` then ``sql.count``: how many statements a use case runs."""
    return StatementCounter(db.engine)
