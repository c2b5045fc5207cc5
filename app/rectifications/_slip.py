"""整改督办单: the slip of one rectification as far as it has got, and its prints logged."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core import slip_officers
from app.core.dto import SessionUser
from app.core.errors import NotFound, PermissionDenied
from app.core.identity import mask_phone
from app.core.print_log import count_prints, record_paper_print
from app.core.roles import Permission, Role, allows
from app.core.service_base import load_station
from app.core.validation import code_text
from app.printing.slip_data import SlipData, qr_payload
from app.ratings.service import BAD, KIND_LABELS, LEVELS
from app.rectifications._base import RectificationBase, load_rectification
from app.rectifications.dto import RectificationRow
from db.models import Officer, Rating, Rectification, ServiceItemVersion, Station, Visit

# Room to write by hand on the 督办单: a section not yet filled in prints as empty lines.
_BLANK = "\n".join(["\u3000"] * 6)
_BLANK_LINE = "\u3000\n\u3000"
SlipRows = list[tuple[str, str]]


class Slips(RectificationBase):
    """The 督办单, printed by its owner, the chief or a deputy; every print logged."""

    def rectification_slip(self, user: SessionUser, rect_id: int) -> SlipData:
        """整改督办单 of one rectification, as far as it has got (blank sections to fill in)."""
        with self._sessions.begin() as session:
            actor = self._officer(session, user)
            rect = load_rectification(session, rect_id)
            _may_print(actor, rect)
            return self._rect_slip(session, rect)

    def rectification_slip_by_number(self, user: SessionUser, number: str) -> tuple[int, SlipData]:
        """For ``stationdesk print rectification``: its id and slip, as ``rectification_slip``."""
        with self._sessions.begin() as session:
            actor = self._officer(session, user)
            rect = session.scalars(
                select(Rectification).where(Rectification.number == code_text(number))
            ).first()
            if rect is None:
                raise NotFound(f"没有编号为 {number.strip()} 的整改督办单。")
            _may_print(actor, rect)
            return rect.id, self._rect_slip(session, rect)

    def record_rectification_print(
        self, user: SessionUser, rect_id: int, copy_no: int, via: str = "gui"
    ) -> None:
        """Log a print of the 督办单 that came out (``via`` "cli": ``stationdesk print``); a
        later one is 补打, and one logged meanwhile elsewhere makes this the next copy."""
        with self._writing() as session:
            rect = load_rectification(session, rect_id)
            actor = self._officer(session, user)
            _may_print(actor, rect)
            kind = _print_kind(rect)
            record_paper_print(
                session,
                at=self._clock.now(),
                officer_id=actor.id,
                visit_id=rect.visit_id,
                kind=kind,
                copy_no=copy_no,
                via=via,
                printed="rectification_printed",
                reprinted="rectification_reprinted",
                entity_type="rectification",
                entity_id=rect.number,
                extra={},
            )

    def _rect_slip(self, session: Session, rect: Rectification) -> SlipData:
        """The slip: the matter, the rating, the owner's work, any appeal, the 销号."""
        station = load_station(session)
        tz = ZoneInfo(station.timezone)
        row = self._row(session, rect)
        visit = session.get(Visit, rect.visit_id)
        rating = session.get(Rating, rect.rating_id)
        assert visit is not None and rating is not None
        version = session.get(ServiceItemVersion, visit.service_version_id)
        officers = {o.id: o for o in session.scalars(select(Officer))}
        rated, owner = officers[rect.rated_officer_id], officers[rect.owner_id]
        follow = session.get(Rating, rect.follow_up_rating_id) if rect.follow_up_rating_id else None
        rows = [
            *_matter_rows(rect, row, visit, version, tz),
            *_rating_rows(station, rated, rating, tz),
            *_work_rows(rect, row, owner, follow, tz),
            *_appeal_rows(rect, officers),
            _closed_row(rect, tz),
        ]
        kind = _print_kind(rect)
        return SlipData(
            kind="rectification",
            title="整改督办单",
            copy_label="",
            station_name=station.name,
            station_address=station.address,
            number=rect.number,
            rows=tuple(rows),
            paragraphs=(),
            notes=(
                "请督办人于核实期限前查明原因，整改期限前完成整改并请群众回访评价，经回访后销号。",
                "被评价民警对评价有异议的，可提出申诉并附证据，由所长或副所长决定。",
            ),
            signatures=(
                f"督办人签字：＿＿＿＿＿＿＿＿　　责任{slip_officers.kind_of(rated)}签字："
                "＿＿＿＿＿＿＿＿　　日期：＿＿＿＿年＿＿月＿＿日",
            ),
            qr_payload=qr_payload(
                rect.number,
                visit.serial,
                str(rating.overall or ""),
                rating.comment,
                rect.state,
                rect.cause,
                rect.action,
                rect.result,
            ),
            copy_no=count_prints(session, rect.visit_id, kind) + 1,
            printed_at=self._clock.now().astimezone(tz),
            paper_size="A4",
            station_hours=station.hours,
            # An internal order, signed by the supervisor and the officer rated on the lines
            # above: no separate officer line, no seal.
        )


