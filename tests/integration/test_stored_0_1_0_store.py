"""A store written by complaintcore 0.1.0 opens, verifies, and moves to PostgreSQL and back.

``tests/data/desk-0.1.0-store.sqlite3.gz`` is a file written by the 0.1.0
code (``tests/data/make_store_0_1_0.py`` says how), compressed byte for byte;
the tests unpack a copy and never open the committed file.  Opening a copy migrates it
(schema version 2 to the current one: tenants, event schema versions, sweep
leases); every stored text must come through byte for byte, so the hash
chains 0.1.0 computed still verify.
"""

from __future__ import annotations

import gzip
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from complaintcore.adapters.postgres_store import PostgresStore
from complaintcore.adapters.sqlite_store import SCHEMA_VERSION, SqliteStore
from complaintcore.adapters.transfer import chain_digest, copy_desk
from complaintcore.core.errors import InvalidInputError, StoreError
from complaintcore.core.models import Escalated
from complaintcore.desk.ports import VerifyReport
from complaintcore.testing import MemoryStore
from complaintcore.testing.store_contract import counted
from tests.postgres_server import PgDatabase

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "desk-0.1.0-store.sqlite3.gz"
COMPLAINTS, EVENTS, ITEMS = 5, 30, 38


def _texts(path: Path, tenant_column: bool) -> list[tuple[object, ...]]:
    """Every stored text and hash, as the file holds them."""
    conn = sqlite3.connect(path)
    try:
        events = conn.execute(
            "SELECT complaint_id, seq, body_json, prev_hash, hash FROM events"
            " ORDER BY complaint_id, seq"
        ).fetchall()
        intakes = conn.execute("SELECT id, intake_json FROM complaints ORDER BY id").fetchall()
        if tenant_column:
            tenants = {r[0] for r in conn.execute("SELECT tenant FROM events")}
            assert tenants == {"default"}
    finally:
        conn.close()
    return [*events, *intakes]


def _unpack(target: Path) -> Path:
    with gzip.open(FIXTURE, "rb") as packed, target.open("wb") as out:
        shutil.copyfileobj(packed, out)
    return target


@pytest.fixture
def old_desk(tmp_path: Path) -> Path:
    return _unpack(tmp_path / "desk-0.1.0.sqlite3")


def test_the_fixture_is_what_0_1_0_wrote(tmp_path: Path) -> None:
    copy = _unpack(tmp_path / "pristine.sqlite3")
    conn = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA user_version").fetchone() == (2,)
        columns = [r[1] for r in conn.execute("PRAGMA table_info(events)")]
    finally:
        conn.close()
    assert "tenant" not in columns
    assert "schema_version" not in columns


def test_a_0_1_0_store_opens_migrated_and_verifies(old_desk: Path) -> None:
    before = _texts(old_desk, tenant_column=False)
    with SqliteStore(old_desk) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.tenant == "default"
        assert counted(store.verify()) == VerifyReport(complaints=COMPLAINTS, events=EVENTS)
        assert store.desk_size() == (COMPLAINTS, ITEMS)
        assert {e.schema_version for h in store.export_histories() for e in h.events} == {1}
        complaints = {c.id: c for c in store.complaints()}
        assert sorted(complaints) == [f"C-010-{i}" for i in range(5)]
        assert store.find_by_key("wx-order-1") == complaints["C-010-1"]
        assert sum(isinstance(e, Escalated) for c in complaints.values() for e in c.events) == 4
        # what 0.1.0 left in the outbox is still there: retries due, deliveries kept
        friday = complaints["C-010-0"].events[-1].at
        assert len(store.pending(friday + timedelta(days=1), limit=100)) == ITEMS // 2
    assert _texts(old_desk, tenant_column=True) == before  # byte for byte
    conn = sqlite3.connect(old_desk)
    try:
        indexes = {
            r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        }
    finally:
        conn.close()
    # v8: 0.1.0's per-column indexes served no query and slowed every write
    assert not indexes & {"projection_site", "projection_department", "projection_grade"}
    assert "projection_status_due" not in indexes


def test_another_tenant_cannot_open_the_0_1_0_store(old_desk: Path) -> None:
    with pytest.raises(StoreError):
        SqliteStore(old_desk, tenant="acme")
    with SqliteStore(old_desk) as store:
        assert store.verify().ok


@pytest.fixture
def pg_url(postgres_server: PgDatabase) -> Iterator[str]:
    schema = postgres_server.new_schema()
    try:
        yield f"{postgres_server.dsn}?schema={schema}"
    finally:
        postgres_server.drop_schema(schema)


def test_a_0_1_0_desk_moves_to_postgresql_and_back_unchanged(
    old_desk: Path, pg_url: str, tmp_path: Path
) -> None:
    seen: list[tuple[int, int]] = []
    with SqliteStore(old_desk) as source, PostgresStore(pg_url) as target:
        report = copy_desk(source, target, progress=lambda done, total: seen.append((done, total)))
        assert (report.complaints, report.events, report.outbox_items) == (
            COMPLAINTS,
            EVENTS,
            ITEMS,
        )
        assert seen[-1] == (COMPLAINTS, COMPLAINTS)
        assert counted(target.verify()) == VerifyReport(complaints=COMPLAINTS, events=EVENTS)
        assert chain_digest(target.export_histories())[2] == report.chain_digest
        assert list(target.complaints()) == list(source.complaints())
        assert target.rows() == source.rows()
        later = target.rows()[0].received_at + timedelta(days=30)
        assert target.pending(later, limit=100) == source.pending(later, limit=100)
        # copying again into the same desk is refused, and changes nothing
        with pytest.raises(StoreError, match="copy into an empty desk") as err:
            copy_desk(source, target)
        assert "\n" not in str(err.value)
        assert target.desk_size() == (COMPLAINTS, ITEMS)

    back = tmp_path / "back.sqlite3"
    with PostgresStore(pg_url) as source, SqliteStore(back) as target:
        assert copy_desk(source, target).chain_digest == report.chain_digest
    assert _texts(back, tenant_column=True) == _texts(old_desk, tenant_column=True)


def test_a_tampered_source_is_not_copied(old_desk: Path, tmp_path: Path) -> None:
    conn = sqlite3.connect(old_desk)
    conn.execute("DROP TRIGGER events_no_update")
    conn.execute("UPDATE events SET body_json = replace(body_json, 'SR-', 'XX-') WHERE seq = 2")
    conn.commit()
    conn.close()
    with SqliteStore(old_desk) as source, SqliteStore(tmp_path / "t.sqlite3") as target:
        with pytest.raises(StoreError, match="does not verify"):
            copy_desk(source, target)
        assert target.desk_size() == (0, 0)


def test_only_stores_that_keep_stored_texts_can_copy(old_desk: Path) -> None:
    with SqliteStore(old_desk) as source:
        with pytest.raises(InvalidInputError) as err:
            copy_desk(source, MemoryStore())
        assert err.value.path == "target"
        with (
            SqliteStore(old_desk.with_name("x.sqlite3"), tenant="acme") as other,
            pytest.raises(InvalidInputError),
        ):
            copy_desk(source, other)
