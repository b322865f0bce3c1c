"""Review s53R13: re-review of the s53R9 and s53R10 fixes.

F01: a SQLite file whose name has ``:`` and then ``@`` in one segment
(``backup 10:30@estate.sqlite3``) was shown as "(unreadable connection string)",
also in the line of ``migrate --to`` saying what to put in complaintcore.toml.

F02: while the desk closed, a delivery worker ended quietly (DEBUG only) on any
``StoreError``: a send that got through whose "delivered" write the store refused
for good (read-only, disk full) was logged nowhere and sent again silently.

F03: the closing WARNING "closing with N send outcome(s) not recorded" counted the
kept writes (an attempt plus its dead-letter marks), not the messages.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from complaintcore.adapters.notify._common import NotificationError
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.core.errors import StoreError
from complaintcore.desk.ports import Notification, StaffMember
from tests.integration.test_delivery_off_intake import T0, intakes
from tests.integration.test_delivery_review_s39b import desk_of
from tests.integration.test_review_s53r10 import join, rows

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


class Slow:
    """A channel whose send gets through after ``seconds``; ``began`` is set as it begins."""

    name = "rec"

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.keys: list[str] = []
        self.began = threading.Event()

    def send(self, notification: Notification, recipient: StaffMember | None) -> None:
        self.keys.append(notification.key)
        self.began.set()
        time.sleep(self.seconds)


# --------------------------------------------------------------------------- F02


def _read_only(store: SqliteStore) -> None:
    """The store's own connection refuses writes: a real SQLITE_READONLY."""
    store._conn().execute("PRAGMA query_only = 1")


def _disk_full(store: SqliteStore) -> None:
    raise StoreError(store.path, "is full: the disk has no room left (SQLITE_FULL)")


@pytest.mark.parametrize("refusal", [_read_only, _disk_full], ids=["read-only", "disk-full"])
@pytest.mark.parametrize("timeout", [None, 5.0], ids=["close", "close-timeout"])
def test_a_delivered_write_refused_for_good_while_the_desk_closes_is_an_error(
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    refusal: Callable[[SqliteStore], None],
    timeout: float | None,
) -> None:
    """The review's close_store_error.py: a worker's pass is sending (1 s) when
    ``close()`` is called; the send gets through and the store refuses its
    "delivered" write for good (not a lock).  Before: nothing at INFO or above
    (a DEBUG line only) and the message silently sent again.  Now the ERROR
    "delivering notifications failed" with the StoreError, as before s53R10."""
    path = tmp_path / "desk.sqlite3"
    store = SqliteStore(path, timeout=2)
    channel = Slow(1.0)
    desk = desk_of([channel], store=store, send_timeout=3)
    desk.receive(next(intakes(1, T0)), now=T0)
    real = store.mark_delivered

    def mark_delivered(item_id: int, at: datetime) -> None:
        refusal(store)
        real(item_id, at)

    store.mark_delivered = mark_delivered  # type: ignore[method-assign]
    with caplog.at_level(logging.INFO, logger="complaintcore"):
        worker = desk.start_delivery(clock=lambda: T0, interval=1)
        assert channel.began.wait(10)
        desk.close(timeout=timeout)
        join(worker._thread)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r.getMessage() for r in errors] == ["delivering notifications failed"]
    assert errors[0].exc_info is not None
    refused = errors[0].exc_info[1]
    assert isinstance(refused, StoreError)
    assert not refused.transient
    assert rows(path) == [(0, None)]  # not recorded: sent again, and the log says why


# --------------------------------------------------------------------------- F03


class Hopeless:
    """A channel refusing every message for good (HTTP 400)."""

    name = "rec"

    def __init__(self) -> None:
        self.keys: list[str] = []

    def send(self, notification: Notification, recipient: StaffMember | None) -> None:
        self.keys.append(notification.key)
        raise NotificationError(
            self.name, notification.key, "HTTP 400 bad request", retryable=False
        )


@pytest.mark.parametrize("complaints", [1, 2])
def test_the_closing_warning_counts_messages_not_kept_writes(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, complaints: int
) -> None:
    """The review's count_outcomes.py: each message fails hopelessly with
    ``max_attempts=5``; a lock refuses its failed-attempt writes (one attempt and
    its dead-letter marks, kept), still when ``close(timeout=0.5)`` runs.  Before:
    "closing with 5 send outcome(s) not recorded" for one message (10 for two).
    Now one per message: 1 and 2."""
    path = tmp_path / "desk.sqlite3"
    store = SqliteStore(path, timeout=2)
    channel = Hopeless()
    desk = desk_of([channel], store=store, max_attempts=5)
    for intake in intakes(complaints, T0):
        desk.receive(intake, now=T0)

    def refused(*args: object, **kwargs: object) -> None:
        raise StoreError(store.path, "is locked by another writer", transient=True)

    store.mark_failed = refused  # type: ignore[method-assign]
    store.mark_failed_held = refused  # type: ignore[method-assign]
    desk.deliver(T0)
    assert len(channel.keys) == complaints  # one message each: the handler's
    with caplog.at_level(logging.INFO, logger="complaintcore"):
        desk.close(timeout=0.5)
    closing = [r.getMessage() for r in caplog.records if "closing with" in r.getMessage()]
    assert closing == [
        f"closing with {complaints} send outcome(s) not recorded (StoreError): their"
        " messages are sent again, with the same key, once their claim lapses"
    ]
