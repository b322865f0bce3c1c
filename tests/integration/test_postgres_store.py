"""The PostgreSQL store on a real server (started by tests/postgres_server.py).

The shipped contract first, then what only a server shows: triggers and
row-level security as walls around the rows, versioned migrations, desks in
several processes sharing one database, and bad connection strings, a server
that is down or a connection that drops, each a one-line error that loses
nothing.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from psycopg import errors as pg_errors

from complaintcore.adapters.postgres_store import (
    SCHEMA_VERSION,
    PostgresStore,
    _store_error,
    describe_dsn,
    migrate,
)
from complaintcore.adapters.sqlite_store import SchemaVersionError
from complaintcore.core.errors import (
    ConcurrencyConflictError,
    ConnectionLostError,
    InvalidInputError,
    StoreError,
    UnknownTenantError,
)
from complaintcore.core.models import EvidenceAttached
from complaintcore.core.repeats import room_key
from complaintcore.core.workflow import AttachEvidence, decide, evolve
from complaintcore.desk.ports import AccessRecord, ComplaintStore, VerifyReport
from complaintcore.testing.store_contract import counted
from tests.integration.test_store_contract import (
    NOW,
    MoreOfTheContract,
    attach,
    note,
    registered,
    row_of,
)
from tests.postgres_server import (
    PgDatabase,
    PostgresServer,
    documented_desk_grants,
)


def _raw(dsn: str) -> psycopg.Connection[Any]:
    """A superuser's connection that fires no triggers: an attacker with SQL access."""
    conn = psycopg.connect(dsn, autocommit=True)
    conn.execute("SET session_replication_role = replica")
    return conn


class TestPostgresStore(MoreOfTheContract):
    """The shipped contract on PostgreSQL: tenants share one schema of one database."""

    @pytest.fixture(autouse=True)
    def _database(self, postgres_server: PgDatabase, schema: str) -> None:
        self.dsn = postgres_server.dsn
        self.schema = schema

    def open_store(self, tenant: str) -> ComplaintStore:
        return PostgresStore(
            self.dsn, tenant=tenant, create_tenant=True, schema=self.schema, clock=self.clock
        )

    def tamper(self, store: ComplaintStore, action: str, complaint_id: str, seq: int = 0) -> None:
        s, t = self.schema, store.tenant
        with _raw(self.dsn) as conn:
            if action == "edit_event":
                conn.execute(
                    f"UPDATE {s}.events SET body_json = replace(body_json, 'photo', 'PHOTO')"
                    " WHERE tenant = %s AND complaint_id = %s AND seq = %s",
                    (t, complaint_id, seq),
                )
            elif action == "delete_last_event":
                conn.execute(
                    f"DELETE FROM {s}.events WHERE tenant = %s AND complaint_id = %s AND seq ="
                    f" (SELECT max(seq) FROM {s}.events WHERE tenant = %s AND complaint_id = %s)",
                    (t, complaint_id, t, complaint_id),
                )
            else:
                conn.execute(
                    f"UPDATE {s}.complaints SET intake_json ="
                    " replace(intake_json, '13812345678', '13800000000')"
                    " WHERE tenant = %s AND id = %s",
                    (t, complaint_id),
                )


class TestPostgresStoreAsTheDeskRole(TestPostgresStore):
    """The contract again as the desk role docs/storage.md recommends (``SELECT,
    INSERT, UPDATE``, no superuser): row-level security binds it, and bulk intake
    may not ``COPY`` under it (review s45C F01)."""

    @pytest.fixture(autouse=True)
    def _database(self, postgres_server: PgDatabase, schema: str) -> Iterator[None]:
        self.dsn = postgres_server.dsn
        self.schema = schema
        role = f"desk_{schema}"
        PostgresStore(self.dsn, schema=schema).close()  # the owner makes the tables
        with psycopg.connect(self.dsn, autocommit=True) as admin:
            admin.execute(f"CREATE ROLE {role} LOGIN")
            for grant in documented_desk_grants(schema, role):
                admin.execute(grant)
        self.desk_dsn = self.dsn.replace("postgres@", f"{role}@", 1)
        yield
        with psycopg.connect(self.dsn, autocommit=True) as admin:
            admin.execute(f"DROP OWNED BY {role}")
            admin.execute(f"DROP ROLE {role}")

    def open_store(self, tenant: str) -> ComplaintStore:
        return PostgresStore(
            self.desk_dsn, tenant=tenant, create_tenant=True, schema=self.schema, clock=self.clock
        )


