"""What a projection row's next sweep time is computed from, as one digest (DL-7).

A stored row keeps the next sweep time its complaint's clocks and duties gave
when it was written.  Those depend on the history and on the rule pack, the
working calendar (its holidays and make-up days, typed in ``by_year`` or read
from ``holidays``) and the library's own rules.  When any of these three
changes under open complaints, their rows are out of date: a deadline brought
forward would wait for the old time.  The desk keeps :func:`projection_basis`
of what it wrote rows under and, when a sweep finds another, rewrites the rows
that differ before it claims any.  The digest is the same in every process and
on every machine for equal inputs (no ``hash()``, sets sorted).
"""

from __future__ import annotations

import enum
import hashlib
import json
import re
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta, tzinfo

import attrs

from complaintcore.core.calendar import WorkingCalendar
from complaintcore.core.rulepack import RulePack

__all__ = ["projection_basis"]


def projection_basis(pack: RulePack, calendar: WorkingCalendar, library: str) -> str:
    """Hex digest of the pack, the calendar's days and hours and ``library`` (the
    complaintcore version: an upgrade may compute clocks differently)."""
    plain = ["complaintcore projection basis", library, _plain(pack), _plain(calendar)]
    text = json.dumps(plain, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _plain(value: object) -> object:
    """``value`` as JSON-able data that is equal exactly when the values are (for
    attrs classes: the fields that take part in equality)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return repr(value)  # nan and infinities included
    if isinstance(value, enum.Enum):
        return [type(value).__name__, _plain(value.value)]
    kind = type(value)
    if attrs.has(kind):
        fields = attrs.fields(kind)
        return [kind.__name__, [[f.name, _plain(getattr(value, f.name))] for f in fields if f.eq]]
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        kinds = {type(v) for v in value}
        if len(kinds) == 1 and kinds <= {date, str, int}:  # a calendar's days: their own order
            return ["set", [_plain(v) for v in sorted(value)]]
        return ["set", sorted((_plain(v) for v in value), key=_order)]
    if isinstance(value, Mapping):
        return ["map", sorted(([_plain(k), _plain(v)] for k, v in value.items()), key=_order)]
    if isinstance(value, (datetime, date, time)):
        return [type(value).__name__, value.isoformat()]
    if isinstance(value, timedelta):
        return ["timedelta", value.days, value.seconds, value.microseconds]
    if isinstance(value, tzinfo):
        return ["tz", str(value)]
    if isinstance(value, re.Pattern):
        return ["pattern", value.pattern, value.flags]
    return [type(value).__name__, repr(value)]


def _order(plain: object) -> str:
    return json.dumps(plain, ensure_ascii=False, sort_keys=True, allow_nan=False)
