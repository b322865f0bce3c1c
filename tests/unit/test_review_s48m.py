"""Review s48M: rooms and phones in masked text, from an attacker's side (PRV-1).

Expected texts are counted by hand: ``models.mask`` keeps the last two characters
of a value that starts with a digit (``3-2-1201`` -> six stars and ``01``;
``13812345678`` -> nine stars and ``78``).  The dashes are those of Unicode's Pd
category that docs/security.md lists.
"""

from __future__ import annotations

import pytest

from complaintcore.core import privacy
from complaintcore.core.privacy import redact
from tests.unit.test_redaction import slow_runs

ALSO = ["王小明", "13812345678", "3-2-1201"]

# --------------------------------------------------------------------------- F01


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("dash", "room"),
    [
        ("\u2015", "******01"),  # horizontal bar: the gb2312 codec's A1AA
        ("\ufe63", "******01"),  # small hyphen-minus
        ("\ufe58", "******01"),  # small em dash
        ("\u2e3a", "******01"),  # two-em dash
        ("\u2e3b", "******01"),  # three-em dash
        ("\u2014\u2014", "********01"),  # a Chinese IME's Shift+"-": two em dashes
        ("--", "********01"),
    ],
)
def test_a_phone_and_a_room_written_with_any_dash_are_masked(dash: str, room: str) -> None:
    text = f"电话138{dash}1234{dash}5678，住3{dash}2{dash}1201"
    assert redact(text, also=ALSO) == f"电话*********78，住{room}"
    # an unknown mobile too, and a room stored with words
    text = f"电话139{dash}1234{dash}5678，住3{dash}2{dash}1201"
    assert redact(text, also=["3栋2单元1201室"]) == f"电话*********78，住{room}"


def test_the_gb2312_dash_decodes_to_one_the_patterns_read() -> None:
    assert b"\xa1\xaa".decode("gb2312") == "\u2015"
    assert "\u2015" in privacy._DASH


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    "text",
    [
        "C\u2014\u20142025111\u2014\u20140001",  # an id with doubled dashes
        "ESC\u20154",
        "2025\u201511\u201514",  # a date
        "3〜5天",  # a wave dash writes a range: no dash of a phone
    ],
)
def test_ids_dates_and_ranges_with_those_dashes_stay_readable(text: str) -> None:
    assert redact(text, also=["王小明"]) == text


def test_three_dashes_are_no_separator() -> None:
    """Only the seven digits after them are a phone."""
    assert redact("1\u2014\u2014\u2014234\u20145678") == "1\u2014\u2014\u2014*****78"


# --------------------------------------------------------------------------- F02


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize("phone", ["13912345678", "13812345678"])
def test_a_room_typed_right_before_a_mobile_is_masked_and_so_is_the_mobile(phone: str) -> None:
    also = ["王小明", phone, "3-2-1201"]
    assert redact("住3-2-120113812345678", also=also) == "住******01*********78"
    # after a word too: the room (9 characters) and the mobile each (review s49B F01,
    # where the phones' pattern had read the fifteen digits as one number first)
    assert redact("住3栋2单元120113812345678", also=also) == "住*******01*********78"


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    "text",
    ["住3-2-12013", "住3-2-12011381234567", "住3-2-1201138123456789", "住3-2-120112345678901"],
)
def test_other_digits_glued_after_a_room_still_make_another_room(text: str) -> None:
    """Only a mainland mobile (1, 3-9, nine digits) glued on leaves the room itself."""
    assert redact(text, also=["3-2-1201"]) == text


# --------------------------------------------------------------------------- F03


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "room"),
    [
        ("期限 2025-11-19T18:00+08:00 前修好", "11栋19号"),
        ("2025-5-12 报修，至今未修", "5栋12号"),
        ("2025-12-3 报修", "12栋3号"),
        ("14-11-2025 报修", "14栋11号"),
        ("11-14-2025 报修", "11号楼14"),
    ],
)
def test_a_date_is_not_taken_for_a_room_stored_with_words(text: str, room: str) -> None:
    assert redact(text, also=[room]) == text


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "room", "expected"),
    [
        ("住5-12，2025-5-12 报修", "5栋12号", "住****，2025-5-12 报修"),
        ("住2025-13-12", "13栋12号", "住2025-***12"),  # no month 13: a room
        ("住2025-5-32", "5栋32号", "住2025-****"),  # no day 32
        ("住1025-5-12", "5栋12号", "住1025-****"),
        ("2025-11-19", "11-19", "2025-***19"),  # stored as the date writes it: as before
        ("住2025栋5-12", "5栋12号", "住2025栋****"),  # a word, not a date's dash
    ],
)
def test_rooms_beside_dates_and_non_dates_are_masked(text: str, room: str, expected: str) -> None:
    assert redact(text, also=[room]) == expected


# --------------------------------------------------------------------------- F04


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "room", "expected"),
    [
        ("业主住105栋1201室，漏水", "105-1201", "业主住*******1室，漏水"),
        ("业主住105号楼1201", "105-1201", "业主住*******01"),
        ("业主住105-1201，漏水", "105-1201", "业主住*****01，漏水"),  # as a phone
        # building 01 is building 1 since review s51B F02, and a room is masked as its
        # key reads it since review s51R7 F04 (this was "another building")
        ("业主住1-1201室", "01-1201", "业主住*****1室"),
        ("业主住11-1201室", "01-1201", "业主住11-1201室"),  # another building
        ("业主住01栋1201室", "01-1201", "业主住******1室"),
    ],
)
def test_a_room_of_seven_digits_is_a_room_not_a_phone(text: str, room: str, expected: str) -> None:
    assert redact(text, also=["王小明", "13812345678", room]) == expected


@pytest.mark.parametrize(
    "phone", ["010-62345678", "138-1234-5678", "0755-8888-6666", "1381-234-5678", " 010 - 62345678"]
)
def test_phones_with_dashes_are_still_matched_as_spelt(phone: str) -> None:
    assert privacy._room(phone.strip()) is None


# --------------------------------------------------------------------------- cost


@pytest.mark.procedure("PRV-1")
def test_doubled_dashes_dates_and_glued_mobiles_cost_linear_time() -> None:
    hostile = [
        "3\u2014\u2014",
        "138\u2014\u2014",
        "3\u2015",
        "2025-5-",
        "2025-5-12 ",
        "1201138123456789",
        "3-2-120113812345678-",
        "\u2014\u2014\u20143",
    ]
    assert not slow_runs(hostile, ["5栋12号", "3-2-1201", "13812345678"], timeout=180)
