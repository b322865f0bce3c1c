"""Re-review s54R16 of the broken-promise escalation fix (review s54R15).

F01: a promise replaced after it passed, then the complaint closed before a sweep,
was escalated by the first sweep after a reopening, for a promise of the closed
episode.  The rule chosen: closing the complaint ends what its replaced runs owed
to the ladder; a reopening does not bring them back.  The breach stays in
``breaches`` and the apology it owes (DL-5) stands.  F02: ``show`` said a promise
replaced after it passed was merely replaced; it says it was broken and its breach
stands.  F03: ``verify``'s hint for a projection row out of date names an upgrade.

Times are Asia/Shanghai on the cn-property calendar (Monday 10 and Tuesday 11
November 2025 are working days): received Monday 10:00, held by SR-201
(``department_head``); the promise is due Tuesday 12:00.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from complaintcore.core.deadlines import unescalated_breaches
from complaintcore.core.models import Complainant, Complaint, Escalated, Intake
from complaintcore.core.workflow import Close, Promise, Reopen, Reply
from complaintcore.desk import Desk
from complaintcore.testing import make_desk
from tests.helpers import SH


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 11, day, hour, minute, tzinfo=SH)


@pytest.fixture
def desk() -> Iterator[Desk]:
    with make_desk() as d:
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
    desk.act(c.id, Promise(actor="SR-201", due=at(11, 12)), now=at(10, 10, 30))
    return c


def _promise_escalations(desk: Desk, cid: str) -> list[datetime]:
    return [e.at for e in desk.get(cid).events if isinstance(e, Escalated) and "promise" in e.clock]


def _replaced_late_then_closed(desk: Desk) -> Complaint:
    """Due 12:00, replaced at 12:30 by a promise for Wednesday, answered finally at
    12:35 and closed at 12:40, no sweep between."""
    c = _received(desk)
    desk.act(c.id, Promise(actor="SR-201", due=at(12, 12)), now=at(11, 12, 30))
    desk.act(c.id, Reply(actor="SR-201", message="已修复", final=True), now=at(11, 12, 35))
    close = Close(actor="SR-201", result="已修复", confirmed_by_complainant=True)
    desk.act(c.id, close, now=at(11, 12, 40))
    return c


@pytest.mark.procedure("DL-7")
@pytest.mark.procedure("ESC-2")
def test_f01_a_promise_replaced_late_then_closed_is_not_escalated(desk: Desk) -> None:
    c = _replaced_late_then_closed(desk)
    assert desk.sweep(at(11, 13)).escalated == ()
    promise = next(s for s in desk.clocks(c.id, at(11, 13)) if s.name == "promise")
    assert promise.breaches == (at(11, 12),)  # the breach stands (DL-7)
    assert promise.replaced == ((at(11, 12), 1),)
    spec = desk.pack.clock("promise")
    assert unescalated_breaches(desk.get(c.id), spec, promise) == ()
    # the apology it owes stands (DL-5)
    apology = next(d for d in desk.duties(c.id, at(11, 13)) if d.name == "apology")
    assert apology.clock.started_at == at(11, 12)


@pytest.mark.procedure("DL-5")
@pytest.mark.procedure("DL-7")
@pytest.mark.procedure("ESC-2")
def test_f01_a_reopening_does_not_bring_back_the_old_run_a_new_broken_promise_escalates(
    desk: Desk,
) -> None:
    c = _replaced_late_then_closed(desk)
    assert desk.sweep(at(11, 13)).escalated == ()
    desk.act(c.id, Reopen(actor="SR-201", reason="又漏水了"), now=at(11, 14))
    assert (c.id, "promise") not in desk.sweep(at(11, 14, 10)).escalated
    assert _promise_escalations(desk, c.id) == []
    # a new promise after the reopening, due 15:00, broken and replaced at 15:30
    desk.act(c.id, Promise(actor="SR-201", due=at(11, 15)), now=at(11, 14, 20))
    desk.act(c.id, Promise(actor="SR-201", due=at(12, 12)), now=at(11, 15, 30))
    assert (c.id, "promise") in desk.sweep(at(11, 15, 40)).escalated
    assert _promise_escalations(desk, c.id) == [at(11, 15, 40)]
    assert (c.id, "promise") not in desk.sweep(at(11, 16)).escalated
    assert _promise_escalations(desk, c.id) == [at(11, 15, 40)]
