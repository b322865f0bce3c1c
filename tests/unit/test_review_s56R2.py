"""Review s56R2: grading by hand against the documents (GRD-1..6, DL-6).

F01: a complaint resolved after its month (a satisfied visit or a closure two days
late) escaped the major grade when its validity was recorded after the
resolution: the month rule asked whether it was resolved *now*, not by the end
of its month.  GRD-2/DL-6: "有效投诉在一个月内得不到合理解决" is major, whatever
day the assessment was written down.

F04: a hand-regrade to *internal* lowered an important or major complaint (and
its sanction); GRD-6 allows it for a minor one only (internal says who raised it).

F05: refusing *internal* blamed GRD-6 ("cannot lower minor to internal") when
the real reason was GRD-5: not made in writing, or without the finding.

Expected grades from /work/shared/procedures.md (GRD-2, GRD-3, GRD-5, GRD-6,
DL-6), not from the code.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from complaintcore import Complainant, Intake, TargetPerson
from complaintcore.core.errors import GradeError
from complaintcore.core.models import Grade
from complaintcore.core.workflow import (
    Assess,
    Close,
    Handle,
    RecordCause,
    Regrade,
    Reply,
    Visit,
)
from complaintcore.desk import Desk
from complaintcore.testing import make_desk

SH = ZoneInfo("Asia/Shanghai")
A = "HQ-001"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


def _intake(channel: str = "phone", **kw: object) -> Intake:
    owner = Complainant(
        name="王小明", phone="13800000001", room="3-2-0001", building="3", site="sunrise"
    )
    return Intake(
        complainant=owner,
        channel=channel,
        received_at=at("2025-11-10 09:30"),
        receiver="SR-103",
        summary="楼上漏水，天花板渗水",
        site="sunrise",
        **kw,  # type: ignore[arg-type]
    )


# ------------------------------------------------- F01: resolved after the month


def _resolved_late(assess: str, resolve: str) -> tuple[Desk, str]:
    """Received 10 Nov 09:30 (its month ends 10 Dec 09:30), handled and answered
    the next day, resolved on 12 Dec; assessed valid at once or on 15 Dec."""
    desk = make_desk()
    cid = desk.receive(_intake(), now=at("2025-11-10 09:30")).id
    if assess == "at once":
        desk.act(cid, Assess(actor=A, validity="valid"), now=at("2025-11-10 10:00"))
    desk.act(cid, Handle(actor=A, result="修好了"), now=at("2025-11-11 10:00"))
    desk.act(cid, Reply(actor=A, message="已修复", final=True), now=at("2025-11-11 10:00"))
    if resolve == "visit":
        desk.act(cid, Visit(actor=A, satisfied=True, opinion="满意"), now=at("2025-12-12 10:00"))
    else:
        desk.act(
            cid,
            RecordCause(actor=A, cause="管道老化", corrective="更换"),
            now=at("2025-12-12 09:00"),
        )
        desk.act(
            cid,
            Close(actor=A, result="修好", confirmed_by_complainant=True),
            now=at("2025-12-12 10:00"),
        )
    if assess == "late":
        desk.act(cid, Assess(actor=A, validity="valid"), now=at("2025-12-15 10:00"))
    return desk, cid


@pytest.mark.procedure("GRD-2")
@pytest.mark.procedure("DL-6")
@pytest.mark.parametrize("assess", ["at once", "late"])
@pytest.mark.parametrize("resolve", ["visit", "close"])
def test_resolved_after_its_month_is_major_whenever_it_was_assessed(
    assess: str, resolve: str
) -> None:
    """GRD-2: a valid complaint not reasonably resolved within one month is major;
    DL-6 counts the month from receipt.  Resolved two days after it, it is major
    whether its validity was recorded before or after the resolution."""
    desk, cid = _resolved_late(assess, resolve)
    now = at("2025-12-15 11:00")
    desk.sweep(now)
    assert desk.get(cid).state.grade is Grade.MAJOR
    report = desk.monthly_report(2025, 11, now=now)
    assert [(x.key, x.count) for x in report.by_grade if x.count] == [("major", 1)]


@pytest.mark.procedure("GRD-6")
@pytest.mark.procedure("DL-6")
def test_resolved_within_its_month_stays_minor_past_it() -> None:
    """Resolved within the month (a satisfied visit on 5 Dec) it is not major past
    it, however late it was assessed (GRD-2's month rule does not apply)."""
    desk = make_desk()
    cid = desk.receive(_intake(), now=at("2025-11-10 09:30")).id
    desk.act(cid, Handle(actor=A, result="修好了"), now=at("2025-11-11 10:00"))
    desk.act(cid, Reply(actor=A, message="已修复", final=True), now=at("2025-11-11 10:00"))
    desk.act(cid, Visit(actor=A, satisfied=True, opinion="满意"), now=at("2025-12-05 10:00"))
    desk.act(cid, Assess(actor=A, validity="valid"), now=at("2025-12-15 10:00"))
    assert desk.get(cid).state.grade is Grade.MINOR


# ------------------------------------------- F04, F05: regrading internal by hand


def _refused(desk: Desk, cid: str, when: str) -> GradeError:
    before = len(desk.get(cid).events)
    with pytest.raises(GradeError) as refused:
        desk.act(cid, Regrade(actor=A, grade="internal", reason="员工书面投诉"), now=at(when))
    assert len(desk.get(cid).events) == before  # nothing written
    return refused.value


@pytest.mark.procedure("GRD-6")
@pytest.mark.procedure("GRD-3")
def test_an_important_complaint_is_not_regraded_internal() -> None:
    """A written complaint about a guard found a staff fault is important (GRD-3);
    a finding raised_by_staff added later does not let a hand-regrade lower it to
    internal (GRD-6), nor its sanction with it."""
    desk = make_desk()
    cid = desk.receive(
        _intake("written", target=TargetPerson(staff_id="SR-302", rung="front_line")),
        now=at("2025-11-10 09:30"),
    ).id
    desk.act(
        cid, Assess(actor=A, validity="valid", facts=["staff_fault"]), now=at("2025-11-10 10:00")
    )
    assert desk.get(cid).state.grade is Grade.IMPORTANT
    desk.act(
        cid,
        Assess(actor=A, validity="valid", facts=["staff_fault", "raised_by_staff"]),
        now=at("2025-11-10 10:30"),
    )
    exc = _refused(desk, cid, "2025-11-10 11:00")
    assert "cannot lower important to internal (GRD-6)" in str(exc)
    assert desk.get(cid).state.grade is Grade.IMPORTANT


@pytest.mark.procedure("GRD-6")
def test_a_major_complaint_graded_by_hand_is_not_regraded_internal() -> None:
    desk = make_desk()
    cid = desk.receive(_intake("written"), now=at("2025-11-10 09:30")).id
    desk.act(cid, Assess(actor=A, validity="valid"), now=at("2025-11-10 10:00"))
    desk.act(cid, Regrade(actor=A, grade="major", reason="影响恶劣"), now=at("2025-11-10 10:10"))
    desk.act(
        cid,
        Assess(actor=A, validity="valid", facts=["raised_by_staff"]),
        now=at("2025-11-10 10:30"),
    )
    exc = _refused(desk, cid, "2025-11-10 11:00")
    assert "cannot lower major to internal (GRD-6)" in str(exc)
    assert desk.get(cid).state.grade is Grade.MAJOR


@pytest.mark.procedure("GRD-5")
def test_a_minor_written_complaint_by_staff_is_still_regraded_internal() -> None:
    desk = make_desk()
    cid = desk.receive(_intake("written"), now=at("2025-11-10 09:30")).id
    desk.act(cid, Assess(actor=A, validity="valid"), now=at("2025-11-10 10:00"))
    desk.act(
        cid,
        Assess(actor=A, validity="valid", facts=["raised_by_staff"]),
        now=at("2025-11-10 10:30"),
    )
    assert desk.get(cid).state.grade is Grade.MINOR
    done = desk.act(cid, Regrade(actor=A, grade="internal"), now=at("2025-11-10 11:00"))
    assert done.state.grade is Grade.INTERNAL


@pytest.mark.procedure("GRD-5")
def test_internal_refused_for_a_phone_complaint_says_it_was_not_written() -> None:
    """GRD-5: an internal complaint is made in writing; the refusal says so, not GRD-6."""
    desk = make_desk()
    cid = desk.receive(_intake("phone"), now=at("2025-11-10 09:30")).id
    desk.act(
        cid,
        Assess(actor=A, validity="valid", facts=["raised_by_staff"]),
        now=at("2025-11-10 10:00"),
    )
    assert desk.get(cid).state.grade is Grade.MINOR
    reason = _refused(desk, cid, "2025-11-10 11:00").reason
    assert reason == (
        "an internal complaint is one made through written (GRD-5): this one came through phone"
    )
    assert "GRD-6" not in reason


@pytest.mark.procedure("GRD-5")
def test_internal_refused_without_the_finding_names_it() -> None:
    desk = make_desk()
    cid = desk.receive(_intake("written"), now=at("2025-11-10 09:30")).id
    desk.act(cid, Assess(actor=A, validity="valid"), now=at("2025-11-10 10:00"))
    reason = _refused(desk, cid, "2025-11-10 11:00").reason
    assert reason == "an internal complaint needs the finding raised_by_staff (GRD-5)"


@pytest.mark.procedure("GRD-5")
@pytest.mark.procedure("DL-6")
def test_internal_refused_past_the_month_unresolved_names_dl6() -> None:
    """Past its month unresolved it is major (DL-6), so internal is refused naming DL-6,
    before the desk's own upgrade could be the reason."""
    from complaintcore.core import grading
    from complaintcore.rules import load_pack

    desk = make_desk()
    cid = desk.receive(_intake("written"), now=at("2025-11-10 09:30")).id
    desk.act(
        cid,
        Assess(actor=A, validity="valid", facts=["raised_by_staff"]),
        now=at("2025-11-10 10:00"),
    )
    c = desk.get(cid)
    pack = load_pack("cn-property")
    assert grading.not_internal_because(c, pack, at("2025-12-10 09:30")) is None
    assert grading.not_internal_because(c, pack, at("2025-12-10 09:31")) == (
        "a complaint unresolved past its month is major, not internal (DL-6)"
    )


# ------------------------------------------- F03: one sweep's messages, one grade


@pytest.mark.procedure("ESC-6")
@pytest.mark.procedure("DL-6")
def test_the_late_department_report_gives_the_grade_the_sweep_leaves() -> None:
    """A valid leak never handled, first swept a minute past its month: the sweep
    makes it major (DL-6, GRD-2), and its ESC-6 report of the late department says
    major like the escalations of the same sweep, not the minor it had before."""
    from complaintcore.testing import RecordingNotifier

    rec = RecordingNotifier()
    desk = make_desk(notifiers=[rec])
    cid = desk.receive(_intake(), now=at("2025-11-10 09:30")).id
    desk.act(cid, Assess(actor="SR-201", validity="valid"), now=at("2025-11-10 10:00"))
    desk.deliver(at("2025-11-10 10:00"))
    rec.sent.clear()
    sweep = at("2025-12-10 09:31")
    desk.sweep(sweep)
    desk.deliver(sweep)
    assert desk.get(cid).state.grade is Grade.MAJOR
    late = [n.body for n, _ in rec.sent if n.topic == "late_department"]
    assert late
    for body in late:
        assert "grade: major" in body
        assert "等级：重大" in body
        assert "minor" not in body
        assert "轻微" not in body


# ---------------------------------- F02: show gives the grade due, list the recorded


def _cli(lang: str, *args: str) -> Any:
    from click.testing import CliRunner

    from complaintcore.cli import main

    return CliRunner().invoke(main, ["--lang", lang, *args])


@pytest.mark.procedure("GRD-2")
@pytest.mark.procedure("DL-6")
def test_show_gives_the_grade_due_past_the_month_list_the_recorded_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A valid leak received 10 Nov 09:30, nothing else: a minute past its month it is
    major (GRD-2, DL-6), as the month report counts it.  Before a sweep records it,
    ``show`` (and ``--json``'s ``state.grade_due``) says major is due and not yet
    recorded; ``state.grade`` and ``list`` keep the recorded grade until the sweep."""
    monkeypatch.chdir(tmp_path)
    assert _cli("en", "init", ".").exit_code == 0
    received = _cli(
        "en",
        *("receive", "--name", "王小明", "--phone", "13812345678", "--room", "3-2-1201"),
        *("--building", "3", "--site", "sunrise", "--summary", "楼上漏水"),
        *("--receiver", "SR-103", "--received-at", "2025-11-10T09:30"),
        *("--now", "2025-11-10T09:30", "--json"),
    )
    assert received.exit_code == 0, received.output
    cid = json.loads(received.stdout)["id"]
    assessed = _cli(
        "en", "act", cid, "assess", "--actor", "SR-201", "--validity", "valid",
        "--now", "2025-11-10T10:00",
    )  # fmt: skip
    assert assessed.exit_code == 0, assessed.output
    within = _cli("en", "show", cid, "--now", "2025-12-10T09:30", "--json")
    assert json.loads(within.stdout)["state"]["grade_due"] is None  # not past it yet
    past = "2025-12-10T09:31"
    state = json.loads(_cli("en", "show", cid, "--now", past, "--json").stdout)["state"]
    assert state["grade"] == "minor"  # recorded
    assert state["grade_due"]["grade"] == "major"
    assert "(DL-6)" in state["grade_due"]["reasons"][0]
    text = _cli("en", "show", cid, "--now", past).stdout
    assert "grade due now: major (" in text
    assert "not recorded yet: the next sweep records it" in text
    assert "当前应为等级：重大" in _cli("zh", "show", cid, "--now", past).stdout
    rows = json.loads(_cli("en", "list", "--now", past, "--json").stdout)
    assert [r["grade"] for r in rows] == ["minor"]  # the recorded grade, as documented
    assert _cli("en", "sweep", "--now", past).exit_code == 0
    state = json.loads(_cli("en", "show", cid, "--now", past, "--json").stdout)["state"]
    assert (state["grade"], state["grade_due"]) == ("major", None)
    rows = json.loads(_cli("en", "list", "--now", past, "--json", "--grade", "major").stdout)
    assert [r["id"] for r in rows] == [cid]