@pytest.fixture
def pg(postgres_server: PgDatabase, schema: str) -> Iterator[PostgresStore]:
    with PostgresStore(postgres_server.dsn, schema=schema) as store:
        yield store


def _history(store: PostgresStore, cid: str = "C-1", extra: int = 3) -> None:
    c = registered(cid)
    store.create(c, row_of(c), [])
    for i in range(extra):
        attach(store, cid, f"photo-{i}")
    assert store.verify().ok


# --------------------------------------------------------------------------- walls


@pytest.mark.procedure("REC-5")
def test_triggers_refuse_edits_from_ordinary_sql(
    pg: PostgresStore, postgres_server: PgDatabase
) -> None:
    _history(pg)
    s = pg.schema
    with psycopg.connect(postgres_server.dsn, autocommit=True) as conn:
        for sql in (
            f"UPDATE {s}.events SET actor = 'x' WHERE seq = 2",
            f"DELETE FROM {s}.events WHERE seq = 4",
            f"TRUNCATE {s}.events CASCADE",
            f"UPDATE {s}.complaints SET intake_json = '{{}}'",
            f"DELETE FROM {s}.complaints",
        ):
            with pytest.raises(psycopg.errors.IntegrityConstraintViolation, match="append-only"):
                conn.execute(sql)
    assert counted(pg.verify()) == VerifyReport(complaints=1, events=4)


@pytest.mark.procedure("REC-5")
def test_verify_finds_an_edit_with_its_hash_recomputed(
    pg: PostgresStore, postgres_server: PgDatabase
) -> None:
    from complaintcore.adapters.chain import event_hash

    _history(pg)
    s = pg.schema
    with _raw(postgres_server.dsn) as conn:
        found = conn.execute(
            f"SELECT prev_hash, body_json FROM {s}.events WHERE complaint_id = 'C-1' AND seq = 2"
        ).fetchone()
        assert found is not None
        prev, body = found
        forged = body.replace("photo-0", "photo-X")
        conn.execute(
            f"UPDATE {s}.events SET body_json = %s, hash = %s"
            " WHERE complaint_id = 'C-1' AND seq = 2",
            (forged, event_hash(prev, "C-1", 2, forged)),
        )
    assert pg.verify().problems == (
        "complaint C-1 event 3: does not link to event 2 (edited or deleted)",
        "complaint C-1: event 2 differs from what the ledger recorded (history rewritten)",
    )


def test_row_level_security_is_a_second_wall(
    pg: PostgresStore, postgres_server: PgDatabase
) -> None:
    """A role that is not the tables' owner sees only its connection's tenant, even in raw SQL."""
    s = pg.schema
    role = f"app_{s}"
    acme = pg.for_tenant("acme", create_tenant=True)
    try:
        _history(acme)
        c = registered("C-9")
        pg.create(c, row_of(c), [("email", note("default-1", "C-9"))])
    finally:
        acme.close()
    with psycopg.connect(postgres_server.dsn, autocommit=True) as admin:
        admin.execute(f"CREATE ROLE {role} LOGIN")
        for grant in documented_desk_grants(s, role):
            admin.execute(grant)
    app_dsn = postgres_server.dsn.replace("postgres@", f"{role}@", 1)
    try:
        with psycopg.connect(app_dsn, autocommit=True) as conn:
            count = f"SELECT count(*) FROM {s}.complaints"
            assert conn.execute(count).fetchone() == (0,)  # no tenant set: nothing at all
            conn.execute("SELECT set_config('complaintcore.tenant', 'acme', false)")
            assert conn.execute(count).fetchone() == (1,)
            assert conn.execute(f"SELECT DISTINCT tenant FROM {s}.events").fetchall() == [("acme",)]
            changed = conn.execute(
                f"UPDATE {s}.outbox SET delivered_at = now() WHERE tenant = 'default'"
            )
            assert changed.rowcount == 0
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(
                    f"INSERT INTO {s}.outbox (tenant, notifier, dedupe_key, complaint_id,"
                    " body_json, created_at) VALUES ('default', 'x', 'k', 'C-9', '{}', now())"
                )
        # The store itself works as that role: it sets its tenant on every connection.
        with PostgresStore(app_dsn, tenant="acme", schema=s) as as_app:
            assert [r.id for r in as_app.rows()] == ["C-1"]
            attach(as_app, "C-1", "as-app")
            assert counted(as_app.verify()) == VerifyReport(complaints=1, events=5)
        assert [i.notification.key for i in pg.pending(NOW)] == ["default-1"]
    finally:
        with psycopg.connect(postgres_server.dsn, autocommit=True) as admin:
            admin.execute(f"DROP OWNED BY {role}")
            admin.execute(f"DROP ROLE {role}")


