"""hooks.md: ``complaintcore_on_events`` runs after the commit and before that commit's
messages can be delivered -- by any delivery pass, not only the one the desk wakes
after its listeners: the desk's delivery worker woken by another thread's commit or
by its interval, a ``deliver`` of another thread, or ``complaintcore deliver`` in
another process (review s46G F03).  A host relies on it when its listener writes
the record a staff app's push links to.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest

from complaintcore import hookimpl, make_plugin_manager
from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.adapters.postgres_store import SCHEMA_VERSION as PG_SCHEMA_VERSION
from complaintcore.adapters.postgres_store import PostgresStore
from complaintcore.adapters.sqlite_store import SCHEMA_VERSION as SQLITE_SCHEMA_VERSION
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.adapters.staff import load_sample_staff
from complaintcore.core.errors import StoreError
from complaintcore.core.models import Complainant, Complaint, Event
from complaintcore.desk import Desk
from complaintcore.desk.ports import ComplaintStore, ListenerHoldStore, Notification, StaffMember
from complaintcore.desk.service import LISTENER_HOLD
from complaintcore.rules import load_pack
from complaintcore.testing import MemoryStore, RecordingNotifier
from tests.helpers import T0, intake
from tests.postgres_server import PgDatabase

PACK = load_pack("cn-property")


def owner(i: int) -> Complainant:
    return Complainant(f"业主{i}", f"1390000{i:04d}", f"{i % 9 + 1}-1-{100 + i}", "3", "sunrise")


def desk_on(store: ComplaintStore, notes: RecordingNotifier, *plugins: object) -> Desk:
    """A desk on ``store`` sending to ``notes``, with ``plugins`` listening."""
    pm = make_plugin_manager(list(plugins), load_entry_points=False) if plugins else None
    return Desk(
        pack=PACK,
        store=store,
        directory=load_sample_staff(pack=PACK),
        calendar=calendar_for_spec(PACK.calendar),
        notifiers=[notes],
        plugin_manager=pm,
    )


class Overhearing:
    """A listener during which another process's ``complaintcore deliver`` runs (a
    desk of its own on the same database): what that pass sends of the complaint
    being heard was sent before the listener heard it."""

    def __init__(self) -> None:
        self.other: Desk | None = None
        self.now = T0  # the time of the commit
        self.lag = timedelta(0)  # how far the other process's pass is ahead of it
        self.other_notes = RecordingNotifier()
        self.heard: list[str] = []
        self.sent_first: list[str] = []

    @hookimpl
    def complaintcore_on_events(self, complaint: Complaint, events: tuple[Event, ...]) -> None:
        assert self.other is not None
        before = len(self.other_notes.sent)
        self.other.deliver(self.now + self.lag)  # another process's cron, meanwhile
        sent = [n.complaint_id for n, _m in self.other_notes.sent[before:]]
        self.sent_first += [cid for cid in sent if cid == complaint.id or cid not in self.heard]
        self.heard.append(complaint.id)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def two_stores(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[ComplaintStore, ComplaintStore]]:
    """Two stores on one database, as two processes of one company have."""
    if request.param == "memory":
        memory = MemoryStore()
        yield memory, memory.for_tenant(memory.tenant)
    elif request.param == "sqlite":
        yield SqliteStore(tmp_path / "d.db"), SqliteStore(tmp_path / "d.db")
    else:
        server: PgDatabase = request.getfixturevalue("postgres_server")
        schema = server.new_schema()
        try:
            first = PostgresStore(server.dsn, schema=schema)
            yield first, PostgresStore(server.dsn, schema=schema)
        finally:
            server.drop_schema(schema)


def overheard(
    stores: tuple[ComplaintStore, ComplaintStore],
) -> tuple[Desk, Overhearing]:
    listener = Overhearing()
    notes = RecordingNotifier()
    desk = desk_on(stores[0], notes, listener)
    listener.other = desk_on(stores[1], listener.other_notes)
    return desk, listener


@pytest.mark.parametrize("lag", [timedelta(0), timedelta(days=30), -timedelta(days=7)])
@pytest.mark.parametrize("how", ["receive", "receive_many", "sweep"])
def test_no_delivery_pass_sends_a_commits_messages_before_its_listeners_heard_it(
    two_stores: tuple[ComplaintStore, ComplaintStore], how: str, lag: timedelta
) -> None:
    """While the desk's listener hears a commit, another process's delivery pass
    runs, at the desk's ``now`` or at another (``lag``: a cron on the system clock
    while the desk catches up with ``--now`` a month back, or a catch-up pass a week
    behind): it sends none of that commit's messages (they wait, claimed on the
    store's clock, until the listeners return); the next pass sends them all.  The
    hold counted from the desk's ``now`` (the first fix) let a pass a month ahead
    send them first."""
    desk, listener = overheard(two_stores)
    listener.lag = lag
    assert isinstance(desk.store, ListenerHoldStore)
    assert listener.other is not None
    if how == "receive":
        for i in range(3):
            desk.receive(intake(complainant=owner(i), receiver="SR-103"), now=T0)
    elif how == "receive_many":
        batch = [intake(complainant=owner(i), receiver="SR-103") for i in range(3)]
        assert all(isinstance(c, Complaint) for c in desk.receive_many(batch, now=T0))
    else:
        desk.receive(intake(complainant=owner(0), receiver="SR-103"), now=T0)
        listener.other.deliver(T0)  # the intake's messages, sent
        listener.heard.clear()
        listener.other_notes.sent.clear()
        listener.now = T0 + timedelta(days=10)
        report = desk.sweep(listener.now)  # DL-1 missed: escalated, told
        assert report.escalated
    assert listener.heard
    assert listener.sent_first == []
    listener.other.deliver(T0 + timedelta(days=30))
    told = {n.complaint_id for n, _m in listener.other_notes.sent}
    assert told == set(listener.heard)  # each commit's messages went out after it
    desk.close()
    listener.other.close()


class SlowAudit:
    """The review's listener: an audit service that takes a moment, recording when
    it heard each complaint; the channel records when each complaint's first
    message went out."""

    def __init__(self) -> None:
        self.heard: dict[str, float] = {}
        self.sent: dict[str, float] = {}
        self.lock = threading.Lock()

    @hookimpl
    def complaintcore_on_events(self, complaint: Complaint) -> None:
        time.sleep(0.05)
        with self.lock:
            self.heard.setdefault(complaint.id, time.monotonic())

    def channel(self) -> RecordingNotifier:
        audit = self

        class Timed(RecordingNotifier):
            def send(self, notification: Notification, recipient: StaffMember | None) -> None:
                with audit.lock:
                    audit.sent.setdefault(notification.complaint_id, time.monotonic())
                super().send(notification, recipient)

        return Timed()


def test_with_a_delivery_worker_and_three_request_threads_nothing_is_sent_unheard(
    tmp_path: Path,
) -> None:
    """Review s46G F03's host: a delivery worker, three threads receiving five
    complaints each, a listener taking 50 ms.  Another thread's commit wakes the
    worker while this thread's listener runs: 12 of 15 complaints had a message
    sent before their listener heard them.  None now."""
    audit = SlowAudit()
    desk = desk_on(SqliteStore(tmp_path / "d.db"), audit.channel(), audit)
    now = T0 + timedelta(days=1)
    desk.start_delivery(clock=lambda: now, interval=0.05)

    def receive(k: int) -> None:
        for i in range(5):
            desk.receive(intake(complainant=owner(10 * k + i), receiver="SR-103"), now=now)

    threads = [threading.Thread(target=receive, args=(k,)) for k in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    worker = desk._worker
    assert worker is not None
    assert worker.wait_idle(10)
    assert len(audit.heard) == 15
    assert set(audit.sent) == set(audit.heard)
    early = [cid for cid, at in audit.sent.items() if at < audit.heard[cid]]
    assert early == []
    desk.close()


class Failing:
    @hookimpl
    def complaintcore_on_events(self) -> None:
        raise RuntimeError("analytics is down")


def test_a_failing_listener_still_lets_the_messages_go(tmp_path: Path) -> None:
    """A listener that raises has returned: the commit's messages are due at once,
    not held until the hold lapses."""
    notes = RecordingNotifier()
    desk = desk_on(SqliteStore(tmp_path / "d.db"), notes, Failing())
    complaint = desk.receive(intake(receiver="SR-103"), now=T0)
    assert {i.notification.complaint_id for i in desk.store.pending(T0)} == {complaint.id}
    desk.close()


class Counting(SqliteStore):
    """A store that counts the writes that let held messages go."""

    released = 0

    def release_held(self, held: Any, mark: str) -> None:
        type(self).released += 1
        super().release_held(held, mark)


def test_a_desk_without_listeners_holds_nothing_and_writes_nothing_more(tmp_path: Path) -> None:
    Counting.released = 0
    notes = RecordingNotifier()
    desk = desk_on(Counting(tmp_path / "d.db"), notes)
    desk.receive(intake(receiver="SR-103"), now=T0)
    list(desk.receive_many([intake(complainant=owner(1), receiver="SR-103")], now=T0))
    assert Counting.released == 0
    assert len(desk.store.pending(T0)) > 0  # due at once, as they always were
    desk.close()


def test_a_bulk_batch_lets_its_messages_go_in_one_write(tmp_path: Path) -> None:
    """Bulk intake with a listener: one write lets the batch's messages go, after
    its listeners have heard every complaint of it."""
    Counting.released = 0
    notes = RecordingNotifier()
    heard: list[str] = []

    class Listener:
        @hookimpl
        def complaintcore_on_events(self, complaint: Complaint) -> None:
            heard.append(complaint.id)

    desk = desk_on(Counting(tmp_path / "d.db"), notes, Listener())
    batch = [intake(complainant=owner(i), receiver="SR-103") for i in range(20)]
    got = list(desk.receive_many(batch, now=T0))
    assert len(set(heard)) == len(got) == 20
    assert Counting.released == 1
    assert {i.notification.complaint_id for i in desk.store.pending(T0)} == set(heard)
    desk.close()


def test_messages_whose_release_failed_go_when_the_hold_lapses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The write that lets them go fails (the database gone for a moment), as if the
    desk had died after the commit: a WARNING, and the messages wait out the hold,
    LISTENER_HOLD on the store's clock from the write, whatever ``now`` the desk or
    a delivery pass runs at, never lost."""
    heard: list[str] = []

    class Listener:
        @hookimpl
        def complaintcore_on_events(self, complaint: Complaint) -> None:
            heard.append(complaint.id)

    wrote = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # the store's clock at the write
    clock = [wrote]
    store = SqliteStore(tmp_path / "d.db", clock=lambda: clock[0])
    desk = desk_on(store, RecordingNotifier(), Listener())

    def down(held: Any, mark: str) -> None:
        raise StoreError(str(tmp_path / "d.db"), "database is locked")

    monkeypatch.setattr(store, "release_held", down)
    with caplog.at_level(logging.WARNING, logger="complaintcore.desk"):
        complaint = desk.receive(intake(receiver="SR-103"), now=T0)  # a catch-up's now
    assert heard == [complaint.id]
    assert "held for the listeners wait until their hold lapses" in caplog.text
    clock[0] = wrote + timedelta(minutes=5) - timedelta(microseconds=1)
    for now in (T0, T0 + timedelta(days=30), wrote + timedelta(days=1)):
        assert store.pending(now) == []  # held at any now until the store's clock says
    clock[0] = wrote + timedelta(minutes=5)  # LISTENER_HOLD, on the store's clock
    assert timedelta(minutes=5) == LISTENER_HOLD
    lapsed = store.pending(T0)
    assert {i.notification.complaint_id for i in lapsed} == {complaint.id}
    assert {i.attempts for i in lapsed} == {0}
    desk.close()


