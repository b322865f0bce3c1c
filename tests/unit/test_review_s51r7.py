"""Review s51R7: re-review of review s51B's building and room forms in keys.

F01: a floor the flat after it does not hold (``3栋5楼3号``: floor 5, door 3) is
kept in the key, written 层; only a floor the flat holds (``3栋5楼502``) is left
out.  Three doors 3 of building 3 on floors 5, 12 and 8 are three flats.

F02: an English room word typed in full width (``Ｒｍ３－１２０２``) is the word
(NFKC), as ``Rm3-1202``.

F03: a flat padded with a zero after its floor (``5楼0502``) is flat 502 on floor
5, not building 5's flat 502.

F04 (PRV-1): a stored room is masked where a text writes it as its key reads it
(``1202`` of ``1201/1202`` or ``Rm 1202``, ``502`` of ``5楼502``, ``101`` of
``0101``), as a stored plain room of that number is.

F05: a Chinese numeral with spaces before its word (``三 栋 2 单元 1201``) is its
digits, as ``3 栋 2 单元 1201`` is.

Expected keys are the documented source ``sha256("room:<site>|<building>|<room>")``
hashed here by hand, the building and room written out as concepts.md says;
masked texts are counted by hand (a digit-led literal of five characters or more
keeps its last two: ``mask``).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

import pytest

from complaintcore.core import privacy
from complaintcore.core.concentration import room_building, room_match, room_place
from complaintcore.core.privacy import Literals, literals_in, redact
from complaintcore.core.repeats import room_key
from complaintcore.core.room_forms import arabic, room_unnamed


def _hash(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:16]


# --------------------------------------------------------------------------- F01


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
@pytest.mark.parametrize(
    ("typed", "matched"),
    [
        ("3栋5楼3号", "3栋5层3"),
        ("3栋12楼3号", "3栋12层3"),
        ("3栋8楼3号", "3栋8层3"),
        ("3栋2单元5楼3号", "3栋2单元5层3"),
        ("3栋2单元6楼3号", "3栋2单元6层3"),
        ("3栋12楼03", "3栋12层3"),
        ("3栋5楼03", "3栋5层3"),
        # a floor the flat holds is still left out
        ("3栋5楼502", "3-502"),
        ("3栋2单元12楼1201室", "3-2-1201"),
    ],
)
def test_a_floor_the_door_number_does_not_hold_is_kept(typed: str, matched: str) -> None:
    assert room_match(typed) == matched
    assert room_building(typed) == "3"


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
def test_doors_3_of_three_floors_are_three_rooms() -> None:
    keys = {room_key("sunrise", "", typed) for typed in ("3栋5楼3号", "3栋12楼3号", "3栋8楼3号")}
    assert keys == {
        _hash("room:sunrise|3|3栋5层3"),
        _hash("room:sunrise|3|3栋12层3"),
        _hash("room:sunrise|3|3栋8层3"),
    }
    assert room_key("sunrise", "3栋", "3栋5楼3号") == _hash("room:sunrise|3|3栋5层3")


# --------------------------------------------------------------------------- F02


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
@pytest.mark.parametrize(
    ("typed", "matched", "building"),
    [
        ("Ｒｍ３－１２０２", "3-1202", "3"),
        ("Ｒｍ3-1202", "3-1202", "3"),
        ("Ｒｏｏｍ １２０２", "1202", ""),
        ("Room\u30001202", "1202", ""),  # an ideographic space
        ("Ａｐｔ． ３－１２０２", "3-1202", "3"),
        ("ＦＬＡＴ　＃１２０２", "1202", ""),
    ],
)
def test_a_room_word_in_full_width_is_the_word(typed: str, matched: str, building: str) -> None:
    assert room_match(typed) == matched
    assert room_building(typed) == building


@pytest.mark.procedure("IMP-3")
def test_a_full_width_room_word_and_its_half_width_form_have_one_key() -> None:
    key = _hash("room:sunrise|3|3-1202")
    assert room_key("sunrise", "", "Rm3-1202") == key
    assert room_key("sunrise", "", "Ｒｍ３－１２０２") == key
    assert room_unnamed("Ｒｍ３－１２０２") == "3-1202"
    assert room_unnamed("Ｒｏｏｍｙ") == "Ｒｏｏｍｙ"  # no room word: as it is


# --------------------------------------------------------------------------- F03


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
@pytest.mark.parametrize(
    ("building", "typed", "place"),
    [
        ("", "5楼0502", ("", "502")),
        ("", "5楼502", ("", "502")),
        ("3栋", "5楼0502", ("3", "3-502")),
        ("3栋", "5楼502", ("3", "3-502")),
        ("", "3栋5楼0502", ("3", "3-502")),
        ("", "1楼0101", ("", "101")),
        ("", "1楼101", ("", "101")),
        ("", "05楼0502", ("", "502")),
        ("", "5栋502", ("5", "5-502")),  # building 5: another flat
    ],
)
def test_a_flat_padded_after_its_floor_is_that_flat(
    building: str, typed: str, place: tuple[str, str]
) -> None:
    assert room_place(building, typed) == place


@pytest.mark.procedure("IMP-3")
def test_a_padded_flat_is_not_building_5s() -> None:
    assert room_key("sunrise", "", "5楼0502") == _hash("room:sunrise||502")
    assert room_key("sunrise", "", "5栋502") == _hash("room:sunrise|5|5-502")


def _cost(read: Callable[[str], object], value: str) -> float:
    """The least processor time of three readings of ``value`` (no cache)."""
    times = []
    for _ in range(3):
        start = time.process_time()
        read(value)
        times.append(time.process_time() - start)
    return min(times)


@pytest.mark.parametrize(
    "read",
    [room_match.__wrapped__, privacy._keyed_rooms.__wrapped__],
    ids=["key", "masking"],
)
@pytest.mark.parametrize("run", ["1楼", "3栋1楼"])
def test_reading_floors_costs_time_in_proportion_to_the_room(
    read: Callable[[str], object], run: str
) -> None:
    """A room of many floors is read once over (each floor looked at against the
    flat once): ten times the floors, about ten times the time (a hundred when
    each floor looked again at those before it, as s51B's reading did)."""
    short = _cost(read, run * 3000 + "0101")
    long = _cost(read, run * 30000 + "0101")
    assert long < 25 * max(short, 1e-4)


# --------------------------------------------------------------------------- F04


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("room", "text", "masked"),
    [
        ("1201/1202", "1202卫生间漏水，1201也漏", "****卫生间漏水，****也漏"),
        ("Rm 1202", "1202室楼上漏水", "****室楼上漏水"),
        ("5楼502", "502室楼上漏水", "***室楼上漏水"),
        ("0101", "101室楼上漏水", "***室楼上漏水"),
        ("0101室", "0101楼上漏水，即101", "****楼上漏水，即***"),
        ("1201室", "1201楼上漏水", "****楼上漏水"),  # review s50Q F02, unchanged
        ("Ｒｍ３－１２０２", "住3栋1202室", "住*****2室"),
        ("3栋5楼502", "住3-502", "住***02"),
        ("三号楼2单元1201", "住3-2-1201", "住******01"),  # the whole room, not 2-1201
        ("03-02-0101", "住3栋2单元101室", "住*******1室"),
        ("Flat 3", "Flat3漏水", "Flat*漏水"),
    ],
)
def test_a_room_is_masked_as_its_key_reads_it(room: str, text: str, masked: str) -> None:
    assert redact(text, also=["王小明", "13800000001", room]) == masked


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "literal"),
    [("1202室楼上漏水", "1201/1202"), ("1201楼上漏水", "1201室"), ("502号", "5楼502")],
)
def test_an_issues_fellow_room_is_found_as_its_key_reads_it(text: str, literal: str) -> None:
    """An issue's other members' rooms are prepared for each text (``literals_in``,
    ``Literals``): a room is found where the text writes it as its key reads it,
    so it is masked there (the s50Q form ``1201室`` was not)."""
    given = ["李四", literal, "13900000002"]
    assert literals_in(text, given) == [literal]
    assert Literals(given).found_in(text) == [literal]


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("room", "text"),
    [
        ("1201/1202", "共3次"),  # a part that is no flat is not read alone
        ("3/2/1201", "等了2天 第3次"),
        ("王和平", "王平"),
        ("Roomy", "my room"),
        ("5楼502", "5月2日，已报修"),
    ],
)
def test_other_words_and_numbers_stay_readable(room: str, text: str) -> None:
    assert redact(text, also=[room]) == text


# --------------------------------------------------------------------------- F05


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
@pytest.mark.parametrize(
    "typed",
    [
        "三 栋 2 单元 1201",
        "3 栋 2 单元 1201",
        "第 三 栋 2 单元 1201",
        "3栋 二 单元 1201",
        "三\u3000栋2单元1201",
    ],
)
def test_a_numeral_with_spaces_before_its_word_is_its_digits(typed: str) -> None:
    assert room_match(typed) == "3-2-1201"
    assert room_key("sunrise", "", typed) == _hash("room:sunrise|3|3-2-1201")


def test_only_numerals_before_a_word_are_read() -> None:
    assert arabic("三 栋") == "3 栋"
    assert arabic("一二 零一") == "一二 零一"
    assert arabic("三 三栋") == "三 3栋"  # as before: the numeral just before the word
