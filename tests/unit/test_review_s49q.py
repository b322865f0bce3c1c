"""Review s49Q F02: a room keeps the level each of its groups names (IMP-3, GRD-2).

The s49A room key read a room's groups and dropped the words between them, so
``3栋1201`` (building 3, flat 1201), ``3单元1201`` (unit 3, flat 1201),
``3门1201`` and ``3-1201`` were one room, and ``2单元1201`` was ``2号1201``:
the complaints of different flats linked as raised again.

Expected keys are computed by hand from the key's documented source,
``sha256("room:<site>|<building>|<room>")``, its first sixteen hex digits.  The
room is written as concepts.md says: a building and a room, or a building, a unit
and a room, as their groups joined by dashes (the form typed with dashes: ``3-1201``,
``3-2-1201``); any other room as its groups each with the level it names, 栋 for
a building, 单元 for a unit (``3单元1201``).  Room levels: building words (栋, 幢,
座, 号楼, 楼, 号; procedures' 房号 is typed with them) and unit words (单元, 门).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import pytest

from complaintcore.core.building_forms import BUILDING_WORDS
from complaintcore.core.concentration import complainant_key
from complaintcore.core.models import Complainant, Complaint
from complaintcore.core.privacy import redact
from complaintcore.core.repeats import decide_links, earlier_of, room_key
from complaintcore.core.room_forms import ROOM_WORDS, WORD_LEVELS, room_levels
from complaintcore.core.stats import monthly_report
from tests.helpers import SH, intake
from tests.unit.test_stats import CAL, PACK, make


def _by_hand(site: str, building: str, room: str) -> str:
    """The key's documented source, hashed here (not by the library)."""
    return hashlib.sha256(f"room:{site}|{building}|{room}".encode()).hexdigest()[:16]


NAMED_BUILDING = {"3-1201": "3", "3-2-1201": "3", "a-1201": "a", "1栋2栋3": "1"}
"""The building a room (as written in the key) names by its first group, by hand: the
building its key is made with when the building field is blank (review s50H F05);
a room whose first group is a unit or of no level names none."""


def _blank(written: str) -> str:
    return NAMED_BUILDING.get(written, "")


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("3栋1201", "3单元1201"),  # building 3 / unit 3
        ("3-1201", "3单元1201"),  # building 3 typed with a dash / unit 3
        ("3栋1201", "3门1201"),  # building 3 / entrance (unit) 3
        ("3-1201", "3门1201"),
        ("2单元1201", "2号1201"),  # unit 2 / building 2 (2号 as the building field reads it)
        ("3单元1201", "3号楼1201"),
        ("3单元2-1201", "3-2-1201"),  # unit 3 first: no building-unit-room form
        ("2单元3栋1201", "3栋2单元1201"),
    ],
)
def test_a_building_and_a_unit_of_one_number_stay_apart(one: str, other: str) -> None:
    assert room_key("s", "", one) != room_key("s", "", other)
    assert room_key("s", "3", one) != room_key("s", "3", other)


@pytest.mark.procedure("IMP-3")
@pytest.mark.parametrize(
    ("room", "written"),
    [
        # a building and a room: as typed with a dash
        ("3栋1201", "3-1201"),
        ("3号楼1201", "3-1201"),
        ("3幢1201室", "3-1201"),
        ("3楼1201", "3-1201"),
        ("3号1201", "3-1201"),
        ("3 - 1201", "3-1201"),
        ("A座1201", "a-1201"),
        # a building, a unit and a room; a dash among words takes its place's level
        ("3栋2单元1201室", "3-2-1201"),
        ("3座2-1201", "3-2-1201"),
        ("3-2单元1201", "3-2-1201"),
        ("3栋2-1201室", "3-2-1201"),
        ("3号楼2门1201", "3-2-1201"),
        # a unit and a room: the level named
        ("3单元1201", "3单元1201"),
        ("3门1201", "3单元1201"),
        ("3 单元 1201 室", "3单元1201"),
        ("３单元１２０１", "3单元1201"),
        # levels that are no building-unit-room form: a dash where none is named
        ("3单元2-1201", "3单元2-1201"),
        ("2单元3栋1201", "2单元3栋1201"),
        ("1栋2栋3", "1栋2栋3"),
        ("1-2-3-4", "1-2-3-4"),  # four groups by dashes: as before
    ],
)
def test_a_room_is_keyed_by_the_level_each_group_names(room: str, written: str) -> None:
    assert room_key("s", "", room) == _by_hand("s", _blank(written), written)
    # a unit and a room below the building field's building 3 are that building's
    # unit and room, as 3栋3单元1201 is (review s50Q F04)
    in_building = {"3单元1201": "3-3-1201"}.get(written, written)
    assert room_key("sunrise", "3栋", room) == _by_hand("sunrise", "3", in_building)


