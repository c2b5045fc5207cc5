"""The sections of a day's ledger: the records each one lists, read from the database, and
made into its rows (``app.ledger._build`` puts them together with the summary).

The records are read first, section by section, then the serial numbers they name in one
query, then the rows are made; the complaints, the corrections and the status changes are
read as their rows are made.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import Row, Select, func, or_, select, union
from sqlalchemy.orm import Session

from app.core.identity import mask_id
from app.ledger.dto import LedgerRow, LedgerSection
from app.ratings.service import LEVELS, SMS_REPLY_LABEL, rating_is_bad
from app.visits.dto import HANDOVER_STATE_LABELS
from app.visits.rules import STATUS_LABELS, VisitStatus
from db.models import (
    Addendum,
    Callback,
    CallbackAttempt,
    Complaint,
    Handover,
    Notice,
    NoticeBreach,
    NoticeItem,
    Officer,
    Rating,
    Rectification,
    ServiceItemVersion,
    Visit,
    VisitTransition,
)

OUTCOMES = {
    "reached": "接通",
    "no_answer": "无人接听",
    "wrong_number": "号码错误",
    "refused": "拒绝回访",
}
RECT_STATES = {"open": "待核实", "verified": "整改中", "rectified": "待销号", "closed": "已销号"}
COMPLAINT_STATES = {
    "received": "待核实",
    "verified": "待处理",
    "handled": "待答复",
    "replied": "待办结",
    "closed": "已办结",
}
NOTICE_STATES = {"open": "待补正", "fulfilled": "已补齐", "voided": "已作废"}
STEP_COLUMNS = ("时间", "事项编号", "状态变更", "民警", "说明")
STEP_WIDTHS = (1.2, 2.4, 2.6, 1.2, 4)

Serial = Callable[[int], str]  # a visit's id → its serial number


def hm(at: dt.datetime | None, tz: ZoneInfo) -> str:
    return at.astimezone(tz).strftime("%H:%M") if at is not None else ""


def end_text(at: dt.datetime | None, day: dt.date, tz: ZoneInfo) -> str:
    """The end time; with its date when the matter ended on a later day."""
    if at is None:
        return ""
    local = at.astimezone(tz)
    return local.strftime("%H:%M") if local.date() == day else local.strftime("%m-%d %H:%M")


def bounds(day: dt.date, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    lo = dt.datetime.combine(day, dt.time(), tz).astimezone(dt.UTC)
    return lo, lo + dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Day:
    """The day a ledger is built for, and what every section is read with.

    ``lo``..``hi``: the day's span, in UTC; after the review (``after_review``) ``lo`` is just
    after the review's time. ``names``: officer id → name.
    """

    session: Session
    day: dt.date
    tz: ZoneInfo
    lo: dt.datetime
    hi: dt.datetime
    after_review: bool
    names: dict[int, str]


@dataclass(slots=True)
class Tally:
    """The day's figures the summary gives, counted as the sections' rows are made."""

    overdue_visits: int = 0
    rated: int = 0
    satisfied: int = 0
    strict: int = 0
    bad_ratings: int = 0
    reached: int = 0
    overdue_rectifications: int = 0
    complaints_new: int = 0
    praise_new: int = 0
    complaints_overdue: int = 0


@dataclass(frozen=True, slots=True)
class DayRecords:
    """What the sections from the visits to the rectifications list, read before their rows."""

    matter: dict[int, str]  # service item version id → name
    visits: list[Visit]
    handovers: list[Handover]
    notices: list[Notice]
    owed: dict[int, int]  # notice id → items still owed
    breaches: Sequence[Row[NoticeBreach, str, int]]  # with the notice's number and visit
    pledges: list[Notice]
    ratings: list[Rating]
    attempts: Sequence[Row[CallbackAttempt, Callback]]
    callback_ratings: dict[int, Rating]  # the ratings given in the callbacks, by id
    rectifications: list[Rectification]

    def visit_ids(self) -> Iterator[int]:
        """The visits the records name, for their serial numbers."""
        yield from (h.visit_id for h in self.handovers)
        yield from (n.visit_id for n in self.notices)
        yield from (visit_id for _b, _number, visit_id in self.breaches)
        yield from (n.visit_id for n in self.pledges)
        yield from (r.visit_id for r in self.ratings)
        yield from (c.visit_id for _a, c in self.attempts)
        yield from (rc.visit_id for rc in self.rectifications)


# ---- reading the records ---------------------------------------------------------------------


def read_records(d: Day) -> DayRecords:
    """Every record from the visits to the rectifications, section by section."""
    matter = {
        i: n for i, n in d.session.execute(select(ServiceItemVersion.id, ServiceItemVersion.name))
    }
    visits = _registered_visits(d)
    handovers = _handovers_offered(d)
    notices = _notices_issued(d)
    owed = _owed(d.session, [n.id for n in notices])
    breaches = _breaches_recorded(d)
    pledges = _pledges_due(d)
    ratings = _on_site_ratings(d)
    attempts = _callback_attempts(d)
    return DayRecords(
        matter,
        visits,
        handovers,
        notices,
        owed,
        breaches,
        pledges,
        ratings,
        attempts,
        _callback_ratings(d.session, attempts),
        _rectifications(d),
    )


def _registered_visits(d: Day) -> list[Visit]:
    """Visits registered that day."""
    query = select(Visit).where(Visit.local_date == d.day).order_by(Visit.arrived_at, Visit.id)
    if d.after_review:
        query = query.where(Visit.created_at >= d.lo)
    return list(d.session.scalars(query))


def _handovers_offered(d: Day) -> list[Handover]:
    return list(
        d.session.scalars(
            select(Handover)
            .where(Handover.created_at >= d.lo, Handover.created_at < d.hi)
            .order_by(Handover.created_at)
        )
    )


def _notices_issued(d: Day) -> list[Notice]:
    query = select(Notice).where(Notice.local_date == d.day).order_by(Notice.id)
    if d.after_review:
        query = query.where(Notice.issued_at >= d.lo)
    return list(d.session.scalars(query))


def _owed(session: Session, notice_ids: list[int]) -> dict[int, int]:
    if not notice_ids:
        return {}
    return {
        i: n
        for i, n in session.execute(
            select(NoticeItem.notice_id, func.count())
            .where(NoticeItem.notice_id.in_(notice_ids), NoticeItem.state != "provided")
            .group_by(NoticeItem.notice_id)
        )
    }


def _breaches_recorded(d: Day) -> Sequence[Row[NoticeBreach, str, int]]:
    return d.session.execute(
        select(NoticeBreach, Notice.number, Notice.visit_id)
        .join(Notice, Notice.id == NoticeBreach.notice_id)
        .where(NoticeBreach.local_date == d.day, NoticeBreach.at >= d.lo)
        .order_by(NoticeBreach.at)
    ).all()


def _pledges_due(d: Day) -> list[Notice]:
    """Pledges whose supplement deadline is that day (a deadline is not something recorded
    after the review)."""
    if d.after_review:
        return []
    return list(
        d.session.scalars(
            select(Notice)
            .where(
                # Every state (the check constraint's): the (state, deadline) index.
                Notice.state.in_(("open", "fulfilled", "voided")),
                Notice.kind == "pledge",
                Notice.supplement_deadline == d.day,
            )
            .order_by(Notice.id)
        )
    )


def _on_site_ratings(d: Day) -> list[Rating]:
    return list(
        d.session.scalars(
            select(Rating)
            .where(Rating.local_date == d.day, Rating.kind == "on_site", Rating.rated_at >= d.lo)
            .order_by(Rating.rated_at)
        )
    )


def _callback_attempts(d: Day) -> Sequence[Row[CallbackAttempt, Callback]]:
    return d.session.execute(
        select(CallbackAttempt, Callback)
        .join(Callback, Callback.id == CallbackAttempt.callback_id)
        .where(CallbackAttempt.local_date == d.day, CallbackAttempt.at >= d.lo)
        .order_by(CallbackAttempt.at)
    ).all()


def _callback_ratings(
    session: Session, attempts: Sequence[Row[CallbackAttempt, Callback]]
) -> dict[int, Rating]:
    rated_ids = [c.rating_id for _, c in attempts if c.rating_id]
    return (
        {r.id: r for r in session.scalars(select(Rating).where(Rating.id.in_(rated_ids)))}
        if rated_ids
        else {}
    )


def _rectifications(d: Day) -> list[Rectification]:
    """Rectifications opened that day, or overdue on it: each by its own index, united (an OR
    of the three lets SQLite read every rectification ever instead)."""
    day, lo, hi = d.day, d.lo, d.hi
    rect_ids = [
        select(Rectification.id).where(Rectification.opened_at >= lo, Rectification.opened_at < hi)
    ]
    if not d.after_review:
        rect_ids += [
            # Not closed, spelled as the other states: the (state, due) index.
            select(Rectification.id).where(
                Rectification.state.in_(("open", "verified", "rectified")),
                Rectification.rectify_due < day,
            ),
            select(Rectification.id).where(
                Rectification.state == "open", Rectification.verify_due < day
            ),
        ]
    return list(
        d.session.scalars(
            select(Rectification)
            .where(Rectification.id.in_(union(*rect_ids)))
            .order_by(Rectification.opened_at, Rectification.id)
        )
    )


def serial_lookup(d: Day, records: DayRecords) -> Serial:
    """A visit's serial number, for every visit the records name (read in one query)."""
    serial_of = _serials(d.session, {v.id: v.serial for v in records.visits}, records.visit_ids())

    def serial(visit_id: int) -> str:
        return serial_of.get(visit_id, "")

    return serial


