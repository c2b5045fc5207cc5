"""A matter's papers for the citizen: the receipt (受理回执), the guidance slip (引导单) and the
refusal notice (不予受理告知书), ready to render, and the log of each print."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.catalogue.service import time_limit_text
from app.core import slip_officers
from app.core.dto import SessionUser
from app.core.errors import ConflictError, NotFound, ValidationError
from app.core.identity import IdType, mask_id, mask_phone
from app.core.print_log import count_prints, record_paper_print
from app.core.service_base import load_station
from app.core.validation import code_text
from app.printing.qr_codes import visit_qr_payload
from app.printing.slip_data import SlipData
from app.visits._base import VisitBase
from app.visits._rows import visit_refusal_paragraphs
from app.visits.rules import VisitStatus
from db.models import Officer, ServiceItemVersion, Station, Visit, VisitTransition


@dataclass(frozen=True)
class _Paper:
    """What one kind of slip says: its title, rows, paragraphs, notes and signature lines."""

    title: str
    copy_label: str
    rows: tuple[tuple[str, str], ...]
    paragraphs: tuple[tuple[str, str], ...]
    notes: tuple[str, ...]
    signatures: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()
    not_signing: str = ""


class Slips(VisitBase):
    """A matter's slips, by id or by printed number, and the record of each print."""

    def slip(self, user: SessionUser, visit_id: int, kind: str) -> SlipData:
        """A receipt, guidance slip or refusal notice of a visit, ready to render."""
        with self._sessions.begin() as session:
            self._require_case_work(session, user, reading=True)
            visit = session.get(Visit, visit_id)
            if visit is None:
                raise NotFound("找不到该登记记录。")
            return self._slip(session, visit, kind)

    def slip_by_serial(self, user: SessionUser, serial: str, kind: str) -> tuple[int, SlipData]:
        """For ``stationdesk print``: the visit id and its slip (the same check as ``slip``)."""
        with self._sessions.begin() as session:
            self._require_case_work(session, user, reading=True)
            visit = session.scalars(select(Visit).where(Visit.serial == code_text(serial))).first()
            if visit is None:
                raise NotFound(f"没有编号为 {serial.strip()} 的登记记录。")
            return visit.id, self._slip(session, visit, kind)

    def record_print(
        self, user: SessionUser, visit_id: int, kind: str, copy_no: int, via: str = "gui"
    ) -> None:
        """Log a print that came out (the original, or a 补打 copy) under the officer.

        Called once the printer took the job or the file was written (``via`` "cli": by
        ``stationdesk print``). ``copy_no`` is the number on the paper; if another counter
        logged a print in between, this one is logged as the next copy with a note.
        """
        if kind not in ("receipt", "guidance", "refusal"):
            raise ValidationError("未知的单据类型。", "kind")
        with self._writing() as session:
            officer_id = self._require_case_work(session, user, reading=True).id
            visit = session.get(Visit, visit_id)
            if visit is None:
                raise NotFound("找不到该登记记录。")
            record_paper_print(
                session,
                at=self._clock.now(),
                officer_id=officer_id,
                visit_id=visit.id,
                kind=kind,
                copy_no=copy_no,
                via=via,
                printed="slip_printed",
                reprinted="slip_reprinted",
                entity_type="visit",
                entity_id=visit.serial,
                extra={"kind": kind},
            )

    def _slip(self, session: Session, visit: Visit, kind: str) -> SlipData:
        _check_printable(visit, kind)
        station = load_station(session)
        tz = ZoneInfo(station.timezone)
        version = session.get(ServiceItemVersion, visit.service_version_id)
        first = session.get(Officer, visit.first_officer_id)
        owner = session.get(Officer, visit.owner_id)
        assert version is not None and first is not None and owner is not None
        # The owner issues each of these slips: accepting, guiding and refusing are theirs.
        officer_text = slip_officers.officer_line(session, owner, visit)
        if kind == "receipt":
            paper = _receipt(visit, station, version, first, owner, tz)
        elif kind == "guidance":
            paper = _guidance(visit, station, version, first)
        else:
            paper = _refusal_notice(session, visit, station, version, owner, tz)
        return SlipData(
            kind=kind,
            title=paper.title,
            copy_label=paper.copy_label,
            station_name=station.name,
            station_address=station.address,
            number=visit.serial,
            rows=paper.rows,
            paragraphs=paper.paragraphs,
            notes=paper.notes,
            signatures=paper.signatures,
            qr_payload=visit_qr_payload(visit),
            copy_no=count_prints(session, visit.id, kind) + 1,
            printed_at=self._clock.now().astimezone(tz),
            paper_size=station.paper_size,
            parts=paper.parts,
            station_hours=station.hours,
            officer_line=officer_text,
            citizen_not_signing=paper.not_signing,
            # The receipt and the refusal are the station's written decisions: sealed.
            sealed=kind in ("receipt", "refusal"),
        )


# ---- the slips -----------------------------------------------------------------------------


def _check_printable(visit: Visit, kind: str) -> None:
    """A known kind of slip, and one the matter's status has (else the counter is told why)."""
    status = VisitStatus(visit.status)
    allowed = {
        # A receipt is for a matter accepted and not finished on the spot.
        "receipt": visit.accepted_at is not None
        and status
        in (VisitStatus.IN_PROGRESS, VisitStatus.WAITING_MATERIALS, VisitStatus.COMPLETED),
        "guidance": status is VisitStatus.GUIDED,
        "refusal": status is VisitStatus.REFUSED,
    }
    if kind not in allowed:
        raise ValidationError("未知的单据类型。", "kind")
    if not allowed[kind]:
        names = {"receipt": "受理回执", "guidance": "引导单", "refusal": "不予受理告知书"}
        raise ConflictError(f"事项当前为“{status.label}”，不能打印{names[kind]}。")


