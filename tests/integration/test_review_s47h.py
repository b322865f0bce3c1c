"""Review s47H (the s47D/s47F fixes): a sweep stopped by a store error keeps the
store's own error class and reports what it committed also when the outbox count
after the loop fails; plain ``list`` lists a damaged record's row; ``verify
--checkpoint`` keeps the checkpoint file's group."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from complaintcore import ConnectionLostError, Desk, StoreError, SweepFailed
from complaintcore.adapters.sqlite_store import SchemaVersionError, SqliteStore, store_error
from complaintcore.desk.sweeping import Sweeper
from complaintcore.testing import make_desk
from tests.integration.test_claims_review_s46c import SWEEP_ONE, _cli_desk
from tests.integration.test_delivery_off_intake import T0, intakes
from tests.integration.test_upgraded_desks_checked import invoke

LATE = T0 + timedelta(days=12)  # every complaint's first deadlines long past


def _fail_at(monkeypatch: pytest.MonkeyPatch, nth: int, failure: StoreError) -> list[str]:
    """Make the ``nth`` complaint a sweep takes meet ``failure``; the ids swept before
    it are listed."""
    swept: list[str] = []

    def failing(self: Sweeper, complaint_id: str, now: datetime) -> Any:
        if len(swept) == nth - 1:
            raise failure
        swept.append(complaint_id)
        return SWEEP_ONE(self, complaint_id, now)

    monkeypatch.setattr(Sweeper, "sweep_one", failing)
    return swept


# F02: the store's own error class still reaches a host's except


def test_a_sweep_that_loses_its_connection_still_raises_connection_lost(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    desk = make_desk()
    list(desk.receive_many(intakes(5, T0), now=T0))
    lost = ConnectionLostError("postgresql://db/complaints", "lost the connection; try again")
    swept = _fail_at(monkeypatch, 3, lost)
    with pytest.raises(ConnectionLostError) as err:  # a host's retry path
        desk.sweep(LATE)
    failed = err.value
    assert isinstance(failed, SweepFailed)
    assert failed.error is lost
    assert failed.__cause__ is lost
    assert failed.transient
    assert str(failed) == str(lost)
    assert failed.report.examined == 2
    assert {cid for cid, _clock in failed.report.escalated} == set(swept)


def test_a_sweep_failed_keeps_the_attributes_of_the_store_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    desk = make_desk()
    list(desk.receive_many(intakes(3, T0), now=T0))
    newer = SchemaVersionError(9, 3, "desk.sqlite3")
    _fail_at(monkeypatch, 2, newer)
    with pytest.raises(SchemaVersionError) as err:
        desk.sweep(LATE)
    assert isinstance(err.value, SweepFailed)
    assert (err.value.found, err.value.supported) == (9, 3)
    assert err.value.database == "desk.sqlite3"
    assert err.value.report.examined == 1
