"""Officers' rows and inputs, role requests, and what a departing officer leaves open."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.core.roles import Role
from app.visits.rules import VisitStatus


@dataclass(frozen=True, slots=True)
class OfficerRow:
    """One officer in the staff list."""

    id: int
    badge_no: str
    name: str
    role: Role
    phone: str
    active: bool
    locked_until: dt.datetime | None
    must_change_password: bool


@dataclass(frozen=True, slots=True)
class RoleRequestRow:
    """A change into or out of 所长 or 系统管理员 asked by one administrator, awaiting a second.

    ``id`` is the audit event that recorded the request.
    """

    id: int
    officer_id: int
    officer_name: str
    badge_no: str
    from_role: Role
    to_role: Role
    requested_by_id: int
    requested_by: str
    requested_at: dt.datetime
    reason: str

    @property
    def label(self) -> str:
        """One line for a list: who, from what to what, asked by whom."""
        return (
            f"{self.officer_name}（{self.badge_no}）：{self.from_role.label} → "
            f"{self.to_role.label}，{self.requested_by}申请：{self.reason}"
        )


@dataclass(frozen=True, slots=True)
class NewOfficer:
    """Input for a new officer account."""

    badge_no: str
    name: str
    role: Role
    password: str
    phone: str = ""
    must_change_password: bool = True


@dataclass(frozen=True, slots=True)
class OfficerChanges:
    """Editable fields of an officer (badge numbers never change)."""

    name: str
    role: Role
    phone: str


@dataclass(frozen=True, slots=True)
class OpenMatterRow:
    """An open matter of an officer about to leave, for the plan of who takes it over."""

    visit_id: int
    serial: str
    service_name: str
    citizen_masked: str
    status: VisitStatus
    due_date: dt.date | None
    pending_to_id: int | None  # a handover the officer already offered, still waiting
    pending_to_name: str


@dataclass(frozen=True, slots=True)
class DepartureDetail:
    """What deactivating an officer involves: their open matters and who may take them."""

    officer: OfficerRow
    matters: tuple[OpenMatterRow, ...]
    colleagues: tuple[tuple[int, str], ...]  # (officer id, label), active case handlers
    may_reassign: bool  # whether the caller may decide who takes the matters over
