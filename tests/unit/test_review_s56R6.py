"""Review s56R6: re-review of the s56R2 grading fixes (GRD-2, GRD-3, GRD-6, DL-6, PEN-1).

F01: a complaint closed with the complainant's confirmation inside its month
turned major "by DL-6" when an unhappy follow-up visit after the closure was
followed by any re-derivation of its grade: a visit on a closed complaint is a
follow-up visit (002 §4.2), never reopening it, so the complaint was resolved
within its month.

F03: between a complaint's month and the sweep, the month report counted it major
while its staff table (and ``show``) asked for the lighter grade's sanction:
PEN-1 ties the sanction to the grade, so both read the grade due at ``now``.

F04: a broken promise on a repeated matter (GRD-2) was major in ``show``'s due
line but minor in the month report until the sweep recorded it.

F02 (documented, docs/desk.md): a closed complaint's recorded grade is not raised
by time (GRD-6: grades rise by time while it is open); one an earlier release
stored minor although resolved after its month reads minor until its next
assessment, which records major (GRD-2, DL-6), and the documented check finds it.

Expected grades from /work/shared/procedures.md, not from the code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs
import pytest

from complaintcore import TargetPerson
from complaintcore.core.grading import assess_grade, grade_due
from complaintcore.core.models import Grade, Graded, SanctionRecorded
from complaintcore.core.workflow import (
    Assess,
    Close,
    Handle,
    Promise,
    RecordCause,
    RecordSanction,
    Reply,
    Visit,
    decide,
    fold,
)
from complaintcore.testing import make_desk
from tests.unit.test_review_s56R2 import A, _intake, at

# ------------------------------------- F01: a follow-up visit after the closure


@pytest.mark.procedure("GRD-2")
@pytest.mark.procedure("GRD-3")
@pytest.mark.procedure("DL-6")
@pytest.mark.procedure("VIS-3")
@pytest.mark.parametrize("follow_up", [None, False, True])
def test_closed_in_its_month_stays_resolved_after_a_follow_up_visit(
    follow_up: bool | None,
) -> None:
    """Closed with confirmation on 12 Nov (its month ends 10 Dec 09:30); a
    follow-up visit on 15 Dec, happy or not; a staff fault found on 16 Dec.
    GRD-3: important -- it was resolved within its month, so GRD-2/DL-6 do not
    make it major, and the month report counts it important too."""
    desk = make_desk()
    cid = desk.receive(_intake(), now=at("2025-11-10 09:30")).id
    desk.act(cid, Assess(actor=A, validity="valid"), now=at("2025-11-10 10:00"))
    desk.act(cid, Handle(actor=A, result="修好了"), now=at("2025-11-11 10:00"))
    desk.act(cid, Reply(actor=A, message="已修复", final=True), now=at("2025-11-11 10:00"))
    closed = at("2025-11-12 10:00")
    desk.act(cid, RecordCause(actor=A, cause="管道老化", corrective="更换"), now=closed)
    desk.act(cid, Close(actor=A, result="修好", confirmed_by_complainant=True), now=closed)
    if follow_up is not None:
        desk.act(
            cid, Visit(actor=A, satisfied=follow_up, opinion="回访"), now=at("2025-12-15 10:00")
        )
    assert desk.get(cid).state.grade is Grade.MINOR
    desk.act(
        cid,
        Assess(actor=A, validity="valid", facts=["staff_fault"], note="查明员工过错"),
        now=at("2025-12-16 10:00"),
    )
    assert desk.get(cid).state.grade is Grade.IMPORTANT
    report = desk.monthly_report(2025, 11, now=at("2025-12-20 12:00"))
    assert [(x.key, x.count) for x in report.by_grade if x.count] == [("important", 1)]


# ------------------------------- F03: the sanction of the grade the report counts


def _cli(lang: str, *args: str) -> Any:
    from click.testing import CliRunner

    from complaintcore.cli import main

    return CliRunner().invoke(main, ["--lang", lang, *args])


@pytest.mark.procedure("PEN-1")
@pytest.mark.procedure("PEN-2")
@pytest.mark.procedure("DL-6")
def test_outstanding_sanction_is_the_grade_due_before_the_sweep(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A written complaint about guard SR-302 with a staff fault (GRD-3 important),
    received 10 Nov 09:30; at 10 Dec 09:31, before any sweep, it is major (GRD-2,
    DL-6): the report's ``by_grade``, its staff table's outstanding sanction and
    ``show``'s all say major, whose sanction is a red card, circulated criticism
    and written self-examination (PEN-1) -- before the sweep and after it."""
    monkeypatch.chdir(tmp_path)
    assert _cli("en", "init", ".").exit_code == 0
    received = _cli(
        "en",
        *("receive", "--name", "王小明", "--phone", "13812345678", "--room", "3-2-1201"),
        *("--building", "3", "--site", "sunrise", "--channel", "written"),
        *("--summary", "保安态度恶劣", "--target-staff-id", "SR-302"),
        *("--receiver", "SR-103", "--received-at", "2025-11-10T09:30"),
        *("--now", "2025-11-10T09:30", "--json"),
    )
    assert received.exit_code == 0, received.output
    cid = json.loads(received.stdout)["id"]
    assessed = _cli(
        "en", "act", cid, "assess", "--actor", "HQ-001", "--validity", "valid",
        "--fact", "staff_fault", "--now", "2025-11-10T10:00",
    )  # fmt: skip
    assert assessed.exit_code == 0, assessed.output
    major = ["red_card", "circulated_criticism", "self_examination"]
    past = "2025-12-10T09:31"
    for _ in ("before the sweep", "after it"):
        out = _cli("en", "report", "--month", "2025-11", "--staff", "--now", past, "--json")
        report = json.loads(out.stdout)
        assert [(x["key"], x["count"]) for x in report["by_grade"] if x["count"]] == [("major", 1)]
        [row] = report["staff"]["rows"]
        [owed] = row["outstanding"]
        assert (owed["grade"], owed["measures"]) == ("major", major)
        state = json.loads(_cli("en", "show", cid, "--now", past, "--json").stdout)["state"]
        assert state["sanction_outstanding"]["grade"] == "major"
        assert state["sanction_outstanding"]["measures"] == major
        text = _cli("en", "show", cid, "--now", past).stdout
        assert "grade important calls for" not in text
        assert _cli("en", "sweep", "--now", past).exit_code == 0


