"""Resident identity card numbers (居民身份证号码, GB 11643-1999).

18 characters: a 6-digit address code, an 8-digit birth date, a 3-digit sequence and an
ISO 7064 MOD 11-2 check character (0-9 or X). First-generation 15-digit numbers stopped being
valid in 2013 and are refused.
"""

from __future__ import annotations

import re
from datetime import date

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
PROVINCE_PREFIXES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82 83".split()
)
_SHAPE = re.compile(r"^\d{17}[\dX]$")


class IdNumberError(ValueError):
    """The reason a number is not a valid 身份证号; ``code`` is stable, the message is for logs."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def normalize(raw: str) -> str:
    """Strip spaces and use a capital X, as clerks type it every way."""
    return raw.strip().replace(" ", "").upper()


def check_char(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def birth_date(number: str) -> date:
    return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def validate(raw: str, *, today: date | None = None) -> str:
    """Return the normalised number, or raise IdNumberError with a code:
    ``length``, ``region``, ``birth_date`` or ``checksum``."""
    number = normalize(raw)
    if not _SHAPE.match(number):
        raise IdNumberError("length", "must be 17 digits followed by a digit or X")
    if number[:2] not in PROVINCE_PREFIXES:
        raise IdNumberError("region", "unknown province code")
    try:
        born = birth_date(number)
    except ValueError as exc:
        raise IdNumberError("birth_date", "impossible birth date") from exc
    if born.year < 1890 or (today is not None and born > today):
        raise IdNumberError("birth_date", "impossible birth date")
    if check_char(number[:17]) != number[17]:
        raise IdNumberError("checksum", "check character does not match")
    return number


def mask(number: str) -> str:
    """430421199001011234 → 430421********1234 (region kept for 属地 work, birth date hidden)."""
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678; short landline numbers keep only the last 4 digits."""
    digits = phone.strip()
    if len(digits) >= 11:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    if len(digits) > 4:
        return "*" * (len(digits) - 4) + digits[-4:]
    return digits
