"""Small checks shared by the services' input validation."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import TypeVar

from app.core.errors import ValidationError, ValidationErrors

T = TypeVar("T")

_NOT_IN_PHONE = re.compile(r"[^0-9\-－ ()（）转]")
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
    """A telephone number as a station writes it (digits, spaces, hyphens, brackets round the
    area code, +86 in front, 转 before an extension); kept as written, refused when it holds
    anything else or no digit at all."""
    text = clean_text(value, field=field, label=label, max_len=40, required=required)
    if not text:
        return text
    if not re.search(r"\d", text):
        raise ValidationError(f"{label}中没有数字，请填写电话号码。", field)
    found = _NOT_IN_PHONE.search(text[3:] if text.startswith("+86") else text)
    if found is not None:
        raise ValidationError(
            f"{label}中有{character_kind(found.group())}：电话只能包含数字、空格、"
            "连字符、括号、开头的 +86 和分机号前的“转”。",
            field,
        )
    if len(re.sub(r"[^0-9]", "", text)) < 3:
        raise ValidationError(f"{label}太短：至少 3 位数字（如 110、12345）。", field)
    return text


def character_kind(char: str) -> str:
    """A character named for a message: 字母“a”, 文字“电”, 符号“#”, or its code when unseen."""
    code = f"U+{ord(char):04X}"
    category = unicodedata.category(char)
    if category.startswith(("C", "Z", "M")) and char != " ":
        return f"看不见的字符 {code}"
    if char == " ":
        return "空格"
    if "FULLWIDTH" in unicodedata.name(char, ""):
        return f"全角字符“{char}”（请切换到半角输入）"
    if "LATIN" in unicodedata.name(char, "") and category.startswith("L"):
        return f"字母“{char}”"
    if category.startswith("L"):
        return f"文字“{char}”"
    if category.startswith("N"):
        return f"数字“{char}”"
    return f"符号“{char}”"


class Collector:
    """Gathers the ValidationErrors of several fields, so a form shows them all at once.

    ``check`` runs one field's check and returns its value (``default`` when it failed);
    ``done`` raises nothing, the one error, or a ValidationErrors of them all, in the order
    the fields were checked (the form's order).
    """

    def __init__(self) -> None:
        self.errors: list[ValidationError] = []

    def check(self, call: Callable[[], T], default: T) -> T:
        """``call()``, or ``default`` with its ValidationError(s) noted."""
        try:
            return call()
        except ValidationErrors as several:
            self.errors.extend(several.errors)
        except ValidationError as error:
            self.errors.append(error)
        return default

    def add(self, error: ValidationError) -> None:
        """Note an error found by the caller."""
        self.errors.append(error)

    def failed(self, field: str) -> bool:
        """Whether ``field`` already has an error."""
        return any(e.field == field for e in self.errors)

    def done(self) -> None:
        """Raise what was noted, if anything."""
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise ValidationErrors(self.errors)


def clean_int(value: int, *, field: str, label: str, minimum: int, maximum: int) -> int:
    """An integer inside ``[minimum, maximum]``."""
    if value < minimum or value > maximum:
        raise ValidationError(f"{label}应在 {minimum} 到 {maximum} 之间。", field)
    return value


def code_text(value: str) -> str:
    """A code typed as letters and digits (警号, 单位简码, 事项编码), upper-cased for storing.

    Full-width letters and digits, as an input method types them, are made ASCII (NFKC);
    any other letter stays as typed, so the caller's ASCII pattern refuses it instead of
    upper() turning ß into SS or ſ into S.
    """
    text = unicodedata.normalize("NFKC", (value or "").strip())
    return text.upper() if text.isascii() else text
