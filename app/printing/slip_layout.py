"""Lays a SlipData out as a PDF on A4, A5 or an 80 mm receipt roll (ReportLab)."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4, A5
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    Image,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Spacer,
    Table,
    TableStyle,
)

from app.printing.cjk_paragraph import CJKParagraph
from app.printing.font_runs import FallbackCanvas
from app.printing.fonts import BOLD, REGULAR, register_fonts
from app.printing.qr_flowable import QrFlowable
from app.printing.signature_crop import fit_signature
from app.printing.slip_data import SlipData, printed_qr_text, slip_paper

ROLL_WIDTH = 80 * mm
FRAME_PAD = 6  # points above and below the text, as ReportLab's default frame leaves
FOOTER_ROLL = 2.5 * mm
INK = colors.HexColor("#1f2328")
MUTED = colors.HexColor("#57606a")


def _esc(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br/>")
    )


class _Styles:
    def __init__(self, paper: str) -> None:
        # The roll prints nothing under 8 pt (thermal print smaller than that is unreadable).
        roll = paper == "80mm"
        base = {"80mm": 8.0, "A5": 10.0}.get(paper, 10.5)
        # Room between a cell's text and its lines: less on the smaller papers.
        self.pad = (1.0, 2.0) if roll else (2.0, 3.0) if paper == "A5" else (2.5, 3.5)
        self.side_pad = 3 if roll else 6
        self.gap = 1.2 * mm if roll else 2 * mm  # between the blocks of the story
        small = 8 if roll else base - 1.5
        self.station = ParagraphStyle(
            "station",
            fontName=BOLD,
            fontSize=base + 1,
            leading=base + 5,
            alignment=TA_CENTER,
            wordWrap="CJK",
        )
        self.title = ParagraphStyle(
            "title",
            fontName=BOLD,
            fontSize=base + (4.5 if roll else 6),
            leading=base + (9 if roll else 11),
            alignment=TA_CENTER,
            wordWrap="CJK",
        )
        self.copy = ParagraphStyle(
            "copy",
            fontName=REGULAR,
            fontSize=max(small, base - 1),
            leading=base + 3,
            alignment=TA_CENTER,
            textColor=MUTED,
            wordWrap="CJK",
        )
        self.number = ParagraphStyle(
            "number",
            fontName=REGULAR,
            fontSize=base,
            leading=base + 4,
            alignment=TA_CENTER if roll else TA_RIGHT,
            wordWrap="CJK",
        )
        self.label = ParagraphStyle(
            "label", fontName=BOLD, fontSize=base, leading=base + 4, wordWrap="CJK"
        )
        self.value = ParagraphStyle(
            "value", fontName=REGULAR, fontSize=base, leading=base + 4, wordWrap="CJK"
        )
        self.body = ParagraphStyle(
            "body",
            fontName=REGULAR,
            fontSize=base,
            leading=base + (3.5 if roll else 5),
            wordWrap="CJK",
        )
        self.note = ParagraphStyle(
            "note",
            fontName=REGULAR,
            fontSize=small,
            leading=small + 4,
            wordWrap="CJK",
            textColor=MUTED,
        )
        self.address = ParagraphStyle(
            "address",
            fontName=REGULAR,
            fontSize=small,
            leading=small + (3 if roll else 4),
            alignment=TA_CENTER,
            wordWrap="CJK",
        )
        self.seal = ParagraphStyle(
            "seal",
            fontName=REGULAR,
            fontSize=base,
            leading=base + 6,
            alignment=TA_CENTER,
            wordWrap="CJK",
        )


class _Paragraphs:
    """The table cells of one print: one paragraph per distinct text and style.

    The citizen's copy and the station's copy say the same thing; each cell is parsed and
    broken into lines once and drawn in both (as ReportLab itself shares the cells of a table
    split across pages). Paragraphs of the story itself are never shared: the layout marks
    those it moves to the next page.
    """

    def __init__(self, paper: str) -> None:
        self.styles = _Styles(paper)
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
    cell: Callable[[str, ParagraphStyle], CJKParagraph] = CJKParagraph if roll else para
    head = _heading(data, roll, part, cell, st)
    qr_text = printed_qr_text(data)
    story = head if roll else [_header(head, qr_text, width)]
    where = _where(data)
    if where:
        story.append(cell(_esc(where), st.address))
    story.append(Spacer(1, st.gap))
    story.append(_rows_table(data, width, roll, para))
    notes = _notes(data, st)
    paragraphs = _paragraphs(data, st)
    # What the signatures keep with them: the list's last rows (below), or the last two
    # notes or paragraphs (beside the seal when they are short).
    body = [*notes, *paragraphs] if not data.table else []
    cut = _kept_from(body)
    block = _signature_block(data, width, roll, para, body[cut:])
    seal = _SealArea(data.station_name, 43 * mm, st) if roll and data.sealed else None
    if paragraphs:
        paragraphs.insert(0, Spacer(1, 1.5 * mm))
    if data.table:
        # The list the citizen signs for comes last, its promise and the signatures right
        # under it: the signatures never land on a page without the list's last rows.
        story.extend(paragraphs)
        story.append(Spacer(1, 2 * mm))
        items = _items_table(_narrow(data.table) if roll else data.table, width, para)
        story.append(_KeepTail(items, [*notes, *block]))
    else:
        story.extend(body[:cut])
        if block:
            story.append(KeepTogether(block))
    if roll:
        story.append(Spacer(1, 1.5 * mm))
        story.append(_roll_foot(data, width, st, seal, qr_text))
    return story


def _heading(
    data: SlipData,
    roll: bool,
    part: str,
    cell: Callable[[str, ParagraphStyle], CJKParagraph],
    st: _Styles,
) -> list[Flowable]:
    """The station's name, the title, the part (on paper) and the number, 补打 on a reprint."""
    head: list[Flowable] = [
        cell(_esc(data.station_name), st.station),
        cell(_esc(data.title), st.title),
    ]
    copy_label = part or data.copy_label
    if copy_label and not roll:
        head.append(cell(_esc(copy_label), st.copy))
    reprint = (
        f"　<font color='#b3261e'><b>补打</b>（第 {data.copy_no} 次打印）</font>"
        if data.is_reprint
        else ""
    )
    # On the roll the part's name shares the number's line (the receipt stays short).
    label = f"{_esc(copy_label)}　" if copy_label and roll else ""
    head.append(cell(f"{label}编号：{_esc(data.number)}{reprint}", st.number))
    return head


