"""The store for companies that outgrow one machine: PostgreSQL through psycopg 3.

Several application servers run desks against one database.  What makes that
safe is the database, not the desks:

* optimistic concurrency comes from the primary key ``(tenant, complaint_id,
  seq)`` of ``events``: two desks appending to one complaint both try to insert
  the same seq, and the second gets a
  :class:`~complaintcore.core.errors.ConcurrencyConflictError`;
* outbox items and due complaints are claimed with ``FOR UPDATE SKIP LOCKED``
  and a lease, so any number of senders and sweepers on any number of hosts
  split the work between them and a worker that dies only delays its share;
* every row carries its tenant and every statement is confined to the store's
  own; row-level security policies keyed on the connection's tenant are a
  second wall, for a database role that is not the tables' owner;
* schema changes are versioned migrations (:data:`MIGRATIONS`), applied under
  an advisory lock by whichever process opens the database first.

The events, their canonical JSON texts and the hash chain are those of the
SQLite store (:mod:`complaintcore.adapters.chain`), so ``verify`` means the same
and a desk moves between the two without a byte changing.  Needs the
``postgres`` extra (``pip install 'complaintcore[postgres]'``); importing
complaintcore never imports psycopg.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, Concatenate, ParamSpec, Self, TypeVar
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import attrs
import psycopg
from psycopg import errors as pg_errors
from psycopg.conninfo import conninfo_to_dict
from psycopg.types.datetime import TimestamptzLoader
from psycopg_pool import ConnectionPool, PoolTimeout

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
    claim_time,
    decode_complaint,
    effective_key,
    encode_event,
    encode_intake,
    error_text,
    genesis_hash,
    latest_lease,
    lease_end,
    notification_from_json,
    notification_to_json,
    parse_utc,
    stored_time,
    to_utc_text,
    window_start,
)
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
from complaintcore.adapters.sqlite_store import _IN_SNAPSHOT
from complaintcore.adapters.stores import (
    SECRET_PARAMETERS,
    describe_database,
    is_postgres_url,
    postgres_dsn,
)
from complaintcore.adapters.transfer import StoredHistory, StoredItem, not_empty
from complaintcore.core.concentration import Member, building_key
from complaintcore.core.errors import (
    ClosedError,
    ComplaintCoreError,
    ConcurrencyConflictError,
    ConnectionLostError,
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

__all__ = [
    "DEFAULT_SCHEMA",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "PostgresStore",
    "describe_dsn",
    "upgrade_schema",
]

_P = ParamSpec("_P")
_R = TypeVar("_R")
_T = TypeVar("_T")

_APPEND_ONLY = "complaintcore: the event history is append-only (REC-5)"
_TENANT_SETTING = "complaintcore.tenant"
_COUNTING_SETTING = "complaintcore.counting_tenants"
"""Set by ``keeps_tenants()`` while it runs: the owner's policy on tenants then
admits every row (migration 19)."""
_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
DEFAULT_SCHEMA = "complaintcore"
_BATCH = 256
_WHOLE_ATTEMPTS = 5
"""Times ``create_many(whole=True)`` asks again after a key or id stored meanwhile."""
_LEDGER_WINDOW = 2000

_ROW_COLUMNS = (
    "id, status, received_at, version, site, department, category, grade, channel, "
    "validity, kind, handler, rung, next_due, idempotency_key, building, complainant_key, issue, "
    "group_incident, updated_at, room_key, breach_due"
)
_ROW_NAMES = tuple(c.strip() for c in _ROW_COLUMNS.split(","))
_ITEM_COLUMNS = "id, notifier, body_json, attempts, next_attempt_at, last_error"
_RELATED_COLUMNS = (
    "id, received_at, category, building, complainant_key, room_key, status, validity, kind"
)
"""What IMP-3 linking reads of an earlier complaint (:class:`Earlier`, in its order)."""

_PROTECTED = ("complaints", "events", "projection", "outbox")
_TENANT_TABLES = (*_PROTECTED, "ledger", "ledger_heads", "access_log")
"""Every table with rows of a tenant (:meth:`PostgresStore.unregister_tenant`)."""

MIGRATIONS: tuple[tuple[int, str, tuple[str, ...]], ...] = (
    (
        1,
        "tenants, complaints, append-only events, projection, outbox",
        (
            'CREATE TABLE {s}.tenants (tenant text COLLATE "C" PRIMARY KEY)',
            """CREATE TABLE {s}.complaints (
                tenant          text COLLATE "C" NOT NULL REFERENCES {s}.tenants (tenant),
                id              text COLLATE "C" NOT NULL,
                idempotency_key text COLLATE "C",
                intake_json     text NOT NULL,
                created_at      timestamptz NOT NULL,
                PRIMARY KEY (tenant, id),
                UNIQUE (tenant, idempotency_key)
            )""",
            """CREATE TABLE {s}.events (
                tenant         text COLLATE "C" NOT NULL,
                complaint_id   text COLLATE "C" NOT NULL,
                seq            integer NOT NULL CHECK (seq >= 1),
                schema_version integer NOT NULL DEFAULT 1 CHECK (schema_version >= 1),
                kind           text NOT NULL,
                at             text NOT NULL,
                actor          text NOT NULL,
                body_json      text NOT NULL,
                prev_hash      text NOT NULL,
                hash           text NOT NULL,
                PRIMARY KEY (tenant, complaint_id, seq),
                FOREIGN KEY (tenant, complaint_id) REFERENCES {s}.complaints (tenant, id)
            )""",
            """CREATE TABLE {s}.projection (
                tenant          text COLLATE "C" NOT NULL,
                id              text COLLATE "C" NOT NULL,
                status          text NOT NULL,
                received_at     timestamptz NOT NULL,
                version         integer NOT NULL,
                site            text NOT NULL DEFAULT '',
                department      text NOT NULL DEFAULT '',
                category        text NOT NULL DEFAULT '',
                grade           text NOT NULL DEFAULT '',
                channel         text NOT NULL DEFAULT '',
                validity        text NOT NULL DEFAULT '',
                kind            text NOT NULL DEFAULT '',
                handler         text NOT NULL DEFAULT '',
                rung            text NOT NULL DEFAULT '',
                next_due        timestamptz,
                idempotency_key text NOT NULL DEFAULT '',
                building        text NOT NULL DEFAULT '',
                complainant_key text NOT NULL DEFAULT '',
                issue           text COLLATE "C" NOT NULL DEFAULT '',
                group_incident  boolean NOT NULL DEFAULT false,
                swept_until     timestamptz,
                PRIMARY KEY (tenant, id),
                FOREIGN KEY (tenant, id) REFERENCES {s}.complaints (tenant, id)
            )""",
            """CREATE TABLE {s}.outbox (
                id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                tenant          text COLLATE "C" NOT NULL REFERENCES {s}.tenants (tenant),
                notifier        text NOT NULL,
                dedupe_key      text NOT NULL,
                complaint_id    text COLLATE "C" NOT NULL,
                body_json       text NOT NULL,
                created_at      timestamptz NOT NULL,
                attempts        integer NOT NULL DEFAULT 0,
                next_attempt_at timestamptz,
                last_error      text NOT NULL DEFAULT '',
                delivered_at    timestamptz,
                UNIQUE (tenant, notifier, dedupe_key)
            )""",
            "CREATE INDEX projection_received ON {s}.projection (tenant, received_at, id)",
            "CREATE INDEX projection_status_due ON {s}.projection (tenant, status, next_due)",
            "CREATE INDEX projection_site ON {s}.projection (tenant, site, status, next_due)",
            "CREATE INDEX projection_department ON {s}.projection"
            " (tenant, department, status, next_due)",
            "CREATE INDEX projection_grade ON {s}.projection (tenant, grade, status, next_due)",
            "CREATE INDEX projection_due ON {s}.projection (tenant, next_due, id)"
            " WHERE next_due IS NOT NULL",
            "CREATE INDEX outbox_pending ON {s}.outbox (tenant, id) WHERE delivered_at IS NULL",
            "CREATE INDEX projection_similar ON {s}.projection"
            " (tenant, site, category, received_at) WHERE status <> 'closed'",
            "CREATE INDEX projection_issue ON {s}.projection (tenant, issue) WHERE issue <> ''",
            f"""CREATE FUNCTION {{s}}.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{_APPEND_ONLY}' USING ERRCODE = 'integrity_constraint_violation';
            END $$""",
            "CREATE TRIGGER events_no_update BEFORE UPDATE OR DELETE ON {s}.events"
            " FOR EACH ROW EXECUTE FUNCTION {s}.refuse_change()",
            "CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON {s}.events"
            " FOR EACH STATEMENT EXECUTE FUNCTION {s}.refuse_change()",
            "CREATE TRIGGER complaints_intake_fixed"
            " BEFORE UPDATE OF tenant, id, intake_json ON {s}.complaints"
            " FOR EACH ROW EXECUTE FUNCTION {s}.refuse_change()",
            "CREATE TRIGGER complaints_no_delete BEFORE DELETE ON {s}.complaints"
            " FOR EACH ROW EXECUTE FUNCTION {s}.refuse_change()",
            "CREATE TRIGGER complaints_no_truncate BEFORE TRUNCATE ON {s}.complaints"
            " FOR EACH STATEMENT EXECUTE FUNCTION {s}.refuse_change()",
        ),
    ),
    (
        2,
        "row-level security: a connection sees only the rows of its own tenant",
        tuple(
            sql
            for table in _PROTECTED
            for sql in (
                f"ALTER TABLE {{s}}.{table} ENABLE ROW LEVEL SECURITY",
                f"ALTER TABLE {{s}}.{table} FORCE ROW LEVEL SECURITY",
                f"CREATE POLICY tenant_rows ON {{s}}.{table}"
                f" USING (tenant = current_setting('{_TENANT_SETTING}', true))"
                f" WITH CHECK (tenant = current_setting('{_TENANT_SETTING}', true))",
            )
        ),
    ),
    # IMP-3: intake links a complaint to the earlier ones by the same person,
    # about the same room, or about the same building and category; each of
    # those is answered from its own partial index.  Rows stored before this
    # version get their room key from the intake (_fill_v3).
    (
        3,
        "repeats: room key and the indexes that find earlier complaints (IMP-3)",
        (
            "ALTER TABLE {s}.projection ADD COLUMN room_key text NOT NULL DEFAULT ''",
            "CREATE INDEX projection_person ON {s}.projection"
            " (tenant, site, complainant_key, received_at) WHERE complainant_key <> ''",
            "CREATE INDEX projection_room ON {s}.projection"
            " (tenant, site, room_key, received_at) WHERE room_key <> ''",
            "CREATE INDEX projection_matter ON {s}.projection"
            " (tenant, site, building, category, received_at) WHERE building <> ''",
        ),
    ),
    (
        4,
        "the ledger of every commit, outbox rows tied to it, dead letters, the access log",
        (
            """CREATE TABLE {s}.ledger (
                tenant       text COLLATE "C" NOT NULL REFERENCES {s}.tenants (tenant),
                seq          bigint NOT NULL CHECK (seq >= 1),
                complaint_id text COLLATE "C" NOT NULL,
                version      integer NOT NULL,
                head         text NOT NULL,
                outbox       text NOT NULL DEFAULT '',
                key          text NOT NULL DEFAULT '',
                created_at   text NOT NULL DEFAULT '',
                prev         text NOT NULL,
                hash         text NOT NULL,
                PRIMARY KEY (tenant, seq)
            )""",
            "CREATE INDEX ledger_complaint ON {s}.ledger (tenant, complaint_id, seq)",
            """CREATE TABLE {s}.ledger_heads (
                tenant text COLLATE "C" PRIMARY KEY REFERENCES {s}.tenants (tenant),
                seq    bigint NOT NULL,
                hash   text NOT NULL
            )""",
            "ALTER TABLE {s}.outbox ADD COLUMN ledger_seq bigint,"
            " ADD COLUMN dropped_at timestamptz, ADD COLUMN drop_reason text NOT NULL DEFAULT ''",
            "CREATE INDEX outbox_ledger ON {s}.outbox (tenant, ledger_seq, id)",
            """CREATE TABLE {s}.access_log (
                id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                tenant       text COLLATE "C" NOT NULL REFERENCES {s}.tenants (tenant),
                at           timestamptz NOT NULL,
                actor        text NOT NULL,
                complaint_id text COLLATE "C" NOT NULL,
                purpose      text NOT NULL DEFAULT '',
                via          text NOT NULL DEFAULT '',
                os_user      text NOT NULL DEFAULT ''
            )""",
            "CREATE INDEX access_log_at ON {s}.access_log (tenant, at, id)",
            "CREATE INDEX access_log_complaint ON {s}.access_log (tenant, complaint_id, at)",
            "CREATE TRIGGER ledger_no_change BEFORE UPDATE OR DELETE ON {s}.ledger"
            " FOR EACH ROW EXECUTE FUNCTION {s}.refuse_change()",
            "CREATE TRIGGER ledger_no_truncate BEFORE TRUNCATE ON {s}.ledger"
            " FOR EACH STATEMENT EXECUTE FUNCTION {s}.refuse_change()",
            "CREATE TRIGGER access_log_no_change BEFORE UPDATE OR DELETE ON {s}.access_log"
            " FOR EACH ROW EXECUTE FUNCTION {s}.refuse_change()",
            "CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON {s}.access_log"
            " FOR EACH STATEMENT EXECUTE FUNCTION {s}.refuse_change()",
            *(
                sql
                for table in ("ledger", "ledger_heads", "access_log")
                for sql in (
                    f"ALTER TABLE {{s}}.{table} ENABLE ROW LEVEL SECURITY",
                    f"ALTER TABLE {{s}}.{table} FORCE ROW LEVEL SECURITY",
                    f"CREATE POLICY tenant_rows ON {{s}}.{table}"
                    f" USING (tenant = current_setting('{_TENANT_SETTING}', true))"
                    f" WITH CHECK (tenant = current_setting('{_TENANT_SETTING}', true))",
                )
            ),
        ),
    ),
    # v5: an index behind the due order of rows() and the time of each complaint's
    # latest event (statistics read from rows).  Self-contained: it needs nothing of
    # v3 and was renumbered from v4 as it stood (the ledger took v4).
    (
        5,
        "an index behind the due order of rows(); the time of each complaint's latest event",
        (
            "CREATE INDEX projection_due_order ON {s}.projection"
            " (tenant, next_due, received_at, id)",
            "ALTER TABLE {s}.projection ADD COLUMN updated_at timestamptz",
            # every tenant's rows: the owner steps out of the policies for the fill
            "ALTER TABLE {s}.projection NO FORCE ROW LEVEL SECURITY",
            "ALTER TABLE {s}.events NO FORCE ROW LEVEL SECURITY",
            "UPDATE {s}.projection AS p SET updated_at = (SELECT max(e.at::timestamptz)"
            " FROM {s}.events AS e WHERE e.tenant = p.tenant AND e.complaint_id = p.id)",
            "ALTER TABLE {s}.projection FORCE ROW LEVEL SECURITY",
            "ALTER TABLE {s}.events FORCE ROW LEVEL SECURITY",
        ),
    ),
    # v6: seals on what changes after a commit (adapters.seals), as SQLite's v9;
    # what was stored before is sealed as it stands by _fill_seals.
    (
        6,
        "seals on outbox settlements (with who dropped a message) and access records",
        (
            "ALTER TABLE {s}.outbox ADD COLUMN dropped_by text NOT NULL DEFAULT '',"
            " ADD COLUMN dropped_os_user text NOT NULL DEFAULT '',"
            " ADD COLUMN seal text NOT NULL DEFAULT ''",
            "ALTER TABLE {s}.access_log ADD COLUMN seal text NOT NULL DEFAULT ''",
        ),
    ),
    # v7: what few rows answer reads those rows, as SQLite's v10: a handler's
    # rows and a site's rows in time order (v1's projection_site is ordered by
    # status and due time, so a site's page sorted the site's whole history),
    # and the rows touched since a time (the staff report of a month).  An open
    # status is served by v1's projection_status_due already (its rows are the
    # open ones, not the closed history).
    (
        7,
        "indexes behind a handler's and a site's listing and the rows touched since a time",
        (
            "CREATE INDEX projection_by_handler ON {s}.projection"
            " (tenant, handler, received_at, id)",
            "CREATE INDEX projection_by_site ON {s}.projection (tenant, site, received_at, id)",
            "CREATE INDEX projection_updated ON {s}.projection"
            " (tenant, updated_at, received_at, id)",
            # the rows of no known time (nearly none): without it, a table not yet
            # analyzed costs both indexes alike and the planner may walk the period
            "CREATE INDEX projection_unstamped ON {s}.projection (tenant, received_at, id)"
            " WHERE updated_at IS NULL",
        ),
    ),
    # v8: complainant and room keys of sixteen hex digits instead of six, as
    # SQLite's v11: with six, two owners of one site could be taken for one
    # person (IMP-3, GRD-2).  _fill_keys makes every row's keys again, every
    # tenant's: the comments make it the owner's work, as every migration is (a
    # desk role may see one tenant only).
    (
        8,
        "complainant and room keys of sixteen hex digits",
        (
            "COMMENT ON COLUMN {s}.projection.complainant_key IS"
            " 'sixteen hex digits of sha256 of the complainant (IMP-3, HDL-5); never shown'",
            "COMMENT ON COLUMN {s}.projection.room_key IS"
            " 'sixteen hex digits of sha256 of the room (IMP-3); never shown'",
        ),
    ),
    # v9: what the projection rows were last computed under, per tenant, as
    # SQLite's v12 (core.basis): a sweep that finds another rewrites the rows out of
    # date first (DL-7).  A column of tenants, so a desk role granted UPDATE on the
    # schema's tables may keep it without a new grant.
    (
        9,
        "what each tenant's projection rows were last computed under",
        ("ALTER TABLE {s}.tenants ADD COLUMN IF NOT EXISTS projection_basis text",),
    ),
    # v10: until when a sender's claim on an outbox item holds (NULL: none), as
    # SQLite's v13: a retry or drop by hand is refused meanwhile.
    (
        10,
        "until when a sender's claim on an outbox item holds",
        ("ALTER TABLE {s}.outbox ADD COLUMN IF NOT EXISTS claimed_until timestamptz",),
    ),
    # v11: messages given up for good leave the index of those waiting, as SQLite's
    # v14: sweeps and delivery passes no longer walk every message ever dropped.
    (
        11,
        "messages dropped for good leave the index of those waiting",
        (
            "DROP INDEX IF EXISTS {s}.outbox_pending",
            "CREATE INDEX outbox_pending ON {s}.outbox (tenant, id)"
            " WHERE delivered_at IS NULL AND dropped_at IS NULL",
        ),
    ),
    # v12: the due index carries the order sweeps claim in among equal due times,
    # as SQLite's v14: received, then id (it was id alone, so the two stores swept
    # a day's complaints, due at one instant, in different orders; review s33D F05).
    (
        12,
        "the due index orders equal due times by time received, then id",
        (
            "DROP INDEX IF EXISTS {s}.projection_due",
            "CREATE INDEX projection_due ON {s}.projection (tenant, next_due, received_at, id)"
            " WHERE next_due IS NOT NULL",
        ),
    ),
    # v13: the earliest due time of a complaint's open clocks, as SQLite's v15, so
    # rows(overdue_at=now) finds every complaint with a clock breached and still
    # open from an index, also after a sweep escalated it and moved its next_due on
    # (DL-7; review s34D F01).  Open rows of every tenant get their time received
    # (no later than any of their due times, so none is left out; the first sweep
    # after the upgrade rewrites them): the owner steps out of the policies for it.
    (
        13,
        "the earliest due time of each complaint's open clocks, and its index",
        (
            "ALTER TABLE {s}.projection ADD COLUMN IF NOT EXISTS breach_due timestamptz",
            "ALTER TABLE {s}.projection NO FORCE ROW LEVEL SECURITY",
            "UPDATE {s}.projection SET breach_due = received_at WHERE status <> 'closed'",
            "ALTER TABLE {s}.projection FORCE ROW LEVEL SECURITY",
            "DROP INDEX IF EXISTS {s}.projection_overdue",
            "CREATE INDEX projection_overdue ON {s}.projection"
            " (tenant, breach_due, received_at, id) WHERE breach_due IS NOT NULL",
        ),
    ),
    # v14: the projection's building is the form it is matched and counted by, as
    # SQLite's v16 (core.concentration.building_key: NFKC, case and spaces
    # ignored), so ３号楼 and 3 号楼 group (HDL-5), repeat (IMP-3) and count (IMP-2,
    # IMP-4) with 3号楼 (review s34D F02).  Every tenant's stored buildings are made
    # their keys by _fill_v14.  The column's comment says so: altering it is the
    # owner's, so a desk role that may only read and write is told to have the
    # owner migrate, as for every other version.
    (
        14,
        "each projection row's building in the form it is matched and counted by",
        (
            "COMMENT ON COLUMN {s}.projection.building IS"
            " 'the building as matched and counted (NFKC, case and spaces ignored; HDL-5,"
            " IMP-2, IMP-3, IMP-4); the complaint keeps it as typed'",
        ),
    ),
    # v15: how far the claimer's ``now`` was from the store's clock when it claimed
    # an outbox item, as SQLite's v17: claims are kept on the server's clock, not on
    # the claimer's ``now`` (a catch-up's, a host's clock off by minutes), and a
    # hold the claimer asks for in its ``now`` is moved onto it (review s46C F01).
    # A column of outbox: no new grant.
    (
        15,
        "how far each outbox claim's claimer was from the server's clock",
        ("ALTER TABLE {s}.outbox ADD COLUMN IF NOT EXISTS claim_offset interval",),
    ),
    # v16: the mark of the write that queued an outbox item held while the desk's
    # listeners hear its commit (NULL: none), as SQLite's v18: the hold is a claim
    # on the server's clock, let go by that mark once the listeners have returned
    # (hooks.md, review s46G F03).  A column of outbox: no new grant.
    (
        16,
        "the mark of the write holding each outbox item for the desk's listeners",
        ("ALTER TABLE {s}.outbox ADD COLUMN IF NOT EXISTS held_by text",),
    ),
    # v17: open complaints by site, category and building in time order, as SQLite's
    # v19: the HDL-5 check at intake of a group scoped by building reads the
    # building's open rows in the reach, not every open row of the site and category
    # (review s48C F01).  projection_similar stays for groups scoped by site.  An
    # index: no new grant.
    (
        17,
        "open complaints by site, category and building, for HDL-5 groups by building",
        (
            "CREATE INDEX IF NOT EXISTS projection_similar_building ON {s}.projection"
            " (tenant, site, category, building, received_at, id) WHERE status <> 'closed'",
        ),
    ),
    # v18: a room is matched in whatever address form it was typed in, as SQLite's
    # v20 (core.concentration.room_match): 3栋2单元1201室 and 3-2-1201 are one room (IMP-3,
    # GRD-2; review s49A F01).  The key fix (_REKEYED) makes again every tenant's keys
    # that change (a room typed with dashes keeps its own).  The column's comment says so:
    # altering it is the owner's, as every migration is.
    (
        18,
        "rooms matched in any address form",
        (
            "COMMENT ON COLUMN {s}.projection.room_key IS"
            " 'sixteen hex digits of sha256 of the room, read in any address form"
            " (IMP-3); never shown'",
        ),
    ),
    # v19: row-level security on tenants too, as on every other table (review s49G
    # F02): a desk's connection reads and writes its own tenant's row only (its
    # projection_basis), and registers only its own tenant.  Whether the database
    # keeps any tenant at all (a database of another company, UnknownTenantError)
    # is asked of keeps_tenants(), which runs as the migrating role (the owner) and
    # answers yes or no; the owner's policy admits every row only while that
    # function runs.  Fills of later versions that read every tenant set the flag.
    (
        19,
        "row-level security on tenants; whether the database keeps any tenant",
        (
            "ALTER TABLE {s}.tenants ENABLE ROW LEVEL SECURITY",
            "ALTER TABLE {s}.tenants FORCE ROW LEVEL SECURITY",
            "DROP POLICY IF EXISTS tenant_rows ON {s}.tenants",
            f"CREATE POLICY tenant_rows ON {{s}}.tenants"
            f" USING (tenant = current_setting('{_TENANT_SETTING}', true))"
            f" WITH CHECK (tenant = current_setting('{_TENANT_SETTING}', true))",
            "DROP POLICY IF EXISTS owner_counts ON {s}.tenants",
            f"CREATE POLICY owner_counts ON {{s}}.tenants FOR SELECT TO CURRENT_USER"
            f" USING (current_setting('{_COUNTING_SETTING}', true) = 'on')",
            # (a SET clause of the function would need a superuser for the flag)
            f"""CREATE OR REPLACE FUNCTION {{s}}.keeps_tenants() RETURNS boolean
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
            DECLARE kept boolean;
            BEGIN
                PERFORM set_config('{_COUNTING_SETTING}', 'on', true);
                SELECT EXISTS (SELECT 1 FROM {{s}}.tenants) INTO kept;
                PERFORM set_config('{_COUNTING_SETTING}', '', true);
                RETURN kept;
            END $$""",
            "COMMENT ON FUNCTION {s}.keeps_tenants() IS"
            " 'whether the database keeps any tenant (opening a desk refuses an unknown"
            " tenant of a database that does); never which'",
        ),
    ),
    # v20: a building is matched in whatever form it was typed in, as SQLite's v21
    # (core.concentration.building_key): 3栋, 3号楼, 3# and 3 are building 3 (HDL-5, IMP-2,
    # IMP-3, IMP-4; review s49L F01).  The key fix (_REKEYED) makes again every tenant's
    # building, room and complainant keys that change (a building typed as a bare number
    # keeps its keys).  The column's comment says so: altering it is the owner's, as every
    # migration is.  Fills read tenants as v19 lets them (_every_tenant).
    (
        20,
        "buildings matched in any form they are typed in",
        (
            "COMMENT ON COLUMN {s}.projection.building IS"
            " 'the building as matched and counted: its number or letter when typed with"
            " or without a building word (3栋, 3号楼, 3# are 3), else NFKC, case and spaces"
            " ignored (HDL-5, IMP-2, IMP-3, IMP-4); the complaint keeps it as typed'",
        ),
    ),
    # v21: a room keeps the level each of its groups names, as SQLite's v22
    # (core.concentration.room_match): 3单元1201 (unit 3) is another room than 3栋1201 and
    # 3-1201 (building 3) (IMP-3, GRD-2; review s49Q F02).  The key fix (_REKEYED) makes
    # again every tenant's keys that change (a room typed with dashes, or as 3栋2单元1201室,
    # keeps its own), reading tenants as v19 lets them (_every_tenant).  The column's
    # comment says so.
    (
        21,
        "rooms matched by the level each of their groups names",
        (
            "COMMENT ON COLUMN {s}.projection.room_key IS"
            " 'sixteen hex digits of sha256 of the room, read in any address form and"
            " by the level each group names: building, unit (IMP-3); never shown'",
        ),
    ),
    # v22: a room of one group is one room with or without its end word (1201室 is 1201),
    # 第3栋 and Block 3 before a room's groups are building 3, and a room whose building
    # field is blank is keyed with the building its first group names, as SQLite's v23
    # (core.concentration.room_match, room_building; IMP-3, GRD-2; review s50H F02, F04,
    # F05), and a room of one group or led by its unit below a building field of one
    # group is keyed as that building's (core.repeats.room_key; review s50Q F04).
    # The key fix (_REKEYED) makes again every tenant's keys that change (the
    # building column keeps its own), reading tenants as v19 lets them.  The column's
    # comment says so.
    (
        22,
        "rooms keyed with their end word dropped and a blank building read from the room",
        (
            "COMMENT ON COLUMN {s}.projection.room_key IS"
            " 'sixteen hex digits of sha256 of the room, read in any address form and"
            " by the level each group names: building, unit; 1201室 is 1201; the building"
            " field, or blank, the building the room names (IMP-3); never shown'",
        ),
    ),
    # v23: the waiting messages by their attempts, as SQLite's v24: a claim with a
    # retry limit (every delivery pass) reads the range of messages still tried and
    # never the dead letters kept, which it walked in id order (review s50O F01);
    # the counts per channel read the index alone where the table's visibility map
    # allows; the check for claims held too long reads those claimed past the limit
    # (outbox_claimed), not every message waiting.
    (
        23,
        "a delivery pass reads no dead letter",
        (
            "CREATE INDEX IF NOT EXISTS outbox_live ON {s}.outbox"
            " (tenant, attempts, id, notifier) WHERE delivered_at IS NULL AND dropped_at IS NULL",
            "CREATE INDEX IF NOT EXISTS outbox_claimed ON {s}.outbox (tenant, claimed_until)"
            " WHERE delivered_at IS NULL AND dropped_at IS NULL AND claimed_until IS NOT NULL",
        ),
    ),
    # v24: buildings and rooms read in more of the forms they are typed in, as SQLite's
    # v25: Chinese numerals (三号楼 is building 3), leading zeros (03栋 is 3, 0101 is
    # 101), a floor before its flat (3号楼5楼502 is 3-502), an English room word
    # (Rm3-1202 is 3-1202) and several rooms in one value (1202、1201 is 1201/1202)
    # (core.concentration.room_match, building_key; IMP-3, GRD-2, HDL-5; review s51B).
    # The key fix (_REKEYED) makes again every tenant's building, complainant and room
    # keys that change.  The column's comment says so.
    (
        24,
        "buildings and rooms keyed through Chinese numerals, leading zeros and floors",
        (
            "COMMENT ON COLUMN {s}.projection.room_key IS"
            " 'sixteen hex digits of sha256 of the room, read in any address form and"
            " by the level each group names: building, unit; 1201室 is 1201; the building"
            " field, or blank, the building the room names; 三号楼 is 3, 03 is 3, a floor"
            " left out (IMP-3); never shown'",
        ),
    ),
    # v25: the waiting messages by their attempts and then their retry time, as
    # SQLite's v26: a delivery pass's claim takes the due messages by the time each
    # became due (a retry at its retry time, a never-tried message at the time it
    # was queued), one range of each number of attempts below the limit, and still
    # reads no dead letter; taking the fewest attempts first (v23) left a retry
    # behind every newer message as long as more came than a pass took (review
    # s51R3 F01).
    (
        25,
        "a claim takes the due messages by the time each became due",
        (
            "CREATE INDEX IF NOT EXISTS outbox_due ON {s}.outbox"
            " (tenant, attempts, next_attempt_at, id, notifier)"
            " WHERE delivered_at IS NULL AND dropped_at IS NULL",
        ),
    ),
    # v26: the time each outbox message's wait counts from, in the desk's time, as
    # SQLite's v27: its queueing, its last failed attempt or its retry by hand, so
    # verify names a message due later than any retry of the desk puts it (moved
    # by hand, never sent; review s51C F03).  The messages neither tried nor retried
    # get their queueing time; the others, whose last attempt was not kept, none.
    # With it ``waits_at``, the attempts the message had then: a failed attempt by a
    # process of the previous release still running (which bumps ``attempts`` only)
    # leaves the time behind, and the message is not judged (review s51R12 F01).
    # The fill (_fill_v26) walks the tenants as v19 lets them: one UPDATE with no
    # tenant set, run by the tables' owner (bound by FORCE ROW LEVEL SECURITY), saw
    # no row (review s51R16 F01).  Columns of outbox: no new grant.
    (
        26,
        "the time each outbox message's wait counts from",
        (
            "ALTER TABLE {s}.outbox ADD COLUMN IF NOT EXISTS waits_from timestamptz",
            "ALTER TABLE {s}.outbox ADD COLUMN IF NOT EXISTS waits_at integer",
        ),
    ),
    # v27: rooms read as review s51R20 to s52K read them, as SQLite's v28: a space
    # between two digits keeps flats apart and beside a letter is left out, 层 and an
    # F name a floor, 房, 号房 and 房间 end a flat, a lettered flat holds its floor, a
    # room led by its floor is read below a one-group building field (3栋 and 5层3号
    # are 3栋5层3号), and a floor after a dashed building keeps the building
    # (3-5F-502 is 3-502) (core.concentration.room_match, room_place; IMP-3, GRD-2,
    # HDL-5).  The key fix (_REKEYED) makes again every tenant's building,
    # complainant and room keys that change.
    (27, "rooms keyed through spaces, floors written 层 or F, and floor-led rooms", ()),
    # v28: the access log by staff member, in the order it is listed, as SQLite's
    # v29: the views of one person (``access_log(actor=...)``, ``audit --actor``)
    # read that person's records, not every record of the tenant filtered on the
    # actor (review s53R7 F01).  An index of access_log: no new grant.
    (
        28,
        "the access log by staff member",
        ("CREATE INDEX IF NOT EXISTS access_log_actor ON {s}.access_log (tenant, actor, at, id)",),
    ),
)
"""``(version, description, statements)``; ``{s}`` is the schema.

