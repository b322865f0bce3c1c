"""The desk: registration, routing, access control, notifications, sweeps."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from complaintcore.core.deadlines import ClockState
from complaintcore.core.errors import (
    AccessDeniedError,
    ConcurrencyConflictError,
    EscalationError,
    GradeError,
    IdempotencyConflictError,
    IllegalTransitionError,
    InvalidInputError,
)
from complaintcore.core.models import (
    Complainant,
    Fact,
    Grade,
    Intake,
    SanctionRecorded,
    Status,
    TargetPerson,
    Trigger,
)
from complaintcore.core.workflow import (
    Assess,
    Assign,
    AttachEvidence,
    Close,
    Escalate,
    Forward,
    Handle,
    RecordCause,
    RecordSanction,
    Regrade,
    Reopen,
    Reply,
    SignOff,
    Visit,
)
from complaintcore.desk import Desk
from complaintcore.testing import FailingNotifier, FixedClock, RecordingNotifier, make_desk
from tests.helpers import SH

PHONE = "13912345678"
NAME = "李雪梅"


def intake(summary: str = "楼上漏水，天花板渗水", **kw: object) -> Intake:
    base: dict[str, object] = {
        "complainant": Complainant(NAME, PHONE, "3-2-1201", "3", "sunrise"),
        "channel": "phone",
        "received_at": datetime(2025, 11, 10, 9, 30, tzinfo=SH),
        "receiver": "SR-103",
        "receiver_unit": "customer_service",
        "summary": summary,
        "site": "sunrise",
    }
    base.update(kw)
    return Intake(**base)  # type: ignore[arg-type]


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2025, 11, 10, 9, 30, tzinfo=SH))


@pytest.fixture
def notes() -> RecordingNotifier:
    return RecordingNotifier()


@pytest.fixture
def desk(notes: RecordingNotifier) -> Desk:
    return make_desk(notifiers=[notes])


@pytest.mark.procedure("IN-2")
def test_any_staff_member_registers_and_forwards(desk: Desk, clock: FixedClock) -> None:
    c = desk.receive(intake(receiver="SR-302", receiver_unit="security"), now=clock(), route=False)
    assert c.intake.receiver == "SR-302"
    assert c.state.unit == "security"
    c = desk.act(
        c.id, Forward(actor="SR-302", to_unit="customer_service"), now=clock.advance(hours=1)
    )
    assert c.state.unit == "customer_service"
    assert c.intake.receiver == "SR-302"


@pytest.mark.procedure("IN-2")
@pytest.mark.procedure("IN-5")
def test_the_receiving_unit_is_the_receivers_department(desk: Desk) -> None:
    """The night guard (security) took it Fri 14 Nov 17:30; it is typed in 30 hours
    later.  Received by security, not customer service, it had to reach customer
    service within 24 hours of receipt: by Sat 15 Nov 17:30, already past."""
    received = datetime(2025, 11, 14, 17, 30, tzinfo=SH)
    typed = received + timedelta(hours=30)
    c = desk.receive(
        intake(receiver="SR-302", receiver_unit="", received_at=received), now=typed, route=False
    )
    assert (c.intake.receiver_unit, c.state.unit) == ("security", "security")
    (status,) = [s for s in desk.clocks(c.id, typed) if s.name == "to_customer_service"]
    assert status.state is ClockState.BREACHED
    assert status.due == datetime(2025, 11, 15, 17, 30, tzinfo=SH)
    by_desk = desk.receive(intake(receiver="SR-103", receiver_unit=""), now=typed)
    assert by_desk.state.unit == "customer_service"  # the front desk is customer service's


@pytest.mark.procedure("IN-2")
def test_a_retry_that_leaves_the_unit_to_the_desk_is_the_same_submission(
    desk: Desk, clock: FixedClock
) -> None:
    """Stored with the unit the desk filled (or, before it filled units, the old
    default, customer service), a retry that names none is a retry, not a conflict."""
    for stored_unit, key in (("", "row-17"), ("customer_service", "row-18")):
        first = desk.receive(
            intake(receiver="SR-302", receiver_unit=stored_unit, idempotency_key=key),
            now=clock.advance(minutes=1),
        )
        again = desk.receive(
            intake(receiver="SR-302", receiver_unit="", idempotency_key=key),
            now=clock.advance(hours=1),
        )
        assert again.id == first.id
    with pytest.raises(IdempotencyConflictError):  # a unit named differently is another content
        desk.receive(
            intake(receiver="SR-302", receiver_unit="engineering", idempotency_key="row-17"),
            now=clock.advance(hours=1),
        )


@pytest.mark.procedure("IN-2")
def test_a_unit_the_pack_does_not_know_is_refused(desk: Desk, clock: FixedClock) -> None:
    with pytest.raises(InvalidInputError) as err:
        desk.receive(intake(receiver="SR-302", receiver_unit="securty"), now=clock())
    assert err.value.path == "receiver_unit"
    assert "securty" not in str(err.value)  # input is never echoed: it may be anything
    assert desk.rows() == []


@pytest.mark.procedure("IN-2")
def test_an_unknown_receiver_is_refused_and_nothing_is_stored(
    desk: Desk, clock: FixedClock
) -> None:
    with pytest.raises(AccessDeniedError, match="unknown actor"):
        desk.receive(intake(receiver="nobody"), now=clock())
    assert desk.rows() == []


@pytest.mark.procedure("IN-4")
def test_receipt_classifies_and_routes_to_the_department(
    desk: Desk, clock: FixedClock, notes: RecordingNotifier
) -> None:
    c = desk.receive(intake(), now=clock())
    assert c.state.category
    assert c.state.department == "engineering"
    assert c.state.handler == "SR-201"  # engineering's lowest rung at or above the floor
    desk.deliver(clock())  # the outbox is sent apart from intake
    assert "assigned" in notes.topics(c.id)
    row = desk.rows()[0]
    assert row.id == c.id
    assert row.status == "in_handling"
    assert row.next_due is not None


def test_receipt_is_idempotent_on_the_intake_key(desk: Desk, clock: FixedClock) -> None:
    a = desk.receive(intake(idempotency_key="wx-123"), now=clock())
    b = desk.receive(intake(idempotency_key="wx-123"), now=clock.advance(minutes=1))
    assert a.id == b.id
    assert len(desk.rows()) == 1


@pytest.mark.procedure("IN-5")
@pytest.mark.procedure("ESC-6")
def test_late_forwarding_is_escalated_and_reported(
    desk: Desk, clock: FixedClock, notes: RecordingNotifier
) -> None:
    c = desk.receive(intake(receiver="SR-302", receiver_unit="security"), now=clock(), route=False)
    report = desk.sweep(clock.advance(hours=25))
    assert (c.id, "to_customer_service") in report.escalated
    c = desk.get(c.id)
    # it reached customer service then, late: the desk's forward (review s33A F01)
    assert [e.kind for e in c.events[-3:]] == ["escalated", "forwarded", "assigned"]
    assert c.events[-3].trigger is Trigger.DEADLINE_MISSED  # type: ignore[attr-defined]
    assert c.events[-2].to_unit == "customer_service"  # type: ignore[attr-defined]
    # held at its new rung: sunrise's only complaint handler (客服专员)
    assert (c.state.rung, c.state.handler) == ("complaint_handler", "SR-102")
    desk.deliver(clock())  # the outbox is sent apart from intake
    assert "late_department" in notes.topics(c.id)
    again = desk.sweep(clock.advance(minutes=5))
    assert (c.id, "to_customer_service") not in again.escalated


@pytest.mark.procedure("IN-6")
def test_head_office_bypass_is_tracked_and_routed_with_consent(
    desk: Desk, clock: FixedClock
) -> None:
    c = desk.receive(
        intake(receiver="HQ-010", receiver_unit="head_office", via_head_office=True),
        now=clock(),
        route=False,
    )
    assert c.state.unit == "head_office"
    with pytest.raises(IllegalTransitionError, match="consent"):
        desk.act(
            c.id,
            Forward(actor="HQ-010", to_unit="customer_service", consent=False),
            now=clock.advance(minutes=5),
        )
    c = desk.act(
        c.id, Forward(actor="HQ-010", to_unit="customer_service"), now=clock.advance(minutes=6)
    )
    assert c.state.unit == "customer_service"
    assert c.events[0].unit == "head_office"  # type: ignore[attr-defined]


@pytest.mark.procedure("IN-6")
@pytest.mark.procedure("ESC-2")
@pytest.mark.procedure("PRV-1")
def test_an_escalated_bypass_complaint_is_told_to_head_office_only(
    desk: Desk, clock: FixedClock, notes: RecordingNotifier
) -> None:
    """IN-6: the complaint went around the management office; until the complainant
    consents, escalating it (by hand, or by the sweep for a missed reply) tells head
    office, never the office it went around, nor who made it."""
    c = desk.receive(
        intake(receiver="HQ-002", receiver_unit="head_office", via_head_office=True),
        now=clock(),
    )
    assert c.awaiting_site_consent
    desk.act(
        c.id,
        Escalate(actor="HQ-002", trigger="cannot_handle", steps=2),
        now=clock.advance(minutes=30),
    )
    desk.sweep(datetime(2025, 11, 14, 9, 0, tzinfo=SH))  # DL-1's three working days are past
    desk.deliver(datetime(2025, 11, 14, 9, 0, tzinfo=SH))
    told = [(n.recipient, n.topic) for n, _who in notes.sent if n.complaint_id == c.id]
    assert {"HQ-001", "HQ-002"} <= {r for r, topic in told if topic == "escalated"}
    site = {m.staff_id for m in desk.directory.members() if m.site == "sunrise"}
    assert not site & {r for r, _topic in told}, told
    assert desk.get(c.id).awaiting_site_consent


@pytest.mark.procedure("IN-6")
@pytest.mark.procedure("PRV-1")
def test_a_bypass_complaints_duties_and_issue_are_not_told_to_the_site(
    desk: Desk, clock: FixedClock, notes: RecordingNotifier
) -> None:
    """Three neighbours went around the management office about one leak: an issue
    of bypass complaints (HDL-5), one of them important (a written report is owed,
    GRD-3).  Until they consent, the site hears of none of it."""
    people = [("张三", "13900000001", "3-1-101"), ("李四", "13900000002", "3-1-202")]
    people.append(("王五", "13900000003", "3-2-303"))
    ids = []
    for name, phone, room in people:
        c = desk.receive(
            intake(
                complainant=Complainant(name, phone, room, "3", "sunrise"),
                receiver="HQ-002",
                receiver_unit="head_office",
                via_head_office=True,
            ),
            now=clock.advance(minutes=10),
        )
        ids.append(c.id)
    assert len({desk.get(i).state.issue for i in ids}) == 1
    desk.act(
        ids[0],
        Assess(actor="HQ-002", validity="valid", facts=[Fact.STAFF_FAULT]),
        now=clock.advance(minutes=5),
    )
    desk.sweep(datetime(2025, 11, 14, 9, 0, tzinfo=SH))
    desk.deliver(datetime(2025, 11, 14, 9, 0, tzinfo=SH))
    told = [(n.recipient, n.topic) for n, _who in notes.sent if n.complaint_id in ids]
    assert "duty_owed" in {topic for _r, topic in told}, told  # head office's own duties
    site = {m.staff_id for m in desk.directory.members() if m.site == "sunrise"}
    assert not site & {r for r, _topic in told}, told


@pytest.mark.procedure("REC-5")
def test_refusals_leave_no_event(desk: Desk, clock: FixedClock) -> None:
    c = desk.receive(intake(), now=clock())
    before = desk.get(c.id).events
    with pytest.raises(AccessDeniedError):
        desk.act(
            c.id,
            Close(actor="stranger", result="x", confirmed_by_complainant=True),
            now=clock.advance(minutes=1),
        )
    with pytest.raises(IllegalTransitionError):
        desk.act(c.id, Visit(actor="SR-102", satisfied=True), now=clock.advance(minutes=1))
    assert desk.get(c.id).events == before


@pytest.mark.procedure("REC-5")
def test_a_stale_version_is_a_conflict_and_writes_nothing(desk: Desk, clock: FixedClock) -> None:
    c = desk.receive(intake(), now=clock())
    now = clock.advance(minutes=1)
    desk.act(c.id, Reply(actor="SR-102", message="收到"), now=now)
    from complaintcore.core.workflow import Pause, decide

    events = decide(c, Pause(actor="SR-102", reason="x"), desk.pack, now)
    with pytest.raises(ConcurrencyConflictError):
        desk.store.append(c.id, c.version, events, desk._projection.row(c, now), [])
    assert desk.get(c.id).version == c.version + 1


@pytest.mark.procedure("ESC-3")
def test_rungs_too_low_for_the_grade_are_refused(desk: Desk, clock: FixedClock) -> None:
    c = desk.receive(intake(), now=clock())
    c = desk.act(
        c.id,
        Assess(actor="SR-201", validity="valid", facts=[Fact.MAJOR_LOSS]),
        now=clock.advance(minutes=5),
    )
    assert c.state.grade is not None
    assert c.state.grade.value == "major"
    with pytest.raises(AccessDeniedError, match="ESC-3"):
        desk.act(
            c.id, Reply(actor="SR-201", message="done", final=True), now=clock.advance(minutes=1)
        )


@pytest.mark.procedure("ESC-4")
def test_the_person_complained_about_cannot_act(desk: Desk, clock: FixedClock) -> None:
    target = TargetPerson(staff_id="SR-302", rung="front_line", role="guard", department="security")
    c = desk.receive(intake(summary="保安态度恶劣", target=target), now=clock())
    assert c.state.handler != "SR-302"
    with pytest.raises(AccessDeniedError, match="ESC-4"):
        desk.act(c.id, Reply(actor="SR-302", message="sorry"), now=clock.advance(minutes=1))


@pytest.mark.procedure("IN-2")
@pytest.mark.procedure("PRV-2")
def test_staff_of_another_site_are_refused(desk: Desk, clock: FixedClock) -> None:
    """IN-2: staff of another site may register a complaint (no unit refuses one) but
    act on it no further; PRV-2: nor get the record back unmasked.  RS-101 (冯丽,
    riverside's customer-service supervisor, department_head) is high enough on the
    ladder to assess, reply to and close this minor sunrise complaint, so only the
    site refuses her (review s52R1 F06)."""
    c = desk.receive(intake(), now=clock())
    commands = (
        Reply(actor="RS-101", message="x"),
        Assess(actor="RS-101", validity="valid"),
        Reply(actor="RS-101", message="已修好", final=True),
        Close(actor="RS-101", result="修复", confirmed_by_complainant=True),
    )
    for command in commands:
        with pytest.raises(AccessDeniedError, match="works at another site"):
            desk.act(c.id, command, now=clock.advance(minutes=1))
    assert desk.get(c.id).version == c.version  # nothing recorded


@pytest.mark.procedure("ESC-2")
def test_breached_reply_clock_escalates_once_even_when_swept_twice(
    desk: Desk, clock: FixedClock
) -> None:
    c = desk.receive(intake(), now=clock())
    clock.set(datetime(2025, 11, 14, 9, tzinfo=SH))
    first = desk.sweep(clock())
    second = desk.sweep(clock.advance(minutes=1))
    names = [name for cid, name in first.escalated if cid == c.id]
    assert names
    assert not [n for cid, n in second.escalated if cid == c.id]
    escalations = [e for e in desk.get(c.id).events if e.kind == "escalated"]
    assert len(escalations) == 1  # one rung for clocks that broke together
    assert set(escalations[0].clock.split(",")) == set(names)  # type: ignore[attr-defined]


@pytest.mark.procedure("ESC-2")
def test_a_serious_escalation_to_a_lower_rung_is_refused_and_nobody_is_told(
    desk: Desk, clock: FixedClock, notes: RecordingNotifier
) -> None:
    """004 篇4 §3.6: a serious complaint is reported at once to the property director and
    the general manager's office (the sample staff's HQ-001 物业总监 and HQ-002 总经办)."""
    c = desk.receive(intake("楼上漏水，天花板塌落"), now=clock())
    desk.deliver(clock())
    before = desk.get(c.id).version
    told = len(notes.sent)
    with pytest.raises(EscalationError, match="to_rung project_manager is below"):
        desk.act(
            c.id,
            Escalate(actor="SR-201", trigger="serious", to_rung="project_manager"),
            now=clock.advance(minutes=10),
        )
    desk.deliver(clock())
    assert desk.get(c.id).version == before
    assert len(notes.sent) == told
    c = desk.act(c.id, Escalate(actor="SR-201", trigger="serious"), now=clock.advance(minutes=1))
    assert c.state.rung == "senior_management"
    desk.deliver(clock())
    urgent = {n.recipient for n, _ in notes.sent if n.topic == "urgent" and n.complaint_id == c.id}
    assert {"HQ-001", "HQ-002"} <= urgent


@pytest.mark.procedure("ESC-2")
@pytest.mark.procedure("ESC-1")
def test_a_serious_escalation_at_night_reaches_the_gm_office_off_duty_too(
    desk: Desk, notes: RecordingNotifier
) -> None:
    """004 篇4 §3.6 "如投诉问题情况严重，应立刻汇报物业总监与总经办": both offices, at once.
    In the sample staff HQ-001 物业总监 has no duty hours and HQ-002 总经办 works
    Mon-Fri 09-12 and 13-18.  Review s24A F03: received Mon 2 Mar 2026 20:00 and
    escalated as serious at 20:10, when HQ-002 is off duty; its message is queued
    all the same.  A routine escalation at that hour still goes to whoever is on duty."""
    received = datetime(2026, 3, 2, 20, 0, tzinfo=SH)
    c = desk.receive(
        intake("楼上漏水，天花板渗水，电线短路冒烟", received_at=received), now=received
    )
    desk.act(
        c.id,
        Escalate(actor="SR-102", trigger="serious", note="漏水导致电线冒烟"),
        now=received + timedelta(minutes=10),
    )
    desk.deliver(received + timedelta(minutes=10))
    urgent = sorted(n.recipient for n, _ in notes.sent if n.topic == "urgent")
    assert urgent == ["HQ-001", "HQ-002"]
    routine = desk.receive(intake(received_at=received, summary="楼道灯坏了"), now=received)
    desk.act(
        routine.id,
        Escalate(actor="SR-102", trigger="cannot_handle", to_rung="senior_management"),
        now=received + timedelta(minutes=20),
    )
    desk.deliver(received + timedelta(minutes=20))
    escalated = [
        n.recipient
        for n, _ in notes.sent
        if n.topic == "escalated" and n.complaint_id == routine.id
    ]
    assert escalated == ["HQ-001"]  # on duty (no hours given); 总经办 is not woken for it


class GroupChat(RecordingNotifier):
    """A channel that posts into one group chat, as a robot with a fixed url does."""

    group = True


@pytest.mark.procedure("PRV-1")
def test_a_group_chat_gets_one_post_per_message_not_one_per_recipient(clock: FixedClock) -> None:
    """s25H F03: a serious escalation is reported to HQ-001 and HQ-002 (ESC-2); each
    hears of it on their own channel, but the group chat the robot posts into shows
    it once, not once per member.  The post names no recipient and masks the
    complainant (PRV-1): the desk cannot tell who reads a group."""
    people, chat = RecordingNotifier("staff"), GroupChat("wecom")
    desk = make_desk(notifiers=[people, chat])
    c = desk.receive(intake(), now=clock())
    desk.act(c.id, Escalate(actor="SR-102", trigger="serious"), now=clock.advance(minutes=30))
    desk.deliver(clock())
    urgent = sorted(n.recipient for n, _ in people.sent if n.topic == "urgent")
    assert urgent == ["HQ-001", "HQ-002"]
    [(post, to)] = [(n, r) for n, r in chat.sent if n.topic == "urgent"]
    assert (post.recipient, to, post.data) == ("", None, ())
    assert post.key.startswith(f"{c.id}:urgent:")
    assert NAME not in post.body
    assert PHONE not in post.body
    assert "李**" in post.body
    # every message of the complaint reached the group once, whoever it was for
    assert len(chat.keys) == len(set(chat.keys))
    assert sorted({n.topic for n, _ in chat.sent}) == sorted({n.topic for n, _ in people.sent})
    assert len(chat.sent) < len(people.sent)


@pytest.mark.procedure("DL-2")
@pytest.mark.procedure("VAL-3")
@pytest.mark.procedure("VAL-1")
def test_a_complaint_found_valid_after_all_is_not_escalated_for_the_invalid_explanation(
    desk: Desk, clock: FixedClock
) -> None:
    """VAL-3: the complainant of an invalid complaint is given an explanation the same day.
    A complaint first found invalid and then, after a look on site, valid owes none: the
    evening's sweep leaves it where it is."""
    c = desk.receive(intake(), now=clock())
    desk.act(c.id, Assess(actor="SR-201", validity="invalid"), now=clock.advance(minutes=60))
    c = desk.act(
        c.id,
        Assess(actor="SR-201", validity="valid", facts=[Fact.FACILITY_LIMITATION]),
        now=clock.advance(minutes=30),
    )
    rung, handler = c.state.rung, c.state.handler
    evening = clock.set(datetime(2025, 11, 10, 18, 30, tzinfo=SH))
    explained = {s.name: s for s in desk.clocks(c.id, evening)}["invalid_explained"]
    assert explained.state.value == "met"
    report = desk.sweep(evening)
    assert not [name for cid, name in report.escalated if cid == c.id]
    after = desk.get(c.id)
    assert (after.state.rung, after.state.handler) == (rung, handler)
    assert not [e for e in after.events if e.kind == "escalated"]


