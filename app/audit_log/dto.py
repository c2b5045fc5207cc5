"""A row of the audit log as the log page shows it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One audit event as listed."""

    id: int
    at: dt.datetime
    officer: str
    action: str
    entity_type: str
    entity_id: str
