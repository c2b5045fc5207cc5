"""Intake wiring: keyboard-only registration, a handover accepted by the receiver, overdue shown."""

from __future__ import annotations

import datetime as dt
import json

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QWidget
from sqlalchemy import func, select

from app.core.clock import FixedClock
from app.core.database import Database
from app.core.dto import SessionUser
from app.core.identity import IdType, check_digit
from app.core.roles import Role
from app.services import Services
from app.visits.dto import NewVisit
from db.models import AuditEvent, Visit
from ui.dialogs.registration_dialog import RegistrationDialog
from ui.dialogs.text_form_dialog import TextFormDialog
from ui.pages.today_page import TodayPage
from ui.widgets.visit_panel import VisitPanel

VALID_ID = "11010519491231002x"


def ime_commit(widget: QWidget, text: str) -> None:
    """What an input method (拼音输入法) sends when the officer picks the characters."""
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def visit_count(db: Database) -> int:
    with db.sessions() as session:
        return session.scalar(select(func.count()).select_from(Visit)) or 0


def test_walk_in_registered_with_the_keyboard_alone(
    qtbot, db: Database, services: Services, make_officer
) -> None:  # type: ignore[no-untyped-def]
    officer: SessionUser = make_officer(Role.WINDOW, "张伟")
    dialog = RegistrationDialog(services.visits, services.catalogue, officer)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    focus = dialog.focusWidget
    assert focus() is dialog.id_edit
    qtbot.keyClicks(focus(), VALID_ID)
    qtbot.keyClick(focus(), Qt.Key.Key_Tab)
    ime_commit(focus(), "张三")  # Chinese arrives from the input method, not as key codes
    qtbot.keyClick(focus(), Qt.Key.Key_Tab)
    qtbot.keyClicks(focus(), "13805710011")
    qtbot.keyClick(focus(), Qt.Key.Key_Tab)
    assert focus() is dialog.matter.edit
    qtbot.keyClicks(focus(), "sfzhl")
    assert dialog.matter.list.isVisible()
    qtbot.keyClick(focus(), Qt.Key.Key_Return)  # picks the highlighted matter, does not save
    assert dialog.matter.selected is not None and dialog.matter.selected.code == "SFZ-HL"
    assert dialog.saved is None
    qtbot.keyClick(focus(), Qt.Key.Key_Return)  # saves …
    qtbot.keyClick(focus(), Qt.Key.Key_Return)  # … once, however often Enter is pressed
    qtbot.waitUntil(lambda: dialog.saved is not None, timeout=5000)
    assert dialog.saved.row.citizen_name == "张三"
    assert dialog.saved.row.service_name.startswith("居民身份证换领")
    assert dialog.saved.row.id_masked == "110105********002X"
    assert dialog.saved.row.first_officer_name == "张伟"
    assert visit_count(db) == 1


def test_invalid_id_number_is_marked_at_the_field_and_nothing_saved(
    qtbot, db: Database, services: Services, make_officer
) -> None:  # type: ignore[no-untyped-def]
    officer = make_officer(Role.WINDOW)
    dialog = RegistrationDialog(services.visits, services.catalogue, officer)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.id_edit.setText("110105194912310021")
    dialog.name_edit.setText("张三")
    dialog.phone_edit.setText("13805710011")
    dialog.save()
    qtbot.waitUntil(lambda: dialog.save_button.isEnabled(), timeout=5000)
    assert "校验位不符" in dialog.errors.message_of("id_number")
    assert dialog.saved is None and dialog.isVisible()
    assert visit_count(db) == 0


