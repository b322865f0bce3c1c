"""Grades and the reasons for them (GRD-1..6).

Grades come from the facts found about a complaint, matched against the pack's
grade rules in order, and from its age: a valid complaint still open one month
after receipt becomes major (GRD-2, DL-6).  Nothing here lowers a grade (GRD-6).
"""

from __future__ import annotations

import calendar as _stdcal
from datetime import MAXYEAR, MINYEAR, date, datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

import attrs

from complaintcore.core.errors import ComplaintCoreError, InvalidInputError
from complaintcore.core.models import (
    SATISFACTION_FAILED,
    Channel,
    Closed,
    Complaint,
    Escalated,
    Extended,
    Fact,
    Grade,
    Kind,
    Promised,
    Reopened,
    Validity,
    Visited,
    as_instant,
    in_zone,
    require_aware,
)
from complaintcore.core.rulepack import ClockMode, RulePack

__all__ = [
    "GradeAssessment",
    "add_months",
    "age_upgrade_at",
    "assess_grade",
    "broken_promise_at",
    "found_internal",
    "grade_due",
    "grade_for_facts",
    "higher",
    "not_internal_because",
    "promise_not_kept",
]


@attrs.frozen
class GradeAssessment:
    """A grade and every reason that produced it, in both languages."""

    grade: Grade
    reasons: tuple[str, ...]


def higher(a: Grade | None, b: Grade) -> Grade:
    """GRD-6: the more severe of two grades."""
    return b if a is None or b.rank > a.rank else a


def grade_for_facts(
    facts: frozenset[Fact], pack: RulePack, channel: Channel | None = None
) -> GradeAssessment:
    """GRD-2..5: the first matching rule decides; its reason is kept.

    Rules are tried in pack order (packs list major rules first), so a complaint
    that is both a staff fault and caused an injury is major, not important.  A
    rule limited to some channels (GRD-5: internal complaints are made in
    writing) matches only complaints that arrived through them.
    """
    for rule in pack.grading.rules:
        if rule.matches(facts, channel):
            reason = f"{rule.reason_zh} / {rule.reason_en}".strip(" /")
            return GradeAssessment(rule.grade, (reason or rule.grade.en,))
    default = pack.grading.default
    return GradeAssessment(default, (f"默认等级 / default grade: {default.en}",))


_Day = TypeVar("_Day", date, datetime)


