"""Lays a SlipData out as a PDF on A4, A5 or an 80 mm receipt roll (ReportLab)."""

from __future__ import annotations

import io
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4, A5
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    Image,
    PageBreak,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from app.printing.cjk_paragraph import CJKParagraph
from app.printing.font_runs import FallbackCanvas
from app.printing.fonts import BOLD, REGULAR, register_fonts
from app.printing.qr_flowable import QrFlowable
from app.printing.slip_data import SlipData

ROLL_WIDTH = 80 * mm
INK = colors.HexColor("#1f2328")
MUTED = colors.HexColor("#57606a")


def _esc(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br/>")
    )


class _Styles:
    def __init__(self, roll: bool) -> None:
        base = 8.5 if roll else 10.5
        self.station = ParagraphStyle(
            "station", fontName=BOLD, fontSize=base + 1, leading=base + 5, alignment=TA_CENTER
        )
        self.title = ParagraphStyle(
            "title", fontName=BOLD, fontSize=base + 6, leading=base + 11, alignment=TA_CENTER
        )
        self.copy = ParagraphStyle(
            "copy",
            fontName=REGULAR,
            fontSize=base - 1,
            leading=base + 3,
            alignment=TA_CENTER,
            textColor=MUTED,
        )
        self.number = ParagraphStyle(
            "number", fontName=REGULAR, fontSize=base, leading=base + 4, alignment=TA_RIGHT
        )
        self.label = ParagraphStyle(
            "label", fontName=BOLD, fontSize=base, leading=base + 4, wordWrap="CJK"
        )
        self.value = ParagraphStyle(
            "value", fontName=REGULAR, fontSize=base, leading=base + 4, wordWrap="CJK"
        )
        self.heading = ParagraphStyle(
            "heading",
            fontName=BOLD,
            fontSize=base + 0.5,
            leading=base + 5,
            spaceBefore=4,
            keepWithNext=1,
        )
        self.body = ParagraphStyle(
            "body", fontName=REGULAR, fontSize=base, leading=base + 5, wordWrap="CJK"
        )
        self.note = ParagraphStyle(
            "note",
            fontName=REGULAR,
            fontSize=base - 1.5,
            leading=base + 2.5,
            wordWrap="CJK",
            textColor=MUTED,
        )


class _Paragraphs:
    """The table cells of one print: one paragraph per distinct text and style.

    The citizen's copy and the station's copy say the same thing; each cell is parsed and
    broken into lines once and drawn in both (as ReportLab itself shares the cells of a table
    split across pages). Paragraphs of the story itself are never shared: the layout marks
    those it moves to the next page.
    """

    def __init__(self, roll: bool) -> None:
        self.styles = _Styles(roll)
        self._made: dict[tuple[str, str], CJKParagraph] = {}

    def __call__(self, markup: str, style: ParagraphStyle) -> CJKParagraph:
        """The cell paragraph of this markup in this style."""
        key = (markup, style.name)
        paragraph = self._made.get(key)
        if paragraph is None:
            paragraph = self._made[key] = CJKParagraph(markup, style)
        return paragraph


def _flowables(
    data: SlipData, width: float, roll: bool, part: str, para: _Paragraphs
) -> list[Flowable]:
    st = para.styles
    # On the roll the heading is part of the story, elsewhere it is a cell beside the QR code.
    cell = CJKParagraph if roll else para
    head: list[Flowable] = [
        cell(_esc(data.station_name), st.station),
        cell(_esc(data.title), st.title),
    ]
    copy_label = part or data.copy_label
    if copy_label:
        head.append(cell(_esc(copy_label), st.copy))
    reprint = (
        f"　<font color='#b3261e'><b>补打</b>（第 {data.copy_no} 次打印）</font>"
        if data.is_reprint
        else ""
    )
    head.append(cell(f"编号：{_esc(data.number)}{reprint}", st.number))
    story: list[Flowable]
    if roll:
        story = head
    else:
        # QR code beside the heading, so a long station name never runs under it.
        qr_size = 22 * mm
        header = Table(
            [[head, QrFlowable(data.qr_payload, qr_size)]],
            colWidths=[width - qr_size - 3 * mm, qr_size + 3 * mm],
        )
        header.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                    ("ALIGN", (1, 0), (1, 0), "RIGHT"),
                ]
            )
        )
        story = [header]
    story.append(Spacer(1, 2 * mm))
    label_width = 23 * mm if roll else 30 * mm
    table = Table(
        [[para(_esc(k), st.label), para(_esc(v), st.value)] for k, v in data.rows],
        colWidths=[label_width, width - label_width],
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("GRID", (0, 0), (-1, -1), 0.5, INK),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#eef1f5")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
            ]
        )
    )
    story.append(table)
    if data.table:
        story.append(Spacer(1, 2 * mm))
        story.append(_items_table(_narrow(data.table) if roll else data.table, width, para))
    if data.notes:
        # The slip's promise (e.g. nothing beyond this list will be asked) stands out.
        story.append(Spacer(1, 2 * mm))
        story.extend(CJKParagraph(f"<b>{_esc(n)}</b>", st.body) for n in data.notes)
    for heading, text in data.paragraphs:
        # Heading and text in one paragraph: it splits across pages without leaving gaps.
        story.append(CJKParagraph(f"<b>{_esc(heading)}：</b>{_esc(text)}", st.body))
    if data.signatures:
        story.append(Spacer(1, 5 * mm))
        if data.image_png:
            story.append(_signature_image(data.image_png, width))
        story.extend(CJKParagraph(_esc(s), st.body) for s in data.signatures)
    if roll:
        story.append(Spacer(1, 3 * mm))
        qr = Table([[QrFlowable(data.qr_payload, 26 * mm)]], colWidths=[width])
        qr.setStyle(
            TableStyle(
                [("FONTNAME", (0, 0), (-1, -1), REGULAR), ("ALIGN", (0, 0), (-1, -1), "CENTER")]
            )
        )
        story.append(qr)
    return story


