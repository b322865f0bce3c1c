"""How the SQLite store reads: every listing and every claim walks an index in
the order it returns, so its cost follows the rows it returns, not the size of
the file (issue 10; ``benchmarks/bench_scale.py`` measures it at 100k).

SQLite's own ``EXPLAIN QUERY PLAN`` is the witness: a plan that names the
index and needs no temporary B-tree reads only what it returns.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from complaintcore.adapters import sqlite_store
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.desk.ports import RowQuery

NOW = datetime(2025, 11, 14, 9, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> SqliteStore:
    with SqliteStore(tmp_path / "desk.sqlite3") as s:
        yield s


def plan(store: SqliteStore, sql: str, args: Sequence[Any]) -> str:
    conn = sqlite3.connect(store.path)
    try:
        return "\n".join(r[3] for r in conn.execute(f"EXPLAIN QUERY PLAN {sql}", list(args)))
    finally:
        conn.close()


def test_outbox_claim_reads_the_pending_items_only(store: SqliteStore) -> None:
    # A filter on the channel must not lead SQLite to the (tenant, notifier,
    # dedupe_key) index and a sort of every item ever delivered.  The claims' clock
    # (review s46C F01) is one more filter on the pending items.
    clock = NOW.isoformat()
    sql, args = sqlite_store._live_lanes_query(
        store.tenant, NOW, 10, ["log", "wecom"], [0, 1, 2], clock
    )
    found = plan(store, sql, args)
    assert "outbox_due (tenant=? AND attempts=? AND next_attempt_at<?)" in found
    assert "TEMP B-TREE" not in found
    sql, args = sqlite_store._due_query(store.tenant, NOW, 10, None, clock)
    found = plan(store, sql, args)
    assert "outbox_pending" in found
    assert "TEMP B-TREE" not in found


def test_what_sweeps_deliveries_and_verify_watch_reads_an_index(store: SqliteStore) -> None:
    # Messages per channel (every sweep and delivery pass asks) read the pending items
    # only; leases past the longest (verify) read the rows with a due time only.
    found = plan(store, sqlite_store._PENDING_COUNTS, [store.tenant])
    assert "COVERING INDEX outbox_live" in found
    found = plan(store, sqlite_store._OVERLONG_LEASES, [store.tenant, NOW.isoformat()])
    assert "INDEX projection_due" in found
    # every message still waiting (outbox list --pending): the pending items, in order
    found = plan(store, sqlite_store._WAITING, [NOW.isoformat(), store.tenant, 100])
    assert "INDEX outbox_pending" in found
    assert "TEMP B-TREE" not in found


def test_a_delivery_pass_reads_no_dead_letter(store: SqliteStore) -> None:
    """Review s50O F01: a claim with a retry limit walked ``outbox_pending`` in id
    order and rejected each dead letter on ``attempts < ?`` (53 ms on a desk of
    81,683, to find nothing), and the two counts every pass and sweep asks read
    every one's row.  The claim reads the range below the limit only; the counts
    read the index alone."""
    clock = NOW.isoformat()
    found = plan(store, sqlite_store._LIVE_LEVELS, [store.tenant, 20])
    assert "SEARCH outbox USING INDEX outbox_due (tenant=? AND attempts<?)" in found
    assert "SEARCH outbox USING INDEX outbox_due (tenant=? AND attempts>? AND attempts<?)" in found
    assert "TEMP B-TREE" not in found
    # each number of attempts below the limit: its due items, in the order they became due
    sql, args = sqlite_store._live_lanes_query(store.tenant, NOW, 10, None, [0, 3], clock)
    found = plan(store, sql, args)
    assert found.count("SEARCH outbox USING INDEX outbox_due (tenant=? AND attempts=?") == 4
    assert "TEMP B-TREE" not in found
    found = plan(store, sqlite_store._DEAD_COUNTS, [store.tenant, 20])
    assert "COVERING INDEX outbox_live (tenant=? AND attempts>?)" in found
    # claims held too long (every pass checks): the range past the limit only
    found = plan(store, sqlite_store._OVERLONG_CLAIMS, [store.tenant, NOW.isoformat()])
    assert "INDEX outbox_claimed (tenant=? AND claimed_until>?)" in found


def _claim_steps(path: Path, kept: int, column: str, due: int) -> tuple[int, int]:
    """SQLite's steps (counted by a progress handler) for one claim of up to 10 on a
    store holding ``kept`` messages with ``column`` set (``attempts`` 20: dead
    letters; ``delivered_at``: delivered) and ``due`` messages due; with the count
    the claim took."""
    with SqliteStore(path) as s:
        conn = sqlite3.connect(s.path)
        conn.execute("PRAGMA foreign_keys = OFF")
        value: object = 20 if column == "attempts" else NOW.isoformat()
        conn.executemany(
            "INSERT INTO outbox (tenant, notifier, dedupe_key, complaint_id, body_json,"
            f" created_at, {column}) VALUES (?, 'email', ?, 'C-1', '{{}}', ?, ?)",
            [(s.tenant, f"k{i}", NOW.isoformat(), value) for i in range(kept)],
        )
        conn.executemany(
            "INSERT INTO outbox (tenant, notifier, dedupe_key, complaint_id, body_json,"
            " created_at) VALUES (?, 'email', ?, 'C-2', '{}', ?)",
            [(s.tenant, f"due{i}", NOW.isoformat()) for i in range(due)],
        )
        conn.commit()
        counted = [0]

        def tick() -> int:
            counted[0] += 1
            return 0

        conn.set_progress_handler(tick, 1)
        taken = sqlite_store._live_due(conn, s.tenant, NOW, 10, ["email"], 20, "")
        conn.close()
        return counted[0], len(taken)


def test_a_claim_with_nothing_due_costs_the_same_however_many_dead_letters(
    tmp_path: Path,
) -> None:
    """The work SQLite does for a claim with nothing due does not grow with the dead
    letters kept (a seek into a deeper tree aside): before review s50O F01 it grew
    by one index walk and row read per dead letter (22,017 steps for 2,000, 18 for
    none)."""
    many, taken = _claim_steps(tmp_path / "d2000.sqlite3", 2000, "attempts", 0)
    none, _ = _claim_steps(tmp_path / "d0.sqlite3", 0, "attempts", 0)
    assert taken == 0
    # a deeper B-tree to seek costs a few steps; a walk of them, thousands
    assert many - none < 100


def test_a_claim_reads_its_items_by_id_however_many_were_delivered(tmp_path: Path) -> None:
    """Review s52P: the claimed items' rows were read ``WHERE tenant = ? AND id IN
    (…)``, which SQLite answered through ``outbox_ledger`` by reading every row the
    tenant ever queued (48 ms a claim at 442k delivered, the 1 % sweep of the 100k
    desk four times its cost without them).  Its steps do not grow with them now."""
    # ten due: one id is looked up as a rowid even without the fix
    many, taken = _claim_steps(tmp_path / "d2000.sqlite3", 2000, "delivered_at", 10)
    none, _ = _claim_steps(tmp_path / "d0.sqlite3", 0, "delivered_at", 10)
    assert taken == 10
    # a deeper B-tree to seek costs a few steps; a walk of the delivered, thousands
    assert many - none < 100
    with SqliteStore(tmp_path / "p.sqlite3") as s:
        found = plan(s, sqlite_store._items_by_id(10), ["t", *range(10)])
    assert "INTEGER PRIMARY KEY (rowid=?)" in found


def test_the_outbox_export_walks_its_pages_by_id(store: SqliteStore) -> None:
    """Review s52R9 F01: ``migrate --to``'s pages of the outbox were read through
    ``outbox_ledger`` (every row of the tenant) and sorted, each page."""
    found = plan(store, sqlite_store._EXPORT_OUTBOX, [store.tenant, 0, 256])
    assert "INTEGER PRIMARY KEY (rowid>?)" in found
    assert "TEMP B-TREE" not in found


def test_longest_overdue_first_with_no_time_reads_two_index_walks(tmp_path: Path) -> None:
    """Review s52R9 F02: ``rows(order="overdue")`` without ``overdue_at`` sorted the
    whole tenant for each page (33–66 ms for 50 rows at 100k).  Its rows with a
    breach time come from ``projection_overdue``, the others from
    ``projection_received``, and the order is the one the Protocol documents:
    earliest ``breach_due`` first, then the rows with none, by receipt."""
    import random

    rng = random.Random(52)
    with SqliteStore(tmp_path / "o.sqlite3") as s:
        conn = sqlite3.connect(s.path)
        conn.execute("PRAGMA foreign_keys = OFF")
        rows = []
        for i in range(300):
            received = f"2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T09:00:00+00:00"
            breach = (
                None
                if rng.random() < 0.6
                else f"2026-1{rng.randint(0, 2)}-01T0{rng.randint(0, 9)}:00:00+00:00"
            )
            dept = rng.choice(["engineering", "security"])
            rows.append((s.tenant, f"C-{i:03d}", "closed", received, 1, dept, breach))
        conn.executemany(
            "INSERT INTO projection (tenant, id, status, received_at, version, department,"
            " breach_due) VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        conn.commit()
        conn.close()
        for filters in ({}, {"department": "security"}):
            mine = [r for r in rows if not filters or r[5] == filters["department"]]
            # by hand: breached first by their time (then receipt, id), then the rest by receipt
            expected = [
                r[1] for r in sorted(mine, key=lambda r: (r[6] is None, r[6] or "", r[3], r[1]))
            ]
            for limit in (None, 0, 1, 7, 120, 500):
                got = [r.id for r in s.rows(order="overdue", limit=limit, **filters)]
                assert got == expected[:limit] if limit is not None else expected
        sql, args = sqlite_store._rows_query(s.tenant, RowQuery.of(order="overdue", limit=50))
        found = plan(s, sql, args)
    assert "INDEX projection_overdue" in found
    assert "INDEX projection_received" in found


def test_rows_due_are_claimed_and_listed_in_the_due_index_order(store: SqliteStore) -> None:
    """A night's or a holiday's complaints share one due time: claiming them in
    batches, or listing a page of those overdue, must not sort all that share it
    (review s32C F03: the claims of a sweep were quadratic)."""
    late = NOW.isoformat()
    found = plan(store, sqlite_store._CLAIM_DUE, [store.tenant, late, late, late, 50])
    assert "projection_due" in found
    assert "TEMP B-TREE" not in found
    sql, args = sqlite_store._rows_query(
        store.tenant, RowQuery.of(due_before=NOW, order="due", limit=200)
    )
    found = plan(store, sql, args)
    assert "projection_due" in found
    assert "TEMP B-TREE" not in found


@pytest.mark.parametrize(
    ("query", "index"),
    [
        (RowQuery.of(limit=200), "projection_received"),
        (RowQuery.of(limit=200, order="received"), "projection_received"),
        (RowQuery.of(limit=200, order="due"), "projection_due_order"),
        (RowQuery.of(due_before=NOW, limit=200), "projection_due"),
        (RowQuery.of(received_from=NOW, received_until=NOW, limit=200), "projection_received"),
    ],
)
def test_each_listing_order_has_an_index(store: SqliteStore, query: RowQuery, index: str) -> None:
    sql, args = sqlite_store._rows_query(store.tenant, query)
    found = plan(store, sql, args)
    assert f"INDEX {index} " in found
    if query.due_before is None:  # a page in the index's own order: nothing is sorted
        assert "TEMP B-TREE" not in found


@pytest.mark.parametrize(
    "filters",
    [
        {"department": "engineering"},
        {"grade": "major"},
        {"status": "closed"},
    ],
)
@pytest.mark.parametrize(
    ("order", "index"), [("received", "projection_received"), ("due", "projection_due_order")]
)
def test_a_filter_that_matches_many_rows_pages_through_its_orders_index(
    store: SqliteStore, filters: dict[str, str], order: str, index: str
) -> None:
    # A department, grade or the closed status matches many rows: they are checked
    # on the rows the order's index walks, and nothing is sorted.
    sql, args = sqlite_store._rows_query(
        store.tenant, RowQuery.of(limit=200, order=order, **filters)
    )
    found = plan(store, sql, args)
    assert f"INDEX {index} " in found
    assert "TEMP B-TREE" not in found


@pytest.mark.parametrize(
    ("filters", "index", "key"),
    [
        ({"status": "awaiting_visit"}, "projection_open", "tenant=? AND status=?"),
        (
            {"site": "sunrise", "status": "in_handling"},
            "projection_open",
            "tenant=? AND status=?",
        ),
        (
            {"department": "engineering", "status": "in_handling"},
            "projection_open",
            "tenant=? AND status=?",
        ),
        ({"handler": "H-1"}, "projection_by_handler", "tenant=? AND handler=?"),
        ({"handler": "H-1", "site": "sunrise"}, "projection_by_handler", "tenant=? AND handler=?"),
        ({"site": "sunrise"}, "projection_by_site", "tenant=? AND site=?"),
    ],
)
def test_a_filter_that_may_match_few_rows_reads_its_own_index(
    store: SqliteStore, filters: dict[str, str], index: str, key: str
) -> None:
    # Review s27A F02: a site's open list, a handler's worklist, a status few rows
    # have walked the whole closed history until the page filled.  Each now reads
    # the rows of its own value, in the listing's order: nothing is sorted.
    sql, args = sqlite_store._rows_query(store.tenant, RowQuery.of(limit=200, **filters))
    found = plan(store, sql, args)
    assert f"INDEX {index} ({key})" in found
    assert "TEMP B-TREE" not in found


def test_an_open_status_in_due_order_reads_the_open_rows_only(store: SqliteStore) -> None:
    # The open rows of that status are sorted (a backlog), not the history walked
    # past its rows with no due time.
    sql, args = sqlite_store._rows_query(
        store.tenant, RowQuery.of(limit=200, order="due", status="in_handling")
    )
    assert "INDEX projection_open (tenant=? AND status=?)" in plan(store, sql, args)


def test_the_rows_touched_since_a_time_are_read_from_their_index(store: SqliteStore) -> None:
    # Review s27A F02: the staff report of a month reads the rows touched in it or
    # later, not every row received before it ends.
    period = ["2017-01-01", "2026-03-01"]
    args = [store.tenant, *period, store.tenant, "2026-02-01", *period]
    found = plan(store, sqlite_store._TOUCHED, args)
    assert "INDEX projection_updated (tenant=? AND updated_at=? AND received_at>?" in found
    assert "INDEX projection_updated (tenant=? AND updated_at>?)" in found
    assert "projection_received" not in found


def test_incremental_verify_reads_the_outbox_rows_since_the_head_only(
    store: SqliteStore,
) -> None:
    # Review s27A F03: "ledger_seq IS NULL OR ledger_seq > ?" read every outbox row
    # of the tenant (the delivered history) and sorted them all.
    found = plan(store, sqlite_store._OUTBOX_AFTER, [store.tenant] * 3 + [10])
    assert "INDEX outbox_ledger (tenant=? AND ledger_seq=?)" in found  # IS NULL
    assert "INDEX outbox_ledger (tenant=? AND ledger_seq<?)" in found  # s41E F01: below 1
    assert "INDEX outbox_ledger (tenant=? AND ledger_seq>?)" in found
    assert "outbox_ledger (tenant=?)" not in found


def test_the_projection_keeps_only_indexes_a_query_reads(store: SqliteStore) -> None:
    conn = sqlite3.connect(store.path)
    try:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    finally:
        conn.close()
    gone = {"projection_status_due", "projection_site", "projection_department", "projection_grade"}
    assert not names & gone
    assert {"projection_received", "projection_due_order", "projection_due"} <= names
    assert {
        "projection_open",
        "projection_by_site",
        "projection_by_handler",
        "projection_updated",
    } <= names


@pytest.mark.parametrize(
    ("sql", "args"),
    [
        (sqlite_store._LEDGER_LAST_OF, ["default", "C-1"]),
        (sqlite_store._LEDGER_OF, ["default", "C-1", 10]),
    ],
)
def test_a_complaints_ledger_entries_are_read_from_its_index(
    store: SqliteStore, sql: str, args: list[Any]
) -> None:
    # Not the primary key walked backwards from the newest entry: that reads the
    # whole ledger for a complaint whose last entry is old.
    found = plan(store, sql, args)
    assert "INDEX ledger_complaint (tenant=? AND complaint_id=?" in found
    assert "TEMP B-TREE" not in found


# --------------------------------------------------------------------------- PostgreSQL


@pytest.fixture
def pg_store(postgres_server: Any) -> Any:
    from complaintcore.adapters.postgres_store import PostgresStore

    schema = postgres_server.new_schema()
    store = PostgresStore(postgres_server.dsn, schema=schema)
    try:
        yield store
    finally:
        store.close()
        postgres_server.drop_schema(schema)


def pg_plan(store: Any, sql: str, args: Any) -> str:
    """The plan PostgreSQL picks when it may not read a table whole (the test tables
    are empty, where a sequential scan always wins)."""
    import psycopg

    with psycopg.connect(store._dsn, autocommit=True) as conn, conn.transaction():
        conn.execute("SET LOCAL enable_seqscan = off")
        return "\n".join(r[0] for r in conn.execute(f"EXPLAIN {sql}", args))


def test_postgres_claims_outbox_items_through_the_pending_index(pg_store: Any) -> None:
    from complaintcore.adapters import postgres_store

    for clock in (None, NOW):  # the server's clock, or a test's
        sql, args = postgres_store._claim_query(
            pg_store._schema,
            pg_store.tenant,
            NOW,
            timedelta(minutes=5),
            10,
            ["log", "wecom"],
            5,
            clock,
        )
        found = pg_plan(pg_store, sql, args)
        # with a retry limit, the range of each number of attempts below it: no dead
        # letter read (review s50O F01), each read in the order its items became due
        # (review s51R3 F01); only what the ranges took (``limit`` each) is sorted
        assert found.count("Index Scan using outbox_due") == 2
        assert "outbox_live" not in found
        assert "Seq Scan" not in found


def test_postgres_reads_one_persons_complaints_of_a_month_by_key(pg_store: Any) -> None:
    """PEN-2, review s32I F01: the intakes of the month's ids are read by key, never
    the whole table (the planner joined them by reading every complaint)."""
    import psycopg

    ids = [f"C-{i:04d}" for i in range(2000)]  # a month's ids (the planner may scan)
    with psycopg.connect(pg_store._dsn, autocommit=True) as conn:
        found = "\n".join(
            r[0]
            for r in conn.execute(
                f"EXPLAIN {pg_store._sql.about}", [ids, pg_store.tenant, "SR-302"]
            )
        )
    assert "complaints_pkey" in found
    assert "Seq Scan on complaints" not in found


def test_postgres_keeps_dropped_messages_out_of_the_pending_index(pg_store: Any) -> None:
    """As SQLite's (review s32C F01): a message given up for good is not waiting."""
    import psycopg

    with psycopg.connect(pg_store._dsn, autocommit=True) as conn:
        (definition,) = conn.execute(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = %s AND indexname = %s",
            (pg_store._schema, "outbox_pending"),
        ).fetchone()
    assert "delivered_at IS NULL" in definition
    assert "dropped_at IS NULL" in definition