def _header(head: list[Flowable], qr_text: str, width: float) -> Table:
    """The heading on paper: centred, with the QR code on its right."""
    # The QR code on the right and an empty column as wide on the left: the title is
    # centred on the page, and a long station name never runs under the code.
    qr_size = 22 * mm
    side = qr_size + 3 * mm
    header = Table(
        [["", head, QrFlowable(qr_text, qr_size)]],
        colWidths=[side, width - 2 * side, side],
    )
    header.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("ALIGN", (2, 0), (2, 0), "RIGHT"),
            ]
        )
    )
    return header


def _rows_table(data: SlipData, width: float, roll: bool, para: _Paragraphs) -> Table:
    """The slip's numbered fields: a label column, shaded, and the values."""
    st = para.styles
    label_width = 21 * mm if roll else 30 * mm
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
                ("TOPPADDING", (0, 0), (-1, -1), st.pad[0]),
                ("BOTTOMPADDING", (0, 0), (-1, -1), st.pad[1]),
                ("LEFTPADDING", (0, 0), (-1, -1), st.side_pad),
                ("RIGHTPADDING", (0, 0), (-1, -1), st.side_pad),
            ]
        )
    )
    return table


def _notes(data: SlipData, st: _Styles) -> list[Flowable]:
    """The slip's notes in bold after a gap (none without notes)."""
    notes: list[Flowable] = []
    if data.notes:
        # The slip's promise (e.g. nothing beyond this list will be asked) stands out.
        notes.append(Spacer(1, st.gap))
        notes.extend(CJKParagraph(f"<b>{_esc(n)}</b>", st.body) for n in data.notes)
    return notes


