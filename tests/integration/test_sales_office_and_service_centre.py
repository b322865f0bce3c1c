"""cn-sales-office and cn-service-centre at the desk, as their managers see them (review s25G).

The staff are the packaged samples.  cn-sales-office: at ``sunrise`` SR-101 is the
售楼主管 (department ``sales``), SR-102 a 置业顾问, SR-103 the receptionist, SR-201 the
engineering supervisor; head office works at every site: HQ-101 销管部经理
(``customer_service``), HQ-201 营销策划部经理 (``marketing``) and HQ-010 总经办主任
(``head_office``) are all on the ``sales_management`` rung, HQ-001 副总经理 and HQ-002
总经理 on ``deputy_gm``, HQ-401 行政人事部.  cn-service-centre: the centre's staff CC-*
work everywhere (CC-101 the day-shift team leader, 08:00-20:00; CC-010 客服经理); at
``sunrise`` SR-201 is the engineering supervisor and SR-202 a technician; HQ-020 is
行政人事部.

Dates are worked by hand on the State Council's 2026 calendar (国办发明电〔2025〕7号):
中秋 25-27 Sep, 国庆 1-7 Oct, make-up working day Sat 10 Oct.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.adapters.staff import load_sample_staff
from complaintcore.core.deadlines import ClockState, ClockStatus
from complaintcore.core.errors import AccessDeniedError
from complaintcore.core.models import (
    Complainant,
    Complaint,
    Escalated,
    Grade,
    Handled,
    Intake,
    TargetPerson,
)
from complaintcore.core.workflow import Assess, Classify, Escalate, Forward, Handle, Reply
from complaintcore.desk import Desk
from complaintcore.desk.ports import StaffMember
from complaintcore.rules import load_pack
from complaintcore.testing import RecordingNotifier, make_desk
from tests.helpers import SH

RULE_PACKS_MD = Path(__file__).resolve().parents[2] / "docs" / "rule-packs.md"


def at(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SH)


def intake(summary: str, received: datetime, receiver: str, n: int = 1, **kw: object) -> Intake:
    return Intake(
        complainant=Complainant("李华", f"1391234{n:04d}", f"5-1-{800 + n}", "5", "sunrise"),
        channel=kw.pop("channel", "phone"),  # type: ignore[arg-type]
        received_at=received,
        receiver=receiver,
        summary=summary,
        site="sunrise",
        **kw,  # type: ignore[arg-type]
    )


def told(notes: RecordingNotifier, topic: str, complaint: Complaint) -> list[str]:
    return sorted(
        {n.recipient for n, _ in notes.sent if n.topic == topic and n.complaint_id == complaint.id}
    )


@pytest.fixture
def notes() -> RecordingNotifier:
    return RecordingNotifier()


@pytest.fixture
def sales(notes: RecordingNotifier) -> Desk:
    return make_desk(pack="cn-sales-office", notifiers=[notes])


@pytest.fixture
def centre(notes: RecordingNotifier) -> Desk:
    return make_desk(pack="cn-service-centre", notifiers=[notes])


def _important_sales_complaint(desk: Desk) -> Complaint:
    """Review s25G F02: received Wed 30 Sep 17:00, forwarded to 销管部, found valid with a
    staff fault (重要, GRD-3) and so handled by 销管部经理 (ESC-3)."""
    c = desk.receive(
        intake("置业顾问口头承诺送车位，签约后不认", at(9, 30, 17), "SR-102"), now=at(9, 30, 17)
    )
    desk.act(c.id, Forward(actor="SR-101", to_unit="customer_service"), now=at(9, 30, 17, 30))
    return desk.act(
        c.id,
        Assess(actor="SR-101", validity="valid", facts={"staff_fault"}),
        now=at(9, 30, 17, 40),
    )


# --------------------------------------------------------------------------- F02


@pytest.mark.procedure("ESC-3")
@pytest.mark.procedure("DL-3")
@pytest.mark.procedure("ESC-6")
def test_the_departments_head_records_its_result_on_an_important_complaint(
    sales: Desk, notes: RecordingNotifier
) -> None:
    """004 篇2 §3.3B: "部门负责人在规定时间内对投诉提出处理意见 … 重要投诉及重大投诉由销管部经理或
    副总经理答复客户".  The 售楼部 head records 售楼部's result on Thu 8 Oct, inside DL-3's 3
    working days (8, 9 and Sat 10 Oct): nobody is reported to 行政人事部.  The reply to the
    customer is still 销管部经理's."""
    c = _important_sales_complaint(sales)
    assert (c.state.grade.value, c.state.department, c.state.handler) == (  # type: ignore[union-attr]
        "important",
        "sales",
        "HQ-101",
    )
    c = sales.act(c.id, Handle(actor="SR-101", result="核对认购书，按承诺处理"), now=at(10, 8, 11))
    handled = c.events[-1]
    assert isinstance(handled, Handled)
    assert (handled.actor, handled.department) == ("SR-101", "sales")
    with pytest.raises(AccessDeniedError) as refused:
        sales.act(c.id, Reply(actor="SR-101", message="已处理", final=True), now=at(10, 8, 12))
    assert refused.value.reason == (
        "rung sales_supervisor is below sales_management, required for this complaint (ESC-3)"
    )
    notes.sent.clear()
    sales.sweep(at(10, 10, 18, 1))
    sales.deliver(at(10, 10, 18, 1))
    assert told(notes, "late_department", c) == []
    sales.act(
        c.id,
        Handle(actor="HQ-101", result="同步修改宣传资料", department="marketing"),
        now=at(10, 12, 9),
    )
    sales.act(c.id, Reply(actor="HQ-101", message="已按承诺处理", final=True), now=at(10, 12, 10))


