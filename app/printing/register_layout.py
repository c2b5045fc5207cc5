"""Lays a RegisterDocument (a register, ledger or report: tables of rows) out as an A4 PDF."""

from __future__ import annotations

import io
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Image,
    KeepTogether,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.doctemplate import LayoutError

from app.printing.cjk_paragraph import CJKParagraph
from app.printing.font_runs import FallbackCanvas
from app.printing.fonts import BOLD, REGULAR, register_fonts
from app.printing.qr_flowable import QrFlowable
from app.printing.register_data import (
    Cell,
    RegisterDocument,
    RegisterFigures,
    RegisterTable,
    RegisterText,
    ReviewBlock,
)
from app.printing.signature_crop import fit_signature

INK = colors.HexColor("#1f2328")
MUTED = colors.HexColor("#57606a")
HEAD_FILL = colors.HexColor("#eef1f5")
MARK_FILL = colors.HexColor("#fbe4e1")
MARK_INK = colors.HexColor("#b3261e")
IMAGE_MAX_HEIGHT = 11 * mm
# A signature in a register's cell: cropped to its ink, as tall as a two-line row.
SIGNATURE_CELL_HEIGHT = 10 * mm
# The reviewer's signature beside 签名：.
REVIEW_SIGNATURE = (62 * mm, 18 * mm)
CELL_PAD = 2.0
MARK_SIZE = 10  # 未审核 / 补打 at the foot of every page
HEADING_ROOM = 30 * mm  # a heading, the table's header and two or three rows


def _esc(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br/>")
    )


class _Styles:
    def __init__(self) -> None:
        self.station = ParagraphStyle(
            "station", fontName=BOLD, fontSize=11, leading=15, alignment=TA_CENTER
        )
        self.title = ParagraphStyle(
            "title", fontName=BOLD, fontSize=16, leading=22, alignment=TA_CENTER
        )
        self.subtitle = ParagraphStyle(
            "subtitle",
            fontName=REGULAR,
            fontSize=9,
            leading=13,
            alignment=TA_CENTER,
            textColor=MUTED,
        )
        self.mark = ParagraphStyle(
            "mark",
            fontName=BOLD,
            fontSize=MARK_SIZE,
            leading=14,
            alignment=TA_CENTER,
            textColor=MARK_INK,
        )
        self.heading = ParagraphStyle(
            "heading", fontName=BOLD, fontSize=10, leading=14, spaceBefore=4, spaceAfter=2
        )
        self.head = ParagraphStyle(
            "head", fontName=BOLD, fontSize=8, leading=10, alignment=TA_CENTER, wordWrap="CJK"
        )
        self.cell = ParagraphStyle(
            "cell", fontName=REGULAR, fontSize=8, leading=10, alignment=TA_LEFT, wordWrap="CJK"
        )
        self.cell_center = ParagraphStyle("cell_center", parent=self.cell, alignment=TA_CENTER)
        self.summary = ParagraphStyle(
            "summary", fontName=REGULAR, fontSize=9.5, leading=14, wordWrap="CJK"
        )
        self.small = ParagraphStyle(
            "small", fontName=REGULAR, fontSize=7.5, leading=10.5, wordWrap="CJK", textColor=MUTED
        )
        self.cell_bold = ParagraphStyle("cell_bold", parent=self.cell, fontName=BOLD)
        self.cell_bold_center = ParagraphStyle(
            "cell_bold_center", parent=self.cell_center, fontName=BOLD
        )
        self.label = ParagraphStyle("label", fontName=BOLD, fontSize=9.5, leading=13)
        self.value = ParagraphStyle(
            "value", fontName=REGULAR, fontSize=9.5, leading=13, wordWrap="CJK"
        )


def _image(png: bytes, max_width: float, max_height: float) -> Flowable | None:
    """The picture scaled to fit the box, keeping its proportions; None if unreadable."""
    try:
        w, h = ImageReader(io.BytesIO(png)).getSize()
    except (OSError, ValueError):
        return None
    if w <= 0 or h <= 0:
        return None
    scale = min(max_width / w, max_height / h)
    return Image(io.BytesIO(png), width=w * scale, height=h * scale)