def _paragraphs(data: SlipData, st: _Styles) -> list[Flowable]:
    """The slip's paragraphs, each its bold heading run into its text."""
    return [
        # Heading and text in one paragraph: it splits across pages without leaving gaps.
        CJKParagraph(f"<b>{_esc(heading)}：</b>{_esc(text)}", st.body)
        for heading, text in data.paragraphs
    ]


def _kept_from(body: list[Flowable]) -> int:
    """Where the last two texts of ``body`` begin (spacers skipped): they stay with the
    signatures."""
    cut = len(body)
    for _ in range(2):
        cut -= 1
        while cut > 0 and isinstance(body[cut], Spacer):
            cut -= 1
    return max(cut, 0)


def _roll_foot(
    data: SlipData, width: float, st: _Styles, seal: _SealArea | None, qr_text: str
) -> Table:
    """The end of a roll receipt: the QR code, beside the seal area when sealed."""
    code = QrFlowable(qr_text, 26 * mm)
    if seal is not None:
        # The officer's signature and the QR code beside the seal area: the receipt
        # stays short (at most 200 mm).
        beside: list[Flowable] = [code]
        if data.officer_line:
            beside.insert(0, _roll_sign_line(st))
        qr = Table([[seal, beside]], colWidths=[width - 27 * mm, 27 * mm])
    else:
        qr = Table([[code]], colWidths=[width])
    qr.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return qr


def _roll_sign_line(st: _Styles) -> Flowable:
    """签名： and a line to sign on, 27 mm wide, for the officer on a sealed roll receipt."""
    sign = Table([[CJKParagraph("签名：", st.label)], [""]], colWidths=[26 * mm])
    sign.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ("TOPPADDING", (0, 1), (0, 1), 6 * mm),
                ("LINEBELOW", (0, 1), (0, 1), 0.6, INK),
            ]
        )
    )
    return sign


def _where(data: SlipData) -> str:
    """地址：… 办公时间：… of the station, on every citizen slip."""
    if data.kind == "rectification":
        return ""  # the station's own supervision sheet, not handed to a citizen
    parts = []
    if data.station_address:
        parts.append(f"地址：{data.station_address}")
    if data.station_hours:
        parts.append(f"办公时间：{data.station_hours}")
    return "　".join(parts)


# A signature line to write on, as long as a name written by hand.
_SIGN_LINE = 30 * mm


def _signature_block(
    data: SlipData, width: float, roll: bool, para: _Paragraphs, kept: list[Flowable]
) -> list[Flowable]:
    """The signatures: the texts the builder wrote, the citizen's signature (or why there is
    none), the officer's line, a witness's line when the citizen did not sign, the seal area."""
    st = para.styles
    out: list[Flowable] = []
    signs = data.signatures or data.image_png or data.officer_line or data.citizen_not_signing
    if not (signs or data.sealed):
        return kept
    seal_size = 44 * mm
    side_by_side = data.sealed and not roll
    left = width - seal_size - 4 * mm if side_by_side else width
    # Short closing lines sit beside the seal (the slip stays on one page), long ones above.
    short = side_by_side and sum(f.wrap(left, 10_000)[1] for f in kept) <= 60 * mm
    above: list[Flowable] = [] if short else kept
    out.extend(above)
    if short:
        out.extend(kept)
    out.append(Spacer(1, st.gap + 1 * mm))
    out.extend(CJKParagraph(_esc(s), st.body) for s in data.signatures)
    rows, lined = _signing_rows(data, roll, st)
    signing = _signing_table(rows, lined, left) if rows else None
    if not data.sealed:
        if signing is not None:
            out.append(signing)
        return out
    if roll:
        # On the roll the seal area sits beside the QR code, at the end of the story.
        if signing is not None:
            out.append(signing)
        return out
    seal = _SealArea(data.station_name, seal_size, st)
    beside = out[len(above) :]
    del out[len(above) :]
    if signing is not None:
        beside.append(signing)
    out.append(_beside_seal(beside, seal, left, seal_size))
    return out


