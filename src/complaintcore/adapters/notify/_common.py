"""What every channel shares: the delivery error, PRV-1 redaction, argument checks.

Private: the public names are re-exported by :mod:`complaintcore.adapters.notify`.
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import urllib.parse
from types import TracebackType
from typing import Self

from complaintcore.core.errors import ComplaintCoreError, InvalidInputError
from complaintcore.core.privacy import redact
from complaintcore.desk.ports import Notification, StaffMember
from complaintcore.desk.urls import endpoint_shown

__all__ = ["NotificationError", "SendDeadline", "personal_values", "public_url", "redact"]


class NotificationError(ComplaintCoreError, ConnectionError):
    """A channel could not deliver a notification; the outbox keeps it and retries.

    The message names the channel, the notification key and what went wrong
    (a status code, an exception type) -- never the body, a recipient's address
    or a webhook's token (PRV-1).  ``retryable`` is False when trying again
    cannot help (a 4xx answer, a robot's "invalid key"); the outbox may still
    retry, but a host can alert on it instead.  ``timed_out`` is True when the
    channel's own timeout ended the send (no connection, no answer in time, the
    whole send cut off at ``longest_send``): the desk then sends that channel
    nothing more in the pass, as when it stopped waiting itself (review s49H F02).
    """

    def __init__(
        self,
        notifier: str,
        key: str,
        reason: str,
        *,
        status: int | None = None,
        retryable: bool = True,
        timed_out: bool = False,
    ) -> None:
        super().__init__(f"{notifier}: notification {key!r} not delivered: {reason}")
        self.notifier = notifier
        self.key = key
        self.reason = reason
        self.status = status
        self.retryable = retryable
        self.timed_out = timed_out


# --------------------------------------------------------------------------- deadline


class SendCutOff(TimeoutError):
    """The whole send outlasted its channel's bound and was cut off."""


class SendDeadline:
    """Ends a send ``seconds`` after it began, whatever the far side does.

    A socket timeout bounds each operation only: a server that answers every
    SMTP command, or trickles an HTTP reply, just inside it keeps one send
    alive for many times as long.  The desk does not send a message again
    while its last send may still arrive (``longest_send``), so the channel
    must keep that promise: at the deadline every socket the send watches is
    shut down (a blocked read or write fails at once), and :meth:`check`
    refuses any further step.  Connecting (a name lookup Python cannot
    interrupt) may run past the deadline, but nothing is sent after it.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> Self:
        self._timer.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._timer.cancel()

    def watch(self, sock: socket.socket | None) -> None:
        """Shut ``sock`` down at the deadline (at once if it has passed)."""
        if sock is None:
            return
        with self._lock:
            if not self.expired:
                self._sockets.append(sock)
                return
        _shut(sock)
        self.check()

    def check(self) -> None:
        """Raise :class:`SendCutOff` once the deadline has passed."""
        if self.expired:
            raise SendCutOff(f"the send took longer than {self.seconds:g} s")

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    """The plain socket's shutdown, also under TLS (the reading thread keeps its state);
    a socket closed already, or replaced by its TLS wrapper, has nothing to shut."""
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


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
    """A URL fit for logs and errors: its scheme, host and port, with ``/…`` for the
    path and query, where webhook tokens live (review s50P F02)."""
    return endpoint_shown(url)


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
    if "@" in parts.netloc:  # urllib would send it to the resolver, never as a login
        raise InvalidInputError(
            path, "a user name or password in the URL is not sent: give an Authorization header"
        )
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:  # no server listens on port 0 (review s41G F06)
        raise InvalidInputError(path, "the port must be a number from 1 to 65535")
    return url


_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_ONE_LINE_LATIN1 = re.compile(r"[\t\x20-\x7e\xa0-\xff]*")


def check_header(name: object, value: object, path: str) -> tuple[str, str]:
    """A header http.client can send: a token for a name, a value of one line of
    Latin-1 (review s41A F03); the value is never quoted, it may be a token."""
    name = check_text(name, path)
    if not _TOKEN.fullmatch(name):
        raise InvalidInputError(path, "a header name is letters, digits and !#$%&'*+-.^_`|~ only")
    value = check_text(value, f"{path}.{name}", allow_empty=True)
    if not _ONE_LINE_LATIN1.fullmatch(value):
        raise InvalidInputError(
            f"{path}.{name}",
            "a header value is one line of Latin-1 characters (no line break, no control"
            " character, no CJK: encode it as the endpoint expects)",
        )
    return name, value
