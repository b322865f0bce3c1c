"""Review s58R6 (a mutation audit of the desk's intake and sweep): two behaviours
no test held.

F01: ``Desk.sweep(now, limit=n)`` examines at most ``n`` complaints even when more
are due within one claim batch, and the next run takes the next ones.
F02: an interrupt before the store wrote anything is raised at once, also when
the batch begins with rows the desk refused: no refusal is handed out first.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from complaintcore import Desk
from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.adapters.memory_store import MemoryStore
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.adapters.staff import load_sample_staff
from complaintcore.core.errors import InvalidInputError
from complaintcore.rules import load_pack
from complaintcore.testing import RecordingNotifier
from tests.helpers import T0, intake
from tests.unit.test_review_s57L1 import T0 as T0_BATCH
from tests.unit.test_review_s57L1 import _intakes, _listening_desk, _OneByOne, _taken

PACK = load_pack("cn-property")


def _desk(store: Any) -> Desk:
    return Desk(
        pack=PACK,
        store=store,
        directory=load_sample_staff(pack=PACK),
        calendar=calendar_for_spec(PACK.calendar),
    )


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_f01_a_sweep_limit_bounds_the_complaints_examined(kind: str, tmp_path: Path) -> None:
    """Five complaints received by security and never handed to customer service
    within IN-5's 24 hours: each is due.  ``limit=2`` examines two per run."""
    store = MemoryStore() if kind == "memory" else SqliteStore(tmp_path / "d.sqlite3", create=True)
    with _desk(store) as desk:
        for i in range(5):
            at = T0 + timedelta(minutes=i)
            desk.receive(
                intake(received_at=at, receiver="SR-302", receiver_unit="security"), now=at
            )
        later = T0 + timedelta(days=20)
        first = desk.sweep(later, limit=2)
        assert first.examined == 2
        firsts = {cid for cid, _ in first.escalated}
        assert len(firsts) == 2
        second = desk.sweep(later, limit=2)
        assert second.examined == 2
        seconds = {cid for cid, _ in second.escalated}
        assert len(seconds) == 2
        assert not firsts & seconds
        rest = desk.sweep(later)
        assert rest.examined == 1
        assert {cid for cid, _ in rest.escalated}.isdisjoint(firsts | seconds)


def _unreadable() -> InvalidInputError:
    return InvalidInputError("summary", "row 1 could not be read")


def _interrupt(*_args: Any, **_kwargs: Any) -> Any:
    raise KeyboardInterrupt


def test_f02_an_interrupt_before_anything_was_written_hands_out_no_refusal_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with _listening_desk(tmp_path, RecordingNotifier()) as desk:
        with monkeypatch.context() as patched:
            patched.setattr(SqliteStore, "create_many", _interrupt)
            rows: list[Any] = [_unreadable(), *_intakes(3)]
            got, interrupted = _taken(desk.receive_each(rows, now=T0_BATCH))
        assert interrupted
        assert got == []
        assert list(desk.store.complaints()) == []


def test_f02_the_same_through_receive_many(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with _listening_desk(tmp_path, RecordingNotifier()) as desk:
        with monkeypatch.context() as patched:
            patched.setattr(SqliteStore, "create_many", _interrupt)
            rows: list[Any] = [_unreadable(), *_intakes(3)]
            got, interrupted = _taken(desk.receive_many(rows, now=T0_BATCH))
        assert interrupted
        assert got == []
        assert list(desk.store.complaints()) == []


def test_f02_the_same_on_a_store_writing_one_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    with _desk(_OneByOne()) as desk:
        with monkeypatch.context() as patched:
            patched.setattr(MemoryStore, "create", _interrupt)
            rows: list[Any] = [_unreadable(), *_intakes(3)]
            got, interrupted = _taken(desk.receive_each(rows, now=T0_BATCH))
        assert interrupted
        assert got == []
        assert list(desk.store.complaints()) == []
