"""IMP-3, GRD-2 on a reclassification (review s48O F02): a complaint reclassified
into the matter its complainant raised before is linked as intake links it, for
its new category, on every store.

By hand (docs/concepts.md "Repeat complaints", cn-property ``threshold = 3``):
王小明 reports the leak on Mon 10 and Tue 11 Nov 2025 (repairs: raisings 1, 2).  His
third call on Wed 12 Nov is filed by its words as a fee complaint (raisings 1: no
earlier fee complaint).  Reclassified as repairs, it is the third raising of the
leak: raised repeatedly (GRD-2's fact), customer service's project manager
(SR-001) told, the two earlier open raisings marked; assessed valid with a promise
not kept it is major (004 篇2 §3.4A), handled by senior management (ESC-3).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from complaintcore.core.models import Complaint, Fact, Grade, Linked
from complaintcore.core.workflow import Assess, Classify
from complaintcore.desk import Desk
from complaintcore.testing import RecordingNotifier, make_desk
from tests.helpers import SH, intake, store_on

LEAK = "楼上漏水，天花板渗水"
FEES = "物业费交了这么多，问题还是解决不了"


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 11, day, hour, minute, tzinfo=SH)


@pytest.fixture
def notes() -> RecordingNotifier:
    return RecordingNotifier()


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def desk(
    request: pytest.FixtureRequest, tmp_path: Path, notes: RecordingNotifier
) -> Iterator[Desk]:
    store = store_on(request.param, request, tmp_path)
    with make_desk(store=store, notifiers=[notes]) as d:
        yield d


def _receive(desk: Desk, summary: str, at: datetime) -> Complaint:
    """王小明 (13812345678, 3-2-1201, building 3, sunrise) calls customer service."""
    return desk.receive(intake(summary, received_at=at, receiver="SR-103"), now=at)


def _counts(c: Complaint) -> list[tuple[int, bool]]:
    return [(e.raisings, e.raised_repeatedly) for e in c.events if isinstance(e, Linked)]


def _told(notes: RecordingNotifier, topic: str) -> list[tuple[str, str]]:
    return [(n.recipient, n.complaint_id) for n, _ in notes.sent if n.topic == topic]


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
@pytest.mark.procedure("ESC-3")
def test_reclassified_into_a_matter_raised_twice_is_its_third_raising(
    desk: Desk, notes: RecordingNotifier
) -> None:
    first = _receive(desk, LEAK, _at(10, 9, 30))
    second = _receive(desk, LEAK, _at(11, 9, 30))
    assert _counts(second) == [(2, False)]
    third = _receive(desk, FEES, _at(12, 9, 30))
    assert third.state.category == "fees"
    assert _counts(third) == [(1, False)]  # linked to the leaks, counting none
    desk.deliver(_at(12, 9, 30))
    notes.sent.clear()

    third = desk.act(third.id, Classify(actor="SR-102", category="repairs"), now=_at(12, 10))
    desk.deliver(_at(12, 10))
    assert _counts(third) == [(1, False), (3, True)]
    assert Fact.RAISED_REPEATEDLY in third.state.facts
    assert _told(notes, "raised_repeatedly") == [("SR-001", third.id)]
    for earlier in (first, second):  # marked by the third raising
        mark = [e for e in desk.get(earlier.id).events if isinstance(e, Linked)][-1]
        assert (mark.repeated_by, mark.raised_repeatedly) == (third.id, True)

    third = desk.act(
        third.id,
        Assess(actor="SR-201", validity="valid", facts=["promise_not_kept"]),
        now=_at(12, 10, 30),
    )
    assert third.state.grade is Grade.MAJOR
    assert (third.state.rung, third.state.handler) == ("senior_management", "HQ-001")
    fourth = _receive(desk, LEAK, _at(13, 9, 30))
    assert _counts(fourth)[-1] == (4, True)  # the matter's count skips nothing


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
def test_a_later_raising_counts_one_reclassified_into_its_matter(
    desk: Desk, notes: RecordingNotifier
) -> None:
    """The leak raised on Mon 10 and Tue 11 Nov, the fee call on Wed 12, the leak again
    on Thu 13 (its third raising: raised repeatedly, customer service told of 3).
    The fee call reclassified as repairs on Fri 14 is the matter's third raising
    too, but the count 3 was told already; Thursday's call, linked again, is the
    fourth and tells 4 (each count told once, docs/concepts.md)."""
    _receive(desk, LEAK, _at(10, 9, 30))
    _receive(desk, LEAK, _at(11, 9, 30))
    call = _receive(desk, FEES, _at(12, 9, 30))
    later = _receive(desk, LEAK, _at(13, 9, 30))
    assert _counts(later) == [(3, True)]
    desk.deliver(_at(13, 9, 30))
    notes.sent.clear()

    call = desk.act(call.id, Classify(actor="SR-102", category="repairs"), now=_at(14, 10))
    desk.deliver(_at(14, 10))
    assert _counts(call)[-1] == (3, True)
    assert _counts(desk.get(later.id))[-1] == (4, True)
    assert _told(notes, "raised_repeatedly") == [("SR-001", later.id)]


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-6")
def test_reclassified_out_of_a_matter_raised_repeatedly_keeps_its_count(desk: Desk) -> None:
    """The third leak (raisings 3, raised repeatedly) reclassified as a fee complaint
    counts no earlier fee complaint: nothing new is linked, its count and GRD-2's
    fact stay (a link is a record, REC-5; grades never fall, GRD-6)."""
    _receive(desk, LEAK, _at(10, 9, 30))
    _receive(desk, LEAK, _at(11, 9, 30))
    third = _receive(desk, LEAK, _at(12, 9, 30))
    assert _counts(third) == [(3, True)]
    third = desk.act(third.id, Classify(actor="SR-102", category="fees"), now=_at(12, 10))
    assert _counts(third) == [(3, True)]
    assert (third.state.raisings, Fact.RAISED_REPEATEDLY in third.state.facts) == (3, True)
