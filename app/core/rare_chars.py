"""Finding a 生僻字 the input method cannot type: by pinyin, by code point, or by a character
read the same way.

The officer types ``ji``, ``jí`` or ``ji2`` (a syllable, with or without its tone), ``U+20BB7``,
``20BB7`` or ``u20bb7`` (a code point, as printed under the character on an ID card's record or
in a warning), or one character (吉) to see the characters read like it. Candidates come
rarest first: the supplementary-plane extensions (B to I) and their compatibility block, then
Extension A, the BMP compatibility ideographs, and the basic block last, since an input
method types those anyway. Within a group they go in code point order.

The reverse index (syllable → characters) is built from pypinyin's single-character
dictionary once per process, on the first query: about 0.1 s and 2 MB. A query after that
takes well under a millisecond (the sorting of a syllable's candidates is cached too).
Pure Python: neither Qt nor the database.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from app.core.pinyin import plain, reading_table, readings

# Ideograph blocks: first, last, name as officers know it, and the group rank used for the
# order (rarest first: what an input method is least likely to type).
BLOCKS: tuple[tuple[int, int, str, int], ...] = (
    (0x20000, 0x2A6DF, "扩展B区", 0),
    (0x2A700, 0x2B73F, "扩展C区", 0),
    (0x2B740, 0x2B81F, "扩展D区", 0),
    (0x2B820, 0x2CEAF, "扩展E区", 0),
    (0x2CEB0, 0x2EBEF, "扩展F区", 0),
    (0x30000, 0x3134F, "扩展G区", 0),
    (0x31350, 0x323AF, "扩展H区", 0),
    (0x2EBF0, 0x2EE5F, "扩展I区", 0),
    (0x2F800, 0x2FA1F, "兼容补充区", 1),
    (0x3400, 0x4DBF, "扩展A区", 2),
    (0xF900, 0xFAFF, "兼容区", 3),
    (0x4E00, 0x9FFF, "基本区", 4),
)
BASIC_BLOCK = "基本区"

# U+20BB7, u+20bb7, U20BB7, 0x20BB7, 20BB7, &#x20BB7; — four to six hexadecimal digits.
_CODE = re.compile(r"(?:u\+?|0x|&#x)?([0-9a-f]{4,6});?", re.IGNORECASE)
# A syllable: letters (ü, v or u: for ü), tone marks, or a tone digit at the end.
_SYLLABLE = re.compile(r"[a-zü:\u0300-\u030c]+[1-5]?", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Candidate:
    """One character the picker offers."""

    char: str
    readings: tuple[str, ...]  # with tone marks, the most common first; () when unknown
    block: str  # 扩展B区 …

    @property
    def code(self) -> int:
        """Its code point."""
        return ord(self.char)

    @property
    def code_label(self) -> str:
        """``U+20BB7``."""
        return f"U+{self.code:04X}"

    @property
    def rare(self) -> bool:
        """Outside the basic block: an input method may well not type it."""
        return self.block != BASIC_BLOCK


@dataclass(frozen=True, slots=True)
class Lookup:
    """What a query found, and a Chinese sentence about it for the picker's status line."""

    candidates: tuple[Candidate, ...]
    message: str


def block_of(code: int) -> str | None:
    """The ideograph block of a code point (``扩展B区``), None outside every ideograph block."""
    for first, last, name, _rank in BLOCKS:
        if first <= code <= last:
            return name
    return None


def candidate(ch: str) -> Candidate | None:
    """The picker's entry for one ideograph; None for anything else."""
    if len(ch) != 1:
        return None
    block = block_of(ord(ch))
    if block is None:
        return None
    return Candidate(ch, readings(ch), block)


def lookup(query: str) -> Lookup:
    """Candidates for what the officer typed: a code point, a syllable or a character."""
    text = query.strip()
    if not text:
        return Lookup((), "")
    if len(text) == 1 and block_of(ord(text)) is not None:
        return _same_reading(text)
    code = _CODE.fullmatch(text.replace(" ", ""))
    if code is not None:
        return _by_code(code.group(1))
    if _SYLLABLE.fullmatch(unicodedata.normalize("NFD", text)):
        return _by_syllable(text)
    return Lookup(
        (),
        "请输入一个拼音音节（如 ji、jí、ji2）、一个编码（如 U+20BB7、20BB7）或一个汉字。",
    )


