"""A host's staff directory, its answers checked where the desk takes them.

pluggy and mypy do not hold a plugin's directory to the
:class:`~complaintcore.desk.ports.StaffDirectory` protocol: a ``members()`` of
``None`` or of dicts, or a ``get()`` of a dict, would fail deep in the desk as a
raw ``TypeError`` naming nothing, and a ``get()`` answering another person would
be taken silently, and a member with the reserved id ``system`` routed
complaints it could never act on; two members whose ids fold alike would let one
act as the other (ESC-3), and a field of the wrong type (a ``duty`` string, a
``sees_personal_data`` of ``"false"``) fail later as a raw ``AttributeError`` or
show complainants' data to whoever it names (PRV-1).  :class:`CheckedDirectory`
refuses them with an
:class:`~complaintcore.core.errors.InvalidInputError` whose ``.path`` names the
hook (or ``directory`` for a desk built by hand).  A directory that raises (an HR
service down) is a :class:`~complaintcore.core.errors.HookError` naming the same:
one of the library's errors, so a bulk intake refuses the one intake and goes on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NoReturn

import attrs

from complaintcore.core.errors import ComplaintCoreError, HookError, InvalidInputError, shown_value
from complaintcore.core.models import staff_key
from complaintcore.desk.access import is_reserved
from complaintcore.desk.plugins import closed_awaitable
from complaintcore.desk.ports import DutyWindow, RereadingDirectory, StaffDirectory, StaffMember

__all__ = ["DIRECTORY_HOOK", "CheckedDirectory"]

TEXT_FIELDS = tuple(f.name for f in attrs.fields(StaffMember) if f.type in (str, "str"))
"""The :class:`StaffMember` fields that must be ``str``: attrs does not check them."""

_SOUND_KEPT = 4096
"""How many checked members :meth:`CheckedDirectory.get` remembers (a staff's size)."""

DIRECTORY_HOOK = "complaintcore_get_staff_directory"
"""Where a desk built by :meth:`~complaintcore.desk.Desk.from_config` got its directory."""


class CheckedDirectory:
    """The directory the desk asks, refusing an answer of the wrong type or for
    another person (:meth:`get`) naming ``source`` and the method.

    ``members()`` answers are handed on as they are (the desk keeps its per-site
    lists while the same tuple comes back), and a tuple already checked is not
    checked again.
    """

    def __init__(self, directory: StaffDirectory, source: str = "directory") -> None:
        self.directory = directory
        self.source = source
        """What errors name: the hook that answered the directory, or ``directory``."""
        self._checked: tuple[StaffMember, ...] | None = None
        self._sound: dict[int, StaffMember] = {}
        """Members :meth:`get` has checked, by ``id`` (see :meth:`_check_once`)."""
        self.passes = 0
        """How many commands, sweeps and delivery passes have begun (each calls
        :meth:`reread_if_changed` once): what the desk learns from ``get()`` about
        a site's staff is kept within one of them only (review s48L F01)."""

    def reread_if_changed(self) -> bool:
        """A directory kept in a file (:class:`~complaintcore.desk.ports.RereadingDirectory`)
        takes the file as it is now if it changed: asked once per command, sweep
        and delivery pass, so a desk kept open (``deliver --loop``, a host's) sees
        a leaver and a new hire as a fresh process does (review s48K F01).  Counted
        in :attr:`passes` whatever the directory, so a live ``get()`` that forgets
        someone is asked again by the next command (review s48L F01)."""
        self.passes += 1
        directory = self.directory
        if not isinstance(directory, RereadingDirectory):
            return False
        try:
            return bool(directory.reread_if_changed())
        except ComplaintCoreError:
            raise
        except Exception as exc:
            raise self._failed("reread_if_changed()", exc) from exc

    def get(self, staff_id: str) -> StaffMember | None:
        """The member ``staff_id`` names, or ``None``.

        A member whose id does not fold (:func:`~complaintcore.core.models.staff_key`)
        to the id asked for is another person: taking it would record them as the
        receiver or actor (REC-5) and let the asker act with their rung (ESC-3).
        """
        try:
            found = self.directory.get(staff_id)
        except ComplaintCoreError:
            raise
        except Exception as exc:
            raise self._failed("get()", exc) from exc
        if found is None:
            return None
        if not isinstance(found, StaffMember):
            closed_awaitable(found)  # an async directory's coroutine: closed, never run
            raise InvalidInputError(
                self.source,
                f"get(): expected a StaffMember or None, got {type(found).__name__}",
            )
        self._check_once(found)
        if staff_key(found.staff_id) != staff_key(staff_id):
            raise InvalidInputError(
                self.source,
                f"get({self._shown(staff_id)}) answered {found.staff_id!r}, another person"
                " (only case, width and spaces may differ from the id asked for)",
            )
        return found

    def members(self) -> Sequence[StaffMember]:
        """Everyone in the directory, as the directory hands them back."""
        try:
            found = self.directory.members()
        except ComplaintCoreError:
            raise
        except Exception as exc:
            raise self._failed("members()", exc) from exc
        if found is self._checked and found is not None:
            return found
        if not isinstance(found, Sequence) or isinstance(found, str | bytes | Mapping):
            closed_awaitable(found)
            raise InvalidInputError(
                self.source,
                "members(): expected a sequence (tuple or list) of StaffMember,"
                f" got {type(found).__name__}",
            )
        keys: dict[str, int] = {}
        for i, member in enumerate(found):
            if not isinstance(member, StaffMember):
                raise InvalidInputError(
                    self.source,
                    f"members()[{i}]: expected a StaffMember, got {type(member).__name__}",
                )
            self._check_fields(member, f"members()[{i}]")
            self._check_unique(member.staff_id, i, keys)
            if is_reserved(member.staff_id):
                # review s43D F02: routed complaints, this "person" could never act
                # on them (the desk refuses the reserved actor), as a staff file's is
                raise InvalidInputError(
                    self.source,
                    f"members()[{i}].staff_id: {member.staff_id!r} is reserved for the"
                    " desk's own acts (sweeps)",
                )
        if isinstance(found, tuple):  # cannot change in place: checked once
            self._checked = found
        return found

    def _check_once(self, member: StaffMember) -> None:
        """:meth:`_check_fields` of a member :meth:`get` answered, skipped for the very
        object checked before (a directory hands back the same member at every ask:
        three times a complaint at intake).  Only a member that cannot change is
        remembered: a :class:`StaffMember` itself (frozen; a host's subclass is
        checked each time) whose duty windows are a tuple (a list could be changed
        in place), so what the check read of it still holds.  The entry holds the
        member, so its ``id`` is not reused while remembered; at most
        :data:`_SOUND_KEPT` are kept."""
        sound = self._sound
        if sound.get(id(member)) is member:
            return
        self._check_fields(member, "get()")
        if type(member) is StaffMember and type(member.duty) is tuple:
            if len(sound) >= _SOUND_KEPT:
                sound.clear()
            sound[id(member)] = member

    def _check_fields(self, member: StaffMember, where: str) -> None:
        """Each field of the type :class:`StaffMember` declares, naming the field and the
        type found, never the value (it may be a name or a phone: PRV-1).  A
        ``sees_personal_data`` of ``"false"`` (a JSON or CSV export's) would be taken
        as true and unmask complainants' data for whoever it names (review s45D F03)."""
        for field in TEXT_FIELDS:
            value = getattr(member, field)
            if not isinstance(value, str):
                found = type(value).__name__
                self._refuse(f"{where}.{field}: expected text (str), got {found}")
        duty = member.duty
        if not isinstance(duty, tuple | list) or not all(isinstance(w, DutyWindow) for w in duty):
            found = type(duty if not isinstance(duty, tuple | list) else _odd_window(duty)).__name__
            self._refuse(f"{where}.duty: expected a tuple or list of DutyWindow, got {found}")
        if not isinstance(member.sees_personal_data, bool):
            found = type(member.sees_personal_data).__name__
            self._refuse(f"{where}.sees_personal_data: expected true or false, got {found}")

    def _refuse(self, reason: str) -> NoReturn:
        raise InvalidInputError(self.source, reason)

    def _check_unique(self, staff_id: str, index: int, keys: dict[str, int]) -> None:
        """Two members whose ids fold alike (``SR-201`` and ``sr-201``) would be one
        person to the desk, which compares ids folded: the one could act with the
        other's rights (ESC-3; review s45D F01).  Ids only in the reason."""
        first = keys.setdefault(staff_key(staff_id), index)
        if first != index:
            raise InvalidInputError(
                self.source,
                f"members()[{index}].staff_id: folds to the same id as members()[{first}]"
                " (a directory may not hold two ids that differ only in case, width or"
                " spaces)",
            )

    def _failed(self, method: str, exc: Exception) -> HookError:
        """The host's exception by its type alone: its text may quote the person
        asked for (PRV-1); it stays reachable as ``__cause__``."""
        return HookError(self.source, f"{method} raised {type(exc).__name__}")

    def _shown(self, staff_id: object) -> str:
        """The id asked for as an error shows it: quoted when it is a listed member's
        id, masked otherwise, as an unknown actor is (it may be a name: PRV-1)."""
        key = staff_key(staff_id) if isinstance(staff_id, str) else ""
        if key and any(staff_key(m.staff_id) == key for m in self.members()):
            return repr(staff_id)
        return repr(shown_value(staff_id))


def _odd_window(duty: tuple[object, ...] | list[object]) -> object:
    """The first item of a duty that is not a :class:`DutyWindow` (its type is named)."""
    return next(w for w in duty if not isinstance(w, DutyWindow))
