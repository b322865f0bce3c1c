"""Real local servers for integration and end-to-end tests: SMTP and HTTP.

Both bind only 127.0.0.1 on a free port, record what they receive, and can be
made to fail and recover, so a test can show that a channel that is down loses
nothing and sends nothing twice once it is back.

Use them as context managers or through the pytest fixtures at the bottom
(``smtp_server``, ``http_server``)::

    from tests.integration.servers import HttpTestServer, SmtpTestServer

    with SmtpTestServer() as smtp:
        ...  # SmtpNotifier(smtp.host, smtp.port, sender=...)
        smtp.fail()          # every DATA answered 451 (temporary failure)
        smtp.hang_quit()     # messages accepted, QUIT never answered
        smtp.stop()          # connections refused
        smtp.start()         # back, same port
        smtp.wait_for(1)     # the received mail, parsed

    with HttpTestServer() as hook:
        url = hook.url("/robot/send", access_token="t")
        hook.fail(500)                   # HTTP 500
        hook.fail_errcode(310000)        # HTTP 200 {"errcode": 310000}: robot failure
        hook.stop(); hook.start()        # refused, then back on the same port
        hook.recover()                   # 200 {"errcode": 0, "errmsg": "ok"} again
        hook.requests[0].json()
"""

from __future__ import annotations

import asyncio
import base64
import email
import email.policy
import hashlib
import hmac
import json
import ssl
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

if TYPE_CHECKING:  # aiosmtpd is imported when an SMTP server starts: HTTP tests run without it
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import SMTP, AuthResult, Envelope, Session

__all__ = [
    "HttpTestServer",
    "ReceivedMail",
    "RecordedRequest",
    "SmtpTestServer",
    "dingtalk_signature_ok",
    "http_server_fixture",
    "smtp_server_fixture",
]

LOCALHOST = "127.0.0.1"


def _wait(cond: threading.Condition, ready: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    with cond:
        while not ready():
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"timed out after {timeout}s waiting for {what}")
            cond.wait(left)


# --------------------------------------------------------------------------- SMTP


@dataclass(frozen=True)
class ReceivedMail:
    """One accepted message: the envelope and the raw bytes as the server got them."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        """The message parsed with the modern policy (decoded headers, get_content())."""
        parsed = email.message_from_bytes(self.data, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


class _Handler:
    def __init__(self, owner: SmtpTestServer) -> None:
        self.owner = owner

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if address in self.owner.refused_recipients:
            return "550 5.1.1 Unknown user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        return self.owner._accept(envelope)

    async def handle_QUIT(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.owner._quit_hangs:
            await asyncio.sleep(3600)  # never answered: cancelled when the server stops
        return "221 Bye"


def _controller(handler: _Handler, port: int, **kwargs: Any) -> Controller:
    """aiosmtpd's Controller, able to bind port 0 (it probes self.port once bound)."""
    try:
        from aiosmtpd.controller import Controller
    except ImportError as exc:  # pragma: no cover - a missing test dependency
        raise RuntimeError("SmtpTestServer needs aiosmtpd: pip install aiosmtpd") from exc

    class _Controller(Controller):
        def _trigger_server(self) -> None:
            if self.port == 0 and isinstance(self.server, asyncio.Server):
                self.port = self.server.sockets[0].getsockname()[1]
            super()._trigger_server()  # type: ignore[no-untyped-call]

    return _Controller(
        handler,
        hostname=LOCALHOST,
        port=port,
        server_hostname="localhost",
        ready_timeout=5,
        **kwargs,
    )


