"""Review s50A: phones the s49V shapes left readable (PRV-1).

F01: a mainland mobile or a +86 number glued to ``+86.`` / ``0086.``
(``+86.13812345678``, ``+86.1062345678``, ``+86 10.62345678``).
F02: an area code in brackets glued to a number whose groups are joined by a dot
or slash (``(021)6234.5678``, ``（021）6234.5678``, ``(0755)8888/6666``).
F03: a number in international form with a space after the country code, the
code in brackets or after ``00``, or a dot or slash and spaces mixed
(``+1 415.555.0100``, ``+852.9123 4567``, ``(+852) 9123.4567``).

Expected texts are counted by hand: ``models.mask`` keeps the last two characters
of a value that starts with a digit or "+" and stars the rest; what is masked is
the number's digits and its "+" (spaces, dots, slashes, dashes and brackets go
with it): ``+86.13812345678`` holds ``+8613812345678``, fourteen characters, so
twelve stars and ``78``.
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
        # +8613812345678: 14 characters, 12 stars and "78"
        ("+86.13812345678", "************78"),
        ("电话+86.13812345678。", "电话************78。"),
        ("+86/13812345678", "************78"),
        ("Tel+86.13812345678", "Tel************78"),  # glued to letters: a mobile all the same
        # 008613812345678: 15 characters, 13 stars and "78"
        ("0086.13812345678", "*************78"),
        # +861062345678 (Beijing 010 6234 5678): 13 characters, 11 stars and "78"
        ("+86.1062345678", "***********78"),
        ("+86 10.62345678", "***********78"),
        ("+86.10.62345678", "***********78"),
    ],
)
def test_a_number_glued_to_plus_86_and_a_dot_is_masked(text: str, expected: str) -> None:
    """docs/notifications.md PRV-1: a mainland mobile "perhaps after ``+86``" even
    "after a full stop"; the dot after ``+86`` read as a decimal point (``86.138``)
    and left the whole number readable."""
    assert redact(text) == expected


# --------------------------------------------------------------------------- F02


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 02162345678: 11 digits, 9 stars and "78"
        ("(021)6234.5678", "*********78"),
        ("（021）6234.5678", "*********78"),  # full-width brackets, as an IME types them
        ("电话(021)6234.5678，工作日", "电话*********78，工作日"),
        ("(021)6234/5678", "*********78"),
        # 075588886666: 12 digits, 10 stars and "66"
        ("(0755)8888/6666", "**********66"),
        # +862162345678: 13 characters, 11 stars and "78"
        ("+86(21)6234.5678", "***********78"),
        ("+86（21）6234.5678", "***********78"),
    ],
)
def test_an_area_code_in_brackets_glued_to_a_dotted_number_is_masked(
    text: str, expected: str
) -> None:
    """docs/notifications.md PRV-1: an area code (perhaps in brackets) and a number
    in 3-4 or 4-4 groups, a dot or slash between them; with no space after the
    closing bracket the whole number, or six of its digits, stayed readable."""
    assert redact(text) == expected


# --------------------------------------------------------------------------- F03


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # +14155550100: 12 characters, 10 stars and "00"
        ("+1 415.555.0100", "**********00"),
        ("+1 (415) 555.0100", "**********00"),
        ("+1(415)555.0100", "**********00"),
        ("+1.(415).555.0100", "**********00"),
        # +442079460958: 13 characters, 11 stars and "58"
        ("+44 20.7946.0958", "***********58"),
        # +4402079460958: 14 characters, 12 stars and "58"
        ("+44 (0)20.7946.0958", "************58"),
        # +85291234567: 12 characters, 10 stars and "67"
        ("+852.9123 4567", "**********67"),
        ("+852 / 9123 / 4567", "**********67"),
        ("+852. 9123. 4567", "**********67"),
        ("+852 .9123.4567", "**********67"),
        ("+852 9123.4567", "**********67"),
        ("+852-9123.4567", "**********67"),
        ("+852/9123 4567", "**********67"),
        ("(+852) 9123.4567", "**********67"),
        ("(+852).9123.4567", "**********67"),
        ("请拨(+852) 9123.4567联系", "请拨**********67联系"),
        # 0085291234567: 13 characters, 11 stars and "67"
        ("00852 9123.4567", "***********67"),
        # +862162345678: 13 characters, 11 stars and "78"
        ("+86 21.6234.5678", "***********78"),
        # 13812345678: 11 digits, 9 stars and "78"
        ("138.1234 5678", "*********78"),
    ],
)
def test_an_international_number_with_a_space_or_mixed_separators_is_masked(
    text: str, expected: str
) -> None:
    """docs/notifications.md PRV-1: ``+852 9123 4567`` and ``+1 (415) 555-0100`` are
    masked, and a number in international form with its groups joined by a dot or
    slash; a space after the country code, brackets, or a space and a dot together
    left the whole number, or six of its digits, readable."""
    assert redact(text) == expected


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    "text",
    [
        # fewer than seven digits after the country code is no phone
        "+1.234.567",
        "+1 234.567",
        "+12 345.678",
        "金额 +1.5 万 / +12.345.678 元",
        "温度 +21.5 / 23.4",
        "+10.5% / +20.3%",
        "+86 21 / 300 元",
        "涨价 +5 1200.50 元",
        # a dot and a slash are not mixed: coordinates stay readable
        "坐标 +31.2304/121.4737",
        "+31.2304/+121.4737",
        "(+31.2304/121.4737)",
        # a date after the country code's space is no group of it
        "+8 2026.12.04",
        "时区 +8 2026/12/04 12:30",
        "2026.12.04 13:00-14:00 +8",
        # an area code in brackets before a date, a time or an amount
        "(010)2026.12.04",
        "(021)12.30",
        "(0755)1200.50元",
        # dates, amounts, versions and addresses near the new shapes, as before
        "日期 2026.12.04 / 2026.12.05",
        "金额 1.234.567 元",
        "版本 10.2.3.4567",
        "IP 192.168.100.200",
        "IP 8.8.8.8 / 114.114.114.114",
    ],
)
def test_signed_numbers_coordinates_dates_and_amounts_stay_readable(text: str) -> None:
    """What must stay readable (docs/notifications.md PRV-1: dates, times, decimals,
    versions, addresses) is not taken by the new shapes."""
    assert redact(text) == text


@pytest.mark.procedure("PRV-1")
def test_redact_stays_linear_on_the_s50a_shapes() -> None:
    """The new branches read each separator a bounded number of times: ten times
    the text takes about ten times the processor time."""
    assert not slow_runs(
        ["+1 ", "+852 1 ", "00852 1 ", "(+1) (2)", "+1 (2)(3)", "(021)", "+86.", "+1.2 ", "001 "]
    )
