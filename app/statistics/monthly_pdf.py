"""月度通报: the month's window service in figures, tables, the 红黑榜 and trend charts (A4)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from app.printing.register_pdf import (
    Block,
    RegisterColumn,
    RegisterDocument,
    RegisterFigures,
    RegisterRow,
    RegisterTable,
    RegisterText,
    render_register,
)
from app.statistics import service as statistics_service
from app.statistics.charts import CHARTS, chart_months, recorded, trend_chart_png
from app.statistics.report_dto import Overview
from app.statistics.service import (
    DEFINITIONS,
    FINDINGS,
    OUTCOMES,
    RANKING_FORMULA,
    RankRow,
    StatRow,
    TrendPoint,
    format_minutes,
    format_rate,
)

TOP_MATTERS = 10
TOTAL_FILL = "#eef1f5"
RED_FILL = "#fde8e6"
BLACK_FILL = "#dfe2e7"
# Charts drawn at their printed size (two across the portrait page) at 200 dpi.
CHART_DPI = 200
CHART_SIZE_MM = (93.0, 60.0)

Getter = Callable[[StatRow], str]


def report_title(month: dt.date) -> str:
    """2025年9月窗口服务情况通报."""
    return f"{month.year}年{month.month}月窗口服务情况通报"


def partial_note(overview: Overview) -> str:
    """（统计至 12 月 4 日，非整月） for a month not over yet, （自 10 月 26 日起有记录，非整月）
    for the month the station started in, （本月本所尚无记录） before it; "" for a whole month."""
    stats = overview.stats
    begun = overview.records_from
    if begun is None or begun > stats.end:
        return "（本月本所尚无记录）"
    parts = []
    if begun > stats.start:
        parts.append(f"自 {begun.month} 月 {begun.day} 日起有记录")
    if overview.today <= stats.end:
        parts.append(f"统计至 {overview.today.month} 月 {overview.today.day} 日")
    return f"（{'，'.join(parts)}，非整月）" if parts else ""


def monthly_report_document(overview: Overview, copy_no: int = 1) -> RegisterDocument:
    """The report as a RegisterDocument (charts rendered to PNG here); ``copy_no``: which
    print of the month's report this is (2 and later say 补打 on every page)."""
    stats = overview.stats
    month = stats.start
    period = f"统计期间：{_day(stats.start)}至{_day(stats.end)}{partial_note(overview)}"
    summary = summary_lines(stats.total, _previous(overview.trend))
    begun = overview.records_from
    if begun is not None and stats.start < begun <= stats.end:
        summary = (f"本所自{_day(begun)}起有登记记录，本月数据不足整月。", *summary)
    if overview.today <= stats.end:
        summary = (f"本月尚未结束，以下为截至{_day(overview.today)}的情况。", *summary)
    blocks: list[Block] = [
        RegisterText(summary, heading="一、总体情况"),
        _officer_work(stats.by_officer, stats.total),
        _officer_rating(stats.by_officer, stats.total),
        _matters(stats.by_matter, stats.total),
        _ranking(overview.ranking, overview.ranking_label),
        RegisterText(("排名规则：" + RANKING_FORMULA,), small=True),
    ]
    trend = recorded(overview.trend)
    if trend:
        # The charts show at least a few months: those before the first record say 无数据.
        shown = chart_months(overview.trend)
        span = f"{shown[0].label}至{shown[-1].label}" if len(shown) > 1 else shown[0].label
        blocks.append(
            RegisterFigures(
                tuple(_chart(shown, n) for n in range(len(CHARTS))),
                heading=f"六、全所月度趋势（{span}）",
                per_row=2,
            )
        )
        if len(shown) > len(trend):
            blocks.append(
                RegisterText(
                    (f"{trend[0].label}以前本所尚无登记记录，图中标为“无数据”。",), small=True
                )
            )
        blocks.append(_trend_table(trend))
    blocks.append(
        RegisterText(
            tuple(DEFINITIONS.values()),
            heading="附：指标口径",
            small=True,
        )
    )
    return RegisterDocument(
        title=report_title(month),
        station_name=overview.station_name,
        subtitle=period,
        printed_at=overview.generated_at,
        tables=(),
        blocks=tuple(blocks),
        landscape=False,
        copy_no=copy_no,
    )


