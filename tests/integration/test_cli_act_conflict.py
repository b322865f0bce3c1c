"""``complaintcore act`` meeting another write to the same complaint (s26C F05).

docs/desk.md ("Commands"): on a concurrent append ``act`` raises
``ConcurrencyConflictError`` having written nothing: "run the command again, and
it is decided against the new state".  The command line does that itself for a
reply or a piece of evidence (a record of what was said or handed in, as true
after the other write), twice at most; any other command, decided on what its
actor saw, exits 1 saying the complaint changed and to look and run it again.
The other write (a colleague's evidence, as a sweep or a web request would
append) is made through another store on the same file, right before this
command's own append: after it has read and decided.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.core.workflow import AttachEvidence
from complaintcore.testing import make_desk
from tests.helpers import SH
from tests.integration.test_cli import NOW, receive_one, run

LATER = "2025-11-17T10:00"
OTHER_AT = datetime(2025, 11, 17, 9, 59, tzinfo=SH)


@pytest.fixture
def desk_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A desk made by ``complaintcore init`` (the sample staff), the current directory."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COMPLAINTCORE_NOW", NOW)
    assert run("init", ".")[0] == 0
    return tmp_path


def kinds(db: Path, cid: str) -> list[str]:
    with SqliteStore(db) as store:
        return [type(e).__name__ for e in store.load(cid).events]


def others_write_first(
    monkeypatch: pytest.MonkeyPatch, db: Path, cid: str, times: int, at: datetime = OTHER_AT
) -> Callable[[], int]:
    """The next ``times`` appends of this process are each preceded by another
    process's at ``at``: a colleague attaching a photo.  Returns how many were made."""
    append = SqliteStore.append
    made: list[int] = []
    busy: list[bool] = []

    def raced(self: SqliteStore, *args: Any, **kwargs: Any) -> None:
        if len(made) < times and not busy:
            busy.append(True)
            try:
                with make_desk(store=SqliteStore(db)) as colleague:
                    command = AttachEvidence(actor="SR-201", reference=f"photo-{len(made)}.jpg")
                    colleague.act(cid, command, now=at)
            finally:
                busy.clear()
            made.append(1)
        append(self, *args, **kwargs)

    monkeypatch.setattr(SqliteStore, "append", raced)
    return lambda: len(made)


