"""``verify`` after a sweep run ahead of the clock raises no false tamper alarm.

A sweep run with ``--now`` ahead (a replay, a test, a sweeper whose clock is
ahead) writes its events and each projection row for its own time.  ``verify``
at the real, earlier time judged those rows at its own ``now`` and named them
as edited (``projection row differs from its history (next_due)``, exit 5).  A
row is now judged no earlier than its last event, which the hash chain keeps
honest, nor than the last message queued for it (the ledger keeps each
message's time): a sweep run ahead that recorded no event but warned (review
s50I F01) is dated by its warnings.  A due time cleared or moved later by hand
is still found.
"""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import datetime
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


def _named(cid: str, *nows: str) -> list[str]:
    """``verify`` at each of ``nows`` fails, naming the row's due time; the outputs."""
    outputs = []
    for now in nows:
        result = invoke("verify", now=now)
        assert result.exit_code == 5, (now, result.output)
        assert f"complaint {cid}: projection row differs from its history (next_due)" in (
            result.output
        )
        outputs.append(result.output)
    return outputs


def _by_hand(desk: Path, sql: str, params: tuple[str | None, ...]) -> None:
    """One edit behind the store's back, its guarding triggers dropped first."""
    conn = sqlite3.connect(desk / "complaints.sqlite3", isolation_level=None)
    try:
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"):
            conn.execute(f"DROP TRIGGER {name}")
        conn.execute(sql, params)
    finally:
        conn.close()


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
    _by_hand(desk, "UPDATE projection SET next_due = ?", (moved,))
    for output in _named(cid, NOW, ahead):
        assert "'verify --reproject' rewrites the rows" in output  # the remedy named
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


AT_RISK_DUE = "2025-11-19T18:00:00+08:00"
"""The due time the warnings of the sweep at AT_RISK name (``due: 2025-11-19T18:00+08:00``):
DL-1 and DL-3's three days from the Friday 17:30 receipt end on Wednesday 19
November at 18:00, the end of that working day; the sweep, having warned, next
acts then (DL-7)."""


@pytest.fixture
def warned_ahead(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str, str]:
    """A desk whose only sweep ran at AT_RISK, ahead of NOW: it warned, recorded no event."""
    monkeypatch.chdir(tmp_path)
    assert invoke("init", ".").exit_code == 0
    cid = json.loads(invoke(*RECEIVE, "--json").stdout)["id"]
    head = invoke("verify", "--head").stdout.strip()
    swept = json.loads(invoke("sweep", "--json", now=AT_RISK).stdout)
    assert swept["at_risk"] == 2  # both three-day clocks (DL-1, DL-3)
    assert swept["escalated"] == []
    return tmp_path, cid, head


def _next_due(desk: Path, cid: str) -> str | None:
    conn = sqlite3.connect(desk / "complaints.sqlite3")
    try:
        found = conn.execute("SELECT next_due FROM projection WHERE id = ?", (cid,)).fetchone()
    finally:
        conn.close()
    return None if found[0] is None else str(found[0])


@pytest.mark.procedure("DL-7")
def test_a_sweep_ahead_that_only_warned_passes_verify_at_the_real_time(
    warned_ahead: tuple[Path, str, str],
) -> None:
    """Review s50I F01: the sweep moved the row on to the due time it warned of; a
    verify at the real time (cron, another host) named it as tampered with."""
    desk, cid, head = warned_ahead
    stored = _next_due(desk, cid)
    assert stored is not None
    assert datetime.fromisoformat(stored) == datetime.fromisoformat(AT_RISK_DUE)
    for now in (NOW, "2025-11-17T10:00+08:00", AT_RISK):
        result = invoke("verify", now=now)
        assert result.exit_code == 0, (now, result.output)
        assert "differs from its history" not in result.output
    # the incremental check since before the sweep too
    result = invoke("verify", "--since", head, now=NOW)
    assert result.exit_code == 0, result.output
    # and --reproject finds nothing to rewrite: the sweep's row is the history's
    document = json.loads(invoke("verify", "--reproject", "--json", now=NOW).stdout)
    assert document["reprojected"] == []
    assert _next_due(desk, cid) == stored


@pytest.mark.procedure("DL-7")
@pytest.mark.parametrize("moved", [None, "2025-11-20T10:00:00.000000+00:00"])
def test_a_due_time_moved_past_what_the_warning_sweep_wrote_is_still_found(
    warned_ahead: tuple[Path, str, str], moved: str | None
) -> None:
    """Cleared, or a day past the due time the warnings named: the sweep's messages
    date the row no later than the sweep, so the edit is still named."""
    desk, cid, _head = warned_ahead
    _by_hand(desk, "UPDATE projection SET next_due = ?", (moved,))
    _named(cid, NOW, AT_RISK)


def test_a_message_forged_to_date_a_row_later_is_itself_named(
    warned_ahead: tuple[Path, str, str],
) -> None:
    """The time of a message is under the ledger: one added by hand, dated far ahead
    to excuse a due time moved on, fails the check by itself."""
    desk, cid, _head = warned_ahead
    ahead = "2030-01-01T00:00:00.000000+00:00"
    _by_hand(desk, "UPDATE projection SET next_due = ?", (ahead,))
    _by_hand(
        desk,
        "UPDATE outbox SET created_at = ? WHERE complaint_id = ? AND dedupe_key LIKE ?",
        (ahead, cid, "%:at_risk:%"),
    )
    result = invoke("verify", now=NOW)
    assert result.exit_code == 5, result.output
    assert re.search(r"ledger entry \d+: .*outbox", result.output), result.output
