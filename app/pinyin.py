"""Pinyin search keys, so typing ``sfz`` finds 身份证 matters."""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin


def search_key(*texts: str) -> str:
    """Lower-case initials and full pinyin of each text, separated by spaces."""
    parts: list[str] = []
    for text in texts:
        if not text:
            continue
        initials = "".join(s[0] for s in lazy_pinyin(text, style=Style.FIRST_LETTER) if s)
        full = "".join(lazy_pinyin(text))
        parts.extend([initials.lower(), full.lower()])
    return " ".join(parts)