def render_monthly_report(overview: Overview) -> bytes:
    """The report as PDF bytes (A4 portrait, fonts embedded, 第 x 页 共 y 页)."""
    return render_register(monthly_report_document(overview))


# ---- the summary ----------------------------------------------------------------------


def summary_lines(t: StatRow, before: TrendPoint | None = None) -> tuple[str, ...]:
    """The station's month in sentences, figure by figure."""
    lines = [
        f"本月窗口共登记办事 {t.visits} 件，办结 {t.finished} 件，其中按时办结 {t.on_time} 件、"
        f"超期办结 {t.overdue} 件，按时办结率 {format_rate(t.on_time_rate)}；"
        f"统计截止时仍在办理且已超期的 {t.open_overdue} 件。"
    ]
    if t.waited or t.served:
        lines.append(
            f"群众平均等候 {format_minutes(t.wait_mean)} 分钟（中位数 "
            f"{format_minutes(t.wait_median)} 分钟），平均办理 {format_minutes(t.service_mean)} "
            f"分钟（中位数 {format_minutes(t.service_median)} 分钟）；"
            f"等候有记录 {t.waited} 件、办理有记录 {t.served} 件，"
            f"其中民警按键手动计时 {t.timed_by_hand} 件，其余由办理操作自动记录。"
        )
    lines.append(
        f"出具一次性告知单 {t.notices} 份，一次办结 {t.one_visit} 件，一次办结率 "
        f"{format_rate(t.one_visit_rate)}；超出告知范围 {t.breaches} 次。"
    )
    declined = f"，群众拒绝评价 {t.declined} 件" if t.declined else ""
    lines.append(
        f"现场评价 {t.rated} 件{declined}；满意率（含基本满意）{format_rate(t.satisfaction_rate)}，"
        f"满意率（不含基本满意）{format_rate(t.strict_rate)}；差评 {t.bad} 件。"
    )
    lines.append(
        f"电话回访抽样 {t.callbacks_sampled} 件，已拨打 {t.callbacks_called} 件，回访率 "
        f"{format_rate(t.call_rate)}；接通 {t.callbacks_reached} 件，接通率 "
        f"{format_rate(t.reach_rate)}。"
    )
    lines.append(_complaints(t))
    lines.append(
        f"差评整改销号 {t.rectifications_closed} 件，其中按时销号 "
        f"{t.rectifications_closed_on_time} 件，按时销号率 {format_rate(t.rect_on_time_rate)}。"
    )
    if before is not None:
        change = _changes(t, before)
        if change:
            lines.append(change)
    return tuple(lines)


def _complaints(t: StatRow) -> str:
    if not t.complaints:
        return "本月未收到投诉。"
    findings = dict(t.complaints_by_finding)
    outcomes = dict(t.complaints_by_outcome)
    found = "、".join(
        f"{'尚未核实' if f == '未核实' else f} {findings[f]} 件" for f in FINDINGS if findings[f]
    )
    done = "、".join(
        f"{'尚未处理' if o == '未处理' else o} {outcomes[o]} 件" for o in OUTCOMES if outcomes[o]
    )
    return f"收到投诉 {t.complaints} 件，核实结论：{found}；处理结果：{done}。"


def _changes(t: StatRow, before: TrendPoint) -> str:
    parts = []
    for name, now, then in (
        ("满意率（含基本满意）", t.satisfaction_rate, before.satisfaction_rate),
        ("按时办结率", t.on_time_rate, before.on_time_rate),
        ("一次办结率", t.one_visit_rate, before.one_visit_rate),
    ):
        if now is None or then is None:
            continue
        points = (now - then) * 100
        if abs(points) < 0.05:
            parts.append(f"{name}持平")
        else:
            way = "上升" if points > 0 else "下降"
            parts.append(f"{name}{way} {abs(points):.1f} 个百分点")
    return f"与{before.label}相比，{'，'.join(parts)}。" if parts else ""


