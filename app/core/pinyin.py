"""Pinyin for searching and sorting: catalogue search keys (``sfz`` finds 身份证) and people's
names, the rare characters of Extensions B–G included (𠮷祥 is found by ``jx``, sorts under j).

Names are read character by character from pypinyin's single-character dictionary (about
42,000 characters, 15,000 of them in the extensions), never through its phrase dictionary:
that one costs about 0.5 s and 60 MB and guesses a reading from the words around a character,
which says nothing about a name. The single-character table is read straight from pypinyin's
own data file the first time a name needs it (about 90 ms, 4 MB), without importing pypinyin.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
import unicodedata
from pathlib import Path

# Readings the dictionary lacks for characters family and given names are known to use. 𠮷
# (U+20BB7) is 吉 written with 土 on top, read as 吉.
EXTRA_READINGS: dict[int, str] = {0x20BB7: "jí"}

# Combining marks of the four tones (after NFD), and the diaeresis of ü.
_TONES = {"\u0304": 1, "\u0301": 2, "\u030c": 3, "\u0300": 4}
_DIAERESIS = "\u0308"
_CIRCUMFLEX = "\u0302"
# A name typed as letters: its pinyin (jx, jix, jixiang) or a name written in Latin letters.
_SPELLING = re.compile(r"[A-Za-z][A-Za-z ]*")
# Letters that may stand between the syllables of a name and are not spelled: 买买提·吐尔逊.
_UNSPELLED = frozenset(" ·•‧・.-'’")


def search_key(*texts: str) -> str:
    """Lower-case initials and full pinyin of each text, separated by spaces."""
    # pypinyin's phrase dictionary costs about 0.5 s and 60 MB: loaded only once a key is
    # needed (a catalogue item saved or searched), never at start-up.
    from pypinyin import Style, lazy_pinyin

    parts: list[str] = []
    for text in texts:
        if not text:
            continue
        initials = "".join(s[0] for s in lazy_pinyin(text, style=Style.FIRST_LETTER) if s)
        full = "".join(lazy_pinyin(text))
        parts.extend([initials.lower(), full.lower()])
    return " ".join(parts)


@functools.cache
def reading_table() -> dict[int, str]:
    """Code point → its readings with tone marks, comma-separated, the most common first
    (``{0x5409: "jí"}``): pypinyin's single-character dictionary and ``EXTRA_READINGS``."""
    table = _pinyin_dict()
    for code, readings in EXTRA_READINGS.items():
        table.setdefault(code, readings)
    return table


def readings(ch: str) -> tuple[str, ...]:
    """The readings of one character with tone marks (``("jí",)`` for 𠮷); () when unknown."""
    if len(ch) != 1:
        return ()
    found = reading_table().get(ord(ch))
    return tuple(found.split(",")) if found else ()


@functools.lru_cache(maxsize=4096)  # a few thousand distinct readings in all
def plain(reading: str) -> tuple[str, int]:
    """A reading without its tone, lower case, ü as v, and the tone (0 for none):
    ``jí`` → ``("ji", 2)``, ``lǜ`` → ``("lv", 4)``, ``ji2`` → ``("ji", 2)``."""
    tone = 0
    out: list[str] = []
    for ch in unicodedata.normalize("NFD", reading.strip().lower()):
        if ch in _TONES:
            tone = _TONES[ch]
        elif ch == _DIAERESIS:
            if out and out[-1] == "u":
                out[-1] = "v"
        elif ch == _CIRCUMFLEX:
            continue  # ê is spelled e
        elif ch.isdigit():
            tone = int(ch) if ch in "12345" else tone
        else:
            out.append(ch)
    text = "".join(out).replace("u:", "v")
    return text, 0 if tone == 5 else tone


@functools.cache
def spellings(ch: str) -> tuple[str, ...]:
    """How a character is spelled in letters, each reading once without tones (``("ji",)``);
    a Latin letter is itself; () when the dictionary does not know the character."""
    if ch.isascii():
        return (ch.lower(),) if ch.isalnum() else ()
    out: list[str] = []
    for reading in readings(ch):
        text = plain(reading)[0]
        if text and text not in out:
            out.append(text)
    return tuple(out)


def is_spelling(text: str) -> bool:
    """Whether typed search text is letters only: a name's pinyin (``jx``) or a Latin name."""
    return bool(_SPELLING.fullmatch(text.strip()))


def initials(name: str) -> str:
    """The first letters of a name's pinyin, each character by its most common reading
    (``"jx"`` for 𠮷祥); a character the dictionary does not know is kept as it is."""
    out: list[str] = []
    for ch in name:
        if ch in _UNSPELLED:
            continue
        spelled = spellings(ch)
        out.append(spelled[0][0] if spelled else ch)
    return "".join(out)


def spelled_as(name: str, typed: str) -> bool:
    """Whether ``typed`` letters spell the beginning of ``name``: every character by its whole
    pinyin or the first letters of it, in any of its readings. 𠮷祥 is ``jx``, ``jix``,
    ``jixiang`` or ``jxiang``; 曾 both ``z`` and ``c``. Case and spaces do not count.

    A name with a character the dictionary cannot read is spelled only up to it.
    """
    letters = "".join(typed.split()).lower()
    if not letters or not letters.isascii() or not letters.isalpha():
        return False
    chars = [spellings(ch) for ch in name if ch not in _UNSPELLED]
    failed: set[tuple[int, int]] = set()  # (letters used, characters spelled) that lead nowhere

    def spells(used: int, at: int) -> bool:
        if used == len(letters):
            return True
        if at == len(chars) or (used, at) in failed:
            return False
        rest = letters[used:]
        for spelled in chars[at]:
            # The longest part of this reading the letters begin with, then each shorter one.
            shared = 0
            while shared < min(len(spelled), len(rest)) and spelled[shared] == rest[shared]:
                shared += 1
            for part in range(shared, 0, -1):
                if spells(used + part, at + 1):
                    return True
        failed.add((used, at))
        return False

    return spells(0, 0)


@functools.lru_cache(maxsize=65536)
def sort_key(name: str) -> tuple[tuple[str, int, str], ...]:
    """A key that puts names in pinyin order (𠮷祥 among the j names, 张 before 赵), each
    character by its most common reading; characters without a known reading go after the
    letters, in code point order."""
    key: list[tuple[str, int, str]] = []
    for ch in name:
        if ch in _UNSPELLED:
            continue
        if ch.isascii():
            key.append((ch.lower(), 0, ch))
            continue
        found = readings(ch)
        if found:
            text, tone = plain(found[0])
            key.append((text, tone, ch))
        else:
            key.append(("\U0010ffff", 0, ch))
    return tuple(key)


def _pinyin_dict() -> dict[int, str]:
    """pypinyin's single-character dictionary, read from its data file (a fresh copy)."""
    spec = importlib.util.find_spec("pypinyin")
    folders = list(spec.submodule_search_locations or []) if spec else []
    for folder in folders:
        path = Path(folder) / "pinyin_dict.json"
        if path.is_file():
            with path.open(encoding="utf-8") as fh:
                return {int(code): value for code, value in json.load(fh).items()}
    # A build that keeps pypinyin's data elsewhere: its module (and its phrase dictionary).
    from pypinyin.pinyin_dict import pinyin_dict

    return dict(pinyin_dict)
