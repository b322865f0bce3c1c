"""Duties and concentrated issues through the command line (issue 8).

Each test drives a real desk (``complaintcore init``: SQLite file, sample staff,
cn-property) with click's runner.  Expected due times are worked out by hand
from the pack's documented working day (Monday–Friday 09:00–12:00 and
13:00–18:00) and the durations the source documents give, not by the library.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from complaintcore.cli import main

MONDAY = "2025-11-24T09:00"  # Monday 24 November 2025, an ordinary working week


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    assert invoke("init", ".", now=MONDAY).exit_code == 0
    return tmp_path


def invoke(*args: str, now: str = MONDAY, lang: str = "en") -> Result:
    env = {"COMPLAINTCORE_NOW": now, "COLUMNS": "200"}  # tables wide enough to read
    return CliRunner().invoke(main, ["--lang", lang, *args], env=env)


def ok(*args: str, now: str = MONDAY) -> Any:
    """Run with --json; the command must succeed; its one JSON document."""
    result = invoke(*args, "--json", now=now)
    assert result.exit_code == 0, (args, result.output)
    assert result.stderr == ""
    return json.loads(result.stdout)


def refused(*args: str, now: str = MONDAY) -> dict[str, Any]:
    """Run with --json; the error member of the one JSON document."""
    result = invoke(*args, "--json", now=now)
    doc = json.loads(result.stdout)
    assert doc["error"]["code"] == result.exit_code != 0, result.output
    return dict(doc["error"])


def receive(
    summary: str,
    *,
    now: str = MONDAY,
    room: str = "3-2-1201",
    phone: str = "13812345678",
    building: str = "3",
    extra: tuple[str, ...] = (),
) -> dict[str, Any]:
    doc = ok(
        "receive", "--name", "王小明", "--phone", phone, "--room", room,
        "--building", building, "--site", "sunrise", "--summary", summary,
        "--receiver", "SR-103", *extra, now=now,
    )  # fmt: skip
    assert isinstance(doc, dict)
    return doc


def duty(shown: dict[str, Any], name: str) -> dict[str, Any]:
    return dict(next(d for d in shown["duties"] if d["name"] == name))


def clock(shown: dict[str, Any], name: str) -> dict[str, Any]:
    return dict(next(c for c in shown["clocks"] if c["name"] == name))


# --------------------------------------------------------------------------- DL-5


@pytest.mark.procedure("DL-5")
def test_a_broken_promise_owes_an_apology_recorded_with_act_apologise(desk: Path) -> None:
    cid = receive("厨房水龙头漏水")["id"]
    ok("act", cid, "promise", "--actor", "SR-201", "--due", "2025-11-25T12:00")
    before = ok("show", cid, now="2025-11-25T11:00")
    assert duty(before, "apology")["state"] == "not_started"  # nothing broken yet

    swept = ok("sweep", now="2025-11-25T12:30")  # Tuesday: the promise passed unkept
    assert [cid, "promise"] in swept["escalated"]
    assert swept["duties_owed"] == 1
    shown = ok("show", cid, now="2025-11-25T12:30")
    apology = duty(shown, "apology")
    assert (apology["rule"], apology["state"], apology["owed"]) == ("DL-5", "running", True)
    # "at once": two hours on the clock from the broken promise at 12:00 (lunch counts)
    assert apology["due"] == "2025-11-25T14:00:00+08:00"
    assert apology["owner"] == {"handler": True, "department": "customer_service", "rung": None}
    assert apology["command"] == "apologise"
    assert apology["derivation"][0].startswith("2025-11-25T12:00:00+08:00 started by")

    text = invoke("show", cid, now="2025-11-25T12:30").stdout
    duties = text[text.index("\nduties\n") :]
    assert "apologise, give the reason and propose a remedy (DL-5) running" in duties
    assert "owed by the handler or customer service department; discharged by: apologise" in (
        duties
    )

    args = ["act", cid, "apologise", "--actor", "SR-001", "--apology", "因维修延误向您道歉"]
    error = refused(
        *args, "--reason", "配件今天上午才到货", "--remedy", " ", now="2025-11-25T13:30"
    )
    assert (error["code"], error["path"]) == (1, "remedy")
    missing = invoke(*args, "--reason", "配件今天上午才到货", now="2025-11-25T13:30")
    assert missing.exit_code == 2
    assert "--remedy" in missing.stderr

    done = ok(
        *args, "--reason", "配件今天上午才到货", "--remedy", "今天下午三点前更换，免收维修费",
        now="2025-11-25T13:30",
    )  # fmt: skip
    assert done["id"] == cid
    after = duty(ok("show", cid, now="2025-11-25T13:30"), "apology")
    assert (after["state"], after["owed"]) == ("met", False)


# --------------------------------------------------------------------------- REC-2, §3.3, §3.6


@pytest.mark.procedure("REC-2")
@pytest.mark.procedure("GRD-3")
@pytest.mark.procedure("ESC-2")
def test_report_and_visit_site_discharge_what_a_major_complaint_owes(desk: Path) -> None:
    cid = receive("维修延误导致厨房进水，业主滑倒受伤")["id"]
    later = "2025-11-24T14:00"
    ok("act", cid, "assess", "--actor", "SR-001", "--validity", "valid",
       "--fact", "staff_fault", "--fact", "personal_injury", now=later)  # fmt: skip
    shown = ok("show", cid, now=later)
    assert shown["state"]["grade"] == "major"
    owed = {d["name"] for d in shown["duties"] if d["owed"]}
    assert owed == {"written_report", "site_visit"}  # 004 篇4 §3.3 and §3.6

    report = ["act", cid, "report", "--actor", "SR-101", "--content", "厨房进水，业主受伤"]
    error = refused(*report, "--written", now=later)
    assert (error["code"], error["path"]) == (1, "reference")  # a written report has a number
    ok(*report, "--written", "--reference", "客服报〔2025〕21号",
       "--result", "已送医检查", now=later)  # fmt: skip
    ok("act", cid, "visit-site", "--actor", "SR-101", "--findings", "厨房地面积水，阀芯破裂",
       "--department", "engineering", now=later)  # fmt: skip
    assert not any(d["owed"] for d in ok("show", cid, now=later)["duties"])
    timeline = invoke("show", cid, now=later).stdout
    assert "site visited" in timeline
    assert "engineering and maintenance" in timeline

    # 五清楚，一报告 (REC-2): once the final reply is given, the leader hears of it
    ok("act", cid, "reply", "--actor", "HQ-001", "--message", "已修复并赔付", "--final", now=later)
    leader = duty(ok("show", cid, now=later), "report_to_leader")
    assert leader["owed"]
    assert leader["owner"]["handler"]
    ok(*report, "--result", "已修复并赔付", "--to", "SR-101", now=later)
    assert not duty(ok("show", cid, now=later), "report_to_leader")["owed"]


# --------------------------------------------------------------------------- IN-6


@pytest.mark.procedure("IN-6")
def test_head_office_keeps_a_bypass_complaint_and_calls_back(desk: Path) -> None:
    received = ok(
        "receive", "--name", "赵强", "--phone", "13700002222", "--room", "7-1-301",
        "--building", "7", "--site", "sunrise", "--summary", "管理处不理睬，直接向总部投诉车位被占",
        "--receiver", "HQ-002", "--receiver-unit", "head_office", "--via-head-office",
        now="2025-11-24T10:00",
    )  # fmt: skip
    cid = received["id"]
    assert (received["status"], received["handler"]) == ("registered", "")  # not routed
    assert duty(ok("show", cid, now="2025-11-24T10:00"), "head_office_tracking")["owed"]

    error = refused("act", cid, "assign", "--actor", "HQ-002", "--handler", "SR-301",
                    "--rung", "department_head", now="2025-11-24T10:05")  # fmt: skip
    assert error["code"] == 4
    assert "IN-6" in error["message"]

    forwarded = ok("act", cid, "forward", "--actor", "HQ-002", "--to", "customer_service",
                   "--note", "业主同意由管理处处理", now="2025-11-24T10:30")  # fmt: skip
    assert forwarded["handler"] == "SR-301"  # released: routed at the site
    # HDL-4: finance's part of the parking complaint is not this test's matter
    ok("act", cid, "reply", "--actor", "SR-301", "--message", "已挪车", "--final",
       "--without-helpers", now="2025-11-24T15:00")  # fmt: skip
    ok("act", cid, "close", "--actor", "SR-301", "--result", "车位已恢复", "--confirmed",
       now="2025-11-24T15:30")  # fmt: skip
    call_back = duty(ok("show", cid, now="2025-11-24T15:30"), "head_office_call_back")
    # owed though closed; two working days from Monday 15:30: Wednesday's close of business
    assert call_back["owed"]
    assert call_back["due"] == "2025-11-26T18:00:00+08:00"
    assert call_back["owner"]["department"] == "head_office"

    ok("act", cid, "call-back", "--actor", "HQ-002", "--outcome", "业主对处理结果满意",
       "--satisfied", now="2025-11-25T10:00")  # fmt: skip
    shown = ok("show", cid, now="2025-11-25T10:00")
    assert duty(shown, "head_office_call_back")["state"] == "met"
    assert shown["events"][-1]["type"] == "called_back"
    assert shown["events"][-1]["satisfied"] is True


# --------------------------------------------------------------------------- HDL-1


@pytest.mark.procedure("HDL-1")
def test_a_letter_is_acknowledged_by_phone_with_act_acknowledge_and_an_apology(
    desk: Path,
) -> None:
    """002 A.b: the owner of a written complaint is called, told it was received and is
    being arranged, and apologised to; cn-property: by the end of the next working day."""
    cid = receive("来信反映厨房水龙头漏水", extra=("--channel", "written"))["id"]
    call = duty(ok("show", cid), "written_acknowledgement")
    assert (call["rule"], call["state"], call["owed"]) == ("HDL-1", "running", True)
    assert call["due"] == "2025-11-25T18:00:00+08:00"  # received Monday: the end of Tuesday
    assert call["owner"] == {
        "handler": False,
        "department": "customer_service",
        "rung": "complaint_handler",
    }
    assert call["command"] == "acknowledge"

    later = "2025-11-24T10:00"
    error = refused("act", cid, "acknowledge", "--actor", "SR-102", now=later)
    assert (error["code"], error["path"]) == (1, "apology")
    ok("act", cid, "acknowledge", "--actor", "SR-102", "--apology", "给您添麻烦了，深表歉意",
       now=later)  # fmt: skip
    shown = ok("show", cid, now=later)
    assert duty(shown, "written_acknowledgement")["state"] == "met"
    assert shown["events"][-1]["type"] == "acknowledged"
    assert "stage" not in shown["state"]  # no stages in cn-property
    again = refused("act", cid, "acknowledge", "--actor", "SR-102", "--apology", "抱歉",
                    now="2025-11-24T11:00")  # fmt: skip
    assert again["code"] == 1
    assert "already acknowledged" in again["message"]
    zh = invoke("act", cid, "acknowledge", "--actor", "SR-102", "--apology", "抱歉",
                now="2025-11-24T11:00", lang="zh")  # fmt: skip
    assert zh.exit_code == 1
    assert "already acknowledged" not in zh.stderr  # the reason is translated


# --------------------------------------------------------------------------- HDL-5, HDL-6


def _three_leaks() -> list[str]:
    """Three owners of building 9 about one leak, an hour apart (HDL-5: three make one)."""
    ids = []
    for n in (7, 8, 9):
        doc = receive(
            "楼道顶上漏水，墙面渗水",
            now=f"2025-11-26T0{n}:00",
            room=f"9-1-{n}01",
            phone=f"1390000000{n}",
            building="9",
        )
        ids.append(doc["id"])
    return ids


@pytest.mark.procedure("HDL-5")
def test_explain_all_answers_every_member_of_a_concentrated_issue(desk: Path) -> None:
    ids = _three_leaks()
    rows = ok("list", now="2025-11-26T09:30")
    issue = next(r["issue"] for r in rows if r["id"] == ids[-1])
    assert issue
    assert all(r["issue"] == issue for r in rows if r["id"] in ids)
    assert [r["id"] for r in ok("list", "--issue", issue, now="2025-11-26T09:30")] == ids
    assert ok("list", "--issue", "I-none", now="2025-11-26T09:30") == []
    shown = ok("show", ids[0], now="2025-11-26T09:30")
    assert (shown["state"]["issue"], shown["state"]["group_incident"]) == (issue, False)
    table = invoke("list", "--issue", issue, now="2025-11-26T09:30").stdout
    assert [line.count(issue) for line in table.splitlines() if line.count("C-2025")] == [1] * 3

    done = ok("explain-all", issue, "--actor", "SR-101", "--message",
              "9号楼屋面防水层破损，明天上午修复", now="2025-11-26T10:00")  # fmt: skip
    assert done == {"issue": issue, "done": ids, "skipped": []}
    for cid in ids:  # DL-1 met for every member, as if answered alone
        assert clock(ok("show", cid, now="2025-11-26T10:00"), "reply")["state"] == "met"

    text = invoke("explain-all", issue, "--actor", "SR-101", "--message", "今晚先做临时遮挡",
                  now="2025-11-26T10:05")  # fmt: skip
    assert text.exit_code == 0
    assert f"explained {issue} to 3 complaints; 0 refused" in text.stdout

    error = refused("explain-all", "I-nope", "--actor", "SR-101", "--message", "x")
    assert (error["code"], error["path"]) == (1, "issue")


@pytest.mark.procedure("HDL-5")
def test_explain_all_lists_the_members_that_refused_and_exits_1(desk: Path) -> None:
    ids = _three_leaks()
    issue = ok("show", ids[0], now="2025-11-26T09:30")["state"]["issue"]
    # the last one turns major: a final answer needs a higher rung than SR-201's (ESC-3)
    ok("act", ids[2], "assess", "--actor", "SR-201", "--validity", "valid",
       "--fact", "personal_injury", now="2025-11-26T09:40")  # fmt: skip
    args = ["explain-all", issue, "--actor", "SR-201", "--message", "统一答复", "--final"]
    result = invoke(*args, "--json", now="2025-11-26T10:00")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["done"] == ids[:2]
    [(skipped)] = doc["skipped"]
    assert (skipped["id"], skipped["type"]) == (ids[2], "AccessDeniedError")
    assert "ESC-3" in skipped["reason"]
    assert doc["error"]["type"] == "ComplaintsSkipped"

    text = invoke(*args, now="2025-11-26T10:05", lang="zh")
    assert text.exit_code == 1
    assert "已就" in text.stdout
    assert "1 宗被拒绝" in text.stdout
    assert ids[2] in text.stderr
    assert "ESC-3" in text.stderr


@pytest.mark.procedure("HDL-6")
def test_act_group_links_a_complaint_and_an_incident_goes_up_at_once(desk: Path) -> None:
    ids = _three_leaks()
    issue = ok("show", ids[0], now="2025-11-26T09:30")["state"]["issue"]
    other = receive("阳台渗水", now="2025-11-26T11:00", room="3-2-301",
                    phone="13900000011", building="3")  # fmt: skip
    assert other["issue"] is None  # another building: the desk does not link it
    bad = invoke("act", other["id"], "group", "--actor", "SR-101", "--issue", issue,
                 "--complainants", "0", now="2025-11-26T11:05")  # fmt: skip
    assert bad.exit_code == 2
    text = invoke("act", other["id"], "group", "--actor", "SR-101", "--issue", issue,
                  "--complainants", "5", "--incident", now="2025-11-26T11:05")  # fmt: skip
    assert text.exit_code == 0, text.output
    assert f"group incident {issue}: reported at once (HDL-6)" in text.stdout
    shown = ok("show", other["id"], now="2025-11-26T11:05")
    assert (shown["state"]["issue"], shown["state"]["group_incident"]) == (issue, True)
    assert shown["state"]["rung"] == "project_manager"  # the pack's group report rung
    grouped = next(e for e in shown["events"] if e["type"] == "grouped")
    assert grouped["members"] == [other["id"]]
    assert grouped["complainants"] == 5


# --------------------------------------------------------------------------- report


@pytest.mark.procedure("DL-5")
def test_the_monthly_report_counts_duties_in_every_format(desk: Path) -> None:
    cid = receive("厨房水龙头漏水")["id"]
    ok("act", cid, "promise", "--actor", "SR-201", "--due", "2025-11-25T12:00")
    ok("act", cid, "apologise", "--actor", "SR-201", "--apology", "致歉", "--reason", "缺件",
       "--remedy", "明日更换", now="2025-11-25T13:00")  # fmt: skip
    late = "2025-11-28T10:00"
    data = ok("report", "--month", "2025-11", now=late)
    apology = next(d for d in data["duties"] if d["name"] == "apology")
    assert (apology["started"], apology["met"], apology["missed"]) == (1, 1, 0)

    table = invoke("report", "--month", "2025-11", now=late).stdout
    section = table[table.index("Duties") :]
    # one row per duty: started, done in time, done late, overdue, still owed, on time
    assert re.search(r"apologise, give the reason\S*.*DL-5\s+1\s+1\s+0\s+0\s+0\s+100\.0%", section)

    page = invoke("report", "--month", "2025-11", "--format", "html", now=late).stdout
    duties = page[page.index('<section id="duties">') :]
    duties = duties[: duties.index("</section>")]
    assert "<h2>Duties</h2>" in duties
    assert "<td>apologise, give the reason and propose a remedy</td><td>DL-5</td>" in duties

    zh = invoke("report", "--month", "2025-11", "--format", "html", now=late, lang="zh").stdout
    assert "<h2>职责履行</h2>" in zh
    assert "违约致歉、说明原因并提出补救措施" in zh


def test_sweep_reports_overdue_duties_by_name(desk: Path) -> None:
    cid = receive("厨房水龙头漏水")["id"]
    ok("act", cid, "assess", "--actor", "SR-001", "--validity", "valid",
       "--fact", "personal_injury")  # fmt: skip
    # the written report and the site visit are each due within a working day
    swept = ok("sweep", now="2025-11-26T10:00")
    assert sorted(swept["duties_overdue"]) == [[cid, "site_visit"], [cid, "written_report"]]
    text = invoke("sweep", now="2025-11-26T10:05", lang="zh").stdout
    assert "职责：待履行" in text
