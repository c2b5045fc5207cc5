"""What a register, ledger or report prints (tables of rows), and the call that lays it out.

The data lives in ``register_data`` (re-exported here, where every document builder imports
it from) and the layout (ReportLab) in ``register_layout``, imported on the first print:
services build these documents without loading ReportLab.
"""

from __future__ import annotations

from app.printing.register_data import (
    RATING_REGISTER_NOTES,
    Block,
    Cell,
    RegisterColumn,
    RegisterDocument,
    RegisterFigures,
    RegisterRow,
    RegisterTable,
    RegisterText,
    ReviewBlock,
    register_as_printed,
    reprint_mark,
)

__all__ = [
    "RATING_REGISTER_NOTES",
    "Block",
    "Cell",
    "RegisterColumn",
    "RegisterDocument",
    "RegisterFigures",
    "RegisterRow",
    "RegisterTable",
    "RegisterText",
    "ReviewBlock",
    "register_as_printed",
    "render_register",
    "reprint_mark",
]


def render_register(doc: RegisterDocument) -> bytes:
    """The document as PDF bytes (A4, landscape unless told otherwise), font embedded."""
    from app.printing.register_layout import render

    return render(doc)
