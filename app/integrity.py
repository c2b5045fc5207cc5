"""``stationdesk check``: storage integrity, schema version and the audit chain."""

from __future__ import annotations

import logging

from sqlalchemy.exc import DBAPIError

from app.audit import verify_chain
from app.database import Database
from app.dto import CheckReport
from db.maintenance import storage_integrity
from db.migrate import current_revision, head_revision

logger = logging.getLogger(__name__)


def check_database(db: Database) -> CheckReport:
    """Run every check and describe each outcome in one Chinese line."""
    try:
        return _check(db)
    except DBAPIError as exc:
        logger.warning("check of %s failed: %s", db.location, exc.orig)
        return CheckReport(
            False, ("无法读取数据库：文件可能已损坏，或无法连接服务器（详情见日志）。",)
        )


def _check(db: Database) -> CheckReport:
    lines: list[str] = []
    ok = True
    findings = storage_integrity(db.engine)
    if findings is None:
        lines.append("存储完整性：数据库服务器自行保证，已跳过文件检查")
    elif not findings:
        lines.append("存储完整性：正常")
    else:
        ok = False
        logger.warning("integrity_check of %s: %s", db.location, findings)
        lines.append(
            f"存储完整性：发现 {len(findings)} 处损坏（详情见日志）。"
            "请停止使用该文件，改用最近的备份并联系系统管理员。"
        )
    current, head = current_revision(db.engine), head_revision()
    if current == head:
        lines.append(f"结构版本：{current}（最新）")
    else:
        ok = False
        lines.append(f"结构版本：{current}，程序要求 {head}")
    with db.sessions() as session:
        verdict = verify_chain(session)
    if verdict.ok:
        lines.append(f"审计链：完整，共 {verdict.events} 条事件")
    else:
        ok = False
        where = f"第 {verdict.first_broken} 号事件" if verdict.first_broken else "链尾"
        lines.append(f"审计链：在{where}处断裂 —— {verdict.reason}")
    return CheckReport(ok, tuple(lines))
