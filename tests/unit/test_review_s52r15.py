"""Review s52R15: a regression check of s52R11 (masking of rooms in free text).

F01: a floor range written with F or 层 (``1F—5F``, ``5F-10F``, ``B1F-3F``,
``1层-5层``) is no room, and a basement floor ``B1F``/``B1层`` is no first group
ending in ``1``: ``1F—5F电梯停运`` stays readable for a stored ``1-5``, ``B1F-01漏水``
for a stored ``1-01`` (another room: concepts.md, ``B1F-01`` is the floor ``B1层``).

F02: a spaced lettered flat with a building before its letter (``3栋B 12``,
``3-A 1201``) is bounded as the bare form is: no digit glued to its digits, nor
after a dot or a colon (a time, an amount, a decimal stay readable).

Masked texts are counted by hand (``mask`` keeps a letter's first character, and of
a value starting with a digit its last two characters when it has five or more).
"""

from __future__ import annotations

import pytest

from complaintcore.core.privacy import redact


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("room", "text"),
    [
        ("1-5", "1F—5F电梯停运"),
        ("1-5", "1F-5F电梯停运"),
        ("3-5", "在3F-5F之间"),
        ("5-10", "5F-10F"),
        ("1-2", "1F—2F"),
        ("B1-3", "B1F-3F扶梯"),
        ("1-5", "1层-5层电梯停运"),
        ("1-01", "B1F-01漏水"),
        ("1-01", "B1F-1号口"),
        ("1层01", "B1F—01漏水"),
        ("1-01", "B1层01漏水"),
    ],
)
def test_f01_floor_range_and_basement_stay_readable(room: str, text: str) -> None:
    assert redact(text, also=[room]) == text


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("room", "text", "expected"),
    [
        ("1-5", "1F—5F电梯停运，1-5漏水", "1F—5F电梯停运，***漏水"),
        ("1-5", "1层-5层电梯停运，1-5漏水", "1层-5层电梯停运，***漏水"),
        ("1-01", "B1F-01漏水，1-01也漏", "B1F-01漏水，****也漏"),
        ("B1F-01", "B1F-01漏水", "B*****漏水"),
        ("B1-3", "B1F-3F扶梯，B1-3门口", "B1F-3F扶梯，B***门口"),
        ("3-1201", "3-1201F", "****01F"),
        ("3-3", "B3楼3", "B***"),  # B3楼: as often the building B3, not read as a basement
    ],
)
def test_f01_stored_room_still_masked(room: str, text: str, expected: str) -> None:
    assert redact(text, also=[room]) == expected


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("room", "text"),
    [
        ("3栋B12", "3栋B 12:30停水"),
        ("3栋B12", "3栋B 120户"),
        ("3栋B12", "3栋B 12.5米"),
        ("3栋A1201", "3栋A 12010元"),
        ("3栋A1201", "3栋A 1201.5元"),
        ("3-A1201", "3-A 12010"),
        ("A1201", "A 12010"),
    ],
)
def test_f02_spaced_flat_with_building_bounded(room: str, text: str) -> None:
    assert redact(text, also=[room]) == text


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("room", "text", "expected"),
    [
        ("3栋B12", "3栋B 12:30停水，3栋B 12漏水", "3栋B 12:30停水，****12漏水"),
        ("3栋A1201", "3栋A 12010元 3栋A 1201", "3栋A 12010元 ******01"),
        ("3-A1201", "3-A 12010，3-A 1201室", "3-A 12010，*******1室"),
    ],
)
def test_f02_stored_room_still_masked(room: str, text: str, expected: str) -> None:
    assert redact(text, also=[room]) == expected
