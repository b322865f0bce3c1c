"""A room written in another address form is masked (PRV-1, review s48H F01).

A room stored as ``3-2-1201`` is written ``3栋2单元1201`` in a description, and one
stored as ``3栋2单元1201室`` is written ``3-2-1201`` in a visit's remarks: the
same room, masked in every form, its digit groups whole and in order.  Expected
texts are counted by hand: ``models.mask`` keeps the last two characters of a
value that starts with a digit and the first character of any other.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from complaintcore.core import privacy
from complaintcore.core.privacy import Literals, literals_in, redact
from complaintcore.core.room_forms import ROOM_ENDS, ROOM_WORDS, RoomForm, room_form
from tests.unit.test_redaction import slow_runs

# --------------------------------------------------------------------------- by hand


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("room", "text", "expected"),
    [
        # stored with dashes, written with address words: 3栋2单元1201 is 9
        # characters, 7 masked and "01" kept
        ("3-2-1201", "3栋2单元1201漏水", "*******01漏水"),
        ("3-2-1201", "住3幢2单元1201，楼上漏水", "住*******01，楼上漏水"),
        ("3-2-1201", "住3座2-1201，楼上漏水", "住******01，楼上漏水"),
        ("3-2-1201", "住3门2单元1201", "住*******01"),
        # a trailing 室 or 号 goes with the room: 11 characters, 9 masked, "1室" kept
        ("3-2-1201", "3号楼2单元1201室漏水", "*********1室漏水"),
        ("3-2-1201", "3楼2单元1201号漏水", "********1号漏水"),
        # the spaces an IME puts round the words: 15 characters, " 室" kept
        ("3-2-1201", "住3 栋 2 单元 1201 室", "住************* 室"),
        # full-width digits, the characters written kept
        ("3-2-1201", "住３栋２单元１２０１", "住*******０１"),
        # stored with words, written with dashes of any kind: 8 characters
        ("3栋2单元1201室", "住3-2-1201漏水", "住******01漏水"),
        ("3栋2单元1201室", "住3\u20142\u20141201漏水", "住******01漏水"),
        ("3栋2单元1201室", "住3 - 2 - 1201漏水", "住**********01漏水"),
        ("3栋2单元1201室", "住3号楼2单元1201号", "住*********1号"),
        ("3号楼2单元1201", "住3栋2-1201", "住******01"),
        # a letter in a group, in either case: a value starting with a letter keeps it
        ("A座1201", "住a-1201漏水", "住a*****漏水"),
        ("A座1201", "住Ａ栋１２０１室", "住Ａ******"),
        ("12-1201B", "住12栋1201b室", "住*******b室"),
        # a word with a dash after it is one separator (review s50D F01): 3幢-2-1201
        # is 9 characters, 7 masked; 3座2门-1201 is 9 too
        ("3-2-1201", "住3幢-2-1201，楼上漏水", "住*******01，楼上漏水"),
        ("3-2-1201", "住3座2门-1201", "住*******01"),
        # "#" for 号, as site staff write it: 3#-2-1201 is 9 characters
        ("3-2-1201", "住3#-2-1201", "住*******01"),
        ("3#-2-1201", "住3幢2单元1201", "住*******01"),
    ],
)
def test_a_room_in_another_address_form_is_masked(room: str, text: str, expected: str) -> None:
    assert redact(text, also=["王小明", "13812345678", room]) == expected


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("room", "text"),
    [
        ("3-2-1201", "住12-1201，楼上漏水"),  # a group left out
        ("3-2-1201", "住2-3-1201，楼上漏水"),  # groups in another order
        ("3-2-1201", "住13-2-1201，楼上漏水"),  # a digit glued before: another room
        ("3-2-1201", "住3-2-12015，楼上漏水"),  # a digit glued after
        ("3-2-1201", "住13栋2单元1201室"),
        ("3栋2单元1201室", "住3栋2单元12015室"),
        ("3栋2单元1201室", "住3-2-1201５"),  # a full-width digit glued after
        ("3-2-1201", "住3区2单元1201"),  # a word that is no separator of the list
        ("3-2-1201", "住3 2 1201"),  # spaces alone join no groups
        ("3-2-1201", "住3\n2单元1201"),  # nor a line break (one beside a word does:
        # tests/unit/test_review_s49b.py)
    ],
)
def test_other_numbers_are_not_taken_for_the_room(room: str, text: str) -> None:
    assert redact(text, also=[room]) == text


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("literal", "form"),
    [
        ("3-2-1201", RoomForm(("3", "2", "1201"), (False, False, False))),
        ("3栋2单元1201室", RoomForm(("3", "2", "1201"), (False, False, False))),
        ("3号楼2单元1201号", RoomForm(("3", "2", "1201"), (False, False, False))),
        ("3 栋 1202 室", RoomForm(("3", "1202"), (True, True))),
        ("A座1201", RoomForm(("A", "1201"), (False, False))),
        ("12-1201B", RoomForm(("12", "1201B"), (False, False))),
        ("王小明", None),
        ("Flat 3", None),
        ("华府3栋1202室", None),  # an estate's name before it
        ("3 1202", None),  # groups joined by a space alone
        ("1202室", None),  # one group
        ("A-B", None),  # no digit
        ("3区2单元1201", None),
    ],
)
def test_which_literals_are_rooms(literal: str, form: RoomForm | None) -> None:
    assert room_form(literal) == form


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize("phone", ["010-62345678", "138-1234-5678", "0755-8888-6666"])
def test_a_phone_with_dashes_is_not_read_as_a_room(phone: str) -> None:
    """Phones keep the spellings they had: a landline written 010栋62345678 is no
    phone form, and its digits are masked as a phone's all the same."""
    assert room_form(phone) is not None  # shaped like a room ...
    assert privacy._room(phone) is None  # ... but masked as a phone by itself
    assert redact("回电 010 6234 5678", also=[phone]) == "回电 *********78"


