"""One visit: its details and history, and every action its current owner may take."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.casefile.service import CaseFileService
from app.core import text_limits
from app.core.dto import SessionUser
from app.core.errors import ConflictError, StationDeskError
from app.core.reveal_purposes import ID_NUMBER_PURPOSES
from app.core.roles import Permission, allows
from app.notices.dto import NoticeDetail
from app.notices.service import NoticeService
from app.printing.fonts import glyph_warning
from app.printing.register_pdf import render_register
from app.printing.slip_pdf import render_slip
from app.ratings.service import RATABLE, RatingService
from app.visits.dto import VisitDetail
from app.visits.rules import VisitStatus
from app.visits.service import VisitService
from ui.dialogs.notice_dialog import NoticeDialog
from ui.dialogs.notice_return_dialog import NoticeReturnDialog
from ui.dialogs.rating_dialog import RatingDialog
from ui.dialogs.reveal_dialog import reveal_dialog
from ui.dialogs.text_form_dialog import Field, TextFormDialog
from ui.localtime import fmt
from ui.print_preview_dialog import PrintPreviewDialog
from ui.widgets.enter_clicks import enter_clicks
from ui.widgets.flow_layout import ButtonGrid
from ui.widgets.html import esc
from ui.widgets.messages import show_error, show_info

SLIP_NAMES = {"receipt": "受理回执", "guidance": "引导单", "refusal": "不予受理告知书"}

# Every action on a matter: its key, button text and shortcut, in the order the buttons are laid
# out (after the primary action of the matter's state, which always comes first). The three
# slips share Ctrl+P: a matter's state allows only one of them.
ACTIONS: tuple[tuple[str, str, str], ...] = (
    ("take", "接收移交", "Ctrl+Shift+T"),
    ("accept", "受理", "F8"),
    ("spot", "当场办结", "F9"),
    ("complete", "办结", "F12"),
    ("receipt", "打印回执", "Ctrl+P"),
    ("guidance", "打印引导单", "Ctrl+P"),
    ("refusal", "打印告知书", "Ctrl+P"),
    ("notice", "一次性告知…", "Ctrl+G"),
    ("print_notice", "打印告知单", "Ctrl+Shift+P"),
    ("return", "补交材料…", "Ctrl+M"),
    ("pause", "待补材料…", "Ctrl+B"),
    ("resume", "恢复办理", "Ctrl+Shift+B"),
    ("rate", "请群众评价", "Ctrl+E"),
    ("answer", "当场答复…", "Ctrl+D"),
    ("guide", "引导至他处…", "Ctrl+Shift+G"),
    ("refuse", "不予受理…", "Ctrl+Shift+R"),
    ("handover", "移交…", "Ctrl+T"),
    ("decline", "拒收移交…", "Ctrl+Shift+J"),
    ("cancel", "撤回移交", "Ctrl+Shift+C"),
    ("reassign", "指派…", "Ctrl+Shift+A"),
    ("void", "作废…", "Ctrl+Shift+V"),
    ("arrived", "到达", "F5"),
    ("started", "开始", "F6"),
    ("ended", "结束", "F7"),
    ("reveal", "查看完整证件号…", "Ctrl+I"),
    ("case_file", "打印办件档案", "Ctrl+Shift+F"),
)
# After an action, the next likely one gets the focus (if the new state allows it).
NEXT_ACTION = {
    "accept": "receipt",
    "take": "complete",
    "resume": "complete",
    "receipt": "complete",
    "guide": "guidance",
    "refuse": "refusal",
    "started": "ended",
}
COLUMNS = 3  # buttons per row of the action grid, fewer when their text would not fit


def shortcut_text(sequence: str) -> str:
    """A shortcut as the officer reads it on a button (F8, Ctrl+Shift+P)."""
    return QKeySequence(sequence).toString(QKeySequence.SequenceFormat.NativeText)


def _time(value: Any) -> str:
    return fmt(value)


def visit_html(d: VisitDetail) -> str:
    """The visit as the officer reads it: who, what, deadline, history."""
    r = d.row
    state = {"overdue": "（已超期）", "due_soon": "（即将到期）"}.get(r.due_state, "")
    colour = {"overdue": "#b3261e", "due_soon": "#9a6700"}.get(r.due_state, "#1f2328")
    lines = [
        ("群众", f"{esc(r.citizen_name)}　{esc(d.id_type.label)} {esc(r.id_masked) or '—'}"),
        ("电话", esc(r.phone_masked) or "—"),
        ("事项", f"{esc(r.service_name)}（{esc(d.time_limit_text)}）"),
        ("渠道", f"{d.channel.label}{'' if d.in_scope else '　不属本所职责'}"),
        ("首接责任人", f"{esc(r.first_officer_name)}（{esc(d.first_officer_badge)}）"),
        ("当前负责人", f"{esc(r.owner_name)}（{esc(d.owner_badge)}）"),
        (
            "到达 / 开始 / 结束",
            " / ".join(
                _time(at) + ("（手动）" if which in d.times_by_hand and at else "")
                for which, at in (
                    ("arrived", r.arrived_at),
                    ("started", d.started_at),
                    ("ended", d.ended_at),
                )
            ),
        ),
    ]
    spent = []
    if r.waiting_minutes is not None:
        spent.append(f"等候 {r.waiting_minutes} 分钟")
    if r.service_minutes is not None:
        spent.append(f"办理 {r.service_minutes} 分钟")
    if spent:
        lines.append(("用时", "，".join(spent)))
    if r.due_date:
        lines.append(
            ("期限", f"<span style='color:{colour}'>{r.due_date.isoformat()}{state}</span>")
        )
    if d.paused and d.remaining_days is not None:
        lines.append(("计时", f"已暂停，剩余 {d.remaining_days} 天"))
    if d.summary:
        lines.append(("事由", esc(d.summary)))
    if d.result:
        lines.append(("结果", esc(d.result)))
    if d.guided_unit:
        lines.append(
            ("引导至", f"{esc(d.guided_unit)}，{esc(d.guided_address)}，{esc(d.guided_phone)}")
        )
    # The reason, the legal basis and the redress bodies, as the refusal notice prints them.
    lines.extend((label, esc(text)) for label, text in d.refusal_lines)
    if d.refusal_unsigned:
        lines.append(("拒绝签收", esc(d.refusal_unsigned)))
    if d.void_reason:
        lines.append(("作废原因", esc(d.void_reason)))
    pending = d.pending_handover
    if pending is not None:
        lines.append(
            (
                "待接收移交",
                f"<span style='color:#9a6700'>{esc(pending.from_name)} → {esc(pending.to_name)}"
                f"：{esc(pending.reason)}（接收前仍由{esc(pending.from_name)}负责）</span>",
            )
        )
    table = "".join(
        f"<tr><td style='color:#57606a;padding-right:10px'>{k}</td><td>{v}</td></tr>"
        for k, v in lines
    )
    history = "".join(
        f"<li>{_time(t.at)}　{esc(t.officer_name)}　"
        f"{(t.from_status.label + ' → ') if t.from_status and t.from_status != t.to_status else ''}"
        f"{t.to_status.label}{('：' + esc(t.reason)) if t.reason else ''}</li>"
        for t in d.transitions
    )
    handovers = "".join(
        f"<li>{_time(h.created_at)}　{esc(h.from_name)} → {esc(h.to_name)}：{esc(h.reason)}"
        f"（{h.state_label}{('，' + esc(h.decline_reason)) if h.decline_reason else ''}）</li>"
        for h in d.handovers
    )
    warning = f"<p style='color:#9a6700'>{esc(d.due_warning)}</p>" if d.due_warning else ""
    return (
        f"<h3>{esc(r.serial)}　{r.status.label}</h3>{warning}<table>{table}</table>"
        f"<h4>办理经过</h4><ul>{history}</ul>"
        + (f"<h4>移交记录</h4><ul>{handovers}</ul>" if handovers else "")
    )


def notices_html(notices: list[NoticeDetail]) -> str:
    """The visit's notices, newest first."""
    if not notices:
        return ""
    items = "".join(
        f"<li>{esc(n.number)}　{esc(n.title)}　{esc(n.state_label)}　{n.local_date.isoformat()}"
        f"　待补 {sum(1 for i in n.items if i.owed)} 项"
        + (
            f"　<span style='color:#b3261e'>超范围要求 {len(n.breaches)} 次</span>"
            if n.breaches
            else ""
        )
        + "</li>"
        for n in notices
    )
    return f"<h4>告知单</h4><ul>{items}</ul>"


