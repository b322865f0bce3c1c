"""Staged procedures as pure functions: stages, time limits and extensions.

A pack with ``[[stages]]`` runs complaints through them in order (stage 1,
stage 2 …); a pack without stages is untouched by anything here.  What a
complaint's stage is, who handled its earlier stages, whether it or a request
to escalate came too late, and how far a clock has been extended are all
derived from its events and the pack, like every other figure (REC-5).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import attrs

from complaintcore.core.errors import InvalidInputError
from complaintcore.core.grading import add_months
from complaintcore.core.models import (
    Assigned,
    Closed,
    Complaint,
    Escalated,
    EscalationRequested,
    Event,
    Extended,
    Intake,
    Responded,
    Status,
    as_instant,
)
from complaintcore.core.rulepack import (
    ClockMode,
    ClockSpec,
    Duration,
    ReopenPolicy,
    RequestLimit,
    RulePack,
    Stage,
)

__all__ = [
    "RequestWindow",
    "RunJudgement",
    "acknowledge_clocks",
    "awaiting_stage_holder",
    "current_stage",
    "earlier_handlers",
    "extension_amount",
    "extension_text",
    "extension_used",
    "is_running",
    "judge_run",
    "limit_end",
    "request_deadline",
    "request_windows",
    "stage_history",
    "time_barred",
]


def current_stage(complaint: Complaint, pack: RulePack) -> Stage | None:
    """The stage the complaint is at, or None when the pack has no stages."""
    if not pack.stages:
        return None
    return pack.stage(complaint.state.stage)


def stage_history(complaint: Complaint, pack: RulePack) -> list[tuple[str, Event]]:
    """Every event with the code of the stage the complaint was at when it happened."""
    if not pack.stages:
        return []
    stage = pack.stages[0].code
    out: list[tuple[str, Event]] = []
    for ev in complaint.events:
        if isinstance(ev, EscalationRequested):
            stage = ev.stage
        out.append((stage, ev))
    return out


def earlier_handlers(complaint: Complaint, pack: RulePack) -> frozenset[str]:
    """Who considered the complaint at an earlier stage: may not handle this one.

    Only when the current stage says ``distinct_handler``: the staff assigned to
    it and those who gave a response at any earlier stage (a different person
    from the previous stage, Housing Ombudsman Code 6.13).
    """
    stage = current_stage(complaint, pack)
    if stage is None or not stage.distinct_handler:
        return frozenset()
    here = stage.code
    found: set[str] = set()
    for code, ev in stage_history(complaint, pack):
        if code == here:
            continue
        if isinstance(ev, Assigned):
            found.add(ev.handler)
        elif isinstance(ev, Responded):
            found.add(ev.actor)
    return frozenset(found)


def awaiting_stage_holder(complaint: Complaint) -> bool:
    """Whether the complaint is at a new stage nobody has taken on yet: the request
    for it came after its last assignment and its last escalation.

    Such a stage is routed as at intake, to the lowest rung at or above both the
    stage's own (``handler_rung``, the grade's) and the rung the complaint had
    reached, whose staff did not handle an earlier stage: an assignment above that
    rung is then no escalation, and one below it is refused (ESC-5, review s49D F02).
    """
    for ev in reversed(complaint.events):
        if isinstance(ev, EscalationRequested):
            return True
        if isinstance(ev, Assigned | Escalated):
            return False
    return False


def limit_end(start: datetime, length: Duration, tz: ZoneInfo, path: str = "length") -> datetime:
    """The moment a time limit of ``length`` (months and days) from ``start`` has
    run out: midnight in ``tz`` after its last day.

    A limit in months or days is counted in dates, as a complainant counts it
    (SPSO MCHP: "within six months"; HOC 2.2): from ``start``'s date in ``tz``,
    the corresponding date ``length`` later (a month from 31 January is the last
    day of February) is the last day, and the whole of it is within the limit,
    whatever the hour of ``start``.

    :raises InvalidInputError: the end is past the last date there is; ``path``
        names the limit (the loader keeps a pack's limits to five years).
    """
    first = start.astimezone(tz).date()
    try:
        last = add_months(first, length.months) + timedelta(days=length.days)
        return datetime.combine(last + timedelta(days=1), time(), tzinfo=tz)
    except (OverflowError, ValueError):  # InvalidInputError from add_months too
        raise InvalidInputError(
            path, f"{length} from {first.isoformat()} ends past the last date there is"
        ) from None


def time_barred(intake: Intake, pack: RulePack) -> bool:
    """Whether the pack's time limit catches this intake: the complaint was received
    after the last day of ``time_bar.after`` from the date the issue arose
    (:func:`limit_end`).  Without a time bar, or without ``occurred_at``, nothing is
    barred."""
    bar = pack.time_bar
    if bar is None or intake.occurred_at is None:
        return False
    tz = ZoneInfo(pack.calendar.timezone)
    return intake.received_at >= limit_end(intake.occurred_at, bar.after, tz, "time_bar.after")


def request_deadline(complaint: Complaint, limit: RequestLimit, pack: RulePack) -> datetime | None:
    """When the window for a request to escalate under ``limit`` closes (a request
    at or after it is late), or None if no window applies.

    The later of the two windows wins: within ``after_response`` of the current
    stage's response, or within ``after_event`` of when the issue arose, each to
    the end of its last day (:func:`limit_end`).  While the current stage is
    still open and unanswered, and the complaint was made in time (not flagged
    ``time_barred``), an ``after_response`` window has not begun, so it cannot
    have closed and neither can the later of the two: the request is in time
    (SPSO: a complex complaint sent straight to stage 2; review s47C F03).  A
    stage that ended without a response (closed: withdrawn, settled) never opens
    that window, and neither does a complaint made out of time: ``after_event``
    alone applies (review s47E F01).  Without ``after_response``,
    ``after_event`` applies alone.

    ``after_event`` counts from ``occurred_at``.  When the intake does not say when
    the issue arose, it counts from the receipt (``received_at``) only where no
    other window applies (a stage ended without a response, or a pack without
    ``after_response``): the person knew of the matter by then at the latest, so
    that window ends no earlier than one counted from the day they became aware,
    and a request in time is never refused for want of the date (review s48F F03:
    such a complaint had no time limit at all).  An answered stage without
    ``occurred_at`` keeps the window of its response alone, as before.
    """
    windows = request_windows(complaint, limit, pack)
    return max(w.end for w in windows) if windows else None


@attrs.frozen
class RequestWindow:
    """One window of a request limit (:func:`request_windows`): ``length`` after
    ``since``, which is ``"response"`` (the current stage's last response),
    ``"event"`` (when the issue arose) or ``"receipt"`` (when the complaint was
    received, standing in for the event); ``end`` is midnight after its last day."""

    since: str
    start: datetime
    length: Duration
    end: datetime


def request_windows(
    complaint: Complaint, limit: RequestLimit, pack: RulePack
) -> tuple[RequestWindow, ...]:
    """The windows :func:`request_deadline` takes the later of (none: no limit applies)."""
    tz = ZoneInfo(pack.calendar.timezone)
    out: list[RequestWindow] = []
    if limit.after_response is not None:
        stage = current_stage(complaint, pack)
        here = stage.code if stage is not None else ""
        answers = [e for e in complaint.events if isinstance(e, Responded) and e.stage == here]
        if answers:
            at, length = answers[-1].at, limit.after_response
            end = limit_end(at, length, tz, "request_limit.after_response")
            out.append(RequestWindow("response", at, length, end))
        elif complaint.state.status is not Status.CLOSED and not complaint.state.time_barred:
            return ()
    aware, since = complaint.intake.occurred_at, "event"
    if aware is None and not out:  # nothing else applies: the receipt, at the latest
        aware, since = complaint.intake.received_at, "receipt"
    if limit.after_event is not None and aware is not None:
        end = limit_end(aware, limit.after_event, tz, "request_limit.after_event")
        out.append(RequestWindow(since, aware, limit.after_event, end))
    return tuple(out)


# --------------------------------------------------------------------------- extensions

_UNIT = {
    ClockMode.WORKING_DAYS: "working days",
    ClockMode.MONTHS: "months",
    ClockMode.WALL: "minutes, hours or days",
    ClockMode.WORKING_TIME: "minutes, hours or days",
}


def extension_amount(spec: ClockSpec, by: Duration, path: str = "by") -> int:
    """An extension's length in the clock's own unit: working days, months or minutes.

    :raises InvalidInputError: the length does not fit the clock's mode, or is not
        positive.
    """
    mode = spec.mode
    if mode not in _UNIT:
        raise InvalidInputError(path, f"a {mode.value} clock cannot be extended")
    if mode is ClockMode.WORKING_DAYS:
        ok, amount = not (by.minutes or by.months), by.days
    elif mode is ClockMode.MONTHS:
        ok, amount = not (by.minutes or by.days), by.months
    else:
        ok, amount = not by.months, by.minutes + by.days * 24 * 60
    if not ok:
        raise InvalidInputError(path, f"clock {spec.name} is extended in {_UNIT[mode]}")
    if amount <= 0:
        raise InvalidInputError(path, "an extension must be longer than nothing")
    return amount


def extension_text(spec: ClockSpec, amount: int, like: Duration) -> str:
    """An amount in the clock's own unit (:func:`extension_amount`) written as a
    length in the unit of ``like`` (a cap): ``3d``, ``1mo``; on a clock counted in
    minutes, whole days beside a cap in days (``0d``, ``2d``), else hours or
    minutes as :class:`Duration` writes them (``36h``, ``90m``; review s47E F02:
    "2d at most, 0h used")."""
    if spec.mode is ClockMode.WORKING_DAYS:
        return f"{amount}d"
    if spec.mode is ClockMode.MONTHS:
        return f"{amount}mo"
    day = 24 * 60
    if like.days and amount % day == 0:
        return f"{amount // day}d"
    return str(Duration(minutes=amount))


def _tags(events: Iterable[Event]) -> Iterable[tuple[Event, frozenset[str]]]:
    for ev in events:
        yield ev, frozenset(ev.tags())


def is_running(complaint: Complaint, spec: ClockSpec) -> bool:
    """Whether a run of the clock has started and not stopped, by its tags alone.

    The same start, stop, close and reopen rules as the clock's replay
    (:mod:`complaintcore.core.deadlines`), without the calendar: what ``decide``
    can know.  Clocks that run to an agreed time are never extended.
    """
    return _scan(complaint, spec)[0]


def extension_used(complaint: Complaint, spec: ClockSpec) -> int:
    """How much the clock's current run has been extended, in its own unit."""
    return _scan(complaint, spec)[1]


def _scan(complaint: Complaint, spec: ClockSpec) -> tuple[bool, int]:
    start, stop = frozenset(spec.start), frozenset(spec.stop)
    started = active = False
    used = 0
    for ev, tags in _tags(complaint.events):
        if active:
            if isinstance(ev, Extended) and ev.clock == spec.name:
                used += extension_amount(spec, Duration.parse(ev.by))
            elif not tags.isdisjoint(stop) or ev.kind == "closed":
                active = False
        elif not started and not tags.isdisjoint(start):
            started = active = True
            used = 0
            if not tags.isdisjoint(stop):
                active = False
        elif started and ev.kind == "reopened" and spec.reopen is not ReopenPolicy.KEEP:
            active = True
            if spec.reopen is ReopenPolicy.RESTART:
                used = 0
    return active, used


# --------------------------------------------------------------------------- judging a run


def acknowledge_clocks(pack: RulePack) -> dict[str, frozenset[str]]:
    """Each stage's ``acknowledge_clock``, with the stages whose acknowledgement it times."""
    found: dict[str, set[str]] = {}
    for stage in pack.stages:
        if stage.acknowledge_clock:
            found.setdefault(stage.acknowledge_clock, set()).add(stage.code)
    return {name: frozenset(codes) for name, codes in found.items()}


class RunJudgement(enum.Enum):
    """How a figure judges a clock's run that has stopped (:func:`judge_run`)."""

    BY_CLOCK = "by_clock"
    """Its work was done: met or missed, as the clock says."""
    NOT = "not"
    """Nothing was done that the figure judges: left out."""
    UNACKNOWLEDGED = "unacknowledged"
    """An acknowledgement clock ended by its stage's response: never acknowledged,
    so not in time, whenever the response came (HOC 6.2, 6.11)."""


def judge_run(
    events: Iterable[Event], stop: Iterable[str], at: datetime, acknowledges: frozenset[str] | None
) -> RunJudgement:
    """How the run that stopped at ``at`` is judged, by the indicators
    (``report --period``) and, for an unacknowledged stage, the monthly report.

    The first event then carrying one of the clock's stop tags, or closing, says
    why: a request to escalate left the stage unanswered, and a closure (a
    withdrawal, a matter settled) answered nothing, so neither is judged met or
    missed; a run ended otherwise (started and stopped by one event) is judged.
    A closure after the stage was answered ends an acknowledgement clock (a
    stage's ``acknowledge_clock``; ``acknowledges`` are its stages,
    :func:`acknowledge_clocks`) that nothing stopped: the stage was answered and
    never acknowledged, which is not an acknowledgement in time (review s47C F02:
    it was left out, and a landlord that never acknowledged read 100 %).
    """
    own = frozenset(stop)
    answered = False
    at = as_instant(at)  # instants: the events may share at's zone (review s48B)
    for ev in events:
        when = as_instant(ev.at)
        if when > at:
            break
        if isinstance(ev, Responded) and acknowledges and ev.stage in acknowledges:
            answered = True
        if when != at:
            continue
        why = own.intersection(ev.tags())
        if why:
            done = any(not tag.startswith(_ESCALATION) for tag in why)
            return RunJudgement.BY_CLOCK if done else RunJudgement.NOT
        if isinstance(ev, Closed):
            return RunJudgement.UNACKNOWLEDGED if answered else RunJudgement.NOT
    return RunJudgement.BY_CLOCK


_ESCALATION = "escalation_requested"
"""The tag (and tag prefix) of a request to escalate."""
