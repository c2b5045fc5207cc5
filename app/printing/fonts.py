"""The bundled fonts registered with ReportLab; text split into runs by the font that draws it.

Noto Sans SC is registered on the first print. The Hanazono fallbacks (HanaMinB for Extensions
B–F, a compatibility-ideograph cut of HanaMinA; see app.printing.glyph_coverage) are parsed and
registered only when a text to print holds a character Noto lacks: ``font_runs`` is the one
place that decides which font draws which characters, for paragraphs (app.printing.font_runs
splits their fragments) and for strings drawn on the canvas (``FallbackCanvas``).

ReportLab parses the whole TrueType file (tables, the cmap of 30,000 characters, every glyph
width and position) each time a process registers it: about a tenth of a second per weight,
paid by every ``stationdesk print``. The parsed face is kept in the user cache folder instead
(``marshal``: plain data, nothing executed on load), keyed by the font file's path, size and
modification time and the ReportLab and Python versions; a missing, stale or unreadable cache
is parsed again and rewritten atomically.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import marshal
import mmap
import os
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache, wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.printing.glyph_coverage import (
    ShippedFont,
    codes_sentence,
    fallback_for,
    needs_glyph,
    uncovered,
)
from resources import FONT_BOLD, FONT_REGULAR

if TYPE_CHECKING:
    from reportlab.pdfbase.ttfonts import TTFont, TTFontFace

logger = logging.getLogger(__name__)

REGULAR = "NotoSansSC"
BOLD = "NotoSansSC-Bold"

# Bumped whenever what is stored changes.
CACHE_FORMAT = 1
# Set to a folder (tests) or to "" (no cache at all).
CACHE_ENV = "STATIONDESK_FONT_CACHE"
# The face's own state that is not parsed data: the file's bytes are read again (they are
# needed for subsetting), the scale function is rebuilt from unitsPerEm.
_NOT_CACHED = ("_ttf_data", "_pdfScale", "_pos", "filename")

# Two print jobs on worker threads must not register (and parse) the font twice.
_LOCK = threading.Lock()


def register_fonts() -> str:
    """Register both weights (once per process); returns the family name.

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

    folder = font_cache_folder()
    pdfmetrics.registerFont(load_font(REGULAR, FONT_REGULAR, folder))
    pdfmetrics.registerFont(load_font(BOLD, FONT_BOLD, folder))
    addMapping(REGULAR, 0, 0, REGULAR)
    addMapping(REGULAR, 1, 0, BOLD)
    addMapping(REGULAR, 0, 1, REGULAR)
    addMapping(REGULAR, 1, 1, BOLD)
    # Drawings (the QR code) start from this default font; leaving it at Helvetica would put
    # an unembedded font reference into every slip.
    STATE_DEFAULTS["fontName"] = REGULAR
    _fix_to_unicode_beyond_the_bmp()
    # Compressed streams stay binary: ASCII85 on top makes every PDF bigger and slower to write
    # (it dates from 7-bit mail), and every reader and printer takes binary PDF.
    rl_config.useA85 = 0
    return REGULAR


def _fix_to_unicode_beyond_the_bmp() -> None:
    """Make ReportLab's ToUnicode maps name characters beyond U+FFFF correctly.

    ReportLab writes each subset character's code as ``<%04X>``: 𠮷 (U+20BB7) becomes five
    hex digits that readers take as U+20BB and a stray digit, so copying or searching the
    PDF finds "₻". The PDF standard wants the UTF-16 of the character (``<D842DFB7>``). Maps
    of subsets inside the BMP, the only ones most PDFs have, are left exactly as they were.
    """
    from reportlab.pdfbase import ttfonts

    original = ttfonts.makeToUnicodeCMap
    if getattr(original, "stationdesk_fixed", False):
        return

    @wraps(original)
    def make_to_unicode_cmap(fontname: str, subset: list[int]) -> str:
        text: str = original(fontname, subset)
        if all(code <= 0xFFFF for code in subset):
            return text
        for index, code in enumerate(subset):
            if code > 0xFFFF:
                utf16 = chr(code).encode("utf-16-be").hex().upper()
                text = text.replace(
                    f"\n<{index:02X}> <{code:04X}>\n", f"\n<{index:02X}> <{utf16}>\n"
                )
        return text

    make_to_unicode_cmap.stationdesk_fixed = True  # type: ignore[attr-defined]
    ttfonts.makeToUnicodeCMap = make_to_unicode_cmap


