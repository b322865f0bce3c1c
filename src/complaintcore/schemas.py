"""JSON Schemas (draft 2020-12) of the documents hosts send and store: intakes,
commands and events.

They are derived from the same attrs classes the strict loaders structure
(:func:`~complaintcore.serialization.intake_from_dict`,
:func:`~complaintcore.serialization.command_from_dict`,
:func:`~complaintcore.serialization.event_from_dict`), so a host can validate a
request at its edge, generate a client, or document its API with them.  The
contract, checked by a property test: **a document the schema accepts is one the
loader accepts**, and a document the loader accepts is one the schema accepts
as long as its date-times are written as RFC 3339 (``2025-11-14T09:30:00+08:00``:
the schema asks for that form; the loader also reads other ISO 8601 spellings).

Names: ``"intake"``; ``"command"`` (any command, chosen by ``"type"``) and
``"command:<name>"`` (``"command:assess"``); ``"event"`` and ``"event:<kind>"``
(``"event:registered"``).  :func:`schema_text` is what ``complaintcore schema
[NAME]`` prints.
"""

from __future__ import annotations

import difflib
import enum
import functools
import json
import types
import typing
from datetime import date, datetime
from typing import Any, get_args, get_origin

import attrs

from complaintcore.core.errors import InvalidInputError
from complaintcore.core.models import EVENT_TYPES, Event, Intake, LabelledEnum, Visited

__all__ = [
    "DATE_PATTERN",
    "DATE_TIME_PATTERN",
    "DIALECT",
    "json_schema",
    "json_schemas",
    "schema_names",
    "schema_text",
]

DIALECT = "https://json-schema.org/draft/2020-12/schema"

_END = "(?![\\s\\S])"  # the end of the text in ECMA 262 and Python alike ("$" is not)
_YEAR = "(?!0000)[0-9]{4}"
_MONTH_DAY = (
    "(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    "|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    "|02-(?:0[1-9]|1[0-9]|2[0-8]))"
)
_LEAP_DAY = (
    "(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)-02-29"
)
_DATE = f"(?:{_YEAR}-{_MONTH_DAY}|{_LEAP_DAY})"
_TIME = "(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]+)?"
_OFFSET = "(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"

_TIME_YEAR = "(?=19[7-9][0-9]|2[0-9]{3})"  # FIRST_YEAR..LAST_YEAR, as require_aware

DATE_TIME_PATTERN = f"^{_TIME_YEAR}{_DATE}T{_TIME}{_OFFSET}{_END}"
"""RFC 3339 date-times with a UTC offset in the years 1970 to 2999, real calendar dates
only (no 30 February)."""

DATE_PATTERN = f"^{_DATE}{_END}"

_NONBLANK = "\\S"
"""Some character that is not white space: what the actor of a command needs."""


def _commands() -> dict[str, type[Any]]:
    from complaintcore.core.workflow import COMMAND_TYPES

    return {cls.name: cls for cls in COMMAND_TYPES}


def _events() -> dict[str, type[Event]]:
    return {cls.kind: cls for cls in EVENT_TYPES}


def schema_names() -> tuple[str, ...]:
    """Every name :func:`json_schema` knows, in the order :func:`json_schemas` lists them."""
    return (
        "intake",
        "command",
        *(f"command:{name}" for name in _commands()),
        "event",
        *(f"event:{kind}" for kind in _events()),
    )


_ACROSS_FIELDS: dict[type[Any], dict[str, Any]] = {
    # Visited's validator (VIS-2): a complainant not reached gave no opinion, so a
    # visit that reached nobody is not a satisfied one
    Visited: {
        "if": {"properties": {"reached": {"const": False}}, "required": ["reached"]},
        "then": {"properties": {"satisfied": {"const": False}}},
    },
}
"""What a class's own validators refuse across its fields, in the schema's words:
without it the schema accepted documents the loader refuses."""


