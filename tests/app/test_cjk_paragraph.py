"""CJKParagraph breaks lines exactly as ReportLab's Paragraph with wordWrap="CJK" does."""

from __future__ import annotations

import io
from typing import Any

import pytest
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from app.printing.cjk_paragraph import CJKParagraph
from app.printing.fonts import BOLD, REGULAR, register_fonts

MARKUP = [
    "居民身份证换领（到期、信息变更或损坏）",
    "<b>办理时限：</b>20个工作日（自材料补齐之日起继续计算），逾期未补交的，本告知单自动失效。",
    "<b>除本告知单所列材料外，本所不再要求您提供其他材料；材料补齐后即予办理。</b>",
    "编号：QNL-GZ-2026-00049　<font color='#b3261e'><b>补打</b>（第 11 次打印）</font>",
    "<b>收费标准：</b>到期换领或登记项目变更换领工本费20元；损坏换领40元。。。，，，、、、"
    "「引号」《书名》……——",
    "<b>说明：</b>Supplementary materials must be submitted within thirty working days "
    "in person at the household registration window, 或者委托他人代办。",
    "<b>地址：</b>第一行<br/>第二行很长很长很长很长很长很长很长很长很长很长很长很长很长很长<br/><br/>尾",
    "<b>ABC</b>DEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOP",
    "<i>斜体</i>与<b>粗体</b>与<font size='14'>大字</font>与<font color='red'>红字</font>。" * 3,
    "一",
    "<b></b>",
]
WIDTHS = [30.0, 57.5, 100.0, 171.3, 250.0, 400.0]


@pytest.fixture(scope="module")
def style() -> ParagraphStyle:
    register_fonts()
    return ParagraphStyle("t", fontName=REGULAR, fontSize=10.5, leading=15.5, wordWrap="CJK")


def lines_of(paragraph: Any) -> list[Any]:
    """Everything drawing reads from the broken lines, as plain values."""
    broken = paragraph.blPara
    out: list[Any] = [broken.kind]
    for line in broken.lines:
        if broken.kind == 0:
            out.append(line)
            continue
        words = [
            (w.text, w.fontName, w.fontSize, str(w.textColor), getattr(w, "rise", 0))
            for w in line.words
        ]
        out.append(
            (
                line.extraSpace,
                line.wordCount,
                line.fontSize,
                line.ascent,
                line.descent,
                line.maxWidth,
                line.currentWidth,
                line.lineBreak,
                words,
            )
        )
    return out


@pytest.mark.parametrize("markup", MARKUP)
def test_the_lines_are_reportlab_s_lines(markup: str, style: ParagraphStyle) -> None:
    bold = ParagraphStyle("b", parent=style, fontName=BOLD)
    for st in (style, bold):
        for width in WIDTHS:
            theirs = Paragraph(markup, st)
            ours = CJKParagraph(markup, st)

            assert ours.wrap(width, 1000) == theirs.wrap(width, 1000)
            assert lines_of(ours) == lines_of(theirs)


def test_a_second_wrap_at_the_same_width_reuses_the_lines(style: ParagraphStyle) -> None:
    paragraph = CJKParagraph(MARKUP[1], style)
    first = paragraph.wrap(100, 1000)
    broken = paragraph.blPara

    assert paragraph.wrap(100, 50) == first
    assert paragraph.blPara is broken
    assert paragraph.wrap(200, 1000) != first  # another width: broken again
    assert paragraph.wrap(100, 1000) == first


def test_split_and_drawn_paragraphs_match_reportlab(style: ParagraphStyle) -> None:
    markup = MARKUP[1] * 6

    def drawn(cls: type[Paragraph]) -> bytes:
        out = io.BytesIO()
        canvas = Canvas(out, invariant=1)
        paragraph = cls(markup, style)
        paragraph.wrap(120, 1000)
        parts = paragraph.split(120, 60)
        y = 800.0
        for part in [*parts, paragraph]:
            _, height = part.wrap(120, 1000)
            part.drawOn(canvas, 40, y - height)
            y -= height + 10
        canvas.save()
        return out.getvalue()

    assert drawn(CJKParagraph) == drawn(Paragraph)
