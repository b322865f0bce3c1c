"""Review s49A F01: one room in two address forms is one room for repeats (IMP-3, GRD-2).

A room is stored as it was typed: the front desk types ``3-2-1201``, the call
centre ``3栋2单元1201室``.  Masking already reads both as the room of groups
``3``, ``2``, ``1201`` (review s48H); the room key read only the spelling (NFKC,
case, spaces), so the two gave two keys and the second complaint of the owner
was not linked to the first by its room.

Expected keys are computed by hand from the key's documented source,
``sha256("room:<site>|<building>|<room>")``, its first sixteen hex digits, with
the room in its dash form (``3-2-1201``): the key a desk already stored for a
room typed with dashes, which therefore stays what it was.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import pytest

from complaintcore.core.concentration import complainant_key
from complaintcore.core.models import Complainant, Complaint
from complaintcore.core.repeats import decide_links, earlier_of, room_key
from complaintcore.core.stats import monthly_report
from tests.helpers import SH, intake
from tests.unit.test_stats import CAL, PACK, make

FORMS = (
    "3-2-1201",
    "３－２－１２０１",  # full width, as a Chinese IME types it
    "3栋2单元1201室",
    "3号楼2单元1201",
    "3幢2单元1201号",
    "3—2—1201",  # an em dash
    "3——2——1201",  # a Chinese IME's Shift+"-": two em dashes
    "3 - 2 - 1201室",
    "3 栋 2 单元 1201 室",
    "３栋２单元１２０１室",
    " 3-2-1201\u200b",  # spaces round it, a zero-width space pasted from a chat
)


def _by_hand(site: str, building: str, room: str) -> str:
    """The key's documented source, hashed here (not by the library)."""
    return hashlib.sha256(f"room:{site}|{building}|{room}".encode()).hexdigest()[:16]


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
@pytest.mark.parametrize(
    # the building by its key: building 3 in any form is 3 (review s49L F01); left
    # blank, the building the room names, 3 (review s50H F05)
    ("building", "key"),
    [("", "3"), ("3栋", "3"), ("3号楼", "3"), ("3", "3")],
)
@pytest.mark.parametrize("room", FORMS)
def test_every_address_form_of_a_room_has_its_dash_forms_key(
    building: str, key: str, room: str
) -> None:
    assert room_key("s", building, room) == _by_hand("s", key, "3-2-1201")


@pytest.mark.procedure("IMP-3")
def test_a_room_key_of_the_dash_form_is_the_one_stored_before() -> None:
    """A room typed with dashes keeps its key: the rows stored before need no new one."""
    assert room_key("sunrise", "3", "3-2-1201") == _by_hand("sunrise", "3", "3-2-1201")
    # and the letters of a room in lower case, as the spelling was read before
    # (the building field blank: the building the room names, review s50H F05)
    assert room_key("sunrise", "", "A座1201") == _by_hand("sunrise", "a", "a-1201")
    assert room_key("sunrise", "", "a-1201") == _by_hand("sunrise", "a", "a-1201")


@pytest.mark.procedure("IMP-3")
@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("A座1201", "B座1201"),
        ("3-2-1201", "3-2-1202"),
        ("3-2-1201", "2-3-1201"),
        ("3栋2单元1201室", "2栋3单元1201室"),
        ("3-2-1201", "3-21-201"),
        ("3-2-1201", "32-1201"),
        ("1201B", "1201"),
        ("3-2-1201B", "3-2-1201"),
        ("3栋1201", "3-2-1201"),
        ("13-2-1201", "3-2-1201"),
    ],
)
def test_rooms_that_differ_keep_keys_that_differ(one: str, other: str) -> None:
    assert room_key("s", "", one) != room_key("s", "", other)


@pytest.mark.procedure("IMP-3")
@pytest.mark.parametrize(
    ("room", "spelling"),
    [
        ("1201", "1201"),
        ("１２０１", "1201"),
        ("1201B", "1201b"),
        ("华府3栋1202室", "华府3栋1202室"),  # an estate's name before it: no room form
        ("华府 3栋 1202室", "华府3栋1202室"),
        ("3 1202", "3 1202"),  # not a room form; the space kept (review s51R20 F01)
    ],
)
def test_a_room_not_read_as_a_room_form_keeps_its_spelling(room: str, spelling: str) -> None:
    """NFKC, case and spaces ignored, as before."""
    assert room_key("s", "", room) == _by_hand("s", "", spelling)


@pytest.mark.procedure("IMP-3")
def test_no_room_has_no_key() -> None:
    assert room_key("s", "3", "") == room_key("s", "3", " \u3000") == ""


@pytest.mark.procedure("IMP-3")
def test_a_complainant_without_a_phone_is_one_person_in_either_form() -> None:
    """Without a phone the complainant key is made of the site, building, room and
    name (concentration.complainant_key): the room is read as the room key reads it."""
    front_desk = Complainant("王小明", "", "3-2-1201", "3", "sunrise")
    call_centre = Complainant("王小明", "", "3栋2单元1201室", "3", "sunrise")
    by_hand = hashlib.sha256("room:sunrise|3|3-2-1201|王小明".encode()).hexdigest()[:16]
    assert complainant_key(front_desk) == complainant_key(call_centre) == by_hand
    another = Complainant("王小明", "", "3栋2单元1202室", "3", "sunrise")
    assert complainant_key(another) != by_hand


T0 = datetime(2025, 11, 3, 9, 30, tzinfo=SH)


def _complaint(cid: str, who: Complainant, days: int) -> Complaint:
    return Complaint(id=cid, intake=intake(complainant=who, received_at=T0 + timedelta(days=days)))


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
def test_linking_finds_the_same_room_typed_the_other_way() -> None:
    """The owner complains on Monday at the front desk and on Thursday to the call
    centre, with his wife's phone: only the room links them."""
    monday = _complaint("C-1", Complainant("王小明", "13812345678", "3-2-1201", "3"), 0)
    thursday = _complaint("C-2", Complainant("李丽", "13900001111", "3栋2单元1201室", "3"), 3)
    rule = PACK.repeats
    decision = decide_links(earlier_of(thursday), [earlier_of(monday)], rule)
    assert decision is not None
    assert decision.same_room == ("C-1",)
    assert decision.same_complainant == ()
    # another flat of the same unit is no repeat by room
    next_door = _complaint("C-3", Complainant("赵强", "13700002222", "3栋2单元1202室", "3"), 4)
    other = decide_links(earlier_of(next_door), [earlier_of(monday)], rule)
    assert other is None or other.same_room == ()


@pytest.mark.procedure("IMP-3")
def test_the_monthly_repeats_count_one_room_in_two_forms() -> None:
    """IMP-3's figures: two cleaning complaints of one room by two people on 6 and
    10 November, the room typed ``7-3-1708`` and ``7栋3单元1708室``: one group, by
    the same room and category."""
    first = make("N3", datetime(2025, 11, 6, 10, tzinfo=SH), category="cleaning",
                 phone="13600000003", room="7-3-1708", building="7")  # fmt: skip
    second = make("N4", datetime(2025, 11, 10, 10, tzinfo=SH), category="cleaning",
                  phone="13600000004", room="7栋3单元1708室", building="7")  # fmt: skip
    now = datetime(2025, 12, 10, 10, tzinfo=SH)
    report = monthly_report([first, second], PACK, CAL, year=2025, month=11, now=now)
    (group,) = report.repeats.groups
    assert group.ids == ("N3", "N4")
    assert group.reasons == ("same_room_category",)
