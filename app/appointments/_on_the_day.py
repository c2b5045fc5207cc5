"""The day it happens: the booked citizen at the counter registered from the booking, or the
home service done on site, recorded with the citizen's signature."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from app.appointments._base import AppointmentBase, _open
from app.appointments.dto import KIND_LABELS, AppointmentRow
from app.core import audit, text_limits
from app.core.dto import SessionUser
from app.core.errors import ConflictError, ValidationError
from app.core.identity import IdType
from app.core.service_base import load_station
from app.core.signatures import content_digest, store_signature
from app.core.validation import clean_text
from app.notices.dto import SignatureInput
from app.visits.dto import NameChoice, NewVisit, VisitDetail
from app.visits.rules import Channel, VisitStatus
from app.visits.service import VisitService, accept_visit, move_visit
from db.models import Appointment, Officer, ServiceItemVersion, Visit

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class OnTheDay(AppointmentBase):
    """A counter booking's arrival and a home service's record."""

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
            why = _check_service(booking, served_at, now, signature, no_signature_reason)
            visit = self._register_served(
                session, user, actor, booking, served_at, text, now, name_choice
            )
            _close_served(booking, actor, visit, served_at, text, why, now)
            session.flush()
            signed = ""
            if signature is not None:
                signed = _sign(session, booking, visit, signature, now)
            tz = ZoneInfo(load_station(session).timezone)
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

    def _register_served(
        self,
        session: Session,
        user: SessionUser,
        actor: Officer,
        booking: Appointment,
        served_at: dt.datetime,
        result: str,
        now: dt.datetime,
        name_choice: NameChoice,
    ) -> Visit:
        """The visit (channel 上门) registered by the officer who went, as arrived and started
        when served, accepted and finished with the result."""
        visits = VisitService(self._sessions, self._clock)
        new = _new_visit(
            session, booking, Channel.HOME, arrived_at=served_at, name_choice=name_choice
        )
        visit = visits.register_in(session, user, new)
        visit.arrived_by_hand = True
        visit.started_at, visit.started_by_hand = served_at, True
        accept_visit(session, actor, visit, now)
        visit.result = result
        move_visit(session, actor, visit, VisitStatus.COMPLETED, result, now)
        return visit


# ---- the steps of a home service ------------------------------------------------------


def _check_service(
    booking: Appointment,
    served_at: dt.datetime,
    now: dt.datetime,
    signature: SignatureInput | None,
    no_signature_reason: str,
) -> str:
    """When it was served (not in the future, not before the request), and the citizen's
    signature with strokes or why there is none; returns that reason ("" when signed)."""
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
    elif not any(len(s) >= 2 for s in signature.strokes) or not signature.png.startswith(PNG_MAGIC):
        raise ValidationError("请群众在签字板上签名确认。", "signature")
    return why


def _close_served(
    booking: Appointment,
    actor: Officer,
    visit: Visit,
    served_at: dt.datetime,
    result: str,
    why: str,
    now: dt.datetime,
) -> None:
    """The booking served by ``actor`` (who goes on record as the officer who went)."""
    booking.state, booking.visit_id = "served", visit.id
    booking.served_at, booking.result = served_at, result
    booking.close_reason = why
    booking.closed_at, booking.closed_by_id = now, actor.id
    if booking.officer_id is None:
        booking.officer_id = actor.id
    booking.row_version += 1


# ---- helpers --------------------------------------------------------------------------


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
