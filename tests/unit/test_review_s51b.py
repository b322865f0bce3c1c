"""Review s51B: building and room forms in repeat keys (HDL-5, IMP-3, GRD-2).

F01: a building or unit written in Chinese numerals (一 to 九十九, 两 for 2) before
its word is that number: ``三号楼``, ``第三栋`` are building 3, ``十二号楼`` 12.

F02: a number's leading zeros do not matter: ``03栋``, ``Block 03`` are building 3,
``03-2-1201`` is ``3-2-1201``, and flat ``0101`` is ``101`` (floor 01, flat 01).

F03: ``楼`` after a number is a floor where a building or unit is named before it
(``3号楼5楼502``) or the room after it is that floor and two digits (``5楼502``);
a floor is left out of the key.  ``3楼1201`` stays building 3 (concepts.md).

F04: an English room word before the number (``Rm3-1202``, ``Rm 1202``, ``Flat
3-1202``) is dropped.

F05: a value of several rooms (``1201/1202``, ``1202、1201``) is keyed by its
rooms, each once, in order, joined by ``/``.

Expected keys are the documented source ``sha256("room:<site>|<building>|<room>")``
(a phoneless complainant's ``...|<name>``) hashed here by hand, with the building
and room written out as concepts.md says.
"""

from __future__ import annotations

import hashlib

import pytest

from complaintcore.core.building_forms import chinese_number, plain_number
from complaintcore.core.concentration import (
    building_key,
    complainant_key,
    room_building,
    room_match,
    room_place,
)
from complaintcore.core.models import Complainant
from complaintcore.core.repeats import room_key
from complaintcore.core.room_forms import arabic, room_list, room_unnamed


def _hash(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:16]


# --------------------------------------------------------------------------- F01


@pytest.mark.parametrize(
    ("numeral", "number"),
    [
        ("一", 1),
        ("三", 3),
        ("九", 9),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("二十三", 23),
        ("九十九", 99),
        ("两", 2),
        ("十十", None),
        ("三三", None),
        ("零", None),
        ("", None),
    ],
)
def test_chinese_numerals_from_one_to_ninety_nine_are_read(
    numeral: str, number: int | None
) -> None:
    assert chinese_number(numeral) == number


@pytest.mark.procedure("HDL-5")
@pytest.mark.procedure("IMP-3")
@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("三号楼", "3"),
        ("第三栋", "3"),
        ("三栋", "3"),
        ("三幢", "3"),
        ("十二号楼", "12"),
        ("第二十三栋", "23"),
        ("两号楼", "2"),
        ("三", "三"),  # a numeral alone is no building's name
        ("三单元", "三单元"),  # a unit
    ],
)
def test_a_building_in_chinese_numerals_is_its_number(typed: str, key: str) -> None:
    assert building_key(typed) == key


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
@pytest.mark.parametrize(
    "typed",
    ["三号楼2单元1201", "第三栋2单元1201", "3栋二单元1201", "三栋两单元1201室", "3-2-1201"],
)
def test_a_room_with_chinese_numerals_is_the_room_in_digits(typed: str) -> None:
    assert room_match(typed) == "3-2-1201"
    assert room_building(typed) == "3"
    assert room_key("sunrise", "", typed) == _hash("room:sunrise|3|3-2-1201")
    assert room_key("sunrise", "三号楼", typed) == _hash("room:sunrise|3|3-2-1201")


def test_numerals_elsewhere_are_kept() -> None:
    assert arabic("十二栋二单元1201") == "12栋2单元1201"
    assert arabic("一二零一") == "一二零一"  # a room in numerals: no word after it
    assert arabic("三三栋") == "三三栋"  # no number
    assert arabic("3-2-1201") == "3-2-1201"


# --------------------------------------------------------------------------- F02


@pytest.mark.parametrize(
    ("group", "number"),
    [("03", "3"), ("0101", "101"), ("a03", "a3"), ("03b", "3b"), ("0", "0"), ("00", "0")],
)
def test_a_groups_leading_zeros_are_dropped(group: str, number: str) -> None:
    assert plain_number(group) == number


@pytest.mark.procedure("HDL-5")
@pytest.mark.procedure("IMP-2")
@pytest.mark.parametrize(
    ("typed", "key"), [("03栋", "3"), ("Block 03", "3"), ("003", "3"), ("0栋", "0")]
)
def test_a_buildings_leading_zeros_do_not_matter(typed: str, key: str) -> None:
    assert building_key(typed) == key


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
@pytest.mark.parametrize(
    ("typed", "matched"),
    [
        ("03-2-1201", "3-2-1201"),
        ("3-02-1201", "3-2-1201"),
        ("03栋02单元1201室", "3-2-1201"),
        ("3-2-0101", "3-2-101"),
        ("0101", "101"),
        ("0101室", "101"),
        ("1201", "1201"),
    ],
)
def test_a_rooms_leading_zeros_do_not_matter(typed: str, matched: str) -> None:
    assert room_match(typed) == matched


