"""预约服务 and 上门服务: bookings at the counter, and service at the citizen's home.

Elderly, disabled or seriously ill citizens may book a time at the counter (预约) or ask to be
served at home (上门). A counter booking shows on its day's list in time order and, when the
citizen comes, becomes a registered visit (channel 预约) without anything typed again. A
home-service request is due within the station's promise in working days (城区 and 农村 are
settings); the officer who went records the date, the result and the citizen's signature on
site, which registers the finished visit (channel 上门). Requests past their promise show on
the chief's page. Every step is audited; ID numbers, phones and addresses are sealed at rest
and masked on lists (the address shows in full only on the booking itself, for the visit).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, aliased

from app.core import audit, text_limits
from app.core.dto import SessionUser
from app.core.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from app.core.identity import (
    IdType,
    check_citizen_name,
    check_id,
    check_phone,
    mask_id,
    mask_name,
    mask_phone,
)
from app.core.roles import Permission, Role, allows
from app.core.service_base import ServiceBase
from app.core.signatures import content_digest, store_signature
from app.core.validation import Collector, clean_text
from app.holidays.service import load_calendar
from app.notices.dto import SignatureInput
from app.visits.dto import NameChoice, NewVisit, VisitDetail
from app.visits.rules import Channel, VisitStatus
from app.visits.service import VisitService, accept_visit, move_visit, next_number
from db.models import (
    Appointment,
    Officer,
    ServiceItem,
    ServiceItemVersion,
    Station,
    Visit,
)

KIND_LABELS = {"counter": "预约到窗口", "home": "上门服务"}
REASON_LABELS = {
    "elderly": "老年人",
    "disabled": "残疾人",
    "ill": "重病患者",
    "other": "其他特殊困难",
}
AREA_LABELS = {"town": "城区", "country": "农村"}
STATE_LABELS = {
    "booked": "待办理",
    "registered": "已到窗口登记",
    "served": "已上门办结",
    "cancelled": "已取消",
    "missed": "未到",
}
OPEN = "booked"
ADDRESS_MAX = 120
MAX_DAYS_AHEAD = 92  # a booking further out is almost surely a mistyped date
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True, slots=True)
class NewAppointment:
    """What the booking form collects."""

    kind: str  # "counter" or "home"
    reason: str  # a key of REASON_LABELS
    citizen_name: str
    id_type: IdType
    id_number: str
    phone: str
    service_item_id: int | None
    slot_date: dt.date
    slot_time: str = ""  # HH:MM; required at the counter, optional for a home visit
    summary: str = ""
    area: str = "town"  # home service: "town" or "country" (the promise differs)
    address: str = ""  # home service
    officer_id: int | None = None  # home service: who will go (optional at booking)


@dataclass(frozen=True, slots=True)
class AppointmentRow:
    """One booking as lists show it: ID and phone masked, the address only for a home visit."""

    id: int
    number: str
    kind: str
    reason: str
    area: str
    citizen: str  # as the visit lists show it (the officer calls the citizen by name)
    id_masked: str
    phone_masked: str
    address: str  # home service only: the officer must find the house
    matter: str
    summary: str
    slot_date: dt.date
    slot_time: str  # "" when no time is agreed
    due_date: dt.date | None
    officer_id: int | None
    officer_name: str
    state: str
    visit_id: int | None
    visit_serial: str
    result: str
    close_reason: str
    row_version: int
    overdue: bool  # a home service past its promise, or a counter booking whose day passed

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def reason_label(self) -> str:
        return REASON_LABELS.get(self.reason, self.reason)

    @property
    def area_label(self) -> str:
        return AREA_LABELS.get(self.area, self.area) if self.kind == "home" else ""

    @property
    def state_label(self) -> str:
        if self.state == OPEN and self.overdue:
            return "已超期" if self.kind == "home" else "逾期未到"
        return STATE_LABELS.get(self.state, self.state)

    @property
    def when(self) -> str:
        """The slot as a counter reads it: 12月3日 09:30, or the date alone."""
        text = f"{self.slot_date.month}月{self.slot_date.day}日"
        return f"{text} {self.slot_time}" if self.slot_time else text

    @property
    def due_text(self) -> str:
        return self.due_date.isoformat() if self.due_date else ""


class AppointmentService(ServiceBase):
    """Bookings and home-service requests; each use case one transaction with its audit event."""

    # ---- booking ------------------------------------------------------------------------

    def book(self, user: SessionUser, new: NewAppointment) -> AppointmentRow:
        """Book a counter time or take a home-service request; numbered, audited."""
        with self._writing() as session:
            actor = self._case_worker(session, user)
            station = _station(session)
            tz = ZoneInfo(station.timezone)
            now = self._clock.now()
            today = now.astimezone(tz).date()
            errors = Collector()
            if new.kind not in KIND_LABELS:
                errors.add(ValidationError("请选择预约到窗口还是上门服务。", "kind"))
            if new.reason not in REASON_LABELS:
                errors.add(
                    ValidationError("请选择预约原因（老年人、残疾人、重病患者等）。", "reason")
                )
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
            home = new.kind == "home"
            address = ""
            if home:
                address = errors.check(
                    lambda: clean_text(
                        new.address, field="address", label="上门地址", max_len=ADDRESS_MAX
                    ),
                    "",
                )
                if new.area not in AREA_LABELS:
                    errors.add(ValidationError("请选择城区还是农村（承诺时限不同）。", "area"))
            slot_at = errors.check(
                lambda: _slot(new.slot_date, new.slot_time, tz, required=not home), None
            )
            if new.slot_date < today:
                errors.add(ValidationError("预约日期不能早于今天。", "slot_date"))
            elif new.slot_date > today + dt.timedelta(days=MAX_DAYS_AHEAD):
                errors.add(
                    ValidationError(f"预约日期最多可约 {MAX_DAYS_AHEAD} 天以内。", "slot_date")
                )
            elif slot_at is not None and slot_at < now:
                errors.add(ValidationError("预约时间已过，请选择稍后的时间。", "slot_time"))
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
            errors.done()
            assert version is not None
            year = today.year
            seq = next_number(session, "appointment", year)
            booking = Appointment(
                number=f"{station.code}-YY-{year}-{seq:05d}",
                year=year,
                seq=seq,
                kind=new.kind,
                reason=new.reason,
                area=new.area if home else "town",
                citizen_name=name,
                id_type=id_type.value,
                id_number=number,
                phone=phone,
                address=address,
                service_version_id=version.id,
                summary=summary,
                slot_date=new.slot_date,
                slot_at=slot_at,
                due_date=due,
                officer_id=officer.id if officer is not None else None,
                state=OPEN,
                created_at=now,
                local_date=today,
                created_by_id=actor.id,
                row_version=1,
            )
            session.add(booking)
            session.flush()
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
                    "citizen": mask_name(name),
                    "id": mask_id(number),
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
            station = _station(session)
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

    # ---- the day it happens ---------------------------------------------------------------

    def arrive(
        self,
        user: SessionUser,
        appointment_id: int,
        row_version: int,
        name_choice: NameChoice = NameChoice.NONE,
    ) -> VisitDetail:
        """The booked citizen is at the counter: registered from the booking (channel 预约),
        the officer at the counter becomes first-contact officer, in one transaction.

        The ID number registered before under another name raises ``NameDiffers`` as the
        form does; the officer's answer comes back as ``name_choice``."""
        with self._writing() as session:
            booking = _open(session, appointment_id, row_version)
            if booking.kind != "counter":
                raise ConflictError("上门服务在群众家中办理，请用“登记上门结果”。")
            visits = VisitService(self._sessions, self._clock)
            new = _new_visit(session, booking, Channel.APPOINTMENT, name_choice=name_choice)
            visit = visits.register_in(session, user, new)
            now = self._clock.now()
            booking.state, booking.visit_id = "registered", visit.id
            booking.closed_at, booking.closed_by_id = now, visit.first_officer_id
            booking.row_version += 1
            session.flush()
            audit.record(
                session,
                at=now,
                officer_id=visit.first_officer_id,
                action="appointment_arrived",
                entity_type="appointment",
                entity_id=booking.number,
                after={"serial": visit.serial},
            )
            return visits.detail_in(session, visit)

    def serve(
        self,
        user: SessionUser,
        appointment_id: int,
        row_version: int,
        served_at: dt.datetime,
        result: str,
        signature: SignatureInput | None,
        no_signature_reason: str = "",
        name_choice: NameChoice = NameChoice.NONE,
    ) -> AppointmentRow:
        """Record a home service done: when, what was done, and the citizen's signature on
        site (or why there is none). Registers the visit (channel 上门) by the officer who
        went, finished with the result, in one transaction."""
        text = clean_text(result, field="result", label="办理结果", max_len=text_limits.NOTE)
        if served_at.tzinfo is None:
            raise ValidationError("上门时间缺少时区。", "served_at")
        with self._writing() as session:
            booking = _open(session, appointment_id, row_version)
            if booking.kind != "home":
                raise ConflictError("预约到窗口的群众来了请用“到达登记”。")
            actor = self._case_worker(session, user)
            now = self._clock.now()
            if served_at > now + dt.timedelta(minutes=1):
                raise ValidationError("上门时间不能晚于现在。", "served_at")
            if served_at < booking.created_at:
                raise ValidationError("上门时间不能早于群众提出申请的时间。", "served_at")
            why = ""
            if signature is None:
                why = clean_text(
                    no_signature_reason,
                    field="signature",
                    label="未签字原因",
                    max_len=200,
                    required=False,
                )
                if not why:
                    raise ValidationError(
                        "请群众在签字板上签字确认；群众无法签字的，请写明原因（如病重无法书写）。",
                        "signature",
                    )
            elif not any(len(s) >= 2 for s in signature.strokes) or not signature.png.startswith(
                PNG_MAGIC
            ):
                raise ValidationError("请群众在签字板上签名确认。", "signature")
            visits = VisitService(self._sessions, self._clock)
            new = _new_visit(
                session, booking, Channel.HOME, arrived_at=served_at, name_choice=name_choice
            )
            visit = visits.register_in(session, user, new)
            visit.arrived_by_hand = True
            visit.started_at, visit.started_by_hand = served_at, True
            accept_visit(session, actor, visit, now)
            visit.result = text
            move_visit(session, actor, visit, VisitStatus.COMPLETED, text, now)
            booking.state, booking.visit_id = "served", visit.id
            booking.served_at, booking.result = served_at, text
            booking.close_reason = why
            booking.closed_at, booking.closed_by_id = now, actor.id
            if booking.officer_id is None:
                booking.officer_id = actor.id
            booking.row_version += 1
            session.flush()
            signed = ""
            if signature is not None:
                signed = _sign(session, booking, visit, signature, now)
            tz = ZoneInfo(_station(session).timezone)
            audit.record(
                session,
                at=now,
                officer_id=actor.id,
                action="appointment_served",
                entity_type="appointment",
                entity_id=booking.number,
                after={
                    "serial": visit.serial,
                    "served_at": served_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                    "result": text,
                    **({"signature": signed} if signed else {"reason": why}),
                },
            )
            return self._rows(session, Appointment.id == booking.id)[0]

    # ---- lists -----------------------------------------------------------------------------

    def day(self, user: SessionUser, day: dt.date | None = None) -> list[AppointmentRow]:
        """A day's bookings and home visits in time order (those without a time last)."""
        with self._sessions() as session:
            self._reader(session, user)
            when = day or self._today(session)
            return self._rows(session, Appointment.slot_date == when)

    def open_home(self, user: SessionUser) -> list[AppointmentRow]:
        """Home-service requests not yet served, the most urgent first."""
        with self._sessions() as session:
            self._reader(session, user)
            return self._rows(
                session,
                and_(Appointment.state == OPEN, Appointment.kind == "home"),
                by_due=True,
            )

    def overdue(self, user: SessionUser) -> list[AppointmentRow]:
        """What the chief must chase: home services past their promise, still not served."""
        with self._sessions() as session:
            self._reader(session, user)
            today = self._today(session)
            return self._rows(
                session,
                and_(
                    Appointment.state == OPEN,
                    Appointment.kind == "home",
                    Appointment.due_date < today,
                ),
                by_due=True,
            )

    def listing(
        self, user: SessionUser, start: dt.date, end: dt.date, open_only: bool = False
    ) -> list[AppointmentRow]:
        """Bookings whose day falls in a period (at most a year), in time order; ``open_only``:
        every booking still to be done up to ``end``, also those whose day has passed (a
        home service past its promise, a counter booking nobody marked 未到)."""
        if end < start:
            raise ValidationError("结束日期不能早于开始日期。", "end")
        if (end - start).days > 366:
            raise ValidationError("一次最多查看一年的预约。", "end")
        with self._sessions() as session:
            self._reader(session, user)
            if open_only:
                where = and_(Appointment.state == OPEN, Appointment.slot_date <= end)
            else:
                where = and_(Appointment.slot_date >= start, Appointment.slot_date <= end)
            return self._rows(session, where)

    def get(self, user: SessionUser, appointment_id: int) -> AppointmentRow:
        with self._sessions() as session:
            self._reader(session, user)
            rows = self._rows(session, Appointment.id == appointment_id)
            if not rows:
                raise NotFound("找不到该预约记录。")
            return rows[0]

    def goers(self, user: SessionUser) -> list[tuple[int, str]]:
        """Officers who may be sent to a home: active, handling visits."""
        with self._sessions() as session:
            self._reader(session, user)
            rows = session.execute(
                select(Officer.id, Officer.name, Officer.badge_no, Officer.role)
                .where(Officer.active.is_(True))
                .order_by(Officer.badge_no)
            )
            return [
                (i, f"{name}（{badge}）")
                for i, name, badge, role in rows
                if allows(Role(role), Permission.HANDLE_VISITS)
            ]

    def promise_days(self) -> tuple[int, int]:
        """The home-service promise in working days: in town, in the countryside."""
        with self._sessions() as session:
            station = _station(session)
            return station.home_days_town, station.home_days_country

    # ---- inside --------------------------------------------------------------------------

    def _case_worker(self, session: Session, user: SessionUser) -> Officer:
        return self._require(session, user, Permission.HANDLE_VISITS)

    def _reader(self, session: Session, user: SessionUser) -> Officer:
        officer = self._officer(session, user)
        role = Role(officer.role)
        if allows(role, Permission.HANDLE_VISITS) or allows(role, Permission.VIEW_ALL_VISITS):
            return officer
        raise PermissionDenied(f"{role.label}不办理预约和上门服务。")

    def _today(self, session: Session) -> dt.date:
        return self._clock.now().astimezone(ZoneInfo(_station(session).timezone)).date()

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

    def _rows(self, session: Session, where: object, by_due: bool = False) -> list[AppointmentRow]:
        """The rows matching ``where`` in one query (matter, officer and visit joined)."""
        station = _station(session)
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


