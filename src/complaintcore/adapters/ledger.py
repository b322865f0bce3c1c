"""The store-wide ledger: one hash chain over every commit, the anchor for ``verify``.

Each complaint's events are chained to its intake (:mod:`complaintcore.adapters.chain`),
which catches an edit inside a history but not a history rewritten whole, a
complaint deleted with all its rows, or one fabricated with a fresh chain.  The
ledger closes those gaps: every commit that adds events or queues messages
appends one entry

    entry = [prev, complaint_id, version, head, outbox, key, created_at]
    hash  = sha256(canonical JSON of entry)

where ``prev`` is the hash of the entry before (the first links to
:func:`ledger_genesis` of the tenant), ``version`` and ``head`` are the
complaint's event count and chain head after the commit, ``outbox`` the digest
of the outbox rows the commit queued (:func:`outbox_digest`), and ``key`` and
``created_at`` the complaint's idempotency key and creation time on the commit
that created it (empty otherwise).

The ledger's last entry is its **head**, written ``seq:hash``.  A head kept
elsewhere proves, later, that nothing committed up to it was rewritten: a
rewrite changes every hash from the rewritten entry on.  Without a kept head,
someone who rewrites the ledger consistently as well goes unnoticed.

Everything here is pure; the stores read and write the rows.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from complaintcore.adapters.chain import (
    StoredEvent,
    canonical_json,
    chain_problems,
    genesis_hash,
    unreadable,
)
from complaintcore.core.errors import InvalidInputError

__all__ = [
    "LedgerEntry",
    "LedgerVerifier",
    "OutboxRecord",
    "StoredComplaint",
    "check_after",
    "check_touched",
    "entry_hash",
    "format_head",
    "ledger_genesis",
    "outbox_digest",
    "parse_head",
    "since_verifier",
]


class LedgerEntry(NamedTuple):
    """One ledger row."""

    seq: int
    complaint_id: str
    version: int
    head: str
    outbox: str
    key: str
    created_at: str
    prev: str
    hash: str


class OutboxRecord(NamedTuple):
    """The part of an outbox row a commit fixes (delivery bookkeeping changes later)."""

    id: int
    notifier: str
    dedupe_key: str
    complaint_id: str
    body_json: str
    created_at: str
    ledger_seq: int | None


class StoredComplaint(NamedTuple):
    """What an incremental check reads of one complaint the ledger names."""

    intake_json: str
    key: str
    created_at: str
    projected: int | None
    events: Sequence[StoredEvent]


def ledger_genesis(tenant: str) -> str:
    """What the first entry of a tenant's ledger links to."""
    return hashlib.sha256(canonical_json(["complaintcore ledger", tenant]).encode()).hexdigest()


def entry_hash(
    prev: str,
    complaint_id: str,
    version: int,
    head: str,
    outbox: str,
    key: str,
    created_at: str,
) -> str:
    text = canonical_json([prev, complaint_id, version, head, outbox, key, created_at])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def outbox_digest(records: Iterable[OutboxRecord]) -> str:
    """The digest of the outbox rows one commit queued, in id order; ``""`` for none."""
    fixed = [[r.notifier, r.dedupe_key, r.complaint_id, r.body_json, r.created_at] for r in records]
    if not fixed:
        return ""
    return hashlib.sha256(canonical_json(fixed).encode("utf-8")).hexdigest()


def format_head(seq: int, digest: str) -> str:
    """A ledger head as people keep it: ``seq:hash`` (``0:`` for an empty ledger)."""
    return f"{seq}:{digest}"


_HEAD = re.compile(r"(\d{1,19}):([0-9a-f]{64})|0:")

_LAST_SEQ = 2**63 - 1
"""The largest seq a ledger entry can have (a signed 64-bit column)."""


def check_after(after: object) -> int:
    """A ledger seq to read what was committed after (``0``: everything).

    :raises InvalidInputError: not a whole number from 0 to the last 64-bit seq.
    """
    if type(after) is not int or not 0 <= after <= _LAST_SEQ:
        raise InvalidInputError("after", "expected a ledger seq, a whole number from 0")
    return after


