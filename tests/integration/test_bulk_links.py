"""IMP-3 in bulk intake: a batch asks the store its repeat questions in one go
(``related_many``), and links each complaint as if it had asked alone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn

import attrs
import pytest

from complaintcore.adapters.postgres_store import PostgresStore
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.core.errors import IdempotencyConflictError, InvalidInputError, StoreError
from complaintcore.core.models import Complainant, Complaint, Fact, Grouped, Intake
from complaintcore.desk import Desk, grouping, repeat_links
from complaintcore.desk.ports import BatchIntakeStore, RelatedQuery
from complaintcore.testing import make_desk
from tests.integration.test_repeats_at_the_desk import NEIGHBOUR, OWNER, SPOUSE, T0, intake, links
from tests.postgres_server import PgDatabase


class AskingAlone(SqliteStore):
    """An SQLite store without the batch questions (``related_many`` and the rest of
    ``BatchIntakeStore``): each complaint asks its own."""

    @property
    def related_many(self) -> NoReturn:
        raise AttributeError("related_many")


def _stream() -> tuple[list[Intake], list[Intake]]:
    """Complaints stored first, then a batch that repeats them (and itself)."""
    people = [OWNER, SPOUSE, NEIGHBOUR]
    others = [
        Complainant(f"业主{i}", f"1391234{i:04d}", f"5-1-{300 + i}", "5", "sunrise")
        for i in range(4)
    ]
    first = [
        intake(who, T0 + timedelta(days=d), facts=[Fact.PROMISE_NOT_KEPT])
        for d, who in enumerate([*people, *others])
    ]
    later = [
        intake(who, T0 + timedelta(days=20 + d), facts=[Fact.PROMISE_NOT_KEPT])
        for d, who in enumerate([OWNER, *others, SPOUSE, OWNER, NEIGHBOUR, *others])
    ]
    return first, later


def _shape(desk: Desk, c: Complaint) -> tuple[object, ...]:
    stored = desk.get(c.id)
    return (
        links(stored),
        stored.state.grade,
        stored.state.raisings,
        Fact.RAISED_REPEATEDLY in stored.state.facts,
    )


def _run(
    desk: Desk, ids: list[str] | None, parts: tuple[list[Intake], ...] | None = None
) -> list[Complaint]:
    if ids is not None:
        given = iter(ids)
        desk._new_id = lambda _intake: next(given)  # type: ignore[method-assign]
    now = T0 + timedelta(days=60)
    out: list[Complaint] = []
    for part in parts or _stream():
        for c in desk.receive_many(part, now=now, validity="valid", batch=8):
            assert isinstance(c, Complaint), c
            out.append(c)
    return out


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
def test_a_batch_asking_at_once_links_as_complaints_asking_alone(tmp_path: Path) -> None:
    alone = AskingAlone(tmp_path / "alone.db")
    assert not isinstance(alone, BatchIntakeStore)
    with make_desk(store=alone) as one:
        singly = _run(one, None)
        expected = [_shape(one, c) for c in singly]
    with make_desk(store=SqliteStore(tmp_path / "many.db")) as many:
        assert isinstance(many.store, BatchIntakeStore)
        batched = _run(many, [c.id for c in singly])
        assert [_shape(many, c) for c in batched] == expected
    # the second batch found the first in the store, not only its own drafts: the
    # owner's second complaint links to the owner's first
    owner_again = expected[len(_stream()[0])]
    assert [link.same_complainant for link in owner_again[0]] == [(singly[0].id,)]
    assert sum(shape[3] for shape in expected) >= 3  # and some were raised repeatedly


@pytest.mark.procedure("IMP-3")
def test_a_store_failing_the_batch_question_lets_each_complaint_ask_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with make_desk(store=AskingAlone(tmp_path / "alone.db")) as one:
        expected = [_shape(one, c) for c in _run(one, None)]
        ids = [c.id for c in one.store.complaints()]
    store = SqliteStore(tmp_path / "failing.db")

    def broken(_queries: Any) -> NoReturn:
        raise StoreError("projection", "is locked by another writer")

    monkeypatch.setattr(store, "related_many", broken)  # failure injection
    with make_desk(store=store) as desk:
        got = [_shape(desk, c) for c in _run(desk, sorted(ids))]
    assert got == expected


def test_a_complaint_whose_linking_fails_is_refused_in_its_slot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each complaint all or nothing: the others of the batch are stored, a retry of
    the refused one in the same batch gets the same answer."""
    with make_desk(store=SqliteStore(tmp_path / "d.db")) as desk:
        group = desk._grouper.group

        def failing(draft: Any, now: Any, grouping: Any) -> Any:
            if draft.complaint.intake.idempotency_key == "call-2":
                raise InvalidInputError("category", "refused for the test")  # failure injection
            return group(draft, now, grouping)

        monkeypatch.setattr(desk._grouper, "group", failing)
        keys = ["call-1", "call-2", "call-3", "call-2"]
        batch = [
            attrs.evolve(intake(OWNER, T0 + timedelta(hours=i)), idempotency_key=k)
            for i, k in enumerate(keys)
        ]
        receipts = list(
            desk.receive_each(batch, now=T0 + timedelta(days=1), validity="valid", batch=10)
        )
        assert [r.complaint is not None for r in receipts] == [True, False, True, False]
        assert receipts[1].failure is receipts[3].failure
        assert isinstance(receipts[1].failure, InvalidInputError)
        stored = sorted(c.intake.idempotency_key for c in desk.store.complaints())
        assert stored == ["call-1", "call-3"]
        assert desk.verify(T0 + timedelta(days=1)).ok


