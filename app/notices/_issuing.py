"""Issuing the one-time notice (or the pledge): the editor, the content the citizen signs, and
the notice frozen, numbered and signed."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.catalogue.service import time_limit_text
from app.core import audit, text_limits
from app.core.dto import SessionUser
from app.core.errors import ConflictError, PermissionDenied, ValidationError
from app.core.identity import mask_id
from app.core.service_base import load_station
from app.core.signatures import image_digest
from app.core.validation import clean_text
from app.notices._base import PLEDGE_TERMS, PROMISE, NoticeBase, _version, _visit, canonical_json
from app.notices.dto import (
    ITEM_STATE_LABELS,
    NewNotice,
    NoticeDetail,
    NoticeDraft,
    NoticeItemInput,
)
from app.visits.rules import VisitStatus
from app.visits.service import accept_visit, move_visit, next_number, pause_clock
from db.models import (
    MATERIAL_FORMS,
    Notice,
    NoticeItem,
    Officer,
    Signature,
    Visit,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def notice_number(code: str, year: int, seq: int) -> str:
    """A notice's printed number: station code, 告, year, sequence."""
    return f"{code}-GZ-{year}-{seq:05d}"


class Issuing(NoticeBase):
    """The editor, the content shown before signing, and issuing the notice or pledge."""

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
        declined = _check_request(new, owed)
        with self._writing() as session:
            actor = self._case_worker(session, user)
            visit = _visit(session, new.visit_id)
            if visit.row_version != new.row_version:
                raise ConflictError("该事项刚被修改过（可能已出具告知单），请刷新后再试。")
            self._may_issue(session, actor, visit)
            today = self._today(session)
            self._check_deadline(session, visit, new, today)
            snapshot, digest = _snapshot(session, actor, visit, items, new, today)
            if new.signature is not None and new.signature.content_sha256 != digest:
                raise ConflictError("告知内容在群众签字后被改动，请让群众对最新内容重新签字。")
            now = self._clock.now()
            notice = _new_notice(
                session,
                actor,
                visit,
                new,
                snapshot=snapshot,
                digest=digest,
                declined=declined,
                now=now,
                today=today,
            )
            _add_items(session, notice, items)
            image_sha = _add_signature(session, notice, new, digest, now)
            _hold_matter(session, actor, visit, notice, new, owed, now)
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

    def _check_deadline(
        self, session: Session, visit: Visit, new: NewNotice, today: dt.date
    ) -> None:
        """The supplement deadline: not past, and within the matter's time limit (under a
        pledge also within its due date, as the clock keeps running)."""
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


# ---- the steps of issuing -------------------------------------------------------------


def _check_request(new: NewNotice, owed: list[NoticeItemInput]) -> str:
    """Check what is asked before anything is read: something owed, a pledge only without
    key materials and with a deadline, a signature (or why there is none) with strokes.

    Returns the cleaned note of a refused signature ("" when there is none).
    """
    if not owed:
        raise ValidationError("没有需补交或更正的材料，无需出具告知单。", "items")
    if new.pledge and any(i.is_key for i in owed):
        names = "、".join(i.name for i in owed if i.is_key)
        raise ValidationError(f"缺少要件（{names}），不能容缺受理，请出具一次性告知单。", "pledge")
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
        raise ValidationError("容缺受理须由群众本人签署承诺书，拒签的不能容缺受理。", "signature")
    if new.signature is not None and (
        not any(len(stroke) >= 2 for stroke in new.signature.strokes)
        or not new.signature.png.startswith(PNG_MAGIC)
    ):
        raise ValidationError("签字板上没有笔迹，请群众签字后再确认。", "signature")
    return declined


def _new_notice(
    session: Session,
    actor: Officer,
    visit: Visit,
    new: NewNotice,
    *,
    snapshot: dict[str, Any],
    digest: str,
    declined: str,
    now: dt.datetime,
    today: dt.date,
) -> Notice:
    """The notice, numbered in the station's year, with its frozen content (flushed)."""
    station = load_station(session)
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
    return notice


def _add_items(session: Session, notice: Notice, items: list[NoticeItemInput]) -> None:
    """The notice's materials, in the order listed."""
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


def _add_signature(
    session: Session, notice: Notice, new: NewNotice, digest: str, now: dt.datetime
) -> str:
    """The citizen's signature bound to the content; returns its image digest ("" unsigned)."""
    if new.signature is None:
        return ""
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
    return image_sha


def _hold_matter(
    session: Session,
    actor: Officer,
    visit: Visit,
    notice: Notice,
    new: NewNotice,
    owed: list[NoticeItemInput],
    now: dt.datetime,
) -> None:
    """The matter is accepted; a notice pauses its clock until the materials are in, a
    pledge lets it run."""
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
    station = load_station(session)
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
