"""competition.domain.identity: 居民身份证 validation, other ID types, masking."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, strategies as st

from competition.domain.identity import (
    ID_TYPES,
    RESIDENT_ID_CARD,
    IdNumberError,
    id_check_char,
    mask_id_number,
    mask_phone,
    validate_id_number,
)

TODAY = date(2025, 6, 1)
# Valid numbers, check characters worked out independently (see reference_check_char).
VALID = ["11010519491231002X", "210102199003071233", "440304200002295675", "650101200512310010",
         "210203198510104009"]


def reference_check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 written from its definition: weights 2^(17-i) mod 11, check = (12 - S mod 11) mod 11."""
    total = sum(int(digit) * pow(2, 17 - i, 11) for i, digit in enumerate(first17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def check(number: str, id_type: str = RESIDENT_ID_CARD) -> str:
    return validate_id_number(id_type, number, today=TODAY)


def error_of(number: str, id_type: str = RESIDENT_ID_CARD) -> str:
    with pytest.raises(IdNumberError) as caught:
        check(number, id_type)
    return str(caught.value)


@pytest.mark.parametrize("number", VALID)
def test_valid_resident_id_numbers(number):
    assert check(number) == number
    assert reference_check_char(number[:17]) == number[17]


def test_lower_case_x_and_spaces_are_normalised():
    assert check(" 11010519491231002x ") == "11010519491231002X"


@given(st.from_regex(r"\A[1-9][0-9]{16}\Z"))
def test_check_char_matches_the_reference(first17):
    assert id_check_char(first17) == reference_check_char(first17)


@pytest.mark.parametrize("number", ["110105194912310021", "210102199003071234", "440304200002295676",
                                    "65010120051231001X"])
def test_wrong_check_character(number):
    assert "check character" in error_of(number)


def test_wrong_check_character_says_so():
    assert "wrong check character 1 (expected X)" in error_of("110105194912310021")


@pytest.mark.parametrize("number", ["", "11010519491231002", "11010519491231002X1", "1101051949123100"])
def test_length_must_be_18(number):
    assert "18 characters" in error_of(number)


def test_only_digits_then_digit_or_x():
    assert "17 digits" in error_of("1101051949123100AX")
    assert "17 digits" in error_of("11010519491231002A")
    assert "17 digits" in error_of("１１0105194912310029")


def test_region_code_cannot_start_with_0():
    first17 = "01010519491231002"
    assert "region code" in error_of(first17 + reference_check_char(first17))


@pytest.mark.parametrize("birth", ["19490230", "19491301", "19490000", "20250602", "18991231"])
def test_date_of_birth_must_be_real_and_not_in_the_future(birth):
    first17 = f"110105{birth}002"
    message = error_of(first17 + reference_check_char(first17))
    assert "date of birth" in message


def test_born_today_is_fine():
    first17 = "11010520250601002"
    check(first17 + reference_check_char(first17))


@pytest.mark.parametrize(("id_type", "number"), [
    ("护照", "E12345678"), ("护照", "g1234567"), ("港澳居民来往内地通行证", "H12345678"),
    ("台湾居民来往大陆通行证", "12345678"), ("外国人永久居留身份证", "USA123456789012"),
    ("港澳居民居住证", "810000199408230021"), ("护照", "AB-1234-5"),
])
def test_other_id_types_get_a_length_and_charset_check(id_type, number):
    assert check(number, id_type) == number.upper()


@pytest.mark.parametrize("number", ["E123", "", "E1234567 8", "张三12345", "-E12345678", "E" * 33, "E12345678@"])
def test_bad_other_id_numbers(number):
    assert "护照" in error_of(number, "护照")


def test_unknown_id_type():
    assert "unknown ID type" in error_of("E12345678", "驾驶证")


def test_id_types():
    assert ID_TYPES[0] == RESIDENT_ID_CARD == "居民身份证"
    assert "护照" in ID_TYPES and "港澳居民来往内地通行证" in ID_TYPES
    assert len(set(ID_TYPES)) == len(ID_TYPES)


def test_default_today_accepts_an_old_number():
    assert validate_id_number(RESIDENT_ID_CARD, "11010519491231002X") == "11010519491231002X"


@pytest.mark.parametrize(("number", "masked"), [
    ("210102199003071234", "2101**********1234"),
    ("11010519491231002X", "1101**********002X"),
    ("E12345678", "E1*****78"),
    ("H1234567", "H1****67"),
    ("1234", "1**4"),
    ("123", "***"),
    ("", ""),
])
def test_mask_id_number(number, masked):
    assert mask_id_number(number) == masked


@given(st.text(alphabet="0123456789X", min_size=8, max_size=32))
def test_masked_id_hides_at_least_half(number):
    masked = mask_id_number(number)
    assert len(masked) == len(number)
    assert masked.count("*") >= len(number) / 2


@pytest.mark.parametrize(("phone", "masked"), [
    ("13812345678", "138****5678"),
    ("+8613812345678", "+86*******5678"),
    ("02487654321", "024****4321"),
    ("87654321", "****4321"),
    ("12345", "*****"),
    ("", ""),
])
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked
