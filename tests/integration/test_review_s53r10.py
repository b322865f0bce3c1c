"""Review s53R10: re-review of the s53R2 delivery-close fix.

F01: a send that failed after ``close(timeout=…)`` closed the store (or after the
close, its failed attempt refused by another writer's lock) was logged as a dead
letter ("given up … no longer tried") or as "failed; retry in …", right after the
line saying it is sent again, though nothing was written: the row still shows no
attempt.  Now one WARNING names the message as not recorded and sent again.

F02: ``close(timeout=1e10)`` (a finite number of seconds, which ``close`` accepts)
raised ``OverflowError`` from the kept outcomes' flush and left the store open.

F03: a worker whose pass was writing a kept outcome when ``close(timeout=…)`` gave
up on it ended with ``ERROR delivering notifications failed`` and a traceback, on
top of the WARNING that named the message.

F04: nested ``SqliteStore.waits_at_most`` blocks: when the inner block ended, the
outer block's bound was gone (writes waited the store's whole timeout again).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest

from complaintcore.adapters.notify._common import NotificationError
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.core.errors import StoreError
from complaintcore.desk.ports import Notification, StaffMember
from complaintcore.desk.service import Desk
from tests.integration.test_delivery_off_intake import T0, intakes
from tests.integration.test_delivery_review_s39b import desk_of
from tests.integration.test_review_s49h import _interrupt_when
from tests.integration.test_review_s53r2 import Writer, held, refused_once

__all__ = ["held"]  # the fixture: another writer's lock, freed after the test

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

SENT_AGAIN = "its outcome is not recorded, as the desk closed"
WRONG = ("dead letter", "no longer tried", "retry in", "kept to be recorded")


class Failing:
    """A channel whose send fails after ``seconds``: hopelessly (HTTP 400, not
    retryable) or with a plain error; ``began`` is set as a send begins."""

    name = "rec"

    def __init__(self, seconds: float, *, hopeless: bool) -> None:
        self.seconds = seconds
        self.hopeless = hopeless
        self.keys: list[str] = []
        self.began = threading.Event()
        self.ended = threading.Event()

    def send(self, notification: Notification, recipient: StaffMember | None) -> None:
        self.keys.append(notification.key)
        self.began.set()
        try:
            time.sleep(self.seconds)
            if self.hopeless:
                raise NotificationError(
                    self.name, notification.key, "HTTP 400 bad request", retryable=False
                )
            raise RuntimeError("upstream 503")
        finally:
            self.ended.set()


class Sends:
    name = "rec"

    def __init__(self) -> None:
        self.keys: list[str] = []

    def send(self, notification: Notification, recipient: StaffMember | None) -> None:
        self.keys.append(notification.key)


def rows(path: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT attempts, delivered_at FROM outbox ORDER BY id").fetchall()
    finally:
        conn.close()


def lines_about(caplog: pytest.LogCaptureFixture, key: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if key in r.getMessage()]


def join(desk_worker_thread: threading.Thread | None) -> None:
    assert desk_worker_thread is not None
    desk_worker_thread.join(20)
    assert not desk_worker_thread.is_alive()


def assert_one_warning_sent_again(caplog: pytest.LogCaptureFixture, key: str) -> None:
    about = lines_about(caplog, key)
    text = "\n".join(r.getMessage() for r in about)
    assert [r.levelno for r in about] == [logging.WARNING], text
    assert SENT_AGAIN in about[0].getMessage()
    assert "it is sent again, with the same key" in about[0].getMessage()
    for wrong in WRONG:
        assert wrong not in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


# --------------------------------------------------------------------------- F01


@pytest.mark.parametrize(
    ("hopeless", "max_attempts"),
    [(True, 5), (False, 1), (False, 5)],
    ids=["hopeless", "last-attempt", "retryable"],
)
def test_a_send_failing_after_a_bounded_close_is_one_warning_not_a_dead_letter_or_retry(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, hopeless: bool, max_attempts: int
) -> None:
    """The review's late_failure.py: the worker's send fails 1.5 s in (inside its
    3 s timeout), ``close(timeout=0.3)`` meanwhile.  Before: "given up at once …
    (a dead letter …)", "failed 1 times and is no longer tried" or "failed; retry
    in 0:00:01" after the INFO "it is retried", with the row untouched.  Now one
    WARNING naming the message as sent again; the row shows no attempt."""
    path = tmp_path / "desk.sqlite3"
    channel = Failing(1.5, hopeless=hopeless)
    desk = desk_of([channel], store_path=path, send_timeout=3, max_attempts=max_attempts)
    desk.receive(next(intakes(1, T0)), now=T0)
    with caplog.at_level(logging.INFO, logger="complaintcore"):
        worker = desk.start_delivery(clock=lambda: T0, interval=1)
        assert channel.began.wait(10)
        desk.close(timeout=0.3)
        join(worker._thread)
    assert channel.ended.is_set()
    assert_one_warning_sent_again(caplog, channel.keys[0])
    assert rows(path) == [(0, None)]  # no attempt recorded, no dead letter: sent again


def test_a_failed_attempt_refused_by_a_lock_after_close_is_one_warning(
    tmp_path: Path, held: list[Writer], caplog: pytest.LogCaptureFixture
) -> None:
    """The review's late_failure_locked.py: the send fails hopelessly at once, its
    failed attempt's write waits on another writer's lock (store timeout 2 s),
    ``close(timeout=0.5)`` meanwhile.  Before: three lines (not recorded; "failed
    after the desk closed; it is retried"; "given up … a dead letter").  Now one."""
    path = tmp_path / "desk.sqlite3"
    store = SqliteStore(path, timeout=2)
    channel = Failing(0, hopeless=True)
    desk = desk_of([channel], store=store, max_attempts=5)
    desk.receive(next(intakes(1, T0)), now=T0)
    real = store.mark_failed_at
    marking = threading.Event()

    def mark_failed_at(*args: object, **kwargs: object) -> None:
        if not held:
            held.append(Writer(path))  # taken as the pass comes to record it
        marking.set()
        real(*args, **kwargs)  # type: ignore[arg-type]

    store.mark_failed_at = mark_failed_at  # type: ignore[method-assign]
    with caplog.at_level(logging.INFO, logger="complaintcore"):
        worker = desk.start_delivery(clock=lambda: T0, interval=1)
        assert marking.wait(10)
        desk.close(timeout=0.5)
        join(worker._thread)
    assert_one_warning_sent_again(caplog, channel.keys[0])
    held.pop().free()
    assert rows(path) == [(0, None)]


def test_an_interrupted_pass_s_send_failing_after_a_bounded_close_is_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The review's late_failure_interrupted.py: ``deliver`` interrupted by Ctrl-C
    while its send runs, ``close(timeout=0.3)``, the send then fails hopelessly
    (the ``_settle_unwaited`` path).  Before: "given up at once … (a dead letter
    …)" for a row that shows no attempt."""
    path = tmp_path / "desk.sqlite3"
    channel = Failing(1.5, hopeless=True)
    desk = desk_of([channel], store_path=path, send_timeout=3)
    desk.receive(next(intakes(1, T0)), now=T0)
    _interrupt_when(channel.began, 0.2)
    with caplog.at_level(logging.INFO, logger="complaintcore"):
        with pytest.raises(KeyboardInterrupt):
            desk.deliver(T0)
        desk.close(timeout=0.3)
        assert channel.ended.wait(10)
        deadline = time.monotonic() + 10
        while not lines_about(caplog, channel.keys[0]) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)  # any further line about it would follow at once
    assert_one_warning_sent_again(caplog, channel.keys[0])
    assert rows(path) == [(0, None)]


