"""A complaint made straight to head office in a group of the site's complaints.

HDL-6: a group incident is reported to the project manager at once (004 篇1
"第一时间将详情及时告诉项目经理"); HDL-5: customer service hears of a concentrated
issue.  IN-6: while the complainant has not agreed to the site handling a bypass
complaint, the site hears nothing of it, and every message about it goes to head
office.  cn-property: 3 complainants within 72 h are an issue, 5 within 24 h a
group incident.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from complaintcore import Classify, Complainant, Forward, Intake
from complaintcore.desk import Desk
from complaintcore.testing import RecordingNotifier, make_desk
from tests.helpers import SH


def _at(hour: int) -> datetime:
    return datetime(2025, 11, 3, hour, 0, tzinfo=SH)


def _file(
    desk: Desk, n: int, hour: int, *, via_head_office: bool, summary: str = "楼道顶上漏水，墙面渗水"
) -> str:
    """Owner ``n`` of building 9 reports the leak (or ``summary``) at ``hour``, at the
    site or straight to head office."""
    owner = Complainant(f"业主{n}", f"139000{n:05d}", f"9-1-{n}01", "9", "sunrise")
    intake = Intake(
        owner,
        "phone",
        _at(hour),
        "HQ-002" if via_head_office else "SR-103",
        summary,
        site="sunrise",
        receiver_unit="head_office" if via_head_office else "",
        via_head_office=via_head_office,
    )
    return desk.receive(intake, now=_at(hour)).id


def _received(
    bypass: int, hours: tuple[int, ...] = (8, 9, 10, 11, 12)
) -> tuple[Desk, RecordingNotifier, list[str]]:
    """One complaint an hour (the ``bypass``-th straight to head office), delivered."""
    notes = RecordingNotifier()
    desk = make_desk(notifiers=[notes])
    ids = [_file(desk, n, hour, via_head_office=n == bypass) for n, hour in enumerate(hours)]
    desk.deliver(_at(hours[-1]))
    return desk, notes, ids


def _head_office(desk: Desk) -> set[str]:
    """Staff of every site: head office, not the site the complaint went around."""
    return {m.staff_id for m in desk.directory.members() if m.site in ("*", "")}


@pytest.mark.procedure("HDL-6")
@pytest.mark.procedure("IN-6")
def test_a_group_incident_made_by_a_bypass_complaint_reaches_the_project_manager() -> None:
    desk, notes, ids = _received(bypass=4)
    bypass = ids[4]
    assert [desk.get(i).state.group_incident for i in ids] == [True] * 5
    reports = [(n, to) for n, to in notes.sent if n.topic == "group_incident"]
    assert [n.recipient for n, _ in reports] == ["SR-001"]  # the project manager, once
    # the site hears of the incident through its own complaint, not the bypass one
    [(report, _)] = reports
    assert report.complaint_id != bypass
    assert bypass not in report.body
    site_told = {n.recipient for n, _ in notes.sent if n.complaint_id == bypass}
    assert site_told <= _head_office(desk)
    # the bypass complaint's own escalation goes to head office, who keep it
    escalation = {
        n.recipient for n, _ in notes.sent if n.complaint_id == bypass and n.topic == "urgent"
    }
    assert escalation
    assert escalation <= _head_office(desk)


@pytest.mark.procedure("IN-6")
def test_a_bypass_member_flagged_by_a_later_complaint_is_told_to_head_office() -> None:
    desk, notes, ids = _received(bypass=1)
    bypass = ids[1]
    assert desk.get(bypass).state.group_incident
    told = {n.recipient for n, _ in notes.sent if n.complaint_id == bypass and n.topic == "urgent"}
    assert told
    assert told <= _head_office(desk)
    assert [n.recipient for n, _ in notes.sent if n.topic == "group_incident"] == ["SR-001"]


@pytest.mark.procedure("HDL-6")
@pytest.mark.procedure("IN-6")
def test_the_group_incident_report_names_the_issue_but_a_waiting_bypass_member() -> None:
    """HDL-6: the report to the project manager names the issue's complaints (review
    s43B F01), all but the one still waiting for the complainant's consent (IN-6),
    and counts the complainants of those it names (review s43F F02)."""
    _desk, notes, ids = _received(bypass=1)
    [report] = [n for n, _ in notes.sent if n.topic == "group_incident"]
    [line] = [x for x in report.body.splitlines() if x.startswith("complaints: ")]
    assert line.removeprefix("complaints: ").split(", ") == [ids[0], *ids[2:]]
    assert "complainants: 4" in report.body.splitlines()


@pytest.mark.procedure("HDL-5")
@pytest.mark.procedure("IN-6")
def test_an_issue_formed_by_a_bypass_complaint_is_told_to_the_sites_customer_service() -> None:
    desk, notes, ids = _received(2, (8, 9, 10))
    told = [n for n, _ in notes.sent if n.topic == "concentrated_issue"]
    assert told
    staff = {m.staff_id: m for m in desk.directory.members()}
    assert {(staff[n.recipient].site, staff[n.recipient].department) for n in told} == {
        ("sunrise", "customer_service")
    }
    assert all(n.complaint_id != ids[2] and ids[2] not in n.body for n in told)


@pytest.mark.procedure("IN-6")
def test_an_issue_formed_by_a_site_complaint_never_names_a_bypass_member_to_the_site() -> None:
    """The 09:00 complaint went to head office; the 10:00 one, at the site, forms
    the issue: customer service is told, without the bypass complaint's id (s27G F01)."""
    desk, notes, ids = _received(1, (8, 9, 10))
    told = [n for n, _ in notes.sent if n.topic == "concentrated_issue"]
    assert told
    site = {m.staff_id for m in desk.directory.members() if m.site == "sunrise"}
    assert {n.recipient for n in told} <= site
    assert all(ids[1] not in n.body and ids[1] not in n.subject for n in told)
    assert all(ids[2] in n.body for n in told)  # the complaint it was told through


