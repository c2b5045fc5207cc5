"""Identity documents and phone numbers: normalise, check (GB 11643 for resident IDs), mask."""

from __future__ import annotations

import datetime as dt
import enum
import re
import unicodedata
from dataclasses import dataclass

from app.core.errors import ValidationError
from app.core.validation import character_kind, refuse_unstorable

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
# First two digits of the address code: the provinces, autonomous regions and municipalities
# of GB/T 2260, plus 71 (Taiwan), 81 (Hong Kong), 82 (Macao) and 83 (residence permits of
# Taiwan residents) used on residence permits.
PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
        "65", "71", "81", "82", "83",
    }
)  # fmt: skip


class IdType(enum.StrEnum):
    """Identity documents a window accepts."""

    RESIDENT = "resident"
    TEMPORARY = "temporary"
    PASSPORT = "passport"
    HK_MACAO = "hk_macao"
    TAIWAN = "taiwan"
    FOREIGN_PR = "foreign_pr"
    OTHER = "other"

    @property
    def label(self) -> str:
        """The document's Chinese name."""
        return ID_TYPE_LABELS[self]


ID_TYPE_LABELS: dict[IdType, str] = {
    IdType.RESIDENT: "居民身份证",
    IdType.TEMPORARY: "临时居民身份证",
    IdType.PASSPORT: "护照",
    IdType.HK_MACAO: "港澳居民来往内地通行证",
    IdType.TAIWAN: "台湾居民来往大陆通行证",
    IdType.FOREIGN_PR: "外国人永久居留身份证",
    IdType.OTHER: "其他证件",
}


@dataclass(frozen=True, slots=True)
class CheckedId:
    """A normalised identity number, with what an 18-digit resident number tells."""

    id_type: IdType
    number: str
    birth_date: dt.date | None = None
    male: bool | None = None
    converted_from_15: bool = False


def normalise(raw: str) -> str:
    """Full-width to half-width, spaces and hyphens removed, letters upper-cased."""
    text = unicodedata.normalize("NFKC", raw or "")
    return re.sub(r"[\s\-]", "", text).upper()


def canonical_id(raw: str) -> str:
    """The stored form: normalised; a legacy 15-digit number made 18 (for lookups)."""
    number = normalise(raw)
    if len(number) == 15 and number.isdigit():
        first17 = number[:6] + "19" + number[6:]
        return first17 + check_digit(first17)
    return number


def normalise_phone(raw: str) -> str:
    """A phone as it is stored and looked up: digits, without +86 and separators; an
    extension stays behind its 转 (057186001234转8001)."""
    text = re.sub(r"[\s\-‐‑‒–—―]", "", unicodedata.normalize("NFKC", raw or ""))
    text = text[3:] if text.startswith("+86") else text.lstrip("+")
    return re.sub(r"[^\d转]", "", text)


