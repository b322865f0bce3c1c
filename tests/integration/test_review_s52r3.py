"""Review s52R3: delivery under a threaded host.

F01: a send that got through was sent a second time when the store was locked
(past its timeout) at the moment the desk marked it delivered: the pass failed and
the message stayed claimed until its lease lapsed.  Now an outcome the store
refuses for a while (a transient ``StoreError``) is kept and recorded at the next
pass (or at ``close``).

F02: setting ``desk.notifiers`` while a pass ran raised ``KeyError`` for a channel
the pass had claimed messages of, and left that message claimed for the lease.  Now
a pass uses the channels it began with.

F03: ``send_threads`` ("sends at once") sent one message at a time.  Now a pass has
up to ``send_threads`` sends under way, one at a time per channel and recipient.
"""

from __future__ import annotations

import collections
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from complaintcore.core.errors import StoreError
from complaintcore.desk.ports import Notification, StaffMember
from complaintcore.testing import FailingNotifier, FixedClock, RecordingNotifier
from tests.integration.test_delivery_off_intake import T0, intakes
from tests.integration.test_delivery_review_s39b import desk_of

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


class Sleepy:
    """A channel whose every send takes ``seconds`` (a real slow endpoint), counting
    the sends under way at once, in all and per recipient, and the order in which
    each recipient's messages were begun."""

    def __init__(self, name: str, seconds: float, gauge: Gauge) -> None:
        self.name = name
        self.seconds = seconds
        self.gauge = gauge

    def send(self, notification: Notification, recipient: StaffMember | None) -> None:
        order = (self.name, notification.recipient)
        self.gauge.enter(order, notification.key)
        try:
            time.sleep(self.seconds)
        finally:
            self.gauge.leave(order)


class Gauge:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now = self.most = 0
        self.per: collections.Counter[tuple[str, str]] = collections.Counter()
        self.most_per = 0
        self.begun: dict[tuple[str, str], list[str]] = collections.defaultdict(list)

    def enter(self, order: tuple[str, str], key: str) -> None:
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
            self.per[order] += 1
            self.most_per = max(self.most_per, self.per[order])
            self.begun[order].append(key)

    def leave(self, order: tuple[str, str]) -> None:
        with self.lock:
            self.now -= 1
            self.per[order] -= 1


def _queue_order(desk: object, at: datetime) -> dict[tuple[str, str], list[str]]:
    """The outbox's order (by id) of each channel's messages to each recipient."""
    items = sorted(desk.store.pending(at, 1000), key=lambda i: i.id)  # type: ignore[attr-defined]
    order: dict[tuple[str, str], list[str]] = collections.defaultdict(list)
    for item in items:
        order[(item.notifier, item.notification.recipient)].append(item.notification.key)
    return order


# --------------------------------------------------------------------------- F03


@pytest.mark.parametrize("threads", [2, 4])
def test_send_threads_sends_are_under_way_at_once(threads: int) -> None:
    """The review's repro, shortened: two channels whose sends take 0.1 s, twelve
    complaints' messages (for two staff members, so four channel-and-recipient
    queues), one ``deliver``.  Before: one send at a time (most at once 1, the pass
    as long as every send one after the other), whatever ``threads``."""
    gauge = Gauge()
    desk = desk_of(
        [Sleepy("a", 0.1, gauge), Sleepy("b", 0.1, gauge)], send_timeout=5, threads=threads
    )
    try:
        list(desk.receive_many(intakes(12, T0), now=T0))
        queued = _queue_order(desk, T0)
        assert len(queued) == 4  # a and b, each to SR-201 and SR-401
        count = sum(len(keys) for keys in queued.values())
        start = time.monotonic()
        report = desk.deliver(T0)
        took = time.monotonic() - start
        assert (report.sent, report.failed) == (count, 0)
        assert gauge.most == threads
        one_by_one = count * 0.1
        assert took < one_by_one * 0.75, (took, one_by_one)
    finally:
        desk.close()


