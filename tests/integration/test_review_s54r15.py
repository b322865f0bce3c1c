"""Review s54R15: a broken promise replaced before the sweep is still escalated, once.

DL-5: a promise (a ``Promise``, or an unanswerable ``Reply`` with ``agreed_due``) is
a deadline of its own; DL-7: its breach is observable and triggers ESC-2 ("a
deadline is missed"); ESC-5: one escalation, with its reason and actor, never
twice for one breach.

Times are Asia/Shanghai, worked out by hand on the cn-property calendar: Monday 10
and Tuesday 11 November 2025 are working days.  The complaint is received Monday
10:00 and held by SR-201, the engineering supervisor (``department_head``); one rung
up is ``project_manager`` (SR-001, the project manager), the next
``senior_management``.  The promise is due Tuesday 12:00; the apology it then owes
(DL-5) runs two hours on the clock, to 14:00.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from complaintcore.core.deadlines import (
    ClockState,
    unescalated_breaches,
    unescalated_handovers,
)
from complaintcore.core.models import Complainant, Complaint, Escalated, Intake, Trigger
from complaintcore.core.workflow import Apologise, Promise, Reply, Visit
from complaintcore.desk import Desk
from complaintcore.desk.ports import ComplaintStore
from complaintcore.testing import make_desk
from tests.helpers import SH, store_on


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 11, day, hour, minute, tzinfo=SH)


@pytest.fixture(params=["memory", "sqlite"])
def desk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Desk]:
    store: ComplaintStore = store_on(request.param, request, tmp_path)
    with make_desk(store=store) as d:
        yield d


def _received(desk: Desk) -> Complaint:
    c = desk.receive(
        Intake(
            complainant=Complainant("业主1", "13900000001", "3-1-0101", "3", "sunrise"),
            channel="phone",
            received_at=at(10, 10),
            receiver="SR-103",
            summary="楼上漏水，天花板渗水",
            site="sunrise",
        ),
        now=at(10, 10),
    )
    assert (c.state.handler, c.state.rung) == ("SR-201", "department_head")
    desk.act(c.id, Promise(actor="SR-201", due=at(11, 12)), now=at(10, 10, 30))
    return c


def _escalations(desk: Desk, cid: str) -> list[tuple[str, str, Trigger, str, str]]:
    return [
        (e.from_rung, e.to_rung, e.trigger, e.clock, e.actor)
        for e in desk.get(cid).events
        if isinstance(e, Escalated)
    ]


APOLOGY = {
    "apology": "因维修延误向您郑重道歉",
    "reason": "水管配件厂家延迟发货，今天中午前未能到货",
    "remedy": "明天中午前完成更换，免收本次维修费",
}

UP_ONE = ("department_head", "project_manager", Trigger.DEADLINE_MISSED, "promise", "system")


@pytest.mark.procedure("DL-5")
@pytest.mark.procedure("DL-7")
@pytest.mark.procedure("ESC-2")
def test_a_promise_broken_then_replaced_before_any_sweep_is_escalated_once(desk: Desk) -> None:
    """Due Tue 12:00, replaced at 12:30 by a promise for Wed 12:00, no sweep between:
    the 13:00 sweep escalates the broken one, one rung, and no later sweep again."""
    c = _received(desk)
    desk.act(c.id, Promise(actor="SR-201", due=at(12, 12)), now=at(11, 12, 30))
    promise = next(s for s in desk.clocks(c.id, at(11, 13)) if s.name == "promise")
    assert promise.state is ClockState.RUNNING  # the new promise, due Wed 12:00
    assert promise.due == at(12, 12)
    assert promise.breaches == (at(11, 12),)  # the broken one stands (DL-7)
    apology = next(d for d in desk.duties(c.id, at(11, 13)) if d.name == "apology")
    assert (apology.clock.started_at, apology.due) == (at(11, 12), at(11, 14))
    report = desk.sweep(at(11, 13))
    assert report.escalated == ((c.id, "promise"),)
    assert _escalations(desk, c.id) == [UP_ONE]
    assert desk.get(c.id).state.handler == "SR-001"  # the project manager
    assert desk.sweep(at(11, 13, 30)).escalated == ()  # once for this breach
    assert _escalations(desk, c.id) == [UP_ONE]


@pytest.mark.procedure("DL-5")
@pytest.mark.procedure("DL-7")
@pytest.mark.procedure("ESC-5")
def test_a_promise_the_sweep_escalated_before_it_was_replaced_is_not_escalated_again(
    desk: Desk,
) -> None:
    """Swept at 12:10 (escalated then), replaced at 12:30 by the project manager's
    own promise: the 13:00 sweep finds nothing new.  Apologised for at 13:30 (DL-5);
    the new promise, broken in its turn at Wed 12:00, is a breach of its own: one
    more rung, once."""
    c = _received(desk)
    assert desk.sweep(at(11, 12, 10)).escalated == ((c.id, "promise"),)
    assert desk.get(c.id).state.handler == "SR-001"
    desk.act(c.id, Promise(actor="SR-001", due=at(12, 12)), now=at(11, 12, 30))
    assert desk.sweep(at(11, 13)).escalated == ()
    assert _escalations(desk, c.id) == [UP_ONE]
    desk.act(c.id, Apologise(actor="SR-001", **APOLOGY), now=at(11, 13, 30))
    assert desk.sweep(at(12, 12, 5)).escalated == ((c.id, "promise"),)
    second = ("project_manager", "senior_management", Trigger.DEADLINE_MISSED, "promise")
    assert [e[:4] for e in _escalations(desk, c.id)] == [UP_ONE[:4], second]
    assert desk.sweep(at(12, 12, 30)).escalated == ()


@pytest.mark.procedure("DL-5")
@pytest.mark.procedure("DL-7")
def test_a_reply_agreeing_a_new_date_after_the_promise_passed_escalates_it(desk: Desk) -> None:
    """DL-3, DL-5: an unanswerable reply's agreed date is a promise that replaces the
    broken one; the breach is escalated all the same."""
    c = _received(desk)
    desk.act(
        c.id,
        Reply(
            actor="SR-201",
            message="配件未到，明天中午前完成",
            unanswerable_reason="水管配件厂家延迟发货",
            agreed_due=at(12, 12),
        ),
        now=at(11, 12, 30),
    )
    assert desk.sweep(at(11, 13)).escalated == ((c.id, "promise"),)
    assert _escalations(desk, c.id) == [UP_ONE]
    assert desk.sweep(at(11, 13, 30)).escalated == ()


@pytest.mark.procedure("DL-5")
def test_a_promise_replaced_before_its_time_is_not_escalated(desk: Desk) -> None:
    """Moved in time (11:30, before its 12:00): one promise, kept or not with the new
    run; nothing to escalate."""
    c = _received(desk)
    desk.act(c.id, Promise(actor="SR-201", due=at(12, 12)), now=at(11, 11, 30))
    assert desk.sweep(at(11, 13)).escalated == ()
    assert _escalations(desk, c.id) == []


@pytest.mark.procedure("DL-7")
@pytest.mark.procedure("ESC-6")
def test_a_promise_replaced_late_is_no_late_hand_over(desk: Desk) -> None:
    """The replaced run is a breach to escalate, not a department that passed the
    complaint on late (ESC-6 reports hand-overs only)."""
    c = _received(desk)
    desk.act(c.id, Promise(actor="SR-201", due=at(12, 12)), now=at(11, 12, 30))
    c = desk.get(c.id)
    promise = next(s for s in desk.clocks(c.id, at(11, 13)) if s.name == "promise")
    assert promise.replaced == ((at(11, 12), 1),)
    assert promise.handed_on == ()
    spec = desk.pack.clock("promise")
    assert unescalated_breaches(c, spec, promise) == ((at(11, 12), 1),)
    assert unescalated_handovers(c, promise) == ()


@pytest.mark.procedure("VIS-2")
@pytest.mark.procedure("DL-7")
def test_an_appointed_reply_time_moved_after_it_passed_escalates_once(desk: Desk) -> None:
    """VIS-2: a reply time appointed at a return visit (Tue 12:00) is a promise to the
    complainant too; a second visit at 12:30 appointing Wed 12:00 leaves the first
    missed, and the 13:00 sweep escalates it once."""
    c = desk.receive(
        Intake(
            complainant=Complainant("业主2", "13900000002", "3-1-0201", "3", "sunrise"),
            channel="phone",
            received_at=at(10, 10),
            receiver="SR-103",
            summary="楼上漏水，天花板渗水",
            site="sunrise",
        ),
        now=at(10, 10),
        validity="valid",
    )
    desk.act(c.id, Reply(actor="SR-201", message="已更换水管", final=True), now=at(10, 16))
    visit = Visit(actor="SR-102", satisfied=True, opinion="墙面何时修补", reply_due=at(11, 12))
    desk.act(c.id, visit, now=at(10, 17))
    again = Visit(actor="SR-102", satisfied=True, opinion="再约时间", reply_due=at(12, 12))
    desk.act(c.id, again, now=at(11, 12, 30))
    assert desk.sweep(at(11, 13)).escalated == ((c.id, "visit_reply"),)
    assert desk.sweep(at(11, 13, 30)).escalated == ()
    assert [(e[0], e[1], e[3]) for e in _escalations(desk, c.id)] == [
        ("department_head", "project_manager", "visit_reply")
    ]