def _serials(session: Session, known: dict[int, str], visit_ids: Iterable[int]) -> dict[int, str]:
    """``known`` plus the serial numbers of the other ``visit_ids``, in one query."""
    missing = {i for i in visit_ids if i not in known}
    if missing:
        known.update(
            (i, serial)
            for i, serial in session.execute(
                select(Visit.id, Visit.serial).where(Visit.id.in_(missing))
            )
        )
    return known


# ---- the sections' rows ----------------------------------------------------------------------


def visit_section(d: Day, records: DayRecords, tally: Tally) -> LedgerSection:
    """Visits registered that day; those overdue at its end marked."""
    tz, day, names = d.tz, d.day, d.names
    end_of_day = day
    rows = []
    for v in records.visits:
        status = VisitStatus(v.status)
        overdue = (
            status is VisitStatus.IN_PROGRESS and v.due_date is not None and v.due_date < end_of_day
        )
        tally.overdue_visits += overdue
        rows.append(
            LedgerRow(
                (
                    v.serial,
                    hm(v.arrived_at, tz),
                    hm(v.started_at, tz),
                    end_text(v.ended_at, day, tz),
                    v.citizen_name,
                    mask_id(v.id_number) if v.id_number else "",
                    records.matter.get(v.service_version_id, ""),
                    names.get(v.first_officer_id, ""),
                    names.get(v.owner_id, ""),
                    STATUS_LABELS[status],
                    v.due_date.isoformat() if v.due_date else "",
                    "逾期" if overdue else "",
                    v.counter,
                ),
                overdue,
                tuple({v.first_officer_id, v.owner_id}),
                v.id,
            )
        )
    return LedgerSection(
        "visits", "接待登记",
        ("编号", "到达", "开始", "结束", "群众", "证件号码", "事项", "首接民警", "当前负责",
         "状态", "办结期限", "逾期", "窗口"),
        tuple(rows), (2.4, 1, 1, 1, 1.3, 2.3, 3, 1.2, 1.2, 1.2, 1.6, 0.9, 1.1),
    )  # fmt: skip


