"""Bookings: counter times and home visits asked for, kept, missed or served."""

from __future__ import annotations

import datetime as dt

from app.core.identity import IdType
from app.demo._base import HistoryBase, signature_png
from app.demo._station import TZ
from app.notices.dto import SignatureInput


class Bookings(HistoryBase):
    """The elderly or ill who book ahead, and the bookings of each day worked through."""

    def book_ahead(self, day: dt.date) -> None:
        """Now and then an elderly or ill citizen books a counter time, or asks for a visit."""
        from app.appointments.service import NewAppointment

        rng = self.booking_rng
        if day.weekday() >= 5 or rng.random() > 0.35:
            return

        user = rng.choice(self.police)
        name, number, phone = self.person()
        home = rng.random() < 0.3
        code = (
            rng.choice(("HJ-SW", "SFZ-SL", "SFZ-HL"))
            if home
            else rng.choice(("SFZ-HL", "ZM-WFZ", "HJ-QC", "JZZ-SL"))
        )
        item = self.items.get(code) or next(iter(self.items.values()))
        ahead = rng.randint(1, 4)
        self.s.appointments.book(
            user,
            NewAppointment(
                kind="home" if home else "counter",
                reason=rng.choice(("elderly", "elderly", "disabled", "ill")),
                citizen_name=name,
                id_type=IdType.RESIDENT,
                id_number=number,
                phone=phone,
                service_item_id=item.item_id,
                slot_date=self.s.holidays.calendar().add_working_days(day, ahead).due,
                slot_time=""
                if home
                else f"{rng.choice((9, 10, 14, 15))}:{rng.choice(('00', '30'))}",
                summary="行动不便，家属陪同" if not home else "卧床，申请上门办理",
                area=rng.choice(("town", "town", "country")),
                address=f"{rng.choice(('和平路', '解放街', '李家村'))}{rng.randint(1, 80)}号"
                if home
                else "",
            ),
        )

    def book_today(self) -> None:
        """Today's list has bookings still to come, whenever the demo is made."""
        from app.appointments.service import NewAppointment

        day = self.last_day
        for hour, minute in ((15, 30), (16, 0)):
            slot = dt.datetime.combine(day, dt.time(hour, minute), TZ)
            if slot <= self.clock.now():
                continue
            name, number, phone = self.person()
            self.s.appointments.book(
                self.police[0],
                NewAppointment(
                    kind="counter",
                    reason="elderly",
                    citizen_name=name,
                    id_type=IdType.RESIDENT,
                    id_number=number,
                    phone=phone,
                    service_item_id=self.items["SFZ-HL"].item_id,
                    slot_date=day,
                    slot_time=f"{hour}:{minute:02d}",
                    summary="老人换领身份证，子女陪同",
                ),
            )

    def appointments(self, day: dt.date) -> None:
        """The day's bookings: the citizens who came were registered and served; home visits
        due soon were made in the afternoon, with the citizen's signature (one request of the
        history is left unserved, past its promise, for the chief's banner)."""
        rng = self.booking_rng
        for row in self.s.appointments.day(self.chief, day):
            if row.state != "booked" or row.kind != "counter":
                continue
            user = rng.choice(self.police)
            if rng.random() < 0.1:
                self.s.appointments.mark_missed(user, row.id, row.row_version)
                continue
            detail = self.s.appointments.arrive(user, row.id, row.row_version)
            self.s.visits.complete_on_the_spot(
                user, detail.row.id, detail.row.row_version, "按预约当场办结"
            )
        for row in self.s.appointments.open_home(self.chief):
            if row.due_date is None or row.slot_date > day:
                continue
            if self.unserved in (None, row.id):
                self.unserved = row.id  # nobody went: it shows as overdue on the chief's page
                continue
            goer = next((u for u in self.police if u.officer_id == row.officer_id), None)
            user = goer or rng.choice(self.police)
            strokes = (((20.0, 60.0, 0.5), (80.0, 30.0, 0.6), (140.0, 70.0, 0.5)),)
            self.s.appointments.serve(
                user,
                row.id,
                row.row_version,
                self.clock.now() - dt.timedelta(minutes=rng.randint(30, 120)),
                "上门办理完毕，群众当面确认",
                SignatureInput(row.citizen, strokes, signature_png(strokes), ""),
            )
