"""Review s53R3 F01: after the tables change owner (``REASSIGN OWNED``), the new
owner's ``migrate --upgrade`` of a re-keying version is refused, as storage.md says
(version 19's ``owner_counts`` policy on ``tenants`` still names the role that
migrated version 19, so the new owner sees no tenant), but the refusal gave it the
desk role's words: "have the tables' owner run: complaintcore migrate --upgrade …",
the very command it had run.

The owner is now told what storage.md says: it owns the tables but does not see
every tenant, which role the policy names, and to run the upgrade as a superuser
(or as that role).  The desk role's refusal reads as before
(test_review_s52r13); nothing is recorded either way.
"""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from click.testing import CliRunner

from complaintcore import SchemaVersionError
from complaintcore.adapters.postgres_store import SCHEMA_VERSION, PostgresStore, upgrade_schema
from complaintcore.cli import main
from complaintcore.testing import make_desk
from tests.integration.test_review_s49g import _drop_role, _login_role
from tests.integration.test_review_s49q import receive
from tests.integration.test_review_s51r16 import owner_url  # noqa: F401 (the first owner)
from tests.integration.test_review_s52k import FLAT, OLD, ROOM_502
from tests.postgres_server import PgDatabase

REKEY = 27
"""PostgreSQL's re-keying version (storage.md's table), taken out to leave schema 26."""


def _where(server: PgDatabase, schema: str, user: str = "") -> str:
    """The database as complaintcore names it (no login), or with ``user``'s."""
    host = server.dsn.partition("@")[2]
    return f"postgresql://{user + '@' if user else ''}{host}?schema={schema}"


def _applied(server: PgDatabase, schema: str) -> int:
    with psycopg.connect(server.dsn, autocommit=True) as conn:
        found = conn.execute(f"SELECT max(version) FROM {schema}.schema_migrations").fetchone()
    assert found is not None
    return int(found[0])


def _room_key(server: PgDatabase, schema: str, cid: str) -> str:
    with psycopg.connect(server.dsn, autocommit=True) as conn:
        found = conn.execute(
            f"SELECT room_key FROM {schema}.projection WHERE id = %s", (cid,)
        ).fetchone()
    assert found is not None
    return str(found[0])


@pytest.fixture
def heir(
    owner_url: str,  # noqa: F811 (the fixture imported above)
    postgres_server: PgDatabase,
    schema: str,
) -> Iterator[tuple[str, str, str]]:
    """Schema 26 made by ``owner_url``'s role (a stale room key, version 27's row
    taken out, as review s52R13 leaves it), then ``REASSIGN OWNED`` to a second plain
    login role: the new owner's URL, the first owner's role and the complaint's id."""
    store = PostgresStore(owner_url, schema=schema, tenant="acme", create_tenant=True)
    with make_desk(store=store) as desk:
        cid = receive(desk, FLAT[1], 0).id  # 3-5F-502
    first = f"owner_{schema}"
    role = f"heir_{schema}"
    url = _login_role(postgres_server, role)
    with psycopg.connect(postgres_server.dsn, autocommit=True) as conn:  # the superuser's
        conn.execute(
            f"UPDATE {schema}.projection SET room_key = %s WHERE id = %s",
            (OLD["3-5F-502"][1], cid),
        )
        conn.execute(f"DELETE FROM {schema}.schema_migrations WHERE version >= {REKEY}")
        conn.execute(f"REASSIGN OWNED BY {first} TO {role}")
        owner = conn.execute(
            "SELECT tableowner FROM pg_tables WHERE schemaname = %s AND tablename = 'tenants'",
            (schema,),
        ).fetchone()
    assert owner == (role,)
    try:
        yield url, first, cid
    finally:
        postgres_server.drop_schema(schema)
        _drop_role(postgres_server, role)


def test_the_new_owner_is_told_to_upgrade_as_a_superuser_not_to_ask_the_owner(
    heir: tuple[str, str, str], postgres_server: PgDatabase, schema: str
) -> None:
    url, first, cid = heir
    with pytest.raises(SchemaVersionError) as refused:
        upgrade_schema(url, schema=schema)
    message = str(refused.value)
    assert message == (
        f"complaint database {_where(postgres_server, schema)}"
        + f": has schema version {REKEY - 1}, but this complaintcore needs {SCHEMA_VERSION},"
        " and this database role owns the tables but does not see every tenant"
        f" (row-level security on tenants: version 19's policy owner_counts names {first});"
        " run the upgrade as a superuser or as a role that policy names:"
        f" complaintcore migrate --upgrade {_where(postgres_server, schema, 'SUPERUSER')}"
    )
    assert "have the tables' owner run" not in message
    assert refused.value.found == REKEY - 1
    assert _applied(postgres_server, schema) == REKEY - 1  # nothing recorded

    # the way out it names: a superuser's upgrade applies it and re-keys the room
    assert upgrade_schema(postgres_server.dsn, schema=schema) == (REKEY - 1, SCHEMA_VERSION)
    assert _room_key(postgres_server, schema, cid) == ROOM_502


def test_with_no_role_left_in_the_policy_the_owner_is_told_to_use_a_superuser(
    heir: tuple[str, str, str], postgres_server: PgDatabase, schema: str
) -> None:
    """``DROP OWNED BY`` the first owner (as before dropping it) takes it out of the
    policy, and a policy left with no role is dropped: no role to name."""
    url, first, _cid = heir
    with psycopg.connect(postgres_server.dsn, autocommit=True) as conn:
        conn.execute(f"DROP OWNED BY {first}")
        assert not conn.execute(
            "SELECT 1 FROM pg_policies WHERE schemaname = %s AND policyname = 'owner_counts'",
            (schema,),
        ).fetchone()
    with pytest.raises(SchemaVersionError) as refused:
        upgrade_schema(url, schema=schema)
    assert str(refused.value).endswith(
        " and this database role owns the tables but does not see every tenant"
        " (row-level security on tenants, and version 19's policy owner_counts names no"
        " role now); run the upgrade as a superuser: complaintcore migrate --upgrade"
        f" {_where(postgres_server, schema, 'SUPERUSER')}"
    )
    assert _applied(postgres_server, schema) == REKEY - 1


def test_the_command_line_says_it_in_chinese_too(
    heir: tuple[str, str, str], postgres_server: PgDatabase, schema: str
) -> None:
    url, first, _cid = heir
    result = CliRunner().invoke(
        main, ["--lang", "zh", "migrate", "--upgrade", f"{url}?schema={schema}"]
    )
    assert result.exit_code == 5, result.output
    assert result.stderr.count("\n") == 1
    assert "当前数据库角色是数据表的所有者" in result.stderr
    assert f"owner_counts 指定的是 {first}" in result.stderr
    assert "请以超级用户" in result.stderr
    assert f"complaintcore migrate --upgrade {_where(postgres_server, schema, 'SUPERUSER')}" in (
        result.stderr
    )
    assert "请让数据表的所有者运行" not in result.stderr
    assert _applied(postgres_server, schema) == REKEY - 1
