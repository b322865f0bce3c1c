"""Load and validate rule packs from TOML ("Rules are data", design.md).

Two steps, each of which collects *every* problem before it raises one
:class:`~complaintcore.core.errors.RulePackError` naming the file and each key path:

0. **Parameters.** A pack template's ``[[parameters]]`` give defaults for the
   values its text writes as ``"${name}"``; ``load_pack(..., parameters=…)``
   overrides them.  An unknown parameter, or a reference to one the pack does
   not declare, is reported with its key path.
1. **Structure.** :mod:`tomllib` parses the text; one private :mod:`cattrs`
   converter (``forbid_extra_keys=True``) turns the tables into the attrs classes
   of :mod:`complaintcore.core.rulepack`.  Unknown keys, missing keys, wrong types,
   unknown enum values and bad durations are reported with their TOML key paths
   (``categories[3].department``, ``clocks[0].mode``).
2. **Meaning.** :func:`validate_pack` cross-checks the structured pack: unique
   codes, references between parts (departments, rungs, categories), the clocks'
   modes and durations, and the calendar's weekdays and working windows.

cattrs is imported only when a pack is first loaded, never by ``import
complaintcore``.  Shipped packs are read with :mod:`importlib.resources` and
cached; a host's own file is read afresh on every call.
"""

from __future__ import annotations

import functools
import itertools
import os
import re
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import attrs

from complaintcore import _toml as toml
from complaintcore.core.calendar import TABLE_YEARS
from complaintcore.core.classification import normalise_text
from complaintcore.core.errors import FieldProblem, InvalidInputError, RulePackError, shown_value
from complaintcore.core.models import (
    EVENT_BY_KIND,
    RAISED_TAG,
    Acknowledged,
    Channel,
    Extended,
    Grade,
    Kind,
    Outcome,
    Trigger,
    Validity,
)
from complaintcore.core.rulepack import (
    OWED_BY,
    REPEAT_LINKS,
    WHOLE_UK,
    WHOLE_UK_REASON,
    CalendarSpec,
    ClockMode,
    ClockSpec,
    Duration,
    IndicatorKind,
    RulePack,
)
from complaintcore.core.stages import extension_amount
from complaintcore.core.validity import PHONE_REGIONS, ROOM_STYLES
from complaintcore.core.warnings import MIN_RATE
from complaintcore.core.workflow import COMMAND_RECORDS, COMMAND_TYPES
from complaintcore.serialization import ROOT, _new_converter, _problems_from

if TYPE_CHECKING:
    import cattrs

__all__ = [
    "DEFAULT_PACK",
    "available_packs",
    "default_pack",
    "known_event_tags",
    "load_pack",
    "load_pack_data",
    "load_pack_text",
    "validate_pack",
]

DEFAULT_PACK = "cn-property"
"""The pack :func:`load_pack` and :func:`default_pack` use when none is named."""

_PACKAGE = "complaintcore.rules"
_SUFFIX = ".toml"


# --------------------------------------------------------------------------- converter


@functools.cache
def _converter() -> cattrs.Converter:
    """The loader's one private converter; built (and cattrs imported) on first use."""
    return _new_converter("a table")


# --------------------------------------------------------------------------- loading


def available_packs() -> list[str]:
    """The names of the shipped packs, sorted (``cn-property`` is the default)."""
    root = resources.files(_PACKAGE)
    return sorted(
        entry.name[: -len(_SUFFIX)]
        for entry in root.iterdir()
        if entry.name.endswith(_SUFFIX) and entry.is_file()
    )


def default_pack() -> RulePack:
    """The default shipped pack, ``cn-property`` (loaded once, then cached)."""
    return _load_shipped(DEFAULT_PACK, ())


def load_pack(
    name_or_path: str | os.PathLike[str] = DEFAULT_PACK,
    *,
    parameters: Mapping[str, str] | None = None,
) -> RulePack:
    """A shipped pack by name, or a host's own TOML file by path.

    A value that is a :class:`os.PathLike`, contains a path separator or ends in
    ``.toml`` is read as a file; anything else is the name of a shipped pack (see
    :func:`available_packs`).  Shipped packs are cached; files are not.
    ``parameters`` set a template's values (``{"respond": "15d"}`` for
    ``iso-10002``); a name the pack does not declare is an error.

    :raises RulePackError: the pack is unknown, unreadable or invalid; every
        problem names its key path and the error names the file.
    """
    if isinstance(name_or_path, os.PathLike) or _looks_like_path(name_or_path):
        path = Path(name_or_path)
        source = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            problem = FieldProblem(ROOT, f"cannot read the file: {reason}")
            raise RulePackError(source, [problem]) from None
        return load_pack_text(text, source, parameters=parameters)
    return _load_shipped(name_or_path, _frozen(parameters))


def _frozen(parameters: Mapping[str, str] | None) -> tuple[tuple[str, str], ...]:
    if parameters is None:
        return ()
    if not isinstance(parameters, Mapping):
        raise RulePackError("parameters", [FieldProblem("parameters", "expected a mapping")])
    return tuple(sorted(parameters.items(), key=lambda item: str(item[0])))


def _looks_like_path(value: str) -> bool:
    if not isinstance(value, str):
        problem = FieldProblem(ROOT, "expected a pack name or a file path")
        raise RulePackError(shown_value(value), [problem])
    return value.endswith(_SUFFIX) or "/" in value or os.sep in value


@functools.cache
def _load_shipped(name: str, parameters: tuple[tuple[str, str], ...]) -> RulePack:
    if name not in available_packs():
        # masked, as an unknown actor is: a name or phone typed there stays out of
        # the message (PRV-1); the list of shipped packs shows what was meant
        known = ", ".join(available_packs())
        shown = shown_value(name)
        problem = FieldProblem("name", f"no shipped rule pack {shown!r}; shipped: {known}")
        raise RulePackError(shown, [problem])
    resource = resources.files(_PACKAGE).joinpath(name + _SUFFIX)
    return load_pack_text(
        resource.read_text(encoding="utf-8"),
        f"{_PACKAGE}/{name}{_SUFFIX}",
        parameters=dict(parameters) if parameters else None,
    )


def load_pack_text(
    text: str, source: str = "<string>", *, parameters: Mapping[str, str] | None = None
) -> RulePack:
    """Parse, structure and validate the TOML text of a pack; ``source`` names it in errors."""
    try:
        data = toml.loads(text.removeprefix("\ufeff"))  # an editor's byte-order mark
    except toml.TomlError as exc:
        raise RulePackError(source, [FieldProblem(ROOT, f"not valid TOML: {exc}")]) from None
    return load_pack_data(data, source, parameters=parameters)


def load_pack_data(
    data: Mapping[str, Any],
    source: str = "<data>",
    *,
    parameters: Mapping[str, str] | None = None,
) -> RulePack:
    """Structure and validate an already parsed pack (a plugin's dict, say).

    ``parameters`` override the defaults of the pack's ``[[parameters]]``.
    """
    if toml.too_deep(data):  # the checks below recurse: refused before them
        raise RulePackError(source, [FieldProblem(ROOT, toml.TOO_DEEP)])
    if isinstance(data, Mapping):
        data = _substituted(data, parameters, source)
    elif parameters:
        problem = FieldProblem("parameters", "the pack declares no parameters")
        raise RulePackError(source, [problem])
    if isinstance(data, Mapping) and isinstance(data.get("phone_regions"), str):
        data = {**data, "phone_regions": [data["phone_regions"]]}  # phone_regions = "any"
    controls = list(_control_characters(data, ""))
    if controls:  # refused before anything quotes the value to a terminal
        raise RulePackError(source, controls)
    try:
        pack = _converter().structure(data, RulePack)
    except Exception as exc:
        raise RulePackError(source, _problems_from(exc)) from None
    problems = validate_pack(pack)
    if problems:
        raise RulePackError(source, problems)
    return pack


