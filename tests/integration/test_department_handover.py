"""DL-3, ESC-6: each department owes its result within 3 days of its own
acceptance; one that misses them and then passes the complaint on is still
escalated and reported late, and the next department has its own 3 days."""

from __future__ import annotations

from datetime import datetime

import pytest

from complaintcore.core.deadlines import ClockState
from complaintcore.core.models import Assigned, Complainant, Forwarded, Handled
from complaintcore.core.workflow import Assess, Assign, Classify, Escalate, Handle, Reply
from complaintcore.desk import Desk
from complaintcore.testing import RecordingNotifier, make_desk
from tests.helpers import SH, intake


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SH)


def _leak(desk: Desk) -> str:
    """Mon 2 Nov 2026 10:00, routed to engineering (SR-201), valid.  DL-3: 3 working
    days after the day of acceptance (Tue 3, Wed 4, Thu 5): due Thu 5 Nov 18:00."""
    c = desk.receive(
        intake("卫生间漏水，天花板渗水", received_at=_at(2, 10), receiver="SR-103"), now=_at(2, 10)
    )
    assert (c.state.department, c.state.handler) == ("engineering", "SR-201")
    desk.act(c.id, Assess(actor="SR-201", validity="valid"), now=_at(2, 11))
    return c.id


def _late(notes: RecordingNotifier, cid: str) -> list[str]:
    """The department each late_department message to 行政人事部 (HQ-010) names."""
    return [
        n.body
        for n, _ in notes.sent
        if n.complaint_id == cid and n.topic == "late_department" and n.recipient == "HQ-010"
    ]


@pytest.mark.procedure("ESC-6")
@pytest.mark.procedure("DL-3")
def test_a_department_late_before_it_passes_the_complaint_on_is_still_reported() -> None:
    notes = RecordingNotifier()
    desk = make_desk(notifiers=[notes])
    cid = _leak(desk)
    # engineering gives no result; after its deadline the complaint goes to security
    desk.act(cid, Classify(actor="SR-102", category="parking"), now=_at(5, 18, 20))
    desk.act(
        cid,
        Assign(actor="SR-101", handler="SR-301", rung="department_head", department="security"),
        now=_at(5, 18, 30),
    )

    swept = desk.sweep(_at(5, 18, 40))
    desk.deliver(_at(5, 18, 41))

    assert (cid, "department_result") in swept.escalated
    bodies = _late(notes, cid)
    assert len(bodies) == 1
    assert "工程维修部" in bodies[0]  # engineering missed it, not security
    assert "保安部" not in bodies[0]
    assert desk.sweep(_at(5, 18, 45)).escalated == ()  # once

    # security's own 3 days run from its acceptance on Thu evening: Fri 6, Mon 9,
    # Tue 10; missed at Tue 10 Nov 18:00, its breach is escalated and reported too
    assert desk.sweep(_at(10, 17, 55)).escalated == ()
    later = desk.sweep(_at(10, 18, 5))
    desk.deliver(_at(10, 18, 6))
    assert (cid, "department_result") in later.escalated
    assert len(_late(notes, cid)) == 2
    assert "保安部" in _late(notes, cid)[1]


@pytest.mark.procedure("DL-3")
@pytest.mark.procedure("ESC-6")
def test_reclassified_and_taken_on_by_the_new_departments_head_is_a_move() -> None:
    """The new department's head assigned without naming the department takes the
    complaint on for it: its result is due 3 working days from Wed 4 Nov 16:05
    (Thu 5, Fri 6, Mon 9): Mon 9 Nov 18:00, so nobody is late on Thursday."""
    notes = RecordingNotifier()
    desk = make_desk(notifiers=[notes])
    cid = _leak(desk)
    desk.act(cid, Classify(actor="SR-102", category="parking"), now=_at(4, 16))
    desk.act(
        cid, Assign(actor="SR-101", handler="SR-301", rung="department_head"), now=_at(4, 16, 5)
    )

    desk.sweep(_at(5, 18, 30))
    desk.deliver(_at(5, 18, 31))

    result = {s.name: s for s in desk.clocks(cid, _at(5, 18, 30))}["department_result"]
    assert result.due == _at(9, 18)
    assert _late(notes, cid) == []


