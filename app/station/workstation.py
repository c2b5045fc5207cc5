"""This computer's own settings: its counter number (窗口号) and the station server it joins.

A counter of a multi-counter station remembers the PostgreSQL server it works on, so that the
plain start command opens it. The settings are a small JSON file in the user's configuration
folder (``STATIONDESK_CONFIG_DIR`` moves it), owner-only; the server password is never in it:
it goes to the operating system's credential store (``keyring``) as the station key does, or,
where there is none (or ``STATIONDESK_KEYRING=0``), to an owner-only file in the key folder.

SQLAlchemy, the driver and keyring are imported only when a server is involved: the login
window of a single-counter station comes up without them (tests/test_imports.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.errors import DatabaseProblem, StationDeskError, ValidationError, ValidationErrors

logger = logging.getLogger(__name__)

CONFIG_DIR_ENV = "STATIONDESK_CONFIG_DIR"
FILE_NAME = "workstation.json"
FORMAT_VERSION = 1
KEYRING_SERVICE = "StationDesk server password"
DEFAULT_PORT = 5432
DEFAULT_DATABASE = "stationdesk"
DEFAULT_USER = "stationdesk_app"
# A test of the connection gives up after this many seconds; the program's own connections
# (start, reconnect) wait a little longer for a slow network.
TEST_TIMEOUT_S = 5
CONNECT_TIMEOUT_S = 10

COUNTER_MAX = 8
COUNTER_EXAMPLES = "如 1号窗口、户籍2、出入境"
_COUNTER_CHARS = re.compile(r"[0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff]+")
_HOST_CHARS = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-_]*")
_NAME_CHARS = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*")


class WorkstationProblem(StationDeskError):
    """The settings file cannot be read or written; the message says which file and why."""


class ServerPasswordMissing(DatabaseProblem):
    """A server is saved but its password is no longer on this computer: ask for it."""

    def __init__(self, server: ServerConnection) -> None:
        super().__init__(
            f"本机没有保存连接本所服务器（{server.display()}）的密码，请重新输入。", "password"
        )
        self.server = server


@dataclass(frozen=True)
class ServerConnection:
    """Where the station's PostgreSQL server is and which account this counter uses."""

    host: str
    port: int = DEFAULT_PORT
    database: str = DEFAULT_DATABASE
    user: str = DEFAULT_USER
    tls: bool = False

    def url(self, password: str, timeout: int = CONNECT_TIMEOUT_S) -> str:
        """The SQLAlchemy URL with ``password`` (user and password quoted as needed).

        TLS on: ``sslmode=require`` (encrypted, or no connection at all). Off: ``prefer`` —
        encrypted when the server offers it, plain otherwise; never worse than ``disable``.
        The server's certificate is not verified (a station server has no public name).
        """
        from sqlalchemy.engine import URL

        return URL.create(
            "postgresql+psycopg",
            username=self.user,
            password=password,
            host=self.host,
            port=self.port,
            database=self.database,
            query={"sslmode": "require" if self.tls else "prefer", "connect_timeout": str(timeout)},
        ).render_as_string(hide_password=False)

    def display(self) -> str:
        """``host:port/database`` for messages (no user, no password)."""
        return f"{self.host}:{self.port}/{self.database}"

    def account(self) -> str:
        """The name the password is filed under in the credential store."""
        return f"{self.user}@{self.host}:{self.port}/{self.database}"

    def as_json(self) -> dict[str, Any]:
        return {
            "host": self.host,
            "port": self.port,
            "database": self.database,
            "user": self.user,
            "tls": self.tls,
        }


@dataclass(frozen=True)
class Workstation:
    """This PC's settings. ``counter`` is "" until someone sets it; ``server`` None: this PC
    works on its own SQLite file (or whatever ``--db`` names)."""

    counter: str = ""
    server: ServerConnection | None = None


# ---- validation ------------------------------------------------------------------------------


