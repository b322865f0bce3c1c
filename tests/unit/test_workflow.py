"""The state machine: transitions, guards, and the events each command yields."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs
import pytest

from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.core.deadlines import ClockState, compute_clocks
from complaintcore.core.errors import (
    AccessDeniedError,
    ComplaintCoreError,
    EscalationError,
    GradeError,
    IllegalTransitionError,
    IncompleteRecordError,
    InvalidInputError,
    NaiveDatetimeError,
)
from complaintcore.core.models import (
    Assessed,
    Closed,
    Complainant,
    Escalated,
    EvidenceAttached,
    Fact,
    Forwarded,
    Grade,
    Graded,
    Registered,
    Reopened,
    SanctionRecorded,
    Status,
    TargetPerson,
    Trigger,
    Validity,
    Visited,
)
from complaintcore.core.rulepack import VisitRules
from complaintcore.core.workflow import (
    Assess,
    Assign,
    AttachEvidence,
    Classify,
    Close,
    Escalate,
    Forward,
    Handle,
    Link,
    Pause,
    Promise,
    RecordCause,
    RecordSanction,
    Register,
    Regrade,
    Reopen,
    Reply,
    Resume,
    SignOff,
    Visit,
    decide,
    fold,
    new_complaint,
    replay,
)
from complaintcore.testing import RecordingNotifier, make_desk
from tests.helpers import SH, T0, Runner, about, intake, pack


@pytest.fixture
def run() -> Runner:
    r = Runner(pack())
    r.register()
    return r


@pytest.mark.procedure("IN-2")
def test_any_receiver_registers_and_stays_recorded_after_forwarding() -> None:
    r = Runner(pack(), intake(receiver="guard-7", receiver_unit="security"))
    c = r.register("guard-7")
    assert isinstance(c.events[0], Registered)
    assert c.events[0].unit == "security"
    c = r(Forward(actor="guard-7", to_unit="customer_service"))
    assert isinstance(c.events[-1], Forwarded)
    assert c.state.unit == "customer_service"
    assert c.intake.receiver == "guard-7"  # the receiver of record does not change


@pytest.mark.procedure("IN-4")
def test_registration_is_central_at_customer_service_by_default(run: Runner) -> None:
    assert run.complaint.state.unit == "customer_service"
    assert run.complaint.status is Status.REGISTERED


@pytest.mark.procedure("IN-6")
def test_head_office_bypass_needs_consent_to_route_to_the_site() -> None:
    """004 篇4 §3.4.1: registered at head office; routed to the site only with the
    complainant's consent, whether by forwarding or by assigning a site department."""
    p = pack()
    r = Runner(p, intake(via_head_office=True, receiver_unit="head_office"))
    c = r.register("ho-1")
    assert c.state.unit == p.head_office_unit
    assert c.awaiting_site_consent
    with pytest.raises(IllegalTransitionError, match="consent"):
        r(Forward(actor="ho-1", to_unit="customer_service", consent=False))
    with pytest.raises(IllegalTransitionError, match="IN-6"):
        r(Assign(actor="ho-1", handler="s-9", rung="department_head", department="engineering"))
    assert r.complaint.version == 1
    c = r(Assign(actor="ho-1", handler="ho-2", rung="department_head", department="head_office"))
    assert c.state.unit == p.head_office_unit
    c = r(Forward(actor="ho-1", to_unit="customer_service", consent=True))
    assert c.state.unit == "customer_service"
    assert not c.awaiting_site_consent
    c = r(Assign(actor="ho-1", handler="s-9", rung="department_head", department="engineering"))
    assert (c.state.handler, c.state.department) == ("s-9", "engineering")


@pytest.mark.procedure("IN-6")
def test_only_a_bypass_complaint_waits_for_consent() -> None:
    r = Runner(pack(), intake(receiver_unit="security"))
    c = r.register("guard-7")
    assert not c.awaiting_site_consent
    c = r(Assign(actor="g", handler="s-9", rung="department_head", department="engineering"))
    assert c.state.handler == "s-9"


@pytest.mark.procedure("REC-1")
def test_incomplete_record_is_not_registrable_and_names_fields() -> None:
    bad = intake(complainant=Complainant("", "12", "3-2-1201"), summary=" ")
    c = new_complaint("C-9", bad)
    with pytest.raises(IncompleteRecordError) as info:
        decide(c, Register(actor="s-1"), pack(), T0)
    assert set(info.value.fields) == {"complainant.name", "complainant.phone", "summary"}
    assert "12" not in str(info.value).replace("C-9", "")  # PRV-1: no values in messages


@pytest.mark.procedure("REC-1")
def test_an_issue_that_arose_after_it_was_received_is_refused_naming_occurred_at() -> None:
    later = T0 + timedelta(minutes=1)
    c = new_complaint("C-9", intake(occurred_at=later.astimezone(UTC)))
    with pytest.raises(InvalidInputError) as info:
        decide(c, Register(actor="s-1"), pack(), later)
    assert info.value.path == "occurred_at"
    assert str(info.value) == "occurred_at: is later than the time the complaint was received"
    same = new_complaint("C-9", intake(occurred_at=T0.astimezone(UTC)))  # as received: fine
    assert isinstance(decide(same, Register(actor="s-1"), pack(), later)[0], Registered)


@pytest.mark.procedure("REC-5")
def test_history_is_append_only_and_state_is_a_fold(run: Runner) -> None:
    before = run.complaint.events
    c = run(Assess(actor="h-1", validity="valid"))
    assert c.events[: len(before)] == before
    assert all(e.actor and e.at.tzinfo for e in c.events)
    assert replay(c.id, c.intake, c.events).state == c.state
    assert fold(c.events) == c.state


@pytest.mark.procedure("REC-5")
def test_folding_from_a_state_leaves_that_state_as_it_was(run: Runner) -> None:
    c = run(Assess(actor="h-1", validity="valid"))
    c = run(Pause(actor="h-1", reason="等业主回复"))
    middle = fold(c.events[:2])
    kept = attrs.asdict(middle, recurse=False)
    assert fold(c.events[2:], middle) == fold(c.events) == c.state
    assert attrs.asdict(middle, recurse=False) == kept
    assert c.state.paused
    assert not middle.paused
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        middle.paused = True  # type: ignore[misc]
    folded = fold(c.events[2:], middle)  # filled in place, then handed out frozen
    assert type(folded) is type(middle)
    assert folded is not middle
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        folded.paused = False  # type: ignore[misc]


@pytest.mark.procedure("REC-3")
def test_evidence_is_attached_as_an_event(run: Runner) -> None:
    """000 §3: the handler attaches proof (凭证); the record keeps what was attached,
    by whom and when, each in its own field (s28A F01)."""
    at = run.now + timedelta(minutes=5)
    c = run(AttachEvidence(actor="h-1", reference="photo-001.jpg", note="ceiling stain"))
    ev = c.events[-1]
    assert isinstance(ev, EvidenceAttached)
    assert (ev.reference, ev.note, ev.actor, ev.at) == (
        "photo-001.jpg",
        "ceiling stain",
        "h-1",
        at,
    )


