"""Review s49B: rooms glued to mobiles, rooms inside longer values, rooms over two
lines (PRV-1: rooms and phone numbers never shown to people who need not see them).

Expected texts are counted by hand: ``models.mask`` keeps the last two characters
of a value that starts with a digit (``3-2-1201`` -> six stars and ``01``;
``13812345678`` -> nine stars and ``78``) and the first character of any other
(``华府3栋1202室`` -> ``华`` and eight stars).
"""

from __future__ import annotations

import pytest

from complaintcore.core.privacy import Literals, literals_in, redact
from complaintcore.core.room_forms import room_part
from tests.unit.test_redaction import slow_runs

ALSO = ["王小明", "13812345678", "3-2-1201"]

# --------------------------------------------------------------------------- F01


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize("room", ["3-2-1201", "3栋2单元1201室"])
@pytest.mark.parametrize("phone", ["13812345678", "13912345678"])
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # room then mobile after a word: 3栋2单元1201 is 9 characters (7 masked,
        # "01" kept), the mobile 11 (9 masked, "78" kept)
        ("住3栋2单元120113812345678", "住*******01*********78"),
        # mobile then room: the mobile 11 (9 + "78"), 3-2-1201 8 (6 + "01")
        ("138123456783-2-1201", "*********78******01"),
        ("电话138123456783-2-1201，漏水", "电话*********78******01，漏水"),
        # 3栋2单元1201室 is 10 characters: 8 masked, "1室" kept
        ("住138123456783栋2单元1201室，漏水", "住*********78********1室，漏水"),
    ],
)
def test_a_room_glued_to_a_mobile_is_masked_whole_and_so_is_the_mobile(
    text: str, expected: str, room: str, phone: str
) -> None:
    assert redact(text, also=["王小明", phone, room]) == expected


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # eleven digits that are no mainland mobile (12…) and a 3: another number,
        # masked as a phone of 11 digits (9 + "03"); the room is not there
        ("住12345678903-2-1201", "住*********03-2-1201"),
        # ten digits and a 3: a phone of 10 digits (8 + "63")
        ("住1381234563-2-1201", "住********63-2-1201"),
    ],
)
def test_other_digits_glued_before_a_room_still_make_another_number(
    text: str, expected: str
) -> None:
    assert redact(text, also=["3-2-1201"]) == expected


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "room", "expected"),
    [
        # settled by review s48M: digits joined by dashes a phone pattern takes
        # whole are masked as that phone (its 7 digits: 5 + "01"), as before
        ("业主住105-1201，漏水", "105-1201", "业主住*****01，漏水"),
        # a phone that holds the room whole is masked as the phone (11 digits)
        ("回电 139-3021-5678", "3021-5678", "回电 *********78"),
    ],
)
def test_a_phone_holding_a_room_whole_is_still_masked_as_the_phone(
    text: str, room: str, expected: str
) -> None:
    assert redact(text, also=[room]) == expected


# --------------------------------------------------------------------------- F02

ESTATE_ROOM = "华府3栋1202室"


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 3栋1202室 is 7 characters: 5 masked, "2室" kept
        ("业主住3栋1202室，漏水", "业主住*****2室，漏水"),
        # 3-1202 is 6: 4 masked, "02" kept
        ("业主住3-1202，漏水", "业主住****02，漏水"),
        # 3号楼1202号 is 8: 6 masked, "2号" kept
        ("业主住3号楼1202号", "业主住******2号"),
        # full-width digits, the characters written kept: ３栋１２０２ is 6
        ("住３栋１２０２", "住****０２"),
        # as it was stored: 9 characters, "华" kept
        ("业主住华府3栋1202室。", "业主住华********。"),
        # another estate's name before it: the room part alone
        ("业主住华府小区3栋1202室", "业主住华府小区*****2室"),
    ],
)
def test_the_room_part_of_a_stored_value_is_masked_in_every_address_form(
    text: str, expected: str
) -> None:
    assert redact(text, also=["王小明", "13812345678", ESTATE_ROOM]) == expected