# --------------------------------------------------------------------------- schema


def test_migrations_are_versioned_and_applied_once(
    postgres_server: PgDatabase, schema: str
) -> None:
    with psycopg.connect(postgres_server.dsn, autocommit=True) as conn:
        assert migrate(conn, schema, target=1) == 0
        assert migrate(conn, schema) == 1  # the rest, once
        assert migrate(conn, schema) == SCHEMA_VERSION  # nothing left
        applied = conn.execute(
            f"SELECT version, description FROM {schema}.schema_migrations ORDER BY version"
        ).fetchall()
    assert [v for v, _ in applied] == list(range(1, SCHEMA_VERSION + 1))
    assert all(d for _, d in applied)
    with PostgresStore(postgres_server.dsn, schema=schema) as store:
        assert store.schema_version == SCHEMA_VERSION
        _history(store, extra=1)


@pytest.mark.procedure("IMP-3")
def test_v3_gives_earlier_rows_their_room_key_for_every_tenant(
    postgres_server: PgDatabase, schema: str
) -> None:
    """... and v4 anchors them in each tenant's ledger, so verify finds the desk whole."""
    dsn = postgres_server.dsn
    for tenant in ("acme", "bravo"):
        with PostgresStore(dsn, tenant=tenant, create_tenant=True, schema=schema) as store:
            c = registered("C-1")
            store.create(c, row_of(c), [])
    with _raw(dsn) as conn:  # as a v2 database was: no room key, no ledger
        conn.execute(f"DROP TABLE {schema}.ledger, {schema}.ledger_heads, {schema}.access_log")
        conn.execute(
            f"ALTER TABLE {schema}.outbox DROP COLUMN ledger_seq, DROP COLUMN dropped_at,"
            " DROP COLUMN drop_reason, DROP COLUMN dropped_by, DROP COLUMN dropped_os_user,"
            " DROP COLUMN seal"  # and what v6 added
        )
        conn.execute(f"ALTER TABLE {schema}.projection DROP COLUMN room_key")
        conn.execute(f"DROP INDEX {schema}.projection_person, {schema}.projection_matter")
        # nor what v4 added (the due order's index, the latest event's time)
        conn.execute(f"DROP INDEX {schema}.projection_due_order")
        conn.execute(f"ALTER TABLE {schema}.projection DROP COLUMN updated_at")
        # (dropping updated_at took v7's projection_updated and projection_unstamped)
        conn.execute(f"DROP INDEX {schema}.projection_by_handler, {schema}.projection_by_site")
        conn.execute(f"DELETE FROM {schema}.schema_migrations WHERE version >= 3")
    for tenant in ("acme", "bravo"):
        with PostgresStore(dsn, tenant=tenant, schema=schema) as store:
            assert store.schema_version == SCHEMA_VERSION
            [row] = store.rows()
            assert row.room_key == room_key("sunrise", "3", "3-2-1201")
            found = store.related(
                site="sunrise", since=NOW - timedelta(days=9), until=NOW, room_key=row.room_key
            )
            assert [e.id for e in found] == ["C-1"]
            report = store.verify()
            assert report.ok, report.problems
            assert report.head.startswith("1:")  # one entry: the complaint stored before


