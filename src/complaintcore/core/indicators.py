"""A pack's periodic indicators: the figures an ombudsman asks for, in its own terms.

A pack lists its ``[[indicators]]`` (``uk-housing-ombudsman-2024``: the annual
complaints performance figures; ``scotland-spso``: the quarterly and annual
indicators).  :func:`indicator_report` reads complaints **once**, as a stream,
and computes every indicator for a :class:`ReportingPeriod` (a year, a quarter,
a month or a range of months in the pack's time zone), as the complaints stand
at ``now``.  It is pure: the pack, the working calendar and ``now`` are
arguments.

What each kind counts (every figure is as at ``now``; events after it are
ignored, complaints received after it are left out).  A record that, as at
``now``, is assessed as not a complaint (not valid, a service request or an
enquiry: VAL-4, the packs' "not complaints") counts in none of them, except the
runs of a clock its pack does not waive for it (ISO 10002's initial assessment,
owed by every item).

* ``received`` — at the first stage (or with no stage named): complaints
  received in the period; at a later stage: requests to escalate into it made
  in the period.
* ``responded`` — stage responses (``Responded``) given in the period.
* ``closed`` — closures (``Closed``) in the period, each at the stage the
  complaint was at; a complaint closed at stage 1 and again at stage 2 counts
  at both.  ``share_closed``: the stage's closures over all closures.
* ``within_target`` — runs of the clock (the indicator's ``clock``, else the
  stage's ``response_clock``) that stopped in the period because their work
  was done (one of the clock's own stop tags, such as ``responded:stage_1``):
  met / (met + missed).  An extended clock is judged against its extended due
  time, or with ``with_extensions = false`` against its own duration (the
  SPSO's "closed within 5 working days").  A run stopped by a request to
  escalate (a stage left before it was answered) or by a closure (withdrawn or
  settled with no response or acknowledgement) is not judged, whatever else
  happened at the same instant.
* ``extended`` — responses at the stage in the period whose clock was extended,
  out of all those responses.
* ``average_working_days`` — for responses at the stage in the period, the
  working days from the stage's start (receipt for the first stage, the request
  to escalate for a later one) to the response: the working days after the
  start's date up to and including the response's date, on the pack's calendar
  (the clocks count the same way).  A response on the day of receipt is 0.
* ``outcome`` — responses at the stage in the period with that outcome, out of
  all those responses.
* ``remedies`` — responses in the period that recorded a remedy, out of all.
* ``time_barred`` — complaints received in the period that intake flagged as
  out of time, out of all received.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo

import attrs

from complaintcore.core.deadlines import ClockState, ClockStatus, WorkingTime, compute_clocks
from complaintcore.core.errors import InvalidInputError, NaiveDatetimeError
from complaintcore.core.grading import add_months
from complaintcore.core.models import (
    RAISED_TAG,
    Closed,
    Complaint,
    ComplaintState,
    EscalationRequested,
    Event,
    Extended,
    Kind,
    Responded,
    Validity,
    as_instant,
    require_aware,
    tagged_events,
)
from complaintcore.core.rulepack import ClockSpec, Indicator, IndicatorKind, RulePack
from complaintcore.core.spreadsheet import spreadsheet_safe
from complaintcore.core.stages import RunJudgement, acknowledge_clocks, judge_run
from complaintcore.core.workflow import fold

__all__ = [
    "INDICATOR_ROW_FIELDS",
    "INDICATOR_SCHEMA",
    "IndicatorReport",
    "IndicatorValue",
    "ReportingPeriod",
    "indicator_report",
    "indicator_rows",
    "indicators_to_json",
]

INDICATOR_SCHEMA = "complaintcore.indicator_report/1"

INDICATOR_ROW_FIELDS: tuple[str, ...] = (
    "period",
    "code",
    "kind",
    "stage",
    "rule",
    "label_zh",
    "label_en",
    "label",
    "count",
    "of",
    "value",
)
"""The columns of :func:`indicator_rows` (CSV)."""

_SHARES = frozenset(
    {
        IndicatorKind.SHARE_CLOSED,
        IndicatorKind.WITHIN_TARGET,
        IndicatorKind.EXTENDED,
        IndicatorKind.OUTCOME,
        IndicatorKind.REMEDIES,
        IndicatorKind.TIME_BARRED,
    }
)
"""Kinds whose value is ``count / of``."""


class WorkingDays(Protocol):
    """What the indicators need from a calendar (a :class:`WorkingCalendar`)."""

    @property
    def tz(self) -> tzinfo: ...

    def is_working_day(self, d: date) -> bool: ...


class _Calendar(WorkingTime, WorkingDays, Protocol):
    """The clocks' calendar, which also says which dates are working days."""


