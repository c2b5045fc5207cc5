"""回访: sampled phone callbacks and home visits, never by an officer who handled the matter.

The chief (or a deputy) samples a period's finished matters: a share from the settings,
stratified so that every officer and every matter type of the period is represented, and
always every on-site 差评 and every citizen who asked to be called. Each item goes to an
officer who did not handle the matter. Every attempt is logged; a reached citizen rates on
the five levels. A phone rating two or more levels below the on-site one flags the matter
(a sign of pressure at the counter); a 差评 by phone opens a rectification and a home visit.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import ColumnElement

from app.core import audit, text_limits
from app.core.dto import SessionUser
from app.core.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from app.core.identity import mask_phone
from app.core.reveal_purposes import CALLBACK_PHONE_PURPOSES, audit_after, check_reveal
from app.core.roles import Permission, Role, allows
from app.core.service_base import ServiceBase
from app.core.validation import clean_text
from app.holidays.service import load_calendar
from app.ratings.service import (
    LEVELS,
    RATABLE,
    SMS_REPLY_LABEL,
    RatingInput,
    add_rating,
    clean_rating,
    is_bad,
    open_rectification,
    rating_is_bad,
)
from db.models import (
    Callback,
    CallbackAttempt,
    CallbackBatch,
    Handover,
    LedgerImportVisit,
    Officer,
    Rating,
    ServiceItem,
    ServiceItemVersion,
    Station,
    Visit,
    VisitTransition,
)
from db.queries import finished_between

OUTCOMES: dict[str, str] = {
    "reached": "接通",
    "no_answer": "无人接听",
    "wrong_number": "号码错误",
    "refused": "拒绝回访",
}
HOME_OUTCOMES: dict[str, str] = {
    "reached": "见到本人",
    "no_answer": "未遇本人",
    "wrong_number": "地址有误",
    "refused": "拒绝回访",
}
STATES: dict[str, str] = {
    "pending": "待回访",
    "reached": "已回访",
    "refused": "拒绝回访",
    "unreachable": "无法联系",
}
REASONS: dict[str, str] = {
    "sample": "随机抽样",
    "bad": "现场差评",
    "requested": "群众要求回访",
    "dissatisfied": "回访不满意",
    "manual": "所长安排",
}
KINDS: dict[str, str] = {"phone": "电话回访", "home": "上门回访"}
CALLER_ROLES = (Role.WINDOW, Role.AUXILIARY, Role.DEPUTY, Role.CHIEF)
PHONE_DUE_DAYS = 2  # working days to make a sampled call
MAX_UNANSWERED = 3  # after three unanswered calls the citizen counts as unreachable
PRESSURE_GAP = 2  # phone level this far below the on-site one flags the matter
DONE_STATES = ("reached", "refused", "unreachable")
# With finished callbacks shown, those of this many days back (pending ones always).
DONE_SHOWN_DAYS = 30
OnSiteRating = aliased(Rating, name="on_site_rating")
GivenRating = aliased(Rating, name="given_rating")


@dataclass(frozen=True, slots=True)
class Candidate:
    """A finished matter the sampler may draw: its stratum and why it must be called."""

    visit_id: int
    officer_id: int
    item_code: str
    must: str = ""  # "bad" or "requested": always called


def choose_sample(candidates: Sequence[Candidate], share: int, seed: int) -> dict[int, str]:
    """The visits to call and why: reproducible for the same candidates, share and seed.

    Every mandatory candidate, whatever the share. Then, up to ``ceil(share% of all)``:
    one for each officer not yet represented (preferring one that also covers a new matter
    type), then one for each matter type not yet represented, the officers and types taken
    in random order while the share lasts; then the rest allocated to officer × matter
    strata in proportion to their size (largest remainder), drawn at random within each.

    Coverage counts within the share: a small day with many matter types must not call
    three in four citizens against a 10 % setting. Officers come first because a callback
    is about the officer's conduct at the counter.
    """
    rng = random.Random(seed)
    pool = sorted(candidates, key=lambda c: c.visit_id)
    chosen: dict[int, str] = {c.visit_id: c.must for c in pool if c.must}
    target = math.ceil(len(pool) * share / 100)

    def covered(key: str) -> set[object]:
        return {getattr(c, key) for c in pool if c.visit_id in chosen}

    for key, other in (("officer_id", "item_code"), ("item_code", "officer_id")):
        groups: dict[object, list[Candidate]] = defaultdict(list)
        for c in pool:
            groups[getattr(c, key)].append(c)
        order = sorted(groups, key=str)
        rng.shuffle(order)
        for value in order:
            if len(chosen) >= target:
                break
            if value in covered(key):
                continue
            seen = covered(other)
            fresh = [c for c in groups[value] if getattr(c, other) not in seen]
            chosen[rng.choice(fresh or groups[value]).visit_id] = "sample"

    remaining = target - len(chosen)
    if remaining > 0:
        strata: dict[tuple[int, str], list[Candidate]] = defaultdict(list)
        for c in pool:
            if c.visit_id not in chosen:
                strata[(c.officer_id, c.item_code)].append(c)
        total = sum(len(m) for m in strata.values())
        keys = sorted(strata)
        quotas = {k: remaining * len(strata[k]) / total for k in keys}
        counts = {k: math.floor(q) for k, q in quotas.items()}
        left = remaining - sum(counts.values())
        by_remainder = sorted(keys, key=lambda k: (-(quotas[k] - counts[k]), rng.random()))
        for k in by_remainder[:left]:
            counts[k] += 1
        for k in keys:
            for c in rng.sample(strata[k], min(counts[k], len(strata[k]))):
                chosen[c.visit_id] = "sample"
    return chosen


@dataclass(frozen=True, slots=True)
class AttemptRow:
    """One logged attempt."""

    at: dt.datetime
    officer: str
    outcome: str
    outcome_label: str
    note: str


@dataclass(frozen=True, slots=True)
class CallbackRow:
    """A callback as the worklist shows it; the phone only masked."""

    id: int
    kind: str
    reason: str
    visit_id: int
    visit_serial: str
    matter: str
    finished_on: dt.date | None
    citizen_name: str
    phone_masked: str
    handled_by: str
    assigned_to_id: int
    assigned_to: str
    due_date: dt.date
    state: str
    overdue: bool
    on_site_level: str
    callback_level: str
    pressure: bool
    attempts: tuple[AttemptRow, ...]
    row_version: int
    dissatisfied: bool = False  # the callback rating is a 差评

    @property
    def kind_label(self) -> str:
        """电话回访 or 上门回访."""
        return KINDS[self.kind]

    @property
    def reason_label(self) -> str:
        """Why it is on the list."""
        return REASONS[self.reason]

    @property
    def state_label(self) -> str:
        """Where it stands, in Chinese."""
        return STATES[self.state]

    @property
    def outcome_labels(self) -> dict[str, str]:
        """The outcomes an attempt of this kind may have."""
        return HOME_OUTCOMES if self.kind == "home" else OUTCOMES


@dataclass(frozen=True, slots=True)
class Coverage:
    """Callback coverage of sampled phone callbacks: called / sampled, reached / called."""

    label: str
    sampled: int
    called: int
    reached: int
    pressure: int
    dissatisfied: int

    @property
    def call_rate(self) -> float | None:
        """Called over sampled; None when nothing was sampled."""
        return self.called / self.sampled if self.sampled else None

    @property
    def reach_rate(self) -> float | None:
        """Reached over called; None when no one was called."""
        return self.reached / self.called if self.called else None


@dataclass(frozen=True, slots=True)
class BatchResult:
    """What one sampling did."""

    batch_id: int
    period_start: dt.date
    period_end: dt.date
    share: int
    seed: int
    eligible: int
    sampled: int
    mandatory: int
    without_phone: int


class CallbackService(ServiceBase):
    """Sampling, the worklist, attempts, home visits and coverage."""

    # ---- sampling -------------------------------------------------------------------

    def default_period(self, day: dt.date | None = None) -> tuple[dt.date, dt.date]:
        """The period the settings sample by, containing ``day`` (default: yesterday)."""
        with self._sessions.begin() as session:
            station = _station(session)
            day = day or self._today(station) - dt.timedelta(days=1)
            if station.callback_period == "month":
                first = day.replace(day=1)
                nxt = (first + dt.timedelta(days=32)).replace(day=1)
                return first, nxt - dt.timedelta(days=1)
            return day, day

    def sample(
        self,
        user: SessionUser,
        start: dt.date,
        end: dt.date | None = None,
        *,
        share: int | None = None,
        seed: int | None = None,
    ) -> BatchResult:
        """Draw the callbacks of a period of finished matters (chief or deputy)."""
        end = end or start
        if end < start:
            raise ValidationError("结束日期早于开始日期，请重新选择抽样期间。", "period")
        if (end - start).days > 92:
            raise ValidationError("一次抽样的期间不超过三个月。", "period")
        with self._writing() as session:
            actor = self._supervisor(session, user)
            station = _station(session)
            today = self._today(station)
            if end > today:
                raise ValidationError("抽样期间不能包含未来的日期。", "period")
            share = station.callback_share if share is None else share
            if not 1 <= share <= 100:
                raise ValidationError("抽样比例应在 1% 到 100% 之间。", "share")
            seed = secrets.randbelow(2**31) if seed is None else seed
            overlap = session.scalars(
                select(CallbackBatch).where(
                    CallbackBatch.period_start <= end, CallbackBatch.period_end >= start
                )
            ).first()
            if overlap is not None:
                raise ConflictError(
                    f"{_period_text(overlap.period_start, overlap.period_end)}已经抽样过，"
                    "同一期间不重复抽样。"
                )
            finished = _finished_visits(session, station, start, end)
            ids = [v.id for v in finished]
            called = set(
                session.scalars(
                    select(Callback.visit_id).where(
                        Callback.kind == "phone", Callback.visit_id.in_(ids)
                    )
                )
            )
            # Asked already another way (a reply by SMS, a home visit): not asked again.
            called |= set(
                session.scalars(
                    select(Rating.visit_id).where(
                        Rating.kind.in_(("phone", "home", "sms")), Rating.visit_id.in_(ids)
                    )
                )
            )
            without_phone = sum(1 for v in finished if not v.phone)
            visits = {v.id: v for v in finished if v.phone and v.id not in called}
            must = _mandatory(session, list(visits))
            codes = _item_codes(session, visits.values())
            candidates = [
                Candidate(v.id, v.owner_id, codes[v.id], must.get(v.id, ""))
                for v in visits.values()
            ]
            chosen = choose_sample(candidates, share, seed)
            now = self._clock.now()
            kind = "month" if _is_month(start, end) else "day" if start == end else "custom"
            batch = CallbackBatch(
                period_kind=kind,
                period_start=start,
                period_end=end,
                share=share,
                seed=seed,
                eligible=len(candidates),
                sampled=len(chosen),
                created_at=now,
                created_by_id=actor.id,
            )
            session.add(batch)
            session.flush()
            due = load_calendar(session).add_working_days(today, PHONE_DUE_DAYS).due
            handlers = _handlers(session, list(chosen))
            load = _pending_load(session)
            for visit_id in sorted(chosen):
                caller = _pick_caller(session, handlers[visit_id], load)
                if caller is None:
                    raise ConflictError(
                        f"事项 {visits[visit_id].serial} 的经办民警之外没有可以回访的民警，"
                        "请先在人员管理中增加人员。"
                    )
                load[caller] += 1
                session.add(
                    Callback(
                        batch_id=batch.id,
                        visit_id=visit_id,
                        kind="phone",
                        reason=chosen[visit_id] or "sample",
                        assigned_to_id=caller,
                        created_at=now,
                        local_date=today,
                        due_date=due,
                        state="pending",
                        pressure=False,
                        row_version=1,
                    )
                )
            mandatory = sum(1 for r in chosen.values() if r in ("bad", "requested"))
            audit.record(
                session,
                at=now,
                officer_id=actor.id,
                action="callbacks_sampled",
                entity_type="callback_batch",
                entity_id=batch.id,
                after={
                    "start": start.isoformat(),
                    "end": end.isoformat(),
                    "share": share,
                    "seed": seed,
                    "eligible": len(candidates),
                    "sampled": len(chosen),
                    "mandatory": mandatory,
                },
            )
            return BatchResult(
                batch.id, start, end, share, seed, len(candidates), len(chosen), mandatory,
                without_phone,
            )  # fmt: skip

    # ---- the worklist ---------------------------------------------------------------

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
                tz = ZoneInfo(_station(session).timezone)
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
            callback = _get(session, callback_id)
            if callback.assigned_to_id != actor.id:
                self._supervisor(session, user)
            return self._rows(session, Callback.id == callback.id)[0]

    def reveal_phone(self, user: SessionUser, callback_id: int, purpose: str, detail: str) -> str:
        """The full number, to dial it: only for the assignee, for 回访联系 and a stated detail;
        audited with both."""
        chosen, text = check_reveal(purpose, detail, CALLBACK_PHONE_PURPOSES)
        with self._writing() as session:
            actor = self._officer(session, user)
            callback = _get(session, callback_id)
            if callback.assigned_to_id != actor.id:
                raise PermissionDenied("只有被指派的回访民警可以查看完整号码。")
            visit = session.get(Visit, callback.visit_id)
            assert visit is not None
            audit.record(
                session,
                at=self._clock.now(),
                officer_id=actor.id,
                action="phone_revealed",
                entity_type="visit",
                entity_id=visit.serial,
                after={**audit_after(chosen, text), "callback": callback.id},
            )
            return visit.phone

    def log_attempt(
        self,
        user: SessionUser,
        callback_id: int,
        row_version: int,
        outcome: str,
        note: str = "",
        rating: RatingInput | None = None,
    ) -> CallbackRow:
        """Log one call or visit; a reached citizen's rating comes with it."""
        if outcome not in OUTCOMES:
            raise ValidationError("请选择回访结果：接通、无人接听、号码错误或拒绝回访。", "outcome")
        text = clean_text(
            note, field="note", label="回访记录", max_len=text_limits.NOTE, required=False
        )
        with self._writing() as session:
            actor = self._officer(session, user)
            callback = _get(session, callback_id)
            if callback.assigned_to_id != actor.id:
                raise PermissionDenied("只有被指派的回访民警可以登记回访结果。")
            if actor.id in _handlers(session, [callback.visit_id])[callback.visit_id]:
                raise PermissionDenied("您经办过该事项，不能回访自己办理的事项。")
            if callback.state != "pending":
                raise ConflictError("该回访已经结束，不能再登记。")
            if callback.row_version != row_version:
                raise ConflictError("该回访刚被修改过，请刷新后再试。")
            station = _station(session)
            visit = session.get(Visit, callback.visit_id)
            assert visit is not None
            now = self._clock.now()
            today = self._today(station)
            after: dict[str, object] = {"outcome": outcome}
            if outcome == "reached":
                if rating is None:
                    raise ValidationError(
                        "接通后请记录群众的评价（五个等级之一），或记录群众不愿评价。", "overall"
                    )
                overall, dims, comment = clean_rating(
                    RatingInput(rating.overall, rating.dimensions, rating.comment, rating.declined),
                    station.rating_dimensions.split(","),
                )
                _saved, reached = record_reached(
                    session, station, visit, callback, callback.kind, rating.declined, overall,
                    dims, comment, actor.id, now,
                )  # fmt: skip
                after |= reached
            elif outcome in ("refused", "wrong_number"):
                callback.state = "refused" if outcome == "refused" else "unreachable"
            else:
                tries = session.scalar(
                    select(func.count())
                    .select_from(CallbackAttempt)
                    .where(
                        CallbackAttempt.callback_id == callback.id,
                        CallbackAttempt.outcome == "no_answer",
                    )
                )
                if (tries or 0) + 1 >= MAX_UNANSWERED:
                    callback.state = "unreachable"
            session.add(
                CallbackAttempt(
                    callback_id=callback.id,
                    at=now,
                    local_date=today,
                    officer_id=actor.id,
                    outcome=outcome,
                    note=text,
                )
            )
            if callback.state != "pending":
                callback.closed_at = now
            callback.row_version += 1
            session.flush()
            audit.record(
                session,
                at=now,
                officer_id=actor.id,
                action="callback_attempt",
                entity_type="visit",
                entity_id=visit.serial,
                after={**after, "kind": callback.kind, "state": callback.state},
            )
            return self._rows(session, Callback.id == callback.id)[0]

    def reassign(
        self, user: SessionUser, callback_id: int, row_version: int, officer_id: int
    ) -> CallbackRow:
        """Give a callback to another officer, never to one who handled the matter."""
        with self._writing() as session:
            actor = self._supervisor(session, user)
            callback = _get(session, callback_id)
            if callback.state != "pending":
                raise ConflictError("该回访已经结束，不能改派。")
            if callback.row_version != row_version:
                raise ConflictError("该回访刚被修改过，请刷新后再试。")
            officer = session.get(Officer, officer_id)
            if officer is None or not officer.active or Role(officer.role) not in CALLER_ROLES:
                raise ValidationError("请选择一位在岗民警承担回访。", "officer")
            if officer_id in _handlers(session, [callback.visit_id])[callback.visit_id]:
                raise ValidationError(
                    f"{officer.name}经办过该事项，回访须由未经办的民警进行。", "officer"
                )
            before = callback.assigned_to_id
            callback.assigned_to_id = officer_id
            callback.row_version += 1
            audit.record(
                session,
                at=self._clock.now(),
                officer_id=actor.id,
                action="callback_reassigned",
                entity_type="callback",
                entity_id=callback.id,
                before={"assigned_to": before},
                after={"assigned_to": officer_id},
            )
            return self._rows(session, Callback.id == callback.id)[0]

    def schedule_home_visit(
        self, user: SessionUser, visit_id: int, officer_id: int | None = None
    ) -> CallbackRow:
        """The chief sends someone to the citizen's home (上门回访)."""
        with self._writing() as session:
            self._supervisor(session, user)
            visit = session.get(Visit, visit_id)
            if visit is None:
                raise NotFound("找不到该登记记录。")
            if visit.status not in RATABLE:
                raise ConflictError("事项办结后才能安排上门回访。")
            station = _station(session)
            _add_home_visit(session, station, visit, "manual", officer_id, self._clock.now())
            callback = session.scalars(
                select(Callback).where(Callback.visit_id == visit.id, Callback.kind == "home")
            ).one()
            return self._rows(session, Callback.id == callback.id)[0]

    def callers(self, user: SessionUser, callback_id: int) -> list[tuple[int, str]]:
        """Officers who may take this callback: active, and never one who handled it."""
        with self._sessions.begin() as session:
            self._supervisor(session, user)
            callback = _get(session, callback_id)
            handled = _handlers(session, [callback.visit_id])[callback.visit_id]
            return [
                (o.id, f"{o.name}（{Role(o.role).label}）")
                for o in session.scalars(
                    select(Officer).where(Officer.active.is_(True)).order_by(Officer.badge_no)
                )
                if Role(o.role) in CALLER_ROLES and o.id not in handled
            ]

    # ---- coverage -------------------------------------------------------------------

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
                Coverage(_period_text(b.period_start, b.period_end), *counts.get(b.id, empty))
                for b in batches
            ]
            totals = [sum(c[i] for c in counts.values()) for i in range(len(empty))]
            rows.append(Coverage("合计", *totals))
            return rows

    # ---- internals ------------------------------------------------------------------

    def _supervisor(self, session: Session, user: SessionUser) -> Officer:
        actor = self._officer(session, user)
        if not allows(Role(actor.role), Permission.VIEW_ALL_VISITS):
            raise PermissionDenied("回访抽样、改派和上门回访由所长或副所长安排。")
        return actor

    def _today(self, station: Station) -> dt.date:
        return self._clock.now().astimezone(ZoneInfo(station.timezone)).date()

    def _rows(
        self,
        session: Session,
        *conditions: ColumnElement[bool],
        order_by: Sequence[Any] = (Callback.id,),
    ) -> list[CallbackRow]:
        """The callbacks matching ``conditions`` as rows, in a fixed few queries."""
        station = _station(session)
        today = self._today(station)
        tz = ZoneInfo(station.timezone)
        finished = (
            select(func.max(VisitTransition.at))
            .where(
                VisitTransition.visit_id == Visit.id,
                VisitTransition.to_status.in_([s.value for s in RATABLE]),
            )
            .scalar_subquery()
        )
        found = session.execute(
            select(
                Callback.id,
                Callback.kind,
                Callback.reason,
                Callback.visit_id,
                Callback.assigned_to_id,
                Callback.due_date,
                Callback.state,
                Callback.pressure,
                Callback.row_version,
                Visit.serial,
                Visit.citizen_name,
                Visit.phone,
                Visit.owner_id,
                ServiceItemVersion.name.label("matter"),
                finished.label("finished_at"),
                OnSiteRating.declined.label("on_site_declined"),
                OnSiteRating.overall.label("on_site_overall"),
                GivenRating.declined.label("given_declined"),
                GivenRating.overall.label("given_overall"),
                GivenRating.dimensions_json.label("given_dimensions"),
            )
            .join(Visit, Visit.id == Callback.visit_id)
            .join(ServiceItemVersion, ServiceItemVersion.id == Visit.service_version_id)
            .outerjoin(
                OnSiteRating,
                and_(OnSiteRating.visit_id == Visit.id, OnSiteRating.kind == "on_site"),
            )
            .outerjoin(GivenRating, GivenRating.id == Callback.rating_id)
            .where(*conditions)
            .order_by(*order_by)
        ).all()
        if not found:
            return []
        names = {i: n for i, n in session.execute(select(Officer.id, Officer.name))}
        attempts: dict[int, list[AttemptRow]] = defaultdict(list)
        for a in session.execute(
            select(
                CallbackAttempt.callback_id,
                CallbackAttempt.at,
                CallbackAttempt.officer_id,
                CallbackAttempt.outcome,
                CallbackAttempt.note,
                CallbackAttempt.via,
                Callback.kind,
            )
            .join(Callback, Callback.id == CallbackAttempt.callback_id)
            .where(*conditions)
            .order_by(CallbackAttempt.at, CallbackAttempt.id)
        ):
            labels = HOME_OUTCOMES if a.kind == "home" else OUTCOMES
            attempts[a.callback_id].append(
                AttemptRow(
                    a.at,
                    names.get(a.officer_id, ""),
                    a.outcome,
                    SMS_REPLY_LABEL if a.via == "sms" else labels[a.outcome],
                    a.note,
                )
            )
        return [
            CallbackRow(
                id=r.id,
                kind=r.kind,
                reason=r.reason,
                visit_id=r.visit_id,
                visit_serial=r.serial,
                matter=r.matter,
                finished_on=r.finished_at.astimezone(tz).date() if r.finished_at else None,
                citizen_name=r.citizen_name,
                phone_masked=mask_phone(r.phone) if r.phone else "（未留电话）",
                handled_by=names.get(r.owner_id, ""),
                assigned_to_id=r.assigned_to_id,
                assigned_to=names.get(r.assigned_to_id, ""),
                due_date=r.due_date,
                state=r.state,
                overdue=r.state == "pending" and today > r.due_date,
                on_site_level=_level(r.on_site_declined, r.on_site_overall),
                callback_level=_level(r.given_declined, r.given_overall),
                pressure=r.pressure,
                attempts=tuple(attempts[r.id]),
                row_version=r.row_version,
                dissatisfied=_bad_levels(r.given_declined, r.given_overall, r.given_dimensions),
            )
            for r in found
        ]


