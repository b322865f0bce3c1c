"""Review s52R11: the third re-review of s52K and s52R7 (room keys and masking).

F01: any dash is a dash before a room is read: ``3—1201 B``, ``3栋—A 1201``,
``3栋5F—502`` and ``3栋B1F—01`` (an IME's em or en dash) are the rooms their
ASCII-hyphen forms are (they were keyed as spelt, some in no building).

F02: a stored room with a floor written with an F (``5F``, ``B1F``) masks a text
writing it the other way (``3栋5楼502`` and ``3栋5F-502``, ``B1F01`` for
``B1F-01``), and its own spaced form (``3栋5F-502 A`` for ``3栋5F-502A``).

F03: a stored lettered flat's spaced form is masked in every address form its key
reads (``3栋-502 A``, ``3#502 A``, ``3号楼502 A`` for ``3栋5楼502A``).

F04: a basement floor written in Chinese (``负1层``, ``地下1层``, ``负一层``) is the
floor ``B1层``: ``3栋负1层01号`` is ``3栋B1层01号``.

F05: a letter joined to another word by ``/``, ``-`` or ``+`` is no flat's letter
(``Type-B 12 units``, ``12 A-share`` stay readable for ``B12``, ``12A``).

F06: a tab beside a flat's letter is a space (``3栋1201\\tB`` is ``3栋1201B``).

Expected keys are the documented source ``sha256("room:<site>|<building>|<room>")``
hashed here by hand, the building and room written out as concepts.md says;
masked texts are counted by hand (``mask`` keeps a letter's first character, and
of a value starting with a digit its last two characters when it has five or more).
"""

from __future__ import annotations

import pytest

from complaintcore.core.concentration import room_building
from complaintcore.core.privacy import redact
from complaintcore.core.repeats import room_key
from tests.unit.test_review_s52k import _hash

# --------------------------------------------------------------------------- F01, F04, F06

DASHES = [  # F01: an em dash, an en dash, two em dashes, a minus: one dash
    ("", "3—1201 B", "room:sunrise|3|3-1201b"),
    ("", "3–1201 B", "room:sunrise|3|3-1201b"),
    ("", "3——1201 B", "room:sunrise|3|3-1201b"),
    ("", "3−1201 B", "room:sunrise|3|3-1201b"),
    ("", "3栋—A 1201", "room:sunrise|3|3-a1201"),
    ("", "3栋5F—502", "room:sunrise|3|3-502"),
    ("", "3栋5F–502", "room:sunrise|3|3-502"),
    ("", "3栋B1F—01", "room:sunrise|3|3栋b1层1"),
    ("3栋", "5F—3", "room:sunrise|3|3栋5层3"),
]
CHINESE_BASEMENT = [  # F04: 负1层, 地下1层 are the floor B1层
    ("", "3栋负1层01号", "room:sunrise|3|3栋b1层1"),
    ("", "3栋地下1层01号", "room:sunrise|3|3栋b1层1"),
    ("", "3栋负一层01号", "room:sunrise|3|3栋b1层1"),
    ("", "3栋地下二层01号", "room:sunrise|3|3栋b2层1"),
    ("3栋", "负1层01号", "room:sunrise|3|3栋b1层1"),
    ("3栋", "地下1层01号", "room:sunrise|3|3栋b1层1"),
    ("3栋", "负1楼01号", "room:sunrise|3|3栋b1层1"),
]
TABS = [  # F06: a tab is a space
    ("", "3栋1201\tB", "room:sunrise|3|3-1201b"),
    ("", "3-1201\tB", "room:sunrise|3|3-1201b"),
    ("", "3栋A\t1201", "room:sunrise|3|3-a1201"),
    ("3栋", "2单元1201\tB", "room:sunrise|3|3-2-1201b"),
]
APART = [  # other rooms stay other rooms
    ("", "3栋1层01号", "room:sunrise|3|3栋1层1"),  # floor 1, not the basement
    ("", "3栋B1层02号", "room:sunrise|3|3栋b1层2"),
    ("", "3—1202 B", "room:sunrise|3|3-1202b"),
    ("", "3—1201 Bob", "room:sunrise||3-1201bob"),  # a word after it, as spelt
]


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
@pytest.mark.parametrize(("building", "room", "source"), DASHES + CHINESE_BASEMENT + TABS + APART)
def test_any_dash_a_tab_or_a_chinese_basement_has_the_documented_key(
    building: str, room: str, source: str
) -> None:
    assert room_key("sunrise", building, room) == _hash(source)


