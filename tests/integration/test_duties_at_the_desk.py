"""Duties, head-office bypass and concentrated issues at the desk, on both stores.

What a property company sees: who is told, what the sweep does, what is refused.
Times are Asia/Shanghai; Monday 10 November 2025 is a working day, working hours
09:00-12:00 and 13:00-18:00 (cn-property).  The staff are the packaged sample
(``complaintcore/data/sample-staff.toml``): at site ``sunrise`` SR-001 is the
project manager, SR-101 the customer-service supervisor, SR-102 and SR-103
customer service, SR-201 the engineering supervisor, SR-301 the security
captain; head office (HQ-001, HQ-002) works at every site.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import attrs
import pytest

from complaintcore.adapters.staff import StaffList, load_sample_staff, parse_duty
from complaintcore.core.deadlines import ClockState, DutyStatus
from complaintcore.core.errors import (
    AccessDeniedError,
    IllegalTransitionError,
    InvalidInputError,
)
from complaintcore.core.models import (
    Apologised,
    Assigned,
    Complainant,
    Escalated,
    Grouped,
    Intake,
    Replied,
    TargetPerson,
    Trigger,
    Ungrouped,
)
from complaintcore.core.stats import monthly_report
from complaintcore.core.workflow import (
    Acknowledge,
    Apologise,
    Assess,
    Assign,
    CallBack,
    Classify,
    Close,
    Escalate,
    Forward,
    Promise,
    Reply,
    SignOff,
    Visit,
    evolve,
)
from complaintcore.desk import Desk
from complaintcore.desk.ports import ComplaintStore, StaffMember
from complaintcore.testing import RecordingNotifier, make_desk
from tests.helpers import SH, store_on

MON = datetime(2025, 11, 10, 10, 0, tzinfo=SH)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 11, day, hour, minute, tzinfo=SH)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ComplaintStore:
    return store_on(request.param, request, tmp_path)


@pytest.fixture
def notes() -> RecordingNotifier:
    return RecordingNotifier()


_DESK_OF: dict[int, Desk] = {}
"""The desk sending to a test's notifier: :func:`told` delivers its outbox first."""

DELIVERED_AT = datetime(2026, 1, 31, 12, 0, tzinfo=SH)
"""When the outbox is sent: after every moment of these tests (intake only queues)."""


@pytest.fixture
def desk(store: ComplaintStore, notes: RecordingNotifier) -> Iterator[Desk]:
    with make_desk(store=store, notifiers=[notes]) as d:
        _DESK_OF[id(notes)] = d
        yield d
        del _DESK_OF[id(notes)]


def owner(
    n: int, when: datetime, building: str = "3", summary: str = "楼上漏水，天花板渗水"
) -> Intake:
    """Owner ``n`` of building 3 at site sunrise, phoning customer service."""
    return Intake(
        complainant=Complainant(
            f"业主{n}", f"1390000{n:04d}", f"{building}-1-{n:02d}01", building, "sunrise"
        ),
        channel="phone",
        received_at=when,
        receiver="SR-103",
        summary=summary,
        site="sunrise",
    )


def duty(desk: Desk, cid: str, name: str, now: datetime) -> DutyStatus:
    return next(d for d in desk.duties(cid, now) if d.name == name)


def told(notes: RecordingNotifier, topic: str, cid: str | None = None) -> list[str]:
    _DESK_OF[id(notes)].deliver(DELIVERED_AT)
    return sorted(
        n.recipient
        for n, _ in notes.sent
        if n.topic == topic and (cid is None or n.complaint_id == cid)
    )


APOLOGY = {
    "apology": "因维修延误向您郑重道歉",
    "reason": "水管配件厂家延迟发货，今天中午前未能到货",
    "remedy": "明天上午10点前完成更换，免收本次维修费",
}


# --------------------------------------------------------------------------- DL-5


@pytest.mark.procedure("DL-5")
def test_a_broken_promise_is_escalated_and_owes_an_apology_at_once(
    desk: Desk, notes: RecordingNotifier
) -> None:
    """000 §4, 003 "closed feedback": a promise that cannot be kept obliges, at once, an
    apology, the specific reason and a proposed remedy."""
    c = desk.receive(owner(1, MON), now=MON)
    assert c.state.handler == "SR-201"  # engineering supervisor: minor grade, repairs
    desk.act(c.id, Promise(actor="SR-201", due=at(11, 12)), now=at(10, 10, 30))
    assert desk.sweep(at(11, 11, 59)).escalated == ()
    report = desk.sweep(at(11, 12, 30))
    assert (c.id, "promise") in report.escalated
    assert report.duties_owed == 1
    c = desk.get(c.id)
    assert c.state.handler == "SR-001"  # one rung up: the project manager holds it now
    apology = duty(desk, c.id, "apology", at(11, 12, 30))
    assert apology.state is ClockState.RUNNING
    assert apology.due == at(11, 14)  # two hours on the clock from noon (lunch counts)
    assert told(notes, "duty_owed", c.id) == ["SR-001"]
    message = next(n for n, _ in notes.sent if n.topic == "duty_owed")
    assert "apologise" in message.body
    assert "DL-5" in message.body
    with pytest.raises(InvalidInputError) as info:
        desk.act(c.id, Apologise(actor="SR-001", **{**APOLOGY, "reason": ""}), now=at(11, 13))
    assert info.value.path == "reason"
    assert desk.get(c.id).version == c.version  # nothing recorded
    c = desk.act(c.id, Apologise(actor="SR-001", **APOLOGY), now=at(11, 13, 30))
    assert isinstance(c.events[-1], Apologised)
    assert duty(desk, c.id, "apology", at(11, 16)).state is ClockState.MET
    assert desk.sweep(at(11, 16)).duties_overdue == ()


