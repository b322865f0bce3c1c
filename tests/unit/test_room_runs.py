"""Rooms found with one shared pattern, their groups compared in Python (PRV-1, review s48H).

Masking a room in every address form (tests/unit/test_room_forms.py) first gave
each complaint's room a pattern of its own, and compiling it made masking 1.25
to 1.7 times slower.  Now one pattern compiled once finds the runs of a text
shaped like rooms, and their groups are compared with the rooms'.  These tests
hold it to the matches the rooms' own patterns made, and to not compiling.
Expected texts are counted by hand: ``models.mask`` keeps the last two
characters of a value that starts with a digit and the first of any other.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from complaintcore.core import privacy
from complaintcore.core.privacy import redact
from complaintcore.core.room_forms import ROOM_ENDS, ROOM_WORDS, RoomForm, room_digits, room_form
from tests.unit.test_redaction import slow_runs


@pytest.mark.procedure("PRV-1")
def test_masking_rooms_compiles_no_pattern_for_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forty complaints' rooms, stored either way and written in other forms, are
    masked without compiling a pattern for them (the probe of the stored name's
    surname and a title, review s55R2 F04, at most once: it holds no room); a name
    in the text still costs its own pattern, one per complaint, with no room in it."""
    compiled: list[str] = []
    compile_ = re.compile

    def counting(source: str, flags: int = 0) -> re.Pattern[str]:
        compiled.append(source)
        return compile_(source, flags)

    privacy._literals.cache_clear()
    privacy._han_probe.cache_clear()
    monkeypatch.setattr(re, "compile", counting)
    for n in range(10, 50):
        also = ["王小明", f"1391234{n:04d}", f"{n}-2-1201", f"{n}栋3单元0{n}室"]
        # n-2-1201 written with words is 2 + 1 + 1 + 2 + 4 = 10 characters: 8 masked
        assert redact(f"住{n}栋2单元1201漏水", also=also) == "住********01漏水"
        # n栋3单元0n室 written with dashes, 室 after it: 2 + 1 + 1 + 1 + 3 + 1 = 9
        assert redact(f"{n}-3-0{n}室门坏了", also=also) == f"*******{n % 10}室门坏了"
    assert len(compiled) <= 1  # 王's probe, made once for the forty
    assert not any(ch.isdigit() for source in compiled for ch in source)
    made = len(compiled)
    assert redact("王小明住10号楼2单元1201", also=["王小明", "10-2-1201"]) == "王**住*********01"
    assert len(compiled) == made + 1
    assert "1201" not in compiled[-1]


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("also", "text", "expected"),
    [
        # an estate's name and building stored as another literal, sharing 3栋 with
        # the room: 小区3栋1202室 is 9 characters, masked as one, "小" kept; masked
        # one after the other, 1202室 showed
        (["3栋1202室", "小区3栋"], "业主住小区3栋1202室。", "业主住小********。"),
        # two rooms sharing a group: 3-2-1201 as one run, 6 of 8 masked
        (["3-2", "2-1201"], "住3-2-1201。", "住******01。"),
    ],
)
def test_a_room_sharing_characters_with_another_literal_is_masked_with_it(
    also: list[str], text: str, expected: str
) -> None:
    assert redact(text, also=also) == expected


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("room", "text", "expected"),
    [
        # a letter the re module pairs with an ASCII one in any case (the Kelvin
        # sign for k): 12栋1201K室 is 9 characters, "K室" kept
        ("12-1201k", "住12栋1201\u212a室", "住*******\u212a室"),
        # a letter glued before a first group of digits, after a last one: not
        # part of the room, which is masked without it
        ("3-1201", "住B3-1201。", "住B****01。"),
        ("3-1201", "住3-1201B。", "住****01B。"),
        # 号 between two groups ends a shorter room: 4 characters, too short to
        # keep any
        ("3-2", "住3-2号1201。", "住****1201。"),
    ],
)
def test_a_room_next_to_letters(room: str, text: str, expected: str) -> None:
    assert redact(text, also=[room]) == expected


# --------------------------------------------------------------------------- the law