def handover_section(d: Day, handovers: list[Handover], serial: Serial) -> LedgerSection:
    """Handovers offered that day; those still pending marked."""
    rows = [
        LedgerRow(
            (
                serial(h.visit_id),
                hm(h.created_at, d.tz),
                d.names.get(h.from_officer_id, ""),
                d.names.get(h.to_officer_id, ""),
                h.reason,
                HANDOVER_STATE_LABELS.get(h.state, h.state),
            ),
            h.state == "pending",
            (h.from_officer_id, h.to_officer_id),
            h.visit_id,
        )
        for h in handovers
    ]
    return LedgerSection(
        "handovers", "移交", ("事项编号", "时间", "移交人", "接收人", "原因", "状态"),
        tuple(rows), (2.4, 1, 1.2, 1.2, 4, 1.2),
    )  # fmt: skip


def notice_section(d: Day, records: DayRecords, serial: Serial) -> LedgerSection:
    """Notices issued and breaches recorded that day; the breaches marked."""
    names = d.names
    rows = []
    for n in records.notices:
        rows.append(
            LedgerRow(
                (
                    n.number,
                    "容缺承诺" if n.kind == "pledge" else "一次性告知",
                    serial(n.visit_id),
                    names.get(n.officer_id, ""),
                    f"{records.owed.get(n.id, 0)} 项",
                    n.supplement_deadline.isoformat() if n.supplement_deadline else "",
                    NOTICE_STATES[n.state],
                ),
                False,
                (n.officer_id,),
                n.visit_id,
            )
        )
    for b, notice_number, notice_visit_id in records.breaches:
        rows.append(
            LedgerRow(
                (
                    notice_number,
                    f"超出告知范围：{b.item_name}",
                    serial(notice_visit_id),
                    names.get(b.issuer_id, ""),
                    "",
                    "",
                    b.reason,
                ),
                True,
                (b.issuer_id, b.officer_id),
                notice_visit_id,
            )
        )
    return LedgerSection(
        "notices", "一次性告知与超范围要求",
        ("告知单编号", "类型", "事项编号", "民警", "待补", "补正期限", "状态/原因"),
        tuple(rows), (2.6, 2.6, 2.4, 1.2, 0.9, 1.6, 2.6),
    )  # fmt: skip


