"""投诉 and 表扬: the ledger; a supervisor not concerned takes each complaint to its close."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from app.core import audit, text_limits
from app.core.dto import SessionUser
from app.core.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from app.core.identity import mask_phone
from app.core.reveal_purposes import COMPLAINT_PHONE_PURPOSES, audit_after, check_reveal
from app.core.roles import Permission, Role, allows
from app.core.service_base import ServiceBase
from app.core.validation import clean_phone, clean_text, code_text
from app.holidays.service import load_calendar
from app.visits.service import next_number
from db.models import (
    COMPLAINT_CHANNELS,
    COMPLAINT_FINDINGS,
    COMPLAINT_OUTCOMES,
    Complaint,
    Officer,
    Station,
    Visit,
)

# Re-exported so the UI (which may not import db) can offer the same choices the service checks.
CHANNELS: tuple[str, ...] = COMPLAINT_CHANNELS
FINDINGS: tuple[str, ...] = COMPLAINT_FINDINGS
OUTCOMES: tuple[str, ...] = COMPLAINT_OUTCOMES
KIND_LABELS: dict[str, str] = {"complaint": "投诉", "praise": "表扬"}
STATE_LABELS: dict[str, str] = {
    "received": "待核实",
    "verified": "待处理",
    "handled": "待答复",
    "replied": "待办结",
    "closed": "已办结",
}
REPLY_METHODS: tuple[str, ...] = ("电话", "当面", "书面", "短信", "平台回复")
# Only for a complainant who left neither name nor phone: there is nobody to answer.
NO_REPLY = "无法答复（匿名）"
ANONYMOUS = "匿名"
# A received date further back is almost always a mistyped year; a genuinely old letter found
# late can still be entered as long as it is inside the year, and then shows as overdue.
OLDEST_DAYS = 365

# The workflow: (state before the step, state after it, the step's Chinese name).
_STEPS: dict[str, tuple[str, str, str]] = {
    "verify": ("received", "verified", "核实"),
    "handle": ("verified", "handled", "处理"),
    "reply": ("handled", "replied", "答复"),
    "close": ("replied", "closed", "办结"),
}
_ORDER = ("received", "verified", "handled", "replied", "closed")
_OPEN_BEFORE_VERIFY = ("received",)
_OPEN_BEFORE_HANDLE = ("received", "verified")
_OPEN_BEFORE_REPLY = ("received", "verified", "handled")


@dataclass(frozen=True, slots=True)
class NewComplaint:
    """A complaint or praise letter as received at the counter, by phone, letter or platform."""

    kind: str
    channel: str
    received_on: dt.date
    content: str
    complainant_name: str = ""
    complainant_phone: str = ""
    officer_id: int | None = None
    visit_serial: str = ""


@dataclass(frozen=True, slots=True)
class ComplaintRow:
    """One complaint or praise letter as the ledger and the detail show it (phone masked)."""

    id: int
    number: str
    kind: str
    channel: str
    received_on: dt.date
    recorded_at: dt.datetime
    recorded_by: str
    complainant: str
    phone_masked: str
    officer_id: int | None
    officer_name: str
    visit_serial: str
    content: str
    state: str
    handler_id: int | None
    handler_name: str
    verify_due: dt.date | None
    handle_due: dt.date | None
    reply_due: dt.date | None
    finding: str
    verify_note: str
    verified_at: dt.datetime | None
    outcome: str
    handle_note: str
    handled_at: dt.datetime | None
    reply_method: str
    reply_text: str
    replied_at: dt.datetime | None
    closed_at: dt.datetime | None
    row_version: int
    overdue_steps: tuple[str, ...]
    anonymous: bool

    @property
    def is_praise(self) -> bool:
        """A praise letter: recorded only, no workflow."""
        return self.kind == "praise"

    @property
    def kind_label(self) -> str:
        """投诉 or 表扬."""
        return KIND_LABELS[self.kind]

    @property
    def state_label(self) -> str:
        """The state in Chinese; a praise letter is simply 已登记."""
        return "已登记" if self.is_praise else STATE_LABELS[self.state]

    @property
    def overdue(self) -> bool:
        """Whether any step's deadline has passed without the step being done."""
        return bool(self.overdue_steps)

    @property
    def overdue_text(self) -> str:
        """Which steps are late, in words: 核实、处理逾期 (empty when none)."""
        return f"{'、'.join(self.overdue_steps)}逾期" if self.overdue_steps else ""

    @property
    def next_step(self) -> str:
        """The step that comes next (empty for praise and closed complaints)."""
        if self.is_praise:
            return ""
        return {"received": "核实", "verified": "处理", "handled": "答复", "replied": "办结"}.get(
            self.state, ""
        )

    @property
    def next_due(self) -> dt.date | None:
        """The deadline of the next step; closing after the reply has none of its own."""
        if self.is_praise:
            return None
        return {
            "received": self.verify_due,
            "verified": self.handle_due,
            "handled": self.reply_due,
        }.get(self.state)


