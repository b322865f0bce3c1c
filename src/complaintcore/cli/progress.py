"""Progress bars for long work: on stderr, and only when stderr is a terminal.

Piped or captured output (cron, ``--json`` into ``jq``, tests) never sees a
bar, so standard output stays exactly the command's result.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

__all__ = ["Step", "progress", "stderr_is_terminal", "track"]

T = TypeVar("T")

Step = Callable[[int, int | None], None]
"""Report ``(done, total)``; ``total`` is ``None`` while it is not known."""


def stderr_is_terminal() -> bool:
    isatty = getattr(sys.stderr, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


def _ignore(done: int, total: int | None) -> None:
    """The step of a bar that is not shown."""


@contextmanager
def progress(label: str, *, total: int | None = None) -> Iterator[Step]:
    """A bar labelled ``label``; yields the step function that moves it.

    Without a known total the bar pulses and counts.  The bar is transient:
    it disappears when the work is done.
    """
    if not stderr_is_terminal():
        yield _ignore
        return
    bar = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(file=sys.stderr, force_terminal=True),
        transient=True,
    )
    task = bar.add_task(label, total=total)

    def step(done: int, total: int | None) -> None:
        bar.update(task, completed=done, total=total)

    with bar:
        yield step


def track(items: Iterable[T], label: str, *, total: int | None = None) -> Iterator[T]:
    """Yield ``items``, moving a bar one step per item."""
    with progress(label, total=total) as step:
        for done, item in enumerate(items, start=1):
            yield item
            step(done, total)
