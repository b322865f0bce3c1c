"""Review s47E at the command line, on a real SQLite desk: a complaint closed at SPSO
stage 1 without a response keeps the 6 months of the event, and the monthly report
agrees with ``report --period`` on a UK stage answered but never acknowledged.

Dates are counted by hand (docs/rule-packs.md; England and Wales: no bank holiday in
March 2027 before Good Friday 26 March).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.test_cli_staged_review_s47c import ok, run


def _receive(site: str, receiver: str, at: str, *extra: str) -> str:
    out = ok(
        "receive", "--name", "Ian Grant", "--phone", "07700 900456", "--room", "3F2",
        "--site", site, "--summary", "Roof leak not repaired", "--receiver", receiver,
        "--received-at", at, *extra, "--json", now=at,
    )  # fmt: skip
    return str(json.loads(out)["id"])


def test_spso_complaint_withdrawn_at_stage_1_is_not_escalated_years_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue arose 1 December 2026, the complaint came on 14 December and was
    closed (withdrawn) on 15 December with no stage 1 response.  The 6 months of the
    event ran to the end of 1 June 2027: a request on 15 December 2028 is refused,
    exit status 1, and the complaint stays closed."""
    monkeypatch.chdir(tmp_path)
    ok("init", ".", "--pack", "scotland-spso", now="2026-12-01T09:00")
    cid = _receive("harbour", "FS-001", "2026-12-14T10:00", "--occurred-at", "2026-12-01")
    ok(
        "act", cid, "close", "--actor", "PR-101", "--result", "resident withdrew",
        "--confirmed", now="2026-12-15T10:00",
    )  # fmt: skip
    code, _out, err = run(
        "act", cid, "request-escalation", "--actor", "FS-001", "--reason", "still leaking",
        now="2028-12-15T10:00",
    )  # fmt: skip
    assert code == 1
    assert "the time limit for stage 2: investigation ended at the end of 2027-06-01" in err
    assert "more than 6 months after the issue arose on 2026-12-01" in err
    shown = json.loads(ok("show", cid, "--json", now="2028-12-15T10:01"))
    assert shown["state"]["status"] == "closed"
    assert not any(e["type"] == "escalation_requested" for e in shown["events"])


def test_uk_monthly_report_and_period_report_agree_on_unacknowledged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A (Mon 1 March 2027) and B (Tue 2 March) answered without an acknowledgement,
    D (Mon 1 March) acknowledged Wed 3 March, within 5 working days (due Mon 8
    March): 1 of 3 in both reports."""
    monkeypatch.chdir(tmp_path)
    ok("init", ".", "--pack", "uk-housing-ombudsman-2024", now="2027-03-01T09:00")
    a = _receive("elm-court", "CS-001", "2027-03-01T10:00")
    b = _receive("elm-court", "CS-001", "2027-03-02T10:00")
    d = _receive("elm-court", "CS-001", "2027-03-01T11:00")
    answer = ("respond", "--actor", "RP-101", "--outcome", "not_upheld", "--message", "m")
    ok("act", a, *answer, now="2027-03-04T12:00")
    ok("act", b, *answer, now="2027-03-05T12:00")
    ok(
        "act",
        d,
        "acknowledge",
        "--actor",
        "RP-101",
        "--definition",
        "boiler",
        now="2027-03-03T10:00",
    )
    ok("act", d, *answer, now="2027-03-10T10:00")
    period = json.loads(ok("report", "--period", "2027-Q1", "--json", now="2027-04-01T12:00"))
    (figure,) = (i for i in period["indicators"] if i["code"] == "stage_1_acknowledged_in_time")
    assert (figure["count"], figure["of"]) == (1, 3)
    month = json.loads(ok("report", "--month", "2027-03", "--json", now="2027-04-01T12:00"))
    (clock,) = (c for c in month["clocks"] if c["name"] == "stage_1_acknowledge")
    assert (clock["started"], clock["met"], clock["missed"]) == (3, 1, 2)
    assert clock["on_time_rate"] == 0.3333