def font_cache_folder() -> Path | None:
    """Where parsed faces are kept: $STATIONDESK_FONT_CACHE, else the user cache folder."""
    configured = os.environ.get(CACHE_ENV)
    if configured is not None:
        return Path(configured) if configured.strip() else None
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("StationDesk", appauthor=False)) / "fonts"


def load_font(name: str, path: Path, cache_folder: Path | None) -> TTFont:
    """The TrueType font at ``path`` as ReportLab's TTFont, its face from the cache if valid."""
    if cache_folder is None:
        return _font_with_face(name, _face_class()(str(path)))
    key = _cache_key(path)
    cache_file = cache_folder / f"{path.stem}-{hashlib.sha256(key.encode()).hexdigest()[:16]}.bin"
    face = _cached_face(path, cache_file, key)
    if face is None:
        with _no_gc():
            face = _face_class()(str(path))
        _store_face(face, cache_file, key)
    return _font_with_face(name, face)


@cache
def _face_class() -> Any:
    """ReportLab's face, cutting font subsets without copying the glyph table for each one."""
    from reportlab.pdfbase.ttfonts import TTFontFace

    class StationFace(TTFontFace):
        def readFile(self, f: Any) -> None:
            # The file mapped, not read: a subset touches a few pages of it, and the 30 MB of
            # HanaMinB (21 MB of Noto) need not sit in the memory of every printing process.
            if not hasattr(self, "_ttf_data") and isinstance(f, str):
                with open(f, "rb") as fh:
                    self._ttf_data = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
                self.filename = f
            super().readFile(f)

        def get_table(self, tag: str) -> Any:
            # makeSubset takes the whole glyf table (nine tenths of a 10 MB CJK font) only to
            # slice single glyphs out of it: hand it a view that slices the file instead.
            if tag == "glyf":
                pos, length = self.get_table_pos(tag)
                return GlyphTable(self._ttf_data, pos, length)
            return super().get_table(tag)

    return StationFace


class GlyphTable:
    """A table of the font file that slices like bytes without copying the table first."""

    __slots__ = ("_data", "_length", "_start")

    def __init__(self, data: bytes | mmap.mmap, start: int, length: int) -> None:
        self._data = data
        self._start = start
        self._length = length

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index: slice) -> bytes:
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("a font table is read in slices")
        start, stop, _ = index.indices(self._length)
        return self._data[self._start + start : self._start + max(start, stop)]


