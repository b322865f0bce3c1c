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
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.adapters.transfer import HistoryStore, complete_copy, copy_desk
from complaintcore.cli import main
from complaintcore.core.errors import StoreError
from complaintcore.desk.ports import AccessRecord
from complaintcore.event_versions import EVENT_VERSIONS
from complaintcore.testing import make_desk
from tests.helpers import T0, intake

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


# --------------------------------------------------------------------------- F01

OLDER = "the target is an older copy: copy again into an empty desk"


@pytest.fixture
def waiting(desk: Path) -> list[int]:
    """The desk's messages to a webhook that is down: they wait, to be delivered or
    dropped after a copy."""
    config = desk / "complaintcore.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + 'webhooks = [{url = "http://127.0.0.1:1/hook", timeout = 1}]\n'
        + "\n[retry]\nmax_attempts = 5\nfirst_delay_seconds = 60\n"
        + "\n[delivery]\nwait_seconds = 5\n",
        encoding="utf-8",
    )
    assert invoke(*RECEIVE).exit_code == 0
    items = json.loads(invoke("outbox", "list", "--pending", "--json").stdout)
    assert len(items) == 2  # assigned, and raised repeatedly (the same owner again)
    copied = invoke("migrate", "--to", "moved.sqlite3")
    assert copied.exit_code == 0, copied.output
    return [item["id"] for item in items]


def _copy_again() -> Result:
    return invoke("migrate", "--to", "moved.sqlite3", now=LATER)


def test_a_copy_the_desk_has_since_dropped_a_message_past_is_refused(waiting: list[int]) -> None:
    dropped = invoke(
        "outbox", "drop", str(waiting[0]), "--reason", "owner withdrew", "--actor", "HQ-001"
    )
    assert dropped.exit_code == 0, dropped.output
    again = _copy_again()
    assert again.exit_code == 5
    assert again.stderr.strip() == f"error: complaint database moved.sqlite3: {OLDER}"
    assert "already holds a complete copy" not in again.stdout


def test_a_copy_the_desk_has_since_delivered_a_message_past_is_refused(
    waiting: list[int],
) -> None:
    from datetime import UTC, datetime

    with SqliteStore("complaints.sqlite3", create=False) as store:  # a sender delivers it
        store.mark_delivered(waiting[0], datetime(2025, 11, 14, 9, 45, tzinfo=UTC))
    again = invoke("migrate", "--to", "moved.sqlite3", "--json", now=LATER)
    assert again.exit_code == 5
    assert OLDER in json.loads(again.stdout)["error"]["message"]


@pytest.mark.procedure("PRV-2")
def test_a_copy_without_a_later_access_record_is_refused(waiting: list[int]) -> None:
    cid = _ids()[0]
    shown = invoke("show", cid, "--as", "HQ-001", "--purpose", "second callback")
    assert shown.exit_code == 0, shown.output
    again = _copy_again()
    assert again.exit_code == 5
    assert OLDER in again.stderr


def test_a_copy_nothing_happened_to_since_is_still_complete(waiting: list[int]) -> None:
    again = _copy_again()
    assert again.exit_code == 0, again.output
    assert "already holds a complete copy" in again.stdout


# --------------------------------------------------------------------------- F04

OWN = "is the desk's own database: copy to another file or schema"


@pytest.mark.parametrize("named", ["complaints.sqlite3", "sub/../complaints.sqlite3", "link"])
def test_migrate_to_the_desks_own_database_is_refused(desk: Path, named: str) -> None:
    (desk / "sub").mkdir()
    (desk / "link").symlink_to(desk / "complaints.sqlite3")
    before = (desk / "complaints.sqlite3").read_bytes()
    result = invoke("migrate", "--to", named)
    assert result.exit_code == 5
    assert result.stderr.strip() == f"error: complaint database {named}: {OWN}"
    assert "complete copy" not in result.stdout
    assert (desk / "complaints.sqlite3").read_bytes() == before


# --------------------------------------------------------- F01, F04 in the stores


def _open(request: pytest.FixtureRequest, stack: ExitStack, database: str) -> HistoryStore:
    if database.endswith(".sqlite3"):
        opened: HistoryStore = SqliteStore(database)
    else:
        from complaintcore.adapters.postgres_store import PostgresStore

        opened = PostgresStore(database)
    stack.callback(opened.close)
    return opened


def _databases(request: pytest.FixtureRequest, stack: ExitStack, kind: str) -> list[str]:
    if kind == "sqlite":
        folder = request.getfixturevalue("tmp_path")
        return [str(folder / "desk.sqlite3"), str(folder / "copy.sqlite3")]
    server = request.getfixturevalue("postgres_server")
    schemas = [server.new_schema(), server.new_schema()]
    for schema in schemas:
        stack.callback(server.drop_schema, schema)
    return [f"{server.dsn}?schema={schema}" for schema in schemas]


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_the_stores_refuse_their_own_database_and_an_older_copy(
    request: pytest.FixtureRequest, kind: str
) -> None:
    with ExitStack() as stack:
        mine, other = _databases(request, stack, kind)
        source, again = _open(request, stack, mine), _open(request, stack, mine)
        desk = make_desk(store=source)
        first = desk.receive(intake(receiver="SR-103"), now=T0)
        with pytest.raises(StoreError, match="is the desk's own database"):
            complete_copy(source, again)
        with pytest.raises(StoreError, match="is the desk's own database"):
            copy_desk(source, again)
        target = _open(request, stack, other)
        copy_desk(source, target)
        assert complete_copy(source, target) is not None
        source.record_access(AccessRecord(T0, "SR-103", first.id, "a call back", "desk.view"))
        with pytest.raises(StoreError, match=OLDER):
            complete_copy(source, target)
