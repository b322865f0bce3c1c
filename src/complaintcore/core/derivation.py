"""How a deadline was reckoned, step by step, as data (DL-1..8).

A :class:`DerivationStep` is a message and the values it names.  The message is
an English template with ``{name}`` fields, and doubles as the message id of the
shell's catalogs, so the command line and the reports show each step in the
reader's language.  ``str(step)`` is the English text, the one
:attr:`~complaintcore.core.deadlines.ClockStatus.derivation` holds.  Nothing
here translates: the core stays pure.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from typing import TypeAlias

import attrs

from complaintcore.core.models import LabelledEnum

__all__ = ["DerivationStep", "StepValue", "Tag", "Worked", "hours"]


@attrs.frozen
class Tag:
    """An event kind or tag (``registered``, ``replied:final``), shown by its label."""

    name: str

    def __str__(self) -> str:
        return self.name


@attrs.frozen
class Worked:
    """A length of working time (DL-1..4), not of time on the clock.

    A derivation shows working and elapsed hours side by side (a 3-working-day
    reply beside a one-month limit); a reader must be told which is which.
    """

    time: timedelta

    def __str__(self) -> str:
        return hours(self.time)


StepValue: TypeAlias = (
    "str | int | datetime | timedelta | Worked | Tag | tuple[Tag, ...]"
    " | tuple[LabelledEnum, ...] | DerivationStep"
)
"""What a step's fields hold; the shell renders each kind its own way."""


@attrs.frozen
class DerivationStep:
    """One step: ``message`` (an English template, the catalog's msgid) and its values.

    ``plural`` is the template's plural form, chosen by the value ``count``
    (``1 working day`` / ``3 working days``); empty when the message has none.
    """

    message: str
    values: tuple[tuple[str, StepValue], ...] = ()
    plural: str = ""

    @classmethod
    def of(cls, message: str, /, **values: StepValue) -> DerivationStep:
        return cls(message, tuple(values.items()))

    @classmethod
    def counted(cls, singular: str, plural: str, /, **values: StepValue) -> DerivationStep:
        """A message with a plural form; ``values["count"]`` chooses it."""
        return cls(singular, tuple(values.items()), plural)

    @property
    def count(self) -> int | None:
        value = dict(self.values).get("count")
        return value if isinstance(value, int) else None

    def template(self) -> str:
        """The English template for this step's count."""
        return self.plural if self.plural and self.count != 1 else self.message

    def __str__(self) -> str:
        return self.text()

    def text(self, zone: tzinfo | None = None) -> str:
        """The English text; with ``zone``, every time in it given in that zone (the
        same instants: the shell shows a desk's times in its pack's zone, whatever
        offset each event was typed with; review s49O F02)."""
        return self.template().format(**{k: _english(v, zone) for k, v in self.values})


def hours(d: timedelta) -> str:
    """Durations as people read them on a deadline: 31h, 4h30m, 45m."""
    minutes = int(d.total_seconds()) // 60
    h, m = divmod(abs(minutes), 60)
    sign = "-" if minutes < 0 else ""
    if not h and m:
        return f"{sign}{m}m"
    return f"{sign}{h}h{m:02d}m" if m else f"{sign}{h}h"


def _english(value: StepValue, zone: tzinfo | None = None) -> str:
    if isinstance(value, datetime):
        return (value if zone is None else value.astimezone(zone)).isoformat()
    if isinstance(value, DerivationStep):
        return value.text(zone)
    if isinstance(value, timedelta):
        return hours(value)
    if isinstance(value, tuple):
        return " / ".join(v.label() if isinstance(v, LabelledEnum) else str(v) for v in value)
    return str(value)