@pytest.mark.procedure("DL-5")
@pytest.mark.procedure("DL-7")
def test_an_apology_not_made_in_time_warns_then_escalates(
    desk: Desk, notes: RecordingNotifier
) -> None:
    c = desk.receive(owner(1, MON), now=MON)
    desk.act(c.id, Promise(actor="SR-201", due=at(11, 12)), now=at(10, 10, 30))
    desk.sweep(at(11, 12, 30))  # the promise is broken: to the project manager
    report = desk.sweep(at(11, 13))  # half the two hours from noon gone: at risk
    assert report.duties_at_risk == 1
    assert told(notes, "duty_at_risk", c.id) == ["SR-001"]
    report = desk.sweep(at(11, 14, 1))
    assert (c.id, "apology") in report.escalated
    assert report.duties_overdue == ((c.id, "apology"),)
    last = desk.get(c.id).events[-2]
    assert isinstance(last, Escalated)
    assert (last.trigger, last.clock, last.to_rung) == (
        Trigger.DEADLINE_MISSED,
        "apology",
        "senior_management",
    )
    assert desk.sweep(at(11, 14, 30)).escalated == ()  # once per run


@pytest.mark.procedure("DL-5")
def test_a_promise_broken_before_national_day_is_chased_during_the_holiday(
    desk: Desk, notes: RecordingNotifier
) -> None:
    """003: apologise at the first moment (第一时间).  The promise is due Tue 30 Sep
    2025 17:00, the last working hour before the 1-8 October holiday: the apology is
    due two hours on the clock later, 19:00, and the holiday sweep reports it overdue
    (in working time it would not fall due before 10:00 on 9 October)."""
    mon = datetime(2025, 9, 29, 9, 0, tzinfo=SH)  # DL-1's reply is due 10 Oct
    c = desk.receive(owner(1, mon), now=mon)
    desk.act(c.id, Promise(actor="SR-201", due=mon.replace(day=30, hour=17)), now=mon)
    report = desk.sweep(datetime(2025, 9, 30, 17, 30, tzinfo=SH))
    assert report.escalated == ((c.id, "promise"),)
    apology = duty(desk, c.id, "apology", datetime(2025, 9, 30, 17, 30, tzinfo=SH))
    assert apology.due == datetime(2025, 9, 30, 19, 0, tzinfo=SH)
    report = desk.sweep(datetime(2025, 10, 1, 10, 0, tzinfo=SH))  # National Day
    assert report.duties_overdue == ((c.id, "apology"),)
    assert report.escalated == ((c.id, "apology"),)
    assert "SR-001" in told(notes, "duty_overdue", c.id)  # the project manager holds it


@pytest.mark.procedure("PRV-1")
def test_what_a_duty_records_is_masked_for_staff_who_need_not_see_it(desk: Desk) -> None:
    c = desk.receive(owner(1, MON), now=MON)
    desk.act(
        c.id,
        Apologise(
            actor="SR-201",
            apology="已向业主1致歉",
            reason="配件未到",
            remedy="请业主1拨打13900000001预约上门时间",
        ),
        now=at(10, 11),
    )
    engineer = desk.view(c.id, "SR-202")["events"][-1]
    assert "13900000001" not in engineer["remedy"]
    assert "业主1" not in engineer["apology"]
    handler = desk.view(c.id, "SR-201", now=at(10, 11))["events"][-1]
    assert "13900000001" in handler["remedy"]


# --------------------------------------------------------------------------- REC-2, 004 篇4


@pytest.mark.procedure("REC-2")
def test_the_handler_reports_the_result_to_the_department_leader(
    desk: Desk, notes: RecordingNotifier
) -> None:
    """001 item 6, 002 §5 "五清楚，一报告"."""
    c = desk.receive(owner(1, MON), now=MON, validity="valid")
    desk.act(c.id, Reply(actor="SR-201", message="已更换水管", final=True), now=at(10, 16))
    # the handler owes the report (REC-2); no return visit: VIS-1 is owed for final
    # replies from 2026-12-05 (its applies_from, re-review s54R13), this one is in 2025
    assert told(notes, "duty_owed", c.id) == ["SR-201"]
    owed = duty(desk, c.id, "report_to_leader", at(10, 16))
    assert owed.due == at(11, 18)


