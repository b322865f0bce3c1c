"""Sweeping one due complaint: what its deadlines call for now (ESC-2, ESC-6, DL-6, DL-7).

:meth:`Desk.sweep <complaintcore.desk.service.Desk.sweep>` claims the due
complaints a batch at a time; :class:`Sweeper` does what each needs: one rung
up per instant at which its deadlines passed, late departments reported, a
month-old complaint graded major, holders warned of what is at risk and owners
of what they owe, all in one commit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

import attrs

from complaintcore.core.deadlines import (
    ClockState,
    ClockStatus,
    DutyStatus,
    unescalated_breaches,
    unescalated_handovers,
)
from complaintcore.core.errors import ComplaintCoreError, EscalationError, RulePackError
from complaintcore.core.improvement import compute_measures
from complaintcore.core.models import Assigned, Complaint, Event, Trigger, as_instant
from complaintcore.core.rulepack import RulePack
from complaintcore.core.workflow import Escalate, Regrade, decide, evolve
from complaintcore.desk import access, messages
from complaintcore.desk.grouping import AfterCommit, Append
from complaintcore.desk.ports import ComplaintStore, StaffMember
from complaintcore.desk.projection import Projection, held_by_nobody
from complaintcore.desk.repeat_links import FollowUps
from complaintcore.desk.site_staff import SiteStaff
from complaintcore.desk.telling import Outbox, Telling, minutes, owing_unit
from complaintcore.i18n import N_

__all__ = ["Sweeper", "Swept", "Tally"]

log = logging.getLogger("complaintcore.desk")


@attrs.define
class Swept:
    """What sweeping one complaint did (see :class:`SweepReport`)."""

    escalated: list[str]
    regraded: bool
    warned: int
    late: int
    owed: int = 0
    duty_risk: int = 0
    overdue: list[str] = attrs.Factory(list)
    version: int = 0
    """The complaint's version once swept: a later claim of it unchanged is skipped."""
    measure_risk: int = 0
    measures_overdue: list[str] = attrs.Factory(list)
    overtaken: bool = False
    """Written to after the sweep's ``now`` (a command while it ran): nothing done,
    counted as a meeting with another writer; the next sweep takes it."""


@attrs.define
class Tally:
    """What a sweep has done so far, complaint by complaint: its report, and what a
    sweep stopped part-way reports (review s46C F03)."""

    examined: int = 0
    escalated: list[tuple[str, str]] = attrs.Factory(list)
    at_risk: int = 0
    regraded: list[str] = attrs.Factory(list)
    late: int = 0
    conflicts: int = 0
    owed: int = 0
    duty_risk: int = 0
    overdue: list[tuple[str, str]] = attrs.Factory(list)
    measure_risk: int = 0
    measures_overdue: list[tuple[str, str]] = attrs.Factory(list)
    failed: list[tuple[str, ComplaintCoreError]] = attrs.Factory(list)

    def add(self, complaint_id: str, result: Swept) -> None:
        """Count what sweeping one complaint did."""
        self.escalated += [(complaint_id, c) for c in result.escalated]
        self.regraded += [complaint_id] if result.regraded else []
        self.at_risk += result.warned
        self.late += result.late
        self.owed += result.owed
        self.duty_risk += result.duty_risk
        self.overdue += [(complaint_id, d) for d in result.overdue]
        self.measure_risk += result.measure_risk
        self.measures_overdue += [(complaint_id, m) for m in result.measures_overdue]


@attrs.frozen
class _Breach:
    """A breach a sweep may escalate: when it fell due, and the run of which clock or duty."""

    at: datetime
    name: str
    run: int
    clock: ClockStatus
    duty: DutyStatus | None = None

    @property
    def due(self) -> datetime | None:
        """The due time told: the current run's, or the one a run missed before it was
        handed on late or extended (DL-7: the breach stands where it happened)."""
        current = self.run == self.clock.run and self.clock.late_since is None
        return self.clock.due if current else self.at


@attrs.define
class _Steps:
    """What the escalation steps of one sweep did, for the rest of the sweep."""

    complaint: Complaint
    events: list[Event] = attrs.Factory(list)
    escalated: list[str] = attrs.Factory(list)
    outbox: Outbox = attrs.Factory(list)
    breached: dict[str, ClockStatus] = attrs.Factory(dict)
    """The breached clocks dealt with (escalated, or told at the top), for ESC-6."""


