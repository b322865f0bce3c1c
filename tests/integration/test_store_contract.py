"""The ComplaintStore contract, run against the SQLite file store and the memory store.

Then what only a real file can show: tampering found by ``verify``, triggers
that refuse edits, migrations, and several threads and processes writing the
same complaints at once.
"""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest

from complaintcore.adapters.memory_store import MemoryStore
from complaintcore.adapters.sqlite_store import (
    SCHEMA_VERSION,
    SchemaVersionError,
    SqliteStore,
    migrate,
)
from complaintcore.core.errors import (
    ConcurrencyConflictError,
    InvalidInputError,
    NaiveDatetimeError,
    UnknownComplaintError,
)
from complaintcore.core.models import Complaint, EvidenceAttached, Registered, Status
from complaintcore.core.workflow import (
    Assess,
    AttachEvidence,
    Classify,
    Register,
    decide,
    evolve,
    new_complaint,
)
from complaintcore.desk.ports import ComplaintRow, ComplaintStore, Notification, VerifyReport
from tests.helpers import T0, intake, pack

NOW = T0 + timedelta(hours=1)
PACK = pack()


# --------------------------------------------------------------------------- builders


def registered(
    cid: str, *, key: str = "", site: str = "sunrise", received: datetime = T0
) -> Complaint:
    c = new_complaint(cid, intake(site=site, received_at=received, idempotency_key=key))
    return evolve(c, decide(c, Register(actor="s-front"), PACK, received))


def row_of(
    c: Complaint, *, next_due: datetime | None = None, grade: str = "", department: str = ""
) -> ComplaintRow:
    return ComplaintRow(
        id=c.id,
        status=c.status.value,
        received_at=c.intake.received_at,
        version=c.version,
        site=c.intake.site,
        department=department or c.state.department,
        grade=grade,
        channel=c.intake.channel.value,
        next_due=next_due,
        idempotency_key=c.intake.idempotency_key,
    )


def note(key: str, cid: str = "C-1", at: datetime = T0) -> Notification:
    return Notification(
        key=key,
        complaint_id=cid,
        topic="registered",
        recipient="s-cs",
        subject="新投诉",
        body="王** 1201",
        created_at=at,
        data=(("grade", "minor"),),
    )