# ---- module helpers -----------------------------------------------------------------


def _station(session: Session) -> Station:
    station = session.get(Station, 1)
    if station is None:
        raise NotFound("本数据库尚未初始化。")
    return station


def _get(session: Session, callback_id: int) -> Callback:
    callback = session.get(Callback, callback_id)
    if callback is None:
        raise NotFound("找不到该回访记录。")
    return callback


def _is_month(start: dt.date, end: dt.date) -> bool:
    nxt = (start + dt.timedelta(days=32)).replace(day=1)
    return start.day == 1 and end == nxt - dt.timedelta(days=1)


def _period_text(start: dt.date, end: dt.date) -> str:
    if start == end:
        return f"{start.year}年{start.month}月{start.day}日"
    if _is_month(start, end):
        return f"{start.year}年{start.month}月"
    return f"{start.isoformat()} 至 {end.isoformat()}"


def _finished_visits(
    session: Session, station: Station, start: dt.date, end: dt.date
) -> list[Visit]:
    """Visits that are finished now and reached that state within the local dates; not
    those of an earlier ledger imported (history: nobody is called, or sent an SMS, about a
    matter of before the station used the program)."""
    tz = ZoneInfo(station.timezone)
    lo = dt.datetime.combine(start, dt.time(), tz).astimezone(dt.UTC)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tz).astimezone(dt.UTC)
    statuses = [s.value for s in RATABLE]
    done = finished_between(lo, hi, statuses=statuses).subquery("finished")
    imported = exists().where(LedgerImportVisit.visit_id == Visit.id)
    return list(
        session.scalars(
            select(Visit)
            .join(done, done.c.visit_id == Visit.id)
            .where(~imported)
            .order_by(Visit.id)
        )
    )