@pytest.mark.procedure("DL-7")
def test_at_risk_warning_goes_to_the_handler_once(
    desk: Desk, clock: FixedClock, notes: RecordingNotifier
) -> None:
    c = desk.receive(intake(), now=clock())
    status = {s.name: s for s in desk.clocks(c.id, clock())}["reply"]
    assert status.at_risk_from is not None
    clock.set(status.at_risk_from + timedelta(minutes=1))
    desk.sweep(clock())
    desk.sweep(clock.advance(minutes=1))
    desk.deliver(clock())  # the outbox is sent apart from intake
    warnings = [n for n, _ in notes.sent if n.topic == "at_risk" and n.complaint_id == c.id]
    assert len({n.key for n in warnings}) == len(warnings) >= 1


@pytest.mark.procedure("DL-6")
def test_sweep_upgrades_a_month_old_valid_complaint(desk: Desk, clock: FixedClock) -> None:
    c = desk.receive(intake(), now=clock())
    desk.act(
        c.id,
        Assess(actor="SR-201", validity="valid", facts=[Fact.FACILITY_LIMITATION]),
        now=clock.advance(minutes=5),
    )
    report = desk.sweep(clock.set(datetime(2025, 12, 11, 10, tzinfo=SH)))
    assert c.id in report.regraded
    assert desk.get(c.id).state.grade is not None
    assert desk.get(c.id).state.grade.value == "major"  # type: ignore[union-attr]


