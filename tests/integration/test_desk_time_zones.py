"""The desk routes by the pack's clock, whatever offset the host's ``now`` carries (12.3)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from complaintcore.adapters.staff import parse_duty
from complaintcore.desk.ports import StaffMember
from complaintcore.testing import make_desk
from tests.helpers import SH, intake


def member(staff_id: str, duty: str, rung: str = "senior_management") -> StaffMember:
    return StaffMember(
        staff_id=staff_id,
        name="值班人员",
        role=rung,
        rung=rung,
        department="engineering",
        site="sunrise",
        duty=parse_duty(duty) if duty else (),
    )


STAFF = [
    StaffMember(
        staff_id="s-front",
        name="前台",
        role="front_line",
        rung="front_line",
        department="customer_service",
        site="sunrise",
    ),
    member("e-day", "Mon-Sun 09:00-18:00"),
    member("e-night", "Mon-Sun 18:00-09:00"),
]


@pytest.mark.procedure("IN-2")
@pytest.mark.parametrize(
    ("now", "handler"),
    [
        (datetime(2025, 11, 14, 10, 0, tzinfo=SH), "e-day"),
        (datetime(2025, 11, 14, 2, 0, tzinfo=UTC), "e-day"),  # the same moment
        (datetime(2025, 11, 14, 22, 0, tzinfo=SH), "e-night"),
        (datetime(2025, 11, 14, 14, 0, tzinfo=UTC), "e-night"),  # the same moment
    ],
)
def test_a_utc_clock_routes_like_a_beijing_clock(now: datetime, handler: str) -> None:
    with make_desk(staff=STAFF) as desk:
        c = desk.receive(intake(received_at=now), now=now)
        assert c.state.handler == handler
