"""Limits on what people type: one rule for characters, a maximum length per field.

Every text that enters a desk -- an intake, a command, a row of a bulk file --
goes through :func:`clean_text`, so the whole library follows one rule:

* NUL and the other control characters (C0, DEL and C1: Unicode's ``Cc``) are
  refused, except tab, line feed and carriage return;
* Windows (``\\r\\n``) and old Mac (``\\r``) line ends become ``\\n``;
* lone surrogates (``"\\ud800"``, which no UTF-8 text can hold) are refused;
* each field has a maximum length (:class:`TextLimits`), set by the desk's
  configuration (``[limits]`` in ``complaintcore.toml``).

Errors name the field and the rule, never the text (PRV-1).  Pure: no I/O.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any, Final, TypeVar

import attrs

from complaintcore.core.errors import InvalidInputError

__all__ = [
    "DEFAULT_LENGTHS",
    "ID_FIELDS",
    "TextLimits",
    "cell_count_reason",
    "check_label",
    "clean_record",
    "clean_text",
    "escaped",
]

# C1 (U+0080-U+009F) too: a terminal may run U+009B (CSI) or U+009D (OSC) as ESC [ or ESC ].
_FORBIDDEN: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_LINE_ENDS: Final = re.compile("\r\n?")
# What a terminal may run, or that makes it draw a line otherwise than it reads:
# C0 controls but the line break and the tab, DEL, C1, the bidi embeddings,
# overrides, isolates and marks, the line and paragraph separators and a lone
# surrogate (reviews s51R8, s51R21).  Every other character prints as typed.
_UNPRINTABLE: Final = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029"
    "\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
# A label is one line: the tab and the line break are refused there too.
_NOT_IN_LABEL: Final = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)

DEFAULT_LENGTHS: Final[Mapping[str, int]] = MappingProxyType(
    {
        # the intake
        "name": 64,
        "phone": 40,
        "room": 64,
        "building": 64,
        "summary": 2000,
        "description": 10_000,
        "location": 500,
        "account": 10_000,
        "evidence": 500,
        # what handlers write
        "message": 10_000,
        "opinion": 5000,
        "note": 5000,
        "result": 10_000,
        "reason": 5000,
        "unanswerable_reason": 5000,
        "cause": 5000,
        "corrective": 5000,
        "preventive": 5000,
        "action": 5000,
        "reference": 500,
    }
)
"""Maximum lengths (characters) of the free-text fields, by field name."""

ID_FIELDS: Final = frozenset(
    {
        "actor",
        "receiver",
        "receiver_unit",
        "site",
        "staff_id",
        "rung",
        "role",
        "department",
        "handler",
        "to_unit",
        "to_rung",
        "category",
        "helpers",
        "clock",
        "staff_role",
        "idempotency_key",
        "owner",
        "measure",
    }
)
"""Fields that hold ids and codes: they get :attr:`TextLimits.id_length`."""

_T = TypeVar("_T")


def _positive(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 10_000_000:
        raise InvalidInputError(f"limits.{attribute.name}", "must be an integer from 1 to 10000000")


def _lengths(value: Mapping[str, int]) -> Mapping[str, int]:
    if not isinstance(value, Mapping):
        raise InvalidInputError("limits", "must be a table of field names and lengths")
    merged = dict(DEFAULT_LENGTHS)
    for key, length in value.items():
        if not isinstance(key, str):
            raise InvalidInputError("limits", "field names must be text")
        if not isinstance(length, int) or isinstance(length, bool) or not 1 <= length <= 10_000_000:
            raise InvalidInputError(f"limits.{key}", "must be an integer from 1 to 10000000")
        merged[key] = length
    return MappingProxyType(merged)


@attrs.frozen
class TextLimits:
    """Maximum lengths by field name; other text fields get ``default``, ids ``id_length``.

    ``TextLimits(lengths={"description": 5000})`` keeps the other defaults of
    :data:`DEFAULT_LENGTHS`.  ``max_items`` bounds lists of texts (evidence).
    """

    lengths: Mapping[str, int] = attrs.field(factory=dict, converter=_lengths)
    default: int = attrs.field(default=5000, validator=_positive)
    id_length: int = attrs.field(default=200, validator=_positive)
    max_items: int = attrs.field(default=100, validator=_positive)
    _known: dict[str, int] = attrs.field(factory=dict, init=False, eq=False, repr=False)
    # The least of all the limits: a text no longer than it fits any field.
    _shortest: int = attrs.field(init=False, eq=False, repr=False)

    @_shortest.default
    def _least_limit(self) -> int:
        return min(self.default, self.id_length, *self.lengths.values())

    def limit_for(self, field: str) -> int:
        """The maximum length of ``field`` (its last dotted part is what counts)."""
        found = self._known.get(field)
        if found is not None:
            return found
        leaf = field.rsplit(".", 1)[-1].split("[", 1)[0]
        if leaf in self.lengths:
            found = self.lengths[leaf]
        else:
            found = self.id_length if leaf in ID_FIELDS else self.default
        if len(self._known) < 4096:  # field paths are few; keep hostile ones out
            self._known[field] = found
        return found


def clean_text(value: str, path: str, max_length: int | None = None) -> str:
    """``value`` with line ends normalised, or an :class:`InvalidInputError` naming ``path``.

    Refuses NUL and the other C0, DEL and C1 control characters but tab, line
    feed and carriage return, lone surrogates, and (with ``max_length``) texts
    longer than that after normalising.
    """
    if not isinstance(value, str):
        raise InvalidInputError(path, f"expected text, got {type(value).__name__}")
    found = _FORBIDDEN.search(value)
    if found is not None:
        raise _refused(found, path)
    if "\r" in value:
        value = _LINE_ENDS.sub("\n", value)
    if max_length is not None and len(value) > max_length:
        raise InvalidInputError(
            path, f"is too long: {len(value)} characters, at most {max_length} allowed"
        )
    return value


def _escaped(found: re.Match[str]) -> str:
    return ascii(found[0])[1:-1]


def escaped(text: str, *, one_line: bool = False) -> str:
    """``text`` with every character a terminal could run, or that redraws the
    line, escaped as Python writes it (``\\x1b``, ``\\u202e``); line breaks
    (unless ``one_line``: a field of a log line), tabs, spaces, joiners and
    every other character are kept as they are."""
    return (_NOT_IN_LABEL if one_line else _UNPRINTABLE).sub(_escaped, text)


def check_label(value: str, path: str, *, start: int = 0) -> str:
    """``value``, or an :class:`InvalidInputError` naming ``path`` and the position
    alone (never the text) when it holds a character a one-line label cannot:
    a control character (C0 with the tab and the line break, DEL, C1), a bidi
    control (embedding, override, isolate, mark), a line or paragraph
    separator, or a lone surrogate.  For ids and names read from files other
    programs write (a staff file): shown raw on a terminal or in a log line,
    they would run or reorder it.  ``start``: the characters the cell as typed
    held before ``value`` (spaces stripped), so the position is the typed one."""
    found = _NOT_IN_LABEL.search(value)
    if found is not None:
        raise _refused(found, path, start)
    return value


def _refused(found: re.Match[str], path: str, start: int = 0) -> InvalidInputError:
    at = start + found.start() + 1  # each reason whole, as the translations match it (i18n)
    if found.group() >= "\ud800":
        return InvalidInputError(
            path, f"contains a lone surrogate at position {at} (not allowed in text)"
        )
    return InvalidInputError(
        path, f"contains a control character at position {at} (not allowed in text)"
    )


def cell_count_reason(cells: int, named: int, columns: int) -> str:
    """Why a row of ``cells`` cells does not fit a header of ``columns`` cells whose
    first ``named`` name a column (the rest are empty ones a row may leave out):
    the count a clerk sees, for a complaint file and a staff file alike (reviews
    s52R8 F03, s53R4 F01).  Each reason whole, as the translations match it."""
    if named == columns:
        return f"{cells} cells but the header has {named}"
    return (
        f"{cells} cells but the header names {named} columns,"
        f" then {columns - named} empty ones a row may leave out"
    )


def clean_record(record: _T, limits: TextLimits, path: str = "") -> _T:
    """An attrs record (intake, command, event) with every text field cleaned.

    Walks nested attrs records (the complainant, the target) and tuples of
    texts (evidence); returns the same object when nothing changed.
    """
    if not attrs.has(type(record)):
        raise InvalidInputError(path or "record", f"expected a record, got {type(record).__name__}")
    changes: dict[str, Any] = {}
    for name in _init_fields(type(record)):  # type: ignore[arg-type]
        value = getattr(record, name)
        kind = type(value)
        if kind in _UNCHANGED or isinstance(value, enum.Enum):
            continue
        # Most fields are plain, clean, short text (bulk intake is hot): passed
        # over here, without a field path or a look-up of the field's limit.
        clean = kind is str and _FORBIDDEN.search(value) is None and "\r" not in value
        if clean and len(value) <= limits._shortest:
            continue
        where = f"{path}.{name}" if path else name
        if clean and len(value) <= limits.limit_for(where):
            continue
        cleaned = _clean_value(value, where, limits)
        if cleaned is not value:
            changes[name] = cleaned
    return attrs.evolve(record, **changes) if changes else record  # type: ignore[misc]


# Values clean_record leaves as they are, by exact type (checked before anything else).
_UNCHANGED: Final = frozenset({type(None), bool, int, float, datetime, frozenset})


@functools.cache
def _init_fields(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in attrs.fields(cls) if f.init)


def _clean_value(value: Any, where: str, limits: TextLimits) -> Any:
    if isinstance(value, enum.Enum):
        return value
    if isinstance(value, str):
        cleaned = clean_text(value, where, limits.limit_for(where))
        return value if cleaned == value else cleaned
    if isinstance(value, tuple) and value and all(isinstance(v, str) for v in value):
        if len(value) > limits.max_items:
            raise InvalidInputError(where, f"has {len(value)} items, at most {limits.max_items}")
        items = tuple(
            clean_text(v, f"{where}[{i}]", limits.limit_for(where)) for i, v in enumerate(value)
        )
        return value if items == value else items
    if attrs.has(type(value)):
        return clean_record(value, limits, where)
    return value