def _closed(desk: Desk, clock: FixedClock) -> str:
    """A valid minor complaint received Mon 10 Nov 09:30, closed the next day."""
    cid = _to_visit(desk, clock)
    desk.act(cid, Visit(actor="SR-102", satisfied=True), now=clock.advance(hours=20))
    desk.act(
        cid,
        RecordCause(actor="SR-201", cause="水管老化", corrective="更换"),
        now=clock.advance(minutes=5),
    )
    desk.act(cid, Close(actor="SR-201", result="已修好"), now=clock.advance(minutes=5))
    assert desk.get(cid).state.grade is Grade.MINOR
    return cid


@pytest.mark.procedure("GRD-2")
@pytest.mark.procedure("DL-6")
@pytest.mark.procedure("ESC-3")
def test_a_month_old_complaint_is_major_before_anyone_acts_on_it(
    desk: Desk, clock: FixedClock
) -> None:
    """Received Mon 10 Nov 09:30; no sweep has run since.  On Thu 11 Dec it has not been
    resolved within one month, so it is major before the next command: a department
    head may no longer answer it (ESC-3), senior management does, and the record says
    why."""
    c = desk.receive(intake(), now=clock())
    desk.act(c.id, Assess(actor="SR-201", validity="valid"), now=clock.advance(minutes=5))
    assert desk.get(c.id).state.grade is Grade.MINOR
    late = clock.set(datetime(2025, 12, 11, 10, tzinfo=SH))
    with pytest.raises(AccessDeniedError, match="senior_management"):
        desk.act(c.id, Reply(actor="SR-201", message="已修好", final=True), now=late)
    assert desk.get(c.id).state.grade is Grade.MINOR  # refused: nothing written
    done = desk.act(c.id, Reply(actor="HQ-001", message="已修好", final=True), now=late)
    assert done.state.grade is Grade.MAJOR
    assert done.state.rung == "senior_management"
    kinds = [e.kind for e in done.events]
    assert kinds.index("graded") < kinds.index("escalated") < kinds.index("replied")
    moved = done.events[kinds.index("escalated")]
    assert moved.actor == "system"  # the month moved it, as a sweep would have
    assert any("month" in r for r in done.state.grade_reasons)