def parse_head(text: str, path: str = "expect") -> tuple[int, str]:
    """``seq`` and hash of a head printed by ``verify --head``.

    :raises InvalidInputError: not of the form ``seq:hash``, or a seq beyond 64 bits
        (named by ``path``).
    """
    if not isinstance(text, str):
        raise InvalidInputError(path, "expected a ledger head 'seq:hash'")
    match = _HEAD.fullmatch(text.strip().lower())
    # a seq beyond 64 bits is no entry's (review s41E F05: it reached the query)
    if match is None or (match.group(1) is not None and int(match.group(1)) > _LAST_SEQ):
        raise InvalidInputError(
            path, "expected a ledger head 'seq:hash' as 'verify --head' prints it"
        )
    if match.group(1) is None:
        return 0, ""
    return int(match.group(1)), match.group(2)


class LedgerVerifier:
    """Checks a tenant's ledger against its complaints and outbox, a part at a time.

    A store feeds it :meth:`entries` in ``seq`` order (in chunks), the outbox
    rows of each chunk with :meth:`outbox`, each complaint's stored facts with
    :meth:`complaint`, and reads :attr:`problems` at the end (after
    :meth:`finish`).  Problems name complaint ids, entry numbers and item ids,
    never a stored value (PRV-1).  Memory grows with the number of complaints
    (one short record each), not with the history.

    An incremental check (``verify(since=head)``) passes ``start``, the seq and
    hash of the entry before the first one fed: only the chain from there on is
    checked, and only the complaints named by the entries fed from
    ``recheck_from`` on are expected (their entries before it come through
    :meth:`earlier`).  ``expect`` and each
    of ``kept`` are heads kept from earlier runs that the entries fed must pass
    through unchanged.
    """

    def __init__(
        self,
        tenant: str,
        *,
        expect: tuple[int, str] | None = None,
        start: tuple[int, str] | None = None,
        kept: Iterable[tuple[int, str]] = (),
        recheck_from: int | None = None,
    ) -> None:
        self.problems: list[str] = []
        self.last_seq, self.last_hash = start if start is not None else (0, ledger_genesis(tenant))
        self.first_seq = self.last_seq + 1
        self.recheck_from = self.first_seq if recheck_from is None else recheck_from
        self.entries_read = 0
        self._kept: dict[int, set[str]] = {}
        for seq, digest in ([expect] if expect is not None else []) + list(kept):
            if seq > 0:
                self._kept.setdefault(seq, set()).add(digest)
        self._kept_found: set[int] = set()
        # per complaint: (first seq, first key, first created_at, [(version, head)])
        self._by_complaint: dict[str, tuple[int, str, str, list[tuple[int, str]]]] = {}
        self._outbox_by_seq: dict[int, str] = {}
        self._complaints_seen: set[str] = set()

    @property
    def head(self) -> str:
        """The head of the ledger as read: ``seq:hash``."""
        return format_head(self.last_seq, self.last_hash if self.last_seq else "")

    # ------------------------------------------------------------------ feeding

    def entries(self, entries: Iterable[LedgerEntry]) -> None:
        for stored in entries:
            expected_seq = self.last_seq + 1
            e, damaged = _readable_entry(stored, expected_seq)
            where = f"ledger entry {e.seq}"
            self.problems.extend(unreadable(where, f"ledger.{name}") for name in damaged)
            if e.seq != expected_seq:
                self.problems.append(
                    f"{where}: expected entry {expected_seq} (entries missing or reordered)"
                )
            if e.prev != self.last_hash:
                self.problems.append(f"{where}: does not link to the entry before (rewritten)")
            digest = entry_hash(
                e.prev, e.complaint_id, e.version, e.head, e.outbox, e.key, e.created_at
            )
            if digest != e.hash:
                self.problems.append(f"{where}: hash does not match its content (edited)")
            kept = self._kept.get(e.seq)
            if kept is not None and e.seq not in self._kept_found:
                self._kept_found.add(e.seq)
                if kept != {e.hash}:
                    self.problems.append(
                        f"{where}: differs from the kept head (the ledger was rewritten)"
                    )
            known = self._by_complaint.get(e.complaint_id)
            # a version unreadable records no commit to compare (its hash is named)
            commit = [] if "version" in damaged else [(e.version, e.head)]
            if e.seq < self.recheck_from:
                pass  # the checkpoint's own entry: re-hashed, its complaint not re-read
            elif known is None:
                self._by_complaint[e.complaint_id] = (e.seq, e.key, e.created_at, commit)
            else:
                known[3].extend(commit)
            if e.outbox:
                self._outbox_by_seq[e.seq] = e.outbox
            self.last_seq, self.last_hash = e.seq, e.hash
            self.entries_read += 1

    @property
    def touched(self) -> list[str]:
        """The complaints the entries fed name, in id order (an incremental check
        re-verifies exactly these)."""
        return sorted(self._by_complaint)

    def earlier(self, complaint_id: str, entries: Iterable[LedgerEntry]) -> None:
        """A touched complaint's entries before :attr:`recheck_from`, in ``seq``
        order: its creation entry's key and time, and the heads its earlier
        commits recorded.

        They are not re-hashed here: the check that printed the kept head did that.
        """
        known = self._by_complaint.get(complaint_id)
        before = [  # one damaged is left to the full check, which names it
            e
            for e in entries
            if not _damaged(e, LedgerEntry._fields, {"seq", "version"})
            and e.seq < self.recheck_from
        ]
        if known is None or not before:
            return
        first = before[0]
        commits = [(e.version, e.head) for e in before] + known[3]
        self._by_complaint[complaint_id] = (first.seq, first.key, first.created_at, commits)

    def outbox(self, records: Sequence[OutboxRecord]) -> None:
        """Outbox rows in id order; rows of one commit must come together."""
        groups: dict[int | None, list[OutboxRecord]] = {}
        for stored in records:
            r, damaged = _readable_record(stored)
            where = f"outbox item {r.id}"
            self.problems.extend(unreadable(where, f"outbox.{name}") for name in damaged)
            if "ledger_seq" not in damaged:  # else its commit's items differ or are gone
                groups.setdefault(r.ledger_seq, []).append(r)
        for seq, rows in groups.items():
            if seq is None or not self.first_seq <= seq <= self.last_seq:
                for r in rows:
                    self.problems.append(
                        f"outbox item {r.id}: queued by no commit of the ledger (added outside"
                        " the library)"
                    )
                continue
            expected = self._outbox_by_seq.pop(seq, "")
            if outbox_digest(rows) != expected:
                ids = ", ".join(str(r.id) for r in rows)
                self.problems.append(
                    f"ledger entry {seq}: its outbox items ({ids}) differ from what the commit"
                    " queued (edited, added or deleted)"
                )

    def complaint(
        self, complaint_id: str, key: str, created_at: str, heads: Mapping[int, str]
    ) -> None:
        """One stored complaint: its key and creation time as stored, and its chain's
        head at each version (``heads[0]`` is the genesis, ``heads[n]`` the hash of
        event ``n``)."""
        self._complaints_seen.add(complaint_id)
        known = self._by_complaint.get(complaint_id)
        where = f"complaint {complaint_id}"
        if known is None:
            self.problems.append(f"{where}: not in the ledger (added outside the library)")
            return
        _first, first_key, first_created, commits = known
        if first_key != key:
            self.problems.append(f"{where}: idempotency key differs from the ledger's")
        if first_created != created_at:
            self.problems.append(f"{where}: creation time differs from the ledger's")
        stored_version = max(heads) if heads else 0
        last_version = commits[-1][0] if commits else stored_version  # else unreadable
        if last_version != stored_version:
            self.problems.append(
                f"{where}: the ledger's last commit has version {last_version} but"
                f" {stored_version} events are stored (events added or deleted)"
            )
        for version, head in commits:
            if version <= stored_version and heads.get(version) != head:
                self.problems.append(
                    f"{where}: event {version} differs from what the ledger recorded"
                    " (history rewritten)"
                )
                break

    def finish(self) -> list[str]:
        """Problems left once everything was fed: complaints the ledger knows but the
        store lacks, commits whose outbox items are gone, a kept head not found (its
        entry deleted, or beyond the ledger's end)."""
        for cid in sorted(set(self._by_complaint) - self._complaints_seen):
            self.problems.append(f"complaint {cid}: in the ledger but not stored (deleted)")
        for seq in sorted(self._outbox_by_seq):
            self.problems.append(
                f"ledger entry {seq}: the outbox items it queued are gone (deleted)"
            )
        for seq in sorted(set(self._kept) - self._kept_found):
            where = f"ledger entry {seq}"
            if seq < self.last_seq:  # the ledger runs past it: a hole, not a cut end
                self.problems.append(f"{where}: missing (the kept head's entry was deleted)")
            else:
                self.problems.append(
                    f"{where}: the kept head is beyond the ledger's end (entries deleted)"
                )
        return self.problems


