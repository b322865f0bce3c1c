"""Deadline clocks and duties as a pure function of a complaint's events (DL-1..8, IN-5).

Each clock the rule pack declares is replayed over the event log: it starts at
the first event carrying one of its ``start`` tags, stops at one carrying a
``stop`` tag, and does not run while the complaint is paused if the pack says
so (DL-8).  Every mode is reduced to a *budget* measured either in elapsed time
or in working time on the pack's calendar, so pauses extend a deadline by
exactly the time they took, and the result can be explained step by step.

A *duty* (:class:`~complaintcore.core.rulepack.DutySpec`) is replayed the same
way, with two differences: closing the complaint does not end it, and it may
start at the moment a clock's deadline passed (``breached:<clock>``), which is
derived here from the clock's own replay, not from a stored event.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Hashable, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from typing import ClassVar, Protocol

import attrs

from complaintcore.core.derivation import DerivationStep, StepValue, Tag, Worked
from complaintcore.core.errors import InvalidInputError, NoWorkingTimeError
from complaintcore.core.grading import add_months
from complaintcore.core.models import (
    Closed,
    Complaint,
    Event,
    Extended,
    LabelledEnum,
    Promised,
    Registered,
    Responded,
    Trigger,
    Visited,
    as_instant,
    in_zone,
    require_aware,
    tagged_events,
)
from complaintcore.core.rulepack import (
    ClockMode,
    ClockSpec,
    Duration,
    DutySpec,
    ReopenPolicy,
    RulePack,
)
from complaintcore.core.stages import acknowledge_clocks

__all__ = [
    "BREACHED_TAG",
    "ClockState",
    "ClockStatus",
    "DutyStatus",
    "ReceiptBound",
    "WorkingTime",
    "breached_clocks",
    "breached_duties",
    "compute_clock",
    "compute_clocks",
    "compute_duties",
    "counted_from",
    "history_key",
    "holding_closure",
    "receipt_bound",
]

BREACHED_TAG = "breached:"
"""Prefix of the derived tag ``breached:<clock>``: the moment a clock's deadline passed."""

_ZERO = timedelta(0)


class WorkingTime(Protocol):
    """What the clocks need from a calendar (a :class:`WorkingCalendar`).

    ``tz`` is the zone whose dates and months the clocks count in.
    """

    @property
    def tz(self) -> tzinfo: ...

    def add(self, start: datetime, duration: timedelta) -> datetime: ...
    def between(self, a: datetime, b: datetime) -> timedelta: ...
    def add_days(self, start: datetime, n: int) -> datetime: ...
    def end_of_working_day(self, t: datetime) -> datetime: ...
    def next_open(self, t: datetime) -> datetime: ...


class ClockState(LabelledEnum):
    """DL-7: where a clock stands at ``now``."""

    NOT_STARTED = "not_started", "未开始", "not started"
    RUNNING = "running", "计时中", "running"
    AT_RISK = "at_risk", "即将超时", "at risk"
    BREACHED = "breached", "已超时", "breached"
    PAUSED = "paused", "暂停", "paused"
    MET = "met", "按时完成", "met"
    MISSED = "missed", "超时完成", "met late"
    WAIVED = "waived", "无需办理", "not owed"


@attrs.frozen
class ClockStatus:
    """One clock at ``now``: state, due time, time used and left, and why."""

    name: str
    rule: str
    state: ClockState
    started_at: datetime | None
    due: datetime | None
    at_risk_from: datetime | None
    used: timedelta
    left: timedelta
    budget: timedelta
    stopped_at: datetime | None
    derivation: tuple[str, ...]
    run: int = 0
    steps: tuple[DerivationStep, ...] = ()
    """The derivation as data, for showing it in another language (``derivation`` is English)."""
    breaches: tuple[datetime, ...] = ()
    """Every moment a run of this clock passed its due time unmet, oldest first: one
    per run (a run extended after its due time keeps the due time it missed)."""
    superseded: int = 0
    """Runs replaced by a new agreed time before they were due (DL-5, VIS-2): a
    promise moved in time is one promise with its later run, neither met nor missed."""
    lapsed: int = 0
    """Earlier runs that lapsed in time: ended by an event that both stops the run
    and waives it (REC-6: a sign-off whose record was reopened before it was due),
    so nothing was done and nothing was late: neither met nor missed; or a run owed
    by nobody that a ``restart`` replaced (HOC 1.5: a request raised as a complaint).
    One that lapsed after its due time is missed (the breach stands, DL-7), not
    counted here."""
    handed_on: tuple[tuple[datetime, int], ...] = ()
    """Runs a ``restart`` ended after their due time had passed (DL-3: a department
    that missed its 3 days, then passed the complaint on): when each was breached,
    and its run number.  Their breach stands (ESC-2, ESC-6) though the clock now
    runs for the next holder."""
    replaced: tuple[tuple[datetime, int], ...] = ()
    """Runs a new agreed time replaced after their due time had passed (DL-5: a
    promise broken, then a new one made, before a sweep saw it): when each was
    breached, and its run number.  Their breach stands (DL-7) and a sweep escalates
    each once (ESC-2), as it would have while it ran, unless the complaint is
    closed first (the closure ends what it owed the ladder, a reopening does not
    bring it back: re-review s54R16); ``handed_on`` without the late department's
    report (ESC-6), which is for hand-overs."""
    late_since: datetime | None = None
    """The open run's breach, when an extension given after its due time moved that
    on: the clock shows running or at risk again (breached if the new due time
    passes too), but the run still counts as missed, this breach stays in
    ``breaches``, and a sweep escalates the run for it once, not again (DL-7, ESC-2)."""
    discharged: bool = False
    """A ``waived`` run whose waivers all mean the work was done (:attr:`Waiver.discharges`,
    DL-6: a satisfied return visit), not that nobody owed it: the month's timeliness
    counts it met (IMP-2; review s58R5 F01).  Read only with ``state`` ``waived``."""
    unacknowledged: bool = False
    """The run is a stage's acknowledgement clock (``acknowledge_clock``) that the
    closure after the stage's response ended, with no acknowledgement given: it
    reads ``missed`` (never acknowledged), whether the response came before its due
    time (no breach listed for it) or after (its breach listed), as the monthly
    report and ``report --period`` count it (HOC 6.2, 6.11; review s48F F01)."""

    @property
    def is_breached(self) -> bool:
        """Past due and still running: the breach that triggers escalation (ESC-2)."""
        return self.state is ClockState.BREACHED

    @property
    def on_time(self) -> bool | None:
        """For statistics: met or missed once stopped, unknown while running."""
        if self.state is ClockState.MET:
            return True
        if self.state is ClockState.MISSED:
            return False
        return None

    @property
    def is_open(self) -> bool:
        return self.state in _OPEN_CLOCK_STATES


_OPEN_CLOCK_STATES = (
    ClockState.RUNNING,
    ClockState.AT_RISK,
    ClockState.BREACHED,
    ClockState.PAUSED,
)


def _utc(t: datetime) -> datetime:
    """A time as a UTC instant: what every comparison and difference of two times
    here is made on.  Python compares and subtracts two datetimes of one ``tzinfo``
    object (``ZoneInfo`` instances are cached) by wall time, ignoring ``fold``: in
    the hour a zone repeats 01:45 BST reads after 01:15 GMT, and a time in the hour
    it skips sits an hour away from its instant (review s48B F02)."""
    return t.astimezone(UTC)


def _after(a: datetime, b: datetime) -> bool:
    """Whether instant ``a`` comes after instant ``b`` (compared in UTC, see :func:`_utc`)."""
    return _utc(a) > _utc(b)


def _breach_at(due: datetime | None, at: datetime) -> datetime:
    """When a run found late at ``at`` passed its due time: the due time, if it has
    come by ``at`` (as instants), else ``at`` itself."""
    return due if due is not None and not _after(due, at) else at


