"""The base install: the library and a SQLite desk work without click and rich, and the
``complaintcore`` command without them says which extra to install (exit 2).

Each test runs a fresh interpreter in which importing the ``cli`` extra's
packages fails, as it does after ``pip install complaintcore`` without extras.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BLOCK = (
    "import sys\n"
    "for name in ('click', 'rich', 'pygments', 'markdown_it'):\n"
    "    sys.modules[name] = None  # import fails as if not installed\n"
)

DESK = """
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import complaintcore
from complaintcore import Assess, Complainant, Desk, DeskConfig, Intake
from complaintcore.adapters.staff import write_sample_staff

root = Path(sys.argv[1])
write_sample_staff(root / "staff.toml")
now = datetime(2025, 11, 14, 17, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
config = DeskConfig(
    database=str(root / "complaints.sqlite3"), staff_file=str(root / "staff.toml")
)
with Desk.from_config(config) as desk:
    c = desk.receive(
        Intake(
            complainant=Complainant("王小明", "13812345678", "3-2-1201", site="sunrise"),
            channel="phone",
            received_at=now,
            receiver="SR-103",
            summary="楼上漏水，天花板渗水",
            site="sunrise",
        ),
        now=now,
    )
    desk.act(c.id, Assess(actor="SR-201", validity="valid"), now=now)
    report = desk.sweep(datetime(2025, 11, 25, 10, 0, tzinfo=now.tzinfo))
    assert report.escalated, report
    assert desk.verify().ok
loaded = sorted(m for m in ("click", "rich") if sys.modules.get(m) is not None)
print("desk ok", c.id, "loaded:", loaded)
"""


def _python(code: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def test_a_sqlite_desk_runs_without_click_and_rich(tmp_path: Path) -> None:
    done = _python(BLOCK + DESK, str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "desk ok C-20251114-" in done.stdout
    assert "loaded: []" in done.stdout
    assert (tmp_path / "complaints.sqlite3").exists()


@pytest.mark.parametrize("missing", ["click", "rich"])
def test_the_command_without_the_cli_extra_is_a_one_line_hint(tmp_path: Path, missing: str) -> None:
    """The installed console script's entry point, loaded as the script loads it."""
    code = (
        "import sys\n"
        f"sys.modules[{missing!r}] = None\n"
        "from importlib.metadata import entry_points\n"
        "(script,) = entry_points(group='console_scripts', name='complaintcore')\n"
        "assert script.value == 'complaintcore.cli.app:main', script.value\n"
        "sys.argv = ['complaintcore', 'demo']\n"
        "sys.exit(script.load()())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "LANG": "C"},
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr
    assert "pip install 'complaintcore[cli]'" in done.stderr
    assert f"missing {missing}" in done.stderr
    assert list(tmp_path.iterdir()) == []  # nothing was started