def test_a_reply_that_met_another_write_is_decided_again_and_recorded(
    desk_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cid = receive_one()
    db = desk_dir / "complaints.sqlite3"
    before = kinds(db, cid)
    count = others_write_first(monkeypatch, db, cid, times=2)
    code, out, err = run(
        "act", "reply", cid, "--actor", "SR-201", "--message", "已安排维修人员上门", now=LATER
    )
    assert (code, err) == (0, "")
    assert out.startswith(f"done: {cid}")
    assert count() == 2  # it met two writes, and was decided a third time
    after = kinds(db, cid)
    assert after[: len(before)] == before
    assert after[len(before) :] == ["EvidenceAttached", "EvidenceAttached", "Replied"]


def test_a_reply_meeting_a_write_on_every_try_says_what_to_do(
    desk_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cid = receive_one()
    db = desk_dir / "complaints.sqlite3"
    others_write_first(monkeypatch, db, cid, times=3)
    code, _, err = run(
        "act", "reply", cid, "--actor", "SR-201", "--message", "已安排维修人员上门", now=LATER
    )
    assert code == 1
    assert err.strip() == (
        f"error: complaint {cid} changed while this ran (someone else acted on it first);"
        f" nothing was written: check it with 'complaintcore show {cid}' and run the"
        " command again"
    )
    assert "Replied" not in kinds(db, cid)


def test_a_reply_at_a_given_time_before_the_write_it_met_says_what_to_do(
    desk_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--now 10:00`` while a colleague (a clock ahead, or a later ``--now``) attached
    a photo at 10:01 meanwhile: decided again, the reply would come before the
    complaint's last event, which a history never does; the person is told the
    complaint changed, not that the time is wrong."""
    cid = receive_one()
    db = desk_dir / "complaints.sqlite3"
    ahead = datetime(2025, 11, 17, 10, 1, tzinfo=SH)
    others_write_first(monkeypatch, db, cid, times=1, at=ahead)
    code, _, err = run(
        "act", "reply", cid, "--actor", "SR-201", "--message", "已安排维修人员上门", now=LATER
    )
    assert code == 1
    assert f"complaint {cid} changed while this ran" in err
    assert "run the command again" in err
    assert "Replied" not in kinds(db, cid)


def test_another_command_that_met_another_write_is_not_decided_again(
    desk_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pause was decided on what its actor saw; the complaint changed under it: it
    is refused (exit 1, docs/cli.md), written nowhere, and the person told to look."""
    cid = receive_one()
    db = desk_dir / "complaints.sqlite3"
    count = others_write_first(monkeypatch, db, cid, times=1)
    code, out, _ = run(
        "act", "pause", cid, "--actor", "SR-201", "--reason", "等业主照片", "--json", now=LATER
    )
    assert code == 1
    assert count() == 1
    error = json.loads(out)["error"]
    assert (error["code"], error["type"]) == (1, "ConcurrencyConflictError")
    assert "run the command again" in error["message"]
    assert "expected version" not in error["message"]
    assert kinds(db, cid)[-1] == "EvidenceAttached"  # the colleague's, and no pause
    assert "Paused" not in kinds(db, cid)
    code, _, err = run(
        "act", "pause", cid, "--actor", "SR-201", "--reason", "等业主照片", now=LATER
    )
    assert (code, err) == (0, "")  # run again, it is decided against the new state


def others_write_after_the_clock_read(
    monkeypatch: pytest.MonkeyPatch, db: Path, cid: str, ahead: timedelta = timedelta(0)
) -> Callable[[], int]:
    """Another process writes between this one's reading of the clock and its load
    of the complaint: a colleague's photo stamped by the colleague's clock (plus
    ``ahead``), later than the time this one read (review s38B F01)."""
    load = SqliteStore.load
    made: list[int] = []
    busy: list[bool] = []

    def raced(self: SqliteStore, complaint_id: str) -> Any:
        if not made and not busy:
            busy.append(True)
            try:
                with make_desk(store=SqliteStore(db)) as colleague:
                    command = AttachEvidence(actor="SR-201", reference="photo.jpg")
                    colleague.act(cid, command, now=datetime.now(SH) + ahead)
            finally:
                busy.clear()
            made.append(1)
        return load(self, complaint_id)

    monkeypatch.setattr(SqliteStore, "load", raced)
    return lambda: len(made)


def test_a_reply_without_now_that_met_a_write_after_its_clock_is_recorded(
    desk_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without ``--now`` the clock is read afresh on each try: the colleague's photo,
    stamped after this command read the clock, is a concurrent write like any other,
    and the reply is decided again and recorded after it."""
    cid = receive_one()
    db = desk_dir / "complaints.sqlite3"
    monkeypatch.delenv("COMPLAINTCORE_NOW")
    count = others_write_after_the_clock_read(monkeypatch, db, cid)
    code, out, err = run(
        "act", "reply", cid, "--actor", "SR-201", "--message", "已安排维修人员上门"
    )
    assert (code, err) == (0, "")
    assert out.startswith(f"done: {cid}")
    assert count() == 1
    assert kinds(db, cid)[-2:] == ["EvidenceAttached", "Replied"]


def test_a_pause_without_now_that_met_a_write_after_its_clock_says_what_to_do(
    desk_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not 'now: is earlier than the complaint's last event': the person typed no
    time; the complaint changed while the command ran (docs/cli.md, ``act``)."""
    cid = receive_one()
    db = desk_dir / "complaints.sqlite3"
    monkeypatch.delenv("COMPLAINTCORE_NOW")
    others_write_after_the_clock_read(monkeypatch, db, cid)
    code, _, err = run("act", "pause", cid, "--actor", "SR-201", "--reason", "等业主照片")
    assert code == 1
    assert err.strip() == (
        f"error: complaint {cid} changed while this ran (someone else acted on it first);"
        f" nothing was written: check it with 'complaintcore show {cid}' and run the"
        " command again"
    )
    assert "Paused" not in kinds(db, cid)


def test_an_event_stamped_ahead_of_the_clock_is_still_named_as_such(
    desk_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A photo stamped an hour ahead of this machine's clock (another's ``--now``) is
    no race: trying again cannot help, and the error names ``now`` as before."""
    cid = receive_one()
    db = desk_dir / "complaints.sqlite3"
    monkeypatch.delenv("COMPLAINTCORE_NOW")
    others_write_after_the_clock_read(monkeypatch, db, cid, ahead=timedelta(hours=1))
    code, _, err = run("act", "reply", cid, "--actor", "SR-201", "--message", "已安排维修人员上门")
    assert code == 1
    assert "now: is earlier than the complaint's last event" in err
    assert "Replied" not in kinds(db, cid)
