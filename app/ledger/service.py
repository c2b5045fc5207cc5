"""每日台账: the chief's daily ledger — read, review and sign, lock; corrections as addenda.

A day's ledger is a list of sections (visits, handovers, notices and breaches, pledges due,
ratings, callbacks, rectifications, complaints, corrections) and a summary block. The same
``Ledger`` drives the page, the PDF and the Excel export. Reviewing stores the ledger exactly
as the chief saw and signed it (JSON + SHA-256); from then on the day is locked by
``app.core.day_lock`` and the ledger of that day is shown from the stored copy, followed by the
corrections made later.

A day still in progress: today can be reviewed only from the station's closing hour
(``Station.review_after``). The review covers the record up to its own time. A walk-in after
it is still registered (a counter never turns a citizen away because of the paperwork): such
records are listed under the locked day as 审核后记录 (not signed) and carried into the next
day's ledger, where the next review signs them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, or_, select, union
from sqlalchemy.orm import Session

from app.core import audit, day_lock, text_limits
from app.core.dto import SessionUser
from app.core.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from app.core.identity import IdType, check_citizen_name, check_phone, mask_id, mask_phone
from app.core.print_log import station_copy_no, station_print_after
from app.core.roles import Permission, Role, allows
from app.core.service_base import ServiceBase
from app.core.signatures import store_signature
from app.core.validation import clean_text
from app.ledger.dto import AddendumRow, PendingDay, ReviewInfo
from app.ledger.dto import Ledger as Ledger
from app.ledger.dto import LedgerRow as LedgerRow
from app.ledger.dto import LedgerSection as LedgerSection
from app.ledger.dto import ReviewSignature as ReviewSignature
from app.ratings.service import LEVELS, PNG_MAGIC, SMS_REPLY_LABEL, rating_is_bad
from app.visits.dto import HANDOVER_STATE_LABELS
from app.visits.rules import STATUS_LABELS, VisitStatus
from app.visits.service import next_number
from db.models import (
    Addendum,
    AuditHead,
    Callback,
    CallbackAttempt,
    Complaint,
    DayReview,
    Handover,
    Notice,
    NoticeBreach,
    NoticeItem,
    Officer,
    Rating,
    Rectification,
    ServiceItemVersion,
    Signature,
    Station,
    Visit,
    VisitTransition,
)
from db.queries import finished_between, open_at

OUTCOMES = {
    "reached": "接通",
    "no_answer": "无人接听",
    "wrong_number": "号码错误",
    "refused": "拒绝回访",
}
RECT_STATES = {"open": "待核实", "verified": "整改中", "rectified": "待销号", "closed": "已销号"}
COMPLAINT_STATES = {
    "received": "待核实",
    "verified": "待处理",
    "handled": "待答复",
    "replied": "待办结",
    "closed": "已办结",
}
# Corrections the ledger accepts: field → label. "void" voids a visit still only registered.
CORRECTABLE = {
    "citizen_name": "群众姓名",
    "phone": "联系电话",
    "summary": "事由摘要",
    "void": "作废登记",
}
MAX_REMINDER_DAYS = 60


def _hm(at: dt.datetime | None, tz: ZoneInfo) -> str:
    return at.astimezone(tz).strftime("%H:%M") if at is not None else ""


def _end_text(at: dt.datetime | None, day: dt.date, tz: ZoneInfo) -> str:
    """The end time; with its date when the matter ended on a later day."""
    if at is None:
        return ""
    local = at.astimezone(tz)
    return local.strftime("%H:%M") if local.date() == day else local.strftime("%m-%d %H:%M")


def _pct(part: int, whole: int) -> str:
    return f"{part * 100 / whole:.1f}%" if whole else "—"


class LedgerService(ServiceBase):
    """Daily ledger, review and lock, unreviewed-day reminders, corrections."""

    # ---- reading --------------------------------------------------------------------

    def ledger(self, user: SessionUser, day: dt.date, officer_id: int | None = None) -> Ledger:
        """The day's ledger (the reviewed copy once locked), optionally for one officer."""
        with self._sessions.begin() as session:
            actor = self._supervisor(session, user)
            return self._ledger(session, actor, day, officer_id)

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
                station = _station(session)
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
                station = _station(session)
                days[today] = PendingDay(
                    today, days[today].visits, f"{station.review_after} 后可审核"
                )
            return [days[d] for d in sorted(days)]

    def sign_day_in(
        self,
        session: Session,
        actor: Officer,
        day: dt.date,
        now: dt.datetime,
        comment: str,
        signature: ReviewSignature,
        ledger: Ledger | None = None,
        import_number: str = "",
    ) -> str:
        """Review and lock ``day`` inside the caller's transaction: the ledger as this code
        builds it, kept with its hash and the chain's head, the signature, a day_reviewed
        event (naming the historical import that filled the day, if one did). Returns the
        signature's hash.
        The caller has checked who signs and that the day may be signed."""
        if ledger is None:
            ledger = self._ledger(session, actor, day, None)
        # The chain as it stands before this review's own event: kept and printed, so
        # events removed from its end later are missed (``stationdesk check``).
        head = session.get(AuditHead, 1)
        assert head is not None
        review = DayReview(
            day=day,
            reviewed_by_id=actor.id,
            reviewed_at=now,
            comment=comment,
            content_json=_content_json(ledger),
            content_sha256=ledger.content_sha256,
            audit_head_id=head.last_id,
            audit_head_hash=head.last_hash,
        )
        session.add(review)
        session.flush()
        image_sha256 = store_signature(
            session,
            document_type="ledger",
            document_id=review.id,
            signer_name=actor.name,
            signed_at=now,
            content_sha256=ledger.content_sha256,
            strokes=signature.strokes,
            png=signature.png,
        )
        audit.record(
            session,
            at=now,
            officer_id=actor.id,
            action="day_reviewed",
            entity_type="ledger",
            entity_id=day.isoformat(),
            after={
                "sha256": ledger.content_sha256,
                "rows": ledger.row_count,
                "signature": image_sha256,
                # The citizens' signatures on the notices this ledger lists: a signature
                # image later swapped with another one is told by these.
                "notice_signatures": _notice_signatures(session, ledger),
                **({"import": import_number} if import_number else {}),
            },
        )
        return image_sha256

    def officers(self, user: SessionUser) -> list[tuple[int, str]]:
        """Officers for the filter."""
        with self._sessions.begin() as session:
            self._supervisor(session, user)
            return [
                (o.id, f"{o.name}（{Role(o.role).label}）")
                for o in session.scalars(select(Officer).order_by(Officer.badge_no))
                if Role(o.role) is not Role.ADMIN
            ]

    def addenda(self, user: SessionUser, day: dt.date) -> list[AddendumRow]:
        """Corrections of a day (made later), oldest first."""
        with self._sessions.begin() as session:
            self._supervisor(session, user)
            return [_addendum_row(session, a) for a in _addenda_of(session, day)]

    # ---- review and lock ------------------------------------------------------------

    def review(
        self,
        user: SessionUser,
        day: dt.date,
        expected_sha256: str,
        comment: str,
        signature: ReviewSignature,
    ) -> Ledger:
        """The chief (or a deputy) signs the day as shown; from then on it is read-only."""
        text = clean_text(
            comment,
            field="comment",
            label="审核意见",
            max_len=text_limits.REVIEW_COMMENT,
            required=False,
        )
        if not any(len(s) >= 2 for s in signature.strokes) or not signature.png.startswith(
            PNG_MAGIC
        ):
            raise ValidationError("请在签字板上签名后再确认审核。", "signature")
        with self._writing() as session:
            actor = self._officer(session, user)
            if not allows(Role(actor.role), Permission.VIEW_ALL_VISITS):
                raise PermissionDenied(
                    f"{Role(actor.role).label}不能审核台账，台账由所长或副所长审核签字。"
                )
            today = self._today(session)
            if day > today:
                raise ValidationError("不能审核未来的日期。", "day")
            blocked = self._review_blocked(session, day)
            if blocked:
                raise ValidationError(blocked, "day")
            if session.scalars(select(DayReview.id).where(DayReview.day == day)).first():
                raise ConflictError(f"{day.isoformat()} 的台账已经审核过，不能重复审核。")
            ledger = self._ledger(session, actor, day, None)
            if ledger.content_sha256 != expected_sha256:
                raise ConflictError("台账内容刚有变化（有新的登记或办理），请刷新后重新审核签字。")
            self.sign_day_in(session, actor, day, self._clock.now(), text, signature, ledger)
            session.flush()
            return self._ledger(session, actor, day, None)

    def export_xlsx(
        self, user: SessionUser, day: dt.date, path: Path, officer_id: int | None = None
    ) -> Ledger:
        """The ledger as an .xlsx file, written whole or not at all, and audited."""
        from app.exports.files import check_target
        from app.exports.xlsx import write_workbook
        from app.ledger.export import ledger_sheets

        target = check_target(Path(path), ".xlsx", "Excel 台账")
        ledger = self.ledger(user, day, officer_id)
        timezone = self.settings_timezone()

        @contextmanager
        def audited() -> Iterator[None]:
            with self._writing() as session:
                actor = self._supervisor(session, user)
                audit.record(
                    session,
                    at=self._clock.now(),
                    officer_id=actor.id,
                    action="ledger_exported",
                    entity_type="ledger",
                    entity_id=day.isoformat(),
                    after={"format": "xlsx", "path": str(target), "rows": ledger.row_count},
                )
                yield

        write_workbook(
            target,
            ledger_sheets(ledger, timezone),
            title=f"每日台账 {day.isoformat()}",
            guard=audited,
        )
        return ledger

    def settings_timezone(self) -> str:
        """The station's time zone (for printing times)."""
        with self._sessions.begin() as session:
            return _station(session).timezone

    def print_copy_no(self, user: SessionUser, day: dt.date) -> int:
        """Which print of the day's ledger the next one is (2 and later: 补打 on the paper)."""
        with self._sessions.begin() as session:
            self._supervisor(session, user)
            return station_copy_no(session, "ledger", day.isoformat())

    def record_print(
        self,
        user: SessionUser,
        day: dt.date,
        what: str,
        via: str = "gui",
        copy_no: int | None = None,
    ) -> None:
        """Audit a print or export of the ledger that came out, under the chief or deputy
        (``via`` "cli": ``stationdesk print ledger``). ``copy_no``: the number the paper
        carries (``print_copy_no``); a print logged meanwhile elsewhere makes this the next."""
        if via not in ("gui", "cli"):
            raise ValueError(f"unknown print channel {via!r}")
        with self._writing() as session:
            officer_id = self._supervisor(session, user).id
            after: dict[str, Any] = {"format": what, "via": via}
            if what != "xlsx":
                after = station_print_after(session, "ledger", day.isoformat(), copy_no, via)
                after["format"] = what
            audit.record(
                session,
                at=self._clock.now(),
                officer_id=officer_id,
                action="ledger_exported" if what == "xlsx" else "ledger_printed",
                entity_type="ledger",
                entity_id=day.isoformat(),
                after=after,
            )

    # ---- corrections ----------------------------------------------------------------

    def correct(
        self, user: SessionUser, visit_id: int, field_name: str, new_value: str, reason: str
    ) -> AddendumRow:
        """更正记录 of a visit registered on a reviewed day: who, when, why, what changed."""
        if field_name not in CORRECTABLE:
            raise ValidationError("只能更正群众姓名、联系电话、事由摘要，或作废登记。", "field")
        why = clean_text(reason, field="reason", label="更正原因", max_len=text_limits.NOTE)
        if len(why) < 4:
            raise ValidationError("请写明更正原因（至少 4 个字）。", "reason")
        with self._writing() as session:
            actor = self._officer(session, user)
            visit = session.get(Visit, visit_id)
            if visit is None:
                raise NotFound("找不到该登记记录。")
            supervisor = allows(Role(actor.role), Permission.VIEW_ALL_VISITS)
            if not supervisor and actor.id not in (visit.first_officer_id, visit.owner_id):
                raise PermissionDenied("只有首接民警、当前负责民警或所领导可以登记更正。")
            locked = session.scalars(
                select(DayReview).where(DayReview.day == visit.local_date)
            ).first()
            if locked is None:
                raise ConflictError(
                    f"{visit.local_date.isoformat()} 的台账尚未审核锁定，无需登记更正记录。"
                )
            station = _station(session)
            old, new, apply = _plan_correction(session, visit, field_name, new_value, why)
            if old == new:
                raise ValidationError("更正后的内容与原内容相同。", "new_value")
            now = self._clock.now()
            today = now.astimezone(ZoneInfo(station.timezone)).date()
            seq = next_number(session, "addendum", today.year)
            addendum = Addendum(
                number=f"{station.code}-GZJL-{today.year}-{seq:05d}",
                year=today.year,
                seq=seq,
                day=visit.local_date,
                made_on=today,
                at=now,
                officer_id=actor.id,
                entity_type="visit",
                entity_id=visit.id,
                entity_label=visit.serial,
                field=field_name,
                field_label=CORRECTABLE[field_name],
                old_value=old,
                new_value=new,
                reason=why,
            )
            # The addendum is written before the visit changes: the database lets a locked
            # registration change only while the newest addendum is of that visit.
            session.add(addendum)
            session.flush()
            # Only this path may change a locked day's registration.
            session.info[day_lock.CORRECTION_KEY] = True
            try:
                apply()
                session.flush()
            finally:
                session.info[day_lock.CORRECTION_KEY] = False
            audit.record(
                session,
                at=now,
                officer_id=actor.id,
                action="correction_recorded",
                entity_type="visit",
                entity_id=visit.serial,
                before={field_name: old},
                after={field_name: new, "reason": why, "addendum": addendum.number},
            )
            return _addendum_row(session, addendum)

    # ---- internals ------------------------------------------------------------------

    def _supervisor(self, session: Session, user: SessionUser) -> Officer:
        actor = self._officer(session, user)
        if not allows(Role(actor.role), Permission.VIEW_ALL_VISITS):
            raise PermissionDenied("每日台账由所长、副所长查看和审核。")
        return actor

    def _today(self, session: Session) -> dt.date:
        return self._clock.now().astimezone(ZoneInfo(_station(session).timezone)).date()

    def _review_blocked(self, session: Session, day: dt.date) -> str:
        """Today is reviewed from the closing hour on, so the lock never stops the counter."""
        station = _station(session)
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
        station = _station(session)
        review = session.scalars(select(DayReview).where(DayReview.day == day)).first()
        names = {i: n for i, n in session.execute(select(Officer.id, Officer.name))}
        if review is not None:
            sections, summary = _from_json(review.content_json)
            reviewer = session.get(Officer, review.reviewed_by_id)
            sig = session.scalars(
                select(Signature).where(
                    Signature.document_type == "ledger", Signature.document_id == review.id
                )
            ).first()
            info = ReviewInfo(
                reviewer=reviewer.name if reviewer else "",
                reviewer_role=Role(reviewer.role).label if reviewer else "",
                reviewed_at=review.reviewed_at,
                comment=review.comment,
                signature_png=sig.png if sig is not None else b"",
                content_sha256=review.content_sha256,
                audit_head_id=review.audit_head_id,
                audit_head_hash=review.audit_head_hash,
            )
            sha = review.content_sha256
            after = tuple(
                LedgerSection(x.key, f"审核后·{x.title}", x.columns, x.rows, x.widths)
                for x in after_review_sections(session, station, actor, review)
            )
        else:
            sections, summary = _build(session, station, actor, day)
            sha = hashlib.sha256(_canonical(sections, summary).encode("utf-8")).hexdigest()
            info = None
            after = ()
        corrections = tuple(
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
            for a in _addenda_of(session, day)
        )
        label = ""
        if officer_id is not None:
            label = names.get(officer_id, "")
            after = tuple(
                LedgerSection(
                    x.key,
                    x.title,
                    x.columns,
                    tuple(r for r in x.rows if officer_id in r.officer_ids),
                    x.widths,
                )
                for x in after
            )
            sections = tuple(
                LedgerSection(
                    s.key,
                    s.title,
                    s.columns,
                    tuple(r for r in s.rows if officer_id in r.officer_ids),
                    s.widths,
                )
                for s in sections
            )
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