def test_one_recipients_messages_on_one_channel_go_one_at_a_time_in_queue_order() -> None:
    gauge = Gauge()
    desk = desk_of([Sleepy("a", 0.05, gauge), Sleepy("b", 0.05, gauge)], send_timeout=5)
    try:
        list(desk.receive_many(intakes(12, T0), now=T0))
        queued = _queue_order(desk, T0)
        assert max(len(keys) for keys in queued.values()) > 1  # something to keep in order
        desk.deliver(T0)
        assert gauge.most > 1  # sends did overlap
        assert gauge.most_per == 1  # never two to one recipient on one channel
        assert dict(gauge.begun) == dict(queued)
    finally:
        desk.close()


def test_each_send_under_way_is_still_bounded_by_the_send_timeout() -> None:
    """A channel whose sends take 3 s next to one whose sends take 0.05 s, the desk
    waiting 0.3 s a send: the pass ends long before the slow send does; the slow
    channel spends one attempt, the quick one sends everything."""
    gauge = Gauge()
    slow, quick = Sleepy("slow", 3.0, gauge), Sleepy("quick", 0.05, gauge)
    desk = desk_of([slow, quick], send_timeout=0.3)
    try:
        list(desk.receive_many(intakes(3, T0), now=T0))
        quick_count = sum(1 for i in desk.store.pending(T0, 1000) if i.notifier == "quick")
        start = time.monotonic()
        report = desk.deliver(T0)
        took = time.monotonic() - start
        assert took < 2.0, took
        assert (report.sent, report.failed) == (quick_count, 1)
        assert len(gauge.begun[("slow", gauge_recipient(gauge, "slow"))]) == 1
    finally:
        desk.close(timeout=5)


def gauge_recipient(gauge: Gauge, channel: str) -> str:
    (recipient,) = {r for c, r in gauge.begun if c == channel}
    return recipient


# --------------------------------------------------------------------------- F02


class Swapping(RecordingNotifier):
    """Channel ``a``: its first send drops channel ``b`` from the desk (a host
    reloading its channel settings while a pass runs)."""

    def __init__(self, drop: object) -> None:
        super().__init__("a")
        self.drop = drop

    def send(self, notification: Notification, recipient: StaffMember | None) -> None:
        if not self.sent:
            self.drop()  # type: ignore[operator]
        super().send(notification, recipient)


