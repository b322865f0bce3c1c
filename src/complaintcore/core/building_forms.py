"""The forms a building is typed in (HDL-5, IMP-2, IMP-3, IMP-4; review s49L F01).

The building field is free text.  The front desk types ``3栋``, the call centre
``3号楼``, a clerk ``3#`` or just ``3``: one building, named by its number (or
letter, or letter and number) with or without one of the words a building is
written with.  Only those forms are read as a building's name: anything else
(``3单元``, a unit; ``华府3栋``, with an estate's name; ``三号楼``, a Chinese
numeral; ``Block A East``) is left to be matched by its spelling.  Pure: data and
one parser.
"""

from __future__ import annotations

import re

__all__ = ["BUILDING_NAMES", "BUILDING_WORDS", "building_name"]

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
_CHINESE = re.compile(f"({_GROUP})(?:{_WORDS})?|第({_GROUP})(?:{_WORDS})")
_ENGLISH = re.compile(f"(?:{'|'.join(BUILDING_NAMES)})\\.?({_GROUP})")


def building_name(spelt: str) -> str | None:
    """HDL-5, IMP-2, IMP-3, IMP-4: the number or letter a building is named by, if
    ``spelt`` (NFKC and case folded, as
    :func:`~complaintcore.core.concentration.building_key` reads it; spaces are
    ignored) is one with or without a building word: ``3``, ``3栋``, ``3号楼``,
    ``3#``, ``第3栋`` are ``3``; ``a座``, ``block a`` and ``bldg.a`` are ``a``,
    ``block s`` and ``bldg. s`` are ``s``; ``a3栋`` is ``a3``.  None for anything
    else: ``3单元``, ``华府3栋``, ``block a east``, and ``blocks`` (an ``s`` right
    after the word, with no space or dot between, is the plural; review s49U F04)."""
    folded = "".join(spelt.split())
    found = _CHINESE.fullmatch(folded)
    if found is not None:
        return found.group(1) or found.group(2)
    found = _ENGLISH.fullmatch(folded)
    if found is None or (found.group(1) == "s" and spelt.rstrip()[-2:-1].isalpha()):
        return None
    return found.group(1)
