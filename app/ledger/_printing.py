"""The ledger printed and exported: the Excel workbook, the copy number of a print, and the
audit event of every print or export that came out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from app.core import audit
from app.core.dto import SessionUser
from app.core.print_log import station_copy_no, station_print_after
from app.core.service_base import load_station
from app.exports.files import check_target
from app.exports.xlsx import write_workbook
from app.ledger._base import LedgerBase
from app.ledger.dto import Ledger
from app.ledger.export import ledger_sheets


class Printing(LedgerBase):
    """Printing and exporting the ledger."""

    def export_xlsx(
        self, user: SessionUser, day: dt.date, path: Path, officer_id: int | None = None
    ) -> Ledger:
        """The ledger as an .xlsx file, written whole or not at all, and audited."""
        target = check_target(Path(path), ".xlsx", "Excel 台账")
        ledger = self.ledger(user, day, officer_id)
        timezone = self.settings_timezone()

        @contextmanager
        def audited() -> Iterator[None]:
            with self._writing() as session:
                actor = self._supervisor(session, user)
                audit.record(
                    session,
                    at=self._clock.now(),
                    officer_id=actor.id,
                    action="ledger_exported",
                    entity_type="ledger",
                    entity_id=day.isoformat(),
                    after={"format": "xlsx", "path": str(target), "rows": ledger.row_count},
                )
                yield

        write_workbook(
            target,
            ledger_sheets(ledger, timezone),
            title=f"每日台账 {day.isoformat()}",
            guard=audited,
        )
        return ledger

    def settings_timezone(self) -> str:
        """The station's time zone (for printing times)."""
        with self._sessions.begin() as session:
            return load_station(session).timezone

    def print_copy_no(self, user: SessionUser, day: dt.date) -> int:
        """Which print of the day's ledger the next one is (2 and later: 补打 on the paper)."""
        with self._sessions.begin() as session:
            self._supervisor(session, user)
            return station_copy_no(session, "ledger", day.isoformat())

    def record_print(
        self,
        user: SessionUser,
        day: dt.date,
        what: str,
        via: str = "gui",
        copy_no: int | None = None,
    ) -> None:
        """Audit a print or export of the ledger that came out, under the chief or deputy
        (``via`` "cli": ``stationdesk print ledger``). ``copy_no``: the number the paper
        carries (``print_copy_no``); a print logged meanwhile elsewhere makes this the next."""
        if via not in ("gui", "cli"):
            raise ValueError(f"unknown print channel {via!r}")
        with self._writing() as session:
            officer_id = self._supervisor(session, user).id
            after: dict[str, Any] = {"format": what, "via": via}
            if what != "xlsx":
                after = station_print_after(session, "ledger", day.isoformat(), copy_no, via)
                after["format"] = what
            audit.record(
                session,
                at=self._clock.now(),
                officer_id=officer_id,
                action="ledger_exported" if what == "xlsx" else "ledger_printed",
                entity_type="ledger",
                entity_id=day.isoformat(),
                after=after,
            )