# ---- building a day's ledger ---------------------------------------------------------


def _station(session: Session) -> Station:
    station = session.get(Station, 1)
    if station is None:
        raise NotFound("本数据库尚未初始化。")
    return station


STEP_COLUMNS = ("时间", "事项编号", "状态变更", "民警", "说明")
STEP_WIDTHS = (1.2, 2.4, 2.6, 1.2, 4)


def _bounds(day: dt.date, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    lo = dt.datetime.combine(day, dt.time(), tz).astimezone(dt.UTC)
    return lo, lo + dt.timedelta(days=1)


def _steps(
    session: Session, lo: dt.datetime, hi: dt.datetime, tz: ZoneInfo, day: dt.date, names: dict
) -> LedgerSection:
    """Status changes recorded in [lo, hi), on matters of any day (registrations excluded)."""
    rows = [
        LedgerRow(
            (
                _end_text(t.at, day, tz),
                serial,
                f"{STATUS_LABELS[VisitStatus(t.from_status)]} → "
                f"{STATUS_LABELS[VisitStatus(t.to_status)]}",
                names.get(t.officer_id, ""),
                t.reason,
            ),
            False,
            (t.officer_id,),
            t.visit_id,
        )
        for t, serial in session.execute(
            select(VisitTransition, Visit.serial)
            .join(Visit, Visit.id == VisitTransition.visit_id)
            .where(
                VisitTransition.at >= lo,
                VisitTransition.at < hi,
                VisitTransition.from_status != "",
            )
            .order_by(VisitTransition.at, VisitTransition.id)
        )
    ]
    return LedgerSection("steps", "办理进展", STEP_COLUMNS, tuple(rows), STEP_WIDTHS)


def after_review_sections(
    session: Session, station: Station, actor: Officer | None, review: DayReview
) -> tuple[LedgerSection, ...]:
    """What was recorded on a reviewed day after its review, section by section."""
    sections, _summary = _build(session, station, actor, review.day, since=review.reviewed_at)
    return sections


def _carried_after_review(
    session: Session, station: Station, actor: Officer | None, day: dt.date
) -> tuple[LedgerSection, ...]:
    """The latest reviewed day before ``day``: what came after its review, to sign now."""
    review = session.scalars(
        select(DayReview).where(DayReview.day < day).order_by(DayReview.day.desc()).limit(1)
    ).first()
    if review is None:
        return ()
    return tuple(
        LedgerSection(
            f"prior_{x.key}",
            f"{review.day.isoformat()} 审核后·{x.title}",
            x.columns,
            x.rows,
            x.widths,
        )
        for x in after_review_sections(session, station, actor, review)
    )


def _build(
    session: Session,
    station: Station,
    actor: Officer | None,
    day: dt.date,
    since: dt.datetime | None = None,
) -> tuple[tuple[LedgerSection, ...], tuple[tuple[str, str], ...]]:
    """The day's sections and summary; with ``since``, only what was recorded after it.

    ``since`` is the time of the day's review: the records made later that day, section by
    section (plus the status changes), with no summary — what the review did not sign.
    """
    tz = ZoneInfo(station.timezone)
    lo, hi = _bounds(day, tz)
    if since is not None:
        lo = max(lo, since + dt.timedelta(microseconds=1))
    after_review = since is not None
    names = {i: n for i, n in session.execute(select(Officer.id, Officer.name))}
    matter = {
        i: n for i, n in session.execute(select(ServiceItemVersion.id, ServiceItemVersion.name))
    }

    # Visits registered that day.
    visit_query = select(Visit).where(Visit.local_date == day).order_by(Visit.arrived_at, Visit.id)
    if after_review:
        visit_query = visit_query.where(Visit.created_at >= lo)
    visits = list(session.scalars(visit_query))
    end_of_day = day
    visit_rows = []
    overdue_today = 0
    for v in visits:
        status = VisitStatus(v.status)
        overdue = (
            status is VisitStatus.IN_PROGRESS and v.due_date is not None and v.due_date < end_of_day
        )
        overdue_today += overdue
        visit_rows.append(
            LedgerRow(
                (
                    v.serial,
                    _hm(v.arrived_at, tz),
                    _hm(v.started_at, tz),
                    _end_text(v.ended_at, day, tz),
                    v.citizen_name,
                    mask_id(v.id_number) if v.id_number else "",
                    matter.get(v.service_version_id, ""),
                    names.get(v.first_officer_id, ""),
                    names.get(v.owner_id, ""),
                    STATUS_LABELS[status],
                    v.due_date.isoformat() if v.due_date else "",
                    "逾期" if overdue else "",
                    v.counter,
                ),
                overdue,
                tuple({v.first_officer_id, v.owner_id}),
                v.id,
            )
        )
    # Every other section's records first, then the serial numbers they name in one query.
    handover_list = list(
        session.scalars(
            select(Handover)
            .where(Handover.created_at >= lo, Handover.created_at < hi)
            .order_by(Handover.created_at)
        )
    )
    notice_query = select(Notice).where(Notice.local_date == day).order_by(Notice.id)
    if after_review:
        notice_query = notice_query.where(Notice.issued_at >= lo)
    notices = list(session.scalars(notice_query))
    owed = _owed(session, [n.id for n in notices])
    breaches = session.execute(
        select(NoticeBreach, Notice.number, Notice.visit_id)
        .join(Notice, Notice.id == NoticeBreach.notice_id)
        .where(NoticeBreach.local_date == day, NoticeBreach.at >= lo)
        .order_by(NoticeBreach.at)
    ).all()
    # Pledges whose supplement deadline is that day (a deadline is not something recorded
    # after the review).
    pledge_list = (
        []
        if after_review
        else list(
            session.scalars(
                select(Notice)
                .where(
                    # Every state (the check constraint's): the (state, deadline) index.
                    Notice.state.in_(("open", "fulfilled", "voided")),
                    Notice.kind == "pledge",
                    Notice.supplement_deadline == day,
                )
                .order_by(Notice.id)
            )
        )
    )
    ratings = list(
        session.scalars(
            select(Rating)
            .where(Rating.local_date == day, Rating.kind == "on_site", Rating.rated_at >= lo)
            .order_by(Rating.rated_at)
        )
    )
    attempts = session.execute(
        select(CallbackAttempt, Callback)
        .join(Callback, Callback.id == CallbackAttempt.callback_id)
        .where(CallbackAttempt.local_date == day, CallbackAttempt.at >= lo)
        .order_by(CallbackAttempt.at)
    ).all()
    rated_ids = [c.rating_id for _, c in attempts if c.rating_id]
    callback_ratings = (
        {r.id: r for r in session.scalars(select(Rating).where(Rating.id.in_(rated_ids)))}
        if rated_ids
        else {}
    )
    # Rectifications opened that day, or overdue on it: each by its own index, united (an OR
    # of the three lets SQLite read every rectification ever instead).
    rect_ids = [
        select(Rectification.id).where(Rectification.opened_at >= lo, Rectification.opened_at < hi)
    ]
    if not after_review:
        rect_ids += [
            # Not closed, spelled as the other states: the (state, due) index.
            select(Rectification.id).where(
                Rectification.state.in_(("open", "verified", "rectified")),
                Rectification.rectify_due < day,
            ),
            select(Rectification.id).where(
                Rectification.state == "open", Rectification.verify_due < day
            ),
        ]
    rects = list(
        session.scalars(
            select(Rectification)
            .where(Rectification.id.in_(union(*rect_ids)))
            .order_by(Rectification.opened_at, Rectification.id)
        )
    )
    serial_of = _serials(
        session,
        {v.id: v.serial for v in visits},
        (
            *(h.visit_id for h in handover_list),
            *(n.visit_id for n in notices),
            *(visit_id for _b, _number, visit_id in breaches),
            *(n.visit_id for n in pledge_list),
            *(r.visit_id for r in ratings),
            *(c.visit_id for _a, c in attempts),
            *(rc.visit_id for rc in rects),
        ),
    )

    def serial(visit_id: int) -> str:
        return serial_of.get(visit_id, "")

    # Handovers offered that day.
    handovers = [
        LedgerRow(
            (
                serial(h.visit_id),
                _hm(h.created_at, tz),
                names.get(h.from_officer_id, ""),
                names.get(h.to_officer_id, ""),
                h.reason,
                HANDOVER_STATE_LABELS.get(h.state, h.state),
            ),
            h.state == "pending",
            (h.from_officer_id, h.to_officer_id),
            h.visit_id,
        )
        for h in handover_list
    ]

    # Notices issued and breaches recorded that day.
    notice_rows = []
    for n in notices:
        notice_rows.append(
            LedgerRow(
                (
                    n.number,
                    "容缺承诺" if n.kind == "pledge" else "一次性告知",
                    serial(n.visit_id),
                    names.get(n.officer_id, ""),
                    f"{owed.get(n.id, 0)} 项",
                    n.supplement_deadline.isoformat() if n.supplement_deadline else "",
                    {"open": "待补正", "fulfilled": "已补齐", "voided": "已作废"}[n.state],
                ),
                False,
                (n.officer_id,),
                n.visit_id,
            )
        )
    for b, notice_number, notice_visit_id in breaches:
        notice_rows.append(
            LedgerRow(
                (
                    notice_number,
                    f"超出告知范围：{b.item_name}",
                    serial(notice_visit_id),
                    names.get(b.issuer_id, ""),
                    "",
                    "",
                    b.reason,
                ),
                True,
                (b.issuer_id, b.officer_id),
                notice_visit_id,
            )
        )

    pledges = [
        LedgerRow(
            (
                n.number,
                serial(n.visit_id),
                names.get(n.officer_id, ""),
                n.supplement_deadline.isoformat() if n.supplement_deadline else "",
                {"open": "待补正", "fulfilled": "已补齐", "voided": "已作废"}[n.state],
            ),
            n.state == "open",
            (n.officer_id,),
            n.visit_id,
        )
        for n in pledge_list
    ]

    # On-site ratings that day.
    rating_rows = []
    rated = satisfied = strict = bad_count = 0
    for r in ratings:
        dims = {k: int(v) for k, v in json.loads(r.dimensions_json or "{}").items()}
        bad = rating_is_bad(r)
        bad_count += bad
        if not r.declined and r.overall is not None:
            rated += 1
            satisfied += r.overall >= 3
            strict += r.overall >= 4
        rating_rows.append(
            LedgerRow(
                (
                    _hm(r.rated_at, tz),
                    serial(r.visit_id),
                    names.get(r.rated_officer_id, ""),
                    "拒绝评价" if r.declined else LEVELS.get(r.overall or 0, ""),
                    "、".join(k for k, v in dims.items() if v <= 2),
                    r.comment,
                ),
                bad,
                (r.rated_officer_id,),
                r.visit_id,
            )
        )

    # Callback attempts made that day.
    callback_rows = []
    reached = 0
    for a, c in attempts:
        given = callback_ratings.get(c.rating_id or 0) if a.outcome == "reached" else None
        reached += a.outcome == "reached"
        level = ""
        if given is not None:
            level = "不愿评价" if given.declined else LEVELS.get(given.overall or 0, "")
        callback_rows.append(
            LedgerRow(
                (
                    _hm(a.at, tz),
                    "短信回访"
                    if a.via == "sms"
                    else "上门回访"
                    if c.kind == "home"
                    else "电话回访",
                    serial(c.visit_id),
                    names.get(a.officer_id, ""),
                    SMS_REPLY_LABEL if a.via == "sms" else OUTCOMES[a.outcome],
                    level,
                    "评价落差" if c.pressure and given is not None else "",
                ),
                bool(c.pressure and given is not None),
                (a.officer_id,),
                c.visit_id,
            )
        )

    rect_rows = []
    rect_overdue = 0
    for rc in rects:
        late = rc.state != "closed" and (
            rc.rectify_due < day or (rc.state == "open" and rc.verify_due < day)
        )
        rect_overdue += late
        rect_rows.append(
            LedgerRow(
                (
                    rc.number,
                    serial(rc.visit_id),
                    names.get(rc.rated_officer_id, ""),
                    names.get(rc.owner_id, ""),
                    RECT_STATES[rc.state],
                    rc.rectify_due.isoformat(),
                    "逾期" if late else "新开",
                ),
                late,
                (rc.rated_officer_id, rc.owner_id),
                rc.visit_id,
            )
        )

    # Complaints received that day, or overdue on it; never one about the viewer.
    query = (
        select(Complaint)
        .where(
            or_(
                Complaint.received_on == day,
                # The states still running a deadline (the index on state, not every complaint).
                Complaint.state.in_(("received", "verified", "handled"))
                & (
                    ((Complaint.state == "received") & (Complaint.verify_due < day))
                    | (Complaint.state.in_(("received", "verified")) & (Complaint.handle_due < day))
                    | (
                        Complaint.state.in_(("received", "verified", "handled"))
                        & (Complaint.reply_due < day)
                    )
                ),
            )
        )
        .order_by(Complaint.received_on, Complaint.id)
    )
    if after_review:
        query = select(Complaint).where(Complaint.recorded_at >= lo, Complaint.recorded_at < hi)
    if actor is not None:
        query = query.where(Complaint.officer_id.is_distinct_from(actor.id))
    complaint_rows = []
    complaints_new = praise_new = complaints_overdue = 0
    for cp in session.scalars(query):
        new_today = cp.received_on == day
        late = not new_today or _complaint_late(cp, day)
        if cp.kind == "praise":
            praise_new += new_today
        else:
            complaints_new += new_today
            complaints_overdue += late and cp.state != "closed"
        complaint_rows.append(
            LedgerRow(
                (
                    cp.number,
                    "表扬" if cp.kind == "praise" else "投诉",
                    cp.channel,
                    names.get(cp.officer_id or 0, "（未指明）"),
                    "已登记" if cp.kind == "praise" else COMPLAINT_STATES[cp.state],
                    "逾期" if late and cp.kind != "praise" else "新收",
                ),
                late and cp.kind != "praise",
                (cp.officer_id,) if cp.officer_id else (),
                cp.visit_id,
            )
        )

    # Corrections made that day (of earlier, reviewed days).
    addenda = [
        LedgerRow(
            (
                a.number,
                a.day.isoformat(),
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
        for a in session.scalars(
            select(Addendum).where(Addendum.made_on == day, Addendum.at >= lo).order_by(Addendum.at)
        )
    ]

    summary: tuple[tuple[str, str], ...] = ()
    if not after_review:
        # Matters finished that day (for the on-time rate), and carried-over open matters.
        finished = _finished_on(session, lo, hi)
        on_time = sum(1 for due, done in finished if due is None or _local(done, tz) <= due)
        # Open when the day began: registered before it, not finished or voided before it.
        carried_at = open_at(day, lo)
        carried, carried_overdue = session.execute(
            select(
                func.count(),
                func.coalesce(
                    func.sum(
                        case(
                            (
                                carried_at.c.due_date.is_not(None) & (carried_at.c.due_date < day),
                                1,
                            ),
                            else_=0,
                        )
                    ),
                    0,
                ),
            ).select_from(carried_at)
        ).one()
        summary = (
            (
                "登记",
                f"{len(visits)} 件（其中作废 {sum(v.status == 'voided' for v in visits)} 件）",
            ),
            (
                "当日办结",
                f"{len(finished)} 件，按期 {on_time} 件，按期率 {_pct(on_time, len(finished))}",
            ),
            ("上日结转在办", f"{carried} 件（其中已过办结期限 {carried_overdue} 件）"),
            ("当日登记逾期", f"{overdue_today} 件"),
            (
                "现场评价",
                f"{len(ratings)} 次，满意率 {_pct(satisfied, rated)}（非常满意+满意+基本满意），"
                f"严格满意率 {_pct(strict, rated)}（非常满意+满意），差评 {bad_count} 件",
            ),
            ("一次性告知", f"出具 {len(notices)} 份，超出告知范围 {len(breaches)} 次"),
            ("回访", f"{len(attempts)} 次，接通 {reached} 次"),
            ("整改督办", f"新开及逾期 {len(rects)} 件（逾期 {rect_overdue} 件）"),
            (
                "投诉表扬",
                f"新收投诉 {complaints_new} 件、表扬 {praise_new} 件；"
                f"逾期未结投诉 {complaints_overdue} 件",
            ),
            ("更正记录", f"{len(addenda)} 条"),
        )
    carried_after: tuple[LedgerSection, ...] = ()
    if not after_review:
        carried_after = _carried_after_review(session, station, actor, day)
    if carried_after:
        summary = (
            *summary,
            (
                "上日审核后记录",
                f"{sum(len(c.rows) for c in carried_after)} 条（前一审核日审核以后登记，"
                "本次审核一并签字）",
            ),
        )
    sections: tuple[LedgerSection, ...] = (
        LedgerSection(
            "visits", "接待登记",
            ("编号", "到达", "开始", "结束", "群众", "证件号码", "事项", "首接民警", "当前负责",
             "状态", "办结期限", "逾期", "窗口"),
            tuple(visit_rows), (2.4, 1, 1, 1, 1.3, 2.3, 3, 1.2, 1.2, 1.2, 1.6, 0.9, 1.1),
        ),
        LedgerSection(
            "handovers", "移交", ("事项编号", "时间", "移交人", "接收人", "原因", "状态"),
            tuple(handovers), (2.4, 1, 1.2, 1.2, 4, 1.2),
        ),
        LedgerSection(
            "notices", "一次性告知与超范围要求",
            ("告知单编号", "类型", "事项编号", "民警", "待补", "补正期限", "状态/原因"),
            tuple(notice_rows), (2.6, 2.6, 2.4, 1.2, 0.9, 1.6, 2.6),
        ),
        LedgerSection(
            "pledges", "容缺承诺到期", ("编号", "事项编号", "出具民警", "补正期限", "状态"),
            tuple(pledges), (2.6, 2.4, 1.2, 1.6, 1.2),
        ),
        LedgerSection(
            "ratings", "现场评价", ("时间", "事项编号", "办理民警", "总体评价", "差评项", "意见"),
            tuple(rating_rows), (1, 2.4, 1.2, 1.4, 2.4, 4),
        ),
        LedgerSection(
            "callbacks", "回访",
            ("时间", "方式", "事项编号", "回访民警", "结果", "评价", "预警"),
            tuple(callback_rows), (1, 1.3, 2.4, 1.2, 1.2, 1.4, 1.2),
        ),
        LedgerSection(
            "rectifications", "整改督办（新开及逾期）",
            ("编号", "事项编号", "被评价民警", "督办人", "状态", "整改期限", "标记"),
            tuple(rect_rows), (2.6, 2.4, 1.3, 1.2, 1.2, 1.6, 0.9),
        ),
        LedgerSection(
            "complaints", "投诉表扬（新收及逾期）",
            ("编号", "类别", "渠道", "涉及民警", "状态", "标记"),
            tuple(complaint_rows), (2.6, 0.9, 1.2, 1.3, 1.2, 0.9),
        ),
        LedgerSection(
            "addenda", "更正记录（当日登记）",
            ("编号", "原日期", "事项编号", "更正项", "原内容", "更正为", "原因", "登记人"),
            tuple(addenda), (2.4, 1.5, 2.4, 1.2, 2, 2, 3, 1.2),
        ),
    )  # fmt: skip
    if after_review:
        steps = _steps(session, lo, hi, tz, day, names)
        shown = tuple(x for x in sections if x.rows and x.key != "addenda")
        return (*shown, steps) if steps.rows else shown, ()
    sections = (*sections, *carried_after)
    return sections, summary


def _serials(session: Session, known: dict[int, str], visit_ids: Iterable[int]) -> dict[int, str]:
    """``known`` plus the serial numbers of the other ``visit_ids``, in one query."""
    missing = {i for i in visit_ids if i not in known}
    if missing:
        known.update(
            (i, serial)
            for i, serial in session.execute(
                select(Visit.id, Visit.serial).where(Visit.id.in_(missing))
            )
        )
    return known


def _owed(session: Session, notice_ids: list[int]) -> dict[int, int]:
    if not notice_ids:
        return {}
    return {
        i: n
        for i, n in session.execute(
            select(NoticeItem.notice_id, func.count())
            .where(NoticeItem.notice_id.in_(notice_ids), NoticeItem.state != "provided")
            .group_by(NoticeItem.notice_id)
        )
    }


def _complaint_late(c: Complaint, day: dt.date) -> bool:
    steps = (
        ("received", c.verify_due),
        ("verified", c.handle_due),
        ("handled", c.reply_due),
    )
    order = ("received", "verified", "handled", "replied", "closed")
    for state, due in steps:
        if due is not None and order.index(c.state) <= order.index(state) and due < day:
            return True
    return False


def _finished_on(
    session: Session, lo: dt.datetime, hi: dt.datetime
) -> list[tuple[dt.date | None, dt.datetime]]:
    """Due date and time of the visits finished in [lo, hi) (``db.queries.finished_between``)."""
    return [
        (due, at)
        for _visit_id, at, due in session.execute(finished_between(lo, hi, Visit.due_date))
    ]


def _local(at: dt.datetime | None, tz: ZoneInfo) -> dt.date:
    return at.astimezone(tz).date() if at is not None else dt.date.max


def _addenda_of(session: Session, day: dt.date) -> Iterable[Addendum]:
    return session.scalars(select(Addendum).where(Addendum.day == day).order_by(Addendum.at))


def _addendum_row(session: Session, a: Addendum) -> AddendumRow:
    officer = session.get(Officer, a.officer_id)
    return AddendumRow(
        a.number, a.day, a.made_on, a.at, officer.name if officer else "", a.entity_label,
        a.field_label, a.old_value, a.new_value, a.reason,
    )  # fmt: skip


VOID_PREFIX = "更正记录："


def _plan_correction(
    session: Session, visit: Visit, field_name: str, new_value: str, reason: str
) -> tuple[str, str, Callable[[], None]]:
    """The old and new values as text, and the change of the visit, made when called."""
    if field_name == "citizen_name":
        # Checked as at registration, by the visit's document (a passport's holder may have
        # a name in Latin letters, a 居民身份证 holder's is in Chinese characters).
        name = check_citizen_name(IdType(visit.id_type), new_value, field="new_value")
        old, new = visit.citizen_name, name

        def change() -> None:
            visit.citizen_name = name
    elif field_name == "phone":
        phone = check_phone(new_value, field="new_value")
        old, new = _masked_phone(visit.phone), _masked_phone(phone)

        def change() -> None:
            visit.phone = phone
    elif field_name == "summary":
        summary = clean_text(
            new_value,
            field="new_value",
            label="事由摘要",
            max_len=text_limits.SUMMARY,
            required=False,
        )
        old, new = visit.summary, summary

        def change() -> None:
            visit.summary = summary
    else:
        if visit.status != "registered":
            raise ConflictError("只有尚未受理的登记可以更正为作废；已受理的事项请按程序办理。")
        old, new = STATUS_LABELS[VisitStatus(visit.status)], "已作废"
        # The visit keeps its void reason as "更正记录：<reason>" in text_limits.REASON
        # characters: a longer reason is refused, not cut (the addendum keeps the reason whole).
        void_reason = f"{VOID_PREFIX}{reason}"
        room = text_limits.REASON - len(VOID_PREFIX)
        if len(void_reason) > text_limits.REASON:
            raise ValidationError(
                f"更正为作废时，更正原因最多 {room} 个字（现有 {len(reason)} 个），"
                f"它会作为作废原因记在登记上。",
                "reason",
            )

        def change() -> None:
            session.add(
                VisitTransition(
                    visit_id=visit.id,
                    at=session.info.get(day_lock.NOW_KEY),
                    officer_id=visit.owner_id,
                    from_status=visit.status,
                    to_status="voided",
                    reason=void_reason,
                )
            )
            visit.status = "voided"
            visit.void_reason = void_reason

    def apply() -> None:
        change()
        visit.row_version += 1

    return old, new, apply


def _notice_signatures(session: Session, ledger: Ledger) -> dict[str, str]:
    """Notice number → image hash of its citizen's signature, for the notices ``ledger`` lists."""
    numbers = {
        row.cells[0]
        for section in ledger.sections
        if section.key in ("notices", "prior_notices")
        for row in section.rows
    }
    if not numbers:
        return {}
    rows = session.execute(
        select(Notice.number, Signature.image_sha256)
        .join(
            Signature,
            (Signature.document_type == "notice") & (Signature.document_id == Notice.id),
        )
        .where(Notice.number.in_(sorted(numbers)))
    )
    return {number: digest for number, digest in rows}


def _masked_phone(phone: str) -> str:
    return mask_phone(phone) if phone else ""


# ---- the stored copy --------------------------------------------------------------------


def _canonical(sections: tuple[LedgerSection, ...], summary: tuple[tuple[str, str], ...]) -> str:
    return json.dumps(
        {
            "sections": [
                {
                    "key": s.key,
                    "title": s.title,
                    "columns": list(s.columns),
                    "widths": list(s.widths),
                    "rows": [
                        [list(r.cells), r.marked, list(r.officer_ids), r.visit_id] for r in s.rows
                    ],
                }
                for s in sections
            ],
            "summary": [list(p) for p in summary],
        },
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )


def _content_json(ledger: Ledger) -> str:
    return _canonical(ledger.sections, ledger.summary)


def _from_json(text: str) -> tuple[tuple[LedgerSection, ...], tuple[tuple[str, str], ...]]:
    data = json.loads(text)
    sections = tuple(
        LedgerSection(
            s["key"],
            s["title"],
            tuple(s["columns"]),
            tuple(
                LedgerRow(tuple(cells), bool(marked), tuple(ids), visit_id)
                for cells, marked, ids, visit_id in s["rows"]
            ),
            tuple(s["widths"]),
        )
        for s in data["sections"]
    )
    return sections, tuple((a, b) for a, b in data["summary"])