@dataclass(frozen=True, slots=True)
class ComplaintSummary:
    """Counts for the day's ledger, over what the caller may see."""

    day: dt.date
    complaints_received: int
    praise_received: int
    open: int
    overdue: int


class ComplaintService(ServiceBase):
    """Records complaints and praise; the chief or a deputy takes each complaint to its close."""

    # ---- reading ------------------------------------------------------------------------

    def list_complaints(
        self,
        user: SessionUser,
        *,
        start: dt.date | None = None,
        end: dt.date | None = None,
        kind: str | None = None,
        state: str | None = None,
        channel: str | None = None,
        overdue_only: bool = False,
    ) -> list[ComplaintRow]:
        """What the caller may see, newest received first, filtered by the given criteria."""
        if start is not None and end is not None and start > end:
            raise ValidationError("开始日期不能晚于结束日期。", "start")
        with self._sessions.begin() as session:
            actor = self._officer(session, user)
            today = _today(session, self._clock.now())
            query = select(Complaint).where(_visible_to(actor))
            if start is not None:
                query = query.where(Complaint.received_on >= start)
            if end is not None:
                query = query.where(Complaint.received_on <= end)
            if kind:
                query = query.where(Complaint.kind == kind)
            if state:
                query = query.where(Complaint.state == state)
            if channel:
                query = query.where(Complaint.channel == channel)
            if overdue_only:
                query = query.where(_overdue(today))
            query = query.order_by(Complaint.received_on.desc(), Complaint.id.desc())
            return self._rows(session, list(session.scalars(query)), today)

    def get(self, user: SessionUser, complaint_id: int) -> ComplaintRow:
        """One complaint the caller may see; one they may not see does not exist for them."""
        with self._sessions.begin() as session:
            actor = self._officer(session, user)
            return self._row(session, _visible(session, actor, complaint_id))

    def summary(self, user: SessionUser, day: dt.date) -> ComplaintSummary:
        """Received on ``day``, open and overdue now: for the daily ledger."""
        with self._sessions.begin() as session:
            actor = self._officer(session, user)
            today = _today(session, self._clock.now())
            seen = _visible_to(actor)

            def count(*conditions: ColumnElement[bool]) -> int:
                query = select(func.count()).select_from(Complaint).where(seen, *conditions)
                return int(session.scalar(query) or 0)

            return ComplaintSummary(
                day=day,
                complaints_received=count(
                    Complaint.kind == "complaint", Complaint.received_on == day
                ),
                praise_received=count(Complaint.kind == "praise", Complaint.received_on == day),
                open=count(Complaint.kind == "complaint", Complaint.state != "closed"),
                overdue=count(_overdue(today)),
            )

    def officers(self, user: SessionUser) -> list[tuple[int, str]]:
        """Active officers a complaint or praise letter may concern: (id, label)."""
        with self._sessions.begin() as session:
            self._officer(session, user)
            query = select(Officer).where(Officer.active.is_(True)).order_by(Officer.badge_no)
            return [
                (o.id, f"{o.name}（{Role(o.role).label}，{o.badge_no}）")
                for o in session.scalars(query)
            ]

    def handlers(self, user: SessionUser, complaint_id: int) -> list[tuple[int, str]]:
        """Who may take the complaint over: active chief or deputies it does not concern."""
        with self._sessions.begin() as session:
            actor = self._officer(session, user)
            complaint = _visible(session, actor, complaint_id)
            return [
                (o.id, f"{o.name}（{Role(o.role).label}）")
                for o in _supervisors(session, complaint.officer_id)
                if o.id != complaint.handler_id
            ]

    # ---- recording ----------------------------------------------------------------------

    def record(self, user: SessionUser, new: NewComplaint) -> ComplaintRow:
        """登记: a complaint opens its workflow at once; a praise letter is recorded and closed."""
        if new.kind not in KIND_LABELS:
            raise ValidationError("请选择类别（投诉或表扬）。", "kind")
        praise = new.kind == "praise"
        if new.channel not in CHANNELS:
            raise ValidationError("请选择收到的渠道。", "channel")
        name = clean_text(
            new.complainant_name,
            field="complainant_name",
            label="表扬人姓名" if praise else "投诉人姓名",
            max_len=text_limits.COMPLAINANT,
            required=False,
        )
        phone = clean_phone(new.complainant_phone, field="complainant_phone", label="联系电话")
        content = clean_text(
            new.content,
            field="content",
            label="表扬内容" if praise else "投诉内容",
            max_len=text_limits.CASE_TEXT,
        )
        serial = code_text(new.visit_serial)
        with self._writing() as session:
            actor = self._officer(session, user)
            if not allows(Role(actor.role), Permission.HANDLE_VISITS):
                raise PermissionDenied(
                    f"{Role(actor.role).label}不登记投诉和表扬，请由窗口民警或所领导登记。"
                )
            station = _station(session)
            now = self._clock.now()
            today = now.astimezone(ZoneInfo(station.timezone)).date()
            _check_received_on(new.received_on, today)
            visit = None
            if serial:
                visit = session.scalars(select(Visit).where(Visit.serial == serial)).first()
                if visit is None:
                    raise ValidationError(f"没有编号为 {serial} 的登记记录。", "visit_serial")
                if new.received_on < visit.local_date:
                    raise ValidationError(
                        f"收到日期早于关联事项的登记日期（{visit.local_date.isoformat()}），"
                        "请核对。",
                        "received_on",
                    )
            officer_id = new.officer_id
            if officer_id is None and visit is not None:
                officer_id = visit.owner_id
            if officer_id is not None and session.get(Officer, officer_id) is None:
                raise ValidationError("找不到所选的民警。", "officer_id")
            if officer_id == actor.id:
                raise PermissionDenied(
                    f"{KIND_LABELS[new.kind]}涉及您本人，请由其他民警登记。", "officer_id"
                )
            handler = None if praise else _supervisor(session, exclude=officer_id)
            year = today.year
            seq = next_number(session, "complaint", year)
            complaint = Complaint(
                number=f"{station.code}-TS-{year}-{seq:05d}",
                year=year,
                seq=seq,
                kind=new.kind,
                channel=new.channel,
                received_on=new.received_on,
                recorded_at=now,
                recorded_by_id=actor.id,
                complainant_name=name,
                complainant_phone=phone,
                officer_id=officer_id,
                visit_id=visit.id if visit is not None else None,
                content=content,
                state="closed" if praise else "received",
                handler_id=handler.id if handler is not None else None,
                closed_at=now if praise else None,
                row_version=1,
            )
            if not praise:
                calendar = load_calendar(session)
                complaint.verify_due = calendar.add_working_days(
                    new.received_on, station.complaint_verify_days
                ).due
                complaint.handle_due = calendar.add_working_days(
                    new.received_on, station.complaint_handle_days
                ).due
                complaint.reply_due = calendar.add_working_days(
                    new.received_on, station.complaint_reply_days
                ).due
            session.add(complaint)
            session.flush()
            audit.record(
                session,
                at=now,
                officer_id=actor.id,
                action=f"{new.kind}_recorded",
                entity_type="complaint",
                entity_id=complaint.number,
                after={
                    "kind": new.kind,
                    "channel": new.channel,
                    "received_on": new.received_on.isoformat(),
                    "officer": officer_id,
                    "visit": visit.serial if visit is not None else "",
                    "handler": complaint.handler_id,
                    "anonymous": not name,
                },
            )
            return self._row(session, complaint)

    # ---- the workflow -------------------------------------------------------------------

    def verify(
        self, user: SessionUser, complaint_id: int, row_version: int, finding: str, note: str
    ) -> ComplaintRow:
        """核实: 属实, 部分属实 or 不属实, with what the check found."""
        if finding not in FINDINGS:
            raise ValidationError("请选择核实结论（属实、部分属实或不属实）。", "finding")
        text = clean_text(
            note, field="verify_note", label="核实情况", max_len=text_limits.CASE_TEXT
        )
        return self._step(
            user,
            complaint_id,
            row_version,
            "verify",
            {"finding": finding, "verify_note": text},
        )

    def handle(
        self, user: SessionUser, complaint_id: int, row_version: int, outcome: str, note: str
    ) -> ComplaintRow:
        """处理: 改进 or 追责 for a founded complaint, 澄清正名 for an unfounded one."""
        if outcome not in OUTCOMES:
            raise ValidationError("请选择处理结果（改进、澄清正名或追责）。", "outcome")
        text = clean_text(
            note, field="handle_note", label="处理情况", max_len=text_limits.CASE_TEXT
        )

        def consistent(complaint: Complaint) -> None:
            if complaint.finding == "不属实" and outcome != "澄清正名":
                raise ValidationError("核实为不属实的投诉，处理结果只能是澄清正名。", "outcome")
            if complaint.finding != "不属实" and outcome == "澄清正名":
                raise ValidationError(
                    f"核实为{complaint.finding}的投诉，处理结果应为改进或追责。", "outcome"
                )

        return self._step(
            user,
            complaint_id,
            row_version,
            "handle",
            {"outcome": outcome, "handle_note": text},
            consistent,
        )

    def reply(
        self, user: SessionUser, complaint_id: int, row_version: int, method: str, text: str
    ) -> ComplaintRow:
        """答复: how and what the complainant was told; 无法答复 only when nobody can be reached."""
        if method not in (*REPLY_METHODS, NO_REPLY):
            raise ValidationError("请选择答复方式。", "reply_method")
        body = clean_text(
            text,
            field="reply_text",
            label="无法答复的情况说明" if method == NO_REPLY else "答复内容",
            max_len=text_limits.CASE_TEXT,
        )

        def reachable(complaint: Complaint) -> None:
            if method == NO_REPLY and (complaint.complainant_name or complaint.complainant_phone):
                raise ValidationError(
                    "投诉人留有姓名或联系电话，应当答复，不能选择无法答复。", "reply_method"
                )

        return self._step(
            user,
            complaint_id,
            row_version,
            "reply",
            {"reply_method": method, "reply_text": body},
            reachable,
        )

    def close(self, user: SessionUser, complaint_id: int, row_version: int) -> ComplaintRow:
        """办结: after the reply, the handler closes the complaint."""
        return self._step(user, complaint_id, row_version, "close", {})

    def reassign(
        self,
        user: SessionUser,
        complaint_id: int,
        row_version: int,
        handler_id: int,
        reason: str,
    ) -> ComplaintRow:
        """改派: the chief or a deputy hands the complaint to another supervisor not concerned."""
        why = clean_text(reason, field="reason", label="改派原因", max_len=text_limits.REASON)
        with self._writing() as session:
            actor = self._officer(session, user)
            complaint = _visible(session, actor, complaint_id)
            if not allows(Role(actor.role), Permission.VIEW_ALL_VISITS):
                raise PermissionDenied("只有所长或副所长可以改派投诉的承办人。")
            if complaint.kind == "praise":
                raise ConflictError("表扬无需办理，不能改派。")
            if complaint.state == "closed":
                raise ConflictError("该投诉已办结，不能改派。")
            _check_version(complaint, row_version)
            if handler_id == complaint.officer_id:
                raise ValidationError("投诉涉及的民警本人不能承办这条投诉。", "handler_id")
            if handler_id == complaint.handler_id:
                raise ValidationError("所选民警已经是承办人。", "handler_id")
            handler = session.get(Officer, handler_id)
            if (
                handler is None
                or not handler.active
                or not allows(Role(handler.role), Permission.VIEW_ALL_VISITS)
            ):
                raise ValidationError("承办人须是在用的所长或副所长。", "handler_id")
            before = complaint.handler_id
            complaint.handler_id = handler.id
            complaint.row_version += 1
            audit.record(
                session,
                at=self._clock.now(),
                officer_id=actor.id,
                action="complaint_reassigned",
                entity_type="complaint",
                entity_id=complaint.number,
                before={"handler": before},
                after={"handler": handler.id, "reason": why},
            )
            return self._row(session, complaint)

    def reveal_phone(self, user: SessionUser, complaint_id: int, purpose: str, detail: str) -> str:
        """The complainant's full phone, for the handler who must answer (投诉处理, with a
        stated detail); every view is audited with both."""
        chosen, why = check_reveal(purpose, detail, COMPLAINT_PHONE_PURPOSES)
        with self._writing() as session:
            actor = self._officer(session, user)
            complaint = _visible(session, actor, complaint_id)
            if complaint.handler_id != actor.id:
                raise PermissionDenied("只有承办人可以查看投诉人的完整电话。")
            if not complaint.complainant_phone:
                raise ConflictError("投诉人没有留下电话。")
            audit.record(
                session,
                at=self._clock.now(),
                officer_id=actor.id,
                action="complaint_phone_revealed",
                entity_type="complaint",
                entity_id=complaint.number,
                after=audit_after(chosen, why),
            )
            return complaint.complainant_phone

    # ---- internals ----------------------------------------------------------------------

    def _step(
        self,
        user: SessionUser,
        complaint_id: int,
        row_version: int,
        step: str,
        values: dict[str, str],
        check: Callable[[Complaint], None] | None = None,
    ) -> ComplaintRow:
        source, target, label = _STEPS[step]
        with self._writing() as session:
            actor = self._officer(session, user)
            complaint = _visible(session, actor, complaint_id)
            if complaint.kind == "praise":
                raise ConflictError("表扬只需登记，无需核实、处理和答复。")
            # Both checks, even though a concerned officer is never made handler: the record
            # may have been assigned before a change of roles, or edited outside the program.
            if complaint.officer_id == actor.id:
                raise NotFound("找不到该投诉记录。")
            if complaint.handler_id != actor.id:
                handler = session.get(Officer, complaint.handler_id or 0)
                name = handler.name if handler is not None else "承办人"
                raise PermissionDenied(f"这条投诉由{name}承办，只有承办人可以{label}。")
            if not allows(Role(actor.role), Permission.VIEW_ALL_VISITS):
                raise PermissionDenied("投诉须由所长或副所长承办，请先改派承办人。")
            _check_version(complaint, row_version)
            _check_order(complaint.state, source, label)
            if check is not None:
                check(complaint)
            now = self._clock.now()
            for key, value in values.items():
                setattr(complaint, key, value)
            complaint.state = target
            setattr(complaint, f"{target}_at", now)
            complaint.row_version += 1
            audit.record(
                session,
                at=now,
                officer_id=actor.id,
                action=f"complaint_{target}",
                entity_type="complaint",
                entity_id=complaint.number,
                before={"state": source},
                after={"state": target, **values},
            )
            return self._row(session, complaint)

    def _row(self, session: Session, complaint: Complaint) -> ComplaintRow:
        return self._rows(session, [complaint], _today(session, self._clock.now()))[0]

    def _rows(
        self, session: Session, complaints: Sequence[Complaint], today: dt.date
    ) -> list[ComplaintRow]:
        names = {i: n for i, n in session.execute(select(Officer.id, Officer.name))}
        visit_ids = {c.visit_id for c in complaints if c.visit_id is not None}
        serials: dict[int, str] = {}
        if visit_ids:
            query = select(Visit.id, Visit.serial).where(Visit.id.in_(visit_ids))
            serials = {i: s for i, s in session.execute(query)}
        return [_to_row(c, names, serials, today) for c in complaints]


