"""The statistics workbook: 按民警, 按事项, 趋势, 红黑榜 and 指标说明 as sheets."""

from __future__ import annotations

import re
from collections.abc import Callable

from app.exports.xlsx import Sheet, SheetColumn, Value
from app.statistics.report_dto import Overview
from app.statistics.service import (
    COLUMNS,
    DEFINITIONS,
    FINDINGS,
    OUTCOMES,
    RANKING_FORMULA,
    RankRow,
    StatRow,
    TrendPoint,
)

SHEET_NAMES = ("按民警", "按事项", "趋势", "红黑榜", "指标说明")
_FMT = {"count": "count", "rate": "rate", "minutes": "decimal"}
# Topics that no column of COLUMNS names.
TOPIC_NAMES = {"rates": "比率与日期"}


def _finding(name: str) -> Callable[[StatRow], Value]:
    return lambda r: dict(r.complaints_by_finding).get(name, 0)


def _outcome(name: str) -> Callable[[StatRow], Value]:
    return lambda r: dict(r.complaints_by_outcome).get(name, 0)


# Figures of StatRow beyond COLUMNS: refusals to rate and complaints by finding and outcome.
EXTRA: tuple[tuple[str, Callable[[StatRow], Value]], ...] = (
    ("拒绝评价", lambda r: r.declined),
    *((f"投诉核实：{f}", _finding(f)) for f in FINDINGS),
    *((f"投诉处理：{o}", _outcome(o)) for o in OUTCOMES),
)

TREND_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("visits", "登记量", "count"),
    ("finished", "办结量", "count"),
    ("on_time_rate", "按时办结率", "rate"),
    ("satisfaction_rate", "满意率（含基本满意）", "rate"),
    ("strict_rate", "满意率（不含基本满意）", "rate"),
    ("one_visit_rate", "一次办结率", "rate"),
    ("call_rate", "回访率", "rate"),
    ("reach_rate", "接通率", "rate"),
    ("bad", "差评", "count"),
    ("complaints", "投诉", "count"),
)


def topic_names() -> dict[str, str]:
    """Each DEFINITIONS key named by the columns it explains: 按时办结、超期办结、按时办结率."""
    names: dict[str, list[str]] = {}
    for column in COLUMNS:
        names.setdefault(column.topic, []).append(column.header)
    return {key: "、".join(names.get(key, [])) or TOPIC_NAMES.get(key, key) for key in DEFINITIONS}


def sentences(text: str) -> list[str]:
    """``text`` cut after each 。 (a long rule reads better one sentence a line)."""
    return [s for s in re.split(r"(?<=。)", text) if s.strip()]


def statistics_workbook(overview: Overview) -> list[Sheet]:
    """Every sheet of the statistics export, in the order of ``SHEET_NAMES``."""
    stats = overview.stats
    period = f"统计期间：{stats.start.isoformat()} 至 {stats.end.isoformat()}"
    made = f"生成时间：{overview.generated}"

    def heading(what: str) -> tuple[str, ...]:
        return (f"{overview.station_name}　{what}", f"{stats.label}　{period}　{made}")

    figures = tuple(SheetColumn(c.header, _FMT[c.fmt]) for c in COLUMNS) + tuple(
        SheetColumn(header, "count") for header, _get in EXTRA
    )

    def values(row: StatRow) -> tuple[Value, ...]:
        return tuple(getattr(row, c.attr) for c in COLUMNS) + tuple(get(row) for _h, get in EXTRA)

    officers = Sheet(
        title="按民警",
        columns=(SheetColumn("姓名"), SheetColumn("警号"), SheetColumn("身份"), *figures),
        rows=(
            *((r.label, r.code, r.note, *values(r)) for r in stats.by_officer),
            ("合计", "", "", *values(stats.total)),
        ),
        heading=heading("窗口服务统计（按民警）"),
        notes=(
            "合计为全所数，含未指明民警的投诉，因此可能大于各民警之和。",
            "比率的分母为 0 时显示“—”。各项口径见“指标说明”。",
        ),
        frozen_columns=1,
        bold_last_row=True,
    )
    matters = Sheet(
        title="按事项",
        columns=(SheetColumn("事项编号"), SheetColumn("事项"), SheetColumn("类别"), *figures),
        rows=(
            *((r.code, r.label, r.note, *values(r)) for r in stats.by_matter),
            ("合计", "", "", *values(stats.total)),
        ),
        heading=heading("窗口服务统计（按事项）"),
        notes=("只列出统计期间内有记录的事项。各项口径见“指标说明”。",),
        frozen_columns=2,
        bold_last_row=True,
    )
    return [
        officers,
        matters,
        trend_sheet(overview.trend, overview.station_name, made),
        ranking_sheet(overview.ranking, overview.ranking_label, overview.station_name, made),
        definitions_sheet(),
    ]


def trend_sheet(trend: tuple[TrendPoint, ...], station_name: str, made: str) -> Sheet:
    """The station's figures month by month."""
    span = f"{trend[0].label}至{trend[-1].label}" if trend else ""
    return Sheet(
        title="趋势",
        columns=(
            SheetColumn("月份"),
            *(SheetColumn(header, fmt) for _a, header, fmt in TREND_COLUMNS),
        ),
        rows=tuple((p.label, *(getattr(p, attr) for attr, _h, _f in TREND_COLUMNS)) for p in trend),
        heading=(f"{station_name}　全所月度趋势", f"{span}　{made}"),
        notes=("每月按整月统计，口径与“按民警”“按事项”相同。",),
        frozen_columns=1,
    )


def ranking_sheet(ranking: tuple[RankRow, ...], month: str, station_name: str, made: str) -> Sheet:
    """The month's 红黑榜 with the formula under it."""
    columns = (
        SheetColumn("名次", "count"),
        SheetColumn("姓名"),
        SheetColumn("警号"),
        SheetColumn("榜单"),
        SheetColumn("得分", "decimal"),
        SheetColumn("样本（登记量+办结量）", "count"),
        SheetColumn("满意率（含基本满意）", "rate"),
        SheetColumn("按时办结率", "rate"),
        SheetColumn("一次办结率", "rate"),
        SheetColumn("回访接通率", "rate"),
        SheetColumn("按全所比率计算的项"),
        SheetColumn("差评", "count"),
        SheetColumn("超范围告知", "count"),
        SheetColumn("属实或部分属实的投诉", "count"),
    )
    rows = tuple(
        (
            r.rank,
            r.label,
            r.code,
            r.board_label,
            r.score,
            r.sample,
            r.satisfaction_rate,
            r.on_time_rate,
            r.one_visit_rate,
            r.reach_rate,
            "、".join(r.substituted),
            r.bad,
            r.breaches,
            r.complaints_founded,
        )
        for r in ranking
    )
    return Sheet(
        title="红黑榜",
        columns=columns,
        rows=rows,
        heading=(f"{station_name}　{month}红黑榜", made),
        notes=("排名规则：", *sentences(RANKING_FORMULA)),
        frozen_columns=2,
    )


def definitions_sheet() -> Sheet:
    """Each figure's definition in words, and the ranking formula."""
    names = topic_names()
    rows: list[tuple[Value, ...]] = [(names[key], text) for key, text in DEFINITIONS.items()]
    rows.append(("红黑榜", RANKING_FORMULA))
    return Sheet(
        title="指标说明",
        columns=(
            SheetColumn("指标", width=28, wrap=True),
            SheetColumn("口径", width=100, wrap=True),
        ),
        rows=tuple(rows),
    )
