"""Delivery never blocks intake (issue 13, defect 8).

0.1.0 sent notifications inline: a webhook answering in 1 s made
``receive_many`` of 30 complaints take 30 s; a reply slower than the timeout
delivered every message twice; a bulk import left most messages unsent because
each pass sent at most 200.  Now intake only writes the outbox, every send has
a timeout, a pass claims until the outbox is empty, and a retry carries the
same dedupe key.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from complaintcore import (
    Complainant,
    ComplaintCoreError,
    Desk,
    DeskConfig,
    Intake,
    InvalidInputError,
    Notification,
    Notifier,
    StaffMember,
)
from complaintcore.adapters.staff import write_sample_staff
from complaintcore.desk.config import RetryPolicy
from complaintcore.testing import FixedClock, MemoryStore, RecordingNotifier, make_desk
from tests.helpers import SH
from tests.integration.servers import HttpTestServer

T0 = datetime(2025, 11, 10, 9, 30, tzinfo=SH)  # a working Monday
SUMMARIES = ("楼上漏水，天花板渗水", "电梯停运", "楼道垃圾没人打扫，有异味")


def intakes(n: int, at: datetime) -> Iterator[Intake]:
    for i in range(n):
        yield Intake(
            complainant=Complainant(f"业主{i}", f"137{i:08d}", f"3-2-{i % 1000:04d}"),
            channel="phone",
            received_at=at,
            receiver="SR-103",
            summary=SUMMARIES[i % 3],
            site="sunrise",
        )


@pytest.fixture
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


def webhook_desk(tmp_path: Path, http: HttpTestServer, timeout: float) -> Desk:
    return Desk.from_config(
        DeskConfig(
            database=str(tmp_path / "complaints.sqlite3"),
            staff_file=str(write_sample_staff(tmp_path / "staff.toml")),
            notifiers={"log": False, "webhooks": [{"url": http.url("/hook"), "timeout": timeout}]},
        )
    )


@pytest.mark.usefixtures("no_proxy")
def test_a_slow_webhook_does_not_slow_bulk_intake(
    tmp_path: Path, http_server: HttpTestServer
) -> None:
    http_server.respond(delay=1.0)  # every answer takes a second
    with webhook_desk(tmp_path, http_server, timeout=5) as desk:
        started = time.monotonic()
        results = list(desk.receive_many(intakes(30, T0), now=T0))
        took = time.monotonic() - started
        assert not [r for r in results if isinstance(r, ComplaintCoreError)]
        assert took < 5, f"30 receipts took {took:.1f} s"  # 0.1.0: over 30 s
        assert len(desk.store.pending(T0, 1000)) >= 30  # all queued, none sent yet


@pytest.mark.usefixtures("no_proxy")
def test_a_reply_slower_than_the_timeout_is_delivered_once(
    tmp_path: Path, http_server: HttpTestServer
) -> None:
    """The request is out; the endpoint answers late.  0.1.0 gave up at the timeout
    and sent it again later: every message twice.  The reply is now waited for
    (``reply_timeout``), and a later pass has nothing to send."""
    http_server.respond(delay=0.8)
    with webhook_desk(tmp_path, http_server, timeout=0.3) as desk:
        desk.receive(next(intakes(1, T0)), now=T0)
        desk.deliver(T0)
        http_server.wait_for(1)
        desk.deliver(T0 + timedelta(hours=2))  # past any retry delay
        desk.deliver(T0 + timedelta(days=1))
        time.sleep(1.0)  # a second request, if one was sent, is recorded after the delay
        keys = [r.header("Idempotency-Key") for r in http_server.requests]
        assert len(keys) == len(set(keys)) == 1, "a message was delivered twice"
        assert desk.store.pending(T0 + timedelta(days=2), 10) == []


def timed_desk(
    notifier: Notifier, send_timeout: float, clock: Callable[[], datetime] | None = None
) -> Desk:
    """A memory desk whose sends are waited for ``send_timeout`` seconds at most;
    ``clock``: the clock its outbox claims are kept on (the test's, moved by hand)."""
    base = make_desk()
    return Desk(
        pack=base.pack,
        store=MemoryStore(clock=clock),
        directory=base.directory,
        calendar=base.calendar,
        notifiers=[notifier],
        send_timeout=send_timeout,  # [delivery] timeout_seconds
    )


class Hanging:
    """A channel whose first send hangs until released; later sends go through."""

    name = "hanging"

    def __init__(self) -> None:
        self.release = threading.Event()
        self.calls: list[str] = []
        self.done: list[str] = []

    def send(self, notification: Notification, recipient: StaffMember | None) -> None:
        self.calls.append(notification.key)
        if len(self.calls) == 1:
            self.release.wait(30)
        self.done.append(notification.key)


def test_a_hung_notifier_is_cut_off_by_the_timeout_and_its_late_success_counts() -> None:
    hanging = Hanging()
    clock = FixedClock(T0)
    desk = timed_desk(hanging, 0.2, clock)
    c = desk.receive(next(intakes(1, T0)), now=clock())
    started = time.monotonic()
    report = desk.deliver(clock())
    assert time.monotonic() - started < 2
    assert (report.sent, report.failed) == (0, 1)
    [waiting] = desk.store.pending(clock.advance(hours=1), 10)
    assert waiting.notification.complaint_id == c.id
    assert "timed out" in waiting.last_error
    hanging.release.set()  # the endpoint answers after all
    for _ in range(100):
        if not desk.store.pending(clock(), 10):
            break
        time.sleep(0.05)
    assert desk.store.pending(clock(), 10) == []  # recorded as delivered: no second send
    assert desk.deliver(clock.advance(hours=1)).sent == 0
    assert hanging.calls == hanging.done == [waiting.notification.key]


class Mute:
    """A channel that never answers in time; counts the keys it was handed."""

    name = "mute"

    def __init__(self) -> None:
        self.keys: list[str] = []
        self.gate = threading.Event()

    def send(self, notification: Notification, recipient: StaffMember | None) -> None:
        self.keys.append(notification.key)
        self.gate.wait(5)
        raise TimeoutError("no answer")


def test_a_retry_after_a_timeout_carries_the_same_key() -> None:
    mute = Mute()
    clock = FixedClock(T0)
    desk = timed_desk(mute, 0.1, clock)
    desk.receive(next(intakes(1, T0)), now=clock())
    desk.deliver(clock())
    desk.deliver(clock.advance(hours=1))
    mute.gate.set()
    assert len(mute.keys) == 2
    assert len(set(mute.keys)) == 1


def test_one_pass_sends_the_whole_outbox_after_a_bulk_import() -> None:
    notes = RecordingNotifier()
    desk = make_desk(notifiers=[notes])
    stored = list(desk.receive_many(intakes(1_500, T0), now=T0))
    assert len(stored) == 1_500
    queued = len(desk.store.pending(T0, 100_000))
    assert queued >= 1_500
    report = desk.deliver(T0)
    assert report.sent == queued  # 0.1.0: 200 per pass
    assert desk.store.pending(T0, 100_000) == []


def test_a_worker_sends_in_the_background_while_intake_goes_on() -> None:
    notes = RecordingNotifier()
    desk = make_desk(notifiers=[notes])
    clock = FixedClock(T0)
    worker = desk.start_delivery(clock=clock, interval=60)
    try:
        ids = [c.id for c in desk.receive_many(intakes(50, T0), now=clock())]  # type: ignore[union-attr]
        assert worker.wait_idle(10)
        assert {n.complaint_id for n, _ in notes.sent} == set(ids)
        assert len(notes.keys) == len(set(notes.keys))
    finally:
        desk.close()


def test_a_send_still_waiting_for_its_reply_is_not_due_again_in_another_process(
    tmp_path: Path, http_server: HttpTestServer
) -> None:
    """The desk stops waiting after its send timeout, but the webhook waits up to
    ``reply_timeout`` for the reply: the message is not due again (in this process
    or another on the same file) before that window ends, so no second copy goes
    while the first may still arrive (s24B f02)."""
    from complaintcore.adapters.notify import WebhookNotifier
    from complaintcore.adapters.sqlite_store import SqliteStore

    http_server.respond(delay=2.0)
    base = make_desk()

    def process() -> Desk:
        return Desk(
            pack=base.pack,
            store=SqliteStore(tmp_path / "c.sqlite3"),
            directory=base.directory,
            calendar=base.calendar,
            notifiers=[WebhookNotifier(http_server.url("/hook"), proxies={}, reply_timeout=60)],
            send_timeout=0.3,
        )

    a, b = process(), process()
    try:
        a.receive(next(intakes(1, T0)), now=T0)
        assert a.deliver(T0).failed == 1  # the desk gave up waiting; the request is out
        # past the first retry delay (30 s), within the reply window (60 s)
        assert b.deliver(T0 + timedelta(seconds=45)).sent == 0
        http_server.wait_for(1)
        time.sleep(2.5)  # the late reply is in and settled
        keys = [r.header("Idempotency-Key") for r in http_server.requests]
        assert len(keys) == 1, "a second copy went out while the first was in flight"
        assert a.store.pending(T0 + timedelta(days=1), 10) == []
    finally:
        a.close()
        b.close()


class Slow:
    """A channel whose sends all take ``seconds`` and then arrive; it declares that no
    send of it runs longer than ``longest_send`` (as the built-in channels enforce)."""

    def __init__(self, seconds: float, longest_send: float, name: str = "slow") -> None:
        self.name = name
        self.seconds = seconds
        self.longest_send = longest_send
        self.keys: list[str] = []
        self._lock = threading.Lock()

    def send(self, notification: Notification, recipient: StaffMember | None) -> None:
        time.sleep(self.seconds)
        with self._lock:
            self.keys.append(notification.key)


def slow_channels(count: int) -> list[Slow]:
    """Channels whose sends take 1.2 s and never longer than 1.5 s.  A pass gives up on
    one send of each (review s45B F02), so a pass that gives up on many sends in turn
    needs many channels."""
    return [Slow(1.2, longest_send=1.5, name=f"slow{i}") for i in range(count)]


def arrived(channels: list[Slow]) -> list[tuple[str, str]]:
    return sorted((c.name, key) for c in channels for key in c.keys)


def slow_desk(channels: list[Slow]) -> Desk:
    """Sends waited for 0.2 s, on threads enough that no slow channel hangs them all;
    retries after 1 s, shorter than the channels' in-flight window."""
    base = make_desk()
    return Desk(
        pack=base.pack,
        store=base.store,
        directory=base.directory,
        calendar=base.calendar,
        notifiers=channels,
        send_timeout=0.2,
        send_threads=16,
        retry=RetryPolicy(first_delay_seconds=1, max_delay_seconds=60),
    )


def test_a_timed_out_send_is_not_sent_again_within_the_pass_that_gave_up_on_it() -> None:
    """s25H F01 (the delivery worker): every send takes 1.2 s and the desk waits 0.2 s,
    so a batch of ten is given up on over 2 s.  A send given up on is held back for
    0.2 s + 1.5 s (the desk's wait and the channel's ``longest_send``) from when the
    desk gave up on it: the ninth and tenth of the first batch, given up on after
    1.7 s, were due again at once when the hold counted from the batch's claim, and
    the next batch of the same pass sent them a second time while the first copies
    were still on their way.  (Twelve channels, one message each: since s45B F02
    a pass sends no more to a channel once one of its sends timed out, which
    keeps those two out of the second batch as well.)"""
    channels = slow_channels(12)
    desk = slow_desk(channels)
    started = time.monotonic()

    def clock() -> datetime:  # the worker's clock: it runs with the pass
        return T0 + timedelta(seconds=time.monotonic() - started)

    desk.receive(next(intakes(1, T0)), now=T0)
    queued = sorted((i.notifier, i.notification.key) for i in desk.store.pending(T0, 100))
    assert len(queued) == 12  # two batches
    report = desk.deliver(clock(), clock=clock)
    assert (report.sent, report.failed) == (0, len(queued))  # each given up on at 0.2 s
    time.sleep(1.5)  # the last sends arrive and are settled as delivered
    assert arrived(channels) == queued  # each arrived once
    assert desk.store.pending(clock() + timedelta(days=1), 100) == []


def test_a_cron_pass_holds_a_timed_out_send_back_from_when_it_gave_up_on_it() -> None:
    """s25H F01 (``complaintcore deliver``: one ``now`` for the whole pass): the
    pass counts its own length, so a send given up on 1.8 s into it is not due
    again for the 1.7 s hold after that, and the next cron run, a moment after this
    one, does not send a copy while the first is still on its way."""
    channels = slow_channels(10)
    desk = slow_desk(channels)
    desk.receive(next(intakes(1, T0)), now=T0)
    queued = sorted((i.notifier, i.notification.key) for i in desk.store.pending(T0, 100))
    assert len(queued) == 10  # one batch
    started = time.monotonic()
    assert desk.deliver(T0).failed == 10
    ended = T0 + timedelta(seconds=time.monotonic() - started)
    assert desk.deliver(ended).sent == 0  # the next run: nothing due yet
    time.sleep(1.5)
    assert arrived(channels) == queued


class Endless:
    """A channel whose sends never come back within a test; it declares a long
    ``longest_send`` (an hour) but no ``timeout`` or ``reply_timeout``."""

    name = "endless"
    longest_send = 3600

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.keys: list[str] = []

    def send(self, notification: Notification, recipient: StaffMember | None) -> None:
        self.keys.append(notification.key)
        self.gate.wait(10)


def test_a_timed_out_send_is_held_back_for_the_channels_longest_send() -> None:
    """s25H F04: a channel's ``timeout`` may bound one reply only (smtplib's does), so
    the desk takes a channel's ``longest_send`` for the window in which a send it
    stopped waiting for may still arrive: an hour here, not the retry delay (30 s)."""
    endless = Endless()
    desk = timed_desk(endless, 0.1, FixedClock(T0))
    desk.receive(next(intakes(1, T0)), now=T0)
    try:
        report = desk.deliver(T0, limit=1)
        assert report.failed == 1
        [held] = [i for i in desk.store.waiting(10) if i.attempts == 1]  # type: ignore[attr-defined]
        assert held.notification.key == endless.keys[0]
        # given up on at T0 + 0.1 s (and a little): held for 0.1 s + 3600 s from then
        assert T0 + timedelta(seconds=3600.2) <= held.next_attempt_at
        assert held.next_attempt_at < T0 + timedelta(seconds=3601.2)
    finally:
        endless.gate.set()


@pytest.mark.parametrize(
    ("attribute", "value"),
    [
        ("longest_send", float("inf")),
        ("longest_send", 1e12),
        ("longest_send", float("nan")),
        ("longest_send", "an hour"),
        ("timeout", float("inf")),
        ("reply_timeout", 86_401),
    ],
)
def test_a_send_bound_no_clock_can_hold_is_refused_when_the_desk_is_built(
    attribute: str, value: object
) -> None:
    """Review s36B F01: a hold of ``inf`` or 10**12 seconds after a timed-out send
    raised OverflowError out of every delivery pass, starving the other channels."""
    endless = Endless()
    setattr(endless, attribute, value)
    with pytest.raises(InvalidInputError) as info:
        timed_desk(endless, 0.1)
    assert info.value.path == f"notifiers[0].{attribute}"


def test_a_send_bound_raised_after_the_desk_was_built_holds_back_three_days_at_most() -> None:
    """A channel's bound that grows past what the desk checked does not make the hold
    unrepresentable: the send is a failure held back, and the pass goes on."""
    endless = Endless()
    desk = timed_desk(endless, 0.1, FixedClock(T0))
    endless.longest_send = float("inf")  # type: ignore[assignment]
    desk.receive(next(intakes(1, T0)), now=T0)
    try:
        report = desk.deliver(T0, limit=1)
        assert report.failed == 1
        [held] = [i for i in desk.store.waiting(10) if i.attempts == 1]  # type: ignore[attr-defined]
        assert held.next_attempt_at <= T0 + timedelta(days=3, seconds=1)
        assert held.next_attempt_at >= T0 + timedelta(days=3)
    finally:
        endless.gate.set()


class HangsFirst:
    """A channel whose first send hangs until released; later sends go through."""

    name = "hangs"

    def __init__(self) -> None:
        self.release = threading.Event()
        self.keys: list[str] = []
        self.settled = threading.Event()

    def send(self, notification: Notification, recipient: StaffMember | None) -> None:
        first = not self.keys
        self.keys.append(notification.key)
        if first:
            self.release.wait(30)


def test_messages_behind_a_hung_channel_go_once_one_of_its_sends_returns() -> None:
    """s25H F06 (docs/notifications.md): once a channel holds ``threads`` hung sends,
    its messages wait, with no attempt spent, "until one of its sends returns".
    They are handed back unsent, so they are due at once for another process, and
    a pass after the hung send returned sends them: no five-minute lease to wait out."""
    hangs = HangsFirst()
    desk = timed_desk(hangs, 0.2)
    desk._sender = type(desk._sender)(timeout=0.2, threads=1)
    list(desk.receive_many(intakes(5, T0), now=T0))
    queued = len(desk.store.pending(T0, 100))
    assert queued == 5
    clock = FixedClock(T0)
    report = desk.deliver(clock(), clock=clock)
    assert (report.sent, report.failed) == (0, 1)  # the first hung; the rest not tried
    left = desk.store.pending(clock(), 100)
    assert len(left) == queued - 1  # due at once, for whoever can send them
    assert {i.attempts for i in left} == {0}  # no attempt spent
    assert desk.deliver(clock.advance(seconds=1)).sent == 0  # still hung: not claimed
    assert len(desk.store.pending(clock(), 100)) == queued - 1
    hangs.release.set()  # the hung send returns (and is recorded as delivered)
    for _ in range(100):
        if desk._sender.stuck("hangs") == 0:
            break
        time.sleep(0.02)
    report = desk.deliver(clock.advance(seconds=1))  # seconds later, not minutes
    assert (report.sent, report.failed) == (queued - 1, 0)
    assert len(hangs.keys) == len(set(hangs.keys)) == queued


def test_the_worker_sends_what_a_hung_channel_held_back_when_its_send_returns() -> None:
    """The late return wakes the delivery worker: what the channel held back goes
    without waiting for the worker's interval (a minute here)."""
    hangs = HangsFirst()
    desk = timed_desk(hangs, 0.2)
    desk._sender = type(desk._sender)(timeout=0.2, threads=1)
    clock = FixedClock(T0)
    list(desk.receive_many(intakes(5, T0), now=T0))
    queued = len(desk.store.pending(T0, 100))
    worker = desk.start_delivery(clock=clock, interval=60)
    try:
        assert worker.wait_idle(10)
        assert len(hangs.keys) == 1
        hangs.release.set()
        for _ in range(200):
            if len(hangs.keys) == queued:
                break
            time.sleep(0.02)
        assert len(hangs.keys) == len(set(hangs.keys)) == queued
    finally:
        desk.close()


class HangsThen:
    """A channel whose sends hang until released, then get through or fail."""

    name = "hangs"
    longest_send = 3600

    def __init__(self, fails: bool) -> None:
        self.fails = fails
        self.gate = threading.Event()
        self.ended = threading.Event()
        self.keys: list[str] = []

    def send(self, notification: Notification, recipient: StaffMember | None) -> None:
        self.keys.append(notification.key)
        try:
            self.gate.wait(10)
            if self.fails:
                raise ConnectionError("the gateway closed the connection")
        finally:
            self.ended.set()


def _sqlite_timed_desk(tmp_path: Path, notifier: Notifier) -> Desk:
    """A desk on a SQLite file whose sends are waited for 0.1 s at most, its outbox
    claims kept on a clock standing at T0 (the test's ``now``)."""
    from complaintcore.adapters.sqlite_store import SqliteStore

    base = make_desk()
    return Desk(
        pack=base.pack,
        store=SqliteStore(tmp_path / "desk.sqlite3", clock=FixedClock(T0)),
        directory=base.directory,
        calendar=base.calendar,
        notifiers=[notifier],
        send_timeout=0.1,
    )


@pytest.mark.parametrize("fails", [False, True])
def test_a_timed_out_send_stays_claimed_until_it_has_surely_ended(
    tmp_path: Path, fails: bool
) -> None:
    """A send the desk stopped waiting for may still get through for the channel's
    longest send (an hour): meanwhile ``outbox retry`` would send a copy and
    ``outbox drop`` would not stop it, so both are refused naming when the claim
    lapses, as for a message being sent.  Once the send ends it settles: delivered,
    or (it failed) free to be retried by hand."""
    channel = HangsThen(fails)
    desk = _sqlite_timed_desk(tmp_path, channel)
    desk.receive(next(intakes(1, T0)), now=T0)
    try:
        assert desk.deliver(T0, limit=1).failed == 1
        [held] = [i for i in desk.store.waiting(10) if i.attempts == 1]  # type: ignore[attr-defined]
        for by_hand in (
            lambda: desk.retry_message(held.id, T0 + timedelta(minutes=5)),
            lambda: desk.drop_message(held.id, T0 + timedelta(minutes=5), "wrong number"),
        ):
            with pytest.raises(InvalidInputError) as refused:
                by_hand()
            assert refused.value.path == "item_id"
            # given up on at T0 (01:30 UTC) and a moment: held for the hour after
            assert "is being sent (claimed until 2025-11-10 02:30:00 UTC)" in refused.value.reason
    finally:
        channel.gate.set()
    assert channel.ended.wait(5)
    time.sleep(0.2)  # the settling runs on the sender's thread right after
    late = T0 + timedelta(minutes=6)
    if fails:
        desk.retry_message(held.id, late)  # free again: due at once, attempts afresh
        [again] = desk.store.waiting(10)  # type: ignore[attr-defined]
        assert (again.id, again.attempts, again.next_attempt_at) == (held.id, 0, late)
    else:
        with pytest.raises(InvalidInputError, match="delivered"):
            desk.retry_message(held.id, late)
    assert channel.keys[0] == held.notification.key
