"""Review s52R13 F01: a PostgreSQL desk role granted as storage.md said before
review s51R16 (``SELECT, INSERT, UPDATE`` on every table, ``schema_migrations``
included) applied version 27 itself on its first opening: the re-key walks the
tenants ``tenants``' row-level security shows (version 19's ``owner_counts`` policy
admits every row to the role that migrated version 19 only), saw none, re-keyed
nothing and still recorded the version.  The owner's ``migrate --upgrade`` then had
nothing to do, and intake linked against the old keys (IMP-3, GRD-2).

A version whose fill or re-key must see every tenant is now applied only by a role
that does (the tables' owner the policy names, a superuser); any other role is
refused with the owner's command, nothing recorded.

Keys are computed by hand from their documented source (test_review_s52k): with
building ``3栋``, ``5层3号`` was keyed as typed (``room:sunrise|3|5层3``) by
PostgreSQL schema 26 and is ``3栋5层3`` from schema 27 (concepts.md, storage.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from complaintcore import SchemaVersionError
from complaintcore.adapters.postgres_store import SCHEMA_VERSION, PostgresStore, upgrade_schema
from complaintcore.testing import make_desk
from tests.integration.test_review_s49g import _drop_role, _login_role
from tests.integration.test_review_s49q import receive, same_room
from tests.integration.test_review_s51r16 import owner_url  # noqa: F401 (the plain owner)
from tests.integration.test_review_s52k import DOOR, FLAT, OLD, ROOM_502, ROOM_DOOR
from tests.integration.test_verify_after_sweep_ahead import RECEIVE, _by_hand, invoke
from tests.postgres_server import PgDatabase, documented_desk_grants

REKEY = 27
"""PostgreSQL's version whose re-key reads rooms as review s52K does."""
TENANTS = ("acme", "zenith")


def _old_grants(schema: str) -> list[str]:
    """The desk role's grants as storage.md gave them before review s51R16: the
    page's statements without the ``REVOKE`` on ``schema_migrations``."""
    return [g for g in documented_desk_grants(schema, "{role}") if not g.startswith("REVOKE")]


@pytest.fixture(params=["plain-owner", "superuser"])
def owner(
    request: pytest.FixtureRequest, postgres_server: PgDatabase, schema: str
) -> Iterator[str]:
    """The URL of the role that makes the schema and so owns its tables: a plain
    login role (no superuser, no BYPASSRLS), as storage.md has a host set one up
    (review s51R16's ``owner_url``), or the server's superuser."""
    if request.param == "plain-owner":
        yield request.getfixturevalue("owner_url")
        return
    try:
        yield postgres_server.dsn
    finally:
        postgres_server.drop_schema(schema)


def _keys(server: PgDatabase, schema: str) -> list[tuple[str, str, str, str]]:
    """Every tenant's ``(tenant, id, building, room_key)``, read as the superuser."""
    with psycopg.connect(server.dsn, autocommit=True) as conn:
        rows = conn.execute(
            f"SELECT tenant, id, building, room_key FROM {schema}.projection ORDER BY tenant, id"
        ).fetchall()
    return [(str(t), str(i), str(b), str(k)) for t, i, b, k in rows]


def _applied(server: PgDatabase, schema: str) -> int:
    with psycopg.connect(server.dsn, autocommit=True) as conn:
        found = conn.execute(f"SELECT max(version) FROM {schema}.schema_migrations").fetchone()
    assert found is not None
    return int(found[0])


