"""Booking: a counter time or a home-service request taken, moved (改约), called off (取消)
or marked 未到."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.appointments._base import AppointmentBase, _goer, _open, _slot, _slot_text
from app.appointments.dto import (
    ADDRESS_MAX,
    AREA_LABELS,
    KIND_LABELS,
    OPEN,
    REASON_LABELS,
    AppointmentRow,
    NewAppointment,
)
from app.core import audit, text_limits
from app.core.dto import SessionUser
from app.core.errors import ConflictError, ValidationError
from app.core.identity import IdType, check_citizen_name, check_id, check_phone, mask_id, mask_name
from app.core.service_base import load_station
from app.core.validation import Collector, clean_text
from app.holidays.service import load_calendar
from app.visits.service import next_number
from db.models import Appointment, Officer, ServiceItem, ServiceItemVersion, Station

MAX_DAYS_AHEAD = 92  # a booking further out is almost surely a mistyped date


@dataclass(slots=True)
class _Checked:
    """The booking form as checked, field by field: what is stored (a field that failed keeps
    its default until ``Collector.done`` raises)."""

    id_type: IdType
    number: str
    name: str
    phone: str
    version: ServiceItemVersion | None
    summary: str
    address: str
    slot_at: dt.datetime | None = None
    officer: Officer | None = None
    due: dt.date | None = None


class Booking(AppointmentBase):
    """Taking, moving and closing bookings before the day they happen."""

    # ---- booking ------------------------------------------------------------------------

    def book(self, user: SessionUser, new: NewAppointment) -> AppointmentRow:
        """Book a counter time or take a home-service request; numbered, audited."""
        with self._writing() as session:
            actor = self._case_worker(session, user)
            station = load_station(session)
            tz = ZoneInfo(station.timezone)
            now = self._clock.now()
            today = now.astimezone(tz).date()
            errors = Collector()
            form = _check_form(session, new, today, errors)
            form.slot_at = _check_slot(new, tz, now, today, errors)
            form.officer, form.due = _check_home(session, station, new, today, errors)
            errors.done()
            booking = _new_booking(session, station, actor, new, form, now, today)
            version, due, officer = form.version, form.due, form.officer
            assert version is not None
            audit.record(
                session,
                at=now,
                officer_id=actor.id,
                action="appointment_booked",
                entity_type="appointment",
                entity_id=booking.number,
                after={
                    "kind": booking.kind,
                    "reason": booking.reason,
                    "citizen": mask_name(form.name),
                    "id": mask_id(form.number),
                    "service_version": version.id,
                    "slot": _slot_text(booking, tz),
                    **({"due_date": due.isoformat()} if due else {}),
                    **({"assigned_to": officer.badge_no} if officer else {}),
                },
            )
            return self._rows(session, Appointment.id == booking.id)[0]

    def reschedule(
        self,
        user: SessionUser,
        appointment_id: int,
        row_version: int,
        slot_date: dt.date,
        slot_time: str,
        officer_id: int | None = None,
    ) -> AppointmentRow:
        """改约: another day or time (within a home service's promise), or who will go."""
        with self._writing() as session:
            actor = self._case_worker(session, user)
            booking = _open(session, appointment_id, row_version)
            station = load_station(session)
            tz = ZoneInfo(station.timezone)
            now = self._clock.now()
            today = now.astimezone(tz).date()
            errors = Collector()
            slot_at = errors.check(
                lambda: _slot(slot_date, slot_time, tz, required=booking.kind == "counter"), None
            )
            if slot_date < today:
                errors.add(ValidationError("预约日期不能早于今天。", "slot_date"))
            elif slot_at is not None and slot_at < now:
                errors.add(ValidationError("预约时间已过，请选择稍后的时间。", "slot_time"))
            if booking.due_date is not None and slot_date > booking.due_date:
                errors.add(
                    ValidationError(
                        f"上门服务须在 {booking.due_date.isoformat()} 前完成，约定日期不能晚于此。",
                        "slot_date",
                    )
                )
            officer: Officer | None = None
            if booking.kind == "home" and officer_id is not None:
                officer = errors.check(lambda: _goer(session, officer_id), None)
            errors.done()
            before = {"slot": _slot_text(booking, tz)}
            booking.slot_date, booking.slot_at = slot_date, slot_at
            if booking.kind == "home":
                before["assigned_to"] = _badge(session, booking.officer_id)
                booking.officer_id = officer.id if officer is not None else None
            booking.row_version += 1
            session.flush()
            after = {"slot": _slot_text(booking, tz)}
            if booking.kind == "home":
                after["assigned_to"] = officer.badge_no if officer else ""
            audit.record(
                session,
                at=now,
                officer_id=actor.id,
                action="appointment_rescheduled",
                entity_type="appointment",
                entity_id=booking.number,
                before=before,
                after=after,
            )
            return self._rows(session, Appointment.id == booking.id)[0]

    def cancel(
        self, user: SessionUser, appointment_id: int, row_version: int, reason: str
    ) -> AppointmentRow:
        """取消 (the citizen called it off, or came another way), with the reason."""
        text = clean_text(reason, field="reason", label="取消原因", max_len=200)
        return self._close(
            user, appointment_id, row_version, "cancelled", text, "appointment_cancelled"
        )

    def mark_missed(
        self, user: SessionUser, appointment_id: int, row_version: int
    ) -> AppointmentRow:
        """未到: a counter booking whose citizen did not come on the day (from the day itself)."""
        return self._close(
            user, appointment_id, row_version, "missed", "群众未按预约到窗口", "appointment_missed"
        )

    def _close(
        self,
        user: SessionUser,
        appointment_id: int,
        row_version: int,
        state: str,
        reason: str,
        action: str,
    ) -> AppointmentRow:
        with self._writing() as session:
            actor = self._case_worker(session, user)
            booking = _open(session, appointment_id, row_version)
            today = self._today(session)
            if state == "missed":
                if booking.kind != "counter":
                    raise ConflictError("上门服务没有“未到”：未能上门请改约或取消并写明原因。")
                if booking.slot_date > today:
                    raise ConflictError("预约的日子还没到，不能登记未到。")
            now = self._clock.now()
            booking.state, booking.close_reason = state, reason
            booking.closed_at, booking.closed_by_id = now, actor.id
            booking.row_version += 1
            session.flush()
            audit.record(
                session,
                at=now,
                officer_id=actor.id,
                action=action,
                entity_type="appointment",
                entity_id=booking.number,
                after={"state": state, "reason": reason},
            )
            return self._rows(session, Appointment.id == booking.id)[0]


# ---- the steps of booking -------------------------------------------------------------


def _check_form(
    session: Session, new: NewAppointment, today: dt.date, errors: Collector
) -> _Checked:
    """The kind and reason, the citizen (ID, name, phone), the matter, the summary and for a
    home service the address and the area, each checked in the form's order."""
    if new.kind not in KIND_LABELS:
        errors.add(ValidationError("请选择预约到窗口还是上门服务。", "kind"))
    if new.reason not in REASON_LABELS:
        errors.add(ValidationError("请选择预约原因（老年人、残疾人、重病患者等）。", "reason"))
    try:
        id_type = IdType(new.id_type)
    except ValueError:
        errors.add(ValidationError("请选择证件类型。", "id_type"))
        id_type = IdType.RESIDENT
    number = errors.check(lambda: check_id(id_type, new.id_number, today).number, "")
    name = errors.check(lambda: check_citizen_name(id_type, new.citizen_name), "")
    phone = errors.check(lambda: check_phone(new.phone, required=True), "")
    version = errors.check(lambda: _version_of(session, new.service_item_id), None)
    summary = errors.check(
        lambda: clean_text(
            new.summary,
            field="summary",
            label="事由摘要",
            max_len=text_limits.SUMMARY,
            required=False,
        ),
        "",
    )
    address = ""
    if new.kind == "home":
        address = errors.check(
            lambda: clean_text(new.address, field="address", label="上门地址", max_len=ADDRESS_MAX),
            "",
        )
        if new.area not in AREA_LABELS:
            errors.add(ValidationError("请选择城区还是农村（承诺时限不同）。", "area"))
    return _Checked(id_type, number, name, phone, version, summary, address)


def _check_slot(
    new: NewAppointment, tz: ZoneInfo, now: dt.datetime, today: dt.date, errors: Collector
) -> dt.datetime | None:
    """The agreed time (required at the counter): not past, and not too far ahead."""
    slot_at = errors.check(
        lambda: _slot(new.slot_date, new.slot_time, tz, required=new.kind != "home"), None
    )
    if new.slot_date < today:
        errors.add(ValidationError("预约日期不能早于今天。", "slot_date"))
    elif new.slot_date > today + dt.timedelta(days=MAX_DAYS_AHEAD):
        errors.add(ValidationError(f"预约日期最多可约 {MAX_DAYS_AHEAD} 天以内。", "slot_date"))
    elif slot_at is not None and slot_at < now:
        errors.add(ValidationError("预约时间已过，请选择稍后的时间。", "slot_time"))
    return slot_at


def _check_home(
    session: Session, station: Station, new: NewAppointment, today: dt.date, errors: Collector
) -> tuple[Officer | None, dt.date | None]:
    """A home service's officer who will go (optional) and its promise: the date it is due
    in working days (城区 or 农村), which the agreed date may not pass."""
    home = new.kind == "home"
    officer: Officer | None = None
    if home and new.officer_id is not None:
        officer = errors.check(lambda: _goer(session, new.officer_id), None)
    due: dt.date | None = None
    if home and new.area in AREA_LABELS:
        days = station.home_days_town if new.area == "town" else station.home_days_country
        due = load_calendar(session).add_working_days(today, days).due
        if new.slot_date > due:
            errors.add(
                ValidationError(
                    f"上门服务须在 {days} 个工作日内（{due.isoformat()} 前）完成，"
                    "约定日期不能晚于此。",
                    "slot_date",
                )
            )
    return officer, due


def _new_booking(
    session: Session,
    station: Station,
    actor: Officer,
    new: NewAppointment,
    form: _Checked,
    now: dt.datetime,
    today: dt.date,
) -> Appointment:
    """The booking, numbered in its year, stored open (flushed)."""
    assert form.version is not None
    year = today.year
    seq = next_number(session, "appointment", year)
    booking = Appointment(
        number=f"{station.code}-YY-{year}-{seq:05d}",
        year=year,
        seq=seq,
        kind=new.kind,
        reason=new.reason,
        area=new.area if new.kind == "home" else "town",
        citizen_name=form.name,
        id_type=form.id_type.value,
        id_number=form.number,
        phone=form.phone,
        address=form.address,
        service_version_id=form.version.id,
        summary=form.summary,
        slot_date=new.slot_date,
        slot_at=form.slot_at,
        due_date=form.due,
        officer_id=form.officer.id if form.officer is not None else None,
        state=OPEN,
        created_at=now,
        local_date=today,
        created_by_id=actor.id,
        row_version=1,
    )
    session.add(booking)
    session.flush()
    return booking


# ---- helpers --------------------------------------------------------------------------


def _version_of(session: Session, item_id: int | None) -> ServiceItemVersion:
    if item_id is None:
        raise ValidationError("请选择办理事项（可输入名称或拼音首字母查找）。", "service")
    item = session.get(ServiceItem, item_id)
    if item is None or not item.active:
        raise ValidationError("该事项不存在或已停用，请重新选择。", "service")
    return session.scalars(
        select(ServiceItemVersion).where(
            ServiceItemVersion.item_id == item.id,
            ServiceItemVersion.version_no == item.current_version_no,
        )
    ).one()


def _badge(session: Session, officer_id: int | None) -> str:
    officer = session.get(Officer, officer_id) if officer_id is not None else None
    return officer.badge_no if officer is not None else ""
