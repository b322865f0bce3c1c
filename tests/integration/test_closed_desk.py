"""A desk used after ``close()`` (a host's shutdown racing a restart of its delivery
worker, a request handled after the pool closed): every call is refused with a
library error at the call site, before anything is decided, and nothing keeps
running or logging behind it (review s46G F01)."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import pytest

from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.core.errors import InvalidInputError
from complaintcore.desk import Desk
from complaintcore.desk.delivery import DeliveryWorker
from complaintcore.i18n import translator
from complaintcore.testing import RecordingNotifier, make_desk
from tests.helpers import T0, intake


def _delivery_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "complaintcore-delivery"]


def _ended(worker: DeliveryWorker, seconds: float = 5.0) -> bool:
    ends = time.monotonic() + seconds
    while worker.alive and time.monotonic() < ends:
        time.sleep(0.01)
    return not worker.alive


@pytest.fixture
def closed(tmp_path: Path) -> Desk:
    desk = make_desk(store=SqliteStore(tmp_path / "d.sqlite3"), notifiers=[RecordingNotifier()])
    desk.close()
    return desk


def test_start_delivery_on_a_closed_desk_is_refused_and_starts_no_thread(
    closed: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    before = len(_delivery_threads())
    with pytest.raises(InvalidInputError) as refused:
        closed.start_delivery(interval=0.05)
    assert refused.value.path == "desk"
    assert str(refused.value) == "desk: is closed"
    assert translator("zh").error(refused.value) == "desk：已关闭"  # as the command line says it
    time.sleep(0.2)  # four intervals: a worker would have woken by now
    assert len(_delivery_threads()) == before
    assert "delivering notifications failed" not in caplog.text


def test_a_worker_whose_desk_closed_before_it_woke_ends_without_a_pass(
    closed: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    """start_delivery racing close(): the worker built just before the close ends at
    its first wake, with nothing logged."""
    worker = DeliveryWorker(closed, interval=0.05).start()
    worker.wake()
    assert _ended(worker)
    assert worker.reports == []
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_a_worker_whose_store_was_closed_under_it_stops_after_one_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The host closed the store itself and kept the desk: the worker says so once
    and ends, instead of a traceback every interval until the process ends."""
    desk = make_desk(store=SqliteStore(tmp_path / "d.sqlite3"), notifiers=[RecordingNotifier()])
    worker = desk.start_delivery(interval=0.05)
    assert worker.wait_idle(5)
    desk.store.close()
    worker.wake()
    assert _ended(worker)
    time.sleep(0.2)
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == ["the delivery worker stopped: the desk's store is closed"]
    desk.close()


def test_receive_on_a_closed_desk_is_refused_without_the_grouping_warning(
    closed: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    """The refusal comes first: no 'grouping not locked' warning, which tells a host
    that links may be wrong, for an intake that was never decided."""
    with pytest.raises(InvalidInputError, match="store: is closed"):
        closed.receive(intake(receiver="SR-103"), now=T0)
    with pytest.raises(InvalidInputError, match="store: is closed"):
        list(closed.receive_many([intake(receiver="SR-103")], now=T0))
    assert "not locked" not in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
