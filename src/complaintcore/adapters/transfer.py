"""Moving a desk between stores byte for byte: SQLite to PostgreSQL and back.

A history is copied as it is stored -- the intake and event texts, their schema
versions and hashes, the projection row, every outbox item with its delivery
state, the ledger and the access log -- never decoded and encoded again, so the
chains and the ledger in the target are those of the source (its ledger head
is the same).  :func:`copy_desk` refuses a target that already keeps
complaints or messages for the tenant, reads the source in one snapshot (a
desk still being written to is copied as of that moment), checks its chains,
writes everything in one transaction and, before it commits, verifies the
target's chains and compares every chain head and the ledger's head with the
source's: a failure leaves the target as empty as it was.
``complaintcore migrate --to`` runs it.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime
from typing import Protocol, runtime_checkable

import attrs

from complaintcore.adapters.chain import StoredEvent, canonical_json, to_utc_text
from complaintcore.adapters.ledger import LedgerEntry
from complaintcore.core.errors import InvalidInputError, StoreError
from complaintcore.desk.ports import (
    AccessRecord,
    ComplaintRow,
    ComplaintStore,
    SnapshotStore,
    VerifyReport,
)

__all__ = [
    "CopyReport",
    "HistoryStore",
    "StoredHistory",
    "StoredItem",
    "chain_digest",
    "complete_copy",
    "copy_desk",
    "not_empty",
    "same_database",
    "settled_digest",
]

Progress = Callable[[int, int], None]
"""Called with (complaints copied so far, complaints in all)."""


def _length(text: str) -> str:
    """A stored text as a repr shows it: its size, never its personal data (s41F)."""
    return f"<{len(text)} characters>"


@attrs.frozen
class StoredHistory:
    """One complaint as stored: texts, hashes and projection, nothing decoded."""

    complaint_id: str
    idempotency_key: str = attrs.field(repr=_length)
    intake_json: str = attrs.field(repr=_length)  # the complainant's name, phone, room
    created_at: datetime
    events: tuple[StoredEvent, ...]
    row: ComplaintRow


@attrs.frozen
class StoredItem:
    """One outbox item as stored, with its delivery state."""

    notifier: str
    dedupe_key: str
    complaint_id: str
    body_json: str = attrs.field(repr=_length)  # a message, with whatever it quotes
    created_at: datetime
    attempts: int
    next_attempt_at: datetime | None
    last_error: str
    delivered_at: datetime | None
    ledger_seq: int | None = None
    dropped_at: datetime | None = None
    drop_reason: str = ""
    dropped_by: str = ""
    dropped_os_user: str = ""
    # the time the message's wait counts from and the attempts it had then (what
    # ``overlong_retries`` judges; review s51R17 F01): None from an earlier export
    waits_from: datetime | None = None
    waits_at: int | None = None


@runtime_checkable
class HistoryStore(ComplaintStore, Protocol):
    """A store that can hand out and take in histories verbatim (SQLite, PostgreSQL)."""

    @property
    def database(self) -> str:
        """Where the store is, as errors name it (no credentials)."""
        ...

    def desk_size(self) -> tuple[int, int]:
        """(complaints, outbox items) of the tenant."""
        ...

    def export_histories(self) -> Iterator[StoredHistory]:
        """Every complaint of the tenant as stored, in id order."""
        ...

    def export_outbox(self) -> Iterator[StoredItem]:
        """Every outbox item of the tenant, oldest first."""
        ...

    def export_ledger(self) -> Iterator[LedgerEntry]:
        """The tenant's ledger, in order."""
        ...

    def export_access(self) -> Iterator[AccessRecord]:
        """The tenant's access log, oldest first."""
        ...

    def import_desk(
        self,
        histories: Iterable[StoredHistory],
        items: Iterable[StoredItem],
        progress: Callable[[int], None] | None = None,
        *,
        ledger: Iterable[LedgerEntry] = (),
        access: Iterable[AccessRecord] = (),
        check: Callable[[], None] | None = None,
    ) -> None:
        """Write histories, items, the ledger and the access log as they are, in one
        transaction, into an empty desk.

        ``check`` is called after everything is written and before the commit;
        this thread's reads through the store then see the uncommitted copy, and
        an exception from it rolls the whole copy back.

        :raises StoreError: the tenant already has complaints or messages here.
        """
        ...


