"""A group incident at a site with nobody at the project manager's rung or above
(review s43F F01).

HDL-6 sends every member of the issue to the pack's group_report_rung (the project
manager) at once; at a site where nobody holds it or any rung above, each member is
left held by nobody, and customer service's head at the site (SR-101) and the
accountability department (HQ-010, hr_admin) are told ``unassignable`` (IN-2,
ESC-2; docs/desk.md "With nobody at or above its rung").  The complaint whose
arrival or reclassification makes the issue an incident is told as the members it
links are, whichever way it came, and nobody is told twice of one step.

On a SQLite desk with the packaged sample staff of cn-property without its project
managers and senior management: at site ``sunrise`` SR-101 is the customer-service
supervisor and SR-103 the receptionist.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import attrs
import pytest

from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.adapters.staff import load_sample_staff
from complaintcore.core.models import Complainant, Intake
from complaintcore.core.workflow import Classify
from complaintcore.desk import Desk
from complaintcore.desk.ports import StaffMember
from complaintcore.testing import RecordingNotifier, make_desk
from tests.helpers import SH

LEAK = "楼道顶上漏水，墙面渗水"
LITTER = "楼道垃圾没人打扫，有异味"
BANNER = "十几户业主集体投诉，在物业中心拉横幅"
T0 = datetime(2025, 11, 3, 10, tzinfo=SH)  # a Monday
LATER = T0 + timedelta(hours=1)
TOLD = Counter({"SR-101": 1, "HQ-010": 1})
"""Who hears of one complaint left held by nobody, and how often: once each."""


def no_managers() -> list[StaffMember]:
    """The sample staff without anyone at the project manager's rung or above."""
    return [
        m for m in load_sample_staff() if m.rung not in ("project_manager", "senior_management")
    ]


@pytest.fixture
def notes() -> RecordingNotifier:
    return RecordingNotifier()


@pytest.fixture
def desk(tmp_path: Path, notes: RecordingNotifier) -> Iterator[Desk]:
    store = SqliteStore(tmp_path / "desk.sqlite3")
    with make_desk(store=store, staff=no_managers(), notifiers=[notes]) as d:
        yield d


def owner(n: int, summary: str = LEAK) -> Intake:
    """Household ``n`` of building 9 at site sunrise, phoning customer service."""
    return Intake(
        complainant=Complainant(f"业主{n}", f"1390000{n:04d}", f"9-1-{n}01", "9", "sunrise"),
        channel="phone",
        received_at=T0 + timedelta(minutes=n),
        receiver="SR-103",
        summary=summary,
        site="sunrise",
    )


def unassignable(desk: Desk, notes: RecordingNotifier, cid: str) -> Counter[str]:
    """How many ``unassignable`` messages each recipient had about ``cid``."""
    desk.deliver(LATER)
    return Counter(
        n.recipient for n, _ in notes.sent if n.topic == "unassignable" and n.complaint_id == cid
    )


def left_unheld(desk: Desk, cid: str) -> bool:
    c = desk.get(cid)
    return (c.state.group_incident, c.state.rung, c.state.handler) == (
        True,
        "project_manager",
        "",
    )


@pytest.mark.procedure("HDL-6")
@pytest.mark.procedure("ESC-2")
@pytest.mark.procedure("IN-2")
def test_the_complaint_received_that_makes_the_incident_is_told_like_the_others(
    desk: Desk, notes: RecordingNotifier
) -> None:
    """The fifth household's call makes the issue an incident: it is sent up to the
    project manager's rung with the four before it, and told unassignable as they
    are, once to each."""
    ids = [desk.receive(owner(n), now=owner(n).received_at).id for n in range(1, 6)]
    for cid in ids:
        assert left_unheld(desk, cid)
        assert unassignable(desk, notes, cid) == TOLD


@pytest.mark.procedure("HDL-6")
@pytest.mark.procedure("ESC-2")
@pytest.mark.procedure("IN-2")
def test_a_batch_that_makes_the_incident_tells_each_of_its_complaints_once(
    desk: Desk, notes: RecordingNotifier
) -> None:
    """Bulk intake (an import): five calls of one batch form the issue and make it an
    incident; each of them is told once, drafts linked by a later one too."""
    ids = [c.id for c in desk.receive_many([owner(n) for n in range(1, 6)], now=LATER)]
    for cid in ids:
        assert left_unheld(desk, cid)
        assert unassignable(desk, notes, cid) == TOLD


@pytest.mark.procedure("HDL-6")
@pytest.mark.procedure("ESC-2")
@pytest.mark.procedure("HDL-5")
def test_the_complaint_reclassified_into_an_incident_is_told_like_the_others(
    desk: Desk, notes: RecordingNotifier
) -> None:
    """Four leak calls and a fifth filed as litter; reclassified as repairs it joins
    the issue and makes it an incident, as it would have at intake: told once."""
    ids = [desk.receive(owner(n), now=owner(n).received_at).id for n in range(1, 5)]
    filed = desk.receive(owner(5, LITTER), now=owner(5).received_at)
    assert filed.state.handler
    desk.deliver(LATER)
    moved = desk.act(filed.id, Classify(actor="SR-101", category="repairs"), now=LATER)
    assert moved.state.issue == desk.get(ids[0]).state.issue
    assert left_unheld(desk, moved.id)
    assert unassignable(desk, notes, moved.id) == TOLD


@pytest.mark.procedure("HDL-6")
@pytest.mark.procedure("ESC-2")
def test_a_reclassification_sending_it_up_itself_and_grouping_it_is_told_once(
    desk: Desk, notes: RecordingNotifier
) -> None:
    """A complaint reclassified into the urgent category is sent to the project
    manager's rung by the reclassification itself (HDL-6), and joins two stored
    complaints of that category in an issue in the same commit: told once, as a
    reclassification that groups nothing is."""
    for n in (1, 2):
        desk.receive(owner(n, BANNER), now=owner(n).received_at)
    filed = desk.receive(owner(3, LITTER), now=owner(3).received_at)
    assert filed.state.handler
    desk.deliver(LATER)
    moved = desk.act(filed.id, Classify(actor="SR-101", category="group_incident"), now=LATER)
    assert moved.state.issue
    assert (moved.state.rung, moved.state.handler) == ("project_manager", "")
    assert unassignable(desk, notes, moved.id) == TOLD


@pytest.mark.procedure("IN-2")
@pytest.mark.procedure("HDL-6")
def test_a_complaint_intake_gave_to_nobody_is_not_told_twice_when_it_makes_the_incident(
    tmp_path: Path, notes: RecordingNotifier
) -> None:
    """At a site with only front-line staff intake gives each call to nobody and says
    so at once; the fifth also makes the issue an incident in the same receipt, and
    its accountability department is told of it once, not once more for the incident."""
    sample = {m.staff_id: m for m in load_sample_staff()}
    staff = [
        sample["SR-103"],
        sample["SR-202"],
        attrs.evolve(sample["HQ-010"], staff_id="SR-701", rung="front_line", site="sunrise"),
    ]
    with make_desk(
        store=SqliteStore(tmp_path / "desk.sqlite3"), staff=staff, notifiers=[notes]
    ) as desk:
        ids = [desk.receive(owner(n), now=owner(n).received_at).id for n in range(1, 6)]
        assert left_unheld(desk, ids[-1])
        assert unassignable(desk, notes, ids[-1]) == Counter({"SR-701": 1})