@pytest.mark.procedure("REC-4")
def test_reply_records_why_it_cannot_be_answered_at_once(run: Runner) -> None:
    new_date = datetime(2025, 11, 20, 17, 0, tzinfo=SH)  # DL-3: agreed with the complainant
    c = run(
        Reply(
            actor="h-1",
            message="需要工程部查看",
            unanswerable_reason="需上门检查",
            agreed_due=new_date,
        )
    )
    assert "replied:unanswerable" in c.events[-2].tags()
    with pytest.raises(InvalidInputError) as info:
        run(Reply(actor="h-1", message="done", final=True, unanswerable_reason="x"))
    assert info.value.path == "unanswerable_reason"


@pytest.mark.procedure("REC-4")
def test_the_department_head_hears_why_it_cannot_be_answered_at_once() -> None:
    """002 §3.3: the record states the reason and the department head is informed.  A
    leak is engineering's (CLS-3); at sunrise its department head is SR-201 (sample
    staff), who is told the reason; nobody else is (s28A F03).  An in-memory desk."""
    notes = RecordingNotifier()
    desk = make_desk(notifiers=[notes])
    at = datetime(2025, 11, 10, 9, 30, tzinfo=SH)  # a Monday, SR-201 on duty (08-17)
    c = desk.receive(intake(received_at=at, receiver="SR-103"), now=at, route=False)
    assert c.state.department == "engineering"
    reply = Reply(
        actor="SR-102",
        message="需工程部查看",
        unanswerable_reason="需上门检查管道",
        agreed_due=at + timedelta(days=3),  # DL-3: the new date agreed
    )
    desk.act(c.id, reply, now=at + timedelta(minutes=10))
    desk.deliver(at + timedelta(minutes=10))
    told = [(n, r) for n, r in notes.sent if n.complaint_id == c.id and n.topic == "unanswerable"]
    assert [(r.staff_id, r.rung, r.department) for _n, r in told if r is not None] == [
        ("SR-201", "department_head", "engineering")
    ]
    assert all("需上门检查管道" in n.body for n, _r in told)


@pytest.mark.procedure("CLS-1")
def test_classify_by_keywords_then_by_hand(run: Runner) -> None:
    c = run(Classify(actor="h-1"))
    assert c.state.category
    assert c.state.department
    assert c.events[-1].explanation  # type: ignore[attr-defined]
    with pytest.raises(InvalidInputError) as info:
        run(Classify(actor="h-1", category="no-such-category"))
    assert info.value.path == "category"


@pytest.mark.procedure("VAL-1")
def test_assessment_outcome_is_an_event(run: Runner) -> None:
    c = run(Assess(actor="h-1", validity="invalid", note="not our responsibility"))
    assert isinstance(c.events[-1], Assessed)
    assert c.state.validity is Validity.INVALID
    assert c.state.grade is None  # VAL-4: not graded


@pytest.mark.procedure("VAL-2")
def test_assessment_records_reasonableness_and_owner(run: Runner) -> None:
    c = run(Assess(actor="h-1", validity="valid", reasonable=True, department="engineering"))
    assert c.state.reasonable is True
    assert c.state.department == "engineering"
    with pytest.raises(InvalidInputError) as info:
        run(Assess(actor="h-1", validity="valid", department="nowhere"))
    assert info.value.path == "department"


@pytest.mark.procedure("VAL-2")
def test_an_unreasonable_verdict_is_kept_apart_from_not_yet_judged(run: Runner) -> None:
    """004 篇4 §3.3: reasonableness is assessed; "unreasonable" is a verdict, not the
    absence of one, on the event and on the state (s28A F02)."""
    assert run.complaint.state.reasonable is None  # not yet judged
    c = run(Assess(actor="h-1", validity="valid", reasonable=False, department="engineering"))
    ev = next(e for e in reversed(c.events) if isinstance(e, Assessed))
    assert ev.reasonable is False
    assert c.state.reasonable is False
    assert c.state.department == "engineering"


@pytest.mark.procedure("VAL-3")
def test_invalid_complaint_is_explained_then_closed(run: Runner) -> None:
    run(Assess(actor="h-1", validity="invalid"))
    with pytest.raises(IllegalTransitionError, match="VAL-3"):
        run(Close(actor="h-1", result="invalid"))
    run(Reply(actor="h-1", message="该问题属市政管辖", explanation=True))
    c = run(Close(actor="h-1", result="explained as invalid"))
    assert c.status is Status.CLOSED


@pytest.mark.procedure("VAL-3")
def test_the_same_invalid_verdict_recorded_again_keeps_the_explanation(run: Runner) -> None:
    """Adding the responsible department to an invalid verdict finds nothing new to
    explain; a verdict turned invalid again does (s28C F01)."""
    run(Assess(actor="h-1", validity="invalid"))
    run(Reply(actor="h-1", message="该问题属市政管辖", explanation=True))
    run(Assess(actor="h-1", validity="invalid", department="security"))
    assert run(Close(actor="h-1", result="explained as invalid")).status is Status.CLOSED


@pytest.mark.procedure("VAL-3")
def test_a_verdict_turned_invalid_again_is_explained_again(run: Runner) -> None:
    run(Assess(actor="h-1", validity="invalid"))
    run(Reply(actor="h-1", message="该问题属市政管辖", explanation=True))
    run(Assess(actor="h-1", validity="valid"))
    run(Assess(actor="h-1", validity="invalid"))
    with pytest.raises(IllegalTransitionError, match="VAL-3"):
        run(Close(actor="h-1", result="invalid"))
    run(Reply(actor="h-1", message="复核后仍属市政管辖", explanation=True))
    assert run(Close(actor="h-1", result="explained as invalid")).status is Status.CLOSED


@pytest.mark.procedure("VAL-4")
def test_request_is_recorded_but_not_graded_and_closes_once_answered(run: Runner) -> None:
    c = run(Assess(actor="h-1", validity="valid", kind="request"))
    assert c.state.grade is None
    with pytest.raises(IllegalTransitionError, match="VAL-4"):
        run(Regrade(actor="h-1"))
    run(Reply(actor="h-1", message="已安排", final=True))
    assert run(Close(actor="h-1", result="done")).status is Status.CLOSED


@pytest.mark.procedure("VIS-3")
@pytest.mark.procedure("VAL-4")
@pytest.mark.parametrize("kind", ["request", "enquiry"])
def test_a_request_or_enquiry_never_answered_needs_the_complainant(run: Runner, kind: str) -> None:
    """VAL-4 records a request or an enquiry apart, and docs/demo.md has them
    "answered and closed": the final answer stands in for the complainant's
    confirmation.  Before it (none, or only an interim reply) VIS-3 holds: no
    confirmation and no top-rung decision, no closure (s29E F09)."""
    run(Assess(actor="h-1", validity="valid", kind=kind))
    with pytest.raises(IllegalTransitionError, match="VIS-3"):
        run(Close(actor="h-1", result="done"))
    run(Reply(actor="h-1", message="已登记，明天答复"))  # interim
    with pytest.raises(IllegalTransitionError, match="VIS-3"):
        run(Close(actor="h-1", result="done"))
    assert run.complaint.status is not Status.CLOSED
    run(Reply(actor="h-1", message="已安排", final=True))
    c = run(Close(actor="h-1", result="done"))
    assert c.status is Status.CLOSED
    closed = c.events[-1]
    assert isinstance(closed, Closed)
    assert (closed.confirmed_by_complainant, closed.decided_by_top_rung) == (False, False)


