"""Reclassifications into one group at the same moment (review s43A F01, HDL-5).

An owner of building 9 reported a leak (repairs, 10:00); two more owners' reports
were filed under cleaning (10:01, 10:02), and two staff reclassify them as repairs
at the same moment.  That is 3 complainants of one building within 72 h, one
concentrated issue (cn-property min_complainants = 3) named after the leak's
complaint, the earliest, and customer service told of it once, as two
reclassifications one after the other would have it (docs/desk.md: "grouped the
same way when its category changes").  Each race is staged as
``test_intake_races.py`` stages intake's: the other desk's commit runs right
before this desk's write.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from complaintcore.adapters.postgres_store import PostgresStore
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.core.models import Complainant, Complaint, Intake
from complaintcore.core.workflow import Classify
from complaintcore.desk import Desk
from complaintcore.testing import RecordingNotifier, make_desk
from tests.helpers import SH
from tests.postgres_server import PgDatabase

T0 = datetime(2025, 11, 3, 10, 0, tzinfo=SH)  # a Monday: customer service on duty
AT = T0 + timedelta(hours=1)
LEAK = "9号楼水管漏水"
LITTER = "楼道垃圾没人打扫，有异味"
CUSTOMER_SERVICE = ["SR-001", "SR-101", "SR-102", "SR-103"]


def owner(n: int) -> Complainant:
    return Complainant(f"业主{n}", f"1390000{n:04d}", f"9-1-{n:02d}01", "9", "sunrise")


def intake(n: int, summary: str) -> Intake:
    return Intake(
        complainant=owner(n),
        channel="phone",
        received_at=T0 + timedelta(minutes=n - 1),
        receiver="SR-103",
        summary=summary,
        site="sunrise",
    )


def three_reports(desk: Desk) -> list[Complaint]:
    """The leak (repairs) and two reports filed under cleaning."""
    filed = [
        desk.receive(intake(n, summary), now=T0 + timedelta(minutes=n - 1))
        for n, summary in ((1, LEAK), (2, LITTER), (3, LITTER))
    ]
    assert [c.state.category for c in filed] == ["repairs", "cleaning", "cleaning"]
    return filed


def to_repairs(actor: str) -> Classify:
    return Classify(actor=actor, category="repairs")


@pytest.fixture
def notes() -> RecordingNotifier:
    return RecordingNotifier()


@pytest.fixture
def desks(tmp_path: Path, notes: RecordingNotifier) -> Iterator[tuple[Desk, Desk]]:
    """Two desks on one SQLite file (two processes', or two request threads')."""
    path = tmp_path / "desk.sqlite3"
    with (
        make_desk(store=SqliteStore(path), notifiers=[notes]) as mine,
        make_desk(store=SqliteStore(path), notifiers=[notes]) as other,
    ):
        yield mine, other


def before_write(
    monkeypatch: pytest.MonkeyPatch, store: Any, meanwhile: Callable[[], None]
) -> None:
    """Run ``meanwhile`` once, right before ``store.append`` writes: after this desk
    has read the group and decided."""
    write = store.append
    done: list[bool] = []

    def raced(*args: Any, **kwargs: Any) -> Any:
        if not done:
            done.append(True)
            meanwhile()
        return write(*args, **kwargs)

    monkeypatch.setattr(store, "append", raced)


def assert_one_issue(desk: Desk, notes: RecordingNotifier, filed: list[Complaint]) -> None:
    issue = f"I-{filed[0].id}"
    assert [desk.get(c.id).state.issue for c in filed] == [issue] * 3
    assert sorted(r.id for r in desk.issue(issue)) == sorted(c.id for c in filed)
    desk.deliver(T0 + timedelta(days=30))
    told = sorted(n.recipient for n, _ in notes.sent if n.topic == "concentrated_issue")
    assert told == CUSTOMER_SERVICE
    assert desk.verify(AT).ok


@pytest.mark.procedure("HDL-5")
def test_two_reclassifications_committed_at_the_same_moment_form_the_issue(
    desks: tuple[Desk, Desk], notes: RecordingNotifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process reclassifies the third report after this desk read the group
    and before it writes (SQLite: no group lock): the desk reads the group again
    once its reclassification is stored, and forms the issue of all three."""
    desk, other = desks
    filed = three_reports(desk)
    theirs: list[Complaint] = []
    before_write(
        monkeypatch,
        desk.store,
        lambda: theirs.append(other.act(filed[2].id, to_repairs("SR-101"), now=AT)),
    )
    mine = desk.act(filed[1].id, to_repairs("SR-103"), now=AT)
    assert theirs[0].state.issue == ""  # the other process saw two complainants
    assert mine.state.issue == f"I-{filed[0].id}"  # returned as grouped
    assert_one_issue(desk, notes, filed)


