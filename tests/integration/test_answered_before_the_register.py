"""A complaint answered before the centre's register, its validation or its helpers' parts
(review s39A F01, F05, F04).

A site often fixes and answers a complaint within minutes.  The steps the procedures put
around the answer must still be possible afterwards, without reopening anything: customer
service's register (IN-4, IN-5: within 24 hours of receipt, whoever answered), the check
of validity (VAL-1) with the cause analysis a valid complaint needs (IMP-1), and the
helping departments' parts (HDL-4).  A final reply no longer goes out silently before a
helping department has recorded its part.

Desks on SQLite files with the packaged sample staff.  cn-service-centre: CC-101 is the
centre's team leader (department ``customer_service``), SR-201 engineering's team leader
and SR-202 a technician at ``sunrise``, SR-301 security's team leader, SR-601 finance's.
cn-property: SR-101 heads customer service at ``sunrise``, SR-301 security, SR-302 is a
guard, HQ-020 heads finance.  Times are Asia/Shanghai; both packs' IN-5 clock runs 24 h
on the wall clock.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.core.deadlines import ClockState
from complaintcore.core.errors import IllegalTransitionError
from complaintcore.core.models import Complainant, Complaint, Intake, Replied, Status
from complaintcore.core.workflow import (
    Assess,
    Close,
    Forward,
    Handle,
    RecordCause,
    Reply,
    helpers_owed,
)
from complaintcore.desk import Desk
from complaintcore.testing import RecordingNotifier, make_desk
from tests.helpers import SH


def at(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SH)


def intake(summary: str, received: datetime, receiver: str, n: int = 1) -> Intake:
    return Intake(
        complainant=Complainant("李华", f"1391234{n:04d}", f"5-1-{800 + n}", "5", "sunrise"),
        channel="in_person",
        received_at=received,
        receiver=receiver,
        summary=summary,
        site="sunrise",
    )


def told(notes: RecordingNotifier, complaint: Complaint, topic: str) -> list[str]:
    return sorted(
        {n.recipient for n, _ in notes.sent if n.complaint_id == complaint.id and n.topic == topic}
    )


def clock(desk: Desk, complaint: Complaint, name: str, now: datetime) -> ClockState:
    return {s.name: s for s in desk.clocks(complaint.id, now)}[name].state


@pytest.fixture
def notes() -> RecordingNotifier:
    return RecordingNotifier()


def sqlite_desk(tmp_path: Path, pack: str, notes: RecordingNotifier) -> Desk:
    return make_desk(pack=pack, notifiers=[notes], store=SqliteStore(tmp_path / "c.sqlite3"))


# (pack, summary, receiver, who answers, who registers it at customer service)
SITE_FIRST = [
    pytest.param(
        "cn-service-centre", "家里水龙头坏了漏水", "SR-202", "SR-201", "CC-101", id="centre"
    ),
    pytest.param("cn-property", "家里水龙头坏了漏水", "SR-202", "SR-201", "SR-101", id="property"),
]


# --------------------------------------------------------------------------- F01


@pytest.mark.procedure("IN-4")
@pytest.mark.procedure("IN-5")
@pytest.mark.procedure("ESC-6")
@pytest.mark.parametrize(("pack", "summary", "receiver", "handler", "registrar"), SITE_FIRST)
def test_customer_service_registers_a_complaint_the_site_has_answered(
    tmp_path: Path,
    notes: RecordingNotifier,
    pack: str,
    summary: str,
    receiver: str,
    handler: str,
    registrar: str,
) -> None:
    """IN-5: a complaint a site technician took in person reaches customer service
    within 24 hours of receipt, whoever answered it meanwhile.  The forward after the
    final reply is the register's step only: the site keeps the work, nothing reopens,
    and 24 h later nothing is escalated and nobody is reported to HR (ESC-6)."""
    desk = sqlite_desk(tmp_path, pack, notes)
    t0 = at(10, 9, 16)  # Fri 9 Oct 2026
    c = desk.receive(intake(summary, t0, receiver), now=t0)
    assert (c.state.unit, c.state.handler) == ("engineering", handler)
    desk.act(c.id, Handle(actor=handler, result="更换水龙头"), now=at(10, 9, 16, 15))
    reply = Reply(actor=handler, message="已更换水龙头", final=True)
    c = desk.act(c.id, reply, now=at(10, 9, 16, 20))
    assert c.state.status is Status.AWAITING_VISIT
    c = desk.act(c.id, Forward(actor=registrar, to_unit="customer_service"), now=at(10, 9, 16, 30))
    assert (c.state.status, c.state.unit) == (Status.AWAITING_VISIT, "customer_service")
    assert (c.state.handler, c.state.department) == (handler, "engineering")  # keeps the work
    assert clock(desk, c, "to_customer_service", at(10, 9, 16, 30)) is ClockState.MET
    notes.sent.clear()
    swept = desk.sweep(at(10, 10, 16, 1))  # 24 h after receipt, and a minute
    desk.deliver(at(10, 10, 16, 1))
    assert [name for _, name in swept.escalated] == []
    assert told(notes, c, "late_department") == []
    assert desk.get(c.id).state.escalations == 0
    if pack == "cn-service-centre":
        duty = {d.name: d for d in desk.duties(c.id, at(10, 10, 16, 1))}["centre_registration"]
        assert (duty.owed, duty.state) == (False, ClockState.MET)


@pytest.mark.procedure("IN-4")
@pytest.mark.procedure("IN-5")
@pytest.mark.parametrize(("pack", "summary", "receiver", "handler", "registrar"), SITE_FIRST)
def test_closing_does_not_bring_a_complaint_to_customer_service(
    tmp_path: Path,
    notes: RecordingNotifier,
    pack: str,
    summary: str,
    receiver: str,
    handler: str,
    registrar: str,
) -> None:
    """IN-5: closing a complaint the site answered and the owner confirmed does not meet
    the 24 hours to customer service: the clock runs on after closure, the forward
    after closure meets it, and one never forwarded is breached and counted so in the
    month, not met.  The forward neither reopens the complaint nor starts anything
    (cn-property's DL-3 hand-over to the department: the department already has it)."""
    desk = sqlite_desk(tmp_path, pack, notes)
    t0 = at(10, 9, 16)
    closed = []
    for n in (1, 2):
        c = desk.receive(intake(summary, t0, receiver, n=n), now=t0)
        reply = Reply(actor=handler, message="已更换水龙头", final=True)
        desk.act(c.id, reply, now=at(10, 9, 16, 20))
        close = Close(actor=handler, result="已修复，业主确认", confirmed_by_complainant=True)
        closed.append(desk.act(c.id, close, now=at(10, 9, 16, 25)))
    forwarded, never = closed
    assert clock(desk, never, "to_customer_service", at(10, 9, 17)) is ClockState.RUNNING
    forward = Forward(actor=registrar, to_unit="customer_service")
    forwarded = desk.act(forwarded.id, forward, now=at(10, 9, 17))
    assert (forwarded.state.status, forwarded.state.unit) == (Status.CLOSED, "customer_service")
    later = at(10, 10, 16, 1)
    assert clock(desk, forwarded, "to_customer_service", later) is ClockState.MET
    assert clock(desk, never, "to_customer_service", later) is ClockState.BREACHED
    if pack == "cn-property":  # started by the forward, met at once: assigned before
        assert clock(desk, forwarded, "to_department", later) is ClockState.MET
    october = desk.monthly_report(2026, 10, now=at(10, 31, 23))
    in5 = next(c for c in october.clocks if c.name == "to_customer_service")
    assert (in5.met, in5.breached) == (1, 1)


@pytest.mark.procedure("IN-4")
def test_an_answered_complaint_is_forwarded_only_to_customer_service(
    tmp_path: Path, notes: RecordingNotifier
) -> None:
    """IN-4: after the final reply only customer service's register is still owed; to
    pass the work to another unit the complaint is reopened, as before."""
    desk = sqlite_desk(tmp_path, "cn-property", notes)
    t0 = at(10, 9, 16)
    c = desk.receive(intake("家里水龙头坏了漏水", t0, "SR-202"), now=t0)
    desk.act(c.id, Reply(actor="SR-201", message="已更换水龙头", final=True), now=at(10, 9, 16, 20))
    with pytest.raises(IllegalTransitionError) as refused:
        desk.act(c.id, Forward(actor="SR-201", to_unit="cleaning"), now=at(10, 9, 16, 30))
    assert refused.value.reason == (
        "once answered, a complaint is forwarded only to customer_service, for its register "
        "(IN-4, IN-5): reopen it to pass the work on"
    )


# --------------------------------------------------------------------------- F05


@pytest.mark.procedure("VAL-1")
@pytest.mark.procedure("IMP-1")
@pytest.mark.procedure("IMP-2")
@pytest.mark.parametrize(
    ("pack", "receiver", "manager"),
    [("cn-service-centre", "CC-201", "CC-010"), ("cn-property", "SR-103", "SR-001")],
)
def test_a_complaint_answered_before_validation_is_verified_and_needs_its_cause(
    tmp_path: Path, notes: RecordingNotifier, pack: str, receiver: str, manager: str
) -> None:
    """VAL-1 after the final reply: the complaint is found valid with a staff fault and
    graded important (GRD-3), as it would have been before the reply; the pack's
    ``require_cause`` then holds its closure until the cause analysis (IMP-1), and the
    month counts it as a valid complaint of its category and grade (IMP-2)."""
    desk = sqlite_desk(tmp_path, pack, notes)
    t0 = at(11, 3, 10)
    c = desk.receive(intake("家里水管漏水", t0, receiver), now=t0)
    reply = Reply(actor=c.state.handler, message="非常抱歉，已重新维修", final=True)
    c = desk.act(c.id, reply, now=at(11, 3, 10, 20))
    assert c.state.status is Status.AWAITING_VISIT
    assess = Assess(actor=manager, validity="valid", facts={"staff_fault"})
    c = desk.act(c.id, assess, now=at(11, 3, 10, 25))
    assert (c.state.status, c.state.validity.value, c.state.grade.value) == (  # type: ignore[union-attr]
        Status.AWAITING_VISIT,
        "valid",
        "important",
    )
    with pytest.raises(IllegalTransitionError) as refused:
        desk.act(
            c.id,
            Close(actor=manager, result="已道歉并重新维修", confirmed_by_complainant=True),
            now=at(11, 3, 11),
        )
    assert refused.value.reason == (
        "a valid complaint is closed only after its cause analysis (IMP-1)"
    )
    cause = RecordCause(actor=manager, cause="维修工服务意识差", corrective="批评教育并复检")
    desk.act(c.id, cause, now=at(11, 3, 11, 5))
    c = desk.act(
        c.id,
        Close(actor=manager, result="已道歉并重新维修", confirmed_by_complainant=True),
        now=at(11, 3, 11, 10),
    )
    assert c.state.status is Status.CLOSED
    month = desk.monthly_report(2026, 11, now=at(11, 30, 23))
    assert (month.totals.valid_complaints, month.totals.unverified) == (1, 0)
    assert [(x.key, x.count) for x in month.by_grade if x.count] == [("important", 1)]


@pytest.mark.procedure("VAL-1")
@pytest.mark.procedure("IMP-1")
@pytest.mark.parametrize(
    ("pack", "receiver", "manager"),
    [("cn-service-centre", "CC-201", "CC-010"), ("cn-property", "SR-103", "SR-001")],
)
def test_a_closed_complaint_is_found_valid_only_with_its_cause_analysis(
    tmp_path: Path, notes: RecordingNotifier, pack: str, receiver: str, manager: str
) -> None:
    """VAL-1 after closure, as a cause is recorded then: in a pack that closes a valid
    complaint only with its cause analysis (IMP-1), the finding waits for it, so no
    closed complaint is valid without one.  The complaint stays closed, and a clock its
    new grade would start (cn-service-centre's 6-hour ``major_closure``) lapses: the
    closed complaint owes it nothing."""
    desk = sqlite_desk(tmp_path, pack, notes)
    t0 = at(11, 3, 10)
    c = desk.receive(intake("家里水管漏水", t0, receiver), now=t0)
    handler = c.state.handler
    desk.act(c.id, Reply(actor=handler, message="已更换水管", final=True), now=at(11, 3, 10, 20))
    close = Close(actor=handler, result="已修复，业主确认", confirmed_by_complainant=True)
    c = desk.act(c.id, close, now=at(11, 3, 10, 30))
    assess = Assess(actor=manager, validity="valid", facts={"major_loss"})
    with pytest.raises(IllegalTransitionError) as refused:
        desk.act(c.id, assess, now=at(11, 3, 11))
    assert refused.value.reason == (
        "a valid complaint is closed only after its cause analysis: record it before "
        "finding the closed complaint valid (IMP-1)"
    )
    cause = RecordCause(actor=manager, cause="水管老化", corrective="更换整栋立管")
    desk.act(c.id, cause, now=at(11, 3, 11, 5))
    c = desk.act(c.id, assess, now=at(11, 3, 11, 10))
    assert (c.state.status, c.state.validity.value, c.state.grade.value) == (  # type: ignore[union-attr]
        Status.CLOSED,
        "valid",
        "major",
    )
    if pack == "cn-service-centre":
        assert clock(desk, c, "major_closure", at(11, 4, 10)) is ClockState.WAIVED


# --------------------------------------------------------------------------- F04


@pytest.mark.procedure("HDL-4")
@pytest.mark.procedure("CLS-3")
@pytest.mark.parametrize(
    ("pack", "receiver", "helper_head"),
    [("cn-service-centre", "CC-201", "SR-601"), ("cn-property", "SR-103", "HQ-020")],
)
def test_a_final_reply_waits_for_the_helping_departments_part(
    tmp_path: Path, notes: RecordingNotifier, pack: str, receiver: str, helper_head: str
) -> None:
    """HDL-4: a parking complaint is security's, with finance's help (the packs'
    category).  The final reply waits for finance's part, naming it; given with
    ``without_helpers``, it records that it went ahead without finance.  After the
    reply, finance's part and security's own result are still recorded (the agreed
    solution is kept), and nothing reopens."""
    desk = sqlite_desk(tmp_path, pack, notes)
    t0 = at(11, 3, 10)
    waits, goes = (
        desk.receive(intake("车位被占用，停车费也多收了", t0, receiver, n=n), now=t0)
        for n in (1, 2)
    )
    assert (waits.state.category, waits.state.department, waits.state.helpers) == (
        "parking",
        "security",
        ("finance",),
    )
    handler = waits.state.handler
    reply = Reply(actor=handler, message="已清理占位车辆，多收费用已退还", final=True)
    with pytest.raises(IllegalTransitionError) as refused:
        desk.act(waits.id, reply, now=at(11, 3, 10, 10))
    assert refused.value.reason == (
        "helping departments have recorded no part: finance; reply once they have "
        "(handle with their department), or reply without them (HDL-4)"
    )
    assert helpers_owed(waits, desk.pack) == ("finance",)
    part = Handle(actor=helper_head, department="finance", result="已核对，退还多收停车费")
    assert helpers_owed(desk.act(waits.id, part, now=at(11, 3, 10, 20)), desk.pack) == ()
    waits = desk.act(waits.id, reply, now=at(11, 3, 10, 30))
    replied = waits.events[-1]
    assert isinstance(replied, Replied)
    assert replied.went_ahead_without == ()

    ahead = Reply(actor=handler, message="已清理占位车辆", final=True, without_helpers=True)
    goes = desk.act(goes.id, ahead, now=at(11, 3, 10, 10))
    replied = next(e for e in goes.events if isinstance(e, Replied))
    assert replied.went_ahead_without == ("finance",)
    assert goes.state.status is Status.AWAITING_VISIT
    goes = desk.act(goes.id, part, now=at(11, 3, 11))
    goes = desk.act(goes.id, Handle(actor=handler, result="已协调车位"), now=at(11, 3, 11, 5))
    assert [(e.kind, getattr(e, "department", "")) for e in goes.events[-2:]] == [
        ("handled", "finance"),
        ("handled", "security"),
    ]
    assert goes.state.status is Status.AWAITING_VISIT


@pytest.mark.procedure("HDL-4")
def test_customer_service_as_helper_replies_itself(
    tmp_path: Path, notes: RecordingNotifier
) -> None:
    """HDL-4: customer service contacts the helping departments and replies, so where
    it is the helper itself (cn-property's noise: security's, with customer service's
    help) its part is the reply: nothing else is waited for.  A helping department
    that is not customer service is waited for in the same complaint."""
    desk = sqlite_desk(tmp_path, "cn-property", notes)
    t0 = at(10, 9, 22)
    c = desk.receive(intake("楼上半夜噪音扰民", t0, "SR-302"), now=t0)
    assert (c.state.department, c.state.helpers) == ("security", ("customer_service",))
    c = desk.act(
        c.id, Reply(actor="SR-301", message="已上门劝止", final=True), now=at(10, 9, 22, 30)
    )
    assert c.state.status is Status.AWAITING_VISIT
    parking = desk.receive(intake("车位被占用，停车费也多收了", t0, "SR-302", n=2), now=t0)
    with pytest.raises(IllegalTransitionError):
        desk.act(
            parking.id,
            Reply(actor="SR-301", message="已清理占位车辆", final=True),
            now=at(10, 9, 22, 30),
        )
