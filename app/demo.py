"""A realistic demo station: settings, officers of every role, the catalogue and its history."""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from app.complaints.service import NewComplaint
from app.core.clock import FixedClock
from app.core.dto import SessionUser
from app.core.identity import IdType, check_digit
from app.core.passwords import PasswordHashing
from app.core.roles import Role
from app.ledger.service import ReviewSignature
from app.notices.dto import NewNotice, SignatureInput
from app.officers.dto import NewOfficer
from app.ratings.service import RatingInput
from app.services import Services, build_services
from app.station.dto import StationSettings
from app.visits.dto import NewVisit
from app.visits.refusal import COMMON_BASIS
from app.visits.rules import Channel, VisitStatus

DEMO_PASSWORD = "Demo2026"

DEMO_STATION = StationSettings(
    name="示例市公安局城南分局青年路派出所",
    code="QNL",
    address="示例市城南区青年路 88 号",
    hours="工作日 8:30-12:00，14:00-17:30；周六上午 9:00-12:00 办理身份证业务",
    phone_consult="0571-86001110",
    phone_supervision="0571-86001234",
    phone_12389="12389",
    phone_12345="12345",
    paper_size="A5",
    # Sampled once a month: a day's few finished matters cannot be sampled at 10 % once every
    # officer and every matter type must be represented (see ``choose_sample``).
    callback_period="month",
    redress_review_body="示例市城南区人民政府",
    redress_court="示例市城南区人民法院",
)

# (badge, name, role, phone)
DEMO_OFFICERS: tuple[tuple[str, str, Role, str], ...] = (
    ("031001", "王建国", Role.CHIEF, "13805710001"),
    ("031002", "李秀英", Role.DEPUTY, "13805710002"),
    ("031011", "张伟", Role.WINDOW, "13805710011"),
    ("031012", "刘洋", Role.WINDOW, "13805710012"),
    ("031013", "陈静", Role.WINDOW, "13805710013"),
    ("F03121", "赵磊", Role.AUXILIARY, "13805710021"),
    ("F03122", "孙丽娟", Role.AUXILIARY, "13805710022"),
    ("031099", "周强", Role.ADMIN, "13805710099"),
)


@dataclass(frozen=True)
class DemoLogin:
    """A login printed for whoever tries the demo."""

    badge_no: str
    name: str
    role: Role
    password: str


def login_hint(logins: list[DemoLogin]) -> str:
    """One paragraph listing the demo logins for the login dialog."""
    people = "；".join(f"{x.role.label} {x.name} {x.badge_no}" for x in logins)
    return f"演示账号：{people}。密码均为 {DEMO_PASSWORD}。"


def demo_logins() -> list[DemoLogin]:
    """The logins ``build_demo`` creates."""
    return [DemoLogin(b, n, r, DEMO_PASSWORD) for b, n, r, _ in DEMO_OFFICERS]


# The history starts this many whole months before the current one: the chief's trends show
# half a year, and the month just ended is complete.
HISTORY_MONTHS = 6


