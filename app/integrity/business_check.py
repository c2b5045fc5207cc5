"""``stationdesk check`` over the business records: what the checks share, the signed ledgers,
what each review signed (the day's registrations) and the audit chain's anchors.

Notices, signatures, ratings and corrections are checked in ``app.integrity.record_check``.
Every table is read in batches (reviewed days by day, the rest by id), so the check stays
linear in the station's history. What needs the station key (masked ID numbers, signature
images) is skipped, with one line saying so, on a computer that does not hold it.
Each finding is one Chinese line naming its record.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Text, func, select, type_coerce
from sqlalchemy.orm import Session

from app.core.crypto import SealedDataDamaged
from app.core.identity import mask_id
from app.visits.rules import STATUS_LABELS, VisitStatus
from db.models import (
    Addendum,
    AuditEvent,
    DayReview,
    Officer,
    ServiceItemVersion,
    Signature,
    Station,
    Visit,
)
from db.sealed import FieldCipher, open_text

MAX_SHOWN = 60
DAYS_PER_BATCH = 16
ROWS_PER_BATCH = 2000
VOIDED = STATUS_LABELS[VisitStatus.VOIDED]
# The ledger's visit columns (serial … overdue), and 窗口 after them since revision 0018.
VISIT_COLUMNS = (12, 13)
EVENT_ACTIONS = (
    "rating_saved", "rating_declined", "correction_recorded", "notice_issued", "pledge_issued"
)  # fmt: skip
NOTICE_ACTIONS = ("notice_issued", "pledge_issued")


class Findings:
    """Every problem found, one Chinese line each; only the first ``limit`` are kept in full."""

    def __init__(self, limit: int = MAX_SHOWN) -> None:
        self.shown: list[str] = []
        self.total = 0
        self._limit = limit

    def add(self, line: str) -> None:
        """Count a finding (and keep its line while there is room)."""
        self.total += 1
        if len(self.shown) < self._limit:
            self.shown.append(line)

    def lines(self) -> list[str]:
        """The lines kept, and how many more there were."""
        rest = self.total - len(self.shown)
        tail = [f"…… 另有 {rest} 处问题未逐条列出（共 {self.total} 处）"] if rest else []
        return [*self.shown, *tail]


@dataclass(frozen=True, slots=True)
class Review:
    """A day review as stored (its content read batch by batch)."""

    id: int
    day: dt.date
    reviewed_at: dt.datetime
    sha256: str
    head_id: int
    head_hash: str

    @property
    def label(self) -> str:
        """How a finding names it."""
        return f"{self.day.isoformat()} 台账"


@dataclass
class Context:
    """What the checks share: the session, the key (if here), the findings, the audit trail."""

    session: Session
    cipher: FieldCipher | None
    findings: Findings
    tz: ZoneInfo
    reviews: dict[int, Review]
    # day → the day_reviewed event's ``after``
    review_events: dict[str, dict[str, Any]]
    # rating id → (declined, overall, signature image hash, visit serial) as its event has them
    rating_events: dict[int, tuple[bool, int | None, str, str]]
    old_rating_events: int
    # addendum number → (before, after) of its correction_recorded event
    correction_events: dict[str, tuple[dict[str, Any], dict[str, Any]]]
    # notice number → the signature image hash its notice_issued event recorded (since 12/2026)
    notice_signatures: dict[str, str] = field(default_factory=dict)
    # notice id → (number, content hash), filled by the notice check for the signature check
    notices: dict[int, tuple[str, str]] = field(default_factory=dict)
    # Personal data cleared after its retention period (ID numbers, signature images): not a
    # finding, counted.
    cleared_ids: int = 0
    cleared_signatures: int = 0

    def open(self, stored: str | None) -> str | None:
        """A sealed text in clear; None if it does not open (altered)."""
        assert self.cipher is not None
        try:
            return open_text(self.cipher, stored or "")
        except (SealedDataDamaged, ValueError):
            return None


def business_context(session: Session, cipher: FieldCipher | None) -> Context | None:
    """What the checks share, read once; None for a database not yet initialised."""
    timezone = session.scalar(select(Station.timezone).where(Station.id == 1))
    if timezone is None:
        return None
    tz = ZoneInfo(timezone)
    reviews = {
        r.id: Review(r.id, r.day, r.reviewed_at, r.content_sha256, r.audit_head_id,
                     r.audit_head_hash)
        for r in session.execute(
            select(
                DayReview.id, DayReview.day, DayReview.reviewed_at, DayReview.content_sha256,
                DayReview.audit_head_id, DayReview.audit_head_hash,
            ).order_by(DayReview.day)
        )
    }  # fmt: skip
    ctx = Context(session, cipher, Findings(), tz, reviews, {}, {}, 0, {})
    for day, after in session.execute(
        select(AuditEvent.entity_id, AuditEvent.after_json).where(
            AuditEvent.entity_type == "ledger", AuditEvent.action == "day_reviewed"
        )
    ):
        ctx.review_events[day] = _json(after)
    for action, serial, before, after in _events(session):
        data = _json(after)
        if action in NOTICE_ACTIONS:
            if data.get("signature"):
                ctx.notice_signatures[serial] = str(data["signature"])
        elif action == "correction_recorded":
            if "addendum" in data:
                ctx.correction_events[str(data["addendum"])] = (_json(before), data)
        elif not isinstance(data.get("rating"), int):
            ctx.old_rating_events += 1
        else:
            overall = data.get("overall")
            ctx.rating_events[data["rating"]] = (
                action == "rating_declined",
                overall if isinstance(overall, int) else None,
                str(data.get("signature") or ""),
                serial,
            )
    return ctx


def _events(session: Session) -> Iterator[tuple[str, str, str, str]]:
    """The rating and correction events, in id order, a batch at a time."""
    last = 0
    while True:
        rows = session.execute(
            select(
                AuditEvent.id, AuditEvent.action, AuditEvent.entity_id, AuditEvent.before_json,
                AuditEvent.after_json,
            )
            .where(AuditEvent.id > last, AuditEvent.action.in_(EVENT_ACTIONS))
            .order_by(AuditEvent.id)
            .limit(ROWS_PER_BATCH)
        ).all()  # fmt: skip
        if not rows:
            return
        for _id, action, entity_id, before, after in rows:
            yield action, entity_id, before, after
        last = rows[-1][0]


def _json(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def batches(items: list[Any], size: int) -> Iterator[list[Any]]:
    """``items`` in consecutive slices of ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