def test_returning_citizen_is_recognised_masked_and_reused_unseen(
    qtbot, services: Services, make_officer, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    officer = make_officer(Role.WINDOW)
    item = services.catalogue.list_items("SFZ-SL")[0]
    services.visits.register(
        officer, NewVisit("李四光", IdType.RESIDENT, VALID_ID, "13805710011", item.item_id)
    )
    dialog = RegistrationDialog(services.visits, services.catalogue, officer)
    qtbot.addWidget(dialog)
    dialog.id_edit.setText(VALID_ID.upper())
    dialog.id_edit.editingFinished.emit()

    # Nothing on the form shows more than the masks allow.
    shown = " ".join(
        (
            dialog.citizen_hint.text(),
            dialog.name_edit.text(),
            dialog.name_edit.placeholderText(),
            dialog.phone_edit.text(),
            dialog.phone_edit.placeholderText(),
        )
    )
    assert "老群众" in shown and "李*光" in shown and "138****0011" in shown
    assert "李四光" not in shown and "13805710011" not in shown
    assert dialog.name_edit.text() == "" and dialog.phone_edit.text() == ""

    # Saving with both left blank reuses the earlier name and phone.
    dialog.matter.edit.textEdited.emit("SFZ-SL")
    dialog.matter._choose(dialog.matter.list.item(0))
    dialog.save()
    # Wait for the outcome either way, so a refused save fails with its message.
    qtbot.waitUntil(lambda: not dialog._saving, timeout=15000)
    shown_errors = [dialog.errors.general_message] + [
        dialog.errors.message_of(f) for f in ("citizen_name", "phone", "id_number", "item_id")
    ]
    assert dialog.saved is not None, shown_errors
    assert dialog.saved.row.citizen_name == "李四光"
    assert dialog.saved.row.phone_masked == "138****0011"


def test_the_full_phone_is_shown_only_for_a_stated_purpose(
    qtbot, services: Services, make_officer, monkeypatch, db: Database
) -> None:  # type: ignore[no-untyped-def]
    officer = make_officer(Role.WINDOW)
    item = services.catalogue.list_items("SFZ-SL")[0]
    services.visits.register(
        officer, NewVisit("李四", IdType.RESIDENT, VALID_ID, "13805710011", item.item_id)
    )
    dialog = RegistrationDialog(services.visits, services.catalogue, officer)
    qtbot.addWidget(dialog)
    dialog.id_edit.setText(VALID_ID)
    dialog.id_edit.editingFinished.emit()
    refusals: list[str] = []
    monkeypatch.setattr(
        TextFormDialog, "exec", by_keyboard(qtbot, ["看看", "与群众当面核对联系电话"], refusals)
    )

    dialog.reveal_phone()

    assert "13805710011" in dialog.citizen_hint.text()
    assert refusals and "具体事由" in refusals[0]  # the filler was refused in place first
    with db.sessions() as session:
        last = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert last is not None and last.action == "phone_revealed"
        assert json.loads(last.after_json) == {
            "purpose": "核查身份",  # Down from the first purpose in the list
            "detail": "与群众当面核对联系电话",
        }


def by_keyboard(qtbot, details: list[str], refusals: list[str]):  # type: ignore[no-untyped-def]
    """A stand-in for ``TextFormDialog.exec`` of a reveal form, run by the keyboard only.

    The purpose list has the focus; Down picks the second purpose, Tab goes to the detail,
    Enter confirms. Each detail but the last must be refused in place (its error is kept).
    """

    def run(dialog: TextFormDialog) -> int:
        dialog.show()
        qtbot.waitExposed(dialog)
        dialog.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
        combo, edit = dialog.editors["purpose"], dialog.editors["detail"]
        assert QApplication.focusWidget() is combo
        qtbot.keyClick(combo, Qt.Key.Key_Down)
        qtbot.keyClick(combo, Qt.Key.Key_Tab)
        assert QApplication.focusWidget() is edit
        for detail in details:
            edit.clear()  # type: ignore[union-attr]
            ime_commit(edit, detail)  # as the 拼音输入法 sends it
            qtbot.keyClick(edit, Qt.Key.Key_Return)
            if detail != details[-1]:
                assert dialog.isVisible()
                refusals.append(dialog.errors.message_of("detail"))
        assert not dialog.isVisible()
        return int(dialog.result())

    return run


def test_handover_is_accepted_from_the_receiving_officers_session(
    qtbot, services: Services, make_officer
) -> None:  # type: ignore[no-untyped-def]
    sender = make_officer(Role.WINDOW, "张伟")
    receiver = make_officer(Role.WINDOW, "刘洋")
    item = services.catalogue.list_items("SFZ-SL")[0]
    visit = services.visits.register(
        sender, NewVisit("王五", IdType.RESIDENT, VALID_ID, "13805710011", item.item_id)
    )
    visit = services.visits.accept(sender, visit.row.id, visit.row.row_version)
    services.visits.request_handover(
        sender, visit.row.id, visit.row.row_version, receiver.officer_id, "外出培训"
    )

    page = TodayPage(services.visits, receiver)
    qtbot.addWidget(page)
    handovers = page.lists["handovers"]
    assert handovers.model.rowCount() == 1
    page.tabs.setCurrentIndex(list(page.lists).index("handovers"))
    handovers.view.selectRow(0)
    panel: VisitPanel = page.panel
    assert panel.detail is not None and panel.detail.row.owner_name == "张伟"
    assert panel.buttons["take"].isEnabled()
    assert not panel.buttons["complete"].isEnabled()
    panel.buttons["take"].click()

    assert page.lists["handovers"].model.rowCount() == 0
    mine = [r.serial for r in page.lists["mine"].model.rows()]
    assert visit.row.serial in mine
    detail = services.visits.get(receiver, visit.row.id)
    assert detail.row.owner_name == "刘洋" and detail.row.first_officer_name == "张伟"


def test_today_page_marks_an_overdue_matter(
    qtbot, qtmodeltester, clock: FixedClock, services: Services, make_officer
) -> None:  # type: ignore[no-untyped-def]
    officer = make_officer(Role.WINDOW)
    item = services.catalogue.list_items("ZM-WFZ")[0]  # 3 working days
    visit = services.visits.register(
        officer, NewVisit("赵六", IdType.RESIDENT, VALID_ID, "13805710011", item.item_id)
    )
    services.visits.accept(officer, visit.row.id, visit.row.row_version)
    clock.advance(dt.timedelta(days=20))

    page = TodayPage(services.visits, officer)
    qtbot.addWidget(page)
    mine = page.lists["mine"].model
    qtmodeltester.check(mine)
    row = mine.find(lambda r: r.serial == visit.row.serial)
    assert row >= 0
    due_column = next(
        i
        for i in range(mine.columnCount())
        if mine.headerData(i, Qt.Orientation.Horizontal) == "期限"
    )
    index = mine.index(row, due_column)
    assert "已超期" in mine.data(index)
    assert mine.data(index, Qt.ItemDataRole.ForegroundRole).color().name() == "#b3261e"
    assert "我的在办 1 件，已超期 1 件" in page.summary_label.text()


def test_escape_while_saving_neither_cancels_nor_loses_the_visit(
    qtbot, db: Database, services: Services, make_officer
) -> None:  # type: ignore[no-untyped-def]
    officer = make_officer(Role.WINDOW)
    dialog = RegistrationDialog(services.visits, services.catalogue, officer)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.id_edit.setText(VALID_ID)
    dialog.name_edit.setText("张三")
    dialog.phone_edit.setText("13805710011")
    dialog.matter.edit.textEdited.emit("sfzsl")
    dialog.matter._choose(dialog.matter.list.item(0))
    dialog.save()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # pressed while the save runs
    qtbot.waitUntil(lambda: dialog.saved is not None, timeout=5000)
    assert dialog.result() == RegistrationDialog.DialogCode.Accepted
    assert visit_count(db) == 1


def test_a_form_refused_for_a_stale_record_reloads_so_the_retry_works(
    qtbot, monkeypatch, services: Services, make_officer
) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QMessageBox

    from ui.dialogs.text_form_dialog import TextFormDialog

    monkeypatch.setattr(QMessageBox, "exec", lambda self: QMessageBox.StandardButton.Ok)
    officer = make_officer(Role.WINDOW)
    item = services.catalogue.list_items("ZM-WFZ")[0]
    visit = services.visits.register(
        officer, NewVisit("王五", IdType.RESIDENT, VALID_ID, "13805710011", item.item_id)
    )
    visit = services.visits.accept(officer, visit.row.id, visit.row.row_version)
    panel = VisitPanel(services.visits, officer)
    qtbot.addWidget(panel)
    panel.show_visit(visit.row.id)
    # Another counter (same officer, second PC) changes the matter meanwhile.
    services.visits.mark_time(officer, visit.row.id, visit.row.row_version, "ended")

    def fill_and_submit(dialog: TextFormDialog) -> int:
        dialog.editors["result"].setPlainText("已出具证明")  # type: ignore[union-attr]
        dialog.submit()
        return int(dialog.result())

    monkeypatch.setattr(TextFormDialog, "exec", fill_and_submit)
    panel.buttons["complete"].click()  # refused: stale
    assert services.visits.get(officer, visit.row.id).row.status.label == "办理中"
    panel.buttons["complete"].click()  # the retry uses the reloaded record
    assert services.visits.get(officer, visit.row.id).row.status.label == "已办结"


def test_a_phone_match_under_another_id_carries_nothing_over(
    qtbot, services: Services, make_officer
) -> None:  # type: ignore[no-untyped-def]
    officer = make_officer(Role.WINDOW)
    item = services.catalogue.list_items("SFZ-SL")[0]
    services.visits.register(
        officer, NewVisit("李四光", IdType.RESIDENT, VALID_ID, "13805710011", item.item_id)
    )
    dialog = RegistrationDialog(services.visits, services.catalogue, officer)
    qtbot.addWidget(dialog)
    son = "44030819900101123" + check_digit("44030819900101123")
    dialog.id_edit.setText(son)
    dialog.id_edit.editingFinished.emit()
    dialog.phone_edit.setText("13805710011")
    dialog.phone_edit.editingFinished.emit()

    assert "证件号码与本次不同" in dialog.citizen_hint.text()
    assert dialog.name_edit.placeholderText() == ""
    assert dialog.new_visit().reuse_from is None


def test_the_full_id_number_needs_a_listed_purpose_and_a_real_sentence(
    qtbot, monkeypatch, services: Services, make_officer
) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QMessageBox

    shown: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "exec", lambda box: shown.append(box.text()) or QMessageBox.StandardButton.Ok
    )
    officer = make_officer(Role.WINDOW)
    item = services.catalogue.list_items("ZM-WFZ")[0]
    visit = services.visits.register(
        officer, NewVisit("王五", IdType.RESIDENT, VALID_ID, "13805710011", item.item_id)
    )
    panel = VisitPanel(services.visits, officer)
    qtbot.addWidget(panel)
    panel.show_visit(visit.row.id)
    refusals: list[str] = []
    monkeypatch.setattr(
        TextFormDialog, "exec", by_keyboard(qtbot, ["。。", "工作需要", "核对户籍信息"], refusals)
    )

    panel.trigger("reveal")

    assert len(refusals) == 2 and all("具体事由" in r for r in refusals)
    assert shown == [f"王五：{VALID_ID.upper()}"]