@pytest.mark.procedure("IMP-3")
def test_related_is_answered_from_indexes(pg: PostgresStore, postgres_server: PgDatabase) -> None:
    """Intake asks for every complaint: each part of the query has its index."""
    c = registered("C-1")
    pg.create(c, row_of(c), [])
    day = timedelta(days=1)
    captured: list[tuple[str, Any]] = []
    real = psycopg.Connection.execute

    def spy(self: psycopg.Connection[Any], query: Any, params: Any = None, **kw: Any) -> Any:
        if "UNION ALL" in str(query):
            captured.append((str(query), params))
        return real(self, query, params, **kw)

    psycopg.Connection.execute = spy  # type: ignore[method-assign]
    try:
        pg.related(
            site="sunrise",
            since=NOW - 90 * day,
            until=NOW,
            complainant_key="aaaaaa",
            room_key="bbbbbb",
            building="3",
            category="repairs",
            matter_since=NOW - 30 * day,
            limit=30,
        )
    finally:
        psycopg.Connection.execute = real  # type: ignore[method-assign]
    [(sql, params)] = captured
    with psycopg.connect(postgres_server.dsn, autocommit=True) as conn:
        conn.execute("SET enable_seqscan = off")  # a tiny table: ask whether an index serves
        plan = " ".join(r[0] for r in conn.execute("EXPLAIN " + sql, params).fetchall())
    for index in ("projection_person", "projection_room", "projection_matter"):
        assert index in plan, plan
    assert "Seq Scan" not in plan, plan


def test_a_schema_from_a_newer_complaintcore_is_refused(
    postgres_server: PgDatabase, schema: str
) -> None:
    PostgresStore(postgres_server.dsn, schema=schema).close()
    with psycopg.connect(postgres_server.dsn, autocommit=True) as conn:
        conn.execute(
            f"INSERT INTO {schema}.schema_migrations VALUES (%s, 'from the future')",
            (SCHEMA_VERSION + 5,),
        )
    with pytest.raises(SchemaVersionError) as err:
        PostgresStore(postgres_server.dsn, schema=schema)
    assert (err.value.found, err.value.supported) == (SCHEMA_VERSION + 5, SCHEMA_VERSION)


def test_processes_opening_a_new_database_at_once_migrate_it_once(
    postgres_server: PgDatabase, schema: str
) -> None:
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(4) as pool:
        tenants = pool.starmap(_open_and_report, [(postgres_server.dsn, schema)] * 4)
    assert tenants == ["default"] * 4
    with psycopg.connect(postgres_server.dsn) as conn:
        found = conn.execute(f"SELECT count(*) FROM {schema}.schema_migrations").fetchone()
    assert found == (SCHEMA_VERSION,)


def _open_and_report(dsn: str, schema: str) -> str:
    with PostgresStore(dsn, schema=schema) as store:
        return store.tenant


# --------------------------------------------------------------------------- tenants


def test_a_database_of_another_tenant_is_refused(postgres_server: PgDatabase, schema: str) -> None:
    with PostgresStore(postgres_server.dsn, tenant="acme", schema=schema) as acme:
        _history(acme)
    with pytest.raises(UnknownTenantError) as err:
        PostgresStore(postgres_server.dsn, tenant="bravo", schema=schema)
    message = str(err.value)
    assert "\n" not in message
    assert "bravo" in message
    assert describe_dsn(postgres_server.dsn) in message
    with PostgresStore(postgres_server.dsn, tenant="acme", schema=schema) as acme:
        assert counted(acme.verify()) == VerifyReport(complaints=1, events=4)  # nothing lost


def _tenants(dsn: str, schema: str) -> list[str]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        found = conn.execute(f"SELECT tenant FROM {schema}.tenants ORDER BY tenant")
        return [str(t) for (t,) in found.fetchall()]


