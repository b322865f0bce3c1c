"""Review s53R1: a re-review of s52R15's masking of floors and spaced flats.

F01: a room followed by 楼上/楼下/楼道/楼梯/层高 (``3栋5F-502楼下漏水``) is the room,
not a floor range ``5层-502楼``: the end of a range is written as a floor (``5F``,
or 层/楼 starting no word), has at most two digits and no leading zero, and is
not below the floor before it.

F02: a floor range written with a doubled dash (``1F——5F``, as a Chinese IME types a
dash) is a range as ``1F—5F`` is.

F03: a spaced lettered flat after a building (``3栋A 1201``) is masked before a list
or a range of flats (``/1202``, ``-1202``: as many digits as the flat, three or
more) and before a mobile after a colon; a time, an amount, a decimal and a
date of a two-digit flat stay readable.

F04: a basement written in Chinese in a text (``负1层``, ``地下1层``, ``负一楼``) is
read as the floor ``B1层``, as the key reads it, one character for one: a stored
``3栋负1层01号`` hides ``3栋负1层1号``, a stored ``3栋B1F-01`` hides ``3栋负1层01号``.

Masked texts are counted by hand (``mask`` keeps a value's first character when it
is no digit, and of a value starting with a digit its last two characters when it
has five or more).
"""

from __future__ import annotations

import pytest

from complaintcore.core.privacy import redact


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("room", "text", "expected"),
    [
        ("3栋5F-502", "3栋5F-502楼下漏水", "******02楼下漏水"),
        ("3栋5楼-502", "3栋5楼-502楼下漏水", "******02楼下漏水"),
        ("3栋5楼502", "3栋5F-502楼下漏水", "******02楼下漏水"),
        ("3栋5楼502", "3栋5楼 502楼上漏水", "******02楼上漏水"),
        ("3栋5楼502", "3栋5F—502楼道灯坏", "******02楼道灯坏"),
        ("3栋5楼502", "3栋5层 502楼顶", "******02楼顶"),
        ("3栋5楼502", "3栋5楼 502层高不够", "******02层高不够"),
        ("3栋5楼502", "3栋5F-502层", "******02层"),
        ("3栋5楼502", "住在3栋5楼-502楼上的业主", "住在******02楼上的业主"),
        ("3栋5楼502", "3栋5楼502楼上漏水", "*****02楼上漏水"),
        ("3栋B1F-01", "3栋B1F-01楼梯间", "******01楼梯间"),
        ("B1F-01", "B1F-01楼道", "B*****楼道"),
        ("5F-502", "5F-502楼下漏水", "****02楼下漏水"),
        ("3-5F-502", "3-5F-502楼上", "******02楼上"),
        ("3栋2单元5楼502室", "3栋2单元5楼-502楼上的住户", "*********02楼上的住户"),
        ("3栋5层-3号", "3栋5层-3楼道", "****-3楼道"),
        ("3栋5楼502A", "3栋5F-502A楼下", "*******2A楼下"),
    ],
)
def test_f01_room_before_a_word_of_floors_masked(room: str, text: str, expected: str) -> None:
    assert redact(text, also=[room]) == expected


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("room", "text"),
    [
        ("1-5", "1F-5F楼道灯坏"),
        ("1-5", "1楼-5楼电梯停运"),
        ("1-5", "1层-5层电梯停运"),
        ("B1-3", "B1层-3层扶梯"),
        ("5-10", "5F-10F"),
    ],
)
def test_f01_floor_ranges_still_readable(room: str, text: str) -> None:
    assert redact(text, also=[room]) == text


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("room", "text"),
    [
        ("1-5", "1F——5F电梯停运"),
        ("1-5", "1层——5层电梯停运"),
        ("5-10", "5F——10F"),
        ("B1-3", "B1F——3F扶梯"),
        ("1-5", "1F--5F电梯停运"),
        ("1-5", "1F－－5F电梯停运"),
        ("1-5", "1F ——5F电梯停运"),
    ],
)
def test_f02_floor_range_with_doubled_dash_readable(room: str, text: str) -> None:
    assert redact(text, also=[room]) == text


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("room", "text", "expected"),
    [
        ("1-5", "1——5漏水", "****漏水"),
        ("3栋5楼502", "3栋5F——502漏水", "*******02漏水"),
        ("1-5", "1F——5F电梯停运，1-5漏水", "1F——5F电梯停运，***漏水"),
    ],
)
def test_f02_stored_room_with_doubled_dash_still_masked(
    room: str, text: str, expected: str
) -> None:
    assert redact(text, also=[room]) == expected


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("room", "text", "expected"),
    [
        ("3栋A1201", "3栋A 1201/1202都漏水", "******01/1202都漏水"),
        ("3栋A1201", "3栋A 1201／1202都漏水", "******01／1202都漏水"),
        ("3栋A1201", "3栋A 1201:13812345678", "******01:*********78"),
        ("3-A1201", "3-A 1201/1202", "******01/1202"),
        ("3栋A1201", "3栋A 1201-1202都漏水", "******01-1202都漏水"),
    ],
)
def test_f03_spaced_flat_with_building_before_a_list_masked(
    room: str, text: str, expected: str
) -> None:
    assert redact(text, also=[room]) == expected


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("room", "text"),
    [
        ("3栋B12", "3栋B 12/30停水"),  # a date: the flat has two digits
        ("3栋B12", "3栋B 12:30停水"),
        ("3栋A1201", "3栋A 1201:30"),
        ("3栋A1201", "3栋A 1201/12010"),
        ("3栋A1201", "3栋A 12010元"),
        ("3栋A1201", "3栋A 1201.5元"),
    ],
)
def test_f03_times_dates_amounts_still_readable(room: str, text: str) -> None:
    assert redact(text, also=[room]) == text


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("room", "text", "expected"),
    [
        ("3栋负1层01号", "3栋负1层1号", "*****1号"),
        ("3栋地下1层01号", "3栋地下1层1号", "******1号"),
        ("负1层01号", "负1层1号漏水", "负****漏水"),
        ("3栋负1层01号", "3栋负1层01号", "******1号"),
        ("3栋B1F-01", "3栋负1层01号漏水", "******1号漏水"),
        ("3栋B1F-01", "3栋负1层1号", "*****1号"),
        ("3栋B1F-01", "3栋负一楼01号", "******1号"),
        ("3栋B1F-01", "3栋地下1层01号", "*******1号"),
        ("3栋B2F-01", "3栋负二层01号", "******1号"),
        ("3栋负二楼01", "3栋负二楼01漏水", "*****01漏水"),
        ("3栋地下二层01号", "3栋B2层01号", "******1号"),
        ("负二层05", "负二层05", "负****"),
    ],
)
def test_f04_chinese_basement_read_as_its_key(room: str, text: str, expected: str) -> None:
    assert redact(text, also=[room]) == expected


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("room", "text"),
    [
        ("1-01", "负1层01号漏水"),  # the floor B1层: another room than 1-01 (its key)
        ("3栋1层01号", "3栋负1层01号"),
        ("1-1", "3栋负1层1号"),
    ],
)
def test_f04_chinese_basement_no_other_room(room: str, text: str) -> None:
    assert redact(text, also=[room]) == text
