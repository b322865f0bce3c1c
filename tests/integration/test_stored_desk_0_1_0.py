"""A desk written by complaintcore 0.1.0 still opens, verifies, sweeps and groups.

``tests/data/desk-0.1.0.sqlite`` was written by the 0.1.0 sources (schema
version 2; see ``tests/data/make_desk_0_1_0.py`` for what it holds).  Each test
opens a copy, so the committed file is never migrated in place.
"""

from __future__ import annotations

import shutil
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from complaintcore.adapters.sqlite_store import SCHEMA_VERSION, SqliteStore
from complaintcore.core.deadlines import ClockState
from complaintcore.core.models import Complainant, Grouped, Intake, Trigger
from complaintcore.core.workflow import Apologise
from complaintcore.desk import Desk
from complaintcore.testing import RecordingNotifier, make_desk
from tests.helpers import SH

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "desk-0.1.0.sqlite"
OLD_IDS = [f"C-OLD-{n}" for n in range(1, 8)]


@pytest.fixture
def path(tmp_path: Path) -> Path:
    copy = tmp_path / "desk.sqlite"
    shutil.copyfile(FIXTURE, copy)
    return copy


def _desk(path: Path, notes: RecordingNotifier | None = None) -> Desk:
    return make_desk(store=SqliteStore(path), notifiers=[notes] if notes else [])


def test_the_fixture_is_a_0_1_0_file() -> None:
    conn = sqlite3.connect(FIXTURE)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
        columns = {r[1] for r in conn.execute("PRAGMA table_info(projection)")}
    finally:
        conn.close()
    assert "issue" not in columns


def test_it_opens_migrates_and_verifies(path: Path) -> None:
    with SqliteStore(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        report = store.verify()
        assert report.ok, report.problems
        assert (report.complaints, report.events) == (7, 34)
        rows = {r.id: r for r in store.rows()}
        assert sorted(rows) == OLD_IDS
        # filled in from the stored intakes by the migration
        assert {r.building for r in rows.values()} == {"3"}
        keys = [r.complainant_key for r in rows.values()]
        assert all(len(k) == 16 for k in keys)
        assert len(set(keys)) == 7  # seven different owners
        assert not any(r.issue for r in rows.values())
        leak = store.load("C-OLD-1")
        assert leak.state.promise_due == datetime(2025, 11, 11, 12, 0, tzinfo=SH)
        found = store.find_by_key("k-1")
        assert found is not None
        assert found.id == "C-OLD-1"


@pytest.mark.procedure("DL-5")
@pytest.mark.procedure("VIS-2")
def test_an_old_desk_is_swept_by_the_new_rules(path: Path) -> None:
    notes = RecordingNotifier()
    with _desk(path, notes) as desk:
        # Tuesday 11 November 12:30: the promise of 12:00 (C-OLD-1) is broken.
        now = datetime(2025, 11, 11, 12, 30, tzinfo=SH)
        report = desk.sweep(now)
        assert ("C-OLD-1", "promise") in report.escalated
        apology = {d.name: d for d in desk.duties("C-OLD-1", now)}["apology"]
        assert apology.state is ClockState.RUNNING
        # owed from 12:00; two hours on the clock (DL-5 "at once"), lunch or not
        assert apology.clock.started_at == datetime(2025, 11, 11, 12, 0, tzinfo=SH)
        assert apology.due == datetime(2025, 11, 11, 14, 0, tzinfo=SH)
        desk.deliver(now)  # the outbox is sent apart from the sweep
        assert "duty_owed" in notes.topics("C-OLD-1")
        desk.act(
            "C-OLD-1",
            Apologise(
                actor="SR-101",
                apology="向业主致歉",
                reason="配件未到货",
                remedy="明天上午十点前更换，免收本次维修费",
            ),
            now=datetime(2025, 11, 11, 13, 30, tzinfo=SH),
        )
        apology = {d.name: d for d in desk.duties("C-OLD-1", now.replace(hour=16))}["apology"]
        assert apology.state is ClockState.MET
        # Wednesday 12 November 17:01: the reply appointed at C-OLD-2's visit is late.
        later = datetime(2025, 11, 12, 17, 1, tzinfo=SH)
        report = desk.sweep(later)
        assert ("C-OLD-2", "visit_reply") in report.escalated
        escalation = desk.get("C-OLD-2").events[-2:]
        assert any(getattr(e, "trigger", None) is Trigger.DEADLINE_MISSED for e in escalation)
        check = desk.verify()
        assert check.ok, check.problems


@pytest.mark.procedure("HDL-5")
@pytest.mark.procedure("HDL-6")
def test_old_open_complaints_are_grouped_with_new_ones(path: Path) -> None:
    with _desk(path) as desk:
        now = datetime(2025, 11, 11, 9, 30, tzinfo=SH)
        new = desk.receive(
            Intake(
                complainant=Complainant("冯七", "13200007777", "3-2-901", "3", "sunrise"),
                channel="phone",
                received_at=now,
                receiver="SR-103",
                summary="楼上漏水，天花板渗水",
                site="sunrise",
            ),
            now=now,
        )
        # Five open leaks in building 3 from five owners within 24 hours, and this one:
        # a concentrated issue (3 or more) and a group incident (5 or more).
        grouped = [e for e in new.events if isinstance(e, Grouped)]
        assert len(grouped) == 1
        assert grouped[0].incident
        assert grouped[0].complainants == 6
        members = {r.id for r in desk.issue(new.state.issue)}
        assert members == {"C-OLD-1", "C-OLD-2", "C-OLD-5", "C-OLD-6", "C-OLD-7", new.id}
        assert desk.verify().ok


@pytest.mark.procedure("IN-6")
def test_a_bypass_stored_by_0_1_0_keeps_its_waiver_and_tracking(path: Path) -> None:
    """C-OLD-3 was sent straight to head office before registrations recorded the
    bypass: registered at head office, it is still one (IN-5 waived, tracked)."""
    now = datetime(2025, 11, 12, 9, 0, tzinfo=SH)
    with _desk(path) as desk:
        clocks = {s.name: s.state for s in desk.clocks("C-OLD-3", now)}
        assert clocks["to_customer_service"] is ClockState.WAIVED
        duties = {d.name: d.owed for d in desk.duties("C-OLD-3", now)}
        assert duties["head_office_tracking"]
        assert desk.verify().ok
