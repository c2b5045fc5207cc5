"""Open the database from a path or URL, refuse what is not ours, migrate after a backup."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, event, inspect
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker

from app.core.crypto import StationCipher
from app.core.errors import DatabaseBusy, DatabaseProblem, ServerUnavailable, ValidationError
from app.core.station_key import import_recovery_code, key_record, new_station_cipher, unlock
from db.engine import make_engine, make_session_factory
from db.maintenance import (
    NotADatabase,
    inspect_sqlite_file,
    optimize_before_close,
    quick_check_file,
    refresh_planner_statistics,
)
from db.migrate import (
    backup_sqlite_file,
    copy_sqlite_file,
    current_revision,
    head_revision,
    known_revisions,
    upgrade_to_head,
)
from db.pg_notify import announce_changes
from db.pg_server_setup import may_migrate

logger = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"
DEFAULT_FILE_NAME = "stationdesk.sqlite3"
# A file is quick-checked before anything writes to it when it is at most this big (or the
# command reads all of it anyway). PRAGMA quick_check reads every page: about 0.12 s per
# 100 MB from the page cache, but the 7 GB of a million visits took 14 s warm and 18.5
# minutes cold (test VM), against a budget of 0.8 s for a whole ``stationdesk print``.
QUICK_CHECK_LIMIT = 256 * 1024 * 1024


@dataclass(frozen=True)
class Database:
    """An open, migrated database: engine, session factory and where it lives."""

    engine: Engine
    sessions: sessionmaker[Session]
    url: str
    location: str
    file: Path | None
    backup: Path | None = None
    read_only: bool = False

    def dispose(self) -> None:
        """Close every pooled connection, leaving SQLite's planner statistics current."""
        if not self.read_only:
            optimize_before_close(self.engine)
        self.engine.dispose()


def default_database_path() -> Path:
    """The SQLite file in the user data directory (created on demand)."""
    from platformdirs import user_data_dir

    folder = Path(user_data_dir("StationDesk", appauthor=False))
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseProblem(f"无法创建用户数据文件夹 {folder}：{exc.strerror}") from None
    return folder / DEFAULT_FILE_NAME


