"""Staged packs at a desk on a real SQLite file: sweeps, routing past earlier handlers,
refusals that store nothing, and a reopened database that still verifies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs
import pytest

from complaintcore import (
    AccessDeniedError,
    Acknowledge,
    Assign,
    Complainant,
    Complaint,
    Desk,
    DeskConfig,
    Intake,
    RequestEscalation,
    Respond,
    TimeBarredError,
    calendar_for_spec,
    load_pack,
)
from complaintcore.adapters.memory_store import MemoryStore
from complaintcore.adapters.staff import load_sample_staff, write_sample_staff
from complaintcore.core.escalation import required_rung_index
from complaintcore.core.models import Grade
from complaintcore.core.rulepack import GradeHandler, RulePack
from complaintcore.core.workflow import Regrade
from complaintcore.testing import make_desk

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
    received: datetime,
    *,
    site: str,
    receiver: str,
    occurred: datetime | None = None,
    summary: str = "Black mould in the bedroom again",
) -> Intake:
    return Intake(
        complainant=Complainant("Alex Smith", "07700 900123", "Flat 4", site=site),
        channel="phone",
        received_at=received,
        receiver=receiver,
        summary=summary,
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


def test_a_late_complaint_is_refused_naming_the_field_not_an_id(tmp_path: Path) -> None:
    """Nothing is stored, so the refusal names ``occurred_at`` and no complaint id a
    clerk would look for in vain, alone and in a batch (review s42A F02)."""
    received = datetime(2025, 6, 2, 10, tzinfo=LONDON)
    late = _intake(
        received, site="harbour", receiver="FS-001", occurred=datetime(2024, 11, 1, tzinfo=LONDON)
    )
    said = (
        "occurred_at: the issue arose more than 6 months before the complaint was received"
        " (SPSO MCHP time limits)"
    )
    with _desk(tmp_path, "scotland-spso") as desk:
        with pytest.raises(TimeBarredError) as err:
            desk.receive(late, now=received)
        assert (str(err.value), err.value.path, err.value.complaint_id) == (said, "occurred_at", "")
        assert "6 months" in err.value.reason
        (refused,) = desk.receive_many([late], now=received)
        assert isinstance(refused, TimeBarredError)
        assert (str(refused), refused.path, refused.complaint_id) == (said, "occurred_at", "")
        assert list(desk.store.complaints()) == []


SPSO_SAMPLE_CATEGORIES = [
    ("Roof leak not repaired", "property_repairs"),
    ("Bins not collected for three weeks", "waste_streets"),
    ("Council tax bill overcharged", "charges"),
    ("The officer on the phone was rude", "staff_conduct"),
    ("A long delay and nobody kept me informed", "service_failure"),
    ("Something else entirely", "other"),
]


@pytest.mark.parametrize(("summary", "category"), SPSO_SAMPLE_CATEGORIES)
def test_an_spso_stage_2_goes_to_an_investigating_officer_not_the_stage_1_responder(
    tmp_path: Path, summary: str, category: str
) -> None:
    """Review s33D F01: the sample staff file routes stage 2 investigations to an
    investigating officer of the service or of customer services; it went back to
    the frontline officer whose stage 1 answer the complainant did not accept."""
    received = datetime(2025, 3, 3, 10, tzinfo=LONDON)  # Monday
    with _desk(tmp_path, "scotland-spso") as desk:
        c = desk.receive(
            _intake(received, site="harbour", receiver="FS-001", summary=summary), now=received
        )
        assert c.state.category == category
        responder = c.state.handler
        c = desk.act(
            c.id,
            Respond(actor=responder, outcome="not_upheld", message="Done as agreed"),
            now=datetime(2025, 3, 5, 10, tzinfo=LONDON),
        )
        c = desk.act(
            c.id, RequestEscalation(actor="FS-001"), now=datetime(2025, 3, 10, 10, tzinfo=LONDON)
        )
        assert c.state.stage == "stage_2"
        assert c.state.handler != responder
        assert c.state.rung == "investigating_officer"
        member = desk.directory.get(c.state.handler)
        assert member is not None
        assert member.rung == "investigating_officer"
        assert desk.verify().ok


def test_an_spso_stage_2_passes_over_an_investigator_who_answered_stage_1(
    tmp_path: Path,
) -> None:
    """Stage 1 missed its 5 working days, so the sweep moved it up to the service's
    investigating officer, who answered it: stage 2 goes to another investigator,
    and the front line may neither take it on nor answer it."""
    received = datetime(2025, 3, 3, 10, tzinfo=LONDON)  # Monday: due Monday 10 March
    with _desk(tmp_path, "scotland-spso") as desk:
        c = desk.receive(
            _intake(received, site="harbour", receiver="FS-001", summary="Roof leak not repaired"),
            now=received,
        )
        assert c.state.handler == "PR-101"
        desk.sweep(datetime(2025, 3, 11, 9, tzinfo=LONDON))
        c = desk.get(c.id)
        assert (c.state.rung, c.state.handler) == ("investigating_officer", "PR-201")
        c = desk.act(
            c.id,
            Respond(actor="PR-201", outcome="not_upheld", message="Roof inspected, no leak"),
            now=datetime(2025, 3, 11, 12, tzinfo=LONDON),
        )
        now = datetime(2025, 3, 12, 10, tzinfo=LONDON)
        c = desk.act(c.id, RequestEscalation(actor="FS-001"), now=now)
        assert (c.state.stage, c.state.handler) == ("stage_2", "IO-201")
        with pytest.raises(AccessDeniedError, match="investigating_officer"):
            desk.act(
                c.id, Assign(actor="IO-201", handler="FS-001", rung="frontline_staff"), now=now
            )
        with pytest.raises(AccessDeniedError, match="investigating_officer"):
            desk.act(c.id, Respond(actor="FS-001", outcome="upheld", message="Sorry"), now=now)
        with pytest.raises(AccessDeniedError):
            desk.act(
                c.id,
                Assign(actor="IO-201", handler="PR-201", rung="investigating_officer"),
                now=now,
            )
        assert desk.get(c.id).version == c.version  # nothing stored by the refusals


def _no_escalation_on(pack_name: str, clock: str) -> RulePack:
    """The pack with ``clock`` escalating nobody, so a breach leaves the next due time
    to the other clocks."""
    pack = load_pack(pack_name)
    clocks = tuple(
        attrs.evolve(c, escalate_on_breach=False) if c.name == clock else c for c in pack.clocks
    )
    return attrs.evolve(pack, clocks=clocks)


def test_a_bulk_import_times_the_response_of_a_complaint_never_acknowledged() -> None:
    """HOC 6.2-6.3 at a desk: two complaints imported together on Wednesday 11 March
    2026, 10:00 GMT.  B was received then: the sweep next acts when its
    acknowledgement (due Wednesday 18 March, 17:00) is at risk, after 80 % of its 47
    working hours (7 on the 11th, 8 on each of 12, 13, 16, 17 and 18 March): 37 h 36
    min from 10:00 on the 11th, Tuesday 17 March at 15:36.  A was received on
    Monday 2 March and its acknowledgement fell due on Monday 9 March at 17:00
    unmet: its response runs from then, at risk after 8 of its 10 working days,
    Thursday 19 March at 17:00.  B goes first, so A's clocks come from a batch
    whose first complaint's response had not started."""
    pack = _no_escalation_on("uk-housing-ombudsman-2024", "stage_1_acknowledge")
    now = datetime(2026, 3, 11, 10, tzinfo=UTC)
    desk = Desk(
        pack=pack,
        store=MemoryStore(),
        directory=load_sample_staff(pack=pack),
        calendar=calendar_for_spec(pack.calendar),
    )
    intakes = [
        _intake(now, site="elm-court", receiver="CS-001"),
        _intake(datetime(2026, 3, 2, 10, tzinfo=UTC), site="elm-court", receiver="CS-001"),
    ]
    b, a = desk.receive_many(intakes, now=now)
    assert isinstance(a, Complaint)
    assert isinstance(b, Complaint)
    assert desk.store.row(b.id).next_due == datetime(2026, 3, 17, 15, 36, tzinfo=LONDON)
    assert desk.store.row(a.id).next_due == datetime(2026, 3, 19, 17, tzinfo=LONDON)
    response = {s.name: s for s in desk.clocks(a.id, now)}["stage_1_response"]
    assert response.due == datetime(2026, 3, 23, 17, tzinfo=LONDON)


