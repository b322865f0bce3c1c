"""The store contract as a pytest suite a host runs against its own store.

Every built-in store passes it (memory, SQLite and PostgreSQL, in complaintcore's
own CI); a host that writes its own store -- on SQLAlchemy, the Django ORM, an
in-house database -- subclasses :class:`StoreContract` in its tests, says how to
open its store, and gets every test below:

    import pytest
    from complaintcore.testing import StoreContract
    from acme.store import AcmeStore

    class TestAcmeStore(StoreContract):
        @pytest.fixture(autouse=True)
        def _database(self, tmp_path):
            self.url = f"sqlite:///{tmp_path}/acme.db"  # a fresh database per test

        def open_store(self, tenant):
            return AcmeStore(self.url, tenant=tenant)

What it checks: optimistic concurrency (a stale ``append`` conflicts and writes
nothing, also when threads race), idempotent ``create``, ``load`` and ``row``
refusing an id that is not text (``InvalidInputError`` on ``complaint_id``), append-only histories
that keep their hash chain (:mod:`complaintcore.adapters.chain`), the projection
queries (filters, due order, streaming), the outbox (dedupe, retry, claims and
leases, dead letters retried or dropped -- ``drop_item`` called as the desk
calls it, with ``actor=`` and ``os_user=``), sweep claims, stored event versions
read through upcasters, the store-wide ledger and its head
(:mod:`complaintcore.adapters.ledger`), the append-only access log, ``verify``
finding tampering (needs the optional raw-access hooks), incremental ``verify(since=head)``
and ``row``, the projection basis a sweep compares (optional), and tenant isolation:
one tenant can never read, change, claim or count another's complaints or
messages.  Needs pytest (the host's tests run under it anyway).
"""

from __future__ import annotations

import inspect
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest

from complaintcore.adapters.transfer import HistoryStore
from complaintcore.core.concentration import Member
from complaintcore.core.errors import (
    ComplaintCoreError,
    ConcurrencyConflictError,
    InvalidInputError,
    NaiveDatetimeError,
    UnknownComplaintError,
)
from complaintcore.core.models import (
    Complainant,
    Complaint,
    EvidenceAttached,
    Intake,
    Registered,
    Status,
    TargetPerson,
    Visited,
)
from complaintcore.core.rulepack import RulePack
from complaintcore.core.workflow import (
    AttachEvidence,
    Classify,
    Register,
    decide,
    evolve,
    new_complaint,
)
from complaintcore.desk.ports import (
    MAX_SWEEP_LEASE,
    AccessRecord,
    BasisStore,
    BatchComplaintStore,
    BatchIntakeStore,
    ClaimHealthStore,
    ComplainantStore,
    ComplaintRow,
    ComplaintStore,
    HealthStore,
    HoldStore,
    ListenerHold,
    ListenerHoldStore,
    MessageTimesStore,
    Notification,
    OutboxStore,
    RaisingsQuery,
    RaisingsStore,
    RelatedQuery,
    ReportStore,
    RetryHealthStore,
    SimilarQuery,
    SnapshotStore,
    StaffMonthStore,
    SweepLeaseStore,
    VerifyReport,
    VisitStore,
)

__all__ = ["StoreContract"]

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2025, 11, 14, 9, 30, tzinfo=SH)
NOW = T0 + timedelta(hours=1)
LEASE = timedelta(minutes=5)
ZERO = timedelta(0)
"""A lease that has run out as soon as it is taken: a claim that lapsed, whatever
clock the store keeps claims on."""


def _pack() -> RulePack:
    from complaintcore.rules import load_pack

    return load_pack("cn-property")


def counted(report: VerifyReport) -> VerifyReport:
    """A verify report without its ledger head and entry count: the complaints and
    events counted and the problems alone."""
    return attrs.evolve(report, head="", entries=0)


