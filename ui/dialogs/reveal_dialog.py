"""Asks why a full ID number or phone is wanted: a purpose from the list and a real sentence.

The purpose list has the focus first (arrow keys choose), Tab goes to the detail, Enter
confirms; the service checks both and says in place what is wrong.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from app.core.reveal_purposes import DETAIL_EXAMPLE, DETAIL_LABEL, DETAIL_MAX
from ui.dialogs.text_form_dialog import Field, TextFormDialog

AUDIT_NOTE = "每次查看都会连同用途和具体事由记入审计日志。"


def reveal_fields(purposes: tuple[str, ...], example: str = DETAIL_EXAMPLE) -> list[Field]:
    """The purpose list first, then the detail line: the fields every reveal asks for."""
    return [
        Field("purpose", "查看用途", choices=tuple((p, p) for p in purposes)),
        Field("detail", DETAIL_LABEL, placeholder=example, limit=DETAIL_MAX),
    ]


def reveal_dialog(
    title: str,
    intro: str,
    purposes: tuple[str, ...],
    reveal: Callable[[str, str], str],
    parent: QWidget | None = None,
    example: str = DETAIL_EXAMPLE,
) -> TextFormDialog:
    """A form whose ``result_value`` is what ``reveal(purpose, detail)`` returned, once it did."""
    dialog = TextFormDialog(
        title,
        f"{intro}\n{AUDIT_NOTE}" if intro else AUDIT_NOTE,
        reveal_fields(purposes, example),
        lambda v: reveal(str(v["purpose"]), str(v["detail"])),
        "查看",
        parent,
    )
    dialog.editors["purpose"].setFocus()
    return dialog
