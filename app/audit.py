"""Append-only, SHA-256 hash-chained audit events written in the caller's transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import AuditEvent, AuditHead

GENESIS_HASH = "0" * 64


def _canonical(value: Mapping[str, Any] | None) -> str:
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str, separators=(",", ":"))


def event_hash(
    *,
    event_id: int,
    at: dt.datetime,
    officer_id: int | None,
    action: str,
    entity_type: str,
    entity_id: str,
    before_json: str,
    after_json: str,
    prev_hash: str,
) -> str:
    """SHA-256 over every field of an event and the hash of the one before it."""
    payload = json.dumps(
        [
            event_id,
            at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            officer_id,
            action,
            entity_type,
            entity_id,
            before_json,
            after_json,
            prev_hash,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def record(
    session: Session,
    *,
    at: dt.datetime,
    officer_id: int | None,
    action: str,
    entity_type: str,
    entity_id: object,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain inside the caller's transaction.

    The head row is read FOR UPDATE (PostgreSQL) and SQLite transactions begin IMMEDIATE, so two
    counters can never both extend the chain from the same tip.
    """
    head = session.execute(
        select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).scalar_one()
    at = at.astimezone(dt.UTC)
    event_id = head.last_id + 1
    before_json, after_json = _canonical(before), _canonical(after)
    digest = event_hash(
        event_id=event_id,
        at=at,
        officer_id=officer_id,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        before_json=before_json,
        after_json=after_json,
        prev_hash=head.last_hash,
    )
    event = AuditEvent(
        id=event_id,
        at=at,
        officer_id=officer_id,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        before_json=before_json,
        after_json=after_json,
        prev_hash=head.last_hash,
        hash=digest,
    )
    session.add(event)
    head.last_id = event_id
    head.last_hash = digest
    session.flush()
    return event


@dataclass(frozen=True, slots=True)
class ChainVerdict:
    """Result of walking the chain: ``first_broken`` is None when it holds."""

    events: int
    first_broken: int | None
    reason: str

    @property
    def ok(self) -> bool:
        """Whether the chain holds from the first event to the head."""
        return not self.reason


def verify_chain(session: Session, batch: int = 2000) -> ChainVerdict:
    """Recompute every hash in id order; name the first event that does not fit."""
    prev_hash = GENESIS_HASH
    expected_id = 1
    count = 0
    last_id = 0
    columns = (
        AuditEvent.id,
        AuditEvent.at,
        AuditEvent.officer_id,
        AuditEvent.action,
        AuditEvent.entity_type,
        AuditEvent.entity_id,
        AuditEvent.before_json,
        AuditEvent.after_json,
        AuditEvent.prev_hash,
        AuditEvent.hash,
    )
    while True:
        # Plain rows, not ORM objects: a million events are read in seconds, not minutes.
        events = session.execute(
            select(*columns).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
        ).all()
        if not events:
            break
        for (
            ev_id,
            at,
            officer_id,
            action,
            entity_type,
            entity_id,
            before,
            after,
            prev,
            stored,
        ) in events:
            count += 1
            if ev_id != expected_id:
                return ChainVerdict(
                    count, expected_id, f"缺少第 {expected_id} 号审计事件（可能被删除）"
                )
            if prev != prev_hash:
                return ChainVerdict(count, ev_id, "与前一事件的哈希链接不符")
            digest = event_hash(
                event_id=ev_id,
                at=at,
                officer_id=officer_id,
                action=action,
                entity_type=entity_type,
                entity_id=entity_id,
                before_json=before,
                after_json=after,
                prev_hash=prev,
            )
            if digest != stored:
                return ChainVerdict(count, ev_id, "内容与哈希不符（记录被改动）")
            prev_hash = stored
            expected_id += 1
            last_id = ev_id
    head = session.get(AuditHead, 1)
    if head is None:
        return ChainVerdict(count, None, "缺少审计链头记录")
    if head.last_id != last_id or head.last_hash != prev_hash:
        return ChainVerdict(count, last_id + 1, "链尾与记录不符（末尾事件可能被删除）")
    return ChainVerdict(count, None, "")
