"""The docs stay true: every hook documented, no phantom hooks, examples that run.

Like datasette's ``tests/test_docs.py``: ``docs/hooks.md`` is parsed and
compared with the hook specifications in ``complaintcore.desk.hookspecs``, so adding
a hook without documenting it (or documenting one that is gone) fails here.

The ```python blocks of ``docs/hooks.md`` and ``docs/desk.md`` are executed in
order, each page in one namespace, as a reader would paste them; a block whose
info string carries ``title="<file>"`` (```toml title="complaintcore.toml")
is written to that file in the working directory first.  Other blocks (```toml,
```pycon, ```text) are not run.  Nothing here reads the wall clock: the pages
use fixed, aware datetimes.
"""

from __future__ import annotations

import ast
import inspect
import logging
import re
import shlex
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple

import pytest

from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.core.models import Complainant, Intake
from complaintcore.core.workflow import COMMAND_TYPES, Register
from complaintcore.desk import hookspecs
from complaintcore.testing.store_contract import StoreContract
from tests.helpers import SH

DOCS = Path(__file__).resolve().parents[2] / "docs"
HOOKS_MD = DOCS / "hooks.md"
DESK_MD = DOCS / "desk.md"

# Names the hooks page shows on purpose although they are not hooks.
MISSPELT_ON_PURPOSE = frozenset({"complaintcore_get_stor", "complaintcore_notfy"})


# --------------------------------------------------------------------------- parsing


class Block(NamedTuple):
    """A fenced code block: its info string, its text, and its first line's number."""

    info: str
    code: str
    line: int

    @property
    def language(self) -> str:
        return self.info.split(maxsplit=1)[0] if self.info else ""

    @property
    def title(self) -> str | None:
        for word in shlex.split(self.info)[1:]:
            key, _, value = word.partition("=")
            if key == "title":
                return value
        return None


_FENCE = re.compile(r"^(`{3,}|~{3,})\s*(.*)$")


def fenced_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    fence: str | None = None
    info = ""
    start = 0
    body: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if fence is None:
            opening = _FENCE.match(line)
            if opening:
                fence, info, start, body = opening.group(1), opening.group(2).strip(), number, []
        elif line.strip() == fence:
            blocks.append(Block(info, "\n".join(body) + "\n", start + 1))
            fence = None
        else:
            body.append(line)
    assert fence is None, f"unclosed code fence opened on line {start}"
    return blocks


def without_code(text: str) -> str:
    """The prose of a page: fenced blocks blanked out (line numbers kept)."""
    lines = text.splitlines()
    for block in fenced_blocks(text):
        for i in range(block.line - 2, block.line + block.code.count("\n")):
            lines[i] = ""
    return "\n".join(lines)


def run_blocks(path: Path, namespace: dict[str, Any]) -> int:
    """Run a page's python blocks in order in ``namespace``; returns how many ran."""
    ran = 0
    for block in fenced_blocks(path.read_text(encoding="utf-8")):
        if block.title is not None:
            Path(block.title).write_text(block.code, encoding="utf-8")
        if block.language == "python":
            padded = "\n" * (block.line - 1) + block.code  # tracebacks show the page's lines
            exec(compile(padded, str(path), "exec"), namespace)
            ran += 1
    return ran


class Section(NamedTuple):
    name: str
    params: tuple[str, ...]
    text: str


_HOOK_HEADING = re.compile(r"^### `(complaintcore_\w+)\(([^)]*)\)`\s*$", re.MULTILINE)


def hook_sections() -> dict[str, Section]:
    text = HOOKS_MD.read_text(encoding="utf-8")
    headings = list(_HOOK_HEADING.finditer(text))
    sections: dict[str, Section] = {}
    for i, heading in enumerate(headings):
        end = headings[i + 1].start() if i + 1 < len(headings) else len(text)
        rest = text[heading.end() : end]
        following = re.search(r"^#{1,3} ", rest, re.MULTILINE)  # the next (sub)section
        if following:
            rest = rest[: following.start()]
        name = heading.group(1)
        assert name not in sections, f"{name} is documented twice"
        params = tuple(p.strip() for p in heading.group(2).split(",") if p.strip())
        sections[name] = Section(name, params, rest)
    return sections