# --------------------------------------------------------------------------- periods

_YEAR = re.compile(r"(\d{4})")
_QUARTER = re.compile(r"(\d{4})-[Qq]([1-4])")
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_RANGE = re.compile(r"(\d{4})-(\d{1,2})\.\.(\d{4})-(\d{1,2})")
_FIRST_YEAR, _LAST_YEAR = 1970, 2999
"""The years a period may name, at either end of a range."""


@attrs.frozen
class ReportingPeriod:
    """A span of whole months in a time zone: ``start`` inclusive, ``end`` exclusive.

    Written ``2025`` (a year), ``2025-Q1`` (a quarter), ``2025-11`` (a month) or
    ``2025-04..2026-03`` (months from and to, inclusive: a financial year).
    """

    key: str
    timezone: str
    start: datetime
    end: datetime

    @classmethod
    def parse(cls, text: str, timezone: str) -> ReportingPeriod:
        """Read a period; ``timezone`` is the pack's (its months are that zone's).

        :raises InvalidInputError: ``period`` is not one of the four forms, or a
            month or year is out of range (years 1970 to 2999, at both ends of a
            range), or a range ends before it starts.
        """
        if not isinstance(text, str):
            raise InvalidInputError("period", "expected text such as 2025, 2025-Q1 or 2025-11")
        text = text.strip()
        first: tuple[int, int]
        months: int
        if m := _YEAR.fullmatch(text):
            first, months, key = (int(m.group(1)), 1), 12, m.group(1)
        elif m := _QUARTER.fullmatch(text):
            year, q = int(m.group(1)), int(m.group(2))
            first, months, key = (year, 3 * q - 2), 3, f"{year}-Q{q}"
        elif m := _MONTH.fullmatch(text):
            first, months = (int(m.group(1)), int(m.group(2))), 1
            key = f"{first[0]:04d}-{first[1]:02d}"
        elif m := _RANGE.fullmatch(text):
            first = (int(m.group(1)), int(m.group(2)))
            last = (int(m.group(3)), int(m.group(4)))
            months = (last[0] - first[0]) * 12 + last[1] - first[1] + 1
            key = f"{first[0]:04d}-{first[1]:02d}..{last[0]:04d}-{last[1]:02d}"
            if not 1 <= last[1] <= 12:
                raise InvalidInputError("period", "a month is 1 to 12")
            if not _FIRST_YEAR <= last[0] <= _LAST_YEAR:  # both ends (review s42E F05)
                raise InvalidInputError("period", "years from 1970 to 2999")
            if months < 1:
                raise InvalidInputError("period", "the range ends before it starts")
        else:
            raise InvalidInputError("period", "expected 2025, 2025-Q1, 2025-11 or 2025-04..2026-03")
        if not 1 <= first[1] <= 12:
            raise InvalidInputError("period", "a month is 1 to 12")
        if not _FIRST_YEAR <= first[0] <= _LAST_YEAR:
            raise InvalidInputError("period", "years from 1970 to 2999")
        try:
            tz = ZoneInfo(timezone)
        except (ValueError, OSError, KeyError):
            raise InvalidInputError("timezone", f"unknown time zone {timezone!r}") from None
        start = datetime(first[0], first[1], 1, tzinfo=tz)
        return cls(key, timezone, start, add_months(start, months))

    def __contains__(self, t: object) -> bool:
        """A naive time is refused: where it falls depends on a zone it does not say."""
        if not isinstance(t, datetime):
            return False
        if t.utcoffset() is None:
            raise NaiveDatetimeError("t")
        return self.start <= as_instant(t) < self.end  # instants (review s41G F02)


# --------------------------------------------------------------------------- results


@attrs.frozen
class IndicatorValue:
    """One indicator's figure for the period, with what it was computed from.

    ``count`` is what was counted; ``of`` what a share divides by (``None`` for
    counts and averages); ``value`` the figure: the count, the share (0..1) or
    the average in working days, ``None`` when there is nothing to divide by.
    """

    code: str
    zh: str
    en: str
    kind: IndicatorKind
    stage: str
    rule: str
    count: int
    of: int | None
    value: float | None

    def label(self, lang: str = "en") -> str:
        return self.zh if lang.lower().startswith("zh") else self.en


