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
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from complaintcore import (
    Complainant,
    ComplaintCoreError,
    Desk,
    DeskConfig,
    Intake,
    Notification,
    Notifier,
    StaffMember,
)
from complaintcore.adapters.staff import write_sample_staff
from complaintcore.testing import FixedClock, RecordingNotifier, make_desk
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


def timed_desk(notifier: Notifier, send_timeout: float) -> Desk:
    """A memory desk whose sends are waited for ``send_timeout`` seconds at most."""
    base = make_desk()
    return Desk(
        pack=base.pack,
        store=base.store,
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
    desk = timed_desk(hanging, 0.2)
    clock = FixedClock(T0)
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
    desk = timed_desk(mute, 0.1)
    clock = FixedClock(T0)
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
