"""complaintcore: owners' complaints, handled by the documented procedures.

The names below are the public API.  They are imported lazily, so ``import
complaintcore`` stays fast and loads neither cattrs, the ``holidays`` package
nor any adapter until something needs them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from complaintcore._version import __version__

if TYPE_CHECKING:
    from complaintcore.calendar import WorkingCalendar
    from complaintcore.classification import Classification, classify
    from complaintcore.config import DeskConfig, load_config
    from complaintcore.deadlines import ClockState, ClockStatus, compute_clocks
    from complaintcore.desk import Desk
    from complaintcore.errors import (
        AccessDeniedError,
        ComplaintCoreError,
        ConcurrencyConflictError,
        EscalationError,
        IllegalTransitionError,
        IncompleteRecordError,
        InvalidInputError,
        NaiveDatetimeError,
        RulePackError,
        UnknownComplaintError,
    )
    from complaintcore.models import (
        Channel,
        Complainant,
        Complaint,
        Fact,
        Grade,
        Intake,
        Kind,
        Status,
        TargetPerson,
        Trigger,
        Validity,
    )
    from complaintcore.rulepack import RulePack
    from complaintcore.rules import load_pack
    from complaintcore.validity import check_record
    from complaintcore.workflow import decide, evolve, new_complaint

__all__ = [
    "AccessDeniedError",
    "Channel",
    "Classification",
    "ClockState",
    "ClockStatus",
    "Complainant",
    "Complaint",
    "ComplaintCoreError",
    "ConcurrencyConflictError",
    "Desk",
    "DeskConfig",
    "EscalationError",
    "Fact",
    "Grade",
    "IllegalTransitionError",
    "IncompleteRecordError",
    "Intake",
    "InvalidInputError",
    "Kind",
    "NaiveDatetimeError",
    "RulePack",
    "RulePackError",
    "Status",
    "TargetPerson",
    "Trigger",
    "UnknownComplaintError",
    "Validity",
    "WorkingCalendar",
    "__version__",
    "check_record",
    "classify",
    "compute_clocks",
    "decide",
    "evolve",
    "load_config",
    "load_pack",
    "new_complaint",
]

_HOME = {
    "WorkingCalendar": "calendar",
    "Classification": "classification",
    "classify": "classification",
    "DeskConfig": "config",
    "load_config": "config",
    "ClockState": "deadlines",
    "ClockStatus": "deadlines",
    "compute_clocks": "deadlines",
    "Desk": "desk",
    "RulePack": "rulepack",
    "load_pack": "rules",
    "check_record": "validity",
    "decide": "workflow",
    "evolve": "workflow",
    "new_complaint": "workflow",
    **dict.fromkeys(
        ["AccessDeniedError", "ComplaintCoreError", "ConcurrencyConflictError",
         "EscalationError", "IllegalTransitionError", "IncompleteRecordError",
         "InvalidInputError", "NaiveDatetimeError", "RulePackError",
         "UnknownComplaintError"], "errors"),
    **dict.fromkeys(
        ["Channel", "Complainant", "Complaint", "Fact", "Grade", "Intake", "Kind", "Status",
         "TargetPerson", "Trigger", "Validity"], "models"),
}  # fmt: skip


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module 'complaintcore' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"complaintcore.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