def _mandatory(session: Session, visit_ids: list[int]) -> dict[int, str]:
    """Visits that must be called: an on-site 差评, or the citizen asked for a call."""
    out: dict[int, str] = {}
    for r in session.scalars(
        select(Rating).where(Rating.visit_id.in_(visit_ids), Rating.kind == "on_site")
    ):
        if rating_is_bad(r):
            out[r.visit_id] = "bad"
        elif r.callback_requested:
            out[r.visit_id] = "requested"
    return out


def _item_codes(session: Session, visits: Iterable[Visit]) -> dict[int, str]:
    by_version = {
        i: code
        for i, code in session.execute(
            select(ServiceItemVersion.id, ServiceItem.code).join(
                ServiceItem, ServiceItem.id == ServiceItemVersion.item_id
            )
        )
    }
    return {v.id: by_version[v.service_version_id] for v in visits}


def _handlers(session: Session, visit_ids: list[int]) -> dict[int, set[int]]:
    """Everyone who handled each visit: first contact, owners, handovers, status changes."""
    out: dict[int, set[int]] = {i: set() for i in visit_ids}
    if not visit_ids:
        return out
    for vid, first, owner in session.execute(
        select(Visit.id, Visit.first_officer_id, Visit.owner_id).where(Visit.id.in_(visit_ids))
    ):
        out[vid] |= {first, owner}
    for vid, officer in session.execute(
        select(VisitTransition.visit_id, VisitTransition.officer_id).where(
            VisitTransition.visit_id.in_(visit_ids)
        )
    ):
        out[vid].add(officer)
    for vid, giver, taker in session.execute(
        select(Handover.visit_id, Handover.from_officer_id, Handover.to_officer_id).where(
            Handover.visit_id.in_(visit_ids), Handover.state == "accepted"
        )
    ):
        out[vid] |= {giver, taker}
    return out


