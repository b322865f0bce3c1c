"""The examples of docs/examples/ type-check strictly and run.

``docs/examples/host_example`` is what a property-management system writes to
embed complaintcore: a staff directory over a dict, a notifier keeping a list,
a plugin handing both to a desk, and the pure core in a script.  A host runs
``mypy --strict`` on such code, so the test does too, as a subprocess, against
the installed complaintcore and its ``py.typed`` annotations.

``docs/examples/replay_history.py`` is docs/adoption.md's replay of a paper
ledger, each step at its own time; it prints what the page shows, and the
page's warnings about importing the same ledger as rows hold.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType

import pytest

from complaintcore import Complaint, Desk, MonthlyReport, Notifier, StaffDirectory
from tests.helpers import SH
from tests.unit.test_docs import fenced_blocks

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples"


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(EXAMPLES)}
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def _mypy_strict(tmp_path: Path, *target: str) -> list[str]:
    """mypy --strict with the project's configuration, on ``target``."""
    config = str(ROOT / "pyproject.toml")
    cache = str(tmp_path / "mypy-cache")
    return [
        sys.executable,
        "-m",
        "mypy",
        "--strict",
        "--config-file",
        config,
        "--cache-dir",
        cache,
        *target,
    ]


def test_the_example_passes_mypy_strict(tmp_path: Path) -> None:
    done = _run(_mypy_strict(tmp_path, "--package", "host_example"), cwd=EXAMPLES)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success: no issues found in 6 source files" in done.stdout


def test_mypy_would_catch_a_broken_port(tmp_path: Path) -> None:
    """The check has teeth: a notifier whose send takes the wrong type fails it."""
    bad = tmp_path / "bad_host"
    bad.mkdir()
    (bad / "__init__.py").write_text(
        "from complaintcore import Notifier\n\n\n"
        "class Wrong:\n"
        "    name = 'wrong'\n\n"
        "    def send(self, notification: str, recipient: None) -> None: ...\n\n\n"
        "channel: Notifier = Wrong()\n",
        encoding="utf-8",
    )
    done = _run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "c"), str(bad)],
        cwd=tmp_path,
    )
    assert done.returncode == 1
    assert 'Incompatible types in assignment (expression has type "Wrong"' in done.stdout


def test_the_example_runs(tmp_path: Path) -> None:
    done = _run([sys.executable, "-m", "host_example"], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "C-20251114-0001 awaiting_visit repairs minor",
        "reply met: due 2025-11-19 18:00, used 6:30:00",
        "desk: awaiting_visit, handled by SR-201",
        "inbox SR-201: assigned",
        "inbox SR-201: duty_owed",  # REC-2: report to the department leader
        "audit: 6 events",
    ]
    assert list(tmp_path.iterdir()) == []  # an in-memory desk: no files left behind


def test_the_plugin_hands_its_parts_to_the_desk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(EXAMPLES))
    from host_example.plugin import HostPlugin, desk
    from host_example.pure_core import leak

    plugin = HostPlugin()
    assert isinstance(plugin.directory, StaffDirectory)
    assert isinstance(plugin.notifier, Notifier)
    received = datetime(2025, 11, 14, 17, 30, tzinfo=SH)
    with desk(plugin) as the_desk:
        assert the_desk.directory is plugin.directory
        assert the_desk.notifiers == {"inbox": plugin.notifier}
        plugin.notifier.down = True  # the inbox service fails: the outbox keeps the message
        complaint = the_desk.receive(leak(received), now=received)
        assert plugin.notifier.inbox == []
        plugin.notifier.down = False
        assert the_desk.deliver(datetime(2025, 11, 14, 17, 31, tzinfo=SH)).sent == 1
    assert [(who, topic) for who, topic, _ in plugin.notifier.inbox] == [("SR-201", "assigned")]
    assert plugin.audit[0] == f"{complaint.id} registered by SR-103"
    assert not any("王小明" in line for line in plugin.audit)


# --------------------------------------------------------------------------- replay_history.py

REPLAY = EXAMPLES / "replay_history.py"
ADOPTION_MD = ROOT / "docs" / "adoption.md"

# What docs/adoption.md shows the script printing: November as it went, nothing to sweep.
REPLAYED = [
    "leak: closed, grade minor, closed 2026-11-06 10:30",
    "lift: in_handling, held by SR-201, reply due 2026-12-03 18:00",
    # the leak's assigned and duty_owed (report to the leader) dropped; no return visit:
    # VIS-1 is owed for final replies from 2026-12-05 (re-review s54R13)
    "outbox: 3 held, 2 dropped, 1 sent",
    "first sweep: examined 0, escalated 0",
    "2026-11: received 2, valid 2, closed 1, open 1, satisfied visits 1 of 1",
    "  IN-5  to_customer_service: met 2, late 0, breached 0, open 0",
    "  DL-3  to_department: met 2, late 0, breached 0, open 0",
    "  DL-3  department_result: met 1, late 0, breached 0, open 1",
    "  DL-3  reply_after_result: met 1, late 0, breached 0, open 0",
    "  DL-1  reply: met 1, late 0, breached 0, open 1",
    "  DL-6  major_by_age: met 1, late 0, breached 0, open 1",  # satisfied visit: s58R5 F01
    "  REC-2 report_to_leader: met 1, late 0, breached 0, open 0",
    "verify: ok",
]


