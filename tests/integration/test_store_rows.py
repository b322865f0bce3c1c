"""``rows`` filters: the SQLite file and the memory store give the same answer for each.

The rows below are written into both stores; every query is answered by both
and by a plain filter over the same list written here (the oracle).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from complaintcore.adapters.memory_store import MemoryStore
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.core.errors import InvalidInputError, NaiveDatetimeError
from complaintcore.core.models import Channel, Grade, Status
from complaintcore.core.workflow import Register, decide, evolve, new_complaint
from complaintcore.desk.ports import ComplaintRow, ComplaintStore
from tests.helpers import SH, T0, intake, pack
from tests.postgres_server import PgDatabase

PACK = pack()

# id, status, grade, site, department, category, channel, handler, received (h), due (h)
TABLE: list[tuple[str, str, str, str, str, str, str, str, int, int | None]] = [
    ("C-1", "registered", "", "sunrise", "customer_service", "other", "phone", "", 0, 4),
    ("C-2", "in_handling", "minor", "sunrise", "engineering", "leak", "phone", "h-1", 1, 2),
    ("C-3", "in_handling", "important", "moonlight", "engineering", "leak", "web", "h-2", 2, 2),
    ("C-4", "awaiting_visit", "minor", "moonlight", "cleaning", "hygiene", "hotline", "h-1", 3,
     None),
    ("C-5", "closed", "major", "sunrise", "security", "security", "written", "h-3", 4, None),
    ("C-6", "in_handling", "major", "sunrise", "engineering", "leak", "in_person", "h-2", 5, 30),
    ("C-7", "registered", "", "", "", "", "forwarded", "", 6, 1),
    ("C-8", "closed", "internal", "moonlight", "hr_admin", "other", "web", "h-3", 7, None),
]  # fmt: skip


ISSUES = {"C-2": "I-C-2", "C-6": "I-C-2", "C-4": "I-C-4"}
"""Concentrated issues (HDL-5): two leaks at sunrise are one; C-4 forms its own."""


def _row(entry: tuple[str, str, str, str, str, str, str, str, int, int | None]) -> ComplaintRow:
    cid, status, grade, site, dept, cat, channel, handler, received, due = entry
    return ComplaintRow(
        id=cid,
        status=status,
        received_at=T0 + timedelta(hours=received),
        version=1,
        site=site,
        department=dept,
        category=cat,
        grade=grade,
        channel=channel,
        handler=handler,
        next_due=None if due is None else T0 + timedelta(hours=due),
        issue=ISSUES.get(cid, ""),
    )


ROWS = [_row(e) for e in TABLE]


def _fill(store: ComplaintStore) -> None:
    for row in ROWS:
        c = new_complaint(row.id, intake(received_at=row.received_at))
        c = evolve(c, decide(c, Register(actor="s-front"), PACK, row.received_at))
        store.create(c, row, ())


@pytest.fixture(scope="module")
def stores(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[dict[str, ComplaintStore]]:
    """The same rows in every store; PostgreSQL too where a server runs (always in CI)."""
    sqlite = SqliteStore(tmp_path_factory.mktemp("rows") / "complaints.sqlite3")
    memory = MemoryStore()
    found: dict[str, ComplaintStore] = {"sqlite": sqlite, "memory": memory}
    server: PgDatabase | None = None
    try:
        server = request.getfixturevalue("postgres_server")
    except pytest.skip.Exception:  # no server here (outside CI): the two others still agree
        server = None
    schema = server.new_schema() if server else ""
    if server:
        from complaintcore.adapters.postgres_store import PostgresStore

        found["postgres"] = PostgresStore(server.dsn, schema=schema)
    try:
        for s in found.values():
            _fill(s)
        yield found
    finally:
        for s in found.values():
            s.close()
        if server:
            server.drop_schema(schema)


def _oracle(**f: Any) -> list[str]:
    """The query answered by hand over ROWS."""

    def plain(value: Any) -> Any:
        return value.value if isinstance(value, Status | Grade | Channel) else value

    rows = [
        r
        for r in ROWS
        if all(
            f.get(k) is None or getattr(r, k) == plain(f[k])
            for k in (
                "status",
                "grade",
                "site",
                "department",
                "category",
                "channel",
                "handler",
                "issue",
            )
        )
        and (
            f.get("due_before") is None
            or (r.next_due is not None and r.next_due <= f["due_before"])
        )
        and (f.get("received_from") is None or r.received_at >= f["received_from"])
        and (f.get("received_until") is None or r.received_at < f["received_until"])
    ]
    order = f.get("order") or ("due" if f.get("due_before") is not None else "received")
    if order == "due":
        rows.sort(
            key=lambda r: (r.next_due is None, r.next_due or r.received_at, r.received_at, r.id)
        )
    else:
        rows.sort(key=lambda r: (r.received_at, r.id))
    ids = [r.id for r in rows]
    return ids if f.get("limit") is None else ids[: f["limit"]]


def _both(stores: dict[str, ComplaintStore], **f: Any) -> list[str]:
    """The stores' common answer (every store gives the same one)."""
    answers = {name: [r.id for r in s.rows(**f)] for name, s in stores.items()}
    assert all(a == answers["sqlite"] for a in answers.values()), (f, answers)
    return answers["sqlite"]