def validate_counter(text: str) -> str:
    """The 窗口号 as it is kept (full-width digits made plain); ValidationError in Chinese.

    1–8 characters: Chinese characters, letters and digits, no spaces or signs.
    """
    value = unicodedata.normalize("NFKC", text or "").strip()
    if not value:
        raise ValidationError(f"请填写本机的窗口号（{COUNTER_EXAMPLES}）。", "counter")
    if len(value) > COUNTER_MAX:
        raise ValidationError(
            f"窗口号最多 {COUNTER_MAX} 个字（现为 {len(value)} 个），{COUNTER_EXAMPLES}。",
            "counter",
        )
    if not _COUNTER_CHARS.fullmatch(value):
        raise ValidationError(
            f"窗口号只能由汉字、字母和数字组成，不含空格和符号（{COUNTER_EXAMPLES}）。",
            "counter",
        )
    return value


def validate_server(
    host: str, port: str | int, database: str, user: str, password: str, tls: bool
) -> ServerConnection:
    """The connection from a form's fields; ValidationErrors naming every wrong field."""
    errors: list[ValidationError] = []
    host = (host or "").strip()
    if not host:
        errors.append(ValidationError("请填写服务器地址（如 192.168.1.10）。", "host"))
    elif len(host) > 253 or not _HOST_CHARS.fullmatch(host):
        errors.append(
            ValidationError(
                "服务器地址只能由字母、数字、点和连字符组成，"
                "如 192.168.1.10 或 server.local（不要带 http:// 或端口）。",
                "host",
            )
        )
    number = 0
    port_text = unicodedata.normalize("NFKC", str(port)).strip()
    if not port_text:
        errors.append(ValidationError(f"请填写端口（PostgreSQL 默认 {DEFAULT_PORT}）。", "port"))
    elif not port_text.isascii() or not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        errors.append(
            ValidationError(
                f"端口应为 1–65535 之间的数字（PostgreSQL 默认 {DEFAULT_PORT}）。", "port"
            )
        )
    else:
        number = int(port_text)
    database = (database or "").strip()
    user = (user or "").strip()
    for value, field, what in ((database, "database", "数据库名"), (user, "user", "用户名")):
        if not value:
            errors.append(ValidationError(f"请填写{what}（管理员设置服务器时给出）。", field))
        elif len(value) > 63 or not _NAME_CHARS.fullmatch(value):
            errors.append(
                ValidationError(
                    f"{what}只能由字母、数字、下划线、点和连字符组成，最多 63 个字符。", field
                )
            )
    if not password:
        errors.append(ValidationError("请填写密码（管理员设置服务器时给出）。", "password"))
    elif len(password) > 200 or any(unicodedata.category(c) == "Cc" for c in password):
        errors.append(
            ValidationError("密码含有控制字符或过长，请按管理员给出的密码重新输入。", "password")
        )
    if errors:
        raise ValidationErrors(errors)
    return ServerConnection(host, number, database, user, bool(tls))


# ---- the settings file -----------------------------------------------------------------------


def config_folder() -> Path:
    """The folder of this PC's settings (``STATIONDESK_CONFIG_DIR`` or the user's config)."""
    configured = os.environ.get(CONFIG_DIR_ENV, "").strip()
    if configured:
        return Path(configured).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir("StationDesk", appauthor=False))


def workstation_file() -> Path:
    """The JSON file of this PC's settings."""
    return config_folder() / FILE_NAME


def load_workstation() -> Workstation:
    """This PC's settings; the defaults (no counter, no server) when none were saved.

    A damaged file raises WorkstationProblem naming it (never a silent fall back to a local
    database while the counter is meant to work on the server).
    """
    path = workstation_file()
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Workstation()
    except OSError as exc:
        raise WorkstationProblem(
            f"无法读取本机设置文件：{path}（{exc.strerror}）。请检查该文件的权限。"
        ) from None
    try:
        data = json.loads(raw)
        counter = str(data.get("counter") or "")
        server = data.get("server")
        connection = None
        if server is not None:
            connection = ServerConnection(
                host=str(server["host"]),
                port=int(server["port"]),
                database=str(server["database"]),
                user=str(server["user"]),
                tls=bool(server["tls"]),
            )
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        logger.warning("workstation settings %s unreadable: %s", path, exc)
        raise WorkstationProblem(
            f"本机设置文件已损坏：{path}。请删除该文件，再启动本程序重新连接本所服务器"
            "并填写窗口号。"
        ) from None
    return Workstation(counter, connection)