def _heard_desk(store: ComplaintStore, heard: list[str]) -> Desk:
    class Listener:
        @hookimpl
        def complaintcore_on_events(self, complaint: Complaint) -> None:
            heard.append(complaint.id)

    return desk_on(store, RecordingNotifier(), Listener())


def test_a_sqlite_file_of_schema_17_opens_and_holds(tmp_path: Path) -> None:
    """A file of schema 17 (before listener holds were marked) with messages waiting
    opens: the upgrade adds the outbox's mark column (v18), the waiting messages are
    due as before, and the desk holds and lets go the messages of new commits."""
    path = tmp_path / "d.db"
    with SqliteStore(path) as store:
        desk = desk_on(store, RecordingNotifier())
        old = desk.receive(intake(complainant=owner(1), receiver="SR-103"), now=T0)
    with sqlite3.connect(path) as conn:  # as the previous release left it
        conn.execute("ALTER TABLE outbox DROP COLUMN held_by")
        conn.execute("PRAGMA user_version = 17")
    heard: list[str] = []
    with SqliteStore(path) as store:
        assert store.schema_version == SQLITE_SCHEMA_VERSION >= 18
        assert {i.notification.complaint_id for i in store.pending(T0)} == {old.id}
        desk = _heard_desk(store, heard)
        new = desk.receive(intake(complainant=owner(2), receiver="SR-103"), now=T0)
        assert heard == [new.id]
        assert {i.notification.complaint_id for i in store.pending(T0)} == {old.id, new.id}
    with sqlite3.connect(path) as conn:
        marked = conn.execute("SELECT count(*) FROM outbox WHERE held_by IS NOT NULL")
        assert marked.fetchone()[0] == 0  # every mark let go with its hold