def _handed_over_by(complaint: Complaint, breached: datetime) -> str:
    """DL-3, ESC-6: the department that held the complaint when a clock's run was
    breached and passed it on afterwards (the first move since)."""
    for ev in complaint.events:
        if (
            isinstance(ev, Assigned)
            and ev.previous_department
            and as_instant(ev.at) >= as_instant(breached)  # instants (review s51R19)
        ):
            return ev.previous_department
    return complaint.state.department


class Sweeper:
    """What a sweep does to one complaint, committed through the store with the
    desk's follow-ups and after-commit work."""

    def __init__(
        self,
        *,
        store: ComplaintStore,
        pack: RulePack,
        zone: ZoneInfo,
        projection: Projection,
        staff: SiteStaff,
        telling: Telling,
        follow_ups: FollowUps,
        handover_left_out: Callable[[Complaint, datetime], tuple[Event, ...]],
        append: Append,
        after_commit: AfterCommit,
    ) -> None:
        self.store = store
        self.pack = pack
        self.zone = zone
        self._projection = projection
        self._staff = staff
        self._telling = telling
        self._follow_ups = follow_ups
        self._handover_left_out = handover_left_out
        self._append = append
        self._after_commit = after_commit

    def sweep_one(self, complaint_id: str, now: datetime) -> Swept:
        complaint = self.store.load(complaint_id)
        if complaint.events and complaint.events[-1].at > now:
            # claimed at ``now``, then acted on before it was loaded: that command
            # recomputed its due time, and nothing can be recorded before its event
            return Swept([], False, 0, 0, version=complaint.version, overtaken=True)
        start = complaint
        system = access.SYSTEM_ACTOR
        events: list[Event] = []
        outbox: Outbox = []
        escalated: list[str] = []
        members = self._staff.site_members(complaint)  # not the whole company's staff
        site = complaint.intake.site or complaint.intake.complainant.site
        late = warned = 0
        regraded = False
        duties = self._projection.duties_now(complaint, now)
        if complaint.is_open:
            # IN-5: the handover an earlier release's escalation left out, first (it
            # came before the steps since)
            handover = self._handover_left_out(start, now)
            steps = self._escalate(start, evolve(start, handover), members, now)
            complaint, escalated = steps.complaint, steps.escalated
            events = [*handover, *steps.events]
            outbox += steps.outbox
            # ESC-6's reports are told once the sweep's regrade below is made: one
            # sweep's messages give one grade (review s56R2 F03)
            reports: list[tuple[StaffMember, str, tuple[messages.Detail, ...]]] = []
            for status in steps.breached.values():
                spec = self.pack.clock(status.name)
                # ESC-6: a late department is reported, at the top rung too (the key
                # makes it once per clock run even if the complaint is swept again);
                # one that passed the complaint on after its deadline, too (DL-3)
                if not spec.report_to:
                    continue
                runs = self._missed_runs(start, status)
                elsewhere = self._received_elsewhere(start, spec.owed_by)
                for m in access.recipients(
                    members, site=site, department=spec.report_to, at=now, tz=self.zone
                ):
                    for run, _due, department in runs:
                        detail = (
                            messages.Detail(N_("clock"), spec.name, "clock"),
                            messages.Detail(N_("department"), department, "department"),
                            *elsewhere,
                        )
                        reports.append((m, f"{status.name}#{run}", detail))
                        late += 1
            rung = complaint.state.rung  # the rung the breaches took it to, as before
            try:
                more = decide(complaint, Regrade(actor=system), self.pack, now)
            except RulePackError as exc:  # a category the upgraded pack renamed: verify names it
                log.error("sweep: complaint %s not graded: %s", complaint.id, exc)
                more = ()
            except ComplaintCoreError:  # not gradable: not a valid complaint (VAL-4)
                more = ()
            if more:
                complaint, events, regraded = evolve(complaint, more), [*events, *more], True
                # up for a grade its rung cannot handle, and routed at the new rung
                more = self._follow_ups(complaint, system, now)
                complaint, events = evolve(complaint, more), [*events, *more]
            elif not events and held_by_nobody(complaint):  # not tried by this sweep yet
                # escalated and held by nobody (an earlier release left a complaint so
                # when its new rung was vacant): routed now, past the empty rung (ESC-2)
                more = self._follow_ups(complaint, system, now)
                complaint, events = evolve(complaint, more), [*events, *more]
            for m, key, detail in reports:  # the grade as this sweep leaves it
                outbox += self._telling.fan(
                    complaint, "late_department", m, now, key, detail, rung=rung
                )
            if events:
                duties = self._projection.duties_now(complaint, now)  # a new grade may owe more
            for status in self._projection.clocks_now(complaint, now):
                if status.state is not ClockState.AT_RISK:
                    continue
                box, told = self._tell_holders(
                    complaint, members, now, "at_risk", status.name, status.run, status.due
                )
                outbox += box
                warned += told
        swept = Swept(escalated, regraded, warned, late)
        for duty in duties:
            if not duty.owed:
                continue
            swept.owed += 1
            if duty.state is not ClockState.BREACHED:  # overdue says it is owed (DL-7)
                outbox += self._telling.tell_owners(complaint, duty, "duty_owed", now)
            if duty.state is ClockState.AT_RISK:
                outbox += self._telling.tell_owners(complaint, duty, "duty_at_risk", now)
                swept.duty_risk += 1
            elif duty.state is ClockState.BREACHED:
                outbox += self._telling.tell_owners(complaint, duty, "duty_overdue", now)
                swept.overdue.append(duty.name)
        if complaint.state.measures_open:
            for measure in compute_measures(complaint, self.pack, self._projection.calendar, now):
                if measure.state is ClockState.AT_RISK:
                    outbox += self._telling.measure_message(
                        complaint, measure, "measure_at_risk", now
                    )
                    swept.measure_risk += 1
                elif measure.overdue:
                    outbox += self._telling.measure_message(
                        complaint, measure, "measure_overdue", now
                    )
                    swept.measures_overdue.append(measure.name)
        if events:
            after = evolve(start, events)
            box = (
                self._telling.outbox_for(after, events, now)
                + outbox
                + self._telling.left_unheld_outbox(start, after, now)
            )
            row = self._projection.row(after, now, swept=True)
            hold = self._append(start, events, row, box)
            self._after_commit(after, events, now, hold=hold)
        else:
            row = self._projection.row(complaint, now, swept=True)
            self.store.append(start.id, start.version, (), row, outbox)
        swept.version = start.version + len(events)
        return swept

    def _escalate(
        self,
        start: Complaint,
        complaint: Complaint,
        members: Sequence[StaffMember],
        now: datetime,
    ) -> _Steps:
        """ESC-2, DL-7: one rung per instant at which unescalated breaches fell due,
        oldest first, each step naming all that fell due then; the complaint is
        routed at its new rung and its clocks and duties recomputed after each
        step, so a sweep that comes late reaches the rung timely ones reach, and a
        breach that only arose from a step (the apology owed by the new holder)
        counts after it.  ESC-5: at the top rung its holder is told instead.
        ``complaint`` is ``start`` with what the sweep recorded before the steps."""
        steps = _Steps(complaint)
        done: set[tuple[str, int]] = set()
        last: datetime | None = None
        while True:
            complaint = steps.complaint
            pending = [
                b for b in self._breaches(start, complaint, now) if (b.name, b.run) not in done
            ]
            if not pending:
                return steps
            # what shows only after the last step (owed from it) falls due after it
            when = min(b.at if last is None else max(b.at, last) for b in pending)
            group = [b for b in pending if (b.at if last is None else max(b.at, last)) == when]
            names = list(dict.fromkeys(b.name for b in group))
            try:
                more = decide(
                    complaint,
                    Escalate(
                        actor=access.SYSTEM_ACTOR,
                        trigger=Trigger.DEADLINE_MISSED,
                        clock=",".join(names),
                    ),
                    self.pack,
                    now,
                )
            except EscalationError:  # at the top already: nowhere to go (ESC-5) ...
                self._tell_breached(complaint, pending, members, now, steps)
                return steps
            for b in group:
                done.add((b.name, b.run))
                if b.duty is None:
                    steps.breached.setdefault(b.name, b.clock)
                else:  # DL-7: the owner who let it lapse hears, before it moves on
                    steps.outbox += self._telling.tell_owners(
                        complaint, b.duty, "duty_overdue", now
                    )
            complaint = evolve(complaint, more)
            routed = self._follow_ups(complaint, access.SYSTEM_ACTOR, now)
            steps.complaint = evolve(complaint, routed)
            steps.events += [*more, *routed]
            steps.escalated += names
            last = when

    def _breaches(self, start: Complaint, complaint: Complaint, now: datetime) -> list[_Breach]:
        """The complaint's breaches no escalation recorded before the sweep has dealt
        with (``start``: a step of this sweep names a clock for one instant only)."""
        found = [
            _Breach(at, status.name, run, status)
            for status in self._projection.clocks_now(complaint, now)
            for at, run in unescalated_breaches(start, self.pack.clock(status.name), status)
        ]
        return found + [
            _Breach(at, duty.name, run, duty.clock, duty)
            for duty in self._projection.duties_now(complaint, now)
            for at, run in unescalated_breaches(start, duty.duty, duty.clock)
        ]

    def _tell_breached(
        self,
        complaint: Complaint,
        pending: Sequence[_Breach],
        members: Sequence[StaffMember],
        now: datetime,
        steps: _Steps,
    ) -> None:
        """ESC-5, DL-7: at the top rung the holder hears each clock's deadline passed,
        once per run (a duty's owners hear it is overdue instead)."""
        clocks = [b for b in pending if b.duty is None]
        for b in clocks:
            steps.breached.setdefault(b.name, b.clock)
        for b in clocks:
            box, _told = self._tell_holders(
                complaint, members, now, "breached", b.name, b.run, b.due
            )
            steps.outbox += box

    def _tell_holders(
        self,
        complaint: Complaint,
        members: Sequence[StaffMember],
        now: datetime,
        topic: str,
        clock: str,
        run: int,
        due: datetime | None,
    ) -> tuple[Outbox, int]:
        """DL-7: those who owe a clock hear of its run (at risk, or missed at the top
        rung), once per run whatever the sweeps (the key names the run); with how
        many were told."""
        box: Outbox = []
        holders = self._telling.holders(complaint, members, now, clock)
        for m in holders:
            box += self._telling.fan(
                complaint,
                topic,
                m,
                now,
                f"{clock}#{run}",
                (
                    messages.Detail(N_("clock"), clock, "clock"),
                    messages.Detail(N_("due"), minutes(due, self.zone), "time"),
                ),
            )
        return box, len(holders)

    def _received_elsewhere(
        self, complaint: Complaint, owed_by: str
    ) -> tuple[messages.Detail, ...]:
        """ESC-6: for IN-5 of a complaint taken at another site, the site the
        receiving unit is at (the receiver's, as the directory has it now; ``-``
        if it has neither them nor who registered it): the department named is
        that site's, not the complaint's (review s55R6 F02)."""
        taken = access.elsewhere_forwarders(complaint)
        if owed_by != "receiving_unit" or not taken:
            return ()
        found = (self._telling.directory.get(i) for i in taken)
        sites = [m.site for m in found if m is not None and m.site not in ("", "*")]
        site = sites[0] if sites else "-"
        return (messages.Detail(N_("received at another site"), site, "site"),)

    def _missed_runs(
        self, complaint: Complaint, status: ClockStatus
    ) -> list[tuple[int, datetime | None, str]]:
        """ESC-2, ESC-6: the clock's breaches no escalation has dealt with yet, as (run,
        due time, the unit that was late): runs a department passed on late (DL-3),
        then the current run if it is breached."""
        runs: list[tuple[int, datetime | None, str]] = [
            (run, when, _handed_over_by(complaint, when))
            for when, run in unescalated_handovers(complaint, status)
        ]
        if status.is_breached or status.late_since is not None:  # missed, then extended
            spec = self.pack.clock(status.name)
            runs.append((status.run, status.due, owing_unit(complaint, spec, status.started_at)))
        return runs
