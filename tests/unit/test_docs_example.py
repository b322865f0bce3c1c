"""The host example package of docs/examples/ type-checks strictly and runs.

``docs/examples/host_example`` is what a property-management system writes to
embed complaintcore: a staff directory over a dict, a notifier keeping a list,
a plugin handing both to a desk, and the pure core in a script.  A host runs
``mypy --strict`` on such code, so the test does too, as a subprocess, against
the installed complaintcore and its ``py.typed`` annotations.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from complaintcore import Notifier, StaffDirectory
from tests.helpers import SH

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples"


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(EXAMPLES)}
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_the_example_passes_mypy_strict(tmp_path: Path) -> None:
    done = _run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--cache-dir",
            str(tmp_path / "mypy-cache"),
            "--package",
            "host_example",
        ],
        cwd=EXAMPLES,
    )
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
