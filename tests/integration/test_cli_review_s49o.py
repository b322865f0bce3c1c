"""Review s49O at the command line: every time a command prints or writes is in the
pack's zone (Asia/Shanghai, UTC+8, on the default desk), whatever offset it was typed with.

By hand: a receipt typed 2026-01-31T16:30Z is Sunday 1 February 00:30 in Shanghai.
SR-103 is not customer service, so IN-5 runs: 24 h, until Monday 2 February 00:30.
DL-6's month, counted in the pack's zone, ends Sunday 1 March 00:30.  A report of
January made at 2026-01-31T18:00Z is "as at" 1 February 02:00+08:00.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from complaintcore.cli import main

LOCALE_VARS = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG", "COMPLAINTCORE_LANG", "TZ")
NOW = "2026-02-01T01:00+08:00"


def invoke(*args: str, now: str = NOW, lang: str = "en") -> Result:
    env: dict[str, str | None] = dict.fromkeys(LOCALE_VARS)
    env["COMPLAINTCORE_NOW"] = now
    return CliRunner().invoke(main, ["--lang", lang, *args], env=env)


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "250")
    assert invoke("init", ".").exit_code == 0
    return tmp_path


def receive_utc() -> str:
    result = invoke(
        "receive", "--name", "王小明", "--phone", "13700000001", "--room", "9-9-901",
        "--building", "9", "--site", "sunrise", "--summary", "电梯坏了",
        "--receiver", "SR-103", "--received-at", "2026-01-31T16:30Z", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    return str(json.loads(result.stdout)["id"])


@pytest.mark.procedure("IN-5")
@pytest.mark.procedure("DL-6")
def test_show_json_gives_every_due_time_in_the_pack_zone(desk: Path) -> None:
    cid = receive_utc()
    shown = invoke("show", cid, "--json")
    assert shown.exit_code == 0, shown.stderr
    clocks = {c["name"]: c for c in json.loads(shown.stdout)["clocks"]}
    assert clocks["to_customer_service"]["due"] == "2026-02-02T00:30:00+08:00"
    assert clocks["major_by_age"]["due"] == "2026-03-01T00:30:00+08:00"
    for c in clocks.values():
        if c["due"] is not None:
            assert c["due"].endswith("+08:00"), c
        for line in c["derivation"]:
            assert "+00:00" not in line, line
    assert clocks["major_by_age"]["derivation"][0].startswith("2026-02-01T00:30:00+08:00")


@pytest.mark.procedure("DL-6")
def test_show_text_derivation_agrees_with_itself(desk: Path) -> None:
    cid = receive_utc()
    shown = invoke("show", cid)
    assert shown.exit_code == 0, shown.stderr
    assert "+00:00" not in shown.stdout
    assert "until 2026-03-01T00:30:00+08:00" in shown.stdout
    assert "due 2026-03-01T00:30:00+08:00" in shown.stdout
    assert "2026-02-28T16:30" not in shown.stdout


@pytest.mark.procedure("IMP-2")
def test_every_report_format_gives_as_at_in_the_pack_zone(desk: Path) -> None:
    receive_utc()
    args = ("report", "--month", "2026-01", "--now", "2026-01-31T18:00Z")
    table = invoke(*args)
    assert "figures as at 2026-02-01T02:00+08:00" in table.stdout
    html = invoke(*args, "--format", "html")
    assert html.exit_code == 0, html.stderr
    found = re.search(r"Time zone: [^<]*", html.stdout)
    assert found is not None
    assert found.group(0) == (
        "Time zone: Asia/Shanghai · Figures as at: 2026-02-01T02:00+08:00 · Rule pack: cn-property"
    )
    data = json.loads(invoke(*args, "--json").stdout)
    assert data["now"] == "2026-02-01T02:00:00+08:00"


def test_audit_json_gives_the_view_time_in_the_pack_zone(desk: Path) -> None:
    cid = receive_utc()
    assert invoke("show", cid, "--as", "sr-201", now="2026-01-31T16:40Z").exit_code == 0
    [record] = json.loads(invoke("audit", "--json").stdout)
    assert record["at"] == "2026-02-01T00:40:00+08:00"
