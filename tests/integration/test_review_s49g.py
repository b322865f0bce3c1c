"""Review s49G: one tenant of a multi-tenant desk attacking (or slowing) another.

F01: the locks a process's threads take while intake decides a group, a
person's matter or a room's (HDL-5, HDL-6, IMP-3) were keyed by site,
building and category, or person or room, alone: tenant B's receipt of the
same person waited for tenant A's (even on another database), went on
unlocked after 10 s, and told B's user by its latency what A was receiving.
They are now keyed by the store's tenant and database too.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from complaintcore.adapters.memory_store import MemoryStore
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.core.models import Complainant, Intake
from complaintcore.desk import Desk
from complaintcore.desk.ports import ComplaintStore
from complaintcore.testing import make_desk
from tests.helpers import SH

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=SH)
WAITED = 3.0  # seconds: far less than the 10 s a thread waits for another's keys (desk.md)


def intake(at: datetime) -> Intake:
    """One owner's leak; both companies receive it (same name, phone, room, building)."""
    return Intake(
        complainant=Complainant("王小明", "13812345678", "3-2-1201", "3", "sunrise"),
        channel="phone",
        received_at=at,
        receiver="SR-101",
        receiver_unit="customer_service",
        summary="楼上漏水，天花板渗水",
        site="sunrise",
    )


def two_stores(kind: str, tmp_path: Path) -> tuple[ComplaintStore, ComplaintStore]:
    """Company A's store and company B's, as one web process holds them."""
    if kind == "two tenants, one memory database":
        a = MemoryStore(tenant="sunrise")
        return a, a.for_tenant("moonlight")
    if kind == "two tenants, two files":
        return (
            SqliteStore(tmp_path / "a.sqlite3", tenant="sunrise"),
            SqliteStore(tmp_path / "b.sqlite3", tenant="moonlight"),
        )
    # one tenant name on two databases (two customers both called "sunrise")
    return (
        SqliteStore(tmp_path / "a.sqlite3", tenant="sunrise"),
        SqliteStore(tmp_path / "b.sqlite3", tenant="sunrise"),
    )


@pytest.fixture
def desks_ab(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Desk, Desk]]:
    a, b = two_stores(request.param, tmp_path)
    with make_desk(store=a) as desk_a, make_desk(store=b) as desk_b:
        yield desk_a, desk_b


def stalled_while_storing(
    monkeypatch: pytest.MonkeyPatch, store: ComplaintStore
) -> tuple[threading.Event, threading.Event]:
    """``store.create`` stops (inside intake's locks) until ``go`` is set; ``inside``
    is set once it has stopped: a slow database of company A."""
    inside, go = threading.Event(), threading.Event()
    create: Callable[..., Any] = store.create

    def slow(*args: Any, **kwargs: Any) -> Any:
        inside.set()
        go.wait(30)
        return create(*args, **kwargs)

    monkeypatch.setattr(store, "create", slow)
    return inside, go


@pytest.mark.procedure("HDL-5")
@pytest.mark.procedure("IMP-3")
@pytest.mark.parametrize(
    "desks_ab",
    ["two tenants, one memory database", "two tenants, two files", "one tenant, two files"],
    indirect=True,
)
def test_another_companys_intake_of_the_same_person_never_waits_for_this_ones(
    desks_ab: tuple[Desk, Desk], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A's receipt holds its locks (its store is slow to commit); B's receipt of the
    same person, room and building is stored at once, with no WARNING, while A's
    is still being stored (s49G F01: it waited 10 s, then went on unlocked)."""
    a, b = desks_ab
    inside, go = stalled_while_storing(monkeypatch, a.store)
    a_side = threading.Thread(target=a.receive, args=(intake(T0),), kwargs={"now": T0})
    b_took: list[float] = []

    def b_receives() -> None:
        started = time.monotonic()
        b.receive(intake(T0 + timedelta(minutes=1)), now=T0 + timedelta(minutes=1))
        b_took.append(time.monotonic() - started)

    b_side = threading.Thread(target=b_receives)
    a_side.start()
    try:
        assert inside.wait(30)  # A holds its group's, person's and room's locks
        b_side.start()
        b_side.join(WAITED)
        assert not b_side.is_alive(), "B's intake waited for another company's"
        assert not go.is_set()  # A was still storing all along
    finally:
        go.set()
        a_side.join(30)
        b_side.join(30)
    assert len(b_took) == 1
    assert b_took[0] < WAITED
    assert "not locked" not in caplog.text
    assert len(a.store.rows()) == 1
    assert len(b.store.rows()) == 1


@pytest.mark.procedure("HDL-5")
def test_two_desks_of_one_tenant_on_one_file_still_take_turns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The keys name the database and tenant, so two store objects of one tenant
    on one file still share them: the second receipt of the person waits."""
    path = tmp_path / "desk.sqlite3"
    with (
        make_desk(store=SqliteStore(path, tenant="sunrise")) as a,
        make_desk(store=SqliteStore(path, tenant="sunrise")) as b,
    ):
        inside, go = stalled_while_storing(monkeypatch, a.store)
        a_side = threading.Thread(target=a.receive, args=(intake(T0),), kwargs={"now": T0})
        b_side = threading.Thread(
            target=b.receive,
            args=(intake(T0 + timedelta(minutes=1)),),
            kwargs={"now": T0 + timedelta(minutes=1)},
        )
        a_side.start()
        try:
            assert inside.wait(30)
            b_side.start()
            b_side.join(1.0)
            assert b_side.is_alive()  # waiting for A's locks
        finally:
            go.set()
            a_side.join(30)
            b_side.join(30)
        assert not b_side.is_alive()
        first, second = sorted(b.store.complaints(), key=lambda c: c.intake.received_at)
        assert any(e for e in second.events if type(e).__name__ == "Linked")
        assert first.id != second.id