@pytest.mark.procedure("IN-5")
@pytest.mark.procedure("ESC-6")
def test_a_late_forwarding_is_reported_for_the_unit_that_received_it() -> None:
    """IN-5: a security guard takes a leak in person on Mon 2 Nov 2026 10:00; it must
    reach customer service within 24 hours (Tue 3 Nov 10:00).  Nobody forwards it:
    行政人事部 hears that security, which received it, was late, not engineering,
    to which the leak is routed for repair."""
    notes = RecordingNotifier()
    desk = make_desk(notifiers=[notes])
    c = desk.receive(
        intake(
            "卫生间漏水，天花板渗水",
            received_at=_at(2, 10),
            receiver="SR-303",
            receiver_unit="security",
        ),
        now=_at(2, 10),
    )
    assert c.state.department == "engineering"

    desk.sweep(_at(3, 10, 30))
    desk.deliver(_at(3, 10, 31))

    bodies = _late(notes, c.id)
    assert len(bodies) == 1
    assert "保安部" in bodies[0]
    assert "工程维修部" not in bodies[0]


@pytest.mark.procedure("DL-7")
@pytest.mark.procedure("ESC-5")
def test_at_the_top_rung_a_command_after_the_deadline_does_not_hide_the_breach() -> None:
    """At the top rung a breach cannot escalate (ESC-5), so its holder is told and
    the late department reported (ESC-6), by the first sweep after it whatever was
    written meanwhile: here an interim reply five minutes after the 18:00 deadline
    of Thu 5 Nov (3 working days from Mon 2 Nov: Tue 3, Wed 4, Thu 5)."""
    notes = RecordingNotifier()
    desk = make_desk(notifiers=[notes])
    cid = _leak(desk)
    desk.act(
        cid,
        Escalate(actor="SR-201", trigger="cannot_handle", to_rung="senior_management"),
        now=_at(2, 12),
    )
    holder = desk.get(cid).state.handler
    desk.act(cid, Reply(actor=holder, message="我们正在安排维修，请稍候"), now=_at(5, 18, 5))

    desk.sweep(_at(5, 18, 10))
    desk.deliver(_at(5, 18, 11))

    told = {
        n.key
        for n, _ in notes.sent
        if n.complaint_id == cid and n.topic == "breached" and n.recipient == holder
    }
    assert len(told) == 2  # the reply (DL-1) and the department's result (DL-3)
    assert len(_late(notes, cid)) == 1
    assert "工程维修部" in _late(notes, cid)[0]
    assert desk.sweep(_at(5, 18, 15)).examined == 0  # told once


@pytest.mark.procedure("IN-5")
@pytest.mark.procedure("CLS-3")
@pytest.mark.procedure("ESC-6")
def test_a_guards_complaint_the_sweep_hands_to_customer_service_has_reached_it() -> None:
    """A night guard registers a leak on Mon 2 Nov 10:00 and routes it to nobody.  IN-5:
    it reaches customer service within 24 hours, so the sweep after Tue 3 Nov 10:00
    escalates it to a complaint handler of customer service, which then has it: the
    clock is met late, not breached for good (review s33A F01), and the guards' unit
    is reported late (ESC-6).  The leak stays engineering's (CLS-3): customer service
    holds it, not owns it (review s33E F01)."""
    notes = RecordingNotifier()
    desk = make_desk(notifiers=[notes])
    guard = intake(
        "卫生间漏水，天花板渗水",
        received_at=_at(2, 10),
        receiver="SR-302",
        receiver_unit="security",
    )
    cid = desk.receive(guard, now=_at(2, 10), route=False).id
    assert desk.sweep(_at(3, 9, 55)).escalated == ()
    assert (cid, "to_customer_service") in desk.sweep(_at(3, 10, 5)).escalated
    c = desk.get(cid)
    assert [(e.actor, e.to_unit) for e in c.events if isinstance(e, Forwarded)] == [
        ("system", "customer_service")
    ]
    assert [(e.handler, e.department) for e in c.events if isinstance(e, Assigned)] == [
        ("SR-102", "")
    ]
    assert (c.state.unit, c.state.department, c.state.handler) == (
        "customer_service",
        "engineering",
        "SR-102",
    )
    clocks = {s.name: s for s in desk.clocks(cid, _at(3, 10, 6))}
    assert clocks["to_customer_service"].state is ClockState.MISSED
    desk.deliver(_at(3, 10, 6))
    (guards,) = _late(notes, cid)
    assert "保安部" in guards

    # once a unit has it, the sweep's next handover (DL-1's reply missed) forwards nothing
    routed = desk.receive(
        intake("卫生间漏水，天花板渗水", received_at=_at(2, 10, 5), receiver="SR-103"),
        now=_at(2, 10, 5),
    )
    assert routed.state.handler == "SR-201"
    desk.sweep(_at(30, 18))
    again = desk.get(routed.id)
    assert len([e for e in again.events if isinstance(e, Assigned)]) > 1  # swept up
    assert not any(isinstance(e, Forwarded) for e in again.events)
    assert again.state.department == "engineering"


