"""The citizen's rating screen: offered when a matter finishes, nothing preset, signed, once.

Sized for the citizen (24 px text, 36 px titles, 60 px touch targets) and fitted to a 1366×728
counter screen; the officer's "close for now" is a shortcut, never a button.
"""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QFontInfo, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QWidget,
)
from sqlalchemy import select

from app.core.errors import ValidationError
from app.core.identity import IdType
from app.core.roles import Role
from app.services import Services
from app.visits.dto import NewVisit
from db.models import Rating, Rectification, Signature
from tests.ui.test_notice_ui import sign
from ui.dialogs.rating_dialog import RatingDialog, citizen_wording
from ui.widgets.level_chooser import LevelChooser
from ui.widgets.visit_panel import VisitPanel

COUNTER_SCREEN = QRect(0, 0, 1366, 728)  # 1366×768 less the taskbar


@pytest.fixture
def finished(services: Services, make_officer):  # type: ignore[no-untyped-def]
    officer = make_officer(Role.WINDOW, "张伟")
    item = services.catalogue.list_items("ZM-BGGZ")[0]
    visit = services.visits.register(
        officer,
        NewVisit("王小明", IdType.RESIDENT, "11010519491231002X", "13805710011", item.item_id),
    )
    return officer, visit


def test_the_rating_screen_opens_when_the_matter_is_finished_and_saves_a_signed_rating(
    qtbot, monkeypatch: pytest.MonkeyPatch, services: Services, finished, db
) -> None:  # type: ignore[no-untyped-def]
    officer, visit = finished
    shown: list[RatingDialog] = []

    def citizen_rates(dialog: RatingDialog) -> int:
        shown.append(dialog)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        # Nothing is preselected: submitting at once is refused at the overall row.
        assert dialog.overall.level() is None
        assert all(c.level() is None for c in dialog.dimensions.values())
        qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
        assert "总体评价" in dialog.errors.message_of("overall")
        qtbot.mouseClick(dialog.overall.buttons[4], Qt.MouseButton.LeftButton)
        for name, chooser in dialog.dimensions.items():
            level = 2 if name == "服务态度" else 5
            qtbot.mouseClick(chooser.buttons[level], Qt.MouseButton.LeftButton)
        qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
        assert "签名" in dialog.errors.message_of("signature")
        sign(qtbot, dialog.pad)
        dialog.callback.setChecked(True)
        qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
        assert dialog.result_saved is not None
        # The officer-facing result is only thanks, never the levels.
        assert dialog.pages.currentWidget() is dialog.thanks
        assert "满意" not in dialog.thanks.text()
        dialog.accept()
        return 1

    monkeypatch.setattr(RatingDialog, "exec", citizen_rates)
    panel = VisitPanel(services.visits, officer, ratings=services.ratings)
    qtbot.addWidget(panel)
    panel.show_visit(visit.row.id)
    assert not panel.buttons["rate"].isEnabled()
    panel.buttons["spot"].click()

    assert len(shown) == 1
    with db.sessions() as session:
        rating = session.scalars(select(Rating)).one()
        assert (rating.kind, rating.overall, rating.callback_requested) == ("on_site", 4, True)
        assert json.loads(rating.dimensions_json)["服务态度"] == 2
        sig = session.scalars(select(Signature).where(Signature.document_type == "rating")).one()
        assert sig.document_id == rating.id and sig.signer_name == "王小明"
        assert sig.png.startswith(b"\x89PNG")
        # 服务态度 不满意 is a 差评: a rectification is opened, not owned by the officer.
        rect = session.scalars(select(Rectification)).one()
        assert rect.rated_officer_id == officer.officer_id != rect.owner_id
    # Rated once: the button is gone and the service refuses a second rating.
    assert not panel.buttons["rate"].isEnabled()


def test_only_the_finishing_officers_panel_offers_the_rating_screen(
    qtbot, services: Services, finished, make_officer
) -> None:  # type: ignore[no-untyped-def]
    officer, visit = finished
    services.visits.complete_on_the_spot(officer, visit.row.id, visit.row.row_version, "已出具")
    colleague = make_officer(Role.WINDOW, "刘洋")
    for user, offered in ((colleague, False), (officer, True)):
        panel = VisitPanel(services.visits, user, ratings=services.ratings)
        qtbot.addWidget(panel)
        panel.show_visit(visit.row.id)
        assert panel.buttons["rate"].isEnabled() is offered