QUERIES: list[tuple[dict[str, Any], list[str]]] = [
    ({}, ["C-1", "C-2", "C-3", "C-4", "C-5", "C-6", "C-7", "C-8"]),
    ({"status": Status.IN_HANDLING}, ["C-2", "C-3", "C-6"]),
    ({"status": "in_handling"}, ["C-2", "C-3", "C-6"]),
    ({"status": Status.CLOSED, "site": "moonlight"}, ["C-8"]),
    ({"grade": Grade.MINOR}, ["C-2", "C-4"]),
    ({"grade": "major", "status": "in_handling"}, ["C-6"]),
    ({"site": "sunrise"}, ["C-1", "C-2", "C-5", "C-6"]),
    ({"site": ""}, ["C-7"]),
    ({"department": "engineering"}, ["C-2", "C-3", "C-6"]),
    ({"category": "leak", "site": "sunrise"}, ["C-2", "C-6"]),
    ({"channel": Channel.WEB}, ["C-3", "C-8"]),
    ({"channel": "phone"}, ["C-1", "C-2"]),
    ({"handler": "h-1"}, ["C-2", "C-4"]),
    ({"issue": "I-C-2"}, ["C-2", "C-6"]),
    ({"issue": "I-C-2", "order": "due"}, ["C-2", "C-6"]),
    ({"issue": "I-C-4", "status": "in_handling"}, []),
    ({"issue": ""}, ["C-1", "C-3", "C-5", "C-7", "C-8"]),
    ({"due_before": T0 + timedelta(hours=2)}, ["C-7", "C-2", "C-3"]),
    ({"due_before": T0 + timedelta(hours=4), "limit": 2}, ["C-7", "C-2"]),
    ({"received_from": T0 + timedelta(hours=2), "received_until": T0 + timedelta(hours=5)},
     ["C-3", "C-4", "C-5"]),
    ({"order": "due"}, ["C-7", "C-2", "C-3", "C-1", "C-6", "C-4", "C-5", "C-8"]),
    ({"order": "received", "due_before": T0 + timedelta(hours=30)},
     ["C-1", "C-2", "C-3", "C-6", "C-7"]),
    ({"limit": 0}, []),
    ({"status": "new"}, []),
]  # fmt: skip


@pytest.mark.parametrize(("filters", "expected"), QUERIES, ids=[repr(q[0]) for q in QUERIES])
def test_each_filter_gives_the_same_answer_in_both_stores(
    stores: dict[str, ComplaintStore], filters: dict[str, Any], expected: list[str]
) -> None:
    assert _both(stores, **filters) == expected
    assert _oracle(**filters) == expected


def test_times_in_any_zone_are_the_same_instants(stores: dict[str, ComplaintStore]) -> None:
    cut = T0 + timedelta(hours=2)
    for zone in (UTC, SH):
        assert _both(stores, due_before=cut.astimezone(zone)) == ["C-7", "C-2", "C-3"]


@pytest.mark.parametrize("store_name", ["sqlite", "memory", "postgres"])
@pytest.mark.parametrize(
    ("filters", "path"),
    [
        ({"status": "closedd"}, "status"),
        ({"status": Grade.MAJOR}, "status"),
        ({"grade": "urgent"}, "grade"),
        ({"channel": "fax"}, "channel"),
        ({"status": 3}, "status"),
        ({"site": 7}, "site"),
        ({"department": ["engineering"]}, "department"),
        ({"handler": b"h-1"}, "handler"),
        ({"issue": 2}, "issue"),
        ({"limit": -1}, "limit"),
        ({"limit": True}, "limit"),
        ({"order": "newest"}, "order"),
        ({"due_before": "2025-11-14"}, "due_before"),
        ({"received_from": datetime(2025, 11, 14)}, "received_from"),
    ],
)
def test_a_bad_filter_is_refused_naming_the_field(
    stores: dict[str, ComplaintStore], store_name: str, filters: dict[str, Any], path: str
) -> None:
    if store_name not in stores:
        pytest.skip("no PostgreSQL server here")
    with pytest.raises(InvalidInputError) as err:
        stores[store_name].rows(**filters)
    assert err.value.path == path
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("store_name", ["sqlite", "memory", "postgres"])
def test_a_naive_time_is_its_own_error(stores: dict[str, ComplaintStore], store_name: str) -> None:
    if store_name not in stores:
        pytest.skip("no PostgreSQL server here")
    with pytest.raises(NaiveDatetimeError):
        stores[store_name].rows(due_before=datetime(2025, 11, 14, 12))


_HOURS = st.integers(min_value=-1, max_value=32).map(lambda h: T0 + timedelta(hours=h))


@settings(max_examples=150, deadline=None)
@given(
    f=st.fixed_dictionaries(
        {},
        optional={
            "status": st.sampled_from([*Status, *(s.value for s in Status)]),
            "grade": st.sampled_from([*Grade, "minor", "major"]),
            "site": st.sampled_from(["sunrise", "moonlight", "", "elsewhere"]),
            "department": st.sampled_from(["engineering", "cleaning", "customer_service", ""]),
            "category": st.sampled_from(["leak", "other", "hygiene"]),
            "channel": st.sampled_from([*Channel, "web"]),
            "handler": st.sampled_from(["h-1", "h-2", "h-3", ""]),
            "issue": st.sampled_from(["I-C-2", "I-C-4", "", "I-none"]),
            "due_before": _HOURS,
            "received_from": _HOURS,
            "received_until": _HOURS,
            "limit": st.integers(min_value=0, max_value=9),
            "order": st.sampled_from(["received", "due"]),
        },
    )
)
def test_any_combination_of_filters_agrees_with_the_oracle(
    stores: dict[str, ComplaintStore], f: dict[str, Any]
) -> None:
    assert _both(stores, **f) == _oracle(**f)
