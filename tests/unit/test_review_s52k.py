"""Review s52K: the leftovers of review s51R23 (room keys and masking).

F02: a room that starts at its floor (层, or an F) is read below a building field
of one group as the whole address reads it: building ``3栋`` and room ``5层3号``
is ``3栋5层3号``'s ``3栋5层3`` (concepts.md: 层 never names a building).

F03: a floor written before the flat after a dashed building takes no place of
the dashes: ``3-5F-502`` and ``3-5层502`` are ``3-502`` (building 3, flat 502),
``3-2-5层502`` is ``3-2-502``.

F04: a stored flat with a letter (``A1201``, ``1201B``, ``A座1201``) is masked
where a text writes a space between its letter and digits (``A 1201``,
``1201 B``), as a room key reads them as one flat.

Expected keys are the documented source ``sha256("room:<site>|<building>|<room>")``
hashed here by hand, the building and room written out as concepts.md says;
masked texts are counted by hand (``mask`` keeps a letter's first character, a
digit's last two).
"""

from __future__ import annotations

import hashlib

import pytest

from complaintcore.core.concentration import room_building
from complaintcore.core.privacy import redact
from complaintcore.core.repeats import room_key


def _hash(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:16]


# --------------------------------------------------------------------------- F02, F03

FLOOR_LED = [  # F02: a room led by its floor below a building field of one group
    ("3栋", "5层3号", "room:sunrise|3|3栋5层3"),
    ("", "3栋5层3号", "room:sunrise|3|3栋5层3"),
    ("3栋", "3栋5层3号", "room:sunrise|3|3栋5层3"),
    ("3栋", "5F-3", "room:sunrise|3|3栋5层3"),
    ("", "3栋5F-3", "room:sunrise|3|3栋5层3"),
    ("3栋", "12层3号", "room:sunrise|3|3栋12层3"),
    ("", "3栋12层3号", "room:sunrise|3|3栋12层3"),
    ("3栋", "2单元5层3号", "room:sunrise|3|3栋2单元5层3"),
    ("", "3栋2单元5层3号", "room:sunrise|3|3栋2单元5层3"),
    ("A座", "5层3号", "room:sunrise|a|a栋5层3"),
    ("", "A座5层3号", "room:sunrise|a|a栋5层3"),
]
KEPT = [  # other rooms below a building field stay as they were read
    ("3栋", "6层3号", "room:sunrise|3|3栋6层3"),  # another floor's door 3
    ("3栋", "5层502", "room:sunrise|3|3-502"),  # the floor the flat holds
    ("3栋", "5楼3号", "room:sunrise|3|5-3"),  # 楼 names building 5 (concepts.md)
    ("3栋", "2-5层3", "room:sunrise|3|2栋5层3"),  # dashed: building 2, as 2-1201 is
]
DASHED_FLOOR = [  # F03: a floor after a dashed building
    ("", "3-5F-502", "room:sunrise|3|3-502"),
    ("", "3-5层502", "room:sunrise|3|3-502"),
    ("", "3-5层-502", "room:sunrise|3|3-502"),
    ("", "3 - 5F - 502", "room:sunrise|3|3-502"),
    ("", "3栋5F-502", "room:sunrise|3|3-502"),
    ("", "3-502", "room:sunrise|3|3-502"),
    ("3", "502", "room:sunrise|3|3-502"),
    ("", "3-2-5层502", "room:sunrise|3|3-2-502"),
    ("", "3-2-5F-502", "room:sunrise|3|3-2-502"),
    ("", "3-2-502", "room:sunrise|3|3-2-502"),
    ("", "3-5层3号", "room:sunrise|3|3栋5层3"),  # floor 5, door 3: the floor kept
]


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
@pytest.mark.parametrize(("building", "room", "source"), FLOOR_LED + KEPT + DASHED_FLOOR)
def test_a_room_with_its_floor_has_the_documented_key(
    building: str, room: str, source: str
) -> None:
    assert room_key("sunrise", building, room) == _hash(source)


@pytest.mark.procedure("IMP-3")
@pytest.mark.parametrize("room", ["3-5F-502", "3-5层502", "3-2-5层502"])
def test_the_building_a_dashed_room_with_a_floor_names(room: str) -> None:
    assert room_building(room) == "3"


# --------------------------------------------------------------------------- F04


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("stored", "text", "masked"),
    [
        ("A1201", "业主住A 1201，噪音", "业主住A*****，噪音"),
        ("A1201", "业主住a  1201，噪音", "业主住a******，噪音"),
        ("A1201", "业主住A\n1201", "业主住A\n****"),
        ("A座1201", "业主住A 1201，噪音", "业主住A*****，噪音"),
        ("A座1201", "业主住A1201，噪音", "业主住A****，噪音"),
        ("A-1201", "业主住A 1201，噪音", "业主住A*****，噪音"),
        ("1201B", "住1201 B的业主", "住**** B的业主"),
        ("1201B室", "住1201 B的业主", "住**** B的业主"),
        ("A 1201", "业主住A1201，噪音", "业主住A****，噪音"),  # as before
    ],
)
def test_a_lettered_flat_is_masked_with_a_space_beside_its_letter(
    stored: str, text: str, masked: str
) -> None:
    assert redact(text, also=[stored]) == masked


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("stored", "text"),
    [
        ("A1201", "业主住A 1202，噪音"),  # another flat
        ("A1201", "业主住B 1201，噪音"),  # another building's
        ("1201B", "住1201 C的业主"),
        ("1201", "住12 01的业主"),  # no space is taken between two digits
    ],
)
def test_other_flats_stay_readable(stored: str, text: str) -> None:
    assert redact(text, also=[stored]) == text
