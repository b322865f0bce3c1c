"""What every store shares: canonical JSON, the hash chain, and value codecs.

The SQLite, PostgreSQL and in-memory stores -- and a host's own store -- must
agree byte for byte on what they hash, so a history checked by one means the
same as a history checked by another.  The chain (REC-5, tamper evidence):

    genesis   = sha256(intake JSON)
    hash[seq] = sha256(JSON [hash[seq-1], complaint_id, seq] + "\\n" + event JSON)

where every JSON text is canonical (sorted keys, no spaces, UTF-8) and is hashed
exactly as stored, so any edit to a stored text -- even one that keeps its
meaning -- breaks the chain.  The array prefix is self-delimiting, so no choice
of complaint id can make two different histories hash alike.  An event stored
with a schema version above 1 (see :mod:`complaintcore.event_versions`) has the
version as a fourth element of the prefix, ``[hash[seq-1], complaint_id, seq,
version]``, so the version cannot be changed unnoticed either; version-1 events
hash exactly as complaintcore 0.1.0 hashed them.

A host store builds the stored form of new events with :func:`chain_events` and
checks a stored history with :func:`chain_problems`.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import itertools
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, NamedTuple

import attrs

from complaintcore.core.errors import ComplaintCoreError, DamagedRecordError, InvalidInputError
from complaintcore.core.models import (
    FIRST_YEAR,
    LAST_YEAR,
    Complaint,
    Event,
    Intake,
    require_aware,
)
from complaintcore.desk.ports import (
    DEFAULT_TENANT,
    MAX_SWEEP_LEASE,
    AccessRecord,
    ComplaintRow,
    ListenerHold,
    Notification,
    OutboxItem,
    RaisingsQuery,
    RelatedQuery,
    check_tenant,
)

__all__ = [
    "DEFAULT_LEASE",
    "DEFAULT_TENANT",
    "MAX_BASIS_CHARS",
    "MAX_ERROR_CHARS",
    "MAX_INTEGER",
    "MAX_SWEEP_LEASE",
    "StoredEvent",
    "access_filters",
    "canonical_json",
    "chain_events",
    "chain_problems",
    "check_access",
    "check_attempts",
    "check_basis",
    "check_bounds",
    "check_events",
    "check_held",
    "check_item_id",
    "check_key_list",
    "check_keys",
    "check_limit",
    "check_listener_hold",
    "check_longest",
    "check_mark",
    "check_outbox",
    "check_raisings",
    "check_reason",
    "check_related",
    "check_row_id",
    "check_sweep_lease",
    "check_tenant",
    "claim_offset",
    "claim_time",
    "claimer_time",
    "claims_end_by",
    "decode_complaint",
    "effective_key",
    "encode_event",
    "encode_intake",
    "error_text",
    "event_hash",
    "genesis_hash",
    "held_claim",
    "latest_lease",
    "lease_end",
    "notification_from_json",
    "notification_to_json",
    "outbox_item",
    "parse_utc",
    "put_off_untried",
    "stored_time",
    "to_utc_text",
    "unreadable",
    "wait_start",
    "waits_too_long",
    "window_start",
]

MAX_ERROR_CHARS = 2000
"""Outbox ``last_error`` is cut to this length: a notifier's error can be long."""


def error_text(error: object) -> str:
    """A send's error as the outbox keeps it: control characters and lone surrogates
    escaped (a channel's reply may carry a NUL, which PostgreSQL cannot store, or
    bytes that are not text), then cut to :data:`MAX_ERROR_CHARS`; storing it never
    fails, so a bad reply cannot hold a message back from being counted."""
    text = str(error)
    shown = "".join(ch if ch.isprintable() or ch in " \t\n" else ascii(ch)[1:-1] for ch in text)
    return shown[:MAX_ERROR_CHARS]


# --------------------------------------------------------------------------- json + time


CLAIM_ENDED = "claimed_until = NULL, claim_offset = NULL, held_by = NULL"
"""Outbox columns a retry or drop by hand sets in the SQL stores: it ends the lapsed
claim it found (a live one refuses it), so a failed attempt kept under that claim
(the store refused it for a while) finds the claim gone and is not written over
the retry or onto the dropped message (review s52R14 F02)."""

DEFAULT_LEASE = timedelta(minutes=5)
"""How long a claimed outbox item or sweep row stays hidden from other workers."""


MAX_INTEGER = 2**63 - 1
"""The largest integer a store keeps (SQLite's and PostgreSQL's 64-bit integers)."""

_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
"""What ``json.dumps`` would build on every call with these arguments: built once."""


def canonical_json(data: Any) -> str:
    """One text per value: sorted keys, no whitespace, non-ASCII kept (UTF-8)."""
    return _CANONICAL.encode(data)


_make_encoder = getattr(json.encoder, "c_make_encoder", None)
_FRESH = (
    None
    if _make_encoder is None
    else _make_encoder(
        None, _CANONICAL.default, json.encoder.encode_basestring, None, ":", ",", True, False, True
    )
)
"""The C encoder behind :data:`_CANONICAL`, built once and without its cycle check.

Only for dicts the converter has just built (acyclic by construction): the same
text as :func:`canonical_json`, without the cost of setting up an encoder for
each of the many events a bulk intake writes."""