def _neighbours(n: int, start: int) -> list[Complainant]:
    return [
        Complainant(f"住户{i}", f"1371234{i:04d}", f"5-2-{600 + i}", "5", "sunrise")
        for i in range(start, start + n)
    ]


def _grouped(desk: Desk, c: Complaint) -> tuple[object, ...]:
    stored = desk.get(c.id)
    grouped = [
        (e.issue, e.members, e.complainants, e.incident)
        for e in stored.events
        if isinstance(e, Grouped)
    ]
    return grouped, stored.state.issue, stored.state.group_incident


@pytest.mark.procedure("HDL-5")
@pytest.mark.procedure("HDL-6")
def test_a_batch_asking_at_once_groups_as_complaints_asking_alone(tmp_path: Path) -> None:
    """Two neighbours' complaints stored, then a batch with five more about the same
    building and matter (and others between them): the batch's drafts join the
    stored ones' issue, which becomes a group incident."""
    hour = timedelta(hours=1)
    stored = [intake(who, T0 + i * hour) for i, who in enumerate(_neighbours(2, 0))]
    batch = []
    for i, who in enumerate(_neighbours(5, 2)):
        batch.append(intake(who, T0 + (3 + i) * hour))
        batch.append(intake(OWNER, T0 + (3 + i) * hour, summary="电梯又坏了，困梯二十分钟"))
    with make_desk(store=AskingAlone(tmp_path / "alone.db")) as one:
        singly = _run(one, None, (stored, batch))
        expected = [_grouped(one, c) for c in singly]
    with make_desk(store=SqliteStore(tmp_path / "many.db")) as many:
        batched = _run(many, [c.id for c in singly], (stored, batch))
        assert [_grouped(many, c) for c in batched] == expected
    issues = {shape[1] for shape in expected[:2]}
    assert len(issues) == 1
    assert issues != {""}  # the stored two are in the issue the batch formed
    assert all(shape[2] for shape in expected[:2])  # a group incident (HDL-6)


def test_a_batch_given_again_is_answered_from_the_store_as_when_asked_one_by_one(
    tmp_path: Path,
) -> None:
    """Retries of stored submissions, found with one question for the batch: each is
    the stored complaint; a key reused for something else is refused."""
    batch = [
        attrs.evolve(intake(who, T0 + timedelta(hours=i)), idempotency_key=f"call-{i}")
        for i, who in enumerate([OWNER, SPOUSE, NEIGHBOUR])
    ]
    again = [
        batch[2],
        attrs.evolve(batch[0], summary="电梯坏了"),  # call-0 reused for something else
        batch[1],
    ]
    now = T0 + timedelta(days=1)

    def answers(desk: Desk) -> list[tuple[object, ...]]:
        first = list(desk.receive_each(batch, now=now, validity="valid"))
        versions = {c.id: c.version for c in desk.store.complaints()}
        out = []
        for r in desk.receive_each(again, now=now, validity="valid"):
            stored = r.complaint.intake.idempotency_key if r.complaint else None
            out.append((stored, r.duplicate, type(r.failure).__name__))
            if r.duplicate:
                assert r.complaint in [f.complaint for f in first]
        # a retry is not a new raising: nothing stored was linked to it
        after = {c.id: c.version for c in desk.store.complaints()}
        assert {cid: after[cid] for cid in versions} == versions
        return out

    with make_desk(store=AskingAlone(tmp_path / "alone.db")) as one:
        expected = answers(one)
    with make_desk(store=SqliteStore(tmp_path / "many.db")) as many:
        assert answers(many) == expected
    assert expected == [
        ("call-2", True, "NoneType"),
        (None, False, IdempotencyConflictError.__name__),
        ("call-1", True, "NoneType"),
    ]


