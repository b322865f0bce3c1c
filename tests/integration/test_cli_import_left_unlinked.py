"""``receive --file`` when the store fails while an issue's members are linked (HDL-5).

The import's complaint is stored and forms a concentrated issue, but linking a
member stored before it fails: the command names that member (by id only),
exits with the store-error status (5), and running the same file again links
it -- once (review s46L L01).  Failure injection on a real SQLite file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.cli import main
from complaintcore.core.errors import StoreError
from complaintcore.core.models import Grouped

NOW = "2025-11-14T17:30"
FAILING: set[str] = set()


def invoke(*args: str, lang: str = "en") -> Result:
    return CliRunner().invoke(main, ["--lang", lang, *args], env={"COMPLAINTCORE_NOW": NOW})


def _neighbour(i: int) -> dict[str, str]:
    return {
        "name": f"业主{i}",
        "phone": f"1391234000{i}",
        "room": f"5-1-30{i}",
        "building": "5",
        "site": "sunrise",
        "channel": "phone",
        "summary": "楼上漏水，天花板渗水",
        "received_at": f"2025-11-14T{9 + i:02d}:00",
        "receiver": "SR-103",
    }


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, list[str]]]:
    """A desk holding two leak complaints of building 5, and a file with the third:
    cn-property's three complainants within 72 hours, a concentrated issue."""
    monkeypatch.chdir(tmp_path)
    assert invoke("init", ".").exit_code == 0
    ids = []
    for i in range(2):
        flags = [f"--{k.replace('_', '-')}={v}" for k, v in _neighbour(i).items()]
        result = invoke("receive", "--json", *flags)
        assert result.exit_code == 0, result.output
        ids.append(json.loads(result.output)["id"])
    row = _neighbour(2) | {"idempotency_key": "night-3"}
    (tmp_path / "night.jsonl").write_text(json.dumps(row, ensure_ascii=False) + "\n", "utf-8")
    real = SqliteStore.append

    def append(self: SqliteStore, complaint_id: str, *args: Any, **kwargs: Any) -> None:
        if complaint_id in FAILING:
            raise StoreError(str(self.path), "is locked by another writer")
        real(self, complaint_id, *args, **kwargs)

    monkeypatch.setattr(SqliteStore, "append", append)
    yield tmp_path, ids
    FAILING.clear()


def _load(desk: Path, complaint_id: str) -> tuple[str, int, int]:
    """A complaint's issue, version and ``Grouped`` events, as stored."""
    with SqliteStore(desk / "complaints.sqlite3") as store:
        c = store.load(complaint_id)
    return c.state.issue, c.version, sum(isinstance(e, Grouped) for e in c.events)


@pytest.mark.procedure("HDL-5")
def test_a_member_left_unlinked_fails_the_import_and_a_rerun_links_it(
    desk: tuple[Path, list[str]],
) -> None:
    path, (one, two) = desk
    FAILING.add(one)
    result = invoke("receive", "--file", "night.jsonl")
    assert result.exit_code == 5, result.output
    assert "line 1: stored C-" in result.stdout
    assert "imported: 1 stored, 0 duplicated, 0 rejected" in result.stdout
    issue = f"I-{one}"
    assert result.stderr.splitlines() == [
        "error: issue members left unlinked after a store failure (complaint database"
        f" complaints.sqlite3: is locked by another writer): {one} (issue {issue}); run the"
        " same file again to link them"
    ]
    assert "业主" not in result.output
    assert "1391234000" not in result.output
    assert _load(path, one)[0] == ""
    assert _load(path, two)[0] == issue

    FAILING.clear()
    rerun = invoke("receive", "--file", "night.jsonl")
    assert rerun.exit_code == 0, rerun.output
    assert "imported: 0 stored, 1 duplicated, 0 rejected" in rerun.stdout
    assert rerun.stderr == ""
    linked = _load(path, one)
    assert (linked[0], linked[2]) == (issue, 1)
    assert invoke("receive", "--file", "night.jsonl").exit_code == 0
    assert _load(path, one) == linked  # nothing written a second time


@pytest.mark.procedure("HDL-5")
def test_the_json_document_lists_the_members_left_unlinked(
    desk: tuple[Path, list[str]],
) -> None:
    _path, (one, _two) = desk
    FAILING.add(one)
    result = invoke("receive", "--file", "night.jsonl", "--json")
    assert result.exit_code == 5
    document = json.loads(result.stdout)
    assert document["error"]["code"] == 5
    assert document["error"]["type"] == "MembersLeftUnlinkedError"
    assert document["unlinked"] == [{"issue": f"I-{one}", "members": [one], "unread": False}]
    assert document["stored"] == 1
    assert [r["outcome"] for r in document["rows"]] == ["stored"]
    again = json.loads(invoke("receive", "--file", "night.jsonl", "--json").stdout)
    assert again["unlinked"] == document["unlinked"]  # still failing: said again
    assert [r["outcome"] for r in again["rows"]] == ["duplicate"]


@pytest.mark.procedure("HDL-5")
def test_the_members_left_unlinked_are_said_in_chinese(desk: tuple[Path, list[str]]) -> None:
    _path, (one, _two) = desk
    FAILING.add(one)
    result = invoke("receive", "--file", "night.jsonl", lang="zh")
    assert result.exit_code == 5
    (line,) = result.stderr.splitlines()
    assert line.startswith("错误：")
    assert f"{one}（集中反映问题 I-{one}）" in line
    assert "left unlinked" not in line
    assert "run the same file" not in line
