"""IMP-4: early warning with statistical control, on synthetic history.

The history is generated here, independently of the library: 24 months of
complaint counts for two estates (20 buildings), ten categories and the
departments that own them, as Poisson counts with fixed rates per building and
category, plus two injected rises:

* month 9: a building's lifts and pipes fail (repairs in building ``sunrise/7``,
  which usually has about 12 complaints a month, jump by 24, and stay 15 up the
  month after);
* month 17: cleaning at the ``riverside`` estate collapses (a new contractor:
  36 more cleaning complaints spread over its buildings, 24 more the month
  after).

IMP-4 asks for both rises to be flagged in the month they start, and for
warnings that do not cry wolf: at most one false warning in any month, over
every series (buildings, categories, departments, sites).  A warning is true in
a rise month when its series carries the rise.
"""

from __future__ import annotations

import math
import random
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from complaintcore.core.errors import InvalidInputError
from complaintcore.core.rulepack import EarlyWarning
from complaintcore.core.warnings import (
    Cell,
    ControlWarning,
    control_warnings,
    judge,
    tail_probability,
    upper_limit,
)

MONTHS = 24
SITES = {"sunrise": 12, "riverside": 8}
CATEGORIES = {  # category: (share of complaints, owning department)
    "repairs": (0.28, "engineering"),
    "fees": (0.12, "finance"),
    "noise": (0.12, "security"),
    "cleaning": (0.10, "cleaning"),
    "parking": (0.10, "security"),
    "service_attitude": (0.07, "customer_service"),
    "greening": (0.05, "greening"),
    "security": (0.07, "security"),
    "other": (0.06, "customer_service"),
    "data_leak": (0.03, "customer_service"),
}
PER_MONTH = 300  # valid complaints a month over both estates
RISE_1 = 9  # building sunrise/7: repairs
RISE_2 = 17  # estate riverside: cleaning
RULE = EarlyWarning(
    baseline_months=12,
    min_baseline_months=2,
    min_count=3,
    false_alarm_rate=0.001,
    dimensions=("building", "category", "department", "site"),
)


def _poisson(rng: random.Random, lam: float) -> int:
    """Knuth's method, exact for the small rates of one building and category."""
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


Cells = dict[tuple[str, str, str], list[int]]  # (site, building, category) -> counts


def _history(seed: int) -> Cells:
    rng = random.Random(seed)
    buildings = [(site, f"{site}/{b}") for site, n in SITES.items() for b in range(1, n + 1)]
    weight = {b: rng.uniform(0.5, 2.0) for _s, b in buildings}
    weight["sunrise/7"] = 1.0
    total_weight = sum(weight.values())
    cells: Cells = {}
    riverside = [b for s, b in buildings if s == "riverside"]
    for site, b in buildings:
        for category, (share, _dept) in CATEGORIES.items():
            rate = PER_MONTH * weight[b] / total_weight * share
            counts = [_poisson(rng, rate) for _ in range(MONTHS)]
            if (b, category) == ("sunrise/7", "repairs"):
                counts[RISE_1] += 24
                counts[RISE_1 + 1] += 15
            if site == "riverside" and category == "cleaning":
                part = weight[b] / sum(weight[x] for x in riverside)
                counts[RISE_2] += round(36 * part)
                counts[RISE_2 + 1] += round(24 * part)
            cells[site, b, category] = counts
    return cells


def _cells(cells: Cells, month: int) -> dict[Cell, list[int]]:
    """The counts up to ``month`` (inclusive) by (site, building, category, department)."""
    return {
        (site, building, category, CATEGORIES[category][1]): counts[: month + 1]
        for (site, building, category), counts in cells.items()
    }


def _carries_rise(w: ControlWarning, month: int) -> bool:
    """Whether a warning's series carries an injected rise that month."""
    if month in (RISE_1, RISE_1 + 1) and (w.dimension, w.key) in {
        ("building", "sunrise/7"),
        ("site", "sunrise"),
        ("category", "repairs"),
        ("department", "engineering"),
    }:
        return True
    if month in (RISE_2, RISE_2 + 1):
        riverside = w.dimension == "building" and w.key.startswith("riverside/")
        return riverside or (w.dimension, w.key) in {
            ("site", "riverside"),
            ("category", "cleaning"),
            ("department", "cleaning"),
        }
    return False


def _run(seed: int) -> tuple[dict[int, list[ControlWarning]], Counter[int]]:
    cells = _history(seed)
    periods = [f"m{i:02d}" for i in range(MONTHS)]
    warnings: dict[int, list[ControlWarning]] = {}
    false: Counter[int] = Counter()
    for month in range(1, MONTHS):
        found = control_warnings(
            _cells(cells, month), periods[: month + 1], [True] * (month + 1), RULE
        )
        warnings[month] = list(found)
        false[month] = sum(not _carries_rise(w, month) for w in found)
    return warnings, false


