"""Review s49V: a phone in international form written with dots or slashes is
masked, whatever its country code, and a +86 landline without the 0 of its area
code too (F01); a mobile or an area code and a number whose groups are joined by
a dot or slash and a space or dash together is masked whole (F03).  PRV-1.

Expected texts are counted by hand: ``models.mask`` keeps the last two characters
of a value that starts with a digit or "+" and stars the rest; what is masked is
the number's digits and its "+" (spaces, dots, slashes, dashes and brackets go
with it): ``+852.9123.4567`` holds ``+85291234567``, twelve characters, so ten
stars and ``67``.
"""

from __future__ import annotations

import pytest

from complaintcore.core.privacy import redact
from tests.unit.test_redaction import slow_runs

# --------------------------------------------------------------------------- F01


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # +85291234567: 12 characters, 10 stars and "67"
        ("+852.9123.4567", "**********67"),
        ("+852/9123/4567", "**********67"),
        ("电话+852.9123.4567。", "电话**********67。"),
        # +14155550100: 12 characters, 10 stars and "00"
        ("+1.415.555.0100", "**********00"),
        # +442079460958: 13 characters, 11 stars and "58"
        ("+44.20.7946.0958", "***********58"),
        # +862162345678: 13 characters, 11 stars and "78"
        ("+86.21.6234.5678", "***********78"),
        ("+86 21.6234.5678", "***********78"),
        ("(+86) 21.6234.5678", "***********78"),
        ("+86/21/6234/5678", "***********78"),
        ("+86 10 / 6234 / 5678", "***********78"),
        # 00862162345678: 14 characters, 12 stars and "78"
        ("0086.21.6234.5678", "************78"),
        # +8675588886666: 14 characters, 12 stars and "66"
        ("+86 755.8888.6666", "************66"),
    ],
)
def test_an_international_number_with_dots_or_slashes_is_masked(text: str, expected: str) -> None:
    """docs/notifications.md PRV-1: numbers in international form (``+852 9123 4567``)
    are masked, their groups split by dots or slashes too, also after ``+86``; the
    "+" kept the dotted run from being read at all, and after +86 only an area code
    with its 0 was taken."""
    assert redact(text) == expected


# --------------------------------------------------------------------------- F03


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 13812345678: 11 digits, 9 stars and "78"
        ("138.1234 5678", "*********78"),
        ("138 1234.5678", "*********78"),
        ("138-1234.5678", "*********78"),
        ("138/1234-5678", "*********78"),
        ("138 / 1234-5678", "*********78"),
        ("电话138.1234 5678，请回电", "电话*********78，请回电"),
        # +8613812345678: 14 characters, 12 stars and "78"
        ("+86 138 1234.5678", "************78"),
        # 02162345678: 11 digits, 9 stars and "78"
        ("021 6234.5678", "*********78"),
        ("(021) 6234.5678", "*********78"),
        ("021.6234 5678", "*********78"),
        # +862162345678: 13 characters, 11 stars and "78"
        ("+86 (21) 6234.5678", "***********78"),
    ],
)
def test_a_phone_with_mixed_separators_is_masked_whole(text: str, expected: str) -> None:
    """docs/notifications.md PRV-1: the groups split by spaces, a dash, dots or
    slashes; a mobile typed with a dot and a space was shown in full, or with six
    digits readable after the first dot."""
    assert redact(text) == expected


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    "text",
    [
        # fewer than seven digits after a "+" and its country code is no phone
        "+1.2.3",  # a version or a score: 3 digits
        "+12.345.678",  # six digits after the country code
        "涨幅 +12.5/13.0",
        "+1.5 / +2.0",
        "+86 21 / 300 元",
        # dates, times, amounts, versions and lists, near the new shapes
        "回访日期 2026.01.05 已约",
        "日期 2026.01.05 / 2026.01.06",
        "时间 12:30 / 13:00",
        "费用 1200 / 300 元",
        "金额 1200 / 300 / 450 元",
        "房号 1201 / 1202 / 1203",
        "版本 1.2.3",
        "v1.2.3 / v1.2.4",
        "时间 2026.01.05 12:30",
        "面积 120.5 / 98.3",
        "单号 2025 / 1114 / 0001",
        "IP 192.168.1.100",
    ],
)
def test_short_signed_numbers_dates_amounts_and_lists_stay_readable(text: str) -> None:
    """What must stay readable (docs/notifications.md PRV-1: dates, times, decimals,
    versions and spaced lists) is not taken by the new shapes."""
    assert redact(text) == text


@pytest.mark.procedure("PRV-1")
def test_redact_stays_linear_on_the_new_shapes() -> None:
    """The new branches read each separator a bounded number of times: ten times
    the text takes about ten times the processor time."""
    assert not slow_runs(
        ["+852.", "+86 21.", "(+86) 21 ", "138 1234.", "021 6234.", "138.1234 ", "+1.4", "(0"]
    )
