"""Where a send goes, and the places a delivery pass no longer sends to.

A channel that posts to one place (an SMTP server, a group robot, the host's
endpoint) is one destination.  A channel that posts to each recipient's own
address (a per-recipient webhook: each staff member's ``webhook``) has one
destination per address, and tells the desk which through an optional
``destination(notification, recipient)`` method.  A send that timed out skips
its destination for the rest of the pass -- the whole channel when the channel
has one destination, only that address when it has several -- so a hung place
costs one timeout a pass, and the channel's other recipients none (review s49P
F01); an address whose send given up on in an earlier pass still runs is skipped
too, so it holds one sending thread, not one a pass (review s49W).

The key a destination is kept under (a URL, which may carry a robot's token) is
never logged or shown.
"""

from __future__ import annotations

import logging

import attrs

from complaintcore.desk.ports import Notification, Notifier, StaffMember

__all__ = ["TimedOutPlaces", "destination_of"]

log = logging.getLogger("complaintcore.delivery")


def destination_of(
    notifier: Notifier, notification: Notification, recipient: StaffMember | None
) -> str | None:
    """The place ``notifier`` sends ``notification`` to, when the channel has several
    (its ``destination`` method); ``None``: the channel as a whole.  A method that
    fails or answers something other than text counts as ``None`` (logged once per
    call at debug, naming only the channel and the error's type)."""
    where = getattr(notifier, "destination", None)
    if not callable(where):
        return None
    try:
        found = where(notification, recipient)
    except Exception as exc:  # a host's method: the channel as a whole, as before
        log.debug("%s: destination() failed (%s)", notifier.name, type(exc).__name__)
        return None
    return found if isinstance(found, str) and found else None


@attrs.define
class TimedOutPlaces:
    """The channels, and the destinations of channels, a send to which timed out in
    this pass: not sent to again in it."""

    channels: set[str] = attrs.field(factory=set)
    places: set[tuple[str, str]] = attrs.field(factory=set)

    def add(self, channel: str, place: str | None) -> None:
        """A send over ``channel`` to ``place`` (``None``: the channel) timed out."""
        if place is None:
            self.channels.add(channel)
        else:
            self.places.add((channel, place))

    def skips(self, channel: str, place: str | None) -> bool:
        """Whether a send over ``channel`` to ``place`` waits for the next pass."""
        return channel in self.channels or (place is not None and (channel, place) in self.places)