def _pending_load(session: Session) -> dict[int, int]:
    load: dict[int, int] = defaultdict(int)
    for officer_id, n in session.execute(
        select(Callback.assigned_to_id, func.count())
        .where(Callback.state == "pending")
        .group_by(Callback.assigned_to_id)
    ):
        load[officer_id] = n
    return load


def _pick_caller(
    session: Session, handled: set[int], load: dict[int, int], leaders: bool = False
) -> int | None:
    """The least-loaded active officer who did not handle the matter (leaders first)."""
    officers = [
        o
        for o in session.scalars(select(Officer).where(Officer.active.is_(True)))
        if Role(o.role) in CALLER_ROLES and o.id not in handled
    ]
    if leaders:
        heads = [o for o in officers if Role(o.role) in (Role.CHIEF, Role.DEPUTY)]
        officers = heads or officers
    if not officers:
        return None
    return min(officers, key=lambda o: (load[o.id], o.id)).id


def record_reached(
    session: Session,
    station: Station,
    visit: Visit,
    callback: Callback | None,
    kind: str,
    declined: bool,
    overall: int | None,
    dims: dict[str, int],
    comment: str,
    recorded_by: int,
    now: dt.datetime,
    rated_at: dt.datetime | None = None,
) -> tuple[Rating, dict[str, object]]:
    """A reached citizen's rating of ``kind`` (by phone, at home, or an SMS reply) and what it
    sets off; the audit payload's part.

    Saved on the visit (rated at ``rated_at``, default ``now``) and linked to ``callback``,
    which is closed as reached and flagged when the level is far below the on-site one. A 差评
    opens a rectification and, unless it was given at home, a home visit.
    """
    saved = add_rating(
        session, station, visit.id, kind, declined, overall, dims, comment, rated_at or now,
        recorded_by, visit.owner_id,
    )  # fmt: skip
    after: dict[str, object] = {"overall": overall, "declined": declined}
    if callback is not None:
        callback.rating_id = saved.id
        callback.state = "reached"
        callback.pressure = _pressure(session, visit.id, overall)
        if callback.pressure:
            after["pressure"] = True
    if not declined and is_bad(overall, dims):
        after["rectification"] = open_rectification(session, station, visit, saved, now)
        if kind != "home":
            after["home_visit"] = _add_home_visit(
                session, station, visit, "dissatisfied", None, now
            )
    return saved, after


