"""Early warning with statistical control (IMP-4): a control limit per series.

003 asks for "early warning of customer situation"; IMP-4 says rising trends by
building, category or department are flagged early.  A warning that fires every
month is ignored, so a count is flagged only when it is unlikely for a series
that has not changed:

* a **series** is the monthly count of valid complaints of one building, site,
  category or department;
* its **baseline** is the previous ``baseline_months`` months *that have data*
  (months in which the desk received anything at all: a month before the desk
  existed is not a month with no complaints), at least ``min_baseline_months``;
  for a site and its buildings, only the months from the site's first valid
  complaint in the months given (an estate the desk took on later did not exist
  for it before: review s58R5 F05);
* the **expected** count is the mean of the baseline;
* the **upper control limit** is the smallest count ``c`` such that a steady
  series reaches ``c`` or more in a month with probability at most
  ``false_alarm_rate``.  Counts of independent events are Poisson; the rate is
  only known from the ``n`` baseline months (total ``s``), so the month's count
  follows the Poisson-gamma predictive law, a negative binomial with
  ``r = s + 1/2`` and ``p = n / (n + 1)`` (Jeffreys' prior).  With many months
  it is the Poisson c-chart limit at the mean; with few it is wider, so two
  months of data do not raise alarms on noise;
* a count at or above the limit, and at least ``min_count``, is a warning.

One cause, one warning: a building's own rise also lifts its site, category
and department, and a category's lifts its department.  Series are judged from
the finest (buildings, then categories, departments, sites); each is judged
without the complaints of the finer series already flagged (this month and in
its baseline), so it warns only when the rise reaches beyond them.

Pure: counts in, warnings out; nothing reads a store or a clock.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from typing import TypeGuard

import attrs

from complaintcore.core.errors import InvalidInputError
from complaintcore.core.rulepack import EarlyWarning

__all__ = [
    "DIMENSIONS",
    "MIN_RATE",
    "Cell",
    "ControlWarning",
    "Judgement",
    "control_warnings",
    "judge",
    "tail_probability",
    "upper_limit",
]

DIMENSIONS = ("building", "category", "department", "site")
"""The series IMP-4 watches, finest first (see the module docstring)."""


# --------------------------------------------------------------------------- the law


_MAX_TOTAL = 10_000_000
"""Complaints a baseline may total: far beyond any desk's series, short of a long loop."""


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_counts(total: object, months: object) -> None:
    if not _is_int(total) or not 0 <= total <= _MAX_TOTAL:
        raise InvalidInputError("total", f"expected an integer from 0 to {_MAX_TOTAL}")
    if not _is_int(months) or not 1 <= months <= 10_000:
        raise InvalidInputError("months", "expected an integer from 1 to 10000")


def _is_sequence(value: object) -> TypeGuard[Sequence[object]]:
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)


def _check_series(counts: object, path: str) -> None:
    if not _is_sequence(counts) or not all(_is_int(n) and 0 <= n <= _MAX_TOTAL for n in counts):
        raise InvalidInputError(path, f"expected monthly counts from 0 to {_MAX_TOTAL}")


def _check_rule(rule: object) -> None:
    if not isinstance(rule, EarlyWarning):
        raise InvalidInputError("rule", f"expected EarlyWarning, got {type(rule).__name__}")


MIN_RATE = 1e-12
"""Smallest false-alarm rate: below it the tail is beyond double precision's reach."""


