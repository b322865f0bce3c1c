"""Delivery in a long-running service (review s39B F01-F08).

A channel's ``SystemExit``, channels that hang, a ``421`` to QUIT, ``close()``
with a send under way, ``fork``, hopeless failures, a webhook reply cut off, and
hook answers of the wrong shape: each against real components (SQLite files,
local servers, a forked subprocess).
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from complaintcore import (
    Desk,
    DeskConfig,
    HookError,
    InvalidInputError,
    Notification,
    Notifier,
    StaffMember,
    hookimpl,
    make_plugin_manager,
)
from complaintcore.adapters.notify import NotificationError, SmtpNotifier, WebhookNotifier
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.adapters.staff import write_sample_staff
from complaintcore.desk.config import RetryPolicy
from complaintcore.desk.delivery import Task
from complaintcore.desk.ports import ComplaintStore
from complaintcore.testing import FixedClock, RecordingNotifier, make_desk
from tests.integration.servers import HttpTestServer
from tests.integration.test_delivery_off_intake import T0, intakes

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def desk_of(
    notifiers: Sequence[Notifier],
    *,
    store_path: Path | None = None,
    send_timeout: float = 0.3,
    threads: int = 4,
    max_attempts: int = 20,
    store_clock: Callable[[], datetime] | None = None,
    store: ComplaintStore | None = None,
) -> Desk:
    """A desk (on a SQLite file when given one, or on ``store``) whose sends are waited
    for ``send_timeout``; ``store_clock``: the clock the file's outbox claims are kept on."""
    base = make_desk()
    if store is None:
        store = SqliteStore(store_path, clock=store_clock) if store_path else base.store
    return Desk(
        pack=base.pack,
        store=store,
        directory=base.directory,
        calendar=base.calendar,
        notifiers=notifiers,
        send_timeout=send_timeout,
        send_threads=threads,
        retry=RetryPolicy(first_delay_seconds=1, max_delay_seconds=1, max_attempts=max_attempts),
    )


@pytest.fixture
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


# --------------------------------------------------------------- F01 SystemExit


class ExitsFirst:
    """A vendor SDK that calls ``sys.exit()`` on its first send (a bad token, say)."""

    name = "sdk"

    def __init__(self) -> None:
        self.keys: list[str] = []

    def send(self, notification: Notification, recipient: StaffMember | None) -> None:
        self.keys.append(notification.key)
        if len(self.keys) == 1:
            sys.exit(3)


def test_a_channels_system_exit_is_a_failed_attempt_and_the_worker_goes_on() -> None:
    channel = ExitsFirst()
    desk = desk_of([channel])
    clock = FixedClock(T0)
    list(desk.receive_many(intakes(2, T0), now=T0))
    worker = desk.start_delivery(clock=clock, interval=60)
    try:
        assert worker.wait_idle(10)
        assert worker.alive  # before: the thread ended, silently
        [failed] = desk.store.pending(clock.advance(minutes=5), 10)
        assert failed.attempts == 1
        assert failed.last_error.startswith("NotificationError: sdk: notification")
        assert "send raised SystemExit" in failed.last_error
        assert worker.wait_idle(10)
        assert desk.store.pending(clock(), 10) == []  # the retry went through
    finally:
        desk.close()


def test_a_channel_that_always_exits_becomes_a_dead_letter() -> None:
    class AlwaysExits:
        name = "sdk"

        def send(self, notification: Notification, recipient: StaffMember | None) -> None:
            raise SystemExit(3)

    desk = desk_of([AlwaysExits()], max_attempts=2)
    desk.receive(next(intakes(1, T0)), now=T0)
    for minutes in (0, 6, 12):
        desk.deliver(T0 + timedelta(minutes=minutes))  # before: SystemExit escaped
    [dead] = desk.dead_letters()
    assert dead.attempts == 2