# ---- issue 21: counts, refusals aloud, every error at once, the banner, the name question -----


def _dialog(qtbot, services: Services, officer: SessionUser) -> RegistrationDialog:  # type: ignore[no-untyped-def]
    dialog = RegistrationDialog(services.visits, services.catalogue, officer)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _pick_matter(dialog: RegistrationDialog, code: str = "SFZ-SL") -> None:
    dialog.matter.edit.textEdited.emit(code)
    dialog.matter._choose(dialog.matter.list.item(0))


def test_limited_fields_count_while_typing_and_refuse_a_long_paste_aloud(
    qtbot, services: Services, make_officer
) -> None:  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, services, make_officer(Role.WINDOW))
    assert (dialog.name_count.text, dialog.summary_count.text) == ("0/30", "0/200")

    ime_commit(dialog.name_edit, "张𠮷")  # 𠮷 counts as one, as the service counts it
    dialog.summary_edit.setFocus()
    ime_commit(dialog.summary_edit, "补办身份证")
    assert (dialog.name_count.text, dialog.summary_count.text) == ("2/30", "5/200")

    QApplication.clipboard().setText("群众反映" * 500)  # 2,000 characters
    dialog.summary_edit.paste()

    assert dialog.summary_edit.text() == "补办身份证"  # neither cut to 200 nor lost
    said = dialog.errors.message_of("summary")
    assert "最多 200 个字" in said and "2005 个字" in said and "未接受" in said
    assert dialog.summary_count.text == "5/200"

    QApplication.clipboard().setText("王" * 31)
    dialog.name_edit.selectAll()
    dialog.name_edit.paste()
    assert dialog.name_edit.text() == "张𠮷"
    assert "最多 30 个字" in dialog.errors.message_of("citizen_name")

    ime_commit(dialog.summary_edit, "，原证件遗失")  # the next edit taken clears the refusal
    assert dialog.errors.message_of("summary") == ""
    assert dialog.summary_count.text == "11/200"


