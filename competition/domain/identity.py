"""Identity documents and masking (api.md, "Users and enterprises"; roles.md).

居民身份证 numbers are fully validated: 18 characters, a 6-digit region code not starting with 0,
a real date of birth (YYYYMMDD in positions 7-14, from 1900 and not in the future), a 3-digit
sequence and a check character (ISO 7064 MOD 11-2, ``0``-``9`` or ``X``). Other document types
get a length and character-set check only. ID and phone numbers never leave the API unmasked except
to admin and the person's own HR; ``mask_id_number`` and ``mask_phone`` give the masked form.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

__all__ = [
    "ID_TYPES",
    "RESIDENT_ID_CARD",
    "IdNumberError",
    "id_check_char",
    "mask_id_number",
    "mask_phone",
    "validate_id_number",
]

RESIDENT_ID_CARD = "居民身份证"
ID_TYPES: tuple[str, ...] = (
    RESIDENT_ID_CARD,
    "港澳居民居住证",
    "台湾居民居住证",
    "港澳居民来往内地通行证",
    "台湾居民来往大陆通行证",
    "护照",
    "外国人永久居留身份证",
)
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # 2^(17-i) mod 11
_CHECK_CHARS = "10X98765432"  # indexed by the weighted sum mod 11
_RESIDENT_ID_RE = re.compile(r"[1-9]\d{16}[\dX]", re.ASCII)
_OTHER_ID_RE = re.compile(r"[A-Z0-9][A-Z0-9-]{3,30}[A-Z0-9]", re.ASCII)
_EARLIEST_BIRTH_YEAR = 1900
_DEFAULT_TIMEZONE = ZoneInfo("Asia/Shanghai")


class IdNumberError(ValueError):
    """An unacceptable ID type or number; ``str(error)`` is a message fit for a 422 field error."""


def id_check_char(first17: str) -> str:
    """The 18th character of a 居民身份证 number from its first 17 digits (ISO 7064 MOD 11-2)."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("need exactly 17 digits")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS))
    return _CHECK_CHARS[total % 11]


def validate_id_number(id_type: str, id_number: str, *, today: date | None = None) -> str:
    """The number normalised (spaces stripped, letters upper-case), or ``IdNumberError`` saying what is
    wrong. ``today`` (default: today in Asia/Shanghai) bounds a 居民身份证 date of birth."""
    if id_type not in ID_TYPES:
        raise IdNumberError(f"unknown ID type {id_type!r}; expected one of {', '.join(ID_TYPES)}")
    if not isinstance(id_number, str):
        raise IdNumberError("ID number must be a string")
    number = id_number.strip().upper()
    if id_type == RESIDENT_ID_CARD:
        _check_resident_id(number, today or datetime.now(_DEFAULT_TIMEZONE).date())
    elif not _OTHER_ID_RE.fullmatch(number):
        raise IdNumberError(f"{id_type} number must be 5..32 letters and digits (inner hyphens allowed)")
    return number


def _check_resident_id(number: str, today: date) -> None:
    if len(number) != 18:
        raise IdNumberError(f"居民身份证 number must have 18 characters, not {len(number)}")
    if not _RESIDENT_ID_RE.fullmatch(number):
        if number[0] == "0":
            raise IdNumberError("居民身份证 number: the region code (first 6 digits) cannot start with 0")
        raise IdNumberError("居民身份证 number must be 17 digits followed by a digit or X")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdNumberError(f"居民身份证 number: {number[6:14]} (positions 7-14) "
                            "is not a valid date of birth") from None
    if born > today or born.year < _EARLIEST_BIRTH_YEAR:
        raise IdNumberError(f"居民身份证 number: date of birth {born.isoformat()} is not plausible "
                            f"(must be from {_EARLIEST_BIRTH_YEAR} and not in the future)")
    expected = id_check_char(number[:17])
    if number[17] != expected:
        raise IdNumberError(f"居民身份证 number: wrong check character {number[17]} (expected {expected}); "
                            "please check the number for a typing error")


def mask_id_number(id_number: str) -> str:
    """Keep the first k and last k characters, k = min(4, length // 4), and replace each character
    between with ``*``: an 18-character 居民身份证 becomes ``2101**********1234``, a 9-character
    passport ``E1*****78``; numbers under 4 characters are all ``*``."""
    number = id_number.strip()
    keep = min(4, len(number) // 4)
    if keep == 0:
        return "*" * len(number)
    return number[:keep] + "*" * (len(number) - 2 * keep) + number[-keep:]


def mask_phone(phone: str) -> str:
    """An 11-digit mobile number keeps its first 3 and last 4 digits (``138****5678``); other numbers of
    7 characters or more keep only their last 4; shorter ones are all ``*``."""
    number = phone.strip()
    if len(number) >= 11:
        return number[:3] + "*" * (len(number) - 7) + number[-4:]
    if len(number) >= 7:
        return "*" * (len(number) - 4) + number[-4:]
    return "*" * len(number)
