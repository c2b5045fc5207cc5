"""The history's shared state and helpers: time passing, the agenda, the citizens who come."""

from __future__ import annotations

import datetime as dt
import itertools
import random

from app.core.clock import FixedClock
from app.core.dto import SessionUser
from app.core.identity import check_digit
from app.core.roles import Role
from app.demo._station import DEMO_OFFICERS, TZ
from app.services import Services

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘蒋蔡余杜叶程"
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉梅晓东海波宇浩然子涵欣怡梓轩"
)
AREAS = ("330102", "330105", "330106", "330108", "330110", "330184", "340104", "320102", "410105")


def signature_png(strokes: tuple[tuple[tuple[float, float, float], ...], ...]) -> bytes:
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


class HistoryBase:
    """What every part of the history shares: the services, the clock walking through the
    past, the generators, the officers, and the agenda of matters' next steps."""

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

    def clock_to(self, moment: dt.datetime) -> None:
        if moment > self.clock.now():
            self.clock.advance(moment - self.clock.now())

    def tick(self, delta: dt.timedelta) -> None:
        """A moment passes, but never beyond the time the demo is made."""
        self.clock_to(min(self.clock.now() + delta, self.end))

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

    def plan_completion(
        self, day: dt.date, vid: int, user: SessionUser, due: dt.date | None
    ) -> None:
        span = max(1, ((due or day) - day).days)
        # Most finish in time; a few run late so the chief has something to chase.
        late = self.rng.random() < 0.12
        offset = span + self.rng.randint(1, 5) if late else self.rng.randint(1, span)
        self.later(day + dt.timedelta(days=offset), "complete", vid, user)