@pytest.mark.procedure("VIS-3")
@pytest.mark.procedure("VAL-4")
def test_a_request_the_complainant_confirms_closes_unanswered(run: Runner) -> None:
    """VIS-3: the complainant's confirmation closes any record, a request too."""
    run(Assess(actor="h-1", validity="valid", kind="request"))
    c = run(Close(actor="h-1", result="业主确认已自行处理", confirmed_by_complainant=True))
    closed = c.events[-1]
    assert isinstance(closed, Closed)
    assert (c.status, closed.confirmed_by_complainant) == (Status.CLOSED, True)


@pytest.mark.procedure("GRD-2")
def test_valid_complaint_is_graded_on_assessment_with_reasons(run: Runner) -> None:
    c = run(Assess(actor="h-1", validity="valid", facts=[Fact.PERSONAL_INJURY]))
    assert isinstance(c.events[-1], Graded)
    assert c.state.grade is Grade.MAJOR
    assert c.state.grade_reasons


@pytest.mark.procedure("GRD-6")
def test_grade_cannot_be_lowered_by_a_command(run: Runner) -> None:
    run(Assess(actor="h-1", validity="valid", facts=[Fact.STAFF_FAULT]))
    with pytest.raises(GradeError, match="GRD-6"):
        run(Regrade(actor="h-1", grade="minor"))
    c = run(Regrade(actor="h-1", grade="major", reason="repeated"))
    assert c.state.grade is Grade.MAJOR


@pytest.mark.procedure("DL-6")
def test_one_month_unresolved_upgrades_to_major(run: Runner) -> None:
    run(Assess(actor="h-1", validity="valid", facts=[Fact.FACILITY_LIMITATION]))
    assert run.complaint.state.grade is Grade.MINOR
    c = run(Regrade(actor="system"), after=timedelta(days=29))
    assert c.state.grade is Grade.MINOR  # nothing happened
    c = run(Regrade(actor="system"), after=timedelta(days=3))
    assert c.state.grade is Grade.MAJOR
    assert "DL-6" in c.state.grade_reasons[0]


@pytest.mark.procedure("ESC-3")
def test_assignment_below_the_grade_rung_is_refused(run: Runner) -> None:
    p = run.pack
    run(Assess(actor="h-1", validity="valid", facts=[Fact.MAJOR_LOSS]))
    need = p.handler_rung_for(Grade.MAJOR)
    with pytest.raises(AccessDeniedError, match="ESC-3"):
        run(Assign(actor="h-1", handler="h-2", rung=p.ladder[0].code))
    c = run(Assign(actor="h-1", handler="boss", rung=need))
    assert c.state.rung == need
    assert c.state.handler == "boss"


@pytest.mark.procedure("ESC-4")
def test_person_complained_about_never_handles_it() -> None:
    p = pack()
    pm = p.ladder[3].code
    r = Runner(p, intake(summary="项目经理态度恶劣", target=about("pm-1", pm)))
    r.register()
    with pytest.raises(AccessDeniedError, match="ESC-4"):
        r(Assign(actor="s-1", handler="pm-1", rung=p.top_rung.code))
    with pytest.raises(AccessDeniedError):
        r(Assign(actor="s-1", handler="other-pm", rung=pm))
    c = r(Assign(actor="s-1", handler="director", rung=p.top_rung.code))
    assert c.state.rung == p.top_rung.code


@pytest.mark.procedure("ESC-5")
def test_escalation_goes_up_and_stops_at_the_top(run: Runner) -> None:
    p = run.pack
    seen = []
    for _ in range(len(p.ladder) - 1):
        c = run(Escalate(actor="h-1", trigger="cannot_handle"))
        seen.append(p.rung_index(c.state.rung))
        assert isinstance(c.events[-1], Escalated)
        assert c.events[-1].trigger is Trigger.CANNOT_HANDLE
    assert seen == sorted(seen)
    assert seen[-1] == len(p.ladder) - 1
    with pytest.raises(EscalationError, match="top"):
        run(Escalate(actor="h-1", trigger="cannot_handle"))
    with pytest.raises(EscalationError):
        run(Assign(actor="h-1", handler="x", rung=p.ladder[0].code))


@pytest.mark.procedure("ESC-5")
@pytest.mark.procedure("REC-5")
def test_an_escalation_records_who_escalated_when_and_why(run: Runner) -> None:
    """ESC-5: an escalation is an event with its reason (ESC-2 trigger) and actor; REC-5:
    with its time. Each escalation names the person who asked for it (s28A F09)."""
    first_at = run.now + timedelta(minutes=5)
    run(Escalate(actor="h-1", trigger="cannot_handle", note="需工程部主管"))
    second_at = run.now + timedelta(minutes=5)
    c = run(Escalate(actor="dh-7", trigger="dissatisfied"))
    first, second = (e for e in c.events if isinstance(e, Escalated))
    assert (first.actor, first.at, first.trigger, first.note) == (
        "h-1",
        first_at,
        Trigger.CANNOT_HANDLE,
        "需工程部主管",
    )
    assert (first.from_rung, first.to_rung) == ("front_line", "complaint_handler")
    assert (second.actor, second.at, second.trigger) == ("dh-7", second_at, Trigger.DISSATISFIED)
    assert (second.from_rung, second.to_rung) == ("complaint_handler", "department_head")


@pytest.mark.procedure("ESC-2")
def test_serious_goes_straight_to_the_serious_rung(run: Runner) -> None:
    c = run(Escalate(actor="h-1", trigger=Trigger.SERIOUS))
    assert c.state.rung == run.pack.serious_rung


@pytest.mark.procedure("ESC-2")
@pytest.mark.parametrize("below", ["complaint_handler", "department_head", "project_manager"])
def test_a_serious_escalation_never_stops_below_the_director(run: Runner, below: str) -> None:
    """004 篇4 §3.6: a serious complaint is reported at once to the property director and
    the general manager's office (cn-property: `senior_management`, 物业总监/总经办).
    Naming a lower rung is refused, the rung named, and nothing is recorded."""
    before = run.complaint.version
    with pytest.raises(EscalationError, match=f"to_rung {below} is below senior_management"):
        run(Escalate(actor="h-1", trigger=Trigger.SERIOUS, to_rung=below))
    assert run.complaint.version == before
    c = run(Escalate(actor="h-1", trigger=Trigger.CANNOT_HANDLE, to_rung=below))
    assert c.state.rung == below  # only a serious escalation is held to the director
    c = run(Escalate(actor="h-1", trigger=Trigger.SERIOUS, to_rung="senior_management"))
    assert c.state.rung == "senior_management"