def check_digit(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def _birth_date(text: str, today: dt.date, field: str) -> dt.date:
    try:
        born = dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        raise ValidationError(
            f"出生日期无效（{text[:4]}年{text[4:6]}月{text[6:8]}日不存在）。", field
        ) from None
    if born > today:
        raise ValidationError("出生日期无效（晚于今天）。", field)
    if born.year < 1900:
        raise ValidationError("出生日期无效（早于 1900 年）。", field)
    return born


def check_resident_id(raw: str, today: dt.date, field: str = "id_number") -> CheckedId:
    """Check an 18-character number as GB 11643 says; a legacy 15-digit one is converted."""
    number = normalise(raw)
    if not number:
        raise ValidationError("请填写证件号码。", field)
    converted = False
    if len(number) == 15:
        if not number.isdigit():
            raise ValidationError("15 位身份证号码只能由数字组成。", field)
        _birth_date("19" + number[6:12], today, field)
        first17 = number[:6] + "19" + number[6:]
        number = first17 + check_digit(first17)
        converted = True
    if len(number) != 18:
        raise ValidationError(f"居民身份证号码应为 18 位（现为 {len(number)} 位）。", field)
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError("居民身份证号码前 17 位须为数字，末位为数字或 X。", field)
    # Addresses are county-level; only residence permits of Hong Kong, Macao and Taiwan
    # residents carry the bare 810000 / 820000 / 830000.
    if number[:2] not in PROVINCE_CODES or (number[2:6] == "0000" and number[:2] < "81"):
        raise ValidationError("地址码无效（前 6 位不是有效的行政区划代码）。", field)
    born = _birth_date(number[6:14], today, field)
    if number[14:17] == "000":
        raise ValidationError("顺序码无效（第 15–17 位不能为 000）。", field)
    expected = check_digit(number[:17])
    if number[17] != expected:
        raise ValidationError("校验位不符，请核对号码（可能有输错的数字）。", field)
    return CheckedId(IdType.RESIDENT, number, born, int(number[16]) % 2 == 1, converted)


_FORMATS: dict[IdType, tuple[re.Pattern[str], str]] = {
    # Ordinary passports: E + 8 digits, or E + letter + 7 digits; older G/P/S/D series; foreign
    # passports vary, so 5–17 letters and digits are accepted.
    IdType.PASSPORT: (re.compile(r"^[A-Z0-9]{5,17}$"), "护照号码应为 5–17 位字母或数字。"),
    IdType.HK_MACAO: (
        re.compile(r"^[HM]\d{8}(\d{2})?$"),
        "港澳居民来往内地通行证号码应为 H 或 M 开头加 8 位（或 10 位）数字。",
    ),
    IdType.TAIWAN: (
        re.compile(r"^\d{8}(\d{2})?$"),
        "台湾居民来往大陆通行证号码应为 8 位（或 10 位）数字。",
    ),
    IdType.FOREIGN_PR: (
        re.compile(r"^([A-Z]{3}\d{12}|9\d{16}[0-9X])$"),
        "外国人永久居留身份证号码应为 3 位字母加 12 位数字（旧版）或 9 开头的 18 位（新版）。",
    ),
    IdType.OTHER: (re.compile(r"^[A-Z0-9]{4,30}$"), "证件号码应为 4–30 位字母或数字。"),
}


def check_id(id_type: IdType, raw: str, today: dt.date, field: str = "id_number") -> CheckedId:
    """Check a number of any accepted document; resident and temporary IDs by GB 11643."""
    if id_type in (IdType.RESIDENT, IdType.TEMPORARY):
        checked = check_resident_id(raw, today, field)
        return CheckedId(
            id_type, checked.number, checked.birth_date, checked.male, checked.converted_from_15
        )
    number = normalise(raw)
    if not number:
        raise ValidationError("请填写证件号码。", field)
    pattern, message = _FORMATS[id_type]
    if not pattern.match(number):
        raise ValidationError(message, field)
    if (
        id_type is IdType.FOREIGN_PR
        and len(number) == 18
        and number[17] != check_digit(number[:17])
    ):
        raise ValidationError("校验位不符，请核对外国人永久居留身份证号码。", field)
    return CheckedId(id_type, number)


_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}$")
# What a citizen's phone may hold: digits, spaces and hyphens (any dash an input method gives),
# +86 in front and 转 before an extension. Anything else is refused, never dropped.
_PHONE_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―]")
_BRACKETED_AREA_CODE = re.compile(r"^[(（](0\d{2,3})[)）]")


