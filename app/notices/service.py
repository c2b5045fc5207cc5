"""One-time notices (一次性告知单) and pledges (容缺受理): issue once, signed, and binding."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, defer

from app.catalogue.service import time_limit_text
from app.core import audit, slip_officers, text_limits
from app.core.dto import SessionUser
from app.core.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from app.core.identity import mask_id
from app.core.print_log import count_prints, record_paper_print
from app.core.roles import Permission, Role, allows
from app.core.service_base import ServiceBase
from app.core.signatures import image_digest
from app.core.validation import clean_text, code_text
from app.holidays.service import load_calendar
from app.notices.dto import (
    ITEM_STATE_LABELS,
    BreachRow,
    CompletionRow,
    NewNotice,
    NoticeDetail,
    NoticeDraft,
    NoticeItemInput,
    NoticeItemRow,
    NoticeRow,
)
from app.printing.qr_codes import check_notice_scan, notice_qr_payload, parse_scan, visit_id_of_scan
from app.printing.slip_data import SlipData
from app.visits.rules import VisitStatus
from app.visits.service import (
    accept_visit,
    move_visit,
    next_number,
    pause_clock,
    resume_clock,
    where_to_go,
)
from db.models import (
    MATERIAL_FORMS,
    Notice,
    NoticeBreach,
    NoticeItem,
    Officer,
    ServiceItemVersion,
    Signature,
    Station,
    Visit,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
PROMISE = "除本告知单所列材料外，本所不再要求您提供其他材料；材料补齐后即予办理。"
PLEDGE_TERMS = (
    "申请人承诺在补正期限内补交上列材料。逾期未补交的，本所将终止办理，已作出的办理结果"
    "依法予以撤回，相关情况记入办理台账。"
)


def notice_number(code: str, year: int, seq: int) -> str:
    """A notice's printed number: station code, 告, year, sequence."""
    return f"{code}-GZ-{year}-{seq:05d}"


