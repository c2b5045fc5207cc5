"""``stationdesk restore``: check a backup, then put it in the database's place, the old kept.

The database being replaced may be missing or broken, so a restore cannot ask it who may:
it asks the backup. The badge and password must be those of an active chief (所长) or
administrator (系统管理员) as the backup stores them — whoever can restore a station's data
must have been trusted by that station when the copy was made.

Everything is checked before anything is replaced: the copy is staged beside the target
(SQLite: the online backup API from the backup file), and that staged copy must pass the
integrity check, carry a revision this program knows (not a newer program's), hold a station,
belong to the same station as the database it replaces (unless that one is empty, new or
unreadable), and let the officer in. Only then is the target settled (its WAL folded in; a
database some program still holds open is refused), kept aside as ``<name>.replaced-<time>``
and swapped atomically. PostgreSQL: the dump is checked the same way, the current database
is dumped aside (``<database>.replaced-<time>.dump`` beside the backup), and ``pg_restore``
replaces it in one transaction.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session

from app.backup.dto import RestoreResult
from app.core import audit
from app.core.clock import Clock, SystemClock
from app.core.database import resolve
from app.core.errors import AuthenticationError, DatabaseProblem, PermissionDenied, ValidationError
from app.core.passwords import PasswordHashing
from app.core.roles import Permission, Role, allows
from app.core.station_key import StationKeyNeeded, keep_key_for, key_record_of_file
from db import backup as store
from db.backup import BackupFailure, CopyFacts, StoredOfficer, TargetState
from db.migrate import head_revision
from db.models import BackupRecord

logger = logging.getLogger(__name__)

UNCHANGED = "未作任何改动。"


def explain_restore(failure: BackupFailure, source: Path, target: str) -> str:
    """A refused restore in one Chinese sentence; nothing was replaced."""
    kind, detail = failure.kind, failure.detail
    messages = {
        "not_found": f"找不到备份文件：{source}。",
        "not_a_database": f"该文件不是 StationDesk 备份（也不是 SQLite 数据库）：{source}。",
        "corrupt": f"备份文件已损坏或不完整（可能复制时中断）：{source}。请换一份备份。",
        "count_mismatch": f"备份文件读取前后不一致，可能正被写入或已损坏：{source}。",
        "not_ours": f"该文件不是 StationDesk 数据库的备份：{source}。",
        "unknown_revision": (
            f"该备份由更新版本的 StationDesk 写入（结构版本 {detail}），本程序无法恢复。"
            "请先升级 StationDesk 再恢复。"
        ),
        "no_station": f"该备份中没有单位信息（尚未完成首次设置），不能用于恢复：{source}。",
        "missing_tables": f"备份文件不完整，缺少数据表（{detail}）：{source}。",
        "no_folder": f"要恢复到的文件夹不存在：{Path(target).parent}。",
        "not_writable": f"没有权限写入要恢复到的位置：{target}。",
        "disk_full": f"要恢复到的磁盘空间不足：{target}。请清理磁盘后重试。",
        "write_failed": f"写入恢复的数据库失败：{target}（{detail[:80]}）。",
        "in_use": (
            f"数据库正被使用：{target}。请先关闭所有 StationDesk 窗口（PostgreSQL 时请各窗口"
            "先退出登录）再恢复。"
        ),
        "tool_missing": f"找不到 {detail}：恢复 PostgreSQL 数据库需要安装 PostgreSQL 客户端工具。",
        "tool_failed": f"PostgreSQL 工具运行失败（{detail}）。请检查数据库地址、网络和权限。",
    }
    return messages.get(kind, f"备份文件核对不符（{kind}）：{source}。") + UNCHANGED


def restore(
    source: Path,
    target: str | os.PathLike[str] | None,
    badge: str,
    password: str,
    *,
    hashing: PasswordHashing | None = None,
    clock: Clock | None = None,
    recovery_code: str | None = None,
) -> RestoreResult:
    """Replace the database at ``target`` (path or URL) by the backup ``source``."""
    source = Path(source).expanduser()
    url, path = resolve(target)
    where = str(path) if path is not None else make_url(url).render_as_string()
    restorer = _Restore(source, badge, password, hashing or PasswordHashing(), clock)
    restorer.recovery_code = recovery_code
    try:
        if not source.is_file():
            raise BackupFailure("not_found")
        kind = store.file_kind(source)
        if kind is None:
            raise BackupFailure("not_a_database")
        if path is None:
            if kind != "pg":
                raise ValidationError(
                    "SQLite 备份（.sqlite3）只能恢复为 SQLite 数据库文件，不能恢复到数据库服务器。"
                    + UNCHANGED
                )
            return restorer.into_server(make_url(url), where)
        if kind != "sqlite":
            raise ValidationError(
                "PostgreSQL 备份（.dump）只能恢复到 PostgreSQL 数据库，请用 --db 给出服务器地址。"
                + UNCHANGED
            )
        return restorer.into_file(path)
    except BackupFailure as failure:
        logger.info("restore of %s into %s refused: %s", source, where, failure)
        raise DatabaseProblem(explain_restore(failure, source, where)) from None


class _Restore:
    """One restore: the backup, the officer's credentials, and the steps for each storage."""

    def __init__(
        self,
        source: Path,
        badge: str,
        password: str,
        hashing: PasswordHashing,
        clock: Clock | None,
    ) -> None:
        self.source = source
        self.badge = badge.strip()
        self.password = password
        self.hashing = hashing
        self.now = (clock or SystemClock()).now()
        self.stamp = self.now.astimezone().strftime("%Y%m%d-%H%M%S")
        self.recovery_code: str | None = None

    def into_file(self, path: Path) -> RestoreResult:
        if path.exists() and path.resolve() == self.source.resolve():
            raise ValidationError("备份文件和要恢复的数据库是同一个文件。" + UNCHANGED)
        if not path.parent.is_dir():
            raise BackupFailure("no_folder")
        state = store.sqlite_target(path)
        if state.state == "not_sqlite":
            raise ValidationError(
                f"要替换的文件不是 SQLite 数据库：{path}。为免误删其他文件，未作恢复；"
                "如确是损坏的数据库，请先将其移走或改名，再恢复到原位置。"
            )
        if state.state == "foreign":
            raise ValidationError(f"要替换的文件是其他程序的数据库：{path}。" + UNCHANGED)
        staged = store.stage(path.parent, path.name)
        try:
            counts = store.copy_sqlite(self.source, staged)
            facts = store.check_sqlite_copy(staged, counts)
            officer = self.checked(facts, state, store.sqlite_officer(staged, self.badge))
            ask_for_station_key(staged, self.recovery_code)
            aside = store.free_name(path.with_name(f"{path.name}.replaced-{self.stamp}"))
            if state.state != "missing":
                store.settle(path)  # refuses a database still open elsewhere
            if path.exists() and facts.revision == head_revision():
                engine = create_engine(f"sqlite:///{staged}")
                try:
                    self.record(engine, officer, aside, *store.digest(path))
                finally:
                    engine.dispose()
            replaced = store.swap_in(staged, path, aside)
        finally:
            store.discard(staged)  # gone already once swapped in
        logger.info("restored %s from %s (replaced kept at %s)", path, self.source, replaced)
        return self.result(str(path), facts, officer, replaced)

    def into_server(self, url: URL, where: str) -> RestoreResult:
        from db import pg_backup

        facts = pg_backup.check_dump(self.source)
        state = pg_backup.pg_target(url)
        officer = self.checked(facts, state, pg_backup.dump_officer(self.source, self.badge))
        ask_for_station_key(self.source, self.recovery_code)
        replaced = None
        if state.state == "station" or pg_backup.pg_tables(url):
            name = f"{url.database}.replaced-{self.stamp}.dump"
            staged = store.stage(self.source.parent, name)
            try:
                pg_backup.check_dump(staged, pg_backup.dump(url, staged))
                replaced = store.free_name(self.source.parent / name)
                store.publish(staged, replaced)
            finally:
                store.discard(staged)
        pg_backup.restore(url, self.source)
        if replaced is not None and facts.revision == head_revision():
            engine = create_engine(url)
            try:
                self.record(engine, officer, replaced, *store.digest(replaced))
            except Exception:  # restored: the missing note must not hide that
                logger.exception("could not record the restore in %s", where)
            finally:
                engine.dispose()
        logger.info("restored %s from %s (replaced kept at %s)", where, self.source, replaced)
        return self.result(where, facts, officer, replaced)

    def checked(
        self, facts: CopyFacts, state: TargetState, officer: StoredOfficer | None
    ) -> StoredOfficer:
        """The backup's officer, once the station matches and the password is right."""
        if state.state == "station" and state.station_code != facts.station_code:
            raise ValidationError(
                f"该备份属于“{facts.station_name}”（简码 {facts.station_code}），"
                f"要替换的数据库属于“{state.station_name}”（简码 {state.station_code}），"
                "不能用其他单位的备份恢复。" + UNCHANGED
            )
        if officer is None or not self.hashing.verify(officer.password_hash, self.password):
            raise AuthenticationError(
                "警号或密码错误：恢复须使用备份中所长或系统管理员的账号和密码。" + UNCHANGED,
                "password",
            )
        if not officer.active:
            raise AuthenticationError("该账号在备份中已停用，不能用于恢复。" + UNCHANGED)
        if not allows(Role(officer.role), Permission.BACKUP):
            raise PermissionDenied(
                f"{Role(officer.role).label}无权恢复数据库：须由备份中的所长或系统管理员恢复。"
                + UNCHANGED
            )
        return officer

    def record(
        self, engine: Engine, officer: StoredOfficer, aside: Path, size: int, sha256: str
    ) -> None:
        """The restore on record in the restored database: the replaced one and who did it.

        Its chain is keyed: the key (here since ``ask_for_station_key``) extends it. The head
        kept beside the key is moved to the restored chain, which is older on purpose.
        """
        from app.core.station_key import unlock
        from app.integrity import chain_anchor

        unlock(engine, str(aside), writable=False)
        with Session(engine) as session, session.begin():
            row = BackupRecord(
                at=self.now,
                reason="before_restore",
                officer_id=officer.id,
                path=str(aside)[:600],
                size_bytes=size,
                sha256=sha256,
                ok=True,
                note=f"用 {self.source.name} 恢复前被替换的数据库"[:400],
            )
            session.add(row)
            session.flush()
            audit.record(
                session,
                at=self.now,
                officer_id=officer.id,
                action="database_restored",
                entity_type="backup",
                entity_id=row.id,
                after={"from": str(self.source), "replaced": str(aside), "sha256": sha256},
            )
        with Session(engine) as session:
            chain_anchor.remember(session, self.now.astimezone().strftime("%Y-%m-%d %H:%M"))

    def result(
        self, where: str, facts: CopyFacts, officer: StoredOfficer, replaced: Path | None
    ) -> RestoreResult:
        return RestoreResult(
            where,
            self.source,
            facts.station_name,
            facts.station_code,
            facts.revision,
            officer.name,
            str(replaced) if replaced is not None else None,
        )


def ask_for_station_key(copy: Path, recovery_code: str | None) -> None:
    """Refuse, before anything is replaced, a backup this computer could not open.

    A SQLite backup names the station key its personal data is sealed with; when this
    computer does not hold that key (a new PC), the chief's recovery code must come with the
    restore, and a wrong one is refused here. A PostgreSQL dump is checked when the restored
    database is first opened (each counter is asked for the code once).
    """
    if store.file_kind(copy) != "sqlite":
        return
    record = key_record_of_file(copy)
    if record is None:
        return
    try:
        keep_key_for(record, recovery_code, "该备份")
    except StationKeyNeeded as exc:
        raise StationKeyNeeded(exc.message + UNCHANGED, exc.key_id) from None
    except ValidationError as exc:
        raise ValidationError(exc.message + UNCHANGED, exc.field) from None
