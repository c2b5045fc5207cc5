"""Exports: files written for use outside StationDesk (Excel workbooks), always atomically."""

from __future__ import annotations

from app.exports.files import check_target, write_atomically
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
