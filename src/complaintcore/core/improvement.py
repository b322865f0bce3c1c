"""Corrective and preventive measures as watched obligations (IMP-1).

004 篇2 §3.5: for every complaint the responsible department analyses the cause
and proposes measures that stop it coming back; the responsible unit and person
carry them out.  A measure (:class:`~complaintcore.core.models.MeasureAdded`)
names its owner and due date; it is owed until a
:class:`~complaintcore.core.models.MeasureDone` names it, also after the
complaint is closed.

Each measure is watched by the same replay as the pack's clocks and duties
(:mod:`complaintcore.core.deadlines`): a duty whose deadline is the measure's
due date, so it is running, at risk, breached (overdue), met or met late exactly
as a clock is, with the same derivation.  Pure: the calendar and ``now`` are
arguments.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import attrs

from complaintcore.core.deadlines import (
    ClockState,
    ClockStatus,
    WorkingTime,
    _replay,  # the one replay every clock, duty and measure shares
)
from complaintcore.core.models import (
    Complaint,
    Event,
    MeasureAdded,
    MeasureDone,
    as_instant,
    require_aware,
)
from complaintcore.core.rulepack import ClockMode, Duration, DutySpec, ReopenPolicy, RulePack

__all__ = ["MeasureStatus", "compute_measures", "measure_spec"]

RULE = "IMP-1"


@attrs.frozen
class MeasureStatus:
    """One measure at ``now``: what, who, by when, and how it stands.

    ``clock`` is its deadline computed like a duty's (state, due, at-risk time,
    derivation); ``done`` the event that marked it done, if any.
    """

    measure: MeasureAdded
    clock: ClockStatus
    done: MeasureDone | None = None

    @property
    def name(self) -> str:
        """``M1``, ``M2`` …: the measure's number on its complaint."""
        return self.measure.measure

    @property
    def owner(self) -> str:
        return self.measure.owner

    @property
    def due(self) -> datetime:
        return self.measure.due

    @property
    def state(self) -> ClockState:
        return self.clock.state

    @property
    def owed(self) -> bool:
        """Not yet done (running, at risk or overdue)."""
        return self.clock.is_open

    @property
    def overdue(self) -> bool:
        """Past its due date and not done."""
        return self.clock.state is ClockState.BREACHED


def _minute(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


def measure_spec(measure: MeasureAdded, pack: RulePack) -> DutySpec:
    """The duty that watches one measure: from its recording to its due date.

    The owner is the measure's own (a staff member, and its department if
    given); it is discharged by ``complete_measure``.  Measured from the minute
    it was recorded, so the deadline falls exactly on the due date (which is
    whole minutes).
    """
    span = as_instant(measure.due) - as_instant(_minute(measure.at))  # instants (review s48B)
    return DutySpec(
        name=measure.measure,
        zh=measure.measure_kind.zh,
        en=measure.measure_kind.en,
        rule=RULE,
        start=(f"measure:{measure.measure}",),
        stop=(f"measure_done:{measure.measure}",),
        mode=ClockMode.WALL,
        duration=Duration(minutes=max(span // timedelta(minutes=1), 1)),
        at_risk_percent=pack.improvement.measure_at_risk_percent,
        reopen=ReopenPolicy.KEEP,
        pausable=False,
        escalate_on_breach=False,
        owner_department=measure.department,
        command="complete_measure",
        records=("result",),
    )


def compute_measures(
    complaint: Complaint,
    pack: RulePack,
    calendar: WorkingTime,
    now: datetime,
    *,
    explain: bool = True,
) -> tuple[MeasureStatus, ...]:
    """IMP-1: every measure of the complaint recorded up to ``now``, in order."""
    require_aware(now, "now")
    added: list[MeasureAdded] = []
    done: dict[str, MeasureDone] = {}
    cut = as_instant(now)  # an instant: events may share now's zone (review s41G F02)
    for event in complaint.events:
        if event.at > cut:
            break
        if isinstance(event, MeasureAdded):
            added.append(event)
        elif isinstance(event, MeasureDone):
            done.setdefault(event.measure, event)
    out = []
    for m in added:
        spec = measure_spec(m, pack)
        finish = done.get(m.measure)
        tagged: list[tuple[Event, frozenset[str]]] = [
            (attrs.evolve(m, at=_minute(m.at)), frozenset(spec.start))
        ]
        if finish is not None:
            tagged.append((finish, frozenset(spec.stop)))
        status = _replay(tagged, spec, calendar, now, explain, pack=pack)
        out.append(MeasureStatus(m, status, finish))
    return tuple(out)


def measures_owed(statuses: Sequence[MeasureStatus]) -> tuple[MeasureStatus, ...]:
    """The measures not yet done, soonest due first."""
    owed = (s for s in statuses if s.owed)
    return tuple(sorted(owed, key=lambda s: (as_instant(s.due), s.name)))  # instants (s48B)