def history_days(today: dt.date, months: int = HISTORY_MONTHS) -> int:
    """Days from the first of the month ``months`` before ``today``'s month up to ``today``."""
    month = today.year * 12 + today.month - 1 - months
    first = dt.date(month // 12, month % 12 + 1, 1)
    return (today - first).days


def build_demo(
    sessions: sessionmaker[Session],
    days: int | None = None,
    seed: int = 7,
    now: dt.datetime | None = None,
    hashing: PasswordHashing | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[DemoLogin]:
    """Fill an empty database with the demo station and ``days`` days of counter history
    (by default from the first of the month six months ago: ``history_days``).

    Everything goes through the services with a clock that walks through the past days, so
    the history, the audit chain and the numbering are exactly what real use would leave.
    ``progress(done, total)`` is called after each day built (today included: ``total`` is
    ``days + 1``), on the caller's thread.
    """
    rng = random.Random(seed)
    end = (now or dt.datetime.now(dt.UTC)).astimezone(TZ)
    if days is None:
        days = history_days(end.date())
    start_day = end.date() - dt.timedelta(days=days)
    clock = FixedClock(dt.datetime.combine(start_day, dt.time(8, 0), TZ))
    services = build_services(sessions, clock, hashing)
    chief_badge, chief_name, chief_role, chief_phone = DEMO_OFFICERS[0]
    chief = services.station.initialize(
        DEMO_STATION,
        NewOfficer(chief_badge, chief_name, chief_role, DEMO_PASSWORD, chief_phone),
    )
    for badge, name, role, phone in DEMO_OFFICERS[1:]:
        services.officers.add_officer(
            chief,
            NewOfficer(badge, name, role, DEMO_PASSWORD, phone, must_change_password=False),
        )
    _demo_catalogue_history(services, chief, rng)
    users = {b: services.auth.login(b, DEMO_PASSWORD) for b, *_ in DEMO_OFFICERS}
    _DemoHistory(services, clock, users, rng).run(start_day, end, progress)
    return demo_logins()


TZ = ZoneInfo("Asia/Shanghai")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘蒋蔡余杜叶程"
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉梅晓东海波宇浩然子涵欣怡梓轩"
)
AREAS = ("330102", "330105", "330106", "330108", "330110", "330184", "340104", "320102", "410105")
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
# Opening hours (DEMO_STATION.hours): working days two sessions, Saturday morning ID cards only.
WEEKDAY_SESSIONS = ((dt.time(8, 30), dt.time(12, 0)), (dt.time(14, 0), dt.time(17, 30)))
SATURDAY_SESSIONS = ((dt.time(9, 0), dt.time(12, 0)),)
SATURDAY_MATTERS = ("SFZ-SL", "SFZ-HL", "SFZ-BL", "SFZ-LS")
LAST_ARRIVAL = dt.timedelta(minutes=25)  # the last tickets before a session closes
SERVED_BY = dt.timedelta(minutes=3)  # the last citizen is served by this before closing


def opening_sessions(day: dt.date, workday: bool) -> tuple[tuple[dt.time, dt.time], ...]:
    """The counter's open sessions of a day: none on Sundays and holidays."""
    if workday:
        return WEEKDAY_SESSIONS
    if day.weekday() == 5:
        return SATURDAY_SESSIONS
    return ()


def _signature_png(strokes: tuple[tuple[tuple[float, float, float], ...], ...]) -> bytes:
    """A scribble standing in for a citizen's signature in the demo."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 130), "white")
    draw = ImageDraw.Draw(image)
    for stroke in strokes:
        draw.line([(x, y) for x, y, _p in stroke], fill="black", width=4)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


class _DemoHistory:
    """Walks day by day through the past, opening and closing matters as a counter would."""

    def __init__(
        self,
        services: Services,
        clock: FixedClock,
        users: dict[str, SessionUser],
        rng: random.Random,
    ) -> None:
        self.s = services
        self.clock = clock
        self.rng = rng
        self.users = users
        self.chief = users[DEMO_OFFICERS[0][0]]
        self.dimensions = services.ratings.dimensions()
        self.counter_staff = [
            users[b]
            for b, _, r, _ in DEMO_OFFICERS
            if r in (Role.WINDOW, Role.AUXILIARY, Role.DEPUTY)
        ]
        self.police = [u for u in self.counter_staff if u.role is not Role.AUXILIARY]
        self.items = {r.code: r for r in services.catalogue.list_items()}
        self.last_day = dt.date.min
        self.first_day = dt.date.min
        self.praised = False
        self.pending_corrections: list[tuple[dt.date, int]] = []
        # day → list of (action, visit id, user)
        self.agenda: dict[dt.date, list[tuple[str, int, SessionUser]]] = {}
        self.end = dt.datetime.max.replace(tzinfo=TZ)
        self.busy: dict[int, dt.datetime] = {}
        # An ID number drawn twice is a citizen coming back: the same name (registering it
        # under another would stop at the same-ID-other-name question).
        self.names_by_number: dict[str, str] = {}
        self.sampled: set[dt.date] = set()
        self.sequence = itertools.count()
        # Bookings draw from their own generator: the walk-ins stay as they were.
        self.booking_rng = random.Random(20261203)
        self.unserved: int | None = None  # the home request nobody went to (overdue)

    def at(self, day: dt.date, hour: int, minute: int) -> None:
        moment = dt.datetime.combine(day, dt.time(hour, minute), TZ)
        if moment > self.clock.now():
            self.clock.advance(moment - self.clock.now())

    def later(self, day: dt.date, action: str, visit_id: int, user: SessionUser) -> None:
        self.agenda.setdefault(day, []).append((action, visit_id, user))

    def run(
        self, first: dt.date, end: dt.datetime, progress: Callable[[int, int], None] | None = None
    ) -> None:
        """Each day as the counter lives it; today up to ``end`` only.

        Today is built up to the moment the demo is made: before opening it has no visits
        yet, during the day the citizens who came so far (some still waiting, some at the
        window), after closing the whole day. Nothing is stamped after ``end``.
        """
        self.last_day = end.date()
        self.first_day = first
        self.end = end
        calendar = self.s.holidays.calendar()
        total = (end.date() - first).days + 1
        day = first
        while day <= end.date():
            sessions = [
                (dt.datetime.combine(day, a, TZ), dt.datetime.combine(day, b, TZ))
                for a, b in opening_sessions(day, calendar.is_workday(day))
            ]
            workday = len(sessions) > 1
            # Before opening, today has no visits yet and its follow-ups wait.
            self.day_of_visits(day, sessions, workday)
            if not workday:
                self.move_agenda(day)
            if day < end.date():
                self.evening(day)
            day += dt.timedelta(days=1)
            if progress is not None:
                progress((day - first).days, total)
        self.book_today()
        if not self.sampled and first < end.date():
            # A history too short to hold a whole month: the chief draws its days at once.
            self.s.callbacks.sample(
                self.chief, first, end.date() - dt.timedelta(days=1), seed=first.toordinal()
            )

    def move_agenda(self, day: dt.date) -> None:
        """A closed day's follow-ups happen on the next working day."""
        waiting = self.agenda.pop(day, [])
        if waiting and day < self.last_day:
            nxt = day + dt.timedelta(days=1)
            self.agenda.setdefault(nxt, [])[:0] = waiting

    def day_of_visits(
        self, day: dt.date, sessions: list[tuple[dt.datetime, dt.datetime]], workday: bool
    ) -> None:
        """The day's walk-ins and follow-ups, as events in time order, none after ``end``."""
        if not sessions:
            return
        opening = sessions[0][0]
        events: list[tuple[dt.datetime, int, Callable[[], None]]] = []

        def add(moment: dt.datetime, action: Callable[[], None]) -> None:
            if moment <= self.end:
                heapq.heappush(events, (moment, next(self.sequence), action))

        morning = opening + dt.timedelta(minutes=5)
        add(morning, lambda: self.morning(day))
        if workday:
            for what, visit_id, user in self.agenda.pop(day, []):
                add(self.moment_in(sessions), partial(self.follow_up, what, visit_id, user, day))
            count = self.rng.randint(9, 18)
        else:
            count = self.rng.randint(3, 6)
        self.busy = {u.officer_id: opening for u in self.counter_staff}
        for arrival in sorted(self.arrival(sessions) for _ in range(count)):
            self.plan_walk_in(day, arrival, sessions, workday, add)
        while events:
            moment, _n, event = heapq.heappop(events)
            self.clock_to(moment)
            event()

    def clock_to(self, moment: dt.datetime) -> None:
        if moment > self.clock.now():
            self.clock.advance(moment - self.clock.now())

    def tick(self, delta: dt.timedelta) -> None:
        """A moment passes, but never beyond the time the demo is made."""
        self.clock_to(min(self.clock.now() + delta, self.end))

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

    def morning(self, day: dt.date) -> None:
        """Before the first citizen: the monthly callback sample, yesterday's corrections."""
        first = day.replace(day=1)
        previous = (first - dt.timedelta(days=1)).replace(day=1)
        if previous not in self.sampled and first - dt.timedelta(days=1) >= self.first_day:
            self.sampled.add(previous)
            self.s.callbacks.sample(
                self.chief, previous, first - dt.timedelta(days=1), seed=previous.toordinal()
            )
        self.corrections(day)
        self.book_ahead(day)

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
                SignatureInput(row.citizen, strokes, _signature_png(strokes), ""),
            )

    def person(self) -> tuple[str, str, str]:
        name = self.rng.choice(SURNAMES) + "".join(
            self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2, 2)))
        )
        born = dt.date(1950, 1, 1) + dt.timedelta(days=self.rng.randrange(0, 365 * 55))
        first17 = f"{self.rng.choice(AREAS)}{born:%Y%m%d}{self.rng.randrange(1, 999):03d}"
        number = first17 + check_digit(first17)
        phone = (
            "1" + self.rng.choice("3589") + "".join(self.rng.choice("0123456789") for _ in range(9))
        )
        return self.names_by_number.setdefault(number, name), number, phone

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

    def one_time_notice(
        self, vid: int, user: SessionUser, citizen: str, pledge: bool = False
    ) -> None:
        """Mark materials missing, the citizen signs; a notice pauses the clock, a pledge not."""
        draft = self.s.notices.draft(user, vid)
        if pledge:
            missing = {n for n, i in enumerate(draft.items) if not i.is_key}
        else:
            missing = set(
                self.rng.sample(
                    range(len(draft.items)), k=min(len(draft.items), self.rng.choice((1, 1, 2)))
                )
            )
        items = tuple(
            replace(i, state="missing") if n in missing else i for n, i in enumerate(draft.items)
        )
        new = NewNotice(
            vid, draft.row_version, items, supplement_deadline=draft.latest_deadline, pledge=pledge
        )
        _content, digest = self.s.notices.content(user, new)
        strokes = tuple(
            tuple(
                (
                    float(20 + 40 * k + self.rng.randint(0, 20)),
                    float(60 + self.rng.randint(-30, 30)),
                    0.6,
                )
                for k in range(6)
            )
            for _ in range(2)
        )
        signature = SignatureInput(citizen, strokes, _signature_png(strokes), digest)
        self.s.notices.issue(user, replace(new, signature=signature))

    def plan_completion(
        self, day: dt.date, vid: int, user: SessionUser, due: dt.date | None
    ) -> None:
        span = max(1, ((due or day) - day).days)
        # Most finish in time; a few run late so the chief has something to chase.
        late = self.rng.random() < 0.12
        offset = span + self.rng.randint(1, 5) if late else self.rng.randint(1, span)
        self.later(day + dt.timedelta(days=offset), "complete", vid, user)

    def follow_up(self, action: str, vid: int, user: SessionUser, day: dt.date) -> None:
        visits = self.s.visits
        detail = visits.get(user, vid)
        ver = detail.row.row_version
        self.tick(dt.timedelta(minutes=self.rng.randint(1, 4)))
        if action == "resume" and detail.row.status is VisitStatus.WAITING_MATERIALS:
            notices = self.s.notices.for_visit(user, vid)
            # The citizen often comes back to whoever is free at the counter.
            clerk = self.rng.choice(self.counter_staff)
            if notices and notices[0].state in ("open", "overdue"):
                notice = notices[0]
                if self.rng.random() < 0.08:
                    notice = self.s.notices.record_breach(
                        clerk, notice.id, "单位出具的在职证明", "用证单位临时提出"
                    )
                owed = [i.id for i in notice.items if i.owed]
                if len(owed) > 1 and self.rng.random() < 0.2:
                    notice = self.s.notices.record_return(
                        clerk, notice.id, notice.row_version, owed[:1]
                    )
                    self.later(day + dt.timedelta(days=2), "resume", vid, user)
                    return
                self.s.notices.record_return(clerk, notice.id, notice.row_version, owed)
                resumed = visits.get(user, vid)
            else:
                resumed = visits.resume(user, vid, ver, "群众补齐材料")
            self.plan_completion(day, vid, user, resumed.row.due_date)
        elif action == "pledge" and self.rng.random() < 0.8:
            # Most bring the pledged materials; the rest stay on the lists as missed deadlines.
            notices = self.s.notices.for_visit(user, vid)
            if notices and notices[0].state in ("open", "overdue"):
                owed = [i.id for i in notices[0].items if i.owed]
                self.s.notices.record_return(user, notices[0].id, notices[0].row_version, owed)
                self.plan_completion(day, vid, user, detail.row.due_date)
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

    # ---- 好差评, callbacks and rectifications ---------------------------------------------

    def level(self, base: int) -> int:
        """A level near ``base``: citizens mostly agree with themselves across dimensions."""
        return max(min(base, 3), min(5, base - (1 if self.rng.random() < 0.15 else 0)))

    def rate(self, vid: int, user: SessionUser, citizen: str) -> None:
        """Most citizens rate at the counter; a few decline, a few are unhappy."""
        roll = self.rng.random()
        if roll < 0.12:
            return  # left before the rating screen
        self.tick(dt.timedelta(minutes=1))
        if roll < 0.17:
            self.s.ratings.rate_on_site(user, vid, RatingInput(None, declined=True))
            return
        base = 5 if roll < 0.75 else 4 if roll < 0.92 else 3
        overall = base
        dims = {d: self.level(base) for d in self.dimensions}
        if self.rng.random() < 0.025:  # a 差评: one dimension or overall
            dims[self.rng.choice(self.dimensions)] = self.rng.choice((1, 2))
            overall = self.rng.choice((2, 3))
        comment = ""
        if overall <= 2 or min(dims.values()) <= 2:
            comment = self.rng.choice(
                ("排队时间太长", "民警解释不耐烦", "材料要求讲得不清楚，跑了两趟")
            )
        elif overall == 5 and self.rng.random() < 0.2:
            comment = self.rng.choice(("服务热情，办事快", "解释很清楚，谢谢"))
        strokes = tuple(
            tuple(
                (
                    float(20 + 45 * k + self.rng.randint(0, 15)),
                    float(65 + self.rng.randint(-25, 25)),
                    0.6,
                )
                for k in range(6)
            )
            for _ in range(2)
        )
        self.s.ratings.rate_on_site(
            user,
            vid,
            RatingInput(
                overall,
                tuple(dims.items()),
                comment,
                signer_name=citizen,
                strokes=strokes,
                png=_signature_png(strokes),
                callback_requested=self.rng.random() < 0.03,
            ),
        )

    def evening(self, day: dt.date) -> None:
        """Late afternoon and after hours: callbacks, rectifications, complaints, the review."""
        if day.weekday() >= 5:
            self.at(day, 18, 5)
            self.review(day)  # the duty chief signs weekends too
            return
        self.at(day, 16, 0)
        self.appointments(day)
        self.at(day, 16, 30)
        self.call_back(day)
        self.at(day, 17, 40)
        self.supervise(day)
        self.at(day, 17, 50)
        self.complaints(day)
        self.at(day, 18, 5)
        self.review(day)

    def call_back(self, day: dt.date) -> None:
        """The callers work through the month's sample within days (the last days' not all)."""
        pending = self.s.callbacks.worklist(self.chief, everyone=True)
        # A month's sample is called within its two working days, or a little later.
        quota = self.rng.randint(8, 14)
        if day >= self.last_day - dt.timedelta(days=2):
            quota //= 2  # the last days' callbacks are still on the lists
        for row in sorted(pending, key=lambda r: r.id)[:quota]:
            caller = next(u for u in self.users.values() if u.officer_id == row.assigned_to_id)
            self.clock.advance(dt.timedelta(minutes=2))
            roll = self.rng.random()
            if roll < 0.2:
                self.s.callbacks.log_attempt(caller, row.id, row.row_version, "no_answer")
            elif roll < 0.24:
                self.s.callbacks.log_attempt(caller, row.id, row.row_version, "wrong_number")
            elif roll < 0.28:
                self.s.callbacks.log_attempt(
                    caller, row.id, row.row_version, "refused", "群众表示很忙，不愿接受回访"
                )
            else:
                base = 5 if roll < 0.8 else 4 if roll < 0.93 else 3
                if row.kind == "phone" and self.rng.random() < 0.04:
                    base = 2  # unhappy once no one is watching: 差评 and often a pressure flag
                dims = tuple((d, self.level(base)) for d in self.dimensions)
                note = "本人接听，对办理结果满意" if base >= 4 else "本人接听，提出改进意见"
                if row.kind == "home":
                    note = "所领导上门，当面听取意见并解释"
                self.s.callbacks.log_attempt(
                    caller, row.id, row.row_version, "reached", note, RatingInput(base, dims)
                )

    def review(self, day: dt.date) -> None:
        """The chief signs each evening's ledger; the last days wait for review (a reminder)."""
        if day >= self.last_day - dt.timedelta(days=3):
            return
        ledger = self.s.ledger.ledger(self.chief, day)
        strokes = tuple(
            tuple((float(30 + 40 * k), float(70 + (18 if k % 2 else -18)), 0.6) for k in range(7))
            for _ in range(1)
        )
        comment = "已逐条核对。" if ledger.section("visits").rows else "当日无登记。"
        if any(r.marked for r in ledger.section("visits").rows):
            comment += "逾期事项已督促承办民警加快办理。"
        self.s.ledger.review(
            self.chief,
            day,
            ledger.content_sha256,
            comment,
            ReviewSignature(strokes, _signature_png(strokes)),
        )
        # Now and then a registration error turns up after the review: a correction.
        if self.rng.random() < 0.15:
            rows = ledger.section("visits").rows
            if rows and rows[0].visit_id is not None:
                self.pending_corrections.append((day + dt.timedelta(days=1), rows[0].visit_id))

    def corrections(self, day: dt.date) -> None:
        """Corrections noticed the morning after a review."""
        due = [v for d, v in self.pending_corrections if d <= day]
        self.pending_corrections = [(d, v) for d, v in self.pending_corrections if d > day]
        for visit_id in due:
            self.s.ledger.correct(
                self.chief, visit_id, "summary", "群众来电补充：需加急", "首接民警漏记群众诉求"
            )

    def complaints(self, day: dt.date) -> None:
        """Complaints and praise letters arrive now and then; the chief works them."""
        _DemoComplaints(self).day(day)

    def supervise(self, day: dt.date) -> None:
        """The chief works rectifications over the days: some in every state by the end."""
        for rect in self.s.rectifications.rectifications(self.chief):
            if rect.state == "closed":
                continue
            age = (day - rect.verify_due).days
            if rect.state == "open" and age >= 0:
                rect = self.s.rectifications.verify(
                    self.chief,
                    rect.id,
                    rect.row_version,
                    "调取窗口录音录像并询问当事民警，情况基本属实。",
                )
                if not rect.appeal_text and self.rng.random() < 0.25:
                    rated = next(u for u in self.users.values() if u.name == rect.rated_officer)
                    rect = self.s.rectifications.appeal(
                        rated,
                        rect.id,
                        "群众所需材料确属法定要求，本人已按告知单一次性告知，有录像为证。",
                    )
            elif rect.state == "verified" and age >= 2:
                self.s.rectifications.rectify(
                    self.chief, rect.id, rect.row_version,
                    "对当事民警进行提醒谈话，窗口增设材料清单展板。",
                    "当事民警已书面说明并改进，窗口材料清单已张贴。",
                )  # fmt: skip
            elif rect.state == "rectified" and age >= 3:
                if rect.appeal_text and not rect.appeal_decision:
                    rect = self.s.rectifications.decide_appeal(
                        self.chief, rect.id, self.rng.random() < 0.5, "经查看录像，民警告知规范。"
                    )
                if not rect.follow_up:
                    rect = self.s.rectifications.record_follow_up(
                        self.chief, rect.id, rect.row_version,
                        RatingInput(4, tuple((d, 4) for d in self.dimensions), "整改后满意"),
                    )  # fmt: skip
                if age >= 4:
                    self.s.rectifications.close(self.chief, rect.id, rect.row_version)