class StoreContract:
    """Subclass as ``Test<YourStore>`` and implement :meth:`open_store`.

    Each test opens the stores it needs through :meth:`open_store` and closes
    them at its end.  The subclass must give every test a fresh, empty
    database (an autouse fixture that makes a temporary file, schema or
    database is the usual way); within one test, every tenant opened must share
    that database, as the tenants of one company database do.

    The tests that tamper with stored rows call :meth:`tamper`; without it they
    are skipped, saying so.
    """

    _pack: RulePack | None = None

    # ------------------------------------------------------------------ the host's part

    def open_store(self, tenant: str) -> ComplaintStore:
        """A store for ``tenant`` on this test's database (register the tenant if needed)."""
        pytest.fail(f"{type(self).__name__} must implement open_store(tenant)", pytrace=False)

    def tamper(self, store: ComplaintStore, action: str, complaint_id: str, seq: int = 0) -> None:
        """Change stored rows behind the store's back, as an attacker with SQL access could.

        ``action`` is one of:

        * ``"edit_event"``: in the stored text of event ``seq`` of
          ``complaint_id`` replace ``photo`` by ``PHOTO``, keeping its hash;
        * ``"delete_last_event"``: delete the last event of ``complaint_id``;
        * ``"edit_intake"``: in its stored intake text replace ``13812345678``
          by ``13800000000``.

        Implement it with raw access to your storage, bypassing any guard
        against edits (triggers, permissions).
        """
        pytest.skip(f"{type(self).__name__} gives no raw access to stored rows (tamper)")

    # ------------------------------------------------------------------ plumbing

    @pytest.fixture(autouse=True)
    def _contract_stores(self) -> Iterator[None]:
        self._opened: list[ComplaintStore] = []
        yield
        for store in reversed(self._opened):
            store.close()

    def store(self, tenant: str = "default") -> ComplaintStore:
        """Open (and remember to close) a store for ``tenant``."""
        opened = self.open_store(tenant)
        self._opened.append(opened)
        return opened

    @property
    def pack(self) -> RulePack:
        if StoreContract._pack is None:
            StoreContract._pack = _pack()
        return StoreContract._pack

    def registered(
        self,
        cid: str,
        *,
        key: str = "",
        site: str = "sunrise",
        received: datetime = T0,
        summary: str = "楼上漏水，天花板渗水",
        target: TargetPerson | None = None,
    ) -> Complaint:
        """A complaint with its ``Registered`` event, not yet stored."""
        intake = Intake(
            target=target,
            complainant=Complainant("王小明", "13812345678", "3-2-1201", "3", site),
            channel="phone",
            received_at=received,
            receiver="s-front",
            receiver_unit="customer_service",
            summary=summary,
            site=site,
            idempotency_key=key,
        )
        c = new_complaint(cid, intake)
        return evolve(c, decide(c, Register(actor="s-front"), self.pack, received))

    @staticmethod
    def row_of(
        c: Complaint,
        *,
        next_due: datetime | None = None,
        grade: str = "",
        department: str = "",
        breach_due: datetime | None = None,
    ) -> ComplaintRow:
        """The projection row a desk would write for ``c``."""
        return ComplaintRow(
            id=c.id,
            status=c.status.value,
            received_at=c.intake.received_at,
            version=c.version,
            site=c.intake.site,
            department=department or c.state.department,
            grade=grade,
            channel=c.intake.channel.value,
            next_due=next_due,
            idempotency_key=c.intake.idempotency_key,
            updated_at=c.events[-1].at if c.events else None,
            breach_due=breach_due,
        )

    @staticmethod
    def note(key: str, cid: str = "C-1", at: datetime = T0) -> Notification:
        return Notification(
            key=key,
            complaint_id=cid,
            topic="registered",
            recipient="s-cs",
            subject="新投诉",
            body="王** 1201",
            created_at=at,
            data=(("grade", "minor"),),
        )

    def attach(
        self,
        store: ComplaintStore,
        cid: str,
        reference: str,
        *,
        now: datetime = NOW,
        **row_kw: Any,
    ) -> Complaint:
        """Load, decide an ``AttachEvidence`` and append it, as a desk would."""
        c = store.load(cid)
        events = decide(c, AttachEvidence(actor="s-cs", reference=reference), self.pack, now)
        after = evolve(c, events)
        store.append(cid, c.version, events, self.row_of(after, **row_kw), [])
        return after

    def stored(self, store: ComplaintStore, cid: str, **row_kw: Any) -> Complaint:
        c = self.registered(cid)
        store.create(c, self.row_of(c, **row_kw), [])
        return c

    # ------------------------------------------------------------------ the port

    def test_implements_the_port_for_its_tenant(self) -> None:
        store = self.store("default")
        assert isinstance(store, ComplaintStore)
        other = self.store("acme-2")
        assert isinstance(store.tenant, str)
        assert store.tenant
        assert other.tenant != store.tenant  # a host may name them its own way

    def test_a_closed_store_refuses_work(self) -> None:
        store = self.open_store("default")
        store.close()
        with pytest.raises(ComplaintCoreError):
            store.load("C-1")

    # ------------------------------------------------------------------ create

    def test_create_then_load_round_trips(self) -> None:
        store = self.store()
        c = self.registered("C-1")
        assert store.create(c, self.row_of(c), []) == c
        loaded = store.load("C-1")
        assert loaded == c
        assert loaded.state == c.state
        assert loaded.status is Status.REGISTERED
        assert loaded.version == 1
        assert isinstance(loaded.events[0], Registered)
        assert loaded.events[0].at == T0
        assert loaded.events[0].at.utcoffset() == timedelta(hours=8)

    def test_create_with_a_known_key_returns_the_stored_complaint(self) -> None:
        store = self.store()
        first = self.registered("C-1", key="wx-123")
        store.create(first, self.row_of(first), [("log", self.note("n1"))])
        retry = self.registered("C-2", key="wx-123", summary="another text")
        got = store.create(retry, self.row_of(retry), [("log", self.note("n2", "C-2"))])
        assert got == first
        with pytest.raises(UnknownComplaintError):
            store.load("C-2")
        assert [r.id for r in store.rows()] == ["C-1"]
        assert [i.notification.key for i in store.pending(NOW)] == ["n1"]  # nothing written
        assert store.find_by_key("wx-123") == first
        assert store.find_by_key("other") is None
        assert store.find_by_key("") is None

    def test_an_empty_key_never_deduplicates(self) -> None:
        store = self.store()
        for cid in ("C-1", "C-2"):
            self.stored(store, cid)
        assert [r.id for r in store.rows()] == ["C-1", "C-2"]

    def test_the_same_id_twice_is_an_error_naming_the_field(self) -> None:
        store = self.store()
        c = self.stored(store, "C-1")
        with pytest.raises(InvalidInputError) as err:
            store.create(c, self.row_of(c), [])
        assert err.value.path == "complaint.id"
        assert store.load("C-1") == c

    def test_a_row_for_another_complaint_is_refused(self) -> None:
        store = self.store()
        c = self.registered("C-1")
        with pytest.raises(InvalidInputError):
            store.create(c, self.row_of(self.registered("C-9")), [])
        store.create(c, self.row_of(c), [])
        with pytest.raises(InvalidInputError):
            store.append("C-1", 1, [], self.row_of(self.registered("C-9")), [])

    def test_outbox_entries_need_a_key_and_nothing_is_written_without_one(self) -> None:
        store = self.store()
        c = self.registered("C-1")
        with pytest.raises(InvalidInputError):
            store.create(c, self.row_of(c), [("email", self.note(""))])
        with pytest.raises(UnknownComplaintError):
            store.load("C-1")

    def test_racing_creates_with_one_key_make_one_complaint(self) -> None:
        store = self.store()
        results: dict[str, str] = {}
        errors: list[BaseException] = []
        barrier = threading.Barrier(4)

        def submit(tag: str) -> None:
            try:
                c = self.registered(f"R-{tag}", key="double-tap")
                barrier.wait(30)
                results[tag] = store.create(
                    c, self.row_of(c), [("log", self.note(f"r-{tag}", c.id))]
                ).id
            except BaseException as exc:  # reported below
                errors.append(exc)

        _run_threads(submit, ["a", "b", "c", "d"])
        assert not errors, errors
        assert len(set(results.values())) == 1
        winner = next(iter(results.values()))
        assert [r.id for r in store.rows()] == [winner]
        assert [i.notification.complaint_id for i in store.pending(NOW)] == [winner]

    def test_bulk_create_keeps_each_complaint_all_or_nothing(self) -> None:
        store = self.store()
        if not isinstance(store, BatchComplaintStore):
            pytest.skip(f"{type(store).__name__} has no create_many (bulk intake)")
        old = self.stored(store, "C-0")
        items = []
        for cid, key in (("C-1", "k-1"), ("C-0", ""), ("C-2", "k-1"), ("C-3", "")):
            c = self.registered(cid, key=key)
            items.append((c, self.row_of(c), [("log", self.note(f"n-{cid}", cid))]))
        results = store.create_many(items)
        assert [getattr(r, "id", None) for r in results] == ["C-1", None, "C-1", "C-3"]
        assert isinstance(results[1], InvalidInputError)  # C-0 exists: refused in its slot
        assert store.load("C-0") == old
        assert [r.id for r in store.rows()] == ["C-0", "C-1", "C-3"]
        keys = sorted(i.notification.key for i in store.pending(NOW))
        assert keys == ["n-C-1", "n-C-3"]
        assert store.verify().ok

    def test_bulk_create_answers_known_keys_and_refuses_an_id_twice(self) -> None:
        store = self.store()
        if not isinstance(store, BatchComplaintStore):
            pytest.skip(f"{type(store).__name__} has no create_many (bulk intake)")
        before = self.registered("C-0", key="k-0")
        store.create(before, self.row_of(before), [])
        items = []
        for cid, key in (("C-1", ""), ("C-9", "k-0"), ("C-1", ""), ("C-2", "k-2")):
            c = self.registered(cid, key=key)
            items.append((c, self.row_of(c), [("log", self.note(f"n-{cid}-{key}", cid))]))
        results = store.create_many(items)
        assert [getattr(r, "id", None) for r in results] == ["C-1", "C-0", None, "C-2"]
        assert isinstance(results[2], InvalidInputError)  # the same id twice in one batch
        assert results[1] == store.load("C-0")  # a stored key: the stored complaint
        assert [r.id for r in store.rows()] == ["C-0", "C-1", "C-2"]
        assert sorted(i.notification.key for i in store.pending(NOW)) == ["n-C-1-", "n-C-2-k-2"]
        assert store.verify().ok

    def test_bulk_create_whole_writes_nothing_when_one_is_not_stored_as_itself(self) -> None:
        """``create_many(whole=True)``: a batch's complaints link to each other before
        they are stored, so one answered as another's (its key stored meanwhile) or
        refused leaves the rest unwritten (``None``), to be drafted again."""
        store = self.store()
        if not isinstance(store, BatchComplaintStore):
            pytest.skip(f"{type(store).__name__} has no create_many (bulk intake)")
        if "whole" not in inspect.signature(store.create_many).parameters:
            pytest.skip(f"{type(store).__name__}.create_many has no whole (optional)")
        before = self.registered("C-0", key="k-0")
        store.create(before, self.row_of(before), [])
        items = []
        for cid, key in (("C-1", ""), ("C-9", "k-0"), ("C-2", "k-2")):
            c = self.registered(cid, key=key)
            items.append((c, self.row_of(c), [("log", self.note(f"n-{cid}", cid))]))
        results = store.create_many(items, whole=True)
        assert results[0] is None
        assert results[1] == store.load("C-0")  # a stored key: the stored complaint
        assert results[2] is None
        assert [r.id for r in store.rows()] == ["C-0"]
        assert store.pending(NOW) == []
        fresh = [items[0], items[2]]
        assert [getattr(r, "id", None) for r in store.create_many(fresh, whole=True)] == [
            "C-1",
            "C-2",
        ]
        again = self.registered("C-3", key="")
        items = [(again, self.row_of(again), []), items[0]]  # C-1 is stored now: refused
        results = store.create_many(items, whole=True)
        assert results[0] is None
        assert isinstance(results[1], InvalidInputError)
        assert [r.id for r in store.rows()] == ["C-0", "C-1", "C-2"]
        assert store.verify().ok

    def test_stored_keys_names_the_keys_of_stored_complaints(self) -> None:
        """Bulk intake's "is this a retry?" for a batch at once."""
        store = self.store()
        if not isinstance(store, BatchIntakeStore):
            pytest.skip(f"{type(store).__name__} has no stored_keys (bulk intake)")
        for cid, key in (("C-1", "k-1"), ("C-2", "k-2"), ("C-3", "")):
            c = self.registered(cid, key=key)
            store.create(c, self.row_of(c), [])
        assert store.stored_keys(["k-2", "k-9", "", "k-1", "k-2"]) == {"k-1", "k-2"}
        assert store.stored_keys(["K-1", "k-1 "]) == set()  # a key is matched as it is
        assert store.stored_keys([]) == set()
        many = [f"n-{i}" for i in range(1200)] + ["k-1"]  # more than one statement's worth
        assert store.stored_keys(many) == {"k-1"}
        with pytest.raises(InvalidInputError) as err:
            store.stored_keys(["", "k-1", 7])  # type: ignore[list-item]
        assert err.value.path == "keys[2]"  # its place in what was given

    def test_complainants_are_read_without_their_histories(self) -> None:
        """What masking a listing needs (PRV-1), many complaints at once."""
        store = self.store()
        if not isinstance(store, ComplainantStore):
            pytest.skip(f"{type(store).__name__} is not a ComplainantStore (optional)")
        made = [self.registered(f"C-{i}") for i in range(3)]
        for c in made:
            store.create(c, self.row_of(c), [])
        wanted = ["C-2", "C-0", "C-9", "C-2"]  # one unknown, one asked twice
        assert store.complainants(wanted) == {
            c.id: c.intake.complainant for c in made if c.id in ("C-0", "C-2")
        }
        many = [f"X-{i}" for i in range(1200)] + ["C-1"]  # more than one statement's worth
        assert store.complainants(many) == {"C-1": made[1].intake.complainant}
        assert store.complainants([]) == {}
        with pytest.raises(InvalidInputError) as err:
            store.complainants(["C-1", 7])  # type: ignore[list-item]
        assert err.value.path == "complaint_ids[1]"

    # ------------------------------------------------------------------ append (OCC)

    def test_append_checks_the_version_and_writes_nothing_on_a_conflict(self) -> None:
        store = self.store()
        c = self.stored(store, "C-1")
        events = decide(c, Classify(actor="s-cs"), self.pack, NOW)
        after = evolve(c, events)
        store.append("C-1", 1, events, self.row_of(after), [("log", self.note("classified"))])
        loaded = store.load("C-1")
        assert loaded == after
        assert loaded.version == 1 + len(events)

        stale = decide(c, AttachEvidence(actor="s-cs", reference="x"), self.pack, NOW)
        with pytest.raises(ConcurrencyConflictError) as err:
            store.append(
                "C-1", 1, stale, self.row_of(evolve(c, stale)), [("log", self.note("stale"))]
            )
        assert (err.value.complaint_id, err.value.expected, err.value.actual) == (
            "C-1",
            1,
            loaded.version,
        )
        with pytest.raises(ConcurrencyConflictError):  # an empty append is checked too
            store.append("C-1", 1, [], self.row_of(c, next_due=NOW), [("log", self.note("e"))])
        assert store.load("C-1") == loaded
        assert [i.notification.key for i in store.pending(NOW)] == ["classified"]
        assert store.rows()[0].version == loaded.version
        assert store.rows()[0].next_due is None
        assert store.verify().ok

    def test_append_to_an_unknown_complaint(self) -> None:
        store = self.store()
        c = self.registered("C-404")
        with pytest.raises(UnknownComplaintError) as err:
            store.append("C-404", 1, [], self.row_of(c), [])
        assert err.value.complaint_id == "C-404"

    def test_load_and_row_refuse_an_id_that_is_not_text(self) -> None:
        """An id as a request body held it (``null``, ``5``, ``["C-1"]``) is the
        caller's slip: an :class:`InvalidInputError` naming ``complaint_id``, never a
        database failure (a ``StoreError``), a raw ``TypeError`` or an unknown
        complaint named by the value's type (review s50F F01)."""
        store = self.store()
        c = self.registered("C-1")
        store.create(c, self.row_of(c), [])
        for bad, kind in ((None, "NoneType"), (5, "int"), (["C-1"], "list"), ({"id": 1}, "dict")):
            for read in (store.load, store.row):
                with pytest.raises(InvalidInputError) as err:
                    read(bad)  # type: ignore[arg-type]
                assert (err.value.path, err.value.reason) == (
                    "complaint_id",
                    f"expected text, got {kind}",
                ), (read.__name__, bad)
        assert store.load("C-1") == c  # the store is none the worse

    def test_the_row_version_is_the_stored_one(self) -> None:
        store = self.store()
        c = self.registered("C-1")
        store.create(c, attrs.evolve(self.row_of(c), version=99), [])
        assert store.rows()[0].version == 1
        self.attach(store, "C-1", "photo-1")
        assert store.rows()[0].version == 2

    def test_racing_appends_land_once_each_and_lose_nothing(self) -> None:
        store = self.store()
        self.stored(store, "C-1")
        conflicts: list[int] = []
        errors: list[BaseException] = []
        barrier = threading.Barrier(4)

        def worker(tag: str) -> None:
            seen = 0
            try:
                barrier.wait(30)
                for i in range(8):
                    while True:
                        try:
                            self.attach(store, "C-1", f"{tag}-{i}")
                            break
                        except ConcurrencyConflictError:
                            seen += 1
                conflicts.append(seen)
            except BaseException as exc:  # reported below
                errors.append(exc)

        _run_threads(worker, ["a", "b", "c", "d"])
        assert not errors, errors
        c = store.load("C-1")
        refs = [e.reference for e in c.events if isinstance(e, EvidenceAttached)]
        assert sorted(refs) == sorted(f"{t}-{i}" for t in "abcd" for i in range(8))
        assert c.version == 33
        assert store.rows()[0].version == 33
        assert counted(store.verify()) == VerifyReport(complaints=1, events=33)

    def test_history_is_append_only(self) -> None:
        store = self.store()
        self.stored(store, "C-1")
        before = store.load("C-1")
        for i in range(3):
            self.attach(store, "C-1", f"photo-{i}")
        after = store.load("C-1")
        assert after.events[: before.version] == before.events  # earlier events untouched
        with pytest.raises(ConcurrencyConflictError):  # no rewriting an old seq
            self.attach_at(store, "C-1", before.version, "rewrite")
        assert store.load("C-1") == after
        assert counted(store.verify()) == VerifyReport(complaints=1, events=4)

    def attach_at(self, store: ComplaintStore, cid: str, version: int, reference: str) -> None:
        c = store.load(cid)
        events = decide(c, AttachEvidence(actor="s-cs", reference=reference), self.pack, NOW)
        store.append(cid, version, events, self.row_of(evolve(c, events)), [])

    # ------------------------------------------------------------------ queries

    def test_rows_filters_and_due_order(self) -> None:
        store = self.store()
        specs = [  # id, site, department, grade, next_due (hours after T0), received offset
            ("C-1", "sunrise", "engineering", "minor", 5, 0),
            ("C-2", "sunrise", "security", "major", 1, 1),
            ("C-3", "moonlight", "engineering", "minor", 3, 2),
            ("C-4", "moonlight", "engineering", "", None, 3),
        ]
        for cid, site, dept, grade, due, offset in specs:
            c = self.registered(cid, site=site, received=T0 + timedelta(minutes=offset))
            nd = None if due is None else T0 + timedelta(hours=due)
            store.create(c, self.row_of(c, next_due=nd, grade=grade, department=dept), [])
        self.attach(
            store,
            "C-3",
            "photo",
            next_due=T0 + timedelta(hours=3),
            grade="minor",
            department="engineering",
        )
        assert [r.id for r in store.rows()] == ["C-1", "C-2", "C-3", "C-4"]
        assert [r.id for r in store.rows(site="moonlight")] == ["C-3", "C-4"]
        got = store.rows(department="engineering", grade="minor")
        assert [r.id for r in got] == ["C-1", "C-3"]
        assert [r.id for r in store.rows(status="registered", site="sunrise")] == ["C-1", "C-2"]
        assert store.rows(status="closed") == []
        assert [r.id for r in store.rows(due_before=T0 + timedelta(hours=4))] == ["C-2", "C-3"]
        assert [r.id for r in store.rows(due_before=T0 + timedelta(hours=3))] == ["C-2", "C-3"]
        later = T0 + timedelta(hours=9)
        assert [r.id for r in store.rows(due_before=later, limit=2)] == ["C-2", "C-3"]
        assert store.rows(limit=0) == []
        c3 = next(r for r in store.rows() if r.id == "C-3")
        assert (c3.version, c3.grade, c3.site) == (2, "minor", "moonlight")
        assert c3.next_due == T0 + timedelta(hours=3)
        assert c3.next_due is not None
        assert c3.next_due.utcoffset() == timedelta(0)  # UTC out, whatever went in
        assert c3.received_at == T0 + timedelta(minutes=2)
        utc_cut = (T0 + timedelta(hours=1)).astimezone(UTC)
        assert [r.id for r in store.rows(due_before=utc_cut)] == ["C-2"]

    def test_rows_in_each_order_break_ties_the_same_way(self) -> None:
        store = self.store()
        specs = [  # id, next_due (hours after T0), received offset (minutes)
            ("C-5", 2, 0),
            ("C-2", None, 1),
            ("C-4", 2, 1),
            ("C-3", 1, 5),
            ("C-1", None, 1),
            ("C-6", 2, 0),
        ]
        for cid, due, offset in specs:
            c = self.registered(cid, received=T0 + timedelta(minutes=offset))
            nd = None if due is None else T0 + timedelta(hours=due)
            store.create(c, self.row_of(c, next_due=nd), [])
        # received: oldest first, ties by id
        assert [r.id for r in store.rows()] == ["C-5", "C-6", "C-1", "C-2", "C-4", "C-3"]
        # due: soonest first, ties by time received then id, no due time last
        soonest = ["C-3", "C-5", "C-6", "C-4", "C-1", "C-2"]
        assert [r.id for r in store.rows(order="due")] == soonest
        assert [r.id for r in store.rows(order="due", limit=4)] == soonest[:4]
        assert [r.id for r in store.rows(order="received", limit=3)] == ["C-5", "C-6", "C-1"]
        cut = T0 + timedelta(hours=2)
        assert [r.id for r in store.rows(due_before=cut)] == soonest[:4]

    def test_rows_keep_the_latest_event_time_in_utc(self) -> None:
        store = self.store()
        c = self.registered("C-1")
        store.create(c, self.row_of(c), [])
        (row,) = store.rows()
        assert row.updated_at == c.events[-1].at
        assert row.updated_at is not None
        assert row.updated_at.utcoffset() == timedelta(0)
        self.attach(store, "C-1", "photo")
        (row,) = store.rows()
        assert row.updated_at == store.load("C-1").events[-1].at

    def test_rows_overdue_at_a_time_are_those_breached_then_longest_first(self) -> None:
        """DL-7, review s34D F01: ``overdue_at`` keeps the rows with a ``breach_due``
        before it (a clock breached and still open), whatever ``next_due`` says: a
        sweep that escalated a complaint moved that on, not the breach.  Longest
        overdue first, ties by time received then id, none at the due instant."""
        store = self.store()
        specs = [  # id, breach_due and next_due (hours after T0), received (minutes), site
            ("C-1", 2, 900, 0, "sunrise"),  # escalated: its next sweep weeks away
            ("C-2", None, 1, 1, "sunrise"),  # no clock that can be breached
            ("C-3", 1, 1, 2, "moonlight"),
            ("C-4", 2, 2, 1, "sunrise"),  # due with C-1, received later
            ("C-5", 3, 3, 0, "sunrise"),  # due at the cut itself: not yet breached
        ]
        for cid, breach, due, offset, site in specs:
            c = self.registered(cid, site=site, received=T0 + timedelta(minutes=offset))
            row = self.row_of(
                c,
                next_due=T0 + timedelta(hours=due),
                breach_due=None if breach is None else T0 + timedelta(hours=breach),
            )
            store.create(c, row, [])
        cut = T0 + timedelta(hours=3)
        assert [r.id for r in store.rows(overdue_at=cut)] == ["C-3", "C-1", "C-4"]
        assert [r.id for r in store.rows(overdue_at=cut.astimezone(UTC))] == ["C-3", "C-1", "C-4"]
        assert [r.id for r in store.rows(overdue_at=cut, limit=2)] == ["C-3", "C-1"]
        assert [r.id for r in store.rows(overdue_at=cut, site="sunrise")] == ["C-1", "C-4"]
        by_receipt = store.rows(overdue_at=cut, order="received")
        assert [r.id for r in by_receipt] == ["C-1", "C-4", "C-3"]
        assert store.rows(overdue_at=cut, due_before=T0 + timedelta(hours=1)) == [
            r for r in store.rows(overdue_at=cut) if r.id == "C-3"
        ]
        later = cut + timedelta(microseconds=1)
        assert [r.id for r in store.rows(overdue_at=later)] == ["C-3", "C-1", "C-4", "C-5"]
        every = ["C-3", "C-1", "C-4", "C-5", "C-2"]  # none last
        assert [r.id for r in store.rows(order="overdue")] == every
        (c3,) = [r for r in store.rows() if r.id == "C-3"]
        assert c3.breach_due == T0 + timedelta(hours=1)
        assert c3.breach_due is not None
        assert c3.breach_due.utcoffset() == timedelta(0)  # UTC out, whatever went in
        # a command that meets the breached clock writes the row without it
        self.attach(store, "C-1", "reply", next_due=T0 + timedelta(hours=900))
        assert [r.id for r in store.rows(overdue_at=cut)] == ["C-3", "C-4"]

    def test_rows_refuse_naive_times_and_bad_limits(self) -> None:
        store = self.store()
        with pytest.raises(NaiveDatetimeError):
            store.rows(due_before=datetime(2025, 1, 1))  # noqa: DTZ001 - the point
        with pytest.raises(NaiveDatetimeError):
            store.rows(overdue_at=datetime(2025, 1, 1))  # noqa: DTZ001 - the point
        with pytest.raises(InvalidInputError):
            store.rows(order="late")  # type: ignore[arg-type]
        with pytest.raises(InvalidInputError):
            store.rows(limit=-1)

    def test_a_period_is_read_from_its_own_rows(self) -> None:
        store = self.store()
        if not isinstance(store, ReportStore):
            pytest.skip(f"{type(store).__name__} has no complaints_received (reports scan)")
        specs = [  # id, received (hours after T0), site, category, validity
            ("C-3", 0, "sunrise", "repairs", "valid"),
            ("C-1", 0, "sunrise", "repairs", "valid"),
            ("C-2", 1, "moonlight", "repairs", "invalid"),
            ("C-4", 2, "sunrise", "noise", "valid"),
            ("C-5", 3, "sunrise", "repairs", "valid"),
        ]
        fields: dict[str, tuple[str, str]] = {}

        def row(c: Complaint) -> ComplaintRow:
            category, validity = fields[c.id]
            return attrs.evolve(self.row_of(c), category=category, validity=validity, kind="c")

        for cid, hours, site, category, validity in specs:
            c = self.registered(cid, site=site, received=T0 + timedelta(hours=hours))
            fields[cid] = (category, validity)
            store.create(c, row(c), [])
        c4 = store.load("C-4")
        later = NOW + timedelta(hours=5)
        events = decide(c4, AttachEvidence(actor="s-cs", reference="photo"), self.pack, later)
        store.append("C-4", c4.version, events, row(evolve(c4, events)), [])
        hour = timedelta(hours=1)
        got = list(store.complaints_received(T0, T0 + 2 * hour))  # [from, until)
        assert [c.id for c in got] == ["C-1", "C-3", "C-2"]  # oldest first, ties by id
        assert got == [store.load(c.id) for c in got]
        assert list(store.complaints_received(T0 + 4 * hour, T0 + 9 * hour)) == []
        # touched since: the latest event at or after it (C-4 changed at 6 h, C-5 came at 3 h)
        touched = store.complaints_received(T0, T0 + 9 * hour, updated_since=T0 + 3 * hour)
        assert [c.id for c in touched] == ["C-4", "C-5"]
        touched = store.complaints_received(T0, T0 + 3 * hour, updated_since=T0 + 3 * hour)
        assert [c.id for c in touched] == ["C-4"]
        assert list(store.complaints_received(T0, T0 + 9 * hour, updated_since=later + hour)) == []
        counts = store.received_counts([T0, T0 + 2 * hour, T0 + 3 * hour])
        found = {
            (r.period, r.site, r.category, r.validity): (r.count, r.updated_at) for r in counts
        }
        assert found == {
            (0, "sunrise", "repairs", "valid"): (2, T0),
            (0, "moonlight", "repairs", "invalid"): (1, T0 + hour),
            (1, "sunrise", "noise", "valid"): (1, NOW + 5 * hour),  # C-5 is not before 3 h
        }
        assert all(r.kind == "c" and r.department == "" for r in counts)
        assert store.received_counts([T0]) == []
        assert store.received_counts([]) == []
        with pytest.raises(InvalidInputError):
            store.received_counts([T0 + hour, T0])
        with pytest.raises(NaiveDatetimeError):
            store.received_counts([datetime(2025, 1, 1), datetime(2025, 2, 1)])  # noqa: DTZ001
        other = self.store("bravo")
        assert isinstance(other, ReportStore)
        assert list(other.complaints_received(T0, T0 + 9 * hour)) == []
        assert other.received_counts([T0, T0 + 9 * hour]) == []

    def test_a_persons_complaints_of_a_period_are_found_alone(self) -> None:
        """PEN-2: the desk reads one person's month at every sanction."""
        store = self.store()
        if not isinstance(store, StaffMonthStore):
            pytest.skip(f"{type(store).__name__} is not a StaffMonthStore (optional)")
        guard = TargetPerson(staff_id="SR-302", rung="front_line", role="保安")
        day_guard = TargetPerson(staff_id="SR-303", rung="front_line", role="保安")
        specs = [("C-3", 0, guard), ("C-1", 0, guard), ("C-2", 1, day_guard), ("C-4", 2, None)]
        specs.append(("C-5", 3, guard))
        for cid, hours, target in specs:
            c = self.registered(cid, received=T0 + timedelta(hours=hours), target=target)
            store.create(c, self.row_of(c), [])
        hour = timedelta(hours=1)
        got = list(store.complaints_about("SR-302", T0, T0 + 3 * hour))  # [from, until)
        assert [c.id for c in got] == ["C-1", "C-3"]  # oldest first, ties by id
        assert got == [store.load(c.id) for c in got]
        assert [c.id for c in store.complaints_about("SR-302", T0, T0 + 4 * hour)] == [
            "C-1",
            "C-3",
            "C-5",
        ]
        assert [c.id for c in store.complaints_about("SR-303", T0, T0 + 4 * hour)] == ["C-2"]
        assert list(store.complaints_about("SR-302", T0 + 4 * hour, T0 + 9 * hour)) == []
        assert list(store.complaints_about("SR-999", T0, T0 + 9 * hour)) == []
        with pytest.raises(InvalidInputError) as bad:
            list(store.complaints_about("", T0, T0 + hour))
        assert bad.value.path == "staff_id"
        with pytest.raises(NaiveDatetimeError):
            list(store.complaints_about("SR-302", datetime(2025, 1, 1), T0))  # noqa: DTZ001
        other = self.store("bravo")
        assert isinstance(other, StaffMonthStore)
        assert list(other.complaints_about("SR-302", T0, T0 + 9 * hour)) == []

    def test_the_records_visited_in_a_period_are_found_by_their_visits(self) -> None:
        """VIS-4: a month's report asks for the records received before a time with a
        visit in the month, and decodes only those (review s56R3 F04).  A visit's time
        is compared as a time, whatever offset it was given."""
        store = self.store()
        if not isinstance(store, VisitStore):
            pytest.skip(f"{type(store).__name__} is not a VisitStore (optional)")
        start, end = datetime(2025, 12, 1, tzinfo=SH), datetime(2026, 1, 1, tzinfo=SH)
        tick = timedelta(microseconds=1)
        new_york = ZoneInfo("America/New_York")
        visits = {  # id: (received hours after T0, the visits' times)
            "C-3": (0, [start.astimezone(new_york)]),  # at the start, given in -05:00
            "C-1": (0, [start - tick]),  # the period's last microsecond before: not in it
            "C-2": (1, [start - timedelta(days=20), end - tick]),  # its second visit
            "C-4": (2, [end]),  # at the end: the next period's
            "C-5": (3, []),  # touched in the period, not visited
            "C-6": (4, [start + timedelta(days=3)]),  # received too late
        }
        for cid, (hours, times) in visits.items():
            c = self.registered(cid, received=T0 + timedelta(hours=hours))
            store.create(c, self.row_of(c), [])
            for when in times:
                c = store.load(cid)
                visit = Visited(at=when, actor="s-cs", satisfied=True, major_issue=True)
                store.append(cid, c.version, [visit], self.row_of(evolve(c, [visit])), [])
        self.attach(store, "C-5", "photo", now=start + timedelta(days=1))
        before = T0 + timedelta(hours=4)
        got = list(store.visited_between(start, end, received_before=before))
        assert [c.id for c in got] == ["C-3", "C-2"]  # oldest first, ties by id
        assert got == [store.load(c.id) for c in got]
        january = store.visited_between(end, end + timedelta(days=31), received_before=before)
        assert [c.id for c in january] == ["C-4"]
        later = list(store.visited_between(start, end, received_before=before + timedelta(hours=1)))
        assert [c.id for c in later] == ["C-3", "C-2", "C-6"]
        assert list(store.visited_between(start, end, received_before=T0)) == []
        with pytest.raises(NaiveDatetimeError):
            list(store.visited_between(datetime(2025, 12, 1), end, received_before=before))  # noqa: DTZ001
        other = self.store("bravo")
        assert isinstance(other, VisitStore)
        assert list(other.visited_between(start, end, received_before=before)) == []

    def test_complaints_streams_every_complaint_in_id_order(self) -> None:
        store = self.store()
        ids = [f"C-{i:04d}" for i in range(300)]  # more than one batch of a paging store
        for cid in reversed(ids):
            self.stored(store, cid)
        self.attach(store, "C-0257", "photo")
        seen = list(store.complaints())
        assert [c.id for c in seen] == ids
        assert seen[257].version == 2
        assert isinstance(seen[257].events[-1], EvidenceAttached)
        assert counted(store.verify()) == VerifyReport(complaints=300, events=301)

    def grouped_row(self, c: Complaint, **kw: Any) -> ComplaintRow:
        """A projection row with what grouping (HDL-5) reads: building, complainant key."""
        base: dict[str, Any] = {
            "category": "repairs",
            "building": "3",
            "complainant_key": f"k-{c.id}",
            "status": "in_handling",
        }
        base.update(kw)
        return attrs.evolve(self.row_of(c), **base)

    def test_open_similar_and_issue_rows_answer_the_grouping_queries(self) -> None:
        store = self.store()
        hour = timedelta(hours=1)
        rows: dict[str, dict[str, Any]] = {
            "C-1": {},
            "C-2": {"building": "5"},
            "C-3": {"category": "fees"},
            "C-4": {"status": "closed"},
            "C-5": {"issue": "I-C-1", "group_incident": True},
            "C-6": {},  # received too late
        }
        received = {"C-5": T0 + hour, "C-6": T0 + 9 * hour}
        for cid, kw in rows.items():
            c = self.registered(cid, received=received.get(cid, T0))
            store.create(c, self.grouped_row(c, **kw), [])
        found = store.open_similar(
            site="sunrise", category="repairs", since=T0 - hour, until=T0 + 2 * hour, building="3"
        )
        assert [(m.id, m.complainant, m.issue, m.incident) for m in found] == [
            ("C-1", "k-C-1", "", False),
            ("C-5", "k-C-5", "I-C-1", True),
        ]
        assert found[1].received_at == T0 + hour
        anywhere = store.open_similar(
            site="sunrise", category="repairs", since=T0 - hour, until=T0 + 2 * hour
        )
        assert [m.id for m in anywhere] == ["C-1", "C-2", "C-5"]  # a site-wide rule
        first = store.open_similar(
            site="sunrise", category="repairs", since=T0, until=T0 + 9 * hour, limit=1
        )
        assert [m.id for m in first] == ["C-1"]
        # closing takes a complaint out; linking it shows in the answer
        c1 = store.load("C-1")
        store.append("C-1", c1.version, (), self.grouped_row(c1, status="closed"), [])
        c2 = store.load("C-2")
        store.append("C-2", c2.version, (), self.grouped_row(c2, building="5", issue="I-C-1"), [])
        again = store.open_similar(
            site="sunrise", category="repairs", since=T0 - hour, until=T0 + 2 * hour
        )
        assert [(m.id, m.issue) for m in again] == [("C-2", "I-C-1"), ("C-5", "I-C-1")]
        assert [r.id for r in store.issue_rows("I-C-1")] == ["C-2", "C-5"]
        assert [r.id for r in store.rows(issue="I-C-1")] == ["C-2", "C-5"]
        assert store.issue_rows("I-nothing") == []
        with pytest.raises(InvalidInputError) as info:
            store.issue_rows("")
        assert info.value.path == "issue"
        with pytest.raises(NaiveDatetimeError):
            store.open_similar(
                site="sunrise",
                category="repairs",
                since=datetime(2025, 1, 1),  # noqa: DTZ001 - the point
                until=T0,
            )

    def test_open_similar_many_answers_each_question_as_open_similar_does(self) -> None:
        """HDL-5 in bulk: a batch's grouping questions asked at once get open_similar's answers."""
        store = self.store()
        if not isinstance(store, BatchIntakeStore):
            pytest.skip(f"{type(store).__name__} has no open_similar_many (bulk intake)")
        hour = timedelta(hours=1)
        rows: dict[str, tuple[datetime, dict[str, Any]]] = {
            "C-1": (T0, {}),
            "C-2": (T0, {"building": "5"}),
            "C-3": (T0, {"category": "fees"}),
            "C-4": (T0, {"status": "closed"}),  # closed: never a candidate
            "C-5": (T0 + hour, {"issue": "I-C-1", "group_incident": True}),
            "C-6": (T0 + 9 * hour, {}),
        }
        for cid, (received, kw) in rows.items():
            c = self.registered(cid, received=received)
            store.create(c, self.grouped_row(c, **kw), [])
        q = SimilarQuery
        questions = [
            q("sunrise", "repairs", T0 - hour, T0 + 2 * hour, building="3"),
            q("sunrise", "repairs", T0 - hour, T0 + 2 * hour),  # a site-wide rule
            q("sunrise", "repairs", T0, T0 + 9 * hour, limit=1),
            q("sunrise", "repairs", T0, T0 + 9 * hour, limit=0),
            q("sunrise", "fees", T0 - hour, T0 + hour),
            q("riverside", "repairs", T0 - hour, T0 + 9 * hour),
            q("sunrise", "repairs", T0 - hour, T0 + 9 * hour, building="3"),
        ]
        answers = store.open_similar_many(questions)
        assert [[m.id for m in a] for a in answers] == [
            ["C-1", "C-5"],
            ["C-1", "C-2", "C-5"],
            ["C-1"],
            [],
            ["C-3"],
            [],
            ["C-1", "C-5", "C-6"],
        ]
        assert answers[0][1] == Member("C-5", T0 + hour, "k-C-5", "I-C-1", True)
        for question, answer in zip(questions, answers, strict=True):
            assert answer == store.open_similar(**attrs.asdict(question, recurse=False))
        assert store.open_similar_many([]) == []
        with pytest.raises(NaiveDatetimeError):
            store.open_similar_many([q("sunrise", "repairs", datetime(2025, 1, 1), T0)])  # noqa: DTZ001

    def test_related_answers_earlier_complaints_by_person_room_and_matter(self) -> None:
        """IMP-3: the earlier complaints intake links a new one to."""
        store = self.store()
        day = timedelta(days=1)
        rows: dict[str, tuple[datetime, dict[str, Any]]] = {
            "P-1": (T0 - 40 * day, {"complainant_key": "aaaaaa", "building": "9"}),
            "P-2": (T0 - 100 * day, {"complainant_key": "aaaaaa"}),  # too long ago
            "P-3": (T0 - 5 * day, {"complainant_key": "aaaaaa", "site": "riverside"}),
            "R-1": (T0 - 10 * day, {"room_key": "bbbbbb", "status": "closed"}),  # closed counts
            # same building and category, assessed as an enquiry (VAL-4: linking reads it)
            "M-1": (T0 - 3 * day, {"kind": "enquiry", "validity": "valid"}),
            "M-2": (T0 - 20 * day, {}),  # same matter, but before its window
            "M-3": (T0 - 2 * day, {"category": "fees"}),
            "L-1": (T0 + day, {"complainant_key": "aaaaaa"}),  # after the new one
        }
        for cid, (received, kw) in rows.items():
            site = kw.pop("site", "sunrise")
            c = self.registered(cid, received=received, site=site)
            row = self.grouped_row(c, **{"complainant_key": "zzzzzz", **kw})
            store.create(c, attrs.evolve(row, site=site), [])
        window: dict[str, Any] = {"site": "sunrise", "since": T0 - 90 * day, "until": T0}
        found = store.related(
            **window,
            complainant_key="aaaaaa",
            room_key="bbbbbb",
            building="3",
            category="repairs",
            matter_since=T0 - 14 * day,
        )
        assert [e.id for e in found] == ["M-1", "R-1", "P-1"]  # most recent first
        assert {e.id: (e.complainant_key, e.room_key, e.status) for e in found} == {
            "M-1": ("zzzzzz", "", "in_handling"),
            "R-1": ("zzzzzz", "bbbbbb", "closed"),
            "P-1": ("aaaaaa", "", "in_handling"),
        }
        # what each record was assessed as (VAL-4): an enquiry is no earlier raising
        assert {e.id: (e.validity, e.kind) for e in found} == {
            "M-1": ("valid", "enquiry"),
            "R-1": ("", ""),
            "P-1": ("", ""),
        }
        assert found[0].received_at == T0 - 3 * day
        # each kind only when asked; a limit per kind
        assert [e.id for e in store.related(**window, room_key="bbbbbb")] == ["R-1"]
        assert store.related(**window) == []
        later = store.related(
            site="sunrise",
            since=T0 - 90 * day,
            until=T0 + 2 * day,
            complainant_key="aaaaaa",
            limit=1,
        )
        assert [e.id for e in later] == ["L-1"]
        # one complaint matching in several ways is answered once
        both = store.related(**window, complainant_key="zzzzzz", room_key="bbbbbb")
        assert [e.id for e in both].count("R-1") == 1
        # the projection follows appends: a new room key is found, the old one is not
        r1 = store.load("R-1")
        moved = self.grouped_row(r1, complainant_key="zzzzzz", room_key="cccccc", status="closed")
        store.append("R-1", r1.version, (), moved, [])
        assert store.related(**window, room_key="bbbbbb") == []
        assert [e.id for e in store.related(**window, room_key="cccccc")] == ["R-1"]
        with pytest.raises(NaiveDatetimeError):
            store.related(
                site="sunrise",
                since=datetime(2025, 1, 1),  # noqa: DTZ001 - the point
                until=T0,
                room_key="x",
            )

    def test_related_many_answers_each_question_as_related_does(self) -> None:
        """IMP-3 in bulk: a batch's questions asked at once get related's answers."""
        store = self.store()
        if not isinstance(store, BatchIntakeStore):
            pytest.skip(f"{type(store).__name__} has no related_many (bulk intake)")
        day = timedelta(days=1)
        rows: dict[str, tuple[datetime, dict[str, Any]]] = {
            "P-1": (T0 - 40 * day, {"complainant_key": "aaaaaa", "room_key": "bbbbbb"}),
            "P-2": (T0 - 100 * day, {"complainant_key": "aaaaaa"}),  # too long ago
            "P-3": (T0 - 5 * day, {"complainant_key": "aaaaaa", "site": "riverside"}),
            "R-1": (T0 - 10 * day, {"room_key": "bbbbbb", "status": "closed"}),
            "M-1": (T0 - 3 * day, {}),  # same building and category
            "M-2": (T0 - 20 * day, {}),  # same matter, before its window
            # three at one instant: a cut at two keeps the later stored ones
            "T-1": (T0 - 7 * day, {"complainant_key": "cccccc"}),
            "T-2": (T0 - 7 * day, {"complainant_key": "cccccc"}),
            "T-3": (T0 - 7 * day, {"complainant_key": "cccccc"}),
        }
        for cid, (received, kw) in rows.items():
            site = kw.pop("site", "sunrise")
            c = self.registered(cid, received=received, site=site)
            row = self.grouped_row(c, **{"complainant_key": "zzzzzz", **kw})
            store.create(c, attrs.evolve(row, site=site), [])
        since, matter = T0 - 90 * day, T0 - 14 * day
        questions = [
            RelatedQuery("sunrise", since, T0, complainant_key="aaaaaa", room_key="bbbbbb"),
            RelatedQuery(
                "sunrise", since, T0, building="3", category="repairs", matter_since=matter
            ),
            RelatedQuery("sunrise", since, T0, complainant_key="cccccc", limit=2),
            RelatedQuery("sunrise", since, T0, complainant_key="cccccc", limit=0),
            RelatedQuery("sunrise", since, T0),  # nothing to match on
            RelatedQuery("riverside", since, T0, complainant_key="aaaaaa"),
            RelatedQuery("sunrise", T0 - 12 * day, T0 - 4 * day, complainant_key="zzzzzz"),
            RelatedQuery("sunrise", since, T0, complainant_key="aaaaaa", room_key="bbbbbb"),
        ]
        answers = store.related_many(questions)
        assert [e.id for e in answers[0]] == ["R-1", "P-1"]  # P-1 found twice: once
        assert [e.id for e in answers[1]] == ["M-1", "T-3", "T-2", "T-1", "R-1"]
        assert [e.id for e in answers[2]] == ["T-3", "T-2"]
        assert answers[3] == answers[4] == []
        assert [e.id for e in answers[5]] == ["P-3"]
        for q, answer in zip(questions, answers, strict=True):
            assert answer == store.related(**attrs.asdict(q, recurse=False)), q
        assert store.related_many([]) == []
        with pytest.raises(NaiveDatetimeError):
            store.related_many(
                [RelatedQuery("sunrise", datetime(2025, 1, 1), T0, room_key="x")]  # noqa: DTZ001
            )
        with pytest.raises(InvalidInputError) as bad:
            store.related_many([RelatedQuery("sunrise", since, T0, room_key="x", limit=-1)])
        assert bad.value.path == "limit"

    def test_raisings_many_counts_every_earlier_raising_of_a_matter(self) -> None:
        """GRD-2: a store that counts a matter's earlier raisings counts each once,
        past any limit of ``related``: by person, or by room (whatever the row's
        building: the room key holds the building, review s50H F05), or by matter
        when asked; of one category and site, within the window, never a record
        known not to be a complaint (VAL-4)."""
        store = self.store()
        if not isinstance(store, RaisingsStore):
            pytest.skip(f"{type(store).__name__} has no raisings_many")
        day = timedelta(days=1)
        rows: dict[str, tuple[datetime, dict[str, Any]]] = {
            "P-1": (T0 - 40 * day, {"complainant_key": "aaaaaa"}),
            "P-2": (T0 - 100 * day, {"complainant_key": "aaaaaa"}),  # too long ago
            "P-3": (T0 - 5 * day, {"complainant_key": "aaaaaa", "site": "riverside"}),
            "P-4": (T0 - 6 * day, {"complainant_key": "aaaaaa", "category": "fees"}),
            "P-5": (T0 - 7 * day, {"complainant_key": "aaaaaa", "validity": "invalid"}),
            "P-6": (T0 - 8 * day, {"complainant_key": "aaaaaa", "kind": "request"}),
            "R-1": (T0 - 10 * day, {"room_key": "bbbbbb", "status": "closed"}),
            # the room's building field left blank (its key made of the room's building)
            "R-2": (T0 - 11 * day, {"room_key": "bbbbbb", "building": ""}),
            "B-1": (T0 - 12 * day, {"complainant_key": "aaaaaa", "room_key": "bbbbbb"}),
            "M-1": (T0 - 3 * day, {}),  # the same building and category only
            "L-1": (T0 + day, {"complainant_key": "aaaaaa"}),  # after the new one
        }
        for cid, (received, kw) in rows.items():
            site = kw.pop("site", "sunrise")
            c = self.registered(cid, received=received, site=site)
            row = self.grouped_row(c, **{"complainant_key": "zzzzzz", **kw})
            store.create(c, attrs.evolve(row, site=site), [])
        since, matter = T0 - 90 * day, T0 - 14 * day
        both = RaisingsQuery(
            "sunrise", "repairs", since, T0, complainant_key="aaaaaa", room_key="bbbbbb",
            building="3",
        )  # fmt: skip
        questions = [
            both,  # P-1, R-1, R-2, B-1 (found twice, counted once)
            attrs.evolve(both, matter_since=matter),  # and M-1
            attrs.evolve(both, limit=2),
            RaisingsQuery("sunrise", "repairs", since, T0, complainant_key="aaaaaa"),
            RaisingsQuery("sunrise", "fees", since, T0, complainant_key="aaaaaa"),
            RaisingsQuery("sunrise", "repairs", since, T0),  # nothing to match on
            RaisingsQuery("riverside", "repairs", since, T0, complainant_key="aaaaaa"),
            attrs.evolve(both, until=T0 + 2 * day),  # and L-1
        ]
        assert store.raisings_many(questions) == [4, 5, 2, 2, 1, 0, 1, 5]
        assert store.raisings_many([]) == []
        with pytest.raises(NaiveDatetimeError):
            store.raisings_many(
                [RaisingsQuery("sunrise", "repairs", datetime(2025, 1, 1), T0, room_key="x")]  # noqa: DTZ001
            )
        with pytest.raises(InvalidInputError) as bad:
            store.raisings_many([attrs.evolve(both, limit=-1)])
        assert bad.value.path == "limit"

    def test_a_window_reaching_back_before_1970_is_read_from_the_earliest_time(self) -> None:
        """IMP-3, HDL-5: a complaint received early in 1970 looks back into 1969; the
        window starts at the earliest stored time instead of being refused as a typo
        naming ``since``, a field nobody gave (review s31C F07)."""
        store = self.store()
        # 00:30 on 1 January 1970 in Shanghai: 16:30 on 31 December 1969 in UTC
        first = datetime(1970, 1, 1, 0, 30, tzinfo=SH)
        c = self.registered("E-1", received=first)
        store.create(c, self.grouped_row(c, complainant_key="aaaaaa", room_key="bbbbbb"), [])
        t = datetime(1970, 1, 2, 10, 0, tzinfo=SH)
        since = datetime(1969, 10, 4, 10, 0, tzinfo=SH)  # 90 days before t
        found = store.related(
            site="sunrise",
            since=since,
            until=t,
            complainant_key="aaaaaa",
            building="3",
            category="repairs",
            matter_since=datetime(1969, 12, 3, 10, 0, tzinfo=SH),  # 30 days before t
        )
        assert [e.id for e in found] == ["E-1"]
        similar = store.open_similar(
            site="sunrise", category="repairs", since=datetime(1969, 12, 30, tzinfo=SH), until=t
        )
        assert [m.id for m in similar] == ["E-1"]
        if isinstance(store, BatchIntakeStore):
            asked = RelatedQuery("sunrise", since, t, room_key="bbbbbb")
            assert [[e.id for e in a] for a in store.related_many([asked])] == [["E-1"]]
            grouped = SimilarQuery("sunrise", "repairs", datetime(1969, 12, 30, tzinfo=SH), t)
            assert [[m.id for m in a] for a in store.open_similar_many([grouped])] == [["E-1"]]

    # ------------------------------------------------------------------ outbox

    def test_outbox_pending_delivered_failed_and_dedupe(self) -> None:
        store = self.store()
        c = self.registered("C-1")
        note = self.note
        store.create(
            c,
            self.row_of(c),
            [("email", note("reg")), ("sms", note("reg")), ("email", note("reg"))],
        )
        self.attach(store, "C-1", "photo")
        store.append(
            "C-1",
            2,
            [],
            self.row_of(store.load("C-1")),
            [("email", note("reg")), ("email", note("later", at=NOW))],
        )
        items = store.pending(NOW)
        assert [(i.notifier, i.notification.key) for i in items] == [
            ("email", "reg"),
            ("sms", "reg"),
            ("email", "later"),
        ]
        assert items[0].notification == note("reg")
        assert (items[0].attempts, items[0].next_attempt_at) == (0, None)
        assert [i.id for i in store.pending(NOW, limit=1)] == [items[0].id]

        retry_at = NOW + timedelta(minutes=10)
        store.mark_failed(items[0].id, "smtp 451", retry_at)
        assert [i.id for i in store.pending(NOW)] == [items[1].id, items[2].id]
        again = store.pending(retry_at)
        assert again[0].id == items[0].id
        assert (again[0].attempts, again[0].last_error) == (1, "smtp 451")
        assert again[0].next_attempt_at == retry_at

        store.mark_delivered(items[0].id, retry_at)
        store.mark_delivered(items[0].id, retry_at + timedelta(1))  # idempotent
        store.mark_failed(items[0].id, "late failure", retry_at)  # ignored once delivered
        assert [i.id for i in store.pending(retry_at)] == [items[1].id, items[2].id]
        missing = max(i.id for i in items) + 10_000
        with pytest.raises(InvalidInputError):
            store.mark_delivered(missing, NOW)
        with pytest.raises(InvalidInputError):
            store.mark_failed(missing, "x", NOW)
        with pytest.raises(NaiveDatetimeError):
            store.pending(datetime(2025, 1, 1))  # noqa: DTZ001 - the point

    def test_an_error_holding_a_nul_or_a_lone_surrogate_is_still_counted(self) -> None:
        """A channel's reply may carry a NUL (PostgreSQL stores none) or bytes that are
        not text: the failed attempt is counted all the same, the text escaped."""
        store = self.store()
        c = self.registered("C-1")
        store.create(c, self.row_of(c), [("email", self.note("a")), ("sms", self.note("a"))])
        first, second = store.pending(NOW)
        retry_at = NOW + timedelta(minutes=10)
        store.mark_failed(first.id, "errmsg: bad\x00reply", retry_at)
        store.mark_failed(second.id, "errmsg: \udcff", retry_at)
        again = {i.id: i for i in store.pending(retry_at)}
        assert (again[first.id].attempts, again[first.id].last_error) == (
            1,
            "errmsg: bad\\x00reply",
        )
        assert (again[second.id].attempts, again[second.id].last_error) == (1, "errmsg: \\udcff")

    def test_claim_leases_items_until_settled_or_the_lease_ends(self) -> None:
        store = self.store()
        c = self.registered("C-1")
        store.create(
            c,
            self.row_of(c),
            [("email", self.note("a")), ("sms", self.note("a")), ("email", self.note("b"))],
        )
        first = store.claim(NOW, 10, notifiers={"email"}, lease=LEASE)
        assert [(i.notifier, i.notification.key) for i in first] == [
            ("email", "a"),
            ("email", "b"),
        ]
        assert store.claim(NOW, 10, notifiers={"email"}, lease=LEASE) == []  # taken
        assert [i.notifier for i in store.claim(NOW, 10, lease=LEASE)] == ["sms"]
        store.mark_delivered(first[0].id, NOW)
        store.mark_failed(first[1].id, "down", NOW + timedelta(minutes=1))
        retry = store.claim(NOW + timedelta(minutes=1), 10, notifiers={"email"}, lease=LEASE)
        assert [i.notification.key for i in retry] == ["b"]
        assert retry[0].attempts == 1
        # the lease runs on the store's clock: a worker at a later ``now`` takes nothing
        assert store.claim(NOW + timedelta(minutes=7), 10, lease=LEASE) == []
        store.mark_failed(retry[0].id, "down", NOW + timedelta(minutes=2))
        # a worker that died holding an item only delays it by the lease (here none)
        died = store.claim(NOW + timedelta(minutes=2), 10, notifiers={"email"}, lease=ZERO)
        late = store.claim(NOW + timedelta(minutes=2), 10, notifiers={"email"}, lease=LEASE)
        assert [i.id for i in late] == [i.id for i in died] == [retry[0].id]
        store.mark_failed(retry[0].id, "down", NOW + timedelta(minutes=2))  # a third attempt
        later = NOW + timedelta(hours=1)
        assert store.claim(later, 10, notifiers={"email"}, max_attempts=3) == []
        assert len(store.claim(later, 10, notifiers={"email"}, max_attempts=4)) == 1

    def test_a_claim_with_a_retry_limit_takes_the_due_messages_by_due_time(self) -> None:
        """A delivery pass's claim (with ``max_attempts``) reads only the messages
        still tried, and takes the due ones by the time each became due: a retry at
        its retry time, a never-tried message at the time it was queued, then by id.
        Dead letters are neither taken nor read (review s50O F01), and a retry is
        not left behind every newer message (review s51R3 F01: the claim took the
        fewest attempts first, so a retry waited as long as new messages came)."""
        store = self.store()
        c = self.registered("C-1")
        minute = timedelta(minutes=1)
        queued = [("o", T0), ("a", T0), ("b", T0), ("d", T0 + 15 * minute), ("e", T0)]
        store.create(
            c,
            self.row_of(c),
            [("email", self.note(k, at=at)) for k, at in [*queued, ("f", T0)]],
        )
        _, a, b, _, e, f = store.claim(NOW, 10, lease=ZERO)
        store.mark_failed(a.id, "down", T0 + 5 * minute)
        store.mark_failed(a.id, "down", T0 + 10 * minute)  # two attempts, due at :40
        store.mark_failed(b.id, "down", T0 + 20 * minute)  # one attempt, due at :50
        for _ in range(3):
            store.mark_failed(e.id, "down", T0 + minute)  # a dead letter at 3
        store.mark_failed(f.id, "down", NOW + timedelta(hours=1))  # not due yet
        taken = store.claim(NOW, 10, lease=LEASE, max_attempts=3)
        # o queued at 9:30, a due at 9:40, d queued at 9:45, b due at 9:50
        assert [(i.notification.key, i.attempts) for i in taken] == [
            ("o", 0),
            ("a", 2),
            ("d", 0),
            ("b", 1),
        ]
        assert [i.notification.key for i in store.dead_letters(3)] == ["e"]
        # without a limit (pending) the order stays the order queued
        later = NOW + timedelta(hours=2)
        assert [i.notification.key for i in store.pending(later)] == ["e", "f"]

    def test_a_retry_due_is_claimed_while_more_new_messages_come_than_a_claim_takes(
        self,
    ) -> None:
        """Review s51R3 F01: with more messages queued between two passes than a pass
        takes, a message that failed once was never claimed again.  Its retry is due
        a minute after its failure; the first claim after that takes it first."""
        store = self.store()
        c = self.registered("C-0")
        store.create(c, self.row_of(c), [("email", self.note("r", "C-0"))])
        [r] = store.claim(T0, 1, lease=ZERO, max_attempts=5)
        store.mark_failed(r.id, "down", T0 + timedelta(minutes=1))
        taken: list[list[str]] = []
        for n in range(1, 4):  # a pass every five minutes, three new messages before each
            at = T0 + timedelta(minutes=5 * n)
            c = self.registered(f"C-{n}", received=at)
            notes = [("email", self.note(f"{n}{k}", c.id, at)) for k in "xyz"]
            store.create(c, self.row_of(c), notes)
            claimed = store.claim(at, 2, lease=LEASE, max_attempts=5)
            for item in claimed:
                store.mark_delivered(item.id, at)
            taken.append([i.notification.key for i in claimed])
        assert taken == [["r", "1x"], ["1y", "1z"], ["2x", "2y"]]

    def test_a_claim_holds_whatever_now_another_worker_claims_at(self) -> None:
        """A claim is kept on the store's own clock, not on the ``now`` its claimer
        passed: a worker whose ``now`` runs ahead (a host's clock minutes off, a
        run with ``--now``) or behind (a catch-up) takes nothing another holds,
        and a retry or drop by hand is refused (review s46C F01: a worker more
        than the lease ahead sent every claimed message a second time)."""
        store = self.store()
        c = self.registered("C-1")
        store.create(c, self.row_of(c), [("email", self.note("a")), ("email", self.note("b"))])
        [a] = store.claim(NOW, 1, lease=LEASE)
        ahead, behind = NOW + LEASE + timedelta(minutes=1), NOW - timedelta(days=30)
        assert [i.notification.key for i in store.pending(ahead)] == ["b"]
        assert [i.notification.key for i in store.pending(behind)] == ["b"]  # never tried
        [b] = store.claim(NOW + timedelta(days=30), 10, lease=LEASE)  # a month ahead
        assert b.notification.key == "b"
        assert store.claim(ahead, 10, lease=LEASE) == []
        assert store.claim(behind, 10, lease=LEASE) == []
        by_hand: list[Callable[[], None]] = [
            lambda: store.retry_item(a.id, NOW + timedelta(days=30)),
            lambda: store.drop_item(b.id, NOW + timedelta(days=30), "stale"),
            lambda: store.retry_item(b.id, behind),
        ]
        for refused in by_hand:
            with pytest.raises(InvalidInputError, match="being sent"):
                refused()
        store.mark_delivered(a.id, NOW)
        store.mark_delivered(b.id, NOW)
        assert store.pending(NOW + timedelta(days=60)) == []
        assert store.verify().ok

    def test_racing_claims_never_hand_out_an_item_twice(self) -> None:
        store = self.store()
        c = self.registered("C-1")
        store.create(c, self.row_of(c), [("email", self.note(f"n{i}")) for i in range(60)])
        taken: list[int] = []
        errors: list[BaseException] = []
        lock = threading.Lock()
        barrier = threading.Barrier(4)

        def worker(_tag: str) -> None:
            try:
                barrier.wait(30)
                while True:
                    got = store.claim(NOW, 3, lease=LEASE)
                    if not got:
                        return
                    with lock:
                        taken.extend(i.id for i in got)
                    for item in got:
                        store.mark_delivered(item.id, NOW)
            except BaseException as exc:  # reported below
                errors.append(exc)

        _run_threads(worker, ["a", "b", "c", "d"])
        assert not errors, errors
        assert len(taken) == 60
        assert len(set(taken)) == 60
        assert store.pending(NOW + LEASE * 2) == []

    # ------------------------------------------------------------------ sweep claims

    def test_claim_due_leases_due_rows_until_an_append_or_the_lease_ends(self) -> None:
        store = self.store()
        for cid, hours in (("C-1", 2), ("C-2", 1), ("C-3", 5), ("C-4", None)):
            due = None if hours is None else T0 + timedelta(hours=hours)
            self.stored(store, cid, next_due=due)
        at = T0 + timedelta(hours=3)
        first = store.claim_due(at, 1, lease=LEASE)
        assert [r.id for r in first] == ["C-2"]  # soonest due first
        assert [r.id for r in store.claim_due(at, 10, lease=LEASE)] == ["C-1"]
        assert store.claim_due(at, 10, lease=LEASE) == []  # both taken, the rest not due
        assert [r.id for r in store.rows(due_before=at)] == ["C-2", "C-1"]  # rows ignore leases
        # An append ends the lease (the row is due, or not, afresh) ...
        self.attach(store, "C-2", "photo", next_due=T0 + timedelta(hours=1))
        again = store.claim_due(at, 10, lease=LEASE)
        assert [(r.id, r.version) for r in again] == [("C-2", 2)]
        # ... and a sweeper that died holding a row only delays it by the lease.
        expired = store.claim_due(at + LEASE, 10, lease=LEASE)
        assert [r.id for r in expired] == ["C-2", "C-1"]
        with pytest.raises(NaiveDatetimeError):
            store.claim_due(datetime(2025, 1, 1))  # noqa: DTZ001 - the point

    def test_claim_due_takes_equal_due_times_by_time_received_then_id(self) -> None:
        """A day's complaints often fall due at one instant (17:00 of a working day):
        claimed as ``rows(order="due")`` lists them, by time received, then id, so
        every store sweeps them, and queues their messages, in one order."""
        store = self.store()
        due = T0 + timedelta(hours=2)
        for cid, received, next_due in (
            ("C-1", T0 - timedelta(minutes=1), due),
            ("C-0", T0 - timedelta(minutes=1), due),  # received with C-1: by id
            ("C-2", T0 - timedelta(minutes=3), due),  # received first, id after C-0, C-1
            ("C-3", T0 - timedelta(minutes=2), due),
            ("C-9", T0, due - timedelta(minutes=1)),  # received last, due first
        ):
            c = self.registered(cid, received=received)
            store.create(c, self.row_of(c, next_due=next_due), [])
        at = due + timedelta(hours=1)
        listed = [r.id for r in store.rows(due_before=at, order="due")]
        assert listed == ["C-9", "C-2", "C-3", "C-0", "C-1"]
        one_by_one = [r.id for _ in listed for r in store.claim_due(at, 1, lease=LEASE)]
        assert one_by_one == listed
        assert [r.id for r in store.claim_due(at + LEASE, 10, lease=LEASE)] == listed

    def test_claim_due_ignores_a_lease_no_claim_could_have_taken(self) -> None:
        """A stored lease ending after ``now + MAX_SWEEP_LEASE`` (an edited row, here
        one leased by a sweeper whose clock ran a month ahead) hides nothing."""
        store = self.store()
        for cid in ("C-1", "C-2"):
            self.stored(store, cid, next_due=T0 + timedelta(hours=1))
        at = T0 + timedelta(hours=3)
        ahead = at + timedelta(days=30)
        assert [r.id for r in store.claim_due(ahead, 1, lease=LEASE)] == ["C-1"]
        if isinstance(store, HealthStore):
            assert store.overlong_leases(at) == ["C-1"]
            assert store.overlong_leases(ahead) == []
        taken = store.claim_due(at, 10, lease=MAX_SWEEP_LEASE)
        assert [r.id for r in taken] == ["C-1", "C-2"]  # C-1 as if it had no lease
        assert store.claim_due(at, 10, lease=LEASE) == []  # the longest lease is honoured
        if isinstance(store, HealthStore):
            assert store.overlong_leases(at) == []
        for lease in (MAX_SWEEP_LEASE + timedelta(seconds=1), timedelta(seconds=-1)):
            with pytest.raises(InvalidInputError):
                store.claim_due(at, 10, lease=lease)

    def test_a_stopped_sweep_hands_back_the_rows_it_did_not_sweep(self) -> None:
        """A sweep stopped part-way (Ctrl-C, a cron job's timeout) ends the leases of the
        complaints it claimed and did not sweep: the next sweep takes them at once,
        not after the lease (review s46C F03).  Unknown ids and rows without a lease
        are passed over; another tenant's rows are not touched."""
        store = self.store()
        if not isinstance(store, SweepLeaseStore):
            pytest.skip(f"{type(store).__name__} is not a SweepLeaseStore (optional)")
        for cid in ("C-1", "C-2", "C-3"):
            self.stored(store, cid, next_due=T0 + timedelta(hours=1))
        at = T0 + timedelta(hours=3)
        assert [r.id for r in store.claim_due(at, 10, lease=LEASE)] == ["C-1", "C-2", "C-3"]
        other = self.store("bravo")
        assert isinstance(other, SweepLeaseStore)
        other.release_due(["C-2", "C-3"])  # not its rows: nothing changes
        assert store.claim_due(at, 10, lease=LEASE) == []
        store.release_due(["C-2", "C-3", "C-9"])
        store.release_due([])
        assert [r.id for r in store.claim_due(at, 10, lease=LEASE)] == ["C-2", "C-3"]
        with pytest.raises(InvalidInputError):
            store.release_due("C-1")  # one id, not a list of them

    def test_racing_sweepers_claim_each_due_row_once(self) -> None:
        store = self.store()
        for i in range(40):
            self.stored(store, f"C-{i:02d}", next_due=T0 + timedelta(minutes=i))
        taken: list[str] = []
        errors: list[BaseException] = []
        lock = threading.Lock()
        barrier = threading.Barrier(4)

        def sweeper(_tag: str) -> None:
            try:
                barrier.wait(30)
                while got := store.claim_due(NOW, 3, lease=LEASE):
                    with lock:
                        taken.extend(r.id for r in got)
            except BaseException as exc:  # reported below
                errors.append(exc)

        _run_threads(sweeper, ["a", "b", "c", "d"])
        assert not errors, errors
        assert sorted(taken) == [f"C-{i:02d}" for i in range(40)]

    # ------------------------------------------------------------------ event versions

    def test_each_event_keeps_its_schema_version_and_old_ones_are_upcast(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from complaintcore import event_versions

        store = self.store()
        self.stored(store, "C-1")
        self.attach(store, "C-1", "photo-v1")  # stored as version 1
        registry = event_versions.EventVersions()

        @registry.register("evidence_attached", from_version=1)
        def _mark(body: Any) -> dict[str, Any]:
            return {**body, "reference": body["reference"] + " (was v1)"}

        monkeypatch.setattr(event_versions, "EVENT_VERSIONS", registry)
        self.attach(store, "C-1", "photo-v2")  # stored as version 2
        refs = [e.reference for e in store.load("C-1").events if isinstance(e, EvidenceAttached)]
        assert refs == ["photo-v1 (was v1)", "photo-v2"]
        assert counted(store.verify()) == VerifyReport(complaints=1, events=3)
        assert [c.id for c in store.complaints()] == ["C-1"]

    # ------------------------------------------------------------------ verify

    def test_verify_a_clean_store(self) -> None:
        store = self.store()
        assert store.verify().ok
        for cid in ("C-1", "C-2"):
            self.stored(store, cid)
        self.attach(store, "C-1", "a")
        self.attach(store, "C-1", "b")
        assert counted(store.verify()) == VerifyReport(complaints=2, events=4)

    def _history(self, store: ComplaintStore) -> None:
        self.stored(store, "C-1")
        self.stored(store, "C-2")
        for i in range(3):
            self.attach(store, "C-1", f"photo-{i}")
        assert store.verify().ok

    def test_verify_finds_an_edited_event(self) -> None:
        store = self.store()
        self._history(store)
        self.tamper(store, "edit_event", "C-1", 3)
        report = store.verify()
        assert report.problems == (
            "complaint C-1 event 3: hash does not match its content (edited)",
        )

    def test_verify_finds_a_deleted_last_event(self) -> None:
        store = self.store()
        self._history(store)
        self.tamper(store, "delete_last_event", "C-1")
        assert store.verify().problems == (
            "complaint C-1: projection says version 4 but 3 events are stored "
            "(events deleted or projection stale)",
            "complaint C-1: the ledger's last commit has version 4 but 3 events are stored"
            " (events added or deleted)",
        )

    def test_verify_finds_an_edited_intake_without_leaking_it(self) -> None:
        store = self.store()
        self._history(store)
        self.tamper(store, "edit_intake", "C-1")
        report = store.verify()
        assert report.problems == (
            "complaint C-1 event 1: does not link to the intake (edited or deleted)",
        )
        assert not any(pii in str(report) for pii in ("138", "王小明", "1201"))

    # ------------------------------------------------------------------ the ledger

    def test_the_ledger_head_moves_with_every_commit_and_a_kept_head_holds(self) -> None:
        store = self.store()
        assert store.ledger_head() == "0:"
        assert store.verify().head == "0:"
        self.stored(store, "C-1")
        first = store.ledger_head()
        assert first.startswith("1:")
        self.attach(store, "C-1", "photo")
        messages = [("email", self.note("later"))]
        store.append("C-1", 2, [], self.row_of(store.load("C-1")), messages)  # messages alone
        head = store.ledger_head()
        assert head.startswith("3:")
        assert head != first
        report = store.verify(expect=first)
        assert report.ok
        assert report.head == head
        assert store.verify(expect=head).ok
        assert store.verify(expect="0:").ok  # the empty ledger is every ledger's start
        forged = "1:" + "0" * 64
        assert store.verify(expect=forged).problems == (
            "ledger entry 1: differs from the kept head (the ledger was rewritten)",
        )
        assert store.verify(expect="9:" + "a" * 64).problems == (
            "ledger entry 9: the kept head is beyond the ledger's end (entries deleted)",
        )
        with pytest.raises(InvalidInputError):
            store.verify(expect="yesterday's head")
        other = self.store("bravo")  # each tenant has a ledger of its own
        assert other.ledger_head() == "0:"
        self.stored(other, "C-1")
        assert other.ledger_head().startswith("1:")
        assert other.ledger_head() != first
        assert store.ledger_head() == head

    def test_incremental_verify_checks_what_was_committed_since_a_kept_head(self) -> None:
        store = self.store()
        self.stored(store, "C-1")
        self.stored(store, "C-2")
        first = store.ledger_head()
        self.attach(store, "C-1", "photo")
        checkpoint = store.verify().head
        assert store.verify(since=checkpoint) == VerifyReport(
            complaints=0, events=0, head=checkpoint, since=checkpoint, entries=1
        )
        self.attach(store, "C-2", "a")
        self.attach(store, "C-2", "b")
        self.stored(store, "C-3")
        report = store.verify(since=checkpoint)
        assert report.ok
        assert report.incremental
        assert report.rechecked == ("C-2", "C-3")
        assert (report.complaints, report.events, report.entries) == (2, 4, 4)
        assert report.head == store.ledger_head() == store.verify().head
        assert not store.verify().incremental
        assert store.verify(since="0:").rechecked == ("C-1", "C-2", "C-3")
        assert store.verify(since=checkpoint, expect=first).rechecked == ("C-1", "C-2", "C-3")
        seq = int(checkpoint.split(":")[0])
        assert store.verify(since=f"{seq}:{'0' * 64}").problems == (
            f"ledger entry {seq}: differs from the kept head (the ledger was rewritten)",
        )
        assert store.verify(since="99:" + "a" * 64).problems == (
            "ledger entry 99: the kept head is beyond the ledger's end (entries deleted)",
        )
        with pytest.raises(InvalidInputError) as err:
            store.verify(since="this morning")
        assert err.value.path == "since"

    def test_incremental_verify_rechecks_a_touched_complaint_whole(self) -> None:
        store = self.store()
        self._history(store)
        checkpoint = store.verify().head
        self.attach(store, "C-1", "photo-late")
        self.tamper(store, "edit_event", "C-1", 2)  # before the checkpoint, touched since
        assert store.verify(since=checkpoint).problems == (
            "complaint C-1 event 2: hash does not match its content (edited)",
        )

    def test_incremental_verify_leaves_an_untouched_complaint_to_the_full_check(self) -> None:
        store = self.store()
        self._history(store)
        checkpoint = store.verify().head
        self.attach(store, "C-1", "photo-late")
        self.tamper(store, "edit_intake", "C-2")  # not committed to since the checkpoint
        assert store.verify(since=checkpoint).ok
        assert store.verify().problems == (
            "complaint C-2 event 1: does not link to the intake (edited or deleted)",
        )

    def test_a_snapshot_reads_one_moment_while_another_store_writes(self) -> None:
        """REC-5: a full check run beside an import or a sweep must not take their
        commits for tampering, so a :class:`SnapshotStore` reads one moment."""
        reader = self.store()
        if not isinstance(reader, SnapshotStore):
            pytest.skip(f"{type(reader).__name__} is not a SnapshotStore (optional)")
        writer = self.store()  # another connection to the same database
        self._history(writer)  # C-1: 4 events, C-2: 1
        head = reader.ledger_head()
        with reader.snapshot():
            assert reader.load("C-1").version == 4
            self.attach(writer, "C-1", "photo-late")  # committed meanwhile ...
            self.stored(writer, "C-3")
            assert reader.load("C-1").version == 4  # ... and not seen
            assert reader.row("C-1").version == 4
            assert [r.id for r in reader.rows()] == ["C-1", "C-2"]
            assert reader.ledger_head() == head
            assert counted(reader.verify()) == VerifyReport(complaints=2, events=5)
            with reader.snapshot():  # nested: the outer one holds
                assert reader.load("C-1").version == 4
            with pytest.raises(InvalidInputError) as err:
                self.attach(reader, "C-2", "written from inside")
            assert err.value.path == "store"
        assert reader.load("C-1").version == 5
        assert reader.load("C-2").version == 1  # the refused write wrote nothing
        assert counted(reader.verify()) == VerifyReport(complaints=3, events=7)

    def test_row_reads_one_projection_row(self) -> None:
        store = self.store()
        c = self.stored(store, "C-1", grade="minor")
        assert store.row("C-1") == self.row_of(c, grade="minor")
        with pytest.raises(UnknownComplaintError):
            store.row("C-9")

    # ------------------------------------------------------------------ the access log

    def test_the_access_log_keeps_every_view_in_order_and_per_tenant(self) -> None:
        store = self.store()
        seen = [
            AccessRecord(T0, "s-cs", "C-1", "callback", "desk.view", "alice"),
            AccessRecord(T0 + timedelta(minutes=5), "s-mgr", "C-2", "review", "show --as"),
            AccessRecord(T0 + timedelta(minutes=10), "s-cs", "C-2", "", "desk.view"),
        ]
        stored = [store.record_access(r) for r in seen]
        ids = [r.id for r in stored]
        assert ids == sorted(set(ids))
        assert ids[0] > 0
        assert [attrs.evolve(r, id=0) for r in stored] == seen
        assert store.access_log() == stored
        assert store.access_log(complaint_id="C-2") == stored[1:]
        assert store.access_log(actor="s-cs") == [stored[0], stored[2]]
        assert store.access_log(actor="s-cs", complaint_id="C-2") == [stored[2]]
        assert store.access_log(since=T0 + timedelta(minutes=5)) == stored[1:]
        assert store.access_log(until=T0 + timedelta(minutes=5)) == stored[:1]
        assert store.access_log(limit=1) == stored[:1]
        assert store.access_log(complaint_id="C-9") == []
        with pytest.raises(NaiveDatetimeError):
            store.access_log(since=datetime(2025, 1, 1))  # noqa: DTZ001 - the point
        with pytest.raises(NaiveDatetimeError):
            store.record_access(AccessRecord(datetime(2025, 1, 1), "s-cs", "C-1"))  # noqa: DTZ001
        for bad in (AccessRecord(T0, "", "C-1"), AccessRecord(T0, "s-cs", " ")):
            with pytest.raises(InvalidInputError):
                store.record_access(bad)
        with pytest.raises(InvalidInputError):
            store.record_access(AccessRecord(T0, "s-cs", "C-1", "why\x00"))
        assert self.store("bravo").access_log() == []  # one tenant never sees another's
        assert store.access_log() == stored  # and refused records left nothing behind

    # ------------------------------------------------------------------ dead letters

    def test_dead_letters_are_listed_retried_or_dropped_for_good(self) -> None:
        store = self.store()
        c = self.registered("C-1")
        store.create(c, self.row_of(c), [("email", self.note(k)) for k in ("a", "b", "c")])
        a, b, cc = store.pending(NOW)
        for _ in range(3):
            store.mark_failed(a.id, "smtp 550", NOW)
            store.mark_failed(b.id, "smtp 550", NOW)
        store.mark_failed(cc.id, "smtp 451", NOW)
        dead = store.dead_letters(3)
        assert [i.id for i in dead] == [a.id, b.id]
        assert (dead[0].attempts, dead[0].last_error) == (3, "smtp 550")
        assert dead[0].notification == self.note("a")
        assert store.dead_letters(3, limit=1) == dead[:1]
        assert [i.id for i in store.dead_letters(1)] == [a.id, b.id, cc.id]
        assert store.claim(NOW, 10, lease=LEASE, max_attempts=3) != []  # c is still tried

        store.retry_item(a.id, NOW)  # tried afresh
        assert [i.id for i in store.dead_letters(3)] == [b.id]
        [again] = [i for i in store.pending(NOW) if i.id == a.id]
        assert again.attempts == 0
        assert [i.id for i in store.claim(NOW, 10, lease=LEASE, max_attempts=3)] == [a.id]

        # given up for good, kept with who dropped it (REC-5), as Desk.drop_message
        # calls it: a store without the keywords fails here, not at the first drop
        store.drop_item(b.id, NOW, "the recipient left", actor="SR-101", os_user="ops")
        assert b.id not in [i.id for i in store.dead_letters(1)]
        if isinstance(store, HistoryStore):  # optional: read back as stored
            [kept] = [i for i in store.export_outbox() if i.dedupe_key == b.notification.key]
            assert (kept.drop_reason, kept.dropped_by, kept.dropped_os_user) == (
                "the recipient left",
                "SR-101",
                "ops",
            )
        later = NOW + timedelta(days=30)
        assert b.id not in [i.id for i in store.pending(later)]
        assert b.id not in [i.id for i in store.claim(later, 10, lease=LEASE)]
        with pytest.raises(InvalidInputError):
            store.retry_item(b.id, NOW)  # dropped stays dropped
        with pytest.raises(InvalidInputError):
            store.drop_item(b.id, NOW, "again")
        store.mark_delivered(a.id, NOW)
        missing = cc.id + 10_000
        for item_id in (a.id, missing):  # delivered, or no such message
            with pytest.raises(InvalidInputError):
                store.retry_item(item_id, NOW)
            with pytest.raises(InvalidInputError):
                store.drop_item(item_id, NOW, "x")
        with pytest.raises(InvalidInputError):
            store.dead_letters(0)
        other = self.store("bravo")  # another tenant can neither see nor touch them
        assert other.dead_letters(1) == []
        with pytest.raises(InvalidInputError):
            other.retry_item(cc.id, NOW)
        with pytest.raises(InvalidInputError):
            other.drop_item(cc.id, NOW, "not mine")
        assert store.verify().ok  # retrying and dropping are bookkeeping, not tampering

    def test_a_message_being_sent_is_neither_retried_nor_dropped_by_hand(self) -> None:
        """A sender's claim may still get the message through: a retry by hand would
        send a copy, a drop would not stop it.  Once the send settles (failed,
        handed back) or the claim lapses (the sender died), both are allowed."""
        store = self.store()
        c = self.registered("C-1")
        store.create(c, self.row_of(c), [("email", self.note(k)) for k in ("a", "b")])
        a, b = store.claim(NOW, 10, lease=LEASE)
        by_hand: list[Callable[[], None]] = [
            lambda: store.retry_item(a.id, NOW),
            lambda: store.drop_item(a.id, NOW, "the robot is gone"),
        ]
        for refused in by_hand:
            with pytest.raises(InvalidInputError, match="being sent") as caught:
                refused()
            assert caught.value.path == "item_id"
        store.mark_failed(a.id, "timed out", NOW + timedelta(hours=1))  # settled: failed
        store.retry_item(a.id, NOW)
        assert [i.attempts for i in store.pending(NOW) if i.id == a.id] == [0]
        if isinstance(store, OutboxStore):
            store.release(b.id, NOW)  # handed back unsent
        else:
            store.mark_failed(b.id, "timed out", NOW)
        store.drop_item(b.id, NOW, "the recipient left")
        [again] = store.claim(NOW, 10, lease=LEASE)
        assert again.id == a.id
        with pytest.raises(InvalidInputError, match="being sent"):
            store.drop_item(a.id, NOW + LEASE, "x")  # the claim's lease runs on the store's clock
        store.mark_failed(a.id, "timed out", NOW)
        [died] = store.claim(NOW, 10, lease=ZERO)  # a sender that died, its lease run out
        assert died.id == a.id
        store.drop_item(a.id, NOW, "the sender died; the message is stale")
        assert store.pending(NOW + timedelta(days=1)) == []
        assert store.verify().ok

    def test_overlong_claims_names_the_waiting_items_claimed_past_a_bound(self) -> None:
        """``overlong_claims(longest)``: the items neither delivered nor dropped whose
        claim ends later than the store's clock plus ``longest``, in id order (review
        s50P F03); a claim within it, a settled item and another tenant's are not."""
        store = self.store()
        if not isinstance(store, ClaimHealthStore) or not isinstance(store, OutboxStore):
            pytest.skip(f"{type(store).__name__} is not a ClaimHealthStore (optional)")
        c = self.registered("C-1")
        store.create(c, self.row_of(c), [("email", self.note(k)) for k in ("a", "b", "c", "d")])
        day = timedelta(days=1)
        a, b, c_item = store.claim(NOW, 3, lease=day)
        store.mark_delivered(c_item.id, NOW)
        assert store.overlong_claims(timedelta(hours=1)) == [a.id, b.id]
        assert store.overlong_claims(2 * day) == []
        store.release(b.id, NOW)
        assert store.overlong_claims(timedelta(hours=1)) == [a.id]
        store.mark_failed(a.id, "timed out", NOW)
        assert store.overlong_claims(ZERO) == []
        other = self.store("other")
        assert isinstance(other, ClaimHealthStore)
        assert other.overlong_claims(ZERO) == []
        for wrong in (timedelta(seconds=-1), 60):
            with pytest.raises(InvalidInputError) as caught:
                store.overlong_claims(wrong)  # type: ignore[arg-type]
            assert caught.value.path == "longest"

    def test_overlong_retries_names_the_waiting_items_due_past_their_wait(self) -> None:
        """``overlong_retries(longest)``: the items neither delivered nor dropped due
        later than ``longest`` after the time their wait counts from -- the failed
        attempt's ``attempted_at`` (``mark_failed_at``: the desk's time, a catch-up's
        far ahead of the store's clock too), a retry by hand's ``now`` -- in id order
        (review s51C F03);
        an item never tried, a settled one and another tenant's are not."""
        store = self.store()
        if not isinstance(store, RetryHealthStore) or not isinstance(store, OutboxStore):
            pytest.skip(f"{type(store).__name__} is not a RetryHealthStore (optional)")
        c = self.registered("C-1")
        store.create(c, self.row_of(c), [("email", self.note(k)) for k in ("a", "b", "c", "d")])
        hour, ahead = timedelta(hours=1), NOW + timedelta(days=3650)
        a, b, c_item, _d = store.claim(NOW, 4, lease=LEASE)
        store.mark_failed_at(a.id, "refused", NOW + 2 * hour, NOW)
        store.mark_failed_at(b.id, "refused", ahead + hour, ahead)  # a catch-up
        store.mark_delivered(c_item.id, NOW)
        assert store.overlong_retries(hour) == [a.id]
        assert store.overlong_retries(2 * hour) == []
        store.retry_item(a.id, NOW + 3 * hour)  # due at its retry by hand: no wait
        assert store.overlong_retries(ZERO) == [b.id]
        store.drop_item(b.id, NOW, "stale")
        assert store.overlong_retries(ZERO) == []
        other = self.store("other")
        assert isinstance(other, RetryHealthStore)
        assert other.overlong_retries(ZERO) == []
        for wrong in (timedelta(seconds=-1), 60):
            with pytest.raises(InvalidInputError) as caught:
                store.overlong_retries(wrong)  # type: ignore[arg-type]
            assert caught.value.path == "longest"

    def test_a_send_that_may_still_get_through_is_held_from_retries_by_hand(self) -> None:
        """A send the desk stopped waiting for (it timed out) is held until it has
        surely ended: a retry by hand would send a copy.  Held on a failed item,
        released early by holding it until the claim's ``now``, never reviving a
        settled one."""
        store = self.store()
        if not isinstance(store, HoldStore):
            pytest.skip(f"{type(store).__name__} is not a HoldStore (optional)")
        c = self.registered("C-1")
        store.create(c, self.row_of(c), [("email", self.note(k)) for k in ("a", "b")])
        a, b = store.claim(NOW, 10, lease=LEASE)
        ended = NOW + timedelta(hours=1)
        store.mark_failed_held(a.id, "SendTimeoutError: send timed out after 10 s", ended)
        by_hand: list[Callable[[], None]] = [
            lambda: store.retry_item(a.id, NOW + timedelta(minutes=5)),
            lambda: store.drop_item(a.id, ended - timedelta(seconds=1), "the robot is gone"),
        ]
        for refused in by_hand:
            with pytest.raises(InvalidInputError, match="being sent") as caught:
                refused()
            assert caught.value.path == "item_id"
        claimed = store.claim(ended + timedelta(days=1), 10, lease=LEASE)
        assert a.id not in [i.id for i in claimed]  # held on the store's clock
        store.hold_item(a.id, NOW)  # the send ended: held until the claim's now, released
        [failed] = [i for i in store.pending(ended) if i.id == a.id]
        assert (failed.attempts, failed.next_attempt_at) == (1, ended)
        store.retry_item(a.id, ended)  # ended: retried by hand
        store.drop_item(a.id, ended, "the recipient left")
        store.hold_item(a.id, ended + timedelta(hours=2))  # dropped: nothing to hold
        store.mark_delivered(b.id, NOW)
        store.hold_item(b.id, ended)  # delivered: nothing to hold
        assert store.pending(ended + timedelta(days=1)) == []
        with pytest.raises(InvalidInputError) as unknown:
            store.hold_item(a.id + b.id + 1000, ended)
        assert unknown.value.path == "item_id"
        with pytest.raises(NaiveDatetimeError):
            store.hold_item(a.id, datetime(2025, 1, 1))  # noqa: DTZ001 - the point
        assert store.verify().ok

    def test_a_hold_is_counted_from_the_claim_whatever_now_the_claimer_ran_at(self) -> None:
        """A catch-up run (``deliver --now`` a week back) whose send timed out asks for
        a hold of an hour from its ``now``: the store keeps it an hour on its own
        clock, not until an instant a week past, so no worker at any ``now`` and no
        retry by hand sends a copy meanwhile (review s46C F01)."""
        store = self.store()
        if not isinstance(store, HoldStore):
            pytest.skip(f"{type(store).__name__} is not a HoldStore (optional)")
        c = self.registered("C-1")
        store.create(c, self.row_of(c), [("email", self.note("a"))])
        week_ago = NOW - timedelta(days=7)
        [a] = store.claim(week_ago, 10, lease=LEASE)
        store.mark_failed_held(a.id, "SendTimeoutError", week_ago + timedelta(hours=1))
        for other in (week_ago + timedelta(hours=2), NOW, NOW + timedelta(days=30)):
            assert store.claim(other, 10, lease=LEASE) == []
            with pytest.raises(InvalidInputError, match="being sent"):
                store.retry_item(a.id, other)
        store.hold_item(a.id, week_ago)  # the send ended after all, with an error
        store.retry_item(a.id, NOW)
        assert [i.id for i in store.claim(NOW, 10, lease=LEASE)] == [a.id]

    def test_a_write_holds_its_messages_until_the_desk_lets_them_go(self) -> None:
        """hooks.md: a commit's messages wait while the desk's listeners hear it.  A
        write with ``held`` (create, create_many, append alike) queues them claimed
        for the hold on the store's own clock: no claim at any ``now`` takes them
        (a catch-up a week back, a desk a month ahead), a retry by hand is refused;
        let go by the write's mark, they are due at once with no attempt spent.  A
        hold nobody lets go (the desk died) lapses by itself; letting go never
        revives a message sent or claimed since, nor one another write queued, nor
        another tenant's."""
        store = self.store()
        if not isinstance(store, ListenerHoldStore):
            pytest.skip(f"{type(store).__name__} is not a ListenerHoldStore (optional)")
        first, second = ListenerHold("w-1", LEASE), ListenerHold("w-2", LEASE)
        a = self.registered("C-1")
        store.create(
            a, self.row_of(a), [("email", self.note("a")), ("sms", self.note("a"))], held=first
        )
        for when in (NOW - timedelta(days=7), NOW, NOW + timedelta(days=30)):
            assert store.pending(when) == []
            assert store.claim(when, 10, lease=LEASE) == []
        if isinstance(store, OutboxStore):  # due once the hold lapses on the store's clock
            email_a, sms_a = store.waiting()
            assert (email_a.attempts, sms_a.attempts) == (0, 0)
            assert email_a.next_attempt_at is not None
            assert email_a.next_attempt_at > NOW
            for when in (NOW - timedelta(days=7), NOW + timedelta(days=30)):
                with pytest.raises(InvalidInputError, match="being sent"):
                    store.retry_item(email_a.id, when)
        b, c = self.registered("C-2"), self.registered("C-3")
        if isinstance(store, BatchComplaintStore):
            store.create_many(
                [
                    (b, self.row_of(b), [("email", self.note("b", "C-2"))]),
                    (c, self.row_of(c), [("email", self.note("c", "C-3"))]),
                ],
                held=second,
            )
        else:
            store.create(b, self.row_of(b), [("email", self.note("b", "C-2"))], held=second)
            store.create(c, self.row_of(c), [("email", self.note("c", "C-3"))], held=second)
        loaded = store.load("C-1")
        events = decide(loaded, AttachEvidence(actor="s-cs", reference="p-1"), self.pack, NOW)
        after = evolve(loaded, events)
        store.append(
            "C-1",
            loaded.version,
            events,
            self.row_of(after),
            [("email", self.note("d"))],
            held=first,
        )
        assert store.pending(NOW + timedelta(days=30)) == []

        # the listeners of C-1's commits have heard them: those are let go, the rest held
        store.release_held([("email", "a"), ("sms", "a"), ("email", "d")], "w-1")
        assert [(i.notification.key, i.attempts) for i in store.pending(NOW)] == [
            ("a", 0),
            ("a", 0),
            ("d", 0),
        ]
        store.release_held([("email", "b")], "w-1")  # another write's message
        store.release_held([("email", "b")], "w-3")  # ... or another write's mark
        assert [i.notification.key for i in store.pending(NOW)] == ["a", "a", "d"]
        other = self.store("bravo")
        assert isinstance(other, ListenerHoldStore)
        other.release_held([("email", "b"), ("email", "c")], "w-2")  # another tenant's
        assert [i.notification.key for i in store.pending(NOW)] == ["a", "a", "d"]

        # sent or claimed since: left as they are
        [email_a, sms_a, email_d] = store.claim(NOW, 10, lease=LEASE)
        store.mark_delivered(email_a.id, NOW)
        store.mark_delivered(email_d.id, NOW)
        store.release_held([("email", "a"), ("sms", "a"), ("email", "d")], "w-1")
        assert store.pending(NOW) == []  # a and d stay sent, sms a stays claimed
        with pytest.raises(InvalidInputError, match="being sent"):
            store.retry_item(sms_a.id, NOW)
        # a hold that lapses (the desk died) lets them go by itself; a sender that
        # took one then keeps its claim when the write's mark comes late
        e = self.registered("C-4")
        brief = ListenerHold("w-4", timedelta(microseconds=1))
        store.create(e, self.row_of(e), [("email", self.note("e", "C-4"))], held=brief)
        deadline = time.monotonic() + 5
        while not (taken := store.claim(NOW, 10, lease=LEASE)) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert [i.notification.key for i in taken] == ["e"]
        store.release_held([("email", "e")], "w-4")
        assert store.claim(NOW, 10, lease=LEASE) == []
        with pytest.raises(InvalidInputError, match="being sent"):
            store.retry_item(taken[0].id, NOW)
        store.release_held([], "w-1")  # nothing to let go
        for bad in ("email", [("email",)], [("email", "")], [("email", 7)]):
            with pytest.raises(InvalidInputError) as refused:
                store.release_held(bad, "w-1")  # type: ignore[arg-type]
            assert refused.value.path.startswith("held")
        for mark in ("", None, 7):
            with pytest.raises(InvalidInputError) as refused:
                store.release_held([("email", "a")], mark)  # type: ignore[arg-type]
            assert refused.value.path == "mark"
        f = self.registered("C-5")
        with pytest.raises(InvalidInputError) as refused:
            store.create(f, self.row_of(f), [], held="w-5")  # type: ignore[arg-type]
        assert refused.value.path == "held"
        assert store.verify().ok  # a hold is bookkeeping, not tampering

    def test_pending_counts_count_the_waiting_items_of_each_channel(self) -> None:
        store = self.store()
        if not isinstance(store, HealthStore):
            pytest.skip(f"{type(store).__name__} has no pending_counts (a HealthStore)")
        assert store.pending_counts() == {}
        c = self.registered("C-1")
        store.create(
            c,
            self.row_of(c),
            [("email", self.note("a")), ("sms", self.note("a")), ("email", self.note("b"))],
        )
        assert store.pending_counts() == {"email": 2, "sms": 1}
        email_a, sms_a, email_b = store.pending(NOW)
        store.mark_failed(email_b.id, "smtp 451", NOW + timedelta(days=1))  # still waiting
        store.mark_delivered(email_a.id, NOW)
        assert store.pending_counts() == {"email": 1, "sms": 1}
        store.drop_item(sms_a.id, NOW, "the channel was removed")
        assert store.pending_counts() == {"email": 1}
        other = self.store("bravo")
        assert isinstance(other, HealthStore)
        assert other.pending_counts() == {}

    def test_last_queued_gives_each_complaints_latest_message_time(self) -> None:
        """``Desk.verify`` dates a row a sweep wrote ahead of the clock by the warnings it
        queued (review s50I F01): the latest message of each complaint, delivered or
        not, in any zone; with ``after``, only those of the later commits."""
        store = self.store()
        if not isinstance(store, MessageTimesStore):
            pytest.skip(f"{type(store).__name__} has no last_queued (a MessageTimesStore)")
        assert store.last_queued() == {}
        c, d = self.registered("C-1"), self.registered("C-2")
        store.create(c, self.row_of(c), [("email", self.note("a"))])
        store.create(d, self.row_of(d), [])
        head = int(store.ledger_head().split(":")[0])
        later = T0 + timedelta(days=5)
        store.append(
            "C-1",
            c.version,
            (),
            self.row_of(c),
            [
                ("email", self.note("b", at=later.astimezone(UTC))),
                ("sms", self.note("c", at=T0 + timedelta(days=1))),
            ],
        )
        store.append("C-2", d.version, (), self.row_of(d), [("email", self.note("e", "C-2"))])
        (first,) = store.pending(NOW)[:1]
        store.mark_delivered(first.id, NOW)  # delivered: still queued then
        found = store.last_queued()
        assert found == {"C-1": later, "C-2": T0}
        assert all(at.utcoffset() is not None for at in found.values())
        assert store.last_queued(head) == {"C-1": later, "C-2": T0}
        assert store.last_queued(head + 1) == {"C-2": T0}
        assert store.last_queued(head + 2) == {}
        for wrong in (-1, True, "1", 2**63):
            with pytest.raises(InvalidInputError) as refused:
                store.last_queued(wrong)  # type: ignore[arg-type]
            assert refused.value.path == "after"
        other = self.store("bravo")
        assert isinstance(other, MessageTimesStore)
        assert other.last_queued() == {}

    def test_waiting_lists_every_undelivered_item_and_release_hands_a_claim_back(self) -> None:
        """``outbox list --pending`` shows what waits for a retry or is being sent, not
        only what is due; a claim the desk will not use now goes back unsent, no
        attempt spent."""
        store = self.store()
        if not isinstance(store, OutboxStore):
            pytest.skip(f"{type(store).__name__} has no waiting/release (an OutboxStore)")
        assert store.waiting() == []
        c = self.registered("C-1")
        note = self.note
        store.create(
            c,
            self.row_of(c),
            [("email", note("a")), ("sms", note("a")), ("email", note("b")), ("email", note("c"))],
        )
        email_a, sms_a, email_b, email_c = store.pending(NOW)
        retry_at = NOW + timedelta(minutes=10)
        store.mark_failed(email_a.id, "smtp 451", retry_at)  # waits for its retry
        [claimed] = store.claim(NOW, 1, notifiers={"email"}, lease=LEASE)  # being sent
        assert claimed.id == email_b.id
        store.mark_delivered(email_c.id, NOW)
        store.drop_item(sms_a.id, NOW, "the channel was removed")
        assert store.pending(NOW) == []  # nothing is due ...
        waiting = store.waiting()  # ... but two messages wait
        assert [(i.id, i.attempts, i.last_error) for i in waiting] == [
            (email_a.id, 1, "smtp 451"),
            (email_b.id, 0, ""),
        ]
        # being sent: due when its claim lapses, on the store's clock (which this
        # contract cannot read; MoreOfTheContract pins it)
        assert waiting[0].next_attempt_at == retry_at
        assert waiting[1].next_attempt_at is not None
        assert waiting[1].notification == note("b")
        assert [i.id for i in store.waiting(limit=1)] == [email_a.id]
        for _ in range(3):
            store.mark_failed(email_a.id, "smtp 550", retry_at)
        assert [i.id for i in store.waiting()] == [email_a.id, email_b.id]  # a dead letter too
        # four attempts spent on email_a: a dead letter from max_attempts 4 down, counted
        assert store.dead_letter_counts(4) == {"email": 1}
        assert store.dead_letter_counts(1) == {"email": 1}  # email_b was never tried
        assert store.dead_letter_counts(5) == {}

        store.release(email_b.id, NOW)  # handed back unsent: due now, no attempt spent
        assert [(i.id, i.attempts) for i in store.pending(NOW)] == [(email_b.id, 0)]
        assert [i.next_attempt_at for i in store.waiting() if i.id == email_b.id] == [None]
        [again] = store.claim(NOW, 10, notifiers={"email"}, lease=LEASE)
        assert (again.id, again.attempts, again.last_error) == (email_b.id, 0, "")
        store.release(email_a.id, NOW)  # attempts and error stay as they were
        assert [(i.id, i.attempts, i.last_error) for i in store.pending(NOW)] == [
            (email_a.id, 4, "smtp 550")
        ]
        store.mark_delivered(email_b.id, NOW)
        store.release(email_b.id, NOW)  # delivered: ignored
        store.release(sms_a.id, NOW)  # dropped: ignored
        assert [i.id for i in store.pending(NOW + timedelta(days=1))] == [email_a.id]
        assert [i.id for i in store.waiting()] == [email_a.id]
        missing = max(i.id for i in (email_a, sms_a, email_b, email_c)) + 10_000
        with pytest.raises(InvalidInputError):
            store.release(missing, NOW)
        with pytest.raises(InvalidInputError):
            store.waiting(limit=-1)
        with pytest.raises(NaiveDatetimeError):
            store.release(email_a.id, datetime(2025, 1, 1))  # noqa: DTZ001 - the point
        other = self.store("bravo")  # another tenant can neither see nor touch them
        assert isinstance(other, OutboxStore)
        assert other.waiting() == []
        with pytest.raises(InvalidInputError):
            other.release(email_a.id, NOW)
        assert store.verify().ok  # bookkeeping, not tampering

    def test_a_message_handed_back_is_due_as_before_its_claim(self) -> None:
        """A delivery pass claims each batch at its own time, its clock moved on by the
        sends before (``now`` plus ten seconds of them): what it hands back unsent is
        due as it was, so a ``deliver`` at the pass's ``now`` -- a catch-up, a
        replay -- sends it, and a retry's time is kept (review s46C F02)."""
        store = self.store()
        if not isinstance(store, OutboxStore):
            pytest.skip(f"{type(store).__name__} has no release (an OutboxStore)")
        c = self.registered("C-1")
        store.create(c, self.row_of(c), [("email", self.note(k)) for k in ("a", "b", "c")])
        a, b, cc = store.pending(NOW)
        store.mark_failed(b.id, "smtp 451", NOW + timedelta(seconds=5))
        store.mark_failed(cc.id, "smtp 451", NOW + timedelta(minutes=5))
        later = NOW + timedelta(seconds=10)  # the pass's clock, ten seconds of sends on
        assert [i.id for i in store.claim(later, 10, lease=LEASE)] == [a.id, b.id]
        store.release(a.id, later)
        store.release(b.id, later)
        assert [i.id for i in store.pending(NOW)] == [a.id]  # never tried: due at once
        assert [i.id for i in store.pending(later)] == [a.id, b.id]  # its retry's time kept
        store.release(cc.id, NOW)  # handed back before its retry's time: due at ``at``
        assert [i.id for i in store.pending(NOW)] == [a.id, cc.id]

    # ------------------------------------------------------------------ tenants

    def test_the_projection_basis_is_kept_per_tenant_and_seen_by_every_connection(
        self,
    ) -> None:
        """DL-7: a sweep compares the basis its rows were written under with its own;
        what one process keeps, the next opened on the same database reads."""
        a = self.store("acme")
        if not isinstance(a, BasisStore):
            pytest.skip(f"{type(a).__name__} is not a BasisStore (optional)")
        b = self.store("bravo")
        assert a.projection_basis() is None  # never kept: the first sweep checks every row
        a.keep_projection_basis("d1")
        a.keep_projection_basis("d2")  # replaced, not added
        again = self.store("acme")
        assert isinstance(again, BasisStore)
        assert again.projection_basis() == "d2"
        assert isinstance(b, BasisStore)
        assert b.projection_basis() is None  # another tenant's is not this one's
        b.keep_projection_basis("d3")
        assert a.projection_basis() == "d2"
        with pytest.raises(InvalidInputError) as err:
            a.keep_projection_basis("")
        assert err.value.path == "basis"
        assert a.projection_basis() == "d2"
        # compare and set: a sweep keeps its basis only if nobody marked the rows since
        assert a.keep_projection_basis("underway d4 t1") is True
        assert again.keep_projection_basis("mixed") is True  # another process's mark
        assert a.keep_projection_basis("d4", instead_of="underway d4 t1") is False
        assert a.projection_basis() == "mixed"
        assert a.keep_projection_basis("underway d4 t2") is True
        assert a.keep_projection_basis("d4", instead_of="underway d4 t2") is True
        assert again.projection_basis() == "d4"
        assert b.keep_projection_basis("d5", instead_of="d4") is False  # not bravo's
        assert b.projection_basis() == "d3"
        # what the desk writes: a digest, and a reproject's marker, kept exactly
        digest = "0123456789abcdef" * 4
        underway = f"underway {digest} {'f' * 32}"
        assert a.keep_projection_basis(underway) is True
        assert a.projection_basis() == underway
        assert a.keep_projection_basis(digest, instead_of=underway) is True
        assert again.projection_basis() == digest
        with pytest.raises(InvalidInputError):
            a.keep_projection_basis("x" * 161)

    def test_tenants_never_see_each_others_complaints(self) -> None:
        a, b = self.store("acme"), self.store("bravo")
        mine = self.registered("C-1", key="wx-1", summary="acme's complaint")
        mine_room = "r00m01"
        row = self.grouped_row(mine, issue="I-1", room_key=mine_room)
        a.create(mine, row, [("email", self.note("a-1"))])
        events = decide(mine, AttachEvidence(actor="s-cs", reference="photo"), self.pack, NOW)
        after = evolve(mine, events)
        row = self.grouped_row(after, issue="I-1", next_due=T0, room_key=mine_room)
        a.append("C-1", 1, events, row, [])
        assert [r.id for r in a.issue_rows("I-1")] == ["C-1"]  # there is something to see

        # read
        with pytest.raises(UnknownComplaintError):
            b.load("C-1")
        assert b.find_by_key("wx-1") is None
        assert b.rows() == []
        assert b.rows(due_before=NOW) == []
        assert b.rows(issue="I-1") == []
        assert b.issue_rows("I-1") == []
        week = timedelta(days=7)
        assert b.open_similar(site="sunrise", category="repairs", since=T0 - week, until=NOW) == []
        assert a.related(site="sunrise", since=T0 - week, until=NOW, room_key=mine_room) != []
        assert b.related(site="sunrise", since=T0 - week, until=NOW, room_key=mine_room) == []
        assert list(b.complaints()) == []
        # count
        assert counted(b.verify()) == VerifyReport(complaints=0, events=0)
        assert counted(a.verify()) == VerifyReport(complaints=1, events=2)
        # claim
        assert b.pending(NOW) == []
        assert b.claim(NOW, 10, lease=LEASE) == []
        assert b.claim_due(NOW, 10, lease=LEASE) == []
        if isinstance(b, HealthStore):
            assert b.pending_counts() == {}
            assert b.overlong_leases(T0 - timedelta(days=1)) == []
            assert isinstance(a, HealthStore)
            assert a.overlong_leases(T0 - timedelta(days=1)) == []  # none taken

    def test_tenants_never_change_each_others_complaints_or_messages(self) -> None:
        a, b = self.store("acme"), self.store("bravo")
        mine = self.stored(a, "C-1")
        a.append("C-1", 1, [], self.row_of(mine), [("email", self.note("a-1"))])
        [item] = a.pending(NOW)
        # change
        theirs = decide(mine, AttachEvidence(actor="s-cs", reference="x"), self.pack, NOW)
        with pytest.raises(UnknownComplaintError):
            b.append("C-1", 1, theirs, self.row_of(evolve(mine, theirs)), [])
        with pytest.raises(InvalidInputError):
            b.mark_delivered(item.id, NOW)
        with pytest.raises(InvalidInputError):
            b.mark_failed(item.id, "x", NOW + timedelta(days=1))
        assert a.load("C-1") == mine
        assert a.pending(NOW) == [item]  # still undelivered, never tried
        # the same id and key live apart in each tenant
        same = self.registered("C-1", key="k", summary="bravo's own")
        assert b.create(same, self.row_of(same), [("email", self.note("a-1"))]) == same
        assert b.load("C-1").intake.summary == "bravo's own"
        assert a.load("C-1") == mine
        assert a.find_by_key("k") is None
        assert [i.notification.key for i in b.pending(NOW)] == ["a-1"]
        assert [i.id for i in a.pending(NOW)] == [item.id]


def _run_threads(target: Callable[[str], None], tags: list[str]) -> None:
    threads = [threading.Thread(target=target, args=(tag,)) for tag in tags]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
