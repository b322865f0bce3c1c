"""Review s56R4: mutation audit of the monthly report.  The shipped figures were
right; these tests pin what no test did (F01-F05, and S27, S28 of "checked and held").

Expected values are counted by hand from /work/shared/procedures.md:
IMP-1 "Every valid complaint gets a cause analysis and corrective and preventive
measures, recorded with it"; IMP-2 "Complaints are counted and analysed regularly
(monthly): by category, grade, department, channel, timeliness and satisfaction";
IMP-3 "Complaints repeated by the same complainant or about the same matter are
linked and counted"; VIS-1 "visits continue until the complainant is satisfied";
VAL-4 "Only a valid complaint enters ... the complaint statistics; an enquiry or a
service request is recorded but counted apart".  The month is November 2025 in the
pack's zone (Asia/Shanghai): 1 November 00:00 up to, not including, 1 December 00:00.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.core.concentration import Member, decide_group
from complaintcore.core.models import Complainant, Complaint, Status
from complaintcore.core.stats import MonthlyReport, RepeatRule, monthly_report
from complaintcore.core.workflow import (
    AddMeasure,
    Assess,
    Assign,
    Classify,
    Close,
    CompleteMeasure,
    Escalate,
    Handle,
    Link,
    RecordCause,
    Reply,
    Visit,
)
from complaintcore.testing import make_desk
from tests.helpers import SH, Runner, intake, pack

PACK = pack()
CAL = calendar_for_spec(PACK.calendar)


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=SH)


def valid(cid: str, received: datetime, phone: str, *, kind: str = "complaint") -> Runner:
    """A complaint classified and assessed (valid, of ``kind``) on a moving clock."""
    person = Complainant("张三丰", phone, "1-1-0101", "1", "sunrise")
    r = Runner(PACK, intake(complainant=person, received_at=received, site="sunrise"), cid)
    r.register()
    r(Classify(actor="h-1", category="repairs"))
    r(Assess(actor="h-1", validity="valid", kind=kind))
    return r


def handled(cid: str, received: datetime, phone: str) -> Runner:
    r = valid(cid, received, phone)
    r(Assign(actor="h-1", handler="h-2", rung="department_head"))
    r(Handle(actor="h-2", result="fixed"))
    r(Reply(actor="h-1", message="已修好", final=True))
    return r


def groups(report: MonthlyReport) -> list[tuple[str, ...]]:
    return [g.ids for g in report.repeats.groups]


# --------------------------------------------------------------------------- F01


@pytest.mark.procedure("IMP-3")
def test_a_complaint_received_at_the_months_end_is_not_in_its_repeat_groups() -> None:
    """F01: the month ends before 1 December 00:00.  By hand: N1 (20 November) and
    D1 (same phone) received at 1 December 00:00 are not a repeat of November (no
    group, no complaint in groups); D1 one minute earlier (30 November 23:59) is:
    one group N1, D1, both of the month."""
    n1 = valid("N1", at(11, 20), "13811112222").complaint
    december = valid("D1", at(12, 1, 0, 0), "13811112222").complaint
    month = monthly_report([n1, december], PACK, CAL, year=2025, month=11, now=at(12, 5))
    assert groups(month) == []
    assert month.repeats.complaints == 0
    november = valid("D1", at(11, 30, 23, 59), "13811112222").complaint
    month = monthly_report([n1, november], PACK, CAL, year=2025, month=11, now=at(12, 5))
    assert groups(month) == [("N1", "D1")]
    assert [g.in_month for g in month.repeats.groups] == [2]
    assert month.repeats.complaints == 2


# --------------------------------------------------------------------------- F05


@pytest.mark.procedure("IMP-3")
def test_a_repeat_group_reaches_back_no_further_than_the_look_back() -> None:
    """F05: a look-back of 10 days, shorter than the pack's 90-day window: the month
    reaches back to 22 October.  By hand: same phone on 16 October (A), 25 October
    (B) and 3 November (C): B and C (9 days apart) are a group; A, before the
    look-back, is not in it although the pack's window would link A and B."""
    cs = [
        valid("A", at(10, 16), "13811112222").complaint,
        valid("B", at(10, 25), "13811112222").complaint,
        valid("C", at(11, 3), "13811112222").complaint,
    ]
    month = monthly_report(
        cs, PACK, CAL, year=2025, month=11, now=at(12, 5), repeat_rule=RepeatRule(lookback_days=10)
    )
    assert groups(month) == [("B", "C")]
    assert [g.in_month for g in month.repeats.groups] == [1]
    assert month.repeats.complaints == 2


# --------------------------------------------------------------------------- F02


