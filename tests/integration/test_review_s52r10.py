"""Review s52R10: defects of s52R3's concurrent delivery.

F01: a kept outcome was written twice when two passes of one desk (the worker and
a host's ``deliver``, or ``close``) flushed at once: one failed attempt counted as
two, a message a dead letter before ``max_attempts`` attempts.  Now a flush takes
an outcome off the list before writing it, one flush at a time.

F02: a send queued behind another pass's sends was timed out (a failed attempt,
its channel skipped for the pass) though it took less than ``send_timeout`` once a
thread began it.  Now its timeout counts from when a thread begins it.

F03: a kept failed attempt written after its claim lapsed cleared the claim
another process had taken since, so the message went out again while that
process's send was still under way.  Now it is written only if the message still
holds the claim the pass took, else dropped with a log line.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from complaintcore.core.errors import StoreError
from complaintcore.desk.delivery import Sender, Task
from complaintcore.desk.ports import Notification, StaffMember
from complaintcore.testing import FixedClock
from tests.integration.test_delivery_off_intake import T0, intakes
from tests.integration.test_delivery_review_s39b import desk_of

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


class Slow:
    """A channel whose every send takes ``seconds``, counting the sends made."""

    def __init__(self, name: str, seconds: float) -> None:
        self.name = name
        self.seconds = seconds
        self.lock = threading.Lock()
        self.keys: list[str] = []

    def send(self, notification: Notification, recipient: StaffMember | None) -> None:
        with self.lock:
            self.keys.append(notification.key)
        time.sleep(self.seconds)


# --------------------------------------------------------------------------- F02


def test_a_send_queued_behind_others_gets_its_whole_timeout_once_begun() -> None:
    """One thread, two 0.3 s sends, a 0.5 s timeout: the second waits 0.3 s for the
    thread and then takes 0.3 s.  Before: timed out at 0.5 s from being queued (a
    failed attempt of a send that got through); now it is waited for."""
    sender = Sender(timeout=0.5, threads=1)
    try:
        late: list[BaseException | None] = []
        tasks = [
            sender.submit(Task(lambda: time.sleep(0.3), late.append, "c", f"k{n}"))
            for n in range(2)
        ]
        for task in tasks:
            task.done.wait(max(0.0, task.deadline - time.monotonic()))
            while not task.done.is_set() and time.monotonic() < task.deadline:
                task.done.wait(max(0.0, task.deadline - time.monotonic()))
            sender.outcome(task)  # no SendTimeoutError
        assert all(t.state == "done" for t in tasks)
        assert late == []  # nothing given up on, nothing settled late
    finally:
        sender.close()


def test_a_send_still_waiting_for_a_thread_at_its_timeout_is_not_made() -> None:
    """The other half of the rule: a send that waited ``send_timeout`` for a thread
    is handed back unsent (``busy``), not made late."""
    from complaintcore.desk.delivery import SendTimeoutError

    sender = Sender(timeout=0.2, threads=1)
    try:
        ran: list[str] = []
        first = sender.submit(Task(lambda: time.sleep(0.5), lambda e: None, "c", "k1"))
        second = sender.submit(Task(lambda: ran.append("k2"), lambda e: None, "c", "k2"))
        time.sleep(0.25)
        with pytest.raises(SendTimeoutError) as caught:
            sender.outcome(second)
        assert caught.value.busy
        with pytest.raises(SendTimeoutError):
            sender.outcome(first)
        assert sender.settle(2)
        time.sleep(0.05)
        assert ran == []  # never made
    finally:
        sender.close()


def test_two_passes_at_once_time_out_no_send_that_took_less_than_the_timeout(
    tmp_path: Path,
) -> None:
    """The review's t06: two channels whose sends take 0.3 s, ``send_timeout`` 0.5 s,
    two threads, two passes of one desk at once.  Before: 4 of 6 sends recorded as
    failed attempts (each got through), both channels skipped for the pass.  Now no
    failed attempt: every send made is delivered, the rest handed back unsent."""
    a, b = Slow("a", 0.3), Slow("b", 0.3)
    desk = desk_of(
        [a, b], store_path=tmp_path / "d.sqlite3", send_timeout=0.5, threads=2, max_attempts=5
    )
    try:
        list(desk.receive_many(intakes(8, T0), now=T0))
        queued = len(desk.store.pending(T0, 1000))
        reports: list[object] = []
        passes = [
            threading.Thread(target=lambda: reports.append(desk.deliver(T0))) for _ in range(2)
        ]
        for p in passes:
            p.start()
        for p in passes:
            p.join()
        assert [r.failed for r in reports] == [0, 0]  # type: ignore[attr-defined]
        made = len(a.keys) + len(b.keys)
        assert sum(r.sent for r in reports) == made  # type: ignore[attr-defined]
        waiting = desk.store.waiting(1000)
        assert {i.attempts for i in waiting} <= {0}
        assert len(waiting) == queued - made
        assert desk.deliver(T0).sent == queued - made  # the rest, next pass
    finally:
        desk.close()


# --------------------------------------------------------------------------- F01


def _locked() -> StoreError:
    return StoreError(
        "d.sqlite3",
        "is locked by another writer and stayed locked past the timeout; try again (SQLITE_BUSY)",
        transient=True,
    )


class Down:
    """A channel whose every send fails (counting the sends made)."""

    name = "down"

    def __init__(self) -> None:
        self.sends = 0

    def send(self, notification: Notification, recipient: StaffMember | None) -> None:
        self.sends += 1
        raise ConnectionError("down")




def test_two_passes_flushing_at_once_write_a_kept_failed_attempt_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The review's t02 with ``max_attempts`` 2: one send, one failed attempt.
    Before: both passes wrote the kept attempt (attempts 2), and the message was a
    dead letter after one send, never retried."""
    down = Down()
    desk = desk_of(
        [down], store_path=tmp_path / "d.sqlite3", store_clock=FixedClock(T0), max_attempts=2
    )
    try:
        list(desk.receive_many(intakes(1, T0), now=T0))
        only = {i.notifier for i in desk.store.pending(T0, 100)} == {"down"}
        assert only
        queued = len(desk.store.pending(T0, 100))
        # the first write of each attempt refused, later ones slow: each item's first
        # mark is kept
        real = desk.store.mark_failed_at
        refused: set[int] = set()

        def locked_first(item_id: int, *args: object, **kwargs: object) -> None:
            if item_id not in refused:
                refused.add(item_id)
                raise _locked()  # failure injection
            time.sleep(0.2)  # a lock held briefly, under the timeout
            real(item_id, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(desk.store, "mark_failed_at", locked_first)
        first = desk.deliver(T0)
        assert first.failed == queued
        assert len(desk._kept) == queued
        reports: list[object] = []
        passes = [
            threading.Thread(target=lambda: reports.append(desk.deliver(T0))) for _ in range(2)
        ]
        for p in passes:
            p.start()
        for p in passes:
            p.join()
        assert len(desk._kept) == 0
        waiting = desk.store.waiting(100)
        assert [i.attempts for i in waiting] == [1] * queued  # one each: one send each
        assert down.sends == queued
        assert desk._given_up(T0) == 0  # no dead letter after one attempt of two
    finally:
        desk.close()


def test_close_during_a_flush_does_not_write_the_kept_outcome_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The review's t02b: ``close`` while a pass is still in its flush."""
    down = Down()
    desk = desk_of([down], store_path=tmp_path / "d.sqlite3", store_clock=FixedClock(T0))
    list(desk.receive_many(intakes(1, T0), now=T0))
    queued = len(desk.store.pending(T0, 100))
    real = desk.store.mark_failed_at
    refused: set[int] = set()

    def locked_first(item_id: int, *args: object, **kwargs: object) -> None:
        if item_id not in refused:
            refused.add(item_id)
            raise _locked()  # failure injection
        time.sleep(0.2)
        real(item_id, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(desk.store, "mark_failed_at", locked_first)
    desk.deliver(T0)
    assert len(desk._kept) == queued
    passing = threading.Thread(target=lambda: desk.deliver(T0))
    passing.start()
    time.sleep(0.05)  # the pass is in its flush
    desk.close()
    passing.join()
    from complaintcore.adapters.sqlite_store import SqliteStore

    reopened = SqliteStore(tmp_path / "d.sqlite3", clock=FixedClock(T0))
    try:
        assert [i.attempts for i in reopened.waiting(100)] == [1] * queued
    finally:
        reopened.close()