# ---- the signed ledgers and the chain's anchors (a, e) --------------------------------------


def check_reviews(ctx: Context) -> str:
    """Each review's hash, its signature's, its event's, and its anchor in the audit chain."""
    session, add = ctx.session, ctx.findings.add
    signed = dict(
        session.execute(
            select(Signature.document_id, Signature.content_sha256).where(
                Signature.document_type == "ledger"
            )
        ).all()
    )
    for review in ctx.reviews.values():
        event = ctx.review_events.get(review.day.isoformat())
        if signed.get(review.id) is None:
            add(f"{review.label}：缺少所长的审核签字")
        elif signed[review.id] != review.sha256:
            add(f"{review.label}：所长签字所签的校验值与存档台账不符")
        if event is None:
            add(f"{review.label}：找不到审核时的审计事件（审计事件被删除，或审核记录为事后插入）")
        elif event.get("sha256") != review.sha256:
            add(f"{review.label}：审核审计事件记下的校验值与存档台账不符")
    for day in sorted(set(ctx.review_events) - {r.day.isoformat() for r in ctx.reviews.values()}):
        add(f"{day} 台账：审计记录显示该日已审核，但审核记录已不存在（被删除）")
    anchored = [r for r in ctx.reviews.values() if r.head_id]
    last = session.scalar(select(func.max(AuditEvent.id))) or 0
    for group in batches(anchored, ROWS_PER_BATCH):
        found = dict(
            session.execute(
                select(AuditEvent.id, AuditEvent.hash).where(
                    AuditEvent.id.in_([r.head_id for r in group])
                )
            ).all()
        )
        for r in group:
            if r.head_id not in found and r.head_id > last:
                add(
                    f"{r.label}：审核时审计链已到第 {r.head_id} 号事件，现仅到第 {last} 号"
                    "（链尾事件被删除）"
                )
            elif r.head_id not in found:
                add(f"{r.label}：审核时的链头第 {r.head_id} 号审计事件已不存在")
            elif found[r.head_id] != r.head_hash:
                add(f"{r.label}：第 {r.head_id} 号审计事件与审核时记下的链头不符（审计链被改写）")
    unanchored = len(ctx.reviews) - len(anchored)
    note = f"，{unanchored} 天审核早于链头记录" if unanchored else ""
    return (
        f"已审核台账：{len(ctx.reviews)} 天，已核对校验值、审核签字、审核事件，"
        f"审计链锚点 {len(anchored)} 个{note}"
    )


