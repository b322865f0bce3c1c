"""Review s50H: repeat complaints across address forms (IMP-3, GRD-2, PRV-1).

F01: the monthly report's repeat groups key a room by its site, building and room
as intake does: flat 1201 of building 3 and flat 1201 of building 5 are two rooms.

F02: a room whose building is written as the building field writes it --
``第3栋2单元1201``, ``Block 3 2单元1201`` -- is the room ``3-2-1201`` (``3#楼`` and
``3#``, fixed by review s50D, are checked here again).

F03: such a room in a text is masked where the stored room is ``3-2-1201``.

F04: a flat number with its end word (``1201室``, ``1201号``) is the flat ``1201``.

F05: room ``3-2-1201`` typed with the building field blank is the room of building 3.

Expected keys are the documented source ``sha256("room:<site>|<building>|<room>")``
hashed by the test (``test_review_s49q._by_hand``), the room written as concepts.md
says.  Masked texts are counted by hand: ``models.mask`` keeps the last two
characters of a value of five or more that starts with a digit, the rest stars.
Raisings follow the cn-property pack: links by complainant or room of the same
category count, the third raising is raised repeatedly (threshold 3).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from complaintcore.core.concentration import complainant_key, room_building, room_match
from complaintcore.core.models import Complainant, Complaint
from complaintcore.core.privacy import redact
from complaintcore.core.repeats import decide_links, earlier_of, room_key
from complaintcore.core.room_forms import building_led
from complaintcore.core.stats import monthly_report
from tests.helpers import SH, intake
from tests.unit.test_review_s49q import _by_hand, _hash_person
from tests.unit.test_stats import CAL, PACK, make

T0 = datetime(2025, 11, 3, 9, 30, tzinfo=SH)
NOW = datetime(2025, 12, 10, 10, tzinfo=SH)


def _complaint(cid: str, who: Complainant, days: int) -> Complaint:
    return Complaint(id=cid, intake=intake(complainant=who, received_at=T0 + timedelta(days=days)))


def _links(*people: Complainant) -> list[tuple[tuple[str, ...], int, bool]]:
    """Each complaint's same-room links, raisings and GRD-2 fact, received two days apart."""
    made = [_complaint(f"C-{i}", who, 2 * i) for i, who in enumerate(people, 1)]
    out = []
    for i, new in enumerate(made):
        decision = decide_links(earlier_of(new), [earlier_of(c) for c in made[:i]], PACK.repeats)
        out.append(
            ((), 1, False)
            if decision is None
            else (decision.same_room, decision.raisings, decision.raised_repeatedly)
        )
    return out


# --------------------------------------------------------------------------- F01


@pytest.mark.procedure("IMP-3")
def test_the_monthly_report_keeps_flat_1201_of_two_buildings_apart() -> None:
    """Two households, each with its own phone, flat 1201 of buildings 3 and 5 (the
    building in its own field): no repeat group, as intake links none."""
    one = make("A1", datetime(2025, 11, 3, 10, tzinfo=SH), phone="13800000001",
               room="1201", building="3栋")  # fmt: skip
    two = make("A2", datetime(2025, 11, 20, 10, tzinfo=SH), phone="13900000002",
               room="1201", building="5栋")  # fmt: skip
    report = monthly_report([one, two], PACK, CAL, year=2025, month=11, now=NOW)
    assert report.repeats.groups == ()
    assert report.repeats.repeated == 0


@pytest.mark.procedure("IMP-3")
def test_the_monthly_report_still_groups_one_flat_of_one_building_typed_two_ways() -> None:
    """The same flat of building 3 (``3栋`` and ``3号楼``, two household members): one
    group of two, one repeated."""
    one = make("B1", datetime(2025, 11, 3, 10, tzinfo=SH), phone="13800000001",
               room="1201", building="3栋")  # fmt: skip
    two = make("B2", datetime(2025, 11, 20, 10, tzinfo=SH), phone="13900000002",
               room="1201", building="3号楼")  # fmt: skip
    report = monthly_report([one, two], PACK, CAL, year=2025, month=11, now=NOW)
    assert [g.ids for g in report.repeats.groups] == [(one.id, two.id)]
    assert report.repeats.repeated == 1


