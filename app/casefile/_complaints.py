"""The complaints and praise letters about the matter (section 八)."""

from __future__ import annotations

from sqlalchemy import or_, select

from app.casefile._base import SectionBase
from app.complaints.service import KIND_LABELS as COMPLAINT_KINDS
from app.complaints.service import STATE_LABELS as COMPLAINT_STATES
from app.printing.register_pdf import RegisterColumn, RegisterRow, RegisterTable
from db.models import Complaint


class ComplaintSection(SectionBase):
    """八、投诉与表扬."""

    def complaints(self) -> RegisterTable:
        rows = self.s.scalars(
            select(Complaint)
            .where(
                Complaint.visit_id == self.visit.id,
                # Never a complaint about the officer printing the file.
                or_(Complaint.officer_id.is_(None), Complaint.officer_id != self.actor.id),
            )
            .order_by(Complaint.id)
        )
        out = []
        for c in rows:
            praise = c.kind == "praise"
            handled = [
                f"核实：{c.finding} {c.verify_note}".strip() if c.finding else "",
                f"处理：{c.outcome} {c.handle_note}".strip() if c.outcome else "",
                f"答复（{c.reply_method}）：{c.reply_text}" if c.reply_text else "",
            ]
            out.append(
                RegisterRow(
                    (
                        f"{c.number}\n{COMPLAINT_KINDS.get(c.kind, c.kind)}·{c.channel}\n"
                        f"{c.received_on.isoformat()}",
                        c.content,
                        "已登记" if praise else COMPLAINT_STATES.get(c.state, c.state),
                        "\n".join(h for h in handled if h) or "—",
                    ),
                    marked=not praise,
                )
            )
        return RegisterTable(
            (
                RegisterColumn("编号与来源", 20),
                RegisterColumn("内容", 36),
                RegisterColumn("状态", 10, center=True),
                RegisterColumn("核实、处理与答复", 34),
            ),
            tuple(out),
            heading="八、投诉与表扬",
        )
