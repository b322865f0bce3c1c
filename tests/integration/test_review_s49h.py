"""Review s49H: notification delivery under real failures (an operator's view).

F01: a webhook's redirect (a load balancer's 302/307 in maintenance) is a
failure retried with back-off, not a dead letter at once; a permanent one
(301/308: the URL moved) is hopeless until the url is fixed.  F02: a channel
whose *own* timeout ends a send (a connect, a reply, a greeting that never
comes) is skipped for the rest of the pass, as one the desk stopped waiting
for is: the other channels wait one timeout a pass, not one per message.  F03:
an SMTP server that never answers QUIT after it accepted the message costs at
most a second, not the whole per-reply ``timeout`` (which equalled the desk's
own limit and turned every delivered e-mail into a timed-out failure).  F04:
``deliver`` stopped by SIGTERM or Ctrl-C waits (bounded) for the send in flight
and records it, instead of leaving it claimed for five minutes and sending it
again.  F05: a send that gets through after a bounded ``desk.close`` is one
warning line naming the message, not an ERROR with a traceback.

Real local servers throughout (aiosmtpd, ``http.server``, raw sockets that
accept and never answer); the interruption is a real signal.
"""

from __future__ import annotations

import logging
import signal
import sqlite3
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from complaintcore import Desk, Notification, StaffMember
from complaintcore.adapters.notify import NotificationError, SmtpNotifier, WebhookNotifier
from complaintcore.testing import FixedClock
from tests.integration.servers import HttpTestServer, SmtpTestServer
from tests.integration.test_close_timeout import Hangs
from tests.integration.test_delivery_off_intake import T0, intakes
from tests.integration.test_delivery_review_s39b import desk_of
from tests.integration.test_delivery_review_s45b import SilentServer
from tests.integration.test_interrupted_deliver import _deliver_process, _desk
from tests.integration.test_notifiers import LI, NOTE

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


# --------------------------------------------------------------- F01 redirects


@pytest.mark.parametrize(
    ("status", "retryable"),
    # RFC 9110: 302 Found and 307 Temporary Redirect (15.4.3, 15.4.8) may pass by
    # themselves; 303 See Other (15.4.4) answers a POST the endpoint processed (a
    # retry would have it processed again), and 300 answers no POST (review s49S F03)
    [(302, True), (307, True), (301, False), (308, False), (303, False), (300, False)],
)
def test_a_redirect_is_a_failure_retried_unless_it_is_permanent(
    http_server: HttpTestServer, status: int, retryable: bool
) -> None:
    http_server.respond(status, {"moved": "elsewhere"})
    channel = WebhookNotifier(http_server.url(), proxies={})
    with pytest.raises(NotificationError) as caught:
        channel.send(NOTE, None)
    assert caught.value.status == status
    assert caught.value.retryable is retryable
    assert f"HTTP {status}" in str(caught.value)
    assert "redirect" in str(caught.value)  # says why, and that it is not followed
    assert len(http_server.requests) == 1  # one POST, no GET to the new place


def test_a_webhook_in_maintenance_302_is_retried_and_sent_once_it_answers(
    http_server: HttpTestServer,
) -> None:
    """Before: ``given_up 1`` at once, and never tried again by itself."""
    http_server.respond(302, {})
    desk = desk_of([WebhookNotifier(http_server.url(), proxies={})])
    desk.receive(next(intakes(1, T0)), now=T0)
    queued = len(desk.store.pending(T0, 100))
    first = desk.deliver(T0)
    assert (first.sent, first.failed, first.newly_given_up, first.given_up) == (0, queued, 0, 0)
    http_server.recover()
    # RetryPolicy of desk_of: first delay 1 s
    again = desk.deliver(T0.replace(second=T0.second + 2))
    assert (again.sent, again.failed) == (queued, 0)
    assert len(http_server.delivered) == queued


# --------------------------------------------------------------- F02 own timeouts


