"""Who may answer a complaint about a staff member, and who hears at once of one
nobody at the site may take (review s38A F02, F05).

cn-property on the 2025 State Council calendar, the packaged sample staff at site
``sunrise`` (see test_held_after_an_escalation.py), on a SQLite desk.  ESC-4: a
complaint about a staff member is handled at least one rung above that person's
(about project manager SR-001: senior management, HQ-001).  DL-1: the reply "with
the result or a reasoned explanation within 3 days"; DL-2: an invalid complaint is
explained the same day.  IN-3 lets an ordinary employee explain on the spot, so a
complaint about nobody may still be explained by the receptionist.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.adapters.staff import load_sample_staff
from complaintcore.core.errors import AccessDeniedError
from complaintcore.core.models import Complainant, Complaint, Intake, TargetPerson
from complaintcore.core.workflow import Assess, Escalate, Group, Reply
from complaintcore.desk import Desk
from complaintcore.desk.ports import StaffMember
from complaintcore.rules import load_pack
from complaintcore.testing import RecordingNotifier, make_desk
from tests.helpers import SH

PM = TargetPerson(staff_id="SR-001", rung="project_manager", role="项目经理")
HEAD = TargetPerson(staff_id="SR-101", rung="department_head", role="客服主管")
GUARD = TargetPerson(staff_id="SR-303", rung="front_line", role="保安")
DIRECTOR = TargetPerson(staff_id="HQ-001", rung="senior_management", role="物业总监")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 11, day, hour, minute, tzinfo=SH)


def owner(n: int) -> Complainant:
    return Complainant(f"业主{n}", f"1380000{n:04d}", f"2-1-{n}01", "2", "sunrise")


def intake(n: int, received: datetime, summary: str, target: TargetPerson | None = None) -> Intake:
    return Intake(
        complainant=owner(n),
        channel="phone",
        received_at=received,
        receiver="SR-103",
        summary=summary,
        site="sunrise",
        target=target,
    )


def desk_on(tmp_path: Path, *, without: tuple[str, ...] = ()) -> tuple[Desk, RecordingNotifier]:
    staff: list[StaffMember] = [
        m for m in load_sample_staff(pack=load_pack("cn-property")).members()
        if m.staff_id not in without
    ]  # fmt: skip
    notes = RecordingNotifier()
    store = SqliteStore(tmp_path / "desk.sqlite3")
    return make_desk(staff=staff, notifiers=[notes], store=store), notes


def clock(desk: Desk, complaint_id: str, name: str, now: datetime) -> str:
    return next(s for s in desk.clocks(complaint_id, now) if s.name == name).state.value


def refused(desk: Desk, complaint_id: str, command: Reply, now: datetime) -> AccessDeniedError:
    before = desk.get(complaint_id).version
    with pytest.raises(AccessDeniedError) as caught:
        desk.act(complaint_id, command, now=now)
    assert desk.get(complaint_id).version == before  # a refusal writes nothing
    return caught.value


# --------------------------------------------------------------------------- F02


@pytest.mark.procedure("ESC-4")
@pytest.mark.procedure("DL-1")
def test_an_explanation_of_a_complaint_about_a_staff_member_needs_the_rung_that_handles_it(
    tmp_path: Path,
) -> None:
    """The complaint about project manager SR-001 goes to senior management (ESC-4).
    The receptionist SR-103 (front line) may neither explain it nor report it
    unanswerable: either would meet DL-1's reply clock three rungs below the
    complaint's.  HQ-001's explanation meets it.  A complaint about nobody is
    still explained on the spot by the same receptionist (IN-3)."""
    desk, _notes = desk_on(tmp_path)
    rude = desk.receive(intake(1, at(10, 10), "项目经理答应的事情一直推诿不办", PM), now=at(10, 10))
    assert (rude.state.rung, rude.state.handler) == ("senior_management", "HQ-001")
    explain = Reply(actor="SR-103", message="经核实项目经理当时在外开会", explanation=True)
    error = refused(desk, rude.id, explain, at(10, 11))
    assert (error.actor, error.command) == ("SR-103", "reply")
    assert error.reason == (
        "rung front_line is below senior_management: a complaint about a staff member"
        " is answered at the rung that handles it (ESC-4)"
    )
    unanswerable = Reply(
        actor="SR-102",
        message="需进一步核实",
        unanswerable_reason="待查",
        agreed_due=at(10, 17),  # DL-3: with its new date, refused for the rung alone
    )
    error = refused(desk, rude.id, unanswerable, at(10, 11))
    assert "complaint_handler is below senior_management" in error.reason
    assert clock(desk, rude.id, "reply", at(10, 12)) == "running"
    # an interim reply stops neither clock: anyone at the site may still give one
    desk.act(rude.id, Reply(actor="SR-103", message="已收到，正在处理"), now=at(10, 11, 30))
    assert clock(desk, rude.id, "reply", at(10, 12)) == "running"
    desk.act(rude.id, Reply(actor="HQ-001", message="经核实", explanation=True), now=at(10, 12))
    assert clock(desk, rude.id, "reply", at(10, 13)) == "met"

    leak = desk.receive(intake(2, at(10, 10), "楼上漏水，天花板渗水"), now=at(10, 10))
    assert leak.intake.target is None
    desk.act(leak.id, Reply(actor="SR-103", message="已联系维修", explanation=True), now=at(10, 11))
    assert clock(desk, leak.id, "reply", at(10, 12)) == "met"


@pytest.mark.procedure("ESC-4")
@pytest.mark.procedure("DL-2")
def test_an_invalid_complaint_about_a_staff_member_is_explained_by_its_rung(
    tmp_path: Path,
) -> None:
    """Assessed invalid by HQ-001, the complaint about SR-001 owes an explanation the
    same day (DL-2).  The receptionist's does not meet it; HQ-001's does."""
    desk, _notes = desk_on(tmp_path)
    rude = desk.receive(intake(1, at(10, 10), "项目经理答应的事情一直推诿不办", PM), now=at(10, 10))
    desk.act(rude.id, Assess(actor="HQ-001", validity="invalid"), now=at(10, 11))
    explain = Reply(actor="SR-103", message="经核实不属实", explanation=True)
    refused(desk, rude.id, explain, at(10, 11, 30))
    assert clock(desk, rude.id, "invalid_explained", at(10, 12)) == "running"
    desk.act(
        rude.id, Reply(actor="HQ-001", message="经核实不属实", explanation=True), now=at(10, 12)
    )
    assert clock(desk, rude.id, "invalid_explained", at(10, 13)) == "met"


@pytest.mark.procedure("ESC-4")
@pytest.mark.procedure("HDL-5")
@pytest.mark.procedure("DL-1")
def test_a_unified_explanation_skips_members_about_staff_the_actor_may_not_answer(
    tmp_path: Path,
) -> None:
    """Three service-attitude complaints in block 2 in one issue (HDL-5): one about
    customer-service head SR-101 (handled at project_manager, ESC-4), one about
    guard SR-303 (complaint_handler) and one about nobody.  Complaint handler
    SR-102's unified explanation answers the last two; the one about his own
    supervisor is skipped, the refusal naming it and the rung it needs, and its
    reply clock keeps running."""
    desk, _notes = desk_on(tmp_path)
    members: list[Complaint] = [
        desk.receive(intake(n, at(10, 9 + n), summary, target), now=at(10, 9 + n))
        for n, summary, target in (
            (1, "客服主管态度恶劣，不理睬", HEAD),
            (2, "保安态度恶劣，不理睬", GUARD),
            (3, "前台态度恶劣，不理睬", None),
        )
    ]
    # intake keeps complaints about different people apart (s38A F03): the issue is
    # linked as an earlier release stored it
    ids = tuple(c.id for c in members)
    issue = f"I-{ids[0]}"
    for cid in ids:
        group = Group(actor="SR-102", issue=issue, members=ids, complainants=3)
        desk.act(cid, group, now=at(10, 13))
    assert all(desk.get(c.id).state.issue == issue for c in members)
    report = desk.explain_all(issue, actor="SR-102", message="统一解释", now=at(10, 14))
    assert sorted(report.done) == sorted([members[1].id, members[2].id])
    ((skipped, error),) = report.skipped
    assert skipped == members[0].id
    assert isinstance(error, AccessDeniedError)
    assert (error.complaint_id, error.actor) == (members[0].id, "SR-102")
    assert error.reason.startswith("rung complaint_handler is below project_manager:")
    assert clock(desk, members[0].id, "reply", at(10, 15)) == "running"
    assert clock(desk, members[1].id, "reply", at(10, 15)) == "met"


# --------------------------------------------------------------------------- F05


Receive = Callable[[Desk, Intake, datetime], Complaint]


def _receive_one(desk: Desk, the_intake: Intake, now: datetime) -> Complaint:
    return desk.receive(the_intake, now=now)


def _receive_in_bulk(desk: Desk, the_intake: Intake, now: datetime) -> Complaint:
    (got,) = desk.receive_many([the_intake], now=now)
    assert isinstance(got, Complaint)
    return got


@pytest.mark.procedure("IN-2")
@pytest.mark.procedure("ESC-4")
@pytest.mark.parametrize("receive", [_receive_one, _receive_in_bulk], ids=["receive", "bulk"])
def test_a_complaint_about_the_only_top_rung_manager_is_told_at_intake(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, receive: Receive
) -> None:
    """Without HQ-002, the complaint about property director HQ-001 has nobody at or
    above its rung (senior management) but him.  It stays unassigned (IN-2: still
    registered), the desk logs a warning naming the complaint and the rung
    (docs/desk.md, Access control), and customer service's head SR-101 and HR
    (HQ-010, the accountability department) are told at once, naming the rung
    needed; HQ-001 is told nothing.  No log line or message to HR shows the
    complainant's name, phone or room."""
    desk, notes = desk_on(tmp_path, without=("HQ-002",))
    caplog.set_level(logging.WARNING)
    the_intake = intake(7, at(14, 10), "物业总监当面辱骂业主", DIRECTOR)
    got = receive(desk, the_intake, at(14, 10))
    assert (got.state.handler, got.state.rung) == ("", "")
    warned = [r.getMessage() for r in caplog.records if got.id in r.getMessage()]
    assert len(warned) == 1
    assert "rung senior_management or above; left unassigned" in warned[0]
    person = the_intake.complainant
    assert not any(v in warned[0] for v in (person.name, person.phone, person.room))
    desk.deliver(at(14, 10))
    told = {
        n.recipient: n
        for n, _r in notes.sent
        if n.topic == "unassignable" and n.complaint_id == got.id
    }
    assert sorted(told) == ["HQ-010", "SR-101"]
    assert not [n for n, _r in notes.sent if n.recipient == "HQ-001"]
    assert "物业总监/总经办" in told["SR-101"].body  # the rung needed, by its label
    assert person.phone in told["SR-101"].body  # customer service sees it (PRV-1)
    assert not any(v in told["HQ-010"].body for v in (person.name, person.phone, person.room))


