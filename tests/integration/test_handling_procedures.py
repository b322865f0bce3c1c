"""The handling procedures for each channel, step by step (IN-3, HDL-1..3, REC-2).

These procedures are instructions to people; the library's part is to accept and
keep every step as an event, in order, so the record is complete (五清楚).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import attrs
import pytest

from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.core.deadlines import ClockState, ClockStatus
from complaintcore.core.errors import AccessDeniedError
from complaintcore.core.models import Complainant, Escalated, Intake, Status
from complaintcore.core.validity import Clear, five_clears
from complaintcore.core.workflow import (
    Assess,
    Close,
    Escalate,
    Forward,
    Promise,
    Reply,
    SignOff,
    Visit,
)
from complaintcore.desk import Desk
from complaintcore.testing import FixedClock, RecordingNotifier, make_desk
from tests.helpers import SH

T0 = datetime(2025, 11, 10, 10, 0, tzinfo=SH)


def intake(channel: str, **kw: object) -> Intake:
    base: dict[str, object] = {
        "complainant": Complainant("陈国华", "13700001234", "5-1-702", "5", "sunrise"),
        "channel": channel,
        "received_at": T0,
        "receiver": "SR-103",
        "summary": "楼道灯坏了一周没人修",
        "description": "5号楼1单元7楼楼道灯不亮",
        "location": "5号楼1单元7楼",
        "occurred_at": T0 - timedelta(days=7),
        "account": "每天晚上回家都是黑的，老人差点摔倒",
        "site": "sunrise",
    }
    base.update(kw)
    return Intake(**base)  # type: ignore[arg-type]


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def notes() -> RecordingNotifier:
    return RecordingNotifier()


@pytest.fixture
def desk(notes: RecordingNotifier) -> Desk:
    return make_desk(notifiers=[notes])


@pytest.mark.procedure("IN-3")
def test_front_line_resolves_on_the_spot_or_passes_it_to_a_handler(
    desk: Desk, clock: FixedClock
) -> None:
    # resolved on the spot: the receiver explains, the owner confirms, it is closed
    c = desk.receive(intake("in_person"), now=clock(), route=False)
    desk.act(
        c.id,
        Reply(actor="SR-103", message="已当场更换灯泡", final=True),
        now=clock.advance(minutes=10),
    )
    c = desk.act(
        c.id,
        Close(actor="SR-103", result="当场解决", confirmed_by_complainant=True),
        now=clock.advance(minutes=11),
    )
    assert c.status is Status.CLOSED
    # cannot resolve: it goes up to a complaint handler (专职投诉处理人员)
    other = desk.receive(
        intake("in_person", summary="要求赔偿摔伤医药费"), now=clock(), route=False
    )
    other = desk.act(
        other.id, Escalate(actor="SR-103", trigger="cannot_handle"), now=clock.advance(minutes=12)
    )
    # 000 §I: the next rung, not any rung above the front line (s28A F11): in cn-property
    # the front line (接待员) passes it to the complaint handler (客服专员)
    assert other.state.rung == "complaint_handler"
    escalated = other.events[-2]
    assert isinstance(escalated, Escalated)
    assert (escalated.from_rung, escalated.to_rung, escalated.actor) == (
        "front_line",
        "complaint_handler",
        "SR-103",
    )
    # and the desk routes it at that rung: sunrise's complaint handler is SR-102 (客服专员)
    assert other.state.handler == "SR-102"
    assert other.events[-1].kind == "assigned"


@pytest.mark.procedure("HDL-1")
@pytest.mark.procedure("REC-2")
def test_written_complaint_procedure(
    desk: Desk, clock: FixedClock, notes: RecordingNotifier
) -> None:
    c = desk.receive(intake("written"), now=clock())
    handler = c.state.handler
    steps = [
        Reply(
            actor=handler, message="来信已收到，向您致歉，我们正在核实"
        ),  # acknowledge, apologise
        Promise(
            actor=handler, due=clock() + timedelta(days=2), note="约定两天内修复"
        ),  # agreed finish
        Reply(
            actor=handler, message="计划明天上午更换线路，预计中午完成"
        ),  # plan and planned finish
        Reply(actor=handler, message="已更换线路，灯已亮", final=True),  # done
        Visit(actor="SR-102", satisfied=True, opinion="满意"),  # opinion after completion
        Close(actor=handler, result="线路更换完成，业主满意"),
    ]
    for hours, step in enumerate(steps, start=1):
        c = desk.act(c.id, step, now=clock.advance(hours=hours))
    desk.deliver(clock())
    assert any(n.topic == "duty_owed" and "REC-6" in n.body for n, _ in notes.sent)
    with pytest.raises(AccessDeniedError):
        desk.act(c.id, SignOff(actor="SR-103"), now=clock.advance(hours=1))  # a clerk cannot
    c = desk.act(c.id, SignOff(actor="SR-101"), now=clock.advance(hours=1))  # the supervisor signs
    assert c.state.signed_off
    clears = five_clears(c.intake, c.events)
    assert clears.complete, clears.missing()
    kinds = [e.kind for e in c.events]
    assert kinds.index("promised") < kinds.index("visited") < kinds.index("signed_off")


@pytest.mark.procedure("HDL-2")
@pytest.mark.procedure("REC-2")
def test_a_telephone_complaint_is_heard_clarified_and_apologised_for_before_the_call_ends(
    desk: Desk, clock: FixedClock
) -> None:
    """002 B: listen patiently and note the key points in the phone log, clarify what is
    unclear once the owner has finished, apologise before the call ends.  The apology is
    not the answer: the complaint still owes its reply (DL-1) and its result."""
    # a call logged without the caller's own account is not "heard" (听清楚)
    unheard = desk.receive(intake("phone", account="", location=""), now=clock())
    clears = five_clears(unheard.intake, unheard.events)
    assert (clears.asked, clears.heard) == (False, False)
    assert Clear.HEARD in clears.missing()
    # heard and clarified: the account, where and when it happened
    c = desk.receive(intake("phone"), now=clock())
    clears = five_clears(c.intake, c.events)
    assert (clears.asked, clears.heard, clears.replied) == (True, True, False)
    c = desk.act(
        c.id,
        Reply(actor=c.state.handler, message="非常抱歉给您带来不便，我们马上安排电工"),
        now=clock.advance(minutes=3),
    )
    clears = five_clears(c.intake, c.events)
    assert clears.replied
    assert not clears.recorded  # the result is still to come (记清楚)
    assert c.status is Status.IN_HANDLING  # an apology is not the final reply
    dl1 = next(s for s in desk.clocks(c.id, clock()) if s.name == "reply")
    assert dl1.state is ClockState.RUNNING
    assert dl1.due == datetime(2025, 11, 13, 18, 0, tzinfo=SH)  # 3 working days (DL-1)


@pytest.mark.procedure("HDL-3")
@pytest.mark.procedure("DL-5")
@pytest.mark.procedure("DL-7")
def test_in_person_complaint_explained_and_contact_promised(
    tmp_path: Path, notes: RecordingNotifier
) -> None:
    """002 C: apologise, explain when the cause is understood, promise contact; the
    promised contact is then a deadline of its own (DL-5).  In person, Thu 30 Apr
    2026 14:00 (the sample's 楼道灯 complaint goes to engineering's head SR-201);
    explained at 14:05; at 14:06 a call promised before 16:00.  By hand: the promise
    runs 14:06-16:00, 114 minutes, at risk at 80 % of it, 91.2 minutes, from
    15:37:12 (DL-7); breached at 16:01, when the sweep escalates it (ESC-2) to the
    project manager SR-001; and the broken promise owes an apology, the reason and
    a remedy within 2 hours on the wall clock (cn-property), from 16:00: due 18:00,
    owed by the handler now, SR-001 (review s48G F02)."""
    desk = make_desk(notifiers=[notes], store=SqliteStore(tmp_path / "d.sqlite3"))
    received = datetime(2026, 4, 30, 14, 0, tzinfo=SH)
    c = desk.receive(
        intake("in_person", received_at=received, occurred_at=received - timedelta(days=7)),
        now=received,
    )
    assert (c.state.handler, c.state.rung) == ("SR-201", "department_head")
    desk.act(
        c.id,
        Reply(actor="SR-201", message="抱歉，原因是线路老化，已安排电工", explanation=True),
        now=received + timedelta(minutes=5),
    )
    due = datetime(2026, 4, 30, 16, 0, tzinfo=SH)
    c = desk.act(
        c.id,
        Promise(actor="SR-201", due=due, note="今天下午四点前电话联系您"),
        now=received + timedelta(minutes=6),
    )
    assert [e.kind for e in c.events][-2:] == ["replied", "promised"]

    def promise(hour: int, minute: int) -> ClockStatus:
        at = datetime(2026, 4, 30, hour, minute, tzinfo=SH)
        return next(s for s in desk.clocks(c.id, at) if s.name == "promise")

    assert (promise(15, 37).state, promise(15, 37).due) == (ClockState.RUNNING, due)
    assert promise(15, 37).at_risk_from == datetime(2026, 4, 30, 15, 37, 12, tzinfo=SH)
    assert promise(15, 38).state is ClockState.AT_RISK
    assert promise(16, 0).state is ClockState.AT_RISK  # due at 16:00, not yet broken
    assert promise(16, 1).state is ClockState.BREACHED
    late = datetime(2026, 4, 30, 16, 1, tzinfo=SH)
    assert desk.sweep(late).escalated == ((c.id, "promise"),)
    c = desk.get(c.id)
    assert (c.state.rung, c.state.handler) == ("project_manager", "SR-001")
    apology = next(d for d in desk.duties(c.id, late) if d.name == "apology")
    assert apology.clock.state is ClockState.RUNNING
    assert apology.clock.started_at == due
    assert apology.clock.due == datetime(2026, 4, 30, 18, 0, tzinfo=SH)
    desk.deliver(late)
    assert ("duty_owed", "SR-001") in [(n.topic, n.recipient) for n, _ in notes.sent]
    desk.store.close()


@pytest.mark.procedure("DL-3")
@pytest.mark.procedure("IN-5")
def test_a_complaint_the_department_already_holds_owes_no_forwarding(desk: Desk) -> None:
    """A guard takes a complaint on Wed 30 Sep 2026 at 17:00 and the desk routes it to
    the responsible department at once; at 19:00 the guard forwards it to customer
    service (IN-5, due Thu 1 Oct 17:00: met).  The department has had it since
    17:00, so customer service owes no forwarding within 24 h (DL-3): met at 19:00,
    and the sweep of Fri 2 Oct escalates nothing.  Without the routing, the same
    forward starts customer service's 24 h, due Thu 1 Oct 19:00 (wall clock), which
    a sweep on Fri 2 Oct finds breached."""
    received = datetime(2026, 9, 30, 17, 0, tzinfo=SH)
    guard = intake("in_person", receiver="SR-302", receiver_unit="security",
                   received_at=received, occurred_at=received)  # fmt: skip
    forwarded = datetime(2026, 9, 30, 19, 0, tzinfo=SH)
    friday = datetime(2026, 10, 2, 10, 0, tzinfo=SH)
    routed = desk.receive(guard, now=received)
    assert routed.state.handler
    desk.act(routed.id, Forward(actor="SR-302", to_unit="customer_service"), now=forwarded)
    clocks = {s.name: s for s in desk.clocks(routed.id, friday)}
    assert clocks["to_customer_service"].state is ClockState.MET
    to_department = clocks["to_department"]
    assert (to_department.state, to_department.stopped_at) == (ClockState.MET, forwarded)
    rung = desk.get(routed.id).state.rung
    assert desk.sweep(friday).escalated == ()
    assert desk.get(routed.id).state.rung == rung

    waiting = desk.receive(attrs.evolve(guard, summary="电梯按钮失灵"), now=received, route=False)
    desk.act(waiting.id, Forward(actor="SR-302", to_unit="customer_service"), now=forwarded)
    clocks = {s.name: s for s in desk.clocks(waiting.id, friday)}
    assert clocks["to_department"].state is ClockState.BREACHED
    assert clocks["to_department"].due == datetime(2026, 10, 1, 19, 0, tzinfo=SH)


@pytest.mark.procedure("DL-3")
@pytest.mark.procedure("ESC-6")
@pytest.mark.procedure("DL-6")
def test_an_explained_invalid_complaint_and_an_answered_enquiry_are_not_chased(
    desk: Desk, notes: RecordingNotifier
) -> None:
    """Both received Mon 2 Mar 2026 at 10:00 and routed to a department at once; the
    department's result would be due Thu 5 Mar 18:00.  One is judged invalid at 11:00
    and explained at 14:00, the other is an enquiry answered at 11:00 (004 篇4 §3.3,
    §3.5.2: only a reasonable problem goes to a department).  The sweep of Fri 6 Mar
    escalates neither and reports no department late to HR (ESC-6); a month on, no
    "becomes major" warning (DL-6 is about valid complaints).  A third, valid and
    left alone, is escalated on Fri 6 Mar."""
    received = datetime(2026, 3, 2, 10, 0, tzinfo=SH)
    base = intake("phone", received_at=received, occurred_at=received)
    invalid = desk.receive(base, now=received)
    enquiry = desk.receive(attrs.evolve(base, summary="请问电梯年检是几点开始"), now=received)
    valid = desk.receive(attrs.evolve(base, summary="电梯按钮失灵"), now=received)
    handler = invalid.state.handler
    assert handler
    assert enquiry.state.handler
    assert valid.state.handler
    desk.act(invalid.id, Assess(actor=handler, validity="invalid"),
             now=received + timedelta(hours=1))  # fmt: skip
    desk.act(invalid.id, Reply(actor=handler, message="系自家装修所致，已解释", explanation=True),
             now=received + timedelta(hours=4))  # fmt: skip
    desk.act(enquiry.id, Assess(actor=handler, validity="valid", kind="enquiry"),
             now=received + timedelta(minutes=30))  # fmt: skip
    desk.act(enquiry.id, Reply(actor=handler, message="周三上午9点开始", final=True),
             now=received + timedelta(hours=1))  # fmt: skip

    friday = datetime(2026, 3, 6, 9, 0, tzinfo=SH)
    report = desk.sweep(friday)
    desk.deliver(friday)
    assert {cid for cid, _ in report.escalated} == {valid.id}
    late = {n.complaint_id for n, _ in notes.sent if n.topic == "late_department"}
    assert late == {valid.id}

    month_on = datetime(2026, 3, 30, 9, 0, tzinfo=SH)
    desk.sweep(month_on)
    desk.deliver(month_on)
    for quiet in (invalid, enquiry):
        clocks = {s.name: s.state for s in desk.clocks(quiet.id, month_on)}
        assert clocks["major_by_age"] is ClockState.WAIVED
    invalid_clocks = {s.name: s.state for s in desk.clocks(invalid.id, month_on)}
    assert invalid_clocks["department_result"] is ClockState.WAIVED
    # the enquiry's final reply ends a run nobody owed: neither met nor missed (DL-3)
    answered = {s.name: s for s in desk.clocks(enquiry.id, month_on)}["department_result"]
    assert (answered.state, answered.due) == (ClockState.WAIVED, None)
    warned = {n.complaint_id for n, _ in notes.sent if n.topic == "at_risk"}
    assert invalid.id not in warned
    assert enquiry.id not in warned
