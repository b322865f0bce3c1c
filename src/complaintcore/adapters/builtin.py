"""The built-in adapters, registered as a plugin with ``trylast`` so hosts win."""

from __future__ import annotations

from collections.abc import Sequence

from complaintcore.core.calendar import WorkingCalendar
from complaintcore.core.rulepack import CalendarSpec
from complaintcore.desk.config import DeskConfig
from complaintcore.desk.hookspecs import hookimpl
from complaintcore.desk.ports import ComplaintStore, Notifier, StaffDirectory


@hookimpl(trylast=True)
def complaintcore_get_store(config: DeskConfig) -> ComplaintStore:
    from complaintcore.adapters.stores import open_store

    return open_store(config.resolve(config.database), tenant=config.tenant)


@hookimpl(trylast=True)
def complaintcore_get_staff_directory(config: DeskConfig) -> StaffDirectory:
    from complaintcore.adapters.staff import StaffList, load_staff_file

    if config.staff_file is None:
        return StaffList()
    from complaintcore.core.errors import RulePackError
    from complaintcore.rules import load_pack

    try:
        pack = load_pack(config.pack, parameters=config.pack_parameters or None)
    except RulePackError:
        pack = None  # a pack a plugin registers: rungs are checked when commands run
    return load_staff_file(config.resolve(config.staff_file), pack=pack)


@hookimpl(trylast=True)
def complaintcore_get_calendar(
    name: str, spec: CalendarSpec, config: DeskConfig
) -> WorkingCalendar:
    from complaintcore.adapters.calendars import calendar_for_spec

    return calendar_for_spec(spec)


@hookimpl(trylast=True)
def complaintcore_get_notifiers(config: DeskConfig) -> Sequence[Notifier]:
    from complaintcore.adapters.notify import notifiers_from_config

    return notifiers_from_config(config.notifiers)