@pytest.mark.procedure("GRD-2")
@pytest.mark.procedure("DL-6")
@pytest.mark.procedure("IMP-2")
def test_the_monthly_report_counts_a_month_old_complaint_as_major_before_a_sweep(
    desk: Desk, clock: FixedClock
) -> None:
    """Received Mon 10 Nov 09:30 and left unresolved: on 10 Dec at 09:00 its month has
    not passed (minor); on 11 Dec it is major (DL-6), in the November report too,
    whether or not the nightly sweep has recorded it yet (review s42C F01)."""
    c = desk.receive(intake(), now=clock())
    desk.act(c.id, Assess(actor="SR-201", validity="valid"), now=clock.advance(minutes=5))

    def grades(now: datetime) -> dict[str, int]:
        report = desk.monthly_report(2025, 11, now=now)
        return {g.key: g.count for g in report.by_grade if g.count}

    assert grades(datetime(2025, 12, 10, 9, tzinfo=SH)) == {"minor": 1}
    late = datetime(2025, 12, 11, 10, tzinfo=SH)
    assert grades(late) == {"major": 1}  # no sweep yet: nothing recorded it
    desk.sweep(late)
    assert desk.get(c.id).state.grade is Grade.MAJOR
    assert grades(late) == {"major": 1}  # the same once recorded
    assert grades(datetime(2025, 12, 10, 9, tzinfo=SH)) == {"minor": 1}  # as it was then


@pytest.mark.procedure("GRD-2")
@pytest.mark.procedure("DL-6")
def test_a_complaint_reopened_after_its_month_is_major_at_once(
    desk: Desk, clock: FixedClock
) -> None:
    cid = _closed(desk, clock)
    c = desk.act(
        cid,
        Reopen(actor="SR-201", reason="又漏水了"),
        now=clock.set(datetime(2025, 12, 15, 9, tzinfo=SH)),
    )
    assert c.is_open
    assert c.state.grade is Grade.MAJOR
    assert desk.get(cid).state.rung == "senior_management"  # ESC-3 follows


@pytest.mark.procedure("GRD-2")
@pytest.mark.procedure("DL-6")
def test_a_complaint_reopened_within_its_month_is_major_when_the_month_ends(
    desk: Desk, clock: FixedClock
) -> None:
    """Closed Tue 11 Nov, reopened Mon 1 Dec: the month still ends Wed 10 Dec 09:30
    (one month after receipt; the days it was closed count), and the sweep then."""
    cid = _closed(desk, clock)
    desk.act(
        cid,
        Reopen(actor="SR-201", reason="又漏水了"),
        now=clock.set(datetime(2025, 12, 1, 9, tzinfo=SH)),
    )
    early = desk.sweep(clock.set(datetime(2025, 12, 10, 9, 0, tzinfo=SH)))
    assert cid not in early.regraded
    report = desk.sweep(clock.set(datetime(2025, 12, 10, 9, 35, tzinfo=SH)))
    assert cid in report.regraded
    assert desk.get(cid).state.grade is Grade.MAJOR


@pytest.mark.procedure("GRD-2")
@pytest.mark.procedure("DL-6")
def test_a_complaint_its_complainant_was_satisfied_with_is_resolved_within_its_month(
    desk: Desk, clock: FixedClock
) -> None:
    """Received Mon 10 Nov 09:30, repaired and answered, and the owner satisfied at the
    return visit on Tue 11 Nov; not closed yet (the cause analysis is still being
    written).  "有效投诉在一个月内得不到合理解决" does not apply: still minor after the
    month ends on Wed 10 Dec 09:30 (s28B F04).  Reopened on Fri 12 Dec, it was not
    resolved after all, and its month has passed: major at once."""
    cid = _to_visit(desk, clock)
    desk.act(cid, Visit(actor="SR-102", satisfied=True), now=clock.advance(hours=20))
    report = desk.sweep(clock.set(datetime(2025, 12, 10, 9, 35, tzinfo=SH)))
    assert cid not in report.regraded
    assert desk.get(cid).state.grade is Grade.MINOR
    assert desk.get(cid).state.rung == "department_head"
    c = desk.act(
        cid,
        Reopen(actor="SR-201", reason="又漏水了"),
        now=clock.set(datetime(2025, 12, 12, 9, tzinfo=SH)),
    )
    assert c.state.grade is Grade.MAJOR


