"""Data every service hands around: who is logged in, and a deadline in working days."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.core.roles import Role


@dataclass(frozen=True, slots=True)
class SessionUser:
    """The officer logged in at this counter."""

    officer_id: int
    badge_no: str
    name: str
    role: Role
    must_change_password: bool = False


@dataclass(frozen=True, slots=True)
class DueDate:
    """A deadline and the years for which it assumed a plain Monday–Friday week."""

    due: dt.date
    assumed_years: tuple[int, ...] = ()

    @property
    def warning(self) -> str:
        """A Chinese sentence when the calendar had to guess, else an empty string."""
        if not self.assumed_years:
            return ""
        years = "、".join(f"{y}年" for y in self.assumed_years)
        return (
            f"{years}的节假日安排尚未录入完整，已按周一至周五工作日估算，"
            "请在“节假日设置”中补录并确认。"
        )