def _signature(png: bytes, max_width: float, max_height: float) -> Flowable | None:
    """A signature cropped to its ink and scaled to fill the box; None if unreadable."""
    try:
        fitted = fit_signature(png, max_width, max_height)
    except (OSError, ValueError):
        return None
    if fitted.width <= 0 or fitted.height <= 0:
        return None
    return Image(io.BytesIO(fitted.png), width=fitted.width, height=fitted.height)


def _cell(value: Cell, width: float, style: ParagraphStyle, st: _Styles) -> Flowable | str:
    if isinstance(value, bytes):
        # A picture in a register's cell is a signature: its ink fills the row's height.
        image = _signature(value, width - 2 * CELL_PAD, SIGNATURE_CELL_HEIGHT)
        # A damaged image must not stop the print; the paper says so instead.
        return image or CJKParagraph("（签名图像无法显示）", st.cell_center)
    if "\n" not in value and stringWidth(value, style.fontName, style.fontSize) <= (
        width - 2 * CELL_PAD
    ):
        # Text that fits on one line is drawn as it is, in the cell's font (the table style
        # sets it): the same line as a Paragraph, without parsing and wrapping every cell
        # of a ledger of hundreds of rows.
        return value
    return CJKParagraph(_esc(value), style)


def _cell_style(st: _Styles, center: bool, bold: bool) -> ParagraphStyle:
    if bold:
        return st.cell_bold_center if center else st.cell_bold
    return st.cell_center if center else st.cell


def _table(table: RegisterTable, width: float, st: _Styles, split_in_row: bool) -> Table:
    total = sum(c.width for c in table.columns) or 1.0
    widths = [width * c.width / total for c in table.columns]
    cells: list[list[Any]] = [[CJKParagraph(_esc(c.title), st.head) for c in table.columns]]
    style: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, 0), REGULAR),
        # Cells that fit on one line are drawn as plain text (``_cell``): in the cell style's
        # font, size and leading.
        ("FONT", (0, 1), (-1, -1), REGULAR, st.cell.fontSize, st.cell.leading)
        if table.rows
        else ("FONTNAME", (0, 1), (-1, -1), REGULAR),
        ("GRID", (0, 0), (-1, -1), 0.5, INK),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_FILL),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("TOPPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("BOTTOMPADDING", (0, 0), (-1, -1), CELL_PAD + 1),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
    ]
    style += [
        ("ALIGN", (c, 1), (c, -1), "LEFT") for c, col in enumerate(table.columns) if not col.center
    ]
    for r, row in enumerate(table.rows, start=1):
        if row.bold:
            style.append(("FONTNAME", (0, r), (-1, r), BOLD))
        # A picture stays centred in its cell, whatever the column's text does.
        style += [
            ("ALIGN", (c, r), (c, r), "CENTER")
            for c, v in enumerate(row.cells)
            if isinstance(v, bytes)
        ]
        cells.append(
            [
                _cell(value, w, _cell_style(st, col.center, row.bold), st)
                for value, w, col in zip(row.cells, widths, table.columns, strict=True)
            ]
        )
        if row.fill:
            style.append(("BACKGROUND", (0, r), (-1, r), colors.HexColor(row.fill)))
        elif row.marked:
            style.append(("BACKGROUND", (0, r), (-1, r), MARK_FILL))
    if not table.rows:
        cells.append(
            [CJKParagraph(_esc(table.empty_text), st.cell_center)] + [""] * (len(widths) - 1)
        )
        style.append(("SPAN", (0, 1), (-1, 1)))
    out = Table(cells, colWidths=widths, repeatRows=1, splitInRow=1 if split_in_row else 0)
    out.setStyle(TableStyle(style))
    return out


