"""A ReportLab Paragraph that breaks Chinese lines as ReportLab does, at a fraction of the cost.

ReportLab's CJK wrapping (``wordWrap="CJK"``) of a paragraph with more than one style (a bold
heading before the text, a coloured 补打) turns every character into a string object carrying
its fragment and width, measures each character again on every wrap, and compares style
attributes character by character. ``CJKParagraph`` runs the same algorithm — the same lines,
the same fragments, so the same PDF — over plain lists, with the width of each character of a
font measured once per process (the font file does not change under a running process), and
compares styles only where the fragment changes. A table cell is wrapped twice at the same
width (row height, then drawing): the second wrap reuses the first (drawing leaves the lines
as they are; splitting does not, so a split paragraph is broken again).

Anything unusual (images or bullets inside the paragraph, automatic leading, end dots, a
paragraph already split across pages) takes ReportLab's own path.

A character the paragraph's font lacks (a rare name: 𠮷, 𪜊 …) gets a fragment of its own in
the fallback font that holds it (``split_frags``) as soon as the markup is parsed, so that
widths, line breaks and drawing all use that font.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from unicodedata import category

from reportlab.lib.rl_accel import sameFrag
from reportlab.lib.textsplit import ALL_CANNOT_END, ALL_CANNOT_START
from reportlab.pdfbase.pdfmetrics import getAscentDescent, stringWidth
from reportlab.platypus.paragraph import FragLine, Paragraph, ParaLines
from reportlab.rl_config import _FUZZ

from app.printing.font_runs import split_frags

# (font name, size) -> character -> width in points, exactly as stringWidth measures it.
_WIDTHS: dict[tuple[str, float], dict[str, float]] = {}


def char_widths(font_name: str, font_size: float) -> dict[str, float]:
    """The per-character width table of one font and size (filled as characters are met)."""
    key = (font_name, font_size)
    table = _WIDTHS.get(key)
    if table is None:
        table = _WIDTHS[key] = {}
    return table


class CJKParagraph(Paragraph):
    """``Paragraph`` with ``wordWrap="CJK"``: identical output, cheaper line breaking."""

    _wrapped_at: float | None = None
    frags: list[Any]

    def _setup(self, text: Any, style: Any, bulletText: Any, frags: Any, cleaner: Any) -> None:  # noqa: N803
        super()._setup(text, style, bulletText, frags, cleaner)
        if frags is None:  # parsed from markup (a split-off part has its runs already)
            self.frags = split_frags(self.frags)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        # The lines depend on the width only; a table wraps each cell twice at the same one.
        if self._wrapped_at == availWidth and "blPara" in self.__dict__:
            return self.width, self.height
        result: tuple[float, float] = super().wrap(availWidth, availHeight)
        self._wrapped_at = availWidth if self.style.wordWrap == "CJK" else None
        return result

    def split(self, availWidth: float, availHeight: float) -> list[Any]:  # noqa: N803
        # Splitting rewrites the broken lines in place: the next wrap breaks them again.
        self._wrapped_at = None
        parts: list[Any] = super().split(availWidth, availHeight)
        return parts

    def breakLinesCJK(self, maxWidths: Any) -> Any:  # noqa: N803  (ReportLab's names)
        widths = maxWidths if isinstance(maxWidths, (list, tuple)) else [maxWidths]
        frags = self.frags
        style = self.style
        if getattr(self, "_splitpara", 0) and "blPara" in self.__dict__:
            return self.blPara  # a part split off across pages keeps the lines it had
        if (
            not frags
            or self.bulletText
            or style.endDots
            or getattr(self, "_splitpara", 0)
            or getattr(self, "autoLeading", getattr(style, "autoLeading", "")) not in ("", "off")
            or any(hasattr(f, "cbDefn") or isinstance(f.text, bytes) for f in frags)
        ):
            return super().breakLinesCJK(widths)
        self.height = 0
        return _frag_split(frags, widths)


# The standard rule (禁则) of Chinese typesetting: no closing punctuation at the start of a line
# and no opening bracket at its end. ReportLab's own table lacks the full-width ，；：！？》.
CANNOT_START = frozenset(ALL_CANNOT_START) | frozenset(
    "，。；：、！？）」』】》〉〕］｝”’…—・·％‰℃，．,.;:!?)]}"
)
CANNOT_END = frozenset(ALL_CANNOT_END) | frozenset("（「『【《〈〔［｛“‘([{")


def _unbreakable(ch: str) -> bool:
    """Part of a number or code that must stay on one line (a masked ID, 编号, 电话)."""
    return ch.isascii() and (ch.isalnum() or ch in "*-_/.:")


def _breaks_rule(chars: list[str], b: int, words: bool) -> bool:
    """Whether a line break before ``chars[b]`` breaks the rule (or a code, with ``words``)."""
    before, after = chars[b - 1], chars[b]
    return (
        after in CANNOT_START
        or before in CANNOT_END
        or (words and _unbreakable(before) and _unbreakable(after))
    )


def _break_at(chars: list[str], start: int, stop: int) -> int:
    """Where the line from ``start`` ends when ``chars[stop - 1]`` overflows it.

    The overflowing character starts the next line unless that breaks the rule; then the break
    moves back (characters are pushed to the next line, nothing hangs into the margin). A
    space that overflows stays at the end of the line. A code longer than the line is broken
    where it overflows. Where nothing can move (a line of a character or two), closing
    punctuation hangs past the end rather than start the next line.
    """
    last = stop - 1
    if last <= start or not chars[last] or category(chars[last]) == "Zs":
        return stop
    for words in (True, False):
        b = last
        while b > start + 1 and _breaks_rule(chars, b, words):
            b -= 1
        if not _breaks_rule(chars, b, words):
            return b
    # Lines too narrow to move anything (a character or two): closing punctuation hangs.
    return stop if chars[last] in CANNOT_START else last


def _frag_split(frags: list[Any], max_widths: Sequence[float]) -> Any:
    """ReportLab's ``cjkFragSplit`` (calcBounds off, no images) over parallel lists, with 禁则."""
    chars: list[str] = []
    owners: list[Any] = []
    widths: list[float] = []
    for f in frags:
        text = f.text
        table = char_widths(f.fontName, f.fontSize)
        if text:
            for ch in text:
                w = table.get(ch)
                if w is None:
                    w = table[ch] = stringWidth(ch, f.fontName, f.fontSize)
                chars.append(ch)
                owners.append(f)
                widths.append(w)
        else:
            chars.append(text)
            owners.append(f)
            widths.append(0)
    lines = []
    i = line_start = 0
    width_used = 0.0
    max_width = max_widths[0]
    count = len(chars)
    while i < count:
        f = owners[i]
        width_used += widths[i]
        i += 1
        line_break = hasattr(f, "lineBreak")
        if (width_used > max_width + _FUZZ and width_used > 0) or line_break:
            if not line_break:
                i = _break_at(chars, line_start, i)
                width_used = sum(widths[line_start:i])
            lines.append(
                _line(
                    chars,
                    owners,
                    line_start,
                    i,
                    max_width,
                    width_used,
                    max_width - width_used,
                    line_break,
                )
            )
            try:
                max_width = max_widths[len(lines)]
            except IndexError:
                max_width = max_widths[-1]
            line_start = i
            width_used = 0.0
    if width_used > 0:
        lines.append(
            _line(
                chars,
                owners,
                line_start,
                count,
                max_width,
                width_used,
                max_width - width_used,
                False,
            )
        )
    return ParaLines(kind=1, lines=lines)