@attrs.define
class _Measure:
    """Elapsed or working time, with the matching way to move forward."""

    working: bool
    calendar: WorkingTime

    def span(self, a: datetime, b: datetime) -> timedelta:
        if _utc(b) <= _utc(a):
            return _ZERO
        return self.calendar.between(a, b) if self.working else _utc(b) - _utc(a)

    def advance(self, t: datetime, d: timedelta) -> datetime:
        """``d`` of this measure after ``t``, in the calendar's zone: an elapsed-time
        due time as a working-time one is given, whatever offset ``t`` was typed with
        (review s49O F02: a receipt typed in UTC gave IN-5 and DL-6 a UTC due time,
        whose date is a day early in Beijing)."""
        if self.working:
            return self.calendar.add(t, d)
        return (_utc(t) + d).astimezone(self.calendar.tz)


def _step(message: str, /, **values: StepValue) -> DerivationStep:
    """A derivation step: an English template (the catalogs' msgid) and its values."""
    return DerivationStep.of(message, **values)


_SAME_EVENT = _step("the same event")
"""What stops a clock started and met by one event (IN-5 registered by customer service)."""

_DONE_BEFORE = _step("what it waits for, done before it started")
"""What meets a clock whose ``met_if_earlier`` event came first (DL-3: already assigned)."""

_CLOSED_BEFORE = _step("set off after the complaint was closed")
"""What lapses a clock an event after closure would start: nothing is owed by it."""

_REOPENING = frozenset({"reopened", "escalation_requested"})
"""Event kinds that take a closed complaint back into handling."""

_UNEXPLAINED = DerivationStep.of("")
"""What :func:`_budget` says when nobody asked for the derivation (the projection's
clocks, many per complaint at intake): nothing, built once."""


def _nstep(singular: str, plural: str, /, **values: StepValue) -> DerivationStep:
    return DerivationStep.counted(singular, plural, **values)


def _budget(
    spec: ClockSpec,
    start: datetime,
    calendar: WorkingTime,
    promise: datetime | None,
    explain: bool = True,
) -> tuple[_Measure, timedelta, DerivationStep]:
    """Reduce a mode to a budget; the step says how it was reckoned (if ``explain``)."""
    d = spec.duration
    mode = spec.mode
    if mode is ClockMode.WALL:
        return (
            _Measure(False, calendar),
            d.timedelta,
            _step("{time} of elapsed time", time=d.timedelta) if explain else _UNEXPLAINED,
        )
    if mode is ClockMode.WORKING_TIME:
        return (
            _Measure(True, calendar),
            d.timedelta,
            _step("{time} of working time", time=d.timedelta) if explain else _UNEXPLAINED,
        )
    if mode is ClockMode.WORKING_DAYS:
        end = calendar.add_days(start, d.days)
        if not explain:
            return _Measure(True, calendar), calendar.between(start, end), _UNEXPLAINED
        return (
            _Measure(True, calendar),
            calendar.between(start, end),
            _nstep(
                "{count} working day: until {end} if never paused",
                "{count} working days: until {end} if never paused",
                count=d.days,
                end=end,
            ),
        )
    if mode is ClockMode.SAME_DAY:
        # After closing time "the same day" can only mean the next working day's end.
        end = calendar.end_of_working_day(calendar.next_open(start))
        if not explain:
            return _Measure(True, calendar), calendar.between(start, end), _UNEXPLAINED
        return (
            _Measure(True, calendar),
            calendar.between(start, end),
            _step("the same working day: until {end}", end=end),
        )
    if mode is ClockMode.MONTHS:
        end = add_months(in_zone(start, calendar.tz), d.months)  # months of the calendar's zone
        if not explain:
            return _Measure(False, calendar), _utc(end) - _utc(start), _UNEXPLAINED
        return (
            _Measure(False, calendar),
            _utc(end) - _utc(start),
            _nstep(
                "{count} calendar month: until {end}",
                "{count} calendar months: until {end}",
                count=d.months,
                end=end,
            ),
        )
    if promise is None:
        raise InvalidInputError(f"clocks.{spec.name}", "a promise clock needs a promised time")
    return (
        _Measure(False, calendar),
        max(_utc(promise) - _utc(start), _ZERO),
        _step(
            "the time agreed with the complainant: {agreed} ({rule})",
            agreed=promise,
            rule="VIS-2" if mode is ClockMode.APPOINTED else "DL-5",
        ),
    )


def _agreed(ev: Event, mode: ClockMode) -> datetime | None:
    """The time an event agrees with the complainant, for the clocks that run to it."""
    if mode is ClockMode.PROMISED and isinstance(ev, Promised):
        return ev.due
    if mode is ClockMode.APPOINTED and isinstance(ev, Visited):
        return ev.reply_due
    return None


