"""HDL-6's report at once is not ESC-2's serious escalation (review s38A F01, F04).

A group incident or an urgent category goes to the pack's group_report_rung at once
(004 篇1 "第一时间告知项目经理"); a serious complaint goes to the property director
and the GM's office at once (004 篇4 §3.6 "应立刻汇报物业总监与总经办").  The two
are recorded under their own triggers, so the event log and the monthly report say
where each went; both owe the site visit, and 立刻 does not wait out a holiday.

Spring Festival 2026 (holidays 15-23 February) and National Day 2026 (1-7 October),
on a SQLite desk with the packaged sample staff: at site ``sunrise`` SR-001 is the
project manager, SR-101 the customer-service supervisor; head office HQ-001 and
HQ-002 are senior management.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.core.errors import EscalationError
from complaintcore.core.models import Complainant, Complaint, Escalated, Intake, Trigger
from complaintcore.core.workflow import Assess, Escalate
from complaintcore.desk import Desk
from complaintcore.testing import RecordingNotifier, make_desk
from tests.helpers import SH

LIFT = "8号楼电梯坏了，老人下不了楼"


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SH)


@pytest.fixture
def notes() -> RecordingNotifier:
    return RecordingNotifier()


@pytest.fixture
def desk(tmp_path: Path, notes: RecordingNotifier) -> Iterator[Desk]:
    with make_desk(store=SqliteStore(tmp_path / "desk.sqlite3"), notifiers=[notes]) as d:
        yield d


def owner(n: int, when: datetime, summary: str = LIFT) -> Intake:
    """Household ``n`` of building 8 at site sunrise, phoning customer service."""
    return Intake(
        complainant=Complainant(f"业主{n}", f"1370000{n:04d}", f"8-{n}-{n}01", "8", "sunrise"),
        channel="phone",
        received_at=when,
        receiver="SR-103",
        summary=summary,
        site="sunrise",
    )


def escalations(c: Complaint) -> list[tuple[Trigger, str, str]]:
    return [(e.trigger, e.from_rung, e.to_rung) for e in c.events if isinstance(e, Escalated)]


def told(desk: Desk, notes: RecordingNotifier, topic: str, when: datetime) -> list[str]:
    desk.deliver(when)
    return sorted(n.recipient for n, _ in notes.sent if n.topic == topic)


def site_visit_due(desk: Desk, cid: str, now: datetime) -> datetime | None:
    return next(d.due for d in desk.duties(cid, now) if d.name == "site_visit")


SPRING = [at(2026, 2, 16, 20), at(2026, 2, 16, 21, 10), at(2026, 2, 16, 22, 30)]
SPRING += [at(2026, 2, 17, 7, 40), at(2026, 2, 17, 8, 15)]
"""Five households about the lift between Spring Festival eve and the next morning."""


@pytest.mark.procedure("HDL-6")
@pytest.mark.procedure("ESC-2")
def test_a_group_incident_is_reported_to_the_project_manager_as_an_incident(
    desk: Desk, notes: RecordingNotifier
) -> None:
    """004 篇1: a group complaint is told to the project manager at once (HDL-6,
    the pack's group_report_rung); it is not a serious escalation (ESC-2), which
    would go to senior management: head office is not told, and nothing says
    "serious" of a complaint that stopped at the project manager."""
    ids = [desk.receive(owner(n, when), now=when).id for n, when in enumerate(SPRING, 1)]
    assert told(desk, notes, "group_incident", SPRING[-1]) == ["SR-001"]
    for cid in ids:
        c = desk.get(cid)
        assert c.state.group_incident
        assert escalations(c) == [(Trigger.INCIDENT, "department_head", "project_manager")]
    assert not [r for n, r in notes.sent if n.recipient.startswith("HQ-")]


def reported_complaints(notes: RecordingNotifier) -> list[list[str]]:
    """The complaints each group-incident report names (its ``complaints:`` line)."""
    return [
        line.removeprefix("complaints: ").split(", ")
        for n, _ in notes.sent
        if n.topic == "group_incident"
        for line in n.body.splitlines()
        if line.startswith("complaints: ")
    ]


@pytest.mark.procedure("HDL-6")
def test_the_group_incident_report_names_every_complaint_of_the_issue(
    desk: Desk, notes: RecordingNotifier
) -> None:
    """HDL-6: the one report at once is read on its own: five complainants, five
    complaints, in the order received, not just the fifth that made the issue an
    incident (review s43B F01)."""
    ids = [desk.receive(owner(n, when), now=when).id for n, when in enumerate(SPRING, 1)]
    assert told(desk, notes, "group_incident", SPRING[-1]) == ["SR-001"]
    assert reported_complaints(notes) == [ids]
    [report] = [n for n, _ in notes.sent if n.topic == "group_incident"]
    assert "complainants: 5" in report.body.splitlines()


@pytest.mark.procedure("HDL-6")
def test_the_report_counts_the_complainants_of_the_complaints_it_names(
    desk: Desk, notes: RecordingNotifier
) -> None:
    """HDL-6 (review s43F F02): an issue that grew over days becomes an incident; the
    report names its nine open complaints, from eight households (the first called
    twice), and says eight complainants: the number and the list are one set, not
    the six that happen to fall in the incident's window."""
    calls = [(1, at(2026, 3, 2, 8)), (2, at(2026, 3, 2, 9)), (3, at(2026, 3, 2, 10))]
    calls += [(1, at(2026, 3, 4, 9))]  # the first household again, two days on
    calls += [(n, at(2026, 3, 6, 8, 10 * k)) for k, n in enumerate(range(4, 9))]
    ids = [desk.receive(owner(n, when), now=when).id for n, when in calls]
    assert len(desk.issue(desk.get(ids[0]).state.issue)) == 9
    assert told(desk, notes, "group_incident", calls[-1][1]) == ["SR-001"]
    assert reported_complaints(notes) == [ids]
    [report] = [n for n, _ in notes.sent if n.topic == "group_incident"]
    assert "complainants: 8" in report.body.splitlines()
    assert "投诉人数：8" in report.body.splitlines()


@pytest.mark.procedure("HDL-6")
def test_a_batch_making_a_stored_issue_an_incident_reports_all_its_complaints(
    desk: Desk, notes: RecordingNotifier
) -> None:
    """HDL-6: three stored complaints form the issue; a bulk batch of two makes it a
    group incident, and the report names the stored three and the batch's two."""
    stored = [desk.receive(owner(n, when), now=when).id for n, when in enumerate(SPRING[:3], 1)]
    batch = [owner(n, when) for n, when in enumerate(SPRING[3:], 4)]
    received = [c.id for c in desk.receive_many(batch, now=SPRING[-1])]
    assert told(desk, notes, "group_incident", SPRING[-1]) == ["SR-001"]
    assert reported_complaints(notes) == [stored + received]


@pytest.mark.procedure("HDL-6")
def test_an_urgent_category_is_reported_at_once_as_an_incident(
    desk: Desk, notes: RecordingNotifier
) -> None:
    """HDL-6: an urgent category (集体/横幅, a group complaint in one call) reaches the
    project manager at once, on a holiday too, with the 'urgent' message; the trigger
    says it was reported at once, not that it was serious."""
    when = at(2026, 2, 18, 9, 30)  # the second day of Spring Festival
    c = desk.receive(owner(1, when, "十几户业主集体投诉，在物业中心拉横幅"), now=when)
    assert c.state.category == "group_incident"
    assert [(t, to) for t, _, to in escalations(c)] == [(Trigger.INCIDENT, "project_manager")]
    assert (c.state.rung, c.state.handler) == ("project_manager", "SR-001")
    assert told(desk, notes, "urgent", when) == ["SR-001"]
    [message] = [n for n, _ in notes.sent if n.topic == "urgent"]
    assert Trigger.INCIDENT.en in message.body


@pytest.mark.procedure("ESC-2")
@pytest.mark.procedure("HDL-6")
def test_the_monthly_report_counts_incidents_apart_from_serious_escalations(
    desk: Desk, notes: RecordingNotifier
) -> None:
    """ESC-2: a serious complaint still goes to the serious rung, senior management,
    and both offices hear (004 篇4 §3.6 "物业总监与总经办"); the report counts it
    under serious and the five members of the group incident under incident."""
    ids = [desk.receive(owner(n, when), now=when).id for n, when in enumerate(SPRING, 1)]
    leak = at(2026, 2, 24, 10, 0)
    c = desk.receive(owner(9, leak, "楼上漏水，电线短路冒烟"), now=leak)
    c = desk.act(c.id, Escalate(actor="SR-102", trigger="serious"), now=leak + timedelta(1 / 24))
    assert escalations(c)[-1][0::2] == (Trigger.SERIOUS, "senior_management")
    assert told(desk, notes, "urgent", leak + timedelta(1 / 24)) == ["HQ-001", "HQ-002"]
    for cid in (*ids, c.id):  # the report counts valid complaints (VAL-4)
        desk.act(cid, Assess(actor="SR-001", validity="valid"), now=at(2026, 2, 25, 9))
    report = desk.monthly_report(2026, 2, now=at(2026, 3, 2, 9))
    counts = {count.key: count.count for count in report.escalations}
    assert (counts["incident"], counts["serious"]) == (5, 1)


@pytest.mark.procedure("ESC-2")
def test_a_host_may_report_an_incident_to_a_rung_below_the_serious_rung(desk: Desk) -> None:
    """ESC-2: only a serious escalation must reach serious_rung; an incident reported
    by hand to the project manager stops there, as any other trigger's to_rung does."""
    when = at(2026, 10, 1, 10, 5)
    c = desk.receive(owner(1, when, "电梯困人"), now=when)
    with pytest.raises(EscalationError, match="ESC-2"):
        desk.act(
            c.id, Escalate(actor="SR-102", trigger="serious", to_rung="project_manager"), now=when
        )
    c = desk.act(
        c.id, Escalate(actor="SR-102", trigger="incident", to_rung="project_manager"), now=when
    )
    assert escalations(c)[-1][0::2] == (Trigger.INCIDENT, "project_manager")


@pytest.mark.procedure("ESC-2")
@pytest.mark.procedure("HDL-6")
def test_the_site_visit_is_due_four_hours_on_the_clock_on_a_holiday(desk: Desk) -> None:
    """004 篇4 §3.6: a serious complaint (a group incident reported at once among them,
    cn-property's site_visit comment) is reported at once (立刻) and customer service
    takes the departments to the site with the complainant.  4 hours on the clock:
    the fifth household's call at 08:15 on 17 February (Spring Festival) owes the
    visit by 12:15 that day, a serious escalation at 10:05 on 1 October by 14:05,
    not after the holiday."""
    ids = [desk.receive(owner(n, when), now=when).id for n, when in enumerate(SPRING, 1)]
    assert site_visit_due(desk, ids[0], SPRING[-1]) == at(2026, 2, 17, 12, 15)
    when = at(2026, 10, 1, 10, 5)
    c = desk.receive(owner(7, when, "楼上漏水，电线短路冒烟"), now=when)
    desk.act(c.id, Escalate(actor="SR-102", trigger="serious"), now=when)
    assert site_visit_due(desk, c.id, when) == at(2026, 10, 1, 14, 5)
