"""db.queries: the database computes times, dates and "finished" exactly as Python would."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, column, func, literal, select, table
from sqlalchemy.dialects import postgresql

from db.base import UTCDateTime
from db.engine import make_engine
from db.queries import (
    bucket,
    int_list,
    local_date,
    micros_between,
    offset_segments,
    split_ints,
)

UTC = dt.UTC


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    eng = make_engine(f"sqlite:///{tmp_path / 'q.sqlite3'}")
    yield eng
    eng.dispose()


def stamp(value: dt.datetime) -> object:
    """A literal stored as the application stores it (naive UTC text)."""
    return literal(value, UTCDateTime())


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (dt.datetime(2025, 9, 29, 2, 0, tzinfo=UTC), dt.datetime(2025, 9, 29, 2, 12, tzinfo=UTC)),
        # A fraction near the next second: SQLite's own time functions round it to
        # milliseconds (a whole second off); the microseconds must survive.
        (
            dt.datetime(2025, 9, 29, 2, 0, 0, 999_700, tzinfo=UTC),
            dt.datetime(2025, 9, 29, 2, 7, 59, 999_999, tzinfo=UTC),
        ),
        (
            dt.datetime(2025, 9, 29, 23, 59, 59, 999_999, tzinfo=UTC),
            dt.datetime(2025, 9, 30, 0, 0, 0, 1, tzinfo=UTC),
        ),
        # Over months, and backwards (a start stamped by hand after the end).
        (
            dt.datetime(2024, 2, 28, 8, 0, 1, 5, tzinfo=UTC),
            dt.datetime(2025, 3, 1, 7, 0, tzinfo=UTC),
        ),
        (
            dt.datetime(2025, 9, 29, 3, 0, 0, 500, tzinfo=UTC),
            dt.datetime(2025, 9, 29, 2, 0, tzinfo=UTC),
        ),
    ],
)
def test_micros_between_is_pythons_timedelta(
    engine: Engine, start: dt.datetime, end: dt.datetime
) -> None:
    with engine.connect() as conn:
        got = conn.execute(select(micros_between(stamp(start), stamp(end)))).scalar_one()
    assert got == (end - start) // dt.timedelta(microseconds=1)


def test_micros_between_of_a_missing_time_is_null(engine: Engine) -> None:
    with engine.connect() as conn:
        start = stamp(dt.datetime(2025, 9, 29, 2, 0, tzinfo=UTC))
        missing = literal(None, UTCDateTime())
        assert conn.execute(select(micros_between(start, missing))).scalar_one() is None


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "Europe/Berlin", "America/New_York"])
def test_local_date_is_the_station_date_across_daylight_saving(engine: Engine, zone: str) -> None:
    tz = ZoneInfo(zone)
    lo = dt.datetime(2025, 1, 1, tzinfo=UTC)
    hi = dt.datetime(2026, 1, 1, tzinfo=UTC)
    # Every 53 minutes of the year, plus the last microsecond before each local midnight.
    moments = [lo + dt.timedelta(minutes=53 * i) for i in range(0, 525_600 // 53)]
    day = dt.date(2025, 1, 1)
    while day < dt.date(2025, 12, 31):
        midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tz)
        moments.append(midnight.astimezone(UTC) - dt.timedelta(microseconds=1))
        moments.append(midnight.astimezone(UTC))
        day += dt.timedelta(days=17)
    values = table("t", column("at", UTCDateTime()))
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (at DATETIME)")
        conn.execute(values.insert(), [{"at": m} for m in moments])
        got = conn.execute(select(values.c.at, local_date(values.c.at, tz, lo, hi))).all()
    assert len(got) == len(moments)
    assert [d for _at, d in got] == [at.astimezone(tz).date() for at, _d in got]


def test_a_zone_without_daylight_saving_has_one_offset_and_berlin_three() -> None:
    lo, hi = dt.datetime(2025, 1, 1, tzinfo=UTC), dt.datetime(2026, 1, 1, tzinfo=UTC)
    assert offset_segments(ZoneInfo("Asia/Shanghai"), lo, hi) == [(None, 8 * 3600)]
    assert offset_segments(ZoneInfo("Europe/Berlin"), lo, hi) == [
        (dt.datetime(2025, 3, 30, 1, 0, tzinfo=UTC), 3600),
        (dt.datetime(2025, 10, 26, 1, 0, tzinfo=UTC), 7200),
        (None, 3600),
    ]


def test_bucket_and_int_list(engine: Engine) -> None:
    values = table("v", column("d"), column("n"))
    starts = [dt.date(2025, 8, 1), dt.date(2025, 9, 1), dt.date(2025, 10, 1)]
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE v (d DATE, n INTEGER)")
        conn.exec_driver_sql(
            "INSERT INTO v VALUES ('2025-08-31', 1), ('2025-09-01', 2), ('2025-09-30', NULL),"
            " ('2025-09-30', 3), ('2025-10-31', 4)"
        )
        index = bucket(values.c.d, starts).label("b")
        inner = select(index, values.c.n).subquery()
        rows = conn.execute(
            select(inner.c.b, func.count(), int_list(inner.c.n))
            .group_by(inner.c.b)
            .order_by(inner.c.b)
        ).all()
    assert [(b, n, sorted(split_ints(text))) for b, n, text in rows] == [
        (0, 1, [1]),
        (1, 3, [2, 3]),
        (2, 1, [4]),
    ]
    assert split_ints(None) == [] and split_ints("") == []


def test_the_expressions_compile_for_postgresql() -> None:
    at = column("at", UTCDateTime())
    tz = ZoneInfo("Europe/Berlin")
    lo, hi = dt.datetime(2025, 1, 1, tzinfo=UTC), dt.datetime(2026, 1, 1, tzinfo=UTC)
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    assert "EXTRACT(EPOCH FROM" in str(micros_between(at, at).compile(dialect=dialect))
    assert "AS INTERVAL" in str(local_date(at, tz, lo, hi).compile(dialect=dialect))
    assert "string_agg" in str(int_list(column("n")).compile(dialect=dialect))
