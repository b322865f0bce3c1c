"""Complaint ids that sort in the order complaints are received (UUIDv7-style).

``C-20251114-2a3b1c0f3e9d8a7b``: the day received in the pack's time zone, then
16 hex digits -- the millisecond of that day (7 digits), a 12-bit counter and 24
random bits.  The millisecond is the time elapsed since the day's local midnight,
as instants: on a day the clocks go back (25 hours) the repeated hour's second
pass counts on from the first's end, up to 90,000,000, so ids sort by the time
received there too; on a day they go forward the hour skipped is not counted
(review s48L F02).  On every other day it is the wall-clock millisecond, as ids
made before that review have it.  Every table keyed by complaint id is a B-tree; ids that grow with
time append at its right edge instead of landing on a random page, which keeps
bulk intake fast on a desk of 100,000 complaints (random ids cost two to three
times as much there).

Within one process the ids of one millisecond increase in the order they are
made, whatever ids of other milliseconds come between (rows written to the
minute tie often), so an issue is named after the complaint registered first:
the counter starts at a random value below 256 for the millisecond's first id
and counts up by one, as RFC 9562's UUIDv7 does.  A millisecond given more than
about 3,840 ids by one process (a bulk import whose rows all carry one time)
borrows the next millisecond's counter, as UUIDv7 does: its later ids name a
millisecond or so after it, still unique and in order, and the next
millisecond's own ids come after them.

Across processes (which share no counter) the 24 random bits are drawn afresh
for every id: two ids meet only when their counters are equal too, so two single
ids of one millisecond meet with odds of about one in 2**32, and two processes
each importing 100,000 rows of one instant share an id with odds of about one in
170 -- not never: 36 bits cannot keep apart every id of processes that agree on
nothing.  The desk draws another id when the store already holds the one it drew
(desk.md, "Receiving complaints"), so such a meeting costs a draw, not a refusal.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from complaintcore.core.errors import luhn_valid

__all__ = ["time_ordered_id"]

_RANDOM_BITS = 24
"""Drawn afresh for every id: what keeps the ids of processes apart."""
_COUNTER_BITS = 12
"""Counts the ids of one millisecond in one process: what keeps them in order."""
_SEED_BITS = 8
"""The counter's random start (few bits, so it has room to count up)."""
_STAMP_BITS = _COUNTER_BITS + _RANDOM_BITS  # below the millisecond
_lock = threading.Lock()
_latest: OrderedDict[tuple[str, int], int] = OrderedDict()
"""The highest stamp made for, or borrowed into, each recent (day, millisecond), the
most recent last."""
_MILLISECONDS_KEPT = 8192
_POOL_IDS = 512
_pool: list[int] = []
"""Random numbers from the OS, drawn 512 ids at a time (a system call per id cost a
tenth of bulk intake's id making); each id still takes bits no other id took."""


def _forget_pool() -> None:
    """A forked child draws its own numbers and starts afresh: with its parent's pool,
    or its parent's last id to count up from, two children would make the same ids."""
    _pool.clear()
    _latest.clear()


if hasattr(os, "register_at_fork"):  # POSIX; elsewhere processes are never forked
    os.register_at_fork(after_in_child=_forget_pool)


def time_ordered_id(received_at: datetime, zone: ZoneInfo) -> str:
    """A new complaint id for a complaint received at ``received_at`` (aware)."""
    local = received_at.astimezone(zone)
    day = f"{local.year:04d}{local.month:02d}{local.day:02d}"
    ms = _since_midnight(local, zone)
    with _lock:
        if not _pool:
            raw = os.urandom(8 * _POOL_IDS)
            _pool.extend(int.from_bytes(raw[i : i + 8], "big") for i in range(0, len(raw), 8))
        drawn = _pool.pop()
        fresh = drawn & ((1 << _RANDOM_BITS) - 1)
        last = _latest.get((day, ms))
        if last is None:  # the millisecond's first id here: the counter's random start
            seed = (drawn >> _RANDOM_BITS) & ((1 << _SEED_BITS) - 1)
            stamp = (ms << _STAMP_BITS) | (seed << _RANDOM_BITS) | fresh
        else:  # the next count (into the next millisecond when the counter is full)
            stamp = (((last >> _RANDOM_BITS) + 1) << _RANDOM_BITS) | fresh
        # past the counts taken in the millisecond it lands in (by one that borrowed it)
        while (top := _latest.get((day, stamp >> _STAMP_BITS))) is not None and (
            top >> _RANDOM_BITS >= stamp >> _RANDOM_BITS
        ):
            stamp = (((top >> _RANDOM_BITS) + 1) << _RANDOM_BITS) | fresh
        while (shown := f"{stamp:016x}").isdigit() and luhn_valid(shown):
            # digits alone that pass a card's check would be masked as one in an
            # issue's id (PRV-1): the next one up, still unique and in order
            stamp += 1
        _keep((day, ms), stamp)
        if stamp >> _STAMP_BITS != ms:  # borrowed: that millisecond's own ids come after
            _keep((day, stamp >> _STAMP_BITS), stamp)
    return f"C-{day}-{stamp:016x}"


def _since_midnight(local: datetime, zone: ZoneInfo) -> int:
    """The milliseconds from the local day's start to ``local``, counted between
    instants (UTC): Python subtracts two times of one zone as wall clocks, which
    puts the repeated hour's second pass before the end of its first (review s48L
    F02).  A midnight the clocks skip is the day's first instant (the offset
    before the change, fold 0); a midnight they repeat, its first pass."""
    midnight = datetime(local.year, local.month, local.day, tzinfo=zone)
    elapsed = local.astimezone(UTC) - midnight.astimezone(UTC)
    return max(0, elapsed // timedelta(milliseconds=1))


def _keep(key: tuple[str, int], stamp: int) -> None:
    """Remember ``stamp`` as the highest of ``key``'s millisecond (under the lock)."""
    _latest[key] = max(stamp, _latest.pop(key, stamp))
    if len(_latest) > _MILLISECONDS_KEPT:
        _latest.popitem(last=False)
