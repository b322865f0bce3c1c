"""Write docs/traceability.md: each procedure rule, the definitions that implement it, its tests.

    python scripts/traceability.py [--check] [path/to/procedures.md]

Without ``--check`` it writes the page; with it, it only compares and exits 1
when the page is out of date (for a reviewer or a CI step).

Rule titles come from the procedure catalogue (``../shared/procedures.md`` by
default).  The code column lists *definitions*, not files: every function,
class or method of the library whose docstring names the rule (read with
:mod:`ast`, so a comment or a string elsewhere does not count), and every clock
or duty of a shipped rule pack whose ``rule`` is the rule.  The command line (``cli/``)
only presents what the library decides, so it is left out.  Ranges such as
``DL-1..8`` or ``GRD-2..5`` name every rule in between.  The tests column lists
the test files with ``@pytest.mark.procedure("ID")``.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
import tomllib
from collections import defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "complaintcore"
RULE = re.compile(r"\*\*([A-Z]{2,3}-\d+) ([^*]+?)\.\*\*")
MENTION = re.compile(r"\b([A-Z]{2,3})-(\d+)(?:\s*(?:\.\.|…|–)\s*(?:\1-)?(\d+))?")
TEST_MARK = re.compile(r"procedure\(\s*[\"']([A-Z]{2,3}-\d+)[\"']")
LEFT_OUT = ("cli/",)
"""Folders of the package that present rather than implement."""

NOTES = {
    "REC-2": 'also covers 一报告 (001 item 6, 002 §5, "五清楚，一报告"): after the five '
    "clears, the content and result are reported to the department leader — the "
    "`report_to_leader` duty, discharged by `Report`.",
    "DL-5": "a broken promise owes an apology, the reason and a remedy at once — the "
    "`apology` duty, owed from the moment the promise clock passed, discharged by "
    "`Apologise`.",
    "GRD-3": "important (and major) complaints also owe a written report to management "
    "(004 篇4 §3.3) — the `written_report` duty, discharged by `Report(written=True)`.",
    "ESC-2": "a serious complaint (major, or a serious escalation such as a group "
    "incident) also owes an on-site visit with the complainant (004 篇4 §3.6) — the "
    "`site_visit` duty, discharged by `VisitSite`.",
    "IN-6": "head office keeps a bypass complaint until consent (no assignment, intake "
    "routing or escalation gives it to the site), tracks it to closure and calls the "
    "complainant back — the `head_office_tracking` and `head_office_call_back` duties.",
    "VIS-2": "the appointed reply time is a clock (`visit_reply`, mode `appointed`).",
    "HDL-5": "the desk links open complaints of one category and building into a "
    "concentrated issue (pack `[concentration]`) and answers them with `explain_all`.",
    "HDL-6": "enough distinct complainants within the group window make a group incident, "
    "reported to `group_report_rung` at once.",
    "ESC-4": "who handles a complaint about a person on a rung is pack data "
    "(`target_handlers`); cn-sales-office: 售楼员 → 销管部 (004 篇2 §2.3).",
    "GRD-5": "an internal complaint is one made in writing (grade rule `channels`).",
}
"""How the code reads a rule where the catalogue's one line does not say it all."""


def rule_ids(text: str) -> set[str]:
    """Rule IDs named in ``text``; ``DL-1..3`` (or ``DL-1 … DL-3``) names DL-1, DL-2, DL-3."""
    found: set[str] = set()
    for prefix, first, last in MENTION.findall(text):
        lo = int(first)
        hi = int(last) if last else lo
        found.update(f"{prefix}-{n}" for n in range(lo, max(lo, hi) + 1))
    return found


def _definitions(tree: ast.AST, prefix: str = "") -> Iterator[tuple[str, ast.AST]]:
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            name = f"{prefix}{node.name}"
            yield name, node
            yield from _definitions(node, f"{name}.")


def code_definitions() -> dict[str, set[str]]:
    """Rule ID -> ``file:definition`` of the library (docstrings) and of the shipped packs."""
    found: dict[str, set[str]] = defaultdict(set)
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith(LEFT_OUT):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for name, node in _definitions(tree):
            doc = ast.get_docstring(node)  # type: ignore[arg-type]
            for rule in rule_ids(doc or ""):
                found[rule].add(f"{relative}:{name}")
    for path in sorted((PACKAGE / "rules").glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for table in ("clocks", "duties"):
            for clock in data.get(table, []):
                for rule in rule_ids(str(clock.get("rule", ""))):
                    found[rule].add(f"rules/{path.name}:{table}.{clock['name']}")
    return found


def test_files() -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for rule in TEST_MARK.findall(path.read_text(encoding="utf-8")):
            found[rule].add(path.relative_to(ROOT / "tests").as_posix())
    return found


def render(catalogue: str) -> str:
    """The whole of docs/traceability.md for this catalogue text."""
    rules = RULE.findall(catalogue)
    code = code_definitions()
    tests = test_files()
    lines = [
        "# Traceability: rule → code → tests",
        "",
        "Every rule of the procedure catalogue, the definitions that implement it, and",
        "the test files that check it.  A definition is listed when its docstring names",
        "the rule (`file:function`, `file:Class.method`, paths under",
        "`src/complaintcore/`), and a shipped pack's clock or duty when its `rule` is the rule;",
        "the command line only presents what these decide and is left out.  Tests are",
        'marked `@pytest.mark.procedure("ID")`.  Generated by `scripts/traceability.py`',
        "(`--check` only compares); `tests/unit/test_traceability.py` fails when a rule",
        "has no test or this page is out of date.",
        "",
        "| rule | title | code | tests |",
        "| --- | --- | --- | --- |",
    ]
    for rule, title in rules:
        src = ", ".join(f"`{d}`" for d in sorted(code[rule]))
        tst = ", ".join(f"`{p}`" for p in sorted(tests[rule]))
        lines.append(f"| {rule} | {title} | {src or '—'} | {tst or '**none**'} |")
    known = {rule for rule, _ in rules}
    lines += [
        "",
        "## Notes",
        "",
        "How the code reads some rules (duties are explained in",
        "[concepts.md](concepts.md#duties)):",
        "",
    ]
    lines += [f"- **{rule}**: {note}" for rule, note in NOTES.items() if rule in known]
    return "\n".join(lines) + "\n"


TABLE = ROOT / "docs" / "traceability.md"
CATALOGUE = ROOT.parent / "shared" / "procedures.md"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="traceability.py",
        description="Write docs/traceability.md: each procedure rule, the definitions "
        "that implement it and the test files that mark it.",
    )
    parser.add_argument(
        "catalogue",
        nargs="?",
        type=Path,
        default=CATALOGUE,
        help="the procedure catalogue (default: %(default)s)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if docs/traceability.md is out of date",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Write (or with ``--check`` only compare) the page; 0 when it is current."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        text = args.catalogue.read_text(encoding="utf-8")
    except OSError as error:
        parser.error(f"cannot read the catalogue {args.catalogue}: {error.strerror}")
    page = render(text)
    rules = [rule for rule, _ in RULE.findall(text)]
    tests = test_files()
    missing = [rule for rule in rules if not tests[rule]]
    print(f"{len(rules)} rules, {len(missing)} without a test: {', '.join(missing) or '-'}")
    if args.check:
        current = TABLE.read_text(encoding="utf-8") if TABLE.exists() else ""
        if current != page:
            print(f"{TABLE.relative_to(ROOT)} is out of date: run python scripts/traceability.py")
            return 1
        return 0
    TABLE.write_text(page, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