def test_the_room_words_are_the_documented_ones() -> None:
    """The list is data, kept small; docs/security.md names each word."""
    assert ROOM_WORDS == ("号楼", "#楼", "单元", "栋", "幢", "座", "楼", "层", "门", "号", "#")
    assert ROOM_ENDS == ("房间", "号房", "室", "号", "房")
    text = (Path(__file__).parents[2] / "docs" / "security.md").read_text(encoding="utf-8")
    words = re.search(r"address words \(([^)]*)\)", text)
    assert words is not None
    assert [w.strip("`\n ") for w in words.group(1).split(",")] == list(ROOM_WORDS)


# --------------------------------------------------------------------------- the law

_DIGIT_STYLES = {
    "ascii": lambda d: d,
    "full-width": lambda d: "".join(chr(ord(c) + 0xFEE0) for c in d),
    "arabic-indic": lambda d: "".join(chr(0x0660 + int(c)) if c.isdigit() else c for c in d),
}
_JOINS = st.sampled_from(
    [*"-\u2010\u2011\u2012\u2013\u2014\u2212\uff0d", *ROOM_WORDS]  # any dash, any word
)
_AROUND = st.sampled_from(["", "", " ", "\u3000", "  ", "\u00a0"])
_AROUND_TEXT = st.text(alphabet="，。住业主漏水楼上 abc号室", max_size=8)


@st.composite
def _room_and_form(draw: st.DrawFn) -> tuple[str, str]:
    """A stored room and the same room written in another form."""
    groups = [
        str(draw(st.integers(1, 40))),
        *([str(draw(st.integers(1, 9)))] if draw(st.booleans()) else []),
        str(draw(st.integers(101, 3304))) + draw(st.sampled_from(["", "", "B", "c"])),
    ]
    stored = groups[0] + "".join(draw(_JOINS) + g for g in groups[1:])
    stored += draw(st.sampled_from(["", "室", "号"]))
    style = _DIGIT_STYLES[draw(st.sampled_from(sorted(_DIGIT_STYLES)))]
    written = style(groups[0]) + "".join(
        draw(_AROUND) + draw(_JOINS) + draw(_AROUND) + style(g) for g in groups[1:]
    )
    written += draw(st.sampled_from(["", "室", " 室", "号"]))
    return stored, written


@pytest.mark.procedure("PRV-1")
@given(room=_room_and_form(), before=_AROUND_TEXT, after=_AROUND_TEXT)
@settings(max_examples=1500, deadline=None)
def test_a_room_written_in_any_address_form_never_shows(
    room: tuple[str, str], before: str, after: str
) -> None:
    """The law of F01: the room, written in any of the forms, is masked whole (every
    character but the last two), however it was stored; the text round it stays."""
    stored, written = room
    before, after = f"{before}，", f"，{after}"  # no digit or letter glued to it
    shown = redact(before + written + after, also=["王小明", stored])
    assert shown.startswith(before)
    assert shown.endswith(after)
    middle = shown[len(before) : len(shown) - len(after)]
    assert len(middle) == len(written)
    assert middle[:-2] == "*" * (len(written) - 2)


@pytest.mark.procedure("PRV-1")
@given(
    rooms=st.lists(_room_and_form(), min_size=1, max_size=4),
    texts=st.lists(_AROUND_TEXT, min_size=1, max_size=4),
)
@settings(max_examples=1000, deadline=None)
def test_a_room_in_another_form_is_never_filtered_out_before_masking(
    rooms: list[tuple[str, str]], texts: list[str]
) -> None:
    """The pre-filters on the hot path (``_may_occur``, ``literals_in``,
    ``Literals``) keep a room for every text that holds it in another form, and
    skipping what they leave out masks as masking with every literal does."""
    stored = [s for s, _ in rooms] + ["王小明"]
    text = "，".join(t + w for t, (_, w) in zip(texts * len(rooms), rooms, strict=False))
    assert set(literals_in(text, stored)) >= {s for s, _ in rooms}
    assert Literals(stored).found_in(text) == literals_in(text, stored)
    skipping = redact(text, also=stored)
    keep_all = privacy._may_occur
    privacy._may_occur = lambda _text, given, clues=None: given
    try:
        assert redact(text, also=stored) == skipping
    finally:
        privacy._may_occur = keep_all


# --------------------------------------------------------------------------- linear time

_ROOMS = ["3栋2单元1201室", "3-2-1201", "A座1201", "3 栋 1202 室", "12号楼3单元501号"]
_HOSTILE_TO_ROOMS = [
    "3栋", "3号", "3号楼", "3 栋 ", "3栋2单元", "3-2单元", "3栋2单元1201", "3 栋  2 ",
    "单元", "3\u2014", "３栋", "A座", "a座1201", "3 栋 1202 ", "12号楼3单元501",
]  # fmt: skip


@pytest.mark.procedure("PRV-1")
def test_masking_rooms_in_hostile_runs_of_address_words_is_linear() -> None:
    """Near-misses of the new alternation (a building and a unit again and again,
    a word without the group after it) cost time in proportion to the text: ten
    times the text, about ten times the processor time, in a child process."""
    assert not slow_runs(_HOSTILE_TO_ROOMS, _ROOMS, timeout=180)
