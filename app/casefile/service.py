"""办件档案: one matter on A4, every field and every event, for the file or an inspector.

Registration, the steps of its handling, handovers, one-time notices with their returns and
breaches, ratings with the citizen's signature, callbacks and their attempts, and who printed
or unmasked what; for the chief and deputies also the rectifications and the complaints about
it (never a complaint about the officer printing it). ID numbers and phones are masked as on
every slip. The document is built in one read; printing it is audited (``record_print``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from app.callbacks.service import HOME_OUTCOMES, OUTCOMES
from app.callbacks.service import KINDS as CALLBACK_KINDS
from app.callbacks.service import REASONS as CALLBACK_REASONS
from app.callbacks.service import STATES as CALLBACK_STATES
from app.complaints.service import KIND_LABELS as COMPLAINT_KINDS
from app.complaints.service import STATE_LABELS as COMPLAINT_STATES
from app.core import audit
from app.core.dto import SessionUser
from app.core.errors import NotFound, PermissionDenied
from app.core.identity import ID_TYPE_LABELS, IdType, mask_id, mask_phone
from app.core.print_log import VIA
from app.core.reveal_purposes import COMPLAINT as COMPLAINT_PURPOSE
from app.core.roles import Permission, Role, allows
from app.core.service_base import ServiceBase
from app.core.validation import code_text
from app.notices.dto import ITEM_STATE_LABELS, NOTICE_STATE_LABELS
from app.printing.register_pdf import (
    RegisterColumn,
    RegisterDocument,
    RegisterRow,
    RegisterTable,
    RegisterText,
)
from app.ratings.service import KIND_LABELS as RATING_KINDS
from app.ratings.service import LEVELS, is_bad
from app.visits.dto import HANDOVER_STATE_LABELS
from app.visits.refusal import refusal_paragraphs
from app.visits.rules import CHANNEL_LABELS, STATUS_LABELS, Channel, VisitStatus
from db.models import (
    Appointment,
    AuditEvent,
    Callback,
    CallbackAttempt,
    Complaint,
    Handover,
    Notice,
    NoticeBreach,
    NoticeItem,
    Officer,
    PrintRecord,
    Rating,
    Rectification,
    ServiceItem,
    ServiceItemVersion,
    Signature,
    Station,
    Visit,
    VisitTransition,
)

TITLE = "办件档案"
PRINTED = "case_file_printed"
NOT_FOR_YOU = "（整改督办和投诉表扬只在所长、副所长打印的档案中列出。）"
SLIP_NAMES = {"receipt": "受理回执", "guidance": "引导单", "refusal": "不予受理告知书"}
RECTIFICATION_STATES = {
    "open": "待核实",
    "verified": "整改中",
    "rectified": "待销号",
    "closed": "已销号",
}
APPEAL_DECISIONS = {"upheld": "申诉成立", "rejected": "申诉不成立"}
NOT_YOURS = "（他人的评价和回访只在所长、副所长打印的档案中列出。）"
NO_AUDIT = "（查看完整信息与打印记录只在所长、副所长打印的档案中列出。）"
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


class CaseFileService(ServiceBase):
    """The 办件档案 of one matter, and the record that it was printed."""

    def document(self, user: SessionUser, serial: str) -> RegisterDocument:
        """The case file of the matter numbered ``serial`` (as printed on its receipt).

        Any officer who handles matters may print it; the rectification and complaint
        sections only the chief and deputies, as on their pages.
        """
        with self._sessions.begin() as session:
            actor = self._reader(session, user)
            visit = _visit(session, serial)
            return _Builder(session, actor, visit, self._clock.now()).document()

    def record_print(self, user: SessionUser, serial: str, via: str = "gui") -> None:
        """Log a print of the case file that came out (``via`` "cli": ``stationdesk print``)."""
        if via not in VIA:
            raise ValueError(f"unknown print channel {via!r}")
        with self._writing() as session:
            actor = self._reader(session, user)
            visit = _visit(session, serial)
            audit.record(
                session,
                at=self._clock.now(),
                officer_id=actor.id,
                action=PRINTED,
                entity_type="visit",
                entity_id=visit.serial,
                after={"via": via, "supervisor": _supervises(actor)},
            )

    def _reader(self, session: Session, user: SessionUser) -> Officer:
        actor = self._officer(session, user)
        role = Role(actor.role)
        if not (allows(role, Permission.HANDLE_VISITS) or allows(role, Permission.VIEW_ALL_VISITS)):
            raise PermissionDenied("办件档案由办理业务的民警或所长、副所长打印。")
        return actor


def _supervises(actor: Officer) -> bool:
    return allows(Role(actor.role), Permission.VIEW_ALL_VISITS)


def _visit(session: Session, serial: str) -> Visit:
    number = code_text(serial or "")
    visit = session.scalars(select(Visit).where(Visit.serial == number)).first()
    if visit is None:
        raise NotFound(f"没有编号为 {number} 的登记记录。")
    return visit


class _Builder:
    """Reads everything about one visit in one session and lays it out as tables."""

    def __init__(self, session: Session, actor: Officer, visit: Visit, now: dt.datetime) -> None:
        self.s = session
        self.actor = actor
        self.visit = visit
        self.now = now
        station = session.get(Station, 1)
        if station is None:
            raise NotFound("本数据库尚未初始化。")
        self.station = station
        self.tz = ZoneInfo(station.timezone)
        self.names: dict[int, str] = {}

    # ---- helpers ----------------------------------------------------------------------------

    def name(self, officer_id: int | None) -> str:
        if officer_id is None:
            return "—"
        if not self.names:
            self.names = {i: n for i, n in self.s.execute(select(Officer.id, Officer.name))}
        return self.names.get(officer_id, "—")

    def at(self, when: dt.datetime | None) -> str:
        return when.astimezone(self.tz).strftime("%Y-%m-%d %H:%M") if when else "—"

    # ---- the document -----------------------------------------------------------------------

    def document(self) -> RegisterDocument:
        v = self.visit
        version = self.s.get(ServiceItemVersion, v.service_version_id)
        matter = version.name if version is not None else "—"
        status = STATUS_LABELS[VisitStatus(v.status)]
        notices = list(
            self.s.scalars(select(Notice).where(Notice.visit_id == v.id).order_by(Notice.id))
        )
        supervisor = _supervises(self.actor)
        blocks: list[RegisterTable | RegisterText] = [
            self.registration(matter, version),
            self.steps(),
            self.handovers(),
            self.notices(notices),
            self.ratings(supervisor),
            self.callbacks(supervisor),
        ]
        if supervisor:
            # The audit trail (who unmasked or printed what, and why) as the audit page shows
            # it to the chief and deputies; never to a window officer.
            blocks += [self.rectifications(), self.complaints(), self.seen_and_printed(notices)]
        else:
            blocks.append(RegisterText((NOT_YOURS, NOT_FOR_YOU, NO_AUDIT), small=True))
        blocks.append(
            RegisterText(
                (
                    "证件号码、电话按个人信息保护规定遮盖显示；查看完整号码须另经审批并记入审计日志。",
                    f"本档案由{self.actor.name}（警号 {self.actor.badge_no}）"
                    f"于 {self.at(self.now)} 打印，打印已记入审计日志。",
                ),
                small=True,
            )
        )
        return RegisterDocument(
            title=TITLE,
            station_name=self.station.name,
            subtitle=f"{v.serial}　{matter}　{status}",
            printed_at=self.now.astimezone(self.tz),
            tables=(),
            number=v.serial,
            landscape=False,
            blocks=tuple(blocks),
        )

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


def _status_change(before: str, after: str) -> str:
    def label(status: str) -> str:
        try:
            return STATUS_LABELS[VisitStatus(status)]
        except ValueError:
            return status

    return f"{label(before)} → {label(after)}" if before else label(after)


def _outcome(kind: str, outcome: str) -> str:
    """An attempt's outcome as the callback page words it (a home visit's: 见到本人…)."""
    return (HOME_OUTCOMES if kind == "home" else OUTCOMES).get(outcome, outcome)
