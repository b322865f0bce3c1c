"""Review s51R20: second re-review of room keys (after s51B and s51R7).

F01: a room in no address form keeps a space between two groups of digits:
``3 1202``, ``31 202`` and ``312 02`` are three flats, not ``31202`` (beside a
letter the space is left out, review s51R23 F01: ``A 1201`` is ``A1201``).

F02: 层 is a floor's word as 楼 is: ``3栋5层502`` is ``3栋5楼502`` (``3-502``);
``3栋5层3号`` is ``3栋5楼3号`` (``3栋5层3``).

F03: 房, 号房 and 房间 after a flat are end words as 室 and 号 are.

F04: a flat with a letter holds its floor (``5楼502A`` is flat 502A).

F05: ``5F-502`` is floor 5, flat 502, not a building "5f".

Expected keys are the documented source ``sha256("room:<site>|<building>|<room>")``
hashed here by hand, the building and room written out as concepts.md says;
masked texts are counted by hand.
"""

from __future__ import annotations

import hashlib

import pytest

from complaintcore.core.concentration import room_building, room_match, room_place
from complaintcore.core.privacy import redact
from complaintcore.core.repeats import room_key


def _hash(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:16]


# --------------------------------------------------------------------------- F01


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
@pytest.mark.parametrize(
    "rooms",
    [
        ("3 1202", "31 202", "312 02", "31202"),
        ("B 1201", "B1 201", "B12 01"),
        ("3 2 1201", "32 1201", "3 21201"),
    ],
)
def test_a_space_between_groups_keeps_flats_apart(rooms: tuple[str, ...]) -> None:
    keys = {room_key("sunrise", "", room) for room in rooms}
    assert len(keys) == len(rooms)


@pytest.mark.procedure("IMP-3")
@pytest.mark.parametrize(
    ("typed", "matched"),
    [
        ("3 1202", "3 1202"),
        ("3   1202", "3 1202"),  # a run of spaces is one
        (" 3\u30001202 ", "3 1202"),  # an ideographic space, ends stripped
        ("B 1201", "b1201"),  # beside a letter a space tells nothing (review s51R23 F01)
        ("1201 B", "1201b"),
        ("1201 室", "1201"),  # no space kept before a word: one group and its end
        ("１２０１", "1201"),
    ],
)
def test_a_spelt_room_keeps_one_space_between_groups(typed: str, matched: str) -> None:
    assert room_match(typed) == matched


@pytest.mark.procedure("IMP-3")
def test_three_owners_with_spaced_rooms_have_three_room_keys() -> None:
    assert room_key("sunrise", "", "3 1202") == _hash("room:sunrise||3 1202")
    assert room_key("sunrise", "", "31 202") == _hash("room:sunrise||31 202")
    assert room_key("sunrise", "", "312 02") == _hash("room:sunrise||312 02")


# --------------------------------------------------------------------------- F02


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
@pytest.mark.parametrize(
    ("building", "typed", "place"),
    [
        ("", "3栋5层502", ("3", "3-502")),
        ("3栋", "5层502", ("3", "3-502")),
        ("", "5层502", ("", "502")),
        ("", "3栋2单元5层502", ("3", "3-2-502")),
        ("", "B座12层1201", ("b", "b-1201")),
        ("", "3栋5层3号", ("3", "3栋5层3")),
        ("", "3栋5层3", ("3", "3栋5层3")),  # the key's own form is its key
    ],
)
def test_ceng_is_a_floor(building: str, typed: str, place: tuple[str, str]) -> None:
    assert room_place(building, typed) == place


@pytest.mark.procedure("IMP-3")
def test_a_flat_typed_with_lou_and_with_ceng_has_one_key() -> None:
    key = _hash("room:sunrise|3|3-502")
    for building, typed in (("", "3栋5层502"), ("", "3栋5楼502"), ("3栋", "5层502")):
        assert room_key("sunrise", building, typed) == key
    door = _hash("room:sunrise|3|3栋5层3")
    assert room_key("sunrise", "", "3栋5层3号") == door
    assert room_key("sunrise", "", "3栋5楼3号") == door
    assert room_building("3栋5层502") == "3"


@pytest.mark.procedure("PRV-1")
def test_a_room_stored_with_ceng_is_masked_where_a_text_leaves_the_floor_out() -> None:
    # 3栋502: five characters, digit-led, its last two kept
    assert redact("业主住3栋502，楼上漏水", also=["3栋5层502"]) == "业主住***02，楼上漏水"


# --------------------------------------------------------------------------- F03


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
@pytest.mark.parametrize(
    ("building", "typed", "place"),
    [
        ("", "502房", ("", "502")),
        ("", "502号房", ("", "502")),
        ("", "502房间", ("", "502")),
        ("3栋", "502房", ("3", "3-502")),
        ("", "3栋2单元1201房", ("3", "3-2-1201")),
    ],
)
def test_fang_ends_a_flat(building: str, typed: str, place: tuple[str, str]) -> None:
    assert room_place(building, typed) == place


# --------------------------------------------------------------------------- F04


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
@pytest.mark.parametrize(
    ("building", "typed", "place"),
    [
        ("", "3栋5楼502A", ("3", "3-502a")),
        ("3栋", "5楼502A", ("3", "3-502a")),
        ("", "5楼502A", ("", "502a")),
        ("", "3栋5楼A502", ("3", "3-a502")),
        ("", "3栋5层502A", ("3", "3-502a")),
        ("", "3栋6楼502A", ("3", "3栋6层502a")),  # floor 6 is not flat 502A's: kept
    ],
)
def test_a_flat_with_a_letter_holds_its_floor(
    building: str, typed: str, place: tuple[str, str]
) -> None:
    assert room_place(building, typed) == place


# --------------------------------------------------------------------------- F05


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
@pytest.mark.parametrize(
    ("building", "typed", "place"),
    [
        ("", "5F-502", ("", "502")),
        ("", "5f502", ("", "502")),
        ("", "５Ｆ－５０２", ("", "502")),
        ("3栋", "5F-502", ("3", "3-502")),
        ("", "3栋5F-502", ("3", "3-502")),
        ("", "1201F", ("", "1201f")),  # a flat's letter, no floor
        ("", "3-1201F", ("3", "3-1201f")),
    ],
)
def test_an_f_floor_is_a_floor(building: str, typed: str, place: tuple[str, str]) -> None:
    assert room_place(building, typed) == place
    assert room_building(typed) != "5f"


@pytest.mark.procedure("IMP-3")
@pytest.mark.parametrize(
    ("spaced", "glued", "source"),
    [
        ("A 1201", "A1201", "room:sunrise||a1201"),
        ("1201 B", "1201B", "room:sunrise||1201b"),
        ("A 1201室", "A1201室", "room:sunrise||a1201"),
        ("A 1201/A 1202", "A1201/A1202", "room:sunrise||a1201/a1202"),
    ],
)
def test_a_space_beside_a_letter_is_one_flat(spaced: str, glued: str, source: str) -> None:
    """Review s51R23 F01: F01's space kept between a letter and digits made ``A 1201``
    and ``A1201`` two rooms, and ``A 1201/A 1202`` no list of rooms."""
    assert room_key("sunrise", "", spaced) == _hash(source)
    assert room_key("sunrise", "", glued) == _hash(source)