@contextmanager
def _no_gc() -> Iterator[None]:
    """No cyclic collection while a face's 200,000 acyclic objects are made.

    Each of the collections their allocation would trigger walks every object of the process
    (SQLAlchemy's included): three times the cost of the load itself.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _cache_key(path: Path) -> str:
    from reportlab import Version

    stat = path.stat()
    return "|".join(
        (
            str(CACHE_FORMAT),
            str(path.resolve()),
            str(stat.st_size),
            str(stat.st_mtime_ns),
            Version,
            sys.version.split()[0],
        )
    )


def _cached_face(path: Path, cache_file: Path, key: str) -> TTFontFace | None:
    """The face stored for ``key``, or None when there is none or it cannot be used."""
    try:
        blob = cache_file.read_bytes()
    except OSError:
        return None
    try:
        with _no_gc():
            stored_format, stored_key, state, names = marshal.loads(blob)
        if stored_format != CACHE_FORMAT or stored_key != key:
            return None
        return _face_from_state(path, state, names)
    except Exception:  # corrupt or foreign: parse the font again and overwrite it
        logger.info("font cache %s unusable, parsing the font again", cache_file, exc_info=True)
        return None


def _face_from_state(path: Path, state: dict[str, Any], names: dict[str, bytes]) -> TTFontFace:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFNameBytes

    if not isinstance(state, dict) or not isinstance(names, dict):
        raise TypeError("font cache holds no face")
    face_class = _face_class()
    face = object.__new__(face_class)
    pdfmetrics.TypeFace.__init__(face, None)
    face.__dict__.update(state)
    for attribute, raw in names.items():
        setattr(face, attribute, TTFNameBytes(raw))
    # What TTFontParser.readFile sets: the file's bytes (subsets are cut from them), mapped.
    face.readFile(str(path))
    units = face.unitsPerEm
    face._pdfScale = _scale(units)
    for needed in ("charToGlyph", "charWidths", "glyphPos", "hmetrics", "table", "name"):
        if getattr(face, needed, None) is None:
            raise ValueError(f"font cache lacks {needed}")
    return face


def _scale(units_per_em: int) -> Any:
    """Font units to thousandths of an em, as TTFontFile.extractInfo builds it."""
    if units_per_em == 1000:
        return lambda x: x
    factor = 1000 / units_per_em
    return lambda x: x * factor


def _font_with_face(name: str, face: TTFontFace) -> TTFont:
    """A TTFont as ``TTFont(name, path)`` builds it, around an already parsed face."""
    from fnmatch import fnmatch
    from weakref import WeakKeyDictionary

    from reportlab import rl_config
    from reportlab.pdfbase.ttfonts import TTEncoding, TTFont

    font = TTFont.__new__(TTFont)
    font.fontName = name
    font.face = face
    font.encoding = TTEncoding()
    font.state = WeakKeyDictionary()
    font._asciiReadable = rl_config.ttfAsciiReadable
    font.shapable = not any(fnmatch(name, g) for g in rl_config.unShapedFontGlob or ())
    return font


def _store_face(face: TTFontFace, cache_file: Path, key: str) -> None:
    """Write the parsed face for the next process; best effort, never a half-written file."""
    from reportlab.pdfbase.ttfonts import TTFNameBytes

    state = {k: v for k, v in vars(face).items() if k not in _NOT_CACHED}
    names = {k: bytes(v) for k, v in state.items() if isinstance(v, TTFNameBytes)}
    for attribute in names:
        del state[attribute]
    try:
        blob = marshal.dumps((CACHE_FORMAT, key, state, names))
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(
            prefix=f".{cache_file.name}.", suffix=".tmp", dir=cache_file.parent
        )
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(blob)
            os.replace(temporary, cache_file)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        # Faces of an older font file or ReportLab stay behind otherwise (1.6 MB each).
        for stale in cache_file.parent.glob(f"{cache_file.name.rsplit('-', 1)[0]}-*.bin"):
            if stale != cache_file:
                stale.unlink(missing_ok=True)
    except (OSError, ValueError) as exc:  # read-only home, full disk: parse next time too
        logger.info("font cache not written to %s: %s", cache_file, exc)


def font_runs(text: str, font_name: str) -> list[tuple[str, str]]:
    """``text`` as (run, font name) pieces: each run drawn by the first font that holds it.

    Text in any font but the bundled Noto Sans SC, and text Noto draws whole, comes back as
    the one run ``[(text, font_name)]``, so such output stays byte for byte what it was. A
    character Noto lacks goes to the fallback that has it (registered with ReportLab on this
    first need); one that no bundled font holds stays in ``font_name`` (an empty box, which
    ``glyph_warning`` announced). Variation selectors and other invisible format characters
    that the font cannot draw are left out rather than drawn as boxes.
    """
    if font_name not in (REGULAR, BOLD) or not text:
        return [(text, font_name)]
    register_fonts()
    covered = _covered_by(font_name)
    if all(map(covered.__contains__, map(ord, text))):
        return [(text, font_name)]
    runs: list[tuple[str, str]] = []
    chars: list[str] = []
    current = font_name
    for ch in text:
        if ord(ch) in covered:
            name = font_name
        elif not needs_glyph(ch) and not ch.isspace():
            continue  # a variation selector or joiner: nothing to draw
        else:
            fallback = fallback_for(ch)
            name = font_name if fallback is None else register_fallback(fallback)
        if name != current and chars:
            runs.append(("".join(chars), current))
            chars = []
        current = name
        chars.append(ch)
    if chars:
        runs.append(("".join(chars), current))
    return runs


def _covered_by(font_name: str) -> dict[int, int]:
    """The characters a registered TrueType font maps (ReportLab's own table)."""
    from reportlab.pdfbase import pdfmetrics

    covered: dict[int, int] = pdfmetrics.getFont(font_name).face.charToGlyph
    return covered


def register_fallback(font: ShippedFont) -> str:
    """Parse (or read from the cache) and register one fallback font, once per process."""
    with _LOCK:
        return _register_fallback(font)


@cache
def _register_fallback(font: ShippedFont) -> str:
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics

    pdfmetrics.registerFont(load_font(font.name, font.path, font_cache_folder()))
    # One weight only: a bold run (a heading, a label) draws its rare character regular.
    for bold in (0, 1):
        for italic in (0, 1):
            addMapping(font.name, bold, italic, font.name)
    return font.name


def glyph_warning(texts: list[str]) -> str:
    """A Chinese sentence naming, by code, characters no bundled font holds (they print as
    empty boxes); empty when everything prints."""
    missing = missing_glyphs("".join(texts))
    if not missing:
        return ""
    return f"字库中没有 {codes_sentence(missing)}，打印出来会是空框，请在纸面上手写补正。"


def missing_glyphs(text: str) -> list[str]:
    """Characters of ``text`` that no bundled font draws, sorted (they print as boxes)."""
    return sorted(uncovered(text))
