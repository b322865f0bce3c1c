"""Small builders shared by the tests: a default pack, intakes, a command runner."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from complaintcore.core.models import Complainant, Complaint, Intake, TargetPerson
from complaintcore.core.rulepack import RulePack
from complaintcore.core.workflow import Command, Register, decide, evolve, new_complaint
from complaintcore.desk import Desk
from complaintcore.desk.ports import ComplaintStore
from complaintcore.rules import load_pack

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2025, 11, 14, 9, 30, tzinfo=SH)


def pack(name: str = "cn-property") -> RulePack:
    return load_pack(name)


def intake(summary: str = "楼上漏水，天花板渗水", **kw: object) -> Intake:
    base: dict[str, object] = {
        "complainant": Complainant("王小明", "13812345678", "3-2-1201", "3", "sunrise"),
        "channel": "phone",
        "received_at": T0,
        "receiver": "s-front",
        "receiver_unit": "customer_service",
        "summary": summary,
        "site": "sunrise",
    }
    base.update(kw)
    return Intake(**base)  # type: ignore[arg-type]


def about(staff_id: str, rung: str, role: str = "") -> TargetPerson:
    return TargetPerson(staff_id=staff_id, rung=rung, role=role or rung)


class Runner:
    """Applies commands one after another on a moving clock."""

    def __init__(
        self, the_pack: RulePack, the_intake: Intake | None = None, complaint_id: str = "C-1"
    ) -> None:
        self.pack = the_pack
        self.now = (the_intake or intake()).received_at
        self.complaint: Complaint = new_complaint(complaint_id, the_intake or intake())

    def __call__(self, command: Command, *, after: timedelta = timedelta(minutes=5)) -> Complaint:
        self.now += after
        events = decide(self.complaint, command, self.pack, self.now)
        self.complaint = evolve(self.complaint, events)
        return self.complaint

    def register(self, actor: str = "s-front") -> Complaint:
        return self(Register(actor=actor), after=timedelta(0))


def store_on(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> ComplaintStore:
    """A fresh ``memory``, ``sqlite`` or ``postgres`` store (a schema of its own on the
    suite's server, dropped when the test ends), for store fixtures run on each."""
    from complaintcore.adapters.memory_store import MemoryStore
    from complaintcore.adapters.sqlite_store import SqliteStore

    if kind == "memory":
        return MemoryStore()
    if kind == "sqlite":
        return SqliteStore(tmp_path / "desk.sqlite3")
    from complaintcore.adapters.postgres_store import PostgresStore

    server = request.getfixturevalue("postgres_server")
    schema = server.new_schema()
    request.addfinalizer(lambda: server.drop_schema(schema))
    return PostgresStore(server.dsn, schema=schema)


@contextlib.contextmanager
def desk_on(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Desk]:
    """A sample desk on the ``memory``, ``sqlite`` or ``postgres`` store (a schema of
    its own on the suite's server, dropped afterwards), for fixtures run on each."""
    from complaintcore.adapters.memory_store import MemoryStore
    from complaintcore.adapters.sqlite_store import SqliteStore
    from complaintcore.testing import make_desk

    schema = None
    store: ComplaintStore
    if kind == "memory":
        store = MemoryStore()
    elif kind == "sqlite":
        store = SqliteStore(tmp_path / "d.sqlite3")
    else:
        from complaintcore.adapters.postgres_store import PostgresStore

        server = request.getfixturevalue("postgres_server")
        schema = server.new_schema()
        store = PostgresStore(server.dsn, schema=schema)
    try:
        with make_desk(store=store) as desk:
            yield desk
    finally:
        if schema is not None:
            server.drop_schema(schema)