@pytest.mark.procedure("ESC-3")
@pytest.mark.procedure("ESC-4")
@pytest.mark.parametrize(
    ("actor", "why"),
    [
        ("SR-102", "rung sales_consultant is below sales_management"),  # not the head
        ("SR-201", "rung sales_supervisor is below sales_management"),  # another department's
    ],
)
def test_only_the_responsible_departments_head_records_its_result(
    sales: Desk, actor: str, why: str
) -> None:
    """The exception is the responsible department's head (the supervisor's rung or above,
    in that department): a consultant of 售楼部, or the engineering supervisor on the
    same rung, still needs the grade's rung."""
    c = _important_sales_complaint(sales)
    with pytest.raises(AccessDeniedError) as refused:
        sales.act(c.id, Handle(actor=actor, result="已处理"), now=at(10, 8, 11))
    assert refused.value.reason.startswith(why)


@pytest.mark.procedure("ESC-4")
def test_the_head_does_not_record_a_result_for_a_complaint_about_its_consultant(
    sales: Desk,
) -> None:
    """004 篇2 §2.3: 销管部 handles complaints about 售楼员 (the pack's target handler), so
    the 售楼主管 one rung above the consultant may not record the result even of a minor
    one: the exception is to the grade's rung (ESC-3), never to ESC-4."""
    c = sales.receive(
        intake(
            "售楼处空调坏了，置业顾问让我等了很久",
            at(10, 12, 10),
            "SR-103",
            target=TargetPerson(staff_id="SR-102", rung="sales_consultant"),
        ),
        now=at(10, 12, 10),
    )
    assert c.state.department
    with pytest.raises(AccessDeniedError) as refused:
        sales.act(
            c.id, Handle(actor="SR-101", result="已处理", department="sales"), now=at(10, 12, 11)
        )
    assert "below sales_management" in refused.value.reason


# --------------------------------------------------------------------------- F03


@pytest.mark.procedure("ESC-3")
@pytest.mark.procedure("PRV-1")
def test_an_escalation_is_told_to_the_rung_of_the_department_that_takes_it(
    sales: Desk, notes: RecordingNotifier
) -> None:
    """A discount complaint (售楼部's, 销管部 helping) escalated from the 售楼主管 goes to
    销管部经理 (004 篇2 §2.3); 营销策划部经理 and 总经办主任, on the same rung, have no part
    in it and are not told."""
    c = sales.receive(
        intake("认购时折扣算错，总价多算了两万", at(9, 30, 17), "SR-102"), now=at(9, 30, 17)
    )
    sales.act(c.id, Forward(actor="SR-101", to_unit="customer_service"), now=at(9, 30, 17, 30))
    notes.sent.clear()
    c = sales.act(c.id, Escalate(actor="SR-101", trigger="cannot_handle"), now=at(10, 8, 10))
    sales.deliver(at(10, 8, 10))
    assert (c.state.rung, c.state.handler) == ("sales_management", "HQ-101")
    assert told(notes, "escalated", c) == ["HQ-101"]
    # no department of the complaint is on the next rung: the whole rung is told
    notes.sent.clear()
    c = sales.act(c.id, Escalate(actor="HQ-101", trigger="dissatisfied"), now=at(10, 8, 11))
    sales.deliver(at(10, 8, 11))
    assert told(notes, "escalated", c) == ["HQ-001", "HQ-002"]