def pledge_section(d: Day, pledges: list[Notice], serial: Serial) -> LedgerSection:
    """Pledges due that day; those still open marked."""
    rows = [
        LedgerRow(
            (
                n.number,
                serial(n.visit_id),
                d.names.get(n.officer_id, ""),
                n.supplement_deadline.isoformat() if n.supplement_deadline else "",
                NOTICE_STATES[n.state],
            ),
            n.state == "open",
            (n.officer_id,),
            n.visit_id,
        )
        for n in pledges
    ]
    return LedgerSection(
        "pledges", "容缺承诺到期", ("编号", "事项编号", "出具民警", "补正期限", "状态"),
        tuple(rows), (2.6, 2.4, 1.2, 1.6, 1.2),
    )  # fmt: skip


def rating_section(d: Day, ratings: list[Rating], serial: Serial, tally: Tally) -> LedgerSection:
    """On-site ratings that day; the bad ones marked."""
    rows = []
    for r in ratings:
        dims = {k: int(v) for k, v in json.loads(r.dimensions_json or "{}").items()}
        bad = rating_is_bad(r)
        tally.bad_ratings += bad
        if not r.declined and r.overall is not None:
            tally.rated += 1
            tally.satisfied += r.overall >= 3
            tally.strict += r.overall >= 4
        rows.append(
            LedgerRow(
                (
                    hm(r.rated_at, d.tz),
                    serial(r.visit_id),
                    d.names.get(r.rated_officer_id, ""),
                    "拒绝评价" if r.declined else LEVELS.get(r.overall or 0, ""),
                    "、".join(k for k, v in dims.items() if v <= 2),
                    r.comment,
                ),
                bad,
                (r.rated_officer_id,),
                r.visit_id,
            )
        )
    return LedgerSection(
        "ratings", "现场评价", ("时间", "事项编号", "办理民警", "总体评价", "差评项", "意见"),
        tuple(rows), (1, 2.4, 1.2, 1.4, 2.4, 4),
    )  # fmt: skip


