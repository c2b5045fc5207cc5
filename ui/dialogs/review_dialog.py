"""审核签字: the chief reads the day's summary, writes a comment, signs, and locks the day."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core import text_limits
from app.core.dto import SessionUser
from app.core.errors import ConflictError, StationDeskError
from app.ledger.service import Ledger, LedgerService, ReviewSignature
from ui.widgets.char_count import with_text_count
from ui.widgets.field_errors import FieldErrors
from ui.widgets.form_keys import confirm_with_keys
from ui.widgets.html import esc
from ui.widgets.screen_fit import fit_to_content, grow_to_content, scrolling
from ui.widgets.signature_pad import SignaturePad


class ReviewDialog(QDialog):
    """Signs exactly the ledger shown; if it changed meanwhile the service refuses."""

    def __init__(
        self,
        ledgers: LedgerService,
        user: SessionUser,
        ledger: Ledger,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setProperty("help_key", "review")  # F1: resources/help/review.html
        self._ledgers = ledgers
        self._user = user
        self._ledger = ledger
        self.saved: Ledger | None = None
        day = ledger.day
        self.setWindowTitle(f"审核 {day.isoformat()} 台账")
        summary = QLabel("<br>".join(f"<b>{esc(k)}</b>：{esc(v)}" for k, v in ledger.summary))
        summary.setWordWrap(True)
        self.summary = summary
        warning = QLabel(
            f"确认后 {day.year}年{day.month}月{day.day}日 的台账即锁定：当日记录不能再修改，"
            "如需更正须登记更正记录（写明原因），并列入次日台账。"
        )
        warning.setWordWrap(True)
        warning.setObjectName("hint")
        self.comment = QPlainTextEdit()
        self.comment.setPlaceholderText("审核意见（可不填），如：已逐条核对，逾期事项已督促。")
        self.comment.setFixedHeight(70)
        self.pad = SignaturePad()
        self.pad.setMinimumHeight(140)
        general = QLabel()
        general.setObjectName("error")
        self.errors = FieldErrors(general)
        comment_error = self.errors.add("comment", self.comment)
        comment_row, self.comment_count = with_text_count(
            self.comment, text_limits.REVIEW_COMMENT, "审核意见", self.errors, "comment"
        )
        signature_error = self.errors.add("signature", self.pad)
        clear = QPushButton("重签")
        clear.setAutoDefault(False)
        clear.clicked.connect(self.pad.clear)
        pad_row = QHBoxLayout()
        pad_row.addWidget(QLabel(f"审核人签名（{user.name}）："))
        pad_row.addStretch(1)
        pad_row.addWidget(clear)
        buttons = QDialogButtonBox()
        self.confirm_button = buttons.addButton(
            "确认审核并锁定", QDialogButtonBox.ButtonRole.AcceptRole
        )
        cancel = buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.confirm_button.clicked.connect(self.submit)
        cancel.clicked.connect(self.reject)
        confirm_with_keys(self, self.submit, self.confirm_button, self.comment)
        # The summary is as long as the day was: it scrolls when the screen is short, while
        # the comment, the signature and the buttons stay in view.
        body = QVBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.addWidget(summary)
        body.addStretch(1)
        self.body = scrolling(body)
        layout = QVBoxLayout(self)
        layout.addWidget(self.body, 1)
        # What locking means stays in view whatever the summary's length and the 字号.
        layout.addWidget(warning)
        layout.addWidget(QLabel("审核意见"))
        layout.addWidget(comment_row)
        layout.addWidget(comment_error)
        layout.addLayout(pad_row)
        layout.addWidget(self.pad)
        layout.addWidget(signature_error)
        layout.addWidget(general)
        layout.addWidget(buttons)
        fit_to_content(self, 680)
        self.comment.setFocus()  # the chief types the comment first, then signs

    def submit(self) -> None:
        """Review and lock through the service."""
        signature = ReviewSignature(
            self.pad.stroke_data(), b"" if self.pad.is_empty else self.pad.to_png()
        )
        try:
            self.saved = self._ledgers.review(
                self._user,
                self._ledger.day,
                self._ledger.content_sha256,
                self.comment.toPlainText(),
                signature,
            )
        except ConflictError as exc:
            self.errors.show(exc)
            self.confirm_button.setEnabled(False)  # stale or reviewed meanwhile: reload first
            grow_to_content(self)
            return
        except StationDeskError as exc:
            self.errors.show(exc)
            grow_to_content(self)
            return
        self.accept()
