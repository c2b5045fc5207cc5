"""Reading a day's ledger, and what every part of the ledger service shares: who may read it,
the station's today, and when today may be reviewed."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.dto import SessionUser
from app.core.errors import PermissionDenied
from app.core.roles import Permission, Role, allows
from app.core.service_base import ServiceBase, load_station
from app.ledger._build import after_review_sections, build_day
from app.ledger._stored_copy import canonical, from_json
from app.ledger.dto import Ledger, LedgerRow, LedgerSection, ReviewInfo
from db.models import Addendum, DayReview, Officer, Signature


def addenda_of(session: Session, day: dt.date) -> Iterable[Addendum]:
    return session.scalars(select(Addendum).where(Addendum.day == day).order_by(Addendum.at))


class LedgerBase(ServiceBase):
    """The day's ledger as shown (the reviewed copy once locked), and the shared checks."""

    def ledger(self, user: SessionUser, day: dt.date, officer_id: int | None = None) -> Ledger:
        """The day's ledger (the reviewed copy once locked), optionally for one officer."""
        with self._sessions.begin() as session:
            actor = self._supervisor(session, user)
            return self._ledger(session, actor, day, officer_id)

    def officers(self, user: SessionUser) -> list[tuple[int, str]]:
        """Officers for the filter."""
        with self._sessions.begin() as session:
            self._supervisor(session, user)
            return [
                (o.id, f"{o.name}（{Role(o.role).label}）")
                for o in session.scalars(select(Officer).order_by(Officer.badge_no))
                if Role(o.role) is not Role.ADMIN
            ]

    # ---- internals ------------------------------------------------------------------

    def _supervisor(self, session: Session, user: SessionUser) -> Officer:
        actor = self._officer(session, user)
        if not allows(Role(actor.role), Permission.VIEW_ALL_VISITS):
            raise PermissionDenied("每日台账由所长、副所长查看和审核。")
        return actor

    def _today(self, session: Session) -> dt.date:
        return self._clock.now().astimezone(ZoneInfo(load_station(session).timezone)).date()

    def _review_blocked(self, session: Session, day: dt.date) -> str:
        """Today is reviewed from the closing hour on, so the lock never stops the counter."""
        station = load_station(session)
        local = self._clock.now().astimezone(ZoneInfo(station.timezone))
        hour, minute = (int(x) for x in station.review_after.split(":"))
        if day != local.date() or local.time() >= dt.time(hour, minute):
            return ""
        return (
            f"今日台账须在 {station.review_after}（窗口下班）以后审核：当天还在接待群众。"
            "审核只锁定审核时刻以前的记录，审核后再登记的事项照常办理，"
            "列入次日台账的“上一日审核后记录”，由次日审核签字。"
        )

    def _ledger(
        self, session: Session, actor: Officer | None, day: dt.date, officer_id: int | None
    ) -> Ledger:
        station = load_station(session)
        review = session.scalars(select(DayReview).where(DayReview.day == day)).first()
        names = {i: n for i, n in session.execute(select(Officer.id, Officer.name))}
        if review is not None:
            sections, summary = from_json(review.content_json)
            info = _review_info(session, review)
            sha = review.content_sha256
            after = tuple(
                LedgerSection(x.key, f"审核后·{x.title}", x.columns, x.rows, x.widths)
                for x in after_review_sections(session, station, actor, review)
            )
        else:
            sections, summary = build_day(session, station, actor, day)
            sha = hashlib.sha256(canonical(sections, summary).encode("utf-8")).hexdigest()
            info = None
            after = ()
        corrections = _corrections(session, day, names)
        label = ""
        if officer_id is not None:
            label = names.get(officer_id, "")
            after = _only_officer(after, officer_id)
            sections = _only_officer(sections, officer_id)
        return Ledger(
            day=day,
            station_name=station.name,
            sections=sections,
            summary=summary,
            content_sha256=sha,
            review=info,
            corrections=corrections,
            officer_filter=label,
            generated_at=self._clock.now(),
            after_review=after,
            review_blocked="" if review is not None else self._review_blocked(session, day),
        )


def _review_info(session: Session, review: DayReview) -> ReviewInfo:
    """Who reviewed the day, when, with what comment and signature."""
    reviewer = session.get(Officer, review.reviewed_by_id)
    sig = session.scalars(
        select(Signature).where(
            Signature.document_type == "ledger", Signature.document_id == review.id
        )
    ).first()
    return ReviewInfo(
        reviewer=reviewer.name if reviewer else "",
        reviewer_role=Role(reviewer.role).label if reviewer else "",
        reviewed_at=review.reviewed_at,
        comment=review.comment,
        signature_png=sig.png if sig is not None else b"",
        content_sha256=review.content_sha256,
        audit_head_id=review.audit_head_id,
        audit_head_hash=review.audit_head_hash,
    )


def _corrections(session: Session, day: dt.date, names: dict[int, str]) -> tuple[LedgerRow, ...]:
    """The corrections of ``day`` (made later), as the ledger lists them."""
    return tuple(
        LedgerRow(
            (
                a.number,
                a.made_on.isoformat(),
                a.entity_label,
                a.field_label,
                a.old_value,
                a.new_value,
                a.reason,
                names.get(a.officer_id, ""),
            ),
            True,
            (a.officer_id,),
            a.entity_id,
        )
        for a in addenda_of(session, day)
    )


def _only_officer(
    sections: tuple[LedgerSection, ...], officer_id: int
) -> tuple[LedgerSection, ...]:
    """The sections with only the rows that concern ``officer_id``."""
    return tuple(
        LedgerSection(
            s.key,
            s.title,
            s.columns,
            tuple(r for r in s.rows if officer_id in r.officer_ids),
            s.widths,
        )
        for s in sections
    )
