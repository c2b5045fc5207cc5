"""好差评: the citizen's own rating at the counter, and the rectification every 差评 opens."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session, aliased

from app.core import audit, slip_officers, text_limits
from app.core.dto import SessionUser
from app.core.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from app.core.identity import mask_phone
from app.core.print_log import (
    count_prints,
    record_paper_print,
    station_copy_no,
    station_print_after,
)
from app.core.roles import Permission, Role, allows
from app.core.service_base import ServiceBase
from app.core.signatures import content_digest, store_signature
from app.core.validation import clean_text, code_text
from app.holidays.service import load_calendar
from app.printing.register_pdf import (
    RegisterColumn,
    RegisterDocument,
    RegisterRow,
    RegisterTable,
    ReviewBlock,
)
from app.printing.slip_data import SlipData, qr_payload
from app.visits.rules import VisitStatus
from app.visits.service import next_number
from db.models import (
    Officer,
    Rating,
    Rectification,
    ServiceItemVersion,
    Signature,
    Station,
    Visit,
)

LEVELS: dict[int, str] = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
BAD = 2  # 不满意 and 非常不满意 are 差评
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
RATABLE = (VisitStatus.COMPLETED, VisitStatus.ANSWERED, VisitStatus.GUIDED, VisitStatus.REFUSED)
KIND_LABELS = {
    "on_site": "现场评价",
    "phone": "电话回访",
    "home": "上门回访",
    "follow_up": "整改回访",
    "sms": "短信回访",
}
# An outcome read from the station's SMS platform, not a call: shown as such everywhere.
SMS_REPLY_LABEL = "收到短信回复"
REGISTER_MAX_DAYS = 31
LIVE_STATES = ("open", "verified", "rectified")
# The list shows closed rectifications this many days back (open ones always): a worklist,
# not ten years of history.
CLOSED_SHOWN_DAYS = 90
FollowUp = aliased(Rating, name="follow_up")
# Room to write by hand on the 督办单: a section not yet filled in prints as empty lines.
_BLANK = "\n".join(["\u3000"] * 6)
_BLANK_LINE = "\u3000\n\u3000"


@dataclass(frozen=True, slots=True)
class RatingInput:
    """What the citizen chose: nothing is preselected; or a refusal to rate."""

    overall: int | None
    dimensions: tuple[tuple[str, int | None], ...] = ()
    comment: str = ""
    declined: bool = False
    signer_name: str = ""
    strokes: tuple[tuple[tuple[float, float, float], ...], ...] = ()
    png: bytes = b""
    callback_requested: bool = False


@dataclass(frozen=True, slots=True)
class RatingResult:
    """What was saved; ``rectification`` is the number opened by a 差评."""

    rating_id: int
    bad: bool
    declined: bool
    rectification: str = ""


@dataclass(frozen=True, slots=True)
class RectificationRow:
    """A rectification as the chief's list and the slip show it."""

    id: int
    number: str
    state: str
    visit_serial: str
    citizen_name: str
    rated_officer: str
    owner: str
    rating_text: str
    comment: str
    verify_due: dt.date
    rectify_due: dt.date
    overdue: bool
    cause: str
    action: str
    result: str
    follow_up: str
    appeal_text: str
    appeal_decision: str
    appeal_reason: str
    row_version: int
    dimensions: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    rated_officer_id: int = 0  # who may appeal, and who may not work the steps
    owner_id: int = 0

    @property
    def state_label(self) -> str:
        """The state in Chinese."""
        return {"open": "待核实", "verified": "整改中", "rectified": "待销号", "closed": "已销号"}[
            self.state
        ]


def is_bad(overall: int | None, dimensions: dict[str, int]) -> bool:
    """A 差评: 不满意 or 非常不满意 overall or in any dimension."""
    levels = [overall] if overall is not None else []
    return any(level <= BAD for level in levels + list(dimensions.values()))


def rating_is_bad(rating: Rating) -> bool:
    """Whether a stored rating is a 差评 (a refusal to rate never is)."""
    if rating.declined:
        return False
    dims = {k: int(v) for k, v in json.loads(rating.dimensions_json or "{}").items()}
    return is_bad(rating.overall, dims)


