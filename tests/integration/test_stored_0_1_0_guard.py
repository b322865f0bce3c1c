"""A guard's complaint 0.1.0's sweep escalated on IN-5 without recording the handover.

``tests/data/desk-0.1.0-guard.sqlite3.gz`` is a file written by the 0.1.0 code
(``tests/data/make_guard_0_1_0.py`` says how), compressed byte for byte; the
tests unpack a copy.  Night guard SR-302 registered a fee complaint Thu 6 Nov
2025 22:02 and passed it to nobody; 0.1.0's sweep escalated it on
``to_customer_service`` Sat 08:30 and routed nobody, and finance's department
head took it on at the next escalation.  After the upgrade the sweep records
the handover a sweep of today records at that escalation (the desk's forward
to customer service), once, so IN-5 is met late and DL-3's hand-over is met,
as on a fresh desk given the same history (review s34A F03).
"""

from __future__ import annotations

import gzip
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.core.models import Complainant, Forwarded, Intake, Trigger
from complaintcore.core.notes import REACHED_CUSTOMER_SERVICE
from complaintcore.core.stats import to_json_dict
from complaintcore.core.workflow import Assign, Escalate, decide, evolve
from complaintcore.desk import Desk
from complaintcore.testing import make_desk
from tests.helpers import SH

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "desk-0.1.0-guard.sqlite3.gz"
CID = "C-GUARD-1"
RECEIVED = datetime(2025, 11, 6, 22, 2, tzinfo=SH)
OLD_SWEEPS = (datetime(2025, 11, 8, 8, 30, tzinfo=SH), datetime(2025, 11, 12, 8, 30, tzinfo=SH))
UPGRADE = datetime(2025, 11, 24, 9, 5, tzinfo=SH)
WATCHED = ("to_customer_service", "to_department")


@pytest.fixture
def old_file(tmp_path: Path) -> Path:
    path = tmp_path / "desk-0.1.0-guard.sqlite3"
    with gzip.open(FIXTURE, "rb") as packed, path.open("wb") as out:
        shutil.copyfileobj(packed, out)
    return path


def _forwards(desk: Desk) -> list[Forwarded]:
    return [e for e in desk.get(CID).events if isinstance(e, Forwarded)]


def _outcome(desk: Desk) -> tuple[str, dict[str, str], dict[str, int]]:
    """The unit, IN-5's and DL-3's hand-over clocks a week on, November's IN-5 row."""
    clocks = {
        s.name: s.state.value
        for s in desk.clocks(CID, UPGRADE + timedelta(days=7))
        if s.name in WATCHED
    }
    report = to_json_dict(desk.monthly_report(2025, 11, now=UPGRADE))
    in5 = next(r for r in report["clocks"] if r["name"] == "to_customer_service")
    counts = {k: in5[k] for k in ("started", "met", "missed", "breached")}
    return desk.get(CID).state.unit, clocks, counts


@pytest.mark.procedure("IN-5")
@pytest.mark.procedure("DL-3")
def test_the_sweep_records_the_handover_0_1_0_left_out_once(old_file: Path) -> None:
    with make_desk(store=SqliteStore(old_file)) as desk:
        before = desk.get(CID)
        assert before.state.unit == "security"
        assert before.state.handler == "HQ-020"  # taken on above, never handed over
        desk.sweep(UPGRADE)
        (forward,) = _forwards(desk)
        assert (forward.at, forward.actor, forward.to_unit) == (
            UPGRADE,
            "system",
            "customer_service",
        )
        assert forward.note == REACHED_CUSTOMER_SERVICE
        unit, clocks, in5 = _outcome(desk)
        assert unit == "customer_service"
        assert clocks == {"to_customer_service": "missed", "to_department": "met"}
        assert in5 == {"started": 1, "met": 0, "missed": 1, "breached": 0}
        for later in (UPGRADE + timedelta(minutes=5), UPGRADE + timedelta(days=8)):
            desk.sweep(later)
            assert len(_forwards(desk)) == 1  # once
        assert desk.verify(UPGRADE + timedelta(days=8)).ok


@pytest.mark.procedure("IN-5")
@pytest.mark.procedure("DL-3")
def test_the_upgraded_desk_reads_as_the_same_history_on_a_fresh_desk(old_file: Path) -> None:
    """The same guard's complaint and the same sweeps on a desk of today: its sweep
    records the forward at the IN-5 escalation, and nothing more after that."""
    with make_desk(store=SqliteStore(old_file)) as upgraded:
        upgraded.sweep(UPGRADE)
        got = _outcome(upgraded)
    fresh = make_desk()
    guard = Intake(
        complainant=Complainant("王小明", "13812345678", "3-2-1201", "3", "sunrise"),
        channel="in_person",
        received_at=RECEIVED,
        receiver="SR-302",
        receiver_unit="security",
        summary="物业费收费不合理，账单有误",
        site="sunrise",
    )
    fresh.receive(guard, now=RECEIVED, complaint_id=CID, route=False)
    for when in (*OLD_SWEEPS, UPGRADE):
        fresh.sweep(when)
    assert [f.at for f in _forwards(fresh)] == [OLD_SWEEPS[0]]  # no second one
    assert got == _outcome(fresh)


@pytest.mark.procedure("IN-5")
def test_the_first_sweep_takes_it_whatever_its_row_says(old_file: Path) -> None:
    """A release between 0.1.0 and this one swept the upgraded desk on 24 Nov: it
    escalated the late department result to the project manager and wrote the row
    for DL-6's warning days ahead, recording no handover.  The first sweep of this
    release an hour later rewrites the row (another kept basis) and takes the
    complaint at once, not days late."""
    with make_desk(store=SqliteStore(old_file)) as desk:
        store = desk.store
        assert isinstance(store, SqliteStore)
        complaint = desk.get(CID)
        up = Escalate(actor="system", trigger=Trigger.DEADLINE_MISSED, clock="department_result")
        events = decide(complaint, up, desk.pack, UPGRADE)
        held = Assign(actor="system", handler="SR-001", rung="project_manager")
        events += decide(evolve(complaint, events), held, desk.pack, UPGRADE)
        row = desk._projection.row(evolve(complaint, events), UPGRADE, swept=True)
        assert row.next_due is not None
        assert row.next_due > UPGRADE + timedelta(days=5)
        store.append(CID, complaint.version, events, row, [])
        assert store.keep_projection_basis("0" * 64, instead_of=store.projection_basis())
        later = UPGRADE + timedelta(hours=1)
        assert desk.verify(later).ok  # nothing verify names
        desk.sweep(later)
        assert [f.at for f in _forwards(desk)] == [later]
