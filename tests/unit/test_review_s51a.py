"""Review s51A: masking personal data (PRV-1), edge cases left open by earlier reviews.

F01: a domestic number with an extension glued on by an ``x`` or ``ext``
(``010-62345678x12``) is masked, the extension's digits kept, as an
international one's are since s50Q F06.

F02: a phone glued to more digits by a dot or slash (``021 6234.5678.9``) is
masked whole, not as its first seven digits with the rest readable; an area
code and a number right after a digit and a dash (``3-2-1201-021-62345678``: a
room, then the phone) is masked.

F03: a room written twice back to back, no space between
(``3-2-12013-2-1201``), is masked twice.

F04: after a room word (``Flat``, ``Rm``, ``Room``, ``室``, ``房``) a stored room
of one or two digits is masked, though it reads as a date (``Flat 12/3``).

F05: a name split by a blank line (``Ann`` / blank / ``Lee``, ``张`` / blank /
``伟``) is masked.

F06: a name written half composed (neither NFC nor NFD) is masked, and
``literals_in`` and ``Literals`` find it.

Expected texts are counted by hand: ``models.mask`` keeps the last two
characters of a value of five characters or more that starts with a digit (one
of four or fewer is all stars) and the first character of any other (digits of a
phone are masked without their separators, dots and brackets, a ``+`` counted
with them).
"""

from __future__ import annotations

import unicodedata

import pytest

from complaintcore.core.privacy import Literals, literals_in, redact
from tests.unit.test_redaction import slow_runs

# --------------------------------------------------------------------------- F01


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 01062345678: 11 digits, the last two kept; the extension stays
        ("call 010-62345678x12", "call *********78x12"),
        ("call 010-62345678X12 now", "call *********78X12 now"),
        ("0755-88886666ext3", "**********66ext3"),  # 12 digits
        ("021 6234 5678x8", "*********78x8"),
        ("021 6234.5678x12", "*********78x12"),  # a dot and a space: one phone's
        ("138.1234.5678x12", "*********78x12"),
        ("+1 415 555 0100ext12", "**********00ext12"),  # "+" and 11 digits
        # the review's second row was masked already: the extension after spaces
        ("021-6234 5678 x 8", "*********78 x 8"),
    ],
)
def test_a_domestic_number_with_an_extension_is_masked(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    "text", ["1920x1080", "12345678xyz", "Order ABC-12345678x9", "C-20251114-0001x2", "3x12"]
)
def test_an_x_after_other_runs_is_still_no_extension(text: str) -> None:
    assert redact(text) == text


# --------------------------------------------------------------------------- F02


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "also", "expected"),
    [
        # 021623456789: 12 digits, the last two kept
        ("021 6234.5678.9", (), "**********89"),
        ("Tel 021-6234.5678.9 please", (), "Tel **********89 please"),
        ("138 1234.5678.9", (), "**********89"),
        ("(021)6234.5678.9", (), "**********89"),
        ("021 6234/5678/9012", (), "*************12"),  # 15 digits
        # 02162345678 (11) after a room: the room is ordinary digits unless known
        ("3-2-1201-021-62345678", (), "3-2-1201-*********78"),
        ("3-2-1201-021-62345678", ("3-2-1201",), "******01-*********78"),
        ("3-2-1201——0755-8888-6666", (), "3-2-1201——**********66"),  # 12 digits
    ],
)
def test_a_phone_glued_to_more_digits_leaves_none_of_them_readable(
    text: str, also: tuple[str, ...], expected: str
) -> None:
    assert redact(text, also=also) == expected


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    "text",
    ["2025.11.14", "12345.67 元", "192.168.1.12", "192.168.100.200", "C-20251114-0001", "3-2-1201"],
)
def test_dates_amounts_and_addresses_stay_readable(text: str) -> None:
    assert redact(text) == text


# --------------------------------------------------------------------------- F03


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 3-2-1201: 8 characters, the last two kept; each room masked on its own
        ("3-2-12013-2-1201", "******01******01"),
        ("3-2-12013-2-12013-2-1201", "******01******01******01"),
        ("住3栋2单元12013栋2单元1201室", "住*******01********1室"),
        ("3-2-1201室3-2-1201", "*******1室******01"),
    ],
)
def test_a_room_written_twice_back_to_back_is_masked_twice(text: str, expected: str) -> None:
    assert redact(text, also=["3-2-1201"]) == expected


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    "text", ["13-2-1201", "3-2-12015", "3-2-12013-2-12015", "23-2-12013-2-1201"]
)
def test_a_digit_glued_on_that_starts_no_room_still_makes_another_number(text: str) -> None:
    assert redact(text, also=["3-2-1201"]) == text


# --------------------------------------------------------------------------- F04


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("room", "text", "expected"),
    [
        # the review's row: 12/3 reads as a month and a day, but Flat names a room
        ("12", "Flat 12/3", "Flat **/3"),
        ("12", "Rm 12/3", "Rm **/3"),
        ("12", "Rm.12/3", "Rm.**/3"),
        ("12", "ROOM: 12/3", "ROOM: **/3"),
        ("12", "room １２/3", "room **/3"),  # full width: the width typed is kept
        ("12", "房号12/3", "房号**/3"),
        ("12", "房间12.5", "房间**.5"),
        ("11", "室：11:00", "室：**:00"),
        # a room of one character: after a room word, whatever mark follows
        ("7", "Flat 7/3", "Flat */3"),
        ("7", "房号7-1", "房号*-1"),
    ],
)
def test_a_short_room_after_a_room_word_is_masked(room: str, text: str, expected: str) -> None:
    assert redact(text, also=[room]) == expected


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("room", "text"),
    [
        ("12", "12/3 visit"),  # no room word: a date, as before
        ("12", "Platform 12/3"),  # "form" is no room word
        ("12", "from 12/3"),
        ("11", "flat fee on 2025-11-21"),  # a room word, then no number right after it
        ("7", "Room 7B"),  # another room: a letter glued on
        ("7", "11/7"),
    ],
)
def test_a_date_without_a_room_word_right_before_stays_readable(room: str, text: str) -> None:
    assert redact(text, also=[room]) == text