@pytest.mark.procedure("VIS-1")
@pytest.mark.procedure("ESC-2")
def test_dissatisfied_visit_reopens_and_escalates_exactly_one_rung(run: Runner) -> None:
    """000 §6: the owner is not satisfied with the result: the handler hands it over to
    the superior (one rung, ESC-2); visits continue until satisfied (002 §3.5)."""
    p = run.pack
    run(Assess(actor="h-1", validity="valid"))
    run(Assign(actor="h-1", handler="h-1", rung="department_head"))  # minor: ESC-3
    run(Reply(actor="h-1", message="已修好", final=True))
    assert run.complaint.status is Status.AWAITING_VISIT
    before = run.complaint.state.rung
    c = run(Visit(actor="v-1", satisfied=False, opinion="还在漏"))
    visited, reopened, escalated = c.events[-3:]
    assert isinstance(visited, Visited)
    assert isinstance(reopened, Reopened)
    assert isinstance(escalated, Escalated)
    assert escalated.trigger is Trigger.DISSATISFIED
    assert escalated.from_rung == before
    assert p.rung_index(escalated.to_rung) == p.rung_index(before) + 1
    # cn-property: minor complaints sit at the department head; the superior is the PM
    assert (before, escalated.to_rung) == ("department_head", "project_manager")
    assert c.status is Status.IN_HANDLING
    run(Reply(actor="h-1", message="再次维修", final=True))
    c = run(Visit(actor="v-1", satisfied=True))
    assert c.state.rung == "project_manager"  # a satisfied visit moves nothing
    run(RecordCause(actor="h-1", cause="管道老化", corrective="更换管道"))  # IMP-1
    c = run(Close(actor="h-1", result="修复，业主满意"))
    assert c.status is Status.CLOSED
    assert isinstance(c.events[-1], Closed)
    assert c.events[-1].confirmed_by_complainant


@pytest.mark.procedure("VIS-3")
@pytest.mark.procedure("ESC-2")
def test_a_refused_new_time_after_a_satisfied_visit_needs_a_new_confirmation(
    run: Runner,
) -> None:
    """VIS-3: closed "only with the complainant's confirmation, or, failing
    satisfaction, after escalation to the top rung decides"; 000 §7: an owner who
    does not accept a rescheduled time is escalated.  Satisfied at the visit, the
    owner then refuses the new time: satisfaction failed, as for an escalation for
    dissatisfaction, so the earlier visit confirms nothing.  A plain close is
    refused and never recorded as confirmed; the owner's own confirmation still
    closes it (review s46D F03)."""
    run(Assess(actor="h-1", validity="valid"))
    run(Assign(actor="h-1", handler="h-1", rung="department_head"))
    run(Reply(actor="h-1", message="已修好", final=True))
    run(RecordCause(actor="h-1", cause="管道老化", corrective="更换管道"))
    run(Visit(actor="v-1", satisfied=True))
    c = run(Escalate(actor="h-1", trigger="reschedule_refused", to_rung="project_manager"))
    assert c.state.last_visit_satisfied is None
    before = c.version
    with pytest.raises(IllegalTransitionError) as refused:
        run(Close(actor="pm-1", result="结案"))
    assert refused.value.reason == (
        "closure needs the complainant's confirmation or a top-rung decision (VIS-3)"
    )
    assert run.complaint.version == before
    c = run(Close(actor="pm-1", result="业主确认结案", confirmed_by_complainant=True))
    closed = c.events[-1]
    assert isinstance(closed, Closed)
    assert (closed.confirmed_by_complainant, closed.decided_by_top_rung) == (True, False)


@pytest.mark.procedure("VIS-3")
@pytest.mark.procedure("VIS-1")
def test_dissatisfied_after_a_satisfied_visit_needs_a_new_confirmation(run: Runner) -> None:
    """VIS-1: visits go on until the complainant is satisfied; VIS-3: closed only with
    their confirmation.  The owner called back unhappy after a satisfied visit: that
    visit no longer confirms anything, and no closure may record it as confirmed
    (review s36C F01)."""
    run(Assess(actor="h-1", validity="valid"))
    run(Assign(actor="h-1", handler="h-1", rung="department_head"))
    run(Reply(actor="h-1", message="已修好", final=True))
    run(Visit(actor="v-1", satisfied=True))
    run(RecordCause(actor="h-1", cause="管道老化", corrective="更换管道"))
    run(Escalate(actor="h-1", trigger="dissatisfied", to_rung="project_manager"))
    with pytest.raises(IllegalTransitionError, match="VIS-3"):
        run(Close(actor="h-1", result="已处理"))
    assert run.complaint.status is not Status.CLOSED
    run(Reply(actor="h-1", message="再次维修", final=True))
    run(Visit(actor="v-1", satisfied=True, opinion="这次好了"))
    c = run(Close(actor="h-1", result="修复，业主满意"))
    closed = c.events[-1]
    assert isinstance(closed, Closed)
    assert (c.status, closed.confirmed_by_complainant) == (Status.CLOSED, True)


@pytest.mark.procedure("VIS-2")
def test_visit_records_opinion_and_the_appointed_reply_time_is_watched(run: Runner) -> None:
    """002 §4.3-4.4: the opinion is recorded; a question not answerable during the visit
    gets an appointed reply time, which is a deadline of its own."""
    run(Reply(actor="h-1", message="ok", final=True))
    due = run.now + timedelta(days=2)
    c = run(Visit(actor="v-1", satisfied=True, opinion="想知道墙面何时重刷", reply_due=due))
    visit = c.events[-1]
    assert isinstance(visit, Visited)
    assert visit.opinion == "想知道墙面何时重刷"
    assert "visited:appointment" in visit.tags()
    cal = calendar_for_spec(run.pack.calendar)
    clock = next(s for s in compute_clocks(c, run.pack, cal, run.now) if s.name == "visit_reply")
    assert (clock.rule, clock.state, clock.due) == ("VIS-2", ClockState.RUNNING, due)
    late = next(
        s
        for s in compute_clocks(c, run.pack, cal, due + timedelta(minutes=1))
        if s.name == "visit_reply"
    )
    assert late.state is ClockState.BREACHED
    with pytest.raises(NaiveDatetimeError):
        run(Visit(actor="v-1", satisfied=True, reply_due=datetime(2030, 1, 1)))
    with pytest.raises(InvalidInputError) as info:
        run(Visit(actor="v-1", satisfied=True, reply_due=run.now - timedelta(hours=1)))
    assert info.value.path == "reply_due"


@pytest.mark.procedure("VIS-1")
@pytest.mark.procedure("VIS-2")
def test_a_visit_that_does_not_reach_the_complainant_is_recorded_as_such(run: Runner) -> None:
    """002 §3 4): follow-up by phone or other means; a call nobody answers is a visit
    attempt without an opinion (VIS-2).  Visits go on until the complainant is
    satisfied (VIS-1): the complaint still awaits a visit, is neither reopened nor
    escalated, and nothing is confirmed (VIS-3) (review s36C F03)."""
    run(Assess(actor="h-1", validity="valid"))
    run(Assign(actor="h-1", handler="h-1", rung="department_head"))
    run(Reply(actor="h-1", message="已修好", final=True))
    run(RecordCause(actor="h-1", cause="管道老化", corrective="更换管道"))
    c = run(Visit(actor="v-1", reached=False))
    visit = c.events[-1]
    assert isinstance(visit, Visited)
    assert (visit.reached, visit.satisfied, visit.opinion) == (False, False, "")
    assert visit.tags() == ("visited", "visited:not_reached")
    assert [e.kind for e in c.events[-2:]] == ["cause_analysed", "visited"]
    assert (c.status, c.state.rung, c.state.reopened) == (
        Status.AWAITING_VISIT,
        "department_head",
        0,
    )
    assert c.state.last_visit_satisfied is None
    with pytest.raises(IllegalTransitionError, match="VIS-3"):
        run(Close(actor="h-1", result="已处理"))
    for bad in (
        Visit(actor="v-1", reached=False, satisfied=True),
        Visit(actor="v-1", reached=False, satisfied=False),
        Visit(actor="v-1"),  # reached, but no opinion
        Visit(actor="v-1", reached=False, reply_due=run.now + timedelta(days=1)),
    ):
        with pytest.raises(InvalidInputError) as info:
            run(bad)
        assert info.value.path in ("satisfied", "reply_due")
    c = run(Visit(actor="v-1", satisfied=True, opinion="第二次联系上，满意"))
    c = run(Close(actor="h-1", result="修复，业主满意"))
    closed = c.events[-1]
    assert isinstance(closed, Closed)
    assert closed.confirmed_by_complainant


