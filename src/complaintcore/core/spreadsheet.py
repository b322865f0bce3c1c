"""Cells written to CSV and spreadsheet files: text never runs as a formula.

A spreadsheet program reads a cell that starts with ``=``, ``+``, ``-`` or
``@`` (or a tab or carriage return before one) as a formula, so a building
named ``=HYPERLINK("http://…")`` in a report would become a live link or worse
(CSV injection).  :func:`spreadsheet_safe` prefixes such text with ``'``, which
spreadsheets show as the text itself.  Plain numbers (``-5``, ``+3.5``) and
every non-text value pass unchanged.  Pure: no I/O.
"""

from __future__ import annotations

import re
from typing import Final, TypeVar

__all__ = ["spreadsheet_safe"]

_RISKY: Final = ("=", "+", "-", "@", "\t", "\r")
_NUMBER: Final = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")

_V = TypeVar("_V")


def spreadsheet_safe(value: _V) -> _V:
    """``value``, or a text that would start a formula with ``'`` put before it."""
    if isinstance(value, str) and value.startswith(_RISKY) and not _NUMBER.fullmatch(value):
        return "'" + value  # type: ignore[return-value]
    return value