@pytest.mark.procedure("VAL-2")
@pytest.mark.procedure("DL-3")
@pytest.mark.procedure("ESC-6")
def test_the_department_an_assessment_finds_responsible_takes_the_complaint(
    desk: Desk, clock: FixedClock, notes: RecordingNotifier
) -> None:
    """A leak received Mon 10 Nov 09:30 goes to engineering (SR-201).  On Tue 11 Nov
    10:30 the assessment finds cleaning responsible (VAL-2): cleaning's head (SR-401)
    takes it and is told, and cleaning's result is due three working days after its
    own acceptance, Fri 14 Nov 18:00 (DL-3), not engineering's Thu 13 Nov 18:00; at
    Thu 18:00:01 nobody is reported late (ESC-6) (s28B F03)."""
    c = desk.receive(intake(), now=clock())
    assert (c.state.department, c.state.handler) == ("engineering", "SR-201")
    c = desk.act(
        c.id,
        Assess(actor="SR-201", validity="valid", department="cleaning", reasonable=True),
        now=clock.set(datetime(2025, 11, 11, 10, 30, tzinfo=SH)),
    )
    assert (c.state.department, c.state.handler) == ("cleaning", "SR-401")
    desk.deliver(clock())
    assert [n.topic for n, m in notes.sent if m is not None and m.staff_id == "SR-401"] == [
        "assigned"
    ]
    result = {k.name: k for k in desk.clocks(c.id, clock())}["department_result"]
    assert result.due == datetime(2025, 11, 14, 18, 0, tzinfo=SH)
    notes.sent.clear()
    desk.sweep(clock.set(datetime(2025, 11, 13, 18, 0, 1, tzinfo=SH)))
    desk.deliver(clock())
    assert "late_department" not in notes.topics(c.id)


@pytest.mark.procedure("DL-6")
def test_a_month_waived_by_a_satisfied_visit_is_not_met_late_by_a_later_closure(
    desk: Desk, clock: FixedClock
) -> None:
    """Satisfied on Tue 11 Nov, the complaint is closed on Mon 15 Dec, after its month
    (Wed 10 Dec 09:30), once the cause is written: the month was owed by nobody
    since the visit, so it reads neither met nor missed (docs/clocks.md) (s28F F01)."""
    cid = _to_visit(desk, clock)
    desk.act(cid, Visit(actor="SR-102", satisfied=True), now=clock.advance(hours=20))
    late = clock.set(datetime(2025, 12, 15, 10, tzinfo=SH))
    desk.act(cid, RecordCause(actor="SR-201", cause="水管老化", corrective="更换"), now=late)
    desk.act(cid, Close(actor="SR-201", result="已修好"), now=clock.advance(minutes=5))
    month = {s.name: s for s in desk.clocks(cid, clock())}["major_by_age"]
    assert month.state is ClockState.WAIVED
    assert desk.get(cid).state.grade is Grade.MINOR


@pytest.mark.procedure("DL-6")
@pytest.mark.procedure("GRD-2")
@pytest.mark.procedure("VIS-3")
def test_a_refused_new_time_after_a_satisfied_visit_owes_the_month_again(
    desk: Desk, clock: FixedClock
) -> None:
    """DL-6 "得不到合理解决": satisfied at the visit on Tue 11 Nov, the owner refuses the
    new time offered for the rest of the work on Wed 12 Nov (000 §7) and the complaint
    goes up a rung (ESC-2): satisfaction failed, so it is no longer resolved, as after
    an escalation for dissatisfaction, and the satisfied visit confirms no closure
    any more (VIS-3).  Its month from receipt (Mon 10 Nov 09:30) ended Wed 10 Dec
    09:30: on Mon 15 Dec the clock reads breached, not waived, and the sweep makes
    it major (review s46D F03)."""
    cid = _to_visit(desk, clock)
    desk.act(cid, Visit(actor="SR-102", satisfied=True), now=clock.advance(hours=20))
    c = desk.act(
        cid,
        Escalate(actor="SR-101", trigger="reschedule_refused", note="业主不接受改约的复查时间"),
        now=clock.set(datetime(2025, 11, 12, 11, tzinfo=SH)),
    )
    assert (c.state.rung, c.state.last_visit_satisfied) == ("project_manager", None)
    with pytest.raises(IllegalTransitionError, match="confirmation or a top-rung decision"):
        desk.act(cid, Close(actor="SR-001", result="结案"), now=clock.advance(minutes=30))
    late = clock.set(datetime(2025, 12, 15, 10, tzinfo=SH))
    month = {s.name: s for s in desk.clocks(cid, late)}["major_by_age"]
    assert month.state is ClockState.BREACHED
    assert month.due == datetime(2025, 12, 10, 9, 30, tzinfo=SH)
    assert cid in desk.sweep(late).regraded
    assert desk.get(cid).state.grade is Grade.MAJOR


@pytest.mark.procedure("DL-6")
@pytest.mark.procedure("DL-7")
def test_an_invalid_complaint_reopened_is_never_warned_of_turning_major(
    desk: Desk, clock: FixedClock, notes: RecordingNotifier
) -> None:
    """Judged invalid on Mon 10 Nov, explained (VAL-3) and closed, reopened on Thu 13
    Nov because the owner disagrees: still not valid, so nobody is warned on Fri 5
    Dec, four fifths into the month that ends Wed 10 Dec 09:30, that it is about
    to become major, and the month reads not owed (DL-6 is about valid complaints)."""
    c = desk.receive(intake(), now=clock())
    desk.act(c.id, Assess(actor="SR-201", validity="invalid"), now=clock.advance(minutes=30))
    desk.act(
        c.id,
        Reply(actor="SR-101", message="经核实不属实，已向业主解释", explanation=True),
        now=clock.advance(hours=2),
    )
    desk.act(c.id, Close(actor="SR-101", result="已解释"), now=clock.advance(hours=1))
    desk.act(
        c.id,
        Reopen(actor="SR-101", reason="业主不认可"),
        now=clock.set(datetime(2025, 11, 13, 10, tzinfo=SH)),
    )
    for day, hour, minute in ((5, 10, 0), (10, 9, 35)):
        swept = desk.sweep(clock.set(datetime(2025, 12, day, hour, minute, tzinfo=SH)))
        desk.deliver(clock())
        assert c.id not in swept.regraded
        month = {s.name: s for s in desk.clocks(c.id, clock())}["major_by_age"]
        assert month.state is ClockState.WAIVED
    assert "at_risk" not in notes.topics(c.id)


