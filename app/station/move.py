"""``stationdesk migrate-to URL``: a station kept in one SQLite file moved onto the station server.

The target is an empty PostgreSQL station database prepared by ``stationdesk server init``
(same schema revision as the file, no station in it), reached with the **owner's** URL: only
the owner may switch the tables' own triggers off for the copy. Everything happens in one
transaction on the target:

1. every table's own triggers are switched off (``ALTER TABLE … DISABLE TRIGGER USER``: the
   day locks and the append-only rules would refuse to receive a reviewed day or the audit
   chain; the foreign keys stay on, so the tables are filled in their dependency order);
2. the migration's placeholder rows (the empty chain's head, a key record a counter may have
   made) are removed, and every row of every table is copied as stored (``COPY``): the
   primary keys, the sealed columns and signatures byte for byte (never opened and sealed
   again), the audit events, their seals and the chain's head;
3. each sequence is set past the highest id copied, and the triggers are switched on again;
4. the proof: a digest of every table, row by row in key order, computed the same way from
   the file and from the target, must be equal, and the audit chain must verify on the
   target; otherwise the transaction is rolled back and the target stays empty.

After the commit ``stationdesk check``'s own check runs on the target. The station key is
the file's (its key record is copied): the chief's PC keeps working, and every other counter
enters the recovery sheet as for any server station. The file itself is only read.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, Table, inspect, select, text, type_coerce
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.types import String, TypeDecorator

import db.models  # noqa: F401  (every table on the metadata)
from app.core.errors import DatabaseProblem, StationDeskError, ValidationError
from app.core.row_seals import plain_value
from db import pg_server_setup as pgs
from db.base import Base
from db.engine import make_engine
from db.migrate import VERSION_TABLE, current_revision, head_revision
from db.sealed import attach_cipher, cipher_of, has_cipher

logger = logging.getLogger(__name__)

BATCH = 5000
# Rows the migrations themselves put into a new database (replaced by the file's).
PLACEHOLDER_TABLES = ("audit_head", "station_key")


class MoveRefused(StationDeskError):
    """The copy was not made (or was rolled back): the target is as it was."""


@dataclass(frozen=True)
class TableCopy:
    """One table as copied: its rows and the digest both sides gave."""

    name: str
    rows: int
    source_digest: str
    target_digest: str

    @property
    def equal(self) -> bool:
        """Whether the target holds exactly the file's rows."""
        return self.source_digest == self.target_digest


@dataclass(frozen=True)
class MoveResult:
    """What ``migrate_to`` copied and what the check on the target said."""

    source: str
    target: str
    station: str
    revision: str
    tables: tuple[TableCopy, ...]
    chain_events: int
    check_ok: bool
    check_lines: tuple[str, ...]
    host: str = ""
    port: int = 5432
    database: str = ""
    counter_users: tuple[str, ...] = ()

    @property
    def rows(self) -> int:
        """Rows copied in all."""
        return sum(t.rows for t in self.tables)

    @property
    def ok(self) -> bool:
        """Every table equal and the target's check sound."""
        return all(t.equal for t in self.tables) and self.check_ok


def copy_tables() -> list[Table]:
    """Every table of the station, parents before children (the foreign keys' order)."""
    return list(Base.metadata.sorted_tables)


def _stored(table: Table) -> list[Any]:
    """The table's columns as stored (sealed values as their ciphertext, never opened)."""
    return [
        type_coerce(c, c.type.impl_instance).label(c.name)
        if isinstance(c.type, TypeDecorator)
        else c
        for c in table.columns
    ]


def _ordered(table: Table, postgresql: bool) -> list[Any]:
    """Key order, the same on both engines (text keys by code point on PostgreSQL too)."""
    order: list[Any] = []
    for column in table.primary_key.columns:
        if postgresql and isinstance(column.type, String):
            order.append(column.collate("C"))
        else:
            order.append(column)
    return order


def _canonical(value: Any) -> Any:
    """As a row seal writes a value (app.core.row_seals), NULL kept as null."""
    return None if value is None else plain_value(value)


class _Digest:
    """SHA-256 over a table's rows in key order, each row's values as the engines return them."""

    def __init__(self, table: str) -> None:
        self._sha = hashlib.sha256(table.encode("utf-8"))
        self.rows = 0

    def add(self, row: tuple[Any, ...]) -> None:
        line = json.dumps([_canonical(v) for v in row], ensure_ascii=False, separators=(",", ":"))
        self._sha.update(line.encode("utf-8") + b"\n")
        self.rows += 1

    def hexdigest(self) -> str:
        return self._sha.hexdigest()