class RatingService(ServiceBase):
    """On-site ratings (一次一评), follow-up ratings, and the rectifications they open."""

    def dimensions(self) -> tuple[str, ...]:
        """The station's rating dimensions (settings)."""
        with self._sessions.begin() as session:
            return tuple(_station(session).rating_dimensions.split(","))

    def rated_on_site(self, user: SessionUser, visit_id: int) -> bool:
        """Whether the citizen already rated (or declined) at the counter; never the levels."""
        with self._sessions.begin() as session:
            self._officer(session, user)
            found = session.scalars(
                select(Rating.id).where(Rating.visit_id == visit_id, Rating.kind == "on_site")
            ).first()
            return found is not None

    def rate_on_site(self, user: SessionUser, visit_id: int, given: RatingInput) -> RatingResult:
        """Save the citizen's rating once; the officer can neither preset nor change it.

        Only at the counter of the officer who finished the matter (its owner): the screen
        turns to the citizen right after completion, or later from that officer's own panel.
        Nobody else records it, least of all an administrator, who handles no matters.
        """
        with self._writing() as session:
            actor = self._officer(session, user)
            role = Role(actor.role)
            if not allows(role, Permission.HANDLE_VISITS):
                raise PermissionDenied(
                    f"{role.label}不办理窗口事项，不能录入群众评价；"
                    "现场评价由办结该事项的民警在本窗口请群众当场作出。"
                )
            visit = session.get(Visit, visit_id)
            if visit is None:
                raise NotFound("找不到该登记记录。")
            if visit.owner_id != actor.id:
                owner = session.get(Officer, visit.owner_id)
                name = owner.name if owner is not None else "该事项的负责民警"
                raise PermissionDenied(
                    f"该事项由{name}办理，现场评价只能在{name}的窗口由群众当场作出，"
                    "他人不能代为录入。"
                )
            if VisitStatus(visit.status) not in RATABLE:
                raise ConflictError("事项办结（或答复、引导、不予受理）后才能请群众评价。")
            done = session.scalars(
                select(Rating.id).where(Rating.visit_id == visit.id, Rating.kind == "on_site")
            ).first()
            if done is not None:
                raise ConflictError("该事项已经现场评价过，一次办事只评价一次。")
            station = _station(session)
            overall, dims, comment = clean_rating(given, station.rating_dimensions.split(","))
            now = self._clock.now()
            rating = add_rating(
                session, station, visit.id, "on_site", given.declined, overall, dims, comment,
                now, actor.id, visit.owner_id,
            )  # fmt: skip
            rating.callback_requested = given.callback_requested
            image_sha256 = "" if given.declined else _sign(session, rating, given, now)
            number = ""
            bad = not given.declined and is_bad(overall, dims)
            if bad:
                number = open_rectification(session, station, visit, rating, now)
            audit.record(
                session,
                at=now,
                officer_id=actor.id,
                action="rating_declined" if given.declined else "rating_saved",
                entity_type="visit",
                entity_id=visit.serial,
                # The level and the signature as given: ``stationdesk check`` compares the
                # stored rating and its signature with them.
                after={
                    "kind": "on_site",
                    "bad": bad,
                    "rectification": number,
                    "rating": rating.id,
                    "overall": None if given.declined else overall,
                    "signature": image_sha256,
                },
            )
            return RatingResult(rating.id, bad, given.declined, number)

    # ---- rectification --------------------------------------------------------------

    def rectifications(
        self, user: SessionUser, closed_days: int | None = CLOSED_SHOWN_DAYS
    ) -> list[RectificationRow]:
        """Every rectification still open, however old, and those closed lately, newest first.

        Closed ones go back ``closed_days`` days (None: all of history): the page is a
        worklist, not ten years of records. The chief and deputies see all; a rated officer
        sees those about them (to appeal).
        """
        with self._sessions.begin() as session:
            actor = self._officer(session, user)
            station = _station(session)
            tz = ZoneInfo(station.timezone)
            query = select(Rectification.id)
            if closed_days is not None:
                local_today = self._clock.now().astimezone(tz).date()
                since = local_today - dt.timedelta(days=closed_days)
                # Two ranges of ix_rectifications_state_closed, not ten years of rows.
                query = query.where(
                    or_(
                        Rectification.state.in_(LIVE_STATES),
                        and_(
                            Rectification.state == "closed",
                            Rectification.closed_at >= dt.datetime.combine(since, dt.time(), tz),
                        ),
                    )
                )
            if not allows(Role(actor.role), Permission.VIEW_ALL_VISITS):
                query = query.where(Rectification.rated_officer_id == actor.id)
            return self._rows(session, station, query)

    def verify(
        self, user: SessionUser, rect_id: int, row_version: int, cause: str
    ) -> RectificationRow:
        """核实: the owner records what caused the 差评."""
        text = clean_text(cause, field="cause", label="原因核实", max_len=text_limits.CASE_TEXT)
        return self._step(user, rect_id, row_version, "open", "verified", {"cause": text})

    def rectify(
        self, user: SessionUser, rect_id: int, row_version: int, action: str, result: str
    ) -> RectificationRow:
        """整改: what was done and what came of it."""
        act = clean_text(action, field="action", label="整改措施", max_len=text_limits.CASE_TEXT)
        res = clean_text(result, field="result", label="整改结果", max_len=text_limits.CASE_TEXT)
        return self._step(
            user, rect_id, row_version, "verified", "rectified", {"action": act, "result": res}
        )

    def record_follow_up(
        self, user: SessionUser, rect_id: int, row_version: int, given: RatingInput
    ) -> RectificationRow:
        """整改回访: the citizen rates again after the rectification (by phone or visit)."""
        with self._writing() as session:
            actor, rect = self._owned(session, user, rect_id, row_version)
            station = _station(session)
            overall, dims, comment = clean_rating(
                RatingInput(given.overall, given.dimensions, given.comment, given.declined),
                station.rating_dimensions.split(","),
            )
            now = self._clock.now()
            rating = add_rating(
                session, station, rect.visit_id, "follow_up", given.declined, overall, dims,
                comment, now, actor.id, rect.rated_officer_id,
            )  # fmt: skip
            rect.follow_up_rating_id = rating.id
            rect.row_version += 1
            audit.record(
                session,
                at=now,
                officer_id=actor.id,
                action="rectification_follow_up",
                entity_type="rectification",
                entity_id=rect.number,
                after={"overall": overall, "declined": given.declined},
            )
            return self._row(session, rect)

    def appeal(self, user: SessionUser, rect_id: int, text: str) -> RectificationRow:
        """申诉: the rated officer says why the rating was unfair, with the evidence."""
        reason = clean_text(
            text, field="appeal_text", label="申诉理由和证据", max_len=text_limits.CASE_TEXT
        )
        with self._writing() as session:
            actor = self._officer(session, user)
            rect = _get(session, rect_id)
            if rect.rated_officer_id != actor.id:
                raise PermissionDenied("只有被评价的民警本人可以申诉。")
            if rect.state == "closed" or rect.appeal_text:
                raise ConflictError("该整改已销号或已申诉过。")
            rect.appeal_text = reason
            rect.row_version += 1
            audit.record(
                session,
                at=self._clock.now(),
                officer_id=actor.id,
                action="rectification_appealed",
                entity_type="rectification",
                entity_id=rect.number,
                after={"appeal": reason},
            )
            return self._row(session, rect)

    def decide_appeal(
        self, user: SessionUser, rect_id: int, upheld: bool, reason: str
    ) -> RectificationRow:
        """The chief (never the appellant) decides; the decision stays on record."""
        why = clean_text(
            reason, field="appeal_reason", label="申诉处理意见", max_len=text_limits.CASE_TEXT
        )
        with self._writing() as session:
            actor = self._officer(session, user)
            rect = _get(session, rect_id)
            if not allows(Role(actor.role), Permission.VIEW_ALL_VISITS):
                raise PermissionDenied("申诉由所长或副所长决定。")
            if actor.id == rect.rated_officer_id:
                raise PermissionDenied("申诉人不能决定自己的申诉。")
            if not rect.appeal_text:
                raise ConflictError("该整改没有申诉。")
            if rect.appeal_decision:
                raise ConflictError("该申诉已有决定。")
            rect.appeal_decision = "upheld" if upheld else "rejected"
            rect.appeal_reason = why
            rect.appeal_decided_by_id = actor.id
            rect.row_version += 1
            audit.record(
                session,
                at=self._clock.now(),
                officer_id=actor.id,
                action="rectification_appeal_decided",
                entity_type="rectification",
                entity_id=rect.number,
                after={"decision": rect.appeal_decision, "reason": why},
            )
            return self._row(session, rect)

    def close(self, user: SessionUser, rect_id: int, row_version: int) -> RectificationRow:
        """销号 by the owner: only with cause, action, result and the follow-up callback."""
        with self._writing() as session:
            actor, rect = self._owned(session, user, rect_id, row_version)
            missing = [
                label
                for label, value in (
                    ("原因核实", rect.cause),
                    ("整改措施", rect.action),
                    ("整改结果", rect.result),
                    ("整改回访", rect.follow_up_rating_id),
                )
                if not value
            ]
            if missing:
                raise ValidationError(f"销号前须完成：{'、'.join(missing)}。", "close")
            if rect.appeal_text and not rect.appeal_decision:
                raise ValidationError("被评价民警的申诉尚未处理，不能销号。", "close")
            now = self._clock.now()
            rect.state, rect.closed_at = "closed", now
            rect.row_version += 1
            audit.record(
                session,
                at=now,
                officer_id=actor.id,
                action="rectification_closed",
                entity_type="rectification",
                entity_id=rect.number,
            )
            return self._row(session, rect)

    # ---- printing -------------------------------------------------------------------

    def on_site_register(
        self, user: SessionUser, start: dt.date, end: dt.date | None = None
    ) -> RegisterDocument:
        """现场回访登记簿: the period's on-site ratings in time order.

        Only the chief and deputies print it, since it lists every officer's ratings.
        """
        end = end or start
        _check_period(start, end)
        with self._sessions.begin() as session:
            self._supervisor_only(session, user, "现场回访登记簿由所长或副所长打印。")
            return self._register(session, start, end)

    def register_print_copy_no(self, user: SessionUser, start: dt.date, end: dt.date) -> int:
        """Which print of the period's register the next one is (2 and later: 补打)."""
        end = end or start
        _check_period(start, end)
        with self._sessions.begin() as session:
            self._supervisor_only(session, user, "现场回访登记簿由所长或副所长打印。")
            number = _register_number(_station(session), start, end)
            return station_copy_no(session, "register", number)

    def record_register_print(
        self,
        user: SessionUser,
        start: dt.date,
        end: dt.date,
        rows: int,
        via: str = "gui",
        copy_no: int | None = None,
    ) -> None:
        """Log a print of the register that came out (``via`` "cli": ``stationdesk print``)."""
        _check_period(start, end)
        with self._writing() as session:
            officer_id = self._supervisor_only(
                session, user, "现场回访登记簿由所长或副所长打印。"
            ).id
            number = _register_number(_station(session), start, end)
            copy = station_print_after(session, "register", number, copy_no, via)
            audit.record(
                session,
                at=self._clock.now(),
                officer_id=officer_id,
                action="register_printed",
                entity_type="rating_register",
                entity_id=number,
                after={"from": start.isoformat(), "to": end.isoformat(), "rows": rows} | copy,
            )

    def rectification_slip(self, user: SessionUser, rect_id: int) -> SlipData:
        """整改督办单 of one rectification, as far as it has got (blank sections to fill in)."""
        with self._sessions.begin() as session:
            actor = self._officer(session, user)
            rect = _get(session, rect_id)
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
            rect = _get(session, rect_id)
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

    def _supervisor_only(self, session: Session, user: SessionUser, message: str) -> Officer:
        actor = self._officer(session, user)
        if not allows(Role(actor.role), Permission.VIEW_ALL_VISITS):
            raise PermissionDenied(message)
        return actor

    def _register(self, session: Session, start: dt.date, end: dt.date) -> RegisterDocument:
        station = _station(session)
        tz = ZoneInfo(station.timezone)
        found = session.execute(
            select(Rating, Visit, ServiceItemVersion.name, Signature.png, Rectification.number)
            .join(Visit, Visit.id == Rating.visit_id)
            .join(ServiceItemVersion, ServiceItemVersion.id == Visit.service_version_id)
            .outerjoin(
                Signature,
                and_(Signature.document_type == "rating", Signature.document_id == Rating.id),
            )
            .outerjoin(Rectification, Rectification.rating_id == Rating.id)
            .where(Rating.kind == "on_site", Rating.local_date >= start, Rating.local_date <= end)
            .order_by(Rating.rated_at, Rating.id)
        ).all()
        names = {i: n for i, n in session.execute(select(Officer.id, Officer.name))}
        levels = [json.loads(r.dimensions_json) for r, *_ in found]
        # The setting's dimensions, then any a rating kept from before the setting changed.
        dims = [d for d in station.rating_dimensions.split(",") if d]
        dims += sorted({d for lv in levels for d in lv} - set(dims))
        one_day = start == end
        rows: list[RegisterRow] = []
        bad_count = declined_count = 0
        for (rating, visit, matter, png, rect_number), dim_levels in zip(
            found, levels, strict=True
        ):
            bad = not rating.declined and is_bad(rating.overall, dim_levels)
            bad_count += bad
            declined_count += rating.declined
            overall = "拒绝评价" if rating.declined else LEVELS.get(rating.overall or 0, "—")
            notes = [rating.comment] if rating.comment else []
            if rect_number:
                notes.append(f"〔差评，已交办整改\n{rect_number}〕")
            if rating.callback_requested:
                notes.append("〔群众要求电话回访〕")
            signature: str | bytes = (
                png if png else ("未签名（拒绝评价）" if rating.declined else "（无签名）")
            )
            rated_at = rating.rated_at.astimezone(tz)
            rows.append(
                RegisterRow(
                    (
                        rated_at.strftime("%H:%M" if one_day else "%m-%d\n%H:%M"),
                        visit.serial,
                        matter,
                        visit.citizen_name,
                        mask_phone(visit.phone) if visit.phone else "—",
                        names.get(rating.rated_officer_id, ""),
                        overall + ("\n（差评）" if bad else ""),
                        *(LEVELS.get(dim_levels.get(d, 0), "—") for d in dims),
                        "\n".join(notes),
                        signature,
                    ),
                    marked=bad,
                )
            )
        columns = (
            RegisterColumn("时间", 11 if one_day else 12, center=True),
            RegisterColumn("登记编号", 27),
            RegisterColumn("事项", 34),
            RegisterColumn("群众", 15),
            RegisterColumn("联系电话", 21, center=True),
            RegisterColumn("办理民警", 15, center=True),
            RegisterColumn("总体评价", 16, center=True),
            *(RegisterColumn(d, 14, center=True) for d in dims),
            RegisterColumn("意见", 42),
            RegisterColumn("群众签名", 32, center=True),
        )
        by_level = [
            f"{label} {sum(1 for r, *_ in found if r.overall == level and not r.declined)} 件"
            for level, label in LEVELS.items()
        ]
        number = _register_number(station, start, end)
        return RegisterDocument(
            title="现场回访登记簿",
            station_name=station.name,
            subtitle=_period_text(start, end),
            printed_at=self._clock.now().astimezone(tz),
            tables=(RegisterTable(columns, tuple(rows), empty_text="本期间没有现场评价。"),),
            summary=(
                f"评价 {len(rows)} 件，其中差评 {bad_count} 件，拒绝评价 {declined_count} 件。",
                f"总体评价：{'，'.join(by_level)}。",
            ),
            review=ReviewBlock("", (("审核人签字", ""), ("审核日期", ""))),
            qr_payload=qr_payload(
                number,
                *(f"{r.id}:{r.overall or ''}:{int(r.declined)}" for r, *_ in found),
            ),
            number=number,
        )

    def _rect_slip(self, session: Session, rect: Rectification) -> SlipData:
        station = _station(session)
        tz = ZoneInfo(station.timezone)
        row = self._row(session, rect)
        visit = session.get(Visit, rect.visit_id)
        rating = session.get(Rating, rect.rating_id)
        assert visit is not None and rating is not None
        version = session.get(ServiceItemVersion, visit.service_version_id)
        officers = {o.id: o for o in session.scalars(select(Officer))}
        rated, owner = officers[rect.rated_officer_id], officers[rect.owner_id]
        follow = session.get(Rating, rect.follow_up_rating_id) if rect.follow_up_rating_id else None
        given = json.loads(rating.dimensions_json)
        # In the order of the setting, then any the setting no longer has.
        order = [d for d in station.rating_dimensions.split(",") if d in given]
        dims = {d: given[d] for d in order + sorted(set(given) - set(order))}

        def local(at: dt.datetime) -> str:
            return at.astimezone(tz).strftime("%Y-%m-%d %H:%M")

        rows: list[tuple[str, str]] = [
            ("交办日期", rect.opened_at.astimezone(tz).date().isoformat()),
            ("办理状态", row.state_label + ("（已逾期）" if row.overdue else "")),
            ("登记编号", visit.serial),
            ("办理事项", version.name if version else ""),
            ("办理日期", visit.local_date.isoformat()),
            (
                "群众",
                visit.citizen_name
                + (f"　联系电话 {mask_phone(visit.phone)}" if visit.phone else ""),
            ),
            (f"被评价{slip_officers.kind_of(rated)}", slip_officers.person(rated)),
            ("评价方式", f"{KIND_LABELS.get(rating.kind, rating.kind)}　{local(rating.rated_at)}"),
            ("总体评价", _level_text(rating.overall)),
            (
                "分项评价",
                "；".join(f"{name}：{_level_text(level)}" for name, level in dims.items()) or "—",
            ),
            ("群众意见", rating.comment or "（无）"),
            ("督办人", f"{owner.name}（{Role(owner.role).label}，{owner.badge_no}）"),
            ("核实期限", rect.verify_due.isoformat()),
            ("整改期限", rect.rectify_due.isoformat()),
            ("原因核实", rect.cause or _BLANK),
            ("整改措施", rect.action or _BLANK),
            ("整改结果", rect.result or _BLANK),
            (
                "整改回访",
                f"{row.follow_up}（{KIND_LABELS['follow_up']} {local(follow.rated_at)}）"
                if follow
                else _BLANK_LINE,
            ),
        ]
        if rect.appeal_text:
            rows.append(("申诉", rect.appeal_text))
            decided = ""
            if rect.appeal_decision:
                decider = officers.get(rect.appeal_decided_by_id or 0)
                verdict = "申诉成立" if rect.appeal_decision == "upheld" else "申诉不成立"
                decided = f"{verdict}。{rect.appeal_reason}" + (
                    f"（{decider.name}）" if decider else ""
                )
            rows.append(("申诉处理意见", decided or _BLANK))
        rows.append(
            (
                "销号日期",
                rect.closed_at.astimezone(tz).date().isoformat() if rect.closed_at else _BLANK_LINE,
            )
        )
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

    # ---- internals ------------------------------------------------------------------

    def _step(
        self,
        user: SessionUser,
        rect_id: int,
        row_version: int,
        source: str,
        target: str,
        values: dict[str, str],
    ) -> RectificationRow:
        with self._writing() as session:
            actor, rect = self._owned(session, user, rect_id, row_version)
            if rect.state != source:
                raise ConflictError("整改的步骤顺序不对：请先核实原因，再记录整改。")
            for key, value in values.items():
                setattr(rect, key, value)
            rect.state = target
            if target == "verified":
                rect.verified_at = self._clock.now()
            rect.row_version += 1
            audit.record(
                session,
                at=self._clock.now(),
                officer_id=actor.id,
                action=f"rectification_{target}",
                entity_type="rectification",
                entity_id=rect.number,
                after=values,
            )
            return self._row(session, rect)

    def _owned(
        self, session: Session, user: SessionUser, rect_id: int, row_version: int
    ) -> tuple[Officer, Rectification]:
        actor = self._officer(session, user)
        rect = _get(session, rect_id)
        if actor.id == rect.rated_officer_id:
            raise PermissionDenied("被评价的民警不能办理针对自己的整改，只能申诉。")
        if rect.owner_id != actor.id:
            raise PermissionDenied("只有督办人可以办理这条整改。")
        if rect.state == "closed":
            raise ConflictError("该整改已销号。")
        if rect.row_version != row_version:
            raise ConflictError("该整改刚被修改过，请刷新后再试。")
        return actor, rect

    def _row(self, session: Session, rect: Rectification) -> RectificationRow:
        rows = self._rows(
            session, _station(session), select(Rectification.id).where(Rectification.id == rect.id)
        )
        return rows[0]

    def _rows(self, session: Session, station: Station, ids: Select[Any]) -> list[RectificationRow]:
        """The rows of the rectifications ``ids`` selects: one query, whatever their number.

        The columns come in the order ``_rect_row`` unpacks them.
        """
        today = self._clock.now().astimezone(ZoneInfo(station.timezone)).date()
        found = session.execute(
            select(
                Rectification.id,
                Rectification.number,
                Rectification.state,
                Rectification.rated_officer_id,
                Rectification.owner_id,
                Rectification.verify_due,
                Rectification.rectify_due,
                Rectification.cause,
                Rectification.action,
                Rectification.result,
                Rectification.appeal_text,
                Rectification.appeal_decision,
                Rectification.appeal_reason,
                Rectification.row_version,
                Visit.serial,
                Visit.citizen_name,
                Rating.overall,
                Rating.comment,
                Rating.dimensions_json,
                FollowUp.declined.label("follow_declined"),
                FollowUp.overall.label("follow_overall"),
            )
            .join(Visit, Visit.id == Rectification.visit_id)
            .join(Rating, Rating.id == Rectification.rating_id)
            .outerjoin(FollowUp, FollowUp.id == Rectification.follow_up_rating_id)
            .where(Rectification.id.in_(ids.scalar_subquery()))
            .order_by(Rectification.opened_at.desc(), Rectification.id.desc())
        ).all()
        if not found:
            return []
        names = {i: n for i, n in session.execute(select(Officer.id, Officer.name))}
        return [_rect_row(r, names, today) for r in found]


