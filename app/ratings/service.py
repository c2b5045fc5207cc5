"""好差评: the citizen's own rating at the counter and the 现场回访登记簿.

A 差评 opens a rectification (``open_rectification``, here: the counter's rating and the
callbacks call it as they save one); app/rectifications works it to 销号 and builds on this
module (the 整改回访 is a rating), never the other way round.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import Row, and_, select
from sqlalchemy.orm import Session

from app.core import audit, text_limits
from app.core.dto import SessionUser
from app.core.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from app.core.identity import mask_phone
from app.core.print_log import station_copy_no, station_print_after
from app.core.roles import Permission, Role, allows
from app.core.service_base import ServiceBase, load_station
from app.core.signatures import content_digest, store_signature
from app.core.validation import clean_text
from app.holidays.service import load_calendar
from app.printing.register_pdf import (
    RegisterColumn,
    RegisterDocument,
    RegisterRow,
    RegisterTable,
    ReviewBlock,
)
from app.printing.slip_data import qr_payload
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
    """On-site ratings (一次一评), the rectification a 差评 opens, the 现场回访登记簿."""

    def dimensions(self) -> tuple[str, ...]:
        """The station's rating dimensions (settings)."""
        with self._sessions.begin() as session:
            return tuple(load_station(session).rating_dimensions.split(","))

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
            station = load_station(session)
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
            number = _register_number(load_station(session), start, end)
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
            number = _register_number(load_station(session), start, end)
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

    def _supervisor_only(self, session: Session, user: SessionUser, message: str) -> Officer:
        actor = self._officer(session, user)
        if not allows(Role(actor.role), Permission.VIEW_ALL_VISITS):
            raise PermissionDenied(message)
        return actor

    def _register(self, session: Session, start: dt.date, end: dt.date) -> RegisterDocument:
        """The register of the period's on-site ratings: a row each, then the counts."""
        station = load_station(session)
        tz = ZoneInfo(station.timezone)
        found = _register_ratings(session, start, end)
        names = {i: n for i, n in session.execute(select(Officer.id, Officer.name))}
        levels = [json.loads(r.dimensions_json) for r, *_ in found]
        dims = _register_dimensions(station, levels)
        one_day = start == end
        rows = [
            _register_row(entry, dim_levels, dims, names, tz, one_day)
            for entry, dim_levels in zip(found, levels, strict=True)
        ]
        number = _register_number(station, start, end)
        return RegisterDocument(
            title="现场回访登记簿",
            station_name=station.name,
            subtitle=_period_text(start, end),
            printed_at=self._clock.now().astimezone(tz),
            tables=(
                RegisterTable(
                    _register_columns(dims, one_day), tuple(rows), empty_text="本期间没有现场评价。"
                ),
            ),
            summary=_register_summary(found, rows),
            review=ReviewBlock("", (("审核人签字", ""), ("审核日期", ""))),
            qr_payload=qr_payload(
                number,
                *(f"{r.id}:{r.overall or ''}:{int(r.declined)}" for r, *_ in found),
            ),
            number=number,
        )


# ---- the 现场回访登记簿, step by step -------------------------------------------------------


def _register_ratings(
    session: Session, start: dt.date, end: dt.date
) -> Sequence[Row[Rating, Visit, str, bytes, str]]:
    """The period's on-site ratings in time order, each with its visit, matter, signature
    image and the number of the rectification it opened (None: none)."""
    return session.execute(
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


def _register_dimensions(station: Station, levels: list[dict[str, int]]) -> list[str]:
    """The dimensions the register has a column for."""
    # The setting's dimensions, then any a rating kept from before the setting changed.
    dims = [d for d in station.rating_dimensions.split(",") if d]
    dims += sorted({d for lv in levels for d in lv} - set(dims))
    return dims


def _register_row(
    entry: Row[Rating, Visit, str, bytes, str],
    dim_levels: dict[str, int],
    dims: list[str],
    names: dict[int, str],
    tz: ZoneInfo,
    one_day: bool,
) -> RegisterRow:
    """One rating's line: a 差评 is marked, and its notes say the rectification it opened."""
    rating, visit, matter, png, rect_number = entry
    bad = not rating.declined and is_bad(rating.overall, dim_levels)
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
    return RegisterRow(
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


def _register_columns(dims: list[str], one_day: bool) -> tuple[RegisterColumn, ...]:
    return (
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


def _register_summary(
    found: Sequence[Row[Rating, Visit, str, bytes, str]], rows: list[RegisterRow]
) -> tuple[str, str]:
    """The counts under the table: ratings, 差评 (the marked rows), refusals, and each level."""
    bad_count = sum(1 for row in rows if row.marked)
    declined_count = sum(1 for r, *_ in found if r.declined)
    by_level = [
        f"{label} {sum(1 for r, *_ in found if r.overall == level and not r.declined)} 件"
        for level, label in LEVELS.items()
    ]
    return (
        f"评价 {len(rows)} 件，其中差评 {bad_count} 件，拒绝评价 {declined_count} 件。",
        f"总体评价：{'，'.join(by_level)}。",
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
