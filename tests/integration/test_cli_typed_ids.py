"""Complaint and issue ids as people type them on the command line (docs/cli.md):
lower case, full width from a Chinese input method, pasted with spaces or a ``，``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from complaintcore.cli import main
from complaintcore.cli.ids import typed_id

NOW = "2025-11-14T17:30"


@pytest.fixture
def desk_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COMPLAINTCORE_NOW", NOW)
    result = CliRunner().invoke(main, ["--lang", "en", "init", "."])
    assert result.exit_code == 0, result.output
    return tmp_path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--lang", "en", *args])
    return result.exit_code, result.stdout, result.stderr


def receive(room: str, phone: str = "13812345678") -> dict[str, str]:
    code, out, err = run(
        "receive", "--name", "王小明", "--phone", phone, "--room", room,
        "--building", "3", "--site", "sunrise", "--summary", "电梯经常停运",
        "--receiver", "SR-103", "--received-at", NOW, "--json",
    )  # fmt: skip
    assert code == 0, err
    received: dict[str, str] = json.loads(out)
    return received


def full_width(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


@pytest.mark.usefixtures("desk_dir")
@pytest.mark.parametrize(
    "typed",
    [
        lambda cid: cid.lower(),
        full_width,
        lambda cid: f"  {cid} ",
        lambda cid: f"{cid}，",
        lambda cid: f"“{cid}”",
        lambda cid: cid.upper(),
    ],
    ids=["lower", "full-width", "spaces", "comma", "quotes", "upper"],
)
def test_show_and_act_find_a_complaint_by_its_id_as_typed(typed: object) -> None:
    cid = receive("3-2-1201")["id"]
    assert callable(typed)
    as_typed = typed(cid)
    assert as_typed != cid
    code, out, err = run("show", as_typed, "--json")
    assert code == 0, err
    assert json.loads(out)["id"] == cid
    code, out, err = run("act", as_typed, "promise", "--actor", "SR-103",
                         "--due", "2025-11-20T17:00", "--json")  # fmt: skip
    assert code == 0, err


@pytest.mark.usefixtures("desk_dir")
def test_an_issue_id_is_read_as_typed() -> None:
    received = [receive(f"3-2-120{i}", f"1381234567{i}") for i in range(3)]  # HDL-5
    ids = [r["id"] for r in received]
    issue = received[-1]["issue"]
    assert issue.startswith("I-C-")
    code, out, err = run(
        "explain-all", f" {issue.lower()}，", "--actor", "SR-103", "--message", "已联系电梯公司",
        "--json",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["issue"] == issue
    assert sorted(json.loads(out)["done"]) == sorted(ids)


def test_an_id_of_another_scheme_is_taken_as_typed() -> None:
    # a host's own ids: nothing folded but the spaces round them
    assert typed_id(" case-ABC-7 ") == "case-ABC-7"
    assert typed_id("ＷＯ－１２") == "ＷＯ－１２"
    assert typed_id("c-2025111-1d2eb40211162aaa") == "c-2025111-1d2eb40211162aaa"
