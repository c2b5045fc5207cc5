"""Editor of a catalogue matter: saving an edit creates a new version, never overwrites."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.catalogue.dto import MaterialLine, ServiceItemDetail, ServiceItemDraft
from app.catalogue.service import CATEGORIES, MATERIAL_FORMS, CatalogueService
from app.core import text_limits
from app.core.dto import SessionUser
from app.core.errors import StationDeskError
from ui.widgets.char_count import CharCount, count_cells
from ui.widgets.field_errors import FieldErrors
from ui.widgets.form_rows import add_counted_field, add_field
from ui.widgets.screen_fit import ContentScroll, fit_to_screen, scrolling, show_focus

UNITS = (
    ("working_days", "个工作日"),
    ("calendar_days", "日（自然日）"),
    ("on_the_spot", "当场办结"),
)
MATERIAL_HEADERS = ("材料名称", "份数", "原件/复印件", "来源（何处开具）", "要件")


def _text_edit(height: int = 64) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setTabChangesFocus(True)
    edit.setFixedHeight(height)
    return edit


class MaterialsTable(QTableWidget):
    """Editable list of materials: name, copies, form, source, key (要件)."""

    def __init__(self) -> None:
        super().__init__(0, len(MATERIAL_HEADERS))
        self.setHorizontalHeaderLabels(list(MATERIAL_HEADERS))
        self.verticalHeader().hide()
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.setMinimumHeight(180)

    def add_material(self, m: MaterialLine | None = None) -> None:
        """Append a row (empty, or filled from ``m``)."""
        row = self.rowCount()
        self.insertRow(row)
        self.setItem(row, 0, QTableWidgetItem(m.name if m else ""))
        copies = QSpinBox()
        copies.setRange(1, 20)
        copies.setValue(m.copies if m else 1)
        self.setCellWidget(row, 1, copies)
        form = QComboBox()
        form.addItems(list(MATERIAL_FORMS))
        if m:
            form.setCurrentText(m.form)
        self.setCellWidget(row, 2, form)
        self.setItem(row, 3, QTableWidgetItem(m.source if m else ""))
        key = QTableWidgetItem("要件")
        key.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
        key.setCheckState(
            Qt.CheckState.Checked if (m is None or m.is_key) else Qt.CheckState.Unchecked
        )
        self.setItem(row, 4, key)

    def materials(self) -> tuple[MaterialLine, ...]:
        """Every row as entered (blank rows included, so the service names them)."""
        lines = []
        for row in range(self.rowCount()):
            name_item, source_item, key_item = (
                self.item(row, 0),
                self.item(row, 3),
                self.item(row, 4),
            )
            copies = self.cellWidget(row, 1)
            form = self.cellWidget(row, 2)
            assert isinstance(copies, QSpinBox) and isinstance(form, QComboBox)
            lines.append(
                MaterialLine(
                    name=name_item.text() if name_item else "",
                    copies=copies.value(),
                    form=form.currentText(),
                    source=source_item.text() if source_item else "",
                    is_key=bool(key_item and key_item.checkState() == Qt.CheckState.Checked),
                )
            )
        return tuple(lines)

    def move_current(self, step: int) -> None:
        """Move the selected material up (-1) or down (+1)."""
        row = self.currentRow()
        target = row + step
        if row < 0 or not (0 <= target < self.rowCount()):
            return
        lines = list(self.materials())
        lines[row], lines[target] = lines[target], lines[row]
        self.setRowCount(0)
        for m in lines:
            self.add_material(m)
        self.selectRow(target)


class ServiceItemDialog(QDialog):
    """New matter (``detail`` None) or a new version of an existing one."""

    def __init__(
        self,
        catalogue: CatalogueService,
        user: SessionUser,
        detail: ServiceItemDetail | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._catalogue = catalogue
        self._user = user
        self._detail = detail
        self.saved: ServiceItemDetail | None = None
        self.setWindowTitle(
            f"修改服务事项（将保存为第 {detail.version_no + 1} 版）" if detail else "新增服务事项"
        )

        # Built in this order: Qt's Tab order and the focus chain follow it.
        self._build_fields(detail)
        general, form = self._build_form()
        group = self._build_materials()
        scroll = self._build_body(form, group, detail)
        buttons = self._build_buttons(detail)
        self._build_layout(detail, scroll, general, buttons)
        fit_to_screen(self, 860, 760)
        if detail is not None:
            self._fill(detail.draft)
        else:
            self.materials.add_material()
            self.unit_combo.setCurrentIndex(0)
            self.limit_spin.setValue(1)

    def _build_fields(self, detail: ServiceItemDetail | None) -> None:
        """The matter's editors (the code is fixed once the matter exists) and the table."""
        self.code_edit = QLineEdit(detail.code if detail else "")
        self.code_edit.setReadOnly(detail is not None)
        self.code_edit.setPlaceholderText("如 SFZ-SL")
        self.name_edit = QLineEdit()
        self.category_combo = QComboBox()
        self.category_combo.setEditable(True)
        self.category_combo.addItems(list(CATEGORIES))
        self.legal_edit = _text_edit()
        self.conditions_edit = _text_edit()
        self.procedure_edit = _text_edit(80)
        self.limit_spin = QSpinBox()
        self.limit_spin.setRange(0, 365)
        self.unit_combo = QComboBox()
        for value, label in UNITS:
            self.unit_combo.addItem(label, value)
        self.unit_combo.currentIndexChanged.connect(self._on_unit_changed)
        self.limit_note_edit = QLineEdit()
        self.fee_edit = QLineEdit()
        self.fee_edit.setPlaceholderText("免费请填“免费”")
        self.fee_basis_edit = QLineEdit()
        self.place_edit = QLineEdit()
        self.hours_edit = QLineEdit()
        self.materials = MaterialsTable()
        self.note_edit = QLineEdit()
        self.note_edit.setPlaceholderText("如：按新规定增加一项材料")

    def _build_form(self) -> tuple[QLabel, QFormLayout]:
        """``errors`` and the form with its counted fields; returns the general message, form."""
        general = QLabel()
        self.errors = FieldErrors(general)
        form = QFormLayout()
        add_field(form, "事项编码", self.code_edit, self.errors, "code")
        add_counted_field(
            form, "事项名称", self.name_edit, text_limits.CATALOGUE_NAME, self.errors, "name"
        )
        category_edit = self.category_combo.lineEdit()
        assert category_edit is not None  # an editable combo box has one
        self.category_count = CharCount(category_edit, text_limits.CATEGORY, "类别")
        self.category_count.refused.connect(lambda m: self.errors.show_at("category", m))
        category_row = QWidget()
        category_box = QHBoxLayout(category_row)
        category_box.setContentsMargins(0, 0, 0, 0)
        category_box.addWidget(self.category_combo, 1)
        category_box.addWidget(self.category_count.label)
        add_field(form, "类别", category_row, self.errors, "category", self.category_combo)
        limit_row = QWidget()
        limit_box = QHBoxLayout(limit_row)
        limit_box.setContentsMargins(0, 0, 0, 0)
        limit_box.addWidget(self.limit_spin)
        limit_box.addWidget(self.unit_combo)
        limit_box.addStretch(1)
        add_field(form, "办理时限", limit_row, self.errors, "time_limit_value")
        self.errors.add("time_limit_unit", self.unit_combo)
        add_counted_field(
            form, "时限说明", self.limit_note_edit, text_limits.NOTE, self.errors, "time_limit_note"
        )
        add_counted_field(form, "收费标准", self.fee_edit, text_limits.FEE, self.errors, "fee")
        add_counted_field(
            form, "收费依据", self.fee_basis_edit, text_limits.NOTE, self.errors, "fee_basis"
        )
        add_counted_field(
            form, "办理地点", self.place_edit, text_limits.PLACE, self.errors, "place"
        )
        add_counted_field(
            form, "办理时间", self.hours_edit, text_limits.PLACE, self.errors, "hours"
        )
        add_counted_field(
            form,
            "设定依据",
            self.legal_edit,
            text_limits.CATALOGUE_TEXT,
            self.errors,
            "legal_basis",
        )
        add_counted_field(
            form,
            "办理条件",
            self.conditions_edit,
            text_limits.CATALOGUE_TEXT,
            self.errors,
            "conditions",
        )
        add_counted_field(
            form,
            "办理流程",
            self.procedure_edit,
            text_limits.CATALOGUE_TEXT,
            self.errors,
            "procedure",
        )
        return general, form

    def _build_materials(self) -> QGroupBox:
        """所需材料: the table, its tools (add, remove, up, down) and its message."""
        group = QGroupBox("所需材料（打印在一次性告知单上，告知后不得再增加）")
        group_box = QVBoxLayout(group)
        group_box.addWidget(self.materials)
        tools = QHBoxLayout()
        for text, slot in (
            ("添加材料", lambda: self.materials.add_material()),
            ("删除所选", self._on_remove_material_clicked),
            ("上移", lambda: self.materials.move_current(-1)),
            ("下移", lambda: self.materials.move_current(1)),
        ):
            button = QPushButton(text)
            button.setAutoDefault(False)
            button.clicked.connect(slot)
            tools.addWidget(button)
        tools.addStretch(1)
        group_box.addLayout(tools)
        group_box.addWidget(self.errors.add("materials", self.materials))
        self.material_cells = count_cells(
            self.materials,
            {0: (text_limits.UNIT, "材料名称"), 3: (text_limits.UNIT, "材料来源")},
            self.errors,
            "materials",
        )
        return group

    def _build_body(
        self, form: QFormLayout, group: QGroupBox, detail: ServiceItemDetail | None
    ) -> ContentScroll:
        """The form, the materials and (for a new version) 修改说明, scrolling together."""
        body = QWidget()
        body_box = QVBoxLayout(body)
        body_box.addLayout(form)
        body_box.addWidget(group)
        if detail is not None:
            note_form = QFormLayout()
            add_counted_field(
                note_form,
                "修改说明",
                self.note_edit,
                text_limits.REASON,
                self.errors,
                "change_note",
            )
            body_box.addLayout(note_form)
        self.body_scroll = scroll = scrolling(body)  # the form scrolls, the buttons stay on screen
        return scroll

    def _build_buttons(self, detail: ServiceItemDetail | None) -> QDialogButtonBox:
        """保存 (保存为新版本) and 取消."""
        buttons = QDialogButtonBox()
        buttons.addButton(
            "保存为新版本" if detail else "保存", QDialogButtonBox.ButtonRole.AcceptRole
        ).setAutoDefault(False)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole).setAutoDefault(False)
        buttons.accepted.connect(self._on_save_clicked)
        buttons.rejected.connect(self.reject)
        return buttons

    def _build_layout(
        self,
        detail: ServiceItemDetail | None,
        scroll: ContentScroll,
        general: QLabel,
        buttons: QDialogButtonBox,
    ) -> None:
        """Which version this is, the scrolling form, the message, the buttons."""
        layout = QVBoxLayout(self)
        if detail is not None:
            info = QLabel(
                f"当前为第 {detail.version_no} 版。保存后生成第 {detail.version_no + 1} 版，"
                "已登记的记录仍按其当时使用的版本显示和打印。"
            )
            info.setWordWrap(True)
            info.setObjectName("hint")
            layout.addWidget(info)
        layout.addWidget(scroll, 1)
        layout.addWidget(general)
        layout.addWidget(buttons)

    def _fill(self, d: ServiceItemDraft) -> None:
        self.name_edit.setText(d.name)
        self.category_combo.setCurrentText(d.category)
        self.legal_edit.setPlainText(d.legal_basis)
        self.conditions_edit.setPlainText(d.conditions)
        self.procedure_edit.setPlainText(d.procedure)
        self.unit_combo.setCurrentIndex(max(0, self.unit_combo.findData(d.time_limit_unit)))
        self.limit_spin.setValue(d.time_limit_value)
        self.limit_note_edit.setText(d.time_limit_note)
        self.fee_edit.setText(d.fee)
        self.fee_basis_edit.setText(d.fee_basis)
        self.place_edit.setText(d.place)
        self.hours_edit.setText(d.hours)
        for m in d.materials:
            self.materials.add_material(m)

    def draft(self) -> ServiceItemDraft:
        """The form's content."""
        return ServiceItemDraft(
            name=self.name_edit.text(),
            category=self.category_combo.currentText(),
            legal_basis=self.legal_edit.toPlainText(),
            conditions=self.conditions_edit.toPlainText(),
            procedure=self.procedure_edit.toPlainText(),
            time_limit_value=self.limit_spin.value(),
            time_limit_unit=str(self.unit_combo.currentData()),
            time_limit_note=self.limit_note_edit.text(),
            fee=self.fee_edit.text(),
            fee_basis=self.fee_basis_edit.text(),
            place=self.place_edit.text(),
            hours=self.hours_edit.text(),
            materials=self.materials.materials(),
        )

    def _on_unit_changed(self) -> None:
        on_the_spot = self.unit_combo.currentData() == "on_the_spot"
        self.limit_spin.setEnabled(not on_the_spot)
        if on_the_spot:
            self.limit_spin.setValue(0)

    def _on_remove_material_clicked(self) -> None:
        row = self.materials.currentRow()
        if row >= 0:
            self.materials.removeRow(row)

    def _on_save_clicked(self) -> None:
        try:
            if self._detail is None:
                self.saved = self._catalogue.create_item(
                    self._user, self.code_edit.text(), self.draft()
                )
            else:
                self.saved = self._catalogue.save_new_version(
                    self._user,
                    self._detail.item_id,
                    self._detail.version_no,
                    self.draft(),
                    self.note_edit.text(),
                )
        except StationDeskError as exc:
            self.errors.show(exc)
            show_focus(self.body_scroll)  # the field with the message, scrolled into view
            if exc.field and exc.field.startswith("materials."):
                row = int(exc.field.split(".")[1])
                self.materials.selectRow(row)
            return
        self.accept()
