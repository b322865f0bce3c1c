"""Migrating a 0.1.0 file costs what its rows cost (docs/storage.md, "Migrations").

Schema 6 tags each complaint's outbox rows with its ledger entry.  Found by
walking every untagged row once per complaint, a 20,000-complaint file took
seven minutes, with the write lock held all along (review s34A F02).  The law:
twice the complaints, about twice the work (SQLite's virtual-machine steps,
counted, not timed).
"""

from __future__ import annotations

import gzip
import sqlite3
from pathlib import Path

from complaintcore.adapters import sqlite_store

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "desk-0.1.0-store.sqlite3.gz"


def old_file(tmp_path: Path, copies: int) -> Path:
    """The 0.1.0 file with its five complaints (events, outbox, projection) copied
    ``copies`` times under new ids."""
    path = tmp_path / f"old-{copies}.sqlite3"
    path.write_bytes(gzip.decompress(FIXTURE.read_bytes()))
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    for table in ("complaints", "events", "projection", "outbox"):
        conn.execute(f"CREATE TEMP TABLE first_{table} AS SELECT * FROM {table}")
    for k in range(1, copies):
        conn.execute(
            "INSERT INTO complaints SELECT id || ?1, idempotency_key || ?1, intake_json,"
            " created_at FROM first_complaints",
            (f"-{k}",),
        )
        conn.execute(
            "INSERT INTO events SELECT complaint_id || ?1, seq, kind, at, actor, body_json,"
            " prev_hash, hash FROM first_events",
            (f"-{k}",),
        )
        conn.execute(
            "INSERT INTO projection SELECT id || ?1, status, received_at, version, site,"
            " department, category, grade, channel, validity, kind, handler, rung, next_due,"
            " idempotency_key FROM first_projection",
            (f"-{k}",),
        )
        conn.execute(
            "INSERT INTO outbox (notifier, dedupe_key, complaint_id, body_json, created_at,"
            " attempts, next_attempt_at, last_error, delivered_at)"
            " SELECT notifier, dedupe_key || ?1, complaint_id || ?1, body_json, created_at,"
            " attempts, next_attempt_at, last_error, delivered_at FROM first_outbox",
            (f"-{k}",),
        )
    conn.execute("COMMIT")
    conn.close()
    return path


def steps_to_migrate(path: Path) -> int:
    conn = sqlite3.connect(path, isolation_level=None)
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0  # go on

    conn.set_progress_handler(count, 100)
    try:
        assert sqlite_store.migrate(conn) == 2  # 0.1.0's version
        assert conn.execute("PRAGMA user_version").fetchone()[0] == sqlite_store.SCHEMA_VERSION
    finally:
        conn.close()
    return steps


def test_twice_the_complaints_cost_about_twice_the_migration(tmp_path: Path) -> None:
    small = steps_to_migrate(old_file(tmp_path, 100))  # 500 complaints, 3,800 messages
    large = steps_to_migrate(old_file(tmp_path, 200))
    assert large / small < 2.5, (small, large)  # walking the outbox each time: about 4
