"""Clocks whose times share the pack's zone, compared as instants (review s48B F02).

Python compares and subtracts two datetimes of one ``tzinfo`` object by wall time,
ignoring ``fold``, and ``ZoneInfo("Europe/London")`` is one cached object.  On
25 October 2026 the UK's clocks go back at 02:00 BST (01:00 UTC): 01:45 BST
(00:45 UTC) reads after 01:15 GMT (01:15 UTC).  On 29 March 2026 they go forward
at 01:00 GMT (01:00 UTC): a time typed in the skipped hour, 01:45 with ``fold=0``,
is 01:45 UTC (02:45 BST) but reads before 02:15 BST (01:15 UTC).  Every expected
time below is counted by hand from those two facts; IN-5 is cn-property's 24 hours
of elapsed time (``wall``), at risk from 80 % of it, 19 h 12 min (DL-7).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import attrs
import pytest

from complaintcore import Promise, Register, decide, evolve, load_pack, new_complaint
from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.core.deadlines import (
    ClockState,
    ClockStatus,
    _after,
    _breach_at,
    _Measure,
    compute_clocks,
    compute_duties,
)
from complaintcore.core.models import Complaint, Forwarded, Registered
from complaintcore.core.rulepack import RulePack
from tests.helpers import intake

LONDON = ZoneInfo("Europe/London")


def _z(*args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=LONDON, fold=fold)  # type: ignore[misc]


def _u(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


# (earlier, later) with the wall times in the other order
REPEATED = (_z(2026, 10, 25, 1, 50), _z(2026, 10, 25, 1, 10, fold=1))  # 00:50Z, 01:10Z
SKIPPED = (_z(2026, 3, 29, 2, 10), _z(2026, 3, 29, 1, 30))  # 01:10Z, 01:30Z (in the gap)
HOURS = pytest.mark.parametrize(
    ("earlier", "later"), [REPEATED, SKIPPED], ids=["repeated", "skipped"]
)


def _pack() -> RulePack:
    """cn-property on a calendar with summer time (IN-5: 24 h elapsed)."""
    pack = load_pack("cn-property")
    return attrs.evolve(pack, calendar=attrs.evolve(pack.calendar, timezone="Europe/London"))


PACK = _pack()
CAL = calendar_for_spec(PACK.calendar)


def _by_guard(received: datetime, registered: datetime | None = None) -> Complaint:
    """Received by a security guard: IN-5's 24 h to reach customer service run."""
    c = new_complaint(
        "C-1", intake(received_at=received, receiver="SR-302", receiver_unit="security")
    )
    at = registered or received
    return evolve(c, (Registered(at=at, actor="SR-302", unit="security"),))


def _in5(c: Complaint, now: datetime) -> ClockStatus:
    [status] = compute_clocks(c, PACK, CAL, now, only=("to_customer_service",))
    return status


# ---------------------------------------------------------------- the comparisons


@HOURS
def test_a_later_instant_is_after_an_earlier_one_whatever_the_wall_times(
    earlier: datetime, later: datetime
) -> None:
    """settle, waive, a pause or reopening after the due time, and ``now`` past it."""
    assert _after(later, earlier)
    assert not _after(earlier, later)


@HOURS
def test_a_breach_is_at_the_due_time_when_that_came_first(
    earlier: datetime, later: datetime
) -> None:
    assert _breach_at(earlier, later) is earlier
    assert _breach_at(later, earlier) is earlier  # not due yet: found at ``earlier``
    assert _breach_at(None, later) is later


@HOURS
def test_elapsed_time_between_two_times_is_the_instants_difference(
    earlier: datetime, later: datetime
) -> None:
    measure = _Measure(False, CAL)
    assert measure.span(earlier, later) == timedelta(minutes=20)
    assert measure.span(later, earlier) == timedelta(0)


# ---------------------------------------------------------------- through the clocks


@pytest.mark.procedure("IN-5")
@pytest.mark.procedure("DL-7")
def test_a_24_hour_clock_due_in_the_repeated_hour_is_at_risk_30_minutes_before() -> None:
    """The reviewer's case: received 02:15 BST (01:15Z) on 24 Oct, due 01:15Z (the
    second 01:15, GMT); at 01:45 BST (00:45Z) 30 minutes are left."""
    c = _by_guard(_z(2026, 10, 24, 2, 15))
    for now in (_z(2026, 10, 25, 1, 45), _u(2026, 10, 25, 0, 45)):
        status = _in5(c, now)
        assert status.state is ClockState.AT_RISK, now
        assert status.due is not None
        assert status.due.astimezone(UTC) == _u(2026, 10, 25, 1, 15)


