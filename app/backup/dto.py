"""Backups and restores: their outcomes and the list of copies."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class BackupResult:
    """A backup written and checked: where, how big, its SHA-256, and the old ones rotated away."""

    path: Path
    size_bytes: int
    sha256: str
    reason: str
    at: dt.datetime
    removed: tuple[Path, ...] = ()


@dataclass(frozen=True, slots=True)
class BackupRow:
    """One backup on record (written or tried)."""

    at: dt.datetime
    reason: str
    path: str
    size_bytes: int
    sha256: str
    ok: bool
    note: str


@dataclass(frozen=True, slots=True)
class RestoreResult:
    """A database replaced by a backup: which, from what, and where the replaced one was kept."""

    location: str
    source: Path
    station_name: str
    station_code: str
    revision: str
    officer_name: str
    replaced: str | None  # the replaced database kept aside; None when there was none
