"""统计: figures per officer and per matter for a period, monthly trends and the 红黑榜."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any
from zoneinfo import ZoneInfo

from pypinyin import lazy_pinyin
from sqlalchemy import Engine, Integer, Select, case, exists, func, literal, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import SingletonThreadPool, StaticPool
from sqlalchemy.sql import ColumnElement

from app.core.dto import SessionUser
from app.core.errors import PermissionDenied, ValidationError
from app.core.roles import Permission, Role, allows
from app.core.service_base import ServiceBase, load_station
from app.ratings.service import BAD as BAD_LEVEL
from app.ratings.service import RATABLE, is_bad
from app.visits.rules import VisitStatus
from db.models import (
    AuditEvent,
    Callback,
    CallbackAttempt,
    CallbackBatch,
    Complaint,
    Notice,
    NoticeBreach,
    Officer,
    Rating,
    Rectification,
    ServiceItem,
    ServiceItemVersion,
    Visit,
)
from db.queries import (
    VISIT_BY_ID,
    bucket,
    finished_between,
    int_list,
    local_date,
    micros_between,
    split_ints,
    sqlite_index,
)

# A period's visits with every column the counts read of them (migration 0009): named to
# SQLite, as every big table these counts read is, so that no planner guess (below all, the
# sampled statistics that opening a file leaves) turns a month into a walk through the years.
PERIOD_VISITS = "ix_visits_date_figures"

Progress = Callable[[int, int], None]

PERIOD_KINDS: dict[str, str] = {
    "day": "日",
    "week": "周",
    "month": "月",
    "quarter": "季度",
    "custom": "自定义",
}
MAX_DAYS = 366  # the longest custom range; longer views are the monthly trend
MAX_TREND_MONTHS = 36
# Officers who handle matters get a row even in a period they did nothing (zeros, not omitted).
HANDLING_ROLES = (Role.WINDOW, Role.AUXILIARY, Role.DEPUTY, Role.CHIEF)
FINDINGS = ("属实", "部分属实", "不属实", "未核实")
OUTCOMES = ("改进", "澄清正名", "追责", "未处理")
FOUNDED = ("属实", "部分属实")
SATISFIED_MIN = 3  # 基本满意 and better
STRICT_MIN = 4  # 满意 and better
# 红黑榜: the sample an officer needs in the month (visits registered + matters finished).
RANK_MIN_SAMPLE = 10
RANK_BOARD_SIZE = 3  # 红榜 and 黑榜 each; with fewer than twice this many ranked, halves
RANK_WEIGHTS: dict[str, float] = {
    "satisfaction_rate": 0.4,
    "on_time_rate": 0.3,
    "one_visit_rate": 0.2,
    "reach_rate": 0.1,
}
RANK_PENALTIES: dict[str, float] = {"bad": 2.0, "breaches": 3.0, "complaints_founded": 5.0}
RATE_NAMES: dict[str, str] = {
    "satisfaction_rate": "满意率",
    "on_time_rate": "按时办结率",
    "one_visit_rate": "一次办结率",
    "reach_rate": "回访接通率",
}

# Each figure's definition in words, for the page's legend and the printed report.
DEFINITIONS: dict[str, str] = {
    "visits": "登记量：统计期间内登记（按到达日期）的事项，不含已作废的，计入首接民警。",
    "finished": (
        "办结量：统计期间内办结、当场答复、引导或不予受理的事项（以转为该状态的时间为准），"
        "计入当前承办民警。"
    ),
    "on_time": (
        "按时办结：办结日期不晚于承诺办结日期的；当场答复、引导等没有办结期限的均为按时。"
        "按时办结率 = 按时办结 ÷ 办结量。超期办结：办结日期晚于承诺办结日期的。"
    ),
    "open_overdue": (
        "在办超期：统计时仍在办理中、承诺办结日期早于统计截止日（截止日在今天之后的按今天）"
        "的事项，计入当前承办民警；待补材料期间暂停计时，不计入。"
    ),
    "wait": (
        "等候时长：开始办理时间减到达时间（分钟）；办理时长：办理结束时间减开始办理时间（分钟）。"
        "时间由民警的办理操作自动记录（打开登记表为到达；首接民警当场接待的，开始办理即到达时刻，"
        "其他情形为首次办理操作的时刻；办结、答复、引导等为结束），按 F5/F6/F7 记录的以手动为准。"
        "首接民警当场接待而未按键记录开始的，等候时长无从测得，不计入等候统计（不按 0 分钟计）。"
        "只统计期间内登记、两个时间均有记录的事项，计入首接民警，列出平均数和中位数；"
        "“手动计时”为其中至少一个时间由民警按键记录的件数。"
    ),
    "notices": (
        "告知单：统计期间内出具的一次性告知单和容缺受理承诺书，不含已作废的，计入出具民警。"
        "一次办结率 = 群众第一次返回即补齐材料、且未发生超出告知范围情形的 ÷ 出具数，"
        "与告知单页面的口径相同。"
    ),
    "breaches": (
        "超范围告知：统计期间内登记的超出告知范围的要求（按登记日期），计入告知单出具民警。"
    ),
    "ratings": (
        "评价数：统计期间内的现场评价（按评价日期），不含群众拒绝评价的，计入被评价民警。"
        "差评：总体或任一分项为不满意、非常不满意。"
    ),
    "satisfaction": (
        "满意率（含基本满意）= 总体评价为非常满意、满意、基本满意的 ÷ 评价数；"
        "满意率（不含基本满意）= 总体评价为非常满意、满意的 ÷ 评价数。"
        "分项差评的评价仍按总体评价计入满意率。"
    ),
    "callbacks": (
        "回访：抽样期间完全落在统计期间内的电话回访抽样，计入事项的承办民警。"
        "回访率 = 至少拨打过一次的 ÷ 抽样数；接通率 = 接通的 ÷ 拨打过的；"
        "合计与回访页面“回访覆盖”的合计一致。"
    ),
    "complaints": (
        "投诉：统计期间内收到的投诉（不含表扬），按核实结论和处理结果分列，计入被投诉民警；"
        "未指明民警的只计入合计。涉及查看人本人的投诉不在其统计中显示（投诉对被投诉民警保密）。"
    ),
    "rectifications": (
        "整改销号：统计期间内销号的差评整改，销号日期不晚于整改期限的为按时销号，计入被评价民警。"
    ),
    "rates": "比率的分母为 0 时显示“—”。日期均为本所当地日期。",
}


def ranking_formula(min_sample: int | None = None) -> str:
    """The 红黑榜 formula in words, printed with the ranking."""
    n = RANK_MIN_SAMPLE if min_sample is None else min_sample
    b = RANK_BOARD_SIZE
    w, p = RANK_WEIGHTS, RANK_PENALTIES
    return (
        f"得分 = 100 ×（{w['satisfaction_rate']:g} × 满意率（含基本满意）"
        f"+ {w['on_time_rate']:g} × 按时办结率 + {w['one_visit_rate']:g} × 一次办结率 "
        f"+ {w['reach_rate']:g} × 回访接通率）− {p['bad']:g} × 差评数 "
        f"− {p['breaches']:g} × 超范围告知数 "
        f"− {p['complaints_founded']:g} × 属实或部分属实的投诉数。"
        "本人当月某项比率没有数据的，按全所当月该项比率计算，样本少既不吃亏也不占便宜；"
        "全所也没有数据的按 100% 计，对每个人都一样。"
        f"当月登记量与办结量之和不少于 {n} 件的民警参加排名，其余列为“不参与排名（样本不足）”。"
        "得分高者在前；得分相同的，差评少者在前；得分和差评数都相同的并列同一名次"
        "（如 1、2、2、4），按姓名拼音列出。"
        f"参加排名的不少于 {2 * b} 人时，前 {b} 名列红榜、后 {b} 名列黑榜；"
        f"不足 {2 * b} 人时，前一半（向下取整）列红榜、后一半列黑榜，人数为奇数时居中者不列榜。"
        "并列者同列一榜：并列名次进入红榜名额的一并列红榜，进入黑榜名额的一并列黑榜，"
        "同时进入红黑榜名额的均不列榜。"
        "各项口径与统计表相同（涉及查看人本人的投诉不计入）。"
    )


RANKING_FORMULA = ranking_formula()


def format_rate(rate: float | None) -> str:
    """A rate as the page and the report print it: 66.7%, or — without a denominator."""
    return "—" if rate is None else f"{rate * 100:.1f}%"


def format_minutes(minutes: float | None) -> str:
    """Minutes with one decimal, or — when nothing was timed."""
    return "—" if minutes is None else f"{minutes:.1f}"


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True, slots=True)
class StatRow:
    """The figures of one officer, one matter or the whole station (kind "total")."""

    kind: str  # "officer", "matter" or "total"
    label: str  # officer's name, matter's current name, or 合计
    code: str = ""  # badge number or matter code
    note: str = ""  # role (and 已停用) of an officer, category of a matter
    officer_id: int | None = None
    item_id: int | None = None
    visits: int = 0
    finished: int = 0
    on_time: int = 0
    overdue: int = 0
    open_overdue: int = 0
    waited: int = 0  # visits with both arrival and start recorded
    served: int = 0  # visits with both start and end recorded
    timed_by_hand: int = 0  # of those timed, visits with a time stamped with F5/F6/F7
    wait_mean: float | None = None
    wait_median: float | None = None
    service_mean: float | None = None
    service_median: float | None = None
    notices: int = 0
    one_visit: int = 0
    breaches: int = 0
    rated: int = 0
    declined: int = 0
    bad: int = 0
    satisfied: int = 0  # overall 基本满意 or better
    strict: int = 0  # overall 满意 or better
    callbacks_sampled: int = 0
    callbacks_called: int = 0
    callbacks_reached: int = 0
    complaints: int = 0
    complaints_by_finding: tuple[tuple[str, int], ...] = tuple((f, 0) for f in FINDINGS)
    complaints_by_outcome: tuple[tuple[str, int], ...] = tuple((o, 0) for o in OUTCOMES)
    rectifications_closed: int = 0
    rectifications_closed_on_time: int = 0

    @property
    def on_time_rate(self) -> float | None:
        """按时办结 over 办结量."""
        return _ratio(self.on_time, self.finished)

    @property
    def one_visit_rate(self) -> float | None:
        """一次办结 over notices issued."""
        return _ratio(self.one_visit, self.notices)

    @property
    def satisfaction_rate(self) -> float | None:
        """非常满意 + 满意 + 基本满意 over all rated."""
        return _ratio(self.satisfied, self.rated)

    @property
    def strict_rate(self) -> float | None:
        """非常满意 + 满意 over all rated."""
        return _ratio(self.strict, self.rated)

    @property
    def call_rate(self) -> float | None:
        """Called at least once over sampled."""
        return _ratio(self.callbacks_called, self.callbacks_sampled)

    @property
    def reach_rate(self) -> float | None:
        """Reached over called."""
        return _ratio(self.callbacks_reached, self.callbacks_called)

    @property
    def rect_on_time_rate(self) -> float | None:
        """Rectifications closed on time over closed."""
        return _ratio(self.rectifications_closed_on_time, self.rectifications_closed)

    @property
    def complaints_founded(self) -> int:
        """Complaints found 属实 or 部分属实."""
        return sum(n for f, n in self.complaints_by_finding if f in FOUNDED)


@dataclass(frozen=True, slots=True)
class Column:
    """One figure of StatRow as the page and the report lay it out."""

    attr: str  # attribute (or property) of StatRow
    header: str
    fmt: str  # "count", "rate" or "minutes"
    topic: str  # key of DEFINITIONS explaining it (for a tooltip or the report's legend)

    def text(self, row: StatRow) -> str:
        """The figure of ``row`` printed: a count, a rate (—) or minutes (—)."""
        value = getattr(row, self.attr)
        if self.fmt == "rate":
            return format_rate(value)
        if self.fmt == "minutes":
            return format_minutes(value)
        return str(value)


COLUMNS: tuple[Column, ...] = (
    Column("visits", "登记量", "count", "visits"),
    Column("finished", "办结量", "count", "finished"),
    Column("on_time", "按时办结", "count", "on_time"),
    Column("overdue", "超期办结", "count", "on_time"),
    Column("on_time_rate", "按时办结率", "rate", "on_time"),
    Column("open_overdue", "在办超期", "count", "open_overdue"),
    Column("wait_mean", "平均等候（分钟）", "minutes", "wait"),
    Column("wait_median", "等候中位数（分钟）", "minutes", "wait"),
    Column("service_mean", "平均办理（分钟）", "minutes", "wait"),
    Column("service_median", "办理中位数（分钟）", "minutes", "wait"),
    Column("timed_by_hand", "手动计时", "count", "wait"),
    Column("notices", "告知单", "count", "notices"),
    Column("one_visit", "一次办结", "count", "notices"),
    Column("one_visit_rate", "一次办结率", "rate", "notices"),
    Column("breaches", "超范围告知", "count", "breaches"),
    Column("rated", "评价数", "count", "ratings"),
    Column("bad", "差评", "count", "ratings"),
    Column("satisfaction_rate", "满意率（含基本满意）", "rate", "satisfaction"),
    Column("strict_rate", "满意率（不含基本满意）", "rate", "satisfaction"),
    Column("callbacks_sampled", "回访抽样", "count", "callbacks"),
    Column("callbacks_called", "已拨打", "count", "callbacks"),
    Column("callbacks_reached", "接通", "count", "callbacks"),
    Column("call_rate", "回访率", "rate", "callbacks"),
    Column("reach_rate", "接通率", "rate", "callbacks"),
    Column("complaints", "投诉", "count", "complaints"),
    Column("complaints_founded", "属实投诉", "count", "complaints"),
    Column("rectifications_closed", "整改销号", "count", "rectifications"),
    Column("rectifications_closed_on_time", "按时销号", "count", "rectifications"),
    Column("rect_on_time_rate", "按时销号率", "rate", "rectifications"),
)


@dataclass(frozen=True, slots=True)
class Statistics:
    """One period's figures: per officer, per matter and the station total."""

    start: dt.date
    end: dt.date
    label: str
    by_officer: tuple[StatRow, ...]
    by_matter: tuple[StatRow, ...]
    total: StatRow
    generated_at: dt.datetime


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """The station's figures of one month, for the trend charts."""

    month: dt.date  # the first day of the month
    label: str  # 2025年9月
    visits: int
    finished: int
    on_time_rate: float | None
    satisfaction_rate: float | None
    strict_rate: float | None
    one_visit_rate: float | None
    call_rate: float | None
    reach_rate: float | None
    bad: int
    complaints: int


