"""短信回访: the list for the station's SMS platform (full numbers, asked why and audited) and
the platform's replies read back, with what became of each.

Both dialogs are filled by keyboard: the first field has the focus, Tab goes down the form, an
Alt letter reaches each field, Enter presses 导出 / 导入 (and 关闭 once the import is done).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
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

from app.callbacks.sms import (
    MAX_DAYS,
    REPLY_DAYS,
    SOURCES,
    SmsExport,
    SmsImportReport,
    SmsService,
    save_report,
)
from app.core.dto import SessionUser
from app.core.errors import StationDeskError, ValidationError
from app.core.reveal_purposes import CALLBACK_PHONE_PURPOSES, DETAIL_MAX
from ui.files import announce_saved, ask_save_path, folder_for, remember_folder
from ui.tasks import run_with_progress
from ui.widgets.char_count import with_count
from ui.widgets.date_edit import date_edit, picked
from ui.widgets.default_button import make_default
from ui.widgets.field_errors import FieldErrors
from ui.widgets.messages import show_error
from ui.widgets.screen_fit import fit_to_screen

FILES = "sms"  # where the list and the replies' files are looked for (ui.files)
FILTERS = "Excel 文件 (*.xlsx);;CSV 文件 (*.csv)"
EXAMPLE = "如：九月办结事项的短信回访，导入短信平台发送"
REPORT_HEADERS = ("行号", "手机号码", "回复时间", "回复内容", "结果", "说明", "受理编号")


def _file_row(edit: QLineEdit, browse: QPushButton) -> QWidget:
    row = QWidget()
    box = QHBoxLayout(row)
    box.setContentsMargins(0, 0, 0, 0)
    box.addWidget(edit, 1)
    box.addWidget(browse)
    return row


class SmsExportDialog(QDialog):
    """短信名单导出: the period, the list, why, and the file; ``exported`` once written."""

    def __init__(
        self,
        sms: SmsService,
        user: SessionUser,
        start: dt.date,
        end: dt.date,
        supervisor: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setProperty("help_key", "callbacks")  # F1: resources/help/callbacks.html
        self._sms = sms
        self._user = user
        self.exported: SmsExport | None = None
        self.setWindowTitle("短信名单导出")
        intro, period = self._build_period(start, end)
        self._build_fields(start, end, supervisor)
        general, form = self._build_form(period)
        hint, buttons = self._build_buttons()
        self._lay_out(intro, form, general, hint, buttons)
        fit_to_screen(self, 720, 460)
        self.from_edit.setFocus()

    def _build_period(self, start: dt.date, end: dt.date) -> tuple[QLabel, QWidget]:
        """The introduction, and the period's two dates in one row."""
        intro = QLabel(
            "导出供短信平台发送的回访名单（手机号码、姓名、受理编号、办理事项、办结日期及短信"
            "模板所用的派出所名称、回复说明）。文件含完整手机号码，导出须写明用途和具体事由，"
            "连同期间、名单范围和条数记入审计日志；文件请妥善保管，发送后及时删除。"
            "固定电话和未留电话的事项不列入。"
        )
        intro.setWordWrap(True)
        self.from_edit = date_edit(start)
        self.to_edit = date_edit(end)
        period = QWidget()
        period_box = QHBoxLayout(period)
        period_box.setContentsMargins(0, 0, 0, 0)
        period_box.addWidget(self.from_edit)
        period_box.addWidget(QLabel("至"))
        period_box.addWidget(self.to_edit)
        period_box.addStretch(1)
        return intro, period

    def _build_fields(self, start: dt.date, end: dt.date, supervisor: bool) -> None:
        """The list's source, the purpose and its detail, and the file to save to."""
        self.source_box = QComboBox()
        for key, words in SOURCES.items():
            if supervisor or key == "callbacks":
                self.source_box.addItem(words, key)
        self.purpose_box = QComboBox()
        for purpose in CALLBACK_PHONE_PURPOSES:
            self.purpose_box.addItem(purpose, purpose)
        self.detail_edit = QLineEdit()
        self.detail_edit.setPlaceholderText(EXAMPLE)
        self._name = self._suggested(start, end)
        self.path_edit = QLineEdit(str(folder_for(FILES) / self._name))
        self.from_edit.dateChanged.connect(self._rename)
        self.to_edit.dateChanged.connect(self._rename)
        self.browse_button = QPushButton("浏览(&B)…")
        self.browse_button.setAutoDefault(False)
        self.browse_button.clicked.connect(self.browse)

    def _build_form(self, period: QWidget) -> tuple[QLabel, QFormLayout]:
        """The form with a message under each row; returns the general message's label and
        the form."""
        general = QLabel()
        self.errors = FieldErrors(general)
        detail_row, _count = with_count(
            self.detail_edit, DETAIL_MAX, "具体事由", self.errors, "detail"
        )
        form = QFormLayout()
        rows: tuple[tuple[str, QWidget, QWidget, str], ...] = (
            ("办结日期(&D)", period, self.from_edit, "period"),
            ("名单范围(&L)", self.source_box, self.source_box, "source"),
            ("查看用途(&U)", self.purpose_box, self.purpose_box, "purpose"),
            ("具体事由(&R)", detail_row, self.detail_edit, "detail"),
            ("保存到(&F)", _file_row(self.path_edit, self.browse_button), self.path_edit, "path"),
        )
        for text, widget, buddy, field in rows:
            label = QLabel(text)
            label.setBuddy(buddy)
            form.addRow(label, widget)
            form.addRow("", self.errors.add(field, buddy))
        return general, form

    def _build_buttons(self) -> tuple[QLabel, QDialogButtonBox]:
        """The hint on the period and the file, and 导出 and 取消."""
        hint = QLabel(
            f"期间按办结日期，一次不超过 {MAX_DAYS} 天。保存为 .xlsx 或 .csv"
            "（CSV 文件用 Excel 直接打开，中文不会乱码）。"
        )
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        buttons = QDialogButtonBox()
        self.export_button = buttons.addButton("导出(&E)", QDialogButtonBox.ButtonRole.AcceptRole)
        make_default(self.export_button)
        cancel = buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.export_button.clicked.connect(self.submit)
        cancel.clicked.connect(self.reject)
        return hint, buttons

    def _lay_out(
        self,
        intro: QLabel,
        form: QFormLayout,
        general: QLabel,
        hint: QLabel,
        buttons: QDialogButtonBox,
    ) -> None:
        """The introduction, the form, the messages, the hint and the buttons."""
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(general)
        layout.addWidget(hint)
        layout.addWidget(buttons)

    @staticmethod
    def _suggested(start: dt.date, end: dt.date) -> str:
        span = start.isoformat() if start == end else f"{start.isoformat()}至{end.isoformat()}"
        return f"短信回访名单-{span}.xlsx"

    def _rename(self) -> None:
        """The suggested file name follows the dates, unless the officer chose another."""
        name = self._suggested(picked(self.from_edit), picked(self.to_edit))
        path = Path(self.path_edit.text().strip())
        if path.name == self._name:
            self.path_edit.setText(str(path.with_name(name)))
        self._name = name

    def browse(self) -> None:
        """Choose the file to write (the folder is remembered)."""
        name = self._suggested(picked(self.from_edit), picked(self.to_edit))
        chosen = ask_save_path(self, FILES, "保存短信回访名单", name, FILTERS)
        if chosen is not None:
            self.path_edit.setText(str(chosen))
            self.path_edit.setFocus()

    def submit(self) -> None:
        """Write the list; a refusal is shown at its field and the form stays."""
        self.errors.clear()
        text = self.path_edit.text().strip()
        try:
            if not text:
                raise ValidationError("请选择保存位置和文件名。", "path")
            self.exported = self._sms.export(
                self._user,
                picked(self.from_edit),
                picked(self.to_edit),
                str(self.source_box.currentData()),
                Path(text),
                str(self.purpose_box.currentData()),
                self.detail_edit.text(),
            )
        except StationDeskError as exc:
            self.errors.show(exc)
            return
        remember_folder(FILES, self.exported.path.parent)
        self.accept()


