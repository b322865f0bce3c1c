"""Staged packs at a desk on a real SQLite file: sweeps, routing past earlier handlers,
refusals that store nothing, and a reopened database that still verifies."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from complaintcore import (
    Acknowledge,
    Complainant,
    Desk,
    DeskConfig,
    Intake,
    RequestEscalation,
    Respond,
    TimeBarredError,
)
from complaintcore.adapters.staff import write_sample_staff

LONDON = ZoneInfo("Europe/London")


def _desk(tmp_path: Path, pack: str) -> Desk:
    staff = tmp_path / "staff.toml"
    if not staff.exists():
        write_sample_staff(staff, pack=pack)
    config = DeskConfig(
        database=str(tmp_path / "complaints.sqlite3"), pack=pack, staff_file=str(staff)
    )
    return Desk.from_config(config)


def _intake(
    received: datetime, *, site: str, receiver: str, occurred: datetime | None = None
) -> Intake:
    return Intake(
        complainant=Complainant("Alex Smith", "07700 900123", "Flat 4", site=site),
        channel="phone",
        received_at=received,
        receiver=receiver,
        summary="Black mould in the bedroom again",
        site=site,
        occurred_at=occurred,
    )


def test_a_missed_acknowledgement_goes_up_and_stage_2_goes_to_someone_new(tmp_path: Path) -> None:
    received = datetime(2025, 3, 3, 10, tzinfo=LONDON)  # Monday
    with _desk(tmp_path, "uk-housing-ombudsman-2024") as desk:
        c = desk.receive(_intake(received, site="elm-court", receiver="CS-001"), now=received)
        assert c.state.handler == "RP-101"
        # HOC 6.2: not acknowledged by Monday 10 March, 17:00; the sweep on Tuesday
        # moves it up a rung, to the repairs manager
        report = desk.sweep(datetime(2025, 3, 11, 9, tzinfo=LONDON))
        assert report.escalated == ((c.id, "stage_1_acknowledge"),)
        c = desk.get(c.id)
        assert (c.state.rung, c.state.handler) == ("complaints_manager", "RP-201")
        again = desk.sweep(datetime(2025, 3, 11, 9, 30, tzinfo=LONDON))
        assert again.escalated == ()  # once per run

        at = datetime(2025, 3, 11, 10, tzinfo=LONDON)
        desk.act(c.id, Acknowledge(actor="RP-201", definition="Mould"), now=at)
        c = desk.act(
            c.id,
            Respond(actor="RP-201", outcome="not_upheld", message="No leak found"),
            now=datetime(2025, 3, 14, 12, tzinfo=LONDON),
        )
        c = desk.act(
            c.id, RequestEscalation(actor="CS-001"), now=datetime(2025, 3, 17, 10, tzinfo=LONDON)
        )
        # HOC 6.13: neither the officer nor the manager who considered stage 1
        assert c.state.stage == "stage_2"
        assert c.state.handler
        assert c.state.handler not in ("RP-101", "RP-201")
        assert desk.directory.get(c.state.handler) is not None
        assert desk.verify().ok

    with _desk(tmp_path, "uk-housing-ombudsman-2024") as reopened:  # the file, read afresh
        stored = reopened.get(c.id)
        assert stored.state == c.state
        assert reopened.verify().ok


def test_a_late_complaint_is_refused_and_nothing_is_stored(tmp_path: Path) -> None:
    received = datetime(2025, 6, 2, 10, tzinfo=LONDON)
    late = _intake(
        received, site="harbour", receiver="FS-001", occurred=datetime(2024, 11, 1, tzinfo=LONDON)
    )
    with _desk(tmp_path, "scotland-spso") as desk:
        with pytest.raises(TimeBarredError):
            desk.receive(late, now=received)
        assert list(desk.store.complaints()) == []