def _sh(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=SH)


@pytest.mark.procedure("DL-3")
@pytest.mark.procedure("ESC-6")
def test_reclassified_into_another_departments_category_is_handed_to_it() -> None:
    """Review s46H F03.  A leak received Mon 29 Sep 2025 10:00 is engineering's
    (SR-201): its result is due 3 working days on (Tue 30 Sep; National Day 1-8 Oct;
    Thu 9, Fri 10): Fri 10 Oct 18:00.  On Thu 9 Oct 10:30 customer service
    reclassifies it as cleaning: cleaning's head (SR-401) takes it on and is told,
    and owes its own 3 days (Fri 10, Sat 11 调休, Mon 13): Mon 13 Oct 18:00.  On
    Sat 11 Oct nobody is late: engineering passed it on in time, and cleaning's days
    have not run out; on Mon 13 Oct 18:05 cleaning is, for its own deadline."""
    notes = RecordingNotifier()
    desk = make_desk(notifiers=[notes])
    c = desk.receive(
        intake("楼道天花板漏水", received_at=_sh("2025-09-29 10:00"), receiver="SR-103"),
        now=_sh("2025-09-29 10:00"),
    )
    assert (c.state.department, c.state.handler) == ("engineering", "SR-201")
    desk.act(c.id, Assess(actor="SR-201", validity="valid"), now=_sh("2025-09-29 11:00"))
    desk.deliver(_sh("2025-09-29 11:00"))
    notes.sent.clear()

    moved = desk.act(
        c.id, Classify(actor="SR-102", category="cleaning"), now=_sh("2025-10-09 10:30")
    )
    desk.deliver(_sh("2025-10-09 10:30"))
    assert (moved.state.department, moved.state.handler) == ("cleaning", "SR-401")
    [handover] = [e for e in moved.events if isinstance(e, Assigned)][-1:]
    assert (handover.department, handover.previous_department) == ("cleaning", "engineering")
    assert [(n.recipient, n.topic) for n, _ in notes.sent] == [("SR-401", "assigned")]
    result = {s.name: s for s in desk.clocks(c.id, _sh("2025-10-09 10:30"))}["department_result"]
    assert (result.started_at, result.due) == (_sh("2025-10-09 10:30"), _sh("2025-10-13 18:00"))

    swept = desk.sweep(_sh("2025-10-11 09:00"))
    desk.deliver(_sh("2025-10-11 09:00"))
    assert (c.id, "department_result") not in swept.escalated
    assert _late(notes, c.id) == []

    later = desk.sweep(_sh("2025-10-13 18:05"))
    desk.deliver(_sh("2025-10-13 18:05"))
    assert (c.id, "department_result") in later.escalated
    [late] = _late(notes, c.id)
    assert "部门：保洁部" in late.splitlines()


@pytest.mark.procedure("DL-3")
@pytest.mark.procedure("ESC-6")
def test_reclassified_where_the_new_department_has_no_head_the_holder_is_reported() -> None:
    """Riverside has no landscaping head (only a gardener, RS-501): a leak held by
    riverside's engineering head (RS-201), reclassified as greening on Tue 3 Nov 2026,
    cannot be handed over and stays with engineering, on engineering's days (Mon 2
    Nov 10:00 + Tue 3, Wed 4, Thu 5: due Thu 5 Nov 18:00).  Missed, 行政人事部 hears
    engineering was late, not greening, which never had the complaint."""
    notes = RecordingNotifier()
    desk = make_desk(notifiers=[notes])
    owner = Complainant("王小明", "13812345678", "2-1-0301", "2", "riverside")
    c = desk.receive(
        intake(
            "卫生间漏水，天花板渗水",
            complainant=owner,
            site="riverside",
            received_at=_at(2, 10),
            receiver="RS-103",
        ),
        now=_at(2, 10),
    )
    assert (c.state.department, c.state.handler) == ("engineering", "RS-201")
    desk.act(c.id, Assess(actor="RS-201", validity="valid"), now=_at(2, 11))
    moved = desk.act(c.id, Classify(actor="RS-102", category="greening"), now=_at(3, 10))
    assert (moved.state.department, moved.state.handler) == ("greening", "RS-201")

    desk.sweep(_at(5, 18, 5))
    desk.deliver(_at(5, 18, 5))
    [late] = _late(notes, c.id)
    assert "部门：工程维修部" in late.splitlines()
    assert "绿化部" not in late


