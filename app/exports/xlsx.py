"""A generic .xlsx writer: one sheet per table, bold frozen headers, fitted widths, rates as %.

The writer knows nothing of visits or officers; rows arrive as plain values, already masked
(ID numbers, phones) by the service that built them.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.exports.files import Guard, write_atomically

# openpyxl (about 0.2 s and 15 MB with numpy) is imported when a workbook is written, not
# when a service that describes sheets is imported.

Value = str | int | float | dt.date | None

EMPTY = "—"  # what a missing figure (no denominator, nothing timed) shows
MIN_WIDTH = 6.0
MAX_WIDTH = 60.0
HEADER_WIDTH = 16.0  # a longer header wraps rather than widen a column of short figures
LINE_HEIGHT = 15.0  # points per wrapped line (11-point text)
HEAD_FILL = "EEF1F5"
RULE = "B0B7C3"
FORMATS = {
    "text": "@",
    "count": "0",
    "rate": "0.0%",
    "decimal": "0.0",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
}
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True, slots=True)
class SheetColumn:
    """One column: header, how its values are shown, and a width (characters) or None to fit.

    ``fmt`` is one of ``FORMATS``: a "rate" holds a fraction (0.667) shown as 66.7%, so the
    figure stays a number to compute with; "text" cells are written as text even when they
    look like a formula.
    """

    header: str
    fmt: str = "text"
    width: float | None = None
    wrap: bool = False


@dataclass(frozen=True, slots=True)
class Sheet:
    """One worksheet: an optional title block, the header row, rows, and notes below."""

    title: str
    columns: tuple[SheetColumn, ...]
    rows: tuple[tuple[Value, ...], ...]
    heading: tuple[str, ...] = ()  # lines above the table (the first one large and bold)
    notes: tuple[str, ...] = ()  # lines below the table
    frozen_columns: int = 0  # columns kept in view when scrolling right (e.g. the name)
    bold_last_row: bool = False  # a total row

    @property
    def header_row(self) -> int:
        """The 1-based row of the column headers (below the title block and a blank line)."""
        return len(self.heading) + 2 if self.heading else 1


def text_columns(*headers: str) -> tuple[SheetColumn, ...]:
    """Plain text columns, fitted to their content."""
    return tuple(SheetColumn(h) for h in headers)


def display_width(text: str) -> float:
    """The width of ``text`` in Excel's character units: a CJK character counts twice."""
    return float(sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text))


def workbook_bytes(sheets: Sequence[Sheet], title: str = "", author: str = "") -> bytes:
    """The workbook as the bytes of an .xlsx file."""
    if not sheets:
        raise ValueError("a workbook needs at least one sheet")
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    book.properties.creator = author or "StationDesk"
    book.properties.title = title
    used: set[str] = set()
    for sheet in sheets:
        _fill(book.create_sheet(_sheet_title(sheet.title, used)), sheet)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_workbook(
    path: Path,
    sheets: Sequence[Sheet],
    *,
    title: str = "",
    author: str = "",
    guard: Guard | None = None,
) -> None:
    """Write the sheets to ``path`` atomically (see ``write_atomically`` for ``guard``).

    On failure nothing is left behind and a ValidationError says why in Chinese.
    """
    write_atomically(Path(path), workbook_bytes(sheets, title, author), guard)


# ---- internals ------------------------------------------------------------------------


def _sheet_title(title: str, used: set[str]) -> str:
    """A legal, unique sheet name (31 characters, none of []:*?/\\)."""
    base = _BAD_TITLE.sub("_", title).strip("'") or "Sheet"
    base = base[:31]
    name, n = base, 2
    while name.lower() in used:
        suffix = f"({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def _clean(text: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _shown(value: Value, fmt: str) -> str:
    """The text Excel will show, for fitting the width."""
    if value is None:
        return EMPTY
    if isinstance(value, str):
        return value
    if isinstance(value, dt.datetime):
        return "0000-00-00 00:00"
    if isinstance(value, dt.date):
        return "0000-00-00"
    if fmt == "rate":
        return f"{value * 100:.1f}%"
    if fmt == "decimal":
        return f"{value:.1f}"
    return str(value)


@functools.cache
def _alignment(horizontal: str | None, wrap: bool) -> Any:
    """One Alignment per look: a workbook of 200,000 cells shares a handful (openpyxl hashes
    each style it is given; a new object per cell made writing ten times slower)."""
    from openpyxl.styles import Alignment

    return Alignment(horizontal=horizontal, vertical="top", wrap_text=wrap)