class NoticeService(ServiceBase):
    """Issue, sign, print, fulfil, breach and void notices; the register and its rates."""

    # ---- the editor -----------------------------------------------------------------

    def draft(self, user: SessionUser, visit_id: int) -> NoticeDraft:
        """The editor pre-filled from the matter's catalogue version (all marked provided)."""
        with self._sessions.begin() as session:
            actor = self._case_worker(session, user)
            visit = _visit(session, visit_id)
            self._may_issue(session, actor, visit)
            version = _version(session, visit)
            return NoticeDraft(
                visit_id=visit.id,
                row_version=visit.row_version,
                serial=visit.serial,
                citizen_name=visit.citizen_name,
                id_masked=mask_id(visit.id_number) if visit.id_number else "",
                service_name=version.name,
                items=tuple(
                    NoticeItemInput(m.name, m.copies, m.form, m.source, m.is_key, "provided")
                    for m in version.materials
                ),
                latest_deadline=self._latest_deadline(session, version),
                time_limit_text=time_limit_text(version.time_limit_value, version.time_limit_unit),
                officer_name=actor.name,
                officer_badge=actor.badge_no,
                officer_phone=actor.phone,
            )

    def content(self, user: SessionUser, new: NewNotice) -> tuple[dict[str, Any], str]:
        """What the notice will say and its SHA-256: shown to the citizen before signing."""
        with self._sessions.begin() as session:
            actor = self._case_worker(session, user)
            visit = _visit(session, new.visit_id)
            items = _clean_items(new.items)
            return _snapshot(session, actor, visit, items, new, self._today(session))

    # ---- issuing ----------------------------------------------------------------------

    def issue(self, user: SessionUser, new: NewNotice) -> NoticeDetail:
        """Freeze, number and sign the notice; a notice pauses the clock, a pledge lets it run."""
        items = _clean_items(new.items)
        owed = [i for i in items if i.state != "provided"]
        if not owed:
            raise ValidationError("没有需补交或更正的材料，无需出具告知单。", "items")
        if new.pledge and any(i.is_key for i in owed):
            names = "、".join(i.name for i in owed if i.is_key)
            raise ValidationError(
                f"缺少要件（{names}），不能容缺受理，请出具一次性告知单。", "pledge"
            )
        if new.pledge and new.supplement_deadline is None:
            raise ValidationError("容缺受理须写明补交期限。", "supplement_deadline")
        declined = clean_text(
            new.signature_declined_note,
            field="signature",
            label="拒签说明",
            max_len=text_limits.REASON,
            required=False,
        )
        if new.signature is None and not declined:
            raise ValidationError("请群众在签字板上签字；群众拒绝签字的，请写明情况。", "signature")
        if new.pledge and new.signature is None:
            raise ValidationError(
                "容缺受理须由群众本人签署承诺书，拒签的不能容缺受理。", "signature"
            )
        if new.signature is not None and (
            not any(len(stroke) >= 2 for stroke in new.signature.strokes)
            or not new.signature.png.startswith(PNG_MAGIC)
        ):
            raise ValidationError("签字板上没有笔迹，请群众签字后再确认。", "signature")
        with self._writing() as session:
            actor = self._case_worker(session, user)
            visit = _visit(session, new.visit_id)
            if visit.row_version != new.row_version:
                raise ConflictError("该事项刚被修改过（可能已出具告知单），请刷新后再试。")
            self._may_issue(session, actor, visit)
            today = self._today(session)
            version = _version(session, visit)
            latest = self._latest_deadline(session, version)
            if new.pledge and latest is not None and visit.due_date is not None:
                # The clock keeps running under a pledge: the materials must come in time.
                latest = min(latest, visit.due_date)
            if new.supplement_deadline is not None:
                if new.supplement_deadline < today:
                    raise ValidationError("补正期限不能早于今天。", "supplement_deadline")
                if latest is None:
                    raise ValidationError("当场办结的事项不设补正期限。", "supplement_deadline")
                if new.supplement_deadline > latest:
                    raise ValidationError(
                        f"补正期限不能超过本事项的办理时限（最晚 {latest.isoformat()}）。",
                        "supplement_deadline",
                    )
            snapshot, digest = _snapshot(session, actor, visit, items, new, today)
            if new.signature is not None and new.signature.content_sha256 != digest:
                raise ConflictError("告知内容在群众签字后被改动，请让群众对最新内容重新签字。")
            now = self._clock.now()
            station = _station(session)
            year = now.astimezone(ZoneInfo(station.timezone)).year
            seq = next_number(session, "notice", year)
            notice = Notice(
                number=notice_number(station.code, year, seq),
                year=year,
                seq=seq,
                kind="pledge" if new.pledge else "notice",
                visit_id=visit.id,
                officer_id=actor.id,
                state="open",
                snapshot_json=canonical_json(snapshot),
                content_sha256=digest,
                supplement_deadline=new.supplement_deadline,
                issued_at=now,
                local_date=today,
                signature_declined_note=declined if new.signature is None else "",
                return_visits=0,
                row_version=1,
            )
            session.add(notice)
            session.flush()
            for position, item in enumerate(items, start=1):
                session.add(
                    NoticeItem(
                        notice_id=notice.id,
                        position=position,
                        name=item.name,
                        copies=item.copies,
                        form=item.form,
                        source=item.source,
                        is_key=item.is_key,
                        state=item.state,
                        note=item.note,
                        extra=item.extra,
                    )
                )
            image_sha = ""
            if new.signature is not None:
                strokes_json = json.dumps(new.signature.strokes)
                image_sha = image_digest(strokes_json, new.signature.png)
                session.add(
                    Signature(
                        document_type="notice",
                        document_id=notice.id,
                        signer_name=clean_text(
                            new.signature.signer_name,
                            field="signer",
                            label="签字人",
                            max_len=text_limits.SIGNER,
                        ),
                        signed_at=now,
                        content_sha256=digest,
                        strokes_json=strokes_json,
                        png=new.signature.png,
                        image_sha256=image_sha,
                    )
                )
            if visit.status == VisitStatus.REGISTERED.value:
                accept_visit(session, actor, visit, now)
            if not new.pledge:
                pause_clock(session, visit, now)
                owed_names = "、".join(i.name for i in owed)
                move_visit(
                    session, actor, visit, VisitStatus.WAITING_MATERIALS,
                    f"出具一次性告知单 {notice.number}：{owed_names}", now,
                )  # fmt: skip
            else:
                visit.row_version += 1
            audit.record(
                session,
                at=now,
                officer_id=actor.id,
                action="pledge_issued" if new.pledge else "notice_issued",
                entity_type="notice",
                entity_id=notice.number,
                after={
                    "visit": visit.serial,
                    "owed": [i.name for i in owed],
                    "deadline": new.supplement_deadline.isoformat()
                    if new.supplement_deadline
                    else None,
                    "sha256": digest,
                    "signed": new.signature is not None,
                    # The image as signed: `stationdesk check` tells a swapped signature by it.
                    "signature": image_sha or None,
                },
            )
            return self._detail(session, notice)

    # ---- the second visit -------------------------------------------------------------

    def find(self, user: SessionUser, text: str) -> NoticeDetail:
        """A notice by its number or a scanned QR code (SD|number|checksum, checked)."""
        scanned = parse_scan(text, "number")
        number = scanned.number if scanned is not None else code_text(text)
        if not number:
            raise ValidationError("请输入告知单编号，或扫描告知单上的二维码。", "number")
        with self._sessions.begin() as session:
            self._case_worker(session, user)
            notice = session.scalars(select(Notice).where(Notice.number == number)).first()
            if notice is None:
                if scanned is not None:
                    # A slip's code of another kind: its checksum is checked all the same (a
                    # forged code is refused as such), then the officer is told what it is.
                    visit_id_of_scan(session, scanned, "number")
                    raise NotFound(
                        f"扫描的是受理回执（编号 {number}）的二维码，不是告知单。"
                        "请扫描告知单上的二维码，或在“查询”中按此编号查找该事项。"
                    )
                raise NotFound(f"没有编号为 {number} 的告知单。")
            if scanned is not None:
                check_notice_scan(notice, scanned, "number")
            return self._detail(session, notice)

    def for_visit(self, user: SessionUser, visit_id: int) -> list[NoticeDetail]:
        """Every notice of a visit, newest first."""
        with self._sessions.begin() as session:
            self._case_worker(session, user)
            notices = session.scalars(
                select(Notice).where(Notice.visit_id == visit_id).order_by(Notice.id.desc())
            )
            return [self._detail(session, n) for n in notices]

    def record_return(
        self, user: SessionUser, notice_id: int, row_version: int, arrived_item_ids: Sequence[int]
    ) -> NoticeDetail:
        """The citizen is back: tick what arrived; when all is in, the matter continues.

        Any case-handling officer may receive the materials; the matter keeps its owner.
        """
        with self._writing() as session:
            actor = self._case_worker(session, user)
            notice = _open_notice(session, notice_id, row_version)
            verify_notice(session, notice)
            if not arrived_item_ids:
                raise ValidationError("请勾选群众本次带来的材料。", "items")
            items = {i.id: i for i in _items(session, notice.id)}
            now = self._clock.now()
            unknown = [i for i in arrived_item_ids if i not in items]
            if unknown:
                raise ValidationError("所选材料不在本告知单上。", "items")
            received = []
            for item_id in arrived_item_ids:
                item = items[item_id]
                if item.state != "provided" and item.arrived_at is None:
                    item.arrived_at = now
                    received.append(item.name)
            notice.return_visits += 1
            notice.row_version += 1
            complete = all(i.state == "provided" or i.arrived_at for i in items.values())
            visit = _visit(session, notice.visit_id)
            if not VisitStatus(visit.status).is_open:
                raise ConflictError(
                    f"该事项已{VisitStatus(visit.status).label}，不能再登记补交材料。"
                )
            if complete:
                notice.state = "fulfilled"
                notice.fulfilled_at = now
                if visit.status == VisitStatus.WAITING_MATERIALS.value:
                    resume_clock(session, visit, now)
                    move_visit(
                        session, actor, visit, VisitStatus.IN_PROGRESS,
                        f"按告知单 {notice.number} 补齐材料，恢复办理", now,
                    )  # fmt: skip
            audit.record(
                session,
                at=now,
                officer_id=actor.id,
                action="notice_fulfilled" if complete else "notice_materials_received",
                entity_type="notice",
                entity_id=notice.number,
                after={"received": received, "return_visit": notice.return_visits},
            )
            return self._detail(session, notice)

    def record_breach(
        self, user: SessionUser, notice_id: int, item_name: str, reason: str
    ) -> NoticeDetail:
        """A demand beyond the notice (超出告知范围): only on the record, counted to its issuer."""
        name = clean_text(
            item_name, field="item_name", label="额外要求的材料", max_len=text_limits.UNIT
        )
        why = clean_text(reason, field="reason", label="额外要求的理由", max_len=text_limits.NOTE)
        with self._writing() as session:
            actor = self._case_worker(session, user)
            notice = session.get(Notice, notice_id)
            if notice is None:
                raise NotFound("找不到该告知单。")
            if notice.state == "voided":
                raise ConflictError("该告知单已作废。")
            now = self._clock.now()
            session.add(
                NoticeBreach(
                    notice_id=notice.id,
                    item_name=name,
                    reason=why,
                    at=now,
                    local_date=self._today(session),
                    officer_id=actor.id,
                    issuer_id=notice.officer_id,
                )
            )
            notice.row_version += 1
            audit.record(
                session,
                at=now,
                officer_id=actor.id,
                action="notice_breach",
                entity_type="notice",
                entity_id=notice.number,
                after={"item": name, "reason": why, "issuer": notice.officer_id},
            )
            return self._detail(session, notice)

    def void(
        self, user: SessionUser, notice_id: int, row_version: int, reason: str
    ) -> NoticeDetail:
        """作废 (issued by mistake): the number stays used; a paused matter runs again."""
        text = clean_text(reason, field="reason", label="作废原因", max_len=text_limits.REASON)
        with self._writing() as session:
            actor = self._case_worker(session, user)
            notice = _open_notice(session, notice_id, row_version)
            if notice.officer_id != actor.id and not allows(
                Role(actor.role), Permission.VIEW_ALL_VISITS
            ):
                raise PermissionDenied("只有出具人或所长可以作废告知单。")
            now = self._clock.now()
            notice.state, notice.voided_at, notice.void_reason = "voided", now, text
            notice.row_version += 1
            visit = _visit(session, notice.visit_id)
            if notice.kind == "notice" and visit.status == VisitStatus.WAITING_MATERIALS.value:
                resume_clock(session, visit, now)
                move_visit(
                    session, actor, visit, VisitStatus.IN_PROGRESS,
                    f"告知单 {notice.number} 作废：{text}", now,
                )  # fmt: skip
            audit.record(
                session,
                at=now,
                officer_id=actor.id,
                action="notice_voided",
                entity_type="notice",
                entity_id=notice.number,
                after={"reason": text},
            )
            return self._detail(session, notice)

    # ---- the register -----------------------------------------------------------------

    def register(
        self,
        user: SessionUser,
        date_from: dt.date,
        date_to: dt.date,
        officer_id: int | None = None,
        state: str | None = None,
    ) -> list[NoticeRow]:
        """Notices issued between the dates, newest first; state 'overdue' is open past its date."""
        if date_to < date_from:
            raise ValidationError("结束日期不能早于开始日期。", "date_to")
        with self._sessions.begin() as session:
            self._case_worker(session, user)
            today = self._today(session)
            query = (
                select(Notice, Visit.citizen_name, ServiceItemVersion.name, Officer.name)
                .join(Visit, Visit.id == Notice.visit_id)
                .join(ServiceItemVersion, ServiceItemVersion.id == Visit.service_version_id)
                .join(Officer, Officer.id == Notice.officer_id)
                .where(Notice.local_date >= date_from, Notice.local_date <= date_to)
                .order_by(Notice.issued_at.desc())
                .options(defer(Notice.snapshot_json, raiseload=True))
            )
            if officer_id:
                query = query.where(Notice.officer_id == officer_id)
            rows = []
            period = _in_period(date_from, date_to)
            owed = _owed_counts(session, period)
            breaches = _breach_counts(session, period)
            for notice, citizen, service, officer in session.execute(query):
                shown = _shown_state(notice, today)
                if state and shown != state:
                    continue
                rows.append(
                    NoticeRow(
                        id=notice.id,
                        number=notice.number,
                        kind=notice.kind,
                        state=shown,
                        local_date=notice.local_date,
                        citizen_name=citizen,
                        service_name=service,
                        officer_name=officer,
                        supplement_deadline=notice.supplement_deadline,
                        owed=owed.get(notice.id, 0),
                        breaches=breaches.get(notice.id, 0),
                    )
                )
            return rows

    def completion(
        self, user: SessionUser, date_from: dt.date, date_to: dt.date, by: str
    ) -> list[CompletionRow]:
        """One-visit completion per officer or per matter.

        A notice counts as done in one visit when it was fulfilled at the first return and no
        breach was recorded against it; voided notices do not count as issued.
        """
        if by not in ("officer", "matter"):
            raise ValidationError("请选择按人员或按事项统计。", "by")
        with self._sessions.begin() as session:
            self._case_worker(session, user)
            key = Officer.id if by == "officer" else ServiceItemVersion.item_id
            label = Officer.name if by == "officer" else ServiceItemVersion.name
            query = (
                select(key, label, Notice)
                .join(Visit, Visit.id == Notice.visit_id)
                .join(ServiceItemVersion, ServiceItemVersion.id == Visit.service_version_id)
                .join(Officer, Officer.id == Notice.officer_id)
                .where(
                    Notice.local_date >= date_from,
                    Notice.local_date <= date_to,
                    Notice.state != "voided",
                )
                .options(defer(Notice.snapshot_json, raiseload=True))
            )
            breaches = _breach_counts(session, _in_period(date_from, date_to))
            tally: dict[int, list[int]] = {}
            names: dict[int, str] = {}
            for group, name, notice in session.execute(query):
                names[group] = name
                counts = tally.setdefault(group, [0, 0])
                counts[0] += 1
                if (
                    notice.state == "fulfilled"
                    and notice.return_visits == 1
                    and not breaches.get(notice.id)
                ):
                    counts[1] += 1
            return sorted(
                (CompletionRow(names[k], v[0], v[1]) for k, v in tally.items()),
                key=lambda r: r.label,
            )

    # ---- printing ---------------------------------------------------------------------

    def slip(self, user: SessionUser, notice_id: int) -> SlipData:
        """The notice (群众联 + 存根联) or the pledge, from its frozen content."""
        with self._sessions.begin() as session:
            self._case_worker(session, user)
            notice = session.get(Notice, notice_id)
            if notice is None:
                raise NotFound("找不到该告知单。")
            return self._slip(session, notice)

    def slip_by_number(self, user: SessionUser, number: str) -> tuple[int, SlipData]:
        """For ``stationdesk print notice`` (the same check as ``slip``)."""
        with self._sessions.begin() as session:
            self._case_worker(session, user)
            notice = session.scalars(
                select(Notice).where(Notice.number == code_text(number))
            ).first()
            if notice is None:
                raise NotFound(f"没有编号为 {number.strip()} 的告知单。")
            return notice.id, self._slip(session, notice)

    def record_print(
        self, user: SessionUser, notice_id: int, copy_no: int, via: str = "gui"
    ) -> None:
        """Log a print of the notice that came out, under the officer (``via`` "cli":
        ``stationdesk print``); a print logged meanwhile elsewhere makes this the next copy."""
        with self._writing() as session:
            officer_id = self._case_worker(session, user).id
            notice = session.get(Notice, notice_id)
            if notice is None:
                raise NotFound("找不到该告知单。")
            kind = f"notice{notice.id}"
            record_paper_print(
                session,
                at=self._clock.now(),
                officer_id=officer_id,
                visit_id=notice.visit_id,
                kind=kind,
                copy_no=copy_no,
                via=via,
                printed="notice_printed",
                reprinted="notice_reprinted",
                entity_type="notice",
                entity_id=notice.number,
                extra={},
            )

    def _slip(self, session: Session, notice: Notice) -> SlipData:
        verify_notice(session, notice)
        snap = json.loads(notice.snapshot_json)
        station = _station(session)
        tz = ZoneInfo(station.timezone)
        signature = session.scalars(
            select(Signature).where(
                Signature.document_type == "notice", Signature.document_id == notice.id
            )
        ).first()
        owed = [i for i in snap["items"] if i["state"] != "provided"]
        table = [("序号", "材料名称", "份数", "形式", "要求", "来源或说明")]
        for n, i in enumerate(owed, start=1):
            table.append(
                (
                    str(n),
                    i["name"] + ("（要件）" if i["is_key"] else ""),
                    str(i["copies"]),
                    i["form"],
                    ITEM_STATE_LABELS[i["state"]],
                    i["note"] or i["source"],
                )
            )
        provided = [i["name"] for i in snap["items"] if i["state"] == "provided"]
        issuer = session.get(Officer, notice.officer_id)
        visit = session.get(Visit, notice.visit_id)
        address = snap.get("station_address") or station.address
        if issuer is not None and not slip_officers.is_police(issuer):
            # Printed as the officer's role is (辅警), with the responsible 民警 beside them.
            notifier = ("告知辅警", f"{snap['officer_name']}（辅警 {snap['officer_badge']}）")
        else:
            notifier = ("告知民警", f"{snap['officer_name']}（警号 {snap['officer_badge']}）")
        rows = [
            ("申请人", f"{snap['citizen_name']}　{snap['id_text']}"),
            ("办理事项", snap["service_name"]),
            ("登记编号", snap["serial"]),
            ("告知日期", notice.local_date.isoformat()),
            (
                "补正期限",
                notice.supplement_deadline.isoformat()
                if notice.supplement_deadline
                else "材料备齐后随时来所",
            ),
            (
                "办理时限",
                snap["time_limit_text"]
                + ("（照常计算）" if notice.kind == "pledge" else "（自材料补齐之日起继续计算）"),
            ),
            ("收费标准", snap["fee"]),
            # Where the missing materials are brought: the station's address, not the window alone.
            ("补正材料递交地点", where_to_go(address, snap["place"])),
            ("办理时间", snap["hours"]),
            (notifier[0], notifier[1]
             + (f"　电话 {snap['officer_phone']}" if snap["officer_phone"] else "")),
        ]  # fmt: skip
        paragraphs = [
            ("已收材料", "、".join(provided) if provided else "（无）"),
            ("设定依据", snap["legal_basis"]),
            ("办理条件", snap["conditions"]),
            ("办理流程", snap["procedure"]),
            ("咨询与监督", snap["phones"]),
        ]
        if notice.kind == "pledge":
            title = "容缺受理承诺书"
            paragraphs.insert(0, ("承诺事项", PLEDGE_TERMS))
            notes = ["本事项已先行受理，办理时限照常计算。"]
        else:
            title = "一次性告知单"
            notes = [PROMISE]
        not_signing = (
            ""
            if signature
            else f"申请人拒绝签字。民警说明：{notice.signature_declined_note or '（未说明）'}"
        )
        # The station's name, seal and date are the seal area's (``sealed``): no line of its own.
        signatures = (
            [
                # Who signed and when; the signature itself is the layout's 申请人签名 row.
                f"申请人 {signature.signer_name} 于 "
                f"{signature.signed_at.astimezone(tz).strftime('%Y-%m-%d %H:%M')} "
                "在签名板上签名确认。"
            ]
            if signature
            else []
        )
        if notice.state == "voided":
            notes.insert(0, f"本告知单已作废：{notice.void_reason}")
        return SlipData(
            kind="notice",
            title=title,
            copy_label="",
            station_name=snap["station"],
            station_address=address,
            number=notice.number,
            rows=tuple(rows),
            paragraphs=tuple(paragraphs),
            notes=tuple(notes),
            signatures=tuple(signatures),
            qr_payload=notice_qr_payload(notice),
            copy_no=count_prints(session, notice.visit_id, f"notice{notice.id}") + 1,
            printed_at=self._clock.now().astimezone(tz),
            paper_size=station.paper_size,
            table=tuple(table),
            image_png=signature.png if signature else None,
            parts=("（群众联）", "（存根联）"),
            station_hours=station.hours,
            officer_line=(
                slip_officers.officer_line(session, issuer, visit, duty="告知")
                if issuer is not None
                else f"告知民警 {snap['officer_name']}（警号 {snap['officer_badge']}）"
            ),
            citizen_not_signing=not_signing,
            # The notice and the pledge are sealed and dated by the station.
            sealed=True,
        )

    # ---- internals --------------------------------------------------------------------

    def _case_worker(self, session: Session, user: SessionUser) -> Officer:
        officer = self._officer(session, user)
        if not allows(Role(officer.role), Permission.HANDLE_VISITS):
            raise PermissionDenied(f"{Role(officer.role).label}不办理窗口事项。")
        return officer

    def _may_issue(self, session: Session, actor: Officer, visit: Visit) -> None:
        if visit.owner_id != actor.id:
            owner = session.get(Officer, visit.owner_id)
            raise PermissionDenied(
                f"该事项由{owner.name if owner else '他人'}负责，只有负责人可以出具告知单。"
            )
        if visit.status not in (VisitStatus.REGISTERED.value, VisitStatus.IN_PROGRESS.value):
            raise ConflictError(f"事项当前为“{VisitStatus(visit.status).label}”，不能出具告知单。")
        if not visit.in_scope:
            raise ConflictError("该事项不属本所职责，请引导至承办单位。")
        existing = session.scalars(
            select(Notice.number).where(Notice.visit_id == visit.id, Notice.state != "voided")
        ).first()
        if existing is not None:
            # One notice per matter: a later demand is only possible as a recorded breach.
            raise ConflictError(
                f"该事项已出具过告知单 {existing}，不能再次告知；"
                "确需其他材料的，请记录超出告知范围。"
            )

    def _today(self, session: Session) -> dt.date:
        return self._clock.now().astimezone(ZoneInfo(_station(session).timezone)).date()

    def _latest_deadline(self, session: Session, version: ServiceItemVersion) -> dt.date | None:
        today = self._today(session)
        if version.time_limit_unit == "on_the_spot":
            return None
        calendar = load_calendar(session)
        if version.time_limit_unit == "working_days":
            return calendar.add_working_days(today, version.time_limit_value).due
        return today + dt.timedelta(days=version.time_limit_value)

    def _detail(self, session: Session, notice: Notice) -> NoticeDetail:
        session.flush()
        visit = _visit(session, notice.visit_id)
        officer = session.get(Officer, notice.officer_id)
        assert officer is not None
        snap = json.loads(notice.snapshot_json)
        signature = session.scalars(
            select(Signature.signer_name).where(
                Signature.document_type == "notice", Signature.document_id == notice.id
            )
        ).first()
        names = {i: n for i, n in session.execute(select(Officer.id, Officer.name))}
        breaches = tuple(
            BreachRow(
                b.item_name, b.reason, b.at, names.get(b.officer_id, ""), names.get(b.issuer_id, "")
            )
            for b in session.scalars(
                select(NoticeBreach)
                .where(NoticeBreach.notice_id == notice.id)
                .order_by(NoticeBreach.id)
            )
        )
        return NoticeDetail(
            id=notice.id,
            number=notice.number,
            kind=notice.kind,
            state=_shown_state(notice, self._today(session)),
            visit_id=visit.id,
            serial=visit.serial,
            citizen_name=visit.citizen_name,
            service_name=snap["service_name"],
            officer_name=officer.name,
            officer_badge=officer.badge_no,
            local_date=notice.local_date,
            supplement_deadline=notice.supplement_deadline,
            items=tuple(
                NoticeItemRow(
                    i.id,
                    i.position,
                    i.name,
                    i.copies,
                    i.form,
                    i.source,
                    i.is_key,
                    i.state,
                    i.note,
                    i.extra,
                    i.arrived_at is not None,
                )
                for i in _items(session, notice.id)
            ),
            breaches=breaches,
            signer_name=signature or "",
            signature_declined_note=notice.signature_declined_note,
            content_sha256=notice.content_sha256,
            return_visits=notice.return_visits,
            row_version=notice.row_version,
        )