@attrs.define
class _Run:
    """One clock's replay state; lives only inside :func:`compute_clock`."""

    spec: ClockSpec
    calendar: WorkingTime
    explain: bool = True
    steps: list[DerivationStep] = attrs.Factory(list)
    started: datetime | None = None
    running_since: datetime | None = None
    stopped: datetime | None = None
    late: bool = False
    used: timedelta = _ZERO
    budget: timedelta = _ZERO
    due: datetime | None = None
    measure: _Measure | None = None
    runs: int = 0
    breaches: list[datetime] = attrs.Factory(list)
    superseded: int = 0
    """Runs replaced in time by a new agreed time (DL-5): one promise with the next run."""
    handed_on: list[tuple[datetime, int]] = attrs.Factory(list)
    """(breach moment, run) of each run a ``restart`` ended late (DL-3, ESC-6)."""
    replaced: list[tuple[datetime, int]] = attrs.Factory(list)
    """(breach moment, run) of each run a new agreed time replaced late (DL-5, DL-7)."""
    extra: int = 0
    """Working days or months this run has been extended by (``Extended`` events)."""
    waived: datetime | None = None
    """When a ``waive`` event left the clock's work owed by nobody (None: owed)."""
    late_when_waived: tuple[datetime | None, timedelta] | None = None
    """The run's due time and time used when it was waived, if it was late by then."""
    discharged: bool = False
    """Every waiver holding means the work was done (:attr:`ClockStatus.discharged`)."""
    paused_late: bool = False
    """Paused after its due time: the breach stands at that time while it waits and
    once it resumes (DL-7), unless an extension gives it time again."""
    late_since: datetime | None = None
    """This run's breach, noted when an extension given after its due time moved
    that on: the run stays missed and its breach in ``breaches``, once (DL-7)."""
    lapsed_now: bool = False
    """This run lapsed in time (see :attr:`ClockStatus.lapsed`); a later lifting of
    the waiver does not bring it back: it ended with nothing done."""
    lapsed: int = 0
    """Earlier runs that lapsed in time (:attr:`ClockStatus.lapsed`)."""
    unacknowledged: bool = False
    """This run ended unacknowledged (:attr:`ClockStatus.unacknowledged`)."""
    early: tuple[datetime, str] | None = None
    """The first start event that came before the duty's ``applies_from`` (its time
    and tag): it started no run, and a duty never started says so."""

    def say(self, message: str, /, **values: StepValue) -> None:
        """Record a derivation step (an English template and its values) when explaining.

        Time used or budgeted on a working-time measure is marked :class:`Worked`, so
        a reader is told those are working hours, not hours on the clock (DL-1).
        """
        if self.explain:
            if self.measure is not None and self.measure.working:
                values = {
                    k: Worked(v) if isinstance(v, timedelta) else v for k, v in values.items()
                }
            self.steps.append(DerivationStep.of(message, **values))

    def begin(
        self,
        at: datetime,
        why: str | DerivationStep,
        promise: datetime | None,
        paused: bool,
        *,
        fresh: bool = False,
    ) -> bool:
        """Start a run; True if it replaced an open run that was late (its breach stands).

        ``fresh``: the open run was owed by nobody until now and is dropped, neither
        met nor missed (a request raised as a complaint, HOC 1.5); the caller passes
        it only for a run that was not late when waived (review s58RR2 F01)."""
        replaced_late = False
        if fresh:
            self.lapsed += 1  # neither met nor missed (review s58RR2 F01)
        elif self.started is not None and self.stopped is None:
            # a run replaced while still open (a new promise): broken if already late,
            # else moved in time: one promise, counted with the run that replaces it
            self.settle(at)
            replaced_late = self.late or self.used > self.budget
            if replaced_late and self.late_since is None:
                self.broken(at)
            elif not replaced_late:
                self.superseded += 1
        elif self.stopped is not None and self.lapsed_now:
            self.lapsed += 1
        self.lapsed_now = self.unacknowledged = False
        self.started, self.stopped, self.used, self.late = at, None, _ZERO, False
        self.paused_late, self.late_since = False, None
        self.extra = 0
        self.late_when_waived = None  # a run begun while waived was not late then
        self.runs += 1
        self.measure, self.budget, how = _budget(
            self.spec, at, self.calendar, promise, self.explain
        )
        if self.explain:
            self.say(
                "{at} started by {cause}; budget {budget}", at=at, cause=_cause(why), budget=how
            )
        self.running_since = None
        if paused and self.spec.pausable:
            self.say("{at} complaint is paused: the clock waits (DL-8)", at=at)
        else:
            self.run_from(at)
        return replaced_late

    def extend(self, at: datetime, by: Duration) -> None:
        """An extension: the budget grows as if the clock had been that much longer.

        A working-day clock extended by 10 days is due at the close of the
        (n + 10)-th working day after its start; months count on the calendar.
        An extension given after the due time moves it on, but the run stays late:
        its breach is noted then, at the due time it missed, and once (DL-7).
        """
        assert self.started is not None
        spec, cal, start = self.spec, self.calendar, self.started
        running = self.running_since is not None
        if running:
            self.settle(at)  # late from here if its due time has passed
        if (self.late or self.used > self.budget) and self.late_since is None:
            self.late = True
            self.broken(at)
            self.late_since = self.breaches[-1]
            self.say(
                "{at} extended after its due time {due}: the breach stands (DL-7)",
                at=at,
                due=self.late_since,
            )
        if spec.mode is ClockMode.WORKING_DAYS:
            self.extra += by.days
            self.budget = cal.between(start, cal.add_days(start, spec.duration.days + self.extra))
        elif spec.mode is ClockMode.MONTHS:
            self.extra += by.months
            end = add_months(in_zone(start, cal.tz), spec.duration.months + self.extra)
            self.budget = _utc(end) - _utc(start)
        else:
            self.budget += by.timedelta
        if self.paused_late and self.budget > self.used:
            self.paused_late = False  # time again: due when it resumes (DL-8)
        if running:
            self.run_from(at)
            self.say("{at} extended by {by}; due {due}", at=at, by=str(by), due=_due(self.due))
        else:
            self.say("{at} extended by {by} while paused", at=at, by=str(by))

    def run_from(self, at: datetime) -> None:
        """(Re)start running; the due time is what is left of the budget from here."""
        assert self.measure is not None
        self.running_since = at
        left = self.budget - self.used
        if left >= _ZERO:
            self.due = self.measure.advance(at, left)

    def settle(self, at: datetime) -> None:
        """Stop running at ``at``, counting the time used."""
        assert self.measure is not None
        if self.running_since is not None:
            self.used += self.measure.span(self.running_since, at)
            if self.due is not None and _after(at, self.due):
                self.late = True
        self.running_since = None

    def waive(self, at: datetime, why: str) -> None:
        """From ``at`` the work is owed by nobody (DL-3: the complaint was judged
        invalid).  The replay goes on, so work done meanwhile counts if the waiver
        is lifted; a run already late now keeps its breach (DL-7)."""
        if self.waived is not None:
            return
        self.waived = at
        self.say("{at} not owed ({cause})", at=at, cause=_cause(why))
        if self.started is None or self.stopped is not None or self.measure is None:
            return
        used = self.used
        if self.running_since is not None:
            used += self.measure.span(self.running_since, at)
        running_late = (
            self.running_since is not None and self.due is not None and _after(at, self.due)
        )
        if self.late or used > self.budget or running_late:
            self.late_when_waived = (self.due, used)

    def lift(self, at: datetime, why: str) -> None:
        """Owed again from ``at``, as the replay stands: the time waived counts."""
        if self.waived is not None:
            self.waived, self.late_when_waived, self.discharged = None, None, False
            self.say("{at} owed again ({cause})", at=at, cause=_cause(why))

    def broken(self, at: datetime) -> None:
        """Note when this run passed its due time (for ``breached:<clock>``)."""
        self.breaches.append(_breach_at(self.due, at))

    def stop(
        self,
        at: datetime,
        why: str | DerivationStep,
        lapse: bool = False,
        unacknowledged: bool = False,
    ) -> None:
        """End the run: met or missed; or, if ``lapse`` (the event that stops it also
        waives it: REC-6, a reopened record is signed by nobody) and in time, neither;
        or, if ``unacknowledged`` (a stage's acknowledgement clock ended by the
        closure after the stage's response), missed: never acknowledged, in time or
        not (HOC 6.2, 6.11).  Its breach is listed only if its due time had passed."""
        self.settle(at)
        self.stopped = at
        self.late = self.late or self.used > self.budget
        if self.late and self.late_since is None:  # noted already when extended late
            self.broken(at)
        cause, used, budget = _cause(why), self.used, self.budget
        self.lapsed_now = lapse and not self.late
        self.unacknowledged = unacknowledged
        if unacknowledged:
            self.late = True
            self.say(
                "{at} stopped by {cause} after the stage's response; never acknowledged: missed",
                at=at,
                cause=cause,
            )
        elif self.lapsed_now:
            self.say("{at} lapsed ({cause}): neither met nor missed", at=at, cause=cause)
        elif self.late:
            self.say(
                "{at} stopped by {cause}; used {used} of {budget}: missed",
                at=at,
                cause=cause,
                used=used,
                budget=budget,
            )
        else:
            self.say(
                "{at} stopped by {cause}; used {used} of {budget}: met",
                at=at,
                cause=cause,
                used=used,
                budget=budget,
            )


def _cause(why: str | DerivationStep) -> Tag | DerivationStep:
    """What started or stopped a clock: an event kind, or a phrase."""
    return Tag(why) if isinstance(why, str) else why


def compute_clock(
    complaint: Complaint,
    spec: ClockSpec,
    calendar: WorkingTime,
    now: datetime,
    *,
    explain: bool = True,
) -> ClockStatus:
    """Replay one clock over the events up to ``now`` (DL-1..8).

    A running clock is breached once ``now`` is past its due time, judged by the
    clock, not by working time used: at 18:01 on the due day no more working
    time has passed, but the deadline has (DL-7).
    """
    require_aware(now, "now")
    if _breach_starts(spec) and not isinstance(spec, DutySpec):
        raise InvalidInputError(
            "spec",
            f"clock {spec.name} starts when another clock's deadline passes:"
            " compute it with compute_clocks and its pack",
        )
    if isinstance(spec, DutySpec) and not spec.owed_on(complaint.intake.channel):
        return _other_channel(spec)
    return _replay(_tagged(complaint, now), spec, calendar, now, explain)


def _tagged(complaint: Complaint, now: datetime) -> list[tuple[Event, frozenset[str]]]:
    """The events up to ``now`` with their tags, computed once for every clock.

    Registration counts from the receipt (IN-5 "within 24 hours of receipt",
    DL-6 "one month after receipt"): a complaint entered after it was received
    starts its clocks when it was received, not when it was typed in.
    """
    global _last_tagged
    last = _last_tagged
    if last[0] is complaint and last[1] is now:  # clocks, then duties, of one complaint
        return list(last[2])
    out = []
    cut = as_instant(now)  # an instant: events may share now's zone (review s41G F02)
    for ev, tags in tagged_events(complaint.events):
        if ev.at > cut:
            break
        if isinstance(ev, Registered):
            ev = _from_receipt(ev, complaint.intake.received_at)
        out.append((ev, tags))
    _last_tagged = (complaint, now, tuple(out))
    return out


_last_tagged: tuple[object, object, tuple[tuple[Event, frozenset[str]], ...]] = (None, None, ())
"""The last complaint and time tagged, and their tagged events (both immutable: the
same objects, the same answer)."""


def counted_from(registered: Registered, received_at: datetime) -> datetime:
    """When the clocks a registration starts begin: at the receipt, when that came
    first (IN-5 "of receipt", DL-6 "after receipt"); the registration's own time
    otherwise (the same instant in another zone keeps the registration's)."""
    return received_at if as_instant(received_at) < as_instant(registered.at) else registered.at