def test_start_delivery_replaces_a_worker_that_died(caplog: pytest.LogCaptureFixture) -> None:
    notes = RecordingNotifier()
    desk = desk_of([notes])
    exits = [True]

    def clock() -> object:
        if exits.pop() if exits else False:
            raise SystemExit(4)  # failure injection: what the worker cannot survive
        return T0

    with caplog.at_level(logging.CRITICAL, "complaintcore.delivery"):
        first = desk.start_delivery(clock=clock, interval=60)  # type: ignore[arg-type]
        first._thread.join(5)  # type: ignore[union-attr]
    assert not first.alive
    assert "the delivery worker stopped" in caplog.text
    second = desk.start_delivery(clock=lambda: T0, interval=60)
    try:
        desk.receive(next(intakes(1, T0)), now=T0)
        assert second.wait_idle(10)
        assert len(notes.sent) >= 1
    finally:
        desk.close()


# --------------------------------------------------------------- F02 hung pool


class HangsAll:
    """A channel whose every send hangs until released."""

    def __init__(self, name: str, gate: threading.Event) -> None:
        self.name = name
        self.gate = gate

    def send(self, notification: Notification, recipient: StaffMember | None) -> None:
        self.gate.wait(30)


def test_hung_channels_never_starve_a_healthy_one() -> None:
    """Four channels hung on their one thread each used the whole pool (4 x threads):
    the healthy channel's sends timed out "busy", spent attempts and became dead
    letters.  Hung sends now keep their threads and the healthy one gets its own."""
    gate = threading.Event()
    healthy = RecordingNotifier()
    healthy.name = "healthy"
    hung = [HangsAll(name, gate) for name in "abcd"]
    desk = desk_of([*hung, healthy], threads=1, max_attempts=3)
    try:
        desk.receive(next(intakes(1, T0)), now=T0)
        for minutes in (0, 6, 12, 18):
            desk.deliver(T0 + timedelta(minutes=minutes))
        assert len(healthy.sent) == 1
        assert [i for i in desk.dead_letters() if i.notifier == "healthy"] == []
    finally:
        gate.set()


def test_a_send_that_never_got_a_thread_spends_no_attempt(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    notes = RecordingNotifier()
    desk = desk_of([notes])
    list(desk.receive_many(intakes(3, T0), now=T0))
    queued = len(desk.store.pending(T0, 100))

    def busy(task: Task) -> Task:
        # failure injection: every thread busy, the send never begun (its deadline
        # passed while it waited for a thread); review s52R3 F03 made a pass
        # submit its sends rather than call ``send``
        return Task(lambda: None, lambda error: None)

    monkeypatch.setattr(desk._sender, "submit", busy)
    report = desk.deliver(T0)
    assert (report.sent, report.failed) == (0, 0)
    left = desk.store.pending(T0, 100)  # handed back: due at once
    assert len(left) == queued
    assert {i.attempts for i in left} == {0}
    monkeypatch.undo()
    assert desk.deliver(T0).sent == queued


# --------------------------------------------------------------- F03 QUIT 421


class RawSmtp:
    """A raw SMTP server that takes every message (250 after DATA) and answers QUIT
    with ``421`` before closing."""

    def __init__(self) -> None:
        self.accepted = 0
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn: socket.socket) -> None:
        with conn, conn.makefile("rb") as lines:

            def say(text: str) -> None:
                conn.sendall(text.encode() + b"\r\n")

            say("220 raw ESMTP")
            in_data = False
            for raw in lines:
                line = raw.decode(errors="replace").strip()
                if in_data:
                    if line == ".":
                        in_data = False
                        self.accepted += 1
                        say("250 2.0.0 queued")
                    continue
                verb = line.upper()
                if verb.startswith("EHLO"):
                    say("250 raw")
                elif verb == "DATA":
                    in_data = True
                    say("354 go ahead")
                elif verb == "QUIT":
                    say("421 closing")
                    return
                else:
                    say("250 ok")


def test_smtp_a_421_to_quit_after_the_message_was_accepted_is_no_failure() -> None:
    server = RawSmtp()
    try:
        channel = SmtpNotifier("127.0.0.1", server.port, sender="desk@example.com", timeout=5)
        desk = desk_of([channel], send_timeout=10)
        desk.receive(next(intakes(1, T0)), now=T0)
        report = desk.deliver(T0)
        assert (report.sent, report.failed) == (report.sent, 0)
        assert report.sent >= 1
        for hours in (1, 2, 3):
            desk.deliver(T0 + timedelta(hours=hours))
        assert server.accepted == report.sent  # before: one more copy every retry
    finally:
        server.sock.close()


