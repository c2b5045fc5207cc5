"""What a printed slip says, independent of how it is laid out."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SlipData:
    """One citizen-facing slip: header, numbered fields, paragraphs, signatures, QR payload."""

    kind: str
    title: str
    copy_label: str
    station_name: str
    station_address: str
    number: str
    rows: tuple[tuple[str, str], ...]
    paragraphs: tuple[tuple[str, str], ...]
    notes: tuple[str, ...]
    signatures: tuple[str, ...]
    qr_payload: str
    copy_no: int
    printed_at: dt.datetime
    paper_size: str
    table: tuple[tuple[str, ...], ...] = ()
    image_png: bytes | None = None
    parts: tuple[str, ...] = ()

    def texts(self) -> list[str]:
        """Every piece of text the slip prints."""
        out = [self.title, self.copy_label, self.station_name, self.station_address, self.number]
        out += [t for row in self.rows for t in row]
        out += [t for para in self.paragraphs for t in para]
        out += [t for row in self.table for t in row]
        return out + list(self.notes) + list(self.signatures)

    @property
    def is_reprint(self) -> bool:
        """A later print of the same slip: marked 补打 on the paper."""
        return self.copy_no > 1


def content_checksum(*parts: str) -> str:
    """Eight hex digits of SHA-256 over the slip's key content, printed in its QR code."""
    return hashlib.sha256("|".join(parts).encode("utf-8")).hexdigest()[:8].upper()


def qr_payload(number: str, *content: str) -> str:
    """What the QR code encodes: the number and a short checksum of the content."""
    return f"SD|{number}|{content_checksum(number, *content)}"
