"""``stationdesk server init`` and ``server upgrade``: a station's PostgreSQL database, prepared.

``init`` is run once by the administrator with a login that may create roles and databases
(a superuser such as ``postgres``, or one with CREATEROLE and CREATEDB). It creates two roles
named after the database, ``<db>_owner`` (owns the database and every table; runs the
migrations) and ``<db>_app`` (what every counter logs in with: read and write the records,
the audit tables append-only, no DDL; the rule is ``db.pg_server_setup.table_privileges``),
creates the database owned by the owner, takes CREATE and CONNECT away from PUBLIC, migrates
to the newest schema as the owner, grants the application role, and checks the grants and the
triggers the migrations made. What it created is dropped again if any step fails.

Passwords: generated (20 letters and digits, no look-alikes) unless the administrator sets
``STATIONDESK_APP_DB_PASSWORD`` / ``STATIONDESK_OWNER_DB_PASSWORD``; they are printed once
and never kept by the program. The station key is *not* made here: the first counter that
opens the database (the chief's PC, which then runs the first-run wizard) makes it, as with a
new SQLite file, and the chief's recovery sheet carries it to the other counters.

``upgrade`` migrates an existing station database to this program's schema as the owner,
after a checked ``pg_dump`` backup, and applies the same grants to tables a migration added.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from app.core.errors import DatabaseProblem, StationDeskError, ValidationError
from db import pg_server_setup as pgs
from db.engine import make_engine
from db.migrate import current_revision, head_revision, known_revisions, upgrade_to_head

logger = logging.getLogger(__name__)

APP_PASSWORD_ENV = "STATIONDESK_APP_DB_PASSWORD"
OWNER_PASSWORD_ENV = "STATIONDESK_OWNER_DB_PASSWORD"
DEFAULT_DATABASE = "stationdesk"
DEFAULT_PORT = 5432
MIN_PASSWORD = 12
# Letters and digits a person copies onto another PC without mistaking one for another.
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"
_LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "::1"}
TRIGGER_KIND_LABELS = {
    "day_lock": "已审核日锁定",
    "append_only": "审计记录只增不改",
    "frozen": "签字与审核内容冻结",
}


class ServerSetupError(StationDeskError):
    """The server could not be prepared (nothing it created is left behind)."""


def new_password(length: int = 20) -> str:
    """A random password of letters and digits (about 116 bits at 20 characters)."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def check_password(password: str, what: str) -> str:
    """A password given by the administrator, or a refusal saying why."""
    if len(password) < MIN_PASSWORD:
        raise ValidationError(f"{what}的密码至少 {MIN_PASSWORD} 位。")
    if any(ord(ch) < 32 for ch in password):
        raise ValidationError(f"{what}的密码不能含控制字符。")
    return password


def role_names(database: str) -> tuple[str, str]:
    """The owner and application roles of a station database."""
    return f"{database}_owner", f"{database}_app"


@dataclass(frozen=True)
class CounterConnection:
    """What every counter enters in 连接本所服务器."""

    host: str
    port: int
    database: str
    user: str
    password: str
    tls: bool

    def url(self, *, hide_password: bool = False) -> str:
        """The SQLAlchemy URL (``stationdesk --db …``)."""
        query = {"sslmode": "require"} if self.tls else {}
        url = URL.create(
            "postgresql+psycopg",
            self.user,
            self.password,
            self.host,
            self.port,
            self.database,
            query,
        )
        return url.render_as_string(hide_password=hide_password)


@dataclass(frozen=True)
class ServerInitResult:
    """What ``init_server`` made: the counters' connection and the administrator's."""

    counter: CounterConnection
    owner: str
    owner_password: str
    owner_url: str
    server_version: str
    revision: str
    triggers: dict[str, int]
    address_known: bool
    login_problem: str


@dataclass(frozen=True)
class ServerUpgradeResult:
    """What ``upgrade_server`` did."""

    database: str
    before: str
    after: str
    backup: Path | None
    app_roles: tuple[str, ...]
    triggers: dict[str, int]


def _parse(url_text: str, what: str) -> URL:
    try:
        url = make_url(url_text.strip())
    except ArgumentError:
        raise ValidationError(
            f"{what}格式不正确，应如 postgresql+psycopg://用户:密码@地址:5432/库名。"
        ) from None
    if url.get_backend_name() != "postgresql":
        raise ValidationError(f"{what}须是 PostgreSQL 地址（postgresql+psycopg://…）。")
    if url.get_driver_name() != "psycopg":
        url = url.set(drivername="postgresql+psycopg")
    return url