def _rect_row(r: Any, names: dict[int, str], today: dt.date) -> RectificationRow:
    """A list row from one row of ``RatingService._rows``' query (unpacked once: lists are long)."""
    (
        rect_id, number, state, rated_officer_id, owner_id, verify_due, rectify_due, cause,
        action, result, appeal_text, appeal_decision, appeal_reason, row_version,
        serial, citizen_name, overall, comment, dimensions_json, follow_declined, follow_overall,
    ) = r  # fmt: skip
    follow_up = ""
    if follow_declined is not None:
        follow_up = "拒绝评价" if follow_declined else LEVELS.get(follow_overall or 0, "")
    late_verify = state == "open" and today > verify_due
    dims = json.loads(dimensions_json)
    return RectificationRow(
        id=rect_id,
        number=number,
        state=state,
        visit_serial=serial,
        citizen_name=citizen_name,
        rated_officer=names.get(rated_officer_id, ""),
        owner=names.get(owner_id, ""),
        rated_officer_id=rated_officer_id,
        owner_id=owner_id,
        rating_text=LEVELS.get(overall or 0, "—"),
        comment=comment,
        verify_due=verify_due,
        rectify_due=rectify_due,
        overdue=state != "closed" and (late_verify or today > rectify_due),
        cause=cause,
        action=action,
        result=result,
        follow_up=follow_up,
        appeal_text=appeal_text,
        appeal_decision=appeal_decision,
        appeal_reason=appeal_reason,
        row_version=row_version,
        dimensions=tuple([(k, LEVELS[v]) for k, v in dims.items()]),
    )