@pytest.mark.procedure("PEN-1")
@pytest.mark.procedure("GRD-3")
def test_outstanding_sanction_within_the_month_is_the_recorded_grade() -> None:
    """The same complaint within its month owes important's sanction: a yellow card
    (PEN-1); a minute past it, major's red card, before any sweep (DL-6)."""
    desk = make_desk()
    cid = desk.receive(
        _intake("written", target=TargetPerson(staff_id="SR-302", rung="front_line")),
        now=at("2025-11-10 09:30"),
    ).id
    desk.act(
        cid, Assess(actor=A, validity="valid", facts=["staff_fault"]), now=at("2025-11-10 10:00")
    )
    within = desk.outstanding_sanction(cid, at("2025-12-10 09:30"))
    assert within is not None
    assert within.due.grade is Grade.IMPORTANT
    assert "yellow_card" in within.due.measures
    past = desk.outstanding_sanction(cid, at("2025-12-10 09:31"))
    assert past is not None
    assert past.due.grade is Grade.MAJOR
    assert "red_card" in past.due.measures
    table = desk.staff_report(2025, 11, now=at("2025-12-10 09:31"))
    assert [o.due.grade for r in table.rows for o in r.outstanding] == [Grade.MAJOR]


# ------------------------------------ F04: a broken promise, report and show agree


@pytest.mark.procedure("GRD-2")
@pytest.mark.procedure("DL-5")
def test_month_report_counts_a_broken_promise_on_a_repeated_matter_major_before_the_sweep() -> None:
    """A valid complaint raised repeatedly, with a promise due 13 Nov 10:00 let pass:
    GRD-2 makes it major.  At 20 Nov 10:00, with no sweep since, the month report
    counts it major as ``grade_due`` gives it, and the same after the sweep."""
    desk = make_desk()
    cid = desk.receive(_intake(), now=at("2025-11-10 09:30")).id
    desk.act(
        cid,
        Assess(actor=A, validity="valid", facts=["raised_repeatedly"]),
        now=at("2025-11-10 10:00"),
    )
    desk.act(cid, Promise(actor=A, due=at("2025-11-13 10:00")), now=at("2025-11-10 11:00"))
    now = at("2025-11-20 10:00")

    def by_grade() -> list[tuple[str, int]]:
        report = desk.monthly_report(2025, 11, now=now)
        return [(x.key, x.count) for x in report.by_grade if x.count]

    assert desk.get(cid).state.grade is Grade.MINOR
    due = desk.grade_due(cid, now)
    assert due is not None
    assert due.grade is Grade.MAJOR
    assert by_grade() == [("major", 1)]
    desk.sweep(now)
    assert desk.get(cid).state.grade is Grade.MAJOR
    assert by_grade() == [("major", 1)]


