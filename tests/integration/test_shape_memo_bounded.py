"""A desk's memory does not grow with the commands it runs on a long complaint
(review s48C F02).

``Projection`` keeps the clocks and duties it computed by the complaint's
``history_key`` (one entry per event), so that a bulk batch's complaints, which
share ``now`` and their first few events, compute them once.  Every command on a
complaint makes a new key (its ``now`` and new events), and the memo was bounded
in keys only (2,048): a complaint of 2,500 events kept about 1 MB per command, 2 GB
before the memo was cleared, in every desk process that handled it.  The memo now
keeps no shape of a complaint of more than ``SHARED_EVENTS`` events and holds at
most ``SHAPE_MEMO_EVENTS`` events in its keys.
"""

from __future__ import annotations

import gc
import tracemalloc
from datetime import timedelta

import pytest

from complaintcore.core import workflow as W
from complaintcore.core.models import Complaint
from complaintcore.desk import Desk
from complaintcore.desk.projection import SHAPE_MEMO_EVENTS, SHARED_EVENTS, Projection
from complaintcore.testing import make_desk
from tests.helpers import T0, intake

LONG = 4 * SHARED_EVENTS  # events, before the commands measured


def _long(desk: Desk, events: int) -> tuple[str, str]:
    """A complaint taken to ``events`` events by evidence attached a minute apart;
    its id and handler."""
    c = desk.receive(intake(receiver="SR-103"), now=T0)
    handler = c.state.handler
    at = T0
    while len(c.events) < events:
        at += timedelta(minutes=1)
        c = desk.act(
            c.id, W.AttachEvidence(actor=handler, reference=f"e{len(c.events)}.jpg"), now=at
        )
    return c.id, handler


def _fresh(desk: Desk, c: Complaint, now: object) -> tuple[object, ...]:
    """The clocks, duties and row a projection with nothing kept computes."""
    p = Projection(desk.pack, desk.calendar)
    return p.clocks_now(c, now), p.duties_now(c, now), p.row(c, now)  # type: ignore[arg-type]


def _kept(desk: Desk, cid: str, handler: str, start: int, n: int) -> int:
    """Bytes still allocated after ``n`` more commands on complaint ``cid`` (after gc)."""
    at = desk.get(cid).events[-1].at
    gc.collect()
    before = tracemalloc.take_snapshot()
    for i in range(start, start + n):
        at += timedelta(minutes=1)
        desk.act(cid, W.AttachEvidence(actor=handler, reference=f"m{i}.jpg"), now=at)
    gc.collect()
    after = tracemalloc.take_snapshot()
    return sum(s.size_diff for s in after.compare_to(before, "filename"))


def test_commands_on_a_long_complaint_keep_no_copy_of_its_history() -> None:
    """120 commands on a complaint of 256 events: before, each kept its history key
    (about 256 x 0.4 KB: 6.9 MB for the first 60 measured, 8.2 MB for the next 60);
    now what is kept is the new events themselves, for the first 60 as for the next."""
    with make_desk() as desk:
        cid, handler = _long(desk, LONG)
        tracemalloc.start()
        try:
            first = _kept(desk, cid, handler, 0, 60)
            second = _kept(desk, cid, handler, 60, 60)
        finally:
            tracemalloc.stop()
        shapes = desk._projection._shapes[1]
        assert all(len(k) <= SHARED_EVENTS + 2 for k in shapes)  # type: ignore[arg-type]
        # the store keeps 60 more events (canonical JSON) and their ledger entries:
        # a few KB a command, not a history of 256
        assert first < 1_500_000, first
        assert second < 1_500_000, second
        c = desk.get(cid)
        now = c.events[-1].at + timedelta(minutes=1)
        clocks, duties, row = _fresh(desk, c, now)
        assert desk._projection.clocks_now(c, now) == clocks
        assert desk._projection.duties_now(c, now) == duties
        assert desk._projection.row(c, now) == row
        assert desk.store.row(cid) == _fresh(desk, c, c.events[-1].at)[2]


@pytest.mark.parametrize("events", [16, SHARED_EVENTS // 2])
def test_the_memo_holds_at_most_its_budget_of_events(events: int) -> None:
    """A complaint asked at many times (a new key each): the memo's keys hold at most
    SHAPE_MEMO_EVENTS events, and every answer is what a fresh projection gives."""
    with make_desk() as desk:
        cid, _ = _long(desk, events)
        c = desk.get(cid)
        p = desk._projection
        start = c.events[-1].at
        asks = SHAPE_MEMO_EVENTS // events + 50  # more than the budget holds
        for i in range(asks):
            now = start + timedelta(minutes=i)
            p.duties_now(c, now)
            p.clocks_now(c, now)
            assert p._shape_events <= SHAPE_MEMO_EVENTS
            assert sum(len(k) for k in p._shapes[1]) == p._shape_events  # type: ignore[arg-type]
        for i in (0, asks // 2, asks - 1):
            now = start + timedelta(minutes=i)
            assert (p.clocks_now(c, now), p.duties_now(c, now), p.row(c, now)) == _fresh(
                desk, c, now
            )