@pytest.mark.procedure("VIS-3")
def test_closure_needs_confirmation_or_the_top_rung(run: Runner) -> None:
    run(Assess(actor="h-1", validity="valid"))  # VAL-1: verified before closing (s55R1 F04)
    run(RecordCause(actor="h-1", cause="管道老化", corrective="更换管道"))  # IMP-1
    run(Reply(actor="h-1", message="ok", final=True))
    with pytest.raises(IllegalTransitionError, match="VIS-3"):
        run(Close(actor="h-1", result="done"))
    with pytest.raises(IllegalTransitionError, match="top rung"):
        run(Close(actor="h-1", result="done", decided_by_top_rung=True))
    run(Escalate(actor="h-1", trigger="dissatisfied", to_rung=run.pack.top_rung.code))
    c = run(Close(actor="gm", result="decided", decided_by_top_rung=True))
    assert c.status is Status.CLOSED


@pytest.mark.procedure("VIS-3")
def test_no_rung_below_the_top_closes_without_the_complainant(run: Runner) -> None:
    """003, 000 §6-7: without the complainant's confirmation only the top rung decides.
    In cn-property that is senior_management (物业总监/总经办); every rung below it, the
    project manager included, is refused and nothing is recorded (s28A F07)."""
    run(Reply(actor="h-1", message="ok", final=True))
    for rung in ("complaint_handler", "department_head", "project_manager"):
        run(Escalate(actor="h-1", trigger="dissatisfied", to_rung=rung))
        assert run.complaint.state.rung == rung
        before = run.complaint.version
        with pytest.raises(IllegalTransitionError, match="escalate it to the top rung"):
            run(Close(actor="pm-1", result="decided", decided_by_top_rung=True))
        assert run.complaint.version == before
        assert run.complaint.status is not Status.CLOSED
    run(Assess(actor="h-1", validity="valid"))  # VAL-1: verified before closing (s55R1 F04)
    run(RecordCause(actor="h-1", cause="管道老化", corrective="更换管道"))  # IMP-1
    run(Escalate(actor="pm-1", trigger="dissatisfied", to_rung="senior_management"))
    c = run(Close(actor="gm", result="decided", decided_by_top_rung=True))
    assert c.status is Status.CLOSED
    closed = c.events[-1]
    assert isinstance(closed, Closed)
    assert (closed.decided_by_top_rung, closed.confirmed_by_complainant) == (True, False)


@pytest.mark.procedure("VIS-3")
def test_a_top_rung_decision_below_the_top_says_to_escalate_first(run: Runner) -> None:
    """VIS-3: "failing satisfaction, after escalation to the top rung decides".  An
    unsatisfied visit takes the complaint from department_head one rung up, to
    project_manager; the property director asking for the top rung's decision there
    is told what is missing, the complaint's own rung and the escalation to
    senior_management, not that "only the top rung decides": at the desk only the top
    rung gets this far, so that read as "you may not" (review s46D F01)."""
    run(Assess(actor="h-1", validity="valid"))
    run(Assign(actor="h-1", handler="h-1", rung="department_head"))
    run(Reply(actor="h-1", message="已修好", final=True))
    run(RecordCause(actor="h-1", cause="管道老化", corrective="更换管道"))
    run(Visit(actor="v-1", satisfied=False, opinion="还在漏"))
    assert run.complaint.state.rung == "project_manager"
    before = run.complaint.version
    with pytest.raises(IllegalTransitionError) as refused:
        run(Close(actor="gm", result="公司决定结案", decided_by_top_rung=True))
    assert refused.value.reason == (
        "the complaint is at project_manager: escalate it to the top rung "
        "(senior_management) before the top rung decides its closure (VIS-3)"
    )
    assert run.complaint.version == before
    run(Escalate(actor="h-1", trigger="dissatisfied", to_rung="senior_management"))
    closed = run(Close(actor="gm", result="公司决定结案", decided_by_top_rung=True)).events[-1]
    assert isinstance(closed, Closed)
    assert closed.decided_by_top_rung


@pytest.mark.procedure("VIS-3")
def test_a_top_rung_decision_on_no_rung_yet_says_to_escalate_first(run: Runner) -> None:
    """VIS-3: a complaint answered without ever being routed stands on no rung; the
    top rung's decision is refused saying so and naming the escalation, never "the
    complaint is at " an empty rung (review s46D F01)."""
    run(Reply(actor="h-1", message="ok", final=True))
    assert run.complaint.state.rung == ""
    with pytest.raises(IllegalTransitionError) as refused:
        run(Close(actor="gm", result="decided", decided_by_top_rung=True))
    assert refused.value.reason == (
        "the complaint is on no rung yet: escalate it to the top rung "
        "(senior_management) before the top rung decides its closure (VIS-3)"
    )


@pytest.mark.procedure("VIS-3")
def test_the_top_rung_decides_a_closure_only_when_satisfaction_failed(run: Runner) -> None:
    """VIS-3: "closed only with the complainant's confirmation, or, failing
    satisfaction, after escalation to the top rung decides" (000 §6-7 hand the
    complaint up when the owner is not satisfied or refuses a new time).  Handed up
    because nobody could handle it, with nobody visited, the top rung may not
    close it; after the pack's three visits that did not reach the complainant it
    may (review s37A F03); a closure settles that failure, so after a reopening a
    new one is needed (an unsatisfied visit, which reopens the complaint itself,
    counts) (review s36C F02)."""
    run(Assess(actor="h-1", validity="valid"))
    run(Reply(actor="h-1", message="已处理", final=True))
    run(RecordCause(actor="h-1", cause="管道老化", corrective="更换管道"))
    run(Escalate(actor="h-1", trigger="cannot_handle", to_rung="senior_management"))
    before = run.complaint.version
    with pytest.raises(IllegalTransitionError, match=r"only when satisfaction failed.*\(VIS-3\)"):
        run(Close(actor="gm", result="总部决定结案", decided_by_top_rung=True))
    assert run.complaint.version == before
    for _ in range(3):
        run(Visit(actor="v-1", reached=False))
    c = run(Close(actor="gm", result="总部决定结案", decided_by_top_rung=True))
    closed = c.events[-1]
    assert isinstance(closed, Closed)
    assert (c.status, closed.decided_by_top_rung, closed.confirmed_by_complainant) == (
        Status.CLOSED,
        True,
        False,
    )
    run(Reopen(actor="gm", reason="业主再次来电"))
    run(Reply(actor="h-1", message="再次处理", final=True))
    with pytest.raises(IllegalTransitionError, match="only when satisfaction failed"):
        run(Close(actor="gm", result="总部决定结案", decided_by_top_rung=True))
    c = run(Visit(actor="v-1", satisfied=False, opinion="仍不满意"))  # reopened at the top
    assert [e.kind for e in c.events[-2:]] == ["visited", "reopened"]
    run(Reply(actor="gm", message="维持处理结果", final=True))
    c = run(Close(actor="gm", result="总部决定结案", decided_by_top_rung=True))
    assert c.status is Status.CLOSED


