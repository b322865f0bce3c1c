"""Clocks started by registration count from the receipt (IN-5, DL-1, DL-6).

A complaint is often typed in after it was received: a guard's note entered
next morning, a night's app submissions imported at 08:00.  The documents
count from the receipt: IN-5 "within 24 hours of receipt", DL-6 "one month
after receipt", DL-1's reply "within 3 days".  The expected times below are
read off the calendar by hand (November 2025 has no public holiday; the
working day closes at 18:00).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.core.deadlines import (
    ClockState,
    compute_clock,
    compute_clocks,
    compute_duties,
    history_key,
    receipt_bound,
)
from complaintcore.core.grading import age_upgrade_at
from complaintcore.core.models import Complaint
from complaintcore.core.workflow import Assess, Forward
from complaintcore.rules import load_pack
from tests.helpers import SH, Runner, intake, pack

PACK = pack()
CAL = calendar_for_spec(PACK.calendar)


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)  # type: ignore[misc]


def entered(received: datetime, registered: datetime, unit: str = "customer_service") -> Runner:
    """A complaint received at ``received`` and registered at ``registered``."""
    r = Runner(PACK, intake(received_at=received, receiver_unit=unit))
    r.now = registered
    r.register()
    return r


def clock(c: Complaint, name: str, now: datetime):  # type: ignore[no-untyped-def]
    return compute_clock(c, PACK.clock(name), CAL, now)


@pytest.mark.procedure("IN-5")
def test_a_guard_who_enters_a_complaint_two_days_late_has_already_missed_in_5() -> None:
    # Received by security Mon 10 Nov 09:00, typed in Wed 12 Nov 09:00: the 24 hours
    # ended Tue 11 Nov 09:00.
    c = entered(at(2025, 11, 10, 9), at(2025, 11, 12, 9), unit="security").complaint
    status = clock(c, "to_customer_service", at(2025, 11, 12, 9))
    assert status.due == at(2025, 11, 11, 9)
    assert status.state is ClockState.BREACHED


@pytest.mark.procedure("IN-5")
def test_in_5_is_measured_from_receipt_to_customer_service() -> None:
    # Received Mon 09:00, entered by the guard Mon 20:00: forwarded Tue 08:00 is 23 hours
    # after receipt (met), forwarded Tue 10:00 is 25 hours after it (missed).
    for forwarded, met in ((at(2025, 11, 11, 8), True), (at(2025, 11, 11, 10), False)):
        r = entered(at(2025, 11, 10, 9), at(2025, 11, 10, 20), unit="security")
        c = r(Forward(actor="g", to_unit="customer_service"), after=forwarded - r.now)
        status = clock(c, "to_customer_service", at(2025, 11, 20))
        assert status.state is (ClockState.MET if met else ClockState.MISSED)
        assert status.used == forwarded - at(2025, 11, 10, 9)


@pytest.mark.procedure("IN-5")
def test_customer_service_entering_its_own_receipt_late_still_meets_in_5_at_once() -> None:
    # IN-5 binds the other units: what customer service received itself has reached it.
    c = entered(at(2025, 11, 10, 9), at(2025, 11, 12, 9)).complaint
    status = clock(c, "to_customer_service", at(2025, 11, 20))
    assert status.state is ClockState.MET
    assert status.used == timedelta(0)


@pytest.mark.procedure("DL-1")
def test_the_reply_is_due_three_working_days_after_the_day_of_receipt() -> None:
    # Received Sun 9 Nov 20:00 through the app, imported Mon 10 Nov 08:00: the working
    # days after the day of receipt are Mon 10, Tue 11, Wed 12: due Wed 12 Nov 18:00.
    c = entered(at(2025, 11, 9, 20), at(2025, 11, 10, 8)).complaint
    assert clock(c, "reply", at(2025, 11, 10, 8)).due == at(2025, 11, 12, 18)
    # Received Mon 10 Nov 09:00, entered Wed 12 Nov 09:00: Tue, Wed, Thu: Thu 13 Nov 18:00.
    c = entered(at(2025, 11, 10, 9), at(2025, 11, 12, 9)).complaint
    assert clock(c, "reply", at(2025, 11, 12, 9)).due == at(2025, 11, 13, 18)


@pytest.mark.procedure("DL-6")
def test_one_month_after_receipt_on_the_clock_and_in_grading_alike() -> None:
    c = entered(at(2025, 11, 10, 9), at(2025, 11, 12, 9)).complaint
    assert clock(c, "major_by_age", at(2025, 11, 12, 9)).due == at(2025, 12, 10, 9)
    assert age_upgrade_at(c, PACK) == at(2025, 12, 10, 9)


def test_the_derivation_names_the_receipt_and_the_registration() -> None:
    c = entered(at(2025, 11, 10, 9), at(2025, 11, 12, 9)).complaint
    first = clock(c, "reply", at(2025, 11, 12, 9)).derivation[0]
    assert first.startswith("2025-11-10T09:00:00+08:00 started by the receipt (registered ")
    assert "2025-11-12T09:00:00+08:00" in first


def test_registered_when_received_reads_as_before() -> None:
    c = entered(at(2025, 11, 10, 9), at(2025, 11, 10, 9)).complaint
    first = clock(c, "reply", at(2025, 11, 10, 9)).derivation[0]
    assert first.startswith("2025-11-10T09:00:00+08:00 started by registered;")


def test_the_history_key_tells_receipts_apart() -> None:
    # Bulk intake shares clocks between complaints of one key: two complaints entered
    # together but received at different times must not share them.
    now = at(2025, 11, 10, 8)
    early = entered(at(2025, 11, 9, 20), now).complaint
    late = entered(at(2025, 11, 9, 21), now).complaint
    assert history_key(early, now) != history_key(late, now)
    same = entered(at(2025, 11, 9, 20), now).complaint
    assert history_key(early, now) == history_key(same, now)


def test_the_clocks_a_registration_starts_are_those_the_pack_starts_at_registration() -> None:
    # cn-property: IN-5 (24 h to customer service), DL-3's first link (customer service to
    # the department), DL-1 (the reply) and DL-6 (a month) start at registration, as do
    # IN-6's head-office tracking and HDL-1's call acknowledging a written complaint;
    # every other clock waits for a later event.
    bound = receipt_bound(PACK)
    assert bound.clocks == {"to_customer_service", "to_department", "reply", "major_by_age"}
    assert bound.duties == {"head_office_tracking", "written_acknowledgement"}


@pytest.mark.parametrize(
    "name", ["cn-property", "cn-sales-office", "cn-service-centre", "iso-10002"]
)
def test_only_the_receipt_bound_clocks_and_duties_read_the_receipt(name: str) -> None:
    """Bulk intake computes the others once for complaints registered together."""
    the_pack = load_pack(name)
    cal = calendar_for_spec(the_pack.calendar)
    bound = receipt_bound(the_pack)
    registered = at(2025, 11, 12, 9)

    def history(received: datetime) -> Complaint:
        r = Runner(the_pack, intake(received_at=received))
        r.now = registered
        r.register()
        r(Assess(actor="s-front", validity="valid"), after=timedelta(0))
        return r.complaint

    on_time, late = history(registered), history(at(2025, 11, 3, 15))
    for now in (registered, at(2025, 11, 20, 9), at(2026, 1, 5, 9)):
        for a, b in zip(
            compute_clocks(on_time, the_pack, cal, now, explain=False),
            compute_clocks(late, the_pack, cal, now, explain=False),
            strict=True,
        ):
            if a.name not in bound.clocks:
                assert a == b, a.name
        for x, y in zip(
            compute_duties(on_time, the_pack, cal, now, explain=False),
            compute_duties(late, the_pack, cal, now, explain=False),
            strict=True,
        ):
            if x.duty.name not in bound.duties:
                assert x == y, x.duty.name
    # and the receipt does move the bound ones
    moved = [
        a.name
        for a, b in zip(
            compute_clocks(on_time, the_pack, cal, registered, explain=False),
            compute_clocks(late, the_pack, cal, registered, explain=False),
            strict=True,
        )
        if a != b
    ]
    assert moved
    assert set(moved) <= bound.clocks
