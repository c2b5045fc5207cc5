"""When the station server goes away (issue 13): a save is refused in Chinese and nothing is
half-written, the listener reports the loss, and once the server is back the counter carries
on by itself (pooled connections replaced, the listener reconnected) without a restart.

The cluster is this test's own, stopped and started again mid-test."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from app.core.clock import FixedClock
from app.core.database import SERVER_LOST_MESSAGE, open_database
from app.core.errors import ServerUnavailable
from app.core.identity import IdType
from app.core.passwords import PasswordHashing
from app.core.roles import Role
from app.officers.dto import NewOfficer
from app.services import build_services
from app.station.dto import StationSettings
from app.visits.dto import NameChoice, NewVisit
from db.models import Visit, VisitTransition
from db.pg_notify import ChangeListener
from tests.conftest import TEST_START
from tests.pg_server import PgServer, _as_server_user, _binary, start_server

CHEAP = PasswordHashing(time_cost=1, memory_cost_kib=1024, parallelism=1)


class _Cluster:
    def __init__(self, server: PgServer) -> None:
        self.server = server
        self._pg_ctl = _binary("pg_ctl")
        self._drop = _as_server_user()[0]

    def _ctl(self, *args: str) -> None:
        assert self._pg_ctl is not None
        subprocess.run(
            [self._pg_ctl, "-D", str(self.server.folder / "data"), *args],
            check=True,
            capture_output=True,
            preexec_fn=self._drop,
            timeout=60,
        )

    def stop(self) -> None:
        self._ctl("-m", "fast", "-w", "stop")

    def start(self) -> None:
        folder, port = self.server.folder, self.server.port
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._ctl("-l", str(folder / "server.log"), "-o", options, "-w", "-t", "60", "start")


@pytest.fixture
def cluster() -> Iterator[_Cluster]:
    server, reason, stop = start_server()
    if server is None:
        stop()
        pytest.skip(f"no PostgreSQL server for the test: {reason}")
    try:
        yield _Cluster(server)
    finally:
        stop()


def _walk_in(name: str, item: int) -> NewVisit:
    return NewVisit(
        name,
        IdType.RESIDENT,
        "11010519491231002X",
        "13805710011",
        item,
        name_choice=NameChoice.CURRENT,
    )


def test_a_counter_survives_the_server_going_away_and_coming_back(cluster: _Cluster) -> None:
    db = open_database(cluster.server.new_database("lost"))
    states: list[bool] = []
    changed = threading.Event()
    listener = ChangeListener(
        db.engine.url, lambda _t: changed.set(), states.append, own_token="another"
    )
    try:
        s = build_services(db.sessions, FixedClock(TEST_START), CHEAP, database=db)
        chief = s.station.initialize(
            StationSettings(name="测试派出所", code="HPL"),
            NewOfficer("100001", "王所长", Role.CHIEF, "Secret123"),
        )
        s.officers.add_officer(
            chief,
            NewOfficer("200001", "张民警", Role.WINDOW, "Secret123", must_change_password=False),
        )
        officer = s.auth.login("200001", "Secret123")
        item = s.catalogue.list_items("SFZ-SL")[0].item_id
        first = s.visits.register(officer, _walk_in("李四光", item))
        listener.start()
        _wait(lambda: states == [True])

        cluster.stop()
        with pytest.raises(ServerUnavailable) as refused:
            s.visits.register(officer, _walk_in("王五", item))
        assert refused.value.message == SERVER_LOST_MESSAGE
        assert (
            "没有保存任何内容" in refused.value.message
            and "已填写的内容仍在" in refused.value.message
        )
        with pytest.raises(ServerUnavailable):  # a list, too: no traceback, the same words
            s.visits.today(officer)
        _wait(lambda: states[-1] is False)

        cluster.start()
        # Back by itself: the listener reconnects, the next save goes through on a new
        # connection, and the refused one left nothing behind.
        _wait(lambda: states[-1] is True, seconds=15)
        assert states == [True, False, True]
        again = s.visits.register(officer, _walk_in("王五", item))
        assert again.row.serial.endswith("00002")  # no number lost to the refused save
        with db.sessions() as session:
            assert session.scalar(select(func.count()).select_from(Visit)) == 2
            assert session.scalar(select(func.count()).select_from(VisitTransition)) == 2
        assert first.row.serial.endswith("00001")
    finally:
        listener.stop()
        db.dispose()


def _wait(condition, seconds: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
