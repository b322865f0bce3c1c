"""DL-7 with ``reopen = "continue"`` on a working-time clock (docs/rule-packs.md,
Clocks: "continue lets it run on as if it had never stopped: the time the
complaint was closed counts, so its due time stays where it was"; docs/clocks.md:
a breach is judged by the clock on the wall).

A host pack: one rung of staff, a 1-working-day ``resolve`` clock, Monday to
Friday 09:00-12:00 and 13:00-18:00, no holidays.  Received Thu 13 March 2025
10:00: due at the close of the next working day, Fri 14 March 18:00.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from complaintcore import Complainant, Intake
from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.core.deadlines import ClockState, compute_clocks
from complaintcore.core.models import Complaint
from complaintcore.core.workflow import (
    Close,
    Command,
    Register,
    Reopen,
    decide,
    evolve,
    new_complaint,
)
from complaintcore.rules import load_pack_text
from tests.helpers import SH

PACK = load_pack_text(
    """
name = "continue-demo"
title_zh = "演示"
title_en = "demo"
default_category = "other"
customer_service = "cs"
head_office_unit = ""

[[ladder]]
code = "officer"
zh = "专员"
en = "officer"

[[ladder]]
code = "manager"
zh = "经理"
en = "manager"

[[departments]]
code = "cs"
zh = "客服"
en = "customer service"

[[categories]]
code = "other"
zh = "其他"
en = "other"
cause = "software"
department = "cs"

[[clocks]]
name = "resolve"
zh = "解决"
en = "resolve"
start = ["registered"]
stop = ["closed"]
mode = "working_days"
duration = "1d"
pausable = false
reopen = "continue"

[calendar]
country = ""
timezone = "Asia/Shanghai"
weekdays = [0, 1, 2, 3, 4]
windows = [["09:00", "12:00"], ["13:00", "18:00"]]
"""
)
CAL = calendar_for_spec(PACK.calendar)
DUE = datetime(2025, 3, 14, 18, 0, tzinfo=SH)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=SH)


def history(*steps: tuple[Command, datetime]) -> Complaint:
    person = Complainant("Ann Lee", "13812345678", "1-101", building="1", site="s1")
    intake = Intake(person, "phone", at(13, 10), "O-1", "door broken", site="s1")
    c = new_complaint("C-1", intake)
    c = evolve(c, decide(c, Register(actor="O-1"), PACK, at(13, 10)))
    for command, when in steps:
        c = evolve(c, decide(c, command, PACK, when))
    return c


def resolve(c: Complaint, now: datetime):  # type: ignore[no-untyped-def]
    return next(s for s in compute_clocks(c, PACK, CAL, now) if s.name == "resolve")


CLOSE = Close(actor="M-1", result="fixed", confirmed_by_complainant=True)


@pytest.mark.procedure("DL-7")
@pytest.mark.parametrize("reopened", [at(15, 10), at(14, 20), at(17, 8)])
def test_reopened_past_its_due_time_out_of_hours_it_is_breached_where_it_was(
    reopened: datetime,
) -> None:
    """Closed Fri 10:30, reopened on Saturday morning, Friday evening or Monday before
    opening: the time closed counts, so the clock is breached, due Fri 18:00."""
    c = history((CLOSE, at(14, 10, 30)), (Reopen(actor="O-1", reason="broken again"), reopened))
    status = resolve(c, reopened)
    assert (status.state, status.due) == (ClockState.BREACHED, DUE)


@pytest.mark.procedure("DL-7")
def test_reopened_before_its_due_time_keeps_its_due_time() -> None:
    """Closed Fri 10:30, reopened Fri 15:00: still due Fri 18:00, running."""
    c = history((CLOSE, at(14, 10, 30)), (Reopen(actor="O-1", reason="broken again"), at(14, 15)))
    status = resolve(c, at(14, 15))
    assert status.due == DUE
    assert status.state is not ClockState.BREACHED