@pytest.mark.procedure("GRD-3")
@pytest.mark.procedure("ESC-2")
def test_serious_and_important_complaints_owe_a_report_and_a_site_visit(
    desk: Desk, notes: RecordingNotifier
) -> None:
    """004 篇4 §3.3 (important: written report) and §3.6 (serious: to the site with the
    complainant); customer service's supervisor owes both."""
    c = desk.receive(owner(1, MON), now=MON)
    desk.act(
        c.id,
        Assess(actor="SR-101", validity="valid", facts=["personal_injury"]),
        now=at(10, 10, 5),
    )
    owed = {d.name for d in desk.duties(c.id, at(10, 10, 5)) if d.owed}
    assert owed == {"written_report", "site_visit"}
    assert told(notes, "duty_owed", c.id) == ["SR-101", "SR-101"]


# --------------------------------------------------------------------------- IN-6


def head_office_staff() -> StaffList:
    """The sample staff plus head-office customer service at two rungs."""
    extra = [
        StaffMember("HQ-031", "周总部客服主管", "总部客服主管", "department_head", "head_office"),
        StaffMember("HQ-041", "吴总部客服经理", "总部客服经理", "project_manager", "head_office"),
    ]
    return StaffList([*load_sample_staff().members(), *extra])


@pytest.fixture
def hq_desk(store: ComplaintStore, notes: RecordingNotifier) -> Iterator[Desk]:
    with make_desk(store=store, notifiers=[notes], staff=head_office_staff().members()) as d:
        _DESK_OF[id(notes)] = d
        yield d
        del _DESK_OF[id(notes)]


def bypass(when: datetime) -> Intake:
    return Intake(
        complainant=Complainant("赵强", "13700002222", "7-1-301", "7", "sunrise"),
        channel="phone",
        received_at=when,
        receiver="HQ-002",
        receiver_unit="head_office",
        summary="管理处不理睬，直接向总部投诉车位被占",
        site="sunrise",
        via_head_office=True,
    )


@pytest.mark.procedure("IN-6")
def test_no_routing_path_sends_a_bypass_complaint_to_the_site_before_consent(
    hq_desk: Desk, notes: RecordingNotifier
) -> None:
    """004 篇4 §3.4.1: head office registers it and only with the complainant's consent
    points it to the management office.  (0.1.0 routed it straight to the site's
    security captain at intake: tests/data/desk-0.1.0.sqlite, C-OLD-3.)"""
    desk = hq_desk
    c = desk.receive(bypass(MON), now=MON)
    assert c.state.unit == "head_office"
    assert c.state.handler == ""  # intake routing leaves it with head office
    assert told(notes, "assigned", c.id) == []
    with pytest.raises(AccessDeniedError, match="IN-6"):  # assigning to the site
        desk.act(
            c.id,
            Assign(actor="HQ-031", handler="SR-301", rung="department_head"),
            now=at(10, 10, 5),
        )
    desk.act(
        c.id, Assign(actor="HQ-031", handler="HQ-031", rung="department_head"), now=at(10, 10, 6)
    )
    c = desk.act(c.id, Escalate(actor="HQ-031", trigger="cannot_handle"), now=at(10, 10, 10))
    assert c.state.rung == "project_manager"
    assert c.state.handler == "HQ-041"  # re-routed within head office, not to SR-001
    with pytest.raises(IllegalTransitionError, match="consent"):
        desk.act(
            c.id,
            Forward(actor="HQ-041", to_unit="customer_service", consent=False),
            now=at(10, 10, 15),
        )
    c = desk.act(
        c.id, Forward(actor="HQ-041", to_unit="customer_service", consent=True), now=at(10, 11)
    )
    assert not c.awaiting_site_consent
    assert desk.verify().ok


@pytest.mark.procedure("IN-6")
def test_an_escalated_bypass_complaint_waits_for_head_office_rather_than_go_to_the_site(
    store: ComplaintStore,
) -> None:
    """Head office has nobody at the project manager's rung: the complaint waits for
    someone there to take it; the site's project manager is never picked."""
    site_only = [m for m in load_sample_staff().members() if m.department != "head_office"]
    clerk = StaffMember(
        "HQ-031", "周总部客服主管", "总部客服主管", "department_head", "head_office"
    )
    with make_desk(store=store, staff=[*site_only, clerk]) as desk:
        c = desk.receive(attrs.evolve(bypass(MON), receiver="HQ-031"), now=MON)
        desk.act(c.id, Assign(actor="HQ-031", handler="HQ-031", rung="department_head"), now=MON)
        c = desk.act(c.id, Escalate(actor="HQ-031", trigger="cannot_handle"), now=at(10, 10, 5))
        assert (c.state.rung, c.state.handler) == ("project_manager", "")
        assert c.state.unit == "head_office"


@pytest.mark.procedure("IN-6")
def test_head_office_entering_a_bypass_late_is_still_told_it_tracks_it(
    hq_desk: Desk, notes: RecordingNotifier
) -> None:
    """Received Monday 10:00, typed in Tuesday 09:00: the tracking runs from the
    receipt (5 working days: Mon 17 Nov 18:00), and head office is told of it."""
    c = hq_desk.receive(bypass(MON), now=at(11, 9))
    assert told(notes, "duty_owed", c.id) == ["HQ-001", "HQ-002", "HQ-031", "HQ-041"]
    assert duty(hq_desk, c.id, "head_office_tracking", at(11, 9)).due == at(17, 18)