@pytest.mark.procedure("IMP-3")
@pytest.mark.parametrize(
    "room", ["3—1201 B", "3栋—A 1201", "3栋B1F—01", "3栋负1层01号", "3栋1201\tB", "3-1201\tB"]
)
def test_the_building_such_a_room_names(room: str) -> None:
    assert room_building(room) == "3"


# --------------------------------------------------------------------------- F05

COMPOUND = [  # the reviewer's texts: the letter belongs to another word
    ("12A", "buy 12 A/B units"),
    ("12A", "12 A-level classes"),
    ("12A", "买了12 A-share"),
    ("12A", "12 A+ grade"),
    ("12A", "12 A／B"),
    ("B12", "A/B 12 units"),
    ("B12", "Type-B 12 units"),
    ("B12", "类型A/B 12台"),
]


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(("stored", "text"), COMPOUND)
def test_a_letter_of_another_word_is_no_flats_letter(stored: str, text: str) -> None:
    assert redact(text, also=[stored]) == text


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("stored", "text", "masked"),
    [  # the flat standing alone beside a slash or dash of its own is still masked
        ("12A", "住12 A/12 B两套", "住****/12 B两套"),
        ("B12", "3-B 12", "3-B***"),
    ],
)
def test_a_spaced_flat_beside_a_mark_is_still_masked(stored: str, text: str, masked: str) -> None:
    assert redact(text, also=[stored]) == masked


# --------------------------------------------------------------------------- F02, F03


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("stored", "text", "masked"),
    [
        # F02: a floor written with an F one way and 楼/层 the other, or without its dash
        ("3栋5楼502", "住3栋5F-502的业主", "住******02的业主"),
        ("3栋5楼502", "住3栋5F502的业主", "住*****02的业主"),
        ("3栋5楼502A", "住3栋5F-502A的业主", "住*******2A的业主"),
        ("3栋5F-502A", "住3栋5楼502A的业主", "住******2A的业主"),
        ("3栋5F-502A", "住3栋5F-502 A的业主", "住******** A的业主"),  # stored, spaced
        ("3栋B1F-01", "住3-B1F-01的业主", "住******01的业主"),
        ("3栋B1F-01", "住3栋B1F01的业主", "住*****01的业主"),
        ("B1F-01", "住B1F01的业主", "住B****的业主"),
        ("B1F-01", "住B1F 01的业主", "住B*****的业主"),
        # F03: the spaced letter in every address form a key reads
        ("3栋5楼502A", "住3栋-502 A的业主", "住****** A的业主"),
        ("3栋5楼502A", "住3#502 A的业主", "住***** A的业主"),
        ("3栋5楼502A", "住3幢502 A的业主", "住***** A的业主"),
        ("3栋5楼502A", "住3座502 A的业主", "住***** A的业主"),
        ("3栋5楼502A", "住3号楼502 A的业主", "住****** A的业主"),
        ("3栋A1201", "住3幢A 1201的业主", "住******01的业主"),  # eight characters
    ],
)
def test_a_stored_room_is_masked_in_every_form_its_key_reads(
    stored: str, text: str, masked: str
) -> None:
    assert redact(text, also=[stored]) == masked


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("stored", "text"),
    [  # other rooms, and ordinary text, stay readable
        ("3栋5楼502A", "住3#502 B的业主"),  # another flat
        ("3栋5楼502A", "住3号楼502 Apt的业主"),  # a word, not the letter
        ("3栋5楼502A", "住3座502 A-share的业主"),
        ("3栋A1201", "住3幢A 12010的业主"),  # another number
        ("3栋A1201", "3栋A 12:01 meeting"),  # a time
        ("3栋B1F-01", "住3-B1F-02的业主"),
        ("3栋5楼502", "住3栋6F-502的业主"),  # another floor's written flat
        ("B1F-01", "B1F parking"),
    ],
)
def test_other_rooms_beside_such_forms_stay_readable(stored: str, text: str) -> None:
    assert redact(text, also=[stored]) == text