def test_the_monthly_report_counts_complaints_under_a_code_without_a_validity_step() -> None:
    """HOC 1.2, VAL-4: three complaints received, acknowledged and answered in November
    2026 (two repairs, one damp and mould) are three valid complaints in the month's
    report, by category and closed, with nobody assessing them."""
    desk = make_desk(pack="uk-housing-ombudsman-2024")
    for i, summary in enumerate(["Boiler broken", "Roof leaking", "Black mould in the bedroom"]):
        at = datetime(2026, 11, 2 + i, 10, tzinfo=UTC)
        c = desk.receive(_intake(at, site="elm-court", receiver="CS-001", summary=summary), now=at)
        handler = c.state.handler
        desk.act(c.id, Acknowledge(actor=handler, definition=summary), now=at + timedelta(days=3))
        desk.act(
            c.id,
            Respond(actor=handler, outcome="not_upheld", message="done"),
            now=datetime(2026, 11, 10, 10, tzinfo=UTC),
        )
    report = desk.monthly_report(2026, 11, now=datetime(2026, 12, 1, 12, tzinfo=UTC))
    totals = report.totals
    assert (totals.received, totals.valid_complaints, totals.unverified) == (3, 3, 0)
    assert {x.key: x.count for x in report.by_category if x.count} == {
        "repairs": 2,
        "damp_mould": 1,
    }


