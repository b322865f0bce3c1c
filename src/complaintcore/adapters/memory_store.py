"""A :class:`~complaintcore.desk.ports.ComplaintStore` in memory, for tests and scripts.

Same contract as :class:`~complaintcore.adapters.sqlite_store.SqliteStore` --
versions, idempotency keys, the outbox and the same hash chain -- so a test that
passes against it means the same against the file store.  It keeps the same
canonical JSON texts the file store keeps and decodes them on every load, so
what comes back (fixed UTC offsets, refolded state) is what SQLite gives back.
One :class:`threading.Lock` makes every operation atomic; nothing survives the
process.  :meth:`MemoryStore.for_tenant` opens another tenant's view of the same
data, as a second store on the same database would.
"""

from __future__ import annotations

import bisect
import threading
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, Self

import attrs

from complaintcore.adapters.chain import (
    DEFAULT_LEASE,
    DEFAULT_TENANT,
    FailedAt,
    StoredEvent,
    access_filters,
    being_sent,
    chain_events,
    chain_problems,
    check_access,
    check_attempts,
    check_basis,
    check_bounds,
    check_events,
    check_held,
    check_item_id,
    check_keys,
    check_limit,
    check_listener_hold,
    check_longest,
    check_mark,
    check_outbox,
    check_raisings,
    check_reason,
    check_row_id,
    check_staff_id,
    check_sweep_lease,
    check_tenant,
    claim_offset,
    claim_time,
    claimer_time,
    claims_end_by,
    decode_complaint,
    effective_key,
    encode_intake,
    error_text,
    genesis_hash,
    held_claim,
    latest_lease,
    lease_end,
    notification_to_json,
    outbox_item,
    parse_utc,
    put_off_untried,
    to_utc_text,
    unreadable_retry_cell,
    untried_from,
    wait_start,
    waits_too_long,
    window_start,
)
from complaintcore.adapters.ledger import (
    LedgerEntry,
    LedgerVerifier,
    OutboxRecord,
    StoredComplaint,
    check_after,
    check_touched,
    entry_hash,
    format_head,
    ledger_genesis,
    outbox_digest,
    parse_head,
    since_verifier,
)
from complaintcore.adapters.rekeying import stored_complainant
from complaintcore.adapters.seals import (
    AccessRow,
    SettlementRow,
    access_problems,
    access_seal,
    settlement_problems,
    settlement_seal,
)
from complaintcore.core.concentration import Member
from complaintcore.core.errors import (
    ClosedError,
    ComplaintCoreError,
    ConcurrencyConflictError,
    DuplicateIdError,
    InvalidInputError,
    UnknownComplaintError,
)
from complaintcore.core.models import (
    Channel,
    Complainant,
    Complaint,
    Event,
    Grade,
    Status,
    require_aware,
)
from complaintcore.core.repeats import Earlier, not_a_complaint
from complaintcore.desk.ports import (
    AccessRecord,
    ComplaintRow,
    ListenerHold,
    Notification,
    OutboxItem,
    RaisingsQuery,
    ReceivedCount,
    RowOrder,
    RowQuery,
    VerifyReport,
    check_id,
    check_id_list,
)

__all__ = ["MemoryStore"]

_BATCH = 256
_CLOSED = "closed"


@attrs.define
class _Record:
    intake_json: str
    key: str
    events: list[StoredEvent]
    row: ComplaintRow
    swept_until: str | None = None  # a sweeper's lease (claim_due)
    created_at: str = ""


@attrs.define
class _Item:
    id: int
    notifier: str
    body_json: str
    attempts: int = 0
    next_attempt_at: str | None = None
    last_error: str = ""
    delivered_at: str | None = None
    claimed_until: str | None = None  # on the store's clock
    claim_offset: int | None = None  # from the claimer's ``now`` to that clock
    held_by: str | None = None  # the mark of the write holding it for the listeners
    waits_from: str | None = None  # the time its wait counts from (the desk's time)
    waits_at: int | None = None  # the attempts it had when that was kept
    dedupe_key: str = ""
    complaint_id: str = ""
    created_at: str = ""
    ledger_seq: int | None = None
    dropped_at: str | None = None
    drop_reason: str = ""
    dropped_by: str = ""
    dropped_os_user: str = ""
    seal: str = ""

    def fixed(self) -> OutboxRecord:
        return OutboxRecord(
            self.id,
            self.notifier,
            self.dedupe_key,
            self.complaint_id,
            self.body_json,
            self.created_at,
            self.ledger_seq,
        )

    def settlement(self) -> SettlementRow:
        return SettlementRow(
            self.id,
            self.notifier,
            self.dedupe_key,
            self.complaint_id,
            None if self.delivered_at is None else parse_utc(self.delivered_at),
            None if self.dropped_at is None else parse_utc(self.dropped_at),
            self.drop_reason,
            self.dropped_by,
            self.dropped_os_user,
            self.seal,
        )

    def seal_now(self) -> None:
        self.seal = settlement_seal(*self.settlement()[1:9])


@attrs.define
class _Tenant:
    """One tenant's data: nothing in it refers to another tenant's."""

    records: dict[str, _Record] = attrs.field(factory=dict)
    keys: dict[str, str] = attrs.field(factory=dict)
    outbox: dict[int, _Item] = attrs.field(factory=dict)
    dedupe: set[tuple[str, str]] = attrs.field(factory=set)
    # items queued held by a ListenerHoldStore write, by (channel, key), until let go
    held: dict[tuple[str, str], int] = attrs.field(factory=dict)
    # the indexes open_similar and issue_rows answer from (kept for open rows)
    similar: dict[tuple[str, str], set[str]] = attrs.field(factory=dict)
    issues: dict[str, set[str]] = attrs.field(factory=dict)
    ledger: list[LedgerEntry] = attrs.field(factory=list)
    access: list[AccessRecord] = attrs.field(factory=list)
    access_seals: dict[int, str] = attrs.field(factory=dict)
    # the indexes related answers from: every row by complainant, room and matter,
    # each list kept sorted by (time received, id)
    related: dict[tuple[str, ...], list[tuple[datetime, str]]] = attrs.field(factory=dict)
    # what the projection rows were last computed under (BasisStore)
    basis: str | None = None