def _race(
    tmp_path: Path, down: Any, working: HttpTestServer, *, send_timeout: float
) -> tuple[float, Desk, list[str], list[str], FixedClock]:
    """Queue 5 complaints' messages for the hung channel ``down`` and a working webhook;
    deliver once; the seconds until the last working message arrived."""
    hook = WebhookNotifier(working.url(), proxies={}, name="webhook")
    clock = FixedClock(T0)
    desk = desk_of(
        [down, hook],
        store_path=tmp_path / "desk.db",
        send_timeout=send_timeout,
        threads=4,
        store_clock=clock,
    )
    list(desk.receive_many(intakes(5, T0), now=T0))
    queued = desk.store.pending(T0, 1000)
    working_keys = sorted(i.notification.key for i in queued if i.notifier == "webhook")
    down_keys = sorted(i.notification.key for i in queued if i.notifier == down.name)
    assert len(working_keys) == len(down_keys) >= 5
    start = time.monotonic()
    report = desk.deliver(T0)
    arrived = working.wait_for(len(working_keys))
    took = max(r.at for r in arrived) - start
    assert sorted(str(r.header("Idempotency-Key")) for r in arrived) == working_keys
    # the one send of the hung channel failed; the others were sent (a recipient of
    # it without an address counts as sent: the directory's choice)
    assert report.failed == 1
    assert report.sent >= len(working_keys)
    return took, desk, working_keys, down_keys, clock


def _one_attempt_spent(desk: Desk, down: str, down_keys: list[str], clock: FixedClock) -> None:
    """The hung channel's messages stay due, with no attempt spent but the one tried."""
    due = [i for i in desk.store.pending(T0, 1000) if i.notifier == down]
    assert len(due) == len(down_keys) - 1
    assert {i.attempts for i in due} == {0}
    later = desk.store.pending(clock.advance(hours=1), 1000)
    spent = sorted(i.attempts for i in later if i.notifier == down)
    assert spent == [0] * (len(down_keys) - 1) + [1]


def test_smtp_whose_own_timeout_fires_holds_the_others_back_one_timeout_a_pass(
    tmp_path: Path,
) -> None:
    """The e-mail channel's reply ``timeout`` (0.5 s) is below the desk's (3 s): before,
    every e-mail was tried in turn, 0.5 s each, the webhooks behind them waiting."""
    silent = SilentServer()
    mail = SmtpNotifier("127.0.0.1", silent.port, sender="desk@example.com", timeout=0.5)
    try:
        with HttpTestServer() as working:
            took, desk, _, down_keys, clock = _race(tmp_path, mail, working, send_timeout=3)
            try:
                assert took < 0.5 + 0.6  # one channel timeout, not one per e-mail (>= 2.5 s)
                assert len(silent.connections) == 1  # one e-mail was handed to the channel
                _one_attempt_spent(desk, "email", down_keys, clock)
            finally:
                desk.close()
            assert len(working.requests) == len(down_keys)  # none sent twice
    finally:
        silent.close()


def test_a_webhook_whose_reply_timeout_fires_holds_the_others_back_one_timeout(
    tmp_path: Path,
) -> None:
    silent = SilentServer()
    down = WebhookNotifier(
        f"http://127.0.0.1:{silent.port}/hook",
        proxies={},
        name="hook-down",
        timeout=2,
        reply_timeout=0.5,
    )
    try:
        with HttpTestServer() as working:
            took, desk, _, down_keys, clock = _race(tmp_path, down, working, send_timeout=3)
            try:
                assert took < 0.5 + 0.6
                assert len(silent.connections) == 1
                _one_attempt_spent(desk, "hook-down", down_keys, clock)
            finally:
                desk.close()
    finally:
        silent.close()


def test_a_channel_timeout_error_is_told_apart_from_other_failures(
    http_server: HttpTestServer,
) -> None:
    """A refused connection is a failure like any other (the pass goes on with the
    channel: it costs nothing); the built-in channels flag their own timeouts."""
    silent = SilentServer()
    try:
        slow = WebhookNotifier(f"http://127.0.0.1:{silent.port}/", proxies={}, reply_timeout=0.2)
        with pytest.raises(NotificationError) as caught:
            slow.send(NOTE, None)
        assert caught.value.timed_out is True
        mail = SmtpNotifier("127.0.0.1", silent.port, sender="desk@example.com", timeout=0.2)
        with pytest.raises(NotificationError) as caught:
            mail.send(NOTE, LI)
        assert caught.value.timed_out is True
    finally:
        silent.close()
    http_server.stop()
    refused = WebhookNotifier(http_server.url(), proxies={})
    with pytest.raises(NotificationError) as caught:
        refused.send(NOTE, None)
    assert caught.value.timed_out is False


# --------------------------------------------------------------- F03 QUIT unanswered


def test_an_smtp_server_that_never_answers_quit_costs_at_most_a_second(
    smtp_server: SmtpTestServer,
) -> None:
    """Defaults (``timeout`` 10 s): before, each send waited the full 10 s for the QUIT
    reply, as long as the desk's default ``timeout_seconds``."""
    smtp_server.hang_quit()
    channel = SmtpNotifier(smtp_server.host, smtp_server.port, sender="desk@example.com")
    began = time.monotonic()
    channel.send(NOTE, LI)
    took = time.monotonic() - began
    assert len(smtp_server.wait_for(1)) == 1
    assert took < 1.0 + 0.5