# --------------------------------------------------------------------------- control characters

# C0 and C1 controls (ESC starts a terminal escape sequence), DEL, and the Unicode
# line and paragraph separators: names and labels are printed on one line.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# A description may run over several lines, so newlines and tabs are kept there.
_CONTROL_IN_PROSE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _control_characters(value: object, path: str) -> Iterable[FieldProblem]:
    """Every string of the pack holding a control character, by its key path."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            if isinstance(key, str) and _CONTROL.search(key):
                yield FieldProblem(path or ROOT, "a key has control characters, not allowed")
                continue
            yield from _control_characters(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _control_characters(item, f"{path}[{i}]")
    elif isinstance(value, str):
        prose = path.rpartition(".")[2] == "description"
        if (_CONTROL_IN_PROSE if prose else _CONTROL).search(value):
            allowed = " (newlines and tabs are)" if prose else ""
            yield FieldProblem(path or ROOT, f"control characters are not allowed{allowed}")


# --------------------------------------------------------------------------- parameters

_REFERENCE = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")


def _declared(data: Mapping[str, Any]) -> dict[str, str]:
    """The pack's parameters and their defaults; malformed entries are left to structuring."""
    table = data.get("parameters", ())
    found: dict[str, str] = {}
    if isinstance(table, list):
        for entry in table:
            if isinstance(entry, Mapping):
                name, value = entry.get("name"), entry.get("value")
                if isinstance(name, str) and isinstance(value, str):
                    found.setdefault(name, value)
    return found


def _unknown_parameter(values: Mapping[str, str]) -> str:
    """Why a parameter is refused; a pack without any says so in words, not with an
    English "none" in a translated line (review s45E F05)."""
    if not values:
        return "unknown parameter; the pack declares no parameters"
    return "unknown parameter; the pack declares: " + ", ".join(sorted(values))


def _substituted(
    data: Mapping[str, Any], overrides: Mapping[str, str] | None, source: str
) -> Mapping[str, Any]:
    """The pack with every ``"${name}"`` replaced by its parameter's value."""
    values = _declared(data)
    problems = _Problems()
    for name, value in (overrides or {}).items():
        if name not in values:
            problems.add(f"parameters.{name}", _unknown_parameter(values))
        elif not isinstance(value, str):
            problems.add(f"parameters.{name}", "expected text, e.g. '10d'")
        else:
            values[name] = value

    def walk(node: Any, path: str) -> Any:
        if isinstance(node, str):
            m = _REFERENCE.match(node)
            if m is None:
                return node
            if m.group(1) not in values:
                problems.add(path or ROOT, f"unknown parameter {m.group(1)!r}")
                return node
            return values[m.group(1)]
        if isinstance(node, Mapping):
            return {k: walk(v, f"{path}.{k}" if path else str(k)) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, f"{path}[{i}]") for i, v in enumerate(node)]
        return node

    out: dict[str, Any] = walk({k: v for k, v in data.items() if k != "parameters"}, "")
    if "parameters" in data:
        table = data["parameters"]
        if isinstance(table, list):
            table = [
                {**e, "value": values[e["name"]]}
                if isinstance(e, Mapping) and isinstance(e.get("name"), str) and e["name"] in values
                else e
                for e in table
            ]
        out["parameters"] = table
    if problems:
        raise RulePackError(source, problems)
    return out


# --------------------------------------------------------------------------- meaning

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$")
_COUNTRY = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")
_NEEDS_DURATION = {
    ClockMode.WALL: "minutes, hours or days",
    ClockMode.WORKING_TIME: "minutes, hours or days",
    ClockMode.WORKING_DAYS: "days",
    ClockMode.MONTHS: "months",
}


class _Problems(list[FieldProblem]):
    """The problems found so far, in pack order."""

    def add(self, path: str, reason: str) -> None:
        self.append(FieldProblem(path, reason))

    def duplicates(self, codes: Iterable[str], path: str, what: str, key: str = "") -> None:
        """Every repeat after the first, at ``path[i].key`` (or ``path[i]``)."""
        seen: set[str] = set()
        suffix = f".{key}" if key else ""
        for i, code in enumerate(codes):
            if code in seen:
                self.add(f"{path}[{i}]{suffix}", f"duplicate {what} {code!r}")
            seen.add(code)

    def not_empty(self, text: str, path: str) -> None:
        if not text.strip():
            self.add(path, "must not be empty")


def validate_pack(pack: RulePack) -> list[FieldProblem]:
    """Every semantic problem of a structured pack, each with its key path.

    Checks: unique rung, department, category, clock and duty names; every
    reference to a department, rung, category or channel exists; the ladder is not
    empty; grade handlers rise with the grade (ESC-3); target handlers sit above
    the rung they handle (ESC-4); clocks and duties have start and stop tags, an
    ``at_risk_percent`` in 1..99, a duration that fits their mode and, in working
    time or working days, the calendar's years (DL-7), and pause, resume and stop
    tags told apart (DL-8); duties name
    an owner, a known command and fields their discharging event has; the
    concentration rule has wall-time windows and at least two complainants; the
    calendar has a real time zone, weekdays in 0..6 and ordered, non-overlapping
    ``HH:MM[:SS]`` windows (``24:00`` allowed as an end), extra days off and
    make-up days inside its years, and years the desk builds a table for
    (1900-9000, at most 200 of them); time limits of at most five years; the improvement,
    visits, repeat, early-warning and accountability sections have values in range and
    known categories and departments.  An empty list means the pack is valid.
    """
    out = _Problems()
    out.not_empty(pack.name, "name")
    _check_ladder(pack, out)
    _check_departments_and_categories(pack, out)
    _check_units(pack, out)
    _check_grades(pack, out)
    _check_sanctions(pack, out)
    _check_clocks(pack, out)
    _check_duties(pack, out)
    _check_targets(pack, out)
    _check_concentration(pack, out)
    _check_improvement(pack, out)
    _check_visits(pack, out)
    _check_repeats(pack, out)
    _check_early_warning(pack, out)
    _check_accountability(pack, out)
    _check_calendar(pack, out)
    _check_phone_regions(pack, out)
    if pack.room_style not in ROOM_STYLES:  # REC-1 (review s54R12 F01)
        out.add("room_style", f"expected one of {', '.join(ROOM_STYLES)}")
    _check_extensions(pack, out)
    _check_stages(pack, out)
    _check_time_bar(pack, out)
    _check_indicators(pack, out)
    out.duplicates((p.name for p in pack.parameters), "parameters", "parameter", "name")
    out.duplicates(pack.languages, "languages", "language", "")
    for i, lang in enumerate(pack.languages):
        if not re.fullmatch(r"[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]+)*", lang):
            out.add(f"languages[{i}]", "expected a language code such as en or zh_CN")
    return list(out)


_COUNTRY_CODE = re.compile(r"^\+[1-9][0-9]{0,2}$")


