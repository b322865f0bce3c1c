"""cn-service-centre's quick-response figures and HDL-4's helpers at the desk (review s39A
F02, F03, F04, F06, F07, F08, F09).

The staff are the packaged samples on a SQLite file.  cn-service-centre: the centre's
staff CC-* work everywhere (CC-001 客服中心总监, CC-010 客服经理, CC-101 the day and
CC-102 the night duty team leader, CC-201 a day agent); at ``sunrise`` SR-103 is the front
desk's receptionist (department ``site_reception``), SR-201 the engineering supervisor,
SR-301 the security supervisor, SR-601 the fees supervisor.  cn-property: SR-001 项目经理
and SR-101 客服主管 are both in ``customer_service`` at sunrise.  003 "quick response"
(DL-4): general requests within half an hour, major ones within 6 hours; "closed
feedback" (VIS-3) is a link of its own.  All times are Asia/Shanghai.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.adapters.staff import load_sample_staff
from complaintcore.cli import main
from complaintcore.core.deadlines import ClockState
from complaintcore.core.models import Classified, Complainant, Complaint, Intake
from complaintcore.core.workflow import (
    Assess,
    Classify,
    Close,
    Handle,
    RecordCause,
    Reopen,
    Reply,
    Visit,
)
from complaintcore.desk import Desk
from complaintcore.desk.access import sees_personal_data
from complaintcore.desk.messages import Detail, Messages
from complaintcore.rules import load_pack
from complaintcore.testing import RecordingNotifier
from tests.helpers import SH


def at(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SH)


def intake(summary: str, received: datetime, receiver: str, n: int = 1) -> Intake:
    return Intake(
        complainant=Complainant("李华", f"1391234{n:04d}", f"5-1-{800 + n}", "5", "sunrise"),
        channel="phone",  # type: ignore[arg-type]
        received_at=received,
        receiver=receiver,
        summary=summary,
        site="sunrise",
    )


def told(notes: RecordingNotifier, topic: str, complaint: Complaint) -> list[str]:
    return sorted(
        {n.recipient for n, _ in notes.sent if n.topic == topic and n.complaint_id == complaint.id}
    )


@pytest.fixture
def notes() -> RecordingNotifier:
    return RecordingNotifier()


def _desk(pack_name: str, tmp_path: Path, notes: RecordingNotifier) -> Desk:
    pack = load_pack(pack_name)
    return Desk(
        pack=pack,
        store=SqliteStore(tmp_path / f"{pack_name}.sqlite3"),
        directory=load_sample_staff(pack=pack),
        calendar=calendar_for_spec(pack.calendar),
        notifiers=[notes],
    )


@pytest.fixture
def centre(tmp_path: Path, notes: RecordingNotifier) -> Desk:
    return _desk("cn-service-centre", tmp_path, notes)


def _clock(desk: Desk, c: Complaint, name: str, now: datetime) -> ClockState:
    return next(s for s in desk.clocks(c.id, now) if s.name == name).state


def _duty(desk: Desk, c: Complaint, name: str, now: datetime) -> ClockState:
    return next(s for s in desk.duties(c.id, now) if s.name == name).state


# --------------------------------------------------------------------------- F02, F03


@pytest.mark.procedure("DL-4")
@pytest.mark.procedure("IMP-2")
def test_a_complaint_graded_major_counts_neither_met_nor_missed_for_the_30_minutes(
    centre: Desk,
) -> None:
    """Graded major at 10:10, nothing answered: it left the 30-minute figure for the
    6-hour one (docs/rule-packs.md), so the month counts no 30-minute hit for it.  One
    graded major at 10:45 had missed its 30 minutes already: that breach stands (DL-7)."""
    early = centre.receive(
        intake("电梯故障困人，老人受伤", at(10, 12, 10), "CC-201"), now=at(10, 12, 10)
    )
    late = centre.receive(
        intake("电梯故障困人，老人受伤", at(10, 12, 10), "CC-201", n=2), now=at(10, 12, 10)
    )
    for c, graded in ((early, at(10, 12, 10, 10)), (late, at(10, 12, 10, 45))):
        centre.act(
            c.id, Assess(actor="CC-001", validity="valid", facts={"personal_injury"}), now=graded
        )
    assert _clock(centre, early, "general_closure", at(10, 12, 11)) is ClockState.WAIVED
    assert _clock(centre, late, "general_closure", at(10, 12, 11)) is ClockState.MISSED
    report = centre.monthly_report(2026, 10, now=at(10, 12, 11))
    figures = {f.name: f for f in report.clocks}
    general = figures["general_closure"]
    assert (general.met, general.missed, general.breached, general.running) == (0, 1, 0, 0)
    assert figures["major_closure"].running == 2


@pytest.mark.procedure("DL-4")
@pytest.mark.procedure("DL-7")
def test_a_reopened_major_complaint_does_not_owe_the_30_minutes_again(
    centre: Desk, notes: RecordingNotifier
) -> None:
    """Major, closed within its 6 hours, reopened on Tue 13 Oct 09:00: it owes the 6 hours
    again (major_closure restarts), not the 30 minutes, so the sweep at 09:31 tells
    nobody of a breach and October counts no general closure either way."""
    c = centre.receive(
        intake("电梯故障困人，老人受伤", at(10, 12, 10), "CC-201"), now=at(10, 12, 10)
    )
    centre.act(
        c.id,
        Assess(actor="CC-001", validity="valid", facts={"personal_injury"}),
        now=at(10, 12, 10, 5),
    )
    centre.act(
        c.id,
        RecordCause(actor="CC-001", cause="电梯维保不到位", corrective="更换部件"),
        now=at(10, 12, 14),
    )
    centre.act(
        c.id,
        Close(actor="CC-001", result="已修复并赔偿", confirmed_by_complainant=True),
        now=at(10, 12, 15),
    )
    c = centre.act(c.id, Reopen(actor="CC-010", reason="电梯仍然时好时坏"), now=at(10, 13, 9))
    assert _clock(centre, c, "general_closure", at(10, 13, 9, 31)) is ClockState.WAIVED
    assert _clock(centre, c, "major_closure", at(10, 13, 9, 31)) is ClockState.RUNNING
    centre.deliver(at(10, 13, 9))
    notes.sent.clear()
    centre.sweep(at(10, 13, 9, 31))
    centre.deliver(at(10, 13, 9, 31))
    assert told(notes, "breached", c) == []
    general = next(
        f
        for f in centre.monthly_report(2026, 10, now=at(10, 13, 9, 31)).clocks
        if f.name == "general_closure"
    )
    assert (general.met, general.missed, general.breached) == (0, 0, 0)


# --------------------------------------------------------------------------- F09


@pytest.mark.procedure("DL-4")
@pytest.mark.procedure("VIS-1")
@pytest.mark.procedure("VIS-3")
def test_the_30_minute_figure_is_a_reply_and_the_return_visit_is_asked_for(
    centre: Desk, notes: RecordingNotifier
) -> None:
    """003 puts "closed in half an hour" under quick response, and the customer's
    confirmation under closed feedback: the figure a final reply meets is labelled a
    reply, and the reply owes the handler a return visit (VIS-1) within 24 hours.  A call
    nobody answered does not discharge it; a visit that reached the complainant does."""
    pack = centre.pack
    for name in ("general_closure", "major_closure"):
        spec = pack.clock(name)
        assert "final reply" in spec.en
        assert "closed" not in spec.en
        assert "答复" in spec.zh
        assert "闭合" not in spec.zh
    c = centre.receive(intake("楼道灯不亮", at(11, 3, 10), "CC-201"), now=at(11, 3, 10))
    handler = c.state.handler
    assert handler is not None
    centre.act(
        c.id,
        Assess(actor=handler, validity="valid", facts={"facility_limitation"}),
        now=at(11, 3, 10, 5),
    )
    centre.act(
        c.id, Reply(actor=handler, message="已派电工更换灯泡", final=True), now=at(11, 3, 10, 10)
    )
    centre.deliver(at(11, 3, 10, 10))
    assert _clock(centre, c, "general_closure", at(11, 3, 10, 10)) is ClockState.MET
    duty = next(s for s in centre.duties(c.id, at(11, 3, 10, 10)) if s.name == "return_visit")
    assert (duty.state, duty.due) == (ClockState.RUNNING, at(11, 4, 10, 10))
    assert told(notes, "duty_owed", c) == [handler]
    centre.act(c.id, Visit(actor=handler, reached=False), now=at(11, 3, 16))
    assert _duty(centre, c, "return_visit", at(11, 3, 16)) is ClockState.RUNNING
    centre.act(c.id, Visit(actor=handler, satisfied=True), now=at(11, 3, 17))
    assert _duty(centre, c, "return_visit", at(11, 3, 17)) is ClockState.MET


# --------------------------------------------------------------------------- F08


@pytest.mark.procedure("IN-4")
@pytest.mark.procedure("IN-5")
def test_a_complaint_taken_at_a_site_front_desk_reaches_the_centres_register(
    centre: Desk, notes: RecordingNotifier, tmp_path: Path
) -> None:
    """SR-103 works at sunrise's front desk, not at the centre: what she takes is owed to
    the centre's register like an engineer's, and its duty team leader hears of it."""
    assert centre.directory.get("SR-103").department == "site_reception"  # type: ignore[union-attr]
    c = centre.receive(intake("楼上漏水，天花板渗水", at(11, 3, 10), "SR-103"), now=at(11, 3, 10))
    centre.deliver(at(11, 3, 10))
    assert _duty(centre, c, "centre_registration", at(11, 3, 10)) is ClockState.RUNNING
    assert _clock(centre, c, "to_customer_service", at(11, 3, 10)) is ClockState.RUNNING
    assert told(notes, "duty_owed", c) == ["CC-101"]
    # cn-property's sample keeps its receptionist in customer service, which is the
    # site's front desk there: what she registers needs no forwarding (IN-5 met at once)
    desk = _desk("cn-property", tmp_path, notes)
    c = desk.receive(intake("楼上漏水，天花板渗水", at(11, 3, 10), "SR-103"), now=at(11, 3, 10))
    assert _clock(desk, c, "to_customer_service", at(11, 3, 10)) is ClockState.MET


# --------------------------------------------------------------------------- F06


@pytest.mark.procedure("HDL-4")
@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("pack", "received", "expected"),
    [
        ("cn-service-centre", at(11, 3, 10), "CC-101"),  # the day team leader, not CC-001
        ("cn-service-centre", at(11, 4, 2), "CC-102"),  # the night team leader
        ("cn-property", at(11, 3, 10), "SR-101"),  # 客服主管, not the project manager SR-001
    ],
    ids=["centre-day", "centre-night", "property-day"],
)
def test_a_help_request_goes_to_whoever_organises_the_helping_department(
    pack: str,
    received: datetime,
    expected: str,
    tmp_path: Path,
    notes: RecordingNotifier,
) -> None:
    """A fees complaint asks customer service's help (the category's helper): its
    supervisor rung on duty hears, not the lowest staff id (the director, the project
    manager)."""
    desk = _desk(pack, tmp_path, notes)
    receiver = "CC-201" if pack == "cn-service-centre" else "SR-102"
    c = desk.receive(intake("请处理", received, receiver), now=received, route=False)
    c = desk.act(c.id, Classify(actor=receiver, category="fees"), now=received)
    desk.deliver(received)
    assert [e for e in c.events if isinstance(e, Classified)][-1].helpers == ("customer_service",)
    assert told(notes, "help_requested", c) == [expected]


# --------------------------------------------------------------------------- F04


@pytest.mark.procedure("HDL-4")
@pytest.mark.procedure("PRV-1")
def test_the_handler_hears_when_a_helping_department_records_its_part(
    centre: Desk, notes: RecordingNotifier
) -> None:
    """Parking: security owns it (SR-301 holds it), finance helps.  SR-601 records
    finance's part: SR-301 is told, with the department and the result; the
    complainant's phone in it is shown to the handler, who needs it, and masked in a
    group chat's post, as in any message."""
    c = centre.receive(
        intake("车位被占用，停车费也多收了", at(11, 3, 10), "CC-201"), now=at(11, 3, 10)
    )
    assert (c.state.department, c.state.handler) == ("security", "SR-301")
    centre.deliver(at(11, 3, 10))
    notes.sent.clear()
    centre.act(
        c.id,
        Handle(actor="SR-601", department="finance", result="已与13912340001核对，确有多收"),
        now=at(11, 3, 10, 30),
    )
    centre.deliver(at(11, 3, 10, 30))
    assert told(notes, "help_given", c) == ["SR-301"]
    (note,) = [n for n, _ in notes.sent if n.topic == "help_given"]
    assert "财务部" in note.body
    assert "finance" in note.body
    assert "确有多收" in note.body
    handler = centre.directory.get("SR-301")
    assert handler is not None
    assert sees_personal_data(handler, c, centre.pack)
    assert "13912340001" in note.body
    post = Messages().render(
        c, "help_given", handler, centre.pack, at=at(11, 3, 10, 30), discriminator="x",
        detail=(Detail("result", "已与13912340001核对"),), group=True,
    )  # fmt: skip
    assert "13912340001" not in post.body