def test_a_postgresql_schema_of_version_15_opens_and_holds(postgres_server: PgDatabase) -> None:
    """As the SQLite file of schema 17: the owner's upgrade to version 16 adds the mark
    column; waiting messages are due as before; new commits are held and let go."""
    schema = postgres_server.new_schema()
    dsn = postgres_server.dsn
    try:
        with PostgresStore(dsn, schema=schema) as store:
            old = desk_on(store, RecordingNotifier()).receive(
                intake(complainant=owner(1), receiver="SR-103"), now=T0
            )
        with psycopg.connect(dsn, autocommit=True) as conn:  # as version 15 left it
            conn.execute(f"ALTER TABLE {schema}.outbox DROP COLUMN held_by")
            conn.execute(f"DELETE FROM {schema}.schema_migrations WHERE version >= 16")
        heard: list[str] = []
        with PostgresStore(dsn, schema=schema) as store:
            assert store.schema_version == PG_SCHEMA_VERSION >= 16
            assert {i.notification.complaint_id for i in store.pending(T0)} == {old.id}
            new = _heard_desk(store, heard).receive(
                intake(complainant=owner(2), receiver="SR-103"), now=T0
            )
            assert heard == [new.id]
            pending = {i.notification.complaint_id for i in store.pending(T0)}
            assert pending == {old.id, new.id}
    finally:
        postgres_server.drop_schema(schema)