# --------------------------------------------------------------------------- F05


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        # Ann Lee, 7 characters: "A" kept, the line breaks kept where they stand
        ("Ann Lee", "Ann\n\nLee called", "A**\n\n*** called"),
        # the spaces round them masked with the name (8 characters but line breaks)
        ("Ann Lee", "Ann \r\n\r\n Lee called", "A***\r\n\r\n**** called"),
        ("Ann Lee", "Ann\nLee called", "A**\n*** called"),  # one line break: as before
        ("Ann Lee", "ANN  LEE called", "A******* called"),
        # 张伟: "张" kept
        ("张伟", "张\n\n伟来电", "张\n\n*来电"),
        ("张伟", "张\n伟来电", "张\n*来电"),
        ("张伟", "张 伟来电", "张**来电"),  # the space masked with the name
        ("王小明", "王小\n\n明来电", "王*\n\n*来电"),
    ],
)
def test_a_name_split_by_a_line_break_or_a_blank_line_is_masked(
    name: str, text: str, expected: str
) -> None:
    assert redact(text, also=[name]) == expected


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("Ann Lee", "Ann\n\n\nLee called"),  # two blank lines: two paragraphs apart
        ("张伟", "张\n\n\n伟来电"),
        ("Ann Lee", "AnnLee called"),  # no space where the name has one: not taken
        ("Thompson", "Thom pson"),  # a space inside a word: never taken
    ],
)
def test_parts_further_apart_or_a_word_split_are_not_the_name(name: str, text: str) -> None:
    assert redact(text, also=[name]) == text


# --------------------------------------------------------------------------- F06

_ZOE = "Zo\u00eb \u00c5ngstr\u00f6m"  # Zoë Ångström composed (NFC): 12 characters
# ë composed, Å and ö decomposed (letter and mark): 14 characters, neither form
_HALF = "Zo\u00eb A\u030angstro\u0308m"
# ë decomposed, Å and ö composed: 13 characters
_OTHER_HALF = "Zoe\u0308 \u00c5ngstr\u00f6m"


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("stored", "text", "expected"),
    [
        # the text keeps its form: "Z" kept, one star for each other character as typed
        # (the stored name or the text, or both, neither NFC nor NFD)
        (_ZOE, f"from {_HALF} today", "from Z************* today"),
        (_ZOE, f"from {_OTHER_HALF} today", "from Z************ today"),
        (_HALF, f"from {_ZOE} today", "from Z*********** today"),
        (_HALF, f"from {_OTHER_HALF} today", "from Z************ today"),
        (_OTHER_HALF, f"from {_HALF}", "from Z*************"),
        # format characters round it stay where they are; inside it, masked with it
        (_ZOE, f"from \u200b{_HALF}\u200b today", "from \u200bZ*************\u200b today"),
        # Zoe, the mark, a space, Ångström: 13 characters as typed, the ZWSP with them
        (_ZOE, "Zoe\u200b\u0308 \u00c5ngstr\u00f6m", "Z************"),
        # a mark at the end of the name goes with it: no star with a mark on it
        ("Lê", "Le\u0302, called", "L**, called"),
    ],
)
def test_a_half_composed_name_is_masked(stored: str, text: str, expected: str) -> None:
    assert unicodedata.is_normalized("NFC", _ZOE)
    assert not unicodedata.is_normalized("NFC", _HALF)
    assert not unicodedata.is_normalized("NFD", _HALF)
    assert redact(text, also=[stored]) == expected


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("stored", "text"),
    [(_HALF, f"from {_ZOE}"), (_ZOE, f"from {_HALF}"), (_OTHER_HALF, f"{_HALF} called")],
)
def test_literals_in_finds_a_name_in_any_composition(stored: str, text: str) -> None:
    assert literals_in(text, [stored, "王小明"]) == [stored]
    assert Literals([stored, "王小明"]).found_in(text) == [stored]
    assert literals_in(text, ["Zoe Angstrom"]) == ["Zoe Angstrom"]  # no anchor: tried
    assert Literals(["Zo\u00eb \u00c5ngstrand"]).found_in(text) == ["Zo\u00eb \u00c5ngstrand"]
    # not in the text, whatever the form: masked as nothing
    assert redact(text, also=["Zo\u00eb \u00c5ngstrand"]) == text


# --------------------------------------------------------------------------- cost

_KNOWN = ["3-2-1201", "3-3", "12", "7", "Ann Lee", "张伟"]
_HOSTILE = [
    "010-62345678x", "0755-8888ext", "021 6234.5678.", "1.", "1234567.1", "1-021-6234",
    "3-2-12013-2-", "3-33-", "3-34-", "Flat 12/", "Rm 7/", "房号", "Ann\n\n", "张\n\n",
    "Ann \n \n ", "Zoe\u0308 ", "A\u030a", "e\u0301\u0301", "\u1100\u1161\u11a8",
]  # fmt: skip


@pytest.mark.procedure("PRV-1")
def test_masking_extensions_tails_rooms_back_to_back_and_blank_lines_is_linear() -> None:
    """Extensions, digits glued on by dots, landlines after a dash, rooms written
    back to back, room words and names over blank lines are found in time in
    proportion to the text (ten times the text, about ten times the time), in a
    child process."""
    assert not slow_runs(_HOSTILE, _KNOWN, timeout=300)
