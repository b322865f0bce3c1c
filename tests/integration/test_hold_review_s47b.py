"""A process of the previous release delivering beside an upgraded desk whose
listener outlasts its hold (review s47B F01).

storage.md, schema 18 (PostgreSQL 16): a process of the previous release running
beside a new one leaves held messages alone until their hold lapses; hooks.md: a
listener that runs longer than the hold lets the messages go then, late and never
lost.  Once the hold had lapsed, the old process claimed a message with its own
statement, which leaves ``held_by`` alone; when the listener returned,
``release_held`` found the row by that mark and ended the old process's live
claim while it was still sending, and the desk's own pass sent the message a
second time.  Now ``release_held`` lets go only a claim that is still the hold's.

The old process is simulated here by the statements the schema-17 SQLite store
(3f9f2ab, ``SqliteStore.claim``) and the version-15 PostgreSQL store
(``_claim_query``) ran, written out by hand; its ``mark_delivered`` is the
current store's (unchanged since then).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from complaintcore import hookimpl, make_plugin_manager
from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.adapters.postgres_store import PostgresStore
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.adapters.staff import load_sample_staff
from complaintcore.core.models import Complaint
from complaintcore.desk import Desk
from complaintcore.desk.ports import ComplaintStore
from complaintcore.desk.service import LISTENER_HOLD
from complaintcore.rules import load_pack
from complaintcore.testing import RecordingNotifier
from tests.helpers import T0, intake
from tests.postgres_server import PgDatabase

PACK = load_pack("cn-property")
WROTE = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # the store's clock at the commit
LAPSED = WROTE + timedelta(minutes=5, seconds=1)  # LISTENER_HOLD (5 min) has run out
OLD_LEASE = timedelta(minutes=5)  # the lease of the old process's claim (its sends)

OldClaim = Callable[[datetime, datetime], list[int]]
"""The previous release's claim: at the store's clock ``at`` and its ``now``, the ids
it took."""

Marked = Callable[[], int]
"""How many outbox rows still carry a listener hold's mark."""


