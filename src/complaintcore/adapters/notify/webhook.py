"""HTTP webhooks: a host's own endpoint (plain JSON), WeCom and DingTalk group robots.

Standard library only (urllib).  Every request carries ``Idempotency-Key: <key>``
so an endpoint can drop a retry it already handled.  Redirects are not
followed: urllib would turn a redirected POST into a GET and report success.

Two timeouts: ``timeout`` bounds connecting and sending; once the request is
sent, the reply is waited for up to ``reply_timeout`` (a minute by default).
A slow endpoint has usually done the work already: giving up on its reply
early would only send the message again.  The two together bound the whole
send (a reply trickling in byte by byte is cut off then), which is what the
desk counts on before it sends a copy.  The desk's own per-message timeout
(``[delivery] timeout_seconds``) bounds how long delivery waits; a reply that
comes later still marks the message delivered.

The robots' Markdown is built from the notification's plain text: every
Markdown or HTML mark in it is shown as a look-alike character, so text a
complainant typed can never become a link, a heading or a forged footer.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import logging
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, get_args

from complaintcore._version import __version__
from complaintcore.adapters.notify._common import (
    NotificationError,
    SendDeadline,
    check_bool,
    check_header,
    check_http_url,
    check_text,
    check_timeout,
    personal_values,
    public_url,
    redact,
)
from complaintcore.core.errors import InvalidInputError
from complaintcore.core.models import require_aware
from complaintcore.desk.ports import Notification, StaffMember

__all__ = ["WebhookFormat", "WebhookNotifier", "dingtalk_sign", "json_signature"]

WebhookFormat = Literal["json", "wecom", "dingtalk"]
MsgType = Literal["markdown", "text"]

_log = logging.getLogger("complaintcore.notify.webhook")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MAX_REPLY = 64 * 1024
# Content limits in UTF-8 bytes: WeCom markdown 4096, text 2048; DingTalk ~20000.
_LIMITS: dict[tuple[str, str], int] = {
    ("wecom", "markdown"): 4096,
    ("wecom", "text"): 2048,
    ("dingtalk", "markdown"): 18000,
    ("dingtalk", "text"): 18000,
}
# Robot errcodes worth retrying: system busy, too many messages per minute.
_RETRYABLE_ERRCODES = frozenset({-1, 45009, 130101})

_PERMANENT_REDIRECTS = frozenset({301, 308})
_TEMPORARY_REDIRECTS = frozenset({302, 307})
_SEE_OTHER = 303


def _retryable_status(code: int) -> bool:
    """Whether an HTTP status other than 2xx may pass by itself: a 5xx, a 408, 425 or
    429, and a temporary redirect (a load balancer's 302/307 in maintenance; review
    s49H F01) can; any other 4xx or 3xx cannot: a permanent redirect (the url
    moved), a 303 See Other (the endpoint processed the POST and put its answer
    elsewhere, RFC 9110 15.4.4: sent again, it would be processed again; review
    s49P F03), and the 3xx that answer no POST (300, 304, 305)."""
    if 300 <= code < 400:
        return code in _TEMPORARY_REDIRECTS
    return not 400 <= code < 500 or code in (408, 425, 429)


def _redirect_note(code: int) -> str:
    """What a 3xx error adds: redirects are not followed (a POST would become a GET)."""
    if not 300 <= code < 400:
        return ""
    if code in _PERMANENT_REDIRECTS:
        return " (redirected for good: redirects are not followed; fix the webhook's url)"
    if code == _SEE_OTHER:
        return " (See Other: taken by the endpoint; redirects are not followed; not sent again)"
    if code in _TEMPORARY_REDIRECTS:
        return " (redirected: redirects are not followed; retried later)"
    return " (redirects are not followed; not sent again)"


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's robot signature: base64(HmacSHA256(secret, f"{timestamp}\\n{secret}"))."""
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode("utf-8"), string_to_sign, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def json_signature(secret: str, body: bytes) -> str:
    """``X-Complaintcore-Signature`` for the plain JSON format: ``sha256=<hex HMAC of body>``."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def _truncate(text: str, limit: int) -> str:
    """Cut to ``limit`` UTF-8 bytes without splitting a character."""
    raw = text.encode("utf-8")
    if len(raw) <= limit:
        return text
    return raw[: limit - 3].decode("utf-8", errors="ignore") + "…"


# Markdown and HTML marks -> look-alikes no Markdown reads (robots may not honour a backslash)
_EVERYWHERE = str.maketrans(
    {"*": "＊", "_": "＿", "`": "｀", "~": "～", "<": "＜", ">": "＞", "|": "｜", "&": "＆"}
)
_LINE_MARKS = str.maketrans({"#": "＃", "=": "＝", "+": "＋", "-": "－"})
_LINE_START = re.compile(r"^([^\S\n]*)([#=+\-])", re.MULTILINE)
_LINK_END = re.compile(r"\](?=\s*[(\[:])")


def markdown_literal(text: str) -> str:
    """``text`` as a robot's Markdown shows it, literally: a complainant's words stay words.

    Headings, quotes, list and rule marks at a line's start, emphasis, code,
    tables, HTML tags and entities, and the ``](`` / ``][`` / ``]:`` of links
    become full-width look-alikes; brackets that start no link stay.  No
    escape character is used: not every robot's Markdown honours one.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_EVERYWHERE)
    text = _LINE_START.sub(lambda m: m.group(1) + m.group(2).translate(_LINE_MARKS), text)
    return _LINK_END.sub("］", text)