@pytest.mark.procedure("HDL-6")
@pytest.mark.procedure("PRV-1")
def test_an_urgent_report_goes_to_the_departments_member_of_the_report_rung(
    sales: Desk, notes: RecordingNotifier
) -> None:
    """004 篇1 二.4/一: a data leak is reported at once to the rung that stands for the
    project manager; 销管部 owns it, so 销管部经理 hears it, not marketing or 总经办."""
    c = sales.receive(
        intake("我的电话号码被卖了，天天接到推销电话", at(10, 12, 10), "SR-103"), now=at(10, 12, 10)
    )
    sales.deliver(at(10, 12, 10))
    assert c.state.category == "data_leak"
    assert told(notes, "urgent", c) == ["HQ-101"]


def incidents(c: Complaint) -> list[tuple[str, str]]:
    return [(e.trigger, e.to_rung) for e in c.events if isinstance(e, Escalated)]


@pytest.mark.procedure("HDL-6")
@pytest.mark.procedure("ESC-2")
def test_a_consultants_quarrel_with_a_customer_is_reported_to_the_project_managers_rung_at_once(
    sales: Desk, notes: RecordingNotifier
) -> None:
    """Review s48I F01, 004 篇1 一: "如某置业顾问与客户发生争执 … 同时第一时间将详情及时告之
    项目经理".  The pack's project manager is the sales_management rung; 销管部 owns a
    complaint about its sales staff, so 销管部经理 HQ-101 is told at once (urgent) and
    holds it; sunrise's 售楼主管 SR-101 (another consultant takes over) and 行政人事部
    HQ-401 are asked to help.  Before, it was a service-attitude complaint for SR-101
    alone and the project manager's rung heard nothing."""
    c = sales.receive(
        intake("置业顾问跟我吵架, 发生争执", at(3, 25, 10), "SR-103", channel="in_person"),
        now=at(3, 25, 10),
    )
    sales.deliver(at(3, 25, 10))
    assert (c.state.category, c.state.department) == ("dispute_with_customer", "customer_service")
    assert incidents(c) == [("incident", "sales_management")]
    assert told(notes, "urgent", c) == ["HQ-101"]
    assert told(notes, "assigned", c) == ["HQ-101"]
    assert told(notes, "help_requested", c) == ["HQ-401", "SR-101"]


@pytest.mark.procedure("HDL-6")
@pytest.mark.procedure("CLS-1")
def test_plain_rudeness_is_not_reported_at_once_and_an_outweighed_quarrel_is_by_classify(
    sales: Desk, notes: RecordingNotifier
) -> None:
    """Rudeness alone stays an ordinary service-attitude complaint for the 售楼主管.  A
    summary with more rudeness words than quarrel words (态度, 不耐烦, 没礼貌 against
    吵架: 3 to 1) is classified by its words as service attitude (CLS-1 scoring); the
    supervisor who reads it classifies it as a quarrel, and the project manager's rung
    is told at once then (docs/rule-packs.md, cn-sales-office)."""
    rude = sales.receive(
        intake("置业顾问态度差，不耐烦", at(3, 25, 10), "SR-103", channel="in_person"),
        now=at(3, 25, 10),
    )
    both = sales.receive(
        intake("置业顾问态度很差，不耐烦，没礼貌，还跟我吵架", at(3, 25, 11), "SR-103", n=2),
        now=at(3, 25, 11),
    )
    sales.deliver(at(3, 25, 11))
    for c in (rude, both):
        assert c.state.category == "service_attitude"
        assert incidents(c) == []
        assert told(notes, "urgent", c) == []
        assert told(notes, "assigned", c) == ["SR-101"]
    both = sales.act(
        both.id, Classify(actor="SR-101", category="dispute_with_customer"), now=at(3, 25, 11, 30)
    )
    sales.deliver(at(3, 25, 11, 30))
    assert incidents(both) == [("incident", "sales_management")]
    assert told(notes, "urgent", both) == ["HQ-101"]