def test_the_name_limit_and_rule_follow_the_document_type(
    qtbot, services: Services, make_officer
) -> None:  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, services, make_officer(Role.WINDOW))
    dialog.id_type_combo.setCurrentIndex(dialog.id_type_combo.findData(IdType.PASSPORT.value))

    assert dialog.name_count.text == "0/40"
    assert "字母" in dialog.name_edit.toolTip()


def test_every_wrong_field_is_marked_at_once_and_what_was_typed_stays(
    qtbot, db: Database, services: Services, make_officer
) -> None:  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, services, make_officer(Role.WINDOW))
    dialog.id_edit.setText("11010519491231002")
    ime_commit(dialog.name_edit, "John Smith")
    dialog.phone_edit.setText("abcdefghijk")
    dialog.summary_edit.setText("事" * 201)  # from code: past the limit, shown red

    dialog.save()
    qtbot.waitUntil(lambda: not dialog._saving, timeout=15000)

    messages = {
        field: dialog.errors.message_of(field)
        for field in ("id_number", "citizen_name", "phone", "service", "summary")
    }
    assert all(messages.values()), messages
    assert "18 位" in messages["id_number"] and "字母“J”" in messages["citizen_name"]
    assert "没有数字" in messages["phone"] and "201" in messages["summary"]
    assert dialog.focusWidget() is dialog.id_edit  # the first wrong field
    assert dialog.summary_count.text == "201/200"
    assert (dialog.name_edit.text(), dialog.phone_edit.text()) == ("John Smith", "abcdefghijk")
    assert dialog.saved is None and visit_count(db) == 0


