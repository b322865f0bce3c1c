"""Claims between processes at different ``now``s, hand-backs and interrupted sweeps
(review s46C F01-F03), on SQLite files as the command line uses them.

F01: a ``deliver`` whose ``now`` is far from another's (a catch-up with ``--now``
in the past, a host whose clock is minutes off) sent every message the other had
claimed a second time: the claim was counted from the claimer's ``now``.  Claims
are now kept on the store's clock.  F02: what a delivery pass hands back is due
as it was, not at the pass's clock moved on by its sends.  F03: a sweep stopped
by Ctrl-C or SIGTERM says what it had committed and hands back what it had
claimed and not swept.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner

from complaintcore import (
    Desk,
    Notification,
    Notifier,
    StaffMember,
    SweepInterrupted,
    SweepLeaseStore,
)
from complaintcore.adapters.chain import to_utc_text
from complaintcore.adapters.postgres_store import SCHEMA_VERSION as PG_SCHEMA_VERSION
from complaintcore.adapters.postgres_store import PostgresStore
from complaintcore.adapters.sqlite_store import SCHEMA_VERSION, SqliteStore
from complaintcore.cli import main
from complaintcore.desk.sweeping import Sweeper
from complaintcore.testing import FixedClock, RecordingNotifier, make_desk
from tests.integration.test_delivery_off_intake import T0, intakes
from tests.integration.test_delivery_review_s39b import desk_of
from tests.postgres_server import PgDatabase

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


class Gate:
    """A channel whose first send waits until the test opens the gate: the pass that
    made it holds its batch claimed meanwhile."""

    name = "gate"

    def __init__(self) -> None:
        self.opened = threading.Event()
        self.began = threading.Event()
        self.keys: list[str] = []

    def send(self, notification: Notification, recipient: StaffMember | None) -> None:
        self.keys.append(notification.key)
        self.began.set()
        assert self.opened.wait(30)


# --------------------------------------------------------------------------- F01


@pytest.mark.parametrize(
    ("sender", "other"),
    [
        (T0, T0 + timedelta(minutes=6)),  # a host whose clock runs six minutes ahead
        (T0 - timedelta(days=7), T0),  # a catch-up a week back beside the live loop
        (T0, T0 - timedelta(days=7)),  # the catch-up starts second (no duplicate before either)
    ],
    ids=["six-minutes-ahead", "catch-up-first", "catch-up-second"],
)
def test_a_message_claimed_by_one_deliver_is_not_sent_by_another_at_any_now(
    tmp_path: Path, sender: datetime, other: datetime
) -> None:
    """Two processes on one file: while the first still sends the batch it claimed,
    the second, whatever its ``now``, sends none of it; each message goes out once
    (before, the second sent the whole batch again, about 3 ms later)."""
    path = tmp_path / "desk.sqlite3"
    gate = Gate()
    # a send timeout of 10 s: the lease of a batch of ten is the five minutes at least
    first = desk_of([gate], store_path=path, send_timeout=10)
    second = desk_of([RecordingNotifier("gate")], store_path=path, send_timeout=10)
    try:
        week_ago = T0 - timedelta(days=8)
        list(first.receive_many(intakes(6, week_ago), now=week_ago))
        queued = len(first.store.pending(T0, 100))
        assert 1 < queued <= 10  # one batch: the first pass claims every one
        results: list[Any] = []
        worker = threading.Thread(target=lambda: results.append(first.deliver(sender)))
        worker.start()
        assert gate.began.wait(30)  # the batch is claimed, its first send under way
        report = second.deliver(other)
        assert (report.sent, report.failed) == (0, 0)
        gate.opened.set()
        worker.join(30)
        assert results[0].sent == queued
        assert len(gate.keys) == len(set(gate.keys)) == queued
        assert second.store.pending(other, 100) == []
    finally:
        gate.opened.set()
        first.close()
        second.close()


def test_a_claim_taken_by_an_older_release_still_hides_its_message(tmp_path: Path) -> None:
    """A file of schema 16 (before claims were kept on the store's clock) opened with
    a message being sent by the older release: the upgrade adds the claim's offset
    and keeps the claim as it was stored, so the message is not sent again before
    that claim lapses; claims taken since keep their offset."""
    path = tmp_path / "desk.sqlite3"
    with SqliteStore(path) as store:
        desk = make_desk(store=store, notifiers=[RecordingNotifier()])
        list(desk.receive_many(intakes(3, T0), now=T0))
        first, *rest = store.pending(T0, 100)
        assert rest
    until = to_utc_text(T0 + timedelta(minutes=5), "until")
    with sqlite3.connect(path) as conn:  # as the older release claimed and left it
        conn.execute("ALTER TABLE outbox DROP COLUMN claim_offset")
        conn.execute(
            "UPDATE outbox SET next_attempt_at = ?, claimed_until = ? WHERE id = ?",
            (until, until, first.id),
        )
        conn.execute("PRAGMA user_version = 16")
    with SqliteStore(path, clock=FixedClock(T0 + timedelta(minutes=1))) as store:
        assert store.schema_version == SCHEMA_VERSION >= 17
        claimed = store.claim(T0 + timedelta(minutes=1), 100)
        assert [i.id for i in claimed] == [i.id for i in rest]  # the old claim holds
        store.mark_failed_held(claimed[0].id, "SendTimeoutError", T0 + timedelta(hours=1))
    with sqlite3.connect(path) as conn:
        offsets = dict(conn.execute("SELECT id, claim_offset FROM outbox").fetchall())
    assert offsets[first.id] is None
    assert offsets[claimed[0].id] == 0  # claimed at its ``now`` on a clock standing there
    with SqliteStore(path, clock=FixedClock(T0 + timedelta(minutes=5))) as store:
        assert [i.id for i in store.claim(T0 + timedelta(minutes=5), 100)] == [first.id]


def _pg_desk(dsn: str, schema: str, channel: Notifier, **kw: Any) -> Desk:
    """A desk on the PostgreSQL schema, sends waited for 10 s (claims of five minutes)."""
    base = make_desk()
    return Desk(
        pack=base.pack,
        store=PostgresStore(dsn, schema=schema, **kw),
        directory=base.directory,
        calendar=base.calendar,
        notifiers=[channel],
        send_timeout=10,
    )


def test_postgresql_keeps_claims_on_the_servers_clock(postgres_server: PgDatabase) -> None:
    """Two hosts on one database, the second's ``now`` six minutes ahead of the first
    (its clock is off): the server's clock, which both share, keeps the claim."""
    schema = postgres_server.new_schema()
    gate = Gate()
    first = _pg_desk(postgres_server.dsn, schema, gate)
    second = _pg_desk(postgres_server.dsn, schema, RecordingNotifier("gate"))
    try:
        list(first.receive_many(intakes(6, T0), now=T0))
        queued = len(first.store.pending(T0, 100))
        assert 1 < queued <= 10
        results: list[Any] = []
        worker = threading.Thread(target=lambda: results.append(first.deliver(T0)))
        worker.start()
        assert gate.began.wait(30)
        assert second.deliver(T0 + timedelta(minutes=6)).sent == 0
        gate.opened.set()
        worker.join(30)
        assert results[0].sent == queued
        assert len(gate.keys) == len(set(gate.keys)) == queued
    finally:
        gate.opened.set()
        first.close()
        second.close()
        postgres_server.drop_schema(schema)


def test_postgresql_schema_14_keeps_a_claim_an_older_release_took(
    postgres_server: PgDatabase,
) -> None:
    """As the SQLite file of schema 16: the owner's upgrade adds the claim's offset and
    a claim taken before it holds as stored."""
    schema = postgres_server.new_schema()
    dsn = postgres_server.dsn
    try:
        with PostgresStore(dsn, schema=schema) as store:
            desk = make_desk(store=store, notifiers=[RecordingNotifier()])
            list(desk.receive_many(intakes(3, T0), now=T0))
            first, *rest = store.pending(T0, 100)
            assert rest
        until = T0 + timedelta(minutes=5)
        with psycopg.connect(dsn, autocommit=True) as conn:  # as version 14 left it
            conn.execute(f"ALTER TABLE {schema}.outbox DROP COLUMN claim_offset")
            conn.execute(
                f"UPDATE {schema}.outbox SET next_attempt_at = %s, claimed_until = %s"
                " WHERE id = %s",
                (until, until, first.id),
            )
            conn.execute(f"DELETE FROM {schema}.schema_migrations WHERE version >= 15")
        clock = FixedClock(T0 + timedelta(minutes=1))
        with PostgresStore(dsn, schema=schema, clock=clock) as store:
            assert store.schema_version == PG_SCHEMA_VERSION >= 15
            claimed = store.claim(T0 + timedelta(minutes=1), 100)
            assert [i.id for i in claimed] == [i.id for i in rest]  # the old claim holds
            clock.set(T0 + timedelta(minutes=5))
            assert [i.id for i in store.claim(T0 + timedelta(minutes=5), 100)] == [first.id]
    finally:
        postgres_server.drop_schema(schema)


# --------------------------------------------------------------------------- F02


class SlowAfter:
    """A channel that moves the pass's clock on ten seconds with its tenth send and
    then hangs on the eleventh until the test lets it go: its batch's others are
    handed back unsent."""

    name = "slow"

    def __init__(self, clock: FixedClock) -> None:
        self.clock = clock
        self.keys: list[str] = []
        self.gate = threading.Event()

    def send(self, notification: Notification, recipient: StaffMember | None) -> None:
        self.keys.append(notification.key)
        if len(self.keys) == 10:
            self.clock.advance(seconds=10)  # ten seconds of sends, as the pass counts them
        elif len(self.keys) == 11:
            self.gate.wait(10)


def test_a_deliver_at_the_same_now_sends_what_a_pass_handed_back(tmp_path: Path) -> None:
    """A pass at T0 (a catch-up's ``--now``) claims its second batch at its clock,
    T0 + 10 s; a send of it times out and the rest of the batch is handed back
    unsent.  A ``deliver`` at T0 right after sends them: they are due as they were
    (never tried), not at T0 + 10 s (before: left waiting for a ``now`` ten seconds
    later, while ``deliver`` reported nothing left)."""
    clock = FixedClock(T0)
    slow = SlowAfter(clock)
    desk = desk_of([slow], store_path=tmp_path / "desk.sqlite3", send_timeout=0.3)
    try:
        list(desk.receive_many(intakes(15, T0), now=T0))
        queued = len(desk.store.pending(T0, 100))
        assert queued > 12  # a second batch with some behind the send that hangs
        report = desk.deliver(T0, clock=clock)
        assert (report.sent, report.failed) == (10, 1)
        left = desk.store.pending(T0, 100)
        assert len(left) == queued - 11  # all but the sent and the one that timed out
        assert {i.attempts for i in left} == {0}
        slow.gate.set()
        again = desk.deliver(T0)
        assert again.sent == queued - 11
        assert len(slow.keys) == len(set(slow.keys)) == queued
    finally:
        slow.gate.set()
        desk.close()


# --------------------------------------------------------------------------- F03


SWEEP_ONE = Sweeper.sweep_one


def _interrupt_at(monkeypatch: pytest.MonkeyPatch, nth: int) -> list[str]:
    """Make the ``nth`` complaint a sweep takes raise KeyboardInterrupt (Ctrl-C, or the
    command line's SIGTERM, landing mid-sweep); the ids swept before it are listed."""
    swept: list[str] = []
    sweep_one = SWEEP_ONE

    def interrupted(self: Sweeper, complaint_id: str, now: datetime) -> Any:
        if len(swept) == nth - 1:
            raise KeyboardInterrupt
        swept.append(complaint_id)
        return sweep_one(self, complaint_id, now)

    monkeypatch.setattr(Sweeper, "sweep_one", interrupted)
    return swept


def test_an_interrupted_sweep_reports_what_it_committed_and_hands_back_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    late = T0 + timedelta(days=12)  # every complaint's first deadlines long past
    with SqliteStore(tmp_path / "desk.sqlite3") as store:
        desk = make_desk(store=store)
        list(desk.receive_many(intakes(8, T0), now=T0))
        due = [r.id for r in store.rows(due_before=late, order="due")]
        assert len(due) == 8
        swept = _interrupt_at(monkeypatch, 4)
        with pytest.raises(KeyboardInterrupt) as stopped:  # stops what Ctrl-C stops
            desk.sweep(late)
        assert isinstance(stopped.value, SweepInterrupted)
        report = stopped.value.report
        assert report.examined == 3
        assert swept == due[:3]
        assert {cid for cid, _clock in report.escalated} == set(swept)
        with sqlite3.connect(tmp_path / "desk.sqlite3") as conn:
            escalated = conn.execute(
                "SELECT DISTINCT complaint_id FROM events WHERE kind = 'escalated'"
            ).fetchall()
        assert {cid for (cid,) in escalated} == set(swept)  # what was committed, no more
        # the five claimed and not swept are due again at once, not after the lease
        assert isinstance(store, SweepLeaseStore)
        assert [r.id for r in store.claim_due(late, 50)] == due[3:]


def _cli_desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(main, ["--lang", "en", "init", "."]).exit_code == 0
    config = tmp_path / "complaintcore.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("log = true", "log = false"), encoding="utf-8"
    )
    for i in range(5):
        received = runner.invoke(
            main,
            ["--lang", "en", "receive", "--name", f"业主{i}", "--phone", f"1370000000{i}",
             "--room", f"3-2-12{i:02d}", "--site", "sunrise", "--summary", "楼上漏水，天花板渗水",
             "--receiver", "SR-103", "--received-at", "2025-11-14T17:30"],
            env={"COMPLAINTCORE_NOW": "2025-11-14T17:30"},
        )  # fmt: skip
        assert received.exit_code == 0, received.output


