"""Monthly trend charts as PNG bytes (matplotlib, Agg): one picture for the page and the paper.

Only ``Figure`` + ``FigureCanvasAgg`` are used, never pyplot's global state, so a chart can be
drawn on a worker thread; a lock keeps two threads out of the font cache at the same time.
matplotlib (with numpy and Pillow: about 0.5 s and 40 MB) is imported with the first chart drawn,
not with this module: the statistics page and the monthly report import it for ``CHARTS``.
"""

from __future__ import annotations

import io
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from resources import FONT_BOLD, FONT_REGULAR

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    from app.statistics.service import TrendPoint

FAMILY = "Noto Sans SC"
INK = "#1f2328"
MUTED = "#57606a"
GRID = "#d0d7de"
# Colour-blind-safe pair (Okabe–Ito blue and orange), then two more for a third/fourth series.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7")
MARKERS = ("o", "s", "^", "D")

_LOCK = threading.Lock()
# A trend chart shows at least this many months (empty ones before the first record).
MIN_CHART_MONTHS = 6
NO_DATA = "无数据"


@dataclass(frozen=True, slots=True)
class TrendChart:
    """One chart: its title, the TrendPoint figures it draws (attribute, legend) and their kind.

    ``kind`` "rate" draws lines on a percentage axis; "count" draws grouped bars.
    """

    key: str
    title: str
    series: tuple[tuple[str, str], ...]
    kind: str = "rate"


CHARTS: tuple[TrendChart, ...] = (
    TrendChart(
        "satisfaction",
        "满意率",
        (
            ("satisfaction_rate", "满意率（含基本满意）"),
            ("strict_rate", "满意率（不含基本满意）"),
        ),
    ),
    TrendChart(
        "completion",
        "按时办结率与一次办结率",
        (("on_time_rate", "按时办结率"), ("one_visit_rate", "一次办结率")),
    ),
    TrendChart("callbacks", "电话回访", (("call_rate", "回访率"), ("reach_rate", "接通率"))),
    TrendChart("volume", "办件量", (("visits", "登记量"), ("finished", "办结量")), "count"),
)


@cache
def _register_fonts() -> str:
    """Add the bundled Noto Sans SC (both weights) to matplotlib's font manager, once."""
    import matplotlib

    # Before anything imports pyplot: charts are drawn off-screen, never in a window.
    matplotlib.use("Agg")
    from matplotlib import font_manager

    for path in (FONT_REGULAR, FONT_BOLD):
        font_manager.fontManager.addfont(str(path))
    return FAMILY


def recorded(points: Sequence[TrendPoint]) -> list[TrendPoint]:
    """``points`` without the empty months at the start (before the station used StationDesk).

    At least the last month stays, so a chart always has an axis.
    """
    for index, point in enumerate(points):
        if point.visits or point.finished or point.satisfaction_rate is not None:
            return list(points[index:])
    return list(points[-1:])


def chart_months(points: Sequence[TrendPoint], minimum: int = MIN_CHART_MONTHS) -> list[TrendPoint]:
    """The months a chart shows: ``recorded`` ones, and when there are fewer than
    ``minimum`` the months before them (from ``points``: no data, drawn as such) so that a
    station in its first months sees a time axis, not one lonely point."""
    shown = recorded(points)
    missing = max(0, minimum - len(shown))
    before = list(points[: len(points) - len(shown)])
    return before[len(before) - missing :] + shown if missing else shown


def month_labels(points: Sequence[TrendPoint]) -> list[str]:
    """9月, 10月 …; the first month and every January also name the year underneath."""
    out = []
    for index, point in enumerate(points):
        month = point.month
        out.append(
            f"{month.month}月\n{month.year}年"
            if index == 0 or month.month == 1
            else f"{month.month}月"
        )
    return out


def trend_chart_png(
    points: Sequence[TrendPoint],
    chart: TrendChart,
    width_px: int = 900,
    height_px: int = 420,
    dpi: int = 150,
) -> bytes:
    """``chart`` over the months of ``points`` (oldest first) as PNG bytes.

    A rate without a denominator is a gap in its line, never a zero.
    """
    with _LOCK:
        _register_fonts()
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        figure = Figure(figsize=(width_px / dpi, height_px / dpi), dpi=dpi, layout="constrained")
        FigureCanvasAgg(figure)
        _draw(figure, points, chart)
        out = io.BytesIO()
        figure.savefig(out, format="png", dpi=dpi, facecolor="white", metadata={"Software": None})
        return out.getvalue()


def trend_charts(
    points: Sequence[TrendPoint], width_px: int = 900, height_px: int = 420, dpi: int = 150
) -> list[tuple[TrendChart, bytes]]:
    """Every chart of ``CHARTS`` at one size."""
    return [(c, trend_chart_png(points, c, width_px, height_px, dpi)) for c in CHARTS]