def attach(
    store: ComplaintStore, cid: str, reference: str, *, now: datetime = NOW, **row_kw: Any
) -> Complaint:
    c = store.load(cid)
    events = decide(c, AttachEvidence(actor="s-cs", reference=reference), PACK, now)
    after = evolve(c, events)
    store.append(cid, c.version, events, row_of(after, **row_kw), [])
    return after


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(params=["sqlite", "memory"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ComplaintStore]:
    s: ComplaintStore = (
        SqliteStore(tmp_path / "complaints.db") if request.param == "sqlite" else MemoryStore()
    )
    with s:
        yield s


@pytest.fixture
def db(tmp_path: Path) -> Iterator[SqliteStore]:
    with SqliteStore(tmp_path / "complaints.db") as s:
        yield s


def test_both_stores_implement_the_port(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "x.db") as s:
        assert isinstance(s, ComplaintStore)
    assert isinstance(MemoryStore(), ComplaintStore)


# --------------------------------------------------------------------------- contract


def test_create_then_load_round_trips(store: ComplaintStore) -> None:
    c = registered("C-1")
    assert store.create(c, row_of(c), []) == c
    loaded = store.load("C-1")
    assert loaded == c
    assert loaded.state == c.state
    assert loaded.status is Status.REGISTERED
    assert loaded.version == 1
    assert isinstance(loaded.events[0], Registered)
    assert loaded.events[0].at == T0
    assert loaded.events[0].at.utcoffset() == timedelta(hours=8)


def test_create_with_a_known_key_returns_the_stored_complaint(store: ComplaintStore) -> None:
    first = registered("C-1", key="wx-123")
    store.create(first, row_of(first), [("log", note("n1"))])
    retry = registered("C-2", key="wx-123")
    got = store.create(retry, row_of(retry), [("log", note("n2", "C-2"))])
    assert got.id == "C-1"
    assert got == first
    with pytest.raises(UnknownComplaintError):
        store.load("C-2")
    assert [r.id for r in store.rows()] == ["C-1"]
    assert [i.notification.key for i in store.pending(NOW)] == ["n1"]  # nothing written
    assert store.find_by_key("wx-123") == first
    assert store.find_by_key("other") is None
    assert store.find_by_key("") is None


def test_an_empty_key_never_deduplicates(store: ComplaintStore) -> None:
    for cid in ("C-1", "C-2"):
        c = registered(cid)
        store.create(c, row_of(c), [])
    assert [r.id for r in store.rows()] == ["C-1", "C-2"]


def test_the_same_id_twice_is_an_error(store: ComplaintStore) -> None:
    c = registered("C-1")
    store.create(c, row_of(c), [])
    with pytest.raises(InvalidInputError) as err:
        store.create(c, row_of(c), [])
    assert err.value.path == "complaint.id"


def test_a_row_for_another_complaint_is_refused(store: ComplaintStore) -> None:
    c = registered("C-1")
    with pytest.raises(InvalidInputError):
        store.create(c, row_of(registered("C-9")), [])
    store.create(c, row_of(c), [])
    with pytest.raises(InvalidInputError):
        store.append("C-1", 1, [], row_of(registered("C-9")), [])


@pytest.mark.procedure("REC-5")
def test_append_checks_the_version_and_keeps_history(store: ComplaintStore) -> None:
    c = registered("C-1")
    store.create(c, row_of(c), [])
    events = decide(c, Classify(actor="s-cs"), PACK, NOW)
    after = evolve(c, events)
    store.append("C-1", 1, events, row_of(after), [("log", note("classified"))])
    loaded = store.load("C-1")
    assert loaded == after
    assert loaded.version == 1 + len(events)
    assert loaded.events[:1] == c.events  # earlier events untouched

    stale = decide(c, Assess(actor="s-cs", validity="valid"), PACK, NOW)
    with pytest.raises(ConcurrencyConflictError) as err:
        store.append("C-1", 1, stale, row_of(evolve(c, stale)), [("log", note("stale"))])
    assert (err.value.complaint_id, err.value.expected, err.value.actual) == (
        "C-1",
        1,
        loaded.version,
    )
    assert store.load("C-1") == loaded  # nothing written
    assert [i.notification.key for i in store.pending(NOW)] == ["classified"]
    assert store.rows()[0].version == loaded.version
    assert store.verify().ok


def test_append_to_an_unknown_complaint(store: ComplaintStore) -> None:
    c = registered("C-404")
    with pytest.raises(UnknownComplaintError) as err:
        store.append("C-404", 1, [], row_of(c), [])
    assert err.value.complaint_id == "C-404"
    with pytest.raises(UnknownComplaintError):
        store.load("C-404")


def test_the_row_version_is_the_stored_one(store: ComplaintStore) -> None:
    c = registered("C-1")
    store.create(c, attrs_evolve(row_of(c), version=99), [])
    assert store.rows()[0].version == 1
    attach(store, "C-1", "photo-1")
    assert store.rows()[0].version == 2


def attrs_evolve(row: ComplaintRow, **kw: Any) -> ComplaintRow:
    import attrs

    return attrs.evolve(row, **kw)


def test_rows_filters_and_due_order(store: ComplaintStore) -> None:
    specs = [  # id, site, department, grade, next_due (hours after T0), received offset
        ("C-1", "sunrise", "engineering", "minor", 5, 0),
        ("C-2", "sunrise", "security", "major", 1, 1),
        ("C-3", "moonlight", "engineering", "minor", 3, 2),
        ("C-4", "moonlight", "engineering", "", None, 3),
    ]
    for cid, site, dept, grade, due, offset in specs:
        c = registered(cid, site=site, received=T0 + timedelta(minutes=offset))
        nd = None if due is None else T0 + timedelta(hours=due)
        store.create(c, row_of(c, next_due=nd, grade=grade, department=dept), [])
    attach(
        store,
        "C-3",
        "photo",
        next_due=T0 + timedelta(hours=3),
        grade="minor",
        department="engineering",
    )

    assert [r.id for r in store.rows()] == ["C-1", "C-2", "C-3", "C-4"]  # oldest first
    assert [r.id for r in store.rows(site="moonlight")] == ["C-3", "C-4"]
    assert [r.id for r in store.rows(department="engineering", grade="minor")] == ["C-1", "C-3"]
    assert [r.id for r in store.rows(status="registered", site="sunrise")] == ["C-1", "C-2"]
    assert store.rows(status="closed") == []
    soon = store.rows(due_before=T0 + timedelta(hours=4))
    assert [r.id for r in soon] == ["C-2", "C-3"]  # soonest first, C-4 has no due time
    assert [r.id for r in store.rows(due_before=T0 + timedelta(hours=3))] == ["C-2", "C-3"]
    assert [r.id for r in store.rows(due_before=T0 + timedelta(hours=9), limit=2)] == ["C-2", "C-3"]
    assert store.rows(limit=0) == []

    c3 = next(r for r in store.rows() if r.id == "C-3")
    assert c3.version == 2
    assert c3.grade == "minor"
    assert c3.site == "moonlight"
    assert c3.next_due == T0 + timedelta(hours=3)
    assert c3.next_due.tzinfo is not None
    assert c3.received_at == T0 + timedelta(minutes=2)
    # A different zone for the cut-off means the same instant.
    utc_cut = (T0 + timedelta(hours=1)).astimezone(UTC)
    assert [r.id for r in store.rows(due_before=utc_cut)] == ["C-2"]


def test_rows_refuse_naive_times_and_bad_limits(store: ComplaintStore) -> None:
    with pytest.raises(NaiveDatetimeError):
        store.rows(due_before=datetime(2025, 1, 1))
    with pytest.raises(InvalidInputError):
        store.rows(limit=-1)


def test_complaints_streams_every_complaint_in_id_order(store: ComplaintStore) -> None:
    ids = [f"C-{i:04d}" for i in range(300)]  # more than one batch
    for cid in reversed(ids):
        c = registered(cid)
        store.create(c, row_of(c), [])
    attach(store, "C-0257", "photo")
    seen = list(store.complaints())
    assert [c.id for c in seen] == ids
    assert seen[257].version == 2
    assert isinstance(seen[257].events[-1], EvidenceAttached)
    assert store.verify() == VerifyReport(complaints=300, events=301)


def test_outbox_pending_delivered_failed_and_dedupe(store: ComplaintStore) -> None:
    c = registered("C-1")
    store.create(
        c, row_of(c), [("email", note("reg")), ("sms", note("reg")), ("email", note("reg"))]
    )
    attach(store, "C-1", "photo")
    store.append(
        "C-1",
        2,
        [],
        row_of(store.load("C-1")),
        [("email", note("reg")), ("email", note("later", at=NOW))],
    )
    items = store.pending(NOW)
    assert [(i.notifier, i.notification.key) for i in items] == [
        ("email", "reg"),
        ("sms", "reg"),
        ("email", "later"),
    ]
    assert items[0].notification == note("reg")
    assert items[0].attempts == 0
    assert items[0].next_attempt_at is None
    assert [i.id for i in store.pending(NOW, limit=1)] == [items[0].id]

    retry_at = NOW + timedelta(minutes=10)
    store.mark_failed(items[0].id, "smtp 451", retry_at)
    assert [i.id for i in store.pending(NOW)] == [items[1].id, items[2].id]
    again = store.pending(retry_at)
    assert again[0].id == items[0].id
    assert again[0].attempts == 1
    assert again[0].last_error == "smtp 451"
    assert again[0].next_attempt_at == retry_at

    store.mark_delivered(items[0].id, retry_at)
    store.mark_delivered(items[0].id, retry_at + timedelta(1))  # idempotent
    store.mark_failed(items[0].id, "late failure", retry_at)  # ignored once delivered
    assert [i.id for i in store.pending(retry_at)] == [items[1].id, items[2].id]
    with pytest.raises(InvalidInputError):
        store.mark_delivered(10_000, NOW)
    with pytest.raises(NaiveDatetimeError):
        store.pending(datetime(2025, 1, 1))


def test_claim_hides_items_from_other_workers_until_settled_or_the_lease_ends(
    store: ComplaintStore,
) -> None:
    c = registered("C-1")
    store.create(c, row_of(c), [("email", note("a")), ("sms", note("a")), ("email", note("b"))])
    lease = timedelta(minutes=5)
    first = store.claim(NOW, 10, notifiers={"email"}, lease=lease)
    assert [(i.notifier, i.notification.key) for i in first] == [("email", "a"), ("email", "b")]
    assert store.claim(NOW, 10, notifiers={"email"}, lease=lease) == []  # taken
    assert [i.notifier for i in store.claim(NOW, 10, lease=lease)] == ["sms"]
    store.mark_delivered(first[0].id, NOW)
    store.mark_failed(first[1].id, "down", NOW + timedelta(minutes=1))
    retry = store.claim(NOW + timedelta(minutes=1), 10, notifiers={"email"}, lease=lease)
    assert [i.notification.key for i in retry] == ["b"]
    assert retry[0].attempts == 1
    # a worker that died holding an item only delays it by the lease
    assert store.claim(NOW + timedelta(minutes=7), 10, lease=lease)[0].notification.key == "a"
    # items past the attempt limit are not claimed
    store.mark_failed(retry[0].id, "down", NOW + timedelta(minutes=2))
    later = NOW + timedelta(hours=1)
    assert store.claim(later, 10, notifiers={"email"}, max_attempts=2) == []
    assert len(store.claim(later, 10, notifiers={"email"}, max_attempts=3)) == 1


def test_outbox_entries_need_a_key(store: ComplaintStore) -> None:
    c = registered("C-1")
    with pytest.raises(InvalidInputError):
        store.create(c, row_of(c), [("email", note(""))])
    with pytest.raises(UnknownComplaintError):
        store.load("C-1")  # refused before anything was written


@pytest.mark.procedure("REC-5")
def test_verify_a_clean_store(store: ComplaintStore) -> None:
    assert store.verify().ok
    for cid in ("C-1", "C-2"):
        c = registered(cid)
        store.create(c, row_of(c), [])
    attach(store, "C-1", "a")
    attach(store, "C-1", "b")
    report = store.verify()
    assert report.ok
    assert (report.complaints, report.events) == (2, 4)


def test_a_closed_store_refuses_work(tmp_path: Path) -> None:
    for s in (SqliteStore(tmp_path / "x.db"), MemoryStore()):
        s.close()
        with pytest.raises(InvalidInputError):
            s.load("C-1")


# --------------------------------------------------------------------------- tampering


def _raw(store: SqliteStore) -> sqlite3.Connection:
    """An attacker's connection: no complaintcore code, the guard triggers dropped."""
    conn = sqlite3.connect(store.path, isolation_level=None)
    for trigger in (
        "events_no_update",
        "events_no_delete",
        "complaints_intake_fixed",
        "complaints_no_delete",
    ):
        conn.execute(f"DROP TRIGGER {trigger}")
    return conn


def _history(db: SqliteStore, cid: str = "C-1", extra: int = 3) -> None:
    c = registered(cid)
    db.create(c, row_of(c), [])
    for i in range(extra):
        attach(db, cid, f"photo-{i}")
    assert db.verify().ok


@pytest.mark.procedure("REC-5")
def test_triggers_refuse_edits_from_ordinary_code(db: SqliteStore) -> None:
    _history(db)
    conn = sqlite3.connect(db.path, isolation_level=None)
    try:
        for sql in (
            "UPDATE events SET actor = 'x' WHERE seq = 2",
            "DELETE FROM events WHERE seq = 4",
            "UPDATE complaints SET intake_json = '{}'",
            "DELETE FROM complaints",
        ):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                conn.execute(sql)
    finally:
        conn.close()
    assert db.verify().ok


@pytest.mark.procedure("REC-5")
def test_verify_finds_an_edited_event_body(db: SqliteStore) -> None:
    _history(db)
    _history(db, "C-2")
    conn = _raw(db)
    conn.execute(
        "UPDATE events SET body_json = replace(body_json, 'photo-1', 'photo-X')"
        " WHERE complaint_id = 'C-1' AND seq = 3"
    )
    conn.close()
    report = db.verify()
    assert not report.ok
    assert report.problems == ("complaint C-1 event 3: hash does not match its content (edited)",)


@pytest.mark.procedure("REC-5")
def test_verify_finds_an_edit_with_its_hash_recomputed(db: SqliteStore) -> None:
    from complaintcore.adapters.chain import event_hash

    _history(db)
    conn = _raw(db)
    prev, body = conn.execute(
        "SELECT prev_hash, body_json FROM events WHERE complaint_id = 'C-1' AND seq = 2"
    ).fetchone()
    forged = body.replace("photo-0", "photo-X")
    conn.execute(
        "UPDATE events SET body_json = ?, hash = ? WHERE complaint_id = 'C-1' AND seq = 2",
        (forged, event_hash(prev, "C-1", 2, forged)),
    )
    conn.close()
    assert db.verify().problems == (
        "complaint C-1 event 3: does not link to event 2 (edited or deleted)",
    )


@pytest.mark.procedure("REC-5")
def test_verify_finds_a_deleted_middle_event(db: SqliteStore) -> None:
    _history(db)
    conn = _raw(db)
    conn.execute("DELETE FROM events WHERE complaint_id = 'C-1' AND seq = 2")
    conn.close()
    problems = db.verify().problems
    assert "complaint C-1 event 3: expected seq 2 (events missing or reordered)" in problems
    assert "complaint C-1 event 3: does not link to event 1 (edited or deleted)" in problems
    assert any("projection says version 4 but 3 events" in p for p in problems)


@pytest.mark.procedure("REC-5")
def test_verify_finds_a_deleted_last_event(db: SqliteStore) -> None:
    _history(db)
    conn = _raw(db)
    conn.execute("DELETE FROM events WHERE complaint_id = 'C-1' AND seq = 4")
    conn.close()
    assert db.verify().problems == (
        "complaint C-1: projection says version 4 but 3 events are stored "
        "(events deleted or projection stale)",
    )


@pytest.mark.procedure("REC-5")
def test_verify_finds_an_edited_intake_without_leaking_it(db: SqliteStore) -> None:
    _history(db)
    conn = _raw(db)
    conn.execute(
        "UPDATE complaints SET intake_json = replace(intake_json, '13812345678',"
        " '13800000000') WHERE id = 'C-1'"
    )
    conn.close()
    report = db.verify()
    assert report.problems == (
        "complaint C-1 event 1: does not link to the intake (edited or deleted)",
    )
    assert not any(pii in str(report) for pii in ("138", "王小明", "1201"))


@pytest.mark.procedure("REC-5")
def test_verify_finds_a_changed_query_column(db: SqliteStore) -> None:
    _history(db)
    conn = _raw(db)
    conn.execute("UPDATE events SET actor = 'someone-else' WHERE complaint_id = 'C-1' AND seq = 1")
    conn.close()
    assert db.verify().problems == ("complaint C-1 event 1: actor column differs from the body",)


# --------------------------------------------------------------------------- grouping (HDL-5)


def grouped_row(c: Complaint, **kw: Any) -> ComplaintRow:
    base: dict[str, Any] = {
        "category": "repairs",
        "building": "3",
        "complainant_key": f"k-{c.id}",
        "status": "in_handling",
    }
    base.update(kw)
    return attrs.evolve(row_of(c), **base)


@pytest.mark.procedure("HDL-5")
def test_open_similar_answers_open_complaints_of_a_group_near_a_time(
    store: ComplaintStore,
) -> None:
    hour = timedelta(hours=1)
    rows = {
        "C-1": {},
        "C-2": {"building": "5"},
        "C-3": {"category": "fees"},
        "C-4": {"status": "closed"},
        "C-5": {"issue": "I-C-1", "group_incident": True},
        "C-6": {},  # received too late
    }
    received = {"C-1": T0, "C-2": T0, "C-3": T0, "C-4": T0, "C-5": T0 + hour, "C-6": T0 + 9 * hour}
    for cid, kw in rows.items():
        c = registered(cid, received=received[cid])
        store.create(c, grouped_row(c, **kw), [])
    found = store.open_similar(
        site="sunrise", category="repairs", since=T0 - hour, until=T0 + 2 * hour, building="3"
    )
    assert [(m.id, m.complainant, m.issue, m.incident) for m in found] == [
        ("C-1", "k-C-1", "", False),
        ("C-5", "k-C-5", "I-C-1", True),
    ]
    assert found[1].received_at == T0 + hour
    anywhere = store.open_similar(
        site="sunrise", category="repairs", since=T0 - hour, until=T0 + 2 * hour
    )
    assert [m.id for m in anywhere] == ["C-1", "C-2", "C-5"]  # a site-wide rule
    assert [m.id for m in store.open_similar(
        site="sunrise", category="repairs", since=T0, until=T0 + 9 * hour, limit=1
    )] == ["C-1"]  # fmt: skip
    # closing takes a complaint out; linking it shows in the answer
    c1 = store.load("C-1")
    store.append("C-1", c1.version, (), grouped_row(c1, status="closed"), [])
    c2 = store.load("C-2")
    store.append("C-2", c2.version, (), grouped_row(c2, building="5", issue="I-C-1"), [])
    again = store.open_similar(
        site="sunrise", category="repairs", since=T0 - hour, until=T0 + 2 * hour
    )
    assert [(m.id, m.issue) for m in again] == [("C-2", "I-C-1"), ("C-5", "I-C-1")]
    assert [r.id for r in store.issue_rows("I-C-1")] == ["C-2", "C-5"]
    assert store.issue_rows("I-nothing") == []
    with pytest.raises(InvalidInputError) as info:
        store.issue_rows("")
    assert info.value.path == "issue"
    with pytest.raises(NaiveDatetimeError):
        store.open_similar(site="sunrise", category="repairs", since=datetime(2025, 1, 1), until=T0)


# --------------------------------------------------------------------------- schema


def test_a_v1_file_is_migrated_on_open(tmp_path: Path) -> None:
    source = tmp_path / "source.db"
    with SqliteStore(source) as s:
        _history(s, extra=1)
    old = tmp_path / "v1.db"
    conn = sqlite3.connect(old, isolation_level=None)
    assert migrate(conn, target=1) == 0
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    conn.execute("ATTACH DATABASE ? AS src", (str(source),))
    v1_projection = [r[1] for r in conn.execute("PRAGMA main.table_info(projection)")]
    for table in ("complaints", "events", "outbox"):
        conn.execute(f"INSERT INTO main.{table} SELECT * FROM src.{table}")
    columns = ", ".join(v1_projection)
    conn.execute(f"INSERT INTO main.projection SELECT {columns} FROM src.projection")
    conn.execute("DETACH DATABASE src")
    conn.close()

    with SqliteStore(old) as s:
        assert s.schema_version == SCHEMA_VERSION
        assert s.load("C-1").version == 2
        attach(s, "C-1", "after-migration")
        assert s.verify().ok
        assert s.verify().events == 3
    conn = sqlite3.connect(old)
    triggers = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}
    conn.close()
    assert "events_no_update" in triggers


