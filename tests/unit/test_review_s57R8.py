"""Review s57R8.

F05: a group incident's member owes the HDL-6 site visit (and its notice) whenever
it joins the incident, also when a sweep lifted it to the project manager's rung
first (``verify --relink`` run after the cron's sweep on a killed import).

F04: 跟清楚 (REC-2) counts follow-up after the receipt only: a group incident's
HDL-6 report recorded at registration is the receipt's own routing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from complaintcore.core.deadlines import ClockState
from complaintcore.core.models import Escalated, Trigger
from complaintcore.core.validity import Clear, five_clears
from complaintcore.desk import Desk
from complaintcore.testing import RecordingNotifier, make_desk
from tests.integration.test_repeats_at_the_desk import OWNER, T0, intake
from tests.integration.test_store_failures_at_the_desk import FailingSqliteStore, _rows_file
from tests.unit.test_review_s57R3 import NOW, _import, _in_time_order, _neighbours, _stored

LATER = NOW + timedelta(days=20)


def _duty_owed(store: FailingSqliteStore, complaint_id: str) -> int:
    return sum(
        1
        for i in store.pending(T0 + timedelta(days=400), limit=10_000)
        if i.notification.complaint_id == complaint_id and i.notification.topic == "duty_owed"
    )


def _site_visit(desk: Desk, complaint_id: str, now: datetime) -> ClockState:
    (visit,) = [d for d in desk.duties(complaint_id, now) if d.duty.name == "site_visit"]
    return visit.clock.state


@pytest.mark.procedure("HDL-6")
def test_a_relink_after_a_sweep_starts_the_site_visit_of_the_incident_members(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """HDL-6: "a group complaint ... is reported to the project manager at once";
    the report, not the rung, is what the member owes, so one already at the
    project manager's rung by a missed deadline owes the site visit (4 hours) from
    the moment it joins the incident, as the uninterrupted import's member does."""
    who = _neighbours(5)
    path = _rows_file(tmp_path, [(who[4], 0.4, "n4")])
    stores = [FailingSqliteStore(tmp_path / f"d{i}.sqlite3") for i in range(2)]
    try:
        with (
            make_desk(store=stores[0], notifiers=[RecordingNotifier()]) as killed,
            make_desk(store=stores[1], notifiers=[RecordingNotifier()]) as whole,
        ):
            ids = [c.id for c in _stored(killed, who[:4])]
            _stored(whole, who[:4])
            _import(killed, path, monkeypatch, kill=True)
            _import(whole, path, monkeypatch, kill=False)
            for desk in (killed, whole):
                desk.sweep(LATER)  # the cron's sweep runs before the repair
            ladder = [r.code for r in killed.pack.ladder]
            top = ladder.index("project_manager")
            assert all(ladder.index(killed.get(c).state.rung) >= top for c in ids)
            assert all(not killed.get(c).state.group_incident for c in ids)

            assert sorted(killed.relink(LATER)) == sorted(ids)
            assert [killed.get(c).state.group_incident for c in ids] == [True] * 4
            assert [_site_visit(killed, c, LATER) for c in ids] == [ClockState.RUNNING] * 4
            assert [_duty_owed(stores[0], c) for c in ids] == [1] * 4
            late = LATER + timedelta(hours=5)
            assert [_site_visit(killed, c, late) for c in ids] == [ClockState.BREACHED] * 4
            for desk in (killed, whole):
                desk.sweep(late)
            repaired = [(_site_visit(killed, c, late), _duty_owed(stores[0], c)) for c in ids]
            every = _in_time_order(whole)
            uninterrupted = [
                (_site_visit(whole, c, late), _duty_owed(stores[1], c)) for c in every[:4]
            ]
            assert repaired == uninterrupted
            assert killed.relink(late) == []
            assert [_duty_owed(stores[0], c) for c in ids] == [1] * 4  # once
    finally:
        for store in stores:
            store.close()


@pytest.mark.procedure("REC-2")
def test_a_group_incident_just_received_has_no_follow_up_history_yet() -> None:
    """REC-2: 跟清楚 is "the follow-up history"; a group complaint's HDL-6 report to
    the project manager and its assignment, recorded by the receipt itself, are the
    registration's routing, not follow-up.  A later escalation is."""
    with make_desk() as desk:
        c = desk.receive(
            intake(OWNER, T0, "多名业主联名集体投诉，聚集在物业中心反映停车费上涨"), now=T0
        )
        kinds = [e.kind for e in c.events]
        assert "escalated" in kinds
        assert "assigned" in kinds
        clears = five_clears(c.intake, c.events)
        assert not clears.followed
        assert Clear.FOLLOWED in clears.missing()
        later = Escalated(
            at=T0 + timedelta(hours=1),
            actor="SR-201",
            from_rung="project_manager",
            to_rung="general_manager",
            trigger=Trigger.DEADLINE_MISSED,
        )
        assert five_clears(c.intake, (*c.events, later)).followed