@pytest.mark.procedure("IN-6")
def test_a_bypass_complaint_escalated_while_waiting_is_routed_once_released() -> None:
    """Filed with head office on Fri 26 Sep 2025; its reply was due Tue 30 Sep 18:00
    (Sun 28 Sep a make-up working day), so the 1 Oct sweep escalates it while it
    waits.  Forwarded with consent, it is routed at the site as one forwarded at
    once is: to the engineering head (review s27K f03: held by nobody)."""
    desk = make_desk()
    friday = datetime(2025, 9, 26, 9, 0, tzinfo=SH)

    def filed(room: str) -> str:
        owner = Complainant("王小明", "13812345678", room, "3", "sunrise")
        intake = Intake(
            owner,
            "phone",
            friday,
            "HQ-002",
            "楼上漏水，天花板渗水",
            site="sunrise",
            receiver_unit="head_office",
            via_head_office=True,
        )
        return desk.receive(intake, now=friday).id

    at_once, later = filed("3-2-1201"), filed("5-1-0802")
    release = Forward(actor="HQ-001", to_unit="customer_service", consent=True)
    assert desk.act(
        at_once, release, now=datetime(2025, 9, 26, 10, 0, tzinfo=SH)
    ).state.handler == ("SR-201")
    swept = desk.sweep(datetime(2025, 10, 1, 9, 0, tzinfo=SH))
    assert (later, "reply") in swept.escalated
    after = desk.act(later, release, now=datetime(2025, 10, 1, 9, 5, tzinfo=SH))
    assert after.state.handler == "SR-201"
    assert after.state.rung == "department_head"


@pytest.mark.procedure("IN-6")
@pytest.mark.procedure("HDL-5")
def test_an_issue_is_not_named_after_a_bypass_member_the_site_may_not_hear_of() -> None:
    """The 08:00 complaint went to head office; the issue formed at 10:00 is named
    after the earliest site complaint (09:00), never the bypass one (s27N F03)."""
    notes = RecordingNotifier()
    desk = make_desk(notifiers=[notes])
    ids = [_file(desk, n, hour, via_head_office=n == 0) for n, hour in enumerate((8, 9, 10))]
    desk.deliver(_at(10))
    assert [desk.get(i).state.issue for i in ids] == [f"I-{ids[1]}"] * 3
    told = [n for n, _ in notes.sent if n.topic == "concentrated_issue"]
    assert told
    site = {m.staff_id for m in desk.directory.members() if m.site == "sunrise"}
    assert {n.recipient for n in told} <= site
    assert all(ids[0] not in n.body and ids[0] not in n.subject for n in told)
    # the site's view of its own complaint lists the issue's members without it
    grouped = [e for e in desk.view(ids[2], "SR-202")["events"] if e["type"] == "grouped"]
    assert grouped
    assert all(e["members"] == [ids[1], ids[2]] for e in grouped)


