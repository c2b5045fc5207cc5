"""``stationdesk check``: storage integrity, schema version and the audit chain."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.audit import verify_chain
from app.database import Database
from app.dto import CheckReport
from db.migrate import current_revision, head_revision


def check_database(db: Database) -> CheckReport:
    """Run every check and describe each outcome in one Chinese line."""
    try:
        return _check(db)
    except DBAPIError as exc:
        return CheckReport(False, (f"无法读取数据库，文件可能已损坏：{exc.orig}",))


def _check(db: Database) -> CheckReport:
    lines: list[str] = []
    ok = True
    if db.engine.dialect.name == "sqlite":
        with db.engine.connect() as conn:
            result = [row[0] for row in conn.execute(text("PRAGMA integrity_check"))]
        if result == ["ok"]:
            lines.append("存储完整性：正常（PRAGMA integrity_check = ok）")
        else:
            ok = False
            lines.append("存储完整性：发现损坏 —— " + "；".join(str(r) for r in result[:5]))
    else:
        lines.append(f"存储完整性：{db.engine.dialect.name} 数据库由服务器自行保证，已跳过文件检查")
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
