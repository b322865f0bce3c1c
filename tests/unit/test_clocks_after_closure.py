"""Clocks around closure: one that outlives it, and one set off after it (review s39A F01).

IN-5: closing a complaint does not bring it to customer service, so the packs'
``to_customer_service`` clock says ``outlives_closure``; any other clock an event after
closure would start (a grade found then, VAL-1) lapses at once.  cn-property, whose IN-5
clock runs 24 h on the wall clock.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.core.deadlines import ClockState, compute_clock
from complaintcore.core.errors import RulePackError
from complaintcore.core.workflow import Close, Forward, Reply
from complaintcore.rules import load_pack_data
from complaintcore.serialization import to_dict
from tests.helpers import SH, Runner, intake, pack

PACK = pack()
CAL = calendar_for_spec(PACK.calendar)


def received_by_a_guard_and_closed() -> Runner:
    """A guard (security) takes a complaint in person Mon 2 Nov 2026 22:00; security
    answers it and it is closed with the owner's confirmation by 22:40."""
    received = datetime(2026, 11, 2, 22, tzinfo=SH)
    r = Runner(
        PACK,
        intake(
            "楼上半夜噪音扰民", received_at=received, receiver="SR-302", receiver_unit="security"
        ),
    )
    r.register()
    r(Reply(actor="SR-301", message="已上门劝止", final=True), after=timedelta(minutes=30))
    r(Close(actor="SR-301", result="业主确认", confirmed_by_complainant=True))
    return r


@pytest.mark.procedure("IN-5")
def test_the_in5_clock_runs_on_after_closure_and_is_met_by_the_forward() -> None:
    r = received_by_a_guard_and_closed()
    spec = PACK.clock("to_customer_service")
    assert spec.outlives_closure
    assert compute_clock(r.complaint, spec, CAL, r.now).state is ClockState.RUNNING
    day_later = datetime(2026, 11, 3, 22, 1, tzinfo=SH)
    assert compute_clock(r.complaint, spec, CAL, day_later).state is ClockState.BREACHED
    r(Forward(actor="SR-101", to_unit="customer_service"), after=timedelta(hours=1))
    assert compute_clock(r.complaint, spec, CAL, day_later).state is ClockState.MET


@pytest.mark.procedure("IN-5")
def test_without_the_key_closing_still_ends_a_clock() -> None:
    """A pack that leaves ``outlives_closure`` out keeps the old reading: closing ends
    the clock (met if in time)."""
    data: dict[str, Any] = to_dict(PACK)
    for spec in data["clocks"]:
        if spec["name"] == "to_customer_service":
            spec["outlives_closure"] = False
    lenient = load_pack_data(data)
    r = received_by_a_guard_and_closed()
    status = compute_clock(r.complaint, lenient.clock("to_customer_service"), CAL, r.now)
    assert status.state is ClockState.MET


@pytest.mark.procedure("IN-5")
def test_outlives_closure_is_for_clocks_only() -> None:
    data: dict[str, Any] = to_dict(PACK)
    data["duties"][0]["outlives_closure"] = True
    with pytest.raises(RulePackError) as bad:
        load_pack_data(data)
    assert {(p.path, p.reason) for p in bad.value.problems} == {
        ("duties[0].outlives_closure", "a duty outlives closure anyway: clocks only")
    }