def _fresh_json(data: dict[str, Any]) -> str:
    """:func:`canonical_json` of a dict the serializer just built."""
    if _FRESH is None:  # pragma: no cover - a Python without the C accelerator
        return canonical_json(data)
    return "".join(_FRESH(data, 0))


@functools.cache
def _serializers() -> tuple[Callable[[Intake], dict[str, Any]], Callable[[Event], dict[str, Any]]]:
    """The serializer's dict builders, imported on first use (it is heavier than this module)."""
    from complaintcore.serialization import event_to_dict, intake_to_dict

    return intake_to_dict, event_to_dict


def _has_surrogate(text: str) -> bool:
    """Whether ``text`` holds a lone surrogate, the one thing UTF-8 cannot encode
    (asking the encoder is quicker than a regex scan of every stored text)."""
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


_SURROGATE_REASON = "contains a lone surrogate, which no UTF-8 text can hold"


def argument_holding(
    method: Callable[..., Any], args: Sequence[Any], kwargs: Mapping[str, Any], bad: str
) -> str:
    """The name of a store method's argument that holds ``bad`` (``"\\x00"``;
    ``"surrogate"``: a lone surrogate; ``"int64"``: an integer beyond 64 bits),
    for the error's path: an id or a filter taken from a URL names itself.
    ``"argument"`` when none is found."""

    def holds(value: object) -> bool:
        if isinstance(value, str):
            return _has_surrogate(value) if bad == "surrogate" else bad in value
        if isinstance(value, int) and not isinstance(value, bool):
            return bad == "int64" and not -(2**63) <= value < 2**63
        if isinstance(value, list | tuple | set | frozenset):
            return any(holds(v) for v in value)
        return False

    try:
        bound = inspect.signature(method).bind(None, *args, **kwargs)
    except TypeError:
        return "argument"
    for name, value in list(bound.arguments.items())[1:]:  # not self
        if holds(value):
            return name
    return "argument"


def _storable(text: str, path: str) -> str:
    """Refuse what UTF-8 cannot hold (a lone surrogate) before any write starts."""
    if _has_surrogate(text):
        raise InvalidInputError(path, _SURROGATE_REASON)
    return text


def encode_intake(intake: Intake) -> str:
    return _storable(_fresh_json(_serializers()[0](intake)), "intake")


def encode_event(event: Event) -> str:
    text = _fresh_json(_serializers()[1](event))
    if _has_surrogate(text):  # the path is only put together for the error
        raise InvalidInputError(f"events.{event.kind}", _SURROGATE_REASON)
    return text


def decode_complaint(
    complaint_id: str, intake_json: str, bodies: Iterable[str | tuple[int, str]]
) -> Complaint:
    """Rebuild a complaint from stored texts; the state is refolded, never stored.

    ``bodies`` are the stored event texts in seq order, each either plain (schema
    version 1) or ``(schema_version, text)``; older versions are upcast to the
    current one (:func:`complaintcore.event_versions.upcast`) before decoding.

    :raises DamagedRecordError: a stored text is not what the library wrote (not
        JSON, not an intake or event, or a history the workflow cannot fold);
        the error names the complaint and the part, never a value.
    """
    from complaintcore.core.workflow import replay
    from complaintcore.event_versions import EVENT_VERSIONS
    from complaintcore.event_versions import EventVersionError as EVENT_ERRORS
    from complaintcore.serialization import event_from_dict, intake_from_dict

    part = "the intake"
    try:
        intake = intake_from_dict(json.loads(intake_json))
        events = []
        for seq, item in enumerate(bodies, start=1):
            part = f"event {seq}"
            version, body = (1, item) if isinstance(item, str) else item
            data: Mapping[str, Any] = json.loads(body)
            kind = data.get("type") if isinstance(data, Mapping) else None
            if isinstance(kind, str) and version != EVENT_VERSIONS.current(kind):
                data = EVENT_VERSIONS.upcast(kind, version, data)
            _no_later_field(kind, version, data)
            events.append(event_from_dict(data))
        part = "the history"
        return replay(complaint_id, intake, events)
    except EVENT_ERRORS:  # written by a newer complaintcore: not damage, an upgrade
        raise
    except (ValueError, TypeError, KeyError, RecursionError, ComplaintCoreError) as exc:
        raise DamagedRecordError(complaint_id, _damage(part, exc)) from None


_FIELD_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}\Z")
"""What a field a later complaintcore added can be called (a Python attribute's
name): any other key is damage, and is named by no one (PRV-1)."""


