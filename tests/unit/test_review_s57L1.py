"""Review s57L1 F01: an interrupt during a batch's commit.

``Desk.receive_many`` / ``receive_each`` (and ``receive --file`` through them)
interrupted (Ctrl-C, the command line's SIGTERM) while the store committed a
batch, or as the commit returned, raised a plain ``KeyboardInterrupt`` with no
receipt: the command line said ``aborted`` with ``"stored": 0`` for rows that
were stored, and their messages waited out the listeners' five-minute hold.
Now the rows the store holds are handed out as stored before the interrupt
(as ``receive`` does for one complaint, review s55R8 F01, s56R3 F03), their
messages are let go for the next ``deliver``, and the rows it does not hold are
not reported.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from complaintcore import Desk, make_plugin_manager
from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.adapters.memory_store import MemoryStore
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.adapters.staff import load_sample_staff
from complaintcore.core.errors import InvalidInputError
from complaintcore.core.models import Complaint, Intake
from complaintcore.desk.ports import BatchComplaintStore
from complaintcore.rules import load_pack
from complaintcore.testing import RecordingNotifier
from tests.unit.test_review_s55R8 import OWNER, T0, _desk, _interrupted_after
from tests.unit.test_review_s56L1 import HEADER, _invoke, _stored
from tests.unit.test_review_s56R3a import _Listener

ROWS = [
    f"王伟{i},1380000000{i},3-120{i},3,sunrise,phone,厨房漏水{i},2025-11-14 09:0{i},SR-103"
    for i in range(5)
]


def _intakes(n: int = 5) -> list[Intake]:
    """Each with its idempotency key, as an importer gives them: a second run is a
    retry."""
    return [
        Intake(OWNER, "phone", T0, "SR-103", f"漏水 {i}", site="sunrise", idempotency_key=f"r{i}")  # type: ignore[arg-type]
        for i in range(n)
    ]


def _listening_desk(tmp_path: Path, notifier: RecordingNotifier) -> Desk:
    """A SQLite desk with a listener plugin: its messages are held while it hears."""
    pack = load_pack("cn-property")
    return Desk(
        pack=pack,
        store=SqliteStore(tmp_path / "desk.sqlite3", create=True),
        directory=load_sample_staff(pack=pack),
        calendar=calendar_for_spec(pack.calendar),
        notifiers=[notifier],
        plugin_manager=make_plugin_manager([_Listener()], load_entry_points=False),
    )


def _interrupted_before(monkeypatch: pytest.MonkeyPatch, cls: type, name: str) -> None:
    """Failure injection: Ctrl-C as the store call starts, before it writes anything."""

    def interrupted(self: object, *args: object, **kwargs: object) -> object:
        raise KeyboardInterrupt

    monkeypatch.setattr(cls, name, interrupted)


def _taken(results: Any) -> tuple[list[Any], bool]:
    """What the iterator yields before it ends, and whether it was interrupted."""
    got: list[Any] = []
    try:
        for r in results:
            got.append(r)
    except KeyboardInterrupt:
        return got, True
    return got, False


def test_f01_receive_many_interrupted_as_the_batch_commits_hands_out_the_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notifier = RecordingNotifier()
    with _listening_desk(tmp_path, notifier) as desk:
        with monkeypatch.context() as patched:
            _interrupted_after(patched, SqliteStore, "create_many")
            got, interrupted = _taken(desk.receive_many(_intakes(), now=T0))
        assert interrupted
        stored = sorted(c.id for c in desk.store.complaints())
        assert len(stored) == 5
        assert all(isinstance(c, Complaint) for c in got)
        assert sorted(c.id for c in got) == stored
        # no listener heard of them: their messages are not left to wait out the hold
        assert desk.deliver(T0).sent >= 5
        assert desk.deliver(T0).sent == 0  # sent once
        # imported again: duplicates, nothing stored twice
        again = list(desk.receive_each(_intakes(), now=T0))
        assert [r.outcome for r in again] == ["duplicate"] * 5
        assert len(list(desk.store.complaints())) == 5


def test_f01_receipts_keep_their_places_refusals_and_repeats_included(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A row refused before the write and a key given twice in the batch keep their
    receipts, in input order, around the stored ones."""
    keyed = Intake(OWNER, "phone", T0, "SR-103", "电梯停运", site="sunrise", idempotency_key="k-1")  # type: ignore[arg-type]
    bad = InvalidInputError("row", "unreadable")
    given: list[Intake | InvalidInputError] = [*_intakes(2), bad, keyed, keyed]
    with _listening_desk(tmp_path, RecordingNotifier()) as desk:
        with monkeypatch.context() as patched:
            _interrupted_after(patched, SqliteStore, "create_many")
            got, interrupted = _taken(desk.receive_each(given, now=T0))
        assert interrupted
        assert [r.outcome for r in got] == ["stored", "stored", "rejected", "stored", "duplicate"]
        assert got[2].failure is bad
        assert got[4].complaint == got[3].complaint
        stored = sorted(c.id for c in desk.store.complaints())
        assert sorted(r.complaint.id for r in got if r.outcome == "stored") == stored