@attrs.frozen
class _New:
    """A new complaint checked and encoded, ready to store under the lock."""

    complaint: Complaint
    key: str
    entries: Sequence[tuple[str, Notification]]
    intake_json: str
    chain: list[StoredEvent]
    row: ComplaintRow
    created_at: str


class _Data:
    """What the views of one in-memory database share: tenants, item ids, the lock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.tenants: dict[str, _Tenant] = {}
        self.next_item = 1
        self.next_access = 0


class MemoryStore(FailedAt):
    """Everything in dicts behind one lock; see the module docstring.

    :param tenant: whose complaints this store reads and writes.
    :param clock: the clock outbox claims are kept on (aware datetimes); default:
        this machine's.  Tests pass one.
    """

    def __init__(
        self,
        *,
        tenant: str = DEFAULT_TENANT,
        clock: Callable[[], datetime] | None = None,
        _data: _Data | None = None,
    ) -> None:
        self._tenant = check_tenant(tenant)
        self._clock = clock
        self._data = _data if _data is not None else _Data()
        self._lock = self._data.lock
        self._genesis = ledger_genesis(self._tenant)
        with self._lock:
            self._t = self._data.tenants.setdefault(self._tenant, _Tenant())
        self._records = self._t.records
        self._keys = self._t.keys
        self._outbox = self._t.outbox
        self._dedupe = self._t.dedupe
        self._similar = self._t.similar
        self._issues = self._t.issues
        self._related = self._t.related
        self._closed = False

    @property
    def tenant(self) -> str:
        return self._tenant

    def for_tenant(self, tenant: str) -> MemoryStore:
        """Another tenant's store on the same data (as a second connection would be)."""
        return MemoryStore(tenant=tenant, clock=self._clock, _data=self._data)

    def _open(self) -> None:
        if self._closed:
            raise ClosedError("store")

    def close(self) -> None:
        with self._lock:
            self._closed = True

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"MemoryStore(tenant={self._tenant!r}, {len(self._records)} complaints)"

    # ------------------------------------------------------------------ writes

    def create(
        self,
        complaint: Complaint,
        row: ComplaintRow,
        outbox: Sequence[tuple[str, Notification]] = (),
        *,
        held: ListenerHold | None = None,
    ) -> Complaint:
        """Store a new complaint; a known idempotency key returns the stored one.
        ``held``: its messages are queued claimed for the hold (``ListenerHoldStore``)."""
        new = self._prepare(complaint, row, outbox)
        hold = check_listener_hold(held)
        with self._lock:
            self._open()
            return self._insert(new, hold)

    def _prepare(
        self, complaint: Complaint, row: ComplaintRow, outbox: Sequence[tuple[str, Notification]]
    ) -> _New:
        """What :meth:`create` checks and encodes before it takes the lock."""
        if not isinstance(complaint, Complaint):
            raise InvalidInputError("complaint", "expected a Complaint")
        key = effective_key(complaint, row)
        entries = check_outbox(outbox)
        intake_json = encode_intake(complaint.intake)
        chain = chain_events(
            complaint.id, complaint.events, version=0, prev_hash=genesis_hash(intake_json)
        )
        stored_row = _normalise(row, len(chain), key)
        last = complaint.events[-1].at if complaint.events else complaint.intake.received_at
        created_at = to_utc_text(last, "created_at")
        return _New(complaint, key, entries, intake_json, chain, stored_row, created_at)

    def _insert(self, new: _New, held: ListenerHold | None = None) -> Complaint:
        """:meth:`create` under the lock."""
        complaint, key, chain = new.complaint, new.key, new.chain
        if key and key in self._keys:
            return self._load(self._keys[key])
        if complaint.id in self._records:
            raise DuplicateIdError()
        self._records[complaint.id] = _Record(
            new.intake_json, key, chain, new.row, created_at=new.created_at
        )
        if key:
            self._keys[key] = complaint.id
        self._index(None, new.row)
        queued = self._queue(new.entries, held)
        head = chain[-1].hash if chain else genesis_hash(new.intake_json)
        self._commit(complaint.id, len(chain), head, queued, key, new.created_at)
        return complaint

    def create_many(
        self,
        items: Sequence[tuple[Complaint, ComplaintRow, Sequence[tuple[str, Notification]]]],
        *,
        whole: bool = False,
        held: ListenerHold | None = None,
    ) -> list[Complaint | ComplaintCoreError | None]:
        """Like :meth:`create` for each item; a failing item is reported in its slot.

        ``whole``: nothing is written unless every item is stored as itself (see
        ``BatchComplaintStore``), checked under the lock the writes take."""
        results: list[Complaint | ComplaintCoreError | None] = []
        if not whole:
            for complaint, row, outbox in items:
                try:
                    results.append(self.create(complaint, row, outbox, held=held))
                except ComplaintCoreError as exc:
                    results.append(exc)
            return results
        hold = check_listener_hold(held)
        prepared: list[_New | ComplaintCoreError] = []
        for complaint, row, outbox in items:
            try:
                prepared.append(self._prepare(complaint, row, outbox))
            except ComplaintCoreError as exc:
                prepared.append(exc)
        with self._lock:
            self._open()
            refused: dict[int, Complaint | ComplaintCoreError] = {}
            ids: set[str] = set()
            for i, p in enumerate(prepared):
                if isinstance(p, ComplaintCoreError):
                    refused[i] = p
                elif p.key and p.key in self._keys:
                    refused[i] = self._load(self._keys[p.key])
                elif p.complaint.id in self._records or p.complaint.id in ids:
                    refused[i] = DuplicateIdError()
                else:
                    ids.add(p.complaint.id)
            if refused:  # the others are drafted again by the caller: nothing is written
                return [refused.get(i) for i in range(len(prepared))]
            for p in prepared:
                assert not isinstance(p, ComplaintCoreError)
                results.append(self._insert(p, hold))
        return results

    def append(
        self,
        complaint_id: str,
        expected_version: int,
        events: Sequence[Event],
        row: ComplaintRow,
        outbox: Sequence[tuple[str, Notification]] = (),
        *,
        held: ListenerHold | None = None,
    ) -> None:
        """Append if the stored version is ``expected_version``; ``row.version`` is ignored.
        ``held``: as for :meth:`create`."""
        check_row_id(row, complaint_id)
        new = check_events(events)
        entries = check_outbox(outbox)
        hold = check_listener_hold(held)
        with self._lock:
            self._open()
            record = self._records.get(complaint_id)
            if record is None:
                raise UnknownComplaintError(complaint_id)
            version = len(record.events)
            if version != expected_version:
                raise ConcurrencyConflictError(complaint_id, expected_version, version)
            prev = record.events[-1].hash if record.events else genesis_hash(record.intake_json)
            stored_row = _normalise(row, version + len(new), record.key)
            record.events.extend(chain_events(complaint_id, new, version=version, prev_hash=prev))
            self._index(record.row, stored_row)
            record.row = stored_row
            record.swept_until = None  # a sweeper's lease ends with any change
            queued = self._queue(entries, hold)
            if new or queued:
                head = record.events[-1].hash if record.events else prev
                self._commit(complaint_id, len(record.events), head, queued)

    def _index(self, old: ComplaintRow | None, new: ComplaintRow) -> None:
        """Keep the grouping and repeat indexes in step with a row (caller holds the lock)."""
        old_keys = set(_related_keys(old)) if old is not None else set()
        new_keys = set(_related_keys(new))
        entry = (new.received_at, new.id)
        for key in old_keys - new_keys:
            assert old is not None
            found = self._related.get(key, [])
            at = bisect.bisect_left(found, (old.received_at, old.id))
            if at < len(found) and found[at][1] == old.id:
                del found[at]
        for key in new_keys - old_keys:
            bisect.insort(self._related.setdefault(key, []), entry)
        if old is not None:
            self._similar.get((old.site, old.category), set()).discard(old.id)
            self._issues.get(old.issue, set()).discard(old.id)
        if new.status != _CLOSED:
            self._similar.setdefault((new.site, new.category), set()).add(new.id)
        if new.issue:
            self._issues.setdefault(new.issue, set()).add(new.id)

    def _queue(
        self, entries: Sequence[tuple[str, Notification]], held: ListenerHold | None = None
    ) -> list[_Item]:
        """Queue new items, tagged with the ledger entry about to be made (lock held);
        ``held``: claimed for the hold on the store's clock, marked with it."""
        seq = len(self._t.ledger) + 1
        until = None if held is None else held_claim(claim_time(self._clock), held)
        queued = []
        for notifier, n in entries:
            if (notifier, n.key) in self._dedupe:
                continue
            self._dedupe.add((notifier, n.key))
            item_id = self._data.next_item
            item = _Item(
                item_id,
                notifier,
                notification_to_json(n),
                dedupe_key=n.key,
                complaint_id=n.complaint_id,
                created_at=to_utc_text(n.created_at, "notification.created_at"),
                ledger_seq=seq,
                claimed_until=until,
                held_by=None if held is None else held.mark,
            )
            item.waits_from, item.waits_at = item.created_at, 0
            self._outbox[item_id] = item
            if held is not None:
                self._t.held[(notifier, n.key)] = item_id
            queued.append(item)
            self._data.next_item += 1
        return queued

    def _commit(
        self,
        complaint_id: str,
        version: int,
        head: str,
        queued: Sequence[_Item],
        key: str = "",
        created_at: str = "",
    ) -> None:
        """Append the ledger entry of a commit (lock held)."""
        ledger = self._t.ledger
        prev = ledger[-1].hash if ledger else self._genesis
        digest = outbox_digest(i.fixed() for i in queued)
        entry = entry_hash(prev, complaint_id, version, head, digest, key, created_at)
        ledger.append(
            LedgerEntry(
                len(ledger) + 1, complaint_id, version, head, digest, key, created_at, prev, entry
            )
        )

    # ------------------------------------------------------------------ reads

    def _load(self, complaint_id: str) -> Complaint:
        record = self._records.get(complaint_id)
        if record is None:
            raise UnknownComplaintError(complaint_id)
        return decode_complaint(complaint_id, record.intake_json, _bodies(record.events))

    def load(self, complaint_id: str) -> Complaint:
        check_id(complaint_id)  # a list or dict would be an unhashable key (review s50F F01)
        with self._lock:
            self._open()
            record = self._records.get(complaint_id)
            if record is None:
                raise UnknownComplaintError(complaint_id)
            intake_json, bodies = record.intake_json, _bodies(record.events)
        return decode_complaint(complaint_id, intake_json, bodies)

    def complainants(self, complaint_ids: Sequence[str]) -> dict[str, Complainant]:
        """:class:`~complaintcore.desk.ports.ComplainantStore`: the stored intakes alone."""
        ids = check_id_list(complaint_ids)
        with self._lock:
            self._open()
            stored = {cid: r.intake_json for cid in ids if (r := self._records.get(cid))}
        found: dict[str, Complainant] = {}
        for cid, intake_json in stored.items():
            person = stored_complainant(intake_json)
            if person is not None:
                found[cid] = person[0]
        return found

    def find_by_key(self, idempotency_key: str) -> Complaint | None:
        if not idempotency_key:
            return None
        with self._lock:
            self._open()
            cid = self._keys.get(idempotency_key)
        return None if cid is None else self.load(cid)

    def rows(
        self,
        *,
        status: Status | str | None = None,
        grade: Grade | str | None = None,
        site: str | None = None,
        department: str | None = None,
        category: str | None = None,
        channel: Channel | str | None = None,
        handler: str | None = None,
        issue: str | None = None,
        due_before: datetime | None = None,
        received_from: datetime | None = None,
        received_until: datetime | None = None,
        limit: int | None = None,
        order: RowOrder | None = None,
        overdue_at: datetime | None = None,
    ) -> list[ComplaintRow]:
        """Same filters, checks and order as the SQLite store (:class:`RowQuery`)."""
        q = RowQuery.of(
            status=status,
            grade=grade,
            site=site,
            department=department,
            category=category,
            channel=channel,
            handler=handler,
            issue=issue,
            due_before=due_before,
            received_from=received_from,
            received_until=received_until,
            limit=limit,
            order=order,
            overdue_at=overdue_at,
        )
        with self._lock:
            self._open()
            rows = [r.row for r in self._records.values()]
        wanted = sorted((r for r in rows if q.matches(r)), key=q.sort_key())
        return wanted if q.limit is None else wanted[: q.limit]

    def open_similar(
        self,
        *,
        site: str,
        category: str,
        since: datetime,
        until: datetime,
        building: str | None = None,
        limit: int | None = None,
    ) -> list[Member]:
        """Like :meth:`SqliteStore.open_similar`, from an index by (site, category)."""
        check_limit(limit)
        lo = window_start(since, "since").astimezone(UTC)
        hi = require_aware(until, "until").astimezone(UTC)
        with self._lock:
            self._open()
            ids = list(self._similar.get((site, category), ()))
            rows = [self._records[cid].row for cid in ids]
        found = sorted(
            (
                r
                for r in rows
                if r.status != _CLOSED
                and lo <= r.received_at <= hi
                and (building is None or r.building == building)
            ),
            key=lambda r: (r.received_at, r.id),
        )
        chosen = found if limit is None else found[:limit]
        return [
            Member(r.id, r.received_at, r.complainant_key, r.issue, r.group_incident)
            for r in chosen
        ]

    def related(
        self,
        *,
        site: str,
        since: datetime,
        until: datetime,
        complainant_key: str = "",
        room_key: str = "",
        building: str = "",
        category: str = "",
        matter_since: datetime | None = None,
        limit: int | None = None,
    ) -> list[Earlier]:
        """Like :meth:`SqliteStore.related`, from sorted indexes (bisected, never scanned)."""
        check_keys(
            site=site,
            complainant_key=complainant_key,
            room_key=room_key,
            building=building,
            category=category,
        )
        check_limit(limit)
        lo = window_start(since, "since").astimezone(UTC)
        hi = require_aware(until, "until").astimezone(UTC)
        wanted: list[tuple[tuple[str, ...], datetime]] = []
        if complainant_key:
            wanted.append((("person", site, complainant_key), lo))
        if room_key:
            wanted.append((("room", site, room_key), lo))
        if building and category and matter_since is not None:
            start = window_start(matter_since, "matter_since").astimezone(UTC)
            wanted.append((("matter", site, building, category), start))
        found: dict[str, ComplaintRow] = {}
        with self._lock:
            self._open()
            for key, first in wanted:
                entries = self._related.get(key, [])
                a = bisect.bisect_left(entries, (first, ""))
                b = bisect.bisect_right(entries, (hi, "\U0010ffff"))
                chosen = entries[a:b][::-1]
                for _at, cid in chosen if limit is None else chosen[:limit]:
                    found.setdefault(cid, self._records[cid].row)
        rows = sorted(found.values(), key=lambda r: (r.received_at, r.id), reverse=True)
        return [_earlier(r) for r in rows]

    def raisings_many(self, queries: Sequence[RaisingsQuery]) -> list[int]:
        """GRD-2: for each query, in order, how many earlier complaints raised its
        matter (see :class:`~complaintcore.desk.ports.RaisingsStore`), at most its
        ``limit``, from the sorted indexes :meth:`related` reads."""
        out: list[int] = []
        for q in queries:
            check_raisings(q)
            lo = window_start(q.since, "since").astimezone(UTC)
            hi = require_aware(q.until, "until").astimezone(UTC)
            wanted: list[tuple[tuple[str, ...], datetime]] = []
            if q.complainant_key:
                wanted.append((("person", q.site, q.complainant_key), lo))
            if q.room_key:
                wanted.append((("room", q.site, q.room_key), lo))
            if q.building and q.matter_since is not None:
                start = window_start(q.matter_since, "matter_since").astimezone(UTC)
                wanted.append((("matter", q.site, q.building, q.category), start))
            found: set[str] = set()
            with self._lock:
                self._open()
                for key, first in wanted:
                    entries = self._related.get(key, [])
                    a = bisect.bisect_left(entries, (first, ""))
                    b = bisect.bisect_right(entries, (hi, "\U0010ffff"))
                    for _at, cid in entries[a:b]:
                        row = self._records[cid].row
                        if _raises(row, q):
                            found.add(cid)
            out.append(len(found) if q.limit is None else min(len(found), q.limit))
        return out

    def issue_rows(self, issue: str) -> list[ComplaintRow]:
        """Every complaint linked to ``issue``, oldest first."""
        if not isinstance(issue, str) or not issue:
            raise InvalidInputError("issue", "expected the id of a concentrated issue")
        with self._lock:
            self._open()
            rows = [self._records[cid].row for cid in self._issues.get(issue, ())]
        return sorted(rows, key=lambda r: (r.received_at, r.id))

    def complaints(self) -> Iterator[Complaint]:
        """Every complaint in id order; complaints added meanwhile may or may not be seen."""
        with self._lock:
            self._open()
            ids = sorted(self._records)
        for start in range(0, len(ids), _BATCH):
            with self._lock:
                batch = [
                    (cid, self._records[cid].intake_json, _bodies(self._records[cid].events))
                    for cid in ids[start : start + _BATCH]
                ]
            for cid, intake_json, bodies in batch:
                yield decode_complaint(cid, intake_json, bodies)

    def complaints_received(
        self, since: datetime, until: datetime, *, updated_since: datetime | None = None
    ) -> Iterator[Complaint]:
        """Like :meth:`SqliteStore.complaints_received`: received in ``[since, until)``,
        oldest first, touched at or after ``updated_since`` when given."""
        lo = require_aware(since, "since").astimezone(UTC)
        hi = require_aware(until, "until").astimezone(UTC)
        touched = None if updated_since is None else require_aware(updated_since, "updated_since")
        with self._lock:
            self._open()
            found = sorted(
                (r.row.received_at, cid, r.intake_json, _bodies(r.events))
                for cid, r in self._records.items()
                if lo <= r.row.received_at < hi
                and (touched is None or r.row.updated_at is None or r.row.updated_at >= touched)
            )
        for _at, cid, intake_json, bodies in found:
            yield decode_complaint(cid, intake_json, bodies)

    def visited_between(
        self, since: datetime, until: datetime, *, received_before: datetime
    ) -> Iterator[Complaint]:
        """Like :meth:`SqliteStore.visited_between`: received before ``received_before``,
        a ``visited`` event in ``[since, until)``, oldest first."""
        lo = require_aware(since, "since").astimezone(UTC)
        hi = require_aware(until, "until").astimezone(UTC)
        before = require_aware(received_before, "received_before").astimezone(UTC)
        with self._lock:
            self._open()
            found = sorted(
                (r.row.received_at, cid, r.intake_json, _bodies(r.events))
                for cid, r in self._records.items()
                if r.row.received_at < before
                and (r.row.updated_at is None or r.row.updated_at >= lo)
                and any(
                    e.kind == "visited" and lo <= datetime.fromisoformat(e.at) < hi
                    for e in r.events
                )
            )
        for _at, cid, intake_json, bodies in found:
            yield decode_complaint(cid, intake_json, bodies)

    def complaints_about(
        self, staff_id: str, since: datetime, until: datetime
    ) -> Iterator[Complaint]:
        """Like :meth:`SqliteStore.complaints_about`."""
        staff = check_staff_id(staff_id)
        for complaint in self.complaints_received(since, until):
            target = complaint.intake.target
            if target is not None and target.staff_id == staff:
                yield complaint

    def received_counts(self, bounds: Sequence[datetime]) -> list[ReceivedCount]:
        """Like :meth:`SqliteStore.received_counts`."""
        edges = [b.astimezone(UTC) for b in check_bounds(bounds)]
        groups: dict[tuple[int, str, str, str, str, str, str], list[Any]] = {}
        with self._lock:
            self._open()
            rows = [r.row for r in self._records.values()]
        for row in rows:
            at = row.received_at
            if len(edges) < 2 or not edges[0] <= at < edges[-1]:
                continue
            period = bisect_right(edges, at) - 1
            key = (
                period,
                row.kind,
                row.validity,
                row.site,
                row.building,
                row.category,
                row.department,
            )
            group = groups.setdefault(key, [0, row.updated_at, False])
            group[0] += 1
            if row.updated_at is None:
                group[2] = True
            elif group[1] is None or row.updated_at > group[1]:
                group[1] = row.updated_at
        return [
            ReceivedCount(*key, count, None if unknown else latest)
            for key, (count, latest, unknown) in groups.items()
        ]

    def claim_due(
        self, now: datetime, limit: int = 100, *, lease: timedelta = DEFAULT_LEASE
    ) -> list[ComplaintRow]:
        """Like :meth:`SqliteStore.claim_due`: due rows, hidden from other sweepers,
        soonest due first, then by time received, then id."""
        check_limit(limit)
        cutoff = require_aware(now, "now").astimezone(UTC)
        stamp = to_utc_text(now, "now")
        until = lease_end(now, check_sweep_lease(lease))
        latest = latest_lease(now).isoformat(timespec="microseconds")
        with self._lock:
            self._open()
            due = sorted(
                (
                    r
                    for r in self._records.values()
                    if r.row.next_due is not None
                    and r.row.next_due <= cutoff
                    and (r.swept_until is None or r.swept_until <= stamp or r.swept_until > latest)
                ),
                key=lambda r: (r.row.next_due, r.row.received_at, r.row.id),
            )[:limit]
            for record in due:
                record.swept_until = until
            return [r.row for r in due]

    def release_due(self, complaint_ids: Sequence[str]) -> None:
        """Like :meth:`SqliteStore.release_due`: these complaints' sweep leases end."""
        ids = check_id_list(complaint_ids)
        with self._lock:
            self._open()
            for cid in ids:
                record = self._records.get(cid)
                if record is not None:
                    record.swept_until = None

    def overlong_leases(self, now: datetime) -> list[str]:
        """Like :meth:`SqliteStore.overlong_leases`: due rows leased past any claim's lease."""
        latest = latest_lease(now).isoformat(timespec="microseconds")
        with self._lock:
            self._open()
            return sorted(
                r.row.id
                for r in self._records.values()
                if r.row.next_due is not None
                and r.swept_until is not None
                and r.swept_until > latest
            )

    def last_queued(self, after: int = 0) -> dict[str, datetime]:
        """Like :meth:`SqliteStore.last_queued`: each complaint's latest message time."""
        seq = check_after(after)
        found: dict[str, str] = {}
        with self._lock:
            self._open()
            for item in self._outbox.values():
                if seq and (item.ledger_seq is None or item.ledger_seq <= seq):
                    continue
                known = found.get(item.complaint_id)
                if known is None or item.created_at > known:  # fixed-width UTC text
                    found[item.complaint_id] = item.created_at
        return {cid: parse_utc(at) for cid, at in found.items()}

    # ------------------------------------------------------------------ outbox

    def claim(
        self,
        now: datetime,
        limit: int = 100,
        *,
        notifiers: Collection[str] | None = None,
        lease: timedelta = DEFAULT_LEASE,
        max_attempts: int | None = None,
    ) -> list[OutboxItem]:
        """Like :meth:`SqliteStore.claim`: take due items, claimed for ``lease`` on the
        store's clock."""
        lease_end(now, lease)
        with self._lock:
            at = claim_time(self._clock)
            due = self._due(now, limit, notifiers, max_attempts, to_utc_text(at, "clock()"))
            until, offset = lease_end(at, lease), claim_offset(at, now)
            claimed = parse_utc(until)  # the claim, for a failed attempt recorded late
            items = [attrs.evolve(_as_outbox_item(i), claim=claimed) for i in due]
            for i in due:
                if i.held_by is not None:  # a listener hold that lapsed: a sender's now
                    self._t.held.pop((i.notifier, i.dedupe_key), None)
                i.claimed_until, i.claim_offset, i.held_by = until, offset, None
            return items

    def pending(self, now: datetime, limit: int = 100) -> list[OutboxItem]:
        with self._lock:
            clock = to_utc_text(claim_time(self._clock), "clock()")
            return [_as_outbox_item(i) for i in self._due(now, limit, None, None, clock)]

    def _due(
        self,
        now: datetime,
        limit: int,
        notifiers: Collection[str] | None,
        max_attempts: int | None,
        clock: str,
    ) -> list[_Item]:
        """Undelivered items due at ``now`` and claimed by no sender at ``clock`` (the
        store's), oldest first; with ``max_attempts``, by the time each became due
        (its retry time, or the time it was queued), then id, as the SQL stores
        read them (review s51R3 F01) (caller holds the lock)."""
        check_limit(limit)
        cutoff = to_utc_text(now, "now")
        self._open()
        due = [
            i
            for i in self._outbox.values()  # dicts keep insertion (= id) order
            if i.delivered_at is None
            and i.dropped_at is None
            and (i.next_attempt_at is None or i.next_attempt_at <= cutoff)
            and (i.claimed_until is None or i.claimed_until <= clock)
            and (notifiers is None or i.notifier in notifiers)
            and (max_attempts is None or i.attempts < max_attempts)
        ]
        if max_attempts is not None:
            due.sort(key=lambda i: (i.next_attempt_at or i.created_at, i.id))
        return due[:limit]

    def mark_delivered(self, item_id: int, at: datetime) -> None:
        """Idempotent: the first delivery time is kept."""
        stamp = to_utc_text(at, "at")
        with self._lock:
            item = self._item(item_id)
            if item.delivered_at is None:
                item.delivered_at, item.claimed_until, item.claim_offset = stamp, None, None
                item.seal_now()

    def mark_failed(self, item_id: int, error: str, retry_at: datetime) -> None:
        """Count a failed attempt; ignored once the item is delivered."""
        self._failed(item_id, error, retry_at, held=False, attempted_at=None)

    def mark_failed_held(self, item_id: int, error: str, retry_at: datetime) -> None:
        """Like :meth:`SqliteStore.mark_failed_held`."""
        self._failed(item_id, error, retry_at, held=True, attempted_at=None)

    def _failed(
        self,
        item_id: int,
        error: str,
        retry_at: datetime,
        *,
        held: bool,
        attempted_at: datetime | None,
        claim: datetime | None = None,
    ) -> bool:
        stamp = to_utc_text(retry_at, "retry_at")
        claimed = None if claim is None else to_utc_text(claim, "claim")
        with self._lock:
            item = self._item(item_id)
            # only while the item holds that claim (review s52R10 F03)
            if item.delivered_at is None and (claim is None or item.claimed_until == claimed):
                start = wait_start(attempted_at, claim_time(self._clock), item.claim_offset)
                held_until = claimer_time(retry_at, item.claim_offset, "retry_at") if held else None
                item.attempts += 1
                item.waits_from, item.waits_at = start, item.attempts
                item.last_error = error_text(error)
                item.next_attempt_at, item.claimed_until = stamp, held_until
                if not held:  # kept while held: the end of the hold is moved by it
                    item.claim_offset = None
                return True
            return False

    def waiting(self, limit: int = 100) -> list[OutboxItem]:
        """Like :meth:`SqliteStore.waiting`: every undelivered item not dropped, due or not."""
        check_limit(limit)
        with self._lock:
            self._open()
            clock = to_utc_text(claim_time(self._clock), "clock()")
            return [
                _as_outbox_item(i, clock)
                for i in self._outbox.values()
                if i.delivered_at is None and i.dropped_at is None
            ][:limit]

    def dead_letter_counts(self, max_attempts: int) -> dict[str, int]:
        """Like :meth:`SqliteStore.dead_letter_counts`: dead letters per channel."""
        attempts = check_attempts(max_attempts)
        with self._lock:
            self._open()
            found = Counter(
                i.notifier
                for i in self._outbox.values()
                if i.delivered_at is None and i.dropped_at is None and i.attempts >= attempts
            )
        return dict(found)

    def release_held(self, held: Sequence[tuple[str, str]], mark: str) -> None:
        """Let go the messages a write queued held with ``mark`` (see
        :class:`~complaintcore.desk.ports.ListenerHoldStore`): due at once."""
        pairs = check_held(held)
        stamp = check_mark(mark)
        with self._lock:
            self._open()
            for pair in pairs:
                item_id = self._t.held.get(pair)
                item = None if item_id is None else self._outbox.get(item_id)
                if item is None or item.held_by != stamp:
                    continue  # not held by that write, or claimed since its hold lapsed
                del self._t.held[pair]
                item.held_by = None
                if item.delivered_at is None and item.dropped_at is None:
                    item.claimed_until = None

    def release(self, item_id: int, at: datetime) -> None:
        """Like :meth:`SqliteStore.release`: the claim ends, due as before it, at ``at``
        at the latest; no attempt counted."""
        stamp = to_utc_text(at, "at")
        with self._lock:
            item = self._item(item_id)
            if item.delivered_at is None and item.dropped_at is None:
                item.claimed_until = item.claim_offset = None
                if item.next_attempt_at is not None and item.next_attempt_at > stamp:
                    item.next_attempt_at = stamp

    def hold_item(self, item_id: int, until: datetime) -> None:
        """Like :meth:`SqliteStore.hold_item`."""
        require_aware(until, "until")
        with self._lock:
            item = self._item(item_id)
            if item.delivered_at is None and item.dropped_at is None:
                item.claimed_until = claimer_time(until, item.claim_offset, "until")

    def _item(self, item_id: int) -> _Item:
        self._open()
        item = self._outbox.get(check_item_id(item_id))
        if item is None:
            raise InvalidInputError("item_id", "no outbox item with this id")
        return item

    # ------------------------------------------------------------------ integrity

    def verify(self, *, expect: str | None = None, since: str | None = None) -> VerifyReport:
        """The same chain and ledger checks as the SQLite store, incremental too
        (``since``; in memory the lists are walked, which costs next to nothing)."""
        if since is not None:
            return self._verify_since(since, expect)
        wanted = parse_head(expect) if expect is not None else None
        with self._lock:
            self._open()
            snapshot = [
                (cid, r.intake_json, list(r.events), r.row.version, r.key, r.created_at)
                for cid, r in sorted(self._records.items())
            ]
            ledger = list(self._t.ledger)
            items = sorted(
                (i.fixed() for i in self._outbox.values()),
                key=lambda r: (r.ledger_seq is None, r.ledger_seq or 0, r.id),
            )
            settlements = [i.settlement() for i in self._outbox.values()]
            accesses = [
                AccessRow(
                    a.id, a.at, a.actor, a.complaint_id, a.purpose, a.via, a.os_user,
                    self._t.access_seals.get(a.id, ""),
                )
                for a in self._t.access
            ]  # fmt: skip
        checker = LedgerVerifier(self._tenant, expect=wanted)
        checker.entries(ledger)
        checker.outbox(items)
        problems: list[str] = []
        events = 0
        for cid, intake_json, stored, version, key, created_at in snapshot:
            count, found = chain_problems(cid, intake_json, stored, version)
            events += count
            problems.extend(found)
            heads = {0: genesis_hash(intake_json), **{e.seq: e.hash for e in stored}}
            checker.complaint(cid, key, created_at, heads)
        problems.extend(checker.finish())
        problems.extend(settlement_problems(settlements))
        problems.extend(access_problems(accesses))
        return VerifyReport(
            complaints=len(snapshot),
            events=events,
            problems=tuple(problems),
            head=checker.head,
            entries=checker.entries_read,
        )

    def _verify_since(self, since: str, expect: str | None) -> VerifyReport:
        with self._lock:
            self._open()
            ledger = list(self._t.ledger)
            records = {
                cid: (r.intake_json, list(r.events), r.row.version, r.key, r.created_at)
                for cid, r in self._records.items()
            }
            items = sorted(
                (i.fixed() for i in self._outbox.values()),
                key=lambda r: (r.ledger_seq is None, r.ledger_seq or 0, r.id),
            )
        by_seq = {e.seq: e for e in ledger}

        def prev_of(seq: int) -> str | None:
            entry = by_seq.get(seq)
            return None if entry is None else entry.prev

        checker = since_verifier(self._tenant, since, expect, prev_of)
        after = checker.last_seq
        checker.entries([e for e in ledger if e.seq > after])
        checker.outbox([r for r in items if r.ledger_seq is not None and r.ledger_seq > after])
        checker.outbox([r for r in items if r.ledger_seq is None])
        problems: list[str] = []
        complaints = events = 0
        touched = checker.touched
        for cid in touched:
            checker.earlier(
                cid, [e for e in ledger if e.complaint_id == cid and e.seq < checker.recheck_from]
            )
            found = records.get(cid)
            stored = None
            if found is not None:
                intake_json, stored_events, version, key, created_at = found
                stored = StoredComplaint(intake_json, key, created_at, version, stored_events)
                complaints += 1
            count, more = check_touched(checker, cid, stored)
            events += count
            problems.extend(more)
        problems.extend(checker.finish())
        return VerifyReport(
            complaints=complaints,
            events=events,
            problems=tuple(problems),
            head=checker.head,
            since=format_head(*parse_head(since, "since")),
            entries=checker.entries_read,
            rechecked=tuple(touched),
        )

    def row(self, complaint_id: str) -> ComplaintRow:
        """One complaint's projection row.

        :raises UnknownComplaintError: no complaint has this id.
        """
        check_id(complaint_id)
        with self._lock:
            self._open()
            record = self._records.get(complaint_id)
            if record is None:
                raise UnknownComplaintError(complaint_id)
            return record.row

    def ledger_head(self) -> str:
        with self._lock:
            self._open()
            ledger = self._t.ledger
            return format_head(len(ledger), ledger[-1].hash) if ledger else format_head(0, "")

    # ------------------------------------------------------------------ access log

    def record_access(self, record: AccessRecord) -> AccessRecord:
        checked = check_access(record)
        with self._lock:
            self._open()
            self._data.next_access += 1
            stored = attrs.evolve(
                checked,
                at=require_aware(checked.at, "at").astimezone(UTC),
                id=self._data.next_access,
            )
            self._t.access.append(stored)
            self._t.access_seals[stored.id] = access_seal(
                stored.at, stored.actor, stored.complaint_id, stored.purpose, stored.via,
                stored.os_user,
            )  # fmt: skip
        return stored

    def access_log(
        self,
        *,
        complaint_id: str | None = None,
        actor: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
    ) -> list[AccessRecord]:
        wanted = dict(access_filters(complaint_id, actor))
        lo = None if since is None else require_aware(since, "since")
        hi = None if until is None else require_aware(until, "until")
        check_limit(limit)
        with self._lock:
            self._open()
            found = [
                r
                for r in self._t.access
                if all(getattr(r, k) == v for k, v in wanted.items())
                and (lo is None or r.at >= lo)
                and (hi is None or r.at < hi)
            ]
        found.sort(key=lambda r: (r.at, r.id))
        return found if limit is None else found[:limit]

    # ------------------------------------------------------------------ dead letters

    def dead_letters(self, max_attempts: int, limit: int = 100) -> list[OutboxItem]:
        check_limit(limit)
        attempts = check_attempts(max_attempts)
        with self._lock:
            self._open()
            return [
                _as_outbox_item(i)
                for i in self._outbox.values()
                if i.delivered_at is None and i.dropped_at is None and i.attempts >= attempts
            ][:limit]

    def projection_basis(self) -> str | None:
        """Like :meth:`SqliteStore.projection_basis`: what the rows were last computed under."""
        with self._lock:
            self._open()
            return self._t.basis

    def keep_projection_basis(self, basis: str, *, instead_of: str | None = None) -> bool:
        check_basis(basis, instead_of)
        with self._lock:
            self._open()
            if instead_of is not None and self._t.basis != instead_of:
                return False
            self._t.basis = basis
            return True

    def overlong_claims(self, longest: timedelta) -> list[int]:
        """Like :meth:`SqliteStore.overlong_claims`: pending items claimed past the
        store's clock plus ``longest``."""
        latest = claims_end_by(claim_time(self._clock), longest)
        return self._waiting_ids(lambda i: i.claimed_until is not None and i.claimed_until > latest)

    def overlong_retries(self, longest: timedelta, *, now: datetime | None = None) -> list[int]:
        """Like :meth:`SqliteStore.overlong_retries`: pending items due later than the
        time their wait counts from plus ``longest``, and never-tried ones due later
        than the later of their queueing, ``now`` and the store's clock plus
        ``longest``; those with a cell :meth:`unreadable_retries` names are not judged."""
        bound = check_longest(longest)
        at = untried_from(now, self._clock)
        return self._waiting_ids(
            lambda i: (
                i.next_attempt_at is not None
                and _unreadable_cell(i) is None
                and (
                    waits_too_long(
                        i.waits_from,
                        i.next_attempt_at,
                        bound,
                        kept_at=i.waits_at,
                        attempts=i.attempts,
                    )
                    or put_off_untried(
                        i.created_at, i.next_attempt_at, bound, attempts=i.attempts, now=at
                    )
                )
            )
        )

    def unreadable_retries(self) -> list[tuple[int, str]]:
        """Like :meth:`SqliteStore.unreadable_retries`: ``(id, "outbox.column")`` of
        the waiting items with a retry time whose retry cells cannot be read."""
        ids = self._waiting_ids(
            lambda i: i.next_attempt_at is not None and _unreadable_cell(i) is not None
        )
        with self._lock:
            return [(n, _unreadable_cell(self._outbox[n]) or "") for n in ids]

    def _waiting_ids(self, keep: Callable[[_Item], bool]) -> list[int]:
        """Ids of the items neither delivered nor dropped that ``keep`` keeps, in order."""
        with self._lock:
            self._open()
            return sorted(
                i.id
                for i in self._outbox.values()
                if i.delivered_at is None and i.dropped_at is None and keep(i)
            )

    def pending_counts(self) -> dict[str, int]:
        """Like :meth:`SqliteStore.pending_counts`: undelivered items not dropped, per channel."""
        with self._lock:
            self._open()
            return dict(
                Counter(
                    i.notifier
                    for i in self._outbox.values()
                    if i.delivered_at is None and i.dropped_at is None
                )
            )

    def retry_item(self, item_id: int, now: datetime) -> None:
        stamp = to_utc_text(now, "now")
        with self._lock:
            item = self._open_item(item_id)
            item.attempts = item.waits_at = 0
            item.next_attempt_at = item.waits_from = stamp

    def drop_item(
        self, item_id: int, at: datetime, reason: str, *, actor: str = "", os_user: str = ""
    ) -> None:
        stamp = to_utc_text(at, "at")
        why = check_reason(reason)
        with self._lock:
            item = self._open_item(item_id)
            item.dropped_at = stamp
            item.drop_reason = why
            item.dropped_by = actor
            item.dropped_os_user = os_user
            item.seal_now()

    def _open_item(self, item_id: int) -> _Item:
        """An item that may be retried or dropped by hand now: no sender's claim holds
        it on the store's clock."""
        item = self._item(item_id)
        if item.delivered_at is not None or item.dropped_at is not None:
            raise InvalidInputError("item_id", "the item was delivered or dropped already")
        clock = to_utc_text(claim_time(self._clock), "clock()")
        if item.claimed_until is not None and item.claimed_until > clock:
            raise being_sent(parse_utc(item.claimed_until))
        # the lapsed claim ends: a failed attempt kept under it finds it gone
        # (as chain.CLAIM_ENDED in the SQL stores; review s52R14 F02)
        item.claimed_until = item.claim_offset = item.held_by = None
        return item