def test_a_desk_with_default_timeouts_counts_every_accepted_email_sent(
    smtp_server: SmtpTestServer,
) -> None:
    """Before: the first e-mail 'timed out' (10.07 s > 10 s), the pass sent e-mail
    nothing more, and the run said ``failed 1``."""
    smtp_server.hang_quit()
    channel = SmtpNotifier(smtp_server.host, smtp_server.port, sender="desk@example.com")
    desk = desk_of([channel], send_timeout=10)  # the desk's default timeout_seconds
    try:
        list(desk.receive_many(intakes(2, T0), now=T0))
        queued = len(desk.store.pending(T0, 100))
        assert queued >= 2
        began = time.monotonic()
        report = desk.deliver(T0)
        took = time.monotonic() - began
        assert (report.sent, report.failed) == (queued, 0)
        assert len(smtp_server.wait_for(queued)) == queued
        assert took < queued * 1.5
    finally:
        desk.close()


# --------------------------------------------------------------- F04 interrupted


class Slow:
    """Gets through (or fails) after ``seconds``; inside every timeout."""

    name = "slow"
    longest_send = 5

    def __init__(self, seconds: float, fail: bool = False) -> None:
        self.seconds = seconds
        self.fail = fail
        self.begun = threading.Event()
        self.arrived: list[str] = []

    def send(self, notification: Notification, recipient: StaffMember | None) -> None:
        self.begun.set()
        time.sleep(self.seconds)
        if self.fail:
            raise NotificationError(self.name, notification.key, "far side said no")
        self.arrived.append(notification.key)


def _interrupt_when(begun: threading.Event, after: float) -> None:
    """A real SIGINT (Ctrl-C) to the main thread: it wakes the main thread's wait.

    Sent to the process, the kernel may hand it to a sending thread (this test's, or
    one an earlier test left sending): the main thread's wait is then not woken and
    the interrupt lands after ``deliver`` returned (review s53R5 F01)."""
    main = threading.main_thread().ident
    assert main is not None

    def go() -> None:
        begun.wait(10)
        time.sleep(after)
        signal.pthread_kill(main, signal.SIGINT)

    threading.Thread(target=go, daemon=True).start()


@pytest.mark.parametrize("fail", [False, True], ids=["gets-through", "fails"])
def test_a_deliver_interrupted_mid_send_records_that_send_on_close(
    tmp_path: Path, fail: bool
) -> None:
    channel = Slow(1.0, fail=fail)
    path = tmp_path / "desk.sqlite3"
    clock = FixedClock(T0)
    desk = desk_of([channel], store_path=path, send_timeout=3, store_clock=clock)
    desk.receive(next(intakes(1, T0)), now=T0)
    queued = len(desk.store.pending(T0, 100))
    _interrupt_when(channel.begun, 0.2)
    with pytest.raises(KeyboardInterrupt):
        desk.deliver(T0)
    began = time.monotonic()
    desk.close()  # waits for the send in flight, records it, then closes the store
    took = time.monotonic() - began
    assert 0.5 < took < 3.0
    again = desk_of([channel], store_path=path, store_clock=clock)
    try:
        # the others were handed back, due at once with no attempt spent
        due_now = again.store.pending(T0, 100)
        assert len(due_now) == queued - 1
        assert {i.attempts for i in due_now} <= {0}
        if not fail:
            assert len(channel.arrived) == 1
            # delivered: not due again, now or once a claim would have lapsed
            later = again.store.pending(clock.advance(minutes=10), 100)
            assert channel.arrived[0] not in {i.notification.key for i in later}
            assert len(later) == queued - 1
        else:
            # a failed attempt, recorded: due after the retry delay (1 s), not the
            # 5-minute claim
            tried = [i for i in again.store.pending(T0.replace(second=2), 100) if i.attempts]
            assert len(tried) == 1
            assert "far side said no" in tried[0].last_error
    finally:
        again.close()


def _cli_desk(tmp_path: Path, hook: HttpTestServer) -> Path:
    """A SQLite desk, one webhook (``timeout`` 5 s), the desk's default timeout (10 s),
    one complaint's messages queued."""
    return _desk(tmp_path, hook, complaints=1, timeout_seconds=10, threads=2)