def table_digest(conn: Connection, table: Table) -> tuple[int, str]:
    """(rows, digest) of ``table`` as stored on ``conn``'s database."""
    digest = _Digest(table.name)
    query = select(*_stored(table)).order_by(*_ordered(table, conn.dialect.name == "postgresql"))
    # Per statement: Connection.execution_options would change the connection for good.
    for row in conn.execute(query.execution_options(stream_results=True, yield_per=BATCH)):
        digest.add(tuple(row))
    return digest.rows, digest.hexdigest()


# ---- the move ---------------------------------------------------------------------------


def migrate_to(target_url: str, source: str | None = None) -> MoveResult:
    """Copy the SQLite station at ``source`` (default: this computer's) into ``target_url``."""
    from app.core.database import open_database
    from app.integrity.service import check_database

    target = _target_url(target_url)
    src = open_database(source, create=False, migrate=False)
    try:
        if src.file is None:
            raise ValidationError("migrate-to 只搬迁 SQLite 数据库文件（--db 请给出文件路径）。")
        revision = _source_ready(src.engine, src.location)
        before = check_database(src)
        if not before.ok:
            raise MoveRefused(
                f"原数据库 {src.location} 未通过检查，未搬迁："
                + "；".join(before.lines[-3:])
                + "。请先运行 stationdesk check 查明原因。"
            )
        engine = _target_engine(target)
        try:
            users = _target_ready(engine, revision)
            if has_cipher(src.engine.dialect):
                attach_cipher(engine.dialect, cipher_of(src.engine.dialect))
            station, tables, events = _copy(src.engine, engine)
        except DBAPIError as exc:
            logger.warning("migrate-to %s failed: %s", _safe(target), exc)
            detail = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else ""
            raise MoveRefused(
                f"搬迁未完成，已整体撤销，目标数据库仍是空的（{detail}）。原数据库未作任何改动。"
            ) from None
        finally:
            engine.dispose()
    finally:
        src.dispose()
    after = open_database(target, create=False, migrate=False)
    try:
        report = check_database(after)
    finally:
        after.dispose()
    url = make_url(target)
    return MoveResult(
        src.location,
        _safe(target),
        station,
        revision,
        tuple(tables),
        events,
        report.ok,
        report.lines,
        url.host or "",
        int(url.port or 5432),
        url.database or "",
        tuple(users),
    )