def _script(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run with the environment as it is, so the complaintcore under test is the one run."""
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300)


def test_the_replay_example_passes_mypy_strict(tmp_path: Path) -> None:
    done = _script(_mypy_strict(tmp_path, str(REPLAY)), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success: no issues found in 1 source file" in done.stdout


def test_the_replay_example_prints_what_the_page_shows_and_runs_again(tmp_path: Path) -> None:
    """Review s33C F02, F03: replayed at their own times, a closed complaint is left
    alone by the first sweep and its month counts it valid and in time; a second
    run stores nothing twice and reports the same month."""
    first = _script([sys.executable, str(REPLAY)], cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines() == REPLAYED
    made = sorted(p.name for p in tmp_path.iterdir())  # and the group lock's folder
    assert made == ["complaints.sqlite3", "complaints.sqlite3.locks", "staff.toml"]

    blocks = fenced_blocks(ADOPTION_MD.read_text(encoding="utf-8"))
    shown = [b.code for b in blocks if b.language == "text" and b.code.startswith("leak:")]
    assert shown == [first.stdout]

    again = _script([sys.executable, str(REPLAY)], cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    nothing_new = "outbox: 0 held, 0 dropped, 0 sent"  # nothing received or done again
    assert again.stdout.splitlines() == [*REPLAYED[:2], nothing_new, *REPLAYED[3:]]


def test_the_page_shows_the_example_file_as_it_is() -> None:
    blocks = fenced_blocks(ADOPTION_MD.read_text(encoding="utf-8"))
    (shown,) = [b for b in blocks if b.title == "replay_history.py"]
    assert shown.language == "python"
    assert shown.code == REPLAY.read_text(encoding="utf-8")


def _ledger(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(EXAMPLES))
    return importlib.import_module("replay_history")


def _sqlite_desk(directory: Path) -> Desk:
    from complaintcore.adapters.staff import write_sample_staff

    write_sample_staff(directory / "staff.toml")
    database = str(directory / "complaints.sqlite3")
    return Desk.from_config({"database": database, "staff_file": str(directory / "staff.toml")})


def test_the_same_ledger_imported_as_rows_is_what_the_page_warns_of(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/adoption.md, review s33C F02, F03: imported at adoption instead of
    replayed, the closed leak arrives open and unverified, the first sweep
    escalates it, and November counts no valid complaint and both hand-overs late."""
    ledger = _ledger(monkeypatch)
    adoption: datetime = ledger.ADOPTION
    with _sqlite_desk(tmp_path) as desk:
        leak, lift = desk.receive_many([ledger.LEAK, ledger.LIFT], now=adoption)
        assert isinstance(leak, Complaint)
        assert isinstance(lift, Complaint)
        assert (leak.status, leak.state.validity) == ("in_handling", "unverified")
        assert leak.state.handler == "SR-201"
        swept = desk.sweep(adoption + timedelta(minutes=5))
        assert {cid for cid, _ in swept.escalated} == {leak.id}  # the lift is not due yet
        report = desk.monthly_report(2026, 11, now=adoption + timedelta(minutes=5))
    assert (report.totals.received, report.totals.valid_complaints) == (2, 0)
    assert report.totals.unverified == 2
    handover = next(c for c in report.clocks if c.name == "to_department")
    assert (handover.met, handover.missed) == (0, 2)  # DL-3: recorded at the import


def test_a_past_as_at_report_changes_after_a_back_dated_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/statistics.md, docs/adoption.md, review s33C F07: November "as at" 20
    November counts nothing before the history is brought in; after a file
    import it counts the leak received and unverified with no clock started, after
    a replay it shows the leak as it stood on 20 November."""
    ledger = _ledger(monkeypatch)
    as_at = datetime(2026, 11, 20, 9, 0, tzinfo=ledger.SH)

    def started(report: MonthlyReport) -> int:
        return sum(c.met + c.missed + c.running + c.at_risk + c.paused + c.breached
                   for c in report.clocks)  # fmt: skip

    (tmp_path / "imported").mkdir()
    with _sqlite_desk(tmp_path / "imported") as desk:
        assert desk.monthly_report(2026, 11, now=as_at).totals.received == 0
        list(desk.receive_many([ledger.LEAK], now=ledger.ADOPTION))
        report = desk.monthly_report(2026, 11, now=as_at)
    assert (report.totals.received, report.totals.unverified, started(report)) == (1, 1, 0)

    (tmp_path / "replayed").mkdir()
    with _sqlite_desk(tmp_path / "replayed") as desk:
        ledger.replay(desk, ledger.LEAK, ledger.LEAK_STEPS)
        report = desk.monthly_report(2026, 11, now=as_at)
    assert (report.totals.received, report.totals.valid_complaints) == (1, 1)
    assert report.closed_count == 1
    assert started(report) > 0


@pytest.mark.parametrize(
    ("page", "start", "end"),
    [
        ("docs/cli.md", "`receive --file FILE` imports", "### `list`"),
        ("docs/statistics.md", "### As at `now`", "### Totals"),
        ("docs/index.md", "| page |", "## "),
        ("README.md", "## A five-minute tour", "## Benchmarks"),
        ("README.zh-CN.md", "complaintcore --lang zh init", "## 作为库使用"),
    ],
)
def test_where_a_history_would_be_imported_the_docs_point_to_the_adoption_page(
    page: str, start: str, end: str
) -> None:
    """Review s33C F02: the bulk import's own sections warn and link the guide."""
    text = (ROOT / page).read_text(encoding="utf-8")
    section = text[text.index(start) :]
    stop = section.find(end, 1)
    assert "adoption.md" in (section if stop < 0 else section[:stop])
