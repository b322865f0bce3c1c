"""Seals on settlements and access records, for desks stored before them (s24B f03).

A desk written before the seals (SQLite schema 8, PostgreSQL schema 5) opens,
gets its stored deliveries, drops and access records sealed as they stand, and
verifies; a forgery made after the upgrade is caught.
"""

from __future__ import annotations

import sqlite3

import pytest

from complaintcore import Desk
from complaintcore.adapters.sqlite_store import MIGRATIONS, SCHEMA_VERSION, SqliteStore
from complaintcore.testing import RecordingNotifier, make_desk
from tests.integration import test_tamper_evidence
from tests.integration.test_tamper_evidence import (
    NOW,
    T0,
    Attacker,
    SqliteAttacker,
    intakes,
)

_SEALS = 9
"""The SQLite schema version that added the seals."""

attacker = test_tamper_evidence.attacker  # the fixture: an attacker on each store


def _unseal(attacker: Attacker) -> None:
    """Make the desk what the release before the seals left on disk."""
    if isinstance(attacker, SqliteAttacker):
        conn = sqlite3.connect(attacker.path, isolation_level=None)
        for column in ("dropped_by", "dropped_os_user", "seal"):
            conn.execute(f"ALTER TABLE outbox DROP COLUMN {column}")
        conn.execute("ALTER TABLE access_log DROP COLUMN seal")
        for version, statements in MIGRATIONS:  # and what came after the seals
            if version > _SEALS:
                for sql in statements:
                    if sql.startswith("CREATE INDEX "):
                        name = sql.removeprefix("CREATE INDEX ").removeprefix("IF NOT EXISTS ")
                        conn.execute(f"DROP INDEX {name.split()[0]}")
        conn.execute(f"PRAGMA user_version = {_SEALS - 1}")
        conn.close()
        return
    attacker.run(
        "ALTER TABLE {s}.outbox DROP COLUMN dropped_by, DROP COLUMN dropped_os_user,"
        " DROP COLUMN seal"
    )
    attacker.run("ALTER TABLE {s}.access_log DROP COLUMN seal")
    for index in ("by_handler", "by_site", "updated", "unstamped"):  # and v7's indexes
        attacker.run(f"DROP INDEX {{s}}.projection_{index}")
    attacker.run("DELETE FROM {s}.schema_migrations WHERE version >= 6")


def _desk(attacker: Attacker) -> Desk:
    return make_desk(store=attacker.open(), notifiers=[RecordingNotifier("log")])


@pytest.mark.procedure("REC-5")
def test_a_desk_stored_before_the_seals_opens_sealed_and_verifies(attacker: Attacker) -> None:
    desk = _desk(attacker)
    list(desk.receive_many(list(intakes(3, T0)), now=T0))
    items = sorted(i for (i,) in attacker.run("SELECT id FROM {s}.outbox"))
    desk.drop_message(items[0], NOW, "obsolete")
    desk.deliver(NOW)
    cid = desk.store.rows()[0].id
    desk.view(cid, "SR-103", now=NOW, purpose="回访")
    desk.store.close()
    _unseal(attacker)

    desk = _desk(attacker)
    try:
        assert desk.verify(NOW).ok
        assert attacker.run("SELECT count(*) FROM {s}.outbox WHERE seal = ''") == [(0,)]
        [(last,)] = attacker.run("SELECT max(id) FROM {s}.outbox")
        attacker.run("UPDATE {s}.outbox SET delivered_at = NULL WHERE id = ?", last)
        attacker.run(
            "INSERT INTO {s}.access_log (tenant, at, actor, complaint_id, purpose, via, os_user)"
            " SELECT tenant, at, 'HQ-001', complaint_id, purpose, via, os_user"
            " FROM {s}.access_log"
        )
        assert desk.store.verify().problems == (
            f"outbox item {last}: its delivery or drop was erased",
            "access record 2: inserted or edited, not by the library",
        )
    finally:
        desk.store.close()


def test_sqlite_schema_version_names_the_seals() -> None:
    [(_version, statements)] = [m for m in MIGRATIONS if m[0] == _SEALS]
    assert any("ADD COLUMN seal" in sql for sql in statements)
    assert SCHEMA_VERSION >= _SEALS
    assert SqliteStore  # the store the first case opens
