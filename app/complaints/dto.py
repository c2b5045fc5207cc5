"""Frozen data of complaints and praise letters (投诉、表扬), and the choices they offer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from db.models import COMPLAINT_CHANNELS, COMPLAINT_FINDINGS, COMPLAINT_OUTCOMES

# Re-exported so the UI (which may not import db) can offer the same choices the service checks.
CHANNELS: tuple[str, ...] = COMPLAINT_CHANNELS
FINDINGS: tuple[str, ...] = COMPLAINT_FINDINGS
OUTCOMES: tuple[str, ...] = COMPLAINT_OUTCOMES
KIND_LABELS: dict[str, str] = {"complaint": "投诉", "praise": "表扬"}
STATE_LABELS: dict[str, str] = {
    "received": "待核实",
    "verified": "待处理",
    "handled": "待答复",
    "replied": "待办结",
    "closed": "已办结",
}
REPLY_METHODS: tuple[str, ...] = ("电话", "当面", "书面", "短信", "平台回复")
# Only for a complainant who left neither name nor phone: there is nobody to answer.
NO_REPLY = "无法答复（匿名）"


@dataclass(frozen=True, slots=True)
class NewComplaint:
    """A complaint or praise letter as received at the counter, by phone, letter or platform."""

    kind: str
    channel: str
    received_on: dt.date
    content: str
    complainant_name: str = ""
    complainant_phone: str = ""
    officer_id: int | None = None
    visit_serial: str = ""


@dataclass(frozen=True, slots=True)
class ComplaintRow:
    """One complaint or praise letter as the ledger and the detail show it (phone masked)."""

    id: int
    number: str
    kind: str
    channel: str
    received_on: dt.date
    recorded_at: dt.datetime
    recorded_by: str
    complainant: str
    phone_masked: str
    officer_id: int | None
    officer_name: str
    visit_serial: str
    content: str
    state: str
    handler_id: int | None
    handler_name: str
    verify_due: dt.date | None
    handle_due: dt.date | None
    reply_due: dt.date | None
    finding: str
    verify_note: str
    verified_at: dt.datetime | None
    outcome: str
    handle_note: str
    handled_at: dt.datetime | None
    reply_method: str
    reply_text: str
    replied_at: dt.datetime | None
    closed_at: dt.datetime | None
    row_version: int
    overdue_steps: tuple[str, ...]
    anonymous: bool

    @property
    def is_praise(self) -> bool:
        """A praise letter: recorded only, no workflow."""
        return self.kind == "praise"

    @property
    def kind_label(self) -> str:
        """投诉 or 表扬."""
        return KIND_LABELS[self.kind]

    @property
    def state_label(self) -> str:
        """The state in Chinese; a praise letter is simply 已登记."""
        return "已登记" if self.is_praise else STATE_LABELS[self.state]

    @property
    def overdue(self) -> bool:
        """Whether any step's deadline has passed without the step being done."""
        return bool(self.overdue_steps)

    @property
    def overdue_text(self) -> str:
        """Which steps are late, in words: 核实、处理逾期 (empty when none)."""
        return f"{'、'.join(self.overdue_steps)}逾期" if self.overdue_steps else ""

    @property
    def next_step(self) -> str:
        """The step that comes next (empty for praise and closed complaints)."""
        if self.is_praise:
            return ""
        return {"received": "核实", "verified": "处理", "handled": "答复", "replied": "办结"}.get(
            self.state, ""
        )

    @property
    def next_due(self) -> dt.date | None:
        """The deadline of the next step; closing after the reply has none of its own."""
        if self.is_praise:
            return None
        return {
            "received": self.verify_due,
            "verified": self.handle_due,
            "handled": self.reply_due,
        }.get(self.state)


@dataclass(frozen=True, slots=True)
class ComplaintSummary:
    """Counts for the day's ledger, over what the caller may see."""

    day: dt.date
    complaints_received: int
    praise_received: int
    open: int
    overdue: int