def test_postgres_claims_due_rows_in_the_due_index_order(pg_store: Any) -> None:
    """As SQLite's (review s33D F05): a claim takes equal due times by time received,
    then id, read in that order from the index of rows with a due time, sorting none."""
    from complaintcore.adapters.chain import latest_lease

    args = {
        "tenant": pg_store.tenant,
        "now": NOW,
        "until": NOW + timedelta(minutes=5),
        "latest": latest_lease(NOW),
        "limit": 50,
    }
    found = pg_plan(pg_store, pg_store._sql.claim_due, args)
    assert "using projection_due on" in found
    assert "Sort" not in found


def test_postgres_counts_pending_items_and_long_leases_from_indexes(pg_store: Any) -> None:
    found = pg_plan(pg_store, pg_store._sql.pending_counts, [pg_store.tenant])
    # an index alone, no row read for each dead letter kept (review s50O F01):
    # outbox_live, or outbox_due (review s51R3 F01), which holds the same columns
    assert re.search(r"Index Only Scan using outbox_(live|due)", found)
    assert "Seq Scan" not in found
    found = pg_plan(pg_store, pg_store._sql.overlong_leases, [pg_store.tenant, NOW])
    assert "projection_due" in found


@pytest.mark.parametrize(
    ("query", "index"),
    [
        (RowQuery.of(limit=200), "projection_received"),
        (RowQuery.of(limit=200, order="due"), "projection_due_order"),
    ],
)
def test_postgres_lists_each_order_from_an_index(
    pg_store: Any, query: RowQuery, index: str
) -> None:
    from complaintcore.adapters import postgres_store

    sql, args = postgres_store._rows_query(pg_store._schema, pg_store.tenant, query)
    found = pg_plan(pg_store, sql, args)
    assert index in found
    assert "Sort" not in found


