"""Working calendars built from the ``holidays`` package (an adapter, not core).

The pure :class:`~complaintcore.core.calendar.WorkingCalendar` knows nothing about
any country; this module asks ``holidays`` for a country's public holidays and,
where the country has them, its make-up working days (China's 调休, which
``holidays`` keeps in ``weekend_workdays``), and hands plain date sets to the
core.  ``holidays`` is imported inside the function, so ``import complaintcore``
stays fast and the core is usable without it.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from complaintcore.core.calendar import DEFAULT_WINDOWS, WindowLike, WorkingCalendar
from complaintcore.core.errors import CalendarError, HolidayDataWarning, InvalidInputError
from complaintcore.core.rulepack import CalendarSpec, UncoveredYears

__all__ = ["calendar_for_spec", "calendar_from_holidays", "makeup_day_years"]


def makeup_day_years(country: str, years: tuple[int, int]) -> tuple[int, ...]:
    """Years of ``years`` whose make-up days (调休) ``holidays`` does not know.

    A country that has make-up days in the source (China) lacks them for every
    year after the last year that has some: its arrangement is announced late
    in the year before, after the installed package was released.  A country
    with none since 2000 (Britain) does not use them, so no year lacks them.
    """
    import holidays as holidays_pkg

    code, sub = _split(country, None)
    first, last = _years(years)
    source = holidays_pkg.country_holidays(code, subdiv=sub, years=range(first - 1, last + 2))
    return _uncovered_in(source, code, sub, first, last, ())


_PROBE_FROM = 2000
"""Where to look back from for make-up days when the calendar's own years have none."""


def _uncovered_in(
    source: object, code: str, sub: str | None, first: int, last: int, covered: Iterable[int]
) -> tuple[int, ...]:
    known = {d.year for d in getattr(source, "weekend_workdays", ())}
    if not known:  # none in these years: does the country use them at all?
        import holidays as holidays_pkg

        earlier = holidays_pkg.country_holidays(
            code, subdiv=sub, years=range(min(_PROBE_FROM, first - 5), first)
        )
        known = {d.year for d in getattr(earlier, "weekend_workdays", ())}
        if not known:
            return ()
    done = set(covered)
    return tuple(y for y in range(first, last + 1) if y > max(known) and y not in done)


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
    :param uncovered: for years whose make-up days the source lacks
        (:func:`makeup_day_years`) and nobody covers: ``"warn"`` computes them
        from the weekly hours and the source's holidays, ``"refuse"`` ends the
        calendar before the first of them, so a deadline reaching it raises a
        :class:`~complaintcore.core.errors.NoWorkingTimeError` naming the years.
        Either way a :class:`~complaintcore.core.errors.HolidayDataWarning` says
        so when the calendar is built.
    :raises CalendarError: ``holidays`` does not know the country, subdivision or
        category, or ``"refuse"`` leaves no year at all.
    :raises InvalidInputError: a malformed argument; ``.path`` names it.
    """
    import holidays as holidays_pkg  # lazy: keeps `import complaintcore` fast

    code, sub = _split(country, subdiv)
    first, last = _years(years)
    cats = _categories(categories)
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
    src_works = {d for d in source.weekend_workdays if in_range(d) and source.is_weekend(d)}
    src_hols = {d for d in source if in_range(d)} - src_works

    more_hols = _extra(extra_holidays, "extra_holidays", first, last)
    more_works = _extra(extra_workdays, "extra_workdays", first, last)
    clash = sorted(more_hols & more_works)
    if clash:
        raise InvalidInputError(
            f"extra_workdays[{clash[0].isoformat()}]", "is also in extra_holidays"
        )

    if weekly is None:
        weekend = set(source.weekend)
        weekly = {day: DEFAULT_WINDOWS for day in range(7) if day not in weekend}

    policy = UncoveredYears.parse(uncovered, "uncovered")
    missing = _uncovered_in(source, code, sub, first, last, _covered(covered_years))
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
    )
    if missing:
        version = getattr(holidays_pkg, "__version__", "?")
        warnings.warn(
            HolidayDataWarning(
                f"calendar {country} (holidays {version}): {calendar.coverage_warning()}"
            ),
            stacklevel=2,
        )
    return calendar


@functools.lru_cache(maxsize=16)
def calendar_for_spec(spec: CalendarSpec) -> WorkingCalendar:
    """The working calendar a rule pack names (its ``[calendar]`` table).

    ``country = ""`` means no public holidays at all (a 24-hour service centre);
    any other code is looked up in ``holidays``.  The pack's explicit holiday
    and make-up-day lists win over the source.  Built once per spec: building
    asks ``holidays`` for every year of the table.
    """
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
        covered_years=[y.year for y in spec.by_year],
        uncovered=spec.uncovered_years,
    )


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
