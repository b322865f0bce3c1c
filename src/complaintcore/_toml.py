"""Reading TOML (rule packs, staff files, ``complaintcore.toml``) with a bound on nesting.

:mod:`tomllib` recurses once per array or inline table inside another, so a file
nested a couple of thousand deep raised a bare :class:`RecursionError`, and one
a few hundred deep parsed but broke the recursive checks after it.  Every TOML
file complaintcore reads goes through :func:`loads`, which refuses both with a
:class:`TomlError` the reader turns into its own library error naming the file.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from typing import Any

__all__ = ["MAX_DEPTH", "TOO_DEEP", "TomlError", "loads", "too_deep"]

MAX_DEPTH = 32
"""The deepest nesting of tables and arrays under the document taken (``a = [[1]]``
is 2); the shipped files need 5."""

TOO_DEEP = f"tables and arrays nested more than {MAX_DEPTH} deep"


class TomlError(ValueError):
    """Not TOML complaintcore reads: a syntax error, or nesting deeper than :data:`MAX_DEPTH`."""


def loads(text: str) -> dict[str, Any]:
    """The parsed document, or :class:`TomlError`."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TomlError(str(exc)) from None
    except RecursionError:
        raise TomlError(TOO_DEEP) from None
    if too_deep(data):
        raise TomlError(TOO_DEEP)
    return data


def too_deep(data: object) -> bool:
    """Whether tables and arrays nest more than :data:`MAX_DEPTH` deep in ``data``
    (a parsed document or a plugin's own dict), walked without recursion."""
    todo: list[tuple[object, int]] = [(data, 0)]  # the document itself: 0
    while todo:
        value, depth = todo.pop()
        if isinstance(value, Mapping):
            items: Any = value.values()
        elif isinstance(value, list | tuple):
            items = value
        else:
            continue
        if depth > MAX_DEPTH:
            return True
        todo.extend((item, depth + 1) for item in items)
    return False