def check_phone(raw: str, field: str = "phone", required: bool = True) -> str:
    """An 11-digit mobile, or a landline with its area code (0571-86001234) and perhaps an
    extension (转 8001); returns the digits (and 转 extension). A phone holding anything but
    digits, spaces, hyphens, a leading +86, brackets round the area code and 转 is refused
    naming what is wrong."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if not text:
        if required:
            raise ValidationError("请填写联系电话。", field)
        return ""
    refuse_unstorable(text, field=field, label="联系电话")
    if len(text) > 40:
        raise ValidationError(f"联系电话不能超过 40 个字符（现有 {len(text)} 个）。", field)
    if not re.search(r"[0-9]", text):
        raise ValidationError(
            "联系电话中没有数字。群众没有电话的，请让此栏空着"
            + ("；电话来访须留下号码。" if required else "，不要填写文字或符号。"),
            field,
        )
    body = _PHONE_SEPARATORS.sub("", text)
    if body.startswith("+86"):
        body = body[3:]
    # An area code in brackets, as many write a landline: (0571)86001234.
    body = _BRACKETED_AREA_CODE.sub(r"\1", body)
    bad = re.search(r"[^0-9转]", body)
    if bad is not None:
        what = bad.group()
        if what in "()（）":
            raise ValidationError(
                f"联系电话中的括号“{what}”只能括住开头的区号，如 (0571)86001234。", field
            )
        if what == "+":
            raise ValidationError(
                "联系电话中的“+”只能用在开头的 +86（大陆号码）；其他国家和地区的号码无法登记。",
                field,
            )
        raise ValidationError(
            f"联系电话中有{character_kind(what)}：电话只能由数字组成，可用空格或连字符分隔，"
            "开头可写 +86，分机号前写“转”。",
            field,
        )
    number, _, extension = body.partition("转")
    if "转" in extension:
        raise ValidationError("联系电话中只能有一个“转”（写在分机号前）。", field)
    if "转" in body and not extension:
        raise ValidationError("“转”后面请写分机号，没有分机号请删去“转”。", field)
    if not number:
        raise ValidationError("“转”前面请写总机号码（带区号），如 0571-86001234 转 8001。", field)
    if _MOBILE.match(number):
        if extension:
            raise ValidationError("手机号不带分机号，请删去“转”和后面的数字。", field)
        return number
    if _LANDLINE.match(number):
        if len(extension) > 6:
            raise ValidationError(f"分机号最多 6 位（现为 {len(extension)} 位）。", field)
        return f"{number}转{extension}" if extension else number
    if len(number) in (7, 8) and number[0] not in "01":
        raise ValidationError("固定电话请加区号，如 0571-86001234。", field)
    if number[0] == "1":
        if len(number) != 11:
            raise ValidationError(
                f"手机号格式不正确：应为 11 位（现为 {len(number)} 位），请核对。", field
            )
        raise ValidationError("手机号格式不正确：第二位应为 3–9，请核对。", field)
    if number[0] == "0":
        raise ValidationError(
            f"固定电话格式不正确：区号连号码应为 10–12 位（现为 {len(number)} 位），"
            "如 0571-86001234。",
            field,
        )
    raise ValidationError(
        f"电话号码格式不正确（{len(number)} 位）：应为 11 位手机号或带区号的固定电话。", field
    )


def mask_id(number: str) -> str:
    """First 6 and last 4 characters, the rest as *: 440308********1234."""
    if len(number) <= 10:
        return (
            number[:2] + "*" * max(0, len(number) - 4) + number[-2:] if len(number) > 4 else "****"
        )
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_name(name: str) -> str:
    """A citizen's name with the middle hidden: 张*, 张*丰, 欧阳**; enough to recognise."""
    chars = list(name.strip())
    if len(chars) <= 1:
        return "".join(chars)
    if len(chars) == 2:
        return chars[0] + "*"
    return chars[0] + "*" * (len(chars) - 2) + chars[-1]


def mask_phone(phone: str) -> str:
    """A phone with the middle digits hidden: 138****0011; an extension stays as it is
    (057186001234转8001 shows 057*****1234转8001)."""
    number, mark, extension = phone.partition("转")
    if len(number) < 7:
        return "*" * len(number) + mark + extension
    return number[:3] + "*" * (len(number) - 7) + number[-4:] + mark + extension


# ---- a citizen's name, as the document shows it ------------------------------------------