def _no_later_field(kind: object, version: int, data: Mapping[str, Any]) -> None:
    """A stored event of a known type with a field this complaintcore does not know,
    named like a field, was probably written by a newer complaintcore: such a field
    is added without a new event version (it is left out while it holds its
    default, so older events hash as stored).  Raised as an
    :class:`~complaintcore.event_versions.EventVersionError` (upgrade), naming the
    type and the field, never a value (review s55R6 F03)."""
    from complaintcore.core.models import EVENT_BY_KIND
    from complaintcore.event_versions import EVENT_VERSIONS, EventVersionError

    cls = EVENT_BY_KIND.get(kind) if isinstance(kind, str) else None
    if cls is None or not isinstance(data, Mapping):
        return
    known = {"type", *(a.name for a in attrs.fields(cls))}
    unknown = sorted(k for k in data if isinstance(k, str) and k not in known)
    if unknown and all(_FIELD_NAME.match(k) for k in unknown):
        fields = ", ".join(repr(k) for k in unknown[:3])
        more = f" and {len(unknown) - 3} more" if len(unknown) > 3 else ""
        raise EventVersionError(
            cls.kind,
            version,
            EVENT_VERSIONS.current(cls.kind),
            f"unknown field {fields}{more}: probably written by a newer complaintcore; upgrade",
        )


def _damage(part: str, exc: BaseException) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{part} is not valid JSON"
    if isinstance(exc, RecursionError):
        return f"{part} is nested too deeply"
    return f"{part} is not a valid record"


def to_utc_text(value: datetime, path: str) -> str:
    """``YYYY-MM-DDTHH:MM:SS.ffffff+00:00``: fixed width, so text order is time order."""
    # The checks of require_aware, inline: a bulk intake writes several times a complaint.
    if (
        type(value) is not datetime
        or value.tzinfo is None
        or value.utcoffset() is None
        or not FIRST_YEAR <= value.year <= LAST_YEAR
    ):
        require_aware(value, path)
    global _last_utc
    last = _last_utc
    if last[0] is value:  # one `now` stamps most of a bulk batch's events
        return last[1]
    text = value.astimezone(UTC).isoformat(timespec="microseconds")
    _last_utc = (value, text)
    return text


_last_utc: tuple[object, str] = (None, "")
"""The last time written and its text (datetimes are immutable: the same object, the same text)."""


def lease_end(now: datetime, lease: timedelta) -> str:
    """``now + lease`` as stored text; a lease no calendar can hold is refused.

    Added in UTC: Python adds a timedelta to a zoned time on the wall clock, so the
    second 01:30 of a night a ``ZoneInfo`` repeats plus 5 minutes was 01:35 of the
    first, 55 minutes before ``now``: the lease had lapsed as it was taken and
    ``claim_due`` handed the row back for ever (review s57R5 F01)."""
    require_aware(now, "now")
    if not isinstance(lease, timedelta) or lease < timedelta(0):
        raise InvalidInputError("lease", "must be a non-negative timedelta")
    try:
        return to_utc_text(now.astimezone(UTC) + lease, "lease")
    except (OverflowError, InvalidInputError):
        raise InvalidInputError("lease", "ends after the last year a time may fall in") from None


def claim_time(clock: Callable[[], datetime] | None) -> datetime:
    """The time on the clock a store keeps outbox claims on: ``clock()`` (a test's),
    else this machine's, in UTC.

    A claim is about real time between processes -- how long a sender may still
    be sending -- not about the ``now`` the desk decides by, which a catch-up
    (``--now`` in the past) or a host whose clock is off sets elsewhere: a claim
    counted from that ``now`` looked lapsed, or was not yet taken, to a process at
    another ``now``, and its message went out twice (review s46C F01).
    """
    at = datetime.now(UTC) if clock is None else require_aware(clock(), "clock()")
    return at.astimezone(UTC)


def claimer_time(value: datetime, offset: int | None, path: str) -> str:
    """A time a claimer gives about its claim (a hold's end), counted in the claimer's
    ``now``, as stored text on the store's clock: moved by the claim's ``offset``
    (microseconds from the claimer's ``now`` to the store's clock when it claimed;
    ``None``, an item claimed before the store kept it: not moved)."""
    require_aware(value, path)
    try:  # added in UTC, not on a zone's wall clock (review s57R5 F01)
        return to_utc_text(value.astimezone(UTC) + timedelta(microseconds=offset or 0), path)
    except OverflowError:
        raise InvalidInputError(path, "ends after the last year a time may fall in") from None


def claim_offset(at: datetime, now: datetime) -> int:
    """Microseconds from the claimer's ``now`` to the store's clock ``at`` (see
    :func:`claimer_time`)."""
    delta = at - require_aware(now, "now")
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def check_listener_hold(held: object) -> ListenerHold | None:
    """A write's ``held`` (``ListenerHoldStore``): a :class:`ListenerHold` or ``None``."""
    if held is not None and not isinstance(held, ListenerHold):
        raise InvalidInputError("held", "expected a ListenerHold or None")
    return held


def check_mark(mark: object) -> str:
    """The mark a ``release_held`` names (a :class:`ListenerHold`'s)."""
    if not isinstance(mark, str) or not mark:
        raise InvalidInputError("mark", "expected the mark of a ListenerHold")
    return mark


def held_claim(at: datetime, held: ListenerHold) -> str:
    """The end of a listener hold taken at ``at`` on the store's clock (see
    :func:`claim_time`), as stored text: counted like a sender's claim, not from
    the writer's ``now`` (a catch-up's ``now`` a week back would hold nothing)."""
    return lease_end(at, held.lasts)


