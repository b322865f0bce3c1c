"""Review s50D: personal data in every output (PRV-1, IMP-3).

F01: a room written with an address word and a dash (``3栋-2-1201``,
``3栋2单元-1201``) or with ``#`` for 号 (``3#楼2单元1201室``, ``3#2-1201``) is
the stored room, masked in every masked text, and a room stored in such a form
is masked in its other forms and keyed as the same room.

F02: a room of digits alone shorter than a phone (``11``, ``302``) is masked
where it is a number of its own, not inside a date, a time, a decimal, an id
with a date stamp or a longer number.

F03: a short Latin name (``Ma``, ``Li``, ``Ann``) is masked as a word of its
own, not inside every word that holds its letters.

Expected texts are counted by hand: ``models.mask`` keeps the last two
characters of a value of five characters or more that starts with a digit (one
of four or fewer is all stars) and the first character of any other.  Room keys
are the documented source ``sha256("room:<site>|<building>|<room>")`` hashed by
the test (``test_review_s49q._by_hand``), its first sixteen hex digits, the room
written as its groups joined by dashes when they are a building, a unit and a room
(concepts.md); with the building field blank, the building the room names (review
s50H F05: ``test_review_s49q._blank``).
"""

from __future__ import annotations

import pytest

from complaintcore.core.privacy import redact
from complaintcore.core.repeats import room_key
from complaintcore.core.room_forms import RoomForm, room_form, room_levels
from tests.unit.test_redaction import slow_runs
from tests.unit.test_review_s49q import _blank, _by_hand

# --------------------------------------------------------------------------- F01


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("room", "text", "expected"),
    [
        # a word and a dash for one separator: 3栋-2-1201 is 9 characters, 7 masked
        ("3-2-1201", "住3栋-2-1201，漏水", "住*******01，漏水"),
        ("3-2-1201", "3栋-2-1201 卫生间", "*******01 卫生间"),
        # 3栋2单元-1201: 10 characters, 8 masked
        ("3-2-1201", "住3栋2单元-1201", "住********01"),
        # 3号楼-2单元-1201室: 13 characters, 11 masked, "1室" kept
        ("3-2-1201", "住3号楼-2单元-1201室", "住***********1室"),
        # spaces round the dash after a word: 3栋 - 2 - 1201 is 13 characters
        ("3-2-1201", "住3栋 - 2 - 1201", "住***********01"),
        # a doubled dash after a word, as an IME types it: 3栋——2——1201 is 11
        ("3-2-1201", "住3栋\u2014\u20142\u2014\u20141201", "住*********01"),
        # "#" for 号: 3#楼2单元1201室 is 11 characters, 9 masked, "1室" kept
        ("3-2-1201", "住3#楼2单元1201室", "住*********1室"),
        # 3#2-1201: 8 characters, 6 masked
        ("3-2-1201", "住3#2-1201", "住******01"),
        # full width, as an IME types it: the characters written kept
        ("3-2-1201", "住３＃楼２单元１２０１室", "住*********１室"),
        # stored in such a form, written in the usual ones: 3-2-1201 is 8
        ("3栋-2-1201", "住3-2-1201", "住******01"),
        # 3栋2单元1201室: 10 characters, 8 masked, "1室" kept
        ("3栋-2-1201", "住3栋2单元1201室", "住********1室"),
        ("3#楼2单元1201室", "住3-2-1201", "住******01"),
        # 3号楼2单元1201: 10 characters, 8 masked
        ("3栋2单元-1201", "住3号楼2单元1201", "住********01"),
    ],
)
def test_a_room_with_a_word_and_a_dash_or_a_hash_is_masked(
    room: str, text: str, expected: str
) -> None:
    """security.md: the complainant's room is masked wherever it occurs, in any
    address form; ``3栋-2-1201`` and ``3#楼2单元1201室`` showed in full."""
    assert redact(text, also=["王先生", "021-62345678转801", room]) == expected


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("room", "text"),
    [
        ("3-2-1201", "住13栋-2-1201"),  # a digit glued before: another room
        ("3-2-1201", "住3栋-2-12015"),  # a digit glued after
        ("3-2-1201", "住3栋-1201"),  # a group left out
        ("3-2-1201", "住3栋2区-1201"),  # a word that is no separator of the list
    ],
)
def test_other_numbers_with_a_word_and_a_dash_are_not_the_room(room: str, text: str) -> None:
    assert redact(text, also=[room]) == text


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("literal", "form"),
    [
        ("3栋-2-1201", RoomForm(("3", "2", "1201"), (False, False, False))),
        ("3栋2单元-1201室", RoomForm(("3", "2", "1201"), (False, False, False))),
        ("3#楼2单元1201室", RoomForm(("3", "2", "1201"), (False, False, False))),
        ("3#1201", RoomForm(("3", "1201"), (False, False))),
        ("3栋 - 2-1201", RoomForm(("3", "2", "1201"), (True, False, False))),
        ("#1201", None),  # no group before the word
    ],
)
def test_a_word_and_a_dash_or_a_hash_make_a_room(literal: str, form: RoomForm | None) -> None:
    assert room_form(literal) == form


