"""The embedded default store: one SQLite file in WAL mode (stdlib :mod:`sqlite3`).

Why SQLite: a property office runs complaintcore on one machine, often next to
a host ERP; a single file needs no server, WAL lets readers work while a writer
commits, and ``BEGIN IMMEDIATE`` makes the version check and the insert of an
append one atomic step across threads *and* processes.

What is stored (see ``docs/storage.md``):

* ``complaints``: the intake record as canonical JSON, written once;
* ``events``: append-only (REC-5), numbered 1..n per complaint, each linked to
  the one before by a SHA-256 hash chain anchored on the intake, so
  :meth:`SqliteStore.verify` detects an edited, deleted or reordered event;
  triggers refuse ``UPDATE``/``DELETE`` from ordinary code;
* ``projection``: one :class:`~complaintcore.desk.ports.ComplaintRow` per complaint,
  indexed for "open complaints by due time / site / department / grade";
* ``outbox``: notifications written in the same transaction as the events, so a
  state change and its messages are never separated; delivered after commit;
* ``tenants``: the tenants (companies, estate groups) the file keeps desks for.
  Every row above carries its tenant and every query is confined to the
  store's own (:attr:`SqliteStore.tenant`).  Each tenant's row also keeps what
  its projection rows were last computed under (``projection_basis``).

Times in the projection and the outbox are UTC text of fixed width, so text
order is time order and the indexes answer "due before t".
"""

from __future__ import annotations

import functools
import os
import sqlite3
import threading
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Concatenate, ParamSpec, Self, TypeVar

import attrs

from complaintcore.adapters.chain import (
    CLAIM_ENDED,
    DEFAULT_LEASE,
    DEFAULT_TENANT,
    FailedAt,
    StoredEvent,
    access_filters,
    argument_holding,
    being_sent,
    chain_events,
    chain_problems,
    check_access,
    check_attempts,
    check_basis,
    check_bounds,
    check_events,
    check_held,
    check_item_id,
    check_key_list,
    check_keys,
    check_limit,
    check_listener_hold,
    check_longest,
    check_mark,
    check_outbox,
    check_raisings,
    check_reason,
    check_related,
    check_row_id,
    check_staff_id,
    check_sweep_lease,
    check_tenant,
    claim_offset,
    claim_time,
    claimer_time,
    claims_end_by,
    decode_complaint,
    effective_key,
    encode_event,
    encode_intake,
    error_text,
    genesis_hash,
    held_claim,
    latest_lease,
    lease_end,
    notification_to_json,
    outbox_item,
    parse_utc,
    put_off_untried,
    stored_time,
    to_utc_text,
    unreadable_retry_cell,
    untried_from,
    wait_start,
    waits_too_long,
    window_start,
)
from complaintcore.adapters.file_locks import AVAILABLE as LOCKS_AVAILABLE
from complaintcore.adapters.file_locks import buckets_locked, lock_buckets
from complaintcore.adapters.ledger import (
    LedgerEntry,
    LedgerVerifier,
    OutboxRecord,
    StoredComplaint,
    check_after,
    check_touched,
    entry_hash,
    format_head,
    ledger_genesis,
    outbox_digest,
    parse_head,
    since_verifier,
)
from complaintcore.adapters.rekeying import stored_complainant, stored_keys, stored_place_keys
from complaintcore.adapters.seals import (
    AccessRow,
    SettlementRow,
    access_problems,
    access_seal,
    settlement_problems,
    settlement_seal,
)
from complaintcore.adapters.stores import describe_database
from complaintcore.adapters.transfer import StoredHistory, StoredItem, not_empty
from complaintcore.core.concentration import Member, building_key, complainant_key
from complaintcore.core.errors import (
    ClosedError,
    ComplaintCoreError,
    ConcurrencyConflictError,
    DamagedRecordError,
    DuplicateIdError,
    InvalidInputError,
    SchemaVersionError,
    StoreError,
    UnknownComplaintError,
    UnknownTenantError,
)
from complaintcore.core.models import (
    Channel,
    Complainant,
    Complaint,
    Event,
    Grade,
    Status,
    require_aware,
)
from complaintcore.core.repeats import Earlier
from complaintcore.desk.config import Synchronous, check_synchronous
from complaintcore.desk.ports import (
    AccessRecord,
    ComplaintRow,
    ListenerHold,
    Notification,
    OutboxItem,
    RaisingsQuery,
    ReceivedCount,
    RelatedQuery,
    RowOrder,
    RowQuery,
    SimilarQuery,
    VerifyReport,
    check_id,
    check_id_list,
)

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "SchemaVersionError", "SqliteStore", "store_error"]

_P = ParamSpec("_P")
_R = TypeVar("_R")

# SQLite's primary result codes (https://sqlite.org/rescode.html) and what they
# mean to whoever runs the desk.
_REASONS = {
    5: "is locked by another writer and stayed locked past the timeout; try again",  # BUSY
    6: "is locked by another connection of this process; try again",  # LOCKED
    8: "is read-only (file or folder permissions, or a read-only medium)",  # READONLY
    10: "could not be read or written (input/output error of the disk)",  # IOERR
    11: "is corrupt (malformed database image); restore a backup, then run verify",  # CORRUPT
    13: "could not be written: the disk is full (or the file reached its size limit)",  # FULL
    14: "cannot be opened (missing folder, or no permission)",  # CANTOPEN
    19: "refused a change that would break its integrity (REC-5)",  # CONSTRAINT
    26: "is not an SQLite database (another kind of file, or encrypted)",  # NOTADB
}

_TRANSIENT = frozenset({5, 6, 10, 13})
"""The result codes of a failure that can pass by itself: BUSY, LOCKED, IOERR, FULL
(:attr:`StoreError.transient <complaintcore.core.errors.StoreError>`)."""


def store_error(database: str, exc: sqlite3.Error) -> StoreError:
    """A one-line :class:`StoreError` for an SQLite failure: the file and what it means.

    SQLite's own message is not repeated (it can quote a statement); the result
    code's name is, for whoever reads the log.
    """
    code = getattr(exc, "sqlite_errorcode", None)
    name = getattr(exc, "sqlite_errorname", None) or type(exc).__name__
    primary = code & 0xFF if isinstance(code, int) else None
    reason = _REASONS.get(primary) if primary is not None else None
    return StoreError(
        database, f"{reason or 'SQLite failed'} ({name})", transient=primary in _TRANSIENT
    )


def _text_or_bytes(raw: bytes) -> str | bytes:
    """A stored text as a snapshot reads it: one that is not UTF-8 (written
    outside the library) kept as its bytes for the check to name, where
    SQLite's default decoding stops the whole read (review s45G F03)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw


def _abandon(conn: sqlite3.Connection) -> None:
    """Roll back what a failing block leaves open, quietly: the block's own error is
    the one to report, and a rollback of a transaction SQLite found broken (a corrupt
    page) can fail itself, which would replace it (review s47F F01)."""
    if conn.in_transaction:
        with suppress(sqlite3.Error):
            conn.execute("ROLLBACK")


def _end_read(conn: sqlite3.Connection, database: str) -> None:
    """End a read transaction that went well; a failure to, as a :class:`StoreError`."""
    if conn.in_transaction:
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            raise store_error(database, exc) from exc


def _translated(
    method: Callable[Concatenate[SqliteStore, _P], _R],
) -> Callable[Concatenate[SqliteStore, _P], _R]:
    """Every SQLite failure of a public method becomes a :class:`StoreError`; an
    argument SQLite cannot bind (a lone surrogate, an integer beyond 64 bits) an
    :class:`InvalidInputError`."""

    @functools.wraps(method)
    def guarded(self: SqliteStore, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            raise store_error(self._shown, exc) from exc
        except UnicodeEncodeError:  # a lone surrogate in an argument: no UTF-8 holds it
            raise InvalidInputError(
                argument_holding(method, args, kwargs, "surrogate"),
                "contains a lone surrogate, which no UTF-8 text can hold",
            ) from None
        except OverflowError:  # an integer argument beyond SQLite's 64 bits
            raise InvalidInputError(
                argument_holding(method, args, kwargs, "int64"), "an integer beyond 64 bits"
            ) from None

    return guarded


_IDS_A_STATEMENT = 500
"""Ids bound in one ``IN (...)`` (SQLite allows 32,766 variables; a few hundred keep
each statement's plan cheap)."""

_MISSING_DATABASE = (
    "does not exist; restore it, or set `database` to where it is"
    " (only `complaintcore init` creates a desk's database)"
)
"""Why a desk's database is refused when its file is missing (``create=False``)."""

_REPLACED = (
    "is no longer the file this process opened (removed, moved or replaced while it"
    " ran); stop every process using the desk, then start them again"
)
"""Why :meth:`SqliteStore.check_file` stops a long-running process (review s47F F02)."""

_IN_SNAPSHOT = "holds a read snapshot in this thread: write once it has ended"
"""Why a write is refused inside :meth:`SqliteStore.snapshot` (it would see, and
commit over, an old moment)."""


_APPEND_ONLY = "complaintcore: the event history is append-only (REC-5)"
_TENANT_TABLES = ("complaints", "events", "projection", "outbox", "ledger", "access_log")
"""Every table with rows of a tenant (:meth:`SqliteStore.unregister_tenant`)."""

_V2_ROW_COLUMNS = (
    "id, status, received_at, version, site, department, category, grade, channel, "
    "validity, kind, handler, rung, next_due, idempotency_key"
)
_V3_ROW_COLUMNS = f"{_V2_ROW_COLUMNS}, building, complainant_key, issue, group_incident"
_OUTBOX_COLUMNS = (
    "notifier, dedupe_key, complaint_id, body_json, created_at, attempts, next_attempt_at, "
    "last_error, delivered_at"
)

MIGRATIONS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (
        1,
        (
            """CREATE TABLE complaints (
            id              TEXT PRIMARY KEY NOT NULL,
            idempotency_key TEXT UNIQUE,
            intake_json     TEXT NOT NULL,
            created_at      TEXT NOT NULL
        )""",
            """CREATE TABLE events (
            complaint_id TEXT NOT NULL REFERENCES complaints (id),
            seq          INTEGER NOT NULL CHECK (seq >= 1),
            kind         TEXT NOT NULL,
            at           TEXT NOT NULL,
            actor        TEXT NOT NULL,
            body_json    TEXT NOT NULL,
            prev_hash    TEXT NOT NULL,
            hash         TEXT NOT NULL,
            PRIMARY KEY (complaint_id, seq)
        ) WITHOUT ROWID""",
            """CREATE TABLE projection (
            id              TEXT PRIMARY KEY NOT NULL REFERENCES complaints (id),
            status          TEXT NOT NULL,
            received_at     TEXT NOT NULL,
            version         INTEGER NOT NULL,
            site            TEXT NOT NULL DEFAULT '',
            department      TEXT NOT NULL DEFAULT '',
            category        TEXT NOT NULL DEFAULT '',
            grade           TEXT NOT NULL DEFAULT '',
            channel         TEXT NOT NULL DEFAULT '',
            validity        TEXT NOT NULL DEFAULT '',
            kind            TEXT NOT NULL DEFAULT '',
            handler         TEXT NOT NULL DEFAULT '',
            rung            TEXT NOT NULL DEFAULT '',
            next_due        TEXT,
            idempotency_key TEXT NOT NULL DEFAULT ''
        )""",
            "CREATE INDEX projection_status_due ON projection (status, next_due)",
            "CREATE INDEX projection_site ON projection (site)",
            "CREATE INDEX projection_department ON projection (department)",
            "CREATE INDEX projection_grade ON projection (grade)",
            """CREATE TABLE outbox (
            id              INTEGER PRIMARY KEY AUTOINCREMENT,
            notifier        TEXT NOT NULL,
            dedupe_key      TEXT NOT NULL,
            complaint_id    TEXT NOT NULL,
            body_json       TEXT NOT NULL,
            created_at      TEXT NOT NULL,
            attempts        INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT,
            last_error      TEXT NOT NULL DEFAULT '',
            delivered_at    TEXT,
            UNIQUE (notifier, dedupe_key)
        )""",
        ),
    ),
    # v2: guards for REC-5 and indexes shaped for the queries the desk runs.
    (
        2,
        (
            "DROP INDEX projection_site",
            "DROP INDEX projection_department",
            "DROP INDEX projection_grade",
            "CREATE INDEX projection_site ON projection (site, status, next_due)",
            "CREATE INDEX projection_department ON projection (department, status, next_due)",
            "CREATE INDEX projection_grade ON projection (grade, status, next_due)",
            "CREATE INDEX projection_due ON projection (next_due) WHERE next_due IS NOT NULL",
            "CREATE INDEX outbox_pending ON outbox (id) WHERE delivered_at IS NULL",
            f"""CREATE TRIGGER events_no_update BEFORE UPDATE ON events
            BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END""",
            f"""CREATE TRIGGER events_no_delete BEFORE DELETE ON events
            BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END""",
            f"""CREATE TRIGGER complaints_intake_fixed
            BEFORE UPDATE OF id, intake_json ON complaints
            BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END""",
            f"""CREATE TRIGGER complaints_no_delete BEFORE DELETE ON complaints
            BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END""",
        ),
    ),
    # v3: what grouping needs (HDL-5): the building, a complainant key and the
    # concentrated issue in the projection, with indexes for "open complaints of
    # this site and category received near t" and "the members of an issue".
    # Existing rows are filled in by _fill_v3 in the same transaction (_FILL).
    # Self-contained: it only adds projection columns and partial indexes, and
    # reads nothing another version adds, so if another change also claims v3
    # this entry can be renumbered as it stands (move its _FILL key with it).
    (
        3,
        (
            "ALTER TABLE projection ADD COLUMN building TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE projection ADD COLUMN complainant_key TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE projection ADD COLUMN issue TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE projection ADD COLUMN group_incident INTEGER NOT NULL DEFAULT 0",
            "CREATE INDEX projection_similar ON projection (site, category, received_at)"
            " WHERE status <> 'closed'",
            "CREATE INDEX projection_issue ON projection (issue) WHERE issue <> ''",
        ),
    ),
    # v4: tenants (every row carries its tenant; keys are per tenant), the schema
    # version of each event, and the sweepers' lease on a projection row.  SQLite
    # cannot change a primary key in place, so the tables are rebuilt and what
    # 0.1.0 to v3 stored becomes tenant 'default', version 1, byte for byte.
    (
        4,
        (
            "CREATE TABLE tenants (tenant TEXT PRIMARY KEY NOT NULL) WITHOUT ROWID",
            f"INSERT INTO tenants (tenant) SELECT '{DEFAULT_TENANT}'"
            " WHERE EXISTS (SELECT 1 FROM complaints)",
            """CREATE TABLE complaints_v4 (
            tenant          TEXT NOT NULL REFERENCES tenants (tenant),
            id              TEXT NOT NULL,
            idempotency_key TEXT,
            intake_json     TEXT NOT NULL,
            created_at      TEXT NOT NULL,
            PRIMARY KEY (tenant, id),
            UNIQUE (tenant, idempotency_key)
        )""",
            f"""INSERT INTO complaints_v4 (tenant, id, idempotency_key, intake_json, created_at)
            SELECT '{DEFAULT_TENANT}', id, idempotency_key, intake_json, created_at
            FROM complaints""",
            """CREATE TABLE events_v4 (
            tenant         TEXT NOT NULL,
            complaint_id   TEXT NOT NULL,
            seq            INTEGER NOT NULL CHECK (seq >= 1),
            schema_version INTEGER NOT NULL DEFAULT 1 CHECK (schema_version >= 1),
            kind           TEXT NOT NULL,
            at             TEXT NOT NULL,
            actor          TEXT NOT NULL,
            body_json      TEXT NOT NULL,
            prev_hash      TEXT NOT NULL,
            hash           TEXT NOT NULL,
            PRIMARY KEY (tenant, complaint_id, seq),
            FOREIGN KEY (tenant, complaint_id) REFERENCES complaints_v4 (tenant, id)
        ) WITHOUT ROWID""",
            f"""INSERT INTO events_v4 (tenant, complaint_id, seq, schema_version, kind, at,
                                   actor, body_json, prev_hash, hash)
            SELECT '{DEFAULT_TENANT}', complaint_id, seq, 1, kind, at, actor, body_json,
                   prev_hash, hash
            FROM events""",
            """CREATE TABLE projection_v4 (
            tenant          TEXT NOT NULL,
            id              TEXT NOT NULL,
            status          TEXT NOT NULL,
            received_at     TEXT NOT NULL,
            version         INTEGER NOT NULL,
            site            TEXT NOT NULL DEFAULT '',
            department      TEXT NOT NULL DEFAULT '',
            category        TEXT NOT NULL DEFAULT '',
            grade           TEXT NOT NULL DEFAULT '',
            channel         TEXT NOT NULL DEFAULT '',
            validity        TEXT NOT NULL DEFAULT '',
            kind            TEXT NOT NULL DEFAULT '',
            handler         TEXT NOT NULL DEFAULT '',
            rung            TEXT NOT NULL DEFAULT '',
            next_due        TEXT,
            idempotency_key TEXT NOT NULL DEFAULT '',
            building        TEXT NOT NULL DEFAULT '',
            complainant_key TEXT NOT NULL DEFAULT '',
            issue           TEXT NOT NULL DEFAULT '',
            group_incident  INTEGER NOT NULL DEFAULT 0,
            swept_until     TEXT,
            PRIMARY KEY (tenant, id),
            FOREIGN KEY (tenant, id) REFERENCES complaints_v4 (tenant, id)
        )""",
            f"""INSERT INTO projection_v4 (tenant, {_V3_ROW_COLUMNS})
            SELECT '{DEFAULT_TENANT}', {_V3_ROW_COLUMNS} FROM projection""",
            """CREATE TABLE outbox_v4 (
            id              INTEGER PRIMARY KEY AUTOINCREMENT,
            tenant          TEXT NOT NULL,
            notifier        TEXT NOT NULL,
            dedupe_key      TEXT NOT NULL,
            complaint_id    TEXT NOT NULL,
            body_json       TEXT NOT NULL,
            created_at      TEXT NOT NULL,
            attempts        INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT,
            last_error      TEXT NOT NULL DEFAULT '',
            delivered_at    TEXT,
            UNIQUE (tenant, notifier, dedupe_key)
        )""",
            f"""INSERT INTO outbox_v4 (id, tenant, {_OUTBOX_COLUMNS})
            SELECT id, '{DEFAULT_TENANT}', {_OUTBOX_COLUMNS} FROM outbox""",
            "DROP TABLE events",
            "DROP TABLE projection",
            "DROP TABLE outbox",
            "DROP TABLE complaints",
            "ALTER TABLE complaints_v4 RENAME TO complaints",
            "ALTER TABLE events_v4 RENAME TO events",
            "ALTER TABLE projection_v4 RENAME TO projection",
            "ALTER TABLE outbox_v4 RENAME TO outbox",
            "CREATE INDEX projection_received ON projection (tenant, received_at)",
            "CREATE INDEX projection_status_due ON projection (tenant, status, next_due)",
            "CREATE INDEX projection_site ON projection (tenant, site, status, next_due)",
            "CREATE INDEX projection_department ON projection"
            " (tenant, department, status, next_due)",
            "CREATE INDEX projection_grade ON projection (tenant, grade, status, next_due)",
            "CREATE INDEX projection_due ON projection (tenant, next_due)"
            " WHERE next_due IS NOT NULL",
            "CREATE INDEX outbox_pending ON outbox (tenant, id) WHERE delivered_at IS NULL",
            "CREATE INDEX projection_similar ON projection (tenant, site, category, received_at)"
            " WHERE status <> 'closed'",
            "CREATE INDEX projection_issue ON projection (tenant, issue) WHERE issue <> ''",
            f"""CREATE TRIGGER events_no_update BEFORE UPDATE ON events
            BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END""",
            f"""CREATE TRIGGER events_no_delete BEFORE DELETE ON events
            BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END""",
            f"""CREATE TRIGGER complaints_intake_fixed
            BEFORE UPDATE OF tenant, id, intake_json ON complaints
            BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END""",
            f"""CREATE TRIGGER complaints_no_delete BEFORE DELETE ON complaints
            BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END""",
        ),
    ),
    # v5: what linking repeats at intake needs (IMP-3): a room key in the projection
    # and indexes for "earlier complaints of this site by this complainant / about
    # this room / about this building and category", closed ones included, each
    # within the tenant.  Existing rows get their room key from the intake
    # (_fill_v5).
    (
        5,
        (
            "ALTER TABLE projection ADD COLUMN room_key TEXT NOT NULL DEFAULT ''",
            "CREATE INDEX projection_person ON projection"
            " (tenant, site, complainant_key, received_at) WHERE complainant_key <> ''",
            "CREATE INDEX projection_room ON projection"
            " (tenant, site, room_key, received_at) WHERE room_key <> ''",
            "CREATE INDEX projection_matter ON projection"
            " (tenant, site, building, category, received_at) WHERE building <> ''",
        ),
    ),
    # v6: tamper evidence and accountability: the ledger chaining every commit
    # (adapters.ledger), the outbox rows each commit queued, the access log of
    # unmasked views, and dead letters a person drops.  What was stored before
    # is anchored by one ledger entry per complaint, made by _fill_v6.
    (
        6,
        (
            """CREATE TABLE ledger (
            tenant       TEXT NOT NULL,
            seq          INTEGER NOT NULL CHECK (seq >= 1),
            complaint_id TEXT NOT NULL,
            version      INTEGER NOT NULL,
            head         TEXT NOT NULL,
            outbox       TEXT NOT NULL DEFAULT '',
            key          TEXT NOT NULL DEFAULT '',
            created_at   TEXT NOT NULL DEFAULT '',
            prev         TEXT NOT NULL,
            hash         TEXT NOT NULL,
            PRIMARY KEY (tenant, seq)
        ) WITHOUT ROWID""",
            "CREATE INDEX ledger_complaint ON ledger (tenant, complaint_id, seq)",
            "ALTER TABLE outbox ADD COLUMN ledger_seq INTEGER",
            "ALTER TABLE outbox ADD COLUMN dropped_at TEXT",
            "ALTER TABLE outbox ADD COLUMN drop_reason TEXT NOT NULL DEFAULT ''",
            "CREATE INDEX outbox_ledger ON outbox (tenant, ledger_seq, id)",
            """CREATE TABLE access_log (
            id           INTEGER PRIMARY KEY AUTOINCREMENT,
            tenant       TEXT NOT NULL,
            at           TEXT NOT NULL,
            actor        TEXT NOT NULL,
            complaint_id TEXT NOT NULL,
            purpose      TEXT NOT NULL DEFAULT '',
            via          TEXT NOT NULL DEFAULT '',
            os_user      TEXT NOT NULL DEFAULT ''
        )""",
            "CREATE INDEX access_log_at ON access_log (tenant, at, id)",
            "CREATE INDEX access_log_complaint ON access_log (tenant, complaint_id, at)",
            f"""CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
            BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END""",
            f"""CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger
            BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END""",
            f"""CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
            BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END""",
            f"""CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
            BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END""",
        ),
    ),
    # v7: an index behind each order rows() lists in, so the first page of a
    # listing costs the same on any size of desk: received (ties by id), and
    # soonest due with no due time last (an index on the expression the query
    # sorts by; rows(due_before) keeps to projection_due).  And the time of each
    # complaint's latest event, so that statistics can be read from the
    # projection when nothing happened after the moment they describe
    # (_fill_updated gives stored rows theirs).  Self-contained: it needs nothing
    # of v5 (IMP-3's room keys) and was renumbered from v6 as it stood (the ledger took v6).
    (
        7,
        (
            "DROP INDEX projection_received",
            "CREATE INDEX projection_received ON projection (tenant, received_at, id)",
            "CREATE INDEX projection_due_order ON projection"
            " (tenant, next_due IS NULL, next_due, received_at, id)",
            "ALTER TABLE projection ADD COLUMN updated_at TEXT",
        ),
    ),
    # v8: the per-column indexes of 0.1.0 go.  Every listing pages through
    # projection_received or projection_due_order and filters as it walks (the
    # planner chose them over these already), so they served no query; each
    # complaint written still updated all four at a random place, about a tenth of
    # bulk intake at 100,000 complaints.
    (
        8,
        (
            "DROP INDEX IF EXISTS projection_status_due",
            "DROP INDEX IF EXISTS projection_site",
            "DROP INDEX IF EXISTS projection_department",
            "DROP INDEX IF EXISTS projection_grade",
        ),
    ),
    # v9: seals on what changes after a commit (adapters.seals): an outbox row's
    # delivery or drop, with who dropped it, and each access-log record.  What
    # was stored before is sealed as it stands by _fill_v9 (the upgrade is the
    # anchor, as v6's ledger is).
    (
        9,
        (
            "ALTER TABLE outbox ADD COLUMN dropped_by TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE outbox ADD COLUMN dropped_os_user TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE outbox ADD COLUMN seal TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE access_log ADD COLUMN seal TEXT NOT NULL DEFAULT ''",
        ),
    ),
    # v10: listings and reports that few rows answer read those rows, not the
    # history: the open rows by status (a status's list), a site's and a handler's
    # rows, and the rows touched since a time (the staff report).  Unlike v8's
    # dropped indexes each is keyed by the time of receipt after its column, so
    # intake appends at the end of a column value's run instead of at a random
    # place, and the filter's rows come in the listing's order.
    (
        10,
        (
            "CREATE INDEX projection_open ON projection (tenant, status, received_at, id)"
            " WHERE status <> 'closed'",
            "CREATE INDEX projection_by_site ON projection (tenant, site, received_at, id)",
            "CREATE INDEX projection_by_handler ON projection (tenant, handler, received_at, id)",
            "CREATE INDEX projection_updated ON projection (tenant, updated_at, received_at, id)",
        ),
    ),
    # v11: complainant and room keys of sixteen hex digits instead of six: with
    # six, two owners of one site could be taken for one person (IMP-3, GRD-2).
    # Every row's keys are made again from its intake by _fill_keys.
    (11, ()),
    # v12: what the projection rows were last computed under (a digest of the rule
    # pack, the calendar and the library; core.basis), per tenant: a sweep that
    # finds another rewrites the rows out of date first (DL-7).  Unknown (NULL)
    # for a desk stored before, so its first sweep checks every row once.  Added by
    # _fill_v12 unless there already (SQLite has no ADD COLUMN IF NOT EXISTS).
    (12, ()),
    # v13: until when a sender's claim on an outbox item holds (NULL: none): a
    # retry or drop by hand is refused meanwhile, as its send may still get
    # through.  Added by _fill_v13 unless there already.
    (13, ()),
    # v14: messages given up for good (dropped) leave the index of those waiting, so
    # sweeps and delivery passes no longer walk every message ever dropped.  And the
    # due index carries the order rows are read in among equal due times (a night's
    # or a holiday's complaints share one), so a claim or a page of them sorts none.
    (
        14,
        (
            "DROP INDEX IF EXISTS outbox_pending",
            "CREATE INDEX outbox_pending ON outbox (tenant, id)"
            " WHERE delivered_at IS NULL AND dropped_at IS NULL",
            "DROP INDEX IF EXISTS projection_due",
            "CREATE INDEX projection_due ON projection (tenant, next_due, received_at, id)"
            " WHERE next_due IS NOT NULL",
        ),
    ),
    # v15: the earliest due time of a complaint's open clocks (DL-7), so that
    # rows(overdue_at=now) (list --overdue) finds every complaint with a clock
    # breached and still open from an index, also after the sweep escalated it and
    # moved its next_due on (review s34D F01).  Added by _fill_v15 unless there
    # already, with its index and the stored rows' values.
    (15, ()),
    # v16: the projection's building is the form it is matched and counted by
    # (core.concentration.building_key: NFKC, case and spaces ignored), so a
    # building typed ３号楼 or 3 号楼 groups (HDL-5), repeats (IMP-3) and counts
    # (IMP-2, IMP-4) with 3号楼 (review s34D F02).  Stored buildings are made
    # their keys by _fill_v16.
    (16, ()),
    # v17: how far the claimer's ``now`` was from the store's clock when it claimed
    # an outbox item (microseconds).  Claims are kept on the store's clock, not on
    # the ``now`` of the claimer (a catch-up's, a host's clock off by minutes): a
    # claim counted from that ``now`` looked lapsed to a process at another one,
    # and its message went out twice (review s46C F01).  A hold the claimer asks
    # for (a send it stopped waiting for) is counted in its ``now`` and moved onto
    # the store's clock by it.  Added by _fill_v17 unless there already.
    (17, ()),
    # v18: the mark of the write that queued an outbox item held while the desk's
    # listeners hear its commit (NULL: none).  The hold is a claim on the store's
    # clock; the desk lets the items go by that mark once its listeners have
    # returned (hooks.md, review s46G F03).  Added by _fill_v18 unless there already.
    (18, ()),
    # v19: open complaints by site, category and building, in time order, so the
    # HDL-5 check at intake of a group scoped by building (the usual scope) reads
    # the building's open rows in the reach, not every open row of the site and
    # category (review s48C F01: a site of 20,000 open repairs read all 20,000 for
    # each complaint received in a building of none).  projection_similar stays
    # for groups scoped by site.
    (
        19,
        (
            "CREATE INDEX IF NOT EXISTS projection_similar_building ON projection"
            " (tenant, site, category, building, received_at, id) WHERE status <> 'closed'",
        ),
    ),
    # v20: a room is matched in whatever address form it was typed in, as masking
    # reads it (core.concentration.room_match): 3栋2单元1201室 and 3-2-1201 are one
    # room, so an owner's complaints typed the two ways link by room (IMP-3, GRD-2;
    # review s49A F01).  The keys of the rows whose room was typed with words, or
    # with a complainant known by room and name, are made again (_REKEYED); a
    # room typed with dashes keeps its key.
    (20, ()),
    # v21: a building is matched in whatever form it was typed in
    # (core.concentration.building_key): 3栋, 3号楼, 3# and 3 are building 3, A座 and
    # Block A building a, so complaints of one building typed two ways are one
    # concentrated issue (HDL-5), one matter (IMP-3) and one building of the month
    # (IMP-2, IMP-4; review s49L F01).  The building, room and complainant keys of
    # the rows whose building was typed with a building word are made again from
    # their intakes (_REKEYED); a building typed as a bare number keeps its keys.
    (21, ()),
    # v22: a room keeps the level each of its groups names (core.concentration.
    # room_match): 3单元1201 (unit 3) is another room than 3栋1201 and 3-1201
    # (building 3), so different flats no longer link as one room (IMP-3, GRD-2;
    # review s49Q F02).  The keys of the rows whose room names another level than
    # a building, or a building and a unit, are made again (_REKEYED); a room
    # typed with dashes, or as 3栋2单元1201室, keeps its key.
    (22, ()),
    # v23: a room of one group is one room with or without its end word (1201室,
    # 1201号 and 1201 are one), a building written 第3栋 or Block 3 before a room's
    # groups is read as 3栋, and a room whose building field is blank is keyed with
    # the building its first group names (3-2-1201 with building 3, 3栋 or none is
    # one room), and a room of one group or led by its unit below a building field of
    # one group is that building's (3栋 and 2单元1201室 is 3-2-1201; core.repeats.
    # room_key, review s50Q F04), so an owner's raisings typed those ways link by
    # room (IMP-3, GRD-2; review s50H F02, F04, F05).  The keys of those rows are made again
    # (_REKEYED); every other row keeps its keys, the building column too.
    (23, ()),
    # v24: the waiting messages by their attempts, so a claim with a retry limit
    # (every delivery pass) reads the messages still tried, never the dead letters
    # (past the limit, kept for a person to retry or drop): before, it walked them
    # all in id order, rejecting each, and a desk whose channel had been down for a
    # while paid for every dead letter ever kept on every pass (review s50O F01).
    # It carries the channel and the two columns of its condition, so the counts of
    # dead letters and of waiting messages per channel read it alone (no row).
    # And the waiting messages a claim was ever written on, by its end, so the
    # check for claims held too long (every pass) reads those claimed past the
    # limit, not every message waiting.
    (
        24,
        (
            "CREATE INDEX IF NOT EXISTS outbox_live ON outbox"
            " (tenant, attempts, id, notifier, delivered_at, dropped_at)"
            " WHERE delivered_at IS NULL AND dropped_at IS NULL",
            "CREATE INDEX IF NOT EXISTS outbox_claimed ON outbox (tenant, claimed_until)"
            " WHERE delivered_at IS NULL AND dropped_at IS NULL AND claimed_until IS NOT NULL",
        ),
    ),
    # v25: buildings and rooms read in more of the forms they are typed in: a building
    # or unit in Chinese numerals (三号楼, 第三栋 are building 3), a number's leading
    # zeros dropped (03栋 is 3, 03-2-1201 is 3-2-1201, flat 0101 is 101), a floor before
    # its flat left out (3号楼5楼502 is 3-502, 5楼502室 is 502), an English room word
    # dropped (Rm3-1202, Flat 3-1202 are 3-1202) and a value of several rooms keyed by
    # them (1202、1201 is 1201/1202), so an owner's raisings typed those ways link
    # (core.concentration.room_match, building_key; IMP-3, GRD-2, HDL-5; review s51B).
    # The building, complainant and room keys of those rows are made again
    # (_REKEYED); every other row keeps its keys.
    (25, ()),
    # v26: the waiting messages by their attempts and then their retry time, so a
    # delivery pass's claim takes the due messages by the time each became due
    # (a retry at its retry time, a never-tried message at the time it was queued)
    # and still reads no dead letter: one range of each number of attempts below
    # the limit.  Taking the fewest attempts first (v24) left a retry behind every
    # newer message as long as more came than a pass took (review s51R3 F01).
    (
        26,
        (
            "CREATE INDEX IF NOT EXISTS outbox_due ON outbox"
            " (tenant, attempts, next_attempt_at, id, notifier)"
            " WHERE delivered_at IS NULL AND dropped_at IS NULL",
        ),
    ),
    # v27: the time each outbox message's wait counts from, in the desk's time: its
    # queueing, its last failed attempt (the ``now`` the retry delay was counted
    # from), or its retry by hand.  A message due later than that plus the longest
    # wait the desk sets was moved by hand and would never be sent: verify names it
    # (review s51C F03).  Added by _fill_v27 unless there already: the messages
    # neither tried nor retried get their queueing time; the others, whose last
    # attempt was not kept, none (not judged until their next attempt).  With it
    # ``waits_at``, the attempts the message had then: a failed attempt by a process
    # of the previous release still running (which bumps ``attempts`` only) leaves
    # the time behind, and the message is not judged (review s51R12 F01).
    (27, ()),
    # v28: rooms read as review s51R20 to s52K read them: a space between two digits
    # keeps flats apart (3 1202 is not 31202) and beside a letter is left out
    # (A 1201 is A1201), 层 and an F (5F-502) name a floor, 房, 号房 and 房间 end a
    # flat, a lettered flat holds its floor (5楼502A is 502A), a room led by its
    # floor is read below a one-group building field (3栋 and 5层3号 are 3栋5层3号),
    # and a floor after a dashed building keeps the building (3-5F-502 is 3-502)
    # (core.concentration.room_match, room_place; IMP-3, GRD-2, HDL-5; reviews
    # s51R20, s51R23, s52K).  The building, complainant and room keys of those rows
    # are made again (_REKEYED); every other row keeps its keys.
    (28, ()),
    # v29: the access log by staff member, in the order it is listed, so the views
    # of one person (``access_log(actor=...)``, ``audit --actor``) read that
    # person's records, not every record of the tenant filtered on the actor: the
    # log is append-only and never pruned, and such a lookup cost 0.17 s per million
    # views kept, for an empty answer (review s53R7 F01).  access_log_complaint
    # serves a complaint's views, access_log_at the others.
    (
        29,
        ("CREATE INDEX IF NOT EXISTS access_log_actor ON access_log (tenant, actor, at, id)",),
    ),
)
"""``(version, statements)`` applied in order, each version in one transaction.

Never edit a released entry: add a new version.  ``PRAGMA user_version`` holds
the version a file is at.
"""