def claims_end_by(at: datetime, longest: object) -> str:
    """The latest a claim may end at ``at`` on the store's clock, as stored text: a
    claim ending later than ``at + longest`` is one no sender took (see
    :class:`~complaintcore.desk.ports.ClaimHealthStore`)."""
    try:
        return to_utc_text(at + check_longest(longest), "longest")
    except (OverflowError, InvalidInputError):
        raise InvalidInputError("longest", "ends after the last year a time may fall in") from None


def wait_start(attempted_at: datetime | None, clock_at: datetime, offset: int | None) -> str:
    """The time a failed message's wait counts from, as stored text
    (:class:`~complaintcore.desk.ports.RetryHealthStore`): ``attempted_at``, the desk's
    time the retry delay was counted from; without it the later of the store's clock
    ``clock_at`` and the claimer's time on it (moved back by the claim's ``offset``,
    see :func:`claimer_time`), as a claimer ahead of the clock counts from its own."""
    if attempted_at is not None:
        return to_utc_text(attempted_at, "attempted_at")
    claimer = clock_at - timedelta(microseconds=offset or 0)
    return to_utc_text(max(clock_at, claimer), "clock()")


def waits_too_long(
    start: str | None, due: str | None, longest: timedelta, *, kept_at: int | None, attempts: int
) -> bool:
    """Whether a message due at ``due`` (stored text) waits later than ``longest`` after
    ``start``, the time its wait counts from, kept when the message had ``kept_at``
    attempts.  Not judged when unknown, nor when it has ``attempts`` other than those:
    a failed attempt by a process of a release that did not keep the start (one still
    running after the upgrade) moved the retry time and left the start behind
    (review s51R12 F01)."""
    if start is None or due is None or kept_at != attempts:
        return False
    return parse_utc(due) - parse_utc(start) > longest


def put_off_untried(
    created: str | None, due: str | None, longest: timedelta, *, attempts: int, now: datetime
) -> bool:
    """Whether a message never tried since its queueing or its retry by hand
    (``attempts`` 0) is due at ``due`` (stored text) later than ``longest`` after
    the later of its queueing ``created`` (stored text, fixed by the ledger's digest
    of the commit that queued it) and ``now`` (the later of the check's time and the
    store's clock: :func:`untried_from`), whatever the time its wait counts from and
    the attempts kept with it say: such a message has no retry time but the one a
    retry by hand gave it, that retry's ``now``.  Its wait columns are covered by no
    seal or ledger, so one blanked, or moved as far ahead as the retry time, hid the
    edit (review s54R6 F01)."""
    if attempts != 0 or due is None:
        return False
    start = require_aware(now, "now")
    if created:
        start = max(start, parse_utc(created))
    return parse_utc(due) - start > longest


def untried_from(now: datetime | None, clock: Callable[[], datetime] | None) -> datetime:
    """The time a never-tried message's retry time is judged from
    (:func:`put_off_untried`), besides its queueing: the later of the check's ``now``
    and the store's clock (:func:`claim_time`).  A retry by hand stamps its own
    ``now`` (the wall clock without ``--now``), which may be later than a check run
    "as at" an earlier time (review s54R14 F01)."""
    at = claim_time(clock)
    return at if now is None else max(at, require_aware(now, "now").astimezone(UTC))


def unreadable_retry_cell(
    start: object, due: object, created: object, attempts: object
) -> str | None:
    """The first of a waiting item's retry cells ``verify`` cannot read, as
    ``outbox.column`` (reported with :func:`unreadable`), or ``None``: a time not as
    the library writes it (not a time, a BLOB, naive, outside the years), or an
    attempt count that is not a whole number of 0 or more (the library counts up
    from 0).  Such a cell made the check stop with a traceback, or hid the message
    from it and from delivery (review s54R14 F03, F04)."""
    for value, column in ((due, "next_attempt_at"), (start, "waits_from"), (created, "created_at")):
        try:
            stored_time(value, f"outbox.{column}")
        except InvalidInputError:
            return f"outbox.{column}"
    if type(attempts) is not int or attempts < 0:
        return "outbox.attempts"
    return None