def _from_receipt(ev: Registered, received_at: datetime) -> Registered:
    """The registration as the clocks see it (:func:`counted_from`)."""
    if counted_from(ev, received_at) is ev.at:  # not ==: one zone's times compare by wall
        return ev
    return _Received(
        at=received_at,
        actor=ev.actor,
        unit=ev.unit,
        time_barred=ev.time_barred,
        via_head_office=ev.via_head_office,
        other_site=ev.other_site,
        registered_at=ev.at,
    )


@attrs.frozen(kw_only=True)
class _Received(Registered):
    """Derived, never stored: a registration entered after its receipt, moved back to it."""

    registered_at: datetime


def history_key(complaint: Complaint, now: datetime, *, receipt: bool = True) -> Hashable:
    """All that the clocks and duties read of a complaint at ``now``, as one value.

    Two complaints with equal keys have equal clocks and duties (for one pack and
    calendar), so bulk intake, whose complaints share ``now`` and the shape of
    their first events, computes them once for many.  Times carry their zones:
    due times are given in the zone of the event that started the clock.
    ``receipt=False`` keeps the registration at its own time: what every clock
    and duty but the :func:`receipt_bound` ones reads.
    Keep it in step with :func:`_run` and :func:`_status` (what they read).
    """
    require_aware(now, "now")
    zoned = _zoned(now)
    # a duty may be owed for some channels only (DutySpec.channels, REC-6)
    out: list[Hashable] = [zoned, complaint.intake.channel]
    last = now  # the events of one command share one time object: zone it once
    cut = as_instant(now)
    for ev in complaint.events:
        at = ev.at
        if at > cut:
            break
        if receipt and isinstance(ev, Registered):  # as _tagged: it counts from the receipt
            at = counted_from(ev, complaint.intake.received_at)
        if at is not last:
            last, zoned = at, _zoned(at)
        if isinstance(ev, Promised):
            extra: Hashable = _zoned(ev.due)
        elif isinstance(ev, Visited):
            extra = _zoned(ev.reply_due) if ev.reply_due is not None else None
        elif isinstance(ev, Extended):
            extra = (ev.clock, ev.by)
        else:
            extra = None
        out.append((type(ev), zoned, ev.tags(), extra))
    return tuple(out)


def _zoned(t: datetime) -> Hashable:
    """A time, its zone and offset: equal wall times in one zone may differ (DST folds)."""
    return (t, t.tzinfo, t.tzname(), t.utcoffset())


def _replay(
    events: Sequence[tuple[Event, frozenset[str]]],
    spec: ClockSpec,
    calendar: WorkingTime,
    now: datetime,
    explain: bool,
    seen: frozenset[str] | None = None,
    acknowledges: frozenset[str] = frozenset(),
    *,
    pack: RulePack | None = None,
) -> ClockStatus:
    """One clock or duty at ``now``; ``seen`` (every tag of ``events``) lets a clock
    whose start never happened be answered without replaying (most of them, at intake).
    ``acknowledges``: the stages whose acknowledgement the clock times (:func:`_run`).
    ``pack``: whose ``[calendar]`` years a refusal compares the calendar's with."""
    if seen is not None and _never_starts(spec, seen):
        return _not_started(spec)
    return _measured(events, spec, calendar, now, explain, acknowledges, pack=pack)


def _measured(
    events: Sequence[tuple[Event, frozenset[str]]],
    spec: ClockSpec,
    calendar: WorkingTime,
    now: datetime,
    explain: bool,
    acknowledges: frozenset[str] = frozenset(),
    *,
    pack: RulePack | None = None,
) -> ClockStatus:
    """One clock or duty replayed; a deadline past the calendar's end names the clock.

    DL-7: a complaint received in the last working days of the calendar's last
    year needs working time after it; the refusal says which clock needs it and
    where the calendar ends (raise ``last_year``, or type in the refused year), not
    only that time ran out.  A calendar whose years are not ``pack``'s ``[calendar]``
    ones is the host's (given to the desk, by ``Desk(calendar=...)`` or by
    ``complaintcore_get_calendar``: the core cannot tell which): raising the pack's
    ``last_year`` changes nothing, so its years are the ones to extend (review
    s56L3 F01, s56R3 F05).
    """
    try:
        return _status(_run(events, spec, calendar, explain, acknowledges), spec, now)
    except NoWorkingTimeError as exc:
        extra = exc.extra if isinstance(exc.extra, dict) else {}
        if "clock" in extra:  # named already, by the clock whose breach starts this one
            raise
        what = "duty" if isinstance(spec, DutySpec) else "clock"
        reason = str(exc)
        argument = extra.get("argument")
        if isinstance(argument, str) and reason.startswith(f"{argument}: "):
            reason = reason[len(argument) + 2 :]  # WorkingCalendar's own argument ("b")
        years = extra.get("years")
        end = ""
        if isinstance(years, tuple) and extra.get("refused"):
            end = (
                f"; the calendar ends on {years[1]}-12-31 until {years[1] + 1}'s days are"
                " typed into [[calendar.by_year]] of the rule pack"
            )
        elif isinstance(years, tuple) and pack is not None and years != _pack_years(pack):
            end = (
                f"; the calendar ends on {years[1]}-12-31, not at the rule pack's [calendar]"
                f" last_year {pack.calendar.last_year}: extend the years of the calendar"
                " given to the desk"
            )
        elif isinstance(years, tuple):
            end = f"; the calendar ends on {years[1]}-12-31 (calendar.last_year of the rule pack)"
        raise NoWorkingTimeError(
            f"{what} {spec.name}: {reason}{end}", extra={**extra, "clock": spec.name}
        ) from None


def _pack_years(pack: RulePack) -> tuple[int, int]:
    """The years the pack's ``[calendar]`` asks a calendar to cover."""
    return (pack.calendar.first_year, pack.calendar.last_year)


@functools.lru_cache(maxsize=1024)
def _not_started(spec: ClockSpec) -> ClockStatus:
    """A clock that never started, as data: the same for every complaint (intake asks
    for it ten times a complaint), so built once per spec."""
    waiting = (_step("not started: waiting for {tags}", tags=tuple(Tag(t) for t in spec.start)),)
    return ClockStatus(
        spec.name, spec.rule, ClockState.NOT_STARTED, None, None, None,
        _ZERO, _ZERO, _ZERO, None, _english(waiting), 0, steps=waiting,
    )  # fmt: skip


def _never_starts(spec: ClockSpec, seen: frozenset[str]) -> bool:
    if spec.mode is ClockMode.PROMISED:
        return "promised" not in seen
    if spec.mode is ClockMode.APPOINTED:
        return "visited:appointment" not in seen
    return seen.isdisjoint(spec.start)


@attrs.frozen
class _Elapsed:
    """A stand-in calendar for what the events alone decide (whether a run is
    open): every moment counts and no day closes.  Due times from it mean nothing."""

    tz: tzinfo = UTC

    def add(self, start: datetime, duration: timedelta) -> datetime:
        return start + duration

    def between(self, a: datetime, b: datetime) -> timedelta:
        return max(_utc(b) - _utc(a), _ZERO)

    def add_days(self, start: datetime, n: int) -> datetime:
        return start + timedelta(days=n)

    def end_of_working_day(self, t: datetime) -> datetime:
        return t

    def next_open(self, t: datetime) -> datetime:
        return t


def holding_closure(complaint: Complaint, pack: RulePack) -> tuple[ClockSpec, ...]:
    """The clocks that hold closure (``blocks_closure``) and have started and not
    stopped (VIS-2: the reply appointed at a return visit is still owed).

    Read from the events alone, as closing is decided without a calendar: a run
    is open or not whatever its due time.  A run owed by nobody (waived) holds nothing.
    """
    specs = [spec for spec in pack.clocks if spec.blocks_closure]
    if not specs:
        return ()
    events = tagged_events(complaint.events)
    seen = _all_tags(events)
    held = []
    for spec in specs:
        if _never_starts(spec, seen):
            continue
        r = _run(events, spec, _Elapsed(), False)
        if r.started is not None and r.stopped is None and r.waived is None:
            held.append(spec)
    return tuple(held)


def _all_tags(events: Sequence[tuple[Event, frozenset[str]]]) -> frozenset[str]:
    return frozenset().union(*(tags for _, tags in events))


