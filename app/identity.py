"""Identity documents and phone numbers: normalise, check (GB 11643 for resident IDs), mask."""

from __future__ import annotations

import datetime as dt
import enum
import re
import unicodedata
from dataclasses import dataclass

from app.errors import ValidationError

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
    """Digits only, without +86, as phones are stored."""
    text = re.sub(r"[^\d+]", "", unicodedata.normalize("NFKC", raw or ""))
    return text[3:] if text.startswith("+86") else text.lstrip("+")


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


def check_phone(raw: str, field: str = "phone", required: bool = True) -> str:
    """An 11-digit mobile, or a landline with its area code (0571-86001234); returns digits."""
    text = normalise_phone(raw)
    if not text:
        if required:
            raise ValidationError("请填写联系电话。", field)
        return ""
    if _MOBILE.match(text) or _LANDLINE.match(text):
        return text
    if text.isdigit() and len(text) in (7, 8):
        raise ValidationError("固定电话请加区号，如 0571-86001234。", field)
    raise ValidationError("电话号码格式不正确：应为 11 位手机号或带区号的固定电话。", field)


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
    """A phone with the middle digits hidden: 138****0011."""
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