BOARD_LABELS: dict[str, str] = {
    "red": "红榜",
    "black": "黑榜",
    "": "",
    "unranked": "不参与排名（样本不足）",
}


@dataclass(frozen=True, slots=True)
class RankRow:
    """One officer on the month's 红黑榜, with what went into the score."""

    rank: int | None  # None: not ranked (sample too small)
    officer_id: int
    label: str
    code: str
    sample: int  # visits registered + matters finished in the month
    satisfaction_rate: float | None  # the officer's own rates (None: no data)
    on_time_rate: float | None
    one_visit_rate: float | None
    reach_rate: float | None
    substituted: tuple[str, ...]  # rates taken from the station (Chinese names)
    bad: int
    breaches: int
    complaints_founded: int
    score: float | None
    board: str  # "red", "black", "" or "unranked"

    @property
    def board_label(self) -> str:
        """红榜, 黑榜, nothing, or 不参与排名（样本不足）."""
        return BOARD_LABELS[self.board]


# ---- periods ----------------------------------------------------------------------------


def period(kind: str, day: dt.date | None) -> tuple[dt.date, dt.date]:
    """The day, week (Monday to Sunday), month or quarter containing ``day``."""
    if day is None:
        raise ValidationError("请选择统计日期。", "period")
    if kind == "day":
        return day, day
    if kind == "week":
        start = day - dt.timedelta(days=day.weekday())
        return start, start + dt.timedelta(days=6)
    if kind == "month":
        return _month_start(day), _month_end(day)
    if kind == "quarter":
        first = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        return first, _month_end(_add_months(first, 2))
    if kind == "custom":
        raise ValidationError("自定义期间请分别选择开始日期和结束日期。", "period")
    raise ValidationError("请选择统计期间：日、周、月、季度或自定义。", "period")