def save_workstation(ws: Workstation, password: str | None = None) -> Workstation:
    """Keep ``ws`` on this PC (the password, when given, in the credential store first).

    Returns what was saved (the 窗口号 as kept). The password of a server no longer used is
    forgotten. Nothing is changed when the 窗口号 is not valid.
    """
    counter = validate_counter(ws.counter)
    saved = Workstation(counter, ws.server)
    try:
        before = load_workstation().server
    except WorkstationProblem:
        before = None  # being replaced: that is the way out the message gave
    if ws.server is not None and password is not None:
        store_password(ws.server, password)
    data = {
        "version": FORMAT_VERSION,
        "counter": counter,
        "server": None if ws.server is None else ws.server.as_json(),
    }
    path = workstation_file()
    _write_owner_only(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    if before is not None and (ws.server is None or before.account() != ws.server.account()):
        forget_password(before)
    return saved


def saved_target() -> str | None:
    """The saved server's URL with its password, or None when this PC has no server.

    ServerPasswordMissing when the server is saved but its password is not on this PC.
    """
    server = load_workstation().server
    if server is None:
        return None
    password = load_password(server)
    if password is None:
        raise ServerPasswordMissing(server)
    return server.url(password)


def _write_owner_only(path: Path, content: str) -> None:
    from app.exports.files import write_atomically

    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise WorkstationProblem(
            f"无法创建本机设置文件夹：{path.parent}（{exc.strerror}）。"
        ) from None
    try:
        # mkstemp makes the temporary file 0600, so the content is never readable by others.
        write_atomically(path, content.encode("utf-8"))
    except ValidationError as exc:
        raise WorkstationProblem(f"无法保存本机设置：{exc.message}") from None
    with contextlib.suppress(OSError):
        os.chmod(path, 0o600)


# ---- the password ----------------------------------------------------------------------------


def _password_file(server: ServerConnection) -> Path:
    from app.core.station_key import key_folder

    digest = hashlib.sha256(server.account().encode("utf-8")).hexdigest()[:16]
    return key_folder() / f"server-{digest}.password"


def store_password(server: ServerConnection, password: str) -> str:
    """Keep the server's password on this PC; returns where, in words for the user."""
    from app.core.station_key import credential_store

    store = credential_store()
    if store is not None:
        try:
            store.set_password(KEYRING_SERVICE, server.account(), password)
            if store.get_password(KEYRING_SERVICE, server.account()) == password:
                _password_file(server).unlink(missing_ok=True)
                return "系统凭据管理器"
        except Exception as exc:
            logger.warning("credential store refused the server password: %s", exc)
    path = _password_file(server)
    _write_owner_only(path, password)
    return str(path)


def load_password(server: ServerConnection) -> str | None:
    """The saved password of ``server``, or None."""
    from app.core.station_key import credential_store

    store = credential_store()
    if store is not None:
        try:
            stored = store.get_password(KEYRING_SERVICE, server.account())
        except Exception as exc:
            logger.warning("credential store unreadable: %s", exc)
            stored = None
        if stored:
            return str(stored)
    path = _password_file(server)
    try:
        return path.read_text(encoding="utf-8") or None
    except FileNotFoundError:
        return None
    except OSError as exc:
        logger.warning("server password file %s unreadable: %s", path, exc)
        return None


def forget_password(server: ServerConnection) -> None:
    """Remove the server's password from this PC (credential store and file)."""
    from app.core.station_key import credential_store

    store = credential_store()
    if store is not None:
        try:
            store.delete_password(KEYRING_SERVICE, server.account())
        except Exception as exc:  # not there, or the store refuses: nothing more to do
            logger.info("server password not removed from the credential store: %s", exc)
    with contextlib.suppress(OSError):
        _password_file(server).unlink(missing_ok=True)


# ---- testing a connection --------------------------------------------------------------------


@dataclass(frozen=True)
class ServerCheck:
    """What a successful test found on the server."""

    server_version: str
    revision: str
    station_name: str | None  # None: the station is not set up there yet
    key_here: bool | None  # None: the database has no station key yet

    @property
    def initialized(self) -> bool:
        """Whether the station has been set up on the server (the login window comes next)."""
        return self.station_name is not None

    def summary(self) -> str:
        """The result in a few Chinese sentences for the dialog."""
        lines = [f"连接成功（PostgreSQL {self.server_version}）。"]
        if self.station_name is not None:
            lines.append(f"本所“{self.station_name}”已在服务器上建立，保存后即可登录。")
        else:
            lines.append(
                "服务器上的本所尚未建立：保存后请填写本所信息并创建第一个管理账号"
                "（通常在所长的电脑上做一次即可）。"
            )
        if self.key_here is False:
            lines.append("本机还没有本所密钥：首次打开时请输入所长保管的“密钥恢复单”。")
        return "\n".join(lines)


def test_connection(
    server: ServerConnection, password: str, timeout: int = TEST_TIMEOUT_S
) -> ServerCheck:
    """Connect once and look at the database; DatabaseProblem in Chinese when it will not do.

    Refused: a server that cannot be reached, a wrong user or password, no such database,
    TLS asked for but not offered (or required by the server but not asked for), an empty
    database (not prepared by ``stationdesk server init``), another program's database, one
    written by a newer StationDesk and one an older StationDesk left (``server upgrade``
    first). Nothing is written.
    """
    try:
        from sqlalchemy import create_engine
        from sqlalchemy.exc import DBAPIError
        from sqlalchemy.pool import NullPool

        engine = create_engine(server.url(password, timeout=timeout), poolclass=NullPool)
    except ImportError:
        raise DatabaseProblem(
            "本机未安装连接 PostgreSQL 服务器所需的驱动。请安装 stationdesk[postgres]"
            "（pip install -e '.[postgres]'）后再试。"
        ) from None
    try:
        with engine.connect() as conn:
            return _look_at(conn)
    except DBAPIError as exc:
        raise connection_problem(exc.orig, server) from None
    finally:
        engine.dispose()


def _look_at(conn: Any) -> ServerCheck:
    from sqlalchemy import inspect, text

    from app.core.station_key import KEY_TABLE, load_key
    from db.migrate import VERSION_TABLE, head_revision, known_revisions

    version = str(conn.execute(text("SHOW server_version")).scalar() or "").split(" ")[0]
    tables = set(inspect(conn).get_table_names())
    if VERSION_TABLE not in tables:
        if tables:
            raise DatabaseProblem(
                "该数据库里已有其他程序的数据表，不是 StationDesk 数据库。"
                "请核对数据库名，或请管理员另建一个数据库并运行 stationdesk server init。",
                "database",
            )
        raise DatabaseProblem(
            "该数据库是空的，还没有为 StationDesk 准备好。"
            "请管理员先在服务器上运行 stationdesk server init，再按其给出的信息连接。",
            "database",
        )
    revisions = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
    revision = str(revisions[0]) if len(revisions) == 1 else ""
    if revision not in known_revisions():
        raise DatabaseProblem(
            f"该数据库由更新版本的 StationDesk 写入（结构版本 {revision or '不明'}），"
            "本机的程序无法使用。请先把本机的 StationDesk 升级到与服务器相同的版本。",
            "database",
        )
    if revision != head_revision():
        # Counters log in with a role that may not change the schema: the administrator
        # upgrades the server (as its owner, after a backup), not the first counter to start.
        raise DatabaseProblem(
            f"服务器上的数据库结构较旧（结构版本 {revision}），本机的程序较新。"
            "请管理员先在服务器上运行 stationdesk server upgrade，再连接。",
            "database",
        )
    name = None
    if "stations" in tables:
        row = conn.execute(text("SELECT name FROM stations WHERE id = 1")).first()
        name = str(row[0]) if row is not None else None
    key_here = None
    if KEY_TABLE in tables:
        key_row = conn.execute(text(f"SELECT key_id FROM {KEY_TABLE} WHERE id = 1")).first()
        if key_row is not None:
            key_here = load_key(str(key_row[0])) is not None
    return ServerCheck(version, revision, name, key_here)


# Driver messages (libpq's own in English; the server's in its language, English or Chinese)
# and what the counter's user is told. The first match wins.
_PROBLEMS: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (
        ("password authentication failed", "authentication failed", "认证失败"),
        "用户名或密码不正确，服务器拒绝登录。请核对管理员给出的用户名和密码（区分大小写）。",
        "password",
    ),
    (
        ('role "', '角色 "'),
        "服务器上没有用户“{user}”。请核对用户名（默认 stationdesk_app）。",
        "user",
    ),
    (
        ("does not exist", "不存在"),
        "服务器上没有名为“{database}”的数据库。请核对数据库名（管理员运行 stationdesk server "
        "init 时给出）。",
        "database",
    ),
    (
        ("does not support ssl", "ssl was required"),
        "服务器不支持加密连接（TLS）。请向管理员确认：服务器未开启 TLS 时，取消勾选“加密连接”。",
        "tls",
    ),
    (
        ("no encryption", "没有加密", "未加密"),
        "服务器只接受加密连接（TLS）。请勾选“加密连接（TLS）”后再测试。",
        "tls",
    ),
    (
        ("pg_hba.conf",),
        "服务器不允许本机以该用户连接该数据库（服务器的访问控制 pg_hba.conf 中没有本机）。"
        "请管理员在服务器上允许本机的地址。",
        "host",
    ),
    (
        ("too many connections", "remaining connection slots", "连接太多", "连接数"),
        "服务器的连接数已满，请稍后再试，或请管理员调高服务器的最大连接数。",
        "",
    ),
    (
        ("starting up", "shutting down", "in recovery", "正在启动", "正在关闭"),
        "服务器正在启动或关闭，请稍候一分钟再试。",
        "",
    ),
    (
        ("connection refused", "拒绝连接"),
        "服务器 {host} 拒绝了端口 {port} 上的连接：数据库服务可能没有运行，或端口不对。"
        "请核对端口（默认 5432），或请管理员检查服务器。",
        "port",
    ),
    (
        (
            "resolve host",
            "translate host name",
            "name or service not known",
            "nodename",
            "未知的名称或服务",
            "无法解析主机",
            "无法把主机名",
        ),
        "找不到服务器“{host}”。请核对服务器地址（可直接填写 IP 地址，如 192.168.1.10）。",
        "host",
    ),
    (
        (
            "timeout expired",
            "timed out",
            "no route to host",
            "network is unreachable",
            "closed the connection unexpectedly",
            "host is down",
            "超时",
            "没有到主机的路由",
            "网络不可达",
            "意外地关闭了联接",
        ),
        "无法连接服务器 {host}:{port}（网络不通或超时）。请检查网线和网络，核对服务器地址，"
        "并确认服务器已开机。",
        "host",
    ),
    (
        ("permission denied", "权限不够", "权限不足"),
        "该账号没有读取本所数据库的权限。请管理员用 stationdesk server init 给出的账号连接。",
        "user",
    ),
)


