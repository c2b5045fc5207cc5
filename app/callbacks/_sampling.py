"""Sampling: a period's finished matters drawn for phone callbacks, each given to an officer
who did not handle it."""

from __future__ import annotations

import datetime as dt
import math
import random
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.callbacks._base import CallbackBase, finished_visits, is_month, period_text
from app.callbacks._callers import handlers, pending_load, pick_caller
from app.callbacks.dto import BatchResult
from app.callbacks.rules import PHONE_DUE_DAYS
from app.core import audit
from app.core.dto import SessionUser
from app.core.errors import ConflictError, ValidationError
from app.core.service_base import load_station
from app.holidays.service import load_calendar
from app.ratings.service import rating_is_bad
from db.models import Callback, CallbackBatch, Rating, ServiceItem, ServiceItemVersion, Visit


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


class Sampling(CallbackBase):
    """The period the settings sample by, and the sampling itself (chief or deputy)."""

    def default_period(self, day: dt.date | None = None) -> tuple[dt.date, dt.date]:
        """The period the settings sample by, containing ``day`` (default: yesterday)."""
        with self._sessions.begin() as session:
            station = load_station(session)
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
            station = load_station(session)
            today = self._today(station)
            if end > today:
                raise ValidationError("抽样期间不能包含未来的日期。", "period")
            share = station.callback_share if share is None else share
            if not 1 <= share <= 100:
                raise ValidationError("抽样比例应在 1% 到 100% 之间。", "share")
            seed = secrets.randbelow(2**31) if seed is None else seed
            _refuse_overlap(session, start, end)
            finished = finished_visits(session, station, start, end)
            called = _asked_already(session, [v.id for v in finished])
            without_phone = sum(1 for v in finished if not v.phone)
            visits = {v.id: v for v in finished if v.phone and v.id not in called}
            candidates = _candidates(session, visits)
            chosen = choose_sample(candidates, share, seed)
            now = self._clock.now()
            kind = "month" if is_month(start, end) else "day" if start == end else "custom"
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
            _assign_callers(session, batch, visits, chosen, today, now)
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


# ---- the sampling, step by step -----------------------------------------------------------


def _refuse_overlap(session: Session, start: dt.date, end: dt.date) -> None:
    """A period is sampled once: none of its days may belong to an earlier sampling."""
    overlap = session.scalars(
        select(CallbackBatch).where(
            CallbackBatch.period_start <= end, CallbackBatch.period_end >= start
        )
    ).first()
    if overlap is not None:
        raise ConflictError(
            f"{period_text(overlap.period_start, overlap.period_end)}已经抽样过，"
            "同一期间不重复抽样。"
        )


def _asked_already(session: Session, ids: list[int]) -> set[int]:
    """Which of the visits have a phone callback, or were rated by phone, at home or by SMS."""
    called = set(
        session.scalars(
            select(Callback.visit_id).where(Callback.kind == "phone", Callback.visit_id.in_(ids))
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
    return called


def _candidates(session: Session, visits: dict[int, Visit]) -> list[Candidate]:
    """The visits as the sampler draws them: officer, matter type, and whether they must be."""
    must = _mandatory(session, list(visits))
    codes = _item_codes(session, visits.values())
    return [Candidate(v.id, v.owner_id, codes[v.id], must.get(v.id, "")) for v in visits.values()]


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


def _assign_callers(
    session: Session,
    batch: CallbackBatch,
    visits: dict[int, Visit],
    chosen: dict[int, str],
    today: dt.date,
    now: dt.datetime,
) -> None:
    """One pending phone callback per visit drawn, each to the least-loaded officer who did
    not handle the matter, due in ``PHONE_DUE_DAYS`` working days."""
    due = load_calendar(session).add_working_days(today, PHONE_DUE_DAYS).due
    handled = handlers(session, list(chosen))
    load = pending_load(session)
    for visit_id in sorted(chosen):
        caller = pick_caller(session, handled[visit_id], load)
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
