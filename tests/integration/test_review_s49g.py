"""Review s49G: one tenant of a multi-tenant desk attacking (or slowing) another.

F01: the locks a process's threads take while intake decides a group, a
person's matter or a room's (HDL-5, HDL-6, IMP-3) were keyed by site,
building and category, or person or room, alone: tenant B's receipt of the
same person waited for tenant A's (even on another database), went on
unlocked after 10 s, and told B's user by its latency what A was receiving.
They are now keyed by the store's tenant and database too.

F02: on PostgreSQL the ``tenants`` table had no row-level security: a desk
role's connection listed every company of the database and could rewrite
another's ``projection_basis``.  Migration 19 gives it the policy of every
other table; registration, ``for_tenant`` and the unknown-tenant check at
opening go on working as the desk role, the owner role and a superuser.

F03: outbox item (and access-record) numbers are one sequence per database, so
a tenant counts other tenants' messages from the gaps between its own.  Not
renumbered per tenant (that would change the outbox's key in both stores and
every method taking an item number): storage.md no longer promises a tenant
cannot count another's messages, and says exactly what the numbers tell.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest

from complaintcore.adapters.memory_store import MemoryStore
from complaintcore.adapters.postgres_store import SCHEMA_VERSION as PG_SCHEMA_VERSION
from complaintcore.adapters.postgres_store import PostgresStore, migrate
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.core.errors import UnknownTenantError
from complaintcore.core.models import Intake
from complaintcore.desk import Desk
from complaintcore.desk.ports import AccessRecord, ComplaintStore
from complaintcore.testing import make_desk
from tests.helpers import SH
from tests.integration.test_intake_races import intake as race_intake
from tests.integration.test_intake_races import owner
from tests.integration.test_store_contract import NOW, note, registered, row_of
from tests.postgres_server import PgDatabase, documented_desk_grants

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=SH)
WAITED = 3.0  # seconds: far less than the 10 s a thread waits for another's keys (desk.md)


def intake(at: datetime) -> Intake:
    """One owner's leak; both companies receive it (same name, phone, room, building)."""
    return race_intake(owner(1), at)


def two_stores(kind: str, tmp_path: Path) -> tuple[ComplaintStore, ComplaintStore]:
    """Company A's store and company B's, as one web process holds them."""
    if kind == "two tenants, one memory database":
        a = MemoryStore(tenant="sunrise")
        return a, a.for_tenant("moonlight")
    if kind == "two tenants, two files":
        return (
            SqliteStore(tmp_path / "a.sqlite3", tenant="sunrise"),
            SqliteStore(tmp_path / "b.sqlite3", tenant="moonlight"),
        )
    # one tenant name on two databases (two customers both called "sunrise")
    return (
        SqliteStore(tmp_path / "a.sqlite3", tenant="sunrise"),
        SqliteStore(tmp_path / "b.sqlite3", tenant="sunrise"),
    )


@pytest.fixture
def desks_ab(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Desk, Desk]]:
    a, b = two_stores(request.param, tmp_path)
    with make_desk(store=a) as desk_a, make_desk(store=b) as desk_b:
        yield desk_a, desk_b


def stalled_while_storing(
    monkeypatch: pytest.MonkeyPatch, store: ComplaintStore
) -> tuple[threading.Event, threading.Event]:
    """``store.create`` stops (inside intake's locks) until ``go`` is set; ``inside``
    is set once it has stopped: a slow database of company A."""
    inside, go = threading.Event(), threading.Event()
    create: Callable[..., Any] = store.create

    def slow(*args: Any, **kwargs: Any) -> Any:
        inside.set()
        go.wait(30)
        return create(*args, **kwargs)

    monkeypatch.setattr(store, "create", slow)
    return inside, go


