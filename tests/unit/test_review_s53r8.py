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