def _header_value(key: str) -> str:
    """Keys are ASCII in practice; anything else is percent-encoded to stay a valid header."""
    if key.isascii() and key.isprintable():
        return key
    return urllib.parse.quote(key, safe="")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_sending = threading.local()
"""The deadline of the send running on this thread (sends run on threads of their own)."""


def _deadline() -> SendDeadline | None:
    found: SendDeadline | None = getattr(_sending, "deadline", None)
    return found


def _reply_waiting_handlers(reply_timeout: float) -> list[urllib.request.BaseHandler]:
    """urllib handlers whose connections wait ``reply_timeout`` for the reply once the
    request is out (urllib's own timeout covers connecting and sending), held to the
    send's deadline (:class:`SendDeadline`) throughout."""

    class Watched(http.client.HTTPConnection):
        """Held to the send's deadline; for TLS the socket watched is the one the
        TLS connection puts in place of the plain one (``connect`` runs first)."""

        def connect(self) -> None:
            super().connect()
            if (deadline := _deadline()) is not None:
                deadline.watch(self.sock)

        def send(self, data: Any) -> None:
            if (deadline := _deadline()) is not None:
                deadline.check()
            super().send(data)

        def getresponse(self) -> http.client.HTTPResponse:
            if self.sock is not None:
                self.sock.settimeout(reply_timeout)
            return super().getresponse()

    class Plain(Watched):
        pass

    class Tls(Watched, http.client.HTTPSConnection):
        pass

    class Http(urllib.request.HTTPHandler):
        def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(Plain, req)

    class Https(urllib.request.HTTPSHandler):
        def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            context = getattr(self, "_context", None)
            return self.do_open(Tls, req, context=context)

    return [Http(), Https()]


