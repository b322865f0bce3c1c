"""Concentrated issues of complaints about staff (review s38A F03) on SQLite and PostgreSQL.

cn-property, the packaged sample staff: at site sunrise SR-001 is the project
manager, SR-101 customer service's supervisor, SR-102 and SR-103 customer
service; HQ-001 and HQ-002 senior management (every site).  3 complainants of
one category in one building within 72 h are a concentrated issue, 5 within
24 h a group incident reported to the project manager.

* HDL-5: complaints about different people are different matters: never one
  issue, never one unified explanation.  Complaints about the same person are.
* ESC-4: nobody a member complaint is about hears of the issue
  (``concentrated_issue``, ``group_incident``): he would learn of the complaint
  about himself.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from complaintcore import Complainant, Intake, TargetPerson
from complaintcore.desk import Desk
from complaintcore.testing import RecordingNotifier, make_desk
from tests.helpers import SH, store_on

ISSUE_TOPICS = ("concentrated_issue", "group_incident")

SUPERVISOR = TargetPerson("SR-101", "department_head", "客服主管", "customer_service")
HANDLER = TargetPerson("SR-102", "complaint_handler", "客服专员", "customer_service")
MANAGER = TargetPerson("SR-001", "project_manager", "项目经理", "customer_service")
DIRECTOR = TargetPerson("HQ-001", "senior_management", "物业总监", "head_office")


def at(hour: int) -> datetime:
    return datetime(2026, 2, 12, hour, 0, tzinfo=SH)


@pytest.fixture
def notes() -> RecordingNotifier:
    return RecordingNotifier()


@pytest.fixture(params=["sqlite", "postgres"])
def desk(
    request: pytest.FixtureRequest, tmp_path: Path, notes: RecordingNotifier
) -> Iterator[Desk]:
    with make_desk(store=store_on(request.param, request, tmp_path), notifiers=[notes]) as d:
        yield d


def attitude(desk: Desk, n: int, hour: int, target: TargetPerson | None) -> str:
    """Owner ``n`` of building 2 complains at ``hour`` of rude service (by ``target``)."""
    owner = Complainant(f"业主{n}", f"1380000{n:04d}", f"2-1-{n}01", "2", "sunrise")
    summary = f"{target.role if target else '工作人员'}态度恶劣，不理睬业主"
    intake = Intake(owner, "phone", at(hour), "SR-103", summary, site="sunrise", target=target)
    return desk.receive(intake, now=at(hour)).id


def issue_notes(notes: RecordingNotifier) -> list[tuple[str, str]]:
    return [(n.recipient, n.topic) for n, _ in notes.sent if n.topic in ISSUE_TOPICS]


def told_of_issue(desk: Desk, notes: RecordingNotifier) -> set[str]:
    desk.deliver(at(23))
    return {who for who, _ in issue_notes(notes)}


@pytest.mark.procedure("HDL-5")
@pytest.mark.procedure("ESC-4")
def test_complaints_about_different_people_are_not_one_issue(
    desk: Desk, notes: RecordingNotifier
) -> None:
    ids = [
        attitude(desk, n, 9 + n, target)
        for n, target in enumerate((SUPERVISOR, MANAGER, DIRECTOR), start=1)
    ]
    assert len({desk.get(i).state.category for i in ids}) == 1  # one category, one building
    assert [desk.get(i).state.issue for i in ids] == ["", "", ""]
    told = told_of_issue(desk, notes)
    assert told.isdisjoint({"SR-101", "SR-001", "HQ-001"})  # each would learn of his own
    assert issue_notes(notes) == []


@pytest.mark.procedure("HDL-5")
def test_complaints_about_the_same_person_are_one_issue_without_the_others(
    desk: Desk, notes: RecordingNotifier
) -> None:
    about_him = [attitude(desk, n, 8 + n, HANDLER) for n in (1, 2, 3)]
    about_nobody = [attitude(desk, n, 12 + n, None) for n in (4, 5)]
    issue = desk.get(about_him[0]).state.issue
    assert issue == f"I-{about_him[0]}"
    assert [desk.get(i).state.issue for i in about_him] == [issue] * 3
    assert [r.id for r in desk.issue(issue)] == about_him
    assert [desk.get(i).state.issue for i in about_nobody] == ["", ""]
    assert not any(desk.get(i).state.group_incident for i in [*about_him, *about_nobody])
    told = told_of_issue(desk, notes)
    assert told  # customer service hears of it ...
    assert "SR-102" not in told  # ... but not the person it is about (ESC-4)


@pytest.mark.procedure("HDL-6")
@pytest.mark.procedure("ESC-4")
def test_a_group_incident_about_the_project_manager_goes_above_him(
    desk: Desk, notes: RecordingNotifier
) -> None:
    ids = [attitude(desk, n, 8 + n, MANAGER) for n in (1, 2, 3, 4, 5)]
    assert all(desk.get(i).state.group_incident for i in ids)
    desk.deliver(at(23))
    reports = [who for who, topic in issue_notes(notes) if topic == "group_incident"]
    assert reports  # reported at once, to the rung above the project manager
    assert "SR-001" not in reports
    assert set(reports) <= {"HQ-001", "HQ-002"}
    assert "SR-001" not in {who for who, _ in issue_notes(notes)}


@pytest.mark.procedure("HDL-5")
@pytest.mark.procedure("ESC-4")
def test_no_issue_notice_reaches_anyone_a_member_is_about(
    desk: Desk, notes: RecordingNotifier
) -> None:
    targets = (SUPERVISOR, HANDLER, None, None, None)
    ids = [attitude(desk, n, 8 + n, t) for n, t in enumerate(targets, start=1)]
    desk.deliver(at(23))
    told = [(n, desk.get(n.complaint_id).state.issue) for n, _ in notes.sent]
    told = [(n, i) for n, i in told if n.topic in ISSUE_TOPICS]
    assert told
    for note, of in told:
        about = {
            t.staff_id
            for r in desk.issue(of)
            for c in [desk.get(r.id)]
            for t in [c.state.target or c.intake.target]
            if t is not None
        }
        assert note.recipient not in about, (note.topic, note.recipient)
    # the three about nobody are an issue of their own, told to customer service
    issue = desk.get(ids[2]).state.issue
    assert issue == f"I-{ids[2]}"
    assert [r.id for r in desk.issue(issue)] == ids[2:]
    assert [desk.get(i).state.issue for i in ids[:2]] == ["", ""]
