"""第二次来所: tick what the citizen brought; anything new can only be recorded as a breach."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core import text_limits
from app.core.dto import SessionUser
from app.core.errors import StationDeskError
from app.notices.dto import ITEM_STATE_LABELS, NoticeDetail
from app.notices.service import NoticeService
from ui.dialogs.text_form_dialog import Field, TextFormDialog
from ui.widgets.enter_clicks import enter_clicks
from ui.widgets.html import esc
from ui.widgets.messages import show_error
from ui.widgets.screen_fit import fit_to_screen


class NoticeReturnDialog(QDialog):
    """Any officer at any counter receives the materials; the matter keeps its owner."""

    def __init__(
        self,
        notices: NoticeService,
        user: SessionUser,
        notice: NoticeDetail,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setProperty("help_key", "notice_return")  # F1: resources/help/notice_return.html
        self._notices = notices
        self._user = user
        self.notice = notice
        self.changed = False
        self.setWindowTitle(f"补交材料 — {notice.title} {notice.number}")
        fit_to_screen(self, 640, 560)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.items = QListWidget()
        self.breaches = QLabel()
        self.breaches.setWordWrap(True)
        self.breaches.setObjectName("hint")
        self.breach_button = QPushButton("记录超出告知范围的要求…")
        self.breach_button.setAutoDefault(False)
        self.breach_button.clicked.connect(self._on_breach_clicked)
        self.void_button = QPushButton("作废告知单…")
        self.void_button.setAutoDefault(False)
        self.void_button.clicked.connect(self._on_void_clicked)
        # Not auto-default (Enter in the list registers the materials), but Enter on either
        # of them, focused, presses it rather than the dialog's 登记收到的材料.
        enter_clicks(self, (self.breach_button, self.void_button))
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton(
            "登记收到的材料", QDialogButtonBox.ButtonRole.AcceptRole
        )
        buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self._close)
        note = QLabel(
            "只能要求告知单上列明的材料。确需其他材料的，须在此记录理由（计入出具人的超范围告知），"
            "并报所长。"
        )
        note.setWordWrap(True)
        note.setObjectName("banner")
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(QLabel("勾选群众本次带来的材料："))
        layout.addWidget(self.items, 1)
        layout.addWidget(note)
        layout.addWidget(self.breach_button)
        layout.addWidget(self.void_button)
        layout.addWidget(self.breaches)
        layout.addWidget(buttons)
        self._show(notice)

    def _show(self, notice: NoticeDetail) -> None:
        self.notice = notice
        deadline = notice.supplement_deadline.isoformat() if notice.supplement_deadline else "未设"
        self.summary.setText(
            f"<b>{esc(notice.number)}</b>　{esc(notice.state_label)}<br>"
            f"{esc(notice.citizen_name)}　{esc(notice.service_name)}"
            f"（登记编号 {esc(notice.serial)}）<br>"
            f"出具：{esc(notice.officer_name)}，{notice.local_date.isoformat()}；补正期限：{deadline}；"
            f"已来所补交 {notice.return_visits} 次"
        )
        self.items.clear()
        for item in notice.items:
            if item.state == "provided":
                continue
            text = f"{item.name}　{item.form} {item.copies} 份　{ITEM_STATE_LABELS[item.state]}"
            if item.note:
                text += f"（{item.note}）"
            entry = QListWidgetItem(text + ("　✔ 已收" if item.arrived else ""))
            entry.setData(Qt.ItemDataRole.UserRole, item.id)
            if item.arrived:
                entry.setFlags(Qt.ItemFlag.NoItemFlags)
            else:
                entry.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
                entry.setCheckState(Qt.CheckState.Unchecked)
            self.items.addItem(entry)
        self.breaches.setText(
            "超出告知范围的要求："
            + "；".join(f"{b.item_name}（{b.officer_name}：{b.reason}）" for b in notice.breaches)
            if notice.breaches
            else ""
        )
        open_ = notice.state in ("open", "overdue")
        self.save_button.setEnabled(open_)
        self.breach_button.setEnabled(notice.state != "voided")
        self.void_button.setEnabled(open_)

    def check_all(self) -> None:
        """Tick every item still owed (the citizen brought everything)."""
        for row in range(self.items.count()):
            entry = self.items.item(row)
            if entry.flags() & Qt.ItemFlag.ItemIsUserCheckable:
                entry.setCheckState(Qt.CheckState.Checked)

    def save(self) -> None:
        """Record this return; when everything is in, the matter continues."""
        arrived = [
            int(self.items.item(r).data(Qt.ItemDataRole.UserRole))
            for r in range(self.items.count())
            if self.items.item(r).checkState() == Qt.CheckState.Checked
        ]
        try:
            notice = self._notices.record_return(
                self._user, self.notice.id, self.notice.row_version, arrived
            )
        except StationDeskError as exc:
            show_error(self, exc.message)
            return
        self.changed = True
        self.notice = notice
        if notice.state == "fulfilled":
            self.accept()
        else:
            self._show(notice)

    def _on_breach_clicked(self) -> None:
        dialog = TextFormDialog(
            "超出告知范围的要求",
            "记录后计入出具告知单民警的超范围告知，并在所长台账上显示。",
            [
                Field("item_name", "额外要求的材料", limit=text_limits.UNIT),
                Field("reason", "理由", multiline=True, limit=text_limits.NOTE),
            ],
            lambda v: self._notices.record_breach(
                self._user, self.notice.id, v["item_name"], v["reason"]
            ),
            "记录",
            self,
        )
        if dialog.exec() and isinstance(dialog.result_value, NoticeDetail):
            self.changed = True
            self._show(dialog.result_value)

    def _on_void_clicked(self) -> None:
        dialog = TextFormDialog(
            "作废告知单",
            "作废后编号保留不再使用；事项如在暂停计时，将恢复计时。",
            [
                Field(
                    "reason",
                    "作废原因",
                    placeholder="如：开错事项，已重新出具",
                    limit=text_limits.REASON,
                )
            ],
            lambda v: self._notices.void(
                self._user, self.notice.id, self.notice.row_version, v["reason"]
            ),
            "作废",
            self,
        )
        if dialog.exec() and isinstance(dialog.result_value, NoticeDetail):
            self.changed = True
            self._show(dialog.result_value)

    def _close(self) -> None:
        if self.changed:
            self.accept()
        else:
            self.reject()