Each version is applied in one transaction and recorded in
``<schema>.schema_migrations``.  Never edit a released entry: add a version.
"""


def _every_tenant(conn: psycopg.Connection[Any], schema: str) -> list[str]:
    """Every tenant of the schema, for a fill that walks them one by one.  Once v19
    gives ``tenants`` row-level security, the migrating role sees them all only
    while the counting flag is on (for this transaction), as ``keeps_tenants()``
    does: a fill run again after v19 (an upgrade re-applied) still finds them."""
    conn.execute(f"SELECT set_config('{_COUNTING_SETTING}', 'on', true)")
    rows = conn.execute(f"SELECT tenant FROM {schema}.tenants ORDER BY tenant").fetchall()
    conn.execute(f"SELECT set_config('{_COUNTING_SETTING}', '', true)")
    return [str(r[0]) for r in rows]


def _each_tenant_set(conn: psycopg.Connection[Any], schema: str) -> Iterator[str]:
    """Every tenant of the schema, each set as the transaction's tenant while the
    caller works on it: row-level security binds the tables' owner too, so a fill
    sees and changes one tenant's rows at a time."""
    for tenant in _every_tenant(conn, schema):
        conn.execute(f"SELECT set_config('{_TENANT_SETTING}', %s, true)", (tenant,))
        yield tenant


def _intakes_by_tenant(
    conn: psycopg.Connection[Any], schema: str
) -> Iterator[tuple[str, list[tuple[str, str, tuple[str, str, str]]]]]:
    """Each tenant with its projected complaints' ``(id, intake_json, (building,
    complainant_key, room_key))``, the keys as the row holds them.

    Row-level security shows a connection one tenant's rows, so each tenant is
    set for the transaction in turn.
    """
    for tenant in _each_tenant_set(conn, schema):
        rows = conn.execute(
            f"SELECT c.id, c.intake_json, p.building, p.complainant_key, p.room_key"
            f" FROM {schema}.complaints AS c"
            f" JOIN {schema}.projection AS p ON p.tenant = c.tenant AND p.id = c.id"
            " WHERE c.tenant = %s",
            (tenant,),
        ).fetchall()
        yield (
            tenant,
            [(str(cid), str(text), (str(b), str(ck), str(rk))) for cid, text, b, ck, rk in rows],
        )


def _fill_v3(conn: psycopg.Connection[Any], schema: str) -> None:
    """Give rows stored before v3 their room key (from the intake), tenant by tenant."""
    for tenant, intakes in _intakes_by_tenant(conn, schema):
        updates = [
            (keys[1], tenant, cid)
            for cid, text, _held in intakes
            if (keys := stored_keys(text)) and keys[1]
        ]
        if updates:
            with conn.cursor() as cur:
                cur.executemany(
                    f"UPDATE {schema}.projection SET room_key = %s WHERE tenant = %s AND id = %s",
                    updates,
                )


def _fill_keys(conn: psycopg.Connection[Any], schema: str) -> None:
    """Make every row's complainant and room keys again from its intake, tenant by
    tenant, writing the rows whose keys change (v8: sixteen digits long).  Run
    again, it finds nothing to write."""
    _remake_keys(conn, schema, building=False)


_REKEYED = (18, 20, 21, 22, 24, 27)
"""Versions whose data fix makes every row's keys again from its intake with the
keys as this release reads them (v18: rooms in any address form; v20: buildings
in any form; v21: a room's levels; v22: a room's end word, 第 and Block before its
building, the room's building for a blank building field; v24: Chinese numerals,
leading zeros, floors, English room words, several rooms in one value; v27:
spaces between digits, 层 and F floors, 房 end words, lettered flats, a floor-led
room below its building field, a floor after a dashed building).  The keys come out the
same whichever of them makes them, so an upgrade reads every intake once, at the
last of them up to its target, not once each.  Each version is its own
transaction: that last one makes the building key too, so an upgrade cut short
after v20 (its fix left to a later one) still gets it."""


def _remake_keys(conn: psycopg.Connection[Any], schema: str, *, building: bool) -> None:
    """The rows' keys made from their intakes, the building's too if ``building``,
    written where they differ from the row's, tenant by tenant."""
    for tenant, intakes in _intakes_by_tenant(conn, schema):
        updates = []
        for cid, text, held in intakes:
            keys = stored_place_keys(text)
            if keys is None:  # a malformed record: verify() reports it
                continue
            if not building:
                keys = (held[0], *keys[1:])
            if keys != held:
                updates.append((*keys, tenant, cid))
        if updates:
            with conn.cursor() as cur:
                cur.executemany(
                    f"UPDATE {schema}.projection SET building = %s, complainant_key = %s,"
                    " room_key = %s WHERE tenant = %s AND id = %s",
                    updates,
                )


def _fill_v26(conn: psycopg.Connection[Any], schema: str) -> None:
    """Give the messages neither tried nor retried their queueing time as the time
    their wait counts from, tenant by tenant (review s51R16 F01); run again, it
    finds nothing to write."""
    for tenant in _each_tenant_set(conn, schema):
        conn.execute(
            f"UPDATE {schema}.outbox SET waits_from = created_at, waits_at = 0"
            " WHERE tenant = %s AND waits_from IS NULL AND attempts = 0"
            " AND next_attempt_at IS NULL AND delivered_at IS NULL",
            (tenant,),
        )


def _fill_v14(conn: psycopg.Connection[Any], schema: str) -> None:
    """Make each stored building its key, tenant by tenant, from the column itself
    (the key of a spelling without its surrounding spaces is the spelling's): one
    update per spelling that changes, most being their own key already."""
    for tenant in _each_tenant_set(conn, schema):
        spellings = conn.execute(
            f"SELECT DISTINCT building FROM {schema}.projection WHERE tenant = %s", (tenant,)
        ).fetchall()
        updates = [(key, tenant, b) for (b,) in spellings if (key := building_key(str(b))) != b]
        if updates:
            with conn.cursor() as cur:
                cur.executemany(
                    f"UPDATE {schema}.projection SET building = %s"
                    " WHERE tenant = %s AND building = %s",
                    updates,
                )


SCHEMA_VERSION = MIGRATIONS[-1][0]


def _split_schema(dsn: str) -> tuple[str, str | None]:
    """Take complaintcore's own ``schema`` query parameter out of a URL (libpq knows none)."""
    parts = urlsplit(dsn)
    query = parse_qsl(parts.query, keep_blank_values=True)
    schemas = [v for k, v in query if k == "schema"]
    if not schemas:
        return dsn, None
    rest = urlencode([(k, v) for k, v in query if k != "schema"], quote_via=quote)
    # Rebuilt by hand: urlunsplit drops the "//" of an empty host (a unix socket,
    # postgresql:///db?host=/run/postgresql), which libpq then refuses
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    url = f"{parts.scheme}://{parts.netloc}{parts.path}" + (f"?{rest}" if rest else "")
    return url + fragment, schemas[-1]


def describe_dsn(dsn: str) -> str:
    """The DSN as errors and logs may show it: host, port and database, no credentials."""
    return describe_database(dsn)


_SQLSTATE_CLASSES = {
    "08": "cannot be reached (is the server running, and the host and port right?)",
    "28": "refused the login (wrong user or password)",
    "3D": "does not exist (wrong database name?)",
    "42501": "refused the operation: the database role lacks a privilege",
    "53": "is out of resources (disk full, memory, or too many connections)",
    "57": "is shutting down or cancelled the operation; try again",
    "57P03": (
        "is starting up, shutting down or recovering and accepts no connections now; try again"
    ),
    "40": "rolled the transaction back (serialization failure or deadlock); try again",
    "55P03": (
        "is locked by another writer and stayed locked past the timeout; try again (lock_timeout)"
    ),
    "23": "refused a change that would break its integrity (REC-5)",
    "0A000": "refused the operation as not supported for this database role or server (0A000)",
}
_TRANSIENT = frozenset({"08", "40", "53", "55P03", "57"})
"""SQLSTATEs and classes of a failure that can pass by itself (the server unreachable
or restarting, a deadlock, out of resources, a lock timeout): ``StoreError.transient``
(review s47F F05)."""
_LOST = (
    "lost the connection during the operation (a restart, a failover, or its session"
    " was ended); try again"
)
"""A connection that was open failed: not a server to look for (the words for that
are the connect-time ones, SQLSTATE class 08)."""
_ENDED = frozenset({"57P01", "57P02", "57P03", "57P05", "25P03"})
"""The server ended an open connection's session (an operator's
``pg_terminate_backend``, a shutdown, a crash of another backend, the session idle
past ``idle_session_timeout`` or idle in a transaction past
``idle_in_transaction_session_timeout``): a lost connection, not the class-57 words,
which stay for a cancelled statement (57014), nor a bare "failed (25P03)"
(review s45C F03, s52R5 F02)."""
# libpq's words for a refused login; it gives no SQLSTATE before the session starts
_LOGIN_REFUSED = re.compile(
    r"authentication failed|no pg_hba\.conf entry|pg_hba\.conf rejects"
    r'|role "[^"]*" does not exist|no password supplied|is not permitted to log in'
)
# ... and for a full connection limit (53300: max_connections, a role's or a
# database's CONNECTION LIMIT), and for a server starting up, stopping or
# recovering (57P03); a server whose lc_messages is not English words them
# otherwise, and they stay "cannot be reached" (review s52R5 F01)
_REFUSED_AT_LOGIN = (
    (
        re.compile(
            r"too many clients already|remaining connection slots are reserved"
            r"|too many connections for (role|database)"
        ),
        "53300",
    ),
    (
        re.compile(
            r"the database system is (starting up|shutting down|in recovery mode"
            r"|not yet accepting connections|not accepting connections)"
        ),
        "57P03",
    ),
)


GROUP_LOCK_WAIT = 10.0
"""Seconds intake waits for a group's lock (HDL-5) before it groups unlocked."""

_GROUP_LOCK_BUSY = (
    f"the group's lock stayed taken for {GROUP_LOCK_WAIT:g} s (another desk receiving"
    " the same building's complaints): grouped without it, repaired after commit"
)