def test_a_tenant_is_unregistered_only_by_its_registering_store_and_while_empty(
    postgres_server: PgDatabase, schema: str
) -> None:
    """What a failed ``init`` takes back: the tenant its store registered, and only
    while nothing of it is stored (complaints, the ledger, the access log alone)."""
    dsn = postgres_server.dsn
    with PostgresStore(dsn, tenant="acme", schema=schema) as acme:
        assert acme.registered_tenant  # the first tenant of an empty schema
        _history(acme)
        assert acme.unregister_tenant() is False  # it keeps complaints
        with acme.for_tenant("bravo", create_tenant=True) as bravo:
            assert bravo.registered_tenant
            assert bravo.unregister_tenant() is True
            assert not bravo.registered_tenant
            assert bravo.unregister_tenant() is False  # once
        with acme.for_tenant("carol", create_tenant=True) as carol:
            carol.record_access(AccessRecord(NOW, "s-cs", "C-1", "visit"))
            assert carol.unregister_tenant() is False  # an access record is kept
    assert _tenants(dsn, schema) == ["acme", "carol"]
    with PostgresStore(dsn, tenant="acme", schema=schema) as again:
        assert not again.registered_tenant  # known before this store opened
        assert again.unregister_tenant() is False
        assert counted(again.verify()) == VerifyReport(complaints=1, events=4)  # nothing lost


def test_an_empty_tenant_another_store_registered_is_kept(
    postgres_server: PgDatabase, schema: str
) -> None:
    """A desk set up and not yet used is an empty tenant: a second store that opens
    it did not register it, so its ``unregister_tenant`` returns ``False`` and
    leaves it for the desk that uses it (review s34C F07)."""
    dsn = postgres_server.dsn
    with PostgresStore(dsn, tenant="acme", schema=schema) as acme:
        assert acme.registered_tenant
        acme.for_tenant("bravo", create_tenant=True).close()
    with PostgresStore(dsn, tenant="acme", schema=schema) as again:
        assert not again.registered_tenant  # known before this store opened
        assert again.unregister_tenant() is False
    assert _tenants(dsn, schema) == ["acme", "bravo"]
    with PostgresStore(dsn, tenant="acme", schema=schema) as reopened:  # acme's desk opens
        assert reopened.verify().ok


def test_unregistering_waits_for_a_write_of_the_tenant_and_then_keeps_it(
    postgres_server: PgDatabase, schema: str
) -> None:
    """A complaint stored by another desk meanwhile, still uncommitted when the check
    runs, is waited for and seen: the tenant stays, and no integrity error comes."""
    dsn = postgres_server.dsn
    with PostgresStore(dsn, tenant="acme", schema=schema) as acme:
        _history(acme)
    answer: list[bool | BaseException] = []
    with (
        PostgresStore(dsn, tenant="bravo", create_tenant=True, schema=schema) as bravo,
        psycopg.connect(dsn) as writer,  # a transaction, open until committed
    ):

        def unregister() -> None:
            try:
                answer.append(bravo.unregister_tenant())
            except BaseException as exc:  # reported by the assertion below
                answer.append(exc)

        worker = threading.Thread(target=unregister)
        try:
            writer.execute("SELECT set_config('complaintcore.tenant', 'bravo', true)")
            writer.execute(
                f"INSERT INTO {schema}.complaints (tenant, id, intake_json, created_at)"
                " VALUES ('bravo', 'C-1', '{}', now())"
            )
            worker.start()
            worker.join(1.0)
            waited = worker.is_alive()  # on the tenant's row
        finally:
            writer.commit()
        worker.join(30)
    assert waited
    assert answer == [False]
    assert _tenants(dsn, schema) == ["acme", "bravo"]


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("dsn", "reason"),
    [
        ("postgresql://postgres:s3cret@127.0.0.1:1/db", "cannot be reached"),
        ("postgresql://postgres:s3cret@127.0.0.1:5432:9/db", "not a valid connection string"),
        ("postgresql://postgres:s3cret%zz@127.0.0.1/db", "not a valid connection string"),
        ("postgresql://postgres:s3cret@127.0.0.1/db?sslmod=off", "not a valid connection string"),
    ],
)
def test_a_wrong_dsn_is_one_line_without_the_password(dsn: str, reason: str) -> None:
    with pytest.raises(StoreError) as err:
        PostgresStore(dsn, timeout=3)
    message = str(err.value)
    assert reason in message
    assert "\n" not in message
    assert "s3cret" not in message
    assert message.startswith("complaint database postgresql://")


