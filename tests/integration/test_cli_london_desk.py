"""A London desk on the command line: its times, periods and calendar (review s26A).

The timeline shows London clock times (its title names the zone), whatever offset
an event was written with: staff's CLI stamps London time, a cron job on a UTC
server stamps UTC. A report period's header names its last day. Expected values
are worked by hand from the pack (uk-housing-ombudsman-2024: Europe/London,
09:00-17:00, HOC 6.2 five working days with the day of receipt not counted).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from complaintcore.cli import main

UK = "uk-housing-ombudsman-2024"


def ok(*args: str, now: str) -> str:
    result = CliRunner().invoke(
        main, ["--lang", "en", *args], env={"COMPLAINTCORE_NOW": now, "COLUMNS": "250"}
    )
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.fixture
def uk_desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    ok("init", ".", "--pack", UK, now="2025-07-01T09:00")
    return tmp_path


def _receive(now: str) -> str:
    out = ok(
        "receive",
        "--name",
        "Alex Smith",
        "--phone",
        "07700 900123",
        "--room",
        "Flat 4",
        "--site",
        "elm-court",
        "--summary",
        "Black mould in the bedroom",
        "--receiver",
        "CS-001",
        "--json",
        now=now,
    )
    return str(json.loads(out)["id"])


def _rows(shown: str, word: str) -> list[str]:
    return [line for line in shown.splitlines() if word in line and "│" in line]


@pytest.mark.procedure("REC-5")
@pytest.mark.usefixtures("uk_desk")
def test_the_timeline_shows_a_utc_stamped_event_in_london_time() -> None:
    # Registered at 00:40 BST on 11 July; acknowledged by a job passing UTC at
    # 23:50Z on 10 July, which is 00:50 BST on 11 July: ten minutes later.
    cid = _receive("2025-07-11T00:40")
    ok(
        "act",
        cid,
        "acknowledge",
        "--actor",
        "CO-101",
        "--definition",
        "mould",
        now="2025-07-10T23:50Z",
    )
    shown = ok("show", cid, now="2025-07-11T09:00")
    (registered,) = _rows(shown, "registered")
    (acknowledged,) = _rows(shown, "acknowledged")
    assert "timeline (Europe/London)" in shown
    assert "2025-07-11T00:40" in registered
    assert "2025-07-11T00:50" in acknowledged
    assert "2025-07-10" not in acknowledged


@pytest.mark.procedure("REC-5")
@pytest.mark.usefixtures("uk_desk")
def test_a_utc_cron_sweeps_escalation_is_shown_after_the_london_deadline() -> None:
    # Received Thu 10 July 10:00 BST: HOC 6.2 due Thu 17 July 17:00 BST (11, 14,
    # 15, 16, 17 July). A sweep on a UTC server at 16:05Z (17:05 BST) escalates it.
    cid = _receive("2025-07-10T10:00")
    ok("sweep", now="2025-07-17T16:05:00+00:00")
    shown = ok("show", cid, now="2025-07-17T17:10")
    (escalated,) = _rows(shown, "escalated")
    assert "2025-07-17T17:05" in escalated
    assert "16:05" not in escalated


@pytest.mark.usefixtures("uk_desk")
def test_list_shows_a_complaint_received_late_in_utc_on_its_london_day() -> None:
    # 23:30Z on Thu 10 July is 00:30 BST on Fri 11 July.
    _receive("2025-07-10T23:30Z")
    listed = ok("list", now="2025-07-11T09:00")
    assert "2025-07-11T00:30+01:00" in listed
    assert "2025-07-10T23:30" not in listed


@pytest.mark.procedure("IMP-2")
@pytest.mark.usefixtures("uk_desk")
@pytest.mark.parametrize(
    ("period", "first", "last", "end"),
    [
        ("2025-04..2026-03", "2025-04-01", "2026-03-31", "2026-04-01T00:00:00+01:00"),
        ("2025-08", "2025-08-01", "2025-08-31", "2025-09-01T00:00:00+01:00"),
        ("2024-Q1", "2024-01-01", "2024-03-31", "2024-04-01T00:00:00+01:00"),  # 29 Feb inside
    ],
)
def test_the_period_header_names_the_last_day_included(
    period: str, first: str, last: str, end: str
) -> None:
    table = ok("report", "--period", period, now="2026-04-10T09:00")
    html = ok("report", "--period", period, "--format", "html", now="2026-04-10T09:00")
    for text in (table, html):
        assert f"Period: {first} to {last} (Europe/London)" in text
    # --json keeps the end as the exclusive instant: the next period's first moment.
    doc = json.loads(ok("report", "--period", period, "--json", now="2026-04-10T09:00"))
    assert doc["period"]["end"] == end


@pytest.mark.procedure("DL-1")
def test_init_refuses_the_whole_uk_as_a_holiday_calendar(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--param country=GB`` would count Easter Monday and the August bank holiday
    as working days (s26A F04): refused, naming the key and the nations."""
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        main,
        ["--lang", "en", "init", ".", "--pack", "iso-10002", "--param", "country=GB"],
        env={"COMPLAINTCORE_NOW": "2025-08-21T10:00"},
    )
    assert result.exit_code == 1
    assert "calendar.country" in result.stderr
    assert "GB-ENG, GB-WLS, GB-SCT or GB-NIR" in result.stderr
    assert not (tmp_path / "complaintcore.toml").exists()


@pytest.mark.procedure("DL-7")
@pytest.mark.usefixtures("uk_desk")
def test_show_and_sweep_warn_in_the_calendars_last_year_that_it_ends() -> None:
    """The shipped calendar ends with 2040: from 1 January 2040 ``show`` and ``sweep``
    say so, a year ahead, in the reader's language (s26A F03)."""
    cid = _receive("2040-03-01T10:00")
    for lang, words in (("en", "ends with 2040 (Europe/London)"), ("zh", "工作日历止于 2040 年")):
        for args in (("sweep",), ("show", cid)):
            result = CliRunner().invoke(
                main, ["--lang", lang, *args], env={"COMPLAINTCORE_NOW": "2040-03-02T09:00"}
            )
            assert result.exit_code == 0, result.stderr
            assert words in result.stderr
    doc = json.loads(ok("sweep", "--json", now="2040-03-02T09:00"))
    assert any("ends with 2040" in w for w in doc["warnings"])
    earlier = CliRunner().invoke(
        main, ["--lang", "en", "sweep"], env={"COMPLAINTCORE_NOW": "2039-12-31T17:00"}
    )
    assert "ends with" not in earlier.stderr