def test_declining_to_rate_is_its_own_outcome_and_closing_early_asks(
    qtbot, monkeypatch: pytest.MonkeyPatch, services: Services, finished, db
) -> None:  # type: ignore[no-untyped-def]
    officer, visit = finished
    visit = services.visits.complete_on_the_spot(
        officer, visit.row.id, visit.row.row_version, "已出具"
    )
    dialog = RatingDialog(services.ratings, officer, visit.row.id, "标题", "王小明")
    qtbot.addWidget(dialog)
    dialog.show()
    asked: list[str] = []

    def officer_answers_no(box: QMessageBox) -> QMessageBox.StandardButton:
        asked.append(box.text())
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "exec", officer_answers_no)
    dialog.close()  # the officer is asked, and answers 取消
    assert dialog.isVisible() and "确定关闭" in asked[0]
    # 不评价 asks the citizen on the same screen, in the citizen's words; 返回评价 goes back.
    qtbot.mouseClick(dialog.decline_button, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentWidget() is dialog.decline_page
    words = " ".join(w.text() for w in dialog.decline_page.findChildren(QLabel))
    assert "您确定不对本次服务作出评价" in words
    assert dialog.result_saved is None
    qtbot.mouseClick(dialog.back_button, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentIndex() == 0 and dialog.result_saved is None
    qtbot.mouseClick(dialog.decline_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.confirm_decline_button, Qt.MouseButton.LeftButton)
    assert dialog.result_saved is not None and dialog.result_saved.declined
    assert dialog.pages.currentWidget() is dialog.thanks and len(asked) == 1
    with db.sessions() as session:
        rating = session.scalars(select(Rating)).one()
        assert rating.declined and rating.overall is None
    assert services.ratings.rated_on_site(officer, visit.row.id)


@pytest.fixture
def screen(qtbot, services: Services, finished) -> RatingDialog:  # type: ignore[no-untyped-def]
    """The rating screen for a finished matter, filling a 1366×728 counter screen."""
    officer, visit = finished
    done = services.visits.complete_on_the_spot(
        officer, visit.row.id, visit.row.row_version, "已出具"
    )
    dialog = RatingDialog(
        services.ratings,
        officer,
        done.row.id,
        f"{done.row.serial}　{done.row.service_name}　办理民警：{done.row.owner_name}",
        "王小明",
    )
    dialog.ask_before_closing = False
    qtbot.addWidget(dialog)
    dialog.fit(COUNTER_SCREEN)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _shown(dialog: QDialog, kind: type[QWidget]) -> list[QWidget]:
    return [w for w in dialog.findChildren(kind) if w.isVisible()]


def _inside(dialog: QDialog, widget: QWidget, area: QRect | None = None) -> bool:
    """The whole widget lies inside ``area`` (default: the dialog), nothing cut off."""
    top_left = widget.mapTo(dialog, QPoint(0, 0))
    return (area or dialog.rect()).contains(QRect(top_left, widget.size()))


def test_the_rating_screen_is_sized_for_the_citizen_and_fits_1366x728(
    screen: RatingDialog,
) -> None:
    _fits_the_counter_screen(screen)


def test_with_the_applications_fonts_and_style_it_still_fits(
    app_look: None, screen: RatingDialog
) -> None:
    # As the counter shows it: the Noto fonts and the style sheet make the text wider than
    # Qt's default font, which once pushed the counts and 重签 past the screen's edge.
    screen.signer.setText("欧阳娜娜")
    _fits_the_counter_screen(screen)
    assert screen.signer.text() == "欧阳娜娜"
    assert screen.signer.cursorRect().right() < screen.signer_count.label.x()


def _fits_the_counter_screen(dialog: RatingDialog) -> None:
    assert (dialog.width(), dialog.height()) == (1366, 728)
    assert dialog.minimumSizeHint().width() <= 1366 and dialog.minimumSizeHint().height() <= 728
    # Rows and signature side by side: nothing needs scrolling on the counter screen.
    assert not dialog.scroll_area.verticalScrollBar().isVisible()
    assert not dialog.scroll_area.horizontalScrollBar().isVisible()
    viewport = dialog.scroll_area.viewport()
    visible = QRect(viewport.mapTo(dialog, QPoint(0, 0)), viewport.size())

    labels = [w for w in _shown(dialog, QLabel) if w.objectName() != "staffHint"]
    assert len(labels) >= 10
    for label in labels:
        assert isinstance(label, QLabel)
        assert label.font().pixelSize() >= 24, label.text()
        assert QFontInfo(label.font()).pixelSize() >= 24, label.text()
        assert _inside(dialog, label), label.text()
        # Not cut: the label has the room its text needs.
        if label.wordWrap():
            assert label.heightForWidth(label.width()) <= label.height() + 1, label.text()
        else:
            assert label.sizeHint().width() <= label.width(), label.text()
    titles = [w for w in labels if w.objectName() == "ratingTitle"]
    assert titles and all(t.font().pixelSize() >= 36 for t in titles)

    buttons = _shown(dialog, QAbstractButton)
    # 5 rows × 5 levels, the callback toggle, undo, clear, 不评价, 提交评价.
    assert len(buttons) == 5 * (1 + len(dialog.dimensions)) + 5
    for button in buttons:
        assert isinstance(button, QPushButton)
        assert button.height() >= 60, button.text()
        assert button.font().pixelSize() >= 24, button.text()
        assert _inside(dialog, button), button.text()
    for chooser in [dialog.overall, *dialog.dimensions.values()]:
        assert all(_inside(dialog, b, visible) for b in chooser.buttons.values())
    # The callback wish is a big toggle, not a small checkbox.
    assert not dialog.findChildren(QCheckBox)
    assert dialog.callback.isCheckable() and dialog.callback.height() >= 60
    # The signature pad stays large, and its placeholder is citizen-sized.
    assert dialog.pad.width() >= 400 and dialog.pad.height() >= 150
    assert _inside(dialog, dialog.pad, visible)
    assert dialog.pad.font().pixelSize() >= 24
    # 不评价 and 提交评价 are far apart.
    gap = dialog.submit_button.mapTo(dialog, QPoint(0, 0)).x() - (
        dialog.decline_button.mapTo(dialog, QPoint(0, 0)).x() + dialog.decline_button.width()
    )
    assert gap >= 600


def test_on_a_short_screen_the_middle_scrolls_and_the_buttons_stay(
    qtbot, screen: RatingDialog
) -> None:  # type: ignore[no-untyped-def]
    dialog = screen
    dialog.fit(QRect(0, 0, 1366, 560))
    qtbot.waitUntil(lambda: dialog.height() == 560)
    qtbot.waitUntil(lambda: dialog.scroll_area.verticalScrollBar().maximum() > 0)
    assert _inside(dialog, dialog.submit_button) and _inside(dialog, dialog.decline_button)
    # A narrower citizen monitor (1024 wide) cuts nothing off at the side.
    dialog.fit(QRect(0, 0, 1024, 728))
    qtbot.waitUntil(lambda: dialog.width() == 1024)
    qtbot.waitUntil(lambda: not dialog.scroll_area.horizontalScrollBar().isVisible())
    for widget in [*dialog.overall.buttons.values(), dialog.pad, dialog.clear_button]:
        left = widget.mapTo(dialog, QPoint(0, 0)).x()
        assert left >= 0 and left + widget.width() <= dialog.width()
    # Too narrow for two columns: the signature goes under the rows.
    dialog.fit(QRect(0, 0, 700, 728))
    qtbot.waitUntil(lambda: dialog.width() == 700)
    rows_end = dialog.overall.mapTo(dialog, QPoint(0, 0)).y() + 5 * 60
    assert dialog.pad.mapTo(dialog, QPoint(0, 0)).y() > rows_end
    assert _inside(dialog, dialog.submit_button)


def test_placement_fills_the_counter_screen_when_there_is_no_second_one(
    screen: RatingDialog,
) -> None:
    dialog = screen
    dialog.hide()
    dialog.place()
    assert len(QGuiApplication.screens()) == 1
    assert dialog.windowState() & Qt.WindowState.WindowMaximized
    area = QGuiApplication.primaryScreen().availableGeometry()
    assert dialog.geometry().width() <= area.width()


def test_the_header_names_the_officer_and_badge(qtbot, services: Services, finished) -> None:  # type: ignore[no-untyped-def]
    officer, visit = finished
    dialog = RatingDialog(services.ratings, officer, visit.row.id, "标题", "王小明")
    dialog.ask_before_closing = False
    qtbot.addWidget(dialog)
    assert dialog.officer_label.text() == f"为您服务的民警：张伟　警号 {officer.badge_no}"
    with_window = RatingDialog(
        services.ratings, officer, visit.row.id, "标题", "王小明", counter_window="1"
    )
    with_window.ask_before_closing = False
    qtbot.addWidget(with_window)
    assert with_window.officer_label.text().endswith("　第 1 窗口")
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.officer_label.isVisible() and dialog.officer_label.font().pixelSize() >= 24


def test_every_word_speaks_to_the_citizen_and_messages_clear_once_fixed(
    qtbot, screen: RatingDialog
) -> None:  # type: ignore[no-untyped-def]
    dialog = screen
    texts = [w.text() for w in dialog.findChildren(QLabel) if w.objectName() != "staffHint"]
    texts += [w.text() for w in dialog.findChildren(QAbstractButton)]
    texts += [dialog.comment.placeholderText(), dialog.pad.toolTip()]
    assert not [t for t in texts if "群众" in t or "民警签" in t]

    qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    assert dialog.errors.message_of("overall").startswith("请您选择总体评价")
    qtbot.mouseClick(dialog.overall.buttons[5], Qt.MouseButton.LeftButton)
    assert dialog.errors.message_of("overall") == ""  # gone at once, before any submit
    qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    first = next(iter(dialog.dimensions))
    assert dialog.errors.message_of(f"dimension.{first}") == f"请您对“{first}”作出评价。"
    qtbot.mouseClick(dialog.dimensions[first].buttons[4], Qt.MouseButton.LeftButton)
    assert dialog.errors.message_of(f"dimension.{first}") == ""
    for chooser in dialog.dimensions.values():
        chooser.choose(5)
    qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    assert dialog.errors.message_of("signature").startswith("请您")
    sign(qtbot, dialog.pad)
    assert dialog.errors.message_of("signature") == ""
    dialog.signer.clear()
    qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    assert dialog.errors.message_of("signer") == "请您填写签名人姓名。"
    qtbot.keyClicks(dialog.signer, "W")
    assert dialog.errors.message_of("signer") == ""
    # The service's own messages are reworded for the citizen too.
    said = citizen_wording(ValidationError("请群众对“服务态度”作出评价。", "dimension.服务态度"))
    assert said == "请您对“服务态度”作出评价。"
    assert "群众" not in citizen_wording(ValidationError("请群众在签字板上签名。", "x"))


def test_the_officer_closes_for_now_with_a_shortcut_not_a_button(
    qtbot, monkeypatch: pytest.MonkeyPatch, screen: RatingDialog
) -> None:  # type: ignore[no-untyped-def]
    dialog = screen
    dialog.ask_before_closing = True
    words = [w.text() for w in _shown(dialog, QAbstractButton)]
    assert not [w for w in words if "暂不" in w or "关闭" in w]
    assert "Ctrl+Shift+Q" in dialog.staff_hint.text() and dialog.staff_hint.isVisible()
    assert "工作人员" in dialog.staff_hint.text()
    answers = iter([QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes])
    monkeypatch.setattr(QMessageBox, "exec", lambda self: next(answers))
    dialog.activateWindow()
    qtbot.waitActive(dialog)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # asks; the officer answers 取消
    assert dialog.isVisible()
    modifiers = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(dialog.comment, Qt.Key.Key_Q, modifiers)  # asks; 关闭
    assert not dialog.isVisible()
    assert dialog.result() == QDialog.DialogCode.Rejected and dialog.result_saved is None


def test_the_small_level_chooser_is_unchanged_for_the_officer_dialogs(qtbot) -> None:  # type: ignore[no-untyped-def]
    small, large = LevelChooser(), LevelChooser(large=True)
    qtbot.addWidget(small)
    qtbot.addWidget(large)
    small.show()
    large.show()
    assert all(b.minimumHeight() == 0 for b in small.buttons.values())
    assert "font-size" not in small.styleSheet()
    assert all(b.height() >= 60 and b.font().pixelSize() >= 24 for b in large.buttons.values())


def test_the_signers_name_shows_its_count_and_a_paste_too_long_is_refused(
    qtbot, screen: RatingDialog
) -> None:  # type: ignore[no-untyped-def]
    from app.core import text_limits

    limit = text_limits.SIGNER
    assert screen.signer_count.text == f"3/{limit}"  # 王小明, from the registration
    placed = screen.geometry()
    QGuiApplication.clipboard().setText("王" * limit)
    screen.signer.setFocus()
    screen.signer.end(False)
    screen.signer.paste()
    assert screen.signer.text() == "王小明"  # nothing cut in, nothing lost
    assert f"最多 {limit} 个字" in screen.errors.message_of("signer")
    # The message does not make the screen shrink to the free area's clamp or re-flow.
    assert screen.geometry() == placed
    assert _inside(screen, screen.signer_count.label)