@pytest.mark.procedure("ESC-2")
def test_a_serious_escalation_still_reaches_the_whole_serious_rung(
    notes: RecordingNotifier,
) -> None:
    """004 篇4 §3.6 "应立刻汇报物业总监与总经办": a serious complaint reaching the serious
    rung is told to all of it, whatever their department, off duty too; a routine
    escalation to that rung is told to the member of the complaint's department.  A
    third 副总经理, in charge of sales (department ``sales``), is added to the sample."""
    sales_deputy = StaffMember(
        "HQ-003", "韩立", "副总经理(分管销售)", "deputy_gm", "sales", site="*"
    )
    staff = [*load_sample_staff(pack=load_pack("cn-sales-office")).members(), sales_deputy]
    desk = make_desk(pack="cn-sales-office", staff=staff, notifiers=[notes])
    routine = desk.receive(intake("认购时折扣算错", at(10, 12, 10), "SR-102"), now=at(10, 12, 10))
    desk.act(
        routine.id,
        Escalate(actor="SR-101", trigger="cannot_handle", to_rung="deputy_gm"),
        now=at(10, 12, 10, 5),
    )
    serious = desk.receive(
        intake("认购时折扣算错，要去住建局投诉", at(10, 12, 20), "SR-102", n=2), now=at(10, 12, 20)
    )
    desk.act(serious.id, Escalate(actor="SR-101", trigger="serious"), now=at(10, 12, 20, 5))
    desk.deliver(at(10, 12, 20, 5))
    assert told(notes, "escalated", routine) == ["HQ-003"]
    # 20:05 Monday: HQ-002 (Mon-Fri 09:00-18:00) is off duty and told all the same
    assert told(notes, "urgent", serious) == ["HQ-001", "HQ-002", "HQ-003"]


# --------------------------------------------------------------------------- F04


@pytest.mark.procedure("IN-4")
@pytest.mark.procedure("IN-5")
def test_the_centre_hears_at_once_of_a_complaint_a_site_department_took(
    centre: Desk, notes: RecordingNotifier
) -> None:
    """003 "process management": whichever department executes it, the centre follows
    it.  A technician takes a burst pipe in person on Fri 9 Oct 16:00: engineering keeps
    the work, and the centre's duty team leader is told at once that it is owed to the
    centre's register by 16:00 the next day (IN-5's 24 hours); forwarding it there meets
    both the duty and the receiving unit's IN-5 clock."""
    c = centre.receive(
        intake("家里水管爆管漏水", at(10, 9, 16), "SR-202", channel="in_person"), now=at(10, 9, 16)
    )
    centre.deliver(at(10, 9, 16))
    assert (c.state.handler, c.state.department) == ("SR-201", "engineering")
    duty = {d.name: d for d in centre.duties(c.id, at(10, 9, 16))}["centre_registration"]
    assert (duty.owed, duty.due) == (True, at(10, 10, 16))
    assert told(notes, "duty_owed", c) == ["CC-101"]
    clock = {s.name: s for s in centre.clocks(c.id, at(10, 9, 16))}["to_customer_service"]
    assert (clock.state, clock.due) == (ClockState.RUNNING, at(10, 10, 16))
    c = centre.act(c.id, Forward(actor="CC-101", to_unit="customer_service"), now=at(10, 9, 16, 10))
    assert c.state.handler == "SR-201"  # the engineer still does the work
    assert {d.name: d for d in centre.duties(c.id, at(10, 9, 16, 10))}[
        "centre_registration"
    ].state is ClockState.MET
    clock = {s.name: s for s in centre.clocks(c.id, at(10, 9, 16, 10))}["to_customer_service"]
    assert clock.state is ClockState.MET


@pytest.mark.procedure("IN-4")
def test_a_complaint_the_centre_registers_owes_the_centre_nothing(
    centre: Desk, notes: RecordingNotifier
) -> None:
    c = centre.receive(intake("家里水管爆管漏水", at(10, 9, 16), "CC-201"), now=at(10, 9, 16))
    centre.deliver(at(10, 9, 16))
    assert "duty_owed" not in notes.topics(c.id)
    states = {d.name: d.state for d in centre.duties(c.id, at(10, 9, 16))}
    assert states["centre_registration"] is ClockState.MET


