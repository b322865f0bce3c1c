"""Review s52R7: the re-review of s52K (lettered flats written with a space, a basement).

F01: the spaced form of a stored lettered flat (``a 1201`` of ``A1201``, ``12 a`` of
``12A``) is masked only where it stands as a whole: ordinary words, times, dates,
decimals and other numbers beside which the letter and digits stand stay readable
(they were masked: ``step** of the guide`` for ``P2``).

F02: a stored lettered flat with a floor or a building (``5楼502A``, ``3栋5楼502A``,
``12F-1201B``) masks its flat written with a space as its key reads it (``502 A``,
``3栋502 A``, ``1201 B``), as a stored ``502A`` does.

F03: a space beside a flat's letter in an address form is none: ``3栋A 1201`` is
``3栋A1201``, ``3-1201 B`` is ``3-1201B`` (concepts.md); they were keyed as spelt, in
no building.

F04: a basement floor written ``B1F`` is a floor as ``B1层`` is: ``3栋B1F-01`` is
``3栋B1层01号`` (it was keyed as spelt, in no building).

Expected keys are the documented source ``sha256("room:<site>|<building>|<room>")``
hashed here by hand, the building and room written out as concepts.md says;
masked texts are counted by hand (``mask`` keeps a letter's first character, and
of a value starting with a digit its last two characters when it has five or more).
"""

from __future__ import annotations

import pytest

from complaintcore.core.concentration import room_building
from complaintcore.core.privacy import redact
from complaintcore.core.repeats import room_key
from tests.unit.test_review_s52k import _hash

# --------------------------------------------------------------------------- F03, F04

SPACED_LETTER = [  # F03: one room, with the letter glued or spaced
    ("", "3栋A1201", "room:sunrise|3|3-a1201"),
    ("", "3栋A 1201", "room:sunrise|3|3-a1201"),
    ("", "3栋 A  1201室", "room:sunrise|3|3-a1201"),
    ("", "3-1201B", "room:sunrise|3|3-1201b"),
    ("", "3-1201 B", "room:sunrise|3|3-1201b"),
    ("", "3-1201 B室", "room:sunrise|3|3-1201b"),
    ("", "３－１２０１　Ｂ", "room:sunrise|3|3-1201b"),
    ("", "3栋5楼502A", "room:sunrise|3|3-502a"),
    ("", "3栋5楼502 A", "room:sunrise|3|3-502a"),
    ("3栋", "5楼502 A", "room:sunrise|3|3-502a"),
    ("", "3栋2单元1201B", "room:sunrise|3|3-2-1201b"),
    ("", "3栋2单元1201 B", "room:sunrise|3|3-2-1201b"),
    ("3栋", "2单元1201 B", "room:sunrise|3|3-2-1201b"),
]
BASEMENT = [  # F04: B1F is the floor B1层
    ("3栋", "B1F-01", "room:sunrise|3|3栋b1层1"),
    ("3栋", "B1层01号", "room:sunrise|3|3栋b1层1"),
    ("", "3栋B1F-01", "room:sunrise|3|3栋b1层1"),
    ("", "3栋B1层01号", "room:sunrise|3|3栋b1层1"),
    ("", "3栋b1f-01", "room:sunrise|3|3栋b1层1"),
]
KEPT = [  # read as before
    ("", "Bldg. A 1201", "room:sunrise|a|a-1201"),  # an English building name's letter
    ("", "A 1201", "room:sunrise||a1201"),
    ("", "1201 B", "room:sunrise||1201b"),
    ("", "3栋1201F", "room:sunrise|3|3-1201f"),  # a flat 1201F, no floor
    ("", "3栋1201 Bob", "room:sunrise||3栋1201bob"),  # a word after it is no letter
    ("", "3栋B2F-01", "room:sunrise|3|3栋b2层1"),  # another basement floor
]


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
@pytest.mark.parametrize(("building", "room", "source"), SPACED_LETTER + BASEMENT + KEPT)
def test_a_spaced_letter_or_a_basement_has_the_documented_key(
    building: str, room: str, source: str
) -> None:
    assert room_key("sunrise", building, room) == _hash(source)


