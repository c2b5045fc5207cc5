"""Notice wiring: the pad draws from the mouse; a notice issued and fulfilled by dialogs."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from PIL import Image
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from app.core.clock import FixedClock
from app.core.identity import IdType
from app.core.roles import Role
from app.services import Services
from app.visits.dto import NewVisit
from ui.dialogs.notice_dialog import NoticeDialog
from ui.dialogs.notice_return_dialog import NoticeReturnDialog
from ui.pages.notices_page import NoticesPage
from ui.widgets.signature_pad import SignaturePad


def sign(qtbot, pad: SignaturePad) -> None:  # type: ignore[no-untyped-def]
    """Drag the mouse across the pad as a citizen would."""
    QTest.mousePress(pad, Qt.MouseButton.LeftButton, pos=QPoint(30, 100))
    for x, y in ((80, 60), (140, 110), (200, 50), (260, 100)):
        QTest.mouseMove(pad, QPoint(x, y))
    QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(300, 80))


def test_the_signature_pad_turns_mouse_input_into_strokes(qtbot) -> None:  # type: ignore[no-untyped-def]
    pad = SignaturePad()
    qtbot.addWidget(pad)
    pad.show()
    qtbot.waitExposed(pad)
    assert pad.is_empty

    sign(qtbot, pad)
    sign(qtbot, pad)

    strokes = pad.stroke_data()
    assert len(strokes) == 2 and len(strokes[0]) >= 4
    assert strokes[0][0][:2] == (30.0, 100.0)
    png = Image.open(io.BytesIO(pad.to_png()))
    assert png.size == (pad.width() * 2, pad.height() * 2)
    assert png.convert("L").getextrema()[0] < 80  # dark ink on white
    pad.undo()
    assert len(pad.stroke_data()) == 1
    pad.clear()
    assert pad.is_empty


def test_a_notice_is_issued_and_the_second_visit_completed_through_the_dialogs(
    qtbot, monkeypatch: pytest.MonkeyPatch, clock: FixedClock, services: Services, make_officer
) -> None:  # type: ignore[no-untyped-def]
    officer = make_officer(Role.WINDOW, "张伟")
    colleague = make_officer(Role.WINDOW, "刘洋")
    item = services.catalogue.list_items("ZM-WFZ")[0]
    visit = services.visits.register(
        officer,
        NewVisit("王小明", IdType.RESIDENT, "11010519491231002X", "13805710011", item.item_id),
    )

    dialog = NoticeDialog(services.notices, officer, services.notices.draft(officer, visit.row.id))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.set_state(0, "missing")
    dialog.set_state(1, "correction", "申请表第 3 栏用途写明“出国留学”")
    sign(qtbot, dialog.pad)
    dialog.issue()
    assert dialog.issued is not None, dialog.errors.general_message
    notice = dialog.issued
    assert notice.signer_name == "王小明"
    assert services.visits.get(officer, visit.row.id).row.status.value == "waiting_materials"

    # The citizen returns three days later to another counter and brings everything.
    clock.advance(dt.timedelta(days=3))
    page = NoticesPage(services.notices, colleague, dt.date(2025, 10, 2))
    qtbot.addWidget(page)
    opened: list[NoticeReturnDialog] = []

    def fake_exec(self: NoticeReturnDialog) -> int:
        opened.append(self)
        self.check_all()
        self.save()
        return int(self.result())

    monkeypatch.setattr(NoticeReturnDialog, "exec", fake_exec)
    scanned = services.notices.slip(colleague, notice.id).qr_payload
    page.find_edit.setText(scanned)  # what the scanner types
    page.find_notice()

    assert opened and opened[0].notice.state == "fulfilled"
    detail = services.visits.get(officer, visit.row.id)
    assert detail.row.status.value == "in_progress" and detail.row.owner_name == "张伟"
    rates = {r.label: r.rate_text for r in page.by_officer.rows()}
    assert rates == {"张伟": "100%"}


def test_enter_on_a_focused_breach_or_void_button_presses_it_not_the_save(
    qtbot, monkeypatch: pytest.MonkeyPatch, services: Services, make_officer
) -> None:  # type: ignore[no-untyped-def]
    # The two were not auto-default, so Enter on either, focused, ran the dialog's default
    # 登记收到的材料 instead (found while writing the F1 manual).
    officer = make_officer(Role.WINDOW, "张伟")
    item = services.catalogue.list_items("ZM-WFZ")[0]
    visit = services.visits.register(
        officer,
        NewVisit("王小明", IdType.RESIDENT, "11010519491231002X", "13805710011", item.item_id),
    )
    editor = NoticeDialog(services.notices, officer, services.notices.draft(officer, visit.row.id))
    qtbot.addWidget(editor)
    editor.show()
    editor.set_state(0, "missing")
    sign(qtbot, editor.pad)
    editor.issue()
    assert editor.issued is not None
    pressed: list[str] = []
    monkeypatch.setattr(NoticeReturnDialog, "_on_void_clicked", lambda _s: pressed.append("void"))
    monkeypatch.setattr(
        NoticeReturnDialog, "_on_breach_clicked", lambda _s: pressed.append("breach")
    )
    monkeypatch.setattr(NoticeReturnDialog, "save", lambda _s: pressed.append("save"))
    dialog = NoticeReturnDialog(services.notices, officer, editor.issued)
    qtbot.addWidget(dialog)
    dialog.show()
    for button in (dialog.void_button, dialog.breach_button):
        button.setFocus()
        qtbot.keyClick(button, Qt.Key.Key_Return)
    assert pressed == ["void", "breach"]