class FailedAt:
    """:meth:`~complaintcore.desk.ports.RetryHealthStore.mark_failed_at` of the
    built-in stores (each derives from this directly and has ``_failed``): the failed
    attempt recorded, its wait counted from ``attempted_at``.  A host's own
    ``mark_failed`` (``mark_failed_held`` for a held failure) -- a subclass's
    override, or a wrapper set on the store -- with the documented
    ``ComplaintStore`` signature ``(item_id, error, retry_at)`` is called instead,
    so one that logs or counts failures still hears each (review s51R12 F03)."""

    _built_in: type
    _failed: Callable[..., bool]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if FailedAt in cls.__bases__:
            cls._built_in = cls  # a host's subclass keeps it

    def mark_failed_at(
        self,
        item_id: int,
        error: str,
        retry_at: datetime,
        attempted_at: datetime,
        *,
        held: bool = False,
    ) -> None:
        name = "mark_failed_held" if held else "mark_failed"
        own: Callable[[int, str, datetime], None] = getattr(self, name)
        if getattr(own, "__func__", own) is getattr(self._built_in, name):
            self._failed(item_id, error, retry_at, held=held, attempted_at=attempted_at)
        else:
            own(item_id, error, retry_at)

    def mark_failed_claimed(
        self,
        item_id: int,
        claim: datetime,
        error: str,
        retry_at: datetime,
        attempted_at: datetime,
        *,
        held: bool = False,
    ) -> bool:
        """:meth:`mark_failed_at`, in the same statement only while the item still
        holds the claim that ends at ``claim`` (``OutboxItem.claim``): a failed
        attempt written late (kept while the store refused it) must not end a claim
        another sender took since (review s52R10 F03).  False: nothing written.  A
        host's own ``mark_failed`` (see :meth:`mark_failed_at`) is called as it is,
        unconditionally."""
        name = "mark_failed_held" if held else "mark_failed"
        own: Callable[[int, str, datetime], None] = getattr(self, name)
        if getattr(own, "__func__", own) is not getattr(self._built_in, name):
            own(item_id, error, retry_at)
            return True
        written: bool = self._failed(
            item_id, error, retry_at, held=held, attempted_at=attempted_at, claim=claim
        )
        return written


def check_longest(longest: object) -> timedelta:
    """The longest claim a desk takes (``ClaimHealthStore.overlong_claims``): 0 or more."""
    if not isinstance(longest, timedelta) or longest < timedelta(0):
        raise InvalidInputError("longest", "must be a timedelta of 0 or more")
    return longest


def check_sweep_lease(lease: object) -> timedelta:
    """A sweep lease: from zero to :data:`MAX_SWEEP_LEASE` (longer ones are not honoured)."""
    if not isinstance(lease, timedelta) or not timedelta(0) <= lease <= MAX_SWEEP_LEASE:
        raise InvalidInputError("lease", f"must be a timedelta from 0 to {MAX_SWEEP_LEASE}")
    return lease


def latest_lease(now: datetime) -> datetime:
    """The latest a sweep lease taken by ``now`` can end, in UTC: a stored lease that
    ends later was taken by no claim (an edit, or a clock far ahead) and is ignored."""
    return require_aware(now, "now").astimezone(UTC) + MAX_SWEEP_LEASE


def parse_utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def unreadable(where: str, column: str) -> str:
    """The problem ``verify`` names for a cell it cannot read (``column`` as
    ``table.column``): one line naming the row and the column, never the value
    (PRV-1), so the check goes on with the other rows (review s41E F02)."""
    return f"{where}: {column} unreadable (edited outside the library)"


def stored_time(value: object, column: str) -> datetime | None:
    """A stored time as ``verify`` reads it: ``None`` when unset, else aware UTC.

    Accepts the library's text (SQLite) or a datetime (PostgreSQL).

    :raises InvalidInputError: not a time the library writes (path ``column``):
        not a time at all, or outside the years :func:`to_utc_text` writes.
    """
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value) if isinstance(value, str) else value
        if type(when) is datetime:
            to_utc_text(when, column)  # the zone and the years the library writes
            return when.astimezone(UTC)
    except (ValueError, OverflowError):
        pass
    raise InvalidInputError(column, "not a time the library writes")


# --------------------------------------------------------------------------- chain


def genesis_hash(intake_json: str) -> str:
    """The chain's anchor: editing the stored intake breaks the link to event 1.

    A stored intake that is no text (a BLOB, or text that is not UTF-8, as a
    check reads it) anchors nothing: ``""``, and :func:`chain_problems` names
    it unreadable (review s45G F03)."""
    if type(intake_json) is not str:
        return ""
    return hashlib.sha256(intake_json.encode("utf-8")).hexdigest()


_json_text = json.encoder.encode_basestring
"""A text as canonical_json writes it (non-ASCII kept)."""


def event_hash(
    prev_hash: str, complaint_id: str, seq: int, body_json: str, schema_version: int = 1
) -> str:
    """The hash of one stored event, linked to ``prev_hash`` (see the module docstring)."""
    # canonical_json([prev_hash, complaint_id, seq(, schema_version)]), put together
    # by hand (the same characters, without the encoder's cost per stored event)
    plain = type(prev_hash) is str and type(complaint_id) is str and type(seq) is int
    if plain and type(schema_version) is int:
        texts = f"{_json_text(prev_hash)},{_json_text(complaint_id)},{seq}"
        head = f"[{texts}]" if schema_version == 1 else f"[{texts},{schema_version}]"
    elif schema_version == 1:
        head = canonical_json([prev_hash, complaint_id, seq])
    else:
        head = canonical_json([prev_hash, complaint_id, seq, schema_version])
    return hashlib.sha256(f"{head}\n{body_json}".encode()).hexdigest()


