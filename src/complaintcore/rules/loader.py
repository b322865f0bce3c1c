"""Load and validate rule packs from TOML ("Rules are data", design.md).

Two steps, each of which collects *every* problem before it raises one
:class:`~complaintcore.core.errors.RulePackError` naming the file and each key path:

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
import tomllib
from collections.abc import Iterable, Mapping
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import attrs

from complaintcore.core.errors import FieldProblem, RulePackError
from complaintcore.core.models import EVENT_BY_KIND, Channel, Grade, Kind, Trigger, Validity
from complaintcore.core.rulepack import ClockMode, Duration, RulePack
from complaintcore.core.validity import PHONE_REGIONS
from complaintcore.core.workflow import COMMAND_TYPES
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
    return _load_shipped(DEFAULT_PACK)


def load_pack(name_or_path: str | os.PathLike[str] = DEFAULT_PACK) -> RulePack:
    """A shipped pack by name, or a host's own TOML file by path.

    A value that is a :class:`os.PathLike`, contains a path separator or ends in
    ``.toml`` is read as a file; anything else is the name of a shipped pack (see
    :func:`available_packs`).  Shipped packs are cached; files are not.

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
        return load_pack_text(text, source)
    return _load_shipped(name_or_path)


def _looks_like_path(value: str) -> bool:
    if not isinstance(value, str):
        problem = FieldProblem(ROOT, "expected a pack name or a file path")
        raise RulePackError(repr(value), [problem])
    return value.endswith(_SUFFIX) or "/" in value or os.sep in value


@functools.cache
def _load_shipped(name: str) -> RulePack:
    if name not in available_packs():
        known = ", ".join(available_packs())
        problem = FieldProblem("name", f"no shipped rule pack {name!r}; shipped: {known}")
        raise RulePackError(name, [problem])
    resource = resources.files(_PACKAGE).joinpath(name + _SUFFIX)
    return load_pack_text(resource.read_text(encoding="utf-8"), f"{_PACKAGE}/{name}{_SUFFIX}")


