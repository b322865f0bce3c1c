"""Review s49D at a desk: a request for the next stage is routed never below the rung
the complaint reached, and whoever held it hears that it is no longer theirs (F02);
top management decides the closure of a review the complainant does not accept (F01).

Routing is counted by hand from the sample staff files and docs/desk.md: the new
stage goes, as at intake, to the first of the responsible department, then customer
service, then anyone, that has someone at or above the floor who handled no
earlier stage, and there to the lowest rung (on duty first, then by staff id).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from complaintcore import Complainant, Desk, Intake, calendar_for_spec, load_pack
from complaintcore.adapters.memory_store import MemoryStore
from complaintcore.adapters.staff import load_sample_staff
from complaintcore.core.models import Complaint, Status
from complaintcore.core.workflow import Acknowledge, Close, Escalate, RequestEscalation, Respond
from complaintcore.testing import RecordingNotifier

LONDON = ZoneInfo("Europe/London")


def lon(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


def _desk(pack_name: str, people: RecordingNotifier) -> Desk:
    params = {"country": "GB-ENG", "timezone": "Europe/London"} if pack_name == "iso-10002" else {}
    pack = load_pack(pack_name, parameters=params)
    return Desk(
        pack=pack,
        store=MemoryStore(),
        directory=load_sample_staff(pack=pack),
        calendar=calendar_for_spec(pack.calendar),
        notifiers=[people],
    )


def _intake(received: datetime, *, summary: str, site: str, receiver: str) -> Intake:
    return Intake(
        complainant=Complainant("Bob Green", "+44 7700 900002", "Flat 2", site=site),
        channel="phone",
        received_at=received,
        receiver=receiver,
        summary=summary,
        site=site,
    )


def _ask_for_next_stage(
    desk: Desk, people: RecordingNotifier, cid: str, actor: str, at: datetime
) -> Complaint:
    """The request for the next stage, with only the messages it queued kept."""
    desk.deliver(at)
    people.sent.clear()
    c = desk.act(cid, RequestEscalation(actor=actor), now=at)
    desk.deliver(at)
    return c


def _told(people: RecordingNotifier, cid: str, topic: str) -> dict[str, str]:
    return {
        n.recipient: n.body for n, _ in people.sent if n.complaint_id == cid and n.topic == topic
    }


@pytest.mark.procedure("ESC-5")
def test_an_iso_review_of_a_decision_the_manager_held_is_not_sent_down_to_an_officer() -> None:
    """C02 of the review: received Tuesday 1 December 2026, 16:30; its decision was due
    at the close of the 10th working day after (2, 3, 4, 7, 8, 9, 10, 11, 14, 15
    December: Tuesday 15 December, 18:00), so the 18:05 sweep moved it from the
    operations officer OP-101 to the complaints manager CM-201.  The review goes to
    neither of them and not below complaints_manager: operations has nobody else,
    customer service's officers are below the floor, so its top manager TM-301 takes
    it; CM-201, who loses it, is told, with the stage it went to."""
    people = RecordingNotifier("staff")
    with _desk("iso-10002", people) as desk:
        received = lon(2026, 12, 1, 16, 30)
        c = desk.receive(
            _intake(
                received, summary="Engineer missed the appointment", site="main", receiver="CS-102"
            ),
            now=received,
        )
        assert (c.state.handler, c.state.rung) == ("OP-101", "complaints_officer")
        desk.act(
            c.id, Acknowledge(actor="OP-101", remedy_sought="a new visit"), now=lon(2026, 12, 2)
        )
        desk.sweep(lon(2026, 12, 15, 18, 5))
        c = desk.get(c.id)
        assert (c.state.handler, c.state.rung) == ("CM-201", "complaints_manager")
        desk.act(
            c.id,
            Respond(actor="CM-201", outcome="not_upheld", message="Engineer came"),
            now=lon(2026, 12, 16),
        )
        c = _ask_for_next_stage(desk, people, c.id, "CS-102", lon(2026, 12, 17))
        assert (c.state.stage, c.state.handler, c.state.rung) == (
            "review",
            "TM-301",
            "top_management",
        )
        assert set(_told(people, c.id, "assigned")) == {"TM-301"}
        left = _told(people, c.id, "stage_left")
        assert set(left) == {"CM-201"}
        assert "stage: review of the decision" in left["CM-201"]
        assert desk.verify().ok


@pytest.mark.procedure("ESC-5")
def test_a_uk_stage_2_after_a_missed_acknowledgement_stays_with_a_manager() -> None:
    """HOC 6.2: received Monday 3 March 2025, 10:00, not acknowledged by the 5th working
    day (Monday 10 March, 17:00): Tuesday's sweep moved it from RP-101 to the repairs
    manager RP-201, who answered stage 1.  Stage 2 (HOC 6.13: a different person) is
    not handed down to a customer service officer: repairs has nobody else, so
    customer service's complaints manager CM-301 takes it, and RP-201 is told."""
    people = RecordingNotifier("staff")
    with _desk("uk-housing-ombudsman-2024", people) as desk:
        received = lon(2025, 3, 3)
        c = desk.receive(
            _intake(
                received,
                summary="Black mould in the bedroom again",
                site="elm-court",
                receiver="CS-001",
            ),
            now=received,
        )
        assert c.state.handler == "RP-101"
        desk.sweep(lon(2025, 3, 11, 9))
        c = desk.get(c.id)
        assert (c.state.rung, c.state.handler) == ("complaints_manager", "RP-201")
        desk.act(c.id, Acknowledge(actor="RP-201", definition="Mould"), now=lon(2025, 3, 11))
        c = desk.act(
            c.id,
            Respond(actor="RP-201", outcome="not_upheld", message="No leak found"),
            now=lon(2025, 3, 14, 12),
        )
        assert c.status is Status.CLOSED
        c = _ask_for_next_stage(desk, people, c.id, "CS-001", lon(2025, 3, 17))
        assert (c.state.stage, c.state.rung, c.state.handler) == (
            "stage_2",
            "complaints_manager",
            "CM-301",
        )
        assert set(_told(people, c.id, "stage_left")) == {"RP-201"}


