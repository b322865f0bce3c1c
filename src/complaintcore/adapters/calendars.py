"""Working calendars built from the ``holidays`` package (an adapter, not core).

The pure :class:`~complaintcore.core.calendar.WorkingCalendar` knows nothing about
any country; this module asks ``holidays`` for a country's public holidays and,
where the country has them, its make-up working days (China's 调休, which
``holidays`` keeps in ``weekend_workdays``), and hands plain date sets to the
core.  ``holidays`` is imported inside the function, so ``import complaintcore``
stays fast and the core is usable without it.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import json
import os
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Literal, NamedTuple
from zoneinfo import ZoneInfo

from complaintcore.core.calendar import DEFAULT_WINDOWS, WindowLike, WorkingCalendar
from complaintcore.core.errors import (
    CalendarError,
    FieldProblem,
    HolidayDataWarning,
    InvalidInputError,
)
from complaintcore.core.rulepack import WHOLE_UK, WHOLE_UK_REASON, CalendarSpec, UncoveredYears

__all__ = [
    "CACHE_ENV",
    "cache_dir",
    "calendar_for_spec",
    "calendar_from_holidays",
    "calendar_problems",
    "makeup_day_years",
]


def makeup_day_years(country: str, years: tuple[int, int]) -> tuple[int, ...]:
    """Years of ``years`` whose make-up days (调休) ``holidays`` does not know.

    A country that has make-up days in the source (China) lacks them for every
    year after the last year that has some: its arrangement is announced late
    in the year before, after the installed package was released.  A country
    with none since 2000 (Britain) does not use them, so no year lacks them.
    """
    code, sub = _split(country, None)
    first, last = _years(years)
    days = _source_days(code, sub, first, last, ("public",))
    return _uncovered_in(days, first, last, ())


_PROBE_FROM = 2000
"""Where to look back from for make-up days when the calendar's own years have none."""


def _uncovered_in(
    days: _SourceDays, first: int, last: int, covered: Iterable[int]
) -> tuple[int, ...]:
    if not days.makeup_years:  # the country does not use make-up days at all
        return ()
    done = set(covered)
    top = max(days.makeup_years)
    return tuple(y for y in range(first, last + 1) if y > top and y not in done)


# --------------------------------------------------------------------------- the source


class _SourceDays(NamedTuple):
    """What a calendar takes from ``holidays`` for a country and range of years."""

    works: frozenset[date]
    """Weekend dates of the years that are make-up working days (调休)."""
    hols: frozenset[date]
    """Holidays of the years (of the categories asked for), make-up days left out."""
    weekend: frozenset[int]
    """The country's weekend weekdays."""
    makeup_years: frozenset[int]
    """Years the source knows make-up days for, around the range (or, with none
    there, in the years before it): empty for a country that has none."""
    version: str
    statutory: tuple[tuple[date, str], ...] = ()
    """Of the years the source only guesses (after the last with make-up days): its
    statutory days (法定节假日, the holidays not marked "observed"), each with its
    English name.  A notice always gives them off, so a typed year must list them."""


CACHE_ENV = "COMPLAINTCORE_CACHE_DIR"
"""Where the holiday tables are cached; empty turns the cache off."""


def cache_dir() -> Path | None:
    """Where :func:`calendar_from_holidays` keeps what ``holidays`` answered.

    ``$COMPLAINTCORE_CACHE_DIR`` (empty: no cache), else
    ``$XDG_CACHE_HOME/complaintcore``, else ``~/.cache/complaintcore``.  Asking
    ``holidays`` costs a command line more than everything else it does to open
    a desk (importing it loads every country); its answers only change with its
    version, which is part of each file's name.
    """
    given = os.environ.get(CACHE_ENV)
    if given is not None:
        return Path(given) if given.strip() else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "complaintcore"


@functools.lru_cache(maxsize=1)
def _holidays_version() -> str | None:
    """The installed ``holidays``' version, from its distribution's metadata directory
    (found without importing it); None when it cannot be told."""
    spec = importlib.util.find_spec("holidays")
    if spec is None or not spec.origin:
        return None
    found = list(Path(spec.origin).parent.parent.glob("holidays-*.dist-info"))
    if len(found) != 1:
        return None
    return found[0].name.removeprefix("holidays-").removesuffix(".dist-info")


