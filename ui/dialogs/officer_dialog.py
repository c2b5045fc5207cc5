"""Add an officer account, or edit an officer's name, role and phone."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.core.dto import SessionUser
from app.core.errors import StationDeskError
from app.core.roles import ROLE_LABELS, Role
from app.officers.dto import NewOfficer, OfficerChanges, OfficerRow
from app.officers.service import OfficerService
from ui.change_password_dialog import password_edit, password_rules_label
from ui.widgets.char_count import with_count
from ui.widgets.default_button import make_default
from ui.widgets.field_errors import FieldErrors
from ui.widgets.form_rows import add_field
from ui.widgets.rare_char_picker import install_rare_char_picker


class OfficerDialog(QDialog):
    """``officer`` None adds a new account (with an initial password); otherwise edits one."""

    def __init__(
        self,
        officers: OfficerService,
        user: SessionUser,
        officer: OfficerRow | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._officers = officers
        self._user = user
        self._officer = officer
        self.saved: OfficerRow | None = None
        self.setWindowTitle("修改人员信息" if officer else "添加人员")
        self.setMinimumWidth(440)
        self.badge_edit = QLineEdit(officer.badge_no if officer else "")
        self.badge_edit.setReadOnly(officer is not None)
        self.name_edit = QLineEdit(officer.name if officer else "")
        install_rare_char_picker(self.name_edit)  # 生僻字: F4 or the 僻 button
        self.role_combo = QComboBox()
        for role, label in ROLE_LABELS.items():
            self.role_combo.addItem(label, role.value)
        if officer:
            self.role_combo.setCurrentIndex(self.role_combo.findData(officer.role.value))
        self.phone_edit = QLineEdit(officer.phone if officer else "")
        self.password_edit = password_edit()
        self.repeat_edit = password_edit()
        self.must_change_check = QCheckBox("首次登录时须修改密码")
        self.must_change_check.setChecked(True)

        general = QLabel()
        self.errors = FieldErrors(general)
        form = QFormLayout()
        # Counts instead of a silent maxLength (a paste too long is refused aloud).
        badge_row, self.badge_count = with_count(
            self.badge_edit, 20, "警号", self.errors, "badge_no"
        )
        add_field(form, "警号", badge_row, self.errors, "badge_no", self.badge_edit)
        name_row, self.name_count = with_count(self.name_edit, 30, "姓名", self.errors, "name")
        add_field(form, "姓名", name_row, self.errors, "name", self.name_edit)
        add_field(form, "角色", self.role_combo, self.errors, "role")
        add_field(form, "联系电话", self.phone_edit, self.errors, "phone")
        self.rules: QLabel | None = None
        if officer is None:
            add_field(form, "初始密码", self.password_edit, self.errors, "password")
            self.rules = password_rules_label()
            form.addRow("", self.rules)
            add_field(form, "再输入一次", self.repeat_edit, self.errors, "repeat")
            form.addRow("", self.must_change_check)
        buttons = QDialogButtonBox()
        make_default(buttons.addButton("保存", QDialogButtonBox.ButtonRole.AcceptRole))
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self._on_save_clicked)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(general)
        layout.addWidget(buttons)

    def _on_save_clicked(self) -> None:
        role = Role(str(self.role_combo.currentData()))
        try:
            if self._officer is None:
                # Every wrong field at once, the second typing of the password included.
                self.saved = self._officers.add_officer(
                    self._user,
                    NewOfficer(
                        self.badge_edit.text(),
                        self.name_edit.text(),
                        role,
                        self.password_edit.text(),
                        self.phone_edit.text(),
                        must_change_password=self.must_change_check.isChecked(),
                    ),
                    self.repeat_edit.text(),
                )
            else:
                self.saved = self._officers.update_officer(
                    self._user,
                    self._officer.id,
                    OfficerChanges(self.name_edit.text(), role, self.phone_edit.text()),
                )
        except StationDeskError as exc:
            self.errors.show(exc)
            return
        self.accept()


class ResetPasswordDialog(QDialog):
    """A temporary password the officer must change at next login; also lifts a lock-out."""

    def __init__(
        self,
        officers: OfficerService,
        user: SessionUser,
        officer: OfficerRow,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._officers = officers
        self._user = user
        self._officer = officer
        self.setWindowTitle(f"重置密码 — {officer.name}（{officer.badge_no}）")
        self.setMinimumWidth(420)
        self.password_edit = password_edit()
        self.repeat_edit = password_edit()
        general = QLabel()
        self.errors = FieldErrors(general)
        form = QFormLayout()
        add_field(form, "临时密码", self.password_edit, self.errors, "password")
        self.rules = password_rules_label()
        form.addRow("", self.rules)
        add_field(form, "再输入一次", self.repeat_edit, self.errors, "repeat")
        intro = QLabel("重置后账号解除锁定，本人下次登录时须修改密码。")
        intro.setWordWrap(True)
        buttons = QDialogButtonBox()
        make_default(buttons.addButton("重置", QDialogButtonBox.ButtonRole.AcceptRole))
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self._on_reset_clicked)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(general)
        layout.addWidget(buttons)

    def _on_reset_clicked(self) -> None:
        try:
            self._officers.reset_password(
                self._user,
                self._officer.id,
                self.password_edit.text(),
                self.repeat_edit.text(),
            )
        except StationDeskError as exc:
            self.errors.show(exc)
            return
        self.accept()