@pytest.mark.procedure("IN-6")
def test_bypasses_imported_together_track_each_from_its_own_receipt(
    hq_desk: Desk, notes: RecordingNotifier
) -> None:
    """Five working days after the day of receipt: Monday's is due Monday 17, Tuesday's
    Tuesday 18, though both were typed in on Wednesday in one batch."""
    monday, tuesday = bypass(MON), attrs.evolve(bypass(at(11, 10)), summary="又有人占车位")
    first, second = hq_desk.receive_many([monday, tuesday], now=at(12, 9))
    assert not isinstance(first, Exception)
    assert not isinstance(second, Exception)
    head_office = ["HQ-001", "HQ-002", "HQ-031", "HQ-041"]
    assert told(notes, "duty_owed", first.id) == told(notes, "duty_owed", second.id) == head_office
    assert duty(hq_desk, first.id, "head_office_tracking", at(12, 9)).due == at(17, 18)
    assert duty(hq_desk, second.id, "head_office_tracking", at(12, 9)).due == at(18, 18)


@pytest.mark.procedure("IN-6")
def test_head_office_is_told_tracks_it_and_calls_back_after_closure(
    hq_desk: Desk, notes: RecordingNotifier
) -> None:
    """004 篇4 §3.4.2-3.4.3: head office tells the management office, tracks the
    result and calls the complainant back."""
    desk = hq_desk
    head_office = ["HQ-001", "HQ-002", "HQ-031", "HQ-041"]
    c = desk.receive(bypass(MON), now=MON)
    assert told(notes, "duty_owed", c.id) == head_office  # tracking owed from receipt
    assert duty(desk, c.id, "head_office_tracking", MON).due == at(17, 18)
    c = desk.act(c.id, Forward(actor="HQ-031", to_unit="customer_service"), now=at(10, 11))
    assert c.state.handler == "SR-301"  # released: routed at the site (parking: security)
    assert told(notes, "assigned", c.id) == ["SR-301"]
    # HDL-4: finance's part (the parking fees) is not this test's matter
    reply = Reply(actor="SR-301", message="已清理占位车辆", final=True, without_helpers=True)
    desk.act(c.id, reply, now=at(11, 10))
    desk.act(c.id, Visit(actor="SR-102", satisfied=True, opinion="满意"), now=at(11, 16))
    c = desk.act(c.id, Close(actor="SR-301", result="车位已恢复"), now=at(12, 11))
    assert duty(desk, c.id, "head_office_tracking", at(12, 11)).state is ClockState.MET
    call = duty(desk, c.id, "head_office_call_back", at(12, 11))
    assert call.owed
    assert call.due == at(14, 18)  # two working days after Wednesday: Friday's close
    # head office's tracking and call back; no return visit for a 2025 reply (VIS-1 is
    # owed from 2026-12-05, re-review s54R13)
    assert told(notes, "duty_owed", c.id) == sorted(head_office * 2)
    row = next(r for r in desk.rows() if r.id == c.id)
    assert row.status == "closed"
    assert row.next_due is not None  # a closed complaint is still swept for what it owes
    report = desk.sweep(at(14, 18, 1))
    assert report.duties_overdue == ((c.id, "head_office_call_back"),)
    assert report.escalated == ()  # closed: the owners are told, nothing escalates
    # those on duty at 18:01 (HQ-002 works 09:00-18:00)
    assert told(notes, "duty_overdue", c.id) == ["HQ-001", "HQ-031", "HQ-041"]
    c = desk.act(
        c.id,
        CallBack(actor="HQ-002", outcome="业主对处理结果满意", satisfied=True),
        now=at(17, 9),
    )
    assert duty(desk, c.id, "head_office_call_back", at(17, 9)).state is ClockState.MISSED
    assert next(r for r in desk.rows() if r.id == c.id).next_due is None


@pytest.mark.procedure("IN-5")
@pytest.mark.procedure("IN-6")
def test_a_complaint_head_office_forwards_is_any_units_receipt_not_a_bypass(
    hq_desk: Desk, notes: RecordingNotifier
) -> None:
    """IN-1 总部转办: head office registers a complaint nobody sent it past the site.
    IN-5: received by a unit other than customer service, it reaches customer service
    within 24 hours; IN-6's consent, tracking and call back are for a bypass only."""
    desk = hq_desk
    forwarded = attrs.evolve(
        bypass(MON),
        channel="forwarded",
        summary="总部转办：车位被占，没人管",
        via_head_office=False,
    )
    c = desk.receive(forwarded, now=MON)
    assert (c.state.unit, c.state.handler) == ("head_office", "SR-301")
    in5 = next(s for s in desk.clocks(c.id, at(11, 10, 1)) if s.name == "to_customer_service")
    assert (in5.state, in5.due) == (ClockState.BREACHED, at(11, 10))
    assert not duty(desk, c.id, "head_office_tracking", MON).owed
    # no consent to wait for: head office passes it on as any unit does
    c = desk.act(
        c.id,
        Forward(actor="HQ-002", to_unit="customer_service", consent=False),
        now=at(10, 11),
    )
    in5 = next(s for s in desk.clocks(c.id, at(10, 11)) if s.name == "to_customer_service")
    assert in5.state is ClockState.MET
    reply = Reply(actor="SR-301", message="已清理占位车辆", final=True, without_helpers=True)
    desk.act(c.id, reply, now=at(10, 15))
    closing = Close(actor="SR-301", result="车位已恢复", confirmed_by_complainant=True)
    c = desk.act(c.id, closing, now=at(10, 16))
    assert c.state.status.value == "closed"
    owed = {d.name: d.owed for d in desk.duties(c.id, at(10, 16))}
    assert not owed["head_office_tracking"]
    assert not owed["head_office_call_back"]
    # nothing of head office's; no return visit for a 2025 reply (VIS-1 from 2026-12-05)
    assert told(notes, "duty_owed", c.id) == []