def hook_specs() -> dict[str, Callable[..., Any]]:
    """Every function of complaintcore.desk.hookspecs marked as a hook specification."""
    return {
        name: fn
        for name, fn in vars(hookspecs).items()
        if callable(fn) and getattr(fn, "complaintcore_spec", None) is not None
    }


SPECS = hook_specs()
SECTIONS = hook_sections()


# --------------------------------------------------------------------------- hooks.md


def test_the_spec_module_has_hooks_and_the_page_has_sections() -> None:
    assert len(SPECS) >= 7
    assert all(name.startswith("complaintcore_") for name in SPECS)
    assert SECTIONS


@pytest.mark.parametrize("name", sorted(SPECS))
def test_every_hook_is_documented(name: str) -> None:
    assert name in SECTIONS, f"docs/hooks.md has no '### `{name}(...)`' section"


def test_every_documented_hook_exists() -> None:
    phantoms = sorted(set(SECTIONS) - set(SPECS))
    assert not phantoms, f"docs/hooks.md documents hooks that do not exist: {phantoms}"


def test_every_hook_name_on_the_page_exists() -> None:
    """Tables, links and prose too; misspelt only where the page says so."""
    text = HOOKS_MD.read_text(encoding="utf-8")
    python = "\n".join(b.code for b in fenced_blocks(text) if b.language == "python")
    named = set(re.findall(r"`(complaintcore_\w+)", without_code(text)))
    named |= set(re.findall(r"\bdef (complaintcore_\w+)", python))
    unknown = sorted(named - set(SPECS) - MISSPELT_ON_PURPOSE)
    assert not unknown, f"docs/hooks.md names hooks that do not exist: {unknown}"


@pytest.mark.parametrize("name", sorted(SPECS))
def test_the_documented_signature_is_the_spec(name: str) -> None:
    spec = tuple(inspect.signature(SPECS[name]).parameters)
    assert SECTIONS[name].params == spec


def _kind(fn: Callable[..., Any]) -> str:
    if fn.complaintcore_spec["firstresult"]:  # type: ignore[attr-defined]
        return "first result"
    returns = inspect.signature(fn).return_annotation
    return "every plugin" if returns in (None, "None") else "all results"


@pytest.mark.parametrize("name", sorted(SPECS))
def test_the_documented_kind_is_the_spec(name: str) -> None:
    found = re.search(r"^\*\*Kind:\*\* ([a-z ]+)", SECTIONS[name].text, re.MULTILINE)
    assert found, f"{name}: no **Kind:** line"
    assert found.group(1).strip() == _kind(SPECS[name])
    rows = re.findall(
        rf"^\| \[?`{name}\([^)]*\)`\S* \| ([^|]+) \|",
        HOOKS_MD.read_text(encoding="utf-8"),
        re.MULTILINE,
    )
    assert [r.strip() for r in rows] == [_kind(SPECS[name])], f"{name}: the summary table row"


@pytest.mark.parametrize("name", sorted(SPECS))
def test_the_built_in_default_is_stated(name: str) -> None:
    assert re.search(r"^\*\*Built in:\*\* \S", SECTIONS[name].text, re.MULTILINE), name


@pytest.mark.parametrize("name", sorted(SPECS))
def test_each_hook_has_an_example_that_fits_the_spec(name: str) -> None:
    spec = set(inspect.signature(SPECS[name]).parameters)
    examples = [
        node
        for block in fenced_blocks(SECTIONS[name].text)
        if block.language == "python"
        for node in ast.walk(ast.parse(block.code))
        if isinstance(node, ast.FunctionDef) and node.name == name
    ]
    assert examples, f"{name}: no python example defining it"
    for fn in examples:
        assert any(ast.unparse(d).startswith("hookimpl") for d in fn.decorator_list), name
        taken = {a.arg for a in fn.args.args + fn.args.kwonlyargs} - {"self"}
        assert taken <= spec, f"{name} example takes {sorted(taken - spec)}, not in the spec"