def _check_phone_regions(pack: RulePack, out: _Problems) -> None:
    """REC-1: whose phone numbers intake accepts (see ``validity.normalise_phone``)."""
    known = ", ".join(PHONE_REGIONS)
    if not pack.phone_regions:
        out.add("phone_regions", f"at least one of {known}, a '+<country code>', or 'any'")
    for i, entry in enumerate(pack.phone_regions):
        if entry not in PHONE_REGIONS and entry != "any" and not _COUNTRY_CODE.match(entry):
            out.add(
                f"phone_regions[{i}]",
                f"expected one of {known}, 'any', or a country code such as '+65'",
            )
    out.duplicates(pack.phone_regions, "phone_regions", "region")


def _check_ladder(pack: RulePack, out: _Problems) -> None:
    """ESC-1: a ladder of uniquely named rungs."""
    if not pack.ladder:
        out.add("ladder", "the ladder needs at least one rung")
    out.duplicates((r.code for r in pack.ladder), "ladder", "rung code", "code")
    for i, rung in enumerate(pack.ladder):
        out.not_empty(rung.code, f"ladder[{i}].code")


def _check_departments_and_categories(pack: RulePack, out: _Problems) -> None:
    """CLS-1..3: categories owned by known departments."""
    departments = {d.code for d in pack.departments}
    out.duplicates((d.code for d in pack.departments), "departments", "department code", "code")
    for i, dept in enumerate(pack.departments):
        out.not_empty(dept.code, f"departments[{i}].code")
    if not pack.categories:
        out.add("categories", "a pack needs at least one category")
    out.duplicates((c.code for c in pack.categories), "categories", "category code", "code")
    for i, cat in enumerate(pack.categories):
        path = f"categories[{i}]"
        out.not_empty(cat.code, f"{path}.code")
        if cat.department not in departments:
            out.add(f"{path}.department", f"unknown department {cat.department!r}")
        for j, helper in enumerate(cat.helpers):
            if helper not in departments:
                out.add(f"{path}.helpers[{j}]", f"unknown department {helper!r}")
        for j, word in enumerate(cat.keywords):
            out.not_empty(word, f"{path}.keywords[{j}]")
        for j, word in enumerate(cat.staff_words):
            out.not_empty(word, f"{path}.staff_words[{j}]")
    if pack.default_category not in {c.code for c in pack.categories}:
        out.add("default_category", f"unknown category {pack.default_category!r}")
    _check_staff_words(pack, out)


def _check_staff_words(pack: RulePack, out: _Problems) -> None:
    """CLS-4: a staff word says only who; it cannot also name a matter or two trades."""
    keyword_of: dict[str, str] = {}
    for cat in pack.categories:
        for word in cat.keywords:
            keyword_of.setdefault(normalise_text(word), cat.code)
    staff_of: dict[str, str] = {}
    for i, cat in enumerate(pack.categories):
        for j, word in enumerate(cat.staff_words):
            norm = normalise_text(word)
            if not norm:
                continue
            where = f"categories[{i}].staff_words[{j}]"
            if norm in keyword_of:
                owner = keyword_of[norm]
                whose = "its" if owner == cat.code else f"category {owner!r}'s"
                out.add(where, f"{word!r} is also one of {whose} keywords")
            elif norm in staff_of:
                out.add(where, f"{word!r} is already a staff word of category {staff_of[norm]!r}")
            else:
                staff_of[norm] = cat.code


def _check_units(pack: RulePack, out: _Problems) -> None:
    """IN-4, IN-6, ESC-2, ESC-6, HDL-6, REC-6: the units and rungs named at the top."""
    departments = {d.code for d in pack.departments}
    rungs = {r.code for r in pack.ladder}
    if pack.customer_service not in departments:
        out.add("customer_service", f"unknown department {pack.customer_service!r}")
    for key in ("accountability_department", "head_office_unit"):
        code = getattr(pack, key)
        if code and code not in departments:
            out.add(key, f"unknown department {code!r}")
    for key in ("serious_rung", "group_report_rung"):
        code = getattr(pack, key)
        if code and code not in rungs:
            out.add(key, f"unknown rung {code!r}")
    if not pack.group_report_rung:
        # HDL-6: an urgent category is reported there at once; with no rung to report
        # to, "urgent" would do nothing (review s43C F04), as a group incident would
        for i, cat in enumerate(pack.categories):
            if cat.urgent:
                out.add(f"categories[{i}].urgent", "needs group_report_rung (HDL-6)")
    channels = sorted(c.value for c in Channel)
    for i, channel in enumerate(pack.sign_off_channels):
        if channel not in channels:
            out.add(
                f"sign_off_channels[{i}]",
                f"unknown channel {channel!r}; expected one of {', '.join(channels)}",
            )


def _check_grades(pack: RulePack, out: _Problems) -> None:
    """ESC-3 and GRD-1..6: grade handlers on the ladder, rising with the grade."""
    positions = {r.code: n for n, r in enumerate(pack.ladder)}
    first_of: dict[Grade, int] = {}
    for i, gh in enumerate(pack.grade_handlers):
        if gh.rung not in positions:
            out.add(f"grade_handlers[{i}].rung", f"unknown rung {gh.rung!r}")
        if gh.grade in first_of:
            out.add(f"grade_handlers[{i}].grade", f"duplicate grade {gh.grade.value!r}")
        else:
            first_of[gh.grade] = i
    ranked = sorted(
        (i for g, i in first_of.items() if g is not Grade.INTERNAL),
        key=lambda i: pack.grade_handlers[i].grade.rank,
    )
    for lo, hi in itertools.pairwise(ranked):
        low, high = pack.grade_handlers[lo], pack.grade_handlers[hi]
        if (
            low.rung in positions
            and high.rung in positions
            and (positions[high.rung] < positions[low.rung])
        ):
            out.add(
                f"grade_handlers[{hi}].rung",
                f"grade {high.grade.value!r} would be handled below "
                f"grade {low.grade.value!r} (ESC-3)",
            )
    for i, rule in enumerate(pack.grading.rules):
        if not rule.any_of and not rule.all_of:
            out.add(f"grading.rules[{i}]", "a grade rule needs any_of or all_of facts")
    if not 0 <= pack.grading.upgrade_after_months <= _LONGEST["months"]:
        out.add("grading.upgrade_after_months", "must be 0 (never) to 60 months")
    if pack.grading.upgrade_to.rank < pack.grading.default.rank:
        out.add("grading.upgrade_to", "an upgrade must not be below the default grade (GRD-6)")


def _check_sanctions(pack: RulePack, out: _Problems) -> None:
    """PEN-1, PEN-2: one sanction per grade; points only for rungs and departments
    that exist, and departments only to narrow rungs named."""
    rungs = {r.code for r in pack.ladder}
    out.duplicates((s.grade.value for s in pack.sanctions), "sanctions", "grade", "grade")
    for i, sanction in enumerate(pack.sanctions):
        if not sanction.measures:
            out.add(f"sanctions[{i}].measures", "at least one measure")
        if sanction.points < 0:
            out.add(f"sanctions[{i}].points", "points deducted must not be negative")
        for j, role in enumerate(sanction.points_roles):
            if role not in rungs:
                out.add(f"sanctions[{i}].points_roles[{j}]", f"unknown rung {role!r}")
        for j, unit in enumerate(sanction.points_departments):
            if not pack.has_department(unit):
                out.add(f"sanctions[{i}].points_departments[{j}]", f"unknown department {unit!r}")
        if sanction.points_departments and not sanction.points_roles:
            out.add(
                f"sanctions[{i}].points_departments",
                "narrows points_roles, which names no rung: no one would lose points",
            )


