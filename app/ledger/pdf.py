"""每日台账 on paper: A4 landscape, summary, every section, the review block, a QR code."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from app.ledger.dto import Ledger, LedgerSection
from app.printing.register_pdf import (
    RegisterColumn,
    RegisterDocument,
    RegisterRow,
    RegisterTable,
    RegisterText,
    ReviewBlock,
)
from app.printing.slip_data import qr_payload

WEEKDAYS = "一二三四五六日"
CORRECTION_COLUMNS = ("编号", "登记日", "事项编号", "更正项", "原内容", "更正为", "原因", "登记人")
UNREVIEWED = "未审核"
# Overall levels that count towards 满意率 (含基本满意).
SATISFIED_LEVELS = ("非常满意", "满意", "基本满意")
RATING_TERMS = (
    "口径：满意率只按总体评价计（不含拒绝评价）；差评指当日现场评价中总体或任一分项为"
    "“不满意”“非常不满意”的，总体满意而分项不满意的评价既计入满意率也计为差评；"
    "电话回访中的评价不计入本页差评（见“回访”一节）。"
)


def ledger_number(day: dt.date) -> str:
    """The number a day's ledger carries (and its QR code encodes)."""
    return f"TZ-{day:%Y%m%d}"


def rating_notes(ledger: Ledger) -> tuple[str, ...]:
    """The 口径 under the summary: why 满意率 100% and 差评 1 件 can stand side by side."""
    if not ledger.summary:
        return ()
    try:
        rows = ledger.section("ratings").rows
    except StopIteration:
        return (RATING_TERMS,)
    # A 差评 whose overall level is satisfied: only a dimension was rated 不满意 or below.
    by_dimension = sum(1 for r in rows if r.marked and r.cells[3] in SATISFIED_LEVELS)
    if not by_dimension:
        return (RATING_TERMS,)
    bad = sum(1 for r in rows if r.marked)
    return (
        RATING_TERMS
        + f"本日差评 {bad} 件中，{by_dimension} 件总体评价为基本满意及以上、仅分项不满意"
        "（见“现场评价”一节“差评项”列）。",
    )


def ledger_document(
    ledger: Ledger, timezone: str, printed_at: dt.datetime, copy_no: int = 1
) -> RegisterDocument:
    """The ledger as a printable document; a reviewed day prints the signed copy.

    ``copy_no``: which print of the day's ledger this is (2 and later say 补打 on every page).
    """
    tz = ZoneInfo(timezone)
    day = ledger.day
    summary = RegisterText(tuple(f"{label}：{value}" for label, value in ledger.summary), "概况")
    notes = rating_notes(ledger)
    number = ledger_number(day)
    return RegisterDocument(
        title="窗口服务每日台账",
        station_name=ledger.station_name,
        subtitle=_subtitle(ledger),
        printed_at=printed_at.astimezone(tz),
        tables=_tables(ledger),
        review=_review_block(ledger, tz),
        qr_payload=qr_payload(number, day.isoformat(), ledger.content_sha256),
        number=number,
        landscape=True,
        blocks=(summary, RegisterText(notes, small=True)) if notes else (summary,),
        summary=_closing(ledger),
        copy_no=copy_no,
        page_mark="" if ledger.locked else UNREVIEWED,
    )


def _subtitle(ledger: Ledger) -> str:
    """The day with its weekday, and whose records only, if filtered."""
    day = ledger.day
    subtitle = f"{day.year}年{day.month}月{day.day}日（星期{WEEKDAYS[day.weekday()]}）"
    if ledger.officer_filter:
        subtitle += f"　仅列：{ledger.officer_filter}"
    return subtitle


def _tables(ledger: Ledger) -> tuple[RegisterTable, ...]:
    """Every section; a reviewed day then its later corrections and what came after it."""
    tables = [
        RegisterTable(
            _columns(section, center_short=True),
            tuple(RegisterRow(row.cells, row.marked) for row in section.rows),
            heading=f"{section.title}（{len(section.rows)}）",
        )
        for section in ledger.sections
    ]
    if ledger.locked:
        tables.append(
            RegisterTable(
                tuple(
                    RegisterColumn(t, w)
                    for t, w in zip(
                        CORRECTION_COLUMNS, (2.4, 1.5, 2.4, 1.2, 2, 2, 3, 1.2), strict=True
                    )
                ),
                tuple(RegisterRow(r.cells, True) for r in ledger.corrections),
                heading=f"审核后登记的更正记录（{len(ledger.corrections)}）",
                empty_text="（审核后没有更正）",
            )
        )
        # Recorded after the review: listed, not signed; the next day's review signs them.
        tables.extend(
            RegisterTable(
                _columns(section, center_short=False),
                tuple(RegisterRow(row.cells, row.marked) for row in section.rows),
                heading=f"{section.title}（{len(section.rows)}，未经本次审核，列入次日台账）",
            )
            for section in ledger.after_review
        )
    return tuple(tables)


def _columns(section: LedgerSection, *, center_short: bool) -> tuple[RegisterColumn, ...]:
    """A section's columns at their widths (equal when it has none); with ``center_short``,
    a title of two characters or less centred."""
    return tuple(
        RegisterColumn(title, width, center=center_short and len(title) <= 2)
        for title, width in zip(
            section.columns,
            section.widths or (1.0,) * len(section.columns),
            strict=True,
        )
    )


def _review_block(ledger: Ledger, tz: ZoneInfo) -> ReviewBlock:
    """The chief's review: who, when, the comment, the hashes and the signature; empty
    lines to sign on paper when the day is not reviewed."""
    review = ledger.review
    if review is None:
        return ReviewBlock(
            "所长审核（尚未审核）",
            (("审核人", ""), ("审核时间", ""), ("审核意见", "")),
            "签名",
            None,
        )
    return ReviewBlock(
        "所长审核",
        (
            ("审核人", f"{review.reviewer}（{review.reviewer_role}）"),
            ("审核时间", review.reviewed_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")),
            ("审核意见", review.comment or "（无）"),
            ("内容校验", review.content_sha256[:16].upper()),
            ("审计链锚点", review.anchor),
        ),
        "签名",
        review.signature_png or None,
    )


def _closing(ledger: Ledger) -> tuple[str, ...]:
    """The line under the tables: how many rows, section by section."""
    counts = "、".join(f"{sec.title} {len(sec.rows)} 行" for sec in ledger.sections)
    return (f"本台账共列 {ledger.row_count} 行：{counts}。",)
