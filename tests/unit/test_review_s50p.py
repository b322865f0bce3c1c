"""Review s50P (an attacker with a foothold), the parts that need no I/O.

F02: a webhook's token may be in its URL's path (Slack's
``/services/T…/B…/<token>``, Discord's, a host's own endpoint), not only in its
query: a repr shows only the scheme, host and port, with ``/…`` for the rest.
The expected texts are written out by hand from the URLs.
"""

from __future__ import annotations

import pytest

from complaintcore import DeskConfig
from complaintcore.desk.ports import StaffMember
from complaintcore.desk.urls import endpoint_shown

HOOK = "https://127.0.0.1:1/hooks/T0000/B0000/PATHTOKENSECRET?key=QUERYTOKEN"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (HOOK, "https://127.0.0.1:1/…"),
        ("https://hooks.slack.com/services/T000/B000/XXXXSECRET", "https://hooks.slack.com/…"),
        ("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", "https://qyapi.weixin.qq.com/…"),
        ("https://h.example.com?key=k", "https://h.example.com/…"),
        ("https://h.example.com/", "https://h.example.com"),
        ("http://h", "http://h"),  # the scheme's own "h" is not taken for the host
        ("https://u:pw@h.example.com/x", "https://***@h.example.com/…"),
        ("not a url/SECRET", "…"),
        ("", ""),
    ],
)
def test_an_endpoint_is_shown_without_its_path_or_query(url: str, shown: str) -> None:
    assert endpoint_shown(url) == shown


def test_a_desk_configs_repr_hides_a_token_in_a_webhooks_path() -> None:
    config = DeskConfig.from_mapping(
        {"notifiers": {"webhooks": [{"url": HOOK, "format": "json", "name": "hostapi"}]}}
    )
    shown = repr(config)
    assert "PATHTOKENSECRET" not in shown
    assert "QUERYTOKEN" not in shown
    assert "'url': 'https://127.0.0.1:1/…'" in shown


def test_a_staff_members_repr_hides_their_webhooks_path_and_query() -> None:
    member = StaffMember("SR-1", "王五", "handler", "front_line", "service", webhook=HOOK)
    shown = repr(member)
    assert "PATHTOKENSECRET" not in shown
    assert "QUERYTOKEN" not in shown
    assert "webhook='https://127.0.0.1:1/…'" in shown
