"""Which bundled font draws each character, and the characters none of them holds.

Noto Sans SC draws almost everything (all GB 2312, the whole basic block and Extension A) but
holds only about 200 of the 60,000 ideographs of Extensions B–F that family names use (𠮷,
𪜊, 𫝊, 𫠪, 𬺺). Behind it come two fallback fonts from the Hanazono project: HanaMinB (all of
Extensions B–F) and a cut of HanaMinA holding the CJK compatibility ideographs. Together they
cover every ideograph of GB 18030-2022; ``uncovered`` names what is left (the ideographs
Unicode added after 2018, Extension G …) so that registration can say so, by code.

Coverage is read from each file's own ``cmap`` table (a few hundred kilobytes, read once per
process): neither Qt nor ReportLab has to load a 30 MB fallback font to answer whether it is
needed. This module imports neither of them.
"""

from __future__ import annotations

import struct
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from resources import FONT_REGULAR, FONTS_DIR


@dataclass(frozen=True)
class ShippedFont:
    """A bundled TrueType file: its ReportLab name, its Qt family and where it lies."""

    name: str
    family: str
    path: Path


PRIMARY = ShippedFont("NotoSansSC", "Noto Sans SC", FONT_REGULAR)
# In the order tried for a character the primary font lacks.
FALLBACKS: tuple[ShippedFont, ...] = (
    ShippedFont("HanaMinB", "HanaMinB", FONTS_DIR / "HanaMinB.ttf"),
    ShippedFont(
        "StationDeskHanCompat", "StationDeskHanCompat", FONTS_DIR / "StationDeskHanCompat.ttf"
    ),
)
SHIPPED: tuple[ShippedFont, ...] = (PRIMARY, *FALLBACKS)

# Ideograph blocks as officers know them (the name a warning gives a character's code).
_BLOCKS: tuple[tuple[int, int, str], ...] = (
    (0x3400, 0x4DBF, "扩展A区汉字"),
    (0x4E00, 0x9FFF, "基本区汉字"),
    (0xF900, 0xFAFF, "兼容汉字"),
    (0x20000, 0x2A6DF, "扩展B区汉字"),
    (0x2A700, 0x2B73F, "扩展C区汉字"),
    (0x2B740, 0x2B81F, "扩展D区汉字"),
    (0x2B820, 0x2CEAF, "扩展E区汉字"),
    (0x2CEB0, 0x2EBEF, "扩展F区汉字"),
    (0x2EBF0, 0x2EE5F, "扩展I区汉字"),
    (0x2F800, 0x2FA1F, "兼容汉字补充"),
    (0x30000, 0x3134F, "扩展G区汉字"),
    (0x31350, 0x323AF, "扩展H区汉字"),
)


class Coverage:
    """The characters a font maps to a real glyph, as sorted inclusive ranges."""

    __slots__ = ("_ends", "_starts")

    def __init__(self, ranges: Iterable[tuple[int, int]]) -> None:
        merged: list[list[int]] = []
        for start, end in sorted(ranges):
            if merged and start <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self._starts = [r[0] for r in merged]
        self._ends = [r[1] for r in merged]

    def __contains__(self, code: object) -> bool:
        if not isinstance(code, int):
            return False
        at = bisect_right(self._starts, code) - 1
        return at >= 0 and code <= self._ends[at]

    def __len__(self) -> int:
        return sum(e - s + 1 for s, e in zip(self._starts, self._ends, strict=True))


@cache
def coverage(path: Path) -> Coverage:
    """What the TrueType file at ``path`` draws (read once per process)."""
    return Coverage(_cmap_ranges(_cmap_table(path)))


def covering_font(ch: str) -> ShippedFont | None:
    """The first bundled font (Noto Sans SC, then the fallbacks) that draws ``ch``."""
    code = ord(ch)
    for font in SHIPPED:
        if code in coverage(font.path):
            return font
    return None


def fallback_for(ch: str) -> ShippedFont | None:
    """The fallback font that draws ``ch`` (the primary font is not asked)."""
    code = ord(ch)
    for font in FALLBACKS:
        if code in coverage(font.path):
            return font
    return None


def needs_glyph(ch: str) -> bool:
    """Whether ``ch`` is drawn at all: spaces, controls, format characters and variation
    selectors (which only choose the form of the character before them) are not."""
    if ch.isspace():
        return False
    if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
        return False
    code = ord(ch)
    return not (0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF or 0x180B <= code <= 0x180F)