_DUTY_OWED_BY = "a duty's owners are its owner_* keys: owed_by is for clocks"


def known_event_tags(pack: RulePack) -> frozenset[str]:
    """Every tag an event can carry in this pack (:meth:`Event.tags`): what clocks match.

    Event kinds (``registered``, ``closed`` …) and their qualified forms:
    ``registered:<unit>``, ``forwarded:<unit>`` and ``assigned:<unit>`` for the pack's
    departments, ``registered:via_head_office`` (an IN-6 bypass) in a pack with a
    head office,
    ``assessed:<validity>``, ``assessed:<kind>``, ``assessed:unreasonable`` (VAL-2),
    ``assessed:raised`` (a request or enquiry assessed a complaint after all, HOC 1.5),
    ``graded:<grade>``,
    ``replied:final|interim|explanation|unanswerable``, ``escalated:<trigger>``,
    ``handled:responsible|helper`` (CLS-3), ``transferred`` (assigned to another
    department, DL-3),
    ``visited:satisfied|unsatisfied|not_reached|appointment``, ``reported:written|oral``,
    ``grouped:incident``, ``linked:repeatedly``; for the pack's stages ``acknowledged:<stage>``,
    ``escalation_requested:<stage>``, ``responded:<stage>`` and
    ``responded:<outcome>``; ``extended:<clock>`` for clocks that may be
    extended.  Clocks and duties may also start on ``breached:<clock>``.  A pack
    without stages has no ``escalation_requested`` or ``responded`` tag (only a
    bare ``acknowledged``: receipt acknowledged, HDL-1), and one with no
    extensible clock no ``extended`` tag: no step it allows carries them.
    """
    tags = set(EVENT_BY_KIND)
    units = [d.code for d in pack.departments]
    tags.update(f"registered:{u}" for u in units)
    if pack.head_office_unit:
        tags.add("registered:via_head_office")  # IN-6: Registered.bypass
    tags.update(f"forwarded:{u}" for u in units)
    tags.update(f"assigned:{u}" for u in units)
    tags.update(f"assessed:{v.value}" for v in Validity)
    tags.update(f"assessed:{k.value}" for k in Kind)
    tags.add("assessed:unreasonable")  # VAL-2
    tags.add(RAISED_TAG)  # HOC 1.5: a request or enquiry found a complaint after all
    tags.update(f"graded:{g.value}" for g in Grade)
    tags.update(f"replied:{r}" for r in ("final", "interim", "explanation", "unanswerable"))
    tags.update(f"escalated:{t.value}" for t in Trigger)
    tags.update(
        ("visited:satisfied", "visited:unsatisfied", "visited:not_reached", "visited:appointment")
    )
    tags.update(("handled:responsible", "handled:helper", "transferred"))
    tags.update(("reported:written", "reported:oral", "grouped:incident", "linked:repeatedly"))
    staged = ("acknowledged", "escalation_requested", "responded")
    for stage in pack.stages:
        for kind in staged:
            tags.add(f"{kind}:{stage.code}")
    if pack.stages:
        tags.update(f"responded:{o.value}" for o in Outcome)
    else:  # the steps that carry them are refused in a pack without stages
        tags.difference_update(("escalation_requested", "responded"))
    extensible = [c.name for c in pack.clocks if c.extension is not None]
    tags.update(f"extended:{name}" for name in extensible)
    if not extensible:
        tags.discard("extended")  # no clock may be extended
    return frozenset(tags)


def _check_clocks(pack: RulePack, out: _Problems) -> None:
    """DL-1..8: named clocks with known tags, a fitting duration and a sane risk threshold."""
    departments = {d.code for d in pack.departments}
    known = known_event_tags(pack)
    # a clock may start when another's deadline passes (HOC 6.3), one level deep
    plain = {c.name for c in pack.clocks if not any(t.startswith("breached:") for t in c.start)}
    out.duplicates((c.name for c in pack.clocks), "clocks", "clock name", "name")
    for i, clock in enumerate(pack.clocks):
        path = f"clocks[{i}]"
        out.not_empty(clock.name, f"{path}.name")
        for key, tags in (("start", clock.start), ("stop", clock.stop)):
            if not tags:
                out.add(f"{path}.{key}", "at least one event tag")
        for j, tag in enumerate(clock.start):
            name = tag.removeprefix("breached:")
            if name == tag:
                continue
            if name == clock.name or name not in {c.name for c in pack.clocks}:
                out.add(f"{path}.start[{j}]", f"no other clock is called {name!r}")
            elif name not in plain:
                out.add(
                    f"{path}.start[{j}]",
                    f"clock {name!r} itself starts at a breach: one level only",
                )
            elif clock.mode in (ClockMode.PROMISED, ClockMode.APPOINTED):
                out.add(f"{path}.start[{j}]", "a clock that runs to an agreed time starts at it")
        for key, tags in (
            ("start", tuple(t for t in clock.start if not t.startswith("breached:"))),
            ("stop", clock.stop),
            ("pause", clock.pause),
            ("resume", clock.resume),
            ("met_if_earlier", clock.met_if_earlier),
            ("waive", clock.waive),
            ("unwaive", clock.unwaive),
            ("restart", clock.restart),
        ):
            for j, tag in enumerate(tags):
                if tag not in known:
                    out.add(f"{path}.{key}[{j}]", f"no event carries the tag {tag!r}")
        _check_waivers(clock, path, known, out)
        if clock.owed_by not in OWED_BY:
            out.add(f"{path}.owed_by", f"one of {', '.join(OWED_BY)}")
        if clock.restart and clock.mode in (ClockMode.PROMISED, ClockMode.APPOINTED):
            out.add(f"{path}.restart", "a clock that runs to an agreed time restarts at a new one")
        if clock.blocks_closure and any(t.startswith("breached:") for t in clock.start):
            # closure is judged from the events alone (VIS-2), without a calendar
            out.add(f"{path}.blocks_closure", "a clock started by a breach cannot hold closure")
        if clock.pausable and not (clock.pause and clock.resume):
            out.add(f"{path}.pause", "a pausable clock needs pause and resume tags (DL-8)")
        _check_pause_tags(clock, path, out)
        if not 1 <= clock.at_risk_percent <= 99:
            out.add(f"{path}.at_risk_percent", "must be between 1 and 99 (DL-7)")
        reason = _duration_problem(clock.mode, clock.duration, pack.calendar)
        if reason:
            out.add(f"{path}.duration", reason)
        if clock.report_to and clock.report_to not in departments:
            out.add(f"{path}.report_to", f"unknown department {clock.report_to!r}")


def _check_waivers(spec: ClockSpec, path: str, known: frozenset[str], out: _Problems) -> None:
    """DL-3, DL-6: each further waiver names known tags and at least one that waives."""
    for k, waiver in enumerate(spec.waivers):
        where = f"{path}.waivers[{k}]"
        if not waiver.waive:
            out.add(f"{where}.waive", "at least one event tag")
        for key, tags in (("waive", waiver.waive), ("unwaive", waiver.unwaive)):
            for j, tag in enumerate(tags):
                if tag not in known:
                    out.add(f"{where}.{key}[{j}]", f"no event carries the tag {tag!r}")