# --------------------------------------------------------------------------- REC-6, HDL-1


@pytest.mark.procedure("REC-6")
@pytest.mark.procedure("HDL-1")
def test_the_sweep_chases_a_closed_written_complaints_missing_sign_off(
    desk: Desk, notes: RecordingNotifier
) -> None:
    """002 A.e: the supervisor signs the written complaint's record before the clerk
    archives it; cn-property allows until the end of the next working day."""
    letter = attrs.evolve(owner(1, MON), channel="written")
    phoned = owner(11, MON, building="9")  # not linked to the letter: the same history
    cids = [desk.receive(i, now=MON).id for i in (letter, phoned)]
    # 002 A.b first: the owner of the letter is called, told it is in hand (HDL-1)
    desk.act(cids[0], Acknowledge(actor="SR-102", apology="深表歉意"), now=at(10, 10, 30))
    for cid in cids:
        desk.act(cid, Reply(actor="SR-201", message="已更换水管", final=True), now=at(10, 11))
        desk.act(cid, Visit(actor="SR-102", satisfied=True, opinion="满意"), now=at(10, 14))
        desk.act(cid, Close(actor="SR-201", result="已修好"), now=at(10, 15))
    written, phone = cids
    owed = duty(desk, written, "written_sign_off", at(10, 15))
    assert owed.due == at(11, 18)  # closed Monday 15:00: the end of Tuesday
    # customer service's 主管 for the sign-off; its 客服专员 for the call, at receipt
    # (no return visit: a 2025 final reply, VIS-1 is owed from 2026-12-05)
    assert told(notes, "duty_owed", written) == ["SR-101", "SR-102"]
    assert not duty(desk, phone, "written_sign_off", at(10, 15)).owed
    report = desk.sweep(at(11, 18, 1))
    assert report.duties_overdue == ((written, "written_sign_off"),)
    assert report.escalated == ()  # closed: the owner is told, nothing escalates
    assert told(notes, "duty_overdue", written) == ["SR-101"]
    desk.act(written, SignOff(actor="SR-101"), now=at(12, 9, 30))
    assert desk.sweep(at(12, 10)).duties_overdue == ()
    report = monthly_report(
        desk.store.complaints(), desk.pack, desk.calendar, year=2025, month=11, now=at(12, 10)
    )
    sign_off = next(d for d in report.duties if d.name == "written_sign_off")
    # the written complaint's one sign-off, given on Wednesday: late
    assert (sign_off.rule, sign_off.started, sign_off.met, sign_off.missed) == ("REC-6", 1, 0, 1)


# --------------------------------------------------------------------------- VIS-2


@pytest.mark.procedure("VIS-2")
def test_the_sweep_watches_the_reply_time_appointed_at_a_visit(
    desk: Desk, notes: RecordingNotifier
) -> None:
    """002 §4.4: a question not answerable during the visit gets an appointed reply time;
    the sweep warns the handler, then escalates one rung when it passes."""
    c = desk.receive(owner(1, MON), now=MON, validity="valid")
    desk.act(c.id, Reply(actor="SR-201", message="已更换水管", final=True), now=at(10, 11))
    desk.act(
        c.id,
        Visit(actor="SR-102", satisfied=True, opinion="墙面何时重刷？", reply_due=at(12, 17)),
        now=at(11, 10),
    )
    assert desk.sweep(at(12, 10, 47)).at_risk == 0
    report = desk.sweep(at(12, 10, 48))  # 80 % of the 31 hours from the visit
    assert report.at_risk == 1
    assert told(notes, "at_risk", c.id) == ["SR-201"]
    report = desk.sweep(at(12, 17, 1))
    assert report.escalated == ((c.id, "visit_reply"),)
    c = desk.get(c.id)
    up = next(e for e in reversed(c.events) if isinstance(e, Escalated))
    assert (up.from_rung, up.to_rung, up.clock) == (
        "department_head",
        "project_manager",
        "visit_reply",
    )


# --------------------------------------------------------------------------- HDL-5, HDL-6