def test_an_argument_no_text_can_hold_is_bad_input_not_a_database_failure(
    pg: PostgresStore,
) -> None:
    """An id taken from a URL (``/complaints/C-1%00``) is the caller's mistake, as on
    SQLite: an InvalidInputError naming it, never a StoreError that reads as an
    outage.  (A NUL in a lookup matches nothing: test_lookup_text_no_store_holds.py.)"""
    _history(pg)
    with pytest.raises(InvalidInputError) as info:
        pg.stored_keys(["wx-1", "wx-\x00"])
    assert not isinstance(info.value, StoreError)
    assert info.value.path.startswith("keys")
    for call, name in (
        (lambda: pg.load("C-\udcff"), "complaint_id"),
        (lambda: pg.find_by_key("C-\udcff"), "idempotency_key"),
        (lambda: list(pg.rows(site="C-\udcff")), "site"),
    ):
        with pytest.raises(InvalidInputError) as info:
            call()
        assert not isinstance(info.value, StoreError)
        assert info.value.path == name


@pytest.mark.parametrize("how", ["argument", "url"])
def test_a_schema_postgresql_reserves_is_refused_saying_why(
    postgres_server: PgDatabase, how: str
) -> None:
    """Review s36A F04: ``pg_acme`` passed the name check and the server refused it
    with "failed (42939)" alone."""
    dsn, schema = (
        (postgres_server.dsn, "pg_acme")
        if how == "argument"
        else (f"{postgres_server.dsn}?schema=pg_acme", None)
    )
    with pytest.raises(InvalidInputError) as info:
        PostgresStore(dsn, schema=schema)
    assert info.value.path == "schema"
    assert "reserved by PostgreSQL" in info.value.reason


def test_a_user_the_server_does_not_know_is_a_refused_login(postgres_server: PgDatabase) -> None:
    """libpq says 'role "…" does not exist' with no SQLSTATE: a login refused, not a
    server to look for (the URL's user mistyped, or none and the OS user taken)."""
    dsn = postgres_server.dsn.replace("postgres@", "no_such_desk_role:s3cret@", 1)
    with pytest.raises(StoreError) as err:
        PostgresStore(dsn, timeout=3)
    port = postgres_server.dsn.rpartition(":")[2].partition("/")[0]
    assert str(err.value) == (
        f"complaint database postgresql://127.0.0.1:{port}/postgres:"
        " refused the login (wrong user or password)"
    )


@pytest.mark.parametrize(
    ("words", "connected", "reason"),
    [
        ('FATAL:  role "deks" does not exist', False, "refused the login (wrong user or password)"),
        ("fe_sendauth: no password supplied", False, "refused the login (wrong user or password)"),
        (
            'FATAL:  password authentication failed for user "desk"',
            False,
            "refused the login (wrong user or password)",
        ),
        (
            'FATAL:  database "complaints" does not exist',
            False,
            "does not exist (wrong database name?)",
        ),
        (
            "connection refused",
            False,
            "cannot be reached (is the server running, and the host and port right?)",
        ),
        (
            "consuming input failed: server closed the connection unexpectedly",
            True,
            "lost the connection during the operation (a restart, a failover, or its session"
            " was ended); try again",
        ),
        (
            "the connection is lost",
            True,
            "lost the connection during the operation (a restart, a failover, or its session"
            " was ended); try again",
        ),
    ],
)
def test_driver_failures_without_a_sqlstate_are_told_apart(
    words: str, connected: bool, reason: str
) -> None:
    failure = _store_error(
        "postgresql://db/x", psycopg.OperationalError(words), connected=connected
    )
    assert (failure.database, failure.reason) == ("postgresql://db/x", reason)


_LOST_WORDS = (
    "lost the connection during the operation (a restart, a failover, or its session"
    " was ended); try again"
)


