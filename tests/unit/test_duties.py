"""Duties: what a role owes by when, derived from the events (DL-5, REC-2, IN-6, VIS-2 …).

Expected values come from the documents and the shipped pack's reading of them
(cn-property: working days Monday to Friday, 09:00-12:00 and 13:00-18:00,
Asia/Shanghai; the apology a broken promise owes runs on the clock); every due
time below is worked out by hand in the comment next to it.  10 November 2025 is
a Monday; 1-8 October 2025 is the National Day holiday.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from importlib.resources import files

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.core.deadlines import ClockState, DutyStatus, compute_clocks, compute_duties
from complaintcore.core.errors import (
    IllegalTransitionError,
    InvalidInputError,
    RulePackError,
)
from complaintcore.core.models import Apologised, Complaint, Fact, Reported
from complaintcore.core.rulepack import ClockMode, RulePack
from complaintcore.core.workflow import (
    Apologise,
    Assess,
    Assign,
    CallBack,
    Close,
    Escalate,
    Forward,
    Promise,
    Reopen,
    Reply,
    Report,
    SignOff,
    Visit,
    VisitSite,
)
from complaintcore.rules import load_pack_text
from complaintcore.serialization import to_dict
from tests.helpers import SH, Runner, intake, pack

PACK = pack()
CAL = calendar_for_spec(PACK.calendar)


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)  # type: ignore[misc]


MON_10 = at(2025, 11, 10, 10, 0)


def duty(c: Complaint, name: str, now: datetime, the_pack: RulePack = PACK) -> DutyStatus:
    found = compute_duties(c, the_pack, calendar_for_spec(the_pack.calendar), now)
    return next(d for d in found if d.name == name)


def runner(**kw: object) -> Runner:
    r = Runner(PACK, intake(received_at=MON_10, **kw))
    r.register()
    return r


def step(r: Runner, when: datetime, command: object) -> Complaint:
    return r(command, after=when - r.now)  # type: ignore[arg-type]


APOLOGY = Apologise(
    actor="h-1",
    apology="向业主郑重道歉",
    reason="更换的水管配件厂家延迟发货",
    remedy="明天上午10点前完成更换，并免收本次维修费",
)


# --------------------------------------------------------------------------- DL-5


@pytest.mark.procedure("DL-5")
def test_a_broken_promise_owes_an_apology_from_the_minute_it_was_broken() -> None:
    """000 §4, 003 "closed feedback": when a promise cannot be kept, apologise at the
    first moment, give the specific reason and propose a remedy.  cn-property reads
    "at once" as two hours on the clock."""
    r = runner()
    step(r, at(2025, 11, 10, 10, 5), Assess(actor="h-1", validity="valid"))
    c = step(r, at(2025, 11, 10, 10, 10), Promise(actor="h-1", due=at(2025, 11, 11, 12, 0)))
    assert duty(c, "apology", at(2025, 11, 11, 11, 59)).state is ClockState.NOT_STARTED
    owed = duty(c, "apology", at(2025, 11, 11, 12, 30))
    assert owed.state is ClockState.RUNNING
    assert owed.owed
    assert owed.clock.started_at == at(2025, 11, 11, 12, 0)  # the promised time itself
    # two hours on the clock: the lunch break 12:00-13:00 does not put it off
    assert owed.due == at(2025, 11, 11, 14, 0)
    assert owed.duty.command == "apologise"
    # at risk from half of the budget: one hour, 13:00
    assert owed.clock.at_risk_from == at(2025, 11, 11, 13, 0)
    assert duty(c, "apology", at(2025, 11, 11, 13, 0)).state is ClockState.AT_RISK
    assert duty(c, "apology", at(2025, 11, 11, 14, 1)).state is ClockState.BREACHED
    c = step(r, at(2025, 11, 11, 13, 30), APOLOGY)
    assert isinstance(c.events[-1], Apologised)
    met = duty(c, "apology", at(2025, 11, 12, 9, 0))
    assert met.state is ClockState.MET
    assert not met.owed


@pytest.mark.procedure("DL-5")
@pytest.mark.parametrize(
    ("name", "received", "promised", "at_risk", "due"),
    [
        # 003 quick response: within half an hour, day or night.  A promise due at
        # noon on Saturday 15 Nov 2025 is broken: apologise by 12:30, at risk from
        # half of it, 12:15
        (
            "cn-service-centre",
            at(2025, 11, 14, 10, 0),
            at(2025, 11, 15, 12, 0),
            at(2025, 11, 15, 12, 15),
            at(2025, 11, 15, 12, 30),
        ),
        # cn-sales-office reads "at once" as 2 hours on the clock: broken at 17:00 on
        # Tue 30 Sep 2025, the eve of National Day: due 19:00 that evening, at risk
        # from 18:00
        (
            "cn-sales-office",
            at(2025, 9, 29, 9, 0),
            at(2025, 9, 30, 17, 0),
            at(2025, 9, 30, 18, 0),
            at(2025, 9, 30, 19, 0),
        ),
    ],
)
def test_the_other_shipped_packs_owe_the_apology_on_the_wall_clock(
    name: str, received: datetime, promised: datetime, at_risk: datetime, due: datetime
) -> None:
    """DL-5 in the two other shipped packs (review s52R1 F03)."""
    the_pack = pack(name)
    r = Runner(the_pack, intake(received_at=received))
    r.register()
    c = step(r, received + timedelta(minutes=10), Promise(actor="h-1", due=promised))
    minute = timedelta(minutes=1)
    # the promise is broken once its agreed minute has passed (DL-7)
    assert duty(c, "apology", promised, the_pack).state is ClockState.NOT_STARTED
    owed = duty(c, "apology", promised + minute, the_pack)
    assert owed.owed
    assert owed.clock.started_at == promised  # owed from the promised time itself
    assert owed.due == due
    assert owed.clock.at_risk_from == at_risk
    assert duty(c, "apology", at_risk - minute, the_pack).state is ClockState.RUNNING
    assert duty(c, "apology", due, the_pack).state is ClockState.AT_RISK
    assert duty(c, "apology", due + minute, the_pack).state is ClockState.BREACHED


@pytest.mark.procedure("DL-5")
def test_an_apology_after_the_deadline_is_missed_and_closure_does_not_excuse_it() -> None:
    r = runner()
    step(r, at(2025, 11, 10, 10, 10), Promise(actor="h-1", due=at(2025, 11, 10, 16, 0)))
    # the promise is kept late: the reply comes at 17:00, an hour after the agreed time
    step(r, at(2025, 11, 10, 17, 0), Reply(actor="h-1", message="已修好", final=True))
    c = step(
        r,
        at(2025, 11, 10, 17, 30),
        Close(actor="h-1", result="修好", confirmed_by_complainant=True),
    )
    late = duty(c, "apology", at(2025, 11, 11, 9, 0))
    # owed from 16:00, two working hours: 16:00-18:00 Monday; closing did not end it
    assert late.clock.started_at == at(2025, 11, 10, 16, 0)
    assert late.due == at(2025, 11, 10, 18, 0)
    assert late.state is ClockState.BREACHED
    c = step(r, at(2025, 11, 11, 9, 30), APOLOGY)  # a closed complaint still takes it
    assert duty(c, "apology", at(2025, 11, 11, 10, 0)).state is ClockState.MISSED


@pytest.mark.procedure("DL-5")
def test_every_broken_promise_owes_its_own_apology() -> None:
    r = runner()
    step(r, at(2025, 11, 10, 10, 10), Promise(actor="h-1", due=at(2025, 11, 10, 15, 0)))
    step(r, at(2025, 11, 10, 15, 30), APOLOGY)
    step(r, at(2025, 11, 10, 15, 35), Promise(actor="h-1", due=at(2025, 11, 11, 10, 0)))
    c = r.complaint
    assert duty(c, "apology", at(2025, 11, 10, 17, 0)).state is ClockState.MET
    second = duty(c, "apology", at(2025, 11, 11, 10, 30))
    assert second.clock.run == 2
    assert second.state is ClockState.RUNNING
    assert second.due == at(2025, 11, 11, 12, 0)


@pytest.mark.procedure("DL-5")
def test_a_promise_kept_or_replaced_in_time_owes_nothing() -> None:
    r = runner()
    step(r, at(2025, 11, 10, 10, 10), Promise(actor="h-1", due=at(2025, 11, 10, 15, 0)))
    # a new time agreed before the first one passed replaces it (DL-5)
    step(r, at(2025, 11, 10, 14, 0), Promise(actor="h-1", due=at(2025, 11, 11, 15, 0)))
    c = step(r, at(2025, 11, 11, 11, 0), Reply(actor="h-1", message="已修好", final=True))
    assert duty(c, "apology", at(2025, 11, 12, 9, 0)).state is ClockState.NOT_STARTED


@pytest.mark.procedure("DL-5")
@pytest.mark.parametrize("blank", ["apology", "reason", "remedy"])
def test_an_apology_records_all_three_parts(blank: str) -> None:
    r = runner()
    with pytest.raises(InvalidInputError) as info:
        r(attrs.evolve(APOLOGY, **{blank: "  "}))
    assert info.value.path == blank
    assert len(r.complaint.events) == 1


# --------------------------------------------------------------------------- REC-2


@pytest.mark.procedure("REC-2")
def test_the_content_and_result_are_reported_to_the_department_leader() -> None:
    """001 item 6, 002 §5 "五清楚，一报告": the content and result of a handled complaint
    are reported to the department leader in time (cn-property: by the end of the next
    working day)."""
    r = runner()
    step(r, at(2025, 11, 10, 10, 5), Assess(actor="h-1", validity="valid"))
    c = step(r, at(2025, 11, 10, 16, 0), Reply(actor="h-1", message="已修好", final=True))
    owed = duty(c, "report_to_leader", at(2025, 11, 10, 16, 0))
    assert owed.state is ClockState.RUNNING
    assert owed.due == at(2025, 11, 11, 18, 0)
    with pytest.raises(InvalidInputError) as info:  # the pack asks for the result too
        r(Report(actor="h-1", content="3号楼楼上漏水"))
    assert info.value.path == "result"
    c = step(
        r,
        at(2025, 11, 11, 9, 0),
        Report(actor="h-1", content="3号楼楼上漏水", result="已更换水管", to="SR-101"),
    )
    assert isinstance(c.events[-1], Reported)
    assert duty(c, "report_to_leader", at(2025, 11, 11, 9, 0)).state is ClockState.MET


@pytest.mark.procedure("REC-2")
@pytest.mark.procedure("VAL-4")
def test_only_valid_complaints_owe_the_report() -> None:
    r = runner()
    step(r, at(2025, 11, 10, 10, 5), Assess(actor="h-1", validity="valid", kind="request"))
    c = step(r, at(2025, 11, 10, 16, 0), Reply(actor="h-1", message="已安排", final=True))
    assert duty(c, "report_to_leader", at(2025, 11, 12, 9, 0)).state is ClockState.NOT_STARTED


# --------------------------------------------------------------------------- 004 篇4 §3.3, §3.6


@pytest.mark.procedure("GRD-3")
def test_an_important_complaint_needs_a_written_report() -> None:
    """004 篇4 §3.3: ordinary complaints are reported by phone or in person; important
    ones need a written report (重要投诉需要呈书面报告)."""
    r = runner(summary="维修工上门态度恶劣")
    c = step(r, at(2025, 11, 10, 10, 5), Assess(actor="h", validity="valid", facts=["staff_fault"]))
    owed = duty(c, "written_report", at(2025, 11, 10, 10, 5))
    assert owed.state is ClockState.RUNNING
    assert owed.due == at(2025, 11, 11, 18, 0)  # end of the next working day
    assert (owed.duty.owner_department, owed.duty.owner_rung) == (
        "customer_service",
        "department_head",
    )
    c = step(r, at(2025, 11, 10, 11, 0), Report(actor="h", content="维修工态度", result="已处理"))
    assert duty(c, "written_report", at(2025, 11, 10, 11, 0)).owed  # by word of mouth: not yet
    with pytest.raises(InvalidInputError) as info:
        r(Report(actor="h", content="维修工态度", written=True))
    assert info.value.path == "reference"
    c = step(
        r,
        at(2025, 11, 10, 15, 0),
        Report(actor="h", content="维修工态度", written=True, reference="客服报〔2025〕17号"),
    )
    assert duty(c, "written_report", at(2025, 11, 10, 15, 0)).state is ClockState.MET


@pytest.mark.procedure("GRD-4")
def test_a_minor_complaint_needs_no_written_report() -> None:
    r = runner()
    c = step(r, at(2025, 11, 10, 10, 5), Assess(actor="h", validity="valid"))
    assert c.state.grade is not None
    assert c.state.grade.value == "minor"
    assert duty(c, "written_report", at(2025, 11, 14, 9, 0)).state is ClockState.NOT_STARTED


@pytest.mark.procedure("ESC-2")
@pytest.mark.parametrize(
    "serious",
    [
        Escalate(actor="h", trigger="serious"),
        Assess(actor="h", validity="valid", facts=[Fact.PERSONAL_INJURY]),
    ],
    ids=["serious", "major"],
)
def test_a_serious_complaint_needs_an_on_site_visit(serious: object) -> None:
    """004 篇4 §3.6: a serious complaint is reported at once and customer service takes
    the departments to the site with the complainant (cn-property: 4 hours on the clock,
    立刻 does not wait out the lunch break)."""
    r = runner()
    c = step(r, at(2025, 11, 10, 10, 10), serious)
    owed = duty(c, "site_visit", at(2025, 11, 10, 10, 10))
    assert owed.state is ClockState.RUNNING
    assert owed.due == at(2025, 11, 10, 14, 10)
    with pytest.raises(InvalidInputError) as info:
        r(VisitSite(actor="h", findings="ok", departments=("plumbing",)))
    assert info.value.path == "departments[0]"
    c = step(
        r,
        at(2025, 11, 10, 14, 0),
        VisitSite(actor="h", findings="12楼主水管接头破裂，已关阀", departments=("engineering",)),
    )
    assert duty(c, "site_visit", at(2025, 11, 10, 14, 0)).state is ClockState.MET


# --------------------------------------------------------------------------- IN-6


def head_office_runner() -> Runner:
    r = Runner(
        PACK,
        intake(
            received_at=MON_10,
            receiver="HQ-002",
            receiver_unit="head_office",
            via_head_office=True,
            summary="管理处不理睬，直接向总部投诉停车位被占",
        ),
    )
    r.register("HQ-002")
    return r


@pytest.mark.procedure("IN-6")
def test_a_bypass_complaint_stays_with_head_office_until_the_complainant_consents() -> None:
    """004 篇4 §3.4.1: head office registers it and, with the complainant's consent,
    points it to the management office."""
    r = head_office_runner()
    c = r.complaint
    assert c.state.unit == PACK.head_office_unit
    assert c.awaiting_site_consent
    with pytest.raises(IllegalTransitionError, match="IN-6"):
        r(Assign(actor="HQ-002", handler="SR-301", rung="department_head", department="security"))
    r(Assign(actor="HQ-002", handler="HQ-001", rung="senior_management", department="head_office"))
    with pytest.raises(IllegalTransitionError, match="consent"):
        r(Forward(actor="HQ-002", to_unit="customer_service", consent=False))
    c = r(Forward(actor="HQ-002", to_unit="customer_service", consent=True))
    assert not c.awaiting_site_consent
    assert c.state.unit == "customer_service"
    c = r(Assign(actor="HQ-002", handler="SR-301", rung="senior_management", department="security"))
    assert c.state.handler == "SR-301"


@pytest.mark.procedure("IN-6")
def test_head_office_tracks_it_to_closure_then_calls_back() -> None:
    """004 篇4 §3.4.2-3.4.3: head office checks the result in the set time and calls or
    visits the complainant.  cn-property: 5 working days to closure (the DL-3 chain's
    3 + 2), the call back within 2 working days of closure."""
    r = head_office_runner()
    c = r.complaint
    tracking = duty(c, "head_office_tracking", MON_10)
    assert tracking.state is ClockState.RUNNING
    assert tracking.due == at(2025, 11, 17, 18, 0)  # Tue 11 … Mon 17: five working days
    assert duty(c, "head_office_call_back", MON_10).state is ClockState.NOT_STARTED
    step(r, at(2025, 11, 10, 11, 0), Forward(actor="HQ-002", to_unit="customer_service"))
    step(r, at(2025, 11, 12, 10, 0), Reply(actor="h", message="已清理占位车辆", final=True))
    c = step(
        r,
        at(2025, 11, 12, 11, 0),
        Close(actor="h", result="已解决", confirmed_by_complainant=True),
    )
    assert duty(c, "head_office_tracking", at(2025, 11, 12, 11, 0)).state is ClockState.MET
    call = duty(c, "head_office_call_back", at(2025, 11, 12, 11, 0))
    assert call.state is ClockState.RUNNING
    assert call.due == at(2025, 11, 14, 18, 0)  # Thursday 13 and Friday 14
    assert duty(c, "head_office_call_back", at(2025, 11, 14, 18, 1)).state is ClockState.BREACHED
    c = step(r, at(2025, 11, 14, 15, 0), CallBack(actor="HQ-002", outcome="业主表示满意"))
    assert duty(c, "head_office_call_back", at(2025, 11, 20)).state is ClockState.MET


@pytest.mark.procedure("IN-6")
@pytest.mark.parametrize("pack_name", ["cn-property", "cn-sales-office", "cn-service-centre"])
def test_a_reopened_bypass_complaint_is_tracked_again_and_owes_a_new_call_back(
    pack_name: str,
) -> None:
    """IN-6 "head office tracks it to the end" (004 篇4 §3.4.2-3.4.3): a reopened
    complaint is not at its end, so head office tracks it again, and its next closure
    owes a call back of its own.  Review s24A F02, worked by hand on the 2026
    calendar (Qingming: Sat 4 - Mon 6 April)."""
    the_pack = pack(pack_name)
    r = Runner(
        the_pack,
        intake(
            received_at=at(2026, 4, 2, 10, 0),
            receiver="HQ-002",
            receiver_unit="head_office",
            via_head_office=True,
            summary="直接向总部投诉：楼道垃圾没人清理，很脏",
        ),
    )
    r.register("HQ-002")
    step(r, at(2026, 4, 2, 10, 30), Forward(actor="HQ-002", to_unit="customer_service"))
    step(r, at(2026, 4, 3, 10, 0), Reply(actor="h", message="已清理", final=True))
    step(r, at(2026, 4, 3, 11, 0), Close(actor="h", result="已清理", confirmed_by_complainant=True))
    step(r, at(2026, 4, 3, 15, 0), CallBack(actor="HQ-002", outcome="业主满意"))
    c = step(r, at(2026, 4, 8, 9, 0), Reopen(actor="SR-102", reason="垃圾又堆满了"))
    tracking = duty(c, "head_office_tracking", at(2026, 4, 8, 9, 0), the_pack)
    assert tracking.owed
    assert duty(c, "head_office_tracking", at(2026, 4, 20, 9, 0), the_pack).owed
    if pack_name != "cn-service-centre":  # 09-12, 13-18 Monday to Friday, CN holidays
        # restarted at the reopening: Thu 9, Fri 10, Mon 13, Tue 14, Wed 15 April
        assert tracking.due == at(2026, 4, 15, 18, 0)
        assert (
            duty(c, "head_office_tracking", at(2026, 4, 20, 9, 0), the_pack).state
            is ClockState.BREACHED
        )
    step(r, at(2026, 4, 20, 10, 0), Reply(actor="h", message="已再次清理", final=True))
    c = step(
        r,
        at(2026, 4, 20, 11, 0),
        Close(actor="h", result="再次清理", confirmed_by_complainant=True),
    )
    # closed after the restarted run's due time: that run was missed
    assert duty(c, "head_office_tracking", at(2026, 4, 20, 11, 0), the_pack).state is (
        ClockState.MISSED
    )
    call = duty(c, "head_office_call_back", at(2026, 4, 20, 11, 0), the_pack)
    assert call.owed
    if pack_name != "cn-service-centre":
        assert call.due == at(2026, 4, 22, 18, 0)  # Tue 21 and Wed 22 April
    c = step(r, at(2026, 4, 21, 15, 0), CallBack(actor="HQ-002", outcome="业主满意"))
    assert duty(c, "head_office_call_back", at(2026, 4, 21, 15, 0), the_pack).state is (
        ClockState.MET
    )


@pytest.mark.procedure("IN-6")
def test_complaints_received_at_the_site_owe_head_office_nothing() -> None:
    r = runner()
    c = step(
        r, at(2025, 11, 10, 11, 0), Close(actor="h", result="ok", confirmed_by_complainant=True)
    )
    for name in ("head_office_tracking", "head_office_call_back"):
        assert duty(c, name, at(2025, 11, 20)).state is ClockState.NOT_STARTED


# --------------------------------------------------------------------------- REC-6, HDL-1


def written_runner(received: datetime = MON_10) -> Runner:
    r = Runner(PACK, intake(received_at=received, channel="written"))
    r.register()
    return r


def close(r: Runner, when: datetime) -> Complaint:
    step(r, when - timedelta(minutes=30), Reply(actor="h-1", message="已修好", final=True))
    return step(r, when, Close(actor="h-1", result="已修好", confirmed_by_complainant=True))


@pytest.mark.procedure("REC-6")
@pytest.mark.procedure("HDL-1")
def test_a_closed_written_complaint_owes_the_supervisors_sign_off_by_the_next_working_day() -> None:
    """002 A.e: the written complaint's handling record is signed by the supervisor
    (主管签署) before the clerk archives it.  002 gives no time; cn-property allows
    until the end of the next working day after closure."""
    r = written_runner()
    assert duty(r.complaint, "written_sign_off", MON_10).state is ClockState.NOT_STARTED
    c = close(r, at(2025, 11, 10, 15, 0))
    owed = duty(c, "written_sign_off", at(2025, 11, 10, 15, 0))
    assert owed.rule == "REC-6"
    assert (owed.state, owed.owed) == (ClockState.RUNNING, True)
    assert owed.clock.started_at == at(2025, 11, 10, 15, 0)
    assert owed.due == at(2025, 11, 11, 18, 0)  # end of Tuesday, the next working day
    # 80 % of the 11 working hours (Mon 15-18, Tue 9-12 and 13-18) is 8 h 48 min:
    # Monday's 3 h, Tuesday 9-12, then 13:00 + 2 h 48 min
    assert owed.clock.at_risk_from == at(2025, 11, 11, 15, 48)
    assert (owed.duty.command, owed.duty.owner_department, owed.duty.owner_rung) == (
        "sign_off",
        "customer_service",
        "department_head",
    )
    late = duty(c, "written_sign_off", at(2025, 11, 11, 18, 1))
    assert (late.state, late.owed) == (ClockState.BREACHED, True)
    c = step(r, at(2025, 11, 11, 10, 0), SignOff(actor="s-1"))
    assert duty(c, "written_sign_off", at(2025, 11, 12, 9, 0)).state is ClockState.MET


@pytest.mark.procedure("REC-6")
def test_a_closed_telephone_complaint_owes_no_sign_off() -> None:
    r = runner()  # by phone
    c = close(r, at(2025, 11, 10, 15, 0))
    none = duty(c, "written_sign_off", at(2025, 11, 12, 9, 0))
    assert (none.state, none.owed) == (ClockState.NOT_STARTED, False)
    assert none.clock.derivation == ("not owed: only for these channels: in writing",)


@pytest.mark.procedure("REC-6")
def test_a_record_reopened_before_sign_off_owes_it_again_from_its_next_closure() -> None:
    """A reopened record is back in handling and cannot be signed: nothing is owed
    while it is open; the next closure owes its own sign-off."""
    r = written_runner()
    close(r, at(2025, 11, 10, 15, 0))
    c = step(r, at(2025, 11, 11, 9, 30), Reopen(actor="h-1", reason="业主反映仍漏水"))
    assert not duty(c, "written_sign_off", at(2025, 11, 12, 9, 0)).owed  # open again
    c = close(r, at(2025, 11, 13, 11, 0))
    again = duty(c, "written_sign_off", at(2025, 11, 13, 11, 0))
    assert (again.clock.run, again.owed) == (2, True)
    assert again.due == at(2025, 11, 14, 18, 0)  # end of Friday, the next working day


# --------------------------------------------------------------------------- VIS-2


@pytest.mark.procedure("VIS-2")
def test_the_reply_time_appointed_at_a_visit_is_a_deadline() -> None:
    """002 §4.4: questions not answerable during a visit get an appointed reply time;
    that time is a clock like a promise (at risk at 80 %, breached after)."""
    r = runner()
    step(r, at(2025, 11, 10, 11, 0), Reply(actor="h", message="已修好", final=True))
    appointed = at(2025, 11, 12, 17, 0)
    c = step(
        r,
        at(2025, 11, 11, 10, 0),
        Visit(actor="v", satisfied=True, opinion="墙面何时重刷？", reply_due=appointed),
    )
    assert PACK.clock("visit_reply").mode is ClockMode.APPOINTED

    def visit_reply(now: datetime) -> object:
        return next(s for s in compute_clocks(c, PACK, CAL, now) if s.name == "visit_reply")

    running = visit_reply(at(2025, 11, 11, 12, 0))
    assert running.state is ClockState.RUNNING  # type: ignore[attr-defined]
    assert running.due == appointed  # type: ignore[attr-defined]
    # 31 hours from the visit to the appointment; 80 % of them is 24h48m
    assert running.at_risk_from == at(2025, 11, 12, 10, 48)  # type: ignore[attr-defined]
    assert visit_reply(at(2025, 11, 12, 11, 0)).state is ClockState.AT_RISK  # type: ignore[attr-defined]
    assert visit_reply(at(2025, 11, 12, 17, 1)).state is ClockState.BREACHED  # type: ignore[attr-defined]
    c = step(r, at(2025, 11, 12, 16, 0), Reply(actor="h", message="周五上午重刷墙面"))
    assert visit_reply(at(2025, 11, 13)).state is ClockState.MET  # type: ignore[attr-defined]


@pytest.mark.procedure("VIS-2")
def test_a_visit_without_an_appointment_starts_no_clock() -> None:
    r = runner()
    step(r, at(2025, 11, 10, 11, 0), Reply(actor="h", message="已修好", final=True))
    c = step(r, at(2025, 11, 11, 10, 0), Visit(actor="v", satisfied=True, opinion="满意"))
    found = {s.name: s for s in compute_clocks(c, PACK, CAL, at(2025, 11, 20))}
    assert found["visit_reply"].state is ClockState.NOT_STARTED


# --------------------------------------------------------------------------- laws


@pytest.mark.procedure("DL-5")
@given(
    due_minutes=st.integers(30, 5 * 24 * 60),
    late_minutes=st.integers(1, 3 * 24 * 60),
)
def test_a_broken_promise_always_owes_an_apology_starting_at_the_agreed_time(
    due_minutes: int, late_minutes: int
) -> None:
    r = runner()
    due = MON_10 + timedelta(minutes=due_minutes)
    c = step(r, at(2025, 11, 10, 10, 5), Promise(actor="h-1", due=due))
    owed = duty(c, "apology", due + timedelta(minutes=late_minutes))
    assert owed.clock.started_at == due
    assert owed.due is not None
    assert owed.due > due
    assert owed.owed


@pytest.mark.procedure("DL-5")
@pytest.mark.parametrize(
    ("agreed", "apology_due"),
    [
        # "at once" (第一时间), read by the pack as 2 hours on the clock: office hours
        # (09:00-12:00, 13:00-18:00) and working days do not stretch it
        (at(2025, 11, 10, 15, 0), at(2025, 11, 10, 17, 0)),  # within the afternoon
        (at(2025, 11, 10, 11, 0), at(2025, 11, 10, 13, 0)),  # the lunch break counts
        (at(2025, 11, 10, 17, 30), at(2025, 11, 10, 19, 30)),  # the evening counts
        (at(2025, 11, 14, 17, 0), at(2025, 11, 14, 19, 0)),  # Friday, not Monday
    ],
)
def test_the_apology_for_a_broken_promise_is_due_two_hours_after_it(
    agreed: datetime, apology_due: datetime
) -> None:
    r = runner()
    c = step(r, at(2025, 11, 10, 10, 5), Promise(actor="h-1", due=agreed))
    owed = duty(c, "apology", agreed + timedelta(hours=1))
    assert owed.clock.started_at == agreed
    assert owed.due == apology_due


@pytest.mark.procedure("DL-5")
def test_a_promise_broken_on_the_eve_of_national_day_is_apologised_for_that_evening() -> None:
    """003 "closed feedback": apologise at the first moment (第一时间).  A promise due
    Tue 30 Sep 2025 17:00 is broken in the last working hour before the 1-8 October
    holiday; in working time its two hours would run 17:00-18:00 and 09:00-10:00 on
    9 October.  On the clock they end at 19:00 the same evening."""
    r = Runner(PACK, intake(received_at=at(2025, 9, 26, 10, 0)))
    r.register()
    c = step(r, at(2025, 9, 26, 11, 0), Promise(actor="h-1", due=at(2025, 9, 30, 17, 0)))
    owed = duty(c, "apology", at(2025, 9, 30, 17, 30))
    assert owed.clock.started_at == at(2025, 9, 30, 17, 0)
    assert owed.due == at(2025, 9, 30, 19, 0)  # 17:00 + 2 h
    assert owed.clock.at_risk_from == at(2025, 9, 30, 18, 0)  # half of the 2 h
    holiday = duty(c, "apology", at(2025, 10, 1, 10, 0))
    assert holiday.state is ClockState.BREACHED
    assert holiday.owed


@pytest.mark.procedure("REC-5")
def test_duties_are_a_pure_function_of_the_events() -> None:
    r = runner()
    step(r, at(2025, 11, 10, 10, 5), Assess(actor="h-1", validity="valid"))
    step(r, at(2025, 11, 10, 10, 10), Promise(actor="h-1", due=at(2025, 11, 10, 15, 0)))
    c = step(r, at(2025, 11, 10, 16, 0), Reply(actor="h-1", message="已修好", final=True))
    now = at(2025, 11, 11, 10, 0)
    first = compute_duties(c, PACK, CAL, now)
    assert compute_duties(c, PACK, CAL, now) == first
    reopened = step(r, at(2025, 11, 11, 11, 0), Reopen(actor="h-1", reason="又漏了"))
    # what was owed before the reopening is unchanged when asked about that moment
    assert compute_duties(reopened, PACK, CAL, now) == first


# --------------------------------------------------------------------------- the pack format


DUTY = """
name = "x"
title_zh = "x"
title_en = "x"
default_category = "other"
customer_service = "cs"
head_office_unit = ""

