"""Notification channels against real local servers (aiosmtpd, http.server).

No wall clock: notifications carry a fixed aware time and the DingTalk
signature uses an injected clock.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import ssl
from datetime import datetime
from email import message_from_bytes
from email.policy import default as modern_policy
from email.utils import format_datetime
from zoneinfo import ZoneInfo

import attrs
import pytest
import trustme

from complaintcore.adapters.notify import (
    LogNotifier,
    NotificationError,
    SmtpNotifier,
    WebhookNotifier,
    message_id,
    notifiers_from_config,
    redact,
)
from complaintcore.core.errors import ComplaintCoreError, InvalidInputError
from complaintcore.desk.ports import Notification, Notifier, StaffMember
from tests.integration.servers import (  # the fixtures register by being imported
    HttpTestServer,
    SmtpTestServer,
    dingtalk_signature_ok,
    http_server_fixture,  # noqa: F401
    smtp_server_fixture,  # noqa: F401
)

SH = ZoneInfo("Asia/Shanghai")
T = datetime(2025, 11, 14, 9, 30, tzinfo=SH)
T_MS = 1763083800000  # T as DingTalk's millisecond timestamp
PHONE, NAME = "13812345678", "王小明"
BODY = f"业主{NAME}（电话{PHONE}）反映：楼上漏水，天花板渗水。\n请今日 18:00 前回复。"
SUBJECT = "投诉 C-20251114-0001 已分派给您"
SECRETS = (PHONE, NAME, "李四", "li.si@example.com", "13900001111")

NOTE = Notification(
    key="C-20251114-0001:assigned:s-li",
    complaint_id="C-20251114-0001",
    topic="assigned",
    recipient="s-li",
    subject=SUBJECT,
    body=BODY,
    created_at=T,
    data=(("complainant_name", NAME), ("complainant_phone", PHONE), ("site", "sunrise")),
)
LI = StaffMember(
    staff_id="s-li",
    name="李四",
    role="handler",
    rung="customer_service",
    department="engineering",
    email="li.si@example.com",
    phone="13900001111",
    sees_personal_data=True,
)


def webhook(url: str | None, **kw: object) -> WebhookNotifier:
    return WebhookNotifier(url, proxies={}, clock=lambda: T, **kw)  # type: ignore[arg-type]


def email(server: SmtpTestServer, **kw: object) -> SmtpNotifier:
    return SmtpNotifier(server.host, server.port, sender="desk@example.com", timeout=3, **kw)  # type: ignore[arg-type]


def test_every_channel_is_a_notifier() -> None:
    channels: list[Notifier] = [
        LogNotifier(),
        SmtpNotifier("localhost", sender="a@b.cn"),
        WebhookNotifier("http://127.0.0.1:9/x"),
        WebhookNotifier("http://127.0.0.1:9/x", format="wecom"),
        WebhookNotifier("http://127.0.0.1:9/x", format="dingtalk"),
    ]
    assert all(isinstance(c, Notifier) for c in channels)
    assert [c.name for c in channels] == ["log", "email", "webhook", "wecom", "dingtalk"]


def test_library_error_is_a_connection_error() -> None:
    error = NotificationError("email", "k", "down")
    assert isinstance(error, ComplaintCoreError)
    assert isinstance(error, ConnectionError)


# --------------------------------------------------------------------------- SMTP


def test_email_arrives_in_utf8_with_a_message_id_from_the_key(smtp_server: SmtpTestServer) -> None:
    email(smtp_server).send(NOTE, LI)
    (mail,) = smtp_server.wait_for(1)
    msg = mail.message
    assert mail.mail_from == "desk@example.com"
    assert mail.rcpt_tos == ("li.si@example.com",)
    assert msg["Subject"] == SUBJECT
    assert msg.get_content().rstrip("\n") == BODY
    expected_id = f"<{hashlib.sha256(NOTE.key.encode()).hexdigest()[:32]}@complaintcore>"
    assert msg["Message-ID"] == expected_id == message_id(NOTE.key)
    assert msg["Date"] == format_datetime(T)
    assert msg["Auto-Submitted"] == "auto-generated"


def test_a_retried_email_keeps_its_message_id(smtp_server: SmtpTestServer) -> None:
    notifier = email(smtp_server)
    notifier.send(NOTE, LI)
    notifier.send(NOTE, LI)
    other = attrs.evolve(NOTE, key="C-20251114-0001:escalated:s-li")
    notifier.send(other, LI)
    ids = [m.message["Message-ID"] for m in smtp_server.wait_for(3)]
    assert ids[0] == ids[1] != ids[2]


def test_email_skips_a_recipient_without_address(smtp_server: SmtpTestServer) -> None:
    notifier = email(smtp_server)
    notifier.send(NOTE, attrs.evolve(LI, email=""))
    notifier.send(NOTE, None)
    assert smtp_server.messages == []


@pytest.mark.parametrize("address", ["foo@[1.2.3", "x@y.com\nBcc: z@x.com"])
def test_email_to_a_malformed_address_is_a_failure_not_retried(
    smtp_server: SmtpTestServer, address: str
) -> None:
    """docs/notifications.md: every delivery failure raises NotificationError, with
    ``retryable`` False for a malformed address (the email package raises an
    AttributeError on an unclosed domain literal, a ValueError on a line break)."""
    with pytest.raises(NotificationError) as caught:
        email(smtp_server).send(NOTE, attrs.evolve(LI, email=address))
    assert caught.value.retryable is False
    assert "malformed address" in caught.value.reason
    assert address not in str(caught.value)
    assert smtp_server.messages == []


def _no_personal_data(error: BaseException) -> None:
    text = str(error)
    assert not any(secret in text for secret in SECRETS)
    assert "漏水" not in text


def test_email_server_stopped_raises_then_delivers_once_back(smtp_server: SmtpTestServer) -> None:
    notifier = email(smtp_server)
    smtp_server.stop()
    with pytest.raises(NotificationError) as caught:
        notifier.send(NOTE, LI)
    assert caught.value.retryable
    assert caught.value.key == NOTE.key
    _no_personal_data(caught.value)
    smtp_server.start()
    notifier.send(NOTE, LI)
    assert len(smtp_server.wait_for(1)) == 1


@pytest.mark.parametrize(
    ("reply", "retryable"),
    [
        ("451 4.3.0 Try again later", True),
        ("554 5.7.1 Rejected", False),
    ],
)
def test_email_rejected_data_raises(
    smtp_server: SmtpTestServer, reply: str, retryable: bool
) -> None:
    smtp_server.fail(reply)
    with pytest.raises(NotificationError) as caught:
        email(smtp_server).send(NOTE, LI)
    assert caught.value.status == int(reply[:3])
    assert caught.value.retryable is retryable
    smtp_server.recover()
    email(smtp_server).send(NOTE, LI)
    assert len(smtp_server.wait_for(1)) == 1


def test_an_email_body_keeps_lines_starting_with_from(smtp_server: SmtpTestServer) -> None:
    """docs/notifications.md: the body quotes what the complainant wrote; a line
    starting ``From `` arrived as ``>From `` (mbox quoting, review s45B F01)."""
    body = "Water leaking into my kitchen.\nFrom the flat above, since Monday.\n.\n..\nFrom"
    email(smtp_server).send(attrs.evolve(NOTE, body=body), LI)
    (mail,) = smtp_server.wait_for(1)
    assert mail.message.get_content().replace("\r\n", "\n") == body + "\n"
    assert b"\r\nFrom the flat above, since Monday.\r\n" in mail.data
    assert b">From" not in mail.data


def test_a_display_name_sender_sends_from_its_bare_address(smtp_server: SmtpTestServer) -> None:
    notifier = SmtpNotifier(smtp_server.host, smtp_server.port, sender="投诉台 <desk@example.com>")
    notifier.send(NOTE, LI)
    (mail,) = smtp_server.wait_for(1)
    assert mail.mail_from == "desk@example.com"
    assert mail.message["From"].addresses[0].display_name == "投诉台"


def test_an_address_that_is_not_ascii_needs_smtputf8() -> None:
    """Sent with SMTPUTF8 where the server offers it; refused for good where not."""
    li = attrs.evolve(LI, email="李四@例子.中国")
    with SmtpTestServer() as server:
        email(server).send(NOTE, li)
        (mail,) = server.wait_for(1)
        assert mail.rcpt_tos == ("李四@例子.中国",)
        assert mail.message["Subject"] == SUBJECT
        assert mail.message.get_content().rstrip("\n") == BODY
    with SmtpTestServer(smtputf8=False) as server:
        with pytest.raises(NotificationError) as caught:
            email(server).send(NOTE, li)
        assert not caught.value.retryable
        assert "SMTPUTF8" in caught.value.reason
        assert server.messages == []


@pytest.mark.parametrize(
    "subject",
    [
        "[C-20251114-2255100fcb482455] A complaint has been assigned to you / 投诉已指派给您",
        "[C-20251114-2255100fcb482455] 投诉已指派给您 / A complaint has been assigned to you",
        "投诉 C-20251114-0001 已分派给您 =?utf-8?b?5oqV?= / complaint assigned",
    ],
    ids=["en-first", "zh-first", "encoded-word-lookalike"],
)
def test_a_long_mixed_subject_decodes_back_unchanged(
    smtp_server: SmtpTestServer, subject: str
) -> None:
    """docs/notifications.md: Chinese subjects are RFC 2047 encoded and decode back
    unchanged, read with the modern parser too; an en-first subject decoded with
    two spaces at its fold (review s45B F03)."""
    email(smtp_server).send(attrs.evolve(NOTE, subject=subject), LI)
    (mail,) = smtp_server.wait_for(1)
    parsed = message_from_bytes(mail.data, policy=modern_policy)
    assert parsed["Subject"] == subject
    head = mail.data.split(b"\r\n\r\n")[0].split(b"\r\n")
    assert max(len(line) for line in head) <= 78


@pytest.mark.procedure("PRV-1")
def test_refused_recipient_error_does_not_name_the_address(smtp_server: SmtpTestServer) -> None:
    smtp_server.refused_recipients.add(LI.email)
    with pytest.raises(NotificationError) as caught:
        email(smtp_server).send(NOTE, LI)
    assert caught.value.status == 550
    assert not caught.value.retryable
    assert caught.value.__cause__ is None  # smtplib's exception lists the address
    _no_personal_data(caught.value)


def test_email_logs_in_when_given_credentials() -> None:
    with SmtpTestServer(auth={"desk": "s3cret"}) as server:
        email(server, username="desk", password="s3cret").send(NOTE, LI)
        assert len(server.wait_for(1)) == 1
        assert server.logins == ["desk"]
        with pytest.raises(NotificationError) as caught:
            email(server, username="desk", password="wrong").send(NOTE, LI)
        assert caught.value.status == 535
        assert not caught.value.retryable
        assert "wrong" not in str(caught.value)


def test_starttls_required_but_not_offered_raises(smtp_server: SmtpTestServer) -> None:
    with pytest.raises(NotificationError) as caught:
        email(smtp_server, starttls=True).send(NOTE, LI)
    assert not caught.value.retryable
    assert smtp_server.messages == []


@pytest.fixture(scope="module")
def tls_ca() -> trustme.CA:
    """A certificate authority of the test's own, and a certificate from it for 127.0.0.1."""
    return trustme.CA()


