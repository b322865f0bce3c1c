"""Review s53R8: a re-review of s53R1's masking of floors, basements, flats and phones.

F01/F05: the upper floor of a floor range ends at its 楼/层 unless a word of floors
starts there (楼上, 楼下, 楼道, 楼梯, 楼顶, 楼管, 楼长, 楼宇, 楼主, 楼房, 层高 …):
``1楼-5楼外墙渗水`` is a range before 外墙 and stays readable for a stored ``1-5``,
``3栋5层-6楼管家说`` is the stored room ``3栋5层6号`` before 楼管家 and is masked.

F02: a stored basement room written with 地下 and no building (``地下一层01号``)
is read as the floor ``B1层`` its key reads and masks every spelling of it.

F03: a spaced lettered flat after a building before a colon and a phone in groups
(``3栋A 1201:138-1234-5678``) is the room and masked; a time after a colon is not.

F04: a mainland mobile after a slash glued to a number (``房号1201/13812345678``)
is masked: it is no tail of the number before it.

Masked texts are counted by hand (``mask`` keeps a value's first character when it
is no digit, and of a value starting with a digit its last two characters when it
has five or more).
"""

from __future__ import annotations

import pytest

from complaintcore.core.privacy import redact


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("房号1201/13812345678", "房号1201/*********78"),
        ("3栋1201/13812345678", "3栋1201/*********78"),
        ("1201／13812345678", "1201／*********78"),
        ("工单12345/13912345678", "工单12345/*********78"),
        ("王先生 1201/13912345678 反映漏水", "王先生 1201/*********78 反映漏水"),
        ("1201/138-1234-5678", "1201/*********78"),
        ("1201/138 1234 5678", "1201/*********78"),
        ("13812345678/13912345678", "*********78/*********78"),
    ],
)
def test_f04_mobile_after_a_slash_masked(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a digit and "." right before protect a mobile (redact's docstring)
        ("1201.13812345678", "1201.13812345678"),
        ("2025/11/14", "2025/11/14"),
        # a phone's tail after a dot is still masked with it
        ("138.1234.5678.9012", "*************12"),
    ],
)
def test_f04_dot_tail_and_dates_unchanged(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("room", "text"),
    [
        ("1-5", "1楼-5楼外墙渗水"),
        ("1-5", "1层-5层外墙渗水"),
        ("3-5", "3楼-5楼外墙渗水"),
        ("3-5", "３层—５层外墙"),
        ("5-10", "5楼-10楼外墙"),
        ("B1-3", "B1层-3楼外墙"),
        ("1-5", "1楼-5楼下水道堵塞"),
        ("1-5", "1楼-5楼下水管漏水"),
        ("1-5", "1楼-5楼内所有住户停水"),
        ("1-5", "1层-5层内停电"),
        ("1-5", "1层-5层间的管道"),
        ("1-5", "1楼-5楼前的花园"),
        ("1-5", "1楼-5楼面积"),
        ("1-5", "1楼——5楼外墙"),
        ("1-5", "1楼-5楼层高3米"),
        ("1-5", "1楼-5楼管道漏水"),
        ("1-5", "1楼-5楼长期漏水"),
        ("1-5", "1楼-5楼房间停电"),
        ("1-5", "1楼-5楼电梯停运"),
        ("1-5", "1F-5F外墙渗水"),
    ],
)
def test_f01_floor_range_before_a_word_readable(room: str, text: str) -> None:
    assert redact(text, also=[room]) == text


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("room", "text", "expected"),
    [
        ("3栋5层6号", "3栋5层-6楼管家说会来修", "****-6楼管家说会来修"),
        ("3栋5层6号", "3栋5层-6楼长反映", "****-6楼长反映"),
        ("3栋5层6号", "3栋5层-6楼宇对讲坏了", "****-6楼宇对讲坏了"),
        ("3栋5层6号", "3栋5层-6楼主反映", "****-6楼主反映"),
        ("3栋5层6号", "3栋5层-6楼房漏水", "****-6楼房漏水"),
        ("3栋B1F-1", "3栋B1F-1楼管说", "*****-1楼管说"),
        ("3栋5F-6", "3栋5F-6楼管说", "****-6楼管说"),
        # the words of s53R1 F01 still mark the flat as the room
        ("3栋5层6号", "3栋5层-6楼道灯坏", "****-6楼道灯坏"),
        ("3栋5层6号", "3栋5层-6楼下漏水", "****-6楼下漏水"),
        ("3栋5层6号", "3栋5层-6楼上吵", "****-6楼上吵"),
    ],
)
def test_f05_room_before_a_word_of_floors_masked(room: str, text: str, expected: str) -> None:
    assert redact(text, also=[room]) == expected


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("room", "text", "expected"),
    [
        ("地下一层01号", "B1F-01漏水", "B*****漏水"),
        ("地下一层01号", "B1层01号漏水", "B*****漏水"),
        ("地下二层05", "B2F-05漏水", "B*****漏水"),
        ("地下一层01号", "负1层01号漏水", "负*****漏水"),
        ("地下一层01号", "负一层01号漏水", "负*****漏水"),
        ("地下一层01号", "地下1层01号漏水", "地下*****漏水"),
        ("地下二层05", "负2层05漏水", "负****漏水"),
        ("地下1层5号", "负一层5号漏水", "负****漏水"),
        ("地下1层5号", "地下一层5号漏水", "地下****漏水"),
        ("地下1层5号", "负一楼5号漏水", "负****漏水"),
    ],
)
def test_f02_stored_basement_with_dixia_and_no_building_masks_every_spelling(
    room: str, text: str, expected: str
) -> None:
    assert redact(text, also=[room]) == expected


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("room", "text"),
    [
        ("地下一层01号", "1层01号漏水"),
        ("地下一层01号", "1-01漏水"),
        ("地下二层05", "负1层05漏水"),
        ("地下二层05", "B2F-06漏水"),
        ("地下1层5号", "1楼5号"),
        ("地下一层01号", "地下一层车库积水"),
    ],
)
def test_f02_stored_basement_with_dixia_no_other_room(room: str, text: str) -> None:
    assert redact(text, also=[room]) == text


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("room", "text", "expected"),
    [
        ("3栋A1201", "3栋A 1201:138-1234-5678", "******01:*********78"),
        ("3栋A1201", "3栋A 1201:138 1234 5678", "******01:*********78"),
        ("3栋A1201", "3栋A 1201：138-1234-5678", "******01：*********78"),
        ("3栋A1201", "3栋A 1201:010-62345678", "******01:*********78"),
        ("3栋A1201", "3栋A 1201:62345678", "******01:******78"),
        ("3-A1201", "3-A 1201:138-1234-5678", "******01:*********78"),
        ("3栋A1201", "3栋A 1201:13812345678", "******01:*********78"),
        # after a slash as well (the mobile was masked, the room readable)
        ("3栋A1201", "3栋A 1201/13812345678", "******01/*********78"),
        ("3栋A1201", "3栋A 1201／138-1234-5678", "******01／*********78"),
        ("3栋A1201", "3栋A 1201/62345678", "******01/******78"),
    ],
)
def test_f03_spaced_flat_before_a_colon_and_a_phone_masked(
    room: str, text: str, expected: str
) -> None:
    assert redact(text, also=[room]) == expected


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("room", "text"),
    [
        ("3栋A1201", "3栋A 1201:30"),
        ("3栋A1201", "3栋A 1201:12:30"),
        ("3栋A1201", "3栋A 1201:1230"),
        ("3栋A1201", "3栋A 1201:2025-11-14"),
        ("3栋B12", "3栋B 12:30停水"),
        ("3栋B12", "3栋B 12/30停水"),
        ("3栋A1201", "3栋A 1201/12010"),
    ],
)
def test_f03_times_after_a_colon_still_readable(room: str, text: str) -> None:
    assert redact(text, also=[room]) == text


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("room", "text", "expected"),
    [
        # a landline after the flat's dash is read with the flat as one phone and
        # masked whole (the room before the dash was not taken: the landline showed)
        ("3栋A1201", "3栋A 1201-62345678", "3栋A **********78"),
        ("3-A1201", "3-A 1201-62345678", "3-A **********78"),
    ],
)
def test_f03_landline_after_the_flat_s_dash_still_masked(
    room: str, text: str, expected: str
) -> None:
    assert redact(text, also=[room]) == expected
