"""Columns stored sealed (encrypted) with the station key, and read back in clear.

The key never lives in the database: the application attaches a cipher to the engine's dialect
(``attach_cipher``) once it has found the station key, and these column types seal on write
and open on read through it. An empty value stays empty (no personal data to hide), so "was
a phone given" needs no key. A sealed value starts with ``sd1:``; a value without it is clear
text written before encryption existed, read as it is until the opening step seals it.

A sealed value cannot be compared in SQL (every sealing uses a fresh nonce): exact lookups
go through the keyed hash columns beside it (``id_number_hash``, ``phone_hash``). Comparing a
sealed column with anything but an empty value raises at once rather than finding nothing.
"""

from __future__ import annotations

import base64
import operator
from typing import Any, Protocol

from sqlalchemy import Dialect, LargeBinary, Text
from sqlalchemy.types import TypeDecorator

CIPHER_ATTRIBUTE = "stationdesk_cipher"
TEXT_PREFIX = "sd1:"
BYTES_PREFIX = b"sd1:"
_EMPTY_OK = (operator.eq, operator.ne)


class FieldCipher(Protocol):
    """What a sealed column needs of the station key."""

    def seal(self, data: bytes) -> bytes:
        """Encrypt and authenticate ``data``."""
        ...

    def open(self, data: bytes) -> bytes:
        """Decrypt what ``seal`` made; raises if it was altered or sealed with another key."""
        ...

    def blind(self, kind: str, value: str) -> str:
        """A keyed hash of ``value`` for exact lookups (hex)."""
        ...


class StationKeyMissing(Exception):
    """A sealed column was read or written on an engine without the station key."""


def attach_cipher(dialect: Dialect, cipher: FieldCipher | None) -> None:
    """Seal and open this engine's sealed columns with ``cipher`` (None: detach)."""
    setattr(dialect, CIPHER_ATTRIBUTE, cipher)


def cipher_of(dialect: Dialect) -> FieldCipher:
    """The cipher attached to ``dialect``; StationKeyMissing if none."""
    cipher = getattr(dialect, CIPHER_ATTRIBUTE, None)
    if cipher is None:
        raise StationKeyMissing("no station key attached to this engine")
    return cipher


def has_cipher(dialect: Dialect) -> bool:
    """Whether a station key is attached to this engine."""
    return getattr(dialect, CIPHER_ATTRIBUTE, None) is not None


def is_sealed_text(value: str | None) -> bool:
    """Whether a stored text value is sealed (not clear text from before encryption)."""
    return bool(value) and str(value).startswith(TEXT_PREFIX)


def is_sealed_bytes(value: bytes | None) -> bool:
    """Whether a stored binary value is sealed."""
    return value is not None and bytes(value).startswith(BYTES_PREFIX)


def seal_text(cipher: FieldCipher, value: str) -> str:
    """The stored form of ``value`` (empty stays empty)."""
    if not value:
        return value
    return TEXT_PREFIX + base64.b64encode(cipher.seal(value.encode("utf-8"))).decode("ascii")


def open_text(cipher: FieldCipher, stored: str) -> str:
    """The clear text of a stored value (clear text from before encryption as it is)."""
    if not is_sealed_text(stored):
        return stored
    return cipher.open(base64.b64decode(stored[len(TEXT_PREFIX) :])).decode("utf-8")


def seal_bytes(cipher: FieldCipher, value: bytes) -> bytes:
    """The stored form of ``value`` (empty stays empty)."""
    if not value:
        return value
    return BYTES_PREFIX + cipher.seal(bytes(value))


def open_bytes(cipher: FieldCipher, stored: bytes) -> bytes:
    """The clear bytes of a stored value."""
    if not is_sealed_bytes(stored):
        return bytes(stored)
    return cipher.open(bytes(stored)[len(BYTES_PREFIX) :])


class _NoComparison(TypeDecorator.Comparator):
    def operate(self, op: Any, *other: Any, **kwargs: Any) -> Any:
        if op in _EMPTY_OK and len(other) == 1 and other[0] in ("", b"", None):
            return super().operate(op, *other, **kwargs)
        raise TypeError(
            f"a sealed column cannot be compared in SQL ({getattr(op, '__name__', op)}): "
            "look it up by its keyed hash column"
        )


class SealedText(TypeDecorator[str]):
    """Text sealed with the station key (ID numbers, phones)."""

    impl = Text
    cache_ok = True
    comparator_factory = _NoComparison

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if not value:
            return value
        if is_sealed_text(value):  # already sealed (copying stored rows)
            return value
        return seal_text(cipher_of(dialect), value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        if not is_sealed_text(value):
            return value
        assert value is not None
        return open_text(cipher_of(dialect), value)


class SealedBytes(TypeDecorator[bytes]):
    """Binary data sealed with the station key (signature images)."""

    impl = LargeBinary
    cache_ok = True
    comparator_factory = _NoComparison

    def process_bind_param(self, value: bytes | None, dialect: Dialect) -> bytes | None:
        if not value:
            return value
        if is_sealed_bytes(value):
            return bytes(value)
        return seal_bytes(cipher_of(dialect), value)

    def process_result_value(self, value: bytes | None, dialect: Dialect) -> bytes | None:
        if not is_sealed_bytes(value):
            return None if value is None else bytes(value)
        assert value is not None
        return open_bytes(cipher_of(dialect), value)