class _Predictive:
    """The negative binomial a steady series' next month follows, given ``months``
    baseline months totalling ``total`` (a gamma posterior on the Poisson rate).

    Sums run over the counts where the mass is, so their cost is a few dozen
    standard deviations however large the counts.
    """

    def __init__(self, total: int, months: int) -> None:
        self.r = total + 0.5
        p = months / (months + 1.0)
        self.log_p, self.log_q = math.log(p), math.log1p(-p)
        self.mean = self.r * (1 - p) / p
        sd = math.sqrt(self.r * (1 - p)) / p
        reach = 40 * sd + 60  # the mass beyond is far below any rate this module takes
        self.low = max(0, math.floor(self.mean - reach))
        self.high = math.ceil(self.mean + reach)

    def log_pmf(self, k: int) -> float:
        r = self.r
        return (
            math.lgamma(k + r) - math.lgamma(r) - math.lgamma(k + 1.0)
            + r * self.log_p + k * self.log_q
        )  # fmt: skip

    def tail(self, count: int) -> float:
        """P(X >= count), summed the way :meth:`limit` sums it (so the two agree)."""
        if count <= self.low:
            return 1.0
        tail = 0.0
        for _c, pmf in self._downward(count):
            tail += pmf
        return min(1.0, tail)

    def limit(self, rate: float) -> int:
        """The smallest count ``c`` with P(X >= c) <= ``rate``."""
        tail, c = 0.0, self.high + 1
        for k, pmf in self._downward(1):
            if tail + pmf > rate:
                break
            tail, c = tail + pmf, k
        return c

    def _downward(self, stop: int) -> Iterator[tuple[int, float]]:
        """``(k, P(X = k))`` from the far end of the mass down to ``stop``: a small
        tail is summed as small numbers, never as one minus nearly one."""
        k = self.high
        if k < stop:
            return
        log_pmf = self.log_pmf(k)
        while True:
            yield k, math.exp(log_pmf)
            if k == stop:
                return
            log_pmf += math.log(k) - math.log(k - 1 + self.r) - self.log_q
            k -= 1


def _tail_from(count: int, total: int, months: int) -> float:
    """P(X >= count) for the month after ``months`` baseline months totalling ``total``."""
    if count <= 0:
        return 1.0
    return _Predictive(total, months).tail(count)


def tail_probability(count: int, total: int, months: int) -> float:
    """IMP-4: how likely a steady series reaches ``count`` or more in a month.

    ``total`` is the sum of its ``months`` baseline months.  This is the
    warning's p-value: small means surprising.
    """
    _check_counts(total, months)
    if not _is_int(count) or not -_MAX_TOTAL <= count <= _MAX_TOTAL:
        raise InvalidInputError("count", f"expected an integer of at most {_MAX_TOTAL}")
    return _tail_from(count, total, months)


def upper_limit(total: int, months: int, rate: float) -> int:
    """IMP-4: the smallest count a steady series reaches with probability at most ``rate``.

    ``total`` is the sum of the ``months`` baseline months.  For example 12
    months totalling 60 (a mean of 5) at ``rate = 0.001`` give 15: a steady
    series with that history has 15 or more complaints in a month less than
    once in a thousand months.  ``rate`` is from 1e-12 to 1 (exclusive).
    """
    _check_counts(total, months)
    if not isinstance(rate, int | float) or isinstance(rate, bool) or not MIN_RATE <= rate < 1:
        raise InvalidInputError("rate", f"expected a number from {MIN_RATE:g} to below 1")
    return _Predictive(total, months).limit(rate)


# --------------------------------------------------------------------------- one series


@attrs.frozen
class Judgement:
    """One series' month judged against its baseline.

    ``baseline`` are the counts of the months that had data, oldest first;
    ``expected`` their mean; ``limit`` the upper control limit; ``probability``
    the chance a steady series reaches ``observed`` (the p-value).
    """

    observed: int
    baseline: tuple[int, ...]
    expected: float
    limit: int
    probability: float

    @property
    def warns(self) -> bool:
        return self.observed >= self.limit