def _damaged(record: tuple[Any, ...], fields: tuple[str, ...], ints: set[str]) -> list[str]:
    """The columns of ``record`` not of their type (``ints`` integers, the rest
    texts, ``ledger_seq`` also unset): SQLite keeps any value in any column."""
    return [
        name
        for name, value in zip(fields, record, strict=True)
        if not (
            (type(value) is int if name in ints else type(value) is str)
            or (value is None and name == "ledger_seq")
        )
    ]


def _readable_entry(e: LedgerEntry, expected_seq: int) -> tuple[LedgerEntry, list[str]]:
    """``e`` with each damaged cell replaced (a seq by the one expected there, so the
    check goes on; a text by ``""``, which no longer hashes to the entry's hash), and
    the damaged columns."""
    damaged = _damaged(e, LedgerEntry._fields, {"seq", "version"})
    if not damaged:
        return e, damaged
    fill: dict[str, Any] = {"seq": expected_seq, "version": -1}
    return e._replace(**{name: fill.get(name, "") for name in damaged}), damaged


def _readable_record(r: OutboxRecord) -> tuple[OutboxRecord, list[str]]:
    """``r`` with each damaged text replaced by ``""`` (its commit's digest then
    differs), and the damaged columns; a damaged ``ledger_seq`` leaves it in no commit."""
    damaged = _damaged(r, OutboxRecord._fields, {"id", "ledger_seq"})
    if not damaged:
        return r, damaged
    fill: dict[str, Any] = {name: "" for name in damaged if name not in ("id", "ledger_seq")}
    return r._replace(**fill), damaged


