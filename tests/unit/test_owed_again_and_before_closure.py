"""What is still owed when a complaint is closed or reopened (review s26B F03, F05).

VIS-2: a question a return visit could not answer is owed a reply by the appointed
time, and the complaint is not closed while it is owed.  REC-2 ("五清楚，一报告"): a
reopened complaint's new result is reported to the department leader too.
cn-property, 2026 calendar: Monday 2 November is a working day, working hours
09:00-12:00 and 13:00-18:00, no holidays in November.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from complaintcore import translator
from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.core.deadlines import ClockState, DutyStatus, compute_clock, compute_duties
from complaintcore.core.errors import IllegalTransitionError, InvalidInputError, RulePackError
from complaintcore.core.models import Complaint, Status
from complaintcore.core.rulepack import ReopenPolicy
from complaintcore.core.workflow import (
    Assess,
    Assign,
    Close,
    Handle,
    RecordCause,
    Reopen,
    Reply,
    Report,
    Visit,
)
from complaintcore.rules import load_pack_data
from complaintcore.serialization import to_dict
from tests.helpers import SH, Runner, intake, pack

PACK = pack()
CAL = calendar_for_spec(PACK.calendar)


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SH)


def to(r: Runner, when: datetime) -> timedelta:
    return when - r.now


def answered_leak() -> Runner:
    """A valid leak received Mon 2 Nov 10:00, fixed Tue 3 Nov 10:00 and finally replied
    to at 10:30."""
    r = Runner(PACK, intake(received_at=at(11, 2, 10)))
    r.register()
    r(
        Assign(actor="SR-103", handler="SR-201", rung="department_head", department="engineering"),
        after=timedelta(0),
    )
    r(
        Assess(actor="SR-201", validity="valid", facts=["facility_limitation"]),
        after=to(r, at(11, 2, 11)),
    )
    r(Handle(actor="SR-201", result="换管"), after=to(r, at(11, 3, 10)))
    r(Reply(actor="SR-201", message="已修复", final=True), after=to(r, at(11, 3, 10, 30)))
    return r


# --------------------------------------------------------------------------- VIS-2


@pytest.mark.procedure("VIS-2")
def test_a_complaint_is_not_closed_while_the_reply_appointed_at_its_visit_is_owed() -> None:
    """s26B F03: a satisfied visit on Wed 4 Nov 10:00 appoints a reply to the owner's
    question (外墙何时翻新) for Fri 6 Nov 17:00.  Closing at 10:10 is refused, naming the
    clock and the rule; the reply can still be given (the complaint awaits its visit),
    meets the appointment, and then it closes."""
    r = answered_leak()
    r(
        Visit(
            actor="SR-102",
            satisfied=True,
            opinion="满意，但想知道外墙何时翻新",
            reply_due=at(11, 6, 17),
        ),
        after=to(r, at(11, 4, 10)),
    )
    r(RecordCause(actor="SR-201", cause="管道老化", corrective="更换管道"))
    close = Close(actor="SR-201", result="修复，业主满意")
    with pytest.raises(IllegalTransitionError) as refused:
        r(close)
    assert refused.value.reason == "visit_reply is still owed (VIS-2): close once it is met"
    assert (
        translator("zh")
        .error(refused.value, PACK)
        .endswith("回访预约时间答复 仍未完成（VIS-2）：完成后方可关闭")
    )
    assert r.complaint.state.status is Status.AWAITING_VISIT
    c = r(Reply(actor="SR-102", message="外墙翻新定于明年三月"), after=to(r, at(11, 5, 15)))
    owed = compute_clock(c, PACK.clock("visit_reply"), CAL, at(11, 9, 10))
    assert (owed.state, owed.stopped_at) == (ClockState.MET, at(11, 5, 15))
    c = r(close)
    assert c.state.status is Status.CLOSED


@pytest.mark.procedure("VIS-2")
def test_only_an_open_appointment_holds_closure() -> None:
    """A visit without an appointed reply holds nothing, and neither does a clock whose
    pack does not say ``blocks_closure``."""
    r = answered_leak()
    r(Visit(actor="SR-102", satisfied=True, opinion="满意"), after=to(r, at(11, 4, 10)))
    r(RecordCause(actor="SR-201", cause="管道老化", corrective="更换管道"))
    assert r(Close(actor="SR-201", result="修复")).state.status is Status.CLOSED
    data: dict[str, Any] = to_dict(PACK)
    for spec in data["clocks"]:
        if spec["name"] == "visit_reply":
            spec["blocks_closure"] = False
    lenient = load_pack_data(data)
    r = answered_leak()
    r.pack = lenient
    r(
        Visit(actor="SR-102", satisfied=True, opinion="满意", reply_due=at(11, 6, 17)),
        after=to(r, at(11, 4, 10)),
    )
    r(RecordCause(actor="SR-201", cause="管道老化", corrective="更换管道"))
    assert r(Close(actor="SR-201", result="修复")).state.status is Status.CLOSED


@pytest.mark.procedure("VIS-2")
def test_the_pack_loader_checks_the_new_clock_keys() -> None:
    """``restart`` names known tags and not on a clock that runs to an agreed time;
    ``blocks_closure`` is for clocks (a duty outlives closure) not started by a breach."""
    data: dict[str, Any] = to_dict(PACK)
    names = [c["name"] for c in data["clocks"]]
    data["clocks"][names.index("reply")]["restart"] = ["moved"]
    data["clocks"][names.index("visit_reply")]["restart"] = ["visited:appointment"]
    data["duties"][0]["blocks_closure"] = True
    data["duties"][0]["reopen"] = "again"
    with pytest.raises(RulePackError) as bad:
        load_pack_data(data)
    problems = {(p.path, p.reason) for p in bad.value.problems}
    reply, visit = names.index("reply"), names.index("visit_reply")
    assert {
        (f"clocks[{reply}].restart[0]", "no event carries the tag 'moved'"),
        (
            f"clocks[{visit}].restart",
            "a clock that runs to an agreed time restarts at a new one",
        ),
        ("duties[0].blocks_closure", "a duty outlives closure: it cannot hold it"),
    } <= problems
    assert len(problems) == 3  # "again" is a reopen policy like the others


@pytest.mark.procedure("ESC-6")
def test_owed_by_is_one_of_two_and_for_clocks_only() -> None:
    """``owed_by`` names whose lateness a clock's ``report_to`` hears of: the
    responsible department or the receiving unit (IN-5); a duty's owners are its
    ``owner_*`` keys, so a duty refuses it, a misspelt value on a clock too."""
    data: dict[str, Any] = to_dict(PACK)
    names = [c["name"] for c in data["clocks"]]
    data["clocks"][names.index("reply")]["owed_by"] = "receiving-unit"
    data["duties"][0]["owed_by"] = "receiving_unit"
    with pytest.raises(RulePackError) as bad:
        load_pack_data(data)
    problems = {(p.path, p.reason) for p in bad.value.problems}
    assert problems == {
        (f"clocks[{names.index('reply')}].owed_by", "one of department, receiving_unit"),
        ("duties[0].owed_by", "a duty's owners are its owner_* keys: owed_by is for clocks"),
    }


# --------------------------------------------------------------------------- REC-2


def report_duty(c: Complaint, now: datetime) -> DutyStatus:
    (found,) = compute_duties(c, PACK, CAL, now, only=("report_to_leader",))
    return found


@pytest.mark.procedure("REC-2")
def test_a_reopened_complaints_new_result_is_reported_to_the_leader_again() -> None:
    """s26B F05: reported Tue 3 Nov 11:00, visited, closed Wed 4 Nov; reopened Mon 16 Nov
    (又漏了), waterproofing redone Tue 17 Nov 10:00, final reply 10:30.  001 item 6:
    the new result is reported too, by the end of the next working day: Wed 18 Nov
    18:00, overdue on Thu 19 Nov 10:30.  Once reported, the closure that follows owes
    no third report."""
    assert PACK.duty("report_to_leader").reopen is ReopenPolicy.AGAIN
    r = answered_leak()
    r(Report(actor="SR-201", content="卫生间漏水", result="换管"), after=to(r, at(11, 3, 11)))
    r(Visit(actor="SR-102", satisfied=True, opinion="满意"), after=to(r, at(11, 4, 10)))
    r(RecordCause(actor="SR-201", cause="管道老化", corrective="更换管道"))
    r(Close(actor="SR-201", result="修复"))
    first = report_duty(r.complaint, at(11, 16, 8))
    assert (first.state, first.clock.stopped_at) == (ClockState.MET, at(11, 3, 11))
    r(Reopen(actor="SR-102", reason="卫生间又漏水"), after=to(r, at(11, 16, 9)))
    assert not report_duty(r.complaint, at(11, 16, 9)).owed  # owed from the new result
    r(Handle(actor="SR-201", result="重做防水层"), after=to(r, at(11, 17, 10)))
    c = r(
        Reply(actor="SR-201", message="防水层已重做", final=True), after=to(r, at(11, 17, 10, 30))
    )
    owed = report_duty(c, at(11, 17, 10, 30))
    assert (owed.owed, owed.due, owed.clock.run) == (True, at(11, 18, 18), 2)
    assert report_duty(c, at(11, 19, 10, 30)).state is ClockState.BREACHED
    with pytest.raises(InvalidInputError) as bare:  # the report records the new result
        r(Report(actor="SR-201", content="卫生间再次漏水"), after=to(r, at(11, 18, 9)))
    assert (bare.value.path, bare.value.reason) == (
        "result",
        "duty report_to_leader needs it recorded (REC-2)",
    )
    r(
        Report(actor="SR-201", content="卫生间再次漏水", result="重做防水层"),
        after=to(r, at(11, 18, 9)),
    )
    r(Visit(actor="SR-102", satisfied=True, opinion="满意"), after=to(r, at(11, 18, 15)))
    c = r(Close(actor="SR-201", result="重做防水层，业主满意"))
    done = report_duty(c, at(11, 30, 9))
    assert (done.state, done.clock.run, done.clock.stopped_at) == (
        ClockState.MET,
        2,
        at(11, 18, 9),
    )
