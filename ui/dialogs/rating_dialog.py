"""现场评价: the screen the officer turns to the citizen (or shows on a second monitor).

Nothing is preselected, the officer's screen shows no choice, and after saving the screen
only thanks the citizen: the officer never sees the levels here, before or after.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent, QGuiApplication, QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.dto import SessionUser
from app.errors import StationDeskError
from app.rating_service import RatingInput, RatingResult, RatingService
from ui.widgets.field_errors import FieldErrors
from ui.widgets.level_chooser import LevelChooser
from ui.widgets.messages import confirm
from ui.widgets.signature_pad import SignaturePad

THANKS_MS = 4000


class RatingDialog(QDialog):
    """The citizen rates overall and per dimension, comments, signs; or declines to rate."""

    def __init__(
        self,
        ratings: RatingService,
        user: SessionUser,
        visit_id: int,
        heading: str,
        citizen_name: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._ratings = ratings
        self._user = user
        self._visit_id = visit_id
        self.result_saved: RatingResult | None = None
        self.ask_before_closing = True  # off only for offscreen screenshots
        self.setWindowTitle("请您评价本次服务")
        self.setObjectName("ratingDialog")
        self.setMinimumSize(760, 640)

        title = QLabel("请您对本次服务作出评价")
        title.setObjectName("ratingTitle")
        title.setStyleSheet("font-size: 22px; font-weight: bold;")
        intro = QLabel(
            f"{heading}\n评价完全自愿，民警不会看到您的选择。"
            "“不满意”和“非常不满意”将由所领导督办整改并回访您。"
        )
        intro.setWordWrap(True)

        self.overall = LevelChooser(large=True)
        self.dimensions: dict[str, LevelChooser] = {}
        general = QLabel()
        general.setObjectName("error")
        self.errors = FieldErrors(general)
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setColumnStretch(1, 1)
        grid.addWidget(QLabel("总体评价"), 0, 0)
        grid.addWidget(self.overall, 0, 1)
        grid.addWidget(self.errors.add("overall", self.overall), 1, 1)
        row = 2
        for name in ratings.dimensions():
            chooser = LevelChooser()
            self.dimensions[name] = chooser
            grid.addWidget(QLabel(name), row, 0)
            grid.addWidget(chooser, row, 1)
            grid.addWidget(self.errors.add(f"dimension.{name}", chooser), row + 1, 1)
            row += 2

        self.comment = QPlainTextEdit()
        self.comment.setPlaceholderText("意见或建议（可不填）")
        self.comment.setFixedHeight(64)
        comment_error = self.errors.add("comment", self.comment)
        self.callback = QCheckBox("我希望接到回访电话")
        self.pad = SignaturePad()
        self.pad.setMinimumHeight(150)
        signature_error = self.errors.add("signature", self.pad)
        self.signer = QLineEdit(citizen_name)
        self.signer.setMaximumWidth(200)
        signer_error = self.errors.add("signer", self.signer)
        clear = QPushButton("重签")
        clear.setAutoDefault(False)
        clear.clicked.connect(self.pad.clear)
        undo = QPushButton("撤销一笔")
        undo.setAutoDefault(False)
        undo.clicked.connect(self.pad.undo)
        sign_row = QHBoxLayout()
        sign_row.addWidget(QLabel("签名人"))
        sign_row.addWidget(self.signer)
        sign_row.addStretch(1)
        sign_row.addWidget(undo)
        sign_row.addWidget(clear)

        self.submit_button = QPushButton("提交评价")
        self.submit_button.setMinimumHeight(44)
        self.submit_button.setAutoDefault(False)
        self.submit_button.clicked.connect(self.submit)
        self.decline_button = QPushButton("不评价")
        self.decline_button.setAutoDefault(False)
        self.decline_button.clicked.connect(self.decline)
        self.later_button = QPushButton("暂不评价，关闭")
        self.later_button.setAutoDefault(False)
        self.later_button.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addWidget(self.later_button)
        buttons.addStretch(1)
        buttons.addWidget(self.decline_button)
        buttons.addWidget(self.submit_button)

        form = QWidget()
        box = QVBoxLayout(form)
        box.addWidget(title)
        box.addWidget(intro)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        box.addWidget(line)
        box.addLayout(grid)
        box.addWidget(self.comment)
        box.addWidget(comment_error)
        box.addWidget(self.callback)
        box.addWidget(QLabel("请在下面签名确认："))
        box.addWidget(self.pad, 1)
        box.addWidget(signature_error)
        box.addLayout(sign_row)
        box.addWidget(signer_error)
        box.addWidget(general)
        box.addLayout(buttons)

        self.thanks = QLabel("评价已提交，感谢您的支持！")
        self.thanks.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.thanks.setStyleSheet("font-size: 26px;")
        self.pages = QStackedWidget()
        self.pages.addWidget(form)
        self.pages.addWidget(self.thanks)
        outer = QVBoxLayout(self)
        outer.addWidget(self.pages)

    # ---- placement ----------------------------------------------------------------------

    def place(self) -> None:
        """Full screen on a second monitor if there is one, else large on this one."""
        screens = QGuiApplication.screens()
        parent = self.parentWidget()
        here = parent.screen() if parent is not None else QGuiApplication.primaryScreen()
        others = [s for s in screens if s is not here]
        if others:
            self.setScreen(others[0])
            self.setGeometry(others[0].geometry())
            self.showFullScreen()
        elif here is not None:
            area = here.availableGeometry()
            self.resize(min(area.width(), 960), min(area.height(), 800))

    def exec(self) -> int:
        """Place the screen for the citizen, then run modally."""
        self.place()
        return super().exec()

    # ---- saving -------------------------------------------------------------------------

    def current(self, declined: bool = False) -> RatingInput:
        """What the citizen chose (no choice is None)."""
        return RatingInput(
            overall=self.overall.level(),
            dimensions=tuple((n, c.level()) for n, c in self.dimensions.items()),
            comment=self.comment.toPlainText(),
            declined=declined,
            signer_name=self.signer.text(),
            strokes=self.pad.stroke_data(),
            png=b"" if self.pad.is_empty else self.pad.to_png(),
            callback_requested=self.callback.isChecked(),
        )

    def submit(self) -> None:
        """Save the rating with the signature."""
        self._save(self.current())

    def decline(self) -> None:
        """The citizen declines to rate: its own outcome, recorded without levels."""
        if confirm(self, "确认群众不作评价？", yes="不评价"):
            self._save(self.current(declined=True))

    def _save(self, given: RatingInput) -> None:
        try:
            self.result_saved = self._ratings.rate_on_site(self._user, self._visit_id, given)
        except StationDeskError as exc:
            self.errors.show(exc)
            return
        self.errors.clear()
        self.pages.setCurrentWidget(self.thanks)
        QTimer.singleShot(THANKS_MS, self.accept)

    # ---- closing ------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Esc asks first, so a stray key cannot throw the citizen's choices away."""
        if event.key() == Qt.Key.Key_Escape:
            self.close()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing before saving asks; after saving it simply closes."""
        if (
            self.result_saved is None
            and self.ask_before_closing
            and not confirm(
                self, "群众尚未完成评价，确定关闭？稍后可在事项详情中再请群众评价。", yes="关闭"
            )
        ):
            event.ignore()
            return
        event.accept()
        self.done(QDialog.DialogCode.Accepted if self.result_saved else QDialog.DialogCode.Rejected)
