"""Fixtures of the service tests: row counts and the audit trail as plain dicts."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from app.core.database import Database
from db.models import AuditEvent


@pytest.fixture
def count(db: Database) -> Callable[[type], int]:
    """How many rows a model's table holds now."""

    def count_rows(model: type) -> int:
        with db.sessions() as session:
            return int(session.scalar(select(func.count()).select_from(model)) or 0)

    return count_rows


@pytest.fixture
def audit_log(db: Database) -> Callable[[], list[dict[str, Any]]]:
    """The audit events as plain dicts (before/after decoded), oldest first."""

    def events() -> list[dict[str, Any]]:
        with db.sessions() as session:
            return [
                {
                    "id": e.id,
                    "officer_id": e.officer_id,
                    "action": e.action,
                    "entity_type": e.entity_type,
                    "entity_id": e.entity_id,
                    "before": json.loads(e.before_json) if e.before_json else None,
                    "after": json.loads(e.after_json) if e.after_json else None,
                }
                for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))
            ]

    return events