# --------------------------------------------------------------------------- F07


@pytest.mark.procedure("HDL-4")
@pytest.mark.procedure("CLS-3")
def test_the_cli_names_helping_departments(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A leak (repairs: engineering, no helpers of its own) that the cleaning department
    must help with: ``--helper`` is repeatable and takes a code or its label."""
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    env = {"COMPLAINTCORE_NOW": "2026-11-03T10:00+08:00", "COMPLAINTCORE_LANG": "en"}

    def run(*args: str) -> str:
        result = runner.invoke(main, ["--lang", "en", *args], env=env)
        assert result.exit_code == 0, result.output
        return result.stdout

    run("init", ".", "--pack", "cn-service-centre")
    received = run(
        "receive", "--name", "王小明", "--phone", "13812345678", "--room", "3-2-1201",
        "--site", "sunrise", "--summary", "楼上漏水，楼道积水", "--receiver", "CC-201", "--json",
    )  # fmt: skip
    cid = json.loads(received)["id"]
    run(
        "act", cid, "classify", "--actor", "CC-101", "--category", "repairs",
        "--helper", "cleaning", "--helper", "秩序维护部",
    )  # fmt: skip
    shown = json.loads(run("show", cid, "--json"))
    classified = [e for e in shown["events"] if e["type"] == "classified"]
    assert classified[-1]["helpers"] == ["cleaning", "security"]
    bad = runner.invoke(
        main,
        ["--lang", "en", "act", cid, "classify", "--actor", "CC-101", "--helper", "plumbing"],
        env=env,
    )
    assert bad.exit_code != 0
    assert "--helper" in bad.output
