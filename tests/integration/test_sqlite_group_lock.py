"""SQLite's group lock between processes on one machine (reviews s43G F01, s43A F02).

Desks of several processes on one SQLite file receive one owner's raisings, or
one group's complaints, at the same moment.  ``SqliteStore.group_lock`` (OS file
locks next to the database) makes them decide one after another, each on all
the others stored: the raisings are linked and the third is raised repeatedly
(IMP-3, GRD-2), and the group is one issue named after its earliest complaint
(HDL-5).  The processes are spawned, each with its own desk and store.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import shutil
import stat
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from complaintcore.adapters import file_locks
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.core.errors import StoreError
from complaintcore.core.models import Complainant, Intake, Linked
from complaintcore.desk import Desk
from complaintcore.desk.ports import GroupLockStore
from complaintcore.testing import RecordingNotifier, make_desk
from tests.helpers import SH

pytestmark = pytest.mark.skipif(not file_locks.AVAILABLE, reason="no flock (Windows)")

T0 = datetime(2025, 11, 3, 10, 0, tzinfo=SH)  # a Monday: customer service on duty
LEAK = "9号楼水管漏水"
CUSTOMER_SERVICE = ["SR-001", "SR-101", "SR-102", "SR-103"]
OWNER = Complainant("王小明", "13812345678", "3-2-1201", "3", "sunrise")
CEILING = "卫生间天花板漏水，楼上渗水"


def owner(n: int) -> Complainant:
    return Complainant(f"业主{n}", f"1390000{n:04d}", f"9-1-{n:02d}01", "9", "sunrise")


def intake(who: Complainant, at: datetime, summary: str = LEAK) -> Intake:
    return Intake(
        complainant=who,
        channel="phone",
        received_at=at,
        receiver="SR-103",
        summary=summary,
        site="sunrise",
    )


def desk_on(path: Path, notes: RecordingNotifier | None = None) -> Desk:
    return make_desk(store=SqliteStore(path), notifiers=[notes or RecordingNotifier()])


def told(desk: Desk, notes: RecordingNotifier, topic: str) -> list[str]:
    """Who got ``topic``, once the outbox (every process's) is sent."""
    desk.deliver(T0 + timedelta(days=30))
    return sorted(n.recipient for n, _ in notes.sent if n.topic == topic)


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


# --------------------------------------------------------------------------- the lock


@pytest.mark.procedure("HDL-5")
def test_two_stores_on_one_file_take_turns_and_a_wait_is_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two store objects of one process: another thread waits for the holder (the
    file locks of separate descriptors conflict), the holding thread enters again
    (as the process's own key locks let it), and a wait past the bound is a
    StoreError the desk logs and decides without."""
    path = tmp_path / "desk.sqlite3"
    mine, other = SqliteStore(path), SqliteStore(path)
    assert isinstance(mine, GroupLockStore)
    waited: list[float] = []

    def take() -> None:
        start = time.monotonic()
        with other.group_lock(["sunrise|9|repairs"]):
            waited.append(time.monotonic() - start)

    with mine.group_lock(["sunrise|9|repairs", "raiser|7"]):
        thread = threading.Thread(target=take)
        thread.start()
        time.sleep(0.3)
        assert not waited  # still waiting
        with other.group_lock(["sunrise|9|repairs"]):  # the holding thread enters again
            pass
        monkeypatch.setattr(file_locks, "GROUP_LOCK_WAIT", 0.2)
        refused: list[BaseException] = []

        def late() -> None:
            try:
                with other.group_lock(["raiser|7"]):
                    pass
            except StoreError as exc:
                refused.append(exc)

        waiter = threading.Thread(target=late)
        waiter.start()
        waiter.join(5)
        assert len(refused) == 1
        assert "stayed taken for 0.2 s" in str(refused[0])
        assert str(path) in str(refused[0])
    thread.join(5)
    assert len(waited) == 1
    assert waited[0] >= 0.25
    mine.close()
    other.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="counts /proc/self/fd")
def test_the_lock_files_are_the_databases_and_none_stays_open(tmp_path: Path) -> None:
    """A batch's thousand keys take at most the 64 bucket files, made with the
    database's permissions (not the umask's), closed when the block ends."""
    path = tmp_path / "desk.sqlite3"
    store = SqliteStore(path)
    store.close()
    os.chmod(path, 0o660)
    store = SqliteStore(path)
    before = open_fds()
    keys = [f"raiser|{n}" for n in range(1000)]
    with store.group_lock(keys):
        assert open_fds() == before + file_locks.BUCKETS
    assert open_fds() == before
    files = sorted(os.listdir(f"{path}.locks"))
    assert files == [f"{n:02d}" for n in range(file_locks.BUCKETS)]
    assert stat.S_IMODE(os.stat(f"{path}.locks/00").st_mode) == 0o660
    assert stat.S_IMODE(os.stat(f"{path}.locks").st_mode) == 0o770
    with store.group_lock([]):  # no key, no file
        assert open_fds() == before
    store.close()


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_child_forked_while_a_lock_is_held_does_not_keep_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another thread forks (a fork-start pool worker that never touches the desk)
    while an intake holds a group: once the intake's block ends, the group is free
    for this process and others, though the child lives on (review s45A F04).
    The child's copy of the descriptor is closed at the fork; the parent's lock
    stays held until its block ends."""
    monkeypatch.setattr(file_locks, "GROUP_LOCK_WAIT", 0.5)
    path = tmp_path / "desk.sqlite3"
    store, other = SqliteStore(path), SqliteStore(path)
    holding, forked = threading.Event(), threading.Event()
    child: list[int] = []

    def intake() -> None:
        with store.group_lock(["sunrise|9|repairs"]):
            holding.set()
            forked.wait(10)

    holder = threading.Thread(target=intake)
    holder.start()
    try:
        assert holding.wait(10)
        pid = os.fork()
        if pid == 0:  # the child: lives on, touching nothing
            time.sleep(30)
            os._exit(0)
        child.append(pid)
        # the parent's holder has it
        with (
            pytest.raises(StoreError, match="stayed taken"),
            other.group_lock(["sunrise|9|repairs"]),
        ):
            pass
        forked.set()
        holder.join(10)
        started = time.monotonic()
        with other.group_lock(["sunrise|9|repairs"]):
            assert time.monotonic() - started < 0.25
    finally:
        forked.set()
        holder.join(10)
        for pid in child:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        store.close()
        other.close()


root_only = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0,
    reason="switches OS users (setuid), which needs root",
)