@pytest.mark.procedure("REC-2")
@pytest.mark.procedure("DL-7")
def test_an_overdue_duty_written_over_before_a_sweep_is_still_reported(desk: Desk) -> None:
    """The final reply of Fri 10 Oct 2025 15:00 owes the report to the leader within a
    working day: by Sat 11 Oct 18:00, a make-up working day.  Evidence attached on
    Mon 13 Oct 09:00, before any sweep, does not hide the overdue duty from the
    sweep of 09:05 (s28F F02)."""

    def october(day: int, hour: int, minute: int = 0) -> datetime:
        return datetime(2025, 10, day, hour, minute, tzinfo=SH)

    c = desk.receive(intake(received_at=october(9, 10)), now=october(9, 10))
    desk.act(c.id, Assess(actor="SR-201", validity="valid"), now=october(9, 11))
    desk.act(c.id, Handle(actor="SR-201", result="已修复"), now=october(10, 11))
    desk.act(c.id, Reply(actor="SR-101", message="已修复", final=True), now=october(10, 15))
    report = {d.duty.name: d for d in desk.duties(c.id, october(10, 15))}["report_to_leader"]
    assert report.clock.due == october(11, 18)
    desk.act(c.id, AttachEvidence(actor="SR-101", reference="photo-after.jpg"), now=october(13, 9))
    swept = desk.sweep(october(13, 9, 5))
    assert (c.id, "report_to_leader") in swept.duties_overdue


@pytest.mark.procedure("VAL-2")
def test_an_assessment_naming_no_department_leaves_the_complaint_where_it_is(
    desk: Desk, clock: FixedClock
) -> None:
    """Routed to engineering, then given to cleaning's head by hand; the assessment
    names no department, so nothing is handed back (s28D F01)."""
    c = desk.receive(intake(), now=clock())
    desk.act(
        c.id,
        Assign(actor="SR-101", handler="SR-401", rung="department_head"),
        now=clock.advance(minutes=5),
    )
    c = desk.act(c.id, Assess(actor="SR-401", validity="valid"), now=clock.advance(minutes=5))
    assert c.state.handler == "SR-401"


@pytest.mark.procedure("GRD-2")
@pytest.mark.procedure("DL-6")
def test_a_complainant_dissatisfied_again_after_a_satisfied_visit_makes_it_major(
    desk: Desk, clock: FixedClock
) -> None:
    """Satisfied at the visit of Tue 11 Nov, the owner rings on Sat 15 Nov: it leaks
    again, and the handler escalates for the dissatisfaction (ESC-2).  Not resolved
    within the month: major at the sweep after Wed 10 Dec 09:30 (s28D F02)."""
    cid = _to_visit(desk, clock)
    desk.act(cid, Visit(actor="SR-102", satisfied=True), now=clock.advance(hours=20))
    desk.act(
        cid,
        Escalate(actor="SR-201", trigger="dissatisfied", note="又漏水了"),
        now=clock.set(datetime(2025, 11, 15, 10, tzinfo=SH)),
    )
    report = desk.sweep(clock.set(datetime(2025, 12, 10, 9, 35, tzinfo=SH)))
    assert cid in report.regraded
    assert desk.get(cid).state.grade is Grade.MAJOR


@pytest.mark.procedure("GRD-5")
@pytest.mark.procedure("GRD-6")
def test_a_grade_the_month_made_major_is_not_regraded_internal_after_a_late_visit(
    desk: Desk, clock: FixedClock
) -> None:
    """A written complaint received Mon 10 Nov 09:30 is major at the sweep of Wed 10 Dec
    09:35 (DL-6).  Found raised by staff, answered, and the writer satisfied on
    12 Dec: it was not resolved within its month, so it stays major (s28D F03)."""
    c = desk.receive(intake(summary="主管分工不合理，矛盾处理不公", channel="written"), now=clock())
    # assessed by its handler: ungraded, it needs the default grade's rung (ESC-3)
    assessed = Assess(actor=c.state.handler, validity="valid")
    desk.act(c.id, assessed, now=clock.advance(minutes=5))
    desk.sweep(clock.set(datetime(2025, 12, 10, 9, 35, tzinfo=SH)))
    held = desk.get(c.id)
    assert held.state.grade is Grade.MAJOR
    h = held.state.handler
    desk.act(
        c.id,
        Assess(actor=h, validity="valid", facts=[Fact.RAISED_BY_STAFF]),
        now=clock.set(datetime(2025, 12, 11, 10, tzinfo=SH)),
    )
    desk.act(c.id, Reply(actor=h, message="已调整分工", final=True), now=clock.advance(hours=1))
    desk.act(
        c.id,
        Visit(actor="SR-102", satisfied=True),
        now=clock.set(datetime(2025, 12, 12, 10, tzinfo=SH)),
    )
    with pytest.raises(GradeError, match="GRD-6"):
        desk.act(c.id, Regrade(actor=h, grade="internal"), now=clock.advance(hours=1))
    assert desk.get(c.id).state.grade is Grade.MAJOR


@pytest.mark.procedure("HDL-4")
@pytest.mark.procedure("CLS-3")
@pytest.mark.parametrize(
    ("category", "asked"),
    [
        # cn-property: group_incident is customer service's, helped by security; at
        # sunrise on Mon 10 Nov 09:31 SR-301 (Mon-Fri 09-18) and SR-303 (daily 08-20)
        # are on duty, SR-301 first by staff id
        ("group_incident", ("SR-301", "security")),
        # parking is security's, helped by finance: HQ-020 (head office, every site)
        # and SR-601 are on duty, HQ-020 first by staff id
        ("parking", ("HQ-020", "finance")),
    ],
)
def test_helping_departments_are_asked(
    desk: Desk,
    clock: FixedClock,
    notes: RecordingNotifier,
    category: str,
    asked: tuple[str, str],
) -> None:
    """000 §5: where other departments must help, customer service contacts them: the
    helping department is asked, not the one that owns the fix (s28A F04)."""
    from complaintcore.core.workflow import Classify

    c = desk.receive(intake(), now=clock(), route=False)
    desk.act(c.id, Classify(actor="SR-102", category=category), now=clock.advance(minutes=1))
    desk.deliver(clock())  # the outbox is sent apart from intake
    told = [
        (r.staff_id, r.department)
        for n, r in notes.sent
        if n.complaint_id == c.id and n.topic == "help_requested" and r is not None
    ]
    assert told == [asked]


@pytest.mark.procedure("HDL-6")
def test_group_incident_reaches_the_project_manager_at_once(
    desk: Desk, clock: FixedClock, notes: RecordingNotifier
) -> None:
    c = desk.receive(intake(summary="十几户业主集体投诉，聚集在物业中心闹事"), now=clock())
    assert c.state.urgent
    # 004 篇1: reported to the project manager (项目经理) at once; it sits at that rung
    # or above (cn-property's ladder: project_manager, then senior_management)
    assert c.state.rung in ("project_manager", "senior_management")
    desk.deliver(clock())  # the outbox is sent apart from intake
    urgent = [r for n, r in notes.sent if n.topic == "urgent" and n.complaint_id == c.id]
    assert urgent
    assert all(r is not None and r.rung == "project_manager" for r in urgent)
    # sunrise's project manager in the sample staff: SR-001
    assert "SR-001" in {r.staff_id for r in urgent if r is not None}


def _to_visit(desk: Desk, clock: FixedClock) -> str:
    c = desk.receive(intake(), now=clock())
    desk.act(c.id, Assess(actor="SR-201", validity="valid"), now=clock.advance(minutes=5))
    desk.act(
        c.id, Reply(actor="SR-201", message="已更换水管", final=True), now=clock.advance(hours=3)
    )
    return c.id


