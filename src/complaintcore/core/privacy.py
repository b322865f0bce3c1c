"""Masking personal data in free text (PRV-1), shared by messages, views and logs.

Pure: regular expressions over strings, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from complaintcore.core.models import mask

__all__ = ["redact"]

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_D = "[0-9\uff10-\uff19]"  # ASCII and full-width digits
_SEP = "[ \\-\uff0d\u3000]"  # space, hyphen, full-width hyphen, ideographic space
# A phone-like run, either international -- "+" (or "＋") and a country code, then
# digit groups of any length, one of them perhaps in brackets: +852 9123 4567,
# +1 (415) 555-0100, +44 20 7946 0958 -- or digits in groups of 3+ joined by one
# separator, with an optional ID-card check letter (00852 9123 4567, 010-62345678).
# Not preceded by an ASCII word character or "X-" (so ids like "C-20251114-0001"
# and decimals survive); Chinese text right before the digits ("电话13812345678")
# does not protect them.
_PHONE = re.compile(
    r"(?<![A-Za-z0-9_.+\uff0b])(?<![A-Za-z0-9_]-)"
    rf"(?:[+\uff0b]{_D}{{1,3}}(?:{_SEP}?\(?{_D}+\)?)+"
    rf"|{_D}{{3,}}(?:{_SEP}{_D}{{3,}})*[Xx]?)"
    r"(?![A-Za-z0-9_])"
)
_MIN_PHONE_DIGITS = 7
_NOT_KEPT = re.compile(rf"{_SEP}|[()]")


def _mask_phone(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = sum(c.isdigit() for c in text)
    return mask(_NOT_KEPT.sub("", text)) if digits >= _MIN_PHONE_DIGITS else text


def _mask_email(match: re.Match[str]) -> str:
    local, _, domain = match.group(0).partition("@")
    return f"{mask(local)}@{domain}"


def redact(text: str, *, also: Iterable[str] = ()) -> str:
    """Mask personal data in free text for logs and shared channels (PRV-1).

    Masks every phone-like digit run of 7 or more digits (mobiles such as
    ``13812345678``, ``+86 138 1234 5678``, ``010-12345678``, numbers in
    international form such as ``+852 9123 4567`` or ``+1 (415) 555-0100``,
    full-width digits, ID-card and bank numbers), the local part of every
    e-mail address, and each literal in
    ``also`` (names, room numbers: pass the values you know are personal).
    Dates (``2025-11-14``), times and ids glued to letters stay readable.
    """
    for literal in sorted({v for v in also if len(v.strip()) > 1}, key=len, reverse=True):
        text = text.replace(literal, mask(literal))
    text = _EMAIL.sub(_mask_email, text)
    return _PHONE.sub(_mask_phone, text)
