"""The desk: the pure core run against a host's store, staff, calendar and notifiers.

:class:`Desk` (in :mod:`complaintcore.desk.service`) is the service layer; the
ports it plugs adapters into are in :mod:`complaintcore.desk.ports`, and the
pluggy hooks that supply them in :mod:`complaintcore.desk.hookspecs`.  The
desk's work is done in modules named for what they hold: ``projection`` (clocks,
duties, rows), ``telling`` (who is told what), ``site_staff`` (a site's staff and
routing), ``repeat_links`` and ``grouping`` (repeats and issues at intake),
``drafts``, ``sweeping`` and ``masking``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from complaintcore.desk.service import (
        CommittedInterrupt,
        DeliveryReport,
        Desk,
        GroupVisit,
        IssueReport,
        SweepFailed,
        SweepInterrupted,
        SweepReport,
        masked_record,
    )

__all__ = [
    "CommittedInterrupt",
    "DeliveryReport",
    "Desk",
    "GroupVisit",
    "IssueReport",
    "SweepFailed",
    "SweepInterrupted",
    "SweepReport",
    "masked_record",
]


if not TYPE_CHECKING:  # hidden from type checkers: they would type every name as Any

    def __getattr__(name: str) -> Any:
        # Lazy, so that adapters importing complaintcore.desk.ports do not load pluggy.
        if name in __all__:
            value = getattr(importlib.import_module("complaintcore.desk.service"), name)
            globals()[name] = value
            return value
        raise AttributeError(f"module 'complaintcore.desk' has no attribute {name!r}")