def test_changing_or_clearing_the_id_takes_the_returning_citizen_banner_away(
    qtbot, services: Services, make_officer
) -> None:  # type: ignore[no-untyped-def]
    officer = make_officer(Role.WINDOW)
    item = services.catalogue.list_items("SFZ-SL")[0]
    services.visits.register(
        officer, NewVisit("李四光", IdType.RESIDENT, VALID_ID, "13805710011", item.item_id)
    )
    dialog = _dialog(qtbot, services, officer)
    qtbot.keyClicks(dialog.id_edit, VALID_ID)
    dialog.id_edit.editingFinished.emit()  # leaving the field looks the citizen up
    assert "老群众" in dialog.citizen_hint.text()
    assert "李*光" in dialog.name_edit.placeholderText()
    assert "138****0011" in dialog.phone_edit.placeholderText()
    assert dialog.reveal_phone_button.isVisibleTo(dialog)
    assert dialog.new_visit().reuse_from is not None
    ime_commit(dialog.summary_edit, "补办")  # typed by the officer: stays

    qtbot.keyClick(dialog.id_edit, Qt.Key.Key_Backspace)  # another number now

    assert dialog.citizen_hint.text() == ""
    assert dialog.name_edit.placeholderText() == ""
    assert "留空沿用" not in dialog.phone_edit.placeholderText()
    assert not dialog.reveal_phone_button.isVisibleTo(dialog)
    assert dialog.new_visit().reuse_from is None
    assert dialog.summary_edit.text() == "补办"

    qtbot.keyClick(dialog.id_edit, Qt.Key.Key_X)  # the number back: found again on leaving
    dialog.id_edit.editingFinished.emit()
    assert "老群众" in dialog.citizen_hint.text()
    dialog.id_edit.selectAll()
    qtbot.keyClick(dialog.id_edit, Qt.Key.Key_Delete)  # cleared
    assert dialog.citizen_hint.text() == "" and dialog.new_visit().reuse_from is None