def _matter_rows(
    rect: Rectification,
    row: RectificationRow,
    visit: Visit,
    version: ServiceItemVersion | None,
    tz: ZoneInfo,
) -> SlipRows:
    """When it was handed over, where it stands, and the matter rated."""
    return [
        ("交办日期", rect.opened_at.astimezone(tz).date().isoformat()),
        ("办理状态", row.state_label + ("（已逾期）" if row.overdue else "")),
        ("登记编号", visit.serial),
        ("办理事项", version.name if version else ""),
        ("办理日期", visit.local_date.isoformat()),
        (
            "群众",
            visit.citizen_name + (f"　联系电话 {mask_phone(visit.phone)}" if visit.phone else ""),
        ),
    ]


def _rating_rows(station: Station, rated: Officer, rating: Rating, tz: ZoneInfo) -> SlipRows:
    """Who was rated, how, and the levels and words the citizen gave."""
    given = json.loads(rating.dimensions_json)
    # In the order of the setting, then any the setting no longer has.
    order = [d for d in station.rating_dimensions.split(",") if d in given]
    dims = {d: given[d] for d in order + sorted(set(given) - set(order))}
    return [
        (f"被评价{slip_officers.kind_of(rated)}", slip_officers.person(rated)),
        ("评价方式", f"{KIND_LABELS.get(rating.kind, rating.kind)}　{_local(rating.rated_at, tz)}"),
        ("总体评价", _level_text(rating.overall)),
        (
            "分项评价",
            "；".join(f"{name}：{_level_text(level)}" for name, level in dims.items()) or "—",
        ),
        ("群众意见", rating.comment or "（无）"),
    ]


def _work_rows(
    rect: Rectification,
    row: RectificationRow,
    owner: Officer,
    follow: Rating | None,
    tz: ZoneInfo,
) -> SlipRows:
    """The owner, the time limits and each step as far as done (blank lines for the rest)."""
    return [
        ("督办人", f"{owner.name}（{Role(owner.role).label}，{owner.badge_no}）"),
        ("核实期限", rect.verify_due.isoformat()),
        ("整改期限", rect.rectify_due.isoformat()),
        ("原因核实", rect.cause or _BLANK),
        ("整改措施", rect.action or _BLANK),
        ("整改结果", rect.result or _BLANK),
        (
            "整改回访",
            f"{row.follow_up}（{KIND_LABELS['follow_up']} {_local(follow.rated_at, tz)}）"
            if follow
            else _BLANK_LINE,
        ),
    ]


def _appeal_rows(rect: Rectification, officers: dict[int, Officer]) -> SlipRows:
    """The rated officer's appeal and its decision, when there is one."""
    if not rect.appeal_text:
        return []
    rows = [("申诉", rect.appeal_text)]
    decided = ""
    if rect.appeal_decision:
        decider = officers.get(rect.appeal_decided_by_id or 0)
        verdict = "申诉成立" if rect.appeal_decision == "upheld" else "申诉不成立"
        decided = f"{verdict}。{rect.appeal_reason}" + (f"（{decider.name}）" if decider else "")
    rows.append(("申诉处理意见", decided or _BLANK))
    return rows


def _closed_row(rect: Rectification, tz: ZoneInfo) -> tuple[str, str]:
    return (
        "销号日期",
        rect.closed_at.astimezone(tz).date().isoformat() if rect.closed_at else _BLANK_LINE,
    )


def _local(at: dt.datetime, tz: ZoneInfo) -> str:
    return at.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _level_text(level: int | None) -> str:
    if level is None:
        return "—"
    return LEVELS.get(level, "—") + ("（差评）" if level <= BAD else "")


def _print_kind(rect: Rectification) -> str:
    """The print log's kind of a 督办单 (prints are logged per visit)."""
    return f"rect{rect.id}"


def _may_print(actor: Officer, rect: Rectification) -> None:
    if actor.id != rect.owner_id and not allows(Role(actor.role), Permission.VIEW_ALL_VISITS):
        raise PermissionDenied("督办单由督办人、所长或副所长打印。")
