"""Schema versions of stored events, and the upcasters that read old ones.

Every stored event records the schema version of its type (``1`` for every
event type so far, and for everything complaintcore 0.1.0 wrote).  When an
event's fields change, its version goes up and an *upcaster* is registered in
code: a function from the old JSON body to the next version's body.  Stores
hand each stored body with its version to :func:`upcast`, so a desk written
years ago loads as today's events, and its hash chain still checks the text
that was stored (upcasting happens after verification, on the decoded copy).

    from complaintcore import register_upcaster

    @register_upcaster("evidence_attached", from_version=1)
    def _reference_renamed(body):
        body = dict(body)
        body["reference"] = body.pop("ref")
        return body

Registering the upcaster from version ``n`` makes ``n + 1`` the current
version of that event type: new events are written with it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from complaintcore.core.errors import ComplaintCoreError, InvalidInputError

__all__ = [
    "EVENT_VERSIONS",
    "EventVersionError",
    "EventVersions",
    "Upcaster",
    "event_version",
    "register_upcaster",
    "upcast",
]

Upcaster = Callable[[Mapping[str, Any]], dict[str, Any]]
"""Turns the JSON body of one version of an event type into the next version's."""


class EventVersionError(ComplaintCoreError, ValueError):
    """A stored event has a schema version this complaintcore cannot read.

    Either it was written by a newer complaintcore (``found > supported``:
    upgrade), or an upcaster in the chain to the current version is missing.
    Names the event type and the versions only, never the body (PRV-1).
    """

    def __init__(self, kind: str, found: int, supported: int, reason: str) -> None:
        super().__init__(f"event type {kind!r} version {found}: {reason}")
        self.kind = kind
        self.found = found
        self.supported = supported


class EventVersions:
    """The current schema version of each event type and the upcasters between them.

    complaintcore keeps one registry, :data:`EVENT_VERSIONS`, which the stores
    read; a separate instance is useful to try an upcaster in a test.
    """

    def __init__(self) -> None:
        self._current: dict[str, int] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}
        self._lock = threading.Lock()

    def current(self, kind: str) -> int:
        """The version new events of ``kind`` are written with (1 until an upcaster exists)."""
        return self._current.get(kind, 1)

    def register(self, kind: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
        """A decorator registering ``fn`` as the upcaster from ``from_version`` of ``kind``.

        :raises InvalidInputError: the version is not a positive integer, or an
            upcaster from that version of that type is already registered.
        """
        if not isinstance(kind, str) or not kind:
            raise InvalidInputError("kind", "expected an event type name")
        if isinstance(from_version, bool) or not isinstance(from_version, int) or from_version < 1:
            raise InvalidInputError("from_version", "expected a positive integer")

        def add(fn: Upcaster) -> Upcaster:
            with self._lock:
                if (kind, from_version) in self._upcasters:
                    raise InvalidInputError(
                        "from_version", f"an upcaster from {from_version} of {kind!r} exists"
                    )
                self._upcasters[(kind, from_version)] = fn
                self._current[kind] = max(self.current(kind), from_version + 1)
            return fn

        return add

    def upcast(self, kind: str, version: int, body: Mapping[str, Any]) -> Mapping[str, Any]:
        """``body`` (of ``kind`` at ``version``) brought up to the current version.

        :raises EventVersionError: ``version`` is newer than the current one, not
            a positive integer, or a step has no upcaster.
        """
        supported = self.current(kind)
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise EventVersionError(kind, -1, supported, "not a positive integer")
        if version > supported:
            raise EventVersionError(
                kind,
                version,
                supported,
                f"written by a newer complaintcore (this one reads up to {supported}); upgrade",
            )
        while version < supported:
            step = self._upcasters.get((kind, version))
            if step is None:
                raise EventVersionError(
                    kind, version, supported, f"no upcaster to version {version + 1}"
                )
            body = step(body)
            version += 1
        return body


EVENT_VERSIONS = EventVersions()
"""The registry the stores read and write with."""


def event_version(kind: str) -> int:
    """The schema version new events of ``kind`` are stored with."""
    return EVENT_VERSIONS.current(kind)


def register_upcaster(kind: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
    """Register an upcaster in :data:`EVENT_VERSIONS` (see the module docstring)."""
    return EVENT_VERSIONS.register(kind, from_version)


def upcast(kind: str, version: int, body: Mapping[str, Any]) -> Mapping[str, Any]:
    """``body`` brought to the current version of ``kind`` by :data:`EVENT_VERSIONS`."""
    return EVENT_VERSIONS.upcast(kind, version, body)