class StoredEvent(NamedTuple):
    """One stored event as the chain sees it.

    ``kind``, ``at`` and ``actor`` are copies of the body's ``type``, ``at`` and
    ``actor`` kept for queries; :func:`chain_problems` checks they agree.
    """

    seq: int
    kind: str
    at: str
    actor: str
    body_json: str
    prev_hash: str
    hash: str
    schema_version: int = 1

    def __repr__(self) -> str:  # the body quotes the complainant (review s41F)
        return (
            f"StoredEvent(seq={self.seq}, kind={self.kind!r}, at={self.at!r},"
            f" actor={self.actor!r}, body_json=<{len(self.body_json)} characters>,"
            f" hash={self.hash[:12]!r}…)"
        )


def chain_events(
    complaint_id: str,
    events: Iterable[Event],
    *,
    version: int,
    prev_hash: str,
    bodies: Sequence[str] | None = None,
) -> list[StoredEvent]:
    """The stored form of ``events`` appended after ``version``: texts, versions, hashes.

    ``prev_hash`` is the hash of event ``version``, or ``genesis_hash(intake_json)``
    for a new complaint (``version`` 0).  ``bodies`` are the events' texts if
    already encoded with :func:`encode_event` (a store does that before taking
    its write lock).  This is how every built-in store writes events; a host
    store that keeps these fields as they are gets the same chain.
    """
    from complaintcore.event_versions import EVENT_VERSIONS

    checked = check_events(events)
    texts = [encode_event(ev) for ev in checked] if bodies is None else list(bodies)
    if len(texts) != len(checked):
        raise InvalidInputError("bodies", "expected one text per event")
    current = EVENT_VERSIONS.current
    out = []
    last_at: datetime | None = None
    at_text = ""
    for offset, (event, body) in enumerate(zip(checked, texts, strict=True), start=1):
        seq = version + offset
        schema = current(event.kind)
        digest = event_hash(prev_hash, complaint_id, seq, body, schema)
        # The at column is the body's own text (the serializer writes isoformat()),
        # written once for the events one command stamped with the same time object.
        if event.at is not last_at:
            last_at, at_text = event.at, event.at.isoformat()
        out.append(
            StoredEvent(seq, event.kind, at_text, event.actor, body, prev_hash, digest, schema)
        )
        prev_hash = digest
    return out


def chain_problems(
    complaint_id: str,
    intake_json: str,
    events: Iterable[StoredEvent],
    projected_version: int | None,
) -> tuple[int, list[str]]:
    """Check one complaint's history; return its event count and the problems.

    Problems name the complaint id and the seq only -- never a stored value, which
    could be personal data (PRV-1).  ``projected_version`` ``None`` means the
    projection row is missing; another value than an integer, a version edited
    into something else, is named unreadable.
    """
    problems: list[str] = []
    prev = genesis_hash(intake_json)
    if not prev:  # a BLOB or undecodable text: named, the events still checked
        problems.append(unreadable(f"complaint {complaint_id}", "complaints.intake_json"))
    expected_seq = 1
    count = 0
    for ev in events:
        count += 1
        where = f"complaint {complaint_id} event {ev.seq}"
        if ev.seq != expected_seq:
            problems.append(f"{where}: expected seq {expected_seq} (events missing or reordered)")
        if prev and ev.prev_hash != prev:
            what = "the intake" if expected_seq == 1 else f"event {expected_seq - 1}"
            problems.append(f"{where}: does not link to {what} (edited or deleted)")
        if type(ev.body_json) is not str:  # a BLOB or undecodable text (review s45G F03)
            problems.append(unreadable(where, "events.body_json"))
        else:
            problems.extend(f"{where}: {p}" for p in _content_problems(complaint_id, ev))
        prev = ev.hash
        expected_seq = ev.seq + 1
    if projected_version is None:
        problems.append(f"complaint {complaint_id}: projection row missing")
    elif type(projected_version) is not int:  # SQLite keeps any value in any column
        problems.append(unreadable(f"complaint {complaint_id}", "projection.version"))
    elif projected_version != count:
        problems.append(
            f"complaint {complaint_id}: projection says version {projected_version} "
            f"but {count} events are stored (events deleted or projection stale)"
        )
    return count, problems


def _content_problems(complaint_id: str, ev: StoredEvent) -> list[str]:
    """The event's hash, and the query columns copied from its body."""
    found = []
    if ev.hash != event_hash(ev.prev_hash, complaint_id, ev.seq, ev.body_json, ev.schema_version):
        found.append("hash does not match its content (edited)")
    return found + _column_problems(ev)


def _column_problems(ev: StoredEvent) -> list[str]:
    """The kind/at/actor columns are copies kept for queries; they must match the body."""
    try:
        body = json.loads(ev.body_json)
    except ValueError:
        return ["body is not valid JSON"]
    if not isinstance(body, dict):
        return ["body is not a JSON object"]
    out = []
    if body.get("type") != ev.kind:
        out.append("kind column differs from the body")
    if body.get("at") != ev.at:
        out.append("at column differs from the body")
    if body.get("actor") != ev.actor:
        out.append("actor column differs from the body")
    return out


# --------------------------------------------------------------------------- rows


