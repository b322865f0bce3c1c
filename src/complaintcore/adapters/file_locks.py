"""Locks by key between the processes of one machine, as OS file locks (HDL-5, HDL-6, IMP-3, PEN-2).

:class:`~complaintcore.adapters.sqlite_store.SqliteStore` keeps the desks of
every process on one SQLite file apart while they decide a group, a person's
matter or a month (its ``group_lock``): a key is hashed to one of
:data:`BUCKETS` small files in a directory next to the database
(``<database>.locks/00`` … ``63``), and the lock is ``flock(LOCK_EX)`` on the
bucket files, taken in sorted order so two holders never wait on each other in
a circle.  Each holding opens the files it needs and closes them when the block
ends (which releases them), so no descriptor stays open per key or per store.

``flock`` conflicts between separate open descriptions of a file, so two
threads, or two stores on one file, in one process wait for each other like two
processes do.  A thread that already holds a bucket (through any store on the
file) enters it again without waiting, as the process's own key locks do
(:func:`complaintcore.desk.process_locks.keys_locked`): it would otherwise wait
on itself.  The lock goes with the process if it dies.  Without :mod:`fcntl`
(Windows) there is no such lock: :data:`AVAILABLE` is false.
"""

from __future__ import annotations

import contextlib
import os
import stat
import threading
import time
import zlib
from collections.abc import Collection, Iterator
from types import ModuleType

from complaintcore.core.errors import StoreError

fcntl: ModuleType | None
try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

__all__ = ["AVAILABLE", "BUCKETS", "GROUP_LOCK_WAIT", "buckets_locked", "lock_buckets"]

AVAILABLE = fcntl is not None
"""Whether the platform has ``flock`` (not on Windows)."""

BUCKETS = 64
"""Lock files per database: every key is one of them."""

GROUP_LOCK_WAIT = 10.0
"""Seconds a desk waits for a bucket another holder has (as for PostgreSQL's
group lock) before it decides without it (a WARNING)."""


def _busy(wait: float) -> str:
    return (
        f"the group's lock stayed taken for {wait:g} s (another desk receiving"
        " the same building's complaints): grouped without it, repaired after commit"
    )


_first_poll, _last_poll = 0.0005, 0.02


class _Mine(threading.local):
    """The buckets this thread holds: ``(directory, bucket)`` -> times entered."""

    def __init__(self) -> None:
        self.held: dict[tuple[str, int], int] = {}


_mine = _Mine()

_guard = threading.Lock()
"""Held while a lock file's descriptor is opened or closed, and across a fork, so a
child never inherits one the registry below does not name."""

_open_fds: dict[int, object] = {}
"""The lock files' descriptors open in this process, each with its holding's token."""


def _before_fork() -> None:
    _guard.acquire()


def _after_fork_in_parent() -> None:
    _guard.release()


def _forget_after_fork() -> None:
    """A forked child holds nothing of its own: it waits for its parent like anyone.
    It closes its copies of the lock files' descriptors: ``flock`` belongs to the
    open file, which the child's copy would keep locked after the parent's holder
    let go, for as long as the child lives (review s45A F04).  Closing the copy
    leaves the parent's lock as it is."""
    global _mine
    _mine = _Mine()
    for fd in _open_fds:
        with contextlib.suppress(OSError):
            os.close(fd)
    _open_fds.clear()
    _guard.release()


os.register_at_fork(
    before=_before_fork,
    after_in_parent=_after_fork_in_parent,
    after_in_child=_forget_after_fork,
)


def lock_buckets(keys: Collection[str], salt: str = "") -> list[int]:
    """The buckets of ``keys``, in the order they are taken (the same in every process)."""
    return sorted(
        {zlib.crc32(f"{salt}|{k}".encode("utf-8", "surrogatepass")) % BUCKETS for k in keys}
    )


Owner = tuple[int, int]
"""The database file's ``(uid, gid)``: whose the lock files are made."""


def _owner_ids(current: os.stat_result, owner: Owner | None) -> tuple[int, int] | None:
    """The ``(uid, gid)`` to give a new lock file or directory (-1: left), or None.

    Root gives them the database's owner and group, as SQLite does its -wal and
    -shm files, so a desk's own user can lock what root's importer made (review
    s45A F03); anyone else the database's group, where it is not theirs already
    (allowed to its members), so every user of a desk shared through a group can
    (F02)."""
    if owner is None:
        return None
    uid, gid = owner
    if os.geteuid() == 0:
        return None if (current.st_uid, current.st_gid) == owner else (uid, gid)
    return None if current.st_gid == gid else (-1, gid)