class WebhookNotifier:
    """POST each notification as JSON to a webhook, or to the recipient's own webhook.

    :param url: the endpoint; ``None`` means each recipient's ``webhook``
        (recipients without one are skipped, logged at debug).
    :param format: ``"json"`` (every field of the notification), ``"wecom"`` or
        ``"dingtalk"`` (group robot messages, ``errcode != 0`` is a failure).
    :param msgtype: robot message type, ``"markdown"`` or ``"text"``.
    :param timeout: seconds for connecting and sending the request.
    :param reply_timeout: seconds to wait for the reply once the request is sent
        (default 60): a slow endpoint has usually done the work, so waiting
        beats sending again.
    :param group: whether ``url`` is a group chat rather than one person's inbox:
        the desk then posts each message there once, not once per recipient.
        Default: a WeCom or DingTalk robot with a ``url`` is a group; a JSON
        endpoint (which routes to each recipient) or each recipient's own
        robot (``url=None``) is not.
    :param secret: DingTalk: the robot's signing secret (``SEC…``), sent as the
        ``timestamp`` and ``sign`` query parameters.  JSON: an HMAC key for the
        ``X-Complaintcore-Signature`` header.  WeCom robots do not sign.
    :param name: the outbox's name for this channel; default ``"webhook"``,
        ``"wecom"`` or ``"dingtalk"`` by format.
    :param redact: mask personal data in the message (PRV-1).  Default: on for
        WeCom and DingTalk (robots post into group chats that others read),
        off for JSON (the host's endpoint routes to the recipient alone).
    :param headers: extra request headers (an ``Authorization`` for the host's endpoint).
    :param proxies: ``None`` uses the environment's proxies; ``{}`` none at all.
    :param clock: aware ``now`` for DingTalk timestamps (injected in tests).
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        format: WebhookFormat = "json",
        msgtype: MsgType = "markdown",
        timeout: float = 5,
        reply_timeout: float = 60,
        group: bool | None = None,
        secret: str | None = None,
        name: str | None = None,
        redact: bool | None = None,
        headers: Mapping[str, str] | None = None,
        proxies: Mapping[str, str] | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        if format not in get_args(WebhookFormat):
            raise InvalidInputError("format", f"expected one of {get_args(WebhookFormat)}")
        if msgtype not in get_args(MsgType):
            raise InvalidInputError("msgtype", f"expected one of {get_args(MsgType)}")
        if secret is not None:
            check_text(secret, "secret")
            if format == "wecom":
                raise InvalidInputError("secret", "WeCom group robots do not sign requests")
        if redact is not None and not isinstance(redact, bool):
            raise InvalidInputError("redact", "expected True, False or None")
        if headers is not None and not isinstance(headers, Mapping):
            raise InvalidInputError("headers", "expected a mapping of header name to value")
        for header, value in (headers or {}).items():
            check_header(header, value, "headers")
        if proxies is not None and not isinstance(proxies, Mapping):
            raise InvalidInputError("proxies", "expected a mapping of scheme to proxy URL")
        if clock is not None and not callable(clock):
            raise InvalidInputError("clock", "expected a callable returning an aware datetime")
        self.url = None if url is None else check_http_url(url, "url")
        self.format: WebhookFormat = format
        self.msgtype: MsgType = msgtype
        self.timeout = check_timeout(timeout)
        self.reply_timeout = check_timeout(reply_timeout, "reply_timeout")
        if group is not None:
            check_bool(group, "group")
            if group and self.url is None:
                raise InvalidInputError("group", "a group needs the url it posts to")
        self.group = group if group is not None else self.url is not None and format != "json"
        """Posts into a group chat (one post per message, not per recipient)."""
        self._secret = secret
        self.name = (
            check_text(name, "name")
            if name is not None
            else ("webhook" if format == "json" else format)
        )
        self.redact = redact if redact is not None else format != "json"
        self._headers = dict(headers or {})
        self._clock = clock or (lambda: datetime.now(UTC))
        handlers = [_NoRedirect(), *_reply_waiting_handlers(self.reply_timeout)]
        if proxies is not None:
            handlers.append(urllib.request.ProxyHandler(dict(proxies)))
        self._opener = urllib.request.build_opener(*handlers)

    @property
    def longest_send(self) -> float:
        """Seconds after which a send has ended, whatever the endpoint does: ``timeout``
        plus ``reply_timeout``, enforced on the whole request."""
        return self.timeout + self.reply_timeout

    def __repr__(self) -> str:
        where = public_url(self.url) if self.url else "recipient.webhook"
        return f"WebhookNotifier({where!r}, format={self.format!r}, name={self.name!r})"

    # ----------------------------------------------------------------- payloads

    def build_payload(
        self, notification: Notification, recipient: StaffMember | None
    ) -> dict[str, Any]:
        """The JSON document for one notification (public so hosts can preview it)."""
        subject, body = notification.subject, notification.body
        data = dict(notification.data)
        if self.redact:
            also = personal_values(notification, recipient)
            subject, body = redact(subject, also=also), redact(body, also=also)
            data = {k: redact(v, also=also) for k, v in data.items()}
        if self.format == "json":
            return {
                "key": notification.key,
                "complaint_id": notification.complaint_id,
                "topic": notification.topic,
                "recipient": notification.recipient,
                "subject": subject,
                "body": body,
                "created_at": notification.created_at.isoformat(),
                "data": data,
            }
        limit = _LIMITS[(self.format, self.msgtype)]
        footer = f"{notification.complaint_id} · {notification.topic}"
        if self.msgtype == "text":
            content = _truncate(f"{subject}\n{body}\n— {footer}", limit)
            return {"msgtype": "text", "text": {"content": content}}
        title = subject
        # the message's text is plain: only the frame below is Markdown
        subject, body = markdown_literal(subject), markdown_literal(body)
        if self.format == "wecom":
            content = _truncate(f"**{subject}**\n{body}\n> {footer}", limit)
            return {"msgtype": "markdown", "markdown": {"content": content}}
        text = _truncate(
            f"### {subject}\n\n{body.replace(chr(10), '  ' + chr(10))}\n\n> {footer}", limit
        )
        return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}

    def _target(self, url: str) -> str:
        if self.format != "dingtalk" or self._secret is None:
            return url
        now = require_aware(self._clock(), "clock()")
        timestamp = (now - _EPOCH) // timedelta(milliseconds=1)
        sign = urllib.parse.quote_plus(dingtalk_sign(self._secret, timestamp))
        joiner = "&" if urllib.parse.urlsplit(url).query else "?"
        return f"{url}{joiner}timestamp={timestamp}&sign={sign}"

    # ----------------------------------------------------------------- delivery

    def destination(self, notification: Notification, recipient: StaffMember | None) -> str | None:
        """Where a send goes when each recipient has a webhook of their own (``url``
        ``None``): the recipient's ``webhook`` as written, so a send to it that times
        out makes the desk skip that address for the rest of the pass, not the other
        recipients' (review s49P F01).  ``None`` (the channel as a whole) for a
        channel with one ``url``, or a recipient without a webhook.  The whole URL,
        query included: robots at one host differ only by their ``key`` or
        ``access_token``."""
        if self.url is not None or recipient is None:
            return None
        return recipient.webhook or None

    def send(self, notification: Notification, recipient: StaffMember | None) -> None:
        """POST, then check the status (and a robot's errcode); raise on failure."""
        url = self.url if self.url is not None else (recipient.webhook if recipient else "")
        if not url:
            _log.debug("%s: no webhook for notification %s; skipped", self.name, notification.key)
            return
        if self.url is None:
            try:
                check_http_url(url, "recipient.webhook")
            except InvalidInputError as exc:
                raise NotificationError(
                    self.name, notification.key, str(exc), retryable=False
                ) from None
        body = json.dumps(self.build_payload(notification, recipient), ensure_ascii=False).encode(
            "utf-8"
        )
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": f"complaintcore/{__version__}",
            "Idempotency-Key": _header_value(notification.key),
            **self._headers,
        }
        if self.format == "json" and self._secret is not None:
            headers["X-Complaintcore-Signature"] = json_signature(self._secret, body)
        request = urllib.request.Request(
            self._target(url), data=body, headers=headers, method="POST"
        )
        reply = self._post(request, notification.key, public_url(url))
        if self.format != "json":
            self._check_robot_reply(reply, notification.key, public_url(url))

    def _post(self, request: urllib.request.Request, key: str, where: str) -> bytes:
        deadline = SendDeadline(self.longest_send)
        _sending.deadline = deadline
        try:
            with deadline:
                reply = self._open(request, key, where)
            if deadline.expired:
                # the shut socket can read as the end of the headers or of a short
                # body: a reply cut off is no proof of delivery (review s39B F07)
                raise NotificationError(self.name, key, "cut off", timed_out=True)
            return reply
        except NotificationError:
            if not deadline.expired:
                raise
            reason = f"no complete answer from {where} within {self.longest_send:g} s"
            raise NotificationError(self.name, key, reason, timed_out=True) from None
        finally:
            _sending.deadline = None

    def _open(self, request: urllib.request.Request, key: str, where: str) -> bytes:
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                data: bytes = response.read(_MAX_REPLY)
                return data
        except urllib.error.HTTPError as exc:
            exc.close()
            code = exc.code
            raise NotificationError(
                self.name,
                key,
                f"HTTP {code} from {where}{_redirect_note(code)}",
                status=code,
                retryable=_retryable_status(code),
            ) from None
        except urllib.error.URLError as exc:
            cause = exc.reason
            detail = (
                cause.strerror
                if isinstance(cause, OSError) and cause.strerror
                else type(cause).__name__
                if isinstance(cause, BaseException)
                else str(cause)
            )
            failure: Exception = exc
            reason, timed_out = f"cannot reach {where}: {detail}", isinstance(cause, TimeoutError)
        except (OSError, http.client.HTTPException) as exc:
            failure = exc
            reason, timed_out = (
                f"{type(exc).__name__} talking to {where}",
                isinstance(exc, TimeoutError),
            )
        # timed out: no connection within `timeout`, or no answer within `reply_timeout`
        raise NotificationError(self.name, key, reason, timed_out=timed_out) from failure

    def _check_robot_reply(self, reply: bytes, key: str, where: str) -> None:
        try:
            answer = json.loads(reply.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise NotificationError(
                self.name, key, f"{where} answered with something that is not JSON"
            ) from None
        errcode = answer.get("errcode") if isinstance(answer, dict) else None
        if not isinstance(errcode, int):
            raise NotificationError(self.name, key, f"{where} answered without an errcode")
        if errcode != 0:
            errmsg = redact(str(answer.get("errmsg", "")))[:200]
            raise NotificationError(
                self.name,
                key,
                f"robot errcode {errcode} from {where}: {errmsg}",
                status=errcode,
                retryable=errcode in _RETRYABLE_ERRCODES,
            )