def _line(
    chars: list[str],
    owners: list[Any],
    start: int,
    stop: int,
    max_width: float,
    width_used: float,
    extra_space: float,
    line_break: bool,
) -> Any:
    """ReportLab's ``makeCJKParaLine``: runs of characters with the same style become words."""
    words = []
    run: list[str] = []
    f0 = FragLine()
    max_size = max_ascent = min_descent = 0
    previous = None
    for k in range(start, stop):
        f = owners[k]
        if f is not previous:
            font_size = f.fontSize
            ascent, descent = getAscentDescent(f.fontName, font_size)
            max_size = max(max_size, font_size)
            max_ascent = max(max_ascent, ascent)
            min_descent = min(min_descent, descent)
        # The same fragment as the previous character is the same style, unless it is a line
        # break, which sameFrag never joins.
        if (f is not previous or hasattr(f, "lineBreak")) and not sameFrag(f0, f):
            f0 = f0.clone()
            f0.text = "".join(run)
            words.append(f0)
            run = []
            f0 = f
        previous = f
        run.append(chars[k])
    if run:
        f0 = f0.clone()
        f0.text = "".join(run)
        words.append(f0)
    return FragLine(
        kind=1,
        extraSpace=extra_space,
        wordCount=1,
        words=words[1:],
        fontSize=max_size,
        ascent=max_ascent,
        descent=min_descent,
        maxWidth=max_width,
        currentWidth=width_used,
        lineBreak=line_break,
    )