def _text(at: datetime) -> str:
    """A time as the SQLite store keeps it (``YYYY-MM-DDTHH:MM:SS.ffffff+00:00``)."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def sqlite_marked(path: Path) -> Marked:
    def marked() -> int:
        with closing(sqlite3.connect(path)) as conn:
            return int(
                conn.execute("SELECT count(*) FROM outbox WHERE held_by IS NOT NULL").fetchone()[0]
            )

    return marked


def postgres_marked(dsn: str, schema: str) -> Marked:
    def marked() -> int:
        with psycopg.connect(dsn, autocommit=True) as conn:
            found = conn.execute(f"SELECT count(*) FROM {schema}.outbox WHERE held_by IS NOT NULL")
            row = found.fetchone()
            assert row is not None
            return int(row[0])

    return marked


def sqlite_v17_claim(path: Path) -> OldClaim:
    """``SqliteStore.claim`` of schema 17: picks the due items no live claim holds and
    writes its claim; it knows nothing of ``held_by``."""

    def claim(at: datetime, now: datetime) -> list[int]:
        with closing(sqlite3.connect(path)) as conn, conn:
            ids = [
                int(r[0])
                for r in conn.execute(
                    "SELECT id FROM outbox WHERE delivered_at IS NULL AND dropped_at IS NULL"
                    " AND (next_attempt_at IS NULL OR next_attempt_at <= ?)"
                    " AND (claimed_until IS NULL OR claimed_until <= ?) ORDER BY id",
                    (_text(now), _text(at)),
                )
            ]
            offset = (at - now) // timedelta(microseconds=1)
            conn.executemany(
                "UPDATE outbox SET claimed_until = ?, claim_offset = ? WHERE id = ?",
                [(_text(at + OLD_LEASE), offset, i) for i in ids],
            )
        return ids

    return claim


def postgres_v15_claim(dsn: str, schema: str) -> OldClaim:
    """The claim of the PostgreSQL store at schema version 15, likewise."""

    def claim(at: datetime, now: datetime) -> list[int]:
        with psycopg.connect(dsn, autocommit=True) as conn:
            found = conn.execute(
                "WITH clock AS (SELECT %(clock)s::timestamptz AS at),"
                f" due AS (SELECT id FROM {schema}.outbox WHERE delivered_at IS NULL"
                " AND dropped_at IS NULL"
                " AND (next_attempt_at IS NULL OR next_attempt_at <= %(now)s)"
                " AND (claimed_until IS NULL OR claimed_until <= (SELECT at FROM clock))"
                " ORDER BY id FOR UPDATE SKIP LOCKED)"
                f" UPDATE {schema}.outbox AS o SET claimed_until = clock.at + %(lease)s,"
                " claim_offset = clock.at - %(now)s::timestamptz FROM due, clock"
                " WHERE o.id = due.id RETURNING due.id",
                {"clock": at, "now": now, "lease": OLD_LEASE},
            ).fetchall()
        return sorted(int(r[0]) for r in found)

    return claim


@pytest.fixture(params=["sqlite", "postgres"])
def beside(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[Callable[[Callable[[], datetime]], ComplaintStore], OldClaim, Marked]]:
    """A way to open the upgraded store on a test clock, the old process's claim on
    the same database, and a count of the marks left."""
    if request.param == "sqlite":
        path = tmp_path / "d.db"
        opened = (lambda clock: SqliteStore(path, clock=clock)), sqlite_v17_claim(path)
        yield (*opened, sqlite_marked(path))
    else:
        server: PgDatabase = request.getfixturevalue("postgres_server")
        schema = server.new_schema()
        try:
            yield (
                (lambda clock: PostgresStore(server.dsn, schema=schema, clock=clock)),
                postgres_v15_claim(server.dsn, schema),
                postgres_marked(server.dsn, schema),
            )
        finally:
            server.drop_schema(schema)


class Outlasting:
    """A listener that runs longer than the hold: meanwhile the store's clock passes
    the hold's end and the old process's delivery pass claims what is due."""

    def __init__(self, clock: list[datetime], old_claim: OldClaim) -> None:
        self.clock = clock
        self.old_claim = old_claim
        self.taken: list[int] = []

    @hookimpl
    def complaintcore_on_events(self, complaint: Complaint) -> None:
        self.clock[0] = LAPSED
        self.taken += self.old_claim(LAPSED, T0)


@pytest.mark.parametrize("old_sender", ["delivers", "dies"])
def test_a_listener_outlasting_its_hold_leaves_an_old_processs_claim_alone(
    beside: tuple[Callable[[Callable[[], datetime]], ComplaintStore], OldClaim, Marked],
    old_sender: str,
) -> None:
    """The old process claims the commit's messages once the hold lapsed; the listener
    returns and the desk lets go its hold: the old claim stands, so the desk's own
    pass sends none of them while it lasts (the reviewer's run: sent by both).  If
    the old process delivers them, nothing is ever sent again; if it dies mid-send,
    they go once its claim lapses, once."""
    assert timedelta(minutes=5) == LISTENER_HOLD
    open_store, old_claim, marked = beside
    clock = [WROTE]
    store = open_store(lambda: clock[0])
    listener = Outlasting(clock, old_claim)
    notes = RecordingNotifier()
    desk = Desk(
        pack=PACK,
        store=store,
        directory=load_sample_staff(pack=PACK),
        calendar=calendar_for_spec(PACK.calendar),
        notifiers=[notes],
        plugin_manager=make_plugin_manager([listener], load_entry_points=False),
    )
    complaint = desk.receive(intake(receiver="SR-103"), now=T0)
    assert listener.taken  # the commit's messages, claimed by the old process
    assert marked() == 0  # let go: the claim stands, only the mark is gone
    assert store.pending(T0 + timedelta(minutes=1)) == []
    desk.deliver(T0 + timedelta(minutes=1))
    assert notes.sent == []  # the old process is still sending them
    if old_sender == "delivers":
        for item_id in listener.taken:
            store.mark_delivered(item_id, T0 + timedelta(minutes=1))
        clock[0] = LAPSED + OLD_LEASE
        desk.deliver(T0 + timedelta(minutes=2))
        assert notes.sent == []
    else:
        clock[0] = LAPSED + OLD_LEASE - timedelta(microseconds=1)
        desk.deliver(T0 + timedelta(minutes=2))
        assert notes.sent == []
        clock[0] = LAPSED + OLD_LEASE  # the dead process's claim has lapsed
        desk.deliver(T0 + timedelta(minutes=2))
        assert len(notes.sent) == len(listener.taken)
        assert {n.complaint_id for n, _m in notes.sent} == {complaint.id}
        desk.deliver(T0 + timedelta(minutes=3))
        assert len(notes.sent) == len(listener.taken)
    desk.close()
