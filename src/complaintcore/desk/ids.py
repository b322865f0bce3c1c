"""Complaint ids that sort in the order complaints are received (UUIDv7-style).

``C-20251114-2a3b1c0f3e9d8a7b``: the day received in the pack's time zone, then
16 hex digits -- the millisecond of that day (7 digits) and 36 random bits.
Every table keyed by complaint id is a B-tree; ids that grow with time append
at its right edge instead of landing on a random page, which keeps bulk intake
fast on a desk of 100,000 complaints (random ids cost two to three times as
much there).  Within one process the ids of one millisecond also increase in
the order they are made, whatever ids of other milliseconds come between (rows
written to the minute tie often): the later gets the earlier's id by one more
random unit, so an issue is named after the complaint registered first.
Across processes the random bits keep them apart (two ids of one millisecond
meet with odds of one in 2**36).
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from datetime import datetime
from zoneinfo import ZoneInfo

from complaintcore.core.errors import luhn_valid

__all__ = ["time_ordered_id"]

_RANDOM_BITS = 36
_lock = threading.Lock()
_latest: OrderedDict[tuple[str, int], int] = OrderedDict()
"""The last id made for each recent (day, millisecond), the most recent last."""
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
    # the wall-clock millisecond of the day (what subtracting midnight in one zone gives)
    ms = ((local.hour * 60 + local.minute) * 60 + local.second) * 1000 + local.microsecond // 1000
    with _lock:
        if not _pool:
            raw = os.urandom(8 * _POOL_IDS)
            _pool.extend(int.from_bytes(raw[i : i + 8], "big") >> (64 - _RANDOM_BITS)
                         for i in range(0, len(raw), 8))  # fmt: skip
        stamp = (ms << _RANDOM_BITS) | _pool.pop()
        last_stamp = _latest.pop((day, ms), -1)
        if stamp <= last_stamp < (ms + 1) << _RANDOM_BITS:
            stamp = last_stamp + 1  # same millisecond: the next one up, still unique
        while (shown := f"{stamp:016x}").isdigit() and luhn_valid(shown):
            # digits alone that pass a card's check would be masked as one in an
            # issue's id (PRV-1): the next one up, still unique and in order
            stamp += 1
        _latest[(day, ms)] = stamp
        if len(_latest) > _MILLISECONDS_KEPT:
            _latest.popitem(last=False)
    return f"C-{day}-{stamp:016x}"
