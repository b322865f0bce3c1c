"""DL-7, DL-8, ESC-2: a clock paused only after its due time had passed stays
breached where it was breached.  Waiting on the owner from then on neither moves
the deadline to the next opening (which put off the escalation over a weekend)
nor makes every later sweep look at the complaint again."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.core.deadlines import ClockState
from complaintcore.core.workflow import Pause, Resume
from complaintcore.desk import Desk
from complaintcore.testing import make_desk
from tests.helpers import SH, intake


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=SH)


def _paused_after_its_deadline(tmp_path: Path) -> tuple[Desk, str]:
    """Received Tue 3 Mar 2026 10:00; DL-1 and DL-3 (3 working days: Wed 4, Thu 5,
    Fri 6) are due Fri 6 Mar 18:00; the handler pauses at 18:01 to wait for the owner."""
    desk = make_desk(store=SqliteStore(tmp_path / "desk.sqlite3"))
    c = desk.receive(
        intake("楼道灯坏了，一直没人修", received_at=_at(3, 10), receiver="SR-103"),
        now=_at(3, 10),
    )
    desk.sweep(_at(6, 17, 55))
    desk.act(c.id, Pause(actor="SR-201", reason="等业主提供照片"), now=_at(6, 18, 1))
    return desk, c.id


@pytest.mark.procedure("DL-8")
@pytest.mark.procedure("DL-7")
def test_the_breach_keeps_the_due_time_it_missed(tmp_path: Path) -> None:
    desk, cid = _paused_after_its_deadline(tmp_path)
    for now in (_at(6, 18, 5), _at(9, 10)):  # that evening, and the next Monday
        clocks = {s.name: s for s in desk.clocks(cid, now)}
        for name in ("reply", "department_result"):
            assert (clocks[name].state, clocks[name].due) == (ClockState.BREACHED, _at(6, 18))
            assert clocks[name].breaches[-1] == _at(6, 18)


@pytest.mark.procedure("ESC-2")
@pytest.mark.procedure("DL-8")
def test_the_next_sweep_escalates_and_later_sweeps_leave_it_alone(tmp_path: Path) -> None:
    desk, _ = _paused_after_its_deadline(tmp_path)

    first = desk.sweep(_at(6, 18, 5))

    assert {name for _, name in first.escalated} == {"reply", "department_result"}
    # paused, both breaches escalated: DL-6's month (to 3 Apr) is at risk only on 28 Mar
    for day in (9, 10, 11, 12, 13, 16, 17, 18, 19, 20):
        for hour in (10, 15):
            assert desk.sweep(_at(day, hour)).examined == 0


@pytest.mark.procedure("DL-7")
@pytest.mark.procedure("ESC-2")
def test_resumed_after_a_late_pause_the_breach_stays_and_is_escalated_once(
    tmp_path: Path,
) -> None:
    """Paused at 18:01 after the Fri 6 Mar 18:00 deadline and resumed on Monday 9 Mar
    09:30: the resumed clock is still due Fri 18:00 (its breach), not 3 working
    days later, and the sweeps escalate that one breach once (review s27K f02: the
    due time moved to the resume, and a second escalation followed)."""
    desk, cid = _paused_after_its_deadline(tmp_path)
    first = desk.sweep(_at(6, 18, 5))
    assert {name for _, name in first.escalated} == {"reply", "department_result"}
    desk.act(cid, Resume(actor="SR-201"), now=_at(9, 9, 30))
    for now in (_at(9, 10), _at(12, 10)):
        clocks = {s.name: s for s in desk.clocks(cid, now)}
        assert (clocks["reply"].state, clocks["reply"].due) == (ClockState.BREACHED, _at(6, 18))
        assert clocks["reply"].breaches == (_at(6, 18),)
        assert "reply" not in {name for _, name in desk.sweep(now).escalated}
    escalated = [e for e in desk.get(cid).events if e.kind == "escalated"]
    assert len(escalated) == 1
