"""Review s53R12: phones next to every separator (PRV-1, ``redact``).

F01: two phones joined by a slash or dot (``13912345678/021-62345678``) are each
masked with their own last two digits: the second is no tail of the first.
F02: a landline, a local number or a dotted mobile after a room and a slash
(``1201/021-62345678``) is masked, as a plain mobile there is.
F03: a phone in groups with a Latin letter glued after (``Tel:139-5724-6813Wang``)
is masked whole, not cut after its first groups.
F04: a mainland mobile in dot, slash or 。 groups glued to letters
(``Tel139.5724.6813``) and ``+86.<mobile>`` before a letter are masked.
F05: a landline after the country code 86 without ``+`` (``86-21-62345678``).
F06: a four-digit group before ``-3-2`` is no year (``139-5724-6813-3-2-1201``).
F07: an area code and an unsplit number joined by a dot or slash (``021.62345678``).

Expected texts counted by hand: a masked number is its digits (separators,
brackets, dots and slashes left out, a "+" and the country code kept in) as
stars, the last two shown; ``****`` for a stored four-digit room.
"""

from __future__ import annotations

import pytest

from complaintcore.core.privacy import redact


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 13912345678: 11 digits -> 9 stars + 78; 021-62345678: 11 digits -> 9 stars + 78
        ("电话：13912345678/021-62345678", "电话：*********78/*********78"),
        ("13912345678/6234 5699", "*********78/******99"),
        ("13912345678/6234-5699", "*********78/******99"),
        # 0755-86668888: 12 digits -> 10 stars + 88
        ("139-1234-5678/0755-86668888", "*********78/**********88"),
        ("021-62345678/021-62345699", "*********78/*********99"),
        ("62345678/021-62345699", "******78/*********99"),
        ("13912345678.021-62345699", "*********78.*********99"),
        ("9123 4567/6234 5699", "******67/******99"),
        ("13912345678/62345699", "*********78/******99"),
    ],
)
def test_f01_two_phones_joined_by_a_slash_or_dot_each_masked(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("房号1201/021-62345678", "房号1201/*********78"),
        ("1201/010-62345678", "1201/*********78"),
        ("房号1201/0755-86668888", "房号1201/**********88"),
        ("1201/62345678", "1201/******78"),
        ("1201/6234-5678", "1201/******78"),
        ("1201/021-6234-5678", "1201/*********78"),
        ("1201/139.1234.5678", "1201/*********78"),
        ("1201/０２１－６２３４５６７８", "1201/*********78"),
    ],
)
def test_f02_a_phone_after_a_room_and_a_slash_is_masked(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.procedure("PRV-1")
def test_f02_with_the_stored_room_both_are_masked() -> None:
    assert redact("1201/62345678", also=["1201"]) == "****/******78"


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tel:139-1234-5678Wang", "Tel:*********78Wang"),
        ("139 1234 5678a", "*********78a"),
        # +86 139 1234 5678: "+" and 13 digits -> 12 stars + 78
        ("+86 139 1234 5678Wang", "************78Wang"),
        ("139－1234－5678Wang", "*********78Wang"),
        ("139 - 1234 - 5678Wang", "*********78Wang"),
        ("021 6234 5678a", "*********78a"),
        # +852 9123 4567: "+" and 11 digits -> 10 stars + 67
        ("+852 9123 4567a", "**********67a"),
        # an extension glued on stays readable, the number masked
        ("138-1234-5678x12", "*********78x12"),
    ],
)
def test_f03_a_grouped_phone_glued_to_a_letter_is_masked_whole(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    "text",
    [
        "+12222222222a",  # one run of digits glued to a word: an id, kept whole
        "+852 9123 4567 101A",  # the room glued to its letter is not the phone's
    ],
)
def test_f03_runs_glued_to_letters_that_stay_as_before(text: str) -> None:
    if text.endswith("101A"):
        assert redact(text) == "**********67 101A"
    else:
        assert redact(text) == text


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tel139.1234.5678", "Tel*********78"),
        ("Tel:139.1234.5678Wang", "Tel:*********78Wang"),
        ("139.1234.5678a", "*********78a"),
        ("Tel139/1234/5678", "Tel*********78"),
        ("Tel139。1234。5678", "Tel*********78"),
        # +86.13912345678: "+" and 13 digits -> 12 stars + 78
        ("+86.13912345678a", "************78a"),
        ("Tel:+86.13912345678Wang", "Tel:************78Wang"),
    ],
)
def test_f04_a_dotted_mobile_glued_to_letters_is_masked(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.procedure("PRV-1")
def test_f04_the_stored_phone_in_dots_is_masked() -> None:
    out = redact("Tel:139.1234.5678Wang", also=["13912345678", "王小明"])
    assert out == "Tel:*********78Wang"


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 86-21-62345678: 12 digits -> 10 stars + 78
        ("86-21-62345678", "**********78"),
        # 86-755-86668888: 13 digits -> 11 stars + 88
        ("Tel: 86-755-86668888", "Tel: ***********88"),
        ("电话86-10-62345678", "电话**********78"),
        ("(86)21-62345678", "**********78"),
        ("86.21.6234.5678", "**********78"),
        ("86 21 62345678", "**********78"),
    ],
)
def test_f05_a_landline_after_86_is_masked(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "also", "expected"),
    [
        ("139-1234-5678-3-2-1201", [], "*********78-3-2-1201"),
        # 3-2-1201 stored: 6 digits -> 4 stars + 01 (its dashes kept out)
        ("139 1234 5678-3-2-1201", ["3-2-1201"], "*********78-******01"),
        ("021-6234-5678-3-2-1201", ["3-2-1201"], "*********78-******01"),
    ],
)
def test_f06_a_group_before_a_dashed_room_is_no_year(
    text: str, also: list[str], expected: str
) -> None:
    assert redact(text, also=also) == expected


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    "text",
    ["1280  2025-11-14", "1280 1998-3-2", "订单 2025-11-14 09:30"],
)
def test_f06_dates_after_a_number_still_read_as_dates(text: str) -> None:
    assert redact(text) == text


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("021.62345678", "*********78"),
        ("电话021/62345678", "电话*********78"),
        ("0755.86668888", "**********88"),
        ("010/62345678转801", "*********78转801"),
    ],
)
def test_f07_area_code_and_unsplit_number_with_a_dot_or_slash(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    "text",
    [
        "1201.13812345678",  # documented: a digit and a dot protect a mobile
        "2025/11/14 12:30",
        "1201/1202 1203",
        "12345.67",
        "C-20251114-0001",
        "192.168.1.100",
        "25.5/30.2/28.1",
        "3.14159265",
    ],
)
def test_ordinary_numbers_stay_readable(text: str) -> None:
    assert redact(text) == text
