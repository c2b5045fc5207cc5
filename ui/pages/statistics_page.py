"""统计: the chief's figures per officer and per matter, trends, the 红黑榜, Excel and 月度通报."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QDate, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPixmap, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.core.dto import SessionUser
from app.core.errors import StationDeskError
from app.statistics.charts import CHARTS, chart_months, trend_chart_png
from app.statistics.report_dto import ExportResult, MonthlyReport
from app.statistics.reports import TREND_MONTHS, ReportService
from app.statistics.service import (
    COLUMNS,
    DEFINITIONS,
    PERIOD_KINDS,
    RANKING_FORMULA,
    Progress,
    RankRow,
    Statistics,
    StatisticsService,
    StatRow,
    TrendPoint,
    check_period,
    format_rate,
    period,
    period_text,
)
from app.statistics.xlsx import EXTRA, topic_names
from ui.files import announce_saved, ask_save_path
from ui.models.filter_proxy_model import FilterProxyModel
from ui.models.row_table_model import AnyIndex, Column, RowTableModel
from ui.print_preview_dialog import PrintPreviewDialog
from ui.tasks import TaskRunner
from ui.widgets.date_edit import date_edit as _date_edit
from ui.widgets.date_edit import picked as _py
from ui.widgets.frozen_columns import FrozenColumns
from ui.widgets.html import esc
from ui.widgets.messages import show_error, show_info
from ui.widgets.tables import fit_columns, make_table

logger = logging.getLogger(__name__)

RED_BOARD = ("#b3261e", "#fde8e6")  # text, background
BLACK_BOARD = ("#1f2328", "#dfe2e7")
CHART_PX = (580, 310)
CHART_DPI = 110


@dataclass(frozen=True, slots=True)
class Figures:
    """What one run of 统计 brings back from the worker thread."""

    stats: Statistics
    trend: tuple[TrendPoint, ...]
    ranking: tuple[RankRow, ...]
    month: dt.date
    charts: tuple[bytes, ...]  # PNG, in the order of CHARTS


def _sort_value(value: Any) -> Any:
    # A figure without a denominator sorts below every number.
    return -1.0 if value is None else value


def _figure(attr: str) -> Callable[[Any], Any]:
    return lambda r: _sort_value(getattr(r, attr))


def _rate_text(attr: str) -> Callable[[Any], str]:
    return lambda r: format_rate(getattr(r, attr))


def _count_text(get: Callable[[StatRow], Any]) -> Callable[[StatRow], str]:
    return lambda r: str(get(r))


def _stat_columns(first: Sequence[Column[StatRow]]) -> list[Column[StatRow]]:
    columns = list(first)
    columns += [Column(c.header, c.text, _figure(c.attr), True) for c in COLUMNS]
    columns += [Column(header, _count_text(get), get, True) for header, get in EXTRA]
    return columns


OFFICER_COLUMNS = _stat_columns(
    [
        Column("姓名", lambda r: r.label),
        Column("警号", lambda r: r.code),
        Column("身份", lambda r: r.note),
    ]
)
MATTER_COLUMNS = _stat_columns(
    [
        Column("事项编号", lambda r: r.code),
        Column("事项", lambda r: r.label),
        Column("类别", lambda r: r.note),
    ]
)
RANK_COLUMNS: list[Column[RankRow]] = [
    Column("名次", lambda r: str(r.rank) if r.rank else "—", lambda r: r.rank or 10**6, True),
    Column("姓名", lambda r: r.label),
    Column("警号", lambda r: r.code),
    Column("榜单", lambda r: r.board_label or "—"),
    Column(
        "得分",
        lambda r: f"{r.score:.2f}" if r.score is not None else "—",
        lambda r: _sort_value(r.score),
        True,
    ),
    Column("样本（登记+办结）", lambda r: str(r.sample), lambda r: r.sample, True),
    Column(
        "满意率（含基本满意）",
        lambda r: format_rate(r.satisfaction_rate),
        lambda r: _sort_value(r.satisfaction_rate),
        True,
    ),
    Column(
        "按时办结率",
        lambda r: format_rate(r.on_time_rate),
        lambda r: _sort_value(r.on_time_rate),
        True,
    ),
    Column(
        "一次办结率",
        lambda r: format_rate(r.one_visit_rate),
        lambda r: _sort_value(r.one_visit_rate),
        True,
    ),
    Column(
        "回访接通率",
        lambda r: format_rate(r.reach_rate),
        lambda r: _sort_value(r.reach_rate),
        True,
    ),
    Column("差评", lambda r: str(r.bad), lambda r: r.bad, True),
    Column("超范围告知", lambda r: str(r.breaches), lambda r: r.breaches, True),
    Column("属实投诉", lambda r: str(r.complaints_founded), lambda r: r.complaints_founded, True),
    Column("按全所比率计算", lambda r: "、".join(r.substituted)),
]
TREND_COLUMNS: list[Column[TrendPoint]] = [
    Column("月份", lambda p: p.label, lambda p: p.month),
    Column("登记量", lambda p: str(p.visits), lambda p: p.visits, True),
    Column("办结量", lambda p: str(p.finished), lambda p: p.finished, True),
    *(
        Column(header, _rate_text(attr), _figure(attr), True)
        for attr, header in (
            ("on_time_rate", "按时办结率"),
            ("satisfaction_rate", "满意率（含基本满意）"),
            ("strict_rate", "满意率（不含基本满意）"),
            ("one_visit_rate", "一次办结率"),
            ("call_rate", "回访率"),
            ("reach_rate", "接通率"),
        )
    ),
    Column("差评", lambda p: str(p.bad), lambda p: p.bad, True),
    Column("投诉", lambda p: str(p.complaints), lambda p: p.complaints, True),
]


class StatTableModel(RowTableModel[StatRow]):
    """Figures per officer or matter; the 合计 row in bold."""

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """As RowTableModel, with the total row bold."""
        if (
            role == Qt.ItemDataRole.FontRole
            and index.isValid()
            and self.row_at(index.row()).kind == "total"
        ):
            font = QFont()
            font.setBold(True)
            return font
        return super().data(index, role)


class BoardTableModel(RowTableModel[RankRow]):
    """The 红黑榜: 红榜 rows red on pink, 黑榜 rows on grey, the unranked muted."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(RANK_COLUMNS, muted=lambda r: r.board == "unranked", parent=parent)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """As RowTableModel, with the board's colours."""
        if index.isValid() and role in (
            Qt.ItemDataRole.ForegroundRole,
            Qt.ItemDataRole.BackgroundRole,
            Qt.ItemDataRole.FontRole,
        ):
            board = self.row_at(index.row()).board
            colours = RED_BOARD if board == "red" else BLACK_BOARD if board == "black" else None
            if colours is not None:
                if role == Qt.ItemDataRole.FontRole:
                    font = QFont()
                    font.setBold(True)
                    return font
                colour = colours[0] if role == Qt.ItemDataRole.ForegroundRole else colours[1]
                return QBrush(QColor(colour))
        return super().data(index, role)


