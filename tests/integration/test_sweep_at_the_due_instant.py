"""DL-7, ESC-2: a deadline is breached once the time is past it.  A sweep that runs
at the due instant itself (cron at 18:00:00, the end of every working-days
deadline) finds it not yet breached; the next sweep must still escalate it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.core.deadlines import ClockState
from complaintcore.core.models import Trigger
from complaintcore.testing import make_desk
from tests.helpers import SH, intake


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=SH)


@pytest.mark.procedure("DL-7")
@pytest.mark.procedure("ESC-2")
def test_a_sweep_at_the_due_instant_leaves_the_breach_to_the_next_sweep(tmp_path: Path) -> None:
    desk = make_desk(store=SqliteStore(tmp_path / "desk.sqlite3"))
    # Mon 2 Mar 2026 10:00, a repair; DL-1: 3 working days (3, 4, 5 Mar), the reply
    # is due Thu 5 Mar 18:00 (the end of the working day, State Council calendar)
    c = desk.receive(
        intake("楼道灯坏了，一直没人修", received_at=_at(2, 10), receiver="SR-103"),
        now=_at(2, 10),
    )
    for minute in (45, 50, 55):  # the cron job every five minutes, as docs/desk.md runs it
        desk.sweep(_at(5, 17, minute))
    at_due = desk.sweep(_at(5, 18))
    assert at_due.escalated == ()
    reply = {s.name: s for s in desk.clocks(c.id, _at(5, 18))}["reply"]
    assert (reply.due, reply.state) == (_at(5, 18), ClockState.AT_RISK)

    after = desk.sweep(_at(5, 18, 5))

    assert after.examined == 1
    assert "reply" in {name for _, name in after.escalated}
    escalated = [e for e in desk.get(c.id).events if e.kind == "escalated"]
    assert len(escalated) == 1
    assert escalated[0].trigger is Trigger.DEADLINE_MISSED
    assert escalated[0].at == _at(5, 18, 5)


@pytest.mark.procedure("DL-7")
def test_a_sweep_at_the_due_instant_tells_nobody_again(tmp_path: Path) -> None:
    """DL-7: an at-risk deadline is warned of once.  The sweep at 17:45 warns; the
    sweep at 18:00:00 finds the clock still at risk (not breached) and queues no
    message again (it counts the warnings: a row does not say which sweep gave
    them); 18:05 escalates."""
    desk = make_desk(store=SqliteStore(tmp_path / "desk.sqlite3"))
    c = desk.receive(
        intake("楼道灯坏了，一直没人修", received_at=_at(2, 10), receiver="SR-103"),
        now=_at(2, 10),
    )
    assert desk.sweep(_at(5, 17, 45)).at_risk > 0
    queued = len(desk.store.pending(_at(5, 18)))
    at_due = desk.sweep(_at(5, 18))
    assert (at_due.examined, at_due.escalated) == (1, ())
    assert len(desk.store.pending(_at(5, 18))) == queued  # nobody told again
    assert (c.id, "reply") in desk.sweep(_at(5, 18, 5)).escalated


@pytest.mark.procedure("DL-7")
def test_a_first_sweep_at_the_due_instant_still_warns(tmp_path: Path) -> None:
    """A cron run once a day at 18:00 meets the at-risk window only at the due
    instant: that sweep is the one that warns (the next escalates)."""
    desk = make_desk(store=SqliteStore(tmp_path / "desk.sqlite3"))
    desk.receive(
        intake("楼道灯坏了，一直没人修", received_at=_at(2, 10), receiver="SR-103"),
        now=_at(2, 10),
    )
    at_due = desk.sweep(_at(5, 18))
    assert at_due.escalated == ()
    assert at_due.at_risk > 0
