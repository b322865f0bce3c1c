"""Who complained is matched by a key of sixteen hex digits (review s28B F01).

With six digits, owners of one site shared a key often enough to be taken for
one person: a stranger's first complaint was linked to another owner's history
(IMP-3), counted as raised repeatedly and graded major (GRD-2).  The phone
numbers below are such a pair: ``sha256("tel:+8613800000140")`` and
``sha256("tel:+8613800002011")`` both begin ``87d6f6``.  Stored desks get their
keys made again when they are opened (SQLite schema 11, PostgreSQL schema 8).
"""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import datetime
from pathlib import Path

import psycopg
import pytest

from complaintcore.adapters.postgres_store import SCHEMA_VERSION as PG_SCHEMA
from complaintcore.adapters.postgres_store import PostgresStore
from complaintcore.adapters.sqlite_store import SCHEMA_VERSION as SQLITE_SCHEMA
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.core.models import Complainant, Intake, Linked
from complaintcore.core.workflow import Assess, Promise
from complaintcore.desk import Desk
from complaintcore.testing import make_desk
from tests.helpers import SH
from tests.postgres_server import PgDatabase

A_PHONE, B_PHONE = "13800000140", "13800002011"


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


def _intake(name: str, phone: str, room: str, building: str, summary: str, when: str) -> Intake:
    return Intake(
        complainant=Complainant(name, phone, room, building=building, site="sunrise"),
        channel="phone",
        received_at=_at(when),
        receiver="SR-103",
        summary=summary,
        site="sunrise",
    )


def _same_complainant(desk: Desk, cid: str) -> list[str]:
    return [x for e in desk.get(cid).events if isinstance(e, Linked) for x in e.same_complainant]


def test_the_pair_shared_the_old_six_digit_key() -> None:
    """The premise, computed by hand from the key's documented source."""
    old = {hashlib.sha256(f"tel:+86{p}".encode()).hexdigest()[:6] for p in (A_PHONE, B_PHONE)}
    assert old == {"87d6f6"}


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
def test_two_owners_are_not_taken_for_one_person(tmp_path: Path) -> None:
    """A raised a leak twice and a promise to A was broken; B complains once about
    another room: B is nobody's repeat and takes the default grade (minor); A,
    with two raisings under the pack's three, stays minor too."""
    with make_desk(store=SqliteStore(tmp_path / "c.sqlite3")) as desk:
        a1 = desk.receive(
            _intake("张三", A_PHONE, "1-1-101", "1", "卫生间漏水", "2026-03-02 10:00"),
            now=_at("2026-03-02 10:00"),
        )
        desk.act(a1.id, Assess(actor="SR-201", validity="valid"), now=_at("2026-03-02 10:01"))
        desk.act(
            a1.id,
            Promise(actor="SR-201", due=_at("2026-03-03 17:00"), note="明天修好"),
            now=_at("2026-03-02 10:05"),
        )
        a2 = desk.receive(
            _intake("张三", A_PHONE, "1-1-101", "1", "卫生间还在漏水", "2026-03-05 10:00"),
            now=_at("2026-03-05 10:00"),
        )
        b = desk.receive(
            _intake("李四", B_PHONE, "7-3-702", "7", "厨房漏水", "2026-03-06 10:00"),
            now=_at("2026-03-06 10:00"),
        )
        b = desk.act(b.id, Assess(actor="SR-201", validity="valid"), now=_at("2026-03-06 10:10"))
        assert _same_complainant(desk, a2.id) == [a1.id]  # A's own repeat is still found
        assert _same_complainant(desk, b.id) == []
        assert str(b.state.grade) == "minor"
        assert str(desk.get(a1.id).state.grade) == "minor"


def _downgrade_keys(rows: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """The rows' keys cut to six digits, as schema 10 (SQLite) and 7 (PostgreSQL) kept them."""
    return [(ck[:6], rk[:6], cid) for cid, ck, rk in rows]


@pytest.mark.procedure("IMP-3")
def test_an_sqlite_desk_of_schema_10_gets_its_keys_made_again(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    with make_desk(store=SqliteStore(path)) as desk:
        a1 = desk.receive(
            _intake("张三", A_PHONE, "1-1-101", "1", "卫生间漏水", "2026-03-02 10:00"),
            now=_at("2026-03-02 10:00"),
        )
    conn = sqlite3.connect(path)
    with conn:  # as the release before left it
        rows = conn.execute("SELECT id, complainant_key, room_key FROM projection").fetchall()
        conn.executemany(
            "UPDATE projection SET complainant_key = ?, room_key = ? WHERE id = ?",
            _downgrade_keys(rows),
        )
        conn.execute("PRAGMA user_version = 10")
    conn.close()
    with make_desk(store=SqliteStore(path)) as desk:
        assert desk.store.schema_version == SQLITE_SCHEMA  # type: ignore[attr-defined]
        (row,) = desk.store.rows()
        assert (len(row.complainant_key), len(row.room_key)) == (16, 16)
        assert desk.store.verify().ok
        a2 = desk.receive(
            _intake("张三", A_PHONE, "1-1-101", "1", "卫生间还在漏水", "2026-03-05 10:00"),
            now=_at("2026-03-05 10:00"),
        )
        assert _same_complainant(desk, a2.id) == [a1.id]


@pytest.mark.procedure("IMP-3")
def test_a_postgresql_desk_of_schema_7_gets_its_keys_made_again(
    postgres_server: PgDatabase, schema: str
) -> None:
    dsn = postgres_server.dsn
    with make_desk(store=PostgresStore(dsn, schema=schema)) as desk:
        a1 = desk.receive(
            _intake("张三", A_PHONE, "1-1-101", "1", "卫生间漏水", "2026-03-02 10:00"),
            now=_at("2026-03-02 10:00"),
        )
    with psycopg.connect(dsn, autocommit=True) as conn:  # as the release before left it
        rows = conn.execute(
            f"SELECT id, complainant_key, room_key FROM {schema}.projection"
        ).fetchall()
        for cid, ck, rk in _downgrade_keys([(str(a), str(b), str(c)) for a, b, c in rows]):
            conn.execute(
                f"UPDATE {schema}.projection SET complainant_key = %s, room_key = %s WHERE id = %s",
                (ck, rk, cid),
            )
        conn.execute(f"DELETE FROM {schema}.schema_migrations WHERE version >= 8")
    with make_desk(store=PostgresStore(dsn, schema=schema)) as desk:
        assert desk.store.schema_version == PG_SCHEMA  # type: ignore[attr-defined]
        (row,) = desk.store.rows()
        assert (len(row.complainant_key), len(row.room_key)) == (16, 16)
        a2 = desk.receive(
            _intake("张三", A_PHONE, "1-1-101", "1", "卫生间还在漏水", "2026-03-05 10:00"),
            now=_at("2026-03-05 10:00"),
        )
        assert _same_complainant(desk, a2.id) == [a1.id]
