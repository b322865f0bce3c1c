"""Return visits and closure at the command line (VIS-1 … VIS-4, review s36C F02–F04)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from complaintcore.cli import main

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
    act(cid, "visit", "--actor", "SR-102", "--not-reached", "--opinion", "电话无人接听")
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
    nobody visited, is not closed by HQ-001; after an unanswered call it is, and
    the month counts it as closed by decision (review s36C F02)."""
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
    act(cid, "visit", "--actor", "SR-102", "--not-reached", "--opinion", "电话无人接听")
    code, _, err = run(*close, "--top-rung-decision")
    assert code == 0, err
    assert status(cid) == "closed"
    code, out, err = run("report", "--month", "2025-11", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["closed_by_top_rung"] == 1
    assert {c["key"]: c["count"] for c in report["status"]} == {"closed": 1, "open": 0}


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
