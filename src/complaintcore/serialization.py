"""JSON-ready dicts for complaints, intakes and events, and back (REC-5).

One private :mod:`cattrs` converter, built on first use (``import complaintcore``
never imports cattrs), turns the frozen attrs models into plain dicts that
:func:`json.dumps` accepts directly, and structures such dicts back:

* datetimes are ISO 8601 strings **with** a UTC offset; a naive time is an error;
* enums are their value strings (``"phone"``, ``"major"``);
* tuples are lists and frozensets are sorted lists;
* events are a tagged union: each event dict carries ``"type": event.kind``
  (see :data:`complaintcore.core.models.EVENT_BY_KIND`); so are commands, with
  ``"type": command.name`` (``{"type": "assess", "actor": "cs-01",
  "validity": "valid"}``), for hosts that take commands over HTTP;
* :attr:`Complaint.state <complaintcore.core.models.Complaint.state>` is derived, so it
  is not written; :func:`complaint_from_dict` rebuilds it by folding the events.

Loading is strict: unknown keys, wrong types and bad values are all collected
and raised together as one :class:`~complaintcore.core.errors.SerializationError`
whose problems name every bad path (``intake.complainant.phone``,
``events[2].at``).  Reasons never repeat the offending value (PRV-1).
:func:`complaintcore.schemas.json_schema` describes the same documents as JSON
Schema (draft 2020-12); a property test keeps the two in step.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar, get_args, get_origin

import attrs

from complaintcore.core.errors import FieldProblem, InvalidInputError, SerializationError
from complaintcore.core.models import (
    EVENT_BY_KIND,
    Complaint,
    Event,
    Intake,
    LabelledEnum,
)
from complaintcore.core.rulepack import Duration

if TYPE_CHECKING:
    import cattrs

    from complaintcore.core.workflow import Command

__all__ = [
    "command_from_dict",
    "command_to_dict",
    "complaint_from_dict",
    "complaint_to_dict",
    "event_from_dict",
    "event_to_dict",
    "intake_from_dict",
    "intake_to_dict",
    "to_dict",
]

T = TypeVar("T")

ROOT = "$"
"""The path of a problem with the whole input rather than one of its fields."""


# --------------------------------------------------------------------------- errors
#
# These helpers are shared with :mod:`complaintcore.rules.loader`, which builds its
# own converter for rule packs with the same strict hooks.


class _Bad(Exception):
    """A value that cannot be structured; ``reason`` never quotes the value (PRV-1).

    ``subpath`` is appended to the path of the field being structured, for hooks
    that look inside a value (an event's ``type``).
    """

    def __init__(self, reason: str, subpath: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.subpath = subpath


def _join(path: str, name: str) -> str:
    if not name:
        return path
    if not path or path == ROOT:
        return name
    if name.startswith("["):
        return f"{path}{name}"
    return f"{path}.{name}"


def _problems_from(exc: BaseException, path: str = ROOT) -> list[FieldProblem]:
    """Walk a cattrs exception group into one problem per bad key path.

    ``categories[3].department`` style: ``.name`` for fields, ``[i]`` for items.
    """
    from cattrs.errors import (
        ClassValidationError,
        ForbiddenExtraKeysError,
        IterableValidationError,
    )

    out: list[FieldProblem] = []
    if isinstance(exc, ClassValidationError):
        with_notes, without = exc.group_exceptions()
        for sub, note in with_notes:
            out.extend(_problems_from(sub, _join(path, note.name)))
        for sub in without:
            out.extend(_problems_from(sub, path))
    elif isinstance(exc, IterableValidationError):
        items, rest = exc.group_exceptions()
        for sub, inote in items:
            out.extend(_problems_from(sub, _join(path, f"[{inote.index}]")))
        for sub in rest:
            out.extend(_problems_from(sub, path))
    elif isinstance(exc, ForbiddenExtraKeysError):
        out.extend(
            FieldProblem(_join(path, str(key)), "unknown key")
            for key in sorted(exc.extra_fields, key=str)
        )
    elif isinstance(exc, _Bad):
        out.append(FieldProblem(_join(path, exc.subpath), exc.reason))
    elif isinstance(exc, KeyError):
        out.append(FieldProblem(path, "required field missing"))
    elif isinstance(exc, InvalidInputError):
        # An attrs validator of the class at ``path`` (a blank actor): its own path.
        out.append(FieldProblem(exc.path if path == ROOT else path, exc.reason))
    elif isinstance(exc, BaseExceptionGroup):
        for member in exc.exceptions:
            out.extend(_problems_from(member, path))
    else:
        out.append(FieldProblem(path, f"invalid value ({type(exc).__name__})"))
    return out


# --------------------------------------------------------------------------- hooks


def _type_name(value: object) -> str:
    if value is None:
        return "nothing (null)"
    return {
        str: "text",
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        list: "a list",
        tuple: "a list",
        dict: "a table",
    }.get(type(value), type(value).__name__)


def _structure_str(value: Any, _t: Any) -> str:
    if not isinstance(value, str):
        raise _Bad(f"expected text, got {_type_name(value)}")
    return value


def _structure_bool(value: Any, _t: Any) -> bool:
    if not isinstance(value, bool):
        raise _Bad(f"expected true or false, got {_type_name(value)}")
    return value


def _structure_int(value: Any, _t: Any) -> int:
    # JSON has one number type: 3.0 is the integer 3 (as JSON Schema reads it too).
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Bad(f"expected an integer, got {_type_name(value)}")
    return value


def _structure_float(value: Any, _t: Any) -> float:
    # cattrs' default calls float(), which reads the text "0.001" as a number: a
    # pack's wrong type would pass unseen (review s36B F03).
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _Bad(f"expected a number, got {_type_name(value)}")
    return float(value)


def _structure_enum(value: Any, t: type[LabelledEnum]) -> LabelledEnum:
    for member in t:
        if value == member.value and isinstance(value, str):
            return member
    allowed = [m.value for m in t]
    got = "an unknown value" if isinstance(value, str) else _type_name(value)
    raise _Bad(f"expected one of {', '.join(allowed)}; got {got}")


def _structure_datetime(value: Any, _t: Any) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise _Bad(
                "expected an ISO 8601 date and time with a UTC offset, "
                "e.g. 2024-05-01T09:30:00+08:00"
            ) from None
    else:
        raise _Bad(f"expected an ISO 8601 date-time string, got {_type_name(value)}")
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise _Bad("naive datetime: the time needs a UTC offset, e.g. 2024-05-01T09:30:00+08:00")
    return parsed


def _structure_date(value: Any, _t: Any) -> date:
    if isinstance(value, datetime):
        raise _Bad("expected a date without a time of day")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise _Bad("expected a date such as 2024-10-01") from None
    raise _Bad(f"expected a date, got {_type_name(value)}")


def _structure_duration(value: Any, _t: Any) -> Duration:
    if not isinstance(value, str):
        raise _Bad("expected a duration string such as '30m', '24h', '3d' or '1mo'")
    try:
        return Duration.parse(value, quote=True)  # a pack author's own text (s58RR2 F05)
    except InvalidInputError as exc:
        raise _Bad(exc.reason) from None


def _is_tuple(t: Any) -> bool:
    return get_origin(t) is tuple


def _is_frozenset(t: Any) -> bool:
    return get_origin(t) is frozenset


def _sequence_hook(t: Any, conv: cattrs.Converter) -> Callable[[Any, Any], Any]:
    """Lists for ``tuple[X, ...]``, ``tuple[X, Y]`` and ``frozenset[X]``; never a str."""
    from cattrs.errors import IterableValidationError, IterableValidationNote

    args = get_args(t)
    container: Callable[[list[Any]], Any] = frozenset if _is_frozenset(t) else tuple
    fixed: tuple[Any, ...] | None = None
    if _is_tuple(t) and not (len(args) == 2 and args[1] is Ellipsis):
        fixed = args
    elem = args[0] if args else Any

    def hook(value: Any, _t: Any) -> Any:
        if not isinstance(value, (list, tuple)):
            raise _Bad(f"expected a list, got {_type_name(value)}")
        if fixed is not None and len(value) != len(fixed):
            raise _Bad(f"expected a list of exactly {len(fixed)} items")
        out: list[Any] = []
        errors: list[Exception] = []
        for i, item in enumerate(value):
            item_t = fixed[i] if fixed is not None else elem
            try:
                out.append(conv.structure(item, item_t))
            except Exception as exc:  # collected, re-raised below
                exc.__notes__ = [
                    *getattr(exc, "__notes__", []),
                    IterableValidationNote(f"Structuring {t!r} @ index {i}", i, item_t),
                ]
                errors.append(exc)
        if errors:
            raise IterableValidationError(f"While structuring {t!r}", errors, t)
        return container(out)

    return hook


def _unstructure_sequence(t: Any, conv: cattrs.Converter) -> Callable[[Any], Any]:
    if _is_frozenset(t):

        def sorted_list(value: Any) -> list[Any]:
            items = [conv.unstructure(v) for v in value]
            try:
                return sorted(items)
            except TypeError:
                return sorted(items, key=repr)

        return sorted_list

    def as_list(value: Any) -> list[Any]:
        # Dispatch on each item's own class: an Event subclass keeps its fields.
        return [conv.unstructure(v) for v in value]

    return as_list


def _attrs_structure_factory(
    container_word: str,
) -> Callable[[Any, cattrs.Converter], Callable[[Any, Any], Any]]:
    def factory(cl: Any, conv: cattrs.Converter) -> Callable[[Any, Any], Any]:
        from cattrs.gen import make_dict_structure_fn

        inner = make_dict_structure_fn(cl, conv)
        return _mapping_guard(inner, container_word)

    return factory


def _mapping_guard(
    inner: Callable[[Any, Any], Any], container_word: str
) -> Callable[[Any, Any], Any]:
    def hook(value: Any, t: Any) -> Any:
        if not isinstance(value, Mapping):
            raise _Bad(f"expected {container_word}, got {_type_name(value)}")
        return inner(value, t)

    return hook


_last_iso: tuple[object, str] = (None, "")


def _iso_text(value: datetime) -> str:
    """``value.isoformat()``, kept for the last one: one ``now`` stamps most of a batch."""
    global _last_iso
    last = _last_iso
    if last[0] is value:
        return last[1]
    text = value.isoformat()
    _last_iso = (value, text)
    return text


def _install_common_hooks(conv: cattrs.Converter, container_word: str) -> None:
    """The strict hooks both converters share (this one and the rule-pack loader's)."""
    conv.register_structure_hook(str, _structure_str)
    conv.register_structure_hook(bool, _structure_bool)
    conv.register_structure_hook(int, _structure_int)
    conv.register_structure_hook(float, _structure_float)
    conv.register_structure_hook(LabelledEnum, _structure_enum)
    conv.register_structure_hook(datetime, _structure_datetime)
    conv.register_structure_hook(date, _structure_date)
    conv.register_structure_hook(Duration, _structure_duration)
    conv.register_structure_hook_factory(attrs.has, _attrs_structure_factory(container_word))
    conv.register_structure_hook_factory(lambda t: _is_tuple(t) or _is_frozenset(t), _sequence_hook)

    conv.register_unstructure_hook(LabelledEnum, lambda e: e.value)
    conv.register_unstructure_hook(datetime, _iso_text)
    conv.register_unstructure_hook(date, lambda d: d.isoformat())
    conv.register_unstructure_hook(Duration, str)
    conv.register_unstructure_hook_factory(
        lambda t: _is_tuple(t) or _is_frozenset(t) or t in (tuple, frozenset),
        _unstructure_sequence,
    )


def _new_converter(container_word: str) -> cattrs.Converter:
    import cattrs

    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    _install_common_hooks(conv, container_word)
    return conv


# --------------------------------------------------------------------------- events


def _is_event_class(t: Any) -> bool:
    return isinstance(t, type) and issubclass(t, Event)


_LATER_FIELDS: dict[str, tuple[str, ...]] = {
    "acknowledged": ("apology",),
    "assigned": ("previous_department",),
    "handled": ("helper",),
    "linked": ("promise_not_kept",),
    "replied": ("issue", "went_ahead_without"),
    "registered": ("time_barred", "via_head_office", "other_site"),
    "sanction_recorded": ("severe",),
    "visited": ("reached", "problem"),
}
"""Event fields added after events of that kind were first stored (by kind).

They are left out while they hold their default, so an event stored before
they existed encodes to the very text it was stored as (its hash stays true).
"""


def _event_unstructure_factory(cl: Any, conv: cattrs.Converter) -> Callable[[Any], Any]:
    from cattrs.gen import make_dict_unstructure_fn, override

    later = {name: override(omit_if_default=True) for name in _LATER_FIELDS.get(cl.kind, ())}
    fields = make_dict_unstructure_fn(cl, conv, **later)  # type: ignore[arg-type]
    kind = cl.kind

    def hook(event: Any) -> dict[str, Any]:
        if type(event) is not cl:  # declared as a base class: use its own class
            return conv.unstructure(event, unstructure_as=type(event))  # type: ignore[no-any-return]
        return {"type": kind, **fields(event)}

    return hook


def _structure_event(conv: cattrs.Converter) -> Callable[[Any, Any], Event]:
    kinds = ", ".join(sorted(EVENT_BY_KIND))

    def hook(value: Any, _t: Any) -> Event:
        if not isinstance(value, Mapping):
            raise _Bad(f"expected an object, got {_type_name(value)}")
        if "type" not in value:
            raise _Bad("required field missing", "type")
        kind = value["type"]
        cls = EVENT_BY_KIND.get(kind) if isinstance(kind, str) else None
        if cls is None:
            raise _Bad(f"unknown event type; expected one of {kinds}", "type")
        rest = {k: v for k, v in value.items() if k != "type"}
        return conv.get_structure_hook(cls)(rest, cls)  # type: ignore[no-any-return]

    return hook


def _command_classes() -> dict[str, type[Any]]:
    from complaintcore.core.workflow import COMMAND_TYPES

    return {cls.name: cls for cls in COMMAND_TYPES}


def _is_command_base(t: Any) -> bool:
    from complaintcore.core.workflow import Command

    return t is Command


def _is_command_class(t: Any) -> bool:
    from complaintcore.core.workflow import Command

    return isinstance(t, type) and issubclass(t, Command)


def _command_unstructure_factory(cl: Any, conv: cattrs.Converter) -> Callable[[Any], Any]:
    from cattrs.gen import make_dict_unstructure_fn

    fields = make_dict_unstructure_fn(cl, conv)
    name = cl.name

    def hook(command: Any) -> dict[str, Any]:
        if type(command) is not cl:
            return conv.unstructure(command, unstructure_as=type(command))  # type: ignore[no-any-return]
        return {"type": name, **fields(command)}

    return hook


def _structure_command(conv: cattrs.Converter) -> Callable[[Any, Any], Any]:
    classes = _command_classes()
    names = ", ".join(sorted(classes))

    def hook(value: Any, _t: Any) -> Any:
        if not isinstance(value, Mapping):
            raise _Bad(f"expected an object, got {_type_name(value)}")
        if "type" not in value:
            raise _Bad("required field missing", "type")
        kind = value["type"]
        cls = classes.get(kind) if isinstance(kind, str) else None
        if cls is None:
            raise _Bad(f"unknown command type; expected one of {names}", "type")
        rest = {k: v for k, v in value.items() if k != "type"}
        return conv.get_structure_hook(cls)(rest, cls)

    return hook


@functools.cache
def _converter() -> cattrs.Converter:
    """The private converter, built once on first use (imports cattrs then)."""
    from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

    conv = _new_converter("an object")
    conv.register_unstructure_hook_factory(_is_event_class, _event_unstructure_factory)
    conv.register_structure_hook_func(lambda t: t is Event, _structure_event(conv))
    conv.register_unstructure_hook_factory(_is_command_class, _command_unstructure_factory)
    conv.register_structure_hook_func(_is_command_base, _structure_command(conv))
    # Complaint.state is derived from the events: never written, never read.
    conv.register_unstructure_hook(
        Complaint, make_dict_unstructure_fn(Complaint, conv, state=override(omit=True))
    )
    conv.register_structure_hook(
        Complaint,
        _mapping_guard(
            make_dict_structure_fn(Complaint, conv, state=override(omit=True)), "an object"
        ),
    )
    return conv


# --------------------------------------------------------------------------- API


def _structure(data: Any, cl: type[T], what: str) -> T:
    conv = _converter()
    try:
        return conv.structure(data, cl)
    except Exception as exc:
        problems = _problems_from(exc)
        if not problems:  # pragma: no cover - defensive
            problems = [FieldProblem(ROOT, f"invalid value ({type(exc).__name__})")]
        raise SerializationError(what, problems) from None


def to_dict(obj: Any) -> Any:
    """Any complaintcore value as JSON-ready data (dicts, lists, str, int, bool, None).

    Works for rule packs too: ``load_pack_data(to_dict(pack)) == pack``.
    """
    return _converter().unstructure(obj)


def complaint_to_dict(complaint: Complaint) -> dict[str, Any]:
    """A complaint as a JSON-ready dict: ``id``, ``intake`` and ``events`` (REC-5).

    The derived ``state`` is left out; :func:`complaint_from_dict` refolds it.
    """
    out: dict[str, Any] = _converter().unstructure(complaint, unstructure_as=Complaint)
    return out


_UNSTRUCTURE_HOOKS: dict[type[Any], Callable[[Any], Any]] = {}
"""The converter's unstructure hook of each class, looked up once: a store encodes
every event it writes, and the converter's dispatch costs as much as the hook."""


def _unstructure_hook(cl: type[Any]) -> Callable[[Any], Any]:
    hook = _UNSTRUCTURE_HOOKS.get(cl)
    if hook is None:
        conv = _converter()
        if hasattr(conv, "get_unstructure_hook"):  # cattrs 24.1 and later
            hook = conv.get_unstructure_hook(cl)
        else:  # pragma: no cover - older cattrs: the same hook, found on each call
            hook = functools.partial(conv.unstructure, unstructure_as=cl)
        _UNSTRUCTURE_HOOKS[cl] = hook
    return hook


def intake_to_dict(intake: Intake) -> dict[str, Any]:
    """An intake record as a JSON-ready dict."""
    out: dict[str, Any] = _unstructure_hook(Intake)(intake)
    return out


def event_to_dict(event: Event) -> dict[str, Any]:
    """An event as a JSON-ready dict tagged with ``"type": event.kind``."""
    out: dict[str, Any] = _unstructure_hook(type(event))(event)
    return out


def intake_from_dict(data: Mapping[str, Any]) -> Intake:
    """An intake from JSON-ready data, strictly: for hosts that receive complaints over HTTP.

    Unknown keys, missing required fields, wrong types (a number for a name,
    ``"true"`` for a flag), unknown enum values and times without a UTC offset
    are refused together in one :class:`SerializationError` whose ``.paths``
    are JSON paths (``complainant.phone``, ``facts[2]``) and whose reasons never
    quote the value (PRV-1).  ``complaintcore.schemas.json_schema("intake")`` is
    the same contract as JSON Schema.  Whether the record is complete (REC-1) is
    judged when it is registered, not here.
    """
    return _structure(data, Intake, "intake")


def command_to_dict(command: Command) -> dict[str, Any]:
    """A workflow command as a JSON-ready dict tagged with ``"type": command.name``."""
    out: dict[str, Any] = _converter().unstructure(command, unstructure_as=type(command))
    return out


def command_from_dict(data: Mapping[str, Any]) -> Command:
    """A workflow command from JSON-ready data, chosen by its ``"type"`` (``"assess"``).

    As strict as :func:`intake_from_dict`: every bad JSON path is listed in one
    :class:`SerializationError` (``type``, ``validity``, ``facts[1]``).  The
    JSON Schema of each command is ``json_schema("command:assess")``; of any
    command, ``json_schema("command")``.  Whether the command is allowed is
    decided by the desk (:meth:`Desk.act`), not here.
    """
    from complaintcore.core.workflow import Command

    return _structure(data, Command, "command")


def event_from_dict(data: Mapping[str, Any]) -> Event:
    """Structure one event by its ``"type"`` tag; every bad path is listed."""
    return _structure(data, Event, "event")


def complaint_from_dict(data: Mapping[str, Any]) -> Complaint:
    """Structure a complaint and rebuild its derived state from its events.

    Round trip: ``complaint_from_dict(complaint_to_dict(c)) == c``.
    """
    return _refold(_structure(data, Complaint, "complaint"))


def _refold(complaint: Complaint) -> Complaint:
    """Rebuild the derived state: fold the events with :func:`complaintcore.core.workflow.evolve`.

    Imported here, not at the top: the workflow imports most of the core, and a
    store that only moves dicts around should not pay for it until it loads one.
    """
    from complaintcore.core.workflow import evolve

    return evolve(Complaint(id=complaint.id, intake=complaint.intake), complaint.events)
