"""Frozen data of one-time notices (一次性告知单) and pledges (容缺受理承诺书)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

ITEM_STATE_LABELS = {"provided": "已提供", "missing": "需补交", "correction": "需更正"}
NOTICE_STATE_LABELS = {
    "open": "待补正",
    "fulfilled": "已补齐",
    "overdue": "已逾期",
    "voided": "已作废",
}


@dataclass(frozen=True, slots=True)
class NoticeItemInput:
    """One material as the officer marked it on the editor."""

    name: str
    copies: int
    form: str
    source: str
    is_key: bool
    state: str  # provided | missing | correction
    note: str = ""
    extra: bool = False


@dataclass(frozen=True, slots=True)
class NoticeDraft:
    """The editor's starting point: the matter's checklist and everything else printed."""

    visit_id: int
    row_version: int
    serial: str
    citizen_name: str
    id_masked: str
    service_name: str
    items: tuple[NoticeItemInput, ...]
    latest_deadline: dt.date | None
    time_limit_text: str
    officer_name: str
    officer_badge: str
    officer_phone: str


@dataclass(frozen=True, slots=True)
class SignatureInput:
    """What the signature pad captured, and the hash of the content shown when signing."""

    signer_name: str
    strokes: tuple[tuple[tuple[float, float, float], ...], ...]
    png: bytes
    content_sha256: str


@dataclass(frozen=True, slots=True)
class NewNotice:
    """Everything the officer issues."""

    visit_id: int
    row_version: int
    items: tuple[NoticeItemInput, ...]
    supplement_deadline: dt.date | None = None
    pledge: bool = False
    signature: SignatureInput | None = None
    signature_declined_note: str = ""


@dataclass(frozen=True, slots=True)
class NoticeItemRow:
    """A material on an issued notice."""

    id: int
    position: int
    name: str
    copies: int
    form: str
    source: str
    is_key: bool
    state: str
    note: str
    extra: bool
    arrived: bool

    @property
    def owed(self) -> bool:
        """Still to be brought or corrected."""
        return self.state != "provided" and not self.arrived


@dataclass(frozen=True, slots=True)
class BreachRow:
    """A demand beyond the notice, on the record."""

    item_name: str
    reason: str
    at: dt.datetime
    officer_name: str
    issuer_name: str


@dataclass(frozen=True, slots=True)
class NoticeDetail:
    """An issued notice with its frozen content and what happened since."""

    id: int
    number: str
    kind: str
    state: str
    visit_id: int
    serial: str
    citizen_name: str
    service_name: str
    officer_name: str
    officer_badge: str
    local_date: dt.date
    supplement_deadline: dt.date | None
    items: tuple[NoticeItemRow, ...]
    breaches: tuple[BreachRow, ...]
    signer_name: str
    signature_declined_note: str
    content_sha256: str
    return_visits: int
    row_version: int

    @property
    def title(self) -> str:
        """The document's name."""
        return "容缺受理承诺书" if self.kind == "pledge" else "一次性告知单"

    @property
    def state_label(self) -> str:
        """The state in Chinese."""
        return NOTICE_STATE_LABELS[self.state]


@dataclass(frozen=True, slots=True)
class NoticeRow:
    """One line of the notice register."""

    id: int
    number: str
    kind: str
    state: str
    local_date: dt.date
    citizen_name: str
    service_name: str
    officer_name: str
    supplement_deadline: dt.date | None
    owed: int
    breaches: int

    @property
    def state_label(self) -> str:
        """The state in Chinese."""
        return NOTICE_STATE_LABELS[self.state]


@dataclass(frozen=True, slots=True)
class CompletionRow:
    """One-visit completion: matters finished on the second visit / notices issued."""

    label: str
    issued: int
    one_visit: int

    @property
    def rate_text(self) -> str:
        """The rate as a percentage, or 一 when nothing was issued."""
        return f"{self.one_visit / self.issued:.0%}" if self.issued else "—"
