"""The README's fresh-machine commands, and that CI runs the same test command."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _bash_blocks(text: str) -> list[str]:
    return re.findall(r"```bash\n(.*?)```", text, flags=re.S)


def test_ci_runs_exactly_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    blocks = [b.strip() for b in _bash_blocks(readme)]
    test_command = next(b for b in blocks if "pytest" in b and "venv" in b)
    assert test_command in ci.splitlines()


def test_readme_gives_the_main_job_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert any("complaintcore demo" in b and "venv" in b for b in _bash_blocks(readme))


def test_every_doc_the_readme_links_exists() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for link in re.findall(r"\]\((docs/[^)]+)\)", readme):
        assert (ROOT / link).exists(), link
