"""Times on screen are the station's local time, whatever the PC's own time zone is."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_zone = ZoneInfo("Asia/Shanghai")


def set_station_timezone(name: str) -> None:
    """Called once the station's settings are known (start-up, screenshots, tests)."""
    global _zone
    try:
        _zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        _zone = ZoneInfo("Asia/Shanghai")


def station_zone() -> ZoneInfo:
    """The station's time zone (a time typed on screen is in it)."""
    return _zone


def local(value: dt.datetime) -> dt.datetime:
    """``value`` in the station's time zone."""
    return value.astimezone(_zone)


def fmt(value: dt.datetime | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """Format an aware time in station time; '—' for none."""
    return local(value).strftime(pattern) if value is not None else "—"