_INSTEAD_OF_STOPPING = {
    "pause": "the event would pause the clock instead of stopping it",
    "resume": "while paused, the event would resume the clock instead of stopping it",
}


def _check_pause_tags(spec: ClockSpec, path: str, out: _Problems) -> None:
    """DL-8, DL-7: a pausable clock's pause, resume and stop tags are told apart.

    A run reads an event's tags as a pause before a resume, and either before a
    stop: a resume tag that also pauses never lets the clock run again, and a
    stop tag that also pauses or resumes never stops it, so the deadline would
    silently stop being watched instead of breaching.
    """
    if not spec.pausable:
        return  # its pause and resume tags are never read
    pause, stop = set(spec.pause), set(spec.stop)
    for j, tag in enumerate(spec.resume):
        if tag in pause:
            out.add(
                f"{path}.resume[{j}]",
                f"{tag!r} is also a pause tag: once paused the clock would never run again (DL-8)",
            )
    for key, tags in (("pause", spec.pause), ("resume", spec.resume)):
        for j, tag in enumerate(tags):
            if tag in stop:
                out.add(
                    f"{path}.{key}[{j}]",
                    f"{tag!r} is also a stop tag: {_INSTEAD_OF_STOPPING[key]}",
                )


def _check_duties(pack: RulePack, out: _Problems) -> None:
    """DL-5, REC-2, IN-6 …: duties are clocks with an owner and a discharging command."""
    departments = {d.code for d in pack.departments}
    rungs = {r.code for r in pack.ladder}
    commands = {c.name for c in COMMAND_TYPES}
    known = known_event_tags(pack)
    breaches = {f"breached:{c.name}" for c in pack.clocks}
    clock_names = {c.name for c in pack.clocks}
    out.duplicates((d.name for d in pack.duties), "duties", "duty name", "name")
    for i, duty in enumerate(pack.duties):
        path = f"duties[{i}]"
        out.not_empty(duty.name, f"{path}.name")
        if duty.name in clock_names:
            out.add(f"{path}.name", f"a clock is already called {duty.name!r}")
        for key, tags, allowed in (
            ("start", duty.start, known | breaches),
            ("stop", duty.stop, known),
            ("when", duty.when, known),
            ("pause", duty.pause, known),
            ("resume", duty.resume, known),
            ("waive", duty.waive, known),
            ("unwaive", duty.unwaive, known),
            ("restart", duty.restart, known),
        ):
            if key in ("start", "stop") and not tags:
                out.add(f"{path}.{key}", "at least one event tag")
            for j, tag in enumerate(tags):
                if tag not in allowed:
                    out.add(f"{path}.{key}[{j}]", f"no event carries the tag {tag!r}")
        _check_waivers(duty, path, known, out)
        if not 1 <= duty.at_risk_percent <= 99:
            out.add(f"{path}.at_risk_percent", "must be between 1 and 99 (DL-7)")
        reason = _duration_problem(duty.mode, duty.duration, pack.calendar)
        if reason:
            out.add(f"{path}.duration", reason)
        if duty.mode in (ClockMode.PROMISED, ClockMode.APPOINTED):
            out.add(f"{path}.mode", "a duty runs for a duration, not to an agreed time")
        if duty.blocks_closure:
            out.add(f"{path}.blocks_closure", "a duty outlives closure: it cannot hold it")
        if duty.outlives_closure:
            out.add(f"{path}.outlives_closure", "a duty outlives closure anyway: clocks only")
        if duty.owed_by != "department":
            out.add(f"{path}.owed_by", _DUTY_OWED_BY)
        if duty.pausable and not (duty.pause and duty.resume):
            out.add(f"{path}.pause", "a pausable duty needs pause and resume tags (DL-8)")
        _check_pause_tags(duty, path, out)
        if not (duty.owner_handler or duty.owner_department or duty.owner_rung):
            out.add(f"{path}", "name who owes it: owner_handler, owner_department or owner_rung")
        if duty.owner_department and duty.owner_department not in departments:
            out.add(f"{path}.owner_department", f"unknown department {duty.owner_department!r}")
        if duty.owner_rung and duty.owner_rung not in rungs:
            out.add(f"{path}.owner_rung", f"unknown rung {duty.owner_rung!r}")
        if duty.report_to and duty.report_to not in departments:
            out.add(f"{path}.report_to", f"unknown department {duty.report_to!r}")
        if duty.command and duty.command not in commands:
            out.add(f"{path}.command", f"unknown command {duty.command!r}")
        elif duty.command and duty.stop and not _discharges(duty.command, duty.stop):
            kinds = " or ".join(COMMAND_RECORDS[duty.command])
            out.add(
                f"{path}.command",
                f"{duty.command!r} records {kinds}, not a stop tag of this duty: "
                "the owner who runs it would still owe it",
            )
        fields = _event_fields(duty.stop)
        for j, name in enumerate(duty.records):
            if name not in fields:
                out.add(
                    f"{path}.records[{j}]",
                    f"no event that discharges it has a field {name!r}",
                )


_EXTENSION_FIELDS = ("reason", "details", "agreed_by")
_ACKNOWLEDGE_FIELDS = ("definition", "remedy_sought")
assert {a.name for a in attrs.fields(Extended)} >= set(_EXTENSION_FIELDS)
assert {a.name for a in attrs.fields(Acknowledged)} >= set(_ACKNOWLEDGE_FIELDS)


def _check_extensions(pack: RulePack, out: _Problems) -> None:
    """Extensions: on clocks that count a length, a cap in the clock's unit, known fields."""
    for i, clock in enumerate(pack.clocks):
        rule = clock.extension
        if rule is None:
            continue
        path = f"clocks[{i}].extension"
        if clock.mode not in _NEEDS_DURATION:
            out.add(path, f"a {clock.mode.value} clock cannot be extended")
        elif rule.cap is not None:
            try:
                extension_amount(clock, rule.cap, f"{path}.cap")
            except InvalidInputError as exc:
                out.add(exc.path, exc.reason)
            else:
                if too_long := _too_long(rule.cap):  # as the clock's own length
                    out.add(f"{path}.cap", too_long)
        for key, names in (("records", rule.records), ("beyond_cap", rule.beyond_cap)):
            for j, name in enumerate(names):
                if name not in _EXTENSION_FIELDS:
                    out.add(f"{path}.{key}[{j}]", f"expected one of {', '.join(_EXTENSION_FIELDS)}")
        if rule.beyond_cap and rule.cap is None:
            out.add(f"{path}.beyond_cap", "says what going past the cap needs: give the cap")
        if rule.agreed_by_rung:
            key = f"{path}.agreed_by_rung"
            if not pack.has_rung(rule.agreed_by_rung):
                out.add(key, f"unknown rung {rule.agreed_by_rung!r}")
            elif "agreed_by" not in (*rule.records, *rule.beyond_cap):
                out.add(
                    key,
                    "names who may agree an extension, but none records it:"
                    " add agreed_by to records or beyond_cap",
                )
    for i, duty in enumerate(pack.duties):
        if duty.extension is not None:
            out.add(f"duties[{i}].extension", "a duty cannot be extended")


