"""Append-only audit events in a keyed hash chain, and the business rows bound to it.

Services call ``record`` inside their transaction; the events are written when it commits
(``_seal_and_chain``, a ``before_commit`` hook on every session), with gap-free ids taken under
the lock on the chain's head row. At that moment every business row the transaction inserted,
changed or deleted is read back as stored and sealed (``app.core.row_seals``): the hashes go into
``audit_seals`` under the transaction's last event, whose hash covers them.

The chain is keyed: each event's hash is HMAC-SHA256 with the station's audit key (derived
from the station key, which never lives in the database), over the event, the hash of the one
before it and its seals. The head row names the chain's tip, the event it is keyed from, the
highest row of each table when it was keyed, and carries an HMAC over all of that. Someone
holding the file but not the key can still delete or edit; they can no longer re-hash what
they did so that ``stationdesk check`` takes it for the program's own writing.

Events from before the chain was keyed (files made before 12/2026) keep their plain SHA-256.
A rolled-back copy of the whole file is told by the anchors kept outside it: the chain head
printed on every signed ledger and written beside every backup.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, insert, inspect, select
from sqlalchemy.orm import Session, UOWTransaction

from app.core.row_seals import BOUND_NAMES, row_key, seals_digest, seals_for
from db.models import AuditEvent, AuditHead, AuditSeal
from db.sealed import cipher_of, has_cipher

GENESIS_HASH = "0" * 64
PENDING = "stationdesk.audit_pending"
TOUCHED = "stationdesk.audit_touched"
NOW_KEY = "stationdesk.now"  # as app.core.day_lock sets it: the service clock's now
SEALED_ACTION = "rows_sealed"


class AuditKeyMissing(Exception):
    """A keyed chain would be extended on an engine without the station key."""


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
    seals: str = "",
    key: bytes | None = None,
) -> str:
    """The hash of one event: over every field and the hash of the one before it.

    With ``key`` (the station's audit key) it is HMAC-SHA256 and also covers ``seals``; without,
    plain SHA-256 as events were hashed before the chain was keyed.
    """
    fields: list[Any] = [
        event_id,
        at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        officer_id,
        action,
        entity_type,
        entity_id,
        before_json,
        after_json,
        prev_hash,
    ]
    if key is not None:
        fields.append(seals)
    payload = json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if key is None:
        return hashlib.sha256(payload).hexdigest()
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


def head_mac(key: bytes, last_id: int, last_hash: str, keyed_from: int, sealed_from: str) -> str:
    """The head row's HMAC: its tip, where keying began and the tables' first sealed rows."""
    payload = json.dumps(
        ["head", last_id, last_hash, keyed_from, sealed_from], separators=(",", ":")
    )
    return hmac.new(key, payload.encode("utf-8"), hashlib.sha256).hexdigest()


def audit_key_of(session: Session) -> bytes | None:
    """The station's audit key, if the session's engine holds the station key."""
    dialect = session.get_bind().dialect
    if not has_cipher(dialect):
        return None
    key = getattr(cipher_of(dialect), "audit_key", None)
    return key if isinstance(key, bytes) else None


@dataclass(frozen=True, slots=True)
class _Pending:
    at: dt.datetime
    officer_id: int | None
    action: str
    entity_type: str
    entity_id: str
    before_json: str
    after_json: str


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
) -> None:
    """Add one event to the caller's transaction; it is chained when the transaction commits.

    A transaction that is rolled back leaves no event, as it leaves no row.
    """
    session.info.setdefault(PENDING, []).append(
        _Pending(
            at.astimezone(dt.UTC),
            officer_id,
            action,
            entity_type,
            str(entity_id),
            _canonical(before),
            _canonical(after),
        )
    )


# ---- what a transaction touched, and its events written at commit ---------------------------


def _collect(session: Session, _flush: UOWTransaction) -> None:
    """After each flush: the bound rows it inserted, changed or deleted."""
    touched: dict[str, dict[int, Any]] = session.info.setdefault(TOUCHED, {})
    for obj, changed in (
        *((o, True) for o in session.new),
        *((o, session.is_modified(o, include_collections=False)) for o in session.dirty),
        *((o, True) for o in session.deleted),
    ):
        name = getattr(getattr(obj, "__table__", None), "name", None)
        if not changed or name not in BOUND_NAMES:
            continue
        # New rows have their key by now but no identity yet (given after this hook).
        value = inspect(obj).mapper.primary_key_from_instance(obj)[0]
        if value is None:
            continue
        touched.setdefault(name, {})[row_key(value)] = value


def touch(session: Session, table_name: str, keys: list[Any]) -> None:
    """Mark rows changed by a bulk UPDATE (which the flush does not see) for sealing."""
    rows = session.info.setdefault(TOUCHED, {}).setdefault(table_name, {})
    rows.update((row_key(k), k) for k in keys)


def _forget(session: Session, *_args: Any) -> None:
    session.info.pop(PENDING, None)
    session.info.pop(TOUCHED, None)


def _seal_and_chain(session: Session) -> None:
    """Before commit: seal the touched rows and chain the transaction's events."""
    if not session.info.get(PENDING) and not session.info.get(TOUCHED):
        session.flush()  # what autoflush has not written yet may touch rows
        if not session.info.get(TOUCHED):
            return
    session.flush()
    pending: list[_Pending] = session.info.pop(PENDING, [])
    touched: dict[str, dict[int, Any]] = session.info.pop(TOUCHED, {})
    head = session.execute(
        select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).scalar_one_or_none()
    if head is None:
        return  # a file without its audit tables yet (only migrations run before them)
    keyed = head.keyed_from > 0
    key = audit_key_of(session) if keyed else None
    if keyed and key is None:
        raise AuditKeyMissing("the audit chain is keyed and this engine has no station key")
    seals = seals_for(session, touched) if keyed and touched else []
    if not pending:
        if not seals:
            return
        at = session.info.get(NOW_KEY) or dt.datetime.now(dt.UTC)
        pending = [
            _Pending(at.astimezone(dt.UTC), None, SEALED_ACTION, "audit", "", "",
                     _canonical({"rows": len(seals)}))
        ]  # fmt: skip
    digest = seals_digest(seals)
    prev, first = head.last_hash, head.last_id + 1
    events = []
    for offset, p in enumerate(pending):
        event_id = first + offset
        event_seals = digest if offset == len(pending) - 1 else ""
        h = event_hash(
            event_id=event_id, at=p.at, officer_id=p.officer_id, action=p.action,
            entity_type=p.entity_type, entity_id=p.entity_id, before_json=p.before_json,
            after_json=p.after_json, prev_hash=prev, seals=event_seals, key=key,
        )  # fmt: skip
        events.append(
            AuditEvent(
                id=event_id, at=p.at, officer_id=p.officer_id, action=p.action,
                entity_type=p.entity_type, entity_id=p.entity_id, before_json=p.before_json,
                after_json=p.after_json, prev_hash=prev, hash=h, seals=event_seals,
            )
        )  # fmt: skip
        prev = h
    session.add_all(events)
    last_id = first + len(pending) - 1
    if seals:
        # The events first (each seal names the last), then the seals in one executemany:
        # a commit of thousands of rows (an import) does not build an ORM object per seal.
        session.flush()
        session.execute(
            insert(AuditSeal),
            [
                {"event_id": last_id, "table_name": t, "row_id": r, "row_hash": d}
                for t, r, d in seals
            ],
        )
    head.last_id, head.last_hash = last_id, prev
    if key is not None:
        head.mac = head_mac(key, last_id, prev, head.keyed_from, head.sealed_from)
    session.flush()
    # The chain's own rows are not business rows: nothing more to seal.
    session.info.pop(TOUCHED, None)


event.listen(Session, "after_flush", _collect)
event.listen(Session, "before_commit", _seal_and_chain)
event.listen(Session, "after_rollback", _forget)
event.listen(Session, "after_commit", _forget)


# ---- keying a chain: a new file, or one made before 12/2026 ----------------------------------


def key_chain(session: Session, key: bytes) -> bool:
    """Key the chain from its next event, if it is not keyed yet; True if it was done now.

    The rows already in each table are left unsealed (they were written before) and the head
    records up to where: a row above that without a seal is one the program never wrote.
    """
    from app.core.row_seals import highest_ids

    head = session.execute(
        select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).scalar_one_or_none()
    if head is None or head.keyed_from > 0 or head.mac:
        return False
    head.keyed_from = head.last_id + 1
    head.sealed_from = json.dumps(highest_ids(session), sort_keys=True, separators=(",", ":"))
    head.mac = head_mac(key, head.last_id, head.last_hash, head.keyed_from, head.sealed_from)
    return True


# ---- verifying ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChainVerdict:
    """Result of walking the chain: ``first_broken`` is None when it holds."""

    events: int
    first_broken: int | None
    reason: str
    keyed_from: int = 0  # 0: the chain is not keyed
    key_checked: bool = False  # the keyed hashes and the head were verified with the key
    sealed_from: str = ""

    @property
    def ok(self) -> bool:
        """Whether the chain holds from the first event to the head."""
        return not self.reason


def verify_chain(session: Session, batch: int = 2000, key: bytes | None = None) -> ChainVerdict:
    """Recompute every hash in id order; name the first event that does not fit.

    Keyed events are recomputed with ``key`` (by default the session's engine's); with no key
    on this computer only their links are followed, which the verdict says.
    """
    head = session.get(AuditHead, 1)
    if head is None:
        return ChainVerdict(0, None, "缺少审计链头记录")
    key = key if key is not None else audit_key_of(session)
    keyed_from = head.keyed_from
    if key is not None:
        if not head.mac:
            return ChainVerdict(
                0, None, "审计链头缺少密钥校验值（审计链未受本所密钥保护，或校验值被清除）"
            )
        expected = head_mac(key, head.last_id, head.last_hash, keyed_from, head.sealed_from)
        if not hmac.compare_digest(expected, head.mac):
            return ChainVerdict(
                0, None, "审计链头与本所密钥的校验值不符（链头被改动，或整个文件被换成了旧副本）"
            )
    verdict = _walk(session, batch, key, keyed_from)
    if not verdict[2] and (head.last_id != verdict[3] or head.last_hash != verdict[4]):
        return ChainVerdict(verdict[0], verdict[3] + 1, "链尾与记录不符（末尾事件可能被删除）")
    return ChainVerdict(
        verdict[0], verdict[1], verdict[2], keyed_from, key is not None, head.sealed_from
    )


def _walk(
    session: Session, batch: int, key: bytes | None, keyed_from: int
) -> tuple[int, int | None, str, int, str]:
    """(events, first broken, reason, last id, last hash) of the chain as stored."""
    prev_hash = GENESIS_HASH
    expected_id = 1
    count = last_id = 0
    columns = (
        AuditEvent.id, AuditEvent.at, AuditEvent.officer_id, AuditEvent.action,
        AuditEvent.entity_type, AuditEvent.entity_id, AuditEvent.before_json,
        AuditEvent.after_json, AuditEvent.prev_hash, AuditEvent.hash, AuditEvent.seals,
    )  # fmt: skip
    while True:
        # Plain rows, not ORM objects: a million events are read in seconds, not minutes.
        events = session.execute(
            select(*columns).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
        ).all()
        if not events:
            break
        sealed = _seals_between(session, last_id, events[-1][0]) if keyed_from else {}
        for ev_id, at, officer_id, action, etype, eid, before, after, prev, stored, seals in events:
            count += 1
            if ev_id != expected_id:
                return count, expected_id, f"缺少第 {expected_id} 号审计事件（可能被删除）", 0, ""
            if prev != prev_hash:
                return count, ev_id, "与前一事件的哈希链接不符", 0, ""
            is_keyed = bool(keyed_from) and ev_id >= keyed_from
            if is_keyed and seals_digest(sealed.pop(ev_id, [])) != (seals or ""):
                return count, ev_id, "所绑定的业务记录校验值被改动、增加或删除", 0, ""
            if not is_keyed and seals:
                return count, ev_id, "本所密钥启用前的事件带有绑定记录（事件被改动）", 0, ""
            if not is_keyed or key is not None:
                digest = event_hash(
                    event_id=ev_id, at=at, officer_id=officer_id, action=action,
                    entity_type=etype, entity_id=eid, before_json=before, after_json=after,
                    prev_hash=prev, seals=seals or "", key=key if is_keyed else None,
                )  # fmt: skip
                if digest != stored:
                    return count, ev_id, "内容与哈希不符（记录被改动）", 0, ""
            prev_hash = stored
            expected_id += 1
            last_id = ev_id
        if sealed:
            orphan = min(sealed)
            return count, orphan, f"第 {orphan} 号审计事件下有不属于它的业务记录校验值", 0, ""
    if keyed_from:
        stray = session.scalar(
            select(AuditSeal.event_id).where(AuditSeal.event_id > last_id).limit(1)
        )
        if stray is not None:
            return (
                count,
                stray,
                f"第 {stray} 号审计事件已不存在，其绑定记录却还在（末尾事件被删除）",
                0,
                "",
            )
    return count, None, "", last_id, prev_hash


def _seals_between(
    session: Session, after: int, upto: int
) -> dict[int, list[tuple[str, int, str]]]:
    found: dict[int, list[tuple[str, int, str]]] = {}
    for event_id, table, row_id, digest in session.execute(
        select(
            AuditSeal.event_id, AuditSeal.table_name, AuditSeal.row_id, AuditSeal.row_hash
        ).where(AuditSeal.event_id > after, AuditSeal.event_id <= upto)
    ):
        found.setdefault(event_id, []).append((table, row_id, digest))
    return found
