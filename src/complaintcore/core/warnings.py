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
from collections.abc import Mapping, Sequence

import attrs

from complaintcore.core.rulepack import EarlyWarning

__all__ = [
    "DIMENSIONS",
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


def _log_pmf0(total: int, months: int) -> tuple[float, float, float]:
    """``(log P(0), r, log(1 - p))`` of the predictive negative binomial."""
    r = total + 0.5
    p = months / (months + 1.0)
    return r * math.log(p), r, math.log1p(-p)


def _tail_from(count: int, total: int, months: int) -> float:
    """P(X >= count) for the month after ``months`` baseline months totalling ``total``."""
    if count <= 0:
        return 1.0
    log_pmf, r, log_q = _log_pmf0(total, months)
    below = 0.0
    for k in range(count):
        below += math.exp(log_pmf)
        log_pmf += math.log((k + r) / (k + 1)) + log_q
    return max(0.0, 1.0 - below)


def tail_probability(count: int, total: int, months: int) -> float:
    """IMP-4: how likely a steady series reaches ``count`` or more in a month.

    ``total`` is the sum of its ``months`` baseline months.  This is the
    warning's p-value: small means surprising.
    """
    if months < 1:
        raise ValueError("months must be at least 1")
    return _tail_from(count, total, months)


def upper_limit(total: int, months: int, rate: float) -> int:
    """IMP-4: the smallest count a steady series reaches with probability at most ``rate``.

    ``total`` is the sum of the ``months`` baseline months.  For example 12
    months totalling 60 (a mean of 5) at ``rate = 0.001`` give 14: a steady
    series with that history has 13 or more complaints in a month far less
    than once in a thousand months.
    """
    if months < 1:
        raise ValueError("months must be at least 1")
    if not 0 < rate < 1:
        raise ValueError("rate must be between 0 and 1")
    log_pmf, r, log_q = _log_pmf0(total, months)
    below = 0.0
    c = 0
    while 1.0 - below > rate:
        below += math.exp(log_pmf)
        log_pmf += math.log((c + r) / (c + 1)) + log_q
        c += 1
    return c


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
    if len(previous) != len(has_data):
        raise ValueError("previous and has_data must be the same length")
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
    """
    if not (len(periods) == len(has_data) and periods):
        raise ValueError("periods and has_data must be the same, non-zero length")
    width = len(periods)
    for cell, counts in cells.items():
        if len(counts) != width:
            raise ValueError(f"cell {cell} has {len(counts)} months, not {width}")
    labels = labels or {}
    past = [bool(ok) for ok in has_data[:-1]]
    used = [p for p, ok in zip(periods[:-1], past, strict=True) if ok]
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
            found = judge(counts[-1], counts[:-1], past, rule)
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
                    months=tuple(used[-len(found.baseline) :]),
                    baseline=found.baseline,
                    excluding=tuple(sorted(left_out.get(key, ()))),
                )
            )
        flagged += found_now
    order = {d: i for i, d in enumerate(DIMENSIONS)}
    out.sort(key=lambda w: (order[w.dimension], w.probability, w.key))
    return tuple(out)


DIMENSIONS_OF = {i: name for name, i in _FIELD.items()}
