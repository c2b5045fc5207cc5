"""What the callback service returns."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.callbacks.rules import HOME_OUTCOMES, KINDS, OUTCOMES, REASONS, STATES


@dataclass(frozen=True, slots=True)
class AttemptRow:
    """One logged attempt."""

    at: dt.datetime
    officer: str
    outcome: str
    outcome_label: str
    note: str


@dataclass(frozen=True, slots=True)
class CallbackRow:
    """A callback as the worklist shows it; the phone only masked."""

    id: int
    kind: str
    reason: str
    visit_id: int
    visit_serial: str
    matter: str
    finished_on: dt.date | None
    citizen_name: str
    phone_masked: str
    handled_by: str
    assigned_to_id: int
    assigned_to: str
    due_date: dt.date
    state: str
    overdue: bool
    on_site_level: str
    callback_level: str
    pressure: bool
    attempts: tuple[AttemptRow, ...]
    row_version: int
    dissatisfied: bool = False  # the callback rating is a 差评

    @property
    def kind_label(self) -> str:
        """电话回访 or 上门回访."""
        return KINDS[self.kind]

    @property
    def reason_label(self) -> str:
        """Why it is on the list."""
        return REASONS[self.reason]

    @property
    def state_label(self) -> str:
        """Where it stands, in Chinese."""
        return STATES[self.state]

    @property
    def outcome_labels(self) -> dict[str, str]:
        """The outcomes an attempt of this kind may have."""
        return HOME_OUTCOMES if self.kind == "home" else OUTCOMES


@dataclass(frozen=True, slots=True)
class Coverage:
    """Callback coverage of sampled phone callbacks: called / sampled, reached / called."""

    label: str
    sampled: int
    called: int
    reached: int
    pressure: int
    dissatisfied: int

    @property
    def call_rate(self) -> float | None:
        """Called over sampled; None when nothing was sampled."""
        return self.called / self.sampled if self.sampled else None

    @property
    def reach_rate(self) -> float | None:
        """Reached over called; None when no one was called."""
        return self.reached / self.called if self.called else None


@dataclass(frozen=True, slots=True)
class BatchResult:
    """What one sampling did."""

    batch_id: int
    period_start: dt.date
    period_end: dt.date
    share: int
    seed: int
    eligible: int
    sampled: int
    mandatory: int
    without_phone: int
