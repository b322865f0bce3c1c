"""VIS-4, REC-4, REC-6: an agenda item, an unanswerable report and a sign-off request
always reach someone, never the person complained about (ESC-4).

Expected recipients are read off the packaged sample staff and the cn-property
ladder (front_line → complaint_handler → department_head → project_manager →
senior_management): at sunrise the customer-service head is SR-101, the project
manager SR-001, and head office's senior management HQ-001 and HQ-002 (every
site); riverside has a customer-service head (RS-101) but no greening head.
Mon 2 and Thu 5 March 2026 are working days; everyone named is on duty at the
times used (HQ-001 and SR-001 have no duty hours: always reachable).
"""

from __future__ import annotations

from datetime import datetime

import pytest

from complaintcore.adapters.staff import load_sample_staff
from complaintcore.core.models import Complainant, Intake, TargetPerson
from complaintcore.core.workflow import Classify, Close, Handle, Reply, SignOff, Visit
from complaintcore.desk import Desk
from complaintcore.desk.ports import StaffMember
from complaintcore.testing import RecordingNotifier, make_desk
from tests.helpers import SH

PM = TargetPerson(
    staff_id="SR-001", rung="project_manager", role="项目经理", department="customer_service"
)
CS_HEAD = TargetPerson(
    staff_id="SR-101", rung="department_head", role="客服主管", department="customer_service"
)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=SH)


def intake(site: str = "sunrise", **kw: object) -> Intake:
    base: dict[str, object] = {
        "complainant": Complainant("王小明", "13812345678", "3-2-1201", "3", site),
        "channel": "phone",
        "received_at": at(2, 10),
        "receiver": "SR-103" if site == "sunrise" else "RS-103",
        "summary": "楼上漏水，天花板渗水",
        "site": site,
    }
    base.update(kw)
    return Intake(**base)  # type: ignore[arg-type]


def told(notes: RecordingNotifier, topic: str, cid: str) -> list[str]:
    # sorted: messages to different people may be sent at once, in any order
    return sorted(
        r.staff_id
        for n, r in notes.sent
        if n.topic == topic and n.complaint_id == cid and r is not None
    )


def asked_to_sign(notes: RecordingNotifier, cid: str) -> list[str]:
    """REC-6: who is asked to sign the closed record: cn-property's sign-off duty tells
    its owners (``duty_owed`` naming REC-6), and no separate ``sign_off`` message goes."""
    assert told(notes, "sign_off", cid) == []
    # sorted: messages to different people may be sent at once, in any order
    return sorted(
        r.staff_id
        for n, r in notes.sent
        if n.topic == "duty_owed" and n.complaint_id == cid and "REC-6" in n.body and r is not None
    )


def visited_with_a_major_issue(desk: Desk, notes: RecordingNotifier, case: Intake) -> str:
    c = desk.receive(case, now=at(2, 10))
    handler = c.state.handler
    desk.act(c.id, Handle(actor=handler, result="已修复"), now=at(3, 10))
    desk.act(c.id, Reply(actor=handler, message="已修复", final=True), now=at(3, 11))
    desk.act(
        c.id,
        Visit(actor="SR-102", satisfied=True, major_issue=True, problem="整栋楼水管老化"),
        now=at(5, 10),
    )
    desk.deliver(at(5, 10))
    return c.id


@pytest.mark.procedure("VIS-4")
def test_a_major_issue_goes_to_the_project_managers_agenda() -> None:
    notes = RecordingNotifier()
    desk = make_desk(notifiers=[notes])
    cid = visited_with_a_major_issue(desk, notes, intake())
    assert told(notes, "meeting_agenda", cid) == ["SR-001"]
    # the agenda item says what the problem is (review s55R1 F02)
    (item,) = (n for n, _ in notes.sent if n.topic == "meeting_agenda" and n.complaint_id == cid)
    assert "整栋楼水管老化" in item.body


