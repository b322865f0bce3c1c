"""complaintcore: owners' complaints, handled by the documented procedures.

This module is the public surface: everything a host uses is importable from
here (commands, models, errors, ``hookimpl``, rule packs, calendars, the desk
and its ports).  The names are imported lazily, so ``import complaintcore``
stays fast and loads neither cattrs, pluggy, the ``holidays`` package nor any
adapter until something needs them.

Where things live: ``complaintcore.core`` is the pure core (no I/O, no clock),
``complaintcore.desk`` the service layer and its ports, ``complaintcore.adapters``
the built-in stores, notifiers, staff files and calendars,
``complaintcore.rules`` the shipped rule packs, ``complaintcore.cli`` the
command line, and ``complaintcore.testing`` fakes for hosts' tests.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from complaintcore import _compat
from complaintcore._version import __version__

_compat.install()  # 0.1.0 module paths keep working, with a DeprecationWarning

if TYPE_CHECKING:
    from complaintcore.adapters.calendars import (
        calendar_for_spec,
    )
    from complaintcore.core.calendar import (
        WorkingCalendar,
    )
    from complaintcore.core.classification import (
        Classification,
        classify,
    )
    from complaintcore.core.deadlines import (
        ClockState,
        ClockStatus,
        compute_clocks,
    )
    from complaintcore.core.derivation import (
        DerivationStep,
    )
    from complaintcore.core.errors import (
        AccessDeniedError,
        CalendarError,
        ComplaintCoreError,
        ConcurrencyConflictError,
        DamagedRecordError,
        EscalationError,
        FieldProblem,
        GradeError,
        HolidayDataWarning,
        IdempotencyConflictError,
        IllegalTransitionError,
        IncompleteRecordError,
        InvalidInputError,
        NaiveDatetimeError,
        NoWorkingTimeError,
        RulePackError,
        SerializationError,
        StoreError,
        UnknownComplaintError,
    )
    from complaintcore.core.limits import (
        TextLimits,
        clean_text,
    )
    from complaintcore.core.models import (
        Assessed,
        Assigned,
        Cause,
        CauseAnalysed,
        Channel,
        Classified,
        Closed,
        Complainant,
        Complaint,
        ComplaintState,
        Escalated,
        Event,
        EvidenceAttached,
        Fact,
        Forwarded,
        Grade,
        Graded,
        Handled,
        Intake,
        Kind,
        Paused,
        Promised,
        Registered,
        Reopened,
        Replied,
        Resumed,
        SanctionRecorded,
        SignedOff,
        Status,
        TargetPerson,
        Trigger,
        Validity,
        Visited,
        staff_key,
    )
    from complaintcore.core.rulepack import (
        CalendarSpec,
        ClockSpec,
        Duration,
        RulePack,
    )
    from complaintcore.core.spreadsheet import (
        spreadsheet_safe,
    )
    from complaintcore.core.stats import (
        MonthlyReport,
        RepeatRule,
        TrendRule,
        monthly_report,
        to_json_dict,
        to_rows,
    )
    from complaintcore.core.validity import (
        RecordReport,
        check_record,
    )
    from complaintcore.core.workflow import (
        Assess,
        Assign,
        AttachEvidence,
        Classify,
        Close,
        Command,
        Escalate,
        Forward,
        Handle,
        Pause,
        Promise,
        RecordCause,
        RecordSanction,
        Register,
        Regrade,
        Reopen,
        Reply,
        Resume,
        SignOff,
        Visit,
        allowed_commands,
        decide,
        evolve,
        new_complaint,
        replay,
    )
    from complaintcore.desk.config import (
        DeliveryPolicy,
        DeskConfig,
        RetryPolicy,
        load_config,
    )
    from complaintcore.desk.delivery import (
        DeliveryWorker,
        SendTimeoutError,
    )
    from complaintcore.desk.hookspecs import (
        hookimpl,
    )
    from complaintcore.desk.importer import (
        FileImport,
        ImportSummary,
        RowResult,
    )
    from complaintcore.desk.messages import (
        NotificationTemplate,
    )
    from complaintcore.desk.plugins import (
        PluginError,
        make_plugin_manager,
    )
    from complaintcore.desk.ports import (
        BatchComplaintStore,
        ComplaintRow,
        ComplaintStore,
        DutyWindow,
        Notification,
        Notifier,
        OutboxItem,
        RowQuery,
        StaffDirectory,
        StaffMember,
        VerifyReport,
    )
    from complaintcore.desk.service import (
        DeliveryReport,
        Desk,
        Receipt,
        SweepReport,
    )
    from complaintcore.i18n import (
        Translator,
        available_languages,
        translator,
    )
    from complaintcore.rules import (
        available_packs,
        load_pack,
    )
    from complaintcore.schemas import (
        json_schema,
        json_schemas,
        schema_text,
    )
    from complaintcore.serialization import (
        command_from_dict,
        command_to_dict,
        complaint_from_dict,
        complaint_to_dict,
        event_from_dict,
        event_to_dict,
        intake_from_dict,
        intake_to_dict,
    )

__all__ = [
    "AccessDeniedError",
    "Assess",
    "Assessed",
    "Assign",
    "Assigned",
    "AttachEvidence",
    "BatchComplaintStore",
    "CalendarError",
    "CalendarSpec",
    "Cause",
    "CauseAnalysed",
    "Channel",
    "Classification",
    "Classified",
    "Classify",
    "ClockSpec",
    "ClockState",
    "ClockStatus",
    "Close",
    "Closed",
    "Command",
    "Complainant",
    "Complaint",
    "ComplaintCoreError",
    "ComplaintRow",
    "ComplaintState",
    "ComplaintStore",
    "ConcurrencyConflictError",
    "DamagedRecordError",
    "DeliveryPolicy",
    "DeliveryReport",
    "DeliveryWorker",
    "DerivationStep",
    "Desk",
    "DeskConfig",
    "Duration",
    "DutyWindow",
    "Escalate",
    "Escalated",
    "EscalationError",
    "Event",
    "EvidenceAttached",
    "Fact",
    "FieldProblem",
    "FileImport",
    "Forward",
    "Forwarded",
    "Grade",
    "GradeError",
    "Graded",
    "Handle",
    "Handled",
    "HolidayDataWarning",
    "IdempotencyConflictError",
    "IllegalTransitionError",
    "ImportSummary",
    "IncompleteRecordError",
    "Intake",
    "InvalidInputError",
    "Kind",
    "MonthlyReport",
    "NaiveDatetimeError",
    "NoWorkingTimeError",
    "Notification",
    "NotificationTemplate",
    "Notifier",
    "OutboxItem",
    "Pause",
    "Paused",
    "PluginError",
    "Promise",
    "Promised",
    "Receipt",
    "RecordCause",
    "RecordReport",
    "RecordSanction",
    "Register",
    "Registered",
    "Regrade",
    "Reopen",
    "Reopened",
    "RepeatRule",
    "Replied",
    "Reply",
    "Resume",
    "Resumed",
    "RetryPolicy",
    "RowQuery",
    "RowResult",
    "RulePack",
    "RulePackError",
    "SanctionRecorded",
    "SendTimeoutError",
    "SerializationError",
    "SignOff",
    "SignedOff",
    "StaffDirectory",
    "StaffMember",
    "Status",
    "StoreError",
    "SweepReport",
    "TargetPerson",
    "TextLimits",
    "Translator",
    "TrendRule",
    "Trigger",
    "UnknownComplaintError",
    "Validity",
    "VerifyReport",
    "Visit",
    "Visited",
    "WorkingCalendar",
    "__version__",
    "allowed_commands",
    "available_languages",
    "available_packs",
    "calendar_for_spec",
    "check_record",
    "classify",
    "clean_text",
    "command_from_dict",
    "command_to_dict",
    "complaint_from_dict",
    "complaint_to_dict",
    "compute_clocks",
    "decide",
    "event_from_dict",
    "event_to_dict",
    "evolve",
    "hookimpl",
    "intake_from_dict",
    "intake_to_dict",
    "json_schema",
    "json_schemas",
    "load_config",
    "load_pack",
    "make_plugin_manager",
    "monthly_report",
    "new_complaint",
    "replay",
    "schema_text",
    "spreadsheet_safe",
    "staff_key",
    "to_json_dict",
    "to_rows",
    "translator",
]

_MODULES: dict[str, tuple[str, ...]] = {
    "core.models": (
        "Assessed",
        "Assigned",
        "Cause",
        "CauseAnalysed",
        "Channel",
        "Classified",
        "Closed",
        "Complainant",
        "Complaint",
        "ComplaintState",
        "Escalated",
        "Event",
        "EvidenceAttached",
        "Fact",
        "Forwarded",
        "Grade",
        "Graded",
        "Handled",
        "Intake",
        "Kind",
        "Paused",
        "Promised",
        "Registered",
        "Reopened",
        "Replied",
        "Resumed",
        "SanctionRecorded",
        "SignedOff",
        "Status",
        "TargetPerson",
        "Trigger",
        "Validity",
        "Visited",
        "staff_key",
    ),
    "core.errors": (
        "AccessDeniedError",
        "CalendarError",
        "ComplaintCoreError",
        "ConcurrencyConflictError",
        "DamagedRecordError",
        "EscalationError",
        "FieldProblem",
        "GradeError",
        "HolidayDataWarning",
        "IdempotencyConflictError",
        "IllegalTransitionError",
        "IncompleteRecordError",
        "InvalidInputError",
        "NaiveDatetimeError",
        "NoWorkingTimeError",
        "RulePackError",
        "SerializationError",
        "StoreError",
        "UnknownComplaintError",
    ),
    "core.workflow": (
        "Assess",
        "Assign",
        "AttachEvidence",
        "Classify",
        "Close",
        "Command",
        "Escalate",
        "Forward",
        "Handle",
        "Pause",
        "Promise",
        "RecordCause",
        "RecordSanction",
        "Register",
        "Regrade",
        "Reopen",
        "Reply",
        "Resume",
        "SignOff",
        "Visit",
        "allowed_commands",
        "decide",
        "evolve",
        "new_complaint",
        "replay",
    ),
    "core.calendar": ("WorkingCalendar",),
    "core.classification": (
        "Classification",
        "classify",
    ),
    "core.deadlines": (
        "ClockState",
        "ClockStatus",
        "compute_clocks",
    ),
    "core.derivation": ("DerivationStep",),
    "core.validity": (
        "RecordReport",
        "check_record",
    ),
    "core.rulepack": (
        "CalendarSpec",
        "ClockSpec",
        "Duration",
        "RulePack",
    ),
    "core.stats": (
        "MonthlyReport",
        "RepeatRule",
        "TrendRule",
        "monthly_report",
        "to_json_dict",
        "to_rows",
    ),
    "desk.service": (
        "DeliveryReport",
        "Desk",
        "Receipt",
        "SweepReport",
    ),
    "desk.config": (
        "DeliveryPolicy",
        "DeskConfig",
        "RetryPolicy",
        "load_config",
    ),
    "desk.hookspecs": ("hookimpl",),
    "desk.messages": ("NotificationTemplate",),
    "desk.plugins": (
        "PluginError",
        "make_plugin_manager",
    ),
    "desk.ports": (
        "BatchComplaintStore",
        "ComplaintRow",
        "ComplaintStore",
        "DutyWindow",
        "Notification",
        "Notifier",
        "OutboxItem",
        "RowQuery",
        "StaffDirectory",
        "StaffMember",
        "VerifyReport",
    ),
    "core.limits": (
        "TextLimits",
        "clean_text",
    ),
    "core.spreadsheet": ("spreadsheet_safe",),
    "desk.delivery": (
        "DeliveryWorker",
        "SendTimeoutError",
    ),
    "desk.importer": (
        "FileImport",
        "ImportSummary",
        "RowResult",
    ),
    "rules": (
        "available_packs",
        "load_pack",
    ),
    "adapters.calendars": ("calendar_for_spec",),
    "i18n": (
        "Translator",
        "available_languages",
        "translator",
    ),
    "serialization": (
        "command_from_dict",
        "command_to_dict",
        "complaint_from_dict",
        "complaint_to_dict",
        "event_from_dict",
        "event_to_dict",
        "intake_from_dict",
        "intake_to_dict",
    ),
    "schemas": (
        "json_schema",
        "json_schemas",
        "schema_text",
    ),
}
"""Where each public name lives."""

_HOME = {name: module for module, names in _MODULES.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module 'complaintcore' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"complaintcore.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