def _fill_v3(conn: sqlite3.Connection) -> None:
    """Give rows stored before v3 their building and complainant key (from the intake).

    Open complaints are also made due at once: the clocks and duties of this
    version (the VIS-2 reply clock, the duties) were unknown when their next due
    time was written, so the first sweep after the upgrade re-derives each of
    them under the current rules.  Closed ones are left as they were: nothing is
    owed retroactively for complaints closed before the upgrade.
    """
    updates = []
    for cid, intake_json in conn.execute(
        "SELECT c.id, c.intake_json FROM complaints AS c JOIN projection AS p ON p.id = c.id"
    ):
        found = stored_complainant(intake_json)
        if found is None:  # a malformed record: verify() reports it
            continue
        who = found[0]
        updates.append((who.building.strip(), complainant_key(who), cid))
    conn.executemany(
        "UPDATE projection SET building = ?, complainant_key = ? WHERE id = ?", updates
    )
    conn.execute("UPDATE projection SET next_due = received_at WHERE status <> 'closed'")


def _fill_updated(conn: sqlite3.Connection) -> None:
    """Give stored projection rows the time of their complaint's latest event."""
    latest: dict[tuple[str, str], datetime] = {}
    for tenant, cid, at in conn.execute("SELECT tenant, complaint_id, at FROM events"):
        try:
            when = datetime.fromisoformat(at)
        except (TypeError, ValueError):  # a damaged event: verify() reports it
            continue
        if when.tzinfo is None:
            continue
        key = (tenant, cid)
        if key not in latest or when > latest[key]:
            latest[key] = when
    conn.executemany(
        "UPDATE projection SET updated_at = ? WHERE tenant = ? AND id = ?",
        ((to_utc_text(when, "at"), t, cid) for (t, cid), when in latest.items()),
    )


def _fill_v5(conn: sqlite3.Connection) -> None:
    """Give rows stored before v5 their room key (from the intake)."""
    updates = []
    for tenant, cid, intake_json in conn.execute(
        "SELECT c.tenant, c.id, c.intake_json FROM complaints AS c"
        " JOIN projection AS p ON p.tenant = c.tenant AND p.id = c.id"
    ):
        keys = stored_keys(intake_json)
        if keys is not None and keys[1]:  # a malformed record: verify() reports it
            updates.append((keys[1], tenant, cid))
    conn.executemany("UPDATE projection SET room_key = ? WHERE tenant = ? AND id = ?", updates)


def _fill_v6(conn: sqlite3.Connection) -> None:
    """Anchor what was stored before the ledger: one entry per complaint (oldest
    first, per tenant) with its chain head, key, creation time and outbox rows."""
    tenants = [t for (t,) in conn.execute("SELECT tenant FROM tenants ORDER BY tenant")]
    # each complaint's untagged rows found by complaint, not by walking every untagged
    # row once per complaint (hours at 100,000 complaints, the write lock held)
    conn.execute(
        "CREATE INDEX outbox_fill_v6 ON outbox (tenant, complaint_id) WHERE ledger_seq IS NULL"
    )
    for tenant in tenants:
        ledger = _Ledger(conn, tenant)
        heads = conn.execute(
            "SELECT c.id, c.intake_json, coalesce(c.idempotency_key, ''), c.created_at,"
            " (SELECT hash FROM events AS e WHERE e.tenant = c.tenant AND e.complaint_id = c.id"
            "  ORDER BY seq DESC LIMIT 1),"
            " (SELECT count(*) FROM events AS e WHERE e.tenant = c.tenant"
            "  AND e.complaint_id = c.id)"
            " FROM complaints AS c WHERE c.tenant = ? ORDER BY c.created_at, c.id",
            (tenant,),
        ).fetchall()
        for cid, intake_json, key, created_at, last, count in heads:
            seq = ledger.next_seq()
            conn.execute(
                "UPDATE outbox INDEXED BY outbox_fill_v6 SET ledger_seq = ?"
                " WHERE tenant = ? AND complaint_id = ? AND ledger_seq IS NULL",
                (seq, tenant, cid),
            )
            head = last if last is not None else genesis_hash(intake_json)
            ledger.commit(cid, int(count), head, key, created_at)
    conn.execute("DROP INDEX outbox_fill_v6")


def _fill_v9(conn: sqlite3.Connection) -> None:
    """Seal the settlements and access records stored before v9 as they stand."""
    settled = [
        _settlement_row(r)
        for r in conn.execute(
            f"SELECT {_SETTLEMENT} FROM outbox"
            " WHERE delivered_at IS NOT NULL OR dropped_at IS NOT NULL"
        )
    ]
    conn.executemany(
        "UPDATE outbox SET seal = ? WHERE id = ?",
        [(settlement_seal(*r[1:9]), r.id) for r in settled],
    )
    # the access log is append-only: its trigger is lifted for this one update
    guarded = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = 'access_log_no_update'"
    ).fetchone()
    conn.execute("DROP TRIGGER IF EXISTS access_log_no_update")
    conn.executemany(
        "UPDATE access_log SET seal = ? WHERE id = ?",
        [
            (access_seal(*r[1:7]), r.id)
            for r in (_access_row(a) for a in conn.execute(f"SELECT {_ACCESS} FROM access_log"))
        ],
    )
    if guarded:
        conn.execute(
            f"""CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
            BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END"""
        )


_SETTLEMENT = (
    "id, notifier, dedupe_key, complaint_id, delivered_at, dropped_at, drop_reason,"
    " dropped_by, dropped_os_user, seal"
)
_ACCESS = "id, at, actor, complaint_id, purpose, via, os_user, seal"


def _when(text: str | None) -> datetime | None:
    return None if text is None else parse_utc(text)


def _settlement_row(r: Sequence[Any]) -> SettlementRow:
    return SettlementRow(
        int(r[0]), r[1], r[2], r[3], _when(r[4]), _when(r[5]), r[6], r[7], r[8], r[9]
    )


def _access_row(r: Sequence[Any]) -> AccessRow:
    return AccessRow(int(r[0]), parse_utc(r[1]), *r[2:8])


def _fill_keys(conn: sqlite3.Connection) -> None:
    """Make every row's complainant and room keys again from its intake, writing the
    rows whose keys change (v11: sixteen digits long).  Run again, it finds
    nothing to write."""
    _remake_keys(conn, building=False)


def _remake_keys(conn: sqlite3.Connection, *, building: bool) -> None:
    """The rows' keys made from their intakes, the building's too if ``building``,
    written where they differ from the row's: one read of every intake."""
    updates = []
    for tenant, cid, intake_json, *held in conn.execute(
        "SELECT c.tenant, c.id, c.intake_json, p.building, p.complainant_key, p.room_key"
        " FROM complaints AS c JOIN projection AS p ON p.tenant = c.tenant AND p.id = c.id"
    ):
        keys = stored_place_keys(intake_json)
        if keys is None:  # a malformed record: verify() reports it
            continue
        if not building:
            keys = (held[0], *keys[1:])
        if keys != tuple(held):
            updates.append((*keys, tenant, cid))
    conn.executemany(
        "UPDATE projection SET building = ?, complainant_key = ?, room_key = ?"
        " WHERE tenant = ? AND id = ?",
        updates,
    )


def _fill_v12(conn: sqlite3.Connection) -> None:
    """Give each tenant a place for its projection basis (kept unknown until a sweep)."""
    columns = {str(r[1]) for r in conn.execute("PRAGMA table_info(tenants)")}
    if "projection_basis" not in columns:
        conn.execute("ALTER TABLE tenants ADD COLUMN projection_basis TEXT")


def _fill_v13(conn: sqlite3.Connection) -> None:
    """Give each outbox item a place for its sender's claim (none held before)."""
    columns = {str(r[1]) for r in conn.execute("PRAGMA table_info(outbox)")}
    if "claimed_until" not in columns:
        conn.execute("ALTER TABLE outbox ADD COLUMN claimed_until TEXT")


def _fill_v15(conn: sqlite3.Connection) -> None:
    """Give the projection ``breach_due`` and its index.  The store cannot replay
    clocks (it has no rule pack), so open rows get their time received: no later
    than any of their clocks' due times, so ``rows(overdue_at=)`` leaves none out;
    ``list --overdue`` checks their clocks, and the first sweep after the upgrade
    (``ROWS_REVISION`` 3) rewrites them with their own."""
    columns = {str(r[1]) for r in conn.execute("PRAGMA table_info(projection)")}
    if "breach_due" not in columns:
        conn.execute("ALTER TABLE projection ADD COLUMN breach_due TEXT")
        conn.execute("UPDATE projection SET breach_due = received_at WHERE status <> 'closed'")
    conn.execute(
        "CREATE INDEX IF NOT EXISTS projection_overdue ON projection"
        " (tenant, breach_due, received_at, id) WHERE breach_due IS NOT NULL"
    )


