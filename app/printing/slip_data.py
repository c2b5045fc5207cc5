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


# Receipts and guidance slips may come off the 80 mm roll; a notice, pledge or refusal is a form
# the station files (thermal paper fades) and prints on A4 whatever the roll setting.
ROLL_KINDS = frozenset({"receipt", "guidance"})
FORM_PAPER = "A4"

# The rows that carry a slip's own date, in the order they are looked for (the QR text's date).
_DATE_LABELS = ("告知日期", "受理日期", "申请日期", "来访日期", "交办日期")
_HEX8 = frozenset("0123456789ABCDEF")


def slip_paper(kind: str, paper_size: str) -> str:
    """The paper a slip of ``kind`` prints on when the station's setting is ``paper_size``."""
    if paper_size == "80mm" and kind not in ROLL_KINDS:
        return FORM_PAPER
    return paper_size


def content_checksum(*parts: str) -> str:
    """Eight hex digits of SHA-256 over the slip's key content, printed in its QR code."""
    return hashlib.sha256("|".join(parts).encode("utf-8")).hexdigest()[:8].upper()


def qr_payload(number: str, *content: str) -> str:
    """The short form of a QR code: the number and a checksum of the content.

    ``SD|number|checksum`` is what slips printed before Issue 14 carry (and registers still
    do); a slip prints it as :func:`qr_text` (see :func:`printed_qr_text`).
    """
    return f"SD|{number}|{content_checksum(number, *content)}"


def qr_text(station: str, document: str, number: str, date: str, checksum: str) -> str:
    """What a slip's QR code encodes: text a citizen's phone shows and a scanner still checks.

    ``文新派出所|一次性告知单|编号 QNL-2026-00049|2026-12-04|校验 1A2B3C4D``. The separators
    are ASCII, so that a scanner typing as a keyboard that drops Chinese still types the
    number and the checksum between them.
    """
    fields = (station, document, number, date)
    clean = [" ".join(f.replace("|", " ").replace("｜", " ").split()) for f in fields]
    return f"{clean[0]}|{clean[1]}|编号 {clean[2]}|{clean[3]}|校验 {checksum}"


def split_payload(payload: str) -> tuple[str, str] | None:
    """The number and checksum of a short-form payload (``SD|number|checksum``), else None."""
    parts = payload.split("|")
    if len(parts) == 3 and parts[0] == "SD" and len(parts[2]) == 8 and set(parts[2]) <= _HEX8:
        return parts[1], parts[2]
    return None


def slip_date(data: SlipData) -> str:
    """The slip's own date (告知日期, 受理日期 …), else the day it is printed."""
    rows = dict(data.rows)
    for label in _DATE_LABELS:
        value = rows.get(label, "")
        if len(value) >= 10 and value[4] == "-" and value[7] == "-":
            return value[:10]
    return data.printed_at.date().isoformat()


def printed_qr_text(data: SlipData) -> str:
    """What the slip's QR code encodes on paper: :func:`qr_text` of the slip's short form.

    A payload a builder already wrote as text (not ``SD|…``) is printed as it is.
    """
    short = split_payload(data.qr_payload)
    if short is None:
        return data.qr_payload
    number, checksum = short
    return qr_text(data.station_name, data.title, number, slip_date(data), checksum)
