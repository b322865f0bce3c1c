"""DL-7, DL-8 and extensions together (docs/clocks.md "States", "Extensions").

A clock paused after its due time keeps the breach where it happened while it waits
and once it resumes; an extension gives it time again ("one given after the due time
moves it on, but the run stays late"), and a pause before the (new) due time moves
that due time by the pause's working length.  iso-10002's `response` clock: 10
working days, pausable, extendable; the China calendar has no holidays in March 2026,
working days 09:00-18:00.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from complaintcore import Complainant, Intake
from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.core.deadlines import ClockState, ClockStatus, compute_clocks
from complaintcore.core.models import Complaint
from complaintcore.core.workflow import (
    Command,
    Extend,
    Pause,
    Register,
    Resume,
    decide,
    evolve,
    new_complaint,
)
from complaintcore.rules import load_pack

SH = ZoneInfo("Asia/Shanghai")
PACK = load_pack("iso-10002")
CAL = calendar_for_spec(PACK.calendar)
EXTEND = Extend(actor="CS-101", clock="response", by="5d", reason="parts on order")
PAUSE = Pause(actor="CS-101", reason="waiting for the owner's photos")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=SH)


def registered() -> Complaint:
    """Received Tue 3 Mar 10:00: due at the close of Tue 17 Mar (Mar 4-6, 9-13, 16, 17)."""
    owner = Complainant("王小明", "13812345678", "3-2-1201", "3", "sunrise")
    intake = Intake(
        owner, "phone", at(3, 10), "CS-001", "维修一直拖延", site="sunrise",
        receiver_unit="customer_service",
    )  # fmt: skip
    c = new_complaint("C-1", intake)
    return evolve(c, decide(c, Register(actor="CS-001"), PACK, at(3, 10)))


def then(c: Complaint, *steps: tuple[Command, datetime]) -> Complaint:
    for command, when in steps:
        c = evolve(c, decide(c, command, PACK, when))
    return c


def response(c: Complaint, now: datetime) -> ClockStatus:
    return next(s for s in compute_clocks(c, PACK, CAL, now) if s.name == "response")


@pytest.mark.procedure("DL-7")
def test_paused_late_and_resumed_the_breach_stays_at_its_due_time() -> None:
    c = then(registered(), (PAUSE, at(17, 23)), (Resume(actor="CS-101"), at(19, 11)))
    status = response(c, at(20, 10))
    assert (status.state, status.due) == (ClockState.BREACHED, at(17, 18))
    assert status.breaches == (at(17, 18),)


@pytest.mark.procedure("DL-7")
@pytest.mark.procedure("DL-8")
def test_an_extension_while_paused_late_gives_time_again() -> None:
    """Paused Tue 17 Mar 23:00 (late), extended 5 working days on Wed 18 Mar 10:00,
    resumed 11:00: 5 working days' hours from Wed 11:00 end on Wed 25 Mar 11:00."""
    c = then(
        registered(),
        (PAUSE, at(17, 23)),
        (EXTEND, at(18, 10)),
        (Resume(actor="CS-101"), at(18, 11)),
    )
    status = response(c, at(19, 10))
    assert status.due == at(25, 11)
    assert status.state is not ClockState.BREACHED


@pytest.mark.procedure("DL-8")
def test_a_pause_before_the_extended_due_time_moves_it() -> None:
    """Extended late on Wed 18 Mar (due the close of Tue 24 Mar), paused Thu 19 Mar
    10:00 to Fri 20 Mar 10:00: one working day's hours, so due Wed 25 Mar 18:00; while
    paused it is paused, not breached."""
    c = then(registered(), (EXTEND, at(18, 10)), (PAUSE, at(19, 10)))
    assert response(c, at(19, 11)).state is ClockState.PAUSED
    c = then(c, (Resume(actor="CS-101"), at(20, 10)))
    assert response(c, at(20, 11)).due == at(25, 18)