class _Signals(QObject):
    """Carries progress from the worker thread to the page (a queued connection)."""

    progress = Signal(int, int)


def definitions_html() -> str:
    """Every figure's definition, and the ranking formula."""
    names = topic_names()
    items = "".join(
        f"<p><b>{esc(names[key])}</b><br>{esc(text)}</p>" for key, text in DEFINITIONS.items()
    )
    return f"<h3>指标口径</h3>{items}<h3>红黑榜排名规则</h3><p>{esc(RANKING_FORMULA)}</p>"


def summary_text(stats: Statistics) -> str:
    """One line of the station's key figures for the period."""
    t = stats.total
    return (
        f"{stats.label}：登记 {t.visits} 件，办结 {t.finished} 件，按时办结率 "
        f"{format_rate(t.on_time_rate)}，在办超期 {t.open_overdue} 件；一次办结率 "
        f"{format_rate(t.one_visit_rate)}；满意率（含基本满意）{format_rate(t.satisfaction_rate)}，"
        f"满意率（不含基本满意）{format_rate(t.strict_rate)}，差评 {t.bad} 件；回访率 "
        f"{format_rate(t.call_rate)}；投诉 {t.complaints} 件。"
    )


def _board_page(board_table: QTableView) -> tuple[QWidget, QLabel]:
    """红黑榜: its title (returned too: the page fills it in), the board, and the ranking rule in
    one line."""
    board_title = QLabel()
    board_title.setObjectName("hint")
    # The whole rule is on 指标说明 (and in the tooltip): here it took half the board's
    # height, and at 特大 left four rows of the ranking in view.
    formula = QLabel(
        "排名规则：得分由满意率、按时办结率、一次办结率、回访接通率和差评、超范围告知、投诉扣分"
        "算出，详见“指标说明”页。"
    )
    formula.setToolTip(RANKING_FORMULA)
    formula.setWordWrap(True)
    formula.setObjectName("hint")
    board_page = QWidget()
    board_box = QVBoxLayout(board_page)
    board_box.addWidget(board_title)
    board_box.addWidget(board_table, 1)
    board_box.addWidget(formula)
    return board_page, board_title


