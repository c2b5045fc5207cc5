"""The complaints page: recorded at the counter, verified by the chief, unseen by the concerned."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app.complaints.service import ComplaintService, NewComplaint
from app.core.clock import FixedClock
from app.core.database import Database
from app.core.dto import SessionUser
from app.core.roles import Role
from ui.dialogs.complaint_dialog import ComplaintDialog
from ui.dialogs.text_form_dialog import TextFormDialog
from ui.pages.complaints_page import ComplaintsPage

TODAY = dt.date(2025, 9, 29)


def ime_commit(widget: QWidget, text: str) -> None:
    """What an input method (拼音输入法) sends when the officer picks the characters."""
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


@pytest.fixture
def complaints(db: Database, clock: FixedClock, chief: SessionUser) -> ComplaintService:
    return ComplaintService(db.sessions, clock)


def test_a_complaint_recorded_at_the_counter_is_verified_by_the_chief_and_hidden_from_the_officer(
    qtbot,
    qtmodeltester,
    monkeypatch: pytest.MonkeyPatch,
    clock: FixedClock,
    complaints: ComplaintService,
    chief: SessionUser,
    make_officer,
) -> None:  # type: ignore[no-untyped-def]
    zhang = make_officer(Role.WINDOW, "张伟")
    liu = make_officer(Role.WINDOW, "刘洋")
    monkeypatch.setattr(QMessageBox, "exec", lambda self: QMessageBox.StandardButton.Yes)

    # 刘洋 records at the counter what a citizen says about 张伟.
    counter = ComplaintsPage(complaints, liu, TODAY)
    qtbot.addWidget(counter)
    attempts: list[str] = []

    def fill_and_save(dialog: ComplaintDialog) -> int:
        dialog.channel_combo.setCurrentIndex(dialog.channel_combo.findData("当面"))
        dialog.name_edit.setFocus()
        ime_commit(dialog.name_edit, "王小明")
        qtbot.keyClicks(dialog.phone_edit, "13805710011")
        dialog.officer_combo.setCurrentIndex(dialog.officer_combo.findData(zhang.officer_id))
        dialog.save()  # no content yet: refused at the field, the form stays open
        attempts.append(dialog.errors.message_of("content"))
        ime_commit(dialog.content_edit, "办理居住证明时态度生硬")
        dialog.save()
        return int(dialog.result())

    monkeypatch.setattr(ComplaintDialog, "exec", fill_and_save)
    assert counter.buttons["record"].isEnabled()
    counter.buttons["record"].click()

    assert attempts == ["请填写投诉内容。"]
    assert counter.model.rowCount() == 1
    row = counter.model.row_at(0)
    assert (row.number, row.officer_name, row.complainant) == (
        "HPL-TS-2025-00001",
        "张伟",
        "王小明",
    )
    assert counter.current is not None and counter.current.id == row.id
    texts = [counter.model.index(0, c).data() for c in range(counter.model.columnCount())]
    assert texts[4] == "王小明 138****0011" and "13805710011" not in "".join(texts)
    assert texts[7] == "待核实" and texts[8] == "核实 2025-10-10" and texts[9] == ""
    assert not counter.buttons["verify"].isEnabled()  # only the handler verifies
    assert "王所长承办" in counter.hint.text()
    qtmodeltester.check(counter.model)

    # The officer concerned does not see it at all.
    concerned = ComplaintsPage(complaints, zhang, TODAY)
    qtbot.addWidget(concerned)
    assert concerned.model.rowCount() == 0

    # The chief opens the page after the verify deadline: red and 核实逾期.
    clock.advance(dt.timedelta(days=12))
    desk = ComplaintsPage(complaints, chief, TODAY + dt.timedelta(days=12))
    qtbot.addWidget(desk)
    assert desk.model.rowCount() == 1
    assert desk.model.index(0, 9).data() == "核实逾期"
    assert desk.model.index(0, 0).data(Qt.ItemDataRole.ForegroundRole).color().name() == "#b3261e"
    assert desk.select(row.id) and desk.current is not None
    assert desk.buttons["verify"].isEnabled() and not desk.buttons["handle"].isEnabled()
    assert "2025-10-10 已逾期" in desk.view.toPlainText().replace("\u3000", " ")

    def verify(dialog: TextFormDialog) -> int:
        dialog.editors["finding"].setCurrentIndex(dialog.editors["finding"].findData("属实"))  # type: ignore[union-attr]
        ime_commit(dialog.editors["verify_note"], "调取录像，态度确有生硬")
        dialog.submit()
        return int(dialog.result())

    monkeypatch.setattr(TextFormDialog, "exec", verify)
    desk.buttons["verify"].click()

    assert desk.current is not None and desk.current.state_label == "待处理"
    assert desk.current.finding == "属实"
    assert desk.model.index(0, 9).data() == ""  # handling is due 2025-10-20: not late
    assert desk.buttons["handle"].isEnabled() and not desk.buttons["verify"].isEnabled()

    def handle(dialog: TextFormDialog) -> int:
        outcomes = dialog.editors["outcome"]
        assert [outcomes.itemData(i) for i in range(outcomes.count())] == ["改进", "追责"]  # type: ignore[union-attr]
        ime_commit(dialog.editors["handle_note"], "批评教育，开展窗口礼仪培训")
        dialog.submit()
        return int(dialog.result())

    monkeypatch.setattr(TextFormDialog, "exec", handle)
    desk.buttons["handle"].click()
    assert desk.current is not None and desk.current.outcome == "改进"
    assert "处理：改进" in desk.view.toPlainText()

    # Still invisible to the officer concerned; the counter officer follows the progress.
    concerned.reload()
    counter.reload()
    assert concerned.model.rowCount() == 0
    assert counter.model.row_at(0).state_label == "待答复"

    def reply(dialog: TextFormDialog) -> int:
        methods = dialog.editors["reply_method"]
        assert "无法答复（匿名）" not in [methods.itemData(i) for i in range(methods.count())]  # type: ignore[union-attr]
        ime_commit(dialog.editors["reply_text"], "已电话告知处理结果，群众认可")
        dialog.submit()
        return int(dialog.result())

    monkeypatch.setattr(TextFormDialog, "exec", reply)
    desk.buttons["reply"].click()
    assert desk.buttons["close"].isEnabled()
    desk.buttons["close"].click()  # the confirmation is answered 办结
    assert desk.current is not None and desk.current.state_label == "已办结"
    assert not any(b.isEnabled() for k, b in desk.buttons.items() if k != "record")
    assert "办结" in desk.view.toPlainText()


def test_a_stale_step_is_refused_and_the_retry_uses_the_fresh_record(
    qtbot,
    monkeypatch: pytest.MonkeyPatch,
    complaints: ComplaintService,
    chief: SessionUser,
    make_officer,
) -> None:  # type: ignore[no-untyped-def]
    zhang = make_officer(Role.WINDOW, "张伟")
    monkeypatch.setattr(QMessageBox, "exec", lambda self: QMessageBox.StandardButton.Yes)
    row = complaints.record(
        chief, NewComplaint("complaint", "12389", TODAY, "态度差", officer_id=zhang.officer_id)
    )
    page = ComplaintsPage(complaints, chief, TODAY)
    qtbot.addWidget(page)
    page.select(row.id)
    # Someone else (the chief at another counter) reassigns meanwhile and back: version moved.
    deputy = make_officer(Role.DEPUTY, "李副所长")
    moved = complaints.reassign(chief, row.id, row.row_version, deputy.officer_id, "出差")
    complaints.reassign(deputy, row.id, moved.row_version, chief.officer_id, "回所")

    def verify(dialog: TextFormDialog) -> int:
        ime_commit(dialog.editors["verify_note"], "核实")
        dialog.submit()
        return int(dialog.result())

    monkeypatch.setattr(TextFormDialog, "exec", verify)
    page.buttons["verify"].click()  # refused: stale
    assert complaints.get(chief, row.id).state == "received"
    page.buttons["verify"].click()
    assert complaints.get(chief, row.id).state == "verified"