def clean_rating(given: RatingInput, names: list[str]) -> tuple[int | None, dict[str, int], str]:
    """The overall level, one level per dimension and the comment; or a ValidationError."""
    comment = clean_text(
        given.comment, field="comment", label="意见建议", max_len=text_limits.NOTE, required=False
    )
    if given.declined:
        return None, {}, comment
    if given.overall is None:
        raise ValidationError("请群众选择总体评价（五个等级之一），或选择“不评价”。", "overall")
    chosen = dict(given.dimensions)
    dims: dict[str, int] = {}
    for name in names:
        level = chosen.get(name)
        if level is None:
            raise ValidationError(f"请群众对“{name}”作出评价。", f"dimension.{name}")
        dims[name] = level
    for level in [given.overall, *dims.values()]:
        if level not in LEVELS:
            raise ValidationError("评价等级只能是五个等级之一。", "overall")
    return given.overall, dims, comment


def open_rectification(
    session: Session, station: Station, visit: Visit, rating: Rating, now: dt.datetime
) -> str:
    """Open the 整改督办 a 差评 calls for; returns its number."""
    owner = _supervisor(session, exclude=rating.rated_officer_id)
    tz = ZoneInfo(station.timezone)
    today = now.astimezone(tz).date()
    calendar = load_calendar(session)
    year = today.year
    seq = next_number(session, "rectification", year)
    rect = Rectification(
        number=f"{station.code}-ZG-{year}-{seq:05d}",
        year=year,
        seq=seq,
        visit_id=visit.id,
        rating_id=rating.id,
        rated_officer_id=rating.rated_officer_id,
        owner_id=owner.id,
        state="open",
        opened_at=now,
        verify_due=calendar.add_working_days(today, station.verify_days).due,
        rectify_due=calendar.add_working_days(today, station.rectify_days).due,
        row_version=1,
    )
    session.add(rect)
    session.flush()
    audit.record(
        session,
        at=now,
        officer_id=None,
        action="rectification_opened",
        entity_type="rectification",
        entity_id=rect.number,
        after={"visit": visit.serial, "owner": owner.id, "rated": rating.rated_officer_id},
    )
    return rect.number


