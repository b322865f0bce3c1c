"""Review s47C at the command line: the SPSO cap refusal, the UK acknowledgement figure
and who may acknowledge and extend stage 2, on a real SQLite desk.

Dates are counted by hand (docs/rule-packs.md; gov.uk bank holidays: England and
Wales 2027 Good Friday 26 March and Easter Monday 29 March; Scotland none in
December 2026 before the 25th).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from complaintcore.cli import main


def run(*args: str, now: str, lang: str = "en") -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--lang", lang, *args], env={"COMPLAINTCORE_NOW": now})
    return result.exit_code, result.stdout, result.stderr


def ok(*args: str, now: str, lang: str = "en") -> str:
    code, out, err = run(*args, now=now, lang=lang)
    assert code == 0, err
    return out


def _receive(site: str, receiver: str, at: str) -> str:
    out = ok(
        "receive",
        "--name",
        "Ian Grant",
        "--phone",
        "07700 900456",
        "--room",
        "3F2",
        "--site",
        site,
        "--summary",
        "Roof leak not repaired",
        "--receiver",
        receiver,
        "--received-at",
        at,
        "--json",
        now=at,
    )
    return str(json.loads(out)["id"])


@pytest.fixture
def spso_desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    ok("init", ".", "--pack", "scotland-spso", now="2026-12-01T09:00")
    return tmp_path


def _extend(cid: str, by: str, now: str, lang: str = "en") -> tuple[int, str, str]:
    return run(
        "act", cid, "extend", "--actor", "PR-101", "--clock", "stage_1_response",
        "--by", by, "--reason", "r", "--agreed-by", "SM-301", now=now, lang=lang,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("lang", "shown"),
    [
        (
            "en",
            "error: by: extensions of stage 1 (frontline) response may add up to 5 days at"
            " most, 0 days used (SPSO MCHP stage 1 extension)",
        ),
        (
            "zh",
            "by：“第一阶段(一线)答复”的延期合计不得超过 5 天，已用 0 天"
            "(SPSO MCHP stage 1 extension)",
        ),
    ],
)
def test_spso_cap_refusal_names_the_length_and_no_days_used(
    spso_desk: Path, lang: str, shown: str
) -> None:
    """F01: received Mon 7 December 2026; 6 days more at once is past the 5-day cap:
    refused (exit 1) naming ``by`` and the 0 days used, not "0h", and not blaming the
    status."""
    cid = _receive("harbour", "FS-001", "2026-12-07T10:00")
    code, _, err = _extend(cid, "6d", "2026-12-08T12:00", lang)
    assert code == 1
    assert shown in " ".join(err.split())
    assert "in handling" not in err
    assert "处理中" not in err
    ok("act", cid, "extend", "--actor", "PR-101", "--clock", "stage_1_response", "--by", "3d",
       "--reason", "r", "--agreed-by", "SM-301", now="2026-12-08T12:00")  # fmt: skip
    code, _, err = _extend(cid, "3d", "2026-12-08T12:05")
    assert code == 1
    assert "may add up to 5 days at most, 3 days used" in " ".join(err.split())


def test_spso_stage_2_is_not_acknowledged_or_extended_by_the_front_line(spso_desk: Path) -> None:
    """F04: answered at stage 1 by EN-101 on Tue 8 December 2026, escalated Wed 9
    December: EN-101 (who answered) and PR-101 (front line) are denied the stage 2
    acknowledgement and extension (exit 4); IO-201 is not."""
    cid = _receive("harbour", "FS-001", "2026-12-07T10:00")
    ok("act", cid, "respond", "--actor", "EN-101", "--outcome", "not_upheld",
       "--message", "m", now="2026-12-08T10:00")  # fmt: skip
    ok("act", cid, "request-escalation", "--actor", "FS-001", now="2026-12-09T10:00")
    for actor in ("EN-101", "PR-101"):
        code, _, _ = run("act", cid, "acknowledge", "--actor", actor, now="2026-12-10T10:00")
        assert code == 4
    ok("act", cid, "acknowledge", "--actor", "IO-201", now="2026-12-10T10:00")
    for actor in ("EN-101", "PR-101"):
        code, _, err = run(
            "act", cid, "extend", "--actor", actor, "--clock", "stage_2_response", "--by", "10d",
            "--reason", "busy", "--agreed-by", actor, now="2026-12-10T10:05",
        )  # fmt: skip
        assert code == 4, err
    ok("act", cid, "extend", "--actor", "IO-201", "--clock", "stage_2_response", "--by", "10d",
       "--reason", "busy", "--agreed-by", "SM-301", now="2026-12-10T10:05")  # fmt: skip


def test_uk_report_counts_answered_but_unacknowledged_as_not_in_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """F02: A answered Thu 4 March 2027 without an acknowledgement; B never
    acknowledged (due Fri 12 March), swept, answered Fri 2 April; D acknowledged Wed
    3 March (due Mon 8 March) and answered.  Stage 1 acknowledged within 5 working
    days: 1 of 3."""
    monkeypatch.chdir(tmp_path)
    ok("init", ".", "--pack", "uk-housing-ombudsman-2024", now="2027-03-01T09:00")
    a = _receive("elm-court", "CS-001", "2027-03-01T10:00")
    ok("act", a, "respond", "--actor", "RP-101", "--outcome", "not_upheld", "--message", "m",
       now="2027-03-04T12:00")  # fmt: skip
    b = _receive("elm-court", "CS-001", "2027-03-05T10:00")
    ok("sweep", now="2027-03-12T17:05")
    ok("act", b, "respond", "--actor", "RP-201", "--outcome", "not_upheld", "--message", "m",
       now="2027-04-02T12:00")  # fmt: skip
    d = _receive("elm-court", "CS-001", "2027-03-01T11:00")
    ok("act", d, "acknowledge", "--actor", "RP-101", "--definition", "boiler",
       now="2027-03-03T10:00")  # fmt: skip
    ok("act", d, "respond", "--actor", "RP-101", "--outcome", "not_upheld", "--message", "m",
       now="2027-03-10T10:00")  # fmt: skip
    figures = json.loads(ok("report", "--period", "2027", "--json", now="2027-12-31T12:00"))
    by_code = {i["code"]: i for i in figures["indicators"]}
    shown = by_code["stage_1_acknowledged_in_time"]
    assert (shown["count"], shown["of"]) == (1, 3)