def _fill_v16(conn: sqlite3.Connection) -> None:
    """Make each stored building its key, from the column itself (the key of a
    spelling without its surrounding spaces is the spelling's): one update per
    spelling that changes, most being their own key already."""
    spellings = [str(b) for (b,) in conn.execute("SELECT DISTINCT building FROM projection")]
    conn.executemany(
        "UPDATE projection SET building = ? WHERE building = ?",
        [(key, b) for b in spellings if (key := building_key(b)) != b],
    )


def _fill_v17(conn: sqlite3.Connection) -> None:
    """Give each outbox item a place for its claim's offset (none known before: a
    claim taken by an earlier release keeps the times it was given)."""
    columns = {str(r[1]) for r in conn.execute("PRAGMA table_info(outbox)")}
    if "claim_offset" not in columns:
        conn.execute("ALTER TABLE outbox ADD COLUMN claim_offset INTEGER")


def _fill_v18(conn: sqlite3.Connection) -> None:
    """Give each outbox item a place for the mark of a listener hold (none before)."""
    columns = {str(r[1]) for r in conn.execute("PRAGMA table_info(outbox)")}
    if "held_by" not in columns:
        conn.execute("ALTER TABLE outbox ADD COLUMN held_by TEXT")


def _fill_v27(conn: sqlite3.Connection) -> None:
    """Give each outbox item the time its wait counts from where it is known."""
    columns = {str(r[1]) for r in conn.execute("PRAGMA table_info(outbox)")}
    if "waits_from" not in columns:
        conn.execute("ALTER TABLE outbox ADD COLUMN waits_from TEXT")
        conn.execute(
            "UPDATE outbox SET waits_from = created_at"
            " WHERE attempts = 0 AND next_attempt_at IS NULL AND delivered_at IS NULL"
        )
    if "waits_at" not in columns:
        conn.execute("ALTER TABLE outbox ADD COLUMN waits_at INTEGER")
        conn.execute("UPDATE outbox SET waits_at = 0 WHERE waits_from IS NOT NULL")


_FILL = {
    3: _fill_v3,
    5: _fill_v5,
    6: _fill_v6,
    7: _fill_updated,
    9: _fill_v9,
    11: _fill_keys,
    12: _fill_v12,
    13: _fill_v13,
    15: _fill_v15,
    16: _fill_v16,
    17: _fill_v17,
    18: _fill_v18,
    27: _fill_v27,
}
"""Data fixes run after a version's statements, in the same transaction."""

_REKEYED = (20, 21, 22, 23, 25, 28)
"""Versions whose data fix makes every row's keys again from its intake with the
keys as this release reads them (v20: rooms in any address form; v21: buildings
in any form; v22: a room's levels; v23: a room's end word, 第 and Block before
its building, the room's building for a blank building field; v25: Chinese
numerals, leading zeros, floors, English room words, several rooms in one value;
v28: spaces between digits, 层 and F floors, 房 end words, lettered flats, a
floor-led room below its building field, a floor after a dashed building).  The keys come out
the same whichever of them makes them, so an upgrade through several reads every intake once, at the
last of them, not once each.  That one makes the building key too, whichever
versions it stands for: a room key is made with the building key of this
release, so a row keeps the building its room key was made with (a build of v21
before review s49U F04 stored ``Block S`` as ``blocks``: its rows upgraded to
v22 get building ``s`` with their rooms; review s50A F04).  A building typed as
a bare number is its own key: nothing more is written for it."""

SCHEMA_VERSION = MIGRATIONS[-1][0]

_BATCH = 256
"""Complaints read per query when streaming: memory stays flat for any store size."""

_CACHE_KIB = 32 * 1024
"""Page cache of each connection (SQLite's default is 2 MiB).  Storing a complaint
touches a dozen projection indexes at scattered pages; at 100,000 complaints,
32 MiB of them kept between batches, with :data:`_CHECKPOINT_PAGES`, cut the
store's share of bulk intake by about a tenth (measured; 128 MiB gave no more)."""

_CHECKPOINT_PAGES = 20_000
"""Pages the WAL grows to (about 80 MB) before a commit copies it into the file
(SQLite's default is 1,000): an index page rewritten by many commits in between
is copied once, not once per checkpoint.  Under ``synchronous = "normal"`` it is
also how much a power cut can take back: the WAL is synced only here."""

_SYNCHRONOUS_PRAGMA = {"full": "FULL", "normal": "NORMAL"}
"""``PRAGMA synchronous`` for each :data:`~complaintcore.desk.config.Synchronous`."""

_BATCH_QUESTIONS = 500
"""A bulk batch's questions answered per statement (``stored_keys``,
``related_many``, ``open_similar_many``: at most 8 parameters each, well under
SQLite's 32,766; ``related_many`` compounds one SELECT per question, and SQLite
compounds at most 500)."""

_RELATED_COLUMNS = (
    "p.id, p.received_at, p.category, p.building, p.complainant_key, p.room_key,"
    " p.status, p.validity, p.kind"
)


def _related_batch(index: str, columns: str, match: str) -> str:
    """One kind of IMP-3 link for many queries: the rows each query's window holds,
    numbered latest first as a backward walk of ``index`` gives them (rows of one
    instant: the later stored first), cut at each query's ``cap`` (-1: no cap).
    One pass for the whole batch, the cheapest while windows are small; each query
    costs every row its window holds (see :data:`_CROWDED`)."""
    return (
        f"WITH req({columns}, lo, hi, cap) AS (VALUES {{values}})"
        f" SELECT k, {_RELATED_COLUMNS.replace('p.', '')} FROM ("
        f"SELECT req.k AS k, req.cap AS cap, {_RELATED_COLUMNS}, row_number() OVER ("
        "PARTITION BY req.k ORDER BY p.received_at DESC, p.rowid DESC) AS rn"
        f" FROM req JOIN projection AS p INDEXED BY {index}"
        f" ON p.tenant = ? AND {match}"
        " AND p.received_at >= req.lo AND p.received_at <= req.hi"
        ") WHERE cap < 0 OR rn <= cap"
    )


_RELATED_PERSON = _related_batch(
    "projection_person",
    "k, site, key",
    "p.complainant_key <> '' AND p.site = req.site AND p.complainant_key = req.key",
)
_RELATED_ROOM = _related_batch(
    "projection_room",
    "k, site, key",
    "p.room_key <> '' AND p.site = req.site AND p.room_key = req.key",
)
_RELATED_MATTER = _related_batch(
    "projection_matter",
    "k, site, building, category",
    "p.building <> '' AND p.site = req.site AND p.building = req.building"
    " AND p.category = req.category",
)


def _related_part(index: str, match: str) -> str:
    """One query's IMP-3 link of one kind, for a ``UNION ALL`` of many: its ``cap``
    latest rows (-1: no cap) as a backward walk of ``index`` gives them, as
    :meth:`SqliteStore.related` finds them.  The walk stops at the cap, so the
    query costs its ``cap`` rows, however many its window holds.  Parameters: the
    query's number, the tenant, the match's, ``lo``, ``hi``, the cap."""
    return (
        f"SELECT * FROM (SELECT ? AS k, {_RELATED_COLUMNS.replace('p.', '')}"
        f" FROM projection INDEXED BY {index} WHERE tenant = ? AND {match}"
        " AND received_at >= ? AND received_at <= ?"
        " ORDER BY received_at DESC, rowid DESC LIMIT ?)"
    )


_CROWDED = 8
"""A key (person, room, or building and category) asked this many times in one
bulk batch (a building-wide leak, one caller's flood, a hostile file) has each of
its questions asked alone, with the cap inside its walk: the window of such a key
grows with every batch of the import, and the one-pass statement, which numbers
every row of a window, would make the import quadratic.  Other keys take the one
pass (realistic batches: nearly all)."""

_CROWDED_PERSON = _related_part(
    "projection_person", "complainant_key <> '' AND site = ? AND complainant_key = ?"
)
_CROWDED_ROOM = _related_part("projection_room", "room_key <> '' AND site = ? AND room_key = ?")
_CROWDED_MATTER = _related_part(
    "projection_matter", "building <> '' AND site = ? AND building = ? AND category = ?"
)

_A_COMPLAINT = "category = ? AND validity <> 'invalid' AND kind NOT IN ('request', 'enquiry')"
"""GRD-2: a row counted as an earlier raising of a category: a complaint not known
not to be one (VAL-4, as :func:`~complaintcore.core.repeats.not_a_complaint`)."""

_RAISINGS_PERSON = (
    "SELECT id FROM (SELECT id FROM projection INDEXED BY projection_person"
    " WHERE tenant = ? AND complainant_key <> '' AND site = ? AND complainant_key = ?"
    f" AND received_at >= ? AND received_at <= ? AND {_A_COMPLAINT} LIMIT ?)"
)
_RAISINGS_ROOM = (
    "SELECT id FROM (SELECT id FROM projection INDEXED BY projection_room"
    " WHERE tenant = ? AND room_key <> '' AND site = ? AND room_key = ?"
    f" AND received_at >= ? AND received_at <= ? AND {_A_COMPLAINT} LIMIT ?)"
)
_RAISINGS_MATTER = (
    "SELECT id FROM (SELECT id FROM projection INDEXED BY projection_matter"
    " WHERE tenant = ? AND building <> '' AND site = ? AND building = ?"
    f" AND received_at >= ? AND received_at <= ? AND {_A_COMPLAINT} LIMIT ?)"
)
"""One query's GRD-2 count, by kind: each part walks its own partial index and stops
at the query's limit, so a count costs at most that many matching rows of a kind;
the parts' ``UNION`` counts a complaint two kinds find once (cut at the limit)."""

_SIMILAR_BATCH = (
    "WITH req(k, site, category, lo, hi, building, cap) AS (VALUES {values})"
    " SELECT k, id, received_at, complainant_key, issue, group_incident FROM ("
    "SELECT req.k AS k, req.cap AS cap, p.id AS id, p.received_at AS received_at,"
    " p.complainant_key AS complainant_key, p.issue AS issue,"
    " p.group_incident AS group_incident, row_number() OVER ("
    "PARTITION BY req.k ORDER BY p.received_at, p.id) AS rn"
    " FROM req JOIN projection AS p INDEXED BY {index}"
    " ON p.tenant = ? AND p.status <> 'closed' AND p.site = req.site"
    " AND p.category = req.category{building}"
    " AND p.received_at >= req.lo AND p.received_at <= req.hi"
    ") WHERE cap < 0 OR rn <= cap ORDER BY k, received_at, id"
)
"""HDL-5 for many queries: each one's open complaints oldest first, cut at its ``cap``;
``{index}`` from :data:`_SIMILAR_INDEX`, ``{building}`` its condition, if any."""

_SIMILAR_INDEX = {False: "projection_similar", True: "projection_similar_building"}
"""The partial index of open rows an HDL-5 query reads, by whether it names a building:
the building is part of the second's key, so a building's group costs its own open
rows in the reach, not its site's (review s48C F01)."""


def _similar_query(
    tenant: str,
    site: str,
    category: str,
    lo: str,
    hi: str,
    building: str | None,
    limit: int | None,
) -> tuple[str, list[Any]]:
    """:meth:`SqliteStore.open_similar`'s statement and arguments (times as stored)."""
    sql = (
        "SELECT id, received_at, complainant_key, issue, group_incident"
        f" FROM projection INDEXED BY {_SIMILAR_INDEX[building is not None]}"
        " WHERE tenant = ? AND status <> 'closed' AND site = ? AND category = ?"
    )
    args: list[Any] = [tenant, site, category]
    if building is not None:
        sql += " AND building = ?"
        args.append(building)
    sql += " AND received_at >= ? AND received_at <= ? ORDER BY received_at, id"
    args += [lo, hi]
    if limit is not None:
        sql += " LIMIT ?"
        args.append(limit)
    return sql, args


_LEDGER_WINDOW = 2000
"""Ledger entries (with their outbox rows) read per query by verify."""

_OUTBOX_FIXED = "id, notifier, dedupe_key, complaint_id, body_json, created_at, ledger_seq"
"""The outbox columns a commit fixes, as :class:`~complaintcore.adapters.ledger.OutboxRecord`."""

_ROW_COLUMNS = (
    "id, status, received_at, version, site, department, category, grade, channel, "
    "validity, kind, handler, rung, next_due, idempotency_key, building, complainant_key, issue, "
    "group_incident, updated_at, room_key, breach_due"
)
_ROW_MARKS = ", ".join("?" for _ in _ROW_COLUMNS.split(","))


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION, *, database: str = "") -> int:
    """Bring a file up to ``target``; return the version it was at.

    Reads ``user_version`` first: a file already at ``target`` (or past it) is
    left alone without taking the write lock, so opening one never waits for a
    writer.  Otherwise it runs in one ``BEGIN IMMEDIATE`` transaction and reads
    the version again under the lock, so two processes opening an old or new
    file at once do not both migrate it.  Foreign keys are off while it
    runs (SQLite's way of rebuilding tables), so even a file whose history was
    tampered with is upgraded and can then be checked by ``verify``.  Exposed
    for tests and tools.
    """
    keys_on = bool(conn.execute("PRAGMA foreign_keys").fetchone()[0])
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        return _migrate(conn, target, database)
    finally:
        if keys_on:
            conn.execute("PRAGMA foreign_keys = ON")


def _migrate(conn: sqlite3.Connection, target: int, database: str) -> int:
    found = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if found > SCHEMA_VERSION:
        raise SchemaVersionError(found, SCHEMA_VERSION, database)
    if found >= target:  # up to date: a reader must not wait for the write lock
        return found
    try:
        conn.execute("BEGIN IMMEDIATE")  # inside: see SqliteStore._write
        # again under the lock: another process may have migrated it meanwhile
        found = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if found > SCHEMA_VERSION:
            raise SchemaVersionError(found, SCHEMA_VERSION, database)
        rekeyed = [v for v in _REKEYED if found < v <= target]
        for version, statements in MIGRATIONS:
            if found < version <= target:
                for sql in statements:
                    conn.execute(sql)
                if version in _FILL:
                    _FILL[version](conn)
                if version in _REKEYED and version == rekeyed[-1]:
                    _remake_keys(conn, building=True)
                conn.execute(f"PRAGMA user_version = {int(version)}")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return found


