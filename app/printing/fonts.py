"""The bundled Noto Sans SC registered with ReportLab once; coverage checks for rare names."""

from __future__ import annotations

import threading
from functools import cache

from resources import FONT_BOLD, FONT_REGULAR

REGULAR = "NotoSansSC"
BOLD = "NotoSansSC-Bold"

# Two print jobs on worker threads must not register (and parse) the font twice.
_LOCK = threading.Lock()


def register_fonts() -> str:
    """Register both weights (about 0.1 s, once per process); returns the family name.

    ReportLab is imported here, on the first print, never at start-up.
    """
    with _LOCK:
        return _register_fonts()


@cache
def _register_fonts() -> str:
    from reportlab import rl_config
    from reportlab.graphics.shapes import STATE_DEFAULTS
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(REGULAR, str(FONT_REGULAR)))
    pdfmetrics.registerFont(TTFont(BOLD, str(FONT_BOLD)))
    addMapping(REGULAR, 0, 0, REGULAR)
    addMapping(REGULAR, 1, 0, BOLD)
    addMapping(REGULAR, 0, 1, REGULAR)
    addMapping(REGULAR, 1, 1, BOLD)
    # Drawings (the QR code) start from this default font; leaving it at Helvetica would put
    # an unembedded font reference into every slip.
    STATE_DEFAULTS["fontName"] = REGULAR
    # Compressed streams stay binary: ASCII85 on top makes every PDF bigger and slower to write
    # (it dates from 7-bit mail), and every reader and printer takes binary PDF.
    rl_config.useA85 = 0
    return REGULAR


def glyph_warning(texts: list[str]) -> str:
    """A Chinese sentence naming characters the font lacks (they print as empty boxes)."""
    missing = missing_glyphs("".join(texts))
    if not missing:
        return ""
    return f"字库中没有“{'、'.join(missing)}”，打印出来会是空框，请在纸面上手写补正。"


def missing_glyphs(text: str) -> list[str]:
    """Characters of ``text`` the font cannot draw (they would print as empty boxes)."""
    register_fonts()
    from reportlab.pdfbase import pdfmetrics

    covered = pdfmetrics.getFont(REGULAR).face.charToGlyph
    return sorted({ch for ch in text if not ch.isspace() and ord(ch) not in covered})
