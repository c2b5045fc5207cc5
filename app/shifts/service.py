"""交接班: what an officer leaves open at the end of a shift, each matter kept or handed over.

At 交班 (logging out, or 系统 → 交接班) the officer sees their open matters, the handovers
waiting on them or on a colleague, the callbacks and home services (上门服务) assigned to them
and the notices of their matters whose supplement deadline is near. Every open matter gets a
decision: kept (本人继续负责, the first-contact duty stays) or offered to a colleague, who
accepts it as any handover (首接责任制: the owner answers for it until then). The list, with
the decisions, is kept as a numbered 交接班记录 (QNL-JJB-2026-00001) that prints for the next
shift to sign.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from zoneinfo import ZoneInfo

from sqlalchemy import Row, or_, select
from sqlalchemy.orm import Session

from app.core import audit, text_limits
from app.core.dto import SessionUser
from app.core.errors import NotFound, PermissionDenied, ValidationError
from app.core.identity import mask_name
from app.core.print_log import VIA
from app.core.roles import Permission, Role, allows
from app.core.service_base import ServiceBase, load_station
from app.core.validation import clean_text, code_text
from app.notices.dto import NOTICE_STATE_LABELS
from app.printing.register_pdf import (
    RegisterColumn,
    RegisterDocument,
    RegisterRow,
    RegisterTable,
    RegisterText,
    ReviewBlock,
)
from app.visits.queries import held_by
from app.visits.rules import STATUS_LABELS, VisitStatus
from app.visits.service import next_number, offer_handover
from db.models import (
    Appointment,
    Callback,
    Handover,
    Notice,
    Officer,
    ServiceItemVersion,
    ShiftHandover,
    Visit,
)

NEAR_DAYS = 3  # a notice whose supplement deadline is within this many days is listed
KEEP = "本人继续负责"
KINDS = {
    "matter": "在办事项",
    "incoming": "待我接收的移交",
    "outgoing": "我发起、待对方接收的移交",
    "callback": "待回访",
    "home": "待上门服务",
    "notice": "补正期限临近的告知单",
}
PRINTED = "shift_record_printed"
RECORDED = "shift_handed_over"
DEFAULT_NOTE = "交接班"


@dataclass(frozen=True, slots=True)
class ShiftItem:
    """One line of the list: what it is, its number and matter, and where it stands."""

    kind: str  # a key of KINDS
    ref_id: int  # the visit (matters), handover, callback or notice
    number: str
    matter: str
    citizen: str  # masked (张*丰): the paper stays at the counter
    state: str
    due: str
    decision: str = ""  # matters: 本人继续负责 or 移交给… (filled when recorded)

    @property
    def kind_label(self) -> str:
        """The kind in Chinese."""
        return KINDS[self.kind]

    @property
    def needs_decision(self) -> bool:
        """An open matter with no handover waiting: kept or handed over at 交班."""
        return self.kind == "matter"


@dataclass(frozen=True, slots=True)
class ShiftReview:
    """What the officer leaves open now, and the colleagues a matter may go to."""

    officer: str
    items: tuple[ShiftItem, ...]
    colleagues: tuple[tuple[int, str], ...]

    @property
    def empty(self) -> bool:
        """Nothing open: the officer may leave without a record."""
        return not self.items


@dataclass(frozen=True, slots=True)
class ShiftRecord:
    """A 交接班记录 as kept and printed."""

    id: int
    number: str
    officer: str
    badge_no: str
    at: dt.datetime  # the station's local time
    items: tuple[ShiftItem, ...]
    kept: int
    handed: int
    note: str


@dataclass(frozen=True, slots=True)
class ShiftRecordRow:
    """A line of the list of 交接班记录: who, when, how many kept and handed over."""

    number: str
    officer: str
    at: dt.datetime  # the station's local time
    items: int
    kept: int
    handed: int
    note: str


LIST_MAX_DAYS = 366


class ShiftService(ServiceBase):
    """交接班 for the officers who handle matters."""

    def review(self, user: SessionUser) -> ShiftReview:
        """The officer's open matters, waiting handovers, callbacks, home services and
        notices due."""
        with self._sessions.begin() as session:
            actor = self._case_worker(session, user)
            return ShiftReview(
                f"{actor.name}（{actor.badge_no}）",
                tuple(self._items(session, actor)),
                tuple(_colleagues(session, actor)),
            )

    def hand_over(
        self, user: SessionUser, decisions: Mapping[int, int | None], note: str = ""
    ) -> ShiftRecord:
        """Record the shift's end: ``decisions`` maps every open matter's visit id to the
        colleague it is offered to, or None to keep it. All of it or nothing is saved."""
        text = clean_text(
            note, field="note", label="交班说明", max_len=text_limits.REASON, required=False
        )
        with self._writing() as session:
            actor = self._case_worker(session, user)
            items = self._items(session, actor)
            undecided = [i.number for i in items if i.needs_decision and i.ref_id not in decisions]
            if undecided:
                raise ValidationError(
                    "请为每件在办事项选择“本人继续负责”或移交给同事：" + "、".join(undecided),
                    "decisions",
                )
            now = self._clock.now()
            names = dict(_colleagues(session, actor))
            done: list[ShiftItem] = []
            kept = handed = 0
            for item in items:
                if not item.needs_decision:
                    done.append(item)
                    continue
                to = decisions[item.ref_id]
                if to is None:
                    kept += 1
                    done.append(replace(item, decision=KEEP))
                    continue
                visit = session.get(Visit, item.ref_id)
                assert visit is not None  # just read, under the write lock
                offer_handover(session, actor, visit, to, text or DEFAULT_NOTE, now)
                handed += 1
                done.append(replace(item, decision=f"移交给{names.get(to, '')}（待对方接收）"))
            tz = _zone(session)
            local = now.astimezone(tz)
            seq = next_number(session, "shift", local.year)
            record = ShiftHandover(
                number=f"{load_station(session).code}-JJB-{local.year}-{seq:05d}",
                year=local.year,
                seq=seq,
                officer_id=actor.id,
                at=now,
                local_date=local.date(),
                items_json=json.dumps([asdict(i) for i in done], ensure_ascii=False),
                kept=kept,
                handed=handed,
                note=text,
            )
            session.add(record)
            session.flush()
            audit.record(
                session,
                at=now,
                officer_id=actor.id,
                action=RECORDED,
                entity_type="shift",
                entity_id=record.number,
                after={"items": len(done), "kept": kept, "handed": handed},
            )
            return _record(record, actor, tz)

    def records(self, user: SessionUser, start: dt.date, end: dt.date) -> list[ShiftRecordRow]:
        """The 交接班记录 of a period, newest first: everyone's for the chief and deputies,
        one's own for an officer."""
        if end < start:
            raise ValidationError("结束日期不能早于开始日期。", "end")
        if (end - start).days >= LIST_MAX_DAYS:
            raise ValidationError("一次最多查看一年的交接班记录。", "end")
        with self._sessions.begin() as session:
            actor = self._officer(session, user)
            tz = _zone(session)
            query = (
                select(ShiftHandover, Officer.name, Officer.badge_no)
                .join(Officer, Officer.id == ShiftHandover.officer_id)
                .where(ShiftHandover.local_date >= start, ShiftHandover.local_date <= end)
                .order_by(ShiftHandover.at.desc(), ShiftHandover.id.desc())
            )
            if not allows(Role(actor.role), Permission.VIEW_ALL_VISITS):
                query = query.where(ShiftHandover.officer_id == actor.id)
            return [
                ShiftRecordRow(
                    row.number,
                    f"{name}（{badge}）",
                    row.at.astimezone(tz),
                    len(json.loads(row.items_json)),
                    row.kept,
                    row.handed,
                    row.note,
                )
                for row, name, badge in session.execute(query)
            ]

    def record(self, user: SessionUser, number: str) -> ShiftRecord:
        """A 交接班记录 by its number: for the officer who wrote it and the chief, deputies."""
        with self._sessions.begin() as session:
            actor = self._officer(session, user)
            row = session.scalars(
                select(ShiftHandover).where(ShiftHandover.number == code_text(number))
            ).first()
            if row is None:
                raise NotFound(f"没有编号为 {number} 的交接班记录。")
            if row.officer_id != actor.id and not allows(
                Role(actor.role), Permission.VIEW_ALL_VISITS
            ):
                raise PermissionDenied("交接班记录由交班民警本人或所长、副所长查看。")
            owner = session.get(Officer, row.officer_id)
            assert owner is not None
            return _record(row, owner, _zone(session))

    def document(self, user: SessionUser, number: str) -> RegisterDocument:
        """The record on A4: the list with each decision, and lines for both signatures."""
        record = self.record(user, number)
        with self._sessions.begin() as session:
            station = load_station(session)
            now = self._clock.now().astimezone(_zone(session))
        rows = tuple(
            RegisterRow(
                (
                    str(n),
                    item.kind_label,
                    item.number,
                    item.matter,
                    item.citizen,
                    item.state,
                    item.due,
                    item.decision or "—",
                ),
                marked=item.kind == "matter" and item.decision != KEEP,
            )
            for n, item in enumerate(record.items, 1)
        )
        table = RegisterTable(
            (
                RegisterColumn("序号", 10, center=True),
                RegisterColumn("类别", 30),
                RegisterColumn("编号", 36),
                RegisterColumn("事项", 44),
                RegisterColumn("群众", 18),
                RegisterColumn("状态", 24),
                RegisterColumn("期限", 24),
                RegisterColumn("交接", 50),
            ),
            rows,
            heading="交接事项",
            empty_text="（交班时没有未了事项）",
        )
        summary = (
            f"在办事项本人继续负责 {record.kept} 件，移交同事 {record.handed} 件"
            "（同事接收后由其负责，接收前仍由交班民警负责）。"
        )
        note = RegisterText((f"交班说明：{record.note}",)) if record.note else None
        return RegisterDocument(
            title="交接班记录",
            station_name=station.name,
            subtitle=f"{record.number}　交班民警：{record.officer}（{record.badge_no}）　"
            f"{record.at.strftime('%Y-%m-%d %H:%M')}",
            printed_at=now,
            tables=(table,),
            summary=(summary,),
            review=ReviewBlock(
                "交接签字",
                (("交班人签字", ""), ("接班人签字", ""), ("接班时间", "")),
            ),
            number=record.number,
            blocks=(note,) if note is not None else (),
        )

    def record_print(self, user: SessionUser, number: str, via: str = "gui") -> None:
        """Log a print of the record that came out (``via`` "cli": ``stationdesk print``)."""
        if via not in VIA:
            raise ValueError(f"unknown print channel {via!r}")
        record = self.record(user, number)
        with self._writing() as session:
            actor = self._officer(session, user)
            audit.record(
                session,
                at=self._clock.now(),
                officer_id=actor.id,
                action=PRINTED,
                entity_type="shift",
                entity_id=record.number,
                after={"via": via},
            )

    # ---- internals -----------------------------------------------------------------------

    def _case_worker(self, session: Session, user: SessionUser) -> Officer:
        actor = self._officer(session, user)
        if not allows(Role(actor.role), Permission.HANDLE_VISITS):
            raise PermissionDenied("交接班用于办理窗口事项的民警、辅警。")
        return actor

    def _items(self, session: Session, actor: Officer) -> list[ShiftItem]:
        """The officer's open items, read in a fixed number of statements (not one per row)."""
        tz = _zone(session)
        today = self._clock.now().astimezone(tz).date()
        work = _open_work(session, actor.id, today)
        matters = _matter_names(session, work.visits)
        names = _names(session)
        items = _work_items(work, matters, names, actor.id, today)
        # Home services the officer is to make (预约上门): the next shift must know of them.
        items += _home_items(session, actor.id, today)
        return items