# ---- what each review signed: the day's registrations (b) ------------------------------------


@dataclass(frozen=True, slots=True)
class _Signed:
    cells: tuple[str, ...]
    officer_ids: tuple[int, ...]


def check_registrations(ctx: Context) -> str:
    """Every registration a review signed still as signed, or changed by a correction."""
    session = ctx.session
    names = dict(session.execute(select(Officer.id, Officer.name)).all())
    matters = dict(session.execute(select(ServiceItemVersion.id, ServiceItemVersion.name)).all())
    corrections = _corrections(session)
    compared = 0
    reviews = list(ctx.reviews.values())
    for group in batches(reviews, DAYS_PER_BATCH):
        contents = dict(
            session.execute(
                select(DayReview.id, DayReview.content_json).where(
                    DayReview.id.in_([r.id for r in group])
                )
            ).all()
        )
        visits = _visits(ctx, [r.day for r in group])
        for review in group:
            text = contents.get(review.id) or ""
            if hashlib.sha256(text.encode("utf-8")).hexdigest() != review.sha256:
                ctx.findings.add(f"{review.label}：存档内容与审核时的校验值不符（台账内容被改动）")
            signed = _signed_visits(text)
            if signed is None:
                ctx.findings.add(f"{review.label}：存档内容无法读取，未能核对登记")
                continue
            of_day = visits.get(review.day, {})
            missing = [i for i in signed if i not in of_day]
            moved = _visits_by_id(ctx, missing) if missing else {}
            for visit_id, row in signed.items():
                compared += 1
                visit = of_day.get(visit_id) or moved.get(visit_id)
                if visit is None:
                    ctx.findings.add(
                        f"{review.label}：登记 {row.cells[0]} 审核时在册，现已不存在（被删除）"
                    )
                    continue
                _compare(ctx, review, row, visit, names, matters, corrections)
            for visit_id, visit in of_day.items():
                if visit_id not in signed and visit.created_at <= review.reviewed_at:
                    ctx.findings.add(
                        f"{review.label}：登记 {visit.serial} 创建于审核之前，"
                        "却不在审核签字的台账中（疑为事后插入）"
                    )
    skipped = "" if ctx.cipher is not None else "；证件号码未核对（本机没有站点密钥）"
    cleared = f"（其中 {ctx.cleared_ids} 条证件号码已按保存期限清除）" if ctx.cleared_ids else ""
    return f"已审核日的登记：{compared} 条已与审核签字时的台账核对{cleared}{skipped}"


@dataclass(frozen=True, slots=True)
class _Visit:
    id: int
    serial: str
    day: dt.date
    arrived_at: dt.datetime
    citizen_name: str
    version_id: int
    first_officer_id: int
    status: str
    created_at: dt.datetime
    counter: str
    id_number: str | None  # None: not read (no key) or does not open
    sealed_ok: bool


def _visit_query(ctx: Context) -> Any:
    columns: list[Any] = [
        Visit.id, Visit.serial, Visit.local_date, Visit.arrived_at, Visit.citizen_name,
        Visit.service_version_id, Visit.first_officer_id, Visit.status, Visit.created_at,
        Visit.counter,
    ]  # fmt: skip
    if ctx.cipher is not None:
        # As stored: opened one by one, so one altered value is a finding, not a crash.
        columns.append(type_coerce(Visit.id_number, Text()))
    return select(*columns)


def _to_visit(ctx: Context, row: Any) -> _Visit:
    number = ctx.open(row[10]) if ctx.cipher is not None else None
    sealed_ok = ctx.cipher is None or number is not None
    visit_id, serial, day, arrived, name, version, first, status, created, counter = row[:10]
    return _Visit(
        visit_id, serial, day, arrived, name, version, first, status, created, counter,
        number, sealed_ok,
    )  # fmt: skip


def _visits(ctx: Context, days: list[dt.date]) -> dict[dt.date, dict[int, _Visit]]:
    found: dict[dt.date, dict[int, _Visit]] = defaultdict(dict)
    for row in ctx.session.execute(_visit_query(ctx).where(Visit.local_date.in_(days))):
        visit = _to_visit(ctx, row)
        found[visit.day][visit.id] = visit
    return found


