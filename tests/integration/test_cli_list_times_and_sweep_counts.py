"""``list --json`` gives times as ``show --json`` does, in the desk's zone (review s34D
F08), and ``sweep`` counts complaints escalated apart from the deadlines that moved
them (F09), in English and in Chinese."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from complaintcore.cli import main


def _run(*args: str, now: str, lang: str = "en") -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--lang", lang, "--now", now, *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def desk_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("COMPLAINTCORE_NOW", "COMPLAINTCORE_LANG", "COMPLAINTCORE_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    assert _run("init", ".", now="2026-09-14T07:00")[0] == 0
    return tmp_path


def _receive(room: str, received_at: str, now: str) -> str:
    code, out, err = _run(
        "receive",
        "--name",
        "李娜",
        "--phone",
        "13900001111",
        "--room",
        room,
        "--site",
        "sunrise",
        "--summary",
        "卫生间天花板漏水",
        "--receiver",
        "SR-103",
        "--received-at",
        received_at,
        "--json",
        now=now,
    )
    assert code == 0, err
    return str(json.loads(out)["id"])


def test_list_json_gives_the_times_show_json_gives(desk_dir: Path) -> None:
    """Monday 07:30 in Beijing is Sunday 23:30 UTC: a script printing the date must
    print Monday, as show does."""
    cid = _receive("5-1-302", "2026-09-14T07:30", now="2026-09-14T07:40")
    code, out, _ = _run("show", cid, "--json", now="2026-09-14T08:00")
    assert code == 0
    shown = json.loads(out)
    code, out, _ = _run("list", "--json", now="2026-09-14T08:00")
    (row,) = json.loads(out)
    assert code == 0
    assert row["received_at"] == shown["intake"]["received_at"] == "2026-09-14T07:30:00+08:00"
    assert row["updated_at"] == shown["events"][-1]["at"]
    for key in ("received_at", "updated_at", "next_due", "breach_due"):
        assert datetime.fromisoformat(row[key]).utcoffset().total_seconds() == 8 * 3600
    assert datetime.fromisoformat(row["received_at"]).date().isoformat() == "2026-09-14"


def test_sweep_counts_one_escalation_for_two_deadlines_missed_together(desk_dir: Path) -> None:
    """The reply (DL-1) and the department's result (DL-3) fall due Thursday 18:00
    together: one complaint moves up one rung, once, for both; the line says so."""
    cid = _receive("3-2-1201", "2026-09-14T09:00", now="2026-09-14T09:00")
    code, out, _ = _run("sweep", now="2026-09-18T09:00", lang="zh")
    assert code == 0
    assert out.splitlines()[0] == "检查 1 宗；升级 1 宗（2 项时限超时）；预警 0 次；升为重大 0 宗"
    code, out, _ = _run("show", cid, "--json", now="2026-09-18T09:00")
    escalations = [e for e in json.loads(out)["events"] if e["type"] == "escalated"]
    assert len(escalations) == 1
    code, out, _ = _run("sweep", "--json", now="2026-09-18T09:05")
    assert (code, json.loads(out)["escalated"]) == (0, [])  # the pairs stay in --json


def test_sweep_line_in_english_and_chinese(desk_dir: Path) -> None:
    cid = _receive("3-2-1201", "2026-09-14T09:00", now="2026-09-14T09:00")
    code, out, _ = _run("sweep", now="2026-09-18T09:00")
    assert code == 0
    assert out.splitlines()[0] == (
        "examined 1; complaints escalated 1 (for 2 missed deadlines); at-risk warnings 0;"
        " regraded 0"
    )
    code, out, _ = _run("show", cid, "--json", now="2026-09-18T09:00")
    assert [e["type"] for e in json.loads(out)["events"]].count("escalated") == 1
    code, out, _ = _run("sweep", now="2026-09-18T09:05", lang="zh")
    assert code == 0
    assert out.splitlines()[0] == "检查 0 宗；升级 0 宗；预警 0 次；升为重大 0 宗"
    code, out, _ = _run("sweep", now="2026-09-18T09:10")
    assert out.splitlines()[0] == (
        "examined 0; complaints escalated 0; at-risk warnings 0; regraded 0"
    )