def effective_key(complaint: Complaint, row: ComplaintRow) -> str:
    """The idempotency key of a new complaint: the row's, else the intake's."""
    if not isinstance(row, ComplaintRow):
        raise InvalidInputError("row", "expected a ComplaintRow")
    if row.id != complaint.id:
        raise InvalidInputError("row.id", "does not match the complaint's id")
    key = row.idempotency_key or complaint.intake.idempotency_key
    if complaint.intake.idempotency_key and key != complaint.intake.idempotency_key:
        raise InvalidInputError("row.idempotency_key", "differs from the intake's key")
    return key


def check_bounds(bounds: object) -> list[datetime]:
    """The period bounds of :meth:`ReportStore.received_counts`: aware, ascending."""
    if isinstance(bounds, str) or not isinstance(bounds, Sequence):
        raise InvalidInputError("bounds", "expected a sequence of aware datetimes")
    edges = [require_aware(b, "bounds") for b in bounds]
    if any(b >= c for b, c in itertools.pairwise(edges)):
        raise InvalidInputError("bounds", "must be strictly ascending")
    return edges


def check_row_id(row: ComplaintRow, complaint_id: str) -> None:
    if not isinstance(row, ComplaintRow):
        raise InvalidInputError("row", "expected a ComplaintRow")
    if row.id != complaint_id:
        raise InvalidInputError("row.id", "does not match the complaint id")


# --------------------------------------------------------------------------- outbox


def notification_to_json(n: Notification) -> str:
    return canonical_json(
        {
            "key": n.key,
            "complaint_id": n.complaint_id,
            "topic": n.topic,
            "recipient": n.recipient,
            "subject": n.subject,
            "body": n.body,
            "created_at": require_aware(n.created_at, "notification.created_at").isoformat(),
            "data": [[k, v] for k, v in n.data],
        }
    )


def notification_from_json(text: str) -> Notification:
    d: Mapping[str, Any] = json.loads(text)
    return Notification(
        key=d["key"],
        complaint_id=d["complaint_id"],
        topic=d["topic"],
        recipient=d["recipient"],
        subject=d["subject"],
        body=d["body"],
        created_at=datetime.fromisoformat(d["created_at"]),
        data=tuple((str(k), str(v)) for k, v in d["data"]),
    )


def outbox_item(
    item_id: int,
    notifier: str,
    body_json: str,
    attempts: int,
    next_attempt_at: str | None,
    last_error: str | None,
) -> OutboxItem:
    return OutboxItem(
        id=item_id,
        notifier=notifier,
        notification=notification_from_json(body_json),
        attempts=attempts,
        next_attempt_at=parse_utc(next_attempt_at) if next_attempt_at else None,
        last_error=last_error or "",
    )


def check_outbox(outbox: Iterable[tuple[str, Notification]]) -> list[tuple[str, Notification]]:
    """Refuse malformed entries before any write: a notifier name and a dedupe key."""
    out = list(outbox)
    for i, (notifier, n) in enumerate(out):
        if not isinstance(notifier, str) or not notifier:
            raise InvalidInputError(f"outbox[{i}].notifier", "must be a non-empty name")
        if not isinstance(n, Notification):
            raise InvalidInputError(f"outbox[{i}]", "expected a Notification")
        if not n.key:
            raise InvalidInputError(f"outbox[{i}].key", "a notification needs a dedupe key")
        require_aware(n.created_at, f"outbox[{i}].created_at")
    return out


