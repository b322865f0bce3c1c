"""Review s51R17.

F01: ``migrate --to`` (``copy_desk``) did not carry an outbox message's ``waits_from``
and ``waits_at``: the copy's messages had none, so a retry time moved far ahead by
hand, which ``verify`` names on the source, was passed to the copy unreported (and
never sent).  Now the export carries both and both stores' ``import_desk`` write
them; an item without them (an earlier export) is still taken, not judged.

F03: a host's wrapper around a built-in store (a logging proxy delegating through
``__getattr__``, with its own ``mark_failed``) was not called on a failed delivery:
the desk called the inner store's ``mark_failed_at``, which looked for an override
on the inner store.  Now the desk uses ``mark_failed_at`` only when the store it
holds keeps the built-in ``mark_failed``/``mark_failed_held`` of the class that
defines it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from complaintcore import Desk, RetryHealthStore
from complaintcore.adapters.memory_store import MemoryStore
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.adapters.transfer import HistoryStore, StoredItem, copy_desk
from complaintcore.desk.ports import ComplaintStore
from complaintcore.testing import FailingNotifier, make_desk
from tests.integration.test_delivery_off_intake import T0, intakes
from tests.integration.test_migrate_live import _Opener
from tests.integration.test_migrate_live import opener as opener  # the fixture
from tests.integration.test_review_s51c import DUE_TOO_LATE, SILENCED, waiting
from tests.integration.test_review_s51c import down as down  # the fixture
from tests.integration.test_tamper_evidence import Attacker
from tests.integration.test_tamper_evidence import attacker as attacker  # the fixture

AFTER = T0 + timedelta(days=7)

# --------------------------------------------------------------------------- F01


def _other_kind(attacker: Attacker) -> str:
    return "postgres" if type(attacker).__name__.startswith("Sqlite") else "sqlite"


def test_a_message_moved_far_ahead_is_still_reported_on_the_copy(
    down: tuple[Desk, FailingNotifier], attacker: Attacker, opener: _Opener
) -> None:
    """One message failed at ``T0`` (its wait counts from ``T0``, at attempt 1), then
    due in 2999 by hand: the source names it; copied to the other kind of store,
    the copy keeps the wait's start and names it too."""
    desk, _hook = down
    desk.deliver(T0)
    [(item_id, attempts, _due)] = waiting(desk)
    assert attempts == 1
    attacker.run(
        "UPDATE {s}.outbox SET next_attempt_at = ? WHERE tenant = ? AND id = ?",
        SILENCED,
        "default",
        item_id,
    )
    assert desk.verify(AFTER).problems == (f"outbox item {item_id}: {DUE_TOO_LATE}",)
    source = desk.store
    assert isinstance(source, HistoryStore)
    [item] = source.export_outbox()
    assert (item.waits_from, item.waits_at) == (T0, 1)

    target = opener.store(opener.database(_other_kind(attacker), "target"))
    copy_desk(source, target)
    [copied] = target.export_outbox()
    assert (copied.waits_from, copied.waits_at) == (T0, 1)
    copy = make_desk(store=target, notifiers=[FailingNotifier("hostapi")])
    [problem] = copy.verify(AFTER).problems
    assert problem.startswith(f"outbox item {copied_id(target)}: due later than any retry")


def copied_id(store: ComplaintStore) -> int:
    desk = make_desk(store=store)
    [(item_id, _attempts, _due)] = waiting(desk)
    return item_id


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_an_item_of_an_earlier_export_without_a_wait_start_is_taken_not_judged(
    kind: str, opener: _Opener
) -> None:
    """An item as an earlier release exported it (no ``waits_from``/``waits_at``):
    imported, waiting, due in 2999, and not judged (no start to count from)."""
    store = opener.store(opener.database(kind, "old"))
    item = StoredItem(
        notifier="hostapi",
        dedupe_key="k-1",
        complaint_id="C-1",
        body_json="{}",
        created_at=T0,
        attempts=1,
        next_attempt_at=datetime.fromisoformat(SILENCED),
        last_error="ConnectionError: down",
        delivered_at=None,
    )
    store.import_desk(iter(()), iter([item]), None)
    [back] = store.export_outbox()
    assert (back.waits_from, back.waits_at, back.attempts) == (None, None, 1)
    assert isinstance(store, RetryHealthStore)
    assert store.overlong_retries(timedelta(hours=1)) == []