@pytest.mark.procedure("IMP-3")
def test_one_flat_with_and_without_zeros_has_one_key() -> None:
    key = _hash("room:sunrise|3|3-2-1201")
    assert room_key("sunrise", "03栋", "03-2-1201") == key
    assert room_key("sunrise", "3", "3-2-1201") == key
    assert room_key("sunrise", "", "03-2-1201") == key
    assert room_key("sunrise", "03", "0101") == _hash("room:sunrise|3|3-101")


# --------------------------------------------------------------------------- F03


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
@pytest.mark.parametrize(
    ("typed", "matched"),
    [
        ("3号楼5楼502", "3-502"),
        ("3栋2单元5楼502室", "3-2-502"),
        ("5楼502室", "502"),
        ("12楼1201", "1201"),
        ("3楼1201", "3-1201"),  # flat 1201 is on floor 12: building 3 (concepts.md)
        ("1楼1201", "1-1201"),
    ],
)
def test_a_floor_before_its_flat_is_no_building(typed: str, matched: str) -> None:
    assert room_match(typed) == matched


@pytest.mark.procedure("IMP-3")
def test_a_floor_is_read_below_the_building_field() -> None:
    key = _hash("room:sunrise|3|3-502")
    assert room_key("sunrise", "3号楼", "5楼502室") == key
    assert room_key("sunrise", "3栋", "502") == key
    assert room_key("sunrise", "", "3号楼5楼502") == key
    assert room_building("5楼502室") == ""  # a floor, not building 5
    assert building_key("3楼") == "3"  # the building field names a building


# --------------------------------------------------------------------------- F04


@pytest.mark.procedure("IMP-3")
@pytest.mark.parametrize(
    ("typed", "matched"),
    [
        ("Rm3-1202", "3-1202"),
        ("Rm 1202", "1202"),
        ("Flat 3-1202", "3-1202"),
        ("Apt. 1202", "1202"),
        ("Room No. 1202", "1202"),
        ("room#1202", "1202"),
        ("Roomy", "roomy"),
    ],
)
def test_an_english_room_word_before_the_number_is_dropped(typed: str, matched: str) -> None:
    assert room_match(typed) == matched


def test_only_a_room_word_is_dropped() -> None:
    assert room_unnamed("Flats 3") == "Flats 3"
    assert room_unnamed("Rm3-1202") == "3-1202"
    assert room_unnamed("Unit 2") == "Unit 2"


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("HDL-5")
def test_a_phoneless_complainant_is_known_by_the_flat_without_its_word() -> None:
    for room in ("Flat 3-1202", "Rm3-1202", "3-1202"):
        who = Complainant("Ann Lee", "", room, "", "sunrise")
        assert complainant_key(who) == _hash("room:sunrise|3|3-1202|annlee")


# --------------------------------------------------------------------------- F05


def test_a_value_is_split_where_rooms_are_listed() -> None:
    assert room_list("1201/1202") == ("1201", "1202")
    assert room_list("1201、 1202") == ("1201", "1202")
    assert room_list("1201") == ("1201",)


@pytest.mark.procedure("IMP-3")
@pytest.mark.parametrize("typed", ["1201/1202", "1202、1201", "1201，1202", "1201和1202室"])
def test_two_rooms_in_one_value_are_keyed_by_both(typed: str) -> None:
    assert room_match(typed) == "1201/1202"
    assert room_place("3栋", typed) == ("3", "3-1201/3-1202")
    assert room_key("sunrise", "3栋", typed) == _hash("room:sunrise|3|3-1201/3-1202")


@pytest.mark.procedure("IMP-3")
def test_listed_rooms_in_address_forms_name_their_building() -> None:
    assert room_place("", "3-2-1201/3栋2单元1202") == ("3", "3-2-1201/3-2-1202")
    assert room_place("", "3-1201/5-1201") == ("", "3-1201/5-1201")


@pytest.mark.parametrize("typed", ["3/2/1201", "1201/b", "a/b"])
def test_a_value_whose_parts_are_no_rooms_keeps_its_spelling(typed: str) -> None:
    assert room_match(typed) == typed
