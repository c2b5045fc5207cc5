"""GB 11643 resident ID checks, other documents' formats, phones and masking."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from app.core.errors import ValidationError
from app.core.identity import (
    IdType,
    check_citizen_name,
    check_digit,
    check_id,
    check_phone,
    check_resident_id,
    mask_id,
    mask_phone,
    name_limit,
    normalise,
)

TODAY = dt.date(2026, 11, 22)
AREAS = ("110101", "310104", "440308", "510107", "650102", "330106", "820000")


def make_id(rng: random.Random) -> str:
    """A valid 18-character number built independently of the checker's own tables."""
    born = dt.date(1900, 1, 1) + dt.timedelta(
        days=rng.randrange((TODAY - dt.date(1900, 1, 1)).days)
    )
    first17 = f"{rng.choice(AREAS)}{born:%Y%m%d}{rng.randrange(1, 1000):03d}"
    total = sum(
        int(d) * w
        for d, w in zip(first17, (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2), strict=True)
    )
    return first17 + "10X98765432"[total % 11]


def test_thousands_of_generated_valid_numbers_pass() -> None:
    rng = random.Random(11643)
    for _ in range(5000):
        number = make_id(rng)
        checked = check_resident_id(number, TODAY)
        assert checked.number == number
        assert checked.birth_date == dt.date(
            int(number[6:10]), int(number[10:12]), int(number[12:14])
        )
        assert checked.male == (int(number[16]) % 2 == 1)


def test_a_published_example_checks_out() -> None:
    # The GB 11643-1999 example number.
    assert check_digit("11010519491231002") == "X"
    assert check_resident_id("11010519491231002X", TODAY).male is False


def test_lower_case_x_full_width_digits_and_spaces_are_normalised() -> None:
    assert check_resident_id("110105 1949 1231 002x", TODAY).number == "11010519491231002X"
    assert (
        check_resident_id("１１０１０５１９４９１２３１００２Ｘ", TODAY).number
        == "11010519491231002X"
    )
    assert normalise(" 4403-08 ") == "440308"


def test_a_legacy_15_digit_number_is_converted() -> None:
    checked = check_resident_id("110105491231002", TODAY)
    assert checked.converted_from_15
    assert checked.number == "11010519491231002X"


@pytest.mark.parametrize(
    ("number", "cause"),
    [
        ("", "请填写"),
        ("1101051949123100", "应为 18 位"),
        ("11010519491231002A", "末位为数字或 X"),
        ("1101051949123100XX", "前 17 位须为数字"),
        ("990105194912310026", "地址码无效"),
        ("110000194912310029", "地址码无效"),  # a province code alone is no address
        ("110105194902300021", "出生日期无效"),  # 30 February
        ("110105190002290022", "出生日期无效"),  # 1900 was not a leap year
        ("110105203001010028", "晚于今天"),
        ("110105189912310020", "早于 1900"),
        ("110105194912310000", "顺序码无效"),
        ("110105194912310021", "校验位不符"),
        ("11010549123100A", "只能由数字组成"),
        ("110105491302002", "出生日期无效"),
    ],
)
def test_each_failure_names_its_cause(number: str, cause: str) -> None:
    with pytest.raises(ValidationError) as err:
        check_resident_id(number, TODAY)
    assert cause in err.value.message
    assert err.value.field == "id_number"


def test_leap_day_births_are_real_dates() -> None:
    first17 = "11010520000229002"
    assert check_resident_id(first17 + check_digit(first17), TODAY).birth_date == dt.date(
        2000, 2, 29
    )


@pytest.mark.parametrize(
    ("id_type", "good", "bad"),
    [
        (IdType.PASSPORT, "E12345678", "E1"),
        (IdType.HK_MACAO, "H12345678", "X12345678"),
        (IdType.TAIWAN, "12345678", "1234567A"),
        (IdType.FOREIGN_PR, "USA110068012345", "US1100680123"),
        (IdType.OTHER, "ABC123", "!"),
    ],
)
def test_other_documents_have_their_own_format_checks(id_type: IdType, good: str, bad: str) -> None:
    assert check_id(id_type, good.lower(), TODAY).number == good
    with pytest.raises(ValidationError) as err:
        check_id(id_type, bad, TODAY)
    assert err.value.message


def test_temporary_id_is_checked_like_a_resident_id() -> None:
    with pytest.raises(ValidationError, match="校验位不符"):
        check_id(IdType.TEMPORARY, "110105194912310021", TODAY)
    assert check_id(IdType.TEMPORARY, "11010519491231002X", TODAY).id_type is IdType.TEMPORARY


@pytest.mark.parametrize(
    "phone", ["13805710011", "138 0571 0011", "+8613805710011", "0571-86001234", "010-12345678"]
)
def test_mobile_and_landline_with_area_code_are_accepted(phone: str) -> None:
    assert check_phone(phone).isdigit()


@pytest.mark.parametrize(
    ("phone", "cause"),
    [
        ("86001234", "请加区号"),
        ("12345678901", "格式不正确"),
        ("1380571001", "格式不正确"),
        ("", "请填写"),
    ],
)
def test_bad_phones_are_refused_with_a_reason(phone: str, cause: str) -> None:
    with pytest.raises(ValidationError, match=cause):
        check_phone(phone)


