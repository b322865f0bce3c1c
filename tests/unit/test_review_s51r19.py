"""Review s51R19: an extension given in the hour the clocks go back is judged by
instants, not wall time.

A host's copy of the Housing Ombudsman pack whose stage 1 acknowledgement is 24 hours
of elapsed time (``wall``), extendable by up to 5 hours.  Received 01:30 BST on Sat 24
October 2026 (00:30 UTC), it is due 00:30 UTC on Sun 25 October, the first 01:30
(BST).  At 01:40 BST (00:40 UTC, the first pass of the repeated hour) an extension of
one hour moves it to 01:30 UTC, the second 01:30 (GMT): 50 minutes after now, so it
is accepted.  Compared by wall time, 01:30 reads before 01:40 and it was refused as
ending "at or before now".  (An ambiguous time compares unequal to every time of
another zone, PEP 495: the due times are read in UTC.)  Every expected time is
counted by hand from these facts.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import attrs
import pytest

from complaintcore import Extend, load_pack
from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.adapters.memory_store import MemoryStore
from complaintcore.adapters.staff import load_sample_staff
from complaintcore.core.models import Complainant
from complaintcore.core.rulepack import ClockMode, Duration, Extension
from complaintcore.desk import Desk
from tests.helpers import intake

LONDON = ZoneInfo("Europe/London")
CLOCK = "stage_1_acknowledge"


def _desk() -> Desk:
    base = load_pack("uk-housing-ombudsman-2024")
    clocks = tuple(
        attrs.evolve(
            c,
            mode=ClockMode.WALL,
            duration=Duration.parse("24h", "duration"),
            extension=Extension(cap=Duration.parse("5h", "cap"), records=("reason",)),
        )
        if c.name == CLOCK
        else c
        for c in base.clocks
    )
    pack = attrs.evolve(base, clocks=clocks)
    return Desk(
        pack=pack,
        store=MemoryStore(),
        directory=load_sample_staff(pack=pack),
        calendar=calendar_for_spec(pack.calendar),
    )


@pytest.mark.procedure("DL-5")
@pytest.mark.parametrize(
    "now",
    [datetime(2026, 10, 25, 1, 40, tzinfo=LONDON), datetime(2026, 10, 25, 0, 40, tzinfo=UTC)],
    ids=["pack-zone-first-pass", "utc"],
)
def test_an_extension_ending_in_the_repeated_hour_after_now_is_accepted(now: datetime) -> None:
    desk = _desk()
    received = datetime(2026, 10, 24, 1, 30, tzinfo=LONDON)  # 00:30 UTC
    who = Complainant("Jane Smith", "07700 900123", "Flat 4", "2", "elm-court")
    c = desk.receive(
        intake(
            received_at=received,
            receiver="CS-001",
            receiver_unit="customer_service",
            site="elm-court",
            complainant=who,
            summary="Repair to the boiler not done after three visits",
        ),
        now=received,
    )
    (before,) = [s for s in desk.clocks(c.id, now) if s.name == CLOCK]
    assert before.due is not None
    assert before.due.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    desk.act(c.id, Extend(actor="CM-301", clock=CLOCK, by="1h", reason="agreed"), now=now)
    (after,) = [s for s in desk.clocks(c.id, now) if s.name == CLOCK]
    assert after.due is not None
    assert after.due.astimezone(UTC) == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert after.left == timedelta(minutes=50)