class SmtpTestServer:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps every accepted message.

    :param port: 0 picks a free port; it is kept across stop()/start().
    :param auth: login -> password; when given, AUTH PLAIN/LOGIN is offered
        (without TLS: it is a local test server) and wrong credentials get 535.
    :param tls: the server's certificate: SMTPS from the first byte with
        ``implicit_tls``, else STARTTLS offered and required before MAIL and AUTH.
    :param smtputf8: offer SMTPUTF8 (addresses that are not ASCII), as aiosmtpd's
        Controller does by default.
    """

    def __init__(
        self,
        port: int = 0,
        *,
        auth: Mapping[str, str] | None = None,
        tls: ssl.SSLContext | None = None,
        implicit_tls: bool = False,
        smtputf8: bool = True,
    ) -> None:
        self.host = LOCALHOST
        self.port = port
        self.auth = dict(auth) if auth is not None else None
        self.tls = tls
        self.implicit_tls = implicit_tls
        self.smtputf8 = smtputf8
        self.refused_recipients: set[str] = set()
        self.logins: list[str] = []
        self._failure: str | None = None
        self._quit_hangs = False
        self._messages: list[ReceivedMail] = []
        self._cond = threading.Condition()
        self._controller: Controller | None = None

    # ----------------------------------------------------------------- lifecycle

    def start(self) -> SmtpTestServer:
        if self._controller is not None:
            return self
        kwargs: dict[str, Any] = {}
        if self.auth is not None:
            # aiosmtpd counts only STARTTLS as TLS: SMTPS is TLS from the first byte
            starttls = self.tls is not None and not self.implicit_tls
            kwargs = {"authenticator": self._authenticate, "auth_require_tls": starttls}
        if self.tls is not None and self.implicit_tls:
            kwargs["ssl_context"] = self.tls
        elif self.tls is not None:
            kwargs.update(tls_context=self.tls, require_starttls=True)
        kwargs["enable_SMTPUTF8"] = self.smtputf8
        controller = _controller(_Handler(self), self.port, **kwargs)
        controller.start()
        self.port = controller.port
        self._controller = controller
        return self

    def stop(self) -> None:
        """Close the listener: connections are refused until start()."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def __enter__(self) -> SmtpTestServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ----------------------------------------------------------------- behaviour

    def fail(self, reply: str = "451 4.3.0 Temporary failure, try again later") -> None:
        """Answer every DATA with ``reply`` (4xx temporary, 5xx permanent); nothing is kept."""
        self._failure = reply

    def hang_quit(self) -> None:
        """Accept messages as usual but never answer QUIT (the connection stays open)."""
        self._quit_hangs = True

    def recover(self) -> None:
        self._failure = None
        self._quit_hangs = False
        self.refused_recipients.clear()

    def _accept(self, envelope: Envelope) -> str:
        if self._failure is not None:
            return self._failure
        data = envelope.original_content or envelope.content or b""
        if isinstance(data, str):
            data = data.encode("utf-8")
        mail = ReceivedMail(envelope.mail_from or "", tuple(envelope.rcpt_tos), data)
        with self._cond:
            self._messages.append(mail)
            self._cond.notify_all()
        return "250 Message accepted for delivery"

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        from aiosmtpd.smtp import AuthResult, LoginPassword

        if isinstance(auth_data, LoginPassword) and self.auth is not None:
            login = auth_data.login.decode("utf-8")
            if self.auth.get(login) == auth_data.password.decode("utf-8"):
                self.logins.append(login)
                return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    # ----------------------------------------------------------------- inspection

    @property
    def messages(self) -> list[ReceivedMail]:
        with self._cond:
            return list(self._messages)

    def clear(self) -> None:
        with self._cond:
            self._messages.clear()

    def wait_for(self, count: int = 1, timeout: float = 5.0) -> list[ReceivedMail]:
        """Block until at least ``count`` messages arrived; return them all."""
        _wait(self._cond, lambda: len(self._messages) >= count, timeout, f"{count} mail(s)")
        return self.messages


# --------------------------------------------------------------------------- HTTP


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server saw it, and the status it was answered with."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes
    status: int
    errcode: int | None = None
    at: float = field(default_factory=time.monotonic)  # when it arrived (time.monotonic)

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def delivered(self) -> bool:
        """Answered 2xx and, for a robot reply, errcode 0."""
        return 200 <= self.status < 300 and not self.errcode


@dataclass
class _Reply:
    status: int = 200
    body: dict[str, Any] = field(default_factory=lambda: {"errcode": 0, "errmsg": "ok"})
    delay: float = 0.0


