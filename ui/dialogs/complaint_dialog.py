"""登记投诉/表扬: the form a counter officer fills when a complaint or praise letter comes in."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.complaints.service import (
    CHANNELS,
    KIND_LABELS,
    ComplaintRow,
    ComplaintService,
    NewComplaint,
)
from app.core import text_limits
from app.core.dto import SessionUser
from app.core.errors import StationDeskError
from ui.widgets.char_count import with_text_count
from ui.widgets.default_button import make_default
from ui.widgets.field_errors import FieldErrors
from ui.widgets.form_keys import confirm_with_keys
from ui.widgets.form_rows import add_field
from ui.widgets.rare_char_picker import install_rare_char_picker
from ui.widgets.screen_fit import fit_to_content


class ComplaintDialog(QDialog):
    """Records one complaint or praise letter; closes only when the service accepted it."""

    def __init__(
        self,
        complaints: ComplaintService,
        user: SessionUser,
        today: dt.date,
        officers: list[tuple[int, str]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setProperty("help_key", "complaint_form")  # F1: resources/help/complaint_form.html
        self.setWindowTitle("登记投诉/表扬")
        self.setMinimumWidth(560)
        self._complaints = complaints
        self._user = user
        self.saved: ComplaintRow | None = None
        self.kind_combo = QComboBox()
        for value, label in KIND_LABELS.items():
            self.kind_combo.addItem(label, value)
        self.channel_combo = QComboBox()
        for channel in CHANNELS:
            self.channel_combo.addItem(channel, channel)
        self.received_edit = QDateEdit(QDate(today.year, today.month, today.day))
        self.received_edit.setCalendarPopup(True)
        self.received_edit.setDisplayFormat("yyyy-MM-dd")
        self.received_edit.setMaximumDate(QDate(today.year, today.month, today.day))
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("不留姓名的填空，记为匿名")
        install_rare_char_picker(self.name_edit)  # 生僻字: F4 or the 僻 button
        self.phone_edit = QLineEdit()
        self.phone_edit.setPlaceholderText("可不填；列表中只显示部分号码")
        self.officer_combo = QComboBox()
        self.officer_combo.addItem("未指明（有关联事项时为该事项的负责民警）", None)
        for officer_id, label in officers:
            self.officer_combo.addItem(label, officer_id)
        self.visit_edit = QLineEdit()
        self.visit_edit.setPlaceholderText("办事登记的编号（回执上有），可不填")
        self.content_edit = QPlainTextEdit()
        self.content_edit.setTabChangesFocus(True)
        self.content_edit.setFixedHeight(120)
        self.content_edit.setPlaceholderText("来电、来信或当面反映的内容，照实记录")

        general = QLabel()
        self.errors = FieldErrors(general)
        form = QFormLayout()
        for label, widget, field in (
            ("类别", self.kind_combo, "kind"),
            ("渠道", self.channel_combo, "channel"),
            ("收到日期", self.received_edit, "received_on"),
            ("姓名", self.name_edit, "complainant_name"),
            ("联系电话", self.phone_edit, "complainant_phone"),
            ("涉及民警", self.officer_combo, "officer_id"),
            ("关联事项编号", self.visit_edit, "visit_serial"),
        ):
            add_field(form, label, widget, self.errors, field)
        content_row, self.content_count = with_text_count(
            self.content_edit, text_limits.CASE_TEXT, "内容", self.errors, "content"
        )
        add_field(form, "内容", content_row, self.errors, "content", self.content_edit)
        hint = QLabel(
            "投诉登记后由所长（或副所长）承办，涉及的民警本人看不到、也不能办理；"
            "表扬登记后全所可见。"
        )
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        buttons = QDialogButtonBox()
        register = buttons.addButton("登记", QDialogButtonBox.ButtonRole.AcceptRole)
        make_default(register)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        confirm_with_keys(self, self.save, register, self.content_edit)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addLayout(form)
        layout.addWidget(general)
        layout.addWidget(buttons)
        # Tall enough for the wrapped hint and the content box at any 字号, on the screen.
        fit_to_content(self, 560)

    def given(self) -> NewComplaint:
        """What the form holds now."""
        d = self.received_edit.date()
        return NewComplaint(
            kind=self.kind_combo.currentData(),
            channel=self.channel_combo.currentData(),
            received_on=dt.date(d.year(), d.month(), d.day()),
            content=self.content_edit.toPlainText(),
            complainant_name=self.name_edit.text(),
            complainant_phone=self.phone_edit.text(),
            officer_id=self.officer_combo.currentData(),
            visit_serial=self.visit_edit.text(),
        )

    def save(self) -> None:
        """Record it; a refusal is shown at its field and the form stays open."""
        try:
            self.saved = self._complaints.record(self._user, self.given())
        except StationDeskError as exc:
            self.errors.show(exc)
            return
        self.accept()
