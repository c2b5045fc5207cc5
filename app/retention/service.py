"""保存期限: citizens' contact data removed once its purpose is spent (PIPL art. 19, 47).

What is removed, and when (the station sets the years; the defaults and their sources are in
README.md, 数据保护):

- the ID number and phone of a finished matter, the phone of a closed complaint, and the
  citizen's signature images on that matter's notices and ratings, ``retain_contact_years``
  after the matter ended (default 3: longer than the two years in which a citizen may claim
  state compensation, 《国家赔偿法》第三十九条, and the six months for an administrative suit,
  《行政诉讼法》第四十六条);
- nothing of a day the chief has not reviewed, and nothing of a matter still open;
- never the record itself: the visit, its serial, matter, times, officers, status, rating
  levels and the signed ledger stay, so every count and statistic stays as it was. The name
  stays with the ledger archive (its period is the archive's, 国家档案局令第8号).

Each run is one audit event with what it cleared; a purged signature keeps its hash, so a
check can tell a purged image from a swapped one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.orm import Session

from app.core import audit
from app.core.dto import SessionUser
from app.core.roles import Permission
from app.core.service_base import ServiceBase, load_station
from app.visits.queries import is_open
from db.models import (
    Appointment,
    Complaint,
    DayReview,
    Notice,
    Rating,
    Signature,
    Visit,
)

CHUNK = 2000
PURGE_ACTION = "personal_data_purged"


@dataclass(frozen=True, slots=True)
class PurgeCounts:
    """What a purge clears (or cleared): the cut-off and how many records of each kind."""

    ended_before: dt.date
    visits: int
    complaints: int
    signatures: int
    bookings: int = 0  # 预约/上门 closed before the cut-off: ID number, phone, address

    @property
    def total(self) -> int:
        """All records touched."""
        return self.visits + self.complaints + self.signatures + self.bookings

    def sentence(self) -> str:
        """The counts as the chief reads them."""
        if not self.total:
            return "没有超过保存期限的个人信息需要清理。"
        return (
            f"{self.ended_before.isoformat()} 以前办结的事项：登记 {self.visits} 件的"
            f"身份证号码和电话、投诉 {self.complaints} 件的联系电话、"
            f"群众签名 {self.signatures} 个"
            + (f"、预约（上门）{self.bookings} 件的证件号码、电话和地址" if self.bookings else "")
            + "。"
        )


def years_before(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` earlier (29 February becomes the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


class RetentionService(ServiceBase):
    """Removes citizens' contact data past its retention period; counts stay."""

    def plan(self, user: SessionUser) -> PurgeCounts:
        """What a purge run now would clear."""
        with self._sessions.begin() as session:
            self._require(session, user, Permission.EDIT_SETTINGS)
            return self._run(session, write=False)

    def purge(self, user: SessionUser) -> PurgeCounts:
        """Clear what is past retention, audited as one event."""
        with self._writing() as session:
            actor = self._require(session, user, Permission.EDIT_SETTINGS)
            counts = self._run(session, write=True)
            if counts.total:
                station = load_station(session)
                audit.record(
                    session,
                    at=self._clock.now(),
                    officer_id=actor.id,
                    action=PURGE_ACTION,
                    entity_type="station",
                    entity_id=1,
                    after={
                        "ended_before": counts.ended_before.isoformat(),
                        "retain_years": station.retain_contact_years,
                        "visits": counts.visits,
                        "complaints": counts.complaints,
                        "signatures": counts.signatures,
                        "bookings": counts.bookings,
                    },
                )
            return counts

    def _run(self, session: Session, *, write: bool) -> PurgeCounts:
        cutoff_day, cutoff = self._cutoff(session)
        visit_ids = _visits_past(session, cutoff_day, cutoff)
        signature_ids = self._signatures(session, cutoff_day, cutoff)
        complaint_ids = _complaints_past(session, cutoff)
        booking_ids = _bookings_past(session, cutoff)
        signature_ids += _booking_signatures_past(session, cutoff)
        if write:
            _clear_bookings(session, booking_ids)
            _clear_visits(session, visit_ids)
            _clear_complaints(session, complaint_ids)
            _clear_signatures(session, signature_ids)
        return PurgeCounts(
            cutoff_day, len(visit_ids), len(complaint_ids), len(signature_ids), len(booking_ids)
        )

    def _cutoff(self, session: Session) -> tuple[dt.date, dt.datetime]:
        """The first day still kept (``retain_contact_years`` before today, station time) and
        its start as a moment."""
        station = load_station(session)
        tz = ZoneInfo(station.timezone)
        today = self._clock.now().astimezone(tz).date()
        cutoff_day = years_before(today, station.retain_contact_years)
        return cutoff_day, dt.datetime.combine(cutoff_day, dt.time(), tz)

    @staticmethod
    def _signatures(session: Session, cutoff_day: dt.date, cutoff: dt.datetime) -> list[int]:
        """Citizens' signatures on the notices and ratings of matters past retention."""
        past = and_(
            Visit.local_date < cutoff_day,
            ~is_open(),
            or_(Visit.ended_at.is_(None), Visit.ended_at < cutoff),
            exists().where(DayReview.day == Visit.local_date),
        )
        ids: list[int] = []
        for document_type, model in (("notice", Notice), ("rating", Rating)):
            ids += session.scalars(
                select(Signature.id)
                .join(model, model.id == Signature.document_id)
                .join(Visit, Visit.id == model.visit_id)
                .where(Signature.document_type == document_type, Signature.png != b"", past)
            )
        return sorted(ids)