@attrs.frozen
class CopyReport:
    """What :func:`copy_desk` copied and checked."""

    complaints: int
    events: int
    outbox_items: int
    chain_digest: str
    """SHA-256 over every complaint id and its last hash: equal in source and target."""


def not_empty(database: str, tenant: str) -> StoreError:
    """The refusal to copy into a desk that already keeps something."""
    return StoreError(
        database,
        f"already keeps complaints or messages of tenant {tenant!r}; copy into an empty desk",
    )


def chain_digest(histories: Iterable[StoredHistory]) -> tuple[int, int, str]:
    """(complaints, events, digest of every chain head) of a stream of histories."""
    seen = _Digest()
    for _ in seen.watch(histories):
        pass
    return seen.complaints, seen.events, seen.hexdigest()


def copy_desk(
    source: ComplaintStore, target: ComplaintStore, *, progress: Progress | None = None
) -> CopyReport:
    """Copy the tenant's whole desk from ``source`` into the empty ``target``.

    The source is read in one snapshot where it has one (the built-in stores
    do), so a desk other processes write to meanwhile is copied as of that
    moment, whole; their later writes are not copied.  The copy is compared
    with the source inside the target's transaction, before it commits.

    :raises InvalidInputError: a store cannot hand out or take in stored
        histories, or the two stores are of different tenants.
    :raises StoreError: the target is not empty, the source's chains do not
        verify, or the copy does not match the source (one line each); the
        target then keeps nothing of the copy.
    """
    source, target = _pair(source, target)
    if source.tenant != target.tenant:
        raise InvalidInputError("target", "belongs to another tenant than the source")
    if any(target.desk_size()):
        raise not_empty(target.database, target.tenant)
    # separate reads of a desk being written to would mix moments: a complaint
    # exported without its ledger entry, which the target then calls tampering
    moment: AbstractContextManager[None] = (
        source.snapshot() if isinstance(source, SnapshotStore) else nullcontext()
    )
    with moment:
        checked = source.verify()
        if not checked.ok:
            raise StoreError(
                source.database,
                f"does not verify ({len(checked.problems)} problems; run verify): not copied",
            )
        total, items = source.desk_size()

        def step(done: int) -> None:
            if progress is not None:
                progress(done, total)

        seen = _Digest()

        def compare() -> None:
            """Inside the import, before it commits: raising rolls the copy back."""
            before = (seen.complaints, seen.events, seen.hexdigest())
            after = chain_digest(target.export_histories())
            report: VerifyReport = target.verify()
            if (
                not report.ok
                or after != before
                or target.desk_size() != (total, items)
                or report.head != checked.head
            ):
                raise StoreError(
                    target.database,
                    "the copy does not match the source (chains, counts or messages):"
                    " rolled back, nothing was copied",
                )

        target.import_desk(
            seen.watch(source.export_histories()),
            source.export_outbox(),
            step,
            ledger=source.export_ledger(),
            access=source.export_access(),
            check=compare,
        )
    return CopyReport(seen.complaints, seen.events, items, seen.hexdigest())


