"""现场评价: the citizen's rating screen, full screen on the citizen's own monitor if there is one.

Made for the citizen's eyes and finger, at 1366×768 too: text at least 24 px, titles 36 px,
every button at least 60 px tall; the rating rows and the signature sit side by side so
nothing scrolls on a 1366×728 counter screen (on a smaller one the middle scrolls while
不评价 and 提交评价 stay in view). Nothing is preselected, every word speaks to the citizen
(请您…), and a message under a row goes away as soon as that row is filled. After saving the
screen only thanks the citizen: the officer never sees the levels, before or after.

The header names the officer serving the citizen and the badge number, as 好差评 rating pads
do; the window (窗口) number is shown when the caller passes ``counter_window`` (StationDesk
has no such setting yet).

Staff only: the officer closes the screen for now with **Ctrl+Shift+Q** (or Esc), which asks
the officer to confirm; there is no such button in front of the citizen. A small grey footer
line names the shortcut for staff. 不评价 is the citizen's own choice, bottom left and far from
提交评价, and it asks the citizen to confirm on this screen.

While the counter is locked (idle, or the system's screen lock) the screen shows only 请稍候;
the choices, comment and signature wait under it for the same officer to unlock.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import (
    QCloseEvent,
    QColor,
    QIcon,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPen,
    QPixmap,
    QResizeEvent,
    QShortcut,
)
from PySide6.QtWidgets import (
    QBoxLayout,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.core import text_limits
from app.core.dto import SessionUser
from app.core.errors import StationDeskError
from app.ratings.service import RatingInput, RatingResult, RatingService
from ui.dialogs._rating_rows import RatingRowsMixin
from ui.dialogs._rating_screen import WAIT_TEXT, RatingScreenMixin
from ui.widgets.char_count import with_count, with_text_count
from ui.widgets.field_errors import FieldErrors
from ui.widgets.level_chooser import LevelChooser
from ui.widgets.messages import confirm
from ui.widgets.signature_pad import SignaturePad

THANKS_MS = 4000
TEXT_PX = 24
TITLE_PX = 36
TOUCH_PX = 60  # the content box; with the 2 px border a button is 64 px tall
STAFF_PX = 14
OFFICER_SHORTCUT = "Ctrl+Shift+Q"
STAFF_HINT = f"工作人员：按 {OFFICER_SHORTCUT} 或 Esc 暂不评价并关闭"

# Scoped to the citizen's pages: the shared style sheet stays as it is for every other screen,
# and the officer's confirmation box (a child of the dialog, not of the pages) keeps it too.
_STYLE = f"""
QDialog#ratingDialog {{ background: #f5f7fa; }}
#ratingPages QLabel, #ratingPages QPushButton, #ratingPages QLineEdit,
#ratingPages QPlainTextEdit {{ font-size: {TEXT_PX}px; }}
#ratingPages QPushButton {{
    min-height: {TOUCH_PX}px; padding: 0px 16px; border: 2px solid #9aa5b4; border-radius: 6px;
    background: #ffffff;
}}
#ratingPages QPushButton:hover {{ background: #e9eef7; }}
#ratingPages QPushButton:focus {{ border: 3px solid #2f5aa8; }}
#ratingPages QPushButton#submitRating, #ratingPages QPushButton#confirmDecline {{
    background: #2f5aa8; color: #ffffff; border: 2px solid #1d3a6e; font-weight: bold;
}}
#ratingPages QPushButton#submitRating:hover {{ background: #27508f; }}
#ratingPages QPushButton#callbackToggle {{ text-align: left; padding-left: 16px; }}
#ratingPages QPushButton#callbackToggle:checked {{
    background: #e8f0fe; border: 2px solid #0b57d0; color: #0b3c91; font-weight: bold;
}}
#ratingPages QLineEdit {{ min-height: {TOUCH_PX - 8}px; padding: 0px 8px; }}
#ratingPages QLabel#ratingTitle {{
    font-size: {TITLE_PX}px; font-weight: bold; color: #1d3a6e;
}}
#ratingPages QLabel#ratingOfficer {{ color: #1d3a6e; font-weight: bold; }}
#ratingPages QLabel#ratingRow {{ font-weight: bold; }}
#ratingPages QLabel#ratingNote {{ color: #3d4650; }}
#ratingPages QLabel#fieldError {{ color: #b3261e; font-weight: bold; }}
#ratingPages QLabel#ratingThanks {{
    font-size: {TITLE_PX + 8}px; font-weight: bold; color: #1d3a6e;
}}
#ratingPages QLabel#staffHint {{ font-size: {STAFF_PX}px; color: #8a94a3; }}
#ratingPages QScrollArea {{ background: transparent; border: none; }}
#ratingPages QScrollBar:vertical {{ width: 28px; }}
"""


def officer_line(user: SessionUser, counter_window: str = "") -> str:
    """为您服务的民警：张伟　警号 031011　第 1 窗口 (the window only when known)."""
    parts = [f"为您服务的民警：{user.name}", f"警号 {user.badge_no}"]
    window = counter_window.strip()
    if window:
        parts.append(window if "窗口" in window else f"第 {window} 窗口")
    return "　".join(parts)


def _tick_icon(size: int = 36) -> QIcon:
    """A large box that shows a tick when the toggle is on (drawn: no font needed)."""
    icon = QIcon()
    for state in (QIcon.State.Off, QIcon.State.On):
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        box = QRectF(2, 2, size - 4, size - 4)
        if state == QIcon.State.On:
            painter.setPen(QPen(QColor("#0b57d0"), 2))
            painter.setBrush(QColor("#0b57d0"))
            painter.drawRoundedRect(box, 5, 5)
            tick = QPen(QColor("#ffffff"), size / 9)
            tick.setCapStyle(Qt.PenCapStyle.RoundCap)
            tick.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            painter.setPen(tick)
            s = size / 36
            painter.drawPolyline(
                [QPointF(9 * s, 18 * s), QPointF(15 * s, 25 * s), QPointF(27 * s, 11 * s)]
            )
        else:
            painter.setPen(QPen(QColor("#57606a"), 2.5))
            painter.setBrush(QColor("#ffffff"))
            painter.drawRoundedRect(box, 5, 5)
        painter.end()
        icon.addPixmap(pixmap, QIcon.Mode.Normal, state)
        icon.addPixmap(pixmap, QIcon.Mode.Active, state)
    return icon


class RatingDialog(RatingRowsMixin, RatingScreenMixin, QDialog):
    """The citizen rates overall and per dimension, comments, signs; or declines to rate."""

    def __init__(
        self,
        ratings: RatingService,
        user: SessionUser,
        visit_id: int,
        heading: str,
        citizen_name: str,
        parent: QWidget | None = None,
        *,
        counter_window: str = "",
    ) -> None:
        super().__init__(parent)
        self.setProperty("help_key", "rating_form")  # F1: resources/help/rating_form.html
        self._ratings = ratings
        self._user = user
        self._visit_id = visit_id
        self._elsewhere = False  # full screen on the citizen's own monitor
        self.result_saved: RatingResult | None = None
        self.ask_before_closing = True  # off only for offscreen screenshots
        self.setWindowTitle("请您评价本次服务")
        self.setObjectName("ratingDialog")
        self.setStyleSheet(_STYLE)

        # Built in this order: Qt's Tab order and the focus chain follow it.
        top = self._build_header(user, counter_window, heading)
        general, left = self._build_levels(ratings)
        right = self._build_comment_and_signature(citizen_name)
        self._build_body(left, right)
        buttons = self._build_choices()
        form = self._build_form(top, general, buttons)
        self._build_decline_page()
        self._build_pages(form)
        self._build_officer_shortcut()

    def _build_header(self, user: SessionUser, counter_window: str, heading: str) -> QHBoxLayout:
        """Header: what this is and who served the citizen; returns the title's row."""
        title = QLabel("请您对本次服务作出评价")
        title.setObjectName("ratingTitle")
        self.officer_label = QLabel(officer_line(user, counter_window))
        self.officer_label.setObjectName("ratingOfficer")
        self.officer_label.setWordWrap(True)
        self.officer_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        top = QHBoxLayout()
        top.addWidget(title)
        top.addSpacing(24)
        top.addWidget(self.officer_label, 1)
        self.heading_label = QLabel(f"您办理的事项：{heading}")
        self.heading_label.setObjectName("ratingHeading")
        self.heading_label.setWordWrap(True)
        return top

    def _build_levels(self, ratings: RatingService) -> tuple[QLabel, QVBoxLayout]:
        """Left: the levels (and ``errors``); returns the general message and the column."""
        general = QLabel()
        self.errors = FieldErrors(general)
        self._fields: dict[str, tuple[QWidget, QLabel]] = {}
        note = QLabel("评价完全自愿，民警看不到您的选择；如不满意，所领导会督办整改并回访您。")
        note.setObjectName("ratingNote")
        note.setWordWrap(True)
        self.overall = LevelChooser(large=True)
        self.dimensions: dict[str, LevelChooser] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(8)
        grid.setColumnStretch(1, 1)
        self._add_row(grid, 0, "总体评价", "overall", self.overall)
        row = 2
        for name in ratings.dimensions():
            chooser = LevelChooser(large=True)
            self.dimensions[name] = chooser
            self._add_row(grid, row, name, f"dimension.{name}", chooser)
            row += 2
        left = QVBoxLayout()
        left.setSpacing(12)
        left.addWidget(note)
        left.addLayout(grid)
        left.addStretch(1)
        return general, left

    def _build_comment_and_signature(self, citizen_name: str) -> QVBoxLayout:
        """Right: comment, callback, signature; returns the column."""
        self.comment = QPlainTextEdit()
        self.comment.setPlaceholderText("您的意见或建议（可不填）")
        self.comment.setFixedHeight(80)
        self.comment.setTabChangesFocus(True)
        comment_error = self._field("comment", self.comment)
        comment_row, self.comment_count = with_text_count(
            self.comment, text_limits.NOTE, "意见建议", self.errors, "comment", inline=True
        )
        self.comment.textChanged.connect(lambda: self._clear_field("comment"))
        self.callback = QPushButton("我希望接到回访电话")
        self.callback.setObjectName("callbackToggle")
        self.callback.setCheckable(True)
        self.callback.setAutoDefault(False)
        self.callback.setIcon(_tick_icon())
        self.callback.setIconSize(QSize(36, 36))
        self.callback.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        sign_label = QLabel("请您在下面的框内签名：")
        self.pad = SignaturePad()
        self.pad.setToolTip("请您在框内签名")
        pad_font = self.pad.font()
        pad_font.setPixelSize(TEXT_PX)
        self.pad.setFont(pad_font)  # its "请在此处签名" placeholder, citizen-sized
        self.pad.setMinimumSize(QSize(400, 170))
        self.pad.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        signature_error = self._field("signature", self.pad)
        self.pad.changed.connect(self._pad_changed)
        self.signer = QLineEdit(citizen_name)
        self.signer.setMinimumWidth(120)
        self.signer.setMaximumWidth(220)
        signer_error = self._field("signer", self.signer)
        signer_row, self.signer_count = with_count(
            self.signer, text_limits.SIGNER, "签名人", self.errors, "signer", inline=True
        )
        self.signer.textChanged.connect(lambda: self._clear_field("signer"))
        # 撤销 (not 撤销一笔): the row leaves the name room for the citizen's whole name
        # beside its count, in the citizen's 24 px.
        self.undo_button = QPushButton("撤销")
        self.undo_button.setToolTip("撤销最后一笔")
        self.undo_button.setAutoDefault(False)
        self.undo_button.clicked.connect(self.pad.undo)
        self.clear_button = QPushButton("重签")
        self.clear_button.setAutoDefault(False)
        self.clear_button.clicked.connect(self.pad.clear)
        sign_row = QHBoxLayout()
        sign_row.setSpacing(8)
        sign_row.addWidget(QLabel("签名人"))
        sign_row.addWidget(signer_row, 1)
        sign_row.addStretch(0)
        sign_row.addWidget(self.undo_button)
        sign_row.addWidget(self.clear_button)
        right = QVBoxLayout()
        right.setSpacing(8)
        right.addWidget(comment_row)
        right.addWidget(comment_error)
        right.addWidget(self.callback)
        right.addWidget(sign_label)
        right.addWidget(self.pad, 1)
        right.addWidget(signature_error)
        right.addLayout(sign_row)
        right.addWidget(signer_error)
        return right

    def _build_body(self, left: QVBoxLayout, right: QVBoxLayout) -> None:
        """The two columns side by side (or one over the other), in ``scroll_area``."""
        self._body = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self._body.setContentsMargins(0, 0, 0, 0)
        self._body.setSpacing(28)
        self._body.addLayout(left, 13)
        self._body.addLayout(right, 7)
        self._left, self._right = left, right
        body = QWidget()
        body.setObjectName("ratingBody")
        body.setLayout(self._body)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.scroll_area.setWidget(body)
        self.scroll_area.viewport().setAutoFillBackground(False)
        body.setAutoFillBackground(False)

    def _build_choices(self) -> QHBoxLayout:
        """Bottom: the citizen's two choices, far apart; a line for staff. Returns their row."""
        self.decline_button = QPushButton("不评价")
        self.decline_button.setAutoDefault(False)
        self.decline_button.setMinimumWidth(160)
        self.decline_button.clicked.connect(self.decline)
        self.submit_button = QPushButton("提交评价")
        self.submit_button.setObjectName("submitRating")
        self.submit_button.setAutoDefault(False)
        self.submit_button.setMinimumWidth(280)
        self.submit_button.clicked.connect(self.submit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.decline_button)
        buttons.addStretch(1)
        buttons.addWidget(self.submit_button)
        self.staff_hint = QLabel(STAFF_HINT)
        self.staff_hint.setObjectName("staffHint")
        return buttons

    def _build_form(self, top: QHBoxLayout, general: QLabel, buttons: QHBoxLayout) -> QWidget:
        """The rating page: header, the scrolling columns, the message, the choices."""
        form = QWidget()
        box = QVBoxLayout(form)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(8)
        box.addLayout(top)
        box.addWidget(self.heading_label)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        box.addWidget(line)
        box.addWidget(self.scroll_area, 1)
        box.addWidget(general)
        box.addLayout(buttons)
        box.addWidget(self.staff_hint)
        return form

    def _build_decline_page(self) -> None:
        """The citizen confirms 不评价 on the same screen."""
        self.decline_page = QWidget()
        ask = QLabel("您确定不对本次服务作出评价吗？")
        ask.setObjectName("ratingTitle")
        ask.setAlignment(Qt.AlignmentFlag.AlignCenter)
        ask.setWordWrap(True)
        ask_note = QLabel("不评价也会如实记录，不影响您办理的事项。")
        ask_note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        ask_note.setWordWrap(True)
        self.back_button = QPushButton("返回评价")
        self.back_button.setAutoDefault(False)
        self.back_button.setMinimumWidth(260)
        self.back_button.clicked.connect(self._back_to_form)
        self.confirm_decline_button = QPushButton("确定不评价")
        self.confirm_decline_button.setObjectName("confirmDecline")
        self.confirm_decline_button.setAutoDefault(False)
        self.confirm_decline_button.setMinimumWidth(260)
        self.confirm_decline_button.clicked.connect(self._decline_confirmed)
        choice = QHBoxLayout()
        choice.addStretch(1)
        choice.addWidget(self.back_button)
        choice.addSpacing(64)
        choice.addWidget(self.confirm_decline_button)
        choice.addStretch(1)
        asking = QVBoxLayout(self.decline_page)
        asking.setContentsMargins(0, 0, 0, 0)
        asking.addStretch(2)
        asking.addWidget(ask)
        asking.addSpacing(16)
        asking.addWidget(ask_note)
        asking.addSpacing(48)
        asking.addLayout(choice)
        asking.addStretch(3)
        staff_hint = QLabel(STAFF_HINT)
        staff_hint.setObjectName("staffHint")
        asking.addWidget(staff_hint)

    def _build_pages(self, form: QWidget) -> None:
        """The pages: the form, 不评价's question, the thanks, 请稍候 while locked."""
        self.thanks = QLabel("已为您记录，感谢您的支持！")
        self.thanks.setObjectName("ratingThanks")
        self.thanks.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.thanks.setWordWrap(True)
        # While the counter is locked (ui.lock_cover): nothing of the matter, only this.
        self.wait_page = QLabel(WAIT_TEXT)
        self.wait_page.setObjectName("ratingThanks")
        # High up: on a counter with one screen the lock's login dialog takes the middle.
        self.wait_page.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.wait_page.setContentsMargins(0, 96, 0, 0)
        self._before_lock: tuple[int, str] | None = None
        self.pages = QStackedWidget()
        self.pages.setObjectName("ratingPages")
        self.pages.addWidget(form)
        self.pages.addWidget(self.decline_page)
        self.pages.addWidget(self.thanks)
        self.pages.addWidget(self.wait_page)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(20, 12, 20, 10)
        outer.addWidget(self.pages)

    def _build_officer_shortcut(self) -> None:
        """The officer's "close for now": a shortcut, never a button in front of the citizen."""
        self.later_shortcut = QShortcut(QKeySequence(OFFICER_SHORTCUT), self)
        self.later_shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        self.later_shortcut.activated.connect(self.close)

    # ---- placement (place, fit and the lock's cover: RatingScreenMixin) -----------------

    def exec(self) -> int:
        """Place the screen for the citizen, then run modally."""
        self.place()
        return super().exec()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Side by side when there is room, one column (scrolling) on a narrow screen."""
        self._arrange(event.size().width())
        super().resizeEvent(event)

    # ---- saving (the rows, their messages and the answers: RatingRowsMixin) -------------

    def submit(self) -> None:
        """Save the rating with the signature."""
        problem = self.missing()
        if problem is not None:
            self._show(problem)
            return
        self._save(self.current())

    def decline(self) -> None:
        """The citizen chose 不评价: ask the citizen to confirm, on this screen."""
        self.errors.clear()
        self.pages.setCurrentWidget(self.decline_page)
        self.back_button.setFocus()

    def _back_to_form(self) -> None:
        self.pages.setCurrentIndex(0)

    def _decline_confirmed(self) -> None:
        """Declining is its own outcome, recorded without levels."""
        self._save(self.current(declined=True))

    def _save(self, given: RatingInput) -> None:
        try:
            self.result_saved = self._ratings.rate_on_site(self._user, self._visit_id, given)
        except StationDeskError as exc:
            self.pages.setCurrentIndex(0)
            self._show(StationDeskError(citizen_wording(exc), exc.field))
            return
        self.errors.clear()
        self.pages.setCurrentWidget(self.thanks)
        QTimer.singleShot(THANKS_MS, self, self.accept)

    # ---- closing (the officer's) ----------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Esc, like Ctrl+Shift+Q, asks the officer first: a stray key loses nothing."""
        if event.key() == Qt.Key.Key_Escape:
            self.close()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing before saving asks the officer; after saving it simply closes."""
        if (
            self.result_saved is None
            and self.ask_before_closing
            and not confirm(
                self._officer_side(),
                "群众尚未完成评价，确定关闭？稍后可在事项详情中再请群众评价。",
                title="工作人员确认",
                yes="关闭",
            )
        ):
            event.ignore()
            return
        event.accept()
        self.done(QDialog.DialogCode.Accepted if self.result_saved else QDialog.DialogCode.Rejected)

    def _officer_side(self) -> QWidget:
        """The officer's question goes to the officer's screen when the citizen has another."""
        parent = self.parentWidget()
        return parent if self._elsewhere and parent is not None else self


def citizen_wording(error: StationDeskError) -> str:
    """The service's message, addressed to the citizen (请群众… → 请您…)."""
    field = error.field or ""
    if field == "overall":
        return "请您选择总体评价；如不想评价，请点左下角的“不评价”。"
    if field.startswith("dimension."):
        return f"请您对“{field.removeprefix('dimension.')}”作出评价。"
    if field == "signature":
        return "请您在上面的框内签名确认。"
    if field == "signer":
        return "请您填写签名人姓名。"
    return error.message.replace("请群众", "请您").replace("群众", "您")
