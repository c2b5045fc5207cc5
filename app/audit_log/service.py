"""审计日志: the chief, deputies and the administrator browse, check and export the audit events.

Every change, print, export and unmasked view is an ``audit_events`` row (app/core/audit.py). This
service reads them a page at a time, newest first, filtered by period, officer, kind of event
and record; shows each in Chinese (citizens' names and phones masked, officers by name); runs
the full integrity check of ``stationdesk check`` for the GUI; and writes a period to Excel or
CSV. Reading the log is not itself audited (it shows nothing the log does not already hold
masked); checking and exporting are.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session, sessionmaker

from app.audit_log.labels import (
    CATEGORIES,
    CITIZEN_NAME_KEYS,
    EMPTY,
    OFFICER_KEYS,
    PHONE_KEYS,
    action_label,
    entity_label,
    field_label,
    value_text,
)
from app.core import audit
from app.core.clock import Clock
from app.core.dto import SessionUser
from app.core.errors import NotFound, ValidationError
from app.core.identity import mask_name, mask_phone
from app.core.roles import Permission
from app.core.service_base import ServiceBase
from app.core.validation import code_text
from app.integrity.dto import CheckReport
from db import queries as _renders_sqlite_index_hints  # noqa: F401
from db.models import AuditEvent, Officer, Station

if TYPE_CHECKING:
    from app.core.database import Database

PAGE = 200  # rows a page shows; the next page is read when the officer scrolls or asks
EXPORT_LIMIT = 200_000  # one file (a busy station logs ~50,000 events a month); longer: split
LONGEST_PERIOD_DAYS = 366 * 10
SUMMARY_CHANGES = 3  # changes the list's 内容 column names; the detail shows them all
SYSTEM = "系统"
# The records a typed number can name, as the services key their events (entity_id).
NUMBERED = ("visit", "notice", "rectification", "complaint")
HEADERS = ("时间", "人员", "操作", "记录", "内容")
CHECKED = "integrity_checked"
# Kinds that are most of the log (every step of every matter): read by time and filtered,
# rather than a year of them gathered by kind and sorted.
BULK_CATEGORIES = frozenset({"casework"})
EXPORTED = "audit_exported"

Cursor = tuple[dt.datetime, int]


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Which events: a period of local dates (both included) and optional narrowing."""

    start: dt.date
    end: dt.date
    officer_id: int | None = None
    category: str = ""  # a key of audit_labels.CATEGORIES; "" = every kind
    record: str = ""  # 受理编号, 告知单编号, 整改单编号 or 投诉编号, as typed or scanned


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One event as the list shows it."""

    event_id: int
    at: dt.datetime  # local time of the station
    officer: str  # 姓名（警号）, or 系统
    action: str
    record: str
    summary: str


@dataclass(frozen=True, slots=True)
class AuditPage:
    """A page of events, newest first; ``cursor`` reads the next (older) page."""

    rows: tuple[AuditRow, ...]
    cursor: Cursor | None  # None: this was the last page


@dataclass(frozen=True, slots=True)
class AuditChange:
    """One field of an event: its value before and after (— when it had none)."""

    field: str
    before: str
    after: str


@dataclass(frozen=True, slots=True)
class AuditDetail:
    """One event in full: every field it recorded, and its place in the chain."""

    row: AuditRow
    changes: tuple[AuditChange, ...]
    event_hash: str
    previous_hash: str
    sealed: bool  # its transaction's rows are sealed under the station key


@dataclass(frozen=True, slots=True)
class AuditExport:
    """What an export wrote."""

    path: Path
    rows: int


class AuditLogService(ServiceBase):
    """Browse, check and export the audit log (查看审计记录: chief, deputies, administrator)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Clock,
        database: Database | None = None,
    ) -> None:
        super().__init__(sessions, clock)
        self._database = database

    # ---- reading -----------------------------------------------------------------------

    def categories(self) -> list[tuple[str, str]]:
        """The kinds of event a filter can pick: (key, Chinese label)."""
        return [(key, label) for key, (label, _actions) in CATEGORIES.items()]

    def officers(self, user: SessionUser) -> list[tuple[int, str]]:
        """Everyone who ever had an account, active or not, as 姓名（警号）, for the filter."""
        with self._sessions.begin() as session:
            self._require(session, user, Permission.VIEW_AUDIT)
            rows = session.execute(
                select(Officer.id, Officer.name, Officer.badge_no).order_by(Officer.badge_no)
            )
            return [(oid, f"{name}（{badge}）") for oid, name, badge in rows]

    def page(
        self, user: SessionUser, flt: AuditFilter, after: Cursor | None = None, limit: int = PAGE
    ) -> AuditPage:
        """The events the filter selects, newest first, ``limit`` at a time after ``after``."""
        with self._sessions.begin() as session:
            self._require(session, user, Permission.VIEW_AUDIT)
            tz = _zone(session)
            query = self._query(flt, tz)
            if after is not None:
                at, event_id = after
                utc = at.astimezone(dt.UTC)
                query = query.where(
                    or_(
                        AuditEvent.at < utc,
                        and_(AuditEvent.at == utc, AuditEvent.id < event_id),
                    )
                )
            events = list(session.scalars(query.limit(limit + 1)))
            more = len(events) > limit
            events = events[:limit]
            rows = self._rows(session, events, tz)
            cursor = (rows[-1].at, rows[-1].event_id) if more and rows else None
            return AuditPage(tuple(rows), cursor)

    def detail(self, user: SessionUser, event_id: int) -> AuditDetail:
        """One event with every field it recorded, before and after."""
        with self._sessions.begin() as session:
            self._require(session, user, Permission.VIEW_AUDIT)
            event = session.get(AuditEvent, event_id)
            if event is None:
                raise NotFound(f"没有第 {event_id} 号审计事件。")
            tz = _zone(session)
            (row,) = self._rows(session, [event], tz)
            names = _Names(session, [event], tz)
            kind = event.entity_type
            before, after = _payload(event.before_json), _payload(event.after_json)
            keys = [*after, *(k for k in before if k not in after)]
            changes = tuple(
                AuditChange(
                    field_label(key, kind),
                    names.text(key, before, kind) if key in before else EMPTY,
                    names.text(key, after, kind) if key in after else EMPTY,
                )
                for key in keys
            )
            return AuditDetail(row, changes, event.hash, event.prev_hash, bool(event.seals))

    # ---- checking and exporting ----------------------------------------------------------

    def check(self, user: SessionUser) -> CheckReport:
        """The whole integrity check (``stationdesk check``): storage, the chain with its
        key and anchors, and every signed business record; the outcome is audited."""
        with self._sessions.begin() as session:
            self._require(session, user, Permission.VIEW_AUDIT)
        if self._database is not None:
            from app.integrity.service import check_database

            report = check_database(self._database)
        else:  # a service over a bare session factory (tests of the rules): the chain alone
            with self._sessions.begin() as session:
                verdict = audit.verify_chain(session)
            line = (
                f"审计链：完整，共 {verdict.events} 条事件"
                if verdict.ok
                else f"审计链：在第 {verdict.first_broken} 号事件处断裂 —— {verdict.reason}"
            )
            report = CheckReport(verdict.ok, (line,))
        with self._writing() as session:
            officer = self._require(session, user, Permission.VIEW_AUDIT)
            audit.record(
                session,
                at=self._clock.now(),
                officer_id=officer.id,
                action=CHECKED,
                entity_type="station",
                entity_id=1,
                after={"ok": report.ok, "via": "gui"},
            )
        return report

    def export(
        self,
        user: SessionUser,
        flt: AuditFilter,
        path: Path,
        progress: Callable[[int, int], None] | None = None,
        via: str = "gui",
    ) -> AuditExport:
        """The events the filter selects, oldest first, as .xlsx or .csv; written whole or
        not at all, and audited (who exported which period, how many rows, where)."""
        from app.exports.files import write_atomically

        if via not in ("gui", "cli"):
            raise ValueError(f"unknown export channel {via!r}")
        target = check_export_target(Path(path))
        suffix = target.suffix.lower()
        with self._sessions.begin() as session:
            self._require(session, user, Permission.VIEW_AUDIT)
            tz = _zone(session)
            station = session.get(Station, 1)
            station_name = station.name if station is not None else ""
            query = self._query(flt, tz, newest_first=False)
            events = list(session.scalars(query.limit(EXPORT_LIMIT + 1)))
            if len(events) > EXPORT_LIMIT:
                raise ValidationError(
                    f"所选范围内审计事件超过 {EXPORT_LIMIT:,} 条，请缩短时间范围后分次导出。",
                    "period",
                )
            narrowed = _filter_text(session, flt)
            rows: list[AuditRow] = []
            for start in range(0, len(events), 2000):
                rows.extend(self._rows(session, events[start : start + 2000], tz))
                if progress is not None:
                    progress(len(rows), len(events))
        # The file says what it holds: a filtered export is not the whole log of the period.
        heading = (
            f"{station_name} 审计日志 {flt.start.isoformat()} 至 {flt.end.isoformat()}"
            f"（{narrowed or '全部记录'}，{len(rows)} 条）"
        )
        cells = [_cells(r) for r in rows]
        after = {
            "format": suffix[1:],
            "from": flt.start.isoformat(),
            "to": flt.end.isoformat(),
            "path": str(target),
            "rows": len(rows),
            "via": via,
            "officer": flt.officer_id,
            "category": CATEGORIES[flt.category][0] if flt.category else "",
            "record": code_text(flt.record) if flt.record.strip() else "",
        }

        def audited() -> AbstractContextManager[None]:
            return self._export_recorded(user, after)

        if suffix == ".csv":
            write_atomically(target, _csv_bytes(heading, cells), audited)
        else:
            from app.exports.xlsx import Sheet, SheetColumn, write_workbook

            columns = (
                SheetColumn("编号", fmt="count", width=9),
                SheetColumn(HEADERS[0], width=17),
                SheetColumn(HEADERS[1], width=16),
                SheetColumn(HEADERS[2], width=20),
                SheetColumn(HEADERS[3], width=26),
                SheetColumn(HEADERS[4], width=70, wrap=True),
            )
            sheet = Sheet("审计日志", columns, tuple(cells), heading=(heading,))
            write_workbook(target, [sheet], title="审计日志", guard=audited)
        return AuditExport(target, len(rows))

    # ---- internals -----------------------------------------------------------------------

    @contextmanager
    def _export_recorded(self, user: SessionUser, after: dict[str, Any]) -> Iterator[None]:
        # The permission is checked again in the writing transaction: an officer whose role
        # was changed while the rows were read does not get the file.
        with self._writing() as session:
            officer = self._require(session, user, Permission.VIEW_AUDIT)
            audit.record(
                session,
                at=self._clock.now(),
                officer_id=officer.id,
                action=EXPORTED,
                entity_type="audit_log",
                entity_id=f"{after['from']}~{after['to']}",
                after=after,
            )
            yield

    @staticmethod
    def _query(flt: AuditFilter, tz: ZoneInfo, newest_first: bool = True) -> Select[AuditEvent]:
        check_period(flt)
        start = _midnight(flt.start, tz)
        end = _midnight(flt.end + dt.timedelta(days=1), tz)
        query = select(AuditEvent).where(AuditEvent.at >= start, AuditEvent.at < end)
        # The index that reads least, chosen here rather than left to SQLite's planner, which
        # without fresh statistics reads a year of the log by time to find a handful of
        # events (PostgreSQL plans from the statistics it keeps itself).
        index = "ix_audit_events_at"
        if flt.officer_id is not None:
            query = query.where(AuditEvent.officer_id == flt.officer_id)
            index = "ix_audit_events_officer_at"
        if flt.category:
            if flt.category not in CATEGORIES:
                raise ValidationError("请选择列表中的操作类别。", "category")
            query = query.where(AuditEvent.action.in_(sorted(CATEGORIES[flt.category][1])))
            if flt.category not in BULK_CATEGORIES:
                index = "ix_audit_events_action_at"
        if flt.record.strip():
            number = code_text(flt.record)
            if not number.isascii() or len(number) > 40:
                raise ValidationError(
                    "请输入受理编号、告知单编号、整改单编号或投诉编号。", "record"
                )
            query = query.where(
                AuditEvent.entity_type.in_(NUMBERED), AuditEvent.entity_id == number
            )
            index = "ix_audit_events_entity"
        query = query.with_hint(AuditEvent, f"INDEXED BY {index}", "sqlite")  # db.queries
        if newest_first:
            return query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        return query.order_by(AuditEvent.at, AuditEvent.id)

    def _rows(self, session: Session, events: Sequence[AuditEvent], tz: ZoneInfo) -> list[AuditRow]:
        names = _Names(session, events, tz)
        return [
            AuditRow(
                event.id,
                event.at.astimezone(tz),
                names.officer(event.officer_id),
                action_label(event.action),
                names.record(event.entity_type, event.entity_id),
                self._summary(names, event),
            )
            for event in events
        ]

    @staticmethod
    def _summary(names: _Names, event: AuditEvent) -> str:
        kind = event.entity_type
        before, after = _payload(event.before_json), _payload(event.after_json)
        parts = []
        for key in [*after, *(k for k in before if k not in after)]:
            if key in _NOT_SUMMED or (key in before and key in after and before[key] == after[key]):
                continue  # fingerprints, and what a new version kept as it was
            label = field_label(key, kind)
            new = names.text(key, after, kind) if key in after else EMPTY
            if key in before:
                old = names.text(key, before, kind)
                parts.append(f"{label}：{old} → {new}")
            else:
                parts.append(f"{label}：{new}")
        shown = "；".join(parts[:SUMMARY_CHANGES])
        if len(parts) > SUMMARY_CHANGES:
            shown += f"；等 {len(parts)} 项"
        return shown


