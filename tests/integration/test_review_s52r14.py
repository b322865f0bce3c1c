"""Review s52R14: a kept failed attempt (the store refused it for a while) written at
the next delivery pass.

F01: through a host's wrapper around a built-in store (the inner store's methods
handed out through ``__getattr__``) with a ``mark_failed`` of its own, the kept
attempt was written straight into the inner store: the wrapper's ``mark_failed``
(its failure log or counter) never heard it, as it does a failure written at once.
Now both writes go through one owner check.

F02: ``outbox retry`` (or ``drop``) by hand after the sender's claim lapsed left that
lapsed claim on the message, so the sender's kept attempt still "held" it and was
written over the retry: a retried message was a dead letter again without a send
(``max_attempts`` 1), or a dropped message got an attempt and an error.  Now a
retry or drop by hand ends the lapsed claim, and the kept attempt is dropped.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from complaintcore import Desk
from complaintcore.adapters.memory_store import MemoryStore
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.desk.ports import ComplaintStore
from complaintcore.testing import FixedClock
from tests.integration.test_delivery_off_intake import T0, intakes
from tests.integration.test_delivery_review_s39b import desk_of
from tests.integration.test_review_s51r17 import LoggingProxy, Proxy
from tests.integration.test_review_s52r10 import Down, _locked

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

NOT_RECORDED = "kept failed attempt is not recorded"


def _desk(store: object, down: Down, max_attempts: int = 9) -> Desk:
    """A desk on ``store`` (a host's wrapper, typed as it is duck-typed)."""
    held: Any = store
    return desk_of([down], store=held, send_timeout=2, max_attempts=max_attempts)


# --------------------------------------------------------------------------- F01


class RefusingProxy(LoggingProxy):
    """The review's wrapper: its own ``mark_failed`` logs each failure; its first
    ``refuse`` calls meet a file locked past its timeout (a transient error)."""

    def __init__(self, inner: ComplaintStore, refuse: int) -> None:
        super().__init__(inner)
        self.refuse = refuse

    def mark_failed(self, item_id: int, error: str, retry_at: datetime) -> None:
        if self.refuse:
            self.refuse -= 1
            raise _locked()  # failure injection: another writer holds the file
        super().mark_failed(item_id, error, retry_at)


def _inner(kind: str, tmp_path: Path, clock: FixedClock) -> SqliteStore | MemoryStore:
    if kind == "sqlite":
        return SqliteStore(tmp_path / "d.sqlite3", clock=clock)
    return MemoryStore(clock=clock)


@pytest.mark.parametrize("kind", ["sqlite", "memory"])
def test_a_kept_failed_attempt_is_heard_by_the_wrappers_own_mark_failed(
    kind: str, tmp_path: Path
) -> None:
    """The review's wrapper_replay.py: each message's one failed send refused by the
    wrapper once, kept, written at the next pass.  Before: written into the inner
    store, the wrapper heard none.  Now the wrapper's ``mark_failed`` hears each
    (one failure per send), and each message has one attempt."""
    inner = _inner(kind, tmp_path, FixedClock(T0))
    down = Down()
    desk = _desk(RefusingProxy(inner, refuse=0), down)
    try:
        list(desk.receive_many(intakes(1, T0), now=T0))
        queued = len(inner.waiting(100))
        proxy = desk.store
        assert isinstance(proxy, RefusingProxy)
        proxy.refuse = queued  # every failure of the first pass refused
        assert desk.deliver(T0).failed == queued
        assert len(desk._kept) == queued
        assert proxy.failed == []
        desk.deliver(T0)  # the next pass writes what was kept first (none due yet)
        assert len(desk._kept) == 0
        assert down.sends == queued  # one send each
        found = inner.waiting(100)
        assert sorted(proxy.failed) == sorted(i.id for i in found)  # heard, once each
        assert [i.attempts for i in found] == [1] * queued
    finally:
        desk.close()


@pytest.mark.parametrize("kind", ["sqlite", "memory"])
def test_a_wrapper_that_only_delegates_still_writes_a_kept_attempt_under_its_claim(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The other side of the owner check: a wrapper with no ``mark_failed`` of its own
    keeps the claim check (review s52R10 F03).  A's kept attempt, written after its
    claim lapsed and another sender claimed, is dropped; the other's claim stands."""
    clock = FixedClock(T0)
    inner = _inner(kind, tmp_path, clock)
    down = Down()
    desk = _desk(Proxy(inner), down)
    try:
        list(desk.receive_many(intakes(1, T0), now=T0))
        queued = len(inner.waiting(100))

        def refused(*args: object, **kwargs: object) -> None:
            raise _locked()  # failure injection: another writer holds the file

        monkeypatch.setattr(inner, "mark_failed_at", refused)
        assert desk.deliver(T0).failed == queued
        monkeypatch.undo()
        clock.advance(minutes=10)  # A's 5-minute claim has lapsed
        later = T0 + timedelta(minutes=10)
        taken = inner.claim(later, 100, lease=timedelta(minutes=5))
        assert len(taken) == queued
        desk._kept.flush()
        after = inner.waiting(100)
        assert [i.attempts for i in after] == [0] * queued
        assert [i.next_attempt_at for i in after] == [T0 + timedelta(minutes=15)] * queued
        assert any(NOT_RECORDED in r.getMessage() for r in caplog.records)
    finally:
        desk.close()


# --------------------------------------------------------------------------- F02


@pytest.fixture(params=["sqlite", "memory", "postgres"])
def clocked(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Any, FixedClock]]:
    """A store of each shipped kind on a clock the test moves."""
    clock = FixedClock(T0)
    if request.param != "postgres":
        store = _inner(request.param, tmp_path, clock)
        try:
            yield store, clock
        finally:
            store.close()
        return
    server = request.getfixturevalue("postgres_server")
    from complaintcore.adapters.postgres_store import PostgresStore

    schema = server.new_schema()
    pg = PostgresStore(server.dsn, schema=schema, clock=clock)
    try:
        yield pg, clock
    finally:
        pg.close()
        server.drop_schema(schema)


def _kept_then_lapsed(
    store: Any, clock: FixedClock, down: Down, monkeypatch: pytest.MonkeyPatch
) -> Desk:
    """Process A: its one message's failed send kept (the store refused the mark),
    then its 5-minute claim lapsed (the store's clock ten minutes on)."""
    desk = _desk(store, down, max_attempts=1)
    list(desk.receive_many(intakes(1, T0), now=T0))

    def refused(*args: object, **kwargs: object) -> None:
        raise _locked()  # failure injection: another writer holds the file

    monkeypatch.setattr(store, "mark_failed_at", refused)
    queued = len(store.waiting(100))
    desk.deliver(T0)
    assert down.sends == queued
    assert len(desk._kept) == queued
    monkeypatch.undo()
    clock.advance(minutes=10)
    return desk


def test_a_retry_by_hand_after_the_claim_lapsed_is_not_undone_by_the_kept_attempt(
    clocked: tuple[Any, FixedClock],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The review's retry_then_flush.py with ``max_attempts`` 1: the operator retries
    the message (``outbox retry``), then A flushes.  Before: attempts 1 again, A's old
    retry time, a dead letter with no send made after the retry.  Now: attempts 0,
    due at the retry's time, sent at the next pass (two sends in all)."""
    store, clock = clocked
    down = Down()
    desk = _kept_then_lapsed(store, clock, down, monkeypatch)
    try:
        later = T0 + timedelta(minutes=10)
        queued = len(desk._kept)
        for item in store.waiting(100):
            desk.retry_message(item.id, later)
        desk._kept.flush()  # A's next pass, first thing
        assert len(desk._kept) == 0
        after = store.waiting(100)
        assert [i.attempts for i in after] == [0] * queued
        assert [i.next_attempt_at for i in after] == [later] * queued
        assert desk.dead_letters() == []
        assert any(NOT_RECORDED in r.getMessage() for r in caplog.records)
        desk.deliver(later)  # sent again after the retry
        assert down.sends == 2 * queued
    finally:
        desk.close()


def test_a_drop_by_hand_after_the_claim_lapsed_gets_no_attempt_from_the_kept_one(
    clocked: tuple[Any, FixedClock], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same with ``outbox drop``: before, A's kept attempt was written onto the
    dropped message (attempts 1, A's error).  Now the dropped message keeps its 0
    attempts and no error."""
    store, clock = clocked
    down = Down()
    desk = _kept_then_lapsed(store, clock, down, monkeypatch)
    try:
        later = T0 + timedelta(minutes=10)
        ids = [item.id for item in store.waiting(100)]
        for item_id in ids:
            desk.drop_message(item_id, later, "resolved by phone")
        desk._kept.flush()
        assert len(desk._kept) == 0
        assert store.waiting(100) == []
        assert _dropped(store, ids) == [(0, "")] * len(ids)
    finally:
        desk.close()


def _dropped(store: Any, ids: list[int]) -> list[tuple[int, str]]:
    """The attempts and last error of the dropped messages ``ids``."""
    if isinstance(store, MemoryStore):  # no export: its own records, read only
        return [(store._outbox[i].attempts, store._outbox[i].last_error or "") for i in ids]
    return [(s.attempts, s.last_error) for s in store.export_outbox() if s.dropped_at is not None]