def load_pack_text(text: str, source: str = "<string>") -> RulePack:
    """Parse, structure and validate the TOML text of a pack; ``source`` names it in errors."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulePackError(source, [FieldProblem(ROOT, f"not valid TOML: {exc}")]) from None
    return load_pack_data(data, source)


def load_pack_data(data: Mapping[str, Any], source: str = "<data>") -> RulePack:
    """Structure and validate an already parsed pack (a plugin's dict, say)."""
    if isinstance(data, Mapping) and isinstance(data.get("phone_regions"), str):
        data = {**data, "phone_regions": [data["phone_regions"]]}  # phone_regions = "any"
    try:
        pack = _converter().structure(data, RulePack)
    except Exception as exc:
        raise RulePackError(source, _problems_from(exc)) from None
    problems = validate_pack(pack)
    if problems:
        raise RulePackError(source, problems)
    return pack


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
    ``at_risk_percent`` in 1..99 and a duration that fits their mode; duties name
    an owner, a known command and fields their discharging event has; the
    concentration rule has wall-time windows and at least two complainants; the
    calendar has a real time zone, weekdays in 0..6 and ordered, non-overlapping
    ``HH:MM[:SS]`` windows (``24:00`` allowed as an end).  An empty list means the
    pack is valid.
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
    _check_calendar(pack, out)
    _check_phone_regions(pack, out)
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
    if pack.default_category not in {c.code for c in pack.categories}:
        out.add("default_category", f"unknown category {pack.default_category!r}")


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
    """PEN-1, PEN-2: one sanction per grade; points only for rungs that exist."""
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


def known_event_tags(pack: RulePack) -> frozenset[str]:
    """Every tag an event can carry in this pack (:meth:`Event.tags`): what clocks match.

    Event kinds (``registered``, ``closed`` …) and their qualified forms:
    ``registered:<unit>`` and ``forwarded:<unit>`` for the pack's departments,
    ``assessed:<validity>``, ``assessed:<kind>``, ``graded:<grade>``,
    ``replied:final|interim|explanation|unanswerable``, ``escalated:<trigger>``,
    ``visited:satisfied|unsatisfied|appointment``, ``reported:written|oral`` and
    ``grouped:incident``.  Duties may also start on ``breached:<clock>``.
    """
    tags = set(EVENT_BY_KIND)
    units = [d.code for d in pack.departments]
    tags.update(f"registered:{u}" for u in units)
    tags.update(f"forwarded:{u}" for u in units)
    tags.update(f"assessed:{v.value}" for v in Validity)
    tags.update(f"assessed:{k.value}" for k in Kind)
    tags.update(f"graded:{g.value}" for g in Grade)
    tags.update(f"replied:{r}" for r in ("final", "interim", "explanation", "unanswerable"))
    tags.update(f"escalated:{t.value}" for t in Trigger)
    tags.update(("visited:satisfied", "visited:unsatisfied", "visited:appointment"))
    tags.update(("reported:written", "reported:oral", "grouped:incident"))
    return frozenset(tags)


def _check_clocks(pack: RulePack, out: _Problems) -> None:
    """DL-1..8: named clocks with known tags, a fitting duration and a sane risk threshold."""
    departments = {d.code for d in pack.departments}
    known = known_event_tags(pack)
    out.duplicates((c.name for c in pack.clocks), "clocks", "clock name", "name")
    for i, clock in enumerate(pack.clocks):
        path = f"clocks[{i}]"
        out.not_empty(clock.name, f"{path}.name")
        for key, tags in (("start", clock.start), ("stop", clock.stop)):
            if not tags:
                out.add(f"{path}.{key}", "at least one event tag")
        for key, tags in (
            ("start", clock.start),
            ("stop", clock.stop),
            ("pause", clock.pause),
            ("resume", clock.resume),
        ):
            for j, tag in enumerate(tags):
                if tag not in known:
                    out.add(f"{path}.{key}[{j}]", f"no event carries the tag {tag!r}")
        if clock.pausable and not (clock.pause and clock.resume):
            out.add(f"{path}.pause", "a pausable clock needs pause and resume tags (DL-8)")
        if not 1 <= clock.at_risk_percent <= 99:
            out.add(f"{path}.at_risk_percent", "must be between 1 and 99 (DL-7)")
        reason = _duration_problem(clock.mode, clock.duration)
        if reason:
            out.add(f"{path}.duration", reason)
        if clock.report_to and clock.report_to not in departments:
            out.add(f"{path}.report_to", f"unknown department {clock.report_to!r}")


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
        ):
            if key in ("start", "stop") and not tags:
                out.add(f"{path}.{key}", "at least one event tag")
            for j, tag in enumerate(tags):
                if tag not in allowed:
                    out.add(f"{path}.{key}[{j}]", f"no event carries the tag {tag!r}")
        if not 1 <= duty.at_risk_percent <= 99:
            out.add(f"{path}.at_risk_percent", "must be between 1 and 99 (DL-7)")
        reason = _duration_problem(duty.mode, duty.duration)
        if reason:
            out.add(f"{path}.duration", reason)
        if duty.mode in (ClockMode.PROMISED, ClockMode.APPOINTED):
            out.add(f"{path}.mode", "a duty runs for a duration, not to an agreed time")
        if duty.pausable and not (duty.pause and duty.resume):
            out.add(f"{path}.pause", "a pausable duty needs pause and resume tags (DL-8)")
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
        fields = _event_fields(duty.stop)
        for j, name in enumerate(duty.records):
            if name not in fields:
                out.add(
                    f"{path}.records[{j}]",
                    f"no event that discharges it has a field {name!r}",
                )


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
        if (
            th.rung in positions
            and th.handler_rung in positions
            and positions[th.handler_rung] <= positions[th.rung]
            and positions[th.rung] < len(pack.ladder) - 1
        ):
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
        elif d.timedelta > timedelta(days=_LONGEST["days"]):
            out.add(f"concentration.{key}", "longer than five years")
    for key in ("min_complainants", "group_complainants"):
        n = getattr(rule, key)
        if n == 1 or n < 0:
            out.add(f"concentration.{key}", "0 (off) or at least 2 complainants")
    if (
        rule.min_complainants
        and rule.group_complainants
        and rule.group_window.timedelta > rule.window.timedelta
    ):
        out.add("concentration.group_window", "must not be longer than window")
    if rule.group_complainants and not pack.group_report_rung:
        out.add("concentration.group_complainants", "needs group_report_rung (HDL-6)")
    categories = {c.code for c in pack.categories}
    for i, code in enumerate(rule.ignore_categories):
        if code not in categories:
            out.add(f"concentration.ignore_categories[{i}]", f"unknown category {code!r}")


_LONGEST = {"minutes": 5 * 366 * 24 * 60, "days": 5 * 366, "months": 60}
"""Five years: no procedure's deadline is longer, and calendars have to reach it."""


def _duration_problem(mode: ClockMode, d: Duration) -> str:
    if d.minutes < 0 or d.days < 0 or d.months < 0:
        return "must not be negative"
    for unit, longest in _LONGEST.items():
        if getattr(d, unit) > longest:
            return f"longer than five years ({longest} {unit}): no deadline is that long"
    empty = not (d.minutes or d.days or d.months)
    if mode not in _NEEDS_DURATION:  # same_day, promised (DL-5): the end is not a length
        return "" if empty else f"a {mode.value} clock takes no duration"
    fits = (
        not empty
        and {
            ClockMode.WALL: not d.months,
            ClockMode.WORKING_TIME: not d.months,
            ClockMode.WORKING_DAYS: bool(d.days) and not d.minutes and not d.months,
            ClockMode.MONTHS: bool(d.months) and not d.minutes and not d.days,
        }[mode]
    )
    return "" if fits else f"mode {mode.value!r} needs a duration in {_NEEDS_DURATION[mode]}"


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
    if cal.first_year > cal.last_year:
        out.add("calendar.last_year", "must not be before first_year")
    _check_by_year(pack, out)


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
        for j, day in enumerate(entry.workdays):
            if day in off or day in entry.holidays:
                out.add(f"{path}.workdays[{j}]", "a day cannot be a holiday and a make-up workday")
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
