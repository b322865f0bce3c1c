"""Every ```python block of README.md, README.zh-CN.md and docs/ runs as written.

Each page runs in a fresh module namespace inside its own temporary working
directory, its blocks in order, as a reader pasting them into one script would;
a block whose info string carries ``title="<file>"`` (```toml
title="complaintcore.toml") is written to that file first, so the setup a page
needs is on the page.  Signature listings are ```pyi and shell sessions
```bash or ```text: they are not run.  The python blocks import only the
public surface (``complaintcore`` and its documented subpackages) and never
read the wall clock.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.unit.test_docs import Block, fenced_blocks, run_blocks

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted(
    [ROOT / "README.md", ROOT / "README.zh-CN.md", *(ROOT / "docs").rglob("*.md")],
    key=lambda p: p.relative_to(ROOT).as_posix(),
)

# Where a host imports from besides `complaintcore` itself: the documented
# subpackages, and the command line's helpers for the demo and the HTML report.
PUBLIC = (
    "complaintcore.adapters",
    "complaintcore.testing",
    "complaintcore.rules",
    "complaintcore.cli.demo",
    "complaintcore.cli.report_html",
)

# Reading the wall clock (now, today, time …): the library and its docs take `now`.
WALL_CLOCK = {"now", "utcnow", "today", "time", "time_ns", "monotonic", "perf_counter"}


def _name(page: Path) -> str:
    return page.relative_to(ROOT).as_posix()


def _python(page: Path) -> list[Block]:
    return [b for b in fenced_blocks(page.read_text(encoding="utf-8")) if b.language == "python"]


RUNNABLE = [p for p in PAGES if _python(p)]


def test_the_pages_are_found() -> None:
    assert ROOT / "README.md" in RUNNABLE
    assert len(RUNNABLE) >= 12
    assert sum(len(_python(p)) for p in PAGES) >= 45


@pytest.mark.parametrize("page", RUNNABLE, ids=_name)
def test_every_python_block_of_the_page_runs(
    page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    module = ModuleType(f"docs_page_{page.stem.replace('-', '_').replace('.', '_')}")
    monkeypatch.setitem(sys.modules, module.__name__, module)  # as a script's __main__ is
    assert run_blocks(page, vars(module)) == len(_python(page))


def internal_imports(block: Block) -> list[str]:
    """The complaintcore modules a block imports that a host should not."""
    found: list[str] = []
    for node in ast.walk(ast.parse(block.code)):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append(node.module)
        elif isinstance(node, ast.Import):
            found.extend(a.name for a in node.names)
    return [
        m
        for m in found
        if m.startswith("complaintcore.")
        and not any(m == p or m.startswith(p + ".") for p in PUBLIC)
    ]


def clock_reads(block: Block) -> list[str]:
    """Calls such as ``datetime.now(UTC)`` or ``time.time()`` in a block."""
    return [
        ast.unparse(node)
        for node in ast.walk(ast.parse(block.code))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in WALL_CLOCK
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id in {"datetime", "date", "time"}
    ]


@pytest.mark.parametrize("page", RUNNABLE, ids=_name)
def test_the_examples_import_only_the_public_surface(page: Path) -> None:
    found = [(b.line, m) for b in _python(page) for m in internal_imports(b)]
    assert found == [], f"{_name(page)} imports internal modules (line, module)"


@pytest.mark.parametrize("page", RUNNABLE, ids=_name)
def test_the_examples_never_read_the_wall_clock(page: Path) -> None:
    found = [(b.line, call) for b in _python(page) for call in clock_reads(b)]
    assert found == [], f"{_name(page)} reads the clock (line, call)"


def test_the_checks_catch_internal_imports_and_clock_reads() -> None:
    bad = Block(
        "python",
        "import complaintcore.desk.service\n"
        "from complaintcore.core.models import Intake\n"
        "from complaintcore.adapters.staff import load_staff_file\n"
        "from complaintcore import Desk\n"
        "from complaintcore.cli.app import main\n"
        "import time\n"
        "from datetime import UTC, date, datetime\n"
        "t = (time.time(), datetime.now(UTC), date."
        "today(), datetime(2025, 1, 1, tzinfo=UTC))\n",
        1,
    )
    assert internal_imports(bad) == [
        "complaintcore.desk.service",
        "complaintcore.core.models",
        "complaintcore.cli.app",
    ]
    today = ".".join(("date", "today()"))  # spelt apart: this file reads no clock
    assert sorted(clock_reads(bad)) == [today, "datetime.now(UTC)", "time.time()"]


@pytest.mark.parametrize(
    ("page", "wrong"),
    [
        ("docs/notifications.md", "[notify"),  # the config table is [notifiers]
        ("docs/hooks.md", "pluggy.PluginValidationError:"),  # the error is PluginError
        ("README.md", "from complaintcore.core"),
    ],
)
def test_names_once_wrong_stay_fixed(page: str, wrong: str) -> None:
    assert wrong not in (ROOT / page).read_text(encoding="utf-8")
