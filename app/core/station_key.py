"""Where the station key lives (never in the database) and how a database is unlocked with it.

The key is kept in the operating system's credential store (``keyring``: Windows Credential
Manager, macOS Keychain, the Secret Service on a Linux desktop) and, where there is none, in a
key file readable by its owner only (0600, in a 0700 folder of the user's configuration). The
database holds only the key's fingerprint and a value sealed with it, so the right key is
recognised and a wrong one refused. A counter that does not hold the key (a new PC, a restored
backup, a second counter of a PostgreSQL station) asks for the recovery code the chief printed
and keeps it from then on.

``STATIONDESK_KEY_DIR`` moves the key folder (tests, portable installs); ``STATIONDESK_KEYRING=0``
keeps keys out of the credential store.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, inspect, text

from app.core.crypto import StationCipher, key_fingerprint, new_key, parse_recovery_code
from app.core.errors import DatabaseProblem, ValidationError
from db.sealed import attach_cipher

logger = logging.getLogger(__name__)

KEY_DIR_ENV = "STATIONDESK_KEY_DIR"
KEYRING_ENV = "STATIONDESK_KEYRING"
KEYRING_SERVICE = "StationDesk station key"
KEY_TABLE = "station_key"


class StationKeyNeeded(DatabaseProblem):
    """This computer does not hold the key that seals the database: ask for the recovery code."""

    def __init__(self, message: str, key_id: str) -> None:
        super().__init__(message, "key")
        self.key_id = key_id


# ---- the key store -------------------------------------------------------------------------


def key_folder() -> Path:
    """The folder of key files (created owner-only on first use)."""
    configured = os.environ.get(KEY_DIR_ENV, "").strip()
    if configured:
        return Path(configured).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir("StationDesk", appauthor=False)) / "keys"


def _key_file(key_id: str) -> Path:
    return key_folder() / f"{key_id}.key"


def credential_store() -> Any | None:
    """The keyring module when a real credential store is available, else None."""
    if os.environ.get(KEYRING_ENV, "1").strip() == "0":
        return None
    try:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
    except Exception as exc:
        logger.info("no credential store: %s", exc)
        return None
    if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 0) <= 0:
        return None
    return keyring


def load_key(key_id: str) -> bytes | None:
    """The key with this fingerprint from the key file or the credential store; None if absent."""
    path = _key_file(key_id)
    if path.is_file():
        key = _decode(path.read_text(encoding="ascii", errors="replace"))
        if key is not None and key_fingerprint(key) == key_id:
            return key
        logger.warning("key file %s does not hold key %s", path, key_id)
    store = credential_store()
    if store is not None:
        try:
            stored = store.get_password(KEYRING_SERVICE, key_id)
        except Exception as exc:
            logger.warning("credential store unreadable: %s", exc)
            stored = None
        key = _decode(stored or "")
        if key is not None and key_fingerprint(key) == key_id:
            return key
    return None


def store_key(key: bytes) -> str:
    """Keep ``key`` on this computer; returns where, in words for the user."""
    key_id = key_fingerprint(key)
    store = credential_store()
    if store is not None:
        try:
            store.set_password(KEYRING_SERVICE, key_id, _encode(key))
            if _decode(store.get_password(KEYRING_SERVICE, key_id) or "") == key:
                return "系统凭据管理器"
        except Exception as exc:
            logger.warning("credential store refused the key: %s", exc)
    path = _key_file(key_id)
    write_owner_only(path, _encode(key) + "\n")
    return str(path)


def _encode(key: bytes) -> str:
    return base64.b64encode(key).decode("ascii")


def _decode(stored: str) -> bytes | None:
    try:
        key = base64.b64decode(stored.strip(), validate=True)
    except ValueError:
        return None
    return key if len(key) == 32 else None


def write_owner_only(path: Path, content: str) -> None:
    folder = path.parent
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".part")
    try:
        os.fchmod(fd, 0o600) if hasattr(os, "fchmod") else None
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


# ---- a database and its key ----------------------------------------------------------------


def key_record(engine: Engine) -> tuple[str, bytes] | None:
    """The database's key fingerprint and check value; None before a key was made for it."""
    with engine.connect() as conn:
        if not inspect(conn).has_table(KEY_TABLE):
            return None
        row = conn.execute(
            text(f"SELECT key_id, check_value FROM {KEY_TABLE} WHERE id = 1")
        ).first()
    if row is None:
        return None
    return str(row[0]), base64.b64decode(str(row[1]))


