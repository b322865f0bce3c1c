"""The address forms a room number is written in (PRV-1: masking, review s48H F01).

A room is stored as it was typed (``3-2-1201``, ``3栋2单元1201室``) and written in
free text in any of the usual forms: the numbers of its building, unit and room
joined by dashes or by the words of an address.  Pure: data and one parser.
"""

from __future__ import annotations

import re
import unicodedata

import attrs

from complaintcore.core.building_forms import (
    BUILDING_NAMES,
    CHINESE_NUMBER,
    chinese_number,
    plain_number,
)

__all__ = [
    "BUILDING",
    "DASHED_LEVELS",
    "DASHES",
    "FLOOR",
    "ONE_GROUP",
    "ROOM_ENDS",
    "ROOM_NAMES",
    "ROOM_WORDS",
    "SPACES",
    "UNIT",
    "WORD_LEVELS",
    "RoomForm",
    "arabic",
    "building_led",
    "room_alone",
    "room_basements",
    "room_digits",
    "room_flat",
    "room_floors",
    "room_form",
    "room_glued",
    "room_kept",
    "room_levels",
    "room_list",
    "room_listed",
    "room_part",
    "room_plain",
    "room_read",
    "room_unnamed",
]

DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2e3a\u2e3b\u2212\ufe58\ufe63"
"""Hyphens and dashes people type between a room's (or a phone's) groups: the ASCII
hyphen, the hyphen and non-breaking hyphen, figure dash, en dash, em dash,
horizontal bar (what the gb2312 codec makes of the GB2312 dash A1AA), the two- and
three-em dashes, the minus sign, and the small em dash and small hyphen-minus (the
full-width hyphen is folded to ``-`` by NFKC): every dash (Unicode Pd) but the
wave dashes and the vertical forms, which write ranges (``3〜5天``) or stand in
vertical text (review s48M F01).  One set for a room's key and for masking
(review s52R11 F01)."""

SPACES = " \t\u00a0\u202f\u205f\u3000" + "".join(map(chr, range(0x2000, 0x200B)))
"""The spaces a room may be written with: space, tab, no-break, the typographic ones
(thin U+2009, figure U+2007 ...), narrow no-break U+202F, medium mathematical
U+205F and ideographic U+3000 (review s52R11 F06: a tab pasted from a
spreadsheet)."""

ROOM_WORDS = ("号楼", "#楼", "单元", "栋", "幢", "座", "楼", "层", "门", "号", "#")
"""The words written between a room's numbers in place of a dash: building (栋,
幢, 座, 号楼, 楼, and ``#楼``, ``#`` for 号 as site staff write it), unit (单元),
entrance (门), number (号): ``3栋2单元1201``, ``3号楼2单元1201``, ``A座1201``,
``3#楼2单元1201``; and a floor (层: ``3栋5层502``, review s51R20 F02).  A word
may have a dash after it, the two one separator (``3栋-2-1201``,
``3栋2单元-1201``: review s50D F01).  A longer word goes before a word it starts
with (号楼 before 号, ``#楼`` before ``#``)."""

BUILDING = "栋"
"""The level of a building, named by the word a matched room writes it with."""

UNIT = "单元"
"""The level of a unit (an entrance and its stair), named likewise."""

FLOOR = "层"
"""The level of a floor: a group before 楼 that is the floor of the room after it
(:func:`room_levels`; review s51B F03).  A flat's number holds its floor, so
matching leaves out a floor the flat holds (``5楼502`` is flat ``502``:
:func:`room_kept`); one it does not hold is kept, written with this word
(``3栋5楼3号``, floor 5, door 3, is ``3栋5层3``: review s51R7 F01)."""

WORD_LEVELS = {
    "号楼": BUILDING,
    "#楼": BUILDING,
    "栋": BUILDING,
    "幢": BUILDING,
    "座": BUILDING,
    "楼": BUILDING,
    "号": BUILDING,
    "#": BUILDING,
    "单元": UNIT,
    "门": UNIT,
    "层": FLOOR,
}
"""IMP-3, GRD-2: the level each of :data:`ROOM_WORDS` names for the group before it
(review s49Q F02).  The building words are those a building field is read by
(:data:`~complaintcore.core.building_forms.BUILDING_WORDS`: 3号 and 3# are building
3 there too); 门 is a unit's entrance (``1号楼3门`` is unit 3 of building 1).  层
names a floor whatever is written before it (``5层502``, ``3栋5层502``: review
s51R20 F02; 层 never names a building)."""

