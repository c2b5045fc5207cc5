"""Pinyin search keys, so typing ``sfz`` finds 身份证 matters."""

from __future__ import annotations


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