def _header(doc: RegisterDocument, width: float, st: _Styles) -> Flowable:
    head: list[Flowable] = [
        CJKParagraph(_esc(doc.station_name), st.station),
        CJKParagraph(_esc(doc.title), st.title),
    ]
    printed = f"打印时间：{doc.printed_at.strftime('%Y-%m-%d %H:%M')}"
    head.append(
        CJKParagraph(_esc(f"{doc.subtitle}　　{printed}" if doc.subtitle else printed), st.subtitle)
    )
    marks = "　".join(m for m in (doc.page_mark, doc.reprint_mark) if m)
    if marks:
        head.append(CJKParagraph(_esc(marks), st.mark))
    if not doc.qr_payload:
        return KeepTogether(head)
    # The QR code sits at the right, balanced by an empty cell at the left to keep the title
    # centred on the page.
    qr_size = 20 * mm
    side = qr_size + 2 * mm
    header = Table(
        [["", head, QrFlowable(doc.qr_payload, qr_size)]], colWidths=[side, width - 2 * side, side]
    )
    header.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                ("ALIGN", (2, 0), (2, 0), "RIGHT"),
            ]
        )
    )
    return header


def _review(review: ReviewBlock, width: float, st: _Styles) -> Flowable:
    label_w, value_w = 28 * mm, 62 * mm
    rows: list[list[Any]] = []
    style: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if review.heading:
        rows.append([CJKParagraph(_esc(review.heading), st.heading), ""])
        style.append(("SPAN", (0, 0), (1, 0)))
    for label, value in review.fields:
        r = len(rows)
        rows.append(
            [CJKParagraph(_esc(f"{label}："), st.label), CJKParagraph(_esc(value), st.value)]
        )
        if not value:
            # An empty field is a line to write on by hand.
            style.append(("LINEBELOW", (1, r), (1, r), 0.5, INK))
            style.append(("TOPPADDING", (0, r), (-1, r), 12))
    if review.signature_label:
        r = len(rows)
        image = (
            _signature(review.signature_png, *REVIEW_SIGNATURE) if review.signature_png else None
        )
        rows.append([CJKParagraph(_esc(f"{review.signature_label}："), st.label), image or ""])
        if image is None:
            style.append(("LINEBELOW", (1, r), (1, r), 0.5, INK))
            style.append(("TOPPADDING", (0, r), (-1, r), 12))
        else:
            style.append(("VALIGN", (0, r), (-1, r), "MIDDLE"))
    if not rows:
        return Spacer(0, 0)
    table = Table(rows, colWidths=[label_w, value_w])
    table.setStyle(TableStyle(style))
    # At the right like a signature at the foot of a page, unless the page is too narrow.
    table.hAlign = "RIGHT" if width > 2 * (label_w + value_w) else "LEFT"
    return table


def _text(block: RegisterText, st: _Styles) -> list[Flowable]:
    out: list[Flowable] = []
    lines = [
        CJKParagraph(_esc(line), st.small if block.small else st.summary) for line in block.lines
    ]
    if block.heading:
        # A heading never stays behind at the foot of a page without its first line.
        out.append(KeepTogether([CJKParagraph(_esc(block.heading), st.heading), *lines[:1]]))
        lines = lines[1:]
    out.extend(lines)
    out.append(Spacer(1, 2 * mm))
    return out


def _figures(block: RegisterFigures, width: float, st: _Styles) -> list[Flowable]:
    per_row = max(1, block.per_row)
    cell_w = width / per_row
    images: list[Any] = [
        _image(png, cell_w - 2 * CELL_PAD, block.max_height_mm * mm)
        or CJKParagraph("（图表无法显示）", st.cell_center)
        for png in block.images
    ]
    if not images:
        return []
    grid = [images[i : i + per_row] for i in range(0, len(images), per_row)]
    grid[-1] += [""] * (per_row - len(grid[-1]))
    table = Table(grid, colWidths=[cell_w] * per_row)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
                ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
                ("TOPPADDING", (0, 0), (-1, -1), CELL_PAD),
                ("BOTTOMPADDING", (0, 0), (-1, -1), CELL_PAD),
            ]
        )
    )
    head: list[Flowable] = [CJKParagraph(_esc(block.heading), st.heading)] if block.heading else []
    # The heading never stays behind at the foot of a page without its charts.
    return [KeepTogether([*head, table]), Spacer(1, 2 * mm)]