def test_an_issues_rows_are_found_by_the_issue_index(store: SqliteStore) -> None:
    # HDL-5: listing one concentrated issue reads its members, not the whole desk in
    # time order until the page fills (a page of an issue that has few members).
    for order in ("received", "due"):
        sql, args = sqlite_store._rows_query(
            store.tenant, RowQuery(issue="I-C-20251114-0001", order=order, limit=200)
        )
        assert "INDEX projection_issue" in plan(store, sql, args)


class _Down:
    """A channel that is always down: every message becomes a dead letter."""

    def __init__(self, name: str) -> None:
        self.name = name

    def send(self, notification: Any, recipient: Any) -> None:
        raise ConnectionError("down")


def _desk_with_dropped(path: Path, complaints: int) -> tuple[Any, datetime]:
    """A desk whose every message failed, became a dead letter and was dropped."""
    from complaintcore import Desk, calendar_for_spec
    from complaintcore.adapters.staff import load_sample_staff
    from complaintcore.desk.config import RetryPolicy
    from tests.helpers import SH, intake, pack

    cn = pack()
    desk = Desk(
        pack=cn,
        store=SqliteStore(path),
        directory=load_sample_staff(pack=cn),
        calendar=calendar_for_spec(cn.calendar),
        notifiers=[_Down("wecom"), _Down("sms")],
        retry=RetryPolicy(max_attempts=1),
    )
    start = datetime(2025, 11, 10, 9, 0, tzinfo=SH)
    now = start + timedelta(hours=1)
    for i in range(complaints):
        desk.receive(
            intake(received_at=start + timedelta(minutes=i % 50), receiver="SR-103"), now=now
        )
    desk.deliver(now)
    while dead := desk.dead_letters(1000):
        for item in dead:
            desk.drop_message(item.id, now, "channel retired", actor="SR-101")
    return desk, now