@pytest.mark.procedure("VIS-3")
def test_an_iso_review_nobody_else_at_the_top_may_take_is_told_and_closed_by_the_top() -> None:
    """A complaint top management decided at the first stage: its review needs someone
    else (8.9) at top_management or above, and the sample staff has no other top
    manager, so nobody holds it and customer service's head hears it at once
    (``unassignable``) instead of its going down to an officer.  Its request is the
    complainant's failed satisfaction: top management decides the closure."""
    people = RecordingNotifier("staff")
    with _desk("iso-10002", people) as desk:
        received = lon(2026, 12, 2, 9, 30)
        c = desk.receive(
            _intake(received, summary="Heater is faulty", site="main", receiver="CS-102"),
            now=received,
        )
        desk.act(c.id, Acknowledge(actor=c.state.handler, remedy_sought="a repair"), now=received)
        c = desk.act(
            c.id,
            Escalate(actor=c.state.handler, trigger="cannot_handle", to_rung="top_management"),
            now=lon(2026, 12, 3),
        )
        assert (c.state.rung, c.state.handler) == ("top_management", "TM-301")
        desk.act(
            c.id,
            Respond(actor="TM-301", outcome="not_upheld", message="m"),
            now=lon(2026, 12, 4),
        )
        c = _ask_for_next_stage(desk, people, c.id, "CS-102", lon(2026, 12, 7))
        assert (c.state.stage, c.state.rung, c.state.handler) == ("review", "top_management", "")
        assert _told(people, c.id, "unassignable")
        assert set(_told(people, c.id, "stage_left")) == {"TM-301"}
        desk.sweep(lon(2026, 12, 7, 12, 5))  # tried again: still nobody, and not moved down
        c = desk.get(c.id)
        assert (c.state.rung, c.state.handler) == ("top_management", "")
        c = desk.act(
            c.id,
            Close(actor="TM-301", result="Top management decided", decided_by_top_rung=True),
            now=lon(2026, 12, 8),
        )
        assert c.status is Status.CLOSED