def add_rating(
    session: Session,
    station: Station,
    visit_id: int,
    kind: str,
    declined: bool,
    overall: int | None,
    dims: dict[str, int],
    comment: str,
    now: dt.datetime,
    recorded_by: int,
    rated_officer: int,
) -> Rating:
    """Insert one rating (on site, by phone, at home or after a rectification)."""
    rating = Rating(
        visit_id=visit_id,
        kind=kind,
        declined=declined,
        overall=overall,
        dimensions_json=json.dumps(dims, ensure_ascii=False, sort_keys=True),
        comment=comment,
        rated_at=now,
        local_date=now.astimezone(ZoneInfo(station.timezone)).date(),
        recorded_by_id=recorded_by,
        rated_officer_id=rated_officer,
    )
    session.add(rating)
    session.flush()
    return rating


def _sign(session: Session, rating: Rating, given: RatingInput, now: dt.datetime) -> str:
    """Store the citizen's signature on the rating; the hash of its strokes and image."""
    if not any(len(s) >= 2 for s in given.strokes) or not given.png.startswith(PNG_MAGIC):
        raise ValidationError("请群众在签字板上签名确认评价。", "signature")
    signer = clean_text(
        given.signer_name, field="signer", label="签名人", max_len=text_limits.SIGNER
    )
    return store_signature(
        session,
        document_type="rating",
        document_id=rating.id,
        signer_name=signer,
        signed_at=now,
        content_sha256=rating_content_sha256(
            rating.visit_id, rating.overall, rating.dimensions_json, rating.comment
        ),
        strokes=given.strokes,
        png=given.png,
    )