@dataclass(frozen=True, slots=True)
class _OpenWork:
    """What an officer has open, as read for the shift's list."""

    pending: dict[int, Handover]  # handovers waiting, from or to the officer, by matter
    mine: Sequence[Visit]  # the matters the officer holds
    callbacks: Sequence[Callback]  # the callbacks assigned to the officer
    notices: Sequence[Row[Notice, Visit]]  # the officer's notices whose deadline is near
    visits: dict[int, Visit]  # every matter named above, by id


def _open_work(session: Session, actor_id: int, today: dt.date) -> _OpenWork:
    """The officer's handovers, matters, callbacks and near notices, and the matters they name."""
    pending = {
        h.visit_id: h
        for h in session.scalars(
            select(Handover).where(
                Handover.state == "pending",
                or_(Handover.from_officer_id == actor_id, Handover.to_officer_id == actor_id),
            )
        )
    }
    mine = session.scalars(
        select(Visit)
        .where(held_by(actor_id))
        .order_by(Visit.due_date.is_(None), Visit.due_date, Visit.id)
    ).all()
    callbacks = session.scalars(
        select(Callback)
        .where(Callback.assigned_to_id == actor_id, Callback.state == "pending")
        .order_by(Callback.due_date, Callback.id)
    ).all()
    near = today + dt.timedelta(days=NEAR_DAYS)
    notices = session.execute(
        select(Notice, Visit)
        .join(Visit, Visit.id == Notice.visit_id)
        .where(
            Visit.owner_id == actor_id,
            Notice.state == "open",
            Notice.supplement_deadline.is_not(None),
            Notice.supplement_deadline <= near,
        )
        .order_by(Notice.supplement_deadline, Notice.id)
    ).all()
    # The other matters named (handovers to me, callbacks), and every matter's name.
    visits = {v.id: v for v in mine} | {v.id: v for _n, v in notices}
    wanted = ({*pending} | {c.visit_id for c in callbacks}) - set(visits)
    if wanted:
        visits |= {v.id: v for v in session.scalars(select(Visit).where(Visit.id.in_(wanted)))}
    return _OpenWork(pending, mine, callbacks, notices, visits)


