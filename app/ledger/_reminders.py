"""The chief's reminder: the days with activity that no one has reviewed yet."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from app.core.dto import SessionUser
from app.core.service_base import load_station
from app.ledger._base import LedgerBase
from app.ledger._build import after_review_sections
from app.ledger.dto import PendingDay
from db.models import DayReview, Visit

MAX_REMINDER_DAYS = 60


class Reminders(LedgerBase):
    """Unreviewed-day reminders."""

    def pending_days(self, user: SessionUser) -> list[PendingDay]:
        """Days up to today with visits but no review: the chief's reminder."""
        with self._sessions.begin() as session:
            self._supervisor(session, user)
            today = self._today(session)
            since = today - dt.timedelta(days=MAX_REMINDER_DAYS)
            reviewed = select(DayReview.day)
            rows = session.execute(
                select(Visit.local_date, func.count())
                .where(
                    Visit.local_date >= since,
                    Visit.local_date <= today,
                    Visit.local_date.not_in(reviewed),
                )
                .group_by(Visit.local_date)
                .order_by(Visit.local_date)
            )
            days = {day: PendingDay(day, n) for day, n in rows}
            # Records after the latest review are signed with the next day's ledger: that
            # day needs a review even when nobody came (a Sunday, a holiday).
            latest = session.scalars(
                select(DayReview).order_by(DayReview.day.desc()).limit(1)
            ).first()
            if latest is not None and latest.day < today:
                station = load_station(session)
                later = after_review_sections(session, station, None, latest)
                count = sum(len(x.rows) for x in later)
                if count:
                    nxt = latest.day + dt.timedelta(days=1)
                    found = days.get(nxt, PendingDay(nxt, 0))
                    days[nxt] = PendingDay(
                        nxt, found.visits, f"含{latest.day.isoformat()}审核后记录 {count} 条"
                    )
            blocked = self._review_blocked(session, today)
            if today in days and blocked:
                station = load_station(session)
                days[today] = PendingDay(
                    today, days[today].visits, f"{station.review_after} 后可审核"
                )
            return [days[d] for d in sorted(days)]
