"""CJKParagraph breaks Chinese lines by the standard rule (禁则), which ReportLab alone does not."""

from __future__ import annotations

import io
import itertools
from typing import Any

import pytest
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from app.printing.cjk_paragraph import CANNOT_END, CANNOT_START, CJKParagraph
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


def line_texts(paragraph: Any) -> list[str]:
    """The text of each broken line."""
    broken = paragraph.blPara
    if broken.kind == 0:
        return ["".join(words) for _space, words in broken.lines]
    return ["".join(w.text for w in line.words) for line in broken.lines]


@pytest.mark.parametrize("markup", MARKUP)
def test_lines_keep_the_rule_and_every_character(markup: str, style: ParagraphStyle) -> None:
    # Issue 14 (12): no closing punctuation at a line start, no opening bracket at a line end,
    # no code (number, masked ID) broken unless it is longer than the line; nothing hangs out.
    bold = ParagraphStyle("b", parent=style, fontName=BOLD)
    for st in (style, bold):
        for width in WIDTHS:
            theirs = Paragraph(markup, st)
            ours = CJKParagraph(markup, st)
            theirs.wrap(width, 1000)
            ours.wrap(width, 1000)
            lines = line_texts(ours)

            assert "".join(lines) == "".join(line_texts(theirs))
            for before, after in itertools.pairwise(lines):
                # One character alone on a line cannot move, nor can a run of punctuation
                # longer than a narrow line (。。。，，，) keep the rule.
                if len(before) > 1 and not set(after[:2]) <= CANNOT_START:
                    assert after[:1] not in CANNOT_START, (width, lines)
                    assert before[-1:] not in CANNOT_END, (width, lines)
            for line in ours.blPara.lines:
                text = "".join(w.text for w in line.words)
                # Only a space or closing punctuation may pass the end (on lines too narrow
                # for anything to move), or a word longer than the line.
                hangs = text[-1:] in CANNOT_START or text[-1:].isspace()
                if len(text) > 1 and not hangs and not line.lineBreak:
                    assert line.currentWidth <= width + 1e-6, (width, lines)


def test_reportlab_alone_starts_lines_with_a_comma(style: ParagraphStyle) -> None:
    """What the rule fixes: ReportLab's table lacks the full-width comma, colon, semicolon."""
    markup = "进度查询电话：0571-86001110；本所监督电话：0571-86001234，公安监督举报电话：12389。"
    starts = set()
    for width in range(60, 300, 3):
        theirs = Paragraph(markup, style)
        theirs.wrap(width, 1000)
        starts |= {line[:1] for line in line_texts(theirs)[1:]}
        ours = CJKParagraph(markup, style)
        ours.wrap(width, 1000)
        assert not {line[:1] for line in line_texts(ours)[1:]} & CANNOT_START

    assert starts & {"，", "；", "："}


def test_a_masked_id_and_a_phone_stay_on_one_line(style: ParagraphStyle) -> None:
    markup = "申请人王小明，证件居民身份证 110105********002X，电话 138****0011，已受理。"
    for width in range(110, 400, 4):
        paragraph = CJKParagraph(markup, style)
        paragraph.wrap(width, 1000)
        text = "\n".join(line_texts(paragraph))

        assert "110105********002X" in text and "138****0011" in text, (width, text)


def test_a_second_wrap_at_the_same_width_reuses_the_lines(style: ParagraphStyle) -> None:
    paragraph = CJKParagraph(MARKUP[1], style)
    first = paragraph.wrap(100, 1000)
    broken = paragraph.blPara

    assert paragraph.wrap(100, 50) == first
    assert paragraph.blPara is broken
    assert paragraph.wrap(200, 1000) != first  # another width: broken again
    assert paragraph.wrap(100, 1000) == first


def test_a_split_paragraph_keeps_its_lines_on_both_pages(style: ParagraphStyle) -> None:
    markup = MARKUP[1] * 6
    whole = CJKParagraph(markup, style)
    whole.wrap(120, 1000)
    paragraph = CJKParagraph(markup, style)
    paragraph.wrap(120, 1000)
    parts = paragraph.split(120, 60)

    assert len(parts) == 2
    for part in parts:
        part.wrap(120, 1000)
    # (ReportLab's split leaves a space after the last word of a line: nothing to see.)
    split_lines = [line.rstrip() for line in line_texts(parts[0]) + line_texts(parts[1])]
    assert split_lines == line_texts(whole)

    def drawn(parts: list[Any]) -> bytes:
        out = io.BytesIO()
        canvas = Canvas(out, invariant=1)
        y = 800.0
        for part in parts:
            _, height = part.wrap(120, 1000)
            part.drawOn(canvas, 40, y - height)
            y -= height + 10
        canvas.save()
        return out.getvalue()

    assert drawn(parts) == drawn(CJKParagraph(markup, style).split(120, 60))
