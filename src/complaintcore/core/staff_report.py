"""The monthly per-staff accountability table (PEN-1, PEN-2).

004 篇2 §4 gives each grade its sanction (a warning, a yellow, red or black
card, circulated criticism, a written self-examination); 004 篇1 §三.4 has a
sales consultant complained about lose points in that month's evaluation and,
in a serious case (情节严重), handed to the company.  :func:`staff_report` adds a
month up per staff member, in one pass over the complaints:

* **sanctions** are the ``SanctionRecorded`` events, recorded up to ``now``, of
  the complaints received in the month (in the pack's time zone) and still
  valid at ``now`` (VAL-4), one per complaint, the one of its highest grade (a
  grade raised after a sanction earns the new grade's, which replaces the
  lighter one): by grade, the cards among their measures, and the points
  deducted.  The points come off the evaluation of the month the person
  was complained about (当月考评扣分), whenever the sanction was typed in: a
  complaint of 30 March sanctioned on 1 April counts in March.  Only what was
  recorded counts: a complaint whose grade's sanction is not recorded — none
  recorded yet (PEN-2: the person *receives* it), or a lighter one before the
  grade rose — is listed as ``outstanding`` (the sanction of its grade) until
  it is;
* **valid complaints** about the person are the complaints received in the
  month, valid at ``now`` (VAL-4), whose target (CLS-4) is that person;
* a month is **severe** (reported to the company) when the person has a
  severe sanction, or reaches the pack's ``severe_points`` or
  ``severe_complaints`` (:class:`~complaintcore.core.rulepack.Accountability`).

The table names staff by id only and carries no complainant's name, phone or
room (PRV-1); a reader joins the staff directory for names, masked.  Pure:
the pack and ``now`` are arguments.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

import attrs

from complaintcore.core.accountability import (
    OutstandingSanction,
    outstanding_sanction,
    standing_sanction,
)
from complaintcore.core.errors import InvalidInputError
from complaintcore.core.models import Complaint, Grade, SanctionRecorded, as_instant, require_aware
from complaintcore.core.rulepack import Accountability, Measure, RulePack
from complaintcore.core.validity import counts_as_complaint
from complaintcore.core.workflow import fold

__all__ = [
    "CARDS",
    "SEVERE_REASONS",
    "StaffMonth",
    "StaffReport",
    "month_at_limit",
    "staff_report",
]

CARDS = (Measure.YELLOW_CARD, Measure.RED_CARD, Measure.BLACK_CARD)
"""PEN-1: the cards a sanction can carry, mildest first."""

_GRADES = (Grade.MAJOR, Grade.IMPORTANT, Grade.MINOR, Grade.INTERNAL)

SEVERE_REASONS = {
    "severe_sanction": ("严重处罚", "a severe sanction"),
    "points": ("扣分达到上限", "points deducted reached the limit"),
    "complaints": ("有效投诉次数达到上限", "valid complaints reached the limit"),
}
"""Why a month is severe, with zh-CN and en labels."""

_BY_COUNT = frozenset({"points", "complaints"})
"""The reasons a month reaches by adding up (a severe sanction is told on its own)."""


@attrs.frozen
class StaffMonth:
    """PEN-1, PEN-2: one staff member's month.

    ``sanctions`` counts sanctions by grade (major first); ``cards`` the yellow,
    red and black cards among them; ``warnings`` the warnings;
    ``points`` the evaluation points deducted; ``complaints`` the valid
    complaints about the person received in the month, ``complaint_ids`` their
    ids.  ``severe`` marks a case reported to the company, ``reasons`` why
    (keys of :data:`SEVERE_REASONS`).  ``outstanding``: the month's valid
    complaints about the person (or counted here by a sanction of a lower grade
    than their grade now) whose grade's sanction is not recorded, each with the
    sanction of its grade (not counted in the figures until recorded, PEN-2).
    """

    staff_id: str
    sanctions: tuple[tuple[Grade, int], ...]
    cards: tuple[tuple[Measure, int], ...]
    warnings: int
    points: int
    complaints: int
    complaint_ids: tuple[str, ...]
    severe: bool
    reasons: tuple[str, ...] = ()
    outstanding: tuple[OutstandingSanction, ...] = ()

    @property
    def sanction_count(self) -> int:
        return sum(n for _g, n in self.sanctions)

    def sanctioned(self, grade: Grade) -> int:
        return next((n for g, n in self.sanctions if g is grade), 0)

    def carded(self, card: Measure) -> int:
        return next((n for c, n in self.cards if c is card), 0)


@attrs.frozen
class StaffReport:
    """The month's table: one row per staff member with a sanction or a valid
    complaint about them, severe cases first."""

    pack: str
    period: str
    timezone: str
    now: datetime
    rule: Accountability
    rows: tuple[StaffMonth, ...] = ()

    @property
    def severe(self) -> tuple[StaffMonth, ...]:
        return tuple(r for r in self.rows if r.severe)


@attrs.define
class _Person:
    sanctions: Counter[Grade] = attrs.Factory(Counter)
    cards: Counter[Measure] = attrs.Factory(Counter)
    warnings: int = 0
    points: int = 0
    severe_sanction: bool = False
    complaints: list[str] = attrs.Factory(list)
    outstanding: list[OutstandingSanction] = attrs.Factory(list)


def _month_bounds(year: int, month: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    if not isinstance(year, int) or isinstance(year, bool) or not 1 <= year <= 9998:
        raise InvalidInputError("year", "expected a year from 1 to 9998")
    if not isinstance(month, int) or isinstance(month, bool) or not 1 <= month <= 12:
        raise InvalidInputError("month", "expected a month from 1 to 12")
    nyear, nmonth = (year + 1, 1) if month == 12 else (year, month + 1)
    return datetime(year, month, 1, tzinfo=tz), datetime(nyear, nmonth, 1, tzinfo=tz)


def staff_report(
    complaints: Iterable[Complaint],
    pack: RulePack,
    *,
    year: int,
    month: int,
    now: datetime,
) -> StaffReport:
    """PEN-1, PEN-2: the month's per-staff table, reading ``complaints`` once.

    :param complaints: any iterable (a store's streamed ``complaints()``).
    :param pack: the rule pack: its time zone and what is severe.
    :param year: the month's year.
    :param month: 1..12, in ``pack.calendar.timezone``.
    :param now: aware; sanctions and validity as they stand at ``now``.
    :raises InvalidInputError: a bad argument or a non-complaint item.
    """
    require_aware(now, "now")
    if not isinstance(pack, RulePack):
        raise InvalidInputError("pack", f"expected RulePack, got {type(pack).__name__}")
    tz = ZoneInfo(pack.calendar.timezone)
    start, end = _month_bounds(year, month, tz)
    # instants: events and receipts may share the pack's zone with now (review s41G F02)
    now = as_instant(now)
    if not isinstance(complaints, Iterable) or isinstance(complaints, str | bytes | Mapping):
        raise InvalidInputError("complaints", "expected an iterable of complaints")
    people: dict[str, _Person] = {}
    for c in complaints:
        if not isinstance(c, Complaint):
            raise InvalidInputError(
                "complaints", f"expected Complaint items, got {type(c).__name__}"
            )
        events = c.events
        state = (
            fold(e for e in events if e.at <= now) if events and events[-1].at > now else c.state
        )
        # VAL-4: a sanction stands while its complaint is a valid one; revised to
        # invalid (VAL-1), the card goes with it
        received = as_instant(c.intake.received_at)
        # PEN-2 (004 篇1 §三.4 当月): the month the person was complained about
        sanctioned = counts_as_complaint(state) and start <= received < end
        # PEN-2: the sanction of the highest grade, once: a grade raised after a
        # sanction earns the new grade's, which replaces the lighter one
        standing = standing_sanction(e for e in events if e.at <= now) if sanctioned else None
        if standing is not None:
            _tally(people.setdefault(standing.staff_id, _Person()), standing)
        if sanctioned and received <= now:
            # PEN-2: its grade's sanction is not recorded (none, or a lighter one
            # before the grade rose): listed, not counted
            then = c
            if state is not c.state:  # as it stood at ``now``
                then = attrs.evolve(c, events=tuple(e for e in events if e.at <= now), state=state)
            owed = outstanding_sanction(then, pack, now)  # its grade at now (s56R6 F03)
            if owed is not None:
                people.setdefault(owed.staff_id, _Person()).outstanding.append(owed)
        if not (start <= received < end and received <= now):
            continue
        target = state.target or c.intake.target
        if target is not None and counts_as_complaint(state):
            people.setdefault(target.staff_id, _Person()).complaints.append(c.id)
    rule = pack.accountability
    rows = [_row(staff_id, p, rule) for staff_id, p in people.items()]
    rows.sort(key=lambda r: (not r.severe, -r.points, -r.sanction_count, -r.complaints, r.staff_id))
    return StaffReport(
        pack=pack.name,
        period=f"{year:04d}-{month:02d}",
        timezone=pack.calendar.timezone,
        now=now,
        rule=rule,
        rows=tuple(rows),
    )


def _tally(p: _Person, ev: SanctionRecorded) -> None:
    p.sanctions[ev.grade] += 1
    p.points += ev.points_deducted
    p.severe_sanction = p.severe_sanction or ev.severe
    for m in ev.measures:
        if m in CARDS:
            p.cards[Measure.parse(m, "measures")] += 1
        elif m == Measure.WARNING:
            p.warnings += 1


def _row(staff_id: str, p: _Person, rule: Accountability) -> StaffMonth:
    reasons = []
    if p.severe_sanction:
        reasons.append("severe_sanction")
    if rule.severe_points and p.points >= rule.severe_points:
        reasons.append("points")
    if rule.severe_complaints and len(p.complaints) >= rule.severe_complaints:
        reasons.append("complaints")
    return StaffMonth(
        staff_id=staff_id,
        sanctions=tuple((g, p.sanctions[g]) for g in _GRADES if p.sanctions[g]),
        cards=tuple((c, p.cards[c]) for c in CARDS if p.cards[c]),
        warnings=p.warnings,
        points=p.points,
        complaints=len(p.complaints),
        complaint_ids=tuple(sorted(p.complaints)),
        severe=bool(reasons),
        reasons=tuple(reasons),
        outstanding=tuple(sorted(p.outstanding, key=lambda o: o.complaint_id)),
    )


def month_at_limit(
    complaints: Iterable[Complaint],
    pack: RulePack,
    *,
    staff_id: str,
    year: int,
    month: int,
    now: datetime,
) -> StaffMonth | None:
    """PEN-2: ``staff_id``'s month as it stands at ``now`` when it has reached the
    pack's ``severe_points`` or ``severe_complaints`` (情节严重交由公司处理), else ``None``.

    The desk asks at every sanction and tells the company once per person and
    month (the message's key names the person and the month, not the sanction),
    so sanctions typed in late, out of order or together tell it once.
    """
    report = staff_report(complaints, pack, year=year, month=month, now=now)
    row = _person(report, staff_id)
    return row if row is not None and _BY_COUNT.intersection(row.reasons) else None


def _person(report: StaffReport, staff_id: str) -> StaffMonth | None:
    return next((r for r in report.rows if r.staff_id == staff_id), None)
