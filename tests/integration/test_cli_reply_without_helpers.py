"""``act reply --final`` waits for the helping departments' parts (HDL-4, review s39A F04).

A real desk (``complaintcore init``: SQLite file, sample staff, cn-property).  A parking
complaint is security's (SR-301 heads it), with finance's help (HQ-020 heads finance).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from complaintcore.cli import main

MONDAY = "2025-11-24T09:00"  # Monday 24 November 2025, an ordinary working week
LATER = "2025-11-24T09:30"


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    assert invoke("init", ".", now=MONDAY).exit_code == 0
    return tmp_path


def invoke(*args: str, now: str = LATER, lang: str = "en") -> Result:
    return CliRunner().invoke(main, ["--lang", lang, *args], env={"COMPLAINTCORE_NOW": now})


def ok(*args: str, now: str = LATER) -> Any:
    result = invoke(*args, "--json", now=now)
    assert result.exit_code == 0, (args, result.output)
    return json.loads(result.stdout)


def parking() -> str:
    doc = ok(
        "receive", "--name", "王小明", "--phone", "13812345678", "--room", "3-2-1201",
        "--building", "3", "--site", "sunrise", "--summary", "车位被占用，停车费也多收了",
        "--receiver", "SR-103", now=MONDAY,
    )  # fmt: skip
    assert (doc["category"], doc["department"], doc["handler"]) == ("parking", "security", "SR-301")
    return str(doc["id"])


@pytest.mark.procedure("HDL-4")
def test_act_reply_names_the_helpers_owed_and_goes_ahead_only_when_told(desk: Path) -> None:
    """The final reply is refused naming finance (exit 1); ``--without-helpers`` gives it
    and the history records that it went ahead without finance.  A reply after
    finance's part (``act handle --department finance``) needs no flag."""
    first, second = parking(), parking()
    reply = ("act", "reply", first, "--actor", "SR-301", "--message", "已清理占位车辆", "--final")
    result = invoke(*reply, "--json")
    assert result.exit_code == 1
    error = json.loads(result.stdout)["error"]
    assert error["type"] == "IllegalTransitionError"
    assert error["message"].endswith(
        "helping departments have recorded no part: finance; reply once they have "
        "(handle with their department), or reply without them (HDL-4)"
    )
    assert ok(*reply, "--without-helpers")["status"] == "awaiting_visit"
    shown = ok("show", first)
    replied = [e for e in shown["events"] if e["type"] == "replied"]
    assert [e["went_ahead_without"] for e in replied] == [["finance"]]

    ok(
        "act", "handle", second, "--actor", "HQ-020", "--department", "finance",
        "--result", "已退还多收停车费",
    )  # fmt: skip
    answered = ok("act", "reply", second, "--actor", "SR-301", "--message", "已处理", "--final")
    assert answered["status"] == "awaiting_visit"
