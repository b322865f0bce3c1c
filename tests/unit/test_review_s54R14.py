"""Re-review s54R14 of the outbox-tamper fix of review s54R6.

F01: a never-tried message retried by hand was named by a ``verify`` run at a
``now`` earlier than the retry's; it is judged from the later of its queueing, the
check's ``now`` and the store's clock.  F02: a host's ``overlong_retries`` behind a
``**kwargs`` proxy or a decorator was passed ``now=`` and ``verify`` died with a
TypeError; only a parameter named ``now`` gets it.  F03: an unreadable retry cell
made ``verify`` stop with a traceback; it is named as unreadable, its value not
shown.  F04: an attempt count below 0 or not a whole number hid a put-off message;
it is named.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from complaintcore import Desk, OutboxStore
from complaintcore.adapters.memory_store import MemoryStore
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.desk.service import _overlong_retries
from complaintcore.testing import FailingNotifier, make_desk
from tests.integration.test_delivery_off_intake import T0, intakes
from tests.integration.test_tamper_evidence import Attacker
from tests.integration.test_tamper_evidence import attacker as attacker  # the fixture
from tests.unit.test_review_s54R6 import DUE_TOO_LATE, LATER, PUT_OFF

HOUR = timedelta(hours=1)


def unreadable(item_id: int, column: str) -> str:
    return f"outbox item {item_id}: outbox.{column} unreadable (edited outside the library)"


def received(store: Any) -> tuple[Desk, int]:
    """A desk whose one channel is down, one complaint received at ``T0``; the id of
    its message (never tried)."""
    desk = make_desk(store=store, notifiers=[FailingNotifier("hostapi")])
    list(desk.receive_many(list(intakes(1, T0)), now=T0))
    assert isinstance(desk.store, OutboxStore)
    [item] = desk.store.waiting()
    assert item.attempts == 0
    return desk, item.id


def edit(path: Path, sets: str, item_id: int) -> None:
    """An insider's UPDATE of the outbox, the guard triggers dropped."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"):
            conn.execute(f"DROP TRIGGER {name}")
        conn.execute(f"UPDATE outbox SET {sets} WHERE id = ?", (item_id,))
    finally:
        conn.close()


# ---------------------------------------------------------------------------- F01


@pytest.fixture
def sqlite_desk(tmp_path: Path) -> Iterator[tuple[Desk, int, Path]]:
    path = tmp_path / "desk.sqlite3"
    desk, item_id = received(SqliteStore(path))
    try:
        yield desk, item_id, path
    finally:
        desk.close()


def test_a_check_as_at_a_time_before_a_retry_by_hand_is_no_problem(
    sqlite_desk: tuple[Desk, int, Path],
) -> None:
    """A retry stamped with a ``now`` not later than the store's clock (the wall
    clock, years after ``LATER``): a check run a day, or a week, before it is clean."""
    desk, item_id, _path = sqlite_desk
    desk.retry_message(item_id, LATER)
    assert desk.verify(LATER - timedelta(days=1)).ok
    assert desk.verify(T0 + timedelta(days=1)).ok
    assert desk.verify(LATER).ok


@pytest.mark.parametrize("store", ["sqlite", "memory"])
def test_a_check_before_a_retry_given_a_later_now_than_the_clock_names_it(
    tmp_path: Path, store: str
) -> None:
    """The known limit: a retry given an explicit ``now`` ahead of the store's clock
    looks like an insider's edit to a check run before it."""

    def clock() -> datetime:
        return T0

    built = (
        SqliteStore(tmp_path / "desk.sqlite3", clock=clock)
        if store == "sqlite"
        else MemoryStore(clock=clock)
    )
    desk, item_id = received(built)
    try:
        desk.retry_message(item_id, LATER)
        assert desk.verify(LATER).ok
        assert desk.verify(LATER - timedelta(minutes=30)).ok  # inside the longest wait
        assert desk.verify(LATER - timedelta(days=1)).problems == (
            f"outbox item {item_id}: {DUE_TOO_LATE}",
        )
    finally:
        desk.close()


def test_the_s54r6_evasions_stay_named_by_a_check_behind_the_clock(
    sqlite_desk: tuple[Desk, int, Path],
) -> None:
    """The store's clock only lowers the bar to itself: 2099 is still too late."""
    desk, item_id, path = sqlite_desk
    edit(path, f"next_attempt_at = '{PUT_OFF}', waits_from = '{PUT_OFF}'", item_id)
    assert desk.verify(T0 + timedelta(days=1)).problems == (
        f"outbox item {item_id}: {DUE_TOO_LATE}",
    )


# ---------------------------------------------------------------------------- F02


class OldHost:
    """A host's store of the documented signature: ``now`` is refused."""

    def overlong_retries(self, longest: timedelta) -> list[int]:
        return [7] if longest else []


class Forwarding:
    """A host's logging proxy: forwards every call as given."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def overlong_retries(self, *args: Any, **kwargs: Any) -> list[int]:
        found: list[int] = self._inner.overlong_retries(*args, **kwargs)
        return found


def timed(method: Callable[..., list[int]]) -> Callable[..., list[int]]:
    """A host's decorator written without ``functools.wraps``."""

    def wrapper(*args: Any, **kwargs: Any) -> list[int]:
        return method(*args, **kwargs)

    return wrapper


