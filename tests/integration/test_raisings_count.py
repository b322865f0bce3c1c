"""IMP-3, GRD-2: ``Linked.raisings`` counts every earlier raising of the matter, the
same whether a complaint is received alone or in a bulk batch of any size, on every
store (review s36A F02: a store's answer of 30 complaints per kind once cut the count
near 20 for one complaint at a time, while a batch counted its own drafts in full)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from complaintcore.adapters.postgres_store import PostgresStore
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.core.models import Complainant, Complaint, Intake, Linked
from complaintcore.desk.ports import ComplaintStore
from complaintcore.testing import MemoryStore, make_desk
from tests.integration.test_repeats_at_the_desk import NEIGHBOUR, OWNER, SPOUSE, T0, intake
from tests.postgres_server import PgDatabase

LEAK = "楼上漏水，天花板渗水"
DOOR = "门禁坏了，陌生人随便进出"
N = 120
"""Six hours apart: 30 days, inside cn-property's 90-day window, so every earlier
complaint of the same person or room and category counts (cn-property counts
``same_complainant`` and ``same_room``)."""


def _who(i: int) -> Complainant:
    # the owner twice in four, the spouse (same room) once, a neighbour (another
    # room and phone, same building: linked by matter, never counted) once
    return (OWNER, OWNER, SPOUSE, NEIGHBOUR)[i % 4]


def _file() -> list[Intake]:
    return [
        intake(
            _who(i), T0 + timedelta(hours=6 * i), LEAK if i % 3 else DOOR, idempotency_key=f"r{i}"
        )
        for i in range(N)
    ]


def _hand_count(rows: list[Intake]) -> list[int]:
    """GRD-2 by hand: this raising plus every earlier one of the same summary (the
    same category) by the same phone or about the same room."""
    out = []
    for i, me in enumerate(rows):
        who = me.complainant
        out.append(
            1
            + sum(
                1
                for j in range(i)
                if rows[j].summary == me.summary
                and (rows[j].complainant.phone == who.phone or rows[j].complainant.room == who.room)
            )
        )
    return out


def _raisings(desk_store: ComplaintStore, batch: int) -> list[int]:
    """The raisings each intake's own ``Linked`` event records (1: none), in file order;
    ``batch`` 0 is one ``receive`` at a time."""
    now = T0 + timedelta(days=N)
    with make_desk(store=desk_store) as desk:
        if batch == 0:
            got = [desk.receive(x, now=now, validity="valid") for x in _file()]
        else:
            got = list(desk.receive_many(_file(), now=now, validity="valid", batch=batch))
        out = []
        for c in got:
            assert isinstance(c, Complaint), c
            own = [e for e in desk.get(c.id).events if isinstance(e, Linked) and not e.repeated_by]
            out.append(own[0].raisings if own else 1)
        categories = {desk.get(c.id).state.category for c in got[:2]}
    assert len(categories) == 2  # two matters, as counted by hand
    assert "" not in categories
    return out


BATCHES = (0, 1, 7, 40, N)


def _check(new_store: Callable[[int], ComplaintStore]) -> None:
    expected = _hand_count(_file())
    assert max(expected) > 31  # a matter raised more than 30 times before
    for batch in BATCHES:
        assert _raisings(new_store(batch), batch) == expected, batch


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_raisings_are_counted_in_full_alone_and_in_every_batch_size(
    kind: str, tmp_path: Path
) -> None:
    def new_store(batch: int) -> ComplaintStore:
        return MemoryStore() if kind == "memory" else SqliteStore(tmp_path / f"b{batch}.db")

    _check(new_store)


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
def test_raisings_are_counted_in_full_on_postgres(postgres_server: PgDatabase) -> None:
    schemas: list[str] = []

    def new_store(_batch: int) -> ComplaintStore:
        schemas.append(postgres_server.new_schema())
        return PostgresStore(postgres_server.dsn, schema=schemas[-1])

    try:
        _check(new_store)
    finally:
        for schema in schemas:
            postgres_server.drop_schema(schema)