def _to_row(
    c: Complaint, names: dict[int, str], serials: dict[int, str], today: dt.date
) -> ComplaintRow:
    return ComplaintRow(
        id=c.id,
        number=c.number,
        kind=c.kind,
        channel=c.channel,
        received_on=c.received_on,
        recorded_at=c.recorded_at,
        recorded_by=names.get(c.recorded_by_id, ""),
        complainant=c.complainant_name or ANONYMOUS,
        phone_masked=mask_phone(c.complainant_phone) if c.complainant_phone else "",
        officer_id=c.officer_id,
        officer_name=names.get(c.officer_id, "") if c.officer_id is not None else "",
        visit_serial=serials.get(c.visit_id, "") if c.visit_id is not None else "",
        content=c.content,
        state=c.state,
        handler_id=c.handler_id,
        handler_name=names.get(c.handler_id, "") if c.handler_id is not None else "",
        verify_due=c.verify_due,
        handle_due=c.handle_due,
        reply_due=c.reply_due,
        finding=c.finding,
        verify_note=c.verify_note,
        verified_at=c.verified_at,
        outcome=c.outcome,
        handle_note=c.handle_note,
        handled_at=c.handled_at,
        reply_method=c.reply_method,
        reply_text=c.reply_text,
        replied_at=c.replied_at,
        closed_at=c.closed_at,
        row_version=c.row_version,
        overdue_steps=overdue_steps(
            c.kind, c.state, c.verify_due, c.handle_due, c.reply_due, today
        ),
        anonymous=not c.complainant_name and not c.complainant_phone,
    )