def _receipt(
    visit: Visit,
    station: Station,
    version: ServiceItemVersion,
    first: Officer,
    owner: Officer,
    tz: ZoneInfo,
) -> _Paper:
    """受理回执: what was accepted, when it is due, who answers for it, where to come."""
    day = visit.local_date.isoformat()
    accepted = visit.accepted_at.astimezone(tz).date().isoformat() if visit.accepted_at else day
    due = visit.due_date.isoformat() if visit.due_date else "当场办结"
    rows = [
        ("申请人", visit.citizen_name),
        ("证件", _id_text(visit)),
        ("联系电话", mask_phone(visit.phone) if visit.phone else "（未提供）"),
        ("办理事项", version.name),
        ("受理日期", accepted),
        ("办理时限", time_limit_text(version.time_limit_value, version.time_limit_unit)),
        ("承诺办结日期", f"{due}（补充材料期间不计入）"),
        ("首接责任人", slip_officers.person(first)),
    ]
    if owner.id != first.id:
        rows.append(("当前承办人", slip_officers.person(owner)))
    rows.append(("办理地点", where_to_go(station.address, version.place)))
    return _Paper(
        title="受理回执",
        copy_label="（群众留存联）",
        rows=tuple(rows),
        paragraphs=(("查询与监督", _phones(station)),),
        notes=(
            "请妥善保管本回执，凭编号或二维码查询办理进度、领取结果。",
            "本所实行首问首接责任制：首接责任人对本事项负责到底；如需移交，接手民警将继续为您办理。",
        ),
    )


def _guidance(
    visit: Visit, station: Station, version: ServiceItemVersion, first: Officer
) -> _Paper:
    """群众办事引导单: the unit that handles the matter, and whom to call if it will not."""
    rows = (
        ("群众", visit.citizen_name),
        ("来访日期", visit.local_date.isoformat()),
        ("咨询或办理事项", version.name + (f"：{visit.summary}" if visit.summary else "")),
        ("承办单位", visit.guided_unit),
        ("单位地址", visit.guided_address),
        ("单位电话", visit.guided_phone),
        ("说明", visit.result),
        (f"首接{slip_officers.kind_of(first)}", slip_officers.person(first)),
    )
    return _Paper(
        title="群众办事引导单",
        copy_label="（群众留存联）",
        rows=rows,
        paragraphs=(("监督电话", _phones(station)),),
        notes=(
            "该事项不属本所职责。如承办单位推诿或不予办理，可拨打上述电话反映，本所将协助联系。",
        ),
    )


def _refusal_notice(
    session: Session,
    visit: Visit,
    station: Station,
    version: ServiceItemVersion,
    owner: Officer,
    tz: ZoneInfo,
) -> _Paper:
    """不予受理告知书: the refusal's grounds and redress, the day decided, the receipt signed."""
    day = visit.local_date.isoformat()
    rows = [
        ("申请人", visit.citizen_name),
        ("证件", _id_text(visit)),
        ("申请事项", version.name),
        ("申请日期", day),
        (f"承办{slip_officers.kind_of(owner)}", slip_officers.person(owner)),
    ]
    # The day of the decision: its transition (the counter's end time is the sitting's).
    decided = session.scalar(
        select(func.max(VisitTransition.at)).where(
            VisitTransition.visit_id == visit.id,
            VisitTransition.to_status == VisitStatus.REFUSED.value,
        )
    )
    ended = decided.astimezone(tz).date().isoformat() if decided else day
    not_signing = (
        f"申请人拒绝签收。民警说明：{visit.refusal_unsigned}" if visit.refusal_unsigned else ""
    )
    rows.append(("决定日期", ended))
    # The station's name, seal and date are the seal area's (``sealed``); the citizen
    # signs for receipt unless they refused (then the officer and a witness sign).
    signatures: tuple[str, ...] = ()
    if not not_signing:
        signatures = ("申请人签收：________________", "签收日期：______年____月____日")
    return _Paper(
        title="不予受理告知书",
        copy_label="",
        rows=tuple(rows),
        paragraphs=(*visit_refusal_paragraphs(visit), ("监督电话", _phones(station))),
        notes=("本告知书一式两份，申请人与本所各执一份。",),
        signatures=signatures,
        # Both copies in one print, as the notice: the first print is the original.
        parts=("（群众联）", "（存根联）"),
        not_signing=not_signing,
    )


def _id_text(visit: Visit) -> str:
    """The citizen's document on a slip: its type and masked number."""
    if visit.id_number:
        return f"{IdType(visit.id_type).label} {mask_id(visit.id_number)}"
    return "（未提供）"


def _phones(station: Station) -> str:
    """Where the citizen asks about progress or complains: the station's and the hotlines."""
    return (
        f"进度查询电话：{station.phone_consult or '（本所未设置）'}；"
        f"本所监督电话：{station.phone_supervision or '（本所未设置）'}；"
        f"公安监督举报电话：{station.phone_12389}；政务服务便民热线：{station.phone_12345}"
    )


def where_to_go(address: str, place: str) -> str:
    """Where the citizen goes: the station's address and the window, never the window alone."""
    if not address:
        return place
    return f"{address}，本所{place}" if place else address