def _lock_as(path: Path, uid: int, gid: int, groups: list[int], keys: list[str]) -> int:
    """Take ``keys``' group lock as another OS user, in a forked child: its exit code
    (0: held; 1: refused with a StoreError, as an intake would go on unlocked)."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 2
        try:
            os.setgroups(groups)
            os.setgid(gid)
            os.setuid(uid)
            store = SqliteStore(path)
            try:
                with store.group_lock(keys):
                    code = 0
            except StoreError:
                code = 1
            store.close()
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A directory other OS users can reach (pytest's own is root's alone)."""
    top = Path(tempfile.mkdtemp(prefix="complaintcore-locks-", dir="/tmp"))
    os.chmod(top, 0o755)
    try:
        yield top
    finally:
        shutil.rmtree(top)


DESK_GROUP, CLERK_A, CLERK_B = 42000, 42001, 42002


@root_only
def test_a_desk_shared_through_a_setgid_group_directory_is_locked_for_every_member(
    shared_dir: Path,
) -> None:
    """The usual sharing: a directory of mode 2770 and the desk's group, the database
    0660; two clerks, each with their own primary group, both in the desk's group.
    The lock directory keeps the setgid bit and every lock file the desk's group,
    so each clerk can lock what the other made (review s45A F02)."""
    desk_dir = shared_dir / "desk"
    desk_dir.mkdir()
    path = desk_dir / "complaints.sqlite3"
    SqliteStore(path).close()
    for p in (desk_dir, *desk_dir.iterdir()):
        os.chown(p, 0, DESK_GROUP)
    os.chmod(desk_dir, 0o2770)
    for p in desk_dir.iterdir():
        os.chmod(p, 0o660)
    assert _lock_as(path, CLERK_A, CLERK_A, [DESK_GROUP], ["sunrise|10|lift"]) == 0
    every_bucket = [f"raiser|{n}" for n in range(1000)]
    assert _lock_as(path, CLERK_B, CLERK_B, [DESK_GROUP], every_bucket) == 0
    locks = Path(f"{path}.locks")
    st = os.stat(locks)
    assert st.st_mode & stat.S_ISGID
    assert st.st_gid == DESK_GROUP
    assert {os.stat(f).st_gid for f in locks.iterdir()} == {DESK_GROUP}
    assert _lock_as(path, CLERK_A, CLERK_A, [DESK_GROUP], every_bucket) == 0


@root_only
def test_lock_files_root_makes_first_are_the_desk_users(shared_dir: Path) -> None:
    """A root cron job or importer takes the lock first on a desk owned by the web
    workers' user: the lock directory and files it makes are that user's and
    group's, as SQLite makes its -wal and -shm files, so the web workers can lock
    them afterwards (review s45A F03)."""
    desk_dir = shared_dir / "desk"
    desk_dir.mkdir()
    path = desk_dir / "complaints.sqlite3"
    SqliteStore(path).close()
    for p in (desk_dir, *desk_dir.iterdir()):
        os.chown(p, CLERK_A, CLERK_A)
    store = SqliteStore(path)  # as root
    with store.group_lock(["sunrise|9|leak"]):
        pass
    store.close()
    locks = Path(f"{path}.locks")
    made = [locks, *locks.iterdir()]
    assert len(made) == 2
    assert {(os.stat(f).st_uid, os.stat(f).st_gid) for f in made} == {(CLERK_A, CLERK_A)}
    every_bucket = [f"raiser|{n}" for n in range(1000)]
    assert _lock_as(path, CLERK_A, CLERK_A, [], every_bucket) == 0