DASHED_LEVELS = {2: (BUILDING,), 3: (BUILDING, UNIT)}
"""IMP-3, GRD-2: the levels of a room's groups before the last one when they are
joined by dashes, by how many groups it has: ``3-1201`` is building 3, room 1201
(as masking reads ``105-1201``), ``3-2-1201`` building 3, unit 2, room 1201 (the
demo's and the front desk's form); no form of another length gives levels."""

ROOM_ENDS = ("房间", "号房", "室", "号", "房")
"""The words written after a room's last number: ``1201室``, ``1201号``, and
``1201房``, ``1201号房``, ``1201房间`` (review s51R20 F03).  A longer word goes
before a word it starts with (号房 before 号, 房间 before 房)."""

# A group: ASCII digits with perhaps one ASCII letter after or before them
# (1201B, A12), or a letter alone (the A of A座1201).
_GROUP = "[0-9]+[A-Za-z]|[A-Za-z]?[0-9]+|[A-Za-z]"
_FIRST = re.compile(_GROUP)
_WORD = "|".join(map(re.escape, ROOM_WORDS))
# a dash, or a word perhaps with a dash after it (3栋-2-1201: one separator); the
# spaces between the word and its dash are read once (possessive)
_JOIN = f"(?:(?:{_WORD})(?: *+-)?+|-)"
_JOINED = re.compile(f"( *)(?:({_WORD})(?:( *+)-)?+|-)( *)({_GROUP})")
_END = re.compile(f"( *)(?:{'|'.join(ROOM_ENDS)})?")
# the whole of a room, its groups not told apart: one match to tell a room from
# any other literal (at least one digit: looked ahead for)
_SHAPE = re.compile(
    f"(?=[^0-9]*[0-9])(?:{_GROUP})(?: *{_JOIN} *(?:{_GROUP}))+ *(?:{'|'.join(ROOM_ENDS)})?"
)
_DIGITS = re.compile("[0-9]+")
# a building's group led by 第 before its word (第3栋2单元1201), or by an English
# building name (Block 3 2单元1201, Bldg. A-1201; a letter after the name only past
# a dot or a space: "blocks" is a plural) and its group, then a space, a dash or a
# word (review s50H F02)
_LED = re.compile(
    f"第 *+({_GROUP}) *+(?={_WORD})"
    f"|(?i:{'|'.join(BUILDING_NAMES)})(?:\\. *+| ++|(?=[0-9]))({_GROUP})"
    f"(?:( *+)(?={_WORD})| *+(?=-)| ++(?=[0-9A-Za-z]))"
)
# a run of a longer value that may be a room: letters and digits joined by a dash
# or a word, perhaps an end word after it; nothing of a number glued before it (a
# letter or digit, "+" or a dash: no part of a longer run, nor a phone's country
# code).  Each piece is read once (possessive): a value costs one scan.
_RUN = re.compile(
    f"(?<![0-9A-Za-z+-])[0-9A-Za-z]++(?: *+{_JOIN} *+[0-9A-Za-z]++)++"
    f"(?: *+(?:{'|'.join(ROOM_ENDS)}))?+"
)


@attrs.frozen
class RoomForm:
    """A room literal read as its groups, in order, and where the literal itself
    had spaces round each separator (``spaced[i]``: before or after the separator
    ahead of ``groups[i + 1]``; the last, before its end word)."""

    groups: tuple[str, ...]
    spaced: tuple[bool, ...]


def room_digits(literal: str) -> tuple[str, ...] | None:
    """The runs of digits of ``literal`` if :func:`room_form` reads it as a room (every
    written form of it holds each of them), else None; at the cost of one match."""
    return tuple(_DIGITS.findall(literal)) if _SHAPE.fullmatch(literal) else None