class VisitPanel(QWidget):
    """Detail and actions; emits ``changed`` after anything was saved."""

    changed = Signal(int)

    def __init__(
        self,
        visits: VisitService,
        user: SessionUser,
        parent: QWidget | None = None,
        notices: NoticeService | None = None,
        ratings: RatingService | None = None,
        case_files: CaseFileService | None = None,
    ) -> None:
        super().__init__(parent)
        self._visits = visits
        self._notices = notices
        self._ratings = ratings
        self._case_files = case_files
        self.rated = False
        self._user = user
        self.detail: VisitDetail | None = None
        self.visit_notices: list[NoticeDetail] = []
        self.form_only = False
        self.view = QTextBrowser()
        self.view.setObjectName("detail")
        self.buttons: dict[str, QPushButton] = {}
        # The actions (with their shortcuts) of this panel; the main window lists those of the
        # page in view in its 业务 menu. Shortcuts work wherever the focus is on the page.
        self.actions_by_key: dict[str, QAction] = {}
        self.grid = ButtonGrid(COLUMNS)
        slots: dict[str, Callable[[], object]] = {
            "accept": self._on_accept,
            "spot": self._on_spot,
            "complete": self._on_complete,
            "answer": self._on_answer,
            "guide": self._on_guide,
            "refuse": self._on_refuse,
            "handover": self._on_handover,
            "void": self._on_void,
            "take": self._on_take,
            "decline": self._on_decline,
            "cancel": self._on_cancel,
            "arrived": lambda: self._mark("arrived"),
            "started": lambda: self._mark("started"),
            "ended": lambda: self._mark("ended"),
            "receipt": lambda: self._print("receipt"),
            "guidance": lambda: self._print("guidance"),
            "refusal": lambda: self._print("refusal"),
            "reveal": self._on_reveal,
            "reassign": self._on_reassign,
            "pause": self._on_pause,
            "resume": self._on_resume,
            "notice": self._on_notice,
            "return": self._on_return,
            "print_notice": self._on_print_notice,
            "rate": self._on_rate,
            "case_file": self._on_case_file,
        }
        for key, text, sequence in ACTIONS:
            keys = shortcut_text(sequence)
            button = QPushButton(f"{text.rstrip('…')}（{keys}）")
            button.setAutoDefault(False)
            button.setToolTip(f"{text.rstrip('…')}　快捷键 {keys}")
            button.clicked.connect(lambda _=False, key=key: self.trigger(key))
            self.buttons[key] = button
            action = QAction(text, self)
            action.setShortcut(QKeySequence(sequence))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(lambda _=False, key=key: self.trigger(key))
            self.actions_by_key[key] = action
        # Laid out only once a matter is shown, so a page's enter_clicks would not find them.
        enter_clicks(self, self.buttons.values())
        self._slots = slots
        self._next: str | None = None
        self.primary_key: str | None = None
        self.hint = QLabel()
        self.hint.setObjectName("hint")
        self.hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.hint)
        layout.addWidget(self.grid)
        self.attach_shortcuts(self)
        self.show_visit(None)

    def attach_shortcuts(self, scope: QWidget) -> None:
        """Make the shortcuts work wherever the focus is inside ``scope`` (the page, or the
        dialog the panel is shown in): the list beside the panel included."""
        for action in self.actions_by_key.values():
            scope.addAction(action)

    def counter_actions(self) -> list[QAction]:
        """The actions for the 业务 menu, in button order."""
        return list(self.actions_by_key.values())

    def trigger(self, key: str) -> None:
        """Run action ``key`` if the matter's state allows it now (buttons, menu, shortcuts)."""
        if self.detail is None or not self.buttons[key].isEnabled():
            return
        self._next = NEXT_ACTION.get(key)
        try:
            self._slots[key]()
        finally:
            self._focus_next()

    def trigger_primary(self) -> bool:
        """The primary action of the matter's state (Enter on its row); False if none."""
        if self.primary_key is None:
            return False
        self.trigger(self.primary_key)
        return True

    def _focus_next(self) -> None:
        """After an action, the next likely one (or the primary one) has the focus, visibly."""
        key, self._next = self._next, None
        target = key if key is not None and self.buttons[key].isEnabled() else self.primary_key
        if target is not None and self.buttons[target].isVisible():
            self.buttons[target].setFocus(Qt.FocusReason.OtherFocusReason)

    def show_visit(self, visit_id: int | None) -> None:
        """Load and show a visit (None clears the panel)."""
        self.visit_notices = []
        self.rated = False
        if visit_id is None:
            self.detail = None
            self.view.setHtml("<p style='color:#57606a'>在左侧选择一条登记记录。</p>")
        else:
            try:
                self.detail = self._visits.get(self._user, visit_id)
                if self._notices is not None:
                    self.visit_notices = self._notices.for_visit(self._user, visit_id)
                if self._ratings is not None and self.detail.row.status in RATABLE:
                    self.rated = self._ratings.rated_on_site(self._user, visit_id)
            except StationDeskError as exc:
                self.detail = None
                self.view.setHtml(f"<p>{esc(exc.message)}</p>")
            else:
                self.view.setHtml(visit_html(self.detail) + notices_html(self.visit_notices))
        self._update_buttons()

    def _update_buttons(self) -> None:
        d = self.detail
        if d is None:
            for b in self.buttons.values():
                b.setEnabled(False)
            self._lay_out({}, None)
            self.hint.clear()
            return
        status = d.row.status
        mine = d.row.owner_id == self._user.officer_id
        pending = d.pending_handover
        registered = status is VisitStatus.REGISTERED
        working = status is VisitStatus.IN_PROGRESS
        enabled = {
            "accept": mine and registered and d.in_scope,
            "spot": mine and registered and d.in_scope and d.time_limit_unit == "on_the_spot",
            "complete": mine and working,
            "answer": mine and registered,
            "guide": mine and registered,
            "refuse": mine
            and status in (VisitStatus.REGISTERED, VisitStatus.IN_PROGRESS)
            and allows(self._user.role, Permission.REFUSE_VISITS),
            "handover": mine and status.is_open and pending is None,
            "void": mine and status.is_open,
            "take": pending is not None and pending.to_officer_id == self._user.officer_id,
            "decline": pending is not None and pending.to_officer_id == self._user.officer_id,
            "cancel": pending is not None and pending.from_officer_id == self._user.officer_id,
            # The service times only a matter still open (a closed one says 不能再办理).
            "arrived": mine and status.is_open and d.started_at is None,
            "started": mine and status.is_open and d.started_at is None,
            "ended": mine and status.is_open and d.started_at is not None and d.ended_at is None,
            "receipt": d.accepted_at is not None
            and status
            in (VisitStatus.IN_PROGRESS, VisitStatus.WAITING_MATERIALS, VisitStatus.COMPLETED),
            "guidance": status is VisitStatus.GUIDED,
            "refusal": status is VisitStatus.REFUSED,
            "reveal": bool(d.row.id_masked),
            "reassign": status.is_open and allows(self._user.role, Permission.VIEW_ALL_VISITS),
            "notice": self._notices is not None
            and mine
            and d.in_scope
            and status in (VisitStatus.REGISTERED, VisitStatus.IN_PROGRESS)
            and self.open_notice() is None,
            "return": self.open_notice() is not None,
            "print_notice": bool(self.visit_notices),
            "pause": mine and working,
            "resume": mine and status is VisitStatus.WAITING_MATERIALS,
            # Only at the counter of the officer who finished it (the service says so too).
            "rate": self._ratings is not None and mine and status in RATABLE and not self.rated,
            "case_file": self._case_files is not None,
        }
        for key, button in self.buttons.items():
            button.setEnabled(enabled[key])
        self._lay_out(enabled, self._primary(enabled))
        if not mine and status.is_open:
            self.hint.setText(f"该事项由{d.row.owner_name}负责，您只能查看。")
        elif pending is not None and pending.to_officer_id == self._user.officer_id:
            self.hint.setText(f"{pending.from_name}请您接手此事项：{pending.reason}")
        else:
            self.hint.clear()

    def _primary(self, enabled: dict[str, bool]) -> str | None:
        """The action the matter's state calls for first (Enter on its row starts it)."""
        d = self.detail
        assert d is not None
        order = ["take"]
        if d.time_limit_unit == "on_the_spot":
            order += ["spot", "accept"]
        else:
            order += ["accept", "spot"]
        order += ["return", "resume", "complete", "rate", "receipt", "guidance", "refusal"]
        if not (d.row.owner_id == self._user.officer_id or "take" in enabled):
            return None
        return next((k for k in order if enabled.get(k)), None)

    def _lay_out(self, enabled: dict[str, bool], primary: str | None) -> None:
        """Only the actions the state allows, the primary one first and marked as such."""
        self.primary_key = primary
        for button in self.buttons.values():
            button.hide()
            button.setDefault(False)
            button.setObjectName("")
        shown = [k for k, _t, _s in ACTIONS if enabled.get(k)]
        if primary is not None:
            shown.remove(primary)
            shown.insert(0, primary)
            self.buttons[primary].setObjectName("primary")
        for key in shown:
            button = self.buttons[key]
            button.style().unpolish(button)
            button.style().polish(button)
        self.grid.set_buttons([self.buttons[k] for k in shown])
        for action_key, action in self.actions_by_key.items():
            action.setEnabled(bool(enabled.get(action_key)))

    # ---- actions ------------------------------------------------------------------------

    def _run(self, action: Callable[[VisitDetail], Any]) -> None:
        """Run ``action`` on the current visit; on a conflict reload and say so."""
        if self.detail is None:
            return
        visit_id = self.detail.row.id
        try:
            action(self.detail)
        except ConflictError as exc:
            show_error(self, exc.message)
            self.show_visit(visit_id)
            return
        except StationDeskError as exc:
            show_error(self, exc.message)
            return
        self.show_visit(visit_id)
        self.changed.emit(visit_id)
        self._offer_rating()

    def _form(
        self,
        title: str,
        intro: str,
        fields: list[Field],
        submit: Callable[[dict[str, Any]], Any],
        ok: str,
    ) -> TextFormDialog | None:
        """Build the action's form; ``form_only`` (screenshots) returns it without running it."""
        if self.detail is None:
            return None
        visit_id = self.detail.row.id
        dialog = TextFormDialog(title, intro, fields, submit, ok, self)
        if self.form_only:
            return dialog
        saved = dialog.exec()
        # Reload either way: after a conflict the next try starts from the fresh record.
        self.show_visit(visit_id)
        if saved:
            self.changed.emit(visit_id)
            self._offer_rating()
        return None

    def _offer_rating(self) -> None:
        """Right after a matter finishes, turn the rating screen to the citizen."""
        d = self.detail
        if self.buttons["rate"].isEnabled() and d and d.row.owner_id == self._user.officer_id:
            self._on_rate()

    def _on_rate(self) -> RatingDialog | None:
        d = self.detail
        if d is None or self._ratings is None:
            return None
        dialog = RatingDialog(
            self._ratings,
            self._user,
            d.row.id,
            f"{d.row.serial}　{d.row.service_name}",  # the officer is in the header
            d.row.citizen_name,
            self,
        )
        if self.form_only:
            return dialog
        dialog.exec()
        self.show_visit(d.row.id)
        if dialog.result_saved is not None:
            self.changed.emit(d.row.id)
        return None

    def _on_accept(self) -> None:
        self._run(lambda d: self._visits.accept(self._user, d.row.id, d.row.row_version))

    def _on_spot(self) -> None:
        self._run(
            lambda d: self._visits.complete_on_the_spot(
                self._user, d.row.id, d.row.row_version, "材料齐全，当场办结"
            )
        )

    def _on_complete(self) -> TextFormDialog | None:
        d = self.detail
        assert d is not None
        return self._form(
            "办结",
            f"{d.row.serial}　{d.row.service_name}",
            [Field("result", "办理结果", multiline=True, text="已办结", limit=text_limits.NOTE)],
            lambda v: self._visits.complete(self._user, d.row.id, d.row.row_version, v["result"]),
            "办结",
        )

    def _on_answer(self) -> TextFormDialog | None:
        d = self.detail
        assert d is not None
        return self._form(
            "当场答复",
            "记录向群众答复的内容，便于回访和复核。",
            [Field("result", "答复内容", multiline=True, limit=text_limits.NOTE)],
            lambda v: self._visits.answer(self._user, d.row.id, d.row.row_version, v["result"]),
            "保存",
        )

    def _on_guide(self) -> TextFormDialog | None:
        d = self.detail
        assert d is not None
        return self._form(
            "引导至承办单位",
            "该事项不属本所职责：写明承办单位、地址和电话，保存后打印引导单交给群众。",
            [
                Field("guided_unit", "承办单位", limit=text_limits.UNIT),
                Field("guided_address", "单位地址", limit=text_limits.ADDRESS),
                Field("guided_phone", "单位电话", placeholder="如 0571-12345678"),
                Field(
                    "result",
                    "引导说明",
                    multiline=True,
                    placeholder="如：已告知需携带的材料",
                    limit=text_limits.NOTE,
                ),
            ],
            lambda v: self._visits.guide(
                self._user,
                d.row.id,
                d.row.row_version,
                v["guided_unit"],
                v["guided_address"],
                v["guided_phone"],
                v["result"],
            ),
            "保存并关闭事项",
        )

    def _on_refuse(self) -> TextFormDialog | None:
        d = self.detail
        assert d is not None
        try:
            draft = self._visits.refusal_draft(self._user, d.row.id)
        except StationDeskError as exc:
            show_error(self, exc.message)
            return None
        matter = draft.matter_basis
        if len(matter) > 90:
            matter = matter[:90] + "……"
        return self._form(
            "不予受理",
            "依“五个一律”规定，不予受理须书面告知理由、法律依据和救济途径；告知书写明复议机关、"
            "法院和期限（六十日内申请行政复议，六个月内提起行政诉讼），一式两份，由群众签收。"
            + (f"\n本事项的设定依据：{matter}" if matter else ""),
            [
                Field("refusal_reason", "不予受理理由", multiline=True, limit=text_limits.GROUNDS),
                Field(
                    "refusal_basis",
                    "法律依据",
                    multiline=True,
                    text=draft.basis,
                    placeholder="所依据的法律、法规条款，如《中华人民共和国行政许可法》第三十二条",
                    limit=text_limits.GROUNDS,
                ),
                Field(
                    "refusal_review_body",
                    "行政复议机关",
                    text=draft.review_body,
                    placeholder="如 某市某区人民政府（可在“本所设置”中预设）",
                    limit=text_limits.UNIT,
                ),
                Field(
                    "refusal_court",
                    "行政诉讼法院",
                    text=draft.court,
                    placeholder="如 某市某区人民法院（可在“本所设置”中预设）",
                    limit=text_limits.UNIT,
                ),
                Field(
                    "refusal_redress",
                    "其他反映渠道",
                    text="也可拨打 12389 反映。",
                    placeholder="选填，如：也可拨打 12389 反映。",
                    limit=text_limits.GROUNDS,
                ),
                Field(
                    "refusal_unsigned",
                    "群众拒绝签收",
                    placeholder="选填：群众当场拒绝签收的，写明情况，由民警和见证人签字",
                    limit=text_limits.REASON,
                ),
            ],
            lambda v: self._visits.refuse(
                self._user,
                d.row.id,
                d.row.row_version,
                v["refusal_reason"],
                v["refusal_redress"],
                basis=v["refusal_basis"],
                review_body=v["refusal_review_body"],
                court=v["refusal_court"],
                unsigned=v["refusal_unsigned"],
            ),
            "保存",
        )

    def _on_handover(self) -> TextFormDialog | None:
        d = self.detail
        assert d is not None
        try:
            colleagues = self._visits.colleagues(self._user)
        except StationDeskError as exc:
            show_error(self, exc.message)
            return None
        return self._form(
            "移交",
            "移交须对方在自己的账号中接收；接收前您仍是负责人。",
            [
                Field("to_officer", "接收人", choices=tuple(colleagues)),
                Field(
                    "reason",
                    "移交原因",
                    placeholder="如：本人外出培训，请代为跟进",
                    limit=text_limits.REASON,
                ),
            ],
            lambda v: self._visits.request_handover(
                self._user, d.row.id, d.row.row_version, int(v["to_officer"]), v["reason"]
            ),
            "发起移交",
        )

    def _on_pause(self) -> TextFormDialog | None:
        d = self.detail
        assert d is not None
        return self._form(
            "待补材料",
            "群众需补交材料时暂停计时，剩余期限保留；群众补齐后点“恢复办理”。",
            [
                Field(
                    "reason",
                    "缺少的材料",
                    multiline=True,
                    placeholder="如：居民户口簿原件",
                    limit=text_limits.NOTE,
                )
            ],
            lambda v: self._visits.pause_for_materials(
                self._user, d.row.id, d.row.row_version, v["reason"]
            ),
            "暂停计时",
        )

    def _on_resume(self) -> None:
        self._run(
            lambda d: self._visits.resume(self._user, d.row.id, d.row.row_version, "材料补齐")
        )

    def open_notice(self) -> NoticeDetail | None:
        """The visit's notice still waiting for materials, if any."""
        return next((n for n in self.visit_notices if n.state in ("open", "overdue")), None)

    def _on_notice(self) -> None:
        d = self.detail
        assert d is not None and self._notices is not None
        try:
            draft = self._notices.draft(self._user, d.row.id)
        except StationDeskError as exc:
            show_error(self, exc.message)
            return
        dialog = NoticeDialog(self._notices, self._user, draft, self)
        issued = dialog.exec() and dialog.issued is not None
        self.show_visit(d.row.id)
        if issued:
            self.changed.emit(d.row.id)
            self._on_print_notice()

    def _on_return(self) -> None:
        notice = self.open_notice()
        d = self.detail
        assert notice is not None and d is not None and self._notices is not None
        dialog = NoticeReturnDialog(self._notices, self._user, notice, self)
        dialog.exec()
        self.show_visit(d.row.id)
        if dialog.changed:
            self.changed.emit(d.row.id)

    def _on_print_notice(self) -> None:
        if not self.visit_notices or self._notices is None:
            return
        notice = self.visit_notices[0]
        notices = self._notices
        try:
            data = notices.slip(self._user, notice.id)
        except StationDeskError as exc:
            show_error(self, exc.message)
            return
        warning = glyph_warning(data.texts())
        if data.is_reprint:
            warning = (warning + "　" if warning else "") + f"本次为补打（第 {data.copy_no} 次）。"
        PrintPreviewDialog(
            render_slip(data),
            notice.title,
            f"{notice.title}-{notice.number}.pdf",
            lambda: notices.record_print(self._user, notice.id, data.copy_no),
            warning,
            self,
        ).exec()

    def _on_case_file(self) -> None:
        """办件档案: the whole matter on A4, previewed, then printed or saved (audited)."""
        d, case_files = self.detail, self._case_files
        if d is None or case_files is None:
            return
        serial = d.row.serial
        try:
            doc = case_files.document(self._user, serial)
            pdf = render_register(doc)
        except StationDeskError as exc:
            show_error(self, exc.message)
            return
        PrintPreviewDialog(
            pdf,
            doc.title,
            f"{doc.title}-{serial}.pdf",
            lambda: case_files.record_print(self._user, serial),
            glyph_warning(doc.texts()),
            self,
        ).exec()

    def _on_reassign(self) -> TextFormDialog | None:
        d = self.detail
        assert d is not None
        try:
            officers = self._visits.colleagues(self._user, include_self=True)
        except StationDeskError as exc:
            show_error(self, exc.message)
            return None
        return self._form(
            "指派",
            f"把{d.row.serial}指派给另一位民警（如原负责人离岗）。首接责任人记录不变。",
            [
                Field("to_officer", "接手人", choices=tuple(officers)),
                Field(
                    "reason",
                    "指派原因",
                    placeholder="如：张伟调离，由刘洋接手",
                    limit=text_limits.REASON,
                ),
            ],
            lambda v: self._visits.reassign(
                self._user, d.row.id, d.row.row_version, int(v["to_officer"]), v["reason"]
            ),
            "指派",
        )

    def _on_void(self) -> TextFormDialog | None:
        d = self.detail
        assert d is not None
        return self._form(
            "作废",
            "作废后编号保留不再使用，原因记入台账。",
            [
                Field(
                    "void_reason",
                    "作废原因",
                    placeholder="如：群众临时离开、重复登记",
                    limit=text_limits.REASON,
                )
            ],
            lambda v: self._visits.void(self._user, d.row.id, d.row.row_version, v["void_reason"]),
            "作废",
        )

    def _on_take(self) -> None:
        d = self.detail
        assert d is not None and d.pending_handover is not None
        handover_id = d.pending_handover.id
        self._run(lambda _d: self._visits.accept_handover(self._user, handover_id))

    def _on_decline(self) -> TextFormDialog | None:
        d = self.detail
        assert d is not None and d.pending_handover is not None
        handover_id = d.pending_handover.id
        return self._form(
            "拒收移交",
            "拒收后事项仍由原负责人办理。",
            [Field("reason", "拒收原因", limit=text_limits.REASON)],
            lambda v: self._visits.decline_handover(self._user, handover_id, v["reason"]),
            "拒收",
        )

    def _on_cancel(self) -> None:
        d = self.detail
        assert d is not None and d.pending_handover is not None
        handover_id = d.pending_handover.id
        self._run(lambda _d: self._visits.cancel_handover(self._user, handover_id))

    def _mark(self, which: str) -> None:
        if self.buttons[which].isEnabled():
            self._run(
                lambda d: self._visits.mark_time(self._user, d.row.id, d.row.row_version, which)
            )

    def _on_reveal(self) -> TextFormDialog | None:
        d = self.detail
        assert d is not None
        visit_id = d.row.id
        dialog = reveal_dialog(
            "查看完整证件号码",
            f"{d.row.serial}　{d.row.service_name}　{d.row.citizen_name}",
            ID_NUMBER_PURPOSES,
            lambda purpose, detail: self._visits.reveal_id_number(
                self._user, visit_id, purpose, detail
            ),
            self,
        )
        if self.form_only:
            return dialog
        if dialog.exec() and dialog.result_value is not None:
            show_info(self, f"{d.row.citizen_name}：{dialog.result_value}", "完整证件号码")
        return None

    def _print(self, kind: str) -> None:
        d = self.detail
        assert d is not None
        try:
            data = self._visits.slip(self._user, d.row.id, kind)
        except StationDeskError as exc:
            show_error(self, exc.message)
            return
        warning = glyph_warning(data.texts())
        if data.is_reprint:
            warning = (
                warning + "　" if warning else ""
            ) + f"该单据已打印过，本次为补打（第 {data.copy_no} 次）。"
        dialog = PrintPreviewDialog(
            render_slip(data),
            SLIP_NAMES[kind],
            f"{SLIP_NAMES[kind]}-{d.row.serial}.pdf",
            lambda: self._visits.record_print(self._user, d.row.id, kind, data.copy_no),
            warning,
            self,
        )
        dialog.exec()
        if not dialog.output_done:
            # Closed without printing or saving: the slip is still to be given, so its button
            # keeps the focus (not the next step).
            self._next = kind
