"""Small checks shared by the services' input validation."""

from __future__ import annotations

import re

from app.errors import ValidationError

_PHONE = re.compile(r"^[0-9\-－ ()（）转]{3,40}$")


def clean_text(value: str, *, field: str, label: str, max_len: int, required: bool = True) -> str:
    """Trimmed text, refused when empty (if required) or longer than ``max_len`` characters."""
    text = (value or "").strip()
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
