"""The matter: its registration (with the booking it came from), the steps of its handling
and its handovers (sections 一 to 三)."""

from __future__ import annotations

from sqlalchemy import select

from app.casefile._base import SectionBase
from app.core.identity import ID_TYPE_LABELS, IdType, mask_id, mask_phone
from app.printing.register_pdf import RegisterColumn, RegisterRow, RegisterTable
from app.visits.dto import HANDOVER_STATE_LABELS
from app.visits.refusal import refusal_paragraphs
from app.visits.rules import CHANNEL_LABELS, STATUS_LABELS, Channel, VisitStatus
from db.models import (
    Appointment,
    Handover,
    ServiceItem,
    ServiceItemVersion,
    Signature,
    VisitTransition,
)


class MatterSections(SectionBase):
    """一、登记信息, 二、办理经过 and 三、移交记录."""

    def registration(self, matter: str, version: ServiceItemVersion | None) -> RegisterTable:
        v = self.visit
        code = ""
        if version is not None:
            item = self.s.get(ServiceItem, version.item_id)
            code = f"（{item.code}，第 {version.version_no} 版）" if item is not None else ""
        id_type = IdType(v.id_type)
        fields: list[tuple[str, str]] = [
            ("登记编号", v.serial),
            ("状态", STATUS_LABELS[VisitStatus(v.status)]),
            ("群众", v.citizen_name),
            ("证件", f"{ID_TYPE_LABELS[id_type]} {mask_id(v.id_number) if v.id_number else '—'}"),
            ("联系电话", mask_phone(v.phone) if v.phone else "—"),
            ("办理事项", matter + code),
            ("渠道", CHANNEL_LABELS[Channel(v.channel)]),
            ("事由摘要", v.summary or "—"),
            *self.booking(),
            ("首接责任人", self.name(v.first_officer_id)),
            ("当前负责人", self.name(v.owner_id)),
            (
                "到达 / 开始 / 结束",
                f"{self.at(v.arrived_at)} / {self.at(v.started_at)} / {self.at(v.ended_at)}",
            ),
            ("受理时间", self.at(v.accepted_at)),
            ("办结期限", v.due_date.isoformat() if v.due_date else "—"),
        ]
        if not v.in_scope:
            fields.append(("职责", "不属本所职责，已引导"))
        for label, value in (
            ("办理结果", v.result),
            (
                "引导至",
                "　".join(x for x in (v.guided_unit, v.guided_address, v.guided_phone) if x),
            ),
            ("作废原因", v.void_reason),
        ):
            if value:
                fields.append((label, value))
        if v.status == VisitStatus.REFUSED:
            # As the refusal notice printed them: reason, legal basis, redress bodies.
            fields += refusal_paragraphs(
                v.refusal_reason,
                v.refusal_basis or "",
                v.refusal_review_body or "",
                v.refusal_court or "",
                v.refusal_redress,
            )
            if v.refusal_unsigned:
                fields.append(("拒绝签收", f"申请人拒绝签收。民警说明：{v.refusal_unsigned}"))
        return RegisterTable(
            (RegisterColumn("项目", 22), RegisterColumn("内容", 78)),
            tuple(RegisterRow(pair) for pair in fields),
            heading="一、登记信息",
        )

    def booking(self) -> list[tuple[str, str]]:
        """The 预约 or 上门服务 the matter came from: when asked, for when, and on site who
        went, when, and whether the citizen signed."""
        from app.appointments.service import KIND_LABELS, REASON_LABELS

        b = self.s.scalars(select(Appointment).where(Appointment.visit_id == self.visit.id)).first()
        if b is None:
            return []
        slot = self.at(b.slot_at) if b.slot_at else b.slot_date.isoformat()
        text = (
            f"{b.number}　{KIND_LABELS.get(b.kind, b.kind)}（{REASON_LABELS.get(b.reason, '')}）"
            f"，{self.at(b.created_at)} 由{self.name(b.created_by_id)}登记，约定 {slot}"
        )
        if b.due_date is not None:
            text += f"，承诺 {b.due_date.isoformat()} 前上门"
        rows = [("预约 / 上门服务", text)]
        if b.kind == "home" and b.served_at is not None:
            signed = self.s.scalars(
                select(Signature.signer_name).where(
                    Signature.document_type == "appointment", Signature.document_id == b.id
                )
            ).first()
            sign = f"群众已签字（签名人 {signed}）" if signed else f"群众未签字：{b.close_reason}"
            rows.append(
                ("上门办理", f"{self.name(b.officer_id)} 于 {self.at(b.served_at)} 上门；{sign}")
            )
        return rows

    def steps(self) -> RegisterTable:
        rows = self.s.scalars(
            select(VisitTransition)
            .where(VisitTransition.visit_id == self.visit.id)
            .order_by(VisitTransition.at, VisitTransition.id)
        )
        return RegisterTable(
            (
                RegisterColumn("时间", 20, center=True),
                RegisterColumn("民警", 12, center=True),
                RegisterColumn("状态变化", 22),
                RegisterColumn("说明", 46),
            ),
            tuple(
                RegisterRow(
                    (
                        self.at(t.at),
                        self.name(t.officer_id),
                        _status_change(t.from_status, t.to_status),
                        t.reason,
                    )
                )
                for t in rows
            ),
            heading="二、办理经过",
        )

    def handovers(self) -> RegisterTable:
        rows = self.s.scalars(
            select(Handover).where(Handover.visit_id == self.visit.id).order_by(Handover.id)
        )
        return RegisterTable(
            (
                RegisterColumn("提出时间", 20, center=True),
                RegisterColumn("移交人 → 接收人", 22),
                RegisterColumn("结果", 20),
                RegisterColumn("理由", 38),
            ),
            tuple(
                RegisterRow(
                    (
                        self.at(h.created_at),
                        f"{self.name(h.from_officer_id)} → {self.name(h.to_officer_id)}",
                        HANDOVER_STATE_LABELS.get(h.state, h.state)
                        + (f"\n{self.at(h.decided_at)}" if h.decided_at else ""),
                        h.reason + (f"\n拒绝理由：{h.decline_reason}" if h.decline_reason else ""),
                    ),
                    marked=h.state == "declined",
                )
                for h in rows
            ),
            heading="三、移交记录",
        )


def _status_change(before: str, after: str) -> str:
    def label(status: str) -> str:
        try:
            return STATUS_LABELS[VisitStatus(status)]
        except ValueError:
            return status

    return f"{label(before)} → {label(after)}" if before else label(after)