def _station(session: Session) -> Station:
    station = session.get(Station, 1)
    if station is None:
        raise NotFound("本数据库尚未初始化，请先完成首次设置。")
    return station


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


def _badge(session: Session, officer_id: int | None) -> str:
    officer = session.get(Officer, officer_id) if officer_id is not None else None
    return officer.badge_no if officer is not None else ""


def _open(session: Session, appointment_id: int, row_version: int) -> Appointment:
    booking = session.get(Appointment, appointment_id)
    if booking is None:
        raise NotFound("找不到该预约记录。")
    if booking.state != OPEN:
        raise ConflictError(f"该预约{STATE_LABELS.get(booking.state, booking.state)}，不能再办理。")
    if booking.row_version != row_version:
        raise ConflictError("该预约刚被其他窗口修改过，已为您刷新，请核对后重试。")
    return booking


def _new_visit(
    session: Session,
    booking: Appointment,
    channel: Channel,
    arrived_at: dt.datetime | None = None,
    name_choice: NameChoice = NameChoice.NONE,
) -> NewVisit:
    version = session.get(ServiceItemVersion, booking.service_version_id)
    assert version is not None
    summary = booking.summary or f"{KIND_LABELS[booking.kind]}（{booking.number}）"
    return NewVisit(
        citizen_name=booking.citizen_name,
        id_type=IdType(booking.id_type),
        id_number=booking.id_number,
        phone=booking.phone,
        service_item_id=version.item_id,
        channel=channel,
        summary=summary,
        arrived_at=arrived_at,
        arrived_by_hand=arrived_at is not None,
        name_choice=name_choice,
    )


def _sign(
    session: Session, booking: Appointment, visit: Visit, given: SignatureInput, now: dt.datetime
) -> str:
    """The citizen's signature on the home-service record, bound to what was recorded."""
    signer = clean_text(
        given.signer_name, field="signer", label="签名人", max_len=text_limits.SIGNER
    )
    return store_signature(
        session,
        document_type="appointment",
        document_id=booking.id,
        signer_name=signer,
        signed_at=now,
        content_sha256=home_service_content_sha256(booking, visit.serial),
        strokes=given.strokes,
        png=given.png,
    )


def home_service_content_sha256(booking: Appointment, serial: str) -> str:
    """What the citizen signs on site: the booking, the visit it became, the result, when
    (checked again by ``stationdesk check``)."""
    served = booking.served_at.astimezone(dt.UTC).isoformat() if booking.served_at else ""
    return content_digest([booking.number, serial, booking.result, served])
