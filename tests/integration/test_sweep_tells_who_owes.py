"""Who the sweep tells about a deadline, and which department it holds late (review
s26B F01, F02, F06; s26E F05).

cn-property on the 2026 State Council calendar (National Day 1-7 October, make-up
working day Sat 10 October), working hours 09:00-12:00 and 13:00-18:00.  The staff
are the packaged sample: at site ``sunrise`` SR-001 is the project manager, SR-201
the engineering supervisor, SR-301 the security captain; head office's own unit
(``head_office``) is HQ-001 (物业总监) and HQ-002 (总经办), and HQ-010 is 行政人事部.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from complaintcore.core.deadlines import ClockState
from complaintcore.core.models import Complainant, Intake, TargetPerson
from complaintcore.core.workflow import Assess, Assign, Classify
from complaintcore.desk import Desk
from complaintcore.testing import RecordingNotifier, make_desk
from tests.helpers import SH


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SH)


@pytest.fixture
def notes() -> RecordingNotifier:
    return RecordingNotifier()


@pytest.fixture
def desk(notes: RecordingNotifier) -> Iterator[Desk]:
    with make_desk(notifiers=[notes]) as d:
        yield d


def owner(
    n: int,
    when: datetime,
    summary: str = "卫生间漏水，天花板渗水",
    **extra: object,
) -> Intake:
    return Intake(
        complainant=Complainant(f"业主{n}", f"1390000{n:04d}", f"3-1-{n:02d}01", "3", "sunrise"),
        channel="phone",
        received_at=when,
        receiver=str(extra.pop("receiver", "SR-103")),
        summary=summary,
        site="sunrise",
        **extra,  # type: ignore[arg-type]
    )


def told(
    desk: Desk, notes: RecordingNotifier, now: datetime, topic: str, cid: str
) -> list[tuple[str, ...]]:
    """(recipient, and the English body's last two lines: for a deadline its clock and
    due time) of the ``topic`` messages about ``cid``, sent by ``now``."""
    desk.deliver(now)
    return sorted(
        (n.recipient, *n.body.split("\n")[-2:])
        for n, _ in notes.sent
        if n.topic == topic and n.complaint_id == cid
    )


# --------------------------------------------------------------------------- DL-7, IN-6


@pytest.mark.procedure("DL-7")
@pytest.mark.procedure("IN-6")
def test_a_bypass_complaint_at_risk_warns_head_office(desk: Desk, notes: RecordingNotifier) -> None:
    """s26B F02: received by HQ-002 straight at head office on Tue 29 Sep 10:00.  DL-1:
    3 working days, 1-7 Oct off: 30 Sep, 8 Oct, 9 Oct, so due Fri 9 Oct 18:00; the
    budget is 7 + 8 + 8 + 8 = 31 h, at risk from 80 % (24 h 48 m) at 10:48 on 9 Oct.
    Nobody at the site may hear of it before the complainant consents, and it has no
    handler: head office's own unit is warned (HQ-001, HQ-002).  A complaint received
    at the site in the same minute warns its handler."""
    received = at(9, 29, 10)
    bypass = desk.receive(
        owner(1, received, "管理处不理睬，直接向总部投诉车位被占", receiver="HQ-002",
              receiver_unit="head_office", via_head_office=True),
        now=received,
    )  # fmt: skip
    site = desk.receive(owner(2, received, "地库车位被占用，没人管"), now=received)
    assert bypass.state.handler == ""
    assert site.state.handler == "SR-301"
    now = at(10, 9, 15)
    reply = next(s for s in desk.clocks(bypass.id, now) if s.name == "reply")
    assert (reply.state, reply.due, reply.at_risk_from) == (
        ClockState.AT_RISK,
        at(10, 9, 18),
        at(10, 9, 10, 48),
    )
    report = desk.sweep(now)
    reply_line = "clock: reply with the result or a reasoned explanation"
    assert told(desk, notes, now, "at_risk", bypass.id) == [
        ("HQ-001", reply_line, "due: 2026-10-09T18:00+08:00"),
        ("HQ-002", reply_line, "due: 2026-10-09T18:00+08:00"),
    ]
    control = told(desk, notes, now, "at_risk", site.id)
    assert ("SR-301", reply_line, "due: 2026-10-09T18:00+08:00") in control
    assert {m[0] for m in control} == {"SR-301"}
    assert report.at_risk == 2 + len(control)


# --------------------------------------------------------------------------- DL-7, ESC-5


@pytest.mark.procedure("DL-7")
@pytest.mark.procedure("ESC-5")
def test_a_deadline_missed_at_the_top_rung_is_told_to_its_holder_once(
    desk: Desk, notes: RecordingNotifier
) -> None:
    """s26B F06: a complaint about the project manager SR-001 on Mon 2 Nov 10:00 goes to
    senior management (ESC-4), HQ-001.  DL-1 is due Thu 5 Nov 18:00 (3 working days);
    on Fri 6 Nov 09:30 it is breached and cannot move up (ESC-5): HQ-001 is told the
    deadline passed (``breached``), once per run however often the sweep comes."""
    received = at(11, 2, 10)
    pm = TargetPerson(
        staff_id="SR-001", rung="project_manager", role="项目经理", department="customer_service"
    )
    c = desk.receive(owner(3, received, "项目经理态度恶劣，推诿不处理", target=pm), now=received)
    assert (c.state.rung, c.state.handler) == ("senior_management", "HQ-001")
    friday = at(11, 6, 9, 30)
    report = desk.sweep(friday)
    assert report.escalated == ()
    assert told(desk, notes, friday, "breached", c.id) == [
        ("HQ-001", "clock: department result to customer service", "due: 2026-11-05T18:00+08:00"),
        (
            "HQ-001",
            "clock: reply with the result or a reasoned explanation",
            "due: 2026-11-05T18:00+08:00",
        ),
    ]
    sent = len(notes.sent)
    desk.sweep(at(11, 6, 10))
    desk.sweep(at(11, 9, 10))
    desk.deliver(at(11, 9, 10))
    assert [n.topic for n, _ in notes.sent[sent:]] == []  # told once per run


# --------------------------------------------------------------------------- DL-3, ESC-6


@pytest.mark.procedure("DL-3")
@pytest.mark.procedure("ESC-6")
def test_a_department_that_took_the_complaint_over_is_not_reported_late_for_the_first(
    desk: Desk, notes: RecordingNotifier
) -> None:
    """s26B F01: engineering (SR-201) from Mon 2 Nov 10:00; a parking matter, given to
    security on Wed 4 Nov 16:05, whose result is due Mon 9 Nov 18:00.  At Thu 5 Nov
    18:30 nothing is escalated for DL-3 and 行政人事部 hears of no late department;
    at Mon 9 Nov 18:30 security is late and HQ-010 is told."""
    received = at(11, 2, 10)
    c = desk.receive(owner(4, received), now=received)
    assert (c.state.department, c.state.handler) == ("engineering", "SR-201")
    desk.act(c.id, Classify(actor="SR-102", category="parking"), now=at(11, 4, 16))
    desk.act(
        c.id,
        Assign(actor="SR-101", handler="SR-301", rung="department_head", department="security"),
        now=at(11, 4, 16, 5),
    )
    thursday = at(11, 5, 18, 30)
    report = desk.sweep(thursday)
    assert (c.id, "department_result") not in report.escalated
    assert report.reported_late == 0
    assert told(desk, notes, thursday, "late_department", c.id) == []
    monday = at(11, 9, 18, 30)
    report = desk.sweep(monday)
    assert report.reported_late == 1
    assert [m[0] for m in told(desk, notes, monday, "late_department", c.id)] == ["HQ-010"]


@pytest.mark.procedure("DL-3")
@pytest.mark.procedure("HDL-5")
def test_a_unified_final_explanation_delivers_each_members_department_result(
    desk: Desk, notes: RecordingNotifier
) -> None:
    """s26E F05: three lift complaints in building 3 on Mon 2 Mar 2026 (10:00, 11:00,
    12:00) form one issue; assessed valid at 13:00 and explained finally to all at 14:00
    by SR-201 (engineering).  On Thu 5 Mar 18:01, past each department_result's due
    time (18:00), no member is escalated or reported late."""
    ids = []
    for i in range(3):
        when = datetime(2026, 3, 2, 10 + i, tzinfo=SH)
        ids.append(desk.receive(owner(10 + i, when, "电梯坏了"), now=when).id)
    issue = desk.get(ids[-1]).state.issue
    assert issue
    assert all(desk.get(cid).state.issue == issue for cid in ids)
    for cid in ids:
        handler = desk.get(cid).state.handler
        desk.act(
            cid, Assess(actor=handler, validity="valid"), now=datetime(2026, 3, 2, 13, tzinfo=SH)
        )
    done = desk.explain_all(
        issue, actor="SR-201", message="电梯已修复", now=datetime(2026, 3, 2, 14, tzinfo=SH),
        final=True,
    )  # fmt: skip
    assert sorted(done.done) == sorted(ids)
    report = desk.sweep(datetime(2026, 3, 5, 18, 1, tzinfo=SH))
    assert (report.escalated, report.reported_late) == ((), 0)