def complete_copy(source: ComplaintStore, target: ComplaintStore) -> CopyReport | None:
    """What :func:`copy_desk` would report if ``target`` already holds a whole,
    verified copy of ``source`` (the same counts, chain heads and ledger head),
    else None (also for an empty target).

    A copy interrupted after it committed leaves such a target, which
    :func:`copy_desk` then refuses as not empty: this tells the two apart
    (review s38C F04).  The outbox items' delivery state and the access log,
    written after the commits they follow, are compared as well.

    :raises StoreError: the target is the source's own database, or an older
        copy of it: the same histories, but messages delivered or dropped, or
        personal data viewed, since (review s45G F01).
    """
    source, target = _pair(source, target)
    if source.tenant != target.tenant or not any(target.desk_size()):
        return None
    moment: AbstractContextManager[None] = (
        source.snapshot() if isinstance(source, SnapshotStore) else nullcontext()
    )
    with moment:
        size = source.desk_size()
        if target.desk_size() != size:
            return None
        chains = chain_digest(source.export_histories())
        if chain_digest(target.export_histories()) != chains:
            return None
        theirs = target.verify()
        ours = source.verify()
        if not (theirs.ok and ours.ok and theirs.head == ours.head):
            return None
        # what changes after a commit is outside the chains and the ledger: a copy
        # the desk has since delivered, dropped or shown past is stale (s45G F01)
        if settled_digest(source) != settled_digest(target):
            raise StoreError(
                target.database, "the target is an older copy: copy again into an empty desk"
            )
    complaints, events, digest = chains
    return CopyReport(complaints, events, size[1], digest)


def settled_digest(store: HistoryStore) -> tuple[int, str, int, str]:
    """(outbox items, digest of their delivery state, access records, digest of
    them), read as a stream: what a commit's chain and the ledger do not fix."""
    items = _rows_digest(_item_cells(i) for i in store.export_outbox())
    access = _rows_digest(_access_cells(a) for a in store.export_access())
    return (*items, *access)


def _rows_digest(rows: Iterable[list[str]]) -> tuple[int, str]:
    sha = hashlib.sha256()
    count = 0
    for cells in rows:
        count += 1
        sha.update(canonical_json(cells).encode("utf-8") + b"\n")
    return count, sha.hexdigest()


def _time(value: datetime | None) -> str:
    return "" if value is None else to_utc_text(value, "at")


def _item_cells(i: StoredItem) -> list[str]:
    """An outbox item as stored, its settlement (and so its seal) included."""
    return [
        i.notifier, i.dedupe_key, i.complaint_id, i.body_json, _time(i.created_at),
        str(i.attempts), _time(i.next_attempt_at), i.last_error, _time(i.delivered_at),
        str(i.ledger_seq), _time(i.dropped_at), i.drop_reason, i.dropped_by, i.dropped_os_user,
    ]  # fmt: skip


def _access_cells(a: AccessRecord) -> list[str]:
    """What an access record's seal seals (its number is the store's own)."""
    return [_time(a.at), a.actor, a.complaint_id, a.purpose, a.via, a.os_user]


class _Digest:
    """:func:`chain_digest` of the histories flowing past, without keeping them."""

    def __init__(self) -> None:
        self._sha = hashlib.sha256()
        self.complaints = self.events = 0

    def watch(self, histories: Iterable[StoredHistory]) -> Iterator[StoredHistory]:
        for h in histories:
            self.complaints += 1
            self.events += len(h.events)
            head = h.events[-1].hash if h.events else ""
            self._sha.update(f"{h.complaint_id}\x00{head}\n".encode())
            yield h

    def hexdigest(self) -> str:
        return self._sha.hexdigest()


def _pair(source: ComplaintStore, target: ComplaintStore) -> tuple[HistoryStore, HistoryStore]:
    """The two stores of a copy, refused when they are one database (review s45G
    F04): a mistyped target would otherwise be called a complete copy of itself."""
    source = _history_store(source, "source")
    target = _history_store(target, "target")
    if same_database(source, target):
        raise StoreError(
            target.database, "is the desk's own database: copy to another file or schema"
        )
    return source, target


def same_database(one: HistoryStore, other: HistoryStore) -> bool:
    """Whether two stores keep their desks in one place: the same file however it
    is named (a link, ``..``), else the same server, database and schema."""
    if type(one) is not type(other):
        return False
    first, second = one.database, other.database
    if os.path.isfile(first) and os.path.isfile(second):
        return os.path.samefile(first, second)
    return first == second and first != ":memory:"  # two in-memory databases are two


def _history_store(store: ComplaintStore, name: str) -> HistoryStore:
    if not isinstance(store, HistoryStore):
        raise InvalidInputError(name, f"{type(store).__name__} cannot copy stored histories")
    return store