# --------------------------------------------------------------- F04 close


class Slow:
    """Gets through after 1.5 s; the desk waits 0.3 s."""

    name = "slow"
    longest_send = 2

    def __init__(self) -> None:
        self.arrived: list[str] = []

    def send(self, notification: Notification, recipient: StaffMember | None) -> None:
        time.sleep(1.5)
        self.arrived.append(notification.key)


def test_close_records_a_send_it_had_stopped_waiting_for(tmp_path: Path) -> None:
    channel = Slow()
    path = tmp_path / "desk.sqlite3"
    desk = desk_of([channel], store_path=path)
    desk.receive(next(intakes(1, T0)), now=T0)
    assert desk.deliver(T0, limit=1).failed == 1
    desk.close()  # waits for the send it gave up on, then closes the store
    assert len(channel.arrived) == 1
    again = desk_of([channel], store_path=path)
    try:
        later = T0 + timedelta(hours=1)
        assert [i.notification.key for i in again.store.pending(later, 10)].count(
            channel.arrived[0]
        ) == 0  # before: still failed, sent again after the restart
        again.deliver(later)
        assert channel.arrived.count(channel.arrived[0]) == 1
    finally:
        again.close()


# --------------------------------------------------------------- F05 fork

FORKED = textwrap.dedent(
    """
    import os, sys, threading
    from complaintcore.desk.config import RetryPolicy
    from complaintcore.testing import RecordingNotifier, make_desk
    from complaintcore import Desk
    from tests.integration.test_delivery_off_intake import T0, intakes

    notes = RecordingNotifier()
    base = make_desk()
    desk = Desk(pack=base.pack, store=base.store, directory=base.directory,
                calendar=base.calendar, notifiers=[notes], send_timeout=0.5, send_threads=1,
                retry=RetryPolicy(max_attempts=3))
    list(desk.receive_many(intakes(2, T0), now=T0))
    first = desk.deliver(T0, limit=1)
    assert first.sent == 1, first
    mode = sys.argv[1]
    if mode == "worker":
        desk.start_delivery(clock=lambda: T0, interval=60).wait_idle(5)
        list(desk.receive_many(intakes(3, T0), now=T0))
    pid = os.fork()
    if pid == 0:
        try:
            if mode == "deliver":
                report = desk.deliver(T0)
                ok = report.sent >= 1 and report.failed == 0
            else:
                worker = desk.start_delivery(clock=lambda: T0, interval=60)
                ok = worker.wait_idle(5) and not desk.store.pending(T0, 100)
            print("child", "ok" if ok else "failed", flush=True)
        except BaseException as exc:
            print("child", type(exc).__name__, exc, flush=True)
        os._exit(0)
    os.waitpid(pid, 0)
    """
)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX fork")
@pytest.mark.parametrize("mode", ["deliver", "worker"])
def test_a_forked_child_delivers_with_its_own_threads(mode: str) -> None:
    """A desk used before ``fork`` (gunicorn ``--preload``): the child inherited the
    parent's thread counts with none of the threads (every send "busy"), and a
    worker that is a dead thread there (``start_delivery`` refused)."""
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root / "src"), str(root)])}
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", FORKED, mode],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=root,
    )
    assert "child ok" in done.stdout, done.stdout + done.stderr


# --------------------------------------------------------------- F06 retryable


@pytest.mark.usefixtures("no_proxy")
def test_a_hopeless_failure_is_a_dead_letter_at_once(
    tmp_path: Path, http_server: HttpTestServer
) -> None:
    http_server.respond(404)
    desk = Desk.from_config(
        DeskConfig(
            database=str(tmp_path / "c.sqlite3"),
            staff_file=str(write_sample_staff(tmp_path / "staff.toml")),
            notifiers={"log": False, "webhooks": [{"url": http_server.url("/hook")}]},
            retry=RetryPolicy(first_delay_seconds=1, max_delay_seconds=1, max_attempts=5),
        )
    )
    with desk:
        desk.receive(next(intakes(1, T0)), now=T0)
        first = desk.deliver(T0)
        for minutes in (1, 2, 3):
            desk.deliver(T0 + timedelta(minutes=minutes))
        # a dead letter at once: given up, not kept for a retry (review s48L F03)
        assert first.failed == 0
        assert len(http_server.requests) == first.newly_given_up  # before: one POST per attempt
        dead = desk.dead_letters()
        assert len(dead) == first.newly_given_up
        assert all("HTTP 404" in i.last_error for i in dead)
        http_server.respond(200)  # the endpoint is fixed: a person retries
        for item in dead:
            desk.retry_message(item.id, T0 + timedelta(minutes=4))
        assert desk.deliver(T0 + timedelta(minutes=4)).sent == len(dead)