@pytest.mark.procedure("VIS-1")
def test_visits_continue_until_satisfied(
    desk: Desk, clock: FixedClock, notes: RecordingNotifier
) -> None:
    cid = _to_visit(desk, clock)
    c = desk.act(
        cid, Visit(actor="SR-102", satisfied=False, opinion="还在渗水"), now=clock.advance(days=1)
    )
    assert c.status is Status.IN_HANDLING
    desk.deliver(clock())  # the outbox is sent apart from intake
    assert "escalated" in notes.topics(cid)
    handler = c.state.rung
    assert desk.pack.rung_index(handler) >= desk.pack.rung_index("project_manager")
    desk.act(cid, Reply(actor="SR-001", message="重新维修", final=True), now=clock.advance(days=1))
    c = desk.act(
        cid, Visit(actor="SR-102", satisfied=True, opinion="满意"), now=clock.advance(days=1)
    )
    assert c.state.visits == 2
    assert c.state.last_visit_satisfied


@pytest.mark.procedure("VIS-2")
def test_visit_with_appointed_reply_time(desk: Desk, clock: FixedClock) -> None:
    cid = _to_visit(desk, clock)
    due = clock() + timedelta(days=2)
    c = desk.act(
        cid,
        Visit(actor="SR-102", satisfied=True, opinion="还想问物业费", reply_due=due),
        now=clock.advance(hours=1),
    )
    assert c.events[-1].reply_due == due  # type: ignore[attr-defined]


@pytest.mark.procedure("VIS-3")
def test_closure_needs_the_complainant_or_the_top(desk: Desk, clock: FixedClock) -> None:
    cid = _to_visit(desk, clock)
    with pytest.raises(IllegalTransitionError, match="VIS-3"):
        desk.act(cid, Close(actor="SR-201", result="done"), now=clock.advance(minutes=1))
    desk.act(
        cid,
        Escalate(actor="SR-201", trigger="dissatisfied", to_rung="senior_management"),
        now=clock.advance(minutes=2),
    )
    with pytest.raises(AccessDeniedError, match="top rung"):
        desk.act(
            cid,
            Close(actor="SR-001", result="x", decided_by_top_rung=True),
            now=clock.advance(minutes=3),
        )
    with pytest.raises(IllegalTransitionError, match="IMP-1"):
        desk.act(
            cid,
            Close(actor="HQ-001", result="decided", decided_by_top_rung=True),
            now=clock.advance(minutes=4),
        )
    desk.act(
        cid,
        RecordCause(actor="HQ-001", cause="水管老化", corrective="更换水管"),
        now=clock.advance(minutes=4),
    )
    c = desk.act(
        cid,
        Close(actor="HQ-001", result="decided", decided_by_top_rung=True),
        now=clock.advance(minutes=4),
    )
    assert c.status is Status.CLOSED


@pytest.mark.procedure("VIS-4")
def test_major_issue_from_a_visit_goes_on_the_meeting_agenda(
    desk: Desk, clock: FixedClock, notes: RecordingNotifier
) -> None:
    cid = _to_visit(desk, clock)
    desk.act(
        cid,
        Visit(actor="SR-102", satisfied=True, major_issue=True, problem="整栋楼水管老化"),
        now=clock.advance(days=1),
    )
    desk.deliver(clock())  # the outbox is sent apart from intake
    assert "meeting_agenda" in notes.topics(cid)


@pytest.mark.procedure("VIS-1")
@pytest.mark.procedure("VIS-4")
def test_a_follow_up_visit_after_closure_is_recorded_and_its_major_issue_goes_on_the_agenda(
    desk: Desk, clock: FixedClock, notes: RecordingNotifier
) -> None:
    """002 §4.2: customer service visits the owner regularly after the complaint is
    handled; §4.5 (VIS-4): a major problem found is discussed at the regular
    meeting.  The same complaint handler who visits before closure records it on
    the closed complaint: it stays closed, nothing is reopened or escalated, and
    the meeting is told (review s36C F04)."""
    cid = _to_visit(desk, clock)
    desk.act(cid, Visit(actor="SR-102", satisfied=True), now=clock.advance(days=1))
    desk.act(
        cid,
        RecordCause(actor="SR-201", cause="水管老化", corrective="更换水管"),
        now=clock.advance(minutes=5),
    )
    desk.act(cid, Close(actor="SR-201", result="修复"), now=clock.advance(minutes=5))
    desk.deliver(clock())
    assert "meeting_agenda" not in notes.topics(cid)
    c = desk.act(
        cid,
        Visit(actor="SR-102", satisfied=False, major_issue=True, problem="整栋楼水管老化"),
        now=clock.advance(days=30),
    )
    assert (c.status, c.state.rung, c.state.reopened) == (Status.CLOSED, "department_head", 0)
    assert [e.kind for e in c.events[-2:]] == ["closed", "visited"]
    desk.deliver(clock())
    assert "meeting_agenda" in notes.topics(cid)
    assert "escalated" not in notes.topics(cid)
    (row,) = desk.rows(status="closed")
    assert (row.id, row.status) == (cid, "closed")


@pytest.mark.procedure("REC-6")
def test_written_complaint_closed_asks_supervisor_sign_off(
    desk: Desk, clock: FixedClock, notes: RecordingNotifier
) -> None:
    c = desk.receive(intake(channel="written"), now=clock())
    desk.act(c.id, Reply(actor="SR-201", message="ok", final=True), now=clock.advance(hours=1))
    desk.act(
        c.id,
        Close(actor="SR-201", result="ok", confirmed_by_complainant=True),
        now=clock.advance(hours=2),
    )
    desk.deliver(clock())  # the outbox is sent apart from intake
    # cn-property's sign-off duty asks its owner, customer service's supervisor
    asked = [r.staff_id for n, r in notes.sent if n.topic == "duty_owed" and "REC-6" in n.body]
    assert asked == ["SR-101"]
    with pytest.raises(AccessDeniedError, match="REC-6"):
        desk.act(c.id, SignOff(actor="SR-202"), now=clock.advance(hours=3))
    # 002 A.e: the supervisor (主管, cn-property's department_head) signs, not the
    # complaint handler one rung below (SR-102 王芳, 客服专员), who may have handled it
    # (review s52R1 F04)
    with pytest.raises(AccessDeniedError, match="REC-6"):
        desk.act(c.id, SignOff(actor="SR-102"), now=clock.advance(hours=3))
    assert not desk.get(c.id).state.signed_off
    assert desk.act(c.id, SignOff(actor="SR-101"), now=clock.advance(hours=3)).state.signed_off


