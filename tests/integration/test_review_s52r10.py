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
from datetime import timedelta
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


def _refused_then_slow(monkeypatch: pytest.MonkeyPatch, store: object) -> None:
    """A failed attempt's mark refused as a lock held past the timeout is (so kept),
    its replay slowed as a lock held briefly is: the window in which a second pass's
    flush ran into the first's."""

    def refused(*args: object, **kwargs: object) -> None:
        raise _locked()  # failure injection: another writer holds the file

    real = store.mark_failed_claimed  # type: ignore[attr-defined]

    def slow(*args: object, **kwargs: object) -> bool:
        time.sleep(0.2)  # a lock held briefly, under the store's timeout
        return bool(real(*args, **kwargs))

    monkeypatch.setattr(store, "mark_failed_at", refused)
    monkeypatch.setattr(store, "mark_failed_claimed", slow)


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
        queued = len(desk.store.pending(T0, 100))
        _refused_then_slow(monkeypatch, desk.store)
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
    _refused_then_slow(monkeypatch, desk.store)
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


# --------------------------------------------------------------------------- F03


def _sqlite(path: Path, clock: FixedClock) -> object:
    from complaintcore.adapters.sqlite_store import SqliteStore

    return SqliteStore(path, clock=clock)


def _memory(path: Path, clock: FixedClock) -> object:
    from complaintcore.adapters.memory_store import MemoryStore

    return MemoryStore(clock=clock)


@pytest.mark.parametrize("kind", ["sqlite", "memory"])
def test_a_kept_failed_attempt_written_after_its_claim_lapsed_leaves_a_newer_claim_alone(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The review's t07: process A's failed attempt is kept (the file locked past its
    timeout); A's 5-minute claim lapses; another sender claims the message; then A
    flushes.  Before: A's write ended the other's claim (``claimed_until`` NULL) and
    set A's old retry time, so the message went out again while the other's send
    was under way.  Now A's attempt is dropped with a log line, the claim kept."""
    from complaintcore import Desk
    from complaintcore.desk.config import RetryPolicy
    from complaintcore.testing import make_desk

    clock = FixedClock(T0)
    base = make_desk()
    store = _sqlite(tmp_path / "d.sqlite3", clock) if kind == "sqlite" else _memory(tmp_path, clock)
    down = Down()
    desk = Desk(
        pack=base.pack,
        store=store,  # type: ignore[arg-type]
        directory=base.directory,
        calendar=base.calendar,
        notifiers=[down],
        send_timeout=2,
        retry=RetryPolicy(first_delay_seconds=1, max_delay_seconds=1, max_attempts=9),
    )
    try:
        list(desk.receive_many(intakes(1, T0), now=T0))
        real_at = desk.store.mark_failed_at

        def refused(*args: object, **kwargs: object) -> None:
            raise _locked()  # failure injection: another writer holds the file

        monkeypatch.setattr(desk.store, "mark_failed_at", refused)
        first = desk.deliver(T0)
        assert first.failed == 1
        assert len(desk._kept) == 1
        monkeypatch.setattr(desk.store, "mark_failed_at", real_at)
        # ten minutes on: A's claim (a 5-minute lease) has lapsed; another sender
        # claims the message, its send under way
        clock.advance(minutes=10)
        later = T0 + timedelta(minutes=10)
        (other,) = desk.store.claim(later, 10, lease=timedelta(minutes=5))
        before = desk.store.waiting(10)
        assert [i.attempts for i in before] == [0]
        claimed_until = T0 + timedelta(minutes=15)  # the other's claim: 10 + 5 minutes on
        assert before[0].next_attempt_at == claimed_until
        desk._kept.flush()  # what A's next pass does first
        after = desk.store.waiting(10)
        assert [i.attempts for i in after] == [0]  # A's late attempt not counted over it
        assert after[0].next_attempt_at == claimed_until  # the other's claim stands
        assert desk.store.claim(later, 10) == []  # nobody takes it meanwhile
        assert len(desk._kept) == 0
        assert any("kept failed attempt is not recorded" in r.getMessage() for r in caplog.records)
        assert other.notification.key in caplog.text  # names the message (its key)
        assert down.sends == 1
    finally:
        desk.close()
