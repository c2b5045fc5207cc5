"""录入恢复密钥: this computer does not hold the station key; the chief's recovery sheet gives it.

Typed (16 groups of six digits; spaces and dashes as one likes) or scanned: a QR scanner types
the sheet's code into the field and ends with Enter. A wrong group is named; a code of another
station is refused; nothing is kept until the code is this database's key.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import StationDeskError
from ui.widgets.default_button import make_default


class KeyEntryDialog(QDialog):
    """Asks for the recovery code until ``enter`` takes it or the officer gives up."""

    def __init__(
        self, reason: str, enter: Callable[[str], object], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._enter = enter
        self.setWindowTitle("录入本所密钥")
        self.setMinimumWidth(560)
        intro = QLabel(reason)
        intro.setWordWrap(True)
        how = QLabel(
            "请所长取出封存的“密钥恢复单”：用扫码枪扫描其上的二维码，"
            "或逐组输入 16 组数字（每组 6 位，可用空格分隔）。本机保存后，以后不再询问。"
        )
        how.setWordWrap(True)
        how.setObjectName("hint")
        self.code_edit = QLineEdit()
        self.code_edit.setPlaceholderText("如 343168 204438 324498 …（共 16 组）")
        self.error_label = QLabel()
        self.error_label.setObjectName("error")
        self.error_label.setWordWrap(True)
        buttons = QDialogButtonBox()
        ok = buttons.addButton("确定", QDialogButtonBox.ButtonRole.AcceptRole)
        make_default(ok)
        buttons.addButton("退出", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self._on_ok)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(how)
        layout.addWidget(QLabel("恢复密钥"))
        layout.addWidget(self.code_edit)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.code_edit.setFocus()

    def _on_ok(self) -> None:
        try:
            self._enter(self.code_edit.text())
        except StationDeskError as exc:
            self.error_label.setText(exc.message)
            self.code_edit.selectAll()
            self.code_edit.setFocus()
            return
        self.accept()