def _write(cell: Any, value: Value, column: SheetColumn) -> None:
    if value is None:
        cell.value = EMPTY
        cell.alignment = _alignment("center", False)
        return
    if isinstance(value, str):
        cell.value = _clean(value)
        # "=…" would otherwise be stored as a formula: text typed at the counter stays text.
        cell.data_type = "s"
        cell.alignment = _alignment(None, column.wrap)
        return
    if isinstance(value, dt.datetime):
        # Excel has no time zones: the wall-clock time the caller chose is what is shown.
        cell.value = value.replace(tzinfo=None)
        cell.number_format = FORMATS["datetime"]
    elif isinstance(value, dt.date):
        cell.value = value
        cell.number_format = FORMATS["date"]
    else:
        cell.value = value
        cell.number_format = FORMATS.get(column.fmt, "General")
    cell.alignment = _alignment(None, False)


def _fill(ws: Any, sheet: Sheet) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    head_fill = PatternFill("solid", fgColor=HEAD_FILL)
    thin = Side(style="thin", color=RULE)
    width = len(sheet.columns)
    for number, line in enumerate(sheet.heading, start=1):
        cell = ws.cell(row=number, column=1, value=_clean(line))
        cell.data_type = "s"
        cell.font = Font(bold=True, size=14) if number == 1 else Font(color="57606A")
    head = sheet.header_row
    for c, column in enumerate(sheet.columns, start=1):
        cell = ws.cell(row=head, column=c, value=_clean(column.header))
        cell.data_type = "s"
        cell.font = Font(bold=True)
        cell.fill = head_fill
        cell.border = Border(bottom=thin, top=thin, left=thin, right=thin)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    widths = [min(display_width(c.header), HEADER_WIDTH) for c in sheet.columns]
    for r, row in enumerate(sheet.rows, start=head + 1):
        if len(row) != width:
            raise ValueError(f"row {r} of sheet {sheet.title!r} has {len(row)} cells, not {width}")
        for c, (value, column) in enumerate(zip(row, sheet.columns, strict=True), start=1):
            _write(ws.cell(row=r, column=c), value, column)
            widths[c - 1] = max(widths[c - 1], display_width(_shown(value, column.fmt)))
    if sheet.bold_last_row and sheet.rows:
        last = head + len(sheet.rows)
        for c in range(1, width + 1):
            ws.cell(row=last, column=c).font = Font(bold=True)
            ws.cell(row=last, column=c).border = Border(top=thin)
    fitted = []
    for c, column in enumerate(sheet.columns, start=1):
        chars = column.width or min(MAX_WIDTH, max(MIN_WIDTH, widths[c - 1] + 2))
        fitted.append(chars)
        ws.column_dimensions[get_column_letter(c)].width = chars
    _fit_row_heights(ws, sheet, fitted)
    notes_at = head + len(sheet.rows) + 2
    for offset, line in enumerate(sheet.notes):
        cell = ws.cell(row=notes_at + offset, column=1, value=_clean(line))
        cell.data_type = "s"
        cell.font = Font(color="57606A")
    ws.freeze_panes = ws.cell(row=head + 1, column=sheet.frozen_columns + 1).coordinate
    if sheet.rows and width:
        ws.auto_filter.ref = f"A{head}:{get_column_letter(width)}{head + len(sheet.rows)}"
    ws.print_title_rows = f"{head}:{head}"
    ws.page_setup.orientation = "landscape" if width > 8 else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _fit_row_heights(ws: Any, sheet: Sheet, widths: list[float]) -> None:
    """Excel does not grow a row for wrapped text it did not type itself: set the heights."""
    head = sheet.header_row
    header_lines = max(
        (
            math.ceil(display_width(c.header) / max(w - 1, 1))
            for c, w in zip(sheet.columns, widths, strict=True)
        ),
        default=1,
    )
    if header_lines > 1:
        ws.row_dimensions[head].height = LINE_HEIGHT * header_lines
    wrapped = [i for i, c in enumerate(sheet.columns) if c.wrap]
    if not wrapped:
        return
    for r, row in enumerate(sheet.rows, start=head + 1):
        lines = max(
            sum(
                max(1, math.ceil(display_width(part) / max(widths[i] - 1, 1)))
                for part in str(row[i] or "").split("\n")
            )
            for i in wrapped
        )
        if lines > 1:
            ws.row_dimensions[r].height = LINE_HEIGHT * lines