def _source_days(
    code: str, sub: str | None, first: int, last: int, cats: tuple[str, ...], country: str = ""
) -> _SourceDays:
    version = _holidays_version()
    where = cache_dir()
    path = None
    if version is not None and where is not None:
        key = json.dumps([code, sub, first, last, sorted(cats), version])
        digest = hashlib.sha256(key.encode()).hexdigest()[:24]
        path = where / f"holidays-{code}-{first}-{last}-{digest}.json"
        cached = _read_days(path, version)
        if cached is not None:
            return cached
    days = _ask_holidays(code, sub, first, last, cats, country or code)
    if path is not None:
        _write_days(path, days)
    return days


def _ask_holidays(
    code: str, sub: str | None, first: int, last: int, cats: tuple[str, ...], country: str
) -> _SourceDays:
    import holidays as holidays_pkg  # lazy: keeps `import complaintcore` fast

    try:
        source = holidays_pkg.country_holidays(
            code, subdiv=sub, years=range(first - 1, last + 2), categories=cats
        )
    except NotImplementedError as exc:
        raise CalendarError(f"holidays does not know the calendar {country!r}: {exc}") from None
    except ValueError as exc:
        raise CalendarError(f"calendar {country!r}: {exc}") from None

    def in_range(d: date) -> bool:
        return first <= d.year <= last

    # Mirror holidays' is_working_day: a weekend date works iff it is a make-up day;
    # any other date is off iff it is a holiday.
    works = {d for d in source.weekend_workdays if in_range(d) and source.is_weekend(d)}
    hols = {d for d in source if in_range(d)} - works
    known = {d.year for d in getattr(source, "weekend_workdays", ())}
    if not known:  # none in these years: does the country use them at all?
        earlier = holidays_pkg.country_holidays(
            code, subdiv=sub, years=range(min(_PROBE_FROM, first - 5), first)
        )
        known = {d.year for d in getattr(earlier, "weekend_workdays", ())}
    version = getattr(holidays_pkg, "__version__", None) or _holidays_version() or "?"
    guessed = [y for y in range(first, last + 1) if known and y > max(known)]
    statutory: list[tuple[date, str]] = []
    if guessed:  # without "observed" days: the statutory ones alone, named in English
        bare = holidays_pkg.country_holidays(
            code, subdiv=sub, years=guessed, categories=cats, observed=False, language="en_US"
        )
        statutory = sorted((d, str(name)) for d, name in bare.items() if d.year in guessed)
    return _SourceDays(
        frozenset(works),
        frozenset(hols),
        frozenset(source.weekend),
        frozenset(known),
        version,
        tuple(statutory),
    )


