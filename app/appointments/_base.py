"""What every appointment use case shares: who may book or read, the station's day, bookings
as rows, the open booking by its version, the slot and the officer who goes."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from app.appointments.dto import OPEN, STATE_LABELS, AppointmentRow
from app.core.dto import SessionUser
from app.core.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from app.core.identity import mask_id, mask_phone
from app.core.roles import Permission, Role, allows
from app.core.service_base import ServiceBase, load_station
from app.core.validation import clean_text
from db.models import Appointment, Officer, ServiceItemVersion, Visit

_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class AppointmentBase(ServiceBase):
    """The internals every part of ``AppointmentService`` uses."""

    def _case_worker(self, session: Session, user: SessionUser) -> Officer:
        return self._require(session, user, Permission.HANDLE_VISITS)

    def _reader(self, session: Session, user: SessionUser) -> Officer:
        officer = self._officer(session, user)
        role = Role(officer.role)
        if allows(role, Permission.HANDLE_VISITS) or allows(role, Permission.VIEW_ALL_VISITS):
            return officer
        raise PermissionDenied(f"{role.label}不办理预约和上门服务。")

    def _today(self, session: Session) -> dt.date:
        return self._clock.now().astimezone(ZoneInfo(load_station(session).timezone)).date()

    def _rows(self, session: Session, where: object, by_due: bool = False) -> list[AppointmentRow]:
        """The rows matching ``where`` in one query (matter, officer and visit joined)."""
        station = load_station(session)
        tz = ZoneInfo(station.timezone)
        today = self._clock.now().astimezone(tz).date()
        goer = aliased(Officer)
        query = (
            select(Appointment, ServiceItemVersion.name, goer.name, Visit.serial)
            .join(ServiceItemVersion, ServiceItemVersion.id == Appointment.service_version_id)
            .outerjoin(goer, goer.id == Appointment.officer_id)
            .outerjoin(Visit, Visit.id == Appointment.visit_id)
            .where(where)  # type: ignore[arg-type]
        )
        if by_due:
            query = query.order_by(Appointment.due_date, Appointment.id)
        else:
            query = query.order_by(
                Appointment.slot_date,
                Appointment.slot_at.is_(None),
                Appointment.slot_at,
                Appointment.id,
            )
        rows = []
        for booking, matter, goer_name, serial in session.execute(query):
            rows.append(_row(booking, matter, goer_name or "", serial or "", tz, today))
        return rows


def _row(
    b: Appointment, matter: str, goer: str, serial: str, tz: ZoneInfo, today: dt.date
) -> AppointmentRow:
    late = b.state == OPEN and (
        (b.kind == "home" and b.due_date is not None and b.due_date < today)
        or (b.kind == "counter" and b.slot_date < today)
    )
    return AppointmentRow(
        id=b.id,
        number=b.number,
        kind=b.kind,
        reason=b.reason,
        area=b.area,
        citizen=b.citizen_name,
        id_masked=mask_id(b.id_number) if b.id_number else "",
        phone_masked=mask_phone(b.phone) if b.phone else "",
        address=b.address if b.kind == "home" else "",
        matter=matter,
        summary=b.summary,
        slot_date=b.slot_date,
        slot_time=b.slot_at.astimezone(tz).strftime("%H:%M") if b.slot_at else "",
        due_date=b.due_date,
        officer_id=b.officer_id,
        officer_name=goer,
        state=b.state,
        visit_id=b.visit_id,
        visit_serial=serial,
        result=b.result,
        close_reason=b.close_reason,
        row_version=b.row_version,
        overdue=late,
    )


def _slot(day: dt.date, time: str, tz: ZoneInfo, required: bool) -> dt.datetime | None:
    text = clean_text(time, field="slot_time", label="预约时间", max_len=5, required=False)
    if not text:
        if required:
            raise ValidationError("请填写预约时间（如 09:30）。", "slot_time")
        return None
    match = _TIME.match(text)
    if match is None:
        raise ValidationError("预约时间请按“时:分”填写，如 09:30。", "slot_time")
    local = dt.datetime(day.year, day.month, day.day, int(match[1]), int(match[2]), tzinfo=tz)
    return local.astimezone(dt.UTC)


def _slot_text(b: Appointment, tz: ZoneInfo) -> str:
    if b.slot_at is None:
        return b.slot_date.isoformat()
    return b.slot_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _goer(session: Session, officer_id: int | None) -> Officer:
    officer = session.get(Officer, officer_id) if officer_id is not None else None
    if (
        officer is None
        or not officer.active
        or not allows(Role(officer.role), Permission.HANDLE_VISITS)
    ):
        raise ValidationError("请选择在岗、办理窗口事项的民警上门。", "officer")
    return officer


def _open(session: Session, appointment_id: int, row_version: int) -> Appointment:
    booking = session.get(Appointment, appointment_id)
    if booking is None:
        raise NotFound("找不到该预约记录。")
    if booking.state != OPEN:
        raise ConflictError(f"该预约{STATE_LABELS.get(booking.state, booking.state)}，不能再办理。")
    if booking.row_version != row_version:
        raise ConflictError("该预约刚被其他窗口修改过，已为您刷新，请核对后重试。")
    return booking
