"""Review s58R4.

F01: a group incident is one matter (HDL-5, HDL-6): the site visit (ESC-2, 004 篇4
§3.6) recorded on one member is recorded on every open member that owes one, at
the visit's time, so no member is escalated for a visit that was made and each
member's duty is met when the visit was made.

F03: a satisfied return visit leaves the complaint "awaiting return visit" until it
is closed (VIS-3); ``act`` and ``show`` say that the visit was made and the
complaint awaits closure.

F05: a bypass complaint whose complainant does not consent to the site handling it
stays with head office (IN-6): ``forward --no-consent`` is refused naming
``consent`` and saying to assign it at head office, and head office's own staff take
it also after a sweep moved it up the site's ladder, with no ESC-2 trigger.

F02: a pack without stages (cn-property) refuses ``request_escalation``, ``extend``
and ``respond`` in every status: the refusal says the pack has no stages and what
to do instead, not "while <status>".
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from complaintcore.cli import main
from complaintcore.core.deadlines import ClockState
from complaintcore.core.errors import IllegalTransitionError
from complaintcore.core.models import Escalated, SiteVisited, Trigger
from complaintcore.core.workflow import Extend, RequestEscalation, Respond, VisitSite
from complaintcore.desk import Desk
from complaintcore.testing import RecordingNotifier, make_desk
from tests.integration.test_repeats_at_the_desk import T0
from tests.unit.test_review_s57R3 import _neighbours, _stored


def _site_visit(desk: Desk, complaint_id: str, now: datetime) -> tuple[ClockState, datetime | None]:
    (visit,) = [d for d in desk.duties(complaint_id, now) if d.duty.name == "site_visit"]
    return visit.state, visit.clock.stopped_at


@pytest.mark.procedure("HDL-6")
@pytest.mark.procedure("ESC-2")
def test_one_site_visit_of_a_group_incident_discharges_every_member() -> None:
    """HDL-6: five complainants of one building make a group incident reported at
    once; each member owes the visit of ESC-2 (serious: 004 篇4 §3.6).  One visit
    with the owners, recorded on one member, is the visit of all: each member's
    duty is met at the visit's time, and the sweep after the 4 hours escalates
    none for a missed deadline."""
    with make_desk(notifiers=[RecordingNotifier()]) as desk:
        ids = [c.id for c in _stored(desk, _neighbours(5))]
        joined = T0 + timedelta(days=0.4)
        assert all(desk.get(cid).state.group_incident for cid in ids)
        owed = [_site_visit(desk, cid, joined)[0] for cid in ids]
        assert owed == [ClockState.RUNNING] * 5
        visit = joined + timedelta(hours=1)
        desk.act(ids[0], VisitSite(actor="SR-101", findings="lift door sensor failed"), now=visit)
        later = joined + timedelta(hours=6)
        desk.sweep(later)
        for cid in ids:
            assert _site_visit(desk, cid, later) == (ClockState.MET, visit)
            events = desk.get(cid).events
            assert [e.at for e in events if isinstance(e, SiteVisited)] == [visit]
            missed = [
                e
                for e in events
                if isinstance(e, Escalated) and e.trigger is Trigger.DEADLINE_MISSED
            ]
            assert missed == []
        # a second recording of the same visit on another member adds nothing to the others
        desk.act(ids[1], VisitSite(actor="SR-101", findings="same visit"), now=later)
        visits = [sum(isinstance(e, SiteVisited) for e in desk.get(c).events) for c in ids]
        assert visits == [1, 2, 1, 1, 1]


def _cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., str]:
    """A desk made by ``init`` (sample staff, cn-property) and a runner in it that
    gives the output of a command that succeeded, or ``error: …`` with ``fail``."""
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(main, ["init", "desk"]).exit_code == 0
    monkeypatch.chdir(tmp_path / "desk")

    def run(*args: str, fail: bool = False) -> str:
        result = CliRunner().invoke(main, ["--lang", "en", *args])
        if fail:
            assert result.exit_code != 0, result.output
            return result.stderr
        assert result.exit_code == 0, result.output
        return result.output

    return run


@pytest.mark.procedure("VIS-3")
def test_a_satisfied_return_visit_says_the_complaint_awaits_closure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """VIS-3: closed only with the complainant's confirmation; once the visit found
    them satisfied, what is left is the closure, and the CLI says so."""
    run = _cli(tmp_path, monkeypatch)
    received = run(
        "receive", "--json", "--name", "冯刚", "--phone", "13300006666", "--room", "6-1-0201",
        "--building", "6", "--site", "sunrise", "--summary", "电梯坏了", "--receiver", "SR-103",
        "--received-at", "2026-12-07T09:00", "--now", "2026-12-07T09:00",
    )  # fmt: skip
    cid = json.loads(received[received.index("{") :])["id"]
    run("act", cid, "handle", "--actor", "SR-201", "--result", "修好", "--now", "2026-12-08T10:00")
    replied = run(
        "act", cid, "reply", "--final", "--actor", "SR-101", "--message", "已修好",
        "--now", "2026-12-08T11:00",
    )  # fmt: skip
    note = "return visit made, the complainant satisfied: awaiting closure (close, VIS-3)"
    assert note not in replied
    visited = run(
        "act", cid, "visit", "--satisfied", "--actor", "SR-102", "--opinion", "满意",
        "--now", "2026-12-09T10:00",
    )  # fmt: skip
    assert f"done: {cid} is now awaiting return visit\n{note}" in visited
    assert note in run("show", cid, "--now", "2026-12-09T10:06")


def _bypass(run: Callable[..., str]) -> str:
    received = run(
        "receive", "--json", "--name", "林芳", "--phone", "13200008889", "--room", "3-1-0902",
        "--building", "3", "--site", "sunrise", "--summary", "电梯经常坏了没人修",
        "--receiver", "HQ-002", "--via-head-office",
        "--received-at", "2026-12-07T10:00", "--now", "2026-12-07T10:00",
    )  # fmt: skip
    return str(json.loads(received[received.index("{") :])["id"])


@pytest.mark.procedure("IN-6")
def test_no_consent_is_refused_as_head_office_keeping_the_complaint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """IN-6: routed to the management office only with the complainant's consent;
    without it head office keeps it and tracks it to the end."""
    run = _cli(tmp_path, monkeypatch)
    cid = _bypass(run)
    for unit in ("customer_service", "head_office", "engineering"):
        refused = run(
            "act", cid, "forward", "--actor", "HQ-002", "--to", unit, "--no-consent",
            "--now", "2026-12-07T10:30", fail=True,
        )  # fmt: skip
        assert f"complaint {cid}: cannot forward: consent: " in refused
        assert "head office keeps it" in refused
        assert "assign --handler" in refused
        assert "while registered" not in refused


@pytest.mark.procedure("IN-6")
def test_head_office_takes_its_bypass_complaint_after_a_sweep_moved_it_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """IN-6: a bypass complaint without consent is head office's; a sweep lifting it
    (DL-1 missed) does not make head office record an untrue ESC-2 trigger to take
    it on."""
    run = _cli(tmp_path, monkeypatch)
    cid = _bypass(run)
    assert "complaints escalated 1" in run("sweep", "--now", "2026-12-10T18:30")
    done = run(
        "act", cid, "assign", "--actor", "HQ-002", "--handler", "HQ-002",
        "--now", "2026-12-11T09:00",
    )  # fmt: skip
    assert f"done: {cid} is now in handling" in done
    shown = json.loads(run("show", cid, "--json", "--now", "2026-12-11T09:01"))
    assert shown["state"]["status"] == "in_handling"
    triggers = [e.get("trigger") for e in shown["events"] if e.get("kind") == "escalated"]
    assert "cannot_handle" not in triggers


def test_stage_steps_on_a_pack_without_stages_are_refused_as_the_packs_not_the_status() -> None:
    with make_desk(notifiers=[RecordingNotifier()]) as desk:
        (c,) = _stored(desk, _neighbours(1))
        assert not desk.pack.stages
        later = T0 + timedelta(hours=1)
        for command in (
            RequestEscalation(actor="SR-101", reason="not satisfied"),
            Extend(actor="SR-101", clock="reply", by="2d", reason="more time"),
            Respond(actor="SR-101", outcome="upheld", message="answer"),
        ):
            with pytest.raises(IllegalTransitionError) as raised:
                desk.act(c.id, command, now=later)
            message = str(raised.value)
            assert f"pack {desk.pack.name} has no stages" in message
            assert "escalate (trigger dissatisfied, ESC-2) or reopen" in message
            assert "while" not in message
            assert "allowed now" not in message