def _visits_past(session: Session, cutoff_day: dt.date, cutoff: dt.datetime) -> list[int]:
    """Finished, reviewed matters ended before the cut-off that still hold an ID number or
    phone."""
    reviewed = exists().where(DayReview.day == Visit.local_date)
    return list(
        session.scalars(
            select(Visit.id)
            .where(
                Visit.local_date < cutoff_day,
                ~is_open(),
                or_(Visit.ended_at.is_(None), Visit.ended_at < cutoff),
                or_(Visit.id_number != "", Visit.phone != ""),
                reviewed,
            )
            .order_by(Visit.id)
        )
    )


def _complaints_past(session: Session, cutoff: dt.datetime) -> list[int]:
    """Complaints closed before the cut-off that still hold the complainant's phone."""
    return list(
        session.scalars(
            select(Complaint.id).where(
                Complaint.state == "closed",
                Complaint.closed_at < cutoff,
                Complaint.complainant_phone != "",
            )
        )
    )


def _bookings_past(session: Session, cutoff: dt.datetime) -> list[int]:
    """Bookings closed before the cut-off that still hold an ID number, phone or address."""
    return list(
        session.scalars(
            select(Appointment.id).where(
                Appointment.state != "booked",
                Appointment.closed_at < cutoff,
                or_(
                    Appointment.id_number != "",
                    Appointment.phone != "",
                    Appointment.address != "",
                ),
            )
        )
    )


def _booking_signatures_past(session: Session, cutoff: dt.datetime) -> list[int]:
    """Citizens' signatures on bookings closed before the cut-off."""
    return list(
        session.scalars(
            select(Signature.id)
            .join(Appointment, Appointment.id == Signature.document_id)
            .where(
                Signature.document_type == "appointment",
                Signature.png != b"",
                Appointment.closed_at < cutoff,
            )
        )
    )


def _clear_bookings(session: Session, booking_ids: list[int]) -> None:
    for start in range(0, len(booking_ids), CHUNK):
        chunk = booking_ids[start : start + CHUNK]
        session.execute(
            update(Appointment)
            .where(Appointment.id.in_(chunk))
            .values(
                id_number="",
                phone="",
                address="",
                id_number_hash="",
                phone_hash="",
                phone_tail="",
            )
            .execution_options(synchronize_session=False)
        )
        audit.touch(session, "appointments", chunk)


def _clear_visits(session: Session, visit_ids: list[int]) -> None:
    for start in range(0, len(visit_ids), CHUNK):
        chunk = visit_ids[start : start + CHUNK]
        session.execute(
            update(Visit)
            .where(Visit.id.in_(chunk))
            .values(id_number="", phone="", id_number_hash="", phone_hash="", phone_tail="")
            .execution_options(synchronize_session=False)
        )
        audit.touch(session, "visits", chunk)


def _clear_complaints(session: Session, complaint_ids: list[int]) -> None:
    for start in range(0, len(complaint_ids), CHUNK):
        session.execute(
            update(Complaint)
            .where(Complaint.id.in_(complaint_ids[start : start + CHUNK]))
            .values(complainant_phone="")
            .execution_options(synchronize_session=False)
        )
        audit.touch(session, "complaints", complaint_ids[start : start + CHUNK])


def _clear_signatures(session: Session, signature_ids: list[int]) -> None:
    for start in range(0, len(signature_ids), CHUNK):
        session.execute(
            update(Signature)
            .where(Signature.id.in_(signature_ids[start : start + CHUNK]))
            .values(strokes_json="", png=b"")
            .execution_options(synchronize_session=False)
        )
        audit.touch(session, "signatures", signature_ids[start : start + CHUNK])