@pytest.mark.procedure("VIS-4")
@pytest.mark.procedure("ESC-4")
def test_a_major_issue_about_the_project_manager_goes_to_the_rung_above() -> None:
    """SR-001 is the only project manager at sunrise and the one complained about:
    the agenda item goes up to senior management, HQ-001 and HQ-002."""
    notes = RecordingNotifier()
    desk = make_desk(notifiers=[notes])
    cid = visited_with_a_major_issue(desk, notes, intake(target=PM))
    assert told(notes, "meeting_agenda", cid) == ["HQ-001", "HQ-002"]


def closed_written_complaint(desk: Desk, notes: RecordingNotifier) -> str:
    c = desk.receive(intake(channel="written", target=CS_HEAD), now=at(2, 10))
    assert (c.state.handler, c.state.department) == ("SR-001", "customer_service")
    desk.act(c.id, Reply(actor="SR-001", message="已处理", final=True), now=at(3, 11))
    desk.act(
        c.id,
        Close(actor="SR-001", result="已处理", confirmed_by_complainant=True),
        now=at(3, 12),
    )
    desk.deliver(at(3, 12))
    return c.id


@pytest.mark.procedure("REC-6")
@pytest.mark.procedure("ESC-4")
def test_sign_off_asks_the_next_supervisor_when_the_first_is_complained_about() -> None:
    """SR-101 sorts first among sunrise's customer-service supervisors but is the one
    complained about: the request goes to the second, SR-104, who may sign."""
    second = StaffMember(
        "SR-104",
        "周婷",
        "客服主管(二)",
        "department_head",
        "customer_service",
        "sunrise",
    )
    notes = RecordingNotifier()
    desk = make_desk(notifiers=[notes], staff=[*load_sample_staff().members(), second])
    cid = closed_written_complaint(desk, notes)
    assert asked_to_sign(notes, cid) == ["SR-104"]
    assert desk.act(cid, SignOff(actor="SR-104"), now=at(3, 13)).state.signed_off


@pytest.mark.procedure("REC-6")
def test_sign_off_goes_up_the_ladder_when_no_other_supervisor_works_there() -> None:
    """The sample staff has one customer-service supervisor at sunrise, SR-101, the
    one complained about: the project manager SR-001 is asked, and may sign."""
    notes = RecordingNotifier()
    desk = make_desk(notifiers=[notes])
    cid = closed_written_complaint(desk, notes)
    assert asked_to_sign(notes, cid) == ["SR-001"]
    assert desk.act(cid, SignOff(actor="SR-001"), now=at(3, 13)).state.signed_off


def unanswerable(desk: Desk, case: Intake, *, department: str = "", replier: str = "") -> str:
    """The complaint reported unanswerable (REC-4) by ``replier``, else its handler, or
    for a reclassified one the site's complaint handler, who reclassifies it."""
    c = desk.receive(case, now=at(2, 10))
    clerk = "RS-102" if case.site == "riverside" else "SR-102"
    if department:
        desk.act(
            c.id,
            Classify(actor=clerk, category=department, department=department),
            now=at(2, 10, 10),
        )
    replier = replier or (clerk if department else c.state.handler)
    desk.act(
        c.id,
        Reply(
            actor=replier,
            message="需要评估",
            unanswerable_reason="需外包公司现场评估",
            agreed_due=at(5, 17),  # DL-3: a new date agreed
        ),
        now=at(2, 11),
    )
    desk.deliver(at(2, 11))
    return c.id


@pytest.mark.procedure("REC-4")
def test_unanswerable_goes_to_the_departments_own_head() -> None:
    notes = RecordingNotifier()
    desk = make_desk(notifiers=[notes])
    cid = unanswerable(desk, intake(summary="绿化带杂草丛生"), department="greening")
    assert told(notes, "unanswerable", cid) == ["SR-501"]


