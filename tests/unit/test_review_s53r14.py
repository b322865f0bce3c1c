"""Review s53R14: the s53R12 phone-masking fix re-reviewed (PRV-1, ``redact``).

F01: a landline after ``86`` (``86-21-62345678``) after a phone's or room's slash or
dot is masked on its own.
F02: after a phone's dot, a second phone in groups (a dashed or ``。`` mobile, a
local number split once) is masked on its own, not taken as the first one's tail.
F03: a dot/slash landline, a dotted international number or an ``86-`` landline
with a Latin letter glued after is masked whole.
F04: a date whose year is not 19xx/20xx (``9999-12-31``) is no phone group.
F05: an area code and a number joined by a slash after a phone's dot.
F06: a complete 3-4-4 mobile whose last group looks like a year before ``-3-2``.
F07: the ``86`` landline with mixed separators, ``。`` or slashes.

Expected texts counted by hand from docs/notifications.md (PRV-1): a masked number
is its digits (separators, brackets, dots and slashes left out, a "+" kept in) as
stars, the last two shown; each of two phones joined by a slash or dot is masked
with its own last two digits.
"""

from __future__ import annotations

import pytest

from complaintcore.core.privacy import redact


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 13812345678: 11 digits -> 9 stars + 78; 86-21-62345678: 12 digits -> 10 stars + 78
        ("13812345678/86-21-62345678", "*********78/**********78"),
        ("13812345678.86-21-62345678", "*********78.**********78"),
        ("1201/86-21-62345678", "1201/**********78"),
        ("1201/86.21.6234.5678", "1201/**********78"),
        # 86-10-62345699: 12 digits -> 10 stars + 99
        ("86-21-62345678/86-10-62345699", "**********78/**********99"),
    ],
)
def test_f01_an_86_landline_after_a_slash_or_dot_is_masked_on_its_own(
    text: str, expected: str
) -> None:
    assert redact(text) == expected


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13812345678.139-1234-5678", "*********78.*********78"),
        ("13812345678.139。1234。5678", "*********78.*********78"),
        ("13812345678.139 1234 5678", "*********78.*********78"),
        # 021-62345678: 11 digits -> 9 stars + 78
        ("021-62345678.139-1234-5678", "*********78.*********78"),
        # 6234 5678: 8 digits -> 6 stars + 78
        ("13812345678.6234 5678", "*********78.******78"),
        ("13812345678.6234-5678", "*********78.******78"),
        ("021-62345678.6234-5699", "*********78.******99"),
        # a room and a dot, then a mobile in groups: the mobile masked, the room kept
        ("房号1201.139-1234-5678", "房号1201.*********78"),
        # no phone before the dot: a local number after it is kept with it, as before
        ("1234.6234 5678", "1234.6234 5678"),
    ],
)
def test_f02_a_grouped_phone_after_a_phones_dot_is_masked_on_its_own(
    text: str, expected: str
) -> None:
    assert redact(text) == expected


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize("also", [["139-1234-5678"], ["13912345678"]])
def test_f02_the_stored_phone_does_not_change_it(also: list[str]) -> None:
    assert redact("13812345678.139-1234-5678", also=also) == "*********78.*********78"


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 021 6234 5678: 11 digits -> 9 stars + 78
        ("Tel:021.6234.5678Wang", "Tel:*********78Wang"),
        ("Tel:021/62345678Wang", "Tel:*********78Wang"),
        ("Tel:(021)6234.5678Wang", "Tel:*********78Wang"),
        ("Tel:021 6234.5678Wang", "Tel:*********78Wang"),
        # +86 21 62345678: "+" and 12 digits -> 11 stars + 78
        ("Tel:+86 21 6234.5678Wang", "Tel:***********78Wang"),
        # 0755 8888 6666: 12 digits -> 10 stars + 66
        ("Tel:0755/8888/6666Wang", "Tel:**********66Wang"),
        # +852 9123 4567: "+" and 11 digits -> 10 stars + 67
        ("Tel:+852.9123.4567Wang", "Tel:**********67Wang"),
        ("Tel:+852 9123.4567Wang", "Tel:**********67Wang"),
        # 86 21 62345678: 12 digits -> 10 stars + 78
        ("Tel:86-21-62345678Wang", "Tel:**********78Wang"),
    ],
)
def test_f03_a_dotted_or_86_phone_glued_to_a_letter_is_masked_whole(
    text: str, expected: str
) -> None:
    assert redact(text) == expected


@pytest.mark.procedure("PRV-1")
def test_f03_with_the_stored_phone() -> None:
    assert redact("Tel:021 6234.5678Wang", also=["021-62345678"]) == "Tel:*********78Wang"


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    "text",
    [
        "有效期 1280 9999-12-31",
        "1280 2100-01-01",
        "1280 1880-12-25",
        "1234 2150/11/14",
        "1234 1850.11.14",
        "件数 300 1850-1-1",
    ],
)
def test_f04_an_amount_and_a_date_of_any_year_stay_readable(text: str) -> None:
    assert redact(text) == text


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13812345678.021/62345678", "*********78.*********78"),
        ("13812345678.021/6234/5678", "*********78.*********78"),
    ],
)
def test_f05_a_slashed_landline_after_a_phones_dot(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "also", "expected"),
    [
        # 139 1234 2025: 11 digits -> 9 stars + 25; the room 3-2-1201 kept
        ("139-1234-2025-3-2-1201", [], "*********25-3-2-1201"),
        ("电话139-1234-2011-3-2-1201", [], "电话*********11-3-2-1201"),
        ("139 1234 2025-3-2-1201", [], "*********25-3-2-1201"),
        # +86 139 5724 2025: "+" and 13 digits -> 12 stars + 25
        ("+86 139-5724-2025-3-2-1201", [], "************25-3-2-1201"),
        # 021 6234 2025: 11 digits -> 9 stars + 25
        ("021-6234-2025-3-2-1201", [], "*********25-3-2-1201"),
        # 3-2-1201 stored: 6 digits -> 4 stars + 01
        ("139-1234-2025-3-2-1201", ["13912342025", "3-2-1201"], "*********25-******01"),
    ],
)
def test_f06_a_whole_mobile_wins_over_a_year(text: str, also: list[str], expected: str) -> None:
    assert redact(text, also=also) == expected


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 86 21 62345678: 12 digits -> 10 stars + 78
        ("86-21-6234.5678", "**********78"),
        ("86 21 6234.5678", "**********78"),
        ("(86)21-6234.5678", "**********78"),
        ("86。21。6234。5678", "**********78"),
        ("86/21/6234/5678", "**********78"),
        # too short for that landline: kept
        ("86/21/2345", "86/21/2345"),
        ("86.12.3456", "86.12.3456"),
        ("比分86-21", "比分86-21"),
    ],
)
def test_f07_an_86_landline_in_every_separator(text: str, expected: str) -> None:
    assert redact(text) == expected
