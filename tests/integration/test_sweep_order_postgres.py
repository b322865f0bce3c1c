"""SQLite and PostgreSQL sweep complaints due at one instant in one order (review s33D F05).

Under the staged packs every complaint of a day falls due at 17:00 of the same
working day.  Two SPSO complaints received a minute apart, the later one with
the smaller id, are given the same sweeps on a SQLite file and on a PostgreSQL
schema: both stores claim them by time received, then id, so the sweep
escalates them, and queues their messages, in the same order.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from complaintcore import Complainant, Desk, Intake, calendar_for_spec, load_pack
from complaintcore.adapters.postgres_store import PostgresStore
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.adapters.staff import load_sample_staff
from complaintcore.desk.ports import ComplaintStore
from complaintcore.testing import RecordingNotifier
from tests.postgres_server import PgDatabase

LONDON = ZoneInfo("Europe/London")
# Thursday 23 October 2025, after hours: both are due their stage 1 response at
# 17:00 on Wednesday 29 October (5 working days, whatever the hour received)
RECEIVED = {
    "k-1": ("S-2", datetime(2025, 10, 23, 17, 1, tzinfo=LONDON)),
    "k-2": ("S-1", datetime(2025, 10, 23, 17, 2, tzinfo=LONDON)),  # later, smaller id
}
DUE = datetime(2025, 10, 29, 17, tzinfo=LONDON)


@contextmanager
def _desk(store: ComplaintStore) -> Iterator[Desk]:
    """An SPSO desk with the pack's sample staff, holding the two complaints."""
    pack = load_pack("scotland-spso")
    desk = Desk(
        pack=pack,
        store=store,
        directory=load_sample_staff(pack=pack),
        calendar=calendar_for_spec(pack.calendar),
        notifiers=[RecordingNotifier("rec")],
        id_factory=lambda intake: RECEIVED[intake.idempotency_key][0],
    )
    with desk:
        for key, (_cid, at) in RECEIVED.items():
            intake = Intake(
                complainant=Complainant("Alex Smith", "0131 496 0000", "Flat 4", site="harbour"),
                channel="phone",
                received_at=at,
                receiver="FS-001",
                summary="Bins not collected for three weeks",
                site="harbour",
                idempotency_key=key,
            )
            desk.receive(intake, now=at)
        yield desk


def _stores(tmp_path: Path, postgres_server: PgDatabase, schema: str) -> dict[str, ComplaintStore]:
    return {
        "sqlite": SqliteStore(tmp_path / "desk.sqlite3"),
        "postgresql": PostgresStore(postgres_server.dsn, schema=schema),
    }


def test_both_stores_claim_complaints_due_at_one_instant_in_one_order(
    tmp_path: Path, postgres_server: PgDatabase, schema: str
) -> None:
    claimed: dict[str, list[str]] = {}
    for kind, store in _stores(tmp_path, postgres_server, schema).items():
        with _desk(store) as desk:
            assert {r.next_due for r in desk.rows()} == {DUE}
            claimed[kind] = [r.id for _ in RECEIVED for r in store.claim_due(DUE, 1)]
    assert claimed["sqlite"] == ["S-2", "S-1"]  # received first, claimed first
    assert claimed["postgresql"] == claimed["sqlite"]


def test_both_stores_sweep_a_tie_and_queue_its_messages_in_one_order(
    tmp_path: Path, postgres_server: PgDatabase, schema: str
) -> None:
    queued: dict[str, list[tuple[str, str]]] = {}
    for kind, store in _stores(tmp_path, postgres_server, schema).items():
        with _desk(store) as desk:
            until = DUE + timedelta(days=14)
            while dues := [r.next_due for r in desk.rows() if r.next_due and r.next_due <= until]:
                desk.sweep(min(dues) + timedelta(microseconds=1))
            pending = store.pending(until + timedelta(days=1), limit=1000)
            queued[kind] = [(i.notification.topic, i.notification.complaint_id) for i in pending]
    swept = [item for item in queued["sqlite"] if item[0] != "assigned"]
    assert swept[:2] == [("at_risk", "S-2"), ("at_risk", "S-1")]
    assert queued["postgresql"] == queued["sqlite"]