def test_a_failure_recorded_before_close_still_says_dead_letter(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The dead-letter line stays where the attempt was written: a hopeless failure
    in an open desk is one "given up at once … (a dead letter …)" WARNING and the
    row shows the store's count raised to ``max_attempts`` (5 here)."""
    path = tmp_path / "desk.sqlite3"
    channel = Failing(0, hopeless=True)
    desk = desk_of([channel], store_path=path, max_attempts=5)
    desk.receive(next(intakes(1, T0)), now=T0)
    with caplog.at_level(logging.INFO, logger="complaintcore"):
        report = desk.deliver(T0)
    desk.close()
    assert report.newly_given_up == 1
    assert "given up at once after 1 attempt" in caplog.text
    assert SENT_AGAIN not in caplog.text
    assert rows(path) == [(5, None)]


# --------------------------------------------------------------------------- F02


@pytest.mark.parametrize("timeout", [1e10, 9.3e9, 1e300])
def test_a_huge_finite_close_timeout_closes_the_desk(tmp_path: Path, timeout: float) -> None:
    """The review's huge_timeout.py: ``close`` accepts any finite number of
    seconds, 0 or more; one past ``threading.TIMEOUT_MAX`` (about 9.2e9 s) raised
    ``OverflowError`` and left the store open.  Now it closes, and writes what was
    kept."""
    path = tmp_path / "desk.sqlite3"
    desk = desk_of([Sends()], store_path=path)
    desk.receive(next(intakes(1, T0)), now=T0)
    store = desk.store
    assert isinstance(store, SqliteStore)
    refused_once(desk)
    assert desk.deliver(T0).sent == 1
    assert len(desk._kept) == 1
    desk.close(timeout=timeout)
    assert store._closed
    assert [r[1] is not None for r in rows(path)] == [True]  # the kept outcome written


def test_close_closes_the_store_whatever_writing_the_kept_outcomes_raises(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Failure injection: the kept outcomes' flush raises something unforeseen;
    ``close`` raises it, but the store is closed first (no file handle left)."""
    desk = desk_of([Sends()], store_path=tmp_path / "desk.sqlite3")

    def broken(*args: object, **kwargs: object) -> bool:
        raise RuntimeError("unforeseen")

    monkeypatch.setattr(desk._kept, "flush", broken)
    with pytest.raises(RuntimeError, match="unforeseen"):
        desk.close(timeout=5)
    store = desk.store
    assert isinstance(store, SqliteStore)
    assert store._closed


# --------------------------------------------------------------------------- F03


def test_a_worker_writing_a_kept_outcome_when_close_gives_up_ends_without_an_error(
    tmp_path: Path, held: list[Writer], caplog: pytest.LogCaptureFixture
) -> None:
    """The review's worker_flush_locked.py: an outcome kept after a transient
    refusal; another writer holds the file; the worker's next pass begins by
    writing it and waits on the lock (store timeout 2 s); ``close(timeout=0.5)``.
    Before: the WARNING naming the message, then ``ERROR delivering notifications
    failed`` with a traceback.  Now the WARNING only; the worker ends."""
    path = tmp_path / "desk.sqlite3"
    store = SqliteStore(path, timeout=2)
    channel = Sends()
    desk: Desk = desk_of([channel], store=store)
    desk.receive(next(intakes(1, T0)), now=T0)
    real = store.mark_delivered
    calls: list[str] = []
    marking = threading.Event()

    def mark_delivered(item_id: int, at: datetime) -> None:
        calls.append(threading.current_thread().name)
        if len(calls) == 1:
            raise StoreError(store.path, "is locked", transient=True)
        marking.set()
        real(item_id, at)

    store.mark_delivered = mark_delivered  # type: ignore[method-assign]
    assert desk.deliver(T0).sent == 1
    assert len(desk._kept) == 1
    held.append(Writer(path))
    with caplog.at_level(logging.INFO, logger="complaintcore"):
        worker = desk.start_delivery(clock=lambda: T0, interval=1)
        assert marking.wait(10)
        began = time.monotonic()
        desk.close(timeout=0.5)
        assert time.monotonic() - began < 10.0
        join(worker._thread)
    assert calls[1] == "complaintcore-delivery"  # the worker's pass was writing it
    key = channel.keys[0]
    assert f"notification {key} via rec: {SENT_AGAIN}" in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "delivering notifications failed" not in caplog.text
    held.pop().free()
    assert rows(path) == [(0, None)]


# --------------------------------------------------------------------------- F04


def busy_ms(store: SqliteStore) -> int:
    value = store._conn().execute("PRAGMA busy_timeout").fetchone()[0]
    assert isinstance(value, int)
    return value


def test_nested_bounded_waits_keep_the_outer_bound(tmp_path: Path, held: list[Writer]) -> None:
    """The review's busy_restore.py: store timeout 5 s; inside ``waits_at_most(0.2)``
    an inner ``waits_at_most(0.1)`` ended; the outer block's writes wait 200 ms
    again, not the store's 5000 ms; an inner block asking more (3 s) does not
    lengthen the outer bound; after both, the store's 5000 ms."""
    path = tmp_path / "desk.sqlite3"
    store = SqliteStore(path, timeout=5)
    try:
        assert busy_ms(store) == 5000
        with store.waits_at_most(0.2):
            with store.waits_at_most(0.1):
                assert busy_ms(store) == 100
            assert busy_ms(store) == 200
            with store.waits_at_most(3):
                assert busy_ms(store) == 200
            assert busy_ms(store) == 200
            held.append(Writer(path))
            began = time.monotonic()
            with pytest.raises(StoreError) as caught:
                store.unregister_tenant()
            assert caught.value.transient
            assert time.monotonic() - began < 4.0  # not the store's 5 s
            held.pop().free()
        assert busy_ms(store) == 5000
    finally:
        store.close()


def test_a_worker_whose_claim_a_lock_refuses_while_close_runs_ends_without_an_error(
    tmp_path: Path, held: list[Writer], caplog: pytest.LogCaptureFixture
) -> None:
    """The same shutdown, the lock met by the pass's claim (store timeout 2 s,
    ``close(timeout=0.5)``): before, ``ERROR delivering notifications failed`` with
    a traceback; now the worker ends quietly, and the message, never claimed,
    stays due."""
    path = tmp_path / "desk.sqlite3"
    store = SqliteStore(path, timeout=2)
    desk = desk_of([Sends()], store=store)
    desk.receive(next(intakes(1, T0)), now=T0)
    real = store.claim
    claiming = threading.Event()

    def claim(*args: object, **kwargs: object) -> object:
        if not held:
            held.append(Writer(path))
        claiming.set()
        return real(*args, **kwargs)  # type: ignore[arg-type]

    store.claim = claim  # type: ignore[assignment,method-assign]
    with caplog.at_level(logging.INFO, logger="complaintcore"):
        worker = desk.start_delivery(clock=lambda: T0, interval=1)
        assert claiming.wait(10)
        desk.close(timeout=0.5)
        join(worker._thread)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    held.pop().free()
    assert rows(path) == [(0, None)]
