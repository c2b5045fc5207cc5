"""The current time, injectable so rules about time can be tested."""

from __future__ import annotations

import datetime as dt
from typing import Protocol


class Clock(Protocol):
    """Something that tells the current, timezone-aware time."""

    def now(self) -> dt.datetime:
        """The current instant, timezone-aware."""
        ...


class SystemClock:
    """The machine's clock in UTC."""

    def now(self) -> dt.datetime:
        """The current instant in UTC."""
        return dt.datetime.now(dt.UTC)


class FixedClock:
    """A clock that moves only when told (tests, demo data)."""

    def __init__(self, start: dt.datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._now = start

    def now(self) -> dt.datetime:
        """The instant the clock was set to."""
        return self._now

    def advance(self, delta: dt.timedelta) -> None:
        """Move the clock forward."""
        self._now += delta