@pytest.mark.procedure("DL-3")
@pytest.mark.procedure("ESC-6")
@pytest.mark.procedure("HDL-6")
def test_reclassified_into_an_urgent_category_of_another_department_is_a_move() -> None:
    """Review s48O F01.  A leak held by engineering's head (SR-201) since Mon 2 Nov
    2026 10:00 (due Thu 5 Nov 18:00) is reclassified by customer service on Tue 3 Nov
    10:00 as a data leak: customer service's category, urgent, so reported to the
    project manager at once (HDL-6), who takes it on for customer service.  That is
    a move (DL-3 "自受理之日起3日内"): customer service's own 3 days run from Tue 3
    Nov 10:00 (Wed 4, Thu 5, Fri 6): due Fri 6 Nov 18:00.  Engineering held it one
    day and is never reported late for it (ESC-6); customer service is, after Fri."""
    notes = RecordingNotifier()
    desk = make_desk(notifiers=[notes])
    cid = _leak(desk)
    moved = desk.act(cid, Classify(actor="SR-102", category="data_leak"), now=_at(3, 10))
    assert (moved.state.department, moved.state.handler) == ("customer_service", "SR-001")
    assert moved.state.rung == "project_manager"
    handover = [e for e in moved.events if isinstance(e, Assigned)][-1]
    assert (handover.department, handover.previous_department) == (
        "customer_service",
        "engineering",
    )
    result = {s.name: s for s in desk.clocks(cid, _at(3, 10, 1))}["department_result"]
    assert (result.run, result.started_at, result.due) == (2, _at(3, 10), _at(6, 18))

    desk.sweep(_at(6, 9))  # engineering's days ran out on Thu: not its to miss
    desk.deliver(_at(6, 9))
    assert _late(notes, cid) == []
    desk.sweep(_at(6, 18, 5))
    desk.deliver(_at(6, 18, 5))
    [late] = _late(notes, cid)
    assert "部门：客服部" in late.splitlines()


@pytest.mark.procedure("DL-3")
@pytest.mark.procedure("ESC-6")
@pytest.mark.procedure("HDL-6")
def test_sales_office_reclassified_into_site_safety_is_moved_to_engineering() -> None:
    """Review s48O F01, cn-sales-office.  A discount complaint received Mon 2 Nov 2026
    10:00 is the sales office's (its supervisor SR-101); reclassified on Tue 3 Nov
    10:00 as a site accident (engineering's, urgent) it goes to sales management
    (HQ-101) at once (HDL-6), held for engineering: engineering's own 3 days from Tue
    3 Nov 10:00 (Wed 4, Thu 5, Fri 6) end Fri 6 Nov 18:00, and the sales office is
    never reported late for it (ESC-6)."""
    notes = RecordingNotifier()
    desk = make_desk(pack="cn-sales-office", notifiers=[notes])
    c = desk.receive(
        intake("销售说的优惠折扣算错了", received_at=_at(2, 10), receiver="SR-102"),
        now=_at(2, 10),
    )
    assert (c.state.department, c.state.handler) == ("sales", "SR-101")
    desk.act(c.id, Assess(actor="SR-101", validity="valid"), now=_at(2, 11))
    moved = desk.act(c.id, Classify(actor="SR-101", category="site_safety"), now=_at(3, 10))
    assert (moved.state.department, moved.state.handler) == ("engineering", "HQ-101")
    handover = [e for e in moved.events if isinstance(e, Assigned)][-1]
    assert (handover.department, handover.previous_department) == ("engineering", "sales")
    result = {s.name: s for s in desk.clocks(c.id, _at(3, 10, 1))}["department_result"]
    assert (result.run, result.started_at, result.due) == (2, _at(3, 10), _at(6, 18))

    desk.sweep(_at(6, 9))
    desk.deliver(_at(6, 9))
    late = [n.body for n, _ in notes.sent if n.topic == "late_department"]
    assert late == []
    desk.sweep(_at(6, 18, 5))
    desk.deliver(_at(6, 18, 5))
    late = [n.body for n, _ in notes.sent if n.topic == "late_department"]
    assert late
    assert all("部门：工程技术部" in body.splitlines() for body in late)