def _own_pattern(room: RoomForm, spaced: int, *, whole: bool = True) -> re.Pattern[str]:
    """The pattern each room had of its own before (commit c0f51cc), for a text that
    holds no space (0), spaces (1) or line breaks too (2), with one or two dashes
    where it read one (the doubled dash a Chinese IME types, review s48M F01), and
    where the room has no space one line break before or after a dash or word
    (a room pasted over two lines, review s49B F03), and letters glued on to its
    first or last group whatever that group ends in (review s49K F02), and a
    word with a dash after it for one separator (``3栋-2-1201``, review s50D
    F01): the reference the shared pattern is held to.  ``whole=False``: without
    the guards that no digit is glued to a digit of the first or last group."""

    def gap(wide: bool) -> str:
        if not spaced:
            return ""
        return (" *+\n?+ *+" if spaced > 1 else " *+") if wide else " {0,3}+"

    # a word may have a dash after it, the two one separator (review s50D F01)
    words = "|".join(map(re.escape, ROOM_WORDS))
    join = f"(?:--?+|(?:{words})(?: {{0,3}}+--?+)?+)"

    def between(wide: bool) -> str:
        if wide or spaced < 2:
            return gap(wide) + join + gap(wide)
        tight = " {0,3}"
        return f"(?:{tight}(?:\n{tight})?{join}{tight}|{tight}{join}{tight}\n{tight})"

    # no digit glued to a digit of the first or last group; letters glued on, or
    # a digit beside a group's letter, make no other room (review s49K F02: the
    # old patterns kept a letter from beside a letter, so "BA座1201" showed)
    first, *rest = room.groups
    if first[0].isdigit() and whole:
        parts = [re.escape(first[0]), r"(?<!\d.)", re.escape(first[1:])]
    else:
        parts = [re.escape(first)]
    for group, wide in zip(rest, room.spaced, strict=False):
        parts += (between(wide), re.escape(group))
    if room.groups[-1][-1].isdigit() and whole:
        parts.append(r"(?!\d)")
    parts.append(f"(?:{gap(room.spaced[-1])}(?:{'|'.join(ROOM_ENDS)}))?+")
    return re.compile("".join(parts), re.IGNORECASE)


_GROUPS = st.sampled_from(["3", "2", "12", "1201", "01", "1201B", "A", "b12", "7"])
_SEPARATORS = st.sampled_from(["-", *ROOM_WORDS, " - ", " 栋 ", "  单元  ", "栋-", "单元 -"])
# between the groups as written: the room's separators and near misses (no
# separator, spaces alone, four spaces, line breaks, a word not of the list)
_WRITTEN_SEPARATORS = st.sampled_from(
    [
        *("-", *ROOM_WORDS, " - ", "   栋", "    -", " \n 单元 \n ", "栋\n", "\n\n-", "", " "),
        "区",
        *("栋-", "单元 - ", "#楼-", "号——", "栋    -"),  # a word and a dash (review s50D F01)
    ]
)
_GLUED = st.sampled_from(["", "", "", "1", "b", "\u212a", "\u017f"])


@st.composite
def _room_and_text(draw: st.DrawFn) -> tuple[str, str]:
    """A stored room, and a text (folded and plain, as the patterns read it) that
    mostly writes its groups, or some of them, in any case, with separators and
    near misses between them and letters or digits glued on, among other pieces."""
    groups = draw(st.lists(_GROUPS, min_size=2, max_size=4))
    room = groups[0] + "".join(draw(_SEPARATORS) + g for g in groups[1:])
    room += draw(st.sampled_from(["", "室", "号", " 室"]))
    written = (
        draw(st.lists(st.sampled_from(groups), min_size=1, max_size=5))
        if draw(st.booleans())
        else groups[draw(st.integers(0, len(groups) - 1)) :]
    )
    written = [g.swapcase() if draw(st.booleans()) else g for g in written]
    middle = draw(_GLUED) + written[0]
    middle += "".join(draw(_WRITTEN_SEPARATORS) + g for g in written[1:]) + draw(_GLUED)
    middle += draw(st.sampled_from(["", "室", "号", " 室", "  号", "\n室", "    室"]))
    pieces = st.lists(
        st.sampled_from([*groups, "1", "a", "-", *ROOM_WORDS, *ROOM_ENDS, " ", "\n", "，"]),
        max_size=6,
    )
    return room, "".join(draw(pieces)) + middle + "".join(draw(pieces))


_FLOORS = re.compile("[Bb][0-9]+ *层|[层楼](?: *- *| +)[0-9]")


@pytest.mark.procedure("PRV-1")
@given(room_and_text=_room_and_text())
@example(room_and_text=("3-3-3", "3--3-3"))  # the doubled dash (review s48M F01)
@example(room_and_text=("3-3", "3-33-3"))  # back to back (review s51A F03)
@example(room_and_text=("3-3", "3-33-33-3"))
@example(room_and_text=("3-3", "3-33-34"))  # another number after: neither
@settings(max_examples=3000, deadline=None)
def test_the_shared_pattern_finds_what_each_rooms_own_pattern_found(
    room_and_text: tuple[str, str],
) -> None:
    """Wherever a room's own pattern matched (from any place of the text), the
    shared pattern and the comparison of groups find the same span: no match of
    the old patterns is lost, and none is added but a room written back to back
    with another, a digit of each glued to the other's (``3-33-3`` for ``3-3``,
    review s51A F03: :func:`_back_to_back`)."""
    stored, text = room_and_text
    room, form = privacy._room(stored), room_form(stored)
    assume(room is not None and form is not None)
    # the old patterns read a basement floor (b3层) and a floor range (3层-3层) as
    # a room's groups; they are floors (review s52R15 F01: test_review_s52r15)
    assume(_FLOORS.search(text) is None)
    assert room is not None
    assert form is not None
    spaced = 2 if "\n" in text else 1 if " " in text else 0
    own = _own_pattern(form, spaced)
    expected = {m.span() for at in range(len(text)) if (m := own.match(text, at))}
    expected |= _back_to_back(text, _own_pattern(form, spaced, whole=False))
    assert set(privacy._room_spans(text, [room])) == expected


