"""What the statistics exports and the monthly report are made from, and what they return."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from app.statistics.service import RankRow, Statistics, TrendPoint, month_text


@dataclass(frozen=True, slots=True)
class Overview:
    """One period's statistics with the monthly trend up to it and the month's 红黑榜."""

    station_name: str
    stats: Statistics
    trend: tuple[TrendPoint, ...]  # oldest first, the last one is ``ranking_month``
    ranking: tuple[RankRow, ...]
    ranking_month: dt.date  # the first day of the ranked month (the month the period ends in)
    generated_at: dt.datetime  # when the figures were computed, in the station's time zone
    records_from: dt.date | None = None  # the station's first registered visit (local date)

    @property
    def generated(self) -> str:
        """2025-10-20 10:00 (station-local)."""
        return self.generated_at.strftime("%Y-%m-%d %H:%M")

    @property
    def today(self) -> dt.date:
        """The station-local date the figures were computed on."""
        return self.generated_at.date()

    @property
    def ranking_label(self) -> str:
        """2025年9月."""
        return month_text(self.ranking_month)


@dataclass(frozen=True, slots=True)
class ExportResult:
    """A statistics workbook written to disk (and on the audit trail)."""

    path: Path
    label: str
    officers: int
    matters: int


@dataclass(frozen=True, slots=True)
class MonthlyReport:
    """月度通报 as PDF bytes, with what the preview and the save dialog need."""

    month: dt.date
    title: str
    pdf: bytes
    file_name: str
    warning: str  # characters the font lacks, in Chinese; empty when every glyph is there
    copy_no: int = 1  # which print of the month's report this is (2 and later: 补打)
