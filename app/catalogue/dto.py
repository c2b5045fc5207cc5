"""The service catalogue's rows, drafts and versions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class MaterialLine:
    """One material of a catalogue version."""

    name: str
    copies: int
    form: str
    source: str
    is_key: bool


@dataclass(frozen=True, slots=True)
class ServiceItemDraft:
    """The content of a catalogue version, as entered or as shipped."""

    name: str
    category: str
    legal_basis: str
    conditions: str
    procedure: str
    time_limit_value: int
    time_limit_unit: str
    time_limit_note: str
    fee: str
    fee_basis: str
    place: str
    hours: str
    materials: tuple[MaterialLine, ...]


@dataclass(frozen=True, slots=True)
class ServiceItemRow:
    """One matter in the catalogue list (its current version)."""

    item_id: int
    version_id: int
    code: str
    name: str
    category: str
    time_limit_text: str
    fee: str
    version_no: int
    material_count: int
    active: bool


@dataclass(frozen=True, slots=True)
class ServiceItemDetail:
    """A whole catalogue version, for the detail view and the editor."""

    item_id: int
    version_id: int
    code: str
    version_no: int
    current_version_no: int
    active: bool
    draft: ServiceItemDraft
    time_limit_text: str
    change_note: str
    created_at: dt.datetime
    created_by: str


@dataclass(frozen=True, slots=True)
class VersionRow:
    """One version in a matter's history."""

    version_id: int
    version_no: int
    name: str
    created_at: dt.datetime
    created_by: str
    change_note: str