def check_period(start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    """The range if it can be counted; otherwise a ValidationError in Chinese."""
    if start is None or end is None:
        raise ValidationError("请选择统计期间的开始日期和结束日期。", "period")
    if end < start:
        raise ValidationError("结束日期早于开始日期，请重新选择统计期间。", "period")
    if (end - start).days + 1 > MAX_DAYS:
        raise ValidationError(f"统计期间最长 {MAX_DAYS} 天，请缩短期间，或按月查看趋势。", "period")
    return start, end


def period_text(start: dt.date, end: dt.date) -> str:
    """The period in words: 2025年9月29日, 2025年9月, 2025年第3季度, or from … to …."""

    def day(d: dt.date) -> str:
        return f"{d.year}年{d.month}月{d.day}日"

    if start == end:
        return day(start)
    if start.day == 1 and end == _month_end(start):
        return f"{start.year}年{start.month}月"
    if start.day == 1 and start.month % 3 == 1 and end == _month_end(_add_months(start, 2)):
        return f"{start.year}年第{(start.month - 1) // 3 + 1}季度"
    if start.month == 1 and start.day == 1 and end == dt.date(start.year, 12, 31):
        return f"{start.year}年"
    return f"{day(start)}至{day(end)}"


def month_text(month: dt.date) -> str:
    """2025年9月."""
    return f"{month.year}年{month.month}月"


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _month_end(day: dt.date) -> dt.date:
    return _add_months(day, 1) - dt.timedelta(days=1)


def trend_point(month: dt.date, t: StatRow) -> TrendPoint:
    """One month's point of the trend from the station's total row of that month."""
    return TrendPoint(
        month=month,
        label=month_text(month),
        visits=t.visits,
        finished=t.finished,
        on_time_rate=t.on_time_rate,
        satisfaction_rate=t.satisfaction_rate,
        strict_rate=t.strict_rate,
        one_visit_rate=t.one_visit_rate,
        call_rate=t.call_rate,
        reach_rate=t.reach_rate,
        bad=t.bad,
        complaints=t.complaints,
    )


# ---- the 红黑榜 -----------------------------------------------------------------------------


def rank_officers(
    rows: Sequence[StatRow], total: StatRow, min_sample: int | None = None
) -> list[RankRow]:
    """Score, order and board the officers of one month (see ``ranking_formula``)."""
    needed = RANK_MIN_SAMPLE if min_sample is None else min_sample
    station = {name: getattr(total, name) for name in RANK_WEIGHTS}
    scored: list[tuple[tuple[float, int, str, str], RankRow]] = []
    unranked: list[tuple[str, RankRow]] = []
    for row in rows:
        if row.officer_id is None:
            continue
        own: dict[str, float | None] = {name: getattr(row, name) for name in RANK_WEIGHTS}
        substituted = tuple(RATE_NAMES[n] for n, v in own.items() if v is None)
        sample = row.visits + row.finished
        score: float | None = None
        if sample >= needed:
            used = {
                n: (v if v is not None else (station[n] if station[n] is not None else 1.0))
                for n, v in own.items()
            }
            score = 100 * sum(RANK_WEIGHTS[n] * used[n] for n in RANK_WEIGHTS) - sum(
                weight * getattr(row, name) for name, weight in RANK_PENALTIES.items()
            )
            score = round(score, 2)
        rank_row = RankRow(
            rank=None,
            officer_id=row.officer_id,
            label=row.label,
            code=row.code,
            sample=sample,
            satisfaction_rate=own["satisfaction_rate"],
            on_time_rate=own["on_time_rate"],
            one_visit_rate=own["one_visit_rate"],
            reach_rate=own["reach_rate"],
            substituted=substituted if score is not None else (),
            bad=row.bad,
            breaches=row.breaches,
            complaints_founded=row.complaints_founded,
            score=score,
            board="unranked" if score is None else "",
        )
        sort_name = "".join(lazy_pinyin(row.label))
        if score is None:
            unranked.append((sort_name + row.label + row.code, rank_row))
        else:
            scored.append(((-score, row.bad, sort_name, row.label + row.code), rank_row))
    scored.sort(key=lambda pair: pair[0])
    unranked.sort(key=lambda pair: pair[0])
    n = len(scored)
    board = RANK_BOARD_SIZE if n >= 2 * RANK_BOARD_SIZE else n // 2
    # Officers equal in score and 差评 are tied: one rank (1, 2, 2, 4 …), one board. Name
    # order only lists them.
    groups: list[list[RankRow]] = []
    last: tuple[float, int] | None = None
    for (minus_score, bad, _name, _code), rank_row in scored:
        if (minus_score, bad) != last:
            groups.append([])
            last = (minus_score, bad)
        groups[-1].append(rank_row)
    out = []
    position = 1
    for group in groups:
        end = position + len(group) - 1
        # A tie reaching into the red places is red as a whole, one reaching into the black
        # places black; a tie reaching into both stays off the boards.
        red, black = position <= board, end > n - board
        label = "red" if red and not black else "black" if black and not red else ""
        out += [replace(r, rank=position, board=label) for r in group]
        position = end + 1
    return out + [r for _key, r in unranked]


# ---- the service ------------------------------------------------------------------------


class StatisticsService(ServiceBase):
    """Read-only figures for the chief and deputies; nothing here writes."""

    def today(self) -> dt.date:
        """The station's local date, for the page's default period."""
        with self._sessions.begin() as session:
            return self._clock.now().astimezone(ZoneInfo(load_station(session).timezone)).date()

    def compute(
        self,
        user: SessionUser,
        start: dt.date | None,
        end: dt.date | None,
        progress: Progress | None = None,
    ) -> Statistics:
        """The period's figures per officer, per matter and in total.

        ``progress(step, total_steps)`` is called as the work goes, so the page can run this
        on a worker thread behind a progress bar.
        """
        first, last = check_period(start, end)
        with self._sessions.begin() as session:
            viewer = self._viewer(session, user)
            return self._compute(session, viewer.id, first, last, _steps(progress, 0, 1))

    def monthly_trend(
        self,
        user: SessionUser,
        months: int,
        end_month: dt.date | None,
        progress: Progress | None = None,
    ) -> list[TrendPoint]:
        """The station's figures for the ``months`` months up to ``end_month``, oldest first."""
        if end_month is None:
            raise ValidationError("请选择趋势的截止月份。", "period")
        if not 1 <= months <= MAX_TREND_MONTHS:
            raise ValidationError(f"趋势可查看 1 至 {MAX_TREND_MONTHS} 个月。", "months")
        with self._sessions.begin() as session:
            viewer = self._viewer(session, user)
            monthly = self._months(
                session, viewer.id, _month_start(end_month), months, _steps(progress, 0, 1)
            )
            return [trend_point(first, book.total.row("total", "合计")) for first, book in monthly]

    def ranking(
        self, user: SessionUser, month_start: dt.date | None, progress: Progress | None = None
    ) -> list[RankRow]:
        """The month's 红黑榜 (any day of the month names it), by ``ranking_formula()``."""
        if month_start is None:
            raise ValidationError("请选择排名的月份。", "period")
        first = _month_start(month_start)
        with self._sessions.begin() as session:
            viewer = self._viewer(session, user)
            stats = self._compute(
                session, viewer.id, first, _month_end(first), _steps(progress, 0, 1), timed=False
            )
            return rank_officers(stats.by_officer, stats.total)

    # ---- internals ------------------------------------------------------------------

    def _viewer(self, session: Session, user: SessionUser) -> Officer:
        officer = self._officer(session, user)
        role = Role(officer.role)
        if not allows(role, Permission.VIEW_ALL_VISITS):
            raise PermissionDenied(f"{role.label}无权查看统计，统计由所长、副所长查看。")
        return officer

    def _count(
        self,
        session: Session,
        viewer_id: int,
        ranges: Sequence[tuple[dt.date, dt.date]],
        timed: bool,
        progress: Progress,
    ) -> _Scope:
        """Every counter once over consecutive ``ranges``, each range into its own book.

        The counters run in two lanes at once where the store allows it (a database file or
        server, not one shared in-memory connection): the other lane on a second connection,
        whose snapshot must be this session's (the same last audit event: every change is
        audited in its own transaction); otherwise, or if a change came in between, here.
        """
        tz = ZoneInfo(load_station(session).timezone)
        today = self._clock.now().astimezone(tz).date()
        progress(1, STEPS)
        scope = _scope(session, ranges, tz, today, viewer_id, timed)
        step = iter(range(2, STEPS))
        here, there = _LANES[timed]
        if not _may_share_work(session):
            here, there = _COUNTERS, ()
        with ThreadPoolExecutor(max_workers=1) as pool:
            helper = (
                pool.submit(self._count_apart, scope, _last_change(session), there)
                if there
                else None
            )
            for count in here:
                count(scope)
                progress(next(step), STEPS)
            books = helper.result() if helper is not None else None
        for count in there:
            if books is None:
                count(scope)
            progress(next(step), STEPS)
        if books is not None:
            for mine, theirs in zip(scope.books, books, strict=True):
                mine.merge(theirs)
        return scope

    def _count_apart(
        self, scope: _Scope, last_change: int | None, counters: Sequence[_Counter]
    ) -> tuple[_Book, ...] | None:
        """``counters`` on a connection of their own, into books of their own; None when
        that connection sees another state of the station."""
        with self._sessions.begin() as session:
            if _last_change(session) != last_change:
                return None
            apart = replace(scope, session=session, books=tuple(_Book() for _ in scope.books))
            for count in counters:
                count(apart)
            return apart.books

    def _compute(
        self,
        session: Session,
        viewer_id: int,
        start: dt.date,
        end: dt.date,
        progress: Progress,
        timed: bool = True,
    ) -> Statistics:
        scope = self._count(session, viewer_id, [(start, end)], timed, progress)
        stats = self._assemble(session, scope.books[0], start, end)
        progress(STEPS, STEPS)
        return stats

    def _months(
        self,
        session: Session,
        viewer_id: int,
        last_month: dt.date,
        months: int,
        progress: Progress,
    ) -> list[tuple[dt.date, _Book]]:
        """The ``months`` months up to ``last_month`` counted in one pass (no times)."""
        firsts = [_add_months(last_month, i - months + 1) for i in range(months)]
        ranges = [(first, _month_end(first)) for first in firsts]

        def scaled(step: int, total: int) -> None:
            # Reported as ``months`` periods of STEPS steps, as when each month was apart.
            progress(step * months, total * months)

        scope = self._count(session, viewer_id, ranges, False, scaled)
        scaled(STEPS, STEPS)
        return list(zip(firsts, scope.books, strict=True))

    def _overview_figures(
        self,
        session: Session,
        viewer_id: int,
        start: dt.date,
        end: dt.date,
        months: int,
        progress: Progress | None,
    ) -> tuple[Statistics, list[TrendPoint], list[RankRow]]:
        """The period, the ``months`` months' trend up to the month it ends in, and that
        month's 红黑榜: the period counted once, the months once (the board from the last)."""
        stats = self._compute(session, viewer_id, start, end, _steps(progress, 0, 2))
        last_month = _month_start(end)
        monthly = self._months(session, viewer_id, last_month, months, _steps(progress, 1, 2))
        trend = [trend_point(first, book.total.row("total", "合计")) for first, book in monthly]
        if start == last_month and end == _month_end(last_month):
            board = stats
        else:
            board = self._assemble(session, monthly[-1][1], last_month, _month_end(last_month))
        return stats, trend, rank_officers(board.by_officer, board.total)

    def _assemble(self, session: Session, book: _Book, start: dt.date, end: dt.date) -> Statistics:
        officers = list(session.scalars(select(Officer).order_by(Officer.badge_no, Officer.id)))
        handling = {r.value for r in HANDLING_ROLES}
        by_officer = []
        for o in officers:
            tally = book.officers.get(o.id)
            if tally is None and not (o.active and o.role in handling):
                continue
            note = Role(o.role).label + ("（已停用）" if not o.active else "")
            by_officer.append(
                (tally or _Tally()).row(
                    "officer", o.name, code=o.badge_no, note=note, officer_id=o.id
                )
            )
        names = {
            item_id: (code, name, category)
            for item_id, code, name, category in session.execute(
                select(
                    ServiceItem.id,
                    ServiceItem.code,
                    ServiceItemVersion.name,
                    ServiceItemVersion.category,
                )
                .join(ServiceItemVersion, ServiceItemVersion.item_id == ServiceItem.id)
                .where(ServiceItemVersion.version_no == ServiceItem.current_version_no)
            )
        }
        by_matter = []
        for item_id, tally in book.matters.items():
            code, name, category = names.get(item_id, ("", "（未知事项）", ""))
            by_matter.append(tally.row("matter", name, code=code, note=category, item_id=item_id))
        by_matter.sort(key=lambda r: (r.code, r.item_id or 0))
        return Statistics(
            start=start,
            end=end,
            label=period_text(start, end),
            by_officer=tuple(by_officer),
            by_matter=tuple(by_matter),
            total=book.total.row("total", "合计"),
            generated_at=self._clock.now(),
        )


# ---- module helpers -------------------------------------------------------------------


@dataclass
class _Tally:
    """Counters of one row while the queries run."""

    visits: int = 0
    finished: int = 0
    on_time: int = 0
    overdue: int = 0
    open_overdue: int = 0
    waits: list[float] = field(default_factory=list)
    services: list[float] = field(default_factory=list)
    by_hand: int = 0
    notices: int = 0
    one_visit: int = 0
    breaches: int = 0
    rated: int = 0
    declined: int = 0
    bad: int = 0
    satisfied: int = 0
    strict: int = 0
    cb_sampled: int = 0
    cb_called: int = 0
    cb_reached: int = 0
    complaints: int = 0
    findings: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    outcomes: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    rect_closed: int = 0
    rect_on_time: int = 0

    def merge(self, other: _Tally) -> None:
        """Add another tally's counts (the lanes count different figures)."""
        for name in _SUMMED:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.waits.extend(other.waits)
        self.services.extend(other.services)
        for mine, theirs in ((self.findings, other.findings), (self.outcomes, other.outcomes)):
            for key, n in theirs.items():
                mine[key] += n

    def row(
        self,
        kind: str,
        label: str,
        *,
        code: str = "",
        note: str = "",
        officer_id: int | None = None,
        item_id: int | None = None,
    ) -> StatRow:
        return StatRow(
            kind=kind,
            label=label,
            code=code,
            note=note,
            officer_id=officer_id,
            item_id=item_id,
            visits=self.visits,
            finished=self.finished,
            on_time=self.on_time,
            overdue=self.overdue,
            open_overdue=self.open_overdue,
            waited=len(self.waits),
            served=len(self.services),
            timed_by_hand=self.by_hand,
            wait_mean=statistics.fmean(self.waits) if self.waits else None,
            wait_median=float(statistics.median(self.waits)) if self.waits else None,
            service_mean=statistics.fmean(self.services) if self.services else None,
            service_median=float(statistics.median(self.services)) if self.services else None,
            notices=self.notices,
            one_visit=self.one_visit,
            breaches=self.breaches,
            rated=self.rated,
            declined=self.declined,
            bad=self.bad,
            satisfied=self.satisfied,
            strict=self.strict,
            callbacks_sampled=self.cb_sampled,
            callbacks_called=self.cb_called,
            callbacks_reached=self.cb_reached,
            complaints=self.complaints,
            complaints_by_finding=tuple((f, self.findings.get(f, 0)) for f in FINDINGS),
            complaints_by_outcome=tuple((o, self.outcomes.get(o, 0)) for o in OUTCOMES),
            rectifications_closed=self.rect_closed,
            rectifications_closed_on_time=self.rect_on_time,
        )


_LISTED = ("waits", "services", "findings", "outcomes")
_SUMMED = tuple(f.name for f in dataclasses.fields(_Tally) if f.name not in _LISTED)


class _Book:
    """The tallies of every officer, every matter and the total."""

    def __init__(self) -> None:
        self.officers: dict[int, _Tally] = {}
        self.matters: dict[int, _Tally] = {}
        self.total = _Tally()

    def merge(self, other: _Book) -> None:
        """Add what another lane counted into another book."""
        self.total.merge(other.total)
        for mine, theirs in ((self.officers, other.officers), (self.matters, other.matters)):
            for key, tally in theirs.items():
                mine.setdefault(key, _Tally()).merge(tally)

    def of(self, officer_id: int | None, item_id: int | None) -> Iterable[_Tally]:
        """The tallies a record counts in: its officer's and matter's (when known), the total."""
        out = [self.total]
        if officer_id is not None:
            tally = self.officers.get(officer_id)
            if tally is None:
                tally = self.officers[officer_id] = _Tally()
            out.append(tally)
        if item_id is not None:
            tally = self.matters.get(item_id)
            if tally is None:
                tally = self.matters[item_id] = _Tally()
            out.append(tally)
        return out


@dataclass(frozen=True, slots=True)
class _Scope:
    """What every counting query needs: the periods counted (one, or the months of a trend),
    as dates and as UTC instants, and a book for each."""

    session: Session
    ranges: tuple[tuple[dt.date, dt.date], ...]  # consecutive (first, last) local dates
    starts: tuple[dt.datetime, ...]  # the first instant of each range, station-local, in UTC
    hi: dt.datetime  # the first instant after the last range
    tz: ZoneInfo
    today: dt.date
    viewer_id: int
    timed: bool  # per-visit times for the medians (the trend and the 红黑榜 need counts only)
    items: dict[int, int]  # service item version → service item
    books: tuple[_Book, ...]  # one per range

    @property
    def start(self) -> dt.date:
        return self.ranges[0][0]

    @property
    def end(self) -> dt.date:
        return self.ranges[-1][1]

    @property
    def lo(self) -> dt.datetime:
        return self.starts[0]

    def by_day(self, column: Any) -> ColumnElement[int]:
        """The range a local date falls in."""
        return bucket(column, [first for first, _last in self.ranges])

    def by_time(self, column: Any) -> ColumnElement[int]:
        """The range a stored instant falls in."""
        return bucket(column, self.starts)

    def local_date(self, column: Any) -> ColumnElement[dt.date]:
        """The station-local date of an instant of the whole span."""
        return local_date(column, self.tz, self.lo, self.hi)

    def tallies(
        self, index: int, officer_id: int | None, version_id: int | None
    ) -> Iterable[_Tally]:
        """The tallies of range ``index`` a record counts in."""
        item = self.items.get(version_id) if version_id is not None else None
        return self.books[index].of(officer_id, item)


def _scope(
    session: Session,
    ranges: Sequence[tuple[dt.date, dt.date]],
    tz: ZoneInfo,
    today: dt.date,
    viewer_id: int,
    timed: bool,
) -> _Scope:
    def first_instant(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(), tz).astimezone(dt.UTC)

    return _Scope(
        session=session,
        ranges=tuple(ranges),
        starts=tuple(first_instant(first) for first, _last in ranges),
        hi=first_instant(ranges[-1][1] + dt.timedelta(days=1)),
        tz=tz,
        today=today,
        viewer_id=viewer_id,
        timed=timed,
        items={
            version: item
            for version, item in session.execute(
                select(ServiceItemVersion.id, ServiceItemVersion.item_id)
            )
        },
        books=tuple(_Book() for _range in ranges),
    )


def _rows(q: _Scope, statement: Select[*tuple[Any, ...]]) -> Sequence[Any]:
    """Every row at once, as plain tuples: no ORM, and one fetch for the whole result."""
    return q.session.connection().execute(statement).all()


def _grouped(q: _Scope, records: Select[*tuple[Any, ...]], keys: int) -> Sequence[Any]:
    """``records`` grouped by their first ``keys`` columns: the keys, the count, then the sum of
    each further column. Grouped outside, so every database groups by plain columns."""
    inner = records.subquery("records")
    columns = list(inner.c)
    return _rows(
        q,
        select(
            *columns[:keys],
            func.count(),
            *(func.coalesce(func.sum(c), 0) for c in columns[keys:]),
        ).group_by(*columns[:keys]),
    )


def _flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return case((condition, 1), else_=0)


def _count_visits(q: _Scope) -> None:
    """Registered in the period (not voided), to the first-contact officer; their stamps."""
    bounded = (
        Visit.local_date >= q.start,
        Visit.local_date <= q.end,
        Visit.status != VisitStatus.VOIDED.value,
    )
    index = q.by_day(Visit.local_date)
    if not q.timed:
        records = sqlite_index(
            select(index, Visit.first_officer_id, Visit.service_version_id).where(*bounded),
            Visit,
            PERIOD_VISITS,
        )
        for at, officer_id, version_id, n in _grouped(q, records, 3):
            for t in q.tallies(at, officer_id, version_id):
                t.visits += n
        return
    # A start stamped at the arrival itself measured no wait (see VisitService).
    untimed = (Visit.started_at == Visit.arrived_at) & Visit.started_by_hand.is_(False)
    wait = case((untimed, None), else_=micros_between(Visit.arrived_at, Visit.started_at))
    spent = micros_between(Visit.started_at, Visit.ended_at)
    waited = Visit.started_at.is_not(None) & ~untimed
    served = Visit.started_at.is_not(None) & Visit.ended_at.is_not(None)
    by_hand = (waited & (Visit.arrived_by_hand | Visit.started_by_hand)) | (
        served & (Visit.started_by_hand | Visit.ended_by_hand)
    )
    # Every visit's two times in microseconds (the medians need each of them), gathered by
    # the database into one text per (range, officer, matter version): a few hundred rows to
    # read, not a row per visit.
    records = select(
        index,
        Visit.first_officer_id,
        Visit.service_version_id,
        _flag(by_hand),
        wait.label("wait"),
        spent.label("spent"),
    ).where(*bounded)
    inner = sqlite_index(records, Visit, PERIOD_VISITS).subquery("records")
    keys = list(inner.c)[:3]
    for at, officer_id, version_id, n, hands, waits, services in _rows(
        q,
        select(
            *keys,
            func.count(),
            func.sum(inner.c[3]),
            int_list(inner.c.wait),
            int_list(inner.c.spent),
        ).group_by(*keys),
    ):
        wait_minutes = _minutes_of(split_ints(waits))
        service_minutes = _minutes_of(split_ints(services))
        for t in q.tallies(at, officer_id, version_id):
            t.visits += n
            t.by_hand += hands
            t.waits.extend(wait_minutes)
            t.services.extend(service_minutes)


def _count_finished(q: _Scope) -> None:
    """Finished in the period (as the callback sampler defines it), to the current owner."""
    done = finished_between(
        q.lo,
        q.hi,
        Visit.owner_id,
        Visit.service_version_id,
        Visit.due_date,
        statuses=[s.value for s in RATABLE],
    ).subquery("finished")
    late = done.c.due_date.is_not(None) & (q.local_date(done.c.at) > done.c.due_date)
    records = select(q.by_time(done.c.at), done.c.owner_id, done.c.service_version_id, _flag(late))
    for at, officer_id, version_id, n, overdue in _grouped(q, records, 3):
        for t in q.tallies(at, officer_id, version_id):
            t.finished += n
            t.overdue += overdue
            t.on_time += n - overdue


def _count_open_overdue(q: _Scope) -> None:
    """In progress now and past due at the period's end (or today, if that comes first)."""
    cutoffs = [min(last, q.today) for _first, last in q.ranges]
    for officer_id, version_id, due, n in q.session.execute(
        select(Visit.owner_id, Visit.service_version_id, Visit.due_date, func.count())
        .where(
            Visit.status == VisitStatus.IN_PROGRESS.value,
            Visit.due_date.is_not(None),
            Visit.due_date < max(cutoffs),
        )
        .group_by(Visit.owner_id, Visit.service_version_id, Visit.due_date)
    ):
        for index, cutoff in enumerate(cutoffs):
            if due is not None and due < cutoff:
                for t in q.tallies(index, officer_id, version_id):
                    t.open_overdue += n


def _count_notices(q: _Scope) -> None:
    """Notices issued in the period, to the issuer, exactly as NoticeService.completion."""
    breached = exists().where(NoticeBreach.notice_id == Notice.id)
    one = (Notice.state == "fulfilled") & (Notice.return_visits == 1) & ~breached
    records = (
        select(q.by_day(Notice.local_date), Notice.officer_id, Visit.service_version_id, _flag(one))
        .join(Visit, Visit.id == Notice.visit_id)
        .where(
            Notice.local_date >= q.start,
            Notice.local_date <= q.end,
            Notice.state != "voided",
        )
    )
    records = sqlite_index(records, Visit, VISIT_BY_ID)
    for at, officer_id, version_id, n, ones in _grouped(q, records, 3):
        for t in q.tallies(at, officer_id, version_id):
            t.notices += n
            t.one_visit += ones


def _count_breaches(q: _Scope) -> None:
    """Breaches recorded in the period, to the notice's issuer."""
    records = (
        select(q.by_day(NoticeBreach.local_date), NoticeBreach.issuer_id, Visit.service_version_id)
        .join(Notice, Notice.id == NoticeBreach.notice_id)
        .join(Visit, Visit.id == Notice.visit_id)
        .where(NoticeBreach.local_date >= q.start, NoticeBreach.local_date <= q.end)
    )
    records = sqlite_index(records, Visit, VISIT_BY_ID)
    for at, officer_id, version_id, n in _grouped(q, records, 3):
        for t in q.tallies(at, officer_id, version_id):
            t.breaches += n


def _count_ratings(q: _Scope) -> None:
    """On-site ratings of the period, to the rated officer; a refusal counts apart."""
    bounded = (
        Rating.kind == "on_site",
        Rating.local_date >= q.start,
        Rating.local_date <= q.end,
    )
    # A 差评 is one by its overall level or by any dimension's; the dimensions are JSON, so
    # the few distinct sets of them are judged here and the database counts by the verdict.
    bad_sets = [
        dims_json
        for (dims_json,) in _rows(
            q, select(Rating.dimensions_json).where(*bounded, Rating.declined.is_(False)).distinct()
        )
        if is_bad(None, {k: int(v) for k, v in json.loads(dims_json or "{}").items()})
    ]
    rated = Rating.declined.is_(False)
    level = func.coalesce(Rating.overall, 0)
    bad = rated & (
        (Rating.overall.is_not(None) & (Rating.overall <= BAD_LEVEL))
        | Rating.dimensions_json.in_(bad_sets)
    )
    records = (
        select(
            q.by_day(Rating.local_date),
            Rating.rated_officer_id,
            Visit.service_version_id,
            _flag(~rated),
            _flag(bad),
            _flag(rated & (level >= SATISFIED_MIN)),
            _flag(rated & (level >= STRICT_MIN)),
        )
        .join(Visit, Visit.id == Rating.visit_id)
        .where(*bounded)
    )
    records = sqlite_index(records, Rating, "ix_ratings_kind_date_figures")
    records = sqlite_index(records, Visit, VISIT_BY_ID)
    for at, officer_id, version_id, n, declined, bads, satisfied, strict in _grouped(q, records, 3):
        for t in q.tallies(at, officer_id, version_id):
            t.declined += declined
            t.rated += n - declined
            t.bad += bads
            t.satisfied += satisfied
            t.strict += strict


def _count_callbacks(q: _Scope) -> None:
    """Callbacks of the samplings inside the period (as CallbackService.coverage), to the owner."""
    attempted = exists().where(CallbackAttempt.callback_id == Callback.id)
    # From the period's samplings (their (start, end) index) to their callbacks.
    batches = select(CallbackBatch.id).where(
        CallbackBatch.period_start >= q.start,
        CallbackBatch.period_start <= q.end,  # bounds the index range: a start is before its end
        CallbackBatch.period_end <= q.end,
    )
    if len(q.ranges) == 1:
        inside: Any = literal(0, Integer)
    else:  # the month a sampling lies entirely in (none: it spans two)
        inside = (
            select(
                case(
                    *(
                        (
                            (CallbackBatch.period_start >= first)
                            & (CallbackBatch.period_end <= last),
                            index,
                        )
                        for index, (first, last) in enumerate(q.ranges)
                    ),
                    else_=None,
                )
            )
            .where(CallbackBatch.id == Callback.batch_id)
            .scalar_subquery()
        )
    records = (
        select(
            inside,
            Visit.owner_id,
            Visit.service_version_id,
            _flag(attempted),
            _flag(Callback.state == "reached"),
        )
        .join(Visit, Visit.id == Callback.visit_id)
        .where(Callback.batch_id.in_(batches))
    )
    records = sqlite_index(records, Visit, VISIT_BY_ID)
    for at, officer_id, version_id, n, called, reached in _grouped(q, records, 3):
        if at is None:
            continue
        for t in q.tallies(at, officer_id, version_id):
            t.cb_sampled += n
            t.cb_called += called
            t.cb_reached += reached


def _count_complaints(q: _Scope) -> None:
    """Complaints received in the period, to the officer concerned; never those about the viewer."""
    records = (
        select(
            q.by_day(Complaint.received_on),
            Complaint.officer_id,
            Visit.service_version_id,
            Complaint.finding,
            Complaint.outcome,
        )
        .outerjoin(Visit, Visit.id == Complaint.visit_id)
        .where(
            Complaint.kind == "complaint",
            Complaint.received_on >= q.start,
            Complaint.received_on <= q.end,
            Complaint.officer_id.is_distinct_from(q.viewer_id),
        )
    )
    for at, concerned, version_id, finding, outcome, n in _grouped(q, records, 5):
        for t in q.tallies(at, concerned, version_id):
            t.complaints += n
            t.findings[finding or "未核实"] += n
            t.outcomes[outcome or "未处理"] += n


def _count_rectifications(q: _Scope) -> None:
    """Rectifications closed in the period, to the rated officer; on time by their due date."""
    on_time = q.local_date(Rectification.closed_at) <= Rectification.rectify_due
    records = (
        select(
            q.by_time(Rectification.closed_at),
            Rectification.rated_officer_id,
            Visit.service_version_id,
            _flag(on_time),
        )
        .join(Visit, Visit.id == Rectification.visit_id)
        .where(
            Rectification.state == "closed",
            Rectification.closed_at >= q.lo,
            Rectification.closed_at < q.hi,
        )
    )
    records = sqlite_index(records, Visit, VISIT_BY_ID)
    for at, officer_id, version_id, n, in_time in _grouped(q, records, 3):
        for t in q.tallies(at, officer_id, version_id):
            t.rect_closed += n
            t.rect_on_time += in_time


_Counter = Callable[[_Scope], None]
_COUNTERS: tuple[_Counter, ...] = (
    _count_visits,
    _count_finished,
    _count_open_overdue,
    _count_notices,
    _count_breaches,
    _count_ratings,
    _count_callbacks,
    _count_complaints,
    _count_rectifications,
)
STEPS = len(_COUNTERS) + 2  # progress steps of one period: start, each count, assembly
# The counters in two lanes of about the same work (with and without each visit's times).
_LANES: dict[bool, tuple[tuple[_Counter, ...], tuple[_Counter, ...]]] = {
    True: (
        (_count_visits, _count_open_overdue, _count_notices, _count_breaches, _count_callbacks),
        (_count_finished, _count_ratings, _count_complaints, _count_rectifications),
    ),
    False: (
        (_count_visits, _count_ratings, _count_open_overdue, _count_breaches, _count_complaints),
        (_count_finished, _count_notices, _count_callbacks, _count_rectifications),
    ),
}
assert all(sorted(map(id, a + b)) == sorted(map(id, _COUNTERS)) for a, b in _LANES.values())


def _may_share_work(session: Session) -> bool:
    """Whether a second connection sees the same store (not a private in-memory database)."""
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    memory = engine.url.database in (None, "", ":memory:")
    return not memory and not isinstance(engine.pool, (StaticPool, SingletonThreadPool))


def _last_change(session: Session) -> int | None:
    """The last audit event this session sees: which state of the station it reads."""
    return session.scalar(select(func.max(AuditEvent.id)))


def _steps(progress: Progress | None, index: int, parts: int) -> Progress:
    """Report one computation's steps as part ``index`` of ``parts`` of the whole job."""

    def report(step: int, total: int) -> None:
        if progress is not None:
            progress(index * total + step, parts * total)

    return report


def _minutes_of(micros: list[int]) -> list[float]:
    # As ``max(0, timedelta.total_seconds() / 60)``: the same floats for the same microseconds
    # (an int below 2**53 is exact as a float, so ``/ 1e6`` rounds as ``/ 10**6`` does). The
    # test before the division, not max() after it: half the time on a year's visits.
    return [us / 1e6 / 60 if us > 0 else 0.0 for us in micros]