[[ladder]]
code = "a"
zh = "a"
en = "a"

[[ladder]]
code = "b"
zh = "b"
en = "b"

[[departments]]
code = "cs"
zh = "客服"
en = "cs"

[[categories]]
code = "other"
zh = "其他"
en = "other"
cause = "software"
department = "cs"

[[clocks]]
name = "promise"
zh = "约定"
en = "promise"
start = ["promised"]
stop = ["replied:final"]
mode = "promised"

[[duties]]
name = "sorry"
zh = "致歉"
en = "apologise"
start = ["breached:promise"]
stop = ["apologised"]
mode = "working_time"
duration = "1h"
owner_department = "cs"
command = "apologise"
records = ["apology", "remedy"]
"""


def test_a_host_declares_its_own_duty_in_toml() -> None:
    custom = load_pack_text(DUTY)
    (d,) = custom.duties
    assert (d.name, d.start, d.records, d.pausable) == (
        "sorry",
        ("breached:promise",),
        ("apology", "remedy"),
        False,
    )
    assert load_pack_text(DUTY) == custom
    assert to_dict(custom)["duties"][0]["owner_department"] == "cs"


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (('start = ["breached:promise"]', 'start = ["breached:nothing"]'), "duties[0].start[0]"),
        (('stop = ["apologised"]', 'stop = ["apologized"]'), "duties[0].stop[0]"),
        (('owner_department = "cs"', 'owner_department = "sales"'), "duties[0].owner_department"),
        (('owner_department = "cs"', ""), "duties[0]"),
        (('command = "apologise"', 'command = "say_sorry"'), "duties[0].command"),
        (('command = "apologise"', 'command = "report"'), "duties[0].command"),
        (('records = ["apology", "remedy"]', 'records = ["excuse"]'), "duties[0].records[0]"),
        (('mode = "working_time"', 'mode = "promised"'), "duties[0].mode"),
        (('name = "sorry"', 'name = "promise"'), "duties[0].name"),
        (('duration = "1h"', 'duration = "1mo"'), "duties[0].duration"),
        (('command = "apologise"', 'channels = ["fax"]'), "duties[0].channels[0]"),
    ],
)
def test_a_bad_duty_is_refused_with_its_key_path(change: tuple[str, str], path: str) -> None:
    text = DUTY.replace(*change)
    with pytest.raises(RulePackError) as info:
        load_pack_text(text)
    assert path in info.value.paths
    assert "\n" not in str(info.value).strip()


def test_a_duty_whose_command_does_not_discharge_it_is_refused() -> None:
    """Review s42B F04: the owner is told to run the duty's ``command``; one that
    records none of its ``stop`` tags would leave the duty owed (rule-packs.md,
    Duties).  A site visit is discharged by ``visit_site`` (``site_visited``)."""
    shipped = (files("complaintcore.rules") / "cn-property.toml").read_text(encoding="utf-8")
    wrong = 'command = "report"\nrecords = ["findings"]'
    text = shipped.replace('command = "visit_site"\nrecords = ["findings"]', wrong, 1)
    assert wrong in text
    with pytest.raises(RulePackError) as info:
        load_pack_text(text, "acme.toml")
    site_visit = [d.name for d in pack().duties].index("site_visit")
    assert [(p.path, p.reason) for p in info.value.problems] == [
        (
            f"duties[{site_visit}].command",
            "'report' records reported, not a stop tag of this duty: "
            "the owner who runs it would still owe it",
        )
    ]


@pytest.mark.parametrize(
    ("stop", "command"),
    [
        ('["apologised"]', "apologise"),
        ('["reported:written"]', "report"),  # by kind: a written report discharges it
        ('["transferred"]', "assign"),  # carried by the assignment to another department
        ('["graded:major"]', "assess"),  # an assessment grades the complaint too
        ('["called_back", "visited:satisfied"]', "visit"),  # any one of the stop tags
    ],
)
def test_a_command_that_records_one_of_the_stop_tags_discharges_the_duty(
    stop: str, command: str
) -> None:
    text = DUTY.replace('stop = ["apologised"]', f"stop = {stop}").replace(
        'command = "apologise"\nrecords = ["apology", "remedy"]', f'command = "{command}"'
    )
    assert load_pack_text(text).duties[0].command == command
