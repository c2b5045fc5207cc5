"""The QR codes on slips: what they cover, and checking a scanned one.

A slip prints its code as text a phone shows (station, document, number, date, check code;
:func:`app.printing.slip_data.qr_text`); slips printed before Issue 14 carry SD|number|checksum.
Both are read by :func:`parse_scan`, and both check the same checksum.

A receipt, guidance slip or refusal notice covers fields fixed when the matter was registered
(its number, the registration time to the second, the matter's catalogue version and the first
officer), so an old receipt stays valid while the matter moves on (status, owner, due date). The
citizen's ID number is left out on purpose: the checksum is printed in the clear and must not
help anyone guess the masked digits. A notice covers its frozen content's SHA-256.

Slips printed before this rule (before Issue 10, "rules that hold on a real day") covered other
fields: a receipt its number, acceptance date, due date, first officer's badge and matter name; a
guidance slip the unit and its phone with the first officer's badge; a refusal notice the reason,
the redress and the owner's badge. Citizens keep receipts for weeks, so a code that fails the
current rule is also checked against that old one, computed from the matter as it is now: it
still fits unless one of those fields changed since (e.g. the due date moved while materials
were missing). Then the code is refused with a message that names an old receipt as a possible
cause, and the number on the paper is typed by hand.

The checksum is no signature (anyone who knows the rule can compute it); it catches a misread
or mistyped code and a number altered by hand.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.errors import NotFound, ValidationError
from app.printing.slip_data import qr_payload
from db.models import Notice, Officer, ServiceItemVersion, Station, Visit

_CHECKSUM = re.compile(r"^[0-9A-F]{8}$")
_NUMBER = re.compile(r"^[0-9A-Z][0-9A-Z_-]*$")

RECEIPT_MISMATCH = (
    "二维码校验未通过：可能是扫描有误、旧版回执或回执被改动，请核对纸面编号后手工输入。"
)
NOTICE_MISMATCH = "二维码校验失败：该告知单可能被篡改或扫描有误，请核对纸面编号后手工输入。"
UNREADABLE = "二维码内容不完整或无法识别，请重新扫描，或核对纸面编号后手工输入。"


@dataclass(frozen=True, slots=True)
class ScannedCode:
    """What a scanner typed: the printed number and the checksum beside it."""

    number: str
    checksum: str


def parse_scan(text: str, field: str) -> ScannedCode | None:
    """The code in ``text`` if it is a scanned QR code, else None (a number typed by hand).

    Two forms are read. Slips printed since Issue 14 carry text a phone shows
    (``文新派出所|受理回执|编号 HPL-2026-000001|2026-12-04|校验 1A2B3C4D``, see
    :func:`app.printing.slip_data.qr_text`); slips printed before, and registers, carry
    ``SD|number|checksum``. Only the number and the checksum count: the other fields are for the
    reader. Full-width characters (an input method in full-width mode) are read as ASCII, and a
    scanner that drops the Chinese still leaves the number and checksum between the bars.

    A code that looks like ours but is cut off or garbled is refused rather than searched for
    as plain text, so that a bad scan never quietly finds nothing or the wrong record.
    """
    cleaned = unicodedata.normalize("NFKC", (text or "").strip())
    if cleaned.upper().startswith("SD|"):
        parts = [p.strip() for p in cleaned.upper().split("|")]
        if len(parts) != 3 or not parts[1] or not _CHECKSUM.match(parts[2]):
            raise ValidationError(UNREADABLE, field)
        return ScannedCode(parts[1], parts[2])
    if "|" not in cleaned:
        return None
    parts = [p.strip() for p in cleaned.split("|")]
    number = _label_off(parts[2], "编号") if len(parts) == 5 else ""
    checksum = _label_off(parts[4], "校验") if len(parts) == 5 else ""
    if not number or not _NUMBER.match(number) or not _CHECKSUM.match(checksum):
        raise ValidationError(UNREADABLE, field)
    return ScannedCode(number, checksum)


def _label_off(part: str, label: str) -> str:
    """``part`` without its leading label (编号, 校验), upper-cased as numbers are stored."""
    if part.startswith(label):
        part = part[len(label) :]
    return part.strip().upper()


def visit_qr_payload(visit: Visit) -> str:
    """The QR code printed on a visit's receipt, guidance slip or refusal notice."""
    return qr_payload(visit.serial, *_visit_content(visit))


def visit_checksum(visit: Visit) -> str:
    """The checksum part of :func:`visit_qr_payload`."""
    return visit_qr_payload(visit).rsplit("|", 1)[1]


def notice_qr_payload(notice: Notice) -> str:
    """The QR code printed on a notice (both parts) or a pledge."""
    return qr_payload(notice.number, notice.content_sha256)


def notice_checksum(notice: Notice) -> str:
    """The checksum part of :func:`notice_qr_payload`."""
    return notice_qr_payload(notice).rsplit("|", 1)[1]


def check_notice_scan(notice: Notice, code: ScannedCode, field: str) -> None:
    """Refuse a scanned notice code whose checksum does not match the stored notice."""
    if code.checksum != notice_checksum(notice):
        raise ValidationError(NOTICE_MISMATCH, field)


def visit_id_of_scan(session: Session, code: ScannedCode, field: str) -> int:
    """The visit a scanned receipt (or notice) code belongs to, once its checksum matches."""
    visit = session.scalars(select(Visit).where(Visit.serial == code.number)).first()
    if visit is not None:
        # The current rule first; a receipt printed before it carries the old one.
        fits = code.checksum == visit_checksum(visit)
        if not fits and code.checksum not in legacy_visit_checksums(session, visit):
            raise ValidationError(RECEIPT_MISMATCH, field)
        return visit.id
    notice = session.scalars(select(Notice).where(Notice.number == code.number)).first()
    if notice is not None:
        check_notice_scan(notice, code, field)
        return notice.visit_id
    raise NotFound(
        f"没有编号为 {code.number} 的登记记录或告知单，请核对纸面编号后手工输入。", field
    )


def _visit_content(visit: Visit) -> tuple[str, ...]:
    registered = visit.created_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (registered, str(visit.service_version_id), str(visit.first_officer_id))


def legacy_visit_checksums(session: Session, visit: Visit) -> set[str]:
    """The checksums slips printed before the current rule carry, from the matter as it is now.

    One per kind of slip the matter's data allows: a receipt once accepted, a guidance slip once
    a unit is named, a refusal notice once a reason is given.
    """
    station = session.get(Station, 1)
    version = session.get(ServiceItemVersion, visit.service_version_id)
    first = session.get(Officer, visit.first_officer_id)
    owner = session.get(Officer, visit.owner_id)
    if station is None or version is None or first is None or owner is None:
        return set()
    contents: list[tuple[str, ...]] = []
    if visit.accepted_at is not None:
        accepted = visit.accepted_at.astimezone(ZoneInfo(station.timezone)).date().isoformat()
        due = visit.due_date.isoformat() if visit.due_date else "当场办结"
        contents.append((accepted, due, first.badge_no, version.name))
    if visit.guided_unit:
        contents.append((visit.guided_unit, visit.guided_phone, first.badge_no))
    if visit.refusal_reason:
        contents.append((visit.refusal_reason, visit.refusal_redress, owner.badge_no))
    return {qr_payload(visit.serial, *content).rsplit("|", 1)[1] for content in contents}
