"""Change one's own password (forced after an administrator's reset)."""

from __future__ import annotations

from PySide6.QtWidgets import (
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
from app.core.passwords import PASSWORD_RULES_TEXT
from app.officers.auth import AuthService
from ui.widgets.default_button import make_default
from ui.widgets.field_errors import FieldErrors
from ui.widgets.form_rows import add_field


def password_edit() -> QLineEdit:
    """A masked password field. No maxLength: a pasted password longer than the rules allow
    would be cut without a word; the service refuses it and says how long it is."""
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


def password_rules_label() -> QLabel:
    """The password rules, shown under a new password's field before anything is typed."""
    label = QLabel(PASSWORD_RULES_TEXT)
    label.setObjectName("hint")
    label.setWordWrap(True)
    return label


class ChangePasswordDialog(QDialog):
    """Old password, new password twice."""

    def __init__(
        self,
        auth: AuthService,
        user: SessionUser,
        forced: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._auth = auth
        self._user = user
        self.setWindowTitle("修改密码")
        self.setMinimumWidth(420)
        self.old_edit = password_edit()
        self.new_edit = password_edit()
        self.repeat_edit = password_edit()
        general = QLabel()
        self.errors = FieldErrors(general)
        form = QFormLayout()
        add_field(form, "原密码", self.old_edit, self.errors, "old_password")
        add_field(form, "新密码", self.new_edit, self.errors, "new_password")
        self.rules = password_rules_label()
        form.addRow("", self.rules)
        add_field(form, "再输入一次", self.repeat_edit, self.errors, "repeat")
        buttons = QDialogButtonBox()
        make_default(buttons.addButton("保存", QDialogButtonBox.ButtonRole.AcceptRole))
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self._on_save_clicked)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        if forced:
            intro = QLabel("管理员重置了您的密码，请先设置自己的新密码。")
            intro.setWordWrap(True)
            layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(general)
        layout.addWidget(buttons)

    def _on_save_clicked(self) -> None:
        try:
            self._auth.change_password(
                self._user, self.old_edit.text(), self.new_edit.text(), self.repeat_edit.text()
            )
        except StationDeskError as exc:
            self.errors.show(exc)
            return
        self.accept()
