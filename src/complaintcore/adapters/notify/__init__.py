"""Notification channels: log (the default), SMTP e-mail, HTTP webhooks and robots.

Each channel implements :class:`complaintcore.desk.ports.Notifier`: ``send`` delivers
one message or raises :class:`NotificationError` (a ``ConnectionError``); the
desk's outbox keeps the message and retries, and the notification key makes a
retry recognisable (e-mail Message-ID, ``Idempotency-Key`` header).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

# Lazy: a desk with the log channel only never loads SMTP, TLS or HTTP clients.
_MODULES = {
    "LogNotifier": "log",
    "NotificationError": "_common",
    "SmtpNotifier": "smtp",
    "WebhookFormat": "webhook",
    "WebhookNotifier": "webhook",
    "dingtalk_sign": "webhook",
    "json_signature": "webhook",
    "message_id": "smtp",
    "notifiers_from_config": "config",
    "redact": "_common",
}


if not TYPE_CHECKING:  # hidden from type checkers: they would type every name as Any

    def __getattr__(name: str) -> Any:
        module = _MODULES.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{__name__}.{module}"), name)


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