@pytest.mark.procedure("IMP-3")
@pytest.mark.parametrize(
    ("room", "written", "levels"),
    [
        # a building word with a dash after it names the building
        ("3栋-2-1201", "3-2-1201", ("栋", "单元")),
        ("3号楼-2单元-1201室", "3-2-1201", ("栋", "单元")),
        ("3#楼2单元1201室", "3-2-1201", ("栋", "单元")),
        ("3#1201", "3-1201", ("栋",)),
        # a unit word with a dash after it names the unit
        ("3单元-1201", "3单元1201", ("单元",)),
    ],
)
def test_a_room_with_a_word_and_a_dash_or_a_hash_is_keyed_as_the_same_room(
    room: str, written: str, levels: tuple[str, ...]
) -> None:
    """IMP-3: the same flat typed ``3栋-2-1201`` at the front desk and ``3-2-1201``
    by the call centre is one room (it was keyed as spelt)."""
    assert room_levels(room) == levels
    assert room_key("s", "", room) == _by_hand("s", _blank(written), written)


# --------------------------------------------------------------------------- F02


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("room", "text"),
    [
        ("11", "预约 2025-11-21 11:00 上门，费用 110 元"),
        ("12", "同 C-20251112-209d9c001ced2bbf 一起处理; 2025/11/12; 12:12; 12.5m2"),
        ("05", "2025-05-05 到场"),
        ("14", "2025-11-14T14:00 到场"),
        ("302", "2025-03-02 维修，费用3020元"),
        # (review s50Q F01: a room of three or more digits standing as a number of
        # its own -- 2025 of 2025-11-21, 0001 of C-20251114-0001, 168 of an IP
        # address, 110 of 110元 -- and a short one before a word (11时, 12%) are
        # masked now: test_review_s50q)
        ("11", "14-11-2025 上门"),  # day, month, year
        ("11", "2025.11.21 上门"),
        ("11", "11/21 上门"),  # a month and a day
        ("21", "9:00-21:00 有人"),  # times
        ("209", "C-20251114-209d9c001ced2bbf"),  # a complaint id's hex part
        ("209", "I-C-20251114-209d9c001ced2bbf"),  # an issue's
        ("01", "C-20251114-01"),
        ("01", "file_20251114_01"),
        ("12", "192.168.1.12"),  # an IP address
        ("11", "１１月２１日上门"),  # a Chinese date, full width
        ("21", "11月21日 11点30分上门"),
        ("11", "2025年11月，11点半"),
        ("11", "费用110元"),  # an amount: 11 glued to a digit
    ],
)
def test_a_short_room_of_digits_leaves_dates_times_ids_and_amounts_readable(
    room: str, text: str
) -> None:
    """notifications.md PRV-1: dates, times, decimals, IP addresses and ids stay
    readable; a room ``11`` turned ``2025-11-21 11:00`` into ``2025-**-21 **:00``."""
    assert redact(text, also=["Ma", "13755556666", room]) == text


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("room", "text", "expected"),
    [
        # four characters or fewer: all stars
        ("11", "住11，2025-11-21 上门", "住**，2025-11-21 上门"),
        ("302", "住302室，费用3020元", "住***室，费用3020元"),
        ("1201", "住3-2-1201", "住3-2-****"),  # a building and unit before it
        ("12", "3-12漏水", "3-**漏水"),
        ("12", "Room 12: leaking", "Room **: leaking"),
        ("12", "No.12 楼上", "No.** 楼上"),
        ("1201", "住1201.", "住****."),  # a full stop ending the sentence
        ("1201", "住１２０１室", "住****室"),  # full width
        ("11", "11-21 上门", "**-21 上门"),  # no year: a building and a flat too
        # a phone's digits (seven or more) are masked anywhere, as before:
        # 13812345678 is 11 characters, 9 masked and "78" kept
        ("13812345678", "ID2025013812345678", "ID20250*********78"),
    ],
)
def test_a_short_room_of_digits_is_still_masked_where_it_stands_alone(
    room: str, text: str, expected: str
) -> None:
    assert redact(text, also=[room]) == expected