def room_form(literal: str) -> RoomForm | None:
    """``literal`` (folded to ASCII digits and letters, its dashes ``-`` and spaces
    ``" "``) read as a room: two or more groups of digits (each perhaps with one
    ASCII letter, or a letter alone), at least one digit among them, joined by a
    dash or one of :data:`ROOM_WORDS` (perhaps with a dash after it: ``3栋-2-1201``)
    with spaces round it or not, perhaps ending
    in one of :data:`ROOM_ENDS`.  None: it is no room in those forms (a name, a
    phone, ``华府3栋1202室`` with an estate's name, ``3 1202`` joined by a space)."""
    read = _read(literal)
    return None if read is None else read[0]


def room_levels(literal: str) -> tuple[str, ...] | None:
    """IMP-3, GRD-2: the level of each group of ``literal`` (read as :func:`room_form`
    reads it) before its last, the room (review s49Q F02): :data:`BUILDING` or
    :data:`UNIT` for a group written before one of :data:`ROOM_WORDS`
    (:data:`WORD_LEVELS`); for one before a dash, the level its place gives
    (:data:`DASHED_LEVELS`) when every group written with a word has the level of
    its place too, else ``""``: ``3栋2单元1201室``, ``3-2-1201`` and ``3座2-1201`` are
    (building, unit); ``3单元1201`` is (unit,); ``1-2-3-4`` is ("", "", "").
    The floors written just before the flat (:data:`FLOOR`) take no place: the
    groups before them are placed as if the flat came next, so ``3-5F-502`` and
    ``3-5层502`` are (building, floor) as ``3-502`` is (building,), and
    ``3-2-5层502`` (building, unit, floor) (review s52K F03: the floor took the
    unit's place, and the building was no level).  None when it is no room."""
    read = _read(literal)
    if read is None:
        return None
    form, joins = read
    named = _floors(form.groups, joins, tuple(WORD_LEVELS.get(join, "") for join in joins))
    head = len(named)
    while head and named[head - 1] == FLOOR:
        head -= 1
    placed = DASHED_LEVELS.get(head + 1)
    if placed is None or any(
        level and level != at for level, at in zip(named[:head], placed, strict=True)
    ):
        return named
    return placed + named[head:]


def _floors(
    groups: tuple[str, ...], joins: tuple[str, ...], named: tuple[str, ...]
) -> tuple[str, ...]:
    """``named`` with each group before 楼 that is a floor at :data:`FLOOR` (review
    s51B F03): in everyday Chinese ``5楼`` is the fifth floor and a building is
    ``5号楼`` or ``5栋``.  A group before 楼 is a floor when a building or a unit is
    named before it (``3号楼5楼502``, ``3栋2单元5楼502``, and ``3栋5楼3号``, floor 5,
    door 3), or when it is just before the flat and the flat holds it
    (:func:`_held`: ``5楼502``, ``12楼1201``, ``5楼0502``; review s51R7 F03); else
    it stays a building (``3楼1201``: flat 1201 is on floor 12, not 3)."""
    levels = list(named)
    above = False  # a building or unit named before: kept as the groups are read (linear)
    for i, join in enumerate(joins):
        if join == _FLOOR_WORD and (
            above or (i == len(joins) - 1 and _held(groups[i], _flat_number(groups[-1])))
        ):
            levels[i] = FLOOR
        above = above or levels[i] in (BUILDING, UNIT)
    return tuple(levels)


def _number(group: str) -> str:
    """A group of digits alone as a number (:func:`plain_number`), else ``""``."""
    return plain_number(group) if group.isdigit() else ""


_LETTERED = re.compile("[0-9]+[A-Za-z]|[A-Za-z][0-9]+")


