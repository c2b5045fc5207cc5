"""Deactivate an officer who still owns open matters: pick a colleague for each of them."""

from __future__ import annotations

from itertools import pairwise

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.dto import SessionUser
from app.core.errors import ConflictError, StationDeskError
from app.officers.dto import DepartureDetail, OfficerRow, OpenMatterRow
from app.officers.service import OfficerService
from ui.widgets.default_button import make_default
from ui.widgets.field_errors import FieldErrors
from ui.widgets.messages import show_error
from ui.widgets.row_picker import RowPicker
from ui.widgets.screen_fit import fit_to_screen

HEADERS = ("编号", "事项", "群众", "状态", "期限", "接手人")
PICKER_COLUMN = len(HEADERS) - 1


def _status_text(m: OpenMatterRow) -> str:
    if m.pending_to_name:
        return f"{m.status.label}（已移交{m.pending_to_name}，待接收）"
    return m.status.label


class DepartureDialog(QDialog):
    """Lists the officer's open matters with a colleague picker per row.

    Confirming deactivates the account and, in the same transaction, offers each matter to
    the chosen colleague on the officer's behalf; the colleague accepts it in their session.
    """

    def __init__(
        self,
        officers: OfficerService,
        user: SessionUser,
        detail: DepartureDetail,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._officers = officers
        self._user = user
        self.detail = detail
        self.saved: OfficerRow | None = None
        self.pickers: list[RowPicker] = []
        o = detail.officer
        self.setWindowTitle(f"停用{o.name}的账号")
        fit_to_screen(self, 1120, 600)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.all_combo = QComboBox()
        self.all_combo.setMinimumWidth(260)
        self.all_combo.activated.connect(self._on_all_chosen)
        all_label = QLabel("全部交给：")
        all_label.setBuddy(self.all_combo)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        # Tab moves from picker to picker and then out of the table, never cell by cell.
        self.table.setTabKeyNavigation(False)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        header = self.table.horizontalHeader()
        for column in range(len(HEADERS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(PICKER_COLUMN, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(PICKER_COLUMN, 240)
        general = QLabel()
        self.errors = FieldErrors(general)
        note = QLabel(
            "接手人在自己的账号中“接收移交”后成为负责人；接收前或被拒收的事项，"
            "列在所长“今日接待”页的“无人负责的在办事项”中，可另行指派。"
        )
        note.setObjectName("hint")
        note.setWordWrap(True)
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton("停用并移交", QDialogButtonBox.ButtonRole.AcceptRole)
        make_default(self.ok_button)
        self.cancel_button = buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons

        pick_all = QHBoxLayout()
        pick_all.addWidget(all_label)
        pick_all.addWidget(self.all_combo)
        pick_all.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(pick_all)
        layout.addWidget(self.table, 1)
        layout.addWidget(note)
        layout.addWidget(general)
        layout.addWidget(buttons)
        self._fill(detail, {})

    # ---- rows ---------------------------------------------------------------------------

    def _fill(self, detail: DepartureDetail, picks: dict[int, int]) -> None:
        """Show ``detail``; a row keeps the colleague picked before, else any pending offer."""
        self.detail = detail
        o = detail.officer
        self.intro.setText(
            f"{o.name}（警号 {o.badge_no}）名下还有 {len(detail.matters)} 件在办事项。"
            "停用前请为每件事项选择接手的同事，系统以您的名义代为移交。"
        )
        self.all_combo.clear()
        self.all_combo.addItem("（逐件选择）", None)
        for officer_id, label in detail.colleagues:
            self.all_combo.addItem(label, officer_id)
        self.table.setRowCount(0)
        self.pickers = []
        for row, m in enumerate(detail.matters):
            self.table.insertRow(row)
            texts = (
                m.serial,
                m.service_name,
                m.citizen_masked,
                _status_text(m),
                m.due_date.isoformat() if m.due_date else "",
            )
            for column, text in enumerate(texts):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, column, item)
            picker = RowPicker()
            picker.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            picker.addItem("（请选择）", None)
            for officer_id, label in detail.colleagues:
                picker.addItem(label, officer_id)
            chosen = picks.get(m.visit_id, m.pending_to_id)
            if chosen is not None and (index := picker.findData(chosen)) >= 0:
                picker.setCurrentIndex(index)
            picker.setAccessibleName(f"{m.serial}的接手人")
            picker.installEventFilter(self)
            self.table.setCellWidget(row, PICKER_COLUMN, picker)
            self.pickers.append(picker)
        chain: list[QWidget] = [self.all_combo, *self.pickers, self.ok_button, self.cancel_button]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)
        (self.pickers[0] if self.pickers else self.all_combo).setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Keep the row of the focused picker visible and highlighted."""
        if event.type() == QEvent.Type.FocusIn and watched in self.pickers:
            row = self.pickers.index(watched)
            self.table.selectRow(row)
            self.table.scrollTo(self.table.model().index(row, 0))
        return super().eventFilter(watched, event)

    def _on_all_chosen(self, index: int) -> None:
        officer_id = self.all_combo.itemData(index)
        if officer_id is None:
            return
        for picker in self.pickers:
            picker.setCurrentIndex(picker.findData(officer_id))

    def plan(self) -> dict[int, int]:
        """The colleague picked for each matter (rows left unpicked are not in it)."""
        return {
            m.visit_id: picker.currentData()
            for m, picker in zip(self.detail.matters, self.pickers, strict=True)
            if picker.currentData() is not None
        }

    @property
    def summary(self) -> str:
        """What happened, in one sentence for the page."""
        n = len(self.detail.matters)
        return f"已停用{self.detail.officer.name}；{n} 件在办事项已移交，待接收人确认。"

    # ---- confirm ------------------------------------------------------------------------

    def submit(self) -> None:
        """Deactivate with the plan; the service refuses unless every matter has a colleague."""
        plan = self.plan()
        for m, picker in zip(self.detail.matters, self.pickers, strict=True):
            unpicked = m.visit_id not in plan and m.pending_to_id is None
            picker.setProperty("invalid", unpicked)
            picker.style().polish(picker)
        try:
            self.saved = self._officers.set_active(self._user, self.detail.officer.id, False, plan)
        except ConflictError as exc:
            # Matters changed meanwhile (finished, handed over, newly registered): reload.
            show_error(self, exc.message)
            self._reload(plan)
            return
        except StationDeskError as exc:
            self.errors.show(exc)
            return
        self.accept()

    def _reload(self, picks: dict[int, int]) -> None:
        try:
            detail = self._officers.departure(self._user, self.detail.officer.id)
        except StationDeskError as exc:
            show_error(self, exc.message)
            self.reject()
            return
        if not detail.officer.active:
            self.reject()
            return
        self._fill(detail, picks)