# --------------------------------------------------------------------------- F03


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            "Ma",
            "Ma: the lift and the main gate light broken; maintenance came",
            "M*: the lift and the main gate light broken; maintenance came",
        ),
        (
            "Li",
            "The lift is broken; Li says police were called about the light.",
            "The lift is broken; L* says police were called about the light.",
        ),
        (
            "Ann",
            "Ann says the annual fee and the announcement are wrong.",
            "A** says the annual fee and the announcement are wrong.",
        ),
        ("Lee", "Lee says the sleeper pipe leaks.", "L** says the sleeper pipe leaks."),
        ("Wu", "Wu: the new wudang paving is loose", "W*: the new wudang paving is loose"),
    ],
)
def test_a_short_latin_name_is_masked_as_a_word_of_its_own(
    name: str, text: str, expected: str
) -> None:
    """notifications.md PRV-1: a name is a word; ``Ma`` turned ``main`` into ``m*in``."""
    assert redact(text, also=[name, "13755556666", "11"]) == expected


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("Ma", "MA说楼上漏水", "M*说楼上漏水"),  # Chinese right after it: no letter of a word
        ("Ma", "王Ma反映", "王M*反映"),
        ("Ma", "ma, mA and MA.", "m*, m* and M*."),  # any case
        ("Ma", "Ｍａ：漏水", "Ｍ*：漏水"),  # full width
        ("Li", "Li's flat", "L*'s flat"),
        ("Lee", "(Lee)", "(L**)"),
        ("Ma", "Ma2 called", "M*2 called"),  # a digit is no letter
        ("Wu", "Mr Wu-Chen", "Mr W*-Chen"),
        # a longer name is masked inside a word, as before: Wang glued to a given name
        ("Wang", "WangXiaoming called", "W***Xiaoming called"),
    ],
)
def test_a_short_latin_name_is_still_masked_wherever_it_is_a_word(
    name: str, text: str, expected: str
) -> None:
    assert redact(text, also=[name]) == expected


# --------------------------------------------------------------------------- linear time

_KNOWN = ["11", "302", "Ma", "Ann", "3-2-1201"]
_HOSTILE = [
    "11:", "11.", "11/", "2025-11-", "11-11-", "C-", "C-20251114-", "a-b-", "a_20251114_",
    "11元", "11 ", "11", "302", "3020", "Ma", "ma", "Mai", "Ann ", "3栋-", "3#",
    "3栋-2-", "#楼", "3 - ",
]  # fmt: skip


@pytest.mark.procedure("PRV-1")
def test_masking_short_rooms_names_and_word_dashes_in_hostile_runs_is_linear() -> None:
    """The places a short room of digits is no number of its own, the word bounds
    of a short name and a word with a dash after it are found in time in proportion
    to the text: ten times the text, about ten times the processor time, in a child
    process."""
    assert not slow_runs(_HOSTILE, _KNOWN, timeout=300)