@attrs.frozen
class IndicatorReport:
    """A pack's indicators for one period, as at ``now``."""

    pack: str
    title_zh: str
    title_en: str
    period: ReportingPeriod
    now: datetime
    values: tuple[IndicatorValue, ...]
    complaints: int
    """Complaints read that had anything in the period; records assessed as not a
    complaint (not valid, a service request, an enquiry) are not counted (VAL-4)."""
    excluded_after_now: int
    lang: str = "en"

    def title(self, lang: str | None = None) -> str:
        chosen = lang or self.lang
        return self.title_zh if chosen.lower().startswith("zh") else self.title_en


# --------------------------------------------------------------------------- the pass


@attrs.frozen
class _Response:
    stage: str
    at: datetime
    started: datetime
    outcome: str
    remedies: bool
    extended: frozenset[str]


@attrs.define
class _Tally:
    pack: RulePack
    calendar: _Calendar
    period: ReportingPeriod
    now: datetime
    received: dict[str, int] = attrs.Factory(dict)
    time_barred: int = 0
    responses: list[_Response] = attrs.Factory(list)
    closures: dict[str, int] = attrs.Factory(dict)
    clocks: dict[tuple[str, bool], list[bool]] = attrs.Factory(dict)
    seen: int = 0
    after_now: int = 0
    _acknowledges: dict[str, frozenset[str]] = attrs.field(init=False)
    """Each stage's acknowledgement clock, with the stages whose acknowledgement it times."""

    def __attrs_post_init__(self) -> None:
        self._acknowledges = acknowledge_clocks(self.pack)

    def add(self, complaint: Complaint) -> None:
        if not isinstance(complaint, Complaint):
            raise InvalidInputError("complaints", f"expected Complaint, got {type(complaint)}")
        if complaint.intake.received_at > as_instant(self.now):
            self.after_now += 1
            return
        cut = as_instant(self.now)
        events = tuple(e for e in complaint.events if e.at <= cut)
        begun = self._begun(complaint, events)
        received = begun in self.period
        touched = received or any(e.at in self.period for e in events)
        if not touched:
            return
        state = fold(events)
        found = _found_not_a_complaint(state)
        if not found:  # VAL-4: a record found not a complaint is no complaint read
            self.seen += 1
            self._count_stages(complaint, events, received, state.time_barred)
        wanted = self._timed_clocks()
        for extended_too, names in wanted.items():
            for status in self._statuses(complaint, names, extended_too):
                stopped = status.stopped_at
                if stopped is None or stopped not in self.period:
                    continue
                if status.state not in (ClockState.MET, ClockState.MISSED):
                    continue  # lapsed or waived: neither met nor missed
                spec = self.pack.clock(status.name)
                if not found.isdisjoint(_waived_by(spec)):
                    continue
                judged = judge_run(events, spec.stop, stopped, self._acknowledges.get(spec.name))
                if judged is RunJudgement.NOT:
                    continue
                runs = self.clocks.setdefault((status.name, extended_too), [])
                runs.append(judged is RunJudgement.BY_CLOCK and status.state is ClockState.MET)

    def _begun(self, complaint: Complaint, events: tuple[Event, ...]) -> datetime:
        """When the complaint was received: its receipt, or on a pack whose clocks
        start afresh when a request or enquiry is raised as a complaint (HOC 1.5,
        :data:`~complaintcore.core.models.RAISED_TAG`) the last such assessment."""
        begun = complaint.intake.received_at
        if any(RAISED_TAG in spec.restart for spec in self.pack.clocks):
            for ev, tags in tagged_events(events):
                if RAISED_TAG in tags:
                    begun = ev.at
        return begun

    def _count_stages(
        self, complaint: Complaint, events: tuple[Event, ...], received: bool, barred: bool
    ) -> None:
        """Receipt, escalation requests, responses and closures of a complaint.

        A stage 1 response is timed from the receipt or, on a pack that restarts
        on :data:`~complaintcore.core.models.RAISED_TAG`, from the last raise
        before it: a raise after the response changes neither (re-review s58RR2 F06)."""
        first = self.pack.stages[0].code if self.pack.stages else ""
        if received:
            self.received[first] = self.received.get(first, 0) + 1
            self.received[""] = self.received.get("", 0) + 1
            self.time_barred += barred
        stage, started = first, complaint.intake.received_at
        raises = any(RAISED_TAG in spec.restart for spec in self.pack.clocks)
        extended: set[str] = set()
        for ev, tags in tagged_events(events):
            if raises and RAISED_TAG in tags and stage == first:
                started = ev.at
            if isinstance(ev, EscalationRequested):
                stage, started, extended = ev.stage, ev.at, set()
                if ev.at in self.period:
                    self.received[stage] = self.received.get(stage, 0) + 1
            elif isinstance(ev, Extended):
                extended.add(ev.clock)
            elif isinstance(ev, Responded) and ev.at in self.period:
                self.responses.append(
                    _Response(
                        ev.stage,
                        ev.at,
                        started,
                        ev.outcome.value,
                        bool(ev.remedies),
                        frozenset(extended),
                    )
                )
            elif isinstance(ev, Closed) and ev.at in self.period:
                self.closures[stage] = self.closures.get(stage, 0) + 1
                self.closures[""] = self.closures.get("", 0) + 1

    def _timed_clocks(self) -> dict[bool, frozenset[str]]:
        """The clocks ``within_target`` indicators judge, with their extensions
        (True) and without them (False)."""
        found: dict[bool, set[str]] = {}
        for ind in self.pack.indicators:
            if ind.kind is IndicatorKind.WITHIN_TARGET:
                found.setdefault(ind.with_extensions, set()).add(_clock_of(ind, self.pack))
        return {key: frozenset(names) for key, names in found.items()}

    def _statuses(
        self, complaint: Complaint, wanted: frozenset[str], extended_too: bool
    ) -> Iterator[ClockStatus]:
        """The wanted clocks; without ``extended_too``, as if never extended: judged
        against their own duration (SPSO: closed within 5 working days)."""
        if not extended_too:
            kept = tuple(
                e for e in complaint.events if not (isinstance(e, Extended) and e.clock in wanted)
            )
            if len(kept) != len(complaint.events):
                complaint = attrs.evolve(complaint, events=kept)
        yield from compute_clocks(
            complaint, self.pack, self.calendar, self.now, explain=False, only=wanted
        )

    def value(self, ind: Indicator) -> IndicatorValue:
        kind, stage = ind.kind, ind.stage
        here = [r for r in self.responses if not stage or r.stage == stage]
        of: int | None = None
        if kind is IndicatorKind.RECEIVED:
            count = self.received.get(stage, 0)
        elif kind is IndicatorKind.RESPONDED:
            count = len(here)
        elif kind is IndicatorKind.CLOSED:
            count = self.closures.get(stage, 0)
        elif kind is IndicatorKind.SHARE_CLOSED:
            count, of = self.closures.get(stage, 0), self.closures.get("", 0)
        elif kind is IndicatorKind.WITHIN_TARGET:
            runs = self.clocks.get((_clock_of(ind, self.pack), ind.with_extensions), [])
            count, of = sum(runs), len(runs)
        elif kind is IndicatorKind.EXTENDED:
            clock = _clock_of(ind, self.pack)
            count, of = sum(clock in r.extended for r in here), len(here)
        elif kind is IndicatorKind.OUTCOME:
            wanted = ind.outcome.value if ind.outcome is not None else ""
            count, of = sum(r.outcome == wanted for r in here), len(here)
        elif kind is IndicatorKind.REMEDIES:
            count, of = sum(r.remedies for r in here), len(here)
        elif kind is IndicatorKind.TIME_BARRED:
            count, of = self.time_barred, self.received.get("", 0)
        else:  # average working days
            days = [self._working_days(r.started, r.at) for r in here]
            average = round(sum(days) / len(days), 2) if days else None
            return IndicatorValue(
                ind.code, ind.zh, ind.en, kind, stage, ind.rule, len(days), None, average
            )
        share = round(count / of, 4) if of else None
        value = share if kind in _SHARES else float(count)
        return IndicatorValue(ind.code, ind.zh, ind.en, kind, stage, ind.rule, count, of, value)

    def _working_days(self, start: datetime, end: datetime) -> int:
        """Working dates after ``start``'s date up to and including ``end``'s."""
        tz = self.calendar.tz
        day, last = start.astimezone(tz).date(), end.astimezone(tz).date()
        n = 0
        while day < last:
            day += timedelta(days=1)
            n += self.calendar.is_working_day(day)
        return n