def test_channels_changed_during_a_pass_change_the_next_pass_not_this_one(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Before: ``KeyError: 'b'`` out of ``deliver`` (the worker logged it as an
    ERROR traceback each pass), the message it was at left claimed for the lease."""
    b = RecordingNotifier("b")
    holder: list[object] = []
    a = Swapping(lambda: setattr(holder[0], "notifiers", {"a": a}))
    desk = desk_of([a, b], send_timeout=5, threads=1)
    holder.append(desk)
    try:
        list(desk.receive_many(intakes(3, T0), now=T0))
        queued = sorted((i.notifier, i.notification.key) for i in desk.store.pending(T0, 1000))
        assert "b" in {channel for channel, _ in queued}
        report = desk.deliver(T0)  # no KeyError
        assert set(desk.notifiers) == {"a"}
        assert report.sent == len(queued)  # the pass's channels: b's claimed ones too
        sent = sorted([("a", k) for k in a.keys] + [("b", k) for k in b.keys])
        assert sent == queued
        assert desk.store.pending(T0 + timedelta(hours=1), 1000) == []
        assert not [r for r in caplog.records if r.levelname == "ERROR"]
    finally:
        desk.close()


def test_the_delivery_worker_survives_channels_swapped_under_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The review's swap_test, shortened: a host thread swaps the channel set while
    complaints come in and the worker delivers."""
    a, b = RecordingNotifier("a"), RecordingNotifier("b")
    desk = desk_of([a, b], send_timeout=5)
    stop = threading.Event()

    def swap() -> None:
        while not stop.is_set():
            desk.notifiers = {"a": a}
            desk.notifiers = {"a": a, "b": b}

    swapper = threading.Thread(target=swap)
    worker = desk.start_delivery(clock=FixedClock(T0), interval=0.05)
    swapper.start()
    try:
        for n in range(60):
            list(desk.receive_many(intakes(1, T0), now=T0))
            if n % 5 == 0:
                worker.wait_idle(5)
    finally:
        stop.set()
        swapper.join()
    try:
        desk.notifiers = {"a": a, "b": b}
        assert worker.wait_idle(10)
        assert worker.alive
        assert not [r for r in caplog.records if r.levelname == "ERROR"]
        assert desk.store.pending(T0 + timedelta(hours=1), 1000) == []  # none left claimed
        for channel in (a, b):  # one item per channel, with the notification's key
            assert len(channel.keys) == len(set(channel.keys))
    finally:
        desk.close()


# --------------------------------------------------------------------------- F01


def _locked() -> StoreError:
    return StoreError(
        "c.sqlite3",
        "is locked by another writer and stayed locked past the timeout; try again (SQLITE_BUSY)",
        transient=True,
    )


def test_a_send_recorded_while_the_store_is_locked_is_not_sent_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The review's repro, the lock injected: the first ``mark_delivered`` fails as a
    lock held past the store's timeout does.  Before: ``deliver`` raised, the
    message stayed claimed, and once the 5-minute lease lapsed it was sent again."""
    clock = FixedClock(T0)
    notes = RecordingNotifier("rec")
    desk = desk_of([notes], store_path=tmp_path / "desk.sqlite3", store_clock=clock)
    try:
        list(desk.receive_many(intakes(1, T0), now=T0))
        queued = [i.notification.key for i in desk.store.pending(T0, 100)]
        store = desk.store
        real = store.mark_delivered
        refusals = [0]

        def locked_once(item_id: int, at: datetime) -> None:
            if not refusals[0]:
                refusals[0] += 1
                raise _locked()  # failure injection: another writer holds the lock
            real(item_id, at)

        monkeypatch.setattr(store, "mark_delivered", locked_once)
        first = desk.deliver(T0)
        assert refusals[0] == 1
        assert first.sent == len(queued)
        assert len(desk._kept) == 1  # the refused outcome, kept
        # the claim's lease (5 minutes) lapses; the lock is gone
        clock.advance(minutes=6)
        later = T0 + timedelta(minutes=6)
        second = desk.deliver(later)
        assert second.sent == 0
        assert len(desk._kept) == 0
        assert sorted(notes.keys) == sorted(queued)  # each sent once
        assert desk.store.pending(later + timedelta(hours=1), 100) == []
        assert desk.store.waiting(100) == []
    finally:
        desk.close()


def test_a_failed_attempt_recorded_while_the_store_is_locked_is_counted_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FixedClock(T0)
    failing = FailingNotifier("down")
    desk = desk_of([failing], store_path=tmp_path / "desk.sqlite3", store_clock=clock, threads=1)
    try:
        list(desk.receive_many(intakes(1, T0), now=T0))
        queued = len(desk.store.pending(T0, 100))
        store = desk.store
        real = store.mark_failed_at
        refusals = [0]

        def locked_once(*args: object, **kwargs: object) -> None:
            if not refusals[0]:
                refusals[0] += 1
                raise _locked()  # failure injection
            real(*args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(store, "mark_failed_at", locked_once)
        first = desk.deliver(T0)
        assert refusals[0] == 1
        assert first.failed == queued
        assert len(desk._kept) == 1
        desk.close()  # records what was kept before the store closes
        assert len(desk._kept) == 0
    finally:
        desk.close()
    from complaintcore.adapters.sqlite_store import SqliteStore

    reopened = SqliteStore(tmp_path / "desk.sqlite3", clock=clock)
    try:
        waiting = reopened.waiting(100)
        assert len(waiting) == queued
        assert {i.attempts for i in waiting} == {1}  # one attempt each, none twice
    finally:
        reopened.close()