def _read_days(path: Path, version: str) -> _SourceDays | None:
    """A cached answer, or None when there is none (or it cannot be read)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return _SourceDays(
            frozenset(date.fromordinal(int(d)) for d in data["works"]),
            frozenset(date.fromordinal(int(d)) for d in data["hols"]),
            frozenset(int(d) for d in data["weekend"]),
            frozenset(int(y) for y in data["makeup_years"]),
            version,
            tuple((date.fromordinal(int(d)), str(name)) for d, name in data["statutory"]),
        )
    except (OSError, ValueError, KeyError, TypeError, OverflowError):
        # OverflowError: an ordinal too large for a date (a damaged file), asked again
        return None


def _write_days(path: Path, days: _SourceDays) -> None:
    """Keep an answer for the next run; a cache that cannot be written is no cache."""
    data = {
        "works": sorted(d.toordinal() for d in days.works),
        "hols": sorted(d.toordinal() for d in days.hols),
        "weekend": sorted(days.weekend),
        "makeup_years": sorted(days.makeup_years),
        "statutory": [[d.toordinal(), name] for d, name in days.statutory],
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".holidays-", suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh)
        os.replace(tmp, path)  # readers see the old file or the whole new one
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def calendar_from_holidays(
    country: str,
    *,
    tz: str | ZoneInfo,
    years: tuple[int, int],
    subdiv: str | None = None,
    weekly: Mapping[int, Iterable[WindowLike]] | None = None,
    extra_holidays: Iterable[date] = (),
    extra_workdays: Iterable[date] = (),
    overrides: Mapping[date, Iterable[WindowLike]] | None = None,
    categories: Iterable[str] = ("public",),
    makeup_weekday: int = 0,
    covered_years: Iterable[int] = (),
    uncovered: UncoveredYears | Literal["warn", "refuse"] = UncoveredYears.WARN,
) -> WorkingCalendar:
    """A working calendar for a country (or ``"COUNTRY-SUBDIV"``) known to ``holidays``.

    The rule pack's calendar choice (DL-1 … DL-4 run on it).  A date is a day off
    when ``holidays`` lists it as a holiday of ``categories``; a weekend date is
    a working day when ``holidays`` lists it as a make-up working day (for
    ``"CN"``: 调休 such as Sunday 2025-09-28).  With the default ``weekly`` this
    agrees with ``holidays``' own ``is_working_day`` on every date.

    :param country: ISO 3166 code such as ``"CN"``, or ``"GB-ENG"`` for a subdivision.
    :param tz: the zone whose wall clock the windows use, e.g. ``"Asia/Shanghai"``.
    :param years: ``(first, last)`` inclusive years of the table.
    :param subdiv: subdivision code, instead of the ``"-ENG"`` suffix.
    :param weekly: weekday -> windows; default 09:00-12:00 and 13:00-18:00 on every
        day that is not the country's weekend (Monday to Friday for CN and GB).
    :param extra_holidays: more days off; they win over the source (a source
        make-up day listed here is not worked).
    :param extra_workdays: more working days; they win over the source (a source
        holiday listed here is worked).
    :param overrides: date -> windows for that date only; win over everything.
    :param categories: ``holidays`` categories that mean "no work" (default public holidays).
    :param makeup_weekday: whose windows a make-up day uses (default Monday).
    :param covered_years: years whose days the caller supplies in ``extra_*``
        (typed in from the official notice): covered whatever the source knows.
        Of a year whose make-up days the source lacks, its days are the source's
        guess (statutory days and "observed" weekdays): the notice's days alone
        count, the guess is dropped, so its ``extra_holidays`` must hold every
        statutory day (法定节假日) of it the source names (see ``:raises``).
    :param uncovered: for years whose make-up days the source lacks
        (:func:`makeup_day_years`) and nobody covers: ``"warn"`` computes them
        from the weekly hours and the source's holidays, ``"refuse"`` ends the
        calendar before the first of them, so a deadline reaching it raises a
        :class:`~complaintcore.core.errors.NoWorkingTimeError` naming the years.
        Either way a :class:`~complaintcore.core.errors.HolidayDataWarning` says
        so when the calendar is built.
    :raises CalendarError: ``holidays`` does not know the country, subdivision or
        category, or ``"refuse"`` leaves no year at all.
    :raises InvalidInputError: a malformed argument; ``.path`` names it.  Also
        (``.path`` ``"extra_holidays"``) a year of ``covered_years`` the source only
        guesses whose ``extra_holidays`` leave out a statutory day (法定节假日) the
        source names for it on a working day of ``weekly``, unless ``extra_workdays``
        or ``overrides`` give that day on purpose: the reason lists the dates with
        their names.
    """
    code, sub = _split(country, subdiv)
    _one_nation(code, sub)
    first, last = _years(years)
    cats = _categories(categories)
    days = _source_days(code, sub, first, last, cats, country)
    src_works, src_hols = days.works, days.hols

    more_hols = _extra(extra_holidays, "extra_holidays", first, last)
    more_works = _extra(extra_workdays, "extra_workdays", first, last)
    clash = sorted(more_hols & more_works)
    if clash:
        raise InvalidInputError(
            f"extra_workdays[{clash[0].isoformat()}]", "is also in extra_holidays"
        )

    if weekly is None:
        weekly = {day: DEFAULT_WINDOWS for day in range(7) if day not in days.weekend}

    policy = UncoveredYears.parse(uncovered, "uncovered")
    covered = _covered(covered_years)
    missing = _uncovered_in(days, first, last, covered)
    # a year the source only guesses, typed in from the notice: the notice is the law
    typed = set(_uncovered_in(days, first, last, ())) & covered
    if typed:
        src_hols = frozenset(d for d in src_hols if d.year not in typed)
        src_works = frozenset(d for d in src_works if d.year not in typed)
    end = last
    if missing and policy is UncoveredYears.REFUSE:
        end = missing[0] - 1
        if end < first:
            raise CalendarError(
                f"calendar {country!r}: the holiday source has no make-up-day (调休) data "
                f"for any year of {first}-{last}, and uncovered years are refused"
            )
    days_off = {d for d in (src_hols | more_hols) - more_works if d.year <= end}
    days_on = {d for d in (src_works | more_works) - more_hols if d.year <= end}
    given = overrides
    if overrides is not None and end < last:  # refused years: the table ends earlier
        overrides = {d: w for d, w in overrides.items() if getattr(d, "year", end) <= end}
    calendar = WorkingCalendar(
        tz=tz,
        weekly=weekly,
        years=(first, end),
        holidays=days_off,
        workdays=days_on,
        overrides=overrides,
        makeup_weekday=makeup_weekday,
        uncovered_years=missing,
        region=f"{code}-{sub.upper()}" if sub else code,
    )
    if typed:  # review s54R10 F03: the pack's check, for a host typing the notice in
        on_purpose = {*more_hols, *more_works, *(given or {})}
        left = _untyped(days, typed, on_purpose, lambda d: bool(calendar.weekly[d.weekday()]))
        if left:
            raise InvalidInputError(
                "extra_holidays",
                _COVERED_YEAR_WITHOUT_STATUTORY_DAYS.format(
                    count=len(left),
                    years=", ".join(str(y) for y in sorted({d.year for d, _ in left})),
                    days=", ".join(f"{d.isoformat()} ({name})" for d, name in left),
                ),
            )
    if missing:
        warnings.warn(
            HolidayDataWarning(
                f"calendar {country} (holidays {days.version}): {calendar.coverage_warning()}"
            ),
            stacklevel=_outside_level(),
        )
    return calendar


_PACKAGE = os.path.join(os.path.dirname(os.path.dirname(__file__)), "")


def _outside_level() -> int:
    """The ``stacklevel`` of the first caller outside complaintcore, for a warning
    of the function calling this: the host's line, whether it called
    :func:`calendar_from_holidays` or went through :func:`calendar_for_spec` and its
    cache (what ``skip_file_prefixes`` does from Python 3.12; review s54R9 F02)."""
    level, frame = 2, sys._getframe(2)  # 1 is the warning function, 2 its caller
    while frame.f_back is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        level, frame = level + 1, frame.f_back
    return level


def calendar_for_spec(spec: CalendarSpec) -> WorkingCalendar:
    """The working calendar a rule pack names (its ``[calendar]`` table).

    ``country = ""`` means no public holidays at all (a 24-hour service centre);
    any other code is looked up in ``holidays``.  The pack's explicit holiday
    and make-up-day lists win over the source.  Built once per spec: building
    asks ``holidays`` for every year of the table.

    :raises InvalidInputError: ``spec`` is not a ``CalendarSpec`` (checked before
        the cache, which would refuse an unhashable value with a ``TypeError``),
        or its make-up days fall on days off.
    """
    if not isinstance(spec, CalendarSpec):
        raise InvalidInputError(
            "spec",
            f"expected a CalendarSpec (a rule pack's calendar), got {type(spec).__name__}",
        )
    return _calendar_for_spec(spec)


@functools.lru_cache(maxsize=16)
def _calendar_for_spec(spec: CalendarSpec) -> WorkingCalendar:
    for problem in _makeup_days_off(spec):
        raise InvalidInputError(problem.path, problem.reason)
    weekly = dict.fromkeys(spec.weekdays, spec.windows)
    years = (spec.first_year, spec.last_year)
    holidays_ = [*spec.holidays, *(d for y in spec.by_year for d in y.holidays)]
    workdays_ = [*spec.workdays, *(d for y in spec.by_year for d in y.workdays)]
    if not spec.country:
        return WorkingCalendar.build(
            tz=spec.timezone,
            weekly=weekly,
            years=years,
            holidays=holidays_,
            workdays=workdays_,
        )
    return calendar_from_holidays(
        spec.country,
        tz=spec.timezone,
        years=years,
        weekly=weekly,
        extra_holidays=holidays_,
        extra_workdays=workdays_,
        categories=spec.categories,
        covered_years=[y.year for y in spec.by_year],
        uncovered=spec.uncovered_years,
    )


def calendar_problems(spec: CalendarSpec) -> list[FieldProblem]:
    """What the holiday source refuses in a pack's ``[calendar]``, each with its key path.

    The pure pack loader checks that ``calendar.country`` is shaped like a code;
    only ``holidays`` knows whether it has that calendar, so ``packs validate``
    asks here and passes no pack the desk would then refuse.
    """
    if not spec.country:
        return []
    import holidays as holidays_pkg  # lazy: keeps `import complaintcore` fast

    code, sub = _split(spec.country, None)
    try:
        source = holidays_pkg.country_holidays(code, subdiv=sub, years=[])
    except (NotImplementedError, ValueError) as exc:
        reason = f"holidays does not know the calendar {spec.country!r}: {exc}"
        return [FieldProblem("calendar.country", reason)]
    known = tuple(getattr(source, "supported_categories", ("public",)))
    unknown = [
        FieldProblem(
            f"calendar.categories[{i}]",
            f"the holiday source's calendar {spec.country!r} has no category {c!r}"
            f" (it has {', '.join(known)})",
        )
        for i, c in enumerate(spec.categories)
        if c not in known
    ]
    return unknown or _makeup_days_off(spec)


_MAKEUP_ON_HOLIDAY = (
    "is a public holiday in the holiday source: a make-up working day (调休上班) is a"
    " weekend day the notice has worked, never a statutory holiday itself"
)


_GUESSED_YEAR_WITHOUT_DAYS_OFF = (
    "lists no days off: the holiday source only guesses this year's days, and a year"
    " typed in replaces the guess, so type the notice's days off (放假) as well as its"
    " make-up working days"
)


_GUESSED_YEAR_WITHOUT_STATUTORY_DAYS = (
    "leaves out {count} of the statutory holidays (法定节假日) the holiday source names"
    " for {year}: {days}; a statutory holiday is always a day off, and a year typed in"
    " replaces the source's guess, so each day left out would be a working day: type"
    " every day off (放假) of the notice"
)


_COVERED_YEAR_WITHOUT_STATUTORY_DAYS = (
    "leaves out {count} of the statutory holidays (法定节假日) the holiday source names"
    " for {years} of covered_years: {days}; a statutory holiday is always a day off, and"
    " a covered year replaces the source's guess, so each day left out would be a working"
    " day: pass every day off (放假) of the notice in extra_holidays (or a day worked on"
    " purpose in extra_workdays)"
)


def _makeup_days_off(spec: CalendarSpec) -> list[FieldProblem]:
    """Make-up days typed in per year (``[[calendar.by_year]]``) that the holiday
    source has as public holidays: a typo that would work a statutory holiday such
    as 正月初一 and bring every deadline across it a day early.  And a year the
    source only guesses, typed in without days off, or without one of the
    statutory days (法定节假日) the source names for it: the typed year replaces
    the guess, so each day left out would be worked (review s54R1 F01: a notice
    typed as far as the Spring Festival made National Day a working day).  Asked
    only of a pack that types years in."""
    if not spec.country or not spec.by_year:
        return []
    code, sub = _split(spec.country, None)
    cats = spec.categories
    days = _source_days(code, sub, spec.first_year, spec.last_year, cats, spec.country)
    guessed = set(_uncovered_in(days, spec.first_year, spec.last_year, ()))
    return [
        *(
            FieldProblem(f"calendar.by_year[{i}].holidays", _GUESSED_YEAR_WITHOUT_DAYS_OFF)
            for i, entry in enumerate(spec.by_year)
            if entry.year in guessed and not entry.holidays
        ),
        *(
            _statutory_left_out(spec, days, i)
            for i, entry in enumerate(spec.by_year)
            if entry.year in guessed and entry.holidays and _left_out(spec, days, i)
        ),
        *(
            FieldProblem(f"calendar.by_year[{i}].workdays[{j}]", _MAKEUP_ON_HOLIDAY)
            for i, entry in enumerate(spec.by_year)
            for j, day in enumerate(entry.workdays)
            if day in days.hols
        ),
    ]


def _left_out(spec: CalendarSpec, days: _SourceDays, i: int) -> list[tuple[date, str]]:
    """The statutory days of ``by_year[i]``'s year that its holidays (and the
    pack's own ``holidays``, off all the same) leave out, in date order.  One typed
    as a make-up day is refused as that (:data:`_MAKEUP_ON_HOLIDAY`): one slip, one
    problem.  One in the pack's own ``workdays`` is worked on purpose (they win over
    the source), and one on a day of the week the pack does not work is off anyway:
    neither is left out (review s54R10 F01, F02)."""
    entry = spec.by_year[i]
    typed = {*entry.holidays, *spec.holidays, *entry.workdays, *spec.workdays}
    return _untyped(days, {entry.year}, typed, lambda d: d.weekday() in spec.weekdays)


def _untyped(
    days: _SourceDays, years: set[int], typed: set[date], worked: Callable[[date], bool]
) -> list[tuple[date, str]]:
    """The source's statutory days of ``years`` that are not ``typed`` and that the
    typed years would make ``worked`` days: each is a day off the notice gives."""
    return [
        (d, name) for d, name in days.statutory if d.year in years and d not in typed and worked(d)
    ]


def _statutory_left_out(spec: CalendarSpec, days: _SourceDays, i: int) -> FieldProblem:
    missing = _left_out(spec, days, i)
    shown = ", ".join(f"{d.isoformat()} ({name})" for d, name in missing)
    reason = _GUESSED_YEAR_WITHOUT_STATUTORY_DAYS.format(
        count=len(missing), year=spec.by_year[i].year, days=shown
    )
    return FieldProblem(f"calendar.by_year[{i}].holidays", reason)


def _split(country: object, subdiv: str | None) -> tuple[str, str | None]:
    if not isinstance(country, str) or not country.strip():
        raise InvalidInputError("country", "must be a country code such as 'CN' or 'GB-ENG'")
    code, sep, suffix = country.strip().partition("-")
    if sep:
        if subdiv is not None and subdiv != suffix:
            raise InvalidInputError(
                "subdiv", f"{subdiv!r} contradicts the subdivision in {country!r}"
            )
        subdiv = suffix
    return code.upper(), subdiv


def _one_nation(code: str, sub: str | None) -> None:
    """A UK calendar names its nation: ``GB`` alone has only the bank holidays all four
    share, so a deadline over Easter Monday or St Andrew's Day would come a day early."""
    if code in WHOLE_UK and not sub:
        raise InvalidInputError("country", WHOLE_UK_REASON.format(country=code))


