"""``stationdesk check``: storage integrity, schema version, the audit chain, business records."""

from __future__ import annotations

import logging
import re
import shlex
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from app.core.audit import ChainVerdict, verify_chain
from app.core.database import Database
from app.integrity import business_check, chain_anchor, counter_check, record_check, seal_check
from app.integrity.dto import CheckReport
from db.maintenance import storage_integrity
from db.migrate import current_revision, head_revision
from db.sealed import cipher_of, has_cipher

logger = logging.getLogger(__name__)


# A backup's file name: <单位简码>-<YYYYMMDD>-<HHMMSS>-<why>[-n].sqlite3 (BackupService.backup).
_BACKUP_NAME = re.compile(r"^[A-Z0-9]{2,12}-(\d{8}-\d{6})-[a-z_]+(?:-(\d+))?\.sqlite3$")


def check_database(db: Database) -> CheckReport:
    """Run every check and describe each outcome in one Chinese line."""
    done: list[str] = []  # each check's line, as far as the checks got
    try:
        return _check(db, done)
    except DBAPIError as exc:
        logger.warning("check of %s failed: %s", db.location, exc.orig)
        return CheckReport(False, (*done, *_unreadable(db, len(done))))


def _unreadable(db: Database, stage: int) -> tuple[str, ...]:
    """What to say, and to do, when the database could not be read to the end."""
    where = _STAGES[min(stage, len(_STAGES) - 1)]
    if db.file is None:
        return (
            f"无法读取数据库（检查{where}时）：无法连接数据库服务器，或服务器上的数据已损坏"
            "（详情见日志）。请联系系统管理员检查服务器。",
        )
    return (
        f"数据库文件已损坏，无法读取（检查{where}时，详情见日志）：{db.file}",
        *_restore_advice(db.file),
    )


def _restore_advice(file: Path) -> list[str]:
    """Stop using the damaged ``file`` and restore it: the command, the newest backup filled in."""
    newest = _newest_backup_beside(file)
    lines = [
        "请停止使用该文件（不要再用本程序打开它登记或修改），保留它交系统管理员，"
        "并用最近的备份恢复（恢复前会先核对备份，损坏的文件另行留存）：",
        f"  stationdesk restore --db {shlex.quote(str(file))} --badge <所长或系统管理员的警号> "
        f"{shlex.quote(str(newest)) if newest is not None else '<备份文件>'}",
    ]
    if newest is not None:
        lines.append("这是数据库旁最近的备份；若在“本所设置”中另设了备份文件夹，那里可能有更新的。")
    else:
        lines.append("数据库旁没有找到备份；若在“本所设置”中另设了备份文件夹，请到该文件夹查找。")
    return lines


_STAGES = ("存储完整性", "结构版本", "审计链", "业务记录")


def _newest_backup_beside(file: Path) -> Path | None:
    """The newest backup file in the database's folder, by the time in its name."""
    try:
        found = [
            ((m.group(1), int(m.group(2) or 0)), path)
            for path in file.parent.iterdir()
            if (m := _BACKUP_NAME.match(path.name)) and path.is_file() and path != file
        ]
    except OSError:
        return None
    return max(found)[1] if found else None


def _check(db: Database, lines: list[str]) -> CheckReport:
    ok = True
    findings = storage_integrity(db.engine)
    if findings is None:
        lines.append("存储完整性：数据库服务器自行保证，已跳过文件检查")
    elif not findings:
        lines.append("存储完整性：正常")
    else:
        ok = False
        logger.warning("integrity_check of %s: %s", db.location, findings)
        lines.append(f"存储完整性：发现 {len(findings)} 处损坏（详情见日志）。")
        if db.file is not None:
            lines.extend(_restore_advice(db.file))
    current, head = current_revision(db.engine), head_revision()
    if current == head:
        lines.append(f"结构版本：{current}（最新）")
    else:
        ok = False
        lines.append(f"结构版本：{current}，程序要求 {head}")
    with db.sessions() as session:
        verdict = verify_chain(session)
        anchored = chain_anchor.check(session)
    if verdict.ok:
        unkeyed = (
            "（本机没有站点密钥：只核对了事件之间的链接，未用密钥核对各事件）"
            if verdict.keyed_from and not verdict.key_checked
            else ""
        )
        lines.append(f"审计链：完整，共 {verdict.events} 条事件{unkeyed}")
    else:
        ok = False
        where = f"第 {verdict.first_broken} 号事件" if verdict.first_broken else "链尾"
        lines.append(f"审计链：在{where}处断裂 —— {verdict.reason}")
    if anchored is not None:
        ok = ok and not any(word in anchored for word in chain_anchor.ANCHOR_BROKEN)
        lines.append(anchored)
    if current != head:
        lines.append("业务记录：数据库结构不是最新版本，未核对（请先用本程序正常打开一次完成升级）")
        return CheckReport(False, tuple(lines))
    sound, found = _business(db, verdict)
    return CheckReport(ok and sound, (*lines, *found))


def _business(db: Database, verdict: ChainVerdict) -> tuple[bool, list[str]]:
    """Signed ledgers and what they signed, anchors, notices, signatures, ratings, corrections."""
    dialect = db.engine.dialect
    cipher = cipher_of(dialect) if has_cipher(dialect) else None
    with db.sessions() as session:
        ctx = business_check.business_context(session, cipher)
        if ctx is None:
            return True, ["业务记录：数据库尚未初始化，没有业务记录"]
        lines = [
            business_check.check_reviews(ctx),
            business_check.check_registrations(ctx),
            record_check.check_corrections(ctx),
            record_check.check_notices(ctx),
            record_check.check_signatures(ctx),
            record_check.check_ratings(ctx),
            counter_check.check_counters(ctx),
        ]
        if verdict.keyed_from:
            sealed, keyed = verdict.sealed_from, verdict.key_checked
            lines.append(seal_check.check_rows(session, sealed, ctx.findings, keyed))
    found = ctx.findings
    if found.total:
        lines.append(f"业务记录：发现 {found.total} 处问题，逐条如下：")
    else:
        lines.append("业务记录：未发现问题")
    return found.total == 0, [*lines, *found.lines()]
