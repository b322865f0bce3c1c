"""Sanctions by grade (PEN-1, PEN-2), as pack data applied by a pure function."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import attrs

from complaintcore.core.errors import IllegalTransitionError, InvalidInputError
from complaintcore.core.grading import grade_due
from complaintcore.core.models import (
    Complaint,
    Event,
    Grade,
    Kind,
    SanctionRecorded,
    Validity,
)
from complaintcore.core.rulepack import Measure, RulePack, Sanction

__all__ = [
    "OutstandingSanction",
    "SanctionDecision",
    "is_severe",
    "outstanding_sanction",
    "sanction_for",
    "standing_sanction",
]


@attrs.frozen
class SanctionDecision:
    """What to record against the staff member a valid complaint is about."""

    staff_id: str
    grade: Grade
    measures: tuple[Measure, ...]
    points_deducted: int
    severe: bool = False


def sanction_for(complaint: Complaint, pack: RulePack, *, staff_role: str = "") -> SanctionDecision:
    """PEN-1, PEN-2: the sanction of the complaint's grade for the person it is about.

    Only a valid, graded complaint about a staff member carries a sanction
    (VAL-4); evaluation points are lost only by staff on the rungs the pack's
    ``points_roles`` name and, when its ``points_departments`` name any, in one
    of those departments (a sales consultant, in the sales-office pack: the
    ``sales_consultant`` rung of department ``sales``, not a guard or a
    technician on the same front-line rung).  The rung and the department are
    the ones recorded for the person complained about (the desk takes both
    from the staff directory); ``staff_role``, when given, names the rung to
    count points by instead, and must be a rung of the pack; the department is
    still the recorded one.  A person recorded with no department (a record
    kept before the desk filled it from the directory) is counted by the rung
    alone, as then.  The person's ``role`` (the directory's display text) is
    never compared.
    """
    state = complaint.state
    target = state.target or complaint.intake.target

    def refuse(reason: str) -> IllegalTransitionError:
        return IllegalTransitionError(complaint.id, state.status.value, "record_sanction", reason)

    if state.validity is not Validity.VALID or state.complaint_kind is not Kind.COMPLAINT:
        raise refuse("only a valid complaint carries a sanction (VAL-4)")
    if state.grade is None:
        raise refuse("the complaint has no grade yet")
    if target is None:
        raise refuse("the complaint is not about a staff member (PEN-2)")
    rule = pack.sanction_for(state.grade)
    if rule is None:
        raise refuse(f"pack {pack.name} defines no sanction for grade {state.grade.value}")
    if staff_role and not pack.has_rung(staff_role):
        raise InvalidInputError(
            "staff_role",
            f"not a rung of pack {pack.name}; expected one of " + ", ".join(pack.codes_of("rung")),
        )
    rung = staff_role or target.rung
    points = rule.points if _loses_points(rule, rung, target.department) else 0
    severe = is_severe(state.grade, rule.measures, pack)
    return SanctionDecision(target.staff_id, state.grade, rule.measures, points, severe)


def _loses_points(rule: Sanction, rung: str, department: str) -> bool:
    """PEN-2: whether a person on ``rung`` of ``department`` loses the rule's points."""
    if rung not in rule.points_roles:
        return False
    return not (rule.points_departments and department) or department in rule.points_departments


def is_severe(grade: Grade, measures: Iterable[Measure | str], pack: RulePack) -> bool:
    """PEN-2 (004 篇1 §三.4, 情节严重): whether a sanction is reported to the company."""
    rule = pack.accountability
    return grade in rule.severe_grades or any(m in rule.severe_measures for m in measures)


def standing_sanction(events: Iterable[Event]) -> SanctionRecorded | None:
    """PEN-2: the sanction that stands among a complaint's ``events``, the one of its
    highest grade.

    A grade raised after the sanction (by hand, GRD-6, or by DL-6's month to
    major) earns the new grade's sanction, which replaces the lighter one: a
    complaint counts once, at the sanction of its grade.
    """
    found: SanctionRecorded | None = None
    for e in events:
        if isinstance(e, SanctionRecorded) and (found is None or e.grade.rank >= found.grade.rank):
            found = e
    return found


@attrs.frozen
class OutstandingSanction:
    """PEN-1, PEN-2: a valid, graded complaint about a staff member whose grade's
    sanction is not recorded: ``due``, the sanction of its grade; ``recorded``,
    the one that stands (of a lower grade, what the per-staff table counts), or
    ``None`` when no sanction is recorded at all."""

    complaint_id: str
    recorded: SanctionRecorded | None
    due: SanctionDecision

    @property
    def staff_id(self) -> str:
        """The person sanctioned: the one the recorded sanction names, else the one
        the complaint is about."""
        return self.recorded.staff_id if self.recorded is not None else self.due.staff_id


def outstanding_sanction(
    complaint: Complaint, pack: RulePack, now: datetime | None = None
) -> OutstandingSanction | None:
    """PEN-1, PEN-2: the sanction of the complaint's grade when it is not recorded;
    else ``None``.

    PEN-2: a staff member the subject of a valid complaint *receives* the sanction
    of its grade (004 篇2 §4, 篇1 §三.4), so a valid, graded complaint about a staff
    member owes it from the grade on, open or closed, until it is recorded
    (:class:`~complaintcore.core.workflow.RecordSanction`): with no sanction
    recorded (``recorded`` is ``None``), or with a lighter one of a lower grade
    (the grade rose after the sanction: GRD-6 by hand, DL-6's month).

    ``None`` for a complaint with its grade's sanction (or a heavier one)
    recorded, one not a valid complaint (VAL-4: no sanction is owed, and a
    recorded one no longer stands), not graded, not about a staff member, and a
    grade the pack gives no sanction.  The points of ``due`` are counted by the
    rung recorded for the person complained about (:func:`sanction_for`).

    With ``now``, the grade is the one due at ``now``
    (:func:`~complaintcore.core.grading.grade_due`): an open complaint past its
    month owes major's sanction before a sweep records the grade, as the month
    report counts it major (PEN-1; review s56R6 F03).
    """
    if now is not None:
        rises = grade_due(complaint, pack, now)
        if rises is not None:
            state = attrs.evolve(complaint.state, grade=rises.grade, grade_reasons=rises.reasons)
            complaint = attrs.evolve(complaint, state=state)
    try:
        due = sanction_for(complaint, pack)
    except (IllegalTransitionError, InvalidInputError):  # not valid, not graded, not about staff
        return None
    recorded = standing_sanction(complaint.events)
    if recorded is not None and due.grade.rank <= recorded.grade.rank:
        return None
    return OutstandingSanction(complaint.id, recorded, due)