class SqliteStore(FailedAt):
    """A :class:`~complaintcore.desk.ports.ComplaintStore` in one SQLite file.

    Safe to share between threads (each thread gets its own connection) and to
    open from several processes at once (WAL; writes take ``BEGIN IMMEDIATE``).
    A forked child opens fresh connections rather than reusing its parent's.

    Every SQLite failure reaches the caller as a one-line
    :class:`~complaintcore.core.errors.StoreError` naming the file (locked,
    corrupt, not a database, read-only, disk full); nothing else escapes.

    :param path: the database file; created with the current schema if missing
        (unless ``create`` is false).
    :param tenant: whose desk to open.  A file keeps desks for any number of
        tenants, each confined to its own rows.
    :param create_tenant: start a desk for ``tenant`` in a file that keeps other
        tenants' desks but not this one; without it that is refused, as it most
        likely means the wrong file.  A new or empty file takes its first tenant
        without asking.
    :param timeout: seconds a writer waits for another writer before giving up.
    :param create: make the file when it does not exist (the default, for a new
        store made in code).  A desk that already exists passes ``False``: then
        a missing file (moved away, a restore in progress, a volume that did not
        mount) is a :class:`StoreError` instead of a new empty database, and no
        connection, not even a later thread's, ever creates it.
    :param clock: the clock outbox claims are kept on (aware datetimes); default:
        this machine's, which every process on the file shares.  Tests pass one.
    :param synchronous: ``"full"`` (the default): every commit syncs the WAL to
        disk before it returns, so a power cut loses nothing committed;
        ``"normal"``: the WAL is synced only at checkpoints (every
        :data:`_CHECKPOINT_PAGES` pages, about 80 MB), faster for many small
        commits, but a power cut can take back every commit since the last
        checkpoint (a crash of the process alone loses nothing; the file is never
        corrupted).  Set on every connection the store opens, each thread's too.
    :raises InvalidInputError: ``synchronous`` is neither (``.path ==
        "synchronous"``), before the file is opened.
    :raises SchemaVersionError: the file was written by a newer complaintcore.
    :raises UnknownTenantError: the file keeps other tenants' desks, not this one.
    :raises StoreError: the file cannot be opened, is not a complaint database,
        or is missing and ``create`` is false.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        tenant: str = DEFAULT_TENANT,
        create_tenant: bool = False,
        timeout: float = 30.0,
        create: bool = True,
        clock: Callable[[], datetime] | None = None,
        synchronous: Synchronous = "full",
    ) -> None:
        self._tenant = check_tenant(tenant)
        self._synchronous = check_synchronous(synchronous, "synchronous")
        self._clock = clock
        self._path = os.fspath(path)
        # as errors name it: a URL mistyped into a file name (postgresql:/db?password=)
        # is not printed with its password (review s53R9 F02)
        self._shown = describe_database(self._path)
        if self._path in ("", ":memory:") or self._path.startswith("file::memory:"):
            raise InvalidInputError(
                "path", "an in-memory SQLite database is per connection; use MemoryStore"
            )
        self._create = bool(create)
        if not self._create and not os.path.isfile(self._path):
            raise StoreError(self._shown, _MISSING_DATABASE)
        # Without create, SQLite itself refuses a file that has gone meanwhile
        # ("mode=rw"), so no thread's first connection recreates it either.
        # absolute now: a thread connecting after the host changed directory (a daemon's
        # chdir("/")) opens this file, not another of its name (review s45A F06)
        self._file = os.path.abspath(self._path)
        self._target = self._file if self._create else f"{Path(self._file).as_uri()}?mode=rw"
        self._timeout = float(timeout)
        self._lock = threading.Lock()
        self._conns: list[tuple[threading.Thread, sqlite3.Connection]] = []
        self._local = threading.local()
        self._pid = os.getpid()
        self._closed = False
        self._registered = False
        # the group lock's files (see group_lock): next to the file itself, however named
        self._lock_dir = os.path.realpath(self._file) + ".locks"
        self._lock_mode = 0o644
        self._lock_owner: tuple[int, int] | None = None
        self._identity: tuple[int, int] | None = None
        if self._create:
            _create_private(self._file)
        try:
            conn = self._conn()
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":  # pragma: no cover - e.g. a read-only medium
                raise StoreError(self._shown, f"cannot switch to WAL journaling ({mode})")
            migrate(conn, database=self._shown)
            self._registered = self._register_tenant(conn, create_tenant)
            st = os.stat(self._file)
            self._identity = (st.st_dev, st.st_ino)  # the file opened (check_file)
            self._lock_mode = st.st_mode & 0o666  # the database's own
            self._lock_owner = (st.st_uid, st.st_gid)  # its owner's and group's too
        except sqlite3.Error as exc:
            self.close()
            raise store_error(self._shown, exc) from exc
        except BaseException:
            self.close()
            raise

    def _register_tenant(self, conn: sqlite3.Connection, create: bool) -> bool:
        """Register the tenant unless the file knows it; whether this did."""
        known = "SELECT 1 FROM tenants WHERE tenant = ?"
        if conn.execute(known, (self._tenant,)).fetchone():
            return False
        with self._write() as conn:
            if conn.execute(known, (self._tenant,)).fetchone():
                return False
            if not create and conn.execute("SELECT 1 FROM tenants LIMIT 1").fetchone():
                raise UnknownTenantError(self._shown, self._tenant)
            conn.execute("INSERT INTO tenants (tenant) VALUES (?)", (self._tenant,))
        return True

    def check_file(self) -> None:
        """Raise a :class:`StoreError` (not transient) when the path no longer names
        the file this store opened: removed, moved away, or replaced by another file
        renamed into its place (a restore) while the store was open.  Its
        connections would go on with the old file, which nobody reads any more,
        while a stale ``-wal`` beside the new one can be applied to it (review s47F
        F02).  A long-running process calls it now and then (``deliver --loop``
        before each pass).

        A file overwritten in place (``cp`` onto it) keeps its identity and is not
        noticed: restore only with every process stopped (docs/storage.md,
        "Backing up and restoring a SQLite desk").
        """
        if self._closed:
            raise ClosedError("store")
        try:
            st = os.stat(self._file)
        except OSError:
            raise StoreError(self._shown, _REPLACED) from None
        if (st.st_dev, st.st_ino) != self._identity:
            raise StoreError(self._shown, _REPLACED)

    @property
    def tenant(self) -> str:
        return self._tenant

    @property
    def registered_tenant(self) -> bool:
        """Whether opening this store registered its tenant (the file did not know it)
        and :meth:`unregister_tenant` has not taken it out again."""
        return self._registered

    @_translated
    def unregister_tenant(self) -> bool:
        """Take the tenant this store registered out of the file again, if nothing of
        it was stored: a ``complaintcore init`` that fails half-way on a file that
        keeps other tenants' desks leaves it as it found it.

        One ``BEGIN IMMEDIATE`` transaction, so no write of the tenant comes between
        the check and the removal.  Returns whether it was removed; ``False``,
        changing nothing, when the tenant was known before this store opened
        (:attr:`registered_tenant`) or keeps any row: a complaint, event,
        projection row, outbox item, ledger entry or access record.
        """
        if not self._registered:
            return False
        with self._write() as conn:
            for table in _TENANT_TABLES:
                if conn.execute(
                    f"SELECT 1 FROM {table} WHERE tenant = ? LIMIT 1", (self._tenant,)
                ).fetchone():
                    return False
            cur = conn.execute("DELETE FROM tenants WHERE tenant = ?", (self._tenant,))
        self._registered = False
        return cur.rowcount == 1

    def for_tenant(self, tenant: str, *, create_tenant: bool = False) -> SqliteStore:
        """Another tenant's store on the same file (its own connections)."""
        return SqliteStore(
            self._file,
            tenant=tenant,
            create_tenant=create_tenant,
            timeout=self._timeout,
            create=self._create,
            synchronous=self._synchronous,
        )

    # ------------------------------------------------------------------ connections

    @property
    def path(self) -> str:
        return self._path

    @property
    def synchronous(self) -> Synchronous:
        """How this store's commits reach the disk (see the ``synchronous`` parameter)."""
        return self._synchronous

    def _conn(self) -> sqlite3.Connection:
        if self._closed:
            raise ClosedError("store")
        if os.getpid() != self._pid:
            # Forked: the parent's connections must not be used (nor closed) here.
            self._pid = os.getpid()
            self._conns = []
            self._lock = threading.Lock()
            self._local = threading.local()
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(
                self._target,
                timeout=self._timeout,
                isolation_level=None,
                check_same_thread=False,
                uri=not self._create,
            )
            conn.execute(f"PRAGMA busy_timeout = {int(self._timeout * 1000)}")
            conn.execute("PRAGMA foreign_keys = ON")
            # FULL syncs the WAL at each commit (review s49N F01); NORMAL only at checkpoints
            conn.execute(f"PRAGMA synchronous = {_SYNCHRONOUS_PRAGMA[self._synchronous]}")
            conn.execute(f"PRAGMA cache_size = -{_CACHE_KIB}")
            conn.execute(f"PRAGMA wal_autocheckpoint = {_CHECKPOINT_PAGES}")
            self._local.conn = conn
            with self._lock:
                # Close connections of threads that have ended, so a host that
                # starts a thread per request does not pile them up.
                alive = []
                for thread, other in self._conns:
                    if thread.is_alive():
                        alive.append((thread, other))
                    else:
                        other.close()
                alive.append((threading.current_thread(), conn))
                self._conns = alive
        return conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE`` transaction: the write lock is taken up front,
        so a version read inside it cannot be overtaken by another writer."""
        conn = self._conn()
        if getattr(self._local, "snapshot", False):
            raise InvalidInputError("store", _IN_SNAPSHOT)
        try:
            # BEGIN inside: an interrupt raised as it returns must not leave the
            # thread's connection in the transaction, holding the write lock
            # (review s55R8 F03)
            conn.execute("BEGIN IMMEDIATE")
            yield conn
        except BaseException:
            _abandon(conn)  # SQLite may already have rolled back (disk full …)
            raise
        conn.execute("COMMIT")

    @contextmanager
    def waits_at_most(self, seconds: float) -> Iterator[None]:
        """Until the block ends, this thread's writes wait at most ``seconds`` (at most
        the store's ``timeout``) for another writer's lock, then fail as after the
        busy timeout (:class:`~complaintcore.desk.ports.BoundedWaitStore`):
        ``PRAGMA busy_timeout`` of this thread's connection, set back after to the
        value it had.  Nested, an inner block never lengthens the outer one's bound,
        which holds again when it ends (review s53R10 F04)."""
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not seconds >= 0:
            raise InvalidInputError("seconds", "must be a number of seconds, 0 or more")
        conn = self._conn()
        try:
            outer = int(conn.execute("PRAGMA busy_timeout").fetchone()[0])
            ms = min(int(min(seconds, self._timeout) * 1000), outer)
            conn.execute(f"PRAGMA busy_timeout = {ms}")
        except sqlite3.Error as exc:
            raise store_error(self._shown, exc) from exc
        try:
            yield
        finally:
            with suppress(sqlite3.Error):  # closed meanwhile: nothing to set back
                conn.execute(f"PRAGMA busy_timeout = {outer}")

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """One read snapshot (WAL: never blocks, never blocked by, a writer); inside
        :meth:`snapshot`, that one."""
        conn = self._conn()
        if getattr(self._local, "snapshot", False):
            yield conn
            return
        try:
            conn.execute("BEGIN")  # inside: see _write (review s55R8 F03)
            yield conn
        except BaseException:
            _abandon(conn)  # the read's own error goes out, not one of ending it
            raise
        _end_read(conn, self._shown)

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """One read transaction around every read of this thread until the block ends
        (:class:`~complaintcore.desk.ports.SnapshotStore`): ``Desk.verify`` compares
        the ledger, the histories and the rows as of one moment, so a commit made
        meanwhile is neither half seen nor taken for tampering.  WAL: writers go
        on, and no one waits for it; the WAL file grows until it ends.

        Inside it a stored text that is not UTF-8 is read as its bytes, as a
        BLOB is, so that the check names that row and goes on (review s45G F03)."""
        conn = self._conn()
        if getattr(self._local, "snapshot", False):
            yield  # nested: the outer one holds
            return
        try:
            conn.execute("BEGIN")
            # a deferred transaction takes its snapshot at its first read: take it now
            conn.execute("SELECT count(*) FROM tenants").fetchone()
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise store_error(self._shown, exc) from exc
        except BaseException:  # an interrupt as BEGIN returned (review s55R8 F03)
            _abandon(conn)
            raise
        self._local.snapshot = True
        conn.text_factory = _text_or_bytes
        try:
            yield
        except BaseException:
            # a read that failed (a corrupt page) leaves with its own StoreError:
            # ending the broken transaction must not replace it by a bare
            # sqlite3 error (review s47F F01)
            _abandon(conn)
            raise
        finally:
            conn.text_factory = str
            self._local.snapshot = False
        _end_read(conn, self._shown)

    @contextmanager
    def group_lock(self, keys: Collection[str]) -> Iterator[None]:
        """Until the block ends, no desk of any process on this machine using this
        file holds any of ``keys`` (:class:`~complaintcore.desk.ports.GroupLockStore`;
        HDL-5, HDL-6, IMP-3, PEN-2).

        OS file locks (``flock``) on the keys' buckets among the 64 files of
        ``<database>.locks/``, made when first needed with the database's
        permissions, taken in sorted order, opened for the block and closed when
        it ends (:mod:`complaintcore.adapters.file_locks`).  A batch of any size
        takes at most 64.  Waiting for another holder lasts at most
        :data:`~complaintcore.adapters.file_locks.GROUP_LOCK_WAIT` seconds: then a
        :class:`StoreError`, and the desk groups unlocked, repaired after commit
        (as on PostgreSQL).  The locks go with the process if it dies.  The same
        thread enters a bucket it holds again.  Without ``flock`` (Windows) this
        holds nothing: processes are not kept apart there.  The file locks of a
        network share are not to be relied on, nor is SQLite itself there."""
        if self._closed:
            raise ClosedError("store")
        buckets = lock_buckets(keys, self._tenant)
        if not buckets or not LOCKS_AVAILABLE:
            yield
            return
        with buckets_locked(
            self._lock_dir,
            buckets,
            mode=self._lock_mode,
            where=self._shown,
            owner=self._lock_owner,
        ):
            yield

    def close(self) -> None:
        """Close the connections of this thread and of threads that have ended; the
        store cannot be used afterwards.

        A connection another live thread holds is left to it (closing it under a
        running statement crashes the process): that thread's next call is refused
        as closed, and its connection goes with the thread or the process.
        """
        me = threading.current_thread()
        with self._lock:
            if os.getpid() == self._pid:
                for thread, conn in self._conns:
                    if thread is me or not thread.is_alive():
                        conn.close()
            self._conns = []
            self._closed = True
        self._local = threading.local()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SqliteStore({self._path!r}, tenant={self._tenant!r})"

    @property
    def schema_version(self) -> int:
        try:
            return int(self._conn().execute("PRAGMA user_version").fetchone()[0])
        except sqlite3.Error as exc:
            raise store_error(self._shown, exc) from exc

    # ------------------------------------------------------------------ writes

    @_translated
    def create(
        self,
        complaint: Complaint,
        row: ComplaintRow,
        outbox: Sequence[tuple[str, Notification]] = (),
        *,
        held: ListenerHold | None = None,
    ) -> Complaint:
        """Store a new complaint with its first events, projection and outbox at once.

        A known non-empty idempotency key returns the stored complaint and writes
        nothing: a retried submission (double tap, network retry) makes no
        duplicate, even when two processes submit at the same moment.
        ``held``: its messages are queued claimed for the hold on the store's
        clock, marked with it (:class:`~complaintcore.desk.ports.ListenerHoldStore`).

        :raises InvalidInputError: a complaint with this id already exists, or
            ``row`` does not belong to ``complaint``.
        """
        prepared = _prepare(complaint, row, outbox)
        hold = check_listener_hold(held)
        with self._write() as conn:
            return _create_in(conn, _Ledger(conn, self._tenant), prepared, self._held(hold))

    @_translated
    def create_many(
        self,
        items: Sequence[tuple[Complaint, ComplaintRow, Sequence[tuple[str, Notification]]]],
        *,
        whole: bool = False,
        held: ListenerHold | None = None,
    ) -> list[Complaint | ComplaintCoreError | None]:
        """Store many new complaints in one transaction, each all or nothing.

        Bulk intake spends much of its time committing; one commit for a batch
        makes it faster.  Every check that can refuse a complaint (a duplicate
        id) runs before its first insert, so a refused one is reported in its
        slot and leaves nothing behind, while the others are kept; an SQLite
        failure mid-way rolls the whole batch back.  ``whole``: nothing is written
        unless every item is stored as itself (see ``BatchComplaintStore``); the
        check is the one made anyway, inside the same transaction.
        ``held``: as for :meth:`create`.
        """
        prepared: list[_Prepared | ComplaintCoreError] = []
        for complaint, row, outbox in items:
            try:
                prepared.append(_prepare(complaint, row, outbox))
            except ComplaintCoreError as exc:
                prepared.append(exc)
        hold = check_listener_hold(held)
        with self._write() as conn:
            ledger = _Ledger(conn, self._tenant)
            return _create_batch(conn, ledger, prepared, whole=whole, held=self._held(hold))

    @_translated
    def append(
        self,
        complaint_id: str,
        expected_version: int,
        events: Sequence[Event],
        row: ComplaintRow,
        outbox: Sequence[tuple[str, Notification]] = (),
        *,
        held: ListenerHold | None = None,
    ) -> None:
        """Append events numbered ``expected_version + 1 …`` if nobody got there first.

        The projection row and the outbox entries are written in the same
        transaction.  ``row.version`` is ignored: the store writes the true one.
        An empty ``events`` only refreshes the projection and queues messages.
        ``held``: as for :meth:`create`.

        :raises ConcurrencyConflictError: the stored version is not ``expected_version``.
        :raises UnknownComplaintError: no complaint has this id.
        """
        check_row_id(row, complaint_id)
        new = check_events(events)
        entries = check_outbox(outbox)
        hold = check_listener_hold(held)
        bodies = [encode_event(ev) for ev in new]
        tenant = self._tenant
        with self._write() as conn:
            head = conn.execute(
                "SELECT intake_json, idempotency_key FROM complaints WHERE tenant = ? AND id = ?",
                (tenant, complaint_id),
            ).fetchone()
            if head is None:
                raise UnknownComplaintError(complaint_id)
            last = conn.execute(
                "SELECT seq, hash FROM events WHERE tenant = ? AND complaint_id = ?"
                " ORDER BY seq DESC LIMIT 1",
                (tenant, complaint_id),
            ).fetchone()
            version, prev = (int(last[0]), str(last[1])) if last else (0, genesis_hash(head[0]))
            if version != expected_version:
                raise ConcurrencyConflictError(complaint_id, expected_version, version)
            ledger = _Ledger(conn, tenant)
            chain_head = _insert_events(conn, tenant, complaint_id, version, prev, new, bodies)
            params = _row_params(row, version + len(new), head[1] or "")
            # A change ends any sweeper's lease: the row is due (or not) afresh.
            conn.execute(
                "UPDATE projection SET status = ?, received_at = ?, version = ?, site = ?,"
                " department = ?, category = ?, grade = ?, channel = ?, validity = ?,"
                " kind = ?, handler = ?, rung = ?, next_due = ?, idempotency_key = ?,"
                " building = ?, complainant_key = ?, issue = ?, group_incident = ?,"
                " updated_at = ?, room_key = ?, breach_due = ?, swept_until = NULL"
                " WHERE tenant = ? AND id = ?",
                (*params[1:], tenant, complaint_id),
            )
            _insert_outbox(conn, tenant, entries, ledger.next_seq(), self._held(hold))
            if new or entries:
                ledger.commit(complaint_id, version + len(new), chain_head)

    # ------------------------------------------------------------------ reads

    @_translated
    def load(self, complaint_id: str) -> Complaint:
        """The complaint rebuilt from its intake and events (state refolded).

        :raises UnknownComplaintError: no complaint has this id.
        :raises InvalidInputError: ``complaint_id`` is not non-empty text (review s50F
            F01: a list is the caller's slip, not a database failure).
        """
        check_id(complaint_id)
        with self._read() as conn:
            return _load(conn, self._tenant, complaint_id)

    @_translated
    def complainants(self, complaint_ids: Sequence[str]) -> dict[str, Complainant]:
        """:class:`~complaintcore.desk.ports.ComplainantStore`: the stored intakes
        alone, a few hundred ids a statement (complaints are never deleted, so no
        snapshot is needed)."""
        ids = check_id_list(complaint_ids)
        found: dict[str, Complainant] = {}
        conn = self._conn()
        for lo in range(0, len(ids), _IDS_A_STATEMENT):
            part = ids[lo : lo + _IDS_A_STATEMENT]
            for cid, intake_json in conn.execute(
                "SELECT id, intake_json FROM complaints WHERE tenant = ? AND id IN"
                f" ({', '.join('?' * len(part))})",
                (self._tenant, *part),
            ):
                stored = stored_complainant(intake_json)
                if stored is not None:
                    found[cid] = stored[0]
        return found

    @_translated
    def find_by_key(self, idempotency_key: str) -> Complaint | None:
        if not idempotency_key:
            return None
        # One statement answers "not known" (what bulk intake asks of nearly every
        # complaint): complaints are never deleted, so no snapshot is needed for it.
        found = (
            self._conn()
            .execute(
                "SELECT id FROM complaints WHERE tenant = ? AND idempotency_key = ?",
                (self._tenant, idempotency_key),
            )
            .fetchone()
        )
        if found is None:
            return None
        with self._read() as conn:
            return _load(conn, self._tenant, found[0])

    @_translated
    def stored_keys(self, keys: Sequence[str]) -> set[str]:
        """Those of ``keys`` that name a stored complaint: bulk intake's "is this a
        retry?" for a whole batch, one statement per 500 keys."""
        wanted = check_key_list(keys)
        found: set[str] = set()
        conn = self._conn()
        for start in range(0, len(wanted), _BATCH_QUESTIONS):
            chunk = wanted[start : start + _BATCH_QUESTIONS]
            marks = ",".join("?" * len(chunk))
            found.update(
                r[0]
                for r in conn.execute(
                    "SELECT idempotency_key FROM complaints"
                    f" WHERE tenant = ? AND idempotency_key IN ({marks})",
                    [self._tenant, *chunk],
                )
            )
        return found

    @_translated
    def rows(
        self,
        *,
        status: Status | str | None = None,
        grade: Grade | str | None = None,
        site: str | None = None,
        department: str | None = None,
        category: str | None = None,
        channel: Channel | str | None = None,
        handler: str | None = None,
        issue: str | None = None,
        due_before: datetime | None = None,
        received_from: datetime | None = None,
        received_until: datetime | None = None,
        limit: int | None = None,
        order: RowOrder | None = None,
        overdue_at: datetime | None = None,
    ) -> list[ComplaintRow]:
        """Projection rows matching every filter given (see :meth:`ComplaintStore.rows`).

        The filters are checked by :class:`~complaintcore.desk.ports.RowQuery`, the
        same checks the memory store makes, so both give the same answer.
        """
        q = RowQuery.of(
            status=status,
            grade=grade,
            site=site,
            department=department,
            category=category,
            channel=channel,
            handler=handler,
            issue=issue,
            due_before=due_before,
            received_from=received_from,
            received_until=received_until,
            limit=limit,
            order=order,
            overdue_at=overdue_at,
        )
        sql, args = _rows_query(self._tenant, q)
        return [_row_from(r) for r in self._conn().execute(sql, args).fetchall()]

    @_translated
    def open_similar(
        self,
        *,
        site: str,
        category: str,
        since: datetime,
        until: datetime,
        building: str | None = None,
        limit: int | None = None,
    ) -> list[Member]:
        """HDL-5: open complaints of ``site`` (and ``building``) and ``category``
        received in ``[since, until]``, oldest first.

        Answered from a partial index of open rows: ``projection_similar_building``
        when ``building`` is given (the building is in its key), ``projection_similar``
        otherwise, so the cost follows the few rows that match, not the size of the
        file nor the open rows of the site's other buildings.
        """
        check_limit(limit)
        lo = to_utc_text(window_start(since, "since"), "since")
        hi = to_utc_text(until, "until")
        sql, args = _similar_query(self._tenant, site, category, lo, hi, building, limit)
        rows = self._conn().execute(sql, args).fetchall()
        return [Member(r[0], parse_utc(r[1]), r[2], r[3], bool(r[4])) for r in rows]

    @_translated
    def open_similar_many(self, queries: Sequence[SimilarQuery]) -> list[list[Member]]:
        """HDL-5 for a bulk batch: :meth:`open_similar` for each query, in order, in
        one statement per :data:`_BATCH_QUESTIONS` queries naming a building, and
        one per as many naming none (each kind its own partial index, as alone)."""
        requests: dict[bool, list[tuple[Any, ...]]] = {False: [], True: []}
        for k, q in enumerate(queries):
            check_limit(q.limit)
            requests[q.building is not None].append(
                (
                    k,
                    q.site,
                    q.category,
                    to_utc_text(window_start(q.since, "since"), "since"),
                    to_utc_text(q.until, "until"),
                    q.building,
                    -1 if q.limit is None else q.limit,
                )
            )
        found: list[list[Member]] = [[] for _ in queries]
        conn = self._conn()
        for by_building, asked in requests.items():
            index = _SIMILAR_INDEX[by_building]
            building = " AND p.building = req.building" if by_building else ""
            for start in range(0, len(asked), _BATCH_QUESTIONS):
                chunk = asked[start : start + _BATCH_QUESTIONS]
                values = ",".join(["(?,?,?,?,?,?,?)"] * len(chunk))
                sql = _SIMILAR_BATCH.format(values=values, index=index, building=building)
                args = [x for r in chunk for x in r]
                args.append(self._tenant)
                for r in conn.execute(sql, args):
                    found[r[0]].append(Member(r[1], parse_utc(r[2]), r[3], r[4], bool(r[5])))
        return found

    @_translated
    def issue_rows(self, issue: str) -> list[ComplaintRow]:
        """HDL-5: every complaint linked to ``issue``, oldest first (index ``projection_issue``)."""
        if not isinstance(issue, str) or not issue:
            raise InvalidInputError("issue", "expected the id of a concentrated issue")
        sql = (
            f"SELECT {_ROW_COLUMNS} FROM projection INDEXED BY projection_issue"
            " WHERE tenant = ? AND issue <> '' AND issue = ? ORDER BY received_at, id"
        )
        found = self._conn().execute(sql, (self._tenant, issue)).fetchall()
        return [_row_from(r) for r in found]

    @_translated
    def related(
        self,
        *,
        site: str,
        since: datetime,
        until: datetime,
        complainant_key: str = "",
        room_key: str = "",
        building: str = "",
        category: str = "",
        matter_since: datetime | None = None,
        limit: int | None = None,
    ) -> list[Earlier]:
        """IMP-3: earlier complaints of ``site`` by this complainant, about this room,
        or about this building and category (see :meth:`ComplaintStore.related`).

        One statement, each part answered from its own partial index
        (``projection_person``, ``projection_room``, ``projection_matter``), so
        the cost follows the rows that match, not the size of the file; a
        complaint two parts find is returned once.
        """
        check_keys(
            site=site,
            complainant_key=complainant_key,
            room_key=room_key,
            building=building,
            category=category,
        )
        check_limit(limit)
        lo = to_utc_text(window_start(since, "since"), "since")
        hi = to_utc_text(until, "until")
        cap = "" if limit is None else f" ORDER BY received_at DESC LIMIT {int(limit)}"
        cols = _RELATED_COLUMNS.replace("p.", "")
        parts: list[str] = []
        args: list[Any] = []
        tenant = self._tenant
        if complainant_key:
            parts.append(
                f"SELECT * FROM (SELECT {cols} FROM projection INDEXED BY projection_person"
                " WHERE tenant = ? AND complainant_key <> '' AND site = ? AND complainant_key = ?"
                f" AND received_at >= ? AND received_at <= ?{cap})"
            )
            args += [tenant, site, complainant_key, lo, hi]
        if room_key:
            parts.append(
                f"SELECT * FROM (SELECT {cols} FROM projection INDEXED BY projection_room"
                " WHERE tenant = ? AND room_key <> '' AND site = ? AND room_key = ?"
                f" AND received_at >= ? AND received_at <= ?{cap})"
            )
            args += [tenant, site, room_key, lo, hi]
        if building and category and matter_since is not None:
            parts.append(
                f"SELECT * FROM (SELECT {cols} FROM projection INDEXED BY projection_matter"
                " WHERE tenant = ? AND building <> '' AND site = ? AND building = ?"
                f" AND category = ? AND received_at >= ? AND received_at <= ?{cap})"
            )
            since_matter = to_utc_text(window_start(matter_since, "matter_since"), "matter_since")
            args += [tenant, site, building, category, since_matter, hi]
        if not parts:
            return []
        # each part comes from its own index; a complaint found twice is kept once
        rows = {r[0]: r for r in self._conn().execute(" UNION ALL ".join(parts), args)}
        ordered = sorted(rows.values(), key=lambda r: (r[1], r[0]), reverse=True)
        return [Earlier(r[0], parse_utc(r[1]), *r[2:]) for r in ordered]

    @_translated
    def related_many(self, queries: Sequence[RelatedQuery]) -> list[list[Earlier]]:
        """IMP-3 for a bulk batch: :meth:`related` for each query, in order.

        One statement per kind of link (person, room, matter) for up to
        :data:`_BATCH_QUESTIONS` queries: each query's rows are found from the same
        partial index as :meth:`related` uses, and cut to its ``limit`` most
        recent the way that index gives them (latest first, later rows of one
        instant first), so every answer is :meth:`related`'s.
        """
        person: list[Any] = []
        room: list[Any] = []
        matter: list[Any] = []
        for k, q in enumerate(queries):
            check_related(q)
            lo = to_utc_text(window_start(q.since, "since"), "since")
            hi = to_utc_text(q.until, "until")
            cap = -1 if q.limit is None else q.limit
            if q.complainant_key:
                person.append((k, q.site, q.complainant_key, lo, hi, cap))
            if q.room_key:
                room.append((k, q.site, q.room_key, lo, hi, cap))
            if q.building and q.category and q.matter_since is not None:
                since_matter = to_utc_text(
                    window_start(q.matter_since, "matter_since"), "matter_since"
                )
                matter.append((k, q.site, q.building, q.category, since_matter, hi, cap))
        found: list[dict[str, tuple[Any, ...]]] = [{} for _ in queries]
        conn = self._conn()
        for sql, one, requests in (
            (_RELATED_PERSON, _CROWDED_PERSON, person),
            (_RELATED_ROOM, _CROWDED_ROOM, room),
            (_RELATED_MATTER, _CROWDED_MATTER, matter),
        ):
            asked = Counter(r[1:-3] for r in requests)  # the key, without k, lo, hi, cap
            crowded = [r for r in requests if asked[r[1:-3]] >= _CROWDED]
            common = [r for r in requests if asked[r[1:-3]] < _CROWDED]
            width = len(requests[0]) if requests else 0
            for start in range(0, len(common), _BATCH_QUESTIONS):
                chunk = common[start : start + _BATCH_QUESTIONS]
                values = ",".join([f"({','.join('?' * width)})"] * len(chunk))
                args = [x for r in chunk for x in r]
                args.append(self._tenant)
                for r in conn.execute(sql.format(values=values), args):
                    found[r[0]][r[1]] = r[1:]  # found by two kinds: kept once
            for start in range(0, len(crowded), _BATCH_QUESTIONS):  # SQLite compounds 500
                chunk = crowded[start : start + _BATCH_QUESTIONS]
                args = [x for k, *rest in chunk for x in (k, self._tenant, *rest)]
                for r in conn.execute(" UNION ALL ".join([one] * len(chunk)), args):
                    found[r[0]][r[1]] = r[1:]
        out = []
        for rows in found:
            ordered = sorted(rows.values(), key=lambda r: (r[1], r[0]), reverse=True)
            out.append([Earlier(r[0], parse_utc(r[1]), *r[2:]) for r in ordered])
        return out

    @_translated
    def raisings_many(self, queries: Sequence[RaisingsQuery]) -> list[int]:
        """GRD-2: for each query, in order, how many earlier complaints raised its
        matter (see :class:`~complaintcore.desk.ports.RaisingsStore`), at most its
        ``limit``: one statement for up to :data:`_BATCH_QUESTIONS` queries."""
        parts: list[tuple[int, str, list[Any]]] = []
        for k, q in enumerate(queries):
            check_raisings(q)
            lo = to_utc_text(window_start(q.since, "since"), "since")
            hi = to_utc_text(q.until, "until")
            cap = -1 if q.limit is None else q.limit
            sql: list[str] = []
            args: list[Any] = [k]
            tenant, site = self._tenant, q.site
            if q.complainant_key:
                sql.append(_RAISINGS_PERSON)
                args += [tenant, site, q.complainant_key, lo, hi, q.category, cap]
            if q.room_key:
                sql.append(_RAISINGS_ROOM)
                args += [tenant, site, q.room_key, lo, hi, q.category, cap]
            if q.building and q.matter_since is not None:
                matter_lo = to_utc_text(
                    window_start(q.matter_since, "matter_since"), "matter_since"
                )
                sql.append(_RAISINGS_MATTER)
                args += [tenant, site, q.building, matter_lo, hi, q.category, cap]
            if sql:
                counted = f"SELECT ?, count(*) FROM ({' UNION '.join(sql)})"
                parts.append((k, counted, args))
        out = [0] * len(queries)
        conn = self._conn()
        for start in range(0, len(parts), _BATCH_QUESTIONS):  # SQLite compounds 500
            chunk = parts[start : start + _BATCH_QUESTIONS]
            statement = " UNION ALL ".join(sql for _k, sql, _args in chunk)
            for k, n in conn.execute(statement, [x for _k, _s, a in chunk for x in a]):
                q = queries[k]
                out[k] = n if q.limit is None else min(n, q.limit)
        return out

    def complaints(self) -> Iterator[Complaint]:
        """Every complaint, in id order, read a batch at a time.

        Each batch is one consistent snapshot; complaints stored while the
        iteration runs may or may not be seen.
        """
        try:
            for cid, intake_json, _version, events, _key, _at in self._batches(with_chain=False):
                bodies = [(e.schema_version, e.body_json) for e in events]
                yield decode_complaint(cid, intake_json, bodies)
        except sqlite3.Error as exc:
            raise store_error(self._shown, exc) from exc

    def complaints_received(
        self, since: datetime, until: datetime, *, updated_since: datetime | None = None
    ) -> Iterator[Complaint]:
        """Complaints received in ``[since, until)``, oldest first (ties by id), a batch
        at a time through ``projection_received``: the cost follows the period
        (with ``updated_since``, the rows of the period, of which only those
        touched since are decoded)."""
        lo = to_utc_text(since, "since")
        hi = to_utc_text(until, "until")
        touched = None if updated_since is None else to_utc_text(updated_since, "updated_since")
        try:
            few = None if touched is None else self._touched(lo, hi, touched)
            if few is not None:
                yield from self._complaints_of(few)
            else:
                yield from self._received(lo, hi, touched)
        except sqlite3.Error as exc:
            raise store_error(self._shown, exc) from exc

    @_translated
    def complaints_about(
        self, staff_id: str, since: datetime, until: datetime
    ) -> Iterator[Complaint]:
        """Complaints received in ``[since, until)`` about ``staff_id`` (PEN-2): the
        period's rows of ``projection_received``, their intakes' person read in
        SQL, and only that person's complaints decoded."""
        staff = check_staff_id(staff_id)
        lo = to_utc_text(since, "since")
        hi = to_utc_text(until, "until")
        with self._read() as conn:
            ids = [r[0] for r in conn.execute(_ABOUT, (self._tenant, lo, hi, staff))]
        return self._complaints_of(ids)

    def visited_between(
        self, since: datetime, until: datetime, *, received_before: datetime
    ) -> Iterator[Complaint]:
        """Complaints received before ``received_before`` with a ``visited`` event in
        ``[since, until)`` (VIS-4), oldest first: the rows touched since ``since`` from
        ``projection_updated``, each one's visits by its events' primary key, and only
        those with a visit in the period decoded (review s56R3 F04)."""
        lo = require_aware(since, "since").astimezone(UTC)
        hi = require_aware(until, "until").astimezone(UTC)
        before = to_utc_text(received_before, "received_before")
        # an event's `at` is its body's own text, in the offset it was given: a text
        # range two days wider on each side holds every time of the period (an offset
        # is less than a day), then each visit's time is compared as a time
        wide = [t.isoformat(timespec="microseconds") for t in (lo - _MARGIN, hi + _MARGIN)]
        args = (self._tenant, before, *wide, self._tenant, lo.isoformat(timespec="microseconds"))
        try:
            with self._read() as conn:
                found = conn.execute(_VISITED, (*args, before, *wide)).fetchall()
            ids = list(
                dict.fromkeys(
                    cid
                    for _received, cid, at in sorted(found)
                    if lo <= datetime.fromisoformat(at) < hi
                )
            )
            yield from self._complaints_of(ids)
        except sqlite3.Error as exc:
            raise store_error(self._shown, exc) from exc

    def _touched(self, lo: str, hi: str, touched: str) -> list[str] | None:
        """The ids of the period's rows touched since ``touched`` (or of unknown
        time), oldest first, read from ``projection_updated``: a month in which
        little happened costs what happened, not the history received before it.
        None when more than :data:`_TOUCHED_AT_ONCE` are (then the period's walk
        costs about as much and keeps memory flat)."""
        args = (self._tenant, lo, hi, self._tenant, touched, lo, hi)
        with self._read() as conn:
            many = conn.execute(
                f"SELECT count(*) FROM ({_TOUCHED} LIMIT ?)", (*args, _TOUCHED_AT_ONCE + 1)
            ).fetchone()[0]
            if many > _TOUCHED_AT_ONCE:
                return None
            return [r[1] for r in conn.execute(f"{_TOUCHED} ORDER BY received_at, id", args)]

    def _complaints_of(self, ids: Sequence[str]) -> Iterator[Complaint]:
        """The complaints ``ids``, in that order, a batch at a time."""
        tenant = self._tenant
        for start in range(0, len(ids), _BATCH):
            chunk = ids[start : start + _BATCH]
            marks = ", ".join("?" * len(chunk))
            with self._read() as conn:
                intakes = dict(
                    conn.execute(
                        "SELECT id, intake_json FROM complaints"
                        f" WHERE tenant = ? AND id IN ({marks})",
                        (tenant, *chunk),
                    ).fetchall()
                )
                bodies: dict[str, list[tuple[int, str]]] = {cid: [] for cid in chunk}
                for cid, version, body in conn.execute(
                    "SELECT complaint_id, schema_version, body_json FROM events"
                    f" WHERE tenant = ? AND complaint_id IN ({marks}) ORDER BY complaint_id, seq",
                    (tenant, *chunk),
                ):
                    bodies[cid].append((version, body))
            for cid in chunk:
                if cid in intakes:  # a projection row of no complaint: verify() reports it
                    yield decode_complaint(cid, intakes[cid], bodies[cid])

    def _received(self, lo: str, hi: str, touched: str | None) -> Iterator[Complaint]:
        tenant = self._tenant
        after: tuple[str, str] | None = None
        while True:
            with self._read() as conn:
                sql = (
                    "SELECT p.received_at, p.id, c.intake_json FROM projection AS p"
                    " INDEXED BY projection_received JOIN complaints AS c"
                    " ON c.tenant = p.tenant AND c.id = p.id"
                    " WHERE p.tenant = ? AND p.received_at >= ? AND p.received_at < ?"
                )
                args: list[Any] = [tenant, lo, hi]
                if touched is not None:
                    sql += " AND (p.updated_at IS NULL OR p.updated_at >= ?)"
                    args.append(touched)
                if after is not None:
                    sql += " AND (p.received_at, p.id) > (?, ?)"
                    args += after
                heads = conn.execute(
                    f"{sql} ORDER BY p.received_at, p.id LIMIT ?", (*args, _BATCH)
                ).fetchall()
                if not heads:
                    return
                ids = [h[1] for h in heads]
                bodies: dict[str, list[tuple[int, str]]] = {cid: [] for cid in ids}
                marks = ", ".join("?" * len(ids))
                for cid, version, body in conn.execute(
                    "SELECT complaint_id, schema_version, body_json FROM events"
                    f" WHERE tenant = ? AND complaint_id IN ({marks}) ORDER BY complaint_id, seq",
                    (tenant, *ids),
                ):
                    bodies[cid].append((version, body))
            for _at, cid, intake_json in heads:
                yield decode_complaint(cid, intake_json, bodies[cid])
            after = (heads[-1][0], heads[-1][1])

    @_translated
    def received_counts(self, bounds: Sequence[datetime]) -> list[ReceivedCount]:
        """Complaints received in each ``[bounds[i], bounds[i + 1])``, counted by the
        projected fields a monthly baseline needs: one grouped pass over the
        period's rows of ``projection_received``, nothing decoded."""
        edges = check_bounds(bounds)
        if len(edges) < 2:
            return []
        texts = [to_utc_text(b, "bounds") for b in edges]
        case = " ".join(f"WHEN received_at < ? THEN {i}" for i in range(len(texts) - 1))
        sql = (
            f"SELECT CASE {case} END AS period, kind, validity, site, building, category,"
            " department, count(*),"
            " CASE WHEN count(updated_at) = count(*) THEN max(updated_at) END"
            " FROM projection INDEXED BY projection_received"
            " WHERE tenant = ? AND received_at >= ? AND received_at < ?"
            " GROUP BY 1, 2, 3, 4, 5, 6, 7"
        )
        args = [*texts[1:], self._tenant, texts[0], texts[-1]]
        return [
            ReceivedCount(
                int(r[0]),
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                r[6],
                int(r[7]),
                None if r[8] is None else parse_utc(r[8]),
            )
            for r in self._conn().execute(sql, args)
        ]

    def _batches(
        self, *, with_chain: bool
    ) -> Iterator[tuple[str, str, int | None, list[StoredEvent], str, str]]:
        """Complaints with their events, projected version, key and creation time,
        ``_BATCH`` per snapshot (one for all inside :meth:`snapshot`)."""
        after: str | None = None
        tenant = self._tenant
        cols = (
            "seq, kind, at, actor, body_json, prev_hash, hash, schema_version"
            if with_chain
            else "seq, body_json, schema_version"
        )
        heads_sql = (
            "SELECT c.id, c.intake_json, p.version, coalesce(c.idempotency_key, ''),"
            " c.created_at FROM complaints AS c"
            " LEFT JOIN projection AS p ON p.tenant = c.tenant AND p.id = c.id"
            " WHERE c.tenant = ?"
        )
        while True:
            with self._read() as conn:
                if after is None:
                    heads = conn.execute(
                        f"{heads_sql} ORDER BY c.id LIMIT ?", (tenant, _BATCH)
                    ).fetchall()
                else:
                    heads = conn.execute(
                        f"{heads_sql} AND c.id > ? ORDER BY c.id LIMIT ?", (tenant, after, _BATCH)
                    ).fetchall()
                if not heads:
                    return
                first, last = heads[0][0], heads[-1][0]
                grouped: dict[str, list[StoredEvent]] = {h[0]: [] for h in heads}
                for r in conn.execute(
                    f"SELECT complaint_id, {cols} FROM events WHERE tenant = ?"
                    " AND complaint_id BETWEEN ? AND ? ORDER BY complaint_id, seq",
                    (tenant, first, last),
                ):
                    bucket = grouped.get(r[0])
                    if bucket is None:  # an orphan: verify reports it separately
                        continue
                    if with_chain:
                        bucket.append(StoredEvent(*r[1:]))
                    else:
                        bucket.append(StoredEvent(r[1], "", "", "", r[2], "", "", r[3]))
            for cid, intake_json, version, key, created_at in heads:
                projected = version  # an integer, or named unreadable by chain_problems
                yield cid, intake_json, projected, grouped[cid], key, created_at
            after = last

    @_translated
    def claim_due(
        self, now: datetime, limit: int = 100, *, lease: timedelta = DEFAULT_LEASE
    ) -> list[ComplaintRow]:
        """Take rows due at ``now`` for one sweeper: hidden from other sweepers until
        ``now + lease`` or the complaint's next append, soonest due first.

        One ``BEGIN IMMEDIATE`` transaction picks and leases them, so sweepers in
        other threads and processes never get the same row while the lease runs.
        A stored lease ending after :func:`~complaintcore.adapters.chain.latest_lease`
        was taken by no claim (an edit of the row) and is not honoured.
        """
        check_limit(limit)
        stamp = to_utc_text(now, "now")
        until = lease_end(now, check_sweep_lease(lease))
        latest = latest_lease(now).isoformat(timespec="microseconds")
        with self._write() as conn:
            found = conn.execute(_CLAIM_DUE, (self._tenant, stamp, stamp, latest, limit)).fetchall()
            conn.executemany(
                "UPDATE projection SET swept_until = ? WHERE tenant = ? AND id = ?",
                [(until, self._tenant, r[0]) for r in found],
            )
        return [_row_from(r) for r in found]

    @_translated
    def release_due(self, complaint_ids: Sequence[str]) -> None:
        """End the sweep lease of these complaints (a
        :class:`~complaintcore.desk.ports.SweepLeaseStore`): a sweep stopped part-way
        hands back what it claimed and did not sweep, and ``claim_due`` takes them
        again at once."""
        ids = check_id_list(complaint_ids)
        if not ids:
            return
        with self._write() as conn:
            conn.executemany(
                "UPDATE projection SET swept_until = NULL"
                " WHERE tenant = ? AND id = ? AND swept_until IS NOT NULL",
                [(self._tenant, cid) for cid in ids],
            )

    @_translated
    def overlong_leases(self, now: datetime) -> list[str]:
        """Ids of the complaints with a due time leased past ``now + MAX_SWEEP_LEASE``,
        in id order (``Desk.verify`` reports them); read through ``projection_due``."""
        latest = latest_lease(now).isoformat(timespec="microseconds")
        found = self._conn().execute(_OVERLONG_LEASES, (self._tenant, latest)).fetchall()
        return [r[0] for r in found]

    @_translated
    def last_queued(self, after: int = 0) -> dict[str, datetime]:
        """The latest creation time of each complaint's messages, of the commits after
        ledger entry ``after`` (every message for 0; see
        :class:`~complaintcore.desk.ports.MessageTimesStore`).  The times are stored
        as fixed-width UTC text, so the greatest text is the latest."""
        seq = check_after(after)
        if seq:
            found = self._conn().execute(_LAST_QUEUED_AFTER, (self._tenant, seq)).fetchall()
        else:
            found = self._conn().execute(_LAST_QUEUED, (self._tenant,)).fetchall()
        return {str(cid): parse_utc(str(at)) for cid, at in found}

    # ------------------------------------------------------------------ outbox

    @_translated
    def pending(self, now: datetime, limit: int = 100) -> list[OutboxItem]:
        """Undelivered items due at ``now`` (never tried, or their retry time has come)
        and claimed by no sender, oldest queued first."""
        sql, args = _due_query(self._tenant, now, limit, None, self._claim_stamp())
        return [outbox_item(*r) for r in self._conn().execute(sql, args).fetchall()]

    @_translated
    def overlong_claims(self, longest: timedelta) -> list[int]:
        """Ids of the pending items claimed past the store's clock plus ``longest``,
        in id order (``Desk.verify`` reports them); read through ``outbox_pending``."""
        latest = claims_end_by(claim_time(self._clock), longest)
        found = self._conn().execute(_OVERLONG_CLAIMS, (self._tenant, latest)).fetchall()
        return [int(r[0]) for r in found]

    @_translated
    def overlong_retries(self, longest: timedelta, *, now: datetime | None = None) -> list[int]:
        """Ids of the pending items due later than the time their wait counts from
        plus ``longest``, in id order (``Desk.verify`` reports them; review s51C F03),
        and of those never tried (no attempt since their queueing or retry by hand)
        due later than the later of their queueing and ``now`` (``None``: the store's
        clock) plus ``longest``, whatever their wait columns say (review s54R6 F01;
        ``now`` earlier than the store's clock: the clock, review s54R14 F01); read
        through ``outbox_pending``, the items with a retry time only.  An item with
        a cell :meth:`unreadable_retries` names is not judged here."""
        bound = check_longest(longest)
        at = untried_from(now, self._clock)
        found = self._conn().execute(_RETRY_TIMES, (self._tenant,)).fetchall()
        return [
            int(i)
            for i, start, due, kept_at, attempts, created in found
            if unreadable_retry_cell(start, due, created, attempts) is None
            and (
                waits_too_long(start, due, bound, kept_at=kept_at, attempts=attempts)
                or put_off_untried(created, due, bound, attempts=attempts, now=at)
            )
        ]

    @_translated
    def unreadable_retries(self) -> list[tuple[int, str]]:
        """``(id, "outbox.column")`` of the waiting items with a retry time whose
        retry cells :meth:`overlong_retries` cannot read (:func:`unreadable_retry_cell`:
        a time not as the library writes it, an attempt count that is not a whole
        number of 0 or more), in id order; ``Desk.verify`` names each as unreadable
        (review s54R14 F03, F04)."""
        found = self._conn().execute(_RETRY_TIMES, (self._tenant,)).fetchall()
        cells = (
            (int(i), unreadable_retry_cell(start, due, created, attempts))
            for i, start, due, _kept_at, attempts, created in found
        )
        return [(i, column) for i, column in cells if column is not None]

    def _claim_stamp(self) -> str:
        """The time on the clock claims are kept on, as stored text."""
        return to_utc_text(claim_time(self._clock), "clock()")

    @_translated
    def claim(
        self,
        now: datetime,
        limit: int = 100,
        *,
        notifiers: Collection[str] | None = None,
        lease: timedelta = DEFAULT_LEASE,
        max_attempts: int | None = None,
    ) -> list[OutboxItem]:
        """Take due items for sending, so no other worker sends them meanwhile.

        In one write transaction the items due at ``now`` (of ``notifiers``, with
        fewer than ``max_attempts`` attempts) that no live claim holds are chosen
        (oldest queued first; with ``max_attempts``, by the time each became due:
        :func:`_live_due`) and claimed for ``lease``, counted on the store's clock (``clock``, this
        machine's), whatever ``now`` this or another worker passes: a catch-up
        run at a ``now`` long past, or a host whose clock is off, neither takes
        nor frees another's claim (review s46C F01).  Their due times are kept.
        :meth:`mark_delivered` or :meth:`mark_failed` then settles each one.  A
        worker that dies mid-send only delays its items by the lease.
        """
        lease_end(now, lease)  # refused before the write lock is taken
        with self._write() as conn:
            at = claim_time(self._clock)
            stamp = to_utc_text(at, "clock()")
            if max_attempts is None:
                sql, args = _due_query(self._tenant, now, limit, notifiers, stamp)
                rows = conn.execute(sql, args).fetchall()
            else:
                rows = _live_due(conn, self._tenant, now, limit, notifiers, max_attempts, stamp)
            until, offset = lease_end(at, lease), claim_offset(at, now)
            conn.executemany(
                "UPDATE outbox SET claimed_until = ?, claim_offset = ?, held_by = NULL"
                " WHERE id = ?",
                [(until, offset, r[0]) for r in rows],
            )
        claimed = parse_utc(until)  # the claim, for a failed attempt recorded late
        return [attrs.evolve(outbox_item(*r), claim=claimed) for r in rows]

    def _held(self, held: ListenerHold | None) -> _Held | None:
        """A listener hold as the outbox keeps it: its end on the store's clock, read
        now (in the write), and its mark."""
        if held is None:
            return None
        return held_claim(claim_time(self._clock), held), held.mark

    @_translated
    def release_held(self, held: Sequence[tuple[str, str]], mark: str) -> None:
        """Let go the messages a write queued held with ``mark`` (see
        :class:`~complaintcore.desk.ports.ListenerHoldStore`): due at once, in one
        transaction, each found by its unique (channel, key).

        Only a claim that is still the hold's ends (:data:`_RELEASE_HELD`): a sender
        of the previous release that took the message once the hold lapsed keeps
        its claim, though its claim left the mark (review s47B F01)."""
        pairs = check_held(held)
        stamp = check_mark(mark)
        if not pairs:
            return
        with self._write() as conn:
            conn.executemany(
                _RELEASE_HELD,
                [(self._tenant, notifier, key, stamp) for notifier, key in pairs],
            )

    @_translated
    def mark_delivered(self, item_id: int, at: datetime) -> None:
        """Record delivery; marking an already delivered item again changes nothing."""
        check_item_id(item_id)
        stamp = to_utc_text(at, "at")
        with self._write() as conn:
            found = conn.execute(
                f"SELECT {_SETTLEMENT} FROM outbox WHERE tenant = ? AND id = ?",
                (self._tenant, item_id),
            ).fetchone()
            if found is None:
                self._require_item(conn, item_id)
                return
            r = _settlement_row(found)
            if r.delivered_at is not None:
                return
            seal = settlement_seal(
                r.notifier,
                r.dedupe_key,
                r.complaint_id,
                parse_utc(stamp),
                r.dropped_at,
                r.drop_reason,
                r.dropped_by,
                r.dropped_os_user,
            )
            conn.execute(
                "UPDATE outbox SET delivered_at = ?, seal = ?, claimed_until = NULL,"
                " claim_offset = NULL WHERE tenant = ? AND id = ? AND delivered_at IS NULL",
                (stamp, seal, self._tenant, item_id),
            )

    @_translated
    def mark_failed(self, item_id: int, error: str, retry_at: datetime) -> None:
        """Count a failed attempt and hide the item until ``retry_at``; its wait counts
        from the later of the store's clock and the claimer's time on it.

        Ignored once the item is delivered (another worker got it through).
        """
        self._failed(item_id, error, retry_at, held=False, attempted_at=None)

    @_translated
    def mark_failed_held(self, item_id: int, error: str, retry_at: datetime) -> None:
        """Count a failed attempt and keep the item claimed until ``retry_at``, in one
        transaction: a send of it may still get through until then.  ``retry_at``
        is in the claimer's time (the ``now`` it claimed at); the claim is kept on
        the store's clock, moved by the claim's offset."""
        self._failed(item_id, error, retry_at, held=True, attempted_at=None)

    @_translated
    def _failed(
        self,
        item_id: int,
        error: str,
        retry_at: datetime,
        *,
        held: bool,
        attempted_at: datetime | None,
        claim: datetime | None = None,
    ) -> bool:
        check_item_id(item_id)
        stamp = to_utc_text(retry_at, "retry_at")
        if attempted_at is not None:
            to_utc_text(attempted_at, "attempted_at")  # refused before the write lock
        # only while the item holds that claim (review s52R10 F03)
        still = "" if claim is None else " AND claimed_until = ?"
        claimed = () if claim is None else (to_utc_text(claim, "claim"),)
        with self._write() as conn:
            offset = self._offset(conn, item_id) if held or attempted_at is None else None
            start = wait_start(attempted_at, claim_time(self._clock), offset)
            cur = conn.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?,"
                " next_attempt_at = ?, claimed_until = ?, claim_offset = ?, waits_from = ?,"
                " waits_at = attempts + 1"
                f" WHERE tenant = ? AND id = ? AND delivered_at IS NULL{still}",
                (
                    error_text(error),
                    stamp,
                    claimer_time(retry_at, offset, "retry_at") if held else None,
                    offset if held else None,  # kept while held: the hold's end is moved by it
                    start,
                    self._tenant,
                    item_id,
                    *claimed,
                ),
            )
            if cur.rowcount == 0:
                self._require_item(conn, item_id)
        return bool(cur.rowcount)

    def _offset(self, conn: sqlite3.Connection, item_id: int) -> int | None:
        """The item's claim offset (see :func:`~complaintcore.adapters.chain.claimer_time`)."""
        found = conn.execute(
            "SELECT claim_offset FROM outbox WHERE tenant = ? AND id = ?", (self._tenant, item_id)
        ).fetchone()
        return None if found is None or found[0] is None else int(found[0])

    @_translated
    def waiting(self, limit: int = 100) -> list[OutboxItem]:
        """Every undelivered item not dropped, oldest queued first, due or not (a retry's
        time, a live claim's end on the store's clock, a dead letter); read through
        ``outbox_pending``."""
        check_limit(limit)
        stamp = self._claim_stamp()
        found = self._conn().execute(_WAITING, (stamp, self._tenant, limit)).fetchall()
        return [outbox_item(*r) for r in found]

    @_translated
    def dead_letter_counts(self, max_attempts: int) -> dict[str, int]:
        """Dead letters per channel, counted from ``outbox_live`` alone, never decoded."""
        attempts = check_attempts(max_attempts)
        found = self._conn().execute(_DEAD_COUNTS, (self._tenant, attempts)).fetchall()
        return {name: int(count) for name, count in found}

    @_translated
    def release(self, item_id: int, at: datetime) -> None:
        """Hand a claimed item back unsent: its claim ends, and it is due as it was
        before the claim, at ``at`` at the latest; no attempt counted."""
        stamp = to_utc_text(at, "at")
        check_item_id(item_id)
        self._unsettled(
            self._conn(),
            item_id,
            "claimed_until = NULL, claim_offset = NULL,"
            " next_attempt_at = CASE WHEN next_attempt_at > ? THEN ? ELSE next_attempt_at END",
            (stamp, stamp),
        )

    @_translated
    def hold_item(self, item_id: int, until: datetime) -> None:
        """Keep the item claimed until ``until`` (the claimer's time, moved onto the
        store's clock by the claim's offset): a send of it may still get through."""
        check_item_id(item_id)
        with self._write() as conn:  # a naive ``until`` is refused here, nothing written
            held = claimer_time(until, self._offset(conn, item_id), "until")
            self._unsettled(conn, item_id, "claimed_until = ?", (held,))

    def _unsettled(
        self, conn: sqlite3.Connection, item_id: int, assignments: str, values: tuple[str, ...]
    ) -> None:
        """Set ``assignments`` on an item neither delivered nor dropped (else nothing)."""
        cur = conn.execute(
            f"UPDATE outbox SET {assignments}"
            " WHERE tenant = ? AND id = ? AND delivered_at IS NULL AND dropped_at IS NULL",
            (*values, self._tenant, item_id),
        )
        if cur.rowcount == 0:
            self._require_item(conn, item_id)

    def _require_item(self, conn: sqlite3.Connection, item_id: int) -> None:
        found = conn.execute(
            "SELECT 1 FROM outbox WHERE tenant = ? AND id = ?", (self._tenant, item_id)
        ).fetchone()
        if found is None:  # another tenant's item is no item at all
            raise InvalidInputError("item_id", "no outbox item with this id")

    # ------------------------------------------------------------------ moving a desk

    @property
    def database(self) -> str:
        """The file, as errors name it."""
        return self._shown

    @_translated
    def desk_size(self) -> tuple[int, int]:
        """(complaints, outbox items) of the tenant."""
        conn = self._conn()
        complaints = conn.execute(
            "SELECT count(*) FROM complaints WHERE tenant = ?", (self._tenant,)
        ).fetchone()[0]
        items = conn.execute(
            "SELECT count(*) FROM outbox WHERE tenant = ?", (self._tenant,)
        ).fetchone()[0]
        return int(complaints), int(items)

    def export_histories(self) -> Iterator[StoredHistory]:
        """Every complaint of the tenant as stored (texts, hashes, row), in id order."""
        try:
            yield from self._export_histories()
        except sqlite3.Error as exc:
            raise store_error(self._shown, exc) from exc

    def _export_histories(self) -> Iterator[StoredHistory]:
        after = ""
        while True:
            with self._read() as conn:
                heads = conn.execute(
                    "SELECT c.id, c.idempotency_key, c.intake_json, c.created_at,"
                    f" {', '.join('p.' + c.strip() for c in _ROW_COLUMNS.split(','))}"
                    " FROM complaints AS c JOIN projection AS p"
                    " ON p.tenant = c.tenant AND p.id = c.id"
                    " WHERE c.tenant = ? AND c.id > ? ORDER BY c.id LIMIT ?",
                    (self._tenant, after, _BATCH),
                ).fetchall()
                if not heads:
                    return
                events: dict[str, list[StoredEvent]] = {h[0]: [] for h in heads}
                for r in conn.execute(
                    "SELECT complaint_id, seq, kind, at, actor, body_json, prev_hash, hash,"
                    " schema_version FROM events WHERE tenant = ? AND complaint_id BETWEEN ? AND ?"
                    " ORDER BY complaint_id, seq",
                    (self._tenant, heads[0][0], heads[-1][0]),
                ):
                    if r[0] in events:
                        events[r[0]].append(StoredEvent(*r[1:]))
            for h in heads:
                yield StoredHistory(
                    complaint_id=h[0],
                    idempotency_key=h[1] or "",
                    intake_json=h[2],
                    created_at=parse_utc(h[3]),
                    events=tuple(events[h[0]]),
                    row=_row_from(h[4:]),
                )
            after = heads[-1][0]

    def export_outbox(self) -> Iterator[StoredItem]:
        """Every outbox item of the tenant with its delivery state, oldest first."""
        try:
            yield from self._export_outbox()
        except sqlite3.Error as exc:
            raise store_error(self._shown, exc) from exc

    def _export_outbox(self) -> Iterator[StoredItem]:
        after = 0
        while True:
            found = self._conn().execute(_EXPORT_OUTBOX, (self._tenant, after, _BATCH)).fetchall()
            if not found:
                return
            for r in found:
                yield StoredItem(
                    notifier=r[1],
                    dedupe_key=r[2],
                    complaint_id=r[3],
                    body_json=r[4],
                    created_at=parse_utc(r[5]),
                    attempts=int(r[6]),
                    next_attempt_at=parse_utc(r[7]) if r[7] else None,
                    last_error=r[8] or "",
                    delivered_at=parse_utc(r[9]) if r[9] else None,
                    ledger_seq=None if r[10] is None else int(r[10]),
                    dropped_at=parse_utc(r[11]) if r[11] else None,
                    drop_reason=r[12] or "",
                    dropped_by=r[13] or "",
                    dropped_os_user=r[14] or "",
                    waits_from=parse_utc(r[15]) if r[15] else None,
                    waits_at=None if r[16] is None else int(r[16]),
                )
            after = found[-1][0]

    def export_ledger(self) -> Iterator[LedgerEntry]:
        """The tenant's ledger, in order."""
        after = 0
        while True:
            try:
                found = (
                    self._conn()
                    .execute(
                        "SELECT seq, complaint_id, version, head, outbox, key, created_at, prev,"
                        " hash FROM ledger WHERE tenant = ? AND seq > ? ORDER BY seq LIMIT ?",
                        (self._tenant, after, _LEDGER_WINDOW),
                    )
                    .fetchall()
                )
            except sqlite3.Error as exc:
                raise store_error(self._shown, exc) from exc
            if not found:
                return
            yield from (LedgerEntry(*r) for r in found)
            after = found[-1][0]

    def export_access(self) -> Iterator[AccessRecord]:
        """The tenant's access log, oldest first."""
        yield from self.access_log()

    @_translated
    def import_desk(
        self,
        histories: Iterable[StoredHistory],
        items: Iterable[StoredItem],
        progress: Callable[[int], None] | None = None,
        *,
        ledger: Iterable[LedgerEntry] = (),
        access: Iterable[AccessRecord] = (),
        check: Callable[[], None] | None = None,
    ) -> None:
        """Write histories, items, the ledger and the access log verbatim in one
        transaction into the tenant's empty desk.

        ``check`` runs once all is written, before the commit, and reads the
        uncommitted copy through this store in this thread: what it raises rolls
        everything back, so a copy found wrong never lands in the target.

        :raises StoreError: the tenant already has complaints or messages in this file.
        """
        t = self._tenant
        with self._write() as conn:
            if conn.execute(
                "SELECT 1 FROM complaints WHERE tenant = ? UNION ALL"
                " SELECT 1 FROM outbox WHERE tenant = ? LIMIT 1",
                (t, t),
            ).fetchone():
                raise not_empty(self._shown, t)
            done = 0
            for h in histories:
                conn.execute(
                    "INSERT INTO complaints (tenant, id, idempotency_key, intake_json, created_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (
                        t,
                        h.complaint_id,
                        h.idempotency_key or None,
                        h.intake_json,
                        to_utc_text(h.created_at, "created_at"),
                    ),
                )
                conn.executemany(
                    "INSERT INTO events (tenant, complaint_id, seq, schema_version, kind, at,"
                    " actor, body_json, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [(t, h.complaint_id, e.seq, e.schema_version, *e[1:7]) for e in h.events],
                )
                conn.execute(
                    f"INSERT INTO projection (tenant, {_ROW_COLUMNS}) VALUES (?, {_ROW_MARKS})",
                    (t, *_row_params(h.row, h.row.version, h.row.idempotency_key)),
                )
                done += 1
                if progress is not None and done % _BATCH == 0:
                    progress(done)
            conn.executemany(
                "INSERT INTO ledger (tenant, seq, complaint_id, version, head, outbox, key,"
                " created_at, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                ((t, *e) for e in ledger),
            )
            conn.executemany(
                "INSERT INTO access_log (tenant, at, actor, complaint_id, purpose, via, os_user,"
                " seal) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    (t, to_utc_text(a.at, "at"), a.actor, a.complaint_id, a.purpose, a.via,
                     a.os_user, _sealed(a))
                    for a in access
                ),
            )  # fmt: skip
            conn.executemany(
                f"INSERT INTO outbox (tenant, {_OUTBOX_COLUMNS}, ledger_seq, dropped_at,"
                " drop_reason, dropped_by, dropped_os_user, seal, waits_from, waits_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    (
                        t,
                        i.notifier,
                        i.dedupe_key,
                        i.complaint_id,
                        i.body_json,
                        to_utc_text(i.created_at, "created_at"),
                        i.attempts,
                        None if i.next_attempt_at is None else to_utc_text(i.next_attempt_at, "at"),
                        i.last_error,
                        None if i.delivered_at is None else to_utc_text(i.delivered_at, "at"),
                        i.ledger_seq,
                        None if i.dropped_at is None else to_utc_text(i.dropped_at, "at"),
                        i.drop_reason,
                        i.dropped_by,
                        i.dropped_os_user,
                        settlement_seal(
                            i.notifier,
                            i.dedupe_key,
                            i.complaint_id,
                            i.delivered_at,
                            i.dropped_at,
                            i.drop_reason,
                            i.dropped_by,
                            i.dropped_os_user,
                        ),
                        None if i.waits_from is None else to_utc_text(i.waits_from, "at"),
                        i.waits_at,
                    )
                    for i in items
                ),
            )
            if progress is not None:
                progress(done)
            if check is not None:
                # reads go to this transaction (as in a snapshot), writes are refused
                self._local.snapshot = True
                try:
                    check()
                finally:
                    self._local.snapshot = False

    # ------------------------------------------------------------------ integrity

    @_translated
    def verify(self, *, expect: str | None = None, since: str | None = None) -> VerifyReport:
        """Recompute every hash chain and the ledger, and cross-check them (REC-5).

        Finds an edited event or intake, a deleted or reordered event, events or
        projection rows without a complaint, and -- against the ledger
        (:mod:`complaintcore.adapters.ledger`) -- a history rewritten from an edit
        on, a complaint deleted or fabricated whole, a forged event, and an
        outbox row, idempotency key or creation time edited.  ``expect``, a head
        printed earlier (``seq:hash``), must still be on the ledger: without it,
        a ledger rewritten consistently as well goes unnoticed.

        ``since``, the head of an earlier clean check, checks only what was
        committed after it (see :meth:`ComplaintStore.verify
        <complaintcore.desk.ports.ComplaintStore.verify>`), in one read snapshot
        and by indexed lookups alone.
        """
        with self.snapshot():  # the ledger, the histories and the rows of one moment
            if since is not None:
                return self._verify_since(since, expect)
            return self._verify_all(expect)

    def _verify_all(self, expect: str | None) -> VerifyReport:
        self._require_sound_pages()
        wanted = parse_head(expect) if expect is not None else None
        checker = LedgerVerifier(self._tenant, expect=wanted)
        self._feed_ledger(checker)
        problems: list[str] = []
        complaints = events = 0
        for cid, intake_json, projected, stored, key, created_at in self._batches(with_chain=True):
            complaints += 1
            count, found = chain_problems(cid, intake_json, stored, projected)
            events += count
            problems.extend(found)
            heads = {0: genesis_hash(intake_json), **{e.seq: e.hash for e in stored}}
            checker.complaint(cid, key, created_at, heads)
        conn = self._conn()
        tenant = self._tenant
        for (cid,) in conn.execute(
            "SELECT DISTINCT complaint_id FROM events AS e WHERE tenant = ? AND NOT EXISTS"
            " (SELECT 1 FROM complaints AS c WHERE c.tenant = e.tenant AND c.id = e.complaint_id)"
            " ORDER BY complaint_id",
            (tenant,),
        ):
            problems.append(f"complaint {cid}: events stored without the complaint record")
        for (cid,) in conn.execute(
            "SELECT id FROM projection AS p WHERE tenant = ? AND NOT EXISTS"
            " (SELECT 1 FROM complaints AS c WHERE c.tenant = p.tenant AND c.id = p.id)"
            " ORDER BY id",
            (tenant,),
        ):
            problems.append(f"complaint {cid}: projection row without the complaint record")
        problems.extend(checker.finish())
        problems.extend(self._seal_problems(conn))
        return VerifyReport(
            complaints=complaints,
            events=events,
            problems=tuple(problems),
            head=checker.head,
            entries=checker.entries_read,
        )

    def _require_sound_pages(self) -> None:
        """SQLite's own check of every page of the file (``PRAGMA quick_check``), the
        indexes' too: the chains are read through a few of the file's b-trees, so a
        damaged page of an index only the sweep, delivery or a listing reads would
        pass unseen, and a restored backup be taken for sound (review s47H F03)."""
        found = [row[0] for row in self._conn().execute("PRAGMA quick_check(1)")]
        if found != ["ok"]:  # SQLite's text names pages and indexes, never a value
            raise StoreError(self._shown, f"{_REASONS[11]} (SQLITE_CORRUPT: quick_check)")

    def _seal_problems(self, conn: sqlite3.Connection) -> list[str]:
        """Settlements and access records without the library's seal (adapters.seals)."""
        tenant = self._tenant
        # the cells as stored: a damaged one is named, not raised (review s41E F02)
        problems = settlement_problems(
            conn.execute(
                f"SELECT {_SETTLEMENT} FROM outbox WHERE tenant = ?"
                " AND (delivered_at IS NOT NULL OR dropped_at IS NOT NULL OR seal <> '')"
                " ORDER BY id",
                (tenant,),
            )
        )
        problems.extend(
            access_problems(
                conn.execute(
                    f"SELECT {_ACCESS} FROM access_log WHERE tenant = ? ORDER BY id", (tenant,)
                )
            )
        )
        return problems

    def _verify_since(self, since: str, expect: str | None) -> VerifyReport:
        tenant = self._tenant
        with self._read() as conn:

            def prev_of(seq: int) -> str | None:
                found = conn.execute(
                    "SELECT prev FROM ledger WHERE tenant = ? AND seq = ?", (tenant, seq)
                ).fetchone()
                return None if found is None else str(found[0])

            checker = since_verifier(tenant, since, expect, prev_of)
            self._feed_ledger(checker, after=checker.last_seq)
            problems: list[str] = []
            complaints = events = 0
            touched = checker.touched
            for cid in touched:
                checker.earlier(
                    cid,
                    [
                        LedgerEntry(*r)
                        for r in conn.execute(_LEDGER_OF, (tenant, cid, checker.recheck_from))
                    ],
                )
                stored = _stored_complaint(conn, tenant, cid)
                orphans = (False, False)
                if stored is None:
                    orphans = (
                        conn.execute(
                            "SELECT 1 FROM events WHERE tenant = ? AND complaint_id = ? LIMIT 1",
                            (tenant, cid),
                        ).fetchone()
                        is not None,
                        conn.execute(
                            "SELECT 1 FROM projection WHERE tenant = ? AND id = ?", (tenant, cid)
                        ).fetchone()
                        is not None,
                    )
                else:
                    complaints += 1
                count, found = check_touched(
                    checker, cid, stored, orphan_events=orphans[0], orphan_row=orphans[1]
                )
                events += count
                problems.extend(found)
            problems.extend(checker.finish())
        return VerifyReport(
            complaints=complaints,
            events=events,
            problems=tuple(problems),
            head=checker.head,
            since=format_head(*parse_head(since, "since")),
            entries=checker.entries_read,
            rechecked=tuple(touched),
        )

    def _feed_ledger(self, checker: LedgerVerifier, after: int = 0) -> None:
        """The tenant's ledger after entry ``after``, then its outbox, a window of
        entries at a time."""
        conn = self._conn()
        tenant = self._tenant
        while True:
            entries = [
                LedgerEntry(*r)
                for r in conn.execute(
                    "SELECT seq, complaint_id, version, head, outbox, key, created_at, prev, hash"
                    " FROM ledger WHERE tenant = ? AND seq > ? ORDER BY seq LIMIT ?",
                    (tenant, after, _LEDGER_WINDOW),
                )
            ]
            if not entries:
                break
            checker.entries(entries)
            checker.outbox(
                [
                    OutboxRecord(*r)
                    for r in conn.execute(
                        f"SELECT {_OUTBOX_FIXED} FROM outbox WHERE tenant = ?"
                        " AND ledger_seq > ? AND ledger_seq <= ? ORDER BY ledger_seq, id",
                        (tenant, after, entries[-1].seq),
                    )
                ]
            )
            after = entries[-1].seq
        checker.outbox(
            [OutboxRecord(*r) for r in conn.execute(_OUTBOX_AFTER, (tenant, tenant, tenant, after))]
        )

    @_translated
    def row(self, complaint_id: str) -> ComplaintRow:
        """One complaint's projection row.

        :raises UnknownComplaintError: no projection row has this id.
        """
        check_id(complaint_id)
        found = (
            self._conn()
            .execute(
                f"SELECT {_ROW_COLUMNS} FROM projection WHERE tenant = ? AND id = ?",
                (self._tenant, complaint_id),
            )
            .fetchone()
        )
        if found is None:
            raise UnknownComplaintError(complaint_id)
        return _row_from(found)

    @_translated
    def ledger_head(self) -> str:
        found = (
            self._conn()
            .execute(
                "SELECT seq, hash FROM ledger WHERE tenant = ? ORDER BY seq DESC LIMIT 1",
                (self._tenant,),
            )
            .fetchone()
        )
        return format_head(int(found[0]), found[1]) if found else format_head(0, "")

    # ------------------------------------------------------------------ access log

    @_translated
    def record_access(self, record: AccessRecord) -> AccessRecord:
        """Append one unmasked view to the access log (append-only: triggers refuse
        edits and deletions); return it with its id."""
        checked = check_access(record)
        cur = self._conn().execute(
            "INSERT INTO access_log (tenant, at, actor, complaint_id, purpose, via, os_user,"
            " seal) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                self._tenant,
                to_utc_text(checked.at, "at"),
                checked.actor,
                checked.complaint_id,
                checked.purpose,
                checked.via,
                checked.os_user,
                _sealed(checked),
            ),
        )
        return attrs.evolve(
            checked, at=parse_utc(to_utc_text(checked.at, "at")), id=int(cur.lastrowid or 0)
        )

    @_translated
    def access_log(
        self,
        *,
        complaint_id: str | None = None,
        actor: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
    ) -> list[AccessRecord]:
        where: list[str] = ["tenant = ?"]
        args: list[Any] = [self._tenant]
        for column, value in access_filters(complaint_id, actor):
            where.append(f"{column} = ?")
            args.append(value)
        if since is not None:
            where.append("at >= ?")
            args.append(to_utc_text(since, "since"))
        if until is not None:
            where.append("at < ?")
            args.append(to_utc_text(until, "until"))
        check_limit(limit)
        sql = (
            "SELECT at, actor, complaint_id, purpose, via, os_user, id FROM access_log WHERE "
            + " AND ".join(where)
            + " ORDER BY at, id"
        )
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        return [
            AccessRecord(parse_utc(r[0]), r[1], r[2], r[3], r[4], r[5], int(r[6]))
            for r in self._conn().execute(sql, args).fetchall()
        ]

    # ------------------------------------------------------------------ dead letters

    @_translated
    def dead_letters(self, max_attempts: int, limit: int = 100) -> list[OutboxItem]:
        check_limit(limit)
        attempts = check_attempts(max_attempts)
        sql = (
            "SELECT id, notifier, body_json, attempts, next_attempt_at, last_error FROM outbox"
            " WHERE tenant = ? AND delivered_at IS NULL AND dropped_at IS NULL AND attempts >= ?"
            " ORDER BY id LIMIT ?"
        )
        found = self._conn().execute(sql, (self._tenant, attempts, limit)).fetchall()
        return [outbox_item(*r) for r in found]

    @_translated
    def pending_counts(self) -> dict[str, int]:
        """Undelivered items not dropped, per channel, counted from ``outbox_live`` alone
        (the items waiting, not the history)."""
        found = self._conn().execute(_PENDING_COUNTS, (self._tenant,)).fetchall()
        return {name: int(count) for name, count in found}

    @_translated
    def projection_basis(self) -> str | None:
        """What the rows were last computed under (a
        :class:`~complaintcore.desk.ports.BasisStore`)."""
        found = (
            self._conn()
            .execute("SELECT projection_basis FROM tenants WHERE tenant = ?", (self._tenant,))
            .fetchone()
        )
        return None if found is None or found[0] is None else str(found[0])

    @_translated
    def keep_projection_basis(self, basis: str, *, instead_of: str | None = None) -> bool:
        check_basis(basis, instead_of)
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE tenants SET projection_basis = ? WHERE tenant = ?"
                " AND (? IS NULL OR projection_basis = ?)",
                (basis, self._tenant, instead_of, instead_of),
            )
            return cur.rowcount == 1

    @_translated
    def retry_item(self, item_id: int, now: datetime) -> None:
        check_item_id(item_id)
        stamp = to_utc_text(now, "now")
        conn = self._conn()
        clock = self._claim_stamp()  # a claim holds on the store's clock, not at ``now``
        cur = conn.execute(
            "UPDATE outbox SET attempts = 0, next_attempt_at = ?1, waits_from = ?1, waits_at = 0,"
            f" {CLAIM_ENDED} WHERE tenant = ?2 AND id = ?3"
            " AND delivered_at IS NULL AND dropped_at IS NULL"
            " AND (claimed_until IS NULL OR claimed_until <= ?4)",
            (stamp, self._tenant, item_id, clock),
        )
        if cur.rowcount == 0:
            self._require_unclaimed_item(conn, item_id, clock)

    @_translated
    def drop_item(
        self, item_id: int, at: datetime, reason: str, *, actor: str = "", os_user: str = ""
    ) -> None:
        check_item_id(item_id)
        why = check_reason(reason)
        stamp = to_utc_text(at, "at")
        with self._write() as conn:
            clock = self._claim_stamp()
            found = conn.execute(
                f"SELECT {_SETTLEMENT} FROM outbox WHERE tenant = ? AND id = ?"
                " AND delivered_at IS NULL AND dropped_at IS NULL"
                " AND (claimed_until IS NULL OR claimed_until <= ?)",
                (self._tenant, item_id, clock),
            ).fetchone()
            if found is None:
                self._require_unclaimed_item(conn, item_id, clock)  # raises
                return
            r = _settlement_row(found)
            seal = settlement_seal(*r[1:4], None, parse_utc(stamp), why, actor, os_user)
            conn.execute(
                "UPDATE outbox SET dropped_at = ?, drop_reason = ?, dropped_by = ?,"
                f" dropped_os_user = ?, seal = ?, {CLAIM_ENDED} WHERE tenant = ? AND id = ?",
                (stamp, why, actor, os_user, seal, self._tenant, item_id),
            )

    def _require_unclaimed_item(self, conn: sqlite3.Connection, item_id: int, at: str) -> None:
        """Raise why an item cannot be retried or dropped at ``at`` (the store's clock)."""
        self._require_item(conn, item_id)
        claim = conn.execute(
            "SELECT claimed_until FROM outbox WHERE tenant = ? AND id = ?"
            " AND delivered_at IS NULL AND dropped_at IS NULL AND claimed_until > ?",
            (self._tenant, item_id, at),
        ).fetchone()
        if claim is not None:
            raise being_sent(parse_utc(claim[0]))
        raise InvalidInputError("item_id", "the item was delivered or dropped already")


