"""Masking personal data in free text (PRV-1), shared by messages, views and logs.

Pure: regular expressions over strings, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from complaintcore.core.models import mask

__all__ = ["redact"]

# An address starts where a run of its characters starts (the lookbehind), and
# that run is read once (possessive: "@" is not among them): a 10,000-character
# link or base64 run without "@" costs one scan, not one per character.
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]++@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
_D = "[0-9\uff10-\uff19]"  # ASCII and full-width digits
# Hyphens and dashes people type between digit groups: hyphen, non-breaking hyphen,
# figure dash, en dash, em dash, minus sign, full-width hyphen.
_DASH = "\\-\u2010\u2011\u2012\u2013\u2014\u2212\uff0d"
# space, no-break space, ideographic space, or a dash
_SEP = f"[ \u00a0\u3000{_DASH}]"
# A dot or slash separates digits in phones (138.1234.5678) but also in decimals,
# dates and IP addresses, so it counts only between three or more groups joined
# by the same character, one of them four digits or longer (see _mask_phone).
_DOT_SLASH = rf"{_D}{{3,}}(?P<ds>[./\uff0e\uff0f]){_D}{{3,}}(?:(?P=ds){_D}{{3,}})+"
# A mainland mobile (1[3-9] and 9 more digits, perhaps in 3-4-4 groups, perhaps
# after +86) is masked even glued to letters ("Tel13912345678", "Tel+86 139…"):
# only a digit, "." or "+" right before or a digit right after protects it.
_MOBILE = (
    r"(?<![0-9\uff10-\uff19.+\uff0b])"
    rf"(?:(?:[+\uff0b]|[0\uff10]{{2}})?[8\uff18][6\uff16]{_SEP}?)?"
    rf"[1\uff11][3-9\uff13-\uff19]{_D}(?:{_SEP}?{_D}{{4}}){{2}}"
    r"(?![0-9\uff10-\uff19])"
)
# A phone-like run, either international -- "+" (or "＋") and a country code, then
# digit groups of any length, one of them perhaps in brackets: +852 9123 4567,
# +1 (415) 555-0100, +44 20 7946 0958 -- or digits in groups of 3+ joined by one
# separator, with an optional ID-card check letter (00852 9123 4567, 010-62345678,
# 138.1234.5678), or single digits spelled out one by one (1 3 8 1 2 3 4 5 6 7 8).
# After the first, a group starts at a separator or a bracket: one run of digits
# is never split into groups (with a letter glued to it, trying every split took
# 2^n steps).
# Not preceded by an ASCII word character or "X-" (so ids like "C-20251114-0001"
# and decimals survive) unless it is shaped as a mobile; Chinese text right
# before the digits ("电话13812345678") does not protect them.
_PHONE = re.compile(
    r"(?<![A-Za-z0-9_.+\uff0b])"
    rf"(?<![A-Za-z0-9_][{_DASH}])"
    rf"(?:[+\uff0b]{_D}{{1,3}}{_SEP}?\(?{_D}+\)?(?:(?:{_SEP}\(?|\(|(?<=\))){_D}+\)?)*"
    rf"|{_DOT_SLASH}"
    rf"|{_D}{{3,}}(?:{_SEP}{_D}{{3,}})*[Xx]?"
    rf"|{_D}(?:{_SEP}{_D}){{6,}})"
    r"(?![A-Za-z0-9_])"
    rf"|{_MOBILE}"
)
_MIN_PHONE_DIGITS = 7
_NOT_KEPT = re.compile(rf"{_SEP}|[()./\uff0e\uff0f]")


def _mask_phone(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = sum(c.isdigit() for c in text)
    dot_slash = match.group("ds")
    if dot_slash and max(len(g) for g in text.split(dot_slash)) < 4:
        return text  # an IP address such as 192.168.100.200, not a phone
    return mask(_NOT_KEPT.sub("", text)) if digits >= _MIN_PHONE_DIGITS else text


def _mask_email(match: re.Match[str]) -> str:
    local, _, domain = match.group(0).partition("@")
    return f"{mask(local)}@{domain}"


def redact(text: str, *, also: Iterable[str] = ()) -> str:
    """Mask personal data in free text for logs and shared channels (PRV-1).

    Masks every phone-like digit run of 7 or more digits (mobiles such as
    ``13812345678``, ``+86 138 1234 5678``, ``010-12345678``, numbers in
    international form such as ``+852 9123 4567`` or ``+1 (415) 555-0100``,
    full-width digits, ID-card and bank numbers), written with spaces, dashes,
    dots or slashes (``138.1234.5678``) or digit by digit, and mainland mobiles
    even glued to letters (``Tel13912345678``); the local part of every
    e-mail address, and each literal in
    ``also`` (names, room numbers: pass the values you know are personal).
    Dates (``2025-11-14``), times, decimals, IP addresses and other ids glued
    to letters stay readable.
    """
    for literal in sorted({v for v in also if len(v.strip()) > 1}, key=len, reverse=True):
        text = text.replace(literal, mask(literal))
    text = _EMAIL.sub(_mask_email, text)
    return _PHONE.sub(_mask_phone, text)
