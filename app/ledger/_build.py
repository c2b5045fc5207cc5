"""Building a day's ledger from the records: its sections (``app.ledger._sections``), the
summary block, and the records made after a review, carried into the next day's ledger."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.ledger._sections import (
    Day,
    DayRecords,
    Tally,
    addenda_section,
    bounds,
    callback_section,
    complaint_section,
    handover_section,
    notice_section,
    pledge_section,
    rating_section,
    read_records,
    rectification_section,
    serial_lookup,
    steps_section,
    visit_section,
)
from app.ledger.dto import LedgerSection
from db.models import DayReview, Officer, Station, Visit
from db.queries import finished_between, open_at


def build_day(
    session: Session,
    station: Station,
    actor: Officer | None,
    day: dt.date,
    since: dt.datetime | None = None,
) -> tuple[tuple[LedgerSection, ...], tuple[tuple[str, str], ...]]:
    """The day's sections and summary; with ``since``, only what was recorded after it.

    ``since`` is the time of the day's review: the records made later that day, section by
    section (plus the status changes), with no summary — what the review did not sign.
    """
    d = _day(session, station, day, since)
    # Every other section's records first, then the serial numbers they name in one query.
    records = read_records(d)
    serial = serial_lookup(d, records)
    tally = Tally()
    sections: tuple[LedgerSection, ...] = (
        visit_section(d, records, tally),
        handover_section(d, records.handovers, serial),
        notice_section(d, records, serial),
        pledge_section(d, records.pledges, serial),
        rating_section(d, records.ratings, serial, tally),
        callback_section(d, records, serial, tally),
        rectification_section(d, records.rectifications, serial, tally),
        complaint_section(d, actor, tally),
        addenda_section(d),
    )
    if d.after_review:
        steps = steps_section(d)
        shown = tuple(x for x in sections if x.rows and x.key != "addenda")
        return (*shown, steps) if steps.rows else shown, ()
    summary = _summary(d, records, tally, len(sections[-1].rows))
    carried_after = _carried_after_review(session, station, actor, day)
    if carried_after:
        summary = (
            *summary,
            (
                "上日审核后记录",
                f"{sum(len(c.rows) for c in carried_after)} 条（前一审核日审核以后登记，"
                "本次审核一并签字）",
            ),
        )
    return (*sections, *carried_after), summary


def _day(session: Session, station: Station, day: dt.date, since: dt.datetime | None) -> Day:
    """The day's span (from just after ``since`` when given) and the officers' names."""
    tz = ZoneInfo(station.timezone)
    lo, hi = bounds(day, tz)
    if since is not None:
        lo = max(lo, since + dt.timedelta(microseconds=1))
    names = {i: n for i, n in session.execute(select(Officer.id, Officer.name))}
    return Day(session, day, tz, lo, hi, since is not None, names)


def _summary(
    d: Day, records: DayRecords, tally: Tally, addenda: int
) -> tuple[tuple[str, str], ...]:
    """The summary block: the day's figures, with the matters finished that day (for the
    on-time rate) and the open matters carried over from before it."""
    visits, ratings, rated = records.visits, records.ratings, tally.rated
    finished = _finished_on(d.session, d.lo, d.hi)
    on_time = sum(1 for due, done in finished if due is None or _local(done, d.tz) <= due)
    carried, carried_overdue = _carried_over(d)
    return (
        (
            "登记",
            f"{len(visits)} 件（其中作废 {sum(v.status == 'voided' for v in visits)} 件）",
        ),
        (
            "当日办结",
            f"{len(finished)} 件，按期 {on_time} 件，按期率 {_pct(on_time, len(finished))}",
        ),
        ("上日结转在办", f"{carried} 件（其中已过办结期限 {carried_overdue} 件）"),
        ("当日登记逾期", f"{tally.overdue_visits} 件"),
        (
            "现场评价",
            f"{len(ratings)} 次，满意率 {_pct(tally.satisfied, rated)}（非常满意+满意+基本满意），"
            f"严格满意率 {_pct(tally.strict, rated)}（非常满意+满意），"
            f"差评 {tally.bad_ratings} 件",
        ),
        ("一次性告知", f"出具 {len(records.notices)} 份，超出告知范围 {len(records.breaches)} 次"),
        ("回访", f"{len(records.attempts)} 次，接通 {tally.reached} 次"),
        (
            "整改督办",
            f"新开及逾期 {len(records.rectifications)} 件"
            f"（逾期 {tally.overdue_rectifications} 件）",
        ),
        (
            "投诉表扬",
            f"新收投诉 {tally.complaints_new} 件、表扬 {tally.praise_new} 件；"
            f"逾期未结投诉 {tally.complaints_overdue} 件",
        ),
        ("更正记录", f"{addenda} 条"),
    )


def _carried_over(d: Day) -> tuple[int, int]:
    """Open when the day began (registered before it, not finished or voided before it), and
    how many of those were already past their due date."""
    day = d.day
    carried_at = open_at(day, d.lo)
    carried, carried_overdue = d.session.execute(
        select(
            func.count(),
            func.coalesce(
                func.sum(
                    case(
                        (
                            carried_at.c.due_date.is_not(None) & (carried_at.c.due_date < day),
                            1,
                        ),
                        else_=0,
                    )
                ),
                0,
            ),
        ).select_from(carried_at)
    ).one()
    return carried, carried_overdue


def _pct(part: int, whole: int) -> str:
    return f"{part * 100 / whole:.1f}%" if whole else "—"


def _finished_on(
    session: Session, lo: dt.datetime, hi: dt.datetime
) -> list[tuple[dt.date | None, dt.datetime]]:
    """Due date and time of the visits finished in [lo, hi) (``db.queries.finished_between``)."""
    return [
        (due, at)
        for _visit_id, at, due in session.execute(finished_between(lo, hi, Visit.due_date))
    ]


def _local(at: dt.datetime | None, tz: ZoneInfo) -> dt.date:
    return at.astimezone(tz).date() if at is not None else dt.date.max


# ---- records after a review ----------------------------------------------------------------


def after_review_sections(
    session: Session, station: Station, actor: Officer | None, review: DayReview
) -> tuple[LedgerSection, ...]:
    """What was recorded on a reviewed day after its review, section by section."""
    sections, _summary = build_day(session, station, actor, review.day, since=review.reviewed_at)
    return sections


def _carried_after_review(
    session: Session, station: Station, actor: Officer | None, day: dt.date
) -> tuple[LedgerSection, ...]:
    """The latest reviewed day before ``day``: what came after its review, to sign now."""
    review = session.scalars(
        select(DayReview).where(DayReview.day < day).order_by(DayReview.day.desc()).limit(1)
    ).first()
    if review is None:
        return ()
    return tuple(
        LedgerSection(
            f"prior_{x.key}",
            f"{review.day.isoformat()} 审核后·{x.title}",
            x.columns,
            x.rows,
            x.widths,
        )
        for x in after_review_sections(session, station, actor, review)
    )