# ---------------------------------------------------------------------- helpers


def _create_private(path: str) -> None:
    """Make a database file that does not exist yet empty (SQLite's new database) and
    readable by its owner alone, before SQLite opens it: SQLite would make it with
    the umask's permissions (0644 under 022, every complainant's name, phone and
    room readable by every local account), and gives its ``-wal`` and ``-shm`` the
    database's (review s50P F05).  An existing file keeps its permissions; a path
    that cannot be made is left for SQLite to report."""
    from complaintcore.adapters.private_files import open_private

    with suppress(OSError):
        os.close(open_private(path))


def _sealed(a: AccessRecord) -> str:
    return access_seal(a.at, a.actor, a.complaint_id, a.purpose, a.via, a.os_user)


def _load(conn: sqlite3.Connection, tenant: str, complaint_id: str) -> Complaint:
    head = conn.execute(
        "SELECT intake_json FROM complaints WHERE tenant = ? AND id = ?", (tenant, complaint_id)
    ).fetchone()
    if head is None:
        raise UnknownComplaintError(complaint_id)
    bodies = conn.execute(
        "SELECT schema_version, body_json FROM events WHERE tenant = ? AND complaint_id = ?"
        " ORDER BY seq",
        (tenant, complaint_id),
    ).fetchall()
    return decode_complaint(complaint_id, head[0], bodies)