def _add_home_visit(
    session: Session,
    station: Station,
    visit: Visit,
    reason: str,
    officer_id: int | None,
    now: dt.datetime,
) -> int:
    existing = session.scalars(
        select(Callback).where(Callback.visit_id == visit.id, Callback.kind == "home")
    ).first()
    if existing is not None:
        if reason == "manual":
            raise ConflictError("该事项已经安排过上门回访。")
        return existing.id
    handled = _handlers(session, [visit.id])[visit.id]
    if officer_id is not None:
        officer = session.get(Officer, officer_id)
        if officer is None or not officer.active or Role(officer.role) not in CALLER_ROLES:
            raise ValidationError("请选择一位在岗民警上门回访。", "officer")
        if officer_id in handled:
            raise ValidationError(
                f"{officer.name}经办过该事项，回访须由未经办的民警进行。", "officer"
            )
    else:
        # The unit's head goes first (所长, then 副所长), else any officer not involved.
        officer_id = _pick_caller(session, handled, _pending_load(session), leaders=True)
        if officer_id is None:
            raise ConflictError("经办民警之外没有可以上门回访的民警。")
    today = now.astimezone(ZoneInfo(station.timezone)).date()
    callback = Callback(
        batch_id=None,
        visit_id=visit.id,
        kind="home",
        reason=reason,
        assigned_to_id=officer_id,
        created_at=now,
        local_date=today,
        due_date=load_calendar(session).add_working_days(today, station.rectify_days).due,
        state="pending",
        pressure=False,
        row_version=1,
    )
    session.add(callback)
    session.flush()
    audit.record(
        session,
        at=now,
        officer_id=None,
        action="home_visit_scheduled",
        entity_type="visit",
        entity_id=visit.serial,
        after={"reason": reason, "assigned_to": officer_id},
    )
    return callback.id


def _pressure(session: Session, visit_id: int, overall: int | None) -> bool:
    if overall is None:
        return False
    on_site = session.scalars(
        select(Rating).where(Rating.visit_id == visit_id, Rating.kind == "on_site")
    ).first()
    if on_site is None or on_site.overall is None:
        return False
    return on_site.overall - overall >= PRESSURE_GAP


def _bad_levels(declined: bool | None, overall: int | None, dimensions: str | None) -> bool:
    """Whether a rating, given by its columns (declined None: no rating), is a 差评."""
    if declined is None or declined:
        return False
    dims = {k: int(v) for k, v in json.loads(dimensions or "{}").items()}
    return is_bad(overall, dims)


def _level(declined: bool | None, overall: int | None) -> str:
    """A rating's overall level in words, from its columns (declined None: no rating)."""
    if declined is None:
        return ""
    if declined:
        return "不愿评价"
    return LEVELS[overall] if overall else ""


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
        c[4] += _bad_levels(declined, overall, dimensions)
    return {k: (v[0], v[1], v[2], v[3], v[4]) for k, v in counts.items()}
