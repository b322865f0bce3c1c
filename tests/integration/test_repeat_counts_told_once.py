"""GRD-2, IMP-3: customer service hears each count of a matter raised repeatedly once,
whatever order the raisings are stored in (review s46G F02).

In time order the third raising tells customer service "raised: 3", the fourth
"raised: 4", and so on: n raisings of one matter make one message for each count
from the pack's threshold (3 in the shipped packs) to n.  Stored out of order --
a later raising typed in first, a bulk file sorted newest first, two request
threads at one moment -- the desk links the raisings again once the earlier one
is stored, and must still tell each count once: neither "raised: 3" twice, nor a
count left out.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.core.models import Complainant, Complaint, Intake
from complaintcore.desk import Desk
from complaintcore.testing import MemoryStore, RecordingNotifier, make_desk
from tests.helpers import SH

T0 = datetime(2025, 11, 3, 9, 30, tzinfo=SH)
OWNER = Complainant("王小明", "13812345678", "3-2-1201", "3", "sunrise")


def raising(day: int) -> Intake:
    """The owner's leak, raised again on ``day`` (days after 3 Nov)."""
    return Intake(
        complainant=OWNER,
        channel="phone",
        received_at=T0 + timedelta(days=day),
        receiver="SR-103",
        summary="楼上漏水，天花板渗水",
        site="sunrise",
    )


def counts_told(notes: RecordingNotifier) -> list[int]:
    """The counts customer service was told, one a ``raised_repeatedly`` message, in
    the order queued (the English line of each message: ``raised: N``)."""
    told = []
    for n, _member in notes.sent:
        if n.topic == "raised_repeatedly":
            found = re.search(r"raised: (\d+)", n.body)
            assert found is not None, n.body
            told.append(int(found.group(1)))
    return told


def store_in_turn(desk: Desk, days: Sequence[int], chunks: Sequence[tuple[int, bool]]) -> None:
    """Receive the raisings of ``days`` in that order, a chunk at a time: each chunk
    one by one (``receive``) or as one bulk batch (``receive_many``)."""
    now = T0 + timedelta(days=len(days))
    at = 0
    for size, bulk in chunks:
        part = [raising(d) for d in days[at : at + size]]
        at += size
        if bulk:
            got = list(desk.receive_many(part, now=now, validity="valid"))
            assert all(isinstance(c, Complaint) for c in got), got
        else:
            for i in part:
                desk.receive(i, now=now, validity="valid")


def told_for(days: Sequence[int], chunks: Sequence[tuple[int, bool]]) -> list[int]:
    notes = RecordingNotifier()
    with make_desk(store=MemoryStore(), notifiers=[notes]) as desk:
        store_in_turn(desk, days, chunks)
        desk.deliver(T0 + timedelta(days=len(days)))
        assert desk.verify(T0 + timedelta(days=len(days))).ok
    return counts_told(notes)


def raisings_by_day(desk: Desk) -> list[int]:
    rows = desk.store.rows(order="received")
    return [desk.get(r.id).state.raisings for r in rows]


@pytest.mark.procedure("GRD-2")
@pytest.mark.procedure("IMP-3")
@pytest.mark.parametrize("store_kind", ["memory", "sqlite"])
@pytest.mark.parametrize("order", [(5, 4, 0, 1, 2, 3), (5, 2, 3, 0, 4, 1)], ids=str)
def test_six_raisings_stored_in_the_reviewers_orders_tell_3_4_5_6_once_each(
    tmp_path: Path, store_kind: str, order: tuple[int, ...]
) -> None:
    """The orders of review s46G F02, one raising at a time: 5,4,0,1,2,3 told
    customer service "raised: 3" and "raised: 4" twice (six messages), 5,2,3,0,4,1
    "raised: 4" twice.  Six raisings make four messages, 3, 4, 5 and 6, as time
    order does, and the same counts on the complaints: the first three 3 each
    (the third raising marks the two before it), then 4, 5, 6."""
    notes = RecordingNotifier()
    store = MemoryStore() if store_kind == "memory" else SqliteStore(tmp_path / "d.db")
    now = T0 + timedelta(days=6)
    with make_desk(store=store, notifiers=[notes]) as desk:
        store_in_turn(desk, order, [(1, False)] * 6)
        desk.deliver(now)
        assert counts_told(notes) == [3, 4, 5, 6]
        assert raisings_by_day(desk) == [3, 3, 3, 4, 5, 6]
        assert desk.verify(now).ok


