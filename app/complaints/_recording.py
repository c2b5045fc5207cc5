"""Recording (登记) a complaint or a praise letter: checked, linked to its matter and the
officer it concerns, numbered, and for a complaint given its handler and deadlines."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.complaints._base import ComplaintBase, _supervisors
from app.complaints.dto import CHANNELS, KIND_LABELS, ComplaintRow, NewComplaint
from app.core import audit, text_limits
from app.core.dto import SessionUser
from app.core.errors import ConflictError, PermissionDenied, ValidationError
from app.core.roles import Permission, Role, allows
from app.core.service_base import load_station
from app.core.validation import clean_phone, clean_text, code_text
from app.holidays.service import load_calendar
from app.visits.service import next_number
from db.models import Complaint, Officer, Station, Visit

# A received date further back is almost always a mistyped year; a genuinely old letter found
# late can still be entered as long as it is inside the year, and then shows as overdue.
OLDEST_DAYS = 365


@dataclass(frozen=True, slots=True)
class _Letter:
    """What the letter says, cleaned: who wrote it (both may be empty) and its content."""

    name: str
    phone: str
    content: str


class Recording(ComplaintBase):
    """登记 of complaints and praise letters."""

    def record(self, user: SessionUser, new: NewComplaint) -> ComplaintRow:
        """登记: a complaint opens its workflow at once; a praise letter is recorded and closed."""
        letter = _clean_letter(new)
        serial = code_text(new.visit_serial)
        with self._writing() as session:
            actor = self._officer(session, user)
            if not allows(Role(actor.role), Permission.HANDLE_VISITS):
                raise PermissionDenied(
                    f"{Role(actor.role).label}不登记投诉和表扬，请由窗口民警或所领导登记。"
                )
            station = load_station(session)
            now = self._clock.now()
            today = now.astimezone(ZoneInfo(station.timezone)).date()
            _check_received_on(new.received_on, today)
            visit = _linked_visit(session, serial, new.received_on)
            officer_id = _concerned_officer(session, actor, new, visit)
            complaint = _new_complaint(
                session, station, actor, new, letter, officer_id, visit, now, today
            )
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
                    "anonymous": not letter.name,
                },
            )
            return self._row(session, complaint)


# ---- the steps of recording -----------------------------------------------------------


def _clean_letter(new: NewComplaint) -> _Letter:
    """The kind and channel checked, the complainant's name and phone and the content cleaned
    (worded for a complaint or for praise)."""
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
    return _Letter(name, phone, content)


def _check_received_on(received_on: dt.date, today: dt.date) -> None:
    if received_on > today:
        raise ValidationError("收到日期不能晚于今天。", "received_on")
    oldest = today - dt.timedelta(days=OLDEST_DAYS)
    if received_on < oldest:
        raise ValidationError(
            f"收到日期不能早于 {oldest.isoformat()}（一年以前），请核对年份。", "received_on"
        )


def _linked_visit(session: Session, serial: str, received_on: dt.date) -> Visit | None:
    """The matter the letter names by its serial (none named: None), registered before the
    letter came."""
    if not serial:
        return None
    visit = session.scalars(select(Visit).where(Visit.serial == serial)).first()
    if visit is None:
        raise ValidationError(f"没有编号为 {serial} 的登记记录。", "visit_serial")
    if received_on < visit.local_date:
        raise ValidationError(
            f"收到日期早于关联事项的登记日期（{visit.local_date.isoformat()}），请核对。",
            "received_on",
        )
    return visit


def _concerned_officer(
    session: Session, actor: Officer, new: NewComplaint, visit: Visit | None
) -> int | None:
    """The officer the letter concerns: as chosen, else the matter's owner; never the
    officer recording it."""
    officer_id = new.officer_id
    if officer_id is None and visit is not None:
        officer_id = visit.owner_id
    if officer_id is not None and session.get(Officer, officer_id) is None:
        raise ValidationError("找不到所选的民警。", "officer_id")
    if officer_id == actor.id:
        raise PermissionDenied(
            f"{KIND_LABELS[new.kind]}涉及您本人，请由其他民警登记。", "officer_id"
        )
    return officer_id


def _new_complaint(
    session: Session,
    station: Station,
    actor: Officer,
    new: NewComplaint,
    letter: _Letter,
    officer_id: int | None,
    visit: Visit | None,
    now: dt.datetime,
    today: dt.date,
) -> Complaint:
    """The record, numbered in the station's year: a complaint open with its handler and the
    deadline of each step, a praise letter closed at once."""
    praise = new.kind == "praise"
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
        complainant_name=letter.name,
        complainant_phone=letter.phone,
        officer_id=officer_id,
        visit_id=visit.id if visit is not None else None,
        content=letter.content,
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
    return complaint


def _supervisor(session: Session, exclude: int | None) -> Officer:
    """The chief, or else a deputy, who is not the officer the complaint concerns."""
    found = _supervisors(session, exclude)
    if not found:
        raise ConflictError(
            "本所没有其他在用的所长或副所长可以承办这条投诉，请先在人员管理中设置。"
        )
    return found[0]
