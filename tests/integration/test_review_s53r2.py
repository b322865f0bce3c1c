"""Review s53R2: delivery under concurrency, at close.

F01: ``Desk.close(timeout=…)`` wrote the outcomes kept while the store refused them
with the store's own busy timeout (30 s on SQLite), whatever time was left: a
service's grace period shorter than that killed the process inside the flush.
Now each kept write waits at most the time left (SQLite: the flush's connection's
busy timeout), and the WARNING naming what is not recorded is logged in time.

F02: a send a pass still waited for when ``close(timeout=…)`` closed the store
ended in the ERROR meant for a store the host closed under the worker, naming no
message; an outcome refused after the close was "kept to be recorded at the next
delivery pass" of a closed desk.  Now the first is the documented WARNING naming
the message, the worker ends quietly, and the second is a WARNING saying the
outcome is not recorded and the message is sent again (same key).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.core.errors import StoreError
from complaintcore.desk.ports import Notification, StaffMember
from complaintcore.desk.service import Desk
from tests.integration.test_delivery_off_intake import T0, intakes
from tests.integration.test_delivery_review_s39b import desk_of

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


class Channel:
    """Records each send's key; ``seconds`` per send; ``began`` is set as one begins."""

    name = "rec"

    def __init__(self, seconds: float = 0.0) -> None:
        self.seconds = seconds
        self.keys: list[str] = []
        self.began = threading.Event()

    def send(self, notification: Notification, recipient: StaffMember | None) -> None:
        self.began.set()
        time.sleep(self.seconds)
        self.keys.append(notification.key)


class Writer:
    """Another writer holding the SQLite write lock (an operator's ``sqlite3`` session)."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.conn.execute("BEGIN IMMEDIATE")

    def free(self) -> None:
        self.conn.execute("ROLLBACK")
        self.conn.close()


@pytest.fixture
def held() -> Iterator[list[Writer]]:
    writers: list[Writer] = []
    yield writers
    for w in writers:  # those the test did not free itself
        w.free()


def delivered_at(path: Path) -> list[object]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT delivered_at FROM outbox ORDER BY id")]
    finally:
        conn.close()


def refused_once(desk: Desk) -> None:
    """The store's first ``mark_delivered`` refused as a lock held past its timeout
    (failure injection): the outcome is kept, no wait spent on it."""
    store = desk.store
    assert isinstance(store, SqliteStore)
    real = store.mark_delivered
    calls: list[int] = []

    def mark_delivered(item_id: int, at: datetime) -> None:
        calls.append(item_id)
        if len(calls) == 1:
            raise StoreError(store.path, "is locked", transient=True)
        real(item_id, at)

    store.mark_delivered = mark_delivered  # type: ignore[method-assign]


# --------------------------------------------------------------------------- F01


@pytest.mark.parametrize("grace", [0, 1])
def test_a_bounded_close_does_not_wait_the_store_busy_timeout_for_kept_outcomes(
    tmp_path: Path, held: list[Writer], caplog: pytest.LogCaptureFixture, grace: float
) -> None:
    """The review's close_lock.py: an outcome kept, the file locked by another writer,
    the store's busy timeout 30 s (the default).  Before: close(timeout=1) took 30 s.
    Now it returns in about ``grace`` seconds (bounded here generously: 10 s), with the
    WARNING that names what is not recorded; the message stays to be sent again."""
    path = tmp_path / "desk.sqlite3"
    channel = Channel()
    desk = desk_of([channel], store_path=path)
    assert isinstance(desk.store, SqliteStore)
    desk.receive(next(intakes(1, T0)), now=T0)
    refused_once(desk)
    assert desk.deliver(T0).sent == 1
    assert len(desk._kept) == 1
    held.append(Writer(path))
    began = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="complaintcore"):
        desk.close(timeout=grace)
    took = time.monotonic() - began
    assert took < 10.0  # not the store's 30 s busy timeout
    assert "closing with 1 send outcome(s) not recorded" in caplog.text
    held.pop().free()
    assert delivered_at(path) == [None]  # not recorded: sent again once its claim lapses
    assert len(desk._kept) == 0  # nothing left in the closed desk


def test_a_bounded_close_still_writes_what_it_can_in_time(tmp_path: Path) -> None:
    """The bound keeps the write: on a file no one locks, the kept outcome is
    recorded by ``close(timeout=…)``, even one of 0 seconds (no wait needed)."""
    path = tmp_path / "desk.sqlite3"
    desk = desk_of([Channel()], store_path=path)
    desk.receive(next(intakes(1, T0)), now=T0)
    refused_once(desk)
    assert desk.deliver(T0).sent == 1
    assert len(desk._kept) == 1
    desk.close(timeout=0)
    assert delivered_at(path) != [None]


def test_a_sqlite_store_bounds_this_thread_s_lock_waits_for_a_block(
    tmp_path: Path, held: list[Writer]
) -> None:
    """``waits_at_most(seconds)``: inside the block a write under another writer's
    lock is refused after ``seconds``, not the store's busy timeout (30 s); after it
    the store's own timeout holds again."""
    path = tmp_path / "desk.sqlite3"
    store = SqliteStore(path)
    try:
        assert store.registered_tenant  # a new file: unregistering it is a write
        held.append(Writer(path))
        began = time.monotonic()
        with store.waits_at_most(0.2), pytest.raises(StoreError) as caught:
            store.unregister_tenant()
        assert caught.value.transient
        assert time.monotonic() - began < 10.0
        conn = store._conn()
        assert conn.execute("PRAGMA busy_timeout").fetchone() == (30_000,)
        with store.waits_at_most(100.0):  # never longer than the store's own
            assert conn.execute("PRAGMA busy_timeout").fetchone() == (30_000,)
    finally:
        store.close()


