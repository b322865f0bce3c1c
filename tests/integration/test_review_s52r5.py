"""Review s52R5 (a PostgreSQL desk when the server misbehaves): a full connection
limit named as such, not as a server to look for (F01); a session the server ends
for idling in a transaction a lost connection (F02); ``deliver --loop`` started
while the server is down waiting it out (F03)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace

import psycopg
import pytest

from complaintcore.adapters.postgres_store import PostgresStore, _store_error
from complaintcore.core.errors import ConnectionLostError, StoreError
from tests.integration.test_cli_conventions import RECEIVE
from tests.integration.test_review_s47f import Stop
from tests.integration.test_upgraded_desks_checked import invoke
from tests.postgres_server import PgDatabase, PostgresServer

# docs/storage.md, Errors: the store's own words, written out by hand
OUT_OF_RESOURCES = "is out of resources (disk full, memory, or too many connections)"
NOT_ACCEPTING = (
    "is starting up, shutting down or recovering and accepts no connections now; try again"
)
UNREACHABLE = "cannot be reached (is the server running, and the host and port right?)"
LOST = (
    "lost the connection during the operation (a restart, a failover, or its session"
    " was ended); try again"
)


def _refused(words: str) -> psycopg.OperationalError:
    """A connection the server refused at login, as libpq reports it: no SQLSTATE."""
    return psycopg.OperationalError(
        f'connection failed: connection to server at "127.0.0.1", port 5432 failed: FATAL:  {words}'
    )


# F01: the server's words for a full connection limit (SQLSTATE 53300) and for a
# server not accepting connections (57P03), as PostgreSQL 15 and 16 write them


@pytest.mark.parametrize(
    ("words", "reason"),
    [
        ("sorry, too many clients already", OUT_OF_RESOURCES),
        (
            "remaining connection slots are reserved for non-replication superuser connections",
            OUT_OF_RESOURCES,
        ),
        (
            "remaining connection slots are reserved for roles with the SUPERUSER attribute",
            OUT_OF_RESOURCES,
        ),
        ('too many connections for role "complaints_desk"', OUT_OF_RESOURCES),
        ('too many connections for database "complaints"', OUT_OF_RESOURCES),
        ("the database system is starting up", NOT_ACCEPTING),
        ("the database system is shutting down", NOT_ACCEPTING),
        ("the database system is in recovery mode", NOT_ACCEPTING),
        ("the database system is not yet accepting connections", NOT_ACCEPTING),
        ("the database system is not accepting connections", NOT_ACCEPTING),
    ],
)
def test_a_login_refused_for_a_full_limit_or_a_server_not_ready_says_so(
    words: str, reason: str
) -> None:
    """Not "cannot be reached": the server runs, and host and port are right."""
    failure = _store_error("postgresql://db/x", _refused(words), connected=False)
    assert (failure.database, failure.reason) == ("postgresql://db/x", reason)
    assert failure.transient  # slots free up as sessions end; a server starts
    assert not isinstance(failure, ConnectionLostError)


def test_a_refused_connection_of_other_words_is_still_unreachable() -> None:
    refused = psycopg.OperationalError(
        'connection failed: connection to server at "127.0.0.1", port 5432 failed:'
        " Connection refused"
    )
    failure = _store_error("postgresql://db/x", refused, connected=False)
    assert failure.reason == UNREACHABLE
    assert failure.transient


@pytest.fixture
def limited_role(postgres_server: PgDatabase) -> Iterator[str]:
    """The DSN of a role allowed one connection (``CONNECTION LIMIT 1``)."""
    role = "cc_limited_s52r5"
    with psycopg.connect(postgres_server.dsn, autocommit=True) as admin:
        admin.execute(f"DROP ROLE IF EXISTS {role}")
        admin.execute(f"CREATE ROLE {role} LOGIN CONNECTION LIMIT 1")
    try:
        yield postgres_server.dsn.replace("://postgres@", f"://{role}@")
    finally:
        with psycopg.connect(postgres_server.dsn, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s",
                (role,),
            )
            admin.execute(f"DROP ROLE IF EXISTS {role}")


def test_a_store_opened_past_its_roles_connection_limit_names_the_limit(
    limited_role: str,
) -> None:
    """The real server's refusal (53300 "too many connections for role"), through
    ``PostgresStore(...)``: the server runs and host and port are right."""
    with psycopg.connect(limited_role) as holder:  # the one slot, taken
        with pytest.raises(StoreError) as caught:
            PostgresStore(limited_role, timeout=3)
        holder.rollback()
    assert caught.value.reason == OUT_OF_RESOURCES
    assert caught.value.transient
    assert str(caught.value).count("\n") == 0
    assert "cc_limited_s52r5" not in str(caught.value)  # no user named (storage.md)


# F02: the server ends a session left idle in a transaction (25P03) or idle (57P05)


@pytest.mark.parametrize(
    "error",
    [psycopg.errors.IdleInTransactionSessionTimeout, psycopg.errors.IdleSessionTimeout],
)
def test_an_idle_session_the_server_ended_is_a_lost_connection(
    error: type[psycopg.Error],
) -> None:
    failure = _store_error("postgresql://db/x", error("terminating connection"))
    assert isinstance(failure, ConnectionLostError)
    assert (failure.reason, failure.transient) == (LOST, True)


def test_a_snapshot_outliving_idle_in_transaction_session_timeout_is_a_lost_connection(
    postgres_server: PgDatabase, schema: str
) -> None:
    """The real server ends the snapshot's session (``Desk.verify`` holds one while
    it hashes); the next try on a fresh connection passes."""
    idle = "?options=-c%20idle_in_transaction_session_timeout%3D100"
    with PostgresStore(postgres_server.dsn + idle, schema=schema, timeout=3) as store:

        def read_with_a_pause() -> None:
            with store.snapshot():
                store.rows()
                time.sleep(0.6)  # longer than the server's 100 ms
                store.rows()

        with pytest.raises(StoreError) as caught:
            read_with_a_pause()
        assert isinstance(caught.value, ConnectionLostError)
        assert (caught.value.reason, caught.value.transient) == (LOST, True)
        with store.snapshot():  # the pool replaced the ended session
            assert store.rows() == []


# F03: deliver --loop started while the server is down


def deliver_waits(
    monkeypatch: pytest.MonkeyPatch, passes: int, then: Callable[[], None] | None = None
) -> list[float]:
    """Record ``deliver --loop``'s own waits (not the connection pool threads', which
    a patched ``time.sleep`` would count too); stop it at wait number ``passes``;
    ``then()`` runs at the first wait."""
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 1 and then is not None:
            then()
        if len(waits) >= passes:
            raise Stop

    monkeypatch.setattr("complaintcore.cli.deliver.time", SimpleNamespace(sleep=sleep))
    return waits


def test_deliver_loop_started_while_the_server_is_down_waits_for_it(
    own_postgres_server: PostgresServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert invoke("init", ".", "--database", own_postgres_server.dsn()).exit_code == 0
    assert invoke(*RECEIVE).exit_code == 0
    own_postgres_server.halt()  # the database host reboots as the service starts
    waits = deliver_waits(monkeypatch, passes=2, then=own_postgres_server.start)
    result = invoke("deliver", "--loop", "--interval", "2")
    # the first opening failed: 2 s, the server is back, a pass, then 2 s
    assert waits == [2, 2]
    assert result.exit_code == 1  # the test's Ctrl-C: "aborted"
    where = f"complaint database postgresql://127.0.0.1:{own_postgres_server.port}/postgres"
    lines = [x for x in result.stderr.splitlines() if x]
    assert lines[0] == f"warning: {where}: {UNREACHABLE} (deliver --loop tries again in 2 s)"
    assert lines[1:] == ["aborted"]


def test_deliver_loop_ends_at_once_on_a_database_that_does_not_exist(
    postgres_server: PgDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not something that passes by itself: exit status 5 with the one line, no wait."""
    monkeypatch.chdir(tmp_path)
    schema = postgres_server.new_schema()
    try:
        url = f"{postgres_server.dsn}?schema={schema}"
        assert invoke("init", ".", "--database", url).exit_code == 0
    finally:
        postgres_server.drop_schema(schema)
    missing = postgres_server.dsn.rsplit("/", 1)[0] + "/no_such_db_s52r5"
    config = tmp_path / "complaintcore.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace(f'"{url}"', f'"{missing}"'), encoding="utf-8")
    waits = deliver_waits(monkeypatch, passes=1)
    result = invoke("deliver", "--loop", "--interval", "2")
    assert (result.exit_code, waits) == (5, [])
    assert result.stderr.strip().endswith("no_such_db_s52r5: does not exist (wrong database name?)")