def _bodies(events: Sequence[StoredEvent]) -> list[tuple[int, str]]:
    return [(e.schema_version, e.body_json) for e in events]


def _related_keys(row: ComplaintRow) -> list[tuple[str, ...]]:
    """The repeat-index keys of a row (IMP-3): by complainant, room and matter."""
    keys: list[tuple[str, ...]] = []
    if row.complainant_key:
        keys.append(("person", row.site, row.complainant_key))
    if row.room_key:
        keys.append(("room", row.site, row.room_key))
    if row.building:
        keys.append(("matter", row.site, row.building, row.category))
    return keys


def _raises(row: ComplaintRow, query: RaisingsQuery) -> bool:
    """GRD-2: whether a row an index found for ``query`` counts as an earlier raising:
    of its category and a complaint (VAL-4); one found by room is of the room's
    building, which its key holds (review s50H F05)."""
    return row.category == query.category and not not_a_complaint(_earlier(row))


def _earlier(row: ComplaintRow) -> Earlier:
    return Earlier(
        id=row.id,
        received_at=row.received_at,
        category=row.category,
        building=row.building,
        complainant_key=row.complainant_key,
        room_key=row.room_key,
        status=row.status,
        validity=row.validity,
        kind=row.kind,
    )


def _normalise(row: ComplaintRow, version: int, key: str) -> ComplaintRow:
    """What the SQLite store would give back: UTC times, the true version, the key."""
    if not isinstance(row, ComplaintRow):
        raise InvalidInputError("row", "expected a ComplaintRow")
    received = require_aware(row.received_at, "row.received_at").astimezone(UTC)
    due = (
        None
        if row.next_due is None
        else require_aware(row.next_due, "row.next_due").astimezone(UTC)
    )
    updated = (
        None
        if row.updated_at is None
        else require_aware(row.updated_at, "row.updated_at").astimezone(UTC)
    )
    breach = (
        None
        if row.breach_due is None
        else require_aware(row.breach_due, "row.breach_due").astimezone(UTC)
    )
    return attrs.evolve(
        row,
        received_at=received,
        next_due=due,
        updated_at=updated,
        breach_due=breach,
        version=version,
        idempotency_key=key,
    )


def _as_outbox_item(i: _Item, clock: str | None = None) -> OutboxItem:
    """The item as read; with ``clock`` (the store's), one a live claim holds is due
    when the claim lapses, if later (as :meth:`MemoryStore.waiting` lists it)."""
    due = i.next_attempt_at
    held = i.claimed_until
    if clock is not None and held is not None and held > clock and (due is None or held > due):
        due = held
    return outbox_item(i.id, i.notifier, i.body_json, i.attempts, due, i.last_error)


def _unreadable_cell(item: _Item) -> str | None:
    """The first retry cell of ``item`` verify cannot read (review s54R14 F03, F04)."""
    return unreadable_retry_cell(
        item.waits_from, item.next_attempt_at, item.created_at, item.attempts
    )