def _answer_name_question(qtbot, button: str, seen: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Soon: answer the 姓名与上次登记不同 question from the keyboard alone: Esc, or Tab to
    the ``button`` and Space."""

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):  # the save is still under way
            QTimer.singleShot(20, answer)
            return
        seen.append(box.text())
        if button == "Esc":
            qtbot.keyClick(box, Qt.Key.Key_Escape)
            return
        for _ in range(6):
            focused = box.focusWidget()
            if isinstance(focused, QPushButton) and focused.text() == button:
                qtbot.keyClick(focused, Qt.Key.Key_Space)
                return
            qtbot.keyClick(focused or box, Qt.Key.Key_Tab)
        raise AssertionError(f"{button} cannot be reached with Tab")

    QTimer.singleShot(0, answer)


def test_another_name_for_a_known_id_is_asked_from_the_keyboard_and_the_answer_recorded(
    qtbot, db: Database, services: Services, make_officer
) -> None:  # type: ignore[no-untyped-def]
    officer = make_officer(Role.WINDOW)
    item = services.catalogue.list_items("SFZ-SL")[0]
    first = services.visits.register(
        officer, NewVisit("李四光", IdType.RESIDENT, VALID_ID, "13805710011", item.item_id)
    )
    dialog = _dialog(qtbot, services, officer)
    dialog.id_edit.setText(VALID_ID)
    ime_commit(dialog.name_edit, "李思光")
    dialog.phone_edit.setText("13805710011")
    _pick_matter(dialog)
    seen: list[str] = []

    # Esc goes back to the form: nothing saved, the question shown at the name.
    _answer_name_question(qtbot, "Esc", seen)
    dialog.save()
    qtbot.waitUntil(lambda: bool(seen) and not dialog._saving, timeout=15000)
    assert "李*光" in seen[0] and "李思光" in seen[0]
    assert dialog.saved is None and "以本次为准" in dialog.errors.message_of("citizen_name")

    # Tab to 改回上次的姓名, Space presses it: saved under the earlier name, on record.
    _answer_name_question(qtbot, "改回上次的姓名(&S)", seen)
    dialog.save()
    qtbot.waitUntil(lambda: dialog.saved is not None, timeout=15000)

    assert dialog.saved.row.citizen_name == "李四光"
    with db.sessions() as session:
        event = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "visit_registered")
            .order_by(AuditEvent.id.desc())
        ).first()
        assert event is not None
        check = json.loads(event.after_json)["name_check"]
    assert (check["choice"], check["last_visit"]) == ("previous", first.row.serial)


def test_the_name_question_answers_with_alt_keys(qtbot, services: Services) -> None:  # type: ignore[no-untyped-def]
    from app.core.errors import NameDiffers
    from ui.dialogs.registration_dialog import name_choice_box

    question = NameDiffers(
        "此证件号码上次登记的姓名是“李*光”。", typed="李思光", previous_masked="李*光",
        previous_date="2025-09-29",
    )  # fmt: skip
    parent = QWidget()
    qtbot.addWidget(parent)
    box = name_choice_box(parent, question)
    labels = [button.text() for button in box.buttons()]

    assert {"以本次为准(&B)", "改回上次的姓名(&S)", "返回修改"} <= set(labels)
    assert box.defaultButton().text() == "返回修改"  # Enter alone saves nothing
    assert box.escapeButton() is box.defaultButton()