def _signing_rows(data: SlipData, roll: bool, st: _Styles) -> tuple[list[list[Any]], list[int]]:
    """Who signs, a row each (the citizen, the officer, a witness), and the rows whose second
    cell is a line to sign on."""
    rows: list[list[Any]] = []
    lined: list[int] = []  # rows whose second cell is a line to sign on
    if data.citizen_not_signing:
        rows.append(
            [
                CJKParagraph("申请人签名：", st.label),
                CJKParagraph(f"（{_esc(data.citizen_not_signing)}）", st.value),
            ]
        )
    elif data.image_png:
        fitted = fit_signature(data.image_png, SIGNATURE_BOX[0], SIGNATURE_BOX[1])
        image = Image(io.BytesIO(fitted.png), width=fitted.width, height=fitted.height)
        image.hAlign = "LEFT"
        rows.append([CJKParagraph("申请人签名：", st.label), image])
        lined.append(len(rows) - 1)
    officer = data.officer_line or ("经办民警" if data.citizen_not_signing else "")
    if officer:
        rows.append([CJKParagraph(_esc(officer), st.value), ""])
        if not (roll and data.sealed):  # on a sealed roll the officer signs beside the seal
            rows.append([CJKParagraph("签名：", st.label), ""])
            lined.append(len(rows) - 1)
    if data.citizen_not_signing:
        rows.append([CJKParagraph("见证人签名：", st.label), ""])
        lined.append(len(rows) - 1)
    return rows, lined