def _server_tls(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    return context


def _trusting(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


@pytest.mark.parametrize("mode", ["implicit_tls", "starttls"])
def test_email_over_tls_arrives_and_logs_in_encrypted(tls_ca: trustme.CA, mode: str) -> None:
    # review s41A F01: the documented port-465 and STARTTLS set-ups sent nothing
    with SmtpTestServer(
        auth={"desk": "s3cret"}, tls=_server_tls(tls_ca), implicit_tls=mode == "implicit_tls"
    ) as server:
        trusting = _trusting(tls_ca)
        notifier = email(
            server, username="desk", password="s3cret", ssl_context=trusting, **{mode: True}
        )
        notifier.send(NOTE, LI)
        [mail] = server.wait_for(1)
        assert mail.message["Subject"] == SUBJECT
        assert server.logins == ["desk"]  # the server refuses AUTH before TLS


@pytest.mark.parametrize("mode", ["implicit_tls", "starttls"])
def test_an_untrusted_smtp_certificate_says_so_and_is_retried(
    tls_ca: trustme.CA, mode: str
) -> None:
    # review s41A F02: it read "malformed address or header" and was never retried
    with SmtpTestServer(tls=_server_tls(tls_ca), implicit_tls=mode == "implicit_tls") as server:
        with pytest.raises(NotificationError) as caught:
            email(server, **{mode: True}).send(NOTE, LI)  # the system's trust store only
        assert "TLS certificate not trusted" in str(caught.value)
        assert "malformed" not in str(caught.value)
        assert caught.value.retryable
        assert server.messages == []


# --------------------------------------------------------------------------- webhooks


def test_json_webhook_posts_every_field_with_an_idempotency_key(
    http_server: HttpTestServer,
) -> None:
    webhook(http_server.url("/complaints/notify")).send(NOTE, LI)
    (request,) = http_server.wait_for(1)
    assert request.method == "POST"
    assert request.path == "/complaints/notify"
    assert request.header("Idempotency-Key") == NOTE.key
    assert request.header("Content-Type") == "application/json; charset=utf-8"
    assert request.json() == {
        "key": NOTE.key,
        "complaint_id": "C-20251114-0001",
        "topic": "assigned",
        "recipient": "s-li",
        "subject": SUBJECT,
        "body": BODY,
        "created_at": "2025-11-14T09:30:00+08:00",
        "data": {"complainant_name": NAME, "complainant_phone": PHONE, "site": "sunrise"},
    }


def test_json_webhook_signs_the_body_with_a_secret(http_server: HttpTestServer) -> None:
    webhook(http_server.url(), secret="k3y").send(NOTE, LI)
    (request,) = http_server.wait_for(1)
    expected = hmac.new(b"k3y", request.body, hashlib.sha256).hexdigest()
    assert request.header("X-Complaintcore-Signature") == f"sha256={expected}"


@pytest.mark.procedure("PRV-1")
def test_wecom_robot_gets_markdown_with_personal_data_masked(http_server: HttpTestServer) -> None:
    webhook(http_server.url("/cgi-bin/webhook/send", key="robot-key"), format="wecom").send(
        NOTE, LI
    )
    (request,) = http_server.wait_for(1)
    payload = request.json()
    assert payload["msgtype"] == "markdown"
    content = payload["markdown"]["content"]
    assert content.startswith(f"**{SUBJECT}**\n")
    assert "楼上漏水" in content
    # masked; the marks shown as full-width look-alikes, never Markdown emphasis
    assert "＊＊＊＊＊＊＊＊＊78" in content
    assert "王＊＊" in content
    assert not any(secret in request.body.decode() for secret in SECRETS)
    assert request.query == {"key": ["robot-key"]}
    assert request.header("Idempotency-Key") == NOTE.key


@pytest.mark.procedure("PRV-1")
def test_a_recipients_own_robot_is_masked_too(http_server: HttpTestServer) -> None:
    """A robot always posts into a group chat, even when it is the recipient's."""
    robot = attrs.evolve(LI, webhook=http_server.url("/robot/send", access_token="t"))
    webhook(None, format="dingtalk", msgtype="text").send(NOTE, robot)
    (request,) = http_server.wait_for(1)
    assert request.json()["msgtype"] == "text"
    assert not any(secret in request.body.decode() for secret in SECRETS)


def test_wecom_text_message_and_opt_out_of_masking(http_server: HttpTestServer) -> None:
    webhook(http_server.url(), format="wecom", msgtype="text", redact=False).send(NOTE, LI)
    payload = http_server.wait_for(1)[0].json()
    assert payload["msgtype"] == "text"
    assert payload["text"]["content"].startswith(f"{SUBJECT}\n{BODY}")


def test_dingtalk_robot_gets_signed_markdown(http_server: HttpTestServer) -> None:
    secret = "SEC0123456789abcdef"
    webhook(
        http_server.url("/robot/send", access_token="tok"), format="dingtalk", secret=secret
    ).send(NOTE, LI)
    (request,) = http_server.wait_for(1)
    payload = request.json()
    assert payload["msgtype"] == "markdown"
    assert payload["markdown"]["title"] == SUBJECT
    assert payload["markdown"]["text"].startswith(f"### {SUBJECT}\n\n")
    assert request.query["access_token"] == ["tok"]
    assert request.query["timestamp"] == [str(T_MS)]
    assert dingtalk_signature_ok(request, secret)
    assert not dingtalk_signature_ok(request, "SECwrong")


def test_per_recipient_webhook(http_server: HttpTestServer) -> None:
    notifier = webhook(None)
    notifier.send(NOTE, attrs.evolve(LI, webhook=http_server.url("/staff/s-li")))
    notifier.send(NOTE, LI)  # no webhook: skipped
    notifier.send(NOTE, None)
    (request,) = http_server.wait_for(1)
    assert request.path == "/staff/s-li"
    with pytest.raises(NotificationError) as caught:
        notifier.send(NOTE, attrs.evolve(LI, webhook="ftp://example.com/x"))
    assert not caught.value.retryable
    assert len(http_server.requests) == 1


@pytest.mark.parametrize(
    ("fmt", "status", "body", "retryable"),
    [
        ("json", 500, None, True),
        ("json", 503, None, True),
        ("json", 404, None, False),
        ("json", 302, None, True),  # a temporary redirect passes (review s49H F01)
        ("json", 308, None, False),  # a permanent one: the url moved
        ("wecom", 200, {"errcode": 93000, "errmsg": "invalid webhook url"}, False),
        ("wecom", 200, {"errcode": 45009, "errmsg": "api freq out of limit"}, True),
        ("dingtalk", 200, {"errcode": 310000, "errmsg": "sign not match"}, False),
        ("dingtalk", 200, {"ok": True}, True),
    ],
)
def test_webhook_failure_raises_then_delivers_once_recovered(
    http_server: HttpTestServer,
    fmt: str,
    status: int,
    body: dict[str, object] | None,
    retryable: bool,
) -> None:
    notifier = webhook(http_server.url("/hook", access_token="tok-123"), format=fmt)
    http_server.respond(status, body if body is not None else {"error": "x"})
    with pytest.raises(NotificationError) as caught:
        notifier.send(NOTE, LI)
    assert caught.value.retryable is retryable
    assert caught.value.notifier == notifier.name
    _no_personal_data(caught.value)
    assert "tok-123" not in str(caught.value)
    http_server.recover()
    notifier.send(NOTE, LI)
    requests = http_server.requests
    assert len(requests) == 2
    assert requests[1].delivered
    assert {r.header("Idempotency-Key") for r in requests} == {NOTE.key}


def test_webhook_server_stopped_raises_then_delivers_once_back(http_server: HttpTestServer) -> None:
    notifier = webhook(http_server.url(), format="dingtalk", secret="SECx")
    http_server.stop()
    with pytest.raises(NotificationError) as caught:
        notifier.send(NOTE, LI)
    assert caught.value.retryable
    http_server.start()
    notifier.send(NOTE, LI)
    assert len(http_server.delivered) == 1


def test_webhook_timeout_raises(http_server: HttpTestServer) -> None:
    http_server.respond(delay=0.6)
    with pytest.raises(NotificationError) as caught:
        webhook(http_server.url(), timeout=0.2, reply_timeout=0.2).send(NOTE, LI)
    assert caught.value.retryable


def test_a_slow_reply_is_waited_for_rather_than_sent_again(http_server: HttpTestServer) -> None:
    """Once the request is out, ``reply_timeout`` (not ``timeout``) bounds the wait:
    the endpoint is working on it, and giving up would only deliver it twice."""
    http_server.respond(delay=0.6)
    webhook(http_server.url(), timeout=0.2, reply_timeout=5).send(NOTE, LI)
    assert [r.header("Idempotency-Key") for r in http_server.delivered] == [NOTE.key]


# the complainant's own words, as typed into a summary (docs/security.md: any text)
INJECTED = attrs.evolve(
    NOTE,
    subject="[C-20251114-0001] 投诉 **已处理**",
    body=(
        "漏水\n# 已处理，无需跟进\n[紧急：点此登录处理](http://phish.example/login)\n"
        '> C-0000 · closed\r## 二级\n<font color="info">绿色</font> a_b `c` ~~d~~ | e &lt;\n'
        "已结案\n===\n  - 列表 + 1\n[链接] (http://x.example) [引用][1]\n[1]: http://x.example"
    ),
    data=(),
)
# worked by hand: each mark a full-width look-alike, and a `]` before `(`, `[` or `:`
# (spaces or a line break between): `[C-…] 投诉` starts no link and stays; the frame
# (**subject**, the `> id · topic` footer) stays Markdown
INJECTED_TEXT = (
    "漏水\n＃ 已处理，无需跟进\n[紧急：点此登录处理］(http://phish.example/login)\n"
    '＞ C-0000 · closed\n＃# 二级\n＜font color="info"＞绿色＜/font＞ '
    "a＿b ｀c｀ ～～d～～ ｜ e ＆lt;\n"
    "已结案\n＝==\n  － 列表 + 1\n[链接］ (http://x.example) [引用］[1］\n[1］: http://x.example"
)


def test_a_robots_markdown_shows_the_complaints_words_literally(
    http_server: HttpTestServer,
) -> None:
    """A complainant cannot post a live link, a heading or a forged footer into the
    company's group chat under the robot's name: WeCom and DingTalk markdown get the
    text with every mark shown as a look-alike (s25H F02)."""
    webhook(http_server.url("/cgi-bin/webhook/send", key="k"), format="wecom").send(INJECTED, LI)
    webhook(http_server.url("/robot/send"), format="dingtalk").send(INJECTED, LI)
    wecom, dingtalk = (r.json() for r in http_server.wait_for(2))
    assert wecom["markdown"]["content"] == (
        f"**[C-20251114-0001] 投诉 ＊＊已处理＊＊**\n{INJECTED_TEXT}\n> C-20251114-0001 · assigned"
    )
    assert dingtalk["markdown"]["title"] == "[C-20251114-0001] 投诉 **已处理**"  # plain text
    assert dingtalk["markdown"]["text"] == (
        "### [C-20251114-0001] 投诉 ＊＊已处理＊＊\n\n"
        + INJECTED_TEXT.replace("\n", "  \n")
        + "\n\n> C-20251114-0001 · assigned"
    )


def test_a_robots_text_message_keeps_the_words_as_typed(http_server: HttpTestServer) -> None:
    """``msgtype="text"`` is not Markdown: nothing is replaced."""
    webhook(http_server.url(), format="wecom", msgtype="text").send(INJECTED, LI)
    content = http_server.wait_for(1)[0].json()["text"]["content"]
    assert content.startswith(
        f"{INJECTED.subject}\n漏水\n# 已处理，无需跟进\n[紧急：点此登录处理](http"
    )


def test_group_is_declared_by_robots_with_a_url_only() -> None:
    """A robot's url is a group chat: the desk posts each message there once (s25H F03)."""
    url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"
    assert webhook(url, format="wecom").group is True
    assert webhook(url, format="dingtalk").group is True
    assert webhook(url).group is False  # the host's endpoint routes to each recipient
    assert webhook(None, format="wecom").group is False  # each recipient's own robot
    assert webhook(url, group=True).group is True
    assert webhook(url, format="wecom", group=False).group is False
    with pytest.raises(InvalidInputError) as bad:
        webhook(None, format="wecom", group=True)
    assert bad.value.path == "group"
    [built] = notifiers_from_config({"log": False, "webhooks": [{"url": url, "group": True}]})
    assert getattr(built, "group", None) is True


class _Trickle:
    """An HTTP endpoint that sends its answer, status line first, a byte every 0.1 s."""

    def __init__(self) -> None:
        import socket
        import threading

        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        import time

        conn, _ = self.server.accept()
        with conn:
            conn.recv(65536)
            body = b'{"errcode": 0, "errmsg": "ok"}'
            answer = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
            for byte in answer:
                try:
                    conn.sendall(bytes([byte]))
                except OSError:  # the client cut it off
                    return
                time.sleep(0.1)

    def close(self) -> None:
        self.server.close()


def test_a_webhook_send_ends_within_timeout_plus_reply_timeout() -> None:
    """Each read waits at most ``reply_timeout``, but a reply trickling in byte by byte
    would keep a send alive for ever: the whole send is cut off at ``timeout +
    reply_timeout``, the ``longest_send`` the desk waits out before a copy (s25H F04)."""
    import time

    trickle = _Trickle()
    notifier = webhook(f"http://127.0.0.1:{trickle.port}/hook", timeout=0.2, reply_timeout=0.3)
    assert notifier.longest_send == 0.5
    started = time.monotonic()
    try:
        with pytest.raises(NotificationError) as caught:
            notifier.send(NOTE, LI)  # the answer takes 7 s to arrive
    finally:
        trickle.close()
    assert time.monotonic() - started < 2
    assert "within 0.5 s" in caught.value.reason
    assert caught.value.retryable


class _SlowSmtp:
    """A real SMTP server (aiosmtpd) that answers each command after ``delay`` seconds."""

    def __init__(self, delay: float) -> None:
        import asyncio

        from tests.integration.servers import _controller

        self.messages: list[bytes] = []
        outer = self

        class Handler:
            async def handle_EHLO(self, server, session, envelope, hostname, responses):  # type: ignore[no-untyped-def]
                await asyncio.sleep(delay)
                session.host_name = hostname
                return responses

            async def handle_MAIL(self, server, session, envelope, address, options):  # type: ignore[no-untyped-def]
                await asyncio.sleep(delay)
                envelope.mail_from = address
                return "250 OK"

            async def handle_RCPT(self, server, session, envelope, address, options):  # type: ignore[no-untyped-def]
                await asyncio.sleep(delay)
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
                await asyncio.sleep(delay)
                outer.messages.append(envelope.content)
                return "250 OK"

        self.controller = _controller(Handler(), 0)  # type: ignore[arg-type]
        self.controller.start()
        self.port = self.controller.port

    def stop(self) -> None:
        self.controller.stop()


def test_an_smtp_send_ends_within_total_timeout() -> None:
    """``timeout`` bounds each reply; a server answering each of the send's commands
    just inside it (0.4 s of 1) would take 2 s or more.  ``total_timeout`` bounds the
    whole send: it is cut off at 1 s, before the message is complete, and the
    desk's in-flight window counts on it (``longest_send``; s25H F04)."""
    import time

    server = _SlowSmtp(0.4)
    try:
        notifier = SmtpNotifier(
            "127.0.0.1", server.port, sender="desk@example.com", timeout=1, total_timeout=1
        )
        assert notifier.longest_send == 1
        started = time.monotonic()
        with pytest.raises(NotificationError) as caught:
            notifier.send(NOTE, LI)
        took = time.monotonic() - started
        time.sleep(1)  # whatever the server still had in hand
        assert server.messages == []
    finally:
        server.stop()
    assert took < 1.6
    assert "longer than 1 s" in caught.value.reason
    assert caught.value.retryable
    assert SmtpNotifier("mail.example.com", sender="desk@example.com").longest_send == 60


# --------------------------------------------------------------------------- log


@pytest.mark.procedure("PRV-1")
def test_log_line_masks_phones_names_and_addresses(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="complaintcore.notify")
    LogNotifier().send(NOTE, LI)
    LogNotifier().send(attrs.evolve(NOTE, recipient="李四"), None)
    assert len(caplog.records) == 2
    for record in caplog.records:
        line = record.getMessage()
        assert "\n" not in line
        assert not any(secret in line for secret in SECRETS), line
        assert NOTE.key in line
        assert "*********78" in line
        assert "王**" in line
        assert record.complaint_id == "C-20251114-0001"  # type: ignore[attr-defined]
    assert "to=s-li" in caplog.records[0].getMessage()


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("电话13812345678", "电话*********78"),
        ("+86 138 1234 5678", "************78"),
        ("call 010-12345678.", "call *********78."),
        ("身份证 11010519491231002X", "身份证 ****************2X"),
        ("mail zhang.san@example.com", "mail z********@example.com"),
        ("C-20251114-0001 on 2025-11-14 09:30", "C-20251114-0001 on 2025-11-14 09:30"),
        ("room 3-2-1201, 3.14159265", "room 3-2-1201, 3.14159265"),
        ("1234567 but 123456", "*****67 but 123456"),
        ("请回电138.1234.5678", "请回电*********78"),
        ("138/1234/5678", "*********78"),
        ("138\u20131234\u20135678 (en dash)", "*********78 (en dash)"),
        ("Tel13912345678", "Tel*********78"),
        ("Tel138-1234-5678, ok", "Tel*********78, ok"),
        ("Tel+86 139 1234 5678", "Tel************78"),
        ("1 3 8 1 2 3 4 5 6 7 8", "*********78"),
        ("\uff11\uff13\uff18\uff0e1234\uff0e5678", "*********78"),
        # not phones: kept as before
        (
            "server 192.168.100.200, 2025.11.14, 2025/11/14",
            "server 192.168.100.200, 2025.11.14, 2025/11/14",
        ),
        ("1234.5678 and v1.2.3 and 1 2 3 4 5 6", "1234.5678 and v1.2.3 and 1 2 3 4 5 6"),
        (
            "C\u201320251114\u20130001 ORD202513812345678",
            "C\u201320251114\u20130001 ORD202513812345678",
        ),
    ],
)
def test_redact(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.procedure("PRV-1")
def test_redact_masks_given_literals() -> None:
    assert redact("王小明住3-2-1201", also=["王小明", "3-2-1201", ""]) == "王**住******01"


# --------------------------------------------------------------------------- config


def test_notifiers_from_config() -> None:
    channels = notifiers_from_config(
        {
            "log": {"level": "DEBUG"},
            "email": {
                "host": "smtp.example.com",
                "port": 587,
                "sender": "desk@example.com",
                "username": "desk",
                "password_env": "SMTP_PW",
                "starttls": True,
            },
            "webhooks": [
                {
                    "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
                    "format": "wecom",
                },
                {
                    "url": "https://oapi.dingtalk.com/robot/send?access_token=t",
                    "format": "dingtalk",
                    "secret_env": "DT_SECRET",
                },
                {"per_recipient": True, "name": "staff-hooks"},
            ],
        },
        environ={"SMTP_PW": "pw", "DT_SECRET": "SECabc"},
    )
    assert [c.name for c in channels] == ["log", "email", "wecom", "dingtalk", "staff-hooks"]
    assert "key=k" not in repr(channels[2])


def test_config_without_log() -> None:
    assert notifiers_from_config({"log": False}) == []
    assert [c.name for c in notifiers_from_config({})] == ["log"]


@pytest.mark.parametrize(
    ("config", "path"),
    [
        ({"mail": {}}, "mail"),
        ({"log": {"level": "LOUD"}}, "log.level"),
        ({"email": {"sender": "a@b.cn"}}, "email.host"),
        ({"email": {"host": "h", "sender": "a@b.cn", "port": "25"}}, "email.port"),
        ({"email": {"host": "h", "sender": "a@b.cn", "hostname": "x"}}, "email.hostname"),
        ({"email": {"host": "h", "sender": "a@b.cn", "starttls": "yes"}}, "email.starttls"),
        ({"email": {"host": "h", "sender": "a@b.cn", "username": "u"}}, "email.password"),
        (
            {"email": {"host": "h", "sender": "a@b.cn", "username": "u", "password_env": "NOPE"}},
            "email.password_env",
        ),
        ({"webhooks": {"url": "http://x"}}, "webhooks"),
        (
            {"webhooks": [{"url": "http://x"}, {"url": "http://y", "format": "slack"}]},
            "webhooks[1].format",
        ),
        ({"webhooks": [{"url": "ftp://x"}]}, "webhooks[0].url"),
        ({"webhooks": [{"format": "wecom"}]}, "webhooks[0].url"),
        (
            {"webhooks": [{"url": "http://x", "format": "wecom", "secret": "s"}]},
            "webhooks[0].secret",
        ),
        ({"webhooks": [{"url": "http://x"}, {"url": "http://y"}]}, "webhooks[1].name"),
        # review s41A F03-F05: each was accepted, then every send failed
        ({"webhooks": [{"url": "https://x.cn:443000/in"}]}, "webhooks[0].url"),
        ({"webhooks": [{"url": "https://x.cn:abc/in"}]}, "webhooks[0].url"),
        ({"webhooks": [{"url": "https://x.cn:0/in"}]}, "webhooks[0].url"),  # s41G F06
        ({"webhooks": [{"url": "https://desk:Pa55@x.cn/in"}]}, "webhooks[0].url"),
        (
            {"webhooks": [{"url": "http://x", "headers": {"Authorization": "Bearer tok-AB\n"}}]},
            "webhooks[0].headers.Authorization",
        ),
        (
            {"webhooks": [{"url": "http://x", "headers": {"Authorization": "Bearer 密钥"}}]},
            "webhooks[0].headers.Authorization",
        ),
        ({"webhooks": [{"url": "http://x", "headers": {"Bad:Name": "v"}}]}, "webhooks[0].headers"),
    ],
)
def test_config_errors_name_the_key(config: dict[str, object], path: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        notifiers_from_config(config, environ={})
    assert caught.value.path == path
    assert path in str(caught.value)
    for secret in ("tok-AB", "密钥", "Pa55"):  # the value is never quoted
        assert secret not in str(caught.value)


@pytest.mark.parametrize(
    ("build", "path"),
    [
        (lambda: SmtpNotifier("h", 0, sender="a@b.cn"), "port"),
        (lambda: SmtpNotifier("", sender="a@b.cn"), "host"),
        (lambda: SmtpNotifier("h", sender="nobody"), "sender"),
        (lambda: SmtpNotifier("h", sender="a@b.cn", timeout=0), "timeout"),
        (lambda: SmtpNotifier("h", sender="a@b.cn", starttls=True, implicit_tls=True), "starttls"),
        (lambda: WebhookNotifier("not a url"), "url"),
        (lambda: WebhookNotifier("http://x", format="slack"), "format"),  # type: ignore[arg-type]
        (lambda: WebhookNotifier("http://x", msgtype="card"), "msgtype"),  # type: ignore[arg-type]
        (lambda: WebhookNotifier("http://x", format="wecom", secret="s"), "secret"),
        (lambda: LogNotifier(""), "logger_name"),
    ],
)
def test_bad_constructor_input_names_the_parameter(build: object, path: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        build()  # type: ignore[operator]
    assert caught.value.path == path


@pytest.mark.parametrize(
    "own", ["https://h.example.com:70000/x", "https://li:Pa55@h.example.com/x"]
)
def test_a_recipients_unusable_webhook_is_a_failure_not_retried(own: str) -> None:
    # review s41A F04/F05: a raw ValueError retried 20 times, or a password sent to DNS
    with pytest.raises(NotificationError) as caught:
        webhook(None).send(NOTE, attrs.evolve(LI, webhook=own))
    assert not caught.value.retryable
    assert "recipient.webhook" in str(caught.value)
    assert "Pa55" not in str(caught.value)
