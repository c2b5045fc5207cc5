"""What a register, ledger or report prints (tables of rows), and the call that lays it out.

The layout itself (ReportLab) lives in ``register_layout`` and is imported on the first print:
services build these documents without loading ReportLab.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# A cell is text, or the bytes of a PNG (a signature) drawn to fit the cell.
Cell = str | bytes


@dataclass(frozen=True, slots=True)
class RegisterColumn:
    """One column: its header and its share of the table width (relative, any unit)."""

    title: str
    width: float
    center: bool = False


@dataclass(frozen=True, slots=True)
class RegisterRow:
    """One line of a table; ``marked`` rows (e.g. a 差评) are tinted and stand out."""

    cells: tuple[Cell, ...]
    marked: bool = False
    fill: str = ""  # a background of its own ("#rrggbb"), e.g. a board or a total row
    bold: bool = False


@dataclass(frozen=True, slots=True)
class RegisterTable:
    """A table of the document, its header repeated on every page it runs over."""

    columns: tuple[RegisterColumn, ...]
    rows: tuple[RegisterRow, ...]
    heading: str = ""
    empty_text: str = "（无）"


@dataclass(frozen=True, slots=True)
class RegisterText:
    """Paragraphs between tables (an introduction, a rule); ``small`` prints them muted."""

    lines: tuple[str, ...]
    heading: str = ""
    small: bool = False


@dataclass(frozen=True, slots=True)
class RegisterFigures:
    """Pictures (PNG charts) laid out ``per_row`` across the width, kept on one page together."""

    images: tuple[bytes, ...]
    heading: str = ""
    per_row: int = 2
    max_height_mm: float = 80.0


# What a document's ``blocks`` may hold, printed in order between the header and ``tables``.
Block = RegisterTable | RegisterText | RegisterFigures


@dataclass(frozen=True, slots=True)
class ReviewBlock:
    """Who reviewed and signed: labelled fields (empty = a line to write on), signature image."""

    heading: str
    fields: tuple[tuple[str, str], ...]
    signature_label: str = ""
    signature_png: bytes | None = None


@dataclass(frozen=True, slots=True)
class RegisterDocument:
    """A station register or ledger: header, tables, summary lines, review block, QR code."""

    title: str
    station_name: str
    subtitle: str
    printed_at: dt.datetime
    tables: tuple[RegisterTable, ...]
    summary: tuple[str, ...] = ()
    review: ReviewBlock | None = None
    qr_payload: str = ""
    number: str = ""
    landscape: bool = True
    blocks: tuple[Block, ...] = ()

    def texts(self) -> list[str]:
        """Every piece of text the document prints (for the font coverage check)."""
        out = [self.title, self.station_name, self.subtitle, self.number, *self.summary]
        for block in self.blocks:
            if isinstance(block, RegisterText):
                out += [block.heading, *block.lines]
            elif isinstance(block, RegisterFigures):
                out.append(block.heading)
        for table in self._all_tables():
            out += [table.heading, table.empty_text, *(c.title for c in table.columns)]
            out += [c for row in table.rows for c in row.cells if isinstance(c, str)]
        if self.review is not None:
            out += [self.review.heading, self.review.signature_label]
            out += [t for pair in self.review.fields for t in pair]
        return out

    @property
    def row_count(self) -> int:
        """How many rows all tables hold together."""
        return sum(len(t.rows) for t in self._all_tables())

    def _all_tables(self) -> list[RegisterTable]:
        return [b for b in self.blocks if isinstance(b, RegisterTable)] + list(self.tables)


def render_register(doc: RegisterDocument) -> bytes:
    """The document as PDF bytes (A4, landscape unless told otherwise), font embedded."""
    from app.printing.register_layout import render

    return render(doc)
