"""A console that writes GBK (a redirected Windows console in China; review s41B).

Machine output -- ``--json``, a CSV, an HTML page -- is UTF-8 whatever the console
writes (docs/cli.md), and text output never fails on a character the console
lacks: an emoji typed into a building or a summary ends neither a report nor a
JSON document half-way.  Run in a child process whose standard output is GBK
(``PYTHONIOENCODING=gbk``), as Python sets it up there.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from complaintcore.cli import main

NOW = "2025-11-14T10:00"
BUILDING = "3号楼🏠"  # GBK has no emoji
SUMMARY = "电梯坏了😡 𠮷"  # nor this rarer character


def _invoke(*args: str) -> str:
    result = CliRunner().invoke(main, ["--lang", "zh", *args], env={"COMPLAINTCORE_NOW": NOW})
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("gbk")
    config = str(root / "complaintcore.toml")
    _invoke("init", str(root))
    received = _invoke(
        "--config", config, "receive", "--json", "--receiver", "SR-103", "--name", "王小明",
        "--phone", "13812345678", "--room", "3-2-1201", "--building", BUILDING,
        "--site", "sunrise", "--summary", SUMMARY, "--received-at", "2025-11-14T09:00",
    )  # fmt: skip
    cid = json.loads(received)["id"]
    _invoke("--config", config, "act", cid, "assess", "--actor", "SR-201", "--validity", "valid")
    return root


def _gbk(desk: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONIOENCODING": "gbk", "COMPLAINTCORE_NOW": NOW}
    config = str(desk / "complaintcore.toml")
    return subprocess.run(
        [sys.executable, "-m", "complaintcore", "--lang", "zh", "--config", config, *args],
        cwd=desk, capture_output=True, env=env, timeout=120, check=False,
    )  # fmt: skip


def test_the_child_writes_gbk(desk: Path) -> None:
    """The setting the tests below rely on: a plain print is GBK there."""
    env = {**os.environ, "PYTHONIOENCODING": "gbk"}
    done = subprocess.run(
        [sys.executable, "-c", "print('收到')"], capture_output=True, env=env, check=True
    )
    assert done.stdout.strip() == "收到".encode("gbk")


@pytest.mark.procedure("IMP-2")
def test_a_json_report_is_one_utf8_document(desk: Path) -> None:
    done = _gbk(desk, "report", "--month", "2025-11", "--json")
    assert done.returncode == 0, done.stderr.decode("gbk", "replace")
    report = json.loads(done.stdout)  # bytes: json reads UTF-8 only as UTF-8
    assert report["period"]["key"] == "2025-11"
    assert done.stdout.decode("utf-8").count("{") >= 1
    assert done.stderr == b""


@pytest.mark.procedure("IMP-2")
def test_a_csv_report_is_utf8_with_its_mark(desk: Path) -> None:
    done = _gbk(desk, "report", "--month", "2025-11", "--format", "csv")
    assert done.returncode == 0, done.stderr.decode("gbk", "replace")
    assert done.stdout.startswith(b"\xef\xbb\xbfperiod,section,")
    text = done.stdout.decode("utf-8-sig")
    assert f"sunrise/{BUILDING}" in text
    assert "\r\r\n" not in text
    assert text.splitlines()[1].startswith("2025-11,totals,received,收到,")


@pytest.mark.procedure("IMP-2")
def test_an_html_report_is_the_utf8_its_page_declares(desk: Path) -> None:
    done = _gbk(desk, "report", "--month", "2025-11", "--format", "html")
    assert done.returncode == 0, done.stderr.decode("gbk", "replace")
    assert b'<meta charset="utf-8">' in done.stdout
    page = done.stdout.decode("utf-8")
    assert "2025年11月投诉统计月报" in page
    assert f"sunrise/{BUILDING}" in page


def test_list_json_is_one_whole_utf8_document(desk: Path) -> None:
    done = _gbk(desk, "list", "--json")
    assert done.returncode == 0, done.stderr.decode("gbk", "replace")
    (row,) = json.loads(done.stdout)
    assert row["building"] == BUILDING


def test_text_output_shows_what_the_console_lacks_as_a_mark(desk: Path) -> None:
    """``show`` prints the summary on the console: the emoji becomes ``?``."""
    cid = json.loads(_invoke("--config", str(desk / "complaintcore.toml"), "list", "--json"))[0]
    done = _gbk(desk, "show", cid["id"])
    assert done.returncode == 0, done.stderr.decode("gbk", "replace")
    assert "电梯坏了? ?" in done.stdout.decode("gbk")
