"""A batch that both raises a matter a third time and makes a group incident gives the
earlier complaints the history one-at-a-time intake gives them (review s34E F02).

desk.md: bulk intake links and marks "as a single ``receive`` does".  Bulk intake
used to link every draft's issue members first and mark the earlier raisings
after: the earlier complaints were escalated as a group incident (HDL-6) before
they were graded major for the third raising (GRD-2), one escalation and one
message more each.
"""

from __future__ import annotations

import itertools
from datetime import datetime

import pytest

from complaintcore import Complainant, Fact, Intake
from complaintcore.desk import Desk
from complaintcore.testing import RecordingNotifier, make_desk
from tests.helpers import SH

NOW = datetime(2025, 11, 20, 11, 0, tzinfo=SH)


def leak(owner: int, hour: int, minute: int, key: str) -> Intake:
    return Intake(
        complainant=Complainant(f"业主{owner}", f"1380000000{owner}", f"1-10{owner}", "1"),
        channel="phone",
        received_at=datetime(2025, 11, 20, hour, minute, tzinfo=SH),
        receiver="SR-103",
        summary="楼上漏水，天花板渗水",
        site="sunrise",
        idempotency_key=key,
        facts=frozenset({Fact.PROMISE_NOT_KEPT}),
    )


BEFORE = [leak(1, 8, 0, "k1"), leak(1, 8, 30, "k2"), leak(2, 9, 0, "k3"), leak(3, 9, 10, "k4"),
          leak(4, 9, 20, "k5")]  # fmt: skip
BATCH = [leak(1, 10, 0, "k6"), leak(5, 10, 10, "k7")]  # a third raising; the fifth owner


def after(bulk: bool) -> tuple[dict[str, list[tuple[str, str]]], list[tuple[str, str]]]:
    counter = itertools.count()
    told = RecordingNotifier()
    desk: Desk = make_desk(notifiers=[told])
    desk = Desk(
        pack=desk.pack,
        store=desk.store,
        directory=desk.directory,
        calendar=desk.calendar,
        notifiers=[told],
        id_factory=lambda intake: f"C-{next(counter):03d}",  # the same ids both ways
    )
    for intake in BEFORE:
        desk.receive(intake, now=NOW, validity="valid")
    if bulk:
        list(desk.receive_many(BATCH, now=NOW, validity="valid"))
    else:
        for intake in BATCH:
            desk.receive(intake, now=NOW, validity="valid")
    desk.deliver(now=NOW)
    histories = {
        str(c.intake.idempotency_key): [(e.kind, getattr(e, "to_rung", "")) for e in c.events]
        for c in desk.store.complaints()
    }
    messages = sorted((n.topic, n.recipient) for n, _ in told.sent)
    return histories, messages


@pytest.mark.procedure("GRD-2")
@pytest.mark.procedure("HDL-6")
def test_a_batch_marks_and_links_in_the_order_receive_does() -> None:
    one_by_one, told_one_by_one = after(bulk=False)
    bulk, told_bulk = after(bulk=True)
    assert bulk == one_by_one
    assert told_bulk == told_one_by_one
    # the case is the one the finding describes: the earlier raisings were graded
    # major, and the group incident took the building's complaints up
    first = one_by_one["k1"]
    assert ("graded", "") in first[3:]
    assert any(kind == "escalated" for kind, _ in first[3:])
