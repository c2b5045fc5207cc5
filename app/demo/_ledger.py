"""The chief's evening review of the day's ledger, and the corrections found after it."""

from __future__ import annotations

import datetime as dt

from app.demo._base import HistoryBase, signature_png
from app.ledger.service import ReviewSignature


class LedgerReviews(HistoryBase):
    """The ledger signed each evening (not the last days'), now and then corrected later."""

    def review(self, day: dt.date) -> None:
        """The chief signs each evening's ledger; the last days wait for review (a reminder)."""
        if day >= self.last_day - dt.timedelta(days=3):
            return
        ledger = self.s.ledger.ledger(self.chief, day)
        strokes = tuple(
            tuple((float(30 + 40 * k), float(70 + (18 if k % 2 else -18)), 0.6) for k in range(7))
            for _ in range(1)
        )
        comment = "已逐条核对。" if ledger.section("visits").rows else "当日无登记。"
        if any(r.marked for r in ledger.section("visits").rows):
            comment += "逾期事项已督促承办民警加快办理。"
        self.s.ledger.review(
            self.chief,
            day,
            ledger.content_sha256,
            comment,
            ReviewSignature(strokes, signature_png(strokes)),
        )
        # Now and then a registration error turns up after the review: a correction.
        if self.rng.random() < 0.15:
            rows = ledger.section("visits").rows
            if rows and rows[0].visit_id is not None:
                self.pending_corrections.append((day + dt.timedelta(days=1), rows[0].visit_id))

    def corrections(self, day: dt.date) -> None:
        """Corrections noticed the morning after a review."""
        due = [v for d, v in self.pending_corrections if d <= day]
        self.pending_corrections = [(d, v) for d, v in self.pending_corrections if d > day]
        for visit_id in due:
            self.s.ledger.correct(
                self.chief, visit_id, "summary", "群众来电补充：需加急", "首接民警漏记群众诉求"
            )