def _narrow(rows: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
    """Six columns folded into three for the 80 mm roll: no., what and how, where from."""
    out: list[tuple[str, ...]] = [("序号", "材料及要求", "来源或说明")]
    for no, name, copies, form, need, source in rows[1:]:
        out.append((no, f"{name}\n{form} {copies} 份，{need}", source))
    return tuple(out)


def _items_table(rows: tuple[tuple[str, ...], ...], width: float, para: _Paragraphs) -> Table:
    """The materials the citizen still owes, one row each."""
    if len(rows[0]) == 3:
        fixed = [7 * mm, 0.0, 0.0]
        flexible = (width - sum(fixed)) / 2
    else:
        fixed = [7 * mm, 0.0, 9 * mm, 17 * mm, 13 * mm, 0.0]
        flexible = (width - sum(fixed)) / 2
    widths = [w or flexible for w in fixed]
    cells = [
        [para(_esc(c), para.styles.label if r == 0 else para.styles.value) for c in row]
        for r, row in enumerate(rows)
    ]
    table = Table(cells, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("GRID", (0, 0), (-1, -1), 0.5, INK),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f5")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _signature_image(png: bytes, width: float) -> Flowable:
    """The citizen's signature as captured on the pad, at most 60 mm wide."""
    reader = ImageReader(io.BytesIO(png))
    w, h = reader.getSize()
    draw_w = min(60 * mm, width)
    image = Image(io.BytesIO(png), width=draw_w, height=draw_w * h / w)
    image.hAlign = "LEFT"
    return image


class _PartMark(Flowable):
    """Draws nothing; tells the canvas which part (copy) the following pages belong to."""

    def __init__(self, index: int) -> None:
        super().__init__()
        self.index = index

    def wrap(self, _available_width: float, _available_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.canv.stationdesk_part = self.index


def _numbered_canvas(data: SlipData, roll: bool) -> type[Canvas]:
    """A canvas that writes 第 x 页 共 y 页 and the QR code once the page count is known."""

    class NumberedCanvas(FallbackCanvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            # Each part (群众联, 存根联) is its own document for the reader: number per part.
            parts = [state.get("stationdesk_part", 0) for state in self._pages]
            seen: dict[int, int] = {}
            for state, part in zip(self._pages, parts, strict=True):
                seen[part] = seen.get(part, 0) + 1
                self.__dict__.update(state)
                self._decorate(seen[part], parts.count(part))
                super().showPage()
            super().save()

        def _decorate(self, number: int, total: int) -> None:
            width, _height = self._pagesize
            margin = 4 * mm if roll else 12 * mm
            self.setFont(REGULAR, 7 if roll else 8)
            self.setFillColor(MUTED)
            stamp = data.printed_at.strftime("%Y-%m-%d %H:%M")
            pages = f"第 {number} 页 共 {total} 页" + (" · 补打" if data.is_reprint else "")
            if roll:
                self.drawCentredString(
                    width / 2, margin * 0.6 + 9, f"{data.number} · 打印于 {stamp}"
                )
                self.drawCentredString(width / 2, margin * 0.6, pages)
            else:
                self.drawCentredString(
                    width / 2, margin * 0.6, f"{data.number} · 打印于 {stamp} · {pages}"
                )

    return NumberedCanvas


def render(data: SlipData) -> bytes:
    """The slip as PDF bytes with the bundled font embedded (subset)."""
    register_fonts()
    roll = data.paper_size == "80mm"
    parts = data.parts or ("",)
    para = _Paragraphs(roll)
    if not roll:
        pagesize = A4 if data.paper_size == "A4" else A5
        return _build(data, pagesize, 12 * mm, parts, para)
    # A roll has no fixed length: each part must fit one "page" cut from the roll. Estimate
    # the length, then lengthen until every part fits on a single page.
    margin = 4 * mm
    width = ROLL_WIDTH - 2 * margin
    probe = Canvas(io.BytesIO(), initialFontName=REGULAR)
    measured = _flowables(data, width, roll, parts[0], para)
    height = sum(f.wrapOn(probe, width, 10_000)[1] for f in measured) + 2 * margin + 20 * mm
    height = max(height, 100 * mm)
    for _ in range(8):
        pdf = _build(data, (ROLL_WIDTH, height), margin, parts, para)
        if _page_count(pdf) <= len(parts):
            return pdf
        height *= 1.15
    return pdf


def _page_count(pdf: bytes) -> int:
    import pypdfium2

    doc = pypdfium2.PdfDocument(pdf)
    try:
        return len(doc)
    finally:
        doc.close()


def _build(
    data: SlipData,
    pagesize: tuple[float, float],
    margin: float,
    parts: tuple[str, ...],
    para: _Paragraphs,
) -> bytes:
    roll = data.paper_size == "80mm"
    width = pagesize[0] - 2 * margin
    story: list[Flowable] = []
    for index, part in enumerate(parts):
        if index:
            story.append(PageBreak())
        story.append(_PartMark(index))
        story.extend(_flowables(data, width, roll, part, para))
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=pagesize,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin + 4 * mm,
        title=f"{data.title} {data.number}",
        author=data.station_name,
        creator="StationDesk",
        invariant=1,
        initialFontName=REGULAR,
    )
    doc.build(story, canvasmaker=_numbered_canvas(data, roll))
    return out.getvalue()
