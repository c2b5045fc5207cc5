"""What binds the business rows to the audit chain: the hash of a row as stored.

Every table of the station's records is bound (all but the chain itself, the key's record and
the numbering counters, which ``stationdesk check`` compares with the numbers used). When a
transaction commits, each row it inserted, changed or deleted is read back as stored and its
hash written as an ``audit_seals`` row under the transaction's last audit event, whose keyed
hash covers them all (``app.core.audit``). ``stationdesk check`` reads every row again and compares
it with its latest seal: a row changed outside the program, inserted without the program, or
deleted, no longer matches.

The hash is over the stored values (sealed personal data as its ciphertext, so it needs no
key), by column name, leaving out NULL: a later migration that adds a nullable column changes
no row's hash. A migration that adds a NOT NULL column to a bound table must leave its default
out here for rows sealed before it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, Date, Select, Table, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

import db.models  # noqa: F401  (every table on the metadata before it is listed)
from db.base import Base

UNBOUND = frozenset({"audit_events", "audit_seals", "audit_head", "station_key", "counters"})
CHUNK = 500

# How a finding names a table's record, and which column tells which record it is.
TABLE_LABELS: dict[str, tuple[str, str | None]] = {
    "visits": ("登记", "serial"),
    "visit_transitions": ("办理记录", None),
    "handovers": ("移交记录", None),
    "notices": ("告知单", "number"),
    "notice_items": ("告知单材料", None),
    "notice_breaches": ("告知单违规记录", None),
    "signatures": ("签字", None),
    "ratings": ("评价", None),
    "rectifications": ("整改", "number"),
    "callback_batches": ("回访批次", None),
    "callbacks": ("回访", None),
    "callback_attempts": ("回访拨打记录", None),
    "complaints": ("投诉", "number"),
    "day_reviews": ("台账审核", "day"),
    "addenda": ("更正记录", "number"),
    "officers": ("人员", "badge_no"),
    "stations": ("本所设置", None),
    "service_items": ("办理事项", "code"),
    "service_item_versions": ("事项版本", None),
    "service_materials": ("事项材料", None),
    "holiday_overrides": ("节假日调整", "day"),
    "calendar_years": ("节假日年度", "year"),
    "print_records": ("打印记录", None),
    "backup_records": ("备份记录", None),
    "shift_handovers": ("交接班记录", "number"),
    "appointments": ("预约（上门）服务", "number"),
    "ledger_imports": ("历史台账导入", "number"),
    "ledger_import_visits": ("导入的登记", None),
}


_BOUND: tuple[Table, ...] = tuple(t for t in Base.metadata.sorted_tables if t.name not in UNBOUND)
_BOUND_BY_NAME: dict[str, Table] = {t.name: t for t in _BOUND}


def bound_tables() -> list[Table]:
    """The tables whose rows are sealed, in a fixed order (sorted once: the order of the
    models never changes while the program runs, and sorting cost a third of a millisecond
    at every commit)."""
    return list(_BOUND)


BOUND_NAMES = frozenset(_BOUND_BY_NAME)


def key_column(table: Table) -> Column[Any]:
    """The single-column primary key of a bound table."""
    (column,) = table.primary_key.columns
    return column


def row_key(value: Any) -> int:
    """A primary key as the integer ``audit_seals.row_id`` keeps (a date by its ordinal)."""
    if isinstance(value, dt.date):
        return value.toordinal()
    return int(value)


def stored_columns(table: Table) -> list[Any]:
    """The table's columns as stored: sealed values as ciphertext, not opened."""
    return [
        type_coerce(c, c.type.impl_instance) if isinstance(c.type, TypeDecorator) else c
        for c in table.columns
    ]


def row_select(table: Table) -> Select[Any]:
    """Every column of ``table`` as stored (built once per table: a Select is immutable)."""
    found = _ROW_SELECTS.get(table.name)
    if found is None or found[0] is not table:
        found = _ROW_SELECTS[table.name] = (table, select(*stored_columns(table)))
    return found[1]