# --------------------------------------------------------------------------- F02


def test_a_send_the_pass_waits_for_that_ends_after_close_is_one_warning_naming_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The review's close_mid_send.py: the worker's send takes 1.5 s (inside its 3 s
    timeout), ``close(timeout=0.3)`` meanwhile.  Before: an ERROR "the delivery
    worker stopped: the desk's store is closed", naming no message.  Now the
    documented WARNING naming the message, and the worker ends quietly."""
    path = tmp_path / "desk.sqlite3"
    channel = Channel(seconds=1.5)
    desk = desk_of([channel], store_path=path, send_timeout=3)
    desk.receive(next(intakes(1, T0)), now=T0)
    with caplog.at_level(logging.INFO, logger="complaintcore"):
        worker = desk.start_delivery(clock=lambda: T0, interval=1)
        assert channel.began.wait(10)
        desk.close(timeout=0.3)
        thread = worker._thread
        assert thread is not None
        thread.join(15)
        assert not thread.is_alive()
    assert channel.keys  # it got through, after the close
    key = channel.keys[0]
    assert f"notification {key} via rec got through after the desk closed" in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert delivered_at(path) == [None]  # sent again (same key) once its claim lapses


def test_an_outcome_refused_after_close_is_not_kept_for_a_pass_that_never_comes(
    tmp_path: Path, held: list[Writer], caplog: pytest.LogCaptureFixture
) -> None:
    """The review's close_worker_lock.py: the send got through, its ``mark_delivered``
    waits on another writer's lock, ``close(timeout=0.5)``; the store's busy timeout
    (2 s here) ends the write after the close.  Before: "kept to be recorded at the
    next delivery pass" (a closed desk has none), kept in the closed desk, then the
    ERROR.  Now a WARNING naming the message says it is not recorded and is sent
    again; nothing is kept, no ERROR."""
    path = tmp_path / "desk.sqlite3"
    store = SqliteStore(path, timeout=2)
    channel = Channel()
    desk = desk_of([channel], store=store)
    desk.receive(next(intakes(1, T0)), now=T0)
    real = store.mark_delivered
    marking = threading.Event()

    def mark_delivered(item_id: int, at: datetime) -> None:
        held.append(Writer(path))  # taken as the pass comes to record it
        marking.set()
        real(item_id, at)

    store.mark_delivered = mark_delivered  # type: ignore[method-assign]
    with caplog.at_level(logging.INFO, logger="complaintcore"):
        worker = desk.start_delivery(clock=lambda: T0, interval=1)
        assert marking.wait(10)
        began = time.monotonic()
        desk.close(timeout=0.5)
        assert time.monotonic() - began < 10.0
        thread = worker._thread
        assert thread is not None
        thread.join(15)
        assert not thread.is_alive()
    key = channel.keys[0]
    assert f"notification {key} via rec: its outcome is not recorded" in caplog.text
    assert "next delivery pass" not in caplog.text
    assert len(desk._kept) == 0
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    held.pop().free()
    assert delivered_at(path) == [None]