def _found_not_a_complaint(state: ComplaintState) -> frozenset[str]:
    """VAL-4: the assessment's tags if it found the record not a complaint (not
    valid, a service request or an enquiry), else nothing.  The pack's clocks
    waive on these tags, so they also say which targets such a record still owes."""
    if state.complaint_kind is Kind.COMPLAINT and state.validity is not Validity.INVALID:
        return frozenset()
    return frozenset({f"assessed:{state.validity.value}", f"assessed:{state.complaint_kind.value}"})


def _waived_by(spec: ClockSpec) -> frozenset[str]:
    """Every tag that leaves the clock's work owed by nobody (its own and its waivers')."""
    return frozenset(spec.waive).union(*(w.waive for w in spec.waivers))


def _clock_of(ind: Indicator, pack: RulePack) -> str:
    if ind.clock:
        return ind.clock
    return pack.stage(ind.stage).response_clock if ind.stage else ""


def indicator_report(
    complaints: Iterable[Complaint],
    pack: RulePack,
    calendar: _Calendar,
    *,
    period: ReportingPeriod | str,
    now: datetime,
    lang: str = "en",
) -> IndicatorReport:
    """The pack's ``[[indicators]]`` for ``period``, reading ``complaints`` once.

    :param complaints: any iterable (a store's streamed ``complaints()``).
    :param pack: the rule pack: its indicators, stages, clocks and time zone.
    :param calendar: the pack's working calendar (for the clocks and working days).
    :param period: a :class:`ReportingPeriod`, or its text (``2025``,
        ``2025-Q1``, ``2025-11``, ``2025-04..2026-03``) read in the pack's zone.
    :param now: aware; figures are as things stand at ``now``.
    :param lang: ``"zh"`` or ``"en"``, the language of ``label`` in the exports.
    :raises InvalidInputError: a bad period or argument; the pack has no indicators.
    """
    require_aware(now, "now")
    if not isinstance(pack, RulePack):
        raise InvalidInputError("pack", f"expected RulePack, got {type(pack).__name__}")
    if not pack.indicators:
        raise InvalidInputError("pack", f"pack {pack.name} declares no indicators")
    if isinstance(period, str):
        period = ReportingPeriod.parse(period, pack.calendar.timezone)
    tally = _Tally(pack, calendar, period, now)
    for complaint in complaints:
        tally.add(complaint)
    chosen = "zh" if lang.lower().startswith("zh") else "en"
    return IndicatorReport(
        pack=pack.name,
        title_zh=pack.title_zh,
        title_en=pack.title_en,
        period=period,
        now=now.astimezone(period.start.tzinfo),  # in the period's zone (review s49O F01)
        values=tuple(tally.value(ind) for ind in pack.indicators),
        complaints=tally.seen,
        excluded_after_now=tally.after_now,
        lang=chosen,
    )


