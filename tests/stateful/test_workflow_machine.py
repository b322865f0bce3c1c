"""Random command sequences through the workflow, checked against an oracle.

The oracle is a deliberately naive model of the procedures: a handful of
variables and the rules written out longhand.  After every step the real
complaint must agree with it, and its state must equal a fresh fold of its
events (REC-5).  It also keeps the duties a promise sets off (DL-5: every
promise broken while no apology is owed owes one, until an apology is made,
closed or not) and the concentrated issue the complaint is linked to (HDL-5,
HDL-6: one issue, a group incident lifts it to the project manager).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.core.deadlines import compute_duties
from complaintcore.core.errors import ComplaintCoreError
from complaintcore.core.models import Grade, Kind, Status, Trigger, Validity
from complaintcore.core.workflow import (
    AddMeasure,
    Apologise,
    Assess,
    Close,
    CompleteMeasure,
    Escalate,
    Group,
    Pause,
    Promise,
    RecordCause,
    Regrade,
    Reopen,
    Reply,
    Resume,
    Visit,
    fold,
    replay,
)
from tests.helpers import Runner, pack

PACK = pack()
CAL = calendar_for_spec(PACK.calendar)
TOP = len(PACK.ladder) - 1
OPEN = (Status.REGISTERED, Status.IN_HANDLING)
GROUP_RUNG = PACK.rung_index(PACK.group_report_rung)
UNANSWERED = PACK.visits.not_reached_attempts


def _grade_floor(rank: int) -> int:
    """ESC-3 as data: escalation never lands below the rung the grade requires."""
    grade = next((g for g in Grade if g.rank == rank), None)
    return PACK.rung_index(PACK.handler_rung_for(grade))


class Oracle:
    def __init__(self) -> None:
        self.status = Status.REGISTERED
        self.validity = Validity.UNVERIFIED
        self.kind = Kind.COMPLAINT
        self.rung = 0
        self.grade_rank = -1
        self.paused = False
        self.explained = False
        self.final = False
        self.satisfied: bool | None = None
        # VIS-3: since the last closure, the last visit or escalation that said how
        # satisfied the complainant is ("failed", "satisfied" or None), and the
        # visits not reaching them since (the pack's number of them fails it)
        self.verdict: str | None = None
        self.not_reached = 0
        # VIS-3, VAL-4: found not satisfied (the latest reached visit said so) since
        # the last closure the complainant confirmed or the top rung decided; other
        # closures settle nothing
        self.unsatisfied = False
        self.events = 1
        # DL-5: the latest promise while it runs, and whether an apology is owed
        self.promise: datetime | None = None
        self.apology_owed = False
        # HDL-5, HDL-6
        self.issue = ""
        self.incident = False
        # IMP-1: the cause analysed, and the measures recorded and not yet done
        self.cause = False
        self.measures: list[str] = []
        self.events_of_measures = 0


class WorkflowMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.run = Runner(PACK)
        self.run.register()
        self.o = Oracle()
        self.max_rung = 0
        self.max_grade = -1

    def elapse(self, gap: int) -> None:
        """A promise still running when its time passes is broken (DL-5)."""
        if self.o.promise is not None and self.o.promise < self.run.now + timedelta(minutes=gap):
            self.o.apology_owed = True
            self.o.promise = None

    def attempt(self, command: object, expect_ok: bool, gap: int) -> bool:
        self.elapse(gap)
        before = self.run.complaint
        try:
            after = self.run(command, after=timedelta(minutes=gap))  # type: ignore[arg-type]
        except ComplaintCoreError:
            assert not expect_ok, f"{command} refused but the oracle allows it"
            assert self.run.complaint is before
            return False
        assert expect_ok, f"{command} accepted but the oracle forbids it"
        assert after.events[: len(before.events)] == before.events
        return True

    @rule(
        validity=st.sampled_from(list(Validity)),
        kind=st.sampled_from(list(Kind)),
        gap=st.integers(1, 600),
    )
    def assess(self, validity: Validity, kind: Kind, gap: int) -> None:
        # VAL-1 in every status; IMP-1: closed, found valid only once its cause is analysed
        counted = validity is Validity.VALID and kind is Kind.COMPLAINT
        counted = counted and PACK.improvement.require_cause
        ok = self.o.status is not Status.CLOSED or not counted or self.o.cause
        # VIS-3, VAL-4: a valid complaint found unsatisfied stays a valid complaint
        valid_now = self.o.validity is Validity.VALID and self.o.kind is Kind.COMPLAINT
        leaves = validity is not Validity.VALID or kind is not Kind.COMPLAINT
        if valid_now and leaves and self.o.unsatisfied:
            ok = False
        if self.attempt(Assess(actor="h", validity=validity, kind=kind), ok, gap):
            if self.o.status in OPEN:
                self.o.status = Status.IN_HANDLING
            if validity is Validity.INVALID and self.o.validity is not Validity.INVALID:
                # VAL-3: explain after the finding; the same verdict recorded again
                # (its department added) finds nothing new, and the explanation stands
                self.o.explained = False
            self.o.validity, self.o.kind = validity, kind
            self.o.events += 1
            if validity is Validity.VALID and kind is Kind.COMPLAINT:
                graded = self.run.complaint.state.grade
                assert graded is not None
                if graded.rank != self.o.grade_rank:
                    self.o.events += 1
                self.o.grade_rank = max(self.o.grade_rank, graded.rank)

    @rule(grade=st.sampled_from(list(Grade)), gap=st.integers(1, 600))
    def regrade(self, grade: Grade, gap: int) -> None:
        gradable = self.o.validity is Validity.VALID and self.o.kind is Kind.COMPLAINT
        ok = (
            self.o.status in (*OPEN, Status.AWAITING_VISIT)
            and gradable
            and grade.rank >= self.o.grade_rank
        )
        if ok:
            self.elapse(gap)  # time passes whatever the library answers (DL-5)
            # the rules may demand a higher grade than asked: let the library say so
            try:
                self.run(Regrade(actor="h", grade=grade), after=timedelta(minutes=gap))
            except ComplaintCoreError:
                return
            self.o.grade_rank = grade.rank
            self.o.events += 1
        else:
            self.attempt(Regrade(actor="h", grade=grade), False, gap)

    @rule(final=st.booleans(), explanation=st.booleans(), gap=st.integers(1, 600))
    def reply(self, final: bool, explanation: bool, gap: int) -> None:
        ok = self.o.status is not Status.CLOSED
        if self.attempt(
            Reply(actor="h", message="m", final=final, explanation=explanation), ok, gap
        ):
            self.o.events += 1
            self.o.explained |= explanation
            self.o.final |= final
            if final:
                self.o.promise = None  # kept
            if final and self.o.validity is not Validity.INVALID and self.o.status in OPEN:
                self.o.status = Status.AWAITING_VISIT

    @rule(gap=st.integers(1, 600))
    def escalate(self, gap: int) -> None:
        ok = self.o.status is not Status.CLOSED and self.o.rung < TOP
        if self.attempt(Escalate(actor="h", trigger=Trigger.CANNOT_HANDLE), ok, gap):
            self.o.rung = max(self.o.rung + 1, _grade_floor(self.o.grade_rank))
            self.o.events += 1

    @rule(gap=st.integers(1, 600))
    def pause(self, gap: int) -> None:
        ok = self.o.status in OPEN and not self.o.paused
        if self.attempt(Pause(actor="h", reason="waiting"), ok, gap):
            self.o.paused = True
            self.o.events += 1

    @rule(gap=st.integers(1, 600))
    def resume(self, gap: int) -> None:
        ok = self.o.status in (*OPEN, Status.AWAITING_VISIT) and self.o.paused
        if self.attempt(Resume(actor="h"), ok, gap):
            self.o.paused = False
            self.o.events += 1

    @rule(outcome=st.sampled_from([True, False, None]), gap=st.integers(1, 600))
    def visit(self, outcome: bool | None, gap: int) -> None:
        # VIS-1: after closure a follow-up visit (002 §4.2); None: not reached
        ok = self.o.status in (Status.AWAITING_VISIT, Status.CLOSED)
        cmd = Visit(actor="v", satisfied=outcome, reached=outcome is not None)
        if self.attempt(cmd, ok, gap):
            self.o.events += 1
            satisfied = bool(outcome)
            if outcome is None:
                self.o.not_reached += 1  # no opinion: nothing confirmed or reopened
                return
            self.o.satisfied = satisfied
            self.o.verdict = "satisfied" if satisfied else "failed"
            self.o.unsatisfied = not satisfied
            self.o.not_reached = 0
            if self.o.status is Status.CLOSED:
                return  # recorded; reopening is an explicit Reopen
            if not satisfied:
                self.o.status = Status.IN_HANDLING
                self.o.final = False
                self.o.satisfied = None
                self.o.explained = False
                self.o.events += 1
                if self.o.rung < TOP:
                    self.o.rung = max(self.o.rung + 1, _grade_floor(self.o.grade_rank))
                    self.o.events += 1

    @rule(confirmed=st.booleans(), top=st.booleans(), gap=st.integers(1, 600))
    def close(self, confirmed: bool, top: bool, gap: int) -> None:
        if self.o.status is Status.CLOSED:
            ok = False
        elif confirmed and top:
            ok = False  # VIS-3: confirmed or decided, never both
        elif self.o.validity is Validity.INVALID and not self.o.explained:
            ok = False  # VAL-3: explained first, whoever decides
        elif top:  # VIS-3: only when satisfaction failed since the last closure
            failed = self.o.verdict == "failed" or (
                self.o.verdict is None and self.o.not_reached >= UNANSWERED
            )
            ok = self.o.rung == TOP and failed
        elif confirmed or self.o.satisfied:
            ok = True
        elif self.o.unsatisfied:
            ok = False  # VIS-3: found unsatisfied, whatever the kind or validity since
        elif self.o.validity is Validity.INVALID:
            ok = True  # VAL-3: closed once explained
        else:  # VAL-4: a request or enquiry is closed once answered
            ok = self.o.kind is not Kind.COMPLAINT and self.o.final
        valid = self.o.validity is Validity.VALID and self.o.kind is Kind.COMPLAINT
        if valid and not self.o.cause:
            ok = False  # IMP-1: a valid complaint closes only after its cause analysis
        cmd = Close(
            actor="h", result="r", confirmed_by_complainant=confirmed, decided_by_top_rung=top
        )
        if self.attempt(cmd, ok, gap):
            self.o.status = Status.CLOSED
            self.o.verdict, self.o.not_reached = None, 0
            if top or confirmed or self.o.satisfied:
                self.o.unsatisfied = False  # asked and settled (VIS-3)
            self.o.paused = False
            self.o.promise = None  # closing ends the promise clock, not the apology owed
            self.o.events += 1

    @precondition(lambda self: self.o.status in (Status.CLOSED, Status.AWAITING_VISIT))
    @rule(gap=st.integers(1, 600))
    def reopen(self, gap: int) -> None:
        if self.attempt(Reopen(actor="h", reason="again"), True, gap):
            self.o.satisfied = None  # an earlier confirmation no longer counts (VIS-3)
            self.o.explained = False
            self.o.status = Status.IN_HANDLING
            self.o.final = False
            self.o.events += 1

    @rule(hours=st.integers(1, 30), gap=st.integers(1, 600))
    def promise(self, hours: int, gap: int) -> None:
        ok = self.o.status in (*OPEN, Status.AWAITING_VISIT)
        due = self.run.now + timedelta(minutes=gap) + timedelta(hours=hours)
        if self.attempt(Promise(actor="h", due=due), ok, gap):
            self.o.promise = due  # a new time replaces the last (a broken one stays broken)
            self.o.events += 1

    @rule(gap=st.integers(1, 600))
    def record_cause(self, gap: int) -> None:
        command = RecordCause(actor="h", cause="管道老化", corrective="更换管道")
        if self.attempt(command, True, gap):  # accepted in every status, closed included
            self.o.cause = True
            self.o.events += 1

    @rule(days=st.integers(1, 30), gap=st.integers(1, 600))
    def add_measure(self, days: int, gap: int) -> None:
        due = self.run.now + timedelta(minutes=gap, days=days)
        command = AddMeasure(actor="h", kind="corrective", action="更换", owner="s", due=due)
        if self.attempt(command, True, gap):  # IMP-1: measures outlive closure
            self.o.measures.append(f"M{self.o.events_of_measures + 1}")
            self.o.events_of_measures += 1
            self.o.events += 1

    @rule(pick=st.integers(0, 3), gap=st.integers(1, 600))
    def complete_measure(self, pick: int, gap: int) -> None:
        ok = pick < len(self.o.measures)
        name = self.o.measures[pick] if ok else f"M{pick + 99}"
        if self.attempt(CompleteMeasure(actor="s", measure=name, result="done"), ok, gap):
            self.o.measures.remove(name)
            self.o.events += 1

    @invariant()
    def measures_agree_with_oracle(self) -> None:
        c = self.run.complaint
        assert c.state.cause_analysed == self.o.cause
        assert c.state.measures_open == len(self.o.measures)

    @rule(gap=st.integers(1, 600))
    def apologise(self, gap: int) -> None:
        command = Apologise(actor="h", apology="抱歉", reason="配件未到", remedy="明早更换")
        if self.attempt(command, True, gap):  # a duty outlives closure: always accepted
            self.o.apology_owed = False
            self.o.events += 1

    @rule(
        issue=st.sampled_from(["I-C-1", "I-C-2"]), incident=st.booleans(), gap=st.integers(1, 600)
    )
    def group(self, issue: str, incident: bool, gap: int) -> None:
        ok = self.o.status in (*OPEN, Status.AWAITING_VISIT) and self.o.issue in ("", issue)
        command = Group(
            actor="system", issue=issue, members=("C-1",), complainants=5, incident=incident
        )
        if self.attempt(command, ok, gap):
            if self.o.issue == issue and (self.o.incident or not incident):
                return  # linked already: nothing new
            self.o.issue = issue
            self.o.events += 1
            if incident:
                self.o.incident = True
                if self.o.rung < GROUP_RUNG:  # HDL-6: to the project manager at once
                    self.o.rung = GROUP_RUNG
                    self.o.events += 1

    @invariant()
    def duties_agree_with_oracle(self) -> None:
        c = self.run.complaint
        apology = next(d for d in compute_duties(c, PACK, CAL, self.run.now) if d.name == "apology")
        assert apology.owed == self.o.apology_owed
        assert c.state.issue == self.o.issue
        assert c.state.group_incident == self.o.incident

    @invariant()
    def agrees_with_oracle(self) -> None:
        c = self.run.complaint
        s = c.state
        assert s.status is self.o.status
        assert s.paused == self.o.paused
        assert s.validity is self.o.validity
        assert (PACK.rung_index(s.rung) if s.rung else 0) == self.o.rung
        assert (s.grade.rank if s.grade else -1) == self.o.grade_rank
        assert c.version == len(c.events) == self.o.events

    @invariant()
    def monotone_and_replayable(self) -> None:
        c = self.run.complaint
        rung = PACK.rung_index(c.state.rung) if c.state.rung else 0
        grade = c.state.grade.rank if c.state.grade else -1
        assert rung >= self.max_rung
        assert grade >= self.max_grade
        self.max_rung, self.max_grade = rung, grade
        assert fold(c.events) == c.state
        assert replay(c.id, c.intake, c.events) == c
        times = [e.at for e in c.events]
        assert times == sorted(times)


WorkflowMachine.TestCase.settings = settings(max_examples=80, stateful_step_count=30, deadline=None)
TestWorkflowMachine = pytest.mark.procedure("ESC-5")(
    pytest.mark.procedure("GRD-6")(WorkflowMachine.TestCase)
)
