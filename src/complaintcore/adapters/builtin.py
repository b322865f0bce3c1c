"""The built-in adapters, registered as a plugin with ``trylast`` so hosts win."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from complaintcore.core.calendar import WorkingCalendar
from complaintcore.core.errors import InvalidInputError
from complaintcore.core.rulepack import CalendarSpec
from complaintcore.desk.config import DeskConfig
from complaintcore.desk.hookspecs import hookimpl
from complaintcore.desk.ports import ComplaintStore, Notifier, StaffDirectory, StaffMember

if TYPE_CHECKING:
    from complaintcore.adapters.staff import StaffList

log = logging.getLogger("complaintcore.staff")


@hookimpl(trylast=True)
def complaintcore_get_store(config: DeskConfig) -> ComplaintStore:
    from complaintcore.adapters.stores import open_store

    return open_store(
        config.resolve(config.database),
        tenant=config.tenant,
        create=config.create_database,
        synchronous=config.sqlite.synchronous,
    )


@hookimpl(trylast=True)
def complaintcore_get_staff_directory(config: DeskConfig) -> StaffDirectory:
    if config.staff_file is None:
        from complaintcore.adapters.staff import StaffList

        return StaffList()
    path = config.resolve(config.staff_file)
    if not os.path.isfile(path):
        # read lazily, so said now: not by the first complaint, as if it were its fault
        raise InvalidInputError("staff_file", f"no file at {path}")
    return StaffFile(config, path)


class StaffFile:
    """The config's staff file, read the first time anyone is looked up, and again
    after it changed.

    A command that looks nobody up (``list``, ``report``) never parses it: a
    company's file of a thousand people costs a command line more than opening
    the rest of the desk.  Anything wrong with the file is raised by that first
    lookup, as :func:`~complaintcore.adapters.staff.load_staff_file` words it.
    The :class:`~complaintcore.adapters.staff.StaffList` helpers (``by_rung``,
    ``at_site`` …) are answered by the loaded list.

    A desk kept open (``deliver --loop``, a host's) calls
    :meth:`reread_if_changed` once per command, sweep and delivery pass: when
    the file's inode, size or modification time differ from the file read, the
    next lookup reads it again, so a leaver is unknown and a new hire known as
    in a fresh process (review s48K F01).  A changed file that does not load is
    raised by that lookup, never answered from the old list (which may still
    hold a leaver: PRV-1).
    """

    def __init__(self, config: DeskConfig, path: str) -> None:
        self._config = config
        self._path = path
        self._lock = threading.Lock()
        self._staff: StaffList | None = None
        self._read_as: tuple[int, ...] | None = None
        """The file's :func:`_stamp` when the loaded list was read."""

    @property
    def staff(self) -> StaffList:
        """The file's staff, loaded now if not yet (or if changed since, see above)."""
        found = self._staff
        if found is None:
            with self._lock:
                found = self._staff
                if found is None:
                    stamp = _stamp(self._path)  # before reading: a later change is seen
                    found = self._load()
                    self._staff, self._read_as = found, stamp
        return found

    def reread_if_changed(self) -> bool:
        """Forget the list read if the file changed since (or is gone): the next
        lookup reads it again.  One ``stat``; nothing read before the next lookup,
        so a command that looks nobody up still never parses the file."""
        with self._lock:
            if self._staff is None or _stamp(self._path) == self._read_as:
                return False
            self._staff = self._read_as = None
        log.info("staff file %s changed: read again at the next lookup", self._path)
        return True

    def _load(self) -> StaffList:
        from complaintcore.adapters.staff import load_staff_file
        from complaintcore.core.errors import RulePackError
        from complaintcore.rules import load_pack

        config = self._config
        try:
            pack = load_pack(config.pack_source(), parameters=config.pack_parameters or None)
        except RulePackError:
            pack = None  # a pack a plugin registers: rungs are checked when commands run
        return load_staff_file(self._path, pack=pack)

    def get(self, staff_id: str) -> StaffMember | None:
        return self.staff.get(staff_id)

    def members(self) -> Sequence[StaffMember]:
        return self.staff.members()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.staff, name)

    def __len__(self) -> int:
        return len(self.staff)

    def __iter__(self) -> Iterator[StaffMember]:
        return iter(self.staff)

    def __contains__(self, staff_id: object) -> bool:
        return staff_id in self.staff

    def __repr__(self) -> str:
        staff = self._staff
        state = "not read yet" if staff is None else f"{len(staff)} members"
        return f"StaffFile({state})"


def _stamp(path: str) -> tuple[int, ...]:
    """What tells a staff file changed: device, inode (an editor's save renames a new
    file in), size, modification and change times in ns; ``()`` for a file
    that cannot be looked at (removed: the read says why)."""
    try:
        st = os.stat(path)
    except OSError:
        return ()
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


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