@pytest.mark.procedure("IMP-1")
def test_the_months_cause_analyses_and_measures_are_counted_by_state() -> None:
    """F02: as at 15 November 12:00.  By hand:
    M (3 November, analysed, still in handling) has four measures:
    M1 corrective due 10 November, done 13 November (late); M2 preventive due
    10 November, not done (overdue); M3 preventive due 30 November, not done (open);
    M4 corrective due 30 November, done 3 November (in time).
    C (4 November) is analysed and closed.  So: analysed 2, closed_analysed 1;
    opened 4 = corrective 2 + preventive 2 = done 1 + done_late 1 + open 1 + overdue 1."""
    m = valid("M", at(11, 3), "13800000001")
    m(RecordCause(actor="h-1", cause="管道老化", corrective="更换管道"))
    early, late = at(11, 10, 18), at(11, 30, 18)
    m(AddMeasure(actor="h-1", kind="corrective", action="换管", owner="h-2", due=early))
    m(AddMeasure(actor="h-1", kind="preventive", action="巡检", owner="h-2", due=early))
    m(AddMeasure(actor="h-1", kind="preventive", action="培训", owner="h-2", due=late))
    m(AddMeasure(actor="h-1", kind="corrective", action="加固", owner="h-2", due=late))
    m(CompleteMeasure(actor="h-2", measure="M4", result="已加固"))  # 3 November: in time
    m(CompleteMeasure(actor="h-2", measure="M1", result="已更换"), after=timedelta(days=10))
    assert m.now.date() == at(11, 13).date()  # after M1's due time
    assert m.complaint.state.status is not Status.CLOSED
    c = handled("C", at(11, 4), "13800000002")
    c(Visit(actor="v-1", satisfied=True))
    c(RecordCause(actor="h-1", cause="管道老化", corrective="更换管道"))
    c(Close(actor="h-1", result="业主满意"))
    assert c.complaint.state.status is Status.CLOSED
    month = monthly_report(
        [m.complaint, c.complaint], PACK, CAL, year=2025, month=11, now=at(11, 15, 12)
    )
    k = month.improvement
    assert (k.analysed, k.closed_analysed) == (2, 1)
    assert (k.opened, k.corrective, k.preventive) == (4, 2, 2)
    assert (k.done, k.done_late, k.open, k.overdue) == (1, 1, 1, 1)


@pytest.mark.procedure("IMP-1")
def test_a_measure_recorded_after_the_month_is_counted_as_at_now() -> None:
    """F02 (S24): every figure describes the month's complaints as they stand at now.
    By hand: a complaint of 28 November; a corrective measure recorded 2 December,
    due 20 December; the November report as at 5 December counts it: opened 1,
    corrective 1, open 1 (not yet due).  As at 1 December 12:00 it was not recorded
    yet: opened 0."""
    r = valid("L", at(11, 28), "13800000001")
    r(
        AddMeasure(actor="h-1", kind="corrective", action="换管", owner="h-2", due=at(12, 20, 18)),
        after=timedelta(days=4),
    )
    k = monthly_report([r.complaint], PACK, CAL, year=2025, month=11, now=at(12, 5, 12)).improvement
    assert (k.opened, k.corrective, k.preventive, k.open) == (1, 1, 0, 1)
    assert (k.done, k.done_late, k.overdue) == (0, 0, 0)
    k = monthly_report([r.complaint], PACK, CAL, year=2025, month=11, now=at(12, 1, 12)).improvement
    assert (k.opened, k.corrective, k.open) == (0, 0, 0)


# --------------------------------------------------------------------------- F03


@pytest.mark.procedure("VIS-1")
@pytest.mark.procedure("IMP-2")
def test_visits_and_escalations_after_now_are_not_counted() -> None:
    """F03: V (3 November) replied, visited (satisfied) on 20 November; E (4 November)
    replied, escalated on 20 November.  By hand, as at 15 November 12:00: no visit,
    none satisfied, no complaint visited, no escalation.  As at 10 December: one
    visit, satisfied, one complaint visited (rate 1), one escalation (cannot_handle)."""
    v = handled("V", at(11, 3), "13800000001")
    v(Visit(actor="v-1", satisfied=True), after=timedelta(days=17))
    assert v.now.date() == at(11, 20).date()
    e = handled("E", at(11, 4), "13800000002")
    e(
        Escalate(actor="h-1", trigger="cannot_handle", to_rung="senior_management"),
        after=timedelta(days=16),
    )
    assert e.now.date() == at(11, 20).date()
    cs = [v.complaint, e.complaint]
    month = monthly_report(cs, PACK, CAL, year=2025, month=11, now=at(11, 15, 12))
    s = month.satisfaction
    assert (s.visits, s.satisfied, s.visited_complaints, s.first_visit_satisfied) == (0, 0, 0, 0)
    assert s.rate is None
    assert {x.key: x.count for x in month.escalations if x.count} == {}
    assert month.escalated_complaints == 0
    later = monthly_report(cs, PACK, CAL, year=2025, month=11, now=at(12, 10))
    s = later.satisfaction
    assert (s.visits, s.satisfied, s.visited_complaints, s.first_visit_satisfied) == (1, 1, 1, 1)
    assert s.rate == 1
    assert {x.key: x.count for x in later.escalations if x.count} == {"cannot_handle": 1}
    assert later.escalated_complaints == 1


