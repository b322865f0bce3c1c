"""Review s50C F03: a CSV report on standard output is the file ``--output`` writes,
its last row ending ``\\r\\n`` and nothing after it (docs/cli.md ``report``: "its rows
end ``\\r\\n`` as CSV's do").

An SPSO desk with no complaints: the 2025-Q4 indicators are a header and one row per
indicator, 18 of them (counted in the pack: received, closed x2, share x2, average
x2, within 5, acknowledged within 3, within 20, extended x2, outcomes x6), 19 rows;
the monthly report's rows are whatever it has, the last one ending ``\\r\\n``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from complaintcore.cli import main

NOW = "2026-04-30T12:00"


def _run(*args: str) -> bytes:
    result = CliRunner().invoke(main, ["--lang", "en", *args], env={"COMPLAINTCORE_NOW": NOW})
    assert result.exit_code == 0, result.stderr
    return result.stdout_bytes


@pytest.fixture
def spso_desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    _run("init", ".", "--pack", "scotland-spso")
    return tmp_path


@pytest.mark.procedure("IMP-2")
@pytest.mark.parametrize(
    "which", [("--period", "2025-Q4"), ("--month", "2025-12")], ids=["period", "month"]
)
def test_a_csv_report_on_standard_output_is_the_file_output_writes(
    spso_desk: Path, which: tuple[str, str]
) -> None:
    shown = _run("report", *which, "--format", "csv")
    assert shown.endswith(b"\r\n")
    assert not shown.endswith(b"\r\n\n")
    written = spso_desk / "report.csv"
    _run("report", *which, "--format", "csv", "--output", str(written))
    assert shown == written.read_bytes()
    rows = list(csv.reader(io.StringIO(shown.decode("utf-8-sig"), newline="")))
    assert [] not in rows
    if which[0] == "--period":
        assert len(rows) == 1 + 18
        assert rows[0][4] == "rule"
        assert rows[1][:5] == ["2025-Q4", "received", "received", "", "SPSO MCHP indicators"]


def test_json_on_standard_output_still_ends_with_a_newline(spso_desk: Path) -> None:
    """Only the CSV loses the extra newline: a JSON document on a terminal ends its line."""
    shown = _run("report", "--period", "2025-Q4", "--format", "json")
    assert shown.endswith(b"}\n")
