"""GB 11643 resident ID checks, other documents' formats, phones and masking."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from app.errors import ValidationError
from app.identity import (
    IdType,
    check_digit,
    check_id,
    check_phone,
    check_resident_id,
    mask_id,
    mask_phone,
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
