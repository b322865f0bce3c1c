"""What every channel shares: the delivery error, PRV-1 redaction, argument checks.

Private: the public names are re-exported by :mod:`complaintcore.adapters.notify`.
"""

from __future__ import annotations

import urllib.parse

from complaintcore.core.errors import ComplaintCoreError, InvalidInputError
from complaintcore.core.privacy import redact
from complaintcore.desk.ports import Notification, StaffMember

__all__ = ["NotificationError", "personal_values", "public_url", "redact"]


class NotificationError(ComplaintCoreError, ConnectionError):
    """A channel could not deliver a notification; the outbox keeps it and retries.

    The message names the channel, the notification key and what went wrong
    (a status code, an exception type) -- never the body, a recipient's address
    or a webhook's token (PRV-1).  ``retryable`` is False when trying again
    cannot help (a 4xx answer, a robot's "invalid key"); the outbox may still
    retry, but a host can alert on it instead.
    """

    def __init__(
        self,
        notifier: str,
        key: str,
        reason: str,
        *,
        status: int | None = None,
        retryable: bool = True,
    ) -> None:
        super().__init__(f"{notifier}: notification {key!r} not delivered: {reason}")
        self.notifier = notifier
        self.key = key
        self.reason = reason
        self.status = status
        self.retryable = retryable


# --------------------------------------------------------------------------- redaction

_PERSONAL_KEYS = (
    "name",
    "phone",
    "mobile",
    "tel",
    "email",
    "mail",
    "room",
    "address",
    "contact",
    "complainant",
    "owner",
    "id_card",
    "idcard",
)


def personal_values(notification: Notification, recipient: StaffMember | None) -> list[str]:
    """The literals :func:`redact` must hide for this message.

    The recipient's name, e-mail and phone, and every ``data`` value whose key
    looks personal (``complainant_name``, ``phone``, ``room`` …).
    """
    values: list[str] = []
    if recipient is not None:
        values += [recipient.name, recipient.email, recipient.phone]
    for key, value in notification.data:
        lowered = key.lower()
        if any(part in lowered for part in _PERSONAL_KEYS):
            values.append(value)
    return [v for v in values if v]


# --------------------------------------------------------------------------- checks


def public_url(url: str) -> str:
    """A URL fit for logs and errors: no query (robot tokens live there), no userinfo."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return f"{parts.scheme}://{host}{parts.path}"


def check_text(value: object, path: str, *, allow_empty: bool = False) -> str:
    if not isinstance(value, str):
        raise InvalidInputError(path, f"expected a string, got {type(value).__name__}")
    if not allow_empty and not value.strip():
        raise InvalidInputError(path, "must not be empty")
    return value


def check_bool(value: object, path: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidInputError(path, f"expected True or False, got {type(value).__name__}")
    return value


def check_timeout(value: object, path: str = "timeout") -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInputError(path, f"expected seconds as a number, got {type(value).__name__}")
    if not 0 < value <= 86_400:
        raise InvalidInputError(path, "must be greater than 0 seconds and at most a day")
    return float(value)


def check_port(value: object, path: str = "port") -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInputError(path, f"expected an integer, got {type(value).__name__}")
    if not 0 < value < 65536:
        raise InvalidInputError(path, "must be between 1 and 65535")
    return value


def check_http_url(value: object, path: str) -> str:
    url = check_text(value, path)
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError as exc:
        raise InvalidInputError(path, f"not a valid URL ({exc.__class__.__name__})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInputError(path, "must be an http:// or https:// URL with a host")
    return url