@pytest.mark.procedure("HDL-5")
@pytest.mark.parametrize("one_desk", [True, False], ids=["one desk", "a desk per request"])
def test_threads_reclassifying_into_one_group_take_turns(
    desks: tuple[Desk, Desk],
    notes: RecordingNotifier,
    monkeypatch: pytest.MonkeyPatch,
    one_desk: bool,
) -> None:
    """A web app's second request thread reclassifies the third report while the first
    has read the group and not written: it waits for the first, then decides on
    all three and forms the issue in its own commit (docs/desk.md: threads of one
    process take turns per group)."""
    desk, other = desks
    second = desk if one_desk else other
    filed = three_reports(desk)
    theirs: list[Complaint] = []
    worker = threading.Thread(
        target=lambda: theirs.append(second.act(filed[2].id, to_repairs("SR-101"), now=AT))
    )

    def start_the_second_request() -> None:
        worker.start()
        worker.join(timeout=1.0)  # it may not get past this thread's grouping: go on

    before_write(monkeypatch, desk.store, start_the_second_request)
    mine = desk.act(filed[1].id, to_repairs("SR-103"), now=AT)
    worker.join(timeout=30)
    assert not worker.is_alive()
    assert mine.state.issue == ""  # decided first, on two complainants
    assert theirs[0].state.issue == f"I-{filed[0].id}"  # decided after, on all three
    assert_one_issue(desk, notes, filed)


# --------------------------------------------------------------------------- PostgreSQL


def pg_desk(dsn: str, schema: str, notes: RecordingNotifier | None = None) -> Desk:
    store = PostgresStore(dsn, schema=schema, tenant="sunrise-co", create_tenant=True)
    return make_desk(store=store, notifiers=[notes or RecordingNotifier()])


def _reclassify(dsn: str, schema: str, cid: str, actor: str, barrier: Any, read: Any) -> None:
    """One process's reclassification; ``read``: a meeting every process reaches once
    it has read the group, before it writes (kept apart, only one gets there and
    the meeting times out)."""
    with pg_desk(dsn, schema) as desk:
        store: Any = desk.store
        asked = store.open_similar
        first: list[bool] = []

        def meet(*args: Any, **kwargs: Any) -> Any:
            found = asked(*args, **kwargs)
            if not first:  # its decision's read, not the look again after its commit
                first.append(True)
                with contextlib.suppress(threading.BrokenBarrierError):
                    read.wait(3)
            return found

        store.open_similar = meet
        store.rows(limit=1)  # connected before the start line
        barrier.wait(60)
        desk.act(cid, to_repairs(actor), now=AT)


@pytest.mark.procedure("HDL-5")
def test_two_processes_reclassifying_into_one_group_on_postgresql_take_turns(
    postgres_server: PgDatabase, schema: str, notes: RecordingNotifier
) -> None:
    """Two processes reclassify the two reports at one instant: the group lock makes
    the second wait for the first (the two never read the group together), so it
    decides on all three, and the issue is formed and told once."""
    dsn = postgres_server.dsn
    with pg_desk(dsn, schema) as desk:
        filed = three_reports(desk)
    ctx = multiprocessing.get_context("spawn")
    barrier, read = ctx.Barrier(2), ctx.Barrier(2)
    procs = [
        ctx.Process(target=_reclassify, args=(dsn, schema, c.id, actor, barrier, read))
        for c, actor in ((filed[1], "SR-103"), (filed[2], "SR-101"))
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    assert read.broken  # the meeting timed out: never both at once
    with pg_desk(dsn, schema, notes) as desk:
        assert_one_issue(desk, notes, filed)