@pytest.fixture
def pg_store(postgres_server: PgDatabase) -> Iterator[PostgresStore]:
    schema = postgres_server.new_schema()
    try:
        with PostgresStore(postgres_server.dsn, schema=schema) as store:
            yield store
    finally:
        postgres_server.drop_schema(schema)


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("HDL-5")
def test_postgres_asks_a_batch_at_once_and_links_as_complaints_asking_alone(
    tmp_path: Path, pg_store: PostgresStore
) -> None:
    assert isinstance(pg_store, BatchIntakeStore)
    hour = timedelta(hours=1)
    stored = [intake(who, T0 + i * hour) for i, who in enumerate(_neighbours(2, 0))]
    batch = [intake(who, T0 + (3 + i) * hour) for i, who in enumerate(_neighbours(5, 2))]
    first, later = _stream()
    parts = (first, [*later, *stored], batch)
    with make_desk(store=AskingAlone(tmp_path / "alone.db")) as one:
        singly = _run(one, None, parts)
        expected = [(_shape(one, c), _grouped(one, c)) for c in singly]
    with make_desk(store=pg_store) as many:
        batched = _run(many, [c.id for c in singly], parts)
        assert [(_shape(many, c), _grouped(many, c)) for c in batched] == expected
    assert any(shape[0] for shape, _grouped_shape in expected)  # links were made
    assert any(grouped[1] for _shape_, grouped in expected)  # and an issue formed


def _steps_to_ask(store: SqliteStore, queries: list[RelatedQuery]) -> tuple[int, list[list[str]]]:
    """SQLite virtual-machine steps (counted by its progress handler, deterministic)
    that one batch of questions takes, and the ids it answers to each."""
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0

    conn = store._conn()
    conn.set_progress_handler(count, 1)
    try:
        answers = store.related_many(queries)
    finally:
        conn.set_progress_handler(None, 1)
    return steps[0], [[e.id for e in answer] for answer in answers]


@pytest.mark.procedure("IMP-3")
def test_a_batch_question_reads_its_limit_not_the_whole_matter(tmp_path: Path) -> None:
    """A building-wide leak imported from a file: every complaint of the building
    and category is of one matter, and a batch asks of it again and again.  Asking
    for the 30 latest of it costs the same whether the window holds 100 or 800
    complaints; it once numbered every row of the window for every question, which
    made a bulk import of such a file quadratic."""
    costs = []
    for n in (100, 800):
        store = SqliteStore(tmp_path / f"leak-{n}.db")
        desk = make_desk(store=store)
        people = [
            Complainant(f"业主{i}", f"139{i:08d}", f"3-1-{100 + i}", "3", "sunrise")
            for i in range(n)
        ]
        stored = [
            c.id
            for c in desk.receive_many(
                [intake(p, T0 + timedelta(minutes=5 * i)) for i, p in enumerate(people)],
                now=T0 + timedelta(days=5),
            )
            if isinstance(c, Complaint)
        ]
        assert len(stored) == n
        category = desk.get(stored[0]).state.category
        until = T0 + timedelta(days=4)
        query = RelatedQuery(site="sunrise", since=T0, until=until, building="3",
                             category=category, matter_since=T0, limit=30)  # fmt: skip
        steps, answers = _steps_to_ask(store, [query] * 10)
        assert answers == [stored[::-1][:30]] * 10  # the 30 latest, latest first
        assert store.related_many([query]) == [store.related(**attrs.asdict(query))]
        costs.append(steps)
        store.close()
    assert costs[1] < costs[0] * 1.5, costs


