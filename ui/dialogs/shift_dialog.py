"""交接班: at the end of a shift, each open matter kept or offered to a colleague, the rest
listed; confirmed as a numbered 交接班记录 that prints for the next shift to sign."""

from __future__ import annotations

import logging
from itertools import pairwise

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core import text_limits
from app.core.dto import SessionUser
from app.core.errors import ConflictError, StationDeskError, ValidationError
from app.printing.register_pdf import render_register
from app.shifts.service import KEEP, ShiftRecord, ShiftReview, ShiftService
from ui.print_preview_dialog import PrintPreviewDialog
from ui.widgets.char_count import with_count
from ui.widgets.default_button import make_default
from ui.widgets.field_errors import FieldErrors
from ui.widgets.messages import show_error
from ui.widgets.row_picker import RowPicker
from ui.widgets.screen_fit import fit_to_screen

logger = logging.getLogger(__name__)

HEADERS = ("类别", "编号", "事项", "群众", "状态", "期限", "交接")
DECISION_COLUMN = len(HEADERS) - 1


class ShiftDialog(QDialog):
    """The officer's open items; 确认交班 records them (and 并打印 opens the print preview)."""

    def __init__(
        self,
        shifts: ShiftService,
        user: SessionUser,
        review: ShiftReview,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setProperty("help_key", "shift")  # F1: resources/help/shift.html
        self._shifts = shifts
        self._user = user
        self.review = review
        self.record: ShiftRecord | None = None
        self.print_after = False
        self.pickers: dict[int, RowPicker] = {}
        self.setWindowTitle("交接班")
        fit_to_screen(self, 1180, 600)
        matters = sum(1 for i in review.items if i.needs_decision)
        intro = QLabel(
            f"交班民警：{review.officer}。您名下还有 {matters} 件在办事项：请逐件选择"
            "“本人继续负责”或移交给同事（同事接收前仍由您负责）。其余各项供接班同事知悉。"
            if matters
            else f"交班民警：{review.officer}。您名下没有在办事项；以下各项供接班同事知悉。"
        )
        intro.setWordWrap(True)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        # Tab moves from picker to picker and then on, never cell by cell.
        self.table.setTabKeyNavigation(False)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        header = self.table.horizontalHeader()
        for column in range(len(HEADERS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(DECISION_COLUMN, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(DECISION_COLUMN, 260)
        self.note_edit = QLineEdit()
        self.note_edit.setPlaceholderText("交班说明（选填），如：晚班交接、轮休")
        general = QLabel()
        general.setWordWrap(True)
        self.errors = FieldErrors(general)
        note_row, self.note_count = with_count(
            self.note_edit, text_limits.REASON, "交班说明", self.errors, "note"
        )
        hint = QLabel(
            "确认后生成编号的交接班记录，可打印供交班、接班同事签字；"
            "移交的事项由同事在“今日接待”接收。"
        )
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        buttons = QDialogButtonBox()
        self.print_button = buttons.addButton(
            "确认交班并打印…", QDialogButtonBox.ButtonRole.AcceptRole
        )
        make_default(self.print_button)
        self.ok_button = buttons.addButton("确认交班", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.print_button.clicked.connect(lambda: self.submit(print_after=True))
        self.ok_button.clicked.connect(lambda: self.submit(print_after=False))
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(note_row)
        layout.addWidget(self.errors.add("note", self.note_edit))
        layout.addWidget(general)
        layout.addWidget(hint)
        layout.addWidget(buttons)
        self._fill()

    def _fill(self) -> None:
        self.table.setRowCount(0)
        for row, item in enumerate(self.review.items):
            self.table.insertRow(row)
            texts = (
                item.kind_label,
                item.number,
                item.matter,
                item.citizen,
                item.state,
                item.due,
            )
            for column, text in enumerate(texts):
                cell = QTableWidgetItem(text)
                cell.setToolTip(text)
                self.table.setItem(row, column, cell)
            if item.needs_decision:
                picker = RowPicker()
                picker.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
                picker.addItem(KEEP, None)
                for officer_id, label in self.review.colleagues:
                    picker.addItem(f"移交给{label}", officer_id)
                picker.setAccessibleName(f"{item.number}的交接")
                picker.installEventFilter(self)
                self.table.setCellWidget(row, DECISION_COLUMN, picker)
                self.pickers[item.ref_id] = picker
            else:
                cell = QTableWidgetItem(item.decision or "—")
                cell.setToolTip(item.decision)
                self.table.setItem(row, DECISION_COLUMN, cell)
        chain: list[QWidget] = [
            *self.pickers.values(),
            self.note_edit,
            self.print_button,
            self.ok_button,
            self.cancel_button,
        ]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)
        chain[0].setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Keep the row of the focused picker visible and highlighted."""
        if event.type() == QEvent.Type.FocusIn and watched in self.pickers.values():
            row = next(
                r
                for r in range(self.table.rowCount())
                if self.table.cellWidget(r, DECISION_COLUMN) is watched
            )
            self.table.selectRow(row)
            self.table.scrollTo(self.table.model().index(row, 0))
        return super().eventFilter(watched, event)

    def decisions(self) -> dict[int, int | None]:
        """Each open matter's choice: a colleague's id, or None to keep it."""
        return {visit_id: picker.currentData() for visit_id, picker in self.pickers.items()}

    def submit(self, print_after: bool) -> None:
        """Record the shift's end; on a refusal the list stays as chosen, with the reason."""
        self.errors.clear()
        try:
            self.record = self._shifts.hand_over(
                self._user, self.decisions(), self.note_edit.text()
            )
        except (ConflictError, ValidationError) as exc:
            if isinstance(exc, ConflictError) or exc.field == "decisions":
                self._refresh(
                    f"{exc.message}\n列表已按最新情况更新，已作的选择保留，请核对后再确认。"
                )
            else:
                self.errors.show(exc)
            return
        except StationDeskError as exc:
            self.errors.show(exc)
            return
        self.print_after = print_after
        self.accept()

    def _refresh(self, message: str) -> None:
        """Read the list again (a matter reassigned to the officer, a handover declined while
        the dialog was open), keeping the choices already made."""
        chosen = self.decisions()
        try:
            self.review = self._shifts.review(self._user)
        except StationDeskError as exc:
            self.errors.show(exc)
            return
        self.pickers = {}
        self._fill()
        for visit_id, picker in self.pickers.items():
            if visit_id in chosen and (index := picker.findData(chosen[visit_id])) >= 0:
                picker.setCurrentIndex(index)
        self.errors.show(StationDeskError(message))


def print_shift_record(
    shifts: ShiftService, user: SessionUser, record: ShiftRecord, parent: QWidget | None
) -> None:
    """The record's print preview; a print that came out is audited."""
    try:
        document = shifts.document(user, record.number)
        pdf = render_register(document)
    except StationDeskError as exc:
        show_error(parent, exc.message)
        return
    PrintPreviewDialog(
        pdf,
        "交接班记录",
        f"交接班记录-{record.number}.pdf",
        lambda: shifts.record_print(user, record.number),
        parent=parent,
    ).exec()
