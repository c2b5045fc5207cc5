"""Query building blocks shared by the ledger, the statistics and the callback sampler.

Everything here is bounded by the period asked for: it reads the index range of that period,
never all of history, so a day or a month costs the same after ten years as in the first week.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Integer, Select, Text, case, literal, select
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ColumnElement, Subquery
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from db.models import Visit, VisitTransition

SelectT = TypeVar("SelectT", bound=Select[*tuple[Any, ...]])

# 办结 in the wide sense: completed, answered on the spot, guided elsewhere, refused. All final.
FINISHED_STATUSES = ("completed", "answered", "guided", "refused")
# A visit named by id, with the columns the period counts read of it (owner, matter, due, status).
VISIT_BY_ID = "ix_visits_id_figures"
# Closed for good: finished, or voided.
CLOSED_STATUSES = (*FINISHED_STATUSES, "voided")
OPEN_STATUSES = ("registered", "in_progress", "waiting_materials")


def sqlite_index(statement: SelectT, entity: Any, index: str) -> SelectT:
    """``statement`` reading ``entity`` through ``index`` on SQLite (``INDEXED BY``, rendered by
    the hint below); other engines ignore it.

    For the queries over a period of a big table whose plan must not depend on the planner's
    statistics: the ANALYZE that opening a file runs (``db.maintenance``, 1,000 rows an index)
    guesses a status's share of the visits as 1 in a thousand, and a finished-in-a-year count
    then walked 900,000 completed visits' histories (4.3 s instead of 0.1 s on the 1M station).
    """
    return statement.with_hint(entity, f"INDEXED BY {index}", "sqlite")


def finished_between(
    lo: dt.datetime,
    hi: dt.datetime,
    *columns: Any,
    statuses: Sequence[str] = FINISHED_STATUSES,
) -> Select[Any]:
    """Visits finished in [lo, hi): ``visit_id``, ``at`` (when) and any further ``columns``
    of the visit, one row per visit.

    Finished in a period means: in one of ``statuses`` now, and moved into it within the
    period ("以转为该状态的时间为准"). Those statuses are final (``app.visits.rules``), and an
    owner change (a transition from a status to itself) happens only to an open matter: the
    one transition into a finished status per visit is the row. Read from the period's range
    of ``ix_visit_transitions_status_at_visit``, never by grouping every visit's history. The
    ledger, the statistics and the callback sampler all count "finished" with this one
    definition.
    """
    query = (
        select(VisitTransition.visit_id, VisitTransition.at, *columns)
        .join(Visit, Visit.id == VisitTransition.visit_id)
        .where(
            VisitTransition.to_status.in_(statuses),
            VisitTransition.at >= lo,
            VisitTransition.at < hi,
            Visit.status.in_(statuses),
        )
    )
    query = sqlite_index(query, VisitTransition, "ix_visit_transitions_status_at_visit")
    return sqlite_index(query, Visit, VISIT_BY_ID)


def open_at(day: dt.date, lo: dt.datetime) -> Subquery:
    """Visits registered before ``day`` and still open at ``lo`` (its first instant):
    ``id`` and ``due_date``.

    Closed statuses are final, so a visit open then is open now or was closed at ``lo`` or
    later: the open visits of today (index on status) plus the closing transitions since
    ``lo`` (index on (to_status, at)), never a pass over every visit's history. The day's
    bound is kept off the date index (``unindexed``): with it, SQLite's planner may read
    every visit before the day instead.
    """
    registered_before = unindexed(Visit.local_date) < day
    open_now = select(Visit.id, Visit.due_date).where(
        Visit.status.in_(OPEN_STATUSES), registered_before
    )
    closed_since = (
        select(Visit.id, Visit.due_date)
        .join(VisitTransition, VisitTransition.visit_id == Visit.id)
        .where(
            VisitTransition.to_status.in_(CLOSED_STATUSES),
            VisitTransition.at >= lo,
            registered_before,
        )
    )
    return open_now.union(closed_since).subquery("carried")


# ---- expressions --------------------------------------------------------------------------


class _Unindexed(FunctionElement[Any]):
    """A column whose index the query must not use (the planner would pick it wrongly)."""

    inherit_cache = True
    name = "unindexed"

    def __init__(self, column: Any) -> None:
        super().__init__(column)
        self.type = column.type


@compiles(_Unindexed)
def _unindexed_default(element: _Unindexed, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(_Unindexed, "sqlite")
def _unindexed_sqlite(element: _Unindexed, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite's documented way: a unary + keeps the value and hides the column's index.
    return f"+{compiler.process(element.clauses, **kw)}"


def unindexed(column: Any) -> ColumnElement[Any]:
    """``column`` as a value only: SQLite will not drive the query from its index."""
    return _Unindexed(column)


def _sqlite_from_hint(_compiler: SQLiteCompiler, _table: Any, text: str | None) -> str | None:
    return text


# ``select(...).with_hint(Model, "INDEXED BY ix_name", "sqlite")`` names the index SQLite must
# read (https://sqlite.org/lang_indexedby.html), written after the table's name. SQLAlchemy
# renders table hints only for the dialects that have them and drops them for SQLite; this
# renders them. A query that needs a particular index on a large table says so (the audit
# log: without fresh statistics SQLite reads a year by time to find a few events of a kind).
# Other dialects ignore a hint given for "sqlite".
SQLiteCompiler.get_from_hint_text = _sqlite_from_hint  # type: ignore[method-assign,assignment]


class _ShiftedDate(FunctionElement[dt.date]):
    """The calendar date of a naive-UTC timestamp moved by a fixed number of seconds."""

    type = Date()
    inherit_cache = True
    name = "shifted_date"


@compiles(_ShiftedDate)
def _shifted_date_sqlite(element: _ShiftedDate, compiler: SQLCompiler, **kw: Any) -> str:
    column, seconds = list(element.clauses)
    # Whole seconds only: SQLite rounds a time to milliseconds, so 23:59:59.9996 would be
    # the next day.
    return (
        f"date(substr({compiler.process(column, **kw)}, 1, 19), {compiler.process(seconds, **kw)})"
    )


@compiles(_ShiftedDate, "postgresql")
def _shifted_date_pg(element: _ShiftedDate, compiler: SQLCompiler, **kw: Any) -> str:
    column, seconds = list(element.clauses)
    return (
        f"CAST(({compiler.process(column, **kw)} + CAST({compiler.process(seconds, **kw)} "
        "AS INTERVAL)) AS DATE)"
    )


def _offset(tz: ZoneInfo, timestamp: int) -> int:
    offset = dt.datetime.fromtimestamp(timestamp, tz).utcoffset()
    assert offset is not None
    return int(offset.total_seconds())


def offset_segments(
    tz: ZoneInfo, lo: dt.datetime, hi: dt.datetime
) -> list[tuple[dt.datetime | None, int]]:
    """The zone's UTC offsets over [lo, hi): (until, seconds) pairs, the last until None.

    One pair for a zone without daylight saving (Asia/Shanghai); one more per change.
    """
    segments: list[tuple[dt.datetime | None, int]] = []
    at, end = math.floor(lo.timestamp()), math.ceil(hi.timestamp())
    current = _offset(tz, at)
    step = 6 * 3600  # zones change their offset at most a few times a year
    while at < end:
        nxt = min(at + step, end)
        if _offset(tz, nxt) == current:
            at = nxt
            continue
        low, high = at, nxt  # the first second of the new offset is in (low, high]
        while high - low > 1:
            mid = (low + high) // 2
            low, high = (mid, high) if _offset(tz, mid) == current else (low, mid)
        if high >= end:
            break
        segments.append((dt.datetime.fromtimestamp(high, dt.UTC), current))
        current = _offset(tz, high)
        at = high
    segments.append((None, current))
    return segments


def local_date(
    column: Any, tz: ZoneInfo, lo: dt.datetime, hi: dt.datetime
) -> ColumnElement[dt.date]:
    """The station-local date of a stored (naive UTC) timestamp that lies in [lo, hi).

    Computed in SQL from the zone's offsets over the period, so "finished by its due date"
    is counted by the database, not row by row in Python.
    """
    segments = offset_segments(tz, lo, hi)

    def shifted(seconds: int) -> ColumnElement[dt.date]:
        modifier: str = f"{seconds:+d} seconds"
        return _ShiftedDate(column, literal(modifier))

    if len(segments) == 1:
        return shifted(segments[0][1])
    whens = [(column < until, shifted(seconds)) for until, seconds in segments[:-1]]
    return case(*whens, else_=shifted(segments[-1][1]))


class _MicrosBetween(FunctionElement[int]):
    """Microseconds from one naive-UTC timestamp to another (NULL if either is NULL)."""

    type = Integer()
    inherit_cache = True
    name = "micros_between"


@compiles(_MicrosBetween)
def _micros_sqlite(element: _MicrosBetween, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)

    # Stored as 'YYYY-MM-DD HH:MM:SS.ffffff'. The whole seconds from julianday() of the first
    # 19 characters (rounded: exact), the microseconds from the text: the same integer as
    # Python's timedelta. (strftime('%s') rounds to milliseconds first: a second off now
    # and then.)
    def whole(text: str) -> str:
        return f"julianday(substr({text}, 1, 19))"

    def micro(text: str) -> str:
        return f"CAST(substr({text} || '000000', 21, 6) AS INTEGER)"

    return (
        f"(CAST(round(({whole(end)} - {whole(start)}) * 86400) AS INTEGER) * 1000000"
        f" + ({micro(end)} - {micro(start)}))"
    )


@compiles(_MicrosBetween, "postgresql")
def _micros_pg(element: _MicrosBetween, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(ROUND(EXTRACT(EPOCH FROM ({end} - {start})) * 1000000) AS BIGINT)"


def micros_between(start: Any, end: Any) -> ColumnElement[int]:
    """``end - start`` in whole microseconds, computed by the database."""
    return _MicrosBetween(start, end)


class _IntList(FunctionElement[str]):
    """Aggregate: the group's integers as one text, comma-separated (NULLs left out)."""

    type = Text()
    inherit_cache = True
    name = "int_list"


@compiles(_IntList)
def _int_list_sqlite(element: _IntList, compiler: SQLCompiler, **kw: Any) -> str:
    return f"group_concat({compiler.process(element.clauses, **kw)}, ',')"


@compiles(_IntList, "postgresql")
def _int_list_pg(element: _IntList, compiler: SQLCompiler, **kw: Any) -> str:
    return f"string_agg(CAST({compiler.process(element.clauses, **kw)} AS TEXT), ',')"


def int_list(column: Any) -> ColumnElement[str]:
    """Every value of a group in one text: thousands of numbers come back as a few rows
    (``split_ints`` reads them), not a row each."""
    return _IntList(column)


def split_ints(text: str | None) -> list[int]:
    """The numbers of an ``int_list``."""
    return list(map(int, text.split(","))) if text else []


def bucket(column: Any, starts: Sequence[Any]) -> ColumnElement[int]:
    """Which of the consecutive ranges beginning at ``starts`` a value falls in (0-based).

    The caller bounds the column by the first start and the end of the last range.
    """
    if len(starts) == 1:
        return literal(0, Integer)
    whens = [(column < start, index) for index, start in enumerate(starts[1:])]
    return case(*whens, else_=len(starts) - 1)
