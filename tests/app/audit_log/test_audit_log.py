"""审计日志 (issue 16, item 6): browse and filter the audit events, check the chain, export."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, text

from app.audit_log import service as audit_log_module
from app.audit_log.labels import CATEGORIES
from app.audit_log.service import AuditFilter, AuditRow
from app.core.clock import FixedClock
from app.core.database import Database, open_database
from app.core.dto import SessionUser
from app.core.errors import PermissionDenied, ValidationError
from app.core.passwords import PasswordHashing
from app.core.reveal_purposes import IDENTITY
from app.demo import DEMO_OFFICERS, DEMO_PASSWORD, build_demo
from app.services import Services, build_services
from db.models import AuditEvent, Visit
from tests.app.helpers import has_chinese
from tests.conftest import StatementCounter

NOW = dt.datetime(2026, 3, 20, 2, 30, tzinfo=dt.UTC)
TZ = ZoneInfo("Asia/Shanghai")
TODAY = NOW.astimezone(TZ).date()
HASHING = PasswordHashing(time_cost=1, memory_cost_kib=1024, parallelism=1)
ALL_TIME = AuditFilter(dt.date(2025, 1, 1), TODAY)
CODE_WORD = re.compile(r"[a-z]{3,}")


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("audit") / "demo.sqlite3"
    db = open_database(path)
    try:
        build_demo(db.sessions, days=14, seed=11, now=NOW, hashing=HASHING)
    finally:
        db.dispose()
    return path


@dataclass
class Desk:
    db: Database
    s: Services
    chief: SessionUser
    deputy: SessionUser
    window: SessionUser
    admin: SessionUser

    def events(self, *where: object) -> list[AuditEvent]:
        with self.db.sessions() as session:
            rows = list(session.scalars(select(AuditEvent).where(*where).order_by(AuditEvent.id)))
            session.expunge_all()
            return rows

    def every_row(self, flt: AuditFilter, limit: int) -> list[AuditRow]:
        rows: list[AuditRow] = []
        page = self.s.audit_log.page(self.chief, flt, limit=limit)
        rows.extend(page.rows)
        while page.cursor is not None:
            page = self.s.audit_log.page(self.chief, flt, page.cursor, limit=limit)
            rows.extend(page.rows)
        return rows


@pytest.fixture
def desk(demo_file: Path, tmp_path: Path) -> Iterator[Desk]:
    path = tmp_path / "copy.sqlite3"
    path.write_bytes(demo_file.read_bytes())
    db = open_database(path)
    s = build_services(db.sessions, FixedClock(NOW), HASHING, database=db)
    chief, deputy, window, admin = (
        s.auth.login(DEMO_OFFICERS[i][0], DEMO_PASSWORD) for i in (0, 1, 2, 7)
    )
    yield Desk(db, s, chief, deputy, window, admin)
    db.dispose()


def test_the_chief_deputy_and_administrator_read_the_log_a_window_officer_does_not(
    desk: Desk, tmp_path: Path
) -> None:
    for user in (desk.chief, desk.deputy, desk.admin):
        assert desk.s.audit_log.page(user, ALL_TIME).rows
    log = desk.s.audit_log
    calls = (
        lambda: log.page(desk.window, ALL_TIME),
        lambda: log.detail(desk.window, 1),
        lambda: log.officers(desk.window),
        lambda: log.check(desk.window),
        lambda: log.export(desk.window, ALL_TIME, tmp_path / "log.xlsx"),
    )
    for call in calls:
        with pytest.raises(PermissionDenied) as refused:
            call()
        assert has_chinese(refused.value.message)
    assert not (tmp_path / "log.xlsx").exists()


def test_pages_run_newest_first_and_together_hold_every_event_of_the_period_once(
    desk: Desk,
) -> None:
    start, end = TODAY - dt.timedelta(days=6), TODAY - dt.timedelta(days=2)
    lo = dt.datetime.combine(start, dt.time(), tzinfo=TZ)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=TZ)
    expected = desk.events(AuditEvent.at >= lo, AuditEvent.at < hi)
    assert len(expected) > 40, "the demo should have a few days of events"

    rows = desk.every_row(AuditFilter(start, end), limit=17)

    assert sorted(r.event_id for r in rows) == [e.id for e in expected]
    stamps = [(r.at, r.event_id) for r in rows]
    assert stamps == sorted(stamps, reverse=True)
    assert all(start <= r.at.date() <= end for r in rows)
    assert rows[0].at.tzinfo is not None and rows[0].at.utcoffset() == dt.timedelta(hours=8)


def test_one_officer_one_kind_and_one_record_narrow_the_list(desk: Desk) -> None:
    window_id = desk.window.officer_id
    mine = desk.every_row(AuditFilter(ALL_TIME.start, TODAY, officer_id=window_id), 50)
    assert mine and len(mine) == len(desk.events(AuditEvent.officer_id == window_id))
    assert {r.officer for r in mine} == {f"{DEMO_OFFICERS[2][1]}（{DEMO_OFFICERS[2][0]}）"}

    with desk.db.sessions() as session:
        visit = session.scalars(select(Visit).order_by(Visit.id)).first()
        assert visit is not None
        visit_id, serial = visit.id, visit.serial
    desk.s.visits.reveal_id_number(desk.chief, visit_id, IDENTITY, "核对冒名办证线索")
    reveals = desk.every_row(AuditFilter(TODAY, TODAY, category="reveal"), 50)
    assert [r.action for r in reveals] and all("查看" in r.action for r in reveals)
    assert any(serial in r.record for r in reveals)
    reveal_actions = CATEGORIES["reveal"][1]
    midnight = dt.datetime.combine(TODAY, dt.time(), tzinfo=TZ)
    assert len(reveals) == len(
        desk.events(AuditEvent.action.in_(reveal_actions), AuditEvent.at >= midnight)
    )

    # As typed: lower case, or in full width from an input method.
    full_width = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in serial)
    for typed in (serial.lower(), f" {full_width} "):
        rows = desk.every_row(AuditFilter(ALL_TIME.start, TODAY, record=typed), 50)
        assert rows and all(r.record.endswith(serial) for r in rows)
        assert len(rows) == len(desk.events(AuditEvent.entity_id == serial))


def test_what_the_list_shows_is_chinese_and_masked(desk: Desk) -> None:
    with desk.db.sessions() as session:
        visit = session.scalars(select(Visit).order_by(Visit.id)).first()
        assert visit is not None
        name, serial = visit.citizen_name, visit.serial
    rows = desk.every_row(AuditFilter(ALL_TIME.start, TODAY, record=serial), 50)
    registered = next(r for r in rows if r.action == "登记来访")
    assert name not in registered.summary and name[0] in registered.summary
    for row in desk.every_row(ALL_TIME, 500):
        for shown in (row.officer, row.action, row.record):
            assert not CODE_WORD.search(shown), shown
        if "/" not in row.summary:  # a backup's path is a path
            assert not CODE_WORD.search(row.summary), row.summary
        assert not re.search(r"\d{17}[\dX]", row.summary), "a whole ID number in the log"


def test_the_detail_names_every_field_before_and_after_in_chinese(desk: Desk) -> None:
    (moved, *_) = desk.events(AuditEvent.action == "visit_in_progress")
    detail = desk.s.audit_log.detail(desk.chief, moved.id)
    status = next(c for c in detail.changes if c.field == "状态")
    assert (status.before, status.after) == ("已登记", "办理中")
    assert detail.event_hash == moved.hash and detail.previous_hash == moved.prev_hash
    for change in detail.changes:
        assert has_chinese(change.field) and not CODE_WORD.search(change.field)


def test_a_page_reads_in_a_few_statements_however_many_rows(desk: Desk) -> None:
    sql = StatementCounter(desk.db.engine)
    with sql:
        page = desk.s.audit_log.page(desk.chief, ALL_TIME, limit=200)
    assert len(page.rows) == 200
    # The caller's account, the station's zone, the events, their officers.
    assert sql.count <= 5, sql.statements


def test_a_bad_filter_is_refused_in_chinese(desk: Desk) -> None:
    bad = (
        AuditFilter(TODAY, TODAY - dt.timedelta(days=1)),
        AuditFilter(TODAY, TODAY, category="nonsense"),
        AuditFilter(TODAY, TODAY, record="张三的事"),
    )
    for flt in bad:
        with pytest.raises(ValidationError) as refused:
            desk.s.audit_log.page(desk.chief, flt)
        assert has_chinese(refused.value.message)
        assert refused.value.field in ("period", "category", "record")


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_an_export_writes_the_period_oldest_first_and_is_audited(
    desk: Desk, tmp_path: Path, suffix: str
) -> None:
    from openpyxl import load_workbook

    flt = AuditFilter(TODAY - dt.timedelta(days=3), TODAY)
    expected = desk.every_row(flt, 500)
    target = tmp_path / f"审计{suffix}"

    result = desk.s.audit_log.export(desk.admin, flt, target)

    if suffix == ".csv":
        raw = target.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads the Chinese as Chinese
        lines = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
        body = lines[2:]
        ids = [int(line[0]) for line in body]
    else:
        sheet = load_workbook(target).active
        assert sheet is not None
        values = [row for row in sheet.iter_rows(values_only=True) if isinstance(row[0], int)]
        ids = [int(row[0]) for row in values]  # type: ignore[arg-type]
    assert result.rows == len(expected) == len(ids)
    assert ids == sorted(r.event_id for r in expected)

    (exported,) = desk.events(AuditEvent.action == "audit_exported")
    after = json.loads(exported.after_json)
    assert after["rows"] == len(expected) and after["path"] == str(target)
    assert exported.officer_id == desk.admin.officer_id


def test_an_export_that_cannot_be_written_whole_writes_nothing(
    desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ValidationError, match=r"\.xlsx"):
        desk.s.audit_log.export(desk.chief, ALL_TIME, out / "log.pdf")
    monkeypatch.setattr(audit_log_module, "EXPORT_LIMIT", 10)
    with pytest.raises(ValidationError, match="缩短时间范围") as refused:
        desk.s.audit_log.export(desk.chief, ALL_TIME, out / "log.xlsx")
    assert refused.value.field == "period"
    assert list(out.iterdir()) == []
    assert not desk.events(AuditEvent.action == "audit_exported")


def test_the_check_runs_the_whole_integrity_check_and_finds_a_changed_event(
    desk: Desk,
) -> None:
    report = desk.s.audit_log.check(desk.chief)
    assert report.ok, report.lines
    assert any(line.startswith("审计链：完整") for line in report.lines)
    assert any(line.startswith("业务记录") for line in report.lines)
    (checked,) = desk.events(AuditEvent.action == "integrity_checked")
    assert json.loads(checked.after_json)["ok"] is True

    # Someone edits the file outside the program: a rating's event said otherwise.
    (victim, *_) = desk.events(AuditEvent.action == "visit_completed")
    with desk.db.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_events_no_update"))
        conn.execute(
            text("UPDATE audit_events SET after_json = :j WHERE id = :id"),
            {"j": '{"status":"voided"}', "id": victim.id},
        )
    report = desk.s.audit_log.check(desk.deputy)
    assert not report.ok
    assert any(f"第 {victim.id} 号事件" in line for line in report.lines), report.lines
    with desk.db.sessions() as session:
        assert (
            session.scalar(select(func.count()).where(AuditEvent.action == "integrity_checked"))
            == 2
        )


@pytest.mark.parametrize(
    ("flt", "index"),
    [
        (AuditFilter(TODAY - dt.timedelta(days=365), TODAY), "ix_audit_events_at"),
        (
            AuditFilter(TODAY - dt.timedelta(days=365), TODAY, category="reveal"),
            "ix_audit_events_action_at",
        ),
        (
            AuditFilter(TODAY - dt.timedelta(days=365), TODAY, category="casework"),
            "ix_audit_events_at",
        ),
        (
            AuditFilter(TODAY - dt.timedelta(days=365), TODAY, officer_id=3),
            "ix_audit_events_officer",
        ),
        (AuditFilter(ALL_TIME.start, TODAY, record="QNL-2026-000001"), "ix_audit_events_entity"),
    ],
    ids=["period", "rare_kind", "bulk_kind", "officer", "record"],
)
def test_each_filter_reads_by_its_index(desk: Desk, flt: AuditFilter, index: str) -> None:
    """A year of a million visits is millions of events: no filter may scan them all."""
    from sqlalchemy import event

    seen: list[tuple[str, Any]] = []

    def capture(_c: Any, _cur: Any, statement: str, params: Any, _ctx: Any, _m: Any) -> None:
        if "FROM audit_events" in statement:
            seen.append((statement, params))

    event.listen(desk.db.engine, "before_cursor_execute", capture)
    try:
        desk.s.audit_log.page(desk.chief, flt)
    finally:
        event.remove(desk.db.engine, "before_cursor_execute", capture)
    ((statement, params),) = seen
    with desk.db.engine.connect() as conn:
        plan = " ".join(
            str(row[-1]) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params)
        )
    assert index in plan and "SCAN audit_events" not in plan, plan