@functools.lru_cache(maxsize=1024)
def _tag_sets(spec: ClockSpec) -> tuple[frozenset[str], ...]:
    """A clock's start, stop, pause, resume, met-if-earlier and restart tags as sets,
    made once per clock."""
    return (
        frozenset(spec.start),
        frozenset(spec.stop),
        frozenset(spec.pause),
        frozenset(spec.resume),
        frozenset(spec.met_if_earlier),
        frozenset(spec.restart),
    )


@functools.lru_cache(maxsize=1024)
def _waivers(spec: ClockSpec) -> tuple[tuple[frozenset[str], frozenset[str], bool], ...]:
    """A clock's waivers as (waive, unwaive) tag sets and whether the waiver means
    the work was done (:attr:`Waiver.discharges`): its own pair first, if any."""
    pairs = (
        (spec.waive, spec.unwaive, False),
        *((w.waive, w.unwaive, w.discharges) for w in spec.waivers),
    )
    return tuple((frozenset(w), frozenset(u), d) for w, u, d in pairs if w)


def _replaced_step(mode: ClockMode, at: datetime, broken: datetime | None) -> DerivationStep:
    """DL-5, VIS-2: what a new agreed time did to the one it replaced: moved it in
    time, or replaced it broken, its breach (``broken``) standing (DL-7; re-review
    s54R16 F02)."""
    if mode is ClockMode.PROMISED:
        if broken is None:
            return _step("{at} new time agreed: the last promise is replaced (DL-5)", at=at)
        return _step(
            "{at} new time agreed: the last promise, due {due}, was broken before it was"
            " replaced: the breach stands (DL-7)",
            at=at,
            due=broken,
        )
    if broken is None:
        return _step("{at} new time agreed: the last appointment is replaced (VIS-2)", at=at)
    return _step(
        "{at} new time agreed: the last appointment, due {due}, was missed before it was"
        " replaced: the breach stands (DL-7)",
        at=at,
        due=broken,
    )


def _resume(r: _Run, at: datetime) -> None:
    """DL-8: a paused run runs again from ``at``."""
    missed = r.due if r.paused_late else None
    r.run_from(at)
    if missed is not None:  # DL-7: paused late, the breach stays where it was
        r.due = missed
    r.paused_late = False
    r.say("{at} resumed; due {due}", at=at, due=_due(r.due))


def _run(
    events: Sequence[tuple[Event, frozenset[str]]],
    spec: ClockSpec,
    calendar: WorkingTime,
    explain: bool,
    acknowledges: frozenset[str] = frozenset(),
) -> _Run:
    """Replay one clock or duty over tagged events; the run says what happened.

    ``acknowledges``: the stages whose acknowledgement this clock times (a stage's
    ``acknowledge_clock``, :func:`~complaintcore.core.stages.acknowledge_clocks`).
    A closure after a response at one of them that ends such a run ends it
    unacknowledged: missed, as the reports judge it (review s48F F01).
    """
    r = _Run(spec, calendar, explain=explain)
    answered = False  # a response at a stage this clock acknowledges (none: no stages)
    paused = False
    promise: datetime | None = None
    start, stop, pause, resume, done_if, restart = _tag_sets(spec)
    waivers = _waivers(spec)
    holding = [False] * len(waivers)  # which waivers hold (an overlay on the replay)
    agreed_mode = spec.mode in (ClockMode.PROMISED, ClockMode.APPOINTED)
    # a duty outlives closure and may wait for a condition (DutySpec.when)
    duty = spec if isinstance(spec, DutySpec) else None
    is_duty = duty is not None
    gate = frozenset(duty.when) if duty is not None else frozenset()
    repeat = spec.repeat
    seen = not gate
    done = False  # a met_if_earlier event came before (DL-3: already assigned)
    again = False  # reopened after it stopped: owed anew from the next start (REC-2)
    ends_at_close = not is_duty and not spec.outlives_closure
    closed = False  # closed, not reopened since: a clock it would start lapses
    # a duty owed only from a day (its applies_from, in the pack's zone): a start
    # event before that day starts no run (re-review s54R13 F01)
    applies = duty.applies_from if duty is not None else None
    zone = calendar.tz
    for ev, tags in events:
        at = ev.at
        if ev.kind in _REOPENING:
            closed = False
        seen = seen or not tags.isdisjoint(gate)
        if isinstance(ev, Promised):
            promise = ev.due
        elif acknowledges and isinstance(ev, Responded) and ev.stage in acknowledges:
            answered = True
        waives = False  # this event leaves the work owed by nobody (REC-6: reopened)
        lifted = False  # this event brings back a run owed by nobody until now
        waived_at = r.waived  # the run is owed by nobody until this event (from then)
        unowed = waived_at is not None
        late_waived = r.late_when_waived is not None  # ...and it was late when waived
        if waivers:  # an overlay: the replay below goes on either way
            for i, (waive, unwaive, _) in enumerate(waivers):
                if not tags.isdisjoint(waive):
                    holding[i] = waives = True
                elif not tags.isdisjoint(unwaive):
                    holding[i] = False
            if any(holding):
                r.waive(at, ev.kind)
                # done only while no waiver saying "owed by nobody" holds (DL-3, DL-6)
                r.discharged = all(w[2] for w, held in zip(waivers, holding, strict=True) if held)
            else:
                lifted = r.waived is not None
                r.lift(at, ev.kind)
        if ev.kind == "escalation_requested" and paused:
            # DL-8: a new stage waits on nobody: the pause was the last stage's, and
            # the new stage's clocks run from the request (review s45F F01)
            paused = False
            active = r.started is not None and r.stopped is None
            if spec.pausable and active and r.running_since is None:
                _resume(r, at)
        active = r.started is not None and r.stopped is None
        agreed = _agreed(ev, spec.mode) if agreed_mode else None
        if agreed is not None and seen:
            run, mark = r.runs, len(r.steps)
            broken = r.begin(at, ev.kind, agreed, paused)
            if broken:
                # DL-5, DL-7: the promise was broken before the new one replaced it;
                # its breach stands and a sweep escalates it once (ESC-2)
                r.replaced.append((r.breaches[-1], run))
            if active and r.explain:  # said before the new run's start
                r.steps.insert(
                    mark, _replaced_step(spec.mode, at, r.breaches[-1] if broken else None)
                )
            continue
        # every other clock treats a promise like any event: it may start or stop them
        if active:
            if isinstance(ev, Extended) and ev.clock == spec.name:
                r.extend(at, Duration.parse(ev.by, "by"))
            elif spec.pausable and r.running_since is not None and not tags.isdisjoint(pause):
                r.paused_late = r.due is not None and _after(at, r.due)
                r.settle(at)
                r.say("{at} paused; used {used} so far (DL-8)", at=at, used=r.used)
            elif spec.pausable and r.running_since is None and not tags.isdisjoint(resume):
                _resume(r, at)
            elif restart and not tags.isdisjoint(restart):
                # DL-3: moved to another department, which has its own time from now;
                # a run already late keeps its breach for the sweep (ESC-2, ESC-6).
                # A run owed by nobody until this event is not taken up again but
                # replaced: its time counts neither way (HOC 1.5, review s58R3 F04),
                # unless it was late before it was waived: that breach stands, missed
                # (DL-7), and the sweep that escalated it does not again (s58RR2 F01).
                # Raised while a waiver still holds (found excluded at once), the new
                # run is owed by nobody from its start until the waiver lifts (F03)
                run = r.runs
                fresh = (lifted or unowed) and not late_waived
                if r.begin(at, min(tags & restart), promise, paused, fresh=fresh):
                    r.handed_on.append((r.breaches[-1], run))
                if r.waived is not None:
                    r.waived = at
            elif not tags.isdisjoint(stop) or (ev.kind == "closed" and ends_at_close):
                # closing ends every clock still running (not duties, nor one that
                # outlives closure); a stop that also waives ends the run with nothing
                # done: it lapses (REC-6)
                own = not tags.isdisjoint(stop)
                unacknowledged = answered and not own and isinstance(ev, Closed)
                r.stop(at, ev.kind, lapse=waives and own, unacknowledged=unacknowledged)
        elif (
            restart
            and not tags.isdisjoint(restart)
            and unowed
            and not late_waived
            and r.stopped is not None
            and waived_at is not None
            and not _after(waived_at, r.stopped)
            and not r.late
        ):
            # a run stopped while owed by nobody (a service request closed), then
            # raised as a complaint: the request's closure met nothing the complaint
            # was owed; it lapsed, neither met nor missed (re-review s58RR2 F04)
            r.lapsed_now = True
            r.say("{at} stopped while owed by nobody: neither met nor missed", at=at)
        elif (
            applies is not None
            and seen
            and not tags.isdisjoint(start)
            and at.astimezone(zone).date() < applies
        ):
            if r.early is None:  # owed from a later day: nothing to do for this start
                r.early = (at, min(tags & start))
        elif (
            (r.started is None or (r.stopped is not None and (repeat or again)))
            and not agreed_mode
            and seen
            and not tags.isdisjoint(start)
        ):
            again = False
            cause: str | DerivationStep = ev.kind
            if isinstance(ev, _Breach):
                cause = f"{BREACHED_TAG}{ev.clock}"
            elif isinstance(ev, _Received) and r.explain:
                cause = _step("the receipt (registered {at})", at=ev.registered_at)
            r.begin(at, cause, promise, paused)
            if not tags.isdisjoint(stop):  # e.g. registered by customer service: IN-5 met
                r.stop(at, _SAME_EVENT)
            elif done:
                r.stop(at, _DONE_BEFORE)
            elif closed and ends_at_close:
                # set off after closure (the register's forward, IN-4; a grade found
                # then, VAL-1): the closed complaint owes it nothing, met or missed
                r.stop(at, _CLOSED_BEFORE, lapse=True)
        elif r.stopped is not None and ev.kind == "reopened":
            if spec.reopen is ReopenPolicy.RESTART:
                r.begin(at, _step("reopened (restart)"), promise, paused)
            elif spec.reopen is ReopenPolicy.RESUME:
                r.stopped = None
                r.run_from(at)
                r.say("{at} reopened; resumes with {used} used", at=at, used=r.used)
            elif spec.reopen is ReopenPolicy.CONTINUE:  # DL-6: a month from receipt, closed or not
                assert r.measure is not None
                # DL-7: reopened past its due time, the breach stays where it was (from
                # a closed evening or weekend the time left would run to the next opening)
                missed = r.due if r.due is not None and _after(at, r.due) else None
                r.used += r.measure.span(r.stopped, at)
                r.stopped = None
                r.run_from(at)
                if missed is not None:
                    r.due = missed
                r.say(
                    "{at} reopened; the time it was closed counts: {used} used", at=at, used=r.used
                )
            elif spec.reopen is ReopenPolicy.AGAIN:  # REC-2: the new result is owed too
                again = True
                r.say("{at} reopened: owed again from its next start", at=at)
        if ev.kind == "paused":
            paused = True
        elif ev.kind in ("resumed", "closed"):
            paused = False
        if ev.kind == "closed":
            closed = True
        if done_if and not done:
            done = not tags.isdisjoint(done_if)
    return r


