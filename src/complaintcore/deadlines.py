"""Deadline clocks as a pure function of a complaint's events (DL-1..8, IN-5).

Each clock the rule pack declares is replayed over the event log: it starts at
the first event carrying one of its ``start`` tags, stops at one carrying a
``stop`` tag, and does not run while the complaint is paused if the pack says
so (DL-8).  Every mode is reduced to a *budget* measured either in elapsed time
or in working time on the pack's calendar, so pauses extend a deadline by
exactly the time they took, and the result can be explained step by step.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol

import attrs

from complaintcore.errors import InvalidInputError
from complaintcore.grading import add_months
from complaintcore.models import Complaint, Event, LabelledEnum, Promised, require_aware
from complaintcore.rulepack import ClockMode, ClockSpec, ReopenPolicy, RulePack

__all__ = [
    "ClockState",
    "ClockStatus",
    "WorkingTime",
    "breached_clocks",
    "compute_clock",
    "compute_clocks",
]

_ZERO = timedelta(0)


class WorkingTime(Protocol):
    """What the clocks need from a calendar: :class:`~complaintcore.calendar.WorkingCalendar`."""

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
        return self.state in (
            ClockState.RUNNING,
            ClockState.AT_RISK,
            ClockState.BREACHED,
            ClockState.PAUSED,
        )


def _utc(t: datetime) -> datetime:
    return t.astimezone(UTC)


@attrs.define
class _Measure:
    """Elapsed or working time, with the matching way to move forward."""

    working: bool
    calendar: WorkingTime

    def span(self, a: datetime, b: datetime) -> timedelta:
        if b <= a:
            return _ZERO
        return self.calendar.between(a, b) if self.working else _utc(b) - _utc(a)

    def advance(self, t: datetime, d: timedelta) -> datetime:
        if self.working:
            return self.calendar.add(t, d)
        return (_utc(t) + d).astimezone(t.tzinfo)


def _budget(
    spec: ClockSpec, start: datetime, calendar: WorkingTime, promise: datetime | None
) -> tuple[_Measure, timedelta, str]:
    """Reduce a mode to a budget; the text says how it was reckoned."""
    d = spec.duration
    mode = spec.mode
    if mode is ClockMode.WALL:
        return _Measure(False, calendar), d.timedelta, f"{d} of elapsed time"
    if mode is ClockMode.WORKING_TIME:
        return _Measure(True, calendar), d.timedelta, f"{d} of working time"
    if mode is ClockMode.WORKING_DAYS:
        end = calendar.add_days(start, d.days)
        return (
            _Measure(True, calendar),
            calendar.between(start, end),
            f"{d.days} working day(s): until {end.isoformat()} if never paused",
        )
    if mode is ClockMode.SAME_DAY:
        # After closing time "the same day" can only mean the next working day's end.
        end = calendar.end_of_working_day(calendar.next_open(start))
        return (
            _Measure(True, calendar),
            calendar.between(start, end),
            f"the same working day: until {end.isoformat()}",
        )
    if mode is ClockMode.MONTHS:
        end = add_months(start, d.months)
        return (
            _Measure(False, calendar),
            _utc(end) - _utc(start),
            f"{d.months} calendar month(s): until {end.isoformat()}",
        )
    if promise is None:
        raise InvalidInputError(f"clocks.{spec.name}", "a promise clock needs a promised time")
    return (
        _Measure(False, calendar),
        max(_utc(promise) - _utc(start), _ZERO),
        f"the time agreed with the complainant: {promise.isoformat()} (DL-5)",
    )


def _hit(event: Event, tags: Sequence[str]) -> bool:
    return any(t in tags for t in event.tags())


def compute_clock(
    complaint: Complaint, spec: ClockSpec, calendar: WorkingTime, now: datetime
) -> ClockStatus:
    """Replay one clock over the events up to ``now`` (DL-1..8)."""
    require_aware(now, "now")
    steps: list[str] = []
    started: datetime | None = None
    running_since: datetime | None = None
    stopped: datetime | None = None
    used = _ZERO
    budget = _ZERO
    measure: _Measure | None = None
    paused_globally = False
    run = 0
    promise: datetime | None = None

    def begin(at: datetime, why: str) -> None:
        nonlocal started, running_since, used, budget, measure, stopped, run
        started, stopped, used, run = at, None, _ZERO, run + 1
        measure, budget, how = _budget(spec, at, calendar, promise)
        running_since = None if (paused_globally and spec.pausable) else at
        steps.append(
            f"{at.isoformat()} started by {why}; budget {how}"
            + ("; complaint is paused, clock waits" if running_since is None else "")
        )

    for ev in complaint.events:
        if ev.at > now:
            break
        if isinstance(ev, Promised):
            promise = ev.due
            if spec.mode is ClockMode.PROMISED:
                if started is not None and stopped is None:
                    steps.append(
                        f"{ev.at.isoformat()} new time agreed; the previous promise is replaced"
                    )
                begin(ev.at, "promised")
                continue
        if started is not None and stopped is None and measure is not None:
            if spec.pausable and _hit(ev, spec.pause) and running_since is not None:
                part = measure.span(running_since, ev.at)
                used += part
                running_since = None
                steps.append(f"{ev.at.isoformat()} paused ({ev.kind}); used {used} so far (DL-8)")
            elif spec.pausable and _hit(ev, spec.resume) and running_since is None:
                running_since = ev.at
                steps.append(f"{ev.at.isoformat()} resumed")
            elif _hit(ev, spec.stop):
                if running_since is not None:
                    used += measure.span(running_since, ev.at)
                running_since, stopped = None, ev.at
                verdict = "met" if used <= budget else "missed"
                steps.append(
                    f"{ev.at.isoformat()} stopped by {ev.kind}; used {used} of {budget}: {verdict}"
                )
        elif started is None and _hit(ev, spec.start) and spec.mode is not ClockMode.PROMISED:
            begin(ev.at, ev.kind)
            if _hit(ev, spec.stop):
                # e.g. registered by customer service itself: IN-5 is met at once.
                running_since, stopped = None, ev.at
                steps.append(f"{ev.at.isoformat()} stopped by the same event: met at once")
        elif stopped is not None and ev.kind == "reopened" and spec.reopen is not ReopenPolicy.KEEP:
            if spec.reopen is ReopenPolicy.RESTART:
                begin(ev.at, "reopened (restart)")
            else:
                stopped, running_since = None, ev.at
                steps.append(f"{ev.at.isoformat()} reopened; resumes with {used} used")
        if ev.kind in ("paused",):
            paused_globally = True
        elif ev.kind in ("resumed", "closed"):
            paused_globally = False

    if started is None or measure is None:
        return ClockStatus(
            spec.name,
            spec.rule,
            ClockState.NOT_STARTED,
            None,
            None,
            None,
            _ZERO,
            _ZERO,
            _ZERO,
            None,
            ("not started: waiting for " + " / ".join(spec.start),),
            run,
        )
    if stopped is not None:
        state = ClockState.MET if used <= budget else ClockState.MISSED
        return ClockStatus(
            spec.name,
            spec.rule,
            state,
            started,
            None,
            None,
            used,
            max(budget - used, _ZERO),
            budget,
            stopped,
            tuple(steps),
            run,
        )

    origin = running_since or now
    so_far = used + (measure.span(running_since, now) if running_since else _ZERO)
    remaining = budget - used
    due = measure.advance(origin, remaining) if remaining >= _ZERO else None
    threshold = budget * spec.at_risk_percent // 100
    risk_left = threshold - used
    at_risk_from = measure.advance(origin, risk_left) if risk_left >= _ZERO else None
    if running_since is None:
        state = ClockState.PAUSED
        steps.append(
            f"{now.isoformat()} paused: due moves on by the time the pause takes; "
            f"if resumed now, due {due.isoformat() if due else 'already passed'}"
        )
    elif so_far > budget:
        state = ClockState.BREACHED
        steps.append(f"{now.isoformat()} breached: used {so_far} of {budget} (DL-7)")
    elif so_far >= threshold:
        state = ClockState.AT_RISK
        steps.append(
            f"{now.isoformat()} at risk: used {so_far} of {budget}, "
            f"{spec.at_risk_percent}% reached (DL-7)"
        )
    else:
        state = ClockState.RUNNING
        steps.append(f"{now.isoformat()} running: used {so_far} of {budget}")
    if due is not None:
        steps.append(f"due {due.isoformat()}")
    return ClockStatus(
        spec.name,
        spec.rule,
        state,
        started,
        due,
        at_risk_from,
        so_far,
        max(budget - so_far, _ZERO),
        budget,
        None,
        tuple(steps),
        run,
    )


def compute_clocks(
    complaint: Complaint, pack: RulePack, calendar: WorkingTime, now: datetime
) -> tuple[ClockStatus, ...]:
    """Every clock of the pack for this complaint at ``now``; pure and repeatable."""
    return tuple(compute_clock(complaint, spec, calendar, now) for spec in pack.clocks)


def breached_clocks(
    complaint: Complaint, pack: RulePack, calendar: WorkingTime, now: datetime
) -> tuple[ClockStatus, ...]:
    """DL-7, ESC-2: breached clocks that call for an escalation not yet recorded.

    A clock escalates once per run: an ``Escalated`` event naming the clock after
    the run started means it has been dealt with, so a repeated sweep does nothing.
    """
    due: list[ClockStatus] = []
    for status in compute_clocks(complaint, pack, calendar, now):
        spec = pack.clock(status.name)
        if not (spec.escalate_on_breach and status.is_breached and status.started_at):
            continue
        started = status.started_at
        done = any(
            e.kind == "escalated" and getattr(e, "clock", "") == spec.name and e.at >= started
            for e in complaint.events
        )
        if not done:
            due.append(status)
    return tuple(due)