@pytest.mark.procedure("IN-5")
@pytest.mark.procedure("ESC-6")
@pytest.mark.procedure("ESC-2")
def test_a_site_complaint_never_forwarded_reaches_the_centre_by_escalation(
    centre: Desk, notes: RecordingNotifier
) -> None:
    """Received Fri 9 Oct 16:00 by a site technician and never forwarded; the first
    sweep comes 24 hours later, Sat 10 Oct 16:01.  By hand, on wall time: the
    commitment (15 min) fell due at 16:15 and the general closure (30 min) at 16:30
    on Friday, IN-5's 24 hours at 16:00 on Saturday.  Swept in time, 16:15 takes it
    from 班组长 to 客服经理 (CC-010), 16:30 to the top, 客服中心总监 (CC-001), and
    IN-5's breach finds it there: the director is told it, engineering is reported to
    行政人事部 (ESC-6), and the duty team leader hears the centre's duty is overdue.
    The one late sweep reaches the same (ESC-2: one rung per instant)."""
    c = centre.receive(
        intake("家里水管爆管漏水", at(10, 9, 16), "SR-202", channel="in_person"), now=at(10, 9, 16)
    )
    centre.deliver(at(10, 9, 16))
    notes.sent.clear()
    report = centre.sweep(at(10, 10, 16, 1))
    centre.deliver(at(10, 10, 16, 1))
    assert report.escalated == ((c.id, "commitment"), (c.id, "general_closure"))
    c = centre.get(c.id)
    assert (c.state.rung, c.state.handler) == ("centre_director", "CC-001")
    ups = [(e.to_rung, e.clock) for e in c.events if isinstance(e, Escalated)]
    assert ups == [("service_manager", "commitment"), ("centre_director", "general_closure")]
    assert told(notes, "escalated", c) == ["CC-001", "CC-010"]
    assert told(notes, "breached", c) == ["CC-001"]
    assert told(notes, "late_department", c) == ["HQ-020"]
    assert told(notes, "duty_overdue", c) == ["CC-101"]


# --------------------------------------------------------------------------- F05


@pytest.mark.procedure("ESC-3")
@pytest.mark.procedure("IN-5")
def test_a_minor_complaint_handled_as_pian_2_says_stays_with_the_supervisor(
    sales: Desk, notes: RecordingNotifier
) -> None:
    """004 篇2 §2.2 "售楼主管负责处理一般轻微投诉"; §3.3B: the form reaches 销管部 at the end.
    Received Mon 12 Oct 10:00, found a minor facilities complaint and worked on by the
    site supervisor without a forward: 24 hours later nothing is late, nothing moves."""
    c = sales.receive(
        intake("售楼处空调坏了，看房等了很久", at(10, 12, 10), "SR-102"), now=at(10, 12, 10)
    )
    c = sales.act(
        c.id,
        # 看房 is a request word of the pack (VAL-4): the supervisor says it is a
        # complaint (review s57R4 F04)
        Assess(actor="SR-101", validity="valid", kind="complaint", facts={"facility_limitation"}),
        now=at(10, 12, 11),
    )
    assert (c.state.grade.value, c.state.rung) == ("minor", "sales_supervisor")  # type: ignore[union-attr]
    notes.sent.clear()
    report = sales.sweep(at(10, 13, 10, 1))
    sales.deliver(at(10, 13, 10, 1))
    assert not report.escalated
    assert sales.get(c.id).state.rung == "sales_supervisor"
    assert told(notes, "late_department", c) == []


# --------------------------------------------------------------------------- F06


@pytest.mark.procedure("IN-6")
def test_head_office_tracking_counts_calendar_days_on_the_centres_calendar(
    centre: Desk, notes: RecordingNotifier
) -> None:
    """004 篇4 §3.4.2 gives no figure; 篇3's "3日内" + "2日内" are days, and the centre's one
    calendar is open every day: a bypass complaint registered on Wed 30 Sep 10:00 is due
    for closure at the end of the fifth day after (1, 2, 3, 4, 5 Oct), inside 国庆.  On
    cn-property's office calendar the same five are working days: 8, 9, 10 (make-up
    Saturday), 12 and 13 Oct, due at 18:00.  docs/rule-packs.md says so."""
    c = centre.receive(
        intake("物业费多收了，管理处不理", at(9, 30, 10), "HQ-010", via_head_office=True),
        now=at(9, 30, 10),
    )
    duty = {d.name: d for d in centre.duties(c.id, at(9, 30, 10))}["head_office_tracking"]
    assert duty.due == at(10, 6)
    office = make_desk(pack="cn-property")
    o = office.receive(
        intake("物业费多收了，管理处不理", at(9, 30, 10), "HQ-001", via_head_office=True),
        now=at(9, 30, 10),
    )
    duty = {d.name: d for d in office.duties(o.id, at(9, 30, 10))}["head_office_tracking"]
    assert duty.due == at(10, 13, 18)
    text = " ".join(RULE_PACKS_MD.read_text(encoding="utf-8").split())
    assert "every day is a working day, so **calendar days** there" in text
    assert "due for closure at the end of Mon 5 Oct" in text