# ---- helpers --------------------------------------------------------------------------


def _clean_items(items: Sequence[NoticeItemInput]) -> list[NoticeItemInput]:
    if not items:
        raise ValidationError("告知单上没有任何材料。", "items")
    out: list[NoticeItemInput] = []
    seen: set[str] = set()
    for n, item in enumerate(items, start=1):
        field = f"items.{n - 1}"
        name = clean_text(
            item.name, field=field, label=f"第 {n} 项材料的名称", max_len=text_limits.UNIT
        )
        if name in seen:
            raise ValidationError(f"材料“{name}”重复列出。", field)
        seen.add(name)
        if item.state not in ITEM_STATE_LABELS:
            raise ValidationError(f"请标明第 {n} 项材料是已提供、需补交还是需更正。", field)
        if item.form not in MATERIAL_FORMS:
            raise ValidationError(f"第 {n} 项材料请选择原件或复印件。", field)
        if not 1 <= item.copies <= 20:
            raise ValidationError(f"第 {n} 项材料的份数应在 1 到 20 之间。", field)
        note = clean_text(
            item.note,
            field=field,
            label=f"第 {n} 项的说明",
            max_len=text_limits.ITEM_NOTE,
            required=False,
        )
        if item.state == "correction" and not note:
            raise ValidationError(f"第 {n} 项需更正：请写明要更正什么。", field)
        source = clean_text(
            item.source,
            field=field,
            label=f"第 {n} 项的来源",
            max_len=text_limits.UNIT,
            required=False,
        )
        out.append(
            NoticeItemInput(
                name, item.copies, item.form, source, item.is_key, item.state, note, item.extra
            )
        )
    return out


