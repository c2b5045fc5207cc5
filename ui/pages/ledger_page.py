"""台账: the chief's daily ledger — read any day, review and sign, print, export, correct."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.backup.service import BackupService
from app.core import text_limits
from app.core.dto import SessionUser
from app.core.errors import StationDeskError
from app.ledger.pdf import CORRECTION_COLUMNS, ledger_document
from app.ledger.service import (
    CORRECTABLE,
    Ledger,
    LedgerRow,
    LedgerSection,
    LedgerService,
)
from app.printing.fonts import glyph_warning
from app.printing.register_pdf import render_register
from ui.backup_task import back_up_in_background
from ui.dialogs.review_dialog import ReviewDialog
from ui.dialogs.text_form_dialog import Field, TextFormDialog
from ui.files import announce_saved, ask_save_path
from ui.localtime import fmt
from ui.models.filter_proxy_model import FilterProxyModel
from ui.models.row_table_model import Column, RowTableModel
from ui.print_preview_dialog import PrintPreviewDialog
from ui.widgets.flow_layout import FlowLayout, together
from ui.widgets.html import esc
from ui.widgets.messages import show_error, show_info
from ui.widgets.screen_fit import fit_to_screen
from ui.widgets.tables import fit_columns, make_table, on_enter

# Opens a visit (its detail panel and actions) from any row of the ledger.
OpenVisit = Callable[[int], None]


def _cell(index: int) -> Callable[[LedgerRow], str]:
    def text(row: LedgerRow) -> str:
        return row.cells[index] if index < len(row.cells) else ""

    return text


def _columns(titles: tuple[str, ...]) -> list[Column[LedgerRow]]:
    return [Column(title, _cell(i)) for i, title in enumerate(titles)]


class LedgerPage(QWidget):
    """One day at a time; the reviewed copy once locked, with corrections made since."""

    def __init__(
        self,
        ledgers: LedgerService,
        user: SessionUser,
        today: dt.date,
        timezone: str,
        parent: QWidget | None = None,
        open_visit: OpenVisit | None = None,
        export: Callable[[dt.date, int | None, str], object] | None = None,
        backups: BackupService | None = None,
    ) -> None:
        super().__init__(parent)
        self._ledgers = ledgers
        self._backups = backups
        self._user = user
        self._timezone = timezone
        self._open_visit = open_visit
        self._export = export
        self.ledger: Ledger | None = None
        self.form_only = False

        self._build_filters(today)
        self._build_views()
        bar, buttons = self._build_bars()
        self._lay_out(bar, buttons)
        # Today's review opens at the closing hour: look again each minute while it waits.
        self._wake = QTimer(self)
        self._wake.setInterval(60_000)
        self._wake.timeout.connect(self._recheck_review_hour)
        self._wake.start()
        self.reload()

    def _build_filters(self, today: dt.date) -> None:
        """The day, the officer and the days waiting for review."""
        self.date_edit = QDateEdit(QDate(today.year, today.month, today.day))
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.dateChanged.connect(lambda _d: self.reload())
        self.officer_combo = QComboBox()
        self.officer_combo.addItem("全部民警", None)
        try:
            for officer_id, label in self._ledgers.officers(self._user):
                self.officer_combo.addItem(label, officer_id)
        except StationDeskError:
            pass
        self.officer_combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.pending_combo = QComboBox()
        self.pending_combo.setMaxVisibleItems(12)  # the days waiting, not three and a half
        self.pending_combo.activated.connect(self._jump_to_pending)

    def _build_views(self) -> None:
        """The lock state and its note, the day's summary and one tab per section."""
        self.state_label = QLabel()
        self.state_label.setObjectName("ledgerState")
        # What the lock means for the day shown, in words (today before closing, later records).
        self.lock_note = QLabel()
        self.lock_note.setObjectName("hint")
        self.lock_note.setWordWrap(True)
        self.summary = QTextBrowser()
        self.summary.setMaximumHeight(150)
        self.tabs = QTabWidget()
        # The tab strip's scroll arrows are for the mouse; Tab goes past them (Ctrl+Tab and
        # the arrow keys on the strip change the section).
        for arrow in self.tabs.tabBar().findChildren(QToolButton):
            arrow.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.models: dict[str, RowTableModel[LedgerRow]] = {}
        self.tables: dict[str, QTableView] = {}
        self.buttons: dict[str, QPushButton] = {}

    def _build_bars(self) -> tuple[FlowLayout, QHBoxLayout]:
        """The filter bar (with 刷新) and the row of actions on the day."""
        actions = (
            ("review", "审核签字…", self.review),
            ("print", "打印台账…", self.print_ledger),
            ("export", "导出 Excel…", self.export_xlsx),
            ("correct", "登记更正…", self.correct),
            ("open", "打开事项", self.open_selected),
        )
        # Wraps rather than cutting the lock state off (特大 on a 1366 screen).
        bar = FlowLayout()
        bar.addWidget(together("日期", self.date_edit))
        bar.addWidget(self.officer_combo)
        refresh = QPushButton("刷新")
        refresh.clicked.connect(self.reload)
        bar.addWidget(refresh)
        bar.addWidget(self.state_label)
        bar.addWidget(together("待审核", self.pending_combo))
        buttons = QHBoxLayout()
        for key, text, slot in actions:
            button = QPushButton(text)
            button.clicked.connect(slot)
            self.buttons[key] = button
            buttons.addWidget(button)
        buttons.addStretch(1)
        return bar, buttons

    def _lay_out(self, bar: FlowLayout, buttons: QHBoxLayout) -> None:
        """The bar, the lock note, the summary, the sections and the actions, top to bottom."""
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.lock_note)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(buttons)

    def _recheck_review_hour(self) -> None:
        if self.isVisible() and self.ledger is not None and self.ledger.review_blocked:
            self.reload()

    # ---- loading ------------------------------------------------------------------------

    def day(self) -> dt.date:
        """The chosen date."""
        d = self.date_edit.date()
        return dt.date(d.year(), d.month(), d.day())

    def show_day(self, day: dt.date) -> None:
        """Go to a date."""
        self.date_edit.setDate(QDate(day.year, day.month, day.day))

    def showEvent(self, event: QShowEvent) -> None:
        """Fresh each time the page is opened."""
        super().showEvent(event)
        self.reload()

    def reload(self) -> None:
        """Load the chosen day (and the reminder list)."""
        try:
            self.ledger = self._ledgers.ledger(
                self._user, self.day(), self.officer_combo.currentData()
            )
            pending = self._ledgers.pending_days(self._user)
        except StationDeskError as exc:
            self.ledger = None
            self.summary.setHtml(f"<p>{esc(exc.message)}</p>")
            self._update_buttons()
            return
        self.pending_combo.clear()
        if pending:
            for p in pending:
                note = f"，{p.note}" if p.note else ""
                self.pending_combo.addItem(f"{p.day.isoformat()}（{p.visits} 件{note}）", p.day)
        else:
            self.pending_combo.addItem("（无）", None)
        self._show(self.ledger)

    def _show(self, ledger: Ledger) -> None:
        review = ledger.review
        if review is not None:
            self.state_label.setText(
                f"已审核锁定：{review.reviewer}（{review.reviewer_role}） {fmt(review.reviewed_at)}"
            )
            self.state_label.setStyleSheet("color: #1a7f37; font-weight: bold;")
            self.lock_note.setText(
                f"审核锁定 {fmt(review.reviewed_at, '%H:%M')} 以前的记录。审核后又有 "
                f"{sum(len(x.rows) for x in ledger.after_review)} 条记录（见“审核后·”各页），"
                "照常有效，列入次日台账由次日审核签字。"
                if ledger.after_review
                else ""
            )
        else:
            self.state_label.setText("未审核")
            self.state_label.setStyleSheet("color: #9a6700; font-weight: bold;")
            self.lock_note.setText(ledger.review_blocked)
        self.lock_note.setVisible(bool(self.lock_note.text()))
        lines = "".join(
            f"<tr><td><b>{esc(k)}</b></td><td>{esc(v)}</td></tr>" for k, v in ledger.summary
        )
        comment = (
            f"<p><b>审核意见</b>：{esc(review.comment)}</p>" if review and review.comment else ""
        )
        if review is not None:
            # What the signed copy carries: a chief can compare the screen with the paper.
            comment += (
                f"<p><b>内容校验</b>：{esc(review.content_sha256[:16].upper())}　"
                f"<b>审计链锚点</b>：{esc(review.anchor)}</p>"
            )
        self.summary.setHtml(f"<table cellpadding='1'>{lines}</table>{comment}")
        current = self.tabs.currentIndex()
        self.tabs.clear()
        self.models.clear()
        self.tables.clear()
        sections = list(ledger.sections)
        if ledger.locked:
            sections.append(
                LedgerSection("corrections", "审核后更正", CORRECTION_COLUMNS, ledger.corrections)
            )
            sections.extend(ledger.after_review)
        for section in sections:
            model: RowTableModel[LedgerRow] = RowTableModel(
                _columns(section.columns),
                colour=lambda r: "#b3261e" if r.marked else None,
            )
            model.set_rows(section.rows)
            proxy = FilterProxyModel(self)
            proxy.setSourceModel(model)
            table = make_table(proxy, stretch_column=len(section.columns) - 1)
            table.doubleClicked.connect(lambda _i: self.open_selected())
            on_enter(table, self.open_selected)  # as the double-click, by keyboard
            table.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
            fit_columns(table, widest=220)
            self.models[section.key] = model
            self.tables[section.key] = table
            self.tabs.addTab(table, f"{section.title}（{len(section.rows)}）")
        if 0 <= current < self.tabs.count():
            self.tabs.setCurrentIndex(current)
        self._update_buttons()

    def _update_buttons(self) -> None:
        ledger = self.ledger
        row = self.selected_row()
        self.buttons["review"].setEnabled(
            ledger is not None
            and not ledger.locked
            and not ledger.officer_filter
            and not ledger.review_blocked
        )
        self.buttons["review"].setToolTip(ledger.review_blocked if ledger is not None else "")
        self.buttons["print"].setEnabled(ledger is not None)
        self.buttons["export"].setEnabled(ledger is not None and self._export is not None)
        self.buttons["correct"].setEnabled(
            ledger is not None
            and ledger.locked
            and self.current_key() == "visits"
            and row is not None
            and row.visit_id is not None
        )
        self.buttons["open"].setEnabled(
            row is not None and row.visit_id is not None and self._open_visit is not None
        )

    def current_key(self) -> str:
        """The section shown."""
        table = self.tabs.currentWidget()
        return next((k for k, t in self.tables.items() if t is table), "")

    def selected_row(self) -> LedgerRow | None:
        """The selected row of the section shown."""
        key = self.current_key()
        table = self.tables.get(key)
        if table is None:
            return None
        indexes = table.selectionModel().selectedRows()
        if not indexes:
            return None
        proxy = table.model()
        assert isinstance(proxy, FilterProxyModel)
        return self.models[key].row_at(proxy.mapToSource(indexes[0]).row())

    def _jump_to_pending(self, index: int) -> None:
        day = self.pending_combo.itemData(index)
        if isinstance(day, dt.date):
            self.show_day(day)

    # ---- actions ------------------------------------------------------------------------

    def review(self) -> ReviewDialog | None:
        """Review, sign and lock the day shown."""
        if self.ledger is None:
            return None
        dialog = ReviewDialog(self._ledgers, self._user, self.ledger, self)
        if self.form_only:
            return dialog
        dialog.exec()
        self.reload()
        if dialog.saved is not None:
            self.back_up_after_review()
            show_info(
                self, f"{self.ledger.day.isoformat() if self.ledger else ''} 台账已审核锁定。"
            )
        return None

    def back_up_after_review(self) -> None:
        """The day just locked: a backup to the station's folder, in the background."""
        backups = self._backups
        if backups is not None:
            back_up_in_background(
                self, lambda: backups.backup(None, None, "after_review"), "审核后自动备份"
            )

    def print_ledger(self) -> None:
        """Preview and print the ledger (the signed copy once reviewed)."""
        ledger = self.ledger
        if ledger is None:
            return
        try:
            # The second and later prints of a day's ledger say 补打 on every page.
            copy_no = self._ledgers.print_copy_no(self._user, ledger.day)
            doc = ledger_document(ledger, self._timezone, dt.datetime.now(dt.UTC), copy_no)
            pdf = render_register(doc)
        except StationDeskError as exc:
            show_error(self, exc.message)
            return
        PrintPreviewDialog(
            pdf,
            "窗口服务每日台账",
            f"每日台账-{ledger.day.isoformat()}.pdf",
            lambda: self._ledgers.record_print(self._user, ledger.day, "pdf", copy_no=copy_no),
            glyph_warning(doc.texts()),
            self,
        ).exec()

    def export_xlsx(self) -> None:
        """Save the ledger as an Excel workbook."""
        ledger = self.ledger
        if ledger is None or self._export is None:
            return
        path = ask_save_path(
            self,
            "ledger-xlsx",
            "导出台账",
            f"每日台账-{ledger.day.isoformat()}.xlsx",
            "Excel 工作簿 (*.xlsx)",
        )
        if path is None:
            return
        try:
            self._export(ledger.day, self.officer_combo.currentData(), str(path))
        except StationDeskError as exc:
            show_error(self, exc.message)
            return
        if not announce_saved(self, path):
            show_info(self, f"已导出：{path}")

    def correct(self) -> TextFormDialog | None:
        """更正记录 for the selected visit of a locked day."""
        row = self.selected_row()
        if row is None or row.visit_id is None:
            return None
        visit_id = row.visit_id
        dialog = TextFormDialog(
            "登记更正记录",
            f"{row.cells[0]}　该日台账已审核锁定，更正将作为更正记录列入今日台账，原记录保留。",
            [
                Field("field", "更正项", choices=tuple(CORRECTABLE.items())),
                Field("new_value", "更正为", placeholder="作废登记时可不填"),
                Field("reason", "更正原因", multiline=True, limit=text_limits.NOTE),
            ],
            lambda v: self._ledgers.correct(
                self._user, visit_id, v["field"], v["new_value"], v["reason"]
            ),
            "登记更正",
            self,
        )
        if self.form_only:
            return dialog
        if dialog.exec():
            self.reload()
        return None

    def open_selected(self) -> None:
        """Open the visit a row is about."""
        row = self.selected_row()
        if row is not None and row.visit_id is not None and self._open_visit is not None:
            self._open_visit(row.visit_id)
            self.reload()


class VisitDialog(QDialog):
    """A visit's detail panel on its own, opened from the ledger."""

    def __init__(self, panel: QWidget, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        fit_to_screen(self, 760, 640)
        layout = QVBoxLayout(self)
        layout.addWidget(panel)
        attach = getattr(panel, "attach_shortcuts", None)
        if attach is not None:  # the visit's shortcuts work anywhere in this dialog
            attach(self)
