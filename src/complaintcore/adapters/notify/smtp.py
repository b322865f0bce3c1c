"""E-mail through any SMTP server, with the standard library only.

One connection per message: notifications are few and retried by the outbox,
so a pooled connection would only add a state to get wrong.  The Message-ID
is derived from the notification key, so a retry after a lost reply produces
the same id and a receiving side (or a human) can see it is a duplicate.
"""

from __future__ import annotations

import email.policy
import hashlib
import logging
import smtplib
import socket
import ssl
from email.header import Header
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses
from typing import Any

from complaintcore.adapters.notify._common import (
    NotificationError,
    SendCutOff,
    SendDeadline,
    check_bool,
    check_port,
    check_text,
    check_timeout,
)
from complaintcore.core.errors import InvalidInputError
from complaintcore.desk.ports import Notification, StaffMember

__all__ = ["SmtpNotifier", "message_id"]

_log = logging.getLogger("complaintcore.notify.smtp")


def message_id(key: str, domain: str = "complaintcore") -> str:
    """The Message-ID for a notification key: stable across retries, no data leaked."""
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    return f"<{digest}@{domain}>"


class _CutOff(smtplib.SMTPServerDisconnected):
    """A step refused after the whole send's deadline (``SMTP.__exit__`` passes it over)."""


