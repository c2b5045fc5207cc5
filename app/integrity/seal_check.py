"""``stationdesk check``: every business row against the seal its last saving left.

A row the program saved matches its latest seal (``app.core.row_seals``); one changed, inserted or
deleted by other means does not, and is named. Rows written before the chain was keyed carry no
seal and are counted, not judged. Each table is read in key order beside its seals in the same
order, so the check holds one row at a time, not a table.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from app.core.row_seals import (
    TABLE_LABELS,
    bound_tables,
    key_column,
    key_value,
    row_hash,
    rows_in_order,
)
from app.integrity.business_check import Findings
from db.models import AuditEvent, AuditSeal, Visit

BATCH = 5000


def _latest_seals(session: Session, table: str) -> Iterator[tuple[int, str, int]]:
    """(row id, hash, event id) of each row's latest seal, by row id."""
    last_row: int | None = None
    last_hash = ""
    last_event = 0
    after: tuple[int, int] = (-(2**62), 0)
    while True:
        rows = session.execute(
            select(AuditSeal.row_id, AuditSeal.event_id, AuditSeal.row_hash)
            .where(
                AuditSeal.table_name == table,
                (AuditSeal.row_id > after[0])
                | ((AuditSeal.row_id == after[0]) & (AuditSeal.event_id > after[1])),
            )
            .order_by(AuditSeal.row_id, AuditSeal.event_id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        for row_id, event_id, digest in rows:
            if last_row is not None and row_id != last_row:
                yield last_row, last_hash, last_event
            last_row, last_hash, last_event = row_id, digest, event_id
        after = (rows[-1][0], rows[-1][1])
    if last_row is not None:
        yield last_row, last_hash, last_event


def _gone(session: Session, name: str, seal: tuple[int, str, int]) -> str:
    """A deleted row, named by the event that last saved it."""
    found = session.execute(
        select(AuditEvent.action, AuditEvent.entity_type, AuditEvent.entity_id).where(
            AuditEvent.id == seal[2]
        )
    ).first()
    what = f"，最后一次保存见第 {seal[2]} 号审计事件" + (f"（{found[2]}）" if found else "")
    return f"{name}（内部编号 {seal[0]}{what}）：经本程序保存过，现已不存在（被删除）"


def _visit_label(session: Session, table: Table, row: Any, names: list[str]) -> str:
    """The registration a row belongs to, for tables without a number of their own."""
    if "visit_id" not in names:
        return ""
    serial = session.scalar(select(Visit.serial).where(Visit.id == row[names.index("visit_id")]))
    return f"（登记 {serial}）" if serial else ""


def check_rows(session: Session, sealed_from: str, findings: Findings, keyed: bool) -> str:
    """Compare every bound row with its latest seal; one summary line, findings added.

    Rows up to a table's floor (there before the chain was keyed) are only counted, unless
    the program saved them since; only the rows above it are read whole, in key order.
    """
    try:
        watermarks = {str(k): int(v) for k, v in json.loads(sealed_from or "{}").items()}
    except (ValueError, TypeError, AttributeError):
        watermarks = {}
    tally = [0, 0]  # compared, older
    for table in bound_tables():
        _check_table(session, table, watermarks.get(table.name, 0), findings, tally)
    compared, older = tally
    note = f"；{older} 条为启用审计绑定之前的记录，未逐条核对" if older else ""
    how = "" if keyed else "（本机没有站点密钥，绑定记录本身未能用密钥核实）"
    return f"业务记录绑定：{compared} 条记录已与最后一次经本程序保存时的校验值核对{note}{how}"


def _check_table(
    session: Session, table: Table, floor: int, findings: Findings, tally: list[int]
) -> None:
    name = TABLE_LABELS.get(table.name, (table.name, None))[0]
    names = [c.name for c in table.columns]

    def judge(seal: tuple[int, str, int], row_id: int, row: Any, label: str) -> None:
        tally[0] += 1
        if seal[1] and row_hash(table.name, names, row) == seal[1]:
            return  # the common case: nothing to name
        what = (
            f"{name} {label}"
            if label
            else f"{name}（内部编号 {row_id}）{_visit_label(session, table, row, names)}"
        )
        if not seal[1]:
            findings.add(f"{what}：本程序记录其已删除，现又出现（疑为直接写入）")
        else:
            findings.add(f"{what}：内容与最后一次经本程序保存时不符（被直接改动）")

    seals = _latest_seals(session, table.name)
    seal = next(seals, None)
    # Rows from before keying that the program saved since: read by key, a chunk at a time.
    saved_old = 0
    while seal is not None and seal[0] <= floor:
        chunk: list[tuple[int, str, int]] = []
        while seal is not None and seal[0] <= floor and len(chunk) < 500:
            chunk.append(seal)
            seal = next(seals, None)
        present = {
            row_id: (row, label)
            for row_id, row, label in rows_in_order(session, table, ids=[c[0] for c in chunk])
        }
        for old in chunk:
            if old[0] not in present:
                if old[1]:
                    findings.add(_gone(session, name, old))
                continue
            saved_old += 1
            judge(old, old[0], *present[old[0]])
    if floor:
        key = key_column(table)
        below = session.scalar(
            select(func.count()).select_from(table).where(key <= key_value(table, floor))
        )
        tally[1] += int(below or 0) - saved_old
    # Rows written since: every one must match its latest seal.
    for row_id, row, label in rows_in_order(session, table, after=floor):
        while seal is not None and seal[0] < row_id:
            if seal[1]:
                findings.add(_gone(session, name, seal))
            seal = next(seals, None)
        if seal is None or seal[0] != row_id:
            what = (
                f"{name} {label}"
                if label
                else f"{name}（内部编号 {row_id}）{_visit_label(session, table, row, names)}"
            )
            findings.add(f"{what}：没有经本程序保存的记录（疑为绕过本程序直接写入）")
            continue
        judge(seal, row_id, row, label)
        seal = next(seals, None)
    while seal is not None:
        if seal[1]:
            findings.add(_gone(session, name, seal))
        seal = next(seals, None)