# --------------------------------------------------------------- F07 cut off


@pytest.mark.parametrize("trickle", ["headers", "body"])
def test_a_webhook_reply_cut_off_at_longest_send_is_a_retryable_failure(trickle: str) -> None:
    server = socket.create_server(("127.0.0.1", 0))

    def answer() -> None:
        conn, _ = server.accept()
        with conn:
            conn.recv(65536)
            if trickle == "headers":
                conn.sendall(b"HTTP/1.1 200 OK\r\n")
            else:
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n{")
            try:
                for _ in range(20):
                    time.sleep(0.3)
                    conn.sendall(b"X-Wait: 1\r\n" if trickle == "headers" else b" ")
            except OSError:
                pass

    threading.Thread(target=answer, daemon=True).start()
    port = server.getsockname()[1]
    channel = WebhookNotifier(
        f"http://127.0.0.1:{port}/hook", proxies={}, timeout=0.5, reply_timeout=1
    )
    note = Notification(
        key="C-1:assigned:x",
        complaint_id="C-1",
        topic="assigned",
        recipient="SR-201",
        subject="s",
        body="b",
        created_at=T0,
    )
    try:
        with pytest.raises(NotificationError) as failed:
            channel.send(note, None)  # before: returned, and the desk marked it delivered
        assert failed.value.retryable
        assert "no complete answer" in failed.value.reason
    finally:
        server.close()


# --------------------------------------------------------------- F08 hook shapes


class NotCallable:
    name = "pager"
    send = "pager-gateway"


class WrongArgs:
    name = "sms"

    def send(self, notification: Notification) -> None:  # forgot the recipient
        pass


@pytest.mark.parametrize(
    ("channel", "why"),
    [(NotCallable(), "send is a str"), (WrongArgs(), "send(notification)")],
)
def test_a_notifier_of_the_wrong_shape_is_refused_when_the_desk_is_built(
    tmp_path: Path, channel: object, why: str
) -> None:
    with pytest.raises(InvalidInputError) as direct:
        desk_of([channel])  # type: ignore[list-item]
    assert direct.value.path == "notifiers[0].send"
    assert why in direct.value.reason

    class Plugin:
        @hookimpl
        def complaintcore_get_notifiers(self, config: object) -> list[object]:
            return [channel]

    with pytest.raises(InvalidInputError) as hooked:
        Desk.from_config(
            DeskConfig(
                database=str(tmp_path / "c.sqlite3"),
                staff_file=str(write_sample_staff(tmp_path / "staff.toml")),
                notifiers={"log": False},
            ),
            plugin_manager=make_plugin_manager([Plugin()], load_entry_points=False),
        )
    assert hooked.value.path == "complaintcore_get_notifiers"
    assert why in hooked.value.reason


def test_a_calendar_hook_that_raises_is_a_hook_error_naming_it(tmp_path: Path) -> None:
    class Down:
        @hookimpl
        def complaintcore_get_calendar(self, name: str, spec: object, config: object) -> None:
            raise ConnectionError("calendar service down for 王小明")

    desk = Desk.from_config(
        DeskConfig(
            database=str(tmp_path / "c.sqlite3"),
            staff_file=str(write_sample_staff(tmp_path / "staff.toml")),
            notifiers={"log": False},
        ),
        plugin_manager=make_plugin_manager([Down()], load_entry_points=False),
    )
    with desk, pytest.raises(HookError) as failed:
        desk.receive(next(intakes(1, T0)), now=T0)
    assert failed.value.path == "complaintcore_get_calendar"
    assert "ConnectionError" in str(failed.value)
    assert "王小明" not in str(failed.value)
    assert isinstance(failed.value.__cause__, ConnectionError)
