"""Catalogue page and editor wiring: pinyin search, edit → new version, refusal at the field."""

from __future__ import annotations

from app.core import text_limits
from app.core.dto import SessionUser
from app.core.roles import Role
from app.services import Services
from ui.dialogs.service_item_dialog import ServiceItemDialog
from ui.pages.catalogue_page import CataloguePage


def test_pinyin_initials_filter_the_list(
    qtbot, qtmodeltester, services: Services, chief: SessionUser
) -> None:  # type: ignore[no-untyped-def]
    page = CataloguePage(services.catalogue, chief)
    qtbot.addWidget(page)
    everything = page.model.rowCount()
    assert everything >= 15
    qtmodeltester.check(page.model)
    page.search_edit.setText("sfz")
    names = [row.name for row in page.model.rows()]
    assert names and all("身份证" in name for name in names)
    assert page.model.rowCount() < everything
    assert "所需材料" in page.detail.toPlainText()


def test_editor_saves_a_new_version_and_the_list_shows_it(
    qtbot, services: Services, chief: SessionUser
) -> None:  # type: ignore[no-untyped-def]
    page = CataloguePage(services.catalogue, chief)
    qtbot.addWidget(page)
    page.search_edit.setText("SFZ-SL")
    row = page.selected_row()
    assert row is not None and row.version_no == 1
    dialog = ServiceItemDialog(services.catalogue, chief, services.catalogue.get_item(row.item_id))
    qtbot.addWidget(dialog)
    dialog.hours_edit.setText("工作日 8:30-17:30")
    dialog.materials.add_material()
    dialog.materials.item(dialog.materials.rowCount() - 1, 0).setText("近期免冠照片")
    dialog.note_edit.setText("增加照片")
    dialog._on_save_clicked()
    assert dialog.saved is not None and dialog.saved.version_no == 2
    page.reload()
    row2 = page.selected_row()
    assert row2 is not None and row2.version_no == 2
    assert services.catalogue.get_version(row.version_id).draft.hours != "工作日 8:30-17:30"
    assert "近期免冠照片" in page.detail.toPlainText()


def test_editor_refuses_empty_material_list_at_the_field(
    qtbot, services: Services, chief: SessionUser
) -> None:  # type: ignore[no-untyped-def]
    item = services.catalogue.list_items("SFZ-SL")[0]
    dialog = ServiceItemDialog(services.catalogue, chief, services.catalogue.get_item(item.item_id))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.materials.setRowCount(0)
    dialog.note_edit.setText("删光材料")
    dialog._on_save_clicked()
    assert dialog.saved is None and dialog.isVisible()
    assert "至少要列出一项" in dialog.errors.message_of("materials")
    assert services.catalogue.get_item(item.item_id).version_no == 1


def test_window_officer_sees_no_edit_buttons(qtbot, services: Services, make_officer) -> None:  # type: ignore[no-untyped-def]
    officer = make_officer(Role.WINDOW)
    page = CataloguePage(services.catalogue, officer)
    qtbot.addWidget(page)
    assert not page.edit_button.isVisibleTo(page)
    assert not page.add_button.isVisibleTo(page)
    assert page.history_button.isVisibleTo(page)


def test_the_editor_counts_every_text_against_the_services_limit(
    qtbot, services: Services, chief: SessionUser
) -> None:  # type: ignore[no-untyped-def]
    row = services.catalogue.list_items()[0]
    dialog = ServiceItemDialog(services.catalogue, chief, services.catalogue.get_item(row.item_id))
    qtbot.addWidget(dialog)
    limits = {
        dialog.name_edit: text_limits.CATALOGUE_NAME,
        dialog.fee_edit: text_limits.FEE,
        dialog.place_edit: text_limits.PLACE,
        dialog.legal_edit: text_limits.CATALOGUE_TEXT,
        dialog.procedure_edit: text_limits.CATALOGUE_TEXT,
        dialog.note_edit: text_limits.REASON,
    }
    for edit, limit in limits.items():
        assert edit.property("charLimit") == limit
    # A line edit keeps Qt's default maxLength (32767): the count refuses, nothing cuts.
    assert dialog.name_edit.maxLength() == 32767