def _due(t: datetime | None) -> datetime | DerivationStep:
    return t if t is not None else _step("already passed")


def _status(r: _Run, spec: ClockSpec, now: datetime) -> ClockStatus:
    # a run stopped while its work was owed by nobody was not met or missed by it
    if (
        r.waived is not None
        and r.started is not None
        and (r.stopped is None or not _after(r.waived, r.stopped))
    ):
        return _waived_status(r, spec, r.waived)
    if r.lapsed_now and r.stopped is not None:  # lapsed, then owed again: nothing was done
        return _waived_status(r, spec, r.stopped)
    if r.started is None or r.measure is None:
        tags = tuple(Tag(t) for t in spec.start)
        waiting = (_step("not started: waiting for {tags}", tags=tags),)
        if r.early is not None and isinstance(spec, DutySpec) and spec.applies_from:
            waiting = (
                _step(
                    "not owed: {at} {tag} came before the duty applies, from {day}",
                    at=r.early[0],
                    tag=Tag(r.early[1]),
                    day=spec.applies_from.isoformat(),
                ),
            )
        return ClockStatus(
            spec.name, spec.rule, ClockState.NOT_STARTED, None, None, None,
            _ZERO, _ZERO, _ZERO, None, _english(waiting), r.runs, steps=waiting,
            breaches=tuple(r.breaches), superseded=r.superseded, handed_on=tuple(r.handed_on),
            replaced=tuple(r.replaced),
        )  # fmt: skip
    if r.stopped is not None:
        state = ClockState.MISSED if r.late else ClockState.MET
        return ClockStatus(
            spec.name, spec.rule, state, r.started, r.due, None, r.used,
            max(r.budget - r.used, _ZERO), r.budget, r.stopped, _english(r.steps), r.runs,
            steps=tuple(r.steps), breaches=tuple(r.breaches), superseded=r.superseded,
            handed_on=tuple(r.handed_on), replaced=tuple(r.replaced), lapsed=r.lapsed,
            unacknowledged=r.unacknowledged,
        )  # fmt: skip
    say = r.say
    running = r.running_since is not None
    so_far = r.used + (r.measure.span(r.running_since, now) if r.running_since else _ZERO)
    origin = r.running_since or now
    # paused: due when resumed now; paused only after its due time had passed, the
    # due time it missed (DL-7: the breach stands, and stays where it happened)
    due = r.due if running or r.paused_late else (r.measure.advance(now, r.budget - r.used)
                                                  if r.budget >= r.used else r.due)  # fmt: skip
    risk_left = r.budget * spec.at_risk_percent // 100 - r.used
    at_risk_from = r.measure.advance(origin, risk_left) if risk_left >= _ZERO else None
    if not running and (r.paused_late or r.used > r.budget):
        # paused only after its due time had passed: waiting on the complainant from
        # now on cannot undo the breach (DL-7, DL-8), which the sweep still escalates
        state = ClockState.BREACHED
        say(
            "{now} paused after its due time {due}: the breach stands (DL-7)",
            now=now,
            due=_due(due),
        )
    elif not running:
        state = ClockState.PAUSED
        say(
            "{now} paused: the due time moves on by the length of the pause; "
            "if resumed now, due {due}",
            now=now,
            due=_due(due),
        )
    elif r.budget < so_far or due is None or _after(now, due):
        state = ClockState.BREACHED
        say("{now} breached: due {due}, used {used} (DL-7)", now=now, due=_due(due), used=so_far)
    elif at_risk_from is None or not _after(at_risk_from, now):
        state = ClockState.AT_RISK
        say(
            "{now} at risk since {since} ({share} of {budget}); due {due} (DL-7)",
            now=now,
            since=_due(at_risk_from),
            share=f"{spec.at_risk_percent}%",
            budget=r.budget,
            due=_due(due),
        )
    else:
        state = ClockState.RUNNING
        say(
            "{now} running: used {used} of {budget}; due {due}",
            now=now,
            used=so_far,
            budget=r.budget,
            due=_due(due),
        )
    breaches = tuple(r.breaches)
    if state is ClockState.BREACHED and r.late_since is None:  # else noted when extended
        breaches += (_breach_at(due, now),)
    return ClockStatus(
        spec.name, spec.rule, state, r.started, due, at_risk_from, so_far,
        max(r.budget - so_far, _ZERO), r.budget, None, _english(r.steps), r.runs,
        steps=tuple(r.steps), breaches=breaches, superseded=r.superseded,
        handed_on=tuple(r.handed_on), replaced=tuple(r.replaced), late_since=r.late_since,
        lapsed=r.lapsed,
    )  # fmt: skip