def _check_stages(pack: RulePack, out: _Problems) -> None:
    """Stages: unique codes, known clocks, rungs and fields, no limit on entering the
    first."""
    clocks = {c.name for c in pack.clocks}
    rungs = {r.code for r in pack.ladder}
    out.duplicates((s.code for s in pack.stages), "stages", "stage code", "code")
    for i, stage in enumerate(pack.stages):
        path = f"stages[{i}]"
        out.not_empty(stage.code, f"{path}.code")
        for key in ("acknowledge_clock", "response_clock"):
            name = getattr(stage, key)
            if name and name not in clocks:
                out.add(f"{path}.{key}", f"unknown clock {name!r}")
        if stage.handler_rung and stage.handler_rung not in rungs:
            out.add(f"{path}.handler_rung", f"unknown rung {stage.handler_rung!r}")
        for j, name in enumerate(stage.acknowledge_records):
            if name not in _ACKNOWLEDGE_FIELDS:
                out.add(
                    f"{path}.acknowledge_records[{j}]",
                    f"expected one of {', '.join(_ACKNOWLEDGE_FIELDS)}",
                )
        limit = stage.request_limit
        if limit is None:
            continue
        if i == 0:
            out.add(f"{path}.request_limit", "nobody asks to escalate into the first stage")
        if limit.after_response is None and limit.after_event is None:
            out.add(f"{path}.request_limit", "give after_response, after_event or both")
        for key in ("after_response", "after_event"):
            d = getattr(limit, key)
            if d is not None:
                _check_limit_length(d, f"{path}.request_limit.{key}", out)
    if pack.response.remedy_required and not pack.stages:
        out.add("response.remedy_required", "responses are given at stages; the pack has none")


def _check_time_bar(pack: RulePack, out: _Problems) -> None:
    if pack.time_bar is not None:
        _check_limit_length(pack.time_bar.after, "time_bar.after", out)


def _check_limit_length(d: Duration, path: str, out: _Problems) -> None:
    """A time limit (``time_bar``, ``request_limit``): days or months, at most five
    years like a clock, so its end is a date the desk can compute (no "99999mo")."""
    if d.minutes or not (d.months or d.days):
        out.add(path, "expected a length in days or months")
    elif d.months < 0 or d.days < 0:
        out.add(path, "must not be negative")
    else:
        too_long = _too_long(d)
        if too_long:
            out.add(path, too_long.replace("deadline", "time limit"))


def _check_indicators(pack: RulePack, out: _Problems) -> None:
    """Indicators: known stages, clocks and what each kind needs."""
    stages = {s.code: s for s in pack.stages}
    clocks = {c.name for c in pack.clocks}
    out.duplicates((x.code for x in pack.indicators), "indicators", "indicator code", "code")
    for i, ind in enumerate(pack.indicators):
        path = f"indicators[{i}]"
        out.not_empty(ind.code, f"{path}.code")
        if ind.stage and ind.stage not in stages:
            out.add(f"{path}.stage", f"unknown stage {ind.stage!r}")
        if ind.clock and ind.clock not in clocks:
            out.add(f"{path}.clock", f"unknown clock {ind.clock!r}")
        timed = (IndicatorKind.WITHIN_TARGET, IndicatorKind.EXTENDED)
        if ind.kind in timed and not ind.clock:
            stage = stages.get(ind.stage)
            if stage is None or not stage.response_clock:
                out.add(f"{path}.clock", "name a clock, or a stage with a response_clock")
        if ind.kind is IndicatorKind.OUTCOME and ind.outcome is None:
            out.add(f"{path}.outcome", "an outcome indicator needs the outcome it counts")
        if ind.kind is not IndicatorKind.OUTCOME and ind.outcome is not None:
            out.add(f"{path}.outcome", "only an outcome indicator counts an outcome")
        if ind.kind is IndicatorKind.TIME_BARRED and pack.time_bar is None:
            out.add(f"{path}.kind", "the pack has no time_bar")
        if ind.kind is IndicatorKind.SHARE_CLOSED and not ind.stage:
            out.add(f"{path}.stage", "a share of closures is a stage's share")
        if not ind.with_extensions and ind.kind is not IndicatorKind.WITHIN_TARGET:
            out.add(f"{path}.with_extensions", "only a within_target indicator judges extensions")
        staged = ind.kind not in (IndicatorKind.RECEIVED, IndicatorKind.TIME_BARRED)
        if staged and not pack.stages:
            out.add(f"{path}.kind", "counts stages; the pack has none")


_TAG_KIND = {"transferred": "assigned"}  # the tags not named after their event's kind


def _discharges(command: str, stop: Iterable[str]) -> bool:
    """Whether ``command`` records an event carrying one of the ``stop`` tags (by kind:
    ``report`` discharges ``reported:written`` when the report is written)."""
    kinds = set(COMMAND_RECORDS[command])
    return any(_TAG_KIND.get(tag, tag.split(":", 1)[0]) in kinds for tag in stop)


def _event_fields(tags: Iterable[str]) -> set[str]:
    """The fields of the events that carry any of these tags."""
    found: set[str] = set()
    for tag in tags:
        cls = EVENT_BY_KIND.get(tag.split(":", 1)[0])
        if cls is not None:
            found.update(a.name for a in attrs.fields(cls) if a.name not in ("at", "actor"))
    return found


def _check_targets(pack: RulePack, out: _Problems) -> None:
    """ESC-4: a complaint about a person is handled above that person's rung."""
    positions = {r.code: n for n, r in enumerate(pack.ladder)}
    departments = {d.code for d in pack.departments}
    out.duplicates((t.rung for t in pack.target_handlers), "target_handlers", "rung", "rung")
    for i, th in enumerate(pack.target_handlers):
        path = f"target_handlers[{i}]"
        for key in ("rung", "handler_rung"):
            code = getattr(th, key)
            if code not in positions:
                out.add(f"{path}.{key}", f"unknown rung {code!r}")
        if th.rung in positions and th.handler_rung in positions:
            person, handler = positions[th.rung], positions[th.handler_rung]
            if handler < person:
                out.add(
                    f"{path}.handler_rung",
                    "is below the rung of the person complained about (ESC-4)",
                )
            elif handler == person and person < len(pack.ladder) - 1:
                # only the top rung has nobody above it: handled there, never lower
                out.add(
                    f"{path}.handler_rung",
                    "must be above the rung of the person complained about (ESC-4)",
                )
        if th.department and th.department not in departments:
            out.add(f"{path}.department", f"unknown department {th.department!r}")


def _check_concentration(pack: RulePack, out: _Problems) -> None:
    """HDL-5, HDL-6: wall-time windows, groups of two or more, known categories."""
    rule = pack.concentration
    for key in ("window", "group_window"):
        d: Duration = getattr(rule, key)
        if d.months or not (d.minutes or d.days):
            out.add(f"concentration.{key}", "expected a length in minutes, hours or days")
        elif _beyond_five_years(d):
            out.add(f"concentration.{key}", "longer than five years")
    for key in ("min_complainants", "group_complainants"):
        n = getattr(rule, key)
        if n == 1 or n < 0:
            out.add(f"concentration.{key}", "0 (off) or at least 2 complainants")
    if (
        rule.min_complainants
        and rule.group_complainants
        and not _beyond_five_years(rule.window)  # named above; no timedelta holds it
        and not _beyond_five_years(rule.group_window)
        and rule.group_window.timedelta > rule.window.timedelta
    ):
        out.add("concentration.group_window", "must not be longer than window")
    if rule.group_complainants and not pack.group_report_rung:
        out.add("concentration.group_complainants", "needs group_report_rung (HDL-6)")
    categories = {c.code for c in pack.categories}
    for i, code in enumerate(rule.ignore_categories):
        if code not in categories:
            out.add(f"concentration.ignore_categories[{i}]", f"unknown category {code!r}")


