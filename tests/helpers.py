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

STATUTORY_2027 = (
    *("2027-01-01", "2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08"),
    *("2027-04-05", "2027-05-01", "2027-05-02", "2027-06-09", "2027-09-15"),
    *("2027-10-01", "2027-10-02", "2027-10-03"),
)
"""China's statutory days off (法定节假日) of 2027, as review s54R1 listed them by hand
(procedures §7): New Year's Day, the Spring Festival's eve and first three days
(Fri 5 to Mon 8 February), Qingming (Mon 5 April), Labour Day (Sat 1, Sun 2 May),
Dragon Boat (Wed 9 June), Mid-Autumn (Wed 15 September), National Day (Fri 1 to
Sun 3 October).  The installed ``holidays`` only guesses 2027, so a
``[[calendar.by_year]]`` entry for it must list them all."""

STATUTORY_2088 = (
    *("2088-01-01", "2088-01-23", "2088-01-24", "2088-01-25", "2088-01-26"),
    *("2088-04-04", "2088-05-01", "2088-05-02", "2088-06-23", "2088-09-29"),
    *("2088-10-01", "2088-10-02", "2088-10-03"),
)
"""China's statutory days off (法定节假日) of 2088, a year every ``holidays`` release
only guesses: New Year, the Spring Festival's eve and first three days, Qingming,
Labour Day (two), Dragon Boat, Mid-Autumn and National Day (three), on the lunar
dates the source computes.  A ``[[calendar.by_year]]`` entry for 2088 must list
them all (review s54R1 F01); tests add their own days to them."""


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