def index() -> dict[str, tuple[int, ...]]:
    """Syllable without tone → every ideograph read so, rarest first (built once)."""
    return _index()


def _by_code(digits: str) -> Lookup:
    value = int(digits, 16)
    found: list[Candidate] = []
    exact = candidate(chr(value)) if value <= 0x10FFFF else None
    if exact is not None:
        found.append(exact)
    # Four or five digits may be the start of a longer code (20BB → 20BB0 … 20BBF).
    if len(digits) < 6 and value * 16 <= 0x10FFFF:
        for last in range(16):
            more = candidate(chr(value * 16 + last))
            if more is not None:
                found.append(more)
    label = f"U+{value:04X}"
    if not found:
        return Lookup((), f"{label} 不是汉字的编码。")
    if exact is None:
        return Lookup(tuple(found), f"{label} 不是汉字；以下是编码以 {digits.upper()} 开头的字。")
    extra = f"，另有编码以 {digits.upper()} 开头的 {len(found) - 1} 个字" if len(found) > 1 else ""
    return Lookup(tuple(found), f"编码 {label} 是{exact.block}的“{exact.char}”{extra}。")


def _by_syllable(text: str) -> Lookup:
    syllable, tone = plain(text)
    codes = _index().get(syllable)
    if not codes:
        longer = sorted((s for s in _index() if s.startswith(syllable)), key=lambda s: (len(s), s))
        if longer:  # still being typed
            some = "、".join(longer[:6]) + ("…" if len(longer) > 6 else "")
            return Lookup((), f"{syllable} 还不是完整的拼音，请接着输入，如 {some}。")
        return Lookup((), f"没有读 {syllable} 的字。请检查拼音，或输入编码（如 U+20BB7）。")
    chosen = _with_tone(syllable, tone) if tone else codes
    if not chosen:
        return Lookup((), f"没有读 {text.strip()} 的字；去掉声调试试。")
    found = tuple(_candidates(chosen))
    rare = sum(1 for c in found if c.rare)
    heard = text.strip() if tone else syllable
    where = f"，非基本区的 {rare} 个在前" if rare else "，都在基本区（可用输入法输入）"
    narrow = "" if tone else "；加声调数字（1–4）可缩小范围"
    return Lookup(found, f"读 {heard} 的字共 {len(found)} 个{where}{narrow}。")


def _same_reading(ch: str) -> Lookup:
    itself = candidate(ch)
    assert itself is not None
    found = [itself]
    seen = {ch}
    # Each reading's characters: those of the same tone first, then the other tones.
    for reading in itself.readings:
        syllable, tone = plain(reading)
        for code in (*_with_tone(syllable, tone), *_index().get(syllable, ())):
            other = chr(code)
            if other not in seen:
                seen.add(other)
                entry = candidate(other)
                if entry is not None:
                    found.append(entry)
    if len(found) == 1:
        return Lookup(
            tuple(found), f"“{ch}” {itself.code_label}，{itself.block}；字典中没有它的读音。"
        )
    sounds = "、".join(itself.readings)
    return Lookup(
        tuple(found),
        f"“{ch}”读 {sounds}；同音字 {len(found) - 1} 个，非基本区的在前。",
    )


def _candidates(codes: tuple[int, ...]) -> Iterator[Candidate]:
    for code in codes:
        entry = candidate(chr(code))
        if entry is not None:
            yield entry


@functools.cache
def _with_tone(syllable: str, tone: int) -> tuple[int, ...]:
    table = reading_table()
    return tuple(
        code
        for code in _index().get(syllable, ())
        if any(plain(r) == (syllable, tone) for r in table[code].split(","))
    )


@functools.cache
def _index() -> dict[str, tuple[int, ...]]:
    ranks = {name: rank for _first, _last, name, rank in BLOCKS}
    grouped: dict[str, list[tuple[int, int]]] = {}
    for code, joined in reading_table().items():
        block = block_of(code)
        if block is None:  # the private use area of old GBK fonts, 〇 …
            continue
        for reading in dict.fromkeys(plain(r)[0] for r in joined.split(",")):
            if reading:
                grouped.setdefault(reading, []).append((ranks[block], code))
    return {
        syllable: tuple(code for _rank, code in sorted(pairs))
        for syllable, pairs in grouped.items()
    }
