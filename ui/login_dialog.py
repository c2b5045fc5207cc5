"""Login (警号 + 密码), also unlocks a locked counter: for the same officer, or a colleague.

A colleague who logs in at a locked counter (其他民警登录) logs the officer who locked it out;
``took_over`` then tells the main window to hand the counter over (ui.main_window).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import StationDeskError
from ui.widgets.default_button import make_default
from ui.widgets.field_errors import FieldErrors
from ui.widgets.form_rows import add_field
from ui.widgets.screen_fit import fit_to_content, grow_to_content

if TYPE_CHECKING:
    from app.core.dto import SessionUser
    from app.officers.auth import AuthService

COLLEAGUE_TEXT = "其他民警登录"


class LoginDialog(QDialog):
    """Asks for badge number and password; ``user`` holds the officer after acceptance.

    With ``locked_user`` it unlocks: that officer's badge is filled in and only the password is
    asked, until 其他民警登录 lets a colleague enter a badge of their own instead.

    ``auth`` may also be a function that opens the database and returns its login service:
    it is called at the first attempt, so the window can show before the database is opened
    (ui.application). A problem opening it is shown like a wrong password, and can be retried.
    """

    def __init__(
        self,
        auth: AuthService | Callable[[], AuthService],
        station_name: str,
        locked_user: SessionUser | None = None,
        hint: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._auth = auth
        self._locked_user = locked_user
        self.user: SessionUser | None = None
        self.setWindowTitle("已锁定 — StationDesk" if locked_user else "登录 — StationDesk")
        self.setMinimumWidth(420)

        title = QLabel(station_name or "派出所窗口服务台账")
        title.setObjectName("dialogTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.colleague_mode = False
        self.subtitle = subtitle = QLabel(
            f"本机已由 {locked_user.name} 锁定，请输入密码解锁。"
            if locked_user
            else "窗口服务台账 · 请登录"
        )
        subtitle.setAlignment(Qt.AlignmentFlag.AlignCenter)
        subtitle.setWordWrap(True)

        self.badge_edit = QLineEdit()
        self.badge_edit.setPlaceholderText("如 031011")
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        if locked_user:
            self.badge_edit.setText(locked_user.badge_no)
            self.badge_edit.setReadOnly(True)

        general = QLabel()
        self.errors = FieldErrors(general)
        form = QFormLayout()
        add_field(form, "警号", self.badge_edit, self.errors, "badge_no")
        add_field(form, "密码", self.password_edit, self.errors, "password")

        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton(
            "解锁" if locked_user else "登录", QDialogButtonBox.ButtonRole.AcceptRole
        )
        cancel = buttons.addButton(
            "退出程序" if locked_user else "取消", QDialogButtonBox.ButtonRole.RejectRole
        )
        make_default(self.ok_button)
        self.colleague_button: QPushButton | None = None
        if locked_user:
            self.colleague_button = buttons.addButton(
                COLLEAGUE_TEXT, QDialogButtonBox.ButtonRole.ActionRole
            )
            self.colleague_button.setAutoDefault(False)
            self.colleague_button.clicked.connect(self.toggle_colleague)
        buttons.accepted.connect(self._on_login_clicked)
        # Locked, only 退出程序 itself quits: Esc or the close box leave the screen locked.
        self.quit_chosen = False
        cancel.clicked.connect(self._on_cancel_clicked)
        cancel.setAutoDefault(False)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(subtitle)
        layout.addLayout(form)
        if hint:
            hint_label = QLabel(hint)
            hint_label.setObjectName("hint")
            hint_label.setWordWrap(True)
            layout.addWidget(hint_label)
        layout.addWidget(general)
        layout.addWidget(buttons)
        (self.password_edit if locked_user else self.badge_edit).setFocus()
        fit_to_content(self)

    @property
    def took_over(self) -> bool:
        """A colleague logged in at the locked counter (the locked officer is logged out)."""
        return (
            self.user is not None
            and self._locked_user is not None
            and self.user.officer_id != self._locked_user.officer_id
        )

    def toggle_colleague(self) -> None:
        """Switch between the locked officer's unlock and a colleague's login."""
        locked = self._locked_user
        if locked is None or self.colleague_button is None:
            return
        self.colleague_mode = not self.colleague_mode
        self.errors.clear()
        self.password_edit.clear()
        if self.colleague_mode:
            self.subtitle.setText(f"其他民警登录后，{locked.name} 将被注销，未保存的内容不会保留。")
            self.badge_edit.clear()
            self.badge_edit.setReadOnly(False)
            self.ok_button.setText("登录")
            self.colleague_button.setText(f"由 {locked.name} 解锁")
            self.badge_edit.setFocus()
        else:
            self.subtitle.setText(f"本机已由 {locked.name} 锁定，请输入密码解锁。")
            self.badge_edit.setText(locked.badge_no)
            self.badge_edit.setReadOnly(True)
            self.ok_button.setText("解锁")
            self.colleague_button.setText(COLLEAGUE_TEXT)
            self.password_edit.setFocus()
        # The style sheet greys read-only fields: it must look at the field again.
        self.badge_edit.style().unpolish(self.badge_edit)
        self.badge_edit.style().polish(self.badge_edit)
        # Pressing the switch by keys passed the default through other buttons: Enter logs in.
        make_default(self.ok_button)
        grow_to_content(self)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter in the badge or password field logs in, wherever the focus went before.

        Tabbing through 其他民警登录 and 退出程序 (buttons that are not defaults) left the
        dialog with no default button, and Enter in the password field then did nothing:
        the officer stood at a locked counter that would not open by keys.
        """
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and isinstance(
            self.focusWidget(), QLineEdit
        ):
            make_default(self.ok_button)
            self.ok_button.click()
            return
        super().keyPressEvent(event)

    def _on_cancel_clicked(self) -> None:
        self.quit_chosen = True
        super().reject()

    def reject(self) -> None:
        """Esc / the close box: cancel a login, but never quit from the lock screen."""
        if self._locked_user is not None and not self.quit_chosen:
            return
        super().reject()

    def _on_login_clicked(self) -> None:
        try:
            self.user = self._attempt()
        except StationDeskError as exc:
            self.errors.show(exc)
            self.password_edit.clear()
            grow_to_content(self)  # a two-line message makes room instead of squashing
            return
        self.accept()

    def _attempt(self) -> SessionUser:
        # Argon2 takes a moment, and the first attempt may open the database as well.
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            if callable(self._auth):
                self._auth = self._auth()
            if self._locked_user is not None and self.colleague_mode:
                return self._auth.take_over(
                    self._locked_user, self.badge_edit.text(), self.password_edit.text()
                )
            if self._locked_user is not None:
                return self._auth.verify_password(self._locked_user, self.password_edit.text())
            return self._auth.login(self.badge_edit.text(), self.password_edit.text())
        finally:
            QGuiApplication.restoreOverrideCursor()