def _flat_number(group: str) -> str:
    """A flat's group as the floor it holds is read from (:func:`_held`): its digits as
    a number, a letter before or after them left out (``502a`` and ``a502`` are on
    floor 5 as ``502`` is: the letter names a split flat, review s51R20 F04), else
    ``""``."""
    if _LETTERED.fullmatch(group):
        group = group.strip("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
    return _number(group)


def _held(floor: str, flat: str) -> bool:
    """Whether a flat (``flat``: its :func:`_flat_number`) holds ``floor``: both digits, the
    flat written as the floor and two digits, the zeros either starts with only
    padding it (``5`` and ``502``, ``12`` and ``1201``, ``5`` and ``0502``, ``01``
    and ``101``; review s51B F03, s51R7 F03); not ``5`` and ``3`` (floor 5, door 3:
    review s51R7 F01)."""
    floor = _number(floor)
    return bool(floor and flat) and len(flat) == len(floor) + 2 and flat.startswith(floor)


def room_kept(
    groups: tuple[str, ...], levels: tuple[str, ...]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """IMP-3, GRD-2, PRV-1: a room's ``groups`` and the ``levels`` of those before the
    last (:func:`room_levels`) without each floor the flat holds (:func:`_held`):
    ``("3", "5", "502")`` of (building, floor) is ``("3", "502")`` of (building,);
    a floor the flat does not hold is kept (``3栋5楼3号``, floor 5, door 3: review
    s51R7 F01; it was left out, and every door 3 of the building was one flat)."""
    flat = _flat_number(groups[-1])  # read once: a cost in proportion to the room
    kept = [i for i, level in enumerate(levels) if level != FLOOR or not _held(groups[i], flat)]
    return tuple(groups[i] for i in (*kept, len(groups) - 1)), tuple(levels[i] for i in kept)


_FLOOR_WORD = "楼"


def _read(literal: str) -> tuple[RoomForm, tuple[str, ...]] | None:
    """``literal`` read as a room (:func:`room_form`) and what joins each group to the
    one after it: a dash ``-`` or one of :data:`ROOM_WORDS` (a word with a dash
    after it is the word)."""
    first = _FIRST.match(literal)
    if first is None or not _SHAPE.fullmatch(literal):
        return None
    groups, spaced, joins = [first.group(0)], [], []
    at = first.end()
    while joined := _JOINED.match(literal, at):
        groups.append(joined.group(5))
        spaced.append(bool(joined.group(1) or joined.group(3) or joined.group(4)))
        joins.append(joined.group(2) or "-")
        at = joined.end()
    end = _END.fullmatch(literal, at)
    if end is None or len(groups) < 2:
        return None
    return RoomForm(tuple(groups), (*spaced, bool(end.group(1)))), tuple(joins)


def building_led(literal: str) -> str:
    """IMP-3, GRD-2, PRV-1: ``literal`` (folded as :func:`room_form` reads it) with
    the building it starts with written as a room's group and word, where it is
    written as the building field writes it (review s50H F02): ``第3栋2单元1201``
    is ``3栋2单元1201``; ``Block 3 2单元1201`` (an English building name, its
    number, a space) is ``3栋2单元1201``, ``Block 3-2-1201`` ``3栋-2-1201`` and
    ``Bldg. A 1201`` ``A栋1201``.  Anything else is returned as it is (``Block 3``
    alone, ``第3`` without a word)."""
    led = _LED.match(literal)
    if led is None:
        return literal
    if led.group(1) is not None:
        return led.group(1) + literal[led.end() :]
    word = "" if led.group(3) is not None else BUILDING  # its own word kept
    return led.group(2) + word + literal[led.end() :]


# a room of one group (as a room's group is read, in lower case) and its end word
_ROOM_ALONE = re.compile(f"([0-9]+[a-z]|[a-z]?[0-9]+)(?:{'|'.join(ROOM_ENDS)})")


def room_alone(spelt: str) -> str | None:
    """IMP-3, GRD-2, PRV-1: the group of a room of one group and its end word
    (:data:`ROOM_ENDS`), ``spelt`` with NFKC, in lower case and without spaces:
    ``1201室`` and ``1201号`` are flat ``1201`` (review s50H F04), and are masked
    where a text writes ``1201``, ``1201号`` or ``１２０１`` (review s50Q F02).
    None for any other value."""
    alone = _ROOM_ALONE.fullmatch(spelt)
    return None if alone is None else alone.group(1)


def room_part(literal: str) -> str | None:
    """The room in ``literal`` (folded as :func:`room_form` reads it): the literal
    itself if it is a room, else its one run that is (``3栋1202室`` in
    ``华府3栋1202室``, ``5栋12号`` in ``5栋12号(华府)``), with no letter, digit,
    ``+`` or dash glued before it and no letter or digit after its last group
    (review s49B F02).
    None: no room in it, or more than one (``3栋1202室、5栋101室``)."""
    if _SHAPE.fullmatch(literal):
        return literal
    found = [run.group() for run in _RUN.finditer(literal) if _SHAPE.fullmatch(run.group())]
    return found[0] if len(found) == 1 else None


# a Chinese numeral (review s51B F01) written before a word of a room's building or
# unit, spaces of any kind between them or not (review s51R7 F05), perhaps after
# 第, and glued to no other numeral
_NUMERAL_WORD = re.compile(
    f"(?<![一二三四五六七八九十两])({CHINESE_NUMBER})"
    f"(?=\\s*+(?:{'|'.join(map(re.escape, (w for w in ROOM_WORDS if w[0] != '#')))}))"
)


def arabic(literal: str) -> str:
    """IMP-3, GRD-2: ``literal`` with each Chinese numeral from 一 to 九十九 (两 for 2)
    written before one of :data:`ROOM_WORDS` (a building's or a unit's number) in
    digits (review s51B F01): ``三号楼2单元1201`` is ``3号楼2单元1201``, ``第三栋``
    ``第3栋``, ``十二栋二单元1201`` ``12栋2单元1201``, and with spaces before its
    word too, ``三 栋 2 单元 1201`` ``3 栋 2 单元 1201`` (review s51R7 F05: the building
    field ignores spaces, ``第 三 栋`` is building 3).  Any other numeral is kept
    (``三三栋`` is no number; a room written in numerals, ``一二零一``, is kept)."""
    if not literal.isascii():
        return _NUMERAL_WORD.sub(lambda found: str(chinese_number(found.group(1))), literal)
    return literal


ROOM_NAMES = ("apartment", "room", "flat", "apt", "rm")
"""The English words written before a room's number: ``Room 1202``, ``Rm3-1202``,
``Flat 3-1202``, ``Apt. 1202`` (review s51B F04), in lower case, perhaps with a
dot after them.  Not ``unit``: in a Chinese estate's English a unit is 单元."""

_ROOM_NAME = re.compile(
    f"\\s*(?i:{'|'.join(ROOM_NAMES)})(?:\\.\\s*|\\s+|(?=[0-9#]))"
    "(?:(?i:no)\\.?\\s*(?=[0-9])|#\\s*)?(?=[0-9A-Za-z])"
)


def room_unnamed(literal: str) -> str:
    """IMP-3, GRD-2: ``literal`` without the English word for a room it starts with
    (:data:`ROOM_NAMES`, then a space, a dot or a digit; perhaps ``No.`` or ``#``
    after it): ``Rm3-1202`` and ``Flat 3-1202`` are ``3-1202``, ``Rm 1202`` and
    ``Room No. 1202`` ``1202`` (review s51B F04).  The word is read with NFKC, so
    one typed in full width is the same word (``Ｒｍ３－１２０２`` is ``3-1202``,
    the rest returned with NFKC too: review s51R7 F02).  Anything else is returned
    as it is (``Roomy``, ``Flats 3``)."""
    folded = unicodedata.normalize("NFKC", literal)
    named = _ROOM_NAME.match(folded)
    return literal if named is None else folded[named.end() :]


def room_read(literal: str) -> str:
    """IMP-3, GRD-2, PRV-1: ``literal`` as a room key reads it: without an English word
    for a room before it (:func:`room_unnamed`, in any width), its dashes and spaces
    plain (:func:`room_plain`: ``3—1201 B`` is read as ``3-1201 B``, review s52R11
    F01, F06), with its building's and unit's Chinese numerals in digits
    (:func:`arabic`; review s51B F01, F04; s51R7 F02, F05), and a floor written
    ``5F`` before a dash or its flat written ``5层`` (:func:`_floored`; review
    s51R20 F05; a basement's ``B1F`` too, review s52R7 F04, and ``负1层``,
    ``地下一层``, review s52R11 F04), and a flat's letter spaced from its digits
    glued to them (:func:`room_glued`: ``3栋A 1201`` is ``3栋A1201``; review
    s52R7 F03)."""
    return room_glued(_floored(arabic(room_plain(room_unnamed(literal)))))


_DASH_RUN = re.compile(f"[{re.escape(DASHES)}]")
_DOUBLED = re.compile("(?<!-)--(?!-)")
_PLAIN_SPACES = {ord(c): " " for c in SPACES if c != " "}


def room_plain(literal: str) -> str:
    """IMP-3, GRD-2, PRV-1: ``literal`` with NFKC, every dash of :data:`DASHES` the ASCII
    hyphen ``-`` (two of them, ``——`` as a Chinese IME types Shift+``-``, one) and
    every space of :data:`SPACES` (a tab too) the space ``" "``: one reading of
    a room's dashes and spaces before its groups are read, for its key as for
    masking (review s52R11 F01: ``3—1201 B``, ``3栋5F—502`` and ``3栋B1F—01`` were
    read with the ASCII hyphen alone, keyed as spelt or in no building; F06:
    ``3栋1201\tB`` likewise)."""
    folded = unicodedata.normalize("NFKC", literal)
    if folded.isascii() and "\t" not in folded:
        return folded if "--" not in folded else _DOUBLED.sub("-", folded)
    return _DOUBLED.sub("-", _DASH_RUN.sub("-", folded).translate(_PLAIN_SPACES))


# a floor written the English (and Hong Kong) way, its number and an F, glued to no
# letter or digit before it, with a dash or a flat's digits (perhaps after spaces)
# after it: the 5F of 5F-502 (review s51R20 F05), and a basement's B1F of B1F-01
# (review s52R7 F04: it was no floor); not the F of a flat 1201F
_F_FLOOR = re.compile("(?<![0-9A-Za-z])([Bb]?[0-9]++)[Ff](?= *+[-0-9])")
# a basement floor written in Chinese, 负 or 地下 before its number (in digits:
# :func:`arabic` reads 负一层 first) and 层 or 楼: the floor B1层 as B1F is read
# (review s52R11 F04: 3栋负1层01号 was keyed as spelt, in no building)
_CN_BASEMENT = re.compile("(?<![0-9A-Za-z])(?:负|地下) *+([0-9]++) *+[层楼]")


def room_floors(plain: str) -> str:
    """PRV-1: ``plain`` (folded, its dashes ``-``) with each floor written with an F
    before a dash or a flat written with 层, one character for one, as a key reads it
    (:func:`_floored`): ``3栋5F-502`` is ``3栋5层-502``, ``B1F01`` ``B1层01``, so a text
    is masked where it writes a stored room's floor the other way (review s52R11
    F02: ``3栋5F502`` stayed readable for a stored ``3栋5楼502``).  Masking reads the
    text and the stored rooms so, their places in the text unchanged."""
    return _F_FLOOR.sub(lambda found: found.group(1) + FLOOR, plain)


# the same in a text as masking reads it, one character for one (its places kept):
# a numeral of one character too (负一楼), the spaces and the 负 or 地下 before it
_CN_BASEMENT_READ = re.compile(
    "(?<![0-9A-Za-z])((?:负|地下) *+)([0-9]++|[一二两三四五六七八九])( *+)[层楼]"
)
_ONE_NUMERAL = {c: str(n) for n, c in enumerate("一二三四五六七八九", 1)} | {"两": "2"}


def room_basements(plain: str) -> str:
    """PRV-1: ``plain`` (folded, its dashes ``-``, its F floors read as 层:
    :func:`room_floors`) with each basement written in Chinese the floor ``b1层`` as
    a key reads it (:func:`_floored`), one character for one: ``3栋负1层01号`` is
    ``3栋b1层01号``, ``地下1层`` `` b1层``, ``负一楼`` ``b1层``, so masking reads a
    text's and a stored room's Chinese basement as ``B1层`` (review s53R1 F04: a
    stored ``3栋负1层01号`` left ``3栋负1层1号`` readable, read one character for
    one, and a stored ``3栋B1F-01`` ``3栋负1层01号``).  Keys are not made so."""
    if plain.isascii():
        return plain
    return _CN_BASEMENT_READ.sub(_basement_read, plain)


def _basement_read(found: re.Match[str]) -> str:
    before, number, spaces = found.groups()
    return f"{' ' * (len(before) - 1)}b{_ONE_NUMERAL.get(number, number)}{spaces}{FLOOR}"


def _floored(literal: str) -> str:
    """IMP-3, GRD-2: ``literal`` with each floor written with an F (``5F``, ``12f``)
    before a dash or a flat written with 层 (:data:`FLOOR`), with NFKC where it has
    one: ``5F-502`` is ``5层-502``, floor 5, flat 502 (review s51R20 F05: it was
    read as a building "5f"), and a basement's ``B1F-01`` ``B1层-01``, as it is
    written in Chinese (review s52R7 F04: ``3栋B1F-01`` was keyed as spelt, in no
    building); ``1201F`` and ``5F`` alone are kept.  A basement written in Chinese,
    ``负1层``, ``地下1层`` or ``负1楼``, is ``B1层`` too (review s52R11 F04)."""
    folded = unicodedata.normalize("NFKC", literal)
    floored = room_floors(folded)
    if not floored.isascii():
        floored = _CN_BASEMENT.sub(lambda found: f"B{found.group(1)}{FLOOR}", floored)
    return literal if floored == folded else floored


# a flat's letter written with spaces between it and the digits of the room's last
# group, after them (3-1201 B) or before them (3栋A 1201), the group after a dash
# or a word and perhaps an end word after it: no space between them in a key
_END_WORDS = "|".join(ROOM_ENDS)
_SPACED_LETTER = re.compile(
    f"((?:{_WORD}|-) *+)(?:([0-9]++) ++([A-Za-z])|([A-Za-z]) ++([0-9]++))"
    f"(?= *+(?:{_END_WORDS})?+ *+$)"
)


def room_glued(literal: str) -> str:
    """IMP-3, GRD-2, PRV-1: ``literal`` with the letter of its last group glued to the
    group's digits where spaces stand between them, with NFKC where it has one:
    ``3栋A 1201`` is ``3栋A1201``, ``3-1201 B`` ``3-1201B``, ``3栋5楼502 A``
    ``3栋5楼502A`` (review s52R7 F03: a space beside the letter made the room
    no address, keyed as spelt and in no building, while ``A 1201`` alone was
    ``A1201``).  Only where a dash or a word is before the group: ``Bldg. A 1201``
    is building A's flat 1201 (:func:`building_led`)."""
    folded = unicodedata.normalize("NFKC", literal)
    glued = _SPACED_LETTER.sub(
        lambda found: "".join(part for part in found.groups() if part is not None), folded
    )
    return literal if glued == folded else glued


ONE_GROUP = re.compile("[0-9]+[a-z]|[a-z]?[0-9]+|[a-z]")
"""One group of a room as a key reads it, in lower case: digits perhaps with one
letter before or after them, or a letter alone (``3``, ``a``, ``1201``, ``1201b``)."""


def room_flat(spelt: str) -> str | None:
    """IMP-3, GRD-2, PRV-1: the one group ``spelt`` (a room with NFKC, in lower case
    and without spaces) is, perhaps with its end word (:func:`room_alone`), its
    digits a number (:func:`~complaintcore.core.building_forms.plain_number`):
    ``1201``, ``1201室`` and ``01201`` are ``1201``, ``0101`` is ``101`` (review s51B
    F02, s50H F04).  None for any other value."""
    one = room_alone(spelt) or spelt
    return plain_number(one) if ONE_GROUP.fullmatch(one) else None


# what is written between two rooms of one value: 1201/1202, 1201、1202, 1201和1202
_ROOM_LIST = re.compile("[/、,，;；&＆／]|和|及")


def room_list(literal: str) -> tuple[str, ...]:
    """IMP-3, GRD-2: the parts of ``literal`` between the marks written between rooms
    (``/``, ``、``, ``,``, ``;``, ``&``, 和, 及),
    stripped, empty ones left out: ``1201/1202`` is ``("1201", "1202")``; a value
    with none is itself alone.  Whether each part is a room is the caller's to
    read (review s51B F05)."""
    parts = tuple(part.strip() for part in _ROOM_LIST.split(literal))
    return tuple(part for part in parts if part) or (literal,)


# what else a part of a value of several rooms may be: one group of three digits or
# more (a floor and a flat), perhaps with a letter, as spelt
_FLAT = re.compile("[0-9]{3,}+[a-z]?|[a-z]?[0-9]{3,}+")


def room_listed(spelt: str) -> bool:
    """IMP-3, GRD-2, PRV-1: whether ``spelt`` (a part of a value of several rooms,
    :func:`room_list`, with NFKC, in lower case and without spaces) is a flat
    as such a part may be besides a room in an address form: one group of three
    digits or more, perhaps with a letter and its end word (``1201``, ``1202室``,
    ``0101``; not ``2`` nor ``b``: review s51B F05)."""
    return _FLAT.fullmatch(room_alone(spelt) or spelt) is not None