@pytest.mark.procedure("HDL-5")
def test_three_owners_with_one_leak_are_one_concentrated_issue(
    desk: Desk, notes: RecordingNotifier
) -> None:
    """004 篇3: "对于客户反映集中的问题，统一安排时间向客户解释"."""
    first = desk.receive(owner(1, MON), now=MON)
    second = desk.receive(owner(2, at(10, 11)), now=at(10, 11))
    again = desk.receive(owner(2, at(10, 12)), now=at(10, 12))  # the same owner calls again
    elsewhere = desk.receive(owner(9, at(10, 12), building="5"), now=at(10, 12))
    fees = desk.receive(owner(8, at(10, 12), summary="物业费账单有误"), now=at(10, 12))
    assert not any(c.state.issue for c in (first, second, again, elsewhere, fees))
    third = desk.receive(owner(3, at(10, 13)), now=at(10, 13))
    issue = third.state.issue
    assert issue == f"I-{first.id}"
    linked = [e for e in third.events if isinstance(e, Grouped)]
    assert linked[0].complainants == 3
    assert not linked[0].incident
    members = [r.id for r in desk.issue(issue)]
    assert members == [first.id, second.id, again.id, third.id]
    # customer service at the site hears of it once
    assert told(notes, "concentrated_issue") == ["SR-001", "SR-101", "SR-102", "SR-103"]
    fourth = desk.receive(owner(4, at(10, 14)), now=at(10, 14))
    assert fourth.state.issue == issue
    assert len(told(notes, "concentrated_issue")) == 4
    # one unified explanation answers everyone, each member's own DL-1 clock met
    versions = [desk.get(cid).version for cid in members]
    with pytest.raises(InvalidInputError) as info:
        desk.explain_all(issue, actor="SR-101", message=" ", now=at(10, 15))
    assert info.value.path == "message"
    assert [desk.get(cid).version for cid in members] == versions  # nothing recorded
    report = desk.explain_all(
        issue, actor="SR-101", message="3号楼供水立管破裂，今晚8点前修复", now=at(10, 15)
    )
    assert sorted(report.done) == sorted([*members, fourth.id])
    assert report.skipped == ()
    for cid in report.done:
        c = desk.get(cid)
        reply = c.events[-1]
        assert isinstance(reply, Replied)
        assert (reply.explanation, reply.issue, reply.at) == (True, issue, at(10, 15))
        dl1 = next(s for s in desk.clocks(cid, at(10, 16)) if s.name == "reply")
        assert dl1.state is ClockState.MET
    with pytest.raises(InvalidInputError) as info:
        desk.explain_all("I-nothing", actor="SR-101", message="x", now=at(10, 16))
    assert info.value.path == "issue"


@pytest.mark.procedure("HDL-6")
def test_five_owners_within_a_day_are_a_group_incident_for_the_project_manager(
    desk: Desk, notes: RecordingNotifier
) -> None:
    """004 篇1: a group complaint is reported to the project manager at once."""
    ids = [desk.receive(owner(n, at(10, 9 + n)), now=at(10, 9 + n)).id for n in range(1, 5)]
    assert told(notes, "group_incident") == []
    fifth = desk.receive(owner(5, at(10, 15)), now=at(10, 15))
    ids.append(fifth.id)
    assert told(notes, "group_incident") == ["SR-001"]
    assert told(notes, "urgent") == []  # one message for the incident, not one per call
    for cid in ids:
        c = desk.get(cid)
        assert c.state.group_incident
        assert c.state.rung == "project_manager"
        up = next(e for e in c.events if isinstance(e, Escalated))
        assert up.trigger is Trigger.INCIDENT
    sixth = desk.receive(owner(6, at(10, 16)), now=at(10, 16))
    assert sixth.state.group_incident
    assert told(notes, "group_incident") == ["SR-001"]
    assert desk.verify().ok


@pytest.mark.procedure("HDL-6")
def test_a_group_incident_at_night_reaches_every_project_manager(
    store: ComplaintStore, notes: RecordingNotifier
) -> None:
    """004 篇1: a group complaint is reported to the project manager at once.  A second
    project manager at sunrise works Mon-Fri 09-18; five owners call on Mon 10 Nov
    between 19:00 and 23:00, when only SR-001 (no hours given) is on duty.  "At once"
    is about the report, not about who happens to be on duty: both are told, the
    off-duty one's message queued for when they read it (review s24A F03)."""
    deputy = StaffMember(
        "SR-009",
        "郑副经理",
        "项目副经理",
        "project_manager",
        "customer_service",
        site="sunrise",
        duty=parse_duty("Mon-Fri 09:00-18:00"),
    )
    staff = [*load_sample_staff().members(), deputy]
    with make_desk(store=store, notifiers=[notes], staff=staff) as d:
        _DESK_OF[id(notes)] = d
        try:
            for n in range(1, 6):
                d.receive(owner(n, at(10, 18 + n)), now=at(10, 18 + n))
            assert told(notes, "group_incident") == ["SR-001", "SR-009"]
        finally:
            del _DESK_OF[id(notes)]


@pytest.mark.procedure("HDL-5")
@pytest.mark.procedure("HDL-6")
def test_bulk_intake_groups_the_same_way(desk: Desk, notes: RecordingNotifier) -> None:
    intakes = [owner(n, at(10, 9 + n)) for n in range(1, 7)]
    intakes.insert(3, owner(9, at(10, 12), building="5"))
    results = list(desk.receive_many(intakes, now=at(10, 16), batch=2))
    assert all(not isinstance(r, Exception) for r in results)
    issues = {desk.get(r.id).state.issue for r in results}  # type: ignore[union-attr]
    assert len(issues - {""}) == 1
    (issue,) = issues - {""}
    members = [r.id for r in desk.issue(issue)]
    assert len(members) == 6
    assert all(desk.get(cid).state.group_incident for cid in members)
    assert told(notes, "group_incident") == ["SR-001"]
    assert len(told(notes, "concentrated_issue")) == 4