def _problem(exc: DBAPIError, what: str) -> ServerSetupError:
    detail = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
    logger.warning("%s: %s", what, exc)
    return ServerSetupError(f"{what}：{detail}")


def _autocommit(url: URL) -> Engine:
    try:
        return make_engine(url.render_as_string(hide_password=False)).execution_options(
            isolation_level="AUTOCOMMIT"
        )
    except ImportError:
        raise DatabaseProblem(
            "未安装连接 PostgreSQL 所需的驱动：请安装 stationdesk[postgres]"
            "（pip install -e '.[postgres]'）。"
        ) from None


def _acting_as(url: URL, role: str) -> Engine:
    """An engine whose sessions act as ``role`` (objects they create belong to it)."""
    engine = make_engine(url.render_as_string(hide_password=False))

    @event.listens_for(engine, "connect")
    def _set_role(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(f"SET ROLE {pgs.q(role)}")
        dbapi_connection.commit()

    return engine


def trigger_counts(missing: list[str]) -> dict[str, int]:
    """How many triggers of each kind are in place."""
    return {
        kind: sum(1 for name in names if name not in missing)
        for kind, names in pgs.TRIGGER_KINDS.items()
    }


def triggers_line(counts: dict[str, int]) -> str:
    """The triggers in place, in one Chinese line."""
    parts = "、".join(f"{TRIGGER_KIND_LABELS[k]} {n} 个" for k, n in counts.items())
    return f"数据库触发器：{parts}，全部就位"


# ---- init ---------------------------------------------------------------------------------


def init_server(
    admin_url: str,
    database: str = DEFAULT_DATABASE,
    *,
    tls: bool = False,
    address: str | None = None,
    app_password: str | None = None,
    owner_password: str | None = None,
) -> ServerInitResult:
    """Prepare an empty station database on the server of ``admin_url`` (see the module)."""
    admin = _parse(admin_url, "管理员连接地址")
    database, owner, app = _checked_names(database)
    app_password = check_password(app_password, "窗口账号") if app_password else new_password()
    owner_password = (
        check_password(owner_password, "所有者账号") if owner_password else new_password()
    )
    server = _autocommit(admin)
    created = _Created()
    try:
        facts = _create_database(
            server, created, database, owner, app, tls, owner_password, app_password
        )
        revision, missing = _prepare_schema(admin, created, database, owner, app)
        counter, known = _counter_connection(admin, address, database, app, app_password, tls)
        login_problem = _try_login(admin, counter)
    except BaseException as exc:
        for engine in created.engines:
            engine.dispose()
        undone = _undo(server, database if created.database else None, created.roles)
        server.dispose()
        if isinstance(exc, DBAPIError):
            raise _problem(
                exc,
                "本所数据库未能准备好，"
                + ("已撤销本次创建的数据库和账号" if undone else "撤销时出错，详见日志")
                + "，原因",
            ) from None
        raise
    for engine in created.engines:
        engine.dispose()
    server.dispose()
    owner_url = admin.set(username=owner, password=owner_password, database=database)
    return ServerInitResult(
        counter=counter,
        owner=owner,
        owner_password=owner_password,
        owner_url=owner_url.render_as_string(hide_password=False),
        server_version=str(facts["version"]),
        revision=revision,
        triggers=trigger_counts(missing),
        address_known=known,
        login_problem=login_problem,
    )


@dataclass
class _Created:
    """What an init has made so far: dropped again (and the engines disposed) if it fails."""

    roles: list[str] = field(default_factory=list)
    database: bool = False
    engines: list[Engine] = field(default_factory=list)


def _checked_names(database: str) -> tuple[str, str, str]:
    """The database name, stripped and checked, and its owner and application roles."""
    database = database.strip()
    if not pgs.valid_name(database):
        raise ValidationError(
            "数据库名只能用小写字母、数字和下划线，以字母或下划线开头，至多 63 个字符"
            f"（如 stationdesk）：{database}"
        )
    owner, app = role_names(database)
    if len(owner) > 63:
        raise ValidationError("数据库名太长（角色名 <库名>_owner 须在 63 个字符以内）。")
    return database, owner, app


def _create_database(
    server: Engine,
    created: _Created,
    database: str,
    owner: str,
    app: str,
    tls: bool,
    owner_password: str,
    app_password: str,
) -> dict[str, object]:
    """As the administrator: refuse what init must not do, then create the two roles and the
    database owned by the owner. The server's facts."""
    with _connected(server, "无法以管理员身份连接 PostgreSQL 服务器") as conn:
        facts = pgs.server_facts(conn)
        _refuse_existing(conn, facts, database, owner, app, tls)
        pgs.create_login_role(conn, owner, owner_password)
        created.roles.append(owner)
        pgs.create_login_role(conn, app, app_password)
        created.roles.append(app)
        if not facts["superuser"]:
            pgs.join_role(conn, owner)
        pgs.create_database(conn, database, owner)
        created.database = True
    return facts


def _prepare_schema(
    admin: URL, created: _Created, database: str, owner: str, app: str
) -> tuple[str, list[str]]:
    """Secure the new database, migrate it as the owner, grant the application role and check
    the grants, the triggers and the revision. The revision, and the triggers missing."""
    station_url = admin.set(database=database)
    as_admin = make_engine(station_url.render_as_string(hide_password=False))
    created.engines.append(as_admin)
    with as_admin.begin() as conn:
        pgs.secure_database(conn, database, owner, app)
    as_owner = _acting_as(station_url, owner)
    created.engines.append(as_owner)
    # Only the schema: the station key is made by the first counter that opens it.
    upgrade_to_head(as_owner)
    with as_owner.begin() as conn:
        pgs.grant_app_privileges(conn, app)
        problems = pgs.privilege_problems(conn, app)
        missing = pgs.missing_triggers(conn)
    revision = current_revision(as_owner) or ""
    if problems or missing or revision != head_revision():
        logger.error("server init checks failed: %s %s %s", problems, missing, revision)
        raise ServerSetupError(
            "准备完成后的核对未通过（"
            + "；".join([*problems, *(f"缺少触发器 {m}" for m in missing)] or [revision])
            + "），已撤销本次创建的数据库和账号。请把日志交给技术支持。"
        )
    return revision, missing


def _counter_connection(
    admin: URL, address: str | None, database: str, app: str, app_password: str, tls: bool
) -> tuple[CounterConnection, bool]:
    """How a counter reaches the database, and whether its address is known (not local)."""
    host = (address or admin.host or "").strip()
    known = bool(host) and host not in _LOCAL_HOSTS
    counter = CounterConnection(
        host or "localhost",
        int(admin.port or DEFAULT_PORT),
        database,
        app,
        app_password,
        tls,
    )
    return counter, known


@contextmanager
def _connected(engine: Engine, what: str) -> Iterator[Any]:
    try:
        with engine.connect() as conn:
            yield conn
    except DBAPIError as exc:
        raise _problem(exc, what) from None


def _refuse_existing(
    conn: Any, facts: dict[str, object], database: str, owner: str, app: str, tls: bool
) -> None:
    """Refuse, before anything is created, what init cannot or must not do."""
    if not facts["superuser"] and not (facts["createrole"] and facts["createdb"]):
        raise ServerSetupError(
            f"登录账号 {facts['user']} 不能创建账号和数据库：请用 postgres 等超级用户，"
            "或具有 CREATEROLE 和 CREATEDB 权限的账号运行。未作任何改动。"
        )
    if tls and not facts["ssl"]:
        raise ServerSetupError(
            "服务器没有启用加密连接（ssl = off），无法要求窗口使用 TLS。请在 postgresql.conf 中"
            "设置 ssl = on 和证书后重启服务器，或去掉 --tls。未作任何改动。"
        )
    if pgs.database_exists(conn, database):
        raise ServerSetupError(
            f"服务器上已有名为 {database} 的数据库，未作任何改动。若它就是本所数据库，"
            "无需再次准备：升级请用 stationdesk server upgrade；"
            "若要另建，请用 --database 换一个名字。"
        )
    taken = [name for name in (owner, app) if pgs.role_exists(conn, name)]
    if taken:
        raise ServerSetupError(
            f"服务器上已有账号 {'、'.join(taken)}（可能是上次准备留下的），未作任何改动。"
            f"请确认不再需要后删除（DROP ROLE {taken[0]}），或用 --database 换一个名字。"
        )


def _undo(server: Engine, database: str | None, roles: list[str]) -> bool:
    """Drop what a failed init created (logged); whether that worked."""
    try:
        with server.connect() as conn:
            if database is not None:
                pgs.drop_database(conn, database)
            for role in reversed(roles):
                pgs.drop_role(conn, role)
    except Exception:
        logger.exception("could not undo the failed server init (%s, %s)", database, roles)
        return False
    return True


def _try_login(admin: URL, counter: CounterConnection) -> str:
    """Log in as a counter would (from here); empty when it worked, else the server's words."""
    url = admin.set(username=counter.user, password=counter.password, database=counter.database)
    if counter.tls:
        url = url.update_query_dict({"sslmode": "require"})
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT count(*) FROM alembic_version")).scalar_one()
        return ""
    except DBAPIError as exc:
        logger.warning("counter login test failed: %s", exc)
        return str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
    finally:
        engine.dispose()


def init_report(result: ServerInitResult) -> list[str]:
    """What the administrator reads: the checks, each counter's settings, the next steps."""
    c = result.counter
    lines = [
        f"本所数据库已准备好（PostgreSQL {result.server_version}，数据库 {c.database}，"
        f"结构版本 {result.revision}）。",
        f"  账号：{result.owner}（所有者，只用于升级）、{c.user}（各窗口使用）",
        f"  权限：{c.user} 只能读写业务记录，审计记录只能读取和追加，"
        "不能删除或修改表、不能清空表 —— 已逐表核对",
        "  " + triggers_line(result.triggers),
    ]
    if result.login_problem:
        lines.append(
            f"  注意：从本机以窗口账号登录未成功（{result.login_problem}）。"
            "请检查 pg_hba.conf 是否允许各窗口电脑连接（见 README）。"
        )
    lines += [
        "",
        "各窗口电脑首次启动时选“连接本所服务器”，填写：",
        f"  服务器地址：{c.host}"
        + (
            ""
            if result.address_known
            else "（这是本机地址：各窗口请填本服务器在局域网中的 IP 地址）"
        ),
        f"  端口：{c.port}",
        f"  数据库名：{c.database}",
        f"  用户名：{c.user}",
        f"  密码：{c.password}",
        f"  是否加密（TLS）：{'是' if c.tls else '否'}",
    ]
    lines.append(f"  （命令行：stationdesk --db '{c.url()}'）")
    lines += [
        "",
        "系统管理员自行保管（不要填到窗口电脑上）：",
        f"  所有者账号：{result.owner}，密码：{result.owner_password}",
        f"  升级新版本时：stationdesk server upgrade --owner-url '{result.owner_url}'"
        " --backup-to <备份文件夹>",
        "",
        "下一步：",
        "  1. 第一台：所长办公室的电脑连接本所服务器，"
        "按首次使用向导建立本所（单位信息、所长账号）。",
        "     本所密钥在这一步生成；所长随即在“本所设置 → 本所密钥”打印“密钥恢复单”并封存。",
        "  2. 其余各窗口电脑：连接本所服务器，按提示输入（或扫描）密钥恢复单上的恢复密钥，"
        "各自设置窗口号。",
        "  原来在一台电脑上使用的本所：不要新建本所，先运行",
        f"     stationdesk migrate-to '{result.owner_url}' [--db 原数据库文件]",
        "     把原有数据搬到服务器上，再按第 2 步连接各窗口（含所长电脑）。",
        "以上密码只显示这一次，本程序不保存。",
    ]
    return lines


# ---- upgrade ------------------------------------------------------------------------------


def upgrade_server(owner_url: str, backup_folder: Path) -> ServerUpgradeResult:
    """Migrate a station database to this program's schema as its owner, after a backup."""
    url = _parse(owner_url, "所有者连接地址")
    database = url.database or ""
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        return _upgrade(engine, url, database, backup_folder)
    except DBAPIError as exc:
        raise _problem(exc, "升级未完成（数据库未改动或已整体撤销）") from None
    finally:
        engine.dispose()


def _upgrade(engine: Engine, url: URL, database: str, folder: Path) -> ServerUpgradeResult:
    try:
        before = current_revision(engine)
    except DBAPIError as exc:
        raise _problem(exc, "无法以所有者身份连接本所数据库") from None
    head = head_revision()
    if before is None:
        raise ServerSetupError(
            f"数据库 {database} 里还没有 StationDesk 的数据表："
            "新服务器请用 stationdesk server init 准备。"
        )
    if before not in known_revisions():
        raise ServerSetupError(
            f"数据库 {database} 由更新版本的 StationDesk 写入（结构版本 {before}），"
            "本程序无法升级它；请安装新版本后再运行。未作任何改动。"
        )
    if not pgs.may_migrate(engine):
        raise ServerSetupError(
            f"账号 {url.username} 不是本所数据表的所有者，无权升级数据库结构。"
            "请使用 server init 时打印的所有者账号（<库名>_owner）的地址。未作任何改动。"
        )
    with engine.connect() as conn:
        others = pgs.other_sessions(conn)
        owner = pgs.tables_owner(conn) or ""
        roles = tuple(pgs.app_roles(conn, owner))
    if others and before != head:
        raise ServerSetupError(
            f"仍有 {others} 个连接在使用数据库 {database}（窗口程序未关闭）。"
            "请先关闭各窗口电脑上的 StationDesk，再升级。未作任何改动。"
        )
    backup = None
    if before != head:
        backup = _backup_before(engine, url, database, folder, head)
        upgrade_to_head(engine, _cipher_here(engine))
    with engine.begin() as conn:
        for role in roles:
            pgs.grant_app_privileges(conn, role)
        problems = [p for role in roles for p in pgs.privilege_problems(conn, role)]
        missing = pgs.missing_triggers(conn)
    if problems or missing:
        logger.error("server upgrade checks: %s %s", problems, missing)
        raise ServerSetupError(
            "升级后的核对未通过（" + "；".join([*problems, *missing]) + "）。"
            "请勿让窗口连接，把日志交给技术支持"
            + (f"；升级前的备份：{backup}" if backup else "")
            + "。"
        )
    return ServerUpgradeResult(
        database, before, current_revision(engine) or "", backup, roles, trigger_counts(missing)
    )


def _cipher_here(engine: Engine) -> Any:
    """The station key if this computer holds it (a migration may need to seal old rows)."""
    from app.core.crypto import StationCipher
    from app.core.station_key import key_record, load_key

    record = key_record(engine)
    key = load_key(record[0]) if record is not None else None
    return StationCipher(key) if key is not None else None


def _backup_before(engine: Engine, url: URL, database: str, folder: Path, head: str) -> Path | None:
    """A checked ``pg_dump`` of the database in ``folder``; None when it holds no station yet."""
    from app.backup.service import explain
    from db import backup as store
    from db import pg_backup
    from db.backup import BackupFailure

    with engine.connect() as conn:
        row = conn.execute(text("SELECT code FROM stations WHERE id = 1")).first()
    if row is None:
        return None
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    name = f"{row[0]}-{stamp}-before_upgrade.dump"
    folder = Path(folder).expanduser()
    try:
        staged = store.stage(folder, name)
        try:
            tables = pg_backup.dump(url, staged)
            pg_backup.check_dump(staged, tables)
            final = store.free_name(folder / name)
            store.publish(staged, final)
        finally:
            store.discard(staged)
    except BackupFailure as failure:
        raise ServerSetupError(
            "升级前的备份未完成，数据库未升级：" + explain(failure, folder)
        ) from None
    logger.info("backed up %s to %s before upgrading to %s", database, final, head)
    return final


def upgrade_report(result: ServerUpgradeResult) -> list[str]:
    """What ``server upgrade`` did, in Chinese."""
    lines = []
    if result.before == result.after:
        lines.append(f"数据库 {result.database} 已是最新结构版本 {result.after}，无需升级。")
    else:
        lines.append(
            f"数据库 {result.database} 已从结构版本 {result.before} 升级到 {result.after}。"
        )
        lines.append(
            f"  升级前的备份：{result.backup}"
            if result.backup
            else "  数据库中还没有本所数据，未做升级前备份。"
        )
    roles = "、".join(result.app_roles) or "（无）"
    lines.append(f"  窗口账号 {roles} 的权限已按规则重新授予并核对（审计记录只能读取和追加）")
    lines.append("  " + triggers_line(result.triggers))
    lines.append("各窗口电脑安装同一新版本后即可照常启动。")
    return lines
