"""Tamper evidence with an anchor (issue 13, defect 6).

0.1.0 chained each complaint's events to its intake and nothing else, so an
attacker with SQL access who knew the algorithm could rewrite the tail of a
history with fresh hashes, delete a complaint with all its rows, fabricate one
with a chain of its own, add an event and bump the version, clear an overdue
complaint's due time so no sweep finds it, or change the outbox, keys and
creation times -- and ``verify`` said "ok" to every one of them.

Now every commit appends an entry to a store-wide ledger (previous entry's
hash, complaint id, version, new chain head, the digest of the messages it
queued, the key and creation time), ``verify`` checks the ledger against the
complaints and the outbox, ``Desk.verify(now)`` replays each complaint and
compares its projection row, and a ledger head kept elsewhere
(``verify --head`` / ``--expect``) catches the one attack left: rewriting the
ledger itself consistently.  Each attack runs as raw SQL with every guard
trigger off, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest

from complaintcore import (
    AddMeasure,
    ComplaintStore,
    DamagedRecordError,
    Desk,
    Linked,
    RecordCause,
)
from complaintcore.adapters.chain import canonical_json, event_hash
from complaintcore.adapters.ledger import entry_hash, ledger_genesis
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.testing import RecordingNotifier, make_desk
from tests.integration.test_delivery_off_intake import T0, intakes

NOW = T0 + timedelta(days=5)  # every complaint is overdue by then


class Attacker:
    """Raw SQL on the desk's database, guard triggers off (``{s}.`` is the schema)."""

    tenant = "default"

    def run(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def open(self) -> ComplaintStore:
        raise NotImplementedError


class SqliteAttacker(Attacker):
    def __init__(self, path: Path) -> None:
        self.path = path

    def open(self) -> ComplaintStore:
        return SqliteStore(self.path)

    def run(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        conn = sqlite3.connect(self.path, isolation_level=None)
        try:
            triggers = conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            for (name,) in triggers.fetchall():
                conn.execute(f"DROP TRIGGER {name}")
            return conn.execute(sql.replace("{s}.", ""), args).fetchall()
        finally:
            conn.close()


class PostgresAttacker(Attacker):
    def __init__(self, dsn: str, schema: str) -> None:
        self.dsn, self.schema = dsn, schema

    def open(self) -> ComplaintStore:
        from complaintcore.adapters.postgres_store import PostgresStore

        return PostgresStore(self.dsn, schema=self.schema, create_tenant=True)

    def run(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(self.dsn, autocommit=True) as conn:
            conn.execute("SET session_replication_role = replica")  # no triggers, no FKs
            cur = conn.execute(sql.replace("{s}", self.schema).replace("?", "%s"), args)
            return cur.fetchall() if cur.description else []


@pytest.fixture(params=["sqlite", "postgres"])
def attacker(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Attacker]:
    if request.param == "sqlite":
        yield SqliteAttacker(tmp_path / "desk.sqlite3")
        return
    server = request.getfixturevalue("postgres_server")
    schema = server.new_schema()
    try:
        yield PostgresAttacker(server.dsn, schema)
    finally:
        server.drop_schema(schema)


@pytest.fixture
def desk(attacker: Attacker) -> Iterator[Desk]:
    """Three complaints received, each with three events and one queued message."""
    store = attacker.open()
    the_desk = make_desk(store=store, notifiers=[RecordingNotifier("log")])
    list(the_desk.receive_many(list(intakes(3, T0)), now=T0))
    assert the_desk.verify(NOW).ok
    try:
        yield the_desk
    finally:
        store.close()


def ids(desk: Desk) -> list[str]:
    return [r.id for r in desk.store.rows()]


def last_event(attacker: Attacker, cid: str) -> tuple[int, str, int, str]:
    [row] = attacker.run(
        "SELECT seq, body_json, schema_version, prev_hash FROM {s}.events"
        " WHERE tenant = ? AND complaint_id = ? ORDER BY seq DESC LIMIT 1",
        attacker.tenant,
        cid,
    )
    return int(row[0]), row[1], int(row[2]), row[3]


def rewrite_tail(attacker: Attacker, cid: str) -> str:
    """Give the last event to another handler with a correct fresh hash; the new hash."""
    seq, body, version, prev = last_event(attacker, cid)
    edited = json.loads(body)
    edited["handler"] = "SR-999"
    text = canonical_json(edited)
    digest = event_hash(prev, cid, seq, text, version)
    attacker.run(
        "UPDATE {s}.events SET body_json = ?, hash = ? WHERE tenant = ? AND complaint_id = ?"
        " AND seq = ?",
        text,
        digest,
        attacker.tenant,
        cid,
        seq,
    )
    attacker.run(
        "UPDATE {s}.projection SET handler = 'SR-999' WHERE tenant = ? AND id = ?",
        attacker.tenant,
        cid,
    )
    return digest


def rewrite_ledger(attacker: Attacker, cid: str, new_head: str) -> None:
    """Rewrite the ledger consistently after a tail rewrite: every hash recomputed."""
    rows = attacker.run(
        "SELECT seq, complaint_id, version, head, outbox, key, created_at FROM {s}.ledger"
        " WHERE tenant = ? ORDER BY seq",
        attacker.tenant,
    )
    prev = ledger_genesis(attacker.tenant)
    for seq, complaint_id, version, head, outbox, key, created_at in rows:
        if complaint_id == cid:
            head = new_head
        digest = entry_hash(prev, complaint_id, version, head, outbox, key, created_at)
        attacker.run(
            "UPDATE {s}.ledger SET head = ?, prev = ?, hash = ? WHERE tenant = ? AND seq = ?",
            head,
            prev,
            digest,
            attacker.tenant,
            seq,
        )
        prev = digest


def delete_complaint(attacker: Attacker, cid: str) -> None:
    for table, column in (
        ("outbox", "complaint_id"),
        ("events", "complaint_id"),
        ("projection", "id"),
        ("complaints", "id"),
    ):
        attacker.run(
            f"DELETE FROM {{s}}.{table} WHERE tenant = ? AND {column} = ?", attacker.tenant, cid
        )


def fabricate(attacker: Attacker, desk: Desk) -> str:
    """A complaint made by the library in a tenant of the attacker's, moved over."""
    store = attacker.open()
    theirs = type(store)  # the same kind of store, for a tenant the attacker made up
    store.close()
    if isinstance(attacker, SqliteAttacker):
        fake = SqliteStore(attacker.path, tenant="mallory", create_tenant=True)
    else:
        assert isinstance(attacker, PostgresAttacker)
        fake = theirs(  # type: ignore[call-arg]
            attacker.dsn, tenant="mallory", create_tenant=True, schema=attacker.schema
        )
    try:
        forger = make_desk(store=fake)
        [made] = forger.receive_many(list(intakes(1, T0)), now=T0)
    finally:
        fake.close()
    for table in ("complaints", "events", "projection"):
        attacker.run(f"UPDATE {{s}}.{table} SET tenant = 'default' WHERE tenant = 'mallory'")
    return made.id


def forge_event(attacker: Attacker, cid: str) -> None:
    """Append a well-chained event (a copy of the last, one seq on) and bump the version."""
    seq, body, version, _prev = last_event(attacker, cid)
    [(prev,)] = attacker.run(
        "SELECT hash FROM {s}.events WHERE tenant = ? AND complaint_id = ? AND seq = ?",
        attacker.tenant,
        cid,
        seq,
    )
    [row] = attacker.run(
        "SELECT kind, at, actor FROM {s}.events WHERE tenant = ? AND complaint_id = ? AND seq = ?",
        attacker.tenant,
        cid,
        seq,
    )
    attacker.run(
        "INSERT INTO {s}.events (tenant, complaint_id, seq, schema_version, kind, at, actor,"
        " body_json, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        attacker.tenant,
        cid,
        seq + 1,
        version,
        *row,
        body,
        prev,
        event_hash(prev, cid, seq + 1, body, version),
    )
    attacker.run(
        "UPDATE {s}.projection SET version = ? WHERE tenant = ? AND id = ?",
        seq + 1,
        attacker.tenant,
        cid,
    )


def entry_of(attacker: Attacker, cid: str) -> int:
    """The ledger entry of the commit that created ``cid``."""
    [(seq,)] = attacker.run(
        "SELECT min(seq) FROM {s}.ledger WHERE tenant = 'default' AND complaint_id = ?", cid
    )
    return int(seq)


def store_problems(desk: Desk) -> tuple[str, ...]:
    return desk.store.verify().problems


# ---------------------------------------------------------------------- the attacks


def test_a_tail_rewritten_with_fresh_hashes(attacker: Attacker, desk: Desk) -> None:
    cid = ids(desk)[0]
    rewrite_tail(attacker, cid)
    assert store_problems(desk) == (
        f"complaint {cid}: event 3 differs from what the ledger recorded (history rewritten)",
    )


def test_a_whole_complaint_deleted(attacker: Attacker, desk: Desk) -> None:
    cid = ids(desk)[1]
    entry = entry_of(attacker, cid)
    delete_complaint(attacker, cid)
    assert store_problems(desk) == (
        f"complaint {cid}: in the ledger but not stored (deleted)",
        f"ledger entry {entry}: the outbox items it queued are gone (deleted)",
    )


def test_a_fabricated_complaint(attacker: Attacker, desk: Desk) -> None:
    fake = fabricate(attacker, desk)
    assert fake in ids(desk)  # it would be listed, swept and reported ...
    assert store_problems(desk) == (  # ... but the ledger never saw it committed
        f"complaint {fake}: not in the ledger (added outside the library)",
    )


def test_a_forged_event_with_the_version_bumped(attacker: Attacker, desk: Desk) -> None:
    cid = ids(desk)[2]
    forge_event(attacker, cid)
    assert desk.store.load(cid).version == 4  # the chain itself links up
    assert store_problems(desk) == (
        f"complaint {cid}: the ledger's last commit has version 3 but 4 events are stored"
        " (events added or deleted)",
    )


def test_an_overdue_complaint_hidden_from_the_sweep(attacker: Attacker, desk: Desk) -> None:
    cid = ids(desk)[0]
    attacker.run(
        "UPDATE {s}.projection SET next_due = NULL WHERE tenant = ? AND id = ?", "default", cid
    )
    assert store_problems(desk) == ()  # the rows are not chained ...
    assert desk.verify(NOW).problems == (  # ... the replay finds it
        f"complaint {cid}: projection row differs from its history (next_due)",
    )


@pytest.mark.procedure("ESC-2")
def test_an_overdue_complaint_leased_far_ahead_is_swept_and_reported(
    attacker: Attacker, desk: Desk
) -> None:
    """One UPDATE of the sweep lease (no trigger in the way) once hid a complaint from
    every sweep, and verify said ok: the lease is not honoured, and it is reported."""
    cid = ids(desk)[0]
    head = desk.verify(NOW).head
    attacker.run(
        "UPDATE {s}.projection SET swept_until = '2999-12-31T00:00:00+00:00' WHERE tenant = ?"
        " AND id = ?",
        "default",
        cid,
    )
    problem = (
        f"complaint {cid}: sweep lease ends later than any sweep takes one"
        " (swept_until edited, or a sweeper's clock far ahead)"
    )
    assert store_problems(desk) == ()  # the rows are not chained ...
    assert desk.verify(NOW).problems == (problem,)  # ... but no sweep leases that long
    assert desk.verify(NOW, since=head).problems == (problem,)  # one query: incremental too
    report = desk.sweep(NOW)
    assert cid in {c for c, _ in report.escalated}  # swept as if it had no lease
    assert {c for c, _ in report.escalated} == set(ids(desk))
    assert desk.verify(NOW).ok  # the escalation's commit ended the forged lease


def test_a_projection_row_closed_by_hand(attacker: Attacker, desk: Desk) -> None:
    cid = ids(desk)[1]
    attacker.run(
        "UPDATE {s}.projection SET status = 'closed', next_due = NULL WHERE tenant = ? AND id = ?",
        "default",
        cid,
    )
    assert desk.verify(NOW).problems == (
        f"complaint {cid}: projection row differs from its history (status, next_due)",
    )


def test_a_due_time_moved_earlier_is_no_tampering(attacker: Attacker, desk: Desk) -> None:
    cid = ids(desk)[1]  # a sweep only comes sooner: the row is re-derived then
    attacker.run(
        "UPDATE {s}.projection SET next_due = '2025-11-10T02:00:00+00:00' WHERE tenant = ?"
        " AND id = ?",
        "default",
        cid,
    )
    assert desk.verify(NOW).ok


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("body_json", "replace(body_json, 'assigned', 'closed')"),
        ("dedupe_key", "'forged-key'"),
        ("created_at", "'2025-11-01T00:00:00+00:00'"),
        ("complaint_id", "'C-elsewhere'"),
        ("notifier", "'webhook'"),
    ],
)
def test_an_outbox_message_changed(attacker: Attacker, desk: Desk, column: str, value: str) -> None:
    [(item,)] = attacker.run("SELECT min(id) FROM {s}.outbox WHERE tenant = 'default'")
    attacker.run(f"UPDATE {{s}}.outbox SET {column} = {value} WHERE id = ?", item)
    assert store_problems(desk) == (
        f"ledger entry 1: its outbox items ({item}) differ from what the commit queued"
        " (edited, added or deleted)",
    )


def test_an_outbox_message_deleted_or_smuggled_in(attacker: Attacker, desk: Desk) -> None:
    [(item,)] = attacker.run("SELECT max(id) FROM {s}.outbox WHERE tenant = 'default'")
    attacker.run(
        "INSERT INTO {s}.outbox (tenant, notifier, dedupe_key, complaint_id, body_json,"
        " created_at, attempts) SELECT tenant, notifier, 'smuggled', complaint_id, body_json,"
        " created_at, 0 FROM {s}.outbox WHERE id = ?",
        item,
    )
    attacker.run("DELETE FROM {s}.outbox WHERE id = ?", item)
    [(smuggled,)] = attacker.run("SELECT max(id) FROM {s}.outbox WHERE tenant = 'default'")
    assert store_problems(desk) == (
        f"outbox item {smuggled}: queued by no commit of the ledger (added outside the library)",
        "ledger entry 3: the outbox items it queued are gone (deleted)",
    )


@pytest.mark.parametrize("seq", [0, -1])
def test_a_message_smuggled_in_below_the_first_entry(
    attacker: Attacker, desk: Desk, seq: int
) -> None:
    # review s41E F01: a row whose ledger_seq is below 1 fell in no range verify read
    head = desk.store.ledger_head()
    attacker.run(
        "INSERT INTO {s}.outbox (tenant, notifier, dedupe_key, complaint_id, body_json,"
        " created_at, attempts, ledger_seq) SELECT tenant, notifier, 'smuggled', complaint_id,"
        " body_json, created_at, 0, ? FROM {s}.outbox WHERE id = (SELECT min(id) FROM"
        " {s}.outbox)",
        seq,
    )
    [(smuggled,)] = attacker.run("SELECT max(id) FROM {s}.outbox WHERE tenant = 'default'")
    problem = (
        f"outbox item {smuggled}: queued by no commit of the ledger (added outside the library)"
    )
    assert store_problems(desk) == (problem,)
    assert desk.verify(NOW, expect=head).problems == (problem,)
    assert desk.verify(NOW, since=head).problems == (problem,)


@pytest.mark.parametrize(
    ("column", "value", "problem"),
    [
        ("idempotency_key", "'wx-stolen'", "idempotency key differs from the ledger's"),
        ("created_at", "'2025-11-01T00:00:00+00:00'", "creation time differs from the ledger's"),
    ],
)
def test_a_key_or_creation_time_changed(
    attacker: Attacker, desk: Desk, column: str, value: str, problem: str
) -> None:
    cid = ids(desk)[2]
    attacker.run(f"UPDATE {{s}}.complaints SET {column} = {value} WHERE id = ?", cid)
    assert store_problems(desk) == (f"complaint {cid}: {problem}",)


def test_a_ledger_entry_edited_or_deleted(attacker: Attacker, desk: Desk) -> None:
    kept = desk.store.ledger_head()
    attacker.run("UPDATE {s}.ledger SET version = 2 WHERE seq = 2")
    assert "ledger entry 2: hash does not match its content (edited)" in store_problems(desk)
    attacker.run("UPDATE {s}.ledger SET version = 3 WHERE seq = 2")
    attacker.run("DELETE FROM {s}.ledger WHERE seq = 3")  # the last entry, with its complaint
    problems = desk.store.verify(expect=kept).problems
    assert "ledger entry 3: the kept head is beyond the ledger's end (entries deleted)" in problems
    assert any("not in the ledger" in p for p in problems)


def test_a_consistent_rewrite_is_caught_by_a_kept_head_only(attacker: Attacker, desk: Desk) -> None:
    kept = desk.store.ledger_head()  # what `complaintcore verify --head` printed last night
    cid = ids(desk)[0]
    rewrite_ledger(attacker, cid, rewrite_tail(attacker, cid))
    assert store_problems(desk) == ()  # without an anchor, a perfect rewrite is invisible
    assert desk.store.verify(expect=kept).problems == (
        "ledger entry 3: differs from the kept head (the ledger was rewritten)",
    )
    assert desk.verify(NOW, expect=kept).problems == (
        "ledger entry 3: differs from the kept head (the ledger was rewritten)",
    )


def test_rows_of_another_tenant_moved_in_are_caught(attacker: Attacker, desk: Desk) -> None:
    before = desk.store.ledger_head()
    fake = fabricate(attacker, desk)
    attacker.run(  # its ledger entry too, numbered on from the desk's
        "UPDATE {s}.ledger SET tenant = 'default', seq = seq + 3 WHERE tenant = 'mallory'"
    )
    problems = desk.store.verify(expect=before).problems
    assert f"complaint {fake}: not in the ledger (added outside the library)" not in problems
    assert problems == (  # the entry is chained to the other tenant's start
        "ledger entry 4: does not link to the entry before (rewritten)",
    )


def edit_tail(attacker: Attacker, cid: str, **fields: Any) -> int:
    """Edit fields of the last event and give it a correct fresh hash; its seq."""
    seq, body, version, prev = last_event(attacker, cid)
    text = canonical_json({**json.loads(body), **fields})
    attacker.run(
        "UPDATE {s}.events SET body_json = ?, hash = ? WHERE tenant = ? AND complaint_id = ?"
        " AND seq = ?",
        text,
        event_hash(prev, cid, seq, text, version),
        attacker.tenant,
        cid,
        seq,
    )
    return seq


@pytest.mark.procedure("IMP-1")
@pytest.mark.procedure("IMP-3")
def test_causes_measures_and_repeat_links_are_covered_like_any_event(
    attacker: Attacker, desk: Desk
) -> None:
    cid = ids(desk)[0]
    handler = desk.get(cid).state.handler
    at = T0 + timedelta(hours=1)
    desk.act(cid, RecordCause(actor=handler, cause="立管老化", corrective="更换"), now=at)
    measure = AddMeasure(
        actor=handler,
        kind="corrective",
        action="更换立管",
        owner=handler,
        due=T0 + timedelta(days=2),
    )
    desk.act(cid, measure, now=at)
    day = T0 + timedelta(days=1)
    again = desk.receive(next(intakes(1, day)), now=day)
    repeat = again.id
    assert any(isinstance(e, Linked) for e in again.events)  # the same owner again
    assert desk.verify(NOW).ok

    attacker.run(
        "UPDATE {s}.projection SET next_due = NULL WHERE tenant = ? AND id = ?", "default", cid
    )
    assert desk.verify(NOW).problems == (  # the overdue measure hidden from the sweep
        f"complaint {cid}: projection row differs from its history (next_due)",
    )
    moved = edit_tail(attacker, cid, due="2026-12-31T00:00:00+08:00")  # more time, quietly
    unlinked = edit_tail(attacker, repeat, same_complainant=[])  # not a repeat after all
    assert store_problems(desk) == tuple(
        sorted(
            (
                f"complaint {cid}: event {moved} differs from what the ledger recorded"
                " (history rewritten)",
                f"complaint {repeat}: event {unlinked} differs from what the ledger recorded"
                " (history rewritten)",
            ),
            key=lambda p: ids(desk).index(p.split()[1].rstrip(":")),
        )
    )


def test_a_damaged_body_is_a_library_error_naming_the_complaint(
    attacker: Attacker, desk: Desk
) -> None:
    cid = ids(desk)[0]
    attacker.run(
        "UPDATE {s}.events SET body_json = '{\"type\": ' WHERE tenant = 'default'"
        " AND complaint_id = ? AND seq = 2",
        cid,
    )
    for call in (
        lambda: desk.store.load(cid),
        lambda: desk.view(cid, "SR-201"),
        lambda: list(desk.store.complaints()),
    ):
        with pytest.raises(DamagedRecordError) as err:
            call()
        assert cid in str(err.value)
        assert "type" not in str(err.value)
    problems = desk.verify(NOW).problems
    assert any(cid in p and "event 2" in p for p in problems)


def _close_by_hand(attacker: Attacker, cid: str) -> str:
    """An ordinary edit beside the damage: verify must still name it."""
    attacker.run("UPDATE {s}.projection SET status = 'closed' WHERE id = ?", cid)
    return f"complaint {cid}: projection row differs from its history (status)"


@pytest.mark.parametrize(
    ("table", "column", "value"),
    [
        ("outbox", "delivered_at", "'0001-01-01T00:00:00+00:00'"),  # no year the library writes
        ("outbox", "delivered_at", "'infinity'"),  # PostgreSQL's timestamptz takes it
        ("outbox", "dropped_at", "'infinity'"),
        ("access_log", "at", "'infinity'"),
        ("projection", "received_at", "'infinity'"),
    ],
)
def test_a_time_no_library_writes_is_named_and_the_check_goes_on(
    attacker: Attacker, desk: Desk, table: str, column: str, value: str
) -> None:
    # review s41E F02: one such cell stopped verify with an exception, so no other
    # tampering was reported, nor which row it was
    first, *_, last = ids(desk)
    desk.view(first, "SR-103", now=NOW, purpose="回访")
    closed = _close_by_hand(attacker, last)
    [(row,)] = attacker.run(f"SELECT min(id) FROM {{s}}.{table} WHERE tenant = 'default'")
    attacker.run(f"UPDATE {{s}}.{table} SET {column} = {value} WHERE id = ?", row)
    where = {"outbox": f"outbox item {row}", "access_log": f"access record {row}"}
    damaged = (
        f"{where.get(table, f'complaint {row}')}: {table}.{column} unreadable"
        " (edited outside the library)"
    )
    problems = desk.verify(NOW).problems
    assert damaged in problems
    assert closed in problems
    assert "infinity" not in " ".join(problems)


def test_a_cell_of_another_type_is_named_and_the_check_goes_on(tmp_path: Path) -> None:
    # review s41E F02: SQLite keeps any value in any column; each of these raised
    # a TypeError or ValueError out of verify
    attacker = SqliteAttacker(tmp_path / "desk.sqlite3")
    store = attacker.open()
    desk = make_desk(store=store, notifiers=[RecordingNotifier("log")])
    list(desk.receive_many(list(intakes(3, T0)), now=T0))
    first, second, last = ids(desk)
    head = desk.store.ledger_head()
    closed = _close_by_hand(attacker, last)
    attacker.run("UPDATE outbox SET ledger_seq = 'x' WHERE id = 1")
    attacker.run("UPDATE ledger SET version = 'x' WHERE seq = 2")
    attacker.run("UPDATE projection SET version = 'x' WHERE id = ?", first)
    attacker.run("UPDATE projection SET next_due = 'soon' WHERE id = ?", second)
    problems = desk.verify(NOW).problems
    for expected in (
        "outbox item 1: outbox.ledger_seq unreadable (edited outside the library)",
        "ledger entry 1: the outbox items it queued are gone (deleted)",
        "ledger entry 2: ledger.version unreadable (edited outside the library)",
        "ledger entry 2: hash does not match its content (edited)",
        f"complaint {first}: projection.version unreadable (edited outside the library)",
        f"complaint {second}: projection.next_due unreadable (edited outside the library)",
        closed,
    ):
        assert expected in problems
    assert len(problems) == len(set(problems))
    assert not desk.verify(NOW, expect=head).ok
    assert "outbox item 1: outbox.ledger_seq unreadable (edited outside the library)" in (
        desk.verify(NOW, since=head).problems
    )
    store.close()


def test_a_damaged_row_beside_a_damaged_history_is_still_a_problem_list(
    attacker: Attacker, desk: Desk
) -> None:
    # the rows are then read one by one, and the listing of ids ends at the history
    first, second, _last = ids(desk)
    attacker.run("UPDATE {s}.projection SET received_at = 'infinity' WHERE id = ?", second)
    attacker.run(
        "UPDATE {s}.events SET body_json = '{\"type\": ' WHERE complaint_id = ? AND seq = 2",
        first,
    )
    problems = desk.verify(NOW).problems
    assert any(p.startswith(f"complaint {first} event 2:") for p in problems)


# ---------------------------------------------------------------------- the command line


def test_verify_head_and_expect_on_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.integration.test_cli_delivery_and_identity import RECEIVE, invoke

    monkeypatch.chdir(tmp_path)
    assert invoke("init", ".").exit_code == 0
    for _ in range(2):
        assert invoke(*RECEIVE).exit_code == 0
    clean = invoke("verify")
    assert clean.exit_code == 0
    assert "ledger head: 2:" in clean.stdout
    printed = invoke("verify", "--head")
    assert printed.exit_code == 0
    head = printed.stdout.strip()
    assert head.startswith("2:")
    assert len(head) == 2 + 64
    assert invoke("verify", "--expect", head).exit_code == 0
    assert json.loads(invoke("verify", "--json").stdout)["head"] == head
    bad = invoke("verify", "--expect", "last tuesday")
    assert bad.exit_code == 2
    assert "last tuesday" not in bad.output

    attacker = SqliteAttacker(tmp_path / "complaints.sqlite3")
    [(cid,)] = attacker.run("SELECT id FROM projection ORDER BY id LIMIT 1")
    tail = last_event(attacker, cid)[0]  # 3, or 4 for the second (linked to the first: IMP-3)
    digest = rewrite_tail(attacker, cid)
    caught = invoke("verify")
    assert caught.exit_code == 5
    assert f"complaint {cid}: event {tail} differs from what the ledger recorded" in caught.stderr

    rewrite_ledger(attacker, cid, digest)  # the perfect rewrite
    assert invoke("verify").exit_code == 0  # invisible without the kept head ...
    anchored = invoke("verify", "--expect", head)
    assert anchored.exit_code == 5  # ... caught with it
    assert "differs from the kept head (the ledger was rewritten)" in anchored.stderr
    doc = json.loads(invoke("verify", "--expect", head, "--json").stdout)
    assert doc["error"]["code"] == 5
    assert doc["problems"] == [
        "ledger entry 2: differs from the kept head (the ledger was rewritten)"
    ]


def test_show_and_report_name_a_damaged_complaint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.integration.test_cli_delivery_and_identity import RECEIVE, invoke

    monkeypatch.chdir(tmp_path)
    assert invoke("init", ".").exit_code == 0
    assert invoke(*RECEIVE).exit_code == 0
    attacker = SqliteAttacker(tmp_path / "complaints.sqlite3")
    [(cid,)] = attacker.run("SELECT id FROM complaints")
    attacker.run("UPDATE events SET body_json = '{\"type\": ' WHERE seq = 2")
    for args in (["show", cid, "--as", "SR-201"], ["report", "--month", "2025-11"]):
        result = invoke(*args)
        assert result.exit_code == 5, args
        assert f"complaint {cid}: stored record cannot be read (event 2" in result.stderr
        assert "Traceback" not in result.output
        assert "run verify" in result.stderr


# ---------------------------------------------------------------------- after the commit


def _items(attacker: Attacker) -> list[int]:
    return [i for (i,) in attacker.run("SELECT id FROM {s}.outbox WHERE tenant = 'default'")]


@pytest.mark.procedure("REC-5")
def test_messages_forged_delivered_or_dropped_are_caught(attacker: Attacker, desk: Desk) -> None:
    first, second, *_ = sorted(_items(attacker))
    attacker.run(
        "UPDATE {s}.outbox SET delivered_at = '2025-11-14T01:05:00+00:00' WHERE id = ?", first
    )
    attacker.run(
        "UPDATE {s}.outbox SET dropped_at = '2025-11-14T01:06:00+00:00',"
        " drop_reason = 'obsolete' WHERE id = ?",
        second,
    )
    assert store_problems(desk) == (
        f"outbox item {first}: marked delivered, but not by the library",
        f"outbox item {second}: marked dropped, but not by the library",
    )
    assert not desk.verify(NOW).ok


@pytest.mark.procedure("REC-5")
def test_a_real_delivery_and_drop_verify_and_the_drop_names_who(
    attacker: Attacker, desk: Desk
) -> None:
    first, *_ = sorted(_items(attacker))
    desk.drop_message(first, NOW, "the recipient left", actor="SR-103", os_user="liwei")
    desk.deliver(NOW)
    [(by, user)] = attacker.run(
        "SELECT dropped_by, dropped_os_user FROM {s}.outbox WHERE id = ?", first
    )
    assert (by, user) == ("SR-103", "liwei")
    assert desk.verify(NOW).ok
    attacker.run("UPDATE {s}.outbox SET dropped_by = 'HQ-001' WHERE id = ?", first)
    assert store_problems(desk) == (f"outbox item {first}: marked dropped, but not by the library",)


@pytest.mark.procedure("PRV-1")
@pytest.mark.procedure("REC-5")
def test_a_fabricated_or_edited_access_record_is_caught(attacker: Attacker, desk: Desk) -> None:
    cid = ids(desk)[0]
    desk.view(cid, "SR-103", now=NOW, purpose="回访", os_user="liwei")
    assert desk.verify(NOW).ok
    attacker.run(
        "INSERT INTO {s}.access_log (tenant, at, actor, complaint_id, purpose, via, os_user)"
        " SELECT tenant, at, 'HQ-001', complaint_id, 'personal curiosity', via, 'zhao'"
        " FROM {s}.access_log WHERE tenant = 'default'"
    )
    [(real,), (forged,)] = attacker.run("SELECT id FROM {s}.access_log ORDER BY id")
    attacker.run("UPDATE {s}.access_log SET purpose = 'audit' WHERE id = ?", real)
    assert store_problems(desk) == (
        f"access record {real}: inserted or edited, not by the library",
        f"access record {forged}: inserted or edited, not by the library",
    )


@pytest.mark.procedure("REC-5")
def test_the_memory_store_catches_forged_settlements_and_access_records() -> None:
    from complaintcore.adapters.memory_store import MemoryStore

    store = MemoryStore()
    desk = make_desk(store=store, notifiers=[RecordingNotifier("log")])
    list(desk.receive_many(list(intakes(2, T0)), now=T0))
    first, second = sorted(store._outbox)
    desk.drop_message(second, NOW, "obsolete", actor="SR-103")
    desk.view(ids(desk)[0], "SR-103", now=NOW, purpose="回访")
    assert desk.verify(NOW).ok
    store._outbox[first].delivered_at = "2025-11-14T01:05:00.000000+00:00"
    store._outbox[second].dropped_by = "HQ-001"
    store._t.access[0] = attrs.evolve(store._t.access[0], actor="HQ-001")
    assert store.verify().problems == (
        f"outbox item {first}: marked delivered, but not by the library",
        f"outbox item {second}: marked dropped, but not by the library",
        "access record 1: inserted or edited, not by the library",
    )
