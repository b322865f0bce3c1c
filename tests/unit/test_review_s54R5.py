"""Review s54R5: cn-property owes a return visit (F01); a valid complaint about a
staff member owes the sanction of its grade until one is recorded (F02).

Expected values come from /work/shared/procedures.md and the seed documents, with
every due time worked out by hand in the comment next to it (cn-property: CN
working days, Monday to Friday, 09:00-12:00 and 13:00-18:00, Asia/Shanghai).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner, Result

from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.cli import main
from complaintcore.core.deadlines import ClockState, DutyStatus, compute_duties
from complaintcore.core.models import Complaint
from complaintcore.core.rulepack import RulePack
from complaintcore.core.workflow import Assess, Reply, Visit
from tests.helpers import SH, Runner, intake, pack


def owed_whatever_the_date(the_pack: RulePack) -> RulePack:
    """The pack with no duty's ``applies_from``: return_visit (VIS-1) is owed only from
    2026-12-05 (re-review s54R13), and these cases are in 2025, around National Day."""
    plain = tuple(attrs.evolve(d, applies_from=None) for d in the_pack.duties)
    return attrs.evolve(the_pack, duties=plain)


PROPERTY = owed_whatever_the_date(pack("cn-property"))


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)  # type: ignore[misc]


def duties(c: Complaint, the_pack: RulePack, now: datetime) -> dict[str, DutyStatus]:
    found = compute_duties(c, the_pack, calendar_for_spec(the_pack.calendar), now)
    return {d.name: d for d in found}


def step(r: Runner, when: datetime, command: object) -> Complaint:
    return r(command, after=when - r.now)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- F01, VIS-1


def replied_on_the_eve_of_national_day() -> Runner:
    """Received Monday 29 September 2025, answered (final) Tuesday 30 September 15:00."""
    r = Runner(PROPERTY, intake(received_at=at(2025, 9, 29, 10, 0)))
    r.register()
    step(r, at(2025, 9, 29, 10, 30), Assess(actor="h-1", validity="valid"))
    step(r, at(2025, 9, 30, 15, 0), Reply(actor="h-1", message="已更换水管", final=True))
    return r


@pytest.mark.procedure("VIS-1")
def test_a_cn_property_final_reply_owes_a_return_visit_within_dl3s_two_working_days() -> None:
    """002 §3.5 "接到处理结果后及时回访业主，直到业主满意为止": no source gives the time; the
    pack reads 及时 as DL-3's "客户服务部2日内与客户联系" (004 篇3): 2 working days.

    Final reply Tuesday 30 September 2025 15:00.  1-8 October 2025 is the National
    Day holiday (Wednesday to Wednesday); Thursday 9 October is working day 1,
    Friday 10 October working day 2; the duty is owed to the close of that day,
    10 October 18:00 (Saturday 11 October, a make-up working day, is the third).
    """
    r = replied_on_the_eve_of_national_day()
    owed = duties(r.complaint, PROPERTY, at(2025, 9, 30, 15, 0))["return_visit"]
    assert owed.rule == "VIS-1"
    assert owed.state is ClockState.RUNNING
    assert owed.due == at(2025, 10, 10, 18, 0)
    assert duties(r.complaint, PROPERTY, at(2025, 10, 10, 18, 1))["return_visit"].state is (
        ClockState.BREACHED
    )
    # a call nobody answered does not discharge it; one that reached the owner does
    c = step(r, at(2025, 10, 9, 10, 0), Visit(actor="h-1", reached=False))
    assert duties(c, PROPERTY, at(2025, 10, 9, 10, 0))["return_visit"].state is ClockState.RUNNING
    c = step(r, at(2025, 10, 10, 11, 0), Visit(actor="h-1", satisfied=True, opinion="满意"))
    assert duties(c, PROPERTY, at(2025, 10, 10, 11, 0))["return_visit"].state is ClockState.MET


@pytest.mark.procedure("VIS-1")
def test_the_sales_office_owes_no_return_visit_its_answer_gets_the_customers_affirmation() -> None:
    """004 篇2 §3.3B: the 售楼主管 answers the customer and hands the form on "得到客户的
    肯定后": the affirmation is had in the answer itself; 篇1-2 name no later visit."""
    assert "return_visit" not in {d.name for d in pack("cn-sales-office").duties}
    assert "return_visit" in {d.name for d in PROPERTY.duties}


