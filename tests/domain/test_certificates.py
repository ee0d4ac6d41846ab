"""competition.domain.certificates: numbers, enterprise settings, masked names (promotion.md, "Certificates")."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from competition.domain.certificates import (
    CERT_NUMBER_RE,
    CertificateNumber,
    CertificateSettings,
    CertificateSettingsError,
    certificate_number,
    certificate_prefix,
    is_certificate_number,
    mask_name,
    parse_certificate_number,
    validate_certificate_settings,
)

LIAONING = {"cert_prefix": "Y", "org_code": "0000", "province_code": "21", "site_code": "000001"}


def test_prefix_and_number_of_a_liaoning_employer():
    prefix = certificate_prefix("Y", "0000", "21", "000001", 2025, 2)
    assert prefix == "Y000021000001252"
    assert len(prefix) == 16
    number = certificate_number(prefix, 37)
    assert number == "Y000021000001252000037"
    assert len(number) == 22 and CERT_NUMBER_RE.fullmatch(number) and is_certificate_number(number)


def test_parse_certificate_number():
    parsed = parse_certificate_number("S123421654321241999999")
    assert parsed == CertificateNumber(kind="S", org_code="1234", province_code="21", site_code="654321",
                                       year="24", level=1, serial=999999)
    assert parsed.prefix == "S12342165432124" + "1"


@pytest.mark.parametrize("number", [
    "", "Y00002100000125200003", "Y0000210000012520000371", "X000021000001252000037",
    "Y000021000001256000037", "Y000021000001250000037", "y000021000001252000037",
    "Y００００21000001252000037", "Y000021000001252000037\n", None,
])
def test_not_a_certificate_number(number):
    assert not (isinstance(number, str) and CERT_NUMBER_RE.fullmatch(number))
    assert not is_certificate_number(number)
    with pytest.raises(ValueError):
        parse_certificate_number(number)


@given(kind=st.sampled_from("YS"), org=st.from_regex(r"\A[0-9]{4}\Z"), province=st.from_regex(r"\A[0-9]{2}\Z"),
       site=st.from_regex(r"\A[0-9]{6}\Z"), year=st.integers(2000, 2099), level=st.integers(1, 5),
       serial=st.integers(1, 999_999))
def test_generated_numbers_match_the_format_and_parse_back(kind, org, province, site, year, level, serial):
    number = certificate_number(certificate_prefix(kind, org, province, site, year, level), serial)
    assert CERT_NUMBER_RE.fullmatch(number) and len(number) == 22
    parsed = parse_certificate_number(number)
    assert (parsed.kind, parsed.org_code, parsed.province_code, parsed.site_code) == (kind, org, province, site)
    assert (int(parsed.year), parsed.level, parsed.serial) == (year % 100, level, serial)


@pytest.mark.parametrize("serial", [0, -1, 1_000_000, True, "1"])
def test_bad_serial(serial):
    with pytest.raises(ValueError):
        certificate_number("Y000021000001252", serial)


@pytest.mark.parametrize("prefix", ["Y00002100000125", "Y0000210000012520", "Z000021000001252"])
def test_bad_prefix(prefix):
    with pytest.raises(ValueError):
        certificate_number(prefix, 1)


@pytest.mark.parametrize(("year", "level"), [(1999, 2), (2100, 2), (25, 2), (2025, 0), (2025, 6), (2025, None)])
def test_bad_year_or_level(year, level):
    with pytest.raises(ValueError):
        certificate_prefix("Y", "0000", "21", "000001", year, level)


def test_valid_settings():
    settings = validate_certificate_settings({**LIAONING, "code": "ACME", "name": "某公司"})
    assert settings == CertificateSettings("Y", "0000", "21", "000001")
    assert settings.prefix(2026, 3) == "Y000021000001263"


@pytest.mark.parametrize(("field", "value"), [
    ("cert_prefix", "X"), ("cert_prefix", "y"), ("cert_prefix", "YS"), ("org_code", "000"),
    ("org_code", "00000"), ("org_code", "abcd"), ("province_code", "2"), ("province_code", 21),
    ("site_code", "00001"), ("site_code", "0000001"), ("site_code", "００００01"), ("site_code", None),
])
def test_bad_settings_name_the_field(field, value):
    with pytest.raises(CertificateSettingsError) as caught:
        validate_certificate_settings({**LIAONING, field: value})
    assert list(caught.value.errors) == [field]


def test_missing_settings_are_all_reported():
    with pytest.raises(CertificateSettingsError) as caught:
        validate_certificate_settings({})
    assert set(caught.value.errors) == set(LIAONING)


def test_prefix_refuses_bad_settings():
    with pytest.raises(CertificateSettingsError):
        certificate_prefix("Y", "0000", "210", "000001", 2025, 2)


@pytest.mark.parametrize(("name", "masked"), [
    ("张三丰", "张*丰"), ("欧阳明华", "欧**华"), ("李四", "李*"), ("王", "*"),
    ("阿依古丽·买买提", "阿******提"), (" 李四 ", "李*"), ("", ""),
])
def test_mask_name(name, masked):
    assert mask_name(name) == masked