# --------------------------------------------------------------------------- F03


class Proxy:
    """A host's wrapper around a built-in store: every attribute the inner store's."""

    def __init__(self, inner: ComplaintStore) -> None:
        self._inner = inner
        self.failed: list[int] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class LoggingProxy(Proxy):
    """The wrapper logging each failure through its own ``mark_failed`` (the documented
    ``ComplaintStore`` signature), then recording it in the inner store."""

    def mark_failed(self, item_id: int, error: str, retry_at: datetime) -> None:
        self.failed.append(item_id)
        self._inner.mark_failed(item_id, error, retry_at)


class LoggingHeldProxy(LoggingProxy):
    """The same, logging held failures (a send that timed out) as well."""

    def mark_failed_held(self, item_id: int, error: str, retry_at: datetime) -> None:
        self.failed.append(-item_id)
        self._inner.mark_failed_held(item_id, error, retry_at)


def _inner(kind: str, tmp_path: Path) -> ComplaintStore:
    return SqliteStore(tmp_path / "desk.sqlite3") if kind == "sqlite" else MemoryStore()


@pytest.mark.parametrize("kind", ["sqlite", "memory"])
def test_a_wrapper_with_its_own_mark_failed_hears_each_failed_delivery(
    kind: str, tmp_path: Path
) -> None:
    """Two messages failed in one pass: the wrapper's ``mark_failed`` is called for
    both (it was called for none), each recorded as a failed attempt due again."""
    inner = _inner(kind, tmp_path)
    proxy = LoggingProxy(inner)
    assert isinstance(proxy, RetryHealthStore)  # the inner store's methods, handed out
    desk = make_desk(store=proxy, notifiers=[FailingNotifier("hostapi")])  # type: ignore[arg-type]
    with desk:
        list(desk.receive_many(list(intakes(2, T0)), now=T0))
        assert desk.deliver(T0).failed == 2
        found = waiting(desk)
        assert sorted(proxy.failed) == sorted(i for i, _a, _d in found)
        assert [a for _i, a, _d in found] == [1, 1]
        assert desk.verify(T0 + timedelta(minutes=1)).ok


def test_a_wrapper_with_its_own_mark_failed_held_hears_a_timed_out_send() -> None:
    """A send that timed out is held through the wrapper's ``mark_failed_held``."""
    from tests.integration.test_review_s51r12 import TimingOut

    proxy = LoggingHeldProxy(MemoryStore())
    desk = make_desk(store=proxy, notifiers=[TimingOut("hostapi")])  # type: ignore[arg-type]
    with desk:
        list(desk.receive_many(list(intakes(1, T0)), now=T0))
        desk.deliver(T0)
        [(item_id, attempts, _due)] = waiting(desk)
        assert (attempts, proxy.failed) == (1, [-item_id])


@pytest.mark.parametrize("kind", ["sqlite", "memory"])
def test_a_wrapper_that_only_delegates_keeps_the_desks_time(kind: str, tmp_path: Path) -> None:
    """A wrapper without a ``mark_failed`` of its own: the failure goes through the
    inner store's ``mark_failed_at``, its wait counted from the pass's ``now``, so a
    catch-up pass ten years ahead of the store's clock is no alarm."""
    proxy = Proxy(_inner(kind, tmp_path))
    desk = make_desk(store=proxy, notifiers=[FailingNotifier("hostapi")])  # type: ignore[arg-type]
    with desk:
        list(desk.receive_many(list(intakes(1, T0)), now=T0))
        ahead = T0 + timedelta(days=3650)
        assert desk.deliver(ahead).failed == 1
        assert desk.verify(ahead).ok