# --------------------------------------------------------------------------- F02, PEN-2


def cli(lang: str, *args: str, now: str) -> Result:
    return CliRunner().invoke(main, ["--lang", lang, *args], env={"COMPLAINTCORE_NOW": now})


# PEN-1 (procedures.md): "Minor → warning and written self-examination"
MINOR_MEASURES = ["warning", "self_examination"]


@pytest.mark.procedure("PEN-1")
@pytest.mark.procedure("PEN-2")
def test_a_valid_complaint_about_staff_closed_unsanctioned_has_its_sanction_outstanding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PEN-2: "A staff member the subject of a valid complaint receives the sanction of
    its grade" — not the handler's choice.  A minor complaint about technician SR-202,
    answered, visited and closed with no sanction, owes minor's warning and written
    self-examination (PEN-1) in ``show`` and the staff table until it is recorded."""
    monkeypatch.chdir(tmp_path)
    assert cli("en", "init", ".", now="2025-11-17T09:00").exit_code == 0
    received = cli(
        "en", "receive", "--name", "李雪梅", "--phone", "13912345678", "--room", "3-2-1202",
        "--site", "sunrise", "--summary", "维修工态度恶劣，顶撞业主", "--receiver", "SR-103",
        "--target-staff-id", "SR-202", "--json", now="2025-11-17T09:05",
    )  # fmt: skip
    assert received.exit_code == 0, received.output
    cid = str(json.loads(received.stdout)["id"])
    steps = [
        ("2025-11-17T10:00", ["assess", "--actor", "SR-201", "--validity", "valid"]),
        ("2025-11-17T10:05", ["reply", "--actor", "SR-001", "--message", "已批评教育", "--final",
                              "--without-helpers"]),
        ("2025-11-17T10:10", ["cause", "--actor", "SR-001", "--cause", "服务意识差",
                              "--corrective", "培训"]),
        ("2025-11-18T10:00", ["visit", "--actor", "SR-102", "--satisfied"]),
        ("2025-11-18T10:05", ["close", "--actor", "SR-001", "--result", "已处理"]),
    ]  # fmt: skip
    for when, step in steps:
        done = cli("en", "act", cid, *step, now=when)
        assert done.exit_code == 0, (step, done.output)

    later = "2025-12-01T09:00"
    shown = " ".join(cli("en", "show", cid, now=later).stdout.split())
    assert (
        "sanction outstanding (PEN-2): grade minor calls for warning, written"
        " self-examination for SR-202; none recorded"
    ) in shown
    zh = "".join(cli("zh", "show", cid, now=later).stdout.split())
    assert "处罚待补（PEN-2）：SR-202应按「轻微」等级处罚：警告、书面检讨；尚未记录处罚" in zh
    document = json.loads(cli("en", "show", cid, "--json", now=later).stdout)
    assert document["state"]["sanction_outstanding"] == {
        "staff_id": "SR-202",
        "grade": "minor",
        "measures": MINOR_MEASURES,
        "recorded": None,
    }
    table = cli("en", "report", "--month", "2025-11", "--staff", "--format", "json", now=later)
    assert table.exit_code == 0, table.output
    (row,) = json.loads(table.stdout)["staff"]["rows"]
    assert (row["staff_id"], row["sanctions"], row["warnings"], row["complaints"]) == (
        "SR-202",
        {},
        0,
        1,
    )
    assert row["outstanding"] == [
        {"complaint_id": cid, "grade": "minor", "measures": MINOR_MEASURES, "recorded": None}
    ]
    text = " ".join(cli("en", "report", "--month", "2025-11", "--staff", now=later).stdout.split())
    assert f"{cid} SR-202: grade minor calls for warning, written self-examination;" in text

    assert cli("en", "act", cid, "sanction", "--actor", "SR-001", now=later).exit_code == 0
    after = "2025-12-01T09:10"
    assert "outstanding" not in cli("en", "show", cid, now=after).stdout
    table = cli("en", "report", "--month", "2025-11", "--staff", "--format", "json", now=after)
    (row,) = json.loads(table.stdout)["staff"]["rows"]
    assert (row["sanctions"], row["warnings"], row["outstanding"]) == ({"minor": 1}, 1, [])