def judge(
    observed: int, previous: Sequence[int], has_data: Sequence[bool], rule: EarlyWarning
) -> Judgement | None:
    """IMP-4: this month's ``observed`` count against the ``previous`` months (oldest first).

    ``has_data`` says, month by month, whether the desk received anything then;
    only those months make the baseline (the last ``baseline_months`` of
    them).  None when fewer than ``min_baseline_months`` have data.  The limit
    is never below ``min_count``.
    """
    _check_rule(rule)
    if not _is_int(observed) or not 0 <= observed <= _MAX_TOTAL:
        raise InvalidInputError("observed", f"expected an integer from 0 to {_MAX_TOTAL}")
    _check_series(previous, "previous")
    if not _is_sequence(has_data) or len(previous) != len(has_data):
        raise InvalidInputError("has_data", "must be as long as previous")
    baseline = tuple(n for n, ok in zip(previous, has_data, strict=True) if ok)
    baseline = baseline[-rule.baseline_months :]
    if len(baseline) < rule.min_baseline_months:
        return None
    total, months = sum(baseline), len(baseline)
    limit = max(upper_limit(total, months, rule.false_alarm_rate), rule.min_count)
    return Judgement(
        observed=observed,
        baseline=baseline,
        expected=total / months,
        limit=limit,
        probability=_tail_from(observed, total, months),
    )


# --------------------------------------------------------------------------- every series

Cell = tuple[str, str, str, str]
"""``(site, building, category, department)`` of a valid complaint; ``""`` where unknown.
The building is qualified by its site (``sunrise/3``): numbers repeat across sites."""

_FIELD = {"site": 0, "building": 1, "category": 2, "department": 3}


@attrs.frozen
class ControlWarning:
    """IMP-4: a series whose count this month reached its upper control limit.

    Says why: ``observed`` against ``expected`` (the baseline mean) and
    ``limit``; ``baseline`` are the counts of the baseline months ``months``
    (oldest first); ``probability`` is how likely so high a count is if nothing
    changed.  ``excluding`` names the finer series with warnings of their own
    (``building:sunrise/7``, ``category:cleaning``) left out of this one: its
    counts are then without them.
    """

    dimension: str
    key: str
    zh: str
    en: str
    observed: int
    expected: float
    limit: int
    probability: float
    months: tuple[str, ...]
    baseline: tuple[int, ...]
    excluding: tuple[str, ...] = ()

    @property
    def excess(self) -> float:
        """How far above the expected count (the size of the rise)."""
        return self.observed - self.expected

    def label(self, lang: str = "en") -> str:
        return self.zh if lang.lower().startswith("zh") else self.en


