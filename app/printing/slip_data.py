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
    # The station's opening hours, printed with its address on every citizen slip.
    station_hours: str = ""
    # Who signs for the station: "经办民警 张三（警号 031011）", or for an auxiliary officer
    # "经办辅警 李四（F03121） 责任民警 王五（警号 031011）"; printed with a signature line.
    officer_line: str = ""
    # The citizen refused (or could not) sign: the officer and a witness sign instead, and
    # this says why ("群众拒绝签字" …); "" when the citizen signed or is to sign.
    citizen_not_signing: str = ""
    # Sealed and dated by the station (盖章处 with room for a 42 mm round seal).
    sealed: bool = False

    def texts(self) -> list[str]:
        """Every piece of text the slip prints."""
        out = [self.title, self.copy_label, self.station_name, self.station_address, self.number]
        out += [t for row in self.rows for t in row]
        out += [t for para in self.paragraphs for t in para]
        out += [t for row in self.table for t in row]
        out += [self.station_hours, self.officer_line, self.citizen_not_signing]
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