# Fingerprints are in the detail, not in the list's one-line summary.
_NOT_SUMMED = frozenset({"sha256", "signature", "notice_signatures"})


class _Names:
    """Officer names and record labels for a batch of events, read in two statements."""

    def __init__(self, session: Session, events: Iterable[AuditEvent], tz: ZoneInfo) -> None:
        self._zone = tz.key
        ids: set[int] = set()
        badges: set[str] = set()
        officer_entities: set[int] = set()
        for event in events:
            if event.officer_id is not None:
                ids.add(event.officer_id)
            if event.entity_type == "officer" and event.entity_id.isdigit():
                officer_entities.add(int(event.entity_id))
            for payload in (event.before_json, event.after_json):
                for key, value in _payload(payload).items():
                    if key in OFFICER_KEYS:
                        if isinstance(value, int) and not isinstance(value, bool):
                            ids.add(value)
                        elif isinstance(value, str) and value:
                            badges.add(value)
        ids |= officer_entities
        self._by_id: dict[int, str] = {}
        self._by_badge: dict[str, str] = {}
        if ids or badges:
            rows = session.execute(
                select(Officer.id, Officer.name, Officer.badge_no).where(
                    or_(Officer.id.in_(sorted(ids)), Officer.badge_no.in_(sorted(badges)))
                )
            )
            for oid, name, badge in rows:
                label = f"{name}（{badge}）"
                self._by_id[oid] = label
                self._by_badge[badge] = label

    def officer(self, officer_id: int | None) -> str:
        if officer_id is None:
            return SYSTEM
        return self._by_id.get(officer_id, f"已删除的账号（{officer_id}）")

    def record(self, entity_type: str, entity_id: str) -> str:
        label = entity_label(entity_type)
        if entity_type == "officer" and entity_id.isdigit():
            return f"{label} {self.officer(int(entity_id))}"
        if entity_type in ("station",):
            return label
        return f"{label} {entity_id}" if entity_id else label

    def text(self, key: str, payload: dict[str, Any], entity_type: str) -> str:
        """``payload[key]`` in words: officers by name, citizens' names and phones masked."""
        value = payload[key]
        if key in OFFICER_KEYS and value not in (None, ""):
            if isinstance(value, int) and not isinstance(value, bool):
                return self._by_id.get(value, f"已删除的账号（{value}）")
            if isinstance(value, str) and value in self._by_badge:
                return self._by_badge[value]
        if key in CITIZEN_NAME_KEYS and isinstance(value, str):
            return mask_name(value) if value else EMPTY
        if key in PHONE_KEYS and isinstance(value, str):
            return mask_phone(value) if value else EMPTY
        return value_text(key, value, entity_type, siblings=payload, zone=self._zone)


