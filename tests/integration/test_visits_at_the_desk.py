"""Return visits and closure at the command line and the desk (VIS-1 … VIS-4, review
s36C F02–F04, s37A F02, F03, F06–F08)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.cli import main
from complaintcore.core.models import Complainant, Intake, Status
from complaintcore.core.workflow import Assess, Close, RecordCause, Reply, Visit
from complaintcore.testing import RecordingNotifier, make_desk
from tests.helpers import SH

NOW = "2025-11-14T17:30"
LATER = "2025-11-17T10:00"


@pytest.fixture
def desk_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COMPLAINTCORE_NOW", NOW)
    result = CliRunner().invoke(main, ["--lang", "en", "init", "."])
    assert result.exit_code == 0, result.output
    return tmp_path


def run(*args: str, now: str = LATER) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--lang", "en", *args], env={"COMPLAINTCORE_NOW": now})
    return result.exit_code, result.stdout, result.stderr


def act(cid: str, *args: str, now: str = LATER) -> None:
    code, _, err = run("act", args[0], cid, *args[1:], now=now)
    assert code == 0, (args, err)


def replied() -> str:
    """A valid complaint handled and given its final reply: awaiting a return visit."""
    code, out, err = run(
        "receive",
        "--name",
        "王小明",
        "--phone",
        "13812345678",
        "--room",
        "3-2-1201",
        "--site",
        "sunrise",
        "--summary",
        "楼上漏水，天花板渗水",
        "--receiver",
        "SR-103",
        "--received-at",
        NOW,
        now=NOW,
    )
    assert code == 0, err
    cid = out.split()[1].rstrip(":")
    act(cid, "assess", "--actor", "SR-201", "--validity", "valid")
    act(cid, "reply", "--actor", "SR-001", "--message", "已更换水管", "--final")
    act(cid, "cause", "--actor", "SR-001", "--cause", "管道老化", "--corrective", "更换")
    return cid


def shown(cid: str) -> dict[str, object]:
    code, out, err = run("show", cid, "--json")
    assert code == 0, err
    data: dict[str, object] = json.loads(out)
    return data


def kinds(cid: str) -> list[str]:
    return [e["type"] for e in shown(cid)["events"]]  # type: ignore[attr-defined,index]


def status(cid: str) -> str:
    return shown(cid)["state"]["status"]  # type: ignore[index,no-any-return]


@pytest.mark.procedure("VIS-1")
@pytest.mark.procedure("VIS-2")
def test_a_call_nobody_answers_is_recorded_as_not_reached(desk_dir: Path) -> None:
    """002 §3 4): follow-up by phone; a call nobody answers is recorded truthfully, the
    complaint still awaits its visit, and the month's rate leaves it out."""
    cid = replied()
    code, _, err = run("act", "visit", cid, "--actor", "SR-102", "--opinion", "电话无人接听")
    assert code == 2
    assert "give one of --satisfied, --not-satisfied and --not-reached" in err
    code, _, err = run("act", "visit", cid, "--actor", "SR-102", "--satisfied", "--not-reached")
    assert code == 2
    assert "give one of" in err
    act(cid, "visit", "--actor", "SR-102", "--not-reached")
    assert kinds(cid)[-1] == "visited"
    assert "reopened" not in kinds(cid)
    assert "escalated" not in kinds(cid)
    assert status(cid) == "awaiting_visit"
    code, _, err = run("act", "close", cid, "--actor", "SR-001", "--result", "已处理")
    assert code == 1
    assert "VIS-3" in err
    code, out, err = run("report", "--month", "2025-11", "--json")
    assert code == 0, err
    sat = json.loads(out)["satisfaction"]
    assert (sat["visits"], sat["satisfied"], sat["rate"], sat["not_reached"]) == (0, 0, None, 1)