SEEDS = range(2025, 2035)


@pytest.mark.procedure("IMP-4")
@pytest.mark.parametrize("seed", SEEDS)
def test_both_rises_are_flagged_in_the_month_they_start(seed: int) -> None:
    warnings, _false = _run(seed)
    first = {(w.dimension, w.key) for w in warnings[RISE_1]}
    assert ("building", "sunrise/7") in first
    second = {(w.dimension, w.key) for w in warnings[RISE_2]}
    assert second & {("category", "cleaning"), ("department", "cleaning"), ("site", "riverside")}
    for w in warnings[RISE_1] + warnings[RISE_2]:  # each says why
        assert w.observed >= w.limit > w.expected
        assert len(w.baseline) == len(w.months) >= RULE.min_baseline_months


@pytest.mark.procedure("IMP-4")
@pytest.mark.parametrize("seed", SEEDS)
def test_at_most_one_false_warning_in_any_month(seed: int) -> None:
    _warnings, false = _run(seed)
    assert max(false.values()) <= 1, {m: n for m, n in false.items() if n}


@pytest.mark.procedure("IMP-4")
def test_one_rise_is_one_warning_not_four() -> None:
    """The building's repairs rise also lifts its estate, repairs and engineering; the
    estate's cleaning rise lifts cleaning, its department and the estate.  Wider series
    are judged without the finer ones already flagged, so each rise is one warning."""
    for seed in SEEDS:
        warnings, _false = _run(seed)
        assert [(w.dimension, w.key) for w in warnings[RISE_1]] == [("building", "sunrise/7")]
        second = [(w.dimension, w.key) for w in warnings[RISE_2]]
        assert second == [("category", "cleaning")], seed


# --------------------------------------------------------------------------- the rule itself


@pytest.mark.procedure("IMP-4")
def test_the_limit_is_the_count_a_steady_series_rarely_reaches() -> None:
    # 12 months with 60 complaints: a mean of 5 a month
    limit = upper_limit(60, 12, 0.001)
    assert tail_probability(limit, 60, 12) <= 0.001 < tail_probability(limit - 1, 60, 12)
    # a Poisson series with mean 5 reaches 14 once in ~1,400 months (13 once in ~500);
    # the rate is only estimated from 12 months, so the limit sits a little higher
    poisson = [1 - sum(math.exp(-5) * 5**k / math.factorial(k) for k in range(c)) for c in (13, 14)]
    assert poisson[0] > 0.001 > poisson[1]
    assert limit == 15
    # with many months the uncertainty goes and the limit is Poisson's
    assert upper_limit(5 * 1200, 1200, 0.001) == 14


@pytest.mark.procedure("IMP-4")
@given(
    total=st.integers(0, 10_000_000),
    months=st.integers(1, 10_000),
    rate=st.floats(1e-12, 0.999999),
)
def test_the_limit_is_the_first_count_whose_tail_is_within_the_rate(
    total: int, months: int, rate: float
) -> None:
    limit = upper_limit(total, months, rate)
    assert limit >= 1
    if limit <= 10_000_000:
        assert tail_probability(limit, total, months) <= rate
    if limit - 1 <= 10_000_000:
        assert tail_probability(limit - 1, total, months) > rate


def test_a_huge_baseline_or_a_tiny_rate_is_answered_at_once() -> None:
    """Hostile arguments once walked the counts from zero, ten million steps and more
    (or for ever, when the tail never came within a rate below double precision)."""
    assert upper_limit(10_000_000, 1, 1e-12) > 10_000_000
    assert 0.49 < tail_probability(10_000_000, 10_000_000, 1) < 0.51  # the median, about
    with pytest.raises(InvalidInputError, match="rate"):
        upper_limit(60, 12, 1e-300)


@pytest.mark.procedure("IMP-4")
def test_months_without_data_are_not_zeros() -> None:
    """The first month of a desk has nothing before it: no baseline, no warning."""
    only_two = [0, 0, 0, 4, 5]
    data = [False, False, False, True, True]
    found = judge(6, only_two, data, RULE)
    assert found is not None
    assert found.baseline == (4, 5)
    assert found.expected == 4.5
    assert not found.warns  # 6 after 4 and 5 is nothing
    assert judge(6, [0, 0, 0, 0, 5], [False] * 4 + [True], RULE) is None  # one month is too few
    # counted as zeros, the same months would have made 6 look alarming
    assert judge(6, only_two, [True] * 5, RULE) is not None


@pytest.mark.procedure("IMP-4")
def test_a_small_count_never_warns_below_the_minimum() -> None:
    found = judge(2, [0] * 12, [True] * 12, RULE)
    assert found is not None
    assert found.limit == RULE.min_count == 3
    assert not found.warns
    found = judge(3, [0] * 12, [True] * 12, RULE)
    assert found is not None
    assert found.warns