@pytest.mark.procedure("VIS-3")
def test_a_complainant_satisfied_after_the_failure_is_closed_with_their_confirmation(
    run: Runner,
) -> None:
    """VIS-3: the top rung decides "failing satisfaction", and statistics.md counts in
    closed_by_top_rung the closures the top rung decided "rather than the
    complainant confirmed".  Unsatisfied, handed up to senior management, then
    satisfied at the next visit: the satisfied visit ends the failure, so the top
    rung's decision is refused and the closure is the complainant's.  A closure is
    never recorded as both (review s37A F02)."""
    run(Assess(actor="h-1", validity="valid"))
    run(Assign(actor="h-1", handler="h-1", rung="department_head"))
    run(Reply(actor="h-1", message="已修好", final=True))
    run(RecordCause(actor="h-1", cause="管道老化", corrective="更换管道"))
    c = run(Visit(actor="v-1", satisfied=False, opinion="还在漏"))
    assert c.state.rung == "project_manager"  # reopened, one rung up (ESC-2)
    run(Escalate(actor="pm-1", trigger="dissatisfied", to_rung="senior_management"))
    run(Reply(actor="gm", message="已整体更换立管", final=True))
    run(Visit(actor="v-1", satisfied=True, opinion="这次满意了"))
    before = run.complaint.version
    with pytest.raises(IllegalTransitionError, match=r"satisfied at the last return visit"):
        run(Close(actor="gm", result="总部决定结案", decided_by_top_rung=True))
    with pytest.raises(InvalidInputError) as info:
        run(
            Close(
                actor="gm",
                result="总部决定结案",
                decided_by_top_rung=True,
                confirmed_by_complainant=True,
            )
        )
    assert info.value.path == "decided_by_top_rung"
    assert "not both (VIS-3)" in str(info.value)
    assert run.complaint.version == before
    c = run(Close(actor="gm", result="整体更换立管，业主确认满意"))
    closed = c.events[-1]
    assert isinstance(closed, Closed)
    assert (closed.confirmed_by_complainant, closed.decided_by_top_rung) == (True, False)


@pytest.mark.procedure("VIS-3")
def test_a_refused_new_time_after_a_satisfied_visit_is_decided_not_confirmed(
    run: Runner,
) -> None:
    """VIS-3, 000 §7: satisfied at the visit, the complainant then refuses the new time
    offered for the remaining work and the complaint is handed to the top rung.  That
    failure comes after the satisfied visit, so the top rung may decide; the closure
    is recorded as decided only, never as confirmed too (review s37A F02)."""
    run(Assess(actor="h-1", validity="valid"))
    run(Assign(actor="h-1", handler="h-1", rung="department_head"))
    run(Reply(actor="h-1", message="已修好", final=True))
    run(RecordCause(actor="h-1", cause="管道老化", corrective="更换管道"))
    run(Visit(actor="v-1", satisfied=True))
    run(Escalate(actor="h-1", trigger="reschedule_refused", to_rung="senior_management"))
    c = run(Close(actor="gm", result="总部决定结案", decided_by_top_rung=True))
    closed = c.events[-1]
    assert isinstance(closed, Closed)
    assert (closed.decided_by_top_rung, closed.confirmed_by_complainant) == (True, False)


@pytest.mark.procedure("VIS-1")
@pytest.mark.procedure("VIS-3")
def test_the_top_rung_decides_only_after_the_packs_unanswered_calls(run: Runner) -> None:
    """VIS-1: visits go on "直到业主满意为止" (002 §3.5); one call nobody answered asks
    nobody, so it is not yet satisfaction failed (VIS-3).  cn-property's
    ``visits.not_reached_attempts`` is 3: after one and two unanswered calls the top
    rung is refused, naming the number; after the third it decides.  Unanswered calls
    after a satisfied visit do not undo it; a pack with 0 never counts them (review
    s37A F03)."""
    run(Assess(actor="h-1", validity="valid"))
    run(Reply(actor="h-1", message="已处理", final=True))
    run(RecordCause(actor="h-1", cause="管道老化", corrective="更换管道"))
    run(Escalate(actor="h-1", trigger="cannot_handle", to_rung="senior_management"))
    assert run.pack.visits.not_reached_attempts == 3
    top = Close(actor="gm", result="总部决定结案", decided_by_top_rung=True)
    unanswered = []
    for _ in range(3):
        with pytest.raises(IllegalTransitionError, match=r"\(3 since the last closure\)"):
            run(top)
        unanswered.append(run(Visit(actor="v-1", reached=False)))
    c = run(top)
    closed = c.events[-1]
    assert isinstance(closed, Closed)
    assert (c.status, closed.decided_by_top_rung, closed.confirmed_by_complainant) == (
        Status.CLOSED,
        True,
        False,
    )
    never = attrs.evolve(run.pack, visits=VisitRules(not_reached_attempts=0))
    with pytest.raises(IllegalTransitionError, match=r"visit, or the escalation for dissatisf"):
        decide(unanswered[2], top, never, run.now)
    once = attrs.evolve(run.pack, visits=VisitRules(not_reached_attempts=1))
    assert [e.kind for e in decide(unanswered[0], top, once, run.now)] == ["closed"]
    run.complaint = unanswered[1]
    run(Visit(actor="v-1", satisfied=True))
    for _ in range(3):
        run(Visit(actor="v-1", reached=False))
    with pytest.raises(IllegalTransitionError, match="satisfied at the last return visit"):
        run(top)


@pytest.mark.procedure("VIS-2")
def test_a_visit_that_did_not_reach_the_complainant_stores_no_opinion(run: Runner) -> None:
    """VIS-2: a visit is recorded "with the complainant's opinion"; a call nobody
    answered has none, so ``Visit(reached=False, opinion="业主很满意")`` would put an
    opinion on record that nobody gave.  It is refused naming ``opinion``, and nothing
    is recorded (review s37A F07)."""
    run(Assess(actor="h-1", validity="valid"))
    run(Reply(actor="h-1", message="已修复", final=True))
    before = run.complaint.version
    with pytest.raises(InvalidInputError) as info:
        run(Visit(actor="v-1", reached=False, opinion="业主很满意"))
    assert info.value.path == "opinion"
    assert "did not reach the complainant has no opinion (VIS-2)" in str(info.value)
    assert run.complaint.version == before