def _store_error(
    where: str, exc: psycopg.Error | PoolTimeout, *, connected: bool = True
) -> StoreError:
    """One line naming the database and what went wrong; no statement, no stored value.

    ``connected``: the failure came on a connection that was open (a statement,
    a commit), so one without a SQLSTATE is a lost connection, not an
    unreachable server.
    """
    if isinstance(exc, PoolTimeout):
        return StoreError(
            where, "no connection became free in time (server down or overloaded)", transient=True
        )
    state = getattr(exc, "sqlstate", None) or ""
    text = str(exc)
    if not state:  # a failure to connect carries the server's words only
        if _LOGIN_REFUSED.search(text):  # a wrong password, or a user it does not know
            state = "28000"
        elif "does not exist" in text and 'database "' in text:
            state = "3D000"
        elif refused := next((s for words, s in _REFUSED_AT_LOGIN if words.search(text)), ""):
            state = refused
        elif isinstance(exc, psycopg.OperationalError):
            if connected:
                return ConnectionLostError(where, _LOST)
            state = "08000"
    if connected and state in _ENDED:
        return ConnectionLostError(where, _LOST)
    reason = _SQLSTATE_CLASSES.get(state) or _SQLSTATE_CLASSES.get(state[:2])
    transient = state in _TRANSIENT or state[:2] in _TRANSIENT
    return StoreError(
        where, reason or f"failed ({state or type(exc).__name__})", transient=transient
    )


def _missing_schema(schema: str) -> str:
    """Why a desk's database is refused when its schema is missing (``create=False``)."""
    return (
        f"keeps no complaintcore schema {schema} (not restored yet, or a mistyped ?schema=);"
        " restore it, or set `database` to where it is"
        " (only `complaintcore init` creates a desk's database)"
    )


def _target(dsn: str, schema: str | None) -> tuple[str, str, str]:
    """The URL libpq reads, the schema, and the database as errors name it."""
    if not isinstance(dsn, str) or not is_postgres_url(dsn):
        raise InvalidInputError("dsn", "expected a postgresql:// connection string")
    try:
        dsn, in_url = _split_schema(postgres_dsn(dsn))
    except ValueError:  # urllib's words ("Invalid IPv6 URL"); the password stays out
        raise StoreError(describe_dsn(dsn), "is not a valid connection string") from None
    if schema is not None and in_url is not None and schema != in_url:
        raise InvalidInputError("schema", "differs from the schema in the URL")
    schema = schema or in_url or DEFAULT_SCHEMA
    if not isinstance(schema, str) or not _SCHEMA_NAME.fullmatch(schema):
        raise InvalidInputError("schema", "expected a lower-case SQL name (a-z, 0-9, _)")
    if schema.startswith("pg_"):  # PostgreSQL would refuse it, saying only 42939
        raise InvalidInputError("schema", "names starting with pg_ are reserved by PostgreSQL")
    where = describe_dsn(dsn) + ("" if schema == DEFAULT_SCHEMA else f"?schema={schema}")
    return dsn, schema, where


def _connect(dsn: str, where: str, timeout: float) -> psycopg.Connection[Any]:
    """One connection in autocommit; a failure is a one-line :class:`StoreError`."""
    try:
        conninfo_to_dict(dsn)
        return psycopg.connect(dsn, connect_timeout=max(1, int(timeout)), autocommit=True)
    except psycopg.Error as exc:
        if isinstance(exc, psycopg.ProgrammingError) or _unparsable(exc):
            # libpq's own words may quote the string, password and all
            raise StoreError(where, "is not a valid connection string") from None
        raise _store_error(where, exc, connected=False) from exc


def _unparsable(exc: psycopg.Error) -> bool:
    """libpq refused the connection string itself (a bad port, an unknown option)."""
    text = str(exc).strip()
    return not getattr(exc, "sqlstate", None) and (
        text.startswith("invalid") or "connection is bad: invalid" in text
    )


