"""Exports: files written for use outside StationDesk (Excel workbooks), always atomically."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.exports.files import check_target, write_atomically

if TYPE_CHECKING:
    from app.exports.xlsx import Sheet, SheetColumn, text_columns, workbook_bytes, write_workbook

__all__ = [
    "Sheet",
    "SheetColumn",
    "check_target",
    "text_columns",
    "workbook_bytes",
    "write_atomically",
    "write_workbook",
]

_XLSX = {"Sheet", "SheetColumn", "text_columns", "workbook_bytes", "write_workbook"}


def __getattr__(name: str) -> Any:
    # The workbook writer is fetched on first use: importing ``app.exports.files`` (the atomic
    # writer every print and save uses) must not import it (and openpyxl) as well.
    if name in _XLSX:
        from app.exports import xlsx

        return getattr(xlsx, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