def _as_version_26(owner: str, server: PgDatabase, schema: str) -> dict[str, list[str]]:
    """Two tenants' desks made by the owner, with flat 3-502 typed two ways and door
    3 of floor 5 below building 3栋, their rows keyed and the versions from 27 on
    taken out as PostgreSQL schema 26 left them; each tenant's ids."""
    ids: dict[str, list[str]] = {}
    for tenant in TENANTS:
        store = PostgresStore(owner, schema=schema, tenant=tenant, create_tenant=True)
        with make_desk(store=store) as desk:
            ids[tenant] = [
                receive(desk, FLAT[0], 0).id,
                receive(desk, FLAT[1], 1).id,
                receive(desk, DOOR[0], 2).id,
            ]
    with psycopg.connect(server.dsn, autocommit=True) as conn:  # the superuser's
        for tenant, (_flat, dashed, door) in ids.items():
            for cid, (building, room_key) in ((dashed, OLD["3-5F-502"]), (door, OLD["5层3号"])):
                conn.execute(
                    f"UPDATE {schema}.projection SET building = %s, room_key = %s"
                    " WHERE tenant = %s AND id = %s",
                    (building, room_key, tenant, cid),
                )
        conn.execute(f"DELETE FROM {schema}.schema_migrations WHERE version >= {REKEY}")
    return ids


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
def test_a_desk_role_granted_the_old_way_is_refused_the_rekey_and_records_nothing(
    owner: str, postgres_server: PgDatabase, schema: str
) -> None:
    ids = _as_version_26(owner, postgres_server, schema)
    before = _keys(postgres_server, schema)
    role = f"desk_{schema}"
    desk_url = _login_role(postgres_server, role, *_old_grants(schema))
    try:
        for tenant in TENANTS:
            with pytest.raises(SchemaVersionError) as refused:
                PostgresStore(desk_url, schema=schema, tenant=tenant)
            message = str(refused.value)
            assert f"has schema version {REKEY - 1}, but this complaintcore needs" in message
            assert "have the tables' owner run: complaintcore migrate --upgrade" in message
            assert refused.value.found == REKEY - 1
        assert _applied(postgres_server, schema) == REKEY - 1  # nothing recorded
        assert _keys(postgres_server, schema) == before  # nothing re-keyed

        assert upgrade_schema(owner, schema=schema) == (REKEY - 1, SCHEMA_VERSION)

        # every tenant re-keyed: flat 3-502 one room in both forms, door 3 building 3's
        for tenant in TENANTS:
            flat, dashed, door = ids[tenant]
            keys = {cid: key for t, cid, _b, key in _keys(postgres_server, schema) if t == tenant}
            assert [keys[flat], keys[dashed], keys[door]] == [ROOM_502, ROOM_502, ROOM_DOOR]
            with make_desk(store=PostgresStore(desk_url, schema=schema, tenant=tenant)) as desk:
                again = receive(desk, DOOR[1], 7)  # 3栋5层3号: the same door
                assert same_room(desk, again.id) == [door]
    finally:
        _drop_role(postgres_server, role)


# --------------------------------------------------------------------------- verify's hint

STALE = "0123456789abcdef"
"""A room key no room of the test has: sixteen hex digits, as an old release wrote."""


@pytest.mark.parametrize(
    ("edit", "value", "upgrade_named"),
    [("room_key", STALE, True), ("building", "9", True), ("next_due", None, False)],
)
def test_verify_names_an_upgrade_the_rows_have_not_had_when_only_their_keys_differ(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    edit: str,
    value: str | None,
    upgrade_named: bool,
) -> None:
    """A row whose building or room key alone is stale is what a re-keying upgrade the
    rows have not had leaves (a previous release still running, a version recorded
    without its re-key): the hint names it.  Another field changed does not."""
    monkeypatch.chdir(tmp_path)
    assert invoke("init", ".").exit_code == 0
    received = invoke(*RECEIVE, "--json")
    assert received.exit_code == 0, received.output
    cid = json.loads(received.stdout)["id"]
    _by_hand(tmp_path, f"UPDATE projection SET {edit} = ?", (value,))
    result = invoke("verify", "--json")
    assert result.exit_code == 5, result.output
    document = json.loads(result.stdout)
    problem = f"complaint {cid}: projection row differs from its history ({edit})"
    assert any(problem in p for p in document["problems"])
    named = [h for h in document["hints"] if "complaintcore upgrade those rows have not had" in h]
    assert bool(named) is upgrade_named
    assert any("'verify --reproject' rewrites the rows" in h for h in document["hints"])
