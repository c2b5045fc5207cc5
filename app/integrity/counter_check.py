"""``stationdesk check``: each numbering counter against the highest number used.

A counter behind the numbers used (or missing while numbers of its year are used) would make
the next registration of its kind collide with a used number; the service repairs it forward at
that registration (app.core.numbering), but the check names it first, one Chinese line each, so the
chief learns that the file was changed. Every read is an index lookup on a numbered table's
UNIQUE (year, seq): a few per kind and year, however long the station's history.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.numbering import LABELS, NUMBERED, highest_used_query
from app.integrity.business_check import Context
from db.models import Counter


def _years_used(session: Session, kind: str) -> list[int]:
    """The years in which numbers of ``kind`` were given, one index lookup each."""
    model = NUMBERED[kind]
    years: list[int] = []
    year = session.scalar(select(func.min(model.year)))
    while year is not None:
        years.append(year)
        year = session.scalar(select(func.min(model.year)).where(model.year > year))
    return years


def check_counters(ctx: Context) -> str:
    """Name each counter behind the numbers used as a finding; one summary line."""
    session = ctx.session
    stored = {
        (c.kind, c.year): c.last_no
        for c in session.scalars(select(Counter).order_by(Counter.kind, Counter.year))
        if c.kind in NUMBERED
    }
    pairs = set(stored)
    for kind in NUMBERED:
        pairs.update((kind, year) for year in _years_used(session, kind))
    behind = 0
    for kind, year in sorted(pairs, key=lambda p: (list(NUMBERED).index(p[0]), p[1])):
        used = session.scalar(select(highest_used_query(kind, year))) or 0
        last = stored.get((kind, year))
        if (last or 0) >= used:
            continue
        behind += 1
        label = LABELS[kind]
        state = "缺失" if last is None else f"为 {last}"
        ctx.findings.add(
            f"编号计数器：{year} 年{label}计数器{state}，但已用到第 {used} 号（{kind}:{year}），"
            "数据库文件可能被改动或恢复有误。下一次编号时程序会自动跳过已用编号、"
            f"从第 {used + 1} 号接着编并记入审计，不会重复使用编号"
        )
    if behind:
        return f"编号计数器：共 {len(pairs)} 个，{behind} 个落后于已用编号（逐条见下）"
    return f"编号计数器：{len(pairs)} 个与已用编号一致"
