"""Bulk intake pauses Python's cyclic garbage collector while a batch is decided and
written, and gives it back as the host set it (docs/desk.md, "Bulk intake")."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from complaintcore.adapters.staff import load_sample_staff
from complaintcore.core.errors import ComplaintCoreError
from complaintcore.core.models import Complainant, Complaint, Intake
from complaintcore.desk import Desk
from complaintcore.desk.collector import collection_paused
from complaintcore.desk.hookspecs import hookimpl
from complaintcore.desk.plugins import make_plugin_manager
from complaintcore.testing import StaffList
from tests.helpers import SH

T0 = datetime(2025, 11, 10, 9, 30, tzinfo=SH)  # a working Monday


def intakes(n: int) -> Iterator[Intake]:
    for i in range(n):
        yield Intake(
            complainant=Complainant(f"业主{i}", f"137{i:08d}", f"3-2-{i:04d}", "3", "sunrise"),
            channel="phone",
            received_at=T0,
            receiver="SR-103",
            summary="楼上漏水，天花板渗水",
            site="sunrise",
            idempotency_key=f"k{i}",
        )


class Watcher:
    """A host's plugin that notes, while each complaint is classified, whether the
    collector runs."""

    def __init__(self) -> None:
        self.seen: list[bool] = []

    @hookimpl
    def complaintcore_get_staff_directory(self) -> StaffList:
        return load_sample_staff()

    @hookimpl
    def complaintcore_classify(self, complaint: Complaint) -> None:
        self.seen.append(gc.isenabled())


@pytest.fixture
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def watched_desk(tmp_path: Path) -> tuple[Desk, Watcher]:
    watcher = Watcher()
    pm = make_plugin_manager([watcher], load_entry_points=False)
    desk = Desk.from_config(
        {"database": str(tmp_path / "d.sqlite3"), "notifiers": {"log": False}}, plugin_manager=pm
    )
    return desk, watcher


@pytest.mark.usefixtures("collector_on")
def test_a_batch_is_decided_with_the_collector_paused_and_the_host_gets_it_back(
    tmp_path: Path,
) -> None:
    desk, watcher = watched_desk(tmp_path)
    between: list[bool] = []
    writing: list[bool] = []
    create_many = desk.store.create_many

    def watched_create_many(*args: Any, **kwargs: Any) -> Any:
        writing.append(gc.isenabled())  # the desk's own work on the batch
        return create_many(*args, **kwargs)

    desk.store.create_many = watched_create_many  # type: ignore[method-assign]
    with desk:
        for result in desk.receive_many(intakes(7), now=T0, batch=3):
            assert isinstance(result, Complaint)
            between.append(gc.isenabled())  # the host's own code between results
    assert writing == [False] * 3
    # the host's hook runs with the collector as the host set it (review s35A F06)
    assert watcher.seen == [True] * 7
    assert between == [True] * 7
    assert gc.isenabled()


class Switcher(Watcher):
    """A host's classifier that turns the collector off for good."""

    @hookimpl
    def complaintcore_classify(self, complaint: Complaint) -> None:
        gc.disable()


@pytest.mark.usefixtures("collector_on")
def test_a_hook_that_turns_the_collector_off_keeps_it_off(tmp_path: Path) -> None:
    pm = make_plugin_manager([Switcher()], load_entry_points=False)
    desk = Desk.from_config(
        {"database": str(tmp_path / "d.sqlite3"), "notifiers": {"log": False}}, plugin_manager=pm
    )
    with desk:
        assert all(isinstance(r, Complaint) for r in desk.receive_many(intakes(3), now=T0))
    assert not gc.isenabled()


def test_a_host_that_turned_the_collector_off_keeps_it_off(tmp_path: Path) -> None:
    desk, _ = watched_desk(tmp_path)
    was = gc.isenabled()
    gc.disable()
    try:
        with desk:
            assert all(isinstance(r, Complaint) for r in desk.receive_many(intakes(3), now=T0))
        assert not gc.isenabled()
    finally:
        if was:
            gc.enable()


@pytest.mark.usefixtures("collector_on")
def test_a_store_failure_in_a_batch_gives_the_collector_back(tmp_path: Path) -> None:
    desk, _ = watched_desk(tmp_path)
    with desk:
        desk.store.close()  # every write of the batch fails: the store is gone
        with pytest.raises(ComplaintCoreError):
            list(desk.receive_many(intakes(3), now=T0))
    assert gc.isenabled()


@pytest.mark.usefixtures("collector_on")
def test_threads_pausing_at_once_leave_the_collector_on_when_the_last_ends() -> None:
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    during: list[bool] = []

    def first() -> None:
        with collection_paused():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second() -> None:
        first_in.wait(5)
        with collection_paused():
            second_in.set()
            first_out.wait(5)
            during.append(gc.isenabled())  # the first has ended; this one has not

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert during == [False]
    assert gc.isenabled()