def _started(desk: Path, hook: HttpTestServer, args: list[str]) -> subprocess.Popen[str]:
    """``complaintcore ARGS`` run on ``desk``, once its first POST reached ``hook``."""
    process = _deliver_process(desk, args)
    deadline = time.monotonic() + 30
    while not hook.arrived and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.02)
    return process


def _rows(desk: Path) -> list[tuple[str, bool, bool, int]]:
    """Each outbox row: key, delivered, still claimed, attempts."""
    with sqlite3.connect(desk / "complaints.sqlite3") as conn:
        rows = conn.execute(
            "SELECT dedupe_key, delivered_at IS NOT NULL, claimed_until IS NOT NULL, attempts"
            " FROM outbox WHERE dropped_at IS NULL"
        ).fetchall()
    return [(k, bool(d), bool(c), int(a)) for k, d, c, a in rows]


@pytest.mark.parametrize(
    ("args", "sig", "status"),
    [
        (["deliver"], signal.SIGTERM, 143),
        (["deliver", "--loop", "--interval", "1"], signal.SIGTERM, 143),
        (["deliver"], signal.SIGINT, 1),
    ],
    ids=["once-SIGTERM", "loop-SIGTERM", "once-SIGINT"],
)
def test_a_stopped_deliver_waits_for_the_send_in_flight_and_records_it(
    tmp_path: Path, args: list[str], sig: signal.Signals, status: int
) -> None:
    """The repro of the review: the endpoint answers 200 after 2 s; the signal comes
    0.5 s after the POST arrived.  Before: exit after 0.2 s, the message claimed for
    5 minutes and then sent a second time."""
    with HttpTestServer() as hook:
        hook.respond(delay=2.0)
        desk = _cli_desk(tmp_path, hook)
        process = _started(desk, hook, args)
        try:
            time.sleep(0.5)
        finally:
            signalled = time.monotonic()
            process.send_signal(sig)
            out, err = process.communicate(timeout=30)
        took = time.monotonic() - signalled
        sent = {h.get("idempotency-key") for h in hook.arrived}
    assert process.returncode == status, err
    assert err.strip().splitlines()[-1:] == ["aborted"]
    assert out == ""
    assert "Traceback" not in err
    assert 1.0 < took < 6.0  # waited for the answer (1.5 s more), not the 5-minute claim
    rows = {k: (d, c, a) for k, d, c, a in _rows(desk)}
    assert len(sent) == 1
    (key,) = sent
    delivered, claimed, _ = rows[key]
    assert delivered  # recorded: never sent again
    assert not claimed
    # the rest were handed back unsent and due at once, not claimed
    assert not any(c for d, c, _ in rows.values() if not d)


# --------------------------------------------------------------- F05 after close


def test_a_send_through_after_a_bounded_close_is_one_warning_naming_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    channel = Hangs()  # gets through after 3 s; the desk waits 0.3 s for it
    desk = desk_of([channel], store_path=tmp_path / "desk.sqlite3")
    desk.receive(next(intakes(1, T0)), now=T0)
    assert desk.deliver(T0, limit=1).failed == 1  # given up on after 0.3 s; still sending
    with caplog.at_level(logging.DEBUG, logger="complaintcore"):
        desk.close(timeout=0.1)
        deadline = time.monotonic() + 6
        while not channel.arrived and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)  # the late settlement runs after the send returned
    assert len(channel.arrived) == 1
    late = [r for r in caplog.records if "after the desk closed" in r.getMessage()]
    assert len(late) == 1
    (line,) = late
    assert line.levelno == logging.WARNING
    assert line.exc_info is None
    assert channel.arrived[0] in line.getMessage()
    assert "hangs" in line.getMessage()
    assert "sent again" in line.getMessage()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "Traceback" not in caplog.text


def test_a_second_sigterm_stops_the_wait_for_the_send_in_flight(tmp_path: Path) -> None:
    """The wait is bounded, and an operator who will not wait can cut it short: the
    message in flight then keeps its claim (documented in cli.md)."""
    with HttpTestServer() as hook:
        hook.respond(delay=8.0)
        desk = _cli_desk(tmp_path, hook)
        process = _started(desk, hook, ["deliver"])
        try:
            time.sleep(0.3)
            process.send_signal(signal.SIGTERM)
            time.sleep(0.7)
        finally:
            signalled = time.monotonic()
            process.send_signal(signal.SIGTERM)
            out, err = process.communicate(timeout=30)
        took = time.monotonic() - signalled
    assert process.returncode == 143, err
    assert err.strip().splitlines()[-1:] == ["aborted"]
    assert out == ""
    assert took < 3.0  # not the 7 s the answer still takes