@pytest.mark.procedure("HDL-5")
def test_closed_complaints_are_not_grouped(desk: Desk) -> None:
    first = desk.receive(owner(1, MON), now=MON)
    desk.act(
        first.id,
        Close(actor="SR-201", result="当场解决", confirmed_by_complainant=True),
        now=at(10, 10, 30),
    )
    desk.receive(owner(2, at(10, 11)), now=at(10, 11))
    third = desk.receive(owner(3, at(10, 12)), now=at(10, 12))
    assert third.state.issue == ""


@pytest.mark.procedure("HDL-5")
def test_a_complaint_reclassified_later_joins_the_issue_of_its_new_category(
    desk: Desk, notes: RecordingNotifier
) -> None:
    """A third owner's call first filed under another category is the same leak once
    customer service corrects it: three complainants make one issue (HDL-5)."""
    first = desk.receive(owner(1, MON), now=MON)
    second = desk.receive(owner(2, at(10, 11)), now=at(10, 11))
    third = desk.receive(owner(3, at(10, 12), summary="物业费账单有误"), now=at(10, 12))
    assert third.state.category != first.state.category
    assert not any(c.state.issue for c in (first, second, third))
    moved = desk.act(
        third.id,
        Classify(actor="SR-101", category=first.state.category),
        now=at(10, 13),
    )
    issue = f"I-{first.id}"
    assert moved.state.issue == issue
    assert [r.id for r in desk.issue(issue)] == [first.id, second.id, third.id]
    assert desk.get(first.id).state.issue == issue  # the stored members are linked too
    assert told(notes, "concentrated_issue") == ["SR-001", "SR-101", "SR-102", "SR-103"]
    # classified again within the same category: it stays in its issue
    again = desk.act(
        third.id,
        Classify(actor="SR-101", category=first.state.category, department="engineering"),
        now=at(10, 14),
    )
    assert again.state.issue == issue
    assert [e.kind for e in again.events[moved.version :]] == ["classified"]
    assert len(told(notes, "concentrated_issue")) == 4


@pytest.mark.procedure("HDL-5")
@pytest.mark.procedure("DL-1")
def test_a_member_reclassified_out_of_its_category_leaves_the_issue_and_its_explanation(
    desk: Desk, notes: RecordingNotifier
) -> None:
    """HDL-5: an issue is the open complaints of one category in one building, given one
    explanation.  The first owner's call turns out to be about a wrong charge: it
    leaves the leak's issue, the leak's explanation does not answer it (its DL-1
    reply clock runs on), and with two more owners' fee complaints it is an issue of
    fees, not named as the leak's."""
    leaks = [desk.receive(owner(n, at(10, 9 + n)), now=at(10, 9 + n)) for n in (1, 2, 3)]
    issue = f"I-{leaks[0].id}"
    assert [r.id for r in desk.issue(issue)] == [c.id for c in leaks]
    fees = desk.act(leaks[0].id, Classify(actor="SR-101", category="fees"), now=at(10, 13))
    assert fees.state.issue == ""
    left = [e for e in fees.events if isinstance(e, Ungrouped)]
    assert [(e.issue, e.at) for e in left] == [(issue, at(10, 13))]
    assert [r.id for r in desk.issue(issue)] == [leaks[1].id, leaks[2].id]
    report = desk.explain_all(
        issue, actor="SR-101", message="3号楼供水立管破裂，今晚8点前修复", now=at(10, 14)
    )
    assert sorted(report.done) == sorted([leaks[1].id, leaks[2].id])
    assert report.skipped == ()
    clocks = {cid: {s.name: s for s in desk.clocks(cid, at(10, 15))} for cid in report.done}
    assert all(c["reply"].state is ClockState.MET for c in clocks.values())
    reply = next(s for s in desk.clocks(fees.id, at(10, 15)) if s.name == "reply")
    assert reply.state is ClockState.RUNNING
    assert not any(isinstance(e, Replied) for e in desk.get(fees.id).events)
    charges = [
        desk.receive(owner(n, at(10, 12 + n), summary="物业费账单有误"), now=at(10, 12 + n))
        for n in (4, 5)
    ]
    joined = desk.get(fees.id).state.issue
    assert joined
    assert joined != issue  # its own issue of fees, not named as the leak's
    assert joined == charges[-1].state.issue == f"I-{charges[0].id}"
    assert [r.id for r in desk.issue(joined)] == [fees.id, *(c.id for c in charges)]
    assert [r.id for r in desk.issue(issue)] == [leaks[1].id, leaks[2].id]
    assert desk.verify().ok