def control_warnings(
    cells: Mapping[Cell, Sequence[int]],
    periods: Sequence[str],
    has_data: Sequence[bool],
    rule: EarlyWarning,
    labels: Mapping[tuple[str, str], tuple[str, str]] | None = None,
    *,
    site_starts: Mapping[str, int] | None = None,
) -> tuple[ControlWarning, ...]:
    """IMP-4: the warnings of one month over every series of ``rule.dimensions``.

    ``cells`` count valid complaints per (site, building, category,
    department) and month; every series is a sum of cells.  ``periods`` name
    the months (``"2025-11"``, oldest first, the judged month last) and
    ``has_data`` says which of them had data.  Series are judged from the
    finest to the widest (buildings, categories, departments, sites); each is
    judged without the cells of the finer series already flagged, so one rise
    is one warning.  ``labels`` give a series' (zh, en) label (default: its
    key).  Ordered by dimension, then the least likely first.

    A site and its buildings are judged only over the months since the site
    joined the desk: ``site_starts`` gives each site's first month with a record
    of any kind or validity (an index into ``periods``; 0 for a site with records
    before them, re-review s58RR2 F02).  A site not in it starts at its first
    valid complaint in ``cells``; one with none before the judged month is new.
    """
    _check_rule(rule)
    if not _is_sequence(periods) or not _is_sequence(has_data):
        raise InvalidInputError("periods", "periods and has_data must be lists")
    if not (len(periods) == len(has_data) and periods):
        raise InvalidInputError("has_data", "must be as long as periods, and not empty")
    if not isinstance(cells, Mapping):
        raise InvalidInputError("cells", "expected a mapping of cells to monthly counts")
    width = len(periods)
    for cell, counts in cells.items():
        if not (
            isinstance(cell, tuple) and len(cell) == 4 and all(isinstance(k, str) for k in cell)
        ):
            raise InvalidInputError("cells", "a cell is (site, building, category, department)")
        _check_series(counts, "cells")
        if len(counts) != width:
            raise InvalidInputError("cells", f"a cell has {len(counts)} months, not {width}")
    if labels is not None and not isinstance(labels, Mapping):
        raise InvalidInputError("labels", "expected a mapping")
    labels = labels or {}
    past = [bool(ok) for ok in has_data[:-1]]
    begun = _site_starts(cells, width)
    if site_starts is not None:
        if not isinstance(site_starts, Mapping):
            raise InvalidInputError("site_starts", "expected a mapping of sites to months")
        for site, start in site_starts.items():
            if not isinstance(site, str) or type(start) is not int or not 0 <= start <= width:
                raise InvalidInputError(
                    "site_starts", f"a site's first month is an index 0..{width} into periods"
                )
            begun[site] = min(begun.get(site, width), start)
    flagged: list[tuple[int, str]] = []  # (field, key) of the series flagged so far
    out: list[ControlWarning] = []
    for dimension in (d for d in DIMENSIONS if d in rule.dimensions):
        field = _FIELD[dimension]
        totals: dict[str, list[int]] = {}
        left_out: dict[str, set[str]] = {}
        for cell, counts in cells.items():
            key = cell[field]
            if not key:
                continue
            excluded = [f"{DIMENSIONS_OF[f]}:{k}" for f, k in flagged if cell[f] == k]
            if excluded:
                left_out.setdefault(key, set()).update(excluded)
                continue
            row = totals.setdefault(key, [0] * width)
            for i, n in enumerate(counts):
                row[i] += n
        found_now: list[tuple[int, str]] = []
        for key in sorted(totals):
            counts = totals[key]
            series_past = past
            site = _site_of(dimension, key, cells)
            if site:  # a site's months before its first complaint are not zeros
                start = begun.get(site, width)
                series_past = [ok and i >= start for i, ok in enumerate(past)]
            found = judge(counts[-1], counts[:-1], series_past, rule)
            if found is None or not found.warns:
                continue
            found_now.append((field, key))
            zh, en = labels.get((dimension, key), (key, key))
            out.append(
                ControlWarning(
                    dimension=dimension,
                    key=key,
                    zh=zh,
                    en=en,
                    observed=found.observed,
                    expected=found.expected,
                    limit=found.limit,
                    probability=found.probability,
                    months=tuple(_used(periods, series_past)[-len(found.baseline) :]),
                    baseline=found.baseline,
                    excluding=tuple(sorted(left_out.get(key, ()))),
                )
            )
        flagged += found_now
    order = {d: i for i, d in enumerate(DIMENSIONS)}
    out.sort(key=lambda w: (order[w.dimension], w.probability, w.key))
    return tuple(out)


DIMENSIONS_OF = {i: name for name, i in _FIELD.items()}


def _site_starts(cells: Mapping[Cell, Sequence[int]], width: int) -> dict[str, int]:
    """Each site's first month (index into the months given) with a valid complaint."""
    out: dict[str, int] = {}
    for (site, *_rest), counts in cells.items():
        if not site:
            continue
        first = next((i for i, n in enumerate(counts) if n), width)
        out[site] = min(out.get(site, width), first)
    return out


def _site_of(dimension: str, key: str, cells: Mapping[Cell, Sequence[int]]) -> str:
    """The site whose start bounds a series: a site's own, or its building's (a
    building of a site is keyed ``site/building``); none for a category or a
    department, which keep the desk-wide months (review s58R5 F05)."""
    if dimension == "site":
        return key
    if dimension == "building":
        for cell in cells:
            if cell[_FIELD["building"]] == key:
                return cell[_FIELD["site"]]
    return ""


def _used(periods: Sequence[str], past: Sequence[bool]) -> list[str]:
    return [p for p, ok in zip(periods[:-1], past, strict=True) if ok]