# ---------------------------------------------------------------------- incremental


def since_verifier(
    tenant: str,
    since: str,
    expect: str | None,
    prev_of: Callable[[int], str | None],
) -> LedgerVerifier:
    """The verifier of ``verify(since=..., expect=...)``, ready to be fed from the
    first entry it must check (``checker.last_seq + 1``).

    It starts at the earlier of the two kept heads: that entry is fed and
    re-hashed too (its complaint is not re-read for it), so a checkpoint entry
    edited or rewritten is found, and both heads must be passed unchanged.
    ``prev_of(seq)`` is the stored ``prev`` of entry ``seq``, ``None`` if there
    is no such entry (then the head is reported beyond the ledger's end).

    :raises InvalidInputError: a head not of the form ``seq:hash`` (path
        ``since`` or ``expect``).
    """
    kept = [parse_head(since, "since")]
    if expect is not None:
        kept.append(parse_head(expect))
    base = min(seq for seq, _ in kept)
    if base == 0:
        return LedgerVerifier(tenant, kept=kept)
    prev = prev_of(base)
    if prev is None:
        start = (base, next(digest for seq, digest in kept if seq == base))
    else:
        start = (base - 1, prev)
    return LedgerVerifier(tenant, start=start, kept=kept, recheck_from=base + 1)


def check_touched(
    checker: LedgerVerifier,
    complaint_id: str,
    stored: StoredComplaint | None,
    *,
    orphan_events: bool = False,
    orphan_row: bool = False,
) -> tuple[int, list[str]]:
    """Re-verify one complaint an incremental check's entries name, as the full
    check does: its whole chain, its projection version, and the ledger's
    record of it (fed to ``checker``).  ``stored`` is ``None`` when the
    complaint record is gone; then ``orphan_events``/``orphan_row`` say whether
    its events or projection row were left behind.  Returns its event count
    and the problems the full check would name for it here.
    """
    if stored is None:
        problems = []
        if orphan_events:
            problems.append(f"complaint {complaint_id}: events stored without the complaint record")
        if orphan_row:
            problems.append(
                f"complaint {complaint_id}: projection row without the complaint record"
            )
        return 0, problems
    count, problems = chain_problems(
        complaint_id, stored.intake_json, stored.events, stored.projected
    )
    heads = {0: genesis_hash(stored.intake_json), **{e.seq: e.hash for e in stored.events}}
    checker.complaint(complaint_id, stored.key, stored.created_at, heads)
    return count, problems
