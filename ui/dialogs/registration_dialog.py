"""新登记: a walk-in registered from the keyboard in under a minute."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.catalogue.service import CatalogueService
from app.core import text_limits
from app.core.dto import SessionUser
from app.core.errors import NameDiffers, StationDeskError
from app.core.identity import ID_TYPE_LABELS, IdType, name_limit, name_rule
from app.core.reveal_purposes import VISIT_PHONE_PURPOSES
from app.visits.dto import CitizenHint, NameChoice, NewVisit, VisitDetail
from app.visits.rules import CHANNEL_LABELS, Channel
from app.visits.service import VisitService
from ui.dialogs.reveal_dialog import reveal_dialog
from ui.fonts import name_glyph_banner
from ui.localtime import fmt
from ui.tasks import TaskRunner
from ui.widgets.char_count import with_count
from ui.widgets.default_button import make_default
from ui.widgets.field_errors import FieldErrors
from ui.widgets.form_rows import add_field
from ui.widgets.matter_picker import MatterPicker
from ui.widgets.messages import confirm
from ui.widgets.rare_char_picker import install_rare_char_picker

logger = logging.getLogger(__name__)

PHONE_PLACEHOLDER = "11 位手机号或带区号的固定电话"
NAME_QUESTION_TITLE = "姓名与上次登记不同"


def name_choice_box(parent: QWidget, question: NameDiffers) -> QMessageBox:
    """The question 以本次为准 / 改回上次的姓名, answerable from the keyboard: Alt+B, Alt+S,
    or Tab and Enter; Enter alone or Esc goes back to the form without saving."""
    box = QMessageBox(
        QMessageBox.Icon.Question, NAME_QUESTION_TITLE, question.message, parent=parent
    )
    box.setInformativeText(
        "以本次为准：按本次填写的姓名登记（如群众已改名、上次登记有误）。\n"
        "改回上次的姓名：按上次登记的姓名登记（本次输入有误）。\n"
        "你的选择记入审计日志。"
    )
    current = box.addButton("以本次为准(&B)", QMessageBox.ButtonRole.AcceptRole)
    current.setProperty("choice", NameChoice.CURRENT.value)
    previous = box.addButton("改回上次的姓名(&S)", QMessageBox.ButtonRole.AcceptRole)
    previous.setProperty("choice", NameChoice.PREVIOUS.value)
    back = box.addButton("返回修改", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(back)
    box.setEscapeButton(back)
    return box


def ask_name_choice(parent: QWidget, question: NameDiffers) -> NameChoice:
    """Ask which name is right; NameChoice.NONE when the officer goes back to the form."""
    box = name_choice_box(parent, question)
    box.exec()
    clicked = box.clickedButton()
    box.deleteLater()
    value = clicked.property("choice") if clicked is not None else None
    return NameChoice(str(value)) if value else NameChoice.NONE


class RegistrationDialog(QDialog):
    """Tab through the fields, Enter saves (once, off the UI thread), Esc cancels."""

    def __init__(
        self,
        visits: VisitService,
        catalogue: CatalogueService,
        user: SessionUser,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setProperty("help_key", "registration")  # F1: resources/help/registration.html
        self._visits = visits
        self._user = user
        self._tasks = TaskRunner(self)
        self._saving = False
        self.saved: VisitDetail | None = None
        self.arrived_at = self._visits.now()
        self.arrived_by_hand = False
        # A returning citizen: blank name/phone are taken from this earlier visit by the
        # service; the form only ever shows them masked.
        self.hint: CitizenHint | None = None
        self._looked_up = ("", "")
        self.setWindowTitle("新登记")
        # A matter's name and code side by side at any 字号.
        self.setMinimumWidth(max(620, self.fontMetrics().horizontalAdvance("中") * 44))

        # Built in this order: Qt's Tab order and the focus chain follow it.
        self._build_fields(catalogue)
        general, form = self._build_form()
        buttons = self._build_buttons()
        self._build_layout(form, general, buttons)
        self._set_tab_order()
        self._connect()
        self._add_shortcuts()
        self._show_arrival()
        self.id_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _build_fields(self, catalogue: CatalogueService) -> None:
        """The form's editors, the returning citizen's banner and the arrival time."""
        self.id_type_combo = QComboBox()
        for id_type, label in ID_TYPE_LABELS.items():
            self.id_type_combo.addItem(label, id_type.value)
        self.id_edit = QLineEdit()
        self.id_edit.setPlaceholderText("18 位身份证号，末位 x 可小写")
        self.id_edit.setMinimumWidth(self.id_edit.fontMetrics().horizontalAdvance("8" * 20) + 16)
        self.name_edit = QLineEdit()
        install_rare_char_picker(self.name_edit)  # 生僻字: F4 or the 僻 button
        self.phone_edit = QLineEdit()
        self.phone_edit.setPlaceholderText(PHONE_PLACEHOLDER)
        self.matter = MatterPicker(catalogue)
        self.channel_combo = QComboBox()
        for channel, label in CHANNEL_LABELS.items():
            self.channel_combo.addItem(label, channel.value)
        self.summary_edit = QLineEdit()
        self.summary_edit.setPlaceholderText("选填：群众的诉求，一句话")
        self.in_scope_check = QCheckBox("属本所职责（不属的，保存后引导至承办单位）")
        self.in_scope_check.setChecked(True)
        self.citizen_hint = QLabel()
        self.citizen_hint.setObjectName("hint")
        self.citizen_hint.setWordWrap(True)
        self.reveal_phone_button = QPushButton("查看完整电话…")
        self.reveal_phone_button.setAutoDefault(False)
        self.reveal_phone_button.setToolTip("需写明用途，查看记入审计日志")
        self.reveal_phone_button.clicked.connect(self.reveal_phone)
        self.reveal_phone_button.hide()
        self.arrival_label = QLabel()
        self.arrival_label.setObjectName("hint")

    def _build_form(self) -> tuple[QLabel, QFormLayout]:
        """``errors``, the counted fields and the form; returns the general message and form."""
        general = QLabel()
        self.errors = FieldErrors(general)
        # No silent maxLength: each limited field shows its count and refuses, aloud, input
        # that would take it past the service's limit (which refuses too).
        name_row, self.name_count = with_count(
            self.name_edit,
            name_limit(IdType.RESIDENT),
            "姓名",
            self.errors,
            "citizen_name",
        )
        summary_row, self.summary_count = with_count(
            self.summary_edit,
            text_limits.SUMMARY,
            "事由摘要",
            self.errors,
            "summary",
        )
        form = QFormLayout()
        add_field(form, "证件类型", self.id_type_combo, self.errors, "id_type")
        add_field(form, "证件号码", self.id_edit, self.errors, "id_number")
        add_field(form, "姓名", name_row, self.errors, "citizen_name", self.name_edit)
        add_field(form, "联系电话", self.phone_edit, self.errors, "phone")
        add_field(form, "办理事项", self.matter, self.errors, "service")
        add_field(form, "渠道", self.channel_combo, self.errors, "channel")
        add_field(form, "事由摘要", summary_row, self.errors, "summary", self.summary_edit)
        form.addRow("", self.in_scope_check)
        return general, form

    def _build_buttons(self) -> QDialogButtonBox:
        """保存登记 (Enter), 登记并受理 (Ctrl+Enter) and 取消 (Esc)."""
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton(
            "保存登记（Enter）", QDialogButtonBox.ButtonRole.AcceptRole
        )
        make_default(self.save_button)
        # 登记并受理: one step from the form to an accepted matter with its receipt printing.
        self.accept_after = False
        self._asks_before_discarding = True
        self.save_accept_button = buttons.addButton(
            "登记并受理（Ctrl+Enter）", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.save_accept_button.setAutoDefault(False)
        self.save_accept_button.setToolTip("保存登记、受理，并打印受理回执")
        self.save_accept_button.clicked.connect(self.save_and_accept)
        cancel = buttons.addButton("取消（Esc）", QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setAutoDefault(False)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        return buttons

    def _build_layout(self, form: QFormLayout, general: QLabel, buttons: QDialogButtonBox) -> None:
        """The arrival time over the form, the banners under it, then the buttons."""
        layout = QVBoxLayout(self)
        layout.addWidget(self.arrival_label)
        layout.addLayout(form)
        layout.addWidget(name_glyph_banner(self.name_edit, self))  # a character no font shows
        hint_row = QHBoxLayout()
        hint_row.addWidget(self.citizen_hint, 1)
        hint_row.addWidget(self.reveal_phone_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(hint_row)
        layout.addWidget(general)
        layout.addWidget(buttons)

    def _set_tab_order(self) -> None:
        """Tab goes down the form, then to 保存登记."""
        self.setTabOrder(self.id_type_combo, self.id_edit)
        self.setTabOrder(self.id_edit, self.name_edit)
        self.setTabOrder(self.name_edit, self.phone_edit)
        self.setTabOrder(self.phone_edit, self.matter.edit)
        self.setTabOrder(self.matter.edit, self.channel_combo)
        self.setTabOrder(self.channel_combo, self.summary_edit)
        self.setTabOrder(self.summary_edit, self.in_scope_check)
        self.setTabOrder(self.in_scope_check, self.save_button)

    def _connect(self) -> None:
        """Looking up a returning citizen, forgetting stale answers, the name's rule."""
        self.id_edit.editingFinished.connect(self._on_identity_entered)
        self.phone_edit.editingFinished.connect(self._on_identity_entered)
        # The returning-citizen banner belongs to the number it was found by: editing that
        # number takes it away, with all it filled in, at once (looked up again on leaving).
        self.id_edit.textEdited.connect(lambda _text: self._on_identity_edited("id"))
        self.phone_edit.textEdited.connect(lambda _text: self._on_identity_edited("phone"))
        # An answer to 姓名与上次不同 holds for the name and number it was given for.
        self.name_choice = NameChoice.NONE
        self.name_edit.textEdited.connect(self._forget_name_choice)
        self.id_edit.textEdited.connect(self._forget_name_choice)
        self.id_type_combo.currentIndexChanged.connect(self._on_id_type_changed)
        self._on_id_type_changed()

    def _add_shortcuts(self) -> None:
        """F5 records the arrival; Ctrl+Enter registers and accepts."""
        QShortcut(QKeySequence("F5"), self).activated.connect(self.mark_arrival)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self).activated.connect(self.save_and_accept)

    def mark_arrival(self) -> None:
        """F5: the citizen arrived now (the dialog's opening time is the default)."""
        self.arrived_at = self._visits.now()
        self.arrived_by_hand = True
        self._show_arrival()

    def _show_arrival(self) -> None:
        local = fmt(self.arrived_at, "%H:%M:%S")
        how = "按 F5 记录" if self.arrived_by_hand else "打开登记表时自动记录，按 F5 重新记录"
        self.arrival_label.setText(f"到达时间 {local}（{how}）")

    def _on_id_type_changed(self, _index: int = 0) -> None:
        """The name's rule and limit follow the document (居民身份证: 汉字; 护照: 汉字或字母)."""
        id_type = IdType(str(self.id_type_combo.currentData()))
        self.name_count.set_limit(name_limit(id_type))
        self.name_edit.setToolTip(name_rule(id_type))

    def _forget_name_choice(self, _text: str = "") -> None:
        self.name_choice = NameChoice.NONE

    def _on_identity_edited(self, which: str) -> None:
        """The ID number (or the phone a citizen was found by) changed: the banner goes."""
        if self.hint is None:
            self._looked_up = ("", "")
            return
        if which == "id" or self.hint.matched_by == "phone":
            self._show_hint(None)
            self._looked_up = ("", "")

    def _on_identity_entered(self) -> None:
        key = (self.id_edit.text().strip(), self.phone_edit.text().strip())
        if key == self._looked_up:
            return
        self._looked_up = key
        hint: CitizenHint | None = None
        if key != ("", ""):
            try:
                hint = self._visits.find_citizen(
                    self._user, id_number=self.id_edit.text(), phone=self.phone_edit.text()
                )
            except StationDeskError:
                hint = None
        self._show_hint(hint)

    def _show_hint(self, hint: CitizenHint | None) -> None:
        """Recognise a returning citizen by masked data only; blank fields reuse the old ones."""
        self.hint = hint
        self.reveal_phone_button.setVisible(hint is not None and bool(hint.phone_masked))
        if hint is None:
            self.citizen_hint.clear()
            self.name_edit.setPlaceholderText("")
            self.phone_edit.setPlaceholderText(PHONE_PLACEHOLDER)
            return
        if not self._reusable(hint):
            # Found by phone while another document number was typed: maybe a relative
            # sharing the phone. Nothing is carried over; the officer asks.
            self.name_edit.setPlaceholderText("")
            self.reveal_phone_button.hide()
            self.citizen_hint.setText(
                f"此电话上次登记人为 {hint.citizen_name_masked}（{hint.last_date.isoformat()} "
                f"办理“{hint.last_service}”），证件号码与本次不同，请核对是否本人，"
                "并直接填写姓名。"
            )
            return
        self.name_edit.setPlaceholderText(f"留空沿用上次登记：{hint.citizen_name_masked}")
        if hint.phone_masked:
            self.phone_edit.setPlaceholderText(f"留空沿用上次登记：{hint.phone_masked}")
        by = "证件号码" if hint.matched_by == "id" else "电话"
        self.citizen_hint.setText(
            f"老群众（按{by}识别）：{hint.citizen_name_masked}，上次 {hint.last_date.isoformat()} "
            f"办理“{hint.last_service}”，共来过 {hint.visits} 次。"
            "姓名、电话留空即沿用上次登记，请向群众当面核对；有变化直接输入新的。"
        )

    def _reusable(self, hint: CitizenHint) -> bool:
        """An ID match, or a phone match with no document number typed."""
        return hint.matched_by == "id" or not self.id_edit.text().strip()

    def reveal_phone(self) -> None:
        """The full phone of the earlier visit, for a stated purpose (audited)."""
        if self.hint is None:
            return
        visit_id = self.hint.visit_id
        dialog = reveal_dialog(
            "查看完整电话",
            "上次登记的完整电话，用于当面向群众核对。",
            VISIT_PHONE_PURPOSES,
            lambda purpose, detail: self._visits.reveal_citizen_phone(
                self._user, visit_id, purpose, detail
            ),
            self,
            "如：群众称电话未变，当面核对上次登记的联系电话",
        )
        if not dialog.exec() or dialog.result_value is None:
            return
        phone = str(dialog.result_value)
        self.citizen_hint.setText(f"{self.citizen_hint.text()}\n上次登记电话：{phone}")
        self.reveal_phone_button.hide()

    def new_visit(self) -> NewVisit:
        """The form as a registration request."""
        row = self.matter.selected
        return NewVisit(
            citizen_name=self.name_edit.text(),
            id_type=IdType(str(self.id_type_combo.currentData())),
            id_number=self.id_edit.text(),
            phone=self.phone_edit.text(),
            service_item_id=row.item_id if row else None,
            channel=Channel(str(self.channel_combo.currentData())),
            summary=self.summary_edit.text(),
            in_scope=self.in_scope_check.isChecked(),
            arrived_at=self.arrived_at,
            arrived_by_hand=self.arrived_by_hand,
            reuse_from=(
                self.hint.visit_id if self.hint is not None and self._reusable(self.hint) else None
            ),
            name_choice=self.name_choice,
        )

    def save_and_accept(self) -> None:
        """Ctrl+Enter: save, then (once saved) accept the matter and print its receipt."""
        if self._saving:
            return
        self.matter.choose_current()
        self.accept_after = self.in_scope_check.isChecked()
        self.save()

    def filled(self) -> bool:
        """Whether the officer typed anything that Esc would throw away."""
        return any(
            edit.text().strip()
            for edit in (self.id_edit, self.name_edit, self.phone_edit, self.summary_edit)
        ) or bool(self.matter.edit.text().strip())

    def save(self) -> None:
        """Save in the background; a second Enter while saving does nothing."""
        if self._saving:
            return
        self._saving = True
        self.save_button.setEnabled(False)
        self.save_button.setText("正在保存…")
        self.errors.clear()
        new = self.new_visit()
        self._tasks.start(
            lambda: self._visits.register(self._user, new), self._on_saved, self._on_failed
        )

    def reject(self) -> None:
        """Esc or the close button: ignored while a save is under way (it may already be done)."""
        if self._saving:
            return
        if (
            self._asks_before_discarding
            and self.filled()
            and not confirm(self, "放弃本次登记？已填写的内容不会保存。", "放弃登记", "放弃")
        ):
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        """The window's close box: ignored while saving, like Esc."""
        if self._saving:
            event.ignore()
            return
        # The close box asks like Esc; closing from code (the program, tests) does not.
        self._asks_before_discarding = event.spontaneous()
        try:
            super().closeEvent(event)
        finally:
            self._asks_before_discarding = True

    def _on_saved(self, detail: VisitDetail) -> None:
        self.saved = detail
        self._saving = False
        self.accept()

    def _on_failed(self, exc: BaseException) -> None:
        self._saving = False
        accept_after, self.accept_after = self.accept_after, False
        self.save_button.setEnabled(True)
        self.save_button.setText("保存登记（Enter）")
        if isinstance(exc, NameDiffers):
            # Not a mistake but a question: which name is right? The answer goes on record.
            choice = ask_name_choice(self, exc)
            if choice is not NameChoice.NONE:
                self.name_choice = choice
                self.accept_after = accept_after
                self.save()
                return
            self.errors.show(exc)
            return
        if isinstance(exc, StationDeskError):
            self.errors.show(exc)
        else:
            logger.error("registration failed", exc_info=exc)
            self.errors.show(
                StationDeskError("保存失败，登记未写入。请重试；如仍失败请联系系统管理员。")
            )