@pytest.mark.parametrize("as_json", [True, False], ids=["json", "text"])
def test_sweep_interrupted_prints_the_escalations_it_committed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, as_json: bool
) -> None:
    """``sweep --json >> sweep.log`` under ``timeout``: the aborted run's document
    lists what it escalated, as docs/cli.md says ("with what it had done added");
    the text run prints its counts before ``aborted``."""
    _cli_desk(tmp_path, monkeypatch)
    swept = _interrupt_at(monkeypatch, 3)
    args = ["--lang", "en", "sweep", *(["--json"] if as_json else [])]
    result = CliRunner().invoke(main, args, env={"COMPLAINTCORE_NOW": "2025-11-25T10:00"})
    assert result.exit_code == 1, result.output
    assert len(swept) == 2
    if as_json:
        document = json.loads(result.stdout)
        assert document["error"] == {"code": 1, "type": "Abort", "message": "aborted"}
        assert document["examined"] == 2
        assert {cid for cid, _clock in document["escalated"]} == set(swept)
        assert "dead_letters" not in document  # the outbox was not asked
    else:
        assert "examined 2; complaints escalated 2" in result.stdout
        assert result.stderr.strip().splitlines()[-1:] == ["aborted"]
    monkeypatch.setattr(Sweeper, "sweep_one", SWEEP_ONE)
    resumed = CliRunner().invoke(
        main, ["--lang", "en", "sweep", "--json"], env={"COMPLAINTCORE_NOW": "2025-11-25T10:00"}
    )
    assert resumed.exit_code == 0, resumed.output
    # the three left are swept at once by the next run, not five minutes later
    assert json.loads(resumed.stdout)["examined"] == 3
