"""The host's plugin: hands its staff directory and inbox to every desk.

A plugin is any object with ``@hookimpl`` methods named after complaintcore's
hooks; an instance keeps its parts without module globals.  Published with an
entry point in the group ``complaintcore`` it is loaded by every desk; here the
host passes it in (see :func:`desk`).
"""

from __future__ import annotations

from collections.abc import Sequence

from complaintcore import (
    Complaint,
    Desk,
    DeskConfig,
    Event,
    Notifier,
    StaffDirectory,
    hookimpl,
    make_plugin_manager,
)
from host_example.directory import STAFF, DictDirectory
from host_example.notifier import ListNotifier


class HostPlugin:
    """complaintcore_get_staff_directory, _get_notifiers and _on_events."""

    def __init__(self) -> None:
        self.directory = DictDirectory(STAFF)
        self.notifier = ListNotifier()
        self.audit: list[str] = []

    @hookimpl
    def complaintcore_get_staff_directory(self, config: DeskConfig) -> StaffDirectory | None:
        return self.directory

    @hookimpl
    def complaintcore_get_notifiers(self, config: DeskConfig) -> Sequence[Notifier]:
        return [self.notifier]

    @hookimpl
    def complaintcore_on_events(self, complaint: Complaint, events: Sequence[Event]) -> None:
        """An audit line per committed event: ids and kinds, no personal data."""
        self.audit.extend(f"{complaint.id} {e.kind} by {e.actor}" for e in events)


def desk(plugin: HostPlugin, database: str = ":memory:") -> Desk:
    """A desk whose staff and inbox come from ``plugin``; the store is built in."""
    manager = make_plugin_manager([plugin], load_entry_points=False)
    config = DeskConfig(database=database, notifiers={"log": False})
    return Desk.from_config(config, plugin_manager=manager)