def _back_to_back(text: str, loose: re.Pattern[str]) -> set[tuple[int, int]]:
    """The matches of a room's own pattern without its digit guards that have a
    digit glued on (before the first group, after the last) where, and only
    where, another such match ends or starts: dropped one by one until each
    left has its partners (a plain fixpoint, the reference for the code's)."""
    cut = {}
    for at in range(len(text)):
        found = loose.match(text, at)
        if found is None:
            continue
        start, end = found.span()
        head = start > 0 and text[start - 1].isdigit() and text[start].isdigit()
        tail = end < len(text) and text[end].isdigit() and text[end - 1].isdigit()
        if head or tail:
            cut[start, end] = (head, tail)
    changed = True
    while changed:
        changed = False
        for (start, end), (head, tail) in list(cut.items()):
            if (head and not any(e == start and t for (_, e), (_, t) in cut.items())) or (
                tail and not any(s == end and h for (s, _), (h, _) in cut.items())
            ):
                del cut[start, end]
                changed = True
    return set(cut)


# --------------------------------------------------------------------------- linear time

_ROOMS = ["3-2-1201", "3栋2单元1201室", "A座1201", "3 栋 1202 室", "1-1"]
_HOSTILE_TO_RUNS = [
    "1-", "1栋", "1-1", "3-2-1201-", "a", "1a", "a1-", "1 - ", "1 栋 \n ", "1号",
    "1号楼", "3栋2单元1201室", "1 ", "\u212a1-", "12345",
]  # fmt: skip


@pytest.mark.procedure("PRV-1")
def test_finding_rooms_in_hostile_runs_of_groups_is_linear() -> None:
    """A run of groups as long as the text (every window of it a room, or none), a
    run of letters and digits with no separator, separators without a group after
    them: ten times the text, about ten times the processor time, in a child
    process."""
    assert not slow_runs(_HOSTILE_TO_RUNS, _ROOMS, timeout=180)


_LITERAL_PIECES = st.sampled_from(
    ["3", "12", "1201", "A", "b", "-", " ", *ROOM_WORDS, *ROOM_ENDS, "区", "王"]
)


@pytest.mark.procedure("PRV-1")
@given(literal=st.lists(_LITERAL_PIECES, max_size=8).map("".join))
@settings(max_examples=2000, deadline=None)
def test_a_room_is_told_by_one_match_as_by_reading_its_groups(literal: str) -> None:
    """The pre-filters tell a room by one match (``room_digits``): the literals it
    takes are those ``room_form`` reads, and it looks for their digits."""
    form = room_form(literal)
    digits = room_digits(literal)
    assert (digits is None) == (form is None)
    if form is not None:
        assert digits == tuple(run for group in form.groups for run in re.findall("[0-9]+", group))


# --------------------------------------------------------------------------- redact's pre-checks

# digits of every kind that fold into 0-9, and characters that fold into none
_DIGIT_STYLES = [
    str,
    lambda d: chr(0xFF10 + d),  # full-width
    lambda d: chr(0x0660 + d),  # Arabic-Indic
    lambda d: chr(0x1D7CE + d),  # mathematical bold
    lambda d: chr(0x2460 + d - 1) if d else "\u24ea",  # circled
]
_OTHER = st.sampled_from(["a", "Z", "\uff41", ".", "-", " ", "\u200b", "\u00b2", "，", "电"])


@st.composite
def _text(draw: st.DrawFn) -> str:
    """Digits in one style, perhaps long enough to be a phone, perhaps an address,
    among characters that are neither."""
    style = _DIGIT_STYLES[draw(st.integers(0, len(_DIGIT_STYLES) - 1))]
    digits = "".join(style(d) for d in draw(st.lists(st.integers(0, 9), max_size=12)))
    at = draw(st.sampled_from(["", "", "a@b.cn", "ａ＠ｂ．ｃｎ"]))
    others = draw(st.lists(_OTHER, max_size=6))
    return "".join(others[: len(others) // 2]) + digits + at + "".join(others[len(others) // 2 :])


@pytest.mark.procedure("PRV-1")
@given(text=_text())
@settings(max_examples=3000, deadline=None)
def test_a_text_is_left_unread_for_phones_and_addresses_only_when_it_can_hold_none(
    text: str,
) -> None:
    """``redact`` reads a text for e-mail addresses only if it holds an ``@`` (or a
    full-width one), and for phones only if it holds something that folds into a
    digit: what it masks is what reading every text for both masks."""
    read = privacy._substitute(privacy._EMAIL, text, privacy._FOLD_ALL, privacy._mask_email)
    read = privacy._substitute(privacy._PHONE, read, privacy._FOLD_BUT_LETTERS, privacy._mask_phone)
    assert redact(text) == read