def _translated(
    method: Callable[Concatenate[PostgresStore, _P], _R],
) -> Callable[Concatenate[PostgresStore, _P], _R]:
    """Every driver failure of a public method becomes a one-line :class:`StoreError`;
    an argument no PostgreSQL text can hold (a NUL, a lone surrogate) an
    :class:`InvalidInputError` naming it, not a database failure.  The lookups
    answer a NUL as SQLite does, as matching nothing (see :func:`_holds_nul`)."""

    @functools.wraps(method)
    def guarded(self: PostgresStore, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return method(self, *args, **kwargs)
        except psycopg.DataError as exc:
            if "NUL" in str(exc):  # psycopg refuses it before the server sees it
                raise InvalidInputError(
                    argument_holding(method, args, kwargs, "\x00"),
                    "contains a NUL character, which no PostgreSQL text can hold",
                ) from None
            raise _store_error(self._where, exc) from exc
        except (psycopg.Error, PoolTimeout) as exc:
            raise _store_error(self._where, exc) from exc
        except UnicodeEncodeError:  # a lone surrogate in an argument: no UTF-8 holds it
            raise InvalidInputError(
                argument_holding(method, args, kwargs, "surrogate"),
                "contains a lone surrogate, which no UTF-8 text can hold",
            ) from None

    return guarded


def _holds_nul(*values: object) -> bool:
    """Whether a lookup's text holds a NUL.  No stored text does (what is written is
    checked first), so such an id or filter matches nothing: the lookup answers as
    on SQLite (not found, no rows) instead of handing psycopg what it refuses (an id
    taken from a URL, ``/complaints/C-1%00``; review s40A F01)."""
    return any(isinstance(v, str) and "\x00" in v for v in values)


@attrs.frozen
class _Prepared:
    """A complaint encoded for insertion, checked before any connection is taken."""

    complaint: Complaint
    key: str
    events: list[StoredEvent]
    entries: list[tuple[str, Notification]]
    intake_json: str
    row: dict[str, Any]
    created_at: datetime
    held: ListenerHold | None = None
    """Its messages queued held for the listeners (``ListenerHoldStore``)."""

    @property
    def created_text(self) -> str:
        """``created_at`` as the ledger keeps it (:func:`to_utc_text`'s form).  Already
        in UTC, where a complaint received early on 1 January 1970 east of Greenwich
        falls in 1969, which :func:`to_utc_text` would refuse (review s31C F07)."""
        return self.created_at.isoformat(timespec="microseconds")


class PostgresStore(FailedAt):
    """A :class:`~complaintcore.desk.ports.ComplaintStore` on a PostgreSQL server.

    Safe to share between threads (a connection pool) and to open from any
    number of processes and hosts at once.  A forked child opens its own pool.

    :param dsn: a libpq connection URL, ``postgresql://user@host:5432/db``; leave the
        password out and let libpq read ``PGPASSWORD`` or ``~/.pgpass``.  A
        ``schema`` query parameter (``…/db?schema=acme``) picks the schema, so a
        ``database`` setting alone can say it.
    :param tenant: whose desk to open; one database keeps desks for any number
        of tenants, each confined to its own rows.
    :param create_tenant: start a desk for ``tenant`` in a database that keeps
        other tenants' desks but not this one (refused otherwise: most likely the
        wrong database).  An empty database takes its first tenant without asking.
    :param schema: the PostgreSQL schema holding the tables (created if missing,
        unless ``create`` is false); ``"complaintcore"`` unless given here or in
        the URL.
    :param pool_size: connections kept at most; one per thread that uses the
        store at the same moment is plenty.  Intake's group locks (HDL-5) use
        up to as many again, each only while a group is received.
    :param timeout: seconds to wait for the server, a free connection, or a lock
        another session holds (``lock_timeout``: then a :class:`StoreError`
        saying it stayed locked; try again).
    :param create: make the schema (and migrate it) when it does not exist, as
        for a new desk.  A desk that already exists passes ``False``: a schema
        that has gone (a restore not run yet, a mistyped ``?schema=``) is then a
        :class:`StoreError`, never a new empty desk.
    :param clock: the clock outbox claims are kept on (aware datetimes); default:
        the server's (``statement_timestamp()``), which every host that uses the
        database shares, however far off its own clock is.  Tests pass one.
    :raises StoreError: the server cannot be reached, refuses the login, the
        database does not exist, or the schema does not and ``create`` is false
        (one line, no password).
    :raises SchemaVersionError: the schema was migrated by a newer complaintcore,
        or is older and this role may not migrate it (its owner must).
    :raises UnknownTenantError: the database keeps other tenants' desks, not this one.
    """

    def __init__(
        self,
        dsn: str,
        *,
        tenant: str = DEFAULT_TENANT,
        create_tenant: bool = False,
        schema: str | None = None,
        pool_size: int = 5,
        timeout: float = 30.0,
        create: bool = True,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._tenant = check_tenant(tenant)
        self._clock = clock
        dsn, schema, self._where = _target(dsn, schema)
        self._dsn = dsn
        self._schema = schema
        self._pool_size = max(1, int(pool_size))
        # the group locks' own connections, at most as many as the pool's (HDL-5)
        self._group_slots = threading.BoundedSemaphore(self._pool_size)
        self._timeout = float(timeout)
        self._create = bool(create)
        self._lock = threading.Lock()
        self._pool: ConnectionPool[psycopg.Connection[Any]] | None = None
        self._pinned = threading.local()  # the connection of this thread's snapshot
        self._pid = os.getpid()
        self._closed = False
        self._sql = _Statements(schema)
        self._copies: bool | None = None  # whether bulk intake may COPY, asked once
        self._registered = False
        conn = _connect(dsn, self._where, self._timeout)
        try:
            with conn:
                if not self._create and _applied(conn, schema) == 0:
                    # a desk set up already: its schema gone is an error, never a new one
                    raise StoreError(self._where, _missing_schema(schema))
                migrate(conn, schema, database=self._where, command_url=_command_url(dsn, schema))
                self._registered = self._register_tenant(conn, create_tenant)
        except psycopg.Error as exc:
            raise _store_error(self._where, exc, connected=True) from exc

    # ------------------------------------------------------------------ connections

    def _register_tenant(self, conn: psycopg.Connection[Any], create: bool) -> bool:
        """Register the tenant unless the database knows it; whether this did."""
        s = self._schema
        # row-level security shows (and lets insert) the connection's own tenant only
        conn.execute(f"SELECT set_config('{_TENANT_SETTING}', %s, false)", (self._tenant,))
        known = f"SELECT 1 FROM {s}.tenants WHERE tenant = %s"
        if conn.execute(known, (self._tenant,)).fetchone():
            return False
        with conn.transaction():  # one registration at a time: "is it empty?" stays true
            conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"complaintcore.{s}",))
            if conn.execute(known, (self._tenant,)).fetchone():
                return False
            # whether it keeps any tenant, never which (migration 19)
            if not create and conn.execute(f"SELECT {s}.keeps_tenants()").fetchone() == (True,):
                raise UnknownTenantError(self._where, self._tenant)
            conn.execute(f"INSERT INTO {s}.tenants (tenant) VALUES (%s)", (self._tenant,))
        return True

    def _configure(self, conn: psycopg.Connection[Any]) -> None:
        conn.execute("SELECT set_config('TimeZone', 'UTC', false)")
        # a row or lock another session holds (a stuck process, an open psql
        # transaction) fails a write after ``timeout``, as SQLite's busy timeout
        # does, instead of waiting without end
        wait = f"{max(1, int(self._timeout * 1000))}ms"
        conn.execute("SELECT set_config('lock_timeout', %s, false)", (wait,))
        conn.execute(f"SELECT set_config('{_TENANT_SETTING}', %s, false)", (self._tenant,))

    def _after_fork(self) -> None:
        """In a forked child, the parent's pool, lock and group-lock slots stay the
        parent's (threads that held them are not in the child): start afresh."""
        if os.getpid() != self._pid:
            self._pid = os.getpid()
            self._lock = threading.Lock()
            self._pool = None
            self._group_slots = threading.BoundedSemaphore(self._pool_size)

    def _connections(self) -> ConnectionPool[psycopg.Connection[Any]]:
        if self._closed:
            raise ClosedError("store")
        if getattr(self._pinned, "conn", None) is not None:  # reads take _reading()
            raise InvalidInputError("store", _IN_SNAPSHOT)
        self._after_fork()
        with self._lock:
            if self._pool is None:
                self._pool = ConnectionPool(
                    self._dsn,
                    min_size=1,
                    max_size=self._pool_size,
                    kwargs={
                        "autocommit": True,
                        "connect_timeout": max(1, int(self._timeout)),
                        "application_name": "complaintcore",
                    },
                    configure=self._configure,
                    # a connection the server dropped (restart, failover, idle
                    # timeout) is replaced when taken, not reported as an error
                    check=ConnectionPool.check_connection,
                    timeout=self._timeout,
                    open=True,
                    name=f"complaintcore-{self._tenant}",
                )
            return self._pool

    @contextmanager
    def _reading(self) -> Iterator[psycopg.Connection[Any]]:
        """A pooled connection for reads, or the one of this thread's :meth:`snapshot`."""
        pinned: psycopg.Connection[Any] | None = getattr(self._pinned, "conn", None)
        if pinned is not None:
            if self._closed:
                raise ClosedError("store")
            yield pinned
            return
        with self._connections().connection() as conn:
            yield conn

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """One ``REPEATABLE READ READ ONLY`` transaction around every read of this
        thread until the block ends (:class:`~complaintcore.desk.ports.SnapshotStore`):
        ``Desk.verify`` compares the ledger, the histories and the rows as of one
        moment.  It holds one pooled connection; writers elsewhere go on."""
        if getattr(self._pinned, "conn", None) is not None:
            yield  # nested: the outer one holds
            return
        try:
            with self._connections().connection() as conn, conn.transaction():
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                # the snapshot is taken at the first statement: take it now
                conn.execute("SELECT 1").fetchone()
                self._pinned.conn = conn
                try:
                    yield
                finally:
                    self._pinned.conn = None
        except (psycopg.Error, PoolTimeout) as exc:
            raise _store_error(self._where, exc) from exc

    @contextmanager
    def group_lock(self, keys: Collection[str]) -> Iterator[None]:
        """Session advisory locks on the groups ``keys`` (HDL-5, HDL-6), in sorted
        order, on a connection of their own (:class:`~complaintcore.desk.ports.GroupLockStore`).

        Not a pooled one: the holder writes through the pool meanwhile, and a
        pool of one would wait on itself; at most ``pool_size`` of them at once.
        Waiting for a free one, or for another desk's lock, lasts at most
        :data:`GROUP_LOCK_WAIT` seconds (a desk whose listener hangs inside its
        lock holds nobody else up for longer): then a :class:`StoreError`, and
        the desk groups unlocked, repaired after commit.  The locks go with the
        connection if the process dies."""
        if self._closed:
            raise ClosedError("store")
        self._after_fork()
        names = sorted({f"complaintcore.{self._schema}.{self._tenant}.group.{k}" for k in keys})
        if not names:
            yield
            return
        if not self._group_slots.acquire(timeout=GROUP_LOCK_WAIT):
            raise StoreError(self._where, _GROUP_LOCK_BUSY)
        try:
            conn = _connect(self._dsn, self._where, self._timeout)
            try:
                try:
                    conn.execute(f"SET lock_timeout = '{int(GROUP_LOCK_WAIT * 1000)}ms'")
                    # one statement for a batch's many keys, taken in their sorted order
                    conn.execute(
                        "SELECT pg_advisory_lock(hashtext(n))"
                        " FROM unnest(%s::text[]) WITH ORDINALITY AS t(n, i) ORDER BY i",
                        (names,),
                    )
                except pg_errors.LockNotAvailable as exc:
                    raise StoreError(self._where, _GROUP_LOCK_BUSY) from exc
                except psycopg.Error as exc:
                    raise _store_error(self._where, exc) from exc
                yield
            finally:
                with contextlib.suppress(psycopg.Error):  # released now, not when noticed
                    conn.execute("SELECT pg_advisory_unlock_all()")
                conn.close()  # ends the session: its advisory locks go with it in any case
        finally:
            self._group_slots.release()

    def close(self) -> None:
        """Close the pool; the store cannot be used afterwards."""
        with self._lock:
            pool, self._pool = self._pool, None
            self._closed = True
        if pool is not None and os.getpid() == self._pid:
            pool.close()

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
        return f"PostgresStore({self._where!r}, tenant={self._tenant!r})"

    @property
    def tenant(self) -> str:
        return self._tenant

    @property
    def database(self) -> str:
        """Where the store is, without credentials (as errors name it)."""
        return self._where

    @property
    def schema(self) -> str:
        return self._schema

    @property
    def registered_tenant(self) -> bool:
        """Whether opening this store registered its tenant (the database did not know
        it) and :meth:`unregister_tenant` has not taken it out again."""
        return self._registered

    @_translated
    def unregister_tenant(self) -> bool:
        """Take the tenant this store registered out of the database again, if nothing
        of it was stored: a ``complaintcore init`` that fails half-way leaves the
        database as it found it, not listing a tenant without a desk.

        One transaction that locks the tenant's row first, so a write of the
        tenant waits for it and then finds no tenant (the foreign keys).  Returns
        whether it was removed; ``False``, changing nothing, when the tenant was
        known before this store opened (:attr:`registered_tenant`) or keeps any
        row: a complaint, event, projection row, outbox item, ledger entry or
        head, or access record.

        :raises StoreError: the database refused, such as a role without
            ``DELETE`` on ``tenants`` (the tenant stays registered).
        """
        if not self._registered:
            return False
        s, t = self._schema, self._tenant
        with self._connections().connection() as conn, conn.transaction():
            # the pool's connections see their own tenant's rows (row-level security)
            if not conn.execute(
                f"SELECT 1 FROM {s}.tenants WHERE tenant = %s FOR UPDATE", (t,)
            ).fetchone():
                self._registered = False
                return False
            for table in _TENANT_TABLES:
                if conn.execute(
                    f"SELECT 1 FROM {s}.{table} WHERE tenant = %s LIMIT 1", (t,)
                ).fetchone():
                    return False
            conn.execute(f"DELETE FROM {s}.tenants WHERE tenant = %s", (t,))
        self._registered = False
        return True

    def for_tenant(self, tenant: str, *, create_tenant: bool = False) -> PostgresStore:
        """Another tenant's store on the same database (its own pool)."""
        return PostgresStore(
            self._dsn,
            tenant=tenant,
            create_tenant=create_tenant,
            schema=self._schema,
            pool_size=self._pool_size,
            timeout=self._timeout,
            create=self._create,
        )

    @property
    @_translated
    def schema_version(self) -> int:
        with self._reading() as conn:
            return _applied(conn, self._schema)

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
        nothing, even when desks on two hosts submit it at the same moment (the
        key is ``UNIQUE`` per tenant; the second insert waits for the first and
        then finds it).  ``held``: its messages are queued claimed for the hold
        on the server's clock (the one claims are kept on), marked with it
        (:class:`~complaintcore.desk.ports.ListenerHoldStore`).

        :raises InvalidInputError: a complaint with this id already exists, or
            ``row`` does not belong to ``complaint``.
        """
        p = _prepare(complaint, row, outbox, held)
        with self._connections().connection() as conn:
            result = self._create_one(conn, p)
        if isinstance(result, ComplaintCoreError):
            raise result
        return result

    @_translated
    def create_many(
        self,
        items: Sequence[tuple[Complaint, ComplaintRow, Sequence[tuple[str, Notification]]]],
        *,
        whole: bool = False,
        held: ListenerHold | None = None,
    ) -> list[Complaint | ComplaintCoreError | None]:
        """Store many new complaints in one transaction, each all or nothing.

        New complaints go in with a few pipelined statements for the whole
        batch.  If any id or key is known already (or repeated in the batch), or
        another desk stores one of them meanwhile, the batch is written one
        complaint at a time instead, each refused one reported in its slot.
        ``whole``: nothing is written unless every item is stored as itself (see
        ``BatchComplaintStore``); the check is the one made anyway.
        ``held``: as for :meth:`create`.
        """
        prepared: list[_Prepared | ComplaintCoreError] = []
        for complaint, row, outbox in items:
            try:
                prepared.append(_prepare(complaint, row, outbox, held))
            except ComplaintCoreError as exc:
                prepared.append(exc)
        todo = [p for p in prepared if isinstance(p, _Prepared)]
        with self._connections().connection() as conn:
            if whole:
                return self._create_whole(conn, prepared)
            if todo and self._fresh(conn, todo):
                try:
                    with conn.transaction():
                        self._insert_all(conn, todo)
                    return [
                        p if isinstance(p, ComplaintCoreError) else p.complaint for p in prepared
                    ]
                except pg_errors.UniqueViolation:
                    pass  # someone stored one of them meanwhile: one at a time
            return [
                p if isinstance(p, ComplaintCoreError) else self._create_one(conn, p)
                for p in prepared
            ]

    def _create_whole(
        self, conn: psycopg.Connection[Any], prepared: Sequence[_Prepared | ComplaintCoreError]
    ) -> list[Complaint | ComplaintCoreError | None]:
        """``create_many(whole=True)``: the batch in one transaction, or nothing and
        the answers of the items that would not be stored as themselves.  A key
        given twice is answered by its first item."""
        firsts: dict[str, _Prepared] = {}
        for attempt in range(_WHOLE_ATTEMPTS):
            refused: dict[int, Complaint | ComplaintCoreError] = {}
            todo: list[_Prepared] = []
            ids: set[str] = set()
            firsts.clear()
            good = [p for p in prepared if isinstance(p, _Prepared)]
            known = conn.execute(
                f"SELECT id, idempotency_key FROM {self._schema}.complaints WHERE tenant = %s"
                " AND (id = ANY(%s) OR idempotency_key = ANY(%s))",
                (self._tenant, [p.complaint.id for p in good], [p.key for p in good if p.key]),
            ).fetchall()
            known_ids = {r[0] for r in known}
            known_keys = {r[1] for r in known if r[1]}
            for i, p in enumerate(prepared):
                if isinstance(p, ComplaintCoreError):
                    refused[i] = p
                elif (
                    p.key
                    and p.key in known_keys
                    and (found := self._load_by(conn, "idempotency_key", p.key))
                ):
                    refused[i] = found  # (not found: the insert's conflict asks again)
                elif p.key and p.key in firsts:
                    continue  # answered by its first item
                elif p.complaint.id in known_ids or p.complaint.id in ids:
                    refused[i] = DuplicateIdError()
                else:
                    ids.add(p.complaint.id)
                    todo.append(p)
                    if p.key:
                        firsts[p.key] = p
            if refused:  # the others are drafted again by the caller: nothing is written
                return [refused.get(i) for i in range(len(prepared))]
            try:
                with conn.transaction():
                    if todo:
                        self._insert_all(conn, todo)
            except pg_errors.UniqueViolation:
                if attempt + 1 == _WHOLE_ATTEMPTS:
                    raise  # (a StoreError) nothing was written
                continue  # stored meanwhile: asked again, and answered
            return [
                p
                if isinstance(p, ComplaintCoreError)
                else (firsts[p.key].complaint if p.key else p.complaint)
                for p in prepared
            ]
        raise AssertionError("unreachable")  # the last attempt returns or raises

    def _fresh(self, conn: psycopg.Connection[Any], todo: Sequence[_Prepared]) -> bool:
        """No id or key of the batch is stored already, nor repeated in it."""
        ids = [p.complaint.id for p in todo]
        keys = [p.key for p in todo if p.key]
        if len(set(ids)) != len(ids) or len(set(keys)) != len(keys):
            return False
        found = conn.execute(
            f"SELECT 1 FROM {self._schema}.complaints WHERE tenant = %s"
            " AND (id = ANY(%s) OR idempotency_key = ANY(%s)) LIMIT 1",
            (self._tenant, ids, keys),
        ).fetchone()
        return found is None

    def _may_copy(self, conn: psycopg.Connection[Any]) -> bool:
        """Whether this role may ``COPY`` into the tables: PostgreSQL refuses ``COPY
        FROM`` where row-level security binds it (0A000), and it binds every role but
        a superuser and one with ``BYPASSRLS``, the owner included (``FORCE``).
        Asked once per store: its connections all log in as one role (review s45C F01)."""
        if self._copies is None:
            found = conn.execute(
                "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user"
            ).fetchone()
            self._copies = bool(found and found[0])
        return self._copies

    def _copy_rows(self, cur: psycopg.Cursor[Any], todo: Sequence[_Prepared]) -> None:
        """The batch's complaints, events and rows through ``COPY``: one round trip
        per table, for a role row-level security does not bind."""
        s, t = self._schema, self._tenant
        intakes = "tenant, id, idempotency_key, intake_json, created_at"
        with cur.copy(f"COPY {s}.complaints ({intakes}) FROM STDIN") as copy:
            for p in todo:
                copy.write_row((t, p.complaint.id, p.key or None, p.intake_json, p.created_at))
        with cur.copy(
            f"COPY {s}.events (tenant, complaint_id, seq, schema_version, kind, at, actor,"
            " body_json, prev_hash, hash) FROM STDIN"
        ) as copy:
            for p in todo:
                for e in p.events:
                    copy.write_row(_event_params(t, p.complaint.id, e))
        with cur.copy(f"COPY {s}.projection (tenant, {_ROW_COLUMNS}) FROM STDIN") as copy:
            for p in todo:
                copy.write_row((t, *(p.row[n] for n in _ROW_NAMES)))

    def _insert_rows(self, cur: psycopg.Cursor[Any], todo: Sequence[_Prepared]) -> None:
        """The batch's complaints, events and rows as pipelined ``INSERT``s (psycopg's
        ``executemany``), as ``import_desk`` writes: what a role under row-level
        security may do, the policies checking each row."""
        sql, t = self._sql, self._tenant
        cur.executemany(
            sql.insert_complaint,
            [(t, p.complaint.id, p.key or None, p.intake_json, p.created_at) for p in todo],
        )
        cur.executemany(
            sql.insert_event, [_event_params(t, p.complaint.id, e) for p in todo for e in p.events]
        )
        cur.executemany(sql.insert_row, [{**p.row, "tenant": t} for p in todo])

    def _insert_all(self, conn: psycopg.Connection[Any], todo: Sequence[_Prepared]) -> None:
        """A batch of new complaints in a few round trips (``COPY`` where the role may),
        then one ledger entry each (the tenant's ledger locked first)."""
        s, t = self._schema, self._tenant
        copies = self._may_copy(conn)
        ledger = _Ledger(conn, s, t)
        base = ledger.seq
        with conn.cursor() as cur:
            if copies:
                self._copy_rows(cur, todo)
            else:
                self._insert_rows(cur, todo)
            entries = [(base + i, n, x) for i, p in enumerate(todo, start=1) for n, x in p.entries]
            if entries:
                # ON CONFLICT keeps the first of a repeated dedupe key, as one at a time would
                held = {base + i: p.held for i, p in enumerate(todo, start=1)}
                clock = self._clock_value()
                cur.executemany(
                    self._sql.insert_outbox,
                    [_outbox_params(t, n, x, seq, held[seq], clock) for seq, n, x in entries],
                )
            queued: dict[int, list[OutboxRecord]] = {}
            if entries:
                for r in conn.execute(
                    f"SELECT {_OUTBOX_FIXED} FROM {s}.outbox WHERE tenant = %s"
                    " AND ledger_seq > %s AND ledger_seq <= %s ORDER BY ledger_seq, id",
                    (t, base, base + len(todo)),
                ):
                    record = _fixed(r)
                    queued.setdefault(int(record.ledger_seq or 0), []).append(record)
        for i, p in enumerate(todo, start=1):
            head = p.events[-1].hash if p.events else genesis_hash(p.intake_json)
            digest = outbox_digest(queued.get(base + i, []))
            created = p.created_text
            ledger.append(p.complaint.id, len(p.events), head, digest, p.key, created)
        ledger.save()

    def _create_one(
        self, conn: psycopg.Connection[Any], p: _Prepared
    ) -> Complaint | ComplaintCoreError:
        sql, t = self._sql, self._tenant
        with conn.transaction():
            ledger = _Ledger(conn, self._schema, t)
            inserted = conn.execute(
                sql.insert_complaint + " ON CONFLICT DO NOTHING RETURNING id",
                (t, p.complaint.id, p.key or None, p.intake_json, p.created_at),
            ).fetchone()
            if inserted is not None:
                seq = ledger.next_seq()
                with conn.cursor() as cur:
                    cur.executemany(
                        sql.insert_event, [_event_params(t, p.complaint.id, e) for e in p.events]
                    )
                    cur.execute(sql.insert_row, {**p.row, "tenant": t})
                    if p.entries:
                        cur.executemany(
                            sql.insert_outbox,
                            [
                                _outbox_params(t, n, x, seq, p.held, self._clock_value())
                                for n, x in p.entries
                            ],
                        )
                head = p.events[-1].hash if p.events else genesis_hash(p.intake_json)
                created = p.created_text
                ledger.commit(p.complaint.id, len(p.events), head, p.key, created)
                ledger.save()
                return p.complaint
        # Not inserted: the key (the first caller wins) or the id is known.
        if p.key:
            found = self._load_by(conn, "idempotency_key", p.key)
            if found is not None:
                return found
        return DuplicateIdError()

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

        The insert of those seqs is the version check: a desk on another host
        that appended first holds them, and the primary key refuses ours.  The
        projection row (its version checked too, for an append without events)
        and the outbox entries go in the same transaction; ``row.version`` is
        ignored.  ``held``: as for :meth:`create`.

        :raises ConcurrencyConflictError: the stored version is not ``expected_version``.
        :raises UnknownComplaintError: no complaint has this id.
        """
        check_row_id(row, complaint_id)
        new = check_events(events)
        entries = check_outbox(outbox)
        hold = check_listener_hold(held)
        bodies = [encode_event(ev) for ev in new]
        sql, t = self._sql, self._tenant
        with self._connections().connection() as conn:
            try:
                with conn.transaction():
                    ledger = _Ledger(conn, self._schema, t)
                    head = conn.execute(sql.head, (t, complaint_id)).fetchone()
                    if head is None:
                        raise UnknownComplaintError(complaint_id)
                    intake_json, key, last_seq, last_hash = head
                    version = int(last_seq or 0)
                    if version != expected_version:
                        raise ConcurrencyConflictError(complaint_id, expected_version, version)
                    prev = last_hash if last_seq else genesis_hash(intake_json)
                    stored = chain_events(
                        complaint_id, new, version=version, prev_hash=prev, bodies=bodies
                    )
                    with conn.cursor() as cur:
                        if stored:
                            cur.executemany(
                                sql.insert_event,
                                [_event_params(t, complaint_id, e) for e in stored],
                            )
                        params = _row_params(row, version + len(stored), key or "")
                        cur.execute(
                            sql.update_row, {**params, "tenant": t, "expected": expected_version}
                        )
                        if cur.rowcount != 1:
                            raise _Raced
                        if entries:
                            seq = ledger.next_seq()
                            cur.executemany(
                                sql.insert_outbox,
                                [
                                    _outbox_params(t, n, x, seq, hold, self._clock_value())
                                    for n, x in entries
                                ],
                            )
                    if stored or entries:
                        chain_head = stored[-1].hash if stored else prev
                        ledger.commit(complaint_id, version + len(stored), chain_head)
                        ledger.save()
            except (pg_errors.UniqueViolation, _Raced) as exc:
                if isinstance(exc, pg_errors.UniqueViolation) and (
                    exc.diag.constraint_name != "events_pkey"
                ):
                    raise
                found = conn.execute(sql.version, (t, complaint_id)).fetchone()
                actual = int(found[0]) if found and found[0] is not None else expected_version
                raise ConcurrencyConflictError(complaint_id, expected_version, actual) from None

    # ------------------------------------------------------------------ reads

    def _load_by(self, conn: psycopg.Connection[Any], column: str, value: str) -> Complaint | None:
        rows = conn.execute(self._sql.load_by[column], (self._tenant, value)).fetchall()
        if not rows:
            return None
        cid, intake_json = rows[0][0], rows[0][1]
        bodies = [(int(r[2]), r[3]) for r in rows if r[3] is not None]
        return decode_complaint(cid, intake_json, bodies)

    @_translated
    def load(self, complaint_id: str) -> Complaint:
        """The complaint rebuilt from its intake and events (one query).

        :raises UnknownComplaintError: no complaint of this tenant has this id.
        :raises InvalidInputError: ``complaint_id`` is not non-empty text (review s50F F01).
        """
        if _holds_nul(check_id(complaint_id)):
            raise UnknownComplaintError(complaint_id)
        with self._reading() as conn:
            found = self._load_by(conn, "id", complaint_id)
        if found is None:
            raise UnknownComplaintError(complaint_id)
        return found

    @_translated
    def complainants(self, complaint_ids: Sequence[str]) -> dict[str, Complainant]:
        """:class:`~complaintcore.desk.ports.ComplainantStore`: the stored intakes
        alone, in one statement (an id holding a NUL names no stored complaint)."""
        ids = [cid for cid in check_id_list(complaint_ids) if not _holds_nul(cid)]
        if not ids:
            return {}
        found: dict[str, Complainant] = {}
        with self._reading() as conn:
            for cid, intake_json in conn.execute(
                f"SELECT id, intake_json FROM {self._schema}.complaints"
                " WHERE tenant = %s AND id = ANY(%s)",
                (self._tenant, ids),
            ):
                stored = stored_complainant(intake_json)
                if stored is not None:
                    found[cid] = stored[0]
        return found

    @_translated
    def find_by_key(self, idempotency_key: str) -> Complaint | None:
        if not idempotency_key or _holds_nul(idempotency_key):
            return None
        with self._reading() as conn:
            return self._load_by(conn, "idempotency_key", idempotency_key)

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

        The filters are checked by :class:`~complaintcore.desk.ports.RowQuery`,
        the same checks the other stores make, so all give the same answer.
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
        if _holds_nul(site, department, category, handler, issue):
            return []
        sql, args = _rows_query(self._schema, self._tenant, q)
        with self._reading() as conn:
            return [_row_from(r) for r in _tolerant(conn).execute(sql, args).fetchall()]

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
        desk nor the open rows of the site's other buildings.
        """
        check_limit(limit)
        sql = (
            "SELECT id, received_at, complainant_key, issue, group_incident"
            f" FROM {self._schema}.projection WHERE tenant = %s AND status <> 'closed'"
            " AND site = %s AND category = %s AND received_at >= %s AND received_at <= %s"
        )
        args: list[Any] = [
            self._tenant,
            site,
            category,
            window_start(since, "since").astimezone(UTC),
            require_aware(until, "until"),
        ]
        if building is not None:
            sql += " AND building = %s"
            args.append(building)
        sql += " ORDER BY received_at, id"
        if limit is not None:
            sql += " LIMIT %s"
            args.append(limit)
        with self._reading() as conn:
            found = conn.execute(sql, args).fetchall()
        return [Member(r[0], r[1].astimezone(UTC), r[2], r[3], bool(r[4])) for r in found]

    @_translated
    def issue_rows(self, issue: str) -> list[ComplaintRow]:
        """HDL-5: every complaint linked to ``issue``, oldest first (index ``projection_issue``)."""
        if not isinstance(issue, str) or not issue:
            raise InvalidInputError("issue", "expected the id of a concentrated issue")
        sql = (
            f"SELECT {_ROW_COLUMNS} FROM {self._schema}.projection"
            " WHERE tenant = %s AND issue <> '' AND issue = %s ORDER BY received_at, id"
        )
        with self._reading() as conn:
            return [_row_from(r) for r in conn.execute(sql, (self._tenant, issue)).fetchall()]

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
        the cost follows the rows that match, not the size of the desk; a
        complaint two parts find is returned once, most recent first.
        """
        check_keys(
            site=site,
            complainant_key=complainant_key,
            room_key=room_key,
            building=building,
            category=category,
        )
        check_limit(limit)
        lo = window_start(since, "since").astimezone(UTC)
        hi = require_aware(until, "until")
        cap = "" if limit is None else " ORDER BY received_at DESC LIMIT %s"
        cols = _RELATED_COLUMNS
        table = f"{self._schema}.projection"
        parts: list[str] = []
        args: list[Any] = []
        tail: list[Any] = [] if limit is None else [limit]
        tenant = self._tenant
        if complainant_key:
            parts.append(
                f"(SELECT {cols} FROM {table} WHERE tenant = %s AND complainant_key <> ''"
                f" AND site = %s AND complainant_key = %s"
                f" AND received_at >= %s AND received_at <= %s{cap})"
            )
            args += [tenant, site, complainant_key, lo, hi, *tail]
        if room_key:
            parts.append(
                f"(SELECT {cols} FROM {table} WHERE tenant = %s AND room_key <> ''"
                f" AND site = %s AND room_key = %s"
                f" AND received_at >= %s AND received_at <= %s{cap})"
            )
            args += [tenant, site, room_key, lo, hi, *tail]
        if building and category and matter_since is not None:
            parts.append(
                f"(SELECT {cols} FROM {table} WHERE tenant = %s AND building <> ''"
                " AND site = %s AND building = %s AND category = %s"
                f" AND received_at >= %s AND received_at <= %s{cap})"
            )
            matter_lo = window_start(matter_since, "matter_since").astimezone(UTC)
            args += [tenant, site, building, category, matter_lo, hi, *tail]
        if not parts:
            return []
        with self._reading() as conn:
            found = conn.execute(" UNION ALL ".join(parts), args).fetchall()
        rows = {r[0]: r for r in found}  # a complaint found twice is kept once
        ordered = sorted(rows.values(), key=lambda r: (r[1], r[0]), reverse=True)
        return [Earlier(r[0], r[1].astimezone(UTC), *r[2:]) for r in ordered]

    @_translated
    def stored_keys(self, keys: Sequence[str]) -> set[str]:
        """Those of ``keys`` that name a stored complaint (bulk intake's retries), at once."""
        wanted = check_key_list(keys)
        if not wanted:
            return set()
        sql = (
            f"SELECT idempotency_key FROM {self._schema}.complaints"
            " WHERE tenant = %s AND idempotency_key = ANY(%s)"
        )
        with self._reading() as conn:
            return {r[0] for r in conn.execute(sql, (self._tenant, wanted))}

    @_translated
    def related_many(self, queries: Sequence[RelatedQuery]) -> list[list[Earlier]]:
        """IMP-3 for a bulk batch: :meth:`related` for each query, in order, one
        statement per kind of link (each query's part a lateral subquery, as alone)."""
        person: list[tuple[Any, ...]] = []
        room: list[tuple[Any, ...]] = []
        matter: list[tuple[Any, ...]] = []
        for k, q in enumerate(queries):
            check_related(q)
            lo, hi = window_start(q.since, "since").astimezone(UTC), require_aware(q.until, "until")
            if q.complainant_key:
                person.append((k, q.site, q.complainant_key, "", lo, hi, q.limit))
            if q.room_key:
                room.append((k, q.site, q.room_key, "", lo, hi, q.limit))
            if q.building and q.category and q.matter_since is not None:
                since_matter = window_start(q.matter_since, "matter_since").astimezone(UTC)
                matter.append((k, q.site, q.building, q.category, since_matter, hi, q.limit))
        found: list[dict[str, tuple[Any, ...]]] = [{} for _ in queries]
        cols = _RELATED_COLUMNS
        table = f"{self._schema}.projection"
        kinds = (
            (person, "complainant_key <> '' AND complainant_key = r.a"),
            (room, "room_key <> '' AND room_key = r.a"),
            (matter, "building <> '' AND building = r.a AND category = r.b"),
        )
        with self._reading() as conn:
            for requests, match in kinds:
                if not requests:
                    continue
                sql = (
                    f"SELECT r.k, p.* FROM unnest(%s::int[], %s::text[], %s::text[], %s::text[],"
                    " %s::timestamptz[], %s::timestamptz[], %s::bigint[])"
                    " AS r(k, site, a, b, lo, hi, cap) CROSS JOIN LATERAL ("
                    f"SELECT {cols} FROM {table} WHERE tenant = %s AND site = r.site AND {match}"
                    " AND received_at >= r.lo AND received_at <= r.hi"
                    " ORDER BY received_at DESC LIMIT r.cap) AS p"
                )
                columns = [list(c) for c in zip(*requests, strict=True)]
                for r in conn.execute(sql, [*columns, self._tenant]):
                    found[r[0]][r[1]] = r[1:]  # found by two kinds: kept once
        out = []
        for rows in found:
            ordered = sorted(rows.values(), key=lambda r: (r[1], r[0]), reverse=True)
            out.append([Earlier(r[0], r[1].astimezone(UTC), *r[2:]) for r in ordered])
        return out

    @_translated
    def raisings_many(self, queries: Sequence[RaisingsQuery]) -> list[int]:
        """GRD-2: for each query, in order, how many earlier complaints raised its
        matter (see :class:`~complaintcore.desk.ports.RaisingsStore`), at most its
        ``limit``: one statement, each query's count a lateral subquery whose parts
        walk their own partial index and stop at the limit."""
        requests: list[tuple[Any, ...]] = []
        for k, q in enumerate(queries):
            check_raisings(q)
            lo, hi = window_start(q.since, "since").astimezone(UTC), require_aware(q.until, "until")
            matter_lo = (
                None
                if not q.building or q.matter_since is None
                else window_start(q.matter_since, "matter_since").astimezone(UTC)
            )
            if q.complainant_key or q.room_key or matter_lo is not None:
                requests.append(
                    (k, q.site, q.category, lo, hi, q.complainant_key, q.room_key,
                     q.building, matter_lo, q.limit)
                )  # fmt: skip
        out = [0] * len(queries)
        if not requests:
            return out
        table = f"{self._schema}.projection"
        common = (
            "tenant = %s AND site = r.site AND category = r.category"
            " AND validity <> 'invalid' AND kind NOT IN ('request', 'enquiry')"
            " AND received_at <= r.hi"
        )
        sql = (
            "SELECT r.k, c.n FROM unnest(%s::int[], %s::text[], %s::text[], %s::timestamptz[],"
            " %s::timestamptz[], %s::text[], %s::text[], %s::text[], %s::timestamptz[],"
            " %s::bigint[]) AS r(k, site, category, lo, hi, person, room, building, mlo, cap)"
            " CROSS JOIN LATERAL (SELECT count(*) AS n FROM ("
            f"(SELECT id FROM {table} WHERE r.person <> '' AND {common}"
            " AND complainant_key <> '' AND complainant_key = r.person"
            " AND received_at >= r.lo LIMIT r.cap)"
            f" UNION (SELECT id FROM {table} WHERE r.room <> '' AND {common}"
            " AND room_key <> '' AND room_key = r.room"
            " AND received_at >= r.lo LIMIT r.cap)"
            f" UNION (SELECT id FROM {table} WHERE r.mlo IS NOT NULL AND {common}"
            " AND building <> '' AND building = r.building AND received_at >= r.mlo"
            " LIMIT r.cap)) AS u) AS c"
        )
        columns = [list(c) for c in zip(*requests, strict=True)]
        tenant = self._tenant
        with self._reading() as conn:
            for k, n in conn.execute(sql, [*columns, tenant, tenant, tenant]):
                limit = queries[k].limit
                out[k] = n if limit is None else min(n, limit)
        return out

    @_translated
    def open_similar_many(self, queries: Sequence[SimilarQuery]) -> list[list[Member]]:
        """HDL-5 for a bulk batch: :meth:`open_similar` for each query, in order, in
        one statement for the queries naming a building and one for those naming
        none (each query's part a lateral subquery, as alone: a condition on the
        building the planner cannot tell apart from none would keep it off the
        building's index; review s48C F01)."""
        requests: dict[bool, list[tuple[Any, ...]]] = {False: [], True: []}
        for k, q in enumerate(queries):
            check_limit(q.limit)
            lo, hi = window_start(q.since, "since").astimezone(UTC), require_aware(q.until, "until")
            requests[q.building is not None].append(
                (k, q.site, q.category, lo, hi, q.building, q.limit)
            )
        found: list[list[Member]] = [[] for _ in queries]
        with self._reading() as conn:
            for by_building, asked in requests.items():
                if not asked:
                    continue
                sql = self._sql.similar_many_by_building if by_building else self._sql.similar_many
                columns = [list(c) for c in zip(*asked, strict=True)]
                for r in conn.execute(sql, [*columns, self._tenant]):
                    found[r[0]].append(Member(r[1], r[2].astimezone(UTC), r[3], r[4], bool(r[5])))
        return found

    @_translated
    def claim_due(
        self, now: datetime, limit: int = 100, *, lease: timedelta = DEFAULT_LEASE
    ) -> list[ComplaintRow]:
        """Take rows due at ``now`` for one sweeper, soonest due first, equal due
        times by time received, then id: as SQLite, so both stores sweep (and
        queue messages) in one order.

        ``FOR UPDATE SKIP LOCKED`` picks rows no other sweeper is taking at this
        moment, and ``swept_until = now + lease`` hides them from later claims
        until the lease ends or the complaint's next append clears it.  A stored
        lease ending after :func:`~complaintcore.adapters.chain.latest_lease` was
        taken by no claim (an edit of the row) and is not honoured.
        """
        check_limit(limit)
        require_aware(now, "now")
        until = parse_utc(lease_end(now, check_sweep_lease(lease)))
        with self._connections().connection() as conn:
            found = conn.execute(
                self._sql.claim_due,
                {
                    "tenant": self._tenant,
                    "now": now,
                    "until": until,
                    "latest": latest_lease(now),
                    "limit": limit,
                },
            ).fetchall()
        rows = [_row_from(r) for r in found]
        rows.sort(key=lambda r: (r.next_due or r.received_at, r.received_at, r.id))
        return rows

    @_translated
    def release_due(self, complaint_ids: Sequence[str]) -> None:
        """Like :meth:`SqliteStore.release_due`: these complaints' sweep leases end, in
        one statement."""
        ids = [cid for cid in check_id_list(complaint_ids) if not _holds_nul(cid)]
        if not ids:
            return
        with self._connections().connection() as conn:
            conn.execute(
                f"UPDATE {self._schema}.projection SET swept_until = NULL"
                " WHERE tenant = %s AND id = ANY(%s) AND swept_until IS NOT NULL",
                (self._tenant, ids),
            )

    @_translated
    def overlong_leases(self, now: datetime) -> list[str]:
        """Ids of the complaints with a due time leased past ``now + MAX_SWEEP_LEASE``,
        in id order (``Desk.verify`` reports them); read through ``projection_due``."""
        with self._reading() as conn:
            found = conn.execute(
                self._sql.overlong_leases, (self._tenant, latest_lease(now))
            ).fetchall()
        return sorted(r[0] for r in found)

    @_translated
    def last_queued(self, after: int = 0) -> dict[str, datetime]:
        """The latest creation time of each complaint's messages, of the commits after
        ledger entry ``after`` (every message for 0; see
        :class:`~complaintcore.desk.ports.MessageTimesStore`); with ``after``, read
        through ``outbox_ledger``."""
        seq = check_after(after)
        with self._reading() as conn:
            if seq:
                found = conn.execute(self._sql.last_queued_after, (self._tenant, seq)).fetchall()
            else:
                found = conn.execute(self._sql.last_queued, (self._tenant,)).fetchall()
        return {str(cid): at for cid, at in found}

    def complaints(self) -> Iterator[Complaint]:
        """Every complaint of the tenant, in id order, 256 per query (flat memory).

        Each batch is one snapshot; complaints stored while the iteration runs
        may or may not be seen.
        """
        for cid, intake_json, _version, events in self._batches(with_chain=False):
            yield decode_complaint(
                cid, intake_json, [(e.schema_version, e.body_json) for e in events]
            )

    def complaints_received(
        self, since: datetime, until: datetime, *, updated_since: datetime | None = None
    ) -> Iterator[Complaint]:
        """Complaints received in ``[since, until)``, oldest first (ties by id), 256
        per query through ``projection_received``; with ``updated_since``, the few
        touched since are read by id (:meth:`_touched`), so a quiet month costs
        what happened in it, not the history received before it."""
        lo = require_aware(since, "since")
        hi = require_aware(until, "until")
        touched = None if updated_since is None else require_aware(updated_since, "updated_since")
        few = None if touched is None else self._touched(lo, hi, touched)
        if few is not None:
            yield from self._complaints_of(few)
        else:
            yield from self._received(lo, hi, touched)

    def complaints_about(
        self, staff_id: str, since: datetime, until: datetime
    ) -> Iterator[Complaint]:
        """Like :meth:`SqliteStore.complaints_about`: the intake's ``target`` read as
        JSON by the server, only the person's complaints decoded."""
        staff = check_staff_id(staff_id)
        lo = require_aware(since, "since")
        hi = require_aware(until, "until")
        s = self._schema
        try:
            with self._reading() as conn, conn.transaction():
                # the period's ids from projection_received, then their intakes one by
                # one by key: a join of the two tables lets the planner read them all
                month = [
                    r[0]
                    for r in conn.execute(
                        f"SELECT id FROM {s}.projection WHERE tenant = %s"
                        " AND received_at >= %s AND received_at < %s ORDER BY received_at, id",
                        (self._tenant, lo, hi),
                    )
                ]
                about = {
                    r[0]
                    for r in conn.execute(
                        self._sql.about,
                        (month, self._tenant, staff),
                    )
                }
        except (psycopg.Error, PoolTimeout) as exc:
            raise _store_error(self._where, exc) from exc
        ids = [cid for cid in month if cid in about]
        return self._complaints_of(ids)

    def visited_between(
        self, since: datetime, until: datetime, *, received_before: datetime
    ) -> Iterator[Complaint]:
        """Like :meth:`SqliteStore.visited_between`: one query over
        ``projection_updated`` and each row's events, only the rows with a visit in
        ``[since, until)`` decoded (VIS-4; review s56R3 F04)."""
        args = {
            "tenant": self._tenant,
            "lo": require_aware(since, "since"),
            "hi": require_aware(until, "until"),
            "before": require_aware(received_before, "received_before"),
        }
        try:
            with self._reading() as conn, conn.transaction():
                ids = [r[1] for r in conn.execute(self._sql.visited, args)]
        except (psycopg.Error, PoolTimeout) as exc:
            raise _store_error(self._where, exc) from exc
        return self._complaints_of(ids)

    def _touched(self, lo: datetime, hi: datetime, touched: datetime) -> list[str] | None:
        """The ids of the period's rows touched since ``touched`` (or of unknown
        time), oldest first, from two ranges of ``projection_updated`` (which holds
        the receipt time); None when more than :data:`_TOUCHED_AT_ONCE` are (then
        the period's walk costs about as much and keeps memory flat)."""
        touched_sql = self._sql.touched
        args = {"tenant": self._tenant, "lo": lo, "hi": hi, "touched": touched}
        try:
            with self._reading() as conn, conn.transaction():
                found = conn.execute(
                    f"SELECT count(*) FROM ({touched_sql} LIMIT %(n)s) AS t",
                    {**args, "n": _TOUCHED_AT_ONCE + 1},
                ).fetchone()
                if found is None or int(found[0]) > _TOUCHED_AT_ONCE:
                    return None
                rows = conn.execute(f"{touched_sql} ORDER BY 1, 2", args).fetchall()
        except (psycopg.Error, PoolTimeout) as exc:
            raise _store_error(self._where, exc) from exc
        return [r[1] for r in rows]

    def _bodies_of(
        self, conn: psycopg.Connection[Any], ids: list[str]
    ) -> dict[str, list[tuple[int, str]]]:
        """Each complaint's stored events, ``(schema_version, body_json)`` in order."""
        bodies: dict[str, list[tuple[int, str]]] = {cid: [] for cid in ids}
        for cid, version, body in conn.execute(
            f"SELECT complaint_id, schema_version, body_json FROM {self._schema}.events"
            " WHERE tenant = %s AND complaint_id = ANY(%s) ORDER BY complaint_id, seq",
            (self._tenant, ids),
        ):
            bodies[cid].append((int(version), body))
        return bodies

    def _complaints_of(self, ids: Sequence[str]) -> Iterator[Complaint]:
        """The complaints ``ids``, in that order, 256 per query."""
        s = self._schema
        for start in range(0, len(ids), _BATCH):
            chunk = list(ids[start : start + _BATCH])
            try:
                with self._reading() as conn, conn.transaction():
                    intakes = dict(
                        conn.execute(
                            f"SELECT id, intake_json FROM {s}.complaints"
                            " WHERE tenant = %s AND id = ANY(%s)",
                            (self._tenant, chunk),
                        ).fetchall()
                    )
                    bodies = self._bodies_of(conn, chunk)
            except (psycopg.Error, PoolTimeout) as exc:
                raise _store_error(self._where, exc) from exc
            for cid in chunk:
                if cid in intakes:  # a projection row of no complaint: verify() reports it
                    yield decode_complaint(cid, intakes[cid], bodies[cid])

    def _received(
        self, lo: datetime, hi: datetime, touched: datetime | None
    ) -> Iterator[Complaint]:
        """The period's walk through ``projection_received``, a batch at a time."""
        s = self._schema
        after: tuple[datetime, str] | None = None
        while True:
            args: dict[str, Any] = {"tenant": self._tenant, "lo": lo, "hi": hi, "n": _BATCH}
            page = ""
            if touched is not None:
                page = " AND (p.updated_at IS NULL OR p.updated_at >= %(touched)s)"
                args["touched"] = touched
            if after is not None:
                page += " AND (p.received_at, p.id) > (%(at)s, %(id)s)"
                args.update(at=after[0], id=after[1])
            try:
                with self._reading() as conn, conn.transaction():
                    heads = conn.execute(
                        f"SELECT p.received_at, p.id, c.intake_json FROM {s}.projection AS p"
                        f" JOIN {s}.complaints AS c ON c.tenant = p.tenant AND c.id = p.id"
                        " WHERE p.tenant = %(tenant)s AND p.received_at >= %(lo)s"
                        f" AND p.received_at < %(hi)s{page}"
                        " ORDER BY p.received_at, p.id LIMIT %(n)s",
                        args,
                    ).fetchall()
                    bodies = self._bodies_of(conn, [h[1] for h in heads])
            except (psycopg.Error, PoolTimeout) as exc:
                raise _store_error(self._where, exc) from exc
            if not heads:
                return
            for _at, cid, intake_json in heads:
                yield decode_complaint(cid, intake_json, bodies[cid])
            after = (heads[-1][0], heads[-1][1])

    @_translated
    def received_counts(self, bounds: Sequence[datetime]) -> list[ReceivedCount]:
        """Complaints received in each ``[bounds[i], bounds[i + 1])``, counted by the
        projected fields a monthly baseline needs, grouped by the server."""
        edges = check_bounds(bounds)
        if len(edges) < 2:
            return []
        case = " ".join(f"WHEN received_at < %s THEN {i}" for i in range(len(edges) - 1))
        sql = (
            f"SELECT CASE {case} END AS period, kind, validity, site, building, category,"
            " department, count(*),"
            " CASE WHEN count(updated_at) = count(*) THEN max(updated_at) END"
            f" FROM {self._schema}.projection"
            " WHERE tenant = %s AND received_at >= %s AND received_at < %s"
            " GROUP BY 1, 2, 3, 4, 5, 6, 7"
        )
        args = [*edges[1:], self._tenant, edges[0], edges[-1]]
        with self._reading() as conn:
            found = conn.execute(sql, args).fetchall()
        return [
            ReceivedCount(int(r[0]), r[1], r[2], r[3], r[4], r[5], r[6], int(r[7]), _utc(r[8]))
            for r in found
        ]

    def _batches(
        self, *, with_chain: bool
    ) -> Iterator[tuple[str, str, int | None, list[StoredEvent]]]:
        after = ""
        while True:
            try:
                with self._reading() as conn:
                    found = conn.execute(
                        self._sql.batch, {"tenant": self._tenant, "after": after, "n": _BATCH}
                    ).fetchall()
            except (psycopg.Error, PoolTimeout) as exc:
                raise _store_error(self._where, exc) from exc
            if not found:
                return
            heads: dict[str, tuple[str, int | None, list[StoredEvent]]] = {}
            for cid, intake_json, version, seq, *rest in found:
                if cid not in heads:
                    heads[cid] = (intake_json, None if version is None else int(version), [])
                if seq is not None:
                    kind, at, actor, body, prev, digest, schema = rest
                    event = StoredEvent(int(seq), kind, at, actor, body, prev, digest, int(schema))
                    heads[cid][2].append(event)
            for cid, (intake_json, version, events) in heads.items():
                yield cid, intake_json, version, events
            after = found[-1][0]

    # ------------------------------------------------------------------ outbox

    @_translated
    def pending(self, now: datetime, limit: int = 100) -> list[OutboxItem]:
        """Undelivered items due at ``now`` (never tried, or their retry time has come)
        and claimed by no sender, oldest queued first."""
        check_limit(limit)
        require_aware(now, "now")
        with self._reading() as conn:
            found = conn.execute(
                f"SELECT {_ITEM_COLUMNS} FROM {self._schema}.outbox"
                " WHERE tenant = %s AND delivered_at IS NULL AND dropped_at IS NULL"
                " AND (next_attempt_at IS NULL OR next_attempt_at <= %s)"
                f" AND (claimed_until IS NULL OR claimed_until <= {_CLOCK})"
                " ORDER BY id LIMIT %s",
                (self._tenant, now, self._clock_value(), limit),
            ).fetchall()
        return [_item_from(r) for r in found]

    def _clock_value(self) -> datetime | None:
        """The test's clock claims are kept on, or ``None``: the server's (:data:`_CLOCK`)."""
        return None if self._clock is None else claim_time(self._clock)

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

        ``FOR UPDATE SKIP LOCKED`` picks items due at ``now`` that no other worker
        is taking and no live claim holds, and ``claimed_until`` claims them for
        ``lease`` on the server's clock, whatever ``now`` this or another worker
        passes (review s46C F01); their due times are kept.
        :meth:`mark_delivered` or :meth:`mark_failed` then settles each one.
        """
        check_limit(limit)
        require_aware(now, "now")
        sql, args = _claim_query(
            self._schema,
            self._tenant,
            now,
            lease,
            limit,
            notifiers,
            max_attempts,
            self._clock_value(),
        )
        with self._connections().connection() as conn:
            found = conn.execute(sql, args).fetchall()
        # RETURNING keeps no order: the claim's, by the time each became due with a
        # retry limit (review s51R3 F01), else by id; with the claim's end (s52R10 F03)
        return [
            attrs.evolve(_item_from(r), claim=r[7])
            for r in sorted(found, key=lambda r: (r[6], r[0]))
        ]

    @_translated
    def mark_delivered(self, item_id: int, at: datetime) -> None:
        """Record delivery; marking an already delivered item again changes nothing."""
        require_aware(at, "at")
        with self._connections().connection() as conn, conn.transaction():
            found = conn.execute(
                f"SELECT {_SETTLEMENT} FROM {self._schema}.outbox"
                " WHERE tenant = %s AND id = %s FOR UPDATE",
                (self._tenant, _item_id(item_id)),
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
                at,
                r.dropped_at,
                r.drop_reason,
                r.dropped_by,
                r.dropped_os_user,
            )
            conn.execute(
                f"UPDATE {self._schema}.outbox SET delivered_at = %s, seal = %s,"
                " claimed_until = NULL, claim_offset = NULL"
                " WHERE tenant = %s AND id = %s AND delivered_at IS NULL",
                (at, seal, self._tenant, _item_id(item_id)),
            )

    @_translated
    def mark_failed(self, item_id: int, error: str, retry_at: datetime) -> None:
        """Count a failed attempt and hide the item until ``retry_at``; its wait counts
        from the later of the server's clock and the claimer's time on it.

        Ignored once the item is delivered (another worker got it through).
        """
        self._failed(item_id, error, retry_at, held=False, attempted_at=None)

    @_translated
    def mark_failed_held(self, item_id: int, error: str, retry_at: datetime) -> None:
        """Like :meth:`SqliteStore.mark_failed_held`: one statement counts the failure
        and keeps the claim until ``retry_at`` (the claimer's time, moved onto the
        server's clock by the claim's offset)."""
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
        require_aware(retry_at, "retry_at")
        if attempted_at is not None:
            require_aware(attempted_at, "attempted_at")
        # only while the item holds that claim (review s52R10 F03)
        still = "" if claim is None else " AND claimed_until = %s"
        claimed = () if claim is None else (require_aware(claim, "claim"),)
        clock = self._clock_value()
        with self._connections().connection() as conn:
            cur = conn.execute(
                f"UPDATE {self._schema}.outbox SET attempts = attempts + 1, last_error = %s,"
                f" next_attempt_at = %s, claimed_until = CASE WHEN %s THEN {_HELD} END,"
                " claim_offset = CASE WHEN %s THEN claim_offset END,"  # kept while held
                # the wait counts from the attempt (the claimer's time, review s51C F03)
                f" waits_from = coalesce(%s::timestamptz, greatest({_CLOCK},"
                f" {_CLOCK} - coalesce(claim_offset, interval '0'))), waits_at = attempts + 1"
                f" WHERE tenant = %s AND id = %s AND delivered_at IS NULL{still}",
                (
                    error_text(error),
                    retry_at,
                    held,
                    retry_at,
                    held,
                    attempted_at,
                    clock,
                    clock,
                    self._tenant,
                    _item_id(item_id),
                    *claimed,
                ),
            )
            if cur.rowcount == 0:
                self._require_item(conn, item_id)
        return bool(cur.rowcount)

    @_translated
    def waiting(self, limit: int = 100) -> list[OutboxItem]:
        """Every undelivered item not dropped, oldest queued first, due or not (a retry's
        time, a live claim's end on the server's clock, a dead letter); read through
        ``outbox_pending``."""
        check_limit(limit)
        with self._reading() as conn:
            found = conn.execute(
                "SELECT id, notifier, body_json, attempts,"
                f" CASE WHEN claimed_until > {_CLOCK} AND (next_attempt_at IS NULL"
                " OR claimed_until > next_attempt_at) THEN claimed_until"
                " ELSE next_attempt_at END, last_error"
                f" FROM {self._schema}.outbox"
                " WHERE tenant = %s AND delivered_at IS NULL AND dropped_at IS NULL"
                " ORDER BY id LIMIT %s",
                (self._clock_value(), self._tenant, limit),
            ).fetchall()
        return [_item_from(r) for r in found]

    @_translated
    def dead_letter_counts(self, max_attempts: int) -> dict[str, int]:
        """Dead letters per channel, counted through ``outbox_pending``, never decoded."""
        attempts = check_attempts(max_attempts)
        with self._reading() as conn:
            found = conn.execute(
                f"SELECT notifier, count(*) FROM {self._schema}.outbox"
                " WHERE tenant = %s AND delivered_at IS NULL AND dropped_at IS NULL"
                " AND attempts >= %s GROUP BY notifier",
                (self._tenant, attempts),
            ).fetchall()
        return {str(name): int(count) for name, count in found}

    @_translated
    def release_held(self, held: Sequence[tuple[str, str]], mark: str) -> None:
        """Let go the messages a write queued held with ``mark`` (see
        :class:`~complaintcore.desk.ports.ListenerHoldStore`): due at once, in one
        transaction, each found by its unique (channel, key).

        Only a claim that is still the hold's ends, as in
        :meth:`SqliteStore.release_held`: the hold writes no ``claim_offset`` and
        every sender's claim writes one, a desk's of version 15 too, which leaves
        the mark on a lapsed hold it takes (review s47B F01)."""
        pairs = [p for p in check_held(held) if not _holds_nul(*p)]  # (none is stored)
        stamp = check_mark(mark)
        if not pairs or _holds_nul(stamp):
            return
        with self._connections().connection() as conn, conn.cursor() as cur:
            cur.executemany(
                f"UPDATE {self._schema}.outbox SET claimed_until = CASE WHEN delivered_at IS NULL"
                " AND dropped_at IS NULL AND claim_offset IS NULL THEN NULL"
                " ELSE claimed_until END, held_by = NULL"
                " WHERE tenant = %s AND notifier = %s AND dedupe_key = %s AND held_by = %s",
                [(self._tenant, notifier, key, stamp) for notifier, key in pairs],
            )

    @_translated
    def release(self, item_id: int, at: datetime) -> None:
        """Hand a claimed item back unsent: its claim ends, and it is due as it was
        before the claim, at ``at`` at the latest; no attempt counted."""
        at = require_aware(at, "at")
        self._unsettled(
            item_id,
            "claimed_until = NULL, claim_offset = NULL,"
            " next_attempt_at = CASE WHEN next_attempt_at > %s THEN %s ELSE next_attempt_at END",
            (at, at),
        )

    @_translated
    def hold_item(self, item_id: int, until: datetime) -> None:
        """Keep the item claimed until ``until`` (the claimer's time, moved onto the
        server's clock by the claim's offset): a send of it may still get through."""
        self._unsettled(item_id, f"claimed_until = {_HELD}", (require_aware(until, "until"),))

    def _unsettled(self, item_id: int, assignments: str, values: tuple[datetime, ...]) -> None:
        """Set ``assignments`` on an item neither delivered nor dropped (else nothing)."""
        with self._connections().connection() as conn:
            cur = conn.execute(
                f"UPDATE {self._schema}.outbox SET {assignments}"
                " WHERE tenant = %s AND id = %s AND delivered_at IS NULL AND dropped_at IS NULL",
                (*values, self._tenant, _item_id(item_id)),
            )
            if cur.rowcount == 0:
                self._require_item(conn, item_id)

    def _require_item(self, conn: psycopg.Connection[Any], item_id: int) -> None:
        found = conn.execute(
            f"SELECT 1 FROM {self._schema}.outbox WHERE tenant = %s AND id = %s",
            (self._tenant, _item_id(item_id)),
        ).fetchone()
        if found is None:  # another tenant's item is no item at all
            raise InvalidInputError("item_id", "no outbox item with this id")

    # ------------------------------------------------------------------ moving a desk

    @_translated
    def desk_size(self) -> tuple[int, int]:
        """(complaints, outbox items) of the tenant."""
        s, t = self._schema, self._tenant
        with self._reading() as conn:
            found = conn.execute(
                f"SELECT (SELECT count(*) FROM {s}.complaints WHERE tenant = %s),"
                f" (SELECT count(*) FROM {s}.outbox WHERE tenant = %s)",
                (t, t),
            ).fetchone()
        assert found is not None
        return int(found[0]), int(found[1])

    def export_histories(self) -> Iterator[StoredHistory]:
        """Every complaint of the tenant as stored (texts, hashes, row), in id order."""
        s = self._schema
        after = ""
        while True:
            try:
                with self._reading() as conn, conn.transaction():
                    heads = conn.execute(
                        "SELECT c.id, c.idempotency_key, c.intake_json, c.created_at, "
                        + ", ".join(f"p.{n}" for n in _ROW_NAMES)
                        + f" FROM {s}.complaints AS c JOIN {s}.projection AS p"
                        " ON p.tenant = c.tenant AND p.id = c.id"
                        " WHERE c.tenant = %s AND c.id > %s ORDER BY c.id LIMIT %s",
                        (self._tenant, after, _BATCH),
                    ).fetchall()
                    if not heads:
                        return
                    events: dict[str, list[StoredEvent]] = {h[0]: [] for h in heads}
                    for r in conn.execute(
                        "SELECT complaint_id, seq, kind, at, actor, body_json, prev_hash, hash,"
                        f" schema_version FROM {s}.events WHERE tenant = %s"
                        " AND complaint_id = ANY(%s) ORDER BY complaint_id, seq",
                        (self._tenant, list(events)),
                    ):
                        events[r[0]].append(StoredEvent(*r[1:]))
            except (psycopg.Error, PoolTimeout) as exc:
                raise _store_error(self._where, exc) from exc
            for h in heads:
                yield StoredHistory(
                    complaint_id=h[0],
                    idempotency_key=h[1] or "",
                    intake_json=h[2],
                    created_at=h[3].astimezone(UTC),
                    events=tuple(events[h[0]]),
                    row=_row_from(h[4:]),
                )
            after = heads[-1][0]

    def export_outbox(self) -> Iterator[StoredItem]:
        """Every outbox item of the tenant with its delivery state, oldest first."""
        after = 0
        while True:
            try:
                with self._reading() as conn:
                    found = conn.execute(
                        "SELECT id, notifier, dedupe_key, complaint_id, body_json, created_at,"
                        " attempts, next_attempt_at, last_error, delivered_at, ledger_seq,"
                        " dropped_at, drop_reason, dropped_by, dropped_os_user, waits_from,"
                        f" waits_at FROM {self._schema}.outbox"
                        " WHERE tenant = %s AND id > %s ORDER BY id LIMIT %s",
                        (self._tenant, after, _BATCH),
                    ).fetchall()
            except (psycopg.Error, PoolTimeout) as exc:
                raise _store_error(self._where, exc) from exc
            if not found:
                return
            for r in found:
                yield StoredItem(
                    notifier=r[1],
                    dedupe_key=r[2],
                    complaint_id=r[3],
                    body_json=r[4],
                    created_at=r[5].astimezone(UTC),
                    attempts=int(r[6]),
                    next_attempt_at=_utc(r[7]),
                    last_error=r[8] or "",
                    delivered_at=_utc(r[9]),
                    ledger_seq=None if r[10] is None else int(r[10]),
                    dropped_at=_utc(r[11]),
                    drop_reason=r[12] or "",
                    dropped_by=r[13] or "",
                    dropped_os_user=r[14] or "",
                    waits_from=_utc(r[15]),
                    waits_at=None if r[16] is None else int(r[16]),
                )
            after = found[-1][0]

    def export_ledger(self) -> Iterator[LedgerEntry]:
        """The tenant's ledger, in order."""
        after = 0
        while True:
            try:
                with self._reading() as conn:
                    found = conn.execute(
                        "SELECT seq, complaint_id, version, head, outbox, key, created_at, prev,"
                        f" hash FROM {self._schema}.ledger WHERE tenant = %s AND seq > %s"
                        " ORDER BY seq LIMIT %s",
                        (self._tenant, after, _LEDGER_WINDOW),
                    ).fetchall()
            except (psycopg.Error, PoolTimeout) as exc:
                raise _store_error(self._where, exc) from exc
            if not found:
                return
            yield from (LedgerEntry(int(r[0]), r[1], int(r[2]), *r[3:]) for r in found)
            after = int(found[-1][0])

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

        :raises StoreError: the tenant already has complaints or messages here.
        """
        sql, s, t = self._sql, self._schema, self._tenant
        with self._connections().connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"{s}.{t}.import",))
            if conn.execute(
                f"SELECT 1 FROM {s}.complaints WHERE tenant = %s UNION ALL"
                f" SELECT 1 FROM {s}.outbox WHERE tenant = %s LIMIT 1",
                (t, t),
            ).fetchone():
                raise not_empty(self._where, t)
            done = 0
            with conn.cursor() as cur:
                for batch in _chunks(histories, _BATCH):
                    cur.executemany(
                        sql.insert_complaint,
                        [
                            (
                                t,
                                h.complaint_id,
                                h.idempotency_key or None,
                                h.intake_json,
                                h.created_at,
                            )
                            for h in batch
                        ],
                    )
                    cur.executemany(
                        sql.insert_event,
                        [_event_params(t, h.complaint_id, e) for h in batch for e in h.events],
                    )
                    cur.executemany(
                        sql.insert_row,
                        [
                            {
                                **_row_params(h.row, h.row.version, h.row.idempotency_key),
                                "tenant": t,
                            }
                            for h in batch
                        ],
                    )
                    done += len(batch)
                    if progress is not None:
                        progress(done)
                last = None
                for entries in _chunks(ledger, _BATCH):
                    cur.executemany(
                        f"INSERT INTO {s}.ledger (tenant, seq, complaint_id, version, head,"
                        " outbox, key, created_at, prev, hash)"
                        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                        [(t, *e) for e in entries],
                    )
                    last = entries[-1]
                if last is not None:
                    cur.execute(
                        f"INSERT INTO {s}.ledger_heads (tenant, seq, hash) VALUES (%s, %s, %s)"
                        " ON CONFLICT (tenant) DO UPDATE SET seq = EXCLUDED.seq,"
                        " hash = EXCLUDED.hash",
                        (t, last.seq, last.hash),
                    )
                for records in _chunks(access, _BATCH):
                    cur.executemany(
                        f"INSERT INTO {s}.access_log (tenant, at, actor, complaint_id, purpose,"
                        " via, os_user, seal) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                        [
                            (
                                t,
                                a.at,
                                a.actor,
                                a.complaint_id,
                                a.purpose,
                                a.via,
                                a.os_user,
                                _sealed(a),
                            )
                            for a in records
                        ],
                    )
                for chunk in _chunks(items, _BATCH):
                    cur.executemany(
                        f"INSERT INTO {s}.outbox (tenant, notifier, dedupe_key, complaint_id,"
                        " body_json, created_at, attempts, next_attempt_at, last_error,"
                        " delivered_at, ledger_seq, dropped_at, drop_reason, dropped_by,"
                        " dropped_os_user, seal, waits_from, waits_at) VALUES (%s, %s, %s,"
                        " %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                        [
                            (
                                t,
                                i.notifier,
                                i.dedupe_key,
                                i.complaint_id,
                                i.body_json,
                                i.created_at,
                                i.attempts,
                                i.next_attempt_at,
                                i.last_error,
                                i.delivered_at,
                                i.ledger_seq,
                                i.dropped_at,
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
                                i.waits_from,
                                i.waits_at,
                            )
                            for i in chunk
                        ],
                    )
            if progress is not None and done == 0:
                progress(0)
            if check is not None:
                # this thread's reads go to this transaction, as in a snapshot
                self._pinned.conn = conn
                try:
                    check()
                finally:
                    self._pinned.conn = None

    # ------------------------------------------------------------------ integrity

    @_translated
    def verify(self, *, expect: str | None = None, since: str | None = None) -> VerifyReport:
        """Recompute every hash chain and the ledger of the tenant and cross-check them (REC-5).

        The same checks, and the same problem texts, as
        :meth:`SqliteStore.verify <complaintcore.adapters.sqlite_store.SqliteStore.verify>`,
        incremental too (``since``: indexed lookups alone, in one transaction).
        """
        with self.snapshot():  # the ledger, the histories and the rows of one moment
            if since is not None:
                return self._verify_since(since, expect)
            return self._verify_all(expect)

    def _verify_all(self, expect: str | None) -> VerifyReport:
        wanted = parse_head(expect) if expect is not None else None
        checker = LedgerVerifier(self._tenant, expect=wanted)
        self._feed_ledger(checker)
        created = self._created()
        problems: list[str] = []
        complaints = events = 0
        for cid, intake_json, projected, stored in self._batches(with_chain=True):
            complaints += 1
            count, found = chain_problems(cid, intake_json, stored, projected)
            events += count
            problems.extend(found)
            key, created_at = created.get(cid, ("", ""))
            heads = {0: genesis_hash(intake_json), **{e.seq: e.hash for e in stored}}
            checker.complaint(cid, key, created_at, heads)
        s, t = self._schema, self._tenant
        with self._reading() as conn:
            for (cid,) in conn.execute(
                f"SELECT DISTINCT complaint_id FROM {s}.events AS e WHERE tenant = %s"
                f" AND NOT EXISTS (SELECT 1 FROM {s}.complaints AS c"
                " WHERE c.tenant = e.tenant AND c.id = e.complaint_id) ORDER BY complaint_id",
                (t,),
            ):
                problems.append(f"complaint {cid}: events stored without the complaint record")
            for (cid,) in conn.execute(
                f"SELECT id FROM {s}.projection AS p WHERE tenant = %s AND NOT EXISTS"
                f" (SELECT 1 FROM {s}.complaints AS c WHERE c.tenant = p.tenant AND c.id = p.id)"
                " ORDER BY id",
                (t,),
            ):
                problems.append(f"complaint {cid}: projection row without the complaint record")
            # the cells as stored: a damaged one is named, not raised (review s41E F02)
            seals = settlement_problems(
                _tolerant(conn)
                .execute(
                    f"SELECT {_SETTLEMENT} FROM {s}.outbox WHERE tenant = %s AND"
                    " (delivered_at IS NOT NULL OR dropped_at IS NOT NULL OR seal <> '')"
                    " ORDER BY id",
                    (t,),
                )
                .fetchall()
            )
            seals.extend(
                access_problems(
                    _tolerant(conn)
                    .execute(
                        f"SELECT {_ACCESS} FROM {s}.access_log WHERE tenant = %s ORDER BY id",
                        (t,),
                    )
                    .fetchall()
                )
            )
        problems.extend(checker.finish())
        problems.extend(seals)
        return VerifyReport(
            complaints=complaints,
            events=events,
            problems=tuple(problems),
            head=checker.head,
            entries=checker.entries_read,
        )

    def _verify_since(self, since: str, expect: str | None) -> VerifyReport:
        s, t = self._schema, self._tenant
        problems: list[str] = []
        complaints = events = 0
        with self._reading() as conn:

            def prev_of(seq: int) -> str | None:
                found = conn.execute(
                    f"SELECT prev FROM {s}.ledger WHERE tenant = %s AND seq = %s", (t, seq)
                ).fetchone()
                return None if found is None else str(found[0])

            checker = since_verifier(t, since, expect, prev_of)
            self._feed_ledger(checker, after=checker.last_seq, conn=conn)
            touched = checker.touched
            for cid in touched:
                checker.earlier(
                    cid,
                    [
                        LedgerEntry(int(r[0]), r[1], int(r[2]), *r[3:])
                        for r in conn.execute(
                            "SELECT seq, complaint_id, version, head, outbox, key, created_at,"
                            f" prev, hash FROM {s}.ledger WHERE tenant = %s AND complaint_id = %s"
                            " AND seq < %s ORDER BY seq",
                            (t, cid, checker.recheck_from),
                        )
                    ],
                )
                head = (
                    _tolerant(conn)
                    .execute(
                        "SELECT c.intake_json, c.idempotency_key, c.created_at, p.version"
                        f" FROM {s}.complaints AS c LEFT JOIN {s}.projection AS p"
                        " ON p.tenant = c.tenant AND p.id = c.id WHERE c.tenant = %s AND c.id = %s",
                        (t, cid),
                    )
                    .fetchone()
                )
                stored = None
                orphans = (False, False)
                if head is None:
                    orphans = (
                        conn.execute(
                            f"SELECT 1 FROM {s}.events WHERE tenant = %s AND complaint_id = %s"
                            " LIMIT 1",
                            (t, cid),
                        ).fetchone()
                        is not None,
                        conn.execute(
                            f"SELECT 1 FROM {s}.projection WHERE tenant = %s AND id = %s",
                            (t, cid),
                        ).fetchone()
                        is not None,
                    )
                else:
                    complaints += 1
                    stored_events = [
                        StoredEvent(int(r[0]), r[1], r[2], r[3], r[4], r[5], r[6], int(r[7]))
                        for r in conn.execute(
                            "SELECT seq, kind, at, actor, body_json, prev_hash, hash,"
                            f" schema_version FROM {s}.events WHERE tenant = %s"
                            " AND complaint_id = %s ORDER BY seq",
                            (t, cid),
                        )
                    ]
                    stored = StoredComplaint(
                        head[0],
                        head[1] or "",
                        _created_text(head[2]),
                        None if head[3] is None else int(head[3]),
                        stored_events,
                    )
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

    @_translated
    def row(self, complaint_id: str) -> ComplaintRow:
        """One complaint's projection row.

        :raises UnknownComplaintError: no projection row of this tenant has this id.
        """
        if _holds_nul(check_id(complaint_id)):
            raise UnknownComplaintError(complaint_id)
        with self._reading() as conn:
            found = (
                _tolerant(conn)
                .execute(
                    f"SELECT {_ROW_COLUMNS} FROM {self._schema}.projection"
                    " WHERE tenant = %s AND id = %s",
                    (self._tenant, complaint_id),
                )
                .fetchone()
            )
        if found is None:
            raise UnknownComplaintError(complaint_id)
        return _row_from(found)

    def _created(self) -> dict[str, tuple[str, str]]:
        """Every complaint's idempotency key and creation time, as the ledger records them."""
        with self._reading() as conn:
            return {
                cid: (key or "", _created_text(at))
                for cid, key, at in _tolerant(conn).execute(
                    f"SELECT id, idempotency_key, created_at FROM {self._schema}.complaints"
                    " WHERE tenant = %s",
                    (self._tenant,),
                )
            }

    def _feed_ledger(
        self,
        checker: LedgerVerifier,
        after: int = 0,
        conn: psycopg.Connection[Any] | None = None,
    ) -> None:
        """The tenant's ledger after entry ``after``, then its outbox, a window at a time."""
        if conn is None:
            with self._reading() as own:
                self._feed_ledger(checker, after, own)
            return
        s, t = self._schema, self._tenant
        while True:
            entries = [
                LedgerEntry(int(r[0]), r[1], int(r[2]), *r[3:])
                for r in conn.execute(
                    "SELECT seq, complaint_id, version, head, outbox, key, created_at, prev,"
                    f" hash FROM {s}.ledger WHERE tenant = %s AND seq > %s ORDER BY seq"
                    " LIMIT %s",
                    (t, after, _LEDGER_WINDOW),
                )
            ]
            if not entries:
                break
            checker.entries(entries)
            checker.outbox(
                [
                    _fixed(r)
                    for r in _tolerant(conn).execute(
                        f"SELECT {_OUTBOX_FIXED} FROM {s}.outbox WHERE tenant = %s"
                        " AND ledger_seq > %s AND ledger_seq <= %s ORDER BY ledger_seq, id",
                        (t, after, entries[-1].seq),
                    )
                ]
            )
            after = entries[-1].seq
        checker.outbox(
            [
                _fixed(r)
                for r in _tolerant(conn).execute(
                    # ranges of outbox_ledger, not an OR that reads every row ever
                    # delivered: the cost follows the rows queued since.  A seq below
                    # 1 is no commit's either (review s41E F01)
                    f"SELECT {_OUTBOX_FIXED} FROM {s}.outbox WHERE tenant = %s"
                    f" AND ledger_seq IS NULL UNION ALL SELECT {_OUTBOX_FIXED} FROM {s}.outbox"
                    " WHERE tenant = %s AND ledger_seq < 1"
                    f" UNION ALL SELECT {_OUTBOX_FIXED} FROM {s}.outbox"
                    " WHERE tenant = %s AND ledger_seq > %s ORDER BY id",
                    (t, t, t, after),
                )
            ]
        )

    @_translated
    def ledger_head(self) -> str:
        with self._reading() as conn:
            found = conn.execute(
                f"SELECT seq, hash FROM {self._schema}.ledger WHERE tenant = %s"
                " ORDER BY seq DESC LIMIT 1",
                (self._tenant,),
            ).fetchone()
        return format_head(int(found[0]), found[1]) if found else format_head(0, "")

    # ------------------------------------------------------------------ access log

    @_translated
    def record_access(self, record: AccessRecord) -> AccessRecord:
        """Append one unmasked view to the access log (append-only); return it with its id."""
        checked = check_access(record)
        with self._connections().connection() as conn:
            found = conn.execute(
                f"INSERT INTO {self._schema}.access_log (tenant, at, actor, complaint_id,"
                " purpose, via, os_user, seal) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
                " RETURNING id",
                (
                    self._tenant,
                    checked.at,
                    checked.actor,
                    checked.complaint_id,
                    checked.purpose,
                    checked.via,
                    checked.os_user,
                    _sealed(checked),
                ),
            ).fetchone()
        assert found is not None
        return attrs.evolve(checked, at=checked.at.astimezone(UTC), id=int(found[0]))

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
        where = ["tenant = %s"]
        args: list[Any] = [self._tenant]
        for column, value in access_filters(complaint_id, actor):
            where.append(f"{column} = %s")
            args.append(value)
        if since is not None:
            where.append("at >= %s")
            args.append(require_aware(since, "since"))
        if until is not None:
            where.append("at < %s")
            args.append(require_aware(until, "until"))
        check_limit(limit)
        if _holds_nul(complaint_id, actor):
            return []
        sql = (
            "SELECT at, actor, complaint_id, purpose, via, os_user, id"
            f" FROM {self._schema}.access_log WHERE " + " AND ".join(where) + " ORDER BY at, id"
        )
        if limit is not None:
            sql += " LIMIT %s"
            args.append(limit)
        with self._reading() as conn:
            found = conn.execute(sql, args).fetchall()
        return [
            AccessRecord(r[0].astimezone(UTC), r[1], r[2], r[3], r[4], r[5], int(r[6]))
            for r in found
        ]

    # ------------------------------------------------------------------ dead letters

    @_translated
    def dead_letters(self, max_attempts: int, limit: int = 100) -> list[OutboxItem]:
        check_limit(limit)
        attempts = check_attempts(max_attempts)
        with self._reading() as conn:
            found = conn.execute(
                f"SELECT {_ITEM_COLUMNS} FROM {self._schema}.outbox WHERE tenant = %s"
                " AND delivered_at IS NULL AND dropped_at IS NULL AND attempts >= %s"
                " ORDER BY id LIMIT %s",
                (self._tenant, attempts, limit),
            ).fetchall()
        return [_item_from(r) for r in found]

    @_translated
    def overlong_claims(self, longest: timedelta) -> list[int]:
        """Ids of the pending items claimed past the store's clock (the server's, or
        the test's) plus ``longest``, in id order; read through ``outbox_pending``."""
        bound = check_longest(longest)
        with self._reading() as conn:
            found = conn.execute(
                self._sql.overlong_claims, (self._tenant, self._clock_value(), bound)
            ).fetchall()
        return [int(r[0]) for r in found]

    @_translated
    def overlong_retries(self, longest: timedelta, *, now: datetime | None = None) -> list[int]:
        """Ids of the pending items due later than the time their wait counts from plus
        ``longest``, in id order (``Desk.verify`` reports them; review s51C F03), and
        of those never tried due later than the later of their queueing and ``now``
        (``None``: the store's clock) plus ``longest``, whatever their wait columns
        say (review s54R6 F01; ``now`` earlier than the store's clock: the clock,
        review s54R14 F01); read through ``outbox_pending``.  An item with an attempt
        count below 0 is named by :meth:`unreadable_retries` instead."""
        bound = check_longest(longest)
        at = None if now is None else require_aware(now, "now")
        args = (self._tenant, bound, at, self._clock_value(), bound)
        with self._reading() as conn:
            found = conn.execute(self._sql.overlong_retries, args).fetchall()
        return [int(r[0]) for r in found]

    @_translated
    def unreadable_retries(self) -> list[tuple[int, str]]:
        """Like :meth:`SqliteStore.unreadable_retries`.  The columns are typed: a time
        is a time (and an integer a whole number), so only an attempt count below 0 is
        named (review s54R14 F03, F04)."""
        with self._reading() as conn:
            found = conn.execute(self._sql.unreadable_retries, (self._tenant,)).fetchall()
        return [(int(r[0]), "outbox.attempts") for r in found]

    @_translated
    def pending_counts(self) -> dict[str, int]:
        """Undelivered items not dropped, per channel, counted through ``outbox_pending``
        (the items waiting, not the history)."""
        with self._reading() as conn:
            found = conn.execute(self._sql.pending_counts, (self._tenant,)).fetchall()
        return {name: int(count) for name, count in found}

    @_translated
    def projection_basis(self) -> str | None:
        """What the rows were last computed under (a
        :class:`~complaintcore.desk.ports.BasisStore`)."""
        with self._reading() as conn:
            found = conn.execute(
                f"SELECT projection_basis FROM {self._schema}.tenants WHERE tenant = %s",
                (self._tenant,),
            ).fetchone()
        return None if found is None or found[0] is None else str(found[0])

    @_translated
    def keep_projection_basis(self, basis: str, *, instead_of: str | None = None) -> bool:
        check_basis(basis, instead_of)
        with self._connections().connection() as conn:
            cur = conn.execute(
                f"UPDATE {self._schema}.tenants SET projection_basis = %s WHERE tenant = %s"
                " AND (%s::text IS NULL OR projection_basis = %s)",
                (basis, self._tenant, instead_of, instead_of),
            )
            return cur.rowcount == 1

    @_translated
    def retry_item(self, item_id: int, now: datetime) -> None:
        require_aware(now, "now")
        with self._connections().connection() as conn:
            cur = conn.execute(
                f"UPDATE {self._schema}.outbox SET attempts = 0, next_attempt_at = %s,"
                f" waits_from = %s, waits_at = 0, {CLAIM_ENDED} WHERE tenant = %s AND id = %s"
                " AND delivered_at IS NULL"
                f" AND dropped_at IS NULL AND (claimed_until IS NULL OR claimed_until <= {_CLOCK})",
                (now, now, self._tenant, _item_id(item_id), self._clock_value()),
            )
            if cur.rowcount == 0:
                self._require_unclaimed_item(conn, item_id)

    @_translated
    def drop_item(
        self, item_id: int, at: datetime, reason: str, *, actor: str = "", os_user: str = ""
    ) -> None:
        require_aware(at, "at")
        why = check_reason(reason)
        with self._connections().connection() as conn, conn.transaction():
            found = conn.execute(
                f"SELECT {_SETTLEMENT} FROM {self._schema}.outbox WHERE tenant = %s AND id = %s"
                " AND delivered_at IS NULL AND dropped_at IS NULL"
                f" AND (claimed_until IS NULL OR claimed_until <= {_CLOCK}) FOR UPDATE",
                (self._tenant, _item_id(item_id), self._clock_value()),
            ).fetchone()
            if found is None:
                self._require_unclaimed_item(conn, item_id)  # raises
                return
            r = _settlement_row(found)
            seal = settlement_seal(r.notifier, r.dedupe_key, r.complaint_id, None, at, why,
                                   actor, os_user)  # fmt: skip
            conn.execute(
                f"UPDATE {self._schema}.outbox SET dropped_at = %s, drop_reason = %s,"
                f" dropped_by = %s, dropped_os_user = %s, seal = %s, {CLAIM_ENDED}"
                " WHERE tenant = %s AND id = %s",
                (at, why, actor, os_user, seal, self._tenant, _item_id(item_id)),
            )

    def _require_unclaimed_item(self, conn: psycopg.Connection[Any], item_id: int) -> None:
        """Raise why an item cannot be retried or dropped now (a claim holds it on the
        store's clock, or it was settled)."""
        self._require_item(conn, item_id)
        claim = conn.execute(
            f"SELECT claimed_until FROM {self._schema}.outbox WHERE tenant = %s AND id = %s"
            f" AND delivered_at IS NULL AND dropped_at IS NULL AND claimed_until > {_CLOCK}",
            (self._tenant, _item_id(item_id), self._clock_value()),
        ).fetchone()
        if claim is not None:
            raise being_sent(claim[0].astimezone(UTC))
        raise InvalidInputError("item_id", "the item was delivered or dropped already")


# ---------------------------------------------------------------------- migrations


def _applied(conn: psycopg.Connection[Any], schema: str) -> int:
    found = conn.execute(
        "SELECT to_regclass(%s) IS NOT NULL", (f"{schema}.schema_migrations",)
    ).fetchone()
    if not found or not found[0]:
        return 0
    version = conn.execute(f"SELECT max(version) FROM {schema}.schema_migrations").fetchone()
    return int(version[0]) if version and version[0] is not None else 0


def migrate(
    conn: psycopg.Connection[Any],
    schema: str,
    target: int = SCHEMA_VERSION,
    *,
    database: str = "",
    command_url: str = "",
) -> int:
    """Bring ``schema`` up to ``target``; return the version it was at.

    ``database`` names the database in errors; ``command_url`` is the URL the
    refusal's ``complaintcore migrate --upgrade`` command names (host, port and
    every parameter but the credentials: :func:`_command_url`), ``database``
    when left out.

    Each version runs in its own transaction under a transaction-level advisory
    lock, so processes opening a new database at once apply it once.  Exposed
    for tests and tools.

    :raises SchemaVersionError: the schema was migrated by a newer complaintcore,
        or needs migrating and the role lacks the privilege (the tables' owner
        must migrate it: :func:`upgrade_schema`).
    """
    if not _SCHEMA_NAME.fullmatch(schema):
        raise InvalidInputError("schema", "expected a lower-case SQL name (a-z, 0-9, _)")
    lock = ("complaintcore.migrate." + schema,)
    found = _applied(conn, schema)
    if found > SCHEMA_VERSION:
        raise SchemaVersionError(found, SCHEMA_VERSION, database)
    if found >= target:
        return found
    try:
        _apply(conn, schema, target, lock, fresh=found == 0)
    except _NotEveryTenant as refused:
        # A role that may write the tables but not see every tenant (a desk role
        # granted before review s51R16): its fill would find no tenant and record
        # the version done (review s52R13 F01).  Nothing of that version is kept.
        # The tables' owner refused so (they changed owner after version 19) is
        # told to use a role that sees every tenant, not itself (review s53R3 F01).
        url = command_url or database
        reason = (
            _needs_seeing_role(found, target, url, refused.policy_roles)
            if refused.owns_tables
            else _needs_owner(found, target, url)
        )
        raise SchemaVersionError(found, target, database, reason=reason) from None
    except pg_errors.InsufficientPrivilege:
        if found == 0:  # a new desk: the role may not create it (the privilege error)
            raise
        # An existing desk this role may read and write but not alter: a desk role
        # granted SELECT, INSERT, UPDATE, as recommended.  Nothing is half applied.
        raise SchemaVersionError(
            found, target, database, reason=_needs_owner(found, target, command_url or database)
        ) from None
    return found


def _apply(
    conn: psycopg.Connection[Any], schema: str, target: int, lock: tuple[str], *, fresh: bool
) -> None:
    if fresh:  # an existing schema needs no CREATE privilege on the database
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", lock)
            conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
            conn.execute(
                f"CREATE TABLE IF NOT EXISTS {schema}.schema_migrations ("
                " version integer PRIMARY KEY, description text NOT NULL)"
            )
    for version, description, statements in MIGRATIONS:
        if version > target:
            break
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", lock)
            if _applied(conn, schema) >= version:
                continue  # another process got there first
            rekey = version == max((v for v in _REKEYED if v <= target), default=None)
            if (version in _FILL or rekey) and not _sees_every_tenant(conn, schema):
                raise _NotEveryTenant(*_why_not_every_tenant(conn, schema))
            for statement in statements:
                conn.execute(statement.replace("{s}", schema))
            if version in _FILL:
                _FILL[version](conn, schema)
            if rekey:
                _remake_keys(conn, schema, building=True)
            conn.execute(
                f"INSERT INTO {schema}.schema_migrations (version, description) VALUES (%s, %s)",
                (version, description),
            )


class _NotEveryTenant(Exception):
    """Raised inside :func:`_apply`, turned into a :class:`SchemaVersionError` by
    :func:`migrate`: whether the refused role owns the tables, and the roles version
    19's ``owner_counts`` policy names (those that see every tenant)."""

    def __init__(self, owns_tables: bool, policy_roles: tuple[str, ...]) -> None:
        super().__init__(owns_tables, policy_roles)
        self.owns_tables = owns_tables
        self.policy_roles = policy_roles


def _why_not_every_tenant(
    conn: psycopg.Connection[Any], schema: str
) -> tuple[bool, tuple[str, ...]]:
    """For a role :func:`_sees_every_tenant` refused: whether it owns ``tenants`` (or
    is a member of its owner: the tables changed owner after version 19), and the
    roles ``owner_counts`` names (none once ``DROP OWNED`` took the last one out)."""
    owns = conn.execute(
        "SELECT pg_has_role(current_user, c.relowner, 'USAGE')"
        " FROM pg_catalog.pg_class AS c WHERE c.oid = to_regclass(%s)",
        (f"{schema}.tenants",),
    ).fetchone()
    roles = conn.execute(
        "SELECT n.name FROM pg_catalog.pg_policies AS p, unnest(p.roles) AS n(name)"
        " WHERE p.schemaname = %s AND p.tablename = 'tenants' AND p.policyname = 'owner_counts'"
        " ORDER BY n.name",
        (schema,),
    ).fetchall()
    return bool(owns and owns[0]), tuple(str(r[0]) for r in roles)


def _sees_every_tenant(conn: psycopg.Connection[Any], schema: str) -> bool:
    """Whether a fill run by this role walks every tenant (:func:`_every_tenant`):
    row-level security on ``tenants`` is off for it (not enabled yet, before v19; a
    superuser or a BYPASSRLS role; the owner while it is not forced) or version 19's
    ``owner_counts`` policy applies to it (the role that migrated v19, or one of its
    members).  Any other role sees no tenant there, so its fill would change nothing
    and the version would still be recorded (review s52R13 F01)."""
    found = conn.execute(
        "SELECT r.rolsuper OR r.rolbypassrls OR NOT c.relrowsecurity"
        " OR (NOT c.relforcerowsecurity AND pg_has_role(current_user, c.relowner, 'USAGE'))"
        " OR EXISTS (SELECT 1 FROM pg_catalog.pg_policies AS p, unnest(p.roles) AS n(name)"
        "  WHERE p.schemaname = %s AND p.tablename = 'tenants' AND p.policyname = 'owner_counts'"
        "  AND p.cmd IN ('SELECT', 'ALL')"
        "  AND CASE WHEN n.name = 'public' THEN true"
        "   ELSE pg_has_role(current_user, n.name, 'USAGE') END)"
        " FROM pg_catalog.pg_roles AS r, pg_catalog.pg_class AS c"
        " WHERE r.rolname = current_user AND c.oid = to_regclass(%s)",
        (schema, f"{schema}.tenants"),
    ).fetchone()
    return found is None or bool(found[0])


# Parameters a command shown to the operator leaves out: the credentials (the
# command's user is a placeholder; libpq reads the password from PGPASSWORD or
# ~/.pgpass) and complaintcore's own schema, put back as ?schema= when not the default
_NOT_IN_A_COMMAND = SECRET_PARAMETERS | {"user", "schema"}


def _command_url(dsn: str, schema: str) -> str:
    """The URL ``dsn`` connects to, as a command told to the operator names it: the
    host, port, database and every parameter (``host=``/``port=`` of a socket URL
    too: review s53R9 F03) but the user and password, with ``?schema=`` when not
    the default; :func:`_as_login` puts the user in."""
    rest = dsn.strip().partition("://")[2]
    # Everything up to the last "@" is credentials, even a password with "/" or "?"
    place, _mark, query = rest.rpartition("@")[2].partition("?")
    pairs = parse_qsl(query, keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if k not in _NOT_IN_A_COMMAND]
    if schema != DEFAULT_SCHEMA:
        kept.append(("schema", schema))
    query = urlencode(kept, safe="/", quote_via=quote)
    return f"postgresql://{place}" + (f"?{query}" if query else "")


def _as_login(database: str, login: str) -> str:
    """The database as a command names it, with ``login`` (``OWNER``) as its user."""
    scheme, _sep, rest = database.partition("://")
    return f"{scheme}://{login}@{rest}" if rest else f"postgresql://{login}@HOST/DATABASE"


def _needs_owner(found: int, target: int, database: str) -> str:
    """What to do about a schema the desk's role may not migrate: the owner runs it."""
    return (
        f"has schema version {found}, but this complaintcore needs {target}, and this"
        " database role may not migrate it; have the tables' owner run:"
        f" complaintcore migrate --upgrade {_as_login(database, 'OWNER')}"
    )


def _needs_seeing_role(found: int, target: int, database: str, roles: tuple[str, ...]) -> str:
    """What to do when the tables' owner may not migrate because row-level security
    hides tenants from it (the tables changed owner after version 19): a superuser,
    or a role the policy names, runs it (storage.md; review s53R3 F01)."""
    url = _as_login(database, "SUPERUSER")
    if not roles:
        return (
            f"has schema version {found}, but this complaintcore needs {target}, and this"
            " database role owns the tables but does not see every tenant (row-level security"
            " on tenants, and version 19's policy owner_counts names no role now); run the"
            f" upgrade as a superuser: complaintcore migrate --upgrade {url}"
        )
    return (
        f"has schema version {found}, but this complaintcore needs {target}, and this"
        " database role owns the tables but does not see every tenant (row-level security"
        f" on tenants: version 19's policy owner_counts names {', '.join(roles)}); run the"
        " upgrade as a superuser or as a role that policy names: complaintcore migrate"
        f" --upgrade {url}"
    )


def upgrade_schema(
    dsn: str, *, schema: str | None = None, timeout: float = 30.0
) -> tuple[int, int]:
    """Apply the migrations an existing desk's schema lacks, as the role of ``dsn``
    (its tables' owner), and nothing else: no tenant, no schema made.

    A desk's own role is usually granted only ``SELECT, INSERT, UPDATE`` and so
    cannot migrate; this is how its owner does (``complaintcore migrate
    --upgrade``).  Returns the version found and the version now.

    :raises StoreError: the schema does not exist, the server cannot be reached
        or refuses the login, or this role may not alter the tables either.
    :raises SchemaVersionError: the schema was migrated by a newer complaintcore.
    """
    dsn, schema, where = _target(dsn, schema)
    conn = _connect(dsn, where, timeout)
    try:
        with conn:
            found = _applied(conn, schema)
            if found == 0:
                raise StoreError(where, _missing_schema(schema))
            migrate(conn, schema, database=where, command_url=_command_url(dsn, schema))
            return found, _applied(conn, schema)
    except psycopg.Error as exc:
        raise _store_error(where, exc) from exc


def _fill_ledger(conn: psycopg.Connection[Any], schema: str) -> None:
    """Anchor what was stored before the ledger: one entry per complaint (oldest
    first, per tenant) with its chain head, key, creation time and outbox rows."""
    for tenant in _each_tenant_set(conn, schema):
        ledger = _Ledger(conn, schema, tenant)
        heads = conn.execute(
            "SELECT c.id, c.intake_json, coalesce(c.idempotency_key, ''), c.created_at,"
            f" (SELECT hash FROM {schema}.events AS e WHERE e.tenant = c.tenant"
            "  AND e.complaint_id = c.id ORDER BY seq DESC LIMIT 1),"
            f" (SELECT count(*) FROM {schema}.events AS e WHERE e.tenant = c.tenant"
            "  AND e.complaint_id = c.id)"
            f" FROM {schema}.complaints AS c WHERE c.tenant = %s ORDER BY c.created_at, c.id",
            (tenant,),
        ).fetchall()
        for cid, intake_json, key, created_at, last, count in heads:
            conn.execute(
                f"UPDATE {schema}.outbox SET ledger_seq = %s WHERE tenant = %s"
                " AND complaint_id = %s AND ledger_seq IS NULL",
                (ledger.next_seq(), tenant, cid),
            )
            head = last if last is not None else genesis_hash(intake_json)
            ledger.commit(cid, int(count), head, key, to_utc_text(created_at, "created_at"))
        ledger.save()


def _fill_seals(conn: psycopg.Connection[Any], schema: str) -> None:
    """Seal the settlements and access records stored before v6 as they stand."""
    conn.execute(f"ALTER TABLE {schema}.access_log DISABLE TRIGGER access_log_no_change")
    for tenant in _each_tenant_set(conn, schema):
        settled = [
            _settlement_row(r)
            for r in conn.execute(
                f"SELECT {_SETTLEMENT} FROM {schema}.outbox WHERE tenant = %s"
                " AND (delivered_at IS NOT NULL OR dropped_at IS NOT NULL)",
                (tenant,),
            )
        ]
        with conn.cursor() as cur:
            cur.executemany(
                f"UPDATE {schema}.outbox SET seal = %s WHERE tenant = %s AND id = %s",
                [(settlement_seal(*r[1:9]), tenant, r.id) for r in settled],
            )
            cur.executemany(
                f"UPDATE {schema}.access_log SET seal = %s WHERE tenant = %s AND id = %s",
                [
                    (access_seal(*a[1:7]), tenant, a.id)
                    for a in (
                        _access_row(r)
                        for r in conn.execute(
                            f"SELECT {_ACCESS} FROM {schema}.access_log WHERE tenant = %s",
                            (tenant,),
                        ).fetchall()
                    )
                ],
            )
    conn.execute(f"ALTER TABLE {schema}.access_log ENABLE TRIGGER access_log_no_change")


_SETTLEMENT = (
    "id, notifier, dedupe_key, complaint_id, delivered_at, dropped_at, drop_reason,"
    " dropped_by, dropped_os_user, seal"
)
_ACCESS = "id, at, actor, complaint_id, purpose, via, os_user, seal"


def _settlement_row(r: Sequence[Any]) -> SettlementRow:
    return SettlementRow(
        int(r[0]), r[1], r[2], r[3], _utc(r[4]), _utc(r[5]), r[6], r[7], r[8], r[9]
    )


def _access_row(r: Sequence[Any]) -> AccessRow:
    return AccessRow(int(r[0]), r[1].astimezone(UTC), *r[2:8])


def _sealed(a: AccessRecord) -> str:
    return access_seal(a.at, a.actor, a.complaint_id, a.purpose, a.via, a.os_user)


_FILL: dict[int, Callable[[psycopg.Connection[Any], str], None]] = {
    3: _fill_v3,
    4: _fill_ledger,
    6: _fill_seals,
    8: _fill_keys,
    14: _fill_v14,
    26: _fill_v26,
}
"""Data fixes run after a version's statements, in the same transaction."""


# ---------------------------------------------------------------------- helpers


class _Ledger:
    """The tenant's ledger in one transaction: its head row locked first (so commits
    of the tenant are chained one after another), then each commit appended."""

    def __init__(self, conn: psycopg.Connection[Any], schema: str, tenant: str) -> None:
        self.conn, self.schema, self.tenant = conn, schema, tenant
        conn.execute(
            f"INSERT INTO {schema}.ledger_heads (tenant, seq, hash) VALUES (%s, 0, %s)"
            " ON CONFLICT (tenant) DO NOTHING",
            (tenant, ledger_genesis(tenant)),
        )
        found = conn.execute(
            f"SELECT seq, hash FROM {schema}.ledger_heads WHERE tenant = %s FOR UPDATE",
            (tenant,),
        ).fetchone()
        assert found is not None
        self.seq, self.hash = int(found[0]), str(found[1])
        self._start = self.seq

    def next_seq(self) -> int:
        return self.seq + 1

    def commit(
        self, complaint_id: str, version: int, head: str, key: str = "", created_at: str = ""
    ) -> None:
        seq = self.seq + 1
        rows = self.conn.execute(
            f"SELECT {_OUTBOX_FIXED} FROM {self.schema}.outbox WHERE tenant = %s"
            " AND ledger_seq = %s ORDER BY id",
            (self.tenant, seq),
        ).fetchall()
        digest = outbox_digest(_fixed(r) for r in rows)
        if not digest and not key and not created_at and self._unchanged(complaint_id, version):
            return
        self.append(complaint_id, version, head, digest, key, created_at)

    def append(
        self, complaint_id: str, version: int, head: str, digest: str, key: str, created_at: str
    ) -> None:
        seq = self.seq + 1
        entry = entry_hash(self.hash, complaint_id, version, head, digest, key, created_at)
        self.conn.execute(
            f"INSERT INTO {self.schema}.ledger (tenant, seq, complaint_id, version, head, outbox,"
            " key, created_at, prev, hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (self.tenant, seq, complaint_id, version, head, digest, key, created_at, self.hash,
             entry),
        )  # fmt: skip
        self.seq, self.hash = seq, entry

    def _unchanged(self, complaint_id: str, version: int) -> bool:
        last = self.conn.execute(
            f"SELECT version FROM {self.schema}.ledger WHERE tenant = %s AND complaint_id = %s"
            " ORDER BY seq DESC LIMIT 1",
            (self.tenant, complaint_id),
        ).fetchone()
        return last is not None and int(last[0]) == version

    def save(self) -> None:
        """Write the new head (the row stays locked until the transaction ends)."""
        if self.seq != self._start:
            self.conn.execute(
                f"UPDATE {self.schema}.ledger_heads SET seq = %s, hash = %s WHERE tenant = %s",
                (self.seq, self.hash, self.tenant),
            )


_OUTBOX_FIXED = "id, notifier, dedupe_key, complaint_id, body_json, created_at, ledger_seq"


def _fixed(r: Sequence[Any]) -> OutboxRecord:
    """An outbox row as the ledger digests it (times as the text SQLite keeps; one
    the library never writes is ``None``, which the check names unreadable)."""
    created: Any = None  # a year or value the library never writes
    with contextlib.suppress(InvalidInputError):
        created = to_utc_text(r[5], "created_at")
    seq = None if r[6] is None else int(r[6])
    return OutboxRecord(int(r[0]), r[1], r[2], r[3], r[4], created, seq)


def _rows_query(schema: str, tenant: str, q: RowQuery) -> tuple[str, list[Any]]:
    """The statement of :meth:`PostgresStore.rows`: each order is an index's order
    (``projection_received``, ``projection_due_order``), so a page costs the
    same on any size of desk; a handler's or site's rows come from
    ``projection_by_handler`` / ``projection_by_site`` (schema 7) in that order,
    an open status's from ``projection_status_due``, so the planner has an index
    that reads what such a listing returns, not the history."""
    where = ["tenant = %s"]
    args: list[Any] = [tenant]
    for column, value in q.equal_filters():
        where.append(f"{column} = %s")
        args.append(value)
    if q.due_before is not None:
        where.append("next_due IS NOT NULL AND next_due <= %s")
        args.append(q.due_before)
    if q.overdue_at is not None:  # projection_overdue (schema 13) holds these rows
        where.append("breach_due IS NOT NULL AND breach_due < %s")
        args.append(q.overdue_at)
    if q.received_from is not None:
        where.append("received_at >= %s")
        args.append(q.received_from)
    if q.received_until is not None:
        where.append("received_at < %s")
        args.append(q.received_until)
    sql = f"SELECT {_ROW_COLUMNS} FROM {schema}.projection WHERE {' AND '.join(where)}"
    if q.order == "due":  # ascending puts no due time last: projection_due_order's order
        sql += " ORDER BY next_due, received_at, id"
    elif q.order == "overdue":  # longest overdue first: projection_overdue's order
        sql += " ORDER BY breach_due, received_at, id"
    else:
        sql += " ORDER BY received_at, id"
    if q.limit is not None:
        sql += " LIMIT %s"
        args.append(q.limit)
    return sql, args


_CLOCK = "coalesce(%s::timestamptz, statement_timestamp())"
"""The clock claims are kept on, in SQL: the server's (the same for every host), or
the test's clock passed as the parameter (``None``: the server's)."""

_HELD = "%s::timestamptz + coalesce(claim_offset, interval '0')"
"""A time the claimer gives about its claim (its parameter, in the claimer's ``now``)
on the store's clock: moved by the claim's offset (none for a claim an earlier
release took)."""


def _claim_query(
    schema: str,
    tenant: str,
    now: datetime,
    lease: timedelta,
    limit: int,
    notifiers: Collection[str] | None,
    max_attempts: int | None,
    clock: datetime | None,
) -> tuple[str, dict[str, Any]]:
    """The statement of :meth:`PostgresStore.claim`: due items read through the
    partial index ``outbox_pending`` (undelivered items, in id order), so the
    cost follows the items waiting, not the items ever delivered.  With
    ``max_attempts`` (:func:`_live_due`), by the time each became due through
    ``outbox_due``, so no dead letter is read (review s50O F01) and no retry is
    left behind newer messages (review s51R3 F01).  Each row returned ends with
    the key it was chosen by.  The claim is taken on ``clock``, or the server's
    clock where it is ``None``."""
    lease_end(now, lease)  # refused before anything is sent
    where = [
        "tenant = %(tenant)s",
        "delivered_at IS NULL",
        "dropped_at IS NULL",
        "(claimed_until IS NULL OR claimed_until <= (SELECT at FROM clock))",
    ]
    args: dict[str, Any] = {
        "tenant": tenant,
        "now": now,
        "clock": clock,
        "lease": lease,
        "limit": limit,
    }
    if notifiers is not None:
        where.append("notifier = ANY(%(notifiers)s)")
        args["notifiers"] = sorted(notifiers)
    if max_attempts is None:
        due = (
            f"due AS (SELECT {_ITEM_COLUMNS}, id AS chosen_by FROM {schema}.outbox"
            f" WHERE {' AND '.join(where)}"
            " AND (next_attempt_at IS NULL OR next_attempt_at <= %(now)s)"
            " ORDER BY id LIMIT %(limit)s FOR UPDATE SKIP LOCKED)"
        )
    else:
        args["max_attempts"] = max_attempts
        due = _live_due(schema, " AND ".join(where))
    sql = (
        "WITH RECURSIVE clock AS"
        " (SELECT coalesce(%(clock)s::timestamptz, statement_timestamp()) AS at),"
        f" {due}"
        f" UPDATE {schema}.outbox AS o SET claimed_until = clock.at + %(lease)s,"
        " claim_offset = clock.at - %(now)s::timestamptz, held_by = NULL FROM due, clock"
        " WHERE o.id = due.id"
        " RETURNING due.id, due.notifier, due.body_json, due.attempts,"
        " due.next_attempt_at, due.last_error, due.chosen_by, o.claimed_until"
    )
    return sql, args


def _live_due(schema: str, waiting: str) -> str:
    """The ``due`` of a claim with a retry limit: of the items ``waiting`` (no live
    claim) with fewer than ``max_attempts`` attempts and due at ``now``, the first
    ``limit`` by the time each became due (its retry time, or the time it was
    queued), then id.

    As SQLite's: the numbers of attempts below the limit, each found by one seek
    into ``outbox_due`` past the one before (``level``), then the first ``limit``
    due of each, those never given a retry time by id and those retried by their
    retry time, each one range of the index, merged: no dead letter is read and
    the cost follows ``limit`` times the numbers of attempts, not the backlog.
    Each range locks what it takes (``SKIP LOCKED``), so a worker claiming beside
    another still fills its batch; the rows not chosen are let go at the commit.
    """
    live = "tenant = %(tenant)s AND delivered_at IS NULL AND dropped_at IS NULL"
    first = f"SELECT min(attempts) FROM {schema}.outbox WHERE {live}"
    lane = f"SELECT {_ITEM_COLUMNS}, {{key}} AS chosen_by FROM {schema}.outbox WHERE {waiting}"
    never = lane.format(key="created_at") + (
        " AND attempts = level.n AND next_attempt_at IS NULL"  # the order: outbox_due's
        " ORDER BY next_attempt_at, id LIMIT %(limit)s FOR UPDATE SKIP LOCKED"
    )
    retried = lane.format(key="next_attempt_at") + (
        " AND attempts = level.n AND next_attempt_at <= %(now)s"
        " ORDER BY next_attempt_at, id LIMIT %(limit)s FOR UPDATE SKIP LOCKED"
    )
    return (
        f"level(n) AS (SELECT ({first} AND attempts < %(max_attempts)s)"
        f" UNION ALL SELECT ({first} AND attempts > level.n AND attempts < %(max_attempts)s)"
        " FROM level WHERE level.n IS NOT NULL),"
        f" lane AS (SELECT l.* FROM level CROSS JOIN LATERAL ({never}) AS l"
        f" UNION ALL SELECT l.* FROM level CROSS JOIN LATERAL ({retried}) AS l),"
        " due AS (SELECT * FROM lane ORDER BY chosen_by, id LIMIT %(limit)s)"
    )


_TOUCHED_AT_ONCE = 16 * _BATCH
"""Touched rows a period's complaints are read by id for; beyond, by the period's walk."""


class _Raced(Exception):
    """The projection's version moved under an append: someone else got there first."""


class _Statements:
    """The SQL of the hot paths, with the schema filled in once."""

    def __init__(self, s: str) -> None:
        self.insert_complaint = (
            f"INSERT INTO {s}.complaints (tenant, id, idempotency_key, intake_json, created_at)"
            " VALUES (%s, %s, %s, %s, %s)"
        )
        self.insert_event = (
            f"INSERT INTO {s}.events (tenant, complaint_id, seq, schema_version, kind, at,"
            " actor, body_json, prev_hash, hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
        )
        names = [c.strip() for c in _ROW_COLUMNS.split(",")]
        self.insert_row = (
            f"INSERT INTO {s}.projection (tenant, {_ROW_COLUMNS}) VALUES (%(tenant)s, "
            + ", ".join(f"%({n})s" for n in names)
            + ")"
        )
        self.update_row = (
            f"UPDATE {s}.projection SET "
            + ", ".join(f"{n} = %({n})s" for n in names if n != "id")
            + ", swept_until = NULL"
            " WHERE tenant = %(tenant)s AND id = %(id)s AND version = %(expected)s"
        )
        self.insert_outbox = (
            f"INSERT INTO {s}.outbox (tenant, notifier, dedupe_key, complaint_id, body_json,"
            " created_at, ledger_seq, claimed_until, held_by, waits_from, waits_at) VALUES (%s,"
            f" %s, %s, %s, %s, %s, %s, {_CLOCK} + %s::interval, %s, %s, 0)"
            " ON CONFLICT (tenant, notifier, dedupe_key) DO NOTHING"
        )
        self.head = (
            "SELECT c.intake_json, c.idempotency_key, e.seq, e.hash"
            f" FROM {s}.complaints AS c LEFT JOIN LATERAL"
            f" (SELECT seq, hash FROM {s}.events WHERE tenant = c.tenant"
            " AND complaint_id = c.id ORDER BY seq DESC LIMIT 1) AS e ON true"
            " WHERE c.tenant = %s AND c.id = %s"
        )
        self.version = f"SELECT max(seq) FROM {s}.events WHERE tenant = %s AND complaint_id = %s"
        similar = (
            "SELECT r.k, p.* FROM unnest(%s::int[], %s::text[], %s::text[],"
            " %s::timestamptz[], %s::timestamptz[], %s::text[], %s::bigint[])"
            " AS r(k, site, category, lo, hi, building, cap) CROSS JOIN LATERAL ("
            "SELECT id, received_at, complainant_key, issue, group_incident"
            f" FROM {s}.projection WHERE tenant = %s AND status <> 'closed'"
            " AND site = r.site AND category = r.category{building}"
            " AND received_at >= r.lo AND received_at <= r.hi"
            " ORDER BY received_at, id LIMIT r.cap) AS p ORDER BY r.k, p.received_at, p.id"
        )
        # open_similar_many: queries naming no building, and those naming one (the
        # building in projection_similar_building's key, not a filter after it)
        self.similar_many = similar.format(building="")
        self.similar_many_by_building = similar.format(building=" AND building = r.building")
        self.load_by = {
            column: (
                "SELECT c.id, c.intake_json, e.schema_version, e.body_json"
                f" FROM {s}.complaints AS c LEFT JOIN {s}.events AS e"
                " ON e.tenant = c.tenant AND e.complaint_id = c.id"
                f" WHERE c.tenant = %s AND c.{column} = %s ORDER BY e.seq"
            )
            for column in ("id", "idempotency_key")
        }
        self.claim_due = (
            f"WITH due AS (SELECT tenant, id FROM {s}.projection"
            " WHERE tenant = %(tenant)s AND next_due IS NOT NULL AND next_due <= %(now)s"
            " AND (swept_until IS NULL OR swept_until <= %(now)s OR swept_until > %(latest)s)"
            " ORDER BY next_due, received_at, id LIMIT %(limit)s FOR UPDATE SKIP LOCKED)"
            f" UPDATE {s}.projection AS p SET swept_until = %(until)s FROM due"
            " WHERE p.tenant = due.tenant AND p.id = due.id"
            " RETURNING " + ", ".join(f"p.{n}" for n in names)
        )
        # each complaint's latest message time (Desk.verify dates its row by it)
        self.last_queued = (
            f"SELECT complaint_id, max(created_at) FROM {s}.outbox WHERE tenant = %s GROUP BY 1"
        )
        self.last_queued_after = (
            f"SELECT complaint_id, max(created_at) FROM {s}.outbox"
            " WHERE tenant = %s AND ledger_seq > %s GROUP BY 1"
        )
        self.overlong_leases = (  # sorted by the caller: ORDER BY id would walk the key
            f"SELECT id FROM {s}.projection WHERE tenant = %s"
            " AND next_due IS NOT NULL AND swept_until > %s"
        )
        # PEN-2: of the period's ids, those whose intake names the person; each intake
        # read by key (the LIMIT keeps the planner from joining the whole table)
        self.about = (
            f"SELECT m.id FROM unnest(%s::text[]) AS m(id), LATERAL"
            f" (SELECT c.intake_json FROM {s}.complaints AS c"
            " WHERE c.tenant = %s AND c.id = m.id LIMIT 1) AS c"
            " WHERE (c.intake_json::json -> 'target' ->> 'staff_id') = %s"
        )
        # the waiting items first (outbox_pending), then grouped: grouping straight from
        # the table would walk the (tenant, notifier, ...) key over every item delivered
        self.overlong_claims = (
            f"SELECT id FROM {s}.outbox WHERE tenant = %s AND delivered_at IS NULL"
            " AND dropped_at IS NULL AND claimed_until IS NOT NULL"
            f" AND claimed_until > {_CLOCK} + %s ORDER BY id"
        )
        self.overlong_retries = (
            f"SELECT id FROM {s}.outbox WHERE tenant = %s AND delivered_at IS NULL"
            " AND dropped_at IS NULL AND next_attempt_at IS NOT NULL"
            " AND ((waits_at = attempts AND next_attempt_at > waits_from + %s)"
            # never tried: whatever its wait columns say (review s54R6 F01)
            # judged from the later of its queueing, the check's now and the clock
            # (greatest ignores a NULL now; review s54R14 F01); attempts below 0 are
            # named by unreadable_retries instead
            " OR (attempts = 0 AND next_attempt_at > greatest(created_at,"
            f" %s::timestamptz, {_CLOCK}) + %s)) AND attempts >= 0 ORDER BY id"
        )
        self.unreadable_retries = (  # typed columns: only a count below 0 (s54R14 F04)
            f"SELECT id FROM {s}.outbox WHERE tenant = %s AND delivered_at IS NULL"
            " AND dropped_at IS NULL AND next_attempt_at IS NOT NULL AND attempts < 0"
            " ORDER BY id"
        )
        self.pending_counts = (
            f"WITH p AS MATERIALIZED (SELECT notifier FROM {s}.outbox WHERE tenant = %s"
            " AND delivered_at IS NULL AND dropped_at IS NULL)"
            " SELECT notifier, count(*) FROM p GROUP BY notifier"
        )
        self.batch = (
            "WITH heads AS (SELECT c.tenant, c.id, c.intake_json, p.version"
            f" FROM {s}.complaints AS c LEFT JOIN {s}.projection AS p"
            " ON p.tenant = c.tenant AND p.id = c.id"
            " WHERE c.tenant = %(tenant)s AND c.id > %(after)s ORDER BY c.id LIMIT %(n)s)"
            " SELECT h.id, h.intake_json, h.version, e.seq, e.kind, e.at, e.actor,"
            " e.body_json, e.prev_hash, e.hash, e.schema_version"
            f" FROM heads AS h LEFT JOIN {s}.events AS e"
            " ON e.tenant = h.tenant AND e.complaint_id = h.id ORDER BY h.id, e.seq"
        )
        # a period's rows touched since a time, or of no known time: two ranges of
        # projection_updated (one OR would walk the period's rows instead)
        self.touched = (
            f"SELECT received_at, id FROM {s}.projection WHERE tenant = %(tenant)s"
            " AND updated_at IS NULL AND received_at >= %(lo)s AND received_at < %(hi)s"
            f" UNION ALL SELECT received_at, id FROM {s}.projection WHERE tenant = %(tenant)s"
            " AND updated_at >= %(touched)s AND received_at >= %(lo)s AND received_at < %(hi)s"
        )
        # VIS-4: the rows received before a time and touched since the period began (or
        # of no known time) with a visit in the period: projection_updated, then each
        # row's events by the primary key; `at` is the body's text, read as a time
        visit = (
            f"EXISTS (SELECT 1 FROM {s}.events AS e WHERE e.tenant = p.tenant"
            " AND e.complaint_id = p.id AND e.kind = 'visited'"
            " AND e.at::timestamptz >= %(lo)s AND e.at::timestamptz < %(hi)s)"
        )
        self.visited = (
            f"SELECT p.received_at, p.id FROM {s}.projection AS p WHERE p.tenant = %(tenant)s"
            f" AND p.updated_at IS NULL AND p.received_at < %(before)s AND {visit}"
            f" UNION ALL SELECT p.received_at, p.id FROM {s}.projection AS p"
            " WHERE p.tenant = %(tenant)s AND p.updated_at >= %(lo)s"
            f" AND p.received_at < %(before)s AND {visit} ORDER BY 1, 2"
        )


def _prepare(
    complaint: Complaint,
    row: ComplaintRow,
    outbox: Sequence[tuple[str, Notification]],
    held: ListenerHold | None = None,
) -> _Prepared:
    if not isinstance(complaint, Complaint):
        raise InvalidInputError("complaint", "expected a Complaint")
    key = effective_key(complaint, row)
    entries = check_outbox(outbox)
    intake_json = encode_intake(complaint.intake)
    events = chain_events(
        complaint.id, complaint.events, version=0, prev_hash=genesis_hash(intake_json)
    )
    last = complaint.events[-1].at if complaint.events else complaint.intake.received_at
    return _Prepared(
        complaint,
        key,
        events,
        entries,
        intake_json,
        _row_params(row, len(events), key),
        require_aware(last, "created_at").astimezone(UTC),
        check_listener_hold(held),
    )


def _event_params(tenant: str, complaint_id: str, e: StoredEvent) -> tuple[Any, ...]:
    return (tenant, complaint_id, e.seq, e.schema_version, *e[1:7])


def _outbox_params(
    tenant: str,
    notifier: str,
    n: Notification,
    seq: int,
    held: ListenerHold | None = None,
    clock: datetime | None = None,
) -> tuple[Any, ...]:
    """An outbox row's values; ``held``: claimed for the hold on ``clock`` (the test's,
    ``None``: the server's, as a claim is), marked with it."""
    created = require_aware(n.created_at, "notification.created_at")
    body = notification_to_json(n)
    lasts, mark = (None, None) if held is None else (held.lasts, held.mark)
    waits_from = created  # a message's wait counts from its queueing (review s51C F03)
    return (
        tenant,
        notifier,
        n.key,
        n.complaint_id,
        body,
        created,
        seq,
        clock,
        lasts,
        mark,
        waits_from,
    )


def _row_params(row: ComplaintRow, version: int, key: str) -> dict[str, Any]:
    return {
        "id": row.id,
        "status": row.status,
        "received_at": require_aware(row.received_at, "row.received_at"),
        "version": version,
        "site": row.site,
        "department": row.department,
        "category": row.category,
        "grade": row.grade,
        "channel": row.channel,
        "validity": row.validity,
        "kind": row.kind,
        "handler": row.handler,
        "rung": row.rung,
        "next_due": None if row.next_due is None else require_aware(row.next_due, "row.next_due"),
        "idempotency_key": key,
        "building": row.building,
        "complainant_key": row.complainant_key,
        "issue": row.issue,
        "group_incident": bool(row.group_incident),
        "updated_at": None
        if row.updated_at is None
        else require_aware(row.updated_at, "row.updated_at"),
        "room_key": row.room_key,
        "breach_due": None
        if row.breach_due is None
        else require_aware(row.breach_due, "row.breach_due"),
    }


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)