def _snapshot(
    session: Session,
    actor: Officer,
    visit: Visit,
    items: list[NoticeItemInput],
    new: NewNotice,
    today: dt.date,
) -> tuple[dict[str, Any], str]:
    """Everything the notice says, frozen; its SHA-256 is what the citizen signs."""
    version = _version(session, visit)
    station = _station(session)
    snapshot = {
        "kind": "pledge" if new.pledge else "notice",
        "station": station.name,
        "station_address": station.address,
        "serial": visit.serial,
        "citizen_name": visit.citizen_name,
        "id_text": mask_id(visit.id_number) if visit.id_number else "",
        "service_name": version.name,
        "service_version_id": version.id,
        "legal_basis": version.legal_basis,
        "conditions": version.conditions,
        "procedure": version.procedure,
        "time_limit_text": time_limit_text(version.time_limit_value, version.time_limit_unit),
        "fee": version.fee,
        "place": version.place,
        "hours": version.hours,
        "officer_name": actor.name,
        "officer_badge": actor.badge_no,
        "officer_phone": actor.phone,
        "phones": (
            f"咨询电话：{station.phone_consult or '（本所未设置）'}；"
            f"本所监督电话：{station.phone_supervision or '（本所未设置）'}；"
            f"公安监督举报电话：{station.phone_12389}；政务服务便民热线：{station.phone_12345}"
        ),
        "deadline": new.supplement_deadline.isoformat() if new.supplement_deadline else None,
        "promise": PLEDGE_TERMS if new.pledge else PROMISE,
        "items": [
            {
                "name": i.name, "copies": i.copies, "form": i.form, "source": i.source,
                "is_key": i.is_key, "state": i.state, "note": i.note, "extra": i.extra,
            }
            for i in items
        ],
    }  # fmt: skip
    return snapshot, hashlib.sha256(canonical_json(snapshot).encode("utf-8")).hexdigest()


