"""Small checks shared by the services' input validation."""

from __future__ import annotations

import re

from app.errors import ValidationError

_PHONE = re.compile(r"^[0-9\-－ ()（）转]{3,40}$")
# What no field may hold: NUL and the other control characters (tabs and line breaks aside),
# and lone surrogates (half of a character, from a broken paste): SQLite cannot encode them,
# PostgreSQL refuses NUL, and none of them prints.
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def refuse_unstorable(text: str, *, field: str, label: str) -> None:
    """Refuse text with a character that cannot be stored or printed, naming where it is."""
    found = _UNSTORABLE.search(text)
    if found is not None:
        raise ValidationError(
            f"{label}第 {found.start() + 1} 个字符无法保存（控制符或残缺的字，"
            "多为复制粘贴带入），请删除后重新输入。",
            field,
        )


def clean_text(value: str, *, field: str, label: str, max_len: int, required: bool = True) -> str:
    """Trimmed text, refused when empty (if required), longer than ``max_len`` characters or
    holding a character that cannot be stored (``refuse_unstorable``)."""
    text = (value or "").strip()
    refuse_unstorable(text, field=field, label=label)
    if required and not text:
        raise ValidationError(f"请填写{label}。", field)
    if len(text) > max_len:
        raise ValidationError(f"{label}不能超过 {max_len} 个字（现有 {len(text)} 个）。", field)
    return text


def clean_phone(value: str, *, field: str, label: str, required: bool = False) -> str:
    """A telephone number as a station writes it (digits, hyphens, 转 for extensions)."""
    text = clean_text(value, field=field, label=label, max_len=40, required=required)
    if text and not _PHONE.match(text):
        raise ValidationError(f"{label}格式不正确，只能包含数字、连字符和“转”。", field)
    return text


def clean_int(value: int, *, field: str, label: str, minimum: int, maximum: int) -> int:
    """An integer inside ``[minimum, maximum]``."""
    if value < minimum or value > maximum:
        raise ValidationError(f"{label}应在 {minimum} 到 {maximum} 之间。", field)
    return value
