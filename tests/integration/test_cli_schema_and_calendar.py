"""``complaintcore schema``, and the calendar's coverage warning in show and sweep."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner, Result

from complaintcore.cli import main

RECEIVE = [
    "receive", "--name", "王小明", "--phone", "13812345678", "--room", "3-2-1201",
    "--site", "sunrise", "--summary", "楼上漏水，天花板渗水", "--receiver", "SR-103", "--json",
]  # fmt: skip


def invoke(*args: str, now: str) -> Result:
    return CliRunner().invoke(main, ["--lang", "en", *args], env={"COMPLAINTCORE_NOW": now})


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    assert invoke("init", ".", now="2026-11-30T10:00").exit_code == 0
    return tmp_path


def test_schema_of_one_command_validates_a_real_command_document() -> None:
    result = invoke("schema", "command:reply", now="2026-11-30T10:00")
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    good = {"type": "reply", "actor": "SR-201", "message": "已更换水管", "final": True}
    jsonschema.validate(good, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**good, "finale": True}, schema)  # a typo is refused


def test_schema_without_a_name_gives_every_schema_and_an_unknown_name_is_refused() -> None:
    every = json.loads(invoke("schema", now="2026-11-30T10:00").stdout)
    assert {"intake", "command:reply", "event:registered", "event:escalated"} <= set(every)
    result = invoke("schema", "reply", now="2026-11-30T10:00")
    assert result.exit_code == 1
    assert "did you mean 'command:reply'?" in result.stderr
    assert "Traceback" not in result.output


def test_no_calendar_warning_while_deadlines_stay_in_covered_years(desk: Path) -> None:
    # holidays knows China's 2026 make-up days; a June sweep's deadlines stay in 2026
    assert invoke(*RECEIVE, now="2026-06-01T10:00").exit_code == 0
    result = invoke("sweep", now="2026-06-02T10:00")
    assert (result.exit_code, result.stderr) == (0, "")


def test_sweep_and_show_warn_once_deadlines_reach_a_year_without_make_up_day_data(
    desk: Path,
) -> None:
    received = invoke(*RECEIVE, now="2027-01-04T10:00")
    assert received.exit_code == 0
    complaint_id = json.loads(received.stdout)["id"]
    swept = invoke("sweep", now="2027-01-05T10:00")
    assert swept.exit_code == 0
    [line] = swept.stderr.splitlines()
    assert line.startswith("warning: calendar:")
    assert "2027" in line
    shown = invoke("show", complaint_id, "--json", now="2027-01-05T10:00")
    assert shown.exit_code == 0
    [note] = json.loads(shown.stdout)["warnings"]
    assert "make-up-day" in note
    assert shown.stderr == ""  # under --json the warning is in the document only