def _filter_text(session: Session, flt: AuditFilter) -> str:
    """The narrowing of ``flt`` in words (人员、类别、记录), or "" for the whole period."""
    parts = []
    if flt.officer_id is not None:
        officer = session.get(Officer, flt.officer_id)
        who = f"{officer.name}（{officer.badge_no}）" if officer is not None else "—"
        parts.append(f"人员：{who}")
    if flt.category:
        parts.append(f"类别：{CATEGORIES[flt.category][0]}")
    if flt.record.strip():
        parts.append(f"记录：{code_text(flt.record)}")
    return "；".join(parts)


def check_period(flt: AuditFilter) -> None:
    """Refuse a period that ends before it starts, or longer than ten years."""
    if flt.end < flt.start:
        raise ValidationError("结束日期不能早于开始日期。", "period")
    if (flt.end - flt.start).days >= LONGEST_PERIOD_DAYS:
        raise ValidationError("时间范围最长十年，请缩短。", "period")


def check_export_target(path: Path) -> Path:
    """The file an export may write: .xlsx or .csv, in a folder that exists."""
    from app.exports.files import check_target

    suffix = Path(path).suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise ValidationError("审计日志只能导出为 Excel（.xlsx）或 CSV（.csv）文件。", "path")
    return check_target(Path(path), suffix, "审计日志")


def _payload(text: str) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {"raw": text}
    return value if isinstance(value, dict) else {"raw": value}


def _zone(session: Session) -> ZoneInfo:
    station = session.get(Station, 1)
    return ZoneInfo(station.timezone if station is not None else "Asia/Shanghai")


def _midnight(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    """The start of the station's local ``day``."""
    return dt.datetime.combine(day, dt.time(), tzinfo=tz)


def _cells(row: AuditRow) -> tuple[Any, ...]:
    return (
        row.event_id,
        row.at.strftime("%Y-%m-%d %H:%M:%S"),
        row.officer,
        row.action,
        row.record,
        row.summary,
    )


def _csv_bytes(heading: str, cells: Sequence[tuple[Any, ...]]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens the Chinese as Chinese."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([heading])
    writer.writerow(("编号", *HEADERS))
    for row in cells:
        writer.writerow([_csv_safe(c) for c in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_safe(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula (=, +, -, @) starts with '."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