@pytest.mark.procedure("IMP-3")
@pytest.mark.parametrize("room", ["3栋A 1201", "3-1201 B", "3栋5楼502 A", "3栋B1F-01"])
def test_the_building_a_spaced_or_basement_room_names(room: str) -> None:
    assert room_building(room) == "3"


# --------------------------------------------------------------------------- F01

OVERMASKED = [  # the reviewer's texts: no flat in them
    ("P2", "Please follow step 2 of the guide"),
    ("P2", "due P 2026-01-01"),
    ("A1201", "the data 1201 rows were lost"),
    ("A1201", "invoice A 12010 paid"),
    ("12A", "the pump stops at 12 am"),
    ("12A", "meet at 12 a.m. tomorrow"),
    ("5B", "price 5 Bucks"),
    ("B12", "Plan B 12:30 meeting"),
    ("A座12", "Plan A 12:00"),
    ("A座12", "A 12.5 元"),
    ("1201B", "1201 by noon"),
    ("1201B", "order 21201 B"),  # another number's digits
    ("A1201", "Plan A 12-01 review"),  # a date after the letter
    ("3栋5楼502A", "3栋502 Apt"),  # a word, not the letter
]


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(("stored", "text"), OVERMASKED)
def test_ordinary_text_stays_readable_beside_a_lettered_flat(stored: str, text: str) -> None:
    assert redact(text, also=[stored]) == text


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("stored", "text", "masked"),
    [  # the flat as a whole token is still masked (s52K F04)
        ("P2", "住P 2的业主", "住P**的业主"),
        ("12A", "住12 A的业主", "住****的业主"),  # four characters: no tail kept
        ("A1201", "业主住A 1201。", "业主住A*****。"),
        ("A1201", "(A 1201)", "(A*****)"),
        ("1201B", "住1201 B.", "住**** B."),
        ("1201B", "１２０１　Ｂ", "****\u3000Ｂ"),
        ("B12", "Plan B 12 at noon", "Plan B*** at noon"),
    ],
)
def test_a_spaced_flat_standing_alone_is_masked(stored: str, text: str, masked: str) -> None:
    assert redact(text, also=[stored]) == masked


# --------------------------------------------------------------------------- F02


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("stored", "text", "masked"),
    [
        ("5楼502A", "住502 A的业主", "住*** A的业主"),  # key 502a, as 502A's
        ("5楼502A", "住5楼502 A的业主", "住***** A的业主"),
        ("3栋5楼502A", "住3栋502 A的业主", "住***** A的业主"),  # key 3-502a
        ("3栋5楼502A", "住3-502 A的业主", "住***** A的业主"),
        ("3栋5楼502A", "住3栋5楼502 A的业主", "住******* A的业主"),
        ("12F-1201B", "住1201 B的业主", "住**** B的业主"),  # key 1201b
        ("5层1201B", "住5层1201 B的业主", "住****** B的业主"),  # floor 5 kept
        ("3-1201B", "住3-1201 B的业主", "住****** B的业主"),
        ("3栋2单元1201B", "住3栋2单元1201 B的业主", "住********* B的业主"),
        ("3栋2单元1201B", "住3-2-1201 B的业主", "住******** B的业主"),
        ("3栋A1201", "住3栋A 1201的业主", "住******01的业主"),
        ("3栋5楼502 A", "住3栋5楼502 A的业主", "住******* A的业主"),  # stored spaced
    ],
)
def test_a_lettered_flat_with_a_floor_or_building_is_masked_spaced(
    stored: str, text: str, masked: str
) -> None:
    assert redact(text, also=[stored]) == masked


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("stored", "text"),
    [
        ("3栋5楼502A", "住3栋502的业主"),  # flat 502, not 502A
        ("3栋5楼502 A", "住3栋5楼502的业主"),
        ("5层1201B", "住5层1201的业主"),
        ("3-1201B", "住3-1201的业主"),
        ("3栋A1201", "住3栋A的业主"),
        ("5楼502A", "住502 B的业主"),  # another flat
    ],
)
def test_the_flat_without_its_letter_stays_readable(stored: str, text: str) -> None:
    assert redact(text, also=[stored]) == text
