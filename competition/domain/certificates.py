"""Certificate numbers, enterprise certificate settings and name masking
(promotion.md, "Certificates (职业技能等级证书)").

A number has 22 characters: ``Y`` (employer evaluation) or ``S`` (social evaluation organisation),
the 4-digit evaluation-organisation code (0000 when filed with the province), the 2-digit province
code (Liaoning 21), the 6-digit site code, the 2-digit year of issue, the level digit and a 6-digit
serial. Everything before the serial (16 characters) is the *prefix*; serials never repeat for the
same prefix (the database layer allocates them).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from competition.domain.levels import is_national_level

__all__ = [
    "CERT_KINDS",
    "CERT_NUMBER_RE",
    "MAX_SERIAL",
    "CertificateNumber",
    "CertificateSettings",
    "CertificateSettingsError",
    "certificate_number",
    "certificate_prefix",
    "is_certificate_number",
    "mask_name",
    "parse_certificate_number",
    "validate_certificate_settings",
]

# The spec's pattern. ASCII digits only: Python's \d would also accept full-width digits. Match with
# ``fullmatch`` (or ``is_certificate_number``): with ``match``, ``$`` also accepts a trailing newline.
CERT_NUMBER_RE = re.compile(r"^[YS]\d{4}\d{2}\d{6}\d{2}[1-5]\d{6}$", re.ASCII)
_PARSE_RE = re.compile(
    r"(?P<kind>[YS])(?P<org_code>\d{4})(?P<province_code>\d{2})(?P<site_code>\d{6})"
    r"(?P<year>\d{2})(?P<level>[1-5])(?P<serial>\d{6})",
    re.ASCII,
)
CERT_KINDS: tuple[str, ...] = ("Y", "S")
PREFIX_LENGTH = 16
MAX_SERIAL = 999_999
# Enterprise setting -> (pattern, message); api.md POST /enterprises.
_SETTINGS: dict[str, tuple[re.Pattern[str], str]] = {
    "cert_prefix": (re.compile(r"[YS]", re.ASCII),
                    "Must be Y (employer evaluation) or S (social evaluation organisation)."),
    "org_code": (re.compile(r"\d{4}", re.ASCII), "Must be 4 digits (0000 when filed with the province)."),
    "province_code": (re.compile(r"\d{2}", re.ASCII), "Must be 2 digits (Liaoning is 21)."),
    "site_code": (re.compile(r"\d{6}", re.ASCII), "Must be 6 digits."),
}


@dataclass(frozen=True)
class CertificateSettings:
    """An enterprise's certificate-number settings: the first four parts of every number it issues."""

    cert_prefix: str
    org_code: str
    province_code: str
    site_code: str

    def prefix(self, year: int, level: int) -> str:
        return certificate_prefix(self.cert_prefix, self.org_code, self.province_code, self.site_code,
                                  year, level)


class CertificateSettingsError(ValueError):
    """Invalid settings (422); ``errors`` maps each bad field to a list of messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in errors.items()))
        self.errors = errors


def validate_certificate_settings(data: Mapping[str, object]) -> CertificateSettings:
    """Check ``cert_prefix`` (Y/S), ``org_code`` (4 digits), ``province_code`` (2 digits) and
    ``site_code`` (6 digits) of an enterprise payload; other keys are left to the caller."""
    errors: dict[str, list[str]] = {}
    for field, (pattern, message) in _SETTINGS.items():
        value = data.get(field)
        if not isinstance(value, str) or not pattern.fullmatch(value):
            errors[field] = [message]
    if errors:
        raise CertificateSettingsError(errors)
    return CertificateSettings(**{field: str(data[field]) for field in _SETTINGS})


def certificate_prefix(kind: str, org_code: str, province_code: str, site_code: str,
                       year: int, level: int) -> str:
    """The 16 characters before the serial; ``year`` is the full year of issue (2025 → "25")."""
    settings = {"cert_prefix": kind, "org_code": org_code, "province_code": province_code,
                "site_code": site_code}
    validate_certificate_settings(settings)
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2099:
        raise ValueError(f"year of issue must be 2000..2099, not {year!r}")
    if not is_national_level(level):
        raise ValueError(f"level must be 1..5, not {level!r}")
    return f"{kind}{org_code}{province_code}{site_code}{year % 100:02d}{level}"


def certificate_number(prefix: str, serial: int) -> str:
    """The full 22-character number: ``prefix`` plus the serial (1..999999) as 6 digits."""
    if isinstance(serial, bool) or not isinstance(serial, int) or not 1 <= serial <= MAX_SERIAL:
        raise ValueError(f"serial must be 1..{MAX_SERIAL}, not {serial!r}")
    number = f"{prefix}{serial:06d}"
    if len(prefix) != PREFIX_LENGTH or not is_certificate_number(number):
        raise ValueError(f"not a certificate-number prefix: {prefix!r}")
    return number


@dataclass(frozen=True)
class CertificateNumber:
    kind: str
    org_code: str
    province_code: str
    site_code: str
    year: str  # the two digits printed in the number
    level: int
    serial: int

    @property
    def prefix(self) -> str:
        return f"{self.kind}{self.org_code}{self.province_code}{self.site_code}{self.year}{self.level}"


def is_certificate_number(text: object) -> bool:
    """True when ``text`` is exactly a certificate number (22 characters, ``CERT_NUMBER_RE``)."""
    return isinstance(text, str) and CERT_NUMBER_RE.fullmatch(text) is not None


def parse_certificate_number(number: str) -> CertificateNumber:
    """Split a number into its parts; ``ValueError`` when it does not match ``CERT_NUMBER_RE``."""
    match = _PARSE_RE.fullmatch(number) if isinstance(number, str) else None
    if match is None:
        raise ValueError(f"not a certificate number: {number!r}")
    parts = match.groupdict()
    return CertificateNumber(
        kind=parts["kind"], org_code=parts["org_code"], province_code=parts["province_code"],
        site_code=parts["site_code"], year=parts["year"], level=int(parts["level"]),
        serial=int(parts["serial"]),
    )


def mask_name(name: str) -> str:
    """The public verification page's name: keep the first and last character and replace each one
    between with ``*`` (张三丰 → 张*丰, 欧阳明华 → 欧**华); two characters keep the first (李四 → 李*);
    one character is ``*``. Surrounding spaces are ignored."""
    name = name.strip()
    if len(name) <= 1:
        return "*" * len(name)
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