def _waived_status(r: _Run, spec: ClockSpec, waived: datetime) -> ClockStatus:
    """A run still open when its work stopped being owed (DL-3): ``waived``, never
    escalated and counted neither met nor missed; or, late by then, missed when
    the waiver came (the breach stands, DL-7)."""
    late = r.late_when_waived
    if late is None:
        return ClockStatus(
            spec.name, spec.rule, ClockState.WAIVED, r.started, None, None,
            _ZERO, _ZERO, r.budget, None, _english(r.steps), r.runs,
            steps=tuple(r.steps), breaches=tuple(r.breaches), superseded=r.superseded,
            handed_on=tuple(r.handed_on), replaced=tuple(r.replaced), lapsed=r.lapsed,
            discharged=r.discharged and not r.lapsed_now,
        )  # fmt: skip
    due, used = late
    r.say("{at} late before it stopped being owed: the breach stands (DL-7)", at=waived)
    breaches = tuple(r.breaches)
    # else noted when it was extended late, or when it stopped late (REC-6: reopened)
    if r.late_since is None and r.stopped is None:
        breaches += (_breach_at(due, waived),)
    return ClockStatus(
        spec.name, spec.rule, ClockState.MISSED, r.started, due, None, used, _ZERO,
        r.budget, waived, _english(r.steps), r.runs, steps=tuple(r.steps), breaches=breaches,
        superseded=r.superseded, handed_on=tuple(r.handed_on), replaced=tuple(r.replaced),
        lapsed=r.lapsed,
    )  # fmt: skip


def _english(steps: Sequence[DerivationStep]) -> tuple[str, ...]:
    return tuple(str(step) for step in steps)


def compute_clocks(
    complaint: Complaint,
    pack: RulePack,
    calendar: WorkingTime,
    now: datetime,
    *,
    explain: bool = True,
    only: Collection[str] | None = None,
) -> tuple[ClockStatus, ...]:
    """Every clock of the pack for this complaint at ``now``; pure and repeatable.

    ``explain=False`` skips writing the derivation (it stays empty), for callers
    that only need states and due times, such as the desk's projection.
    ``only`` names the clocks wanted (in pack order; all when None).
    A stage's acknowledgement clock ended by the closure after the stage's
    response, never acknowledged, reads ``missed``
    (:attr:`ClockStatus.unacknowledged`; HOC 6.2, 6.11).
    """
    require_aware(now, "now")
    events = _tagged(complaint, now)
    seen = _all_tags(events)
    acknowledging = acknowledge_clocks(pack) if pack.stages else {}
    out = []
    for spec in pack.clocks:
        if only is not None and spec.name not in only:
            continue
        stages = acknowledging.get(spec.name, frozenset())
        if _breach_starts(spec):  # started at the latest when another clock fell due
            mine = _with_breaches(events, _breach_starts(spec), pack, calendar, now)
            out.append(
                _replay(mine, spec, calendar, now, explain, _all_tags(mine), stages, pack=pack)
            )
        else:
            out.append(_replay(events, spec, calendar, now, explain, seen, stages, pack=pack))
        if explain and out[-1].replaced:
            out[-1] = _escalation_owed(complaint, spec, out[-1], now)
    return tuple(out)


def _escalation_owed(
    complaint: Complaint, spec: ClockSpec, status: ClockStatus, now: datetime
) -> ClockStatus:
    """ESC-2, DL-7: the derivation of a clock with runs replaced late says which of
    them the next sweep escalates: those no escalation has dealt with yet while the
    complaint is open (re-review s54R16 F02)."""
    if not complaint.is_open:
        return status
    replaced = {run for _t, run in status.replaced}
    owed = [t for t, run in unescalated_breaches(complaint, spec, status) if run in replaced]
    if not owed:
        return status
    steps = [
        *status.steps,
        *(
            _step(
                "{now} the promise broken at {due} is not escalated yet: the next sweep"
                " escalates it (ESC-2)",
                now=now,
                due=t,
            )
            if spec.mode is ClockMode.PROMISED
            else _step(
                "{now} the appointment missed at {due} is not escalated yet: the next sweep"
                " escalates it (ESC-2)",
                now=now,
                due=t,
            )
            for t in owed
        ),
    ]
    return attrs.evolve(status, steps=tuple(steps), derivation=_english(steps))


@functools.lru_cache(maxsize=1024)
def _breach_starts(spec: ClockSpec) -> frozenset[str]:
    """The clocks whose breach (``breached:<clock>``) starts this clock or duty.

    A clock that counts from a step which must itself come by a deadline starts,
    at the latest, when that deadline passes (HOC 6.3: ten working days from the
    acknowledgement, which 6.2 wants within five of receipt), so a late or
    missing step never leaves it unstarted.
    """
    return frozenset(tag[len(BREACHED_TAG) :] for tag in spec.start if tag.startswith(BREACHED_TAG))


def breached_clocks(
    complaint: Complaint,
    pack: RulePack,
    calendar: WorkingTime,
    now: datetime,
    *,
    statuses: Sequence[ClockStatus] | None = None,
) -> tuple[ClockStatus, ...]:
    """DL-7, ESC-2: breached clocks that call for an escalation not yet recorded.

    A clock escalates once per run: an ``Escalated`` event naming the clock (its
    ``clock`` holds one name or several, comma-separated) after the run started
    means it has been dealt with, so a repeated sweep does nothing.
    Pass ``statuses`` from :func:`compute_clocks` at the same ``now`` to avoid
    computing them twice.
    """
    if statuses is None:
        statuses = compute_clocks(complaint, pack, calendar, now)
    return tuple(s for s in statuses if _unescalated(complaint, pack.clock(s.name), s))


def _unescalated(complaint: Complaint, spec: ClockSpec, status: ClockStatus) -> bool:
    return bool(unescalated_breaches(complaint, spec, status))


def unescalated_breaches(
    complaint: Complaint, spec: ClockSpec, status: ClockStatus
) -> tuple[tuple[datetime, int], ...]:
    """ESC-2, DL-7: the breaches of a clock or duty no escalation has dealt with yet,
    as (when it fell due, run), oldest first: runs handed on late (DL-3) or replaced
    by a new agreed time after theirs had passed (DL-5), then the current run.  A
    sweep that comes late escalates them one instant at a time.  A run replaced
    before the complaint was last closed is not listed: the closure ended what it
    owed the ladder, and a reopening does not bring it back (re-review s54R16 F01)."""
    if not spec.escalate_on_breach:
        return ()
    found, current = _escalations_by_run(complaint, status)
    if status.replaced:
        # DL-5, DL-7: closing the complaint ends what a promise replaced before it
        # owed to the ladder (ESC-2), as it ends the run that was then current; a
        # reopening does not bring it back (re-review s54R16 F01).  A promise clock
        # ends at closure, so a run replaced before the last closure is one whose
        # breach came before it
        closed = _last_closure(complaint)
        if closed is not None:
            replaced = {run for _t, run in status.replaced}
            found = tuple(b for b in found if b[1] not in replaced or _utc(b[0]) >= closed)
    late = status.late_since
    if late is not None and status.is_open:
        # missed, then extended: escalated once for the due time it missed, whether
        # or not the new one has passed (DL-7; a late sweep catches up, ESC-2)
        return found if current else (*found, (late, status.run))
    if not (status.is_breached and status.started_at) or current:
        return found
    since = max(status.started_at, status.due, key=_utc) if status.due else status.started_at
    return (*found, (status.breaches[-1] if status.breaches else since, status.run))


def _last_closure(complaint: Complaint) -> datetime | None:
    """When the complaint was last closed (UTC), if ever."""
    return max((_utc(e.at) for e in complaint.events if e.kind == "closed"), default=None)


def unescalated_handovers(
    complaint: Complaint, status: ClockStatus
) -> tuple[tuple[datetime, int], ...]:
    """ESC-2, ESC-6: runs a ``restart`` ended late (a department passed the complaint
    on after its deadline) that no escalation has dealt with yet: (breach, run).
    Not a promise replaced late (DL-5): nobody passed the complaint on."""
    handed = {run for _t, run in status.handed_on}
    return tuple(b for b in _escalations_by_run(complaint, status)[0] if b[1] in handed)


