"""Review s49L F01: one building typed in two forms is one building (HDL-5, IMP-2,
IMP-3, IMP-4).

The front desk types the building ``3栋``, the call centre ``3号楼``, a clerk ``3#``
or just ``3``: one building.  The building key read the spelling alone (NFKC,
case, spaces), so the forms split a concentrated issue, the month's counts by
building and the room key (which holds the building).

Expected values are written by hand: the key of a building typed as a number,
letter and number, or letter, with or without a building word (栋, 幢, 座, 号楼, 楼,
号, ``#``, ``#楼``, or ``Block``/``Blk``/``Building``/``Bldg`` before it), is that
number or letter in lower case; any other building keeps its spelling (NFKC,
case and spaces ignored).  Hashed keys are sha256 of their documented source,
first sixteen hex digits.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

import pytest

from complaintcore.core.concentration import building_key, complainant_key, group_key
from complaintcore.core.models import Complainant
from complaintcore.core.repeats import room_key
from complaintcore.core.stats import monthly_report
from tests.helpers import SH
from tests.unit.test_stats import CAL, PACK, make

BUILDING_3 = (
    "3",
    "3栋",
    "3号楼",
    "3幢",
    "3座",
    "3楼",
    "3号",
    "3#",
    "3#楼",
    "３号楼",  # a full-width digit, as a Chinese IME types it
    "3 号楼",
    " 3 栋 ",
    "３＃",  # a full-width hash
    "第3栋",
    "第３号楼",
)


@pytest.mark.procedure("HDL-5")
@pytest.mark.procedure("IMP-2")
@pytest.mark.parametrize("typed", BUILDING_3)
def test_every_form_of_building_3_has_the_key_3(typed: str) -> None:
    assert building_key(typed) == "3"


@pytest.mark.procedure("HDL-5")
@pytest.mark.procedure("IMP-2")
@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("A座", "a"),
        ("A栋", "a"),
        ("a", "a"),
        ("Ａ座", "a"),
        ("a 座", "a"),
        ("Block A", "a"),
        ("BLOCK Ａ", "a"),
        ("block a", "a"),
        ("Blk A", "a"),
        ("Bldg. A", "a"),
        ("Building 3", "3"),
        ("A3栋", "a3"),
        ("3A号楼", "3a"),
        ("12栋", "12"),
    ],
)
def test_a_letter_or_number_with_a_building_word_is_that_letter_or_number(
    typed: str, key: str
) -> None:
    assert building_key(typed) == key


@pytest.mark.procedure("HDL-5")
@pytest.mark.procedure("IMP-2")
@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("3栋", "13栋"),
        ("3栋", "3单元"),  # a unit is not a building
        ("3栋", "A3栋"),
        ("3栋", "3A栋"),
        ("A座", "B座"),
        ("Block A", "Block B"),
        ("3栋", "华府3栋"),
        ("Block A", "Block A East"),
    ],
)
def test_buildings_that_differ_keep_keys_that_differ(one: str, other: str) -> None:
    assert building_key(one) != building_key(other)


@pytest.mark.procedure("HDL-5")
@pytest.mark.parametrize(
    ("typed", "spelling"),
    [
        ("3单元", "3单元"),
        ("华府3栋", "华府3栋"),  # an estate's name before it
        ("Block A East", "blockaeast"),
        ("三单元", "三单元"),  # a unit in a Chinese numeral (三号楼 is 3: review s51B F01)
        ("3栋2单元", "3栋2单元"),
        ("Blocks", "blocks"),  # a plural, no block S
        ("3栋楼", "3栋楼"),
        ("", ""),
    ],
)
def test_a_building_in_no_such_form_keeps_its_spelling(typed: str, spelling: str) -> None:
    assert building_key(typed) == spelling


@pytest.mark.procedure("HDL-5")
@pytest.mark.parametrize(
    "typed",
    [*BUILDING_3, "A座", "Block A", "Block A East", "华府3栋", "blo ck3", "3单元", "blocka"],
)
def test_a_key_is_its_own_key(typed: str) -> None:
    """Stores keep the key; the statistics key a stored key again (stats._Tally)."""
    assert building_key(building_key(typed)) == building_key(typed)


def _by_hand(source: str) -> str:
    return hashlib.sha256(source.encode()).hexdigest()[:16]


@pytest.mark.procedure("IMP-3")
@pytest.mark.parametrize("building", ["3", "3栋", "3号楼", "3#"])
def test_the_room_key_reads_the_building_in_any_form(building: str) -> None:
    assert room_key("sunrise", building, "3-2-1201") == _by_hand("room:sunrise|3|3-2-1201")


@pytest.mark.procedure("IMP-3")
def test_a_complainant_without_a_phone_is_one_person_in_either_building_form() -> None:
    by_hand = _by_hand("room:sunrise|3|3-2-1201|王小明")
    for building in ("3栋", "3号楼", "3"):
        assert complainant_key(Complainant("王小明", "", "3-2-1201", building, "sunrise")) == (
            by_hand
        )
    assert complainant_key(Complainant("王小明", "", "3-2-1201", "13栋", "sunrise")) != by_hand


NOV = datetime(2025, 11, 4, 10, tzinfo=SH)


@pytest.mark.procedure("HDL-5")
def test_two_forms_of_one_building_share_a_group_key() -> None:
    front = make("B1", NOV, phone="13600000001", building="3栋")
    call = make("B2", NOV, phone="13600000002", building="3号楼")
    other = make("B3", NOV, phone="13600000003", building="13栋")
    rule = PACK.concentration
    assert group_key(front, rule) == group_key(call, rule) == ("sunrise", "3", "repairs", "")
    assert group_key(other, rule) == ("sunrise", "13", "repairs", "")


@pytest.mark.procedure("IMP-2")
@pytest.mark.procedure("IMP-4")
def test_the_month_counts_one_building_typed_three_ways() -> None:
    """Three valid repairs of building 3 typed ``3栋``, ``3号楼`` and ``3#`` on 4, 5
    and 6 November and one of building 13: two buildings, 3 and 1 complaints,
    building 3 labelled as its first complaint of the month typed it."""
    days = {"3栋": 4, "3号楼": 5, "3#": 6, "13栋": 7}
    complaints = [
        make(
            f"N{i}", datetime(2025, 11, day, 10, tzinfo=SH), phone=f"1360000000{i}", building=typed
        )
        for i, (typed, day) in enumerate(days.items(), 1)
    ]
    now = datetime(2025, 12, 10, 10, tzinfo=SH)
    report = monthly_report(complaints, PACK, CAL, year=2025, month=11, now=now)
    rows = [(c.key, c.zh, c.count) for c in report.by_building]
    assert rows == [("sunrise/3", "sunrise/3栋", 3), ("sunrise/13", "sunrise/13栋", 1)]