def _intake(**kw: Any) -> Intake:
    base: dict[str, Any] = {
        "complainant": Complainant("王小明", "13812345678", "3-2-1201", "3", "sunrise"),
        "channel": "phone",
        "received_at": datetime(2025, 11, 10, 9, 30, tzinfo=SH),
        "receiver": "SR-103",
        "summary": "楼上漏水，天花板渗水",
        "site": "sunrise",
    }
    base.update(kw)
    return Intake(**base)


def test_the_template_topics_on_the_page_are_those_the_desk_asks_for() -> None:
    """Every topic a template hook is asked about is listed, and no other."""
    from complaintcore import NOTIFICATION_TOPICS, hookimpl, make_plugin_manager
    from complaintcore.desk import Desk

    text = HOOKS_MD.read_text(encoding="utf-8")
    para = text[text.index("`topic` is one of") : text.index("`lang` one of")]
    listed = re.findall(r"`(\w+)`", para)[1:]  # after `topic` itself
    asked: set[str] = set()

    class Recorder:
        @hookimpl
        def complaintcore_notification_template(self, topic: str) -> None:
            asked.add(topic)

    pm = make_plugin_manager([Recorder()], load_entry_points=False)
    Desk.from_config({"database": ":memory:"}, plugin_manager=pm).close()
    assert listed == list(NOTIFICATION_TOPICS)
    assert asked == set(NOTIFICATION_TOPICS)


def test_the_hooks_page_examples_make_one_working_plugin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The page's blocks, run in order, are the module ``acme_complaints.plugin``."""
    from complaintcore.desk import Desk
    from complaintcore.desk.plugins import make_plugin_manager

    monkeypatch.chdir(tmp_path)
    package = ModuleType("acme_complaints")
    plugin = ModuleType("acme_complaints.plugin")
    package.plugin = plugin  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "acme_complaints", package)
    monkeypatch.setitem(sys.modules, "acme_complaints.plugin", plugin)
    assert run_blocks(HOOKS_MD, vars(plugin)) >= len(SPECS)
    for name in SPECS:
        assert callable(getattr(plugin, name, None)), f"the examples do not implement {name}"
    assert (tmp_path / "complaints-sunrise.sqlite3").exists()

    pm = make_plugin_manager([plugin], load_entry_points=False)
    config = {
        "tenant": "sunrise",
        "pack": "acme-property",
        "notifiers": {"log": False},
    }
    with (
        caplog.at_level(logging.INFO, logger="acme.audit"),
        Desk.from_config(config, plugin_manager=pm) as desk,
    ):
        assert isinstance(desk.store, SqliteStore)
        assert desk.pack.name == "acme-property"
        parked = desk.receive(_intake(location="地下车库 B2"), now=_intake().received_at)
        leak = desk.receive(_intake(), now=_intake().received_at)
        desk.deliver(_intake().received_at)  # the outbox is sent apart from intake
        app = desk.notifiers["app"]
    assert parked.state.category == "parking"
    assert leak.state.category == "repairs"
    assert app.pushed  # type: ignore[attr-defined]
    assert f"{leak.id} registered by SR-103" in caplog.text
    assert "王小明" not in caplog.text
    assert "13812345678" not in caplog.text

    # a desk of no tenant: every example steps aside, the built-ins answer
    with Desk.from_config({"database": ":memory:"}, plugin_manager=pm) as other:
        assert sorted(other.notifiers) == ["log"]
        assert other.calendar.is_working_day(plugin.date(2025, 12, 26))