@pytest.mark.procedure("IMP-3")
def test_a_key_is_its_own_key() -> None:
    """The form a room is matched by reads as itself: ``3单元1201`` stays ``3单元1201``."""
    for room in ("3单元1201", "3单元2-1201", "2单元3栋1201", "3-1201", "3-2-1201"):
        assert room_key("s", "", room) == _by_hand("s", _blank(room), room)


@pytest.mark.procedure("IMP-3")
@pytest.mark.parametrize(
    ("room", "levels"),
    [
        ("3栋2单元1201室", ("栋", "单元")),
        ("3-2-1201", ("栋", "单元")),
        ("3-1201", ("栋",)),
        ("3座2-1201", ("栋", "单元")),
        ("3单元1201", ("单元",)),
        ("3门1201", ("单元",)),
        ("2号1201", ("栋",)),
        ("3单元2-1201", ("单元", "")),
        ("1-2-3-4", ("", "", "")),
        ("1201", None),
    ],
)
def test_room_levels_by_hand(room: str, levels: tuple[str, ...] | None) -> None:
    assert room_levels(room) == levels


def test_every_room_word_names_a_level_and_a_building_word_a_building() -> None:
    assert set(WORD_LEVELS) == set(ROOM_WORDS)
    named = {word for word, level in WORD_LEVELS.items() if level == "栋"}
    assert named == set(ROOM_WORDS) & set(BUILDING_WORDS)  # 单元 and 门 are no building's
    assert {WORD_LEVELS["单元"], WORD_LEVELS["门"]} == {"单元"}


@pytest.mark.procedure("IMP-3")
def test_a_complainant_without_a_phone_in_another_flat_is_another_person() -> None:
    """Without a phone a complainant is known by site, building, room and name: 王芳 of
    building 3's 1201 is not 王芳 of unit 3's 1201 (the blank building field of the
    first read from its room since review s50H F05)."""
    building = Complainant("王芳", "", "3栋1201", "", "sunrise")
    unit = Complainant("王芳", "", "3单元1201", "", "sunrise")
    assert complainant_key(building) == _hash_person("sunrise|3|3-1201|王芳")
    assert complainant_key(unit) == _hash_person("sunrise||3单元1201|王芳")


def _hash_person(place_and_name: str) -> str:
    return hashlib.sha256(f"room:{place_and_name}".encode()).hexdigest()[:16]


T0 = datetime(2025, 11, 3, 9, 30, tzinfo=SH)


def _complaint(cid: str, who: Complainant, days: int) -> Complaint:
    return Complaint(id=cid, intake=intake(complainant=who, received_at=T0 + timedelta(days=days)))


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
def test_two_owners_of_building_3_and_unit_3_are_not_linked_by_room() -> None:
    """Two owners of one site, building field left empty, each with a phone: 1201 of
    building 3 and 1201 of unit 3 are two flats, no repeat; unit 3's 1201 typed
    ``3门1201`` later is the same flat, linked by its room."""
    building = _complaint("C-1", Complainant("王芳", "13812345678", "3栋1201", ""), 0)
    unit = _complaint("C-2", Complainant("李强", "13900001111", "3单元1201", ""), 2)
    decision = decide_links(earlier_of(unit), [earlier_of(building)], PACK.repeats)
    assert decision is None or decision.same_room == ()
    again = _complaint("C-3", Complainant("李明", "13700002222", "3门1201", ""), 4)
    linked = decide_links(earlier_of(again), [earlier_of(building), earlier_of(unit)], PACK.repeats)
    assert linked is not None
    assert linked.same_room == ("C-2",)


@pytest.mark.procedure("IMP-3")
def test_the_monthly_report_counts_building_3_and_unit_3_as_two_rooms() -> None:
    """IMP-3's figures: cleaning complaints of 1201 of building 3 and of unit 3 on 6
    and 10 November by two people are no group of the same room and category."""
    first = make("N5", datetime(2025, 11, 6, 10, tzinfo=SH), category="cleaning",
                 phone="13600000005", room="3栋1201", building="")  # fmt: skip
    second = make("N6", datetime(2025, 11, 10, 10, tzinfo=SH), category="cleaning",
                  phone="13600000006", room="3单元1201", building="")  # fmt: skip
    now = datetime(2025, 12, 10, 10, tzinfo=SH)
    report = monthly_report([first, second], PACK, CAL, year=2025, month=11, now=now)
    assert report.repeats.groups == ()


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("room", "text", "expected"),
    [
        # masking reads a room by its digits whatever its levels: 3单元1201 is 7
        # characters, 5 masked and "01" kept; 3-1201 is 6, 4 masked
        ("3栋1201", "住3单元1201漏水", "住*****01漏水"),
        ("3单元1201", "住3-1201漏水", "住****01漏水"),
        ("2号1201", "住2单元1201", "住*****01"),
    ],
)
def test_masking_still_reads_a_room_by_its_digits(room: str, text: str, expected: str) -> None:
    assert redact(text, also=[room]) == expected