@pytest.mark.procedure("VIS-1")
@pytest.mark.procedure("VIS-4")
def test_a_follow_up_visit_after_closure_never_reopens(run: Runner) -> None:
    """002 §4.2: after the complaint is handled customer service visits the owner
    regularly; §4.5: a major problem found is flagged for the meeting (VIS-4).  On
    a closed complaint the visit is recorded and nothing else, even when the owner
    is not satisfied: reopening is an explicit Reopen (review s36C F04)."""
    run(Assess(actor="h-1", validity="valid"))
    run(Assign(actor="h-1", handler="h-1", rung="department_head"))
    run(Reply(actor="h-1", message="已修好", final=True))
    run(Visit(actor="v-1", satisfied=True))
    run(RecordCause(actor="h-1", cause="管道老化", corrective="更换管道"))
    run(Close(actor="h-1", result="修复，业主满意"))
    c = run(
        Visit(
            actor="v-1",
            satisfied=False,
            opinion="异味又出现",
            major_issue=True,
            problem="整栋楼排水管老化",
        )
    )
    assert (c.status, c.state.rung, c.state.reopened) == (Status.CLOSED, "department_head", 0)
    visit = c.events[-1]
    assert isinstance(visit, Visited)
    assert (visit.satisfied, visit.major_issue) == (False, True)
    assert [e.kind for e in c.events[-2:]] == ["closed", "visited"]
    with pytest.raises(InvalidInputError) as info:
        run(Visit(actor="v-1", satisfied=True, reply_due=run.now + timedelta(days=1)))
    assert info.value.path == "reply_due"
    c = run(Reopen(actor="h-1", reason="回访发现异味又出现"))
    assert (c.status, c.state.reopened) == (Status.IN_HANDLING, 1)


@pytest.mark.procedure("VIS-4")
def test_major_issue_found_on_a_visit_is_flagged(run: Runner) -> None:
    run(Reply(actor="h-1", message="ok", final=True))
    c = run(Visit(actor="v-1", satisfied=True, major_issue=True, problem="整栋楼水管老化"))
    assert c.events[-1].major_issue  # type: ignore[attr-defined]


@pytest.mark.procedure("REC-6")
def test_closed_record_is_signed_off_once(run: Runner) -> None:
    run(Assess(actor="h-1", validity="valid"))  # VAL-1: verified before closing (s55R1 F04)
    run(RecordCause(actor="h-1", cause="管道老化", corrective="更换管道"))  # IMP-1
    run(Reply(actor="h-1", message="ok", final=True))
    run(Close(actor="h-1", result="ok", confirmed_by_complainant=True))
    c = run(SignOff(actor="sup-1"))
    assert c.state.signed_off
    with pytest.raises(IllegalTransitionError):
        run(SignOff(actor="sup-1"))


@pytest.mark.procedure("IMP-1")
def test_cause_analysis_is_recorded(run: Runner) -> None:
    c = run(RecordCause(actor="h-1", cause="管道老化", corrective="更换", preventive="巡检"))
    assert c.state.cause_analysed
    with pytest.raises(InvalidInputError) as info:
        run(RecordCause(actor="h-1", cause="x", corrective=" "))
    assert info.value.path == "corrective"


@pytest.mark.procedure("PEN-1")
@pytest.mark.procedure("PEN-2")
def test_sanction_is_recorded_against_the_person_complained_about() -> None:
    """004 篇2 §4.2: an important complaint earns the person complained about a yellow
    card, circulated criticism and a written self-examination (发黄牌且作通报批评并做
    书面检查).  Only sales consultants lose evaluation points (篇1 §3.4): a guard none."""
    p = pack()
    r = Runner(p, intake(summary="保安态度差", target=about("g-1", p.ladder[0].code, "guard")))
    r.register()
    with pytest.raises(IllegalTransitionError, match="VAL-4"):
        r(RecordSanction(actor="sup"))
    r(Assess(actor="h-1", validity="valid", facts=[Fact.STAFF_FAULT]))
    c = r(RecordSanction(actor="sup"))
    ev = c.events[-1]
    assert isinstance(ev, SanctionRecorded)
    assert ev.staff_id == "g-1"
    assert ev.grade is Grade.IMPORTANT
    assert set(ev.measures) == {"yellow_card", "circulated_criticism", "self_examination"}
    assert ev.points_deducted == 0
    with pytest.raises(IllegalTransitionError, match="already"):
        r(RecordSanction(actor="sup"))


@pytest.mark.procedure("PEN-1")
@pytest.mark.procedure("PEN-2")
def test_a_grade_raised_after_the_sanction_earns_the_new_grades_sanction() -> None:
    """GRD-6 lets a grade rise after the sanction; PEN-2 gives the person "the sanction
    of its grade": minor's warning, then important's yellow card, circulated
    criticism and written self-examination (004 篇2 §4).  A repeat at the same grade
    is refused, naming the sanction already recorded, not the state (review s45E F03)."""
    p = pack()
    r = Runner(p, intake(summary="保安态度差", target=about("g-1", p.ladder[0].code, "guard")))
    r.register()
    r(Assess(actor="h-1", validity="valid"))
    first = r(RecordSanction(actor="sup")).events[-1]
    assert isinstance(first, SanctionRecorded)
    assert (first.grade, set(first.measures)) == (Grade.MINOR, {"warning", "self_examination"})
    with pytest.raises(IllegalTransitionError) as same:
        r(RecordSanction(actor="sup"))
    assert "grade minor is already recorded (warning, self_examination)" in str(same.value)
    assert " while " not in str(same.value)  # the state is not why
    r(Regrade(actor="pm", grade="important", reason="辱骂业主"))
    second = r(RecordSanction(actor="pm")).events[-1]
    assert isinstance(second, SanctionRecorded)
    assert second.grade is Grade.IMPORTANT
    assert set(second.measures) == {"yellow_card", "circulated_criticism", "self_examination"}
    with pytest.raises(IllegalTransitionError, match="grade important is already recorded"):
        r(RecordSanction(actor="pm"))


def _sales_sanction(target: TargetPerson, staff_role: str = "") -> SanctionRecorded:
    p = pack("cn-sales-office")
    r = Runner(p, intake(summary="置业顾问介绍错误，超范围承诺", target=target))
    r.register()
    r(Assess(actor="h-1", validity="valid", facts=[Fact.STAFF_FAULT]))
    ev = r(RecordSanction(actor="sup", staff_role=staff_role)).events[-1]
    assert isinstance(ev, SanctionRecorded)
    assert ev.grade is Grade.IMPORTANT  # GRD-3: a fault of staff
    return ev


@pytest.mark.procedure("PEN-2")
def test_a_sales_consultant_loses_points_by_rung_whatever_the_role_text() -> None:
    """004 篇1 §3.4: a sales consultant complained about also loses points in the month's
    evaluation.  cn-sales-office names the rung (`points_roles = ["sales_consultant"]`,
    `points = 5` for an important complaint); the person's role is free text (the staff
    directory's "置业顾问 / sales consultant") and is not what the rule is about."""
    consultant = TargetPerson(
        staff_id="SR-102", rung="sales_consultant", role="置业顾问 / sales consultant"
    )
    assert _sales_sanction(consultant).points_deducted == 5
    supervisor = TargetPerson(staff_id="SR-201", rung="sales_supervisor", role="sales_consultant")
    assert _sales_sanction(supervisor).points_deducted == 0


@pytest.mark.procedure("PEN-2")
def test_staff_role_names_the_rung_to_count_points_by() -> None:
    """An explicit ``staff_role`` is a rung of the pack and overrides the recorded rung;
    anything else is refused rather than silently deducting nothing."""
    consultant = TargetPerson(staff_id="SR-102", rung="sales_consultant")
    supervisor = TargetPerson(staff_id="SR-201", rung="sales_supervisor")
    assert _sales_sanction(supervisor, "sales_consultant").points_deducted == 5
    assert _sales_sanction(consultant, "sales_supervisor").points_deducted == 0
    with pytest.raises(InvalidInputError) as info:
        _sales_sanction(consultant, "置业顾问")
    assert info.value.path == "staff_role"


