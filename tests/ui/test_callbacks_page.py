"""The callback worklist: the chief samples, the assigned officer logs attempts from the list."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtWidgets import QMessageBox

from app.core.identity import IdType
from app.core.roles import Role
from app.services import Services
from app.visits.dto import NewVisit
from ui.dialogs.callback_attempt_dialog import CallbackAttemptDialog
from ui.pages.callbacks_page import CallbacksPage

DAY = dt.date(2025, 9, 29)


@pytest.fixture
def sampled(services: Services, chief, make_officer):  # type: ignore[no-untyped-def]
    window = make_officer(Role.WINDOW, "张伟")
    caller = make_officer(Role.WINDOW, "刘洋")
    item = services.catalogue.list_items("ZM-BGGZ")[0]
    visit = services.visits.register(
        window,
        NewVisit("王小明", IdType.RESIDENT, "11010519491231002X", "13805710011", item.item_id),
    )
    services.visits.complete_on_the_spot(window, visit.row.id, visit.row.row_version, "已出具")
    return window, caller


def page_for(qtbot, services: Services, user) -> CallbacksPage:  # type: ignore[no-untyped-def]
    page = CallbacksPage(services.callbacks, user, DAY, services.ratings.dimensions(), share=10)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    return page


def test_the_chief_samples_and_the_caller_logs_attempts_from_the_worklist(
    qtbot, monkeypatch: pytest.MonkeyPatch, services: Services, chief, sampled
) -> None:  # type: ignore[no-untyped-def]
    _window, caller = sampled
    monkeypatch.setattr(QMessageBox, "exec", lambda self: QMessageBox.StandardButton.Ok)
    boss = page_for(qtbot, services, chief)
    boss.from_edit.setDate(boss.from_edit.date().fromString("2025-09-29", "yyyy-MM-dd"))
    boss.to_edit.setDate(boss.to_edit.date().fromString("2025-09-29", "yyyy-MM-dd"))
    boss.sample()
    assert boss.everyone.isChecked() and boss.model.rowCount() == 1
    row = boss.model.row_at(0)
    # The officer who handled the matter never gets it; with the chief and 刘洋 left, the
    # least-loaded with the lower id takes it: the chief. Give it to 刘洋.
    assert row.assigned_to != "张伟"
    monkeypatch.setattr(
        "ui.pages.callbacks_page.QInputDialog.getItem",
        lambda *a, **k: (next(label for label in a[3] if "刘洋" in label), True),
    )
    boss.select_first()
    boss.reassign()
    assert boss.model.row_at(0).assigned_to == "刘洋"

    page = page_for(qtbot, services, caller)
    assert page.model.rowCount() == 1
    page.select_first()
    assert page.buttons["attempt"].isEnabled()
    outcomes = iter(["no_answer", "reached"])

    def call(dialog: CallbackAttemptDialog) -> int:
        outcome = next(outcomes)
        dialog.outcome_buttons[outcome].click()
        if outcome == "reached":
            assert dialog.overall.level() is None  # nothing preset
            dialog.save_button.click()  # refused: no level
            assert "评价" in dialog.errors.message_of("overall")
            dialog.overall.choose(2)
            for chooser in dialog.dimensions.values():
                chooser.choose(3)
            dialog.note.setPlainText("本人接听")
        dialog.save_button.click()
        return int(dialog.result())

    monkeypatch.setattr(CallbackAttemptDialog, "exec", call)
    page.log_attempt()
    row = page.model.row_at(0)
    assert [a.outcome_label for a in row.attempts] == ["无人接听"]
    assert row.state_label == "待回访"
    page.select_first()
    page.log_attempt()
    assert page.model.rowCount() == 0  # done: off my pending list
    page.include_done.setChecked(True)
    done = page.model.row_at(0)
    assert done.state_label == "已回访" and done.callback_level == "不满意"
    assert [a.outcome_label for a in done.attempts] == ["无人接听", "接通"]
    # 不满意 by phone: a home visit is now on the chief's list.
    boss.include_done.setChecked(True)
    kinds = sorted(r.kind_label for r in boss.model.rows())
    assert kinds == ["上门回访", "电话回访"]


def test_the_handling_officer_has_nothing_to_call_and_cannot_reveal(
    qtbot, services: Services, chief, sampled
) -> None:  # type: ignore[no-untyped-def]
    window, _caller = sampled
    services.callbacks.sample(chief, DAY, share=100, seed=5)
    page = page_for(qtbot, services, window)
    assert page.model.rowCount() == 0
    assert not page.sample_box.isVisible()
    assert not page.everyone.isVisible()


def test_the_chief_prints_the_on_site_register_from_the_page(
    qtbot, monkeypatch: pytest.MonkeyPatch, services: Services, chief, sampled, db
) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from db.models import AuditEvent
    from ui.print_preview_dialog import PrintPreviewDialog

    shown: list[bytes] = []

    def preview(dialog: PrintPreviewDialog) -> int:
        shown.append(dialog._pdf)
        dialog._on_output()  # as if printed
        return 1

    monkeypatch.setattr(PrintPreviewDialog, "exec", preview)
    page = CallbacksPage(
        services.callbacks, chief, DAY, services.ratings.dimensions(), 10, ratings=services.ratings
    )
    qtbot.addWidget(page)
    page.from_edit.setDate(page.from_edit.date().fromString("2025-09-29", "yyyy-MM-dd"))
    page.to_edit.setDate(page.to_edit.date().fromString("2025-09-29", "yyyy-MM-dd"))
    page.print_register()
    assert len(shown) == 1 and shown[0].startswith(b"%PDF")
    with db.sessions() as session:
        last = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert last is not None and last.action == "register_printed"

    # The same register printed again from the page says 补打 on its pages (issue 14).
    page.print_register()
    texts = [_pdf_text(pdf) for pdf in shown]
    assert "补打" not in texts[0]
    assert "补打（第 2 次打印）" in texts[1]


def _pdf_text(pdf: bytes) -> str:
    import pypdfium2

    doc = pypdfium2.PdfDocument(pdf)
    return "".join(page.get_textpage().get_text_range() for page in doc)