def _unassignable(notes: RecordingNotifier, complaint_id: str) -> list[tuple[str, str]]:
    return sorted(
        (n.recipient, n.body)
        for n, _r in notes.sent
        if n.topic == "unassignable" and n.complaint_id == complaint_id
    )


@pytest.mark.procedure("ESC-2")
@pytest.mark.procedure("IN-2")
def test_a_sweep_that_leaves_a_complaint_held_by_nobody_tells_at_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Without HQ-001 and HQ-002 nobody holds senior management.  The complaint
    about customer service's head SR-101 is held one rung above him, by project
    manager SR-001 (ESC-4).  Unanswered past DL-1's 3 working days, a sweep moves
    it up (ESC-2) to a rung nobody holds: it stays unassigned and the desk logs
    so; HR (HQ-010, the accountability department) and the rung that organises
    handling at the site hear of it at once, naming the rung needed, once for
    that step however many sweeps follow, and SR-101, the person it is about,
    hears nothing of it."""
    desk, notes = desk_on(tmp_path, without=("HQ-001", "HQ-002"))
    caplog.set_level(logging.WARNING)
    got = desk.receive(intake(3, at(3, 10), "客服主管态度恶劣", HEAD), now=at(3, 10))
    assert (got.state.handler, got.state.rung) == ("SR-001", "project_manager")
    desk.sweep(at(5, 18))  # Wednesday: within its 3 days
    desk.deliver(at(5, 18))
    assert _unassignable(notes, got.id) == []
    for day in (7, 10, 11):  # Friday, past them; then the next week
        desk.sweep(at(day, 18))
    after = desk.get(got.id)
    assert (after.state.handler, after.state.rung) == ("", "senior_management")
    assert any("left unassigned" in r.getMessage() for r in caplog.records)
    desk.deliver(at(11, 18))
    told = _unassignable(notes, got.id)
    assert "HQ-010" in [who for who, _body in told]
    assert "SR-101" not in [who for who, _body in told]  # ESC-4
    assert len(told) == len({who for who, _body in told})  # once for the step
    assert all("物业总监/总经办" in body for _who, body in told)  # the rung needed


@pytest.mark.procedure("ESC-2")
@pytest.mark.procedure("IN-2")
def test_an_escalation_by_hand_to_a_rung_nobody_holds_tells_at_once(tmp_path: Path) -> None:
    """The same desk: the handler of a complaint about a guard cannot handle it and
    sends it up (ESC-2 "the handler cannot handle it") to senior management, which
    nobody holds: HR hears of it at once, as at intake."""
    desk, notes = desk_on(tmp_path, without=("HQ-001", "HQ-002"))
    got = desk.receive(intake(4, at(3, 10), "保安放陌生人进楼", GUARD), now=at(3, 10))
    up = Escalate(actor=got.state.handler, trigger="cannot_handle", to_rung="senior_management")
    desk.act(got.id, up, now=at(3, 12))
    after = desk.get(got.id)
    assert (after.state.handler, after.state.rung) == ("", "senior_management")
    desk.deliver(at(3, 12))
    told = _unassignable(notes, got.id)
    assert "HQ-010" in [who for who, _body in told]
    assert "SR-303" not in [who for who, _body in told]  # the guard it is about
