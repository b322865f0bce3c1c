"""Locks by key shared by every desk of a process (HDL-5, HDL-6, IMP-3, PEN-2).

Intake decides a concentrated issue, or how often a matter was raised, on what
the store holds; two threads deciding one group at once would each miss the
other's complaint.  A store's own lock (PostgreSQL's group lock) keeps
processes apart; these keep the threads of one process apart, whatever desk
objects or stores they use.  A key is held by one thread at a time; other keys
never wait for it.  The desk prefixes its keys with the store's tenant and
database, so only desks of one tenant on one database share a key (review
s49G F01).
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Collection, Iterator

import attrs

__all__ = ["THREAD_WAIT", "keys_locked"]

THREAD_WAIT = 10.0
"""Seconds a thread waits for keys another thread of the process holds, as a desk
waits for the store's lock: then it decides unlocked (a WARNING)."""


@attrs.define
class _Held:
    lock: threading.RLock
    users: int = 0


@attrs.define
class _Registry:
    mutex: threading.Lock = attrs.Factory(threading.Lock)
    held: dict[str, _Held] = attrs.Factory(dict)

    def enter(self, key: str) -> threading.RLock:
        with self.mutex:
            entry = self.held.get(key)
            if entry is None:
                entry = self.held[key] = _Held(threading.RLock())
            entry.users += 1
            return entry.lock

    def leave(self, key: str) -> None:
        with self.mutex:
            entry = self.held[key]
            entry.users -= 1
            if entry.users == 0:  # nobody holds or waits: forget it (memory stays flat)
                del self.held[key]


_registry = _Registry()


def _forget_after_fork() -> None:
    """A forked child starts with no lock held: the threads that held the parent's
    are not in it."""
    global _registry
    _registry = _Registry()


os.register_at_fork(after_in_child=_forget_after_fork)


@contextlib.contextmanager
def keys_locked(keys: Collection[str], wait: float = THREAD_WAIT) -> Iterator[bool]:
    """Hold ``keys`` for the block; yields whether they are held.  Keys are taken in
    one order, so no two threads wait on each other in a circle; a thread that
    cannot have them all within ``wait`` seconds holds none and yields False."""
    registry = _registry
    taken: list[tuple[str, threading.RLock]] = []
    entered: list[str] = []
    deadline = time.monotonic() + wait
    try:
        for key in sorted(set(keys)):
            lock = registry.enter(key)
            entered.append(key)
            if not lock.acquire(timeout=max(0.0, deadline - time.monotonic())):
                break
            taken.append((key, lock))
        held = len(taken) == len(entered)
        if not held:
            for _key, lock in reversed(taken):
                lock.release()
            taken.clear()
        yield held
    finally:
        for _key, lock in reversed(taken):
            lock.release()
        for key in entered:
            registry.leave(key)