@pytest.mark.procedure("IN-6")
@pytest.mark.procedure("HDL-5")
def test_the_unified_explanation_at_the_site_leaves_a_bypass_member_out() -> None:
    """Two site complaints, then one to head office forms the issue: site customer
    service's explanation is recorded on the two and reports nothing of the third
    (s27N F04); head office's covers all three."""
    desk = make_desk()
    ids = [_file(desk, n, hour, via_head_office=n == 2) for n, hour in enumerate((8, 9, 10))]
    issue = desk.get(ids[2]).state.issue
    report = desk.explain_all(issue, actor="SR-102", message="电梯已报修，今日恢复", now=_at(11))
    assert (report.done, report.skipped) == (tuple(ids[:2]), ())
    assert not any(e.kind == "replied" for e in desk.get(ids[2]).events)
    at_head_office = desk.explain_all(issue, actor="HQ-002", message="已报修", now=_at(12))
    assert at_head_office.done == tuple(ids)


FEES = "物业费账单有误，多收了钱"


@pytest.mark.procedure("HDL-5")
@pytest.mark.procedure("IN-6")
def test_an_issue_renamed_past_a_bypass_member_is_not_named_after_a_leaver() -> None:
    """A new issue is never named after a complaint that left an issue of that name,
    also when it is first renamed away from a member waiting for consent (review
    s42F F02: the fee complaints joined the leak issue and got its explanation)."""
    desk = make_desk()
    waiting = _file(desk, 1, 8, via_head_office=True, summary=FEES)  # no consent yet
    leaks = [_file(desk, n, 7 + n, via_head_office=False) for n in (2, 3, 4)]
    leaver = leaks[0]
    leak_issue = desk.get(leaks[-1]).state.issue
    assert leak_issue == f"I-{leaver}"
    fees_code = desk.get(waiting).state.category
    desk.act(leaver, Classify(actor="SR-101", category=fees_code), now=_at(12))
    fees = _file(desk, 5, 13, via_head_office=False, summary=FEES)
    fees_issue = desk.get(fees).state.issue
    assert fees_issue  # the three fee complaints are one issue
    assert fees_issue != leak_issue
    assert {r.id for r in desk.issue(leak_issue)} == set(leaks[1:])
    done = desk.explain_all(leak_issue, actor="SR-101", message="今晚8点前修复", now=_at(14))
    assert set(done.done) == set(leaks[1:])  # no fee complaint answered


@pytest.mark.procedure("IN-6")
@pytest.mark.procedure("HDL-6")
@pytest.mark.parametrize("bypass", [4, 1])
def test_a_bypass_member_owing_the_site_visit_is_told_to_head_office(bypass: int) -> None:
    """Mon 3 Nov 2025: the 12:00 complaint makes the leak a group incident, the
    complaint straight to head office (that one, or the 09:00 one it flags); every
    member, the bypass one too, owes 004 篇4 §3.6's site
    visit (4 h on the wall clock: due 16:00, at risk from 15:12 at 80 %).  Its
    owners (customer service's head) are the site's, who may not hear of it: head
    office, who keep it, hear it owed, at risk and overdue (review s46H F01:
    nobody was told, and it escalated silently)."""
    desk, notes, ids = _received(bypass=bypass)
    waiting = ids[bypass]
    # the pack's head_office unit: 赵国强 and 钱丽华 (sample staff, site "*")
    head_office = {"HQ-001", "HQ-002"}

    def told(topic: str) -> set[str]:
        return {
            n.recipient
            for n, _ in notes.sent
            if n.complaint_id == waiting
            and n.topic == topic
            and "duty: go to the site with the complainant" in n.body.splitlines()
        }

    assert told("duty_owed") == {"HQ-001"}  # 钱丽华's hours break for lunch 12:00-13:00
    notes.sent.clear()
    desk.sweep(_at(15) + timedelta(minutes=30))
    desk.deliver(_at(15) + timedelta(minutes=30))
    assert told("duty_at_risk") == head_office
    notes.sent.clear()
    desk.sweep(_at(16) + timedelta(minutes=5))
    desk.deliver(_at(16) + timedelta(minutes=5))
    assert told("duty_overdue") == head_office
    assert not told("duty_owed")  # the overdue notice says it is owed (DL-7)
    site = {m.staff_id for m in desk.directory.members() if m.site == "sunrise"}
    assert not {n.recipient for n, _ in notes.sent if n.complaint_id == waiting} & site