def _story(doc: RegisterDocument, width: float, split_in_row: bool) -> list[Flowable]:
    st = _Styles()
    story: list[Flowable] = [_header(doc, width, st), Spacer(1, 3 * mm)]
    for block in doc.blocks:
        if isinstance(block, RegisterText):
            story.extend(_text(block, st))
        elif isinstance(block, RegisterFigures):
            story.extend(_figures(block, width, st))
        else:
            story.extend(_table_with_heading(block, width, st, split_in_row))
    for table in doc.tables:
        story.extend(_table_with_heading(table, width, st, split_in_row))
    # The summary, its 口径 and the review block go on one page together: a signature never
    # stands alone on the last page, apart from the figures it signs.
    tail: list[Flowable] = [CJKParagraph(_esc(line), st.summary) for line in doc.summary]
    tail += [CJKParagraph(_esc(line), st.small) for line in doc.notes]
    if doc.review is not None:
        tail.append(Spacer(1, 3 * mm))
        tail.append(_review(doc.review, width, st))
    if tail:
        story.append(KeepTogether(tail))
    return story


def _table_with_heading(
    table: RegisterTable, width: float, st: _Styles, split_in_row: bool
) -> list[Flowable]:
    out: list[Flowable] = []
    if table.heading:
        # A heading never ends a page alone: with less room left than the heading and a few
        # rows, it starts the next page (keepWithNext would move the whole table instead).
        out.append(CondPageBreak(HEADING_ROOM))
        out.append(CJKParagraph(_esc(table.heading), st.heading))
    out.append(_table(table, width, st, split_in_row))
    out.append(Spacer(1, 2 * mm))
    return out


def _numbered_canvas(doc: RegisterDocument, margin: float) -> type[Canvas]:
    """A canvas that writes the running header and 第 x 页 共 y 页 once the count is known."""

    class NumberedCanvas(FallbackCanvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self._decorate(number, total)
                super().showPage()
            super().save()

        def _decorate(self, number: int, total: int) -> None:
            width, height = self._pagesize
            self.setFont(REGULAR, 8)
            self.setFillColor(MUTED)
            if number > 1:
                # Later pages name the document too: a loose page is still identifiable.
                top = height - margin * 0.75
                left = f"{doc.station_name}　{doc.title}"
                self.drawString(margin, top, left)
                room = width - 2 * margin - stringWidth(left, REGULAR, 8) - 6 * mm
                # On a narrow (portrait) page a long subtitle would run into the name: leave it.
                if stringWidth(doc.subtitle, REGULAR, 8) <= room:
                    self.drawRightString(width - margin, top, doc.subtitle)
            stamp = doc.printed_at.strftime("%Y-%m-%d %H:%M")
            prefix = f"{doc.number} · " if doc.number else ""
            foot = margin * 0.5
            self.drawCentredString(
                width / 2, foot, f"{prefix}打印于 {stamp} · 第 {number} 页 共 {total} 页"
            )
            # 未审核 and 补打 on every page, in red at the foot's two ends: a single page
            # taken out of the file still says what it is.
            self.setFont(BOLD, MARK_SIZE)
            self.setFillColor(MARK_INK)
            if doc.page_mark:
                self.drawString(margin, foot, doc.page_mark)
            if doc.reprint_mark:
                self.drawRightString(width - margin, foot, doc.reprint_mark)

    return NumberedCanvas


def render(doc: RegisterDocument) -> bytes:
    """The document as PDF bytes (A4, landscape unless told otherwise), font embedded."""
    register_fonts()
    try:
        return _build(doc, split_in_row=False)
    except LayoutError:
        # A row taller than a page (a very long text) cannot move to the next page whole:
        # only then let rows split across pages.
        return _build(doc, split_in_row=True)


def _build(doc: RegisterDocument, split_in_row: bool) -> bytes:
    pagesize = landscape(A4) if doc.landscape else A4
    margin = 10 * mm
    width = pagesize[0] - 2 * margin
    out = io.BytesIO()
    template = SimpleDocTemplate(
        out,
        pagesize=pagesize,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin + 3 * mm,
        bottomMargin=margin + 2 * mm,
        title=f"{doc.title} {doc.subtitle}".strip(),
        author=doc.station_name,
        creator="StationDesk",
        invariant=1,
        initialFontName=REGULAR,
    )
    template.build(_story(doc, width, split_in_row), canvasmaker=_numbered_canvas(doc, margin))
    return out.getvalue()