def uncovered(text: str) -> list[str]:
    """The characters of ``text`` that no bundled font draws (shown and printed as boxes),
    each once, in the order they first appear."""
    out: list[str] = []
    for ch in dict.fromkeys(text):
        if needs_glyph(ch) and covering_font(ch) is None:
            out.append(ch)
    return out


def code_label(ch: str) -> str:
    """``U+20BB7（扩展B区汉字）``: a character named legibly, without drawing it."""
    code = ord(ch)
    label = f"U+{code:04X}"
    for start, end, block in _BLOCKS:
        if start <= code <= end:
            return f"{label}（{block}）"
    return label


def codes_sentence(chars: Iterable[str]) -> str:
    """The characters' codes joined for a Chinese sentence."""
    return "、".join(code_label(ch) for ch in chars)


def name_warning(name: str) -> str:
    """For registration: a Chinese sentence naming (by code) the characters of a citizen's
    name that no bundled font holds; empty when every character can be shown and printed."""
    missing = uncovered(name)
    if not missing:
        return ""
    return (
        f"本程序的字库中没有姓名中的 {codes_sentence(missing)}，屏幕上和打印件上都会显示为空框。"
        "登记可以照常保存；打印后请在纸面上手写补正。"
    )


def _cmap_table(path: Path) -> bytes:
    """The raw ``cmap`` table of a TrueType file, read without the rest of the file."""
    with path.open("rb") as fh:
        header = fh.read(12)
        if len(header) < 12:
            raise ValueError(f"{path} is not a TrueType font")
        (count,) = struct.unpack_from(">H", header, 4)
        directory = fh.read(16 * count)
        for index in range(count):
            tag, _checksum, offset, length = struct.unpack_from(">4sIII", directory, 16 * index)
            if tag == b"cmap":
                fh.seek(offset)
                table = fh.read(length)
                if len(table) == length:
                    return table
                break
    raise ValueError(f"{path} has no readable cmap table")


def _cmap_ranges(table: bytes) -> list[tuple[int, int]]:
    """The characters mapped to a glyph other than .notdef, from the best Unicode subtable:
    format 12 (all planes) where there is one, else format 4 (the BMP)."""
    (count,) = struct.unpack_from(">H", table, 2)
    offsets: dict[int, int] = {}
    for index in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", table, 4 + 8 * index)
        if (platform, encoding) in ((3, 10), (0, 4), (0, 6), (3, 1), (0, 3)):
            (fmt,) = struct.unpack_from(">H", table, offset)
            offsets.setdefault(fmt, offset)
    if 12 in offsets:
        return _format12(table, offsets[12])
    if 4 in offsets:
        return _format4(table, offsets[4])
    raise ValueError("no Unicode cmap of format 4 or 12")


def _format12(table: bytes, offset: int) -> list[tuple[int, int]]:
    (groups,) = struct.unpack_from(">I", table, offset + 12)
    start = offset + 16
    out = []
    for first, last, glyph in struct.iter_unpack(">III", table[start : start + 12 * groups]):
        if glyph == 0:  # only the group's first character maps to .notdef
            first += 1
        if first <= last:
            out.append((first, last))
    return out


def _format4(table: bytes, offset: int) -> list[tuple[int, int]]:
    (seg_x2,) = struct.unpack_from(">H", table, offset + 6)
    segments = seg_x2 // 2
    ends_at = offset + 14
    starts_at = ends_at + seg_x2 + 2
    deltas_at = starts_at + seg_x2
    range_offsets_at = deltas_at + seg_x2
    out = []
    for k in range(segments):
        (end,) = struct.unpack_from(">H", table, ends_at + 2 * k)
        (start,) = struct.unpack_from(">H", table, starts_at + 2 * k)
        (delta,) = struct.unpack_from(">H", table, deltas_at + 2 * k)
        range_at = range_offsets_at + 2 * k
        (range_offset,) = struct.unpack_from(">H", table, range_at)
        for code in range(start, min(end, 0xFFFE) + 1):
            if range_offset == 0:
                glyph = (code + delta) & 0xFFFF
            else:
                (glyph,) = struct.unpack_from(
                    ">H", table, range_at + range_offset + 2 * (code - start)
                )
                if glyph:
                    glyph = (glyph + delta) & 0xFFFF
            if glyph:
                out.append((code, code))
    return out
