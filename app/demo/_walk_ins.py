"""The day's walk-ins: arrival, queue, the time at a window, what the officer did, and each
matter's course over the following days (handovers, completion)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from app.core.dto import SessionUser
from app.core.identity import IdType
from app.demo._notices import Notices
from app.demo._ratings import Ratings
from app.demo._station import DEMO_STATION
from app.visits.dto import NewVisit
from app.visits.refusal import COMMON_BASIS
from app.visits.rules import Channel, VisitStatus

CHANNEL_WEIGHTS = (
    (Channel.WINDOW, 80),
    (Channel.APPOINTMENT, 12),
    (Channel.PHONE, 6),
    (Channel.HOME, 2),
)
# Matter codes and how often they come to the counter.
MATTER_WEIGHTS = (
    ("SFZ-SL", 10), ("SFZ-HL", 14), ("SFZ-BL", 8), ("SFZ-LS", 5), ("HJ-CS", 6), ("HJ-SW", 3),
    ("HJ-QR-TK", 3), ("HJ-QR-GF", 3), ("HJ-QR-RC", 2), ("HJ-QC", 3), ("HJ-BG", 3),
    ("JZZ-SL", 6), ("JZZ-QZ", 5), ("JZ-DJ", 6), ("ZM-WFZ", 8), ("ZM-QSGX", 3), ("ZM-ZXHK", 2),
    ("ZX-ZC", 12), ("ZH-SWJC", 2), ("ZH-SWRL", 1), ("BA-SL", 3),
)  # fmt: skip
GUIDE_TO = (
    ("示例市人力资源和社会保障局城南服务中心", "示例市城南区解放路 12 号", "0571-12333"),
    ("示例市出入境接待大厅", "示例市市民中心 B 座 2 楼", "0571-87280000"),
    ("城南区民政局婚姻登记处", "示例市城南区文化路 7 号", "0571-86005678"),
)


# Minutes at the counter per matter (low, usual, high): a consultation is quick, a household
# registration with its forms and checks takes a quarter of an hour.
SERVICE_MINUTES: dict[str, tuple[float, float, float]] = {
    "SFZ-SL": (6, 10, 18), "SFZ-HL": (4, 7, 12), "SFZ-BL": (5, 8, 14), "SFZ-LS": (3, 5, 8),
    "HJ-CS": (10, 14, 20), "HJ-SW": (8, 12, 18), "HJ-QR-TK": (10, 15, 20),
    "HJ-QR-GF": (10, 15, 20), "HJ-QR-RC": (10, 15, 20), "HJ-QC": (8, 12, 18),
    "HJ-BG": (8, 12, 18), "JZZ-SL": (5, 8, 14), "JZZ-QZ": (3, 5, 9), "JZ-DJ": (4, 7, 12),
    "ZM-WFZ": (3, 6, 10), "ZM-QSGX": (5, 9, 15), "ZM-ZXHK": (5, 8, 14), "ZX-ZC": (2, 3, 6),
    "ZH-SWJC": (5, 10, 18), "ZH-SWRL": (5, 10, 18), "BA-SL": (8, 14, 20),
}  # fmt: skip
# Saturday mornings are for ID cards only (DEMO_STATION.hours).
SATURDAY_MATTERS = ("SFZ-SL", "SFZ-HL", "SFZ-BL", "SFZ-LS")
LAST_ARRIVAL = dt.timedelta(minutes=25)  # the last tickets before a session closes
SERVED_BY = dt.timedelta(minutes=3)  # the last citizen is served by this before closing


class WalkIns(Notices, Ratings):
    """Citizens at the counter and what becomes of their matters."""

    def moment_in(self, sessions: list[tuple[dt.datetime, dt.datetime]]) -> dt.datetime:
        """A random moment while the counter is open."""
        start, close = self.rng.choice(sessions)
        span = (close - start - LAST_ARRIVAL).total_seconds()
        return start + dt.timedelta(seconds=self.rng.uniform(0, span))

    def arrival(self, sessions: list[tuple[dt.datetime, dt.datetime]]) -> dt.datetime:
        """Busier mornings: most citizens come between nine and half past ten."""
        start, close = (
            sessions[0] if self.rng.random() < 0.62 or len(sessions) == 1 else sessions[1]
        )
        span = (close - start - LAST_ARRIVAL).total_seconds() / 60
        peak = 50.0 if start.hour < 12 else 40.0
        minutes = self.rng.triangular(0, span, min(peak, span))
        return start + dt.timedelta(minutes=minutes, seconds=self.rng.randrange(60))

    def waiting_minutes(self, arrival: dt.datetime, workday: bool) -> float:
        """The queue: longest in the morning rush and on Saturdays."""
        if not workday:
            return self.rng.triangular(3, 25, 10)
        if arrival.hour < 10 or (arrival.hour == 10 and arrival.minute < 30):
            return self.rng.triangular(3, 25, 12)
        if arrival.hour < 12:
            return self.rng.triangular(2, 20, 7)
        return self.rng.triangular(1, 15, 4)

    def plan_walk_in(
        self,
        day: dt.date,
        arrival: dt.datetime,
        sessions: list[tuple[dt.datetime, dt.datetime]],
        workday: bool,
        add: Callable[[dt.datetime, Callable[[], None]], None],
    ) -> None:
        """A citizen's arrival, wait and time at a window, planned as the day's events."""
        if workday:
            code = self.rng.choices([c for c, _ in MATTER_WEIGHTS], [w for _, w in MATTER_WEIGHTS])[
                0
            ]
        else:
            code = self.rng.choice(SATURDAY_MATTERS)
        close = next(c for s, c in sessions if s <= arrival < c)
        low, usual, high = SERVICE_MINUTES.get(code, (3, 8, 15))
        served = dt.timedelta(minutes=self.rng.triangular(low, high, usual))
        ready = arrival + dt.timedelta(minutes=self.waiting_minutes(arrival, workday))
        # The officer free soonest among those free by then: nobody serves two at once.
        free = [u for u in self.counter_staff if self.busy[u.officer_id] <= ready]
        if free:
            user = self.rng.choice(free)
        else:
            user = min(self.counter_staff, key=lambda u: self.busy[u.officer_id])
        start = max(ready, self.busy[user.officer_id] + dt.timedelta(minutes=1))
        start = max(arrival, min(start, close - SERVED_BY - served))
        finish = start + served
        self.busy[user.officer_id] = finish
        # Most officers stamp the arrival (F5, from the queue ticket) and the start (F6);
        # the others rely on the stamps the actions make (no measured wait then).
        by_hand = self.rng.random() < 0.65
        plan: dict[str, object] = {}
        if start > self.end:
            add(
                arrival,
                self.at_counter(user, lambda: self.register(day, code, user, None, False, plan)),
            )
            return  # still waiting at the counter
        add(
            start,
            self.at_counter(user, lambda: self.register(day, code, user, arrival, by_hand, plan)),
        )
        add(finish, self.at_counter(user, lambda: self.walk_in(day, code, user, by_hand, plan)))

    def at_counter(self, user: SessionUser, action: Callable[[], None]) -> Callable[[], None]:
        """``action`` stamped with the officer's own 窗口号 (each window officer has one)."""
        staff = [u.officer_id for u in self.counter_staff]
        counter = f"{staff.index(user.officer_id) + 1}号窗口" if user.officer_id in staff else ""

        def run() -> None:
            self.s.set_counter(counter)
            try:
                action()
            finally:
                self.s.set_counter("")

        return run

    def register(
        self,
        day: dt.date,
        code: str,
        user: SessionUser,
        arrival: dt.datetime | None,
        by_hand: bool,
        plan: dict[str, object],
    ) -> None:
        item = self.items[code]
        name, number, phone = self.person()
        channel = self.rng.choices(
            [c for c, _ in CHANNEL_WEIGHTS], [w for _, w in CHANNEL_WEIGHTS]
        )[0]
        out_of_scope = code == "ZX-ZC" and self.rng.random() < 0.25
        visit = self.s.visits.register(
            user,
            NewVisit(
                citizen_name=name,
                id_type=IdType.RESIDENT,
                id_number=number,
                phone=phone,
                service_item_id=item.item_id,
                channel=channel,
                summary="" if not out_of_scope else "咨询社保卡补办",
                in_scope=not out_of_scope,
                arrived_at=arrival if by_hand else None,
                arrived_by_hand=by_hand,
            ),
        )
        if by_hand:
            visit = self.s.visits.mark_time(user, visit.row.id, visit.row.row_version, "started")
        plan.update(vid=visit.row.id, ver=visit.row.row_version, name=name, out=out_of_scope)

    def walk_in(
        self, day: dt.date, code: str, user: SessionUser, by_hand: bool, plan: dict[str, object]
    ) -> None:
        """The end of the citizen's time at the window: what the officer did."""
        vid, ver, name = int(str(plan["vid"])), int(str(plan["ver"])), str(plan["name"])
        out_of_scope = bool(plan["out"])
        item = self.items[code]
        roll = self.rng.random()
        visits = self.s.visits
        if out_of_scope:
            unit, address, tel = self.rng.choice(GUIDE_TO)
            visits.guide(user, vid, ver, unit, address, tel, "已告知承办单位地址、电话及所需材料")
            self.rate(vid, user, name)
        elif roll < 0.03:
            visits.void(user, vid, ver, "群众临时有事离开，未办理")
        elif code == "ZX-ZC":
            visits.answer(user, vid, ver, "已当场解答办理条件、材料和流程")
            self.rate(vid, user, name)
        elif roll < 0.07 and user in self.police:
            visits.refuse(
                user,
                vid,
                ver,
                "申请人户籍不在本所辖区，该事项不属本所职权范围，请向户籍所在地派出所申请。",
                "对办理过程有意见的，也可拨打 12389 反映。",
                basis=f"{COMMON_BASIS}第一款第（二）项",
                review_body=DEMO_STATION.redress_review_body,
                court=DEMO_STATION.redress_court,
            )
            self.rate(vid, user, name)
        elif item.time_limit_text == "当场办结":
            visits.complete_on_the_spot(user, vid, ver, "材料齐全，当场办结")
            self.rate(vid, user, name)
        else:
            detail = visits.accept(user, vid, ver)
            if by_hand:  # F7: the counter session ends with the acceptance
                detail = visits.mark_time(user, vid, detail.row.row_version, "ended")
            ver = detail.row.row_version
            if code in ("HJ-QR-GF", "HJ-QR-RC") and roll < 0.5:
                self.one_time_notice(vid, user, name, pledge=True)
                self.later(day + dt.timedelta(days=self.rng.randint(2, 9)), "pledge", vid, user)
            elif roll < 0.22:
                self.one_time_notice(vid, user, name)
                self.later(day + dt.timedelta(days=self.rng.randint(2, 7)), "resume", vid, user)
            elif roll < 0.32:
                colleague = self.rng.choice([u for u in self.counter_staff if u != user])
                visits.request_handover(
                    user, vid, ver, colleague.officer_id, "本人轮休，移交同事跟进"
                )
                self.later(
                    day + dt.timedelta(days=self.rng.randint(0, 2)),
                    "accept_handover",
                    vid,
                    colleague,
                )
            else:
                self.plan_completion(day, vid, user, detail.row.due_date)

    def follow_up(self, action: str, vid: int, user: SessionUser, day: dt.date) -> None:
        """A matter's next step on the agenda: materials brought back, a handover answered,
        or the matter completed."""
        visits = self.s.visits
        detail = visits.get(user, vid)
        ver = detail.row.row_version
        self.tick(dt.timedelta(minutes=self.rng.randint(1, 4)))
        if action == "resume" and detail.row.status is VisitStatus.WAITING_MATERIALS:
            self.materials_brought_back(vid, user, day, ver)
        elif action == "pledge" and self.rng.random() < 0.8:
            # Most bring the pledged materials; the rest stay on the lists as missed deadlines.
            self.pledged_materials_brought(vid, user, day, detail.row.due_date)
        elif action == "accept_handover" and detail.pending_handover is not None:
            handover = detail.pending_handover
            if self.rng.random() < 0.85:
                accepted = visits.accept_handover(user, handover.id)
                self.plan_completion(day, vid, user, accepted.row.due_date)
            else:
                visits.decline_handover(user, handover.id, "本人本周外出培训，无法接手")
                owner = next(
                    u for u in self.counter_staff if u.officer_id == handover.from_officer_id
                )
                self.plan_completion(day, vid, owner, detail.row.due_date)
        elif (
            action == "complete"
            and detail.row.status is VisitStatus.IN_PROGRESS
            and detail.row.owner_id == user.officer_id
        ):
            visits.complete(user, vid, ver, "已办结，群众已领取")
            self.rate(vid, user, detail.row.citizen_name)
