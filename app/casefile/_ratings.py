"""The ratings of the matter and the rectifications a bad one started (sections 五 and 七)."""

from __future__ import annotations

import json

from sqlalchemy import and_, select

from app.casefile._base import SectionBase
from app.printing.register_pdf import RegisterColumn, RegisterRow, RegisterTable
from app.ratings.service import KIND_LABELS as RATING_KINDS
from app.ratings.service import LEVELS, is_bad
from db.models import Rating, Rectification, Signature

RECTIFICATION_STATES = {
    "open": "待核实",
    "verified": "整改中",
    "rectified": "待销号",
    "closed": "已销号",
}
APPEAL_DECISIONS = {"upheld": "申诉成立", "rejected": "申诉不成立"}


class RatingSections(SectionBase):
    """五、评价 and 七、整改督办."""

    def ratings(self, supervisor: bool) -> RegisterTable:
        """Every rating for the chief and deputies; an officer only their own, never a
        rectification's follow-up (as on the rectification and register pages)."""
        query = (
            select(Rating, Signature.png)
            .outerjoin(
                Signature,
                and_(Signature.document_type == "rating", Signature.document_id == Rating.id),
            )
            .where(Rating.visit_id == self.visit.id)
            .order_by(Rating.rated_at, Rating.id)
        )
        if not supervisor:
            query = query.where(
                Rating.rated_officer_id == self.actor.id, Rating.kind != "follow_up"
            )
        found = self.s.execute(query).all()
        rows = []
        for rating, png in found:
            levels = json.loads(rating.dimensions_json or "{}")
            bad = not rating.declined and is_bad(rating.overall, levels)
            overall = "拒绝评价" if rating.declined else LEVELS.get(rating.overall or 0, "—")
            parts = "、".join(f"{d}{LEVELS.get(lv, '—')}" for d, lv in levels.items())
            rows.append(
                RegisterRow(
                    (
                        f"{self.at(rating.rated_at)}\n{RATING_KINDS.get(rating.kind, rating.kind)}",
                        overall + ("（差评）" if bad else ""),
                        parts or "—",
                        rating.comment or "—",
                        png
                        if png
                        else (
                            "—"
                            if rating.kind == "on_site"
                            else "（短信回复）"
                            if rating.kind == "sms"
                            else "（电话或上门记录）"
                        ),
                    ),
                    marked=bad,
                )
            )
        return RegisterTable(
            (
                RegisterColumn("时间与方式", 20, center=True),
                RegisterColumn("总体评价", 14, center=True),
                RegisterColumn("各项评价", 22),
                RegisterColumn("意见", 24),
                RegisterColumn("群众签名", 20, center=True),
            ),
            tuple(rows),
            heading="五、评价",
        )

    def rectifications(self) -> RegisterTable:
        rows = self.s.scalars(
            select(Rectification)
            .where(Rectification.visit_id == self.visit.id)
            .order_by(Rectification.id)
        )
        out = []
        for r in rows:
            steps = [
                f"原因：{r.cause}" if r.cause else "",
                f"措施：{r.action}" if r.action else "",
                f"结果：{r.result}" if r.result else "",
                f"申诉：{r.appeal_text}" if r.appeal_text else "",
                f"申诉决定：{APPEAL_DECISIONS.get(r.appeal_decision, r.appeal_decision)} "
                f"{r.appeal_reason}".strip()
                if r.appeal_decision
                else "",
            ]
            out.append(
                RegisterRow(
                    (
                        f"{r.number}\n{self.at(r.opened_at)}",
                        f"被评价：{self.name(r.rated_officer_id)}\n督办：{self.name(r.owner_id)}",
                        RECTIFICATION_STATES.get(r.state, r.state)
                        + (f"\n{self.at(r.closed_at)}" if r.closed_at else ""),
                        "\n".join(s for s in steps if s) or "—",
                    )
                )
            )
        return RegisterTable(
            (
                RegisterColumn("编号与交办", 20),
                RegisterColumn("民警", 20),
                RegisterColumn("状态", 14, center=True),
                RegisterColumn("核实与整改", 46),
            ),
            tuple(out),
            heading="七、整改督办",
        )
