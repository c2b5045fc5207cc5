"""The station key: sealing personal data (AES-256-GCM), keyed lookup hashes and recovery codes.

One random 32-byte key per station. Two working keys are derived from it (HMAC-SHA256 with
fixed labels): one seals values with AES-256-GCM (a fresh 12-byte nonce per value, so equal
values look different), the other makes the keyed hashes (HMAC-SHA256) that let an exact ID
number or phone be found without storing it in clear. The key's fingerprint (``key_id``) names
it in the credential store and in the database; it reveals nothing of the key.

The recovery code is the key written for paper: 16 groups of six digits (two bytes as five
digits, then a check digit that also covers the group's place), so a mistyped or swapped group
is found and named, not just "wrong key".
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from functools import cached_property
from typing import TYPE_CHECKING

from app.core.errors import ValidationError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
NONCE_BYTES = 12
GROUPS = KEY_BYTES // 2
QR_PREFIX = "STATIONDESK-KEY:1:"
# What a sealed value made with this key holds, to tell the right key from a wrong one.
CHECK_PLAINTEXT = b"StationDesk station key check v1"


class SealedDataDamaged(Exception):
    """A sealed value does not open with this key: altered, or sealed with another key."""


def new_key() -> bytes:
    """A fresh random station key."""
    return os.urandom(KEY_BYTES)


def key_fingerprint(key: bytes) -> str:
    """The key's public name (32 hex digits)."""
    return hmac.new(key, b"StationDesk key id v1", hashlib.sha256).hexdigest()[:32]


class StationCipher:
    """Seals and opens values and makes keyed hashes with one station key."""

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise ValueError("a station key has 32 bytes")
        self._seal_key = hmac.new(key, b"StationDesk field sealing v1", hashlib.sha256).digest()
        self._hash_key = hmac.new(key, b"StationDesk lookup hash v1", hashlib.sha256).digest()
        # Keys the audit chain (app/core/audit.py): without it nobody re-hashes an edited history.
        self.audit_key = hmac.new(key, b"StationDesk audit chain v1", hashlib.sha256).digest()
        self.key_id = key_fingerprint(key)
        self._key = key  # for the recovery sheet only

    def recovery_groups(self) -> tuple[str, ...]:
        """The key as the recovery sheet prints it."""
        return tuple(recovery_groups(self._key))

    def recovery_qr_text(self) -> str:
        """The recovery sheet's QR code text."""
        return recovery_qr_text(self._key)

    @cached_property
    def _aead(self) -> AESGCM:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        return AESGCM(self._seal_key)

    def seal(self, data: bytes) -> bytes:
        """Nonce and ciphertext with its authentication tag."""
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, data, None)

    def open(self, data: bytes) -> bytes:
        """The clear bytes; SealedDataDamaged if altered or sealed with another key."""
        from cryptography.exceptions import InvalidTag

        if len(data) < NONCE_BYTES + 16:
            raise SealedDataDamaged("sealed value too short")
        try:
            return self._aead.decrypt(data[:NONCE_BYTES], data[NONCE_BYTES:], None)
        except InvalidTag:
            raise SealedDataDamaged("sealed value does not open with this key") from None

    def blind(self, kind: str, value: str) -> str:
        """The keyed hash of ``value`` for exact lookups of ``kind`` (id, phone)."""
        message = kind.encode("ascii") + b"\x00" + value.encode("utf-8")
        return hmac.new(self._hash_key, message, hashlib.sha256).hexdigest()[:32]

    def check_value(self) -> bytes:
        """A value sealed with this key, stored so the key can be recognised later."""
        return self.seal(CHECK_PLAINTEXT)

    def recognises(self, check_value: bytes) -> bool:
        """Whether ``check_value`` was made with this key."""
        try:
            return self.open(check_value) == CHECK_PLAINTEXT
        except SealedDataDamaged:
            return False


# ---- the recovery code ---------------------------------------------------------------------


def _check_digit(place: int, five: str) -> str:
    total = place * 7 + sum((i + 3) * int(d) for i, d in enumerate(five))
    return str(total % 10)


def recovery_groups(key: bytes) -> list[str]:
    """The key as 16 groups of six digits (five digits of two bytes, then a check digit)."""
    groups = []
    for place in range(GROUPS):
        five = f"{int.from_bytes(key[place * 2 : place * 2 + 2], 'big'):05d}"
        groups.append(five + _check_digit(place, five))
    return groups


def recovery_qr_text(key: bytes) -> str:
    """What the recovery sheet's QR code holds (a scanner types it into the key field)."""
    return QR_PREFIX + base64.b32encode(key).decode("ascii").rstrip("=")


def parse_recovery_code(text: str) -> bytes:
    """The key from a typed recovery code or a scanned QR text; ValidationError saying where."""
    raw = (text or "").strip()
    if raw.upper().startswith(QR_PREFIX):
        body = raw[len(QR_PREFIX) :].strip().upper()
        try:
            key = base64.b32decode(body + "=" * (-len(body) % 8))
        except ValueError:
            key = b""
        if len(key) != KEY_BYTES:
            raise ValidationError("扫描到的二维码内容不完整，请重新扫描恢复单上的二维码。", "key")
        return key
    digits = re.sub(r"[\s\-－—_,，、.。]", "", raw)
    digits = digits.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if not digits:
        raise ValidationError("请输入密钥恢复单上的 16 组数字，或扫描恢复单上的二维码。", "key")
    if not digits.isdigit():
        raise ValidationError("恢复密钥只含数字，请对照恢复单重新输入。", "key")
    if len(digits) != GROUPS * 6:
        raise ValidationError(
            f"恢复密钥应为 16 组、每组 6 位，共 96 位数字；现在输入了 {len(digits)} 位。", "key"
        )
    key = b""
    for place in range(GROUPS):
        group = digits[place * 6 : place * 6 + 6]
        five, check = group[:5], group[5]
        if _check_digit(place, five) != check or int(five) > 0xFFFF:
            raise ValidationError(
                f"第 {place + 1} 组数字（{group}）有误，请对照恢复单重新输入这一组。", "key"
            )
        key += int(five).to_bytes(2, "big")
    return bytes(key)
