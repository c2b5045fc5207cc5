"""One visit: its details and history, and every action its current owner may take."""

from __future__ import annotations

from collections.abc import Callable

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
from app.core.dto import SessionUser
from app.core.errors import StationDeskError
from app.core.roles import Permission, allows
from app.notices.dto import NoticeDetail
from app.notices.service import NoticeService
from app.ratings.service import RATABLE, RatingService
from app.visits.dto import VisitDetail
from app.visits.rules import VisitStatus
from app.visits.service import VisitService

# Re-exported: tests patch ui.widgets.visit_panel.PrintPreviewDialog (the actions print with it).
from ui.print_preview_dialog import PrintPreviewDialog as PrintPreviewDialog
from ui.widgets._visit_html import notices_html, visit_html
from ui.widgets._visit_panel_forms import VisitPanelForms
from ui.widgets.enter_clicks import enter_clicks
from ui.widgets.flow_layout import ButtonGrid
from ui.widgets.html import esc

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


class VisitPanel(VisitPanelForms, QWidget):
    """Detail and actions; emits ``changed`` after anything was saved.

    What each action does: VisitPanelForms and VisitPanelActions (its mixins, beside it)."""

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
        self._slots = self._action_slots()
        self._make_buttons()
        self._next: str | None = None
        self.primary_key: str | None = None
        self._build_layout()
        self.attach_shortcuts(self)
        self.show_visit(None)

    def _action_slots(self) -> dict[str, Callable[[], object]]:
        """What each action key runs (the mixins' handlers)."""
        return {
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

    def _make_buttons(self) -> None:
        """One button and one QAction (with its shortcut) per action, in ACTIONS order."""
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

    def _build_layout(self) -> None:
        """The detail above, the hint, then the grid of the actions the state allows."""
        self.hint = QLabel()
        self.hint.setObjectName("hint")
        self.hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.hint)
        layout.addWidget(self.grid)

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

    def open_notice(self) -> NoticeDetail | None:
        """The visit's notice still waiting for materials, if any."""
        return next((n for n in self.visit_notices if n.state in ("open", "overdue")), None)