def backup_copy(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite database file (WAL included) at ``target``."""
    copy_sqlite_file(source, target)


def demo_database_path() -> Path:
    """The demo station's own file, so trying the demo never touches the station's data."""
    return default_database_path().with_name("stationdesk-demo.sqlite3")


def resolve(target: str | os.PathLike[str] | None) -> tuple[str, Path | None]:
    """A SQLAlchemy URL and, for SQLite files, the file path, from a --db argument."""
    if target is None:
        path = default_database_path()
        return f"sqlite:///{path}", path
    text = os.fspath(target).strip()
    if not text:
        raise DatabaseProblem("数据库位置不能为空。")
    if "://" in text:
        try:
            url = make_url(text)
        except ArgumentError:
            raise DatabaseProblem(f"数据库地址格式不正确：{text}") from None
        if url.get_backend_name() == "sqlite":
            db = url.database
            if not db or db == ":memory:":
                return text, None
            path = Path(db).expanduser().resolve()
            # The engine must open the very file that was checked (~ expanded, made absolute).
            return url.set(database=str(path)).render_as_string(hide_password=False), path
        return text, None
    path = Path(text).expanduser().resolve()
    return f"sqlite:///{path}", path


def open_database(
    target: str | os.PathLike[str] | None,
    *,
    create: bool = True,
    migrate: bool = True,
    check_all: bool = False,
) -> Database:
    """Check, open and migrate the database; every problem is a DatabaseProblem in Chinese.

    ``migrate=False`` opens for reading only (``stationdesk check``): a read-only copy is fine.
    Opened for writing, an existing SQLite file must pass SQLite's ``quick_check`` first
    (nothing is written into a damaged file) when it is at most ``QUICK_CHECK_LIMIT`` bytes,
    or whatever its size with ``check_all`` (for commands that read the whole file anyway).
    """
    url, path = resolve(target)
    if path is not None:
        has_content = _check_sqlite_file(path, create=create, writable=migrate)
        if migrate and has_content:
            _refuse_damaged(path, check_all=check_all)
        if migrate:
            owner_only(path)
    try:
        engine = make_engine(url, read_only=not migrate)
    except ImportError:
        raise DatabaseProblem(
            f"未安装连接该数据库所需的驱动：{_safe(url)}。"
            "PostgreSQL 请安装 stationdesk[postgres]（pip install -e '.[postgres]'）。"
        ) from None
    except (ArgumentError, NoSuchModuleError):
        raise DatabaseProblem(f"不支持的数据库地址：{_safe(url)}") from None
    location = str(path) if path is not None else _safe(url)
    try:
        backup = None
        if migrate:
            backup = _migrate(engine, path)
            # After years of growth (or a migration's new indexes) the planner needs fresh
            # statistics, or it walks whole indexes of history to answer a lookup.
            refresh_planner_statistics(engine)
        unlock(engine, location, writable=migrate)
    except DatabaseProblem:
        engine.dispose()
        raise
    except DBAPIError as exc:
        engine.dispose()
        raise _explain(exc, location) from None
    # A damaged page met later is the same refusal (``check`` reports it in its own words).
    translate_errors(engine, damaged=migrate and path is not None)
    sessions = make_session_factory(engine)
    if migrate:
        announce_changes(engine, sessions)  # other counters refresh at once (PostgreSQL)
    return Database(engine, sessions, url, location, path, backup, read_only=not migrate)


BUSY_MESSAGE = (
    "另一个窗口正在保存，本次操作没有完成，也没有保存任何内容；已填写的内容仍在。请稍候几秒再试。"
)
SERVER_LOST_MESSAGE = (
    "与本所服务器的连接中断，本次操作没有完成，也没有保存任何内容；已填写的内容仍在。"
    "程序正在自动重新连接（状态栏显示连接情况），恢复后请再保存一次。"
    "若长时间不能恢复，请联系系统管理员检查服务器和网络。"
)
UNSTORABLE_MESSAGE = (
    "输入中含有无法保存的字符（控制符或残缺的字，多为复制粘贴带入），"
    "本次没有保存任何内容。请删除这些字符后重试。"
)


def translate_errors(engine: Engine, *, damaged: bool = False) -> None:
    """Driver errors a user can act on become Chinese messages, whatever service met them.

    Another counter holding SQLite's write lock past the busy timeout (``database is
    locked``) and text the driver cannot send (a lone surrogate; NUL for PostgreSQL) were
    raw tracebacks; with ``damaged``, so was a damaged page of a SQLite file (one too big to
    be checked at every start, ``QUICK_CHECK_LIMIT``). The transaction is rolled back as for
    any error: nothing half-written.

    The listener holds the file's name, never the engine: SQLAlchemy files it under the
    dialect too, which the mappers' statement caches keep, so a closure over the engine kept
    every engine ever opened (with its statement cache) alive for the life of the process.
    """
    file_name = engine.url.database

    @event.listens_for(engine, "handle_error")
    def _translate(context: ExceptionContext) -> None:
        original = context.original_exception
        if isinstance(original, UnicodeError):
            raise ValidationError(UNSTORABLE_MESSAGE) from None
        if server_lost(context):
            logger.warning("station server lost: %s", original)
            raise ServerUnavailable(SERVER_LOST_MESSAGE) from None
        text = str(original)
        if "database is locked" in text or "database table is locked" in text:
            raise DatabaseBusy(BUSY_MESSAGE) from None
        if "NUL (0x00)" in text:
            raise ValidationError(UNSTORABLE_MESSAGE) from None
        if damaged and ("disk image is malformed" in text or "file is not a database" in text):
            logger.warning("damaged page in %s: %s", file_name, text)
            raise DatabaseProblem(
                f"数据库文件已损坏：{file_name}。本次操作未完成。"
                "请停止使用该文件，改用最近的备份恢复，并联系系统管理员。"
            ) from None


def server_lost(context: ExceptionContext) -> bool:
    """Whether the error is the PostgreSQL server (or the network to it) gone, not a refusal.

    Connection exceptions (SQLSTATE class 08), the server shutting down or not yet accepting
    (57P01–57P03), a connection found dead (``is_disconnect``), or no connection at all.
    """
    if context.dialect is None or context.dialect.name != "postgresql":
        return False
    if context.is_disconnect:
        return True
    original = context.original_exception
    state = str(getattr(original, "sqlstate", "") or "")
    if state.startswith("08") or state in {"57P01", "57P02", "57P03"}:
        return True
    # A refused or timed-out connect has no SQLSTATE: psycopg's OperationalError alone.
    return not state and type(original).__name__ == "OperationalError"


def owner_only(path: Path) -> None:
    """Take read and write on a database file (and its WAL) away from other accounts.

    A file made before this release (or copied in) may be readable by every account of the
    computer. Best effort: a file system without permissions (a USB stick) is left as it is.
    """
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            mode = file.stat().st_mode
            if mode & 0o077:
                os.chmod(file, mode & 0o700)
        except OSError:
            continue


def _check_sqlite_file(path: Path, *, create: bool, writable: bool = True) -> bool:
    """Refuse what cannot be opened as asked; True for a SQLite file with something in it."""
    if path.is_dir():
        raise DatabaseProblem(f"数据库位置是一个文件夹，不是文件：{path}。请指定一个文件名。")
    if not path.exists():
        if not create:
            raise DatabaseProblem(
                f"找不到数据库文件：{path}。"
                "请检查路径，或先运行 stationdesk init / stationdesk demo。"
            )
        if not path.parent.is_dir():
            raise DatabaseProblem(
                f"数据库所在的文件夹不存在：{path.parent}。请先创建该文件夹或换一个位置。"
            )
        if not os.access(path.parent, os.W_OK):
            raise DatabaseProblem(f"没有权限在此文件夹中创建数据库：{path.parent}。请换一个位置。")
        return False
    if not os.access(path, os.R_OK):
        raise DatabaseProblem(f"没有权限读取数据库文件：{path}。")
    if writable and (not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK)):
        raise DatabaseProblem(f"数据库文件或其所在文件夹不可写：{path}。请检查权限或换一个位置。")
    if path.stat().st_size == 0:
        if not create:
            raise _empty(path)
        return False
    with path.open("rb") as fh:
        header = fh.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise DatabaseProblem(f"该文件不是 StationDesk 数据库（也不是 SQLite 数据库）：{path}")
    has_content = _inspect_read_only(path)
    if not has_content and not create:
        raise _empty(path)
    return has_content


_FileState = tuple[int, int, int] | None  # inode, size, modified (ns); None: no such file
# Files found sound in this process, with their write-ahead logs, as they were then.
_sound: set[tuple[str, _FileState, _FileState]] = set()


def _refuse_damaged(path: Path, *, check_all: bool) -> None:
    """Refuse to write into a file that fails SQLite's ``quick_check`` (then left as it is).

    Skipped, and logged, for a file above ``QUICK_CHECK_LIMIT`` unless ``check_all``: SQLite
    still checks each page it reads (a damaged one stops the transaction, rolled back, with
    the same advice: ``translate_errors``), and ``stationdesk check``, ``stationdesk backup``
    and the backups' own integrity check read the whole file.
    """
    stamp = _stamp(path)
    if stamp in _sound:
        return
    size = sum(state[1] for state in stamp[1:] if state is not None)
    if size > QUICK_CHECK_LIMIT and not check_all:
        logger.info("quick_check of %s skipped (%s bytes)", path, size)
        return
    findings = quick_check_file(path)
    if findings is None:
        return
    if not findings:
        _sound.add(_stamp(path))  # as the check left it (it may have made an empty WAL)
        return
    logger.warning("quick_check of %s failed: %s", path, "; ".join(findings[:20]))
    raise DatabaseProblem(
        f"数据库文件已损坏（SQLite 完整性检查未通过）：{path}。为免损坏扩大，本程序不写入该文件，"
        "文件未作任何改动。请改用最近的备份恢复，并联系系统管理员。"
    )


def _stamp(path: Path) -> tuple[str, _FileState, _FileState]:
    """The file and its write-ahead log as they are now."""
    return str(path), _state(path), _state(Path(f"{path}-wal"))


def _state(file: Path) -> _FileState:
    try:
        st = file.stat()
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


def _empty(path: Path) -> DatabaseProblem:
    """Only init, demo and the first start create a station: other commands leave an empty
    file as it is (they used to give it a whole schema before saying it was not set up)."""
    return DatabaseProblem(
        f"该文件是空的，还不是 StationDesk 数据库：{path}。"
        "请先运行 stationdesk init 或 stationdesk demo（文件未作任何改动）。"
    )


def _inspect_read_only(path: Path) -> bool:
    """Refuse a foreign or newer database before our engine (which sets WAL) touches it;
    False for a SQLite file with nothing in it yet."""
    try:
        revision, tables = inspect_sqlite_file(path)
    except NotADatabase:
        raise DatabaseProblem(f"该文件不是 StationDesk 数据库或已损坏：{path}") from None
    _refuse_unknown(revision, tables)
    return revision is not None or bool(tables)


def _refuse_unknown(revision: str | None, tables: set[str]) -> None:
    if revision is None and tables:
        raise DatabaseProblem(
            "该数据库里已有其他程序的数据表，不是 StationDesk 数据库，为免损坏不予打开。"
        )
    if revision is not None and revision not in known_revisions():
        raise DatabaseProblem(
            f"该数据库由更新版本的 StationDesk 写入（结构版本 {revision}），本程序无法打开。"
            "请升级 StationDesk 后再打开；数据库未作任何改动。"
        )


def _migrate(engine: Engine, path: Path | None) -> Path | None:
    current = current_revision(engine)
    # Repeated here for server databases, which have no file to inspect beforehand.
    _refuse_unknown(current, set(inspect(engine).get_table_names()) - {"alembic_version"})
    head = head_revision()
    if current == head:
        return None
    if not may_migrate(engine):
        raise DatabaseProblem(_not_migratable(current, head))
    backup = None
    if current is not None and path is not None:
        backup = backup_sqlite_file(path, f"before-{head}")
        logger.info("backed up %s to %s before migrating", path, backup)
    # The migration that seals personal data needs the key: a database from before it gets
    # its station key now (kept on this computer before a row is sealed with it).
    cipher = new_station_cipher() if key_record(engine) is None else None
    upgrade_to_head(engine, cipher)
    return backup


def _not_migratable(current: str | None, head: str) -> str:
    """A server database this login may not migrate (a counter's role: ``server init``)."""
    if current is None:
        return (
            "该服务器数据库还是空的，本机使用的数据库账号无权建立数据表。"
            "请系统管理员先运行 stationdesk server init 准备本所数据库。数据库未作任何改动。"
        )
    return (
        f"服务器上的本所数据库是旧版本的结构（{current}），本程序需要 {head}；"
        "本机使用的窗口账号无权升级数据库。请系统管理员先备份，再运行 "
        "stationdesk server upgrade --owner-url <所有者账号地址> --backup-to <备份文件夹>，"
        "然后重新打开本程序。数据库未作任何改动。"
    )


def _explain(exc: DBAPIError, location: str) -> DatabaseProblem:
    text = str(exc.orig)
    if "file is not a database" in text or "not a database" in text:
        return DatabaseProblem(f"该文件不是 StationDesk 数据库或已损坏：{location}")
    if "disk image is malformed" in text:
        logger.warning("cannot open %s: %s", location, text)
        return DatabaseProblem(
            f"数据库文件已损坏：{location}。请停止使用该文件，改用最近的备份恢复，并联系系统管理员。"
        )
    if "readonly" in text or "read-only" in text:
        return DatabaseProblem(f"数据库只读，无法写入：{location}。请检查文件权限。")
    if "unable to open" in text:
        return DatabaseProblem(f"无法打开数据库：{location}。请检查路径和权限。")
    if "locked" in text or "busy" in text:
        return DatabaseProblem(f"数据库正被其他程序占用：{location}。请稍后再试。")
    logger.warning("cannot open %s: %s", location, text)
    return DatabaseProblem(
        f"无法打开或连接数据库：{location}。请检查地址、网络和权限（详情见日志）。"
    )


def _safe(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def enter_recovery_code(target: str | os.PathLike[str] | None, code: str) -> StationCipher:
    """Keep the key of the database at ``target`` on this computer, from its recovery code."""
    db = open_database(target, create=False, migrate=False)
    try:
        return import_recovery_code(db.engine, code)
    finally:
        db.dispose()