def _trend_page(trend_table: QTableView) -> tuple[QScrollArea, QLabel, list[QLabel]]:
    """趋势: the charts two by two above the months' table, scrolling; with its title and the
    charts' pictures (the page fills them in)."""
    chart_labels: list[QLabel] = []
    charts = QWidget()
    grid = QGridLayout(charts)
    for index, _chart in enumerate(CHARTS):
        picture = QLabel()
        picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        picture.setMinimumSize(*CHART_PX)
        grid.addWidget(picture, index // 2, index % 2)
        chart_labels.append(picture)
    trend_title = QLabel()
    trend_title.setObjectName("hint")
    trend_page = QWidget()
    trend_box = QVBoxLayout(trend_page)
    trend_box.addWidget(trend_title)
    trend_box.addWidget(charts)
    trend_table.setMinimumHeight(260)
    trend_box.addWidget(trend_table)
    trend_scroll = QScrollArea()
    trend_scroll.setWidgetResizable(True)
    trend_scroll.setWidget(trend_page)
    return trend_scroll, trend_title, chart_labels


def _definitions_view() -> QTextBrowser:
    """指标说明: every figure's definition, and the ranking rule."""
    definitions = QTextBrowser()
    definitions.setObjectName("detail")
    definitions.setHtml(definitions_html())
    return definitions


class StatisticsPage(QWidget):
    """For the chief and deputies (the services refuse anyone else, in Chinese)."""

    def __init__(
        self,
        statistics: StatisticsService,
        reports: ReportService,
        user: SessionUser,
        today: dt.date,
        parent: QWidget | None = None,
        compute_on_show: bool = True,
    ) -> None:
        super().__init__(parent)
        # Opened on the last complete month, computed as soon as the page is first shown.
        self._compute_on_show = compute_on_show
        last_month = today.replace(day=1) - dt.timedelta(days=1)
        self._statistics = statistics
        self._reports = reports
        self._user = user
        self._tasks = TaskRunner(self)
        self._signals = _Signals(self)
        self._signals.progress.connect(self._on_progress)
        self.busy = False
        self.figures: Figures | None = None

        self._build_period(last_month)
        self._build_buttons()
        self._connect_controls()
        controls = self._controls_row()

        self._build_tables()
        self._build_summary()
        board_page, self.board_title = _board_page(self.board_table)
        trend_scroll, self.trend_title, self.chart_labels = _trend_page(self.trend_table)
        definitions = _definitions_view()
        self._build_tabs(trend_scroll, board_page, definitions)
        self._lay_out(controls)
        self._kind_changed()

    # ---- the page's parts, in the order they are built ----------------------------------

    def _build_period(self, last_month: dt.date) -> None:
        """统计期间: its kind, its day or range (the last complete month to start)."""
        self.kind = QComboBox()
        for key, name in PERIOD_KINDS.items():
            self.kind.addItem(name, key)
        self.kind.setCurrentIndex(list(PERIOD_KINDS).index("month"))
        self.day_edit = _date_edit(last_month)
        first, last = period("month", last_month)
        self.from_edit = _date_edit(first)
        self.to_edit = _date_edit(last)
        self.day_label = QLabel("日期")
        self.range_labels = (QLabel("从"), QLabel("至"))
        self.period_label = QLabel()
        self.period_label.setObjectName("hint")

    def _build_buttons(self) -> None:
        """统计, 导出 Excel, 打印月度通报, the progress bar and the status line."""
        self.run_button = QPushButton("统计")
        self.run_button.setDefault(True)
        self.export_button = QPushButton("导出 Excel…")
        self.print_button = QPushButton("打印月度通报…")
        self.print_button.setToolTip("所选期间结束日所在月份的月度通报（含红黑榜和趋势图）")
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.setFormat("%p%")
        self.progress.setMaximumWidth(220)
        self.progress.hide()
        self.status = QLabel("选择统计期间后点“统计”。")
        self.status.setObjectName("hint")
        self.status.setWordWrap(True)

    def _connect_controls(self) -> None:
        """The controls' signals: the period label follows the choice; the buttons act."""
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.day_edit.dateChanged.connect(self._update_period_label)
        self.from_edit.dateChanged.connect(self._update_period_label)
        self.to_edit.dateChanged.connect(self._update_period_label)
        self.run_button.clicked.connect(self.run)
        self.export_button.clicked.connect(self.export_excel)
        self.print_button.clicked.connect(self.print_monthly)

    def _controls_row(self) -> QHBoxLayout:
        """The period and 统计 on the left, the outputs on the right."""
        controls = QHBoxLayout()
        controls.addWidget(QLabel("统计期间"))
        controls.addWidget(self.kind)
        controls.addWidget(self.day_label)
        controls.addWidget(self.day_edit)
        controls.addWidget(self.range_labels[0])
        controls.addWidget(self.from_edit)
        controls.addWidget(self.range_labels[1])
        controls.addWidget(self.to_edit)
        controls.addWidget(self.run_button)
        controls.addWidget(self.progress)
        controls.addStretch(1)
        controls.addWidget(self.export_button)
        controls.addWidget(self.print_button)
        return controls

    def _build_tables(self) -> None:
        """按民警, 按事项, 红黑榜 (名次 and 姓名 frozen) and the trend's table."""
        self.officer_model = StatTableModel(OFFICER_COLUMNS, parent=self)
        self.officer_table = self._table(self.officer_model, len(OFFICER_COLUMNS) - 1)
        self.matter_model = StatTableModel(MATTER_COLUMNS, parent=self)
        self.matter_table = self._table(self.matter_model, len(MATTER_COLUMNS) - 1)
        self.board_model = BoardTableModel(self)
        self.board_table = self._table(self.board_model, len(RANK_COLUMNS) - 1)
        # 名次 and 姓名 stay in view while the figures scroll sideways.
        self.board_frozen = FrozenColumns(self.board_table, 2)
        self.trend_model: RowTableModel[TrendPoint] = RowTableModel(TREND_COLUMNS, parent=self)
        self.trend_table = self._table(self.trend_model, len(TREND_COLUMNS) - 1)

    def _build_summary(self) -> None:
        """The station's key figures for the period, in one selectable line."""
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def _build_tabs(
        self, trend_scroll: QScrollArea, board_page: QWidget, definitions: QTextBrowser
    ) -> None:
        """按民警, 按事项, 趋势, 红黑榜, 指标说明."""
        self.tabs = QTabWidget()
        self.tabs.addTab(self.officer_table, "按民警")
        self.tabs.addTab(self.matter_table, "按事项")
        self.tabs.addTab(trend_scroll, "趋势")
        self.tabs.addTab(board_page, "红黑榜")
        self.tabs.addTab(definitions, "指标说明")

    def _lay_out(self, controls: QHBoxLayout) -> None:
        """Controls, the period, the summary, the tabs and the status line, top to bottom."""
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(self.period_label)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.status)

    def _table(self, model: RowTableModel[Any], stretch: int) -> QTableView:
        proxy = FilterProxyModel(self)
        proxy.setSourceModel(model)
        return make_table(proxy, stretch_column=stretch)

    def showEvent(self, event: QShowEvent) -> None:
        """The first time: the last complete month's figures, without a click on 统计."""
        super().showEvent(event)
        if self._compute_on_show:
            self._compute_on_show = False
            QTimer.singleShot(0, self, self._first_run)

    def _first_run(self) -> None:
        if self.figures is None and not self.busy:
            self.run()

    # ---- the period ---------------------------------------------------------------------

    def set_period(self, kind: str, start: dt.date, end: dt.date | None = None) -> None:
        """Choose the period (tests, other pages): a kind and its day, or a custom range."""
        self.kind.setCurrentIndex(list(PERIOD_KINDS).index(kind))
        if kind == "custom":
            self.from_edit.setDate(QDate(start.year, start.month, start.day))
            last = end or start
            self.to_edit.setDate(QDate(last.year, last.month, last.day))
        else:
            self.day_edit.setDate(QDate(start.year, start.month, start.day))

    def selected_period(self) -> tuple[dt.date, dt.date]:
        """The chosen range, checked (a reversed or too long range raises ValidationError)."""
        kind = self.kind.currentData()
        if kind == "custom":
            return check_period(_py(self.from_edit), _py(self.to_edit))
        return check_period(*period(kind, _py(self.day_edit)))

    def _kind_changed(self) -> None:
        custom = self.kind.currentData() == "custom"
        self.day_label.setVisible(not custom)
        self.day_edit.setVisible(not custom)
        for widget in (*self.range_labels, self.from_edit, self.to_edit):
            widget.setVisible(custom)
        self._update_period_label()

    def _update_period_label(self) -> None:
        try:
            start, end = self.selected_period()
        except StationDeskError as exc:
            self.period_label.setText(exc.message)
            return
        self.period_label.setText(
            f"统计期间：{period_text(start, end)}（{start.isoformat()} 至 {end.isoformat()}）"
        )

    def _checked_period(self) -> tuple[dt.date, dt.date] | None:
        try:
            return self.selected_period()
        except StationDeskError as exc:
            self.status.setText(exc.message)
            show_error(self, exc.message)
            return None

    # ---- actions ------------------------------------------------------------------------

    def run(self) -> None:
        """Compute the period, the trend and the month's 红黑榜 on a worker thread: the
        period counted once, the trend's months once (the board comes from them)."""
        if self.busy:
            return
        chosen = self._checked_period()
        if chosen is None:
            return
        start, end = chosen
        reports, user = self._reports, self._user

        def work(progress: Progress) -> Figures:
            overview = reports.overview(user, start, end, progress, TREND_MONTHS)
            shown = chart_months(overview.trend)  # a lone month shows the months before it
            charts = tuple(
                trend_chart_png(shown, chart, *CHART_PX, dpi=CHART_DPI) for chart in CHARTS
            )
            return Figures(
                overview.stats, overview.trend, overview.ranking, overview.ranking_month, charts
            )

        self._start("正在统计…", work, self._show)

    def export_excel(self) -> None:
        """Write the period's statistics to an .xlsx file the officer chooses."""
        if self.busy:
            return
        chosen = self._checked_period()
        if chosen is None:
            return
        start, end = chosen
        target = ask_save_path(
            self,
            "statistics-xlsx",
            "导出统计表",
            f"窗口服务统计-{period_text(start, end)}.xlsx",
            "Excel 工作簿 (*.xlsx)",
        )
        if target is None:
            return
        if target.suffix.lower() != ".xlsx":
            target = target.with_name(target.name + ".xlsx")
        reports, user = self._reports, self._user
        self._start(
            "正在导出…",
            lambda progress: reports.export_statistics(user, start, end, target, progress),
            self._exported,
        )

    def print_monthly(self) -> None:
        """Preview the 月度通报 of the month the period ends in; printing is logged."""
        if self.busy:
            return
        chosen = self._checked_period()
        if chosen is None:
            return
        month = chosen[1].replace(day=1)
        reports, user = self._reports, self._user
        self._start(
            "正在生成月度通报…",
            lambda progress: reports.monthly_report(user, month, progress),
            self._preview,
        )

    # ---- the worker ---------------------------------------------------------------------

    def _start(
        self, text: str, work: Callable[[Progress], Any], done: Callable[[Any], None]
    ) -> None:
        self.busy = True
        for button in (self.run_button, self.export_button, self.print_button):
            button.setEnabled(False)
        self.progress.setRange(0, 0)  # busy until the first step is reported
        self.progress.show()
        self.status.setText(text)
        emit = self._signals.progress.emit

        def finished(result: Any) -> None:
            self._finish()
            done(result)

        self._tasks.start(lambda: work(emit), finished, self._failed)

    def _on_progress(self, step: int, total: int) -> None:
        if self.busy and total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(min(step, total))

    def _finish(self) -> None:
        self.busy = False
        for button in (self.run_button, self.export_button, self.print_button):
            button.setEnabled(True)
        if self.progress.maximum() == 0:
            self.progress.setRange(0, 1)
        self.progress.setValue(self.progress.maximum())

    def _failed(self, exc: BaseException) -> None:
        self._finish()
        self.progress.hide()
        if isinstance(exc, StationDeskError):
            message = exc.message
        else:
            logger.error("statistics job failed", exc_info=exc)
            message = "操作未完成：发生意外错误，详情已写入日志。请重试；如仍失败请联系系统管理员。"
        self.status.setText(message)
        show_error(self, message)

    # ---- results ------------------------------------------------------------------------

    def _show(self, figures: Figures) -> None:
        self.figures = figures
        stats = figures.stats
        self.officer_model.set_rows([*stats.by_officer, stats.total])
        self.matter_model.set_rows([*stats.by_matter, stats.total])
        self.board_model.set_rows(figures.ranking)
        self.trend_model.set_rows(figures.trend)
        for table in (self.officer_table, self.matter_table, self.board_table, self.trend_table):
            fit_columns(table, widest=200)
        for label, png in zip(self.chart_labels, figures.charts, strict=True):
            pixmap = QPixmap()
            pixmap.loadFromData(png, "PNG")
            label.setPixmap(pixmap)
        month = f"{figures.month.year}年{figures.month.month}月"
        self.board_title.setText(
            f"{month}红黑榜（统计期间结束日所在月份）：红榜 "
            f"{sum(r.board == 'red' for r in figures.ranking)} 人，黑榜 "
            f"{sum(r.board == 'black' for r in figures.ranking)} 人。"
        )
        if figures.trend:
            self.trend_title.setText(
                f"全所月度趋势：{figures.trend[0].label}至{figures.trend[-1].label}"
                "（图中略去启用前没有记录的月份；比率没有分母的月份不画点）"
            )
        self.summary.setText(summary_text(stats))
        self.status.setText(
            f"统计完成：民警 {len(stats.by_officer)} 人，事项 {len(stats.by_matter)} 项。"
        )

    def _exported(self, result: ExportResult) -> None:
        text = f"已导出{result.label}的统计表：{result.path}"
        self.status.setText(text)
        if not announce_saved(self, result.path):
            show_info(self, text, "导出完成")

    def _preview(self, report: MonthlyReport) -> None:
        self.status.setText(f"已生成{report.title}。")
        reports, user, month = self._reports, self._user, report.month
        PrintPreviewDialog(
            report.pdf,
            report.title,
            report.file_name,
            lambda: reports.record_monthly_report_print(user, month, copy_no=report.copy_no),
            report.warning,
            self,
        ).exec()