def rating_content_sha256(visit_id: int, overall: int | None, dims: str, comment: str) -> str:
    """What a citizen's signature on a rating signs (checked again by ``stationdesk check``)."""
    return content_digest([visit_id, overall, dims, comment])


def _supervisor(session: Session, exclude: int) -> Officer:
    """The chief, or else a deputy, who is not the rated officer."""
    for role in ("chief", "deputy"):
        officer = session.scalars(
            select(Officer)
            .where(Officer.role == role, Officer.active.is_(True), Officer.id != exclude)
            .order_by(Officer.id)
        ).first()
        if officer is not None:
            return officer
    raise ConflictError("本所没有其他在用的所长或副所长可以督办这条差评，请先在人员管理中设置。")


def _station(session: Session) -> Station:
    station = session.get(Station, 1)
    if station is None:
        raise NotFound("本数据库尚未初始化。")
    return station


def _get(session: Session, rect_id: int) -> Rectification:
    rect = session.get(Rectification, rect_id)
    if rect is None:
        raise NotFound("找不到该整改记录。")
    return rect


def _check_period(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise ValidationError("结束日期不能早于开始日期。", "end")
    if (end - start).days + 1 > REGISTER_MAX_DAYS:
        raise ValidationError(f"一次最多打印 {REGISTER_MAX_DAYS} 天的登记簿，请缩短期间。", "end")


def _period_text(start: dt.date, end: dt.date) -> str:
    def day(d: dt.date) -> str:
        return f"{d.year}年{d.month}月{d.day}日"

    return day(start) if start == end else f"{day(start)}至{day(end)}"


def _register_number(station: Station, start: dt.date, end: dt.date) -> str:
    """The register's printed reference: station code, HF (回访), the period."""
    span = f"{start:%Y%m%d}" if start == end else f"{start:%Y%m%d}-{end:%Y%m%d}"
    return f"{station.code}-HF-{span}"


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
