"""Deadline clocks on the pack's working calendar (DL-1..8, IN-5)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.core.deadlines import ClockState, breached_clocks, compute_clock, compute_clocks
from complaintcore.core.models import Complaint, Trigger
from complaintcore.core.workflow import (
    Assess,
    Assign,
    Close,
    Escalate,
    Forward,
    Handle,
    Pause,
    Promise,
    Reopen,
    Reply,
    Resume,
)
from tests.helpers import SH, Runner, intake, pack

PACK = pack()
CAL = calendar_for_spec(PACK.calendar)


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)  # type: ignore[misc]


def clock(c: Complaint, name: str, now: datetime, the_pack=PACK):  # type: ignore[no-untyped-def]
    return compute_clock(c, the_pack.clock(name), calendar_for_spec(the_pack.calendar), now)


def start(received: datetime, unit: str = "customer_service", the_pack=PACK) -> Runner:  # type: ignore[no-untyped-def]
    r = Runner(the_pack, intake(received_at=received, receiver_unit=unit))
    r.register()
    return r


@pytest.mark.procedure("IN-5")
def test_other_unit_has_24_hours_to_reach_customer_service() -> None:
    r = start(at(2025, 11, 14, 17, 30), unit="security")
    c = r.complaint
    assert clock(c, "to_customer_service", at(2025, 11, 14, 18)).state is ClockState.RUNNING
    late = clock(c, "to_customer_service", at(2025, 11, 15, 17, 31))
    assert late.state is ClockState.BREACHED
    assert [s.name for s in breached_clocks(c, PACK, CAL, at(2025, 11, 15, 17, 31))] == [
        "to_customer_service"
    ]
    c = r(Forward(actor="g", to_unit="customer_service"), after=timedelta(hours=3))
    done = clock(c, "to_customer_service", at(2025, 11, 20))
    assert done.state is ClockState.MET
    assert done.used == timedelta(hours=3)


@pytest.mark.procedure("IN-5")
@pytest.mark.parametrize(
    ("name", "unit", "rung"),
    [
        ("cn-property", "security", "department_head"),
        ("cn-service-centre", "security", "service_manager"),
    ],
)
def test_assigned_to_customer_service_it_has_reached_customer_service(
    name: str, unit: str, rung: str
) -> None:
    """Taken at 10:00 by another unit and assigned at 10:05 to customer service (the
    service centre's 客户服务中心 is its customer service): it has reached customer
    service, so IN-5's 24 hours are met at 10:05 and never breached.  Assigned to any
    other unit, the 24 hours still run (due 10:00 the next day).  (cn-sales-office has
    no IN-5 clock: 004 篇2 hands the form to 销管部 at the end.)"""
    the_pack = pack(name)
    received = at(2026, 11, 2, 10)
    r = start(received, unit=unit, the_pack=the_pack)
    c = r(Assign(actor="cs", handler="h-1", rung=rung, department="customer_service"))
    met = clock(c, "to_customer_service", at(2026, 11, 4, 12), the_pack)
    assert (met.state, met.stopped_at) == (ClockState.MET, at(2026, 11, 2, 10, 5))
    r = start(received, unit=unit, the_pack=the_pack)
    c = r(Assign(actor="cs", handler="h-1", rung=rung, department="engineering"))
    late = clock(c, "to_customer_service", at(2026, 11, 4, 12), the_pack)
    assert (late.state, late.due) == (ClockState.BREACHED, at(2026, 11, 3, 10))


@pytest.mark.procedure("IN-5")
def test_registered_by_customer_service_is_met_at_once() -> None:
    c = start(at(2025, 11, 14, 10)).complaint
    status = clock(c, "to_customer_service", at(2026, 1, 1))
    assert status.state is ClockState.MET
    assert status.used == timedelta(0)


@pytest.mark.procedure("DL-1")
def test_reply_within_three_working_days_over_national_day() -> None:
    # Tue 30 Sep 2025: 1-8 Oct are holidays; Thu 9, Fri 10, Sat 11 (调休) are working days.
    c = start(at(2025, 9, 30, 10)).complaint
    status = clock(c, "reply", at(2025, 10, 1, 9))
    assert status.due == at(2025, 10, 11, 18)
    assert clock(c, "reply", at(2025, 10, 11, 17, 59)).state is not ClockState.BREACHED
    assert clock(c, "reply", at(2025, 10, 11, 18, 1)).state is ClockState.BREACHED


@pytest.mark.procedure("DL-2")
@pytest.mark.procedure("VAL-3")
@pytest.mark.parametrize(
    ("assessed", "due"),
    [
        (at(2025, 11, 14, 15), at(2025, 11, 14, 18)),
        (at(2025, 11, 14, 19), at(2025, 11, 17, 18)),  # after closing: next working day
    ],
)
def test_invalid_complaint_explained_the_same_day(assessed: datetime, due: datetime) -> None:
    r = start(at(2025, 11, 14, 9))
    r(Assess(actor="h", validity="invalid"), after=assessed - r.now)
    status = clock(r.complaint, "invalid_explained", assessed)
    assert status.due == due
    c = r(Reply(actor="h", message="不属物业责任", explanation=True), after=timedelta(minutes=30))
    assert clock(c, "invalid_explained", due + timedelta(days=1)).state is ClockState.MET


@pytest.mark.procedure("DL-2")
@pytest.mark.procedure("VAL-3")
@pytest.mark.procedure("VAL-1")
@pytest.mark.parametrize("revised", ["valid", "unverified"])
def test_no_explanation_is_owed_once_the_complaint_is_no_longer_invalid(revised: str) -> None:
    """VAL-3 owes the complainant of an *invalid* complaint an explanation the same day;
    VAL-1 lets the verdict be revised.  Found valid (or back to not verified) at 11:00,
    the complaint owes none: the clock stops there and never breaches at 18:00."""
    r = start(at(2025, 11, 14, 9))
    r(Assess(actor="h", validity="invalid"), after=at(2025, 11, 14, 10, 30) - r.now)
    assert clock(r.complaint, "invalid_explained", at(2025, 11, 14, 10, 30)).due == at(
        2025, 11, 14, 18
    )
    c = r(Assess(actor="h", validity=revised), after=timedelta(minutes=30))
    evening = at(2025, 11, 14, 18, 30)
    status = clock(c, "invalid_explained", evening)
    assert status.state is ClockState.MET
    assert status.stopped_at == at(2025, 11, 14, 11)
    assert "invalid_explained" not in {s.name for s in breached_clocks(c, PACK, CAL, evening)}


@pytest.mark.procedure("DL-3")
def test_forwarding_chain_deadlines() -> None:
    r = start(at(2025, 11, 10, 10))  # Monday
    c = r.complaint
    assert clock(c, "to_department", at(2025, 11, 10, 10)).due == at(2025, 11, 11, 10)
    r(Assign(actor="cs", handler="eng", rung="department_head", department="engineering"))
    c = r.complaint
    assert clock(c, "to_department", at(2025, 11, 12)).state is ClockState.MET
    result = clock(c, "department_result", at(2025, 11, 10, 12))
    assert result.due == at(2025, 11, 13, 18)  # 3 working days after Monday
    c = r(Handle(actor="eng", result="修好"), after=timedelta(days=1))
    assert clock(c, "reply_after_result", c.events[-1].at).due == at(2025, 11, 13, 18)
    c = r(Reply(actor="cs", message="已修复", final=True), after=timedelta(hours=2))
    assert clock(c, "reply_after_result", at(2025, 12, 1)).state is ClockState.MET


@pytest.mark.procedure("DL-3")
def test_a_second_result_after_a_reopening_owes_its_own_reply_within_2_days() -> None:
    """Result Tue 11 Nov, replied, closed; reopened Wed 12 Nov, second result Wed 12 Nov
    14:00: the reply is due within 2 working days of it, Fri 14 Nov 18:00."""
    r = start(at(2025, 11, 10, 10))  # Monday
    r(Assign(actor="cs", handler="eng", rung="department_head", department="engineering"))
    r(Handle(actor="eng", result="修好"), after=timedelta(days=1))
    r(Reply(actor="cs", message="已修复", final=True), after=timedelta(hours=2))
    r(Close(actor="cs", result="已修复", confirmed_by_complainant=True), after=timedelta(hours=1))
    r(Reopen(actor="cs", reason="又漏水了"), after=at(2025, 11, 12, 9) - r.now)
    c = r(Handle(actor="eng", result="再次修好"), after=at(2025, 11, 12, 14) - r.now)
    again = clock(c, "reply_after_result", at(2025, 11, 13))
    assert (again.state, again.due, again.run) == (ClockState.RUNNING, at(2025, 11, 14, 18), 2)
    assert clock(c, "reply_after_result", at(2025, 11, 17)).is_breached
    c = r(Reply(actor="cs", message="已再次修复", final=True), after=at(2025, 11, 14, 10) - r.now)
    assert clock(c, "reply_after_result", at(2025, 11, 17)).state is ClockState.MET


@pytest.mark.procedure("DL-4")
def test_service_centre_closes_general_requests_in_30_minutes_major_in_6_hours() -> None:
    sc = pack("cn-service-centre")
    r = start(at(2025, 11, 15, 23, 50), the_pack=sc)  # Saturday night: 24 h service
    status = clock(r.complaint, "general_closure", at(2025, 11, 16, 0, 5), sc)
    assert status.due == at(2025, 11, 16, 0, 20)
    assert clock(r.complaint, "general_closure", at(2025, 11, 16, 0, 21), sc).is_breached
    major = sc.clock("major_closure")
    assert major.duration.timedelta == timedelta(hours=6)


@pytest.mark.procedure("DL-5")
def test_a_promise_is_a_deadline_and_a_new_one_replaces_it() -> None:
    r = start(at(2025, 11, 10, 10))
    r(Promise(actor="h", due=at(2025, 11, 12, 12)))
    assert clock(r.complaint, "promise", at(2025, 11, 11)).due == at(2025, 11, 12, 12)
    assert clock(r.complaint, "promise", at(2025, 11, 12, 12, 1)).is_breached
    r(Promise(actor="h", due=at(2025, 11, 14, 12), note="业主同意改期"))
    status = clock(r.complaint, "promise", at(2025, 11, 13))
    assert status.due == at(2025, 11, 14, 12)
    assert status.state is ClockState.RUNNING
    assert "replaced" in " ".join(status.derivation)


@pytest.mark.procedure("DL-6")
def test_one_month_clock_is_reported_at_risk_then_breached_without_escalating() -> None:
    c = start(at(2025, 11, 10, 10)).complaint
    assert clock(c, "major_by_age", at(2025, 11, 30)).state is ClockState.RUNNING
    assert clock(c, "major_by_age", at(2025, 12, 5)).state is ClockState.AT_RISK
    assert clock(c, "major_by_age", at(2025, 12, 10, 10, 1)).is_breached
    names = [s.name for s in breached_clocks(c, PACK, CAL, at(2025, 12, 10, 10, 1))]
    assert "major_by_age" not in names  # the grade rises instead (GRD-2)


@pytest.mark.procedure("DL-6")
@pytest.mark.procedure("GRD-2")
def test_the_month_counts_from_receipt_through_a_closure_that_did_not_resolve_it() -> None:
    """Received Mon 10 Nov 10:00, closed Tue 11 Nov, reopened Mon 1 Dec: not resolved
    one month after receipt, so the month ends Wed 10 Dec 10:00 as if never closed."""
    r = start(at(2025, 11, 10, 10))
    r(Reply(actor="h", message="已修好", final=True), after=timedelta(hours=2))
    r(Close(actor="h", result="已修好", confirmed_by_complainant=True), after=timedelta(days=1))
    assert clock(r.complaint, "major_by_age", at(2025, 11, 20)).state is ClockState.MET
    r(Reopen(actor="h", reason="又漏水了"), after=at(2025, 12, 1, 9) - r.now)
    status = clock(r.complaint, "major_by_age", at(2025, 12, 2))
    assert (status.state, status.due) == (ClockState.RUNNING, at(2025, 12, 10, 10))
    assert clock(r.complaint, "major_by_age", at(2025, 12, 5)).state is ClockState.AT_RISK
    assert clock(r.complaint, "major_by_age", at(2025, 12, 10, 10, 1)).is_breached
    late = start(at(2025, 11, 10, 10))  # reopened after the month: breached at once
    late(Reply(actor="h", message="已修好", final=True), after=timedelta(hours=2))
    late(Close(actor="h", result="已修好", confirmed_by_complainant=True), after=timedelta(days=1))
    late(Reopen(actor="h", reason="又漏水了"), after=at(2025, 12, 15, 9) - late.now)
    assert clock(late.complaint, "major_by_age", at(2025, 12, 15, 9, 1)).is_breached


@pytest.mark.procedure("DL-7")
def test_at_risk_before_breach_and_breach_escalates_once() -> None:
    r = start(at(2025, 11, 10, 9))
    c = r.complaint
    reply = clock(c, "reply", at(2025, 11, 10, 9))
    assert reply.at_risk_from is not None
    assert reply.due is not None
    assert reply.at_risk_from < reply.due
    assert clock(c, "reply", reply.at_risk_from).state is ClockState.AT_RISK
    after = reply.due + timedelta(minutes=1)
    due = breached_clocks(c, PACK, CAL, after)
    assert "reply" in [s.name for s in due]
    r.now = after
    c = r(Escalate(actor="system", trigger=Trigger.DEADLINE_MISSED, clock="reply"))
    assert "reply" not in [s.name for s in breached_clocks(c, PACK, CAL, after)]


@pytest.mark.procedure("DL-8")
def test_pause_stops_the_clock_by_exactly_the_paused_working_time() -> None:
    r = start(at(2025, 11, 10, 9))
    before = clock(r.complaint, "reply", at(2025, 11, 10, 9)).due
    r(Pause(actor="h", reason="等业主提供照片"), after=timedelta(hours=2))  # 11:00
    paused = clock(r.complaint, "reply", at(2025, 11, 10, 16))
    assert paused.state is ClockState.PAUSED
    c = r(Resume(actor="h"), after=timedelta(hours=5))  # 16:00: 4 working hours paused
    after = clock(c, "reply", at(2025, 11, 10, 16))
    # received Mon 10 Nov: due at the close of Thu 13 Nov; 4 working hours later is
    # Fri 14 Nov 14:00 (09:00-12:00, then 13:00-14:00 after the lunch break)
    assert before == at(2025, 11, 13, 18)
    assert after.due == at(2025, 11, 14, 14)
    # IN-5 is not pausable: waiting on the owner does not stop it
    assert PACK.clock("to_customer_service").pausable is False


@pytest.mark.procedure("DL-8")
@given(
    pause_at=st.integers(0, 5 * 24 * 60),
    pause_for=st.integers(1, 3 * 24 * 60),
)
def test_pause_never_shortens_a_deadline(pause_at: int, pause_for: int) -> None:
    r = start(at(2025, 11, 10, 9))
    due0 = clock(r.complaint, "reply", r.now).due
    assert due0 is not None
    r(Pause(actor="h", reason="wait"), after=timedelta(minutes=pause_at))
    c = r(Resume(actor="h"), after=timedelta(minutes=pause_for))
    status = clock(c, "reply", r.now)
    assert status.due is not None  # resumed: running or breached, never without a due time
    assert status.due >= due0
    used = status.used
    assert used <= CAL.between(at(2025, 11, 10, 9), r.now)


@pytest.mark.procedure("DL-8")
@pytest.mark.procedure("DL-7")
def test_a_pause_after_the_due_time_does_not_hide_the_breach() -> None:
    """Received Mon 10 Nov 2025 09:00: the reply (DL-1, 3 working days) is due at the
    close of Thu 13 Nov, 18:00.  Paused only on Fri 14 Nov at 10:00 to wait for the
    owner: the deadline had already passed, so the clock stays breached and the
    breach still calls for an escalation (ESC-2)."""
    r = start(at(2025, 11, 10, 9))
    c = r(Pause(actor="h", reason="等业主提供照片"), after=at(2025, 11, 14, 10) - r.now)
    reply = clock(c, "reply", at(2025, 11, 14, 11))
    assert reply.state is ClockState.BREACHED
    assert reply.due == at(2025, 11, 13, 18)
    assert reply.breaches == (at(2025, 11, 13, 18),)
    assert "reply" in [s.name for s in breached_clocks(c, PACK, CAL, at(2025, 11, 14, 11))]
    # paused before its due time, the same clock waits (DL-8)
    r = start(at(2025, 11, 10, 9))
    c = r(Pause(actor="h", reason="等业主提供照片"), after=at(2025, 11, 13, 10) - r.now)
    assert clock(c, "reply", at(2025, 11, 14, 11)).state is ClockState.PAUSED


@pytest.mark.procedure("DL-8")
@pytest.mark.procedure("DL-5")
def test_a_clock_that_cannot_pause_runs_when_it_starts_while_the_complaint_is_paused() -> None:
    """DL-8 stops a clock only "when the pack says so": cn-property's promise clock is
    ``pausable = false`` (DL-5: the agreed time is the agreed time).  Received Mon 10
    Nov 2025 10:00, paused to wait for the owner's photos, and then a fix is agreed for
    Wed 12 Nov 10:00: the promise runs, is breached after 10:00 on the 12th and stays
    breached at that time once the complaint resumes.  A pausable clock started during
    the same pause (DL-3's department result, from the assignment) waits (s28A F08)."""
    r = start(at(2025, 11, 10, 10))
    r(Assess(actor="h", validity="valid"))
    r(Pause(actor="h", reason="等业主提供照片"))
    c = r(Promise(actor="h", due=at(2025, 11, 12, 10), note="约定12日上午10点前修好"))
    assert c.state.paused
    running = clock(c, "promise", at(2025, 11, 11, 10))
    assert (running.state, running.due) == (ClockState.RUNNING, at(2025, 11, 12, 10))
    late = clock(c, "promise", at(2025, 11, 13, 10))
    assert (late.state, late.due) == (ClockState.BREACHED, at(2025, 11, 12, 10))
    assert late.breaches == (at(2025, 11, 12, 10),)
    assert "promise" in [s.name for s in breached_clocks(c, PACK, CAL, at(2025, 11, 13, 10))]
    c = r(Resume(actor="h"), after=at(2025, 11, 14, 10) - r.now)
    resumed = clock(c, "promise", at(2025, 11, 14, 11))
    assert (resumed.state, resumed.due) == (ClockState.BREACHED, at(2025, 11, 12, 10))
    r = start(at(2025, 11, 10, 10))
    r(Pause(actor="h", reason="等业主开门"))
    c = r(Assign(actor="h", handler="h-2", rung="department_head"))
    # never paused, 3 working days from Mon 10 Nov would end at the close of Thu 13 Nov
    assert clock(c, "department_result", at(2025, 11, 14, 10)).state is ClockState.PAUSED


def test_every_clock_explains_itself() -> None:
    r = start(at(2025, 11, 14, 17, 30), unit="security")
    statuses = compute_clocks(r.complaint, PACK, CAL, at(2025, 11, 17, 10))
    assert {s.name for s in statuses} == {c.name for c in PACK.clocks}
    for s in statuses:
        assert s.derivation
        if s.state is not ClockState.NOT_STARTED:
            assert "started by" in s.derivation[0]


@pytest.mark.procedure("DL-8")
@pytest.mark.procedure("IN-5")
def test_worked_example_of_the_docs() -> None:
    """docs/clocks.md: paused across National Day, resumed on 9 October."""
    r = start(at(2025, 9, 30, 10), unit="security")
    r(Pause(actor="cs-1", reason="等业主提供照片"), after=timedelta(hours=4))
    c = r(Resume(actor="cs-1"), after=at(2025, 10, 9, 10) - at(2025, 9, 30, 14))
    now = at(2025, 10, 9, 11)
    reply = clock(c, "reply", now)
    assert reply.state is ClockState.RUNNING
    assert reply.budget == timedelta(hours=31)
    assert reply.used == timedelta(hours=4)
    assert reply.due == at(2025, 10, 13, 15)
    assert reply.derivation[-1].endswith("due 2025-10-13T15:00:00+08:00")
    assert clock(c, "to_customer_service", now).state is ClockState.BREACHED
