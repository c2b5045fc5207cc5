"""历史台账导入: choose the station's Excel ledger, match its columns, check every row, import.

The dialog walks the supervisor through the service's steps: a file (and a sheet), the
columns matched to StationDesk's fields (guessed from the headers), a preview of the first
rows as they will be imported (ID numbers and phones masked), 检查 with the rejected rows and
their reasons (saved as a report to fix the sheet), and 导入 — enabled only once the check has
passed, with the importer's signature, since the days it fills are locked as reviewed.
Reading, checking and importing run on a worker thread behind a wait indicator.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.dto import SessionUser
from app.core.errors import StationDeskError
from app.ledger.importer import (
    FIELDS,
    PREVIEW_COLUMNS,
    ImportCheck,
    ImportRejected,
    ImportResult,
    ImportSource,
    LedgerImportService,
    preview_rows,
    write_report,
)
from app.ledger.service import ReviewSignature
from ui.files import announce_saved, ask_save_path, folder_for, remember_folder
from ui.tasks import run_with_progress
from ui.widgets.default_button import make_default
from ui.widgets.screen_fit import fit_to_screen, scrolling
from ui.widgets.signature_pad import SignaturePad

logger = logging.getLogger(__name__)

FILE_KIND = "ledger_import"
NOT_MAPPED = "（不导入）"
SHOWN_PROBLEMS = 1000
UNEXPECTED = "操作未完成：发生意外错误，详情已写入日志。请重试；如仍失败请联系系统管理员。"


def _table(headers: tuple[str, ...]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _fill(table: QTableWidget, rows: list[tuple[str, ...]]) -> None:
    table.setRowCount(len(rows))
    for r, cells in enumerate(rows):
        for c, text in enumerate(cells):
            table.setItem(r, c, QTableWidgetItem(text))


class LedgerImportDialog(QDialog):
    """File → sheet → columns → preview → 检查 → 导入, each step by keyboard."""

    def __init__(
        self, service: LedgerImportService, user: SessionUser, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setProperty("help_key", "ledger_import")  # F1: resources/help/ledger_import.html
        self.setWindowTitle("历史台账导入")
        self._service = service
        self._user = user
        self.source: ImportSource | None = None
        self.check: ImportCheck | None = None
        self.imported: ImportResult | None = None
        self._loading = False

        intro, file_row = self._build_file_row()
        mapping_box = self._build_mapping()
        preview_box = self._build_preview()
        sign_row = self._build_signature()
        buttons = self._build_buttons()
        self._lay_out(intro, file_row, mapping_box, preview_box, sign_row, buttons)
        # Wide enough for the columns, as tall as the screen allows (a laptop's 768 lines too).
        fit_to_screen(self, 980, 820)
        self._update_buttons()
        make_default(self.choose_button)
        self.choose_button.setFocus()

    def _build_file_row(self) -> tuple[QLabel, QHBoxLayout]:
        """The introduction, and the file with its sheet."""
        intro = QLabel(
            "把本所原来用 Excel 记的窗口台账导入本系统（.xlsx 或 .csv）。每一行按登记表的规则检查；"
            "有一行未通过就整份不导入，请按检查结果修改表格后再导入。导入的各日台账随即由您签字"
            "审核锁定。"
        )
        intro.setWordWrap(True)
        intro.setObjectName("hint")

        self.path_edit = QLineEdit()
        self.path_edit.setReadOnly(True)
        self.path_edit.setPlaceholderText("尚未选择文件")
        self.choose_button = QPushButton("选择文件(&O)…")
        self.choose_button.clicked.connect(self.choose_file)
        self.sheet_combo = QComboBox()
        self.sheet_combo.setMinimumContentsLength(12)
        self.sheet_combo.currentIndexChanged.connect(self._sheet_changed)
        file_row = QHBoxLayout()
        file_row.addWidget(QLabel("台账文件："))
        file_row.addWidget(self.path_edit, 1)
        file_row.addWidget(self.choose_button)
        file_row.addWidget(QLabel("工作表："))
        file_row.addWidget(self.sheet_combo)
        return intro, file_row

    def _build_mapping(self) -> QGroupBox:
        """Each StationDesk field and the sheet's column that fills it."""
        mapping_box = QGroupBox("列对应（带 * 的必须选择；已按表头自动对应，请核对）")
        grid = QGridLayout(mapping_box)
        self.combos: dict[str, QComboBox] = {}
        half = (len(FIELDS) + 1) // 2
        for index, spec in enumerate(FIELDS):
            combo = QComboBox()
            combo.setMinimumContentsLength(10)
            combo.currentIndexChanged.connect(self._mapping_changed)
            label = QLabel(f"{spec.label}{' *' if spec.required else ''}：")
            label.setBuddy(combo)
            row, column = index % half, (index // half) * 2
            grid.addWidget(label, row, column)
            grid.addWidget(combo, row, column + 1)
            self.combos[spec.key] = combo
        return mapping_box

    def _build_preview(self) -> QGroupBox:
        """The preview (returned in its box), the check's summary and the rejected rows."""
        self.preview = _table(PREVIEW_COLUMNS)
        self.preview.setMinimumHeight(100)
        preview_box = QGroupBox("预览（前 20 行，按导入后的样子显示；证件号码、电话部分隐藏）")
        QVBoxLayout(preview_box).addWidget(self.preview)

        self.summary = QLabel("请先选择文件。")
        self.summary.setWordWrap(True)
        self.problems = _table(("行号", "列", "原因"))
        self.problems.setMinimumHeight(90)
        self.problems.hide()
        self._scroll_target: QWidget = self.summary  # what 检查 brings into view
        return preview_box

    def _build_signature(self) -> QHBoxLayout:
        """The signature pad and its row (returned, with 重签), then the error line."""
        self.pad = SignaturePad()
        self.pad.setMinimumHeight(90)
        clear = QPushButton("重签")
        clear.setAutoDefault(False)
        clear.clicked.connect(self.pad.clear)
        sign_row = QHBoxLayout()
        sign_row.addWidget(
            QLabel(f"导入人签名（{self._user.name}，确认后导入的各日台账即审核锁定）：")
        )
        sign_row.addStretch(1)
        sign_row.addWidget(clear)

        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.hide()
        return sign_row

    def _build_buttons(self) -> QHBoxLayout:
        """检查, 保存报告, 导入 and 关闭."""
        self.check_button = QPushButton("检查(&C)")
        self.check_button.clicked.connect(self.run_check)
        self.report_button = QPushButton("保存报告(&S)…")
        self.report_button.clicked.connect(self.save_report)
        self.import_button = QPushButton("导入(&I)")
        self.import_button.clicked.connect(self.run_import)
        self.close_button = QPushButton("关闭")
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.check_button, self.report_button, self.import_button):
            buttons.addWidget(button)
        buttons.addWidget(self.close_button)
        return buttons

    def _lay_out(
        self,
        intro: QLabel,
        file_row: QHBoxLayout,
        mapping_box: QGroupBox,
        preview_box: QGroupBox,
        sign_row: QHBoxLayout,
        buttons: QHBoxLayout,
    ) -> None:
        """The scrolling body above the signature, the error and the buttons."""
        # The file, the columns, the preview and the check scroll together when the screen is
        # short (1366×768 at 特大, or with the rejected rows shown); the signature and the
        # buttons stay in view.
        body = QVBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.addWidget(intro)
        body.addLayout(file_row)
        body.addWidget(mapping_box)
        body.addWidget(preview_box, 1)
        body.addWidget(self.summary)
        body.addWidget(self.problems, 1)
        self.body = scrolling(body)
        layout = QVBoxLayout(self)
        layout.addWidget(self.body, 1)
        layout.addLayout(sign_row)
        layout.addWidget(self.pad)
        layout.addWidget(self.error)
        layout.addLayout(buttons)

    # ---- steps ---------------------------------------------------------------------------

    def choose_file(self) -> None:
        """Ask for the file (Excel or CSV) and read it."""
        chosen, _filter = QFileDialog.getOpenFileName(
            self,
            "选择历史台账文件",
            str(folder_for(FILE_KIND)),
            "台账文件 (*.xlsx *.csv);;Excel 工作簿 (*.xlsx);;CSV 文件 (*.csv)",
        )
        if chosen:
            remember_folder(FILE_KIND, Path(chosen).parent)
            self.load(Path(chosen))

    def load(self, path: Path, sheet: str | None = None) -> None:
        """Read ``path`` (its ``sheet``): the sheets, the columns guessed, the preview."""
        source = self._background(
            "正在读取台账文件……", lambda _p: self._service.read(self._user, path, sheet)
        )
        if source is None:
            return
        self.source = source
        self.imported = None  # another file after an import: a new round
        self.pad.clear()  # a signature confirms one file, not the next
        self.path_edit.setText(str(path))
        self._loading = True
        try:
            self.sheet_combo.clear()
            self.sheet_combo.addItems(list(source.sheets))
            self.sheet_combo.setCurrentText(source.sheet)
            self.sheet_combo.setEnabled(len(source.sheets) > 1)
            choices = [NOT_MAPPED, *source.headers]
            for key, combo in self.combos.items():
                combo.clear()
                combo.addItems(choices)
                column = source.suggested.get(key)
                combo.setCurrentIndex(0 if column is None else column + 1)
        finally:
            self._loading = False
        self._mapping_changed()
        make_default(self.check_button)
        self.combos[FIELDS[0].key].setFocus()

    def mapping(self) -> dict[str, int | None]:
        """Each field's column as chosen (None: not imported)."""
        return {
            key: (combo.currentIndex() - 1 if combo.currentIndex() > 0 else None)
            for key, combo in self.combos.items()
        }

    def run_check(self) -> None:
        """Check every row; list the rejected ones; 导入 only when none is."""
        source = self.source
        if source is None:
            return
        mapping = self.mapping()
        check = self._background(
            "正在逐行检查台账……",
            lambda progress: self._service.check(
                self._user, source.path, source.sheet, mapping, progress
            ),
        )
        if check is not None:
            self._show_check(check)

    def save_report(self) -> None:
        """Save the check's result (rows, columns, reasons) as .xlsx or .csv."""
        check = self.check
        if check is None:
            return
        stem = Path(check.file_name).stem
        path = ask_save_path(
            self,
            FILE_KIND,
            "保存检查报告",
            f"{stem}-检查报告.xlsx",
            "Excel 工作簿 (*.xlsx);;CSV 文件 (*.csv)",
        )
        if path is None:
            return
        if path.suffix.lower() not in (".xlsx", ".csv"):
            path = path.with_name(path.name + ".xlsx")
        saved = self._background("正在保存检查报告……", lambda _p: write_report(check, path))
        if saved is not None:
            announce_saved(self, saved)
            self.summary.setText(f"{self.summary.text()}\n检查报告已保存：{saved}")

    def run_import(self) -> None:
        """Import the checked file whole, signed; or say why not."""
        source, check = self.source, self.check
        if source is None or check is None or not check.ok:
            return
        if self.pad.is_empty:
            self._show_error("请在签字板上签名确认导入（导入的各日台账将由您审核锁定）。")
            self.pad.setFocus()
            return
        signature = ReviewSignature(self.pad.stroke_data(), self.pad.to_png())
        mapping = self.mapping()
        result = self._background(
            "正在导入历史台账，请勿关闭程序……",
            lambda progress: self._service.import_(
                self._user, source.path, source.sheet, mapping, signature, progress
            ),
        )
        if result is None:
            return
        self.imported = result
        self.summary.setText(
            f"已导入 {result.visits} 条登记（导入编号 {result.number}，"
            f"{result.date_from.isoformat()} 至 {result.date_to.isoformat()}，"
            f"编号 {result.first_serial} 至 {result.last_serial}）；"
            f"{result.days} 天的台账已审核锁定。"
        )
        self.check = None
        self._update_buttons()
        make_default(self.close_button)
        self.close_button.setFocus()

    # ---- internals -----------------------------------------------------------------------

    def _sheet_changed(self) -> None:
        if self._loading or self.source is None:
            return
        sheet = self.sheet_combo.currentText()
        if sheet and sheet != self.source.sheet:
            self.load(self.source.path, sheet)

    def _mapping_changed(self) -> None:
        if self._loading:
            return
        self.check = None
        self.problems.hide()
        if self.source is not None and self.imported is None:
            make_default(self.check_button)  # a changed column needs a new check first
        if self.source is not None:
            rows = preview_rows(self.source, self.mapping())
            _fill(self.preview, [r.cells for r in rows])
            self.summary.setText(
                f"表头在第 {self.source.header_row} 行。核对列对应和预览后，按“检查”逐行检查。"
            )
        self._update_buttons()

    def _show_check(self, check: ImportCheck) -> None:
        self.check = check
        self.error.hide()
        span = (
            f"（{check.date_from.isoformat()} 至 {check.date_to.isoformat()}，{check.days} 天）"
            if check.date_from and check.date_to
            else ""
        )
        if check.ok:
            text = (
                f"检查通过：共 {check.rows_total} 行，全部可以导入{span}。"
                "请在下方签名，然后按“导入”。"
            )
        else:
            text = (
                f"共 {check.rows_total} 行：可导入 {check.accepted} 行，未通过 "
                f"{check.rejected_rows} 行{span}。有未通过的行，不能导入：请按下表修改表格后"
                "重新选择文件检查，可“保存报告”交录入人员修改。"
            )
            if len(check.problems) > SHOWN_PROBLEMS:
                text += f"（下表仅列出前 {SHOWN_PROBLEMS} 条，完整清单请保存报告。）"
        self.summary.setText(text)
        shown = check.problems[:SHOWN_PROBLEMS]
        _fill(self.problems, [(str(p.row_no), p.column, p.reason) for p in shown])
        self.problems.setVisible(bool(shown))
        self._update_buttons()
        # The result in view, however far down the columns and the preview reach.
        # After the layout took the new rows in; with the dialog as context, so that a
        # dialog closed and gone before then is not touched.
        self._scroll_target = self.problems if shown else self.summary
        QTimer.singleShot(0, self, self._scroll_to_result)
        if check.ok:
            make_default(self.import_button)
            self.pad.setFocus()
        else:
            make_default(self.report_button)
            self.problems.setFocus()

    def _scroll_to_result(self) -> None:
        self.body.ensureWidgetVisible(self._scroll_target, 0, 0)

    def _update_buttons(self) -> None:
        loaded = self.source is not None and self.imported is None
        self.check_button.setEnabled(loaded)
        self.report_button.setEnabled(self.check is not None and bool(self.check.problems))
        self.import_button.setEnabled(loaded and self.check is not None and self.check.ok)

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def _background(self, text: str, work: Callable[[Any], Any]) -> Any:
        self.error.hide()
        try:
            return run_with_progress(self, text, work)
        except ImportRejected as exc:
            self._show_check(exc.check)
            self._show_error(exc.message)
        except StationDeskError as exc:
            self._show_error(exc.message)
        except Exception:
            logger.exception("ledger import step failed")
            self._show_error(UNEXPECTED)
        return None
