"""Checking and copying a desk after an upgrade or a restore (review s45G).

``verify`` names a complaint it cannot replay (an event written by a newer
complaintcore, or an upcaster plugin missing) instead of passing it by (F02);
a stored text it cannot decode is an unreadable row of its complaint, in
``verify`` and in ``migrate``'s check of the source (F03).  ``migrate --to``
refuses an earlier copy the desk has since settled messages or recorded views
past (F01), and the desk's own database as its target (F04); a copy keeps the
outbox item ids (F05).  The stores are real SQLite files; a newer release is
stood for by an upcaster registered while one command runs.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from complaintcore.cli import main
from complaintcore.event_versions import EVENT_VERSIONS

NOW = "2025-11-14T17:30"
LATER = "2025-11-14T18:00"
RECEIVE = [
    "receive",
    *("--name", "王小明", "--phone", "13812345678", "--room", "3-2-1201"),
    *("--site", "sunrise", "--summary", "电梯停运三天", "--receiver", "SR-103"),
]


def invoke(*args: str, now: str = NOW) -> Result:
    return CliRunner().invoke(main, ["--lang", "en", *args], env={"COMPLAINTCORE_NOW": now})


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A desk without channels, with two complaints."""
    monkeypatch.chdir(tmp_path)
    assert invoke("init", ".").exit_code == 0
    assert invoke(*RECEIVE).exit_code == 0
    other = [*RECEIVE]
    other[other.index("13812345678")] = "13900000001"
    assert invoke(*other).exit_code == 0
    return tmp_path


def _ids() -> list[str]:
    listed = invoke("list", "--json")
    assert listed.exit_code == 0, listed.output
    return sorted(item["id"] for item in json.loads(listed.stdout))


@contextmanager
def _newer_release() -> Iterator[None]:
    """Inside the block, ``evidence_attached`` is at version 2 (its upcaster
    registered, as a newer release or a host plugin does); after it, not."""
    with pytest.MonkeyPatch.context() as newer:
        newer.setattr(EVENT_VERSIONS, "_current", {"evidence_attached": 2})
        newer.setattr(EVENT_VERSIONS, "_upcasters", {("evidence_attached", 1): dict})
        yield


def _evidence_at_version_2(cid: str) -> None:
    with _newer_release():
        done = invoke(
            "act", cid, "evidence", "--actor", "SR-201", "--reference", "a.jpg", now=LATER
        )
        assert done.exit_code == 0, done.output


def _edit_row(cid: str) -> None:
    """The row's due time cleared by hand, so that the sweep passes it by (DL-7)."""
    with sqlite3.connect("complaints.sqlite3") as conn:
        conn.execute("UPDATE projection SET next_due = NULL WHERE id = ?", (cid,))
    conn.close()


def _problems(*args: str) -> tuple[int, list[str]]:
    result = invoke("verify", "--json", *args, now=LATER)
    document: dict[str, Any] = json.loads(result.stdout)
    return result.exit_code, list(document["problems"])


# --------------------------------------------------------------------------- F02


@pytest.mark.procedure("REC-5")
def test_verify_names_a_complaint_whose_event_it_cannot_read(desk: Path) -> None:
    cid = _ids()[0]
    _evidence_at_version_2(cid)
    _edit_row(cid)
    code, problems = _problems()
    assert code == 5
    assert problems == [
        f"complaint {cid}: cannot be read: event type 'evidence_attached' version 2:"
        " written by a newer complaintcore (this one reads up to 1); upgrade"
    ]
    text = invoke("verify", now=LATER)
    assert text.exit_code == 5
    assert "Traceback" not in text.output
    assert "王小明" not in text.output
    assert "13812345678" not in text.output


@pytest.mark.procedure("REC-5")
def test_the_incremental_check_names_it_too(desk: Path) -> None:
    head = invoke("verify", "--head").stdout.strip()
    cid = _ids()[1]
    _evidence_at_version_2(cid)
    code, problems = _problems("--since", head)
    assert code == 5
    assert problems == [
        f"complaint {cid}: cannot be read: event type 'evidence_attached' version 2:"
        " written by a newer complaintcore (this one reads up to 1); upgrade"
    ]
    kept = desk / "checkpoint"
    kept.write_text(head + "\n", encoding="utf-8")
    code, problems = _problems("--checkpoint", str(kept))
    assert code == 5
    assert len(problems) == 1
    assert kept.read_text(encoding="utf-8").strip() == head  # not moved past it


