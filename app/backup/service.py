"""Backups a chief can trust: written, checked, recorded, rotated; the warning when one is due.

Who may: the chief and the administrator (``Permission.BACKUP``); the automatic backups (after
the chief's review, the first start of each day) run as the system (``user=None``). Each
attempt, good or failed, is a ``backup_records`` row and an audit event. A failure leaves no
file behind and says in one Chinese sentence what to do. Restoring is app/backup/restore.py.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from app.backup.dto import BackupResult, BackupRow
from app.core import audit
from app.core.clock import Clock
from app.core.dto import SessionUser
from app.core.errors import DatabaseProblem, NotFound, PermissionDenied, ValidationError
from app.core.roles import Permission, allows
from app.core.service_base import ServiceBase
from app.integrity import chain_anchor
from db import backup as store
from db.backup import BackupFailure
from db.models import BackupRecord, Station

logger = logging.getLogger(__name__)

REASON_LABELS = {
    "manual": "手动备份",
    "after_review": "审核后自动备份",
    "daily": "每日自动备份",
    "before_restore": "恢复前留存",
}
AUTOMATIC = ("after_review", "daily")
DUE_AFTER = dt.timedelta(hours=24)
FOLDER_KINDS = ("no_folder", "not_writable", "disk_full", "write_failed")


def size_text(size: int) -> str:
    """A file size as people read it (KB up to a megabyte, then MB)."""
    return f"{size / 1024:.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"


def explain(failure: BackupFailure, folder: Path) -> str:
    """A failed backup in one Chinese sentence a user can act on."""
    kind, detail = failure.kind, failure.detail
    if kind == "no_folder":
        return (
            f"备份文件夹不存在：{folder}。请检查 U 盘或共享文件夹是否已连接、路径是否正确，"
            "或在“本所设置”中改选备份文件夹。"
        )
    if kind == "not_writable":
        return f"没有权限写入备份文件夹：{folder}。请检查权限或换一个文件夹。"
    if kind == "disk_full":
        return (
            f"备份文件夹所在的磁盘空间不足（或文件超出该磁盘允许的大小），备份未完成：{folder}。"
            "请清理磁盘或换一个位置后重试。"
        )
    if kind == "write_failed":
        return (
            f"写入备份文件失败（磁盘可能已满、已拔出或出错），备份未完成：{folder}。"
            "请换一个位置重试。"
        )
    if kind == "in_use":
        return "数据库正忙，备份未完成，请稍后重试。"
    if kind == "tool_missing":
        return (
            f"找不到 {detail}：备份 PostgreSQL 数据库需要安装 PostgreSQL 客户端工具"
            "（pg_dump、pg_restore、psql）。"
        )
    if kind == "tool_failed":
        return f"PostgreSQL 备份工具运行失败（{detail}）。请检查数据库地址、网络和权限。"
    return (
        f"备份写入后核对不符（{kind}：{detail[:120]}），已删除该副本。"
        "请再备份一次；如仍失败，请运行 stationdesk check 检查数据库。"
    )


class BackupService(ServiceBase):
    """Backups of the database these services run on."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock) -> None:
        super().__init__(sessions, clock)
        # The database to copy is the one the session factory is bound to (build_services
        # gets only the factory).
        bind = sessions.kw.get("bind")
        self._engine: Engine | None = bind if isinstance(bind, Engine) else None

    # ---- writing a backup -----------------------------------------------------------------

    def backup(
        self, user: SessionUser | None, to_folder: Path | None = None, reason: str = "manual"
    ) -> BackupResult:
        """Write a checked copy to ``to_folder`` (default: the configured backup folder).

        Named ``<station code>-<YYYYmmdd-HHMMSS>-<reason>.sqlite3`` (``.dump`` for PostgreSQL),
        recorded and audited whether it worked or not; then the automatic backups beyond the
        station's ``backup_keep`` in that folder are removed, oldest first.
        """
        if reason not in AUTOMATIC and reason != "manual":
            raise ValidationError(f"未知的备份原因：{reason}", "reason")
        with self._sessions.begin() as session:
            if user is not None:
                self._require(session, user, Permission.BACKUP)
            elif reason == "manual":
                raise PermissionDenied("手动备份须由所长或系统管理员登录后进行。")
            station = session.get(Station, 1)
            if station is None:
                raise NotFound("本数据库尚未初始化，没有可备份的本所数据。")
            code, configured, keep = station.code, station.backup_folder, station.backup_keep
            zone = ZoneInfo(station.timezone)
        at = self._clock.now()
        source, suffix = self._source()
        name = f"{code}-{at.astimezone(zone):%Y%m%d-%H%M%S}-{reason}{suffix}"
        officer_id = user.officer_id if user is not None else None
        try:
            folder = Path(to_folder).expanduser() if to_folder else self.folder(configured, source)
        except ValidationError as exc:
            self._record(at, reason, officer_id, Path(name), 0, "", False, exc.message)
            raise
        try:
            path, size, sha256 = self._write(folder, name, source)
        except BackupFailure as failure:
            message = explain(failure, folder)
            logger.info("backup to %s failed: %s", folder, failure)
            self._record(at, reason, officer_id, folder / name, 0, "", False, message)
            if failure.kind in FOLDER_KINDS:
                raise ValidationError(message, "folder") from None
            raise DatabaseProblem(message) from None
        removed = self._rotate(folder, code, keep)
        self._record(at, reason, officer_id, path, size, sha256, True, "", removed)
        self._anchor(f"{at.astimezone(zone):%Y-%m-%d %H:%M}")
        logger.info("backup %s written (%s bytes)", path, size)
        return BackupResult(path, size, sha256, reason, at, removed)

    def _anchor(self, at: str) -> None:
        """Keep the chain's head beside the station key (``app.integrity.chain_anchor``)."""
        try:
            with self._sessions() as session:
                chain_anchor.remember(session, at)
        except Exception:  # the backup is written: a missing anchor must not hide that
            logger.exception("could not keep the audit chain's head after the backup")

    def folder(self, configured: str, source: Path | None) -> Path:
        """Where automatic backups go: the configured folder, else beside the database file."""
        if configured.strip():
            return Path(configured.strip()).expanduser()
        if source is None:
            raise ValidationError(
                "PostgreSQL 数据库没有“数据库旁边”的位置：请在“本所设置”中填写备份文件夹。",
                "folder",
            )
        return source.parent

    def _source(self) -> tuple[Path | None, str]:
        """The SQLite file (None for PostgreSQL) and the suffix of its backups."""
        if self._engine is None:
            raise DatabaseProblem("无法确定要备份的数据库。")
        url = self._engine.url
        if url.get_backend_name() == "postgresql":
            return None, ".dump"
        if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
            raise DatabaseProblem("只能备份 SQLite 数据库文件或 PostgreSQL 数据库。")
        return Path(url.database), ".sqlite3"

    def _write(self, folder: Path, name: str, source: Path | None) -> tuple[Path, int, str]:
        staged = store.stage(folder, name)
        try:
            if source is not None:
                _room_for(folder, source)
                counts = store.copy_sqlite(source, staged)
                store.check_sqlite_copy(staged, counts)
            else:
                from db import pg_backup

                assert self._engine is not None
                tables = pg_backup.dump(self._engine.url, staged)
                pg_backup.check_dump(staged, tables)
            size, sha256 = store.digest(staged)
            final = store.free_name(folder / name)
            store.publish(staged, final)
        finally:
            store.discard(staged)  # gone already once published
        return final, size, sha256

    def _record(
        self,
        at: dt.datetime,
        reason: str,
        officer_id: int | None,
        path: Path,
        size: int,
        sha256: str,
        ok: bool,
        note: str,
        removed: tuple[Path, ...] = (),
    ) -> None:
        """The attempt on record; a failure to record it is logged, never hides the outcome."""
        try:
            with self._writing() as session:
                row = BackupRecord(
                    at=at,
                    reason=reason,
                    officer_id=officer_id,
                    path=str(path)[:600],
                    size_bytes=size,
                    sha256=sha256,
                    ok=ok,
                    note=note[:400],
                )
                session.add(row)
                session.flush()
                after = {"path": str(path), "reason": reason, "size_bytes": size}
                after |= {"sha256": sha256} if ok else {"note": note}
                if removed:
                    after["removed"] = [p.name for p in removed]
                audit.record(
                    session,
                    at=self._clock.now(),
                    officer_id=officer_id,
                    action="backup_written" if ok else "backup_failed",
                    entity_type="backup",
                    entity_id=row.id,
                    after=after,
                )
        except Exception:  # e.g. the database busy for longer than the timeout
            logger.exception("could not record the backup %s (ok=%s)", path, ok)

    def _rotate(self, folder: Path, code: str, keep: int) -> tuple[Path, ...]:
        """Remove the automatic backups of this station beyond ``keep``, oldest first."""
        pattern = re.compile(
            rf"^{re.escape(code)}-(\d{{8}}-\d{{6}})-(?:after_review|daily)(?:-(\d+))?"
            r"\.(?:sqlite3|dump)$"
        )
        found = []
        for path in folder.iterdir():
            match = pattern.match(path.name)
            if match and path.is_file():
                found.append(((match.group(1), int(match.group(2) or 0)), path))
        removed = []
        for _key, path in sorted(found)[: max(0, len(found) - keep)]:
            try:
                path.unlink()
                removed.append(path)
            except OSError as exc:  # the next backup tries again
                logger.warning("could not remove old backup %s: %s", path, exc)
        return tuple(removed)

    # ---- what is on record ------------------------------------------------------------------

    def last_good_backup(self) -> BackupRow | None:
        """The newest backup that was written and checked (restores' leftovers aside)."""
        with self._sessions.begin() as session:
            return _newest(session, ok_only=True)

    def backup_due_warning(self, user: SessionUser, now: dt.datetime | None = None) -> str:
        """For the chief's today page: a sentence when the last good backup is over a day old
        (or there is none, or the last attempt failed); "" otherwise and for other roles."""
        if not allows(user.role, Permission.BACKUP):
            return ""
        now = now or self._clock.now()
        with self._sessions.begin() as session:
            good = _newest(session, ok_only=True)
            last = _newest(session, ok_only=False)
            station = session.get(Station, 1)
            zone = ZoneInfo(station.timezone if station else "Asia/Shanghai")
        stale = good is None or now - good.at > DUE_AFTER
        failed = last is not None and not last.ok
        if not stale and not failed:
            return ""
        parts = []
        if failed and last is not None:
            parts.append(
                f"{last.at.astimezone(zone):%m-%d %H:%M} 的{REASON_LABELS[last.reason]}失败："
                f"{last.note.rstrip('。')}。"
            )
        if good is None:
            parts.append("本所数据库还没有一份成功的备份。")
        elif stale:
            parts.append(
                f"最近一次成功的备份在 {good.at.astimezone(zone):%Y-%m-%d %H:%M}，已超过一天。"
            )
        if not failed:
            parts.append("请检查备份文件夹，或在“本所设置 → 备份”中点“立即备份”。")
        return "".join(parts)

    def daily_backup_if_due(self) -> BackupResult | None:
        """The first start of a local day: a backup to the configured folder, unless one
        good backup was already made today (or the station is not set up yet)."""
        with self._sessions.begin() as session:
            station = session.get(Station, 1)
            if station is None:
                return None
            zone = ZoneInfo(station.timezone)
            good = _newest(session, ok_only=True)
        today = self._clock.now().astimezone(zone).date()
        if good is not None and good.at.astimezone(zone).date() == today:
            return None
        return self.backup(None, None, "daily")


def _newest(session: Session, *, ok_only: bool) -> BackupRow | None:
    query = select(BackupRecord).where(BackupRecord.reason != "before_restore")
    if ok_only:
        query = query.where(BackupRecord.ok.is_(True))
    row = session.scalars(query.order_by(BackupRecord.at.desc(), BackupRecord.id.desc())).first()
    if row is None:
        return None
    return BackupRow(row.at, row.reason, row.path, row.size_bytes, row.sha256, row.ok, row.note)


def _room_for(folder: Path, source: Path) -> None:
    """Refuse at once when the folder's disk cannot hold the copy (it would fail half-way)."""
    needed = sum(
        p.stat().st_size for p in (source, source.with_name(source.name + "-wal")) if p.exists()
    )
    if shutil.disk_usage(folder).free < needed:
        raise BackupFailure("disk_full", f"{needed} bytes needed")