_ROW_SELECTS: dict[str, tuple[Table, Select[Any]]] = {}


def plain_value(value: Any) -> Any:
    """A stored value as a JSON-able text the same on both engines (bytes, dates, numbers)."""
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        return "b:" + bytes(value).hex()
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return "d:" + value.isoformat()
    if isinstance(value, float):
        return "f:" + repr(value)
    if isinstance(value, Decimal):
        return "n:" + str(value)
    return "s:" + str(value)


def row_hash(table_name: str, names: Iterable[str], values: Iterable[Any]) -> str:
    """32 hex digits of SHA-256 over a row's stored values by column name (NULL left out)."""
    fields = {n: plain_value(v) for n, v in zip(names, values, strict=True) if v is not None}
    text = json.dumps(
        [table_name, fields], ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def seals_for(
    session: Session, touched: Mapping[str, Mapping[int, Any]]
) -> list[tuple[str, int, str]]:
    """(table, row id, hash or "" if gone) of every touched row, read back as stored now."""
    tables = _BOUND_BY_NAME
    seals: list[tuple[str, int, str]] = []
    for name in sorted(touched):
        table = tables[name]
        key = key_column(table)
        names = [c.name for c in table.columns]
        position = names.index(key.name)
        wanted = dict(touched[name])
        ids = sorted(wanted)
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            found: dict[int, str] = {}
            rows = session.execute(
                row_select(table).where(key.in_([wanted[i] for i in chunk]))
            ).all()
            for row in rows:
                found[row_key(row[position])] = row_hash(name, names, row)
            seals.extend((name, i, found.get(i, "")) for i in chunk)
    return seals


def seals_digest(seals: Iterable[tuple[str, int, str]]) -> str:
    """What an event's keyed hash covers of its seals (empty when there are none)."""
    lines = sorted(f"{table}\t{row_id}\t{digest}" for table, row_id, digest in seals)
    if not lines:
        return ""
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def highest_ids(session: Session) -> dict[str, int]:
    """Each bound table's highest key now (0 when empty): rows up to it carry no seal."""
    from sqlalchemy import func

    found: dict[str, int] = {}
    for table in bound_tables():
        value = session.scalar(select(func.max(key_column(table))))
        found[table.name] = row_key(value) if value is not None else 0
    return found


def key_value(table: Table, row_id: int) -> Any:
    """A table's key as stored, from its integer ``row_id`` (a date from its ordinal)."""
    if isinstance(key_column(table).type, Date):
        return dt.date.fromordinal(max(row_id, 1))
    return row_id


def rows_in_order(
    session: Session,
    table: Table,
    batch: int = 2000,
    after: int | None = None,
    ids: list[int] | None = None,
) -> Iterator[tuple[int, Any, str]]:
    """(row id, stored row, label) of the rows of ``table`` by key, a batch at a time: every
    row, those above ``after``, or those of ``ids``."""
    key = key_column(table)
    names = [c.name for c in table.columns]
    position = names.index(key.name)
    label_column = TABLE_LABELS.get(table.name, ("", None))[1]
    label_at = names.index(label_column) if label_column in names else None
    if ids is not None:
        query = row_select(table).where(key.in_([key_value(table, i) for i in ids]))
        for row in session.execute(query.order_by(key)):
            label = str(row[label_at]) if label_at is not None else ""
            yield row_key(row[position]), row, label
        return
    last: Any = key_value(table, after) if after else None
    while True:
        query = row_select(table).order_by(key).limit(batch)
        if last is not None:
            query = query.where(key > last)
        rows = session.execute(query).all()
        if not rows:
            return
        for row in rows:
            label = str(row[label_at]) if label_at is not None else ""
            yield row_key(row[position]), row, label
        last = rows[-1][position]