@pytest.mark.procedure("PRV-1")
def test_only_those_who_need_it_see_personal_data(
    desk: Desk, clock: FixedClock, notes: RecordingNotifier, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    c = desk.receive(intake(summary="十几户业主集体投诉，聚集在物业中心闹事"), now=clock())
    desk.deliver(clock())  # the outbox is sent apart from intake
    assert notes.sent
    for note, member in notes.sent:
        assert member is not None
        shows = PHONE in note.body
        full = (
            member.staff_id == desk.get(c.id).state.handler
            or member.sees_personal_data
            or member.department == desk.pack.customer_service
        )
        assert shows == full, (member.staff_id, note.topic)
    assert PHONE not in caplog.text
    assert NAME not in caplog.text


@pytest.mark.procedure("PRV-2")
def test_outsiders_get_no_record_and_staff_get_masked_data(desk: Desk, clock: FixedClock) -> None:
    c = desk.receive(intake(), now=clock())
    with pytest.raises(AccessDeniedError):
        desk.view(c.id, "journalist")
    with pytest.raises(AccessDeniedError):
        desk.view(c.id, "RS-101")  # another site
    masked = desk.view(c.id, "SR-402")  # a cleaner at the site
    assert masked["intake"]["complainant"]["phone"] != PHONE
    full = desk.view(c.id, "SR-102", now=clock())  # customer service
    assert full["intake"]["complainant"]["phone"] == PHONE


def test_a_notifier_that_is_down_loses_nothing(clock: FixedClock) -> None:
    flaky = FailingNotifier()
    desk = make_desk(notifiers=[flaky])
    c = desk.receive(intake(), now=clock())
    assert flaky.attempts == 0  # intake only queues: no notifier is called on its path
    desk.deliver(clock())
    assert flaky.sent == []
    assert flaky.attempts >= 1
    assert desk.get(c.id).version >= 1  # the state change is kept
    flaky.down = False
    report = desk.deliver(clock.advance(hours=2))
    assert report.sent >= 1
    again = desk.deliver(clock.advance(hours=4))
    assert again.sent == 0
    assert len(flaky.keys) == len(set(flaky.keys))


@pytest.mark.procedure("PRV-1")
def test_free_text_is_masked_for_staff_who_need_not_see_it(desk: Desk, clock: FixedClock) -> None:
    c = desk.receive(intake(summary=f"3-2-1201 {NAME} 厨房漏水 请回电 {PHONE}"), now=clock())
    masked = desk.view(c.id, "SR-402")  # a cleaner at the site
    assert PHONE not in str(masked)
    assert NAME not in str(masked)
    assert "漏水" in masked["intake"]["summary"]  # the matter itself stays readable
    full = desk.view(c.id, "SR-102", now=clock())
    assert PHONE in full["intake"]["summary"]


@pytest.mark.procedure("ESC-4")
def test_the_person_complained_about_is_never_told_nor_shown(
    desk: Desk, clock: FixedClock, notes: RecordingNotifier
) -> None:
    target = TargetPerson(
        staff_id="SR-101", rung="department_head", role="supervisor", department="customer_service"
    )
    c = desk.receive(intake(summary="客服主管态度恶劣", target=target), now=clock())
    desk.act(
        c.id,
        Reply(
            actor="SR-001",
            message="需调查",
            unanswerable_reason="需调取录音",
            agreed_due=clock() + timedelta(days=3),  # DL-3: a new date agreed
        ),
        now=clock.advance(minutes=5),
    )
    desk.deliver(clock())  # the outbox is sent apart from intake
    assert all(r is not None and r.staff_id != "SR-101" for _, r in notes.sent)
    with pytest.raises(AccessDeniedError):
        desk.view(c.id, "SR-101")


def test_the_system_actor_is_reserved_and_assignees_are_checked(
    desk: Desk, clock: FixedClock
) -> None:
    from complaintcore.core.errors import InvalidInputError
    from complaintcore.core.workflow import Assign

    c = desk.receive(intake(), now=clock())
    with pytest.raises(AccessDeniedError, match="reserved"):
        desk.act(c.id, Assess(actor="system", validity="valid"), now=clock.advance(minutes=1))
    for handler, rung, error in [
        ("GHOST", "department_head", AccessDeniedError),
        ("RS-201", "department_head", AccessDeniedError),
        ("SR-202", "department_head", InvalidInputError),
    ]:
        with pytest.raises(error):
            desk.act(
                c.id,
                Assign(actor="SR-101", handler=handler, rung=rung),
                now=clock.advance(minutes=1),
            )


@pytest.mark.procedure("ESC-3")
def test_a_grade_the_rung_cannot_handle_moves_it_up_and_routes_it(
    desk: Desk, clock: FixedClock, notes: RecordingNotifier
) -> None:
    c = desk.receive(intake(), now=clock())
    c = desk.act(
        c.id,
        Assess(actor="SR-201", validity="valid", facts=[Fact.MAJOR_LOSS]),
        now=clock.advance(minutes=5),
    )
    # GRD-2: a major loss is a major complaint; ESC-3: major -> senior management
    # (cn-property's 物业总监/总经办), above SR-201's department_head
    assert c.state.grade is Grade.MAJOR
    assert c.state.rung == "senior_management"
    assert c.state.handler
    assert [e.kind for e in c.events[-3:]] == ["graded", "escalated", "assigned"]


@pytest.mark.procedure("IN-2")
def test_staff_of_another_site_may_register_a_complaint(desk: Desk, clock: FixedClock) -> None:
    c = desk.receive(intake(receiver="RS-103"), now=clock(), route=False)
    assert c.intake.receiver == "RS-103"
    assert c.status is Status.REGISTERED


@pytest.mark.procedure("PEN-2")
def test_a_sales_consultant_complained_about_at_the_desk_loses_points(clock: FixedClock) -> None:
    """004 篇1 §3.4: a sales consultant complained about also loses points in the month's
    evaluation.  The desk records the person's role from the directory as display text
    ("置业顾问 / sales consultant"); cn-sales-office deducts by rung (`points_roles =
    ["sales_consultant"]`, `points = 5` for an important complaint)."""
    desk = make_desk(pack="cn-sales-office")
    c = desk.receive(
        intake(
            "置业顾问介绍错误，超范围承诺",
            channel="in_person",
            target=TargetPerson(staff_id="SR-102", rung="sales_consultant"),
        ),
        now=clock(),
    )
    assert c.state.target is not None
    assert c.state.target.rung == "sales_consultant"
    assert c.state.target.role != "sales_consultant"  # the directory's text
    handler = c.state.handler
    assert handler
    c = desk.act(
        c.id,
        Assess(actor=handler, validity="valid", facts=[Fact.STAFF_FAULT]),
        now=clock.advance(minutes=30),
    )
    c = desk.act(c.id, RecordSanction(actor=handler), now=clock.advance(minutes=30))
    sanction = c.events[-1]
    assert isinstance(sanction, SanctionRecorded)
    assert (sanction.staff_id, sanction.grade) == ("SR-102", Grade.IMPORTANT)
    assert sanction.points_deducted == 5


@pytest.mark.procedure("DL-7")
def test_a_now_past_the_calendars_years_is_refused_naming_now(desk: Desk) -> None:
    """A mistyped ``--now 2999-…``: refused as the argument it is, not as a calendar
    failure that names the calendar's own parameters."""
    c = desk.receive(intake(), now=datetime(2025, 11, 10, 9, 30, tzinfo=SH))
    far = datetime(2999, 12, 31, 23, 0, tzinfo=SH)
    first, last = desk.calendar.years
    calls = (
        lambda: desk.sweep(far),
        lambda: desk.act(c.id, Reply(actor="SR-103", message="已处理", final=True), now=far),
        lambda: desk.receive(intake("电梯停运"), now=far),
        lambda: desk.verify(far),
    )
    for call in calls:
        with pytest.raises(InvalidInputError) as caught:
            call()
        assert caught.value.path == "now"
        assert f"{first}-{last}" in caught.value.reason
    assert desk.get(c.id).version == c.version  # nothing was written