COMPLAINTS = (
    ("12345", "反映办理居住证时窗口民警态度生硬，解释不耐心。"),
    ("12389", "反映窗口要求提供告知单以外的材料，多跑了一趟。"),
    ("所长信箱", "建议增加周六办理户籍业务的窗口。"),
    ("当面", "反映排队等候时间过长，取号后等了一个多小时。"),
    ("电话", "反映开具证明时被要求到其他单位盖章，与规定不符。"),
    ("来信", "反映身份证领取通知短信未收到，白跑一趟。"),
)
PRAISE = (
    ("来信", "感谢窗口民警耐心指导，为行动不便的老人上门采集照片。"),
    ("所长信箱", "表扬窗口民警利用午休时间为我加急办理户口迁移。"),
)


class _DemoComplaints:
    """Complaints received every few days and worked through the 四必 steps by the chief."""

    def __init__(self, history: _DemoHistory) -> None:
        self.h = history

    def day(self, day: dt.date) -> None:
        h = self.h
        staff = h.counter_staff
        recorder = h.users[DEMO_OFFICERS[1][0]]  # the deputy keeps the complaint ledger
        # Some every week, and one each of the last days: every state is on the list.
        if h.rng.random() < 0.3 or day >= h.last_day - dt.timedelta(days=8):
            channel, text = h.rng.choice(COMPLAINTS)
            concerned = h.rng.choice([u for u in staff if u != recorder])
            name, _number, phone = h.person()
            h.s.complaints.record(
                recorder,
                NewComplaint("complaint", channel, day, text, name, phone, concerned.officer_id),
            )
        if h.rng.random() < 0.08 or (day >= h.last_day - dt.timedelta(days=10) and not h.praised):
            h.praised = True
            channel, text = h.rng.choice(PRAISE)
            praised = h.rng.choice([u for u in staff if u != recorder])
            name, _number, phone = h.person()
            h.s.complaints.record(
                recorder,
                NewComplaint("praise", channel, day, text, name, phone, praised.officer_id),
            )
        for row in h.s.complaints.list_complaints(h.chief, kind="complaint"):
            if row.state == "closed" or row.handler_id != h.chief.officer_id:
                continue
            age = (day - row.received_on).days
            h.clock.advance(dt.timedelta(minutes=1))
            if row.state == "received" and age >= 1:
                finding = h.rng.choice(("属实", "部分属实", "不属实", "不属实"))
                h.s.complaints.verify(
                    h.chief, row.id, row.row_version, finding, "调取录像、询问当事民警和在场群众。"
                )
            elif row.state == "verified" and age >= 2:
                outcome = "澄清正名" if row.finding == "不属实" else h.rng.choice(("改进", "追责"))
                h.s.complaints.handle(
                    h.chief, row.id, row.row_version, outcome, "已按规定处理并在所务会通报。"
                )
            elif row.state == "handled" and age >= 4:
                h.s.complaints.reply(
                    h.chief, row.id, row.row_version, "电话", "已向投诉人反馈核查和处理结果。"
                )
            elif row.state == "replied" and age >= 8:
                h.s.complaints.close(h.chief, row.id, row.row_version)


def _demo_catalogue_history(services: Services, chief: SessionUser, rng: random.Random) -> None:
    """One matter edited twice, so the version history has something to show."""
    rows = services.catalogue.list_items("JZZ-SL")
    if not rows:
        return
    detail = services.catalogue.get_item(rows[0].item_id)
    draft = replace(detail.draft, hours="工作日 8:30-12:00，14:00-17:30；周六上午 9:00-12:00")
    services.catalogue.save_new_version(
        chief, detail.item_id, detail.version_no, draft, "增加周六上午办理时间"
    )
    draft2 = replace(draft, place=rng.choice(["一楼户籍窗口 2 号", "一楼综合窗口 3 号"]))
    services.catalogue.save_new_version(
        chief, detail.item_id, detail.version_no + 1, draft2, "窗口调整"
    )