def _stored_complaint(
    conn: sqlite3.Connection, tenant: str, complaint_id: str
) -> StoredComplaint | None:
    """One complaint as an incremental verify reads it (primary keys only)."""
    head = conn.execute(
        "SELECT c.intake_json, coalesce(c.idempotency_key, ''), c.created_at, p.version"
        " FROM complaints AS c LEFT JOIN projection AS p ON p.tenant = c.tenant AND p.id = c.id"
        " WHERE c.tenant = ? AND c.id = ?",
        (tenant, complaint_id),
    ).fetchone()
    if head is None:
        return None
    events = [
        StoredEvent(*r)
        for r in conn.execute(
            "SELECT seq, kind, at, actor, body_json, prev_hash, hash, schema_version FROM events"
            " WHERE tenant = ? AND complaint_id = ? ORDER BY seq",
            (tenant, complaint_id),
        )
    ]
    projected = head[3]  # an integer, or named unreadable by chain_problems
    return StoredComplaint(head[0], head[1], head[2], projected, events)


def _insert_events(
    conn: sqlite3.Connection,
    tenant: str,
    complaint_id: str,
    version: int,
    prev: str,
    events: Sequence[Event],
    bodies: Sequence[str],
) -> str:
    """Insert the events; return the chain's new head."""
    stored = chain_events(complaint_id, events, version=version, prev_hash=prev, bodies=bodies)
    conn.executemany(
        "INSERT INTO events (tenant, complaint_id, seq, schema_version, kind, at, actor,"
        " body_json, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(tenant, complaint_id, e.seq, e.schema_version, *e[1:7]) for e in stored],
    )
    return stored[-1].hash if stored else prev