def test_a_relative_path_names_one_file_after_the_host_changes_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store opened by a relative path; the host then changes directory (a daemon's
    chdir("/")); a request thread's first connection opens the same file, next to
    the same lock directory, not an empty one of that name (review s45A F06)."""
    here, elsewhere = tmp_path / "desk", tmp_path / "elsewhere"
    here.mkdir()
    elsewhere.mkdir()
    monkeypatch.chdir(here)
    with desk_on(Path("complaints.sqlite3")) as desk:
        monkeypatch.chdir(elsewhere)
        got: list[Any] = []

        def request() -> None:
            try:
                got.append(desk.receive(intake(OWNER, T0), now=T0))
            except Exception as exc:  # the assertion below names it
                got.append(exc)

        thread = threading.Thread(target=request)
        thread.start()
        thread.join(60)
        assert not isinstance(got[0], Exception), got
        assert [r.id for r in desk.store.rows()] == [got[0].id]
    assert list(elsewhere.iterdir()) == []
    assert (here / "complaints.sqlite3.locks").is_dir()


def test_an_in_memory_database_is_refused_as_before() -> None:
    """There is no in-memory SqliteStore (MemoryStore is that), so no lock file of one."""
    with pytest.raises(Exception, match="in-memory"):
        SqliteStore(":memory:")


# --------------------------------------------------------------------------- IMP-3, GRD-2


def _raise_again(path: str, ready: Any, go: Any, done: Any) -> None:
    """Another process's desk: the owner's third raising, once ``go`` is given."""
    with desk_on(Path(path)) as desk:
        desk.store.rows(limit=1)  # opened before the start line
        ready.set()
        go.wait(60)
        at = T0 + timedelta(days=2, minutes=2)
        desk.receive(intake(OWNER, at, CEILING), now=at, validity="valid")
        done.set()


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
def test_raisings_of_one_owner_received_by_two_processes_at_once_are_linked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The owner raised the leak on 3 Nov; on 5 Nov he calls twice, 10:01 and 10:02,
    and two processes receive the calls at the same moment: the other process's
    intake starts after this one has read the earlier raisings.  It waits for this
    one's commit, so the 10:02 call is the third raising, raised repeatedly, and
    customer service is told once (review s43G F01).  Unlocked, the other
    process stores it in between, each misses the other and none is the third."""
    path = tmp_path / "desk.sqlite3"
    notes = RecordingNotifier()
    with desk_on(path, notes) as desk:
        first = desk.receive(intake(OWNER, T0, CEILING), now=T0, validity="valid")
        ctx = multiprocessing.get_context("spawn")
        ready, go, done = ctx.Event(), ctx.Event(), ctx.Event()
        other = ctx.Process(target=_raise_again, args=(str(path), ready, go, done))
        other.start()
        try:
            assert ready.wait(120)
            create = desk.store.create
            crossed: list[bool] = []

            def raced(*args: Any, **kwargs: Any) -> Any:
                # read and decided; the other process's intake starts now
                go.set()
                crossed.append(done.wait(3))
                return create(*args, **kwargs)

            monkeypatch.setattr(desk.store, "create", raced)
            at = T0 + timedelta(days=2, minutes=1)
            second = desk.receive(intake(OWNER, at, CEILING), now=at, validity="valid")
            monkeypatch.undo()
        finally:
            other.join(120)
        assert other.exitcode == 0
        assert crossed == [False]  # the other could not store in between
        rows = sorted(desk.store.rows(), key=lambda r: r.received_at)
        assert [r.id for r in rows[:2]] == [first.id, second.id]
        third = desk.get(rows[2].id)
        (link,) = [e for e in third.events if isinstance(e, Linked) and e.raisings]
        assert link.same_complainant == (second.id, first.id)
        assert (link.raisings, link.raised_repeatedly) == (3, True)
        desk.deliver(T0 + timedelta(days=30))
        repeated = [n for n, _ in notes.sent if n.topic == "raised_repeatedly"]
        assert [n.complaint_id for n in repeated] == [third.id]
        assert desk.verify(T0 + timedelta(days=3)).ok