def _check_improvement(pack: RulePack, out: _Problems) -> None:
    """IMP-1: measures are watched like clocks (DL-7)."""
    if not 1 <= pack.improvement.measure_at_risk_percent <= 99:
        out.add("improvement.measure_at_risk_percent", "must be between 1 and 99 (DL-7)")


def _check_visits(pack: RulePack, out: _Problems) -> None:
    """VIS-3: a count of attempts, not so many that the top rung could never decide."""
    if not 0 <= pack.visits.not_reached_attempts <= 100:
        out.add("visits.not_reached_attempts", "expected 0 (never) or 1 to 100 attempts")


def _check_repeats(pack: RulePack, out: _Problems) -> None:
    """IMP-3, GRD-2: wall-time windows, a threshold of two or more, known links."""
    rule = pack.repeats
    for key in ("window", "matter_window"):
        d: Duration = getattr(rule, key)
        if d.months or d.minutes < 0 or d.days < 0:
            out.add(f"repeats.{key}", "expected a length in minutes, hours or days (0: off)")
        elif _beyond_five_years(d):
            out.add(f"repeats.{key}", "longer than five years")
    if rule.threshold == 1 or rule.threshold < 0:
        out.add("repeats.threshold", "0 (off) or at least 2 raisings")
    if rule.threshold and not rule.enabled:
        out.add("repeats.threshold", "needs a window: nothing is linked without one")
    for i, link in enumerate(rule.counts):
        if link not in REPEAT_LINKS:
            out.add(f"repeats.counts[{i}]", f"expected one of {', '.join(REPEAT_LINKS)}")
    out.duplicates(rule.counts, "repeats.counts", "link")
    categories = {c.code for c in pack.categories}
    for i, code in enumerate(rule.ignore_categories):
        if code not in categories:
            out.add(f"repeats.ignore_categories[{i}]", f"unknown category {code!r}")
    if not 1 <= rule.max_links <= 1000:
        out.add("repeats.max_links", "expected 1 to 1000")


_WARNING_DIMENSIONS = ("building", "category", "department", "site")


def _check_early_warning(pack: RulePack, out: _Problems) -> None:
    """IMP-4: a baseline of months, a count floor and a false-alarm rate in (0, 1)."""
    rule = pack.early_warning
    if not 1 <= rule.baseline_months <= 36:
        out.add("early_warning.baseline_months", "expected 1 to 36 months")
    if not 1 <= rule.min_baseline_months <= max(rule.baseline_months, 1):
        out.add("early_warning.min_baseline_months", "expected 1 to baseline_months")
    if rule.min_count < 1:
        out.add("early_warning.min_count", "expected 1 or more")
    rate = rule.false_alarm_rate
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not MIN_RATE <= rate < 1:
        out.add(
            "early_warning.false_alarm_rate", f"expected a probability from {MIN_RATE:g} to below 1"
        )
    for i, dim in enumerate(rule.dimensions):
        if dim not in _WARNING_DIMENSIONS:
            out.add(
                f"early_warning.dimensions[{i}]",
                f"expected one of {', '.join(_WARNING_DIMENSIONS)}",
            )
    out.duplicates(rule.dimensions, "early_warning.dimensions", "dimension")


def _check_accountability(pack: RulePack, out: _Problems) -> None:
    """PEN-2: thresholds not negative; severe cases reported to a known department."""
    rule = pack.accountability
    for key in ("severe_points", "severe_complaints"):
        if getattr(rule, key) < 0:
            out.add(f"accountability.{key}", "0 (off) or more")
    if rule.report_to and not pack.has_department(rule.report_to):
        out.add("accountability.report_to", f"unknown department {rule.report_to!r}")
    severe = rule.severe_grades or rule.severe_measures or rule.severe_points
    if (severe or rule.severe_complaints) and not pack.severe_report_to:
        out.add("accountability.report_to", "name the department severe cases are reported to")


_LONGEST = {"minutes": 5 * 366 * 24 * 60, "days": 5 * 366, "months": 60}
"""Five years: no procedure's deadline is longer, and calendars have to reach it."""


def _too_long(d: Duration) -> str:
    """Why a length is longer than five years in any of its units, or ``""``."""
    for unit, longest in _LONGEST.items():
        if getattr(d, unit) > longest:
            return f"longer than five years ({longest} {unit}): no deadline is that long"
    return ""


def _beyond_five_years(d: Duration) -> bool:
    """A wall-time window longer than five years; each unit is checked before the
    sum, which a billion days would overflow (review s42B F03)."""
    return bool(_too_long(d)) or d.timedelta > timedelta(days=_LONGEST["days"])


def _duration_problem(mode: ClockMode, d: Duration, cal: CalendarSpec) -> str:
    if d.minutes < 0 or d.days < 0 or d.months < 0:
        return "must not be negative"
    too_long = _too_long(d)
    if too_long:
        return too_long
    empty = not (d.minutes or d.days or d.months)
    if mode not in _NEEDS_DURATION:  # same_day, promised (DL-5): the end is not a length
        return "" if empty else f"a {mode.value} clock takes no duration"
    if empty:  # "0d" is in days: what is missing is the length
        return f"must be longer than zero (mode {mode.value!r} counts {_NEEDS_DURATION[mode]})"
    fits = {
        ClockMode.WALL: not d.months,
        ClockMode.WORKING_TIME: not d.months,
        ClockMode.WORKING_DAYS: bool(d.days) and not d.minutes and not d.months,
        ClockMode.MONTHS: bool(d.months) and not d.minutes and not d.days,
    }[mode]
    if not fits:
        return f"mode {mode.value!r} needs a duration in {_NEEDS_DURATION[mode]}"
    return _calendar_time_problem(mode, d, cal)


def _weekly_working(cal: CalendarSpec) -> tuple[int, int] | None:
    """The calendar's working days a week and working seconds a day, from its weekdays
    and windows alone (holidays left out: an upper bound); None while either is
    malformed, which is reported on its own."""
    days = {d for d in cal.weekdays if isinstance(d, int) and 0 <= d <= 6}
    daily = 0
    for start_text, end_text in cal.windows:
        start, end = _seconds_of(start_text, end=False), _seconds_of(end_text, end=True)
        if start is None or end is None or start >= end:
            return None
        daily += end - start
    if not days or not daily:
        return None
    return len(days), daily