@pytest.mark.parametrize(
    ("error", "connected", "reason"),
    [
        (pg_errors.AdminShutdown, True, _LOST_WORDS),  # pg_terminate_backend
        (pg_errors.CrashShutdown, True, _LOST_WORDS),  # another backend crashed
        (pg_errors.CannotConnectNow, True, _LOST_WORDS),
        (pg_errors.QueryCanceled, True, "is shutting down or cancelled the operation; try again"),
        (
            pg_errors.CannotConnectNow,  # while connecting: a server starting or stopping
            False,  # its own words, not a cancelled operation's (review s52R5 F01)
            "is starting up, shutting down or recovering and accepts no connections now; try again",
        ),
        (
            pg_errors.FeatureNotSupported,
            True,
            "refused the operation as not supported for this database role or server (0A000)",
        ),
    ],
)
def test_sessions_the_server_ended_are_lost_connections(
    error: type[psycopg.Error], connected: bool, reason: str
) -> None:
    """The server ending an open connection's session (57P01-57P03) is storage.md's
    "lost the connection"; a cancelled statement keeps class 57's words, and 0A000
    says what it is, not "failed (0A000)" (review s45C F01, F03)."""
    failure = _store_error("postgresql://db/x", error("terminating"), connected=connected)
    assert (failure.database, failure.reason) == ("postgresql://db/x", reason)
    assert isinstance(failure, ConnectionLostError) == (reason == _LOST_WORDS)  # s45C F02


def test_a_database_that_does_not_exist(postgres_server: PgDatabase) -> None:
    dsn = postgres_server.dsn.rsplit("/", 1)[0] + "/no_such_db"
    with pytest.raises(StoreError, match=r"no_such_db: does not exist") as err:
        PostgresStore(dsn, timeout=3)
    assert "\n" not in str(err.value)


def test_a_connection_dropped_mid_append_is_one_error_and_loses_nothing(
    pg: PostgresStore, postgres_server: PgDatabase
) -> None:
    _history(pg, extra=1)
    c = pg.load("C-1")
    events = decide(c, AttachEvidence(actor="s-cs", reference="after"), _pack(), NOW)
    failures: list[BaseException] = []
    with psycopg.connect(postgres_server.dsn) as blocker:
        # Hold the projection row: the append inserts its event, then waits here.
        blocker.execute(f"SELECT 1 FROM {pg.schema}.projection WHERE id = 'C-1' FOR UPDATE")

        def append() -> None:
            try:
                pg.append("C-1", c.version, events, row_of(evolve(c, events)), [])
            except BaseException as exc:  # inspected below
                failures.append(exc)

        worker = threading.Thread(target=append)
        worker.start()
        with psycopg.connect(postgres_server.dsn, autocommit=True) as admin:
            for _ in range(200):  # until the append waits on the lock
                waiting = admin.execute(
                    "SELECT pid FROM pg_stat_activity WHERE application_name = 'complaintcore'"
                    " AND wait_event_type = 'Lock'"
                ).fetchall()
                if waiting:
                    break
                time.sleep(0.05)
            assert waiting, "the append never reached the lock"
            admin.execute("SELECT pg_terminate_backend(%s)", waiting[0])  # the server drops it
        worker.join(30)
        blocker.rollback()
    [failure] = failures
    assert isinstance(failure, StoreError)
    assert "\n" not in str(failure)
    # the server answered all along: not the words for a host or port to check
    assert failure.reason == (  # the kill's SQLSTATE, 57P01, too (review s45C F03)
        "lost the connection during the operation (a restart, a failover, or its session"
        " was ended); try again"
    )
    assert pg.load("C-1") == c  # the event it had inserted went with the transaction
    pg.append("C-1", c.version, events, row_of(evolve(c, events)), [])  # the retry lands once
    assert counted(pg.verify()) == VerifyReport(complaints=1, events=3)