def overdue_steps(
    kind: str,
    state: str,
    verify_due: dt.date | None,
    handle_due: dt.date | None,
    reply_due: dt.date | None,
    today: dt.date,
) -> tuple[str, ...]:
    """The steps whose deadline passed before ``today`` while still not done."""
    if kind != "complaint" or state == "closed":
        return ()
    late = []
    for label, open_states, due in (
        ("核实", _OPEN_BEFORE_VERIFY, verify_due),
        ("处理", _OPEN_BEFORE_HANDLE, handle_due),
        ("答复", _OPEN_BEFORE_REPLY, reply_due),
    ):
        if state in open_states and due is not None and today > due:
            late.append(label)
    return tuple(late)


def _overdue(today: dt.date) -> ColumnElement[bool]:
    """The SQL form of ``overdue_steps(...) != ()``, for the filter and the counts."""
    return and_(
        Complaint.kind == "complaint",
        or_(
            and_(Complaint.state.in_(_OPEN_BEFORE_VERIFY), Complaint.verify_due < today),
            and_(Complaint.state.in_(_OPEN_BEFORE_HANDLE), Complaint.handle_due < today),
            and_(Complaint.state.in_(_OPEN_BEFORE_REPLY), Complaint.reply_due < today),
        ),
    )


def _visible_to(actor: Officer) -> ColumnElement[bool]:
    """Praise is public; a complaint never reaches the officer it concerns.

    The chief and deputies see every other complaint; anyone else only those they recorded (or
    were made handler of).
    """
    not_concerned = Complaint.officer_id.is_distinct_from(actor.id)
    if allows(Role(actor.role), Permission.VIEW_ALL_VISITS):
        mine: ColumnElement[bool] = not_concerned
    else:
        mine = and_(
            not_concerned,
            or_(Complaint.recorded_by_id == actor.id, Complaint.handler_id == actor.id),
        )
    return or_(Complaint.kind == "praise", mine)