class _Bounded:
    """An SMTP connection whose every socket and step is held to one deadline."""

    deadline: SendDeadline

    def connect(self, host: str = "localhost", port: int = 0, source_address: Any = None) -> Any:
        # smtplib names the server for TLS (SNI, the certificate's host check) from
        # the host given to the constructor only; connecting later left it empty and
        # every SMTPS/STARTTLS send failed (review s41A F01)
        self._host = host
        return super().connect(host, port, source_address)  # type: ignore[misc]

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        sock: socket.socket = super()._get_socket(host, port, timeout)  # type: ignore[misc]
        self.deadline.watch(sock)
        return sock

    def starttls(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        reply: tuple[int, bytes] = super().starttls(*args, **kwargs)  # type: ignore[misc]
        self.deadline.watch(self.sock)  # type: ignore[attr-defined]  # the TLS socket
        return reply

    def send(self, s: Any) -> None:  # smtplib's own type: text or any buffer
        self._check()
        super().send(s)  # type: ignore[misc]

    def getreply(self) -> tuple[int, bytes]:
        self._check()
        reply: tuple[int, bytes] = super().getreply()  # type: ignore[misc]
        return reply

    def _check(self) -> None:
        try:
            self.deadline.check()
        except SendCutOff as exc:
            raise _CutOff(str(exc)) from None


class _Smtp(_Bounded, smtplib.SMTP):
    pass


class _SmtpSsl(_Bounded, smtplib.SMTP_SSL):
    pass


def _describe(exc: BaseException) -> tuple[str, int | None]:
    """What went wrong, without the addresses smtplib puts in its messages."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        code = codes[0] if codes else None
        return f"recipient refused (SMTP {code})", code
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{type(exc).__name__} (SMTP {exc.smtp_code})", exc.smtp_code
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return "the server lacks a required extension (STARTTLS, SMTPUTF8)", None
    if isinstance(exc, ssl.SSLCertVerificationError):  # a ValueError too (s41A F02)
        return f"TLS certificate not trusted: {exc.verify_message or exc.reason}", None
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed: {exc.reason or type(exc).__name__}", None
    if isinstance(exc, ValueError):
        return f"malformed address or header ({type(exc).__name__})", None
    detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else ""
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__, None


def _timed_out(exc: BaseException) -> bool:
    """Whether no greeting or answer came within ``timeout``: smtplib reports a read
    that timed out as ``SMTPServerDisconnected``, the ``TimeoutError`` its context."""
    return isinstance(exc, TimeoutError) or (
        isinstance(exc, smtplib.SMTPServerDisconnected)
        and isinstance(exc.__context__, TimeoutError)
    )


def _one_line(text: str) -> str:
    """Header values may not contain line breaks."""
    return " ".join(text.split())


def _set_subject(msg: EmailMessage, subject: str) -> None:
    """A subject with non-ASCII text is encoded whole, as RFC 2047 words folded
    between words: the stdlib folder left a space at a fold next to an encoded
    word, and a strict reader (``email.policy.default``) decoded two spaces
    there (review s45B F03).  Text that looks like an encoded word is encoded
    too, so it reads as written."""
    if subject.isascii() and "=?" not in subject:
        msg["Subject"] = subject
        return
    msg.set_raw("Subject", Header(subject, "utf-8", header_name="Subject").encode())


def _flatten(msg: EmailMessage, international: bool) -> bytes:
    """The message's bytes as sent: CRLF lines, and a line starting ``From ``
    kept as written (``smtplib.send_message`` quotes it ``>From ``, mbox style:
    review s45B F01); the SMTP policies never quote it."""
    return msg.as_bytes(policy=email.policy.SMTPUTF8 if international else email.policy.SMTP)


def _address(msg: EmailMessage, header: str) -> str:
    """A header's bare address: the envelope's, for a ``sender`` with a display name too."""
    return getaddresses([str(msg[header])])[0][1]


def _submit(smtp: smtplib.SMTP, msg: EmailMessage) -> None:
    """Send ``msg`` to its one ``To`` address; an address that is not ASCII needs
    the server's SMTPUTF8 (as ``smtplib.send_message`` asks)."""
    smtp.ehlo_or_helo_if_needed()
    sender, to = _address(msg, "From"), _address(msg, "To")
    international = not (sender + to).isascii()
    if international and not smtp.has_extn("smtputf8"):
        raise smtplib.SMTPNotSupportedError("the server does not offer SMTPUTF8")
    options = ["SMTPUTF8", "BODY=8BITMIME"] if international else []
    smtp.sendmail(sender, [to], _flatten(msg, international), options)


class SmtpNotifier:
    """Send each notification as a UTF-8 plain-text e-mail to ``recipient.email``.

    A recipient without an e-mail address is skipped (logged at debug): that
    is the directory's choice, not a delivery failure.  Any SMTP or network
    error raises :class:`NotificationError`.

    :param host: SMTP server host.
    :param port: SMTP port (25/587 plain or STARTTLS, 465 with ``implicit_tls``).
    :param sender: the From address.
    :param username: log in with these when given (``password`` required too).
    :param starttls: upgrade the connection with STARTTLS before logging in.
    :param implicit_tls: connect with TLS from the start (SMTPS, port 465).
    :param ssl_context: for STARTTLS/SMTPS; default ``ssl.create_default_context()``.
    :param timeout: seconds for connecting and for each reply.
    :param total_timeout: seconds for the whole send, connecting to the last
        reply: a send still running then is cut off.  It is the channel's
        ``longest_send``: the desk sends no copy of a message before a send
        of it it stopped waiting for can have ended.
    :param message_id_domain: right-hand side of the derived Message-ID.
    """

    def __init__(
        self,
        host: str,
        port: int = 25,
        *,
        sender: str,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        implicit_tls: bool = False,
        ssl_context: ssl.SSLContext | None = None,
        timeout: float = 10,
        total_timeout: float = 60,
        message_id_domain: str = "complaintcore",
        name: str = "email",
    ) -> None:
        self.host = check_text(host, "host")
        self.port = check_port(port)
        self.sender = check_text(sender, "sender")
        if "@" not in sender:
            raise InvalidInputError("sender", "must be an e-mail address")
        if username is not None:
            check_text(username, "username")
            if password is None:
                raise InvalidInputError("password", "required when username is given")
        if password is not None:
            check_text(password, "password", allow_empty=True)
            if username is None:
                raise InvalidInputError("username", "required when password is given")
        check_bool(starttls, "starttls")
        check_bool(implicit_tls, "implicit_tls")
        if starttls and implicit_tls:
            raise InvalidInputError("starttls", "choose STARTTLS or implicit_tls, not both")
        if ssl_context is not None and not isinstance(ssl_context, ssl.SSLContext):
            raise InvalidInputError("ssl_context", "expected an ssl.SSLContext")
        self.username = username
        self._password = password
        self.starttls = starttls
        self.implicit_tls = implicit_tls
        self._ssl_context = ssl_context
        self.timeout = check_timeout(timeout)
        self.total_timeout = check_timeout(total_timeout, "total_timeout")
        self.message_id_domain = check_text(message_id_domain, "message_id_domain")
        self.name = check_text(name, "name")

    @property
    def longest_send(self) -> float:
        """Seconds after which a send of this channel has ended, whatever the server does."""
        return self.total_timeout

    def __repr__(self) -> str:
        return f"SmtpNotifier({self.host!r}, {self.port}, name={self.name!r})"

    def build_message(self, notification: Notification, to: str) -> EmailMessage:
        """The e-mail for one notification (public so hosts can preview it)."""
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = to
        _set_subject(msg, _one_line(notification.subject))
        msg["Message-ID"] = message_id(notification.key, self.message_id_domain)
        msg["Date"] = format_datetime(notification.created_at)
        msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
        msg["X-Complaint-Id"] = _one_line(notification.complaint_id)
        msg["X-Complaint-Topic"] = _one_line(notification.topic)
        msg.set_content(notification.body, charset="utf-8")
        return msg

    def send(self, notification: Notification, recipient: StaffMember | None) -> None:
        """Deliver by SMTP or raise :class:`NotificationError`."""
        if recipient is None or not recipient.email:
            _log.debug("%s: no address for notification %s; skipped", self.name, notification.key)
            return
        try:
            msg = self.build_message(notification, recipient.email)
        except (AttributeError, LookupError, TypeError, ValueError) as exc:
            # the email package refuses a malformed address with a ValueError (a line
            # break), or fails on one with an AttributeError (an unclosed domain
            # literal: foo@[1.2.3)
            raise NotificationError(
                self.name,
                notification.key,
                f"malformed address or header ({type(exc).__name__}) via {self.host}:{self.port}",
                retryable=False,
            ) from None
        deadline = SendDeadline(self.total_timeout)
        try:
            with deadline:
                self._deliver(msg, deadline)
        except (smtplib.SMTPException, OSError, ValueError) as exc:
            reason, code = _describe(exc)
            if deadline.expired:  # whatever the shut socket raised
                reason, code = f"the whole send took longer than {self.total_timeout:g} s", None
            # a certificate not trusted is retried, as the webhook's is: a renewed
            # certificate or a repaired trust store mends it (review s41A F02)
            permanent = (
                isinstance(exc, smtplib.SMTPNotSupportedError | ValueError)
                and not isinstance(exc, ssl.SSLError)
            ) or (code is not None and code >= 500)
            error = NotificationError(
                self.name,
                notification.key,
                f"{reason} via {self.host}:{self.port}",
                status=code,
                retryable=not permanent,
                # no greeting or answer within `timeout`, or cut off at total_timeout
                timed_out=deadline.expired or _timed_out(exc),
            )
            # smtplib's own messages name the refused addresses: do not chain them.
            cause = None if isinstance(exc, smtplib.SMTPException) else exc
            raise error from cause

    def _deliver(self, msg: EmailMessage, deadline: SendDeadline) -> None:
        context = self._ssl_context
        if (self.starttls or self.implicit_tls) and context is None:
            context = ssl.create_default_context()
        smtp: _Smtp | _SmtpSsl
        if self.implicit_tls:
            smtp = _SmtpSsl(timeout=self.timeout, context=context)
        else:
            smtp = _Smtp(timeout=self.timeout)
        smtp.deadline = deadline
        try:
            code, greeting = smtp.connect(self.host, self.port)
            if code != 220:  # as smtplib.SMTP(host, port) checks
                raise smtplib.SMTPConnectError(code, greeting)
            if self.starttls:
                smtp.starttls(context=context)
            if self.username is not None and self._password is not None:
                smtp.login(self.username, self._password)
            _submit(smtp, msg)
        finally:
            _end_session(smtp, min(self.timeout, QUIT_WAIT))


QUIT_WAIT = 1.0
"""Seconds the answer to ``QUIT`` is waited for at most (``timeout`` if shorter): the
send's outcome is decided by then, so a server that never answers it must not make a
delivered e-mail outlast the desk's ``timeout_seconds`` (review s49H F03)."""


def _end_session(smtp: smtplib.SMTP, wait: float) -> None:
    """QUIT, whatever it is answered (waiting ``wait`` seconds at most), then close.
    Once DATA was accepted the mail is the server's: a ``421`` to QUIT (which
    ``with smtp:`` raises), or no answer at all, must not fail the send, or every
    retry hands the server another copy (review s39B F03)."""
    try:
        if smtp.sock is not None:
            smtp.sock.settimeout(wait)
            smtp.quit()
    except (smtplib.SMTPException, OSError):
        pass
    finally:
        smtp.close()
