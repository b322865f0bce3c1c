"""Review s51R16: upgrading a PostgreSQL desk from schema 23 to 26.

F01: version 26 gave the messages neither tried nor retried their queueing time as
``waits_from`` in one ``UPDATE`` with no tenant set.  Run by the tables' owner (the
role docs/storage.md says migrates), which ``FORCE ROW LEVEL SECURITY`` binds, the
policy admitted no row: no message queued before the upgrade got the time, and
``verify`` never named one whose retry time was moved by hand.  The fill now walks
the tenants under row-level security, as the earlier fills do.

F02: the desk role granted ``SELECT, INSERT, UPDATE`` on every table of the schema,
as storage.md recommended, could write ``schema_migrations`` and so mark versions
applied that were not; the owner's upgrade then had nothing to do.  storage.md's
grants now give that role ``SELECT`` alone on ``schema_migrations``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import psycopg
import pytest

from complaintcore.adapters.postgres_store import SCHEMA_VERSION, PostgresStore, upgrade_schema
from tests.integration.test_review_s49g import _drop_role, _login_role
from tests.integration.test_store_contract import NOW, note, registered, row_of
from tests.postgres_server import PgDatabase, documented_desk_grants

QUEUED = datetime.fromisoformat("2025-11-14T09:30:00+08:00")
"""When the test's messages were queued (``note``'s ``created_at``: T0 of tests.helpers)."""


# --------------------------------------------------------------------------- F01


@pytest.fixture
def owner_url(postgres_server: PgDatabase, schema: str) -> Iterator[str]:
    """A plain login role (no superuser, no BYPASSRLS) that makes the schema and so
    owns its tables, as storage.md has a host set one up; the URL it connects with."""
    role = f"owner_{schema}"
    url = _login_role(postgres_server, role, "GRANT CREATE ON DATABASE postgres TO {role}")
    try:
        yield url
    finally:
        postgres_server.drop_schema(schema)
        _drop_role(postgres_server, role)


def _queue_three(store: PostgresStore) -> None:
    """One complaint with three messages: one never tried (left claimed), one failed
    once, one delivered."""
    c = registered("C-1")
    store.create(c, row_of(c), [("default", note(k)) for k in ("waiting", "failed", "delivered")])
    by_key = {i.notification.key: i.id for i in store.claim(NOW)}
    store.mark_failed(by_key["failed"], "ConnectionError: down", NOW)
    store.mark_delivered(by_key["delivered"], NOW)


def _as_version_25(owner: str, schema: str) -> None:
    """Take version 26 (and the later ones) back out, as the previous release left
    the schema (as its owner)."""
    with psycopg.connect(owner, autocommit=True) as conn:
        conn.execute(f"ALTER TABLE {schema}.outbox DROP COLUMN waits_from, DROP COLUMN waits_at")
        conn.execute(f"DELETE FROM {schema}.schema_migrations WHERE version >= 26")


def test_v26_run_by_the_tables_owner_gives_every_tenants_waiting_messages_their_queueing_time(
    owner_url: str, postgres_server: PgDatabase, schema: str
) -> None:
    with (
        PostgresStore(owner_url, tenant="sunrise", schema=schema) as sunrise,
        sunrise.for_tenant("moonlight", create_tenant=True) as moonlight,
    ):
        _queue_three(sunrise)
        _queue_three(moonlight)
    _as_version_25(owner_url, schema)

    assert upgrade_schema(owner_url, schema=schema) == (25, SCHEMA_VERSION)

    with psycopg.connect(postgres_server.dsn, autocommit=True) as admin:  # sees every tenant
        found = admin.execute(
            f"SELECT tenant, dedupe_key, waits_from, waits_at FROM {schema}.outbox"
            " ORDER BY tenant, dedupe_key"
        ).fetchall()
    assert found == [
        ("moonlight", "delivered", None, None),
        ("moonlight", "failed", None, None),
        ("moonlight", "waiting", QUEUED, 0),
        ("sunrise", "delivered", None, None),
        ("sunrise", "failed", None, None),
        ("sunrise", "waiting", QUEUED, 0),
    ]


# --------------------------------------------------------------------------- F02


def test_the_desk_role_granted_as_storage_md_says_reads_but_never_writes_schema_migrations(
    postgres_server: PgDatabase, schema: str
) -> None:
    """The grants of storage.md ("The desk role's grants"), run as the page says: the
    desk role opens its desk and stores a complaint, reads the versions applied, and
    may not record, change or delete one."""
    with PostgresStore(postgres_server.dsn, tenant="sunrise", schema=schema):
        pass  # the schema exists, at the current version
    role = f"desk_{schema}"
    desk = _login_role(postgres_server, role, *documented_desk_grants(schema, "{role}"))
    try:
        with PostgresStore(desk, tenant="sunrise", schema=schema) as store:
            c = registered("C-1")
            store.create(c, row_of(c), [("default", note("registered"))])
            assert [r.id for r in store.rows()] == ["C-1"]
        with psycopg.connect(desk, autocommit=True) as conn:
            versions = f"SELECT max(version) FROM {schema}.schema_migrations"
            current, later = SCHEMA_VERSION, SCHEMA_VERSION + 1
            assert conn.execute(versions).fetchone() == (current,)
            for write in (
                f"INSERT INTO {schema}.schema_migrations VALUES ({later}, 'not applied')",
                f"UPDATE {schema}.schema_migrations SET version = {later}"
                f" WHERE version = {current}",
                f"DELETE FROM {schema}.schema_migrations WHERE version = {current}",
            ):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(write)
            assert conn.execute(versions).fetchone() == (current,)
    finally:
        _drop_role(postgres_server, role)
