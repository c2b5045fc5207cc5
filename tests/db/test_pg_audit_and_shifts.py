"""The audit log viewer and 交接班 on PostgreSQL: the same pages, filters, export and record
as on SQLite (the SQLite-only index hint must be left out of PostgreSQL's SQL)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from app.audit_log.service import AuditFilter
from app.core.clock import FixedClock
from app.core.database import open_database
from app.core.passwords import PasswordHashing
from app.demo import DEMO_OFFICERS, DEMO_PASSWORD, build_demo
from app.services import build_services
from tests.pg_server import PgServer, pg_server  # noqa: F401  (the fixture)

NOW = dt.datetime(2026, 3, 20, 2, 30, tzinfo=dt.UTC)
TODAY = NOW.astimezone(ZoneInfo("Asia/Shanghai")).date()
CHEAP = PasswordHashing(time_cost=1, memory_cost_kib=1024, parallelism=1)


def test_the_audit_log_and_a_shift_record_on_postgresql(
    pg_server: PgServer,  # noqa: F811  (the fixture)
    tmp_path: Path,
) -> None:
    db = open_database(pg_server.new_database("auditlog"))
    try:
        build_demo(db.sessions, days=5, now=NOW, hashing=CHEAP)
        s = build_services(db.sessions, FixedClock(NOW), CHEAP, database=db)
        chief = s.auth.login(DEMO_OFFICERS[0][0], DEMO_PASSWORD)
        officer = s.auth.login(DEMO_OFFICERS[2][0], DEMO_PASSWORD)

        week = AuditFilter(TODAY - dt.timedelta(days=6), TODAY)
        rows, page = [], s.audit_log.page(chief, week, limit=23)
        rows.extend(page.rows)
        while page.cursor is not None:
            page = s.audit_log.page(chief, week, page.cursor, limit=23)
            rows.extend(page.rows)
        assert len(rows) == len({r.event_id for r in rows}) > 23
        serial = next(r.record.split()[-1] for r in rows if r.record.startswith("来访 "))
        for flt in (
            AuditFilter(week.start, TODAY, category="print"),
            AuditFilter(week.start, TODAY, category="casework"),
            AuditFilter(week.start, TODAY, officer_id=officer.officer_id),
            AuditFilter(week.start, TODAY, record=serial),
        ):
            s.audit_log.page(chief, flt)  # runs: no SQLite-only syntax reaches PostgreSQL
        assert s.audit_log.export(chief, week, tmp_path / "log.csv").rows == len(rows)
        assert s.audit_log.check(chief).ok

        review = s.shifts.review(officer)
        record = s.shifts.hand_over(
            officer, {i.ref_id: None for i in review.items if i.needs_decision}
        )
        assert record.number.endswith("-00001")
        assert s.shifts.record(chief, record.number).items == record.items
    finally:
        db.dispose()