def check_held(held: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The (channel, dedupe key) pairs a ``release_held`` names, refused naming the
    entry when one is not two pieces of text (``ListenerHoldStore``)."""
    if isinstance(held, str | bytes):
        raise InvalidInputError("held", "expected a list of (channel, dedupe key) pairs")
    out = []
    for i, pair in enumerate(held):
        if (
            not isinstance(pair, tuple)
            or len(pair) != 2
            or not all(isinstance(x, str) and x for x in pair)
        ):
            raise InvalidInputError(f"held[{i}]", "expected a (channel, dedupe key) pair")
        out.append((pair[0], pair[1]))
    return out


def check_events(events: Iterable[Event]) -> list[Event]:
    out = list(events)
    for i, ev in enumerate(out):
        if not isinstance(ev, Event):
            raise InvalidInputError(f"events[{i}]", f"expected an Event, got {type(ev).__name__}")
    return out


def check_staff_id(staff_id: object) -> str:
    """A staff id a store is asked about: non-empty text (PEN-2)."""
    if not isinstance(staff_id, str) or not staff_id.strip():
        raise InvalidInputError("staff_id", "expected a staff id (non-empty text)")
    return staff_id


def check_limit(limit: int | None) -> None:
    if limit is not None and (
        isinstance(limit, bool) or not isinstance(limit, int) or not 0 <= limit <= MAX_INTEGER
    ):
        raise InvalidInputError("limit", f"must be an integer from 0 to {MAX_INTEGER}, or None")


EARLIEST_TIME = datetime(
    FIRST_YEAR, 1, 1, tzinfo=timezone(timedelta(hours=24) - timedelta(microseconds=1))
)
"""1 January of :data:`FIRST_YEAR` at the largest offset a time zone can have: no
stored time is earlier."""


def window_start(value: datetime, path: str) -> datetime:
    """The lower bound of a look-back window (IMP-3, HDL-5), no earlier than any
    stored time.

    A complaint received early in :data:`FIRST_YEAR` looks back into the year before,
    which :func:`require_aware` refuses as a typo, naming ``since``, a field nobody
    gave; no stored complaint is earlier, so the answer is the same from
    :data:`EARLIEST_TIME`.  Anything else is checked as :func:`require_aware` checks it.
    """
    if (
        isinstance(value, datetime)
        and value.tzinfo is not None
        and value.utcoffset() is not None
        and value < EARLIEST_TIME
    ):
        return EARLIEST_TIME
    return require_aware(value, path)


def check_related(query: RelatedQuery) -> None:
    """An IMP-3 question's texts and limit, checked as :meth:`related` checks its arguments."""
    check_keys(
        site=query.site,
        complainant_key=query.complainant_key,
        room_key=query.room_key,
        building=query.building,
        category=query.category,
    )
    check_limit(query.limit)


def check_raisings(query: RaisingsQuery) -> None:
    """A GRD-2 count's texts and limit, checked as :meth:`related` checks its arguments."""
    check_keys(
        site=query.site,
        complainant_key=query.complainant_key,
        room_key=query.room_key,
        building=query.building,
        category=query.category,
    )
    check_limit(query.limit)


def check_key_list(keys: Sequence[str]) -> list[str]:
    """A batch's idempotency keys as ``stored_keys`` asks for them: each must be
    text (the error names its place in ``keys``); empty ones ask nothing."""
    for i, key in enumerate(keys):
        if not isinstance(key, str):
            raise InvalidInputError(f"keys[{i}]", f"expected text, got {type(key).__name__}")
    return [k for k in keys if k]


def check_keys(**keys: object) -> None:
    """Texts a query matches on (site, keys, building, category): each must be text."""
    for name, value in keys.items():
        if not isinstance(value, str):
            raise InvalidInputError(name, f"expected text, got {type(value).__name__}")
        if _NOT_TEXT.search(value):
            raise InvalidInputError(name, "contains a control character or a lone surrogate")


_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def check_attempts(value: int) -> int:
    """``max_attempts`` of a dead-letter query: a positive 64-bit integer."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_INTEGER:
        raise InvalidInputError("max_attempts", "must be a positive integer")
    return value


def check_reason(reason: str) -> str:
    """Why a message is dropped: one line of text, at most 500 characters."""
    from complaintcore.core.limits import clean_text

    return " ".join(clean_text(reason, "reason", 500).split())


def check_access(record: AccessRecord) -> AccessRecord:
    """An access record fit to store: an aware time, ids and short texts."""
    from complaintcore.core.limits import clean_text

    if not isinstance(record, AccessRecord):
        raise InvalidInputError("record", "expected an AccessRecord")
    require_aware(record.at, "at")
    for name in ("actor", "complaint_id"):
        value = getattr(record, name)
        if not isinstance(value, str) or not value.strip():
            raise InvalidInputError(name, "must be a non-empty id")
    return attrs.evolve(
        record,
        actor=clean_text(record.actor, "actor", 200),
        complaint_id=clean_text(record.complaint_id, "complaint_id", 200),
        purpose=clean_text(record.purpose, "purpose", 500),
        via=clean_text(record.via, "via", 100),
        os_user=clean_text(record.os_user, "os_user", 100),
    )


def access_filters(complaint_id: str | None, actor: str | None) -> list[tuple[str, str]]:
    """The equality filters of an access-log query, checked."""
    out = []
    for column, value in (("complaint_id", complaint_id), ("actor", actor)):
        if value is None:
            continue
        if not isinstance(value, str):
            raise InvalidInputError(column, "expected text")
        out.append((column, value))
    return out


MAX_BASIS_CHARS = 160
"""The longest value a BasisStore keeps: the desk writes a 64-digit digest, ``mixed``,
or ``underway <digest> <token>`` (106 characters)."""


def check_basis(basis: str, instead_of: str | None = None) -> None:
    """A projection basis a store can keep (BasisStore): non-empty text of at most
    :data:`MAX_BASIS_CHARS` characters, as is what it replaces."""
    for path, value in (("basis", basis), ("instead_of", instead_of)):
        if value is None and path == "instead_of":
            continue
        if not isinstance(value, str) or not value or len(value) > MAX_BASIS_CHARS:
            raise InvalidInputError(
                path, f"expected a non-empty text of at most {MAX_BASIS_CHARS} characters"
            )


def being_sent(until: datetime) -> InvalidInputError:
    """The refusal to retry or drop by hand a message a sender has claimed: its send
    may still get through, so a retry would send a copy and a drop would not stop
    it (it is settled, delivered or failed, when the send returns)."""
    return InvalidInputError(
        "item_id",
        f"is being sent (claimed until {until.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC): retry"
        " or drop it once that send has settled",
    )


def check_item_id(item_id: int) -> int:
    """An outbox item id a store can look up (not a bool, not beyond 64 bits)."""
    if isinstance(item_id, bool) or not isinstance(item_id, int) or not 0 <= item_id <= MAX_INTEGER:
        raise InvalidInputError("item_id", "no outbox item with this id")
    return item_id