def _reach(server: ServerConnection) -> str:
    """Why a TCP connection to the server fails, in libpq's English words ("" when it opens)."""
    import socket

    try:
        with socket.create_connection((server.host, server.port), timeout=3):
            return ""
    except ConnectionRefusedError:
        return "connection refused"
    except socket.gaierror:
        return "name or service not known"
    except OSError:  # timed out, no route, network unreachable
        return "timed out"


def connection_problem(original: BaseException | None, server: ServerConnection) -> DatabaseProblem:
    """The Chinese message for a driver error met while connecting to ``server``."""
    text = str(original or "")
    lowered = text.lower()
    logger.info("connection to %s failed: %s", server.display(), text)
    # libpq's own messages follow the process's locale (Qt sets it: Chinese at a counter), so
    # a failure to reach the server at all is asked of the network itself, in no language.
    if not getattr(original, "sqlstate", None):
        reached = _reach(server)
        if reached:
            lowered = f"{reached} {lowered}"
    for needles, message, field in _PROBLEMS:
        if any(needle in lowered for needle in needles):
            filled = message.format(
                host=server.host, port=server.port, database=server.database, user=server.user
            )
            return DatabaseProblem(filled, field or None)
    logger.warning("unrecognised connection failure to %s: %s", server.display(), text)
    return DatabaseProblem(
        f"无法连接服务器 {server.display()}。请核对各项设置和网络后重试；"
        "仍不行请联系管理员（详情已写入日志）。"
    )
