"""The history of who saw or printed what of the matter: unmasked numbers, slips, notices,
rectification orders, ledger corrections and the case file itself (section 九)."""

from __future__ import annotations

import json
from collections.abc import Iterable

from sqlalchemy import and_, or_, select

from app.casefile._base import PRINTED, SectionBase, _supervises
from app.core.reveal_purposes import COMPLAINT as COMPLAINT_PURPOSE
from app.printing.register_pdf import RegisterColumn, RegisterRow, RegisterTable
from db.models import AuditEvent, Complaint, Notice, PrintRecord, Rectification

SLIP_NAMES = {"receipt": "受理回执", "guidance": "引导单", "refusal": "不予受理告知书"}
# The audit events the 查看与打印 section lists: who saw or printed what of this matter.
SEEN_AND_PRINTED = {
    "id_number_revealed": "查看完整证件号码",
    "phone_revealed": "查看完整电话",
    "slip_printed": "打印",
    "slip_reprinted": "补打",
    "notice_printed": "打印告知单",
    "notice_reprinted": "补打告知单",
    "rectification_printed": "打印整改督办单",
    "rectification_reprinted": "补打整改督办单",
    "correction_recorded": "台账更正",
    PRINTED: "打印办件档案",
}


class HistorySection(SectionBase):
    """九、查看完整信息与打印记录."""

    def seen_and_printed(self, notices: Iterable[Notice]) -> RegisterTable:
        v = self.visit
        owners = [and_(AuditEvent.entity_type == "visit", AuditEvent.entity_id == v.serial)]
        numbers = [n.number for n in notices]
        if numbers:
            owners.append(
                and_(AuditEvent.entity_type == "notice", AuditEvent.entity_id.in_(numbers))
            )
        # A rectification's prints only where its section is printed (the chief, deputies).
        rect_numbers = (
            list(self.s.scalars(select(Rectification.number).where(Rectification.visit_id == v.id)))
            if _supervises(self.actor)
            else []
        )
        if rect_numbers:
            owners.append(
                and_(
                    AuditEvent.entity_type == "rectification",
                    AuditEvent.entity_id.in_(rect_numbers),
                )
            )
        events = self.s.execute(
            select(AuditEvent.at, AuditEvent.officer_id, AuditEvent.action, AuditEvent.after_json)
            .where(or_(*owners), AuditEvent.action.in_(tuple(SEEN_AND_PRINTED)))
            .order_by(AuditEvent.id)
        ).all()
        slips = {
            (p.kind, p.copy_no): p
            for p in self.s.scalars(
                select(PrintRecord).where(
                    PrintRecord.visit_id == v.id, PrintRecord.kind.in_(tuple(SLIP_NAMES))
                )
            )
        }
        about_reader = self.s.scalar(
            select(Complaint.id).where(
                Complaint.visit_id == v.id, Complaint.officer_id == self.actor.id
            )
        )
        rows = []
        for at, officer_id, action, after_json in events:
            after = json.loads(after_json) if after_json else {}
            if about_reader is not None and after.get("purpose") == COMPLAINT_PURPOSE:
                continue  # a complaint about the reader: not even its traces

            what = SEEN_AND_PRINTED[action]
            if action in ("slip_printed", "slip_reprinted"):
                kind = str(after.get("kind", ""))
                what += SLIP_NAMES.get(kind, "单据")
                if after.get("copy_no"):
                    what += f"（第 {after['copy_no']} 次）"
                slips.pop((kind, int(after.get("copy_no") or 0)), None)
            detail = "　".join(
                str(after[k]) for k in ("purpose", "detail", "reason") if after.get(k)
            )
            rows.append((at, officer_id, what, detail))
        # Prints on record without an event of their own (from before prints were audited).
        for (kind, copy_no), p in slips.items():
            rows.append(
                (p.at, p.officer_id, f"打印{SLIP_NAMES.get(kind, '单据')}（第 {copy_no} 次）", "")
            )
        rows.sort(key=lambda r: r[0])
        return RegisterTable(
            (
                RegisterColumn("时间", 20, center=True),
                RegisterColumn("民警", 12, center=True),
                RegisterColumn("事项", 28),
                RegisterColumn("用途与事由", 40),
            ),
            tuple(
                RegisterRow((self.at(at), self.name(officer_id), what, detail))
                for at, officer_id, what, detail in rows
            ),
            heading="九、查看完整信息与打印记录",
        )
