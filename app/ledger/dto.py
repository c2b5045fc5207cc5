"""The daily ledger's data: what the service hands out, and what the page, the PDF and the
Excel export read (``app.ledger.pdf``, ``app.ledger.export``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """One line of a section: its cells, whether it is highlighted, who it concerns."""

    cells: tuple[str, ...]
    marked: bool = False
    officer_ids: tuple[int, ...] = ()
    visit_id: int | None = None


@dataclass(frozen=True, slots=True)
class LedgerSection:
    """A titled table of the ledger."""

    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[LedgerRow, ...]
    widths: tuple[float, ...] = ()


@dataclass(frozen=True, slots=True)
class ReviewInfo:
    """Who reviewed the day, when, what they wrote, and their signature."""

    reviewer: str
    reviewer_role: str
    reviewed_at: dt.datetime
    comment: str
    signature_png: bytes
    content_sha256: str
    # The audit chain's head when the day was reviewed (0: reviewed before it was kept).
    audit_head_id: int = 0
    audit_head_hash: str = ""

    @property
    def anchor(self) -> str:
        """The audit chain's head at the review, as the signed ledger shows it everywhere."""
        if not self.audit_head_id:
            return "未记录（审核早于该项记录）"
        return f"第 {self.audit_head_id} 号事件 {self.audit_head_hash[:16].upper()}"


@dataclass(frozen=True, slots=True)
class Ledger:
    """One day's ledger as shown, printed and exported."""

    day: dt.date
    station_name: str
    sections: tuple[LedgerSection, ...]
    summary: tuple[tuple[str, str], ...]
    content_sha256: str
    review: ReviewInfo | None = None
    corrections: tuple[LedgerRow, ...] = ()  # corrections of this day made after the review
    officer_filter: str = ""
    generated_at: dt.datetime | None = None
    # Records of a locked day made after its review: shown, not signed (next day's ledger).
    after_review: tuple[LedgerSection, ...] = ()
    # Why the day cannot be reviewed now (today before the closing hour), else "".
    review_blocked: str = ""

    @property
    def locked(self) -> bool:
        """Reviewed and signed: read-only."""
        return self.review is not None

    def section(self, key: str) -> LedgerSection:
        """A section by key."""
        return next(s for s in self.sections if s.key == key)

    @property
    def row_count(self) -> int:
        """Rows across every section."""
        return sum(len(s.rows) for s in self.sections)


@dataclass(frozen=True, slots=True)
class PendingDay:
    """A day with activity that no one has reviewed yet."""

    day: dt.date
    visits: int
    note: str = ""  # e.g. records after the previous review to sign, or when today opens


@dataclass(frozen=True, slots=True)
class AddendumRow:
    """A correction as listed."""

    number: str
    day: dt.date
    made_on: dt.date
    at: dt.datetime
    officer: str
    entity_label: str
    field_label: str
    old_value: str
    new_value: str
    reason: str


@dataclass(frozen=True, slots=True)
class ReviewSignature:
    """The chief's signature on the pad."""

    strokes: tuple[tuple[tuple[float, float, float], ...], ...]
    png: bytes
