"""Notification channels: log (the default), SMTP e-mail, HTTP webhooks and robots.

Each channel implements :class:`complaintcore.desk.ports.Notifier`: ``send`` delivers
one message or raises :class:`NotificationError` (a ``ConnectionError``); the
desk's outbox keeps the message and retries, and the notification key makes a
retry recognisable (e-mail Message-ID, ``Idempotency-Key`` header).
"""

from __future__ import annotations

from complaintcore.adapters.notify._common import NotificationError, redact
from complaintcore.adapters.notify.config import notifiers_from_config
from complaintcore.adapters.notify.log import LogNotifier
from complaintcore.adapters.notify.smtp import SmtpNotifier, message_id
from complaintcore.adapters.notify.webhook import (
    WebhookFormat,
    WebhookNotifier,
    dingtalk_sign,
    json_signature,
)

__all__ = [
    "LogNotifier",
    "NotificationError",
    "SmtpNotifier",
    "WebhookFormat",
    "WebhookNotifier",
    "dingtalk_sign",
    "json_signature",
    "message_id",
    "notifiers_from_config",
    "redact",
]
