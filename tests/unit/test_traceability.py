"""Every rule of the procedure catalogue has a test that names it."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT.parent / "shared" / "procedures.md"
TABLE = ROOT / "docs" / "traceability.md"


def _marked() -> set[str]:
    text = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").rglob("*.py"))
    return set(re.findall(r"procedure\(\s*[\"']([A-Z]{2,3}-\d+)[\"']", text))


def test_every_rule_in_the_traceability_table_has_a_test() -> None:
    rules = re.findall(r"^\| ([A-Z]{2,3}-\d+) \|", TABLE.read_text(encoding="utf-8"), flags=re.M)
    assert len(rules) >= 50
    assert sorted(set(rules) - _marked()) == []


@pytest.mark.skipif(not CATALOGUE.exists(), reason="the procedure catalogue is not beside the repo")
def test_every_rule_of_the_catalogue_has_a_test_and_a_row() -> None:
    catalogue = set(re.findall(r"\*\*([A-Z]{2,3}-\d+)\b", CATALOGUE.read_text(encoding="utf-8")))
    assert sorted(catalogue - _marked()) == []
    table = set(
        re.findall(r"^\| ([A-Z]{2,3}-\d+) \|", TABLE.read_text(encoding="utf-8"), flags=re.M)
    )
    assert catalogue <= table


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "traceability", ROOT / "scripts" / "traceability.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_ranges_of_rules_name_every_rule_between() -> None:
    ids = _script().rule_ids
    assert ids("DL-1..3 and GRD-6") == {"DL-1", "DL-2", "DL-3", "GRD-6"}
    assert ids("DL-1 … DL-4, DL-7") == {"DL-1", "DL-2", "DL-3", "DL-4", "DL-7"}
    assert ids("C-20251114-0001 is an id") == set()


def test_the_code_column_names_definitions_that_exist_outside_the_cli() -> None:
    rows = re.findall(
        r"^\| ([A-Z]{2,3}-\d+) \| [^|]* \| ([^|]*) \|", TABLE.read_text(encoding="utf-8"), re.M
    )
    package = ROOT / "src" / "complaintcore"
    named = 0
    for _rule, cell in rows:
        for entry in re.findall(r"`([^`]+)`", cell):
            where, _, name = entry.partition(":")
            assert name, entry
            assert not where.startswith("cli/"), entry
            text = (package / where).read_text(encoding="utf-8")
            last = name.rsplit(".", 1)[-1]
            assert re.search(
                rf"^\s*(?:def|class) {re.escape(last)}\b|name = \"{last}\"", text, re.M
            )
            named += 1
    assert named > 100
    esc4 = dict(rows)["ESC-4"]
    assert "desk/access.py:pick_handler" in esc4


@pytest.mark.skipif(not CATALOGUE.exists(), reason="the procedure catalogue is not beside the repo")
def test_the_table_is_up_to_date() -> None:
    rendered = _script().render(CATALOGUE.read_text(encoding="utf-8"))
    assert TABLE.read_text(encoding="utf-8") == rendered, "run python scripts/traceability.py"


def test_help_shows_the_usage_and_writes_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    before = TABLE.read_text(encoding="utf-8")
    with pytest.raises(SystemExit) as done:
        _script().main(["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: traceability.py [-h] [--check] [catalogue]")
    assert "--check" in out
    assert TABLE.read_text(encoding="utf-8") == before


@pytest.mark.skipif(not CATALOGUE.exists(), reason="the procedure catalogue is not beside the repo")
def test_check_exits_1_when_out_of_date_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A catalogue whose VIS-4 title differs makes the page out of date: ``--check``
    says so and exits 1, and the committed page is left as it was."""
    before = TABLE.read_text(encoding="utf-8")
    text = CATALOGUE.read_text(encoding="utf-8")
    changed = tmp_path / "procedures.md"
    changed.write_text(
        text.replace("**VIS-4 Major issues from visits.**", "**VIS-4 Major issues.**"),
        encoding="utf-8",
    )
    script = _script()
    assert script.main(["--check", str(CATALOGUE)]) == 0
    assert script.main(["--check", str(changed)]) == 1
    assert "docs/traceability.md is out of date" in capsys.readouterr().out
    assert TABLE.read_text(encoding="utf-8") == before


def test_an_unreadable_catalogue_is_a_usage_error_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        _script().main(["--check", str(tmp_path / "missing.md")])
    assert done.value.code == 2
    assert "cannot read the catalogue" in capsys.readouterr().err