@pytest.mark.procedure("HDL-5")
@pytest.mark.procedure("IMP-3")
def test_a_building_backlog_in_one_batch_reads_only_its_windows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A hundred days of one building's complaints, 20 hours apart, in one batch:
    each reads only the batch's drafts within cn-property's 72 hours (HDL-5) and
    30-day matter window (IMP-3), not every draft before it, and the batch links
    and groups as the same complaints received in batches of one."""
    backlog = [
        intake(who, T0 + timedelta(hours=20 * i)) for i, who in enumerate(_neighbours(120, 0))
    ]
    now = backlog[-1].received_at + timedelta(minutes=5)
    group_sizes: list[int] = []
    link_sizes: list[int] = []
    grouping_of, linking = grouping.decide_group, repeat_links.decide_links

    def counted_group(new: Any, candidates: Any, rule: Any) -> Any:
        group_sizes.append(len(candidates))
        return grouping_of(new, candidates, rule)

    def counted_links(new: Any, candidates: Any, rule: Any) -> Any:
        link_sizes.append(len(candidates))
        return linking(new, candidates, rule)

    def shapes(desk: Desk, batch: int) -> list[tuple[object, ...]]:
        got = list(desk.receive_many(backlog, now=now, validity="valid", batch=batch))
        assert all(isinstance(c, Complaint) for c in got)
        return [(_grouped(desk, c), _shape(desk, c)[:1]) for c in got]

    with make_desk(store=SqliteStore(tmp_path / "one.db")) as one:
        ids = iter(f"C-{i:04d}" for i in range(10_000))
        one._new_id = lambda _intake: next(ids)  # type: ignore[method-assign]
        expected = shapes(one, 1)
    monkeypatch.setattr(grouping, "decide_group", counted_group)
    monkeypatch.setattr(repeat_links, "decide_links", counted_links)
    with make_desk(store=SqliteStore(tmp_path / "all.db")) as many:
        ids = iter(f"C-{i:04d}" for i in range(10_000))
        many._new_id = lambda _intake: next(ids)  # type: ignore[method-assign]
        assert shapes(many, len(backlog)) == expected
    assert len(group_sizes) == len(link_sizes) == len(backlog)
    # 72 hours hold the 3 drafts before (20, 40, 60 hours); 30 days hold 36
    assert max(group_sizes) == 3
    assert max(link_sizes) == 36


@pytest.mark.procedure("HDL-5")
@pytest.mark.parametrize("batch", [1, 2, 3, 5])
def test_an_issue_formed_with_stored_members_is_joined_by_the_rest_of_the_batch(
    batch: int,
) -> None:
    """Five repairs complaints of building 1 (cn-property: 3 complainants within 72
    hours are a concentrated issue).  S (12 Oct 19:00) forms the issue with the stored
    P (15 Oct 06:00) and Q (13 Oct 07:00); T (17 Oct 02:00) is within 72 hours of P
    and of R (16 Oct 09:00, Q's owner): it and R join S's issue.  By hand, one issue
    of five, whatever the batch: a batch once read P from the store as in no issue
    yet and formed a second one with R (review s25J F04)."""
    sh = T0.tzinfo
    rows = [  # name, day, hour, owner, room
        ("P", 15, 6, 6, "1-1-103"),
        ("Q", 13, 7, 1, "1-1-101"),
        ("R", 16, 9, 1, "1-1-103"),
        ("S", 12, 19, 5, "1-1-100"),
        ("T", 17, 2, 2, "1-1-103"),
    ]
    stream = [
        Intake(
            complainant=Complainant(f"业主{owner}", f"1391234{owner:04d}", room, "1", "sunrise"),
            channel="phone",
            received_at=datetime(2026, 10, day, hour, tzinfo=sh),
            receiver="SR-103",
            summary="水管漏水",
            site="sunrise",
        )
        for _name, day, hour, owner, room in rows
    ]
    with make_desk() as desk:
        got = list(desk.receive_many(stream, now=datetime(2026, 12, 1, tzinfo=sh), batch=batch))
        assert all(isinstance(c, Complaint) for c in got)
        by_name = {row[0]: c.id for row, c in zip(rows, got, strict=True)}
        issues = {name: desk.get(cid).state.issue for name, cid in by_name.items()}
    assert set(issues.values()) == {f"I-{by_name['S']}"}
