"""Lists and coverage: the worklist, one callback, and how much of each sampling was called
and reached."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from app.callbacks._base import CallbackBase, GivenRating, bad_levels, load_callback, period_text
from app.callbacks.dto import CallbackRow, Coverage
from app.callbacks.rules import DONE_SHOWN_DAYS, DONE_STATES
from app.core.dto import SessionUser
from app.core.errors import ValidationError
from app.core.service_base import load_station
from db.models import Callback, CallbackAttempt, CallbackBatch


class Lists(CallbackBase):
    """The worklist (mine, or everyone's for a supervisor), one callback, the coverage."""

    def worklist(
        self,
        user: SessionUser,
        *,
        everyone: bool = False,
        include_done: bool = False,
        done_days: int | None = DONE_SHOWN_DAYS,
    ) -> list[CallbackRow]:
        """My callbacks (the chief and deputies may ask for everyone's), due first.

        With ``include_done`` also those finished in the last ``done_days`` days (None: all
        of history): a worklist, bounded by what is pending, not by the years behind it.
        """
        with self._sessions.begin() as session:
            actor = self._officer(session, user)
            conditions: list[ColumnElement[bool]] = []
            if everyone:
                self._supervisor(session, user)
            else:
                conditions.append(Callback.assigned_to_id == actor.id)
            pending = Callback.state == "pending"
            if not include_done:
                conditions.append(pending)
            elif done_days is not None:
                tz = ZoneInfo(load_station(session).timezone)
                since = self._clock.now().astimezone(tz).date() - dt.timedelta(days=done_days)
                done = and_(
                    Callback.state.in_(DONE_STATES),
                    Callback.closed_at >= dt.datetime.combine(since, dt.time(), tz),
                )
                conditions.append(or_(pending, done))
            return self._rows(
                session, *conditions, order_by=(pending.desc(), Callback.due_date, Callback.id)
            )

    def get(self, user: SessionUser, callback_id: int) -> CallbackRow:
        """One callback, for its assignee or a supervisor."""
        with self._sessions.begin() as session:
            actor = self._officer(session, user)
            callback = load_callback(session, callback_id)
            if callback.assigned_to_id != actor.id:
                self._supervisor(session, user)
            return self._rows(session, Callback.id == callback.id)[0]

    def coverage(self, user: SessionUser, start: dt.date, end: dt.date) -> list[Coverage]:
        """Per sampling in the period, then the total: called/sampled and reached/called."""
        if end < start:
            raise ValidationError("结束日期早于开始日期。", "period")
        with self._sessions.begin() as session:
            self._supervisor(session, user)
            batches = list(
                session.scalars(
                    select(CallbackBatch)
                    .where(CallbackBatch.period_start >= start, CallbackBatch.period_end <= end)
                    .order_by(CallbackBatch.period_start)
                )
            )
            counts = _coverage_counts(session, [b.id for b in batches], start, end)
            empty = (0, 0, 0, 0, 0)
            rows = [
                Coverage(period_text(b.period_start, b.period_end), *counts.get(b.id, empty))
                for b in batches
            ]
            totals = [sum(c[i] for c in counts.values()) for i in range(len(empty))]
            rows.append(Coverage("合计", *totals))
            return rows


def _coverage_counts(
    session: Session, batch_ids: list[int], start: dt.date, end: dt.date
) -> dict[int, tuple[int, int, int, int, int]]:
    """Per batch: sampled, called (at least one attempt), reached, pressure, dissatisfied.

    One query over the callbacks of the period's batches, counted here, whatever their number.
    """
    if not batch_ids:
        return {}
    attempted = exists().where(CallbackAttempt.callback_id == Callback.id)
    found = session.execute(
        select(
            Callback.batch_id,
            Callback.state,
            Callback.pressure,
            attempted,
            GivenRating.declined,
            GivenRating.overall,
            GivenRating.dimensions_json,
        )
        .join(CallbackBatch, CallbackBatch.id == Callback.batch_id)
        .outerjoin(GivenRating, GivenRating.id == Callback.rating_id)
        .where(CallbackBatch.period_start >= start, CallbackBatch.period_end <= end)
    )
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for batch_id, state, pressure, called, declined, overall, dimensions in found:
        if batch_id is None:  # joined to its batch: never
            continue
        c = counts[batch_id]
        c[0] += 1
        c[1] += bool(called)
        c[2] += state == "reached"
        c[3] += bool(pressure)
        c[4] += bad_levels(declined, overall, dimensions)
    return {k: (v[0], v[1], v[2], v[3], v[4]) for k, v in counts.items()}
