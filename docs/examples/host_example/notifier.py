"""A notifier that keeps what it sends in a list: the host's in-app inbox."""

from __future__ import annotations

from complaintcore import Notification, Notifier, StaffMember


class ListNotifier:
    """A :class:`complaintcore.Notifier`: one inbox entry per notification.

    ``send`` must deliver or raise; raising leaves the message in the desk's
    outbox for a later retry.  ``down`` stands in for the inbox service failing.
    """

    def __init__(self, name: str = "inbox") -> None:
        self.name = name
        self.inbox: list[tuple[str, str, str]] = []  # (staff id, topic, subject)
        self.down = False

    def send(self, notification: Notification, recipient: StaffMember | None) -> None:
        if self.down:
            raise ConnectionError("inbox service unavailable")
        if recipient is None:
            return  # left the company: nobody to tell, and not a failure
        self.inbox.append((recipient.staff_id, notification.topic, notification.subject))


def inbox() -> Notifier:
    """A fresh inbox, typed as the port the desk needs."""
    return ListNotifier()
