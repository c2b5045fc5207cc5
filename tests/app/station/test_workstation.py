"""This PC's settings (窗口号, the station server) and the test of a server connection, on a
real PostgreSQL server."""

from __future__ import annotations

import json
import socket
import stat
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.core.database import open_database
from app.core.errors import DatabaseProblem, ValidationError, ValidationErrors
from app.core.roles import Role
from app.officers.dto import NewOfficer
from app.services import build_services
from app.station import workstation
from app.station.dto import StationSettings
from app.station.workstation import (
    ServerConnection,
    ServerPasswordMissing,
    Workstation,
    WorkstationProblem,
    load_password,
    load_workstation,
    save_workstation,
    saved_target,
    validate_counter,
    validate_server,
)
from db.migrate import head_revision, known_revisions
from tests.conftest import TEST_PASSWORD
from tests.pg_server import PgServer, pg_server  # noqa: F401  (the fixture)

SERVER = ServerConnection("192.168.1.10", 5433, "stationdesk", "stationdesk_app", tls=True)
# Every sign a URL must quote, and some Chinese.
ODD_PASSWORD = "p@ss:/w%rd?#&=密码"
ONLY_LETTERS = "窗口号只能由汉字、字母和数字组成，不含空格和符号（如 1号窗口、户籍2、出入境）。"