def _raise_later_first(path: str, holding: Any) -> None:
    """Another process's desk: the owner's 10:02 call, its lock held a moment before
    it stores (``holding`` given then), as a slower intake in this process waits."""
    with desk_on(Path(path)) as desk:
        store: Any = desk.store
        create = store.create

        def slow(*args: Any, **kwargs: Any) -> Any:
            holding.set()
            time.sleep(0.5)
            return create(*args, **kwargs)

        store.create = slow
        at = T0 + timedelta(days=2, minutes=2)
        desk.receive(intake(OWNER, at, CEILING), now=at, validity="valid")


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
def test_a_later_raising_stored_first_by_another_process_is_still_the_third(
    tmp_path: Path,
) -> None:
    """As above, but the 10:02 call's process takes the lock first, and this
    process's 10:01 intake waits for it (a GC pause, a slow request).  The 10:02
    call is still the third raising, raised repeatedly, the two earlier ones are
    marked so, and customer service is told once (review s45A F01)."""
    path = tmp_path / "desk.sqlite3"
    notes = RecordingNotifier()
    with desk_on(path, notes) as desk:
        first = desk.receive(intake(OWNER, T0, CEILING), now=T0, validity="valid")
        ctx = multiprocessing.get_context("spawn")
        holding = ctx.Event()
        other = ctx.Process(target=_raise_later_first, args=(str(path), holding))
        other.start()
        try:
            assert holding.wait(120)
            at = T0 + timedelta(days=2, minutes=1)
            second = desk.receive(intake(OWNER, at, CEILING), now=at, validity="valid")
        finally:
            other.join(120)
        assert other.exitcode == 0
        rows = sorted(desk.store.rows(), key=lambda r: r.received_at)
        assert [r.id for r in rows[:2]] == [first.id, second.id]
        third = desk.get(rows[2].id)
        own = [e for e in third.events if isinstance(e, Linked) and not e.repeated_by]
        assert own[0].raisings == 2  # what it saw when it was stored
        assert own[-1].same_complainant == (second.id, first.id)
        assert (own[-1].raisings, own[-1].raised_repeatedly) == (3, True)
        for earlier in (first.id, second.id):
            marks = [e for e in desk.get(earlier).events if isinstance(e, Linked)]
            assert any(e.repeated_by == third.id and e.raised_repeatedly for e in marks)
        desk.deliver(T0 + timedelta(days=30))
        repeated = [n for n, _ in notes.sent if n.topic == "raised_repeatedly"]
        assert [n.complaint_id for n in repeated] == [third.id]
        assert desk.verify(T0 + timedelta(days=3)).ok


# --------------------------------------------------------------------------- HDL-5


def _receive_group(path: str, numbers: list[int], start: Any, read: Any) -> None:
    """One process's receipts of building 9's leak; ``read``: a meeting every process
    reaches once it has read the group, before it writes (kept apart, one at a
    time gets there and the meeting times out)."""
    with desk_on(Path(path)) as desk:
        store: Any = desk.store
        met: list[bool] = []
        for name in ("open_similar", "open_similar_many"):
            asked = getattr(store, name)

            def meet(*args: Any, _asked: Any = asked, **kwargs: Any) -> Any:
                found = _asked(*args, **kwargs)
                if not met:  # its first decision's read
                    met.append(True)
                    with contextlib.suppress(threading.BrokenBarrierError):
                        read.wait(3)
                return found

            setattr(store, name, meet)
        store.rows(limit=1)  # opened before the start line
        start.wait(60)
        for n in numbers:
            at = T0 + timedelta(minutes=n)
            desk.receive(intake(owner(n), at), now=T0 + timedelta(minutes=30))


@pytest.mark.procedure("HDL-5")
def test_a_group_received_by_several_processes_at_once_is_one_issue(tmp_path: Path) -> None:
    """One owner of building 9 reported a leak at 10:00; three processes receive six
    more owners' reports of it (10:02 … 10:07) at the same moment.  They take turns
    on the group, so the seven form one issue, named after the earliest (10:00)
    complaint, and customer service is told once (review s43A F02: unlocked, one
    matter could come out as issues named crosswise)."""
    path = tmp_path / "desk.sqlite3"
    notes = RecordingNotifier()
    with desk_on(path) as desk:
        first = desk.receive(intake(owner(0), T0), now=T0)
    ctx = multiprocessing.get_context("spawn")
    start, read = ctx.Barrier(3), ctx.Barrier(3)
    procs = [
        ctx.Process(target=_receive_group, args=(str(path), numbers, start, read))
        for numbers in ([4, 5], [2, 7], [6, 3])
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    assert read.broken  # the meeting timed out: never two at once
    with desk_on(path, notes) as desk:
        rows = sorted(desk.store.rows(), key=lambda r: r.received_at)
        assert len(rows) == 7
        assert rows[0].id == first.id
        assert Counter(r.issue for r in rows) == {f"I-{first.id}": 7}
        assert told(desk, notes, "concentrated_issue") == CUSTOMER_SERVICE
        assert desk.verify(T0 + timedelta(hours=1)).ok