@pytest.mark.procedure("GRD-2")
@pytest.mark.parametrize("bulk", [False, True], ids=["receive", "receive_many"])
def test_every_order_of_five_raisings_tells_3_4_5_once_each(bulk: bool) -> None:
    """All 120 orders of five raisings, one at a time or as one bulk batch: three
    messages, one for each count from 3 to 5.  One at a time the counts come in
    rising order (each intake adds one raising, and its new count is told); a
    batch tells them all at once, in the order its complaints are written."""
    wrong = {}
    for order in itertools.permutations(range(5)):
        chunks = [(5, True)] if bulk else [(1, False)] * 5
        told = told_for(order, chunks)
        if (sorted(told) if bulk else told) != [3, 4, 5]:
            wrong[order] = told
    assert wrong == {}


@pytest.mark.procedure("GRD-2")
@settings(max_examples=60, deadline=None)
@given(
    order=st.permutations(range(6)),
    cuts=st.lists(st.integers(1, 6), min_size=1, max_size=6),
    bulks=st.lists(st.booleans(), min_size=6, max_size=6),
)
def test_six_raisings_in_any_order_and_any_mix_of_batches_tell_each_count_once(
    order: list[int], cuts: list[int], bulks: list[bool]
) -> None:
    """Six raisings in any order, stored in chunks of any size, each chunk one by one
    or as a bulk batch: customer service hears 3, 4, 5 and 6, each once."""
    chunks: list[tuple[int, bool]] = []
    left = 6
    for size, bulk in zip(cuts, bulks, strict=False):
        if left == 0:
            break
        chunks.append((min(size, left), bulk))
        left -= chunks[-1][0]
    if left:
        chunks.append((left, bulks[-1]))
    assert sorted(told_for(order, chunks)) == [3, 4, 5, 6]


def receive_at_once(desks: Sequence[Desk], now: datetime) -> list[BaseException]:
    """Raising k received by ``desks[k]`` in a thread of its own, all released at one
    moment; what any of them raised."""
    gate = threading.Barrier(len(desks))
    failures: list[BaseException] = []

    def receive(k: int, desk: Desk) -> None:
        gate.wait()
        try:
            desk.receive(raising(k), now=now, validity="valid")
        except BaseException as exc:  # reported in the test's thread
            failures.append(exc)

    threads = [threading.Thread(target=receive, args=(k, d)) for k, d in enumerate(desks)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return failures


@pytest.mark.procedure("GRD-2")
@pytest.mark.parametrize("shared", [True, False], ids=["one desk", "a desk a thread"])
def test_six_raisings_stored_by_six_threads_at_once_tell_each_count_once(
    tmp_path: Path, shared: bool
) -> None:
    """Six request threads receive the six raisings at the same moment (a caller
    phoning while the app and a web form submit), on one desk or one desk object
    per thread over one SQLite file: whatever order the threads take turns in,
    four messages, 3, 4, 5 and 6 (review s46G F02 counted 5 or 6)."""
    for attempt in range(4):
        notes = RecordingNotifier()
        db = tmp_path / f"d{attempt}.db"
        first = make_desk(store=SqliteStore(db), notifiers=[notes])
        desks = (
            [first] * 6
            if shared
            else [first] + [make_desk(store=SqliteStore(db), notifiers=[notes]) for _ in range(5)]
        )
        now = T0 + timedelta(days=6)
        assert receive_at_once(desks, now) == []
        first.deliver(now)
        assert sorted(counts_told(notes)) == [3, 4, 5, 6], attempt
        assert raisings_by_day(first) == [3, 3, 3, 4, 5, 6]
        assert first.verify(now).ok
        for d in {id(d): d for d in desks}.values():
            d.close()