@pytest.mark.procedure("PEN-2")
def test_only_the_sales_departments_front_rung_loses_points() -> None:
    """Review s48G F01: 004 篇1 §3.4 takes points from a sales consultant only.  The
    cn-sales-office ladder's front rung holds a site's guards and technicians too
    (the sample directory: 保安 SR-302, department security; 维修工 SR-202,
    engineering), so the pack names the department as well
    (docs/rule-packs.md: 5 points for an important complaint, sales consultants only)."""
    rung = "sales_consultant"
    consultant = TargetPerson(staff_id="SR-102", rung=rung, role="置业顾问", department="sales")
    guard = TargetPerson(staff_id="SR-302", rung=rung, role="保安", department="security")
    technician = TargetPerson(staff_id="SR-202", rung=rung, role="维修工", department="engineering")
    assert _sales_sanction(consultant).points_deducted == 5
    assert _sales_sanction(guard).points_deducted == 0
    assert _sales_sanction(technician).points_deducted == 0
    # staff_role names the rung to count by; the department stays the person's own
    assert _sales_sanction(guard, "sales_consultant").points_deducted == 0
    supervisor = TargetPerson(staff_id="SR-101", rung="sales_supervisor", department="sales")
    assert _sales_sanction(supervisor, "sales_consultant").points_deducted == 5


@pytest.mark.procedure("PEN-2")
def test_a_pack_naming_no_department_counts_points_by_rung_alone() -> None:
    """A host's pack that sets only ``points_roles`` (as every pack did before
    ``points_departments``) deducts from everyone on those rungs, whatever their
    department; and a person recorded with no department (a record kept before the
    desk took it from the directory) is counted by the rung alone."""
    p = pack("cn-sales-office")
    by_rung = attrs.evolve(
        p, sanctions=tuple(attrs.evolve(s, points_departments=()) for s in p.sanctions)
    )
    guard = TargetPerson(staff_id="SR-302", rung="sales_consultant", department="security")
    r = Runner(by_rung, intake(summary="保安推搡客户", target=guard))
    r.register()
    r(Assess(actor="h-1", validity="valid", facts=[Fact.STAFF_FAULT]))
    ev = r(RecordSanction(actor="sup")).events[-1]
    assert isinstance(ev, SanctionRecorded)
    assert ev.points_deducted == 5  # the pack's important figure, by rung alone
    unrecorded = TargetPerson(staff_id="SR-302", rung="sales_consultant")
    assert _sales_sanction(unrecorded).points_deducted == 5


def test_pause_and_resume_alternate(run: Runner) -> None:
    assert run(Pause(actor="h-1", reason="等业主提供照片")).state.paused
    with pytest.raises(IllegalTransitionError):
        run(Pause(actor="h-1", reason="again"))
    assert not run(Resume(actor="h-1")).state.paused
    with pytest.raises(IllegalTransitionError):
        run(Resume(actor="h-1"))


@pytest.mark.procedure("DL-5")
def test_promise_must_be_future_and_aware(run: Runner) -> None:
    c = run(Promise(actor="h-1", due=run.now + timedelta(days=1)))
    assert c.state.promise_due is not None
    with pytest.raises(InvalidInputError) as info:
        run(Promise(actor="h-1", due=run.now - timedelta(hours=1)))
    assert info.value.path == "due"


@pytest.mark.procedure("HDL-4")
def test_department_reports_a_result(run: Runner) -> None:
    run(Classify(actor="h-1"))
    c = run(Handle(actor="eng-1", result="更换水管"))
    assert c.state.handled


def test_illegal_command_carries_state_and_command(run: Runner) -> None:
    with pytest.raises(IllegalTransitionError) as info:
        run(Visit(actor="v", satisfied=True))
    assert info.value.state == "registered"
    assert info.value.command == "visit"
    assert info.value.complaint_id == "C-1"
    with pytest.raises(IllegalTransitionError):
        run(Reopen(actor="h", reason="x"))


def test_closed_complaint_reopens(run: Runner) -> None:
    run(Assess(actor="h-1", validity="valid"))  # VAL-1: verified before closing (s55R1 F04)
    run(RecordCause(actor="h-1", cause="管道老化", corrective="更换管道"))  # IMP-1
    run(Reply(actor="h-1", message="ok", final=True))
    run(Close(actor="h-1", result="ok", confirmed_by_complainant=True))
    c = run(Reopen(actor="h-1", reason="漏水复发"))
    assert c.status is Status.IN_HANDLING
    assert c.state.reopened == 1


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
def test_a_closed_complaint_takes_links_only(run: Runner) -> None:
    """Review s46A F01: an earlier complaint of the same owner stored after this one
    closed is linked to it (IMP-3); a closed complaint is left as it was otherwise
    (GRD-2): no new count of raisings, no fact, no mark by a later raising."""
    run(Assess(actor="h-1", validity="valid"))  # VAL-1: verified before closing (s55R1 F04)
    run(RecordCause(actor="h-1", cause="管道老化", corrective="更换管道"))  # IMP-1
    run(Reply(actor="h-1", message="ok", final=True))
    closed = run(Close(actor="h-1", result="ok", confirmed_by_complainant=True))
    grade = closed.state.grade
    for path, bad in (
        ("raised_repeatedly", Link(actor="system", same_complainant=("C-0",),
                                   raisings=1, raised_repeatedly=True)),
        ("promise_not_kept", Link(actor="system", same_room=("C-0",), promise_not_kept=True)),
        ("repeated_by", Link(actor="system", repeated_by="C-9")),
        ("raisings", Link(actor="system", same_complainant=("C-0",), raisings=2)),
    ):  # fmt: skip
        with pytest.raises(InvalidInputError) as info:
            run(bad)
        assert info.value.path == path
        assert "links only" in info.value.reason
    c = run(Link(actor="system", same_complainant=("C-0",), same_room=("C-0",)))
    assert c.status is Status.CLOSED
    assert c.events[-1].kind == "linked"
    assert (c.state.raisings, c.state.facts, c.state.grade) == (1, closed.state.facts, grade)


def test_time_must_move_forward_and_be_aware(run: Runner) -> None:
    with pytest.raises(InvalidInputError) as info:
        decide(run.complaint, Pause(actor="h", reason="x"), run.pack, T0 - timedelta(days=1))
    assert info.value.path == "now"
    with pytest.raises(NaiveDatetimeError):
        decide(run.complaint, Pause(actor="h", reason="x"), run.pack, datetime(2026, 1, 1))


@pytest.mark.parametrize(
    "bad",
    [
        lambda: Pause(actor="", reason="x"),
        lambda: Assess(actor="h", validity="maybe"),
        lambda: Escalate(actor="h", trigger="boredom"),
    ],
)
def test_bad_commands_raise_library_errors_naming_the_field(bad: object) -> None:
    with pytest.raises(ComplaintCoreError) as info:
        bad()  # type: ignore[operator]
    assert isinstance(info.value, ValueError)
    assert getattr(info.value, "path", "")


def test_decide_rejects_wrong_argument_types(run: Runner) -> None:
    with pytest.raises(InvalidInputError) as info:
        decide(run.complaint, "close", run.pack, run.now)  # type: ignore[arg-type]
    assert info.value.path == "command"
    assert SH is not None