def _previous(trend: Sequence[TrendPoint]) -> TrendPoint | None:
    return trend[-2] if len(trend) >= 2 else None


# ---- tables ---------------------------------------------------------------------------


def _rows(
    rows: Sequence[StatRow], total: StatRow, getters: Sequence[Getter], total_label: str = "合计"
) -> tuple[RegisterRow, ...]:
    out = [RegisterRow(tuple(get(r) for get in getters)) for r in rows]
    cells = (total_label, *(get(total) for get in getters[1:]))
    out.append(RegisterRow(cells, fill=TOTAL_FILL, bold=True))
    return tuple(out)


def _count(attr: str) -> Getter:
    return lambda r: str(getattr(r, attr))


def _rate(attr: str) -> Getter:
    return lambda r: format_rate(getattr(r, attr))


def _minutes(attr: str) -> Getter:
    return lambda r: format_minutes(getattr(r, attr))


def _columns(
    spec: Sequence[tuple[str, float]], left: Sequence[int] = (0,)
) -> tuple[RegisterColumn, ...]:
    """Figures centred; names (the columns ``left``) left-aligned."""
    return tuple(
        RegisterColumn(title, width, center=i not in left) for i, (title, width) in enumerate(spec)
    )


def _officer_work(rows: Sequence[StatRow], total: StatRow) -> RegisterTable:
    spec = (
        ("民警", 2.2),
        ("登记量", 1.2),
        ("办结量", 1.2),
        ("按时办结", 1.2),
        ("超期办结", 1.2),
        ("按时办结率", 1.5),
        ("在办超期", 1.2),
        ("平均等候\n（分钟）", 1.4),
        ("平均办理\n（分钟）", 1.4),
        ("告知单", 1.1),
        ("一次办结率", 1.5),
        ("超范围告知", 1.2),
    )
    getters: list[Getter] = [
        lambda r: r.label,
        _count("visits"),
        _count("finished"),
        _count("on_time"),
        _count("overdue"),
        _rate("on_time_rate"),
        _count("open_overdue"),
        _minutes("wait_mean"),
        _minutes("service_mean"),
        _count("notices"),
        _rate("one_visit_rate"),
        _count("breaches"),
    ]
    return RegisterTable(_columns(spec), _rows(rows, total, getters), heading="二、民警办件情况")


def _officer_rating(rows: Sequence[StatRow], total: StatRow) -> RegisterTable:
    spec = (
        ("民警", 2.2),
        ("评价数", 1.1),
        ("差评", 1.0),
        ("满意率（含基本满意）", 1.6),
        ("满意率（不含基本满意）", 1.6),
        ("回访抽样", 1.1),
        ("回访率", 1.4),
        ("接通率", 1.4),
        ("投诉", 1.0),
        ("属实投诉", 1.1),
        ("整改销号", 1.1),
        ("按时销号率", 1.4),
    )
    getters: list[Getter] = [
        lambda r: r.label,
        _count("rated"),
        _count("bad"),
        _rate("satisfaction_rate"),
        _rate("strict_rate"),
        _count("callbacks_sampled"),
        _rate("call_rate"),
        _rate("reach_rate"),
        _count("complaints"),
        _count("complaints_founded"),
        _count("rectifications_closed"),
        _rate("rect_on_time_rate"),
    ]
    return RegisterTable(
        _columns(spec), _rows(rows, total, getters), heading="三、民警评价与监督情况"
    )


