"""What every notice use case shares: the caller's check, the station's day, a notice as shown,
the notice's integrity check and the lookups of its matter, station and items."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.dto import SessionUser
from app.core.errors import ConflictError, NotFound, PermissionDenied
from app.core.roles import Permission, Role, allows
from app.core.service_base import ServiceBase, load_station
from app.core.signatures import image_digest
from app.holidays.service import load_calendar
from app.notices.dto import BreachRow, NoticeDetail, NoticeItemRow
from db.models import (
    Notice,
    NoticeBreach,
    NoticeItem,
    Officer,
    ServiceItemVersion,
    Signature,
    Visit,
)

PROMISE = "除本告知单所列材料外，本所不再要求您提供其他材料；材料补齐后即予办理。"
PLEDGE_TERMS = (
    "申请人承诺在补正期限内补交上列材料。逾期未补交的，本所将终止办理，已作出的办理结果"
    "依法予以撤回，相关情况记入办理台账。"
)


class NoticeBase(ServiceBase):
    """The internals every part of ``NoticeService`` uses."""

    def _case_worker(self, session: Session, user: SessionUser) -> Officer:
        officer = self._officer(session, user)
        if not allows(Role(officer.role), Permission.HANDLE_VISITS):
            raise PermissionDenied(f"{Role(officer.role).label}不办理窗口事项。")
        return officer

    def _today(self, session: Session) -> dt.date:
        return self._clock.now().astimezone(ZoneInfo(load_station(session).timezone)).date()

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


def _items(session: Session, notice_id: int) -> list[NoticeItem]:
    return list(
        session.scalars(
            select(NoticeItem)
            .where(NoticeItem.notice_id == notice_id)
            .order_by(NoticeItem.position)
        )
    )