class Decorated:
    @timed
    def overlong_retries(self, longest: timedelta) -> list[int]:
        return [9] if longest else []


class Wrapped:
    """A decorator with ``functools.wraps``: the signature it shows names ``now``."""

    @staticmethod
    def _timed(method: Callable[..., list[int]]) -> Callable[..., list[int]]:
        @functools.wraps(method)
        def wrapper(*args: Any, **kwargs: Any) -> list[int]:
            return method(*args, **kwargs)

        return wrapper

    @_timed
    def overlong_retries(self, longest: timedelta, *, now: datetime | None = None) -> list[int]:
        return [10] if now == LATER else []


@pytest.mark.parametrize(
    ("store", "found"),
    [(Forwarding(OldHost()), [7]), (Decorated(), [9]), (Wrapped(), [10])],
    ids=["kwargs proxy", "decorator", "wraps"],
)
def test_a_hosts_wrapped_store_is_asked_as_documented(store: Any, found: list[int]) -> None:
    assert _overlong_retries(store, HOUR, LATER) == found


def test_verify_over_a_hosts_forwarding_proxy_runs(tmp_path: Path) -> None:
    class Proxy(Forwarding):
        def __getattr__(self, name: str) -> Any:
            return getattr(self._inner, name)

    class Old(SqliteStore):
        def overlong_retries(self, longest: timedelta) -> list[int]:  # type: ignore[override]
            return SqliteStore.overlong_retries(self, longest)

    path = tmp_path / "desk.sqlite3"
    desk, _item_id = received(SqliteStore(path))
    desk.close()
    old = Old(path)
    proxied = make_desk(store=old, notifiers=[FailingNotifier("hostapi")])
    try:
        assert _overlong_retries(Proxy(old), HOUR, LATER) == []  # type: ignore[arg-type]
        assert proxied.verify(LATER).ok
    finally:
        proxied.close()


# ---------------------------------------------------------------------- F03, F04


@pytest.mark.parametrize(
    ("sets", "column"),
    [
        ("next_attempt_at = 'zzz'", "next_attempt_at"),
        ("next_attempt_at = 'zzz', waits_from = NULL", "next_attempt_at"),
        (
            "next_attempt_at = CAST('2025-11-11T01:30:00.000000+00:00' AS BLOB), waits_from = NULL",
            "next_attempt_at",
        ),
        ("next_attempt_at = '2099-01-01T00:00:00', waits_from = NULL", "next_attempt_at"),
        ("waits_from = 'zzz'", "waits_from"),
        (f"next_attempt_at = '{PUT_OFF}', attempts = -1", "attempts"),
        (f"next_attempt_at = '{PUT_OFF}', attempts = -1, waits_at = -1", "attempts"),
        (f"next_attempt_at = '{PUT_OFF}', attempts = 0.5", "attempts"),
    ],
)
def test_an_unreadable_retry_cell_is_named_not_a_traceback(
    sqlite_desk: tuple[Desk, int, Path], sets: str, column: str
) -> None:
    desk, item_id, path = sqlite_desk
    desk.retry_message(item_id, T0)  # a retry time and a wait start
    edit(path, sets, item_id)
    problems = desk.verify(LATER).problems
    assert problems == (unreadable(item_id, column),)
    assert not any("zzz" in p or "2099" in p for p in problems)  # never the value
    head = desk.store.verify().head
    assert desk.verify(LATER, expect=head).problems == problems


def test_an_unreadable_cell_does_not_stop_the_check_of_the_other_rows(tmp_path: Path) -> None:
    path = tmp_path / "desk.sqlite3"
    desk = make_desk(store=SqliteStore(path), notifiers=[FailingNotifier("hostapi")])
    try:
        list(desk.receive_many(list(intakes(2, T0)), now=T0))
        assert isinstance(desk.store, OutboxStore)
        first, second = (i.id for i in desk.store.waiting())
        edit(path, "next_attempt_at = 'zzz'", first)
        edit(path, f"next_attempt_at = '{PUT_OFF}', waits_from = NULL", second)
        assert desk.verify(LATER).problems == (
            f"outbox item {second}: {DUE_TOO_LATE}",
            unreadable(first, "next_attempt_at"),
        )
    finally:
        desk.close()


def test_an_attempt_count_below_zero_is_named_on_both_stores(attacker: Attacker) -> None:
    desk, item_id = received(attacker.open())
    try:
        attacker.run(
            "UPDATE {s}.outbox SET next_attempt_at = ?, attempts = -1, waits_at = -1"
            " WHERE tenant = ? AND id = ?",
            PUT_OFF,
            "default",
            item_id,
        )
        assert desk.verify(LATER).problems == (unreadable(item_id, "attempts"),)
    finally:
        desk.close()


def test_the_memory_store_names_them_too() -> None:
    store = MemoryStore()
    desk, item_id = received(store)
    desk.retry_message(item_id, LATER)
    item = store._outbox[item_id]
    item.next_attempt_at = "zzz"
    assert desk.verify(LATER).problems == (unreadable(item_id, "next_attempt_at"),)
    item.next_attempt_at = PUT_OFF
    item.attempts = -1
    assert desk.verify(LATER).problems == (unreadable(item_id, "attempts"),)