@pytest.mark.procedure("PRV-1")
def test_a_room_after_a_word_not_of_the_list_is_the_room_part() -> None:
    """3区 (zone 3) is no building word: the room part is 2单元1201, 2-1201 written
    with a dash (6 characters: 4 masked, "01" kept); 3区 stays readable."""
    assert redact("住3区2-1201", also=["3区2单元1201"]) == "住3区****01"


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "room"),
    [
        ("物业费 1202 元，2025-11-14 又被催缴", ESTATE_ROOM),  # an amount, a date
        ("住13-1202，楼上漏水", ESTATE_ROOM),  # a digit glued before: another room
        ("住3-12025，楼上漏水", ESTATE_ROOM),  # a digit glued after
        ("住3区1202", ESTATE_ROOM),  # a word that is no separator of the list
        ("期限 2025-11-19T18:00 前修好", "华府11栋19号"),  # a date is no room
        ("2025-5-12 报修", "5栋12号(华府)"),
    ],
)
def test_other_numbers_are_not_taken_for_the_room_part(text: str, room: str) -> None:
    assert redact(text, also=[room]) == text


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("literal", "part"),
    [
        ("3-2-1201", "3-2-1201"),  # a room itself
        ("华府3栋1202室", "3栋1202室"),
        ("5栋12号(华府)", "5栋12号"),
        ("Flat 3-1202", "3-1202"),
        ("华府A座1201", "A座1201"),
        ("王小明", None),
        ("13812345678", None),
        ("华府1202室", None),  # one group: no room of the list's form
        ("Rm3-1202", None),  # a letter glued before the run
        ("+86-138-1234", None),  # after a "+": a phone's country code
        ("3栋1202室、5栋101室", None),  # two rooms: the value is matched as spelt
    ],
)
def test_which_part_of_a_value_is_its_room(literal: str, part: str | None) -> None:
    assert room_part(literal) == part


@pytest.mark.procedure("PRV-1")
def test_a_value_with_a_room_part_is_kept_for_texts_writing_the_room_alone() -> None:
    """The pre-filters (``literals_in``, ``Literals``) look for the room part's digits:
    a text writing the room in another form keeps the value to mask it with."""
    values = ["王小明", ESTATE_ROOM, "5-5-501"]
    assert literals_in("住3-1202", values) == [ESTATE_ROOM]
    assert Literals(values).found_in("住3-1202") == [ESTATE_ROOM]
    assert literals_in("住3-1203", values) == []


# --------------------------------------------------------------------------- F03


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize("room", ["3-2-1201", "3栋2单元1201室", "华府3栋2单元1201室"])
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 3栋2单元1201室 is 10 characters (8 masked, "1室" kept), the line break
        # after its fifth kept where it was
        ("住3栋2单元\n1201室，漏水", "住*****\n***1室，漏水"),
        ("住3栋2单元\r\n1201室，漏水", "住*****\r\n***1室，漏水"),
        # spaces round it: 12 characters besides the break, 10 masked
        ("住3栋2单元 \n 1201室", "住******\n****1室"),
        # 3栋2单元1201 is 9 characters (7 masked, "01" kept)
        ("住3栋\n2单元1201", "住**\n*****01"),
        # one line break at each of two separators
        ("住3栋\n2单元\n1201", "住**\n***\n**01"),
        # 3-2-1201 is 8 (6 masked, "01" kept)
        ("住3-2-\n1201", "住****\n**01"),
        ("住3-2\n-1201", "住***\n***01"),
    ],
)
def test_a_room_split_over_two_lines_is_masked_keeping_the_line_break(
    text: str, expected: str, room: str
) -> None:
    assert redact(text, also=["王小明", room]) == expected


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    "text",
    [
        "住3栋\n\n2单元1201",  # a blank line between: two paragraphs
        "住3栋\n\n2-1201",
        "住3\n栋\n2单元1201",  # a line break on both sides of a word
        "住3\n2单元1201",  # a line break alone joins no groups
    ],
)
def test_a_room_over_more_than_one_line_break_is_not_taken(text: str) -> None:
    assert redact(text, also=["3-2-1201"]) == text


@pytest.mark.procedure("PRV-1")
def test_a_name_over_two_lines_keeps_its_line_break() -> None:
    """Margaret Thompson is 17 characters with its space (M and 16 stars): over a
    line break, the break stays and the 16 other characters are masked."""
    assert redact("from Margaret\nThompson, Flat 3", also=["Margaret Thompson"]) == (
        "from M*******\n********, Flat 3"
    )


# --------------------------------------------------------------------------- cost


@pytest.mark.procedure("PRV-1")
def test_rooms_glued_to_mobiles_and_over_lines_cost_linear_time() -> None:
    hostile = [
        "3栋2单元120113812345678",
        "138123456783-2-1201",
        "3栋\n",
        "3-\n",
        "单元\n1201室",
        "\n",
        "华府3栋1202室",
        "3栋1202",
    ]
    assert not slow_runs(hostile, ["华府3栋1202室", "3-2-1201", "13812345678"], timeout=180)