class _Builder:
    """Turns attrs classes into schemas, collecting the nested classes in ``$defs``."""

    def __init__(self) -> None:
        self.defs: dict[str, dict[str, Any]] = {}

    def ref(self, cls: type[Any]) -> dict[str, Any]:
        name = cls.__name__
        if name not in self.defs:
            self.defs[name] = {}  # a placeholder first: classes may refer to each other
            self.defs[name] = self.object(cls)
        return {"$ref": f"#/$defs/{name}"}

    def object(self, cls: type[Any]) -> dict[str, Any]:
        hints = typing.get_type_hints(cls)
        properties: dict[str, Any] = {}
        required: list[str] = []
        tag = _tag(cls)
        if tag is not None:
            properties["type"] = {"const": tag}
            required.append("type")
        for field in attrs.fields(cls):
            if not field.init:
                continue
            schema = self.of(hints[field.name])
            if field.name == "actor" and _is_command(cls):
                schema = {**schema, "pattern": _NONBLANK}
            properties[field.name] = schema
            if field.default is attrs.NOTHING:
                required.append(field.name)
        out: dict[str, Any] = {"type": "object"}
        doc = (cls.__doc__ or "").strip().split("\n\n")[0]
        if doc:
            out["description"] = " ".join(doc.split())
        out["properties"] = properties
        out["required"] = required
        out["additionalProperties"] = False
        out.update(_ACROSS_FIELDS.get(cls, {}))
        return out

    def of(self, t: Any) -> dict[str, Any]:
        origin = get_origin(t)
        if origin in (typing.Union, types.UnionType):
            args = get_args(t)
            return {"anyOf": [self.of(a) for a in args if a is not type(None)]
                    + ([{"type": "null"}] if type(None) in args else [])}  # fmt: skip
        if origin in (tuple, frozenset):
            args = get_args(t)
            return {"type": "array", "items": self.of(args[0])}
        if t is str:
            return {"type": "string"}
        if t is bool:
            return {"type": "boolean"}
        if t is int:
            return {"type": "integer"}
        if t is datetime:
            return {"type": "string", "format": "date-time", "pattern": DATE_TIME_PATTERN}
        if t is date:
            return {"type": "string", "format": "date", "pattern": DATE_PATTERN}
        if isinstance(t, type) and issubclass(t, LabelledEnum):
            return {"type": "string", "enum": [m.value for m in t]}
        if isinstance(t, type) and issubclass(t, enum.Enum):  # pragma: no cover - none today
            return {"enum": [m.value for m in t]}
        if isinstance(t, type) and attrs.has(t):
            return self.ref(t)
        raise TypeError(f"no JSON Schema for {t!r}")  # pragma: no cover - a new field type

    def document(self, body: dict[str, Any], title: str) -> dict[str, Any]:
        out: dict[str, Any] = {"$schema": DIALECT, "title": title, **body}
        if self.defs:
            out["$defs"] = dict(sorted(self.defs.items()))
        return out


def _is_command(cls: type[Any]) -> bool:
    from complaintcore.core.workflow import Command

    return issubclass(cls, Command)


def _tag(cls: type[Any]) -> str | None:
    if issubclass(cls, Event):
        return cls.kind
    if _is_command(cls):
        return str(cls.name)
    return None


def _union(classes: dict[str, type[Any]], what: str) -> dict[str, Any]:
    b = _Builder()
    choices = [b.ref(cls) for cls in classes.values()]
    return b.document({"oneOf": choices}, f"complaintcore {what} (any; chosen by its type)")


@functools.cache
def _schema(name: str) -> str:
    """The schema as JSON text (cached; :func:`json_schema` hands out fresh dicts)."""
    commands, events = _commands(), _events()
    kind, _, tag = name.partition(":")
    if name == "intake":
        b = _Builder()
        doc = b.document(b.object(Intake), "complaintcore intake")
    elif name == "command":
        doc = _union(commands, "command")
    elif name == "event":
        doc = _union(events, "event")
    elif kind == "command" and tag in commands:
        b = _Builder()
        doc = b.document(b.object(commands[tag]), f"complaintcore command {tag}")
    elif kind == "event" and tag in events:
        b = _Builder()
        doc = b.document(b.object(events[tag]), f"complaintcore event {tag}")
    else:
        known = schema_names()
        bare = [n for n in (f"command:{name}", f"event:{name}") if n in known]
        close = bare or difflib.get_close_matches(name, known, n=1)
        if close:
            raise InvalidInputError("schema", f"unknown schema; did you mean {close[0]!r}?")
        raise InvalidInputError(
            "schema",
            "unknown schema; names are 'intake', 'command', 'command:<name>', "
            "'event', 'event:<kind>'",
        )
    return json.dumps(doc, ensure_ascii=False)


def json_schema(name: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) called ``name``; see the module docstring.

    :raises InvalidInputError: an unknown name (the message suggests the closest).
    """
    if not isinstance(name, str):
        raise InvalidInputError("schema", "expected a schema name such as 'command:assess'")
    found: dict[str, Any] = json.loads(_schema(name))
    return found


def json_schemas() -> dict[str, dict[str, Any]]:
    """Every schema by name: ``intake``, ``command``, ``command:<name>`` …, ``event`` …."""
    return {name: json_schema(name) for name in schema_names()}


def schema_text(name: str | None = None) -> str:
    """What ``complaintcore schema [NAME]`` prints: one schema, or all of them by name.

    Indented JSON, UTF-8 text kept (Chinese descriptions stay readable), ending
    in a newline.
    """
    data = json_schemas() if name is None else json_schema(name)
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