# --------------------------------------------------------------------------- F02


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
@pytest.mark.parametrize(
    ("room", "written"),
    [
        ("3#楼2单元1201", "3-2-1201"),
        ("3#2单元1201", "3-2-1201"),
        ("第3栋2单元1201", "3-2-1201"),
        ("第3栋2单元1201室", "3-2-1201"),
        ("第 3 栋 2 单元 1201", "3-2-1201"),
        ("Block 3 2单元1201", "3-2-1201"),
        ("block 3-2-1201", "3-2-1201"),
        ("Bldg. 3 2单元1201室", "3-2-1201"),
        ("Blk3 2单元1201", "3-2-1201"),
        ("Building 3 号楼2单元1201", "3-2-1201"),
        ("Block 3 1201", "3-1201"),
        ("Block A 1201", "a-1201"),
        ("第A座1201", "a-1201"),
        # no building led: kept as spelt
        ("Blocks 3 1201", "blocks3 1201"),  # a space between digits kept (s51R20, s51R23 F01)
        ("第3单元", "第3单元"),
    ],
)
def test_a_room_led_by_its_building_as_the_building_field_writes_it(
    room: str, written: str
) -> None:
    assert room_match(room) == written
    assert room_key("sunrise", "3栋", room) == _by_hand("sunrise", "3", written)


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
def test_the_owners_third_raising_in_another_building_form_is_raised_repeatedly() -> None:
    """王小明 ``3-2-1201``, 李红 ``3栋2单元1201室``, 李红 on another mobile
    ``第3栋2单元1201``, each with the building as typed: the third links both by room."""
    got = _links(
        Complainant("王小明", "13812345678", "3-2-1201", "3", "sunrise"),
        Complainant("李红", "13912340000", "3栋2单元1201室", "3栋", "sunrise"),
        Complainant("李红", "13912340001", "第3栋2单元1201", "第3栋", "sunrise"),
    )
    assert got == [((), 1, False), (("C-1",), 2, False), (("C-2", "C-1"), 3, True)]


def test_building_led_by_hand() -> None:
    assert building_led("第3栋2单元1201") == "3栋2单元1201"
    assert building_led("Block 3 2单元1201") == "3栋2单元1201"
    assert building_led("Block 3-2-1201") == "3栋-2-1201"
    assert building_led("Block 3栋2单元1201") == "3栋2单元1201"
    assert building_led("Block 3") == "Block 3"
    assert building_led("blocks 3 1201") == "blocks 3 1201"


# --------------------------------------------------------------------------- F03


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("room", "text", "expected"),
    [
        # "3 2单元1201" is 9 characters: 7 masked, "01" kept
        ("3-2-1201", "我家Block 3 2单元1201漏水", "我家Block *******01漏水"),
        ("3-2-1201", "Bldg. 3 2单元1201 leaks", "Bldg. *******01 leaks"),
        # "3  2 单元 1201" is 12 characters: 10 masked
        ("3-2-1201", "我家Block 3  2 单元 1201漏水", "我家Block **********01漏水"),
        # "3#2单元1201" is 9: 7 masked; "3栋2单元1201" of 第3栋: 9, 第 kept
        ("3-2-1201", "我家3#2单元1201漏水", "我家*******01漏水"),
        ("3-2-1201", "我家第3栋2单元1201漏水", "我家第*******01漏水"),
        # a room of two groups: "3 1201" is 6, 4 masked
        ("3-1201", "Block 3 1201 leaks", "Block ****01 leaks"),
        ("3-1201", "Blk3 1201 leaks", "Blk****01 leaks"),
        # stored with its building led in English, written with dashes: 8, 6 masked
        ("Block 3 2单元1201", "住3-2-1201", "住******01"),
        ("Block 3 2单元1201", "我家Block 3 2单元1201漏水", "我家Block *******01漏水"),
    ],
)
def test_a_room_led_by_its_building_in_english_is_masked(
    room: str, text: str, expected: str
) -> None:
    assert redact(text, also=("王小明", "13812345678", room)) == expected


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("room", "text"),
    [
        ("3-2-1201", "Block 13 2单元1201"),  # building 13: another room
        ("3-2-1201", "Block 3 2 1201"),  # a space between 2 and 1201: no room's join
        ("3-1201", "Block 3 12015"),  # another number
    ],
)
def test_other_rooms_led_by_a_building_in_english_are_left(room: str, text: str) -> None:
    assert redact(text, also=(room,)) == text


