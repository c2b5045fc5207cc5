"""The citizen's rating screen: offered when a matter finishes, nothing preset, signed, once."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select

from app.identity import IdType
from app.roles import Role
from app.services import Services
from app.visit_dto import NewVisit
from db.models import Rating, Rectification, Signature
from tests.ui.test_notice_ui import sign
from ui.dialogs.rating_dialog import RatingDialog
from ui.widgets.visit_panel import VisitPanel


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
    answers = iter([QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes])
    monkeypatch.setattr(QMessageBox, "exec", lambda self: next(answers))
    dialog.close()  # "群众尚未完成评价，确定关闭？" → 取消
    assert dialog.isVisible()
    dialog.decline()  # confirmed
    assert dialog.result_saved is not None and dialog.result_saved.declined
    with db.sessions() as session:
        rating = session.scalars(select(Rating)).one()
        assert rating.declined and rating.overall is None
    assert services.ratings.rated_on_site(officer, visit.row.id)