@pytest.fixture(autouse=True)
def _own_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings and key files of this test in folders of its own."""
    monkeypatch.setenv(workstation.CONFIG_DIR_ENV, str(tmp_path / "config"))
    monkeypatch.setenv("STATIONDESK_KEY_DIR", str(tmp_path / "keys"))


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_nothing_saved_means_no_counter_and_no_server() -> None:
    assert load_workstation() == Workstation("", None)
    assert saved_target() is None


def test_round_trip_keeps_the_password_out_of_the_file(tmp_path: Path) -> None:
    saved = save_workstation(Workstation("１号窗口", SERVER), ODD_PASSWORD)

    assert saved.counter == "1号窗口"  # full-width digits kept plain
    assert load_workstation() == Workstation("1号窗口", SERVER)
    file = tmp_path / "config" / "workstation.json"
    content = file.read_text(encoding="utf-8")
    assert ODD_PASSWORD not in content and "p@ss" not in content
    assert json.loads(content)["server"]["host"] == "192.168.1.10"
    assert _mode(file) == 0o600
    # STATIONDESK_KEYRING=0 (tests): the password waits in an owner-only file of the key folder.
    (password_file,) = (tmp_path / "keys").glob("server-*.password")
    assert _mode(password_file) == 0o600
    assert load_password(SERVER) == ODD_PASSWORD
    url = make_url(saved_target() or "")
    assert url.drivername == "postgresql+psycopg"
    assert (url.host, url.port, url.database) == ("192.168.1.10", 5433, "stationdesk")
    assert (url.username, url.password) == ("stationdesk_app", ODD_PASSWORD)
    assert url.query["sslmode"] == "require"


def test_tls_off_still_encrypts_when_the_server_offers_it() -> None:
    plain = ServerConnection("server.local")
    url = make_url(plain.url("pw"))

    assert url.query["sslmode"] == "prefer"
    assert (url.port, url.database, url.username) == (5432, "stationdesk", "stationdesk_app")


def test_another_server_forgets_the_old_password(tmp_path: Path) -> None:
    save_workstation(Workstation("户籍2", SERVER), "old-Password1")
    other = ServerConnection("192.168.1.20")
    save_workstation(Workstation("户籍2", other), "new-Password2")

    assert load_password(SERVER) is None
    assert load_password(other) == "new-Password2"
    save_workstation(Workstation("户籍2", None))

    assert load_password(other) is None
    assert list((tmp_path / "keys").glob("server-*")) == []
    assert saved_target() is None


def test_changing_only_the_counter_keeps_the_password() -> None:
    save_workstation(Workstation("1号窗口", SERVER), "Password1")
    save_workstation(Workstation("2号窗口", SERVER))

    assert load_workstation().counter == "2号窗口"
    assert load_password(SERVER) == "Password1"


def test_a_lost_password_is_asked_for(tmp_path: Path) -> None:
    save_workstation(Workstation("1号窗口", SERVER), "Password1")
    for file in (tmp_path / "keys").glob("server-*.password"):
        file.unlink()

    with pytest.raises(ServerPasswordMissing) as caught:
        saved_target()

    assert caught.value.server == SERVER
    assert "192.168.1.10:5433/stationdesk" in caught.value.message


def test_a_damaged_file_is_named(tmp_path: Path) -> None:
    file = tmp_path / "config" / "workstation.json"
    file.parent.mkdir()
    file.write_text('{"counter": "1号窗口", "server": {"host": ', encoding="utf-8")

    with pytest.raises(WorkstationProblem) as caught:
        load_workstation()

    assert str(file) in caught.value.message and "已损坏" in caught.value.message
    save_workstation(Workstation("1号窗口", None))  # the way out: save again
    assert load_workstation() == Workstation("1号窗口", None)


def test_an_invalid_counter_saves_nothing(tmp_path: Path) -> None:
    with pytest.raises(ValidationError):
        save_workstation(Workstation("1 号", SERVER), "Password1")

    assert not (tmp_path / "config").exists()
    assert load_password(SERVER) is None


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("1号窗口", "1号窗口"),
        ("户籍2", "户籍2"),
        (" 出入境 ", "出入境"),
        ("Ａ３", "A3"),
        ("综合", "综合"),
    ],
)
def test_counter_numbers_allowed(typed: str, kept: str) -> None:
    assert validate_counter(typed) == kept


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "请填写本机的窗口号（如 1号窗口、户籍2、出入境）。"),
        ("   ", "请填写本机的窗口号（如 1号窗口、户籍2、出入境）。"),
        ("第一号综合业务窗口", "窗口号最多 8 个字（现为 9 个），如 1号窗口、户籍2、出入境。"),
        ("1 号", "窗口号只能由汉字、字母和数字组成，不含空格和符号（如 1号窗口、户籍2、出入境）。"),
        (
            "户籍-2",
            "窗口号只能由汉字、字母和数字组成，不含空格和符号（如 1号窗口、户籍2、出入境）。",
        ),
    ],
)
def test_counter_numbers_refused(typed: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_counter(typed)

    assert caught.value.message == message
    assert caught.value.field == "counter"


def test_every_wrong_server_field_is_named_at_once() -> None:
    with pytest.raises(ValidationErrors) as caught:
        validate_server("http://x", "70000", "", "app user", "", tls=False)

    fields = [field for field, _message in caught.value.fields]
    assert fields == ["host", "port", "database", "user", "password"]
    messages = dict(caught.value.fields)
    assert messages["port"] == "端口应为 1–65535 之间的数字（PostgreSQL 默认 5432）。"
    assert messages["database"] == "请填写数据库名（管理员设置服务器时给出）。"


def test_server_fields_are_trimmed() -> None:
    assert validate_server(" 10.0.0.5 ", "５４３２", " stationdesk ", " app ", "pw", True) == (
        ServerConnection("10.0.0.5", 5432, "stationdesk", "app", True)
    )


# ---- test_connection against a real server --------------------------------------------------


def _connection(url: str) -> tuple[ServerConnection, str]:
    parsed = make_url(url)
    assert parsed.host and parsed.port and parsed.database and parsed.username
    server = ServerConnection(parsed.host, parsed.port, parsed.database, parsed.username)
    return server, str(parsed.password)


def _problem(server: ServerConnection, password: str) -> DatabaseProblem:
    with pytest.raises(DatabaseProblem) as caught:
        workstation.test_connection(server, password)
    return caught.value


def test_a_migrated_database_passes_and_says_whether_the_station_is_set_up(
    pg_server: PgServer,  # noqa: F811
) -> None:
    url = pg_server.new_database("counter")
    db = open_database(url)  # migrated, and its station key kept on this PC
    try:
        server, password = _connection(url)
        fresh = workstation.test_connection(server, password)

        assert not fresh.initialized and fresh.key_here is True
        assert fresh.server_version.startswith("15")
        assert "尚未建立" in fresh.summary()
        build_services(db.sessions).station.initialize(
            StationSettings(name="测试市公安局测试分局和平路派出所", code="HPL"),
            NewOfficer("100001", "王所长", Role.CHIEF, TEST_PASSWORD),
        )

        ready = workstation.test_connection(server, password)

        assert ready.initialized and ready.station_name == "测试市公安局测试分局和平路派出所"
        assert "已在服务器上建立" in ready.summary()
    finally:
        db.dispose()


def test_a_counter_without_the_station_key_is_told(
    pg_server: PgServer,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = pg_server.new_database("counter")
    open_database(url).dispose()
    monkeypatch.setenv("STATIONDESK_KEY_DIR", str(tmp_path / "another-pc"))

    check = workstation.test_connection(*_connection(url))

    assert check.key_here is False
    assert "密钥恢复单" in check.summary()


def test_a_wrong_password_is_refused(pg_server: PgServer) -> None:  # noqa: F811
    url = pg_server.new_database("counter")
    open_database(url).dispose()
    server, _password = _connection(url)

    problem = _problem(server, "Wrong-Password")

    assert problem.field == "password"
    assert problem.message.startswith("用户名或密码不正确")


def test_a_database_that_is_not_there_is_named(pg_server: PgServer) -> None:  # noqa: F811
    server = ServerConnection(pg_server.host, pg_server.port, "no_such_station", pg_server.user)

    problem = _problem(server, pg_server.password)

    assert problem.field == "database"
    assert "“no_such_station”" in problem.message


def test_nothing_listening_on_the_port(pg_server: PgServer) -> None:  # noqa: F811
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = ServerConnection("127.0.0.1", port, "stationdesk", pg_server.user)

    problem = _problem(server, pg_server.password)

    assert problem.field == "port"
    assert problem.message.startswith(f"服务器 127.0.0.1 拒绝了端口 {port} 上的连接")


def test_an_unknown_host_name(pg_server: PgServer) -> None:  # noqa: F811
    server = ServerConnection("no-such-server.invalid", pg_server.port, "x", pg_server.user)

    problem = _problem(server, pg_server.password)

    assert problem.field == "host"
    assert problem.message.startswith("找不到服务器“no-such-server.invalid”")


def test_tls_asked_of_a_server_without_it(pg_server: PgServer) -> None:  # noqa: F811
    url = pg_server.new_database("counter")
    parsed = make_url(url)
    server = ServerConnection(pg_server.host, pg_server.port, str(parsed.database), "x", tls=True)

    problem = _problem(server, pg_server.password)

    assert problem.field == "tls"
    assert problem.message.startswith("服务器不支持加密连接（TLS）")


def test_an_empty_database_is_not_yet_a_station(pg_server: PgServer) -> None:  # noqa: F811
    url = pg_server.new_database("empty")

    problem = _problem(*_connection(url))

    assert problem.field == "database"
    assert "stationdesk server init" in problem.message


def test_another_program_s_database_is_refused(pg_server: PgServer) -> None:  # noqa: F811
    url = pg_server.new_database("foreign")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE invoices (id integer PRIMARY KEY)"))
    engine.dispose()

    problem = _problem(*_connection(url))

    assert problem.field == "database"
    assert problem.message.startswith("该数据库里已有其他程序的数据表，不是 StationDesk 数据库")


def test_a_database_of_a_newer_program_is_refused(pg_server: PgServer) -> None:  # noqa: F811
    url = pg_server.new_database("newer")
    open_database(url).dispose()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    engine.dispose()

    problem = _problem(*_connection(url))

    assert "更新版本的 StationDesk" in problem.message and "9999_future" in problem.message


def test_a_database_an_older_program_left_is_upgraded_first(pg_server: PgServer) -> None:  # noqa: F811
    url = pg_server.new_database("older")
    open_database(url).dispose()
    older = sorted(known_revisions() - {head_revision()})[-1]
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": older})
    engine.dispose()

    problem = _problem(*_connection(url))

    assert problem.field == "database"
    assert "stationdesk server upgrade" in problem.message and older in problem.message