_Held = tuple[str, str]
"""A listener hold as the outbox keeps it: its end on the store's clock and its mark."""


def _insert_outbox(
    conn: sqlite3.Connection,
    tenant: str,
    entries: Sequence[tuple[str, Notification]],
    ledger_seq: int,
    held: _Held | None = None,
) -> None:
    """The outbox rows of one commit, tagged with its ledger seq."""
    tagged = [(notifier, n, ledger_seq) for notifier, n in entries]
    _insert_outbox_tagged(conn, tenant, tagged, held)


def _insert_outbox_tagged(
    conn: sqlite3.Connection,
    tenant: str,
    entries: Sequence[tuple[str, Notification, int]],
    held: _Held | None = None,
) -> None:
    """Outbox rows of several commits, each tagged with its own ledger seq; ``held``:
    claimed until its end on the store's clock, marked with its mark (a
    ``ListenerHoldStore`` write)."""
    until, mark = held if held is not None else (None, None)
    if not entries:
        return
    conn.executemany(
        "INSERT INTO outbox (tenant, notifier, dedupe_key, complaint_id, body_json, created_at,"
        " ledger_seq, claimed_until, held_by, waits_from, waits_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?6, 0)"
        " ON CONFLICT (tenant, notifier, dedupe_key) DO NOTHING",
        [
            (
                tenant,
                notifier,
                n.key,
                n.complaint_id,
                notification_to_json(n),
                to_utc_text(n.created_at, "notification.created_at"),
                seq,
                until,
                mark,
            )
            for notifier, n, seq in entries
        ],
    )


def _row_params(row: ComplaintRow, version: int, key: str) -> tuple[Any, ...]:
    return (
        row.id,
        row.status,
        to_utc_text(row.received_at, "row.received_at"),
        version,
        row.site,
        row.department,
        row.category,
        row.grade,
        row.channel,
        row.validity,
        row.kind,
        row.handler,
        row.rung,
        None if row.next_due is None else to_utc_text(row.next_due, "row.next_due"),
        key,
        row.building,
        row.complainant_key,
        row.issue,
        int(row.group_incident),
        None if row.updated_at is None else to_utc_text(row.updated_at, "row.updated_at"),
        row.room_key,
        None if row.breach_due is None else to_utc_text(row.breach_due, "row.breach_due"),
    )


def _row_from(r: Sequence[Any]) -> ComplaintRow:
    """A projection row; one with a time or version the library does not write
    (edited by hand) raises :class:`DamagedRecordError` naming the complaint and
    the column, never the value (review s41E F02)."""
    try:
        return _row_cells(r)
    except (ValueError, TypeError):
        raise DamagedRecordError(str(r[0]), f"projection.{_damaged_column(r)}") from None


_ROW_TIMES = ((2, "received_at"), (13, "next_due"), (19, "updated_at"), (21, "breach_due"))
"""The projection columns read as times: (index in ``_ROW_COLUMNS``, name)."""


def _damaged_column(r: Sequence[Any]) -> str:
    """The first column of a projection row that the library would not have written."""
    if type(r[3]) is not int:
        return "version"
    for i, column in _ROW_TIMES:
        try:
            if stored_time(r[i], column) is None and i == 2:
                return column  # received_at is never unset
        except InvalidInputError:
            return column
    return "row"


def _row_cells(r: Sequence[Any]) -> ComplaintRow:
    return ComplaintRow(
        id=r[0],
        status=r[1],
        received_at=parse_utc(r[2]),
        version=int(r[3]),
        site=r[4],
        department=r[5],
        category=r[6],
        grade=r[7],
        channel=r[8],
        validity=r[9],
        kind=r[10],
        handler=r[11],
        rung=r[12],
        next_due=None if r[13] is None else parse_utc(r[13]),
        idempotency_key=r[14],
        building=r[15],
        complainant_key=r[16],
        issue=r[17],
        group_incident=bool(r[18]),
        updated_at=None if r[19] is None else parse_utc(r[19]),
        room_key=r[20],
        breach_due=None if r[21] is None else parse_utc(r[21]),
    )


def _rows_query(tenant: str, q: RowQuery) -> tuple[str, list[Any]]:
    """The statement of :meth:`SqliteStore.rows`; each order has an index behind it
    (``projection_received``, ``projection_due_order``, ``projection_due``
    when only rows with a due time can match, and for the longest overdue first
    ``projection_overdue`` then ``projection_received``), so a page costs the same on any
    size of desk when the filters match often.  A filter that may match few rows
    reads its own index (:func:`_filter_index`); a department, category, grade or
    channel alone, which match many rows each, is checked on the order's walk."""
    where: list[str] = ["tenant = ?"]
    args: list[Any] = [tenant]
    for column, value in q.equal_filters():
        where.append(f"{column} = ?")
        args.append(value)
        if column == "issue" and value:  # the partial projection_issue can serve it
            where.append("issue <> ''")
    if q.due_before is not None:
        where.append("next_due IS NOT NULL AND next_due <= ?")
        args.append(to_utc_text(q.due_before, "due_before"))
    if q.overdue_at is not None:
        where.append("breach_due IS NOT NULL AND breach_due < ?")
        args.append(to_utc_text(q.overdue_at, "overdue_at"))
    if q.received_from is not None:
        where.append("received_at >= ?")
        args.append(to_utc_text(q.received_from, "received_from"))
    if q.received_until is not None:
        where.append("received_at < ?")
        args.append(to_utc_text(q.received_until, "received_until"))
    index = _filter_index(q)
    if index == "projection_open":  # the partial index's condition, for the planner
        where.append("status <> 'closed'")
    if q.order == "overdue" and q.overdue_at is None and index is None:
        return _overdue_then_received(where, args, q.limit)
    table = "projection" if index is None else f"projection INDEXED BY {index}"
    sql = f"SELECT {_ROW_COLUMNS} FROM {table} WHERE " + " AND ".join(where)
    if q.order == "due" and q.due_before is not None:  # no row without a due time matches
        sql += " ORDER BY next_due, received_at, id"
    elif q.order == "due":
        sql += " ORDER BY next_due IS NULL, next_due, received_at, id"
    elif q.order == "overdue" and q.overdue_at is not None:  # every match has a breach_due
        sql += " ORDER BY breach_due, received_at, id"
    elif q.order == "overdue":
        sql += " ORDER BY breach_due IS NULL, breach_due, received_at, id"
    else:
        sql += " ORDER BY received_at, id"
    if q.limit is not None:
        sql += " LIMIT ?"
        args.append(q.limit)
    return sql, args


def _overdue_then_received(
    where: list[str], args: list[Any], limit: int | None
) -> tuple[str, list[Any]]:
    """Longest overdue first with no time to be overdue at: the rows with a
    ``breach_due`` from ``projection_overdue`` in its order, then the others from
    ``projection_received``, each cut at the limit, so a page sorts at most twice
    its rows, not the whole tenant (33–66 ms a page at 100k; review s52R9 F02)."""
    cond = " AND ".join(where)
    cut = "" if limit is None else " LIMIT ?"
    more = [] if limit is None else [limit]
    sql = (
        f"SELECT * FROM (SELECT {_ROW_COLUMNS} FROM projection INDEXED BY projection_overdue"
        f" WHERE {cond} AND breach_due IS NOT NULL ORDER BY breach_due, received_at, id{cut})"
        f" UNION ALL SELECT * FROM (SELECT {_ROW_COLUMNS} FROM projection"
        f" INDEXED BY projection_received WHERE {cond} AND breach_due IS NULL"
        f" ORDER BY received_at, id{cut})"
    )
    sql = f"SELECT * FROM ({sql}) ORDER BY breach_due IS NULL, breach_due, received_at, id{cut}"
    return sql, [*args, *more, *args, *more, *more]


def _filter_index(q: RowQuery) -> str | None:
    """The index of the filter that bounds a listing by what it returns, or None
    for the order's own walk.

    One issue's members come from ``projection_issue``; an open status's rows from
    ``projection_open`` (the open complaints, not the closed history); a handler's
    or site's rows from ``projection_by_handler`` / ``projection_by_site`` in time
    order, so a page of received order is read in order and nothing is sorted.
    In due order those two keep ``projection_due_order`` (sorting all of a site's
    rows would cost its history); a time bound to the due keeps ``projection_due``.
    """
    if q.issue:
        return "projection_issue"
    if q.due_before is not None:
        return None
    if q.overdue_at is not None:  # the breached rows, longest overdue first
        return "projection_overdue" if q.order == "overdue" else None
    if q.status is not None and q.status != "closed":
        return "projection_open"
    if q.order == "due":
        return None
    if q.handler is not None:
        return "projection_by_handler"
    if q.site is not None:
        return "projection_by_site"
    return None


def _due_query(
    tenant: str,
    now: datetime,
    limit: int,
    notifiers: Collection[str] | None,
    clock: str,
) -> tuple[str, list[Any]]:
    """The outbox items due at ``now`` and claimed by no sender at ``clock`` (the
    store's clock), oldest first: what pending shows and a claim without a retry
    limit takes.

    Read through the partial index ``outbox_pending`` (undelivered items only,
    in id order), named so that a filter on ``notifier`` cannot send SQLite to
    the unique ``(tenant, notifier, dedupe_key)`` index and a sort of every
    item ever delivered: the cost follows the items waiting, not the history.
    """
    check_limit(limit)
    where, args = _waiting_where(tenant, clock, notifiers)
    where += " AND (next_attempt_at IS NULL OR next_attempt_at <= ?)"
    args.append(to_utc_text(now, "now"))
    sql = (
        "SELECT id, notifier, body_json, attempts, next_attempt_at, last_error FROM outbox"
        f" INDEXED BY outbox_pending WHERE {where} ORDER BY id LIMIT ?"
    )
    return sql, [*args, limit]


def _waiting_where(
    tenant: str, clock: str, notifiers: Collection[str] | None
) -> tuple[str, list[Any]]:
    """The condition of a waiting item of ``notifiers`` no live claim holds at
    ``clock``, with its arguments."""
    where = (
        "tenant = ? AND delivered_at IS NULL AND dropped_at IS NULL"
        " AND (claimed_until IS NULL OR claimed_until <= ?)"
    )
    args: list[Any] = [tenant, clock]
    if notifiers is not None:
        names = sorted(notifiers)
        where += f" AND notifier IN ({', '.join('?' for _ in names)})"
        args += names
    return where, args


_LIVE_LEVELS = (
    "WITH RECURSIVE level(n) AS ("
    " SELECT (SELECT min(attempts) FROM outbox INDEXED BY outbox_due WHERE tenant = ?1"
    " AND delivered_at IS NULL AND dropped_at IS NULL AND attempts < ?2)"
    " UNION ALL SELECT (SELECT min(attempts) FROM outbox INDEXED BY outbox_due"
    " WHERE tenant = ?1 AND delivered_at IS NULL AND dropped_at IS NULL"
    " AND attempts > level.n AND attempts < ?2) FROM level WHERE level.n IS NOT NULL)"
    " SELECT n FROM level WHERE n IS NOT NULL"
)
"""The numbers of attempts the waiting items below a retry limit have, each found
by one seek into ``outbox_due`` past the one before: never a dead letter read."""

_LEVELS_AT_ONCE = 100
"""Numbers of attempts whose ranges one statement reads (two terms each)."""


def _live_lanes_query(
    tenant: str,
    now: datetime,
    limit: int,
    notifiers: Collection[str] | None,
    levels: Sequence[int],
    clock: str,
) -> tuple[str, list[Any]]:
    """The first ``limit`` due items of each number of attempts in ``levels``, each
    with the time it became due: those never given a retry time (never tried, or
    handed back) by id, with the time they were queued; those retried by their
    retry time.  Each term is one range of ``outbox_due`` read in its order."""
    where, common = _waiting_where(tenant, clock, notifiers)
    stamp = to_utc_text(now, "now")
    terms: list[str] = []
    args: list[Any] = []
    for n in levels:
        terms.append(
            "SELECT * FROM (SELECT created_at, id FROM outbox INDEXED BY outbox_due"
            f" WHERE {where} AND attempts = ? AND next_attempt_at IS NULL ORDER BY id LIMIT ?)"
        )
        terms.append(
            "SELECT * FROM (SELECT next_attempt_at, id FROM outbox INDEXED BY outbox_due"
            f" WHERE {where} AND attempts = ? AND next_attempt_at <= ?"
            " ORDER BY next_attempt_at, id LIMIT ?)"
        )
        args += [*common, n, limit, *common, n, stamp, limit]
    return " UNION ALL ".join(terms), args


_EXPORT_OUTBOX = (
    f"SELECT id, {_OUTBOX_COLUMNS}, ledger_seq, dropped_at, drop_reason,"
    " dropped_by, dropped_os_user, waits_from, waits_at"
    " FROM outbox WHERE +tenant = ? AND id > ? ORDER BY id LIMIT ?"
)
"""A page of the outbox for ``migrate --to``, walked by rowid: with ``tenant = ?``
SQLite read every row of the tenant through ``outbox_ledger`` and sorted them for
each page (78–233 ms a page at 442k messages, 179 s in all; review s52R9 F01)."""


