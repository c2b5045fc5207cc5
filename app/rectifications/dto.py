"""What the rectification service returns."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class RectificationRow:
    """A rectification as the chief's list and the slip show it."""

    id: int
    number: str
    state: str
    visit_serial: str
    citizen_name: str
    rated_officer: str
    owner: str
    rating_text: str
    comment: str
    verify_due: dt.date
    rectify_due: dt.date
    overdue: bool
    cause: str
    action: str
    result: str
    follow_up: str
    appeal_text: str
    appeal_decision: str
    appeal_reason: str
    row_version: int
    dimensions: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    rated_officer_id: int = 0  # who may appeal, and who may not work the steps
    owner_id: int = 0

    @property
    def state_label(self) -> str:
        """The state in Chinese."""
        return {"open": "待核实", "verified": "整改中", "rectified": "待销号", "closed": "已销号"}[
            self.state
        ]