def test_masking_keeps_first_six_and_last_four() -> None:
    assert mask_id("11010519491231002X") == "110105********002X"
    assert mask_phone("13805710011") == "138****0011"


# ---- issue 21: no phone of letters, names as the document shows them ----------------------


@pytest.mark.parametrize(
    ("phone", "cause"),
    [
        ("abcdefghijk", "没有数字"),
        ("电话号码没有", "没有数字"),
        ("----", "没有数字"),
        ("138abc00138", "字母“a”"),
        ("0571(86001234)", "只能括住开头的区号"),
        ("(138)05710011", "只能括住开头的区号"),
        ("+85291234567", "+86"),
        ("13805710011#", "符号“#”"),
        ("0571-86001234转", "分机号"),
        ("13805710011转8001", "手机号不带分机号"),
        ("0571-86001234转1转2", "只能有一个"),
        ("138\u202e05710011", "U+202E"),
    ],
)
@pytest.mark.parametrize("required", [True, False])
def test_a_phone_with_anything_but_digits_separators_86_and_extension_is_refused(
    phone: str, cause: str, required: bool
) -> None:
    with pytest.raises(ValidationError) as caught:
        check_phone(phone, required=required)  # optional or not: never stored as no phone

    assert cause in caught.value.message and caught.value.field == "phone"


def test_letters_in_a_mobile_are_named_not_taken_for_a_missing_area_code() -> None:
    with pytest.raises(ValidationError) as caught:
        check_phone("138abc00138")

    assert "区号" not in caught.value.message and "字母" in caught.value.message


@pytest.mark.parametrize(
    ("phone", "stored"),
    [
        ("+86 138-0571-0011", "13805710011"),
        ("138 0571 0011", "13805710011"),
        ("0571－86001234", "057186001234"),
        ("(0571)86001234", "057186001234"),  # brackets round the area code, as many write it
        ("（0571）8600 1234", "057186001234"),
        ("１３８０５７１００１１", "13805710011"),  # full-width digits are digits
        ("0571-86001234 转 8001", "057186001234转8001"),
        ("", ""),
    ],
)
def test_digits_spaces_hyphens_86_and_an_extension_are_taken(phone: str, stored: str) -> None:
    assert check_phone(phone, required=False) == stored


def test_an_extension_stays_visible_behind_the_mask() -> None:
    assert mask_phone("057186001234转8001") == "057*****1234转8001"


EXTENSIONS = "㐀𠮷𪜊𫝊𫠪𬺺\U00030000\U00031350\uf900\U0002f800"


@pytest.mark.parametrize(
    ("id_type", "name"),
    [
        (IdType.RESIDENT, "张三"),
        (IdType.RESIDENT, "买买提·艾力"),
        (IdType.RESIDENT, EXTENSIONS),  # Extensions A–G (and H), both compatibility blocks
        (IdType.TEMPORARY, "欧阳明月"),
        (IdType.PASSPORT, "John Smith"),
        (IdType.PASSPORT, "Anne-Marie O'Neil"),
        (IdType.PASSPORT, "José Müller"),
        (IdType.PASSPORT, "张三"),  # a Chinese citizen's passport carries the Chinese name
        (IdType.HK_MACAO, "陈大文"),
        (IdType.HK_MACAO, "CHAN Tai Man"),
        (IdType.FOREIGN_PR, "Maria de los Angeles Garcia Fernandez"),  # 37 letters
    ],
)
def test_names_are_taken_as_the_document_shows_them(id_type: IdType, name: str) -> None:
    assert check_citizen_name(id_type, f" {name} ") == name


@pytest.mark.parametrize(
    ("id_type", "name", "cause"),
    [
        (IdType.RESIDENT, "John Smith", "不能有字母“J”"),
        (IdType.TEMPORARY, "Zhang San", "不能有字母"),
        (IdType.RESIDENT, "张 三", "不能有空格"),
        (IdType.RESIDENT, "陈静2", "数字"),
        (IdType.RESIDENT, "买买提・艾力", "间隔号请用“·”"),
        (IdType.RESIDENT, "·艾力", "两部分之间"),
        (IdType.RESIDENT, "⼈民", "部首"),
        (IdType.RESIDENT, "张\u202e三", "U+202E"),
        (IdType.RESIDENT, "ＺＨＡＮＧ", "全角"),
        (IdType.RESIDENT, "   ", "只有空格"),
        (IdType.RESIDENT, "张" * 31, "不能超过 30 个字（现有 31 个）"),
        (IdType.PASSPORT, "A" * 41, "不能超过 40 个字"),
        (IdType.HK_MACAO, "陈大文 CHAN Tai Man", "不能混写"),
        (IdType.PASSPORT, "Smith#", "符号"),
        (IdType.PASSPORT, "-Smith", "字母之间"),
    ],
)
def test_a_name_against_its_document_is_refused_saying_what_is_wrong(
    id_type: IdType, name: str, cause: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        check_citizen_name(id_type, name)

    assert cause in caught.value.message and caught.value.field == "citizen_name"


def test_a_name_limit_follows_the_document() -> None:
    assert (name_limit(IdType.RESIDENT), name_limit(IdType.PASSPORT)) == (30, 40)