# Review s54R8 F01: cn-sales-office's urgent categories owned outside 销管部 (the
# pack's categories): 地盘安全/工程意外 is 工程技术部's (its 工程主管 SR-201), 保安部
# helping; 客户财物损失 is 保安部's (its 保安队长 SR-301), 销管部/客户服务部 helping.
_URGENT_OWNED_ELSEWHERE = [
    (
        "看房时工地围挡倒下，客户受伤",
        "site_safety",
        "engineering",
        "SR-201",
        "工程技术部",
        ("security",),
    ),
    (
        "在售楼处钱包被偷了，财物损失",
        "property_loss",
        "security",
        "SR-301",
        "保安部",
        ("customer_service",),
    ),
]


@pytest.mark.procedure("CLS-3")
@pytest.mark.procedure("HDL-6")
@pytest.mark.procedure("DL-3")
@pytest.mark.procedure("ESC-6")
@pytest.mark.parametrize(
    ("summary", "category", "owner", "owner_head", "owner_zh", "helpers"),
    _URGENT_OWNED_ELSEWHERE,
    ids=["site_safety", "property_loss"],
)
def test_sales_office_urgent_intake_keeps_its_classified_department(
    summary: str,
    category: str,
    owner: str,
    owner_head: str,
    owner_zh: str,
    helpers: tuple[str, ...],
) -> None:
    """Review s54R8 F01, cn-sales-office.  A site accident or a customer's property
    loss received Mon 2 Nov 2026 10:00 is reported to sales management (HQ-101, 销管部)
    at once (HDL-6), which takes it on for the department it is classified under, as
    a complaint reclassified into the category after intake is (above): that
    department owns the fix (CLS-3), its own 3 working days (Tue 3, Wed 4, Thu 5) end
    Thu 5 Nov 18:00 (DL-3), and it is the one reported late to 行政人事部 after them
    (ESC-6) — not 销管部."""
    notes = RecordingNotifier()
    desk = make_desk(pack="cn-sales-office", notifiers=[notes])
    c = desk.receive(intake(summary, received_at=_at(2, 10), receiver="SR-103"), now=_at(2, 10))
    assert (c.state.category, c.state.urgent) == (category, True)
    assert (c.state.department, c.state.helpers) == (owner, helpers)
    assert (c.state.handler, c.state.rung) == ("HQ-101", "sales_management")
    [first] = [e for e in c.events if isinstance(e, Assigned)]
    assert (first.department, first.previous_department) == (owner, "")
    result = {s.name: s for s in desk.clocks(c.id, _at(2, 10, 1))}["department_result"]
    assert (result.started_at, result.due) == (_at(2, 10), _at(5, 18))

    desk.sweep(_at(5, 18, 5))
    desk.deliver(_at(5, 18, 5))
    late = [
        n.body for n, _ in notes.sent if n.complaint_id == c.id and n.topic == "late_department"
    ]
    assert late
    assert all(f"部门：{owner_zh}" in body.splitlines() for body in late)


@pytest.mark.procedure("CLS-3")
@pytest.mark.procedure("HDL-6")
@pytest.mark.parametrize(
    ("summary", "category", "owner", "owner_head", "owner_zh", "helpers"),
    _URGENT_OWNED_ELSEWHERE,
    ids=["site_safety", "property_loss"],
)
def test_sales_office_urgent_intake_owners_result_is_the_complaints(
    summary: str,
    category: str,
    owner: str,
    owner_head: str,
    owner_zh: str,
    helpers: tuple[str, ...],
) -> None:
    """Review s54R8 F01: the owning department head's result on a complaint reported
    at once (HDL-6) is the responsible department's (CLS-3), not a helper's part: it
    meets the department's DL-3 clock."""
    desk = make_desk(pack="cn-sales-office")
    c = desk.receive(intake(summary, received_at=_at(2, 10), receiver="SR-103"), now=_at(2, 10))
    done = desk.act(
        c.id, Handle(actor=owner_head, result="已处理", department=owner), now=_at(2, 15)
    )
    [handled] = [e for e in done.events if isinstance(e, Handled)]
    assert handled.helper is False
    result = {s.name: s for s in desk.clocks(c.id, _at(2, 15, 1))}["department_result"]
    assert result.state is ClockState.MET
