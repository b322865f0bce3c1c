"""The fuzz suite: hostile input everywhere, only library errors out.

Every test here is marked ``fuzz`` (``pytest -m fuzz`` runs them alone).  The
normal run -- the README's test command, which CI runs -- gives each a small
number of examples so the suite stays fast; ``COMPLAINTCORE_FUZZ_EXAMPLES``
sets the number per test for a long run::

    COMPLAINTCORE_FUZZ_EXAMPLES=20000 python -m pytest -m fuzz -q

The normal run draws the same examples every time; a long run draws new ones,
which is how the suite finds what no one thought of.

The inputs each test generated (an example may make several calls or carry a
file of many rows) are counted and reported at the end of the run.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, settings

F = TypeVar("F", bound=Callable[..., Any])

ENV = "COMPLAINTCORE_FUZZ_EXAMPLES"

INPUTS: Counter[str] = Counter()
"""Generated inputs per test (calls made, rows read, argument vectors run)."""


def examples(default: int) -> int:
    """The examples a fuzz test runs: ``default`` unless the environment says."""
    asked = os.environ.get(ENV, "").strip()
    return int(asked) if asked else default


def fuzz_settings(default: int) -> Callable[[F], F]:
    """Hypothesis settings for one fuzz test: ``default`` examples in the normal run,
    the same ones every time (a gate that passed once passes again); a long run
    (``COMPLAINTCORE_FUZZ_EXAMPLES`` set) draws new ones."""
    return settings(
        max_examples=examples(default),
        derandomize=not os.environ.get(ENV, "").strip(),
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
        ],
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/fuzz/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.fuzz)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if INPUTS:
        total = sum(INPUTS.values())
        terminalreporter.write_line(
            f"fuzz: {total:,} generated inputs ("
            + ", ".join(f"{name} {n:,}" for name, n in sorted(INPUTS.items()))
            + ")"
        )