# Chinese characters: the CJK Unified Ideographs with Extensions A–I, the compatibility
# ideographs (both blocks) and 〇; a variation selector may follow one (a 生僻字 entered as an
# ideographic variation sequence).
_IDEOGRAPH_RANGES = (
    (0x3007, 0x3007),
    (0x3400, 0x4DBF),  # Extension A
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),  # compatibility ideographs
    (0x20000, 0x2A6DF),  # Extension B
    (0x2A700, 0x2EE5F),  # Extensions C, D, E, F, I
    (0x2F800, 0x2FA1F),  # compatibility ideographs supplement
    (0x30000, 0x323AF),  # Extensions G, H
)
_VARIATION_SELECTORS = ((0xFE00, 0xFE0F), (0xE0100, 0xE01EF))
MIDDLE_DOT = "·"  # U+00B7, as on the 居民身份证 of 少数民族 citizens (买买提·艾力)
_DOT_LOOKALIKES = "・•‧∙⋅･．.。"
_LATIN_SEPARATORS = " -'’."
NAME_MAX = {"chinese": 30, "latin": 40}


def is_ideograph(char: str) -> bool:
    """Whether ``char`` is a Chinese character (any extension, compatibility forms included)."""
    code = ord(char)
    return any(low <= code <= high for low, high in _IDEOGRAPH_RANGES)


def _is_variation_selector(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _VARIATION_SELECTORS)


def _is_latin_letter(char: str) -> bool:
    """A letter of the Latin alphabet, accented ones included (not the full-width forms)."""
    if char.isascii():
        return char.isalpha()
    code = ord(char)
    return (
        (0xC0 <= code <= 0x24F and char not in "×÷") or 0x1E00 <= code <= 0x1EFF
    ) and unicodedata.category(char).startswith("L")


def latin_names_allowed(id_type: IdType) -> bool:
    """Whether the document may carry a name in Latin letters (not a 居民身份证)."""
    return id_type not in (IdType.RESIDENT, IdType.TEMPORARY)


def name_limit(id_type: IdType) -> int:
    """The longest name this document's holder may be registered under (characters)."""
    return NAME_MAX["latin" if latin_names_allowed(id_type) else "chinese"]


def name_rule(id_type: IdType) -> str:
    """The rule in one sentence, for the form and the messages."""
    if latin_names_allowed(id_type):
        return (
            f"{id_type.label}：按证件填写中文姓名（汉字，可有间隔号“·”）或外文姓名"
            "（字母，可有空格、连字符、撇号和点），二者选一"
        )
    return f"{id_type.label}上的姓名为汉字，少数民族姓名中间可有间隔号“·”"


def _at(index: int, char: str) -> str:
    """Where a character is, for a message: 第 3 个字符“2”, or its code when it cannot be seen."""
    category = unicodedata.category(char)
    if category.startswith(("C", "Z", "M")) or 0xE000 <= ord(char) <= 0xF8FF:
        return f"姓名第 {index + 1} 个字符（U+{ord(char):04X}）"
    return f"姓名第 {index + 1} 个字符“{char}”"


