"""A tiny complaintcore plugin, used by complaintcore's own tests.

Declared in ``pyproject.toml`` under ``[project.entry-points.complaintcore]``, so
:func:`complaintcore.desk.plugins.make_plugin_manager` finds it once installed.  It

* supplies the store (:class:`PluginStore`, an in-memory store marked as ours),
* supplies the staff directory (:class:`PluginStaff`, two people of its own),
* adds a notification channel named ``"testplugin"``,
* registers a rule pack named ``"testplugin-pack"``,
* and records every committed event in :data:`HEARD`.

Its ``get_*`` hooks step aside (return ``None``) when the desk configuration
says ``[plugins] testplugin = "off"``, so the built-in adapters answer instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import attrs

from complaintcore import hookimpl
from complaintcore.core.models import Complaint, Event
from complaintcore.core.rulepack import RulePack
from complaintcore.desk.config import DeskConfig
from complaintcore.desk.ports import Notifier, StaffMember
from complaintcore.rules import load_pack
from complaintcore.testing import MemoryStore, RecordingNotifier, StaffList

__all__ = [
    "HEARD",
    "NOTIFIER_NAME",
    "PACK_NAME",
    "STAFF",
    "PluginStaff",
    "PluginStore",
]

PACK_NAME = "testplugin-pack"
NOTIFIER_NAME = "testplugin"

HEARD: list[tuple[str, tuple[str, ...]]] = []
"""``(complaint id, event kinds)`` for every ``complaintcore_on_events`` call."""

STAFF = (
    StaffMember(
        staff_id="TP-101",
        name="测试接待员 (Test Receptionist)",
        role="客服专员 / complaint handler",
        rung="complaint_handler",
        department="customer_service",
    ),
    StaffMember(
        staff_id="TP-201",
        name="测试工程主管 (Test Engineering Head)",
        role="工程部主管 / engineering head",
        rung="department_head",
        department="engineering",
    ),
)
"""Nobody in the built-in directories has these ids."""


class PluginStore(MemoryStore):
    """The in-memory store, marked so a test can tell it came from this plugin."""

    def __init__(self, config: DeskConfig) -> None:
        super().__init__()
        self.config = config


class PluginStaff(StaffList):
    """A :class:`~complaintcore.testing.StaffList` of :data:`STAFF`, marked as ours."""


def _off(config: DeskConfig) -> bool:
    return config.plugins.get("testplugin") == "off"


@hookimpl
def complaintcore_get_store(config: DeskConfig) -> PluginStore | None:
    return None if _off(config) else PluginStore(config)


@hookimpl
def complaintcore_get_staff_directory(config: DeskConfig) -> PluginStaff | None:
    return None if _off(config) else PluginStaff(STAFF)


@hookimpl
def complaintcore_get_notifiers(config: DeskConfig) -> Sequence[Notifier]:
    return () if _off(config) else (RecordingNotifier(NOTIFIER_NAME),)


@hookimpl
def complaintcore_register_rule_packs(register: Callable[[str, RulePack], None]) -> None:
    register(PACK_NAME, attrs.evolve(load_pack("cn-property"), name=PACK_NAME))


@hookimpl
def complaintcore_on_events(complaint: Complaint, events: Sequence[Event]) -> None:
    HEARD.append((complaint.id, tuple(e.kind for e in events)))
