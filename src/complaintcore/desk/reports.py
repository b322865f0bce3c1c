"""The monthly report read from the month's own rows, not from the whole history.

:func:`complaintcore.core.stats.monthly_report` needs, besides the report
month's complaints, the repeat window before it (IMP-3) and counts of the
baseline months (IMP-4).  Read from ``store.complaints()`` that is every
complaint ever stored, decoded, however few the month holds.  A
:class:`~complaintcore.desk.ports.ReportStore` answers instead:

* the month's complaints, and those of the repeat window (only when the month
  has any; as far back as the pack links at intake, if further), from an index
  on the time received;
* each baseline month as counts of its projection rows (kind, validity, site,
  building, category, department), nothing decoded;
* how many complaints were received after ``now``, from the same index;
* the records received before those, for the major issues raised in the month
  (VIS-4): only those with a visit in the month are decoded, chosen by a
  :class:`~complaintcore.desk.ports.VisitStore` from the rows whose latest
  event is in the month or later (a history reads forwards, so no other holds a
  visit in the month) and their visits' times; a store without it decodes
  every such row.

The per-staff table (PEN-1, PEN-2) is about the complaints received in the
month (their sanctions count in it whenever they were recorded): it reads
those complaints only, and so does :func:`months_at_limit`, which each
sanction asks whether the person's month stands at a limit.

The counts are the statistics' own figures as long as nothing happened to
those complaints after ``now`` (each row keeps its latest event's time); when
something did, or a row does not know, the report reads every complaint as
before.  Either way the report is the same (a test recounts it from the raw
events).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import attrs

from complaintcore.core import stats
from complaintcore.core.models import (
    FIRST_YEAR,
    LAST_YEAR,
    Complaint,
    Kind,
    Validity,
    as_instant,
    require_aware,
)
from complaintcore.core.staff_report import StaffMonth, StaffReport, month_at_limit
from complaintcore.core.staff_report import staff_report as staff_table
from complaintcore.desk.ports import ReceivedCount, ReportStore, StaffMonthStore, VisitStore

if TYPE_CHECKING:
    from complaintcore.core.rulepack import EarlyWarning
    from complaintcore.desk.service import Desk

__all__ = ["monthly_report", "months_at_limit", "staff_report"]

_EARLIEST = datetime(FIRST_YEAR, 1, 1, tzinfo=UTC)  # the first time the API takes
_LATEST = datetime(LAST_YEAR, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)  # the last one
_TICK = timedelta(microseconds=1)
"""Stores keep times to the microsecond: "after now" is "from now plus one"."""


def monthly_report(
    desk: Desk,
    year: int,
    month: int,
    *,
    now: datetime,
    lang: str = "en",
    warning_rule: EarlyWarning | None = None,
    repeat_rule: stats.RepeatRule | None = None,
) -> stats.MonthlyReport:
    """See :meth:`complaintcore.desk.Desk.monthly_report`."""
    # an instant: a host's local clock in the hour it repeats adds and compares by
    # wall time (review s57R7 F01)
    now = as_instant(require_aware(now, "now"))
    pack, store = desk.pack, desk.store
    warning_rule = warning_rule or pack.early_warning
    repeat_rule = repeat_rule or stats.RepeatRule.of(pack)  # IMP-3: the pack's window

    def full() -> stats.MonthlyReport:
        return stats.monthly_report(
            store.complaints(),
            pack,
            desk.calendar,
            year=year,
            month=month,
            now=now,
            lang=lang,
            warning_rule=warning_rule,
            repeat_rule=repeat_rule,
            sites=sites,
        )

    sites = desk.known_sites()  # PRV-1: any other site is free text, shown redacted
    if not isinstance(store, ReportStore):
        return full()
    period = stats.Period.of(year, month, pack.calendar.timezone)
    back = warning_rule.baseline_months
    bounds = [period.shift(i - back).start for i in range(back)] + [period.start]
    if bounds[0] < _EARLIEST or not _readable(period):  # at the ends of the years taken
        return full()
    # IMP-4: the records received before the baseline say which sites were on the
    # desk before it (any kind or validity; only where, not what they became), read
    # in the same pass; those after `now` left out as the recount leaves them
    # (re-review s58RR2 F02)
    before = [_EARLIEST] if bounds[0] > _EARLIEST else []
    if before and now + _TICK < bounds[0]:
        before.append(now + _TICK)
    read = store.received_counts(before + bounds)
    sites_before = frozenset(c.site.strip() for c in read if c.period == 0 and before)
    counts = [
        attrs.evolve(c, period=c.period - len(before)) for c in read if c.period >= len(before)
    ]
    if any(c.updated_at is None or c.updated_at > now for c in counts):
        return full()  # something happened after `now`: the rows are not as at `now`
    earlier = _earlier(counts, period.index - back, back)
    after_now = (
        sum(c.count for c in store.received_counts([now + _TICK, _LATEST]))
        if now + _TICK < _LATEST
        else 0
    )
    # IMP-3: the repeat window, and the pack's link windows if longer (VAL-4: a link
    # counts only when the complaint it names is a valid complaint)
    window = max(repeat_rule.reads_from(period.start, pack), _EARLIEST)

    def complaints() -> Iterator[Complaint]:
        any_in_month = False
        for complaint in store.complaints_received(period.start, period.end):
            any_in_month = True
            yield complaint
        read_from = period.start
        if any_in_month and window < period.start:  # repeats need one in the month
            yield from store.complaints_received(window, period.start)
            read_from = window
        if read_from > _EARLIEST:
            # VIS-4: a major issue raised in the month on a record received before
            # (s56L2 F01): only the records with a visit in the month are decoded, not
            # every one touched since (a sweep's escalation, a note; review s56R3 F04);
            # a store without visited_between decodes those touched since
            if isinstance(store, VisitStore):
                yield from store.visited_between(
                    period.start, period.end, received_before=read_from
                )
            else:
                yield from store.complaints_received(
                    _EARLIEST, read_from, updated_since=period.start
                )

    return stats.monthly_report(
        complaints(),
        pack,
        desk.calendar,
        year=year,
        month=month,
        now=now,
        lang=lang,
        warning_rule=warning_rule,
        repeat_rule=repeat_rule,
        earlier=earlier,
        after_now=after_now,
        sites=sites,
        sites_before=sites_before,
    )


def staff_report(desk: Desk, year: int, month: int, *, now: datetime) -> StaffReport:
    """See :meth:`complaintcore.desk.Desk.staff_report`."""
    # an instant: a host's local clock in the hour it repeats adds and compares by
    # wall time (review s57R7 F01)
    now = as_instant(require_aware(now, "now"))
    complaints = _month_complaints(desk, year, month)
    return staff_table(complaints, desk.pack, year=year, month=month, now=now)


def months_at_limit(
    desk: Desk, complaint: Complaint, staff_ids: Iterable[str], now: datetime
) -> list[tuple[str, StaffMonth]]:
    """PEN-2: the months of ``staff_ids`` that stand at the pack's points or
    complaints limit once ``complaint`` (as it stands after a sanction, not
    stored yet) is counted, as ``(period, row)`` per person
    (:func:`~complaintcore.core.staff_report.month_at_limit`)."""
    rule = desk.pack.accountability
    if not (rule.severe_points or rule.severe_complaints) or not desk.pack.severe_report_to:
        return []
    year, month = sanction_month(complaint, ZoneInfo(desk.pack.calendar.timezone))
    people = list(dict.fromkeys(staff_ids))
    period = stats.Period.of(year, month, desk.pack.calendar.timezone)
    store = desk.store
    if isinstance(store, StaffMonthStore) and _readable(period):
        # each person's month alone: the cost follows their complaints, not the month's
        months = {
            p: [
                c
                for c in store.complaints_about(p, period.start, period.end)
                if c.id != complaint.id
            ]
            for p in people
        }
    else:
        stored = [c for c in _month_complaints(desk, year, month) if c.id != complaint.id]
        months = dict.fromkeys(people, stored)
    out = []
    for staff_id in people:
        items = [*months[staff_id], complaint]
        # everything recorded so far counts: a sanction typed in later with an earlier
        # time (a paper record) must still find the month a later one made severe
        latest = max((c.events[-1].at for c in items if c.events), default=now)
        as_of = max(now, latest)
        row = month_at_limit(items, desk.pack, staff_id=staff_id, year=year, month=month, now=as_of)
        if row is not None:
            out.append((f"{year:04d}-{month:02d}", row))
    return out


def sanction_month(complaint: Complaint, zone: tzinfo) -> tuple[int, int]:
    """PEN-2: the (year, month) a sanction counts in: its complaint's receipt, on
    the desk's calendar (当月: the month the person was complained about)."""
    received = complaint.intake.received_at.astimezone(zone)
    return received.year, received.month