def check_citizen_name(id_type: IdType, raw: str, field: str = "citizen_name") -> str:
    """A citizen's name as the document shows it; refused with what is wrong, never changed.

    居民身份证 and 临时居民身份证: Chinese characters (Extensions A–I and the compatibility
    ideographs included), with the middle dot “·” between the parts of a 少数民族 name.
    Every other document (护照, 港澳/台湾居民来往通行证, 外国人永久居留身份证, 其他证件): either
    such a Chinese name or one in Latin letters (accents allowed) with spaces, hyphens,
    apostrophes and points between the parts; the two scripts are not mixed.
    """
    text = (raw or "").strip()
    if raw and not text:
        raise ValidationError("姓名只有空格，请填写群众姓名。", field)
    if not text:
        raise ValidationError("请填写群众姓名。", field)
    refuse_unstorable(text, field=field, label="群众姓名")
    limit = name_limit(id_type)
    if len(text) > limit:
        raise ValidationError(
            f"群众姓名不能超过 {limit} 个字（现有 {len(text)} 个），请按证件核对。", field
        )
    letter = next((c for c in text if _is_latin_letter(c)), "")
    chinese = any(is_ideograph(c) for c in text)
    if letter and not latin_names_allowed(id_type):
        raise ValidationError(
            f"{id_type.label}上的姓名为汉字，不能有字母“{letter}”。外国人请选择护照或"
            "外国人永久居留身份证；按拼音登记的请改填汉字。",
            field,
        )
    if letter and chinese:
        raise ValidationError(
            f"姓名中汉字和字母不能混写：请只填写{id_type.label}上的中文姓名或外文姓名之一。",
            field,
        )
    if letter:
        _check_latin_name(text, field)
    else:
        _check_chinese_name(text, field, latin_names_allowed(id_type))
    return text


def _check_chinese_name(text: str, field: str, latin: bool) -> None:
    previous = ""
    for index, char in enumerate(text):
        if is_ideograph(char) or (_is_variation_selector(char) and is_ideograph(previous or " ")):
            pass
        elif char == MIDDLE_DOT:
            if index == 0 or index == len(text) - 1 or previous == MIDDLE_DOT:
                raise ValidationError(
                    "间隔号“·”只能写在姓名的两部分之间（如 买买提·艾力），不能在首尾或连用。",
                    field,
                )
        elif char in _DOT_LOOKALIKES:
            raise ValidationError(
                f"{_at(index, char)}不是间隔号：少数民族姓名的间隔号请用“·”"
                "（中文输入法下按 ` 键）。",
                field,
            )
        elif char.isspace():
            raise ValidationError(
                f"汉字姓名中间不能有空格（第 {index + 1} 个字符），请删去。", field
            )
        else:
            raise ValidationError(f"{_at(index, char)}{_what(char, latin)}", field)
        previous = char


def _check_latin_name(text: str, field: str) -> None:
    previous = ""
    for index, char in enumerate(text):
        if _is_latin_letter(char):
            pass
        elif unicodedata.category(char) == "Mn" and _is_latin_letter(previous or " "):
            pass  # an accent typed as a combining mark (e + ◌́)
        elif char in _LATIN_SEPARATORS:
            if index == 0 or (previous in _LATIN_SEPARATORS and previous + char != ". "):
                raise ValidationError(
                    "外文姓名中的空格、连字符、撇号和点只能写在字母之间"
                    f"（第 {index + 1} 个字符）。",
                    field,
                )
        else:
            raise ValidationError(f"{_at(index, char)}{_what(char, True)}", field)
        previous = char


def _what(char: str, latin: bool) -> str:
    """What is wrong with a character found in a name, and what to do."""
    category = unicodedata.category(char)
    name = unicodedata.name(char, "")
    code = ord(char)
    if "FULLWIDTH" in name or "HALFWIDTH" in name:
        return "是全角字符，请切换到半角输入。"
    if category == "Nd" or char.isdigit():
        return "是数字，姓名中不能有数字。"
    if 0x2E80 <= code <= 0x2FDF:
        return "是部首符号，不是汉字（多为从 PDF 复制带入），请重新输入这个字。"
    if 0xE000 <= code <= 0xF8FF or code >= 0xF0000:
        return "是私用区字符（旧系统自造的字，别的电脑显示不出），请改用标准汉字。"
    if category.startswith(("C", "Z", "M")):
        return "是看不见的控制字符或附加符号（多为复制粘贴带入），请删去。"
    if category.startswith("L"):
        if latin:
            return "不是汉字也不是拉丁字母，请按证件上的中文或外文（拉丁字母）姓名填写。"
        return "不是汉字，请按证件上的汉字姓名填写。"
    return "是符号，姓名中不能有符号（少数民族姓名的间隔号为“·”）。"
