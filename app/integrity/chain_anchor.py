"""The audit chain's head, kept outside the database: a rolled-back file is told from a sound one.

The keyed chain stops anyone without the station key from re-hashing an edited history, but a
copy of the whole file taken earlier is a sound chain of its own. So each backup leaves the
head it saw (event id and hash) beside the station key, in the key folder of that computer
(owner-only, never in the database), with an HMAC by the audit key. ``stationdesk check`` on a
computer holding it confirms the chain still holds that event with that hash: a file put back
to an older copy, or one whose tail was cut, no longer does.

Each signed daily ledger prints the head too (``day_reviews.audit_head_*``), for paper.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.audit import audit_key_of
from app.core.station_key import key_folder, write_owner_only
from db.models import AuditEvent, AuditHead, StationKey

logger = logging.getLogger(__name__)


def _path(key_id: str) -> Path:
    return key_folder() / f"{key_id}.anchor"


def _mac(key: bytes, last_id: int, last_hash: str, at: str) -> str:
    payload = json.dumps(["anchor", last_id, last_hash, at]).encode("utf-8")
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


def remember(session: Session, at: str) -> bool:
    """Keep the chain's current head beside this computer's key; False if it cannot here."""
    key = audit_key_of(session)
    key_id = session.scalar(select(StationKey.key_id).where(StationKey.id == 1))
    head = session.get(AuditHead, 1)
    if key is None or key_id is None or head is None or not head.last_id:
        return False
    record = {
        "last_id": head.last_id,
        "last_hash": head.last_hash,
        "at": at,
        "mac": _mac(key, head.last_id, head.last_hash, at),
    }
    write_owner_only(_path(key_id), json.dumps(record) + "\n")
    return True


def check(session: Session) -> str | None:
    """One line on the kept head, or None when this computer keeps none for this database."""
    key = audit_key_of(session)
    key_id = session.scalar(select(StationKey.key_id).where(StationKey.id == 1))
    if key is None or key_id is None:
        return None
    path = _path(key_id)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        last_id, last_hash, at = int(record["last_id"]), str(record["last_hash"]), str(record["at"])
        mac = str(record["mac"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        logger.warning("anchor file %s unreadable", path)
        return "链头锚点：本机保存的备份链头记录无法读取（文件损坏），未核对"
    if not hmac.compare_digest(_mac(key, last_id, last_hash, at), mac):
        return "链头锚点：本机保存的备份链头记录与本所密钥不符（被改动），未核对"
    stored = session.scalar(select(AuditEvent.hash).where(AuditEvent.id == last_id))
    if stored == last_hash:
        return f"链头锚点：与本机最近一次备份（{at}）时的第 {last_id} 号审计事件一致"
    if stored is None:
        return (
            f"链头锚点：本机最近一次备份（{at}）时审计链已到第 {last_id} 号事件，现已不存在"
            "（数据库被换成了更早的副本，或末尾记录被删除）"
        )
    return (
        f"链头锚点：第 {last_id} 号审计事件与本机最近一次备份（{at}）时不同"
        "（审计链被改写，或数据库被换成了别的副本）"
    )


ANCHOR_BROKEN = ("现已不存在", "时不同", "被改动", "无法读取")
