"""Statistics to Excel and the monthly report (月度通报): compute, write atomically, audit.

Every export and print is on the audit trail, and only when it happened: the event is written
in the same transaction that puts the file in place, so a failed write leaves neither.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core import audit
from app.core.dto import SessionUser
from app.core.errors import NotFound, ValidationError
from app.core.print_log import station_copy_no, station_print_after
from app.exports.files import check_target, write_atomically
from app.exports.xlsx import workbook_bytes
from app.printing.fonts import glyph_warning
from app.printing.register_pdf import render_register
from app.statistics.monthly_pdf import monthly_report_document
from app.statistics.report_dto import ExportResult, MonthlyReport, Overview
from app.statistics.service import Progress, StatisticsService, check_period, month_text
from app.statistics.xlsx import statistics_workbook
from db.models import Station, Visit

TREND_MONTHS = 12  # months of trend in the workbook and the monthly report


class ReportService(StatisticsService):
    """The chief's exports and the monthly report; permissions as StatisticsService.

    The command line logs in too (``stationdesk … --badge``); ``via`` says where an output
    was made ("gui" or "cli") in its audit event.
    """

    def overview(
        self,
        user: SessionUser,
        start: dt.date | None,
        end: dt.date | None,
        progress: Progress | None = None,
        months: int = TREND_MONTHS,
    ) -> Overview:
        """The period's figures, the station's last ``months`` months and the 红黑榜 of the
        month the period ends in; one consistent read."""
        first, last = check_period(start, end)
        with self._sessions.begin() as session:
            return self._overview(session, user, first, last, months, progress)

    def export_statistics(
        self,
        user: SessionUser,
        start: dt.date | None,
        end: dt.date | None,
        path: Path,
        progress: Progress | None = None,
        via: str = "gui",
    ) -> ExportResult:
        """统计表 (.xlsx) of the period written to ``path``, and the export audited."""
        _check_via(via)
        first, last = check_period(start, end)
        target = check_target(path, ".xlsx", "统计表")
        with self._sessions.begin() as session:
            overview = self._overview(session, user, first, last, TREND_MONTHS, progress)
        stats = overview.stats
        content = workbook_bytes(
            statistics_workbook(overview),
            title=f"窗口服务统计 {stats.label}",
            author=overview.station_name,
        )
        after = {
            "from": first.isoformat(),
            "to": last.isoformat(),
            "file": str(target),
            "officers": len(stats.by_officer),
            "matters": len(stats.by_matter),
            "via": via,
        }
        entity = f"{first.isoformat()}/{last.isoformat()}"
        write_atomically(
            target,
            content,
            lambda: self._audited(user, "statistics_exported", "statistics", entity, after),
        )
        return ExportResult(target, stats.label, len(stats.by_officer), len(stats.by_matter))

    def monthly_report(
        self, user: SessionUser, month: dt.date | None, progress: Progress | None = None
    ) -> MonthlyReport:
        """月度通报 of the month ``month`` falls in, as PDF bytes (printing is logged apart).

        The paper says which print of the month's report it is: the second and later are
        补打 on every page (``MonthlyReport.copy_no``, to log with the print)."""
        first = self._report_month(month)
        last = _add_months(first, 1) - dt.timedelta(days=1)
        with self._sessions.begin() as session:
            overview = self._overview(session, user, first, last, TREND_MONTHS, progress)
            copy_no = station_copy_no(session, "monthly", _month_key(first))
        doc = monthly_report_document(overview, copy_no)
        return MonthlyReport(
            month=first,
            title=doc.title,
            pdf=render_register(doc),
            file_name=f"{doc.title}.pdf",
            warning=glyph_warning(doc.texts()),
            copy_no=copy_no,
        )

    def print_copy_no(self, user: SessionUser, document: str, key: str) -> int:
        """Which print the next one of a station document is (2 and later: 补打): ``document``
        "register" (``key``: the register's number), "ledger" (the day, YYYY-MM-DD) or
        "monthly" (YYYY-MM)."""
        with self._sessions.begin() as session:
            self._viewer(session, user)
            return station_copy_no(session, document, key)

    def record_monthly_report_print(
        self,
        user: SessionUser,
        month: dt.date,
        path: Path | None = None,
        copy_no: int | None = None,
    ) -> None:
        """Log that the month's report was printed or saved (the preview calls this after);
        ``copy_no``: the number on the paper (``MonthlyReport.copy_no``)."""
        first = self._report_month(month)
        after = _print_after(first, path, "gui")
        with self._audited(
            user,
            "monthly_report_printed",
            "monthly_report",
            _month_key(first),
            after,
            copy_no or 0,
        ):
            pass

    def save_monthly_report(
        self,
        user: SessionUser,
        month: dt.date | None,
        path: Path,
        progress: Progress | None = None,
        via: str = "gui",
    ) -> MonthlyReport:
        """月度通报 written to ``path`` as PDF (``stationdesk print monthly``), and audited."""
        _check_via(via)
        target = check_target(path, ".pdf", "月度通报")
        report = self.monthly_report(user, month, progress)
        after = _print_after(report.month, target, via)
        write_atomically(
            target,
            report.pdf,
            lambda: self._audited(
                user,
                "monthly_report_printed",
                "monthly_report",
                _month_key(report.month),
                after,
                report.copy_no,
            ),
        )
        return report

    # ---- internals ------------------------------------------------------------------

    def _report_month(self, month: dt.date | None) -> dt.date:
        if month is None:
            raise ValidationError("请选择通报的月份。", "month")
        first = month.replace(day=1)
        if first > self.today():
            raise ValidationError(f"{month_text(first)}尚未开始，无法生成通报。", "month")
        return first

    @contextmanager
    def _audited(
        self,
        user: SessionUser,
        action: str,
        entity_type: str,
        entity_id: str,
        after: dict[str, Any],
        copy_no: int | None = None,
    ) -> Iterator[None]:
        # The permission is checked again inside the writing transaction: a chief demoted
        # while the figures were computed does not get the file.
        with self._writing() as session:
            officer_id = self._viewer(session, user).id
            if copy_no is not None:
                # A print of the report: which copy it is (0: the paper's number unknown).
                after = after | station_print_after(
                    session, "monthly", entity_id, copy_no, after["via"]
                )
            audit.record(
                session,
                at=self._clock.now(),
                officer_id=officer_id,
                action=action,
                entity_type=entity_type,
                entity_id=entity_id,
                after=after,
            )
            yield

    def _overview(
        self,
        session: Session,
        user: SessionUser,
        start: dt.date,
        end: dt.date,
        months: int,
        progress: Progress | None,
    ) -> Overview:
        viewer_id = self._viewer(session, user).id
        station = session.get(Station, 1)
        if station is None:
            raise NotFound("本数据库尚未初始化。")
        tz = ZoneInfo(station.timezone)
        stats, trend, ranking = self._overview_figures(
            session, viewer_id, start, end, months, progress
        )
        now = self._clock.now().astimezone(tz)
        # The station's first record: a month before it is not a whole month of service.
        first_day = session.scalar(select(func.min(Visit.local_date)))
        return Overview(
            station_name=station.name,
            stats=stats,
            trend=tuple(trend),
            ranking=tuple(ranking),
            ranking_month=end.replace(day=1),
            generated_at=now,
            records_from=first_day,
        )


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _month_key(first: dt.date) -> str:
    return f"{first.year:04d}-{first.month:02d}"


def _print_after(first: dt.date, path: Path | None, via: str) -> dict[str, Any]:
    return {
        "month": _month_key(first),
        "file": str(path) if path is not None else None,
        "via": via,
    }


def _check_via(via: str) -> None:
    if via not in ("gui", "cli"):
        raise ValueError(f"unknown output channel {via!r}")