def test_a_file_from_a_newer_complaintcore_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    SqliteStore(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    with pytest.raises(SchemaVersionError) as err:
        SqliteStore(path)
    assert (err.value.found, err.value.supported) == (SCHEMA_VERSION + 5, SCHEMA_VERSION)
    assert "upgrade complaintcore" in str(err.value)


def test_a_fresh_file_uses_wal(db: SqliteStore) -> None:
    conn = sqlite3.connect(db.path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_an_in_memory_sqlite_path_is_refused() -> None:
    with pytest.raises(InvalidInputError):
        SqliteStore(":memory:")


# --------------------------------------------------------------------------- concurrency

APPENDS = 40
TARGETS = ("C-1", "C-2", "C-3")


def _append_with_retry(store: SqliteStore, tag: str, n: int) -> int:
    """Each worker appends ``n`` uniquely named events; a conflict means reload and
    decide again, as the desk does.  Returns the number of conflicts met."""
    conflicts = 0
    for i in range(n):
        cid = TARGETS[i % len(TARGETS)]
        ref = f"{tag}-{i}"
        while True:
            c = store.load(cid)
            events = decide(c, AttachEvidence(actor=tag, reference=ref), PACK, NOW)
            try:
                store.append(
                    cid,
                    c.version,
                    events,
                    row_of(evolve(c, events)),
                    [("log", note(ref, cid, NOW))],
                )
                break
            except ConcurrencyConflictError:
                conflicts += 1
    return conflicts


def _process_appender(path: str, tag: str, barrier: Any, results: Any) -> None:
    with SqliteStore(path) as store:
        barrier.wait(60)
        results.put((tag, _append_with_retry(store, tag, APPENDS)))


def _process_creator(path: str, tag: str, barrier: Any, results: Any) -> None:
    with SqliteStore(path) as store:
        c = registered(f"R-{tag}", key="retried-submission")
        barrier.wait(60)
        results.put((tag, store.create(c, row_of(c), [("log", note(f"r-{tag}", c.id))]).id))


def _race(
    path: Path, process_target: Any, thread_target: Any, processes: int = 2, threads: int = 4
) -> dict[str, Any]:
    """Start processes (spawned: a fresh interpreter each) and threads, release them
    together from one barrier, and collect what each reports."""
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(processes + threads)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=process_target, args=(str(path), f"p{i}", barrier, results))
        for i in range(processes)
    ]
    for p in procs:
        p.start()
    out: dict[str, Any] = {}
    errors: list[BaseException] = []

    def run_thread(tag: str) -> None:
        try:
            barrier.wait(60)
            out[tag] = thread_target(tag)
        except BaseException as exc:  # reported below
            errors.append(exc)

    workers = [threading.Thread(target=run_thread, args=(f"t{i}",)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
    for _ in procs:
        tag, value = results.get(timeout=120)
        out[tag] = value
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    results.close()
    results.join_thread()
    assert not errors, errors
    return out


@pytest.mark.procedure("REC-5")
def test_threads_and_processes_append_to_the_same_complaints(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    with SqliteStore(path) as store:
        for cid in TARGETS:
            c = registered(cid)
            store.create(c, row_of(c), [])
        conflicts = _race(
            path, _process_appender, lambda tag: _append_with_retry(store, tag, APPENDS)
        )
        workers = sorted(conflicts)
        assert workers == ["p0", "p1", "t0", "t1", "t2", "t3"]

        expected: dict[str, set[str]] = {cid: set() for cid in TARGETS}
        for tag in workers:
            for i in range(APPENDS):
                expected[TARGETS[i % len(TARGETS)]].add(f"{tag}-{i}")
        for cid in TARGETS:
            c = store.load(cid)
            refs = [e.reference for e in c.events if isinstance(e, EvidenceAttached)]
            assert len(refs) == len(set(refs))  # no duplicates
            assert set(refs) == expected[cid]  # none lost
            assert c.version == 1 + len(expected[cid])
            assert store.rows(site="sunrise")[TARGETS.index(cid)].version == c.version
        report = store.verify()
        assert report.ok, report.problems
        assert report.events == len(TARGETS) + len(workers) * APPENDS
        assert len(store.pending(NOW, limit=10_000)) == len(workers) * APPENDS


def test_threads_and_processes_create_with_one_key(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    with SqliteStore(path) as store:

        def create(tag: str) -> str:
            c = registered(f"R-{tag}", key="retried-submission")
            return store.create(c, row_of(c), [("log", note(f"r-{tag}", c.id))]).id

        ids = _race(path, _process_creator, create)
        assert len(ids) == 6
        assert len(set(ids.values())) == 1  # every caller got the same complaint
        winner = next(iter(ids.values()))
        assert [r.id for r in store.rows()] == [winner]
        assert [c.id for c in store.complaints()] == [winner]
        assert [i.notification.complaint_id for i in store.pending(NOW)] == [winner]
        assert store.verify().ok


def test_a_thread_sees_what_another_thread_wrote(db: SqliteStore) -> None:
    c = registered("C-1")
    db.create(c, row_of(c), [])
    seen: list[int] = []
    t = threading.Thread(target=lambda: seen.append(db.load("C-1").version))
    t.start()
    t.join()
    assert seen == [1]


def test_the_port_requires_a_context_manager() -> None:
    class NoWith:
        """Every method of the port but __enter__/__exit__."""

    for name in (
        "create", "append", "load", "find_by_key", "rows", "open_similar", "issue_rows",
        "complaints", "pending", "claim", "mark_delivered", "mark_failed", "verify", "close",
    ):  # fmt: skip
        setattr(NoWith, name, lambda self, *a, **k: None)
    assert not isinstance(NoWith(), ComplaintStore)
    NoWith.__enter__ = lambda self: self  # type: ignore[attr-defined]
    NoWith.__exit__ = lambda self, *exc: None  # type: ignore[attr-defined]
    assert isinstance(NoWith(), ComplaintStore)
