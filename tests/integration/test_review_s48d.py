"""Review s48D: a desk shared by a multi-threaded host.

F01: a desk closed by another thread while a sweep runs stops the sweep once, with
what it had committed (``SweepClosed``), instead of logging every claimed complaint
as skipped.  F03: an id the desk drew that another process's complaint holds is
drawn again rather than refusing the intake; an id the host gave is refused naming
the host's own argument."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

import complaintcore.desk.service as service
from complaintcore import (
    ClosedError,
    Complaint,
    DuplicateIdError,
    InvalidInputError,
    StaffMember,
    SweepClosed,
)
from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.adapters.staff import load_sample_staff
from complaintcore.core.models import Complainant, Intake
from complaintcore.desk import Desk
from complaintcore.desk.ids import time_ordered_id
from complaintcore.rules import load_pack
from tests.helpers import T0

PACK = load_pack("cn-property")
TAKEN = "C-20251114-1e7a3f000000abcd"


def _intake(i: int) -> Intake:
    building = str(i % 9 + 1)
    owner = Complainant(f"业主{i}", f"138{i:08d}", f"{building}-1-{1000 + i}", building, "sunrise")
    return Intake(
        complainant=owner,
        channel="phone",
        received_at=T0,
        receiver="SR-103",
        summary=("电梯故障停运", "夜间噪音扰民", "垃圾未清运")[i % 3],
        site="sunrise",
        idempotency_key=f"k-{i}",
    )


def _desk(path: Path, directory: object = None, **kw: object) -> Desk:
    return Desk(
        pack=PACK,
        store=SqliteStore(path),
        directory=directory or load_sample_staff(pack=PACK),  # type: ignore[arg-type]
        calendar=calendar_for_spec(PACK.calendar),
        **kw,  # type: ignore[arg-type]
    )


# ----------------------------------------------------------------------------- F03


@pytest.fixture
def taken(tmp_path: Path) -> Iterator[Desk]:
    """A desk whose store holds TAKEN (another process's complaint), and whose next
    default id is TAKEN again, as two processes' ids of one millisecond may meet."""
    path = tmp_path / "d.sqlite3"
    other = _desk(path, id_factory=lambda intake: TAKEN)
    other.receive(_intake(0), now=T0)
    other.close()
    desk = _desk(path)
    yield desk
    desk.close()


@pytest.fixture
def next_id_taken(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The desk's default id factory gives TAKEN once, then ids as usual."""
    drawn: list[str] = []

    def draw(received_at: object, zone: object) -> str:
        made = TAKEN if not drawn else time_ordered_id(received_at, zone)  # type: ignore[arg-type]
        drawn.append(made)
        return made

    monkeypatch.setattr(service, "time_ordered_id", draw)
    return drawn


def test_receive_draws_another_id_when_the_one_drawn_is_taken(
    taken: Desk, next_id_taken: list[str]
) -> None:
    stored = taken.receive(_intake(1), now=T0)
    assert next_id_taken[0] == TAKEN
    assert stored.id == next_id_taken[1] != TAKEN
    assert {c.id for c in taken.rows()} == {TAKEN, stored.id}
    assert taken.get(stored.id).intake.idempotency_key == "k-1"


def test_receive_many_draws_another_id_when_one_drawn_is_taken(
    taken: Desk, next_id_taken: list[str]
) -> None:
    results = list(taken.receive_many([_intake(1), _intake(2)], now=T0))
    assert all(isinstance(r, Complaint) for r in results), results
    ids = [r.id for r in results if isinstance(r, Complaint)]
    assert TAKEN not in ids
    assert next_id_taken[0] == TAKEN
    assert len({TAKEN, *ids}) == 3 == len(taken.rows())


def test_receive_many_of_one_intake_whose_drawn_id_is_taken(
    taken: Desk, next_id_taken: list[str]
) -> None:
    """The store refuses every item of the batch (nothing is stored as itself)."""
    (result,) = taken.receive_many([_intake(1)], now=T0)
    assert isinstance(result, Complaint)
    assert result.id != TAKEN
    assert len(taken.rows()) == 2


def test_an_id_the_host_gives_that_is_taken_is_refused_naming_its_argument(
    taken: Desk,
) -> None:
    with pytest.raises(DuplicateIdError) as refused:
        taken.receive(_intake(1), now=T0, complaint_id=TAKEN)
    assert isinstance(refused.value, InvalidInputError)
    assert refused.value.path == "complaint_id"
    assert str(refused.value) == "complaint_id: a complaint with this id already exists"
    assert len(taken.rows()) == 1


def test_a_host_id_factory_that_gives_only_taken_ids_is_refused_naming_it(
    tmp_path: Path,
) -> None:
    calls: list[Intake] = []

    def factory(intake: Intake) -> str:
        calls.append(intake)
        return TAKEN

    desk = _desk(tmp_path / "d.sqlite3", id_factory=factory)
    desk.receive(_intake(0), now=T0)
    calls.clear()
    with pytest.raises(DuplicateIdError) as refused:
        desk.receive(_intake(1), now=T0)
    assert refused.value.path == "id_factory"
    assert len(calls) == 8  # drawn again, at most so many times
    (many,) = desk.receive_many([_intake(2)], now=T0)
    assert isinstance(many, DuplicateIdError)
    assert many.path == "id_factory"
    assert len(desk.rows()) == 1
    desk.close()


# ----------------------------------------------------------------------------- F01


class _ClosingDirectory:
    """The host's directory: the sweeping thread's first lookup waits while the main
    thread closes the desk (a service shutting down), then answers."""

    def __init__(self) -> None:
        self.real = load_sample_staff(pack=PACK)
        self.armed = False
        self.sweeping = threading.Event()
        self.closed = threading.Event()

    def get(self, staff_id: str) -> StaffMember | None:
        sweeper = self.armed and threading.current_thread().name == "sweeper"
        if sweeper and not self.sweeping.is_set():
            self.sweeping.set()
            self.closed.wait(10)
        return self.real.get(staff_id)

    def members(self) -> list[StaffMember]:
        return list(self.real.members())


def test_a_desk_closed_while_another_thread_sweeps_stops_the_sweep_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    directory = _ClosingDirectory()
    desk = _desk(tmp_path / "d.sqlite3", directory=directory)
    for i in range(12):
        desk.receive(_intake(i), now=T0)
    directory.armed = True
    out: dict[str, BaseException] = {}

    def sweeper() -> None:
        try:
            desk.sweep(T0 + timedelta(days=10))
        except BaseException as exc:
            out["error"] = exc

    caplog.set_level(logging.DEBUG, logger="complaintcore")
    thread = threading.Thread(target=sweeper, name="sweeper")
    thread.start()
    assert directory.sweeping.wait(10)
    desk.close()
    directory.closed.set()
    thread.join(10)
    error = out["error"]
    assert isinstance(error, SweepClosed)
    assert isinstance(error, ClosedError)
    assert isinstance(error, InvalidInputError)
    assert str(error) == "store: is closed"
    assert error.report.failed == ()  # no complaint reported as failing for it
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == []
    assert not any("skipped" in r.getMessage() for r in caplog.records)


def test_a_sweep_closed_keeps_its_report_when_pickled() -> None:
    import pickle

    report = service._sweep_report(service.Tally(), 0, 0, ())
    again = pickle.loads(pickle.dumps(SweepClosed(report)))
    assert type(again) is SweepClosed
    assert again.report == report
    assert (again.path, again.reason) == ("store", "is closed")


# ----------------------------------------------------------------------------- F02

DOCS = Path(__file__).resolve().parents[2] / "docs"


class _ThreadsOfDirectory:
    """A directory recording the threads that ask it."""

    def __init__(self) -> None:
        self.real = load_sample_staff(pack=PACK)
        self.threads: set[str] = set()
        self.lock = threading.Lock()

    def _seen(self) -> None:
        with self.lock:
            self.threads.add(threading.current_thread().name)

    def get(self, staff_id: str) -> StaffMember | None:
        self._seen()
        return self.real.get(staff_id)

    def members(self) -> list[StaffMember]:
        self._seen()
        return list(self.real.members())


def test_the_delivery_worker_asks_the_directory_from_its_own_thread(tmp_path: Path) -> None:
    """What the docs now say: the directory a host supplies is asked from the delivery
    worker's thread too, not only the thread that built the desk."""
    from complaintcore.testing import RecordingNotifier

    directory = _ThreadsOfDirectory()
    inbox = RecordingNotifier()
    desk = _desk(tmp_path / "d.sqlite3", directory=directory, notifiers=[inbox])
    worker = desk.start_delivery(interval=0.05)
    desk.receive(_intake(1), now=T0)
    assert worker.wait_idle(10)
    desk.close()
    assert inbox.sent
    assert "complaintcore-delivery" in directory.threads
    assert threading.current_thread().name in directory.threads


def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    end = text.find("\n#", start + len(heading))
    return text[start : end if end != -1 else len(text)]


def test_the_docs_say_the_directory_and_calendar_are_used_from_every_thread() -> None:
    """hooks.md said every hook runs "in the desk's thread"; a host's directory bound
    to that thread (one sqlite3 connection) silently stopped the worker's
    deliveries (review s48D F02)."""
    hooks = (DOCS / "hooks.md").read_text(encoding="utf-8")
    assert "in the desk's thread" not in hooks
    how = " ".join(_section(hooks, "## How plugins work").split())
    assert "`complaintcore-delivery`" in how
    assert "safe to call from several threads at once" in how
    directory = " ".join(_section(hooks, "### `complaintcore_get_staff_directory").split())
    assert "`complaintcore-delivery`" in directory
    assert "thread-safe" in directory
    calendar = " ".join(_section(hooks, "### `complaintcore_get_calendar").split())
    assert "from every thread" in calendar
    staff = " ".join((DOCS / "staff-directory.md").read_text(encoding="utf-8").split())
    assert "`complaintcore-delivery`" in staff
    assert "thread-safe" in staff