def _matter_names(session: Session, visits: Mapping[int, Visit]) -> dict[int, str]:
    """The name of each matter's catalogue version, by version id."""
    version_ids = {v.service_version_id for v in visits.values()}
    return {
        vid: name
        for vid, name in session.execute(
            select(ServiceItemVersion.id, ServiceItemVersion.name).where(
                ServiceItemVersion.id.in_(version_ids)
            )
        )
    }


def _work_items(
    work: _OpenWork,
    matters: Mapping[int, str],
    names: Mapping[int, str],
    actor_id: int,
    today: dt.date,
) -> list[ShiftItem]:
    """The list's lines for the matters, handovers, callbacks and notices, in that order."""

    def line(kind: str, ref_id: int, visit: Visit, state: str, due: str) -> ShiftItem:
        return ShiftItem(
            kind,
            ref_id,
            visit.serial,
            matters.get(visit.service_version_id, ""),
            mask_name(visit.citizen_name),
            state,
            due,
        )

    def visit_line(kind: str, ref_id: int, visit: Visit) -> ShiftItem:
        due = visit.due_date.isoformat() if visit.due_date else ""
        return line(kind, ref_id, visit, STATUS_LABELS[VisitStatus(visit.status)], due)

    items: list[ShiftItem] = []
    for visit in work.mine:
        handover = work.pending.get(visit.id)
        if handover is not None and handover.from_officer_id == actor_id:
            continue  # listed below, as a handover waiting on the colleague
        items.append(visit_line("matter", visit.id, visit))
    for visit_id, handover in work.pending.items():
        incoming = handover.to_officer_id == actor_id
        other = names.get(handover.from_officer_id if incoming else handover.to_officer_id)
        kind = "incoming" if incoming else "outgoing"
        item = visit_line(kind, handover.id, work.visits[visit_id])
        items.append(
            replace(item, decision=f"{'来自' if incoming else '移交给'}{other or ''}，待接收")
        )
    for callback in work.callbacks:
        state = "逾期未回访" if callback.due_date < today else "待回访"
        due = callback.due_date.isoformat()
        items.append(line("callback", callback.id, work.visits[callback.visit_id], state, due))
    for notice, visit in work.notices:
        deadline = notice.supplement_deadline
        assert deadline is not None
        state = "补正期限已过" if deadline < today else NOTICE_STATE_LABELS[notice.state]
        item = line("notice", notice.id, visit, state, deadline.isoformat())
        items.append(replace(item, number=notice.number))
    return items