# --------------------------------------------------------------------------- export


def indicators_to_json(report: IndicatorReport) -> dict[str, object]:
    """The report as JSON-ready data; shares are 0..1, rounded to 4 decimals."""
    p = report.period
    return {
        "schema": INDICATOR_SCHEMA,
        "pack": report.pack,
        "title": report.title(),
        "lang": report.lang,
        "period": {
            "key": p.key,
            "timezone": p.timezone,
            "start": p.start.isoformat(),
            "end": p.end.isoformat(),
        },
        "now": report.now.isoformat(),
        "complaints": report.complaints,
        "excluded_after_now": report.excluded_after_now,
        "indicators": [
            {
                "code": v.code,
                "kind": v.kind.value,
                "stage": v.stage or None,
                "rule": v.rule or None,
                "zh": v.zh,
                "en": v.en,
                "label": v.label(report.lang),
                "count": v.count,
                "of": v.of,
                "value": v.value,
            }
            for v in report.values
        ],
    }


def indicator_rows(report: IndicatorReport) -> list[dict[str, str | int | float | None]]:
    """The report as flat rows with the keys :data:`INDICATOR_ROW_FIELDS` (CSV).

    A pack's own text (code, stage, rule, labels) is
    :func:`~complaintcore.core.spreadsheet.spreadsheet_safe`: no cell runs as a
    spreadsheet formula (CSV injection).
    """
    safe = spreadsheet_safe
    return [
        {
            "period": report.period.key,
            "code": safe(v.code),
            "kind": v.kind.value,
            "stage": safe(v.stage),
            "rule": safe(v.rule),
            "label_zh": safe(v.zh),
            "label_en": safe(v.en),
            "label": safe(v.label(report.lang)),
            "count": v.count,
            "of": v.of,
            "value": v.value,
        }
        for v in report.values
    ]