def _visible(session: Session, actor: Officer, complaint_id: int) -> Complaint:
    """The complaint if ``actor`` may see it; otherwise as if it did not exist."""
    complaint = session.scalars(
        select(Complaint).where(Complaint.id == complaint_id, _visible_to(actor))
    ).first()
    if complaint is None:
        raise NotFound("找不到该投诉记录。")
    return complaint


def _check_version(complaint: Complaint, row_version: int) -> None:
    if complaint.row_version != row_version:
        raise ConflictError("该投诉刚被修改过，请刷新后再试。")


def _check_order(state: str, source: str, label: str) -> None:
    if state == source:
        return
    if state == "closed":
        raise ConflictError("该投诉已办结。")
    if _ORDER.index(state) > _ORDER.index(source):
        raise ConflictError(f"该投诉已经{label}过了。")
    missing = next(name for src, _, name in _STEPS.values() if src == state)
    raise ConflictError(f"投诉须依次核实、处理、答复、办结：请先{missing}，再{label}。")


def _check_received_on(received_on: dt.date, today: dt.date) -> None:
    if received_on > today:
        raise ValidationError("收到日期不能晚于今天。", "received_on")
    oldest = today - dt.timedelta(days=OLDEST_DAYS)
    if received_on < oldest:
        raise ValidationError(
            f"收到日期不能早于 {oldest.isoformat()}（一年以前），请核对年份。", "received_on"
        )


def _supervisors(session: Session, exclude: int | None) -> list[Officer]:
    """Active chief and deputies, chief first, leaving out the officer concerned."""
    query = select(Officer).where(Officer.role.in_(("chief", "deputy")), Officer.active.is_(True))
    if exclude is not None:
        query = query.where(Officer.id != exclude)
    officers = list(session.scalars(query.order_by(Officer.id)))
    return sorted(officers, key=lambda o: 0 if o.role == "chief" else 1)


def _supervisor(session: Session, exclude: int | None) -> Officer:
    """The chief, or else a deputy, who is not the officer the complaint concerns."""
    found = _supervisors(session, exclude)
    if not found:
        raise ConflictError(
            "本所没有其他在用的所长或副所长可以承办这条投诉，请先在人员管理中设置。"
        )
    return found[0]


def _today(session: Session, now: dt.datetime) -> dt.date:
    return now.astimezone(ZoneInfo(_station(session).timezone)).date()


def _station(session: Session) -> Station:
    station = session.get(Station, 1)
    if station is None:
        raise NotFound("本数据库尚未初始化。")
    return station