def _escalations_by_run(
    complaint: Complaint, status: ClockStatus
) -> tuple[tuple[tuple[datetime, int], ...], bool]:
    """ESC-2, DL-7: which runs of the clock an escalation naming it has dealt with:
    the runs handed on late (DL-3) or replaced late by a new agreed time (DL-5)
    none has, as (breach, run), and whether one has dealt with the current run.

    Each escalation naming the clock deals with one run, the oldest it can: a run
    handed on or replaced late takes the first made at or after its breach (a sweep
    after the hand-over or the new promise escalates it then; one between the breach
    and the new promise escalated it already, review s54R15); the current run one
    made since its due time, or one for a missed deadline (``deadline_missed``)
    made since it started, the latter whatever due time the pack and calendar give
    today: an edit that lengthens a deadline after its breach was escalated moves
    the due time, not the run, and the run was escalated once (review s49E F01).  One made before
    the due time for another reason (a host's ``cannot_handle`` naming the clock
    while it is at risk) deals with no breach: the breach that follows is
    escalated (review s49J F01).  A new run -- a reopening, a new stage, a
    hand-over -- starts after the escalations of the runs before it, and is
    escalated again when it is late."""
    left = sorted(
        (_utc(e.at), getattr(e, "trigger", None) is Trigger.DEADLINE_MISSED)
        for e in complaint.events
        if e.kind == "escalated" and status.name in getattr(e, "clock", "").split(",")
    )
    found = []
    for t, run in sorted((*status.handed_on, *status.replaced), key=lambda b: (_utc(b[0]), b[1])):
        took = next((i for i, (e, _) in enumerate(left) if e >= _utc(t)), None)
        if took is None:
            found.append((t, run))
        else:
            del left[took]
    if status.started_at is None:
        return tuple(found), False
    since = _utc(status.started_at)
    due = max(since, _utc(status.due)) if status.due is not None else since
    return tuple(found), any(e >= due or (missed and e >= since) for e, missed in left)


# --------------------------------------------------------------------------- duties


@attrs.frozen
class DutyStatus:
    """One duty at ``now``: what is owed, by whom, by when, and how it stands.

    ``clock`` is the duty's deadline computed like any clock (state, due,
    at-risk time, derivation); ``duty`` is its declaration in the pack (owner,
    discharging command, what it must record).  The owner is kept as the
    pack's codes; :meth:`complaintcore.i18n.Translator.owner` words it for a
    reader, so the core says nothing in any one language.
    """

    duty: DutySpec
    clock: ClockStatus

    @property
    def name(self) -> str:
        return self.duty.name

    @property
    def rule(self) -> str:
        return self.duty.rule

    @property
    def state(self) -> ClockState:
        return self.clock.state

    @property
    def due(self) -> datetime | None:
        return self.clock.due

    @property
    def owed(self) -> bool:
        """Started and not yet discharged (running, at risk, paused or breached)."""
        return self.clock.is_open


def compute_duties(
    complaint: Complaint,
    pack: RulePack,
    calendar: WorkingTime,
    now: datetime,
    *,
    explain: bool = True,
    only: Collection[str] | None = None,
) -> tuple[DutyStatus, ...]:
    """Every duty of the pack for this complaint at ``now`` (DL-5, REC-2, IN-6 …).

    Pure and repeatable like :func:`compute_clocks`.  A duty started by
    ``breached:<clock>`` starts at the moment that clock's run passed its due
    time, whether or not anyone has noticed yet (a broken promise owes an
    apology from the minute it was broken).  ``only`` names the duties wanted.
    """
    require_aware(now, "now")
    duties = [d for d in pack.duties if only is None or d.name in only]
    if not duties:
        return ()
    channel = complaint.intake.channel
    mine = [d for d in duties if d.owed_on(channel)]
    events = _with_breaches(_tagged(complaint, now), _breaches_read(mine), pack, calendar, now)
    seen = _all_tags(events)
    return tuple(
        DutyStatus(duty, _replay(events, duty, calendar, now, explain, seen, pack=pack))
        if duty.owed_on(channel)
        else DutyStatus(duty, _other_channel(duty))
        for duty in duties
    )


@functools.lru_cache(maxsize=64)
def _other_channel(duty: DutySpec) -> ClockStatus:
    """A duty the complaint's channel never owes: not started, and why."""
    why = (_step("not owed: only for these channels: {channels}", channels=duty.channels),)
    return ClockStatus(
        duty.name, duty.rule, ClockState.NOT_STARTED, None, None, None,
        _ZERO, _ZERO, _ZERO, None, _english(why), 0, steps=why,
    )  # fmt: skip


@attrs.frozen
class ReceiptBound:
    """The clocks and duties of a pack that a registration can start.

    They count from the receipt (see :func:`_tagged`): complaints registered
    together but received at different times differ in these alone, so the
    others can be computed once for many (bulk intake does).
    """

    clocks: frozenset[str]
    duties: frozenset[str]
    by_breach: frozenset[str] = frozenset()
    """Those of ``duties`` a breach starts, stops or gates: whether they run at all
    depends on when the complaint was received.  For the others only their times
    do (one not started for one receipt is not started for any)."""
    clocks_by_breach: frozenset[str] = frozenset()
    """Those of ``clocks`` the breach of another starts (HOC 6.3): like ``by_breach``,
    whether they have started depends on when the complaint was received."""


@functools.lru_cache(maxsize=16)
def receipt_bound(pack: RulePack) -> ReceiptBound:
    """:class:`ReceiptBound` of ``pack``: started by a ``registered`` tag, or (duties)
    started, stopped or gated by the breach of such a clock."""

    def registered(tags: Sequence[str]) -> bool:
        return any(t == "registered" or t.startswith("registered:") for t in tags)

    first = frozenset(c.name for c in pack.clocks if registered(c.start))
    breaches = {BREACHED_TAG + name for name in first}
    # a clock the breach of a receipt-bound one starts (HOC 6.3) is receipt-bound too
    clocks_by_breach = frozenset(
        c.name for c in pack.clocks if c.name not in first and not breaches.isdisjoint(c.start)
    )
    clocks = first | clocks_by_breach
    breaches |= {BREACHED_TAG + name for name in clocks_by_breach}
    by_breach = frozenset(
        d.name for d in pack.duties if not breaches.isdisjoint((*d.start, *d.stop, *d.when))
    )
    duties = frozenset(d.name for d in pack.duties if registered(d.start)) | by_breach
    return ReceiptBound(clocks, duties, by_breach, clocks_by_breach)


def breached_duties(
    complaint: Complaint,
    statuses: Sequence[DutyStatus],
) -> tuple[DutyStatus, ...]:
    """DL-7, ESC-2: breached duties whose breach has not been escalated yet (once per run)."""
    return tuple(s for s in statuses if _unescalated(complaint, s.duty, s.clock))


@attrs.frozen(kw_only=True)
class _Breach(Event):
    """Derived, never stored: the moment a clock's deadline passed."""

    kind: ClassVar[str] = "breached"
    clock: str


def _breaches_read(duties: Sequence[DutySpec]) -> frozenset[str]:
    """The clocks whose breaches these duties start, stop or wait for."""
    return frozenset(
        tag[len(BREACHED_TAG) :]
        for duty in duties
        for tag in (*duty.start, *duty.stop, *duty.when)
        if tag.startswith(BREACHED_TAG)
    )


def _with_breaches(
    events: list[tuple[Event, frozenset[str]]],
    wanted: frozenset[str],
    pack: RulePack,
    calendar: WorkingTime,
    now: datetime,
    *,
    nested: bool = True,
) -> list[tuple[Event, frozenset[str]]]:
    """The tagged events with a ``breached:<clock>`` marker where each ``wanted``
    clock's run broke.  A wanted clock that another's breach starts is replayed
    with that breach too (``nested``: one level, the loader allows no more)."""
    if not wanted:
        return events
    markers: list[tuple[Event, frozenset[str]]] = []
    seen = _all_tags(events)
    for spec in pack.clocks:
        if spec.name not in wanted:
            continue
        source, tags_seen = events, seen
        inner = _breach_starts(spec) - {spec.name}
        if inner and nested:  # a wanted clock started by another's breach (HOC 6.3)
            source = _with_breaches(events, inner, pack, calendar, now, nested=False)
            tags_seen = _all_tags(source)
        if not _never_starts(spec, tags_seen):
            status = _measured(source, spec, calendar, now, False, pack=pack)
            tags = frozenset(("breached", BREACHED_TAG + spec.name))
            markers += [
                (_Breach(at=at, actor="", clock=spec.name), tags)
                for at in status.breaches
                if not _after(at, now)
            ]
    if not markers:
        return events
    # a breach comes after the events of its own moment: met exactly on time is met
    merged = [(ev, tags, 0) for ev, tags in events] + [(ev, tags, 1) for ev, tags in markers]
    merged.sort(key=lambda item: (_utc(item[0].at), item[2]))
    return [(ev, tags) for ev, tags, _ in merged]
