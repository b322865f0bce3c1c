"""Locks by key shared by the threads of a process (HDL-5, HDL-6, IMP-3).

A key is held by one thread at a time; other keys never wait for it; a thread
waits at most the given time, then holds nothing; a forked child starts with
nothing held (s31D F01, F03).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from complaintcore.desk.process_locks import keys_locked


@contextmanager
def held_by_another_thread(keys: set[str]) -> Iterator[None]:
    """``keys`` held by a second thread for the block."""
    taken, done = threading.Event(), threading.Event()

    def hold() -> None:
        with keys_locked(keys) as held:
            assert held
            taken.set()
            done.wait(30)

    worker = threading.Thread(target=hold)
    worker.start()
    assert taken.wait(30)
    try:
        yield
    finally:
        done.set()
        worker.join(30)


@pytest.mark.procedure("HDL-5")
def test_a_key_another_thread_holds_waits_and_other_keys_do_not() -> None:
    with held_by_another_thread({"sunrise|9|repairs"}):
        started = time.monotonic()
        with keys_locked({"sunrise|3|repairs", "person|sunrise|k1"}, wait=5) as held:
            assert held
        assert time.monotonic() - started < 1  # another building never waits for it
        started = time.monotonic()
        with keys_locked({"sunrise|3|repairs", "sunrise|9|repairs"}, wait=0.3) as held:
            assert not held  # given up after the wait, holding none of them
        assert 0.25 < time.monotonic() - started < 3
        with keys_locked({"sunrise|3|repairs"}, wait=0.3) as held:
            assert held  # the one given up on was let go


@pytest.mark.procedure("HDL-5")
def test_a_key_is_held_again_once_let_go_and_again_by_its_own_thread() -> None:
    order: list[str] = []
    with keys_locked({"k"}) as held:
        assert held
        with keys_locked({"k"}) as again:  # the same thread, nested
            assert again

        def second() -> None:
            with keys_locked({"k"}, wait=10) as got:
                order.append(f"second {got}")

        worker = threading.Thread(target=second)
        worker.start()
        time.sleep(0.2)
        order.append("first lets go")
    worker.join(30)
    assert order == ["first lets go", "second True"]


@pytest.mark.procedure("HDL-5")
@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_starts_with_nothing_held() -> None:
    """Forked (a pre-forking web server) while a thread holds a key: the thread is
    not in the child, so the child takes the key at once."""
    with held_by_another_thread({"sunrise|7|repairs"}):
        pid = os.fork()
        if pid == 0:  # the child
            code = 1
            try:
                started = time.monotonic()
                with keys_locked({"sunrise|7|repairs"}, wait=5) as held:
                    code = 0 if held and time.monotonic() - started < 1 else 1
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def _keys_a_set_walks_crosswise() -> tuple[set[str], set[str], str]:
    """Two keys X and Y shared by a two-key set and a larger one, and a key Z of the
    larger set only, such that Python's set order walks X before Y in the two-key
    set and Y, then Z, then X in the larger one (string hashes change per process,
    so they are searched for; ``set()`` of the same object walks the same way in
    ``keys_locked``)."""
    for i in range(5000):
        x, y = f"room|sunrise|{i}", f"grp|sunrise|{i}"
        small, big = {x, y}, {x, y, *(f"grp|sunrise|{i}|{j}" for j in range(6))}
        first, second = [k for k in set(small) if k in (x, y)]
        walk = list(set(big))
        if walk.index(second) + 1 < walk.index(first):
            return small, big, walk[walk.index(second) + 1]
    raise AssertionError("no such sets found")


@pytest.mark.procedure("HDL-5")
@pytest.mark.procedure("IMP-3")
def test_two_threads_asking_overlapping_keys_in_different_orders_both_get_them() -> None:
    """Two intakes of one room in different groups: their key sets overlap.  The
    larger one waits for a key of its own (Z) that another thread holds; the
    two-key one asks meanwhile.  Keys are taken in one order, so neither holds a
    shared key the other has to wait for in a circle: once Z is let go both hold
    all their keys.  Walked in each set's own order, the larger would hold Y and
    wait for X, the two-key one hold X and wait for Y, and one would give up
    (s31G F03)."""
    small, big, own = _keys_a_set_walks_crosswise()
    taken, release = threading.Event(), threading.Event()

    def hold() -> None:
        with keys_locked({own}, wait=5) as held:
            assert held
            taken.set()
            release.wait(5)

    held_by: dict[str, bool] = {}

    def ask(name: str, keys: set[str]) -> None:
        with keys_locked(keys, wait=1.0) as held:
            held_by[name] = held
            time.sleep(0.1)

    holder = threading.Thread(target=hold)
    holder.start()
    assert taken.wait(5)
    larger = threading.Thread(target=ask, args=("eight keys", big))
    larger.start()
    time.sleep(0.2)  # it waits for Z
    two = threading.Thread(target=ask, args=("two keys", small))
    two.start()
    time.sleep(0.2)  # it waits too
    release.set()
    for t in (holder, larger, two):
        t.join(10)
    assert held_by == {"eight keys": True, "two keys": True}


@pytest.mark.procedure("HDL-5")
def test_keys_nobody_holds_or_waits_for_are_forgotten() -> None:
    """Every intake locks its group, complainant and room keys: once let go (by one
    thread, then by four taking turns on a shared key) none is kept, so a
    long-running host's memory stays flat (s31G F05)."""
    from complaintcore.desk import process_locks

    for i in range(1000):
        with keys_locked({f"person|sunrise|f05-{i}", f"room|sunrise|f05-{i}"}) as held:
            assert held

    def take_turns(worker: int) -> None:
        for i in range(200):
            with keys_locked({f"grp|sunrise|f05-{worker}-{i}", "grp|sunrise|f05-shared"}):
                pass

    workers = [threading.Thread(target=take_turns, args=(w,)) for w in range(4)]
    for t in workers:
        t.start()
    for t in workers:
        t.join(30)
    assert [key for key in process_locks._registry.held if "f05-" in key] == []