def key_record_of_file(path: Path) -> tuple[str, bytes] | None:
    """The key fingerprint and check value of a SQLite file (a backup), read without a change."""
    import sqlite3

    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        has = con.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (KEY_TABLE,)
        ).fetchone()
        row = con.execute(f"SELECT key_id, check_value FROM {KEY_TABLE} WHERE id = 1").fetchone()
        if has is None or row is None:
            return None
    finally:
        con.close()
    return str(row[0]), base64.b64decode(str(row[1]))


def keep_key_for(record: tuple[str, bytes], code: str | None, what: str) -> None:
    """Make sure this computer holds the key of ``record`` (a backup's), from ``code`` if not.

    Nothing is kept unless the code is that key. ``what`` names the data in the messages.
    """
    key_id, check = record
    key = load_key(key_id)
    if key is not None and StationCipher(key).recognises(check):
        return
    if not (code or "").strip():
        raise StationKeyNeeded(
            f"{what}中的个人信息以本所密钥加密，本机没有该密钥（密钥编号 {key_id[:8]}）。"
            "请输入所长保管的“密钥恢复单”上的 16 组数字，或扫描其上的二维码。",
            key_id,
        )
    cipher = StationCipher(parse_recovery_code(str(code)))
    if cipher.key_id != key_id or not cipher.recognises(check):
        raise ValidationError(
            f"该恢复密钥与{what}不符（可能是其他派出所或其他数据库的恢复单），请核对后重试。",
            "key",
        )
    store_key(parse_recovery_code(str(code)))


def new_station_cipher() -> StationCipher:
    """A new station key, already kept on this computer."""
    key = new_key()
    where = store_key(key)
    cipher = StationCipher(key)
    logger.info("new station key %s kept in %s", cipher.key_id, where)
    return cipher


def record_key(engine: Engine, cipher: StationCipher) -> None:
    """Name ``cipher``'s key in the database (once: the first key stays the station's key)."""
    check = base64.b64encode(cipher.check_value()).decode("ascii")
    with engine.begin() as conn:
        conn.execute(
            text(
                f"INSERT INTO {KEY_TABLE} (id, key_id, check_value, created_at)"
                " VALUES (1, :key_id, :check, :at)"
            ),
            {"key_id": cipher.key_id, "check": check, "at": _utc_now()},
        )


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def unlock(engine: Engine, location: str, *, writable: bool) -> StationCipher | None:
    """Find the database's key on this computer and attach it to ``engine``.

    A database without a key yet gets a new one (when ``writable``). A database whose key this
    computer does not hold raises StationKeyNeeded; read-only opening returns None instead.
    """
    record = key_record(engine)
    if record is None:
        if not writable:
            return None
        cipher = new_station_cipher()
        record_key(engine, cipher)
    else:
        key_id, check = record
        key = load_key(key_id)
        if key is None:
            if not writable:
                return None
            raise StationKeyNeeded(
                f"本机没有该数据库的本所密钥（密钥编号 {key_id[:8]}）：{location}。"
                "请所长取出“密钥恢复单”，输入或扫描其上的恢复密钥。",
                key_id,
            )
        cipher = StationCipher(key)
        if not cipher.recognises(check):
            raise StationKeyNeeded(
                f"本机保存的密钥与该数据库不符（密钥编号 {key_id[:8]}）：{location}。"
                "请输入该数据库的密钥恢复单上的恢复密钥。",
                key_id,
            )
    attach_cipher(engine.dialect, cipher)
    if writable:
        _key_the_chain(engine, cipher)
    return cipher


def _key_the_chain(engine: Engine, cipher: StationCipher) -> None:
    """A new file's chain, or one from before 12/2026, is keyed from its next event on."""
    from sqlalchemy.orm import Session

    from app.core.audit import key_chain

    with Session(engine) as session, session.begin():
        if key_chain(session, cipher.audit_key):
            logger.info("audit chain of %s keyed from its next event", engine.url)


def import_recovery_code(engine: Engine, code: str) -> StationCipher:
    """Check a typed or scanned recovery code against the database and keep the key here."""
    record = key_record(engine)
    key = parse_recovery_code(code)
    cipher = StationCipher(key)
    if record is None or cipher.key_id != record[0] or not cipher.recognises(record[1]):
        raise ValidationError(
            "该恢复密钥与这个数据库不符（可能是其他派出所或其他数据库的恢复单），请核对后重试。",
            "key",
        )
    store_key(key)
    attach_cipher(engine.dialect, cipher)
    return cipher