def _signing_table(rows: list[list[Any]], lined: list[int], left: float) -> Table:
    """The signing rows as a table ``left`` wide, a line under each place to sign."""
    label_w = min(24 * mm, left * 0.4)
    style: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ("TOPPADDING", (0, 0), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    for r, row in enumerate(rows):
        if row[1] == "" and r not in lined:
            style.append(("SPAN", (0, r), (1, r)))
    for r in lined:
        style.append(("LINEBELOW", (1, r), (1, r), 0.6, INK))
        style.append(("TOPPADDING", (0, r), (-1, r), 5 * mm if r != 0 else 1))
    table = Table(rows, colWidths=[label_w, left - label_w])
    table.setStyle(TableStyle(style))
    table.hAlign = "LEFT"
    return table


def _beside_seal(beside: list[Flowable], seal: _SealArea, left: float, seal_size: float) -> Table:
    """The closing lines and signatures on the left, the seal area on the right, bottoms level."""
    both = Table([[beside, seal]], colWidths=[left + 4 * mm, seal_size])
    both.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return both


# The citizen's signature is fitted (cropped to the ink) into this box: legible, not the pad.
SIGNATURE_BOX = (40 * mm, 15 * mm)


class _SealArea(Flowable):
    """盖章处: a square with room for a 42 mm round seal over the station's name and the date
    line (年 月 日) the seal is stamped across."""

    def __init__(self, station: str, size: float, styles: _Styles) -> None:
        super().__init__()
        self.size = size
        self.width = self.height = size
        self._name = CJKParagraph(f"<b>{_esc(station)}</b>", styles.seal)
        self._date = CJKParagraph("年　　月　　日", styles.seal)
        self._label = CJKParagraph("盖章处", styles.note)
        self._style = styles

    def wrap(self, _available_width: float, _available_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        canvas = self.canv
        size = self.size
        canvas.saveState()
        canvas.setStrokeColor(colors.HexColor("#b0b7c0"))
        canvas.setLineWidth(0.5)
        canvas.setDash(2, 2)
        canvas.rect(0, 0, size, size, stroke=1, fill=0)
        canvas.restoreState()
        inner = size - 4 * mm
        _w, h = self._label.wrap(inner, size)
        self._label.drawOn(canvas, 1.5 * mm, size - h - 1 * mm)
        _w, date_h = self._date.wrap(inner, size)
        # The date line sits in the lower third, the name above it: the seal covers both.
        date_y = size * 0.22
        self._date.drawOn(canvas, 2 * mm, date_y)
        self._name.wrap(inner, size)
        self._name.drawOn(canvas, 2 * mm, date_y + date_h + 1.5 * mm)


class _KeepTail(Flowable):
    """A table followed by what must stay with its last rows (the promise, the signatures).

    Where the whole does not fit, the table is split so that at least ``TAIL_ROWS`` of its rows
    (with the header row repeated) go to the next page with what follows; the signatures never
    stand on a page without the list they confirm.
    """

    TAIL_ROWS = 2

    def __init__(self, table: Table, after: list[Flowable], rows: list[Any] | None = None) -> None:
        super().__init__()
        self.table = table
        self.after = after
        self._rows = rows if rows is not None else list(table._cellvalues)

    def _parts(self) -> list[Flowable]:
        return [self.table, *self.after]

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        self.height = sum(f.wrap(available_width, available_height)[1] for f in self._parts())
        self.height += sum(f.getSpaceBefore() + f.getSpaceAfter() for f in self.after)
        return self.width, self.height

    def draw(self) -> None:
        y = self.height
        for f in self._parts():
            _w, h = f.wrap(self.width, self.height)
            y -= f.getSpaceBefore() + h
            f.drawOn(self.canv, 0, y)
            y -= f.getSpaceAfter()

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        table = self.table
        table.wrap(available_width, available_height)
        heights = list(table._rowHeights)
        header, body = self._rows[:1], self._rows[1:]
        tail = sum(f.wrap(available_width, available_height)[1] for f in self.after)
        tail += sum(f.getSpaceBefore() + f.getSpaceAfter() for f in self.after)
        keep = min(self.TAIL_ROWS, len(body))
        fits = 0
        used = heights[0]
        for k, h in enumerate(heights[1:], start=1):
            if used + h > available_height:
                break
            used += h
            fits = k
        first_rows = min(fits, len(body) - keep)
        if first_rows < 1:
            return []  # nothing of the table fits here with its tail: all of it on the next page
        make = self._make
        return [
            make(header + body[:first_rows]),
            _KeepTail(make(header + body[first_rows:]), self.after),
        ]

    def _make(self, rows: list[Any]) -> Table:
        return _styled_items(rows, list(self.table._argW))


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
    return _styled_items(cells, widths)


def _styled_items(cells: list[Any], widths: list[float]) -> Table:
    """A table of materials (or a part of one split across pages), the header row first."""
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
            width, height = self._pagesize
            margin = 4 * mm if roll else 12 * mm
            self.setFont(REGULAR, 8)
            self.setFillColor(MUTED)
            stamp = data.printed_at.strftime("%Y-%m-%d %H:%M")
            pages = f"第 {number} 页 共 {total} 页" + (" · 补打" if data.is_reprint else "")
            if roll:
                # One line (the number is in the heading): the receipt stays short.
                self.drawCentredString(width / 2, margin * 0.6, f"打印于 {stamp} · {pages}")
            else:
                self.drawCentredString(
                    width / 2, margin * 0.6, f"{data.number} · 打印于 {stamp} · {pages}"
                )
            if number > 1:
                # A later page says what it belongs to: the two parts' pages differ, and a
                # page that comes loose still names its slip.
                self._continued(width, height, margin, number, total)

        def _continued(
            self, width: float, height: float, margin: float, number: int, total: int
        ) -> None:
            index = getattr(self, "stationdesk_part", 0)
            parts = data.parts or (data.copy_label,)
            part = (parts[index] if index < len(parts) else "").strip("（）() ")
            label = f"{data.title}（{part}·续页）" if part else f"{data.title}（续页）"
            text = f"{label}　编号：{data.number}　第 {number} 页 共 {total} 页"
            self.setFont(BOLD, 9)
            self.setFillColor(INK)
            baseline = height - margin + 3.2 * mm
            self.drawCentredString(width / 2, baseline, text)
            self.setStrokeColor(MUTED)
            self.setLineWidth(0.4)
            self.line(margin, baseline - 1.6 * mm, width - margin, baseline - 1.6 * mm)

    return NumberedCanvas


def render(data: SlipData) -> bytes:
    """The slip as PDF bytes with the bundled font embedded (subset)."""
    register_fonts()
    # The roll is for receipts and guidance slips; a notice, pledge or refusal is filed and
    # prints on A4 whatever the station's roll setting (slip_paper).
    paper = slip_paper(data.kind, data.paper_size)
    roll = paper == "80mm"
    parts = data.parts or ("",)
    para = _Paragraphs(paper)
    if not roll:
        pagesize = A4 if paper == "A4" else A5
        return _build(data, pagesize, 12 * mm, parts, para)
    # A roll has no fixed length: each part is one "page" cut from the roll, as long as its
    # text. Lay the parts out on a very long page, see where the longest one ends, cut there.
    margin = 4 * mm
    tall = 2000 * mm
    ends: list[float] = []
    _build(data, (ROLL_WIDTH, tall), margin, parts, para, ends)
    bottom = margin + FOOTER_ROLL + FRAME_PAD  # the bottom margin and the frame's padding
    height = tall - min(ends) + bottom + 1 * mm
    for _ in range(8):
        pdf = _build(data, (ROLL_WIDTH, height), margin, parts, para)
        if _page_count(pdf) <= len(parts):
            return pdf
        height += 3 * mm
    return pdf


class _EndMark(Flowable):
    """Draws nothing; notes how far above the page's bottom a part's story ended."""

    def __init__(self, ends: list[float]) -> None:
        super().__init__()
        self.ends = ends

    def wrap(self, _available_width: float, _available_height: float) -> tuple[float, float]:
        return 0, 0

    def drawOn(self, canvas: Canvas, x: float, y: float, _sW: float = 0) -> None:  # noqa: N803
        self.ends.append(y)


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
    ends: list[float] | None = None,
) -> bytes:
    roll = pagesize[0] == ROLL_WIDTH
    width = pagesize[0] - 2 * margin
    story: list[Flowable] = []
    for index, part in enumerate(parts):
        if index:
            story.append(PageBreak())
        story.append(_PartMark(index))
        story.extend(_flowables(data, width, roll, part, para))
        if ends is not None:
            story.append(_EndMark(ends))
    out = io.BytesIO()
    footer = FOOTER_ROLL if roll else 4 * mm  # room for the footer line under the text
    doc = BaseDocTemplate(
        out,
        pagesize=pagesize,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin + footer,
        title=f"{data.title} {data.number}",
        author=data.station_name,
        creator="StationDesk",
        invariant=1,
        initialFontName=REGULAR,
    )
    # The text is exactly as wide as the page between its margins (no padding beside it), so
    # tables end at the margins and the title is centred on the page.
    frame = Frame(
        margin,
        margin + footer,
        width,
        pagesize[1] - 2 * margin - footer,
        leftPadding=0,
        rightPadding=0,
        topPadding=FRAME_PAD,
        bottomPadding=FRAME_PAD,
        id="slip",
    )
    doc.addPageTemplates([PageTemplate(id="slip", frames=[frame])])
    doc.build(story, canvasmaker=_numbered_canvas(data, roll))
    return out.getvalue()
