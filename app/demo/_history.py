"""The demo's counter history, day by day: each part of it is built by its own class."""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Callable
from functools import partial

from app.demo._bookings import Bookings
from app.demo._complaints import DemoComplaints
from app.demo._ledger import LedgerReviews
from app.demo._station import TZ, opening_sessions
from app.demo._walk_ins import WalkIns


class DemoHistory(WalkIns, Bookings, LedgerReviews):
    """Walks day by day through the past, opening and closing matters as a counter would.

    The walk-ins and their course (``WalkIns``, with ``Notices`` and ``Ratings``), the
    bookings, the ledger reviews and the complaints are built by their own classes over
    ``HistoryBase``; the order of every random draw is the one the single class had.
    """

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

    def complaints(self, day: dt.date) -> None:
        """Complaints and praise letters arrive now and then; the chief works them."""
        DemoComplaints(self).day(day)