def _safe(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _target_url(text_url: str) -> str:
    try:
        url = make_url(text_url.strip())
    except ArgumentError:
        raise ValidationError(
            "目标地址格式不正确，应如 postgresql+psycopg://所有者账号:密码@地址:5432/库名。"
        ) from None
    if url.get_backend_name() != "postgresql":
        raise ValidationError(
            "migrate-to 的目标须是本所服务器上的 PostgreSQL 数据库（postgresql+psycopg://…）。"
        )
    if url.get_driver_name() != "psycopg":
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def _target_engine(url: str) -> Engine:
    try:
        return make_engine(url)
    except ImportError:
        raise DatabaseProblem(
            "未安装连接 PostgreSQL 所需的驱动：请安装 stationdesk[postgres]。"
        ) from None


def _source_ready(engine: Engine, location: str) -> str:
    """The file's revision: it must be at this program's and hold a station."""
    revision, head = current_revision(engine), head_revision()
    if revision != head:
        raise MoveRefused(
            f"原数据库 {location} 的结构版本是 {revision}，本程序为 {head}："
            "请先用本程序正常打开一次（会先自动备份并升级），再搬迁。"
        )
    with engine.connect() as conn:
        if conn.execute(text("SELECT count(*) FROM stations")).scalar_one() == 0:
            raise MoveRefused(f"原数据库 {location} 里还没有本所数据，无需搬迁。")
    return revision


def _target_ready(engine: Engine, revision: str) -> list[str]:
    """An empty station database at ``revision`` that this login may fill; its counters' roles."""
    try:
        current = current_revision(engine)
    except DBAPIError as exc:
        detail = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else ""
        raise MoveRefused(
            f"无法连接目标数据库（{detail}）。请检查地址、账号、密码和网络。"
        ) from None
    if current is None:
        raise MoveRefused(
            "目标数据库里还没有 StationDesk 的数据表："
            "请先运行 stationdesk server init 准备本所数据库。"
        )
    if current != revision:
        raise MoveRefused(
            f"目标数据库的结构版本是 {current}，原数据库是 {revision}，不能搬迁。"
            "请用同一版本的程序：旧的服务器数据库先运行 stationdesk server upgrade。"
        )
    if not pgs.may_migrate(engine):
        raise MoveRefused(
            "目标地址用的账号不是本所数据表的所有者：搬迁须用 server init 打印的所有者账号"
            "（<库名>_owner）的地址，窗口账号不行。未作任何改动。"
        )
    with engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        wanted = {t.name for t in copy_tables()}
        if tables - {VERSION_TABLE} != wanted:
            raise MoveRefused("目标数据库的数据表与本程序的不一致，不能搬迁。未作任何改动。")
        if conn.execute(text("SELECT count(*) FROM stations")).scalar_one():
            raise MoveRefused(
                "目标数据库里已经有本所数据，不能再搬入（会混在一起）。未作任何改动。"
                "如确需重新搬迁，请系统管理员删除该数据库后重新运行 stationdesk server init。"
            )
        filled = [
            name
            for name in sorted(wanted - set(PLACEHOLDER_TABLES))
            if conn.execute(text(f"SELECT count(*) FROM {pgs.q(name)}")).scalar_one()
        ]
        events = conn.execute(text("SELECT last_id FROM audit_head WHERE id = 1")).scalar()
        users = pgs.app_roles(conn, pgs.tables_owner(conn) or "")
    if filled or events:
        raise MoveRefused(
            f"目标数据库不是空的（{'、'.join(filled) or 'audit_head'} 中已有记录），不能搬入。"
            "未作任何改动。请系统管理员删除该数据库后重新运行 stationdesk server init。"
        )
    return users


def _copy(source: Engine, target: Engine) -> tuple[str, list[TableCopy], int]:
    """Copy and prove in one transaction on the target (see the module text)."""
    from app.core.audit import verify_chain

    tables = copy_tables()
    names = [t.name for t in tables]
    copies: list[TableCopy] = []
    with source.connect() as src, src.begin(), target.begin() as dst:
        dst.execute(text("SET LOCAL lock_timeout = '30s'"))
        pgs.set_user_triggers(dst, names, enabled=False)
        for name in PLACEHOLDER_TABLES:
            dst.execute(text(f"DELETE FROM {pgs.q(name)}"))
        for table in tables:
            digest = _Digest(table.name)
            query = select(*_stored(table)).order_by(*_ordered(table, False))
            rows = src.execute(query.execution_options(stream_results=True, yield_per=BATCH))

            def fed(result: Any = rows, seen: _Digest = digest) -> Iterator[tuple[Any, ...]]:
                for row in result:
                    values = tuple(row)
                    seen.add(values)
                    yield values

            pgs.copy_rows(dst, table.name, [c.name for c in table.columns], fed())
            count, target_digest = table_digest(dst, table)
            copies.append(TableCopy(table.name, count, digest.hexdigest(), target_digest))
            if count != digest.rows or target_digest != digest.hexdigest():
                raise MoveRefused(
                    f"搬迁后核对不符：数据表 {table.name}（原 {digest.rows} 行，目标 {count} 行，"
                    "内容摘要不同）。已整体撤销，目标数据库仍是空的；原数据库未作任何改动。"
                )
        pgs.reset_sequences(dst)
        pgs.set_user_triggers(dst, names, enabled=True)
        with Session(bind=dst) as session:
            verdict = verify_chain(session)
        if not verdict.ok:
            raise MoveRefused(
                f"搬迁后目标数据库的审计链核对不符（{verdict.reason}）。"
                "已整体撤销，目标数据库仍是空的；原数据库未作任何改动。"
            )
        station = str(dst.execute(text("SELECT name FROM stations WHERE id = 1")).scalar_one())
    return station, copies, verdict.events


def move_report(result: MoveResult) -> list[str]:
    """The summary ``stationdesk migrate-to`` prints."""
    equal = sum(1 for t in result.tables if t.equal)
    lines = [
        f"已把 {result.station} 从 {result.source} 搬到 {result.target}"
        f"（结构版本 {result.revision}）。",
        f"  数据表：{len(result.tables)} 个，共 {result.rows} 行；"
        f"逐表内容摘要一致：{equal}/{len(result.tables)}",
        f"  审计链：完整，共 {result.chain_events} 条事件（签名、加密字段按原样逐字节搬入）",
        "目标数据库检查（同 stationdesk check）：",
        *(f"  {line}" for line in result.check_lines),
    ]
    if not result.ok:
        lines.append("结论：发现问题，请勿让各窗口连接该数据库，并把以上内容交系统管理员。")
        return lines
    lines += [
        "结论：搬迁完成，内容一致。",
        "",
        "下一步：",
        "  1. 原数据库文件不再使用（不要再在其中登记），请留作备份妥善保管。",
        "  2. 各窗口电脑（含本机）改为“连接本所服务器”：服务器地址 "
        f"{result.host}，端口 {result.port}，数据库名 {result.database}，用户名 "
        f"{'、'.join(result.counter_users) or '<库名>_app'}，密码及是否加密见 server init 时"
        "打印的单子（不要用本次的所有者账号）。",
        "  3. 本机已有本所密钥，可直接使用；其他窗口电脑按提示输入密钥恢复单上的恢复密钥。",
    ]
    return lines