# ------------------------------- F02: stored minor by an earlier release, closed


@pytest.mark.procedure("GRD-2")
@pytest.mark.procedure("GRD-6")
@pytest.mark.procedure("DL-6")
def test_a_closed_complaint_stored_minor_though_resolved_late_rises_at_its_next_assessment() -> (
    None
):
    """Closed 12 Dec (two days past its month), assessed valid 15 Dec: major (GRD-2,
    DL-6), which a release before s56R2 stored as minor.  Such a record keeps its
    recorded grade where time would raise it (closed: nothing is due), the
    documented check finds it, and its next assessment records major."""
    desk = make_desk()
    cid = desk.receive(_intake(), now=at("2025-11-10 09:30")).id
    desk.act(cid, Handle(actor=A, result="修好了"), now=at("2025-11-11 10:00"))
    desk.act(cid, Reply(actor=A, message="已修复", final=True), now=at("2025-11-11 10:00"))
    desk.act(
        cid, RecordCause(actor=A, cause="管道老化", corrective="更换"), now=at("2025-12-12 09:00")
    )
    desk.act(
        cid,
        Close(actor=A, result="修好", confirmed_by_complainant=True),
        now=at("2025-12-12 10:00"),
    )
    desk.act(cid, Assess(actor=A, validity="valid"), now=at("2025-12-15 10:00"))
    now = at("2025-12-20 10:00")
    current = desk.get(cid)
    assert current.state.grade is Grade.MAJOR  # this release: major when assessed
    # as the earlier release stored it: the same history, graded minor
    events = tuple(
        attrs.evolve(e, grade=Grade.MINOR, reasons=("default",)) if isinstance(e, Graded) else e
        for e in current.events
    )
    legacy = attrs.evolve(current, events=events, state=fold(events))
    assert legacy.state.grade is Grade.MINOR
    assert grade_due(legacy, desk.pack, now) is None  # closed: time raises nothing
    found = assess_grade(legacy, desk.pack, now)  # the documented check
    assert found is not None
    assert found.grade.rank > legacy.state.grade.rank
    assert found.grade is Grade.MAJOR
    again = decide(legacy, Assess(actor=A, validity="valid", note="复核"), desk.pack, now)
    assert [e.grade for e in again if isinstance(e, Graded)] == [Grade.MAJOR]


@pytest.mark.procedure("PEN-1")
@pytest.mark.procedure("GRD-2")
def test_a_sanction_recorded_before_the_sweep_is_the_broken_promise_grades() -> None:
    """The same broken promise on a repeated matter, against a named member of staff:
    GRD-2 makes it major, and a sanction recorded on 20 Nov with no sweep since is
    major's red card (PEN-1), the one ``show``'s outstanding sanction asked for."""
    desk = make_desk()
    cid = desk.receive(
        _intake("written", target=TargetPerson(staff_id="SR-302", rung="front_line")),
        now=at("2025-11-10 09:30"),
    ).id
    desk.act(
        cid,
        Assess(actor=A, validity="valid", facts=["raised_repeatedly"]),
        now=at("2025-11-10 10:00"),
    )
    desk.act(cid, Promise(actor=A, due=at("2025-11-13 10:00")), now=at("2025-11-10 11:00"))
    now = at("2025-11-20 10:00")
    asked = desk.outstanding_sanction(cid, now)
    assert asked is not None
    assert asked.due.grade is Grade.MAJOR
    assert desk.get(cid).state.grade is Grade.MINOR  # no sweep since the promise passed
    done = desk.act(cid, RecordSanction(actor=A), now=now)
    assert done.state.grade is Grade.MAJOR
    recorded = [e for e in done.events if isinstance(e, SanctionRecorded)]
    assert [(e.grade, "red_card" in e.measures) for e in recorded] == [(Grade.MAJOR, True)]
    assert desk.outstanding_sanction(cid, now) is None