def _calendar_time_problem(mode: ClockMode, d: Duration, cal: CalendarSpec) -> str:
    """DL-7: a length of working time or working days as the calendar time it
    takes on this calendar's week (a day of working time is 24 working hours).

    The five-year limit holds for the time a deadline takes, not its length as
    elapsed time: 800 days of working time on a 42.5-hour week run about 8.7
    years.  Within that, the calendar's own years must hold it, or every
    complaint would be refused at intake.
    """
    if mode not in (ClockMode.WORKING_TIME, ClockMode.WORKING_DAYS):
        return ""
    week = _weekly_working(cal)
    if week is None:
        return ""
    days_a_week, daily = week
    if mode is ClockMode.WORKING_TIME:
        need, per_week = d.minutes * 60 + d.days * 86_400, days_a_week * daily
        what = f"{_hours(need)} working hours"
        pace = f"{_hours(per_week)} working hours a week"
    else:
        need, per_week = d.days, days_a_week
        what = f"{need} working days"
        pace = f"{days_a_week} working days a week"
    if need * 7 > per_week * _LONGEST["days"]:  # weeks needed > five years' weeks
        years = need * 7 / (per_week * 365.25)
        return (
            f"{what} take about {years:.1f} years of this calendar ({pace}):"
            " no deadline is longer than five years"
        )
    first, last = cal.first_year, cal.last_year
    lowest, highest, _most = TABLE_YEARS
    if not lowest <= first <= last <= highest:
        return ""  # the years are reported on their own
    weeks = -(-((date(last, 12, 31) - date(first, 1, 1)).days + 1) // 7)
    makeup = sum(first <= day.year <= last for day in cal.workdays) + sum(
        len(y.workdays) for y in cal.by_year
    )
    held = per_week * weeks + makeup * (daily if mode is ClockMode.WORKING_TIME else 1)
    if need > held:
        return (
            f"{what} are more than the calendar's years {first}-{last} hold ({pace}):"
            " raise calendar.last_year"
        )
    return ""


def _hours(seconds: int) -> str:
    """Seconds as hours, ``42.5`` or ``19200``."""
    return f"{seconds / 3600:g}" if seconds % 36 == 0 else f"{seconds / 3600:.2f}"


def _seconds_of(text: str, *, end: bool) -> int | None:
    """Seconds after midnight for ``HH:MM[:SS]``; ``24:00`` only as the end of a window."""
    if end and text in ("24:00", "24:00:00"):
        return 24 * 3600
    m = _HHMM.match(text)
    if m is None:
        return None
    return int(m.group(1)) * 3600 + int(m.group(2)) * 60 + int(m.group(3) or 0)


def _check_calendar(pack: RulePack, out: _Problems) -> None:
    """The working calendar the clocks run on."""
    cal = pack.calendar
    try:
        ZoneInfo(cal.timezone)
    except (ValueError, OSError, KeyError):
        out.add("calendar.timezone", f"unknown time zone {cal.timezone!r}")
    if cal.country and not _COUNTRY.match(cal.country):
        out.add(
            "calendar.country",
            "expected an ISO 3166 code such as 'CN' or 'GB-ENG', or '' for no public holidays",
        )
    elif cal.country in WHOLE_UK:
        out.add("calendar.country", WHOLE_UK_REASON.format(country=cal.country))
    if not cal.categories:
        out.add("calendar.categories", "at least one holiday category, such as 'public'")
    for i, category in enumerate(cal.categories):
        if not category.strip():
            out.add(f"calendar.categories[{i}]", "must be a category name such as 'public'")
    out.duplicates(cal.categories, "calendar.categories", "category")
    if not cal.weekdays:
        out.add("calendar.weekdays", "at least one working weekday")
    for i, day in enumerate(cal.weekdays):
        if not 0 <= day <= 6:
            out.add(f"calendar.weekdays[{i}]", "must be 0 (Monday) to 6 (Sunday)")
    out.duplicates((str(d) for d in cal.weekdays), "calendar.weekdays", "weekday")
    _check_windows(cal.windows, out)
    holidays = set(cal.holidays)
    for i, workday in enumerate(cal.workdays):
        if workday in holidays:
            out.add(f"calendar.workdays[{i}]", "a day cannot be a holiday and a make-up workday")
    out.duplicates((d.isoformat() for d in cal.holidays), "calendar.holidays", "holiday")
    out.duplicates((d.isoformat() for d in cal.workdays), "calendar.workdays", "make-up day")
    _check_years(cal.first_year, cal.last_year, out)
    for key, dates in (("holidays", cal.holidays), ("workdays", cal.workdays)):
        for i, when in enumerate(dates):
            # the calendar refuses dates outside its table (calendar.md): refused here,
            # naming the pack's key, rather than by every receive and sweep after init
            if not cal.first_year <= when.year <= cal.last_year:
                out.add(
                    f"calendar.{key}[{i}]",
                    f"outside the calendar's years {cal.first_year}-{cal.last_year}",
                )
    _check_by_year(pack, out)


def _check_years(first: int, last: int, out: _Problems) -> None:
    """The span the working calendar's table is built for, within what the desk builds."""
    lowest, highest, most = TABLE_YEARS
    in_range = True
    for key, year in (("first_year", first), ("last_year", last)):
        if not lowest <= year <= highest:
            out.add(f"calendar.{key}", f"must be a year from {lowest} to {highest}")
            in_range = False
    if first > last:
        out.add("calendar.last_year", "must not be before first_year")
    elif in_range and last - first >= most:
        out.add(
            "calendar.last_year",
            f"the calendar spans at most {most} years: {first}-{last} is {last - first + 1}",
        )


def _check_by_year(pack: RulePack, out: _Problems) -> None:
    """Days typed in per year: inside that year and the calendar's span, no day twice."""
    cal = pack.calendar
    out.duplicates((str(y.year) for y in cal.by_year), "calendar.by_year", "year", "year")
    off = set(cal.holidays)
    on = set(cal.workdays)
    for i, entry in enumerate(cal.by_year):
        path = f"calendar.by_year[{i}]"
        if not cal.first_year <= entry.year <= cal.last_year:
            out.add(
                f"{path}.year", f"outside the calendar's years {cal.first_year}-{cal.last_year}"
            )
        for key, days in (("holidays", entry.holidays), ("workdays", entry.workdays)):
            for j, day in enumerate(days):
                if day.year != entry.year:
                    out.add(f"{path}.{key}[{j}]", f"not in {entry.year}")
        if not entry.holidays and not entry.workdays:  # it would silence the warning
            out.add(path, "lists no days: type the year's days off and make-up days in")
        for j, day in enumerate(entry.workdays):
            if day in off or day in entry.holidays:
                out.add(f"{path}.workdays[{j}]", "a day cannot be a holiday and a make-up workday")
            elif day.weekday() in cal.weekdays:
                out.add(
                    f"{path}.workdays[{j}]",
                    "is a working day of the week already: a make-up working day is a day"
                    " the week has off (a weekend day)",
                )
        for j, day in enumerate(entry.holidays):
            if day in on:
                out.add(f"{path}.holidays[{j}]", "a day cannot be a holiday and a make-up workday")


def _check_windows(windows: tuple[tuple[str, str], ...], out: _Problems) -> None:
    if not windows:
        out.add("calendar.windows", "at least one working window")
    previous_end = 0
    for i, (start_text, end_text) in enumerate(windows):
        path = f"calendar.windows[{i}]"
        start = _seconds_of(start_text, end=False)
        end = _seconds_of(end_text, end=True)
        if start is None:
            out.add(f"{path}[0]", "expected a time HH:MM from 00:00 to 23:59")
        if end is None:
            out.add(f"{path}[1]", "expected a time HH:MM from 00:01 to 24:00")
        if start is None or end is None:
            continue
        if start >= end:
            out.add(path, "the window must start before it ends")
        elif start < previous_end:
            out.add(path, "windows must be in order and must not overlap")
        previous_end = max(end, previous_end)