@pytest.mark.procedure("VIS-3")
def test_head_office_closes_by_decision_only_after_satisfaction_failed(desk_dir: Path) -> None:
    """VIS-3: "failing satisfaction, after escalation to the top rung decides".  The
    reviewer's written complaint, handed up because nobody could handle it and
    nobody visited, is not closed by HQ-001; after the pack's three unanswered calls
    (review s37A F03) it is, and the month counts it as closed by decision (review
    s36C F02)."""
    cid = replied()
    act(
        cid,
        "escalate",
        "--actor",
        "SR-101",
        "--trigger",
        "cannot_handle",
        "--to",
        "senior_management",
    )
    close = ("act", "close", cid, "--actor", "HQ-001", "--result", "总部决定结案")
    code, _, err = run(*close, "--top-rung-decision")
    assert code == 1
    assert "only when satisfaction failed" in err
    assert "VIS-3" in err
    assert status(cid) == "awaiting_visit"
    for _ in range(3):
        act(cid, "visit", "--actor", "SR-102", "--not-reached")
    code, _, err = run(*close, "--top-rung-decision")
    assert code == 0, err
    assert status(cid) == "closed"
    code, out, err = run("report", "--month", "2025-11", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["closed_by_top_rung"] == 1
    assert {c["key"]: c["count"] for c in report["status"]} == {"closed": 1, "open": 0}


@pytest.mark.procedure("VIS-3")
def test_the_top_rung_asked_to_decide_below_the_top_is_told_to_escalate_first(
    desk_dir: Path,
) -> None:
    """VIS-3: "failing satisfaction, after escalation to the top rung decides".  The
    unsatisfied visit takes the leak from 部门负责人 to the project manager; HQ-001
    (物业总监, the top rung) asking for the top rung's decision there is told the
    complaint is at the project manager and to escalate it first, in English and in
    Chinese, not that only the top rung decides (review s46D F01).  Escalated, he
    decides."""
    cid = replied()
    act(cid, "visit", "--actor", "SR-102", "--not-satisfied", "--opinion", "还在漏")
    assert shown(cid)["state"]["rung"] == "project_manager"  # type: ignore[index]
    close = ("act", "close", cid, "--actor", "HQ-001", "--result", "公司决定结案")
    code, _, err = run(*close, "--top-rung-decision")
    assert code == 1
    assert "only the top rung" not in err
    assert err.strip().endswith(
        "the complaint is at project manager: escalate it to the top rung "
        "(property director / general manager's office) before the top rung decides "
        "its closure (VIS-3)"
    ), err
    result = CliRunner().invoke(
        main, ["--lang", "zh", *close, "--top-rung-decision"], env={"COMPLAINTCORE_NOW": LATER}
    )
    assert result.exit_code == 1
    assert result.stderr.strip().endswith(
        "投诉目前在「项目经理」：须先升级到最高层级「物业总监/总经办」，"
        "再由最高层级决定关闭（VIS-3）"
    ), result.stderr
    act(
        cid,
        "escalate",
        "--actor",
        "SR-001",
        "--trigger",
        "dissatisfied",
        "--to",
        "senior_management",
    )
    code, _, err = run(*close, "--top-rung-decision")
    assert code == 0, err
    assert status(cid) == "closed"


@pytest.mark.procedure("VIS-1")
def test_the_regular_visit_after_closure_at_the_command_line(desk_dir: Path) -> None:
    """002 §4.2 at the shell: the follow-up visit on a closed complaint is accepted,
    the complaint stays closed and listed as closed, and the month counts the
    visit (two visits, one satisfied) (review s36C F04)."""
    cid = replied()
    act(cid, "visit", "--actor", "SR-102", "--satisfied")
    act(cid, "close", "--actor", "SR-001", "--result", "修复")
    act(
        cid, "visit", "--actor", "SR-102", "--not-satisfied", "--opinion", "又漏了", "--major-issue"
    )
    assert status(cid) == "closed"
    assert kinds(cid)[-2:] == ["closed", "visited"]
    code, out, err = run("list", "--status", "closed", "--json")
    assert code == 0, err
    assert cid in out
    code, out, err = run("report", "--month", "2025-11", "--json")
    assert code == 0, err
    sat = json.loads(out)["satisfaction"]
    assert (sat["visits"], sat["satisfied"], sat["rate"]) == (2, 1, 0.5)


@pytest.mark.procedure("VIS-2")
def test_a_call_nobody_answered_takes_no_opinion_at_the_command_line(desk_dir: Path) -> None:
    """cli.md: ``--not-reached`` is "a call nobody answered: no opinion".  With an
    ``--opinion`` it would store "业主很满意" on an unanswered call: it is refused
    naming ``opinion``, and nothing is recorded (review s37A F07)."""
    cid = replied()
    before = kinds(cid)
    code, _, err = run(
        "act", "visit", cid, "--actor", "SR-102", "--not-reached", "--opinion", "业主很满意"
    )
    assert code == 1
    assert "opinion: a visit that did not reach the complainant has no opinion (VIS-2)" in err
    assert kinds(cid) == before


@pytest.mark.procedure("VIS-1")
@pytest.mark.procedure("IMP-2")
@pytest.mark.parametrize(
    ("lang", "label"),
    [("en", "Visits not reaching the complainant"), ("zh", "未联系上投诉人的回访")],
)
def test_the_table_report_shows_the_visits_that_did_not_reach_the_complainant(
    desk_dir: Path, lang: str, label: str
) -> None:
    """The changelog: a visit that does not reach the complainant is counted apart in
    the monthly report.  The default table, the supervisor's dashboard, shows the
    figure beside the others, as the HTML report and ``--json`` do: two unanswered
    calls, then a satisfied visit, read 2 (review s37A F08)."""
    cid = replied()
    act(cid, "visit", "--actor", "SR-102", "--not-reached")
    act(cid, "visit", "--actor", "SR-102", "--not-reached")
    act(cid, "visit", "--actor", "SR-102", "--satisfied")
    result = CliRunner().invoke(
        main,
        ["--lang", lang, "report", "--month", "2025-11"],
        env={"COMPLAINTCORE_NOW": LATER, "COLUMNS": "120"},
    )
    assert result.exit_code == 0, result.stderr
    (line,) = [x for x in result.stdout.splitlines() if label in x]
    assert line.split(label, 1)[1].split()[0] == "2", line
    code, out, err = run("report", "--month", "2025-11", "--json")
    assert code == 0, err
    assert json.loads(out)["satisfaction"]["not_reached"] == 2


class GroupChat(RecordingNotifier):
    """A channel that posts into one group chat: its readers are not known (PRV-1)."""

    group = True


@pytest.mark.procedure("VIS-1")
@pytest.mark.procedure("PRV-1")
def test_an_unsatisfied_follow_up_visit_tells_the_handler_and_customer_services_head(
    tmp_path: Path,
) -> None:
    """VIS-1: visits go on "直到业主满意为止" (002 §3.5).  A leak closed with the
    owner's confirmation on Wed 23 Sep 2026 leaks again after National Day: the
    regular visit on Fri 9 Oct finds the owner not satisfied.  The complaint stays
    closed (reopening is an explicit Reopen), so its handler SR-201 (engineering)
    and customer service's head SR-101, who runs the visits, are told to decide
    whether to reopen it or visit again; the group chat's post masks the owner's
    name and phone, also in the opinion (PRV-1).  A satisfied follow-up visit tells
    nobody (review s37A F06)."""
    people, chat = RecordingNotifier("staff"), GroupChat("wecom")
    with make_desk(store=SqliteStore(tmp_path / "desk.sqlite3"), notifiers=[people, chat]) as desk:

        def at(day: str) -> datetime:
            return datetime.fromisoformat(day).replace(tzinfo=SH)

        c = desk.receive(
            Intake(
                complainant=Complainant("王小明", "13812345678", "3-2-1201", "3", "sunrise"),
                channel="phone",
                received_at=at("2026-09-21 10:00"),
                receiver="SR-103",
                summary="楼上漏水，天花板渗水",
                site="sunrise",
            ),
            now=at("2026-09-21 10:00"),
        )
        cid = c.id
        desk.act(cid, Assess(actor="SR-201", validity="valid"), now=at("2026-09-21 11:00"))
        desk.act(
            cid,
            RecordCause(actor="SR-201", cause="管道老化", corrective="更换管道"),
            now=at("2026-09-22 10:00"),
        )
        desk.act(
            cid, Reply(actor="SR-201", message="已修复", final=True), now=at("2026-09-22 12:00")
        )
        desk.act(cid, Visit(actor="SR-102", satisfied=True), now=at("2026-09-23 10:00"))
        c = desk.act(
            cid, Close(actor="SR-201", result="修复，业主确认"), now=at("2026-09-23 11:00")
        )
        assert c.state.handler == "SR-201"
        desk.act(cid, Visit(actor="SR-102", satisfied=True), now=at("2026-09-30 10:00"))
        desk.deliver(at("2026-09-30 10:00"))
        topic = "unsatisfied_after_closure"
        assert topic not in people.topics(cid)
        opinion = "节后又开始渗水，王小明很不满意，请回电13812345678"
        c = desk.act(
            cid, Visit(actor="SR-102", satisfied=False, opinion=opinion), now=at("2026-10-09 10:00")
        )
        assert (c.status, c.state.reopened) == (Status.CLOSED, 0)
        desk.deliver(at("2026-10-09 10:00"))
        told = {n.recipient: n for n, _ in people.sent if n.topic == topic}
        assert sorted(told) == ["SR-101", "SR-201"]
        for note in told.values():
            assert note.subject == (
                f"[{cid}] 结案后回访投诉人不满意：请决定重新打开或再次回访（VIS-1） / "
                "Not satisfied at a return visit after closure: reopen or visit again (VIS-1)"
            )
            assert f"opinion: {opinion}" in note.body  # both may see the owner's data
        [post] = [n for n, _ in chat.sent if n.topic == topic]
        assert post.recipient == ""
        assert "王小明" not in post.body
        assert "13812345678" not in post.body
        assert "节后又开始渗水" in post.body