class _TolerantTimestamptz(TimestamptzLoader):
    """A ``timestamptz`` Python cannot hold (``infinity``, a year beyond 9999 or BC)
    read as its text, so a row edited to one is named, not a failed read."""

    def load(self, data: Any) -> Any:
        try:
            return super().load(data)
        except psycopg.DataError:
            return bytes(data).decode("utf-8", "replace")


def _tolerant(conn: psycopg.Connection[Any]) -> psycopg.Cursor[Any]:
    """A cursor reading times with :class:`_TolerantTimestamptz` (review s41E F02):
    ``verify`` names such a cell unreadable, and a projection row holding one is a
    :class:`DamagedRecordError` naming the complaint, as SQLite's are."""
    cursor = conn.cursor()
    cursor.adapters.register_loader("timestamptz", _TolerantTimestamptz)
    return cursor


def _created_text(value: Any) -> str:
    """A complaint's creation time as the ledger records it; ``""`` for one the
    library never writes, so the check names it differing from the ledger's."""
    try:
        when = stored_time(value, "created_at")
        return "" if when is None else to_utc_text(when, "created_at")
    except InvalidInputError:
        return ""


_ROW_TIMES = ((2, "received_at"), (13, "next_due"), (19, "updated_at"), (21, "breach_due"))
"""The projection columns read as times: (index in ``_ROW_COLUMNS``, name)."""


