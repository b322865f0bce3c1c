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


def receive(room: str, phone: str = "13812345678", summary: str = "电梯经常停运") -> dict[str, str]:
    code, out, err = run(
        "receive", "--name", "王小明", "--phone", phone, "--room", room,
        "--building", "3", "--site", "sunrise", "--summary", summary,
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
    received = receive("3-2-1201")
    cid = received["id"]
    assert callable(typed)
    as_typed = typed(cid)
    assert as_typed != cid
    code, out, err = run("show", as_typed, "--json")
    assert code == 0, err
    assert json.loads(out)["id"] == cid
    # its handler promises: an ungraded complaint's promise needs its rung (ESC-3)
    code, out, err = run("act", as_typed, "promise", "--actor", received["handler"],
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


@pytest.mark.usefixtures("desk_dir")
@pytest.mark.procedure("HDL-5")
def test_list_issue_and_group_issue_and_member_read_ids_as_typed() -> None:
    """Review s35A F05: ``list --issue`` answered "none match" for an issue typed in
    full width, ``act group --issue`` refused it, and ``--member`` stored it as typed."""
    first = receive("3-1-101")["id"]
    second = receive("3-1-102", phone="13912345678", summary="楼道灯坏了")["id"]
    third = receive("3-1-103", phone="13712345678", summary="垃圾没人清理")["id"]
    issue = f"I-{first}"
    code, _, err = run("act", first, "group", "--actor", "SR-201", "--issue", issue,
                       "--member", full_width(second), "--complainants", "2")  # fmt: skip
    assert code == 0, err
    code, _, err = run("act", third, "group", "--actor", "SR-201",
                       "--issue", full_width(issue).lower(), "--complainants", "3")  # fmt: skip
    assert code == 0, err
    for typed in (full_width(issue), issue.lower(), f" {issue}，"):
        code, out, err = run("list", "--issue", typed, "--json")
        assert code == 0, err
        assert sorted(r["id"] for r in json.loads(out)) == sorted([first, third])
    code, out, err = run("show", first, "--as", "HQ-001", "--purpose", "review", "--json")
    assert code == 0, err
    members = [e["members"] for e in json.loads(out)["events"] if e["type"] == "grouped"]
    assert members == [[first, second]]


@pytest.mark.usefixtures("desk_dir")
@pytest.mark.procedure("HDL-5")
@pytest.mark.procedure("PRV-1")
def test_group_refuses_an_issue_or_member_that_names_no_complaint_without_quoting_it() -> None:
    """Review s35A F05: ``Group`` took ``I-`` and anything (``I-赵六13612345678``),
    and members naming no complaint, into the hash-chained history."""
    cid = receive("3-1-101")["id"]
    for args in (
        ("--issue", "I-赵六13612345678"),
        ("--issue", f"I-{cid}", "--member", "13612345678"),
    ):
        code, out, err = run("act", cid, "group", "--actor", "SR-201", *args,
                             "--complainants", "1")  # fmt: skip
        assert code == 1, out
        assert "13612345678" not in out + err
        assert "赵六" not in out + err
    code, out, err = run("show", cid, "--as", "HQ-001", "--purpose", "review", "--json")
    assert not [e for e in json.loads(out)["events"] if e["type"] == "grouped"]