def _visits_by_id(ctx: Context, ids: list[int]) -> dict[int, _Visit]:
    rows = ctx.session.execute(_visit_query(ctx).where(Visit.id.in_(ids)))
    return {visit.id: visit for visit in (_to_visit(ctx, row) for row in rows)}


def _signed_visits(text: str) -> dict[int, _Signed] | None:
    try:
        data = json.loads(text)
        section = next(s for s in data["sections"] if s["key"] == "visits")
        signed = {
            int(visit_id): _Signed(tuple(cells), tuple(ids))
            for cells, _marked, ids, visit_id in section["rows"]
            if visit_id is not None
        }
    except (ValueError, KeyError, TypeError, StopIteration):
        return None
    # The ledger's columns (VISIT_COLUMNS); anything else is not a signed copy.
    return signed if all(len(row.cells) in VISIT_COLUMNS for row in signed.values()) else None


def _corrections(session: Session) -> dict[tuple[int, str], list[tuple[str, str]]]:
    """(visit id, field) → its corrections' (old, new), oldest first."""
    found: dict[tuple[int, str], list[tuple[str, str]]] = defaultdict(list)
    for visit_id, field_name, old, new in session.execute(
        select(Addendum.entity_id, Addendum.field, Addendum.old_value, Addendum.new_value)
        .where(Addendum.entity_type == "visit")
        .order_by(Addendum.id)
    ):
        found[(visit_id, field_name)].append((old, new))
    return found


def _corrected(signed: str, changes: Iterable[tuple[str, str]]) -> str:
    """The signed value carried through its corrections, in order."""
    value = signed
    for old, new in changes:
        if old == value:
            value = new
    return value


def _compare(
    ctx: Context,
    review: Review,
    row: _Signed,
    visit: _Visit,
    names: dict[int, str],
    matters: dict[int, str],
    corrections: dict[tuple[int, str], list[tuple[str, str]]],
) -> None:
    add = ctx.findings.add
    where = f"{review.label}：登记 {row.cells[0]}"
    serial, arrived, _s, _e, name, masked, matter, first, _o, status, *_rest = row.cells
    if visit.day != review.day:
        add(f"{where} 的登记日期被改为 {visit.day.isoformat()}")
    if visit.serial != serial:
        add(f"{where} 的编号现为 {visit.serial}")
    now_arrived = visit.arrived_at.astimezone(ctx.tz).strftime("%H:%M")
    if now_arrived != arrived:
        add(f"{where} 的到达时间审核时为 {arrived}，现为 {now_arrived}")
    expected = _corrected(name, corrections.get((visit.id, "citizen_name"), ()))
    if visit.citizen_name != expected:
        how = "与更正记录不符" if expected != name else "无更正记录"
        add(f"{where} 的姓名审核时为“{name}”，现为“{visit.citizen_name}”，{how}")
    if not visit.sealed_ok:
        add(f"{where} 的证件号码密文无法解开（被改动或换成了别的密文）")
    elif visit.id_number == "" and masked:
        ctx.cleared_ids += 1  # the purge of personal data past its retention period
    elif visit.id_number is not None:
        now_masked = mask_id(visit.id_number) if visit.id_number else ""
        if now_masked != masked:
            add(f"{where} 的证件号码审核时为 {masked or '（空）'}，现为 {now_masked or '（空）'}")
    now_matter = matters.get(visit.version_id, "")
    if now_matter != matter:
        add(f"{where} 的办理事项审核时为“{matter}”，现为“{now_matter}”")
    now_first = names.get(visit.first_officer_id, "")
    others = {names.get(i) for i in row.officer_ids if i != visit.first_officer_id}
    # A first officer renamed since is the same person: compared by id, not by name.
    if visit.first_officer_id not in row.officer_ids or (now_first != first and first in others):
        add(f"{where} 的首接民警审核时为“{first}”，现为“{now_first}”")
    if visit.status == "voided" and status != VOIDED and (visit.id, "void") not in corrections:
        add(f"{where} 审核后被作废，无更正记录")
    if len(row.cells) > VISIT_COLUMNS[0] and row.cells[VISIT_COLUMNS[0]] != visit.counter:
        add(f"{where} 的登记窗口审核时为“{row.cells[VISIT_COLUMNS[0]]}”，现为“{visit.counter}”")
