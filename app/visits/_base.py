"""What every use case of a walk-in matter shares: the caller's checks, a step on a matter
and its detail and list rows (``VisitBase``, the base of each use case's class)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from app.catalogue.service import time_limit_text
from app.core import audit
from app.core.clock import Clock
from app.core.dto import SessionUser
from app.core.errors import ConflictError, NotFound, PermissionDenied
from app.core.identity import IdType
from app.core.reveal_purposes import audit_after
from app.core.roles import Permission, Role, allows
from app.core.service_base import ServiceBase, load_station
from app.holidays.service import load_calendar
from app.visits._clock import due_soon_limit
from app.visits._moves import SAME_SITTING, accept_visit, move_visit, stamp_start
from app.visits._rows import (
    handover_query,
    handover_row,
    late_supplements,
    row_query,
    visit_refusal_paragraphs,
    visit_row,
)
from app.visits.dto import TransitionRow, VisitDetail, VisitRow
from app.visits.rules import Channel, VisitStatus
from db.models import (
    CalendarYear,
    Handover,
    HolidayOverride,
    Officer,
    ServiceItem,
    ServiceItemVersion,
    Visit,
    VisitTransition,
)


class VisitBase(ServiceBase):
    """The checks, steps and reads the use cases of a walk-in matter share."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock) -> None:
        super().__init__(sessions, clock)
        # ((local date, holiday edits seen), when computed, due-soon limit): see _due_soon.
        self._soon_cache: tuple[tuple[dt.date, int], float, dt.date] | None = None

    def now(self) -> dt.datetime:
        """The service's clock (the registration form stamps arrival with it)."""
        return self._clock.now()

    # ---- the caller and the matter ------------------------------------------------------

    def _require_case_work(
        self, session: Session, user: SessionUser, reading: bool = False
    ) -> Officer:
        officer = self._officer(session, user)
        role = Role(officer.role)
        if allows(role, Permission.HANDLE_VISITS):
            return officer
        if reading and allows(role, Permission.VIEW_ALL_VISITS):
            return officer
        raise PermissionDenied(f"{role.label}不办理窗口事项。")

    def _owned(
        self,
        session: Session,
        user: SessionUser,
        visit_id: int,
        row_version: int,
        closed_ok: bool = False,
    ) -> tuple[Officer, Visit]:
        actor = self._require_case_work(session, user)
        visit = session.get(Visit, visit_id)
        if visit is None:
            raise NotFound("找不到该登记记录。")
        if visit.owner_id != actor.id:
            owner = session.get(Officer, visit.owner_id)
            raise PermissionDenied(
                f"该事项由{owner.name if owner else '他人'}负责，只有当前负责人可以办理；"
                "如需接手，请对方移交给您。"
            )
        if visit.row_version != row_version:
            raise ConflictError("该事项刚被其他窗口修改过，已为您刷新，请核对后重试。")
        if not closed_ok and not VisitStatus(visit.status).is_open:
            raise ConflictError(f"该事项已{VisitStatus(visit.status).label}，不能再办理。")
        return actor, visit

    # ---- steps on a matter --------------------------------------------------------------

    def _accept(self, session: Session, actor: Officer, visit: Visit, now: dt.datetime) -> None:
        accept_visit(session, actor, visit, now)

    def _move(
        self,
        session: Session,
        actor: Officer,
        visit: Visit,
        target: VisitStatus,
        reason: str,
        now: dt.datetime,
    ) -> None:
        move_visit(session, actor, visit, target, reason, now)

    @staticmethod
    def _close(actor: Officer, visit: Visit, now: dt.datetime) -> None:
        stamp_start(actor, visit, now)
        # Without an F7 stamp the counter session ends now, if it is still the same sitting;
        # a matter finished days later has no counter end time (it is not service time).
        started = visit.started_at
        if visit.ended_at is None and started is not None and now - started <= SAME_SITTING:
            visit.ended_at = now

    def _reveal(
        self, user: SessionUser, visit_id: int, purpose: str, detail: str, field: str, action: str
    ) -> str:
        """A field of a visit unmasked, with the checked purpose and detail on the audit record."""
        with self._writing() as session:
            actor = self._require_case_work(session, user, reading=True)
            visit = session.get(Visit, visit_id)
            if visit is None:
                raise NotFound("找不到该登记记录。")
            audit.record(
                session,
                at=self._clock.now(),
                officer_id=actor.id,
                action=action,
                entity_type="visit",
                entity_id=visit.serial,
                after=audit_after(purpose, detail),
            )
            return str(getattr(visit, field))

    # ---- list rows and the detail -------------------------------------------------------

    def _rows(self, session: Session, query: Any, today: dt.date) -> list[VisitRow]:
        return self._build_rows(session, session.execute(query).all(), today)

    def _build_rows(self, session: Session, found: Sequence[Any], today: dt.date) -> list[VisitRow]:
        """List rows from ``row_query`` result rows (extra columns after its own are ignored)."""
        if not found:
            return []
        soon = self._due_soon(session, today)
        open_ids = [r.id for r in found if VisitStatus(r.status).is_open]
        late = late_supplements(session, open_ids, today)
        return [visit_row(r, soon, today, late) for r in found]

    def _due_soon(self, session: Session, today: dt.date) -> dt.date:
        """The due-soon limit of ``today``, computed once until the holiday table changes.

        Every list needs it; loading the calendar costs two statements. An edit through any
        session of this process invalidates it at once, another counter's within minutes.
        """
        key = (today, _calendar_edits)
        cached = self._soon_cache
        now = time.monotonic()
        if cached is not None and cached[0] == key and now - cached[1] < CALENDAR_REUSE_SECONDS:
            return cached[2]
        soon = due_soon_limit(load_calendar(session), today)
        self._soon_cache = (key, now, soon)
        return soon

    def detail_in(self, session: Session, visit: Visit) -> VisitDetail:
        """A visit's detail inside the caller's transaction (after ``register_in``)."""
        return self._detail(session, visit)

    def _detail(self, session: Session, visit: Visit) -> VisitDetail:
        session.flush()
        tz = ZoneInfo(load_station(session).timezone)
        today = self._clock.now().astimezone(tz).date()
        soon = self._due_soon(session, today)
        row = visit_row(session.execute(row_query().where(Visit.id == visit.id)).one(), soon, today)
        version = session.get(ServiceItemVersion, visit.service_version_id)
        assert version is not None
        item = session.get(ServiceItem, version.item_id)
        assert item is not None
        first = session.get(Officer, visit.first_officer_id)
        owner = session.get(Officer, visit.owner_id)
        assert first is not None and owner is not None
        names = {i: n for i, n in session.execute(select(Officer.id, Officer.name))}
        transitions = tuple(
            TransitionRow(
                at=t.at,
                officer_name=names.get(t.officer_id, ""),
                from_status=VisitStatus(t.from_status) if t.from_status else None,
                to_status=VisitStatus(t.to_status),
                reason=t.reason,
            )
            for t in session.scalars(
                select(VisitTransition)
                .where(VisitTransition.visit_id == visit.id)
                .order_by(VisitTransition.at, VisitTransition.id)
            )
        )
        handovers = tuple(
            handover_row(r)
            for r in session.execute(
                handover_query().where(Handover.visit_id == visit.id).order_by(Handover.created_at)
            )
        )
        warning = ""
        if visit.due_assumed and visit.due_date is not None:
            warning = (
                f"{visit.due_date.year}年的节假日安排尚未录入完整，期限按周一至周五估算，"
                "请在“节假日设置”中补录并确认。"
            )
        return VisitDetail(
            row=row,
            id_type=IdType(visit.id_type),
            channel=Channel(visit.channel),
            summary=visit.summary,
            in_scope=visit.in_scope,
            service_item_id=item.id,
            service_version_id=version.id,
            service_code=item.code,
            time_limit_text=time_limit_text(version.time_limit_value, version.time_limit_unit),
            time_limit_unit=version.time_limit_unit,
            started_at=visit.started_at,
            ended_at=visit.ended_at,
            times_by_hand=tuple(
                which
                for which in ("arrived", "started", "ended")
                if getattr(visit, f"{which}_by_hand")
            ),
            accepted_at=visit.accepted_at,
            paused=visit.paused_at is not None,
            remaining_days=visit.remaining_days,
            due_warning=warning,
            result=visit.result,
            guided_unit=visit.guided_unit,
            guided_address=visit.guided_address,
            guided_phone=visit.guided_phone,
            refusal_reason=visit.refusal_reason,
            refusal_redress=visit.refusal_redress,
            refusal_lines=(
                tuple(visit_refusal_paragraphs(visit))
                if visit.status == VisitStatus.REFUSED
                else ()
            ),
            refusal_unsigned=visit.refusal_unsigned or "",
            void_reason=visit.void_reason,
            first_officer_badge=first.badge_no,
            owner_badge=owner.badge_no,
            transitions=transitions,
            handovers=handovers,
        )


# Another counter's holiday edits reach this process's due-soon colouring within this time.
CALENDAR_REUSE_SECONDS = 300.0
_calendar_edits = 0


@event.listens_for(Session, "after_flush")
def _watch_calendar_edits(session: Session, _context: Any) -> None:
    """Count flushes that change the holiday table, so cached due-soon limits are renewed."""
    global _calendar_edits
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(o, (HolidayOverride, CalendarYear)) for o in changed):
        _calendar_edits += 1