def _make_directory(directory: str, mode: int, owner: Owner | None) -> None:
    """The lock directory, with ``x`` where the database has ``r``; a setgid bit it
    inherited (a directory shared through a group) is kept, so files made in it
    take its group."""
    dmode = mode | (mode & 0o444) >> 2  # x where r: a directory to enter
    with contextlib.suppress(FileExistsError):
        os.mkdir(directory, dmode)
        ids = _owner_ids(os.stat(directory), owner)
        if ids is not None:
            with contextlib.suppress(OSError):  # not allowed: the lock is tried as it is
                os.chown(directory, *ids)
        os.chmod(directory, dmode | (os.stat(directory).st_mode & stat.S_ISGID))


def _open(directory: str, bucket: int, mode: int, owner: Owner | None = None) -> int:
    """A new descriptor on the bucket's file, made (with ``mode``, whatever the
    umask, and ``owner``'s ids where allowed) when missing.  Read-only: ``flock``
    needs no more, so a desk user allowed to read the lock files can lock them."""
    path = os.path.join(directory, f"{bucket:02d}")
    try:
        return os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        pass
    _make_directory(directory, mode, owner)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError:  # another process made it meanwhile
        return os.open(path, os.O_RDONLY)
    try:
        ids = _owner_ids(os.fstat(fd), owner)
        if ids is not None:
            with contextlib.suppress(OSError):
                os.fchown(fd, *ids)
        os.fchmod(fd, mode)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _opened(directory: str, bucket: int, mode: int, owner: Owner | None, token: object) -> int:
    """:func:`_open`, the descriptor named in the registry at once (no fork between)."""
    with _guard:
        fd = _open(directory, bucket, mode, owner)
        _open_fds[fd] = token
    return fd


def _closed(fd: int, token: object) -> None:
    """Close a holding's descriptor, unless a fork closed it already (in the child,
    where the number may name another file since)."""
    with _guard:
        if _open_fds.get(fd) is token:
            del _open_fds[fd]
            os.close(fd)  # closing the only descriptor of the open file releases its flock


def _take(fd: int, deadline: float) -> bool:
    """``flock(LOCK_EX)`` on ``fd`` by the deadline; whether it is held."""
    assert fcntl is not None
    pause = _first_poll
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            time.sleep(min(pause, left))
            pause = min(pause * 2, _last_poll)


@contextlib.contextmanager
def buckets_locked(
    directory: str,
    buckets: Collection[int],
    *,
    mode: int,
    where: str,
    wait: float | None = None,
    owner: Owner | None = None,
) -> Iterator[None]:
    """Hold the ``buckets`` of ``directory`` until the block ends (lock files made
    with ``mode``, and ``owner``'s uid and gid: the database's, see :func:`_owner_ids`).

    Taken in sorted order, each on a descriptor of its own, closed when the block
    ends (or when they cannot all be had).  A bucket this thread already holds is
    entered again.

    :raises StoreError: (naming ``where``) a bucket stayed taken for ``wait``
        seconds (:data:`GROUP_LOCK_WAIT` unless given), or a lock file cannot be
        made or opened; none is held then.
    """
    if fcntl is None:  # pragma: no cover - Windows: no lock between processes
        yield
        return
    held = _mine.held
    token = object()  # this holding's, in the registry of open descriptors
    opened: list[int] = []
    entered: list[tuple[str, int]] = []
    wait = GROUP_LOCK_WAIT if wait is None else wait
    deadline = time.monotonic() + wait
    try:
        for bucket in sorted(set(buckets)):
            here = (directory, bucket)
            if here not in held:
                try:
                    fd = _opened(directory, bucket, mode, owner, token)
                except OSError as exc:
                    raise StoreError(
                        where, f"cannot open the group's lock file ({exc.strerror or exc})"
                    ) from exc
                opened.append(fd)
                if not _take(fd, deadline):
                    raise StoreError(where, _busy(wait))
            held[here] = held.get(here, 0) + 1
            entered.append(here)
        yield
    finally:
        for here in entered:
            held[here] -= 1
            if not held[here]:
                del held[here]
        for fd in reversed(opened):
            _closed(fd, token)