def add_months(moment: _Day, months: int) -> _Day:
    """The same day of the month ``months`` later, clipped to that month's last day.

    A datetime keeps its wall time and time zone, so pass it in the zone whose
    months count (DL-6 counts in the pack's zone); it must be aware.  The one
    month arithmetic of the library: the grade upgrade, month clocks and the demo.
    """
    if isinstance(moment, datetime):
        require_aware(moment, "moment")
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    if not MINYEAR <= year <= MAXYEAR:  # a library error, never a bare ValueError
        raise InvalidInputError(
            "months", f"{months} months from {moment.isoformat()} is past the year {MAXYEAR}"
        )
    day = min(moment.day, _stdcal.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def age_upgrade_at(complaint: Complaint, pack: RulePack) -> datetime | None:
    """DL-6: the end of the month an unresolved valid complaint has (major once past
    it, as a deadline is breached once past its due time), or None if never.

    Months are counted on the pack's calendar (its time zone): received at
    01:00 on 31 January in Beijing is 30 January in UTC, and the month it has
    is February's last day in Beijing either way.
    """
    months = pack.grading.upgrade_after_months
    if months <= 0:
        return None
    local = in_zone(complaint.intake.received_at, ZoneInfo(pack.calendar.timezone))
    # an instant, so "past it" compares instants in any zone ``now`` is in (s41D F01)
    return as_instant(add_months(local, months))


def age_upgrade_due(complaint: Complaint, pack: RulePack, now: datetime) -> bool:
    """GRD-2, DL-6: whether the month has made this open complaint due its upgrade
    by ``now`` while its grade is still below the upgrade's: the desk regrades it
    before anyone acts on it."""
    now = as_instant(require_aware(now, "now"))
    grade = complaint.state.grade
    if not complaint.is_open or grade is None or grade.rank >= pack.grading.upgrade_to.rank:
        return False
    due = age_upgrade_at(complaint, pack)
    return due is not None and now > due


def _facts(complaint: Complaint, pack: RulePack, now: datetime) -> frozenset[Fact]:
    facts = set(complaint.intake.facts) | set(complaint.state.facts)
    if complaint.state.category:
        facts.update(complaint.category_in(pack).facts)  # renamed away: names the complaint
    if Fact.PROMISE_NOT_KEPT not in facts and broken_promise_at(complaint, pack, now):
        facts.add(Fact.PROMISE_NOT_KEPT)
    return frozenset(facts)


def promise_not_kept(complaint: Complaint, pack: RulePack, now: datetime) -> bool:
    """GRD-2: whether a promise in this complaint was not carried out by ``now``.

    Recorded at intake or found later, or broken by the desk (a ``Promised``
    time let pass): another raising of the same matter inherits it.
    """
    now = as_instant(require_aware(now, "now"))
    return Fact.PROMISE_NOT_KEPT in _facts(complaint, pack, now)


def broken_promise_at(complaint: Complaint, pack: RulePack, now: datetime) -> datetime | None:
    """GRD-2, DL-5: when a time agreed with the complainant passed with nothing done,
    or None.

    A promise the desk recorded (``Promised``) and let pass is a promise not
    carried out, as much as one the receiver is told of: GRD-2 makes it major
    once the matter is raised repeatedly.  A promise is kept by what stops the
    pack's promise clock (a final reply, closure) by its time, or replaced by a
    new time agreed before it; met exactly on time is kept.  An extension of the
    promise clock counts as a new time (nothing here can say how far it moves
    the time without the calendar, so it is never held against the company).
    """
    specs = [c for c in pack.clocks if c.mode is ClockMode.PROMISED]
    if not specs or not any(isinstance(e, Promised) for e in complaint.events):
        return None
    names = {c.name for c in specs}
    stops = frozenset(t for c in specs for t in c.stop) | {"closed"}
    pending: datetime | None = None
    passes: datetime | None = None  # pending as an instant: compared with any zone's times
    cut = as_instant(require_aware(now, "now"))
    for ev in complaint.events:
        if ev.at > cut:
            break
        if passes is not None and ev.at > passes:
            return pending  # the agreed time passed first
        if isinstance(ev, Promised):
            pending = ev.due
            passes = as_instant(ev.due)
        elif (isinstance(ev, Extended) and ev.clock in names) or (
            pending is not None and not stops.isdisjoint(ev.tags())
        ):
            pending = passes = None  # extended (a new time, see above), or kept
    return pending if passes is not None and cut > passes else None


def _resolved(complaint: Complaint, at: datetime) -> bool:
    """DL-6 "得不到合理解决", as the events up to ``at`` stand: resolved is closed, or
    the complainant satisfied at the latest return visit (VIS-1) and not
    dissatisfied since (an escalation for it or for a refused new time, a
    reopening) -- the cause analysis
    (IMP-1) may still be being written before it can be closed.

    A closure stands until a reopening: a visit on a closed complaint is a
    follow-up visit (002 §4.2), recorded, never reopening or escalating it, so
    an unhappy one does not make the complaint unresolved (s56R6 F01).
    """
    resolved = closed = False
    for ev in complaint.events:
        if ev.at > at:
            continue
        if isinstance(ev, Closed):
            resolved = closed = True
        elif isinstance(ev, Reopened):
            resolved = closed = False
        elif closed:
            continue  # follow-up visits and whatever else a closed complaint records
        elif isinstance(ev, Escalated) and ev.trigger in SATISFACTION_FAILED:
            resolved = False  # not satisfied, or a new time refused (000 §6-7)
        elif isinstance(ev, Visited) and ev.reached:  # not reached: no opinion
            resolved = ev.satisfied
    return resolved


def found_internal(complaint: Complaint, pack: RulePack, now: datetime) -> bool:
    """GRD-5: whether the pack's rules find the complaint internal (raised by staff
    against their own organisation, in writing) and its month has not made it major.

    Internal says who raised it, not how bad it is (GRD-1): a complaint graded
    minor before the finding was recorded may be regraded internal by hand, which
    GRD-6's "never lower" does not forbid.
    """
    return not_internal_because(complaint, pack, now) is None


def not_internal_because(complaint: Complaint, pack: RulePack, now: datetime) -> str | None:
    """GRD-5: why the pack's rules do not find the complaint internal at ``now``
    (the finding its internal rule needs, the channel it is made through, a rule
    before it that grades higher, or DL-6's month), or None when they do
    (:func:`found_internal`): a refusal of ``internal`` says which (s56R2 F05)."""
    now = as_instant(require_aware(now, "now"))
    facts = _facts(complaint, pack, now)
    channel = complaint.intake.channel
    by_facts = grade_for_facts(facts, pack, channel)
    if by_facts.grade is not Grade.INTERNAL:
        rules = [r for r in pack.grading.rules if r.grade is Grade.INTERNAL]
        if by_facts.grade.rank > Grade.INTERNAL.rank and any(
            r.matches(facts, channel) for r in rules
        ):
            return f"the rules require at least {by_facts.grade.value}: {by_facts.reasons[0]}"
        if not rules:
            return f"pack {pack.name} has no rule for an internal complaint (GRD-5)"
        by_channel = [r for r in rules if attrs.evolve(r, channels=()).matches(facts)]
        if by_channel:  # the finding is there, not the channel
            made = ", ".join(dict.fromkeys(c.value for r in by_channel for c in r.channels))
            return (
                f"an internal complaint is one made through {made} (GRD-5): "
                f"this one came through {channel.value}"
            )
        needs = ", ".join(dict.fromkeys(f.value for r in rules for f in (*r.all_of, *r.any_of)))
        return f"an internal complaint needs the finding {needs} (GRD-5)"
    due = age_upgrade_at(complaint, pack)
    if due is None or now <= due or _resolved(complaint, due):  # resolved within it
        return None
    return "a complaint unresolved past its month is major, not internal (DL-6)"


def assess_grade(complaint: Complaint, pack: RulePack, now: datetime) -> GradeAssessment | None:
    """The grade a valid complaint should have at ``now``, or None if it is not gradable.

    VAL-4: only valid complaints (of kind complaint) are graded.  The result is
    never below the current grade (GRD-6).
    """
    now = as_instant(require_aware(now, "now"))
    state = complaint.state
    if state.validity is not Validity.VALID or state.complaint_kind is not Kind.COMPLAINT:
        return None
    by_facts = grade_for_facts(_facts(complaint, pack, now), pack, complaint.intake.channel)
    grade, reasons = by_facts.grade, list(by_facts.reasons)
    due = age_upgrade_at(complaint, pack)
    # past its month: major unless resolved by the month's end and still resolved
    # now -- resolved late is "not resolved within one month" whenever its
    # validity was recorded (s56R2 F01); dissatisfied again after it is too
    if (
        due is not None
        and now > due
        and not (_resolved(complaint, due) and _resolved(complaint, now))
    ):
        upgraded = pack.grading.upgrade_to
        if upgraded.rank > grade.rank:
            grade = upgraded
            reasons = [
                f"受理后{pack.grading.upgrade_after_months}个月未合理解决 / not reasonably "
                f"resolved within {pack.grading.upgrade_after_months} month(s) of receipt (DL-6)"
            ]
    if state.grade is not None and state.grade.rank >= grade.rank:
        return GradeAssessment(state.grade, state.grade_reasons)
    return GradeAssessment(grade, tuple(reasons))


def grade_due(complaint: Complaint, pack: RulePack, now: datetime) -> GradeAssessment | None:
    """GRD-2, DL-6, GRD-6: the grade the rules give an open valid complaint at ``now``
    when it is above the grade recorded, or None when the recorded grade stands.

    Time raises a grade in two ways, both recorded by the next sweep: its month
    passing unresolved (DL-6), and a promise let pass on a matter raised
    repeatedly (GRD-2).  Until then the month report's ``by_grade``, the staff
    table's and ``show``'s outstanding sanction (PEN-1) and ``show``'s due line
    all read the grade this gives (review s56R6 F03, F04).  A closed complaint's
    recorded grade stands: grades rise by time while it is open (GRD-6).
    """
    recorded = complaint.state.grade
    if not complaint.is_open or recorded is None or recorded is Grade.MAJOR:
        return None
    try:
        found = assess_grade(complaint, pack, now)
    except ComplaintCoreError:  # a category the upgraded pack renamed: verify names it
        return None
    if found is None or found.grade.rank <= recorded.rank:
        return None
    return found