class SmsImportDialog(QDialog):
    """导入短信回复: the file, then the counts and every reply not recorded, with why."""

    def __init__(self, sms: SmsService, user: SessionUser, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("help_key", "callbacks")
        self._sms = sms
        self._user = user
        self.report: SmsImportReport | None = None
        self.setWindowTitle("导入短信回复")
        intro = QLabel(
            "选择短信平台导出的回复文件（.xlsx 或 .csv，含手机号码、回复内容、回复时间三列）。"
            "回复 1–5 依次为非常满意、满意、基本满意、不满意、非常不满意，记为短信回访评价；"
            f"对应待回访事项的，回访即告完成。只匹配尚待回访或 {REPLY_DAYS} 天内办结的事项；"
            "您经办过的事项不能由您导入。重复导入同一文件不会重复记录。"
        )
        intro.setWordWrap(True)
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("短信平台导出的回复文件")
        self.browse_button = QPushButton("浏览(&B)…")
        self.browse_button.setAutoDefault(False)
        self.browse_button.clicked.connect(self.browse)
        general = QLabel()
        self.errors = FieldErrors(general)
        form = QFormLayout()
        label = QLabel("回复文件(&F)")
        label.setBuddy(self.path_edit)
        form.addRow(label, _file_row(self.path_edit, self.browse_button))
        form.addRow("", self.errors.add("path", self.path_edit))

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.hide()
        self.table = QTableWidget(0, len(REPORT_HEADERS))
        self.table.setHorizontalHeaderLabels(list(REPORT_HEADERS))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setTabKeyNavigation(False)
        header = self.table.horizontalHeader()
        for column in range(len(REPORT_HEADERS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.table.hide()

        buttons = QDialogButtonBox()
        self.import_button = buttons.addButton("导入(&I)", QDialogButtonBox.ButtonRole.AcceptRole)
        make_default(self.import_button)
        self.save_button = buttons.addButton(
            "保存报告(&S)…", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.save_button.setAutoDefault(False)
        self.save_button.hide()
        self.close_button = buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.import_button.clicked.connect(self.submit)
        self.save_button.clicked.connect(self.save)
        self.close_button.clicked.connect(self._close)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(general)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        fit_to_screen(self, 900, 520)
        self.path_edit.setFocus()

    def browse(self) -> None:
        """Choose the platform's file (the folder is remembered)."""
        chosen, _filter = QFileDialog.getOpenFileName(
            self, "选择短信回复文件", str(folder_for(FILES)), f"{FILTERS};;所有文件 (*)"
        )
        if chosen:
            remember_folder(FILES, Path(chosen).parent)
            self.path_edit.setText(chosen)
            self.path_edit.setFocus()

    def submit(self) -> None:
        """Import the file; then show what was recorded and what was not."""
        self.errors.clear()
        text = self.path_edit.text().strip()
        try:
            if not text:
                raise ValidationError("请选择短信平台导出的回复文件。", "path")
            # Thousands of replies take a while: on a worker thread, the window alive.
            report = run_with_progress(
                self,
                "正在导入短信回复…",
                lambda _progress: self._sms.import_replies(self._user, Path(text)),
            )
        except StationDeskError as exc:
            self.errors.show(exc)
            return
        self.report = report
        self.summary.setText(report.summary)
        self.summary.show()
        self._fill(report)
        self.path_edit.setReadOnly(True)
        self.browse_button.setEnabled(False)
        self.import_button.hide()
        self.save_button.show()
        self.close_button.setText("关闭")
        make_default(self.close_button)
        self.close_button.setFocus()

    def _fill(self, report: SmsImportReport) -> None:
        problems = report.problems
        self.table.setRowCount(len(problems))
        for r, row in enumerate(problems):
            texts = (
                str(row.line),
                row.phone_masked,
                row.at,
                row.text,
                row.result_label,
                row.reason,
                row.visit_serial,
            )
            for c, text in enumerate(texts):
                cell = QTableWidgetItem(text)
                cell.setToolTip(text)
                self.table.setItem(r, c, cell)
        self.table.setVisible(bool(problems))

    def save(self) -> Path | None:
        """保存报告: every reply of the file and what became of it (phones masked)."""
        if self.report is None:
            return None
        stem = Path(self.report.file_name).stem
        chosen = ask_save_path(self, FILES, "保存导入报告", f"{stem}-导入报告.xlsx", FILTERS)
        if chosen is None:
            return None
        return self.save_to(chosen)

    def save_to(self, path: Path) -> Path | None:
        """Write the report to ``path``; a refusal says why."""
        if self.report is None:
            return None
        try:
            saved = save_report(self.report, path)
        except StationDeskError as exc:
            show_error(self, exc.message)
            return None
        self.summary.setText(f"{self.report.summary}\n报告已保存到 {saved}")
        announce_saved(self, saved)
        return saved

    def _close(self) -> None:
        if self.report is not None:
            self.accept()
        else:
            self.reject()