class _RequestHandler(BaseHTTPRequestHandler):
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _handle(self) -> None:
        owner = self.server.owner
        owner._arrive({k.lower(): v for k, v in self.headers.items()})
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        reply = owner._reply
        if reply.delay:
            time.sleep(reply.delay)
        parts = urlsplit(self.path)
        errcode = reply.body.get("errcode")
        owner._record(
            RecordedRequest(
                method=self.command,
                path=parts.path,
                query=parse_qs(parts.query),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
                status=reply.status,
                errcode=errcode if isinstance(errcode, int) else None,
            )
        )
        payload = json.dumps(reply.body).encode("utf-8")
        self.send_response(reply.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_POST = do_PUT = do_GET = _handle


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], owner: HttpTestServer) -> None:
        self.owner = owner
        super().__init__(address, _RequestHandler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that timed out and hung up is expected in tests


class HttpTestServer:
    """A real ``http.server.ThreadingHTTPServer`` on 127.0.0.1 recording every request.

    By default it answers ``200 {"errcode": 0, "errmsg": "ok"}``, which suits a
    plain JSON endpoint and a WeCom/DingTalk robot alike.
    """

    def __init__(self, port: int = 0) -> None:
        self.host = LOCALHOST
        self.port = port
        self._reply = _Reply()
        self._requests: list[RecordedRequest] = []
        self._arrived: list[dict[str, str]] = []  # headers, as each request came in
        self._cond = threading.Condition()
        self._server: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ----------------------------------------------------------------- lifecycle

    def start(self) -> HttpTestServer:
        if self._server is not None:
            return self
        server = _HTTPServer((LOCALHOST, self.port), self)
        self.port = server.server_address[1]
        thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"http-test-server-{self.port}",
            daemon=True,
        )
        thread.start()
        self._server, self._thread = server, thread
        return self

    def stop(self) -> None:
        """Close the listener: connections are refused until start()."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._server is not None

    def __enter__(self) -> HttpTestServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def url(self, path: str = "/hook", **query: str) -> str:
        qs = f"?{urlencode(query)}" if query else ""
        return f"http://{self.host}:{self.port}{path}{qs}"

    # ----------------------------------------------------------------- behaviour

    def respond(
        self, status: int = 200, body: Mapping[str, Any] | None = None, *, delay: float = 0.0
    ) -> None:
        """Answer every request with ``status`` and the JSON ``body`` (after ``delay`` s)."""
        self._reply = _Reply(
            status, dict(body) if body is not None else {"errcode": 0, "errmsg": "ok"}, delay
        )

    def fail(self, status: int = 500) -> None:
        self.respond(status, {"error": "failing on purpose"})

    def fail_errcode(self, errcode: int = 310000, errmsg: str = "sign not match") -> None:
        """HTTP 200 with a robot error, as WeCom and DingTalk report failures."""
        self.respond(200, {"errcode": errcode, "errmsg": errmsg})

    def recover(self) -> None:
        self.respond()

    def _arrive(self, headers: dict[str, str]) -> None:
        with self._cond:
            self._arrived.append(headers)

    @property
    def arrived(self) -> list[dict[str, str]]:
        """The headers of every request the server was given, answered yet or not
        (``requests`` holds those answered, after any ``delay``)."""
        with self._cond:
            return list(self._arrived)

    def _record(self, request: RecordedRequest) -> None:
        with self._cond:
            self._requests.append(request)
            self._cond.notify_all()

    # ----------------------------------------------------------------- inspection

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._cond:
            return list(self._requests)

    @property
    def delivered(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.delivered]

    def clear(self) -> None:
        with self._cond:
            self._requests.clear()
            self._arrived.clear()

    def wait_for(self, count: int = 1, timeout: float = 5.0) -> list[RecordedRequest]:
        _wait(self._cond, lambda: len(self._requests) >= count, timeout, f"{count} request(s)")
        return self.requests


def dingtalk_signature_ok(request: RecordedRequest, secret: str) -> bool:
    """Check ``timestamp``/``sign`` the way DingTalk's server does (minus the clock)."""
    timestamps, signs = request.query.get("timestamp", []), request.query.get("sign", [])
    if len(timestamps) != 1 or len(signs) != 1:
        return False
    expected = base64.b64encode(
        hmac.new(
            secret.encode(),
            f"{timestamps[0]}\n{secret}".encode(),
            hashlib.sha256,
        ).digest()
    ).decode()
    return hmac.compare_digest(expected, signs[0])


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(name="smtp_server")
def smtp_server_fixture() -> Iterator[SmtpTestServer]:
    """A running SmtpTestServer, stopped after the test."""
    with SmtpTestServer() as server:
        yield server


@pytest.fixture(name="http_server")
def http_server_fixture() -> Iterator[HttpTestServer]:
    """A running HttpTestServer, stopped after the test."""
    with HttpTestServer() as server:
        yield server