# --------------------------------------------------------------------------- F04


@pytest.mark.procedure("IMP-3")
@pytest.mark.parametrize("room", ["1201", "1201室", "1201号", "１２０１号", "1201 室", " 1201室 "])
def test_a_flat_number_with_its_end_word_is_the_flat(room: str) -> None:
    assert room_match(room) == "1201"
    # below the building field's building 3: that building's flat, as 3栋1201 is
    # (review s50Q F04)
    assert room_key("sunrise", "3栋", room) == _by_hand("sunrise", "3", "3-1201")


@pytest.mark.procedure("IMP-3")
@pytest.mark.parametrize(
    ("room", "spelt"),
    [("1201B室", "1201b"), ("室", "室"), ("1201室室", "1201室室"), ("1201号楼", "1201号楼")],
)
def test_only_one_end_word_after_one_group_is_dropped(room: str, spelt: str) -> None:
    assert room_match(room) == spelt


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
def test_three_household_members_of_one_flat_are_three_raisings() -> None:
    """Flat 1201 of building 3 typed ``1201``, ``1201室``, ``1201号`` with the building
    as ``3栋``, ``3号楼``, ``3#``, three mobiles: the third is raised repeatedly."""
    got = _links(
        Complainant("张三", "13800000001", "1201", "3栋", "sunrise"),
        Complainant("张四", "13800000002", "1201室", "3号楼", "sunrise"),
        Complainant("张五", "13800000003", "1201号", "3#", "sunrise"),
    )
    assert got == [((), 1, False), (("C-1",), 2, False), (("C-2", "C-1"), 3, True)]


# --------------------------------------------------------------------------- F05


@pytest.mark.procedure("IMP-3")
@pytest.mark.parametrize(
    ("room", "building"),
    [("3-2-1201", "3"), ("3栋2单元1201室", "3"), ("A座1201", "a"), ("3-1201", "3"),
     ("1201", ""), ("2单元1201", ""), ("1-2-3-4", "")],
)  # fmt: skip
def test_the_building_a_room_names(room: str, building: str) -> None:
    assert room_building(room) == building


@pytest.mark.procedure("IMP-3")
def test_a_blank_building_is_the_one_the_room_names() -> None:
    key = _by_hand("sunrise", "3", "3-2-1201")
    for building in ("", "3", "3栋", "3号楼"):
        assert room_key("sunrise", building, "3-2-1201") == key
    # a unit first names no building: blank stays blank
    assert room_key("sunrise", "", "2单元1201") == _by_hand("sunrise", "", "2单元1201")
    # a building field that says otherwise is kept: building 5's 3-2-1201
    assert room_key("sunrise", "5", "3-2-1201") == _by_hand("sunrise", "5", "3-2-1201")
    no_phone = Complainant("王小明", "", "3-2-1201", "", "sunrise")
    assert complainant_key(no_phone) == _hash_person("sunrise|3|3-2-1201|王小明")


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
def test_the_same_room_with_the_building_left_blank_is_one_room() -> None:
    got = _links(
        Complainant("王小明", "13812345678", "3-2-1201", "3", "sunrise"),
        Complainant("李红", "13912340000", "3-2-1201", "", "sunrise"),
        Complainant("李红", "13912340001", "3-2-1201", "3栋", "sunrise"),
    )
    assert got == [((), 1, False), (("C-1",), 2, False), (("C-2", "C-1"), 3, True)]


@pytest.mark.procedure("IMP-3")
def test_the_monthly_report_agrees_with_intake_on_a_blank_building() -> None:
    one = make("D1", datetime(2025, 11, 3, 10, tzinfo=SH), phone="13800000001",
               room="3-2-1201", building="3")  # fmt: skip
    two = make("D2", datetime(2025, 11, 5, 10, tzinfo=SH), phone="13900000002",
               room="3-2-1201", building="")  # fmt: skip
    other = make("D3", datetime(2025, 11, 7, 10, tzinfo=SH), phone="13700000003",
                 room="3-2-1201", building="5")  # fmt: skip
    report = monthly_report([one, two, other], PACK, CAL, year=2025, month=11, now=NOW)
    assert [g.ids for g in report.repeats.groups] == [(one.id, two.id)]