def _row_from(r: Sequence[Any]) -> ComplaintRow:
    """A projection row; one holding a time the library does not write raises
    :class:`DamagedRecordError` naming the complaint and the column, never the
    value (review s41E F02)."""
    for i, column in _ROW_TIMES:
        value = r[i]
        if (value is None and i != 2) or type(value) is datetime:
            continue
        raise DamagedRecordError(str(r[0]), f"projection.{column}")
    return ComplaintRow(
        id=r[0],
        status=r[1],
        received_at=r[2].astimezone(UTC),
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
        next_due=_utc(r[13]),
        idempotency_key=r[14],
        building=r[15],
        complainant_key=r[16],
        issue=r[17],
        group_incident=bool(r[18]),
        updated_at=_utc(r[19]),
        room_key=r[20],
        breach_due=_utc(r[21]),
    )


def _item_from(r: Sequence[Any]) -> OutboxItem:
    return OutboxItem(
        id=int(r[0]),
        notifier=r[1],
        notification=notification_from_json(r[2]),
        attempts=int(r[3]),
        next_attempt_at=_utc(r[4]),
        last_error=r[5] or "",
    )


def _chunks(items: Iterable[_T], size: int) -> Iterator[list[_T]]:
    chunk: list[_T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _item_id(item_id: object) -> int:
    if isinstance(item_id, bool) or not isinstance(item_id, int):
        raise InvalidInputError("item_id", "expected an outbox item id (an integer)")
    if not -(2**63) <= item_id < 2**63:
        raise InvalidInputError("item_id", "no outbox item with this id")
    return item_id