def _years(years: object) -> tuple[int, int]:
    if isinstance(years, tuple | list) and len(years) == 2:
        first, last = years
        if all(isinstance(y, int) and not isinstance(y, bool) for y in (first, last)):
            return first, last
    raise InvalidInputError("years", "must be a (first, last) pair of int years")


def _covered(values: object) -> set[int]:
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise InvalidInputError("covered_years", "must be an iterable of int years")
    out = set(values)
    if not all(isinstance(y, int) and not isinstance(y, bool) for y in out):
        raise InvalidInputError("covered_years", "must be an iterable of int years")
    return out


def _categories(categories: object) -> tuple[str, ...]:
    if isinstance(categories, str):
        return (categories,)
    if not isinstance(categories, Iterable):
        raise InvalidInputError("categories", "must be category names such as 'public'")
    cats = tuple(categories)
    if not cats or not all(isinstance(c, str) for c in cats):
        raise InvalidInputError("categories", "must be category names such as 'public'")
    return cats


def _extra(values: object, path: str, first: int, last: int) -> set[date]:
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise InvalidInputError(path, "must be an iterable of dates")
    out: set[date] = set()
    for d in values:
        if not isinstance(d, date) or isinstance(d, datetime):
            raise InvalidInputError(path, "must contain datetime.date values (not datetimes)")
        if not first <= d.year <= last:
            raise InvalidInputError(
                f"{path}[{d.isoformat()}]", f"outside the calendar's years {first}-{last}"
            )
        out.add(d)
    return out
