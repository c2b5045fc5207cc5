"""Rare characters drawn by the fallback font that holds them, in paragraphs and on the canvas.

ReportLab does no font fallback: a character missing from Noto Sans SC prints as an empty box.
Both ways text reaches the page go through ``app.printing.fonts.font_runs``:

- paragraphs (``CJKParagraph``): each parsed fragment is cut into fragments of one font
  (``split_frags``), before lines are broken, so widths and line breaks use the right font;
- strings drawn on the canvas (table cells of plain text, page headers and footers, the key
  sheet): ``FallbackCanvas`` draws them run by run.

Text that Noto draws whole takes ReportLab's own path unchanged: the same PDF, byte for byte.
"""

from __future__ import annotations

from typing import Any

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from app.printing.fonts import font_runs


def split_frags(frags: list[Any]) -> list[Any]:
    """Paragraph fragments, each holding characters of one font only.

    The list itself comes back when no fragment needs cutting.
    """
    out: list[Any] | None = None
    for index, frag in enumerate(frags):
        text = getattr(frag, "text", None)
        runs = (
            font_runs(text, frag.fontName)
            if isinstance(text, str) and text and not hasattr(frag, "cbDefn")
            else None
        )
        if runs is None or (len(runs) == 1 and runs[0] == (text, frag.fontName)):
            if out is not None:
                out.append(frag)
            continue
        if out is None:
            out = list(frags[:index])
        for run, name in runs:
            piece = frag.clone()
            piece.text = run
            piece.fontName = name
            out.append(piece)
    return frags if out is None else out


class FallbackCanvas(Canvas):
    """A canvas whose ``drawString`` family draws each run in the font that holds it."""

    def drawString(
        self,
        x: float,
        y: float,
        text: str,
        mode: int | None = None,
        charSpace: float = 0,  # noqa: N803
        direction: str | None = None,
        wordSpace: float | None = None,  # noqa: N803
        shaping: bool = False,
    ) -> None:
        runs = self._runs(text, direction, shaping)
        if runs is None:
            super().drawString(x, y, text, mode, charSpace, direction, wordSpace, shaping)
        else:
            self._draw_runs(x, y, runs, 0.0, mode, charSpace, wordSpace)

    def drawRightString(
        self,
        x: float,
        y: float,
        text: str,
        mode: int | None = None,
        charSpace: float = 0,  # noqa: N803
        direction: str | None = None,
        wordSpace: float | None = None,  # noqa: N803
        shaping: bool = False,
    ) -> None:
        runs = self._runs(text, direction, shaping)
        if runs is None:
            super().drawRightString(x, y, text, mode, charSpace, direction, wordSpace, shaping)
        else:
            self._draw_runs(x, y, runs, 1.0, mode, charSpace, wordSpace)

    def drawCentredString(
        self,
        x: float,
        y: float,
        text: str,
        mode: int | None = None,
        charSpace: float = 0,  # noqa: N803
        direction: str | None = None,
        wordSpace: float | None = None,  # noqa: N803
        shaping: bool = False,
    ) -> None:
        runs = self._runs(text, direction, shaping)
        if runs is None:
            super().drawCentredString(x, y, text, mode, charSpace, direction, wordSpace, shaping)
        else:
            self._draw_runs(x, y, runs, 0.5, mode, charSpace, wordSpace)

    def stringWidth(
        self,
        text: str,
        fontName: str | None = None,  # noqa: N803
        fontSize: float | None = None,  # noqa: N803
    ) -> float:
        name = fontName or self._fontname
        size = self._fontsize if fontSize is None else fontSize
        return sum(stringWidth(run, font, size) for run, font in font_runs(text, name))

    def _runs(
        self, text: Any, direction: str | None, shaping: bool
    ) -> list[tuple[str, str]] | None:
        """The runs of ``text`` when it needs more than the current font, else None."""
        if not isinstance(text, str) or direction is not None or shaping:
            return None
        runs = font_runs(text, self._fontname)
        if len(runs) == 1 and runs[0] == (text, self._fontname):
            return None
        return runs

    def _draw_runs(
        self,
        x: float,
        y: float,
        runs: list[tuple[str, str]],
        align: float,
        mode: int | None,
        char_space: float,
        word_space: float | None,
    ) -> None:
        font, size, leading = self._fontname, self._fontsize, self._leading
        text = "".join(run for run, _ in runs)
        width = sum(stringWidth(run, name, size) for run, name in runs)
        if char_space:
            width += (len(text) - 1) * char_space
        if word_space:
            width += (text.count(" ") + text.count("\xa0") - 1) * word_space
        t = self.beginText(x - align * width, y)
        if mode is not None:
            t.setTextRenderMode(mode)
        if char_space:
            t.setCharSpace(char_space)
        if word_space:
            t.setWordSpace(word_space)
        for run, name in runs:
            t.setFont(name, size, leading)
            t.textOut(run)
        t.setFont(font, size, leading)
        if char_space:
            t.setCharSpace(0)
        if word_space:
            t.setWordSpace(0)
        if mode is not None:
            t.setTextRenderMode(0)
        self.drawText(t)