def _month_complaints(desk: Desk, year: int, month: int) -> Iterator[Complaint]:
    """PEN-2: every figure of the staff table is about the complaints received in
    the month (a sanction counts in its complaint's month, whenever recorded)."""
    store = desk.store
    period = stats.Period.of(year, month, desk.pack.calendar.timezone)
    if not isinstance(store, ReportStore) or not _readable(period):
        return store.complaints()
    return store.complaints_received(period.start, period.end)


def _readable(period: stats.Period) -> bool:
    """Whether the period's bounds are times the stores take (not at the years' ends)."""
    inside = period.start >= _EARLIEST and period.end <= _LATEST
    return inside and period.end.year <= LAST_YEAR  # a time's year is read in its own zone


def _earlier(counts: list[ReceivedCount], first: int, months: int) -> dict[int, stats.EarlierMonth]:
    """The baseline months from the stores' counts, as the statistics count them."""
    received: Counter[int] = Counter()
    valid: dict[int, Counter[tuple[str, str, str, str]]] = {}
    places: dict[int, set[str]] = {}  # IMP-4: the sites with any record (s58RR2 F02)
    for c in counts:
        index = first + c.period
        received[index] += c.count
        if c.count:
            places.setdefault(index, set()).add(c.site)
        if c.kind == Kind.COMPLAINT.value and c.validity == Validity.VALID.value:  # VAL-4
            key = (c.site, c.building, c.category, c.department)
            valid.setdefault(index, Counter())[key] += c.count
    return {
        first + i: stats.EarlierMonth(
            received[first + i],
            tuple(sorted(valid.get(first + i, Counter()).items())),
            tuple(sorted(places.get(first + i, ()))),
        )
        for i in range(months)
    }
