"""The outcome of an integrity check."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class CheckReport:
    """Outcome of ``stationdesk check``."""

    ok: bool
    lines: tuple[str, ...] = field(default_factory=tuple)
