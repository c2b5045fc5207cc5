"""Printing the slip: the notice (群众联 + 存根联) or the pledge from its frozen content, and
the record of each print."""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core import slip_officers
from app.core.dto import SessionUser
from app.core.errors import NotFound
from app.core.print_log import count_prints, record_paper_print
from app.core.service_base import load_station
from app.core.validation import code_text
from app.notices._base import PLEDGE_TERMS, PROMISE, NoticeBase, verify_notice
from app.notices.dto import ITEM_STATE_LABELS
from app.printing.qr_codes import notice_qr_payload
from app.printing.slip_data import SlipData
from app.visits.service import where_to_go
from db.models import Notice, Officer, Signature, Visit


class Printing(NoticeBase):
    """The notice's slip, by id or number, and the record of its prints."""

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
        station = load_station(session)
        tz = ZoneInfo(station.timezone)
        signature = session.scalars(
            select(Signature).where(
                Signature.document_type == "notice", Signature.document_id == notice.id
            )
        ).first()
        table = _owed_table(snap)
        issuer = session.get(Officer, notice.officer_id)
        visit = session.get(Visit, notice.visit_id)
        address = snap.get("station_address") or station.address
        rows = _rows(notice, snap, issuer, address)
        title, paragraphs, notes = _wording(notice, snap)
        not_signing, signatures = _signing(notice, signature, tz)
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


# ---- the parts of the slip ------------------------------------------------------------


def _owed_table(snap: dict[str, Any]) -> list[tuple[str, ...]]:
    """The table of what is owed: numbered, with copies, form, what is asked and its source."""
    owed = [i for i in snap["items"] if i["state"] != "provided"]
    table: list[tuple[str, ...]] = [("序号", "材料名称", "份数", "形式", "要求", "来源或说明")]
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
    return table


def _rows(
    notice: Notice, snap: dict[str, Any], issuer: Officer | None, address: str
) -> list[tuple[str, str]]:
    """The numbered fields: the citizen, the matter, the dates, where to bring the materials
    and who gave notice."""
    if issuer is not None and not slip_officers.is_police(issuer):
        # Printed as the officer's role is (辅警), with the responsible 民警 beside them.
        notifier = ("告知辅警", f"{snap['officer_name']}（辅警 {snap['officer_badge']}）")
    else:
        notifier = ("告知民警", f"{snap['officer_name']}（警号 {snap['officer_badge']}）")
    return [
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


def _wording(notice: Notice, snap: dict[str, Any]) -> tuple[str, list[tuple[str, str]], list[str]]:
    """The title, the paragraphs and the notes: a notice's promise, a pledge's terms, and
    whether the notice was voided."""
    provided = [i["name"] for i in snap["items"] if i["state"] == "provided"]
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
    if notice.state == "voided":
        notes.insert(0, f"本告知单已作废：{notice.void_reason}")
    return title, paragraphs, notes


def _signing(notice: Notice, signature: Signature | None, tz: ZoneInfo) -> tuple[str, list[str]]:
    """Why the citizen did not sign ("" when they did), and the line saying who signed when."""
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
    return not_signing, signatures
