"""每日台账 as an Excel workbook: a summary sheet, then one sheet per section."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from app.exports.xlsx import Sheet, SheetColumn
from app.ledger.dto import Ledger

CORRECTION_HEADERS = ("编号", "登记日", "事项编号", "更正项", "原内容", "更正为", "原因", "登记人")


def ledger_sheets(ledger: Ledger, timezone: str) -> list[Sheet]:
    """The workbook's sheets; IDs and phones are already masked by the ledger service."""
    day = ledger.day
    title = f"{ledger.station_name} 窗口服务每日台账 {day.isoformat()}"
    review = ledger.review
    state = "未审核"
    if review is not None:
        at = review.reviewed_at.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")
        state = f"已审核锁定：{review.reviewer}（{review.reviewer_role}），{at}"
    rows = [(label, value) for label, value in ledger.summary]
    rows.append(("审核", state))
    if review is not None:
        rows.append(("审核意见", review.comment or "（无）"))
        rows.append(("内容校验", review.content_sha256[:16].upper()))
        rows.append(("审计链锚点", review.anchor))
    if ledger.officer_filter:
        rows.append(("范围", f"仅列 {ledger.officer_filter} 相关记录"))
    sheets = [
        Sheet(
            "概况",
            (SheetColumn("项目", width=14), SheetColumn("内容", width=90, wrap=True)),
            tuple(rows),
            heading=(title,),
        )
    ]
    for section in ledger.sections:
        sheets.append(
            Sheet(
                section.title[:31],
                tuple(SheetColumn(c) for c in section.columns),
                tuple(tuple(r.cells) for r in section.rows),
                heading=(f"{title}　{section.title}（{len(section.rows)}）",),
                frozen_columns=1,
            )
        )
    if ledger.locked:
        sheets.append(
            Sheet(
                "审核后更正",
                tuple(SheetColumn(c) for c in CORRECTION_HEADERS),
                tuple(tuple(r.cells) for r in ledger.corrections),
                heading=(f"{title}　审核后登记的更正记录（{len(ledger.corrections)}）",),
            )
        )
        for section in ledger.after_review:
            sheets.append(
                Sheet(
                    section.title[:31],
                    tuple(SheetColumn(c) for c in section.columns),
                    tuple(tuple(r.cells) for r in section.rows),
                    heading=(
                        f"{title}　{section.title}（{len(section.rows)}，未经本次审核，"
                        "列入次日台账）",
                    ),
                    frozen_columns=1,
                )
            )
    return sheets
