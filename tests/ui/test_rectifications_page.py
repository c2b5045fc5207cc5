"""整改督办 page: the chief walks a 差评 from 核实 to 销号; the rated officer can only appeal."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QLabel, QPlainTextEdit, QWidget

from app.core.dto import SessionUser
from app.core.identity import IdType
from app.core.roles import Role
from app.ratings.service import RatingInput
from app.services import Services
from app.visits.dto import NameChoice, NewVisit
from ui.dialogs.follow_up_dialog import FollowUpDialog
from ui.dialogs.text_form_dialog import TextFormDialog
from ui.pages.rectifications_page import RectificationsPage
from ui.print_preview_dialog import PrintPreviewDialog

STROKES = (((10.0, 10.0, 0.5), (60.0, 40.0, 0.5)),)


def ime_commit(widget: QWidget, text: str) -> None:
    """What an input method (拼音输入法) sends when the officer picks the characters."""
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(out, format="PNG")
    return out.getvalue()


def bad_rating(services: Services, officer: SessionUser, citizen: str = "王小明") -> str:
    """A finished matter the citizen rates 不满意 on service attitude: opens a rectification."""
    item = services.catalogue.list_items("ZM-WFZ")[0]
    visit = services.visits.register(
        officer,
        NewVisit(
            citizen,
            IdType.RESIDENT,
            "11010519491231002X",
            "13805710011",
            item.item_id,
            name_choice=NameChoice.CURRENT,  # one test ID under several names
        ),
    )
    visit = services.visits.complete_on_the_spot(
        officer, visit.row.id, visit.row.row_version, "已出具"
    )
    levels = {d: (2 if d == "服务态度" else 4) for d in services.ratings.dimensions()}
    result = services.ratings.rate_on_site(
        officer,
        visit.row.id,
        RatingInput(
            4,
            tuple(levels.items()),
            comment="窗口民警态度生硬",
            signer_name=citizen,
            strokes=STROKES,
            png=png(),
        ),
    )
    assert result.bad
    return result.rectification


def fill_forms(monkeypatch: pytest.MonkeyPatch, values: dict[str, str | bool]) -> list[str]:
    """Answer every TextFormDialog with ``values`` (Chinese typed through the input method)."""
    titles: list[str] = []

    def fake_exec(dialog: TextFormDialog) -> int:
        titles.append(dialog.windowTitle())
        for name, editor in dialog.editors.items():
            value = values[name]
            if isinstance(value, bool):
                editor.setCurrentIndex(editor.findData(value))  # type: ignore[union-attr]
            elif isinstance(editor, QPlainTextEdit):
                ime_commit(editor, str(value))
        dialog.submit()
        return int(dialog.result())

    monkeypatch.setattr(TextFormDialog, "exec", fake_exec)
    return titles


def shown(page: RectificationsPage, column: int) -> str:
    """A cell of the selected row, as the table shows it."""
    return str(page.table.selectionModel().selectedRows(column)[0].data())


def state_shown(page: RectificationsPage) -> str:
    """The 状态 cell of the selected row."""
    return shown(page, 1)


def test_the_chief_walks_a_bad_rating_from_verification_to_closure(
    qtbot, monkeypatch: pytest.MonkeyPatch, qtmodeltester, services: Services, chief, make_officer
) -> None:  # type: ignore[no-untyped-def]
    officer = make_officer(Role.WINDOW, "张伟")
    number = bad_rating(services, officer)
    page = RectificationsPage(services.rectifications, chief)
    qtbot.addWidget(page)
    qtmodeltester.check(page.model)
    assert page.model.rowCount() == 1
    rect = page.model.row_at(0)
    assert rect.number == number and rect.owner == "王所长" and rect.rated_officer == "张伟"
    assert "差评项：服务态度" in page.model.index(0, 6).data()
    assert page.select(rect.id)
    assert state_shown(page) == "待核实"
    assert "窗口民警态度生硬" in page.view.toPlainText()
    assert page.buttons["verify"].isEnabled() and not page.buttons["rectify"].isEnabled()
    assert not page.buttons["appeal"].isEnabled()  # only the rated officer appeals

    # 销号 too early: the service's refusal, listing what is missing, shows in the page.
    page.buttons["close"].click()
    assert page.errors.general_message == "销号前须完成：原因核实、整改措施、整改结果、整改回访。"
    assert not page.error_label.isHidden()
    assert state_shown(page) == "待核实"

    titles = fill_forms(
        monkeypatch,
        {
            "cause": "调阅录像：高峰时段民警未耐心解释材料要求",
            "action": "组织窗口民警学习文明用语，高峰时段加派辅警引导",
            "result": "复查一周录像，未再出现态度问题",
        },
    )
    page.buttons["verify"].click()
    assert page.error_label.isHidden()
    assert page.selected_id() == rect.id  # the selection survives the reload
    assert state_shown(page) == "整改中"
    assert "调阅录像" in page.view.toPlainText()

    page.buttons["rectify"].click()
    assert titles == ["核实原因", "记录整改"]
    assert state_shown(page) == "待销号"
    assert page.buttons["follow_up"].isEnabled()

    page.buttons["close"].click()  # still no follow-up callback
    assert page.errors.general_message == "销号前须完成：整改回访。"

    seen: list[FollowUpDialog] = []

    def follow_up_exec(dialog: FollowUpDialog) -> int:
        seen.append(dialog)
        assert all(group.checkedId() == -1 for group in dialog.groups.values())  # no default
        dialog.choose("overall", 4)
        dialog.submit()  # the dimensions are still unanswered: refused at their rows
        assert dialog.errors.message_of("dimension.办事效率") == "请群众对“办事效率”作出评价。"
        for name in dialog.groups:
            dialog.choose(name, 5 if name == "overall" else 4)
        ime_commit(dialog.comment_edit, "现在态度很好")
        dialog.submit()
        return int(dialog.result())

    monkeypatch.setattr(FollowUpDialog, "exec", follow_up_exec)
    page.buttons["follow_up"].click()
    assert seen and seen[0].result_value.follow_up == "非常满意"
    assert "群众评价：非常满意" in page.view.toPlainText()

    page.buttons["close"].click()
    assert page.error_label.isHidden()
    assert state_shown(page) == "已销号"
    assert not any(page.buttons[k].isEnabled() for k in ("verify", "rectify", "close"))
    assert services.rectifications.rectifications(chief)[0].state == "closed"

    page.state_combo.setCurrentIndex(page.state_combo.findText("待核实"))
    assert page.model.rowCount() == 0
    page.state_combo.setCurrentIndex(page.state_combo.findText("已销号"))
    assert page.model.rowCount() == 1


def test_the_rated_officer_sees_only_their_own_and_may_appeal_but_not_close(
    qtbot, monkeypatch: pytest.MonkeyPatch, services: Services, chief, make_officer
) -> None:  # type: ignore[no-untyped-def]
    officer = make_officer(Role.WINDOW, "张伟")
    colleague = make_officer(Role.WINDOW, "刘洋")
    own = bad_rating(services, officer, "王小明")
    bad_rating(services, colleague, "李四")
    page = RectificationsPage(services.rectifications, officer)
    qtbot.addWidget(page)
    assert [r.number for r in page.model.rows()] == [own]
    rect = page.model.row_at(0)
    page.select(rect.id)
    assert not page.buttons["close"].isEnabled() and not page.buttons["verify"].isEnabled()
    assert page.buttons["appeal"].isEnabled() and not page.buttons["decide"].isEnabled()
    assert "针对您本人" in page.hint.text()

    page.close_selected()  # what the button would do: the service refuses
    assert page.errors.general_message == "被评价的民警不能办理针对自己的整改，只能申诉。"
    assert services.rectifications.rectifications(chief)[-1].state == "open"

    fill_forms(monkeypatch, {"appeal_text": "群众对法定材料要求不满，非服务态度问题，有录像为证"})
    page.buttons["appeal"].click()
    assert page.model.index(0, 10).data() == "待处理"
    assert not page.buttons["appeal"].isEnabled()

    chief_page = RectificationsPage(services.rectifications, chief)
    qtbot.addWidget(chief_page)
    assert chief_page.model.rowCount() == 2
    chief_page.select(rect.id)
    assert chief_page.buttons["decide"].isEnabled()
    fill_forms(monkeypatch, {"upheld": True, "appeal_reason": "经查看录像，民警解释清楚、态度平和"})
    chief_page.buttons["decide"].click()
    assert "申诉成立：经查看录像" in chief_page.view.toPlainText()
    assert shown(chief_page, 10) == "申诉成立" and chief_page.selected_id() == rect.id

    page.show()  # coming back to the page shows the chief's decision
    qtbot.waitExposed(page)
    assert page.model.index(0, 10).data() == "申诉成立"
    assert page.selected_id() == rect.id


def test_the_rectification_slip_is_previewed_and_a_second_print_is_marked_as_a_reprint(
    qtbot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, services: Services, chief, make_officer
) -> None:  # type: ignore[no-untyped-def]
    officer = make_officer(Role.WINDOW, "张伟")
    bad_rating(services, officer)
    page = RectificationsPage(services.rectifications, chief)
    qtbot.addWidget(page)
    page.table.selectRow(0)
    previews: list[PrintPreviewDialog] = []

    def save_instead(dialog: PrintPreviewDialog) -> int:
        previews.append(dialog)
        dialog.save_to(tmp_path / f"督办单{len(previews)}.pdf")
        return int(dialog.result())

    monkeypatch.setattr(PrintPreviewDialog, "exec", save_instead)
    page.buttons["print"].click()
    page.buttons["print"].click()
    assert [p.output_done for p in previews] == [True, True]
    assert "督办单" in previews[0].windowTitle()
    assert (tmp_path / "督办单1.pdf").read_bytes().startswith(b"%PDF")
    assert "补打" in previews[1].findChild(QLabel, "banner").text()

    own = RectificationsPage(services.rectifications, officer)
    qtbot.addWidget(own)
    own.table.selectRow(0)
    assert not own.buttons["print"].isEnabled()
    own.print_selected()  # the service decides who prints
    assert own.errors.general_message == "督办单由督办人、所长或副所长打印。"


def test_a_deputy_who_shares_the_rated_officers_name_may_decide_the_appeal(
    qtbot, monkeypatch: pytest.MonkeyPatch, services: Services, chief, make_officer
) -> None:  # type: ignore[no-untyped-def]
    # The page told the rated officer by name: a deputy named 张伟 too was shown "针对您本人"
    # and could not decide 张伟's appeal (found while writing the F1 manual).
    officer = make_officer(Role.WINDOW, "张伟")
    deputy = make_officer(Role.DEPUTY, "张伟")
    number = bad_rating(services, officer, "王小明")
    rect = next(r for r in services.rectifications.rectifications(chief) if r.number == number)
    services.rectifications.appeal(officer, rect.id, "群众对法定材料要求不满，非服务态度问题")
    page = RectificationsPage(services.rectifications, deputy)
    qtbot.addWidget(page)
    page.select(rect.id)
    assert "针对您本人" not in page.hint.text()
    assert page.buttons["decide"].isEnabled() and not page.buttons["appeal"].isEnabled()