def _matters(rows: Sequence[StatRow], total: StatRow) -> RegisterTable:
    top = sorted(rows, key=lambda r: (-r.visits, -r.finished, r.code))[:TOP_MATTERS]
    spec = (
        ("事项", 4.0),
        ("登记量", 1.1),
        ("办结量", 1.1),
        ("按时办结率", 1.4),
        ("平均等候\n（分钟）", 1.4),
        ("告知单", 1.1),
        ("一次办结率", 1.4),
        ("评价数", 1.1),
        ("满意率（含基本满意）", 1.6),
        ("差评", 1.0),
    )
    getters: list[Getter] = [
        lambda r: r.label,
        _count("visits"),
        _count("finished"),
        _rate("on_time_rate"),
        _minutes("wait_mean"),
        _count("notices"),
        _rate("one_visit_rate"),
        _count("rated"),
        _rate("satisfaction_rate"),
        _count("bad"),
    ]
    shown = f"登记量前 {TOP_MATTERS} 项" if len(rows) > TOP_MATTERS else f"共 {len(rows)} 项"
    return RegisterTable(
        _columns(spec),
        _rows(top, total, getters, "全所合计"),
        heading=f"四、事项办理情况（{shown}）",
        empty_text="本月没有办理记录。",
    )


def _ranking(ranking: Sequence[RankRow], month: str) -> RegisterTable:
    spec = (
        ("名次", 0.8),
        ("民警", 1.7),
        ("榜单", 1.5),
        ("得分", 1.1),
        ("满意率（含基本满意）", 1.5),
        ("按时办结率", 1.4),
        ("一次办结率", 1.4),
        ("回访接通率", 1.4),
        ("差评", 0.9),
        ("超范围告知", 1.1),
        ("属实投诉", 1.1),
        ("说明", 3.0),
    )
    rows = []
    for r in ranking:
        note = f"{'、'.join(r.substituted)}按全所比率计" if r.substituted else ""
        board = r.board_label or "—"
        if r.score is None:
            # 不参与排名（样本不足）, split over the two columns so neither wraps badly.
            board = "不参与排名"
            note = f"样本 {r.sample} 件，不足 {statistics_service.RANK_MIN_SAMPLE} 件"
        cells = (
            str(r.rank) if r.rank is not None else "—",
            r.label,
            board,
            f"{r.score:.2f}" if r.score is not None else "—",
            format_rate(r.satisfaction_rate),
            format_rate(r.on_time_rate),
            format_rate(r.one_visit_rate),
            format_rate(r.reach_rate),
            str(r.bad),
            str(r.breaches),
            str(r.complaints_founded),
            note,
        )
        fill = RED_FILL if r.board == "red" else BLACK_FILL if r.board == "black" else ""
        rows.append(RegisterRow(cells, fill=fill, bold=bool(fill)))
    return RegisterTable(
        _columns(spec, left=(1, 11)),
        tuple(rows),
        heading=f"五、{month}红黑榜",
        empty_text="本月没有可排名的民警。",
    )


def _trend_table(trend: Sequence[TrendPoint]) -> RegisterTable:
    spec = (
        ("月份", 1.6),
        ("登记量", 1.0),
        ("办结量", 1.0),
        ("按时办结率", 1.3),
        ("满意率（含基本满意）", 1.5),
        ("满意率（不含基本满意）", 1.5),
        ("一次办结率", 1.3),
        ("回访率", 1.2),
        ("接通率", 1.2),
        ("差评", 0.9),
        ("投诉", 0.9),
    )
    rows = tuple(
        RegisterRow(
            (
                p.label,
                str(p.visits),
                str(p.finished),
                format_rate(p.on_time_rate),
                format_rate(p.satisfaction_rate),
                format_rate(p.strict_rate),
                format_rate(p.one_visit_rate),
                format_rate(p.call_rate),
                format_rate(p.reach_rate),
                str(p.bad),
                str(p.complaints),
            )
        )
        for p in trend
    )
    return RegisterTable(_columns(spec), rows, heading="全所月度数据")


def _chart(trend: Sequence[TrendPoint], index: int) -> bytes:
    width_mm, height_mm = CHART_SIZE_MM
    return trend_chart_png(
        trend,
        CHARTS[index],
        width_px=round(width_mm / 25.4 * CHART_DPI),
        height_px=round(height_mm / 25.4 * CHART_DPI),
        dpi=CHART_DPI,
    )


def _day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