def test_f01_an_interrupt_before_the_store_wrote_stays_a_plain_abort(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with _listening_desk(tmp_path, RecordingNotifier()) as desk:
        with monkeypatch.context() as patched:
            _interrupted_before(patched, SqliteStore, "create_many")
            got, interrupted = _taken(desk.receive_many(_intakes(), now=T0))
        assert interrupted
        assert got == []
        assert list(desk.store.complaints()) == []


class _OneByOne(MemoryStore):
    """A host's store without create_many: the desk writes the batch a complaint at
    a time."""

    create_many = None  # type: ignore[assignment]


def test_f01_a_store_writing_one_at_a_time_reports_those_it_holds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Interrupted as the third complaint's write returns: the three stored are
    handed out, the two never written are not."""
    store = _OneByOne()
    assert not isinstance(store, BatchComplaintStore)
    original = MemoryStore.create
    calls = [0]

    def third_interrupted(self: MemoryStore, *args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        done = original(self, *args, **kwargs)
        if calls[0] == 3:
            raise KeyboardInterrupt
        return done

    with _desk(store) as desk:
        with monkeypatch.context() as patched:
            patched.setattr(MemoryStore, "create", third_interrupted)
            got, interrupted = _taken(desk.receive_each(_intakes(), now=T0))
        assert interrupted
        assert [r.outcome for r in got] == ["stored"] * 3
        stored = sorted(c.id for c in desk.store.complaints())
        assert sorted(r.complaint.id for r in got) == stored
        again = [r.outcome for r in desk.receive_each(_intakes(), now=T0)]
        assert again == ["duplicate"] * 3 + ["stored"] * 2
        assert len(list(desk.store.complaints())) == 5


@pytest.fixture
def desk_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    assert _invoke("init", ".").exit_code == 0
    (tmp_path / "rows.csv").write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("json_mode", [True, False])
def test_f01_receive_file_interrupted_as_the_batch_commits_lists_its_rows(
    desk_dir: Path, monkeypatch: pytest.MonkeyPatch, json_mode: bool
) -> None:
    flags: Sequence[str] = ["--json"] if json_mode else []
    with monkeypatch.context() as patched:
        _interrupted_after(patched, SqliteStore, "create_many")
        result = _invoke("receive", "--file", "rows.csv", *flags)
    assert result.exit_code == 1, result.output
    stored = _stored()
    assert len(stored) == 5
    if json_mode:
        document = json.loads(result.stdout)
        assert document["error"]["message"] == "aborted"
        assert document["stored"] == 5
        assert sorted(document["ids"]) == stored
        assert [r["line"] for r in document["rows"]] == [2, 3, 4, 5, 6]
    else:
        listed = [line.rsplit(" ", 1)[1] for line in result.stdout.splitlines()]
        assert sorted(listed) == stored
        assert result.stderr.strip().endswith("aborted")
    again = _invoke("receive", "--file", "rows.csv", "--json")
    assert again.exit_code == 0, again.output
    document = json.loads(again.stdout)
    assert (document["stored"], document["duplicated"]) == (0, 5)
    assert _stored() == stored