def _items_by_id(count: int) -> str:
    """The claimed items' rows by their ids.  ``+tenant`` keeps SQLite off the
    ``(tenant, …)`` indexes: with an ``IN`` list it chose ``outbox_ledger`` and read
    every row the tenant ever queued (48 ms a claim at 442k delivered rows, four
    times the 1 % sweep of the 100k desk, review s52P); the ids are the rowid."""
    marks = ", ".join("?" * count)
    return (
        "SELECT id, notifier, body_json, attempts, next_attempt_at, last_error"
        f" FROM outbox WHERE +tenant = ? AND id IN ({marks})"
    )


def _live_due(
    conn: sqlite3.Connection,
    tenant: str,
    now: datetime,
    limit: int,
    notifiers: Collection[str] | None,
    max_attempts: int,
    clock: str,
) -> list[tuple[Any, ...]]:
    """The items a claim with a retry limit takes: of those due at ``now`` with fewer
    than ``max_attempts`` attempts and claimed by no sender at ``clock``, the first
    ``limit`` by the time each became due (its retry time, or the time it was
    queued), then id.

    Read through ``outbox_due`` (waiting items by attempts, then retry time): the
    numbers of attempts below the limit (:data:`_LIVE_LEVELS`), then the first
    ``limit`` due of each, merged here, so no dead letter is read (review s50O
    F01) and the cost follows ``limit`` times the numbers of attempts, not the
    backlog.  A retry due is taken before every message queued after it became
    due: taking the fewest attempts first, as before, left it behind every new
    message as long as more came than a pass took (review s51R3 F01).
    """
    check_limit(limit)
    levels = [int(r[0]) for r in conn.execute(_LIVE_LEVELS, (tenant, max_attempts))]
    found: list[tuple[str, int]] = []
    for i in range(0, len(levels), _LEVELS_AT_ONCE):
        part = levels[i : i + _LEVELS_AT_ONCE]
        sql, args = _live_lanes_query(tenant, now, limit, notifiers, part, clock)
        found += [(str(due), int(item)) for due, item in conn.execute(sql, args)]
    chosen = [item for _, item in sorted(found)[:limit]]
    rows: dict[int, tuple[Any, ...]] = {}
    for i in range(0, len(chosen), _BATCH):
        ids = chosen[i : i + _BATCH]
        rows.update(
            (int(r[0]), tuple(r)) for r in conn.execute(_items_by_id(len(ids)), [tenant, *ids])
        )
    return [rows[item] for item in chosen]


_TOUCHED = (
    "SELECT received_at, id FROM projection INDEXED BY projection_updated"
    " WHERE tenant = ? AND updated_at IS NULL AND received_at >= ? AND received_at < ?"
    " UNION ALL SELECT received_at, id FROM projection INDEXED BY projection_updated"
    " WHERE tenant = ? AND updated_at >= ? AND received_at >= ? AND received_at < ?"
)
"""Rows of a period touched since a time (or of no known time): two
ranges of ``projection_updated``, which holds the receipt time, so no row is read."""

_VISITED = (
    "SELECT p.received_at, p.id, e.at FROM projection AS p INDEXED BY projection_updated"
    " JOIN events AS e ON e.tenant = p.tenant AND e.complaint_id = p.id"
    " WHERE p.tenant = ? AND p.updated_at IS NULL AND p.received_at < ?"
    " AND e.kind = 'visited' AND e.at >= ? AND e.at < ?"
    " UNION ALL SELECT p.received_at, p.id, e.at FROM projection AS p"
    " INDEXED BY projection_updated"
    " JOIN events AS e ON e.tenant = p.tenant AND e.complaint_id = p.id"
    " WHERE p.tenant = ? AND p.updated_at >= ? AND p.received_at < ?"
    " AND e.kind = 'visited' AND e.at >= ? AND e.at < ?"
)
"""The visits of the rows received before a time and touched since the period began
(or of no known time), a text range of their times wider than the period: two
ranges of ``projection_updated``, then each row's events by the primary key."""

_MARGIN = timedelta(days=2)
"""How much wider than a period the text range of its events' times is read (an
event's ``at`` keeps the offset it was given, up to a day either way)."""

_TOUCHED_AT_ONCE = 16 * _BATCH
"""Touched rows a period's complaints are read by id for; beyond, by the period's walk."""

_LAST_QUEUED = "SELECT complaint_id, max(created_at) FROM outbox WHERE tenant = ? GROUP BY 1"
"""Each complaint's latest message time (``Desk.verify``: one pass, as the full check's)."""

_LAST_QUEUED_AFTER = (
    "SELECT complaint_id, max(created_at) FROM outbox INDEXED BY outbox_ledger"
    " WHERE tenant = ? AND ledger_seq > ? GROUP BY 1"
)
"""The same for the commits after a ledger entry (the incremental check): a range of
``outbox_ledger``, so the cost follows the rows queued since."""

_OUTBOX_AFTER = (
    f"SELECT {_OUTBOX_FIXED} FROM outbox INDEXED BY outbox_ledger"
    " WHERE tenant = ? AND ledger_seq IS NULL"
    f" UNION ALL SELECT {_OUTBOX_FIXED} FROM outbox INDEXED BY outbox_ledger"
    " WHERE tenant = ? AND ledger_seq < 1"
    f" UNION ALL SELECT {_OUTBOX_FIXED} FROM outbox INDEXED BY outbox_ledger"
    " WHERE tenant = ? AND ledger_seq > ? ORDER BY id"
)
"""The outbox rows of no ledger entry (``NULL``, or a seq below the first entry's, which
no commit writes: review s41E F01) or of one after the last checked (the end of
incremental verify): ranges of ``outbox_ledger``, so the cost follows the rows
queued since, not every row ever delivered (one ``OR`` made SQLite read them all)."""

_ABOUT = (
    "SELECT p.id FROM projection AS p INDEXED BY projection_received"
    " JOIN complaints AS c ON c.tenant = p.tenant AND c.id = p.id"
    " WHERE p.tenant = ? AND p.received_at >= ? AND p.received_at < ?"
    " AND json_extract(c.intake_json, '$.target.staff_id') = ?"
    " ORDER BY p.received_at, p.id"
)
"""The ids of a period's complaints about one person (PEN-2), nothing decoded."""

_CLAIM_DUE = (
    f"SELECT {_ROW_COLUMNS} FROM projection INDEXED BY projection_due"
    " WHERE tenant = ? AND next_due IS NOT NULL AND next_due <= ?"
    " AND (swept_until IS NULL OR swept_until <= ? OR swept_until > ?)"
    " ORDER BY next_due, received_at, id LIMIT ?"
)
"""Rows due, soonest first, in the order of ``projection_due``: among equal due times
(a night's complaints share one) nothing is sorted."""

_RELEASE_HELD = (
    "UPDATE outbox SET claimed_until = CASE WHEN delivered_at IS NULL AND dropped_at IS NULL"
    " AND claim_offset IS NULL THEN NULL ELSE claimed_until END, held_by = NULL"
    " WHERE tenant = ? AND notifier = ? AND dedupe_key = ? AND held_by = ?"
)
"""A listener hold's message let go by its mark: its claim ends if it is still the
hold's.  The hold writes no ``claim_offset`` and every sender's claim writes one,
this release's and the previous one's (schema 17), which knew nothing of
``held_by`` and left the mark on a lapsed hold it took: matching the mark alone
ended that sender's live claim while it was still sending, and the message went
out twice (review s47B F01).  Such a message loses only its mark."""

_OVERLONG_LEASES = (
    "SELECT id FROM projection INDEXED BY projection_due"
    " WHERE tenant = ? AND next_due IS NOT NULL AND swept_until > ? ORDER BY id"
)
"""Rows with a due time leased past the longest lease a claim takes (what verify reports);
read through ``projection_due``: the open complaints, not every one ever stored."""

_OVERLONG_CLAIMS = (
    "SELECT id FROM outbox INDEXED BY outbox_claimed WHERE tenant = ?"
    " AND delivered_at IS NULL AND dropped_at IS NULL AND claimed_until IS NOT NULL"
    " AND claimed_until > ? ORDER BY id"
)
"""Waiting items claimed past the longest claim the desk takes (what verify and every
delivery pass report), the range of ``outbox_claimed`` past it: those items only, not
every item waiting (review s50O F01: it read every dead letter's row, 64 ms a pass
for 81,683)."""

_RETRY_TIMES = (
    "SELECT id, waits_from, next_attempt_at, waits_at, attempts, created_at FROM outbox"
    " INDEXED BY outbox_pending"
    " WHERE tenant = ? AND delivered_at IS NULL AND dropped_at IS NULL"
    " AND next_attempt_at IS NOT NULL ORDER BY id"
)
"""Waiting items with a retry time, the time their wait counts from and their
queueing (what verify compares: review s51C F03; a never-tried one whatever its
wait columns say: review s54R6 F01)."""

_PENDING_COUNTS = (
    "SELECT notifier, count(*) FROM outbox INDEXED BY outbox_live"
    " WHERE tenant = ? AND delivered_at IS NULL AND dropped_at IS NULL GROUP BY notifier"
)
"""Waiting outbox items per channel, from ``outbox_live`` alone (no row read): the
cost follows the items waiting, not every item ever delivered.  The dead letters
are waiting items too, each an index entry read (review s50O F01: about 5 ms for
80,000, where reading their rows took 40)."""

_DEAD_COUNTS = (
    "SELECT notifier, count(*) FROM outbox INDEXED BY outbox_live"
    " WHERE tenant = ? AND delivered_at IS NULL AND dropped_at IS NULL AND attempts >= ?"
    " GROUP BY notifier"
)
"""Dead letters per channel, from the range of ``outbox_live`` past the limit alone (a
count, no row read, no item decoded)."""

_WAITING = (
    "SELECT id, notifier, body_json, attempts,"
    " CASE WHEN claimed_until > ?1 AND (next_attempt_at IS NULL OR claimed_until > next_attempt_at)"
    " THEN claimed_until ELSE next_attempt_at END, last_error FROM outbox"
    " INDEXED BY outbox_pending WHERE tenant = ?2 AND delivered_at IS NULL"
    " AND dropped_at IS NULL ORDER BY id LIMIT ?3"
)
"""Every waiting outbox item, due or not, through ``outbox_pending``; one a sender's
claim holds (on the store's clock, ``?1``) is due when the claim lapses, if later."""

_LEDGER_OF = (
    "SELECT seq, complaint_id, version, head, outbox, key, created_at, prev, hash"
    " FROM ledger INDEXED BY ledger_complaint"
    " WHERE tenant = ? AND complaint_id = ? AND seq < ? ORDER BY seq"
)
"""A complaint's ledger entries before a seq (an incremental verify rechecks them).

This and :data:`_LEDGER_LAST_OF` name their index: for ``ORDER BY seq`` SQLite
would rather walk the whole ledger backwards by its primary key than sort the
few entries of one complaint, a scan of every entry each time."""

_LEDGER_LAST_OF = (
    "SELECT version FROM ledger INDEXED BY ledger_complaint"
    " WHERE tenant = ? AND complaint_id = ? ORDER BY seq DESC LIMIT 1"
)
"""A complaint's last ledger entry (read by an append that adds no event)."""


class _Ledger:
    """The tenant's ledger inside one write transaction: the tail read once,
    then each commit appended (adapters.ledger)."""

    def __init__(self, conn: sqlite3.Connection, tenant: str) -> None:
        self.conn = conn
        self.tenant = tenant
        last = conn.execute(
            "SELECT seq, hash FROM ledger WHERE tenant = ? ORDER BY seq DESC LIMIT 1", (tenant,)
        ).fetchone()
        self.seq, self.hash = (int(last[0]), str(last[1])) if last else (0, ledger_genesis(tenant))

    def next_seq(self) -> int:
        """The seq the next commit gets (outbox rows are tagged with it first)."""
        return self.seq + 1

    def commit(
        self, complaint_id: str, version: int, head: str, key: str = "", created_at: str = ""
    ) -> None:
        """Append the entry of a commit, with the digest of the outbox rows tagged with
        :meth:`next_seq`; a commit that added no event and queued nothing is skipped."""
        seq = self.seq + 1
        rows = self.conn.execute(
            "SELECT id, notifier, dedupe_key, complaint_id, body_json, created_at, ledger_seq"
            " FROM outbox WHERE tenant = ? AND ledger_seq = ? ORDER BY id",
            (self.tenant, seq),
        ).fetchall()
        digest = outbox_digest(OutboxRecord(*r) for r in rows)
        if not digest and not key and not created_at and self._unchanged(complaint_id, version):
            return
        entry = entry_hash(self.hash, complaint_id, version, head, digest, key, created_at)
        self.conn.execute(
            "INSERT INTO ledger (tenant, seq, complaint_id, version, head, outbox, key,"
            " created_at, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (self.tenant, seq, complaint_id, version, head, digest, key, created_at, self.hash,
             entry),
        )  # fmt: skip
        self.seq, self.hash = seq, entry

    def commit_created(self, commits: Sequence[tuple[str, int, str, str, str]]) -> None:
        """Append the entries of complaints just created, in order, as :meth:`commit`
        would one by one (``(complaint_id, version, head, key, created_at)`` each).

        None is skipped: a new complaint has no earlier entry, so it always differs
        from the last one.  The outbox rows tagged with the entries' seqs are read by
        one query and the entries written by one statement (a bulk intake creates a
        thousand complaints at a time).
        """
        if not commits:
            return
        first, last = self.seq + 1, self.seq + len(commits)
        tagged: dict[int, list[OutboxRecord]] = {}
        for r in self.conn.execute(
            "SELECT id, notifier, dedupe_key, complaint_id, body_json, created_at, ledger_seq"
            " FROM outbox WHERE tenant = ? AND ledger_seq >= ? AND ledger_seq <= ?"
            " ORDER BY ledger_seq, id",
            (self.tenant, first, last),
        ):
            tagged.setdefault(r[6], []).append(OutboxRecord(*r))
        rows = []
        prev = self.hash
        for seq, (complaint_id, version, head, key, created_at) in enumerate(commits, first):
            digest = outbox_digest(tagged.get(seq, ()))
            entry = entry_hash(prev, complaint_id, version, head, digest, key, created_at)
            rows.append(
                (self.tenant, seq, complaint_id, version, head, digest, key, created_at, prev,
                 entry)
            )  # fmt: skip
            prev = entry
        self.conn.executemany(
            "INSERT INTO ledger (tenant, seq, complaint_id, version, head, outbox, key,"
            " created_at, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        self.seq, self.hash = last, prev

    def _unchanged(self, complaint_id: str, version: int) -> bool:
        last = self.conn.execute(_LEDGER_LAST_OF, (self.tenant, complaint_id)).fetchone()
        return last is not None and int(last[0]) == version


@attrs.frozen
class _Prepared:
    """A complaint encoded for insertion, checked before any lock is taken."""

    complaint: Complaint
    key: str
    events: Sequence[Event]
    entries: Sequence[tuple[str, Notification]]
    intake_json: str
    bodies: list[str]
    params: tuple[Any, ...]
    created_at: str


def _prepare(
    complaint: Complaint, row: ComplaintRow, outbox: Sequence[tuple[str, Notification]]
) -> _Prepared:
    if not isinstance(complaint, Complaint):
        raise InvalidInputError("complaint", "expected a Complaint")
    key = effective_key(complaint, row)
    events = check_events(complaint.events)
    entries = check_outbox(outbox)
    intake_json = encode_intake(complaint.intake)
    bodies = [encode_event(ev) for ev in events]
    params = _row_params(row, len(events), key)
    last = events[-1].at if events else complaint.intake.received_at
    return _Prepared(
        complaint,
        key,
        events,
        entries,
        intake_json,
        bodies,
        params,
        to_utc_text(last, "created_at"),
    )


_IN_CHUNK = 500
"""Values per ``IN (...)`` list: well under any SQLite's limit on parameters."""


def _existing(
    conn: sqlite3.Connection, tenant: str, column: str, values: Sequence[str]
) -> dict[str, str]:
    """``value -> id`` of the tenant's complaints whose ``column`` is one of ``values``."""
    found: dict[str, str] = {}
    for lo in range(0, len(values), _IN_CHUNK):
        part = values[lo : lo + _IN_CHUNK]
        marks = ", ".join("?" * len(part))
        for value, cid in conn.execute(
            f"SELECT {column}, id FROM complaints WHERE tenant = ? AND {column} IN ({marks})",
            (tenant, *part),
        ):
            found[value] = cid
    return found


def _create_batch(
    conn: sqlite3.Connection,
    ledger: _Ledger,
    prepared: Sequence[_Prepared | ComplaintCoreError],
    *,
    whole: bool = False,
    held: _Held | None = None,
) -> list[Complaint | ComplaintCoreError | None]:
    """:meth:`SqliteStore.create_many` inside its transaction, with the rows of the
    whole batch written by one statement per table (the checks of
    :func:`_create_in`, made for the batch at once: known keys and ids first).

    Each complaint is one commit of the ledger, in batch order: its outbox rows
    are tagged with the entry's seq before they are written, and the entries
    are appended once the rows are in (each entry digests its own rows).
    """
    tenant = ledger.tenant
    good = [p for p in prepared if not isinstance(p, ComplaintCoreError)]
    stored_keys = _existing(conn, tenant, "idempotency_key", [p.key for p in good if p.key])
    stored_ids = _existing(conn, tenant, "id", [p.complaint.id for p in good])
    if whole:
        refused = _not_as_themselves(conn, tenant, prepared, stored_keys, stored_ids)
        if refused:  # the others are drafted again by the caller: nothing is written
            return [refused.get(i) for i in range(len(prepared))]
    heads: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []
    rows: list[tuple[Any, ...]] = []
    outbox: list[tuple[str, Notification, int]] = []
    commits: list[tuple[str, int, str, str, str]] = []
    batch_keys: dict[str, str] = {}
    results: list[Complaint | ComplaintCoreError | None] = []

    def flush() -> None:
        conn.executemany(
            "INSERT INTO complaints (tenant, id, idempotency_key, intake_json, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            heads,
        )
        conn.executemany(
            "INSERT INTO events (tenant, complaint_id, seq, schema_version, kind, at, actor,"
            " body_json, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            events,
        )
        conn.executemany(
            f"INSERT INTO projection (tenant, {_ROW_COLUMNS}) VALUES (?, {_ROW_MARKS})",
            rows,
        )
        _insert_outbox_tagged(conn, tenant, outbox, held)
        ledger.commit_created(commits)
        for pending in (heads, events, rows, outbox, commits):
            pending.clear()

    for p in prepared:
        if isinstance(p, ComplaintCoreError):
            results.append(p)
            continue
        complaint = p.complaint
        known = stored_keys.get(p.key) or batch_keys.get(p.key) if p.key else None
        if known is not None:  # a retried submission: the stored complaint, nothing written
            flush()
            results.append(_load(conn, tenant, known))
            continue
        if complaint.id in stored_ids:
            results.append(DuplicateIdError())
            continue
        stored_ids[complaint.id] = complaint.id
        if p.key:
            batch_keys[p.key] = complaint.id
        heads.append((tenant, complaint.id, p.key or None, p.intake_json, p.created_at))
        genesis = genesis_hash(p.intake_json)
        chained = chain_events(
            complaint.id, p.events, version=0, prev_hash=genesis, bodies=p.bodies
        )
        events.extend((tenant, complaint.id, e.seq, e.schema_version, *e[1:7]) for e in chained)
        rows.append((tenant, *p.params))
        seq = ledger.next_seq() + len(commits)  # every creation is an entry (key, created_at)
        outbox.extend((notifier, n, seq) for notifier, n in p.entries)
        head = chained[-1].hash if chained else genesis
        commits.append((complaint.id, len(p.events), head, p.key, p.created_at))
        results.append(complaint)
    flush()
    return results


def _not_as_themselves(
    conn: sqlite3.Connection,
    tenant: str,
    prepared: Sequence[_Prepared | ComplaintCoreError],
    stored_keys: Mapping[str, str],
    stored_ids: Mapping[str, str],
) -> dict[int, Complaint | ComplaintCoreError]:
    """The batch's items that would not be stored as themselves, by slot, with their
    answers: refused, an id known or given twice, a key stored already (its
    complaint).  A key given twice is answered by its first item, and is not one."""
    found: dict[int, Complaint | ComplaintCoreError] = {}
    ids: set[str] = set()
    for i, p in enumerate(prepared):
        if isinstance(p, ComplaintCoreError):
            found[i] = p
        elif p.key and p.key in stored_keys:
            found[i] = _load(conn, tenant, stored_keys[p.key])
        elif p.complaint.id in stored_ids or p.complaint.id in ids:
            found[i] = DuplicateIdError()
        else:
            ids.add(p.complaint.id)
    return found


def _create_in(
    conn: sqlite3.Connection, ledger: _Ledger, p: _Prepared, held: _Held | None = None
) -> Complaint:
    tenant = ledger.tenant
    complaint = p.complaint
    if p.key:
        found = conn.execute(
            "SELECT id FROM complaints WHERE tenant = ? AND idempotency_key = ?", (tenant, p.key)
        ).fetchone()
        if found is not None:
            return _load(conn, tenant, found[0])
    if conn.execute(
        "SELECT 1 FROM complaints WHERE tenant = ? AND id = ?", (tenant, complaint.id)
    ).fetchone():
        raise DuplicateIdError()
    conn.execute(
        "INSERT INTO complaints (tenant, id, idempotency_key, intake_json, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (tenant, complaint.id, p.key or None, p.intake_json, p.created_at),
    )
    head = _insert_events(
        conn, tenant, complaint.id, 0, genesis_hash(p.intake_json), p.events, p.bodies
    )
    conn.execute(
        f"INSERT INTO projection (tenant, {_ROW_COLUMNS}) VALUES (?, {_ROW_MARKS})",
        (tenant, *p.params),
    )
    _insert_outbox(conn, tenant, p.entries, ledger.next_seq(), held)
    ledger.commit(complaint.id, len(p.events), head, p.key, p.created_at)
    return complaint