def _steps(store: SqliteStore, work: Any) -> int:
    """SQLite virtual machine instructions ``work(store)`` runs on the store's
    connection: a count of the rows it walks, the same on any machine."""
    counted = 0

    def tick() -> int:
        nonlocal counted
        counted += 1
        return 0

    conn = store._conn()
    conn.set_progress_handler(tick, 1)
    try:
        work(store)
    finally:
        conn.set_progress_handler(None, 1)
    return counted


def test_messages_dropped_for_good_are_not_walked_by_deliveries_and_sweeps(
    tmp_path: Path,
) -> None:
    """A dropped message is history, not work: what a delivery pass and a sweep read of
    the outbox does not grow with the messages ever dropped (review s32C F01: the
    index of waiting messages kept them, so every pass walked them all)."""
    few, at = _desk_with_dropped(tmp_path / "few.sqlite3", 5)
    many, _ = _desk_with_dropped(tmp_path / "many.sqlite3", 60)
    for desk in (few, many):
        assert desk.store.pending_counts() == {}
    for work in (
        lambda s: s.pending_counts(),
        lambda s: s.dead_letter_counts(1),
        lambda s: s.claim(at, 100, notifiers=["wecom", "sms"], max_attempts=1),
    ):
        assert _steps(many.store, work) == _steps(few.store, work)
    few.close()
    many.close()
