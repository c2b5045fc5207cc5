"""What a register, ledger or report prints: tables of rows, figures, texts and the review
block, as frozen data (no ReportLab). ``register_layout`` lays it out; ``register_pdf`` is
the call that does so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

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
    # Short 口径 lines printed small under the summary (what the figures count).
    notes: tuple[str, ...] = ()
    # Which print of this document (day, period, month) the paper is: 2 and later are 补打.
    copy_no: int = 1
    # A state every page must show (e.g. 未审核 on a ledger not yet signed), or "".
    page_mark: str = ""

    @property
    def reprint_mark(self) -> str:
        """补打（第 2 次打印） on a later print, else ""."""
        return reprint_mark(self.copy_no)

    def texts(self) -> list[str]:
        """Every piece of text the document prints (for the font coverage check)."""
        out = [self.title, self.station_name, self.subtitle, self.number, *self.summary]
        out += [*self.notes, self.reprint_mark, self.page_mark]
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


def reprint_mark(copy_no: int) -> str:
    """What a later print of a station document says on every page."""
    return f"补打（第 {copy_no} 次打印）" if copy_no > 1 else ""


# What the register's figures count: a 差评 is a rating with the overall level or any
# dimension at 不满意 or below, so there can be more 差评 than 不满意 + 非常不满意 overall.
RATING_REGISTER_NOTES: tuple[str, ...] = (
    "口径：差评指总体评价或任一分项评价为“不满意”“非常不满意”（1–2 星）的评价；"
    "“总体评价”各等级只按总体评价计数，总体满意而分项不满意的也计为差评，"
    "故差评件数可多于“不满意”与“非常不满意”之和。拒绝评价不计入差评和各等级。",
)


def register_as_printed(doc: RegisterDocument, copy_no: int) -> RegisterDocument:
    """现场回访登记簿 as it goes on paper: which print it is (2 and later: 补打) and the
    口径 of its 差评 figure under the summary."""
    return replace(doc, copy_no=copy_no, notes=doc.notes or RATING_REGISTER_NOTES)