def canonical_json(snapshot: dict[str, Any]) -> str:
    """The one serialisation that is stored and hashed."""
    return json.dumps(snapshot, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def verify_notice(session: Session, notice: Notice) -> None:
    """Refuse to use a notice whose stored content or signature no longer matches its hashes."""
    digest = hashlib.sha256(notice.snapshot_json.encode("utf-8")).hexdigest()
    broken = digest != notice.content_sha256
    signature = session.scalars(
        select(Signature).where(
            Signature.document_type == "notice", Signature.document_id == notice.id
        )
    ).first()
    if signature is not None:
        broken = broken or signature.content_sha256 != notice.content_sha256
        broken = broken or signature.image_sha256 != image_digest(
            signature.strokes_json, signature.png
        )
    if broken:
        raise ConflictError(
            f"告知单 {notice.number} 的存档内容与签字时不一致（可能被改动），已停止使用，"
            "请立即报告所长并运行 stationdesk check。"
        )


def _shown_state(notice: Notice, today: dt.date) -> str:
    if (
        notice.state == "open"
        and notice.supplement_deadline is not None
        and notice.supplement_deadline < today
    ):
        return "overdue"
    return notice.state


def _visit(session: Session, visit_id: int) -> Visit:
    visit = session.get(Visit, visit_id)
    if visit is None:
        raise NotFound("找不到该登记记录。")
    return visit


def _version(session: Session, visit: Visit) -> ServiceItemVersion:
    version = session.get(ServiceItemVersion, visit.service_version_id)
    assert version is not None
    return version


def _station(session: Session) -> Station:
    station = session.get(Station, 1)
    if station is None:
        raise NotFound("本数据库尚未初始化。")
    return station


def _items(session: Session, notice_id: int) -> list[NoticeItem]:
    return list(
        session.scalars(
            select(NoticeItem)
            .where(NoticeItem.notice_id == notice_id)
            .order_by(NoticeItem.position)
        )
    )


def _open_notice(session: Session, notice_id: int, row_version: int) -> Notice:
    notice = session.get(Notice, notice_id)
    if notice is None:
        raise NotFound("找不到该告知单。")
    if notice.state == "voided":
        raise ConflictError("该告知单已作废，不能再登记补交材料。")
    if notice.state == "fulfilled":
        raise ConflictError("该告知单所列材料已全部补齐。")
    if notice.row_version != row_version:
        raise ConflictError("该告知单刚被其他窗口处理过，请刷新后再试。")
    return notice


def _in_period(date_from: dt.date, date_to: dt.date) -> Select[Any]:
    """The ids of the notices issued between the dates (index ``ix_notices_local_date``)."""
    return select(Notice.id).where(Notice.local_date >= date_from, Notice.local_date <= date_to)


def _owed_counts(session: Session, notice_ids: Select[Any]) -> dict[int, int]:
    """Items still owed per notice, for the notices ``notice_ids`` selects only."""
    return {
        nid: n
        for nid, n in session.execute(
            select(NoticeItem.notice_id, func.count())
            .where(
                NoticeItem.notice_id.in_(notice_ids.scalar_subquery()),
                NoticeItem.state != "provided",
                NoticeItem.arrived_at.is_(None),
            )
            .group_by(NoticeItem.notice_id)
        )
    }


def _breach_counts(session: Session, notice_ids: Select[Any]) -> dict[int, int]:
    """Breaches per notice, for the notices ``notice_ids`` selects only."""
    return {
        nid: n
        for nid, n in session.execute(
            select(NoticeBreach.notice_id, func.count())
            .where(NoticeBreach.notice_id.in_(notice_ids.scalar_subquery()))
            .group_by(NoticeBreach.notice_id)
        )
    }
