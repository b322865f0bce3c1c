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
