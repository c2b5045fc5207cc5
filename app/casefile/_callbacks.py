"""The callbacks of the matter and each attempt to reach the citizen (section 六)."""

from __future__ import annotations

from sqlalchemy import select

from app.callbacks.service import HOME_OUTCOMES, OUTCOMES
from app.callbacks.service import KINDS as CALLBACK_KINDS
from app.callbacks.service import REASONS as CALLBACK_REASONS
from app.callbacks.service import STATES as CALLBACK_STATES
from app.casefile._base import SectionBase
from app.printing.register_pdf import RegisterColumn, RegisterRow, RegisterTable
from db.models import Callback, CallbackAttempt


class CallbackSection(SectionBase):
    """六、回访."""

    def callbacks(self, supervisor: bool) -> RegisterTable:
        """Every callback for the chief and deputies; an officer only those assigned to them
        (as on the callback worklist)."""
        query = select(Callback).where(Callback.visit_id == self.visit.id).order_by(Callback.id)
        if not supervisor:
            query = query.where(Callback.assigned_to_id == self.actor.id)
        callbacks = list(self.s.scalars(query))
        attempts: dict[int, list[CallbackAttempt]] = {c.id: [] for c in callbacks}
        if callbacks:
            for attempt in self.s.scalars(
                select(CallbackAttempt)
                .where(CallbackAttempt.callback_id.in_(list(attempts)))
                .order_by(CallbackAttempt.at, CallbackAttempt.id)
            ):
                attempts[attempt.callback_id].append(attempt)
        return RegisterTable(
            (
                RegisterColumn("方式与原因", 18),
                RegisterColumn("回访民警", 12, center=True),
                RegisterColumn("期限", 12, center=True),
                RegisterColumn("结果", 12, center=True),
                RegisterColumn("各次联系", 46),
            ),
            tuple(
                RegisterRow(
                    (
                        f"{CALLBACK_KINDS.get(c.kind, c.kind)}\n"
                        f"{CALLBACK_REASONS.get(c.reason, c.reason)}",
                        self.name(c.assigned_to_id),
                        c.due_date.isoformat(),
                        CALLBACK_STATES.get(c.state, c.state),
                        "\n".join(
                            f"{self.at(a.at)} {self.name(a.officer_id)} "
                            + ("导入短信回复" if a.via == "sms" else _outcome(c.kind, a.outcome))
                            + (f"：{a.note}" if a.note else "")
                            for a in attempts[c.id]
                        )
                        or "（尚未联系）",
                    )
                )
                for c in callbacks
            ),
            heading="六、回访",
        )


def _outcome(kind: str, outcome: str) -> str:
    """An attempt's outcome as the callback page words it (a home visit's: 见到本人…)."""
    return (HOME_OUTCOMES if kind == "home" else OUTCOMES).get(outcome, outcome)