def callback_section(d: Day, records: DayRecords, serial: Serial, tally: Tally) -> LedgerSection:
    """Callback attempts made that day; a rating given under pressure marked."""
    rows = []
    for a, c in records.attempts:
        given = records.callback_ratings.get(c.rating_id or 0) if a.outcome == "reached" else None
        tally.reached += a.outcome == "reached"
        level = ""
        if given is not None:
            level = "不愿评价" if given.declined else LEVELS.get(given.overall or 0, "")
        rows.append(
            LedgerRow(
                (
                    hm(a.at, d.tz),
                    "短信回访"
                    if a.via == "sms"
                    else "上门回访"
                    if c.kind == "home"
                    else "电话回访",
                    serial(c.visit_id),
                    d.names.get(a.officer_id, ""),
                    SMS_REPLY_LABEL if a.via == "sms" else OUTCOMES[a.outcome],
                    level,
                    "评价落差" if c.pressure and given is not None else "",
                ),
                bool(c.pressure and given is not None),
                (a.officer_id,),
                c.visit_id,
            )
        )
    return LedgerSection(
        "callbacks", "回访",
        ("时间", "方式", "事项编号", "回访民警", "结果", "评价", "预警"),
        tuple(rows), (1, 1.3, 2.4, 1.2, 1.2, 1.4, 1.2),
    )  # fmt: skip


def rectification_section(
    d: Day, rectifications: list[Rectification], serial: Serial, tally: Tally
) -> LedgerSection:
    """Rectifications opened that day or overdue on it; the overdue ones marked."""
    day, names = d.day, d.names
    rows = []
    for rc in rectifications:
        late = rc.state != "closed" and (
            rc.rectify_due < day or (rc.state == "open" and rc.verify_due < day)
        )
        tally.overdue_rectifications += late
        rows.append(
            LedgerRow(
                (
                    rc.number,
                    serial(rc.visit_id),
                    names.get(rc.rated_officer_id, ""),
                    names.get(rc.owner_id, ""),
                    RECT_STATES[rc.state],
                    rc.rectify_due.isoformat(),
                    "逾期" if late else "新开",
                ),
                late,
                (rc.rated_officer_id, rc.owner_id),
                rc.visit_id,
            )
        )
    return LedgerSection(
        "rectifications", "整改督办（新开及逾期）",
        ("编号", "事项编号", "被评价民警", "督办人", "状态", "整改期限", "标记"),
        tuple(rows), (2.6, 2.4, 1.3, 1.2, 1.2, 1.6, 0.9),
    )  # fmt: skip


def complaint_section(d: Day, actor: Officer | None, tally: Tally) -> LedgerSection:
    """Complaints received that day, or overdue on it; never one about the viewer."""
    day = d.day
    rows = []
    for cp in d.session.scalars(_complaints_query(d, actor)):
        new_today = cp.received_on == day
        late = not new_today or _complaint_late(cp, day)
        if cp.kind == "praise":
            tally.praise_new += new_today
        else:
            tally.complaints_new += new_today
            tally.complaints_overdue += late and cp.state != "closed"
        rows.append(
            LedgerRow(
                (
                    cp.number,
                    "表扬" if cp.kind == "praise" else "投诉",
                    cp.channel,
                    d.names.get(cp.officer_id or 0, "（未指明）"),
                    "已登记" if cp.kind == "praise" else COMPLAINT_STATES[cp.state],
                    "逾期" if late and cp.kind != "praise" else "新收",
                ),
                late and cp.kind != "praise",
                (cp.officer_id,) if cp.officer_id else (),
                cp.visit_id,
            )
        )
    return LedgerSection(
        "complaints", "投诉表扬（新收及逾期）",
        ("编号", "类别", "渠道", "涉及民警", "状态", "标记"),
        tuple(rows), (2.6, 0.9, 1.2, 1.3, 1.2, 0.9),
    )  # fmt: skip


