"""Every rule of the procedure catalogue has a test that names it."""

from __future__ import annotations

import re
from pathlib import Path

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
