"""The README's five-minute tour runs as written, step by step, to the close.

Both READMEs (English and Chinese) are read, not copied here: every
``complaintcore`` line of the tour's block runs in a fresh directory, ``C-…``
standing for the complaint the tour received, and each must exit 0.  The
README says the same steps run on the other cn packs (the service centre's own
staff making the return visit), so they run there too.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from complaintcore.cli import main
from tests.unit.test_docs import fenced_blocks
from tests.unit.test_readme_zh import _without_comment

ROOT = Path(__file__).resolve().parents[2]
NOW = "2025-11-14T17:30"
LAST_MONTH = (
    "name,phone,room,site,summary,receiver,channel,received_at\n"
    "李四,13900001111,1-1-101,sunrise,电梯停运,SR-103,phone,2025-10-20T09:00\n"
    "赵五,13900002222,1-1-102,riverside,楼道垃圾没人清理,SR-103,phone,2025-10-21T10:00\n"
)


def tour(readme: Path) -> list[list[str]]:
    """The tour's commands, each as its words (continuations joined, comments dropped)."""
    blocks = [
        b.code
        for b in fenced_blocks(readme.read_text(encoding="utf-8"))
        if b.language == "bash" and "init mydesk" in b.code
    ]
    assert len(blocks) == 1, readme
    commands: list[list[str]] = []
    for line in blocks[0].replace("\\\n", " ").splitlines():
        for part in _without_comment(line).split("&&"):
            words = shlex.split(part)
            if words:
                commands.append(words)
    return commands


@pytest.mark.parametrize("readme", ["README.md", "README.zh-CN.md"])
@pytest.mark.parametrize("pack", [None, "cn-sales-office", "cn-service-centre"])
def test_the_readme_tour_runs_to_the_close(
    readme: str, pack: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    complaint = ""
    ran = []
    for words in tour(ROOT / readme):
        if words[0] == "source":
            continue
        if words[0] == "cd":
            monkeypatch.chdir(Path.cwd() / words[1])
            continue
        assert words[0] == "complaintcore", words
        args = [complaint if w.startswith("C-") and w.endswith("…") else w for w in words[1:]]
        if "init" in args and pack is not None:
            args += ["--pack", pack]
        if pack == "cn-service-centre" and "visit" in args:  # as the README says
            args[args.index("SR-102")] = "CC-201"
        if "--file" in args:
            Path("last-month.csv").write_text(LAST_MONTH, encoding="utf-8")
        if args[0] == "receive" and "--file" not in args:
            args.append("--json")
        result = runner.invoke(main, args, env={"COMPLAINTCORE_NOW": NOW})
        assert result.exit_code == 0, (readme, args, result.output)
        if args[0] == "receive" and "--file" not in args:
            complaint = json.loads(result.stdout)["id"]
        ran.append(args[0] if args[0] != "act" else args[2])
    assert {"assess", "reply", "visit", "cause", "close"} <= set(ran)
    shown = runner.invoke(main, ["show", complaint, "--json"], env={"COMPLAINTCORE_NOW": NOW})
    assert json.loads(shown.stdout)["state"]["status"] == "closed"