def _complaints_query(d: Day, actor: Officer | None) -> Select[Complaint]:
    day = d.day
    query = (
        select(Complaint)
        .where(
            or_(
                Complaint.received_on == day,
                # The states still running a deadline (the index on state, not every complaint).
                Complaint.state.in_(("received", "verified", "handled"))
                & (
                    ((Complaint.state == "received") & (Complaint.verify_due < day))
                    | (Complaint.state.in_(("received", "verified")) & (Complaint.handle_due < day))
                    | (
                        Complaint.state.in_(("received", "verified", "handled"))
                        & (Complaint.reply_due < day)
                    )
                ),
            )
        )
        .order_by(Complaint.received_on, Complaint.id)
    )
    if d.after_review:
        query = select(Complaint).where(Complaint.recorded_at >= d.lo, Complaint.recorded_at < d.hi)
    if actor is not None:
        query = query.where(Complaint.officer_id.is_distinct_from(actor.id))
    return query


def _complaint_late(c: Complaint, day: dt.date) -> bool:
    steps = (
        ("received", c.verify_due),
        ("verified", c.handle_due),
        ("handled", c.reply_due),
    )
    order = ("received", "verified", "handled", "replied", "closed")
    for state, due in steps:
        if due is not None and order.index(c.state) <= order.index(state) and due < day:
            return True
    return False


def addenda_section(d: Day) -> LedgerSection:
    """Corrections made that day (of earlier, reviewed days)."""
    rows = [
        LedgerRow(
            (
                a.number,
                a.day.isoformat(),
                a.entity_label,
                a.field_label,
                a.old_value,
                a.new_value,
                a.reason,
                d.names.get(a.officer_id, ""),
            ),
            True,
            (a.officer_id,),
            a.entity_id,
        )
        for a in d.session.scalars(
            select(Addendum)
            .where(Addendum.made_on == d.day, Addendum.at >= d.lo)
            .order_by(Addendum.at)
        )
    ]
    return LedgerSection(
        "addenda", "更正记录（当日登记）",
        ("编号", "原日期", "事项编号", "更正项", "原内容", "更正为", "原因", "登记人"),
        tuple(rows), (2.4, 1.5, 2.4, 1.2, 2, 2, 3, 1.2),
    )  # fmt: skip


def steps_section(d: Day) -> LedgerSection:
    """Status changes recorded in [lo, hi), on matters of any day (registrations excluded)."""
    rows = [
        LedgerRow(
            (
                end_text(t.at, d.day, d.tz),
                serial,
                f"{STATUS_LABELS[VisitStatus(t.from_status)]} → "
                f"{STATUS_LABELS[VisitStatus(t.to_status)]}",
                d.names.get(t.officer_id, ""),
                t.reason,
            ),
            False,
            (t.officer_id,),
            t.visit_id,
        )
        for t, serial in d.session.execute(
            select(VisitTransition, Visit.serial)
            .join(Visit, Visit.id == VisitTransition.visit_id)
            .where(
                VisitTransition.at >= d.lo,
                VisitTransition.at < d.hi,
                VisitTransition.from_status != "",
            )
            .order_by(VisitTransition.at, VisitTransition.id)
        )
    ]
    return LedgerSection("steps", "办理进展", STEP_COLUMNS, tuple(rows), STEP_WIDTHS)
