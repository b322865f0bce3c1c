"""``verify`` after a sweep run ahead of the clock raises no false tamper alarm.

A sweep run with ``--now`` ahead (a replay, a test, a sweeper whose clock is
ahead) writes its events and each projection row for its own time.  ``verify``
at the real, earlier time judged those rows at its own ``now`` and named them
as edited (``projection row differs from its history (next_due)``, exit 5).  A
row is now judged no earlier than its last event, which the hash chain keeps
honest.  A due time cleared or moved later by hand is still found.  (A sweep
run ahead that recorded no event at all -- it only warned -- leaves nothing in
the history to date its row by; verify with that sweep's ``--now`` passes.)
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from complaintcore.cli import main

NOW = "2025-11-14T17:30+08:00"
AT_RISK = "2025-11-19T17:30+08:00"  # five days on: at-risk warnings, no event recorded
BROKEN = "2025-11-25T17:30+08:00"  # eleven days on: deadlines broken, escalated
RECEIVE = ["receive", "--name", "王小明", "--phone", "13812345678", "--room", "3-2-1201"]
RECEIVE += ["--site", "sunrise", "--summary", "楼上漏水，天花板渗水", "--receiver", "SR-103"]


def invoke(*args: str, now: str = NOW) -> Result:
    return CliRunner().invoke(main, ["--lang", "en", "--now", now, *args])


@pytest.fixture(params=[BROKEN])
def swept_ahead(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, str, str]:
    monkeypatch.chdir(tmp_path)
    assert invoke("init", ".").exit_code == 0
    received = invoke(*RECEIVE, "--json")
    assert received.exit_code == 0, received.output
    cid = json.loads(received.stdout)["id"]
    ahead: str = request.param
    swept = invoke("sweep", "--json", now=ahead)
    assert swept.exit_code == 0, swept.output
    document = json.loads(swept.stdout)
    assert document["escalated"]  # events written for its own time
    return tmp_path, cid, ahead


def test_verify_at_the_real_time_passes_after_a_sweep_run_ahead(
    swept_ahead: tuple[Path, str, str],
) -> None:
    for now in (NOW, "2025-11-17T10:00+08:00", swept_ahead[2]):
        result = invoke("verify", "--json", now=now)
        assert result.exit_code == 0, (now, result.output)
        assert "error" not in json.loads(result.stdout)


@pytest.mark.parametrize("moved", [None, "2029-01-01T00:00:00+00:00"])
def test_a_due_time_cleared_or_moved_past_a_deadline_is_still_found(
    swept_ahead: tuple[Path, str, str], moved: str | None
) -> None:
    desk, cid, ahead = swept_ahead
    conn = sqlite3.connect(desk / "complaints.sqlite3", isolation_level=None)
    try:
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"):
            conn.execute(f"DROP TRIGGER {name}")
        conn.execute("UPDATE projection SET next_due = ?", (moved,))
    finally:
        conn.close()
    for now in (NOW, ahead):
        result = invoke("verify", now=now)
        assert result.exit_code == 5, (now, result.output)
        assert f"complaint {cid}: projection row differs from its history (next_due)" in (
            result.output
        )
        assert "'verify --reproject' rewrites the rows" in result.output  # the remedy named
    # the same remedy for a script (review s49R: the JSON alone read as tampering)
    document = json.loads(invoke("verify", "--json", now=NOW).stdout)
    assert document["ok"] is False
    assert any("'verify --reproject' rewrites the rows" in h for h in document["hints"])


def test_a_sweep_ahead_that_only_warned_verifies_at_its_own_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No event dates its row: verify with the sweep's --now judges it there."""
    monkeypatch.chdir(tmp_path)
    assert invoke("init", ".").exit_code == 0
    assert invoke(*RECEIVE).exit_code == 0
    swept = json.loads(invoke("sweep", "--json", now=AT_RISK).stdout)
    assert swept["at_risk"] > 0
    assert swept["escalated"] == []
    assert invoke("verify", now=AT_RISK).exit_code == 0
