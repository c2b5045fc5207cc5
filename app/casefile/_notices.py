"""The one-time notices of the matter, with their materials, signatures, returns and
breaches (section 四)."""

from __future__ import annotations

from sqlalchemy import select

from app.casefile._base import SectionBase
from app.notices.dto import ITEM_STATE_LABELS, NOTICE_STATE_LABELS
from app.printing.register_pdf import RegisterColumn, RegisterRow, RegisterTable
from db.models import Notice, NoticeBreach, NoticeItem, Signature


class NoticeSection(SectionBase):
    """四、一次性告知."""

    def notices(self, notices: list[Notice]) -> RegisterTable:
        ids = [n.id for n in notices]
        items: dict[int, list[NoticeItem]] = {i: [] for i in ids}
        breaches: dict[int, list[NoticeBreach]] = {i: [] for i in ids}
        signers: dict[int, str] = {}
        if ids:
            for item in self.s.scalars(
                select(NoticeItem)
                .where(NoticeItem.notice_id.in_(ids))
                .order_by(NoticeItem.notice_id, NoticeItem.position)
            ):
                items[item.notice_id].append(item)
            for breach in self.s.scalars(
                select(NoticeBreach)
                .where(NoticeBreach.notice_id.in_(ids))
                .order_by(NoticeBreach.id)
            ):
                breaches[breach.notice_id].append(breach)
            signers = {
                document_id: signer
                for document_id, signer in self.s.execute(
                    select(Signature.document_id, Signature.signer_name).where(
                        Signature.document_type.in_(("notice", "pledge")),
                        Signature.document_id.in_(ids),
                    )
                )
            }
        out = []
        for n in notices:
            owed = [
                f"{ITEM_STATE_LABELS.get(i.state, i.state)}：{i.name}"
                + (f"（{i.note}）" if i.note else "")
                + (f"，{self.at(i.arrived_at)} 补齐" if i.arrived_at else "")
                for i in items[n.id]
                if i.state != "provided"
            ]
            state = NOTICE_STATE_LABELS.get(n.state, n.state)
            if n.state == "voided":
                state += f"\n{n.void_reason}"
            signed = signers.get(n.id) or (
                f"拒签：{n.signature_declined_note}" if n.signature_declined_note else "—"
            )
            extra = [f"超范围要求：{b.item_name}（{b.reason}）" for b in breaches[n.id]]
            out.append(
                RegisterRow(
                    (
                        f"{n.number}\n{'容缺承诺书' if n.kind == 'pledge' else '告知单'}",
                        f"{self.at(n.issued_at)}\n{self.name(n.officer_id)}",
                        state,
                        "\n".join(owed) or "（无需补交）",
                        n.supplement_deadline.isoformat() if n.supplement_deadline else "—",
                        f"签字：{signed}\n复查 {n.return_visits} 次"
                        + "".join(f"\n{e}" for e in extra),
                    ),
                    marked=bool(extra),
                )
            )
        return RegisterTable(
            (
                RegisterColumn("编号", 18),
                RegisterColumn("出具", 16, center=True),
                RegisterColumn("状态", 11, center=True),
                RegisterColumn("需补交 / 更正的材料", 27),
                RegisterColumn("补正期限", 11, center=True),
                RegisterColumn("签字与复查", 17),
            ),
            tuple(out),
            heading="四、一次性告知",
        )
