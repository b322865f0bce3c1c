"""A full ``Desk.verify(now)`` run while other connections write (s26C F01).

The nightly check runs beside cron's sweeps, delivery and imports.  It compares
the ledger with every complaint, event and projection row; read in several
snapshots, a complaint committed in between looked "added outside the
library" and a reply made in between "projection row differs", tamper alarms
(REC-5) on a desk nobody touched.  On SQLite and PostgreSQL it now reads one
moment (``SnapshotStore.snapshot``): what was committed meanwhile is checked by
the next run.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from complaintcore.adapters.staff import write_sample_staff
from complaintcore.core.models import Complainant, Intake
from complaintcore.core.workflow import AttachEvidence
from complaintcore.desk import Desk
from complaintcore.desk.config import DeskConfig
from tests.helpers import SH

T0 = datetime(2025, 11, 10, 9, 30, tzinfo=SH)
CHECKED_AT = T0 + timedelta(hours=2)
SUMMARIES = ("楼上漏水，天花板渗水", "楼道垃圾没人打扫，有异味", "门禁坏了，陌生人随便进出")


@pytest.fixture(params=["sqlite", "postgresql"])
def config(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DeskConfig]:
    staff = str(write_sample_staff(tmp_path / "staff.toml"))
    if request.param == "sqlite":
        yield DeskConfig(
            database=str(tmp_path / "desk.sqlite3"), staff_file=staff, notifiers={"log": False}
        )
        return
    server = request.getfixturevalue("postgres_server")
    schema = server.new_schema()
    try:
        yield DeskConfig(
            database=f"{server.dsn}?schema={schema}", staff_file=staff, notifiers={"log": False}
        )
    finally:
        server.drop_schema(schema)


def _intake(i: int) -> Intake:
    return Intake(
        complainant=Complainant(
            f"业主{i}", f"137{i:08d}", f"{i % 9 + 1}-1-{i:04d}", str(i % 30), "sunrise"
        ),
        channel="phone",
        received_at=T0,
        receiver="SR-103",
        summary=SUMMARIES[i % len(SUMMARIES)],
        site="sunrise",
    )


def _after(method: Callable[..., Any], then: Callable[[], None]) -> Callable[..., Any]:
    """``method`` as it was, then (the first time) ``then()``: another process's
    commit, at that moment."""
    done: list[bool] = []

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        found = method(*args, **kwargs)
        if not done:
            done.append(True)
            then()
        return found

    return wrapped


@pytest.mark.procedure("REC-5")
def test_commits_made_while_the_full_check_reads_are_no_problem(
    config: DeskConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Desk.from_config(config) as desk, Desk.from_config(config) as other:
        ids = [desk.receive(_intake(i), now=T0).id for i in range(6)]
        handler = desk.get(ids[0]).state.handler
        version = desk.get(ids[0]).version
        assert handler

        def import_six() -> None:
            stored = list(other.receive_many([_intake(i) for i in range(6, 12)], now=T0))
            assert len(stored) == 6

        def attach_one() -> None:
            command = AttachEvidence(actor=handler, reference="photo-1.jpg")
            other.act(ids[0], command, now=T0 + timedelta(hours=1))

        store: Any = desk.store
        # another process imports right after the ledger is read, and acts on a
        # complaint right after the projection rows are read: both in the window
        monkeypatch.setattr(store, "_feed_ledger", _after(store._feed_ledger, import_six))
        monkeypatch.setattr(store, "rows", _after(store.rows, attach_one))
        report = desk.verify(CHECKED_AT)
        monkeypatch.undo()
        assert report.problems == ()
        assert report.complaints == 6  # the moment it began: the six before the import
        later = desk.verify(CHECKED_AT)
        assert later.problems == ()
        assert later.complaints == 12  # the next run checks what was committed meanwhile
        assert desk.get(ids[0]).version == version + 1  # the evidence did land


@pytest.mark.procedure("REC-5")
def test_verify_beside_a_running_import_passes_every_time(config: DeskConfig) -> None:
    with Desk.from_config(config) as desk:
        first = list(desk.receive_many([_intake(i) for i in range(150)], now=T0))
        assert len(first) == 150
        stop = threading.Event()
        failures: list[BaseException] = []
        written = [0]

        def importing() -> None:
            try:
                with Desk.from_config(config) as writer:
                    i = 150
                    while not stop.is_set() and i < 3000:
                        batch = [_intake(j) for j in range(i, i + 25)]
                        written[0] += len(list(writer.receive_many(batch, now=T0, batch=25)))
                        i += 25
            except BaseException as exc:  # reported below
                failures.append(exc)

        thread = threading.Thread(target=importing)
        thread.start()
        try:
            reports = [desk.verify(CHECKED_AT) for _ in range(3)]
        finally:
            stop.set()
            thread.join(120)
        assert not failures, failures
        assert written[0] > 0  # the import did run beside the checks
        assert [r.problems for r in reports] == [(), (), ()]
        final = desk.verify(CHECKED_AT)
        assert final.problems == ()
        assert final.complaints == 150 + written[0]