def _draw(figure: Figure, points: Sequence[TrendPoint], chart: TrendChart) -> None:
    """``chart`` on ``figure``: the series, the months without figures, the axes, the title."""
    from matplotlib import font_manager

    small = font_manager.FontProperties(family=FAMILY, size=7.5)
    title = font_manager.FontProperties(family=FAMILY, size=9.5, weight="bold")
    ax = figure.add_subplot()
    x = list(range(len(points)))
    values = [[getattr(p, attr) for p in points] for attr, _label in chart.series]
    known = [v for series in values for v in series if v is not None]
    if chart.kind == "rate":
        _draw_rates(ax, x, chart, values, known)
    else:
        _draw_counts(ax, x, chart, values, known)
    if known:
        _mark_months_without_figures(ax, points, chart, small)
    _style_axes(ax, points, x, small)
    _title_and_legend(figure, ax, chart, known, small, title)


def _draw_rates(
    ax: Axes, x: list[int], chart: TrendChart, values: list[list[Any]], known: list[Any]
) -> None:
    """One line per rate on a percentage axis ending at 100 %."""
    from matplotlib.ticker import MultipleLocator, PercentFormatter

    for n, ((_attr, label), series) in enumerate(zip(chart.series, values, strict=True)):
        ax.plot(
            x,
            [math.nan if v is None else v for v in series],
            label=label,
            color=PALETTE[n % len(PALETTE)],
            marker=MARKERS[n % len(MARKERS)],
            markersize=4,
            linewidth=1.6,
            clip_on=False,
            zorder=3,
        )
    low = min(known, default=0.0)
    # Start the axis at a round tenth below the lowest rate: differences stay visible
    # while the axis still ends at 100 %.
    bottom = 0.0 if low < 0.5 else math.floor(low * 10 - 0.5) / 10
    ax.set_ylim(bottom, 1.0)
    # Whole-percent steps only: a tick at 82.5 % must never read "82%".
    span = 1.0 - bottom
    ax.yaxis.set_major_locator(
        MultipleLocator(0.05 if span <= 0.25 else 0.1 if span <= 0.5 else 0.2)
    )
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))


def _draw_counts(
    ax: Axes, x: list[int], chart: TrendChart, values: list[list[Any]], known: list[Any]
) -> None:
    """Grouped bars, one per count and month, on a whole-number axis."""
    from matplotlib.ticker import MaxNLocator

    count = len(chart.series)
    bar = 0.8 / count
    for n, ((_attr, label), series) in enumerate(zip(chart.series, values, strict=True)):
        ax.bar(
            [i - 0.4 + bar * (n + 0.5) for i in x],
            [v or 0 for v in series],
            width=bar,
            label=label,
            color=PALETTE[n % len(PALETTE)],
            zorder=3,
        )
    ax.set_ylim(0, max([1, *known]) * 1.1)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))


def _mark_months_without_figures(
    ax: Axes, points: Sequence[TrendPoint], chart: TrendChart, small: FontProperties
) -> None:
    """A month with none of the chart's figures (before the first record, or no rating
    that month) says so at its place on the axis instead of being a silent gap."""
    low_y = ax.get_ylim()[0]
    for i, point in enumerate(points):
        month = [getattr(point, attr) for attr, _label in chart.series]
        if all(v is None for v in month) if chart.kind == "rate" else not any(month):
            ax.text(
                i,
                low_y,
                NO_DATA,
                ha="center",
                va="bottom",
                color=MUTED,
                fontproperties=small,
                zorder=4,
            )


def _style_axes(
    ax: Axes, points: Sequence[TrendPoint], x: list[int], small: FontProperties
) -> None:
    """The month labels, muted ticks, a horizontal grid and only the left and bottom spines."""
    ax.set_xticks(x, month_labels(points), fontproperties=small)
    ax.set_xlim(-0.5, max(len(points) - 0.5, 0.5))
    ax.tick_params(axis="both", labelsize=7.5, colors=MUTED, length=2, labelfontfamily=FAMILY)
    ax.grid(axis="y", color=GRID, linewidth=0.6, zorder=0)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(GRID)


def _title_and_legend(
    figure: Figure,
    ax: Axes,
    chart: TrendChart,
    known: list[Any],
    small: FontProperties,
    title: FontProperties,
) -> None:
    """The title on its own line, the legend under it: neither can run into the other."""
    figure.suptitle(chart.title, x=0.01, ha="left", fontproperties=title, color=INK)
    if not known:
        ax.text(
            0.5,
            0.5,
            "暂无数据",
            transform=ax.transAxes,
            ha="center",
            va="center",
            color=MUTED,
            fontproperties=title,
        )
    ax.legend(
        loc="lower left",
        bbox_to_anchor=(0.0, 1.0),
        ncol=len(chart.series),
        frameon=False,
        prop=small,
        borderaxespad=0.2,
        handlelength=1.6,
        columnspacing=1.2,
    )
