"""Review s48F at the command line, on a real SQLite desk: ``show`` no longer reads a
stage answered without an acknowledgement as acknowledged in time, and
``report --month`` counts a withdrawn complaint's unfinished clocks as neither met
nor missed, as ``report --period`` does.

Dates are counted by hand (docs/rule-packs.md, docs/statistics.md; England and
Wales: no bank holiday in March 2027 before Good Friday 26 March).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.test_cli_staged_review_s47c import ok
from tests.integration.test_cli_staged_review_s47e import _receive

_ANSWER = ("respond", "--actor", "RP-101", "--outcome", "not_upheld", "--message", "m")


@pytest.mark.procedure("DL-7")
def test_show_reads_a_stage_answered_and_never_acknowledged_as_missed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Received Mon 1 March 2027 10:00, answered Thu 4 March 12:00 with no
    acknowledgement (due Mon 8 March 17:00): ``show --json`` says ``missed`` (not
    ``met``), ``unacknowledged``; the text says "never acknowledged", in Chinese
    "从未确认收到"; and both reports count it as not acknowledged in time."""
    monkeypatch.chdir(tmp_path)
    ok("init", ".", "--pack", "uk-housing-ombudsman-2024", now="2027-03-01T09:00")
    a = _receive("elm-court", "CS-001", "2027-03-01T10:00")
    ok("act", a, *_ANSWER, now="2027-03-04T12:00")
    shown = json.loads(ok("show", a, "--json", now="2027-04-01T12:00"))
    (ack,) = (c for c in shown["clocks"] if c["name"] == "stage_1_acknowledge")
    assert (ack["state"], ack["unacknowledged"]) == ("missed", True)
    assert "never acknowledged" in ack["derivation"][-1]
    text = ok("show", a, now="2027-04-01T12:00")
    (line,) = (ln for ln in text.splitlines() if "(HOC 6.2)" in ln)
    assert "never acknowledged" in line
    assert " met" not in line
    zh = ok("show", a, now="2027-04-01T12:00", lang="zh")
    (line,) = (ln for ln in zh.splitlines() if "HOC 6.2" in ln)
    assert "从未确认收到" in line
    month = json.loads(ok("report", "--month", "2027-03", "--json", now="2027-04-01T12:00"))
    (clock,) = (c for c in month["clocks"] if c["name"] == "stage_1_acknowledge")
    assert (clock["met"], clock["missed"]) == (0, 1)
    period = json.loads(ok("report", "--period", "2027-Q1", "--json", now="2027-04-01T12:00"))
    (figure,) = (i for i in period["indicators"] if i["code"] == "stage_1_acknowledged_in_time")
    assert (figure["count"], figure["of"]) == (0, 1)


@pytest.mark.procedure("IMP-2")
def test_month_counts_a_withdrawn_complaints_unfinished_clocks_as_neither(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """W received Mon 1 March 2027, acknowledged Tue 2 March (due Mon 8), withdrawn
    Thu 4 March before its response (due Tue 16 March): the month reads the
    acknowledgement 1 started, 1 met, and the response 0 started, 0 met, 0 missed
    (it read 1 met); ``report --period`` judges neither response figure either."""
    monkeypatch.chdir(tmp_path)
    ok("init", ".", "--pack", "uk-housing-ombudsman-2024", now="2027-03-01T09:00")
    w = _receive("elm-court", "CS-001", "2027-03-01T10:00")
    ok("act", w, "acknowledge", "--actor", "RP-101", "--definition", "leak", now="2027-03-02T10:00")
    ok(
        "act", w, "close", "--actor", "RP-101", "--result", "resident withdrew",
        "--confirmed", now="2027-03-04T10:00",
    )  # fmt: skip
    month = json.loads(ok("report", "--month", "2027-03", "--json", now="2027-04-01T12:00"))
    clocks = {c["name"]: (c["started"], c["met"], c["missed"]) for c in month["clocks"]}
    assert clocks["stage_1_acknowledge"] == (1, 1, 0)
    assert clocks["stage_1_response"] == (0, 0, 0)
    period = json.loads(ok("report", "--period", "2027-Q1", "--json", now="2027-04-01T12:00"))
    (figure,) = (i for i in period["indicators"] if i["code"] == "stage_1_in_time")
    assert (figure["count"], figure["of"]) == (0, 0)