@pytest.mark.procedure("IN-5")
@pytest.mark.procedure("IN-6")
@pytest.mark.parametrize("pack", ["cn-property", "cn-service-centre"])
def test_a_bypass_complaint_awaiting_consent_owes_no_forwarding(pack: str) -> None:
    """IN-6: head office registers a bypass complaint and routes it only with the
    complainant's consent, so IN-5's 24 hours to customer service are owed by
    nobody meanwhile (review s25J F03): nobody is reported late or told a duty is
    overdue; head office's own tracking duty (IN-6) follows it instead."""
    notes = RecordingNotifier()
    desk = make_desk(pack=pack, notifiers=[notes])
    t0 = datetime(2026, 10, 12, 10, tzinfo=SH)
    c = desk.receive(
        Intake(
            complainant=Complainant("李华", "13912340001", "5-1-801", "5", "sunrise"),
            channel="phone",
            received_at=t0,
            receiver="HQ-010",
            summary="家里水管爆管漏水",
            site="sunrise",
            via_head_office=True,
        ),
        now=t0,
    )
    assert c.awaiting_site_consent
    notes.sent.clear()
    later = datetime(2026, 10, 13, 10, 1, tzinfo=SH)  # 24 hours and a minute on
    desk.sweep(later)
    desk.deliver(later)
    told = {n.topic for n, _ in notes.sent if n.complaint_id == c.id}
    assert told.isdisjoint({"late_department", "duty_overdue"})
    states = {s.name: s.state for s in desk.clocks(c.id, later)}
    assert states["to_customer_service"] is ClockState.WAIVED


# --------------------------------------------------------------------------- review s48G F02


@pytest.mark.procedure("DL-4")
@pytest.mark.procedure("DL-7")
def test_the_centres_30_minutes_and_6_hours_run_on_the_wall_clock_at_the_desk(
    tmp_path: Path,
) -> None:
    """003 quick response: a commitment within 15 minutes, a general request's final
    reply within 30 minutes, a major one's within 6 hours, every hour of the year.
    A lift call taken by the hotline agent CC-201 on Thu 1 Oct 2026 at 23:00 (国庆,
    a holiday, at night).  By hand: commitment due 23:15, general closure 23:30;
    assessed at 23:10 as a personal injury (major), the 30 minutes are waived and
    the 6 hours run from 23:10 across midnight: due Fri 2 Oct 05:10, at risk at 80 %
    (4 h 48 min) from 03:58, breached from 05:11."""
    desk = make_desk(pack="cn-service-centre", store=SqliteStore(tmp_path / "d.sqlite3"))
    received = at(10, 1, 23)
    c = desk.receive(intake("电梯困人，老人受伤", received, "CC-201"), now=received)

    def clocks(now: datetime) -> dict[str, ClockStatus]:
        return {s.name: s for s in desk.clocks(c.id, now)}

    first = clocks(at(10, 1, 23, 5))
    assert first["commitment"].due == at(10, 1, 23, 15)
    assert first["general_closure"].due == at(10, 1, 23, 30)
    desk.act(
        c.id,
        Assess(actor=c.state.handler, validity="valid", facts=["personal_injury"]),
        now=at(10, 1, 23, 10),
    )
    assert desk.get(c.id).state.grade is Grade.MAJOR
    graded = clocks(at(10, 1, 23, 11))
    assert graded["general_closure"].state is ClockState.WAIVED
    assert graded["major_closure"].due == at(10, 2, 5, 10)
    assert graded["major_closure"].at_risk_from == at(10, 2, 3, 58)
    assert clocks(at(10, 2, 3, 57))["major_closure"].state is ClockState.RUNNING
    assert clocks(at(10, 2, 3, 58))["major_closure"].state is ClockState.AT_RISK
    assert clocks(at(10, 2, 5, 11))["major_closure"].state is ClockState.BREACHED
    desk.store.close()