@pytest.mark.procedure("REC-4")
def test_unanswerable_without_a_department_head_goes_to_customer_services_head() -> None:
    """Riverside has no greening head: 002 §3.3 is customer service's own rulebook,
    so its head RS-101 is the 部门负责人 told."""
    notes = RecordingNotifier()
    desk = make_desk(notifiers=[notes])
    cid = unanswerable(
        desk, intake("riverside", summary="绿化带杂草丛生，树枝挡窗"), department="greening"
    )
    assert told(notes, "unanswerable", cid) == ["RS-101"]


@pytest.mark.procedure("REC-4")
@pytest.mark.procedure("ESC-4")
def test_unanswerable_about_the_only_head_goes_up_the_ladder() -> None:
    """The complaint is about SR-101, sunrise's only customer-service head: the
    project manager SR-001 is told."""
    notes = RecordingNotifier()
    desk = make_desk(notifiers=[notes])
    cid = unanswerable(desk, intake(target=CS_HEAD))
    assert told(notes, "unanswerable", cid) == ["SR-001"]


@pytest.mark.procedure("REC-6")
def test_sign_off_asks_the_duty_owners_but_the_one_complained_about() -> None:
    """Sunrise has three customer-service supervisors, SR-101 (complained about),
    SR-104 and SR-105.  The sign-off duty's owners are asked, as they are warned
    later (review s37A F04): SR-104 and SR-105, once each, never SR-101.  (The
    single ``sign_off`` message of s31G F08 is for packs without a sign-off duty.)"""
    extra = [
        StaffMember(sid, name, "客服主管", "department_head", "customer_service", "sunrise")
        for sid, name in (("SR-104", "周婷"), ("SR-105", "吴敏"))
    ]
    notes = RecordingNotifier()
    desk = make_desk(notifiers=[notes], staff=[*load_sample_staff().members(), *extra])
    cid = closed_written_complaint(desk, notes)
    assert asked_to_sign(notes, cid) == ["SR-104", "SR-105"]


@pytest.mark.procedure("REC-4")
@pytest.mark.procedure("REC-6")
@pytest.mark.procedure("ESC-4")
def test_the_rung_above_in_any_department_is_told_when_the_site_has_nobody() -> None:
    """Riverside without its project manager (RS-001's post vacant) and without a
    greening head; a greening complaint about RS-101, its only customer-service
    head.  Nobody at the supervisor or project-manager rung is left in greening or
    customer service, so the rung above, senior management in head office (HQ-001,
    HQ-002, every site), hears of the unanswerable reply, and one of them, HQ-001
    (always on duty, first by staff id), is asked to sign off (s31G F01)."""
    staff = [m for m in load_sample_staff().members() if m.staff_id != "RS-001"]
    about_rs101 = TargetPerson(
        staff_id="RS-101", rung="department_head", role="客服主管", department="customer_service"
    )
    weeds = {"summary": "绿化带杂草丛生，树枝挡窗", "target": about_rs101}

    notes = RecordingNotifier()
    desk = make_desk(notifiers=[notes], staff=staff)
    # ESC-4: reported unanswerable at the rung the complaint about RS-101 needs
    cid = unanswerable(desk, intake("riverside", **weeds), department="greening", replier="HQ-001")
    assert told(notes, "unanswerable", cid) == ["HQ-001", "HQ-002"]

    notes = RecordingNotifier()
    desk = make_desk(notifiers=[notes], staff=staff)
    c = desk.receive(intake("riverside", channel="written", **weeds), now=at(2, 10))
    desk.act(
        c.id,
        Classify(actor="RS-102", category="greening", department="greening"),
        now=at(2, 10, 10),
    )
    handler = desk.get(c.id).state.handler
    desk.act(c.id, Reply(actor=handler, message="已处理", final=True), now=at(3, 11))
    desk.act(
        c.id, Close(actor=handler, result="已处理", confirmed_by_complainant=True), now=at(3, 12)
    )
    desk.deliver(at(3, 12))
    assert asked_to_sign(notes, c.id) == ["HQ-001"]