# --------------------------------------------------------------------------- F04


@pytest.mark.procedure("VIS-1")
@pytest.mark.procedure("IMP-2")
def test_a_complaint_reopened_twice_is_one_reopened_complaint_and_two_reopenings() -> None:
    """F04: T is visited twice, not satisfied either time: reopened twice.  By hand:
    reopened 1 (complaints), reopen_events 2 (reopenings); visits 2, satisfied 0."""
    t = handled("T", at(11, 4), "13800000002")
    t(Visit(actor="v-1", satisfied=False, opinion="还有问题"))
    t(Reply(actor="h-1", message="再次处理", final=True))
    t(Visit(actor="v-1", satisfied=False, opinion="仍有问题"))
    month = monthly_report([t.complaint], PACK, CAL, year=2025, month=11, now=at(11, 15, 12))
    assert (month.reopened, month.reopen_events) == (1, 2)
    assert (month.satisfaction.visits, month.satisfaction.satisfied) == (2, 0)


# --------------------------------------------------------------------------- S27, S28


def linked(cid: str, received: datetime, phone: str, *, matter: tuple[str, ...]) -> Complaint:
    r = valid(cid, received, phone)
    return r(Link(actor="system", same_matter=matter))


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("VAL-4")
def test_a_same_matter_link_counts_only_to_a_valid_complaint_and_is_no_repeat() -> None:
    """S27, S28: N links at intake to the same matter as E (a valid complaint of
    20 October), R to the same matter as Q (a service request of 2 November).
    By hand: one linked (N), same_matter 1; a request is counted apart (VAL-4), so
    R's link counts for nothing; intake recorded only same-matter links (building
    and category), not the same customer, so repeated (same complainant or same
    room) is 0."""
    cs = [
        valid("E", at(10, 20), "13800000001").complaint,
        valid("Q", at(11, 2), "13800000002", kind="request").complaint,
        linked("N", at(11, 10), "13800000003", matter=("E",)),
        linked("R", at(11, 11), "13800000004", matter=("Q",)),
    ]
    links = monthly_report(cs, PACK, CAL, year=2025, month=11, now=at(12, 5)).links
    assert (links.linked, links.same_matter, links.repeated) == (1, 1, 0)
    assert (links.same_complainant, links.same_room) == (0, 0)


# --------------------------------------------------------------------------- C11


@pytest.mark.procedure("HDL-6")
def test_a_sixth_complainant_joins_a_group_incident_without_making_it_again() -> None:
    """C11: HDL-6 reports a group incident to the project manager at once, once.
    cn-property: 5 distinct complainants within 24 hours.  By hand: C-1..C-5 (hours
    1..5) are already the incident I-C-1; C-6 (hour 6), a sixth complainant within
    the day, joins it: an incident, but it did not become one now."""
    t0 = datetime(2025, 11, 10, 10, 0, tzinfo=SH)
    fellows = [
        Member(f"C-{n}", t0 + timedelta(hours=n), f"k{n}", "I-C-1", True) for n in range(1, 6)
    ]
    found = decide_group(Member("C-6", t0 + timedelta(hours=6), "k6"), fellows, PACK.concentration)
    assert found is not None
    assert (found.issue, found.incident, found.became_incident) == ("I-C-1", True, False)
    assert found.complainants == 6
    assert not found.formed


# --------------------------------------------------------------------------- R01


@pytest.mark.procedure("VAL-4")
def test_the_desks_baseline_months_count_a_valid_request_apart() -> None:
    """R01: the desk reads the baseline months as counts (the memory store's).  By
    hand: October holds a valid complaint and a service request assessed valid:
    received 2, valid complaints 1 (a request is counted apart); November one
    valid complaint: received 1, valid 1."""
    with make_desk() as desk:
        for when, kind in (
            (at(10, 6), "complaint"),
            (at(10, 7), "request"),
            (at(11, 6), "complaint"),
        ):
            cid = desk.receive(intake(received_at=when, receiver="SR-103"), now=when).id
            desk.act(
                cid,
                Assess(actor="SR-201", validity="valid", kind=kind),
                now=when + timedelta(hours=1),
            )
        month = desk.monthly_report(2025, 11, now=at(12, 5))
    months = {m.period: (m.received, m.valid_complaints) for m in month.history}
    assert months["2025-10"] == (2, 1)
    assert months["2025-11"] == (1, 1)