def _home_items(session: Session, actor_id: int, today: dt.date) -> list[ShiftItem]:
    """The home services (预约上门) the officer is still to make, soonest first."""
    homes = session.execute(
        select(Appointment, ServiceItemVersion.name)
        .join(ServiceItemVersion, ServiceItemVersion.id == Appointment.service_version_id)
        .where(
            Appointment.officer_id == actor_id,
            Appointment.kind == "home",
            Appointment.state == "booked",
        )
        .order_by(Appointment.due_date, Appointment.id)
    ).all()
    items: list[ShiftItem] = []
    for booking, matter in homes:
        late = booking.due_date is not None and booking.due_date < today
        items.append(
            ShiftItem(
                "home",
                booking.id,
                booking.number,
                matter,
                mask_name(booking.citizen_name),
                "已超过上门时限" if late else "待上门",
                booking.due_date.isoformat() if booking.due_date else "",
            )
        )
    return items


def _names(session: Session) -> dict[int, str]:
    return {
        oid: f"{name}（{badge}）"
        for oid, name, badge in session.execute(select(Officer.id, Officer.name, Officer.badge_no))
    }


def _colleagues(session: Session, actor: Officer) -> list[tuple[int, str]]:
    """Active colleagues who handle matters, by badge: those a matter may be offered to."""
    rows = session.execute(
        select(Officer.id, Officer.name, Officer.badge_no, Officer.role)
        .where(Officer.active.is_(True), Officer.id != actor.id)
        .order_by(Officer.badge_no)
    )
    return [
        (oid, f"{name}（{badge}）")
        for oid, name, badge, role in rows
        if allows(Role(role), Permission.HANDLE_VISITS)
    ]


def _record(row: ShiftHandover, owner: Officer, tz: ZoneInfo) -> ShiftRecord:
    items = tuple(ShiftItem(**item) for item in json.loads(row.items_json))
    return ShiftRecord(
        row.id,
        row.number,
        owner.name,
        owner.badge_no,
        row.at.astimezone(tz),
        items,
        row.kept,
        row.handed,
        row.note,
    )


def _zone(session: Session) -> ZoneInfo:
    return ZoneInfo(load_station(session).timezone)
