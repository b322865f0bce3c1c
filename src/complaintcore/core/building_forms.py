"""The forms a building is typed in (HDL-5, IMP-2, IMP-3, IMP-4; review s49L F01).

The building field is free text.  The front desk types ``3栋``, the call centre
``3号楼``, a clerk ``3#`` or just ``3``: one building, named by its number (or
letter, or letter and number) with or without one of the words a building is
written with.  The number is read as a number: ``03栋`` is ``3栋``, and a Chinese
numeral from 一 to 九十九 (两 for 2) before a building word is its digits
(``三号楼``, ``第十二栋``; review s51B F01, F02).  Only those forms are read as a
building's name: anything else (``3单元``, a unit; ``华府3栋``, with an estate's
name; ``Block A East``) is left to be matched by its spelling.  Pure: data and
two parsers.
"""

from __future__ import annotations

import re

__all__ = [
    "BUILDING_NAMES",
    "BUILDING_WORDS",
    "CHINESE_NUMBER",
    "building_name",
    "chinese_number",
    "plain_number",
]

BUILDING_WORDS = ("号楼", "#楼", "栋", "幢", "座", "楼", "号", "#")
"""The words written after a building's number or letter: ``3栋``, ``3号楼``, ``A座``,
``3#`` (``#`` for 号, as site staff write it).  The building words of a room
(:data:`~complaintcore.core.room_forms.ROOM_WORDS`, which has 号 and ``#`` too);
not 单元 (a unit) nor 门 (an entrance).  A longer word goes before a word it starts with."""

BUILDING_NAMES = ("building", "bldg", "block", "blk")
"""The English words written before a building's number or letter (``Block A``,
``Bldg. 3``), in lower case, perhaps with a dot after them."""

# a number, perhaps with one letter before or after it, or a letter alone: as a
# room's group (core.room_forms), in lower case
_GROUP = "[0-9]+[a-z]|[a-z]?[0-9]+|[a-z]"
_WORDS = "|".join(re.escape(w) for w in BUILDING_WORDS)
CHINESE_DIGITS = "一二三四五六七八九"
"""The Chinese numerals 1 to 9, in order."""

CHINESE_NUMBER = f"[{CHINESE_DIGITS}]?十[{CHINESE_DIGITS}]?|[{CHINESE_DIGITS}]|两"
"""A pattern of a number written in Chinese numerals from 一 (1) to 九十九 (99):
``三``, ``十二``, ``二十``, ``九十九``; ``两`` (2) alone, as in ``两单元``
(:func:`chinese_number` reads it)."""

_CHINESE = re.compile(
    f"({_GROUP})(?:{_WORDS})?|第({_GROUP})(?:{_WORDS})|第?({CHINESE_NUMBER})(?:{_WORDS})"
)
_NUMERAL = re.compile(f"([{CHINESE_DIGITS}])?(十)?([{CHINESE_DIGITS}])?")
# the zeros a run of digits starts with, but its last digit
_ZEROS = re.compile("(?<![0-9])0+(?=[0-9])")


def chinese_number(numeral: str) -> int | None:
    """HDL-5, IMP-3: the number ``numeral`` writes in Chinese numerals, from 一 (1) to
    九十九 (99) as :data:`CHINESE_NUMBER` finds them: ``三`` is 3, ``十二`` 12,
    ``二十`` 20, ``九十九`` 99, ``两`` 2 (review s51B F01).  None for anything else
    (``十十``, ``零``, ``三三``)."""
    if numeral == "两":
        return 2
    read = _NUMERAL.fullmatch(numeral)
    if not numeral or read is None:
        return None
    tens, ten, ones = read.groups()
    if ten is None:
        return None if ones is not None else CHINESE_DIGITS.index(tens) + 1
    return (CHINESE_DIGITS.index(tens) + 1 if tens else 1) * 10 + (
        CHINESE_DIGITS.index(ones) + 1 if ones else 0
    )


def plain_number(group: str) -> str:
    """HDL-5, IMP-3: ``group`` (a building's, a unit's or a room's number, perhaps with
    a letter) with its runs of digits read as numbers, the zeros they start with
    dropped: ``03`` is ``3``, ``0101`` ``101``, ``a03`` ``a3``, ``0`` and ``00``
    ``0`` (review s51B F02)."""
    return _ZEROS.sub("", group)


_ENGLISH = re.compile(f"(?:{'|'.join(BUILDING_NAMES)})\\.?({_GROUP})")


def building_name(spelt: str) -> str | None:
    """HDL-5, IMP-2, IMP-3, IMP-4: the number or letter a building is named by, if
    ``spelt`` (NFKC and case folded, as
    :func:`~complaintcore.core.concentration.building_key` reads it; spaces are
    ignored) is one with or without a building word: ``3``, ``3栋``, ``3号楼``,
    ``3#``, ``第3栋`` are ``3``; ``a座``, ``block a`` and ``bldg.a`` are ``a``,
    ``block s`` and ``bldg. s`` are ``s``; ``a3栋`` is ``a3``.  Its digits are a
    number (:func:`plain_number`): ``03栋`` and ``block 03`` are ``3``; a Chinese
    numeral with a building word (:func:`chinese_number`) is its digits:
    ``三号楼``, ``第三栋`` and ``三栋`` are ``3``, ``十二号楼`` is ``12`` (review s51B
    F01, F02; a numeral alone, ``三``, is no building's name).  None for anything
    else: ``3单元``, ``华府3栋``, ``block a east``, and ``blocks`` (an ``s`` right
    after the word, with no space or dot between, is the plural; review s49U F04)."""
    folded = "".join(spelt.split())
    found = _CHINESE.fullmatch(folded)
    if found is not None:
        numeral = found.group(3)
        if numeral is not None:
            return str(chinese_number(numeral))
        return plain_number(found.group(1) or found.group(2))
    found = _ENGLISH.fullmatch(folded)
    if found is None or (found.group(1) == "s" and spelt.rstrip()[-2:-1].isalpha()):
        return None
    return plain_number(found.group(1))
