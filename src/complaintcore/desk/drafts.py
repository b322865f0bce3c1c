"""Complaints received and not stored yet, and what the steps around a commit share.

Intake decides a complaint in memory (a :class:`Draft`: its events and outbox)
before one transaction stores it; a bulk batch holds many, which repeat linking
and grouping read in order of receipt (:class:`ByTime`).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import datetime

import attrs

from complaintcore.core.errors import ComplaintCoreError, DamagedRecordError, StoreError
from complaintcore.core.models import Complaint, Event, as_instant
from complaintcore.core.repeats import Earlier
from complaintcore.desk.ports import RelatedQuery
from complaintcore.desk.telling import Outbox

__all__ = ["CONFLICT_RETRIES", "ByTime", "Draft", "Hold", "not_before_last", "store_failed"]

CONFLICT_RETRIES = 5
"""Times a commit refused for a concurrent change is tried again."""


@attrs.define
class Draft:
    """A complaint received but not yet stored (bulk intake holds a batch of them)."""

    complaint: Complaint
    events: list[Event]
    outbox: Outbox
    who: str = ""
    earlier: Earlier | None = None
    """How repeat linking sees it (IMP-3), kept for the batch's later complaints."""
    question: RelatedQuery | None = None
    """Its IMP-3 question to the store, once put (bulk intake asks the batch's at once)."""
    related: list[Earlier] | None = None
    """The store's answer to it, when asked with the batch's others."""
    stored_raisings: int | None = None
    """The store's count of its matter's earlier raisings (GRD-2), when asked with the
    batch's others (only where the answer above may have been cut at its limit)."""
    failure: ComplaintCoreError | None = None
    """Why linking it failed: it is not stored, and its receipt says so."""
    received: tuple[Complaint, tuple[Event, ...], bool] | None = None
    """The complaint as received, its first events and whether nobody holds it
    (IN-2), while the receipt's messages wait to be rendered once it is grouped
    (PRV-1: they mask the issue it joins; review s56R7 F02)."""


@attrs.frozen
class Hold:
    """A commit's messages (channel, dedupe key) queued held by a write marked ``mark``, while the
    desk's listeners hear the commit (hooks.md; a
    :class:`~complaintcore.desk.ports.ListenerHoldStore`): the desk lets them go
    once the listeners have returned."""

    mark: str
    keys: tuple[tuple[str, str], ...]


@attrs.define
class ByTime:
    """A batch's drafts of one key in order of receipt, so each new one reads only
    those within its reach or window: a batch of one building's backlog costs what
    its windows hold, not the square of the batch (s25I F04)."""

    times: list[datetime] = attrs.Factory(list)
    drafts: list[Draft] = attrs.Factory(list)

    def add(self, draft: Draft) -> None:
        t = as_instant(draft.complaint.intake.received_at)  # a batch's: instants (s48B)
        at = bisect_right(self.times, t)
        self.times.insert(at, t)
        self.drafts.insert(at, draft)

    def between(self, since: datetime, until: datetime) -> list[Draft]:
        return self.drafts[bisect_left(self.times, since) : bisect_right(self.times, until)]


def store_failed(exc: BaseException) -> bool:
    """The store itself failed (a lost connection, a lock timeout, a full disk), not
    one damaged record: nothing read or written after it may pass for done."""
    return isinstance(exc, StoreError) and not isinstance(exc, DamagedRecordError)


def not_before_last(complaint: Complaint, now: datetime) -> datetime:
    """``now``, or the complaint's last event where that is later: a history reads
    forwards, and another process (whose clock may be ahead) may have written it
    after this one read its clock, or another thread written it meanwhile (HDL-5:
    a member linked after a race; GRD-2: an earlier raising marked)."""
    if complaint.events and complaint.events[-1].at > now:
        return complaint.events[-1].at
    return now
