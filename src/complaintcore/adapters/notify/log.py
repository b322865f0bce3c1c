"""The default channel: one log line per notification, personal data masked (PRV-1).

A host with no mail server or robot still sees every message the desk would
send, and an operator can grep the log by key or complaint id -- but a log is
read by many people, so names, phones and e-mail addresses never reach it.
"""

from __future__ import annotations

import logging

from complaintcore.adapters.notify._common import check_text, personal_values, redact
from complaintcore.core.errors import InvalidInputError
from complaintcore.core.limits import escaped
from complaintcore.core.models import mask
from complaintcore.desk.ports import Notification, StaffMember

__all__ = ["LogNotifier"]


class LogNotifier:
    """Log each notification at ``level`` on ``logger_name``; never fails.

    The line carries the key, complaint id, topic, the recipient's staff id
    (not their name) and the subject and body passed through
    :func:`~complaintcore.adapters.notify.redact`, on one line: the subject
    and body written as Python literals, the key, id, topic and
    recipient with any control or bidi character escaped (``\\x1b``, ``\\n``).
    The same
    fields are attached as ``extra`` (``notification_key``, ``complaint_id``,
    ``topic``) for structured log handlers.
    """

    def __init__(
        self,
        logger_name: str = "complaintcore.notify",
        *,
        level: int = logging.INFO,
        name: str = "log",
    ) -> None:
        check_text(logger_name, "logger_name")
        if isinstance(level, bool) or not isinstance(level, int):
            raise InvalidInputError("level", "expected a logging level such as logging.INFO")
        self.name = check_text(name, "name")
        self.logger = logging.getLogger(logger_name)
        self.level = level

    def __repr__(self) -> str:
        return f"LogNotifier({self.logger.name!r}, name={self.name!r})"

    def send(self, notification: Notification, recipient: StaffMember | None) -> None:
        """Write the line; a log record is the delivery."""
        if not self.logger.isEnabledFor(self.level):
            return
        also = personal_values(notification, recipient)
        to = recipient.staff_id if recipient is not None else mask(notification.recipient)
        self.logger.log(
            self.level,
            "notify key=%s complaint=%s topic=%s to=%s subject=%r body=%r",
            # a staff id from a host's directory may hold an escape sequence: never
            # written raw to the terminal reading the log (review s52R2 F01)
            escaped(notification.key, one_line=True),
            escaped(notification.complaint_id, one_line=True),
            escaped(notification.topic, one_line=True),
            escaped(redact(to, also=also), one_line=True),
            redact(notification.subject, also=also),
            redact(notification.body, also=also),
            extra={
                "notification_key": notification.key,
                "complaint_id": notification.complaint_id,
                "topic": notification.topic,
            },
        )