def test_with_the_upcaster_the_same_desk_verifies(desk: Path) -> None:
    cid = _ids()[0]
    _evidence_at_version_2(cid)
    with _newer_release():
        assert _problems() == (0, [])


# --------------------------------------------------------------------------- F03

UNREADABLE = "unreadable (edited outside the library)"


def _tamper(sql: str, *args: object) -> None:
    """An edit outside the library, as a restore or import tool that binds bytes
    leaves one (its guarding trigger dropped first)."""
    conn = sqlite3.connect("complaints.sqlite3")
    with conn:
        conn.execute("DROP TRIGGER complaints_intake_fixed")
        conn.execute("DROP TRIGGER events_no_update")
        conn.execute(sql, args)
    conn.close()


_AS_BLOB = "UPDATE complaints SET intake_json = CAST(intake_json AS BLOB) WHERE id = ?"
_NOT_UTF8 = "UPDATE complaints SET intake_json = CAST(? AS TEXT) WHERE id = ?"
_BODY_NOT_UTF8 = "UPDATE events SET body_json = CAST(? AS TEXT) WHERE complaint_id = ? AND seq = 1"


def _stored(sql: str, cid: str) -> str:
    with sqlite3.connect("complaints.sqlite3") as conn:
        (text,) = conn.execute(sql, (cid,)).fetchone()
    conn.close()
    return str(text)


def _gb18030_intake(cid: str) -> bytes:
    """The intake rewritten in GB18030 (the complainant's name is not UTF-8 then)."""
    return _stored("SELECT intake_json FROM complaints WHERE id = ?", cid).encode("gb18030")


def _utf16_body(cid: str) -> bytes:
    body = _stored("SELECT body_json FROM events WHERE complaint_id = ? AND seq = 1", cid)
    return body.encode("utf-16")


@pytest.mark.procedure("REC-5")
def test_an_intake_stored_as_a_blob_is_named_and_the_check_goes_on(desk: Path) -> None:
    first, second = _ids()
    _tamper(_AS_BLOB, first)
    _edit_row(second)  # another complaint's damage is still found
    code, problems = _problems()
    assert code == 5
    assert f"complaint {first}: complaints.intake_json {UNREADABLE}" in problems
    assert any(p.startswith(f"complaint {second}: projection row differs") for p in problems)
    text = invoke("verify", now=LATER)
    assert "Traceback" not in text.output
    assert "王小明" not in text.output


@pytest.mark.procedure("REC-5")
def test_a_text_that_is_not_utf8_is_named_with_its_complaint(desk: Path) -> None:
    first, _ = _ids()
    _tamper(_BODY_NOT_UTF8, _utf16_body(first), first)
    code, problems = _problems()
    assert code == 5
    assert f"complaint {first} event 1: events.body_json {UNREADABLE}" in problems
    in_gb18030 = _gb18030_intake(first)
    conn = sqlite3.connect("complaints.sqlite3")
    with conn:
        conn.execute(_NOT_UTF8, (in_gb18030, first))
    conn.close()
    code, problems = _problems()
    assert code == 5
    assert f"complaint {first}: complaints.intake_json {UNREADABLE}" in problems
    assert not any("SQLite failed" in p for p in problems)


@pytest.mark.parametrize("damage", ["blob", "gb18030"])
def test_migrate_names_the_source_unreadable_in_one_document(desk: Path, damage: str) -> None:
    first, _ = _ids()
    if damage == "blob":
        _tamper(_AS_BLOB, first)
    else:
        _tamper(_NOT_UTF8, _gb18030_intake(first), first)
    result = invoke("migrate", "--to", "moved.sqlite3", "--json", now=LATER)
    assert result.exit_code == 5
    document = json.loads(result.stdout)  # exactly one document
    assert "does not verify (1 problems; run verify): not copied" in document["error"]["message"]
    assert "Traceback" not in result.output
    with sqlite3.connect("moved.sqlite3") as conn:
        assert conn.execute("SELECT count(*) FROM complaints").fetchone() == (0,)
    conn.close()