@pytest.mark.procedure("REC-5")
def test_a_write_behind_a_lock_held_elsewhere_fails_after_the_timeout_writing_nothing(
    postgres_server: PgDatabase, schema: str
) -> None:
    """A session that keeps a row locked (a process stopped mid-transaction, an open
    psql) holds a write up for the store's ``timeout``, then the write is one line
    saying so, as SQLite's busy timeout is, never a wait without end (review s38B F02)."""
    with PostgresStore(postgres_server.dsn, schema=schema, timeout=1) as store:
        _history(store, extra=1)
        c = store.load("C-1")
        events = decide(c, AttachEvidence(actor="s-cs", reference="after"), _pack(), NOW)
        with psycopg.connect(postgres_server.dsn) as blocker:
            blocker.execute(f"SELECT 1 FROM {schema}.projection WHERE id = 'C-1' FOR UPDATE")
            started = time.monotonic()
            with pytest.raises(StoreError) as caught:
                store.append("C-1", c.version, events, row_of(evolve(c, events)), [])
            waited = time.monotonic() - started
            blocker.rollback()
        assert caught.value.reason == (
            "is locked by another writer and stayed locked past the timeout; try again"
            " (lock_timeout)"
        )
        assert 0.5 < waited < 20
        assert store.load("C-1") == c  # nothing of it was written
        store.append("C-1", c.version, events, row_of(evolve(c, events)), [])  # the retry lands
        assert counted(store.verify()) == VerifyReport(complaints=1, events=3)


def test_a_server_that_goes_down_and_comes_back(own_postgres_server: PostgresServer) -> None:
    server = own_postgres_server
    with PostgresStore(server.dsn(), timeout=2) as store:
        _history(store, extra=1)
        server.halt()
        with pytest.raises(StoreError) as err:
            store.rows()
        assert "\n" not in str(err.value)
        c = registered("C-2")
        with pytest.raises(StoreError):
            store.create(c, row_of(c), [])
        server.start()
        for _ in range(60):  # the host retries; the pool reconnects on its own
            try:
                store.create(c, row_of(c), [])
                break
            except StoreError:
                time.sleep(0.5)
        assert [r.id for r in store.rows()] == ["C-1", "C-2"]
        assert counted(store.verify()) == VerifyReport(complaints=2, events=3)


def _pack() -> Any:
    from tests.helpers import pack

    return pack()


# --------------------------------------------------------------------------- processes

APPENDS = 25
TARGETS = ("C-1", "C-2")


def _append_worker(dsn: str, schema: str, tag: str, start: Any) -> int:
    conflicts = 0
    with PostgresStore(dsn, schema=schema) as store:
        store.rows(limit=1)  # connected before the start line
        start.wait(120)  # all at once: processes started one by one could miss each other
        for i in range(APPENDS):
            cid = TARGETS[i % len(TARGETS)]
            while True:
                c = store.load(cid)
                events = decide(c, AttachEvidence(actor=tag, reference=f"{tag}-{i}"), _pack(), NOW)
                try:
                    store.append(
                        cid,
                        c.version,
                        events,
                        row_of(evolve(c, events)),
                        [("log", note(f"{tag}-{i}", cid, NOW))],
                    )
                    break
                except ConcurrencyConflictError:
                    conflicts += 1
    return conflicts


@pytest.mark.procedure("REC-5")
def test_processes_on_several_hosts_append_to_the_same_complaints(
    pg: PostgresStore, postgres_server: PgDatabase
) -> None:
    for cid in TARGETS:
        c = registered(cid)
        pg.create(c, row_of(c), [])
    workers = [f"p{i}" for i in range(4)]
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager, ctx.Pool(len(workers)) as pool:
        start = manager.Barrier(len(workers))
        conflicts = pool.starmap(
            _append_worker, [(postgres_server.dsn, pg.schema, w, start) for w in workers]
        )
    assert sum(conflicts) > 0  # they did meet, and recovered
    for n, cid in enumerate(TARGETS):
        c = pg.load(cid)
        refs = [e.reference for e in c.events if isinstance(e, EvidenceAttached)]
        expected = {f"{w}-{i}" for w in workers for i in range(n, APPENDS, len(TARGETS))}
        assert len(refs) == len(set(refs))  # none twice
        assert set(refs) == expected  # none lost
    report = pg.verify()
    assert report.ok, report.problems
    assert report.events == len(TARGETS) + len(workers) * APPENDS
    assert len(pg.pending(NOW + timedelta(days=1), limit=1000)) == len(workers) * APPENDS
