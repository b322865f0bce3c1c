"""``kill -9`` during a bulk import, resumed each time: nothing twice, nothing lost.

The file has no idempotency keys (issue 13, defect 3: re-running such a file
after a crash duplicated 2,000-10,000 rows in 5 of 5 trials).  The import is
killed with SIGKILL at random moments -- mid-batch, mid-commit, mid-delivery --
at least five times, re-run after each, and finally run to the end.  Every row
is then stored exactly once, and the hash chains verify.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.cli import main

ROWS = 8_000  # enough that six kills land inside the import however fast it runs
KILLS = 6
NOW = "2025-11-14T17:30"
SEED = int(os.environ.get("COMPLAINTCORE_KILL_SEED", "20251114"))


def _csv(path: Path) -> None:
    lines = ["name,phone,room,site,summary,receiver,channel,received_at"]
    for i in range(ROWS):
        summary = ("楼上漏水，天花板渗水", "电梯停运", "楼道垃圾没人清理", "门禁坏了")[i % 4]
        room = f"{1 + i % 9}-{1 + i % 3}-{100 + i % 900}"
        received = f"2025-11-14T{8 + i % 9:02d}:{i % 60:02d}"
        lines.append(f"业主{i},139{i:08d},{room},sunrise,{summary} #{i},SR-103,phone,{received}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _import(desk: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "COMPLAINTCORE_NOW": NOW, "COMPLAINTCORE_LANG": "en"}
    return subprocess.Popen(
        [sys.executable, "-m", "complaintcore.cli.app", "receive", "--file", "rows.csv"],
        cwd=desk,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _stored(desk: Path) -> tuple[int, set[str]]:
    with SqliteStore(desk / "complaints.sqlite3") as store:
        phones = [c.intake.complainant.phone for c in store.complaints()]
        report = store.verify()
    assert report.ok, report.problems
    assert len(phones) == len(set(phones)), "a row was stored twice"
    return len(phones), set(phones)


def test_an_import_killed_again_and_again_ends_with_every_row_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(main, ["init", "."]).exit_code == 0
    _csv(tmp_path / "rows.csv")
    rng = random.Random(SEED)
    kills = 0
    counts = []
    while kills < KILLS:
        process = _import(tmp_path)
        time.sleep(rng.uniform(0.4, 1.4))  # past start-up, somewhere in the import
        if process.poll() is not None:  # it finished first: this round did not count
            process.communicate()
            break
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=30)  # reaps it and closes its pipe
        kills += 1
        count, _ = _stored(tmp_path)  # after each kill: no duplicate, chains intact
        counts.append(count)
    assert kills >= 5, f"only {kills} kills landed inside the import ({counts})"
    final = _import(tmp_path)
    _, err = final.communicate(timeout=600)
    assert final.returncode == 0, err.decode()
    count, phones = _stored(tmp_path)
    assert count == ROWS  # nothing lost, nothing twice
    assert phones == {f"139{i:08d}" for i in range(ROWS)}
    assert counts == sorted(counts)  # every resumed run kept what the earlier ones stored