@pytest.mark.procedure("ESC-3")
def test_a_major_complaint_at_stage_2_goes_up_to_the_grades_rung_not_the_stages(
    tmp_path: Path,
) -> None:
    """A host's SPSO pack that also hands major complaints to senior management
    (ESC-3). Stage 2's handler_rung, investigating officer, is a second floor: it
    never lowers the grade's, so a stage 2 complaint regraded major is held by a
    senior manager (review s34C F04)."""
    spso = load_pack("scotland-spso")
    pack = attrs.evolve(spso, grade_handlers=(GradeHandler(Grade.MAJOR, "senior_manager"),))
    desk = Desk(
        pack=pack,
        store=MemoryStore(),
        directory=load_sample_staff(pack=pack),
        calendar=calendar_for_spec(pack.calendar),
    )
    received = datetime(2025, 3, 27, 16, 30, tzinfo=LONDON)
    intake = _intake(received, site="city-centre", receiver="FS-001", summary="Bins not collected")
    c = desk.receive(intake, now=received)
    c = desk.act(
        c.id,
        RequestEscalation(actor=c.state.handler),
        now=datetime(2025, 3, 27, 16, 37, tzinfo=LONDON),
    )
    assert (c.state.stage, c.state.rung) == ("stage_2", "investigating_officer")
    c = desk.act(
        c.id,
        Regrade(actor=c.state.handler, grade="major", reason="a safety risk"),
        now=datetime(2025, 3, 28, 10, tzinfo=LONDON),
    )
    assert (c.state.stage, c.state.grade) == ("stage_2", Grade.MAJOR)
    assert pack.ladder[required_rung_index(c, pack)].code == "senior_manager"
    assert c.state.rung == "senior_manager"
    member = desk.directory.get(c.state.handler)
    assert member is not None
    assert member.rung == "senior_manager"