@pytest.mark.procedure("HDL-6")
@pytest.mark.procedure("ESC-5")
def test_a_member_leaving_a_group_incident_keeps_its_escalation(desk: Desk) -> None:
    """HDL-6, ESC-5: reclassified out of a group incident's category, a member is no
    longer part of the incident, but the project manager who took it keeps it."""
    ids = [desk.receive(owner(n, at(10, 9 + n)), now=at(10, 9 + n)).id for n in range(1, 6)]
    before = desk.get(ids[2])
    assert before.state.group_incident
    assert before.state.rung == "project_manager"
    after = desk.act(ids[2], Classify(actor="SR-001", category="fees"), now=at(10, 16))
    assert (after.state.issue, after.state.group_incident) == ("", False)
    assert after.state.rung == "project_manager"
    assert [e for e in after.events if isinstance(e, Escalated)] == [
        e for e in before.events if isinstance(e, Escalated)
    ]
    row = next(r for r in desk.rows() if r.id == ids[2])
    assert (row.issue, row.group_incident) == ("", False)
    rest = [r.id for r in desk.issue(f"I-{ids[0]}")]
    assert rest == [i for i in ids if i != ids[2]]
    assert all(desk.get(i).state.group_incident for i in rest)


# --------------------------------------------------------------------------- IMP-2


@pytest.mark.procedure("IMP-2")
@pytest.mark.procedure("DL-5")
def test_the_monthly_report_counts_duties_started_met_and_missed(desk: Desk) -> None:
    kept, late, owed = (desk.receive(owner(n, MON), now=MON).id for n in (1, 11, 21))
    for cid in (kept, late, owed):
        desk.act(cid, Promise(actor="SR-201", due=at(10, 15)), now=at(10, 10, 30))
    desk.sweep(at(10, 15, 30))
    desk.act(kept, Apologise(actor="SR-001", **APOLOGY), now=at(10, 16))
    desk.act(late, Apologise(actor="SR-001", **APOLOGY), now=at(11, 9, 30))
    report = monthly_report(
        desk.store.complaints(), desk.pack, desk.calendar, year=2025, month=11, now=at(11, 10)
    )
    apology = next(d for d in report.duties if d.name == "apology")
    # owed from 15:00 Monday, due at 17:00: one met, one late, one still owed
    assert (apology.started, apology.met, apology.missed, apology.breached) == (3, 1, 1, 1)
    assert apology.rule == "DL-5"


# --------------------------------------------------------------------------- ESC-4


def sales_staff() -> list[StaffMember]:
    site = "xinyuan"
    return [
        StaffMember("SO-101", "置业顾问甲", "置业顾问", "sales_consultant", "sales", site),
        StaffMember("SO-201", "售楼主管乙", "售楼主管", "sales_supervisor", "sales", site),
        StaffMember(
            "SO-301", "销管部经理丙", "销管部经理", "sales_management", "customer_service", site
        ),
        StaffMember(
            "SO-302", "营销经理丁", "营销策划部经理", "sales_management", "marketing", site
        ),
        StaffMember("SO-401", "副总经理戊", "副总经理", "deputy_gm", "head_office", "*"),
    ]


@pytest.mark.procedure("ESC-4")
@pytest.mark.procedure("ESC-3")
def test_a_complaint_about_a_sales_consultant_goes_to_the_sales_management_department(
    store: ComplaintStore,
) -> None:
    """004 篇2 §2.3: 销管部负责处理客户的重要投诉和对售楼员的投诉 — not the sales supervisor."""
    with make_desk(pack="cn-sales-office", store=store, staff=sales_staff()) as desk:
        c = desk.receive(
            Intake(
                complainant=Complainant("钱先生", "13600001111", "8-1-1801", "8", "xinyuan"),
                channel="in_person",
                received_at=MON,
                receiver="SO-101",
                receiver_unit="sales",
                summary="置业顾问介绍错误，超范围承诺",
                site="xinyuan",
                target=TargetPerson("SO-101", "sales_consultant", "置业顾问", "sales"),
            ),
            now=MON,
        )
        assert c.state.rung == "sales_management"
        assert c.state.handler == "SO-301"  # 销管部, not SO-201 nor marketing's SO-302
        with pytest.raises(AccessDeniedError, match="ESC-3/ESC-4"):
            desk.act(
                c.id,
                Assign(actor="SO-301", handler="SO-201", rung="sales_supervisor"),
                now=MON + timedelta(minutes=5),
            )


def test_a_duty_owner_is_looked_for_at_the_site_unless_the_handler_works_elsewhere(
    desk: Desk,
) -> None:
    """Owners by department and rung work at the complaint's site, so the desk looks
    only there; a handler who owes the duty is found wherever they work."""
    c = desk.receive(owner(1, MON), now=MON)
    handlers = next(d for d in desk.pack.duties if d.owner_handler)
    everyone = list(desk.directory.members())
    at_site = desk._telling.owner_pool(c, handlers)
    assert [m.staff_id for m in at_site] == [m.staff_id for m in everyone if m.works_at("sunrise")]
    assert len(at_site) < len(everyone)
    elsewhere = next(m for m in everyone if m.site == "riverside")
    moved = evolve(
        c, [Assigned(at=MON, actor="system", handler=elsewhere.staff_id, rung=elsewhere.rung)]
    )
    assert elsewhere in desk._telling.owner_pool(moved, handlers)
    not_handlers = next(d for d in desk.pack.duties if not d.owner_handler)
    assert elsewhere not in desk._telling.owner_pool(moved, not_handlers)
