"""The lists: a day's bookings, the open and overdue home services, a period's bookings, one
booking, the officers who may go and the home-service promise."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, select

from app.appointments._base import AppointmentBase
from app.appointments.dto import OPEN, AppointmentRow
from app.core.dto import SessionUser
from app.core.errors import NotFound, ValidationError
from app.core.roles import Permission, Role, allows
from app.core.service_base import load_station
from db.models import Appointment, Officer


class Lists(AppointmentBase):
    """Reading bookings and what the booking form offers."""

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
            station = load_station(session)
            return station.home_days_town, station.home_days_country
