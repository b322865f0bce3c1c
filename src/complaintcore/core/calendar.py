"""Working time: interval arithmetic on a precomputed table (pure core).

A :class:`WorkingCalendar` turns a time zone, weekly working windows, public
holidays, make-up working days (调休) and per-date overrides into one sorted
table of working intervals in integer UTC epoch seconds, with a running total of
working seconds.  Every question (``add``, ``add_days``, ``between``,
``next_open`` …) is answered by :func:`bisect.bisect_right` on that table, never
by stepping through minutes, hours or days.  Deadline clocks of the rule packs
(DL-1 … DL-4, DL-7, DL-8) are computed with it.

This module imports only the standard library and attrs: no I/O, no clock reads
and no holiday package.  Calendars built from the ``holidays`` package live in
:mod:`complaintcore.adapters.calendars`.

Conventions (see ``docs/calendar.md``):

* Working time is half-open: an instant is *open* when ``start <= t < end`` for
  one working interval, so a closing time itself is closed.
* Windows are local wall-clock times.  Each window edge is converted to UTC with
  zoneinfo and ``fold=0``: a wall time inside a spring-forward gap is read with
  the offset in force before the change (so it lands the length of the gap
  later), and a wall time repeated in a fall-back overlap means its first
  occurrence.  If this makes windows overlap (only possible around a gap) the
  shared time is counted once; a window that comes out empty is dropped.
* Units are exact: integer seconds for the table, microseconds kept aside and
  carried exactly; never floats.
* Results are aware datetimes in the calendar's time zone.  Naive datetimes are
  refused (:class:`~complaintcore.core.errors.NaiveDatetimeError`).
* The table covers 1 January of the first year to 31 December of the last year
  (local time).  An instant or date outside it, or an answer that would need
  working time beyond it, raises :class:`~complaintcore.core.errors.NoWorkingTimeError`;
  the start is never returned as a fallback.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import NamedTuple, TypeAlias
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from complaintcore.core.errors import InvalidInputError, NaiveDatetimeError, NoWorkingTimeError

__all__ = [
    "DEFAULT_WINDOWS",
    "ClockLike",
    "Window",
    "WindowLike",
    "WorkingCalendar",
]

_UTC = UTC
_EPOCH = datetime(1970, 1, 1, tzinfo=_UTC)
_DAY = 86_400
_MIN_YEAR = 1900
_MAX_YEAR = 9000
_MAX_SPAN_YEARS = 200
TABLE_YEARS = (_MIN_YEAR, _MAX_YEAR, _MAX_SPAN_YEARS)
"""Years a table may cover (first and last allowed, most years): the pack loader checks them."""
_WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


ClockLike: TypeAlias = time | str
"""A wall-clock time: a naive :class:`datetime.time` or ``"HH:MM"`` / ``"HH:MM:SS"``."""


class Window(NamedTuple):
    """One working window of a local day: ``[start, end)`` in seconds after local midnight.

    ``end`` may be 86 400 (midnight at the end of the day, written ``"24:00"``).
    Seconds rather than :class:`datetime.time` so that "until midnight" is
    expressible and arithmetic stays in exact integers.
    """

    start: int
    end: int

    @classmethod
    def parse(cls, start: ClockLike, end: ClockLike) -> Window:
        """Build a window from ``time`` objects or ``"HH:MM[:SS]"`` strings (end may be "24:00")."""
        return _window((start, end), "window")

    def __str__(self) -> str:
        return f"{_fmt_clock(self.start)}-{_fmt_clock(self.end)}"


WindowLike: TypeAlias = Window | tuple[ClockLike, ClockLike]
"""A window as given by a host: a :class:`Window` or a ``(start, end)`` pair."""

DEFAULT_WINDOWS: tuple[Window, ...] = (Window(9 * 3600, 12 * 3600), Window(13 * 3600, 18 * 3600))
"""09:00-12:00 and 13:00-18:00: an office day with a lunch break."""


@attrs.frozen(init=False, repr=False)
class WorkingCalendar:
    """Working time of one organisation: answers deadline arithmetic by bisect.

    Build it with :meth:`build` (or the constructor, which takes the same
    keyword arguments) or :meth:`monday_to_friday`; hosts usually get one from
    :func:`complaintcore.adapters.calendars.calendar_from_holidays`.

    Which windows a date has, first rule that applies:

    1. ``overrides[d]`` if present (possibly empty: no work that day);
    2. none if ``d`` is in ``holidays``;
    3. if ``d`` is in ``workdays`` (调休 make-up day): the windows of its own
       weekday when that weekday has any, else those of ``makeup_weekday``
       (Monday by default);
    4. ``weekly[d.weekday()]``.

    A *working day* is a date with a positive amount of working time in the
    table.  Instances are immutable, hashable and compare by their inputs.
    """

    tz: ZoneInfo
    weekly: tuple[tuple[Window, ...], ...]
    holidays: frozenset[date]
    workdays: frozenset[date]
    overrides: tuple[tuple[date, tuple[Window, ...]], ...]
    years: tuple[int, int]
    makeup_weekday: int
    uncovered_years: frozenset[int]
    region: str = attrs.field(default="", eq=False)
    """The holiday list the calendar was built from (``"GB-ENG"``), ``""`` when it was
    built from plain dates: lets a desk notice a calendar for another region than its
    pack's (not part of equality: the days are)."""

    # Precomputed table (not part of equality or repr).
    _ref: datetime = attrs.field(init=False, eq=False)
    _ord0: int = attrs.field(init=False, eq=False)
    _ndays: int = attrs.field(init=False, eq=False)
    _base: tuple[int, ...] = attrs.field(init=False, eq=False)
    _fast: tuple[int | None, ...] = attrs.field(init=False, eq=False)
    _t0: int = attrs.field(init=False, eq=False)
    _t1: int = attrs.field(init=False, eq=False)
    _starts: tuple[int, ...] = attrs.field(init=False, eq=False)
    _ends: tuple[int, ...] = attrs.field(init=False, eq=False)
    _cum: tuple[int, ...] = attrs.field(init=False, eq=False)
    _off: tuple[int, ...] = attrs.field(init=False, eq=False)
    _cumend: tuple[int, ...] = attrs.field(init=False, eq=False)
    _n: int = attrs.field(init=False, eq=False)
    _pieces: tuple[tuple[int, int], ...] = attrs.field(init=False, eq=False)
    _day_piece: tuple[int, ...] = attrs.field(init=False, eq=False)
    _cb: tuple[int, ...] = attrs.field(init=False, eq=False)
    _wd_day: tuple[int, ...] = attrs.field(init=False, eq=False)
    _wd_close: tuple[datetime, ...] = attrs.field(init=False, eq=False)

    def __init__(
        self,
        *,
        tz: str | ZoneInfo,
        weekly: Mapping[int, Iterable[WindowLike]],
        years: tuple[int, int],
        holidays: Iterable[date] = (),
        workdays: Iterable[date] = (),
        overrides: Mapping[date, Iterable[WindowLike]] | None = None,
        makeup_weekday: int = 0,
        uncovered_years: Iterable[int] = (),
        region: str = "",
    ) -> None:
        """Validate the inputs and precompute the table; see :meth:`build`."""
        zone = _zone(tz)
        first, last = _years(years)
        uncovered = _uncovered(uncovered_years, first)
        week = _weekly(weekly)
        makeup = _weekday(makeup_weekday, "makeup_weekday")
        hols = _dates(holidays, "holidays", first, last)
        works = _dates(workdays, "workdays", first, last)
        clash = sorted(hols & works)
        if clash:
            raise InvalidInputError(f"workdays[{clash[0].isoformat()}]", "is also in holidays")
        over = _overrides(overrides, first, last)
        if not isinstance(region, str):
            raise InvalidInputError("region", "must be a holiday list's code such as 'GB-ENG'")
        self.__attrs_init__(
            zone, week, hols, works, over, (first, last), makeup, uncovered, region.strip()
        )
        self._precompute()

    # ------------------------------------------------------------------ builders

    @classmethod
    def build(
        cls,
        *,
        tz: str | ZoneInfo,
        weekly: Mapping[int, Iterable[WindowLike]],
        years: tuple[int, int],
        holidays: Iterable[date] = (),
        workdays: Iterable[date] = (),
        overrides: Mapping[date, Iterable[WindowLike]] | None = None,
        makeup_weekday: int = 0,
        uncovered_years: Iterable[int] = (),
        region: str = "",
    ) -> WorkingCalendar:
        """Build a calendar from plain data.

        :param tz: IANA zone name or :class:`~zoneinfo.ZoneInfo`; windows are its wall-clock times.
        :param weekly: weekday (0 = Monday … 6 = Sunday) -> windows; a missing
            weekday has no work.  Windows are ``(start, end)`` with start < end,
            not overlapping within the day, times as ``time`` or ``"HH:MM[:SS]"``;
            ``"24:00"`` ends a window at midnight.
        :param years: ``(first, last)`` inclusive: the table covers these years only.
        :param holidays: dates with no work (public holidays).
        :param workdays: make-up working days (调休), usually weekend dates.
        :param overrides: date -> windows for that date only (empty: no work); wins over all.
        :param makeup_weekday: whose windows a make-up day on a day off uses (default Monday).
        :param uncovered_years: years whose make-up days (调休) the holiday source
            does not know.  Inside ``years`` they are computed anyway (and
            :meth:`coverage_warning` says so); after ``years`` they are refused,
            and the errors for instants there name them.
        :param region: the holiday list the days come from (``"GB-SCT"``), recorded
            so that a desk can tell a calendar meant for another region.
        :raises InvalidInputError: a malformed field; ``.path`` names it.
        :raises NoWorkingTimeError: the result would have no working time at all.
        """
        return cls(
            tz=tz,
            weekly=weekly,
            years=years,
            holidays=holidays,
            workdays=workdays,
            overrides=overrides,
            makeup_weekday=makeup_weekday,
            uncovered_years=uncovered_years,
            region=region,
        )

    @classmethod
    def monday_to_friday(
        cls,
        *,
        tz: str | ZoneInfo,
        years: tuple[int, int],
        windows: Iterable[WindowLike] = DEFAULT_WINDOWS,
        holidays: Iterable[date] = (),
        workdays: Iterable[date] = (),
        overrides: Mapping[date, Iterable[WindowLike]] | None = None,
    ) -> WorkingCalendar:
        """The usual office: the same ``windows`` (default 09-12 and 13-18) Monday to Friday."""
        same = tuple(windows)
        return cls(
            tz=tz,
            weekly=dict.fromkeys(range(5), same),
            years=years,
            holidays=holidays,
            workdays=workdays,
            overrides=overrides,
        )

    # ------------------------------------------------------------------ queries

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The instant when ``duration`` of working time has passed after ``start``.

        Working-hour clocks (DL-3, DL-4).  Counting starts at ``next_open(start)``
        (a start outside working hours counts from the next opening).  A zero
        duration gives that opening itself; otherwise the result is the earliest
        instant with exactly ``duration`` of working time since then, so it lands
        on a closing time when the duration ends there (Fri 09:00 + 8 h with
        09-12, 13-18 is Fri 18:00, not Mon 09:00).  Hence
        ``between(start, add(start, d)) == d``.

        :raises InvalidInputError: ``duration`` is negative or not a timedelta.
        :raises NaiveDatetimeError: ``start`` has no time zone.
        :raises NoWorkingTimeError: ``start`` is outside the table or the duration runs past it.
        """
        try:
            dd = duration.days * _DAY + duration.seconds
            dus = duration.microseconds
        except AttributeError:
            raise InvalidInputError("duration", "must be a datetime.timedelta") from None
        if dd < 0:
            raise InvalidInputError("duration", "must not be negative")
        # start -> (s, us).  Fast path of _instant, inlined: on a day without a UTC-offset
        # change, epoch seconds = the day's local midnight + wall seconds (and in range).
        tz = self.tz
        try:
            if start.tzinfo is tz:
                w = start - self._ref
                k = w.days
                if 0 <= k < self._ndays and (b := self._fast[k]) is not None:
                    s = b + w.seconds
                    us = w.microseconds
                else:
                    s, us = self._in_table(start, "start")
            else:
                s, us = self._in_table(start, "start")
        except (AttributeError, TypeError):  # not a datetime (e.g. a date or a time)
            raise InvalidInputError("start", "must be a datetime.datetime") from None
        n = self._n
        i = bisect_right(self._ends, s)
        if i == n:
            raise self._exhausted(s)
        st = self._starts[i]
        if st > s:  # closed: count from the next opening
            s = st
            us = 0
        off = self._off
        if not dd and not dus:
            return self._to_dt(s, us)
        target = s + off[i] + dd  # working seconds from the table start
        us += dus
        if us >= 1_000_000:
            target += 1
            us -= 1_000_000
        j = bisect_left(self._cumend, target + 1 if us else target, i)
        if j == n:
            raise self._exhausted(s)
        if us:
            return self._to_dt(target - off[j], us)
        return datetime.fromtimestamp(target - off[j], tz)

    def add_days(self, start: datetime, n: int) -> datetime:
        """Closing time of the ``n``-th working day after the local day of ``start``.

        Working-day clocks (DL-1 "within 3 days", DL-3).  The day of ``start``
        itself never counts, whatever the hour and whether or not it is a working
        day (as periods are counted in Chinese procedure law: the first day is not
        included): a complaint received on Friday or on Saturday with ``n = 3``
        is due at closing time on Wednesday of an ordinary week.  ``n = 0`` is
        :meth:`end_of_working_day`.

        :raises InvalidInputError: ``n`` is negative or not an int.
        :raises NoWorkingTimeError: the day is outside the table, or the n-th working day
            is beyond it.
        """
        if type(n) is not int:
            raise InvalidInputError("n", "must be an int")
        if n < 0:
            raise InvalidInputError("n", "must not be negative")
        try:
            if start.tzinfo is self.tz:  # fast path of _day_of, inlined: wall date = local day
                k = (start - self._ref).days
                if not (0 <= k < self._ndays and self._fast[k] is not None):
                    k = self._day_of(start, "start")
            else:
                k = self._day_of(start, "start")
        except (AttributeError, TypeError):  # not a datetime (e.g. a date or a time)
            raise InvalidInputError("start", "must be a datetime.datetime") from None
        if not n:
            return self._wd_close[self._first_working(k)]
        idx = self._cb[k + 1] + n - 1
        if idx >= len(self._wd_close):
            raise NoWorkingTimeError(
                f"fewer than {n} working days after {self._date(k).isoformat()} "
                f"in a calendar covering {self._years_text()}",
                extra={"years": self.years, "refused": self._ends_refused()},
            )
        return self._wd_close[idx]

    def end_of_working_day(self, t: datetime) -> datetime:
        """Closing time of ``t``'s local day if it is a working day, else of the next working day.

        "Same day" clocks (DL-2).  The result depends on the date only: for ``t``
        after closing time on a working day it is that day's closing time, which
        is earlier than ``t`` (use ``end_of_working_day(next_open(t))`` for "the
        working day on which it is first handled").
        """
        return self._wd_close[self._first_working(self._day_of(t, "t"))]

    def working_day_after(self, d: date, n: int) -> date:
        """The ``n``-th working day after date ``d`` (``d`` itself not counted); ``n = 0``: ``d``
        if it is a working day, else the next one.  Date form of :meth:`add_days` (DL-1)."""
        if type(n) is not int:
            raise InvalidInputError("n", "must be an int")
        if n < 0:
            raise InvalidInputError("n", "must not be negative")
        k = self._date_index(d, "d")
        if not n:
            return self._date(self._wd_day[self._first_working(k)])
        idx = self._cb[k + 1] + n - 1
        if idx >= len(self._wd_day):
            raise NoWorkingTimeError(
                f"fewer than {n} working days after {d.isoformat()} "
                f"in a calendar covering {self._years_text()}",
                extra={"years": self.years, "refused": self._ends_refused()},
            )
        return self._date(self._wd_day[idx])

    def is_working_day(self, d: date) -> bool:
        """Whether date ``d`` has any working time (holidays, 调休 and overrides applied)."""
        k = self._date_index(d, "d")
        return self._cb[k + 1] > self._cb[k]

    def between(self, a: datetime, b: datetime) -> timedelta:
        """Working time in ``[a, b)``, exactly; negative (``-between(b, a)``) when ``b < a``.

        Used for elapsed working time of a clock, its "at risk" share (DL-7) and
        paused periods (DL-8).  Both instants must lie within the table.
        """
        sa, ua = self._position(a, "a")
        sb, ub = self._position(b, "b")
        return timedelta(0, sb - sa, ub - ua)

    def next_open(self, t: datetime) -> datetime:
        """``t`` itself (in the calendar's zone) if it is open, else the next opening.

        :raises NoWorkingTimeError: ``t`` is outside the table or no working time follows it there.
        """
        s, us = self._in_table(t, "t")
        i = bisect_right(self._ends, s)
        if i == self._n:
            raise self._exhausted(s)
        st = self._starts[i]
        if st <= s:
            return self._to_dt(s, us)
        return datetime.fromtimestamp(st, self.tz)

    def is_open(self, t: datetime) -> bool:
        """Whether ``t`` is inside a working interval (closing times are closed)."""
        s, _ = self._in_table(t, "t")
        i = bisect_right(self._ends, s)
        return i < self._n and self._starts[i] <= s

    def add_elapsed(self, start: datetime, duration: timedelta) -> datetime:
        """Wall-clock (elapsed) addition, e.g. the 24 h forwarding limits of DL-3.

        Computed in UTC, so 24 hours across a DST change is exactly 86 400
        elapsed seconds (the local clock may then show 23:00 or 01:00).  Does not
        use the working-time table, so it works outside the table's years.
        """
        if not isinstance(duration, timedelta):
            raise InvalidInputError("duration", "must be a datetime.timedelta")
        if duration < timedelta(0):
            raise InvalidInputError("duration", "must not be negative")
        self._instant(start, "start")  # type and awareness check
        try:
            return (start.astimezone(_UTC) + duration).astimezone(self.tz)
        except OverflowError:
            raise InvalidInputError("duration", "result is out of datetime range") from None

    def intervals_on(self, d: date) -> tuple[tuple[datetime, datetime], ...]:
        """Working intervals of local date ``d`` as ``(open, close)`` pairs, DST applied."""
        k = self._date_index(d, "d")
        tz = self.tz
        return tuple(
            (datetime.fromtimestamp(a, tz), datetime.fromtimestamp(b, tz))
            for a, b in self._pieces[self._day_piece[k] : self._day_piece[k + 1]]
        )

    def coverage_warning(self) -> str:
        """One line on the years without make-up-day (调休) data, or ``""`` if none.

        Said once when the calendar is built (``HolidayDataWarning``) and kept
        by the desk (``Desk.calendar_warnings``) for the command line to show.
        """
        if not self.uncovered_years:
            return ""
        inside = sorted(y for y in self.uncovered_years if y <= self.years[1])
        beyond = sorted(y for y in self.uncovered_years if y > self.years[1])
        # each case one sentence, as the message catalogs translate it whole
        guessed = (
            f"the holiday source has no make-up-day (调休) data for {_span(inside)}: "
            "deadlines there count unannounced make-up working days as days off "
            "and unannounced bridge holidays as working days; type each year's days in "
            "([[calendar.by_year]] of the rule pack) once announced"
        )
        refused = (
            f"the holiday source has no make-up-day (调休) data for {_span(beyond)}: "
            "deadlines reaching those years are refused; type each year's days in "
            "([[calendar.by_year]] of the rule pack) once announced"
        )
        if inside and beyond:  # a host's table (WorkingCalendar.build) may have both
            return (
                f"the holiday source has no make-up-day (调休) data for {_span(inside)}: "
                "deadlines there count unannounced make-up working days as days off "
                "and unannounced bridge holidays as working days; nor for "
                f"{_span(beyond)}: deadlines reaching those years are refused; type each "
                "year's days in ([[calendar.by_year]] of the rule pack) once announced"
            )
        return guessed if inside else refused

    def __repr__(self) -> str:
        week = ", ".join(
            f"{_WEEKDAY_NAMES[i]} " + " ".join(str(w) for w in ws)
            for i, ws in enumerate(self.weekly)
            if ws
        )
        region = f"region={self.region!r}, " if self.region else ""
        return (
            f"WorkingCalendar(tz={self.tz.key!r}, {region}years={self.years!r}, weekly=[{week}], "
            f"holidays={len(self.holidays)}, workdays={len(self.workdays)}, "
            f"overrides={len(self.overrides)})"
        )

    # ------------------------------------------------------------------ internals

    def _instant(self, t: datetime, name: str) -> tuple[int, int]:
        """``t`` as (UTC epoch seconds, microseconds), exactly and without floats."""
        if not isinstance(t, datetime):
            raise InvalidInputError(name, "must be a datetime.datetime")
        tzi = t.tzinfo
        if tzi is self.tz:
            w = t - self._ref  # same tzinfo: wall-clock difference
            k = w.days
            if 0 <= k < self._ndays:
                b = self._fast[k]
                if b is not None:
                    return b + w.seconds, w.microseconds
        elif tzi is _UTC:
            w = t - _EPOCH
            return w.days * _DAY + w.seconds, w.microseconds
        if tzi is None:
            raise NaiveDatetimeError(name)
        try:
            w = t - _EPOCH
        except TypeError:  # a tzinfo whose utcoffset() is None: naive after all
            raise NaiveDatetimeError(name) from None
        return w.days * _DAY + w.seconds, w.microseconds

    def _in_table(self, t: datetime, name: str) -> tuple[int, int]:
        """:meth:`_instant`, refusing instants outside ``[start, end)`` of the table."""
        s, us = self._instant(t, name)
        if not self._t0 <= s < self._t1:
            raise self._outside(name, s)
        return s, us

    def _position(self, t: datetime, name: str) -> tuple[int, int]:
        """Working time from the table start to ``t`` as (seconds, microseconds)."""
        s, us = self._instant(t, name)
        if not self._t0 <= s <= self._t1 or (s == self._t1 and us):
            raise self._outside(name, s)
        i = bisect_right(self._ends, s)
        if i < self._n:
            st = self._starts[i]
            if st <= s:
                return self._cum[i] + s - st, us
        return self._cum[i], 0

    def _day_of(self, t: datetime, name: str) -> int:
        """Index of ``t``'s local day in the table."""
        if not isinstance(t, datetime):
            raise InvalidInputError(name, "must be a datetime.datetime")
        if t.tzinfo is self.tz:
            k = (t - self._ref).days
            if 0 <= k < self._ndays and self._fast[k] is not None:
                return k
        s, _ = self._in_table(t, name)
        return bisect_right(self._base, s) - 1

    def _first_working(self, k: int) -> int:
        """Index (among working days) of the first working day on or after day ``k``."""
        idx = self._cb[k]
        if idx >= len(self._wd_day):
            raise NoWorkingTimeError(
                f"no working day on or after {self._date(k).isoformat()} "
                f"in a calendar covering {self._years_text()}",
                extra={"years": self.years, "refused": self._ends_refused()},
            )
        return idx

    def _date_index(self, d: date, name: str) -> int:
        if not isinstance(d, date) or isinstance(d, datetime):
            raise InvalidInputError(name, "must be a datetime.date (not a datetime)")
        k = d.toordinal() - self._ord0
        if not 0 <= k < self._ndays:
            raise NoWorkingTimeError(
                f"{name}: {d.isoformat()} is outside the calendar ({self._years_text()})",
                extra={"years": self.years, "refused": self._ends_refused()},
            )
        return k

    def _to_dt(self, sec: int, us: int) -> datetime:
        r = datetime.fromtimestamp(sec, self.tz)
        if not us:
            return r
        if r.fold:  # second occurrence of a repeated hour: wall arithmetic would lose it
            return (_EPOCH + timedelta(0, sec, us)).astimezone(self.tz)
        return r + timedelta(0, 0, us)  # transitions fall on whole seconds

    def _date(self, k: int) -> date:
        return date.fromordinal(self._ord0 + k)

    def _years_text(self) -> str:
        first, last = self.years
        text = f"{first}-{last} in {self.tz.key}"
        refused = sorted(y for y in self.uncovered_years if y > last)
        if refused:
            text += (
                f"; {_span(refused)} refused: the holiday source has no make-up-day (调休) "
                "data there and the rule pack refuses such deadlines"
            )
        return text

    def _outside(self, name: str, s: int) -> NoWorkingTimeError:
        """``name`` is the argument's (``b``): a deadline's refusal leaves it out
        (``extra["argument"]``); the time is the calendar's wall clock."""
        when = datetime.fromtimestamp(s, self.tz).isoformat()
        return NoWorkingTimeError(
            f"{name}: {when} is outside the calendar ({self._years_text()})",
            extra={"years": self.years, "refused": self._ends_refused(), "argument": name},
        )

    def _exhausted(self, s: int) -> NoWorkingTimeError:
        when = datetime.fromtimestamp(s, self.tz).isoformat()
        return NoWorkingTimeError(
            f"not enough working time after {when} in the calendar ({self._years_text()})",
            extra={"years": self.years, "refused": self._ends_refused()},
        )

    def _ends_refused(self) -> bool:
        """Whether the table ends because the pack refuses the next year's missing
        make-up days (``uncovered_years = "refuse"``), not at its ``last_year``."""
        return any(y > self.years[1] for y in self.uncovered_years)

    def _windows_for(self, d: date, over: Mapping[date, tuple[Window, ...]]) -> tuple[Window, ...]:
        if d in over:
            return over[d]
        if d in self.holidays:
            return ()
        own = self.weekly[d.weekday()]
        if d in self.workdays and not own:
            made = self.weekly[self.makeup_weekday]
            if not made:
                raise InvalidInputError(
                    f"workdays[{d.isoformat()}]",
                    f"make-up day has no windows: weekday {self.makeup_weekday} "
                    "(makeup_weekday) has none; give overrides for it",
                )
            return made
        return own

    def _precompute(self) -> None:
        """Build the interval table, prefix sums and per-day indexes (once, at construction)."""
        tz = self.tz
        first, last = self.years
        d0 = date(first, 1, 1)
        ord0 = d0.toordinal()
        ndays = date(last + 1, 1, 1).toordinal() - ord0
        over = dict(self.overrides)

        def local(day: date, secs: int) -> int:
            """Epoch seconds of a local wall time (fold=0), exactly."""
            if secs == _DAY:
                day = date.fromordinal(day.toordinal() + 1)
                secs = 0
            h, rest = divmod(secs, 3600)
            m, sec = divmod(rest, 60)
            w = datetime(day.year, day.month, day.day, h, m, sec, tzinfo=tz) - _EPOCH
            return w.days * _DAY + w.seconds

        def offset(s: int) -> timedelta | None:
            return datetime.fromtimestamp(s, tz).utcoffset()

        base = [local(date.fromordinal(ord0 + k), 0) for k in range(ndays + 1)]
        fast: list[int | None] = []
        for k in range(ndays):
            b = base[k]
            # A day of 24 hours has the same offset at both midnights; a zone that
            # changed and changed back within the day would show it at noon.
            regular = base[k + 1] - b == _DAY and offset(b) == offset(b + _DAY // 2)
            fast.append(b if regular else None)

        pieces: list[tuple[int, int]] = []
        day_piece = [0]
        last_end = base[0]
        for k in range(ndays):
            d = date.fromordinal(ord0 + k)
            b0 = fast[k]
            for ws, we in self._windows_for(d, over):
                if b0 is not None:
                    ua, ub = b0 + ws, b0 + we
                else:
                    ua, ub = local(d, ws), local(d, we)
                ua = max(ua, last_end)
                if ua < ub:
                    pieces.append((ua, ub))
                    last_end = ub
            day_piece.append(len(pieces))

        if not pieces:
            raise NoWorkingTimeError(
                f"the calendar has no working time in {first}-{last}: "
                "weekly has no windows and no override or make-up day adds any",
                extra={"years": (first, last)},
            )

        starts: list[int] = []
        ends: list[int] = []
        for a, b in pieces:
            if ends and ends[-1] == a:  # adjacent: one interval
                ends[-1] = b
            else:
                starts.append(a)
                ends.append(b)
        cum = [0]
        for a, b in zip(starts, ends, strict=True):
            cum.append(cum[-1] + b - a)
        cumend = cum[1:]

        cb = [0]
        wd_day: list[int] = []
        wd_close: list[datetime] = []
        for k in range(ndays):
            if day_piece[k + 1] > day_piece[k]:
                wd_day.append(k)
                wd_close.append(datetime.fromtimestamp(pieces[day_piece[k + 1] - 1][1], tz))
            cb.append(len(wd_day))

        set_ = object.__setattr__
        set_(self, "_ref", datetime(first, 1, 1, tzinfo=tz))
        set_(self, "_ord0", ord0)
        set_(self, "_ndays", ndays)
        set_(self, "_base", tuple(base))
        set_(self, "_fast", tuple(fast))
        set_(self, "_t0", base[0])
        set_(self, "_t1", base[ndays])
        set_(self, "_starts", tuple(starts))
        set_(self, "_ends", tuple(ends))
        set_(self, "_cum", tuple(cum))
        set_(self, "_cumend", tuple(cumend))
        set_(self, "_off", tuple(c - a for c, a in zip(cum, starts, strict=False)))
        set_(self, "_n", len(starts))
        set_(self, "_pieces", tuple(pieces))
        set_(self, "_day_piece", tuple(day_piece))
        set_(self, "_cb", tuple(cb))
        set_(self, "_wd_day", tuple(wd_day))
        set_(self, "_wd_close", tuple(wd_close))


# ---------------------------------------------------------------------- validation


def _zone(tz: object) -> ZoneInfo:
    if isinstance(tz, ZoneInfo):
        return tz
    if not isinstance(tz, str):
        raise InvalidInputError("tz", "must be an IANA zone name or a zoneinfo.ZoneInfo")
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInputError("tz", f"unknown time zone {tz!r}") from None


def _span(years: Sequence[int]) -> str:
    """``2027-2030`` for a run of years, ``2027, 2029`` otherwise."""
    if len(years) > 1 and years[-1] - years[0] == len(years) - 1:
        return f"{years[0]}-{years[-1]}"
    return ", ".join(str(y) for y in years)


def _uncovered(values: object, first: int) -> frozenset[int]:
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise InvalidInputError("uncovered_years", "must be an iterable of int years")
    out = frozenset(values)
    for year in out:
        if not _is_int(year) or year < first:
            raise InvalidInputError("uncovered_years", "must be int years from the first year on")
    return out


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _years(years: object) -> tuple[int, int]:
    if not isinstance(years, Sequence) or isinstance(years, str) or len(years) != 2:
        raise InvalidInputError("years", "must be a (first, last) pair of years")
    first, last = years
    if not (_is_int(first) and _is_int(last)):
        raise InvalidInputError("years", "years must be ints")
    if not _MIN_YEAR <= first <= last <= _MAX_YEAR:
        raise InvalidInputError(
            "years", f"need {_MIN_YEAR} <= first <= last <= {_MAX_YEAR}, got ({first}, {last})"
        )
    if last - first >= _MAX_SPAN_YEARS:
        raise InvalidInputError("years", f"a table spans at most {_MAX_SPAN_YEARS} years")
    return first, last


def _weekday(value: object, path: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 6:
        return value
    raise InvalidInputError(path, "must be a weekday number 0 (Monday) .. 6 (Sunday)")


def _fmt_clock(secs: int) -> str:
    h, rest = divmod(secs, 3600)
    m, s = divmod(rest, 60)
    return f"{h:02d}:{m:02d}" + (f":{s:02d}" if s else "")


def _clock(value: object, path: str, *, is_end: bool) -> int:
    """A wall-clock time as seconds after midnight; "24:00" only as an end."""
    if isinstance(value, time):
        if value.tzinfo is not None:
            raise InvalidInputError(path, "window times are local wall-clock times: no tzinfo")
        if value.microsecond:
            raise InvalidInputError(path, "window times have whole seconds")
        return value.hour * 3600 + value.minute * 60 + value.second
    if isinstance(value, str):
        parts = value.split(":")
        if len(parts) in (2, 3) and all(len(p) == 2 and p.isdigit() for p in parts):
            h, m = int(parts[0]), int(parts[1])
            s = int(parts[2]) if len(parts) == 3 else 0
            if h == 24 and m == 0 and s == 0:
                if is_end:
                    return _DAY
                raise InvalidInputError(path, "24:00 can only end a window")
            if h < 24 and m < 60 and s < 60:
                return h * 3600 + m * 60 + s
        raise InvalidInputError(path, f"not a wall-clock time 'HH:MM[:SS]': {value!r}")
    raise InvalidInputError(path, "must be a datetime.time or an 'HH:MM[:SS]' string")


def _window(value: object, path: str) -> Window:
    if isinstance(value, Window):
        start, end = value
        if not (_is_int(start) and _is_int(end)):
            raise InvalidInputError(path, "Window edges are ints (seconds after midnight)")
        if not 0 <= start < _DAY or not 0 < end <= _DAY:
            raise InvalidInputError(path, "Window edges must lie within the day")
    elif isinstance(value, Sequence) and not isinstance(value, str) and len(value) == 2:
        start = _clock(value[0], f"{path}.start", is_end=False)
        end = _clock(value[1], f"{path}.end", is_end=True)
    else:
        raise InvalidInputError(path, "a window is a (start, end) pair")
    if not start < end:
        raise InvalidInputError(
            path,
            f"start must be before end on the same day ({_fmt_clock(start)}-{_fmt_clock(end)})",
        )
    return Window(start, end)


def _windows(value: object, path: str) -> tuple[Window, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidInputError(path, "must be a sequence of (start, end) windows")
    wins = sorted(_window(w, f"{path}[{i}]") for i, w in enumerate(value))
    for prev, nxt in pairwise(wins):
        if nxt.start < prev.end:
            raise InvalidInputError(path, f"windows {prev} and {nxt} overlap")
    return tuple(wins)


def _weekly(weekly: object) -> tuple[tuple[Window, ...], ...]:
    if not isinstance(weekly, Mapping):
        raise InvalidInputError("weekly", "must map weekday numbers 0..6 to windows")
    week: list[tuple[Window, ...]] = [() for _ in range(7)]
    for key, wins in weekly.items():
        day = _weekday(key, f"weekly[{key!r}]")
        week[day] = _windows(wins, f"weekly[{day}]")
    return tuple(week)


def _date_value(value: object, path: str, first: int, last: int) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidInputError(path, "must be a datetime.date (not a datetime)")
    if not first <= value.year <= last:
        raise InvalidInputError(
            f"{path}[{value.isoformat()}]", f"outside the calendar's years {first}-{last}"
        )
    return value


def _dates(values: object, path: str, first: int, last: int) -> frozenset[date]:
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise InvalidInputError(path, "must be an iterable of dates")
    return frozenset(_date_value(v, path, first, last) for v in values)


def _overrides(
    overrides: object, first: int, last: int
) -> tuple[tuple[date, tuple[Window, ...]], ...]:
    if overrides is None:
        return ()
    if not isinstance(overrides, Mapping):
        raise InvalidInputError("overrides", "must map dates to windows")
    out = []
    for d, wins in overrides.items():
        day = _date_value(d, "overrides", first, last)
        out.append((day, _windows(wins, f"overrides[{day.isoformat()}]")))
    return tuple(sorted(out))