@pytest.mark.procedure("DL-7")
@pytest.mark.parametrize(
    ("received", "now", "risk", "state"),
    [
        # at risk from 01:15Z 25 Oct (01:15 GMT): received 06:03Z 24 Oct (07:03 BST);
        # at 01:45 BST (00:45Z) not yet
        (
            _z(2026, 10, 24, 7, 3),
            _z(2026, 10, 25, 1, 45),
            _u(2026, 10, 25, 1, 15),
            ClockState.RUNNING,
        ),
        # at risk from 01:15Z 29 Mar (02:15 BST): received 06:03Z 28 Mar (06:03 GMT);
        # at 01:45 in the gap (01:45Z) it is
        (_z(2026, 3, 28, 6, 3), _z(2026, 3, 29, 1, 45), _u(2026, 3, 29, 1, 15), ClockState.AT_RISK),
    ],
    ids=["repeated", "skipped"],
)
def test_at_risk_from_80_percent_of_the_time_compared_as_an_instant(
    received: datetime, now: datetime, risk: datetime, state: ClockState
) -> None:
    status = _in5(_by_guard(received), now)
    assert status.at_risk_from is not None
    assert status.at_risk_from.astimezone(UTC) == risk
    assert status.state is state


@pytest.mark.procedure("DL-7")
@pytest.mark.parametrize(
    ("received", "now", "due"),
    [
        # received 01:45 BST 24 Oct (00:45Z): due 00:45Z (01:45 BST), now 01:10 GMT
        (_z(2026, 10, 24, 1, 45), _z(2026, 10, 25, 1, 10, fold=1), _u(2026, 10, 25, 0, 45)),
        # received 01:15 GMT 28 Mar (01:15Z): due 01:15Z (02:15 BST), now 01:45 in the gap
        (_z(2026, 3, 28, 1, 15), _z(2026, 3, 29, 1, 45), _u(2026, 3, 29, 1, 15)),
    ],
    ids=["repeated", "skipped"],
)
def test_a_breach_is_dated_at_the_due_time_it_passed(
    received: datetime, now: datetime, due: datetime
) -> None:
    status = _in5(_by_guard(received), now)
    assert status.state is ClockState.BREACHED
    assert status.breaches[-1].astimezone(UTC) == due


@pytest.mark.procedure("IN-5")
def test_forwarded_30_minutes_before_a_due_time_in_the_repeated_hour_is_met() -> None:
    """Due 01:15 GMT (01:15Z); forwarded at 01:45 BST (00:45Z), before it."""
    c = _by_guard(_z(2026, 10, 24, 2, 15))
    forwarded = _z(2026, 10, 25, 1, 45)
    c = evolve(c, (Forwarded(at=forwarded, actor="SR-302", to_unit="customer_service"),))
    status = _in5(c, _z(2026, 10, 25, 3, 0))
    assert status.state is ClockState.MET
    assert status.breaches == ()


@pytest.mark.procedure("DL-6")
@pytest.mark.parametrize(
    ("received", "registered", "start"),
    [
        # received at the first 01:30 (BST, 00:30Z), registered at the second (GMT, 01:30Z)
        (_z(2026, 10, 25, 1, 30), _z(2026, 10, 25, 1, 30, fold=1), _u(2026, 10, 25, 0, 30)),
        # in the gap fold=1 reads the offset after the change (BST): 01:30 is 00:30Z,
        # fold=0 the one before (GMT): 01:30Z
        (_z(2026, 3, 29, 1, 30, fold=1), _z(2026, 3, 29, 1, 30), _u(2026, 3, 29, 0, 30)),
    ],
    ids=["repeated", "skipped"],
)
def test_clocks_count_from_a_receipt_an_hour_before_the_registration_at_the_same_wall_time(
    received: datetime, registered: datetime, start: datetime
) -> None:
    status = _in5(_by_guard(received, registered), _z(2026, 10, 26, 12, 0))
    assert status.started_at is not None
    assert status.started_at.astimezone(UTC) == start


@pytest.mark.procedure("DL-5")
@pytest.mark.parametrize(
    ("promised_at", "due", "now"),
    [
        # promised 01:45 BST (00:45Z), broken at once; now 01:10 GMT (01:10Z)
        (_z(2026, 10, 25, 0, 30), _z(2026, 10, 25, 1, 45), _z(2026, 10, 25, 1, 10, fold=1)),
        # promised 02:15 BST (01:15Z); now 01:45 in the gap (01:45Z)
        (_z(2026, 3, 29, 0, 30), _z(2026, 3, 29, 2, 15), _z(2026, 3, 29, 1, 45)),
    ],
    ids=["repeated", "skipped"],
)
def test_the_apology_is_owed_from_a_promise_broken_before_now(
    promised_at: datetime, due: datetime, now: datetime
) -> None:
    c = new_complaint("C-2", intake(received_at=promised_at, receiver="SR-103"))
    c = evolve(c, decide(c, Register(actor="SR-103"), PACK, promised_at))
    c = evolve(c, decide(c, Promise(actor="SR-103", due=due), PACK, promised_at))
    [apology] = compute_duties(c, PACK, CAL, now, only=("apology",))
    assert apology.owed
    assert apology.clock.started_at is not None
    assert apology.clock.started_at.astimezone(UTC) == due.astimezone(UTC)