def test_the_hooks_page_runs_the_store_contract_on_its_store(tmp_path: Path) -> None:
    """The page's plugin module, saved as a host's test file, passes the whole contract."""
    code = "\n\n".join(
        b.code
        for b in fenced_blocks(HOOKS_MD.read_text(encoding="utf-8"))
        if b.language == "python"
    )
    (tmp_path / "test_acme_store.py").write_text(code, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_acme_store.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    summary = done.stdout.strip().splitlines()[-1]
    passed = int(re.search(r"(\d+) passed", summary)[1])  # type: ignore[index]
    contract = [n for n in dir(StoreContract) if n.startswith("test_")]
    assert passed == len(contract) - 5, summary  # all but the five that tamper
    assert "5 skipped" in summary
    page = HOOKS_MD.read_text(encoding="utf-8")
    assert f"{passed} passed, 5 skipped" in page  # the page shows what really happens
    assert re.search(rf"^\.{{{passed}}}s{{5}} +\[100%\]$", page, re.M), "the dot line"


# --------------------------------------------------------------------------- desk.md


def test_the_desk_tutorial_shows_every_command() -> None:
    text = DESK_MD.read_text(encoding="utf-8")
    code = "\n".join(b.code for b in fenced_blocks(text) if b.language == "python")
    missing = [
        c.__name__ for c in COMMAND_TYPES if c is not Register and f"{c.__name__}(" not in code
    ]
    assert not missing, f"docs/desk.md shows no {missing}"
    assert "desk.receive(" in code  # Register


def test_the_desk_tutorial_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As the page says: its blocks in order as one script, ``python desk.py`` (so
    ``__name__ == "__main__"``, and no arguments), review s25B F06."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", ["desk.py"])
    namespace: dict[str, Any] = {"__name__": "__main__"}
    assert run_blocks(DESK_MD, namespace) >= 10


def _sweep_script() -> tuple[str, list[str]]:
    """desk.md's block that calls itself ``sweep.py``, and its crontab line's arguments."""
    blocks = fenced_blocks(DESK_MD.read_text(encoding="utf-8"))
    (script,) = [b.code for b in blocks if b.code.startswith('"""sweep.py:')]
    (cron,) = [b.code for b in blocks if b.language == "text" and " sweep.py " in b.code]
    words = shlex.split(cron.split("python", 1)[1])
    return script, words


def test_the_desk_tutorials_cron_script_runs_as_its_crontab_line_runs_it(
    tmp_path: Path,
) -> None:
    """desk.md's ``sweep.py``, saved alone, run as the page's crontab line runs it
    (the time cron's ``date -Iseconds`` would give written out), on a desk with one
    leak received Monday 17 Nov 2025 09:00 by customer service and assigned to
    engineering at once: by Friday 21 Nov 09:00 its 3-working-day reply (DL-1) and
    the department's 3-working-day result (DL-3) have both passed (Thursday 18:00),
    so the sweep escalates it twice, and five minutes later not again (review s25B
    F06)."""
    from complaintcore.desk import Desk
    from complaintcore.desk.config import load_config

    script, words = _sweep_script()
    assert words == ["sweep.py", "complaintcore.toml", "$(date -Iseconds)"]
    (tmp_path / "sweep.py").write_text(script, encoding="utf-8")
    for block in fenced_blocks(DESK_MD.read_text(encoding="utf-8")):
        if block.title == "complaintcore.toml":
            (tmp_path / "complaintcore.toml").write_text(block.code, encoding="utf-8")
    from complaintcore.adapters.staff import write_sample_staff

    write_sample_staff(tmp_path / "staff.toml")
    monday = datetime(2025, 11, 17, 9, 0, tzinfo=SH)
    with Desk.from_config(load_config(tmp_path / "complaintcore.toml")) as desk:
        desk.receive(_intake(received_at=monday), now=monday)

    def cron(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
        )

    done = cron("sweep.py", "complaintcore.toml", "2025-11-21T09:00:00+08:00")
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1] == "examined 1, escalated 2"
    again = cron("sweep.py", "complaintcore.toml", "2025-11-21T09:05:00+08:00")
    assert again.stdout.strip().splitlines()[-1] == "examined 0, escalated 0"
    wrong = cron("sweep.py", "complaintcore.toml")  # the time left out
    assert wrong.returncode == 1
    assert wrong.stderr.startswith("usage: python sweep.py CONFIG_FILE NOW")


@pytest.mark.procedure("PRV-1")
def test_security_md_names_only_report_formats_that_exist() -> None:
    """The privacy promise about exports covers the formats ``report`` has (s24B f06)."""
    from complaintcore.cli.report import FORMATS

    text = (DOCS / "security.md").read_text(encoding="utf-8")
    [sentence] = re.findall(r"The exports \(`report` as ([^`]*?), `list`", text, re.S)
    named = {f.strip().lower() for f in re.split(r",|\bor\b", sentence) if f.strip()}
    assert named <= set(FORMATS), named - set(FORMATS)
