"""The visit panel's actions: the forms, prints and dialogs behind its buttons (VisitPanel)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QPushButton, QWidget

from app.casefile.service import CaseFileService
from app.core.dto import SessionUser
from app.core.errors import ConflictError, StationDeskError
from app.core.reveal_purposes import ID_NUMBER_PURPOSES
from app.notices.dto import NoticeDetail
from app.notices.service import NoticeService
from app.printing.fonts import glyph_warning
from app.printing.register_pdf import render_register
from app.printing.slip_pdf import render_slip
from app.ratings.service import RatingService
from app.visits.dto import VisitDetail
from app.visits.service import VisitService
from ui.dialogs.notice_dialog import NoticeDialog
from ui.dialogs.notice_return_dialog import NoticeReturnDialog
from ui.dialogs.rating_dialog import RatingDialog
from ui.dialogs.reveal_dialog import reveal_dialog
from ui.dialogs.text_form_dialog import Field, TextFormDialog
from ui.print_preview_dialog import PrintPreviewDialog
from ui.widgets.messages import show_error, show_info

SLIP_NAMES = {"receipt": "受理回执", "guidance": "引导单", "refusal": "不予受理告知书"}

# The mixin is a QWidget to the type checker only: at run time VisitPanel brings the QWidget.
if TYPE_CHECKING:
    _PanelBase = QWidget
else:
    _PanelBase = object


class VisitPanelActions(_PanelBase):
    """What VisitPanel's actions do that run at once, print, or open a dialog of their own (the
    text forms are VisitPanelForms'); mixed into VisitPanel, which holds the state."""

    _visits: VisitService
    _notices: NoticeService | None
    _ratings: RatingService | None
    _case_files: CaseFileService | None
    _user: SessionUser
    detail: VisitDetail | None
    visit_notices: list[NoticeDetail]
    form_only: bool
    buttons: dict[str, QPushButton]
    _next: str | None

    if TYPE_CHECKING:
        # Declared (and emitted) on VisitPanel; named here for the type checker only.
        changed = Signal(int)

        def show_visit(self, visit_id: int | None) -> None: ...

        def open_notice(self) -> NoticeDetail | None: ...

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

    def _on_resume(self) -> None:
        self._run(
            lambda d: self._visits.resume(self._user, d.row.id, d.row.row_version, "材料补齐")
        )

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

    def _on_take(self) -> None:
        d = self.detail
        assert d is not None and d.pending_handover is not None
        handover_id = d.pending_handover.id
        self._run(lambda _d: self._visits.accept_handover(self._user, handover_id))

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
