"""Frozen data of walk-in matters handed between VisitService and the UI."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from app.core.identity import IdType
from app.visits.rules import Channel, VisitStatus


class NameChoice(enum.StrEnum):
    """The officer's answer when the ID number was last registered under another name."""

    NONE = ""  # not asked yet: the service asks (NameDiffers) if the names differ
    CURRENT = "current"  # 以本次为准: the name typed now
    PREVIOUS = "previous"  # 改回上次的姓名: the name of the last registration

    @property
    def label(self) -> str:
        """The answer as the form offers it."""
        return {"": "", "current": "以本次为准", "previous": "改回上次的姓名"}[self.value]


# A handover's state in words: the detail pane, the ledger and the case file say the same.
HANDOVER_STATE_LABELS: dict[str, str] = {
    "pending": "待接收",
    "accepted": "已接收",
    "declined": "已拒收",
    "cancelled": "已撤回",
}


@dataclass(frozen=True, slots=True)
class NewVisit:
    """What the registration form collects."""

    citizen_name: str
    id_type: IdType
    id_number: str
    phone: str
    service_item_id: int | None
    channel: Channel = Channel.WINDOW
    summary: str = ""
    in_scope: bool = True
    arrived_at: dt.datetime | None = None
    arrived_by_hand: bool = False  # the officer pressed F5 for the arrival
    # A returning citizen: take a name or phone left blank from this earlier visit
    # (CitizenHint.visit_id), which the form never displays in full.
    reuse_from: int | None = None
    # The same ID number was last registered under another name: which one is right.
    name_choice: NameChoice = NameChoice.NONE


@dataclass(frozen=True, slots=True)
class CitizenHint:
    """A returning citizen, recognised by ID number or phone; masked as on any screen.

    The form may reuse the earlier name and phone (NewVisit.reuse_from) without showing
    them; the full phone is shown only through an audited reveal with a purpose.
    """

    visit_id: int
    matched_by: str  # "id" or "phone"
    citizen_name_masked: str
    id_type: IdType
    id_number_masked: str
    phone_masked: str
    last_date: dt.date
    last_service: str
    visits: int


@dataclass(frozen=True, slots=True)
class VisitRow:
    """One visit in a list (ID number and phone masked)."""

    id: int
    serial: str
    local_date: dt.date
    arrived_at: dt.datetime
    citizen_name: str
    id_masked: str
    phone_masked: str
    service_name: str
    status: VisitStatus
    owner_id: int
    owner_name: str
    first_officer_name: str
    due_date: dt.date | None
    due_state: str  # "overdue", "due_soon", "paused", "unaccepted" or ""
    pending_handover_to: str
    waiting_minutes: int | None
    service_minutes: int | None
    row_version: int

    @property
    def due_text(self) -> str:
        """The deadline with its state in words (colour alone is not enough)."""
        if self.due_state == "unaccepted":
            return "（登记后未受理）"
        if self.due_state == "supplement_overdue":
            return f"{self.due_date.isoformat() if self.due_date else ''}（补正期限已过）"
        if self.due_date is None:
            return ""
        text = self.due_date.isoformat()
        if self.due_state == "paused":
            return f"{text}（暂停计时）"
        if self.due_state == "overdue":
            return f"{text}（已超期）"
        if self.due_state == "due_soon":
            return f"{text}（即将到期）"
        return text


@dataclass(frozen=True, slots=True)
class TransitionRow:
    """One step in a visit's history."""

    at: dt.datetime
    officer_name: str
    from_status: VisitStatus | None
    to_status: VisitStatus
    reason: str


@dataclass(frozen=True, slots=True)
class HandoverRow:
    """A handover (移交), pending or decided."""

    id: int
    visit_id: int
    serial: str
    citizen_name: str
    service_name: str
    from_officer_id: int
    from_name: str
    to_officer_id: int
    to_name: str
    reason: str
    state: str
    created_at: dt.datetime
    decided_at: dt.datetime | None
    decline_reason: str

    @property
    def state_label(self) -> str:
        """The state in Chinese."""
        return HANDOVER_STATE_LABELS[self.state]


@dataclass(frozen=True, slots=True)
class VisitDetail:
    """Everything about one visit, for its detail panel and its slips."""

    row: VisitRow
    id_type: IdType
    channel: Channel
    summary: str
    in_scope: bool
    service_item_id: int
    service_version_id: int
    service_code: str
    time_limit_text: str
    time_limit_unit: str
    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    times_by_hand: tuple[str, ...]  # of "arrived", "started", "ended": stamped with F5/F6/F7
    accepted_at: dt.datetime | None
    paused: bool
    remaining_days: int | None
    due_warning: str
    result: str
    guided_unit: str
    guided_address: str
    guided_phone: str
    refusal_reason: str
    refusal_redress: str
    # A refusal's reason, legal basis and redress as its notice prints them (label, text).
    refusal_lines: tuple[tuple[str, str], ...]
    refusal_unsigned: str  # why the citizen did not sign the notice (a witness signed)
    void_reason: str
    first_officer_badge: str
    owner_badge: str
    transitions: tuple[TransitionRow, ...]
    handovers: tuple[HandoverRow, ...]

    @property
    def pending_handover(self) -> HandoverRow | None:
        """The handover waiting for its receiver, if any."""
        return next((h for h in self.handovers if h.state == "pending"), None)


@dataclass(frozen=True, slots=True)
class VisitQuery:
    """Search filters; empty fields do not filter."""

    serial: str = ""
    name: str = ""
    id_number: str = ""
    phone: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    officer_id: int | None = None
    service_item_id: int | None = None
    status: VisitStatus | None = None
    offset: int = 0
    limit: int = 200


@dataclass(frozen=True, slots=True)
class VisitPage:
    """One page of search results and how many there are in all."""

    rows: tuple[VisitRow, ...]
    total: int
    offset: int
