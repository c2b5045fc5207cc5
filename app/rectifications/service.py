"""整改督办: the rectification every 差评 opens, worked by its owner (督办人) to 销号.

A 差评 at the counter, by phone, at home or by SMS opens one (``open_rectification`` in
app/ratings, which this package builds on: the 整改回访 is a rating, and the 督办单 prints the
rating's levels). The owner, the chief or a deputy who was not rated, verifies the cause,
records the action and its result, has the citizen rate again and closes it; the rated
officer may appeal, and the chief or a deputy decides.

The service is composed of its use cases: the steps and the appeal (``_workflow``), the 督办单
(``_slip``), over what they share (``_base``); the list is here.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select

from app.core.dto import SessionUser
from app.core.roles import Permission, Role, allows
from app.core.service_base import load_station
from app.rectifications._slip import Slips
from app.rectifications._workflow import Workflow
from app.rectifications.dto import RectificationRow
from db.models import Rectification

LIVE_STATES = ("open", "verified", "rectified")
# The list shows closed rectifications this many days back (open ones always): a worklist,
# not ten years of history.
CLOSED_SHOWN_DAYS = 90


class RectificationService(Workflow, Slips):
    """The rectifications 差评 open: the list, the steps to 销号, appeals and the 督办单."""

    def dimensions(self) -> tuple[str, ...]:
        """The station's rating dimensions (settings), which the 整改回访 asks about."""
        with self._sessions.begin() as session:
            return tuple(load_station(session).rating_dimensions.split(","))

    def rectifications(
        self, user: SessionUser, closed_days: int | None = CLOSED_SHOWN_DAYS
    ) -> list[RectificationRow]:
        """Every rectification still open, however old, and those closed lately, newest first.

        Closed ones go back ``closed_days`` days (None: all of history): the page is a
        worklist, not ten years of records. The chief and deputies see all; a rated officer
        sees those about them (to appeal).
        """
        with self._sessions.begin() as session:
            actor = self._officer(session, user)
            station = load_station(session)
            tz = ZoneInfo(station.timezone)
            query = select(Rectification.id)
            if closed_days is not None:
                local_today = self._clock.now().astimezone(tz).date()
                since = local_today - dt.timedelta(days=closed_days)
                # Two ranges of ix_rectifications_state_closed, not ten years of rows.
                query = query.where(
                    or_(
                        Rectification.state.in_(LIVE_STATES),
                        and_(
                            Rectification.state == "closed",
                            Rectification.closed_at >= dt.datetime.combine(since, dt.time(), tz),
                        ),
                    )
                )
            if not allows(Role(actor.role), Permission.VIEW_ALL_VISITS):
                query = query.where(Rectification.rated_officer_id == actor.id)
            return self._rows(session, station, query)
