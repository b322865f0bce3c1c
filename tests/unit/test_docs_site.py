"""The docs build as a site, with warnings as errors, and cover every page and public name.

``mkdocs build --strict`` (MkDocs Material + mkdocstrings) fails on a broken
link, a page missing from the navigation's files, an API directive naming
nothing, and a docstring griffe cannot match to its signature.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

import complaintcore

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
CONFIG = ROOT / "mkdocs.yml"


def _build(config: Path, site: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}  # Material's banner about MkDocs 2
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config)]
    return subprocess.run(
        [*command, "-d", str(site)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def _nav_pages(nav: Any) -> list[str]:
    if isinstance(nav, str):
        return [nav]
    if isinstance(nav, list):
        return [page for item in nav for page in _nav_pages(item)]
    if isinstance(nav, dict):
        return [page for value in nav.values() for page in _nav_pages(value)]
    return []


def _config() -> dict[str, Any]:
    data = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_the_site_builds_strictly(tmp_path: Path) -> None:
    done = _build(CONFIG, tmp_path / "site")
    assert done.returncode == 0, done.stderr
    assert "WARNING" not in done.stderr
    desk = (tmp_path / "site" / "api" / "desk" / "index.html").read_text(encoding="utf-8")
    assert "complaintcore.Desk" in desk
    assert "One object a host creates to receive complaints" in desk  # from the docstring
    assert ":class:" not in desk  # Sphinx roles became links (docs/_ext/griffe_sphinx_roles.py)
    assert 'href="../errors/#complaintcore.ConcurrencyConflictError"' in desk
    commands = (tmp_path / "site" / "api" / "workflow" / "index.html").read_text(encoding="utf-8")
    assert re.search(r"unanswerable_reason", commands)  # attrs fields, through griffe-fieldz


def test_a_broken_link_or_reference_fails_the_build(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# x\n\nSee [the missing page](missing.md).\n", encoding="utf-8")
    (docs / "api.md").write_text("# api\n\n::: complaintcore.NoSuchName\n", encoding="utf-8")
    config = _config() | {"docs_dir": str(docs), "nav": ["index.md", "api.md"]}
    python = config["plugins"][1]["mkdocstrings"]["handlers"]["python"]  # paths from the root
    python["paths"] = [str(ROOT / p) for p in python["paths"]]
    extensions = python["options"]["extensions"]
    python["options"]["extensions"] = [
        str(ROOT / e) if isinstance(e, str) and e.endswith(".py") else e for e in extensions
    ]
    broken = tmp_path / "mkdocs.yml"
    broken.write_text(yaml.safe_dump(config), encoding="utf-8")
    done = _build(broken, tmp_path / "site")
    assert done.returncode != 0
    assert "missing.md" in done.stderr
    assert "complaintcore.NoSuchName" in done.stderr


def test_the_navigation_lists_every_page() -> None:
    listed = _nav_pages(_config()["nav"])
    pages = sorted(p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md"))
    assert sorted(listed) == pages
    assert len(listed) == len(set(listed))


def _api_targets() -> list[str]:
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted((DOCS / "api").glob("*.md")))
    return re.findall(r"^::: ([\w.]+)\s*$", text, flags=re.MULTILINE)


def test_every_public_name_is_in_the_api_reference() -> None:
    documented = {t.removeprefix("complaintcore.") for t in _api_targets()}
    missing = sorted(set(complaintcore.__all__) - {"__version__"} - documented)
    assert missing == [], "add ::: complaintcore.<name> to a page of docs/api/"


@pytest.mark.parametrize(
    "module",
    ["complaintcore.adapters.sqlite_store", "complaintcore.testing", "complaintcore.rules"],
)
def test_the_documented_subpackages_are_in_the_api_reference(module: str) -> None:
    assert module in _api_targets()