@pytest.mark.procedure("HDL-5")
@pytest.mark.procedure("IMP-3")
@pytest.mark.parametrize(
    "desks_ab",
    ["two tenants, one memory database", "two tenants, two files", "one tenant, two files"],
    indirect=True,
)
def test_another_companys_intake_of_the_same_person_never_waits_for_this_ones(
    desks_ab: tuple[Desk, Desk], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A's receipt holds its locks (its store is slow to commit); B's receipt of the
    same person, room and building is stored at once, with no WARNING, while A's
    is still being stored (s49G F01: it waited 10 s, then went on unlocked)."""
    a, b = desks_ab
    inside, go = stalled_while_storing(monkeypatch, a.store)
    a_side = threading.Thread(target=a.receive, args=(intake(T0),), kwargs={"now": T0})
    b_took: list[float] = []

    def b_receives() -> None:
        started = time.monotonic()
        b.receive(intake(T0 + timedelta(minutes=1)), now=T0 + timedelta(minutes=1))
        b_took.append(time.monotonic() - started)

    b_side = threading.Thread(target=b_receives)
    a_side.start()
    try:
        assert inside.wait(30)  # A holds its group's, person's and room's locks
        b_side.start()
        b_side.join(WAITED)
        assert not b_side.is_alive(), "B's intake waited for another company's"
        assert not go.is_set()  # A was still storing all along
    finally:
        go.set()
        a_side.join(30)
        b_side.join(30)
    assert len(b_took) == 1
    assert b_took[0] < WAITED
    assert "not locked" not in caplog.text
    assert len(a.store.rows()) == 1
    assert len(b.store.rows()) == 1


@pytest.mark.procedure("HDL-5")
def test_two_desks_of_one_tenant_on_one_file_still_take_turns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The keys name the database and tenant, so two store objects of one tenant
    on one file still share them: the second receipt of the person waits."""
    path = tmp_path / "desk.sqlite3"
    with (
        make_desk(store=SqliteStore(path, tenant="sunrise")) as a,
        make_desk(store=SqliteStore(path, tenant="sunrise")) as b,
    ):
        inside, go = stalled_while_storing(monkeypatch, a.store)
        a_side = threading.Thread(target=a.receive, args=(intake(T0),), kwargs={"now": T0})
        b_side = threading.Thread(
            target=b.receive,
            args=(intake(T0 + timedelta(minutes=1)),),
            kwargs={"now": T0 + timedelta(minutes=1)},
        )
        a_side.start()
        try:
            assert inside.wait(30)
            b_side.start()
            b_side.join(1.0)
            assert b_side.is_alive()  # waiting for A's locks
        finally:
            go.set()
            a_side.join(30)
            b_side.join(30)
        assert not b_side.is_alive()
        first, second = sorted(b.store.complaints(), key=lambda c: c.intake.received_at)
        assert any(e for e in second.events if type(e).__name__ == "Linked")
        assert first.id != second.id


# --------------------------------------------------------------------------- F02


def _login_role(postgres_server: PgDatabase, role: str, *grants: str) -> str:
    """A plain login role (no superuser, no BYPASSRLS); the URL it connects with."""
    with psycopg.connect(postgres_server.dsn, autocommit=True) as admin:
        admin.execute(f"CREATE ROLE {role} LOGIN")
        for grant in grants:
            admin.execute(grant.format(role=role))
    return postgres_server.dsn.replace("postgres@", f"{role}@", 1)


def _drop_role(postgres_server: PgDatabase, role: str) -> None:
    with psycopg.connect(postgres_server.dsn, autocommit=True) as admin:
        if admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
            admin.execute(f"DROP OWNED BY {role}")
            admin.execute(f"DROP ROLE {role}")


def _desk_role(postgres_server: PgDatabase, schema: str) -> str:
    """The desk role docs/storage.md recommends: SELECT, INSERT, UPDATE on the tables,
    SELECT alone on schema_migrations."""
    return _login_role(postgres_server, f"desk_{schema}", *documented_desk_grants(schema, "{role}"))


@pytest.fixture
def two_companies(postgres_server: PgDatabase, schema: str) -> Iterator[str]:
    """Tenants sunrise and moonlight in one schema (moonlight has kept a basis);
    the desk role's URL."""
    with (
        PostgresStore(postgres_server.dsn, tenant="sunrise", schema=schema) as sunrise,
        sunrise.for_tenant("moonlight", create_tenant=True) as moonlight,
    ):
        assert moonlight.keep_projection_basis("moonlight-basis")
    try:
        yield _desk_role(postgres_server, schema)
    finally:
        _drop_role(postgres_server, f"desk_{schema}")


def test_the_desk_role_sees_and_changes_only_its_own_tenants_row(
    two_companies: str, postgres_server: PgDatabase, schema: str
) -> None:
    """storage.md: policies on every table admit only the connection's tenant's rows,
    and a connection with no tenant set sees nothing."""
    with psycopg.connect(two_companies, autocommit=True) as conn:
        listed = f"SELECT tenant FROM {schema}.tenants ORDER BY tenant"
        assert conn.execute(listed).fetchall() == []  # no tenant set: nothing
        conn.execute("SELECT set_config('complaintcore.tenant', 'sunrise', false)")
        assert conn.execute(listed).fetchall() == [("sunrise",)]
        changed = conn.execute(
            f"UPDATE {schema}.tenants SET projection_basis = 'x' WHERE tenant <> 'sunrise'"
        )
        assert changed.rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(f"INSERT INTO {schema}.tenants (tenant) VALUES ('moonlight2')")
        # every table of the schema with a tenant column is bound, the owner included
        unbound = conn.execute(
            "SELECT c.relname FROM pg_class AS c JOIN information_schema.columns AS i"
            " ON i.table_schema = %s AND i.table_name = c.relname AND i.column_name = 'tenant'"
            " WHERE c.relnamespace = %s::regnamespace AND c.relkind = 'r'"
            " AND NOT (c.relrowsecurity AND c.relforcerowsecurity)",
            (schema, schema),
        ).fetchall()
        assert unbound == []
    with PostgresStore(postgres_server.dsn, tenant="moonlight", schema=schema) as moonlight:
        assert moonlight.projection_basis() == "moonlight-basis"  # untouched


def test_the_desk_role_registers_keeps_and_refuses_tenants_as_before(
    two_companies: str, schema: str
) -> None:
    """Opening for a tenant the database does not keep is refused naming no other;
    ``create_tenant`` and ``for_tenant`` register one; each keeps its own basis."""
    with pytest.raises(UnknownTenantError) as err:
        PostgresStore(two_companies, tenant="stranger", schema=schema)
    assert "sunrise" not in str(err.value)
    assert "moonlight" not in str(err.value)
    with PostgresStore(two_companies, tenant="sunrise", schema=schema) as sunrise:
        assert not sunrise.registered_tenant
        assert sunrise.projection_basis() is None
        assert sunrise.keep_projection_basis("sunrise-basis")
        with sunrise.for_tenant("stranger", create_tenant=True) as stranger:
            assert stranger.registered_tenant
            assert stranger.projection_basis() is None
            assert stranger.keep_projection_basis("stranger-basis")
        with PostgresStore(two_companies, tenant="moonlight", schema=schema) as moonlight:
            assert moonlight.projection_basis() == "moonlight-basis"
        assert sunrise.projection_basis() == "sunrise-basis"


def test_the_owner_role_makes_registers_refuses_and_unregisters_tenants(
    postgres_server: PgDatabase, schema: str
) -> None:
    """A plain role owning the schema (init, migrate --upgrade): row-level security
    binds it too (FORCE), and the unknown-tenant check still sees every tenant."""
    role = f"owner_{schema}"
    owner = _login_role(postgres_server, role, "GRANT CREATE ON DATABASE postgres TO {role}")
    try:
        with PostgresStore(owner, tenant="sunrise", schema=schema) as sunrise:
            assert sunrise.registered_tenant  # an empty database takes its first tenant
            with pytest.raises(UnknownTenantError):
                PostgresStore(owner, tenant="stranger", schema=schema)
            moonlight = sunrise.for_tenant("moonlight", create_tenant=True)
            assert moonlight.registered_tenant
            assert moonlight.unregister_tenant()  # the owner may delete its empty tenant
            moonlight.close()
        with psycopg.connect(owner, autocommit=True) as conn:
            assert conn.execute(f"SELECT tenant FROM {schema}.tenants").fetchall() == []
            assert conn.execute(f"SELECT {schema}.keeps_tenants()").fetchone() == (True,)
        with psycopg.connect(postgres_server.dsn, autocommit=True) as admin:
            kept = admin.execute(f"SELECT tenant FROM {schema}.tenants").fetchall()
        assert kept == [("sunrise",)]
    finally:
        postgres_server.drop_schema(schema)
        _drop_role(postgres_server, role)


def _as_version_18(dsn: str, schema: str) -> None:
    """Take migration 19 back out, as the previous release left the schema."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"ALTER TABLE {schema}.tenants NO FORCE ROW LEVEL SECURITY")
        conn.execute(f"ALTER TABLE {schema}.tenants DISABLE ROW LEVEL SECURITY")
        conn.execute(f"DROP POLICY tenant_rows ON {schema}.tenants")
        conn.execute(f"DROP POLICY owner_counts ON {schema}.tenants")
        conn.execute(f"DROP FUNCTION {schema}.keeps_tenants()")
        conn.execute(f"DELETE FROM {schema}.schema_migrations WHERE version >= 19")


def test_a_schema_of_version_18_is_upgraded_by_its_owner_and_19_applies_again_cleanly(
    two_companies: str, postgres_server: PgDatabase, schema: str
) -> None:
    _as_version_18(postgres_server.dsn, schema)
    with psycopg.connect(two_companies, autocommit=True) as conn:
        conn.execute("SELECT set_config('complaintcore.tenant', 'sunrise', false)")
        assert len(conn.execute(f"SELECT tenant FROM {schema}.tenants").fetchall()) == 2
    with psycopg.connect(postgres_server.dsn, autocommit=True) as conn:
        assert migrate(conn, schema) == 18
        # applied again over itself (versions recorded as missing): no error
        conn.execute(f"DELETE FROM {schema}.schema_migrations WHERE version >= 19")
        assert migrate(conn, schema) == 18
        assert migrate(conn, schema) == PG_SCHEMA_VERSION >= 19
    with psycopg.connect(two_companies, autocommit=True) as conn:
        conn.execute("SELECT set_config('complaintcore.tenant', 'sunrise', false)")
        assert conn.execute(f"SELECT tenant FROM {schema}.tenants").fetchall() == [("sunrise",)]
    with pytest.raises(UnknownTenantError):
        PostgresStore(two_companies, tenant="stranger", schema=schema)
    with PostgresStore(two_companies, tenant="moonlight", schema=schema) as moonlight:
        assert moonlight.projection_basis() == "moonlight-basis"


# --------------------------------------------------------------------------- F03

STORAGE_MD = Path(__file__).parents[2] / "docs" / "storage.md"


def _tenants_section() -> str:
    text = STORAGE_MD.read_text(encoding="utf-8")
    start = text.index("\n## Tenants\n")
    return text[start : text.index("\n## ", start + 1)]


def test_storage_md_no_longer_promises_a_tenant_cannot_count_anothers_messages() -> None:
    section = " ".join(_tenants_section().split())
    assert "claim or count" not in section
    assert "one sequence for the whole database, not per tenant" in section
    assert "the difference of the two numbers less one" in section
    assert "exactly on SQLite, at most that on PostgreSQL" in section
    assert "a database (SQLite file or PostgreSQL schema) of its own" in section


def test_on_one_sqlite_file_the_gap_between_a_tenants_items_is_what_others_queued(
    tmp_path: Path,
) -> None:
    """What storage.md now says, measured: A queues one message, B seven, A one
    more: A's two numbers differ by 7 + 1; access records alike (B: three)."""
    path = tmp_path / "companies.sqlite3"
    with (
        SqliteStore(path, tenant="sunrise") as a,
        SqliteStore(path, tenant="moonlight", create_tenant=True) as b,
    ):
        first = registered("C-1")
        a.create(first, row_of(first), [("email", note("a-1", "C-1"))])
        theirs = registered("C-1")
        b.create(theirs, row_of(theirs), [("email", note(f"b-{n}", "C-1")) for n in range(7)])
        second = registered("C-2")
        a.create(second, row_of(second), [("email", note("a-2", "C-2"))])
        mine = sorted(i.id for i in a.pending(NOW + timedelta(days=1)))
        assert len(mine) == 2
        assert mine[1] - mine[0] - 1 == 7  # B's seven messages

        def viewed(store: SqliteStore, cid: str) -> AccessRecord:
            return store.record_access(AccessRecord(NOW, "SR-101", cid, "callback", "cli", "u"))

        before = viewed(a, "C-1")
        for _ in range(3):
            viewed(b, "C-1")
        after = viewed(a, "C-2")
        assert after.id - before.id - 1 == 3  # B's three access records
